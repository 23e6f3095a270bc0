//! The skill itself: a [`SkillRequest`] in, the response Alexa allows for that request out.
//!
//! [`handle`] knows nothing of Lambda. Its outside world comes in through [`Ctx`]: the settings,
//! the bridge (any [`StreamSource`]), Music Assistant (any [`MusicAssistant`]), where progressive
//! responses go (any [`ProgressiveResponses`], or none) and the deadline.
//! It never fails: every problem becomes the answer the request kind allows (a spoken
//! explanation for voice requests, silence for AudioPlayer events), and the problem itself is
//! handed back for the request's log line.
//!
//! Play decisions, without any database:
//! - the stream comes from the bridge's slot for the device's Music Assistant player when the
//!   skill knows it (the queue in the device's token, else `DEVICE_PLAYERS`), so two Echos playing
//!   different things each get their own; when the bridge has nothing for that player (or is an
//!   older bridge without per-player slots) the latest stream of all is played;
//! - launch, resume and the play button continue from `context.AudioPlayer.offsetInMilliseconds`
//!   when the device's token still names the stream the bridge holds, else start at 0;
//! - the play intent (what Music Assistant triggers after a push) always starts at 0;
//! - `PlaybackNearlyFinished` enqueues the bridge's stream only when it differs from the one
//!   ending; `PlaybackFailed` replaces only when the bridge holds a different stream than the
//!   failed one, so a broken URL is never retried in a loop.
//!
//! Which queue a device has and "what's playing" live in `queue.rs`; next, previous, shuffle and
//! repeat in `control.rs`; playing by name in `media.rs`; rooms in `rooms.rs`; what every
//! failure sounds like in `failure.rs`; the progressive response of a long search in
//! `progressive.rs`; open-screen mode's now-playing page on screen devices (`OPEN_SCREEN`) in
//! `screen.rs`.

mod control;
mod failure;
mod ma_phrases;
mod media;
mod progressive;
mod queue;
mod rooms;
pub mod screen;
mod start;

use std::time::Instant;

use failure::failed;
pub use ma_phrases::{swallowed, Swallowed};
use media::MediaRequest;
pub use media::{choose, normalized, Choice, Wanted};
pub use progressive::{ProgressiveOutcome, ProgressiveTrace, ANSWER_RESERVE, PROGRESSIVE_AFTER};
pub use queue::{Action, ChosenQueue, QueueRule};
pub use rooms::{resolve as resolve_room, room_words, Resolved, RoomRule};

use crate::alexa::request::{Intent, RequestKind, SkillRequest};
use crate::alexa::response::{Directive, Metadata, Play, PlayBehavior, ResponseEnvelope};
use crate::bridge::{BridgeError, Latest, StreamSource};
use crate::deadline::Deadline;
use crate::music_assistant::{MaError, MusicAssistant};
use crate::progressive::ProgressiveResponses;
use crate::settings::ssm::SsmError;
use crate::settings::{Settings, SettingsError, MA_API_URL};
use crate::speech::{self, Language, Phrase};
use crate::stream::{AudioToken, HttpsBase, TooLong};

/// The outside world of one request.
pub struct Ctx<'a, B, M> {
    /// The container's settings.
    pub settings: &'a Settings,
    /// Where the latest stream comes from.
    pub bridge: &'a B,
    /// Music Assistant, for queue control.
    pub music_assistant: &'a M,
    /// Where progressive responses go; `None`: none is sent.
    pub progressive: Option<&'a dyn ProgressiveResponses>,
    /// When the answer must be ready.
    pub deadline: Deadline,
}

