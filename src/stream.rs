//! Stream addresses and the AudioPlayer token.
//!
//! Music Assistant builds stream URLs from its *internal* address (a LAN IP or hostname and the
//! stream port, `http://192.168.1.20:8097/flow/...`). An Echo only plays `https` URLs with a
//! publicly trusted certificate, so before a URL reaches a `Play` directive it is rewritten onto
//! the owner's public host ([`HttpsBase`], the `MA_HOSTNAME` setting). [`StreamUrl`] can only be
//! made by [`HttpsBase::rewrite`], so a LAN or `http` address cannot reach Alexa by mistake.
//!
//! The [`AudioToken`] names the stream inside the directive. Alexa hands it back in
//! `context.AudioPlayer.token` and in every `AudioPlayer.*` request, which is all the skill needs
//! to resume, to avoid replaying a broken URL, and (later) to know which Music Assistant queue the
//! device is playing, without any database.

use std::fmt;

use percent_encoding::{percent_decode_str, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::Url;

/// Longest `stream.url` Alexa accepts in a `Play` directive.
pub const MAX_STREAM_URL_LEN: usize = 8000;
/// Longest `stream.token` Alexa accepts in a `Play` directive.
pub const MAX_TOKEN_LEN: usize = 1024;

/// Why a configured base address was refused. The text never quotes the value: a password
/// pasted into the wrong setting must not reach a log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct InvalidBase(String);

/// The public `https://host[:port][/base]` that proxies Music Assistant's stream port.
///
/// `parse` is the only way to get one, and it refuses anything but `https` without user info,
/// query or fragment. A bare host (`ma.example.net`) means `https://ma.example.net`.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpsBase {
    /// `https://host[:port]` followed by the base path without its trailing slash.
    prefix: String,
}

impl HttpsBase {
    /// Parses the `MA_HOSTNAME` setting.
    pub fn parse(raw: &str) -> Result<Self, InvalidBase> {
        let raw = raw.trim();
        if raw.is_empty() {
            return Err(InvalidBase("it is empty".into()));
        }
        let with_scheme = if raw.contains("://") {
            raw.to_owned()
        } else {
            format!("https://{raw}")
        };
        let url = Url::parse(&with_scheme)
            .map_err(|e| InvalidBase(format!("it is not a host or URL ({e})")))?;
        if url.scheme() != "https" {
            return Err(InvalidBase(
                "it must use https: Echo devices only play https streams".into(),
            ));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(InvalidBase(
                "it must not carry a user name or password".into(),
            ));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(InvalidBase("it must not have a query or fragment".into()));
        }
        let Some(host) = url.host_str() else {
            return Err(InvalidBase("it has no host".into()));
        };
        let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
        let path = url.path().trim_end_matches('/');
        Ok(Self {
            prefix: format!("https://{host}{port}{path}"),
        })
    }

    /// `https://host[:port][/base]`, as the owner set it (not a secret: the doctor shows it).
    pub fn as_str(&self) -> &str {
        &self.prefix
    }

    /// Puts `internal`'s path and query behind this base: scheme and authority (IP or hostname,
    /// any port) are replaced, path and query kept, characters Alexa rejects percent-encoded, and
    /// a `.flac` file name becomes `.mp3` (Alexa cannot play FLAC; Music Assistant's stream
    /// server picks the encoder from the extension).
    ///
    /// ```
    /// use ma_alexa_skill::stream::{HttpsBase, InternalStream};
    ///
    /// let base = HttpsBase::parse("ma.example.net").unwrap();
    /// let pushed = InternalStream::parse("http://192.168.1.20:8097/flow/3f9c1a/Kitchen Echo/1b2e77/Kitchen Echo.flac").unwrap();
    /// assert_eq!(
    ///     base.rewrite(pushed.url()).unwrap().as_str(),
    ///     "https://ma.example.net/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3",
    /// );
    /// assert!(HttpsBase::parse("http://ma.example.net").is_err());
    /// ```
    pub fn rewrite(&self, internal: &Url) -> Result<StreamUrl, TooLong> {
        let path = flac_to_mp3(internal.path());
        self.join(&path, internal.query()).map(StreamUrl)
    }

