//! What the two HTTP adapters (the bridge and Music Assistant) share: a client built on first
//! use and kept for the container, the time budget of one call, and reading a reply with a size
//! cap. Each adapter still turns failures into its own error type.

use std::sync::OnceLock;
use std::time::Duration;

use crate::deadline::Deadline;

/// Connecting may take at most this long (TCP and TLS).
const CONNECT_TIMEOUT: Duration = Duration::from_millis(2000);
/// Below this much time left, a call is not even started.
const MIN_USEFUL_TIME: Duration = Duration::from_millis(50);

/// A `reqwest` client (rustls, no proxy, bounded connect, no redirects) built when first needed,
/// so a request that never calls out pays nothing for it, and reused across warm invocations.
///
/// Redirects are never followed: the bridge and Music Assistant answer in place, and a redirect
/// (to another host, perhaps) would carry the request, and the owner's trust, somewhere else. A
/// 3xx is reported as the status it is.
#[derive(Debug)]
pub struct LazyClient {
    connect_timeout: Duration,
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl Default for LazyClient {
    fn default() -> Self {
        Self::with_connect_timeout(CONNECT_TIMEOUT)
    }
}

impl LazyClient {
    /// A client whose connections (TCP and TLS) must be made within `connect_timeout`.
    pub fn with_connect_timeout(connect_timeout: Duration) -> Self {
        Self {
            connect_timeout,
            client: OnceLock::new(),
        }
    }

    /// The client; the error says why TLS could not be set up.
    pub fn get(&self) -> Result<&reqwest::Client, String> {
        self.client
            .get_or_init(|| {
                builder(self.connect_timeout)
                    .pool_idle_timeout(Duration::from_secs(50))
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// How every HTTP client of the skill starts: rustls with the public web PKI, no proxy, no
/// redirects followed (see [`LazyClient`]), connecting within `connect_timeout`, and the skill's
/// user agent. Callers add what is theirs (trust roots, pool settings).
pub fn builder(connect_timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("ma-alexa-skill/", env!("CARGO_PKG_VERSION")))
}

/// How long a call may take: `cap`, or what is left before the deadline if that is less.
/// `Err` carries that time when it is too short to be worth a call.
pub fn budget(cap: Duration, deadline: Deadline) -> Result<Duration, Duration> {
    let budget = cap.min(deadline.remaining());
    if budget < MIN_USEFUL_TIME {
        Err(budget)
    } else {
        Ok(budget)
    }
}

/// Milliseconds of a duration, for messages.
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Why a reply body could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The connection failed or timed out while reading.
    Transport(reqwest::Error),
    /// The body is larger than the cap.
    TooLarge(usize),
}

/// Reads the whole body, refusing more than `max` bytes.
pub async fn read_capped(
    response: &mut reqwest::Response,
    max: usize,
) -> Result<Vec<u8>, ReadError> {
    // Sized once from Content-Length when it fits the cap: growing by doubling would hold the
    // old and the new buffer at once.
    let expected = response
        .content_length()
        .and_then(|n| usize::try_from(n).ok());
    let mut body = Vec::with_capacity(expected.filter(|n| *n <= max).unwrap_or(0));
    while let Some(chunk) = response.chunk().await.map_err(ReadError::Transport)? {
        if body.len() + chunk.len() > max {
            return Err(ReadError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
