//! The Home Assistant add-on's options, read as the bridge's settings.
//!
//! Home Assistant's supervisor writes what a user sets on the add-on's Configuration tab to
//! `/data/options.json`: one JSON object, its keys the options of the add-on's `config.yaml`,
//! already checked against that file's schema. The add-on's image is the bridge's own (one static
//! binary, no shell to turn the file into environment variables), so the bridge reads the file
//! itself when [`BRIDGE_OPTIONS_FILE`] names it; the add-on's `config.yaml` sets that variable.
//!
//! Each option becomes the setting of the same meaning under its environment name (`locale` is
//! `BRIDGE_LOCALE`, `ma_api_token` is `MA_API_TOKEN`, …: [`OPTIONS`]), so everything after this
//! reads its settings one way. An option the file gives replaces the environment's value (the
//! image's own defaults are environment variables, and in Home Assistant the options are all the
//! user has); an option it leaves out, or leaves empty, keeps the environment's.
//!
//! Errors name the option and what is wrong with it, never a value that could be a secret.

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use super::config::{
    BRIDGE_LOCALE, BRIDGE_LOG_FORMAT, BRIDGE_PASSWORD, BRIDGE_SKILL_ENDPOINT, BRIDGE_USERNAME,
    OPEN_SCREEN,
};
use crate::interaction_models::ModelLocale;
use crate::settings::{
    DEVICE_PLAYERS, MA_API_TOKEN, MA_API_URL, MA_HOSTNAME, ROOM_ALIASES, SKILL_ID,
};
use crate::stream::HttpsBase;

/// Names the add-on options file to read (the add-on sets `/data/options.json`).
pub const BRIDGE_OPTIONS_FILE: &str = "BRIDGE_OPTIONS_FILE";
/// The public base URL, `https://DOMAIN`, set from the `domain` option beside `MA_HOSTNAME`.
pub const PUBLIC_URL: &str = "PUBLIC_URL";
/// The log level setting, set from the `log_level` option.
pub const RUST_LOG: &str = "RUST_LOG";

/// What an option holds, and so how it is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text, passed on trimmed.
    Text,
    /// Text that is a secret: never quoted, not even in an error.
    Secret,
    /// `true` or `false`.
    Flag,
    /// A locale the skill ships a model for.
    Locale,
    /// `text` or `json`.
    LogFormat,
    /// `error`, `warn`, `info` or `debug`.
    LogLevel,
    /// The public host name (or `https://` URL): `MA_HOSTNAME`, and `PUBLIC_URL` from it.
    Domain,
    /// A list of `{<key>: …, player: …}` objects: a JSON object of key to player id.
    Players {
        /// The name of the field that is the map's key (`device`, `room`).
        key: &'static str,
    },
}

/// One option of the add-on's `config.yaml` and the setting it becomes.
#[derive(Debug, Clone, Copy)]
pub struct AddonOption {
    /// The option's key in `config.yaml` and `options.json`.
    pub name: &'static str,
    /// The setting it sets (the `domain` option also sets [`PUBLIC_URL`]).
    pub setting: &'static str,
    kind: Kind,
}

const fn option(name: &'static str, setting: &'static str, kind: Kind) -> AddonOption {
    AddonOption {
        name,
        setting,
        kind,
    }
}

/// Every option the add-on offers, in the order of its `config.yaml`.
pub const OPTIONS: [AddonOption; 13] = [
    option("skill_endpoint", BRIDGE_SKILL_ENDPOINT, Kind::Flag),
    option("skill_id", SKILL_ID, Kind::Text),
    option("domain", MA_HOSTNAME, Kind::Domain),
    option("bridge_username", BRIDGE_USERNAME, Kind::Text),
    option("bridge_password", BRIDGE_PASSWORD, Kind::Secret),
    option("locale", BRIDGE_LOCALE, Kind::Locale),
    option("ma_api_url", MA_API_URL, Kind::Text),
    option("ma_api_token", MA_API_TOKEN, Kind::Secret),
    option(
        "device_players",
        DEVICE_PLAYERS,
        Kind::Players { key: "device" },
    ),
    option("room_aliases", ROOM_ALIASES, Kind::Players { key: "room" }),
    option("open_screen", OPEN_SCREEN, Kind::Flag),
    option("log_format", BRIDGE_LOG_FORMAT, Kind::LogFormat),
    option("log_level", RUST_LOG, Kind::LogLevel),
];

