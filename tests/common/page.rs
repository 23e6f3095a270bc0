//! Open-screen mode's page in tests: requests from an Echo Show and from its page, Alexa's rules
//! for the answers to them, and the record of those answers that `scripts/check-alexa-responses`
//! reads through Amazon's model classes (ask-sdk-model).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

/// The page's token for the sample player.
pub const PAGE_TOKEN: &str = "music-assistant-page:Kitchen Echo";

/// The key of what the page shows for [`super::CURRENT_STREAM`]'s metadata (the sample page
/// events send it).
pub const SO_WHAT_KEY: &str = "f4bf337f871eba70";

/// `event` as an Echo Show 5 sends it: APL 2023.3, a 960×480 hub viewport whose APL runtime
/// plays H.264.
pub fn on_a_show(mut event: Value) -> Value {
    let sample = super::event("page/launch_on_a_show");
    event["context"]["System"]["device"]["supportedInterfaces"]["Alexa.Presentation.APL"] = sample
        ["context"]["System"]["device"]["supportedInterfaces"]["Alexa.Presentation.APL"]
        .clone();
    event["context"]["Viewport"] = sample["context"]["Viewport"].clone();
    event
}

/// `event` in the session of an open page (its session attributes name the player).
pub fn in_page_session(mut event: Value) -> Value {
    event["session"]["new"] = json!(false);
    event["session"]["attributes"] = json!({ "page": { "player": "Kitchen Echo" } });
    event
}

/// A `SendEvent` of the page with `arguments`, from an Echo Show in the page's session.
pub fn page_event(arguments: Value) -> Value {
    let mut event = super::event("page/beat");
    event["request"]["arguments"] = arguments;
    event
}

/// Alexa's rules for an answer that keeps the page open: only AudioPlayer and APL directives,
/// APL ones naming the page's token, no `shouldEndSession` (false and null open the microphone)
/// and no reprompt, the page in the session attributes, https addresses only, under 24 KB.
pub fn assert_page_contract(response: &Value, what: &str) {
    common_rules(response, what);
    let r = &response["response"];
    assert!(
        r.get("shouldEndSession").is_none(),
        "{what}: a page answer carries shouldEndSession: {response}"
    );
    assert!(
        r.get("reprompt").is_none(),
        "{what}: a reprompt opens the microphone"
    );
    assert!(
        response["sessionAttributes"]["page"]["player"].is_string(),
        "{what}: the page is not kept in the session attributes: {response}"
    );
}

/// Alexa's rules for an answer that ends the page's session: as [`assert_page_contract`], but
/// `shouldEndSession` is `true`, and nothing is rendered.
pub fn assert_page_closing(response: &Value, what: &str) {
    common_rules(response, what);
    let r = &response["response"];
    assert_eq!(r["shouldEndSession"], json!(true), "{what}: {response}");
    assert!(
        directive_types(response)
            .iter()
            .all(|t| t != "Alexa.Presentation.APL.RenderDocument"),
        "{what}: renders a page it closes"
    );
}

