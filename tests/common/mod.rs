//! Shared test parts: a real HTTP server on 127.0.0.1 standing in for the bridge, settings
//! aimed at it, the sample events, and a summary of a response's shape.
#![allow(dead_code)] // each test binary uses its own subset

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub mod aws;
pub mod bridge_process;
pub mod page;
pub mod public;
pub mod signing;
pub mod tls;

use ma_alexa_skill::settings::Settings;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The stream the test bridge holds, as Music Assistant would push it.
pub const CURRENT_STREAM: &str =
    "http://192.168.1.20:8097/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3";
/// That stream on the public host the tests configure.
pub const CURRENT_PUBLIC: &str =
    "https://ma.example.net/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3";
/// The token the skill gives that stream (the events use it in `context.AudioPlayer`).
pub const CURRENT_TOKEN: &str = "mas1:0919b3fbf99e9937:Kitchen%20Echo";
/// The token of an older stream on the same queue (the events use it too).
pub const OLDER_TOKEN: &str = "mas1:7e9dbed598d9b560:Kitchen%20Echo";
/// The skill id in every sample event.
pub const SKILL_ID: &str = "amzn1.ask.skill.7c1e9d2a-3b4f-4c5d-8e6f-0a1b2c3d4e5f";
/// The public stream host the tests configure.
pub const MA_HOSTNAME: &str = "ma.example.net";

/// The bridge's reply with [`CURRENT_STREAM`] and full metadata.
pub fn current_reply() -> String {
    serde_json::json!({
        "streamUrl": CURRENT_STREAM,
        "title": "So What",
        "artist": "Miles Davis",
        "album": "Kind of Blue",
        "imageUrl": "http://192.168.1.20:8095/imageproxy?path=%2Fmedia%2Fkind_of_blue.jpg&size=512",
        "version": 12,
        "timestamp": 1_764_093_845.2
    })
    .to_string()
}

/// The stream Music Assistant pushes after a `play_media` in [`home`].
pub const NEXT_STREAM: &str =
    "http://192.168.1.20:8097/flow/77e1aa/Kitchen%20Echo/9c0d11/Kitchen%20Echo.mp3";
/// That stream on the public host.
pub const NEXT_PUBLIC: &str =
    "https://ma.example.net/flow/77e1aa/Kitchen%20Echo/9c0d11/Kitchen%20Echo.mp3";

/// The bridge's reply with [`NEXT_STREAM`].
pub fn next_reply() -> String {
    serde_json::json!({
        "streamUrl": NEXT_STREAM, "title": "Blue in Green", "artist": "Miles Davis",
        "album": "Kind of Blue", "imageUrl": null
    })
    .to_string()
}

/// A home as the tests see it: the real bridge holding [`CURRENT_STREAM`], and a healthy Music
/// Assistant that, like the real one, pushes [`NEXT_STREAM`] to it after `play_media` and
/// `play_index` ([`bridge_process::RealHome`]).
pub async fn home() -> (bridge_process::HomeBridge, Stub) {
    let home = bridge_process::RealHome::start(healthy_music_assistant).await;
    (home.bridge, home.ma)
}

/// One request the stub server received.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`…
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Seen {
    /// The path without its query.
    pub fn path_only(&self) -> &str {
        self.path.split('?').next().unwrap_or("")
    }

    /// The decoded value of a query parameter.
    pub fn query(&self, name: &str) -> Option<String> {
        let (_, query) = self.path.split_once('?')?;
        url::form_urlencoded::parse(query.as_bytes())
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.into_owned())
    }
}

/// How the stub answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A status and a JSON (or any) body.
    Status(u16, String),
    /// The same, after a delay.
    Slow(Duration, u16, String),
    /// A status, extra headers and a body.
    WithHeaders(u16, Vec<(String, String)>, String),
    /// A status line and headers, then the connection closes mid-body.
    Truncated,
    /// Bytes that are not HTTP at all.
    NotHttp,
}

impl Reply {
    /// `200` with `body`.
    pub fn ok(body: impl Into<String>) -> Self {
        Self::Status(200, body.into())
    }
}

