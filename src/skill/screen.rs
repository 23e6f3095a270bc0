//! Open-screen mode (`OPEN_SCREEN`): the skill's now-playing page on Echo devices with a screen.
//!
//! Why the page plays the stream itself, in a hidden APL `Video`: an AudioPlayer `Play` must
//! close the session ("If you set this flag to false, Alexa sends the stream to the device for
//! playback, and then pauses the stream to listen for the user's response",
//! <https://developer.amazon.com/docs/custom-skills/audioplayer-interface-reference.html>), and
//! with the session goes the page. A `Video` with `audioTrack: "background"` plays the stream
//! while the session, and the page, stay open
//! (<https://developer.amazon.com/docs/alexa-presentation-language/apl-video.html>).
//!
//! Only a device that declares the APL interface *and* video codecs for its APL runtime
//! (`context.Viewport.video.codecs`: an APL runtime that declares media playback) gets the page;
//! every other device, and every device while the mode is off, gets the AudioPlayer answers.
//!
//! The page ([`DOCUMENT`], `page.json`) and the skill talk through `SendEvent` (the page's
//! events, [`PageEvent`]) and `ExecuteCommands` (the skill's answers):
//! - every [`BEAT_EVERY`](crate::bridge::screen::BEAT_EVERY) the page sends `beat` with the
//!   `seq` of the last bridge command it carried out, the `seq` of the stream it waits to
//!   start, and the key of the metadata it shows; the skill passes the beat on to the bridge,
//!   and answers with what the bridge hands over: a new stream (`PlayMedia`), a pause or resume
//!   (`ControlMedia`), new metadata (`SetValue`);
//! - a stream counts as playing only when the `Video`'s `onPlay` fires: the page then sends
//!   `started`, which the skill passes on at once (the bridge tells Music Assistant the page took
//!   it). `onTrackFail` sends `failed`, and a watchdog sends `stalled` when no `onPlay` came
//!   within 8 s (the Echo Show 5, 3rd generation, shows title and art at 0:00 and plays nothing:
//!   <https://github.com/alams154/music-assistant-alexa-skill-prototype/issues/57>). Both are
//!   answered with an AudioPlayer `Play` of the player's stream that closes the session: the
//!   Echo's own player takes over, so it always ends in music;
//! - its buttons: play-pause acts on the `Video` at once (`ControlMedia`) and only tells the skill;
//!   previous and next ask the skill, which sends them to Music Assistant's queue.
//!
//! Play-pause stays on the page, never Music Assistant's queue: a Music Assistant that does not
//! know the bridge's `POST /ma/control` yet answers a pause on its side with its spoken command
//! ("ask music assistant to pause"), which the Echo would say over the page.
//!
//! Every answer to the page, and the answer that opens it, leaves `shouldEndSession` out: `false`
//! (and `null`) would open the microphone; absent, on a device with a screen and visual content,
//! the session stays open without it
//! (<https://developer.amazon.com/en-US/docs/alexa/custom-skills/manage-skill-session-and-session-attributes.html>).

use std::sync::OnceLock;
use std::time::Instant;

use serde_json::{json, Map, Value};

use super::control::act_on_page;
use super::queue::{Action, ChosenQueue, QueueRule};
use super::{failed, fetch_latest, play_directive, Ctx, Handled, Outcome, StreamSlot};
use crate::alexa::request::{Intent, SkillRequest};
use crate::alexa::response::{
    Directive, ExecuteCommands, Metadata, Play, PlayBehavior, RenderDocument, ResponseEnvelope,
};
use crate::bridge::screen::{BeatReply, BeatRequest, PageCommand};
use crate::bridge::{LatestReply, StreamSource};
use crate::music_assistant::MusicAssistant;
use crate::settings::Settings;
use crate::speech::Language;
use crate::stream::{AudioToken, HttpsBase, QueueId};

/// The now-playing page, an APL document (version 1.8: the `Video`'s `onTrackFail`).
pub const DOCUMENT: &str = include_str!("page.json");

/// The APL version the document needs; a device whose runtime declares less gets AudioPlayer.
pub const APL_VERSION: (u32, u32) = (1, 8);

/// The page's token: this prefix, then the Music Assistant player it shows. Events carry it, and
/// `ExecuteCommands` must name it.
pub const TOKEN_PREFIX: &str = "music-assistant-page:";

/// The session attribute that says a page is open: `{"page": {"player": "<player id>"}}`.
pub const ATTRIBUTE: &str = "page";

/// The `seq` of the stream a page is opened with: not a bridge command (their `seq` start at 1).
pub const OPENING_SEQ: u64 = 0;

