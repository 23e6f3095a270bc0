//! The one mapping from a failure to what the user hears: every [`SkillError`] becomes a phrase
//! (spoken where the request may speak, with a card) or silence, and travels on for the log line.
//! [`explain`] is an exhaustive match, so a new error does not compile until someone decides
//! what the user hears.

use super::{Handled, Outcome, SkillError};
use crate::alexa::response::ResponseEnvelope;
use crate::bridge::BridgeError;
use crate::music_assistant::MaError;
use crate::settings::SettingsError;
use crate::speech::{self, Language, Phrase};

/// The answer to a request that could not be served: spoken (with a card) where speech is
/// allowed, silent elsewhere. The error travels on for the log line.
pub(super) fn failed(error: SkillError, voice: bool, language: Language) -> Handled {
    let response = if voice {
        ResponseEnvelope::say_with_card(explain(&error, language), speech::CARD_TITLE)
    } else {
        ResponseEnvelope::empty()
    };
    let outcome = if voice {
        Outcome::Spoke
    } else {
        Outcome::Silent
    };
    Handled {
        error: Some(error),
        ..Handled::new(response, outcome)
    }
}

/// What the user hears about `error`, in `language`.
pub fn explain(error: &SkillError, language: Language) -> String {
    let phrase = match error {
        SkillError::Settings(e) => {
            let phrase = match e {
                SettingsError::Missing { .. } | SettingsError::Incomplete { .. } => {
                    Phrase::SettingMissing
                }
                SettingsError::Invalid { .. } => Phrase::SettingInvalid,
            };
            return speech::say_setting(phrase, language, e.name());
        }
        SkillError::Bridge(e) => match e {
            BridgeError::Unreachable { .. } | BridgeError::Client(_) => Phrase::BridgeUnreachable,
            BridgeError::TimedOut { .. } => Phrase::BridgeTimedOut,
            BridgeError::Unauthorized { .. } => Phrase::BridgeUnauthorized,
            BridgeError::NothingPushed { .. } => Phrase::NothingToPlay,
            // A beat of the open page, refused by a bridge whose open-screen mode is off: the
            // bridge answered, with an error.
            BridgeError::Status { .. } | BridgeError::OpenScreenOff { .. } => Phrase::BridgeStatus,
            BridgeError::InvalidReply { .. } => Phrase::BridgeInvalidReply,
            BridgeError::NoStreamUrl { .. } | BridgeError::BadStreamUrl { .. } => {
                Phrase::NoStreamUrl
            }
        },
        SkillError::StreamTooLong(_) => Phrase::StreamUrlTooLong,
        SkillError::SettingsUnavailable(_) => Phrase::SettingsUnavailable,
        SkillError::NoQueue { .. } => Phrase::NoQueue,
        SkillError::NoAudioPlayer => Phrase::NoAudioPlayerNoGuess,
        SkillError::MusicAssistant(e) => match e {
            MaError::Unreachable { .. } | MaError::Client(_) => Phrase::MaUnreachable,
            MaError::TimedOut { .. } => Phrase::MaTimedOut,
            MaError::Unauthorized { .. } => Phrase::MaUnauthorized,
            MaError::Forbidden { .. } => Phrase::MaForbidden,
            MaError::SetupRequired { .. } => Phrase::MaSetupRequired,
            MaError::UnknownQueue { .. } => Phrase::MaUnknownQueue,
            MaError::Failed { .. } | MaError::InvalidReply { .. } => Phrase::MaFailed,
        },
    };
    speech::say(phrase, language)
}
