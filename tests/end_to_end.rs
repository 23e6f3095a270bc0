//! Both binaries together, as in a home: Music Assistant pushes to the real `ma-alexa-bridge`
//! (its exact bodies and headers, for two Echos), and the real `ma-alexa-skill` answers each
//! Echo's requests with that Echo's own stream.

mod common;

use std::process::{Command, Stdio};

use common::bridge_process::{BridgeProcess, TempDir};
use common::{event, MA_HOSTNAME, SKILL_ID};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SKILL_BIN: &str = env!("CARGO_BIN_EXE_ma-alexa-skill");
const USER: &str = "music-assistant";
const PASSWORD: &str = "s3cret for the bridge";

/// 2026 servers: `/flow/{session}/{queue}/{item}/{player}.mp3`, ids unescaped in Music
/// Assistant's text and percent-encoded here as a URL must be.
const KITCHEN: &str =
    "http://192.168.1.20:8097/flow/3f9c1a2b/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3";
const KITCHEN_NEXT: &str =
    "http://192.168.1.20:8097/flow/3f9c1a2b/Kitchen%20Echo/2c3f88/Kitchen%20Echo.mp3";
/// 2025 servers: `/flow/{session}/{queue}/{item}.mp3`; newer providers also send `playerId`.
const LIVING: &str = "http://192.168.1.20:8097/flow/77aa0133/Living%20Room/c0ffee.mp3";
const LIVING_DEVICE: &str = "amzn1.ask.device.ALIVINGROOMECHOEXAMPLE0000000000000000";

