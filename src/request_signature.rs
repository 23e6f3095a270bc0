//! What Amazon requires of a skill served as an HTTPS web service (not Lambda): every request
//! is checked before anything in it is believed.
//!
//! 1. Both headers are present, and `SignatureCertChainUrl` is
//!    `https://s3.amazonaws.com/echo.api/…`: scheme and host in any case, port 443 if one is
//!    given, the path (after `..` is resolved) starting with `/echo.api/` exactly.
//! 2. `request.timestamp` is within 150 seconds of now.
//! 3. The PEM chain at that URL (fetched with a short timeout and a size cap, then kept until it
//!    no longer verifies, that is until the signing certificate expires) leads from a signing
//!    certificate valid now, whose names include `echo-api.amazon.com`, to a root of the public
//!    web PKI (webpki-roots), checked by rustls-webpki: no cryptography of our own.
//! 4. `Signature-256` is the base64 RSA-SHA256 signature of the exact body, made with the signing
//!    certificate's key.
//!
//! The checks that cost nothing ([`SignatureVerifier::precheck`]: 1 and 2) come first, and the
//! endpoint checks the skill id after them; only a request that passes all of those costs a
//! fetch of the chain ([`SignatureVerifier::verify_signature`]: 3 and 4). A chain URL whose fetch
//! failed (or whose freshly fetched chain did not verify) is not fetched again for a minute, so
//! a stream of forged requests cannot make the endpoint fetch once each.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, TrustAnchor, UnixTime};
use url::Url;
use webpki::{EndEntityCert, KeyUsage};

/// The name Amazon's signing certificate carries.
pub const SIGNING_NAME: &str = "echo-api.amazon.com";
/// How far a request's timestamp may be from now.
pub const TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(150);
/// The largest certificate chain fetched.
const MAX_CHAIN_BYTES: usize = 64 * 1024;
/// How long fetching the chain may take.
const FETCH_TIMEOUT: Duration = Duration::from_millis(2000);
/// At most this many chain URLs are kept (Amazon uses one at a time).
const MAX_CACHED: usize = 8;
/// How long a chain URL whose fetch failed is not fetched again.
pub const FAILURE_TTL: Duration = Duration::from_secs(60);
/// At most this many failed chain URLs are remembered (the oldest makes room).
const MAX_FAILURES: usize = 64;

/// Why a request was refused. For the log: the caller only learns "400".
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// A header is missing.
    #[error("the {0} header is missing")]
    MissingHeader(&'static str),
    /// `SignatureCertChainUrl` breaks Amazon's rules.
    #[error("SignatureCertChainUrl is not Amazon's: {0}")]
    BadChainUrl(String),
    /// The chain could not be fetched.
    #[error("the certificate chain could not be fetched: {0}")]
    ChainUnavailable(String),
    /// The chain does not verify (untrusted root, expired, wrong name, not PEM).
    #[error("the certificate chain is not valid: {0}")]
    BadChain(String),
    /// `Signature-256` is not base64 or does not match the body.
    #[error("the signature does not match the body: {0}")]
    BadSignature(String),
    /// The body is not an Alexa request with a usable timestamp.
    #[error("the request has no usable timestamp: {0}")]
    BadTimestamp(String),
    /// The timestamp is too far from now (a replay, or a wrong clock).
    #[error("the request's timestamp is {0} s away from now (more than 150 s)")]
    Stale(u64),
    /// The chain failed less than [`FAILURE_TTL`] ago and was not fetched again.
    #[error("{0} (less than a minute ago; not fetched again yet)")]
    FailedRecently(Box<Rejection>),
}

/// A request whose free checks passed ([`SignatureVerifier::precheck`]): its chain URL and its
/// decoded signature, for [`SignatureVerifier::verify_signature`].
#[derive(Debug, Clone)]
pub struct Unverified {
    url: Url,
    signature: Vec<u8>,
}

/// Chain URLs whose fetch failed, with when and why, bounded.
#[derive(Debug, Default)]
struct Failures {
    entries: HashMap<String, (Instant, Rejection)>,
}

