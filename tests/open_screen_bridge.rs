//! Open-screen mode on the real `ma-alexa-bridge` binary, on 127.0.0.1. The test plays both
//! sides: Music Assistant's Alexa provider (its play push, metadata push and `POST /ma/control`,
//! with the exact bodies its tests send: music-assistant/server,
//! tests/providers/alexa/test_open_screen.py) and the skill's page (its beats, `POST /ma/screen`
//! with the bridge's Basic credentials). Each of Music Assistant's tests has its counterpart here,
//! seen from the bridge: what the provider reads in each answer is what decides whether it
//! speaks. Last, the Lambda skill's client (`BridgeClient::beat`) against the same binary.

mod common;

use std::time::{Duration, Instant};

use common::bridge_process::{BridgeProcess, TempDir};
use ma_alexa_skill::bridge::screen::{BeatRequest, PageCommand, BEAT_EVERY, LIVE_FOR};
use ma_alexa_skill::bridge::{BridgeClient, BridgeError, StreamSource};
use ma_alexa_skill::deadline::Deadline;
use serde_json::{json, Value};

const USER: &str = "music-assistant";
const PASSWORD: &str = "open screen battery staple";
const PLAYER_ID: &str = "Kitchen Echo";
/// What the provider's stream resolver returns in its tests.
const STREAM: &str = "http://ma/flow/1.mp3";
/// Music Assistant waits this long for a push's answer, and this long for a control's.
const MA_PUSH_TIMEOUT: Duration = Duration::from_secs(10);
const MA_CONTROL_TIMEOUT: Duration = Duration::from_secs(5);
/// Well under any hand-off wait: an answer that comes this fast did not wait for a page.
const FAST: Duration = Duration::from_millis(1500);

/// The provider's play push for `title`, byte for byte as its tests see it.
fn play_push(title: &str) -> String {
    format!(
        r#"{{"streamUrl": "{STREAM}", "title": "{title}", "artist": null, "album": null, "imageUrl": null, "playerId": "{PLAYER_ID}", "canSkipSpeech": true}}"#
    )
}

/// Its metadata push, about a second later: no playerId, no canSkipSpeech.
fn metadata_push(title: &str) -> String {
    format!(
        r#"{{"streamUrl": "{STREAM}", "title": "{title}", "artist": "Miles Davis", "album": "Kind of Blue", "imageUrl": null}}"#
    )
}

