//! A progressive response while a play by name runs long: "Looking for Kind of Blue…".
//!
//! A voice search and Music Assistant's `play_media` usually take a few hundred milliseconds,
//! but a slow provider or a cold Music Assistant can make the Echo sit silent for seconds. So
//! [`while_working`] races a timer against the work: when the work is done within
//! [`PROGRESSIVE_AFTER`], nothing is sent; when the timer fires first, one progressive response
//! goes to Alexa's API while the work goes on, and the answer waits for nothing but the work and
//! that one call, which is over within [`SEND_TIMEOUT`] whatever Amazon does. Its outcome never
//! changes the answer: it goes to the request's log line (`progressive`, `progressive_status`,
//! `progressive_ms`), and a call that failed also gets a warning.
//!
//! Only voice requests (`IntentRequest`) get one; `AudioPlayer.*` and `PlaybackController.*`
//! requests may not speak at all. None is sent when the deadline would not leave the call its
//! whole [`SEND_TIMEOUT`] and the answer [`ANSWER_RESERVE`] after it: by then the answer itself
//! is close. Where it may go is checked by [`ApiEndpoint::check`].

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use super::{Ctx, Handled};
use crate::alexa::progressive::ProgressiveResponse;
use crate::alexa::request::{RequestKind, SkillRequest};
use crate::deadline::Deadline;
use crate::logging;
use crate::progressive::{ApiEndpoint, Delivery, ProgressiveResponses, SEND_TIMEOUT};
use crate::speech::{self, Language, Phrase};

/// Work that runs longer than this gets a progressive response.
pub const PROGRESSIVE_AFTER: Duration = Duration::from_millis(1000);
/// Left free before the deadline once a progressive response's [`SEND_TIMEOUT`] is over.
pub const ANSWER_RESERVE: Duration = Duration::from_millis(500);

/// What became of the progressive response of a request whose work ran long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressiveOutcome {
    /// Amazon took it.
    Sent,
    /// Amazon answered an error status.
    Status,
    /// Amazon did not answer in time.
    TimedOut,
    /// Amazon could not be reached.
    Unreachable,
    /// Not sent (no HTTP client, a test build's loopback rule).
    NotSent,
    /// The request's `apiEndpoint` is not Alexa's API: no call.
    EndpointRefused,
    /// The request carries no `apiEndpoint`, `apiAccessToken` or `requestId`: no call.
    NoAccess,
    /// Too close to the deadline: no call.
    TooLate,
}

impl ProgressiveOutcome {
    /// The outcome's name in logs.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Status => "status",
            Self::TimedOut => "timed_out",
            Self::Unreachable => "unreachable",
            Self::NotSent => "not_sent",
            Self::EndpointRefused => "endpoint_refused",
            Self::NoAccess => "no_access",
            Self::TooLate => "too_late",
        }
    }
}

/// The progressive response, for the log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgressiveTrace {
    /// What became of it.
    pub outcome: ProgressiveOutcome,
    /// Amazon's HTTP status, when it answered.
    pub status: Option<u16>,
    /// How long the call took, when there was one.
    pub ms: Option<u64>,
}

impl ProgressiveTrace {
    fn without_call(outcome: ProgressiveOutcome) -> Self {
        Self {
            outcome,
            status: None,
            ms: None,
        }
    }
}

/// Runs `work` (a search for `query` and what follows it); if it is still running after
/// [`PROGRESSIVE_AFTER`], sends "Looking for `query`…" in `language` while it goes on. The
/// answer is `work`'s, with the progressive response's trace.
pub(super) async fn while_working<B, M, F>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    language: Language,
    query: &str,
    work: F,
) -> Handled
where
    F: Future<Output = Handled>,
{
    let Some(sender) = ctx.progressive else {
        return work.await;
    };
    let voice = req.request_type == "IntentRequest" && matches!(req.kind, RequestKind::Intent(_));
    if !voice {
        return work.await;
    }
    let mut work = std::pin::pin!(work);
    tokio::select! {
        biased;
        handled = &mut work => return handled,
        () = tokio::time::sleep(PROGRESSIVE_AFTER) => {}
    }
    // A name cut short already ends with "…", as the phrase does.
    let query = query.trim_end_matches('…');
    let text = speech::say_with(Phrase::LookingFor, language, &[("query", query)]);
    let (mut handled, trace) = tokio::join!(work, send(req, ctx.deadline, sender, &text));
    handled.progressive = Some(trace);
    handled
}