    /// Rewrites cover art: Music Assistant's image proxy on the internal host (`/imageproxy`) goes
    /// through this base like the stream; art already on a public `https` host is kept, without
    /// any `user:password@` it carried; anything else (another path on the internal host, plain
    /// `http` elsewhere, which Alexa would refuse) is dropped.
    pub fn rewrite_art(&self, image: &Url, internal_host: Option<&str>) -> Option<String> {
        let art = if image.host_str().is_some() && image.host_str() == internal_host {
            if !is_image_proxy(image.path()) {
                return None;
            }
            self.join(image.path(), image.query()).ok()?
        } else if image.scheme() == "https" {
            // Rebuilt from its parts: no `user:password@`, and only path and query encoded (the
            // brackets of an IPv6 host must stay as they are).
            let host = image.host_str()?;
            let port = image.port().map(|p| format!(":{p}")).unwrap_or_default();
            let mut public = format!(
                "https://{host}{port}{}",
                strictly_encoded(image.path(), PATH_KEEP)
            );
            if let Some(query) = image.query() {
                public.push('?');
                public.push_str(&strictly_encoded(query, QUERY_KEEP));
            }
            public
        } else {
            return None;
        };
        (art.len() <= MAX_ART_URL_LEN).then_some(art)
    }

    fn join(&self, path: &str, query: Option<&str>) -> Result<String, TooLong> {
        let mut out = String::with_capacity(self.prefix.len() + path.len() + 64);
        out.push_str(&self.prefix);
        if !path.starts_with('/') {
            out.push('/');
        }
        out.push_str(&strictly_encoded(path, PATH_KEEP));
        if let Some(query) = query {
            out.push('?');
            out.push_str(&strictly_encoded(query, QUERY_KEEP));
        }
        if out.len() > MAX_STREAM_URL_LEN {
            return Err(TooLong { len: out.len() });
        }
        Ok(out)
    }
}

impl fmt::Debug for HttpsBase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HttpsBase").field(&self.prefix).finish()
    }
}

/// Art URLs longer than this are left out (Alexa documents 2000 characters for card images).
const MAX_ART_URL_LEN: usize = 2000;

/// The rewritten stream address was longer than Alexa accepts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the public stream URL would be {len} characters long; Alexa accepts at most {MAX_STREAM_URL_LEN}")]
pub struct TooLong {
    /// Length the URL would have had.
    pub len: usize,
}

/// A public `https` stream address, ready for a `Play` directive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamUrl(String);

impl StreamUrl {
    /// The URL text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn flac_to_mp3(path: &str) -> String {
    const FLAC: &str = ".flac";
    let name_start = path.rfind('/').map_or(0, |i| i + 1);
    let name = &path[name_start..];
    if name.len() > FLAC.len() && name[name.len() - FLAC.len()..].eq_ignore_ascii_case(FLAC) {
        format!("{}.mp3", &path[..path.len() - FLAC.len()])
    } else {
        path.to_owned()
    }
}

/// What may stay literal in a path: RFC 3986 unreserved, sub-delims, `:`, `@`, `/`.
const PATH_KEEP: &[u8] = b"-._~!$&'()*+,;=:@/";
/// What may stay literal in a query: the path set plus `?`.
const QUERY_KEEP: &[u8] = b"-._~!$&'()*+,;=:@/?";

