//! HTTP Basic authentication of the bridge's endpoints (all but `/healthz`).
//!
//! Music Assistant's Alexa provider sends the credentials entered in its settings; the skill
//! sends `API_USERNAME`/`API_PASSWORD`. User name and password are compared in constant time,
//! both of them every time, so the answer's timing does not tell how much of a guess was right.

use std::fmt;

use base64::alphabet;
use base64::engine::general_purpose::GeneralPurposeConfig;
use base64::engine::{DecodePaddingMode, GeneralPurpose};
use base64::Engine;
use hyper::header::HeaderValue;
use secrecy::ExposeSecret;
use subtle::ConstantTimeEq;

use crate::settings::BasicAuth;

/// The realm in `WWW-Authenticate`: the same as the Node bridge's, so clients that remember
/// credentials per realm keep them.
pub const REALM: &str = "music-assistant-alexa-api";

/// Standard base64, with or without padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Who may use the bridge.
#[derive(Clone)]
pub enum Access {
    /// Anyone (no credentials configured).
    Open,
    /// Whoever sends these HTTP Basic credentials.
    Basic(BasicAuth),
}

impl fmt::Debug for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Open => f.write_str("Open"),
            Self::Basic(_) => f.write_str("Basic(..)"),
        }
    }
}

impl Access {
    /// Whether a request with this `Authorization` header may pass.
    pub fn allows(&self, authorization: Option<&HeaderValue>) -> bool {
        let Self::Basic(expected) = self else {
            return true;
        };
        let Some((given_user, given_password)) = authorization.and_then(basic_credentials) else {
            return false;
        };
        let user_ok = given_user.as_slice().ct_eq(expected.username.as_bytes());
        let password_ok = given_password
            .as_slice()
            .ct_eq(expected.password.expose_secret().as_bytes());
        bool::from(user_ok & password_ok)
    }

    /// Whether credentials are required.
    pub fn is_open(&self) -> bool {
        matches!(self, Self::Open)
    }
}

/// The user name and password of a `Basic` header, as bytes.
fn basic_credentials(header: &HeaderValue) -> Option<(Vec<u8>, Vec<u8>)> {
    let value = header.to_str().ok()?.trim();
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = BASE64.decode(encoded.trim()).ok()?;
    let colon = decoded.iter().position(|&b| b == b':')?;
    Some((decoded[..colon].to_vec(), decoded[colon + 1..].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access() -> Access {
        Access::Basic(BasicAuth {
            username: "alexa".into(),
            password: secrecy::SecretString::from("pa:ss wörd"),
        })
    }

    fn header(raw: &str) -> HeaderValue {
        HeaderValue::from_str(raw).expect("header")
    }

    fn basic(user: &str, password: &str) -> HeaderValue {
        header(&format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"))
        ))
    }

    #[test]
    fn the_right_credentials_pass_in_any_scheme_case() {
        assert!(access().allows(Some(&basic("alexa", "pa:ss wörd"))));
        let lower = basic("alexa", "pa:ss wörd")
            .to_str()
            .expect("ascii")
            .replace("Basic", "basic");
        assert!(access().allows(Some(&header(&lower))));
    }

    #[test]
    fn anything_else_is_refused() {
        let a = access();
        for refused in [
            None,
            Some(basic("alexa", "pa:ss")),
            Some(basic("Alexa", "pa:ss wörd")),
            Some(basic("alexa", "pa:ss wörd ")),
            Some(basic("", "")),
            Some(header("Bearer abc")),
            Some(header("Basic")),
            Some(header("Basic !!!")),
            Some(header("Basic YWxleGE=")), // "alexa", no colon
        ] {
            assert!(!a.allows(refused.as_ref()), "{refused:?}");
        }
    }

    #[test]
    fn open_access_needs_nothing() {
        assert!(Access::Open.allows(None));
    }

    #[test]
    fn debug_output_hides_the_credentials() {
        let debug = format!("{:?}", access());
        assert!(
            !debug.contains("alexa") && !debug.contains("wörd"),
            "{debug}"
        );
    }
}
