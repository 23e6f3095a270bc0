//! What the owner reads: one line per request, and never a secret, at any level.

mod common;

use common::*;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::logging::LogFormat;
use ma_alexa_skill::service::Service;

const PASSWORD: &str = "pa55-Wörd_that_must_stay_secret";
/// base64("alice:" + PASSWORD), what goes over the wire in the Authorization header.
const PASSWORD_ON_THE_WIRE: &str = "YWxpY2U6cGE1NS1Xw7ZyZF90aGF0X211c3Rfc3RheV9zZWNyZXQ=";

/// Runs the stems through a service with credentials, logging at `filter` in `format`.
async fn logs_of(filter: &str, format: LogFormat, reply: Reply, stems: &[&str]) -> String {
    let (captured, _guard) = capture(filter, format);

    let bridge = Stub::bridge(reply).await;
    let service = Service::new(settings(&[
        ("API_HOSTNAME", &bridge.base()),
        ("API_USERNAME", "alice"),
        ("API_PASSWORD", PASSWORD),
        ("MA_HOSTNAME", MA_HOSTNAME),
        ("SKILL_ID", SKILL_ID),
    ]));
    tracing::debug!(?service, "service built");
    for stem in stems {
        let _ = service.answer(event(stem), Deadline::local()).await;
    }
    assert!(
        bridge.seen().iter().all(|s| s
            .headers
            .get("authorization")
            .is_some_and(|a| a.ends_with(PASSWORD_ON_THE_WIRE))),
        "the password did reach the bridge"
    );
    captured.text()
}

fn assert_no_secret(logs: &str, what: &str) {
    assert!(!logs.is_empty(), "{what}: nothing was logged");
    for secret in [PASSWORD, PASSWORD_ON_THE_WIRE, "pa55-W"] {
        assert!(
            !logs.contains(secret),
            "{what}: the logs contain a secret:\n{logs}"
        );
    }
    assert!(
        !logs.contains("EXAMPLE-NOT-A-REAL-TOKEN"),
        "{what}: the logs contain the apiAccessToken"
    );
}

