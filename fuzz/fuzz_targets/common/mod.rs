//! Shared by the targets: the bridge client's reading of a reply body, and the checks every
//! answer to Alexa must pass.
#![allow(dead_code)] // each target uses its own subset

use std::sync::OnceLock;

use ma_alexa_skill::alexa::response::ResponseEnvelope;
use ma_alexa_skill::bridge::{BridgeError, Latest, LatestReply};
use ma_alexa_skill::stream::{MAX_STREAM_URL_LEN, MAX_TOKEN_LEN};
use serde_json::Value;

/// Alexa refuses a response larger than this (bytes of the serialised envelope).
pub const MAX_RESPONSE_BYTES: usize = 24_000;
/// Alexa refuses `outputSpeech` text longer than this (characters).
pub const MAX_SPEECH_CHARS: usize = 8_000;
/// Alexa's limit for a card's title and content together (characters).
pub const MAX_CARD_CHARS: usize = 8_000;
/// Longest art URL the skill sends (Alexa documents 2000 characters for images).
pub const MAX_ART_URL_LEN: usize = 2_000;
/// The bridge client refuses a reply larger than this.
pub const MAX_BRIDGE_REPLY_BYTES: usize = 64 * 1024;

/// Whether to print what a target sees and answers (`FUZZ_SHOW=1`), to read a reproducer.
pub fn show() -> bool {
    static SHOW: OnceLock<bool> = OnceLock::new();
    *SHOW.get_or_init(|| std::env::var_os("FUZZ_SHOW").is_some_and(|v| v != "0"))
}

/// What `BridgeClient` does with a 2xx body: the size cap, serde, then the library's own
/// `LatestReply::into_latest`.
pub fn latest_from_body(host: &str, body: &[u8]) -> Result<Latest, BridgeError> {
    if body.len() > MAX_BRIDGE_REPLY_BYTES {
        return Err(BridgeError::InvalidReply {
            host: host.to_owned(),
            reason: format!("the reply is larger than {MAX_BRIDGE_REPLY_BYTES} bytes"),
        });
    }
    let reply: LatestReply =
        serde_json::from_slice(body).map_err(|e| BridgeError::InvalidReply {
            host: host.to_owned(),
            reason: e.to_string(),
        })?;
    reply.into_latest(host)
}

/// A URL the skill hands to an Echo: `https`, at most `max` bytes, printable ASCII only (every
/// other byte percent-encoded), parseable, on `host` when given, and without user info.
pub fn check_public_url(what: &str, url: &str, max: usize, host: Option<&str>) {
    assert!(url.starts_with("https://"), "{what}: not https: {url:?}");
    assert!(
        url.len() <= max,
        "{what}: {} bytes, more than {max}",
        url.len()
    );
    assert!(
        url.bytes().all(|b| b.is_ascii_graphic()),
        "{what}: unencoded byte in {url:?}"
    );
    let parsed =
        url::Url::parse(url).unwrap_or_else(|e| panic!("{what}: {url:?} does not parse: {e}"));
    assert_eq!(parsed.scheme(), "https", "{what}: {url:?}");
    assert!(
        parsed.username().is_empty() && parsed.password().is_none(),
        "{what}: {url:?} carries user info"
    );
    if let Some(host) = host {
        assert_eq!(
            parsed.host_str(),
            Some(host),
            "{what}: {url:?} left the public host"
        );
    }
}

