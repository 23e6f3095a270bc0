//! Rooms: "play jazz in the living room", "move the music to the kitchen", volume and commands
//! in a room, against a recording Music Assistant on 127.0.0.1 with a realistic house: an Echo
//! (the one asking), another Echo, two Sonos-like players with similar names, a group, an
//! unavailable player and a hidden one.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use ma_alexa_skill::logging::LogFormat;
use ma_alexa_skill::speech::{Language, Phrase};
use serde_json::{json, Value};

const SONOS: &str = "media_player.living_room_sonos";
const PLAY1: &str = "media_player.living_room_play_1";
const GROUP: &str = "syncgroup_downstairs";

fn house() -> Value {
    json!([
        { "player_id": QUEUE, "provider": "alexa", "display_name": QUEUE, "available": true,
          "enabled": true, "playback_state": "playing", "active_source": QUEUE },
        { "player_id": "Bedroom Echo", "provider": "alexa", "display_name": "Bedroom Echo",
          "available": true, "enabled": true, "playback_state": "idle" },
        { "player_id": SONOS, "provider": "sonos", "display_name": "Living Room Sonos",
          "available": true, "enabled": true, "type": "player" },
        { "player_id": PLAY1, "provider": "sonos", "display_name": "Living Room Play:1",
          "available": true, "enabled": true, "type": "player" },
        { "player_id": GROUP, "provider": "player_group", "display_name": "Downstairs",
          "available": true, "enabled": true, "type": "group" },
        { "player_id": "media_player.garage", "provider": "chromecast",
          "display_name": "Garage Speaker", "available": false, "enabled": true },
        { "player_id": "media_player.hidden", "provider": "chromecast",
          "display_name": "Hidden Chromecast", "available": true, "enabled": true,
          "hide_in_ui": true },
        { "player_id": "media_player.disabled", "provider": "dlna",
          "display_name": "Attic", "available": true, "enabled": false }
    ])
}

/// The commands Music Assistant received, `(command, args)`, `players/all` left out.
type Log = Arc<Mutex<Vec<(String, Value)>>>;

/// A Music Assistant holding [`house`], whose queues have 5 items (at the second), recording
/// every command; `fail` makes one command answer a bare 500.
async fn music_assistant(fail: Option<&'static str>) -> (Stub, Log) {
    let log: Log = Arc::default();
    let seen = Arc::clone(&log);
    let stub = Stub::music_assistant(move |command, args| {
        if command != "players/all" {
            seen.lock().expect("lock").push((command.to_owned(), args.clone()));
        }
        if Some(command) == fail {
            return Reply::Status(500, "Internal server error".into());
        }
        match command {
            "players/all" => Reply::ok(house().to_string()),
            "player_queues/get" => Reply::ok(
                json!({ "queue_id": args["queue_id"], "items": 5, "current_index": 1,
                        "repeat_mode": "off",
                        "current_item": { "name": "Bill Evans - Peace Piece",
                          "media_item": { "name": "Peace Piece", "artists": [{ "name": "Bill Evans" }] } } })
                .to_string(),
            ),
            "music/search" => Reply::ok(search_results(args).to_string()),
            _ => Reply::ok("null"),
        }
    })
    .await;
    (stub, log)
}

/// An intent request from the Kitchen Echo (which plays through the skill) with `slots`.
fn intent(name: &str, slots: Value, locale: &str) -> Value {
    let mut event = event("play_media_intent");
    let slots: serde_json::Map<String, Value> = slots
        .as_object()
        .expect("slots object")
        .iter()
        .map(|(k, v)| (k.clone(), json!({ "name": k, "value": v })))
        .collect();
    event["request"]["intent"] =
        json!({ "name": name, "confirmationStatus": "NONE", "slots": slots });
    event["request"]["locale"] = json!(locale);
    event
}

