//! Queue control against a Music Assistant stand-in on 127.0.0.1 that records every JSON-RPC
//! call: the exact command, args and bearer header for each intent and button, each rule that
//! picks the queue, each failure's spoken answer, and the token kept out of the logs.

mod common;

use std::time::Duration;

use common::*;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::logging::LogFormat;
use ma_alexa_skill::service::Service;
use ma_alexa_skill::speech::{Language, Phrase};
use serde_json::{json, Value};

/// How the Music Assistant stand-in answers a command.
type Answer = fn(&str, &Value) -> Reply;

const DEVICE: &str = "amzn1.ask.device.AEXAMPLEDEVICEID7K3M5P7R9T1V3X5Z7B9D";

fn bearer() -> Option<String> {
    Some(format!("Bearer {MA_TOKEN}"))
}

/// Runs `stem` against a healthy bridge and a Music Assistant answering through `reply`.
async fn run(stem: &str, reply: Answer) -> (Value, Stub) {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let ma = Stub::music_assistant(reply).await;
    let response = answer_with(settings_with_ma(&bridge.base(), &ma.base()), event(stem)).await;
    (response, ma)
}

#[tokio::test]
async fn every_command_sends_exactly_its_json_rpc_call() {
    let q = json!({ "queue_id": QUEUE });
    let cases: Vec<(&str, Vec<(&str, Value)>)> = vec![
        (
            "next_intent",
            vec![
                ("player_queues/get", q.clone()),
                ("player_queues/next", q.clone()),
            ],
        ),
        (
            "playback_controller_next",
            vec![
                ("player_queues/get", q.clone()),
                ("player_queues/next", q.clone()),
            ],
        ),
        (
            "previous_intent",
            vec![
                ("player_queues/get", q.clone()),
                (
                    "player_queues/play_index",
                    json!({ "queue_id": QUEUE, "index": 2 }),
                ),
            ],
        ),
        (
            "playback_controller_previous",
            vec![
                ("player_queues/get", q.clone()),
                (
                    "player_queues/play_index",
                    json!({ "queue_id": QUEUE, "index": 2 }),
                ),
            ],
        ),
        (
            "start_over_intent",
            vec![
                ("player_queues/get", q.clone()),
                (
                    "player_queues/play_index",
                    json!({ "queue_id": QUEUE, "index": 3 }),
                ),
            ],
        ),
        (
            "shuffle_on_intent",
            vec![
                ("player_queues/get", q.clone()),
                (
                    "player_queues/shuffle",
                    json!({ "queue_id": QUEUE, "shuffle_enabled": true }),
                ),
            ],
        ),
        (
            "shuffle_off_intent",
            vec![
                ("player_queues/get", q.clone()),
                (
                    "player_queues/shuffle",
                    json!({ "queue_id": QUEUE, "shuffle_enabled": false }),
                ),
            ],
        ),
        (
            "loop_on_intent",
            vec![(
                "player_queues/repeat",
                json!({ "queue_id": QUEUE, "repeat_mode": "all" }),
            )],
        ),
        (
            "loop_off_intent",
            vec![(
                "player_queues/repeat",
                json!({ "queue_id": QUEUE, "repeat_mode": "off" }),
            )],
        ),
        (
            "repeat_intent",
            vec![(
                "player_queues/repeat",
                json!({ "queue_id": QUEUE, "repeat_mode": "one" }),
            )],
        ),
    ];
    for (stem, want) in cases {
        let (response, ma) = run(stem, healthy_music_assistant).await;
        let calls = ma.rpc_calls();
        let got: Vec<(&str, &Value)> = calls.iter().map(|(c, a, _)| (c.as_str(), a)).collect();
        let want: Vec<(&str, &Value)> = want.iter().map(|(c, a)| (*c, a)).collect();
        assert_eq!(got, want, "{stem}");
        for (command, _, auth) in &calls {
            assert_eq!(
                auth,
                &bearer(),
                "{stem}: {command} carries the bearer token"
            );
        }
        let seen = ma.seen();
        for request in &seen {
            assert_eq!(
                request.headers.get("content-type").map(String::as_str),
                Some("application/json")
            );
            let body: Value = serde_json::from_slice(&request.body).expect("JSON body");
            assert!(
                body["message_id"].is_string(),
                "{stem}: message_id is a string"
            );
        }
        let voice = !stem.starts_with("playback_controller");
        if voice {
            assert_eq!(Shape::of(&response), Shape::say(), "{stem}");
        } else {
            assert_eq!(Shape::of(&response), Shape::empty(), "{stem}");
        }
    }
}

