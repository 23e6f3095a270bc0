//! The Lambda door onto [`Service::answer`]: the runtime's invocation loop, with events held to
//! the same rule as `invoke` ([`service::parse_event`]), and the test event `{"doctor": true}`
//! answered with the [`crate::doctor`] report.
//!
//! The Lambda runtime reads the first JSON value of an event and ignores whatever follows it,
//! and fails on a body that is no JSON at all before any handler code runs. A layer in front of
//! it reads the raw body by the skill's rule instead, once: the handler gets the event that
//! layer parsed (or the reason it is not one JSON value, refused as `InvalidJson` like on the
//! command line), and the runtime itself only ever reads `null`. Reading every event twice, the
//! second time through the runtime's path-tracking deserializer, was the largest single cost of
//! a warm invocation.

use std::cell::RefCell;
use std::task::{Context, Poll};

use lambda_runtime::tower::{Layer, Service as TowerService};
use lambda_runtime::{layers, service_fn, Diagnostic, LambdaEvent, LambdaInvocation, Runtime};
use serde::Serialize;
use serde_json::Value;
use tokio::task::futures::TaskLocalFuture;

use crate::alexa::response::ResponseEnvelope;
use crate::deadline::Deadline;
use crate::doctor::{Doctor, LambdaFacts, Report};
use crate::service::{self, Refusal, Service};

tokio::task_local! {
    /// The event of the invocation being served, as [`service::parse_event`] read its raw body
    /// (taken by the handler): the value, or the refusal of a body that is not one JSON value.
    static EVENT: RefCell<Option<Result<Value, Refusal>>>;
}

/// Serves Lambda invocations with `service` until the runtime stops.
pub async fn serve(service: &Service) -> Result<(), lambda_runtime::Error> {
    let handler = service_fn(|event: LambdaEvent<Value>| async move {
        // Always set by `StrictJson`; without it (a runtime that bypassed the layer), the
        // runtime's own reading of the body.
        let payload = EVENT
            .try_with(|slot| slot.borrow_mut().take())
            .ok()
            .flatten()
            .unwrap_or(Ok(event.payload));
        let deadline = Deadline::lambda(event.context.deadline);
        let answer = match payload {
            Err(refusal) => Err(refusal),
            Ok(payload) if is_doctor_event(&payload) => {
                let facts = LambdaFacts::from_env(Deadline::time_left(event.context.deadline));
                let report = Doctor::new().run(service.settings(), Some(&facts)).await;
                Ok(Output::Doctor(Box::new(report)))
            }
            Ok(payload) => service
                .answer(payload, deadline)
                .await
                .map(|response| Output::Alexa(Box::new(response))),
        };
        answer.map_err(|refusal| Diagnostic {
            error_type: refusal.error_type().to_owned(),
            error_message: refusal.to_string(),
        })
    });
    Runtime::new(handler)
        .layer(layers::TracingLayer::new())
        .layer(StrictJsonLayer)
        .run()
        .await
}

/// What an invocation returns.
#[derive(Serialize)]
#[serde(untagged)]
enum Output {
    /// The answer to an Alexa request.
    Alexa(Box<ResponseEnvelope>),
    /// The doctor's report, for the test event `{"doctor": true}`.
    Doctor(Box<Report>),
}

/// `{"doctor": true}` (from the Lambda console's test tab): run the doctor instead of answering.
/// Anything else that is not an Alexa envelope is still refused.
fn is_doctor_event(payload: &Value) -> bool {
    payload
        .as_object()
        .is_some_and(|o| o.len() == 1 && o.get("doctor") == Some(&Value::Bool(true)))
}

/// Reads each invocation's raw body by [`service::parse_event`], for the handler.
#[derive(Clone, Copy)]
struct StrictJsonLayer;

impl<S> Layer<S> for StrictJsonLayer {
    type Service = StrictJson<S>;

    fn layer(&self, inner: S) -> Self::Service {
        StrictJson(inner)
    }
}

/// The runtime's service, behind the body check.
#[derive(Clone)]
struct StrictJson<S>(S);

impl<S> TowerService<LambdaInvocation> for StrictJson<S>
where
    S: TowerService<LambdaInvocation, Response = (), Error = lambda_runtime::Error>,
{
    type Response = ();
    type Error = lambda_runtime::Error;
    type Future = TaskLocalFuture<RefCell<Option<Result<Value, Refusal>>>, S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, mut invocation: LambdaInvocation) -> Self::Future {
        let event = service::parse_event(&invocation.body);
        // What the runtime reads in place of the body: the handler takes the event from the
        // task-local instead, and a body that is no JSON still reaches it, to be refused.
        invocation.body = bytes::Bytes::from_static(b"null");
        EVENT.scope(RefCell::new(Some(event)), self.0.call(invocation))
    }
}