/// The answer to `event`, the commands sent, the bridge, and the log lines (every test logs
/// into its own capture: tracing caches per-callsite interest across threads).
async fn ask_logged(
    event: Value,
    aliases: Option<&str>,
    fail: Option<&'static str>,
) -> (Value, Vec<(String, Value)>, Stub, String) {
    let (logs, _guard) = capture("info", LogFormat::Json);
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    let (ma, log) = music_assistant(fail).await;
    let mut pairs = vec![
        ("API_HOSTNAME", bridge.base()),
        ("MA_HOSTNAME", MA_HOSTNAME.to_owned()),
        ("SKILL_ID", SKILL_ID.to_owned()),
        ("MA_API_URL", ma.base()),
        ("MA_API_TOKEN", MA_TOKEN.to_owned()),
    ];
    if let Some(aliases) = aliases {
        pairs.push(("ROOM_ALIASES", aliases.to_owned()));
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let response = answer_with(settings(&pairs), event).await;
    let sent = log.lock().expect("lock").clone();
    (response, sent, bridge, logs.text())
}

async fn ask_with(
    event: Value,
    aliases: Option<&str>,
    fail: Option<&'static str>,
) -> (Value, Vec<(String, Value)>, Stub) {
    let (response, sent, bridge, _) = ask_logged(event, aliases, fail).await;
    (response, sent, bridge)
}

async fn ask(event: Value) -> (Value, Vec<(String, Value)>, Stub) {
    ask_with(event, None, None).await
}

fn commands(sent: &[(String, Value)]) -> Vec<&str> {
    sent.iter().map(|(c, _)| c.as_str()).collect()
}

fn no_directives(response: &Value) -> bool {
    response["response"].get("directives").is_none()
}

#[tokio::test]
async fn play_in_a_room_goes_to_that_player_and_not_to_the_echo() {
    let (response, sent, bridge) = ask(intent(
        "PlayMediaIntent",
        json!({ "artist": "miles davis", "room": "living room sonos" }),
        "en-US",
    ))
    .await;
    assert_eq!(
        commands(&sent),
        ["music/search", "player_queues/play_media"]
    );
    assert_eq!(sent[1].1["queue_id"], SONOS);
    let spoken = speech_text(&response).expect("speech");
    assert!(
        spoken.starts_with("Playing ") && spoken.ends_with(" in the living room sonos."),
        "{spoken}"
    );
    assert!(
        no_directives(&response),
        "the Echo must not start it too: {response}"
    );
    assert_eq!(
        bridge.count(),
        0,
        "the bridge is not watched for another room"
    );
    assert_contract("IntentRequest", &response, "play in room");
}

#[tokio::test]
async fn a_group_is_a_room_too() {
    let (_, sent, _) = ask(intent(
        "PlayMediaIntent",
        json!({ "playlist": "chill", "room": "downstairs" }),
        "en-US",
    ))
    .await;
    assert_eq!(
        sent.last().map(|(_, a)| a["queue_id"].clone()),
        Some(json!(GROUP))
    );
}

#[tokio::test]
async fn two_fitting_players_are_a_question_never_a_guess() {
    let (response, sent, _) = ask(intent(
        "PlayMediaIntent",
        json!({ "artist": "miles davis", "room": "living room" }),
        "en-US",
    ))
    .await;
    assert!(
        sent.is_empty(),
        "nothing sent while it is unclear: {sent:?}"
    );
    assert_eq!(Shape::of(&response), Shape::ask());
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Which one: Living Room Sonos or Living Room Play:1?")
    );
    let kept = response["sessionAttributes"]["roomRequest"].clone();
    assert_eq!(kept["intent"], "PlayMediaIntent");
    assert_eq!(kept["candidates"], json!([SONOS, PLAY1]));

    // The answer, "the sonos", in the same session.
    let mut answer = intent("ChooseRoomIntent", json!({ "room": "the sonos" }), "en-US");
    answer["session"]["new"] = json!(false);
    answer["session"]["attributes"] = response["sessionAttributes"].clone();
    let (response, sent, _) = ask(answer).await;
    assert_eq!(
        commands(&sent),
        ["music/search", "player_queues/play_media"]
    );
    assert_eq!(sent[1].1["queue_id"], SONOS);
    let spoken = speech_text(&response).expect("speech");
    assert!(spoken.ends_with(" in the sonos."), "{spoken}");
}

