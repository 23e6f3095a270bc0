//! The binary itself: `invoke` on a developer's machine, and Lambda mode against a Lambda
//! Runtime API served on 127.0.0.1. Both go through the same code path.

mod common;

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_ma-alexa-skill");

/// Runs the binary with only `envs` in its environment, feeding `stdin`.
async fn run(args: &[&str], envs: &[(&str, &str)], stdin: &[u8]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let envs: Vec<(String, String)> = envs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let stdin = stdin.to_vec();
    tokio::task::spawn_blocking(move || {
        let mut child = Command::new(BIN)
            .args(&args)
            .env_clear()
            .envs(envs)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary starts");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(&stdin)
            .expect("stdin written");
        child.wait_with_output().expect("the binary ends")
    })
    .await
    .expect("joined")
}

fn stderr_last_line(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr)
        .lines()
        .last()
        .unwrap_or("")
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_plays_a_sample_event() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let base = bridge.base();
    let env = [
        ("API_HOSTNAME", base.as_str()),
        ("MA_HOSTNAME", MA_HOSTNAME),
        ("SKILL_ID", SKILL_ID),
    ];
    let output = run(&["invoke", "events/resume_intent.json"], &env, b"").await;
    assert!(output.status.success(), "{output:?}");
    let response: Value =
        serde_json::from_slice(&output.stdout).expect("stdout is the response JSON");
    assert_eq!(Shape::of(&response), Shape::play(83_140, Some(true)));
    assert_eq!(
        response["response"]["directives"][0]["audioItem"]["stream"]["url"],
        CURRENT_PUBLIC
    );
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(
        logs.contains("outcome=\"played\""),
        "the log line goes to stderr: {logs}"
    );
    assert_eq!(bridge.count(), 1);
}

