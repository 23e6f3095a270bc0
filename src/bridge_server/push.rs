//! What Music Assistant pushes (`POST /ma/push-url`), checked field by field.
//!
//! Music Assistant's Alexa provider sends `{"streamUrl": …}` when it starts a stream, then the
//! same `streamUrl` again with `title`, `artist`, `album` and `imageUrl` whenever the item
//! playing inside that (flow) stream changes; newer builds add `playerId`, and newer still
//! `canSkipSpeech` on the play push (open-screen mode: [`super::screens`]). Every field but
//! `streamUrl` may be left out or `null`. A body that does not fit is refused with a message
//! naming the field, and nothing is stored.

use serde_json::{Map, Value};

use crate::stream::InternalStream;

/// Longest `playerId` accepted (Music Assistant's Alexa player ids are Echo names).
pub const MAX_PLAYER_ID_LEN: usize = 256;

/// A metadata field of a push: `None` when the body leaves it out (a re-push of the same stream
/// keeps what the bridge has), `Some(None)` when it is `null` or empty, else the text.
pub type Field = Option<Option<String>>;

/// A checked push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Push {
    /// `streamUrl` exactly as sent; it is handed back unchanged.
    pub stream_url: String,
    /// The same URL, parsed: it tells the queue when `playerId` does not.
    pub stream: InternalStream,
    /// `playerId`, when sent and not empty.
    pub player_id: Option<String>,
    /// `title`.
    pub title: Field,
    /// `artist`.
    pub artist: Field,
    /// `album`.
    pub album: Field,
    /// `imageUrl` (an absolute http(s) URL).
    pub image_url: Field,
    /// `canSkipSpeech: true`: Music Assistant leaves out its spoken command when the answer says
    /// `pageLive: true`. Only a JSON `true` counts; anything else (left out, `false`, `"true"`,
    /// `1`) counts as absent and is never a reason to refuse the push.
    pub can_skip_speech: bool,
}

/// Why a push was refused. The text goes back to Music Assistant (and into its log).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    /// The body is not JSON.
    #[error("the body is not JSON ({0})")]
    NotJson(String),
    /// The body is JSON, but not an object.
    #[error("the body must be a JSON object")]
    NotObject,
    /// No `streamUrl`, or an empty one.
    #[error("streamUrl is missing: it is required")]
    MissingStreamUrl,
    /// A field of the wrong type or form.
    #[error("{field} must be {expected}")]
    Invalid {
        /// The field's name in the body.
        field: &'static str,
        /// What it must be.
        expected: &'static str,
    },
}

impl Push {
    /// Reads a push body.
    ///
    /// ```
    /// use ma_alexa_skill::bridge_server::push::Push;
    ///
    /// let push = Push::parse(br#"{"streamUrl": "http://192.168.1.20:8097/flow/s1/Kitchen%20Echo/i1/Kitchen%20Echo.mp3", "title": null}"#).unwrap();
    /// assert_eq!(push.stream.queue().unwrap().as_str(), "Kitchen Echo");
    /// assert_eq!(push.title, Some(None));
    /// assert_eq!(push.artist, None);
    /// assert!(Push::parse(br#"{"title": "So What"}"#).is_err());
    /// ```
    pub fn parse(body: &[u8]) -> Result<Self, PushError> {
        let value: Value =
            serde_json::from_slice(body).map_err(|e| PushError::NotJson(e.to_string()))?;
        let Value::Object(fields) = value else {
            return Err(PushError::NotObject);
        };
        let stream_url = match fields.get("streamUrl") {
            None | Some(Value::Null) => return Err(PushError::MissingStreamUrl),
            Some(Value::String(s)) if s.trim().is_empty() => {
                return Err(PushError::MissingStreamUrl)
            }
            Some(Value::String(s)) => s.clone(),
            Some(_) => return Err(invalid_stream_url()),
        };
        let stream = InternalStream::parse(&stream_url).ok_or_else(invalid_stream_url)?;
        let player_id = match text(&fields, "playerId")? {
            Some(Some(id)) if id.chars().count() > MAX_PLAYER_ID_LEN => {
                return Err(PushError::Invalid {
                    field: "playerId",
                    expected: "a string of at most 256 characters",
                })
            }
            Some(Some(id)) => Some(id.trim().to_owned()),
            _ => None,
        };
        let image_url = text(&fields, "imageUrl")?;
        if let Some(Some(url)) = &image_url {
            let absolute_http = url::Url::parse(url.trim())
                .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host_str().is_some());
            if !absolute_http {
                return Err(PushError::Invalid {
                    field: "imageUrl",
                    expected: "an absolute http(s) URL or null",
                });
            }
        }
        Ok(Self {
            stream_url,
            stream,
            player_id,
            title: text(&fields, "title")?,
            artist: text(&fields, "artist")?,
            album: text(&fields, "album")?,
            image_url,
            can_skip_speech: fields.get("canSkipSpeech") == Some(&Value::Bool(true)),
        })
    }

    /// The player this push is for: `playerId` when sent, else the queue named in the stream
    /// path (which, for Music Assistant's Alexa players, is the player id).
    pub fn player(&self) -> Option<&str> {
        self.player_id
            .as_deref()
            .or_else(|| self.stream.queue().map(|q| q.as_str()))
    }
}