impl Failures {
    /// Why `url` failed, if it did less than [`FAILURE_TTL`] before `now`.
    fn recent(&self, url: &str, now: Instant) -> Option<Rejection> {
        let (at, rejection) = self.entries.get(url)?;
        (now.saturating_duration_since(*at) < FAILURE_TTL).then(|| rejection.clone())
    }

    /// Remembers that `url` failed at `now`; the expired go first, then the oldest, when full.
    fn remember(&mut self, url: &str, rejection: Rejection, now: Instant) {
        if !self.entries.contains_key(url) && self.entries.len() >= MAX_FAILURES {
            self.entries
                .retain(|_, (at, _)| now.saturating_duration_since(*at) < FAILURE_TTL);
            if self.entries.len() >= MAX_FAILURES {
                let oldest = self
                    .entries
                    .iter()
                    .min_by_key(|(_, (at, _))| *at)
                    .map(|(url, _)| url.clone());
                if let Some(oldest) = oldest {
                    self.entries.remove(&oldest);
                }
            }
        }
        self.entries.insert(url.to_owned(), (now, rejection));
    }

    fn forget(&mut self, url: &str) {
        self.entries.remove(url);
    }
}

/// Where a chain URL must point: Amazon's, or a test's.
#[derive(Debug, Clone)]
struct Origin {
    scheme: String,
    host: String,
    port: u16,
    path_prefix: &'static str,
}

/// Checks Alexa request signatures; one per process, its chain cache shared by every request.
pub struct SignatureVerifier {
    anchors: Vec<TrustAnchor<'static>>,
    origin: Origin,
    http: Result<reqwest::Client, String>,
    cache: Mutex<HashMap<String, Arc<Vec<CertificateDer<'static>>>>>,
    failures: Mutex<Failures>,
    fetches: AtomicU64,
}

impl std::fmt::Debug for SignatureVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignatureVerifier")
            .field("origin", &self.origin)
            .field("anchors", &self.anchors.len())
            .field("fetches", &self.fetches())
            .finish_non_exhaustive()
    }
}

impl Default for SignatureVerifier {
    fn default() -> Self {
        Self::new()
    }
}

impl SignatureVerifier {
    /// The verifier Amazon requires: chains from `https://s3.amazonaws.com/echo.api/`, rooted
    /// in the public web PKI.
    pub fn new() -> Self {
        Self::with(
            webpki_roots::TLS_SERVER_ROOTS.to_vec(),
            Origin {
                scheme: "https".into(),
                host: "s3.amazonaws.com".into(),
                port: 443,
                path_prefix: "/echo.api/",
            },
            &[],
        )
    }

    /// A verifier for tests: chains from `origin` (`https://127.0.0.1:<port>`), rooted in the
    /// DER certificates `roots` only, fetched trusting them too. It exists only with the
    /// `test-trust` feature, which only the crate's own dev-dependency enables: a release build
    /// cannot trust anything but Amazon's URL and the public roots.
    #[cfg(feature = "test-trust")]
    pub fn trusting(roots: &[Vec<u8>], origin: &str) -> Result<Self, url::ParseError> {
        tracing::warn!("TEST-TRUST: request signatures checked against a test CA and {origin}");
        let origin = Url::parse(origin)?;
        let anchors = roots
            .iter()
            .filter_map(|der| {
                webpki::anchor_from_trusted_cert(&CertificateDer::from(der.as_slice()))
                    .ok()
                    .map(|a| a.to_owned())
            })
            .collect();
        Ok(Self::with(
            anchors,
            Origin {
                scheme: origin.scheme().into(),
                host: origin.host_str().unwrap_or_default().into(),
                port: origin.port_or_known_default().unwrap_or(443),
                path_prefix: "/echo.api/",
            },
            roots,
        ))
    }

