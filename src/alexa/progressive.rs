//! Wire type of a progressive response: the body of `POST {apiEndpoint}/v1/directives`, a
//! `VoicePlayer.Speak` directive that Alexa speaks while the skill is still working on the
//! request it names.
//!
//! ```json
//! {"header":{"requestId":"amzn1.echo-api.request.…"},
//!  "directive":{"type":"VoicePlayer.Speak","speech":"<speak>Looking for Kind of Blue…</speak>"}}
//! ```
//!
//! Amazon's reference: "Send the User a Progressive Response",
//! <https://developer.amazon.com/en-US/docs/alexa/custom-skills/send-the-user-a-progressive-response.html>.
//! The speech is SSML, so the text (which carries a name the user said) is escaped.

use serde::Serialize;

/// The directive type Alexa speaks.
pub const SPEAK: &str = "VoicePlayer.Speak";

/// The body of one progressive response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProgressiveResponse {
    header: Header,
    directive: SpeakDirective,
}

/// `header`: the request the speech belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
struct Header {
    request_id: String,
}

/// `directive`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
struct SpeakDirective {
    #[serde(rename = "type")]
    kind: &'static str,
    speech: String,
}

impl ProgressiveResponse {
    /// `text` (plain text, escaped here) spoken while request `request_id` is worked on.
    pub fn speak(request_id: &str, text: &str) -> Self {
        Self {
            header: Header {
                request_id: request_id.to_owned(),
            },
            directive: SpeakDirective {
                kind: SPEAK,
                speech: format!("<speak>{}</speak>", ssml_escaped(text)),
            },
        }
    }

    /// The request it belongs to.
    pub fn request_id(&self) -> &str {
        &self.header.request_id
    }

    /// The SSML Alexa speaks.
    pub fn speech(&self) -> &str {
        &self.directive.speech
    }
}

/// Plain text as SSML character data: `&`, `<`, `>`, `"` and `'` become entities, so a name
/// such as "Simon & Garfunkel" or "`<speak>`" is spoken, never read as markup.
pub fn ssml_escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_is_amazons_shape() {
        let body = ProgressiveResponse::speak("amzn1.echo-api.request.1", "Looking for AC/DC…");
        assert_eq!(
            serde_json::to_value(&body).expect("serializes"),
            serde_json::json!({
                "header": { "requestId": "amzn1.echo-api.request.1" },
                "directive": {
                    "type": "VoicePlayer.Speak",
                    "speech": "<speak>Looking for AC/DC…</speak>"
                }
            })
        );
    }

    #[test]
    fn markup_in_names_is_spoken_not_read() {
        assert_eq!(
            ssml_escaped(r#"Simon & Garfunkel <speak> "Live" l'été"#),
            "Simon &amp; Garfunkel &lt;speak&gt; &quot;Live&quot; l&apos;été"
        );
        let body = ProgressiveResponse::speak("r", "</speak><audio src='x'/>");
        assert_eq!(
            body.speech(),
            "<speak>&lt;/speak&gt;&lt;audio src=&apos;x&apos;/&gt;</speak>"
        );
    }
}
