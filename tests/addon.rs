//! The Home Assistant add-on: the real `ma-alexa-bridge` binary reading its settings from an
//! options file like the one Home Assistant's supervisor writes to `/data/options.json`
//! (tests/fixtures/ha-addon/options.json, checked against the add-on's schema by
//! `scripts/ha-addon-check`), on 127.0.0.1.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::bridge_process::{BridgeProcess, TempDir, BRIDGE_BIN};
use serde_json::Value;

/// The options file the Rust side and the schema check share.
fn fixture() -> Value {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/ha-addon/options.json"
    ))
    .expect("the options fixture");
    serde_json::from_str(&text).expect("the fixture is JSON")
}

fn write_options(dir: &TempDir, options: &Value) -> String {
    let path = dir.path().join("options.json");
    std::fs::write(&path, options.to_string()).expect("options written");
    path.to_str().expect("utf-8 path").to_owned()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
}

/// Runs the bridge with only `envs` (listening on 127.0.0.1 if it ever starts) and waits for it
/// to stop by itself, killing it after 10 seconds.
fn run_to_exit(envs: &[(&str, &str)]) -> Output {
    let mut child = Command::new(BRIDGE_BIN)
        .env_clear()
        .env("BRIDGE_LISTEN", "127.0.0.1:0")
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the bridge starts");
    let started = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            panic!("the bridge kept running on options it should refuse");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bridge_takes_its_settings_from_the_addon_options() {
    let dir = TempDir::new("addon-options");
    let mut options = fixture();
    options["colour"] = Value::from("blue");
    let options_file = write_options(&dir, &options);
    let state = dir.path().join("state.json");
    let bridge = BridgeProcess::start(&[
        ("BRIDGE_OPTIONS_FILE", options_file.as_str()),
        ("BRIDGE_STATE_FILE", state.to_str().expect("utf-8 path")),
        // The image's environment; the options replace it.
        ("BRIDGE_PASSWORD", "the-environments-password"),
        ("BRIDGE_LOCALE", "en-US"),
        ("BRIDGE_LOG_FORMAT", "text"),
    ]);
    let intents = |user: &'static str, password: &'static str| {
        client()
            .get(format!("{}/alexa/intents", bridge.base))
            .basic_auth(user, Some(password))
            .send()
    };

    // The credentials are the options' (the environment's password no longer opens it).
    let refused = intents("alexa", "the-environments-password")
        .await
        .expect("answered");
    assert_eq!(refused.status(), 401);
    let answer = intents("alexa", "fixture-bridge-password")
        .await
        .expect("answered");
    assert_eq!(answer.status(), 200);
    // The language is the options' (de-DE).
    let phrases: Value = serde_json::from_str(&answer.text().await.expect("body")).expect("JSON");
    assert_eq!(phrases["locale"], "de-DE");
    assert_eq!(phrases["invocationName"], "sag music assistant");
    // The skill is served (an unsigned request reaches the signature check: 400, not 404).
    let skill = client()
        .post(format!("{}/alexa/skill", bridge.base))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("answered");
    assert_eq!(skill.status(), 400);

    let (status, logs) = bridge.terminate();
    assert!(status.success(), "{logs}");
    // JSON lines, as the options ask; the unknown option is noted; no secret is written.
    let lines: Vec<Value> = logs
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();
    assert!(lines
        .iter()
        .any(|line| line["level"] == "WARN" && line.to_string().contains("'colour'")));
    for secret in [
        "fixture-bridge-password",
        "fixture-ma-token",
        "the-environments-password",
    ] {
        assert!(!logs.contains(secret), "{secret} in {logs}");
    }
}

#[test]
fn options_the_bridge_cannot_use_stop_it_naming_the_option_not_the_value() {
    let dir = TempDir::new("addon-bad-options");
    let secret = "hunter2-secret-value";
    let cases: [(&str, Value, &str); 4] = [
        ("locale", serde_json::json!({"locale": "xx-XX"}), "locale"),
        (
            "password",
            serde_json::json!({"bridge_password": [secret]}),
            "bridge_password",
        ),
        (
            "domain",
            serde_json::json!({"domain": format!("http://{secret}.example.com")}),
            "domain",
        ),
        (
            "rooms",
            serde_json::json!({"room_aliases": [{"room": "den", "player": "a"}, {"room": "den", "player": secret}]}),
            "room_aliases",
        ),
    ];
    for (name, options, option) in cases {
        let file = write_options(&dir, &options);
        let output = run_to_exit(&[("BRIDGE_OPTIONS_FILE", file.as_str())]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(
            stderr.contains(&format!("add-on option {option} is invalid")),
            "{name}: {stderr}"
        );
        assert!(!stderr.contains(secret), "{name}: {stderr}");
    }
}

#[test]
fn a_missing_or_broken_options_file_stops_the_bridge() {
    let dir = TempDir::new("addon-no-options");
    let missing = dir.path().join("absent.json");
    let output = run_to_exit(&[("BRIDGE_OPTIONS_FILE", missing.to_str().expect("utf-8 path"))]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("cannot read the add-on options file")
            && stderr.contains(&missing.display().to_string()),
        "{stderr}"
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, r#"{"bridge_password": "hunter2-secret-value""#).expect("written");
    let output = run_to_exit(&[("BRIDGE_OPTIONS_FILE", path_str(&broken))]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a JSON object"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
}

#[test]
fn without_an_options_file_nothing_changes() {
    // The setting unset or empty: the environment alone, as before (a bad locale there is still
    // the environment's error, named as such).
    for envs in [
        vec![("BRIDGE_LOCALE", "xx-XX")],
        vec![("BRIDGE_LOCALE", "xx-XX"), ("BRIDGE_OPTIONS_FILE", "")],
    ] {
        let output = run_to_exit(&envs);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains("setting BRIDGE_LOCALE is invalid"),
            "{stderr}"
        );
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("utf-8 path")
}
