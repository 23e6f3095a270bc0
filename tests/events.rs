//! Every sample event in `events/`, through the real service, against a bridge and a Music
//! Assistant on 127.0.0.1.

mod common;

use common::*;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::service::Service;
use ma_alexa_skill::speech::{Language, Phrase};
use serde_json::Value;

/// The play-by-name events: they answer with words and the `Play` of the stream Music Assistant
/// pushed after `play_media` ([`NEXT_STREAM`]), having asked the bridge before and after.
const PLAYS_BY_NAME: [&str; 5] = [
    "play_media_intent",
    "play_media_album_by_artist_de-DE",
    "shuffle_media_intent",
    "play_similar_intent",
    "play_favorites_intent",
];

/// Previous and start over (`play_index`): like a play by name, the `Play` of the stream Music
/// Assistant pushed, with words for voice and without for the remote's button.
const PLAYS_BY_INDEX: [&str; 3] = [
    "previous_intent",
    "start_over_intent",
    "playback_controller_previous",
];

/// What each sample event must get in [`home`] (the bridge holds [`CURRENT_STREAM`], Music
/// Assistant is healthy), how many times the bridge is asked, and which Music Assistant commands
/// are sent.
fn expected(
    stem: &str,
) -> (
    Shape,
    std::ops::RangeInclusive<usize>,
    &'static [&'static str],
) {
    if PLAYS_BY_NAME.contains(&stem) {
        let ma: &[&str] = match stem {
            "shuffle_media_intent" => &[
                "music/search",
                "player_queues/shuffle",
                "player_queues/play_media",
            ],
            "play_similar_intent" => &[
                "players/all",
                "music/search",
                "providers",
                "player_queues/play_media",
            ],
            "play_favorites_intent" => &[
                "music/tracks/library_items",
                "player_queues/shuffle",
                "player_queues/play_media",
            ],
            _ => &["music/search", "player_queues/play_media"],
        };
        let shape = Shape {
            speech: true,
            ..Shape::play(0, Some(true))
        };
        return (shape, 2..=3, ma);
    }
    if PLAYS_BY_INDEX.contains(&stem) {
        let shape = match stem {
            "playback_controller_previous" => Shape::play(0, None),
            _ => Shape {
                speech: true,
                ..Shape::play(0, Some(true))
            },
        };
        return (
            shape,
            2..=3,
            &["player_queues/get", "player_queues/play_index"],
        );
    }
    let (shape, bridge) = expected_shape(stem);
    let bridge = if bridge { 1..=1 } else { 0..=0 };
    let ma: &[&str] = match stem {
        // Next and shuffle read the queue first: their confirmations are true.
        "next_intent" | "playback_controller_next" => &["player_queues/get", "player_queues/next"],
        "shuffle_on_intent" | "shuffle_off_intent" => {
            &["player_queues/get", "player_queues/shuffle"]
        }
        "loop_on_intent" | "loop_off_intent" | "repeat_intent" => &["player_queues/repeat"],
        "now_playing_intent" | "now_playing_intent_fr-FR" => &["player_queues/get"],
        "next_intent_without_token" => &["players/all", "player_queues/get", "player_queues/next"],
        "add_to_favorites_intent" => &[
            "player_queues/get",
            "players/add_currently_playing_to_favorites",
        ],
        // Rooms: the players are read to find the room; the Echo's bridge is never asked.
        "play_media_in_room" => &["players/all", "music/search", "player_queues/play_media"],
        "transfer_intent" => &["players/all", "player_queues/transfer"],
        "set_volume_intent" => &["players/all", "players/cmd/volume_set"],
        "room_command_intent" => &["players/all", "player_queues/pause"],
        "now_playing_in_room" => &["players/all", "player_queues/get"],
        "choose_room_intent" => &["players/all", "players/cmd/volume_up"],
        _ => &[],
    };
    (shape, bridge, ma)
}