type Responder = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A real HTTP/1.1 server on 127.0.0.1 that records what it receives.
pub struct Stub {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Stub {
    /// Starts a server answering every request through `responder`.
    pub async fn spawn(responder: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("local addr");
        assert!(addr.ip().is_loopback(), "test servers stay on loopback");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let responder: Responder = Arc::new(responder);
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let responder = Arc::clone(&responder);
                let log = Arc::clone(&log);
                tokio::spawn(serve(socket, responder, log));
            }
        });
        Self { addr, seen }
    }

    /// A bridge whose `GET /ma/latest-url` answers `reply` whatever the query (as the Node bridge
    /// does: it ignores `?playerId=`); any other path gets 404.
    pub async fn bridge(reply: Reply) -> Self {
        Self::spawn(move |seen| {
            if seen.method == "GET" && seen.path_only() == "/ma/latest-url" {
                reply.clone()
            } else {
                Reply::Status(404, r#"{"error":"no such endpoint"}"#.into())
            }
        })
        .await
    }

    /// A Music Assistant whose `POST /api` answers through `reply`, called with the command
    /// and its args; any other path gets 404.
    pub async fn music_assistant(
        reply: impl Fn(&str, &Value) -> Reply + Send + Sync + 'static,
    ) -> Self {
        Self::spawn(move |seen| {
            if seen.method != "POST" || seen.path != "/api" {
                return Reply::Status(404, "Not Found".into());
            }
            match serde_json::from_slice::<Value>(&seen.body) {
                Ok(body) => reply(body["command"].as_str().unwrap_or(""), &body["args"]),
                Err(_) => Reply::Status(400, "Invalid JSON".into()),
            }
        })
        .await
    }

    /// The JSON-RPC calls received, as `(command, args, authorization header)`.
    pub fn rpc_calls(&self) -> Vec<(String, Value, Option<String>)> {
        self.seen()
            .into_iter()
            .filter(|s| s.path == "/api")
            .map(|s| {
                let body: Value = serde_json::from_slice(&s.body).unwrap_or(Value::Null);
                (
                    body["command"].as_str().unwrap_or("").to_owned(),
                    body["args"].clone(),
                    s.headers.get("authorization").cloned(),
                )
            })
            .collect()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request received so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }

    /// How many requests arrived.
    pub fn count(&self) -> usize {
        self.seen.lock().expect("lock").len()
    }
}

async fn serve(mut socket: TcpStream, responder: Responder, log: Arc<Mutex<Vec<Seen>>>) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap_or("").split(' ');
    let method = request_line.next().unwrap_or("").to_owned();
    let path = request_line.next().unwrap_or("").to_owned();
    let headers: HashMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        match socket.read(&mut chunk).await {
            Ok(0) | Err(_) => break,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let seen = Seen {
        method,
        path,
        headers,
        body,
    };
    let reply = responder(&seen);
    log.lock().expect("lock").push(seen);
    let bytes = match reply {
        Reply::Status(status, body) => response(status, &[], &body),
        Reply::WithHeaders(status, headers, body) => response(status, &headers, &body),
        Reply::Slow(delay, status, body) => {
            tokio::time::sleep(delay).await;
            response(status, &[], &body)
        }
        Reply::Truncated => {
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{\"streamUrl\":"
                .to_vec()
        }
        Reply::NotHttp => b"SSH-2.0-OpenSSH_9.6\r\n".to_vec(),
    };
    let _ = socket.write_all(&bytes).await;
    let _ = socket.shutdown().await;
}

fn response(status: u16, extra: &[(String, String)], body: &str) -> Vec<u8> {
    let reason = match status {
        200 => "OK",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        _ => "Status",
    };
    let mut headers = String::new();
    if status == 401 {
        headers.push_str("WWW-Authenticate: Basic realm=\"music-assistant-alexa-api\"\r\n");
    }
    for (name, value) in extra {
        headers.push_str(&format!("{name}: {value}\r\n"));
    }
    format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Log output captured in memory, for asserting what the owner would read.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Everything written so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("lock")).into_owned()
    }
}

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("lock").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Routes this thread's logs, filtered by `filter`, into memory in `format`, through the same
/// subscriber set-up `main` uses. Every test that asserts on logs installs one for its whole
/// run: tracing caches per-callsite interest across threads.
pub fn capture(
    filter: &str,
    format: ma_alexa_skill::logging::LogFormat,
) -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber =
        ma_alexa_skill::logging::subscriber(Some(filter), format, move || writer.clone());
    (captured, tracing::subscriber::set_default(subscriber))
}

