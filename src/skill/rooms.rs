//! Rooms: an Echo as the microphone for every Music Assistant speaker in the house. "Play jazz
//! in the living room", "move the music to the kitchen", "set the kitchen volume to 30",
//! "pause in the bedroom", "what's playing in the office".
//!
//! How a spoken room becomes a player, among `players/all`'s listed players (enabled, not
//! hidden by the owner, not private: [`Player::is_listed`]):
//! 1. `ROOM_ALIASES` (spoken name → player id), for names Alexa hears differently;
//! 2. a player whose name is the room, word for word;
//! 3. the one available player whose name contains the room (or is contained in it);
//! 4. the one available player whose name is close to it (a few letters off).
//!
//! Names, aliases and the room are compared as [`room_words`] in the request's language: case,
//! accents, the articles and prepositions leading them ("the", "in der", "het") and the generic
//! words trailing them ("speaker", "Lautsprecher") do not count, but a word that is the whole
//! name always does ("Den" is a room in English and in German).
//!
//! Rules 3 and 4, and the rooms named when none fits, leave out players Music Assistant's
//! interface hides for now ([`Player::hidden_for_now`]: synced to another, in a playing group).
//!
//! Two players fitting one rule is never a guess: the skill asks which (naming at most three)
//! and keeps the question in the session, so "the Sonos" answers it; what it keeps is capped
//! ([`which_one`]), so the answer stays far inside Alexa's 24 KB. The Echo's own player is only
//! picked by its exact name or an alias. Answers name the player as Music Assistant shows it.
//! When the music goes to another room, the answer carries no `AudioPlayer` directive: the Echo
//! must not start the stream too; a transfer away from the Echo stops its own playback.

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

/// How many players a question keeps for the answer. More than that fit: the answer is taken
/// as a room among all players, like any room.
const KEPT_AT_MOST: usize = 8;
/// The longest player id a question keeps as it is (in JSON, escapes counted); a longer one is
/// kept as its [`fingerprint`], which still picks it out.
const KEPT_ID_LEN: usize = 96;

/// The words of a language that do not tell rooms apart: the articles, prepositions and
/// possessives said before a room ("in the", "in der", "nella", "op het"), and the generic words
/// for what every player is ("speaker", "Lautsprecher", "altavoz").
struct Fillers {
    /// Dropped where they lead a name.
    leading: &'static [&'static str],
    /// Dropped where they trail a name; also where they lead it in languages that put the noun
    /// first ("altavoz de la cocina", "enceinte du salon").
    generic: &'static [&'static str],
    /// Whether the generic words lead names in this language.
    generic_leads: bool,
}

/// Generic words owners write in every language ("Küche Speaker", "Salon Player").
const GENERIC_EVERYWHERE: [&str; 4] = ["speaker", "speakers", "player", "players"];

impl Fillers {
    fn of(language: Language) -> &'static Self {
        match language {
            Language::English => &Self {
                leading: &[
                    "the", "a", "an", "in", "on", "at", "to", "into", "my", "our",
                ],
                generic: &[],
                generic_leads: false,
            },
            Language::German => &Self {
                leading: &[
                    "der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem",
                    "einer", "im", "in", "ins", "am", "an", "auf", "aufs", "zum", "zur", "mein",
                    "meine", "meinem", "meinen", "unser", "unsere", "unserem",
                ],
                generic: &["lautsprecher", "box", "boxen"],
                generic_leads: false,
            },
            Language::Spanish => &Self {
                leading: &[
                    "el", "la", "los", "las", "lo", "un", "una", "en", "a", "al", "de", "del",
                    "mi", "mis", "nuestro", "nuestra",
                ],
                generic: &[
                    "altavoz",
                    "altavoces",
                    "bocina",
                    "bocinas",
                    "parlante",
                    "parlantes",
                ],
                generic_leads: true,
            },
            Language::French => &Self {
                leading: &[
                    "le", "la", "les", "l", "un", "une", "dans", "sur", "au", "aux", "du", "des",
                    "de", "d", "en", "a", "mon", "ma", "mes", "notre",
                ],
                generic: &["enceinte", "enceintes"],
                generic_leads: true,
            },
            Language::Italian => &Self {
                leading: &[
                    "il", "lo", "la", "i", "gli", "le", "l", "un", "uno", "una", "in", "nel",
                    "nello", "nella", "nei", "negli", "nelle", "nell", "al", "allo", "alla", "all",
                    "sul", "sullo", "sulla", "sull", "del", "dello", "della", "dell", "di", "da",
                    "mio", "mia",
                ],
                generic: &["cassa", "casse", "altoparlante", "altoparlanti"],
                generic_leads: true,
            },
            Language::Dutch => &Self {
                leading: &[
                    "de", "het", "een", "t", "in", "op", "naar", "mijn", "onze", "ons",
                ],
                generic: &["luidspreker", "luidsprekers", "box"],
                generic_leads: false,
            },
            Language::Portuguese => &Self {
                leading: &[
                    "o", "a", "os", "as", "um", "uma", "em", "no", "na", "nos", "nas", "do", "da",
                    "dos", "das", "de", "para", "meu", "minha",
                ],
                generic: &["caixa", "caixas", "som"],
                generic_leads: true,
            },
        }
    }

    fn is_generic(&self, word: &str) -> bool {
        GENERIC_EVERYWHERE.contains(&word) || self.generic.contains(&word)
    }

    fn leads(&self, word: &str) -> bool {
        self.leading.contains(&word) || (self.generic_leads && self.is_generic(word))
    }
}

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