fn expected_shape(stem: &str) -> (Shape, bool) {
    match stem {
        "launch"
        | "play_audio_intent"
        | "play_audio_legacy_name"
        | "play_audio_intent_de-DE"
        | "play_media_audio_query" => (Shape::play(0, Some(true)), true),
        "play_audio_intent_already_playing" => (Shape::end_session(), true),
        "play_media_intent_empty" => (Shape::ask(), false),
        "add_to_favorites_intent" => (Shape::say(), false),
        "play_media_in_room"
        | "set_volume_intent"
        | "room_command_intent"
        | "now_playing_in_room"
        | "choose_room_intent" => (Shape::say(), false),
        // Moved away from this Echo: its own playback stops.
        "transfer_intent" => (
            Shape {
                speech: true,
                ..Shape::stop(Some(true))
            },
            false,
        ),
        "resume_intent" => (Shape::play(83_140, Some(true)), true),
        "resume_intent_older_stream" => (Shape::play(0, Some(true)), true),
        "pause_intent" | "stop_intent" | "cancel_intent" => (Shape::stop(Some(true)), false),
        "help_intent" | "help_intent_es-ES" => (Shape::ask(), false),
        "fallback_intent" | "unknown_intent" => (Shape::ask(), false),
        "malformed_intent_request" => (Shape::say(), false),
        "navigate_home_intent" => (Shape::end_session(), false),
        "next_intent"
        | "shuffle_on_intent"
        | "shuffle_off_intent"
        | "loop_on_intent"
        | "loop_off_intent"
        | "repeat_intent"
        | "next_intent_without_token"
        | "now_playing_intent"
        | "now_playing_intent_fr-FR" => (Shape::say(), false),
        "play_audio_intent_no_audio_player" => (Shape::say(), false),
        // No AudioPlayer and no DEVICE_PLAYERS entry: no player is guessed, nothing is sent.
        "play_media_intent_no_audio_player"
        | "play_favorites_intent_no_audio_player"
        | "next_intent_no_audio_player" => (Shape::say(), false),
        "playback_started" | "playback_stopped" | "playback_finished" => (Shape::empty(), false),
        "playback_nearly_finished" => (Shape::enqueue(OLDER_TOKEN), true),
        "playback_nearly_finished_same_stream" => (Shape::empty(), true),
        "playback_failed" => (Shape::play(0, None), true),
        "playback_failed_same_stream" => (Shape::empty(), true),
        "playback_controller_play" => (Shape::play(83_140, None), true),
        "playback_controller_pause" => (Shape::stop(None), false),
        "playback_controller_next" => (Shape::empty(), false),
        "exception_encountered" | "session_ended" | "skill_enabled" | "unknown_request_type" => {
            (Shape::empty(), false)
        }
        other => panic!("events/{other}.json has no expected outcome: add it to this table"),
    }
}

#[tokio::test]
async fn every_sample_event_gets_its_answer() {
    let events = all_events();
    assert!(events.len() >= 42, "only {} sample events", events.len());
    for (stem, event) in events {
        let (bridge, ma) = home().await;
        let service = Service::new(settings_with_ma(&bridge.base(), &ma.base()));
        let request_type = event["request"]["type"].as_str().unwrap_or("").to_owned();
        let response = service
            .answer(event, Deadline::local())
            .await
            .unwrap_or_else(|e| panic!("{stem}: refused: {e}"));
        let response = serde_json::to_value(&response).expect("serializes");
        let (shape, asks_bridge, ma_commands) = expected(&stem);
        assert_eq!(Shape::of(&response), shape, "{stem}: {response:#}");
        assert!(
            asks_bridge.contains(&bridge.count()),
            "{stem}: {} bridge requests, not {asks_bridge:?}",
            bridge.count()
        );
        let sent: Vec<String> = ma
            .rpc_calls()
            .into_iter()
            .map(|(command, _, _)| command)
            .collect();
        assert_eq!(sent, ma_commands, "{stem}: Music Assistant commands");
        assert_contract(&request_type, &response, &stem);

        if let Some(play) = response["response"]["directives"]
            .as_array()
            .and_then(|d| d.iter().find(|d| d["type"] == "AudioPlayer.Play"))
        {
            let item = &play["audioItem"];
            if PLAYS_BY_NAME.contains(&stem.as_str()) || PLAYS_BY_INDEX.contains(&stem.as_str()) {
                assert_eq!(item["stream"]["url"], NEXT_PUBLIC, "{stem}");
                assert_eq!(item["metadata"]["title"], "Blue in Green", "{stem}");
                continue;
            }
            assert_eq!(item["stream"]["url"], CURRENT_PUBLIC, "{stem}");
            assert_eq!(item["stream"]["token"], CURRENT_TOKEN, "{stem}");
            assert_eq!(item["metadata"]["title"], "So What", "{stem}");
            assert_eq!(
                item["metadata"]["subtitle"], "Miles Davis – Kind of Blue",
                "{stem}"
            );
            assert_eq!(
                item["metadata"]["art"]["sources"][0]["url"],
                "https://ma.example.net/imageproxy?path=%2Fmedia%2Fkind_of_blue.jpg&size=512",
                "{stem}"
            );
        }
    }
}