/// Its `POST /ma/control` body.
fn control_body(command: &str) -> String {
    format!(r#"{{"playerId": "{PLAYER_ID}", "command": "{command}", "canSkipSpeech": true}}"#)
}

/// A bridge with credentials and its state in `dir`, open-screen mode `on` or not.
fn start(dir: &TempDir, open_screen: bool) -> BridgeProcess {
    let state = dir.path().join("state.json");
    BridgeProcess::start(&[
        ("BRIDGE_USERNAME", USER),
        ("BRIDGE_PASSWORD", PASSWORD),
        ("BRIDGE_STATE_FILE", state.to_str().expect("utf-8 path")),
        ("OPEN_SCREEN", if open_screen { "true" } else { "false" }),
    ])
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// An answer: its status, its body (every one a JSON object, as Music Assistant parses it) and
/// how long it took.
#[derive(Debug)]
struct Answer {
    status: u16,
    body: Value,
    took: Duration,
}

impl Answer {
    /// The `pageLive` the provider reads, if the key is there.
    fn page_live(&self) -> Option<bool> {
        self.body.get("pageLive").map(|v| {
            v.as_bool()
                .unwrap_or_else(|| panic!("pageLive is a boolean: {}", self.body))
        })
    }
}

async fn post(bridge: &BridgeProcess, path: &str, body: String) -> Answer {
    let started = Instant::now();
    let response = client()
        .post(format!("{}{path}", bridge.base))
        .basic_auth(USER, Some(PASSWORD))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("answered");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response.bytes().await.expect("body");
    let took = started.elapsed();
    assert_eq!(
        headers.get("content-type").and_then(|v| v.to_str().ok()),
        Some("application/json"),
        "{path}"
    );
    let body: Value = serde_json::from_slice(&bytes).expect("a JSON body");
    assert!(
        body.is_object(),
        "{path}: every answer is a JSON object: {body}"
    );
    if path == "/ma/screen" && status == 200 {
        assert_eq!(
            headers.get("cache-control").and_then(|v| v.to_str().ok()),
            Some("no-store")
        );
    }
    Answer { status, body, took }
}

async fn push(bridge: &BridgeProcess, body: String) -> Answer {
    post(bridge, "/ma/push-url", body).await
}

async fn control(bridge: &BridgeProcess, command: &str) -> Answer {
    post(bridge, "/ma/control", control_body(command)).await
}

/// The page: it beats for [`PLAYER_ID`] and remembers the last command it carried out.
struct Page<'b> {
    bridge: &'b BridgeProcess,
    taken: Option<u64>,
}

impl<'b> Page<'b> {
    fn new(bridge: &'b BridgeProcess) -> Self {
        Self {
            bridge,
            taken: None,
        }
    }

    /// One beat; the bridge's answer, parsed as the wire contract says.
    async fn beat(&self) -> Vec<PageCommand> {
        self.beat_reply(false).await.0
    }

    async fn beat_reply(&self, closing: bool) -> (Vec<PageCommand>, Value) {
        let beat = BeatRequest {
            player_id: PLAYER_ID.into(),
            taken: self.taken,
            closing,
        };
        let answer = post(
            self.bridge,
            "/ma/screen",
            serde_json::to_string(&beat).expect("serialises"),
        )
        .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        let reply: ma_alexa_skill::bridge::screen::BeatReply =
            serde_json::from_value(answer.body.clone()).expect("a BeatReply");
        (reply.commands, answer.body)
    }

    /// Beats (quickly, not every 3 s) until a command comes; panics after `within`.
    async fn until_command(&self, within: Duration) -> Vec<PageCommand> {
        let started = Instant::now();
        loop {
            let commands = self.beat().await;
            if !commands.is_empty() {
                return commands;
            }
            assert!(started.elapsed() < within, "no command within {within:?}");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Carries out `command`: the next beat reports it.
    fn carry_out(&mut self, command: &PageCommand) {
        self.taken = Some(command.seq());
    }
}

fn spawn_post(
    bridge: &BridgeProcess,
    path: &'static str,
    body: String,
) -> tokio::task::JoinHandle<Answer> {
    let base = bridge.base.clone();
    tokio::spawn(async move {
        let started = Instant::now();
        let response = client()
            .post(format!("{base}{path}"))
            .basic_auth(USER, Some(PASSWORD))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("answered");
        let status = response.status().as_u16();
        let body: Value =
            serde_json::from_slice(&response.bytes().await.expect("body")).expect("a JSON body");
        assert!(body.is_object(), "{path}: {body}");
        Answer {
            status,
            body,
            took: started.elapsed(),
        }
    })
}

/// test_old_skill_gets_voice_commands_as_before: a bridge without the mode answers pushes
/// without `pageLive` (so the provider keeps speaking and never calls /ma/control), and the
/// control endpoint is not there (test_failed_control_request_is_spoken: a non-2xx answer).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_the_mode_off_music_assistant_sees_an_old_skill() {
    let dir = TempDir::new("open-screen-off");
    let bridge = start(&dir, false);
    let answer = push(&bridge, play_push("t")).await;
    assert_eq!((answer.status, answer.body), (200, json!({"status": "ok"})));
    for command in ["pause", "resume"] {
        let answer = control(&bridge, command).await;
        assert_eq!(answer.status, 404, "{command}");
        let error = answer.body["error"].as_str().expect("an error");
        assert!(error.contains("OPEN_SCREEN=true"), "{error}");
        assert_eq!(answer.page_live(), None);
    }
    // A page cannot beat either.
    let answer = post(
        &bridge,
        "/ma/screen",
        json!({"playerId": PLAYER_ID}).to_string(),
    )
    .await;
    assert_eq!(answer.status, 404);
    // And the push is stored as always.
    let latest = client()
        .get(format!(
            "{}/ma/latest-url?playerId=Kitchen%20Echo",
            bridge.base
        ))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .await
        .expect("answered");
    let latest: Value = serde_json::from_slice(&latest.bytes().await.expect("body")).expect("JSON");
    assert_eq!(latest["streamUrl"], STREAM);
    let logs = bridge.logs_with(&["open_screen=\"off\""], Duration::from_secs(5));
    assert!(logs.contains("open_screen=\"off\""), "{logs}");
}

/// test_new_track_goes_to_the_open_screen: the page beats, gets the play command with the
/// pushed stream, carries it out; the push answers `pageLive: true`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_track_goes_to_the_live_page() {
    let dir = TempDir::new("open-screen-play");
    let bridge = start(&dir, true);
    let mut page = Page::new(&bridge);
    assert!(page.beat().await.is_empty());
    let pushed = spawn_post(&bridge, "/ma/push-url", play_push("t"));
    let commands = page.until_command(Duration::from_secs(3)).await;
    let [PageCommand::Play { seq, stream }] = commands.as_slice() else {
        panic!("one play: {commands:?}");
    };
    assert_eq!(stream.stream_url.as_deref(), Some(STREAM));
    assert_eq!(stream.title.as_deref(), Some("t"));
    // The seq counter started at the bridge's start, in Unix milliseconds.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("after 1970")
        .as_millis();
    assert!(u128::from(*seq) > now_ms - 600_000 && u128::from(*seq) <= now_ms);
    page.carry_out(&commands[0]);
    let (left, body) = page.beat_reply(false).await;
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(body["now"]["streamUrl"], STREAM);
    let answer = pushed.await.expect("joined");
    assert_eq!(
        (answer.status, answer.body),
        (200, json!({"status": "ok", "pageLive": true}))
    );
    assert!(answer.took < MA_PUSH_TIMEOUT);
    let logs = bridge.logs_with(&["open-screen hand-off"], Duration::from_secs(5));
    let line = logs
        .lines()
        .find(|l| l.contains("open-screen hand-off"))
        .unwrap_or_else(|| panic!("a hand-off line: {logs}"));
    for field in [
        "player=\"Kitchen Echo\"",
        "command=\"play\"",
        &format!("seq={seq}"),
        "taken=true",
        "wait_ms=",
    ] {
        assert!(line.contains(field), "{field}: {line}");
    }
    assert!(!logs.contains(PASSWORD), "{logs}");
}

/// test_new_track_without_open_screen_is_spoken: no page, `pageLive: false`, at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_live_page_the_answer_is_false_at_once() {
    let dir = TempDir::new("open-screen-none");
    let bridge = start(&dir, true);
    let answer = push(&bridge, play_push("t")).await;
    assert_eq!(
        (answer.status, &answer.body),
        (200, &json!({"status": "ok", "pageLive": false}))
    );
    assert!(answer.took < FAST, "{:?}", answer.took);
    for command in ["pause", "resume"] {
        let answer = control(&bridge, command).await;
        assert_eq!(answer.status, 200);
        assert_eq!(answer.page_live(), Some(false), "{command}");
        assert!(answer.took < FAST, "{:?}", answer.took);
    }
    // Another player's page changes nothing for this one.
    let other = BeatRequest {
        player_id: "Living Room".into(),
        taken: None,
        closing: false,
    };
    post(
        &bridge,
        "/ma/screen",
        serde_json::to_string(&other).expect("JSON"),
    )
    .await;
    assert_eq!(push(&bridge, play_push("t")).await.page_live(), Some(false));
}

