//! The skill's settings: what they mean ([`Settings`]) and where they come from
//! ([`source::SettingsSource`]: the environment, or SSM Parameter Store through [`ssm`]).
//!
//! Names match the constants of the Node skill this project replaces, so its users can carry
//! their values over. Each part is parsed on its own: a missing bridge address does not stop
//! "pause" from working, and a request only fails on the part it needs, naming that setting.
//! Secrets live in [`SecretString`], so `Settings` can derive `Debug` without printing them.

pub mod aws;
pub mod sigv4;
pub mod source;
pub mod ssm;

use std::collections::HashMap;

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

/// Name of Music Assistant's API base URL setting.
pub const MA_API_URL: &str = "MA_API_URL";
/// Name of Music Assistant's long-lived token setting (a secret).
pub const MA_API_TOKEN: &str = "MA_API_TOKEN";
/// Name of the setting that maps Alexa device ids to Music Assistant player ids.
pub const DEVICE_PLAYERS: &str = "DEVICE_PLAYERS";
/// Name of the setting that maps spoken room names to Music Assistant player ids.
pub const ROOM_ALIASES: &str = "ROOM_ALIASES";
/// Name of the setting that turns open-screen mode on: on Echo devices with a screen that can
/// play media in APL, the skill keeps a now-playing page open that plays the stream itself.
pub const OPEN_SCREEN: &str = "OPEN_SCREEN";

/// Every setting this build reads.
pub const ALL: [&str; 10] = [
    API_HOSTNAME,
    API_USERNAME,
    API_PASSWORD,
    MA_HOSTNAME,
    SKILL_ID,
    MA_API_URL,
    MA_API_TOKEN,
    DEVICE_PLAYERS,
    ROOM_ALIASES,
    OPEN_SCREEN,
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

/// Where and how to reach Music Assistant's API.
#[derive(Debug, Clone)]
pub struct MaSettings {
    /// Base URL; `api` is joined onto it.
    pub base: Url,
    /// The long-lived token.
    pub token: SecretString,
}

/// HTTP Basic credentials.
#[derive(Debug, Clone)]
pub struct BasicAuth {
    /// The user name (not secret, but not logged either).
    pub username: String,
    /// The password.
    pub password: SecretString,
}

impl BasicAuth {
    /// Credentials from a user name and a password setting, which go together: both or
    /// neither. `user_setting` and `password_setting` name them in the error.
    pub fn pair(
        username: Option<String>,
        password: Option<String>,
        user_setting: &'static str,
        password_setting: &'static str,
    ) -> Result<Option<Self>, SettingsError> {
        match (username, password) {
            (None, None) => Ok(None),
            (Some(username), Some(password)) => Ok(Some(Self {
                username,
                password: SecretString::from(password),
            })),
            (Some(_), None) => Err(SettingsError::Incomplete {
                present: user_setting,
                missing: password_setting,
            }),
            (None, Some(_)) => Err(SettingsError::Incomplete {
                present: password_setting,
                missing: user_setting,
            }),
        }
    }
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
    /// Music Assistant's API, or why it cannot be used (`Missing` `MA_API_URL`: not configured).
    pub music_assistant: Result<MaSettings, SettingsError>,
    /// Alexa device id → Music Assistant player id, for devices that never played through the
    /// skill.
    pub device_players: Result<HashMap<String, String>, SettingsError>,
    /// Spoken room name → Music Assistant player id, for names Alexa hears differently from
    /// how Music Assistant spells them.
    pub room_aliases: Result<HashMap<String, String>, SettingsError>,
    /// Open-screen mode (`OPEN_SCREEN`, off by default): a now-playing page on screen devices
    /// that can play media in APL; every other device keeps the AudioPlayer answers.
    pub open_screen: Result<bool, SettingsError>,
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
            music_assistant: ma_settings(get(MA_API_URL), get(MA_API_TOKEN)),
            device_players: get(DEVICE_PLAYERS).map_or(Ok(HashMap::new()), |raw| {
                id_map(&raw, DEVICE_PLAYERS, "Alexa device ids", "device")
            }),
            room_aliases: get(ROOM_ALIASES).map_or(Ok(HashMap::new()), |raw| {
                id_map(&raw, ROOM_ALIASES, "spoken room names", "room")
            }),
            open_screen: get(OPEN_SCREEN).map_or(Ok(false), |raw| switch(&raw, OPEN_SCREEN)),
        }
    }

    /// These settings for the skill served inside the bridge (`BRIDGE_SKILL_ENDPOINT`): the
    /// bridge is that same process, `own`, whatever `API_HOSTNAME`, `API_USERNAME` and
    /// `API_PASSWORD` say. There the skill reads the bridge's slots in-process, so those three
    /// are not needed, and their absence is not a problem.
    pub fn inside_bridge(mut self, own: BridgeSettings) -> Self {
        self.bridge = Ok(own);
        self
    }

    /// The problems found, for one log line each when the settings are loaded. Music Assistant
    /// control is optional: its absence is not a problem, a half-done or invalid set-up is.
    pub fn problems(&self) -> impl Iterator<Item = &SettingsError> {
        let ma = self
            .music_assistant
            .as_ref()
            .err()
            .filter(|e| **e != SettingsError::Missing { name: MA_API_URL });
        [
            self.bridge.as_ref().err(),
            self.stream_base.as_ref().err(),
            ma,
            self.device_players.as_ref().err(),
            self.room_aliases.as_ref().err(),
            self.open_screen.as_ref().err(),
        ]
        .into_iter()
        .flatten()
    }
}