/// Sends `text` as the progressive response of `req`, when the request allows a call and the
/// deadline leaves time for it; a failure is logged, never returned.
async fn send(
    req: &SkillRequest,
    deadline: Deadline,
    sender: &dyn ProgressiveResponses,
    text: &str,
) -> ProgressiveTrace {
    let api = &req.alexa_api;
    let (Some(raw), Some(token), Some(request_id)) = (
        api.endpoint.as_deref(),
        api.token.as_ref(),
        req.request_id.as_deref(),
    ) else {
        return ProgressiveTrace::without_call(ProgressiveOutcome::NoAccess);
    };
    let endpoint = match ApiEndpoint::check(raw) {
        Ok(endpoint) => endpoint,
        Err(refused) => {
            let trace = ProgressiveTrace::without_call(ProgressiveOutcome::EndpointRefused);
            warn_undelivered(req, &trace, &refused.to_string());
            return trace;
        }
    };
    if deadline.remaining() < SEND_TIMEOUT + ANSWER_RESERVE {
        return ProgressiveTrace::without_call(ProgressiveOutcome::TooLate);
    }
    let response = ProgressiveResponse::speak(request_id, text);
    let started = Instant::now();
    // The sender promises to be done within its budget; the timeout holds it to that.
    let delivery = tokio::time::timeout(
        SEND_TIMEOUT,
        sender.send(&endpoint, token, &response, SEND_TIMEOUT),
    )
    .await
    .unwrap_or(Delivery::TimedOut);
    let ms = Some(crate::http::millis(started.elapsed()));
    let (outcome, status, problem) = match delivery {
        Delivery::Accepted { status } => (ProgressiveOutcome::Sent, Some(status), None),
        Delivery::Status { status } => (
            ProgressiveOutcome::Status,
            Some(status),
            Some(format!(
                "Alexa's API at {} answered HTTP {status}",
                endpoint.host()
            )),
        ),
        Delivery::TimedOut => (
            ProgressiveOutcome::TimedOut,
            None,
            Some(format!(
                "Alexa's API at {} did not answer within {} ms",
                endpoint.host(),
                SEND_TIMEOUT.as_millis()
            )),
        ),
        Delivery::Unreachable(why) => (ProgressiveOutcome::Unreachable, None, Some(why)),
        Delivery::NotSent(why) => (ProgressiveOutcome::NotSent, None, Some(why)),
    };
    let trace = ProgressiveTrace {
        outcome,
        status,
        ms,
    };
    if let Some(problem) = problem {
        warn_undelivered(req, &trace, &problem);
    }
    trace
}