/// test_pause_resume_go_to_the_open_screen: after a track the page took, pause and resume reach
/// the page and answer `pageLive: true`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume_reach_the_live_page() {
    let dir = TempDir::new("open-screen-controls");
    let bridge = start(&dir, true);
    let mut page = Page::new(&bridge);
    page.beat().await;
    let pushed = spawn_post(&bridge, "/ma/push-url", play_push("t"));
    let play = page.until_command(Duration::from_secs(3)).await;
    page.carry_out(&play[0]);
    page.beat().await;
    assert_eq!(pushed.await.expect("joined").page_live(), Some(true));
    let mut last = play[0].seq();
    for (command, want) in [("pause", "pause"), ("resume", "resume")] {
        let sent = spawn_post(&bridge, "/ma/control", control_body(command));
        let commands = page.until_command(Duration::from_secs(3)).await;
        let json = serde_json::to_value(&commands).expect("JSON");
        assert_eq!(json.as_array().map(Vec::len), Some(1), "{json}");
        assert_eq!(json[0]["command"], want);
        assert!(commands[0].seq() > last, "seq grows: {json}");
        last = commands[0].seq();
        page.carry_out(&commands[0]);
        assert!(page.beat().await.is_empty());
        let answer = sent.await.expect("joined");
        assert_eq!(
            (answer.status, answer.body.clone()),
            (200, json!({"status": "ok", "pageLive": true})),
            "{command}"
        );
        assert!(answer.took < MA_CONTROL_TIMEOUT);
    }
}