/// Why a request could not be served as asked.
#[derive(Debug, thiserror::Error)]
pub enum SkillError {
    /// A setting the request needs is missing or invalid.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The bridge could not tell what to play.
    #[error(transparent)]
    Bridge(#[from] BridgeError),
    /// The public stream address would be too long for Alexa.
    #[error(transparent)]
    StreamTooLong(#[from] TooLong),
    /// The settings could not be loaded from SSM.
    #[error(transparent)]
    SettingsUnavailable(#[from] SsmError),
    /// Music Assistant could not run the command.
    #[error(transparent)]
    MusicAssistant(#[from] MaError),
    /// No rule found the Music Assistant queue of the device.
    #[error("no queue for this device: its AudioPlayer token names none, DEVICE_PLAYERS has no entry for it, and {playing} players of Music Assistant's Alexa provider are playing (exactly one would do): play something on it from Music Assistant first, or add it to DEVICE_PLAYERS")]
    NoQueue {
        /// How many Alexa players were playing.
        playing: usize,
    },
    /// The device cannot play audio and no setting says which player it controls.
    #[error("this device has no AudioPlayer interface and DEVICE_PLAYERS has no entry for it: it plays nothing itself, so the skill does not guess another player (the user is asked to name a room); map the device to a player in DEVICE_PLAYERS to make that one its own")]
    NoAudioPlayer,
}

impl SkillError {
    /// A short stable name for log lines and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Settings(SettingsError::Missing { .. } | SettingsError::Incomplete { .. }) => {
                "setting_missing"
            }
            Self::Settings(SettingsError::Invalid { .. }) => "setting_invalid",
            Self::Bridge(e) => e.kind(),
            Self::StreamTooLong(_) => "stream_url_too_long",
            Self::SettingsUnavailable(e) => e.kind(),
            Self::MusicAssistant(e) => e.kind(),
            Self::NoQueue { .. } => "no_queue",
            Self::NoAudioPlayer => "no_audio_player",
        }
    }
}

/// What the answer did, for the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Started a stream (`REPLACE_ALL`).
    Played,
    /// Queued the next stream (`ENQUEUE`).
    Enqueued,
    /// Stopped the device's stream.
    Stopped,
    /// Spoke; no stream changed.
    Spoke,
    /// Closed the session without a word.
    Ended,
    /// Nothing to do: an empty response.
    Silent,
    /// Answered the skill's page on a screen (open-screen mode): commands for it, or none.
    Page,
}

impl Outcome {
    /// The outcome's name in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Played => "played",
            Self::Enqueued => "enqueued",
            Self::Stopped => "stopped",
            Self::Spoke => "spoke",
            Self::Ended => "ended",
            Self::Silent => "silent",
            Self::Page => "page",
        }
    }
}

/// The answer to one request and what the log line needs to know about it.
#[derive(Debug)]
pub struct Handled {
    /// The response envelope for Alexa.
    pub response: ResponseEnvelope,
    /// What the response does.
    pub outcome: Outcome,
    /// Why the request could not be served as asked, if so.
    pub error: Option<SkillError>,
    /// What Amazon reported (playback errors, exceptions, session end reasons), for the log.
    pub detail: Option<String>,
    /// How the bridge was asked, and how long it took.
    pub bridge: BridgeTrace,
    /// How long Music Assistant took to answer, when it was asked (its calls added up; a
    /// command whose answer was not awaited, because its new stream came first, adds nothing).
    pub ma_ms: Option<u64>,
    /// How long the skill waited, after sending a command that starts something new, for the
    /// new stream to reach the bridge (until it came, or until it stopped watching), when it
    /// watched.
    pub stream_wait_ms: Option<u64>,
    /// The Music Assistant queue the request acted on, and the rule that chose it.
    pub queue: Option<ChosenQueue>,
    /// The progressive response, when the work ran long enough for one.
    pub progressive: Option<ProgressiveTrace>,
    /// A request that comes every few seconds and changed nothing (a page's beat with nothing
    /// to hand over): its log line is at debug level, unless it had a problem.
    pub routine: bool,
}

impl Handled {
    pub(super) fn new(response: ResponseEnvelope, outcome: Outcome) -> Self {
        Self {
            response,
            outcome,
            error: None,
            detail: None,
            bridge: BridgeTrace::default(),
            ma_ms: None,
            stream_wait_ms: None,
            queue: None,
            progressive: None,
            routine: false,
        }
    }

    pub(super) fn silent() -> Self {
        Self::new(ResponseEnvelope::empty(), Outcome::Silent)
    }

    pub(super) fn say(phrase: Phrase, language: Language) -> Self {
        Self::new(
            ResponseEnvelope::say(speech::say(phrase, language)),
            Outcome::Spoke,
        )
    }