/// Finds the player `spoken` names among `players` (see the module documentation), comparing
/// names in `language`, the request's. `own` is the asking Echo's player, `only` restricts the
/// choice (the players a question offered, as it kept them).
pub fn resolve<'p>(
    spoken: &str,
    language: Language,
    players: &'p [Player],
    aliases: &std::collections::HashMap<String, String>,
    own: Option<&str>,
    only: Option<&[String]>,
) -> Resolved<'p> {
    let words = |name: &str| room_words(name, language);
    let wanted = words(spoken);
    if wanted.is_empty() {
        return Resolved::Unknown;
    }
    let by_id = |id: &str| players.iter().find(|p| p.player_id == id);
    if let Some(player) = aliases
        .iter()
        .filter(|(alias, _)| words(alias) == wanted)
        .find_map(|(_, id)| by_id(id.trim()))
    {
        return Resolved::Found(player, RoomRule::Alias);
    }
    let listed: Vec<&Player> = players
        .iter()
        .filter(|p| p.is_listed())
        .filter(|p| only.is_none_or(|kept| is_kept(kept, &p.player_id)))
        .collect();
    let named = |p: &Player| words(p.spoken_name());
    let exact: Vec<&Player> = listed
        .iter()
        .copied()
        .filter(|p| named(p) == wanted || words(&p.player_id) == wanted)
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

/// A name as words that tell rooms apart, in `language` (the request's: names and aliases are
/// compared under the same one): lower case, accents and punctuation gone; the articles and
/// prepositions leading it dropped, and the generic words trailing it ("the Living-Room
/// Speaker" → `["living", "room"]`). A word that is all that is left is never dropped: "Den",
/// "the", "speaker" name themselves, and "Room A" stays apart from "Room".
pub fn room_words(name: &str, language: Language) -> Vec<String> {
    let mut words: Vec<String> = name
        .split(|c: char| c.is_whitespace() || "/-_'’.,&".contains(c))
        .map(folded_word)
        .filter(|word| !word.is_empty())
        .collect();
    let fillers = Fillers::of(language);
    let leading = words[..words.len().saturating_sub(1)]
        .iter()
        .take_while(|word| fillers.leads(word))
        .count();
    words.drain(..leading);
    let trailing = words[1.min(words.len())..]
        .iter()
        .rev()
        .take_while(|word| fillers.is_generic(word))
        .count();
    words.truncate(words.len() - trailing);
    words
}

/// What the person said, for an answer that has no player to name: without the articles and
/// prepositions leading it (the phrase has its own words), as said, and cut like every spoken
/// name.
fn said_room(room: &str, language: Language) -> String {
    let fillers = Fillers::of(language);
    let words: Vec<&str> = room.split_whitespace().collect();
    let leading = words[..words.len().saturating_sub(1)]
        .iter()
        .take_while(|word| fillers.leading.contains(&folded_word(word).as_str()))
        .count();
    spoken(&words[leading..].join(" "))
}

/// How a question keeps a player it offers: its id, or when that is too long to keep, its
/// [`fingerprint`].
fn kept_id(id: &str) -> String {
    let escaped = serde_json::to_string(id).map_or(usize::MAX, |json| json.len());
    if escaped <= KEPT_ID_LEN {
        id.to_owned()
    } else {
        fingerprint(id)
    }
}