/// test_pause_after_screen_closed_is_spoken: once the page says it is closing, a pause answers
/// `pageLive: false` at once, and nothing waits for the page any more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_page_closed_a_pause_is_spoken() {
    let dir = TempDir::new("open-screen-closed");
    let bridge = start(&dir, true);
    let mut page = Page::new(&bridge);
    page.beat().await;
    let pushed = spawn_post(&bridge, "/ma/push-url", play_push("t"));
    let play = page.until_command(Duration::from_secs(3)).await;
    page.carry_out(&play[0]);
    page.beat().await;
    assert_eq!(pushed.await.expect("joined").page_live(), Some(true));
    let (left, _) = page.beat_reply(true).await;
    assert!(left.is_empty());
    let answer = control(&bridge, "pause").await;
    assert_eq!(
        (answer.status, &answer.body),
        (200, &json!({"status": "ok", "pageLive": false}))
    );
    assert!(answer.took < FAST, "{:?}", answer.took);
    // A page closing while a hand-off waits for it ends that hand-off at once too.
    page.beat().await;
    let sent = spawn_post(&bridge, "/ma/control", control_body("resume"));
    page.until_command(Duration::from_secs(3)).await;
    page.beat_reply(true).await;
    let answer = sent.await.expect("joined");
    assert_eq!(answer.page_live(), Some(false));
    assert!(answer.took < FAST, "{:?}", answer.took);
}

/// test_pause_during_new_track_reaches_the_skill_after_it: a pause sent while the next track's
/// push still waits for the page reaches the page only after the page took the track; both
/// answer `pageLive: true`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pause_during_a_new_track_reaches_the_page_after_it() {
    let dir = TempDir::new("open-screen-order");
    let bridge = start(&dir, true);
    let mut page = Page::new(&bridge);
    page.beat().await;
    let first = spawn_post(&bridge, "/ma/push-url", play_push("t"));
    let play = page.until_command(Duration::from_secs(3)).await;
    page.carry_out(&play[0]);
    page.beat().await;
    assert_eq!(first.await.expect("joined").page_live(), Some(true));

    // The next track: its push waits for the page…
    let next_track = spawn_post(&bridge, "/ma/push-url", play_push("u"));
    let commands = page.until_command(Duration::from_secs(3)).await;
    let [PageCommand::Play { seq: track, stream }] = commands.as_slice() else {
        panic!("the next track first: {commands:?}");
    };
    let track = *track;
    assert_eq!(stream.title.as_deref(), Some("u"));
    // …while the pause comes in.
    let pause = spawn_post(&bridge, "/ma/control", control_body("pause"));
    tokio::time::sleep(Duration::from_millis(400)).await;
    for _ in 0..3 {
        let commands = page.beat().await;
        assert_eq!(
            commands.iter().map(PageCommand::seq).collect::<Vec<_>>(),
            [track],
            "only the track while it is not taken: {commands:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!pause.is_finished() && !next_track.is_finished());
    page.taken = Some(track);
    let commands = page.until_command(Duration::from_secs(3)).await;
    let [PageCommand::Pause { seq: paused }] = commands.as_slice() else {
        panic!("then the pause: {commands:?}");
    };
    assert!(*paused > track);
    let track_answer = next_track.await.expect("joined");
    assert_eq!(track_answer.page_live(), Some(true));
    assert!(
        !pause.is_finished(),
        "the pause waits until the page took it"
    );
    page.carry_out(&commands[0]);
    page.beat().await;
    let pause_answer = pause.await.expect("joined");
    assert_eq!(
        (pause_answer.status, pause_answer.body),
        (200, json!({"status": "ok", "pageLive": true}))
    );
}

/// test_failed_control_request_stops_further_tries: after a failed control the provider waits
/// for a push answered with a `pageLive` key. A control the bridge cannot take fails (non-2xx,
/// naming the field), and the next play push does carry the key.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_control_is_non_2xx_and_the_next_push_says_page_live() {
    let dir = TempDir::new("open-screen-failed");
    let bridge = start(&dir, true);
    for (body, field) in [
        (
            json!({"command": "pause", "canSkipSpeech": true}),
            "playerId",
        ),
        (
            json!({"playerId": PLAYER_ID, "command": "next", "canSkipSpeech": true}),
            "command",
        ),
    ] {
        let answer = post(&bridge, "/ma/control", body.to_string()).await;
        assert_eq!(answer.status, 400);
        assert!(
            answer.body["error"]
                .as_str()
                .is_some_and(|e| e.contains(field)),
            "{}",
            answer.body
        );
    }
    // Wrong credentials: 401, a JSON object too.
    let response = client()
        .post(format!("{}/ma/control", bridge.base))
        .basic_auth(USER, Some("wrong"))
        .body(control_body("pause"))
        .send()
        .await
        .expect("answered");
    assert_eq!(response.status().as_u16(), 401);
    let body: Value = serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON");
    assert!(body.is_object());
    let answer = push(&bridge, play_push("t")).await;
    assert_eq!(answer.page_live(), Some(false));
}

