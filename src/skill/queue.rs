//! The Music Assistant queue that feeds the Echo: which one it is, what next, previous, start
//! over and shuffle become on it (the commands themselves are sent by `control.rs`), and "what's
//! playing".
//!
//! Which queue, with no database and no pairing step in the common case:
//! 1. the queue id kept in the device's AudioPlayer token (every request from a device that plays
//!    through the skill carries it in `context.AudioPlayer.token`);
//! 2. else the `DEVICE_PLAYERS` setting, for devices that never played through the skill;
//! 3. else the one player of Music Assistant's Alexa provider that is playing, if exactly one is;
//! 4. else the one player of the Alexa provider, if there is exactly one.
//!
//! Rules 3 and 4 are guesses, made only for a device that plays audio itself. For one without
//! the AudioPlayer interface (a Fire TV, the Alexa app…) the player they find is always another
//! Echo, and taking that over unasked is not the skill's call: such a device controls a queue
//! only through `DEVICE_PLAYERS` (the owner's choice), else it hears that it should name a room.
//!
//! Music Assistant reacts to a queue change by pushing the new stream to the bridge and making
//! the Echo ask the skill to play it, so the answer to the command itself is only a brief
//! confirmation (and nothing at all for the remote's buttons). Pause, stop and resume stay on the
//! Echo's own AudioPlayer: sent to Music Assistant's Alexa player they would come back to the
//! skill as new voice commands.

use std::fmt;
use std::time::Instant;

use super::{failed, fetch_latest, BridgeTrace, Ctx, Handled, Outcome, SkillError};
use crate::alexa::request::{RequestKind, SkillRequest};
use crate::alexa::response::ResponseEnvelope;
use crate::bridge::StreamSource;
use crate::music_assistant::{
    MaError, MusicAssistant, NowPlaying, PlayerQueue, QueueCommand, RepeatMode,
};
use crate::settings::{MaSettings, Settings, SettingsError, MA_API_URL};
use crate::speech::{self, Language, Phrase};
use crate::stream::{AudioToken, QueueId};

/// A queue command the user asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The next item.
    Next,
    /// The item before the current one (the current one again at the start of the queue).
    Previous,
    /// The current item from its start.
    StartOver,
    /// Shuffle on or off.
    Shuffle(bool),
    /// Repeat the whole queue, or stop repeating.
    Loop(bool),
    /// Repeat the current item.
    RepeatOne,
}

impl Action {
    pub(super) fn done(self) -> Phrase {
        match self {
            Self::Next => Phrase::NextDone,
            Self::Previous => Phrase::PreviousDone,
            Self::StartOver => Phrase::StartOverDone,
            Self::Shuffle(true) => Phrase::ShuffleOnDone,
            Self::Shuffle(false) => Phrase::ShuffleOffDone,
            Self::Loop(true) => Phrase::LoopOnDone,
            Self::Loop(false) => Phrase::LoopOffDone,
            Self::RepeatOne => Phrase::RepeatOneDone,
        }
    }
}

/// Which rule chose the queue, for the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueRule {
    /// The queue id in the device's AudioPlayer token.
    Token,
    /// The `DEVICE_PLAYERS` setting.
    DevicePlayers,
    /// The only playing player of the Alexa provider.
    OnlyPlayingAlexaPlayer,
    /// The only player of the Alexa provider at all.
    OnlyAlexaPlayer,
    /// A spoken room, by the `ROOM_ALIASES` setting.
    RoomAlias,
    /// A spoken room, by a player's exact name.
    RoomExact,
    /// A spoken room, by the one player whose name contains it (or is contained in it).
    RoomContains,
    /// A spoken room, by the one player whose name is close to it.
    RoomClose,
    /// The player of the skill's page on the screen (open-screen mode).
    Page,
}

impl fmt::Display for QueueRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Token => "token",
            Self::DevicePlayers => "device_players",
            Self::OnlyPlayingAlexaPlayer => "only_playing_alexa_player",
            Self::OnlyAlexaPlayer => "only_alexa_player",
            Self::RoomAlias => "room_alias",
            Self::RoomExact => "room_exact",
            Self::RoomContains => "room_contains",
            Self::RoomClose => "room_close",
            Self::Page => "page",
        })
    }
}

