//! Settings from SSM Parameter Store, against a real SSM-compatible endpoint (`moto_server` on
//! 127.0.0.1), with the bridge served by the test on 127.0.0.1 as well.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::aws::{reader, CountingProxy, Moto, SESSION_TOKEN};
use common::*;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::logging::LogFormat;
use ma_alexa_skill::service::Service;
use ma_alexa_skill::settings::source::SettingsSource;
use ma_alexa_skill::speech::{Language, Phrase};
use serde_json::Value;

const PREFIX: &str = "/ma-alexa-skill";
const PASSWORD: &str = "Decrypted-SecureString-value-42";

/// Puts a complete, valid set of parameters aimed at `bridge`.
async fn put_all(moto: &Moto, bridge: &str) {
    moto.put(&format!("{PREFIX}/API_HOSTNAME"), bridge, false)
        .await;
    moto.put(&format!("{PREFIX}/API_USERNAME"), "alice", false)
        .await;
    moto.put(&format!("{PREFIX}/API_PASSWORD"), PASSWORD, true)
        .await;
    moto.put(&format!("{PREFIX}/MA_HOSTNAME"), MA_HOSTNAME, false)
        .await;
    moto.put(&format!("{PREFIX}/SKILL_ID"), SKILL_ID, false)
        .await;
}

fn service(endpoint: &str, overrides: &[(&str, &str)], ttl: Duration) -> Service {
    let overrides: HashMap<String, String> = overrides
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Service::from_source(SettingsSource::ssm(
        reader(PREFIX, endpoint),
        overrides,
        ttl,
    ))
}

async fn answer(service: &Service, stem: &str) -> Value {
    let response = service
        .answer(event(stem), Deadline::local())
        .await
        .unwrap_or_else(|e| panic!("{stem}: refused: {e}"));
    serde_json::to_value(&response).expect("serializes")
}

fn stream_url(response: &Value) -> &str {
    response["response"]["directives"][0]["audioItem"]["stream"]["url"]
        .as_str()
        .unwrap_or_else(|| panic!("no Play: {response:#}"))
}

fn capture(filter: &str) -> (Captured, tracing::subscriber::DefaultGuard) {
    common::capture(filter, LogFormat::Json)
}

#[tokio::test]
async fn string_and_secure_string_parameters_configure_the_skill() {
    // Every test logs into its own capture: tracing caches per-callsite interest across threads.
    let (_logs, _guard) = capture("info");
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    let service = service(&moto.endpoint, &[], Duration::from_secs(300));

    let response = answer(&service, "resume_intent").await;
    assert_eq!(Shape::of(&response), Shape::play(83_140, Some(true)));
    assert_eq!(stream_url(&response), CURRENT_PUBLIC);
    // The SecureString arrived decrypted: base64("alice:Decrypted-SecureString-value-42").
    assert_eq!(
        bridge.seen()[0]
            .headers
            .get("authorization")
            .map(String::as_str),
        Some("Basic YWxpY2U6RGVjcnlwdGVkLVNlY3VyZVN0cmluZy12YWx1ZS00Mg==")
    );
    // SKILL_ID came from SSM too.
    let mut other = event("pause_intent");
    other["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.other".into();
    assert!(service.answer(other, Deadline::local()).await.is_err());
}

#[tokio::test]
async fn every_page_is_read_and_unknown_names_are_ignored_with_one_warning() {
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    for i in 0..12 {
        moto.put(&format!("{PREFIX}/EXTRA_{i:02}"), "x", false)
            .await;
    }
    // A parameter below a deeper path is not under the prefix itself.
    moto.put(
        &format!("{PREFIX}/nested/MA_HOSTNAME"),
        "nested.example.net",
        false,
    )
    .await;
    // A parameter of a neighbouring prefix is not read.
    moto.put(
        "/ma-alexa-skill-staging/MA_HOSTNAME",
        "staging.example.net",
        false,
    )
    .await;

    let (logs, _guard) = capture("info");
    let service = service(&moto.endpoint, &[], Duration::from_secs(300));
    let response = answer(&service, "play_audio_intent").await;
    assert_eq!(stream_url(&response), CURRENT_PUBLIC);
    assert!(
        service.settings().ssm_calls() >= 2,
        "17 parameters need more than one page"
    );

    let logs = logs.text();
    let warnings: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("ignoring parameters"))
        .collect();
    assert_eq!(warnings.len(), 1, "{logs}");
    for i in 0..12 {
        assert!(
            warnings[0].contains(&format!("EXTRA_{i:02}")),
            "{}",
            warnings[0]
        );
    }
    assert!(
        !logs.contains("nested.example.net") && !logs.contains("staging"),
        "{logs}"
    );
}