/// A problem with the options file. The text never contains an option's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OptionsError {
    /// The file named by [`BRIDGE_OPTIONS_FILE`] cannot be read.
    #[error("cannot read the add-on options file {path} ({BRIDGE_OPTIONS_FILE}): {reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why, from the operating system.
        reason: String,
    },
    /// The file is not one JSON object.
    #[error("the add-on options file is not a JSON object: {reason}")]
    NotAnObject {
        /// What the JSON reader found (a position, never the text).
        reason: String,
    },
    /// An option has a value the bridge cannot use.
    #[error("add-on option {option} is invalid: {reason}")]
    Invalid {
        /// The option's key.
        option: &'static str,
        /// What is wrong, for the owner.
        reason: String,
    },
}

/// The settings an options file gives, by setting name. Its `Debug` shows the names only: two of
/// the values are secrets.
#[derive(Clone, Default)]
pub struct AddonSettings {
    values: BTreeMap<&'static str, String>,
    /// Keys of the file that are no option of this bridge (they are ignored).
    pub unknown: Vec<String>,
}

impl fmt::Debug for AddonSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddonSettings")
            .field("settings", &self.values.keys().collect::<Vec<_>>())
            .field("unknown", &self.unknown)
            .finish()
    }
}

impl AddonSettings {
    /// The value the options give `setting`, if they give one.
    pub fn get(&self, setting: &str) -> Option<&str> {
        self.values.get(setting).map(String::as_str)
    }

    /// The settings the options give, by name, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.values
            .iter()
            .map(|(name, value)| (*name, value.as_str()))
    }
}

/// Reads an options file's text (the JSON object the supervisor writes).
pub fn parse(text: &str) -> Result<AddonSettings, OptionsError> {
    // Parsed to a `Value` first: a type mismatch reported by serde itself would quote the value.
    let value: Value = serde_json::from_str(text).map_err(|e| OptionsError::NotAnObject {
        reason: format!(
            "{} at line {} column {}",
            match e.classify() {
                serde_json::error::Category::Eof => "it ends too early",
                _ => "it is not valid JSON",
            },
            e.line(),
            e.column()
        ),
    })?;
    let Value::Object(object) = value else {
        return Err(OptionsError::NotAnObject {
            reason: "it is JSON, but not an object".into(),
        });
    };
    let mut settings = AddonSettings::default();
    for (key, value) in &object {
        let Some(option) = OPTIONS.iter().find(|o| o.name == key.as_str()) else {
            settings.unknown.push(key.clone());
            continue;
        };
        read_option(option, value, &mut settings.values)?;
    }
    Ok(settings)
}