/// The queue a request controls, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChosenQueue {
    /// The queue.
    pub queue: QueueId,
    /// The rule that chose it.
    pub rule: QueueRule,
}

/// Time spent talking to Music Assistant during one request.
#[derive(Default)]
pub(super) struct Clock {
    pub(super) ma_ms: Option<u64>,
}

impl Clock {
    pub(super) async fn time<T>(&mut self, call: impl std::future::Future<Output = T>) -> T {
        let started = Instant::now();
        let result = call.await;
        let spent = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.ma_ms = Some(self.ma_ms.unwrap_or(0).saturating_add(spent));
        result
    }
}

/// What `action` (next, previous, start over, shuffle) becomes on a queue in `state`, or what to
/// say instead when it would do nothing: "The queue is empty.", "That was the last track." (Music
/// Assistant answers such a `next` with success and does nothing). Music Assistant's own
/// `previous` restarts the item once 5 s have played, which a voice command always exceeds: go
/// to the index before the current one instead.
pub(super) fn on_state(state: &PlayerQueue, action: Action) -> Result<QueueCommand, Phrase> {
    if state.is_empty() {
        return Err(Phrase::QueueEmpty);
    }
    let current = state.current_index.unwrap_or(0);
    Ok(match action {
        Action::Next if state.at_last_item() => return Err(Phrase::LastTrack),
        Action::Next => QueueCommand::Next,
        Action::Previous => QueueCommand::PlayIndex(current.saturating_sub(1)),
        Action::StartOver => QueueCommand::PlayIndex(current),
        Action::Shuffle(on) => QueueCommand::Shuffle(on),
        Action::Loop(true) => QueueCommand::Repeat(RepeatMode::All),
        Action::Loop(false) => QueueCommand::Repeat(RepeatMode::Off),
        Action::RepeatOne => QueueCommand::Repeat(RepeatMode::One),
    })
}

/// The queue as Music Assistant has it now; an unknown queue is an error.
pub(super) async fn queue_state<B, M: MusicAssistant>(
    queue: &QueueId,
    ma: &MaSettings,
    ctx: &Ctx<'_, B, M>,
    clock: &mut Clock,
) -> Result<PlayerQueue, SkillError> {
    let found = clock
        .time(ctx.music_assistant.queue(ma, queue, ctx.deadline))
        .await?;
    found.ok_or_else(|| unknown_queue(ma, queue).into())
}

pub(super) fn unknown_queue(ma: &MaSettings, queue: &QueueId) -> MaError {
    MaError::UnknownQueue {
        host: crate::authority(&ma.base),
        queue: queue.as_str().to_owned(),
    }
}

/// The queue of the device that sent `req` as far as it is known without asking Music
/// Assistant: the one in the token the device plays (rule 1), else its `DEVICE_PLAYERS` entry
/// (rule 2). `Err` only when `DEVICE_PLAYERS` is needed and invalid.
pub(super) fn known_queue(
    req: &SkillRequest,
    settings: &Settings,
) -> Result<Option<ChosenQueue>, SettingsError> {
    if let Some(queue) = token_of(req).and_then(AudioToken::queue) {
        return Ok(Some(ChosenQueue {
            queue: queue.clone(),
            rule: QueueRule::Token,
        }));
    }
    let device_players = settings.device_players.as_ref().map_err(Clone::clone)?;
    Ok(req
        .device_id
        .as_ref()
        .and_then(|device| device_players.get(device))
        .and_then(|player| QueueId::new(player))
        .map(|queue| ChosenQueue {
            queue,
            rule: QueueRule::DevicePlayers,
        }))
}

/// The token of the stream the request is about: the one an `AudioPlayer` event names, else the
/// one in `context.AudioPlayer`.
fn token_of(req: &SkillRequest) -> Option<&AudioToken> {
    match &req.kind {
        RequestKind::PlaybackNearlyFinished { token }
        | RequestKind::PlaybackFailed { token, .. } => token.as_ref(),
        _ => None,
    }
    .or(req.player.token.as_ref())
}

