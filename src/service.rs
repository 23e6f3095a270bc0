//! One invocation, from raw event to response, the same inside Lambda and on the command line.
//!
//! [`Service`] holds what lives as long as the container (settings, the bridge client, Music
//! Assistant's client, where progressive responses go) and
//! [`Service::answer`] serves one event: parse the envelope, check the skill id, hand the request
//! to [`skill::handle`], and write the one log line the request gets.

use std::time::Instant;

use serde_json::Value;

use crate::alexa::request::{EnvelopeError, SkillRequest};
use crate::alexa::response::ResponseEnvelope;
use crate::bridge::{BridgeClient, StreamSource};
use crate::deadline::Deadline;
use crate::logging;
use crate::music_assistant::{MaClient, MusicAssistant};
use crate::progressive::{AlexaApiClient, ProgressiveResponses};
use crate::settings::source::SettingsSource;
use crate::settings::Settings;
use crate::skill::{self, Ctx, Handled, SkillError, StreamSlot};

/// An event the skill will not answer. Inside Lambda the invocation fails with
/// [`Refusal::error_type`]; on the command line the reason goes to stderr.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The bytes are not exactly one JSON value (see [`parse_event`]).
    #[error("the event is not one JSON value: {0}")]
    NotJson(String),
    /// Not an Alexa request envelope.
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    /// The request is for a different skill than `SKILL_ID`.
    #[error("the request is for skill '{got}', but SKILL_ID is '{expected}'")]
    WrongSkill {
        /// The id the request carries (`none` if it carries none).
        got: String,
        /// The configured id.
        expected: String,
    },
}

impl Refusal {
    /// The error type reported to Lambda.
    pub fn error_type(&self) -> &'static str {
        match self {
            Self::NotJson(_) => "InvalidJson",
            Self::Envelope(_) => "InvalidEnvelope",
            Self::WrongSkill { .. } => "SkillIdMismatch",
        }
    }
}

/// Reads an event: exactly one JSON value, with nothing but whitespace around it. Lambda and
/// `invoke` both hold events to this one rule (a body with trailing bytes is refused, never
/// half-read).
pub fn parse_event(bytes: &[u8]) -> Result<Value, Refusal> {
    serde_json::from_slice(bytes).map_err(|e| {
        let refusal = Refusal::NotJson(e.to_string());
        tracing::warn!(outcome = "refused", error = %refusal, "not an Alexa request");
        refusal
    })
}

/// The skill as a service: container-lifetime state and the per-event entry point.
#[derive(Debug)]
pub struct Service<B = BridgeClient, M = MaClient> {
    settings: SettingsSource,
    bridge: B,
    music_assistant: M,
    progressive: Option<Box<dyn ProgressiveResponses>>,
}

impl Service<BridgeClient, MaClient> {
    /// The service with fixed settings and the real clients. Logs each settings problem once.
    pub fn new(settings: Settings) -> Self {
        Self::from_source(SettingsSource::fixed(settings))
    }

    /// The service as the process environment configures it (SSM when
    /// `SSM_PARAMETER_PREFIX` is set), with the real clients.
    pub fn from_env() -> Self {
        Self::from_source(SettingsSource::from_env())
    }

    /// The service with any settings source and the real clients, Alexa's progressive
    /// response API included.
    pub fn from_source(settings: SettingsSource) -> Self {
        Self::with_parts(settings, BridgeClient::new(), MaClient::new())
            .with_progressive_responses(AlexaApiClient::new())
    }
}

impl<B: StreamSource, M: MusicAssistant> Service<B, M> {
    /// The service with any settings source, stream source and Music Assistant, and no
    /// progressive responses (add them with [`Service::with_progressive_responses`]): stand-ins
    /// never reach Amazon unasked.
    pub fn with_parts(settings: SettingsSource, bridge: B, music_assistant: M) -> Self {
        Self {
            settings,
            bridge,
            music_assistant,
            progressive: None,
        }
    }

    /// The same service, sending progressive responses through `sender` (the real one is
    /// [`AlexaApiClient`]).
    pub fn with_progressive_responses(
        mut self,
        sender: impl ProgressiveResponses + 'static,
    ) -> Self {
        self.progressive = Some(Box::new(sender));
        self
    }

    /// Where the settings come from.
    pub fn settings(&self) -> &SettingsSource {
        &self.settings
    }

