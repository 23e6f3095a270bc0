//! Music Assistant's own phrases, whichever intent Alexa files them under.
//!
//! Music Assistant drives an Echo by making it speak to the skill. After each push it says its
//! play sentence, fixed per language in its Alexa provider ([`play_sentence`]: "ask music
//! assistant to play audio", "sag music assistant spiele audio", …); to pause, resume and stop
//! it says `"{invocationName} {utterance}"` with the phrases the bridge hands out (`GET
//! /alexa/intents`: the samples of this skill's own interaction model, behind the carrier phrase
//! of the language). Each phrase is a sample of its own intent, but Alexa may rank another
//! sample higher: in de-DE "spiele weiter" (resume) also fits `PlayMediaIntent`'s "spiele
//! {query}" with the query "weiter", and "pause" fits `ChooseRoomIntent`'s "{room}". Taken at
//! face value the user would hear "Ich konnte weiter in Music Assistant nicht finden." and
//! nothing would resume.
//!
//! So, per locale and from the embedded interaction model alone, this module works out every
//! way one of these phrases fits a sample of an intent with slots: which intent, and which words
//! land in which slot ([`swallowed`]). A request that is exactly one of those
//! ([`heard_as_other_intent`]) is answered as the phrase's own intent: play what Music Assistant
//! pushed, stop, or resume. The phrases are:
//! - Music Assistant's play sentence for the locale's language, after the invocation name, and
//!   every sample of `PlayAudioIntent` (how the model spells that sentence once Alexa strips
//!   the carrier, in every language, including those Music Assistant has no sentence for);
//! - every sample of `AMAZON.PauseIntent`, `AMAZON.ResumeIntent` and `AMAZON.StopIntent`, the
//!   utterances the bridge hands out for them (Music Assistant speaks the first; any may be
//!   handed out first by a later model);
//! - each of them also with the carrier's joining word in front ("to pause", "que reproduzca
//!   audio"), and without it when it has one, since Alexa may keep or drop that word.
//!
//! Words are compared as names are (`media::folded_word`: case, accents and punctuation
//! ignored); a slot of type `AMAZON.NUMBER` only ever takes digits.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use super::media::folded_word;
use crate::alexa::request::{Intent, RequestKind, SkillRequest};
use crate::bridge_server::intents::carrier;
use crate::interaction_models::{LanguageModel, ModelLocale, MODEL_COUNT};
use crate::speech::Language;

/// What Music Assistant's Alexa provider makes an Echo say after each push, for the language it
/// is configured with (`ALEXA_LANGUAGE_COMMANDS` in its `providers/alexa`: en-US, de-DE, es-ES,
/// fr-FR and it-IT); any other language gets its English default. The French sentence is the
/// invocation name alone: it opens the skill (a `LaunchRequest`, which plays as well).
pub fn play_sentence(language: Language) -> &'static str {
    match language {
        Language::German => "sag music assistant spiele audio",
        Language::Spanish => "pídele a music assistant que reproduzca audio",
        Language::French => "music assistant",
        Language::Italian => "chiedi a music assistant di riprodurre audio",
        Language::English | Language::Dutch | Language::Portuguese => {
            "ask music assistant to play audio"
        }
    }
}

/// One way a phrase of Music Assistant fits a sample of another intent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Swallowed {
    /// The phrase as Alexa hears it after the invocation name ("spiele weiter").
    pub said: String,
    /// The intent the phrase means: `PlayAudio`, `Pause`, `Resume` or `Stop`.
    pub means: Intent,
    /// The intent whose sample it fits (`PlayMediaIntent`).
    pub intent: String,
    /// That sample ("spiele {query}").
    pub sample: String,
    /// The slots Alexa would fill, by name, with the phrase's words ("query" = "weiter").
    pub slots: Vec<(String, String)>,
}

