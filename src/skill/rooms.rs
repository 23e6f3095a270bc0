//! Rooms: an Echo as the microphone for every Music Assistant speaker in the house. "Play jazz
//! in the living room", "move the music to the kitchen", "set the kitchen volume to 30",
//! "pause in the bedroom", "what's playing in the office".
//!
//! How a spoken room becomes a player, among `players/all`'s listed players (enabled, not
//! hidden by the owner, not private: [`Player::is_listed`]):
//! 1. `ROOM_ALIASES` (spoken name → player id), for names Alexa hears differently;
//! 2. a player whose name is the room, word for word (case, accents, articles and the words
//!    "speaker"/"player" ignored);
//! 3. the one available player whose name contains the room (or is contained in it);
//! 4. the one available player whose name is close to it (a few letters off).
//!
//! Rules 3 and 4, and the rooms named when none fits, leave out players Music Assistant's
//! interface hides for now ([`Player::hidden_for_now`]: synced to another, in a playing group).
//!
//! Two players fitting one rule is never a guess: the skill asks which (naming at most three)
//! and keeps the question in the session, so "the Sonos" answers it. The Echo's own player is
//! only picked by its exact name or an alias. When the music goes to another room, the answer
//! carries no `AudioPlayer` directive: the Echo must not start the stream too; a transfer away
//! from the Echo stops its own playback.

use serde_json::{json, Map, Value};

use super::media::{folded_word, spoken, Wanted};
use super::queue::{
    choose_queue, describe, known_queue, on_state, queue_state, Action, ChosenQueue, Clock,
};
use super::start::OnQueue;
use super::{failed, music_assistant_settings, Ctx, Handled, Outcome, QueueRule, SkillError};
use crate::alexa::request::{
    Intent, MediaAsk, PlayMode, RoomCommand, SkillRequest, VolumeDirection, ROOM_SLOT,
};
use crate::alexa::response::{Directive, ResponseEnvelope};
use crate::bridge::StreamSource;
use crate::music_assistant::{MaError, MusicAssistant, Player, QueueCommand};
use crate::settings::MaSettings;
use crate::speech::{self, Join, Language, Phrase};
use crate::stream::QueueId;

/// The session attribute that keeps a question about a room.
const PENDING: &str = "roomRequest";
/// How many rooms a question or an "unknown room" answer names.
const NAMED_AT_MOST: usize = 3;

/// Words that do not tell rooms apart: articles and prepositions of the skill's languages, and
/// what every speaker is.
const FILLER_WORDS: [&str; 44] = [
    "the",
    "a",
    "an",
    "in",
    "on",
    "speaker",
    "speakers",
    "player",
    "der",
    "die",
    "das",
    "den",
    "dem",
    "im",
    "lautsprecher",
    "el",
    "la",
    "los",
    "las",
    "en",
    "altavoz",
    "le",
    "les",
    "l",
    "dans",
    "sur",
    "enceinte",
    "il",
    "lo",
    "i",
    "gli",
    "nel",
    "nella",
    "cassa",
    "de",
    "het",
    "luidspreker",
    "o",
    "os",
    "as",
    "no",
    "na",
    "caixa",
    "d",
];

/// What a person asked to happen in a room.
#[derive(Debug, Clone, Copy)]
pub(super) enum RoomAsk<'a> {
    /// "play … in the {room}".
    Play(&'a MediaAsk, PlayMode),
    /// "move the music to the {room}".
    Transfer,
    /// "set the {room} volume to {level}", "turn the {room} up".
    Volume {
        /// The level heard.
        level: Option<i64>,
        /// Up or down by a step.
        direction: Option<VolumeDirection>,
    },
    /// "pause in the {room}".
    Command(Option<RoomCommand>),
    /// "what's playing in the {room}".
    NowPlaying,
}

impl<'a> RoomAsk<'a> {
    /// The room request an intent makes, and the room it names (`None`: not said).
    pub(super) fn of(intent: &'a Intent) -> Option<(Self, Option<&'a str>)> {
        Some(match intent {
            Intent::PlayMedia { ask, mode } => (Self::Play(ask, *mode), ask.room.as_deref()),
            Intent::Transfer { room } => (Self::Transfer, room.as_deref()),
            Intent::SetVolume {
                room,
                level,
                direction,
            } => (
                Self::Volume {
                    level: *level,
                    direction: *direction,
                },
                room.as_deref(),
            ),
            Intent::RoomCommand { room, command } => (Self::Command(*command), room.as_deref()),
            Intent::NowPlaying { room } => (Self::NowPlaying, room.as_deref()),
            _ => return None,
        })
    }