/// The `Video` that plays the stream, and the component that holds the page's state.
const VIDEO: &str = "player";
const ROOT: &str = "root";
/// The sequencers of the skill's commands and of the page's events: commands on a sequencer of
/// their own are not cancelled by a touch (which cancels the main sequencer), and a `SendEvent`
/// needs one in the tick handlers, which run in fast mode, where it is ignored otherwise.
const SKILL_SEQUENCER: &str = "skill";
const EVENT_SEQUENCER: &str = "events";

/// Most arguments of a page event read; the page sends five at most.
const MAX_ARGUMENTS: usize = 8;

/// The parsed document, shared by every answer that opens a page.
fn document() -> &'static Value {
    static PARSED: OnceLock<Value> = OnceLock::new();
    // The document is part of the build, and a test parses it: an unparsable one never ships.
    PARSED.get_or_init(|| serde_json::from_str(DOCUMENT).unwrap_or(Value::Null))
}

/// Whether `req`'s device gets the page: the APL interface at version [`APL_VERSION`] or newer
/// (when it says), and video codecs for its APL runtime.
pub fn capable(req: &SkillRequest) -> bool {
    let Some(screen) = &req.screen else {
        return false;
    };
    let new_enough = screen
        .apl_max_version
        .as_deref()
        .is_none_or(|v| version_of(v).is_none_or(|v| v >= APL_VERSION));
    screen.apl && !screen.video_codecs.is_empty() && new_enough
}

/// `1.8`, `2023.3` as (major, minor); `None` for anything else.
fn version_of(text: &str) -> Option<(u32, u32)> {
    let mut parts = text.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
    Some((major, minor))
}

/// Whether open-screen mode may answer `req`: the mode is on and the device is capable.
pub fn on_for(req: &SkillRequest, settings: &Settings) -> bool {
    settings.open_screen() && capable(req)
}

/// The token of the page of `player`.
pub fn token_for(player: &QueueId) -> String {
    format!("{TOKEN_PREFIX}{}", player.as_str())
}

/// The player a page token names, if the token is a page's.
pub fn player_of_token(token: &str) -> Option<QueueId> {
    token.strip_prefix(TOKEN_PREFIX).and_then(QueueId::new)
}

/// The player of the page the session keeps open, if any (`{"page": {"player": …}}`).
pub fn player_in_session(req: &SkillRequest) -> Option<QueueId> {
    req.session_attributes
        .get(ATTRIBUTE)
        .and_then(|page| page.get("player"))
        .and_then(Value::as_str)
        .and_then(QueueId::new)
}

/// The session attributes of an answer to the page of `player`: the request's, with the page.
pub fn attributes(req: &SkillRequest, player: &QueueId) -> Map<String, Value> {
    let mut kept = req.session_attributes.clone();
    kept.insert(ATTRIBUTE.to_owned(), json!({ "player": player.as_str() }));
    kept
}

/// Text for the page as it is: `SetValue` evaluates `${…}` in its value, and a title from
/// Music Assistant is not an expression (a zero-width space keeps `$` and `{` apart).
fn literal(text: &str) -> String {
    text.replace("${", "$\u{200B}{")
}

/// What the page shows of a stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Shown {
    /// The title, or empty.
    pub title: String,
    /// "artist – album", or empty.
    pub subtitle: String,
    /// The cover art's https address, or empty.
    pub art: String,
    /// The current item's length in milliseconds, 0 when unknown (the progress bar then stays
    /// hidden). Music Assistant's pushes do not carry it: it comes from its queue, when the skill
    /// has its API settings. Not part of [`Self::key`]: it never changes what a beat compares.
    pub duration_ms: u64,
}

impl Shown {
    /// What a `Play`'s metadata shows.
    pub fn of(metadata: Option<&Metadata>) -> Self {
        let Some(metadata) = metadata else {
            return Self::default();
        };
        Self {
            title: metadata.title.clone().unwrap_or_default(),
            subtitle: metadata.subtitle.clone().unwrap_or_default(),
            art: metadata
                .art
                .as_ref()
                .and_then(|art| art.sources.first())
                .map(|source| source.url.clone())
                .unwrap_or_default(),
            duration_ms: 0,
        }
    }