#[tokio::test]
async fn secrets_never_reach_the_logs_even_at_trace() {
    let stems = [
        "play_audio_intent",
        "resume_intent",
        "playback_nearly_finished",
        "playback_failed",
    ];
    for format in [LogFormat::Text, LogFormat::Json] {
        for (reply, name) in [
            (Reply::ok(current_reply()), "healthy bridge"),
            (
                Reply::Status(401, r#"{"error":"Unauthorized"}"#.into()),
                "401",
            ),
            (Reply::ok("not json"), "garbage"),
        ] {
            let logs = logs_of("trace", format, reply, &stems).await;
            let what = format!("{format:?} logs, {name}");
            assert_no_secret(&logs, &what);
            assert!(
                logs.contains("service built"),
                "{what}: debug line missing:\n{logs}"
            );
            assert!(
                logs.contains("REDACTED"),
                "{what}: the password is not shown as redacted:\n{logs}"
            );
        }
    }
}

#[tokio::test]
async fn one_info_line_per_request_with_its_facts() {
    let logs = logs_of(
        "info",
        LogFormat::Json,
        Reply::ok(current_reply()),
        &["resume_intent", "pause_intent"],
    )
    .await;
    let lines: Vec<serde_json::Value> = logs
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert_eq!(lines.len(), 2, "{logs}");
    let resume = &lines[0];
    assert_eq!(resume["level"], "INFO");
    assert_eq!(resume["request_type"], "IntentRequest");
    assert_eq!(resume["intent"], "AMAZON.ResumeIntent");
    assert_eq!(resume["locale"], "en-US");
    assert_eq!(resume["outcome"], "played");
    assert!(resume["request_id"]
        .as_str()
        .is_some_and(|id| id.starts_with("amzn1.echo-api.request.")));
    assert!(
        resume["bridge_ms"].is_u64() && resume["total_ms"].is_u64(),
        "{resume}"
    );
    assert_eq!(lines[1]["outcome"], "stopped");
    assert!(
        lines[1].get("bridge_ms").is_none(),
        "pause does not ask the bridge"
    );
    assert_no_secret(&logs, "info");
}

#[tokio::test]
async fn failures_are_logged_with_their_kind_and_cause() {
    let logs = logs_of(
        "info",
        LogFormat::Json,
        Reply::Status(401, "{}".into()),
        &["play_audio_intent"],
    )
    .await;
    let line: serde_json::Value =
        serde_json::from_str(logs.lines().last().expect("a line")).expect("JSON");
    assert_eq!(line["level"], "WARN");
    assert_eq!(line["outcome"], "spoke");
    assert_eq!(line["error_kind"], "bridge_unauthorized");
    let error = line["error"].as_str().expect("error text");
    assert!(
        error.contains("HTTP 401") && error.contains("API_PASSWORD"),
        "{error}"
    );
}

#[tokio::test]
async fn amazon_reports_are_logged() {
    let logs = logs_of(
        "info",
        LogFormat::Text,
        Reply::ok(current_reply()),
        &["exception_encountered", "playback_failed"],
    )
    .await;
    assert!(
        logs.contains(
            "INVALID_RESPONSE: Invalid directive in response to AudioPlayer.PlaybackStopped"
        ),
        "{logs}"
    );
    assert!(
        logs.contains("cause amzn1.echo-api.request.0f9e8d7c"),
        "{logs}"
    );
    assert!(
        logs.contains("MEDIA_ERROR_SERVICE_UNAVAILABLE: HTTP 502 from the stream host"),
        "{logs}"
    );
}

#[tokio::test]
async fn an_invalid_filter_falls_back_to_info() {
    let logs = logs_of(
        "=!not a filter[",
        LogFormat::Text,
        Reply::ok(current_reply()),
        &["pause_intent"],
    )
    .await;
    assert!(logs.contains("answered"), "{logs}");
    assert!(
        !logs.contains("service built"),
        "debug lines leaked at the default level: {logs}"
    );
}

#[test]
fn the_runtime_never_dumps_raw_events() {
    let (captured, guard) = capture("trace", LogFormat::Json);
    // What lambda_runtime logs at trace for every invocation: the raw event.
    tracing::trace!(target: "lambda_runtime::layers::api_response", "raw event {{\"apiAccessToken\":\"EXAMPLE-NOT-A-REAL-TOKEN\"}}");
    tracing::debug!(target: "lambda_runtime::layers::api_response", "invocation received");
    drop(guard);
    let logs = captured.text();
    assert!(logs.contains("invocation received"), "{logs}");
    assert!(!logs.contains("EXAMPLE-NOT-A-REAL-TOKEN"), "{logs}");
}

/// Issue 18: `ma_ms` is Music Assistant's own answer time; the wait for the stream its command
/// makes it push is `stream_wait_ms`. Here Music Assistant answers `play_media` at once and the
/// new stream reaches the bridge a second later.
#[tokio::test]
async fn music_assistants_answer_and_the_wait_for_the_new_stream_are_logged_apart() {
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};
    const PUSHED_AFTER: Duration = Duration::from_millis(1000);
    let (captured, _guard) = capture("info", LogFormat::Json);
    let played: Arc<Mutex<Option<Instant>>> = Arc::default();
    let seen = Arc::clone(&played);
    let bridge = Stub::spawn(move |request| {
        if request.path_only() != "/ma/latest-url" {
            return Reply::Status(404, "{}".into());
        }
        match *seen.lock().expect("lock") {
            Some(at) if at.elapsed() >= PUSHED_AFTER => Reply::ok(next_reply()),
            _ => Reply::ok(current_reply()),
        }
    })
    .await;
    let ma = Stub::music_assistant(move |command, args| {
        if command == "player_queues/play_media" {
            *played.lock().expect("lock") = Some(Instant::now());
        }
        healthy_music_assistant(command, args)
    })
    .await;
    let service = Service::new(settings_with_ma(&bridge.base(), &ma.base()));
    let response = service
        .answer(event("play_media_intent"), Deadline::local())
        .await
        .expect("answered");
    let response = serde_json::to_value(&response).expect("serializes");
    assert_eq!(
        response["response"]["directives"][0]["audioItem"]["stream"]["url"],
        NEXT_PUBLIC
    );
    let logs = captured.text();
    let line: serde_json::Value =
        serde_json::from_str(logs.lines().last().expect("a line")).expect("JSON");
    assert_eq!(line["outcome"], "played", "{line}");
    let ma_ms = line["ma_ms"].as_u64().expect("ma_ms");
    let waited = line["stream_wait_ms"].as_u64().expect("stream_wait_ms");
    assert!(
        waited >= 1000,
        "the stream came a second after play_media: {line}"
    );
    assert!(
        ma_ms + 500 < waited,
        "Music Assistant answered at once; the wait is not its time: {line}"
    );
}