/// Reads one option into `values`; an absent value (`null`, empty text, an empty list) sets
/// nothing.
fn read_option(
    option: &AddonOption,
    value: &Value,
    values: &mut BTreeMap<&'static str, String>,
) -> Result<(), OptionsError> {
    let invalid = |reason: String| OptionsError::Invalid {
        option: option.name,
        reason,
    };
    if value.is_null() {
        return Ok(());
    }
    let text = |value: &Value| match value {
        Value::String(raw) => Ok(Some(raw.trim().to_owned()).filter(|t| !t.is_empty())),
        _ => Err(invalid("it must be text".into())),
    };
    let setting = match option.kind {
        Kind::Flag => match value {
            Value::Bool(on) => Some(on.to_string()),
            _ => return Err(invalid("it must be true or false".into())),
        },
        Kind::Players { key } => player_map(value, key).map_err(invalid)?,
        Kind::Text | Kind::Secret => text(value)?,
        Kind::Locale => match text(value)? {
            None => None,
            Some(raw) => Some(
                ModelLocale::parse(&raw)
                    .ok_or_else(|| {
                        invalid(format!(
                            "'{raw}' is not a locale the skill ships a model for ({})",
                            ModelLocale::list()
                        ))
                    })?
                    .as_str()
                    .to_owned(),
            ),
        },
        Kind::LogFormat => match text(value)? {
            None => None,
            Some(raw) => match raw.to_ascii_lowercase().as_str() {
                format @ ("text" | "json") => Some(format.to_owned()),
                _ => return Err(invalid(format!("'{raw}' is neither text nor json"))),
            },
        },
        Kind::LogLevel => match text(value)? {
            None => None,
            Some(raw) => match raw.to_ascii_lowercase().as_str() {
                level @ ("error" | "warn" | "info" | "debug") => Some(level.to_owned()),
                _ => {
                    return Err(invalid(format!(
                        "'{raw}' is not one of error, warn, info, debug"
                    )))
                }
            },
        },
        Kind::Domain => match text(value)? {
            None => None,
            Some(raw) => {
                // The reason never quotes the value (see `InvalidBase`).
                let base = HttpsBase::parse(&raw).map_err(|e| {
                    invalid(format!(
                        "{e} (give the public host name, such as music.example.com)"
                    ))
                })?;
                values.insert(PUBLIC_URL, base.as_str().to_owned());
                Some(raw)
            }
        },
    };
    if let Some(setting) = setting {
        values.insert(option.setting, setting);
    }
    Ok(())
}

/// `[{"<key>": "…", "player": "…"}, …]` as the JSON object `{"…": "…"}` that `DEVICE_PLAYERS`
/// and `ROOM_ALIASES` take; `None` for an empty list.
fn player_map(value: &Value, key: &str) -> Result<Option<String>, String> {
    let Value::Array(entries) = value else {
        return Err(format!("it must be a list of {key} and player pairs"));
    };
    let mut map = Map::new();
    for (index, entry) in entries.iter().enumerate() {
        let position = index + 1;
        let field = |name: &str| {
            entry
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .ok_or_else(|| format!("entry {position} has no {name}"))
        };
        let from = field(key)?;
        let player = field("player")?;
        if map
            .insert(from.to_owned(), Value::String(player.to_owned()))
            .is_some()
        {
            return Err(format!(
                "entry {position} repeats the {key} of an earlier one"
            ));
        }
    }
    if map.is_empty() {
        return Ok(None);
    }
    Ok(Some(Value::Object(map).to_string()))
}

/// What applying `options` to the environment sets, by name: every setting the options give.
/// (With the skill endpoint on, the skill reads this bridge's streams in-process: it needs no
/// `API_HOSTNAME`.)
pub fn plan(options: &AddonSettings) -> Vec<(&'static str, String)> {
    options
        .iter()
        .map(|(name, value)| (name, value.to_owned()))
        .collect()
}

/// Reads the options file [`BRIDGE_OPTIONS_FILE`] names, if it names one, and puts its settings
/// into the process environment ([`plan`]). Returns notes for the owner (options it does not
/// know). Call it first thing in `main`, before any thread starts: it changes the environment.
pub fn apply_options_file() -> Result<Vec<String>, OptionsError> {
    let Some(path) = std::env::var_os(BRIDGE_OPTIONS_FILE).filter(|p| !p.is_empty()) else {
        return Ok(Vec::new());
    };
    let options = read_file(Path::new(&path))?;
    for (name, value) in plan(&options) {
        std::env::set_var(name, value);
    }
    Ok(notes(&options))
}

/// Reads and parses the options file at `path`.
pub fn read_file(path: &Path) -> Result<AddonSettings, OptionsError> {
    let text = std::fs::read_to_string(path).map_err(|e| OptionsError::Unreadable {
        path: path.display().to_string(),
        reason: e.to_string(),
    })?;
    parse(&text)
}

