//! The response envelope and its builders.
//!
//! Only what this skill sends is modelled. Absent fields are left out of the JSON rather than
//! sent as `null`: for `shouldEndSession` "absent" and `false` mean different things, and
//! `expectedPreviousToken` must not appear outside `ENQUEUE`.
//!
//! Besides the AudioPlayer directives there are the two APL directives of the skill's page on
//! screen devices (`Alexa.Presentation.APL.RenderDocument` and `…ExecuteCommands`); the document
//! and the commands are JSON the skill builds, carried here as they are.

use serde::Serialize;

use crate::stream::{AudioToken, StreamUrl};

/// Longest title or subtitle sent in stream metadata; keeps the answer far below Alexa's 24 KB.
const MAX_METADATA_CHARS: usize = 200;

/// The whole answer to one request.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResponseEnvelope {
    /// Always `"1.0"`.
    pub version: &'static str,
    /// What Alexa keeps for the next request of an open session (a question the skill asked).
    #[serde(rename = "sessionAttributes", skip_serializing_if = "Option::is_none")]
    pub session_attributes: Option<serde_json::Map<String, serde_json::Value>>,
    /// The response body.
    pub response: Response,
}

/// `response`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Response {
    /// What Alexa says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_speech: Option<OutputSpeech>,
    /// A card in the Alexa app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card: Option<Card>,
    /// What Alexa says if the user stays silent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reprompt: Option<Reprompt>,
    /// AudioPlayer and APL directives.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub directives: Vec<Directive>,
    /// `true` closes the session, `false` opens the microphone, absent leaves it to the device.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub should_end_session: Option<bool>,
}

/// `outputSpeech`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum OutputSpeech {
    /// Plain text, read by Alexa's voice.
    PlainText {
        /// The text.
        text: String,
    },
}

/// `reprompt`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reprompt {
    /// What Alexa says.
    pub output_speech: OutputSpeech,
}

/// `card`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Card {
    /// A title and a text.
    Simple {
        /// Card title.
        title: String,
        /// Card text.
        content: String,
    },
}

/// A directive: AudioPlayer's, or APL's for the page on a screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type")]
pub enum Directive {
    /// Start or queue a stream.
    #[serde(rename = "AudioPlayer.Play")]
    Play(Play),
    /// Stop the current stream.
    #[serde(rename = "AudioPlayer.Stop")]
    Stop,
    /// Show an APL document.
    #[serde(rename = "Alexa.Presentation.APL.RenderDocument")]
    RenderDocument(RenderDocument),
    /// Run APL commands on the document shown.
    #[serde(rename = "Alexa.Presentation.APL.ExecuteCommands")]
    ExecuteCommands(ExecuteCommands),
}

/// `Alexa.Presentation.APL.RenderDocument`
/// (<https://developer.amazon.com/en-US/docs/alexa/alexa-presentation-language/apl-render-document-skill-directive.html>).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RenderDocument {
    /// Names the document: events from it carry it, and `ExecuteCommands` must name it.
    pub token: String,
    /// The APL document.
    pub document: serde_json::Value,
    /// The data the document binds to, by the names of `mainTemplate.parameters`.
    pub datasources: serde_json::Value,
}

/// `Alexa.Presentation.APL.ExecuteCommands`
/// (<https://developer.amazon.com/en-US/docs/alexa/alexa-presentation-language/apl-execute-command-directive.html>).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExecuteCommands {
    /// The token of the document shown; commands for another document are not run.
    pub token: String,
    /// APL commands, run in order.
    pub commands: Vec<serde_json::Value>,
}

/// `AudioPlayer.Play`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Play {
    /// Replace everything, or queue after the current stream.
    pub play_behavior: PlayBehavior,
    /// The stream and what to show for it.
    pub audio_item: AudioItem,
}

/// `playBehavior`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PlayBehavior {
    /// Play now, dropping the current stream and the queue.
    ReplaceAll,
    /// Play after the current stream.
    Enqueue,
}

/// `audioItem`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AudioItem {
    /// The stream.
    pub stream: Stream,
    /// Title, subtitle and art for screen devices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `audioItem.stream`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Stream {
    /// Public https address.
    pub url: String,
    /// Names the stream; comes back in later requests.
    pub token: String,
    /// Only with `ENQUEUE`: the stream that must be playing for the new one to be queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected_previous_token: Option<String>,
    /// Where to start.
    pub offset_in_milliseconds: u64,
}

