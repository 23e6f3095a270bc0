//! The Music Assistant client: queue control over Music Assistant's JSON-RPC API.
//!
//! `POST <MA_API_URL>/api` with `{"message_id", "command", "args"}` and
//! `Authorization: Bearer <MA_API_TOKEN>`; a success is HTTP 200 with the command's return value
//! as the body (`null` for most commands), a failure a status with a plain-text body. Only the
//! commands the skill uses are modelled, with typed requests and replies. Each failure is its
//! own [`MaError`], so the user hears what happened and the owner's log says how to fix it.
//! Music Assistant answers most failures with a bare 500; when a queue command gets one, the
//! client asks for the queue to tell "unknown queue" from everything else.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use secrecy::ExposeSecret;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
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

/// A player, as `players/all` describes it (only what the skill reads).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Player {
    /// The player id; for the Alexa provider, the Echo's name.
    pub player_id: String,
    /// The provider instance (`alexa`).
    #[serde(default)]
    pub provider: String,
    /// `playing`, `paused`, `idle`; newer servers also send `playback_state`.
    #[serde(default)]
    pub state: Option<String>,
    /// Newer servers' name for `state`.
    #[serde(default)]
    pub playback_state: Option<String>,
    /// The queue feeding the player, when Music Assistant is the source.
    #[serde(default)]
    pub active_source: Option<String>,
    /// The name the owner gave it ("Living Room Sonos"); on older servers the provider's name.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The provider's name (older servers: `display_name` is the owner's).
    #[serde(default)]
    pub name: Option<String>,
    /// Whether it can play now (`false`: switched off, unplugged, unreachable).
    #[serde(default)]
    pub available: Option<bool>,
    /// Whether the owner enabled it in Music Assistant.
    #[serde(default)]
    pub enabled: Option<bool>,
    /// Hidden from Music Assistant's interface.
    #[serde(default)]
    pub hide_in_ui: Option<bool>,
    /// Older servers' name for `hide_in_ui`.
    #[serde(default)]
    pub hide_player_in_ui: Option<bool>,
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

    /// Whether the owner enabled it and shows it (servers that do not say: yes).
    pub fn is_listed(&self) -> bool {
        self.enabled.unwrap_or(true) && !self.hide_in_ui.or(self.hide_player_in_ui).unwrap_or(false)
    }
}

/// A queue, as `player_queues/get` describes it (only what the skill reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct PlayerQueue {
    /// The queue id.
    #[serde(default)]
    pub queue_id: String,
    /// Position of the current item.
    #[serde(default)]
    pub current_index: Option<u64>,
    /// How many items the queue holds (older servers may not say).
    #[serde(default)]
    pub items: Option<u64>,
    /// `off`, `one` or `all`.
    #[serde(default)]
    pub repeat_mode: Option<String>,
    /// The current item.
    #[serde(default)]
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

/// A queue item (only what the skill reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct QueueItem {
    /// "Artist - Title" for tracks.
    #[serde(default)]
    pub name: Option<String>,
    /// The full media item.
    #[serde(default)]
    pub media_item: Option<MediaItem>,
}

/// A media item (only what the skill reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MediaItem {
    /// The title.
    #[serde(default)]
    pub name: Option<String>,
    /// The artists.
    #[serde(default)]
    pub artists: Vec<Named>,
    /// The album.
    #[serde(default)]
    pub album: Option<Named>,
}

/// Anything with a name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Named {
    /// The name.
    #[serde(default)]
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

/// The answer of `music/search` (only what the skill reads). Items of an unexpected shape are
/// left out rather than failing the whole answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SearchResults {
    /// Artists, in Music Assistant's order (best first).
    #[serde(default, deserialize_with = "usable_items")]
    pub artists: Vec<SearchItem>,
    /// Albums.
    #[serde(default, deserialize_with = "usable_items")]
    pub albums: Vec<SearchItem>,
    /// Songs.
    #[serde(default, deserialize_with = "usable_items")]
    pub tracks: Vec<SearchItem>,
    /// Playlists.
    #[serde(default, deserialize_with = "usable_items")]
    pub playlists: Vec<SearchItem>,
    /// Radio stations (Music Assistant's key is singular).
    #[serde(default, deserialize_with = "usable_items")]
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

/// A found media item (only what the skill reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct SearchItem {
    /// Its name ("Kind of Blue").
    pub name: String,
    /// What `play_media` takes (`library://album/7`).
    pub uri: String,
    /// `library` for items in the user's library, else the provider instance.
    #[serde(default)]
    pub provider: String,
    /// A version, such as "Remastered".
    #[serde(default)]
    pub version: Option<String>,
    /// The artists (albums and songs).
    #[serde(default)]
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

/// A list of items, keeping only those with a name and a URI.
fn usable_items<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<SearchItem>, D::Error> {
    let values = Option::<Vec<Value>>::deserialize(de)?.unwrap_or_default();
    Ok(values
        .into_iter()
        .filter_map(|v| serde_json::from_value::<SearchItem>(v).ok())
        .filter(|i| !i.name.trim().is_empty() && !i.uri.trim().is_empty())
        .collect())
}

/// A provider instance, as `providers` describes it (only what the skill reads).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ProviderInstance {
    /// The instance id (`spotify--Rb8g3YwE`).
    #[serde(default)]
    pub instance_id: Option<String>,
    /// Whether it is loaded and working (servers that do not say: yes).
    #[serde(default)]
    pub available: Option<bool>,
    /// What it can do (`search`, `similar_tracks`, …); entries that are not strings are left
    /// out.
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