#[tokio::test]
async fn previous_at_the_first_item_restarts_it() {
    fn first_item(command: &str, args: &Value) -> Reply {
        match command {
            "player_queues/get" => ma_reply("queue_kitchen_echo_first_item"),
            _ => healthy_music_assistant(command, args),
        }
    }
    let (_, ma) = run("previous_intent", first_item).await;
    let calls = ma.rpc_calls();
    assert_eq!(calls[1].0, "player_queues/play_index");
    assert_eq!(calls[1].1, json!({ "queue_id": QUEUE, "index": 0 }));
}

fn capture(filter: &str) -> (Captured, tracing::subscriber::DefaultGuard) {
    common::capture(filter, LogFormat::Json)
}

fn answered_line(logs: &str) -> Value {
    let line = logs
        .lines()
        .find(|l| l.contains("\"answered"))
        .unwrap_or_else(|| panic!("no answered line in {logs}"));
    serde_json::from_str(line).expect("JSON line")
}

#[tokio::test]
async fn the_token_in_the_audio_player_context_picks_the_queue() {
    let (logs, _guard) = capture("info");
    let (_, ma) = run("next_intent", healthy_music_assistant).await;
    let commands: Vec<String> = ma.rpc_calls().into_iter().map(|c| c.0).collect();
    assert_eq!(
        commands,
        ["player_queues/get", "player_queues/next"],
        "no players/all when the token names the queue"
    );
    let line = answered_line(&logs.text());
    assert_eq!(line["queue_rule"], "token");
    assert_eq!(line["queue"], QUEUE);
}

#[tokio::test]
async fn device_players_picks_the_queue_of_a_device_without_token() {
    let (logs, _guard) = capture("info");
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let ma = Stub::music_assistant(|command, args| match command {
        "player_queues/get" if args["queue_id"] == "Bedroom Echo" => ma_reply("queue_bedroom_echo"),
        _ => healthy_music_assistant(command, args),
    })
    .await;
    let mapping = json!({ DEVICE: "Bedroom Echo", "amzn1.ask.device.OTHER": "Office" }).to_string();
    let settings = settings_with_devices(&bridge.base(), &ma.base(), &mapping);
    let response = answer_with(settings, event("next_intent_without_token")).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::NextDone.text(Language::English))
    );
    let calls = ma.rpc_calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls[0].0, "player_queues/get");
    assert_eq!(calls[1].0, "player_queues/next");
    assert_eq!(calls[1].1, json!({ "queue_id": "Bedroom Echo" }));
    assert_eq!(answered_line(&logs.text())["queue_rule"], "device_players");
}

#[tokio::test]
async fn the_only_playing_alexa_player_picks_the_queue_as_a_last_resort() {
    let (logs, _guard) = capture("info");
    let (response, ma) = run("next_intent_without_token", healthy_music_assistant).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::NextDone.text(Language::English))
    );
    let calls = ma.rpc_calls();
    assert_eq!(calls[0].0, "players/all");
    assert_eq!(calls[1].0, "player_queues/get");
    assert_eq!(
        calls[2],
        (
            "player_queues/next".to_owned(),
            json!({ "queue_id": QUEUE }),
            bearer()
        )
    );
    assert_eq!(
        answered_line(&logs.text())["queue_rule"],
        "only_playing_alexa_player"
    );
}

#[tokio::test]
async fn the_only_alexa_player_is_the_queue_even_when_it_is_not_playing() {
    fn one_paused(command: &str, args: &Value) -> Reply {
        match command {
            "players/all" => ma_reply("players_all_one_echo_paused"),
            _ => healthy_music_assistant(command, args),
        }
    }
    let (response, ma) = run("next_intent_without_token", one_paused).await;
    assert_eq!(speech_text(&response).as_deref(), Some("Next track."));
    let calls = ma.rpc_calls();
    assert_eq!(
        calls
            .last()
            .map(|c| (c.0.as_str(), c.1["queue_id"].clone())),
        Some(("player_queues/next", json!("Kitchen Echo")))
    );
}

