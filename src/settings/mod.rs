//! The skill's settings: what they mean ([`Settings`]) and where they come from
//! ([`source::SettingsSource`]: the environment, or SSM Parameter Store through [`ssm`]).
//!
//! Names match the constants of the Node skill this project replaces, so its users can carry
//! their values over. Each part is parsed on its own: a missing bridge address does not stop
//! "pause" from working, and a request only fails on the part it needs, naming that setting.
//! Secrets live in [`SecretString`], so `Settings` can derive `Debug` without printing them.

pub mod source;
pub mod ssm;

use secrecy::SecretString;
use url::Url;

use crate::stream::HttpsBase;

/// Name of the bridge address setting.
pub const API_HOSTNAME: &str = "API_HOSTNAME";
/// Name of the bridge's Basic-auth user name setting.
pub const API_USERNAME: &str = "API_USERNAME";
/// Name of the bridge's Basic-auth password setting (a secret).
pub const API_PASSWORD: &str = "API_PASSWORD";
/// Name of the public stream host setting.
pub const MA_HOSTNAME: &str = "MA_HOSTNAME";
/// Name of the setting that restricts the skill id.
pub const SKILL_ID: &str = "SKILL_ID";

/// Every setting this build reads.
pub const ALL: [&str; 5] = [
    API_HOSTNAME,
    API_USERNAME,
    API_PASSWORD,
    MA_HOSTNAME,
    SKILL_ID,
];

/// A setting that is missing or unusable. Messages name the setting and say what is wrong; they
/// never contain a secret value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A required setting is not set (or empty).
    #[error("setting {name} is missing")]
    Missing {
        /// The setting's name.
        name: &'static str,
    },
    /// A setting is set to something unusable.
    #[error("setting {name} is invalid: {reason}")]
    Invalid {
        /// The setting's name.
        name: &'static str,
        /// What is wrong, for the owner.
        reason: String,
    },
    /// One of a pair of settings that go together is set without the other.
    #[error("setting {present} is set but {missing} is not: set both or neither")]
    Incomplete {
        /// The one that is set.
        present: &'static str,
        /// The one that is not.
        missing: &'static str,
    },
}

impl SettingsError {
    /// The setting the problem is about (the missing one for a pair).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Missing { name } | Self::Invalid { name, .. } => name,
            Self::Incomplete { missing, .. } => missing,
        }
    }
}

/// Where and how to reach the bridge.
#[derive(Debug, Clone)]
pub struct BridgeSettings {
    /// Base URL; endpoint paths are joined onto it.
    pub base: Url,
    /// HTTP Basic credentials, when the bridge wants them.
    pub credentials: Option<BasicAuth>,
}

/// HTTP Basic credentials.
#[derive(Debug, Clone)]
pub struct BasicAuth {
    /// The user name (not secret, but not logged either).
    pub username: String,
    /// The password.
    pub password: SecretString,
}