/// The warning for a progressive response that did not reach Alexa (the answer is not
/// affected; its own line carries the same fields).
fn warn_undelivered(req: &SkillRequest, trace: &ProgressiveTrace, error: &str) {
    let request_id = req
        .request_id
        .as_deref()
        .map(|id| logging::capped(id, logging::MAX_FIELD_CHARS));
    tracing::warn!(
        request_id = request_id.as_deref(),
        progressive = trace.outcome.as_str(),
        progressive_status = trace.status,
        progressive_ms = trace.ms,
        error = %logging::capped(error, 2 * logging::MAX_FIELD_CHARS),
        "progressive response not delivered; the answer goes on"
    );
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use serde_json::json;

    use super::*;
    use crate::alexa::envelope::ApiAccessToken;
    use crate::alexa::response::ResponseEnvelope;
    use crate::progressive::Sending;
    use crate::settings::Settings;
    use crate::skill::Outcome;

    /// Records what it is asked to send and answers `reply` after `delay`.
    #[derive(Debug)]
    struct Recorder {
        delay: Duration,
        reply: Delivery,
        sent: Mutex<Vec<(String, String)>>,
    }

    impl Recorder {
        fn new(delay: Duration, reply: Delivery) -> Self {
            Self {
                delay,
                reply,
                sent: Mutex::new(Vec::new()),
            }
        }
    }

    impl ProgressiveResponses for Recorder {
        fn send<'a>(
            &'a self,
            endpoint: &'a ApiEndpoint,
            _token: &'a ApiAccessToken,
            response: &'a ProgressiveResponse,
            _budget: Duration,
        ) -> Sending<'a> {
            Box::pin(async move {
                self.sent
                    .lock()
                    .expect("lock")
                    .push((endpoint.host(), response.speech().to_owned()));
                tokio::time::sleep(self.delay).await;
                self.reply.clone()
            })
        }
    }

    fn request(request_type: &str, endpoint: &str) -> SkillRequest {
        let body = match request_type {
            "IntentRequest" => json!({ "type": request_type, "requestId": "r-1", "locale": "de-DE",
                "intent": { "name": "PlayMediaIntent" } }),
            _ => json!({ "type": request_type, "requestId": "r-1", "locale": "de-DE" }),
        };
        SkillRequest::parse(json!({
            "context": { "System": { "apiEndpoint": endpoint, "apiAccessToken": "t0ken" } },
            "request": body,
        }))
        .expect("a request")
    }

    async fn run(
        req: &SkillRequest,
        sender: &Recorder,
        work_takes: Duration,
        deadline: Duration,
    ) -> Handled {
        let settings = Settings::from_lookup(|_| None);
        let ctx: Ctx<'_, (), ()> = Ctx {
            settings: &settings,
            bridge: &(),
            music_assistant: &(),
            progressive: Some(sender),
            deadline: Deadline::after(deadline),
        };
        let work = async {
            tokio::time::sleep(work_takes).await;
            Handled::new(
                ResponseEnvelope::say("Ich spiele Kind of Blue."),
                Outcome::Spoke,
            )
        };
        while_working(req, &ctx, Language::German, "Kind of Blue", work).await
    }

    const LONG: Duration = Duration::from_secs(6);

    #[tokio::test(start_paused = true)]
    async fn fast_work_sends_nothing() {
        let sender = Recorder::new(Duration::ZERO, Delivery::Accepted { status: 204 });
        let req = request("IntentRequest", "https://api.eu.amazonalexa.com");
        let handled = run(&req, &sender, Duration::from_millis(900), LONG).await;
        assert_eq!(handled.progressive, None);
        assert!(sender.sent.lock().expect("lock").is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn slow_work_sends_one_while_it_goes_on() {
        let sender = Recorder::new(
            Duration::from_millis(80),
            Delivery::Accepted { status: 204 },
        );
        let req = request("IntentRequest", "https://api.eu.amazonalexa.com");
        let started = tokio::time::Instant::now();
        let handled = run(&req, &sender, Duration::from_millis(2500), LONG).await;
        assert_eq!(
            started.elapsed(),
            Duration::from_millis(2500),
            "not delayed"
        );
        assert_eq!(
            *sender.sent.lock().expect("lock"),
            [(
                "api.eu.amazonalexa.com".to_owned(),
                "<speak>Ich suche Kind of Blue…</speak>".to_owned()
            )]
        );
        let trace = handled.progressive.expect("traced");
        assert_eq!(trace.outcome, ProgressiveOutcome::Sent);
        assert_eq!(trace.status, Some(204));
        assert_eq!(trace.ms, Some(80));
    }

    #[tokio::test(start_paused = true)]
    async fn only_voice_requests_speak() {
        let sender = Recorder::new(Duration::ZERO, Delivery::Accepted { status: 204 });
        for kind in [
            "PlaybackController.NextCommandIssued",
            "AudioPlayer.PlaybackNearlyFinished",
            "LaunchRequest",
        ] {
            let req = request(kind, "https://api.amazonalexa.com");
            let handled = run(&req, &sender, Duration::from_secs(3), LONG).await;
            assert_eq!(handled.progressive, None, "{kind}");
        }
        assert!(sender.sent.lock().expect("lock").is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn a_hanging_api_is_cut_off_and_a_refused_endpoint_never_called() {
        let sender = Recorder::new(Duration::from_secs(60), Delivery::Accepted { status: 204 });
        let req = request("IntentRequest", "http://127.0.0.1:9");
        let started = tokio::time::Instant::now();
        let handled = run(&req, &sender, Duration::from_millis(1200), LONG).await;
        assert_eq!(started.elapsed(), PROGRESSIVE_AFTER + SEND_TIMEOUT);
        let trace = handled.progressive.expect("traced");
        assert_eq!(trace.outcome, ProgressiveOutcome::TimedOut);

        let sender = Recorder::new(Duration::ZERO, Delivery::Accepted { status: 204 });
        let req = request("IntentRequest", "https://alexa.example.net");
        let handled = run(&req, &sender, Duration::from_millis(1500), LONG).await;
        assert_eq!(
            handled.progressive.map(|t| t.outcome),
            Some(ProgressiveOutcome::EndpointRefused)
        );
        assert!(sender.sent.lock().expect("lock").is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn none_is_sent_close_to_the_deadline() {
        let sender = Recorder::new(Duration::ZERO, Delivery::Accepted { status: 204 });
        let req = request("IntentRequest", "https://api.amazonalexa.com");
        // The deadline is on the real clock, which stands still while the paused test clock
        // runs the timer: when it fires, this is what is left.
        let handled = run(
            &req,
            &sender,
            Duration::from_millis(2000),
            SEND_TIMEOUT + ANSWER_RESERVE - Duration::from_millis(1),
        )
        .await;
        assert_eq!(
            handled.progressive.map(|t| t.outcome),
            Some(ProgressiveOutcome::TooLate)
        );
        assert!(sender.sent.lock().expect("lock").is_empty());
    }
}
