//! One invocation, from raw event to response, the same inside Lambda and on the command line.
//!
//! [`Service`] holds what lives as long as the container (settings, the bridge client) and
//! [`Service::answer`] serves one event: parse the envelope, check the skill id, hand the request
//! to [`skill::handle`], and write the one log line the request gets.

use std::time::Instant;

use serde_json::Value;

use crate::alexa::request::{EnvelopeError, SkillRequest};
use crate::alexa::response::ResponseEnvelope;
use crate::bridge::{BridgeClient, StreamSource};
use crate::deadline::Deadline;
use crate::settings::Settings;
use crate::skill::{self, Ctx};

/// An event the skill will not answer. Inside Lambda the invocation fails with
/// [`Refusal::error_type`]; on the command line the reason goes to stderr.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
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
            Self::Envelope(_) => "InvalidEnvelope",
            Self::WrongSkill { .. } => "SkillIdMismatch",
        }
    }
}

/// The skill as a service: container-lifetime state and the per-event entry point.
#[derive(Debug)]
pub struct Service<B = BridgeClient> {
    settings: Settings,
    bridge: B,
}

impl Service<BridgeClient> {
    /// The service with the real bridge client. Logs each settings problem once.
    pub fn new(settings: Settings) -> Self {
        Self::with_bridge(settings, BridgeClient::new())
    }
}

impl<B: StreamSource> Service<B> {
    /// The service with any stream source. Logs each settings problem once.
    pub fn with_bridge(settings: Settings, bridge: B) -> Self {
        for problem in settings.problems() {
            tracing::error!(setting = problem.name(), "{problem}");
        }
        Self { settings, bridge }
    }

    /// The container's settings.
    pub fn settings(&self) -> &Settings {
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
                tracing::warn!(outcome = "refused", error = %chain(&error), "not an Alexa request");
                return Err(error.into());
            }
        };
        if let Some(expected) = &self.settings.skill_id {
            if request.application_id.as_deref() != Some(expected.as_str()) {
                let refusal = Refusal::WrongSkill {
                    got: request
                        .application_id
                        .clone()
                        .unwrap_or_else(|| "none".into()),
                    expected: expected.clone(),
                };
                tracing::warn!(
                    request_id = request.request_id.as_deref(),
                    request_type = %request.request_type,
                    outcome = "refused",
                    error = %refusal,
                    "request for another skill"
                );
                return Err(refusal);
            }
        }

        let ctx = Ctx {
            settings: &self.settings,
            bridge: &self.bridge,
            deadline,
        };
        let handled = skill::handle(&request, &ctx).await;
        let total_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let error = handled.error.as_ref().map(|e| chain(e));
        let fields = (
            request.request_id.as_deref(),
            request.request_type.as_str(),
            request.intent_name.as_deref(),
            request.locale.as_deref(),
        );
        let (request_id, request_type, intent, locale) = fields;
        match &handled.error {
            None => tracing::info!(
                request_id,
                request_type,
                intent,
                locale,
                outcome = handled.outcome.as_str(),
                detail = handled.detail.as_deref(),
                bridge_ms = handled.bridge_ms,
                total_ms,
                "answered"
            ),
            Some(e) => tracing::warn!(
                request_id,
                request_type,
                intent,
                locale,
                outcome = handled.outcome.as_str(),
                error_kind = e.kind(),
                error = error.as_deref(),
                detail = handled.detail.as_deref(),
                bridge_ms = handled.bridge_ms,
                total_ms,
                "answered with a problem"
            ),
        }
        Ok(handled.response)
    }
}

/// An error and its causes, `a: b: c`, for one log field.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