    /// A short key of what is shown, so a beat can say what the page shows: FNV-1a over the
    /// three fields, in hex.
    pub fn key(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for field in [&self.title, &self.subtitle, &self.art] {
            for byte in field.bytes().chain(std::iter::once(0xff)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }
}

/// The `RenderDocument` that opens the page of `player`, playing `url` (seq [`OPENING_SEQ`]).
pub fn render(player: &QueueId, url: &str, shown: &Shown) -> Directive {
    Directive::RenderDocument(RenderDocument {
        token: token_for(player),
        document: document().clone(),
        datasources: json!({
            "page": {
                "url": url,
                "seq": OPENING_SEQ,
                "title": shown.title,
                "subtitle": shown.subtitle,
                "art": shown.art,
                "durationMs": shown.duration_ms,
                "key": shown.key(),
            }
        }),
    })
}

/// An answer to a voice request turned into the page, when open-screen mode applies: the
/// answer plays a stream (`REPLACE_ALL`) whose token names its player, on a capable device. The
/// stream then plays on the page instead of the AudioPlayer (which is stopped first when it
/// plays now); the speech stays. Any other answer is returned as it is.
pub fn open(req: &SkillRequest, settings: &Settings, handled: Handled) -> Handled {
    open_showing(req, settings, handled, 0)
}

/// [`open`], showing `duration_ms` as the current item's length.
fn open_showing(
    req: &SkillRequest,
    settings: &Settings,
    mut handled: Handled,
    duration_ms: u64,
) -> Handled {
    let Some((player, url, mut shown)) = opening(req, settings, &handled) else {
        return handled;
    };
    shown.duration_ms = duration_ms;
    let mut directives = Vec::with_capacity(2);
    if req.player.is_playing() {
        directives.push(Directive::Stop);
    }
    directives.push(render(&player, &url, &shown));
    let attributes = attributes(req, &player);
    let mut envelope = handled.response;
    envelope.response.directives = directives;
    envelope.response.should_end_session = None;
    handled.response = envelope.keeping(attributes);
    handled.adding_detail(format!(
        "open-screen: the page plays it (viewport {})",
        req.screen
            .as_ref()
            .map(|s| s.describe())
            .unwrap_or_default()
    ))
}

/// The page `handled` becomes under open-screen mode ([`open`]): its player, stream and what it
/// shows; `None` when it stays as it is.
fn opening(
    req: &SkillRequest,
    settings: &Settings,
    handled: &Handled,
) -> Option<(QueueId, String, Shown)> {
    if !req.may_speak() || !on_for(req, settings) {
        return None;
    }
    match handled.response.response.directives.as_slice() {
        [Directive::Play(play)] => page_of(play),
        _ => None,
    }
}

/// The length of the item `player`'s queue plays now, in milliseconds, as Music Assistant's queue
/// says; 0 when unknown, when the skill has no Music Assistant settings, or when asking fails
/// (the page then shows the elapsed time alone).
async fn current_duration_ms<B, M: MusicAssistant>(ctx: &Ctx<'_, B, M>, player: &QueueId) -> u64 {
    let Ok(ma) = &ctx.settings.music_assistant else {
        return 0;
    };
    match ctx.music_assistant.queue(ma, player, ctx.deadline).await {
        Ok(queue) => queue
            .and_then(|queue| queue.current_item)
            .and_then(|item| item.duration)
            .map_or(0, |seconds| seconds.saturating_mul(1000)),
        Err(error) => {
            tracing::debug!(error = %error, "the page shows no duration: Music Assistant's queue could not be read");
            0
        }
    }
}

/// A voice answer, with open-screen mode applied: [`open`]; and when the answer ends the session
/// of an open page (anything but the page's own pause, resume and stop, which see to it
/// themselves), the bridge hears the page is gone, so it hands it nothing more (Alexa sends no
/// `SessionEndedRequest` for a session the skill ends).
pub async fn voice_answer<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    handled: Handled,
) -> Handled {
    let duration_ms = match opening(req, ctx.settings, &handled) {
        Some((player, _, _)) => current_duration_ms(ctx, &player).await,
        None => 0,
    };
    let mut handled = open_showing(req, ctx.settings, handled, duration_ms);
    let ends = handled.response.response.should_end_session == Some(true);
    let already = handled
        .queue
        .as_ref()
        .is_some_and(|q| q.rule == QueueRule::Page);
    if !ends || already || !on_for(req, ctx.settings) {
        return handled;
    }
    let Some(player) = player_in_session(req) else {
        return handled;
    };
    if keeps_the_page(&handled.response.response) {
        // "Next track.", "Shuffle is on.", what's playing, or a failure explained: words alone
        // leave the page playing, so the session stays (without the microphone, as every answer
        // to the page) and Music Assistant's next stream reaches the page without a word.
        let mut envelope = handled.response;
        envelope.response.should_end_session = None;
        handled.response = envelope.keeping(attributes(req, &player));
        return handled.adding_detail("the page stays open".into());
    }
    let (closed, ms) = tell_bridge(ctx, &player, None, true).await;
    handled.bridge.ms = Some(handled.bridge.ms.unwrap_or(0).saturating_add(ms));
    if let Err(error) = closed {
        handled =
            handled.adding_detail(format!("the bridge did not hear the page closed: {error}"));
    }
    handled.adding_detail("the page's session ends".into())
}

/// Whether an answer that ends the session leaves the page open instead: one that speaks and
/// does nothing else (no directive, no reprompt). An answer with a directive (the Echo's player
/// stopped when the music moves to another room) or without words ("go home") closes it.
fn keeps_the_page(response: &crate::alexa::response::Response) -> bool {
    response.output_speech.is_some()
        && response.reprompt.is_none()
        && response.directives.is_empty()
}

/// The player, the stream and what to show of a `REPLACE_ALL` play; `None` for a queued play or
/// a token that names no player.
fn page_of(play: &Play) -> Option<(QueueId, String, Shown)> {
    if play.play_behavior != PlayBehavior::ReplaceAll {
        return None;
    }
    let stream = &play.audio_item.stream;
    let player = AudioToken::parse(&stream.token).queue()?.clone();
    Some((
        player,
        stream.url.clone(),
        Shown::of(play.audio_item.metadata.as_ref()),
    ))
}

/// What the page sent, by its first argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventKind {
    /// The regular beat.
    Beat,
    /// The `Video` started the stream the page waited for (its `seq` is `done` now).
    Started,
    /// The `Video` could not play the stream (`onTrackFail`).
    Failed,
    /// No `onPlay` within 8 s of a play.
    Stalled,
    /// The play-pause button, with what it did (`pause` or `play`).
    Toggle(Option<String>),
    /// The previous button.
    Previous,
    /// The next button.
    Next,
}

