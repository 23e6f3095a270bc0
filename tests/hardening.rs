//! What probing the skill with hostile bridge and Music Assistant replies, hostile envelopes and
//! settings found, one test per finding, each against real servers on 127.0.0.1.

mod common;

use common::*;
use ma_alexa_skill::logging::LogFormat;
use ma_alexa_skill::service::Service;
use serde_json::{json, Value};

/// Alexa's limits on one response: 24 KB of JSON, 8,000 characters of speech.
const MAX_RESPONSE_BYTES: usize = 24 * 1024;
const MAX_SPEECH_CHARS: usize = 8000;

fn play_of(response: &Value) -> &Value {
    &response["response"]["directives"][0]["audioItem"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_never_followed() {
    let elsewhere = Stub::spawn(|_| Reply::ok(current_reply())).await;
    let target = format!("{}/ma/latest-url", elsewhere.base());
    let bridge = Stub::spawn(move |_| {
        Reply::WithHeaders(
            302,
            vec![("Location".into(), target.clone())],
            String::new(),
        )
    })
    .await;
    let ma_target = format!("{}/api", elsewhere.base());
    let ma = Stub::spawn(move |_| {
        Reply::WithHeaders(
            307,
            vec![("Location".into(), ma_target.clone())],
            String::new(),
        )
    })
    .await;
    let settings = || settings_with_ma(&bridge.base(), &ma.base());

    let played = answer_with(settings(), event("play_audio_intent")).await;
    assert_eq!(Shape::of(&played), Shape::say(), "{played}");
    let next = answer_with(settings(), event("next_intent")).await;
    assert_eq!(Shape::of(&next), Shape::say(), "{next}");

    assert!(bridge.count() >= 1 && ma.count() >= 1);
    assert_eq!(elsewhere.count(), 0, "a redirect was followed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_music_assistant_stream_paths_reach_the_public_host() {
    for path in [
        "/etc/passwd",
        "//evil.example/x.mp3",
        "/flow/../etc/passwd",
        "/api",
        // Issue 18: encoded separators a proxy would decode before routing.
        "/flow/..%2f..%2fadmin/x.mp3",
        "/flow/s/..%5c..%5cadmin/x.mp3",
        "/flow/..%252f..%252fadmin/x.mp3",
    ] {
        let reply = json!({ "streamUrl": format!("http://192.168.1.20:8097{path}") });
        let bridge = Stub::bridge(Reply::ok(reply.to_string())).await;
        let (logs, _guard) = capture("info", LogFormat::Json);
        let response = answer_with(settings_for(&bridge.base()), event("play_audio_intent")).await;
        assert_eq!(Shape::of(&response), Shape::say(), "{path}: {response}");
        assert!(
            logs.text().contains("not a Music Assistant stream"),
            "{path}: {}",
            logs.text()
        );
        assert!(
            !response.to_string().contains("ma.example.net/etc")
                && !response.to_string().contains("admin"),
            "{path}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_emitted_url_carries_credentials() {
    for image in [
        "https://user:hunter2@cdn.example.com/cover.jpg",
        "http://user:hunter2@192.168.1.20:8095/imageproxy?path=x&size=256",
    ] {
        let reply = json!({
            "streamUrl": CURRENT_STREAM,
            "title": "So What",
            "imageUrl": image,
        });
        let bridge = Stub::bridge(Reply::ok(reply.to_string())).await;
        let response = answer_with(settings_for(&bridge.base()), event("play_audio_intent")).await;
        assert_eq!(
            Shape::of(&response),
            Shape::play(0, Some(true)),
            "{response}"
        );
        let text = response.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("user:"),
            "{text}"
        );
        let art = &play_of(&response)["metadata"]["art"]["sources"][0]["url"];
        assert!(
            art.as_str().is_some_and(|a| a.starts_with("https://")),
            "{image}: {art}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absurd_offset_is_clamped_to_what_alexa_accepts() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let mut resume = event("resume_intent");
    resume["context"]["AudioPlayer"]["offsetInMilliseconds"] = json!(1e30);
    let response = answer_with(settings_for(&bridge.base()), resume).await;
    let offset = &play_of(&response)["stream"]["offsetInMilliseconds"];
    assert_eq!(offset.as_i64(), Some(i64::MAX), "{response}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_longer_than_alexa_allows_is_never_echoed() {
    let bridge = bridge_process::HomeBridge::holding(next_reply()).await;
    let huge = format!("mas1:{}", "a".repeat(6 * 1024 * 1024));
    let mut nearly = event("playback_nearly_finished");
    nearly["request"]["token"] = json!(huge);
    nearly["context"]["AudioPlayer"]["token"] = json!(huge);
    let response = answer_with(settings_for(&bridge.base()), nearly).await;
    let text = response.to_string();
    assert!(text.len() < MAX_RESPONSE_BYTES, "{} bytes", text.len());
    assert!(!text.contains("aaaaaaaa"));
    assert_eq!(Shape::of(&response), Shape::empty(), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_secret_pasted_into_a_url_setting_is_not_logged() {
    const PASSWORD: &str = "correct horse battery staple";
    let (logs, _guard) = capture("info", LogFormat::Json);
    let service = Service::new(settings(&[
        ("API_HOSTNAME", PASSWORD),
        ("MA_HOSTNAME", "https://[not-a-host"),
        ("MA_API_URL", "http://ma:99999/pw=hunter2"),
        ("MA_API_TOKEN", MA_TOKEN),
    ]));
    let response = service
        .answer(
            event("next_intent"),
            ma_alexa_skill::deadline::Deadline::local(),
        )
        .await
        .expect("answered");
    let text = logs.text();
    assert!(
        text.contains("API_HOSTNAME") && text.contains("MA_API_URL"),
        "{text}"
    );
    for secret in [PASSWORD, "hunter2", "[not-a-host"] {
        assert!(!text.contains(secret), "{secret} logged: {text}");
        let spoken = serde_json::to_string(&response).expect("serializes");
        assert!(!spoken.contains(secret), "{secret} in the response");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_metadata_keeps_every_response_within_alexas_limits() {
    let long = "{title}{artist}{album}".repeat(5000);
    let reply = json!({
        "streamUrl": CURRENT_STREAM,
        "title": long, "artist": long, "album": long,
        "imageUrl": format!("https://cdn.example.com/{}", "x".repeat(60_000)),
    });
    let bridge = Stub::bridge(Reply::ok(reply.to_string())).await;
    // The generated queue and search, with hostile names.
    let mut ma_queue = ma_json("queue_kitchen_echo");
    let item = &mut ma_queue["current_item"];
    item["name"] = json!(long);
    item["media_item"]["name"] = json!(long);
    item["media_item"]["artists"][0]["name"] = json!(long);
    item["media_item"]["album"]["name"] = json!(long);
    let ma = Stub::music_assistant(move |command, args| match command {
        "player_queues/get" => Reply::ok(ma_queue.to_string()),
        "music/search" => {
            let mut found = search_results(args);
            for list in ["artists", "albums", "tracks", "playlists", "radio"] {
                for item in found[list].as_array_mut().into_iter().flatten() {
                    item["name"] = json!("{query}".repeat(4000));
                    if let Some(artist) = item["artists"].get_mut(0) {
                        artist["name"] = json!("{artist}".repeat(4000));
                    }
                }
            }
            Reply::ok(found.to_string())
        }
        _ => healthy_music_assistant(command, args),
    })
    .await;
    for (stem, value) in all_events() {
        let response = answer_with(settings_with_ma(&bridge.base(), &ma.base()), value).await;
        let text = response.to_string();
        assert!(
            text.len() < MAX_RESPONSE_BYTES,
            "{stem}: {} bytes",
            text.len()
        );
        if let Some(speech) = speech_text(&response) {
            assert!(
                speech.chars().count() < MAX_SPEECH_CHARS,
                "{stem}: {} characters",
                speech.chars().count()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_huge_request_cannot_flood_the_log() {
    let (logs, _guard) = capture("info", LogFormat::Json);
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let huge = "x".repeat(2 * 1024 * 1024);
    let mut failed = event("playback_failed");
    failed["request"]["requestId"] = json!(huge);
    failed["request"]["locale"] = json!(huge);
    failed["request"]["error"]["message"] = json!(huge);
    let mut intent = event("play_media_intent");
    intent["request"]["intent"]["name"] = json!(huge);
    let mut wrong = event("play_audio_intent");
    wrong["context"]["System"]["application"]["applicationId"] = json!(huge);
    let mut unknown = event("unknown_request_type");
    unknown["request"]["type"] = json!(huge);
    let service = Service::new(settings_for(&bridge.base()));
    for (what, value) in [
        ("failed", failed),
        ("intent", intent),
        ("wrong skill", wrong),
        ("unknown type", unknown),
    ] {
        let before = logs.text().len();
        let _ = service
            .answer(value, ma_alexa_skill::deadline::Deadline::local())
            .await;
        let size = logs.text().len() - before;
        assert!(size > 0 && size < 8 * 1024, "{what}: {size} bytes of log");
    }
}

/// A Music Assistant answer built from the Authorization header it received.
type Echo = Box<dyn Fn(&str) -> Reply + Send + Sync>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn music_assistant_cannot_echo_the_token_into_the_log() {
    let echoes: Vec<Echo> = vec![
        Box::new(|auth| Reply::Status(500, format!("Internal error for {auth}"))),
        Box::new(|auth| Reply::Status(403, format!("{}{auth}", "x".repeat(180)))),
        // A reply the skill cannot use at all, carrying the header (a field of another shape
        // would only be left unknown).
        Box::new(|auth| {
            Reply::ok(json!([{ "queue_id": QUEUE, "current_index": auth }]).to_string())
        }),
        Box::new(|auth| {
            Reply::ok(json!({ "message_id": "1", "error_code": 999, "details": auth }).to_string())
        }),
    ];
    for (n, echo) in echoes.into_iter().enumerate() {
        let ma = Stub::spawn(move |seen| {
            let auth = seen
                .headers
                .get("authorization")
                .cloned()
                .unwrap_or_default();
            echo(&auth)
        })
        .await;
        let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
        let (logs, _guard) = capture("info", LogFormat::Json);
        let response = answer_with(
            settings_with_ma(&bridge.base(), &ma.base()),
            event("previous_intent"),
        )
        .await;
        assert_eq!(Shape::of(&response), Shape::say(), "echo {n}: {response}");
        let text = logs.text();
        assert!(text.contains("answered with a problem"), "echo {n}: {text}");
        assert!(
            !text.contains(MA_TOKEN),
            "echo {n} logged the token: {text}"
        );
        assert!(!text.contains("test-long-lived"), "echo {n}: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_json_rpc_error_object_is_an_error_even_with_status_200() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let ma = Stub::music_assistant(|command, args| match command {
        "player_queues/next" | "player_queues/shuffle" => ma_reply("error_player_unavailable"),
        _ => healthy_music_assistant(command, args),
    })
    .await;
    for stem in ["next_intent", "shuffle_on_intent"] {
        let (logs, _guard) = capture("info", LogFormat::Json);
        let response = answer_with(settings_with_ma(&bridge.base(), &ma.base()), event(stem)).await;
        let spoken = speech_text(&response).unwrap_or_default();
        assert!(
            !spoken.starts_with("Next") && !spoken.contains("Shuffle is on"),
            "{stem}: {spoken}"
        );
        assert!(
            logs.text()
                .contains("error_code 10: Player Kitchen Echo is not available"),
            "{stem}: {}",
            logs.text()
        );
    }
}
