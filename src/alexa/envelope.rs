//! Wire types of the Alexa request envelope.
//!
//! Everything Amazon may leave out is an `Option`, unknown fields are ignored (Amazon adds
//! fields without notice), and only what the skill reads is modelled: user ids and other
//! personal data are never even parsed, so they cannot leak into a log. The one secret the skill
//! reads is `context.System.apiAccessToken`, which it needs to send a progressive response
//! (`crate::progressive`): it is read straight into an [`ApiAccessToken`], a `secrecy` box
//! whose `Debug` prints `[REDACTED]` and which has no `Display` and no `Serialize`, so a log
//! line, an error or a snapshot of a request cannot show it; only the HTTP client that sends the
//! progressive response takes it out, for its `Authorization` header.
//! The `request` object is dispatched on its `type` by [`RawRequest`]; types it does not know
//! land in `Unknown` instead of failing. Around it (session, context), a part of the wrong shape
//! counts as absent: a request is answered on what can be read of it.

use secrecy::{ExposeSecret, SecretString};
use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// The outer request envelope.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestEnvelope {
    /// Envelope version, `"1.0"`.
    #[serde(default, deserialize_with = "lenient")]
    pub version: Option<String>,
    /// Present for in-session requests (launch, intents, session end).
    #[serde(default, deserialize_with = "lenient_object")]
    pub session: Option<Session>,
    /// The device's state; present on every real request.
    #[serde(default, deserialize_with = "lenient_object")]
    pub context: Option<Context>,
    /// The request itself, parsed on its own by [`RawRequest`].
    #[serde(default = "Value::default")]
    pub request: Value,
}

/// The `session` object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Session {
    /// Whether this request opened the session.
    #[serde(default, deserialize_with = "lenient")]
    pub new: Option<bool>,
    /// The skill the session belongs to.
    #[serde(default, deserialize_with = "lenient_object")]
    pub application: Option<Application>,
    /// What the skill's previous answer in this session asked Alexa to keep.
    #[serde(default, deserialize_with = "lenient_map")]
    pub attributes: Map<String, Value>,
}

/// An `application` object.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Application {
    /// The skill id, `amzn1.ask.skill.…`.
    #[serde(default, deserialize_with = "lenient")]
    pub application_id: Option<String>,
}

/// The `context` object.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Context {
    /// `context.System`.
    #[serde(rename = "System", default, deserialize_with = "lenient_object")]
    pub system: Option<System>,
    /// `context.AudioPlayer`: what this skill last played on the device.
    #[serde(rename = "AudioPlayer", default, deserialize_with = "lenient")]
    pub audio_player: Option<AudioPlayerState>,
    /// `context.Viewport`: the device's screen, on devices that have one.
    #[serde(rename = "Viewport", default, deserialize_with = "lenient_object")]
    pub viewport: Option<Viewport>,
}

/// `context.Viewport`: the screen of the device (only what the skill reads).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Viewport {
    /// `HUB`, `TV`, `MOBILE`, `PC`, `AUTO`.
    #[serde(default, deserialize_with = "lenient")]
    pub mode: Option<String>,
    /// `RECTANGLE` or `ROUND`.
    #[serde(default, deserialize_with = "lenient")]
    pub shape: Option<String>,
    /// Width of the screen in pixels.
    #[serde(default, deserialize_with = "lenient")]
    pub pixel_width: Option<u32>,
    /// Height of the screen in pixels.
    #[serde(default, deserialize_with = "lenient")]
    pub pixel_height: Option<u32>,
    /// Pixel density.
    #[serde(default, deserialize_with = "lenient")]
    pub dpi: Option<u32>,
    /// `video`: what the device's APL runtime can play.
    #[serde(default, deserialize_with = "lenient_object")]
    pub video: Option<ViewportVideo>,
}

/// `context.Viewport.video`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ViewportVideo {
    /// The video codecs the APL runtime plays (`H_264_41`, `H_264_42`); a list of the wrong
    /// shape counts as empty, and so does any entry that is not a string.
    #[serde(default, deserialize_with = "lenient_strings")]
    pub codecs: Vec<String>,
}

/// `Alexa.Presentation.APL.UserEvent`: a `SendEvent` command of an APL document the skill
/// rendered. Read on its own from the request object (it is not one of [`RawRequest`]'s types).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct UserEvent {
    /// The token of the document that sent it.
    #[serde(default, deserialize_with = "lenient")]
    pub token: Option<String>,
    /// What the document's `SendEvent` sent, any JSON; a value of the wrong shape counts as
    /// no arguments.
    #[serde(default, deserialize_with = "lenient")]
    pub arguments: Option<Vec<Value>>,
}

/// The request type of [`UserEvent`].
pub const USER_EVENT: &str = "Alexa.Presentation.APL.UserEvent";