impl EventKind {
    /// The event's name in logs.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Beat => "beat",
            Self::Started => "started",
            Self::Failed => "failed",
            Self::Stalled => "stalled",
            Self::Toggle(_) => "toggle",
            Self::Previous => "previous",
            Self::Next => "next",
        }
    }
}

/// One event of the page: `[name, done, waiting (or the lost seq), key, extra]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageEvent {
    /// What happened.
    pub kind: EventKind,
    /// The `seq` of the last command the page carried out (`None`: none yet).
    pub done: Option<u64>,
    /// For `failed` and `stalled` the `seq` of the stream that did not play; for the others the
    /// `seq` of the stream the page waits to start (`None`: none).
    pub seq: Option<u64>,
    /// The key of what the page shows ([`Shown::key`]).
    pub key: Option<String>,
}

impl PageEvent {
    /// Reads a page's `SendEvent` arguments; `Err` says why they are not one of its events.
    pub fn parse(arguments: &[Value]) -> Result<Self, String> {
        let arguments = &arguments[..arguments.len().min(MAX_ARGUMENTS)];
        let name = arguments
            .first()
            .and_then(Value::as_str)
            .ok_or_else(|| "the first argument is not an event name".to_owned())?;
        let text = |at: usize| {
            arguments
                .get(at)
                .and_then(Value::as_str)
                .map(|s| s.chars().take(40).collect::<String>())
        };
        let kind = match name {
            "beat" => EventKind::Beat,
            "started" => EventKind::Started,
            "failed" => EventKind::Failed,
            "stalled" => EventKind::Stalled,
            "toggle" => EventKind::Toggle(text(4)),
            "previous" => EventKind::Previous,
            "next" => EventKind::Next,
            other => {
                return Err(format!(
                    "unknown page event '{}'",
                    other.chars().take(40).collect::<String>()
                ))
            }
        };
        Ok(Self {
            kind,
            done: arguments.get(1).and_then(seq_of),
            seq: arguments.get(2).and_then(seq_of),
            key: text(3).filter(|k| !k.is_empty()),
        })
    }
}

/// A `seq` as the page sends it: a whole number ≥ 0 (APL numbers are doubles, and some
/// runtimes send them as strings); -1 and anything else is none.
fn seq_of(value: &Value) -> Option<u64> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    // 2^53: past it a double no longer holds every whole number.
    (number.is_finite()
        && (0.0..=9_007_199_254_740_992.0).contains(&number)
        && number.fract() == 0.0)
        .then_some(number as u64)
}

/// `SetValue` of one of the page's bound values.
fn set(property: &str, value: Value) -> Value {
    json!({ "type": "SetValue", "componentId": ROOT, "property": property, "value": value })
}

/// The `SetValue`s that show `shown`.
fn show(shown: &Shown) -> [Value; 5] {
    [
        set("title", Value::String(literal(&shown.title))),
        set("subtitle", Value::String(literal(&shown.subtitle))),
        set("art", Value::String(literal(&shown.art))),
        set("durationMs", json!(shown.duration_ms)),
        set("key", Value::String(shown.key())),
    ]
}

/// Commands run on the skill's own sequencer (see [`SKILL_SEQUENCER`]).
fn on_skill_sequencer(commands: Vec<Value>) -> Value {
    json!({ "type": "Sequential", "sequencer": SKILL_SEQUENCER, "commands": commands })
}

