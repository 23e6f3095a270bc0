//! The Music Assistant client: queue control over Music Assistant's JSON-RPC API.
//!
//! `POST <MA_API_URL>/api` with `{"message_id", "command", "args"}` and
//! `Authorization: Bearer <MA_API_TOKEN>`; a success is HTTP 200 with the command's return value
//! as the body (`null` for most commands), a failure a status with a plain-text body. Only the
//! commands the skill uses are modelled, with typed requests and replies. Each failure is its
//! own [`MaError`], so the user hears what happened and the owner's log says how to fix it.
//! Music Assistant answers most failures with a bare 500; when a queue command gets one, the
//! client asks for the queue to tell "unknown queue" from everything else.
//!
//! Replies are read by the `read_*` functions, straight from the reply's bytes into the few
//! fields the skill uses: a field of another shape is unknown, never fatal; a list element the
//! skill cannot read is skipped (and logged); lists stop at a cap; and a reply the skill cannot
//! use at all is [`MaError::InvalidReply`], never an empty answer. No reply goes through a
//! `serde_json::Value`, so one costs about its own size in memory.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::ExposeSecret;
use serde::de::{DeserializeOwned, IgnoredAny, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::value::RawValue;
use serde_json::{json, Value};

use crate::authority;
use crate::deadline::Deadline;
use crate::http::{self, LazyClient, ReadError};
use crate::logging;
use crate::settings::MaSettings;
use crate::stream::QueueId;

/// The longest one Music Assistant call may take, even when the deadline allows more.
pub const MA_TIMEOUT: Duration = Duration::from_millis(3000);
/// A reply larger than this is refused (a `players/all` of a big house is a few hundred KiB).
const MAX_REPLY_BYTES: usize = 4 * 1024 * 1024;

/// What went wrong talking to Music Assistant. Messages name the host, never the token.
#[derive(Debug, thiserror::Error)]
pub enum MaError {
    /// No connection (refused, DNS, TLS) or the connection broke.
    #[error("could not reach Music Assistant at {host}")]
    Unreachable {
        /// Host and port.
        host: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// No complete answer in time.
    #[error("Music Assistant at {host} did not answer {command} within {waited_ms} ms")]
    TimedOut {
        /// Host and port.
        host: String,
        /// The command.
        command: &'static str,
        /// How long the skill waited.
        waited_ms: u64,
    },
    /// 401: the token is missing, unknown, expired or revoked.
    #[error("Music Assistant at {host} refused the token (HTTP 401): create a long-lived token in Music Assistant (Profile, Long-lived access tokens) and store it as MA_API_TOKEN")]
    Unauthorized {
        /// Host and port.
        host: String,
    },
    /// 403: the token's user may not run the command (scope, player filter, guest).
    #[error("Music Assistant at {host} does not allow {command} for this token (HTTP 403: {message}): use a token of a user who may control queues")]
    Forbidden {
        /// Host and port.
        host: String,
        /// The command.
        command: &'static str,
        /// Music Assistant's explanation.
        message: String,
    },
    /// 503: the server has no users yet.
    #[error("Music Assistant at {host} is not set up yet (HTTP 503): finish its onboarding first")]
    SetupRequired {
        /// Host and port.
        host: String,
    },
    /// The queue the request is about does not exist (any more).
    #[error("Music Assistant at {host} has no queue '{queue}'")]
    UnknownQueue {
        /// Host and port.
        host: String,
        /// The queue id.
        queue: String,
    },
    /// Any other failure status.
    #[error("Music Assistant at {host} answered {command} with HTTP {status}: {message}")]
    Failed {
        /// Host and port.
        host: String,
        /// The command.
        command: &'static str,
        /// The status code.
        status: u16,
        /// The start of Music Assistant's explanation.
        message: String,
    },
    /// The reply is not the JSON the command returns.
    #[error("Music Assistant at {host} answered {command} with unexpected JSON: {reason}")]
    InvalidReply {
        /// Host and port.
        host: String,
        /// The command.
        command: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// The HTTP client could not be built (TLS set-up failed).
    #[error("the HTTP client could not be set up: {0}")]
    Client(String),
}

impl MaError {
    /// A short stable name for log lines and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "ma_unreachable",
            Self::TimedOut { .. } => "ma_timeout",
            Self::Unauthorized { .. } => "ma_unauthorized",
            Self::Forbidden { .. } => "ma_forbidden",
            Self::SetupRequired { .. } => "ma_setup_required",
            Self::UnknownQueue { .. } => "ma_unknown_queue",
            Self::Failed { .. } => "ma_failed",
            Self::InvalidReply { .. } => "ma_invalid_reply",
            Self::Client(_) => "http_client",
        }
    }
}

/// A queue command the skill sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueCommand {
    /// `player_queues/play_media` of these URIs, replacing the queue; `radio` turns on Music
    /// Assistant's radio mode (endless similar music seeded with them).
    PlayMedia {
        /// Media URIs (`library://album/7`, `spotify://track/…`).
        media: Vec<String>,
        /// Radio mode.
        radio: bool,
    },
    /// `player_queues/next`.
    Next,
    /// `player_queues/play_index` at a position.
    PlayIndex(u64),
    /// `player_queues/shuffle`.
    Shuffle(bool),
    /// `player_queues/repeat`.
    Repeat(RepeatMode),
    /// `player_queues/transfer` of this queue to `to`, playing on there.
    Transfer {
        /// The queue that takes over.
        to: QueueId,
    },
    /// `player_queues/pause`.
    Pause,
    /// `player_queues/stop`.
    Stop,
    /// `player_queues/resume`.
    Resume,
    /// `players/cmd/volume_set` of the queue's player (a queue's id is its player's id), 0–100.
    VolumeSet(u8),
    /// `players/cmd/volume_up` of the queue's player, by the player's own step.
    VolumeUp,
    /// `players/cmd/volume_down`.
    VolumeDown,
}

/// `repeat_mode` of `player_queues/repeat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RepeatMode {
    /// No repeat.
    Off,
    /// The current item.
    One,
    /// The whole queue.
    All,
}

