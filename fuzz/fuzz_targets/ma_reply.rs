//! Music Assistant's replies as the skill reads them, and what it decides on them.
//!
//! Input: a selector byte, then the reply body up to a NUL byte, then (for searches) what was
//! asked: lines `intent name`, `query`, `artist`, `album`, `track`, `playlist`, `radio`, read
//! through `Intent::from_parts` as the request parser reads an intent's slots.
//! Selector `b % 4`, each read by the function the client reads that command's reply with:
//! - 0: `player_queues/get` (`read_queue`), then `QueueItem::now_playing`;
//! - 1: `players/all` (`read_players`), then `is_playing` / `is_alexa` / `is_listed`;
//! - 2: `music/search` (`read_search`), then `Wanted::of` and `skill::choose`;
//! - 3: `music/tracks/library_items` (`read_favorite_tracks`).
//!
//! Checks: what is read is trimmed and non-empty where the skill says so; lists keep at most
//! their cap; a player hidden by its owner is never listed; `choose` picks an item of a wanted
//! type from the results, and picks one whenever a wanted type has any.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ma_alexa_skill::alexa::request::{Intent, MediaAsk};
use ma_alexa_skill::music_assistant::{
    read_favorite_tracks, read_players, read_queue, read_search, SearchItem, MAX_FAVORITE_TRACKS,
    MAX_PLAYERS,
};
use ma_alexa_skill::skill::{choose, normalized, Wanted};
use serde_json::{json, Map};

fn trimmed_text(what: &str, value: &Option<String>) {
    if let Some(text) = value {
        assert!(!text.is_empty() && text.trim() == text, "{what}: {text:?}");
    }
}

fn usable(item: &SearchItem) {
    assert!(!item.name.trim().is_empty(), "an item without a name");
    assert!(!item.uri.trim().is_empty(), "an item without a uri");
    if let Some(artist) = item.artist() {
        assert!(
            !artist.is_empty() && artist.trim() == artist,
            "artist {artist:?}"
        );
    }
}

fn search(body: &[u8], asked: &[u8]) {
    let Ok(found) = read_search(body) else {
        return;
    };
    let found = found.value;
    for list in [
        &found.artists,
        &found.albums,
        &found.tracks,
        &found.playlists,
        &found.radio,
    ] {
        list.iter().for_each(usable);
    }

    let asked = String::from_utf8_lossy(asked);
    let mut lines = asked.split('\n');
    let intent_name = lines.next().unwrap_or("PlayMediaIntent");
    let mut slots = Map::new();
    for (name, value) in MediaAsk::SLOTS.iter().zip(lines) {
        slots.insert((*name).to_owned(), json!({ "name": name, "value": value }));
    }
    let Intent::PlayMedia { ask, mode } = Intent::from_parts(intent_name, &slots) else {
        return;
    };
    for value in [
        &ask.query,
        &ask.artist,
        &ask.album,
        &ask.track,
        &ask.playlist,
        &ask.radio,
    ] {
        if let Some(value) = value {
            assert!(!value.is_empty() && value.chars().count() <= MediaAsk::MAX_LEN);
        }
    }
    let Some(wanted) = Wanted::of(&ask, mode) else {
        return;
    };
    assert!(
        !normalized(&wanted.name).is_empty(),
        "wanted {:?}",
        wanted.name
    );
    assert!(!wanted.types.is_empty(), "no media type wanted");
    let any = wanted.types.iter().any(|t| !found.of(*t).is_empty());
    match choose(&wanted, &found) {
        Some(choice) => {
            assert!(
                wanted.types.contains(&choice.media_type),
                "chose an unwanted type"
            );
            assert!(
                found.of(choice.media_type).contains(&choice.item),
                "chose an item not in the results"
            );
            assert!(!choice.why.is_empty());
        }
        None => assert!(!any, "nothing chosen among results of a wanted type"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((selector, rest)) = data.split_first() else {
        return;
    };
    let mut parts = rest.splitn(2, |&b| b == 0);
    let body = parts.next().unwrap_or_default();
    let asked = parts.next().unwrap_or_default();
    match selector % 4 {
        0 => {
            let Ok(Some(queue)) = read_queue(body) else {
                return;
            };
            if let Some(item) = &queue.current_item {
                let now = item.now_playing();
                trimmed_text("title", &now.title);
                trimmed_text("artist", &now.artist);
                trimmed_text("album", &now.album);
            }
        }
        1 => {
            let Ok(players) = read_players(body) else {
                return;
            };
            assert!(players.value.len() <= MAX_PLAYERS);
            for player in &players.value {
                assert!(!player.player_id.trim().is_empty());
                let state = player.state.as_deref().or(player.playback_state.as_deref());
                assert_eq!(player.is_playing(), state == Some("playing"));
                if player.is_alexa() {
                    assert!(player.provider.starts_with("alexa"));
                }
                if player.hide_in_ui == Some(true) || player.enabled == Some(false) {
                    assert!(!player.is_listed());
                }
                let _ = player.hidden_for_now();
            }
        }
        2 => search(body, asked),
        _ => {
            let Ok(found) = read_favorite_tracks(body) else {
                return;
            };
            assert!(found.value.len() <= MAX_FAVORITE_TRACKS);
            for item in &found.value {
                assert!(!item.uri.trim().is_empty());
                let _ = item.in_library();
                let _ = item.artist();
            }
        }
    }
});
