//! The progressive response ("Looking for Kind of Blue…") through the real service: a real HTTP
//! server on 127.0.0.1 stands in for Alexa's API endpoint (the events' `apiEndpoint` points at
//! it), and a Music Assistant stand-in on 127.0.0.1, answering with replies generated from
//! `music-assistant-models`, takes its time to search.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::bridge_process::RealHome;
use common::*;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::logging::LogFormat;
use ma_alexa_skill::service::Service;
use ma_alexa_skill::skill::PROGRESSIVE_AFTER;
use serde_json::{json, Value};

/// The `apiAccessToken` of these events: it must reach Alexa's API and nothing else.
const TOKEN: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.PROGRESSIVE-TEST-TOKEN-4b1d.sig";
/// How long the slow Music Assistant takes to search.
const SLOW_SEARCH: Duration = Duration::from_millis(1600);

/// A stand-in for Alexa's API: answers every request with `reply`, and notes when each arrived.
struct AlexaApi {
    stub: Stub,
    arrived: Arc<Mutex<Vec<Instant>>>,
}

impl AlexaApi {
    async fn answering(reply: Reply) -> Self {
        let arrived: Arc<Mutex<Vec<Instant>>> = Arc::default();
        let at = Arc::clone(&arrived);
        let stub = Stub::spawn(move |_| {
            at.lock().expect("lock").push(Instant::now());
            reply.clone()
        })
        .await;
        Self { stub, arrived }
    }

    /// Amazon's answer to a progressive response it takes.
    async fn accepting() -> Self {
        Self::answering(Reply::Status(204, String::new())).await
    }

    fn base(&self) -> String {
        self.stub.base()
    }

    fn seen(&self) -> Vec<Seen> {
        self.stub.seen()
    }
}

/// A home (the real bridge) whose Music Assistant searches for `search_takes` and then, like the
/// real one, pushes the new stream to the bridge on `play_media`.
async fn home_searching_for(search_takes: Duration) -> RealHome {
    RealHome::start(move |command, args| match command {
        "music/search" => Reply::Slow(search_takes, 200, search_results(args).to_string()),
        _ => healthy_music_assistant(command, args),
    })
    .await
}

/// "play {query}" in `locale` from the Kitchen Echo, its Alexa API at `endpoint`.
fn play(query: &str, locale: &str, endpoint: &str) -> Value {
    let mut event = event("play_media_intent");
    event["request"]["locale"] = json!(locale);
    event["request"]["intent"]["slots"]["query"]["value"] = json!(query);
    with_api(event, endpoint)
}

/// `event` with its `apiEndpoint` at `endpoint` and the test token.
fn with_api(mut event: Value, endpoint: &str) -> Value {
    event["context"]["System"]["apiEndpoint"] = json!(endpoint);
    event["context"]["System"]["apiAccessToken"] = json!(TOKEN);
    event
}

/// The answer of the real service to `event` in `home`, and when it came.
async fn answer(home: &RealHome, event: Value, deadline: Duration) -> (Value, Instant) {
    let service = Service::new(home.settings());
    let response = service
        .answer(event, Deadline::after(deadline))
        .await
        .expect("answered");
    (
        serde_json::to_value(&response).expect("serializes"),
        Instant::now(),
    )
}

/// What the slow search must still answer: the words and the `Play` of the pushed stream.
fn assert_plays_the_pushed_stream(response: &Value, said: &str) {
    assert_eq!(speech_text(response).as_deref(), Some(said), "{response}");
    assert_eq!(
        response["response"]["directives"][0]["audioItem"]["stream"]["url"], NEXT_PUBLIC,
        "{response}"
    );
    assert_contract("IntentRequest", response, "play by name");
}

/// The last answer's log line, from JSON logs.
fn answer_line(logs: &str) -> Value {
    logs.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .rfind(|l| l["message"] == "answered")
        .unwrap_or_else(|| panic!("no answer line in:\n{logs}"))
}

fn field<'a>(line: &'a Value, name: &str) -> &'a Value {
    line.get(name).unwrap_or(&Value::Null)
}