    fn with(anchors: Vec<TrustAnchor<'static>>, origin: Origin, fetch_roots: &[Vec<u8>]) -> Self {
        let mut builder = crate::http::builder(FETCH_TIMEOUT);
        for root in fetch_roots {
            if let Ok(cert) = reqwest::Certificate::from_der(root) {
                builder = builder.add_root_certificate(cert);
            }
        }
        Self {
            anchors,
            origin,
            http: builder.build().map_err(|e| e.to_string()),
            cache: Mutex::new(HashMap::new()),
            failures: Mutex::new(Failures::default()),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many times a chain was fetched.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Checks one request: the headers' values (`None` when absent), the exact body, and now.
    /// [`Self::precheck`], then [`Self::verify_signature`].
    pub async fn verify(
        &self,
        chain_url: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), Rejection> {
        let unverified = self.precheck(chain_url, signature, body, now)?;
        self.verify_signature(&unverified, body, now).await
    }

    /// The checks that cost nothing, in order: both headers present, the chain URL Amazon's, the
    /// signature base64, and `request.timestamp` within [`TIMESTAMP_TOLERANCE`] of `now`. Nothing
    /// is fetched; the timestamp is not believed until [`Self::verify_signature`] passes too.
    pub fn precheck(
        &self,
        chain_url: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<Unverified, Rejection> {
        let chain_url = chain_url.ok_or(Rejection::MissingHeader("SignatureCertChainUrl"))?;
        let signature = signature.ok_or(Rejection::MissingHeader("Signature-256"))?;
        let url = self.check_url(chain_url)?;
        let signature = base64::engine::general_purpose::STANDARD
            .decode(signature.trim())
            .map_err(|e| Rejection::BadSignature(format!("not base64 ({e})")))?;
        check_timestamp(body, now)?;
        Ok(Unverified { url, signature })
    }

    /// The part that may cost a fetch: the chain at the request's URL (cached while it verifies;
    /// a URL that failed is not fetched again for [`FAILURE_TTL`]) leads to a trusted root, and
    /// its signing certificate signed `body`.
    pub async fn verify_signature(
        &self,
        request: &Unverified,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), Rejection> {
        let url = &request.url;
        let time = UnixTime::since_unix_epoch(now.duration_since(UNIX_EPOCH).unwrap_or_default());
        let (chain, fetched) = match self.cached(url) {
            Some(chain) => (chain, false),
            None => (self.fetch(url).await?, true),
        };
        if let Err(rejection) = self.verify_chain(&chain, time) {
            if fetched {
                // Fetched just now and no good: the same bytes would come back next time.
                self.remember_failure(url, &rejection);
            } else {
                // A cached chain that stopped verifying (it expired) is fetched again next time:
                // Amazon will have put the new one there.
                self.forget(url);
            }
            return Err(rejection);
        }
        if fetched {
            self.keep(url, Arc::clone(&chain));
        }
        let leaf = chain
            .first()
            .ok_or_else(|| Rejection::BadChain("empty".into()))?;
        let leaf = EndEntityCert::try_from(leaf).map_err(|e| Rejection::BadChain(e.to_string()))?;
        leaf.verify_signature(
            webpki::ring::RSA_PKCS1_2048_8192_SHA256,
            body,
            &request.signature,
        )
        .map_err(|e| Rejection::BadSignature(e.to_string()))
    }

    /// Amazon's rules for `SignatureCertChainUrl` (see the module documentation).
    pub fn check_url(&self, raw: &str) -> Result<Url, Rejection> {
        let bad = |why: &str| Rejection::BadChainUrl(why.to_owned());
        let url = Url::parse(raw.trim()).map_err(|_| bad("not a URL"))?;
        if !url.scheme().eq_ignore_ascii_case(&self.origin.scheme) {
            return Err(bad("not https"));
        }
        if !url
            .host_str()
            .is_some_and(|h| h.eq_ignore_ascii_case(&self.origin.host))
        {
            return Err(bad("not the certificate host"));
        }
        if url.port_or_known_default() != Some(self.origin.port) {
            return Err(bad("not port 443"));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(bad("carries credentials"));
        }
        // `Url` has resolved `.` and `..` segments already.
        if !url.path().starts_with(self.origin.path_prefix) {
            return Err(bad("the path does not start with /echo.api/"));
        }
        Ok(url)
    }

    /// The chain at `url`, fetched and parsed, unless fetching it failed less than
    /// [`FAILURE_TTL`] ago (then that failure again, without a fetch). A failure is remembered.
    async fn fetch(&self, url: &Url) -> Result<Arc<Vec<CertificateDer<'static>>>, Rejection> {
        if let Some(rejection) = self
            .failures
            .lock()
            .ok()
            .and_then(|failures| failures.recent(url.as_str(), Instant::now()))
        {
            return Err(Rejection::FailedRecently(Box::new(rejection)));
        }
        let fetched = self.fetch_uncached(url).await;
        if let Err(rejection) = &fetched {
            self.remember_failure(url, rejection);
        }
        fetched
    }

    async fn fetch_uncached(
        &self,
        url: &Url,
    ) -> Result<Arc<Vec<CertificateDer<'static>>>, Rejection> {
        let client = self
            .http
            .as_ref()
            .map_err(|e| Rejection::ChainUnavailable(e.clone()))?;
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let unavailable = |e: reqwest::Error| Rejection::ChainUnavailable(crate::error_chain(&e));
        let mut response = client
            .get(url.clone())
            .timeout(FETCH_TIMEOUT)
            .send()
            .await
            .map_err(unavailable)?;
        if !response.status().is_success() {
            return Err(Rejection::ChainUnavailable(format!(
                "HTTP {}",
                response.status().as_u16()
            )));
        }
        let mut pem = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unavailable)? {
            if pem.len() + chunk.len() > MAX_CHAIN_BYTES {
                return Err(Rejection::ChainUnavailable(format!(
                    "larger than {MAX_CHAIN_BYTES} bytes"
                )));
            }
            pem.extend_from_slice(&chunk);
        }
        let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<_, _>>()
            .map_err(|e| Rejection::BadChain(format!("not PEM certificates ({e:?})")))?;
        if chain.is_empty() {
            return Err(Rejection::BadChain("no certificate in it".into()));
        }
        Ok(Arc::new(chain))
    }

