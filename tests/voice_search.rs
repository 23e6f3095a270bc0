//! Playing by name against a recording Music Assistant on 127.0.0.1: each phrase form sends
//! exactly its search and `play_media`, and says what plays. With the real bridge, the answer
//! carries the `Play` of the stream Music Assistant pushes.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::bridge_process::{BridgeProcess, TempDir};
use common::*;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::service::Service;
use ma_alexa_skill::speech::{Language, Phrase};
use serde_json::{json, Value};

/// A play-by-name request from the Kitchen Echo (its token names its queue).
fn request(intent: &str, slots: &[(&str, &str)], locale: &str) -> Value {
    let mut event = event("play_media_intent");
    event["request"]["locale"] = json!(locale);
    let slots: serde_json::Map<String, Value> = slots
        .iter()
        .map(|(name, value)| ((*name).to_owned(), json!({ "name": name, "value": value })))
        .collect();
    event["request"]["intent"] =
        json!({ "name": intent, "confirmationStatus": "NONE", "slots": slots });
    event
}

async fn ask(event: Value) -> (Value, Stub) {
    let (bridge, ma) = home().await;
    let response = answer_with(settings_with_ma(&bridge.base(), &ma.base()), event).await;
    (response, ma)
}

/// The JSON-RPC calls, without the ones the answer does not depend on.
fn calls(ma: &Stub) -> Vec<(String, Value)> {
    ma.rpc_calls()
        .into_iter()
        .map(|(command, args, _)| (command, args))
        .collect()
}

fn play_media(uri: &str, radio: bool) -> (String, Value) {
    (
        "player_queues/play_media".into(),
        json!({ "queue_id": QUEUE, "media": [uri], "option": "replace", "radio_mode": radio }),
    )
}

fn search(query: &str, types: &[&str]) -> (String, Value) {
    (
        "music/search".into(),
        json!({ "search_query": query, "media_types": types, "limit": 10 }),
    )
}

/// An intent, its slots, the calls it must make and what it must say.
type Case = (
    &'static str,
    Vec<(&'static str, &'static str)>,
    Vec<(String, Value)>,
    &'static str,
);

#[tokio::test]
async fn each_phrase_form_searches_and_plays_exactly_what_it_names() {
    let all = ["artist", "album", "playlist", "track", "radio"];
    let cases: Vec<Case> = vec![
        (
            "PlayMediaIntent",
            vec![("query", "kind of blue")],
            vec![
                search("kind of blue", &all),
                play_media("library://album/7", false),
            ],
            "Playing Kind of Blue by Miles Davis.",
        ),
        (
            "PlayMediaIntent",
            vec![("artist", "miles davis")],
            vec![
                search("miles davis", &["artist"]),
                play_media("library://artist/5", false),
            ],
            "Playing Miles Davis.",
        ),
        (
            "PlayMediaIntent",
            vec![("album", "kind of blue"), ("artist", "kind of blue trio")],
            vec![
                search("kind of blue", &["album"]),
                play_media("tidal--Ug2h7CvN://album/t9", false),
            ],
            "Playing Kind of Blue by Kind of Blue Trio.",
        ),
        (
            "PlayMediaIntent",
            vec![("track", "so what"), ("artist", "miles davis")],
            vec![
                search("so what", &["track"]),
                play_media("library://track/88", false),
            ],
            "Playing So What by Miles Davis.",
        ),
        (
            "PlayMediaIntent",
            vec![("playlist", "chill")],
            vec![
                search("chill", &["playlist"]),
                play_media("library://playlist/3", false),
            ],
            "Playing Chill.",
        ),
        (
            "PlayMediaIntent",
            vec![("radio", "jazz fm")],
            vec![
                search("jazz fm", &["radio"]),
                play_media("tunein://radio/s1234", false),
            ],
            "Playing Jazz FM.",
        ),
        (
            "ShuffleMediaIntent",
            vec![("album", "kind of blue")],
            vec![
                search("kind of blue", &["album"]),
                (
                    "player_queues/shuffle".into(),
                    json!({ "queue_id": QUEUE, "shuffle_enabled": true }),
                ),
                play_media("library://album/7", false),
            ],
            "Shuffling Kind of Blue by Miles Davis.",
        ),
        (
            "PlaySimilarIntent",
            vec![("query", "so what")],
            vec![
                search("so what", &["artist", "track"]),
                ("providers".into(), json!({})),
                play_media("library://track/88", true),
            ],
            "Playing music like So What by Miles Davis.",
        ),
    ];
    for (intent, slots, wanted_calls, said) in cases {
        let what = format!("{intent} {slots:?}");
        let (response, ma) = ask(request(intent, &slots, "en-US")).await;
        assert_eq!(calls(&ma), wanted_calls, "{what}");
        assert_eq!(speech_text(&response).as_deref(), Some(said), "{what}");
        let play = &response["response"]["directives"][0];
        assert_eq!(play["type"], "AudioPlayer.Play", "{what}");
        assert_eq!(play["audioItem"]["stream"]["url"], NEXT_PUBLIC, "{what}");
        assert_contract("IntentRequest", &response, &what);
    }
}