#[tokio::test]
async fn no_queue_is_explained_when_no_rule_finds_one() {
    fn none_playing(command: &str, args: &Value) -> Reply {
        match command {
            "players/all" => ma_reply("players_all_no_echo_playing"),
            _ => healthy_music_assistant(command, args),
        }
    }
    fn two_playing(command: &str, args: &Value) -> Reply {
        match command {
            "players/all" => ma_reply("players_all_two_echos_playing"),
            _ => healthy_music_assistant(command, args),
        }
    }
    for reply in [none_playing as Answer, two_playing] {
        let (response, ma) = run("next_intent_without_token", reply).await;
        assert_eq!(
            speech_text(&response).as_deref(),
            Some(Phrase::NoQueue.text(Language::English))
        );
        let commands: Vec<String> = ma.rpc_calls().into_iter().map(|c| c.0).collect();
        assert_eq!(
            commands,
            ["players/all"],
            "nothing is commanded without a queue"
        );
    }
}

#[tokio::test]
async fn each_music_assistant_failure_has_its_answer() {
    fn unauthorized(_: &str, _: &Value) -> Reply {
        Reply::Status(401, "Authentication required".into())
    }
    fn forbidden(_: &str, _: &Value) -> Reply {
        Reply::Status(403, "This command requires the queues.control scope".into())
    }
    fn setup_required(_: &str, _: &Value) -> Reply {
        Reply::Status(503, "Setup required".into())
    }
    fn unknown_queue(command: &str, _: &Value) -> Reply {
        match command {
            "player_queues/get" => Reply::ok("null"),
            _ => Reply::Status(500, "Internal server error".into()),
        }
    }
    fn broken(command: &str, args: &Value) -> Reply {
        match command {
            "player_queues/next" | "player_queues/play_index" => {
                Reply::Status(500, "Internal server error".into())
            }
            _ => healthy_music_assistant(command, args),
        }
    }
    fn garbage(_: &str, _: &Value) -> Reply {
        Reply::ok("<html>not json</html>")
    }
    fn slow(_: &str, _: &Value) -> Reply {
        Reply::Slow(Duration::from_secs(30), 200, "null".into())
    }
    let cases: [(&str, Answer, Phrase); 7] = [
        ("401", unauthorized, Phrase::MaUnauthorized),
        ("403", forbidden, Phrase::MaForbidden),
        ("503", setup_required, Phrase::MaSetupRequired),
        ("unknown queue", unknown_queue, Phrase::MaUnknownQueue),
        ("500", broken, Phrase::MaFailed),
        ("garbage", garbage, Phrase::MaFailed),
        ("slow", slow, Phrase::MaTimedOut),
    ];
    for (name, reply, phrase) in cases {
        for (stem, language) in [
            ("next_intent", Language::English),
            ("previous_intent", Language::English),
        ] {
            let (response, _) = run(stem, reply).await;
            assert_eq!(
                speech_text(&response).as_deref(),
                Some(phrase.text(language)),
                "{stem} with {name}"
            );
            assert_eq!(
                response["response"]["card"]["content"],
                phrase.text(language),
                "{stem} with {name}"
            );
        }
        let (button, _) = run("playback_controller_next", reply).await;
        assert_eq!(
            Shape::of(&button),
            Shape::empty(),
            "buttons stay silent with {name}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_music_assistant_is_explained() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let settings = settings_with_ma(&bridge.base(), &closed_port_base().await);
    let response = answer_with(settings, event("shuffle_on_intent")).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::MaUnreachable.text(Language::English))
    );
}

#[tokio::test]
async fn missing_music_assistant_settings_are_named() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let ma = Stub::music_assistant(healthy_music_assistant).await;
    // Without MA_API_URL at all, queue control says plainly what it needs (playing still works).
    let response = answer_with(settings_for(&bridge.base()), event("next_intent")).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::QueueControlNeedsMusicAssistant.text(Language::English))
    );
    // With the URL but not the token, the missing setting is named.
    let half = settings(&[
        ("API_HOSTNAME", &bridge.base()),
        ("MA_HOSTNAME", MA_HOSTNAME),
        ("MA_API_URL", &ma.base()),
    ]);
    let response = answer_with(half, event("next_intent")).await;
    assert_eq!(
        speech_text(&response),
        Some(
            Phrase::SettingMissing
                .text(Language::English)
                .replace("{setting}", "MA API TOKEN")
        )
    );
    assert_eq!(ma.count(), 0);
}

#[tokio::test]
async fn a_refused_skill_id_reaches_no_music_assistant() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let ma = Stub::music_assistant(healthy_music_assistant).await;
    let mut settings = settings_with_ma(&bridge.base(), &ma.base());
    settings.skill_id = Some("amzn1.ask.skill.someone-else".into());
    let service = Service::new(settings);
    for stem in [
        "next_intent",
        "previous_intent",
        "now_playing_intent",
        "playback_controller_next",
        "next_intent_without_token",
    ] {
        assert!(
            service
                .answer(event(stem), Deadline::local())
                .await
                .is_err(),
            "{stem}"
        );
    }
    assert_eq!(ma.count(), 0);
    assert_eq!(bridge.count(), 0);
}