    /// The intent and slots (Alexa's shape) that ask this again with another room.
    fn as_intent(&self) -> (&'static str, Map<String, Value>) {
        let mut slots = Map::new();
        let mut put = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                slots.insert(name.to_owned(), json!({ "name": name, "value": value }));
            }
        };
        let name = match self {
            Self::Play(ask, _) => {
                put("query", ask.query.clone());
                put("artist", ask.artist.clone());
                put("album", ask.album.clone());
                put("track", ask.track.clone());
                put("playlist", ask.playlist.clone());
                put("radio", ask.radio.clone());
                "PlayMediaIntent"
            }
            Self::Transfer => "TransferIntent",
            Self::Volume { level, direction } => {
                put("level", level.map(|l| l.to_string()));
                put("direction", direction.map(|d| d.id().to_owned()));
                "SetVolumeIntent"
            }
            Self::Command(command) => {
                put("command", command.map(|c| c.id().to_owned()));
                "RoomCommandIntent"
            }
            Self::NowPlaying => "NowPlayingIntent",
        };
        (name, slots)
    }
}

/// Which rule found the player, for the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomRule {
    /// `ROOM_ALIASES`.
    Alias,
    /// The player's exact name.
    Exact,
    /// The one player whose name contains the room (or is contained in it).
    Contains,
    /// The one player whose name is close.
    Close,
}

impl RoomRule {
    fn queue_rule(self) -> QueueRule {
        match self {
            Self::Alias => QueueRule::RoomAlias,
            Self::Exact => QueueRule::RoomExact,
            Self::Contains => QueueRule::RoomContains,
            Self::Close => QueueRule::RoomClose,
        }
    }
}

/// What a spoken room came to.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved<'p> {
    /// This player, by this rule.
    Found(&'p Player, RoomRule),
    /// These players fit equally well.
    Ambiguous(Vec<&'p Player>),
    /// No player fits.
    Unknown,
}

/// Finds the player `spoken` names among `players` (see the module documentation). `own` is
/// the asking Echo's player, `only` restricts the choice (the players a question offered).
pub fn resolve<'p>(
    spoken: &str,
    players: &'p [Player],
    aliases: &std::collections::HashMap<String, String>,
    own: Option<&str>,
    only: Option<&[String]>,
) -> Resolved<'p> {
    let wanted = room_words(spoken);
    if wanted.is_empty() {
        return Resolved::Unknown;
    }
    let by_id = |id: &str| players.iter().find(|p| p.player_id == id);
    if let Some(player) = aliases
        .iter()
        .filter(|(alias, _)| room_words(alias) == wanted)
        .find_map(|(_, id)| by_id(id.trim()))
    {
        return Resolved::Found(player, RoomRule::Alias);
    }
    let listed: Vec<&Player> = players
        .iter()
        .filter(|p| p.is_listed())
        .filter(|p| only.is_none_or(|ids| ids.contains(&p.player_id)))
        .collect();
    let named = |p: &Player| room_words(p.spoken_name());
    let exact: Vec<&Player> = listed
        .iter()
        .copied()
        .filter(|p| named(p) == wanted || room_words(&p.player_id) == wanted)
        .collect();
    if let Some(found) = one_of(exact, RoomRule::Exact) {
        return found;
    }
    // Past an exact name, only available players Music Assistant shows, never the Echo's own.
    let pool: Vec<&Player> = listed
        .into_iter()
        .filter(|p| p.is_available() && !p.hidden_for_now() && Some(p.player_id.as_str()) != own)
        .collect();
    let containing: Vec<&Player> = pool
        .iter()
        .copied()
        .filter(|p| {
            let name = named(p);
            contains_words(&name, &wanted) || contains_words(&wanted, &name)
        })
        .collect();
    if let Some(found) = one_of(containing, RoomRule::Contains) {
        return found;
    }
    let joined = wanted.concat();
    let allowed = (joined.chars().count() / 4).max(1);
    let close: Vec<&Player> = pool
        .into_iter()
        .filter(|p| edit_distance(&named(p).concat(), &joined) <= allowed)
        .collect();
    one_of(close, RoomRule::Close).unwrap_or(Resolved::Unknown)
}

