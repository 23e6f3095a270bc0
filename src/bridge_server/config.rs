//! The bridge's settings, from the environment. An invalid one stops the bridge at start with
//! a message naming it; nothing else is ever a reason not to run.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;

use url::Url;

use super::auth::Access;
use crate::interaction_models::ModelLocale;
use crate::logging::LogFormat;
use crate::settings::{BasicAuth, BridgeSettings, SettingsError};

/// Where the bridge listens: `host:port`.
pub const BRIDGE_LISTEN: &str = "BRIDGE_LISTEN";
/// The Basic-auth user name.
pub const BRIDGE_USERNAME: &str = "BRIDGE_USERNAME";
/// The Basic-auth password (a secret).
pub const BRIDGE_PASSWORD: &str = "BRIDGE_PASSWORD";
/// Where the pushed streams are kept.
pub const BRIDGE_STATE_FILE: &str = "BRIDGE_STATE_FILE";
/// The locale of `/alexa/intents` when the request names none.
pub const BRIDGE_LOCALE: &str = "BRIDGE_LOCALE";
/// `text` or `json` log lines.
pub const BRIDGE_LOG_FORMAT: &str = "BRIDGE_LOG_FORMAT";
/// `true` serves the skill itself at `POST /alexa/skill` (no AWS needed).
pub const BRIDGE_SKILL_ENDPOINT: &str = "BRIDGE_SKILL_ENDPOINT";
/// `true` turns on open-screen mode: Music Assistant's play pushes, pauses and resumes go to the
/// skill's page on an Echo Show while it is open (see [`super::screens`]).
pub const OPEN_SCREEN: &str = "OPEN_SCREEN";

/// Every setting of the bridge's own (the skill endpoint also reads the skill's,
/// [`crate::settings::ALL`]).
pub const ALL: [&str; 8] = [
    BRIDGE_LISTEN,
    BRIDGE_USERNAME,
    BRIDGE_PASSWORD,
    BRIDGE_STATE_FILE,
    BRIDGE_LOCALE,
    BRIDGE_LOG_FORMAT,
    BRIDGE_SKILL_ENDPOINT,
    OPEN_SCREEN,
];

/// The default listening address: all interfaces, port 5000 (Music Assistant's Alexa provider
/// defaults to `http://localhost:5000`).
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 5000);

/// Everything the bridge is configured with.
#[derive(Debug, Clone)]
pub struct BridgeConfig {
    /// The address to listen on.
    pub listen: SocketAddr,
    /// Who may call the endpoints.
    pub access: Access,
    /// Where the state is kept.
    pub state_file: PathBuf,
    /// The default locale of `/alexa/intents`.
    pub locale: ModelLocale,
    /// How log lines look.
    pub log_format: LogFormat,
    /// Whether the bridge also serves the skill (`POST /alexa/skill`).
    pub skill_endpoint: bool,
    /// Whether open-screen mode is on (`POST /ma/control`, `POST /ma/screen`, and `pageLive` in
    /// the answer to a play push that says `canSkipSpeech`).
    pub open_screen: bool,
    /// Things worth telling the owner at start that do not stop the bridge.
    pub notes: Vec<String>,
}

