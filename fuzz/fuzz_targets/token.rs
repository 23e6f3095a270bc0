//! `AudioToken::parse` of whatever a device may send back, and its accessors.
//!
//! Input: the token text (UTF-8, lossily).
//!
//! Checks: the text is kept verbatim; a token that names a stream is `mas1:` and the stream id
//! in 16 hex digits (the canonical spelling the skill makes, up to letter case), and its queue,
//! when it has one, is a non-empty id that is what the rest of the token decodes to.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use ma_alexa_skill::stream::{AudioToken, QueueId};

fuzz_target!(|data: &[u8]| {
    let raw = String::from_utf8_lossy(data);
    let token = AudioToken::parse(&raw);
    assert_eq!(token.as_str(), raw, "the token text changed");
    assert_eq!(
        AudioToken::parse(token.as_str()),
        token,
        "parse is not stable"
    );

    match token.stream() {
        Some(stream) => {
            let rest = raw
                .strip_prefix("mas1:")
                .expect("a token naming a stream starts with mas1:");
            let hex = rest.split(':').next().unwrap_or("");
            // Found by this target (a `+` sign was taken as a digit), fixed in `AudioToken::parse`.
            assert!(
                hex.eq_ignore_ascii_case(&stream.to_string()),
                "token {raw:?} names stream {stream} but spells it {hex:?}"
            );
            if let Some(queue) = token.queue() {
                assert!(!queue.as_str().is_empty(), "an empty queue id");
                assert!(rest.len() > 17, "a queue without text");
            }
        }
        None => assert!(token.queue().is_none(), "a queue without a stream"),
    }

    // Queue ids as Music Assistant names them.
    if let Some(queue) = QueueId::new(&raw) {
        assert_eq!(queue.as_str(), raw.trim());
        assert!(!queue.as_str().is_empty());
    }
});