#[tokio::test]
async fn environment_values_override_ssm() {
    // Every test logs into its own capture: tracing caches per-callsite interest across threads.
    let (_logs, _guard) = capture("info");
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    let service = service(
        &moto.endpoint,
        &[("MA_HOSTNAME", "override.example.net")],
        Duration::from_secs(300),
    );
    let response = answer(&service, "play_audio_intent").await;
    assert!(
        stream_url(&response).starts_with("https://override.example.net/flow/"),
        "{response}"
    );
}

#[tokio::test]
async fn a_missing_required_parameter_is_named_aloud() {
    // Every test logs into its own capture: tracing caches per-callsite interest across threads.
    let (_logs, _guard) = capture("info");
    let moto = Moto::start().await;
    moto.put(&format!("{PREFIX}/MA_HOSTNAME"), MA_HOSTNAME, false)
        .await;
    let service = service(&moto.endpoint, &[], Duration::from_secs(300));
    let response = answer(&service, "play_audio_intent_de-DE").await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(
            Phrase::SettingMissing
                .text(Language::German)
                .replace("{setting}", "API HOSTNAME")
                .as_str()
        )
    );
}

#[tokio::test]
async fn an_unreachable_endpoint_on_first_load_is_explained() {
    let (logs, _guard) = capture("info");
    let service = service(&closed_port_base().await, &[], Duration::from_secs(300));
    let response = answer(&service, "play_audio_intent").await;
    assert_eq!(
        speech_text(&response).as_deref(),
        Some(Phrase::SettingsUnavailable.text(Language::English))
    );
    // AudioPlayer requests stay silent.
    let silent = answer(&service, "playback_nearly_finished").await;
    assert_eq!(Shape::of(&silent), Shape::empty());

    let line: Value = serde_json::from_str(
        logs.text()
            .lines()
            .find(|l| l.contains("answered with a problem"))
            .expect("a problem line"),
    )
    .expect("JSON");
    assert_eq!(line["error_kind"], "ssm_unreachable", "{line}");
    let error = line["error"].as_str().expect("error");
    assert!(
        error.contains("GetParametersByPath on /ma-alexa-skill"),
        "{error}"
    );
}

#[tokio::test]
async fn a_failed_refresh_keeps_the_last_good_settings() {
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    let service = service(&moto.endpoint, &[], Duration::from_millis(300));
    assert_eq!(
        stream_url(&answer(&service, "play_audio_intent").await),
        CURRENT_PUBLIC
    );

    drop(moto);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let (logs, _guard) = capture("info");
    let response = answer(&service, "play_audio_intent").await;
    assert_eq!(
        stream_url(&response),
        CURRENT_PUBLIC,
        "served with the last good settings"
    );
    assert!(
        logs.text().contains("refreshing the settings failed"),
        "{}",
        logs.text()
    );
}

#[tokio::test]
async fn a_change_is_picked_up_after_the_ttl() {
    // Every test logs into its own capture: tracing caches per-callsite interest across threads.
    let (_logs, _guard) = capture("info");
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    let ttl = Duration::from_millis(700);
    let service = service(&moto.endpoint, &[], ttl);
    assert_eq!(
        stream_url(&answer(&service, "play_audio_intent").await),
        CURRENT_PUBLIC
    );

    moto.put(
        &format!("{PREFIX}/MA_HOSTNAME"),
        "https://new.example.net:8443",
        false,
    )
    .await;
    assert_eq!(
        stream_url(&answer(&service, "play_audio_intent").await),
        CURRENT_PUBLIC,
        "inside the TTL the loaded settings are kept"
    );
    tokio::time::sleep(ttl).await;
    assert!(stream_url(&answer(&service, "play_audio_intent").await)
        .starts_with("https://new.example.net:8443/flow/"));
}

#[tokio::test]
async fn warm_invocations_make_no_ssm_call() {
    // Every test logs into its own capture: tracing caches per-callsite interest across threads.
    let (_logs, _guard) = capture("info");
    const INVOCATIONS: usize = 50;
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    let proxy = CountingProxy::start(&moto.endpoint).await;
    let service = service(&proxy.endpoint, &[], Duration::from_secs(300));
    for _ in 0..INVOCATIONS {
        let response = answer(&service, "playback_controller_play").await;
        assert_eq!(Shape::of(&response), Shape::play(83_140, None));
    }
    eprintln!(
        "SSM requests over {INVOCATIONS} invocations: {} (seen by the endpoint), {} (made by the skill)",
        proxy.requests(),
        service.settings().ssm_calls()
    );
    assert_eq!(proxy.requests(), 1, "only the cold invocation reads SSM");
    assert_eq!(service.settings().ssm_calls(), 1);
    assert_eq!(bridge.count(), INVOCATIONS);
}

