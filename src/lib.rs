//! # ma-alexa-skill
//!
//! The AWS Lambda backend of an Alexa custom skill that plays a self-hosted
//! [Music Assistant](https://music-assistant.io) server on Echo devices.
//!
//! Music Assistant's Alexa player provider pushes each stream to a small *bridge* service and
//! makes the Echo say "ask music assistant to play audio". Alexa then sends this skill a request;
//! the skill asks the bridge for the latest stream, rewrites its address onto the owner's public
//! HTTPS host, and answers with `AudioPlayer` directives.
//!
//! The crate is laid out in rings: [`alexa`] holds the wire types, [`skill`] the decisions (a
//! plain async function from request to response), [`bridge`] and [`settings`] the outside
//! world, and [`service`] the entry point that `main` wires into Lambda or the `invoke`
//! command.

// Nothing outside tests may unwrap: outside input (envelopes, replies, settings) gets a
// handled error. Test modules, compiled only under cfg(test), may.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod alexa;
pub mod bridge;
pub mod bridge_server;
pub mod deadline;
pub mod doctor;
mod http;
pub mod interaction_models;
pub mod lambda;
pub mod logging;
pub mod music_assistant;
pub mod progressive;
pub mod request_signature;
pub mod service;
pub mod settings;
pub mod skill;
pub mod skill_package;
pub mod speech;
pub mod stream;

/// An error and its causes, `a: b: c`, for one log field. Causes already quoted by their parent's
/// message are not repeated.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// `host[:port]` of a URL, for messages: enough to know which server, never a path or a secret.
pub fn authority(url: &url::Url) -> String {
    let host = url.host_str().unwrap_or("?");
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}