/// Everything the skill is configured with.
#[derive(Debug, Clone)]
pub struct Settings {
    /// When set, requests from any other skill are refused.
    pub skill_id: Option<String>,
    /// The bridge, or why it cannot be used.
    pub bridge: Result<BridgeSettings, SettingsError>,
    /// The public stream host, or why it cannot be used.
    pub stream_base: Result<HttpsBase, SettingsError>,
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup`, which answers a setting's value by name. Values are
    /// trimmed; an empty value counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        Self {
            skill_id: get(SKILL_ID),
            bridge: bridge_settings(get(API_HOSTNAME), get(API_USERNAME), get(API_PASSWORD)),
            stream_base: get(MA_HOSTNAME)
                .ok_or(SettingsError::Missing { name: MA_HOSTNAME })
                .and_then(|raw| {
                    HttpsBase::parse(&raw).map_err(|e| SettingsError::Invalid {
                        name: MA_HOSTNAME,
                        reason: e.to_string(),
                    })
                }),
        }
    }

    /// The problems found, for one log line each when the settings are loaded.
    pub fn problems(&self) -> impl Iterator<Item = &SettingsError> {
        [self.bridge.as_ref().err(), self.stream_base.as_ref().err()]
            .into_iter()
            .flatten()
    }
}

fn bridge_settings(
    host: Option<String>,
    username: Option<String>,
    password: Option<String>,
) -> Result<BridgeSettings, SettingsError> {
    let host = host.ok_or(SettingsError::Missing { name: API_HOSTNAME })?;
    let base = bridge_base(&host).map_err(|reason| SettingsError::Invalid {
        name: API_HOSTNAME,
        reason,
    })?;
    let credentials = match (username, password) {
        (None, None) => None,
        (Some(username), Some(password)) => Some(BasicAuth {
            username,
            password: SecretString::from(password),
        }),
        (Some(_), None) => {
            return Err(SettingsError::Incomplete {
                present: API_USERNAME,
                missing: API_PASSWORD,
            })
        }
        (None, Some(_)) => {
            return Err(SettingsError::Incomplete {
                present: API_PASSWORD,
                missing: API_USERNAME,
            })
        }
    };
    Ok(BridgeSettings { base, credentials })
}

/// A bare host means https; a full `http(s)://` base URL is taken as given (plain http is fine
/// for a bridge on the same machine). The result always ends in `/` so paths join under it.
fn bridge_base(raw: &str) -> Result<Url, String> {
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let mut url =
        Url::parse(&with_scheme).map_err(|e| format!("'{raw}' is not a host or URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("'{raw}' must be an http or https address"));
    }
    if url.host_str().is_none() {
        return Err(format!("'{raw}' has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "it must not carry credentials: put them in {API_USERNAME} and {API_PASSWORD}"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("'{raw}' must not have a query or fragment"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use secrecy::ExposeSecret;

    use super::*;

    fn settings(pairs: &[(&str, &str)]) -> Settings {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn bare_bridge_host_means_https() {
        let s = settings(&[(API_HOSTNAME, "bridge.example.com")]);
        let bridge = s.bridge.expect("valid");
        assert_eq!(bridge.base.as_str(), "https://bridge.example.com/");
        assert!(bridge.credentials.is_none());
    }

    #[test]
    fn full_bridge_url_with_port_and_path() {
        let s = settings(&[(API_HOSTNAME, "http://127.0.0.1:3000/bridge")]);
        assert_eq!(
            s.bridge.expect("valid").base.as_str(),
            "http://127.0.0.1:3000/bridge/"
        );
    }

    #[test]
    fn missing_settings_are_named() {
        let s = settings(&[]);
        assert_eq!(
            s.bridge.unwrap_err(),
            SettingsError::Missing { name: API_HOSTNAME }
        );
        assert_eq!(
            s.stream_base.unwrap_err(),
            SettingsError::Missing { name: MA_HOSTNAME }
        );
        assert_eq!(s.skill_id, None);
    }

    #[test]
    fn blank_values_count_as_unset() {
        let s = settings(&[(API_HOSTNAME, "  "), (SKILL_ID, "")]);
        assert!(matches!(s.bridge, Err(SettingsError::Missing { .. })));
        assert_eq!(s.skill_id, None);
    }

    #[test]
    fn stream_host_must_be_https() {
        let s = settings(&[(MA_HOSTNAME, "http://ma.example.net")]);
        let err = s.stream_base.unwrap_err();
        assert_eq!(err.name(), MA_HOSTNAME);
        assert!(err.to_string().contains("https"), "{err}");
    }

    #[test]
    fn bridge_refuses_other_schemes_and_inline_credentials() {
        for raw in [
            "ftp://bridge",
            "https://u:secretpw@bridge",
            "https://bridge/?x=1",
            "http://",
        ] {
            let err = settings(&[(API_HOSTNAME, raw)]).bridge.unwrap_err();
            assert_eq!(err.name(), API_HOSTNAME, "{raw}");
            assert!(!err.to_string().contains("secretpw"), "{err}");
        }
    }

    #[test]
    fn credentials_come_in_pairs() {
        let only_user = settings(&[(API_HOSTNAME, "b"), (API_USERNAME, "u")]);
        assert_eq!(
            only_user.bridge.unwrap_err(),
            SettingsError::Incomplete {
                present: API_USERNAME,
                missing: API_PASSWORD
            }
        );
        let only_password = settings(&[(API_HOSTNAME, "b"), (API_PASSWORD, "p")]);
        assert_eq!(
            only_password.bridge.unwrap_err(),
            SettingsError::Incomplete {
                present: API_PASSWORD,
                missing: API_USERNAME
            }
        );
        let both = settings(&[
            (API_HOSTNAME, "b"),
            (API_USERNAME, "u"),
            (API_PASSWORD, "p"),
        ]);
        let creds = both
            .bridge
            .expect("valid")
            .credentials
            .expect("credentials");
        assert_eq!(creds.username, "u");
        assert_eq!(creds.password.expose_secret(), "p");
    }

    #[test]
    fn debug_output_hides_the_password() {
        let s = settings(&[
            (API_HOSTNAME, "bridge.example.com"),
            (API_USERNAME, "alice"),
            (API_PASSWORD, "correct horse battery staple"),
            (MA_HOSTNAME, "ma.example.net"),
        ]);
        let debug = format!("{s:?}");
        assert!(!debug.contains("correct horse"), "{debug}");
        assert!(debug.contains("REDACTED"), "{debug}");
    }

    #[test]
    fn problems_lists_each_unusable_part() {
        let s = settings(&[(MA_HOSTNAME, "ma.example.net")]);
        let names: Vec<_> = s.problems().map(SettingsError::name).collect();
        assert_eq!(names, [API_HOSTNAME]);
    }
}
