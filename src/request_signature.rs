//! What Amazon requires of a skill served as an HTTPS web service (not Lambda): every request
//! is checked before anything in it is believed.
//!
//! 1. `SignatureCertChainUrl` is `https://s3.amazonaws.com/echo.api/…`: scheme and host in any
//!    case, port 443 if one is given, the path (after `..` is resolved) starting with
//!    `/echo.api/` exactly.
//! 2. The PEM chain at that URL (fetched with a short timeout and a size cap, then kept until it
//!    no longer verifies, that is until the signing certificate expires) leads from a signing
//!    certificate valid now, whose names include `echo-api.amazon.com`, to a root of the public
//!    web PKI (webpki-roots), checked by rustls-webpki: no cryptography of our own.
//! 3. `Signature-256` is the base64 RSA-SHA256 signature of the exact body, made with the signing
//!    certificate's key.
//! 4. `request.timestamp` is within 150 seconds of now.
//!
//! The skill id check comes after, in the endpoint (`SKILL_ID` is required there).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

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
            fetches: AtomicU64::new(0),
        }
    }

    /// How many times a chain was fetched.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Checks one request: the headers' values (`None` when absent), the exact body, and now.
    pub async fn verify(
        &self,
        chain_url: Option<&str>,
        signature: Option<&str>,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), Rejection> {
        let chain_url = chain_url.ok_or(Rejection::MissingHeader("SignatureCertChainUrl"))?;
        let signature = signature.ok_or(Rejection::MissingHeader("Signature-256"))?;
        let url = self.check_url(chain_url)?;
        let signature = base64::engine::general_purpose::STANDARD
            .decode(signature.trim())
            .map_err(|e| Rejection::BadSignature(format!("not base64 ({e})")))?;
        let chain = self.chain(&url).await?;
        let time = UnixTime::since_unix_epoch(now.duration_since(UNIX_EPOCH).unwrap_or_default());
        if let Err(rejection) = self.verify_chain(&chain, time) {
            // An expired (or otherwise failing) cached chain is fetched again next time.
            self.forget(&url);
            return Err(rejection);
        }
        let leaf = chain
            .first()
            .ok_or_else(|| Rejection::BadChain("empty".into()))?;
        let leaf = EndEntityCert::try_from(leaf).map_err(|e| Rejection::BadChain(e.to_string()))?;
        leaf.verify_signature(webpki::ring::RSA_PKCS1_2048_8192_SHA256, body, &signature)
            .map_err(|e| Rejection::BadSignature(e.to_string()))?;
        check_timestamp(body, now)
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

    /// The chain at `url`: from the cache, else fetched (once) and parsed.
    async fn chain(&self, url: &Url) -> Result<Arc<Vec<CertificateDer<'static>>>, Rejection> {
        if let Some(chain) = self.cached(url) {
            return Ok(chain);
        }
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
        let chain = Arc::new(chain);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() >= MAX_CACHED {
                cache.clear();
            }
            cache.insert(url.as_str().to_owned(), Arc::clone(&chain));
        }
        Ok(chain)
    }

    fn cached(&self, url: &Url) -> Option<Arc<Vec<CertificateDer<'static>>>> {
        self.cache.lock().ok()?.get(url.as_str()).cloned()
    }

    fn forget(&self, url: &Url) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.remove(url.as_str());
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