/// Every way a phrase of Music Assistant fits a sample of an intent with slots in `locale`'s
/// model (empty if the model does not parse; the tests make sure it does).
pub fn swallowed(locale: ModelLocale) -> &'static [Swallowed] {
    &table(locale).all
}

/// The phrase of Music Assistant this request is, when Alexa filed it under another intent
/// (the intent and the words in its slots are exactly one of [`swallowed`]'s).
pub fn heard_as_other_intent(req: &SkillRequest) -> Option<&'static Swallowed> {
    if !matches!(req.kind, RequestKind::Intent(_)) || req.heard.is_empty() {
        return None;
    }
    let intent = req.intent_name.as_deref()?;
    let locale = ModelLocale::parse(req.locale.as_deref()?)?;
    let table = table(locale);
    let key = Key {
        intent: intent.to_owned(),
        slots: req
            .heard
            .iter()
            .map(|(name, words)| (name.clone(), compared(words)))
            .collect(),
    };
    let found = (*table.by_key.get(&key)?)?;
    table.all.get(found)
}

/// What a request must match: the intent and its slots' words as compared, sorted by slot.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Key {
    intent: String,
    slots: Vec<(String, String)>,
}

/// One locale's phrases, worked out once.
#[derive(Debug, Default)]
struct Table {
    all: Vec<Swallowed>,
    /// Where in `all`; `None` where two phrases of different meaning would give the same
    /// request (never answered as either; the tests make sure there is none).
    by_key: HashMap<Key, Option<usize>>,
}

fn table(locale: ModelLocale) -> &'static Table {
    static TABLES: [OnceLock<Table>; MODEL_COUNT] = [const { OnceLock::new() }; MODEL_COUNT];
    TABLES[locale.index()].get_or_init(|| build(locale))
}

fn build(locale: ModelLocale) -> Table {
    let Ok(model) = locale.model() else {
        return Table::default();
    };
    let language = Language::of_locale(Some(locale.as_str()));
    let mut table = Table::default();
    for (said, means) in phrases(&model, language) {
        let words: Vec<&str> = said.split_whitespace().collect();
        let folded: Vec<String> = words.iter().map(|w| folded_word(w)).collect();
        for intent in model.intents.iter().filter(|i| !i.slots.is_empty()) {
            for sample in &intent.samples {
                let Some(pieces) = pieces(sample) else {
                    continue;
                };
                let mut fits = Vec::new();
                fill(&pieces, &folded, 0, &mut Vec::new(), &mut fits);
                for fit in fits {
                    let slots: Vec<(String, String)> = fit
                        .into_iter()
                        .map(|(name, range)| (name.to_owned(), words[range].join(" ")))
                        .collect();
                    let numbers_ok = slots.iter().all(|(name, value)| {
                        let number = intent
                            .slots
                            .iter()
                            .any(|s| s.name == *name && s.slot_type == "AMAZON.NUMBER");
                        !number || value.chars().all(|c| c.is_ascii_digit())
                    });
                    if numbers_ok {
                        table.add(Swallowed {
                            said: said.clone(),
                            means: means.clone(),
                            intent: intent.name.clone(),
                            sample: sample.clone(),
                            slots,
                        });
                    }
                }
            }
        }
    }
    table
}

impl Table {
    fn add(&mut self, entry: Swallowed) {
        let mut slots: Vec<(String, String)> = entry
            .slots
            .iter()
            .map(|(name, words)| (name.clone(), compared(words)))
            .collect();
        slots.sort();
        let key = Key {
            intent: entry.intent.clone(),
            slots,
        };
        match self.by_key.get(&key) {
            None => {
                self.by_key.insert(key, Some(self.all.len()));
                self.all.push(entry);
            }
            Some(Some(at)) if self.all[*at].means != entry.means => {
                self.by_key.insert(key, None);
            }
            // The same request for the same meaning (the phrase came twice): nothing new.
            Some(_) => {}
        }
    }
}