impl QueueCommand {
    /// The command name (`player_queues/next`) and its arguments for `queue`.
    pub fn request(&self, queue: &QueueId) -> (&'static str, Value) {
        let queue_id = queue.as_str();
        match self {
            Self::PlayMedia { media, radio } => (
                "player_queues/play_media",
                json!({
                    "queue_id": queue_id,
                    "media": media,
                    "option": "replace",
                    "radio_mode": radio,
                }),
            ),
            Self::Next => ("player_queues/next", json!({ "queue_id": queue_id })),
            Self::PlayIndex(index) => (
                "player_queues/play_index",
                json!({ "queue_id": queue_id, "index": index }),
            ),
            Self::Shuffle(enabled) => (
                "player_queues/shuffle",
                json!({ "queue_id": queue_id, "shuffle_enabled": enabled }),
            ),
            Self::Repeat(mode) => (
                "player_queues/repeat",
                json!({ "queue_id": queue_id, "repeat_mode": mode }),
            ),
            Self::Transfer { to } => (
                "player_queues/transfer",
                json!({ "source_queue_id": queue_id, "target_queue_id": to.as_str(), "auto_play": true }),
            ),
            Self::Pause => ("player_queues/pause", json!({ "queue_id": queue_id })),
            Self::Stop => ("player_queues/stop", json!({ "queue_id": queue_id })),
            Self::Resume => ("player_queues/resume", json!({ "queue_id": queue_id })),
            Self::VolumeSet(level) => (
                "players/cmd/volume_set",
                json!({ "player_id": queue_id, "volume_level": level }),
            ),
            Self::VolumeUp => ("players/cmd/volume_up", json!({ "player_id": queue_id })),
            Self::VolumeDown => ("players/cmd/volume_down", json!({ "player_id": queue_id })),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading Music Assistant's replies
//
// Every reply type below reads only what the skill uses, and a field it does not need, or
// reads in a shape it did not expect (a number for a string, an object for a list, null), never
// drops the item: that field is simply unknown. Lists are read one element at a time, straight
// from the reply's text: an element the skill cannot use is skipped without being buffered, and
// a list stops collecting at its cap and skips the rest. Nothing goes through a
// `serde_json::Value`, so a reply costs about its own size in memory, not ten times that.
//
// Because fields are read from the text in place (`&RawValue`), these types are read with
// `serde_json::from_slice` / `from_str` (or the `read_*` functions), not from a `Value`.
// ---------------------------------------------------------------------------------------------

/// `T` when the value reads as one, else `None` (a missing, `null` or differently shaped value).
fn loose<'de, D, T>(de: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let raw = <&'de RawValue>::deserialize(de)?;
    Ok(serde_json::from_str(raw.get()).ok())
}

/// A text field, empty when absent or not text.
fn loose_text<'de, D: Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    Ok(loose::<D, String>(de)?.unwrap_or_default())
}

/// At most this many artists are kept per item (the skill names the first).
const MAX_ARTISTS: usize = 8;

/// A list field's usable items (at most [`MAX_ARTISTS`]); anything but a list is none.
fn loose_artists<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<Named>, D::Error> {
    let raw = <&'de RawValue>::deserialize(de)?;
    Ok(usable_list(raw, MAX_ARTISTS, |_: &Named| true).value)
}

/// What the skill read from a reply, and how many list elements it left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Read<T> {
    /// What was read: for a list, its usable items in the reply's order.
    pub value: T,
    /// Elements that could not be read, or lacked what the skill needs.
    pub unusable: usize,
    /// Elements past a list's cap, skipped unread.
    pub beyond_cap: usize,
}

/// Reads a JSON list element by element: each element that reads as a `T` for which `keep` is
/// true is kept, up to `cap`; the others are counted, never buffered.
struct ListVisitor<T, F> {
    cap: usize,
    keep: F,
    item: PhantomData<T>,
}

impl<'de, T, F> Visitor<'de> for ListVisitor<T, F>
where
    T: DeserializeOwned,
    F: Fn(&T) -> bool,
{
    type Value = Read<Vec<T>>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Read<Vec<T>>, A::Error> {
        let mut listed: Read<Vec<T>> = Read::default();
        while listed.value.len() < self.cap {
            let Some(raw) = seq.next_element::<&'de RawValue>()? else {
                return Ok(listed);
            };
            match serde_json::from_str::<T>(raw.get()) {
                Ok(item) if (self.keep)(&item) => listed.value.push(item),
                _ => listed.unusable += 1,
            }
        }
        while seq.next_element::<IgnoredAny>()?.is_some() {
            listed.beyond_cap += 1;
        }
        Ok(listed)
    }
}

/// The usable items of `raw` when it is a list; nothing when it is anything else.
fn usable_list<T: DeserializeOwned>(
    raw: &RawValue,
    cap: usize,
    keep: impl Fn(&T) -> bool,
) -> Read<Vec<T>> {
    let visitor = ListVisitor {
        cap,
        keep,
        item: PhantomData,
    };
    serde_json::Deserializer::from_str(raw.get())
        .deserialize_seq(visitor)
        .unwrap_or_default()
}

/// Why a reply cannot be used at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct UnusableReply(String);

impl From<serde_json::Error> for UnusableReply {
    fn from(e: serde_json::Error) -> Self {
        Self(e.to_string())
    }
}

/// A reply that must be a list (`players/all`, `music/tracks/library_items`): its usable items.
/// Anything but a list (or `null` where `null_is_empty`) is unusable, and so is a list none of
/// whose elements could be used: that is an incompatible server, not an empty one.
fn read_list<T: DeserializeOwned>(
    body: &[u8],
    what: &str,
    cap: usize,
    null_is_empty: bool,
    keep: impl Fn(&T) -> bool,
) -> Result<Read<Vec<T>>, UnusableReply> {
    if null_is_empty && body.trim_ascii() == b"null" {
        return Ok(Read::default());
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let visitor = ListVisitor {
        cap,
        keep,
        item: PhantomData,
    };
    let listed = de
        .deserialize_seq(visitor)
        .map_err(|e| UnusableReply(format!("not a list of {what}: {e}")))?;
    de.end()?;
    if listed.value.is_empty() && listed.unusable > 0 {
        return Err(UnusableReply(format!(
            "none of its {} {what} could be read",
            listed.unusable
        )));
    }
    Ok(listed)
}

/// At most this many players are read from `players/all` (a big house has a few dozen).
pub const MAX_PLAYERS: usize = 1000;

/// A `players/all` reply: the players the skill can use. A player the skill cannot read (no
/// text `player_id`, or not an object) is left out and counted.
pub fn read_players(body: &[u8]) -> Result<Read<Vec<Player>>, UnusableReply> {
    read_list(body, "players", MAX_PLAYERS, false, |p: &Player| {
        !p.player_id.trim().is_empty()
    })
}

/// Refuses a reply that is neither an object nor `null` (serde would read a list as an object
/// whose fields are all missing).
fn object_or_null(body: &[u8], what: &str) -> Result<(), UnusableReply> {
    let body = body.trim_ascii_start();
    if body.starts_with(b"{") || body.starts_with(b"null") {
        Ok(())
    } else {
        Err(UnusableReply(format!("not {what}")))
    }
}

/// A `player_queues/get` reply: the queue, or `None` (`null`) when there is no such queue.
pub fn read_queue(body: &[u8]) -> Result<Option<PlayerQueue>, UnusableReply> {
    object_or_null(body, "a queue")?;
    Ok(serde_json::from_slice(body)?)
}

/// A `music/search` reply (`null` from old servers: nothing found). The results are unusable
/// when items were found but none of them could be read.
pub fn read_search(body: &[u8]) -> Result<Read<SearchResults>, UnusableReply> {
    object_or_null(body, "search results")?;
    let Some(reply) = serde_json::from_slice::<Option<SearchReply>>(body)? else {
        return Ok(Read::default());
    };
    let unusable = reply.unusable();
    let beyond_cap = reply.beyond_cap();
    let results = SearchResults::from(reply);
    if unusable > 0 && MediaType::ALL.iter().all(|t| results.of(*t).is_empty()) {
        return Err(UnusableReply(format!(
            "none of the {unusable} items it found could be read"
        )));
    }
    Ok(Read {
        value: results,
        unusable,
        beyond_cap,
    })
}

/// A `music/tracks/library_items` reply (`null` from old servers: none): the first
/// [`MAX_FAVORITE_TRACKS`] songs with a URI; the rest is skipped unread, whatever the server
/// sends.
pub fn read_favorite_tracks(body: &[u8]) -> Result<Read<Vec<SearchItem>>, UnusableReply> {
    read_list(
        body,
        "songs",
        MAX_FAVORITE_TRACKS,
        true,
        |t: &SearchItem| !t.uri.trim().is_empty(),
    )
}

/// At most this many providers are read from `providers` (a server has a few dozen).
pub const MAX_PROVIDERS: usize = 500;
/// At most this many features are read of one provider (Music Assistant has about sixty).
const MAX_FEATURES: usize = 200;

/// A `providers` reply: the provider instances the skill can read (one that is not an object is
/// left out and counted).
pub fn read_providers(body: &[u8]) -> Result<Read<Vec<ProviderInstance>>, UnusableReply> {
    read_list(
        body,
        "providers",
        MAX_PROVIDERS,
        false,
        |_: &ProviderInstance| true,
    )
}

/// When Music Assistant's interface hides a player: `hide_player_in_ui`, a list of options
/// (`["when_unavailable", "when_synced", "when_group_active"]`, or `["always"]`). Servers from
/// March 2025 let the owner pick the options; since January 2026 the list only mirrors
/// `hide_in_ui` (`["always"]` when set, else that default). Also read: a bare `true` or `false`,
/// as some clients send it. Unknown options mean "never", as in Music Assistant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HideOptions {
    /// `always`: hidden, whatever its state.
    pub always: bool,
    /// `when_unavailable`: hidden while not available.
    pub when_unavailable: bool,
    /// `when_synced`: hidden while synced to another player (`synced_to`).
    pub when_synced: bool,
    /// `when_group_active`: hidden while a group it belongs to plays (`active_group`).
    pub when_group_active: bool,
    /// `when_off`: hidden while powered off.
    pub when_off: bool,
}