#[tokio::test]
async fn music_assistants_play_phrase_still_plays_what_it_pushed() {
    for (query, locale) in [("audio", "en-US"), ("l'audio", "fr-FR"), ("áudio", "pt-BR")] {
        let (response, ma) = ask(request("PlayMediaIntent", &[("query", query)], locale)).await;
        assert!(calls(&ma).is_empty(), "{query}: no search");
        assert_eq!(Shape::of(&response), Shape::play(0, Some(true)), "{query}");
        assert_eq!(
            response["response"]["directives"][0]["audioItem"]["stream"]["url"],
            CURRENT_PUBLIC
        );
    }
}

#[tokio::test]
async fn nothing_found_nothing_heard_and_no_music_assistant_each_get_their_answer() {
    // Nothing found: said plainly, nothing played.
    let (bridge, ma) = home().await;
    let nothing = Stub::music_assistant(|command, args| match command {
        "music/search" => ma_reply("search_nothing"),
        _ => healthy_music_assistant(command, args),
    })
    .await;
    drop(ma);
    let response = answer_with(
        settings_with_ma(&bridge.base(), &nothing.base()),
        request("PlayMediaIntent", &[("query", "zzyzx road")], "en-US"),
    )
    .await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("I couldn't find zzyzx road in Music Assistant.")
    );
    assert_eq!(Shape::of(&response), Shape::say());
    let commands: Vec<String> = nothing.rpc_calls().into_iter().map(|c| c.0).collect();
    assert_eq!(commands, ["music/search"]);

    // Nothing heard: ask once, session open.
    let (response, ma) = ask(request("PlayMediaIntent", &[], "es-ES")).await;
    assert_eq!(Shape::of(&response), Shape::ask());
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::AskWhatToPlay.text(Language::Spanish))
    );
    assert!(calls(&ma).is_empty());

    // No Music Assistant API: said in plain words, nothing sent anywhere.
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let response = answer_with(
        settings_for(&bridge.base()),
        request("PlayMediaIntent", &[("query", "kind of blue")], "en-US"),
    )
    .await;
    let said = speech_text(&response).expect("spoken");
    assert_eq!(said, Phrase::NeedsMusicAssistant.text(Language::English));
    assert!(!said.contains("isn't set up"), "{said}");
    assert_eq!(bridge.count(), 0);
}

#[tokio::test]
async fn favorites_play_shuffled_and_the_current_song_becomes_one() {
    let (response, ma) = ask(request("PlayFavoritesIntent", &[], "en-US")).await;
    assert_eq!(
        calls(&ma),
        [
            (
                "music/tracks/library_items".to_owned(),
                json!({ "favorite": true, "limit": 250 })
            ),
            (
                "player_queues/shuffle".to_owned(),
                json!({ "queue_id": QUEUE, "shuffle_enabled": true })
            ),
            (
                "player_queues/play_media".to_owned(),
                json!({ "queue_id": QUEUE, "media": ["library://track/88", "library://track/91", "library://track/97"],
                        "option": "replace", "radio_mode": false })
            ),
        ]
    );
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Shuffling your favorite songs.")
    );

    let (response, ma) = ask(request("AddToFavoritesIntent", &[], "de-DE")).await;
    assert_eq!(
        calls(&ma).last(),
        Some(&(
            "players/add_currently_playing_to_favorites".to_owned(),
            json!({ "player_id": QUEUE })
        ))
    );
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("So What ist jetzt in deinen Favoriten.")
    );

    // An empty queue: nothing to add, and nothing is sent.
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let empty = Stub::music_assistant(|command, args| match command {
        "player_queues/get" => ma_reply("queue_kitchen_echo_empty"),
        _ => healthy_music_assistant(command, args),
    })
    .await;
    let service = Service::new(settings_with_ma(&bridge.base(), &empty.base()));
    let response = service
        .answer(
            request("AddToFavoritesIntent", &[], "en-US"),
            Deadline::local(),
        )
        .await
        .expect("answered");
    let response = serde_json::to_value(&response).expect("serializes");
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::NothingToFavorite.text(Language::English))
    );
    let commands: Vec<String> = empty.rpc_calls().into_iter().map(|c| c.0).collect();
    assert_eq!(commands, ["player_queues/get"]);
}

