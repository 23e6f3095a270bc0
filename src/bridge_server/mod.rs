//! The bridge: the small home service between Music Assistant and the skill.
//!
//! Music Assistant's Alexa provider pushes each stream it starts on an Echo to the bridge
//! (`POST /ma/push-url`) and reads from it the phrases it makes an Echo say for pause, resume and
//! stop (`GET /alexa/intents`); the skill asks it what to play (`GET /ma/latest-url`). This
//! bridge keeps the latest stream **per player**, so two Echos playing different things each get
//! their own, and keeps it in a file, so a restart loses nothing.
//!
//! With `OPEN_SCREEN` on it also hands streams, pauses and resumes to the skill's open page on an
//! Echo Show, so Music Assistant need not speak a command (`POST /ma/control`, `POST /ma/screen`).
//!
//! The pieces: [`config`] (settings from the environment; [`addon`] reads a Home Assistant
//! add-on's options into it), [`push`] (the push body, checked), [`store`] (the per-player slots
//! and their file), [`screens`] (the open pages and the commands handed to them; [`control`]
//! checks the bodies of their endpoints), [`auth`] (HTTP Basic), [`intents`] (the phrases, from
//! the skill's interaction models), [`routes`] (the endpoints), [`connections`] (the open
//! connections and which one gives way when there are too many) and [`server`] (the listener, its
//! limits and the graceful stop). The `ma-alexa-bridge` binary wires them. Nothing
//! here knows the skill's decisions; the stream-URL parser is the skill's own ([`crate::stream`]).

pub mod addon;
pub mod auth;
pub mod config;
pub mod connections;
pub mod control;
pub mod intents;
pub mod push;
pub mod routes;
pub mod screens;
pub mod server;
pub mod skill;
pub mod store;