impl BridgeConfig {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (a setting's value by name). Values are trimmed;
    /// empty counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let mut notes = Vec::new();
        let listen = match get(BRIDGE_LISTEN) {
            Some(raw) => parse_listen(&raw)?,
            None => {
                if let Some(port) = get("PORT") {
                    notes.push(format!(
                        "PORT={port} is the Node bridge's setting and is not read: listening on {DEFAULT_LISTEN}; set BRIDGE_LISTEN=0.0.0.0:{port} to keep the old port"
                    ));
                }
                DEFAULT_LISTEN
            }
        };
        let credentials = BasicAuth::pair(
            get(BRIDGE_USERNAME),
            get(BRIDGE_PASSWORD),
            BRIDGE_USERNAME,
            BRIDGE_PASSWORD,
        )?;
        let access = match credentials {
            Some(credentials) => Access::Basic(credentials),
            // Starting without authentication when the owner meant to set a password would
            // leave the bridge open: refuse instead.
            None if get("PASSWORD").is_some() => {
                return Err(SettingsError::Invalid {
                    name: "PASSWORD",
                    reason: "it is the Node bridge's name for the password, which this bridge does not read: rename USERNAME and PASSWORD to BRIDGE_USERNAME and BRIDGE_PASSWORD (or unset PASSWORD to run without authentication)".into(),
                });
            }
            None => Access::Open,
        };
        let state_file = get(BRIDGE_STATE_FILE)
            .map(PathBuf::from)
            .unwrap_or_else(|| default_state_file(&get));
        let locale = match get(BRIDGE_LOCALE) {
            None => ModelLocale::EN_US,
            Some(raw) => ModelLocale::parse(&raw).ok_or_else(|| SettingsError::Invalid {
                name: BRIDGE_LOCALE,
                reason: format!(
                    "'{raw}' is not a locale the skill ships a model for ({})",
                    ModelLocale::list()
                ),
            })?,
        };
        let log_format = match get(BRIDGE_LOG_FORMAT)
            .as_deref()
            .map(str::to_ascii_lowercase)
        {
            None => LogFormat::Text,
            Some(f) if f == "text" => LogFormat::Text,
            Some(f) if f == "json" => LogFormat::Json,
            Some(other) => {
                return Err(SettingsError::Invalid {
                    name: BRIDGE_LOG_FORMAT,
                    reason: format!("'{other}' is neither text nor json"),
                })
            }
        };
        let skill_endpoint = flag(BRIDGE_SKILL_ENDPOINT, get(BRIDGE_SKILL_ENDPOINT))?;
        let open_screen = flag(OPEN_SCREEN, get(OPEN_SCREEN))?;
        // Inside the bridge the skill reads the bridge's own slots: the settings that aim the
        // Lambda skill at a bridge are not read, which the owner should know.
        let unread: Vec<&str> = [
            crate::settings::API_HOSTNAME,
            crate::settings::API_USERNAME,
            crate::settings::API_PASSWORD,
        ]
        .into_iter()
        .filter(|name| get(name).is_some())
        .collect();
        if skill_endpoint && !unread.is_empty() {
            notes.push(format!(
                "{} not read: with {BRIDGE_SKILL_ENDPOINT}=true the skill reads this bridge's own streams in-process",
                unread.join(", ")
            ));
        }
        // The endpoint answers only the configured skill: without SSM, SKILL_ID must be here.
        if skill_endpoint
            && get(crate::settings::source::SSM_PARAMETER_PREFIX).is_none()
            && get(crate::settings::SKILL_ID).is_none()
        {
            return Err(SettingsError::Invalid {
                name: BRIDGE_SKILL_ENDPOINT,
                reason: "serving the skill needs SKILL_ID (your skill's id, amzn1.ask.skill.…): requests for any other skill are refused".into(),
            });
        }
        Ok(Self {
            listen,
            access,
            state_file,
            locale,
            log_format,
            skill_endpoint,
            open_screen,
            notes,
        })
    }
}

impl BridgeConfig {
    /// Where this bridge answers on its own machine: the listening address, with an unspecified
    /// one (`0.0.0.0`, `[::]`) replaced by loopback.
    pub fn local_address(&self) -> SocketAddr {
        let ip = match self.listen.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        SocketAddr::new(ip, self.listen.port())
    }

    /// This bridge as the skill sees it when the bridge serves the skill
    /// ([`crate::settings::Settings::inside_bridge`]): [`Self::local_address`] over plain
    /// http, with the bridge's own credentials. The skill itself reads the slots in-process;
    /// this is what a check from the same machine (the doctor) calls.
    pub fn own_bridge(&self) -> BridgeSettings {
        let base = Url::parse(&format!("http://{}/", self.local_address()))
            .unwrap_or_else(|_| unreachable!("an IP address and a port always make a URL"));
        BridgeSettings {
            base,
            credentials: match &self.access {
                Access::Basic(credentials) => Some(credentials.clone()),
                Access::Open => None,
            },
        }
    }
}

/// A true-or-false setting: `true`, `1`, `yes`, `on` or their opposites, in any case; unset is
/// false.
fn flag(name: &'static str, value: Option<String>) -> Result<bool, SettingsError> {
    match value.map(|v| v.to_ascii_lowercase()) {
        None => Ok(false),
        Some(v) if ["true", "1", "yes", "on"].contains(&v.as_str()) => Ok(true),
        Some(v) if ["false", "0", "no", "off"].contains(&v.as_str()) => Ok(false),
        Some(_) => Err(SettingsError::Invalid {
            name,
            reason: "it must be true or false".into(),
        }),
    }
}