/// The commands that make the page play `url` as command `seq`, showing `shown`. The page
/// reports it taken (`started`) only once the `Video`'s `onPlay` fires; the pause before
/// `PlayMedia` makes sure it fires even when the `Video` plays something now.
pub fn play_commands(seq: u64, url: &str, shown: &Shown) -> Vec<Value> {
    let mut commands = vec![
        set("waiting", json!(seq)),
        set("playAt", json!("${elapsedTime}")),
    ];
    commands.extend(show(shown));
    commands.extend([
        set("clockMs", json!(0)),
        set("runFrom", json!(-1)),
        set("resetAt", json!(-1)),
        set("shownMs", json!(0)),
        json!({ "type": "ControlMedia", "componentId": VIDEO, "command": "pause" }),
        json!({
            "type": "PlayMedia",
            "componentId": VIDEO,
            "audioTrack": "background",
            "source": [{ "url": literal(url) }]
        }),
    ]);
    vec![on_skill_sequencer(commands)]
}

/// Pause (`play` false) or resume the page's `Video`, as command `seq` when it is the bridge's:
/// then the page records it carried out and beats at once with it, so the bridge can answer
/// Music Assistant without waiting for the next beat. `key` is what the page shows.
pub fn control_commands(play: bool, seq: Option<u64>, key: Option<&str>) -> Vec<Value> {
    let command = if play { "play" } else { "pause" };
    let mut commands =
        vec![json!({ "type": "ControlMedia", "componentId": VIDEO, "command": command })];
    if let Some(seq) = seq {
        commands.push(set("done", json!(seq)));
        commands.push(json!({
            "type": "SendEvent",
            "sequencer": EVENT_SEQUENCER,
            "arguments": ["beat", seq, -1, literal(key.unwrap_or(""))]
        }));
    }
    vec![on_skill_sequencer(commands)]
}

/// The commands that show new metadata of the stream the page plays (Music Assistant's
/// metadata pushes: the next track of a flow stream): its clock starts again.
pub fn now_commands(shown: &Shown) -> Vec<Value> {
    let mut commands: Vec<Value> = show(shown).into();
    commands.push(set("resetAt", json!("${elapsedTime}")));
    vec![on_skill_sequencer(commands)]
}

/// `ExecuteCommands` for the page of `player`.
pub fn execute(player: &QueueId, commands: Vec<Value>) -> Directive {
    Directive::ExecuteCommands(ExecuteCommands {
        token: token_for(player),
        commands,
    })
}

/// An answer to the page of `player`: `directives` (none: an empty response), the session kept
/// without the microphone, the page in the session attributes.
pub fn answer(req: &SkillRequest, player: &QueueId, directives: Vec<Directive>) -> Handled {
    Handled::new(
        ResponseEnvelope::on_screen(None, directives).keeping(attributes(req, player)),
        Outcome::Page,
    )
}

/// Answers an event of the page (`token` and `arguments` as the request carries them). Never
/// speaks: a problem is an empty answer (the session kept) and the log line.
pub async fn on_event<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    token: Option<&str>,
    arguments: &[Value],
) -> Handled {
    // The page that sent it names its player in its token; the session keeps it too.
    let Some(player) = token
        .and_then(player_of_token)
        .or_else(|| player_in_session(req))
    else {
        return Handled::silent().with_detail(Some(
            "a page event from a document that is not the skill's page".into(),
        ));
    };
    let event = match PageEvent::parse(arguments) {
        Ok(event) => event,
        Err(reason) => return answer(req, &player, vec![]).with_detail(Some(reason)),
    };
    let mut handled = if !ctx.settings.open_screen() {
        // The mode was switched off under an open page: it gets nothing more to do.
        answer(req, &player, vec![]).with_detail(Some("open-screen mode is off".into()))
    } else {
        match &event.kind {
            EventKind::Beat | EventKind::Started | EventKind::Toggle(_) => {
                beat(req, ctx, &player, &event).await
            }
            EventKind::Failed | EventKind::Stalled => fall_back(req, ctx, &player, &event).await,
            EventKind::Previous => button(req, ctx, &player, Action::Previous).await,
            EventKind::Next => button(req, ctx, &player, Action::Next).await,
        }
    };
    let what = match &event.kind {
        EventKind::Toggle(Some(did)) => format!("page {} ({did})", event.kind.as_str()),
        kind => format!("page {}", kind.as_str()),
    };
    handled.queue.get_or_insert(ChosenQueue {
        queue: player,
        rule: QueueRule::Page,
    });
    handled.adding_detail(what)
}