    /// Answers one event. Fails only for events that are not requests to this skill.
    pub async fn answer(
        &self,
        event: Value,
        deadline: Deadline,
    ) -> Result<ResponseEnvelope, Refusal> {
        let started = Instant::now();
        let request = match SkillRequest::parse(event) {
            Ok(request) => request,
            Err(error) => {
                let reason = crate::error_chain(&error);
                let reason = logging::capped(&reason, 4 * logging::MAX_FIELD_CHARS);
                tracing::warn!(outcome = "refused", error = %reason, "not an Alexa request");
                return Err(error.into());
            }
        };
        let handled = match self.settings.current(deadline).await {
            Err(error) => skill::cannot_serve(&request, error.into()),
            Ok(settings) => {
                check_skill_id(&request, &settings)?;
                let ctx = Ctx {
                    settings: &settings,
                    bridge: &self.bridge,
                    music_assistant: &self.music_assistant,
                    progressive: self.progressive.as_deref(),
                    deadline,
                };
                skill::handle(&request, &ctx).await
            }
        };
        log_answer(&request, &handled, started);
        Ok(handled.response)
    }
}

/// Refuses a request for another skill than `SKILL_ID`, before any network call.
fn check_skill_id(request: &SkillRequest, settings: &Settings) -> Result<(), Refusal> {
    let Some(expected) = &settings.skill_id else {
        return Ok(());
    };
    if request.application_id.as_deref() == Some(expected.as_str()) {
        return Ok(());
    }
    let refusal = Refusal::WrongSkill {
        got: request.application_id.as_deref().map_or_else(
            || "none".into(),
            |id| logging::capped(id, logging::MAX_FIELD_CHARS).into_owned(),
        ),
        expected: expected.clone(),
    };
    tracing::warn!(
        request_id = request
            .request_id
            .as_deref()
            .map(|id| logging::capped(id, logging::MAX_FIELD_CHARS))
            .as_deref(),
        request_type = %logging::capped(&request.request_type, logging::MAX_FIELD_CHARS),
        outcome = "refused",
        error = %refusal,
        "request for another skill"
    );
    Err(refusal)
}

/// The one log line of an answered request.
fn log_answer(request: &SkillRequest, handled: &Handled, started: Instant) {
    let total_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    // Every field that can come from outside is capped: a request cannot flood the log.
    let field = |text: &str| logging::capped(text, logging::MAX_FIELD_CHARS).into_owned();
    let long_field = |text: &str| logging::capped(text, 4 * logging::MAX_FIELD_CHARS).into_owned();
    let request_id = request.request_id.as_deref().map(field);
    let request_id = request_id.as_deref();
    let request_type = field(&request.request_type);
    let request_type = request_type.as_str();
    let intent = request.intent_name.as_deref().map(field);
    let intent = intent.as_deref();
    let locale = request.locale.as_deref().map(field);
    let locale = locale.as_deref();
    let outcome = handled.outcome.as_str();
    let detail = handled.detail.as_deref().map(long_field);
    let detail = detail.as_deref();
    let bridge_ms = handled.bridge.ms;
    let stream_slot = handled.bridge.slot.map(StreamSlot::as_str);
    let ma_ms = handled.ma_ms;
    let stream_wait_ms = handled.stream_wait_ms;
    let queue = handled.queue.as_ref().map(|q| field(q.queue.as_str()));
    let queue = queue.as_deref();
    let queue_rule = handled
        .queue
        .as_ref()
        .map(|q| tracing::field::display(q.rule));
    let progressive = handled.progressive.map(|p| p.outcome.as_str());
    let progressive_status = handled.progressive.and_then(|p| p.status);
    let progressive_ms = handled.progressive.and_then(|p| p.ms);
    let error_kind = handled.error.as_ref().map(SkillError::kind);
    let error = handled
        .error
        .as_ref()
        .map(|e| long_field(&crate::error_chain(e)));
    let error = error.as_deref();
    // One field list for both levels (a tracing level must be known at compile time).
    macro_rules! answered {
        ($level:ident, $message:literal) => {
            tracing::$level!(
                request_id,
                request_type,
                intent,
                locale,
                outcome,
                error_kind,
                error,
                detail,
                queue,
                queue_rule,
                stream_slot,
                bridge_ms,
                ma_ms,
                stream_wait_ms,
                progressive,
                progressive_status,
                progressive_ms,
                total_ms,
                $message
            )
        };
    }
    match handled.error {
        // A page's beat every 3 s: 1,200 lines an hour at info would drown the rest.
        None if handled.routine => answered!(debug, "answered"),
        None => answered!(info, "answered"),
        Some(_) => answered!(warn, "answered with a problem"),
    }
}
