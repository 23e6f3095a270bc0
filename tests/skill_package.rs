//! The skill package: the manifest and one interaction model per locale must parse, name only
//! intents the handler knows, name every intent it knows, and carry the phrases Music Assistant
//! makes the Echo say.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ma_alexa_skill::alexa::request::{Intent, RoomCommand, VolumeDirection};
use ma_alexa_skill::interaction_models::ModelLocale;
use serde_json::Value;

/// Every locale the skill ships a model for.
const LOCALES: [&str; 13] = [
    "en-US", "en-GB", "en-CA", "en-AU", "en-IN", "de-DE", "es-ES", "es-MX", "fr-FR", "fr-CA",
    "it-IT", "nl-NL", "pt-BR",
];

/// Names the handler accepts that no model needs: `PlayAudio` is the prototype skill's name for
/// the play intent, kept so its interaction models keep working against this backend.
const LEGACY_ONLY: [&str; 1] = ["PlayAudio"];

fn package() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("skill-package")
}

fn read(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()))
}

fn model(locale: &str) -> Value {
    read(
        &package()
            .join("interactionModels/custom")
            .join(format!("{locale}.json")),
    )
}

fn intents(model: &Value) -> Vec<&Value> {
    model["interactionModel"]["languageModel"]["intents"]
        .as_array()
        .expect("intents array")
        .iter()
        .collect()
}

fn play_samples(model: &Value) -> Vec<String> {
    intents(model)
        .into_iter()
        .find(|i| i["name"] == "PlayAudioIntent")
        .and_then(|i| i["samples"].as_array())
        .expect("PlayAudioIntent with samples")
        .iter()
        .map(|s| s.as_str().expect("string sample").to_owned())
        .collect()
}

#[test]
fn there_is_a_model_for_every_locale_and_nothing_else() {
    let found: BTreeSet<String> = std::fs::read_dir(package().join("interactionModels/custom"))
        .expect("models folder")
        .map(|e| {
            e.expect("entry")
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".json")
                .to_owned()
        })
        .collect();
    let wanted: BTreeSet<String> = LOCALES.iter().map(|l| (*l).to_owned()).collect();
    assert_eq!(found, wanted);
    let embedded: BTreeSet<String> = ModelLocale::all().map(|l| l.as_str().to_owned()).collect();
    assert_eq!(embedded, wanted, "the bridge embeds every model");
    for locale in ModelLocale::all() {
        assert_eq!(
            serde_json::from_str::<Value>(locale.model_json()).expect("parses"),
            model(locale.as_str()),
            "{locale}: the embedded model is the file"
        );
    }
}

#[test]
fn models_name_exactly_the_intents_the_handler_knows() {
    let handled: BTreeSet<&str> = Intent::HANDLED
        .iter()
        .copied()
        .filter(|n| !LEGACY_ONLY.contains(n))
        .collect();
    for locale in LOCALES {
        let model = model(locale);
        let named: Vec<&str> = intents(&model)
            .iter()
            .map(|i| i["name"].as_str().expect("name"))
            .collect();
        let unique: BTreeSet<&str> = named.iter().copied().collect();
        assert_eq!(
            unique.len(),
            named.len(),
            "{locale}: an intent is named twice"
        );
        for name in &named {
            assert!(
                !matches!(Intent::from_name(name), Intent::Other(_)),
                "{locale}: the handler does not know {name}"
            );
        }
        assert_eq!(
            unique, handled,
            "{locale}: the model and the handler disagree"
        );
    }
}

#[test]
fn models_are_well_formed() {
    for locale in LOCALES {
        let model = model(locale);
        let language_model = &model["interactionModel"]["languageModel"];
        assert_eq!(
            language_model["invocationName"], "music assistant",
            "{locale}"
        );
        let mut seen = BTreeSet::new();
        for intent in intents(&model) {
            let name = intent["name"].as_str().expect("name");
            let samples = intent["samples"]
                .as_array()
                .unwrap_or_else(|| panic!("{locale} {name}: samples"));
            assert!(
                !samples.is_empty() || name.starts_with("AMAZON."),
                "{locale} {name}: a custom intent needs samples"
            );
            for sample in samples {
                let sample = sample.as_str().expect("string");
                assert_eq!(sample, sample.trim(), "{locale}: {sample:?}");
                assert_eq!(
                    sample,
                    sample.to_lowercase(),
                    "{locale}: samples are lower case"
                );
                assert!(
                    !sample
                        .chars()
                        .any(|c| c.is_ascii_digit() || ".?!,;:".contains(c)),
                    "{locale}: {sample:?} has characters Alexa rejects in samples"
                );
                assert!(
                    seen.insert(sample.to_owned()),
                    "{locale}: {sample:?} appears twice"
                );
            }
        }
    }
}

