//! Open-screen mode end to end: the skill's now-playing page on an Echo Show, against the real
//! `ma-alexa-bridge` binary, on both paths: the skill served inside the bridge (`POST
//! /alexa/skill`, requests signed as Alexa signs them), and the skill as in Lambda ([`Service`]
//! with its HTTP bridge client, Basic credentials, `POST /ma/screen`). Music Assistant is a stub
//! on 127.0.0.1 for queue commands; its pushes and controls go to the bridge as it sends them.
//!
//! Every answer to the page is held to Alexa's rules for it ([`PageAnswers`]) and read through
//! Amazon's model classes (ask-sdk-model) by `scripts/check-alexa-responses`.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::bridge_process::{BridgeProcess, TempDir};
use common::page::*;
use common::signing::{rfc3339, ChainHost};
use common::*;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::service::Service;
use serde_json::{json, Value};

const USER: &str = "music-assistant";
const PASSWORD: &str = "correct horse battery staple";

/// Where the skill runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Path {
    /// Inside the bridge (`BRIDGE_SKILL_ENDPOINT=true`): the beats are function calls.
    Home,
    /// In Lambda: the beats are `POST /ma/screen` on the bridge.
    Lambda,
}

const BOTH: [Path; 2] = [Path::Home, Path::Lambda];

/// A bridge, the skill, and Music Assistant.
struct Home {
    bridge: BridgeProcess,
    /// The home path's chain host (signatures).
    chain: Option<ChainHost>,
    /// The Lambda path's skill.
    service: Option<Service>,
    ma: Stub,
    client: reqwest::Client,
    _dir: TempDir,
}

impl Home {
    /// The bridge with open-screen mode on, and the skill with `OPEN_SCREEN` = `skill_mode`
    /// (on the home path one setting turns on both, so `skill_mode` off turns off the bridge's
    /// too).
    async fn start(path: Path, skill_mode: bool) -> Self {
        let dir = TempDir::new("open-screen");
        let bridge_base = Arc::new(Mutex::new(None));
        let ma = pushing_music_assistant(Arc::clone(&bridge_base)).await;
        let state = dir.path().join("state.json").display().to_string();
        let mode = if skill_mode { "true" } else { "false" };
        let mut envs: Vec<(&str, String)> = vec![
            ("BRIDGE_USERNAME", USER.into()),
            ("BRIDGE_PASSWORD", PASSWORD.into()),
            ("BRIDGE_STATE_FILE", state),
        ];
        let mut chain = None;
        match path {
            Path::Home => {
                let host = ChainHost::start().await;
                envs.extend(host.bridge_env());
                envs.extend([
                    ("OPEN_SCREEN", mode.to_owned()),
                    ("BRIDGE_SKILL_ENDPOINT", "true".to_owned()),
                    ("SKILL_ID", SKILL_ID.to_owned()),
                    ("MA_HOSTNAME", MA_HOSTNAME.to_owned()),
                    ("MA_API_URL", ma.base()),
                    ("MA_API_TOKEN", MA_TOKEN.to_owned()),
                ]);
                chain = Some(host);
            }
            Path::Lambda => envs.push(("OPEN_SCREEN", "true".to_owned())),
        }
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let bridge = BridgeProcess::start(&envs);
        *bridge_base.lock().expect("lock") = Some(bridge.base.clone());
        let service = (path == Path::Lambda).then(|| {
            Service::new(settings(&[
                ("API_HOSTNAME", &bridge.base),
                ("API_USERNAME", USER),
                ("API_PASSWORD", PASSWORD),
                ("MA_HOSTNAME", MA_HOSTNAME),
                ("SKILL_ID", SKILL_ID),
                ("MA_API_URL", &ma.base()),
                ("MA_API_TOKEN", MA_TOKEN),
                ("OPEN_SCREEN", mode),
            ]))
        });
        let client = reqwest::Client::builder()
            .no_proxy()
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        Self {
            bridge,
            chain,
            service,
            ma,
            client,
            _dir: dir,
        }
    }