    pub(super) fn with_detail(mut self, detail: Option<String>) -> Self {
        self.detail = detail;
        self
    }

    /// The same answer with `detail` in front of the detail it already has.
    pub(super) fn adding_detail(mut self, detail: String) -> Self {
        self.detail = Some(match self.detail.take() {
            Some(more) => format!("{detail}; {more}"),
            None => detail,
        });
        self
    }
}

/// Which of the bridge's answers the request used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamSlot {
    /// The latest stream of the device's player.
    Player,
    /// The latest of all, because the bridge had nothing for the device's player.
    LatestFallback,
    /// The latest of all: the device's player is not known.
    Latest,
}

impl StreamSlot {
    /// The slot's name in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Player => "player",
            Self::LatestFallback => "latest_fallback",
            Self::Latest => "latest",
        }
    }
}

/// What asking the bridge took, for the log line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BridgeTrace {
    /// Milliseconds, all calls together, when the bridge was asked.
    pub ms: Option<u64>,
    /// Which answer was used.
    pub slot: Option<StreamSlot>,
}

/// Where a `REPLACE_ALL` starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// At 0.
    Beginning,
    /// At the device's offset when its token names the bridge's stream, else at 0.
    Resume,
}

/// Answers one request.
pub async fn handle<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
) -> Handled {
    let language = Language::of_locale(req.locale.as_deref());
    match &req.kind {
        // Open-screen mode turns a voice answer that plays into the page (screen.rs).
        RequestKind::Launch => {
            let handled = play_now(req, ctx, Start::Resume).await;
            screen::voice_answer(req, ctx, handled).await
        }
        // Music Assistant's own phrase filed under another intent is answered as what it says.
        RequestKind::Intent(intent) => {
            let handled = match ma_phrases::heard_as_other_intent(req) {
                Some(phrase) => on_intent(req, ctx, &phrase.means)
                    .await
                    .adding_detail(format!(
                        "Music Assistant's phrase '{}' heard as {} ({}): answered as {:?}",
                        phrase.said, phrase.intent, phrase.sample, phrase.means
                    )),
                None => on_intent(req, ctx, intent).await,
            };
            screen::voice_answer(req, ctx, handled).await
        }
        RequestKind::PageEvent { token, arguments } => {
            screen::on_event(req, ctx, token.as_deref(), arguments).await
        }
        RequestKind::PlayButton => play_now(req, ctx, Start::Resume).await,
        RequestKind::PauseButton => stop(req, None),
        RequestKind::NextButton => control::act(req, ctx, Action::Next).await,
        RequestKind::PreviousButton => control::act(req, ctx, Action::Previous).await,
        RequestKind::PlaybackStarted
        | RequestKind::PlaybackStopped
        | RequestKind::PlaybackFinished => Handled::silent(),
        RequestKind::PlaybackNearlyFinished { token } => {
            enqueue_next(req, token.as_ref(), ctx).await
        }
        RequestKind::PlaybackFailed { token, error } => {
            let detail = error.as_ref().map(ToString::to_string);
            replace_failed(req, token.as_ref(), ctx)
                .await
                .with_detail(detail)
        }
        RequestKind::ExceptionEncountered {
            error,
            cause_request_id,
        } => Handled::silent().with_detail(Some(format!(
            "{} (cause {})",
            error.clone().unwrap_or_default(),
            cause_request_id.as_deref().unwrap_or("unknown")
        ))),
        RequestKind::SessionEnded { reason, error } => {
            let reason = reason.as_deref().unwrap_or("unknown reason");
            let detail = match error {
                Some(error) => format!("{reason}: {error}"),
                None => reason.to_owned(),
            };
            let mut handled = Handled::silent().with_detail(Some(detail));
            // A page's session: the bridge hears the page is gone (the answer stays empty).
            if let Some((closed, ms, player)) = screen::session_ended(req, ctx).await {
                handled.error = closed.err();
                handled.bridge.ms = Some(ms);
                handled.queue = Some(ChosenQueue {
                    queue: player,
                    rule: QueueRule::Page,
                });
                handled = handled.adding_detail("the page closed".into());
            }
            handled
        }
        RequestKind::SkillEvent | RequestKind::Unknown => Handled::silent(),
        RequestKind::Malformed { reason } => {
            let handled = if req.may_speak() {
                Handled::say(Phrase::Malformed, language)
            } else {
                Handled::silent()
            };
            handled.with_detail(Some(reason.clone()))
        }
    }
}