impl<'de> Deserialize<'de> for HideOptions {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        struct Options;
        impl<'de> Visitor<'de> for Options {
            type Value = HideOptions;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of hide options, or a boolean")
            }

            fn visit_bool<E>(self, always: bool) -> Result<HideOptions, E> {
                Ok(HideOptions {
                    always,
                    ..HideOptions::default()
                })
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<HideOptions, A::Error> {
                let mut options = HideOptions::default();
                while let Some(raw) = seq.next_element::<&'de RawValue>()? {
                    let Ok(option) = serde_json::from_str::<&str>(raw.get()) else {
                        continue;
                    };
                    match option {
                        "always" => options.always = true,
                        "when_unavailable" => options.when_unavailable = true,
                        "when_synced" => options.when_synced = true,
                        "when_group_active" => options.when_group_active = true,
                        "when_off" => options.when_off = true,
                        _ => {}
                    }
                }
                Ok(options)
            }
        }
        de.deserialize_any(Options)
    }
}

/// A player, as `players/all` describes it (only what the skill reads). Every field is read
/// loosely: unknown (or empty) when missing or of another shape; [`read_players`] leaves out a
/// player without a `player_id`. Like every reply type here, read from JSON text, not a `Value`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Player {
    /// The player id; for the Alexa provider, the Echo's name.
    #[serde(default, deserialize_with = "loose_text")]
    pub player_id: String,
    /// The provider instance (`alexa`, `sonos--Vx3b8RtL`).
    #[serde(default, deserialize_with = "loose_text")]
    pub provider: String,
    /// `playing`, `paused`, `idle` (every server sends it; newer ones also `playback_state`).
    #[serde(default, deserialize_with = "loose")]
    pub state: Option<String>,
    /// Newer servers' name for `state`.
    #[serde(default, deserialize_with = "loose")]
    pub playback_state: Option<String>,
    /// The queue feeding the player, when Music Assistant is the source.
    #[serde(default, deserialize_with = "loose")]
    pub active_source: Option<String>,
    /// The name the owner gave it ("Living Room Sonos"); on older servers the provider's name.
    #[serde(default, deserialize_with = "loose")]
    pub display_name: Option<String>,
    /// The provider's name (older servers: `display_name` is the owner's).
    #[serde(default, deserialize_with = "loose")]
    pub name: Option<String>,
    /// Whether it can play now (`false`: switched off, unplugged, unreachable).
    #[serde(default, deserialize_with = "loose")]
    pub available: Option<bool>,
    /// Whether the owner enabled it in Music Assistant.
    #[serde(default, deserialize_with = "loose")]
    pub enabled: Option<bool>,
    /// Whether it is switched on (`false`: off; for `when_off`).
    #[serde(default, deserialize_with = "loose")]
    pub powered: Option<bool>,
    /// Hidden from Music Assistant's interface by its owner (servers since January 2026).
    #[serde(default, deserialize_with = "loose")]
    pub hide_in_ui: Option<bool>,
    /// The same on servers before March 2025.
    #[serde(default, deserialize_with = "loose")]
    pub hidden: Option<bool>,
    /// When the interface hides it (see [`HideOptions`]).
    #[serde(default, deserialize_with = "loose")]
    pub hide_player_in_ui: Option<HideOptions>,
    /// The player it is synced to (its sync leader), if any.
    #[serde(default, deserialize_with = "loose")]
    pub synced_to: Option<String>,
    /// The group player playing through it, if any.
    #[serde(default, deserialize_with = "loose")]
    pub active_group: Option<String>,
    /// A player of one device (a web or app client) or an internal one, never offered to
    /// anyone else as a place to play.
    #[serde(default, deserialize_with = "loose")]
    pub private: Option<bool>,
}

impl Player {
    /// Whether the player is playing right now.
    pub fn is_playing(&self) -> bool {
        self.state.as_deref().or(self.playback_state.as_deref()) == Some("playing")
    }

    /// Whether it belongs to Music Assistant's Alexa provider.
    pub fn is_alexa(&self) -> bool {
        self.provider == "alexa" || self.provider.starts_with("alexa--")
    }

    /// The name people know it by: the owner's name, else the provider's, else its id.
    pub fn spoken_name(&self) -> &str {
        [&self.display_name, &self.name]
            .into_iter()
            .flatten()
            .map(|n| n.trim())
            .find(|n| !n.is_empty())
            .unwrap_or(&self.player_id)
    }

    /// Whether it can play now (servers that do not say: yes).
    pub fn is_available(&self) -> bool {
        self.available.unwrap_or(true)
    }

    /// Whether the skill offers it as a room at all: enabled, not hidden by its owner (`always`,
    /// `hide_in_ui`, the older `hidden`), and not private to one device (servers that do not
    /// say: yes).
    pub fn is_listed(&self) -> bool {
        let hidden = self.hide_in_ui == Some(true)
            || self.hidden == Some(true)
            || self.hide_player_in_ui.is_some_and(|h| h.always);
        self.enabled.unwrap_or(true) && !hidden && self.private != Some(true)
    }

    /// Whether Music Assistant's interface hides it for now, by one of its conditions: while
    /// unavailable (`when_unavailable`), synced to another player (`when_synced`), part of a
    /// playing group (`when_group_active`) or off (`when_off`). Such a player is still found
    /// by its exact name, but never guessed nor suggested.
    pub fn hidden_for_now(&self) -> bool {
        let Some(hide) = self.hide_player_in_ui else {
            return false;
        };
        let set = |value: &Option<String>| value.as_deref().is_some_and(|v| !v.trim().is_empty());
        (hide.when_unavailable && !self.is_available())
            || (hide.when_synced && set(&self.synced_to))
            || (hide.when_group_active && set(&self.active_group))
            || (hide.when_off && self.powered == Some(false))
    }
}

/// A queue, as `player_queues/get` describes it (only what the skill reads, loosely).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PlayerQueue {
    /// The queue id.
    #[serde(default, deserialize_with = "loose_text")]
    pub queue_id: String,
    /// Position of the current item.
    #[serde(default, deserialize_with = "loose")]
    pub current_index: Option<u64>,
    /// How many items the queue holds (older servers may not say).
    #[serde(default, deserialize_with = "loose")]
    pub items: Option<u64>,
    /// `off`, `one` or `all`.
    #[serde(default, deserialize_with = "loose")]
    pub repeat_mode: Option<String>,
    /// The current item.
    #[serde(default, deserialize_with = "loose")]
    pub current_item: Option<QueueItem>,
}

impl PlayerQueue {
    /// Whether the queue holds nothing (only when the server says how many items it holds).
    pub fn is_empty(&self) -> bool {
        self.items == Some(0)
    }

    /// Whether "next" has nowhere to go: the current item is the last one and the queue does
    /// not repeat as a whole. Music Assistant then answers `next` with success and does nothing.
    pub fn at_last_item(&self) -> bool {
        match (self.items, self.current_index) {
            (Some(items), Some(index)) => {
                index.saturating_add(1) >= items && self.repeat_mode.as_deref() != Some("all")
            }
            _ => false,
        }
    }
}

