//! The bodies of open-screen mode's two endpoints, checked field by field: `POST /ma/control`
//! (Music Assistant's pause and resume) and `POST /ma/screen` (the page's beats, in the shape of
//! [`BeatRequest`]). A body that does not fit is refused with a message naming the field.

use serde_json::{Map, Value};

use super::push::MAX_PLAYER_ID_LEN;
use super::screens::{page_id, Command};
use crate::bridge::screen::BeatRequest;

/// Why a body was refused. The text goes back to the caller.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    /// The body is not JSON.
    #[error("the body is not JSON ({0})")]
    NotJson(String),
    /// The body is JSON, but not an object.
    #[error("the body must be a JSON object")]
    NotObject,
    /// A required field is left out, `null` or blank.
    #[error("{0} is missing: it is required")]
    Missing(&'static str),
    /// A field of the wrong type or form.
    #[error("{field} must be {expected}")]
    Invalid {
        /// The field's name in the body.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
}

/// A checked `POST /ma/control` body: `{"playerId": …, "command": "pause"|"resume",
/// "canSkipSpeech": true}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Control {
    /// The player, trimmed.
    pub player_id: String,
    /// [`Command::Pause`] or [`Command::Resume`].
    pub command: Command,
    /// `canSkipSpeech: true` (only a JSON `true` counts): Music Assistant leaves its spoken
    /// command out when the page takes this one. Without it nothing is handed to the page.
    pub can_skip_speech: bool,
}

impl Control {
    /// Reads a control body.
    ///
    /// ```
    /// use ma_alexa_skill::bridge_server::control::Control;
    /// use ma_alexa_skill::bridge_server::screens::Command;
    ///
    /// let control = Control::parse(br#"{"playerId": "Kitchen Echo", "command": "pause", "canSkipSpeech": true}"#).unwrap();
    /// assert_eq!((control.player_id.as_str(), control.command), ("Kitchen Echo", Command::Pause));
    /// assert!(Control::parse(br#"{"playerId": "Kitchen Echo", "command": "stop"}"#).is_err());
    /// ```
    pub fn parse(body: &[u8]) -> Result<Self, BodyError> {
        let fields = object(body)?;
        let player_id = player_id(&fields)?;
        let command = match fields.get("command") {
            None | Some(Value::Null) => return Err(BodyError::Missing("command")),
            Some(Value::String(c)) if c.trim() == "pause" => Command::Pause,
            Some(Value::String(c)) if c.trim() == "resume" => Command::Resume,
            Some(_) => {
                return Err(BodyError::Invalid {
                    field: "command",
                    expected: "\"pause\" or \"resume\"",
                })
            }
        };
        Ok(Self {
            player_id,
            command,
            can_skip_speech: fields.get("canSkipSpeech") == Some(&Value::Bool(true)),
        })
    }
}

/// Reads a beat body (`POST /ma/screen`): `playerId` (required), `taken` (a whole number from 0,
/// or left out or `null`), `closing` (`true`/`false`, or left out or `null`). Other fields are
/// ignored.
///
/// ```
/// use ma_alexa_skill::bridge_server::control::parse_beat;
///
/// let beat = parse_beat(br#"{"playerId": " Kitchen Echo ", "taken": 7}"#).unwrap();
/// assert_eq!((beat.player_id.as_str(), beat.taken, beat.closing), ("Kitchen Echo", Some(7), false));
/// assert!(parse_beat(br#"{"taken": 7}"#).is_err());
/// ```
pub fn parse_beat(body: &[u8]) -> Result<BeatRequest, BodyError> {
    let fields = object(body)?;
    let player_id = player_id(&fields)?;
    let taken = match fields.get("taken") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_u64().is_some() => n.as_u64(),
        Some(_) => {
            return Err(BodyError::Invalid {
                field: "taken",
                expected: "a whole number from 0 (the seq of the last command carried out) or null",
            })
        }
    };
    let closing = match fields.get("closing") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(closing)) => *closing,
        Some(_) => {
            return Err(BodyError::Invalid {
                field: "closing",
                expected: "true or false",
            })
        }
    };
    Ok(BeatRequest {
        player_id,
        taken,
        closing,
    })
}

