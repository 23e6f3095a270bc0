//! The bridge client: asks the bridge which stream Music Assistant handed over last.
//!
//! `GET <API_HOSTNAME>/ma/latest-url`, with HTTP Basic credentials when they are configured, and
//! `?playerId=<id>` when the skill knows the device's Music Assistant player: this project's
//! bridge (`ma-alexa-bridge`) keeps the latest stream per player and answers 404 when it has none
//! for that one; older bridges ignore the query and answer the latest of all. Every way this can
//! go wrong is its own [`BridgeError`], so the user hears what actually happened and the owner's
//! log says how to fix it. The client reports; it never chooses words (that is `speech.rs`).
//! [`screen`] is open-screen mode's contract between the bridge and the skill's page; the page's
//! beats are `POST <API_HOSTNAME>/ma/screen` ([`StreamSource::beat`]), with the same credentials,
//! timeout and errors.

pub mod screen;

use std::future::Future;
use std::time::Duration;

use base64::Engine as _;
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::authority;
use crate::deadline::Deadline;
use crate::http::{self, LazyClient, ReadError};
use crate::logging;
use crate::settings::BridgeSettings;
use crate::stream::{InternalStream, QueueId};
use screen::{BeatReply, BeatRequest, BEAT_PATH};

/// The longest the bridge gets to answer, even when the deadline would allow more: a bridge
/// that has not answered by then is not going to, and the user deserves an explanation.
pub const BRIDGE_TIMEOUT: Duration = Duration::from_millis(3000);
/// A bridge reply larger than this is not a latest-url reply.
const MAX_REPLY_BYTES: usize = 64 * 1024;
/// The endpoint, relative to the bridge base.
const LATEST_PATH: &str = "ma/latest-url";

/// What went wrong talking to the bridge. Messages name the host, never credentials.
#[derive(Debug, thiserror::Error)]
pub enum BridgeError {
    /// No connection (refused, DNS, TLS) or the connection broke.
    #[error("could not reach the bridge at {host}")]
    Unreachable {
        /// Bridge host and port.
        host: String,
        /// The transport error.
        #[source]
        source: reqwest::Error,
    },
    /// No complete answer in time.
    #[error("the bridge at {host} did not answer within {waited_ms} ms")]
    TimedOut {
        /// Bridge host and port.
        host: String,
        /// How long the skill waited.
        waited_ms: u64,
    },
    /// 401 or 403.
    #[error("the bridge at {host} refused the credentials (HTTP {status}): check API_USERNAME and API_PASSWORD")]
    Unauthorized {
        /// Bridge host and port.
        host: String,
        /// 401 or 403.
        status: u16,
    },
    /// 404: Music Assistant has not pushed a stream (for the player asked about) yet.
    #[error("the bridge at {host} has no stream yet (HTTP 404): start playback on the Alexa player in Music Assistant")]
    NothingPushed {
        /// Bridge host and port.
        host: String,
    },
    /// 404 to a page's beat: the bridge's open-screen mode is off (or the bridge is older than
    /// it), so there are no open pages to keep.
    #[error("the bridge at {host} does not keep open screens (HTTP 404 from {BEAT_PATH}): set OPEN_SCREEN=true on the bridge (or update it) and restart it")]
    OpenScreenOff {
        /// Bridge host and port.
        host: String,
    },
    /// Any other non-success status.
    #[error("the bridge at {host} answered HTTP {status}")]
    Status {
        /// Bridge host and port.
        host: String,
        /// The status code.
        status: u16,
    },
    /// The body is not the JSON object the bridge sends.
    #[error("the bridge at {host} sent a reply that is not the expected JSON: {reason}")]
    InvalidReply {
        /// Bridge host and port.
        host: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The reply has no (or an empty) `streamUrl`.
    #[error("the bridge at {host} sent no streamUrl")]
    NoStreamUrl {
        /// Bridge host and port.
        host: String,
    },
    /// The `streamUrl` is not a Music Assistant stream: an absolute http(s) URL on one of its
    /// stream routes ([`crate::stream::STREAM_ROUTES`]).
    #[error("the bridge at {host} sent a streamUrl that is not a Music Assistant stream (an absolute http(s) URL whose path starts with /flow/, /single/, /announcement/ or /pluginsource/)")]
    BadStreamUrl {
        /// Bridge host and port.
        host: String,
    },
    /// The HTTP client could not be built (TLS set-up failed).
    #[error("the HTTP client could not be set up: {0}")]
    Client(String),
}

impl BridgeError {
    /// A short stable name for log lines and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Unreachable { .. } => "bridge_unreachable",
            Self::TimedOut { .. } => "bridge_timeout",
            Self::Unauthorized { .. } => "bridge_unauthorized",
            Self::NothingPushed { .. } => "bridge_nothing_pushed",
            Self::OpenScreenOff { .. } => "bridge_open_screen_off",
            Self::Status { .. } => "bridge_status",
            Self::InvalidReply { .. } => "bridge_invalid_reply",
            Self::NoStreamUrl { .. } => "bridge_no_stream_url",
            Self::BadStreamUrl { .. } => "bridge_bad_stream_url",
            Self::Client(_) => "http_client",
        }
    }
}