/// A queue item (only what the skill reads, loosely).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct QueueItem {
    /// "Artist - Title" for tracks.
    #[serde(default, deserialize_with = "loose")]
    pub name: Option<String>,
    /// The full media item.
    #[serde(default, deserialize_with = "loose")]
    pub media_item: Option<MediaItem>,
    /// Its length in seconds, when Music Assistant knows it (radio streams have none).
    #[serde(default, deserialize_with = "loose")]
    pub duration: Option<u64>,
}

/// A media item (only what the skill reads, loosely).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MediaItem {
    /// The title.
    #[serde(default, deserialize_with = "loose")]
    pub name: Option<String>,
    /// The artists (the first few).
    #[serde(default, deserialize_with = "loose_artists")]
    pub artists: Vec<Named>,
    /// The album.
    #[serde(default, deserialize_with = "loose")]
    pub album: Option<Named>,
}

/// Anything with a name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Named {
    /// The name.
    #[serde(default, deserialize_with = "loose")]
    pub name: Option<String>,
}

/// Title, artist and album of what is playing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NowPlaying {
    /// Track title.
    pub title: Option<String>,
    /// First artist.
    pub artist: Option<String>,
    /// Album.
    pub album: Option<String>,
}

impl QueueItem {
    /// What the item says about itself.
    pub fn now_playing(&self) -> NowPlaying {
        let clean = |s: Option<&String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
        match &self.media_item {
            Some(item) => NowPlaying {
                title: clean(item.name.as_ref()).or_else(|| clean(self.name.as_ref())),
                artist: clean(item.artists.first().and_then(|a| a.name.as_ref())),
                album: clean(item.album.as_ref().and_then(|a| a.name.as_ref())),
            },
            None => NowPlaying {
                title: clean(self.name.as_ref()),
                ..NowPlaying::default()
            },
        }
    }
}

/// A kind of media Music Assistant searches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MediaType {
    /// Artists.
    Artist,
    /// Albums.
    Album,
    /// Songs.
    Track,
    /// Playlists.
    Playlist,
    /// Radio stations.
    Radio,
}

impl MediaType {
    /// Every kind the skill searches.
    pub const ALL: [Self; 5] = [
        Self::Artist,
        Self::Album,
        Self::Track,
        Self::Playlist,
        Self::Radio,
    ];
}

/// How many results per media type the skill asks `music/search` for.
pub const SEARCH_LIMIT: usize = 10;
/// How many results per media type are read at most, for servers that ignore the limit.
const MAX_RESULTS_PER_TYPE: usize = 5 * SEARCH_LIMIT;

/// The answer of `music/search` (only what the skill reads): per media type, the items with a
/// name and a URI, in Music Assistant's order. Read it with [`read_search`] (or from JSON text).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(from = "SearchReply")]
pub struct SearchResults {
    /// Artists, in Music Assistant's order (best first).
    pub artists: Vec<SearchItem>,
    /// Albums.
    pub albums: Vec<SearchItem>,
    /// Songs.
    pub tracks: Vec<SearchItem>,
    /// Playlists.
    pub playlists: Vec<SearchItem>,
    /// Radio stations (Music Assistant's key is singular).
    pub radio: Vec<SearchItem>,
}

impl SearchResults {
    /// The items of one media type.
    pub fn of(&self, media_type: MediaType) -> &[SearchItem] {
        match media_type {
            MediaType::Artist => &self.artists,
            MediaType::Album => &self.albums,
            MediaType::Track => &self.tracks,
            MediaType::Playlist => &self.playlists,
            MediaType::Radio => &self.radio,
        }
    }
}

/// `music/search`'s reply as it arrives: each list with what it left out.
#[derive(Deserialize)]
struct SearchReply {
    #[serde(default, deserialize_with = "found")]
    artists: Read<Vec<SearchItem>>,
    #[serde(default, deserialize_with = "found")]
    albums: Read<Vec<SearchItem>>,
    #[serde(default, deserialize_with = "found")]
    tracks: Read<Vec<SearchItem>>,
    #[serde(default, deserialize_with = "found")]
    playlists: Read<Vec<SearchItem>>,
    #[serde(default, deserialize_with = "found")]
    radio: Read<Vec<SearchItem>>,
}

impl SearchReply {
    fn lists(&self) -> [&Read<Vec<SearchItem>>; 5] {
        [
            &self.artists,
            &self.albums,
            &self.tracks,
            &self.playlists,
            &self.radio,
        ]
    }

    fn unusable(&self) -> usize {
        self.lists().iter().map(|l| l.unusable).sum()
    }

    fn beyond_cap(&self) -> usize {
        self.lists().iter().map(|l| l.beyond_cap).sum()
    }
}

impl From<SearchReply> for SearchResults {
    fn from(reply: SearchReply) -> Self {
        Self {
            artists: reply.artists.value,
            albums: reply.albums.value,
            tracks: reply.tracks.value,
            playlists: reply.playlists.value,
            radio: reply.radio.value,
        }
    }
}

/// One media type's results: the items with a name and a URI.
fn found<'de, D: Deserializer<'de>>(de: D) -> Result<Read<Vec<SearchItem>>, D::Error> {
    let raw = <&'de RawValue>::deserialize(de)?;
    Ok(usable_list(raw, MAX_RESULTS_PER_TYPE, |i: &SearchItem| {
        !i.name.trim().is_empty() && !i.uri.trim().is_empty()
    }))
}

/// A found media item, full or an `ItemMapping` (only what the skill reads, loosely).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SearchItem {
    /// Its name ("Kind of Blue").
    #[serde(default, deserialize_with = "loose_text")]
    pub name: String,
    /// What `play_media` takes (`library://album/7`).
    #[serde(default, deserialize_with = "loose_text")]
    pub uri: String,
    /// `library` for items in the user's library, else the provider instance.
    #[serde(default, deserialize_with = "loose_text")]
    pub provider: String,
    /// A version, such as "Remastered".
    #[serde(default, deserialize_with = "loose")]
    pub version: Option<String>,
    /// The artists (albums and songs; the first few).
    #[serde(default, deserialize_with = "loose_artists")]
    pub artists: Vec<Named>,
}

impl SearchItem {
    /// Whether the item is in the user's library.
    pub fn in_library(&self) -> bool {
        self.provider == "library" || self.uri.starts_with("library://")
    }

    /// The first artist's name.
    pub fn artist(&self) -> Option<&str> {
        self.artists
            .iter()
            .filter_map(|a| a.name.as_deref())
            .map(str::trim)
            .find(|n| !n.is_empty())
    }
}

/// A provider instance, as `providers` describes it (only what the skill reads, loosely:
/// unknown when missing or of another shape).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ProviderInstance {
    /// The instance id (`spotify--Rb8g3YwE`).
    #[serde(default, deserialize_with = "loose")]
    pub instance_id: Option<String>,
    /// Whether it is loaded and working (servers that do not say: yes).
    #[serde(default, deserialize_with = "loose")]
    pub available: Option<bool>,
    /// What it can do (`search`, `similar_tracks`, …); entries that are not text are left out.
    #[serde(default, deserialize_with = "feature_names")]
    pub supported_features: Vec<String>,
}

impl ProviderInstance {
    /// Whether it can hand Music Assistant similar tracks now: available, with the
    /// `similar_tracks` feature.
    pub fn offers_similar_tracks(&self) -> bool {
        self.available.unwrap_or(true)
            && self
                .supported_features
                .iter()
                .any(|f| f == "similar_tracks")
    }
}

/// A list of feature names (at most [`MAX_FEATURES`]); anything but a list is none.
fn feature_names<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    let raw = <&'de RawValue>::deserialize(de)?;
    Ok(usable_list(raw, MAX_FEATURES, |_: &String| true).value)
}

/// How many favourite songs "play my favorites" queues at most.
pub const MAX_FAVORITE_TRACKS: usize = 250;

