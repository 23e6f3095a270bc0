//! Music Assistant's own phrases never become a search (issue 18): in every locale, every way a
//! phrase it makes an Echo say (its play sentence, and the pause, resume and stop utterances the
//! bridge hands out) fits a sample of an intent with slots is answered as the phrase itself,
//! through the real service against a bridge and a Music Assistant on 127.0.0.1.

mod common;

use common::*;
use ma_alexa_skill::alexa::request::Intent;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::interaction_models::ModelLocale;
use ma_alexa_skill::service::Service;
use ma_alexa_skill::skill::{swallowed, Swallowed};
use serde_json::{json, Value};

/// The Kitchen Echo, paused 83 s into the bridge's current stream, sending `intent` with
/// `slots` in `locale`.
fn request(locale: &str, intent: &str, slots: &[(String, String)]) -> Value {
    let mut event = event("resume_intent");
    event["request"]["locale"] = json!(locale);
    let slots: serde_json::Map<String, Value> = slots
        .iter()
        .map(|(name, value)| {
            (
                name.clone(),
                json!({ "name": name, "value": value, "confirmationStatus": "NONE", "source": "USER" }),
            )
        })
        .collect();
    event["request"]["intent"] =
        json!({ "name": intent, "confirmationStatus": "NONE", "slots": slots });
    event
}

/// What the phrase's own intent answers on that Echo.
fn expected(means: &Intent) -> Shape {
    match means {
        // Play what Music Assistant pushed, from its start.
        Intent::PlayAudio => Shape::play(0, Some(true)),
        // Resume where the Echo paused.
        Intent::Resume => Shape::play(83_140, Some(true)),
        Intent::Pause | Intent::Stop => Shape::stop(Some(true)),
        other => panic!("not one of Music Assistant's phrases: {other:?}"),
    }
}

#[tokio::test]
async fn music_assistants_phrases_are_answered_as_themselves_whatever_intent_alexa_names() {
    let (bridge, ma) = home().await;
    let service = Service::new(settings_with_ma(&bridge.base(), &ma.base()));
    let mut walked = 0;
    for locale in ModelLocale::all() {
        let all: &[Swallowed] = swallowed(locale);
        // The issue's own case, and the forms the stand-in models are known to have.
        assert!(all.len() >= 20, "{locale}: only {} ways", all.len());
        for phrase in all {
            let what = format!(
                "{locale}: '{}' as {} '{}' {:?}",
                phrase.said, phrase.intent, phrase.sample, phrase.slots
            );
            let response = service
                .answer(
                    request(locale.as_str(), &phrase.intent, &phrase.slots),
                    Deadline::local(),
                )
                .await
                .unwrap_or_else(|e| panic!("{what}: refused: {e}"));
            let response = serde_json::to_value(&response).expect("serializes");
            assert_eq!(Shape::of(&response), expected(&phrase.means), "{what}");
            if phrase.means != Intent::Pause && phrase.means != Intent::Stop {
                assert_eq!(
                    response["response"]["directives"][0]["audioItem"]["stream"]["url"],
                    CURRENT_PUBLIC,
                    "{what}"
                );
            }
            assert_contract("IntentRequest", &response, &what);
            assert!(
                ma.rpc_calls().is_empty(),
                "{what}: Music Assistant was asked {:?}",
                ma.rpc_calls()
            );
            walked += 1;
        }
    }
    println!(
        "{walked} ways Music Assistant's phrases fit other intents, all answered as themselves"
    );
}

#[tokio::test]
async fn the_issues_sentence_resumes_and_a_real_search_still_searches() {
    let (bridge, ma) = home().await;
    let service = Service::new(settings_with_ma(&bridge.base(), &ma.base()));
    let ask = |locale: &str, intent: &str, slots: &[(&str, &str)]| {
        let slots: Vec<(String, String)> = slots
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        request(locale, intent, &slots)
    };
    // "sag music assistant spiele weiter", filed as a search for "weiter".
    let response = service
        .answer(
            ask("de-DE", "PlayMediaIntent", &[("query", "weiter")]),
            Deadline::local(),
        )
        .await
        .expect("answered");
    let response = serde_json::to_value(&response).expect("serializes");
    assert_eq!(Shape::of(&response), Shape::play(83_140, Some(true)));
    assert!(ma.rpc_calls().is_empty());
    // Words that only start like a phrase are what they say.
    for (locale, query) in [("de-DE", "weiter so"), ("en-US", "audioslave")] {
        let response = service
            .answer(
                ask(locale, "PlayMediaIntent", &[("query", query)]),
                Deadline::local(),
            )
            .await
            .expect("answered");
        let response = serde_json::to_value(&response).expect("serializes");
        assert!(speech_text(&response).is_some(), "{query}: {response}");
    }
    let searched: Vec<String> = ma
        .rpc_calls()
        .into_iter()
        .filter(|(command, _, _)| command == "music/search")
        .map(|(_, args, _)| args["search_query"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(searched, ["weiter so", "audioslave"]);
}
