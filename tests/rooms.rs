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
        spoken.starts_with("Playing ") && spoken.ends_with(" on Living Room Sonos."),
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
        Some("Which speaker: Living Room Sonos or Living Room Play:1?")
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
    assert!(spoken.ends_with(" on Living Room Sonos."), "{spoken}");
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
        Some("Music Assistant shows Garage Speaker as unavailable right now.")
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
        Some("Moved the music to Living Room Sonos.")
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
            "Set the volume on Downstairs to 30.",
        ),
        (
            json!({ "room": "downstairs", "direction": "up" }),
            Some(("players/cmd/volume_up", json!({ "player_id": GROUP }))),
            "Turned up the volume on Downstairs.",
        ),
        (
            json!({ "room": "downstairs", "direction": "quieter" }),
            Some(("players/cmd/volume_down", json!({ "player_id": GROUP }))),
            "Turned down the volume on Downstairs.",
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
        assert_eq!(spoken, said, "{slots}");
    }
}

#[tokio::test]
async fn commands_in_a_room_reach_that_queue() {
    let cases = [
        ("pause", vec!["player_queues/pause"], "Paused Bedroom Echo."),
        ("stop", vec!["player_queues/stop"], "Stopped Bedroom Echo."),
        (
            "resume",
            vec!["player_queues/resume"],
            "Resumed Bedroom Echo.",
        ),
        (
            "next",
            vec!["player_queues/get", "player_queues/next"],
            "Next track on Bedroom Echo.",
        ),
        (
            "previous",
            vec!["player_queues/get", "player_queues/play_index"],
            "Previous track on Bedroom Echo.",
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
    assert_ne!(spoken, "Set the volume on Downstairs to 20.");
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
        Some("Wiedergabe auf dem Lautsprecher „Bedroom Echo“ pausiert.")
    );
}

// ---------------------------------------------------------------------------------------------
// Houses generated with music-assistant-models (tests/fixtures/ma, scripts/ma-fixtures)
// ---------------------------------------------------------------------------------------------

/// `players/all` of a house whose names trip word-by-word matching and the grammar of answers.
const ROOM_NAMES: &str = include_str!("fixtures/ma/players_all_room_names.json");
/// `players/all` of a house with "The Den".
const THE_DEN: &str = include_str!("fixtures/ma/players_all_the_den.json");

/// The answer to `event` from a Music Assistant whose `players/all` is `players` (queues at
/// their second of five items), and the commands it received, `players/all` left out.
async fn ask_house(
    players: &str,
    event: Value,
    aliases: Option<&str>,
) -> (Value, Vec<(String, Value)>) {
    let log: Log = Arc::default();
    let seen = Arc::clone(&log);
    let players = players.to_owned();
    let ma = Stub::music_assistant(move |command, args| {
        if command != "players/all" {
            seen.lock()
                .expect("lock")
                .push((command.to_owned(), args.clone()));
        }
        match command {
            "players/all" => Reply::ok(players.clone()),
            "player_queues/get" => {
                Reply::ok(include_str!("fixtures/ma/queue_living_room_play_1.json"))
            }
            "music/search" => Reply::ok(search_results(args).to_string()),
            _ => Reply::ok("null"),
        }
    })
    .await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
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
    (response, sent)
}

/// "pause in the {room}" in `locale`: the player paused, if any.
async fn paused_in(players: &str, room: &str, locale: &str, aliases: Option<&str>) -> Value {
    let event = intent(
        "RoomCommandIntent",
        json!({ "command": "pause", "room": room }),
        locale,
    );
    let (response, sent) = ask_house(players, event, aliases).await;
    match sent.as_slice() {
        [(command, args)] if command == "player_queues/pause" => args["queue_id"].clone(),
        [] => Value::Null,
        other => panic!("{room} ({locale}): {other:?}, {response}"),
    }
}

#[tokio::test]
async fn rooms_named_like_articles_are_found_in_the_request_language() {
    let cases = [
        ("en-US", "den", "media_player.den"),
        ("en-US", "the den", "media_player.den"),
        ("en-US", "in the den", "media_player.den"),
        ("de-DE", "den", "media_player.den"),
        ("en-US", "room", "media_player.room"),
        ("en-US", "the room", "media_player.room"),
        ("en-US", "room a", "media_player.room_a"),
        ("es-ES", "room a", "media_player.room_a"),
        ("pt-BR", "room a", "media_player.room_a"),
        ("it-IT", "room a", "media_player.room_a"),
        ("nl-NL", "het kantoor", "media_player.kantoor"),
        ("nl-NL", "kantoor", "media_player.kantoor"),
        ("de-DE", "in der küche", "media_player.kuche"),
        ("de-DE", "die Küche", "media_player.kuche"),
        ("en-US", "patio", "media_player.patio"),
        ("en-US", "the patio speakers", "media_player.patio"),
    ];
    for (locale, room, want) in cases {
        assert_eq!(
            paused_in(ROOM_NAMES, room, locale, None).await,
            want,
            "{room} ({locale})"
        );
    }
    for (locale, room) in [
        ("en-US", "den"),
        ("en-US", "the den"),
        ("de-DE", "den"),
        ("de-DE", "the den"),
        ("fr-FR", "the den"),
    ] {
        assert_eq!(
            paused_in(THE_DEN, room, locale, None).await,
            "media_player.the_den",
            "{room} ({locale})"
        );
    }
}

#[tokio::test]
async fn aliases_named_like_articles_are_found_in_the_request_language() {
    let aliases = json!({ "the den": "media_player.kantoor", "het werk": "media_player.kantoor" })
        .to_string();
    let cases = [
        ("en-US", "den", "media_player.kantoor"),
        ("en-US", "the den", "media_player.kantoor"),
        ("nl-NL", "werk", "media_player.kantoor"),
        // "the" is no German article: the alias "the den" is not "den" in German.
        ("de-DE", "den", "media_player.den"),
    ];
    for (locale, room, want) in cases {
        assert_eq!(
            paused_in(ROOM_NAMES, room, locale, Some(&aliases)).await,
            want,
            "{room} ({locale})"
        );
    }
}

/// Each locale with the articles (and prepositions fused with one) of its language.
const LOCALES: [(&str, &[&str]); 7] = [
    ("en-US", &["the", "a", "an"]),
    (
        "de-DE",
        &[
            "der", "die", "das", "den", "dem", "des", "im", "am", "zum", "zur", "ins", "vom",
        ],
    ),
    ("es-ES", &["el", "la", "los", "las", "al", "del"]),
    (
        "fr-FR",
        &["le", "la", "les", "l'", "au", "aux", "du", "des"],
    ),
    (
        "it-IT",
        &[
            "il", "lo", "la", "i", "gli", "le", "l'", "nel", "nella", "al", "alla", "del", "della",
            "sul", "sulla", "nell'", "sull'", "dell'",
        ],
    ),
    ("nl-NL", &["de", "het", "een", "'t"]),
    (
        "pt-BR",
        &[
            "o", "a", "os", "as", "no", "na", "nos", "nas", "do", "da", "ao", "à",
        ],
    ),
];

/// Checks that `text` names `name` as Music Assistant shows it, with no article of its own.
fn names_without_article(text: &str, name: &str, articles: &[&str], what: &str) {
    let at = text
        .find(name)
        .unwrap_or_else(|| panic!("{what}: {name:?} not named: {text}"));
    let before = text[..at].trim_end_matches([' ', '\u{a0}', '„', '«', '"']);
    let word = before
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("")
        .trim_end_matches([':', ','])
        .to_lowercase();
    assert!(
        !articles.contains(&word.as_str()),
        "{what}: an article before {name:?}: {text}"
    );
}

#[tokio::test]
async fn answers_name_the_player_as_music_assistant_shows_it_in_every_language() {
    // Spoken as Alexa passes it (lower case); named as the owner wrote it: a Dutch het-word, a
    // German feminine noun, an English plural.
    let rooms = [
        ("kantoor", "Kantoor"),
        ("küche", "Küche"),
        ("patio speakers", "Patio Speakers"),
    ];
    let requests = [
        ("PlayMediaIntent", json!({ "artist": "miles davis" })),
        ("PlayMediaIntent", json!({ "playlist": "chill" })),
        ("TransferIntent", json!({})),
        ("SetVolumeIntent", json!({ "level": "30" })),
        ("SetVolumeIntent", json!({ "direction": "up" })),
        ("SetVolumeIntent", json!({ "direction": "down" })),
        ("RoomCommandIntent", json!({ "command": "pause" })),
        ("RoomCommandIntent", json!({ "command": "stop" })),
        ("RoomCommandIntent", json!({ "command": "resume" })),
        ("RoomCommandIntent", json!({ "command": "next" })),
        ("RoomCommandIntent", json!({ "command": "previous" })),
    ];
    for (locale, articles) in LOCALES {
        for (spoken, name) in rooms {
            for (intent_name, slots) in &requests {
                let mut slots = slots.clone();
                slots["room"] = json!(spoken);
                let what = format!("{intent_name} {slots} ({locale})");
                let (response, sent) =
                    ask_house(ROOM_NAMES, intent(intent_name, slots, locale), None).await;
                assert!(!sent.is_empty(), "{what}: nothing sent: {response}");
                let text = speech_text(&response).expect("speech");
                assert!(!text.contains(spoken), "{what}: as heard: {text}");
                names_without_article(&text, name, articles, &what);
            }
        }
        // Unavailable, which one, unknown.
        let event = intent("TransferIntent", json!({ "room": "zolder" }), locale);
        let text = speech_text(&ask_house(ROOM_NAMES, event, None).await.0).expect("speech");
        names_without_article(
            &text,
            "Zolder",
            articles,
            &format!("unavailable ({locale})"),
        );
        let event = intent("TransferIntent", json!({ "room": "woonkamer" }), locale);
        let text = speech_text(&ask_house(ROOM_NAMES, event, None).await.0).expect("speech");
        for name in ["Woonkamer Links", "Woonkamer Rechts"] {
            names_without_article(&text, name, articles, &format!("which ({locale})"));
        }
        let event = intent("TransferIntent", json!({ "room": "the garage" }), locale);
        let text = speech_text(&ask_house(ROOM_NAMES, event, None).await.0).expect("speech");
        assert!(!text.contains('{'), "{text}");
        names_without_article(&text, "garage", articles, &format!("unknown ({locale})"));
    }
}

/// A hostile `players/all`: the Kitchen Echo and `count` copies of a generated player (the Den
/// Sonos of [`ROOM_NAMES`]) under other ids and names. Built here, not by generate.py: such
/// replies run to megabytes, and what matters is their size, not a new shape.
fn copies(count: usize, id_and_name: impl Fn(usize) -> (String, String)) -> String {
    let house: Vec<Value> = serde_json::from_str(ROOM_NAMES).expect("fixture");
    let template = house
        .iter()
        .find(|p| p["player_id"] == "media_player.den")
        .expect("the Den")
        .clone();
    let mut players = vec![house[0].clone()];
    for i in 0..count {
        let (id, name) = id_and_name(i);
        let mut player = template.clone();
        player["player_id"] = json!(id);
        player["name"] = json!(name);
        player["display_name"] = json!(name);
        players.push(player);
    }
    Value::Array(players).to_string()
}

/// Well inside Alexa's 24 KB for a whole response (`assert_contract` checks the limit itself).
const WELL_INSIDE: usize = 8 * 1024;

fn size_of(response: &Value) -> usize {
    serde_json::to_vec(response).expect("serializes").len()
}

/// `room` answered to the question `asked` kept.
fn answer_to(asked: &Value, room: &str) -> Value {
    let mut answer = intent("ChooseRoomIntent", json!({ "room": room }), "en-US");
    answer["session"]["new"] = json!(false);
    answer["session"]["attributes"] = asked["sessionAttributes"].clone();
    answer
}

#[tokio::test]
async fn which_room_stays_small_in_hostile_houses() {
    let volume = || {
        intent(
            "SetVolumeIntent",
            json!({ "room": "office", "level": "30" }),
            "en-US",
        )
    };
    let long_id = |c: &str| format!("media_player.{}", c.repeat(500_000));

    // 2,000 players named "Office", and two named "Office" with 500 KB ids: nothing tells them
    // apart by voice, so no question; the owner hears how to fix it.
    for house in [
        copies(2000, |i| {
            (format!("media_player.office_{i}"), "Office".into())
        }),
        copies(2, |i| (long_id(["a", "b"][i]), "Office".into())),
    ] {
        let (response, sent) = ask_house(&house, volume(), None).await;
        assert!(sent.is_empty());
        assert!(
            size_of(&response) < WELL_INSIDE,
            "{} bytes",
            size_of(&response)
        );
        assert_contract("IntentRequest", &response, "same names");
        let text = speech_text(&response).expect("speech");
        assert!(
            text.contains("more than one speaker called Office"),
            "{text}"
        );
    }

    // 2,000 players named apart: three are offered, none kept, the answer is a room like any.
    let house = copies(2000, |i| {
        (format!("media_player.office_{i}"), format!("Office {i}"))
    });
    let (asked, sent) = ask_house(&house, volume(), None).await;
    assert!(sent.is_empty());
    assert!(size_of(&asked) < WELL_INSIDE, "{} bytes", size_of(&asked));
    assert_contract("IntentRequest", &asked, "2,000 offices");
    assert_eq!(Shape::of(&asked), Shape::ask());
    assert!(asked["sessionAttributes"]["roomRequest"]["candidates"].is_null());
    let (response, sent) = ask_house(&house, answer_to(&asked, "office 7"), None).await;
    assert_eq!(
        sent,
        [(
            "players/cmd/volume_set".to_owned(),
            json!({ "player_id": "media_player.office_7", "volume_level": 30 })
        )],
        "{response}"
    );

    // Two players with 500 KB ids: kept by fingerprint, and the answer still reaches one.
    let ids = [long_id("a"), long_id("b")];
    let house = copies(2, |i| {
        (ids[i].clone(), ["Office Left", "Office Right"][i].into())
    });
    let (asked, sent) = ask_house(&house, volume(), None).await;
    assert!(sent.is_empty());
    assert!(size_of(&asked) < WELL_INSIDE, "{} bytes", size_of(&asked));
    assert_contract("IntentRequest", &asked, "500 KB ids");
    assert_eq!(
        speech_text(&asked).as_deref(),
        Some("Which speaker: Office Left or Office Right?")
    );
    let (response, sent) = ask_house(&house, answer_to(&asked, "office right"), None).await;
    let reached = sent
        .first()
        .map(|(c, a)| (c.as_str(), a["player_id"].as_str()));
    assert!(
        reached == Some(("players/cmd/volume_set", Some(ids[1].as_str()))),
        "{} commands, {response:.300}",
        sent.len()
    );
}