/// A metadata push never carries `pageLive`, even with a live page, and never reaches the page
/// as a command; the page sees its metadata in `now`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_metadata_push_never_says_page_live() {
    let dir = TempDir::new("open-screen-metadata");
    let bridge = start(&dir, true);
    let mut page = Page::new(&bridge);
    page.beat().await;
    let pushed = spawn_post(&bridge, "/ma/push-url", play_push("t"));
    let play = page.until_command(Duration::from_secs(3)).await;
    page.carry_out(&play[0]);
    page.beat().await;
    assert_eq!(pushed.await.expect("joined").page_live(), Some(true));
    let answer = push(&bridge, metadata_push("So What")).await;
    assert_eq!((answer.status, answer.body), (200, json!({"status": "ok"})));
    assert!(answer.took < FAST);
    let (commands, body) = page.beat_reply(false).await;
    assert!(commands.is_empty(), "{commands:?}");
    assert_eq!(body["now"]["title"], "So What");
    assert_eq!(body["now"]["artist"], "Miles Davis");
}

/// A beat's answer lost on the way: the page does not report the command and beats again, gets
/// the same command again, and the hand-off still succeeds once it reports it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_beat_answer_gets_the_same_command_again() {
    let dir = TempDir::new("open-screen-lost");
    let bridge = start(&dir, true);
    let mut page = Page::new(&bridge);
    page.beat().await;
    let pushed = spawn_post(&bridge, "/ma/push-url", play_push("t"));
    let lost = page.until_command(Duration::from_secs(3)).await;
    tokio::time::sleep(BEAT_EVERY).await;
    let again = page.beat().await;
    assert_eq!(again, lost);
    page.carry_out(&again[0]);
    assert!(page.beat().await.is_empty());
    let answer = pushed.await.expect("joined");
    assert_eq!(answer.page_live(), Some(true));
    assert!(answer.took < MA_PUSH_TIMEOUT);
}