async fn speech_of(stem: &str) -> String {
    let (bridge, ma) = home().await;
    let service = Service::new(settings_with_ma(&bridge.base(), &ma.base()));
    let response = service
        .answer(event(stem), Deadline::local())
        .await
        .expect("answered");
    let response = serde_json::to_value(&response).expect("serializes");
    speech_text(&response).unwrap_or_else(|| panic!("{stem}: no speech"))
}

#[tokio::test]
async fn speech_follows_the_request_language() {
    let cases = [
        ("help_intent", Phrase::Help, Language::English),
        ("help_intent_es-ES", Phrase::Help, Language::Spanish),
        (
            "play_audio_intent_no_audio_player",
            Phrase::NoAudioPlayer,
            Language::English,
        ),
        (
            "play_media_intent_no_audio_player",
            Phrase::NoAudioPlayerNoGuess,
            Language::English,
        ),
        (
            "next_intent_no_audio_player",
            Phrase::NoAudioPlayerNoGuess,
            Language::English,
        ),
        ("fallback_intent", Phrase::Fallback, Language::English),
        ("unknown_intent", Phrase::Fallback, Language::English),
        ("next_intent", Phrase::NextDone, Language::English),
        ("previous_intent", Phrase::PreviousDone, Language::English),
        (
            "start_over_intent",
            Phrase::StartOverDone,
            Language::English,
        ),
        (
            "shuffle_on_intent",
            Phrase::ShuffleOnDone,
            Language::English,
        ),
        (
            "shuffle_off_intent",
            Phrase::ShuffleOffDone,
            Language::English,
        ),
        ("loop_on_intent", Phrase::LoopOnDone, Language::English),
        ("loop_off_intent", Phrase::LoopOffDone, Language::English),
        ("repeat_intent", Phrase::RepeatOneDone, Language::English),
        (
            "malformed_intent_request",
            Phrase::Malformed,
            Language::English,
        ),
    ];
    for (stem, phrase, language) in cases {
        assert_eq!(speech_of(stem).await, phrase.text(language), "{stem}");
    }
    assert_eq!(
        speech_of("now_playing_intent").await,
        "This is So What by Miles Davis, from Kind of Blue."
    );
    assert_eq!(
        speech_of("now_playing_intent_fr-FR").await,
        "C'est So What de Miles Davis, sur l'album Kind of Blue."
    );
    for (stem, said) in [
        ("play_media_intent", "Playing Kind of Blue by Miles Davis."),
        (
            "play_media_album_by_artist_de-DE",
            "Ich spiele Kind of Blue von Miles Davis.",
        ),
        ("shuffle_media_intent", "Shuffling Chill."),
        ("play_similar_intent", "Playing music like Miles Davis."),
        ("play_favorites_intent", "Shuffling your favorite songs."),
        (
            "add_to_favorites_intent",
            "Added So What to your favorites.",
        ),
        (
            "play_media_intent_empty",
            Phrase::AskWhatToPlay.text(Language::English),
        ),
    ] {
        assert_eq!(speech_of(stem).await, said, "{stem}");
    }
}

#[tokio::test]
async fn help_reprompts_in_the_request_language() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let service = Service::new(settings_for(&bridge.base()));
    let response = service
        .answer(event("help_intent_es-ES"), Deadline::local())
        .await
        .expect("answered");
    let response = serde_json::to_value(&response).expect("serializes");
    assert_eq!(
        response["response"]["reprompt"]["outputSpeech"]["text"],
        Phrase::HelpReprompt.text(Language::Spanish)
    );
}

#[tokio::test]
async fn every_sample_event_is_for_the_sample_skill_and_realistic() {
    for (stem, event) in all_events() {
        let app = &event["context"]["System"]["application"]["applicationId"];
        assert_eq!(app, SKILL_ID, "{stem}");
        let request = &event["request"];
        for key in ["type", "requestId", "timestamp"] {
            assert!(
                request.get(key).is_some_and(|v| !v.is_null()),
                "{stem}: request.{key}"
            );
        }
        let in_session = matches!(
            request["type"].as_str(),
            Some("LaunchRequest" | "IntentRequest" | "SessionEndedRequest")
        );
        assert_eq!(
            event.get("session").is_some(),
            in_session,
            "{stem}: session presence"
        );
        assert_eq!(event["version"], Value::from("1.0"), "{stem}");
    }
}

#[tokio::test]
async fn help_offers_only_what_the_settings_allow() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let response = answer_with(settings_for(&bridge.base()), event("help_intent")).await;
    assert_eq!(Shape::of(&response), Shape::ask());
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::HelpWithoutMusicAssistant.text(Language::English))
    );
    assert_eq!(bridge.count(), 0);
}