/// Tells the bridge about the page of `player` (`closing`: it is going away), and how long that
/// took, in milliseconds.
async fn tell_bridge<B: StreamSource, M>(
    ctx: &Ctx<'_, B, M>,
    player: &QueueId,
    taken: Option<u64>,
    closing: bool,
) -> (Result<BeatReply, super::SkillError>, u64) {
    let bridge = match &ctx.settings.bridge {
        Ok(bridge) => bridge,
        Err(e) => return (Err(e.clone().into()), 0),
    };
    let started = Instant::now();
    let beat = BeatRequest {
        player_id: player.as_str().to_owned(),
        taken,
        closing,
    };
    let reply = ctx.bridge.beat(bridge, &beat, ctx.deadline).await;
    let ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    (reply.map_err(Into::into), ms)
}

/// A beat (and `started`, and the play-pause button, which beat too): passed on to the bridge,
/// answered with what it hands over.
async fn beat<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    player: &QueueId,
    event: &PageEvent,
) -> Handled {
    let (reply, ms) = tell_bridge(ctx, player, event.done, false).await;
    let mut handled = match reply {
        Ok(reply) => {
            let (commands, detail) = match &ctx.settings.stream_base {
                Ok(base) => {
                    let mut plan = Plan::of(&reply, event, base);
                    if let Some(shown) = plan.shown_mut() {
                        shown.duration_ms = current_duration_ms(ctx, player).await;
                    }
                    plan.commands(event)
                }
                Err(e) => (vec![], Some(format!("nothing handed to the page: {e}"))),
            };
            let quiet = commands.is_empty() && event.kind == EventKind::Beat;
            let directives = if commands.is_empty() {
                vec![]
            } else {
                vec![execute(player, commands)]
            };
            let mut handled = answer(req, player, directives).with_detail(detail);
            handled.routine = quiet;
            handled
        }
        // The page beats again in a moment; it never hears of a bridge problem.
        Err(error) => {
            let mut handled = answer(req, player, vec![]);
            handled.error = Some(error);
            handled
        }
    };
    handled.bridge.ms = Some(ms);
    handled
}

/// What the page gets for a bridge's reply to one of its events.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Plan {
    /// Nothing: the page is up to date.
    Nothing,
    /// The stream `seq` is still starting on the page: nothing again.
    Starting(u64),
    /// A new stream `seq`, at `url`, showing `shown`.
    Play { seq: u64, url: String, shown: Shown },
    /// The stream `seq` cannot go to the page, and why.
    NotHanded { seq: u64, reason: String },
    /// Pause (`play` false) or resume, as bridge command `seq`.
    Control { play: bool, seq: u64 },
    /// New metadata of the stream the page plays.
    Now(Shown),
}

impl Plan {
    /// Decides what the page gets for a bridge's `reply` to `event`: the newest stream not yet
    /// carried out (unless the page already waits for it to start), else the newest pause or
    /// resume (only when no stream waits to start: it follows the stream), else Music
    /// Assistant's newest metadata when the page shows something else.
    fn of(reply: &BeatReply, event: &PageEvent, base: &HttpsBase) -> Self {
        let open: Vec<&PageCommand> = reply
            .commands
            .iter()
            .filter(|c| event.done.is_none_or(|done| c.seq() > done))
            .collect();
        let newest_play = open.iter().rev().find_map(|c| match c {
            PageCommand::Play { seq, stream } => Some((*seq, stream)),
            _ => None,
        });
        if let Some((seq, stream)) = newest_play {
            if event.seq == Some(seq) {
                return Self::Starting(seq);
            }
            return match page_stream(stream, base) {
                Ok((url, shown)) => Self::Play { seq, url, shown },
                Err(reason) => Self::NotHanded { seq, reason },
            };
        }
        if event.seq.is_none() {
            let control = open.iter().rev().find_map(|c| match c {
                PageCommand::Pause { seq } => Some((false, *seq)),
                PageCommand::Resume { seq } => Some((true, *seq)),
                PageCommand::Play { .. } => None,
            });
            if let Some((play, seq)) = control {
                return Self::Control { play, seq };
            }
        }
        let now = reply
            .now
            .as_ref()
            .and_then(|now| page_stream(now, base).ok())
            .map(|(_, shown)| shown)
            .filter(|shown| *shown != Shown::default());
        match now {
            Some(shown)
                if event.key.as_deref() != Some(shown.key().as_str()) && event.seq.is_none() =>
            {
                Self::Now(shown)
            }
            _ => Self::Nothing,
        }
    }

    /// What it shows anew, if anything (its duration is then worth asking Music Assistant for).
    fn shown_mut(&mut self) -> Option<&mut Shown> {
        match self {
            Self::Play { shown, .. } | Self::Now(shown) => Some(shown),
            _ => None,
        }
    }