#[tokio::test]
async fn a_slow_search_says_what_it_looks_for_once_before_the_answer() {
    let (captured, _guard) = capture("info", LogFormat::Json);
    for (locale, query, spoken, said) in [
        (
            "en-US",
            "kind of blue",
            "<speak>Looking for kind of blue…</speak>",
            "Playing Kind of Blue by Miles Davis.",
        ),
        (
            "de-DE",
            "simon & garfunkel",
            "<speak>Ich suche simon &amp; garfunkel…</speak>",
            // No exact name: the generated results' first artist.
            "Ich spiele Miles Davis.",
        ),
        (
            "pt-BR",
            "kind of blue",
            "<speak>Procurando kind of blue…</speak>",
            "Tocando Kind of Blue de Miles Davis.",
        ),
    ] {
        let alexa = AlexaApi::accepting().await;
        let home = home_searching_for(SLOW_SEARCH).await;
        let event = play(query, locale, &alexa.base());
        let request_id = event["request"]["requestId"].clone();
        let started = Instant::now();
        let (response, answered) = answer(&home, event, Deadline::ALEXA_BUDGET).await;

        assert_plays_the_pushed_stream(&response, said);
        let seen = alexa.seen();
        assert_eq!(seen.len(), 1, "{locale}: exactly one progressive response");
        let call = &seen[0];
        assert_eq!(
            (call.method.as_str(), call.path.as_str()),
            ("POST", "/v1/directives")
        );
        assert_eq!(
            call.headers.get("authorization").map(String::as_str),
            Some(format!("Bearer {TOKEN}").as_str())
        );
        assert_eq!(
            call.headers.get("content-type").map(String::as_str),
            Some("application/json")
        );
        let body: Value = serde_json::from_slice(&call.body).expect("JSON");
        assert_eq!(
            body,
            json!({
                "header": { "requestId": request_id },
                "directive": { "type": "VoicePlayer.Speak", "speech": spoken }
            }),
            "{locale}"
        );
        let arrived = alexa.arrived.lock().expect("lock")[0];
        assert!(
            arrived.duration_since(started) >= PROGRESSIVE_AFTER,
            "{locale}: sent before the threshold"
        );
        assert!(arrived < answered, "{locale}: sent after the answer");
        assert!(
            arrived.duration_since(started) < SLOW_SEARCH,
            "{locale}: sent while the search ran"
        );
    }
    let line = answer_line(&captured.text());
    assert_eq!(field(&line, "progressive"), "sent", "{line}");
    assert_eq!(field(&line, "progressive_status"), 204, "{line}");
    assert!(field(&line, "progressive_ms").is_u64(), "{line}");
}

#[tokio::test]
async fn the_answer_is_the_same_with_or_without_one() {
    let (_captured, _guard) = capture("info", LogFormat::Json);
    let alexa = AlexaApi::accepting().await;
    let (fast, _) = answer(
        &home_searching_for(Duration::ZERO).await,
        play("kind of blue", "en-US", &alexa.base()),
        Deadline::ALEXA_BUDGET,
    )
    .await;
    assert_eq!(alexa.seen().len(), 0, "a fast search sends none");
    let (slow, _) = answer(
        &home_searching_for(SLOW_SEARCH).await,
        play("kind of blue", "en-US", &alexa.base()),
        Deadline::ALEXA_BUDGET,
    )
    .await;
    assert_eq!(alexa.seen().len(), 1);
    assert_eq!(slow, fast);
}