/// A page that stops beating: a hand-off it never takes answers `false` well inside Music
/// Assistant's timeouts (a push in under 10 s, a control in under 5 s), the page is not live
/// after LIVE_FOR, and when it comes back it never gets what was spoken meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_stops_beating_is_let_go_and_never_plays_late() {
    let dir = TempDir::new("open-screen-gone");
    let bridge = start(&dir, true);
    let page = Page::new(&bridge);
    page.beat().await;
    let last_beat = Instant::now();

    let answer = push(&bridge, play_push("t")).await;
    assert_eq!(
        (answer.status, &answer.body),
        (200, &json!({"status": "ok", "pageLive": false}))
    );
    assert!(
        answer.took < MA_PUSH_TIMEOUT - Duration::from_secs(2),
        "{:?}",
        answer.took
    );
    assert!(answer.took >= Duration::from_secs(6), "{:?}", answer.took);

    // Still live (under LIVE_FOR since the beat): the pause waits for the page, then gives up.
    assert!(last_beat.elapsed() < LIVE_FOR);
    let answer = control(&bridge, "pause").await;
    assert_eq!(answer.page_live(), Some(false));
    assert!(
        answer.took < MA_CONTROL_TIMEOUT - Duration::from_millis(500),
        "{:?}",
        answer.took
    );

    // Past LIVE_FOR: not live, so no wait at all.
    if let Some(left) = LIVE_FOR.checked_sub(last_beat.elapsed()) {
        tokio::time::sleep(left + Duration::from_millis(100)).await;
    }
    let answer = control(&bridge, "resume").await;
    assert_eq!(answer.page_live(), Some(false));
    assert!(answer.took < FAST, "{:?}", answer.took);

    // The page comes back: nothing Music Assistant has spoken meanwhile is handed to it.
    assert!(page.beat().await.is_empty());
    bridge.logs_with(&["outcome=\"timed_out\""], Duration::from_secs(5));
    let logs = bridge.logs_with(&["outcome=\"not_live\""], Duration::from_secs(5));
    assert!(logs.contains("outcome=\"timed_out\""), "{logs}");
    assert!(logs.contains("outcome=\"not_live\""), "{logs}");
}

/// The Lambda skill's client against the real bridge: beats through `POST /ma/screen` with the
/// Basic credentials; wrong ones are `Unauthorized`; a bridge whose mode is off is its own kind.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skills_client_beats_through_the_bridge() {
    let dir = TempDir::new("open-screen-client");
    let on = start(&dir, true);
    let off_dir = TempDir::new("open-screen-client-off");
    let off = start(&off_dir, false);
    let bridge = |base: &str, password: &str| {
        common::settings(&[
            ("API_HOSTNAME", base),
            ("API_USERNAME", USER),
            ("API_PASSWORD", password),
        ])
        .bridge
        .expect("bridge settings")
    };
    let client = BridgeClient::new();
    let beat = BeatRequest {
        player_id: PLAYER_ID.into(),
        taken: None,
        closing: false,
    };

    let reply = client
        .beat(&bridge(&on.base, PASSWORD), &beat, Deadline::local())
        .await
        .expect("a beat");
    assert!(
        reply.commands.is_empty() && reply.now.is_none(),
        "{reply:?}"
    );

    let pushed = spawn_post(&on, "/ma/push-url", play_push("t"));
    let started = Instant::now();
    let reply = loop {
        let reply = client
            .beat(&bridge(&on.base, PASSWORD), &beat, Deadline::local())
            .await
            .expect("a beat");
        if !reply.commands.is_empty() {
            break reply;
        }
        assert!(started.elapsed() < Duration::from_secs(3));
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(
        reply.now.as_ref().and_then(|n| n.stream_url.as_deref()),
        Some(STREAM)
    );
    let taken = BeatRequest {
        taken: Some(reply.commands[0].seq()),
        ..beat.clone()
    };
    let reply = client
        .beat(&bridge(&on.base, PASSWORD), &taken, Deadline::local())
        .await
        .expect("a beat");
    assert!(reply.commands.is_empty());
    assert_eq!(pushed.await.expect("joined").page_live(), Some(true));

    let refused = client
        .beat(&bridge(&on.base, "wrong"), &beat, Deadline::local())
        .await
        .expect_err("wrong credentials");
    assert!(
        matches!(refused, BridgeError::Unauthorized { status: 401, .. }),
        "{refused:?}"
    );
    assert_eq!(refused.kind(), "bridge_unauthorized");

    let off_error = client
        .beat(&bridge(&off.base, PASSWORD), &beat, Deadline::local())
        .await
        .expect_err("the mode is off there");
    assert!(
        matches!(off_error, BridgeError::OpenScreenOff { .. }),
        "{off_error:?}"
    );
    assert_eq!(off_error.kind(), "bridge_open_screen_off");
    let text = off_error.to_string();
    assert!(text.contains("OPEN_SCREEN=true"), "{text}");
    assert!(!text.contains(PASSWORD) && !format!("{off_error:?}").contains(PASSWORD));
    // The same bridge still serves the latest stream: "nothing pushed" is another thing.
    let latest = client
        .latest(&bridge(&off.base, PASSWORD), None, Deadline::local())
        .await
        .expect_err("nothing pushed there");
    assert_eq!(latest.kind(), "bridge_nothing_pushed");
}
