//! The Alexa side: the request envelope as Amazon sends it ([`envelope`]), what the skill
//! understands of it ([`request`]), the response envelope it answers with ([`response`]), and
//! the progressive response it may send while it works ([`progressive`]).
//! What each request type may answer with (speech only for launch and intent requests, no
//! `shouldEndSession` on AudioPlayer and PlaybackController requests, an empty response to
//! `PlaybackStopped`, `SessionEndedRequest` and `System.ExceptionEncountered`) is decided in
//! `skill` and checked by the tests against every sample event.

pub mod envelope;
pub mod progressive;
pub mod request;
pub mod response;