/// The name of the APL interface in `context.System.device.supportedInterfaces`.
pub const APL_INTERFACE: &str = "Alexa.Presentation.APL";

/// `context.System`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct System {
    /// The skill the request is for; the one to check.
    #[serde(default, deserialize_with = "lenient_object")]
    pub application: Option<Application>,
    /// The device that sent the request.
    #[serde(default, deserialize_with = "lenient_object")]
    pub device: Option<Device>,
    /// Where this request's calls to Alexa's APIs go (`https://api.amazonalexa.com`,
    /// `https://api.eu.amazonalexa.com`…), as sent: checked before any call.
    #[serde(default, deserialize_with = "lenient")]
    pub api_endpoint: Option<String>,
    /// The bearer token for those calls, valid for this request only: a secret.
    #[serde(default, deserialize_with = "lenient_secret")]
    pub api_access_token: Option<ApiAccessToken>,
}

/// `context.System.apiAccessToken`: a secret that never prints itself (`Debug` shows
/// `[REDACTED]`; there is no `Display` or `Serialize`).
#[derive(Clone)]
pub struct ApiAccessToken(SecretString);

impl ApiAccessToken {
    /// The token itself, for the `Authorization` header of a call to Alexa's API and nothing
    /// else.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl From<String> for ApiAccessToken {
    fn from(token: String) -> Self {
        Self(SecretString::from(token))
    }
}

impl std::fmt::Debug for ApiAccessToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiAccessToken([REDACTED])")
    }
}

/// Two tokens are equal when their bytes are, compared in constant time.
impl PartialEq for ApiAccessToken {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq as _;
        self.expose()
            .as_bytes()
            .ct_eq(other.expose().as_bytes())
            .into()
    }
}

impl Eq for ApiAccessToken {}

/// `context.System.device`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    /// The device id, scoped to this skill (`amzn1.ask.device.…`).
    #[serde(default, deserialize_with = "lenient")]
    pub device_id: Option<String>,
    /// Interfaces the device supports, by name; `AudioPlayer` is there iff it can stream.
    #[serde(default, deserialize_with = "lenient_map")]
    pub supported_interfaces: Map<String, Value>,
}

/// `context.AudioPlayer`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioPlayerState {
    /// Token of the stream this skill last played on the device.
    #[serde(default, deserialize_with = "lenient")]
    pub token: Option<String>,
    /// Position in that stream.
    #[serde(default, deserialize_with = "lenient_offset")]
    pub offset_in_milliseconds: Option<u64>,
    /// `IDLE`, `PAUSED`, `PLAYING`, `BUFFER_UNDERRUN`, `FINISHED` or `STOPPED`.
    #[serde(default, deserialize_with = "lenient")]
    pub player_activity: Option<String>,
}

/// The `request` object, by `type`.
#[derive(Debug, Clone, Deserialize)]
#[serde(tag = "type")]
pub enum RawRequest {
    /// "Alexa, open music assistant".
    LaunchRequest(Common),
    /// A spoken command.
    IntentRequest(IntentRequest),
    /// The session closed.
    SessionEndedRequest(SessionEnded),
    /// The device started a stream.
    #[serde(rename = "AudioPlayer.PlaybackStarted")]
    PlaybackStarted(Playback),
    /// The device stopped a stream (pause, voice interruption, replaced stream).
    #[serde(rename = "AudioPlayer.PlaybackStopped")]
    PlaybackStopped(Playback),
    /// A stream played to its end.
    #[serde(rename = "AudioPlayer.PlaybackFinished")]
    PlaybackFinished(Playback),
    /// A stream is about to end: time to enqueue the next one.
    #[serde(rename = "AudioPlayer.PlaybackNearlyFinished")]
    PlaybackNearlyFinished(Playback),
    /// A stream could not be played.
    #[serde(rename = "AudioPlayer.PlaybackFailed")]
    PlaybackFailed(PlaybackFailed),
    /// The play button.
    #[serde(rename = "PlaybackController.PlayCommandIssued")]
    PlayCommandIssued(Common),
    /// The pause button.
    #[serde(rename = "PlaybackController.PauseCommandIssued")]
    PauseCommandIssued(Common),
    /// The next button.
    #[serde(rename = "PlaybackController.NextCommandIssued")]
    NextCommandIssued(Common),
    /// The previous button.
    #[serde(rename = "PlaybackController.PreviousCommandIssued")]
    PreviousCommandIssued(Common),
    /// Alexa could not use an earlier response of this skill.
    #[serde(rename = "System.ExceptionEncountered")]
    ExceptionEncountered(ExceptionEncountered),
    /// Any other type (skill events, APL, future types).
    #[serde(other)]
    Unknown,
}