#[tokio::test]
async fn an_unknown_room_names_rooms_music_assistant_has() {
    for room in ["hidden chromecast", "attic", "kitchen"] {
        let (response, sent, _) =
            ask(intent("TransferIntent", json!({ "room": room }), "en-US")).await;
        assert!(sent.is_empty(), "{room}: {sent:?}");
        let spoken = speech_text(&response).expect("speech");
        assert!(
            spoken.starts_with(&format!(
                "I don't know a room called {room}. Music Assistant has "
            )),
            "{room}: {spoken}"
        );
        assert!(
            !spoken.contains("Hidden") && !spoken.contains("Attic"),
            "{spoken}"
        );
    }
}

#[tokio::test]
async fn the_echos_own_player_needs_its_exact_name() {
    // "kitchen" is in the asking Echo's name only: not a match, never a guess.
    let (_, sent, _) = ask(intent(
        "RoomCommandIntent",
        json!({ "command": "pause", "room": "kitchen" }),
        "en-US",
    ))
    .await;
    assert!(sent.is_empty(), "{sent:?}");
    let (_, sent, _) = ask(intent(
        "RoomCommandIntent",
        json!({ "command": "pause", "room": "kitchen echo" }),
        "en-US",
    ))
    .await;
    assert_eq!(
        sent,
        [(
            "player_queues/pause".to_owned(),
            json!({ "queue_id": QUEUE })
        )]
    );
}

#[tokio::test]
async fn an_unavailable_player_is_said_to_be_unavailable() {
    let (response, sent, _) = ask(intent(
        "TransferIntent",
        json!({ "room": "garage" }),
        "en-US",
    ))
    .await;
    assert!(sent.is_empty());
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Garage Speaker is not available right now.")
    );
}

#[tokio::test]
async fn room_aliases_map_what_alexa_hears() {
    let aliases = json!({ "the lounge": SONOS }).to_string();
    let (_, sent, _, logs) = ask_logged(
        intent(
            "SetVolumeIntent",
            json!({ "room": "lounge", "level": "30" }),
            "en-US",
        ),
        Some(&aliases),
        None,
    )
    .await;
    assert_eq!(
        sent,
        [(
            "players/cmd/volume_set".to_owned(),
            json!({ "player_id": SONOS, "volume_level": 30 })
        )]
    );
    assert!(logs.contains("\"queue_rule\":\"room_alias\""), "{logs}");
}

#[tokio::test]
async fn move_the_music_transfers_and_stops_the_echo() {
    let (response, sent, _) = ask(intent(
        "TransferIntent",
        json!({ "room": "living room sonos" }),
        "en-US",
    ))
    .await;
    assert_eq!(
        sent,
        [(
            "player_queues/transfer".to_owned(),
            json!({ "source_queue_id": QUEUE, "target_queue_id": SONOS, "auto_play": true })
        )]
    );
    assert_eq!(
        Shape::of(&response),
        Shape {
            speech: true,
            ..Shape::stop(Some(true))
        }
    );
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Moved to the living room sonos.")
    );
}

#[tokio::test]
async fn volume_by_level_or_by_a_step() {
    let cases = [
        (
            json!({ "room": "downstairs", "level": "30" }),
            Some((
                "players/cmd/volume_set",
                json!({ "player_id": GROUP, "volume_level": 30 }),
            )),
            "Downstairs volume 30.",
        ),
        (
            json!({ "room": "downstairs", "direction": "up" }),
            Some(("players/cmd/volume_up", json!({ "player_id": GROUP }))),
            "Turned the downstairs up.",
        ),
        (
            json!({ "room": "downstairs", "direction": "quieter" }),
            Some(("players/cmd/volume_down", json!({ "player_id": GROUP }))),
            "Turned the downstairs down.",
        ),
        (
            json!({ "room": "downstairs", "level": "150" }),
            None,
            "Say a volume from 0 to 100, or louder or quieter.",
        ),
        (
            json!({ "room": "downstairs" }),
            None,
            "Say a volume from 0 to 100, or louder or quieter.",
        ),
    ];
    for (slots, command, said) in cases {
        let (response, sent, _) = ask(intent("SetVolumeIntent", slots.clone(), "en-US")).await;
        let want: Vec<(String, Value)> = command
            .into_iter()
            .map(|(c, a)| (c.to_owned(), a))
            .collect();
        assert_eq!(sent, want, "{slots}");
        let spoken = speech_text(&response).expect("speech");
        assert!(spoken.eq_ignore_ascii_case(said), "{slots}: {spoken}");
    }
}