/// Serves `bridge` (this project's bridge, in process) on 127.0.0.1; its `http://` base.
pub async fn serve_bridge(
    bridge: std::sync::Arc<ma_alexa_skill::bridge_server::routes::Bridge>,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(ma_alexa_skill::bridge_server::server::serve(
        listener,
        bridge,
        std::future::pending(),
    ));
    base
}

/// A loopback address where nothing listens.
pub async fn closed_port_base() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    format!("http://{addr}")
}

/// The service's answer to `event` with `settings`, within Alexa's budget, as JSON.
pub async fn answer_with(settings: Settings, event: Value) -> Value {
    answer_within(settings, event, ma_alexa_skill::deadline::Deadline::local()).await
}

/// The same with a deadline of the test's choice.
pub async fn answer_within(
    settings: Settings,
    event: Value,
    deadline: ma_alexa_skill::deadline::Deadline,
) -> Value {
    let response = ma_alexa_skill::service::Service::new(settings)
        .answer(event, deadline)
        .await
        .unwrap_or_else(|e| panic!("refused: {e}"));
    serde_json::to_value(&response).expect("serializes")
}

/// Settings from `pairs`, nothing from the process environment.
pub fn settings(pairs: &[(&str, &str)]) -> Settings {
    let map: HashMap<String, String> = pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Settings::from_lookup(|name| map.get(name).cloned())
}

/// The Music Assistant token the tests configure.
pub const MA_TOKEN: &str = "eyJhbGciOiJIUzI1NiJ9.test-long-lived-token.signature";

/// The queue of the Echo in the sample events.
pub const QUEUE: &str = "Kitchen Echo";