    /// The page's commands, and what they do for the log.
    fn commands(&self, event: &PageEvent) -> (Vec<Value>, Option<String>) {
        match self {
            Self::Nothing => (vec![], None),
            Self::Starting(seq) => (
                vec![],
                Some(format!("stream {seq} is starting on the page")),
            ),
            Self::Play { seq, url, shown } => (
                play_commands(*seq, url, shown),
                Some(format!("handed stream {seq} to the page")),
            ),
            Self::NotHanded { seq, reason } => (
                vec![],
                Some(format!("stream {seq} not handed to the page: {reason}")),
            ),
            Self::Control { play, seq } => {
                let what = if *play { "resume" } else { "pause" };
                (
                    control_commands(*play, Some(*seq), event.key.as_deref()),
                    Some(format!("handed {what} {seq} to the page")),
                )
            }
            Self::Now(shown) => (
                now_commands(shown),
                Some("new metadata for the page".into()),
            ),
        }
    }
}

/// The public address of a stream the bridge handed over, and what the page shows of it: the
/// same rewrite and metadata as an AudioPlayer answer ([`play_directive`]).
fn page_stream(stream: &LatestReply, base: &HttpsBase) -> Result<(String, Shown), String> {
    let latest = stream
        .clone()
        .into_latest("the bridge")
        .map_err(|e| e.to_string())?;
    let play = play_directive(base, &latest, PlayBehavior::ReplaceAll, 0, None)
        .map_err(|e| e.to_string())?;
    let shown = Shown::of(play.audio_item.metadata.as_ref());
    Ok((play.audio_item.stream.url, shown))
}

/// `failed` and `stalled`: the page cannot play here. The Echo's AudioPlayer plays the player's
/// stream instead, and the session (with the page) ends; the bridge hears the page is gone.
async fn fall_back<B: StreamSource, M>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    player: &QueueId,
    event: &PageEvent,
) -> Handled {
    let viewport = req
        .screen
        .as_ref()
        .map(|s| s.describe())
        .unwrap_or_default();
    tracing::warn!(
        event = event.kind.as_str(),
        viewport = %viewport,
        "the page could not play the stream on this device: the Echo's AudioPlayer plays it instead"
    );
    let (closed, closing_ms) = tell_bridge(ctx, player, event.done, true).await;
    let queue = ChosenQueue {
        queue: player.clone(),
        rule: QueueRule::Page,
    };
    let (latest, mut trace) = fetch_latest(ctx, Some(&queue)).await;
    let play = latest.and_then(|latest| {
        let base = ctx.settings.stream_base.as_ref().map_err(Clone::clone)?;
        play_directive(base, &latest, PlayBehavior::ReplaceAll, 0, None)
    });
    let mut handled = match play {
        Ok(play) => Handled::new(
            ResponseEnvelope::directive(Directive::Play(play), Some(true)),
            Outcome::Played,
        ),
        Err(error) => failed(error, false, Language::English),
    };
    if handled.error.is_none() {
        if let Err(error) = closed {
            handled.error = Some(error);
        }
    }
    trace.ms = Some(trace.ms.unwrap_or(0).saturating_add(closing_ms));
    if trace.slot.is_none() && handled.outcome == Outcome::Played {
        trace.slot = Some(StreamSlot::Player);
    }
    handled.bridge = trace;
    handled.with_detail(Some(format!(
        "the page could not play stream {} (viewport {viewport})",
        event.seq.map_or_else(|| "?".into(), |s| s.to_string())
    )))
}

/// The previous and next buttons: Music Assistant's queue of the page's player. Music Assistant
/// pushes the new stream, which reaches the page with a beat.
async fn button<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    player: &QueueId,
    action: Action,
) -> Handled {
    let queue = ChosenQueue {
        queue: player.clone(),
        rule: QueueRule::Page,
    };
    let acted = act_on_page(req, ctx, action, queue).await;
    // Whatever came of it, the page keeps its session and hears nothing.
    let mut handled = answer(req, player, vec![]);
    handled.error = acted.error;
    handled.detail = acted.detail;
    handled.ma_ms = acted.ma_ms;
    handled.queue = acted.queue;
    handled.bridge = acted.bridge;
    handled
}