/// A list of feature names, keeping only the strings.
fn feature_names<'de, D: serde::Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    let values = Option::<Vec<Value>>::deserialize(de)?.unwrap_or_default();
    Ok(values
        .into_iter()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect())
}

/// The providers of a `providers` reply; one of an unexpected shape is left out rather than
/// failing the whole list.
pub fn usable_providers(all: Vec<Value>) -> Vec<ProviderInstance> {
    all.into_iter()
        .filter_map(|p| serde_json::from_value::<ProviderInstance>(p).ok())
        .collect()
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

/// The players of a `players/all` reply; one of an unexpected shape is left out rather than
/// failing the whole list.
pub fn usable_players(all: Vec<Value>) -> Vec<Player> {
    all.into_iter()
        .filter_map(|p| serde_json::from_value::<Player>(p).ok())
        .collect()
}

/// The songs of a `music/tracks/library_items` reply (`null` from old servers: none) that can
/// be played: parsed, and with a URI.
pub fn playable_tracks(found: Option<Vec<Value>>) -> Vec<SearchItem> {
    found
        .unwrap_or_default()
        .into_iter()
        .filter_map(|v| serde_json::from_value::<SearchItem>(v).ok())
        .filter(|i| !i.uri.trim().is_empty())
        .collect()
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

impl MaClient {
    /// A client; nothing is built until the first request.
    pub fn new() -> Self {
        Self::default()
    }

    /// Runs one command and reads its JSON reply as `T`.
    async fn call<T: DeserializeOwned>(
        &self,
        ma: &MaSettings,
        command: &'static str,
        args: &Value,
        deadline: Deadline,
    ) -> Result<T, MaError> {
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
        let secrets = [ma.token.expose_secret()];
        let outside =
            |text: &str| logging::scrubbed(text.trim(), &secrets, logging::MAX_FIELD_CHARS);
        let message = || outside(&String::from_utf8_lossy(&reply));
        match status {
            200..=299 => {
                let value: Value =
                    serde_json::from_slice(&reply).map_err(|e| MaError::InvalidReply {
                        host: host.clone(),
                        command,
                        reason: outside(&e.to_string()),
                    })?;
                // A JSON-RPC error object with a success status is still an error.
                if let Some(code) = rpc_error_code(&value) {
                    let details = value.get("details").and_then(Value::as_str).unwrap_or("");
                    return Err(MaError::Failed {
                        host,
                        command,
                        status,
                        message: outside(&format!("error_code {code}: {details}")),
                    });
                }
                serde_json::from_value(value).map_err(|e| MaError::InvalidReply {
                    host: host.clone(),
                    command,
                    reason: outside(&e.to_string()),
                })
            }
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

/// The `error_code` of a JSON-RPC error object (`{"message_id", "error_code", "details"}`), which
/// some servers and proxies send with a success status.
fn rpc_error_code(value: &Value) -> Option<&Value> {
    let object = value.as_object()?;
    let code = object.get("error_code")?;
    (!code.is_null() && (object.contains_key("details") || object.contains_key("message_id")))
        .then_some(code)
}

impl MusicAssistant for MaClient {
    async fn queue(
        &self,
        ma: &MaSettings,
        queue: &QueueId,
        deadline: Deadline,
    ) -> Result<Option<PlayerQueue>, MaError> {
        let args = json!({ "queue_id": queue.as_str() });
        self.call(ma, "player_queues/get", &args, deadline).await
    }

    async fn players(&self, ma: &MaSettings, deadline: Deadline) -> Result<Vec<Player>, MaError> {
        let all: Vec<Value> = self.call(ma, "players/all", &json!({}), deadline).await?;
        Ok(usable_players(all))
    }

    async fn send(
        &self,
        ma: &MaSettings,
        queue: &QueueId,
        command: &QueueCommand,
        deadline: Deadline,
    ) -> Result<(), MaError> {
        let (name, args) = command.request(queue);
        match self.call::<Value>(ma, name, &args, deadline).await {
            Ok(_) => Ok(()),
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
        let args = json!({ "search_query": query, "media_types": types, "limit": 10 });
        // An old server answers `null` for an empty search.
        let found: Option<SearchResults> = self.call(ma, "music/search", &args, deadline).await?;
        Ok(found.unwrap_or_default())
    }

    async fn favorite_tracks(
        &self,
        ma: &MaSettings,
        deadline: Deadline,
    ) -> Result<Vec<SearchItem>, MaError> {
        let args = json!({ "favorite": true, "limit": MAX_FAVORITE_TRACKS });
        let found: Option<Vec<Value>> = self
            .call(ma, "music/tracks/library_items", &args, deadline)
            .await?;
        Ok(playable_tracks(found))
    }

    async fn add_to_favorites(
        &self,
        ma: &MaSettings,
        player: &QueueId,
        deadline: Deadline,
    ) -> Result<(), MaError> {
        let args = json!({ "player_id": player.as_str() });
        self.call::<Value>(
            ma,
            "players/add_currently_playing_to_favorites",
            &args,
            deadline,
        )
        .await
        .map(drop)
    }

    async fn providers(
        &self,
        ma: &MaSettings,
        deadline: Deadline,
    ) -> Result<Vec<ProviderInstance>, MaError> {
        let all: Vec<Value> = self.call(ma, "providers", &json!({}), deadline).await?;
        Ok(usable_providers(all))
    }
}