/// `audioItem.metadata`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Metadata {
    /// Usually the track title.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Usually artist and album.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    /// Cover art.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub art: Option<Image>,
}

/// An image with its sources.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// Read by screen readers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content_description: Option<String>,
    /// Where to fetch it (https only).
    pub sources: Vec<ImageSource>,
}

/// One image source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImageSource {
    /// The https address.
    pub url: String,
}

impl Metadata {
    /// Metadata from what Music Assistant pushed; `None` when there is nothing to show.
    /// Subtitle is "artist – album" from whichever of the two are present.
    pub fn new(
        title: Option<&str>,
        artist: Option<&str>,
        album: Option<&str>,
        art_url: Option<String>,
    ) -> Option<Self> {
        let clean = |s: Option<&str>| {
            s.map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| s.chars().take(MAX_METADATA_CHARS).collect::<String>())
        };
        let title = clean(title);
        let parts: Vec<String> = [clean(artist), clean(album)]
            .into_iter()
            .flatten()
            .collect();
        let subtitle = (!parts.is_empty()).then(|| parts.join(" – "));
        let art = art_url.map(|url| Image {
            content_description: title.clone(),
            sources: vec![ImageSource { url }],
        });
        let metadata = Self {
            title,
            subtitle,
            art,
        };
        (metadata != Self::default()).then_some(metadata)
    }
}

impl Play {
    /// A `Play` of `url`, named by `token`, from `offset_ms`. With [`PlayBehavior::Enqueue`],
    /// `expected_previous` is the token that must still be playing.
    pub fn new(
        behavior: PlayBehavior,
        url: &StreamUrl,
        token: &AudioToken,
        offset_ms: u64,
        metadata: Option<Metadata>,
        expected_previous: Option<&AudioToken>,
    ) -> Self {
        Self {
            play_behavior: behavior,
            audio_item: AudioItem {
                stream: Stream {
                    url: url.as_str().to_owned(),
                    token: token.as_str().to_owned(),
                    expected_previous_token: match behavior {
                        PlayBehavior::Enqueue => expected_previous.map(|t| t.as_str().to_owned()),
                        PlayBehavior::ReplaceAll => None,
                    },
                    offset_in_milliseconds: offset_ms,
                },
                metadata,
            },
        }
    }
}

fn plain(text: impl Into<String>) -> OutputSpeech {
    OutputSpeech::PlainText { text: text.into() }
}

impl ResponseEnvelope {
    fn with(response: Response) -> Self {
        Self {
            version: "1.0",
            session_attributes: None,
            response,
        }
    }

    /// The same answer, asking Alexa to keep `attributes` for the session's next request.
    pub fn keeping(mut self, attributes: serde_json::Map<String, serde_json::Value>) -> Self {
        self.session_attributes = Some(attributes);
        self
    }

    /// `{"version":"1.0","response":{}}`: the answer to requests that must stay silent.
    pub fn empty() -> Self {
        Self::with(Response::default())
    }

    /// Says `text` and closes the session.
    pub fn say(text: impl Into<String>) -> Self {
        Self::with(Response {
            output_speech: Some(plain(text)),
            should_end_session: Some(true),
            ..Response::default()
        })
    }

    /// Says `text`, shows it on a card titled `title` in the Alexa app, and closes the session:
    /// for problems the owner has to fix, so the details stay readable after Alexa spoke.
    pub fn say_with_card(text: impl Into<String>, title: impl Into<String>) -> Self {
        let text = text.into();
        Self::with(Response {
            card: Some(Card::Simple {
                title: title.into(),
                content: text.clone(),
            }),
            output_speech: Some(plain(text)),
            should_end_session: Some(true),
            ..Response::default()
        })
    }

    /// Says `text`, keeps the session open, and says `reprompt` if the user stays silent.
    pub fn ask(text: impl Into<String>, reprompt: impl Into<String>) -> Self {
        Self::with(Response {
            output_speech: Some(plain(text)),
            reprompt: Some(Reprompt {
                output_speech: plain(reprompt),
            }),
            should_end_session: Some(false),
            ..Response::default()
        })
    }

    /// Closes the session without a word.
    pub fn end_session() -> Self {
        Self::with(Response {
            should_end_session: Some(true),
            ..Response::default()
        })
    }

    /// Says `text`, then plays (or stops): `directive` runs once Alexa has spoken, and the
    /// session closes.
    pub fn say_and_play(text: impl Into<String>, directive: Directive) -> Self {
        Self::with(Response {
            output_speech: Some(plain(text)),
            directives: vec![directive],
            should_end_session: Some(true),
            ..Response::default()
        })
    }