#[tokio::test]
async fn now_playing_comes_from_music_assistant_else_from_the_bridge() {
    // From Music Assistant.
    let (response, _) = run("now_playing_intent", healthy_music_assistant).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("This is So What by Miles Davis, from Kind of Blue.")
    );

    // Without Music Assistant settings: the bridge's metadata.
    let bridge = Stub::bridge(Reply::ok(
        json!({ "streamUrl": CURRENT_STREAM, "title": "Blue in Green", "artist": "Miles Davis" })
            .to_string(),
    ))
    .await;
    let response = answer_with(settings_for(&bridge.base()), event("now_playing_intent")).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("This is Blue in Green by Miles Davis.")
    );

    // Music Assistant cannot tell which queue: the bridge's metadata again.
    let ma = Stub::music_assistant(|command, args| match command {
        "players/all" => Reply::ok("[]"),
        _ => healthy_music_assistant(command, args),
    })
    .await;
    let response = answer_with(
        settings_with_ma(&bridge.base(), &ma.base()),
        event("next_intent_without_token"),
    )
    .await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::NoQueue.text(Language::English))
    );
    let mut without_token = event("next_intent_without_token");
    without_token["request"]["intent"]["name"] = json!("NowPlayingIntent");
    let response = answer_with(settings_with_ma(&bridge.base(), &ma.base()), without_token).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("This is Blue in Green by Miles Davis.")
    );

    // An empty queue.
    let (response, _) = run("now_playing_intent", |command, args| match command {
        "player_queues/get" => ma_reply("queue_kitchen_echo_empty"),
        _ => healthy_music_assistant(command, args),
    })
    .await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::NothingPlaying.text(Language::English))
    );
}

#[tokio::test]
async fn the_token_never_reaches_the_logs() {
    let (logs, _guard) = capture("trace");
    for reply in [
        healthy_music_assistant as Answer,
        |_: &str, _: &Value| Reply::Status(401, "Authentication required".into()),
        |_: &str, _: &Value| Reply::Status(400, "Invalid JSON: {}".into()),
    ] {
        for stem in [
            "next_intent",
            "previous_intent",
            "now_playing_intent",
            "next_intent_without_token",
        ] {
            let (_, ma) = run(stem, reply).await;
            assert!(ma.count() > 0);
        }
    }
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    tracing::debug!(settings = ?settings_with_ma(&bridge.base(), "http://127.0.0.1:9"), "settings");
    let logs = logs.text();
    assert!(
        logs.contains("\"settings\"") && logs.contains("answered"),
        "{logs}"
    );
    assert!(
        !logs.contains("test-long-lived-token"),
        "the token reached the logs"
    );
    assert!(!logs.contains(DEVICE), "a device id reached the logs");
}

/// A Music Assistant whose queue is the generated reply `fixture`.
fn queue_is(fixture: &'static str) -> impl Fn(&str, &Value) -> Reply {
    move |command, args| match command {
        "player_queues/get" => ma_reply(fixture),
        _ => healthy_music_assistant(command, args),
    }
}

async fn commands_and_speech(stem: &str, ma: Stub) -> (Vec<String>, Option<String>, Value) {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let response = answer_with(settings_with_ma(&bridge.base(), &ma.base()), event(stem)).await;
    let commands = ma.rpc_calls().into_iter().map(|c| c.0).collect();
    (commands, speech_text(&response), response)
}

#[tokio::test]
async fn next_after_the_last_track_says_so_and_sends_nothing() {
    let ma = Stub::music_assistant(queue_is("queue_kitchen_echo_last_item")).await;
    let (commands, spoken, _) = commands_and_speech("next_intent", ma).await;
    assert_eq!(commands, ["player_queues/get"]);
    assert_eq!(
        spoken.as_deref(),
        Some(Phrase::LastTrack.text(Language::English))
    );
    // The remote's button: nothing to say, nothing sent.
    let ma = Stub::music_assistant(queue_is("queue_kitchen_echo_last_item_repeat_one")).await;
    let (commands, spoken, response) = commands_and_speech("playback_controller_next", ma).await;
    assert_eq!(commands, ["player_queues/get"]);
    assert_eq!((spoken, Shape::of(&response)), (None, Shape::empty()));
    // A queue that repeats as a whole goes round.
    let ma = Stub::music_assistant(queue_is("queue_kitchen_echo_last_item_repeat_all")).await;
    let (commands, spoken, _) = commands_and_speech("next_intent", ma).await;
    assert_eq!(commands, ["player_queues/get", "player_queues/next"]);
    assert_eq!(
        spoken.as_deref(),
        Some(Phrase::NextDone.text(Language::English))
    );
}