#[tokio::test]
async fn a_failing_or_hanging_api_changes_nothing_and_the_answer_keeps_its_deadline() {
    let (captured, _guard) = capture("info", LogFormat::Json);
    let deadline = Duration::from_millis(4000);
    for (reply, outcome, status) in [
        (
            Reply::Status(500, r#"{"message":"oops"}"#.into()),
            "status",
            json!(500),
        ),
        (Reply::Status(429, "{}".into()), "status", json!(429)),
        (
            Reply::Slow(Duration::from_secs(60), 204, String::new()),
            "timed_out",
            Value::Null,
        ),
    ] {
        let alexa = AlexaApi::answering(reply).await;
        let home = home_searching_for(SLOW_SEARCH).await;
        let started = Instant::now();
        let (response, answered) = answer(
            &home,
            play("kind of blue", "en-US", &alexa.base()),
            deadline,
        )
        .await;
        let took = answered.duration_since(started);
        assert!(took < deadline, "{outcome}: answered after {took:?}");
        assert_plays_the_pushed_stream(&response, "Playing Kind of Blue by Miles Davis.");
        assert_eq!(alexa.seen().len(), 1, "{outcome}: tried once, never again");
        let logs = captured.text();
        let line = answer_line(&logs);
        assert_eq!(field(&line, "outcome"), "played", "{line}");
        assert_eq!(field(&line, "progressive"), outcome, "{line}");
        assert_eq!(field(&line, "progressive_status"), &status, "{line}");
        assert!(
            logs.contains("progressive response not delivered"),
            "{outcome}: no warning:\n{logs}"
        );
    }
}

#[tokio::test]
async fn audio_player_and_playback_controller_requests_never_send_one() {
    let (_captured, _guard) = capture("info", LogFormat::Json);
    let alexa = AlexaApi::accepting().await;
    // A Music Assistant that takes longer than the threshold for everything.
    let slow = Duration::from_millis(1200);
    let homes =
        RealHome::start(
            move |command, args| match healthy_music_assistant(command, args) {
                Reply::Status(status, body) => Reply::Slow(slow, status, body),
                other => other,
            },
        )
        .await;
    for stem in [
        "playback_controller_next",
        "playback_controller_previous",
        "playback_controller_play",
        "playback_nearly_finished",
        "playback_failed",
    ] {
        let event = with_api(event(stem), &alexa.base());
        let request_type = event["request"]["type"].as_str().expect("type").to_owned();
        let (response, _) = answer(&homes, event, Deadline::ALEXA_BUDGET).await;
        assert_contract(&request_type, &response, stem);
    }
    assert_eq!(alexa.seen().len(), 0);
}

#[tokio::test]
async fn an_endpoint_that_is_not_alexas_api_gets_no_call() {
    let (captured, _guard) = capture("info", LogFormat::Json);
    let alexa = AlexaApi::accepting().await;
    let port = alexa.base().rsplit(':').next().expect("port").to_owned();
    // Every one of these reaches the stand-in, were it called: none may be.
    for endpoint in [
        format!("http://localhost:{port}"),
        format!("http://user:pw@127.0.0.1:{port}"),
        format!("http://127.0.0.1:{port}/elsewhere"),
        format!("http://127.0.0.1:{port}/?x=1"),
        "not a url".to_owned(),
    ] {
        let home = home_searching_for(SLOW_SEARCH).await;
        let (response, _) = answer(
            &home,
            play("kind of blue", "en-US", &endpoint),
            Deadline::ALEXA_BUDGET,
        )
        .await;
        assert_plays_the_pushed_stream(&response, "Playing Kind of Blue by Miles Davis.");
        let line = answer_line(&captured.text());
        assert_eq!(
            field(&line, "progressive"),
            "endpoint_refused",
            "{endpoint}"
        );
    }
    assert_eq!(alexa.seen().len(), 0);
    let logs = captured.text();
    assert!(
        logs.contains("neither https on a host ending in .amazonalexa.com"),
        "{logs}"
    );
    assert!(!logs.contains(":pw@"), "{logs}");
}

/// The sample events name `https://api.amazonalexa.com`: a test build never calls it.
#[tokio::test]
async fn a_test_build_never_calls_amazon_itself() {
    let (captured, _guard) = capture("info", LogFormat::Json);
    let home = home_searching_for(SLOW_SEARCH).await;
    let (response, _) = answer(&home, event("play_media_intent"), Deadline::ALEXA_BUDGET).await;
    assert_plays_the_pushed_stream(&response, "Playing Kind of Blue by Miles Davis.");
    let line = answer_line(&captured.text());
    assert_eq!(field(&line, "progressive"), "not_sent", "{line}");
}

#[tokio::test]
async fn the_token_never_reaches_the_logs() {
    for format in [LogFormat::Text, LogFormat::Json] {
        let (captured, guard) = capture("trace", format);
        for reply in [
            Reply::Status(204, String::new()),
            Reply::Status(401, format!(r#"{{"message":"bad token {TOKEN}"}}"#)),
        ] {
            let alexa = AlexaApi::answering(reply).await;
            let home = home_searching_for(SLOW_SEARCH).await;
            let service = Service::new(home.settings());
            let event = play("kind of blue", "en-US", &alexa.base());
            tracing::debug!(?service, "service built");
            let parsed = ma_alexa_skill::alexa::request::SkillRequest::parse(event.clone())
                .expect("a request");
            tracing::debug!(?parsed, "request read");
            service
                .answer(event, Deadline::local())
                .await
                .expect("answered");
            assert_eq!(alexa.seen().len(), 1, "the token did go to the API");
        }
        drop(guard);
        let logs = captured.text();
        assert!(logs.contains("request read"), "{logs}");
        assert!(logs.contains("[REDACTED]"), "{logs}");
        assert!(logs.contains("progressive"), "{logs}");
        for secret in [TOKEN, "PROGRESSIVE-TEST-TOKEN"] {
            assert!(
                !logs.contains(secret),
                "{format:?}: the token is in the logs:\n{logs}"
            );
        }
    }
}