impl Settings {
    /// Whether open-screen mode is on; an unusable `OPEN_SCREEN` counts as off (its problem is
    /// logged when the settings load, and the doctor names it).
    pub fn open_screen(&self) -> bool {
        matches!(self.open_screen, Ok(true))
    }
}

/// An on/off setting: `true`, `1`, `yes`, `on` or `false`, `0`, `no`, `off`, in any case.
fn switch(raw: &str, name: &'static str) -> Result<bool, SettingsError> {
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(SettingsError::Invalid {
            name,
            reason: "it must be true or false".into(),
        }),
    }
}

fn ma_settings(url: Option<String>, token: Option<String>) -> Result<MaSettings, SettingsError> {
    let url = url.ok_or(SettingsError::Missing { name: MA_API_URL })?;
    let base = base_url(&url).map_err(|reason| SettingsError::Invalid {
        name: MA_API_URL,
        reason,
    })?;
    let token = token.ok_or(SettingsError::Missing { name: MA_API_TOKEN })?;
    if token.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(SettingsError::Invalid {
            name: MA_API_TOKEN,
            reason: "it contains spaces or control characters".into(),
        });
    }
    Ok(MaSettings {
        base,
        token: SecretString::from(token),
    })
}

/// A JSON object of `keys` (`{"amzn1.ask.device.…": "Kitchen Echo", …}` for `DEVICE_PLAYERS`,
/// `{"lounge": "media_player.living_room", …}` for `ROOM_ALIASES`) to Music Assistant player ids.
fn id_map(
    raw: &str,
    name: &'static str,
    keys: &str,
    key: &str,
) -> Result<HashMap<String, String>, SettingsError> {
    let invalid = |reason: String| SettingsError::Invalid { name, reason };
    let map: HashMap<String, String> = serde_json::from_str(raw).map_err(|e| {
        invalid(format!(
            "it must be a JSON object of {keys} to Music Assistant player ids ({e})"
        ))
    })?;
    if let Some((found, _)) = map
        .iter()
        .find(|(k, p)| k.trim().is_empty() || p.trim().is_empty())
    {
        return Err(invalid(format!(
            "{key} '{found}' has an empty name or player id"
        )));
    }
    Ok(map)
}

fn bridge_settings(
    host: Option<String>,
    username: Option<String>,
    password: Option<String>,
) -> Result<BridgeSettings, SettingsError> {
    let host = host.ok_or(SettingsError::Missing { name: API_HOSTNAME })?;
    let base = base_url(&host).map_err(|reason| SettingsError::Invalid {
        name: API_HOSTNAME,
        reason,
    })?;
    let credentials = BasicAuth::pair(username, password, API_USERNAME, API_PASSWORD)?;
    Ok(BridgeSettings { base, credentials })
}