/// Fields every request carries.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Common {
    /// `amzn1.echo-api.request.…`.
    #[serde(default, deserialize_with = "lenient")]
    pub request_id: Option<String>,
    /// `en-US`, `de-DE`…; not on every type.
    #[serde(default, deserialize_with = "lenient")]
    pub locale: Option<String>,
}

/// `IntentRequest` fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct IntentRequest {
    /// The intent; a request without one is malformed.
    #[serde(default)]
    pub intent: Option<Intent>,
}

/// `request.intent`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Intent {
    /// `AMAZON.PauseIntent`, `PlayAudioIntent`…
    #[serde(default)]
    pub name: Option<String>,
    /// The slots, by name; a map of the wrong shape counts as empty.
    #[serde(default, deserialize_with = "lenient_map")]
    pub slots: Map<String, Value>,
}

/// A slot of `request.intent.slots` (only what the skill reads).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Slot {
    /// What Alexa heard; absent when the slot was not filled.
    #[serde(default, deserialize_with = "lenient")]
    pub value: Option<String>,
    /// The newer form of the value: `{"type": "Simple", "value": …}`.
    #[serde(default, deserialize_with = "lenient")]
    pub slot_value: Option<SlotValue>,
    /// Entity resolution: which value of a custom slot type Alexa matched.
    #[serde(default, deserialize_with = "lenient")]
    pub resolutions: Option<Resolutions>,
}

/// `resolutions` of a slot.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Resolutions {
    /// One entry per authority (the skill's own slot types are one).
    #[serde(default)]
    pub resolutions_per_authority: Vec<Authority>,
}

/// One authority's resolution.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Authority {
    /// `{"code": "ER_SUCCESS_MATCH"}` when a value matched.
    #[serde(default)]
    pub status: Option<ResolutionStatus>,
    /// The matched values, best first.
    #[serde(default)]
    pub values: Vec<ResolvedValue>,
}

/// The status of a resolution.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResolutionStatus {
    /// `ER_SUCCESS_MATCH`, `ER_SUCCESS_NO_MATCH`…
    #[serde(default)]
    pub code: Option<String>,
}

/// `{"value": {"id": …, "name": …}}`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResolvedValue {
    /// The matched value.
    #[serde(default)]
    pub value: Option<ResolvedId>,
}

/// The id of a matched value.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResolvedId {
    /// The value's id in the slot type.
    #[serde(default)]
    pub id: Option<String>,
}

/// `slotValue` of a slot.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SlotValue {
    /// What Alexa heard, for a `Simple` slot value.
    #[serde(default, deserialize_with = "lenient")]
    pub value: Option<String>,
}

/// `SessionEndedRequest` fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SessionEnded {
    /// `USER_INITIATED`, `ERROR` or `EXCEEDED_MAX_REPROMPTS`.
    #[serde(default)]
    pub reason: Option<String>,
    /// Present when `reason` is `ERROR`.
    #[serde(default)]
    pub error: Option<ErrorInfo>,
}

/// Fields of the `AudioPlayer.Playback*` requests.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Playback {
    /// Token of the stream the event is about.
    #[serde(default)]
    pub token: Option<String>,
    /// Position in that stream.
    #[serde(default, deserialize_with = "lenient_offset")]
    pub offset_in_milliseconds: Option<u64>,
}

/// `AudioPlayer.PlaybackFailed` fields.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaybackFailed {
    /// Token of the stream that failed.
    #[serde(default)]
    pub token: Option<String>,
    /// What went wrong.
    #[serde(default)]
    pub error: Option<ErrorInfo>,
}

/// `System.ExceptionEncountered` fields.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ExceptionEncountered {
    /// What went wrong.
    #[serde(default)]
    pub error: Option<ErrorInfo>,
    /// Which request's response failed.
    #[serde(default)]
    pub cause: Option<Cause>,
}

/// An `error` object.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ErrorInfo {
    /// `MEDIA_ERROR_UNKNOWN`, `INVALID_RESPONSE`…
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Amazon's description.
    #[serde(default)]
    pub message: Option<String>,
}

/// `System.ExceptionEncountered.cause`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cause {
    /// The request whose response Alexa could not use.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// A value of the wrong shape counts as absent.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned>(de: D) -> Result<Option<T>, D::Error> {
    let value = Value::deserialize(de)?;
    Ok(serde_json::from_value(value).ok())
}

/// An object whose every field is read leniently (so reading it from a map cannot fail), or
/// `None` when the value is not an object. Unlike [`lenient`], nothing is copied first: the
/// object is read in place, which matters for `context`, the bulk of every request.
fn lenient_object<'de, D, T>(de: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Object<T>(std::marker::PhantomData<T>);

    impl<'de, T: Deserialize<'de>> Visitor<'de> for Object<T> {
        type Value = Option<T>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any value (only an object is read)")
        }

        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            Ok(None)
        }

        fn visit_some<E: Deserializer<'de>>(self, de: E) -> Result<Self::Value, E::Error> {
            de.deserialize_any(self)
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    de.deserialize_any(Object(std::marker::PhantomData))
}

