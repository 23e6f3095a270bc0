//! The Alexa side: the request envelope as Amazon sends it ([`envelope`]), what the skill
//! understands of it ([`request`]), and the response envelope it answers with ([`response`]).
//! The exact rules live in `ALEXA_CONTRACT.md`.

pub mod envelope;
pub mod request;
pub mod response;