/// `ma-alexa-skill invoke … | head`: the reader goes away before the answer is written. That is
/// no reason to panic ("failed printing to stdout"), and the answer was still made.
#[test]
fn invoke_into_a_closed_pipe_is_quiet() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    let output = Command::new(BIN)
        .args(["invoke", "events/help_intent.json"])
        .env_clear()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(output.status.success(), "{:?}: {stderr}", output.status);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_reads_stdin() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let base = bridge.base();
    let env = [
        ("API_HOSTNAME", base.as_str()),
        ("MA_HOSTNAME", MA_HOSTNAME),
    ];
    let event = std::fs::read(events_dir().join("playback_nearly_finished.json")).expect("event");
    let output = run(&["invoke", "-"], &env, &event).await;
    assert!(output.status.success(), "{output:?}");
    let response: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(Shape::of(&response), Shape::enqueue(OLDER_TOKEN));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_answers_without_settings() {
    let output = run(&["invoke", "events/launch.json"], &[], b"").await;
    assert!(output.status.success(), "{output:?}");
    let response: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let text = speech_text(&response).expect("spoken");
    assert!(text.contains("API HOSTNAME"), "{text}");
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(logs.contains("setting API_HOSTNAME is missing"), "{logs}");
    assert!(logs.contains("setting MA_HOSTNAME is missing"), "{logs}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_refuses_what_is_not_json() {
    let output = run(&["invoke", "-"], &[], b"{\"request\": ").await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty());
    let line = stderr_last_line(&output);
    assert!(
        line.starts_with("ma-alexa-skill: refused -: the event is not one JSON value"),
        "{line}"
    );
    // Trailing bytes after a valid envelope: refused too, as inside Lambda.
    let mut trailing = std::fs::read("events/resume_intent.json").expect("sample event");
    trailing.extend_from_slice(b"\n}garbage");
    let output = run(&["invoke", "-"], &[], &trailing).await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(stderr_last_line(&output).contains("trailing characters"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_refuses_a_non_envelope() {
    let output = run(&["invoke", "-"], &[], b"{\"hello\": \"world\"}").await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let line = stderr_last_line(&output);
    assert!(
        line.starts_with("ma-alexa-skill: refused -:") && line.contains("request.type"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invoke_refuses_another_skill_without_calling_the_bridge() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let base = bridge.base();
    let env = [
        ("API_HOSTNAME", base.as_str()),
        ("MA_HOSTNAME", MA_HOSTNAME),
        ("SKILL_ID", "amzn1.ask.skill.not-this-one"),
    ];
    let output = run(&["invoke", "events/play_audio_intent.json"], &env, b"").await;
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    assert!(output.stdout.is_empty());
    let line = stderr_last_line(&output);
    assert!(
        line.contains("SKILL_ID is 'amzn1.ask.skill.not-this-one'"),
        "{line}"
    );
    assert_eq!(bridge.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_and_unreadable_files() {
    let none = run(&[], &[], b"").await;
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("ma-alexa-skill invoke <FILE|->"));
    let help = run(&["--help"], &[], b"").await;
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(text.contains("invoke"));
    assert!(
        text.lines().all(|l| l.chars().count() <= 100),
        "--help has a line over 100 characters:\n{text}"
    );
    let missing = run(&["invoke", "events/no-such-event.json"], &[], b"").await;
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr_last_line(&missing)
        .starts_with("ma-alexa-skill: cannot read events/no-such-event.json"));
}

/// Lambda mode: the binary polls a Runtime API (here a stub on 127.0.0.1), answers one event,
/// and reports a refused one as an invocation error with its error type.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lambda_mode_serves_the_runtime_api() {
    let bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let events = [
        event("resume_intent").to_string(),
        serde_json::json!({ "not": "an envelope" }).to_string(),
        // The one rule `invoke` also applies: one JSON value, nothing after it.
        format!("{} trailing", event("resume_intent")),
        "not JSON at all".to_owned(),
        // The Lambda console's test event for the doctor: its report comes back.
        serde_json::json!({ "doctor": true }).to_string(),
    ];
    let served = AtomicUsize::new(0);
    let deadline_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis()
        + 7_000;
    let runtime = Stub::spawn(move |seen| {
        if seen.method == "GET" && seen.path == "/2018-06-01/runtime/invocation/next" {
            let n = served.fetch_add(1, Ordering::SeqCst);
            let Some(event) = events.get(n) else {
                return Reply::Slow(Duration::from_secs(60), 500, String::new());
            };
            let headers = vec![
                (
                    "Lambda-Runtime-Aws-Request-Id".to_owned(),
                    format!("invocation-{n}"),
                ),
                (
                    "Lambda-Runtime-Deadline-Ms".to_owned(),
                    deadline_ms.to_string(),
                ),
                (
                    "Lambda-Runtime-Invoked-Function-Arn".to_owned(),
                    "arn:aws:lambda:eu-west-1:123456789012:function:ma-alexa-skill".to_owned(),
                ),
            ];
            Reply::WithHeaders(200, headers, event.clone())
        } else {
            Reply::Status(202, r#"{"status":"OK"}"#.into())
        }
    })
    .await;

    let runtime_api = runtime.base().trim_start_matches("http://").to_owned();
    let bridge_base = bridge.base();
    let env: Vec<(String, String)> = [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api.as_str()),
        ("AWS_LAMBDA_FUNCTION_NAME", "ma-alexa-skill"),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ("API_HOSTNAME", bridge_base.as_str()),
        // The doctor event fetches the stream host: keep it on loopback (nothing listens).
        ("MA_HOSTNAME", "127.0.0.1:9"),
        ("SKILL_ID", SKILL_ID),
    ]
    .iter()
    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
    .collect();
    let mut child = Command::new(BIN)
        .env_clear()
        .envs(env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");

    let started = Instant::now();
    let posts = loop {
        let posts: Vec<Seen> = runtime
            .seen()
            .into_iter()
            .filter(|s| s.method == "POST")
            .collect();
        if posts.len() >= 5 || started.elapsed() > Duration::from_secs(20) {
            break posts;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let _ = child.kill();
    let output = child.wait_with_output().expect("ended");
    let logs = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        posts.len(),
        5,
        "runtime saw {:?}\nlogs: {logs}",
        runtime.seen()
    );

    assert_eq!(
        posts[0].path,
        "/2018-06-01/runtime/invocation/invocation-0/response"
    );
    let response: Value = serde_json::from_slice(&posts[0].body).expect("response JSON");
    assert_eq!(Shape::of(&response), Shape::play(83_140, Some(true)));

    assert_eq!(
        posts[1].path,
        "/2018-06-01/runtime/invocation/invocation-1/error"
    );
    let error: Value = serde_json::from_slice(&posts[1].body).expect("error JSON");
    assert_eq!(error["errorType"], "InvalidEnvelope", "{error}");
    for (n, post) in posts.iter().enumerate().skip(2).take(2) {
        assert_eq!(
            post.path,
            format!("/2018-06-01/runtime/invocation/invocation-{n}/error")
        );
        let error: Value = serde_json::from_slice(&post.body).expect("error JSON");
        assert_eq!(error["errorType"], "InvalidJson", "{error}");
        assert!(
            error["errorMessage"]
                .as_str()
                .is_some_and(|m| m.starts_with("the event is not one JSON value")),
            "{error}"
        );
    }

    assert_eq!(
        posts[4].path,
        "/2018-06-01/runtime/invocation/invocation-4/response"
    );
    let report: Value = serde_json::from_slice(&posts[4].body).expect("report JSON");
    assert!(
        report["checks"].as_array().is_some_and(|c| !c.is_empty()),
        "{report}"
    );
    let lambda_check = report["checks"]
        .as_array()
        .and_then(|c| c.iter().find(|c| c["check"] == "lambda"))
        .unwrap_or_else(|| panic!("no lambda check: {report}"));
    assert!(
        lambda_check["message"]
            .as_str()
            .is_some_and(|m| m.contains("128 MB")),
        "{report}"
    );
    // A refusal is a warning with its reason, not an ERROR that reads like a crash.
    assert!(
        !logs.contains("\"level\":\"ERROR\""),
        "an ERROR line for a refusal: {logs}"
    );
    assert!(
        logs.lines()
            .any(|l| l.contains("\"level\":\"WARN\"") && l.contains("\"refused\"")),
        "{logs}"
    );
    let first_line: Value = serde_json::from_str(
        logs.lines()
            .find(|l| l.contains("\"answered\""))
            .unwrap_or_else(|| panic!("no answered line: {logs}")),
    )
    .expect("JSON log lines inside Lambda");
    assert_eq!(first_line["outcome"], "played");
    // One request for the played event, two for the doctor (/ma/latest-url, /alexa/intents).
    assert_eq!(bridge.count(), 3);
}

/// The setting names a help text mentions: its runs of capitals, digits and underscores.
fn names_in(help: &str) -> std::collections::HashSet<&str> {
    help.split(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
        .filter(|w| w.len() > 1)
        .collect()
}

/// Each binary's `--help` lists every setting it reads: the skill's (`settings::ALL` and where
/// they come from) in both, since the bridge serves the skill too, and the bridge's own in the
/// bridge's. A setting added to the code without its line in the help fails here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_lists_every_setting_each_binary_reads() {
    use ma_alexa_skill::bridge_server::config;
    use ma_alexa_skill::settings::{self, source};
    let skill = run(&["--help"], &[], b"").await;
    assert!(skill.status.success());
    let bridge = common::bridge_process::run_bridge(&["--help"], &[]);
    assert!(bridge.status.success());
    let sources = [source::SSM_PARAMETER_PREFIX, source::CONFIG_TTL_SECONDS];
    let skill_reads = settings::ALL
        .iter()
        .chain(&sources)
        .chain(&[config::BRIDGE_SKILL_ENDPOINT, "RUST_LOG"]);
    let bridge_reads = settings::ALL
        .iter()
        .chain(&sources)
        .chain(&config::ALL)
        .chain(&["RUST_LOG"]);
    for (binary, output, reads) in [
        ("ma-alexa-skill", &skill, skill_reads.collect::<Vec<_>>()),
        ("ma-alexa-bridge", &bridge, bridge_reads.collect::<Vec<_>>()),
    ] {
        let help = String::from_utf8_lossy(&output.stdout);
        let listed = names_in(&help);
        for name in reads {
            assert!(
                listed.contains(name),
                "{binary} --help does not list {name}:\n{help}"
            );
        }
        assert!(
            help.lines().all(|l| l.chars().count() <= 100),
            "{binary} --help has a line over 100 characters:\n{help}"
        );
    }
}

/// The report names each settings problem; the warnings the settings log when they are loaded
/// would repeat each one above it (issue 18): in doctor mode they are left out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_says_each_settings_problem_once() {
    let output = run(&["doctor"], &[("SKILL_ID", SKILL_ID)], b"").await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    for problem in [
        "setting API_HOSTNAME is missing",
        "setting MA_HOSTNAME is missing",
    ] {
        assert_eq!(stdout.matches(problem).count(), 1, "{stdout}");
        assert!(
            !stderr.contains(problem),
            "said twice, on stderr too:\n{stderr}"
        );
    }
}

/// The doctor against the real bridge: its `/alexa/intents` passes (issue 18: every owner of
/// the bridge got "fail  bridge intents" and exit 1).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_accepts_the_real_bridges_intents() {
    use common::bridge_process::{BridgeProcess, TempDir};
    let state = TempDir::new("cli-doctor");
    let file = state.path().join("state.json");
    let bridge = BridgeProcess::start(&[("BRIDGE_STATE_FILE", file.to_str().expect("utf-8"))]);
    let output = run(&["doctor"], &[("API_HOSTNAME", &bridge.base)], b"").await;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("pass  bridge intents")),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn doctor_reports_and_fails_with_what_to_fix() {
    let text = run(&["doctor"], &[("SKILL_ID", SKILL_ID)], b"").await;
    assert_eq!(text.status.code(), Some(1), "{text:?}");
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("fail  settings") && stdout.contains("fix: set API_HOSTNAME"),
        "{stdout}"
    );
    let json = run(&["doctor", "--json"], &[("SKILL_ID", SKILL_ID)], b"").await;
    assert_eq!(json.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    assert_eq!(report["ok"], false);
    assert!(
        report["checks"].as_array().is_some_and(|c| c.len() >= 4),
        "{report}"
    );
    let bad = run(&["doctor", "--yaml"], &[], b"").await;
    assert_eq!(bad.status.code(), Some(2));
}