/// One player: found; several: ambiguous; none: `None`, try the next rule.
fn one_of(players: Vec<&Player>, rule: RoomRule) -> Option<Resolved<'_>> {
    match players.as_slice() {
        [] => None,
        [one] => Some(Resolved::Found(one, rule)),
        _ => Some(Resolved::Ambiguous(players)),
    }
}

/// A name as words that tell rooms apart: lower case, accents and punctuation gone, filler
/// words dropped ("the Living-Room speaker" → `["living", "room"]`).
pub fn room_words(name: &str) -> Vec<String> {
    name.split(|c: char| c.is_whitespace() || "/-_'’.,&".contains(c))
        .map(folded_word)
        .filter(|word| !word.is_empty() && !FILLER_WORDS.contains(&word.as_str()))
        .collect()
}

/// Leading articles the answers already say ("in the {room}").
const ARTICLES: [&str; 18] = [
    "the", "der", "die", "das", "den", "dem", "el", "la", "los", "las", "le", "les", "il", "lo",
    "de", "het", "o", "a",
];

/// The room as the answers repeat it: as the person said it, without a leading article (the
/// phrase has its own) and cut like every spoken name.
fn said_room(room: &str) -> String {
    let room = room.trim();
    let without = room
        .split_once(' ')
        .filter(|(first, rest)| {
            ARTICLES.contains(&first.to_lowercase().as_str()) && !rest.trim().is_empty()
        })
        .map_or(room, |(_, rest)| rest.trim());
    spoken(without)
}

/// Whether `part` appears in `whole` as consecutive words.
fn contains_words(whole: &[String], part: &[String]) -> bool {
    !part.is_empty() && whole.windows(part.len()).any(|w| w == part)
}

/// Levenshtein distance, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(current)
            };
            previous = current;
        }
    }
    row[b.len()]
}

/// Answers a request about a room: finds the player and acts on it. `room` is `None` when the
/// person did not say one: the skill asks which.
pub(super) async fn in_room<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    ask: RoomAsk<'_>,
    room: Option<&str>,
    only: Option<&[String]>,
) -> Handled {
    let language = Language::of_locale(req.locale.as_deref());
    let ma = match music_assistant_settings(
        ctx.settings,
        Phrase::RoomsNeedMusicAssistant,
        true,
        language,
    ) {
        Ok(ma) => ma,
        Err(answer) => return *answer,
    };
    let Some(room) = room else {
        return question(&ask, None, Phrase::WhichRoomReprompt, language)
            .with_detail(Some("no room named: asked which".into()));
    };
    let aliases = match &ctx.settings.room_aliases {
        Ok(aliases) => aliases,
        Err(e) => return failed(e.clone().into(), true, language),
    };
    let mut clock = Clock::default();
    let players = match clock
        .time(ctx.music_assistant.players(ma, ctx.deadline))
        .await
    {
        Ok(players) => players,
        Err(error) => {
            let mut handled = failed(error.into(), true, language);
            handled.ma_ms = clock.ma_ms;
            return handled;
        }
    };
    let own = known_queue(req, ctx.settings).ok().flatten();
    let own_id = own.as_ref().map(|q| q.queue.as_str());
    let spoken_room = said_room(room);
    let mut handled = match resolve(room, &players, aliases, own_id, only) {
        Resolved::Found(player, rule) => {
            let detail = format!(
                "room '{spoken_room}': {} → player '{}'",
                rule.queue_rule(),
                player.player_id
            );
            let mut handled = if player.is_available() {
                let on = InRoom {
                    req,
                    ctx,
                    ma,
                    language,
                    room: &spoken_room,
                };
                on.act(player, ask, &mut clock).await
            } else {
                let text = speech::say_with(
                    Phrase::RoomUnavailable,
                    language,
                    &[("room", &spoken(player.spoken_name()))],
                );
                Handled::new(ResponseEnvelope::say(text), Outcome::Spoke)
            };
            if handled.queue.is_none() {
                handled.queue = QueueId::new(&player.player_id).map(|queue| ChosenQueue {
                    queue,
                    rule: rule.queue_rule(),
                });
            }
            let detail = match handled.detail.take() {
                Some(more) => format!("{detail}; {more}"),
                None => detail,
            };
            handled.with_detail(Some(detail))
        }
        Resolved::Ambiguous(fitting) => {
            let names: Vec<String> = fitting
                .iter()
                .take(NAMED_AT_MOST)
                .map(|p| spoken(p.spoken_name()))
                .collect();
            let ids: Vec<String> = fitting.iter().map(|p| p.player_id.clone()).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let text = speech::say_with(
                Phrase::WhichRoom,
                language,
                &[("rooms", &speech::list(&names, Join::Or, language))],
            );
            question(&ask, Some(ids), Phrase::WhichRoomReprompt, language)
                .with_text(text)
                .with_detail(Some(format!(
                    "room '{spoken_room}' fits {} players: asked which",
                    fitting.len()
                )))
        }
        Resolved::Unknown => {
            let known: Vec<String> = players
                .iter()
                .filter(|p| p.is_listed() && p.is_available() && !p.hidden_for_now())
                .take(NAMED_AT_MOST)
                .map(|p| spoken(p.spoken_name()))
                .collect();
            let known: Vec<&str> = known.iter().map(String::as_str).collect();
            let text = if known.is_empty() {
                speech::say(Phrase::NoRooms, language)
            } else {
                speech::say_with(
                    Phrase::UnknownRoom,
                    language,
                    &[
                        ("room", &spoken_room),
                        ("rooms", &speech::list(&known, Join::And, language)),
                    ],
                )
            };
            Handled::new(ResponseEnvelope::say(text), Outcome::Spoke)
                .with_detail(Some(format!("room '{spoken_room}' fits no player")))
        }
    };
    handled.ma_ms = clock.ma_ms;
    handled
}

