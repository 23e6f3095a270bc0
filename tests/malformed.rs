//! Bad input gets a deliberate answer, never a panic: every field of every sample event, replaced
//! by a value of every other JSON type or removed, must still be answered within the contract,
//! or refused for the only two reasons there are (no request type; not this skill's id).

mod common;

use common::*;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::service::{Refusal, Service};
use serde_json::{json, Value};

/// Every path to a value inside `value`, as a list of keys and indexes.
fn paths(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                prefix.push(Step::Key(key.clone()));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                prefix.push(Step::Index(i));
                out.push(prefix.clone());
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// `event` with the value at `path` replaced by `with` (`None`: removed).
fn mutated(event: &Value, path: &[Step], with: Option<&Value>) -> Value {
    let mut event = event.clone();
    let (last, parents) = path.split_last().expect("non-empty path");
    let mut node = &mut event;
    for step in parents {
        node = match step {
            Step::Key(k) => &mut node[k.as_str()],
            Step::Index(i) => &mut node[*i],
        };
    }
    match (last, with) {
        (Step::Key(k), Some(v)) => node[k.as_str()] = v.clone(),
        (Step::Key(k), None) => {
            if let Some(map) = node.as_object_mut() {
                map.remove(k);
            }
        }
        (Step::Index(i), Some(v)) => node[*i] = v.clone(),
        (Step::Index(i), None) => {
            if let Some(items) = node.as_array_mut() {
                items.remove(*i);
            }
        }
    }
    event
}

#[tokio::test]
async fn every_mutation_of_every_event_is_answered_or_refused() {
    // Nothing listens on either address, so each answer is fast and no mutation reaches a server.
    let service = Service::new(settings_with_ma(
        &closed_port_base().await,
        &closed_port_base().await,
    ));
    let replacements = [
        json!(null),
        json!(0),
        json!(-1),
        json!(1.5e300),
        json!(""),
        json!("mas1:zz"),
        json!([]),
        json!({}),
        json!(true),
    ];
    let (mut answered, mut refused) = (0usize, 0usize);
    for (stem, event) in all_events() {
        let mut all = Vec::new();
        paths(&event, &mut Vec::new(), &mut all);
        for path in all {
            for with in replacements.iter().map(Some).chain([None]) {
                let input = mutated(&event, &path, with);
                let request_type = input["request"]["type"].as_str().unwrap_or("").to_owned();
                let what = format!("{stem} with {path:?} = {with:?}");
                match service.answer(input, Deadline::local()).await {
                    Ok(response) => {
                        let response = serde_json::to_value(&response).expect("serializes");
                        assert_contract(&request_type, &response, &what);
                        answered += 1;
                    }
                    Err(refusal) => {
                        // Only two things make an event no request to this skill: a request
                        // without a type, and (with SKILL_ID set) an unreadable skill id.
                        let keys: Vec<&str> = path
                            .iter()
                            .map(|s| match s {
                                Step::Key(k) => k.as_str(),
                                Step::Index(_) => "[]",
                            })
                            .collect();
                        let allowed = match &refusal {
                            Refusal::Envelope(_) => {
                                matches!(keys.as_slice(), ["request"] | ["request", "type"])
                            }
                            Refusal::WrongSkill { .. } => {
                                ["context", "System", "application", "applicationId"]
                                    .starts_with(&keys)
                            }
                            // Events here are JSON values already.
                            Refusal::NotJson(_) => false,
                        };
                        assert!(allowed, "{what}: refused: {refusal}");
                        refused += 1;
                    }
                }
            }
        }
    }
    eprintln!("mutated events: {answered} answered, {refused} refused");
    assert!(answered > 0 && refused > 0);
}

#[tokio::test]
async fn the_root_of_an_event_may_be_anything() {
    let service = Service::new(settings_with_ma(
        &closed_port_base().await,
        &closed_port_base().await,
    ));
    for event in [
        json!(null),
        json!(1),
        json!("x"),
        json!([]),
        json!({}),
        json!({ "request": [] }),
    ] {
        let refusal = service
            .answer(event.clone(), Deadline::local())
            .await
            .expect_err("refused");
        assert_eq!(refusal.error_type(), "InvalidEnvelope", "{event}");
    }
}