#[tokio::test]
async fn commands_in_a_room_reach_that_queue() {
    let cases = [
        ("pause", vec!["player_queues/pause"], "Paused the bedroom."),
        ("stop", vec!["player_queues/stop"], "Stopped the bedroom."),
        (
            "resume",
            vec!["player_queues/resume"],
            "Resumed the bedroom.",
        ),
        (
            "next",
            vec!["player_queues/get", "player_queues/next"],
            "Next track in the bedroom.",
        ),
        (
            "previous",
            vec!["player_queues/get", "player_queues/play_index"],
            "Previous track in the bedroom.",
        ),
    ];
    for (command, want, said) in cases {
        let (response, sent, bridge) = ask(intent(
            "RoomCommandIntent",
            json!({ "command": command, "room": "bedroom" }),
            "en-US",
        ))
        .await;
        assert_eq!(commands(&sent), want, "{command}");
        assert!(
            sent.iter().all(|(_, a)| a["queue_id"] == "Bedroom Echo"),
            "{sent:?}"
        );
        assert_eq!(speech_text(&response).as_deref(), Some(said));
        assert!(no_directives(&response));
        assert_eq!(bridge.count(), 0);
    }
    let (_, sent, _) = ask(intent(
        "RoomCommandIntent",
        json!({ "command": "previous", "room": "bedroom" }),
        "en-US",
    ))
    .await;
    assert_eq!(sent[1].1, json!({ "queue_id": "Bedroom Echo", "index": 0 }));
}

#[tokio::test]
async fn whats_playing_in_a_room() {
    let (response, sent, _) = ask(intent(
        "NowPlayingIntent",
        json!({ "room": "living room play one" }),
        "en-US",
    ))
    .await;
    assert_eq!(
        sent,
        [("player_queues/get".to_owned(), json!({ "queue_id": PLAY1 }))]
    );
    let spoken = speech_text(&response).expect("speech");
    assert!(
        spoken.contains("Peace Piece") && spoken.contains("Bill Evans"),
        "{spoken}"
    );
}

#[tokio::test]
async fn music_assistant_errors_keep_their_answers() {
    let (response, _, _) = ask_with(
        intent(
            "SetVolumeIntent",
            json!({ "room": "downstairs", "level": "20" }),
            "en-US",
        ),
        None,
        Some("players/cmd/volume_set"),
    )
    .await;
    let spoken = speech_text(&response).expect("speech");
    assert_ne!(spoken, "Downstairs volume 20.");
    let failed_phrases =
        [Phrase::MaFailed, Phrase::MaUnknownQueue].map(|p| p.text(Language::English).to_owned());
    assert!(failed_phrases.contains(&spoken), "{spoken}");
    let (response, _, _) = ask_with(
        intent("TransferIntent", json!({ "room": "downstairs" }), "en-US"),
        None,
        Some("players/all"),
    )
    .await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::MaFailed.text(Language::English))
    );
}

#[tokio::test]
async fn a_missing_room_is_asked_for_and_every_language_is_spoken() {
    let (response, sent, _) = ask(intent("TransferIntent", json!({}), "en-US")).await;
    assert!(sent.is_empty());
    assert_eq!(Shape::of(&response), Shape::ask());
    assert_eq!(
        response["sessionAttributes"]["roomRequest"]["intent"],
        "TransferIntent"
    );

    let (response, _, _) = ask(intent(
        "RoomCommandIntent",
        json!({ "command": "pause", "room": "das bedroom" }),
        "de-DE",
    ))
    .await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Pause im Raum bedroom.")
    );
}