/// Music Assistant makes an Echo say the first sample of these built-in intents (behind the
/// carrier phrase the bridge's `/alexa/intents` gives it) to pause, resume and stop it; next and
/// previous are there for the same use. A built-in intent without samples would leave it guessing.
#[test]
fn the_intents_music_assistant_speaks_have_samples_in_every_locale() {
    const SPOKEN: [&str; 5] = [
        "AMAZON.PauseIntent",
        "AMAZON.ResumeIntent",
        "AMAZON.StopIntent",
        "AMAZON.NextIntent",
        "AMAZON.PreviousIntent",
    ];
    for locale in LOCALES {
        let model = model(locale);
        for name in SPOKEN {
            let samples = intents(&model)
                .into_iter()
                .find(|i| i["name"] == name)
                .and_then(|i| i["samples"].as_array())
                .unwrap_or_else(|| panic!("{locale}: {name} with samples"));
            assert!(!samples.is_empty(), "{locale}: {name} has no samples");
        }
    }
}

#[test]
fn play_samples_carry_what_music_assistant_says() {
    // Music Assistant's Alexa provider makes the Echo say (per its language setting):
    //   en  "ask music assistant to play audio"
    //   de  "sag music assistant spiele audio"
    //   es  "pídele a music assistant que reproduzca audio"
    //   it  "chiedi a music assistant di riprodurre audio"
    //   fr  "music assistant" (the invocation name alone: a LaunchRequest, which plays too)
    // Alexa strips the invocation, so the play intent must match the rest.
    let phrases = [
        ("en", &["play audio", "to play audio"][..]),
        ("de", &["spiele audio"][..]),
        ("es", &["que reproduzca audio"][..]),
        ("it", &["di riprodurre audio"][..]),
        ("fr", &["joue l'audio", "lire l'audio"][..]),
        ("nl", &["speel audio", "om audio af te spelen"][..]),
        ("pt", &["tocar áudio", "para tocar áudio"][..]),
    ];
    for locale in LOCALES {
        let language = &locale[..2];
        let (_, wanted) = phrases
            .iter()
            .find(|(l, _)| *l == language)
            .expect("a row per language");
        let samples = play_samples(&model(locale));
        for phrase in *wanted {
            assert!(
                samples.iter().any(|s| s == phrase),
                "{locale}: no sample {phrase:?} in {samples:?}"
            );
        }
    }
}

#[test]
fn every_model_asks_whats_playing_in_its_language() {
    let phrases = [
        ("en", "what's playing"),
        ("de", "was läuft"),
        ("es", "qué está sonando"),
        ("fr", "qu'est-ce qui joue"),
        ("it", "cosa sta suonando"),
        ("nl", "wat speelt er"),
        ("pt", "o que está tocando"),
    ];
    for locale in LOCALES {
        let (_, phrase) = phrases
            .iter()
            .find(|(l, _)| *l == &locale[..2])
            .expect("a row per language");
        let model = model(locale);
        let samples: Vec<&str> = intents(&model)
            .into_iter()
            .find(|i| i["name"] == "NowPlayingIntent")
            .and_then(|i| i["samples"].as_array())
            .unwrap_or_else(|| panic!("{locale}: NowPlayingIntent with samples"))
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            samples.contains(phrase),
            "{locale}: no {phrase:?} in {samples:?}"
        );
    }
}