/// "Which room?": the session stays open, and keeps `ask` (and the players offered) for the
/// answer ([`choose`]).
fn question(
    ask: &RoomAsk<'_>,
    candidates: Option<Vec<String>>,
    reprompt: Phrase,
    language: Language,
) -> Handled {
    let (intent, slots) = ask.as_intent();
    let mut pending = json!({ "intent": intent, "slots": slots });
    if let Some(candidates) = candidates {
        pending["candidates"] = json!(candidates);
    }
    let mut attributes = Map::new();
    attributes.insert(PENDING.to_owned(), pending);
    let response = ResponseEnvelope::ask(
        speech::say(reprompt, language),
        speech::say(reprompt, language),
    )
    .keeping(attributes);
    Handled::new(response, Outcome::Spoke)
}

impl Handled {
    /// The same answer saying `text` instead.
    fn with_text(mut self, text: String) -> Self {
        self.response.response.output_speech =
            Some(crate::alexa::response::OutputSpeech::PlainText { text });
        self
    }
}

/// `ChooseRoomIntent`: the answer to "which one?" (or "which room?"). Without the question in
/// the session there is nothing to answer.
pub(super) async fn choose<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    room: Option<&str>,
) -> Handled {
    let language = Language::of_locale(req.locale.as_deref());
    let Some(pending) = req.session_attributes.get(PENDING) else {
        return fallback(language).with_detail(Some("a room, but no question was asked".into()));
    };
    let name = pending["intent"].as_str().unwrap_or("");
    let mut slots = pending["slots"].as_object().cloned().unwrap_or_default();
    let only: Option<Vec<String>> = pending["candidates"].as_array().map(|ids| {
        ids.iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    });
    if let Some(room) = room {
        slots.insert(
            ROOM_SLOT.into(),
            json!({ "name": ROOM_SLOT, "value": room }),
        );
    }
    let intent = Intent::from_parts(name, &slots);
    match RoomAsk::of(&intent) {
        Some((ask, room)) => in_room(req, ctx, ask, room, only.as_deref()).await,
        None => fallback(language).with_detail(Some("the kept question is not a room's".into())),
    }
}

fn fallback(language: Language) -> Handled {
    Handled::new(
        ResponseEnvelope::ask(
            speech::say(Phrase::Fallback, language),
            speech::say(Phrase::HelpReprompt, language),
        ),
        Outcome::Spoke,
    )
}

/// A room request on its player.
struct InRoom<'r, 'c, 's, B, M> {
    req: &'r SkillRequest,
    ctx: &'c Ctx<'s, B, M>,
    ma: &'s MaSettings,
    language: Language,
    room: &'r str,
}