#[tokio::test]
async fn decrypted_values_and_credentials_never_reach_the_logs() {
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    let (logs, _guard) = capture("trace");
    let service = service(&moto.endpoint, &[], Duration::from_millis(1));
    tracing::debug!(?service, "service built");
    for stem in ["play_audio_intent", "resume_intent", "playback_failed"] {
        answer(&service, stem).await;
    }
    let logs = logs.text();
    assert!(logs.contains("settings loaded from SSM"), "{logs}");
    for secret in [
        PASSWORD,
        "RGVjcnlwdGVkLVNlY3VyZVN0cmluZy12YWx1ZS00Mg",
        SESSION_TOKEN,
        "test-secret-access-key-must-stay-secret",
    ] {
        assert!(
            !logs.contains(secret),
            "a secret reached the logs: {secret}"
        );
    }
}

/// The production path: the binary reads `SSM_PARAMETER_PREFIX`, region, credentials and
/// `AWS_ENDPOINT_URL` from its environment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_reads_ssm_through_aws_endpoint_url() {
    // Every test logs into its own capture: tracing caches per-callsite interest across threads.
    let (_logs, _guard) = capture("info");
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    let endpoint = moto.endpoint.clone();
    let env = [
        ("SSM_PARAMETER_PREFIX", PREFIX.to_owned()),
        ("AWS_ENDPOINT_URL", endpoint),
        ("AWS_REGION", "eu-west-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "AKIDEXAMPLETESTKEY".to_owned()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "test-secret-access-key-must-stay-secret".to_owned(),
        ),
        // The most the binary can log: still no decrypted value or secret key.
        ("RUST_LOG", "trace".to_owned()),
    ];
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_ma-alexa-skill"))
            .args(["invoke", "events/resume_intent.json"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_clear()
            .envs(env)
            .output()
            .expect("runs")
    })
    .await
    .expect("joined");
    let logs = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{logs}");
    let response: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(Shape::of(&response), Shape::play(83_140, Some(true)));
    assert!(
        !logs.contains(PASSWORD) && !logs.contains("test-secret-access-key"),
        "{logs}"
    );
}

#[tokio::test]
async fn a_slow_first_load_may_use_what_the_deadline_leaves() {
    let (_logs, _guard) = capture("info");
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    // SSM answering after 2 s: more than one usual attempt (1.5 s), well inside the deadline.
    let slow = CountingProxy::start_slow(&moto.endpoint, Duration::from_secs(2)).await;
    let service = service(&slow.endpoint, &[], Duration::from_secs(300));
    let response = service
        .answer(
            event("play_audio_intent"),
            Deadline::after(Duration::from_secs(6)),
        )
        .await
        .expect("answered");
    let response = serde_json::to_value(&response).expect("serializes");
    assert_eq!(stream_url(&response), CURRENT_PUBLIC, "{response}");
    assert_eq!(slow.requests(), 1, "one attempt, no retry");
}

#[tokio::test]
async fn the_longest_ttl_never_overflows() {
    let (_logs, _guard) = capture("info");
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    let service = service(&moto.endpoint, &[], Duration::MAX);
    for _ in 0..2 {
        let response = answer(&service, "play_audio_intent").await;
        assert_eq!(stream_url(&response), CURRENT_PUBLIC);
    }
    assert_eq!(service.settings().ssm_calls(), 1);
}

#[tokio::test]
async fn the_doctor_says_where_settings_come_from_and_why_ssm_failed() {
    let (_logs, _guard) = capture("info");
    let moto = Moto::start().await;
    let bridge = Stub::bridge(Reply::ok(current_reply())).await;
    put_all(&moto, &bridge.base()).await;
    let doctor = ma_alexa_skill::doctor::Doctor::new();
    let loaded = SettingsSource::ssm(
        reader(PREFIX, &moto.endpoint),
        HashMap::from([("MA_HOSTNAME".to_owned(), "127.0.0.1:9".to_owned())]),
        Duration::from_secs(300),
    );
    let report = doctor.run(&loaded, None).await;
    let settings = report.check("settings").expect("settings check");
    assert!(
        settings
            .message
            .starts_with("from SSM /ma-alexa-skill (overridden by the environment: MA_HOSTNAME)"),
        "{}",
        report.text()
    );
    assert!(!report.text().contains(PASSWORD), "a decrypted value shown");

    let unreachable = service(&closed_port_base().await, &[], Duration::from_secs(300));
    let report = doctor.run(unreachable.settings(), None).await;
    let settings = report.check("settings").expect("settings check");
    assert_eq!(settings.status, ma_alexa_skill::doctor::Status::Fail);
    assert!(
        settings
            .fix
            .as_deref()
            .is_some_and(|f| f.contains("AWS_REGION")),
        "{}",
        report.text()
    );
}