/// Answers an intent request as `intent` (what Alexa named, or what the words meant).
async fn on_intent<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    intent: &Intent,
) -> Handled {
    let language = Language::of_locale(req.locale.as_deref());
    // Pause, stop and resume while the skill's page is open act on the page.
    if let Some(handled) = screen::voice(req, ctx, intent).await {
        return handled;
    }
    match intent {
        Intent::PlayAudio => play_now(req, ctx, Start::Beginning).await,
        Intent::Resume => play_now(req, ctx, Start::Resume).await,
        Intent::Pause | Intent::Stop | Intent::Cancel => stop(req, Some(true)),
        Intent::Help => {
            // Help offers only what works with the settings at hand.
            let help = match &ctx.settings.music_assistant {
                Err(SettingsError::Missing { name }) if *name == MA_API_URL => {
                    Phrase::HelpWithoutMusicAssistant
                }
                _ => Phrase::Help,
            };
            Handled::new(
                ResponseEnvelope::ask(
                    speech::say(help, language),
                    speech::say(Phrase::HelpReprompt, language),
                ),
                Outcome::Spoke,
            )
        }
        Intent::NavigateHome => Handled::new(ResponseEnvelope::end_session(), Outcome::Ended),
        Intent::Next => control::act(req, ctx, Action::Next).await,
        Intent::Previous => control::act(req, ctx, Action::Previous).await,
        Intent::StartOver => control::act(req, ctx, Action::StartOver).await,
        Intent::ShuffleOn => control::act(req, ctx, Action::Shuffle(true)).await,
        Intent::ShuffleOff => control::act(req, ctx, Action::Shuffle(false)).await,
        Intent::LoopOn => control::act(req, ctx, Action::Loop(true)).await,
        Intent::LoopOff => control::act(req, ctx, Action::Loop(false)).await,
        Intent::Repeat => control::act(req, ctx, Action::RepeatOne).await,
        Intent::NowPlaying { room: None } => queue::now_playing(req, ctx).await,
        // Anything said with a room, and the room questions: see rooms.rs.
        Intent::NowPlaying { room: Some(_) }
        | Intent::Transfer { .. }
        | Intent::SetVolume { .. }
        | Intent::RoomCommand { .. } => match rooms::RoomAsk::of(intent) {
            Some((ask, room)) => rooms::in_room(req, ctx, ask, room, None).await,
            None => Handled::say(Phrase::Fallback, language),
        },
        Intent::PlayMedia { ask, mode } if ask.room.is_some() => {
            rooms::in_room(
                req,
                ctx,
                rooms::RoomAsk::Play(ask, *mode),
                ask.room.as_deref(),
                None,
            )
            .await
        }
        Intent::ChooseRoom { room } => rooms::choose(req, ctx, room.as_deref()).await,
        Intent::PlayMedia { ask, mode } => {
            media::media(req, ctx, MediaRequest::ByName(ask, *mode)).await
        }
        Intent::PlayFavorites => media::media(req, ctx, MediaRequest::Favorites).await,
        Intent::AddToFavorites => media::media(req, ctx, MediaRequest::AddToFavorites).await,
        // "Say help …": the microphone stays open for it.
        Intent::Fallback | Intent::Other(_) => Handled::new(
            ResponseEnvelope::ask(
                speech::say(Phrase::Fallback, language),
                speech::say(Phrase::HelpReprompt, language),
            ),
            Outcome::Spoke,
        ),
    }
}

/// The answer when the request cannot be served at all (the settings could not be loaded):
/// spoken where the request may speak, silent elsewhere.
pub fn cannot_serve(req: &SkillRequest, error: SkillError) -> Handled {
    failed(
        error,
        req.may_speak(),
        Language::of_locale(req.locale.as_deref()),
    )
}