/// Percent-encodes every byte outside RFC 3986's allowed set for the component (spaces, `|`,
/// `^`, brackets, non-ASCII...), leaving existing `%XX` escapes alone so nothing is encoded twice.
fn strictly_encoded(text: &str, keep: &[u8]) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    for (i, &b) in bytes.iter().enumerate() {
        let escape_start = b == b'%'
            && bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
            && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit);
        if b.is_ascii_alphanumeric() || keep.contains(&b) || escape_start {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The first path segments of Music Assistant's stream server that serve audio to a player: a
/// whole queue as one stream, one item, an announcement, a plugin source. Nothing else may be put
/// behind the public host: a compromised bridge must not make an Echo fetch `/etc/passwd` or
/// `//evil.example/x.mp3` from it.
pub const STREAM_ROUTES: [&str; 4] = ["flow", "single", "announcement", "pluginsource"];

/// Whether `path` (already normalised by URL parsing, so without literal `..` segments) is on
/// one of [`STREAM_ROUTES`], with every segment safe once decoded (see [`is_safe_segment`]).
///
/// Decoding comes first: `/flow/..%2f..%2fadmin/x.mp3` has `flow` as its first segment to a
/// parser, but a proxy that decodes `%2f` before routing sees `/admin/x.mp3`.
fn is_stream_path(path: &str) -> bool {
    let mut segments = path.strip_prefix('/').unwrap_or(path).split('/');
    let first = segments.next().unwrap_or("");
    let first_decoded = percent_decode_str(first).decode_utf8_lossy();
    let mut rest = segments.peekable();
    let has_rest = rest.peek().is_some_and(|s| !s.is_empty());
    STREAM_ROUTES.contains(&first_decoded.as_ref())
        && has_rest
        && is_safe_segment(first)
        && rest.all(is_safe_segment)
}

/// How many rounds of percent-decoding a segment is checked through: a proxy chain may decode
/// once per hop, and `%25` hides one more round each time.
const DECODE_ROUNDS: usize = 4;

/// Whether a raw path segment stays one harmless segment however often it is percent-decoded
/// (up to [`DECODE_ROUNDS`] times): it must never become `.` or `..`, or hold a slash, a
/// backslash or a control character (NUL included). A segment still changing after the last
/// round (`%252525…`) is refused too.
fn is_safe_segment(raw: &str) -> bool {
    let mut text = std::borrow::Cow::Borrowed(raw);
    for _ in 0..=DECODE_ROUNDS {
        if matches!(text.as_ref(), "." | "..")
            || text
                .chars()
                .any(|c| c == '/' || c == '\\' || c.is_control())
        {
            return false;
        }
        let decoded = percent_decode_str(text.as_ref())
            .decode_utf8_lossy()
            .into_owned();
        if decoded == text.as_ref() {
            return true;
        }
        text = std::borrow::Cow::Owned(decoded);
    }
    false
}

/// Whether `path` is Music Assistant's image proxy (`/imageproxy`, `/imageproxy/<id>`).
fn is_image_proxy(path: &str) -> bool {
    path == "/imageproxy" || path.starts_with("/imageproxy/")
}

/// A stream as Music Assistant handed it to the bridge, before any rewriting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalStream {
    url: Url,
    id: StreamId,
    queue: Option<QueueId>,
}

impl InternalStream {
    /// Accepts an absolute `http` or `https` URL with a host whose path is on one of Music
    /// Assistant's [`STREAM_ROUTES`] (`/flow/…`, `/single/…`); `None` for anything else, which
    /// is not a Music Assistant stream.
    pub fn parse(raw: &str) -> Option<Self> {
        let url = Url::parse(raw.trim()).ok()?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host_str().is_none()
            || !is_stream_path(url.path())
        {
            return None;
        }
        Some(Self {
            id: StreamId::of(url.as_str()),
            queue: QueueId::from_stream_path(&url),
            url,
        })
    }

    /// The URL as the bridge sent it (normalised by parsing).
    pub fn url(&self) -> &Url {
        &self.url
    }

    /// The internal host, for matching cover art served by the same server.
    pub fn host(&self) -> Option<&str> {
        self.url.host_str()
    }

    /// The identity of this stream.
    pub fn id(&self) -> StreamId {
        self.id
    }

    /// The Music Assistant queue this stream belongs to, when its path tells.
    pub fn queue(&self) -> Option<&QueueId> {
        self.queue.as_ref()
    }

    /// The token that names this stream in a `Play` directive.
    pub fn token(&self) -> AudioToken {
        AudioToken::new(self.id, self.queue.as_ref())
    }
}

/// A stable 64-bit name for a stream URL (FNV-1a over the URL text): the same URL always gives
/// the same id, in every build, so tokens handed out by an older deployment still compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StreamId(u64);

impl StreamId {
    /// Reads the 16 hex digits [`Display`](fmt::Display) writes; `None` for anything else.
    ///
    /// ```
    /// use ma_alexa_skill::stream::{InternalStream, StreamId};
    ///
    /// let id = InternalStream::parse("http://h/flow/s/q/i.mp3").unwrap().id();
    /// assert_eq!(StreamId::parse_hex(&id.to_string()), Some(id));
    /// assert_eq!(StreamId::parse_hex("+123456789abcdef"), None);
    /// ```
    pub fn parse_hex(text: &str) -> Option<Self> {
        // Exactly 16 hex digits: `from_str_radix` alone would also take a `+` sign.
        if text.len() != 16 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u64::from_str_radix(text, 16).ok().map(Self)
    }