/// A Music Assistant reply that `music-assistant-models` generated: the body of
/// tests/fixtures/ma/`name`.json (made by `scripts/ma-fixtures`; add one there).
pub fn ma_fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ma")
        .join(format!("{name}.json"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The same as JSON, to pick from or change.
pub fn ma_json(name: &str) -> Value {
    serde_json::from_str(&ma_fixture(name)).expect("a generated fixture is JSON")
}

/// `200` with the generated reply `name`.
pub fn ma_reply(name: &str) -> Reply {
    Reply::ok(ma_fixture(name))
}

/// A Music Assistant that knows [`QUEUE`] (current item 3 of 12: "So What") and the home's
/// players (the Kitchen Echo plays), finds what [`search_results`] finds and three favourite
/// songs, and answers every other command with `null`. Every reply is generated.
pub fn healthy_music_assistant(command: &str, args: &Value) -> Reply {
    match command {
        "player_queues/get" if args["queue_id"] == QUEUE => ma_reply("queue_kitchen_echo"),
        "player_queues/get" => Reply::ok("null"),
        "players/all" => ma_reply("players_all_home"),
        "music/search" => Reply::ok(search_results(args).to_string()),
        // A library and a streaming provider that suggests similar tracks (radio mode works).
        "providers" => ma_reply("providers_streaming_similar_tracks"),
        "music/tracks/library_items" => ma_reply("library_tracks_favorites"),
        _ => Reply::ok("null"),
    }
}

/// What Music Assistant finds, whatever the query (the generated `search_kind_of_blue`): near
/// duplicates (a legacy edition, the same album from a streaming provider and in the library,
/// a same-named album by another artist), non-library items first; the lists of media types
/// not asked for (`media_types`) are empty, as Music Assistant sends them.
pub fn search_results(args: &Value) -> Value {
    let mut found = ma_json("search_kind_of_blue");
    let types = [
        ("artists", "artist"),
        ("albums", "album"),
        ("genres", "genre"),
        ("tracks", "track"),
        ("playlists", "playlist"),
        ("radio", "radio"),
        ("audiobooks", "audiobook"),
        ("podcasts", "podcast"),
        ("sound_effects", "sound_effect"),
    ];
    for (key, media_type) in types {
        let wanted = args["media_types"]
            .as_array()
            .is_none_or(|asked| asked.iter().any(|t| t == media_type));
        if !wanted {
            found[key] = serde_json::json!([]);
        }
    }
    found
}

/// Settings aimed at `bridge_base` and a Music Assistant at `ma_base`, with the test skill id,
/// public host and token.
pub fn settings_with_ma(bridge_base: &str, ma_base: &str) -> Settings {
    settings(&[
        ("API_HOSTNAME", bridge_base),
        ("MA_HOSTNAME", MA_HOSTNAME),
        ("SKILL_ID", SKILL_ID),
        ("MA_API_URL", ma_base),
        ("MA_API_TOKEN", MA_TOKEN),
    ])
}

/// [`settings_with_ma`] plus `DEVICE_PLAYERS` (device id → Music Assistant player, as JSON).
pub fn settings_with_devices(bridge_base: &str, ma_base: &str, device_players: &str) -> Settings {
    settings(&[
        ("API_HOSTNAME", bridge_base),
        ("MA_HOSTNAME", MA_HOSTNAME),
        ("SKILL_ID", SKILL_ID),
        ("MA_API_URL", ma_base),
        ("MA_API_TOKEN", MA_TOKEN),
        ("DEVICE_PLAYERS", device_players),
    ])
}

/// Settings aimed at `bridge_base`, with the test skill id and public host.
pub fn settings_for(bridge_base: &str) -> Settings {
    settings(&[
        ("API_HOSTNAME", bridge_base),
        ("MA_HOSTNAME", MA_HOSTNAME),
        ("SKILL_ID", SKILL_ID),
    ])
}

/// The `events/` folder.
pub fn events_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("events")
}

/// Every sample event, by file stem, sorted.
pub fn all_events() -> Vec<(String, Value)> {
    let mut events: Vec<(String, Value)> = std::fs::read_dir(events_dir())
        .expect("events/ exists")
        .map(|entry| entry.expect("dir entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "json"))
        .map(|path| {
            let stem = path
                .file_stem()
                .expect("stem")
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&path).expect("readable");
            let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{stem}: {e}"));
            (stem, value)
        })
        .collect();
    events.sort_by(|a, b| a.0.cmp(&b.0));
    events
}

/// One sample event by file stem.
pub fn event(stem: &str) -> Value {
    let path = events_dir().join(format!("{stem}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("valid JSON")
}

/// What a response does, in the terms the tests assert.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The directive types.
    pub directives: Vec<String>,
    /// `playBehavior` of a Play.
    pub behavior: Option<String>,
    /// `offsetInMilliseconds` of a Play.
    pub offset: Option<u64>,
    /// `expectedPreviousToken` of a Play.
    pub expected_previous: Option<String>,
    /// Whether there is `outputSpeech`.
    pub speech: bool,
    /// Whether there is a `reprompt`.
    pub reprompt: bool,
    /// `shouldEndSession`, if present.
    pub end: Option<bool>,
}

impl Shape {
    /// The shape of a response envelope.
    pub fn of(response: &Value) -> Self {
        let r = &response["response"];
        let directives: Vec<Value> = r["directives"].as_array().cloned().unwrap_or_default();
        let play = directives.iter().find(|d| d["type"] == "AudioPlayer.Play");
        Self {
            directives: directives
                .iter()
                .map(|d| d["type"].as_str().unwrap_or("?").to_owned())
                .collect(),
            behavior: play
                .and_then(|p| p["playBehavior"].as_str())
                .map(str::to_owned),
            offset: play.and_then(|p| p["audioItem"]["stream"]["offsetInMilliseconds"].as_u64()),
            expected_previous: play
                .and_then(|p| p["audioItem"]["stream"]["expectedPreviousToken"].as_str())
                .map(str::to_owned),
            speech: r.get("outputSpeech").is_some(),
            reprompt: r.get("reprompt").is_some(),
            end: r.get("shouldEndSession").and_then(Value::as_bool),
        }
    }

    /// An empty response.
    pub fn empty() -> Self {
        Self {
            directives: vec![],
            behavior: None,
            offset: None,
            expected_previous: None,
            speech: false,
            reprompt: false,
            end: None,
        }
    }

    /// A `REPLACE_ALL` Play from `offset`.
    pub fn play(offset: u64, end: Option<bool>) -> Self {
        Self {
            directives: vec!["AudioPlayer.Play".into()],
            behavior: Some("REPLACE_ALL".into()),
            offset: Some(offset),
            end,
            ..Self::empty()
        }
    }

    /// An `ENQUEUE` Play after `expected_previous`.
    pub fn enqueue(expected_previous: &str) -> Self {
        Self {
            directives: vec!["AudioPlayer.Play".into()],
            behavior: Some("ENQUEUE".into()),
            offset: Some(0),
            expected_previous: Some(expected_previous.into()),
            ..Self::empty()
        }
    }

    /// A Stop.
    pub fn stop(end: Option<bool>) -> Self {
        Self {
            directives: vec!["AudioPlayer.Stop".into()],
            end,
            ..Self::empty()
        }
    }

    /// Speech that closes the session.
    pub fn say() -> Self {
        Self {
            speech: true,
            end: Some(true),
            ..Self::empty()
        }
    }

    /// Speech with a reprompt, session open.
    pub fn ask() -> Self {
        Self {
            speech: true,
            reprompt: true,
            end: Some(false),
            ..Self::empty()
        }
    }

    /// No speech, session closed.
    pub fn end_session() -> Self {
        Self {
            end: Some(true),
            ..Self::empty()
        }
    }
}

/// The spoken text of a response, if any.
pub fn speech_text(response: &Value) -> Option<String> {
    response["response"]["outputSpeech"]["text"]
        .as_str()
        .map(str::to_owned)
}

/// Checks Alexa's rules for any response: what each request type may answer with (speech, cards,
/// reprompts and `shouldEndSession` only for launch and intent requests; nothing at all for
/// `PlaybackStopped`, exceptions and session ends; `expectedPreviousToken` only with `ENQUEUE`;
/// a Play ends a voice session; under 24 KB).
pub fn assert_contract(request_type: &str, response: &Value, what: &str) {
    assert_eq!(response["version"], "1.0", "{what}: version");
    let r = response["response"]
        .as_object()
        .unwrap_or_else(|| panic!("{what}: no response object"));
    let directives = r
        .get("directives")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    assert!(
        directives.len() <= 1,
        "{what}: one AudioPlayer directive at most"
    );
    for d in &directives {
        let t = d["type"].as_str().unwrap_or("");
        assert!(
            t.starts_with("AudioPlayer."),
            "{what}: unexpected directive {t}"
        );
        let stream = &d["audioItem"]["stream"];
        if t == "AudioPlayer.Play" {
            let url = stream["url"].as_str().unwrap_or("");
            assert!(url.starts_with("https://"), "{what}: stream url {url}");
            assert!(url.len() <= 8000, "{what}: url too long");
            let token = stream["token"].as_str().unwrap_or("");
            assert!(
                !token.is_empty() && token.len() <= 1024,
                "{what}: token {token}"
            );
            let enqueue = d["playBehavior"] == "ENQUEUE";
            assert_eq!(
                stream.get("expectedPreviousToken").is_some(),
                enqueue,
                "{what}: expectedPreviousToken only with ENQUEUE"
            );
        }
    }
    let voice = matches!(request_type, "LaunchRequest" | "IntentRequest");
    if !voice {
        for key in ["outputSpeech", "card", "reprompt", "shouldEndSession"] {
            assert!(
                !r.contains_key(key),
                "{what}: {request_type} answered with {key}"
            );
        }
    }
    let silent_only = matches!(
        request_type,
        "AudioPlayer.PlaybackStopped" | "System.ExceptionEncountered" | "SessionEndedRequest"
    ) || request_type.starts_with("AlexaSkillEvent.");
    if silent_only {
        assert!(
            r.is_empty(),
            "{what}: {request_type} must get an empty response, got {r:?}"
        );
    }
    if matches!(
        request_type,
        "AudioPlayer.PlaybackStarted" | "AudioPlayer.PlaybackFinished"
    ) {
        assert!(
            directives.iter().all(|d| d["type"] != "AudioPlayer.Play"),
            "{what}: no Play in answer to {request_type}"
        );
    }
    if directives.iter().any(|d| d["type"] == "AudioPlayer.Play") && voice {
        assert_eq!(
            r.get("shouldEndSession"),
            Some(&Value::Bool(true)),
            "{what}: Play ends the session"
        );
    }
    let size = serde_json::to_string(response).expect("serializes").len();
    assert!(size < 24 * 1024, "{what}: response is {size} bytes");
}