/// A short stand-in for a player id too long to keep in the session: `sha256:` and the id's
/// SHA-256, base64url.
fn fingerprint(id: &str) -> String {
    use base64::Engine as _;
    let digest = ring::digest::digest(&ring::digest::SHA256, id.as_bytes());
    format!(
        "sha256:{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref())
    )
}

/// Whether `kept` (what a question kept, [`kept_id`]) is the player `id`.
fn is_kept(kept: &[String], id: &str) -> bool {
    kept.iter().any(|k| k == id)
        || (kept.iter().any(|k| k.starts_with("sha256:")) && kept.contains(&fingerprint(id)))
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
    let said = said_room(room, language);
    let mut handled = match resolve(room, language, &players, aliases, own_id, only) {
        Resolved::Found(player, rule) => {
            // Answers name the player as Music Assistant shows it, never as it was heard.
            let name = spoken(player.spoken_name());
            let detail = format!(
                "room '{said}': {} → player '{}'",
                rule.queue_rule(),
                spoken(&player.player_id)
            );
            let mut handled = if player.is_available() {
                let on = InRoom {
                    req,
                    ctx,
                    ma,
                    language,
                    room: &name,
                };
                on.act(player, ask, &mut clock).await
            } else {
                let text = speech::say_with(Phrase::RoomUnavailable, language, &[("room", &name)]);
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
        Resolved::Ambiguous(fitting) => which_one(&ask, &fitting, language).with_detail(Some(
            format!("room '{said}' fits {} players: asked which", fitting.len()),
        )),
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
                        ("room", &said),
                        ("rooms", &speech::list(&known, Join::And, language)),
                    ],
                )
            };
            Handled::new(ResponseEnvelope::say(text), Outcome::Spoke)
                .with_detail(Some(format!("room '{said}' fits no player")))
        }
    };
    handled.ma_ms = clock.ma_ms;
    handled
}