#[tokio::test]
async fn names_are_spoken_short_and_as_text() {
    let long = format!("{} {{artist}} <speak>", "Symphony ".repeat(30));
    let ma = Stub::music_assistant(move |command, args| match command {
        "music/search" => {
            // The generated library album, renamed.
            let mut found = search_results(args);
            let mut album = found["albums"][2].clone();
            album["name"] = json!(long);
            album["artists"][0]["name"] = json!("Orchestra & Choir");
            found["albums"] = json!([album]);
            Reply::ok(found.to_string())
        }
        _ => healthy_music_assistant(command, args),
    })
    .await;
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let response = answer_within(
        settings_with_ma(&bridge.base(), &ma.base()),
        request("PlayMediaIntent", &[("album", "symphony")], "en-US"),
        Deadline::after(Duration::from_millis(1500)),
    )
    .await;
    let said = speech_text(&response).expect("spoken");
    assert!(said.len() < 200, "{said}");
    assert!(said.ends_with("… by Orchestra & Choir."), "{said}");
    assert_eq!(response["response"]["outputSpeech"]["type"], "PlainText");
}

/// The timing the issue asks to report: Music Assistant accepts `play_media`, pushes the new
/// stream to the (real) bridge a moment later and answers only after making the Echo speak; the
/// skill answers as soon as the stream is on the bridge. Prints the figure; asserts the Play.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_plays_the_new_stream_as_soon_as_it_reaches_the_bridge() {
    const PUSH_AFTER: Duration = Duration::from_millis(300);
    const ANSWER_AFTER: Duration = Duration::from_millis(2500);
    let dir = TempDir::new("voice-search-timing");
    let state = dir.path().join("state.json");
    let bridge = Arc::new(BridgeProcess::start(&[(
        "BRIDGE_STATE_FILE",
        state.to_str().expect("utf-8"),
    )]));
    let push_to = bridge.base.clone();
    // The stream the Echo played before.
    push_json(&push_to, &json!({ "streamUrl": CURRENT_STREAM })).await;
    let ma = Stub::spawn(move |seen| {
        let body: Value = serde_json::from_slice(&seen.body).unwrap_or(Value::Null);
        let command = body["command"].as_str().unwrap_or_default();
        if command == "player_queues/play_media" {
            let push_to = push_to.clone();
            tokio::spawn(async move {
                tokio::time::sleep(PUSH_AFTER).await;
                push_json(
                    &push_to,
                    &json!({ "streamUrl": NEXT_STREAM, "title": "Blue in Green" }),
                )
                .await;
            });
            return Reply::Slow(ANSWER_AFTER, 200, "null".into());
        }
        healthy_music_assistant(command, &body["args"])
    })
    .await;
    let service = Service::new(settings_with_ma(&bridge.base, &ma.base()));
    let started = Instant::now();
    let response = service
        .answer(
            request("PlayMediaIntent", &[("query", "kind of blue")], "en-US"),
            Deadline::local(),
        )
        .await
        .expect("answered");
    let took = started.elapsed();
    let response = serde_json::to_value(&response).expect("serializes");
    assert_eq!(
        response["response"]["directives"][0]["audioItem"]["stream"]["url"],
        NEXT_PUBLIC
    );
    assert!(
        took < ANSWER_AFTER,
        "answered before Music Assistant did: {took:?}"
    );
    println!(
        "play by name: Play directive {:.0} ms after the request (Music Assistant pushed after {} ms and answered after {} ms)",
        took.as_secs_f64() * 1000.0,
        PUSH_AFTER.as_millis(),
        ANSWER_AFTER.as_millis()
    );
}

async fn push_json(base: &str, body: &Value) {
    let response = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .post(format!("{base}/ma/push-url"))
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("pushed");
    assert_eq!(response.status().as_u16(), 200);
}