/// Music Assistant's phrases in `model`'s locale, each with the intent it means (see the module
/// documentation).
fn phrases(model: &LanguageModel, language: Language) -> Vec<(String, Intent)> {
    let invocation = model.invocation_name.to_lowercase();
    let joining = after_invocation(&carrier(language, &invocation), &invocation);
    let mut base: Vec<(String, Intent)> = Vec::new();
    if let Some(play) = after_invocation(play_sentence(language), &invocation) {
        base.push((play, Intent::PlayAudio));
    }
    for intent in &model.intents {
        let means = Intent::from_name(&intent.name);
        if !matches!(
            means,
            Intent::PlayAudio | Intent::Pause | Intent::Resume | Intent::Stop
        ) {
            continue;
        }
        for sample in intent.samples.iter().filter(|s| !s.contains('{')) {
            base.push((sample.to_lowercase(), means.clone()));
        }
    }
    let mut all: Vec<(String, Intent)> = Vec::new();
    for (said, means) in base {
        let other = joining.as_deref().map(|word| {
            match said
                .strip_prefix(word)
                .and_then(|rest| rest.strip_prefix(' '))
            {
                Some(without) => without.trim().to_owned(),
                None => format!("{word} {said}"),
            }
        });
        for said in std::iter::once(said).chain(other) {
            let compared_said = compared(&said);
            let known = all
                .iter()
                .any(|(s, m)| *m == means && compared(s) == compared_said);
            if !compared_said.is_empty() && !known {
                all.push((said, means.clone()));
            }
        }
    }
    all
}

/// What `sentence` says after `invocation` (both lower case), trimmed; `None` when it does not
/// name the invocation or says nothing after it.
fn after_invocation(sentence: &str, invocation: &str) -> Option<String> {
    let sentence = sentence.to_lowercase();
    let at = sentence.find(invocation)?;
    let rest = sentence[at + invocation.len()..].trim();
    (!rest.is_empty()).then(|| rest.to_owned())
}

/// Words as compared: folded one by one and joined without spaces, so "l'audio" and "l audio"
/// are the same.
fn compared(words: &str) -> String {
    words.split_whitespace().map(folded_word).collect()
}

/// A part of a sample: a word (folded) or a slot.
#[derive(Debug, PartialEq, Eq)]
enum Piece<'s> {
    Word(String),
    Slot(&'s str),
}

/// A sample as pieces; `None` for a slot glued to other characters, which this reader does not
/// take apart (no shipped sample has one).
fn pieces(sample: &str) -> Option<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    for token in sample.split_whitespace() {
        if let Some(name) = token.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
            pieces.push(Piece::Slot(name));
        } else if token.contains(['{', '}']) {
            return None;
        } else {
            let word = folded_word(token);
            if !word.is_empty() {
                pieces.push(Piece::Word(word));
            }
        }
    }
    Some(pieces)
}