/// What Music Assistant's Alexa provider sends: aiohttp's `session.post(url, json=payload,
/// auth=BasicAuth(user, password))`, so `json.dumps` spacing and aiohttp's headers.
async fn push_as_music_assistant(bridge: &BridgeProcess, payload: &Value) -> String {
    let body = python_json(payload);
    let address = bridge.base.trim_start_matches("http://");
    let credentials = {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
    };
    let request = format!(
        "POST /ma/push-url HTTP/1.1\r\nHost: {address}\r\nAccept: */*\r\nAccept-Encoding: gzip, deflate\r\nUser-Agent: Python/3.13 aiohttp/3.12.15\r\nAuthorization: Basic {credentials}\r\nContent-Length: {}\r\nContent-Type: application/json\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream.write_all(request.as_bytes()).await.expect("sent");
    let mut answer = vec![0u8; 4096];
    let n = stream.read(&mut answer).await.expect("answered");
    String::from_utf8_lossy(&answer[..n]).into_owned()
}

/// `json.dumps` of a flat object: `{"a": "b", "c": null}`.
fn python_json(payload: &Value) -> String {
    let fields: Vec<String> = payload
        .as_object()
        .expect("object")
        .iter()
        .map(|(k, v)| format!("{}: {}", Value::from(k.as_str()), v))
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// Runs `ma-alexa-skill invoke -` on `event` against `bridge`; returns the response and logs.
fn invoke(bridge: &BridgeProcess, event: &Value) -> (Value, String) {
    let device_players = json!({ LIVING_DEVICE: "Living Room" }).to_string();
    let mut child = Command::new(SKILL_BIN)
        .args(["invoke", "-"])
        .env_clear()
        .env("API_HOSTNAME", &bridge.base)
        .env("API_USERNAME", USER)
        .env("API_PASSWORD", PASSWORD)
        .env("MA_HOSTNAME", MA_HOSTNAME)
        .env("SKILL_ID", SKILL_ID)
        .env("DEVICE_PLAYERS", device_players)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the skill starts");
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(event.to_string().as_bytes())
            .expect("event written");
    }
    let output = child.wait_with_output().expect("the skill ends");
    let logs = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{logs}");
    (
        serde_json::from_slice(&output.stdout).expect("a response envelope"),
        logs,
    )
}

fn play_request(device: &str, token: Option<&str>) -> Value {
    let mut event = event("play_audio_intent");
    event["context"]["System"]["device"]["deviceId"] = json!(device);
    if let Some(token) = token {
        event["context"]["AudioPlayer"]["token"] = json!(token);
    }
    event
}

fn played(response: &Value) -> (&str, &str) {
    let play = &response["response"]["directives"][0];
    assert_eq!(play["type"], "AudioPlayer.Play", "{response}");
    (
        play["audioItem"]["stream"]["url"]
            .as_str()
            .unwrap_or_default(),
        play["audioItem"]["metadata"]["title"]
            .as_str()
            .unwrap_or_default(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_echos_each_play_their_own_stream() {
    let dir = TempDir::new("end-to-end");
    let state = dir.path().join("state.json");
    let bridge = BridgeProcess::start(&[
        ("BRIDGE_USERNAME", USER),
        ("BRIDGE_PASSWORD", PASSWORD),
        ("BRIDGE_STATE_FILE", state.to_str().expect("utf-8")),
    ]);

    // The kitchen starts (a bare push), then its metadata arrives; then the living room starts.
    for payload in [
        json!({"streamUrl": KITCHEN}),
        json!({"streamUrl": KITCHEN, "title": "So What", "artist": "Miles Davis", "album": "Kind of Blue", "imageUrl": null}),
        json!({"streamUrl": LIVING, "playerId": "Living Room"}),
    ] {
        let answer = push_as_music_assistant(&bridge, &payload).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with(r#"{"status":"ok"}"#), "{answer}");
    }

    // The kitchen Echo played through the skill before: its token names its queue.
    let kitchen_token = "mas1:7e9dbed598d9b560:Kitchen%20Echo";
    let (kitchen, logs) = invoke(
        &bridge,
        &play_request("amzn1.ask.device.AKITCHEN", Some(kitchen_token)),
    );
    let (url, title) = played(&kitchen);
    assert_eq!(
        url,
        "https://ma.example.net/flow/3f9c1a2b/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3"
    );
    assert_eq!(title, "So What");
    assert!(
        logs.contains("queue=\"Kitchen Echo\" queue_rule=token stream_slot=\"player\""),
        "{logs}"
    );

    // The living room Echo never played through the skill: DEVICE_PLAYERS names its player.
    let (living, logs) = invoke(&bridge, &play_request(LIVING_DEVICE, None));
    let (url, _) = played(&living);
    assert_eq!(
        url,
        "https://ma.example.net/flow/77aa0133/Living%20Room/c0ffee.mp3"
    );
    assert!(
        logs.contains("queue_rule=device_players stream_slot=\"player\""),
        "{logs}"
    );

    // An Echo the skill knows nothing about gets the latest of all.
    let (other, logs) = invoke(&bridge, &play_request("amzn1.ask.device.AOTHER", None));
    assert_eq!(
        played(&other).0,
        "https://ma.example.net/flow/77aa0133/Living%20Room/c0ffee.mp3"
    );
    assert!(logs.contains("stream_slot=\"latest\""), "{logs}");

    // The kitchen's next stream is queued after its own, whatever the living room does.
    let answer = push_as_music_assistant(&bridge, &json!({"streamUrl": KITCHEN_NEXT})).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let playing = kitchen["response"]["directives"][0]["audioItem"]["stream"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let mut nearly_finished = event("playback_nearly_finished");
    nearly_finished["request"]["token"] = json!(playing);
    nearly_finished["context"]["AudioPlayer"]["token"] = json!(playing);
    let (enqueued, _) = invoke(&bridge, &nearly_finished);
    let directive = &enqueued["response"]["directives"][0];
    assert_eq!(directive["playBehavior"], "ENQUEUE");
    assert_eq!(
        directive["audioItem"]["stream"]["url"],
        "https://ma.example.net/flow/3f9c1a2b/Kitchen%20Echo/2c3f88/Kitchen%20Echo.mp3"
    );

    // A player the bridge has nothing for falls back to the latest of all.
    let (bedroom, logs) = invoke(
        &bridge,
        &play_request(
            "amzn1.ask.device.ABEDROOM",
            Some("mas1:0123456789abcdef:Bedroom"),
        ),
    );
    assert_eq!(
        played(&bedroom).0,
        "https://ma.example.net/flow/3f9c1a2b/Kitchen%20Echo/2c3f88/Kitchen%20Echo.mp3"
    );
    assert!(logs.contains("stream_slot=\"latest_fallback\""), "{logs}");
    assert!(!logs.contains(PASSWORD));
}

/// The README's "With a local bridge": the sample push, then the sample resume request,
/// which resumes where the device's token says it stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_readme_local_run_resumes_the_sample_stream() {
    let dir = TempDir::new("readme-local-run");
    let state = dir.path().join("state.json");
    let bridge = BridgeProcess::start(&[("BRIDGE_STATE_FILE", state.to_str().expect("utf-8"))]);
    let sample = std::fs::read(common::events_dir().join("bridge/push-url.json")).expect("sample");
    let pushed = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .post(format!("{}/ma/push-url", bridge.base))
        .header("content-type", "application/json")
        .body(sample)
        .send()
        .await
        .expect("answered");
    assert_eq!(pushed.status().as_u16(), 200);
    let output = Command::new(SKILL_BIN)
        .args(["invoke", "events/resume_intent.json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_clear()
        .env("API_HOSTNAME", &bridge.base)
        .env("MA_HOSTNAME", MA_HOSTNAME)
        .output()
        .expect("the skill runs");
    assert!(output.status.success(), "{output:?}");
    let response: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let stream = &response["response"]["directives"][0]["audioItem"]["stream"];
    assert_eq!(
        stream["url"],
        "https://ma.example.net/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3"
    );
    assert_eq!(stream["offsetInMilliseconds"], 83_140);
}