/// One note per option the file gives that this bridge does not know.
pub fn notes(options: &AddonSettings) -> Vec<String> {
    options
        .unknown
        .iter()
        .map(|key| {
            format!(
                "the add-on options file has an option '{}' this bridge does not know: it is ignored",
                crate::logging::capped(key, 40)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::settings::{Settings, API_HOSTNAME, API_PASSWORD, API_USERNAME};

    /// Every option set, as the supervisor writes them (also checked against the add-on's
    /// schema by `scripts/ha-addon-check`).
    const FULL: &str = include_str!("../../tests/fixtures/ha-addon/options.json");

    fn planned(options: &str) -> HashMap<&'static str, String> {
        plan(&parse(options).expect("valid options"))
            .into_iter()
            .collect()
    }

    #[test]
    fn every_option_becomes_its_setting() {
        let options = parse(FULL).expect("the fixture is valid");
        let got: Vec<(&str, &str)> = options.iter().collect();
        assert_eq!(
            got,
            vec![
                (BRIDGE_LOCALE, "de-DE"),
                (BRIDGE_LOG_FORMAT, "json"),
                (BRIDGE_PASSWORD, "fixture-bridge-password"),
                (BRIDGE_SKILL_ENDPOINT, "true"),
                (BRIDGE_USERNAME, "alexa"),
                (
                    DEVICE_PLAYERS,
                    r#"{"amzn1.ask.device.KITCHEN":"media_player.kitchen"}"#
                ),
                (MA_API_TOKEN, "fixture-ma-token"),
                (MA_API_URL, "http://localhost:8095"),
                (MA_HOSTNAME, "music.example.com"),
                (OPEN_SCREEN, "true"),
                (PUBLIC_URL, "https://music.example.com"),
                (
                    ROOM_ALIASES,
                    r#"{"den":"media_player.study","lounge":"media_player.living_room"}"#
                ),
                (RUST_LOG, "debug"),
                (
                    SKILL_ID,
                    "amzn1.ask.skill.00000000-1111-2222-3333-444444444444"
                ),
            ]
        );
        assert!(options.unknown.is_empty());
    }

    #[test]
    fn the_fixture_sets_every_option_the_bridge_knows() {
        let Value::Object(fixture) = serde_json::from_str::<Value>(FULL).expect("JSON") else {
            panic!("the fixture is an object");
        };
        let mut keys: Vec<&str> = fixture.keys().map(String::as_str).collect();
        let mut names: Vec<&str> = OPTIONS.iter().map(|o| o.name).collect();
        keys.sort_unstable();
        names.sort_unstable();
        assert_eq!(keys, names);
    }

    #[test]
    fn the_settings_read_from_the_options_are_the_ones_the_bridge_and_skill_accept() {
        let planned = planned(FULL);
        let lookup = |name: &str| planned.get(name).cloned();
        let config = super::super::config::BridgeConfig::from_lookup(lookup).expect("valid");
        assert!(config.skill_endpoint);
        assert_eq!(config.locale.as_str(), "de-DE");
        assert!(!config.access.is_open());
        // As the bridge loads them: the skill inside reads this bridge's own streams.
        let settings = Settings::from_lookup(lookup).inside_bridge(config.own_bridge());
        assert_eq!(
            settings.problems().count(),
            0,
            "{:?}",
            settings.problems().collect::<Vec<_>>()
        );
        assert_eq!(
            settings.stream_base.expect("MA_HOSTNAME").as_str(),
            "https://music.example.com"
        );
        assert_eq!(settings.device_players.expect("valid").len(), 1);
        assert_eq!(
            settings.room_aliases.expect("valid")["den"],
            "media_player.study"
        );
        assert_eq!(
            settings.music_assistant.expect("valid").base.as_str(),
            "http://localhost:8095/"
        );
    }

    #[test]
    fn with_the_skill_endpoint_on_no_bridge_address_is_made_up_for_the_skill() {
        // The skill inside the bridge reads its streams in-process (issue 19): the add-on passes
        // on the options, and nothing that would aim the skill at a bridge over HTTP.
        for options in [FULL, r#"{"skill_endpoint": true, "bridge_password": "p"}"#] {
            let planned = planned(options);
            for name in [API_HOSTNAME, API_USERNAME, API_PASSWORD] {
                assert!(!planned.contains_key(name), "{options}: {name} planned");
            }
        }
    }

    #[test]
    fn options_replace_the_environment_and_absent_ones_keep_it() {
        let planned = planned(
            r#"{"locale": "fr-FR", "skill_id": "", "ma_api_url": null, "device_players": [], "bridge_password": "  "}"#,
        );
        assert_eq!(planned[BRIDGE_LOCALE], "fr-FR");
        for kept in [SKILL_ID, MA_API_URL, DEVICE_PLAYERS, BRIDGE_PASSWORD] {
            assert!(
                !planned.contains_key(kept),
                "{kept} is left to the environment"
            );
        }
    }

    #[test]
    fn values_are_canonical() {
        let options = parse(
            r#"{"locale": " de_de ", "log_format": "JSON", "log_level": "Info", "domain": "https://music.example.com:8443/ma/"}"#,
        )
        .expect("valid");
        assert_eq!(options.get(BRIDGE_LOCALE), Some("de-DE"));
        assert_eq!(options.get(BRIDGE_LOG_FORMAT), Some("json"));
        assert_eq!(options.get(RUST_LOG), Some("info"));
        assert_eq!(
            options.get(PUBLIC_URL),
            Some("https://music.example.com:8443/ma")
        );
    }

    #[test]
    fn a_bad_option_is_named_and_its_value_never_shown() {
        let secret = "hunter2-secret";
        for (options, option) in [
            (format!(r#"{{"bridge_password": ["{secret}"]}}"#), "bridge_password"),
            (format!(r#"{{"ma_api_token": {{"t": "{secret}"}}}}"#), "ma_api_token"),
            (r#"{"skill_endpoint": "true"}"#.to_owned(), "skill_endpoint"),
            (r#"{"open_screen": "yes"}"#.to_owned(), "open_screen"),
            (r#"{"bridge_username": 7}"#.to_owned(), "bridge_username"),
            (r#"{"locale": "xx-XX"}"#.to_owned(), "locale"),
            (r#"{"log_format": "xml"}"#.to_owned(), "log_format"),
            (r#"{"log_level": "trace"}"#.to_owned(), "log_level"),
            (format!(r#"{{"domain": "http://{secret}.example.com"}}"#), "domain"),
            (format!(r#"{{"domain": "https://user:{secret}@example.com"}}"#), "domain"),
            (r#"{"device_players": {"a": "b"}}"#.to_owned(), "device_players"),
            (
                r#"{"device_players": [{"device": "a", "player": "x"}, {"device": "a", "player": "y"}]}"#
                    .to_owned(),
                "device_players",
            ),
            (r#"{"room_aliases": [{"room": "den"}]}"#.to_owned(), "room_aliases"),
            (r#"{"room_aliases": [{"player": "p", "room": " "}]}"#.to_owned(), "room_aliases"),
        ] {
            let error = parse(&options).expect_err(&options);
            let OptionsError::Invalid { option: named, .. } = &error else {
                panic!("{options}: {error}");
            };
            assert_eq!(*named, option, "{options}");
            let text = error.to_string();
            assert!(text.contains(option), "{text}");
            assert!(!text.contains(secret), "{text}");
        }
    }

    #[test]
    fn a_file_that_is_not_a_json_object_is_refused_without_quoting_it() {
        for text in [
            r#"{"bridge_password": "hunter2-secret""#,
            r#"{"bridge_password": hunter2-secret}"#,
            r#"["hunter2-secret"]"#,
            "",
        ] {
            let error = parse(text).expect_err(text);
            assert!(matches!(error, OptionsError::NotAnObject { .. }), "{error}");
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
    }

    #[test]
    fn unknown_options_are_noted_not_fatal() {
        let options = parse(r#"{"locale": "en-GB", "colour": "blue"}"#).expect("valid");
        assert_eq!(options.get(BRIDGE_LOCALE), Some("en-GB"));
        assert_eq!(options.unknown, vec!["colour".to_owned()]);
        let notes = notes(&options);
        assert!(notes[0].contains("'colour'"), "{notes:?}");
    }

    #[test]
    fn debug_output_shows_setting_names_only() {
        let options = parse(FULL).expect("valid");
        let debug = format!("{options:?}");
        assert!(debug.contains("BRIDGE_PASSWORD"), "{debug}");
        for secret in ["fixture-bridge-password", "fixture-ma-token"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
