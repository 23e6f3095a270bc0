//! The bridge misbehaving in every way the skill knows, credentials, deadlines, and the skill-id
//! check, each against a real HTTP server on 127.0.0.1.

mod common;

use std::time::{Duration, Instant};

use common::*;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::service::{Refusal, Service};
use ma_alexa_skill::speech::{Language, Phrase};
use serde_json::{json, Value};

async fn answer(service: &Service, stem: &str, deadline: Deadline) -> Value {
    let response = service
        .answer(event(stem), deadline)
        .await
        .unwrap_or_else(|e| panic!("{stem}: refused: {e}"));
    serde_json::to_value(&response).expect("serializes")
}

/// A bridge behaviour, what a voice request hears about it, and a name for messages.
struct Failure {
    name: &'static str,
    reply: Option<Reply>,
    phrase: Phrase,
}

fn failures() -> Vec<Failure> {
    let f = |name, reply, phrase| Failure {
        name,
        reply,
        phrase,
    };
    vec![
        f("bridge down", None, Phrase::BridgeUnreachable),
        f("not HTTP", Some(Reply::NotHttp), Phrase::BridgeUnreachable),
        f(
            "connection closed mid-body",
            Some(Reply::Truncated),
            Phrase::BridgeUnreachable,
        ),
        f(
            "401",
            Some(Reply::Status(401, r#"{"error":"Unauthorized"}"#.into())),
            Phrase::BridgeUnauthorized,
        ),
        f(
            "403",
            Some(Reply::Status(403, "forbidden".into())),
            Phrase::BridgeUnauthorized,
        ),
        f(
            "404",
            Some(Reply::Status(404, r#"{"error":"No URL available"}"#.into())),
            Phrase::NothingToPlay,
        ),
        f(
            "500",
            Some(Reply::Status(500, "boom".into())),
            Phrase::BridgeStatus,
        ),
        f(
            "502",
            Some(Reply::Status(502, "<html>Bad Gateway</html>".into())),
            Phrase::BridgeStatus,
        ),
        f(
            "HTML instead of JSON",
            Some(Reply::ok("<html><body>Home Assistant</body></html>")),
            Phrase::BridgeInvalidReply,
        ),
        f(
            "JSON array",
            Some(Reply::ok("[1,2,3]")),
            Phrase::BridgeInvalidReply,
        ),
        f(
            "wrong field type",
            Some(Reply::ok(r#"{"streamUrl": 42}"#)),
            Phrase::BridgeInvalidReply,
        ),
        f(
            "reply too large",
            Some(Reply::ok(format!(
                r#"{{"streamUrl":"http://h/flow/q/i.mp3","title":"{}"}}"#,
                "x".repeat(70_000)
            ))),
            Phrase::BridgeInvalidReply,
        ),
        f(
            "no streamUrl",
            Some(Reply::ok(r#"{"title":"So What"}"#)),
            Phrase::NoStreamUrl,
        ),
        f(
            "null streamUrl",
            Some(Reply::ok(r#"{"streamUrl":null}"#)),
            Phrase::NoStreamUrl,
        ),
        f(
            "empty streamUrl",
            Some(Reply::ok(r#"{"streamUrl":"  "}"#)),
            Phrase::NoStreamUrl,
        ),
        f(
            "relative streamUrl",
            Some(Reply::ok(r#"{"streamUrl":"/flow/q/i.mp3"}"#)),
            Phrase::NoStreamUrl,
        ),
        f(
            "ftp streamUrl",
            Some(Reply::ok(r#"{"streamUrl":"ftp://h/flow/q/i.mp3"}"#)),
            Phrase::NoStreamUrl,
        ),
        f(
            "slow",
            Some(Reply::Slow(Duration::from_secs(30), 200, current_reply())),
            Phrase::BridgeTimedOut,
        ),
    ]
}

/// Every sample event against every failure: voice play requests explain in their language,
/// everything else stays within what its request type may answer, and nothing panics.
#[tokio::test]
async fn every_event_survives_every_bridge_failure() {
    for failure in failures() {
        let (bridge, base) = match failure.reply.clone() {
            Some(reply) => {
                let stub = Stub::bridge(reply).await;
                let base = stub.base();
                (Some(stub), base)
            }
            None => (None, closed_port_base().await),
        };
        let service = Service::new(settings_for(&base));
        for (stem, event) in all_events() {
            let what = format!("{stem} with {}", failure.name);
            let request_type = event["request"]["type"].as_str().unwrap_or("").to_owned();
            let started = Instant::now();
            let response = service
                .answer(event.clone(), Deadline::after(Duration::from_millis(300)))
                .await
                .unwrap_or_else(|e| panic!("{what}: refused: {e}"));
            assert!(
                started.elapsed() < Duration::from_secs(3),
                "{what}: took {:?}",
                started.elapsed()
            );
            let response = serde_json::to_value(&response).expect("serializes");
            assert_contract(&request_type, &response, &what);

            let voice_play = matches!(
                stem.as_str(),
                "launch"
                    | "play_audio_intent"
                    | "play_audio_legacy_name"
                    | "play_audio_intent_de-DE"
                    | "resume_intent"
                    | "resume_intent_older_stream"
            );
            if voice_play {
                let language = if stem.ends_with("de-DE") {
                    Language::German
                } else {
                    Language::English
                };
                assert_eq!(
                    speech_text(&response).as_deref(),
                    Some(failure.phrase.text(language)),
                    "{what}"
                );
                assert_eq!(Shape::of(&response), Shape::say(), "{what}");
                assert_eq!(
                    response["response"]["card"]["content"],
                    failure.phrase.text(language),
                    "{what}"
                );
            }
            let player_event = matches!(
                stem.as_str(),
                "playback_nearly_finished"
                    | "playback_nearly_finished_same_stream"
                    | "playback_failed"
                    | "playback_failed_same_stream"
                    | "playback_controller_play"
            );
            if player_event {
                assert_eq!(Shape::of(&response), Shape::empty(), "{what}");
            }
        }
        if let Some(bridge) = bridge {
            assert!(bridge.count() > 0, "{}: the bridge was asked", failure.name);
        }
    }
}

#[tokio::test]
async fn the_bridge_timeout_caps_a_generous_deadline() {
    let bridge = Stub::bridge(Reply::Slow(Duration::from_secs(30), 200, current_reply())).await;
    let service = Service::new(settings_for(&bridge.base()));
    let started = Instant::now();
    let response = answer(
        &service,
        "play_audio_intent",
        Deadline::after(Duration::from_secs(20)),
    )
    .await;
    let waited = started.elapsed();
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::BridgeTimedOut.text(Language::English))
    );
    assert!(
        waited >= ma_alexa_skill::bridge::BRIDGE_TIMEOUT,
        "gave up after {waited:?}"
    );
    assert!(
        waited < Duration::from_secs(6),
        "waited {waited:?}, past Alexa's patience"
    );
}

#[tokio::test]
async fn an_expired_deadline_does_not_call_the_bridge() {
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    let service = Service::new(settings_for(&bridge.base()));
    let response = answer(
        &service,
        "play_audio_intent",
        Deadline::after(Duration::ZERO),
    )
    .await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::BridgeTimedOut.text(Language::English))
    );
    assert_eq!(bridge.count(), 0);
}

#[tokio::test]
async fn missing_settings_are_spoken_and_no_call_is_made() {
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    let cases = [
        (
            settings(&[("MA_HOSTNAME", MA_HOSTNAME)]),
            "API HOSTNAME",
            Phrase::SettingMissing,
        ),
        (
            settings(&[("API_HOSTNAME", &bridge.base())]),
            "MA HOSTNAME",
            Phrase::SettingMissing,
        ),
        (
            settings(&[
                ("API_HOSTNAME", &bridge.base()),
                ("MA_HOSTNAME", "http://ma.example.net"),
            ]),
            "MA HOSTNAME",
            Phrase::SettingInvalid,
        ),
        (
            settings(&[
                ("API_HOSTNAME", &bridge.base()),
                ("API_USERNAME", "alice"),
                ("MA_HOSTNAME", MA_HOSTNAME),
            ]),
            "API PASSWORD",
            Phrase::SettingMissing,
        ),
    ];
    for (settings, spoken_name, phrase) in cases {
        let service = Service::new(settings);
        for (stem, language) in [
            ("play_audio_intent", Language::English),
            ("play_audio_intent_de-DE", Language::German),
        ] {
            let response = answer(&service, stem, Deadline::local()).await;
            let text = speech_text(&response).expect("spoken");
            assert_eq!(
                text,
                phrase.text(language).replace("{setting}", spoken_name),
                "{stem}"
            );
        }
        // Requests that need no settings still work.
        let pause = answer(&service, "pause_intent", Deadline::local()).await;
        assert_eq!(Shape::of(&pause), Shape::stop(Some(true)));
    }
    assert_eq!(
        bridge.count(),
        0,
        "no bridge call without complete settings"
    );
}

#[tokio::test]
async fn basic_auth_is_sent_only_when_configured() {
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    let without = Service::new(settings_for(&bridge.base()));
    answer(&without, "play_audio_intent", Deadline::local()).await;
    let with = Service::new(settings(&[
        ("API_HOSTNAME", &bridge.base()),
        ("API_USERNAME", "alice"),
        ("API_PASSWORD", "s3cret: with spaces"),
        ("MA_HOSTNAME", MA_HOSTNAME),
    ]));
    answer(&with, "play_audio_intent", Deadline::local()).await;

    let seen = bridge.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].headers.get("authorization"), None);
    // base64("alice:s3cret: with spaces")
    assert_eq!(
        seen[1].headers.get("authorization").map(String::as_str),
        Some("Basic YWxpY2U6czNjcmV0OiB3aXRoIHNwYWNlcw==")
    );
    for request in &seen {
        assert_eq!(request.method, "GET");
        assert_eq!(request.path, "/ma/latest-url");
        assert_eq!(
            request.headers.get("accept").map(String::as_str),
            Some("application/json")
        );
    }
}

#[tokio::test]
async fn a_bridge_base_path_is_kept() {
    let bridge = Stub::spawn(|seen| {
        if seen.path == "/alexa-bridge/ma/latest-url" {
            Reply::ok(current_reply())
        } else {
            Reply::Status(404, "{}".into())
        }
    })
    .await;
    let service = Service::new(settings_for(&format!("{}/alexa-bridge", bridge.base())));
    let response = answer(&service, "play_audio_intent", Deadline::local()).await;
    assert_eq!(Shape::of(&response), Shape::play(0, Some(true)));
}

#[tokio::test]
async fn the_wrong_skill_is_refused_before_any_call() {
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    let service = Service::new(settings(&[
        ("API_HOSTNAME", &bridge.base()),
        ("MA_HOSTNAME", MA_HOSTNAME),
        ("SKILL_ID", "amzn1.ask.skill.someone-else"),
    ]));
    for (stem, event) in all_events() {
        match service.answer(event, Deadline::local()).await {
            Err(Refusal::WrongSkill { got, expected }) => {
                assert_eq!(got, SKILL_ID, "{stem}");
                assert_eq!(expected, "amzn1.ask.skill.someone-else", "{stem}");
            }
            other => panic!("{stem}: not refused: {other:?}"),
        }
    }
    assert_eq!(bridge.count(), 0, "a refused request reached the bridge");
}

#[tokio::test]
async fn a_request_without_skill_id_is_refused_when_one_is_required() {
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    let service = Service::new(settings_for(&bridge.base()));
    let mut event = event("play_audio_intent");
    event["context"]["System"]
        .as_object_mut()
        .expect("System")
        .remove("application");
    event.as_object_mut().expect("envelope").remove("session");
    let refusal = service
        .answer(event, Deadline::local())
        .await
        .expect_err("refused");
    assert_eq!(refusal.error_type(), "SkillIdMismatch");
    assert_eq!(bridge.count(), 0);
}

#[tokio::test]
async fn without_skill_id_any_skill_is_served() {
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    let service = Service::new(settings(&[
        ("API_HOSTNAME", &bridge.base()),
        ("MA_HOSTNAME", MA_HOSTNAME),
    ]));
    let mut event = event("play_audio_intent");
    event["context"]["System"]["application"]["applicationId"] = json!("amzn1.ask.skill.other");
    assert!(service.answer(event, Deadline::local()).await.is_ok());
}

#[tokio::test]
async fn non_envelopes_are_refused() {
    let service = Service::new(settings_for("http://127.0.0.1:9"));
    for event in [
        json!(null),
        json!("play"),
        json!({ "version": "1.0" }),
        json!({ "request": "LaunchRequest" }),
    ] {
        let refusal = service
            .answer(event.clone(), Deadline::local())
            .await
            .expect_err("refused");
        assert_eq!(refusal.error_type(), "InvalidEnvelope", "{event}");
    }
}

/// Rewriting as seen from the outside: what the bridge sends, what Alexa gets.
#[tokio::test]
async fn stream_urls_are_rewritten_onto_the_public_host() {
    let cases = [
        (
            "http://192.168.1.20:8097/flow/s1/Kitchen Echo/i1/Kitchen Echo.mp3",
            "https://ma.example.net/flow/s1/Kitchen%20Echo/i1/Kitchen%20Echo.mp3",
        ),
        (
            "http://[fd00::20]:8097/flow/s1/q/i1.mp3",
            "https://ma.example.net/flow/s1/q/i1.mp3",
        ),
        (
            "http://homeassistant.local:8097/flow/s1/q/i1.flac",
            "https://ma.example.net/flow/s1/q/i1.mp3",
        ),
        (
            "https://music.lan/flow/q/i1.aac?ts=1700000000",
            "https://ma.example.net/flow/q/i1.aac?ts=1700000000",
        ),
    ];
    for (internal, public) in cases {
        let bridge = Stub::bridge(Reply::ok(json!({ "streamUrl": internal }).to_string())).await;
        let service = Service::new(settings_for(&bridge.base()));
        let response = answer(&service, "play_audio_intent", Deadline::local()).await;
        let stream = &response["response"]["directives"][0]["audioItem"]["stream"];
        assert_eq!(stream["url"], public, "{internal}");
        // No metadata was pushed, so none is sent.
        assert!(response["response"]["directives"][0]["audioItem"]
            .get("metadata")
            .is_none());
    }
}

#[tokio::test]
async fn an_overlong_stream_url_is_refused_aloud() {
    let internal = format!(
        "http://192.168.1.20:8097/flow/q/i.mp3?pad={}",
        "a".repeat(8100)
    );
    let bridge = Stub::bridge(Reply::ok(json!({ "streamUrl": internal }).to_string())).await;
    let service = Service::new(settings_for(&bridge.base()));
    let response = answer(&service, "play_audio_intent", Deadline::local()).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::StreamUrlTooLong.text(Language::English))
    );
}

#[tokio::test]
async fn the_bridge_client_is_reused_across_invocations() {
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    let service = Service::new(settings_for(&bridge.base()));
    for _ in 0..5 {
        let response = answer(&service, "playback_controller_play", Deadline::local()).await;
        assert_eq!(Shape::of(&response), Shape::play(83_140, None));
    }
    assert_eq!(bridge.count(), 5);
}

/// When the device's queue is known, the bridge is asked for that player's stream; when it has
/// none for that player, for the latest of all; when the queue is not known, for the latest.
#[tokio::test]
async fn the_devices_own_player_is_asked_for_first() {
    let living = "http://192.168.1.20:8097/flow/aa11/Living%20Room/bb22/Living%20Room.mp3";
    let stub = Stub::spawn(move |seen| match seen.query("playerId").as_deref() {
        Some("Kitchen Echo") => Reply::ok(current_reply()),
        Some(_) => Reply::Status(404, r#"{"error":"nothing for that player"}"#.into()),
        None => Reply::ok(json!({ "streamUrl": living }).to_string()),
    })
    .await;
    let service = Service::new(settings_for(&stub.base()));
    let stream_url = |response: &Value| {
        response["response"]["directives"][0]["audioItem"]["stream"]["url"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let queries = |from: usize| -> Vec<Option<String>> {
        stub.seen()[from..]
            .iter()
            .map(|s| s.query("playerId"))
            .collect()
    };

    // resume_intent's token names the Kitchen Echo queue.
    let response = answer(&service, "resume_intent", Deadline::local()).await;
    assert_eq!(stream_url(&response), CURRENT_PUBLIC);
    assert_eq!(queries(0), [Some("Kitchen Echo".to_owned())]);

    // A player the bridge has nothing for: asked for, then the latest of all.
    let mut bedroom = event("resume_intent");
    bedroom["context"]["AudioPlayer"]["token"] = json!("mas1:0123456789abcdef:Bedroom");
    let response = service
        .answer(bedroom, Deadline::local())
        .await
        .expect("answered");
    let response = serde_json::to_value(&response).expect("serializes");
    assert_eq!(
        stream_url(&response),
        "https://ma.example.net/flow/aa11/Living%20Room/bb22/Living%20Room.mp3"
    );
    assert_eq!(queries(1), [Some("Bedroom".to_owned()), None]);

    // No token and no DEVICE_PLAYERS entry: the latest of all, asked once.
    let response = answer(&service, "play_audio_intent", Deadline::local()).await;
    assert!(stream_url(&response).contains("Living%20Room"));
    assert_eq!(queries(3), [None]);
}
