//! What Music Assistant pushes to the bridge (`POST /ma/push-url`): `Push::parse`, then the
//! bridge's store and the `GET /ma/latest-url` body it serves, read back the way the skill's
//! client reads it.
//!
//! Input: one or more push bodies separated by NUL bytes, pushed in order into one in-memory
//! store.
//!
//! Checks: an accepted push has a non-empty `streamUrl` that the skill accepts too, a trimmed
//! `playerId` of at most 256 characters, an absolute http(s) `imageUrl`; after it, the store
//! serves that stream for the slot it went to (and, for a new stream, as the latest of all), as a body
//! the skill reads back to the same stream and metadata.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use ma_alexa_skill::bridge::LatestReply;
use ma_alexa_skill::bridge_server::push::{Push, MAX_PLAYER_ID_LEN};
use ma_alexa_skill::bridge_server::store::{Outcome, Store};

fuzz_target!(|data: &[u8]| {
    let store = Store::in_memory();
    for body in data.split(|&b| b == 0) {
        let Ok(push) = Push::parse(body) else {
            continue;
        };
        assert!(!push.stream_url.trim().is_empty());
        if let Some(id) = &push.player_id {
            assert!(!id.is_empty() && id.trim() == id, "playerId {id:?}");
            assert!(id.chars().count() <= MAX_PLAYER_ID_LEN);
        }
        if let Some(player) = push.player() {
            assert!(!player.is_empty(), "an empty player");
        }
        if let Some(Some(image)) = &push.image_url {
            let url = url::Url::parse(image.trim()).expect("a checked imageUrl parses");
            assert!(matches!(url.scheme(), "http" | "https") && url.host_str().is_some());
        }
        for field in [&push.title, &push.artist, &push.album, &push.image_url] {
            if let Some(Some(text)) = field {
                assert!(!text.trim().is_empty(), "a blank field kept as text");
            }
        }

        let pushed = store.push(&push);
        // A push that names its player goes to that player's slot; one that does not (Music
        // Assistant's metadata pushes) goes to the slot that knows its stream, if one does.
        if push.player_id.is_some() {
            assert_eq!(pushed.slot.player(), push.player());
        }
        let player = pushed.slot.player();
        // A stream its slot has moved on from changes nothing. Without a player, the store serves
        // the latest stream of all slots: this push's only when it brought a new stream (a re-push
        // of the slot's stream only updates its metadata).
        let new_stream = pushed.outcome == Outcome::NewStream;
        if pushed.outcome == Outcome::Superseded || (player.is_none() && !new_stream) {
            continue;
        }
        let served = store
            .latest(player)
            .expect("the store serves what was just pushed");
        let reply: LatestReply = serde_json::from_slice(&served).expect("the store serves JSON");
        // A new stream is served as sent; a re-push of the slot's stream spelled another way
        // (`:08097` for `:8097`) keeps the first spelling: the same stream, checked below.
        if new_stream {
            assert_eq!(reply.stream_url.as_deref(), Some(push.stream_url.as_str()));
        }
        for (kept, sent) in [
            (&reply.title, &push.title),
            (&reply.artist, &push.artist),
            (&reply.album, &push.album),
            (&reply.image_url, &push.image_url),
        ] {
            if let Some(sent) = sent {
                assert_eq!(kept, sent, "a pushed field was not kept");
            }
        }
        let latest = common::latest_from_body("bridge.example.net", &served)
            .expect("the skill reads what the bridge accepted");
        assert_eq!(latest.stream, push.stream, "the skill reads another stream");
        if new_stream {
            let newest = store.latest(None).expect("a latest of all");
            let newest: LatestReply = serde_json::from_slice(&newest).expect("JSON");
            assert_eq!(
                newest.stream_url, reply.stream_url,
                "a new stream is the latest of all"
            );
        }
    }
});