/// Every way `pieces` covers `words[at..]` exactly, each slot taking one word or more: the
/// slots and the words they take, added to `fits`.
fn fill<'s>(
    pieces: &[Piece<'s>],
    words: &[String],
    at: usize,
    taken: &mut Vec<(&'s str, Range<usize>)>,
    fits: &mut Vec<Vec<(&'s str, Range<usize>)>>,
) {
    match pieces.split_first() {
        None => {
            if at == words.len() {
                fits.push(taken.clone());
            }
        }
        Some((Piece::Word(word), rest)) => {
            if words.get(at) == Some(word) {
                fill(rest, words, at + 1, taken, fits);
            }
        }
        Some((Piece::Slot(name), rest)) => {
            for end in at + 1..=words.len() {
                taken.push((name, at..end));
                fill(rest, words, end, taken, fits);
                taken.pop();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locale(name: &str) -> ModelLocale {
        ModelLocale::parse(name).expect("shipped")
    }

    /// What the request `intent` with `slots` means in locale `name`, by the table.
    fn means(name: &str, intent: &str, slots: &[(&str, &str)]) -> Intent {
        let mut compared_slots: Vec<(String, String)> = slots
            .iter()
            .map(|(k, v)| ((*k).to_owned(), compared(v)))
            .collect();
        compared_slots.sort();
        let key = Key {
            intent: intent.to_owned(),
            slots: compared_slots,
        };
        let table = table(locale(name));
        let at = table.by_key.get(&key).copied().flatten();
        let found = at.unwrap_or_else(|| panic!("{name}: {intent} {slots:?}"));
        table.all[found].means.clone()
    }

    #[test]
    fn the_issues_phrase_is_found_where_alexa_can_put_it() {
        assert_eq!(
            means("de-DE", "PlayMediaIntent", &[("query", "weiter")]),
            Intent::Resume
        );
        assert_eq!(
            means("de-DE", "ChooseRoomIntent", &[("room", "spiele weiter")]),
            Intent::Resume
        );
        assert_eq!(
            means(
                "de-DE",
                "RoomCommandIntent",
                &[("command", "pausiere"), ("room", "musik")]
            ),
            Intent::Pause
        );
        assert_eq!(
            means("de-DE", "PlayMediaIntent", &[("query", "audio")]),
            Intent::PlayAudio
        );
        assert_eq!(
            means("en-US", "PlayMediaIntent", &[("query", "audio")]),
            Intent::PlayAudio
        );
        assert_eq!(
            means("fr-FR", "PlayMediaIntent", &[("query", "de l'audio")]),
            Intent::PlayAudio
        );
        assert_eq!(
            means("en-GB", "ChooseRoomIntent", &[("room", "stop")]),
            Intent::Stop
        );
    }

    #[test]
    fn music_assistants_play_sentence_is_heard_without_and_with_the_joining_word() {
        for (name, said) in [
            ("en-US", "to play audio"),
            ("en-US", "play audio"),
            ("es-ES", "que reproduzca audio"),
            ("es-MX", "reproduzca audio"),
            ("it-IT", "di riprodurre audio"),
            ("it-IT", "riprodurre audio"),
            ("de-DE", "spiele audio"),
        ] {
            assert!(
                swallowed(locale(name))
                    .iter()
                    .any(|s| s.said == said && s.means == Intent::PlayAudio),
                "{name}: {said}"
            );
        }
    }

    #[test]
    fn every_locale_has_its_phrases_and_no_request_means_two_things() {
        for locale in ModelLocale::all() {
            let table = table(locale);
            assert!(!table.all.is_empty(), "{locale}");
            for means in [
                Intent::PlayAudio,
                Intent::Pause,
                Intent::Resume,
                Intent::Stop,
            ] {
                assert!(
                    table.all.iter().any(|s| s.means == means),
                    "{locale}: nothing for {means:?}"
                );
            }
            let ambiguous: Vec<&Key> = table
                .by_key
                .iter()
                .filter(|(_, at)| at.is_none())
                .map(|(key, _)| key)
                .collect();
            assert!(ambiguous.is_empty(), "{locale}: {ambiguous:?}");
        }
    }

    #[test]
    fn a_number_slot_takes_only_digits_and_a_sample_fits_whole_words_only() {
        for locale in ModelLocale::all() {
            for s in swallowed(locale) {
                assert!(
                    s.slots.iter().all(|(name, _)| name != "level"),
                    "{locale}: {s:?}"
                );
            }
        }
        let sample = pieces("spiele {query}").expect("pieces");
        let words: Vec<String> = ["spielen", "weiter"].map(String::from).to_vec();
        let mut fits = Vec::new();
        fill(&sample, &words, 0, &mut Vec::new(), &mut fits);
        assert!(fits.is_empty());
        assert_eq!(pieces("l'{room}"), None);
    }

    #[test]
    fn words_compare_like_names() {
        assert_eq!(compared("L'Audio"), compared("l audio"));
        assert_eq!(compared("Áudio"), "audio");
        assert_ne!(compared("spiele weiter"), compared("spiele"));
    }
}