/// A bare host means https; a full `http(s)://` base URL is taken as given (plain http is fine
/// for a server on the same machine). The result always ends in `/` so paths join under it.
fn base_url(raw: &str) -> Result<Url, String> {
    // The value is never quoted: a password pasted into the wrong setting must not reach a log.
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    let mut url = Url::parse(&with_scheme).map_err(|e| format!("it is not a host or URL ({e})"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err("it must be an http or https address".into());
    }
    if url.host_str().is_none() {
        return Err("it has no host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("it must not carry credentials: they have settings of their own".into());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("it must not have a query or fragment".into());
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
            (MA_API_URL, "ma.example.net"),
            (MA_API_TOKEN, "eyJhbGciOiJIUzI1NiJ9.secret-token"),
        ]);
        let debug = format!("{s:?}");
        assert!(!debug.contains("correct horse"), "{debug}");
        assert!(!debug.contains("secret-token"), "{debug}");
        assert!(debug.contains("REDACTED"), "{debug}");
    }

    #[test]
    fn music_assistant_needs_url_and_token() {
        let none = settings(&[]);
        assert_eq!(
            none.problems().count(),
            2,
            "not configuring Music Assistant is no problem"
        );
        assert_eq!(
            none.music_assistant.unwrap_err(),
            SettingsError::Missing { name: MA_API_URL }
        );
        let no_token = settings(&[(MA_API_URL, "http://192.0.2.1:8095")]);
        assert_eq!(
            no_token.music_assistant.unwrap_err(),
            SettingsError::Missing { name: MA_API_TOKEN }
        );
        let both = settings(&[
            (MA_API_URL, "ma.example.net:8095"),
            (MA_API_TOKEN, "eyJtoken"),
        ]);
        let ma = both.music_assistant.expect("valid");
        assert_eq!(ma.base.as_str(), "https://ma.example.net:8095/");
        assert_eq!(ma.token.expose_secret(), "eyJtoken");
        let spaced = settings(&[(MA_API_URL, "ma.example.net"), (MA_API_TOKEN, "a b")]);
        assert!(matches!(
            spaced.music_assistant,
            Err(SettingsError::Invalid {
                name: MA_API_TOKEN,
                ..
            })
        ));
    }

    #[test]
    fn device_players_is_a_json_object() {
        let s = settings(&[(DEVICE_PLAYERS, r#"{"amzn1.ask.device.A": "Kitchen Echo"}"#)]);
        let map = s.device_players.expect("valid");
        assert_eq!(
            map.get("amzn1.ask.device.A").map(String::as_str),
            Some("Kitchen Echo")
        );
        assert!(settings(&[]).device_players.expect("empty").is_empty());
        for raw in ["[1]", "{\"a\": 1}", "kitchen", "{\"a\": \"\"}"] {
            let err = settings(&[(DEVICE_PLAYERS, raw)])
                .device_players
                .unwrap_err();
            assert_eq!(err.name(), DEVICE_PLAYERS, "{raw}");
        }
    }

    #[test]
    fn inside_the_bridge_api_hostname_is_not_needed() {
        let own = BridgeSettings {
            base: Url::parse("http://127.0.0.1:5000/").expect("url"),
            credentials: None,
        };
        let s = settings(&[(MA_HOSTNAME, "ma.example.net")]).inside_bridge(own.clone());
        assert_eq!(s.problems().count(), 0);
        assert_eq!(s.bridge.expect("own").base, own.base);
        // Whatever API_HOSTNAME says (even something unusable), the bridge is the process's own.
        let s = settings(&[(API_HOSTNAME, "ftp://elsewhere"), (API_USERNAME, "u")])
            .inside_bridge(own.clone());
        assert_eq!(s.bridge.expect("own").base, own.base);
    }

    #[test]
    fn open_screen_is_off_unless_switched_on() {
        assert!(!settings(&[]).open_screen());
        for on in ["true", "TRUE", "1", "yes", "on"] {
            assert!(settings(&[(OPEN_SCREEN, on)]).open_screen(), "{on}");
        }
        for off in ["false", "0", "no", "Off"] {
            let s = settings(&[(OPEN_SCREEN, off)]);
            assert!(!s.open_screen(), "{off}");
            assert_eq!(s.open_screen, Ok(false));
        }
        let s = settings(&[(OPEN_SCREEN, "maybe")]);
        assert!(!s.open_screen());
        assert_eq!(
            s.problems().map(SettingsError::name).last(),
            Some(OPEN_SCREEN)
        );
    }

    #[test]
    fn problems_lists_each_unusable_part() {
        let s = settings(&[(MA_HOSTNAME, "ma.example.net")]);
        let names: Vec<_> = s.problems().map(SettingsError::name).collect();
        assert_eq!(names, [API_HOSTNAME]);
    }
}