    /// The skill's answer to `event`, as Alexa would get it now.
    async fn ask(&self, mut event: Value) -> Value {
        event["request"]["timestamp"] = json!(rfc3339(SystemTime::now()));
        if let Some(service) = &self.service {
            let response = service
                .answer(event, Deadline::local())
                .await
                .unwrap_or_else(|e| panic!("refused: {e}"));
            return serde_json::to_value(&response).expect("serializes");
        }
        let chain = self.chain.as_ref().expect("the home path");
        let body = serde_json::to_vec(&event).expect("JSON");
        let mut request = self
            .client
            .post(format!("{}/alexa/skill", self.bridge.base))
            .header("content-type", "application/json")
            .body(body.clone());
        for (name, value) in chain.signed_headers(&body) {
            request = request.header(name, value);
        }
        let response = request.send().await.expect("answered");
        assert_eq!(response.status(), 200, "{}", self.bridge.logs());
        serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON")
    }

    /// `POST path` on the bridge as Music Assistant sends it; the JSON answer.
    fn post(&self, path: &str, body: Value) -> tokio::task::JoinHandle<Value> {
        let request = self
            .client
            .post(format!("{}{path}", self.bridge.base))
            .basic_auth(USER, Some(PASSWORD))
            .header("content-type", "application/json")
            .body(body.to_string());
        tokio::spawn(async move {
            let response = request.send().await.expect("answered");
            assert_eq!(response.status(), 200);
            serde_json::from_slice(&response.bytes().await.expect("body")).expect("JSON")
        })
    }

    /// Music Assistant's play push of `stream` for the Kitchen Echo (`can_skip_speech`: a
    /// Music Assistant that leaves its spoken command out when the page takes it).
    fn push(
        &self,
        stream: &str,
        title: &str,
        can_skip_speech: bool,
    ) -> tokio::task::JoinHandle<Value> {
        let mut body = json!({
            "streamUrl": stream,
            "title": title,
            "artist": "Miles Davis",
            "album": "Kind of Blue",
            "imageUrl": "http://192.168.1.20:8095/imageproxy?path=%2Fmedia%2Fkind_of_blue.jpg&size=512",
            "playerId": QUEUE,
        });
        if can_skip_speech {
            body["canSkipSpeech"] = json!(true);
        }
        self.post("/ma/push-url", body)
    }

    /// Music Assistant's pause or resume for the Kitchen Echo.
    fn control(&self, command: &str) -> tokio::task::JoinHandle<Value> {
        self.post(
            "/ma/control",
            json!({ "playerId": QUEUE, "command": command, "canSkipSpeech": true }),
        )
    }

    /// The bridge holds "So What", the page is open on the Show and has started it (a beat, and
    /// `started` for the opening stream).
    async fn page_playing(&self, answers: &mut PageAnswers) {
        self.push(CURRENT_STREAM, "So What", false)
            .await
            .expect("pushed");
        let opened = self.ask(on_a_show(event("play_audio_intent"))).await;
        answers.keeps(&opened, "the page opens");
        for arguments in [
            json!(["beat", -1, 0, SO_WHAT_KEY]),
            json!(["started", 0, -1, SO_WHAT_KEY]),
        ] {
            let answer = self.ask(page_event(arguments.clone())).await;
            answers.keeps(&answer, &format!("{arguments}"));
            assert_eq!(
                directive_types(&answer),
                Vec::<String>::new(),
                "{arguments}: {answer}"
            );
        }
    }