    fn of(text: &str) -> Self {
        const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
        const PRIME: u64 = 0x0000_0100_0000_01b3;
        let hash = text
            .bytes()
            .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME));
        Self(hash)
    }
}

impl fmt::Display for StreamId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// A Music Assistant queue id, decoded (it may contain spaces: for the Alexa provider it is the
/// Echo's name, "Kitchen Echo").
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct QueueId(String);

impl QueueId {
    /// A queue id as Music Assistant names it; `None` for an empty one.
    pub fn new(id: &str) -> Option<Self> {
        let id = id.trim();
        (!id.is_empty()).then(|| Self(id.to_owned()))
    }

    /// The id as Music Assistant's API expects it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Finds the queue id in a stream path, whatever Music Assistant's era: after the `flow` (or
    /// `single`) segment come two segments on 2024 servers (`{queue}/{item}.mp3`, the queue
    /// first) and three or four since 2025 (`{session}/{queue}/{item}[/{player}].mp3`, the queue
    /// second).
    fn from_stream_path(url: &Url) -> Option<Self> {
        let segments: Vec<&str> = url.path_segments()?.collect();
        let mode = segments
            .iter()
            .position(|s| matches!(*s, "flow" | "single"))?;
        let rest = &segments[mode + 1..];
        let raw = match rest.len() {
            2 => rest[0],
            3 | 4 => rest[1],
            _ => return None,
        };
        Self::decode(raw)
    }

    fn decode(raw: &str) -> Option<Self> {
        let id = percent_decode_str(raw).decode_utf8().ok()?;
        (!id.is_empty()).then(|| Self(id.into_owned()))
    }
}

/// Characters left literal in the queue part of a token: ASCII letters, digits and `-_`.
const TOKEN_QUEUE_ESCAPE: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_');

/// The `stream.token` of a `Play` directive, and what a device sends back.
///
/// Format (version 1): `mas1:<stream id, 16 hex digits>` optionally followed by
/// `:<queue id, percent-encoded>`, for example `mas1:3b5e0f21a9c4d877:Kitchen%20Echo`. The stream
/// id is [`StreamId`] of the internal URL; the queue id is left out when the stream path has none
/// or when it would make the token longer than [`MAX_TOKEN_LEN`]. A token this skill did not make
/// (another skill's, or a future format) is kept verbatim, so it can still be echoed as
/// `expectedPreviousToken`, but names no stream.
///
/// ```
/// use ma_alexa_skill::stream::{AudioToken, InternalStream};
///
/// let stream = InternalStream::parse("http://192.168.1.20:8097/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3").unwrap();
/// let token = stream.token();
/// assert_eq!(token.as_str(), "mas1:0919b3fbf99e9937:Kitchen%20Echo");
///
/// let sent_back = AudioToken::parse(token.as_str());
/// assert!(sent_back.names(&stream));
/// assert_eq!(sent_back.queue().unwrap().as_str(), "Kitchen Echo");
/// assert_eq!(AudioToken::parse("another-skills-token").stream(), None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioToken {
    raw: String,
    stream: Option<StreamId>,
    queue: Option<QueueId>,
}

const TOKEN_PREFIX: &str = "mas1:";

impl AudioToken {
    fn new(stream: StreamId, queue: Option<&QueueId>) -> Self {
        let mut raw = format!("{TOKEN_PREFIX}{stream}");
        let mut kept = None;
        if let Some(queue) = queue {
            let encoded = utf8_percent_encode(queue.as_str(), TOKEN_QUEUE_ESCAPE).to_string();
            if raw.len() + 1 + encoded.len() <= MAX_TOKEN_LEN {
                raw.push(':');
                raw.push_str(&encoded);
                kept = Some(queue.clone());
            }
        }
        Self {
            raw,
            stream: Some(stream),
            queue: kept,
        }
    }

    /// Reads a token a device sent back. Never fails: unknown tokens name no stream.
    pub fn parse(raw: &str) -> Self {
        let ours = raw.strip_prefix(TOKEN_PREFIX).and_then(|rest| {
            let mut parts = rest.splitn(2, ':');
            let stream = StreamId::parse_hex(parts.next()?)?;
            let queue = match parts.next() {
                Some(encoded) => Some(QueueId::decode(encoded)?),
                None => None,
            };
            Some((stream, queue))
        });
        let (stream, queue) = ours.map_or((None, None), |(s, q)| (Some(s), q));
        Self {
            raw: raw.to_owned(),
            stream,
            queue,
        }
    }