fn invalid_stream_url() -> PushError {
    PushError::Invalid {
        field: "streamUrl",
        expected: "a Music Assistant stream: an absolute http(s) URL on /flow/, /single/, /announcement/ or /pluginsource/",
    }
}

/// An optional text field: left out, `null` (or blank), or a string.
fn text(fields: &Map<String, Value>, field: &'static str) -> Result<Field, PushError> {
    match fields.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(_) => Err(PushError::Invalid {
            field,
            expected: "a string or null",
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str =
        "http://192.168.1.20:8097/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3";

    fn parse(body: &str) -> Result<Push, PushError> {
        Push::parse(body.as_bytes())
    }

    #[test]
    fn a_bare_push_leaves_every_field_out() {
        let push = parse(&format!(r#"{{"streamUrl": "{URL}"}}"#)).expect("valid");
        assert_eq!(push.stream_url, URL);
        assert_eq!(push.player(), Some("Kitchen Echo"));
        assert_eq!(
            (push.title, push.artist, push.album, push.image_url),
            (None, None, None, None)
        );
    }

    #[test]
    fn a_metadata_push_carries_values_and_nulls() {
        let push = parse(&format!(
            r#"{{"streamUrl": "{URL}", "title": "So What", "artist": "Miles Davis", "album": null, "imageUrl": "http://192.168.1.20:8095/imageproxy?path=x", "canSkipSpeech": true}}"#
        ))
        .expect("valid");
        assert_eq!(push.title, Some(Some("So What".into())));
        assert_eq!(push.album, Some(None));
        assert!(push.image_url.is_some());
    }

    #[test]
    fn only_a_json_true_can_skip_speech() {
        let with = |value: &str| {
            parse(&format!(
                r#"{{"streamUrl": "{URL}", "playerId": "Kitchen Echo", "canSkipSpeech": {value}}}"#
            ))
            .expect("a push is never refused over canSkipSpeech")
            .can_skip_speech
        };
        assert!(with("true"));
        for other in ["false", "null", "1", "\"true\"", "{}", "[true]"] {
            assert!(!with(other), "{other}");
        }
        assert!(
            !parse(&format!(r#"{{"streamUrl": "{URL}"}}"#))
                .expect("valid")
                .can_skip_speech
        );
        // Music Assistant's play push, exactly.
        let play = parse(
            r#"{"streamUrl": "http://ma/flow/1.mp3", "title": "t", "artist": null, "album": null, "imageUrl": null, "playerId": "Kitchen Echo", "canSkipSpeech": true}"#,
        )
        .expect("valid");
        assert!(play.can_skip_speech);
        assert_eq!(play.player(), Some("Kitchen Echo"));
    }

    #[test]
    fn player_id_wins_over_the_stream_path() {
        let push = parse(&format!(
            r#"{{"streamUrl": "{URL}", "playerId": " Living Room "}}"#
        ))
        .expect("valid");
        assert_eq!(push.player(), Some("Living Room"));
        let blank = parse(&format!(r#"{{"streamUrl": "{URL}", "playerId": ""}}"#)).expect("valid");
        assert_eq!(blank.player(), Some("Kitchen Echo"));
    }

    #[test]
    fn a_stream_without_a_queue_in_its_path_has_no_player() {
        let push =
            parse(r#"{"streamUrl": "http://10.0.0.2:8097/announcement/x.mp3"}"#).expect("valid");
        assert_eq!(push.player(), None);
    }

    #[test]
    fn each_bad_body_names_what_is_wrong() {
        let cases = [
            ("", "not JSON"),
            ("{", "not JSON"),
            ("[1]", "JSON object"),
            ("{}", "streamUrl is missing"),
            (r#"{"streamUrl": null}"#, "streamUrl is missing"),
            (r#"{"streamUrl": "  "}"#, "streamUrl is missing"),
            (r#"{"streamUrl": 42}"#, "streamUrl must be"),
            (
                r#"{"streamUrl": "ftp://h/flow/q/i.mp3"}"#,
                "streamUrl must be",
            ),
            (r#"{"streamUrl": "/flow/q/i.mp3"}"#, "streamUrl must be"),
            (
                r#"{"streamUrl": "http://h/flow/q/i.mp3", "title": 1}"#,
                "title must be",
            ),
            (
                r#"{"streamUrl": "http://h/flow/q/i.mp3", "artist": []}"#,
                "artist must be",
            ),
            (
                r#"{"streamUrl": "http://h/flow/q/i.mp3", "album": {}}"#,
                "album must be",
            ),
            (
                r#"{"streamUrl": "http://h/flow/q/i.mp3", "imageUrl": "cover.jpg"}"#,
                "imageUrl must be",
            ),
            (
                r#"{"streamUrl": "http://h/flow/q/i.mp3", "imageUrl": "javascript:x"}"#,
                "imageUrl must be",
            ),
            (
                r#"{"streamUrl": "http://h/flow/q/i.mp3", "playerId": 7}"#,
                "playerId must be",
            ),
        ];
        for (body, wanted) in cases {
            let error = parse(body).expect_err(body).to_string();
            assert!(error.contains(wanted), "{body}: {error}");
        }
        let long = format!(
            r#"{{"streamUrl": "{URL}", "playerId": "{}"}}"#,
            "p".repeat(257)
        );
        assert!(parse(&long)
            .expect_err("too long")
            .to_string()
            .contains("256"));
    }
}