#[test]
fn the_manifest_declares_the_audio_player_and_every_locale() {
    let skill = read(&package().join("skill.json"));
    let manifest = &skill["manifest"];
    assert_eq!(manifest["manifestVersion"], "1.0");
    let custom = &manifest["apis"]["custom"];
    let interfaces: Vec<&str> = custom["interfaces"]
        .as_array()
        .expect("interfaces")
        .iter()
        .filter_map(|i| i["type"].as_str())
        .collect();
    // AudioPlayer for every Echo; APL for open-screen mode's page on Echo Show devices.
    assert_eq!(interfaces, ["AUDIO_PLAYER", "ALEXA_PRESENTATION_APL"]);
    // No endpoint: `ma-alexa-bridge skill-package` sets it (tests/skill_package_command.rs). A
    // placeholder ARN would make Alexa refuse the whole package (its trigger names no skill).
    assert!(custom.get("endpoint").is_none(), "{custom}");
    let locales: BTreeSet<&str> = manifest["publishingInformation"]["locales"]
        .as_object()
        .expect("locales")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(locales, LOCALES.iter().copied().collect::<BTreeSet<_>>());
    for (locale, info) in manifest["publishingInformation"]["locales"]
        .as_object()
        .expect("locales")
    {
        for key in ["name", "summary", "description"] {
            assert!(
                info[key].as_str().is_some_and(|s| !s.is_empty()),
                "{locale}: {key}"
            );
        }
        let examples = info["examplePhrases"].as_array().expect("examplePhrases");
        assert!(
            !examples.is_empty() && examples.len() <= 3,
            "{locale}: one to three example phrases"
        );
        for example in examples {
            let example = example.as_str().expect("string");
            assert!(
                example.to_lowercase().contains("music assistant"),
                "{locale}: {example}"
            );
        }
    }
    let privacy = &manifest["privacyAndCompliance"];
    for key in [
        "allowsPurchases",
        "usesPersonalInfo",
        "isChildDirected",
        "isExportCompliant",
        "containsAds",
    ] {
        assert!(privacy[key].is_boolean(), "privacyAndCompliance.{key}");
    }
}