/// A voice request while the page is open (the session keeps it, open-screen mode is on, the
/// device is capable): pause, stop and cancel pause the page (stop and cancel also end the
/// session, and the bridge hears the page is gone), resume resumes it. `None`: any other intent,
/// answered as without the page.
pub async fn voice<B: StreamSource, M>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    intent: &Intent,
) -> Option<Handled> {
    if !on_for(req, ctx.settings) {
        return None;
    }
    let player = player_in_session(req)?;
    let (play, end) = match intent {
        Intent::Pause => (false, false),
        Intent::Stop | Intent::Cancel => (false, true),
        Intent::Resume => (true, false),
        _ => return None,
    };
    let commands = execute(&player, control_commands(play, None, None));
    if !end {
        return Some(
            answer(req, &player, vec![commands]).with_detail(Some(format!(
                "{} on the page",
                if play { "resume" } else { "pause" }
            ))),
        );
    }
    let (closed, ms) = tell_bridge(ctx, &player, None, true).await;
    let mut handled = Handled::new(
        ResponseEnvelope::directives(vec![commands], Some(true)),
        Outcome::Stopped,
    )
    .with_detail(Some("paused the page and closed it".into()));
    handled.error = closed.err();
    handled.bridge.ms = Some(ms);
    handled.queue = Some(ChosenQueue {
        queue: player,
        rule: QueueRule::Page,
    });
    Some(handled)
}

/// The session of a page ended: the bridge hears it is gone, so it hands nothing more to it
/// (and Music Assistant speaks its commands again). `None` when the session kept no page.
pub async fn session_ended<B: StreamSource, M>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
) -> Option<(Result<(), super::SkillError>, u64, QueueId)> {
    let player = player_in_session(req)?;
    let (closed, ms) = tell_bridge(ctx, &player, None, true).await;
    Some((closed.map(|_| ()), ms, player))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::screen::BEAT_EVERY;

    #[test]
    fn the_document_parses_and_beats_as_the_bridge_expects() {
        let document = document();
        assert_eq!(document["type"], "APL");
        assert_eq!(
            document["version"],
            format!("{}.{}", APL_VERSION.0, APL_VERSION.1)
        );
        let ticks = document
            .pointer("/mainTemplate/items/0/handleTick")
            .and_then(Value::as_array)
            .expect("tick handlers");
        let beat = &ticks[0];
        assert_eq!(
            beat["minimumDelay"].as_u64(),
            Some(u64::try_from(BEAT_EVERY.as_millis()).unwrap())
        );
        assert_eq!(beat["commands"][0]["type"], "SendEvent");
        assert_eq!(beat["commands"][0]["sequencer"], EVENT_SEQUENCER);
        assert!(DOCUMENT.contains("elapsedTime - playAt > 8000"));
    }

    #[test]
    fn versions_compare_as_numbers() {
        assert_eq!(version_of("1.8"), Some((1, 8)));
        assert_eq!(version_of("2023.3"), Some((2023, 3)));
        assert_eq!(version_of("1"), Some((1, 0)));
        assert_eq!(version_of("x"), None);
        assert!(version_of("1.10").unwrap() > APL_VERSION);
        assert!(version_of("1.7").unwrap() < APL_VERSION);
    }

    #[test]
    fn events_are_read_leniently() {
        let event = PageEvent::parse(&[
            json!("beat"),
            json!(1_722_222_222_222.0),
            json!(-1),
            json!("00ff"),
        ])
        .unwrap();
        assert_eq!(event.kind, EventKind::Beat);
        assert_eq!(event.done, Some(1_722_222_222_222));
        assert_eq!(event.seq, None);
        assert_eq!(event.key.as_deref(), Some("00ff"));
        let event = PageEvent::parse(&[json!("started"), json!("7")]).unwrap();
        assert_eq!(
            (event.kind, event.done, event.seq),
            (EventKind::Started, Some(7), None)
        );
        let event = PageEvent::parse(&[
            json!("toggle"),
            json!(1.5),
            json!(null),
            json!(3),
            json!("pause"),
        ])
        .unwrap();
        assert_eq!(event.kind, EventKind::Toggle(Some("pause".into())));
        assert_eq!((event.done, event.key), (None, None));
        for bad in [vec![], vec![json!(5)], vec![json!("dance")]] {
            assert!(PageEvent::parse(&bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn text_never_becomes_an_expression() {
        let shown = Shown {
            title: "${environment.reason}".into(),
            ..Shown::default()
        };
        let commands = serde_json::to_string(&now_commands(&shown)).unwrap();
        assert!(!commands.contains("${environment"), "{commands}");
    }

    #[test]
    fn tokens_name_the_player() {
        let player = QueueId::new("Kitchen Echo").unwrap();
        let token = token_for(&player);
        assert_eq!(player_of_token(&token), Some(player));
        assert_eq!(player_of_token("another-document"), None);
    }

    #[test]
    fn keys_tell_what_is_shown_apart() {
        let a = Shown {
            title: "ab".into(),
            subtitle: "c".into(),
            ..Shown::default()
        };
        let b = Shown {
            title: "a".into(),
            subtitle: "bc".into(),
            ..Shown::default()
        };
        assert_ne!(a.key(), b.key());
        assert_eq!(a.key(), a.clone().key());
        assert_eq!(a.key().len(), 16);
    }
}
