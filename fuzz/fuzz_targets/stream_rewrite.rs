//! Stream addresses: `InternalStream::parse`, `HttpsBase::parse`, `HttpsBase::rewrite`,
//! `HttpsBase::rewrite_art`, and the token of a stream read back by `AudioToken::parse`.
//!
//! Input: UTF-8 lines (URL parsing drops newlines anyway):
//! 1. the public host setting (`MA_HOSTNAME`);
//! 2. the stream URL Music Assistant pushed;
//! 3. a cover art URL;
//! 4. the internal host the art is compared with (absent: the stream's host).
//!
//! Checks: a rewritten stream or art URL is https on the public host (or, for art, on its own
//! https host), printable ASCII, within Alexa's length limits, and without user info; a stream's
//! token is at most 1024 bytes and reads back as naming that stream and its queue.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use ma_alexa_skill::stream::{
    AudioToken, HttpsBase, InternalStream, MAX_STREAM_URL_LEN, MAX_TOKEN_LEN,
};
use url::Url;

/// The host `HttpsBase::parse` puts in front of every rewritten URL: the setting read the way
/// it reads it (a bare host means https).
fn public_host(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let with_scheme = if raw.contains("://") {
        raw.to_owned()
    } else {
        format!("https://{raw}")
    };
    Url::parse(&with_scheme).ok()?.host_str().map(str::to_owned)
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut lines = text.split('\n');
    let base_raw = lines.next().unwrap_or("");
    let stream_raw = lines.next().unwrap_or("");
    let image_raw = lines.next();
    let internal_host = lines.next();

    let base = HttpsBase::parse(base_raw).ok();
    let host = base
        .as_ref()
        .map(|_| public_host(base_raw).expect("a parsed base has a host"));

    let stream = InternalStream::parse(stream_raw);
    if let Some(stream) = &stream {
        let url = stream.url();
        assert!(matches!(url.scheme(), "http" | "https"), "{url}");
        assert!(stream.host().is_some(), "{url}");

        let token = stream.token();
        assert!(
            token.as_str().len() <= MAX_TOKEN_LEN,
            "token of {} bytes",
            token.as_str().len()
        );
        assert!(token.names(stream));
        if let Some(queue) = token.queue() {
            assert_eq!(Some(queue), stream.queue(), "the token names another queue");
        }
        let back = AudioToken::parse(token.as_str());
        assert_eq!(back, token, "the token does not read back as itself");
        assert_eq!(back.stream(), Some(stream.id()));
        assert!(back.names(stream));

        if let Some(base) = &base {
            match base.rewrite(url) {
                Ok(public) => common::check_public_url(
                    "stream url",
                    public.as_str(),
                    MAX_STREAM_URL_LEN,
                    host.as_deref(),
                ),
                Err(too_long) => assert!(too_long.len > MAX_STREAM_URL_LEN, "{too_long:?}"),
            }
        }
    }

    if let (Some(base), Some(image)) = (&base, image_raw.and_then(|r| Url::parse(r.trim()).ok())) {
        let internal = internal_host.or_else(|| stream.as_ref().and_then(InternalStream::host));
        if let Some(art) = base.rewrite_art(&image, internal) {
            let on_internal = image.host_str().is_some() && image.host_str() == internal;
            let expected_host = if on_internal {
                host.clone()
            } else {
                image.host_str().map(str::to_owned)
            };
            common::check_public_url(
                "art url",
                &art,
                common::MAX_ART_URL_LEN,
                expected_host.as_deref(),
            );
        }
    }
});