/// Slots: every slot a model declares is one the handler reads, the play intent declares every
/// slot the handler reads, and every slot type is a built-in one or defined with values.
#[test]
fn models_declare_the_slots_the_handler_reads() {
    for locale in LOCALES {
        let model = model(locale);
        let types: BTreeSet<&str> = model["interactionModel"]["languageModel"]["types"]
            .as_array()
            .expect("types")
            .iter()
            .filter(|t| t["values"].as_array().is_some_and(|v| !v.is_empty()))
            .filter_map(|t| t["name"].as_str())
            .collect();
        for intent in intents(&model) {
            let name = intent["name"].as_str().expect("name");
            let slots: Vec<(&str, &str)> = intent["slots"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .map(|slot| {
                            (
                                slot["name"].as_str().expect("slot name"),
                                slot["type"].as_str().expect("slot type"),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let read = Intent::slots_read(name);
            for (slot, slot_type) in &slots {
                assert!(
                    read.contains(slot),
                    "{locale} {name}: the handler never reads slot {slot}"
                );
                assert!(
                    slot_type.starts_with("AMAZON.") || types.contains(slot_type),
                    "{locale} {name}: slot type {slot_type} is not defined with values"
                );
            }
            // Every slot the handler reads is declared (PlaySimilarIntent uses a few of them).
            if name != "PlaySimilarIntent" {
                let declared: BTreeSet<&str> = slots.iter().map(|(s, _)| *s).collect();
                let read: BTreeSet<&str> = read.iter().copied().collect();
                assert_eq!(declared, read, "{locale} {name}");
            }
        }
    }
}

/// Alexa's rules for samples with slots: a referenced slot is declared; a sample with an
/// `AMAZON.SearchQuery` slot has no other slot and at least one word of its own (a carrier
/// phrase); every declared slot is used by some sample.
#[test]
fn samples_follow_alexas_slot_rules() {
    for locale in LOCALES {
        let model = model(locale);
        for intent in intents(&model) {
            let name = intent["name"].as_str().expect("name");
            let declared: Vec<(String, String)> = intent["slots"]
                .as_array()
                .map(|s| {
                    s.iter()
                        .map(|slot| {
                            (
                                slot["name"].as_str().unwrap_or_default().to_owned(),
                                slot["type"].as_str().unwrap_or_default().to_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut used = BTreeSet::new();
            for sample in intent["samples"].as_array().into_iter().flatten() {
                let sample = sample.as_str().expect("string");
                let referenced: Vec<&str> = sample
                    .split('{')
                    .skip(1)
                    .filter_map(|rest| rest.split_once('}').map(|(slot, _)| slot))
                    .collect();
                for slot in &referenced {
                    assert!(
                        declared.iter().any(|(d, _)| d == slot),
                        "{locale} {name}: {sample:?} uses undeclared {{{slot}}}"
                    );
                    used.insert((*slot).to_owned());
                }
                let search_query = referenced.iter().any(|slot| {
                    declared
                        .iter()
                        .any(|(d, t)| d == slot && t == "AMAZON.SearchQuery")
                });
                if search_query {
                    assert_eq!(
                        referenced.len(),
                        1,
                        "{locale} {name}: {sample:?} mixes a search query with other slots"
                    );
                    let words = sample
                        .split_whitespace()
                        .filter(|w| !w.starts_with('{'))
                        .count();
                    assert!(
                        words > 0,
                        "{locale} {name}: {sample:?} has no carrier phrase"
                    );
                }
            }
            for (slot, _) in &declared {
                if name == "ShuffleMediaIntent" && (slot == "track" || slot == "radio") {
                    // Declared so the shuffle intent reads like the play intent; shuffling a
                    // single song or a station is not something people ask for.
                    continue;
                }
                assert!(
                    used.contains(slot),
                    "{locale} {name}: no sample uses {{{slot}}}"
                );
            }
        }
    }
}

/// The room slot types: the ids the handler knows, whatever the language of their names. Alexa
/// sends the id of the value it matched; the handler reads it from the slot's resolutions.
#[test]
fn room_command_and_volume_ids_are_the_handlers() {
    let resolved = |slot: &str, id: &str| {
        serde_json::json!({ slot: { "name": slot, "value": "spoken in any language",
            "resolutions": { "resolutionsPerAuthority": [{
                "status": { "code": "ER_SUCCESS_MATCH" },
                "values": [{ "value": { "id": id, "name": "x" } }] }] } } })
        .as_object()
        .cloned()
        .expect("object")
    };
    for locale in LOCALES {
        let model = model(locale);
        let types = model["interactionModel"]["languageModel"]["types"]
            .as_array()
            .expect("types");
        let ids = |name: &str| -> BTreeSet<String> {
            types
                .iter()
                .find(|t| t["name"] == name)
                .and_then(|t| t["values"].as_array())
                .unwrap_or_else(|| panic!("{locale}: type {name}"))
                .iter()
                .map(|v| v["id"].as_str().expect("id").to_owned())
                .collect()
        };
        let commands = ids("ROOM_COMMAND");
        assert_eq!(commands.len(), 5, "{locale}");
        for id in &commands {
            let intent = Intent::from_parts("RoomCommandIntent", &resolved("command", id));
            assert!(
                matches!(
                    intent,
                    Intent::RoomCommand {
                        command: Some(_),
                        ..
                    }
                ),
                "{locale}: ROOM_COMMAND id {id} means nothing to the handler"
            );
        }
        let directions = ids("VOLUME_DIRECTION");
        assert_eq!(directions.len(), 2, "{locale}");
        for id in &directions {
            let intent = Intent::from_parts("SetVolumeIntent", &resolved("direction", id));
            assert!(
                matches!(
                    intent,
                    Intent::SetVolume {
                        direction: Some(_),
                        ..
                    }
                ),
                "{locale}: VOLUME_DIRECTION id {id} means nothing to the handler"
            );
        }
        let rooms = types
            .iter()
            .find(|t| t["name"] == "ROOM_NAME")
            .and_then(|t| t["values"].as_array())
            .map_or(0, Vec::len);
        assert!(rooms >= 20, "{locale}: ROOM_NAME has {rooms} example rooms");
    }
    // Both kinds of value are distinct to the handler.
    let up = Intent::from_parts("SetVolumeIntent", &resolved("direction", "up"));
    assert!(matches!(
        up,
        Intent::SetVolume {
            direction: Some(VolumeDirection::Up),
            ..
        }
    ));
    let pause = Intent::from_parts("RoomCommandIntent", &resolved("command", "pause"));
    assert!(matches!(
        pause,
        Intent::RoomCommand {
            command: Some(RoomCommand::Pause),
            ..
        }
    ));
}