/// What the skill asks Music Assistant. [`MaClient`] is the real one.
pub trait MusicAssistant {
    /// `player_queues/get`: the queue, or `None` when Music Assistant has no such queue.
    fn queue(
        &self,
        ma: &MaSettings,
        queue: &QueueId,
        deadline: Deadline,
    ) -> impl Future<Output = Result<Option<PlayerQueue>, MaError>> + Send;

    /// `players/all`.
    fn players(
        &self,
        ma: &MaSettings,
        deadline: Deadline,
    ) -> impl Future<Output = Result<Vec<Player>, MaError>> + Send;

    /// Sends `command` to `queue`.
    fn send(
        &self,
        ma: &MaSettings,
        queue: &QueueId,
        command: &QueueCommand,
        deadline: Deadline,
    ) -> impl Future<Output = Result<(), MaError>> + Send;

    /// `music/search` for `query` among `types`.
    fn search(
        &self,
        ma: &MaSettings,
        query: &str,
        types: &[MediaType],
        deadline: Deadline,
    ) -> impl Future<Output = Result<SearchResults, MaError>> + Send;

    /// `music/tracks/library_items` of the favourite songs (at most [`MAX_FAVORITE_TRACKS`]).
    fn favorite_tracks(
        &self,
        ma: &MaSettings,
        deadline: Deadline,
    ) -> impl Future<Output = Result<Vec<SearchItem>, MaError>> + Send;

    /// `players/add_currently_playing_to_favorites` on `player`.
    fn add_to_favorites(
        &self,
        ma: &MaSettings,
        player: &QueueId,
        deadline: Deadline,
    ) -> impl Future<Output = Result<(), MaError>> + Send;

    /// `providers`: every loaded provider instance, of every type.
    fn providers(
        &self,
        ma: &MaSettings,
        deadline: Deadline,
    ) -> impl Future<Output = Result<Vec<ProviderInstance>, MaError>> + Send;
}

/// A failed queue command's error, told apart: Music Assistant answers an unknown queue with a
/// bare 500, so on a 500 `music_assistant` is asked whether the queue exists, and when it does
/// not the error is [`MaError::UnknownQueue`]. Any [`MusicAssistant`] sends its commands through
/// this.
pub async fn told_apart<M: MusicAssistant>(
    music_assistant: &M,
    ma: &MaSettings,
    queue: &QueueId,
    error: MaError,
    deadline: Deadline,
) -> MaError {
    if matches!(error, MaError::Failed { status: 500, .. })
        && matches!(music_assistant.queue(ma, queue, deadline).await, Ok(None))
    {
        return MaError::UnknownQueue {
            host: authority(&ma.base),
            queue: queue.as_str().to_owned(),
        };
    }
    error
}

/// Music Assistant over HTTP. One per container: its connection pool is reused across warm
/// invocations, and the HTTP client itself is only built when a request first needs it.
#[derive(Debug, Default)]
pub struct MaClient {
    http: LazyClient,
    next_message_id: AtomicU64,
}

#[derive(Serialize)]
struct RpcRequest<'a> {
    message_id: String,
    command: &'a str,
    args: &'a Value,
}

/// The most of a reply's own text a log line or error quotes.
fn scrub(ma: &MaSettings, text: &str) -> String {
    logging::scrubbed(
        text.trim(),
        &[ma.token.expose_secret()],
        logging::MAX_FIELD_CHARS,
    )
}

impl MaClient {
    /// A client; nothing is built until the first request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs one command and reads its successful reply with `read`. A reply `read` refuses is
    /// [`MaError::InvalidReply`]; items it left out are logged, with how many.
    async fn call<T>(
        &self,
        ma: &MaSettings,
        command: &'static str,
        args: &Value,
        deadline: Deadline,
        read: impl FnOnce(&[u8]) -> Result<T, UnusableReply>,
    ) -> Result<T, MaError> {
        let reply = self.reply(ma, command, args, deadline).await?;
        read(&reply).map_err(|e| MaError::InvalidReply {
            host: authority(&ma.base),
            command,
            reason: scrub(ma, &e.to_string()),
        })
    }

    /// Runs one command whose reply holds lists, and logs the elements `read` left out.
    async fn call_lists<T>(
        &self,
        ma: &MaSettings,
        command: &'static str,
        args: &Value,
        deadline: Deadline,
        read: impl FnOnce(&[u8]) -> Result<Read<T>, UnusableReply>,
    ) -> Result<T, MaError> {
        let read = self.call(ma, command, args, deadline, read).await?;
        if read.unusable > 0 || read.beyond_cap > 0 {
            tracing::warn!(
                command,
                host = %authority(&ma.base),
                unusable = read.unusable,
                beyond_cap = read.beyond_cap,
                "Music Assistant's reply held items the skill left out (unreadable, or past its cap)"
            );
        }
        Ok(read.value)
    }

    /// Runs one command: its reply body when the status is a success and the body is not a
    /// JSON-RPC error object.
    async fn reply(
        &self,
        ma: &MaSettings,
        command: &'static str,
        args: &Value,
        deadline: Deadline,
    ) -> Result<Vec<u8>, MaError> {
        let host = authority(&ma.base);
        let timeout = http::budget(MA_TIMEOUT, deadline).map_err(|left| MaError::TimedOut {
            host: host.clone(),
            command,
            waited_ms: http::millis(left),
        })?;
        let timed_out = || MaError::TimedOut {
            host: host.clone(),
            command,
            waited_ms: http::millis(timeout),
        };
        let url = ma
            .base
            .join("api")
            .map_err(|e| MaError::Client(e.to_string()))?;
        let message_id = self.next_message_id.fetch_add(1, Ordering::Relaxed) + 1;
        let body = RpcRequest {
            message_id: message_id.to_string(),
            command,
            args,
        };
        let body = serde_json::to_vec(&body).map_err(|e| MaError::Client(e.to_string()))?;
        let mut token =
            reqwest::header::HeaderValue::try_from(format!("Bearer {}", ma.token.expose_secret()))
                .map_err(|_| MaError::Client("MA_API_TOKEN is not a valid header value".into()))?;
        token.set_sensitive(true);
        let transport = |source: reqwest::Error| {
            if source.is_timeout() {
                timed_out()
            } else {
                MaError::Unreachable {
                    host: host.clone(),
                    source,
                }
            }
        };
        let mut response = self
            .http
            .get()
            .map_err(MaError::Client)?
            .post(url)
            .timeout(timeout)
            .header(reqwest::header::AUTHORIZATION, token)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        let reply = match http::read_capped(&mut response, MAX_REPLY_BYTES).await {
            Ok(reply) => reply,
            Err(ReadError::Transport(e)) => return Err(transport(e)),
            Err(ReadError::TooLarge(max)) => {
                return Err(MaError::InvalidReply {
                    host,
                    command,
                    reason: format!("the reply is larger than {max} bytes"),
                })
            }
        };
        // Music Assistant's own words go to the log: without the token, should a hostile server
        // echo the request's Authorization header, and capped.
        let message = || scrub(ma, &String::from_utf8_lossy(&reply));
        match status {
            200..=299 => match rpc_error(&reply) {
                // A JSON-RPC error object with a success status is still an error.
                Some((code, details)) => Err(MaError::Failed {
                    host,
                    command,
                    status,
                    message: scrub(ma, &format!("error_code {code}: {details}")),
                }),
                None => Ok(reply),
            },
            401 => Err(MaError::Unauthorized { host }),
            403 => Err(MaError::Forbidden {
                host,
                command,
                message: message(),
            }),
            503 => Err(MaError::SetupRequired { host }),
            _ => Err(MaError::Failed {
                host,
                command,
                status,
                message: message(),
            }),
        }
    }
}

/// Whether a key was there at all (even as `null`).
#[derive(Default)]
struct Present(bool);