/// Music Assistant neither confirms `play_media` nor pushes a stream before the answer is due:
/// the skill says it asked, not that it plays, and not that it failed.
#[tokio::test]
async fn an_unconfirmed_play_is_reported_as_asked() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let ma = Stub::music_assistant(|command, args| match command {
        "player_queues/play_media" => Reply::Slow(Duration::from_secs(5), 200, "null".into()),
        _ => healthy_music_assistant(command, args),
    })
    .await;
    let response = answer_within(
        settings_with_ma(&bridge.base(), &ma.base()),
        request("PlayMediaIntent", &[("query", "kind of blue")], "en-US"),
        Deadline::after(Duration::from_millis(1200)),
    )
    .await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("I've asked Music Assistant to play Kind of Blue; it hasn't confirmed yet.")
    );
    assert_eq!(Shape::of(&response), Shape::say());
}

/// "Songs like…" on a Music Assistant whose `providers` answers `providers`.
async fn similar_with(providers: Reply) -> (Value, Stub) {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let ma = Stub::music_assistant(move |command, args| match command {
        "providers" => providers.clone(),
        _ => healthy_music_assistant(command, args),
    })
    .await;
    let response = answer_within(
        settings_with_ma(&bridge.base(), &ma.base()),
        request("PlaySimilarIntent", &[("query", "so what")], "en-US"),
        Deadline::after(Duration::from_millis(2500)),
    )
    .await;
    (response, ma)
}

/// Issue 18: radio mode with only a local library would clear the queue and then fail. The
/// skill asks `providers` first and, when none suggests similar tracks, says so and sends
/// nothing that touches the queue.
#[tokio::test]
async fn songs_like_without_a_similar_tracks_provider_leave_the_queue_alone() {
    let (response, ma) = similar_with(ma_reply("providers_local_library")).await;
    assert_eq!(
        calls(&ma),
        [
            search("so what", &["artist", "track"]),
            ("providers".into(), json!({}))
        ],
        "no play_media, no shuffle"
    );
    assert_eq!(Shape::of(&response), Shape::say());
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Music Assistant can't play music like So What: none of its providers can suggest similar songs. Your queue is unchanged.")
    );

    // A server that cannot list its providers (an older one, or one that refuses the command)
    // gets radio mode as before; one that cannot be reached gets that answer and nothing sent.
    let (response, ma) =
        similar_with(Reply::Status(400, "Invalid Command: providers".into())).await;
    assert_eq!(
        calls(&ma).last(),
        Some(&play_media("library://track/88", true))
    );
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Playing music like So What by Miles Davis.")
    );
    let (response, ma) = similar_with(Reply::Slow(Duration::from_secs(5), 200, "[]".into())).await;
    let commands: Vec<String> = ma.rpc_calls().into_iter().map(|c| c.0).collect();
    assert_eq!(commands, ["music/search", "providers"]);
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::MaTimedOut.text(Language::English))
    );
}

/// A server that ignores the limit and answers `library_items` with 2,000 favourite songs (the
/// generated song, whole, under 2,000 ids: as many as the 4 MiB reply cap lets through): the
/// queue gets the first 250, as docs/skill.md promises, not all of them.
#[tokio::test]
async fn favorites_are_capped_whatever_the_server_sends() {
    let song = ma_json("library_tracks_favorites")[0].clone();
    let songs: Vec<Value> = (0..2_000)
        .map(|n| {
            let mut song = song.clone();
            song["item_id"] = json!(n.to_string());
            song["uri"] = json!(format!("library://track/{n}"));
            song
        })
        .collect();
    let reply = Value::from(songs).to_string();
    assert!(reply.len() < 4 * 1024 * 1024, "{} bytes", reply.len());
    let (bridge, _) = home().await;
    let ma = Stub::music_assistant(move |command, args| match command {
        "music/tracks/library_items" => Reply::ok(reply.clone()),
        _ => healthy_music_assistant(command, args),
    })
    .await;
    let response = answer_with(
        settings_with_ma(&bridge.base(), &ma.base()),
        request("PlayFavoritesIntent", &[], "en-US"),
    )
    .await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some("Shuffling your favorite songs.")
    );
    let played = calls(&ma)
        .into_iter()
        .find(|(command, _)| command == "player_queues/play_media")
        .expect("play_media");
    let media = played.1["media"].as_array().expect("a list of URIs");
    assert_eq!(media.len(), 250);
    assert_eq!(media[0], "library://track/0");
    assert_eq!(media[249], "library://track/249");
}