/// `host:port` with an IP address (`0.0.0.0:5000`, `[::]:5000`, `127.0.0.1:5000`), or a bare
/// port meaning all IPv4 interfaces.
pub(crate) fn parse_listen(raw: &str) -> Result<SocketAddr, SettingsError> {
    if let Ok(port) = raw.parse::<u16>() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port));
    }
    raw.parse().map_err(|_| SettingsError::Invalid {
        name: BRIDGE_LISTEN,
        reason: format!(
            "'{raw}' is not an IP address and port such as 0.0.0.0:5000, 127.0.0.1:5000 or [::]:5000"
        ),
    })
}

/// Where the state goes when `BRIDGE_STATE_FILE` is unset: systemd's `STATE_DIRECTORY`, else
/// the XDG state folder, else the current folder. (The container sets `/data/state.json`.)
fn default_state_file(get: &impl Fn(&str) -> Option<String>) -> PathBuf {
    const NAME: &str = "state.json";
    if let Some(dirs) = get("STATE_DIRECTORY") {
        if let Some(first) = dirs.split(':').find(|d| !d.is_empty()) {
            return PathBuf::from(first).join(NAME);
        }
    }
    if let Some(state_home) = get("XDG_STATE_HOME") {
        return PathBuf::from(state_home).join("ma-alexa-bridge").join(NAME);
    }
    if let Some(home) = get("HOME") {
        return PathBuf::from(home)
            .join(".local/state/ma-alexa-bridge")
            .join(NAME);
    }
    PathBuf::from("ma-alexa-bridge-state.json")
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<BridgeConfig, SettingsError> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        BridgeConfig::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn the_skill_endpoint_is_off_unless_asked_and_needs_a_skill_id() {
        assert!(!config(&[]).expect("default").skill_endpoint);
        let id = ("SKILL_ID", "amzn1.ask.skill.x");
        for on in ["true", "TRUE", "1", "yes", "on"] {
            assert!(
                config(&[(BRIDGE_SKILL_ENDPOINT, on), id])
                    .expect(on)
                    .skill_endpoint
            );
        }
        for off in ["false", "0", "no", "off"] {
            assert!(
                !config(&[(BRIDGE_SKILL_ENDPOINT, off)])
                    .expect(off)
                    .skill_endpoint
            );
        }
        let invalid = config(&[(BRIDGE_SKILL_ENDPOINT, "maybe"), id]).expect_err("maybe");
        assert_eq!(invalid.name(), BRIDGE_SKILL_ENDPOINT);
        let no_id = config(&[(BRIDGE_SKILL_ENDPOINT, "true")]).expect_err("no id");
        assert!(no_id.to_string().contains("SKILL_ID"), "{no_id}");
        // With SSM, the skill id may come from there.
        assert!(
            config(&[
                (BRIDGE_SKILL_ENDPOINT, "true"),
                ("SSM_PARAMETER_PREFIX", "/p")
            ])
            .expect("ssm")
            .skill_endpoint
        );
    }

    #[test]
    fn open_screen_mode_is_off_unless_asked() {
        assert!(!config(&[]).expect("default").open_screen);
        for on in ["true", "TRUE", "1", "yes", "on"] {
            assert!(config(&[(OPEN_SCREEN, on)]).expect(on).open_screen, "{on}");
        }
        for off in ["false", "0", "no", "off", " "] {
            assert!(
                !config(&[(OPEN_SCREEN, off)]).expect(off).open_screen,
                "{off}"
            );
        }
        let invalid = config(&[(OPEN_SCREEN, "sometimes")]).expect_err("sometimes");
        assert_eq!(invalid.name(), OPEN_SCREEN);
        assert!(invalid.to_string().contains("true or false"), "{invalid}");
    }

    #[test]
    fn the_skill_inside_reads_this_bridge_and_says_api_hostname_is_not_read() {
        let id = ("SKILL_ID", "amzn1.ask.skill.x");
        let on = (BRIDGE_SKILL_ENDPOINT, "true");
        let c = config(&[on, id, (BRIDGE_LISTEN, "0.0.0.0:5000")]).expect("valid");
        assert!(c.notes.is_empty(), "{:?}", c.notes);
        let own = c.own_bridge();
        assert_eq!(own.base.as_str(), "http://127.0.0.1:5000/");
        assert!(own.credentials.is_none());
        let c = config(&[
            on,
            id,
            (BRIDGE_LISTEN, "[::]:5001"),
            (BRIDGE_USERNAME, "alexa"),
            (BRIDGE_PASSWORD, "hunter2"),
            ("API_HOSTNAME", "https://bridge.example.com"),
        ])
        .expect("valid");
        assert_eq!(c.own_bridge().base.as_str(), "http://[::1]:5001/");
        assert_eq!(
            c.own_bridge().credentials.map(|b| b.username).as_deref(),
            Some("alexa")
        );
        assert_eq!(c.notes.len(), 1);
        assert!(
            c.notes[0].starts_with("API_HOSTNAME not read"),
            "{:?}",
            c.notes
        );
        // Without the skill endpoint the skill's settings are none of the bridge's business.
        let off = config(&[("API_HOSTNAME", "https://bridge.example.com")]).expect("valid");
        assert!(off.notes.is_empty(), "{:?}", off.notes);
    }

    #[test]
    fn defaults_listen_on_port_5000_in_english_without_auth() {
        let c = config(&[("HOME", "/home/me")]).expect("valid");
        assert_eq!(c.listen, DEFAULT_LISTEN);
        assert!(c.access.is_open());
        assert_eq!(c.locale.as_str(), "en-US");
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(
            c.state_file,
            PathBuf::from("/home/me/.local/state/ma-alexa-bridge/state.json")
        );
        assert!(c.notes.is_empty());
    }

    #[test]
    fn listen_takes_an_address_or_a_port() {
        for (raw, want) in [
            ("127.0.0.1:5001", "127.0.0.1:5001"),
            ("[::]:5000", "[::]:5000"),
            ("3000", "0.0.0.0:3000"),
        ] {
            let c = config(&[(BRIDGE_LISTEN, raw)]).expect(raw);
            assert_eq!(c.listen.to_string(), want);
        }
        for raw in [
            "localhost:5000",
            "0.0.0.0",
            "0.0.0.0:99999",
            "http://0.0.0.0:5000",
        ] {
            let e = config(&[(BRIDGE_LISTEN, raw)]).expect_err(raw);
            assert_eq!(e.name(), BRIDGE_LISTEN, "{raw}");
        }
    }

    #[test]
    fn credentials_come_in_pairs_and_stay_hidden() {
        let both =
            config(&[(BRIDGE_USERNAME, "alexa"), (BRIDGE_PASSWORD, "hunter2")]).expect("valid");
        assert!(!both.access.is_open());
        assert!(!format!("{both:?}").contains("hunter2"));
        assert_eq!(
            config(&[(BRIDGE_USERNAME, "alexa")])
                .expect_err("half")
                .name(),
            BRIDGE_PASSWORD
        );
        assert_eq!(
            config(&[(BRIDGE_PASSWORD, "x")]).expect_err("half").name(),
            BRIDGE_USERNAME
        );
    }

    #[test]
    fn the_node_bridges_password_is_not_silently_ignored() {
        let e = config(&[("USERNAME", "alexa"), ("PASSWORD", "hunter2")]).expect_err("refused");
        assert!(e.to_string().contains("BRIDGE_PASSWORD"), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
        let noted = config(&[("PORT", "3000")]).expect("valid");
        assert!(
            noted.notes[0].contains("BRIDGE_LISTEN=0.0.0.0:3000"),
            "{:?}",
            noted.notes
        );
    }

    #[test]
    fn locale_and_log_format_are_checked() {
        assert_eq!(
            config(&[(BRIDGE_LOCALE, "de_de")])
                .expect("valid")
                .locale
                .as_str(),
            "de-DE"
        );
        let e = config(&[(BRIDGE_LOCALE, "xx-XX")]).expect_err("unknown");
        assert!(e.to_string().contains("en-US, en-GB"), "{e}");
        assert_eq!(
            config(&[(BRIDGE_LOG_FORMAT, "JSON")])
                .expect("valid")
                .log_format,
            LogFormat::Json
        );
        assert_eq!(
            config(&[(BRIDGE_LOG_FORMAT, "xml")])
                .expect_err("bad")
                .name(),
            BRIDGE_LOG_FORMAT
        );
    }

    #[test]
    fn the_state_file_follows_systemd_then_xdg() {
        let c =
            config(&[("STATE_DIRECTORY", "/var/lib/bridge:/x"), ("HOME", "/h")]).expect("valid");
        assert_eq!(c.state_file, PathBuf::from("/var/lib/bridge/state.json"));
        let c = config(&[("XDG_STATE_HOME", "/s"), ("HOME", "/h")]).expect("valid");
        assert_eq!(c.state_file, PathBuf::from("/s/ma-alexa-bridge/state.json"));
        let c = config(&[(BRIDGE_STATE_FILE, "/data/state.json")]).expect("valid");
        assert_eq!(c.state_file, PathBuf::from("/data/state.json"));
        assert_eq!(
            config(&[]).expect("valid").state_file,
            PathBuf::from("ma-alexa-bridge-state.json")
        );
    }
}
