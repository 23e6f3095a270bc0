//! The real `ma-alexa-bridge` binary on 127.0.0.1: authentication, every bad input, per-player
//! storage, metadata re-pushes, persistence across a restart, `/alexa/intents` against the
//! models, concurrency, its logs, and the settings that stop it at start.

mod common;

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::bridge_process::{run_bridge, BridgeProcess, TempDir};
use ma_alexa_skill::bridge_server::intents::carrier;
use ma_alexa_skill::interaction_models::ModelLocale;
use ma_alexa_skill::speech::Language;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

const USER: &str = "music-assistant";
const PASSWORD: &str = "correct horse battery staple";
const KITCHEN: &str =
    "http://192.168.1.20:8097/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3";
const LIVING: &str = "http://192.168.1.20:8097/flow/77aa01/Living%20Room/c0ffee/Living%20Room.mp3";

/// A bridge with credentials and a state file in `dir`.
fn start(dir: &TempDir) -> BridgeProcess {
    let state = dir.path().join("state.json");
    BridgeProcess::start(&[
        ("BRIDGE_USERNAME", USER),
        ("BRIDGE_PASSWORD", PASSWORD),
        ("BRIDGE_STATE_FILE", state.to_str().expect("utf-8 path")),
    ])
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

async fn push(bridge: &BridgeProcess, body: Value) -> (u16, Value) {
    let response = client()
        .post(format!("{}/ma/push-url", bridge.base))
        .basic_auth(USER, Some(PASSWORD))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("answered");
    read(response).await
}

async fn get(bridge: &BridgeProcess, path_and_query: &str) -> (u16, Value) {
    let response = client()
        .get(format!("{}{path_and_query}", bridge.base))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .expect("answered");
    read(response).await
}

async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "every answer is JSON"
    );
    let body = response.bytes().await.expect("body");
    (status, serde_json::from_slice(&body).expect("JSON body"))
}