/// "Which speaker: A, B or C?", for players that fit a room equally well. It names at most
/// [`NAMED_AT_MOST`] names that sound different, and keeps at most [`KEPT_AT_MOST`] players for
/// the answer, each by [`kept_id`]; when more fit, it keeps none and the answer is a room among
/// all players. So the response stays small whatever the house. Players that all sound the same
/// cannot be told apart by voice: the owner hears how to fix that instead.
fn which_one(ask: &RoomAsk<'_>, fitting: &[&Player], language: Language) -> Handled {
    let mut heard: Vec<Vec<String>> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for player in fitting {
        let words = room_words(player.spoken_name(), language);
        if !heard.contains(&words) {
            heard.push(words);
            names.push(spoken(player.spoken_name()));
            if names.len() == NAMED_AT_MOST {
                break;
            }
        }
    }
    if names.len() < 2 {
        let name = names.first().map_or("", String::as_str);
        return Handled::new(
            ResponseEnvelope::say(speech::say_with(
                Phrase::SameRoomName,
                language,
                &[("room", name)],
            )),
            Outcome::Spoke,
        );
    }
    let kept = (fitting.len() <= KEPT_AT_MOST)
        .then(|| fitting.iter().map(|p| kept_id(&p.player_id)).collect());
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let text = speech::say_with(
        Phrase::WhichRoom,
        language,
        &[("rooms", &speech::list(&names, Join::Or, language))],
    );
    question(ask, kept, Phrase::WhichRoomReprompt, language).with_text(text)
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

    use Language::{Dutch, English, French, German, Italian, Portuguese, Spanish};

    #[test]
    fn room_words_drop_leading_articles_and_trailing_generic_words_per_language() {
        let cases: [(Language, &str, &[&str]); 46] = [
            (English, "the Living-Room Speaker", &["living", "room"]),
            (English, "in the living room", &["living", "room"]),
            (English, "den", &["den"]),
            (English, "the den", &["den"]),
            (English, "The Den", &["den"]),
            (English, "Room", &["room"]),
            (English, "Room A", &["room", "a"]),
            (English, "a room", &["room"]),
            (English, "a", &["a"]),
            (English, "the", &["the"]),
            (English, "the speaker", &["speaker"]),
            (English, "Office Speakers", &["office"]),
            (English, "Speaker Room", &["speaker", "room"]),
            (English, "Küche", &["kuche"]),
            (German, "den", &["den"]),
            (German, "Den", &["den"]),
            (German, "in den Keller", &["keller"]),
            (German, "in der Küche", &["kuche"]),
            (German, "im Wohnzimmer", &["wohnzimmer"]),
            (German, "Küche Lautsprecher", &["kuche"]),
            (German, "the den", &["the", "den"]),
            (German, "das", &["das"]),
            (Spanish, "la cocina", &["cocina"]),
            (Spanish, "el altavoz de la cocina", &["cocina"]),
            (Spanish, "en el salón", &["salon"]),
            (Spanish, "altavoz", &["altavoz"]),
            (Spanish, "Sala A", &["sala", "a"]),
            (Spanish, "Sala de Estar", &["sala", "de", "estar"]),
            (French, "l'entrée", &["entree"]),
            (French, "dans la cuisine", &["cuisine"]),
            (French, "l'enceinte du salon", &["salon"]),
            (French, "le", &["le"]),
            (Italian, "il soggiorno", &["soggiorno"]),
            (Italian, "nella cucina", &["cucina"]),
            (Italian, "l'ufficio", &["ufficio"]),
            (Italian, "la cassa della cucina", &["cucina"]),
            (Italian, "Il", &["il"]),
            (Dutch, "het kantoor", &["kantoor"]),
            (Dutch, "in de keuken", &["keuken"]),
            (Dutch, "Kantoor Speaker", &["kantoor"]),
            (Dutch, "De", &["de"]),
            (Portuguese, "o quarto", &["quarto"]),
            (Portuguese, "na sala", &["sala"]),
            (Portuguese, "a caixa de som da sala", &["sala"]),
            (Portuguese, "a", &["a"]),
            (Portuguese, "Sala A", &["sala", "a"]),
        ];
        for (language, name, want) in cases {
            assert_eq!(room_words(name, language), want, "{language:?} {name:?}");
        }
        assert!(room_words(" - ", English).is_empty());
    }

    #[test]
    fn a_room_named_like_an_article_of_another_language_is_found() {
        let players = vec![
            player("p1", "Den"),
            player("p2", "Room"),
            player("p3", "Room A"),
            player("p4", "Keller"),
        ];
        let none = std::collections::HashMap::new();
        let find = |spoken, language| resolve(spoken, language, &players, &none, None, None);
        let exact = |i: usize| Resolved::Found(&players[i], RoomRule::Exact);
        assert_eq!(find("den", English), exact(0));
        assert_eq!(find("the den", English), exact(0));
        assert_eq!(find("den", German), exact(0));
        assert_eq!(find("in den keller", German), exact(3));
        assert_eq!(find("room", English), exact(1));
        assert_eq!(find("the room", English), exact(1));
        assert_eq!(find("room a", English), exact(2));
        assert_eq!(find("room a", Portuguese), exact(2));
        assert_eq!(find("room a", Spanish), exact(2));
    }

    #[test]
    fn aliases_are_compared_in_the_request_language() {
        let players = vec![player("p1", "Den"), player("p2", "Kantoor")];
        let aliases: std::collections::HashMap<String, String> = [
            ("the den".to_owned(), "p2".to_owned()),
            ("het werk".to_owned(), "p2".to_owned()),
        ]
        .into();
        let find = |spoken, language| resolve(spoken, language, &players, &aliases, None, None);
        assert_eq!(
            find("den", English),
            Resolved::Found(&players[1], RoomRule::Alias)
        );
        assert_eq!(
            find("werk", Dutch),
            Resolved::Found(&players[1], RoomRule::Alias)
        );
        // In German "the" is no article: "the den" is not "den".
        assert_eq!(
            find("den", German),
            Resolved::Found(&players[0], RoomRule::Exact)
        );
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
        let find = |spoken| resolve(spoken, English, &players, &none, None, None);
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
    fn the_room_is_repeated_without_its_leading_articles() {
        assert_eq!(said_room("the living room", English), "living room");
        assert_eq!(said_room("in der Küche", German), "Küche");
        assert_eq!(said_room("den", English), "den");
        assert_eq!(said_room("den", German), "den");
        assert_eq!(said_room("het kantoor", Dutch), "kantoor");
        assert_eq!(said_room("die Küche", English), "die Küche");
        assert_eq!(said_room("the", English), "the");
        assert_eq!(said_room(" office ", English), "office");
    }

    /// The worst a "which one?" can be: every slot as long as a slot may be and made of
    /// characters JSON writes as six bytes, and every player's name and id as long.
    fn worst_question(fitting: &[&Player]) -> usize {
        let worst = "\u{1}".repeat(MediaAsk::MAX_LEN);
        let ask = MediaAsk {
            query: Some(worst.clone()),
            artist: Some(worst.clone()),
            album: Some(worst.clone()),
            track: Some(worst.clone()),
            playlist: Some(worst.clone()),
            radio: Some(worst),
            ..MediaAsk::default()
        };
        let handled = which_one(&RoomAsk::Play(&ask, PlayMode::Play), fitting, English);
        serde_json::to_vec(&handled.response)
            .expect("serializes")
            .len()
    }

    #[test]
    fn which_one_keeps_few_players_and_short_ids_whatever_the_house() {
        // 2,000 players fitting "office", each named apart: only the first three are named and
        // none kept, the answer is taken as a room like any.
        let many: Vec<Player> = (0..2000)
            .map(|i| player(&format!("media_player.office_{i}"), &format!("Office {i}")))
            .collect();
        let fitting: Vec<&Player> = many.iter().collect();
        let handled = which_one(&RoomAsk::Transfer, &fitting, English);
        let kept = handled.response.session_attributes.clone().expect("kept");
        let candidates = kept[PENDING].get("candidates");
        assert!(
            candidates.is_none(),
            "{} kept",
            candidates.and_then(Value::as_array).map_or(0, Vec::len)
        );
        assert_eq!(
            say_of(&handled),
            "Which speaker: Office 0, Office 1 or Office 2?"
        );

        // Two players whose ids are 500 KB: kept by fingerprint, and that still picks one.
        let huge = |c: &str| c.repeat(500_000);
        let two = vec![
            player(&huge("a"), "Office Left"),
            player(&huge("b"), "Office Right"),
        ];
        let fitting: Vec<&Player> = two.iter().collect();
        let handled = which_one(&RoomAsk::Transfer, &fitting, English);
        let size = serde_json::to_vec(&handled.response).expect("json").len();
        assert!(size < 2_000, "{size} bytes");
        let kept: Vec<String> = serde_json::from_value(
            handled.response.session_attributes.expect("kept")[PENDING]["candidates"].clone(),
        )
        .expect("candidates");
        assert_eq!(kept.len(), 2);
        assert!(kept
            .iter()
            .all(|k| k.starts_with("sha256:") && k.len() < 60));
        let none = std::collections::HashMap::new();
        assert_eq!(
            resolve("right", English, &two, &none, None, Some(&kept)),
            Resolved::Found(&two[1], RoomRule::Contains)
        );
        assert_eq!(
            resolve("office", English, &two, &none, None, Some(&kept[..1])),
            Resolved::Found(&two[0], RoomRule::Contains)
        );

        // The worst case stays far inside Alexa's 24 KB.
        let long_name = "\u{1}".repeat(2_000);
        let worst: Vec<Player> = (0..KEPT_AT_MOST)
            .map(|i| player(&format!("{long_name}{i}"), &format!("{i}{long_name}")))
            .collect();
        let fitting: Vec<&Player> = worst.iter().collect();
        let size = worst_question(&fitting);
        assert!(size < 16_000, "{size} bytes");
    }

    #[test]
    fn players_that_sound_the_same_are_not_offered_as_a_choice() {
        let same: Vec<Player> = (0..2000)
            .map(|i| player(&format!("media_player.office_{i}"), "Office"))
            .collect();
        let fitting: Vec<&Player> = same.iter().collect();
        let handled = which_one(&RoomAsk::Transfer, &fitting, English);
        assert!(handled.response.session_attributes.is_none());
        assert_eq!(
            say_of(&handled),
            speech::say_with(Phrase::SameRoomName, English, &[("room", "Office")])
        );
        // "Office" and "Office Speaker" sound the same; a third name is a choice again.
        let mixed = [
            player("p1", "Office"),
            player("p2", "Office Speaker"),
            player("p3", "Office Sonos"),
        ];
        let fitting: Vec<&Player> = mixed.iter().collect();
        let handled = which_one(&RoomAsk::Transfer, &fitting, English);
        assert_eq!(say_of(&handled), "Which speaker: Office or Office Sonos?");
        assert_eq!(
            handled.response.session_attributes.expect("kept")[PENDING]["candidates"],
            json!(["p1", "p2", "p3"])
        );
    }

    fn say_of(handled: &Handled) -> String {
        match &handled.response.response.output_speech {
            Some(crate::alexa::response::OutputSpeech::PlainText { text }) => text.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn edit_distance_counts_characters() {
        assert_eq!(edit_distance("kitchen", "kitchen"), 0);
        assert_eq!(edit_distance("kitchen", "kitchn"), 1);
        assert_eq!(edit_distance("küche", "kuche"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