#[tokio::test]
async fn an_empty_queue_is_said_to_be_empty() {
    for stem in [
        "next_intent",
        "previous_intent",
        "start_over_intent",
        "shuffle_on_intent",
    ] {
        let ma = Stub::music_assistant(queue_is("queue_kitchen_echo_empty")).await;
        let (commands, spoken, _) = commands_and_speech(stem, ma).await;
        assert_eq!(commands, ["player_queues/get"], "{stem}");
        assert_eq!(
            spoken.as_deref(),
            Some(Phrase::QueueEmpty.text(Language::English)),
            "{stem}"
        );
    }
}

#[tokio::test]
async fn now_playing_on_an_unknown_queue_says_what_every_command_says() {
    let unknown = |command: &str, args: &Value| match command {
        "player_queues/get" => Reply::ok("null"),
        _ => healthy_music_assistant(command, args),
    };
    for stem in ["now_playing_intent", "next_intent"] {
        let ma = Stub::music_assistant(unknown).await;
        let (_, spoken, _) = commands_and_speech(stem, ma).await;
        assert_eq!(
            spoken.as_deref(),
            Some(Phrase::MaUnknownQueue.text(Language::English)),
            "{stem}"
        );
    }
}

/// `play_index` for an Alexa player answers only after the push to the bridge and a voice command
/// through Amazon: here it answers after 5 s, longer than the request may take.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_play_index_is_reported_as_asked_not_as_failed() {
    let ma = Stub::music_assistant(|command, args| match command {
        "player_queues/play_index" => {
            Reply::Slow(std::time::Duration::from_secs(5), 200, "null".into())
        }
        _ => healthy_music_assistant(command, args),
    })
    .await;
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let started = std::time::Instant::now();
    let response = answer_within(
        settings_with_ma(&bridge.base(), &ma.base()),
        event("previous_intent"),
        ma_alexa_skill::deadline::Deadline::after(std::time::Duration::from_millis(2500)),
    )
    .await;
    assert!(started.elapsed() < std::time::Duration::from_millis(2500));
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::PreviousRequested.text(Language::English))
    );
    let sent: Vec<String> = ma.rpc_calls().into_iter().map(|c| c.0).collect();
    assert_eq!(
        sent,
        ["player_queues/get", "player_queues/play_index"],
        "sent once, never again"
    );
}

/// The same slow `play_index`, but Music Assistant pushes the new stream before it answers, as
/// the real one does: the Echo gets it at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_play_index_plays_the_pushed_stream_at_once() {
    let pushed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let push = std::sync::Arc::clone(&pushed);
    let reset = std::sync::Arc::clone(&pushed);
    let bridge = Stub::spawn(move |_| {
        if push.load(std::sync::atomic::Ordering::SeqCst) {
            Reply::ok(next_reply())
        } else {
            Reply::ok(current_reply())
        }
    })
    .await;
    let ma = Stub::music_assistant(move |command, args| match command {
        "player_queues/play_index" => {
            pushed.store(true, std::sync::atomic::Ordering::SeqCst);
            Reply::Slow(std::time::Duration::from_secs(5), 200, "null".into())
        }
        _ => healthy_music_assistant(command, args),
    })
    .await;
    for (stem, spoken) in [
        ("start_over_intent", Some(Phrase::StartOverDone)),
        ("playback_controller_previous", None),
    ] {
        reset.store(false, std::sync::atomic::Ordering::SeqCst);
        let response = answer_within(
            settings_with_ma(&bridge.base(), &ma.base()),
            event(stem),
            ma_alexa_skill::deadline::Deadline::after(std::time::Duration::from_millis(2500)),
        )
        .await;
        assert_eq!(
            response["response"]["directives"][0]["audioItem"]["stream"]["url"], NEXT_PUBLIC,
            "{stem}: {response}"
        );
        assert_eq!(
            speech_text(&response).as_deref(),
            spoken.map(|p| p.text(Language::English)),
            "{stem}"
        );
    }
}