    /// Beats (the page has carried out `done`) until the bridge hands something over; that
    /// answer.
    async fn beat_until_handed(&self, done: i64, answers: &mut PageAnswers) -> Value {
        let started = Instant::now();
        loop {
            let answer = self
                .ask(page_event(json!(["beat", done, -1, SO_WHAT_KEY])))
                .await;
            answers.keeps(&answer, "a beat");
            if !directive_types(&answer).is_empty() {
                return answer;
            }
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "nothing handed to the page: {}",
                self.bridge.logs()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// A healthy Music Assistant ([`healthy_music_assistant`]) that, like the real one, pushes the
/// queue's new stream ([`NEXT_STREAM`]) to the bridge at `bridge_base` after `play_media` and
/// `play_index` (a push of an older Music Assistant: it speaks its command).
async fn pushing_music_assistant(bridge_base: Arc<Mutex<Option<String>>>) -> Stub {
    Stub::music_assistant(move |command, args| {
        if command == "player_queues/play_media" || command == "player_queues/play_index" {
            if let Some(base) = bridge_base.lock().expect("lock").clone() {
                let body = json!({
                    "streamUrl": NEXT_STREAM, "title": "Blue in Green", "artist": "Miles Davis",
                    "album": "Kind of Blue", "imageUrl": null, "playerId": QUEUE
                });
                tokio::spawn(async move {
                    let pushed = reqwest::Client::builder()
                        .no_proxy()
                        .build()
                        .expect("client")
                        .post(format!("{base}/ma/push-url"))
                        .basic_auth(USER, Some(PASSWORD))
                        .header("content-type", "application/json")
                        .body(body.to_string())
                        .send()
                        .await
                        .expect("pushed");
                    assert_eq!(pushed.status(), 200);
                });
            }
        }
        healthy_music_assistant(command, args)
    })
    .await
}

/// The commands of an `ExecuteCommands` answer, flattened (the skill's come in one Sequential).
fn commands(answer: &Value) -> Vec<Value> {
    let mut flat = Vec::new();
    for directive in answer["response"]["directives"]
        .as_array()
        .into_iter()
        .flatten()
    {
        for command in directive["commands"].as_array().into_iter().flatten() {
            match command["commands"].as_array() {
                Some(inner) => flat.extend(inner.iter().cloned()),
                None => flat.push(command.clone()),
            }
        }
    }
    flat
}

/// The value the page's `SetValue` of `property` sets, if the answer has one.
fn set_value(answer: &Value, property: &str) -> Option<Value> {
    commands(answer)
        .into_iter()
        .find(|c| c["type"] == "SetValue" && c["property"] == property)
        .map(|c| c["value"].clone())
}

/// The stream an answer hands to the page: its `seq` and public address.
fn handed(answer: &Value) -> Option<(u64, String)> {
    let seq = set_value(answer, "waiting")?.as_u64()?;
    let url = commands(answer)
        .into_iter()
        .find(|c| c["type"] == "PlayMedia")?["source"][0]["url"]
        .as_str()?
        .to_owned();
    Some((seq, url))
}

/// The `ControlMedia` commands of an answer.
fn media_controls(answer: &Value) -> Vec<String> {
    commands(answer)
        .into_iter()
        .filter(|c| c["type"] == "ControlMedia")
        .map(|c| c["command"].as_str().unwrap_or("?").to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_voice_play_on_a_capable_device_opens_the_page() {
    for path in BOTH {
        let mut answers = PageAnswers::new(&format!("opens-{path:?}"));
        let home = Home::start(path, true).await;
        home.push(CURRENT_STREAM, "So What", false)
            .await
            .expect("pushed");

        let opened = home.ask(on_a_show(event("play_audio_intent"))).await;
        answers.keeps(&opened, "play audio on a Show");
        assert_eq!(
            directive_types(&opened),
            ["Alexa.Presentation.APL.RenderDocument"],
            "{path:?}: {opened}"
        );
        let render = &opened["response"]["directives"][0];
        let page = &render["datasources"]["page"];
        assert_eq!(page["url"], CURRENT_PUBLIC, "{path:?}");
        assert_eq!(page["seq"], 0);
        assert_eq!(page["title"], "So What");
        assert_eq!(page["subtitle"], "Miles Davis – Kind of Blue");
        assert_eq!(
            page["art"],
            "https://ma.example.net/imageproxy?path=%2Fmedia%2Fkind_of_blue.jpg&size=512"
        );
        assert_eq!(page["key"], SO_WHAT_KEY);
        // The length of the current item, from Music Assistant's queue (its generated reply
        // says 562 s): the progress bar's scale.
        assert_eq!(page["durationMs"], 562_000, "{path:?}");
        assert_eq!(render["token"], PAGE_TOKEN);
        assert_eq!(
            render["document"]["mainTemplate"]["parameters"],
            json!(["page"])
        );
        assert_eq!(
            opened["sessionAttributes"],
            json!({ "page": { "player": QUEUE } })
        );

        // "Open Music Assistant" opens it too, and the Echo's own player, playing now, stops first.
        let mut launch = event("page/launch_on_a_show");
        launch["context"]["AudioPlayer"] = json!({
            "token": CURRENT_TOKEN, "offsetInMilliseconds": 5000, "playerActivity": "PLAYING"
        });
        let launched = home.ask(launch).await;
        answers.keeps(&launched, "launch on a Show while the AudioPlayer plays");
        assert_eq!(
            directive_types(&launched),
            ["AudioPlayer.Stop", "Alexa.Presentation.APL.RenderDocument"],
            "{path:?}: {launched}"
        );
        // A play by name keeps its words.
        let by_name = home.ask(on_a_show(event("play_media_intent"))).await;
        answers.keeps(&by_name, "play by name on a Show");
        assert_eq!(
            speech_text(&by_name).as_deref(),
            Some("Playing Kind of Blue by Miles Davis."),
            "{path:?}: {by_name}"
        );
        assert_eq!(
            directive_types(&by_name),
            ["Alexa.Presentation.APL.RenderDocument"],
            "{path:?}: {by_name}"
        );
        assert_eq!(
            by_name["response"]["directives"][0]["datasources"]["page"]["url"],
            NEXT_PUBLIC
        );
        answers.check_with_amazons_models();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_devices_and_the_mode_off_keep_the_audio_player_answers() {
    let no_codecs = |mut e: Value| {
        e = on_a_show(e);
        e["context"]["Viewport"]["video"] = json!({ "codecs": [] });
        e
    };
    let no_apl = |mut e: Value| {
        e = on_a_show(e);
        let interfaces = e["context"]["System"]["device"]["supportedInterfaces"]
            .as_object_mut()
            .expect("interfaces");
        interfaces.remove("Alexa.Presentation.APL");
        e
    };
    let old_apl = |mut e: Value| {
        e = on_a_show(e);
        e["context"]["System"]["device"]["supportedInterfaces"]["Alexa.Presentation.APL"] =
            json!({ "runtime": { "maxVersion": "1.7" } });
        e
    };
    for (path, skill_mode) in [
        (Path::Home, true),
        (Path::Lambda, true),
        (Path::Home, false),
        (Path::Lambda, false),
    ] {
        let home = Home::start(path, skill_mode).await;
        home.push(CURRENT_STREAM, "So What", false)
            .await
            .expect("pushed");
        for stem in ["play_audio_intent", "launch", "resume_intent"] {
            let today = home.ask(event(stem)).await;
            let request = event(stem);
            assert_contract(request_type(&request), &today, stem);
            let mut devices: Vec<(&str, Value)> = vec![
                ("no video codecs", no_codecs(event(stem))),
                ("no APL", no_apl(event(stem))),
                ("APL 1.7", old_apl(event(stem))),
            ];
            if !skill_mode {
                devices.push(("a capable Show, mode off", on_a_show(event(stem))));
            }
            for (device, request) in devices {
                let answer = home.ask(request).await;
                assert_eq!(answer, today, "{path:?} {stem} on {device}");
            }
        }
        // Page events with the mode off get an empty answer: nothing for the page to do.
        if !skill_mode {
            let beat = home.ask(event("page/beat")).await;
            assert_eq!(directive_types(&beat), Vec::<String>::new(), "{beat}");
            assert!(beat["response"].get("shouldEndSession").is_none());
        }
    }
}

fn request_type(event: &Value) -> &str {
    event["request"]["type"].as_str().unwrap_or("")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pushed_stream_is_page_live_only_once_the_page_started_it() {
    for path in BOTH {
        let mut answers = PageAnswers::new(&format!("hand-off-{path:?}"));
        let home = Home::start(path, true).await;
        home.page_playing(&mut answers).await;

        // Music Assistant pushes the next track, ready to leave its spoken command out.
        let push = home.push(NEXT_STREAM, "Blue in Green", true);
        let handed_over = home.beat_until_handed(0, &mut answers).await;
        let (seq, url) = handed(&handed_over).unwrap_or_else(|| panic!("{handed_over}"));
        assert_eq!(url, NEXT_PUBLIC, "{path:?}");
        assert_eq!(
            set_value(&handed_over, "title"),
            Some(json!("Blue in Green"))
        );
        assert_eq!(
            set_value(&handed_over, "durationMs"),
            Some(json!(562_000)),
            "{path:?}"
        );
        assert_eq!(
            media_controls(&handed_over),
            ["pause"],
            "PlayMedia follows a pause"
        );
        // Not live yet: the stream has not started on the page.
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            !push.is_finished(),
            "{path:?}: pageLive before the page started the stream"
        );

        // The answer got lost: the page beats as before, and gets the same stream again.
        let again = home
            .ask(page_event(json!(["beat", 0, -1, SO_WHAT_KEY])))
            .await;
        answers.keeps(&again, "the beat after a lost answer");
        assert_eq!(
            handed(&again),
            Some((seq, NEXT_PUBLIC.to_owned())),
            "{again}"
        );
        // While the page waits for it to start, it is not handed over a third time.
        let starting = home
            .ask(page_event(json!(["beat", 0, seq, SO_WHAT_KEY])))
            .await;
        answers.keeps(&starting, "a beat while the stream starts");
        assert_eq!(
            directive_types(&starting),
            Vec::<String>::new(),
            "{starting}"
        );
        assert!(!push.is_finished(), "{path:?}: pageLive before started");

        // onPlay: started, and Music Assistant hears the page took it.
        let key = set_value(&handed_over, "key").expect("a key");
        let started = home.ask(page_event(json!(["started", seq, -1, key]))).await;
        answers.keeps(&started, "started");
        let pushed = tokio::time::timeout(Duration::from_secs(5), push)
            .await
            .expect("the push is answered")
            .expect("joined");
        assert_eq!(
            pushed,
            json!({ "status": "ok", "pageLive": true }),
            "{path:?}"
        );
        // With the metadata the page shows, a beat has nothing more to do.
        let quiet = home.ask(page_event(json!(["beat", seq, -1, key]))).await;
        answers.keeps(&quiet, "a quiet beat");
        assert_eq!(directive_types(&quiet), Vec::<String>::new(), "{quiet}");
        answers.check_with_amazons_models();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_that_cannot_play_hands_the_music_to_the_audio_player() {
    for path in BOTH {
        for event_name in ["stalled", "failed"] {
            let mut answers = PageAnswers::new(&format!("fallback-{event_name}-{path:?}"));
            let home = Home::start(path, true).await;
            home.push(CURRENT_STREAM, "So What", false)
                .await
                .expect("pushed");
            let opened = home.ask(on_a_show(event("play_audio_intent"))).await;
            answers.keeps(&opened, "the page opens");
            let beat = home
                .ask(page_event(json!(["beat", -1, 0, SO_WHAT_KEY])))
                .await;
            answers.keeps(&beat, "a beat");

            let lost = home
                .ask(page_event(json!([event_name, -1, 0, SO_WHAT_KEY])))
                .await;
            answers.closes(&lost, event_name);
            assert_eq!(
                directive_types(&lost),
                ["AudioPlayer.Play"],
                "{path:?}: {lost}"
            );
            let stream = &lost["response"]["directives"][0]["audioItem"]["stream"];
            assert_eq!(stream["url"], CURRENT_PUBLIC);
            assert_eq!(stream["token"], CURRENT_TOKEN);
            assert!(lost.get("sessionAttributes").is_none(), "{lost}");

            // The bridge forgot the page: Music Assistant speaks again, at once.
            let asked = Instant::now();
            let pushed = home
                .push(NEXT_STREAM, "Blue in Green", true)
                .await
                .expect("joined");
            assert_eq!(pushed, json!({ "status": "ok", "pageLive": false }));
            assert!(
                asked.elapsed() < Duration::from_secs(3),
                "{:?}",
                asked.elapsed()
            );
            if path == Path::Home {
                let logs = home.bridge.logs_with(
                    &["the page could not play the stream on this device"],
                    Duration::from_secs(5),
                );
                let warned = logs.lines().find(|l| {
                    l.contains("the page could not play the stream on this device")
                        && l.contains("HUB RECTANGLE 960x480 160dpi, APL 2023.3, video codecs H_264_42,H_264_41")
                });
                let warned =
                    warned.unwrap_or_else(|| panic!("no warning naming the viewport:\n{logs}"));
                assert!(warned.contains("WARN"), "{warned}");
                assert!(
                    !warned.contains("amzn1."),
                    "no ids in the warning: {warned}"
                );
            }
            answers.check_with_amazons_models();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pause_and_resume_from_music_assistant_reach_the_page() {
    for path in BOTH {
        let mut answers = PageAnswers::new(&format!("control-{path:?}"));
        let home = Home::start(path, true).await;
        home.page_playing(&mut answers).await;
        let mut done = 0;
        for (command, media) in [("pause", "pause"), ("resume", "play")] {
            let control = home.control(command);
            let handed_over = home.beat_until_handed(done, &mut answers).await;
            assert_eq!(
                media_controls(&handed_over),
                [media],
                "{path:?}: {handed_over}"
            );
            let seq = set_value(&handed_over, "done")
                .and_then(|v| v.as_i64())
                .unwrap_or_else(|| panic!("{handed_over}"));
            // The page beats at once with it carried out.
            let beat = commands(&handed_over)
                .into_iter()
                .find(|c| c["type"] == "SendEvent")
                .unwrap_or_else(|| panic!("{handed_over}"));
            assert_eq!(beat["arguments"], json!(["beat", seq, -1, SO_WHAT_KEY]));
            let answer = home.ask(page_event(beat["arguments"].clone())).await;
            answers.keeps(&answer, "the beat after a control");
            let controlled = tokio::time::timeout(Duration::from_secs(5), control)
                .await
                .expect("answered")
                .expect("joined");
            assert_eq!(
                controlled,
                json!({ "status": "ok", "pageLive": true }),
                "{path:?} {command}"
            );
            done = seq;
        }
        answers.check_with_amazons_models();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn voice_while_the_page_is_open_acts_on_the_page_and_stop_closes_it() {
    for path in BOTH {
        let mut answers = PageAnswers::new(&format!("voice-{path:?}"));
        let home = Home::start(path, true).await;
        home.page_playing(&mut answers).await;
        for (stem, media) in [("pause_intent", "pause"), ("resume_intent", "play")] {
            let answer = home.ask(in_page_session(on_a_show(event(stem)))).await;
            answers.keeps(&answer, stem);
            assert_eq!(
                directive_types(&answer),
                ["Alexa.Presentation.APL.ExecuteCommands"],
                "{path:?}: {answer}"
            );
            assert_eq!(media_controls(&answer), [media]);
            assert!(speech_text(&answer).is_none());
        }
        // An answer in words alone ("next" says what it did) leaves the page open: the page
        // plays on, and Music Assistant's next stream reaches it without a word.
        let next = home
            .ask(in_page_session(on_a_show(event("next_intent"))))
            .await;
        answers.keeps(&next, "next, by voice");
        assert!(speech_text(&next).is_some(), "{path:?}: {next}");
        assert!(directive_types(&next).is_empty(), "{path:?}: {next}");
        let push = home.push(NEXT_STREAM, "Blue in Green", true);
        let handed_over = home.beat_until_handed(0, &mut answers).await;
        let (seq, _) = handed(&handed_over).unwrap_or_else(|| panic!("{handed_over}"));
        let started = home.ask(page_event(json!(["started", seq]))).await;
        answers.keeps(&started, "started after next");
        let pushed = tokio::time::timeout(Duration::from_secs(8), push)
            .await
            .expect("answered")
            .expect("joined");
        assert_eq!(
            pushed,
            json!({ "status": "ok", "pageLive": true }),
            "{path:?}"
        );

        // Any other answer that ends the page's session ("go home", no words): the bridge
        // forgets the page, and Music Assistant speaks its next command.
        let home_screen = home
            .ask(in_page_session(on_a_show(event("navigate_home_intent"))))
            .await;
        assert_eq!(
            home_screen["response"]["shouldEndSession"],
            json!(true),
            "{path:?}: {home_screen}"
        );
        let asked = Instant::now();
        let pushed = home
            .push(CURRENT_STREAM, "So What", true)
            .await
            .expect("joined");
        assert_eq!(
            pushed,
            json!({ "status": "ok", "pageLive": false }),
            "{path:?}"
        );
        assert!(asked.elapsed() < Duration::from_secs(3));
        // The page still on the screen beats again, and is live again.
        let beat = home
            .ask(page_event(json!(["beat", 0, -1, SO_WHAT_KEY])))
            .await;
        answers.keeps(&beat, "a beat after the session ended");

        // Stop pauses the page and ends the session; the bridge forgets the page.
        let stopped = home
            .ask(in_page_session(on_a_show(event("stop_intent"))))
            .await;
        answers.closes(&stopped, "stop");
        assert_eq!(media_controls(&stopped), ["pause"], "{path:?}: {stopped}");
        let asked = Instant::now();
        let pushed = home
            .push(NEXT_STREAM, "Blue in Green", true)
            .await
            .expect("joined");
        assert_eq!(pushed, json!({ "status": "ok", "pageLive": false }));
        assert!(asked.elapsed() < Duration::from_secs(3));
        answers.check_with_amazons_models();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_end_of_the_pages_session_tells_the_bridge() {
    for path in BOTH {
        let mut answers = PageAnswers::new(&format!("session-end-{path:?}"));
        let home = Home::start(path, true).await;
        home.page_playing(&mut answers).await;
        let ended = home
            .ask(in_page_session(on_a_show(event("session_ended"))))
            .await;
        assert_eq!(
            ended,
            json!({ "version": "1.0", "response": {} }),
            "{path:?}"
        );
        let asked = Instant::now();
        let pushed = home
            .push(NEXT_STREAM, "Blue in Green", true)
            .await
            .expect("joined");
        assert_eq!(
            pushed,
            json!({ "status": "ok", "pageLive": false }),
            "{path:?}"
        );
        assert!(asked.elapsed() < Duration::from_secs(3));
        answers.check_with_amazons_models();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_previous_and_next_buttons_go_to_music_assistants_queue() {
    for path in BOTH {
        let mut answers = PageAnswers::new(&format!("buttons-{path:?}"));
        let home = Home::start(path, true).await;
        home.page_playing(&mut answers).await;
        for (button, command) in [
            ("previous", "player_queues/play_index"),
            ("next", "player_queues/next"),
        ] {
            let answer = home
                .ask(page_event(json!([button, 0, -1, SO_WHAT_KEY])))
                .await;
            answers.keeps(&answer, button);
            assert_eq!(
                directive_types(&answer),
                Vec::<String>::new(),
                "{path:?}: {answer}"
            );
            assert!(speech_text(&answer).is_none());
            let sent: Vec<String> = home.ma.rpc_calls().into_iter().map(|(c, _, _)| c).collect();
            assert_eq!(
                sent.last().map(String::as_str),
                Some(command),
                "{path:?}: {sent:?}"
            );
        }
        answers.check_with_amazons_models();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_page_events_and_a_bridge_problem_get_an_empty_answer() {
    let mut answers = PageAnswers::new("odd-events");
    let home = Home::start(Path::Lambda, true).await;
    for arguments in [
        json!([]),
        json!("beat"),
        json!(["dance"]),
        json!([7, 8]),
        json!(null),
    ] {
        let answer = home.ask(page_event(arguments.clone())).await;
        answers.keeps(&answer, &format!("arguments {arguments}"));
        assert_eq!(
            directive_types(&answer),
            Vec::<String>::new(),
            "{arguments}"
        );
    }
    // A document that is not the page, with no page in the session: nothing at all.
    let mut stranger = page_event(json!(["beat", 1, -1, "x"]));
    stranger["request"]["token"] = json!("another-document");
    stranger["session"]["attributes"] = json!({});
    let answer = home.ask(stranger).await;
    assert_eq!(answer, json!({ "version": "1.0", "response": {} }));

    // A bridge that cannot be reached: the page hears nothing of it, its session stays.
    let closed = closed_port_base().await;
    let service = Service::new(settings(&[
        ("API_HOSTNAME", &closed),
        ("MA_HOSTNAME", MA_HOSTNAME),
        ("SKILL_ID", SKILL_ID),
        ("OPEN_SCREEN", "true"),
    ]));
    for arguments in [
        json!(["beat", 0, -1, SO_WHAT_KEY]),
        json!(["started", 0, -1, SO_WHAT_KEY]),
    ] {
        let response = service
            .answer(page_event(arguments), Deadline::local())
            .await
            .expect("answered");
        let response = serde_json::to_value(&response).expect("JSON");
        answers.keeps(&response, "a beat the bridge did not answer");
        assert_eq!(directive_types(&response), Vec::<String>::new());
        assert!(speech_text(&response).is_none());
    }
    answers.check_with_amazons_models();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sample_page_events_are_answered() {
    let mut answers = PageAnswers::new("samples");
    let home = Home::start(Path::Lambda, true).await;
    home.push(CURRENT_STREAM, "So What", false)
        .await
        .expect("pushed");
    let opened = home.ask(event("page/launch_on_a_show")).await;
    answers.keeps(&opened, "launch_on_a_show");
    assert_eq!(
        directive_types(&opened),
        ["Alexa.Presentation.APL.RenderDocument"]
    );
    for stem in ["beat", "started"] {
        let answer = home.ask(event(&format!("page/{stem}"))).await;
        answers.keeps(&answer, stem);
        // The samples' key is what the page shows for "So What": nothing to update.
        assert_eq!(
            directive_types(&answer),
            Vec::<String>::new(),
            "{stem}: {answer}"
        );
    }
    let stalled = home.ask(event("page/stalled")).await;
    answers.closes(&stalled, "stalled");
    assert_eq!(directive_types(&stalled), ["AudioPlayer.Play"]);
    answers.check_with_amazons_models();
}

/// The owner's log: a beat that hands nothing over stays out of it at info (1,200 an hour per
/// page), the rest of the page's events are there, and a page that cannot play warns with the
/// device's viewport and no ids.
#[tokio::test]
async fn the_log_keeps_quiet_beats_out_and_names_the_viewport_of_a_page_that_cannot_play() {
    // The skill inside the real bridge, whose log is its stderr: what the owner reads, with no
    // in-process subscriber that other tests' threads could race.
    let mut answers = PageAnswers::new("logs");
    let home = Home::start(Path::Home, true).await;
    home.push(CURRENT_STREAM, "So What", false)
        .await
        .expect("pushed");
    let opened = home.ask(on_a_show(event("play_audio_intent"))).await;
    answers.keeps(&opened, "the page opens");
    let quiet = home.ask(event("page/beat")).await;
    answers.keeps(&quiet, "a quiet beat");
    let logs = home
        .bridge
        .logs_with(&["open-screen: the page plays it"], Duration::from_secs(5));
    assert!(logs.contains("open-screen: the page plays it"), "{logs}");
    assert!(!logs.contains("page beat"), "a quiet beat at info:\n{logs}");

    let started = home.ask(event("page/started")).await;
    answers.keeps(&started, "started");
    let stalled = home.ask(event("page/stalled")).await;
    answers.closes(&stalled, "stalled");
    home.bridge
        .logs_with(&["page started"], Duration::from_secs(5));
    let logs = home.bridge.logs_with(
        &["the page could not play the stream on this device"],
        Duration::from_secs(5),
    );
    assert!(logs.contains("page started"), "{logs}");
    let warned = logs
        .lines()
        .find(|l| l.contains("the page could not play the stream on this device"))
        .unwrap_or_else(|| panic!("no warning:\n{logs}"));
    assert!(warned.contains("WARN"), "{warned}");
    assert!(
        warned.contains("HUB RECTANGLE 960x480 160dpi, APL 2023.3, video codecs H_264_42,H_264_41"),
        "{warned}"
    );
    assert!(
        !logs.contains("amzn1.ask.device"),
        "a device id in the log:\n{logs}"
    );
    assert!(!logs.contains(PASSWORD), "the bridge's password in the log");
    answers.check_with_amazons_models();
}
