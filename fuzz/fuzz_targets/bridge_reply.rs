//! The bridge's `GET /ma/latest-url` body as the skill reads it: `LatestReply` (serde), then
//! what the skill makes of it (`LatestReply::into_latest`), then the `Play` the skill builds from
//! that (`skill::play_directive`).
//!
//! Input: the body. Its first byte also picks the public host (plain or with port and path).
//!
//! Checks: a parsed `LatestReply` survives a serialise/parse round trip; the Play's stream and
//! art URLs are https on the public (or the art's own https) host within Alexa's limits; its
//! token is at most 1024 bytes and names the stream; the whole answer stays under 24,000 bytes.
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ma_alexa_skill::alexa::response::{Directive, PlayBehavior, ResponseEnvelope};
use ma_alexa_skill::bridge::LatestReply;
use ma_alexa_skill::skill::{play_directive, SkillError};
use ma_alexa_skill::stream::{AudioToken, HttpsBase, MAX_STREAM_URL_LEN};

fn bases() -> &'static [(HttpsBase, &'static str); 2] {
    static BASES: OnceLock<[(HttpsBase, &'static str); 2]> = OnceLock::new();
    BASES.get_or_init(|| {
        [
            (
                HttpsBase::parse("ma.example.net").expect("valid"),
                "ma.example.net",
            ),
            (
                HttpsBase::parse("https://ma.example.net:8443/music/").expect("valid"),
                "ma.example.net",
            ),
        ]
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(reply) = serde_json::from_slice::<LatestReply>(data) {
        let text = serde_json::to_vec(&reply).expect("serialises");
        let back: LatestReply = serde_json::from_slice(&text).expect("own JSON parses");
        assert_eq!(back, reply, "round trip changed the reply");
    }

    let Ok(latest) = common::latest_from_body("bridge.example.net", data) else {
        return;
    };
    let (base, host) = &bases()[usize::from(data.first().copied().unwrap_or(0) & 1)];
    let previous = AudioToken::parse("mas1:7e9dbed598d9b560:Kitchen%20Echo");
    for (behavior, request_type) in [
        (PlayBehavior::ReplaceAll, "LaunchRequest"),
        (PlayBehavior::Enqueue, "AudioPlayer.PlaybackNearlyFinished"),
    ] {
        // The skill's own `play_directive`.
        let play = match play_directive(base, &latest, behavior, 0, Some(&previous)) {
            Ok(play) => play,
            Err(SkillError::StreamTooLong(too_long)) => {
                assert!(too_long.len > MAX_STREAM_URL_LEN, "{too_long:?}");
                return;
            }
            Err(other) => panic!("play_directive failed on a parsed stream: {other}"),
        };
        let stream = &play.audio_item.stream;
        common::check_public_url("stream url", &stream.url, MAX_STREAM_URL_LEN, Some(host));
        assert!(AudioToken::parse(&stream.token).names(&latest.stream));
        let voice = request_type == "LaunchRequest";
        let envelope = ResponseEnvelope::directive(Directive::Play(play), voice.then_some(true));
        common::check_response(request_type, &envelope);
    }
});