/// Pause, stop and cancel: stop the stream. Voice requests also close the session; a device
/// that cannot stream has nothing to stop.
fn stop(req: &SkillRequest, end_session: Option<bool>) -> Handled {
    if req.can_stream {
        Handled::new(
            ResponseEnvelope::directive(Directive::Stop, end_session),
            Outcome::Stopped,
        )
    } else if end_session.is_some() {
        Handled::new(ResponseEnvelope::end_session(), Outcome::Ended)
    } else {
        // A button press from a device that reports no AudioPlayer: nothing to stop, and
        // PlaybackController answers may not carry shouldEndSession.
        Handled::silent()
    }
}

/// Launch, play intent, resume and the play button: `REPLACE_ALL` with the bridge's stream.
async fn play_now<B: StreamSource, M>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    start: Start,
) -> Handled {
    let language = Language::of_locale(req.locale.as_deref());
    let voice = req.may_speak();
    if !req.can_stream {
        return if voice {
            Handled::say(Phrase::NoAudioPlayer, language)
        } else {
            Handled::silent()
        };
    }
    let known = queue::known_queue(req, ctx.settings).ok().flatten();
    let (latest, bridge) = fetch(ctx, known.as_ref()).await;
    let result = latest.and_then(|(latest, base)| {
        let holds_it = req
            .player
            .token
            .as_ref()
            .is_some_and(|t| t.names(&latest.stream));
        // Music Assistant's spoken "play audio" after the skill already started that very
        // stream (a play by name answers with it): let it play on.
        if start == Start::Beginning && holds_it && req.player.is_playing() {
            return Ok(None);
        }
        let offset = if start == Start::Resume && holds_it {
            req.player.offset_ms
        } else {
            0
        };
        play_directive(base, &latest, PlayBehavior::ReplaceAll, offset, None).map(Some)
    });
    let mut handled = match result {
        Ok(Some(play)) => Handled::new(
            ResponseEnvelope::directive(Directive::Play(play), voice.then_some(true)),
            Outcome::Played,
        ),
        Ok(None) => Handled::new(ResponseEnvelope::end_session(), Outcome::Ended).with_detail(
            Some("the device already plays the bridge's stream: not restarted".into()),
        ),
        Err(error) => failed(error, voice, language),
    };
    handled.bridge = bridge;
    handled.queue = known;
    handled
}

/// `PlaybackNearlyFinished`: queue the bridge's stream when it is not the one ending.
async fn enqueue_next<B: StreamSource, M>(
    req: &SkillRequest,
    ending: Option<&AudioToken>,
    ctx: &Ctx<'_, B, M>,
) -> Handled {
    match ending {
        Some(ending) => switch_unless_same(req, Some(ending), PlayBehavior::Enqueue, ctx).await,
        None => Handled::silent().with_detail(Some("no token: nothing to enqueue after".into())),
    }
}

/// `PlaybackFailed`: replace with the bridge's stream only if it is not the one that failed.
async fn replace_failed<B: StreamSource, M>(
    req: &SkillRequest,
    failed_token: Option<&AudioToken>,
    ctx: &Ctx<'_, B, M>,
) -> Handled {
    switch_unless_same(req, failed_token, PlayBehavior::ReplaceAll, ctx).await
}

/// Answers an AudioPlayer event with the bridge's stream unless `current` already names it:
/// `ENQUEUE` after `current` (which must keep playing for it to be queued), or `REPLACE_ALL`.
/// AudioPlayer events cannot speak, so problems only reach the log.
async fn switch_unless_same<B: StreamSource, M>(
    req: &SkillRequest,
    current: Option<&AudioToken>,
    behavior: PlayBehavior,
    ctx: &Ctx<'_, B, M>,
) -> Handled {
    let known = queue::known_queue(req, ctx.settings).ok().flatten();
    let (latest, bridge) = fetch(ctx, known.as_ref()).await;
    let play = latest.and_then(|(latest, base)| {
        if current.is_some_and(|t| t.names(&latest.stream)) {
            return Ok(None);
        }
        play_directive(base, &latest, behavior, 0, current).map(Some)
    });
    let mut handled = match play {
        Ok(None) => Handled::silent(),
        Ok(Some(play)) => Handled::new(
            ResponseEnvelope::directive(Directive::Play(play), None),
            match behavior {
                PlayBehavior::Enqueue => Outcome::Enqueued,
                PlayBehavior::ReplaceAll => Outcome::Played,
            },
        ),
        Err(error) => failed(error, false, Language::English),
    };
    handled.bridge = bridge;
    handled.queue = known;
    handled
}