/// SSM's error reply for `code` (its JSON protocol: `__type` and `message`).
fn aws_error(status: u16, code: &str) -> Reply {
    Reply::Status(
        status,
        format!(r#"{{"__type":"com.amazonaws.ssm#{code}","message":"explained by AWS"}}"#),
    )
}

#[tokio::test]
async fn a_throttled_or_failed_page_is_tried_once_more_and_errors_are_told_apart() {
    let page = serde_json::json!({"Parameters": [
        {"Name": format!("{PREFIX}/MA_HOSTNAME"), "Type": "String", "Value": MA_HOSTNAME}
    ]})
    .to_string();
    // First a throttled attempt, then a 500: each is tried once more, and the retry answers.
    for first in [
        aws_error(400, "ThrottlingException"),
        aws_error(500, "InternalServerError"),
    ] {
        let answers = std::sync::Mutex::new(vec![Reply::ok(page.clone()), first]);
        let ssm =
            Stub::spawn(move |_| answers.lock().expect("lock").pop().expect("an answer")).await;
        let reader = reader(PREFIX, &ssm.base());
        let found = reader.read().await.expect("read on the second attempt");
        assert!(found.contains_key("MA_HOSTNAME"));
        assert_eq!((reader.calls(), ssm.count()), (2, 2));
        let seen = &ssm.seen()[0];
        assert_eq!(
            seen.headers.get("x-amz-target").map(String::as_str),
            Some("AmazonSSM.GetParametersByPath")
        );
        assert!(seen.headers["authorization"]
            .starts_with("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLETESTKEY/"));
        assert!(seen.headers["authorization"].contains("/eu-west-1/ssm/aws4_request"));
    }

    // Errors that will not pass are not repeated, and each gets its own kind.
    for (reply, kind) in [
        (aws_error(400, "AccessDeniedException"), "ssm_access_denied"),
        (
            aws_error(400, "UnrecognizedClientException"),
            "ssm_access_denied",
        ),
        (aws_error(400, "ParameterNotFound"), "ssm_not_found"),
        (aws_error(400, "ValidationException"), "ssm_failed"),
        (Reply::Status(400, "not json".into()), "ssm_failed"),
        (aws_error(400, "ThrottlingException"), "ssm_throttled"),
        (aws_error(503, "ServiceUnavailable"), "ssm_failed"),
    ] {
        let ssm = Stub::spawn(move |_| reply.clone()).await;
        let reader = reader(PREFIX, &ssm.base());
        let error = reader.read().await.expect_err("an error");
        assert_eq!(error.kind(), kind, "{error}");
        let retried =
            matches!(kind, "ssm_throttled") || error.to_string().contains("ServiceUnavailable");
        assert_eq!(ssm.count(), if retried { 2 } else { 1 }, "{error}");
        assert!(!error.to_string().contains(SESSION_TOKEN), "{error}");
    }

    // A page that is not a page: refused without quoting it (it could hold decrypted values).
    let ssm = Stub::spawn(|_| Reply::ok(format!(r#"{{"Parameters": "{PASSWORD}"}}"#))).await;
    let error = reader(PREFIX, &ssm.base())
        .read()
        .await
        .expect_err("refused");
    assert!(!error.to_string().contains(PASSWORD), "{error}");
}

/// The skill inside the bridge (issue 19): settings from SSM without `API_HOSTNAME` are
/// complete there, because the bridge is the process's own, on every load.
#[tokio::test]
async fn inside_the_bridge_ssm_settings_need_no_api_hostname() {
    let (_logs, _guard) = capture("info");
    let moto = Moto::start().await;
    moto.put(&format!("{PREFIX}/MA_HOSTNAME"), MA_HOSTNAME, false)
        .await;
    moto.put(&format!("{PREFIX}/SKILL_ID"), SKILL_ID, false)
        .await;
    let own = ma_alexa_skill::settings::BridgeSettings {
        base: url::Url::parse("http://127.0.0.1:5000/").expect("url"),
        credentials: None,
    };
    let source = SettingsSource::ssm(
        reader(PREFIX, &moto.endpoint),
        HashMap::new(),
        Duration::ZERO,
    )
    .inside_bridge(own);
    for _ in 0..2 {
        let settings = source.current(Deadline::local()).await.expect("loaded");
        assert_eq!(
            settings.bridge.as_ref().map(|b| b.base.as_str()).ok(),
            Some("http://127.0.0.1:5000/")
        );
        assert_eq!(settings.problems().count(), 0);
    }
    assert_eq!(source.ssm_calls(), 2, "a TTL of zero reloads each time");
}
