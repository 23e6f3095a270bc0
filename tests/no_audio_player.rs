//! A device without the AudioPlayer interface (a Fire TV, the Alexa app) plays nothing itself.
//! It never takes over another Echo by a guess: without a `DEVICE_PLAYERS` entry, play by name,
//! favourites and queue commands ask for a room and send Music Assistant nothing; with one, they
//! act on that player (the owner's choice); a named room always works.

mod common;

use common::*;
use ma_alexa_skill::speech::{Language, Phrase};
use serde_json::{json, Value};

/// The device of the `*_no_audio_player` sample events.
const DEVICE: &str = "amzn1.ask.device.AEXAMPLENOAUDIOPLAYER2C4E6G8J0L2N4Q6S8U";

/// `stem` with the intent `name` and `slots` instead of its own.
fn with_intent(stem: &str, name: &str, slots: &[(&str, &str)]) -> Value {
    let mut event = event(stem);
    let slots: serde_json::Map<String, Value> = slots
        .iter()
        .map(|(slot, value)| ((*slot).to_owned(), json!({ "name": slot, "value": value })))
        .collect();
    event["request"]["intent"] =
        json!({ "name": name, "confirmationStatus": "NONE", "slots": slots });
    event
}

#[tokio::test]
async fn without_a_mapping_nothing_is_guessed_and_nothing_is_sent() {
    // In `home`, the Kitchen Echo is the only playing Alexa player: the guess the old rules made.
    let asks = [
        event("play_media_intent_no_audio_player"),
        event("play_favorites_intent_no_audio_player"),
        event("next_intent_no_audio_player"),
        with_intent("next_intent_no_audio_player", "AddToFavoritesIntent", &[]),
        with_intent("next_intent_no_audio_player", "AMAZON.ShuffleOnIntent", &[]),
        with_intent("next_intent_no_audio_player", "AMAZON.PreviousIntent", &[]),
        with_intent("next_intent_no_audio_player", "AMAZON.LoopOnIntent", &[]),
        with_intent(
            "next_intent_no_audio_player",
            "PlaySimilarIntent",
            &[("query", "so what")],
        ),
        with_intent(
            "next_intent_no_audio_player",
            "TransferIntent",
            &[("room", "bedroom echo")],
        ),
    ];
    for event in asks {
        let what = event["request"]["intent"]["name"].clone();
        let (bridge, ma) = home().await;
        let response = answer_with(settings_with_ma(&bridge.base(), &ma.base()), event).await;
        assert_eq!(Shape::of(&response), Shape::say(), "{what}");
        assert_eq!(
            speech_text(&response).as_deref(),
            Some(Phrase::NoAudioPlayerNoGuess.text(Language::English)),
            "{what}"
        );
        let sent: Vec<String> = ma.rpc_calls().into_iter().map(|c| c.0).collect();
        // A transfer reads the players to find the room first; nothing is commanded.
        assert!(
            sent.iter().all(|c| c == "players/all"),
            "{what}: Music Assistant got {sent:?}"
        );
        assert_eq!(bridge.count(), 0, "{what}");
    }
}

#[tokio::test]
async fn a_device_players_entry_makes_that_player_the_devices_own() {
    let (bridge, ma) = home().await;
    let mapping = json!({ DEVICE: "Bedroom Echo" }).to_string();
    let settings = settings_with_devices(&bridge.base(), &ma.base(), &mapping);
    let response = answer_with(settings, event("play_media_intent_no_audio_player")).await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Playing Kind of Blue by Miles Davis.")
    );
    // The device cannot stream: words only, and the bridge is not watched for it.
    assert_eq!(Shape::of(&response), Shape::say());
    assert_eq!(bridge.count(), 0);
    let calls = ma.rpc_calls();
    let last = calls.last().expect("calls");
    assert_eq!(last.0, "player_queues/play_media");
    assert_eq!(last.1["queue_id"], "Bedroom Echo");
}

#[tokio::test]
async fn a_named_room_plays_there_from_any_device() {
    let (bridge, ma) = home().await;
    let response = answer_with(
        settings_with_ma(&bridge.base(), &ma.base()),
        with_intent(
            "play_media_intent_no_audio_player",
            "PlayMediaIntent",
            &[("artist", "miles davis"), ("room", "bedroom echo")],
        ),
    )
    .await;
    assert_eq!(Shape::of(&response), Shape::say());
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Playing Miles Davis on Bedroom Echo.")
    );
    let calls = ma.rpc_calls();
    let last = calls.last().expect("calls");
    assert_eq!(last.0, "player_queues/play_media");
    assert_eq!(last.1["queue_id"], "Bedroom Echo");
}