/// The directive types of a response, in order.
pub fn directive_types(response: &Value) -> Vec<String> {
    response["response"]["directives"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|d| d["type"].as_str().unwrap_or("?").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn common_rules(response: &Value, what: &str) {
    assert_eq!(response["version"], "1.0", "{what}: version");
    let r = response["response"]
        .as_object()
        .unwrap_or_else(|| panic!("{what}: no response object"));
    if let Some(end) = r.get("shouldEndSession") {
        assert_eq!(
            end,
            &json!(true),
            "{what}: false and null open the microphone"
        );
    }
    let directives = r
        .get("directives")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let plays = directives
        .iter()
        .filter(|d| d["type"] == "AudioPlayer.Play")
        .count();
    assert!(plays <= 1, "{what}: more than one Play");
    for d in &directives {
        match d["type"].as_str().unwrap_or("") {
            "AudioPlayer.Stop" => {}
            "AudioPlayer.Play" => {
                assert_eq!(d["playBehavior"], "REPLACE_ALL", "{what}");
                let token = d["audioItem"]["stream"]["token"].as_str().unwrap_or("");
                assert!(!token.is_empty() && token.len() <= 1024, "{what}: token");
            }
            "Alexa.Presentation.APL.RenderDocument" => {
                assert_eq!(d["token"], PAGE_TOKEN, "{what}: token");
                assert_eq!(d["document"]["type"], "APL", "{what}");
                let url = d["datasources"]["page"]["url"].as_str().unwrap_or("");
                assert!(url.starts_with("https://"), "{what}: page url {url}");
            }
            "Alexa.Presentation.APL.ExecuteCommands" => {
                assert_eq!(d["token"], PAGE_TOKEN, "{what}: token");
                assert!(
                    d["commands"].as_array().is_some_and(|c| !c.is_empty()),
                    "{what}: no commands"
                );
            }
            other => panic!("{what}: directive {other} in a page answer"),
        }
    }
    // Every address in the answer is public https (a LAN http address plays nothing).
    let mut strings = Vec::new();
    collect_strings(response, &mut strings);
    for text in strings {
        assert!(
            !text.contains("http://"),
            "{what}: a plain http address: {text}"
        );
    }
    let size = serde_json::to_string(response).expect("serializes").len();
    assert!(size < 24 * 1024, "{what}: response is {size} bytes");
}

fn collect_strings<'a>(value: &'a Value, into: &mut Vec<&'a str>) {
    match value {
        Value::String(s) => into.push(s),
        Value::Array(items) => items.iter().for_each(|v| collect_strings(v, into)),
        Value::Object(map) => map.values().for_each(|v| collect_strings(v, into)),
        _ => {}
    }
}

/// The page answers one test got, written under `target/alexa-responses/<test>/` for
/// `scripts/check-alexa-responses` (CI runs it over every test's answers).
pub struct PageAnswers {
    dir: PathBuf,
    count: usize,
}

impl PageAnswers {
    /// An empty record for `test`.
    pub fn new(test: &str) -> Self {
        let dir = root().join("target/alexa-responses").join(test);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a folder for the answers");
        Self { dir, count: 0 }
    }

    /// Checks `response` as an answer that keeps the page ([`assert_page_contract`]) and
    /// records it.
    pub fn keeps(&mut self, response: &Value, what: &str) {
        assert_page_contract(response, what);
        self.record(response, what);
    }

    /// Checks `response` as an answer that ends the page's session ([`assert_page_closing`])
    /// and records it.
    pub fn closes(&mut self, response: &Value, what: &str) {
        assert_page_closing(response, what);
        self.record(response, what);
    }

    fn record(&mut self, response: &Value, what: &str) {
        self.count += 1;
        let name: String = what
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let path = self.dir.join(format!("{:03}-{name}.json", self.count));
        std::fs::write(path, serde_json::to_vec_pretty(response).expect("JSON")).expect("written");
    }

    /// Reads every recorded answer through ask-sdk-model (`scripts/check-alexa-responses`),
    /// when its virtual environment is there (`bash scripts/check-alexa-responses --install`);
    /// with `CI` set it must be.
    pub fn check_with_amazons_models(&self) {
        let python = root().join("target/alexa-response-venv/bin/python");
        if !python.exists() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs bash scripts/check-alexa-responses --install before the tests"
            );
            eprintln!(
                "ask-sdk-model not installed (bash scripts/check-alexa-responses --install): {} answers not read through it",
                self.count
            );
            return;
        }
        let output = Command::new("bash")
            .arg(root().join("scripts/check-alexa-responses"))
            .arg(&self.dir)
            .output()
            .expect("the check runs");
        assert!(
            output.status.success(),
            "ask-sdk-model refuses an answer:\n{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