/// Radio mode needs a provider that suggests similar tracks (issue 18): read from `providers`
/// replies generated with Music Assistant's own models, and mutated copies of them.
#[test]
fn only_an_available_provider_with_similar_tracks_makes_radio_mode_possible() {
    use ma_alexa_skill::music_assistant::{read_providers, ProviderInstance};
    let read = |body: &[u8]| read_providers(body).expect("usable").value;
    let local = read(include_bytes!("fixtures/ma/providers_local_library.json"));
    assert_eq!(local.len(), 2, "the Alexa provider and the local files");
    assert!(!local.iter().any(ProviderInstance::offers_similar_tracks));
    let streaming = include_bytes!("fixtures/ma/providers_streaming_similar_tracks.json");
    let offering: Vec<Option<String>> = read(streaming)
        .into_iter()
        .filter(ProviderInstance::offers_similar_tracks)
        .map(|p| p.instance_id)
        .collect();
    assert_eq!(offering, [Some("spotify--Rb8g3YwE".to_owned())]);
    let mutated = |change: &dyn Fn(&mut Value)| {
        let mut all: Vec<Value> = serde_json::from_slice(streaming).expect("a list");
        all.iter_mut().for_each(change);
        read(&serde_json::to_vec(&all).expect("serializes"))
    };
    // The same provider while it is not available (logged out, unreachable) offers nothing.
    let down = mutated(&|p| p["available"] = Value::Bool(false));
    assert!(!down.iter().any(ProviderInstance::offers_similar_tracks));
    // A feature list with other things in it still names the feature.
    let odd = mutated(&|p| {
        if let Some(features) = p["supported_features"].as_array_mut() {
            features.insert(0, json!({ "unexpected": 1 }));
        }
    });
    assert!(odd.iter().any(ProviderInstance::offers_similar_tracks));
}

/// Issue 18: with the player list a current Music Assistant sends (`hide_player_in_ui` a list),
/// the "only playing Alexa player" rule finds the Echo, and the warning about left-out players
/// stays quiet.
#[tokio::test]
async fn issue_18_a_current_player_list_finds_the_queue_without_a_token() {
    let (logs, _guard) = capture("info");
    let players = ma_json("players_all_home");
    assert!(players[0]["hide_player_in_ui"].is_array(), "{}", players[0]);
    let (response, ma) = run("next_intent_without_token", healthy_music_assistant).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::NextDone.text(Language::English))
    );
    let commands: Vec<String> = ma.rpc_calls().into_iter().map(|c| c.0).collect();
    assert_eq!(
        commands,
        ["players/all", "player_queues/get", "player_queues/next"]
    );
    let logs = logs.text();
    assert!(!logs.contains("left out"), "{logs}");
}

/// A player list the skill cannot read at all is Music Assistant failing, not a house without
/// an Echo; an unreadable player among readable ones is left out and logged.
#[tokio::test]
async fn unreadable_players_are_a_failure_or_a_warning_never_no_speakers() {
    fn unreadable(command: &str, args: &Value) -> Reply {
        match command {
            "players/all" => Reply::ok(r#"[0, "Kitchen Echo", {"name": "Kitchen Echo"}]"#),
            _ => healthy_music_assistant(command, args),
        }
    }
    let (logs, _guard) = capture("info");
    let (response, ma) = run("next_intent_without_token", unreadable).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::MaFailed.text(Language::English))
    );
    let commands: Vec<String> = ma.rpc_calls().into_iter().map(|c| c.0).collect();
    assert_eq!(commands, ["players/all"]);
    let line = answered_line(&logs.text());
    assert_eq!(line["error_kind"], "ma_invalid_reply", "{line}");
    assert!(
        line.to_string()
            .contains("none of its 3 players could be read"),
        "{line}"
    );

    fn one_unreadable(command: &str, args: &Value) -> Reply {
        match command {
            "players/all" => {
                let mut players = ma_json("players_all_home");
                players[1]["player_id"] = json!(null);
                Reply::ok(players.to_string())
            }
            _ => healthy_music_assistant(command, args),
        }
    }
    let (logs, _guard) = capture("info");
    let (response, _) = run("next_intent_without_token", one_unreadable).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::NextDone.text(Language::English))
    );
    let warning = logs
        .text()
        .lines()
        .find(|l| l.contains("left out"))
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .expect("a warning");
    assert_eq!(
        (&warning["level"], &warning["command"], &warning["unusable"]),
        (&json!("WARN"), &json!("players/all"), &json!(1))
    );
}