/// Sends raw bytes and returns the status and body of the answer.
async fn raw(bridge: &BridgeProcess, request: &[u8]) -> (u16, String) {
    let address = bridge.base.trim_start_matches("http://");
    let mut stream = TcpStream::connect(address).await.expect("connects");
    stream.write_all(request).await.expect("sent");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read");
    let text = String::from_utf8_lossy(&answer).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
    (status, body)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_but_health_needs_the_credentials() {
    let dir = TempDir::new("bridge-auth");
    let bridge = start(&dir);
    let http = client();
    for (method, path) in [
        ("POST", "/ma/push-url"),
        ("GET", "/ma/latest-url"),
        ("GET", "/alexa/intents"),
        ("GET", "/no-such-thing"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        for credentials in [None, Some((USER, "wrong")), Some(("someone", PASSWORD))] {
            let mut request = http.request(method.clone(), format!("{}{path}", bridge.base));
            if let Some((user, password)) = credentials {
                request = request.basic_auth(user, Some(password));
            }
            let response = request.send().await.expect("answered");
            assert_eq!(
                response.status().as_u16(),
                401,
                "{method} {path} {credentials:?}"
            );
            assert_eq!(
                response.headers()["www-authenticate"],
                "Basic realm=\"music-assistant-alexa-api\""
            );
        }
    }
    let health = http
        .get(format!("{}/healthz", bridge.base))
        .send()
        .await
        .expect("answered");
    let (status, body) = read(health).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({"status": "ok", "version": env!("CARGO_PKG_VERSION")}),
        "health reveals nothing but the version"
    );
    let (status, _) = get(&bridge, "/alexa/intents").await;
    assert_eq!(status, 200, "the right credentials pass");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_pushes_are_refused_by_name_and_change_nothing() {
    let dir = TempDir::new("bridge-bad-input");
    let bridge = start(&dir);
    let (status, _) = push(&bridge, json!({"streamUrl": KITCHEN, "title": "So What"})).await;
    assert_eq!(status, 200);
    let (_, before) = get(&bridge, "/ma/latest-url").await;

    let url = "http://192.168.1.20:8097/flow/s/Other/i/Other.mp3";
    let cases: Vec<(String, u16, &str)> = vec![
        ("not json".into(), 400, "not JSON"),
        ("".into(), 400, "not JSON"),
        ("[1, 2]".into(), 400, "JSON object"),
        (
            r#"{"title": "no stream"}"#.into(),
            400,
            "streamUrl is missing",
        ),
        (r#"{"streamUrl": null}"#.into(), 400, "streamUrl is missing"),
        (r#"{"streamUrl": 5}"#.into(), 400, "streamUrl must be"),
        (
            r#"{"streamUrl": "not a url"}"#.into(),
            400,
            "streamUrl must be",
        ),
        (
            r#"{"streamUrl": "file:///etc/passwd"}"#.into(),
            400,
            "streamUrl must be",
        ),
        // Issue 18: an encoded slash or backslash leaves the stream route once decoded.
        (
            r#"{"streamUrl": "http://192.168.1.20:8097/flow/..%2f..%2fadmin/x.mp3"}"#.into(),
            400,
            "streamUrl must be",
        ),
        (
            r#"{"streamUrl": "http://192.168.1.20:8097/flow/s/..%255c..%255cadmin/x.mp3"}"#.into(),
            400,
            "streamUrl must be",
        ),
        (
            format!(r#"{{"streamUrl": "{url}", "title": 3}}"#),
            400,
            "title must be",
        ),
        (
            format!(r#"{{"streamUrl": "{url}", "imageUrl": "cover.jpg"}}"#),
            400,
            "imageUrl must be",
        ),
        (
            format!(r#"{{"streamUrl": "{url}", "playerId": false}}"#),
            400,
            "playerId must be",
        ),
        (
            format!(
                r#"{{"streamUrl": "{url}", "title": "{}"}}"#,
                "x".repeat(20_000)
            ),
            413,
            "larger than 16384 bytes",
        ),
    ];
    for (body, want_status, want_error) in &cases {
        let response = client()
            .post(format!("{}/ma/push-url", bridge.base))
            .basic_auth(USER, Some(PASSWORD))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .expect("answered");
        let (status, answer) = read(response).await;
        let shown: String = body.chars().take(60).collect();
        assert_eq!(status, *want_status, "{shown}");
        let error = answer["error"].as_str().unwrap_or_default();
        assert!(error.contains(want_error), "{shown}: {error}");
    }
    // A body larger than the cap, sent in chunks without a declared length.
    let chunked = format!(
        "POST /ma/push-url HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5000\r\n{}\r\n0\r\n\r\n",
        basic_header(),
        "a".repeat(0x5000)
    );
    let (status, body) = raw(&bridge, chunked.as_bytes()).await;
    assert_eq!(status, 413, "{body}");

    let (_, after) = get(&bridge, "/ma/latest-url").await;
    assert_eq!(after, before, "refused pushes leave the state alone");
    let (status, _) = get(&bridge, "/ma/latest-url?playerId=Other").await;
    assert_eq!(status, 404);
}

fn basic_header() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_player_has_its_own_latest_stream() {
    let dir = TempDir::new("bridge-players");
    let bridge = start(&dir);
    let (status, body) = get(&bridge, "/ma/latest-url").await;
    assert_eq!(status, 404);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("Music Assistant")),
        "the 404 says what to do: {body}"
    );

    // The queue in the path names the player; playerId, when sent, wins.
    assert_eq!(push(&bridge, json!({"streamUrl": KITCHEN})).await.0, 200);
    let office = "http://192.168.1.20:8097/flow/ab12cd/office_queue/99/office_queue.mp3";
    assert_eq!(
        push(
            &bridge,
            json!({"streamUrl": office, "playerId": "Office Echo"})
        )
        .await
        .0,
        200
    );
    assert_eq!(push(&bridge, json!({"streamUrl": LIVING})).await.0, 200);

    let (_, kitchen) = get(&bridge, "/ma/latest-url?playerId=Kitchen%20Echo").await;
    assert_eq!(kitchen["streamUrl"], KITCHEN);
    let (_, living) = get(&bridge, "/ma/latest-url?playerId=Living+Room").await;
    assert_eq!(living["streamUrl"], LIVING);
    let (_, office_answer) = get(&bridge, "/ma/latest-url?playerId=Office%20Echo").await;
    assert_eq!(office_answer["streamUrl"], office);
    let (status, _) = get(&bridge, "/ma/latest-url?playerId=office_queue").await;
    assert_eq!(status, 404, "stored under playerId, not the queue id");
    let (_, latest) = get(&bridge, "/ma/latest-url").await;
    assert_eq!(latest["streamUrl"], LIVING, "the last new stream of all");
    let (_, blank) = get(&bridge, "/ma/latest-url?playerId=").await;
    assert_eq!(
        blank, latest,
        "an empty playerId asks for the latest of all"
    );
    assert_eq!(
        latest,
        json!({"streamUrl": LIVING, "title": null, "artist": null, "album": null, "imageUrl": null}),
        "exactly the Node bridge's five fields"
    );
    let (status, body) = get(&bridge, "/ma/latest-url?playerId=Bedroom").await;
    assert_eq!(status, 404);
    assert!(body["error"]
        .as_str()
        .is_some_and(|e| e.contains("'Bedroom'")));

    // A stream whose path names no queue goes to the shared slot and is the latest.
    let announcement = "http://192.168.1.20:8097/announcement/x.mp3";
    push(&bridge, json!({"streamUrl": announcement})).await;
    assert_eq!(
        get(&bridge, "/ma/latest-url").await.1["streamUrl"],
        announcement
    );
    assert_eq!(
        get(&bridge, "/ma/latest-url?playerId=Kitchen%20Echo")
            .await
            .1["streamUrl"],
        KITCHEN
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_metadata_repush_updates_the_players_stream_only() {
    let dir = TempDir::new("bridge-metadata");
    let bridge = start(&dir);
    push(&bridge, json!({"streamUrl": KITCHEN})).await;
    push(&bridge, json!({"streamUrl": LIVING})).await;
    // What Music Assistant sends when the track inside the kitchen's flow stream changes.
    let metadata = json!({
        "streamUrl": KITCHEN, "title": "So What", "artist": "Miles Davis",
        "album": "Kind of Blue", "imageUrl": "http://192.168.1.20:8095/imageproxy?path=x&size=256"
    });
    assert_eq!(push(&bridge, metadata.clone()).await.0, 200);
    let (_, kitchen) = get(&bridge, "/ma/latest-url?playerId=Kitchen%20Echo").await;
    assert_eq!(kitchen, metadata);
    let (_, latest) = get(&bridge, "/ma/latest-url").await;
    assert_eq!(
        latest["streamUrl"], LIVING,
        "new metadata is not a new stream"
    );
    // The next track: the same stream, other metadata; nulls clear.
    push(
        &bridge,
        json!({"streamUrl": KITCHEN, "title": "Freddie Freeloader", "imageUrl": null}),
    )
    .await;
    let (_, kitchen) = get(&bridge, "/ma/latest-url?playerId=Kitchen%20Echo").await;
    assert_eq!(kitchen["title"], "Freddie Freeloader");
    assert_eq!(kitchen["artist"], "Miles Davis", "fields left out are kept");
    assert_eq!(kitchen["imageUrl"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_loses_nothing() {
    let dir = TempDir::new("bridge-restart");
    let bridge = start(&dir);
    push(
        &bridge,
        json!({"streamUrl": KITCHEN, "title": "So What", "artist": "Miles Davis"}),
    )
    .await;
    push(
        &bridge,
        json!({"streamUrl": LIVING, "playerId": "Living Room"}),
    )
    .await;
    let queries = [
        "/ma/latest-url",
        "/ma/latest-url?playerId=Kitchen%20Echo",
        "/ma/latest-url?playerId=Living%20Room",
    ];
    let mut before = Vec::new();
    for q in queries {
        before.push(get(&bridge, q).await);
    }
    let (status, logs) = bridge.terminate();
    assert!(status.success(), "a clean stop: {status:?}\n{logs}");
    assert!(logs.contains("the state is on disk"), "{logs}");

    let again = start(&dir);
    for (q, want) in queries.iter().zip(&before) {
        assert_eq!(&get(&again, q).await, want, "{q} after a restart");
    }
    // New streams after the restart still count as newer than the ones before it.
    let next = KITCHEN.replace("1b2e77", "2c3f88");
    push(&again, json!({"streamUrl": next})).await;
    assert_eq!(
        get(&again, "/ma/latest-url").await.1["streamUrl"],
        next.as_str()
    );
}

/// Pushes `body` exactly as given (Music Assistant's provider sends Python's `json.dumps`
/// spacing, raw spaces in the URL).
async fn push_text(bridge: &BridgeProcess, body: &str) -> u16 {
    client()
        .post(format!("{}/ma/push-url", bridge.base))
        .basic_auth(USER, Some(PASSWORD))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .expect("answered")
        .status()
        .as_u16()
}

/// Issue 18: after "next", Music Assistant's Alexa provider pushes the previous flow URL with the
/// new title (its metadata push), in the same millisecond as the new stream's push. In this
/// order the bridge used to take it for a new stream and the Echo replayed the previous track.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_late_push_of_the_previous_stream_never_becomes_the_latest() {
    let dir = TempDir::new("bridge-late-push");
    let bridge = start(&dir);
    let old = "http://192.168.1.20:8097/flow/3f9c1a/Kitchen Echo/1b2e77/Kitchen Echo.flac";
    let new = "http://192.168.1.20:8097/flow/77aa01/Kitchen Echo/c0ffee/Kitchen Echo.flac";
    let play = |url: &str| format!(r#"{{"streamUrl": "{url}"}}"#);
    let metadata = |url: &str, title: &str| {
        format!(
            r#"{{"streamUrl": "{url}", "title": "{title}", "artist": "Miles Davis", "album": "Kind of Blue", "imageUrl": "http://192.168.1.20:8095/imageproxy?path=%2Fcovers%2Fkob.jpg&size=256"}}"#
        )
    };
    assert_eq!(push_text(&bridge, &play(old)).await, 200);
    assert_eq!(push_text(&bridge, &metadata(old, "So What")).await, 200);
    assert_eq!(push_text(&bridge, &play(new)).await, 200);
    // The late one: the old URL, the new track's title. Still a 200: the provider raises on
    // anything else.
    assert_eq!(
        push_text(&bridge, &metadata(old, "Freddie Freeloader")).await,
        200
    );
    let current =
        json!({"streamUrl": new, "title": null, "artist": null, "album": null, "imageUrl": null});
    for query in ["/ma/latest-url", "/ma/latest-url?playerId=Kitchen%20Echo"] {
        assert_eq!(get(&bridge, query).await, (200, current.clone()), "{query}");
    }
    // The new stream's own metadata push lands as before.
    push_text(&bridge, &metadata(new, "Freddie Freeloader")).await;
    let (_, latest) = get(&bridge, "/ma/latest-url").await;
    assert_eq!(
        (latest["streamUrl"].as_str(), latest["title"].as_str()),
        (Some(new), Some("Freddie Freeloader"))
    );

    // What the slot has moved on from survives a restart.
    let (status, logs) = bridge.terminate();
    assert!(status.success(), "{logs}");
    assert!(
        logs.contains("ignored a push of a stream this player has already moved on from"),
        "{logs}"
    );
    let again = start(&dir);
    push_text(&again, &metadata(old, "Blue in Green")).await;
    let (_, latest) = get(&again, "/ma/latest-url").await;
    assert_eq!(
        (latest["streamUrl"].as_str(), latest["title"].as_str()),
        (Some(new), Some("Freddie Freeloader")),
        "after a restart"
    );
    // Newer providers name the player and may skip the speech; the rule is the same.
    let third = "http://192.168.1.20:8097/flow/9d8e7f/Kitchen Echo/beef01/Kitchen Echo.flac";
    let newer_play = format!(
        r#"{{"streamUrl": "{third}", "title": "Blue in Green", "artist": "Miles Davis", "album": "Kind of Blue", "imageUrl": null, "playerId": "Kitchen Echo", "canSkipSpeech": true}}"#
    );
    assert_eq!(push_text(&again, &newer_play).await, 200);
    push_text(&again, &metadata(new, "Blue in Green")).await;
    let (_, latest) = get(&again, "/ma/latest-url").await;
    assert_eq!(latest["streamUrl"], third);
}

/// Issue 18: a hand-edited `seq` of `u64::MAX` made the next push wrap (release) or panic
/// (debug), and the plain latest went back to the older stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hand_edited_sequence_number_cannot_turn_the_latest_back() {
    let dir = TempDir::new("bridge-seq");
    let file = json!({"format": 1, "streams": [
        {"playerId": "Kitchen Echo", "seq": u64::MAX, "pushedAt": 1_700_000_000, "streamUrl": KITCHEN},
    ]});
    std::fs::write(dir.path().join("state.json"), file.to_string()).expect("written");
    let bridge = start(&dir);
    assert_eq!(get(&bridge, "/ma/latest-url").await.1["streamUrl"], KITCHEN);
    let office = "http://192.168.1.20:8097/flow/ab12cd/Office/99/Office.mp3";
    for url in [LIVING, office] {
        assert_eq!(push(&bridge, json!({"streamUrl": url})).await.0, 200);
        assert_eq!(get(&bridge, "/ma/latest-url").await.1["streamUrl"], url);
    }
    let (status, logs) = bridge.terminate();
    assert!(status.success(), "{logs}");
    let again = start(&dir);
    assert_eq!(get(&again, "/ma/latest-url").await.1["streamUrl"], office);
    assert_eq!(
        get(&again, "/ma/latest-url?playerId=Kitchen%20Echo")
            .await
            .1["streamUrl"],
        KITCHEN
    );
}

/// Issue 18: a symbolic link at `state.json.tmp` had its target overwritten, and `state.json`
/// became that link.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_at_the_temporary_name_is_never_followed() {
    let dir = TempDir::new("bridge-tmp-link");
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "precious").expect("victim");
    let state = dir.path().join("state.json");
    let temporary = dir.path().join("state.json.tmp");
    std::os::unix::fs::symlink(&victim, &temporary).expect("link");
    let bridge = start(&dir);
    assert_eq!(push(&bridge, json!({"streamUrl": KITCHEN})).await.0, 200);
    // The write happens right after the push, in the background; a stop writes what is left.
    let (status, logs) = bridge.terminate();
    assert!(status.success(), "{logs}");

    assert_eq!(
        std::fs::read_to_string(&victim).expect("victim"),
        "precious"
    );
    let kind = std::fs::symlink_metadata(&state)
        .expect("state file")
        .file_type();
    assert!(kind.is_file(), "the state file is a plain file: {kind:?}");
    let saved: Value =
        serde_json::from_slice(&std::fs::read(&state).expect("state")).expect("JSON");
    assert_eq!(saved["streams"][0]["streamUrl"], KITCHEN);
    assert!(
        std::fs::symlink_metadata(&temporary).is_err(),
        "nothing left at the temporary name"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corrupt_state_file_is_set_aside_and_the_bridge_starts_empty() {
    let dir = TempDir::new("bridge-corrupt");
    let state = dir.path().join("state.json");
    std::fs::write(&state, b"{\"format\": 1, \"streams\": [tru").expect("written");
    let bridge = start(&dir);
    let (status, _) = get(&bridge, "/ma/latest-url").await;
    assert_eq!(status, 404, "started empty");
    assert!(
        bridge.logs().contains("the state file is not usable"),
        "{}",
        bridge.logs()
    );
    assert!(
        dir.path().join("state.json.corrupt").exists(),
        "kept for inspection"
    );
    push(&bridge, json!({"streamUrl": KITCHEN})).await;
    let (status, _) = bridge.terminate();
    assert!(status.success());
    let saved: Value =
        serde_json::from_slice(&std::fs::read(&state).expect("rewritten")).expect("valid JSON");
    assert_eq!(saved["streams"][0]["streamUrl"], KITCHEN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_in_flight_finishes_when_the_bridge_is_stopped() {
    let dir = TempDir::new("bridge-graceful");
    let bridge = start(&dir);
    let body = format!(r#"{{"streamUrl": "{KITCHEN}"}}"#);
    let head = format!(
        "POST /ma/push-url HTTP/1.1\r\nHost: x\r\nAuthorization: Basic {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        basic_header(),
        body.len()
    );
    let address = bridge.base.trim_start_matches("http://").to_owned();
    let mut stream = TcpStream::connect(&address).await.expect("connects");
    stream.write_all(head.as_bytes()).await.expect("head sent");
    stream
        .write_all(&body.as_bytes()[..10])
        .await
        .expect("part sent");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let stopping = tokio::task::spawn_blocking(move || bridge.terminate());
    tokio::time::sleep(Duration::from_millis(300)).await;
    stream
        .write_all(&body.as_bytes()[10..])
        .await
        .expect("rest sent");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.expect("answered");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let (status, logs) = stopping.await.expect("joined");
    assert!(status.success(), "{logs}");
    let saved = std::fs::read_to_string(dir.path().join("state.json")).expect("saved");
    assert!(
        saved.contains("Kitchen%20Echo"),
        "the push made in the stop is on disk"
    );
}

/// A client that holds `count` connections to the bridge from `source` without ever sending a
/// byte, and opens a new one whenever the bridge closes one: issue 18's hostile client (which
/// reopened each connection the 10 s header timeout closed). It waits 250 ms before reopening:
/// the bridge now closes a silent connection each time another needs its room, and reopening at
/// once would only measure how fast two processes can trade connections on a busy machine. It
/// runs on a thread and runtime of its own, as a client on another machine would, so its
/// hundreds of tasks do not slow down the test's own requests.
struct SilentFlood {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SilentFlood {
    /// Starts it, and returns once `count` connections have been made.
    async fn start(bridge: &BridgeProcess, source: Ipv4Addr, count: usize) -> Self {
        let target: SocketAddr = bridge
            .base
            .trim_start_matches("http://")
            .parse()
            .expect("address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready, flooding) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let made = Arc::new(AtomicUsize::new(0));
                for _ in 0..count {
                    let made = Arc::clone(&made);
                    tokio::spawn(async move {
                        loop {
                            let socket = TcpSocket::new_v4().expect("socket");
                            // 127.0.0.0/8 is loopback on Linux: another client address.
                            socket
                                .bind(SocketAddr::new(IpAddr::V4(source), 0))
                                .expect("bound to the source address");
                            if let Ok(mut stream) = socket.connect(target).await {
                                made.fetch_add(1, Ordering::Relaxed);
                                let mut byte = [0u8; 1];
                                // Held until the bridge closes it.
                                let _ = stream.read(&mut byte).await;
                            }
                            tokio::time::sleep(Duration::from_millis(250)).await;
                        }
                    });
                }
                while made.load(Ordering::Relaxed) < count {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
                let _ = ready.send(());
                // Until the flood is dropped; the runtime's end closes every connection.
                let _ = stopped.await;
            });
        });
        tokio::time::timeout(Duration::from_secs(20), flooding)
            .await
            .expect("the flood's connections were made in time")
            .expect("the flood runs");
        Self {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for SilentFlood {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Sends `count` requests from 127.0.0.1, each on a new connection, while `bridge` is flooded;
/// returns how many were answered 200 within 5 s each.
async fn answered_during_a_flood(bridge: &BridgeProcess, count: usize) -> usize {
    let http = reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    let mut answered = 0;
    for _ in 0..count {
        let response = http
            .get(format!("{}/ma/latest-url", bridge.base))
            .basic_auth(USER, Some(PASSWORD))
            .send()
            .await;
        match response {
            Ok(r) if r.status() == 200 => answered += 1,
            other => eprintln!("not answered: {other:?}"),
        }
    }
    answered
}

/// Issue 18: one client holding 256 silent connections (and reopening each one the header
/// timeout closed) kept another client at 0 of 30 requests.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_from_one_address_cannot_lock_out_another() {
    let dir = TempDir::new("bridge-flood-other");
    let bridge = start(&dir);
    push(&bridge, json!({"streamUrl": KITCHEN})).await;
    let flood = SilentFlood::start(&bridge, Ipv4Addr::new(127, 0, 0, 2), 300).await;
    assert_eq!(answered_during_a_flood(&bridge, 30).await, 30);
    drop(flood);
    let (_, logs) = bridge.terminate();
    let lines: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("connection limits reached"))
        .collect();
    assert!(
        (1..=3).contains(&lines.len()),
        "logged, but not once per connection: {lines:?}"
    );
    assert!(
        lines.iter().any(|l| l.contains("127.0.0.2")),
        "the log names the client: {lines:?}"
    );
}

/// The same flood from the address the requests come from (as when a reverse proxy fronts the
/// bridge): silent connections give way to ones that send a request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn silent_connections_cannot_lock_out_a_client_on_the_same_address() {
    let dir = TempDir::new("bridge-flood-same");
    let bridge = start(&dir);
    push(&bridge, json!({"streamUrl": KITCHEN})).await;
    let flood = SilentFlood::start(&bridge, Ipv4Addr::LOCALHOST, 300).await;
    assert_eq!(answered_during_a_flood(&bridge, 30).await, 30);
    drop(flood);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn intents_for_every_locale_are_the_models_own_phrases() {
    let dir = TempDir::new("bridge-intents");
    let bridge = start(&dir);
    for locale in ModelLocale::all() {
        let (status, answer) = get(&bridge, &format!("/alexa/intents?locale={locale}")).await;
        assert_eq!(status, 200, "{locale}");
        let file = format!(
            "{}/skill-package/interactionModels/custom/{locale}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let model: Value =
            serde_json::from_str(&std::fs::read_to_string(&file).expect("model")).expect("JSON");
        let language_model = &model["interactionModel"]["languageModel"];
        let invocation = language_model["invocationName"]
            .as_str()
            .expect("invocation");
        let wanted: Vec<Value> = language_model["intents"]
            .as_array()
            .expect("intents")
            .iter()
            .filter(|i| i["samples"].as_array().is_some_and(|s| !s.is_empty()))
            .map(|i| json!({"intent": i["name"], "utterances": i["samples"]}))
            .collect();
        let language = Language::of_locale(Some(locale.as_str()));
        assert_eq!(
            answer,
            json!({
                "locale": locale.as_str(),
                "invocationName": carrier(language, invocation),
                "intents": wanted,
            }),
            "{locale}"
        );
    }
    // The locale setting is the default, and Music Assistant's exact sentences come out.
    let (_, english) = get(&bridge, "/alexa/intents").await;
    let first = |answer: &Value, intent: &str| {
        let utterance = answer["intents"]
            .as_array()
            .and_then(|all| all.iter().find(|i| i["intent"] == intent))
            .and_then(|i| i["utterances"][0].as_str())
            .unwrap_or_default()
            .to_owned();
        format!(
            "{} {utterance}",
            answer["invocationName"].as_str().unwrap_or_default()
        )
    };
    assert_eq!(
        first(&english, "AMAZON.PauseIntent"),
        "ask music assistant to pause"
    );
    assert_eq!(
        first(&english, "AMAZON.ResumeIntent"),
        "ask music assistant to resume"
    );
    assert_eq!(
        first(&english, "AMAZON.StopIntent"),
        "ask music assistant to stop"
    );
    assert_eq!(
        first(&english, "PlayAudioIntent"),
        "ask music assistant to play audio"
    );
    let german = BridgeProcess::start(&[
        ("BRIDGE_LOCALE", "de-DE"),
        (
            "BRIDGE_STATE_FILE",
            dir.path().join("de.json").to_str().expect("utf-8"),
        ),
    ]);
    let (status, answer) = read(
        client()
            .get(format!("{}/alexa/intents", german.base))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        first(&answer, "AMAZON.PauseIntent"),
        "sag music assistant pause"
    );
    let (status, answer) = get(&bridge, "/alexa/intents?locale=xx-XX").await;
    assert_eq!(status, 400);
    assert!(answer["error"]
        .as_str()
        .is_some_and(|e| e.contains("en-US")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_clients_at_once_each_keep_their_own_stream() {
    let dir = TempDir::new("bridge-concurrency");
    let bridge = start(&dir);
    let http = client();
    let mut clients = Vec::new();
    for n in 0..50 {
        let http = http.clone();
        let base = bridge.base.clone();
        clients.push(tokio::spawn(async move {
            let player = format!("Echo {n}");
            let mut last = String::new();
            for round in 0..20 {
                last = format!(
                    "http://10.0.0.2:8097/flow/s{round}/Echo%20{n}/i{round}/Echo%20{n}.mp3"
                );
                let pushed = http
                    .post(format!("{base}/ma/push-url"))
                    .basic_auth(USER, Some(PASSWORD))
                    .header("content-type", "application/json")
                    .body(json!({"streamUrl": last}).to_string())
                    .send()
                    .await
                    .expect("answered");
                assert_eq!(pushed.status().as_u16(), 200);
                let response = http
                    .get(format!("{base}/ma/latest-url"))
                    .query(&[("playerId", &player)])
                    .basic_auth(USER, Some(PASSWORD))
                    .send()
                    .await
                    .expect("answered");
                let (_, read) = read(response).await;
                assert_eq!(
                    read["streamUrl"],
                    last.as_str(),
                    "{player} reads its own push"
                );
            }
            (player, last)
        }));
    }
    let mut wanted = BTreeMap::new();
    for client in clients {
        let (player, last) = client.await.expect("client finished");
        wanted.insert(player, last);
    }
    for (player, last) in &wanted {
        let (_, read) = get(
            &bridge,
            &format!("/ma/latest-url?playerId={}", player.replace(' ', "%20")),
        )
        .await;
        assert_eq!(read["streamUrl"], last.as_str(), "{player}");
    }
    let (status, logs) = bridge.terminate();
    assert!(status.success(), "{logs}");
    let saved: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("state.json")).expect("saved"))
            .expect("JSON");
    assert_eq!(
        saved["streams"].as_array().map(Vec::len),
        Some(50),
        "every player on disk"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_log_line_per_request_and_never_a_credential() {
    let dir = TempDir::new("bridge-logs");
    let bridge = start(&dir);
    push(&bridge, json!({"streamUrl": KITCHEN})).await;
    get(&bridge, "/ma/latest-url?playerId=Kitchen%20Echo").await;
    let refused = client()
        .get(format!("{}/ma/latest-url", bridge.base))
        .basic_auth(USER, Some("a wrong password"))
        .send()
        .await
        .expect("answered");
    assert_eq!(refused.status().as_u16(), 401);
    client()
        .get(format!("{}/healthz", bridge.base))
        .send()
        .await
        .expect("answered");
    let (_, logs) = bridge.terminate();
    let lines: Vec<&str> = logs.lines().filter(|l| l.contains(" request ")).collect();
    assert_eq!(
        lines.len(),
        3,
        "push, read and refusal; health checks only at debug:\n{logs}"
    );
    assert!(lines[0].contains("method=\"POST\"") && lines[0].contains("path=\"/ma/push-url\""));
    assert!(lines[0].contains("status=200") && lines[0].contains("player=\"Kitchen Echo\""));
    assert!(lines[1].contains("method=\"GET\"") && lines[1].contains("player=\"Kitchen Echo\""));
    assert!(lines[2].contains("status=401") && lines[2].contains("WARN"));
    assert!(lines.iter().all(|l| l.contains("ms=")));
    for secret in [
        PASSWORD,
        "a wrong password",
        &basic_header(),
        "Authorization",
        "authorization",
    ] {
        assert!(!logs.contains(secret), "{secret:?} in the logs:\n{logs}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_for_containers() {
    let dir = TempDir::new("bridge-json-logs");
    let bridge = BridgeProcess::start(&[
        ("BRIDGE_LOG_FORMAT", "json"),
        (
            "BRIDGE_STATE_FILE",
            dir.path().join("s.json").to_str().expect("utf-8"),
        ),
    ]);
    client()
        .get(format!("{}/ma/latest-url", bridge.base))
        .send()
        .await
        .expect("answered");
    let (_, logs) = bridge.terminate();
    let request: Value = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .find(|l| l["message"] == "request")
        .unwrap_or_else(|| panic!("a JSON request line in:\n{logs}"));
    assert_eq!(request["status"], 404);
    assert_eq!(request["path"], "/ma/latest-url");
}

#[test]
fn invalid_settings_stop_the_bridge_naming_them() {
    for (envs, named) in [
        (vec![("BRIDGE_LISTEN", "localhost:5000")], "BRIDGE_LISTEN"),
        (vec![("BRIDGE_USERNAME", "alexa")], "BRIDGE_PASSWORD"),
        (vec![("BRIDGE_LOCALE", "tlh-KX")], "BRIDGE_LOCALE"),
        (vec![("BRIDGE_LOG_FORMAT", "yaml")], "BRIDGE_LOG_FORMAT"),
        (
            vec![("PASSWORD", "from the node bridge")],
            "BRIDGE_PASSWORD",
        ),
    ] {
        let output = run_bridge(&[], &envs);
        assert_eq!(output.status.code(), Some(2), "{envs:?}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(
            message.starts_with("ma-alexa-bridge: ") && message.contains(named),
            "{envs:?}: {message}"
        );
        assert!(!message.contains("from the node bridge"), "{message}");
    }
}

#[test]
fn a_port_in_use_is_reported_and_stops_the_bridge() {
    let dir = TempDir::new("bridge-port-taken");
    let state = dir.path().join("s.json");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = taken.local_addr().expect("address").to_string();
    let output = run_bridge(
        &[],
        &[
            ("BRIDGE_LISTEN", address.as_str()),
            ("BRIDGE_STATE_FILE", state.to_str().expect("utf-8")),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let message = String::from_utf8_lossy(&output.stderr);
    assert!(
        message.contains("cannot listen on") && message.contains("BRIDGE_LISTEN"),
        "{message}"
    );
}

#[test]
fn healthcheck_asks_the_running_bridge() {
    let dir = TempDir::new("bridge-healthcheck");
    let bridge = BridgeProcess::start(&[(
        "BRIDGE_STATE_FILE",
        dir.path().join("s.json").to_str().expect("utf-8"),
    )]);
    let listen = bridge.base.trim_start_matches("http://").to_owned();
    let ok = run_bridge(&["healthcheck"], &[("BRIDGE_LISTEN", listen.as_str())]);
    assert!(ok.status.success(), "{ok:?}");
    drop(bridge);
    let gone = run_bridge(&["healthcheck"], &[("BRIDGE_LISTEN", listen.as_str())]);
    assert_eq!(gone.status.code(), Some(1), "{gone:?}");
    assert!(String::from_utf8_lossy(&gone.stderr).contains("no answer from"));
}
