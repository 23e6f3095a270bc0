//! `GET /alexa/intents`: the phrases Music Assistant makes an Echo say for pause, resume and stop.
//!
//! Music Assistant's Alexa provider reads this once when it loads (and fails to load if it
//! cannot), then, to pause an Echo, makes it say `"{invocationName} {first utterance}"` of
//! `AMAZON.PauseIntent` ("ask music assistant to pause"); likewise resume and stop. So
//! `invocationName` here is the whole carrier phrase of the language ("ask music assistant to",
//! "sag music assistant", …), and the utterances are the samples of the skill's own interaction
//! model for that locale, in their order: every phrase Music Assistant speaks is one the deployed
//! skill understands.

use std::sync::OnceLock;

use bytes::Bytes;
use serde::Serialize;

use crate::interaction_models::{ModelLocale, MODEL_COUNT};
use crate::speech::Language;

/// The carrier phrase around the invocation name that makes one sentence of invocation and
/// utterance, per language: how people ask a skill for something in one go.
pub fn carrier(language: Language, invocation: &str) -> String {
    match language {
        Language::English => format!("ask {invocation} to"),
        Language::German => format!("sag {invocation}"),
        Language::Spanish => format!("pídele a {invocation} que"),
        Language::French => format!("demande à {invocation} de"),
        Language::Italian => format!("chiedi a {invocation} di"),
        Language::Dutch => format!("vraag {invocation} om"),
        Language::Portuguese => format!("peça ao {invocation} para"),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct IntentsReply<'a> {
    locale: &'static str,
    invocation_name: String,
    intents: Vec<IntentPhrases<'a>>,
}

#[derive(Serialize)]
struct IntentPhrases<'a> {
    intent: &'a str,
    utterances: &'a [String],
}

/// The answers, built the first time each locale is asked for and kept.
#[derive(Debug, Default)]
pub struct Intents {
    answers: [OnceLock<Result<Bytes, String>>; MODEL_COUNT],
}

impl Intents {
    /// The JSON answer for `locale`; `Err` only if the embedded model could not be read (the
    /// tests make sure it can).
    pub fn answer(&self, locale: ModelLocale) -> Result<Bytes, String> {
        self.answers[locale.index()]
            .get_or_init(|| build(locale))
            .clone()
    }
}

fn build(locale: ModelLocale) -> Result<Bytes, String> {
    let model = locale
        .model()
        .map_err(|e| format!("the embedded {locale} interaction model does not parse: {e}"))?;
    let language = Language::of_locale(Some(locale.as_str()));
    let reply = IntentsReply {
        locale: locale.as_str(),
        invocation_name: carrier(language, &model.invocation_name),
        intents: model
            .intents
            .iter()
            .filter(|i| !i.samples.is_empty())
            .map(|i| IntentPhrases {
                intent: &i.name,
                utterances: &i.samples,
            })
            .collect(),
    };
    serde_json::to_vec(&reply)
        .map(Bytes::from)
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What Music Assistant's provider makes the Echo say to play, per language: the carrier of
    /// that language followed by a play sample must be exactly that sentence.
    #[test]
    fn carriers_agree_with_music_assistants_own_play_phrases() {
        let cases = [
            ("en-US", "play audio", "ask music assistant to play audio"),
            ("de-DE", "spiele audio", "sag music assistant spiele audio"),
            (
                "es-ES",
                "reproduzca audio",
                "pídele a music assistant que reproduzca audio",
            ),
            (
                "it-IT",
                "riprodurre audio",
                "chiedi a music assistant di riprodurre audio",
            ),
        ];
        for (locale, sample, sentence) in cases {
            let locale = ModelLocale::parse(locale).expect("shipped");
            let model = locale.model().expect("parses");
            let play = model
                .intents
                .iter()
                .find(|i| i.name == "PlayAudioIntent")
                .expect("play intent");
            assert!(
                play.samples.iter().any(|s| s == sample),
                "{locale}: {sample}"
            );
            let language = Language::of_locale(Some(locale.as_str()));
            assert_eq!(
                format!("{} {sample}", carrier(language, &model.invocation_name)),
                sentence
            );
        }
    }

    #[test]
    fn every_locale_answers_pause_resume_stop_next_and_previous() {
        let intents = Intents::default();
        for locale in ModelLocale::all() {
            let answer = intents.answer(locale).expect("builds");
            let json: serde_json::Value = serde_json::from_slice(&answer).expect("JSON");
            assert_eq!(json["locale"], locale.as_str());
            for name in [
                "AMAZON.PauseIntent",
                "AMAZON.ResumeIntent",
                "AMAZON.StopIntent",
                "AMAZON.NextIntent",
                "AMAZON.PreviousIntent",
            ] {
                let listed = json["intents"]
                    .as_array()
                    .expect("intents")
                    .iter()
                    .find(|i| i["intent"] == name);
                let first = listed.and_then(|i| i["utterances"][0].as_str());
                assert!(first.is_some_and(|u| !u.is_empty()), "{locale}: {name}");
            }
        }
    }
}