    fn cached(&self, url: &Url) -> Option<Arc<Vec<CertificateDer<'static>>>> {
        self.cache.lock().ok()?.get(url.as_str()).cloned()
    }

    /// Keeps a chain that verified, and forgets any failure of its URL.
    fn keep(&self, url: &Url, chain: Arc<Vec<CertificateDer<'static>>>) {
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(url.as_str().to_owned(), chain);
        }
        if let Ok(mut failures) = self.failures.lock() {
            failures.forget(url.as_str());
        }
    }

    fn forget(&self, url: &Url) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(url.as_str());
        }
    }

    fn remember_failure(&self, url: &Url, rejection: &Rejection) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remember(url.as_str(), rejection.clone(), Instant::now());
        }
    }

    /// The leaf is valid now, names `echo-api.amazon.com`, and leads to a trusted root.
    fn verify_chain(
        &self,
        chain: &[CertificateDer<'static>],
        time: UnixTime,
    ) -> Result<(), Rejection> {
        let bad = |e: webpki::Error| Rejection::BadChain(format!("{e:?}"));
        let (leaf, intermediates) = chain
            .split_first()
            .ok_or_else(|| Rejection::BadChain("empty".into()))?;
        let leaf = EndEntityCert::try_from(leaf).map_err(bad)?;
        leaf.verify_for_usage(
            webpki::ALL_VERIFICATION_ALGS,
            &self.anchors,
            intermediates,
            time,
            KeyUsage::server_auth(),
            None,
            None,
        )
        .map_err(bad)?;
        let name =
            ServerName::try_from(SIGNING_NAME).map_err(|e| Rejection::BadChain(e.to_string()))?;
        leaf.verify_is_valid_for_subject_name(&name).map_err(bad)
    }
}

/// `request.timestamp` (RFC 3339, as Alexa sends it) within [`TIMESTAMP_TOLERANCE`] of `now`.
fn check_timestamp(body: &[u8], now: SystemTime) -> Result<(), Rejection> {
    #[derive(serde::Deserialize)]
    struct Envelope {
        request: Request,
    }
    #[derive(serde::Deserialize)]
    struct Request {
        timestamp: String,
    }
    let envelope: Envelope = serde_json::from_slice(body).map_err(|e| {
        Rejection::BadTimestamp(crate::logging::capped(&e.to_string(), 120).into_owned())
    })?;
    let at = unix_seconds(&envelope.request.timestamp)
        .ok_or_else(|| Rejection::BadTimestamp("not an RFC 3339 time".into()))?;
    let now = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let distance = now.abs_diff(at);
    if distance > TIMESTAMP_TOLERANCE.as_secs() {
        return Err(Rejection::Stale(distance));
    }
    Ok(())
}