fn object(body: &[u8]) -> Result<Map<String, Value>, BodyError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| BodyError::NotJson(e.to_string()))?;
    match value {
        Value::Object(fields) => Ok(fields),
        _ => Err(BodyError::NotObject),
    }
}

/// `playerId`: required, a string, trimmed, at most [`MAX_PLAYER_ID_LEN`] characters.
fn player_id(fields: &Map<String, Value>) -> Result<String, BodyError> {
    match fields.get("playerId") {
        None | Some(Value::Null) => Err(BodyError::Missing("playerId")),
        Some(Value::String(raw)) if raw.trim().is_empty() => Err(BodyError::Missing("playerId")),
        Some(Value::String(raw)) => page_id(raw).map(str::to_owned).ok_or(BodyError::Invalid {
            field: "playerId",
            expected: "a string of at most 256 characters",
        }),
        Some(_) => Err(BodyError::Invalid {
            field: "playerId",
            expected: "a string of at most 256 characters",
        }),
    }
}

const _: () = assert!(MAX_PLAYER_ID_LEN == 256, "the messages above say 256");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn music_assistants_control_bodies() {
        for (command, want) in [("pause", Command::Pause), ("resume", Command::Resume)] {
            let body = format!(
                r#"{{"playerId": "Kitchen Echo", "command": "{command}", "canSkipSpeech": true}}"#
            );
            assert_eq!(
                Control::parse(body.as_bytes()).expect(command),
                Control {
                    player_id: "Kitchen Echo".into(),
                    command: want,
                    can_skip_speech: true
                }
            );
        }
        let without = Control::parse(br#"{"playerId": "Kitchen Echo", "command": "pause"}"#)
            .expect("canSkipSpeech may be left out");
        assert!(!without.can_skip_speech);
        let odd = Control::parse(
            br#"{"playerId": "Kitchen Echo", "command": "pause", "canSkipSpeech": "yes"}"#,
        )
        .expect("an odd canSkipSpeech is not a reason to refuse");
        assert!(!odd.can_skip_speech);
    }

    #[test]
    fn each_bad_control_names_what_is_wrong() {
        let long = format!(
            r#"{{"playerId": "{}", "command": "pause"}}"#,
            "p".repeat(257)
        );
        for (body, wanted) in [
            ("", "not JSON"),
            ("[]", "JSON object"),
            (r#"{"command": "pause"}"#, "playerId is missing"),
            (
                r#"{"playerId": " ", "command": "pause"}"#,
                "playerId is missing",
            ),
            (r#"{"playerId": 7, "command": "pause"}"#, "playerId must be"),
            (long.as_str(), "playerId must be"),
            (r#"{"playerId": "p"}"#, "command is missing"),
            (r#"{"playerId": "p", "command": "stop"}"#, "command must be"),
            (r#"{"playerId": "p", "command": 1}"#, "command must be"),
        ] {
            let error = Control::parse(body.as_bytes()).expect_err(body).to_string();
            assert!(error.contains(wanted), "{body}: {error}");
        }
    }

    #[test]
    fn beats_read_as_the_wire_contract_writes_them() {
        let beat = BeatRequest {
            player_id: "Kitchen Echo".into(),
            taken: Some(1_764_093_845_000),
            closing: true,
        };
        let body = serde_json::to_vec(&beat).expect("serialises");
        assert_eq!(parse_beat(&body).expect("valid"), beat);
        let bare = parse_beat(br#"{"playerId": "Kitchen Echo", "taken": null, "closing": null}"#)
            .expect("valid");
        assert_eq!((bare.taken, bare.closing), (None, false));
    }

    #[test]
    fn each_bad_beat_names_what_is_wrong() {
        for (body, wanted) in [
            ("{", "not JSON"),
            ("7", "JSON object"),
            ("{}", "playerId is missing"),
            (r#"{"playerId": "p", "taken": -1}"#, "taken must be"),
            (r#"{"playerId": "p", "taken": 1.5}"#, "taken must be"),
            (r#"{"playerId": "p", "taken": "7"}"#, "taken must be"),
            (r#"{"playerId": "p", "closing": "true"}"#, "closing must be"),
        ] {
            let error = parse_beat(body.as_bytes()).expect_err(body).to_string();
            assert!(error.contains(wanted), "{body}: {error}");
        }
    }
}