/// A token that is not a string counts as absent; a string goes straight into the secret box.
fn lenient_secret<'de, D: Deserializer<'de>>(de: D) -> Result<Option<ApiAccessToken>, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::String(token) if !token.is_empty() => Some(ApiAccessToken::from(token)),
        _ => None,
    })
}

/// A list of strings; a list of the wrong shape counts as empty, entries that are not strings
/// are left out.
fn lenient_strings<'de, D: Deserializer<'de>>(de: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::Array(items) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::String(s) => Some(s),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    })
}

/// A map of the wrong shape counts as empty.
fn lenient_map<'de, D: Deserializer<'de>>(de: D) -> Result<Map<String, Value>, D::Error> {
    Ok(match Value::deserialize(de)? {
        Value::Object(map) => map,
        _ => Map::new(),
    })
}

/// The largest `offsetInMilliseconds` Alexa accepts in a directive (a signed 64-bit `long`).
pub const MAX_OFFSET_MS: u64 = i64::MAX as u64;

/// Offsets are numbers in real traffic; hand-written fixtures sometimes quote them. Negative or
/// fractional values are clamped to whole non-negative milliseconds, huge ones to
/// [`MAX_OFFSET_MS`], so whatever a request carries, a directive echoing it stays valid.
fn lenient_offset<'de, D: Deserializer<'de>>(de: D) -> Result<Option<u64>, D::Error> {
    let value = Option::<Value>::deserialize(de)?;
    let number = match value {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match number {
        Some(ms) if ms.is_finite() => Ok(Some((ms.max(0.0) as u64).min(MAX_OFFSET_MS))),
        _ => Err(serde::de::Error::custom(
            "offsetInMilliseconds is not a number",
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn offsets_may_be_quoted_or_negative() {
        for (raw, want) in [
            (json!(1500), 1500),
            (json!("1500"), 1500),
            (json!(-3), 0),
            (json!(12.9), 12),
            (json!(1e30), MAX_OFFSET_MS),
            (json!(u64::MAX), MAX_OFFSET_MS),
            (json!("9223372036854775808"), MAX_OFFSET_MS),
        ] {
            let p: Playback =
                serde_json::from_value(json!({ "offsetInMilliseconds": raw })).expect("parses");
            assert_eq!(p.offset_in_milliseconds, Some(want));
        }
    }

    #[test]
    fn the_access_token_is_read_but_never_printed() {
        let system: System = serde_json::from_value(json!({
            "apiEndpoint": "https://api.eu.amazonalexa.com",
            "apiAccessToken": "eyJ0eXAi.SECRET-PART.sig",
        }))
        .expect("parses");
        let token = system.api_access_token.as_ref().expect("read");
        assert_eq!(token.expose(), "eyJ0eXAi.SECRET-PART.sig");
        let shown = format!("{system:?} {system:#?}");
        assert!(!shown.contains("SECRET-PART"), "{shown}");
        assert!(shown.contains("[REDACTED]"), "{shown}");
        assert_eq!(
            system.api_endpoint.as_deref(),
            Some("https://api.eu.amazonalexa.com")
        );
        for odd in [json!(7), json!(null), json!(""), json!({"a": 1})] {
            let system: System =
                serde_json::from_value(json!({ "apiAccessToken": odd })).expect("parses");
            assert!(system.api_access_token.is_none(), "{odd}");
        }
    }

    #[test]
    fn non_numeric_offsets_are_refused() {
        let err = serde_json::from_value::<Playback>(json!({ "offsetInMilliseconds": "soon" }));
        assert!(err.is_err());
    }

    #[test]
    fn unknown_types_and_fields_are_tolerated() {
        let r: RawRequest =
            serde_json::from_value(json!({ "type": "Alexa.Presentation.APL.UserEvent", "x": 1 }))
                .expect("parses");
        assert!(matches!(r, RawRequest::Unknown));
        let r: RawRequest = serde_json::from_value(json!({
            "type": "IntentRequest", "intent": { "name": "AMAZON.PauseIntent", "slots": {}, "new": true },
            "dialogState": "COMPLETED"
        }))
        .expect("parses");
        assert!(matches!(
            r,
            RawRequest::IntentRequest(IntentRequest { intent: Some(_) })
        ));
    }

    #[test]
    fn slots_of_any_shape_never_fail_the_request() {
        for slots in [json!(null), json!([1]), json!("x"), json!({"query": 5})] {
            let r: RawRequest = serde_json::from_value(json!({
                "type": "IntentRequest", "intent": { "name": "PlayMediaIntent", "slots": slots }
            }))
            .expect("parses");
            assert!(matches!(r, RawRequest::IntentRequest(_)));
        }
    }
}