/// Alexa's rules for any answer, as `tests/common::assert_contract` states them, plus the size
/// limits: at most one directive, and only AudioPlayer ones; a Play has an https URL of at most
/// 8000 bytes, a token of 1 to 1024 bytes, and `expectedPreviousToken` exactly with `ENQUEUE`;
/// speech, cards, reprompts and `shouldEndSession` only in answers to launch and intent
/// requests; nothing at all for `PlaybackStopped`, exceptions and session ends; no Play for
/// `PlaybackStarted`/`PlaybackFinished`; a Play in a voice answer ends the session; the
/// envelope under 24,000 bytes and speech under 8,000 characters.
pub fn check_response(request_type: &str, envelope: &ResponseEnvelope) {
    let text = serde_json::to_string(envelope).expect("a response always serialises");
    assert!(
        text.len() < MAX_RESPONSE_BYTES,
        "response is {} bytes (Alexa's limit is 24,000)",
        text.len()
    );
    let response: Value = serde_json::from_str(&text).expect("own JSON parses");
    assert_eq!(response["version"], "1.0");
    let r = response["response"].as_object().expect("a response object");

    for path in [
        &["outputSpeech", "text"][..],
        &["reprompt", "outputSpeech", "text"],
    ] {
        let mut at = &response["response"];
        for key in path {
            at = &at[*key];
        }
        if let Some(speech) = at.as_str() {
            let chars = speech.chars().count();
            assert!(
                chars < MAX_SPEECH_CHARS,
                "{} is {chars} characters (Alexa's limit is 8,000)",
                path.join(".")
            );
            assert!(!speech.trim().is_empty(), "{} is empty", path.join("."));
        }
    }
    if let Some(card) = r.get("card") {
        let chars = ["title", "content"]
            .iter()
            .filter_map(|k| card[*k].as_str())
            .map(|s| s.chars().count())
            .sum::<usize>();
        assert!(chars <= MAX_CARD_CHARS, "card is {chars} characters");
    }

    let directives = r
        .get("directives")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    assert!(directives.len() <= 1, "{} directives", directives.len());
    for d in &directives {
        let t = d["type"].as_str().unwrap_or("");
        assert!(t.starts_with("AudioPlayer."), "directive {t}");
        if t != "AudioPlayer.Play" {
            continue;
        }
        let stream = &d["audioItem"]["stream"];
        let url = stream["url"].as_str().expect("a Play has a url");
        check_public_url("stream url", url, MAX_STREAM_URL_LEN, None);
        let token = stream["token"].as_str().expect("a Play has a token");
        assert!(
            !token.is_empty() && token.len() <= MAX_TOKEN_LEN,
            "token of {} bytes",
            token.len()
        );
        let enqueue = d["playBehavior"] == "ENQUEUE";
        match stream.get("expectedPreviousToken") {
            Some(previous) => {
                assert!(enqueue, "expectedPreviousToken without ENQUEUE");
                let previous = previous.as_str().expect("a string");
                assert!(
                    previous.len() <= MAX_TOKEN_LEN,
                    "expectedPreviousToken of {} bytes",
                    previous.len()
                );
            }
            None => assert!(!enqueue, "ENQUEUE without expectedPreviousToken"),
        }
        if let Some(sources) = d["audioItem"]["metadata"]["art"]["sources"].as_array() {
            for source in sources {
                let art = source["url"].as_str().expect("art url");
                check_public_url("art url", art, MAX_ART_URL_LEN, None);
            }
        }
    }

    let voice = matches!(request_type, "LaunchRequest" | "IntentRequest");
    if !voice {
        for key in ["outputSpeech", "card", "reprompt", "shouldEndSession"] {
            assert!(!r.contains_key(key), "{request_type} answered with {key}");
        }
    }
    let silent_only = matches!(
        request_type,
        "AudioPlayer.PlaybackStopped" | "System.ExceptionEncountered" | "SessionEndedRequest"
    ) || request_type.starts_with("AlexaSkillEvent.");
    if silent_only {
        assert!(r.is_empty(), "{request_type} must get an empty response");
    }
    let plays = directives.iter().any(|d| d["type"] == "AudioPlayer.Play");
    if matches!(
        request_type,
        "AudioPlayer.PlaybackStarted" | "AudioPlayer.PlaybackFinished"
    ) {
        assert!(!plays, "a Play in answer to {request_type}");
    }
    if plays && voice {
        assert_eq!(
            r.get("shouldEndSession"),
            Some(&Value::Bool(true)),
            "a Play in a voice answer must end the session"
        );
    }
}