/// The latest stream, as the bridge holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Latest {
    /// The stream, before rewriting.
    pub stream: InternalStream,
    /// Track title.
    pub title: Option<String>,
    /// Artist.
    pub artist: Option<String>,
    /// Album.
    pub album: Option<String>,
    /// Cover art, as Music Assistant gave it (often on the internal host).
    pub image_url: Option<String>,
}

/// Where the skill learns what to play. [`BridgeClient`] is the real one.
pub trait StreamSource {
    /// The stream Music Assistant pushed last (for `player`, when given), answered before
    /// `deadline`.
    fn latest(
        &self,
        bridge: &BridgeSettings,
        player: Option<&QueueId>,
        deadline: Deadline,
    ) -> impl Future<Output = Result<Latest, BridgeError>> + Send;

    /// One beat of the skill's open page (open-screen mode, [`screen`]): the commands waiting
    /// for it and what its player's slot holds, answered before `deadline`.
    fn beat(
        &self,
        bridge: &BridgeSettings,
        beat: &BeatRequest,
        deadline: Deadline,
    ) -> impl Future<Output = Result<BeatReply, BridgeError>> + Send;
}

/// The bridge over HTTP. One per container: its connection pool is reused across warm
/// invocations, and the HTTP client itself is only built when a request first needs it.
#[derive(Debug, Default)]
pub struct BridgeClient {
    http: LazyClient,
}

/// The body of `GET /ma/latest-url`, the Node bridge's five fields in its order: what
/// `ma-alexa-bridge` serves (every field written, `null` when unknown) and what this client reads
/// (unknown fields such as `version` or `timestamp` ignored).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestReply {
    /// The stream as Music Assistant built it.
    #[serde(default)]
    pub stream_url: Option<String>,
    /// Track title.
    #[serde(default)]
    pub title: Option<String>,
    /// Artist.
    #[serde(default)]
    pub artist: Option<String>,
    /// Album.
    #[serde(default)]
    pub album: Option<String>,
    /// Cover art.
    #[serde(default)]
    pub image_url: Option<String>,
}

impl LatestReply {
    /// What the skill makes of a reply from the bridge at `host`: a Music Assistant stream and
    /// its metadata, or why not.
    pub fn into_latest(self, host: &str) -> Result<Latest, BridgeError> {
        let raw_url = self
            .stream_url
            .filter(|u| !u.trim().is_empty())
            .ok_or_else(|| BridgeError::NoStreamUrl {
                host: host.to_owned(),
            })?;
        let stream = InternalStream::parse(&raw_url).ok_or_else(|| BridgeError::BadStreamUrl {
            host: host.to_owned(),
        })?;
        Ok(Latest {
            stream,
            title: self.title,
            artist: self.artist,
            album: self.album,
            image_url: self.image_url,
        })
    }
}

impl BridgeClient {
    /// A client; nothing is built until the first request.
    pub fn new() -> Self {
        Self::default()
    }

    async fn fetch(
        &self,
        bridge: &BridgeSettings,
        player: Option<&QueueId>,
        deadline: Deadline,
    ) -> Result<Latest, BridgeError> {
        let host = authority(&bridge.base);
        let mut url = bridge
            .base
            .join(LATEST_PATH)
            .map_err(|e| BridgeError::Client(e.to_string()))?;
        if let Some(player) = player {
            url.query_pairs_mut()
                .append_pair("playerId", player.as_str());
        }
        let reply: LatestReply = self
            .exchange(bridge, Call::Get(url), deadline, |host| {
                BridgeError::NothingPushed { host }
            })
            .await?;
        reply.into_latest(&host)
    }