impl<'de> Deserialize<'de> for Present {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        IgnoredAny::deserialize(de).map(|_| Self(true))
    }
}

/// A JSON-RPC error object, `{"message_id", "error_code", "details"}`, which some servers and
/// proxies send with a success status; every other key is skipped unread.
#[derive(Deserialize)]
struct RpcErrorObject<'a> {
    #[serde(default, borrow)]
    error_code: Option<&'a RawValue>,
    #[serde(default, borrow)]
    details: Option<&'a RawValue>,
    #[serde(default)]
    message_id: Present,
}

/// The `error_code` and `details` of `reply` when it is a JSON-RPC error object: an object with
/// a non-null `error_code` and a `details` or `message_id` key.
fn rpc_error(reply: &[u8]) -> Option<(String, String)> {
    if reply.trim_ascii_start().first() != Some(&b'{') {
        return None;
    }
    let object: RpcErrorObject = serde_json::from_slice(reply).ok()?;
    let code = object.error_code?;
    if !(object.details.is_some() || object.message_id.0) {
        return None;
    }
    let details = object
        .details
        .and_then(|d| serde_json::from_str::<String>(d.get()).ok())
        .unwrap_or_default();
    Some((code.get().to_owned(), details))
}

impl MusicAssistant for MaClient {
    async fn queue(
        &self,
        ma: &MaSettings,
        queue: &QueueId,
        deadline: Deadline,
    ) -> Result<Option<PlayerQueue>, MaError> {
        let args = json!({ "queue_id": queue.as_str() });
        self.call(ma, "player_queues/get", &args, deadline, read_queue)
            .await
    }

    async fn players(&self, ma: &MaSettings, deadline: Deadline) -> Result<Vec<Player>, MaError> {
        self.call_lists(ma, "players/all", &json!({}), deadline, read_players)
            .await
    }

    async fn send(
        &self,
        ma: &MaSettings,
        queue: &QueueId,
        command: &QueueCommand,
        deadline: Deadline,
    ) -> Result<(), MaError> {
        let (name, args) = command.request(queue);
        match self.call(ma, name, &args, deadline, read_any).await {
            Ok(()) => Ok(()),
            Err(error) => Err(told_apart(self, ma, queue, error, deadline).await),
        }
    }

    async fn search(
        &self,
        ma: &MaSettings,
        query: &str,
        types: &[MediaType],
        deadline: Deadline,
    ) -> Result<SearchResults, MaError> {
        let args = json!({ "search_query": query, "media_types": types, "limit": SEARCH_LIMIT });
        self.call_lists(ma, "music/search", &args, deadline, read_search)
            .await
    }

    async fn favorite_tracks(
        &self,
        ma: &MaSettings,
        deadline: Deadline,
    ) -> Result<Vec<SearchItem>, MaError> {
        let args = json!({ "favorite": true, "limit": MAX_FAVORITE_TRACKS });
        self.call_lists(
            ma,
            "music/tracks/library_items",
            &args,
            deadline,
            read_favorite_tracks,
        )
        .await
    }

    async fn add_to_favorites(
        &self,
        ma: &MaSettings,
        player: &QueueId,
        deadline: Deadline,
    ) -> Result<(), MaError> {
        let args = json!({ "player_id": player.as_str() });
        self.call(
            ma,
            "players/add_currently_playing_to_favorites",
            &args,
            deadline,
            read_any,
        )
        .await
    }

    async fn providers(
        &self,
        ma: &MaSettings,
        deadline: Deadline,
    ) -> Result<Vec<ProviderInstance>, MaError> {
        self.call_lists(ma, "providers", &json!({}), deadline, read_providers)
            .await
    }
}

