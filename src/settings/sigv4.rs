//! AWS Signature Version 4 for one JSON `POST`, the way every AWS JSON API (SSM among them)
//! authenticates a request: a canonical form of the request, hashed and signed with a key
//! derived from the secret access key, the date, the region and the service.
//!
//! Only what the skill sends is covered: a `POST` with a body in memory, no query string, the
//! headers given here. `tests` check it against the AWS SDK's own signer.

use std::fmt::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use ring::{digest, hmac};

/// Who signs: an access key, its secret and, for temporary credentials (Lambda's), a session
/// token. `Debug` shows the key id only.
#[derive(Clone)]
pub struct Credentials {
    /// `AKIA…` or `ASIA…`.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: secrecy::SecretString,
    /// The session token of temporary credentials.
    pub session_token: Option<secrecy::SecretString>,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"[redacted]")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "[redacted]"),
            )
            .finish()
    }
}

/// One request to sign.
#[derive(Debug)]
pub struct Request<'a> {
    /// `host[:port]`, exactly as the `Host` header will carry it.
    pub host: &'a str,
    /// The path, as it goes on the wire (percent-encoded once); `/` for an API root.
    pub path: &'a str,
    /// Headers besides `host` and the `x-amz-*` ones signing adds, names in lower case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The body.
    pub body: &'a [u8],
}

/// Where the request goes and when it is signed.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// `eu-west-1`.
    pub region: &'a str,
    /// The signing name of the service: `ssm`.
    pub service: &'a str,
    /// The signing time.
    pub time: SystemTime,
}

/// Signs `request`: the headers to add to it (`x-amz-date`, `x-amz-security-token` when the
/// credentials have one, and `authorization`).
pub fn sign(
    request: &Request<'_>,
    scope: Scope<'_>,
    credentials: &Credentials,
) -> Vec<(&'static str, String)> {
    use secrecy::ExposeSecret;

    let (date, stamp) = timestamp(scope.time);
    let token = credentials
        .session_token
        .as_ref()
        .map(|t| t.expose_secret().to_owned());
    let mut headers: Vec<(String, String)> = request
        .headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    headers.push(("host".into(), request.host.to_owned()));
    headers.push(("x-amz-date".into(), stamp.clone()));
    if let Some(token) = &token {
        headers.push(("x-amz-security-token".into(), token.clone()));
    }
    headers.sort();
    let signed_headers = headers
        .iter()
        .map(|(name, _)| name.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let mut canonical = format!("POST\n{}\n\n", canonical_path(request.path));
    for (name, value) in &headers {
        let _ = writeln!(canonical, "{name}:{value}");
    }
    let _ = write!(
        canonical,
        "\n{signed_headers}\n{}",
        hex(digest::digest(&digest::SHA256, request.body).as_ref())
    );
    let credential_scope = format!("{date}/{}/{}/aws4_request", scope.region, scope.service);
    let string_to_sign = format!(
        "AWS4-HMAC-SHA256\n{stamp}\n{credential_scope}\n{}",
        hex(digest::digest(&digest::SHA256, canonical.as_bytes()).as_ref())
    );
    let secret = format!("AWS4{}", credentials.secret_access_key.expose_secret());
    let key = [date.as_str(), scope.region, scope.service, "aws4_request"]
        .iter()
        .fold(secret.into_bytes(), |key, part| {
            mac(&key, part.as_bytes()).as_ref().to_vec()
        });
    let signature = hex(mac(&key, string_to_sign.as_bytes()).as_ref());
    let mut added = vec![("x-amz-date", stamp)];
    if let Some(token) = token {
        added.push(("x-amz-security-token", token));
    }
    added.push((
        "authorization",
        format!(
            "AWS4-HMAC-SHA256 Credential={}/{credential_scope}, SignedHeaders={signed_headers}, Signature={signature}",
            credentials.access_key_id
        ),
    ));
    added
}

fn mac(key: &[u8], data: &[u8]) -> hmac::Tag {
    hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, key), data)
}

/// Each path segment percent-encoded once more (every AWS service but S3 signs the path
/// encoded twice), unreserved characters left as they are.
fn canonical_path(path: &str) -> String {
    if path.is_empty() {
        return "/".into();
    }
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(char::from(byte));
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// `20261126` and `20261126T085300Z` (UTC) of `time`.
fn timestamp(time: SystemTime) -> (String, String) {
    let seconds = time
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let days = i64::try_from(seconds / 86_400).unwrap_or(0);
    let of_day = seconds % 86_400;
    let (year, month, day) = civil_from_days(days);
    let date = format!("{year:04}{month:02}{day:02}");
    let stamp = format!(
        "{date}T{:02}{:02}{:02}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    );
    (date, stamp)
}

/// The Gregorian date of a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = u32::try_from(doy - (153 * mp + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if mp < 10 { mp + 3 } else { mp - 9 }).unwrap_or(1);
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn dates_are_utc_calendar_dates() {
        let at = |secs: u64| timestamp(UNIX_EPOCH + Duration::from_secs(secs)).1;
        assert_eq!(at(0), "19700101T000000Z");
        assert_eq!(at(951_782_400), "20000229T000000Z");
        assert_eq!(at(1_440_938_160), "20150830T123600Z");
        assert_eq!(at(4_102_444_799), "20991231T235959Z");
    }

    #[test]
    fn paths_are_encoded_once_more() {
        assert_eq!(canonical_path(""), "/");
        assert_eq!(canonical_path("/"), "/");
        assert_eq!(canonical_path("/a%20b/c"), "/a%2520b/c");
    }

    #[test]
    fn debug_hides_the_secret_and_the_token() {
        let credentials = Credentials {
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
            session_token: Some("session-token-value".into()),
        };
        let shown = format!("{credentials:?}");
        assert!(shown.contains("AKIDEXAMPLE"), "{shown}");
        assert!(
            !shown.contains("wJalr") && !shown.contains("session-token-value"),
            "{shown}"
        );
    }
}