    async fn send_beat(
        &self,
        bridge: &BridgeSettings,
        beat: &BeatRequest,
        deadline: Deadline,
    ) -> Result<BeatReply, BridgeError> {
        // `BEAT_PATH` is absolute; joined relative to the base it keeps a base path
        // (`https://example.com/bridge/`).
        let url = bridge
            .base
            .join(BEAT_PATH.trim_start_matches('/'))
            .map_err(|e| BridgeError::Client(e.to_string()))?;
        let body = serde_json::to_vec(beat).map_err(|e| BridgeError::Client(e.to_string()))?;
        self.exchange(bridge, Call::Post(url, body), deadline, |host| {
            BridgeError::OpenScreenOff { host }
        })
        .await
    }

    /// One request to the bridge and its JSON reply, read as `T`: the Basic credentials, the
    /// time budget of [`BRIDGE_TIMEOUT`] within `deadline`, the size cap, and each failure as its
    /// [`BridgeError`]; a 404 is what `not_found` makes of it (it means something different on
    /// each endpoint).
    async fn exchange<T: serde::de::DeserializeOwned>(
        &self,
        bridge: &BridgeSettings,
        call: Call,
        deadline: Deadline,
        not_found: fn(String) -> BridgeError,
    ) -> Result<T, BridgeError> {
        let host = authority(&bridge.base);
        let timeout =
            http::budget(BRIDGE_TIMEOUT, deadline).map_err(|left| BridgeError::TimedOut {
                host: host.clone(),
                waited_ms: http::millis(left),
            })?;
        let timed_out = || BridgeError::TimedOut {
            host: host.clone(),
            waited_ms: http::millis(timeout),
        };
        let client = self.http.get().map_err(BridgeError::Client)?;
        let mut request = match call {
            Call::Get(url) => client.get(url),
            Call::Post(url, body) => client
                .post(url)
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body),
        }
        .timeout(timeout)
        .header(reqwest::header::ACCEPT, "application/json");
        if let Some(credentials) = &bridge.credentials {
            request = request.basic_auth(
                &credentials.username,
                Some(credentials.password.expose_secret()),
            );
        }
        let transport = |source: reqwest::Error| {
            if source.is_timeout() {
                timed_out()
            } else {
                BridgeError::Unreachable {
                    host: host.clone(),
                    source,
                }
            }
        };

        let mut response = request.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        match status {
            200..=299 => {}
            401 | 403 => return Err(BridgeError::Unauthorized { host, status }),
            404 => return Err(not_found(host)),
            _ => return Err(BridgeError::Status { host, status }),
        }
        let body = match http::read_capped(&mut response, MAX_REPLY_BYTES).await {
            Ok(body) => body,
            Err(ReadError::Transport(e)) => return Err(transport(e)),
            Err(ReadError::TooLarge(max)) => {
                return Err(BridgeError::InvalidReply {
                    host,
                    reason: format!("the reply is larger than {max} bytes"),
                })
            }
        };
        serde_json::from_slice(&body).map_err(|e| BridgeError::InvalidReply {
            host: host.clone(),
            // The parser quotes what it read: keep the credentials out, should the bridge
            // echo the Authorization header.
            reason: scrub_credentials(&e.to_string(), bridge),
        })
    }
}

/// A request to the bridge: the URL, and for a POST its JSON body.
enum Call {
    Get(url::Url),
    Post(url::Url, Vec<u8>),
}

/// `text` without the bridge password (plain or inside the Basic header), capped for the log.
fn scrub_credentials(text: &str, bridge: &BridgeSettings) -> String {
    let Some(credentials) = &bridge.credentials else {
        return logging::capped(text, logging::MAX_FIELD_CHARS).into_owned();
    };
    let password = credentials.password.expose_secret();
    let header = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{password}", credentials.username));
    logging::scrubbed(text, &[password, &header], logging::MAX_FIELD_CHARS)
}

impl StreamSource for BridgeClient {
    fn latest(
        &self,
        bridge: &BridgeSettings,
        player: Option<&QueueId>,
        deadline: Deadline,
    ) -> impl Future<Output = Result<Latest, BridgeError>> + Send {
        self.fetch(bridge, player, deadline)
    }

    fn beat(
        &self,
        bridge: &BridgeSettings,
        beat: &BeatRequest,
        deadline: Deadline,
    ) -> impl Future<Output = Result<BeatReply, BridgeError>> + Send {
        self.send_beat(bridge, beat, deadline)
    }
}