/// Seconds since the Unix epoch of `2026-11-25T18:04:05Z` (fractions ignored; `Z` or `±hh:mm`).
pub fn unix_seconds(text: &str) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 20 || bytes[4] != b'-' || bytes[7] != b'-' || !matches!(bytes[10], b'T' | b't')
    {
        return None;
    }
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if bytes[13] != b':'
        || bytes[16] != b':'
        || !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &text[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &fraction[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':' =>
        {
            let hours: i64 = rest.get(1..3)?.parse().ok()?;
            let minutes: i64 = rest.get(4..6)?.parse().ok()?;
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            sign * (hours * 3600 + minutes * 60)
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_as_alexa_sends_them() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(unix_seconds("2026-11-25T18:04:05Z"), Some(1_795_629_845));
        assert_eq!(
            unix_seconds("2026-11-25T18:04:05.123Z"),
            Some(1_795_629_845)
        );
        assert_eq!(
            unix_seconds("2026-11-25T19:04:05+01:00"),
            Some(1_795_629_845)
        );
        assert_eq!(unix_seconds("2000-02-29T00:00:00Z"), Some(951_782_400));
        for bad in [
            "",
            "2026-11-25",
            "2026-13-25T18:04:05Z",
            "2026-11-25T18:04:05",
            "x026-11-25T18:04:05Z",
            "2026-11-25T18:04:05.Z",
        ] {
            assert_eq!(unix_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_failure_is_remembered_for_a_minute() {
        let mut failures = Failures::default();
        let at = Instant::now();
        let why = Rejection::ChainUnavailable("HTTP 404".into());
        failures.remember("https://a/echo.api/x.pem", why.clone(), at);
        assert_eq!(
            failures.recent("https://a/echo.api/x.pem", at + Duration::from_secs(59)),
            Some(why)
        );
        assert_eq!(
            failures.recent("https://a/echo.api/x.pem", at + FAILURE_TTL),
            None
        );
        assert_eq!(failures.recent("https://a/echo.api/y.pem", at), None);
    }

    #[test]
    fn remembered_failures_are_bounded_and_the_oldest_go_first() {
        let mut failures = Failures::default();
        let start = Instant::now();
        let why = Rejection::ChainUnavailable("HTTP 404".into());
        for n in 0..(MAX_FAILURES as u64 + 10) {
            failures.remember(
                &format!("https://a/echo.api/{n}.pem"),
                why.clone(),
                start + Duration::from_millis(n),
            );
            assert!(failures.entries.len() <= MAX_FAILURES);
        }
        let now = start + Duration::from_secs(1);
        assert_eq!(failures.recent("https://a/echo.api/0.pem", now), None);
        assert!(failures
            .recent(&format!("https://a/echo.api/{}.pem", MAX_FAILURES + 9), now)
            .is_some());
        // Expired entries make room before any recent one is dropped.
        let later = start + FAILURE_TTL + Duration::from_secs(1);
        failures.remember("https://a/echo.api/new.pem", why, later);
        assert_eq!(failures.entries.len(), 1);
    }

    #[test]
    fn chain_urls_follow_amazons_rules() {
        let verifier = SignatureVerifier::new();
        for good in [
            "https://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
            "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
        ] {
            assert!(verifier.check_url(good).is_ok(), "{good}");
        }
        for bad in [
            "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "https://notamazon.com/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
            "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
            "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
            "https://s3.amazonaws.com/echo.api/../invalid.path/echo-api-cert.pem",
            "https://user:pw@s3.amazonaws.com/echo.api/echo-api-cert.pem",
            "not a url",
        ] {
            assert!(verifier.check_url(bad).is_err(), "{bad}");
        }
    }
}