/// Finds the queue of the device that sent `req` (see the module documentation).
pub(super) async fn choose_queue<B, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    ma: &MaSettings,
    clock: &mut Clock,
) -> Result<ChosenQueue, SkillError> {
    if let Some(known) = known_queue(req, ctx.settings)? {
        return Ok(known);
    }
    // Rules 3 and 4 guess which Alexa player is this device's. A device that cannot play audio
    // is none of them, so either would take over another Echo.
    if !req.can_stream {
        return Err(SkillError::NoAudioPlayer);
    }
    let players = clock
        .time(ctx.music_assistant.players(ma, ctx.deadline))
        .await?;
    let alexa: Vec<_> = players.iter().filter(|p| p.is_alexa()).collect();
    let playing: Vec<_> = alexa.iter().copied().filter(|p| p.is_playing()).collect();
    let (only, rule) = match (playing.as_slice(), alexa.as_slice()) {
        ([only], _) => (only, QueueRule::OnlyPlayingAlexaPlayer),
        ([], [only]) => (only, QueueRule::OnlyAlexaPlayer),
        _ => {
            return Err(SkillError::NoQueue {
                playing: playing.len(),
            })
        }
    };
    only.active_source
        .as_deref()
        .and_then(QueueId::new)
        .or_else(|| QueueId::new(&only.player_id))
        .map(|queue| ChosenQueue { queue, rule })
        .ok_or(SkillError::NoQueue {
            playing: playing.len(),
        })
}

/// "What's playing": title, artist and album of the current item, from Music Assistant when it
/// is configured and knows the device's queue, else from what the bridge last received.
pub(super) async fn now_playing<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
) -> Handled {
    let language = Language::of_locale(req.locale.as_deref());
    let mut clock = Clock::default();
    let mut chosen = None;
    let from_ma = match &ctx.settings.music_assistant {
        Err(SettingsError::Missing { name }) if *name == MA_API_URL => None,
        Err(e) => Some(Err(SkillError::from(e.clone()))),
        Ok(ma) => match choose_queue(req, ctx, ma, &mut clock).await {
            // Nothing is guessed, but a question changes nothing: the bridge's latest answers it.
            Err(SkillError::NoQueue { .. } | SkillError::NoAudioPlayer) => None,
            Err(e) => Some(Err(e)),
            Ok(queue) => {
                let found = clock
                    .time(ctx.music_assistant.queue(ma, &queue.queue, ctx.deadline))
                    .await;
                let known = match found {
                    Ok(Some(state)) => Ok(state
                        .current_item
                        .map(|item| item.now_playing())
                        .unwrap_or_default()),
                    // One cause, one answer: as for every other command on this queue.
                    Ok(None) => Err(unknown_queue(ma, &queue.queue).into()),
                    Err(error) => Err(error.into()),
                };
                chosen = Some(queue);
                Some(known)
            }
        },
    };
    let mut bridge = BridgeTrace::default();
    let known = match from_ma {
        Some(known) => known,
        None => {
            if chosen.is_none() {
                chosen = known_queue(req, ctx.settings).ok().flatten();
            }
            let (latest, trace) = fetch_latest(ctx, chosen.as_ref()).await;
            bridge = trace;
            latest.map(|l| NowPlaying {
                title: l.title,
                artist: l.artist,
                album: l.album,
            })
        }
    };
    let mut handled = match known {
        Ok(now) => Handled::new(
            ResponseEnvelope::say(describe(&now, language)),
            Outcome::Spoke,
        ),
        Err(error) => failed(error, true, language),
    };
    handled.ma_ms = clock.ma_ms;
    handled.bridge = bridge;
    handled.queue = chosen;
    handled
}

/// The sentence for what plays, with whatever is known of it.
pub(super) fn describe(now: &NowPlaying, language: Language) -> String {
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.chars().take(150).collect::<String>())
    };
    match (clean(&now.title), clean(&now.artist), clean(&now.album)) {
        (Some(title), Some(artist), Some(album)) => speech::say_with(
            Phrase::NowPlayingFull,
            language,
            &[("title", &title), ("artist", &artist), ("album", &album)],
        ),
        (Some(title), Some(artist), None) => speech::say_with(
            Phrase::NowPlayingTitleArtist,
            language,
            &[("title", &title), ("artist", &artist)],
        ),
        (Some(title), None, _) => {
            speech::say_with(Phrase::NowPlayingTitle, language, &[("title", &title)])
        }
        (None, _, _) => speech::say(Phrase::NothingPlaying, language),
    }
}