/// Music Assistant's API settings; `Err` is the answer when they are not set at all (`needs`
/// says what the request needed them for) or not usable.
pub(super) fn music_assistant_settings(
    settings: &Settings,
    needs: Phrase,
    voice: bool,
    language: Language,
) -> Result<&crate::settings::MaSettings, Box<Handled>> {
    match &settings.music_assistant {
        Ok(ma) => Ok(ma),
        Err(SettingsError::Missing { name }) if *name == MA_API_URL => {
            let handled = if voice {
                Handled::say(needs, language)
            } else {
                Handled::silent()
            };
            Err(Box::new(handled.with_detail(Some(format!(
                "{needs:?}: MA_API_URL and MA_API_TOKEN are not set"
            )))))
        }
        Err(e) => Err(Box::new(failed(e.clone().into(), voice, language))),
    }
}

/// Checks the settings a play needs (before any network call), then asks the bridge for the
/// latest stream of `player` (see [`fetch_latest`]).
async fn fetch<'s, B: StreamSource, M>(
    ctx: &Ctx<'s, B, M>,
    player: Option<&ChosenQueue>,
) -> (Result<(Latest, &'s HttpsBase), SkillError>, BridgeTrace) {
    let base = match &ctx.settings.stream_base {
        Ok(base) => base,
        Err(e) => {
            // The bridge setting is checked first: it is the one a fresh set-up misses first.
            let error = ctx.settings.bridge.as_ref().err().unwrap_or(e);
            return (Err(error.clone().into()), BridgeTrace::default());
        }
    };
    let (latest, trace) = fetch_latest(ctx, player).await;
    (latest.map(|l| (l, base)), trace)
}

/// Asks the bridge for the latest stream of `player`, when its setting is usable; when the
/// bridge has nothing for that player, for the latest of all (older bridges answer that to
/// the first question already, ignoring the player).
pub(super) async fn fetch_latest<B: StreamSource, M>(
    ctx: &Ctx<'_, B, M>,
    player: Option<&ChosenQueue>,
) -> (Result<Latest, SkillError>, BridgeTrace) {
    let bridge = match &ctx.settings.bridge {
        Ok(bridge) => bridge,
        Err(e) => return (Err(e.clone().into()), BridgeTrace::default()),
    };
    let started = Instant::now();
    let player = player.map(|p| &p.queue);
    let mut slot = if player.is_some() {
        StreamSlot::Player
    } else {
        StreamSlot::Latest
    };
    let mut latest = ctx.bridge.latest(bridge, player, ctx.deadline).await;
    if player.is_some() && matches!(latest, Err(BridgeError::NothingPushed { .. })) {
        slot = StreamSlot::LatestFallback;
        latest = ctx.bridge.latest(bridge, None, ctx.deadline).await;
    }
    let trace = BridgeTrace {
        ms: Some(u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)),
        slot: latest.is_ok().then_some(slot),
    };
    (latest.map_err(Into::into), trace)
}

/// A `Play` of the bridge's stream, rewritten onto the public host, with its metadata.
pub fn play_directive(
    base: &HttpsBase,
    latest: &Latest,
    behavior: PlayBehavior,
    offset_ms: u64,
    expected_previous: Option<&AudioToken>,
) -> Result<Play, SkillError> {
    let url = base.rewrite(latest.stream.url())?;
    let art = latest
        .image_url
        .as_deref()
        .and_then(|raw| url::Url::parse(raw.trim()).ok())
        .and_then(|image| base.rewrite_art(&image, latest.stream.host()));
    let metadata = Metadata::new(
        latest.title.as_deref(),
        latest.artist.as_deref(),
        latest.album.as_deref(),
        art,
    );
    Ok(Play::new(
        behavior,
        &url,
        &latest.stream.token(),
        offset_ms,
        metadata,
        expected_previous,
    ))
}
