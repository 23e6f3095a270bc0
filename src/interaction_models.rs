//! The skill's interaction models, embedded at build time from `skill-package/`.
//!
//! The models are the one list of what a person can say to the skill, per locale. The bridge
//! serves their phrases to Music Assistant (`GET /alexa/intents`), which makes an Echo speak them
//! for pause, resume and stop: embedding the very files that are deployed to the Alexa console
//! means those phrases always reach the deployed skill. Tests check the files themselves.
//!
//! Nothing is parsed until a locale is first asked for.

use std::fmt;

use serde::Deserialize;

/// How many locales the skill ships a model for.
pub const MODEL_COUNT: usize = 13;

/// Every locale the skill ships a model for, with the model's JSON.
const MODELS: [(&str, &str); MODEL_COUNT] = [
    (
        "en-US",
        include_str!("../skill-package/interactionModels/custom/en-US.json"),
    ),
    (
        "en-GB",
        include_str!("../skill-package/interactionModels/custom/en-GB.json"),
    ),
    (
        "en-CA",
        include_str!("../skill-package/interactionModels/custom/en-CA.json"),
    ),
    (
        "en-AU",
        include_str!("../skill-package/interactionModels/custom/en-AU.json"),
    ),
    (
        "en-IN",
        include_str!("../skill-package/interactionModels/custom/en-IN.json"),
    ),
    (
        "de-DE",
        include_str!("../skill-package/interactionModels/custom/de-DE.json"),
    ),
    (
        "es-ES",
        include_str!("../skill-package/interactionModels/custom/es-ES.json"),
    ),
    (
        "es-MX",
        include_str!("../skill-package/interactionModels/custom/es-MX.json"),
    ),
    (
        "fr-FR",
        include_str!("../skill-package/interactionModels/custom/fr-FR.json"),
    ),
    (
        "fr-CA",
        include_str!("../skill-package/interactionModels/custom/fr-CA.json"),
    ),
    (
        "it-IT",
        include_str!("../skill-package/interactionModels/custom/it-IT.json"),
    ),
    (
        "nl-NL",
        include_str!("../skill-package/interactionModels/custom/nl-NL.json"),
    ),
    (
        "pt-BR",
        include_str!("../skill-package/interactionModels/custom/pt-BR.json"),
    ),
];

/// A locale the skill ships a model for (`en-US`, `de-DE`, …). `parse` is the only way to get
/// one, so holding a `ModelLocale` means its model exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ModelLocale(usize);

impl ModelLocale {
    /// `en-US`, the first of the shipped locales.
    pub const EN_US: Self = Self(0);

    /// Every shipped locale, in a fixed order.
    pub fn all() -> impl Iterator<Item = Self> {
        (0..MODELS.len()).map(Self)
    }

    /// Reads a locale such as `en-US`; case does not matter and `_` may stand for `-`.
    /// `None` when the skill ships no model for it.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().replace('_', "-");
        MODELS
            .iter()
            .position(|(name, _)| name.eq_ignore_ascii_case(&raw))
            .map(Self)
    }

    /// The locale's position in [`ModelLocale::all`], below [`MODEL_COUNT`].
    pub fn index(self) -> usize {
        self.0
    }

    /// The canonical name, `en-US`.
    pub fn as_str(self) -> &'static str {
        MODELS[self.0].0
    }

    /// The model's JSON, exactly as deployed.
    pub fn model_json(self) -> &'static str {
        MODELS[self.0].1
    }

    /// The model, parsed.
    pub fn model(self) -> Result<LanguageModel, serde_json::Error> {
        let file: ModelFile = serde_json::from_str(self.model_json())?;
        Ok(file.interaction_model.language_model)
    }

    /// Every shipped locale's name, for messages: `en-US, en-GB, …`.
    pub fn list() -> String {
        MODELS
            .iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl fmt::Display for ModelLocale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ModelFile {
    interaction_model: InteractionModel,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InteractionModel {
    language_model: LanguageModel,
}

/// The part of a model that says what people can say.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LanguageModel {
    /// What people call the skill: "music assistant".
    pub invocation_name: String,
    /// The intents, in the model's order.
    pub intents: Vec<IntentModel>,
}

/// One intent of a model.
#[derive(Debug, Clone, Deserialize)]
pub struct IntentModel {
    /// `AMAZON.PauseIntent`, `PlayAudioIntent`, …
    pub name: String,
    /// The intent's slots (built-in intents may have none).
    #[serde(default)]
    pub slots: Vec<SlotModel>,
    /// The sample utterances, in the model's order (built-in intents may have none).
    #[serde(default)]
    pub samples: Vec<String>,
}

/// One slot of an intent.
#[derive(Debug, Clone, Deserialize)]
pub struct SlotModel {
    /// The name samples use between braces: `query` for `{query}`.
    pub name: String,
    /// Its slot type: `AMAZON.NUMBER`, `MEDIA_QUERY`, …
    #[serde(rename = "type")]
    pub slot_type: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_model_parses_and_names_its_invocation() {
        for locale in ModelLocale::all() {
            let model = locale.model().unwrap_or_else(|e| panic!("{locale}: {e}"));
            assert_eq!(model.invocation_name, "music assistant", "{locale}");
            assert!(!model.intents.is_empty(), "{locale}");
        }
    }

    #[test]
    fn en_us_is_what_it_says() {
        assert_eq!(ModelLocale::EN_US.as_str(), "en-US");
    }

    #[test]
    fn locales_parse_in_any_case_and_with_underscores() {
        for raw in ["de-DE", "de-de", "DE_de", " de_DE "] {
            assert_eq!(
                ModelLocale::parse(raw).map(ModelLocale::as_str),
                Some("de-DE"),
                "{raw}"
            );
        }
        for raw in ["", "de", "xx-XX", "en-US-x"] {
            assert_eq!(ModelLocale::parse(raw), None, "{raw}");
        }
    }
}