impl<B: StreamSource, M: MusicAssistant> InRoom<'_, '_, '_, B, M> {
    async fn act(&self, player: &Player, ask: RoomAsk<'_>, clock: &mut Clock) -> Handled {
        let Some(target) = QueueId::new(&player.player_id) else {
            return Handled::say(Phrase::NoRooms, self.language);
        };
        let chosen = ChosenQueue {
            queue: target.clone(),
            rule: QueueRule::RoomExact,
        };
        let result = match ask {
            RoomAsk::Play(media, mode) => return self.play(&chosen, media, mode, clock).await,
            RoomAsk::Transfer => return self.transfer(&target, clock).await,
            RoomAsk::NowPlaying => self.now_playing(&target, clock).await,
            RoomAsk::Volume { level, direction } => {
                self.volume(&target, level, direction, clock).await
            }
            RoomAsk::Command(command) => self.command(&target, command, clock).await,
        };
        match result {
            Ok(handled) => handled,
            Err(error) => failed(error, true, self.language),
        }
    }

    fn said(&self, phrase: Phrase, values: &[(&str, &str)]) -> Handled {
        let mut all = vec![("room", self.room)];
        all.extend_from_slice(values);
        Handled::new(
            ResponseEnvelope::say(speech::say_with(phrase, self.language, &all)),
            Outcome::Spoke,
        )
    }

    async fn send(
        &self,
        queue: &QueueId,
        command: &QueueCommand,
        clock: &mut Clock,
    ) -> Result<(), MaError> {
        clock
            .time(
                self.ctx
                    .music_assistant
                    .send(self.ma, queue, command, self.ctx.deadline),
            )
            .await
    }

    async fn play(
        &self,
        target: &ChosenQueue,
        media: &MediaAsk,
        mode: PlayMode,
        clock: &mut Clock,
    ) -> Handled {
        let Some(wanted) = Wanted::of(media, mode) else {
            return Handled::new(
                ResponseEnvelope::ask(
                    speech::say(Phrase::AskWhatToPlay, self.language),
                    speech::say(Phrase::AskWhatToPlayReprompt, self.language),
                ),
                Outcome::Spoke,
            );
        };
        let on = OnQueue {
            room: Some(self.room),
            ..OnQueue::new(self.req, self.ctx, self.ma, self.language)
        };
        on.play_by_name(target, &wanted, mode, clock).await
    }

    async fn transfer(&self, target: &QueueId, clock: &mut Clock) -> Handled {
        let source = match choose_queue(self.req, self.ctx, self.ma, clock).await {
            Ok(source) => source,
            Err(error) => return failed(error, true, self.language),
        };
        if source.queue != *target {
            let command = QueueCommand::Transfer { to: target.clone() };
            if let Err(error) = self.send(&source.queue, &command, clock).await {
                return failed(error.into(), true, self.language);
            }
        }
        let text = speech::say_with(Phrase::MovedTo, self.language, &[("room", self.room)]);
        // The music left this Echo: its own playback stops.
        let (response, outcome) = if self.req.can_stream && source.queue != *target {
            (
                ResponseEnvelope::say_and_play(text, Directive::Stop),
                Outcome::Stopped,
            )
        } else {
            (ResponseEnvelope::say(text), Outcome::Spoke)
        };
        let mut handled = Handled::new(response, outcome);
        handled.detail = Some(format!("from queue '{}'", source.queue.as_str()));
        handled
    }

    async fn now_playing(
        &self,
        target: &QueueId,
        clock: &mut Clock,
    ) -> Result<Handled, SkillError> {
        let state = queue_state(target, self.ma, self.ctx, clock).await?;
        let now = state
            .current_item
            .map(|item| item.now_playing())
            .unwrap_or_default();
        Ok(Handled::new(
            ResponseEnvelope::say(describe(&now, self.language)),
            Outcome::Spoke,
        ))
    }

    async fn volume(
        &self,
        target: &QueueId,
        level: Option<i64>,
        direction: Option<VolumeDirection>,
        clock: &mut Clock,
    ) -> Result<Handled, SkillError> {
        let (command, phrase) = match (level.and_then(|l| u8::try_from(l).ok()), direction) {
            (Some(level), _) if level <= 100 => (QueueCommand::VolumeSet(level), Phrase::VolumeSet),
            (None, Some(VolumeDirection::Up)) if level.is_none() => {
                (QueueCommand::VolumeUp, Phrase::VolumeUp)
            }
            (None, Some(VolumeDirection::Down)) if level.is_none() => {
                (QueueCommand::VolumeDown, Phrase::VolumeDown)
            }
            _ => return Ok(Handled::say(Phrase::VolumeWhat, self.language)),
        };
        self.send(target, &command, clock).await?;
        let level = level.map(|l| l.to_string()).unwrap_or_default();
        Ok(self.said(phrase, &[("level", &level)]))
    }

    async fn command(
        &self,
        target: &QueueId,
        command: Option<RoomCommand>,
        clock: &mut Clock,
    ) -> Result<Handled, SkillError> {
        let Some(command) = command else {
            return Ok(fallback(self.language));
        };
        let (queue_command, phrase) = match command {
            RoomCommand::Pause => (QueueCommand::Pause, Phrase::RoomPaused),
            RoomCommand::Stop => (QueueCommand::Stop, Phrase::RoomStopped),
            RoomCommand::Resume => (QueueCommand::Resume, Phrase::RoomResumed),
            RoomCommand::Next | RoomCommand::Previous => {
                // As on the Echo: read the queue first, so the answer is true.
                let (action, phrase) = match command {
                    RoomCommand::Next => (Action::Next, Phrase::RoomNext),
                    _ => (Action::Previous, Phrase::RoomPrevious),
                };
                let state = queue_state(target, self.ma, self.ctx, clock).await?;
                match on_state(&state, action) {
                    Ok(queue_command) => (queue_command, phrase),
                    Err(instead) => return Ok(Handled::say(instead, self.language)),
                }
            }
        };
        match self.send(target, &queue_command, clock).await {
            Ok(()) => Ok(self.said(phrase, &[])),
            // `play_index` answers once the player plays; it still happens (see queue.rs).
            Err(MaError::TimedOut { .. })
                if matches!(queue_command, QueueCommand::PlayIndex(_)) =>
            {
                Ok(Handled::say(Phrase::PreviousRequested, self.language))
            }
            Err(error) => Err(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn player(id: &str, name: &str) -> Player {
        let text = json!({ "player_id": id, "provider": "sonos", "display_name": name });
        serde_json::from_str(&text.to_string()).expect("player")
    }

    #[test]
    fn room_words_drop_what_does_not_tell_rooms_apart() {
        assert_eq!(room_words("the Living-Room Speaker"), ["living", "room"]);
        assert_eq!(room_words("Küche"), ["kuche"]);
        assert_eq!(room_words("l'entrée"), ["entree"]);
        assert!(room_words("the speaker").is_empty());
    }

    #[test]
    fn rules_in_order_and_never_a_guess() {
        let players = vec![
            player("p1", "Living Room Sonos"),
            player("p2", "Living Room TV"),
            player("p3", "Kitchen"),
            player("p4", "Office Speaker"),
        ];
        let none = std::collections::HashMap::new();
        let find = |spoken| resolve(spoken, &players, &none, None, None);
        assert_eq!(
            find("kitchen"),
            Resolved::Found(&players[2], RoomRule::Exact)
        );
        assert_eq!(
            find("the office"),
            Resolved::Found(&players[3], RoomRule::Exact)
        );
        assert_eq!(
            find("living room sonos"),
            Resolved::Found(&players[0], RoomRule::Exact)
        );
        assert_eq!(
            find("sonos"),
            Resolved::Found(&players[0], RoomRule::Contains)
        );
        assert_eq!(
            find("kitchn"),
            Resolved::Found(&players[2], RoomRule::Close)
        );
        assert_eq!(
            find("living room"),
            Resolved::Ambiguous(vec![&players[0], &players[1]])
        );
        assert_eq!(find("garage"), Resolved::Unknown);
        assert_eq!(find(""), Resolved::Unknown);
    }

    #[test]
    fn the_room_is_repeated_without_its_article() {
        assert_eq!(said_room("the living room"), "living room");
        assert_eq!(said_room("die Küche"), "Küche");
        assert_eq!(said_room("the"), "the");
        assert_eq!(said_room(" office "), "office");
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("kitchen", "kitchen"), 0);
        assert_eq!(edit_distance("kitchen", "kitchn"), 1);
        assert_eq!(edit_distance("küche", "kuche"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