    /// Reads a token a device sent back, unless it is longer than Alexa lets a skill make one
    /// ([`MAX_TOKEN_LEN`]): such a token is not this skill's, names nothing, and must never be
    /// echoed (as `expectedPreviousToken`), so it is treated as no token at all.
    pub fn received(raw: &str) -> Option<Self> {
        (raw.len() <= MAX_TOKEN_LEN).then(|| Self::parse(raw))
    }

    /// The token text, exactly as sent or received.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// The stream this token names, if this skill made it.
    pub fn stream(&self) -> Option<StreamId> {
        self.stream
    }

    /// The Music Assistant queue kept in the token, if any.
    pub fn queue(&self) -> Option<&QueueId> {
        self.queue.as_ref()
    }

    /// Whether this token names `stream`.
    pub fn names(&self, stream: &InternalStream) -> bool {
        self.stream == Some(stream.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(raw: &str) -> HttpsBase {
        HttpsBase::parse(raw).expect("valid base")
    }

    fn rewrite(base_raw: &str, internal: &str) -> String {
        let internal = InternalStream::parse(internal).expect("valid internal URL");
        base(base_raw)
            .rewrite(internal.url())
            .expect("short enough")
            .as_str()
            .to_owned()
    }

    #[test]
    fn bare_host_means_https() {
        assert_eq!(base("ma.example.net").prefix, "https://ma.example.net");
    }

    #[test]
    fn base_keeps_port_and_path_without_trailing_slash() {
        assert_eq!(
            base("https://ma.example.net:8443/music/").prefix,
            "https://ma.example.net:8443/music"
        );
        assert_eq!(base("ma.example.net:443").prefix, "https://ma.example.net");
    }

    #[test]
    fn base_refuses_http() {
        let err = HttpsBase::parse("http://ma.example.net").unwrap_err();
        assert!(err.to_string().contains("must use https"), "{err}");
    }

    #[test]
    fn base_refuses_credentials_query_and_garbage() {
        for raw in [
            "https://user:pw@ma.example.net",
            "https://ma.example.net/?a=1",
            "https://ma.example.net/#x",
            "",
            "   ",
            "https://",
            "ht tp://x",
        ] {
            assert!(HttpsBase::parse(raw).is_err(), "accepted {raw:?}");
        }
    }

    #[test]
    fn base_error_never_quotes_credentials() {
        let err = HttpsBase::parse("https://user:hunter2@ma.example.net").unwrap_err();
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn rewrites_ipv4_host_and_port() {
        assert_eq!(
            rewrite(
                "ma.example.net",
                "http://192.168.1.20:8097/flow/3f9c1a/ma_kitchen/1b2e77/ma_kitchen.mp3"
            ),
            "https://ma.example.net/flow/3f9c1a/ma_kitchen/1b2e77/ma_kitchen.mp3"
        );
    }

    #[test]
    fn rewrites_ipv6_host() {
        assert_eq!(
            rewrite("ma.example.net", "http://[fd00::1:20]:8097/flow/a/b.mp3"),
            "https://ma.example.net/flow/a/b.mp3"
        );
    }

    #[test]
    fn rewrites_hostnames_without_port() {
        assert_eq!(
            rewrite(
                "ma.example.net",
                "http://homeassistant.local/flow/a/b/c.aac"
            ),
            "https://ma.example.net/flow/a/b/c.aac"
        );
    }

    #[test]
    fn rewrites_onto_base_port_and_path() {
        assert_eq!(
            rewrite(
                "https://example.net:8443/ma/",
                "https://mass.lan:8097/flow/a/b.mp3"
            ),
            "https://example.net:8443/ma/flow/a/b.mp3"
        );
    }

    #[test]
    fn keeps_query_strings() {
        assert_eq!(
            rewrite(
                "ma.example.net",
                "http://192.168.1.20:8097/flow/q1/item.mp3?ts=1700000000&x=a%2Fb"
            ),
            "https://ma.example.net/flow/q1/item.mp3?ts=1700000000&x=a%2Fb"
        );
    }

    #[test]
    fn encodes_spaces_and_characters_alexa_rejects() {
        assert_eq!(
            rewrite(
                "ma.example.net",
                "http://192.168.1.20:8097/flow/s1/Kitchen Echo/i|1^[x]/Kitchen Echo.mp3?q=a b"
            ),
            "https://ma.example.net/flow/s1/Kitchen%20Echo/i%7C1%5E%5Bx%5D/Kitchen%20Echo.mp3?q=a%20b"
        );
    }

    #[test]
    fn does_not_double_encode() {
        assert_eq!(
            rewrite(
                "ma.example.net",
                "http://10.0.0.2:8097/flow/s1/Kitchen%20Echo/i1.mp3"
            ),
            "https://ma.example.net/flow/s1/Kitchen%20Echo/i1.mp3"
        );
    }

    #[test]
    fn encodes_non_ascii() {
        assert_eq!(
            rewrite(
                "ma.example.net",
                "http://10.0.0.2:8097/flow/s1/Küche/i1.mp3"
            ),
            "https://ma.example.net/flow/s1/K%C3%BCche/i1.mp3"
        );
    }

    #[test]
    fn flac_becomes_mp3() {
        assert_eq!(
            rewrite(
                "ma.example.net",
                "http://10.0.0.2:8097/flow/s1/q/i1.flac?ts=1"
            ),
            "https://ma.example.net/flow/s1/q/i1.mp3?ts=1"
        );
        assert_eq!(
            rewrite("ma.example.net", "http://10.0.0.2:8097/flow/s1/q/i1.FLAC"),
            "https://ma.example.net/flow/s1/q/i1.mp3"
        );
    }

    #[test]
    fn flac_only_in_the_file_name() {
        assert_eq!(
            rewrite(
                "ma.example.net",
                "http://10.0.0.2:8097/flow/x.flac/q/i1.aac"
            ),
            "https://ma.example.net/flow/x.flac/q/i1.aac"
        );
    }

    #[test]
    fn refuses_urls_over_alexas_limit() {
        let long = format!("http://10.0.0.2:8097/flow/q/i.mp3?pad={}", "a".repeat(8000));
        let internal = InternalStream::parse(&long).expect("valid");
        let err = base("ma.example.net").rewrite(internal.url()).unwrap_err();
        assert!(err.len > MAX_STREAM_URL_LEN);
    }

    #[test]
    fn internal_stream_must_be_http_with_host() {
        for raw in [
            "",
            "not a url",
            "ftp://10.0.0.2/flow/q/i.mp3",
            "file:///tmp/x.mp3",
        ] {
            assert!(InternalStream::parse(raw).is_none(), "accepted {raw:?}");
        }
    }

    #[test]
    fn only_music_assistants_stream_routes_are_streams() {
        for raw in [
            "http://10.0.0.2:8097/etc/passwd",
            "http://10.0.0.2:8097//evil.example/x.mp3",
            "http://10.0.0.2:8097/flow/../etc/passwd",
            "http://10.0.0.2:8097/flow/%2e%2e/%2e%2e/etc/passwd",
            "http://10.0.0.2:8097/flow",
            "http://10.0.0.2:8097/flow/",
            "http://10.0.0.2:8097/flowers/q/i.mp3",
            "http://10.0.0.2:8097/FLOW/q/i.mp3",
            "http://10.0.0.2:8097/imageproxy?path=x",
            "http://10.0.0.2:8097/",
        ] {
            assert!(InternalStream::parse(raw).is_none(), "accepted {raw:?}");
        }
        for raw in [
            "http://10.0.0.2:8097/flow/s/q/i/p.mp3",
            "http://10.0.0.2:8097/single/s/q/i/p.mp3",
            "http://10.0.0.2:8097/announcement/p.mp3",
            "http://10.0.0.2:8097/pluginsource/spotify_connect/p.mp3",
        ] {
            assert!(InternalStream::parse(raw).is_some(), "refused {raw:?}");
        }
    }

    /// Issue 18: a path that is a stream route to a parser but leaves it once a proxy decodes it.
    #[test]
    fn encoded_separators_and_dots_never_make_a_stream_path() {
        let refused = [
            ("/flow/..%2f..%2fadmin/x.mp3", "encoded slash"),
            ("/flow/..%2F..%2Fadmin/x.mp3", "encoded slash, upper case"),
            (
                "/flow%2f..%2fadmin/x.mp3",
                "encoded slash in the route segment",
            ),
            ("/flow/s/q%2fi/p.mp3", "encoded slash inside a segment"),
            ("/flow/..%5c..%5cadmin/x.mp3", "encoded backslash"),
            ("/flow/s/q%5Ci/p.mp3", "encoded backslash, upper case"),
            ("/flow/..%252f..%252fadmin/x.mp3", "double-encoded slash"),
            ("/flow/%252e%252e/x.mp3", "double-encoded dots"),
            ("/flow/%25252e%25252e/x.mp3", "triple-encoded dots"),
            ("/flow/s/%252e/p.mp3", "double-encoded single dot"),
            ("/flow/s/q%00/p.mp3", "encoded NUL"),
            ("/flow/s/q%0d%0aX:1/p.mp3", "encoded line break"),
            (
                "/flow/s/q%2525252525252f/p.mp3",
                "still decoding after the last round",
            ),
        ];
        for (path, why) in refused {
            let raw = format!("http://10.0.0.2:8097{path}");
            assert!(
                InternalStream::parse(&raw).is_none(),
                "{why}: accepted {raw}"
            );
        }
        let accepted = [
            (
                "/flow/s1/Kitchen%20Echo/i1/Kitchen%20Echo.mp3",
                "encoded space",
            ),
            ("/flow/s1/Kitchen Echo/i1/Kitchen Echo.flac", "raw space"),
            ("/flow/s1/K%C3%BCche/i1.mp3", "encoded UTF-8"),
            ("/flow/s1/100%25 Music/i1.mp3", "an encoded percent sign"),
            ("/flow/s1/a.b..c/i1.mp3", "dots inside a name"),
            (
                "/flow/q1/item.mp3?ts=1&x=a%2Fb",
                "an encoded slash in the query",
            ),
            (
                "/flow/s/%2e/q/p.mp3",
                "an encoded single dot, which URL parsing removes",
            ),
        ];
        for (path, why) in accepted {
            let raw = format!("http://10.0.0.2:8097{path}");
            assert!(
                InternalStream::parse(&raw).is_some(),
                "{why}: refused {raw}"
            );
        }
    }

    #[test]
    fn art_keeps_no_credentials_and_only_the_image_proxy_of_the_internal_host() {
        let b = base("ma.example.net");
        let with_user = Url::parse("https://user:hunter2@cdn.example.com/a.jpg").expect("url");
        assert_eq!(
            b.rewrite_art(&with_user, Some("192.168.1.20")),
            Some("https://cdn.example.com/a.jpg".into())
        );
        let internal_user =
            Url::parse("http://u:pw@192.168.1.20:8095/imageproxy?path=x").expect("url");
        assert_eq!(
            b.rewrite_art(&internal_user, Some("192.168.1.20")),
            Some("https://ma.example.net/imageproxy?path=x".into())
        );
        // Found by fuzzing: an IPv6 host keeps its brackets.
        let v6 = Url::parse("https://[fd00::1]:8443/a b.jpg?s=1").expect("url");
        let art = b.rewrite_art(&v6, Some("192.168.1.20")).expect("kept");
        assert_eq!(art, "https://[fd00::1]:8443/a%20b.jpg?s=1");
        assert!(Url::parse(&art).is_ok());
        for other in [
            "http://192.168.1.20:8095/etc/passwd",
            "http://192.168.1.20:8095/imageproxying",
            "http://192.168.1.20:8095/api",
        ] {
            let image = Url::parse(other).expect("url");
            assert_eq!(b.rewrite_art(&image, Some("192.168.1.20")), None, "{other}");
        }
    }

    #[test]
    fn queue_id_from_every_path_generation() {
        let cases = [
            (
                "http://h:8097/flow/sess/Kitchen%20Echo/item/Kitchen%20Echo.mp3",
                Some("Kitchen Echo"),
            ),
            (
                "http://h:8097/flow/sess/ma_kitchen/item.flac",
                Some("ma_kitchen"),
            ),
            (
                "http://h:8097/flow/ma_kitchen/item.mp3?ts=1700000000",
                Some("ma_kitchen"),
            ),
            ("http://h:8097/single/sess/q2/item/p.mp3", Some("q2")),
            ("http://h:8097/announcement/p.mp3", None),
            ("http://h:8097/flow/only.mp3", None),
        ];
        for (url, want) in cases {
            let stream = InternalStream::parse(url).expect("valid");
            assert_eq!(stream.queue().map(QueueId::as_str), want, "{url}");
        }
    }

    #[test]
    fn token_round_trips_stream_and_queue() {
        let stream =
            InternalStream::parse("http://h:8097/flow/s/Kitchen%20Echo/i/Kitchen%20Echo.mp3")
                .expect("valid");
        let token = stream.token();
        assert!(token.as_str().starts_with("mas1:"));
        assert!(
            token.as_str().ends_with(":Kitchen%20Echo"),
            "{}",
            token.as_str()
        );
        let back = AudioToken::parse(token.as_str());
        assert!(back.names(&stream));
        assert_eq!(back.queue().map(QueueId::as_str), Some("Kitchen Echo"));
    }

    #[test]
    fn token_queue_with_colons_and_unicode() {
        let stream = InternalStream::parse("http://h/flow/s/a:b%C3%BC/i.mp3").expect("valid");
        let back = AudioToken::parse(stream.token().as_str());
        assert_eq!(back.queue().map(QueueId::as_str), Some("a:bü"));
    }

    #[test]
    fn token_without_queue() {
        let stream = InternalStream::parse("http://h/announcement/stream.mp3").expect("valid");
        let token = stream.token();
        assert_eq!(token.as_str().len(), "mas1:".len() + 16);
        assert!(AudioToken::parse(token.as_str()).names(&stream));
    }

    #[test]
    fn token_stays_within_alexas_limit() {
        let queue = "q".repeat(2000);
        let stream = InternalStream::parse(&format!("http://h/flow/{queue}/i.mp3")).expect("valid");
        let token = stream.token();
        assert!(token.as_str().len() <= MAX_TOKEN_LEN);
        assert!(token.queue().is_none());
        assert!(token.names(&stream));
    }

    #[test]
    fn different_urls_give_different_tokens() {
        let a = InternalStream::parse("http://h/flow/s1/q/i.mp3").expect("valid");
        let b = InternalStream::parse("http://h/flow/s2/q/i.mp3").expect("valid");
        assert!(!a.token().names(&b));
    }

    #[test]
    fn stream_id_is_stable_across_builds() {
        // FNV-1a 64 of "a" is a published test vector.
        assert_eq!(StreamId::of("a").to_string(), "af63dc4c8601ec8c");
    }

    #[test]
    fn foreign_tokens_name_nothing_but_are_kept() {
        for raw in [
            "",
            "abc",
            "mas1:",
            "mas1:xyz",
            "mas1:0123456789abcdeg",
            "mas2:0123456789abcdef",
            // Found by fuzzing: a sign is not a hex digit.
            "mas1:+919b3fbf99938e7",
            "mas1:-919b3fbf99938e7",
        ] {
            let token = AudioToken::parse(raw);
            assert_eq!(token.stream(), None, "{raw:?}");
            assert_eq!(token.as_str(), raw);
        }
    }

    #[test]
    fn a_token_longer_than_alexa_allows_is_no_token() {
        let longest = format!("mas1:{}", "a".repeat(MAX_TOKEN_LEN - 5));
        assert!(AudioToken::received(&longest).is_some());
        assert!(AudioToken::received(&format!("{longest}a")).is_none());
    }

    #[test]
    fn art_on_the_internal_host_is_rewritten() {
        let image =
            Url::parse("http://192.168.1.20:8095/imageproxy?path=a%2Fb&size=256").expect("url");
        assert_eq!(
            base("ma.example.net").rewrite_art(&image, Some("192.168.1.20")),
            Some("https://ma.example.net/imageproxy?path=a%2Fb&size=256".into())
        );
    }

    #[test]
    fn public_https_art_is_kept_and_other_http_art_dropped() {
        let public = Url::parse("https://i.scdn.co/image/ab67").expect("url");
        let lan = Url::parse("http://nas.lan/cover.jpg").expect("url");
        let b = base("ma.example.net");
        assert_eq!(
            b.rewrite_art(&public, Some("192.168.1.20")),
            Some("https://i.scdn.co/image/ab67".into())
        );
        assert_eq!(b.rewrite_art(&lan, Some("192.168.1.20")), None);
    }
}