    /// An answer for a screen that keeps the session open without opening the microphone:
    /// `shouldEndSession` is left out. Amazon: `true` ends the session, `false` (and `null`)
    /// keeps it open and opens the microphone; when it is absent "the behavior depends on the
    /// type of device": on a device with a screen, with visual content in the answer, the session
    /// stays open and the microphone stays closed
    /// (<https://developer.amazon.com/en-US/docs/alexa/custom-skills/manage-skill-session-and-session-attributes.html>).
    pub fn on_screen(speech: Option<String>, directives: Vec<Directive>) -> Self {
        Self::with(Response {
            output_speech: speech.map(plain),
            directives,
            should_end_session: None,
            ..Response::default()
        })
    }

    /// `directives`, in order, with `shouldEndSession` as given.
    pub fn directives(directives: Vec<Directive>, end_session: Option<bool>) -> Self {
        Self::with(Response {
            directives,
            should_end_session: end_session,
            ..Response::default()
        })
    }

    /// Only `directive`; `end_session` is `Some(true)` in answers to voice requests and `None`
    /// in answers to AudioPlayer and PlaybackController requests, which must not carry it.
    pub fn directive(directive: Directive, end_session: Option<bool>) -> Self {
        Self::with(Response {
            directives: vec![directive],
            should_end_session: end_session,
            ..Response::default()
        })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::stream::{HttpsBase, InternalStream};

    #[test]
    fn empty_response_is_an_empty_object() {
        assert_eq!(
            serde_json::to_value(ResponseEnvelope::empty()).expect("serializes"),
            json!({ "version": "1.0", "response": {} })
        );
    }

    #[test]
    fn stop_is_a_bare_type() {
        assert_eq!(
            serde_json::to_value(ResponseEnvelope::directive(Directive::Stop, None))
                .expect("serializes"),
            json!({ "version": "1.0", "response": { "directives": [{ "type": "AudioPlayer.Stop" }] } })
        );
    }

    #[test]
    fn replace_all_never_carries_expected_previous_token() {
        let stream = InternalStream::parse("http://h/flow/q/i.mp3").expect("valid");
        let url = HttpsBase::parse("ma.example.net")
            .expect("valid")
            .rewrite(stream.url())
            .expect("short");
        let token = stream.token();
        let play = Play::new(
            PlayBehavior::ReplaceAll,
            &url,
            &token,
            0,
            None,
            Some(&token),
        );
        let json = serde_json::to_value(play).expect("serializes");
        assert_eq!(json["playBehavior"], "REPLACE_ALL");
        assert!(json["audioItem"]["stream"]
            .get("expectedPreviousToken")
            .is_none());
        assert!(json["audioItem"].get("metadata").is_none());
    }

    #[test]
    fn a_screen_answer_leaves_should_end_session_out() {
        let answer = ResponseEnvelope::on_screen(
            Some("Playing.".into()),
            vec![Directive::ExecuteCommands(ExecuteCommands {
                token: "page".into(),
                commands: vec![json!({ "type": "Idle" })],
            })],
        );
        let json = serde_json::to_value(answer).expect("serializes");
        assert_eq!(
            json["response"],
            json!({
                "outputSpeech": { "type": "PlainText", "text": "Playing." },
                "directives": [{
                    "type": "Alexa.Presentation.APL.ExecuteCommands",
                    "token": "page",
                    "commands": [{ "type": "Idle" }]
                }]
            })
        );
        let render = Directive::RenderDocument(RenderDocument {
            token: "page".into(),
            document: json!({ "type": "APL" }),
            datasources: json!({}),
        });
        let json = serde_json::to_value(render).expect("serializes");
        assert_eq!(json["type"], "Alexa.Presentation.APL.RenderDocument");
        assert_eq!(json["document"]["type"], "APL");
    }

    #[test]
    fn metadata_joins_artist_and_album() {
        let m = Metadata::new(
            Some("So What"),
            Some("Miles Davis"),
            Some(" Kind of Blue "),
            None,
        )
        .expect("some");
        assert_eq!(m.subtitle.as_deref(), Some("Miles Davis – Kind of Blue"));
        assert_eq!(Metadata::new(None, Some(""), None, None), None);
        let long = "x".repeat(5000);
        let m = Metadata::new(Some(&long), None, None, None).expect("some");
        assert_eq!(m.title.map(|t| t.chars().count()), Some(MAX_METADATA_CHARS));
    }
}