/// A reply whose value the skill does not need (`null` for most commands): any JSON.
pub fn read_any(body: &[u8]) -> Result<(), UnusableReply> {
    serde_json::from_slice::<IgnoredAny>(body)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    //! One test per reading rule, on the generated Music Assistant replies
    //! (tests/fixtures/ma, made by music-assistant-models) and mutated copies of them.

    use super::*;

    /// A generated reply, as JSON to mutate.
    fn fixture(name: &str) -> Value {
        let text = match name {
            "players_all_rooms" => include_str!("../tests/fixtures/ma/players_all_rooms.json"),
            "players_all_home" => include_str!("../tests/fixtures/ma/players_all_home.json"),
            "queue_kitchen_echo" => include_str!("../tests/fixtures/ma/queue_kitchen_echo.json"),
            "search_kind_of_blue" => {
                include_str!("../tests/fixtures/ma/search_kind_of_blue.json")
            }
            "library_tracks_favorites" => {
                include_str!("../tests/fixtures/ma/library_tracks_favorites.json")
            }
            other => panic!("no fixture {other}"),
        };
        serde_json::from_str(text).expect("a generated fixture is JSON")
    }

    fn bytes(value: &Value) -> Vec<u8> {
        serde_json::to_vec(value).expect("serializes")
    }

    /// The players of `players/all` as the skill reads them.
    fn players(value: &Value) -> Vec<Player> {
        read_players(&bytes(value)).expect("usable").value
    }

    /// The rooms house with `change` applied to the player `id`.
    fn house_with(id: &str, change: impl FnOnce(&mut Value)) -> Vec<Player> {
        let mut house = fixture("players_all_rooms");
        let player = house
            .as_array_mut()
            .expect("a list")
            .iter_mut()
            .find(|p| p["player_id"] == id)
            .expect("the player");
        change(player);
        players(&house)
    }

    fn by_id<'p>(players: &'p [Player], id: &str) -> &'p Player {
        players
            .iter()
            .find(|p| p.player_id == id)
            .unwrap_or_else(|| panic!("{id} was left out"))
    }

    /// Values of every other shape than the ones Music Assistant sends.
    fn hostile() -> [Value; 6] {
        [
            Value::Null,
            json!(12345),
            json!("text"),
            json!(true),
            json!([1, {"a": [null]}]),
            json!({"unexpected": {"deeply": [1, 2]}}),
        ]
    }

    // players/all

    /// Issue 18: current servers send `hide_player_in_ui` as a list; an `Option<bool>` made
    /// every player unreadable, and the skill had no speakers.
    #[test]
    fn issue_18_current_players_with_hide_player_in_ui_as_a_list_are_read() {
        let house = fixture("players_all_rooms");
        assert!(house[0]["hide_player_in_ui"].is_array(), "{}", house[0]);
        let read = read_players(&bytes(&house)).expect("usable");
        assert_eq!(read.unusable, 0);
        let ids: Vec<&str> = read.value.iter().map(|p| p.player_id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "Kitchen Echo",
                "Bedroom Echo",
                "media_player.living_room_sonos",
                "media_player.living_room_play_1",
                "syncgroup_downstairs",
                "media_player.garage",
                "media_player.hidden",
                "media_player.disabled",
            ]
        );
        let kitchen = &read.value[0];
        assert!(kitchen.is_alexa() && kitchen.is_playing() && kitchen.is_listed());
        assert_eq!(kitchen.active_source.as_deref(), Some("Kitchen Echo"));
        // The list's `when_unavailable` hides the unavailable Garage Speaker for now.
        assert!(read.value[5].hidden_for_now() && !kitchen.hidden_for_now());
    }

    #[test]
    fn hide_player_in_ui_as_a_bool_is_still_read() {
        let house = house_with("media_player.living_room_sonos", |p| {
            p["hide_player_in_ui"] = json!(true);
            p["hide_in_ui"] = Value::Null;
        });
        assert!(!by_id(&house, "media_player.living_room_sonos").is_listed());
        let house = house_with("media_player.living_room_sonos", |p| {
            p["hide_player_in_ui"] = json!(false);
        });
        let sonos = by_id(&house, "media_player.living_room_sonos");
        assert!(sonos.is_listed() && !sonos.hidden_for_now());
    }

    #[test]
    fn always_hides_a_player_whichever_key_says_so() {
        let house = players(&fixture("players_all_rooms"));
        assert!(
            !by_id(&house, "media_player.hidden").is_listed(),
            "hide_in_ui"
        );
        for (key, value) in [
            ("hide_player_in_ui", json!(["always"])),
            ("hide_in_ui", json!(true)),
            ("hidden", json!(true)),
        ] {
            let house = house_with("media_player.living_room_sonos", |p| {
                p["hide_in_ui"] = json!(false);
                p[key] = value.clone();
            });
            let sonos = by_id(&house, "media_player.living_room_sonos");
            assert!(!sonos.is_listed(), "{key}: {value}");
        }
    }

    #[test]
    fn a_disabled_player_is_not_listed() {
        let house = players(&fixture("players_all_rooms"));
        assert!(!by_id(&house, "media_player.disabled").is_listed());
        assert!(by_id(&house, "media_player.living_room_sonos").is_listed());
    }

    #[test]
    fn a_private_player_is_never_listed() {
        let house = house_with("media_player.living_room_play_1", |p| {
            p["private"] = json!(true);
        });
        assert!(!by_id(&house, "media_player.living_room_play_1").is_listed());
    }

    #[test]
    fn when_unavailable_hides_only_while_unavailable() {
        let house = players(&fixture("players_all_rooms"));
        let garage = by_id(&house, "media_player.garage");
        assert!(garage.is_listed() && !garage.is_available() && garage.hidden_for_now());
        let house = house_with("media_player.garage", |p| p["available"] = json!(true));
        assert!(!by_id(&house, "media_player.garage").hidden_for_now());
        let house = house_with("media_player.garage", |p| {
            p["hide_player_in_ui"] = json!(["when_synced"]);
        });
        assert!(!by_id(&house, "media_player.garage").hidden_for_now());
    }

    #[test]
    fn when_synced_hides_while_synced_to_another_player() {
        let synced = |list: Value| {
            let house = house_with("media_player.living_room_play_1", |p| {
                p["synced_to"] = json!("media_player.living_room_sonos");
                p["hide_player_in_ui"] = list;
            });
            by_id(&house, "media_player.living_room_play_1").hidden_for_now()
        };
        assert!(synced(json!([
            "when_unavailable",
            "when_synced",
            "when_group_active"
        ])));
        assert!(!synced(json!(["when_unavailable"])));
        let house = players(&fixture("players_all_rooms"));
        assert!(!by_id(&house, "media_player.living_room_play_1").hidden_for_now());
    }

    #[test]
    fn when_group_active_hides_while_a_group_plays_through_it() {
        let grouped = |list: Value| {
            let house = house_with("media_player.living_room_sonos", |p| {
                p["active_group"] = json!("syncgroup_downstairs");
                p["hide_player_in_ui"] = list;
            });
            by_id(&house, "media_player.living_room_sonos").hidden_for_now()
        };
        assert!(grouped(json!([
            "when_unavailable",
            "when_synced",
            "when_group_active"
        ])));
        assert!(!grouped(json!(["never"])));
    }

    #[test]
    fn when_off_hides_while_powered_off() {
        let off = |powered: Value| {
            let house = house_with("media_player.living_room_sonos", |p| {
                p["powered"] = powered;
                p["hide_player_in_ui"] = json!(["when_off"]);
            });
            by_id(&house, "media_player.living_room_sonos").hidden_for_now()
        };
        assert!(off(json!(false)));
        assert!(!off(json!(true)));
        assert!(!off(Value::Null));
    }

    #[test]
    fn unknown_hide_options_mean_never() {
        let house = house_with("media_player.garage", |p| {
            p["hide_player_in_ui"] = json!(["when_it_rains", 7, null, {"always": true}]);
        });
        let garage = by_id(&house, "media_player.garage");
        assert!(garage.is_listed() && !garage.hidden_for_now());
    }

    #[test]
    fn no_field_the_skill_does_not_need_can_drop_a_player() {
        let template = fixture("players_all_rooms")[0].clone();
        let keys: Vec<String> = template
            .as_object()
            .expect("an object")
            .keys()
            .filter(|k| *k != "player_id")
            .cloned()
            .collect();
        assert!(keys.len() > 40, "the generated player has its fields");
        for key in &keys {
            for value in hostile() {
                let mut player = template.clone();
                player[key] = value.clone();
                let read = players(&json!([player]));
                assert_eq!(read.len(), 1, "{key}: {value} dropped the player");
                assert_eq!(read[0].player_id, "Kitchen Echo", "{key}: {value}");
            }
        }
        // The fields the skill reads, of another shape, are unknown, not fatal.
        let mut player = template;
        for key in [
            "available",
            "enabled",
            "hide_in_ui",
            "display_name",
            "state",
        ] {
            player[key] = json!({"a": 1});
        }
        let read = &players(&json!([player]))[0];
        assert_eq!(
            (read.available, read.enabled, read.hide_in_ui),
            (None, None, None)
        );
        assert_eq!(read.spoken_name(), "Kitchen Echo", "from `name`");
        assert!(read.is_playing(), "from `playback_state`");
    }

    #[test]
    fn a_player_without_a_text_id_is_left_out_and_counted() {
        let mut house = fixture("players_all_home");
        house[1]["player_id"] = json!(7);
        house[2]
            .as_object_mut()
            .expect("object")
            .remove("player_id");
        let read = read_players(&bytes(&house)).expect("usable");
        assert_eq!(read.value.len(), 1);
        assert_eq!(read.unusable, 2);
        let mut house = fixture("players_all_home");
        house
            .as_array_mut()
            .expect("a list")
            .extend([json!(0), json!("x"), json!([])]);
        let read = read_players(&bytes(&house)).expect("usable");
        assert_eq!((read.value.len(), read.unusable), (3, 3));
    }

    #[test]
    fn players_all_of_only_unreadable_players_is_an_error_not_an_empty_house() {
        for body in [
            "[0, 0, 0]",
            r#"[{"name": "x"}]"#,
            "{}",
            "null",
            "\"players\"",
        ] {
            assert!(read_players(body.as_bytes()).is_err(), "{body}");
        }
        assert_eq!(read_players(b" [] ").expect("usable").value, []);
        assert!(read_players(b"[] []").is_err(), "trailing JSON");
    }

    #[test]
    fn players_past_the_cap_are_skipped_unread() {
        let one = &fixture("players_all_home")[0];
        let many = Value::Array(vec![one.clone(); MAX_PLAYERS + 5]);
        let read = read_players(&bytes(&many)).expect("usable");
        assert_eq!(
            (read.value.len(), read.unusable, read.beyond_cap),
            (MAX_PLAYERS, 0, 5)
        );
    }

    // player_queues/get

    #[test]
    fn the_generated_queue_reads_as_the_skill_needs() {
        let queue = read_queue(&bytes(&fixture("queue_kitchen_echo")))
            .expect("usable")
            .expect("a queue");
        assert_eq!(queue.queue_id, "Kitchen Echo");
        assert_eq!(
            (
                queue.current_index,
                queue.items,
                queue.repeat_mode.as_deref()
            ),
            (Some(3), Some(12), Some("off"))
        );
        let now = queue.current_item.expect("current item").now_playing();
        assert_eq!(
            (
                now.title.as_deref(),
                now.artist.as_deref(),
                now.album.as_deref()
            ),
            (Some("So What"), Some("Miles Davis"), Some("Kind of Blue"))
        );
    }

    #[test]
    fn no_field_of_another_shape_can_drop_a_queue_or_its_item() {
        let template = fixture("queue_kitchen_echo");
        let keys: Vec<String> = template
            .as_object()
            .expect("an object")
            .keys()
            .cloned()
            .collect();
        for key in &keys {
            for value in hostile() {
                let mut queue = template.clone();
                queue[key] = value.clone();
                let read = read_queue(&bytes(&queue)).expect("usable");
                assert!(read.is_some(), "{key}: {value}");
            }
        }
        let item_keys: Vec<String> = template["current_item"]["media_item"]
            .as_object()
            .expect("an object")
            .keys()
            .filter(|k| *k != "name")
            .cloned()
            .collect();
        for key in &item_keys {
            for value in hostile() {
                let mut queue = template.clone();
                queue["current_item"]["media_item"][key] = value.clone();
                let read = read_queue(&bytes(&queue)).expect("usable").expect("queue");
                let title = read.current_item.expect("item").now_playing().title;
                assert_eq!(title.as_deref(), Some("So What"), "{key}: {value}");
            }
        }
    }

    #[test]
    fn a_null_queue_is_none_and_a_non_object_is_unusable() {
        assert_eq!(read_queue(b"null").expect("usable"), None);
        for body in ["[]", "5", "\"queue\"", "{", ""] {
            assert!(read_queue(body.as_bytes()).is_err(), "{body}");
        }
    }

    // music/search

    #[test]
    fn the_generated_search_reads_every_media_type() {
        let read = read_search(&bytes(&fixture("search_kind_of_blue"))).expect("usable");
        assert_eq!(read.unusable, 0);
        let found = read.value;
        let counts: Vec<usize> = MediaType::ALL.iter().map(|t| found.of(*t).len()).collect();
        assert_eq!(counts, [2, 4, 2, 2, 1]);
        let library_album = &found.albums[2];
        assert_eq!(library_album.uri, "library://album/7");
        assert!(library_album.in_library());
        assert_eq!(library_album.artist(), Some("Miles Davis"));
        // An ItemMapping is an item too.
        assert_eq!(found.artists[0].name, "Miles Davis Quintet");
        assert!(!found.artists[0].in_library());
    }

    #[test]
    fn search_items_without_a_name_or_uri_are_left_out() {
        let mut reply = fixture("search_kind_of_blue");
        reply["albums"][0]["name"] = json!(" ");
        reply["albums"][1]
            .as_object_mut()
            .expect("object")
            .remove("uri");
        reply["albums"][2]["uri"] = json!(7);
        let read = read_search(&bytes(&reply)).expect("usable");
        assert_eq!(read.unusable, 3);
        let uris: Vec<&str> = read.value.albums.iter().map(|a| a.uri.as_str()).collect();
        assert_eq!(uris, ["tidal--Ug2h7CvN://album/t9"]);
    }

    #[test]
    fn no_field_the_skill_does_not_need_can_drop_a_search_item() {
        let reply = fixture("search_kind_of_blue");
        let template = reply["albums"][2].clone();
        let keys: Vec<String> = template
            .as_object()
            .expect("an object")
            .keys()
            .filter(|k| *k != "name" && *k != "uri")
            .cloned()
            .collect();
        for key in &keys {
            for value in hostile() {
                let mut album = template.clone();
                album[key] = value.clone();
                let read = read_search(&bytes(&json!({ "albums": [album] }))).expect("usable");
                assert_eq!(read.value.albums.len(), 1, "{key}: {value}");
                assert_eq!(read.value.albums[0].uri, "library://album/7");
            }
        }
        // A list of another shape is no items, not a failed search.
        for value in hostile() {
            let mut reply = reply.clone();
            reply["tracks"] = value.clone();
            let read = read_search(&bytes(&reply)).expect("usable");
            assert!(read.value.tracks.is_empty() && read.value.albums.len() == 4);
        }
    }

    #[test]
    fn a_search_whose_finds_are_all_unreadable_is_an_error() {
        assert!(read_search(br#"{"tracks": [0, "x"], "albums": [{"name": "a"}]}"#).is_err());
        for body in ["null", "{}", r#"{"tracks": []}"#] {
            let read = read_search(body.as_bytes()).expect("usable");
            assert_eq!(read.value, SearchResults::default(), "{body}");
        }
        for body in ["[]", "5", "\"kind of blue\""] {
            assert!(read_search(body.as_bytes()).is_err(), "{body}");
        }
    }

    #[test]
    fn search_results_are_capped_per_media_type() {
        let track = fixture("search_kind_of_blue")["tracks"][1].clone();
        let reply = json!({ "tracks": vec![track; MAX_RESULTS_PER_TYPE + 3] });
        let read = read_search(&bytes(&reply)).expect("usable");
        assert_eq!(read.value.tracks.len(), MAX_RESULTS_PER_TYPE);
        assert_eq!(read.beyond_cap, 3);
    }

    #[test]
    fn an_items_artists_are_capped() {
        let mut reply = fixture("search_kind_of_blue");
        let artist = reply["albums"][2]["artists"][0].clone();
        reply["albums"][2]["artists"] = Value::Array(vec![artist; 1000]);
        let read = read_search(&bytes(&reply)).expect("usable");
        assert_eq!(read.value.albums[2].artists.len(), MAX_ARTISTS);
    }

    // music/tracks/library_items

    #[test]
    fn the_generated_favourites_are_read_with_their_uris() {
        let read =
            read_favorite_tracks(&bytes(&fixture("library_tracks_favorites"))).expect("usable");
        let uris: Vec<&str> = read.value.iter().map(|t| t.uri.as_str()).collect();
        assert_eq!(
            uris,
            [
                "library://track/88",
                "library://track/91",
                "library://track/97"
            ]
        );
        assert_eq!(read_favorite_tracks(b"null").expect("usable").value, []);
    }

    #[test]
    fn favourites_are_capped_whatever_the_server_sends() {
        let track = fixture("library_tracks_favorites")[0].clone();
        let many = Value::Array(vec![track; 20_000]);
        let read = read_favorite_tracks(&bytes(&many)).expect("usable");
        assert_eq!(read.value.len(), MAX_FAVORITE_TRACKS);
        assert_eq!(read.beyond_cap, 20_000 - MAX_FAVORITE_TRACKS);
    }

    #[test]
    fn favourites_without_a_uri_are_left_out_and_all_unreadable_is_an_error() {
        let mut favorites = fixture("library_tracks_favorites");
        favorites[0]["uri"] = Value::Null;
        favorites[1]["name"] = json!(["not", "a", "name"]);
        let read = read_favorite_tracks(&bytes(&favorites)).expect("usable");
        assert_eq!(read.value.len(), 2, "a song without a name still plays");
        assert_eq!(read.unusable, 1);
        assert!(read_favorite_tracks(b"[1, 2, 3]").is_err());
        assert!(read_favorite_tracks(br#"{"items": []}"#).is_err());
    }

    // Any reply

    #[test]
    fn a_json_rpc_error_object_is_told_apart_from_a_reply() {
        assert_eq!(
            rpc_error(
                br#" {"message_id": "7", "error_code": 6, "details": "Player is not available"}"#
            ),
            Some(("6".to_owned(), "Player is not available".to_owned()))
        );
        assert_eq!(
            rpc_error(br#"{"message_id": null, "error_code": "x"}"#),
            Some(("\"x\"".to_owned(), String::new()))
        );
        for body in [
            r#"{"error_code": 6}"#,
            r#"{"error_code": null, "details": "x"}"#,
            "[]",
            "null",
            "{",
        ] {
            assert_eq!(rpc_error(body.as_bytes()), None, "{body}");
        }
        assert_eq!(rpc_error(&bytes(&fixture("queue_kitchen_echo"))), None);
    }

    #[test]
    fn a_reply_without_a_value_may_be_any_json_but_must_be_json() {
        for body in ["null", "{}", "[1]", "\"ok\""] {
            assert!(read_any(body.as_bytes()).is_ok(), "{body}");
        }
        for body in ["", "<html>", "null null"] {
            assert!(read_any(body.as_bytes()).is_err(), "{body}");
        }
    }
}
