//! `ma-alexa-skill doctor` against stand-ins on 127.0.0.1: a bridge, Music Assistant, and HTTPS
//! stream hosts with certificates made here (a test CA the doctor is told to trust, and a
//! self-signed one it must refuse).

mod common;

use std::time::{Duration, Instant};

use common::tls::{Answer, TestCa, TlsStub};
use common::*;
use ma_alexa_skill::doctor::{Doctor, LambdaFacts, Report, Status};
use ma_alexa_skill::settings::source::SettingsSource;
use serde_json::json;

const PASSWORD: &str = "bridge-password-never-shown";
const MP3: Answer = Answer {
    status: 206,
    content_type: "audio/mpeg",
};

/// A bridge with credentials holding [`CURRENT_STREAM`] and serving `/alexa/intents`.
async fn bridge() -> Stub {
    Stub::spawn(|seen| {
        let authorized = seen
            .headers
            .get("authorization")
            .is_some_and(|a| a.starts_with("Basic "));
        match (authorized, seen.path_only()) {
            (false, _) => Reply::Status(401, r#"{"error":"Unauthorized"}"#.into()),
            (true, "/ma/latest-url") => Reply::ok(current_reply()),
            (true, "/alexa/intents") => Reply::ok(
                json!({ "locale": "en-US", "invocationName": "music assistant", "intents": [] })
                    .to_string(),
            ),
            _ => Reply::Status(404, "{}".into()),
        }
    })
    .await
}

/// Music Assistant with its `/info` (generated: a 2.8.1 server) and the players of
/// [`healthy_music_assistant`].
async fn music_assistant() -> Stub {
    Stub::spawn(|seen| match (seen.method.as_str(), seen.path_only()) {
        ("GET", "/info") => ma_reply("server_info"),
        ("POST", "/api") => {
            let body: serde_json::Value = serde_json::from_slice(&seen.body).unwrap_or_default();
            healthy_music_assistant(body["command"].as_str().unwrap_or(""), &body["args"])
        }
        _ => Reply::Status(404, "Not Found".into()),
    })
    .await
}

fn settings_of(bridge: &Stub, stream_host: &str, ma: Option<&Stub>) -> SettingsSource {
    let ma_base = ma.map(Stub::base).unwrap_or_default();
    let devices = json!({ "amzn1.ask.device.KITCHEN": QUEUE }).to_string();
    let mut pairs = vec![
        ("API_HOSTNAME", bridge.base()),
        ("API_USERNAME", "alexa".to_owned()),
        ("API_PASSWORD", PASSWORD.to_owned()),
        ("MA_HOSTNAME", stream_host.to_owned()),
        ("SKILL_ID", SKILL_ID.to_owned()),
    ];
    if ma.is_some() {
        pairs.push(("MA_API_URL", ma_base));
        pairs.push(("MA_API_TOKEN", MA_TOKEN.to_owned()));
        pairs.push(("DEVICE_PLAYERS", devices));
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    SettingsSource::fixed(settings(&pairs))
}

fn status_of(report: &Report, check: &str) -> Status {
    report
        .check(check)
        .unwrap_or_else(|| panic!("no {check} check in:\n{}", report.text()))
        .status
}

fn message_of(report: &Report, check: &str) -> String {
    report
        .check(check)
        .map(|c| c.message.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_home_passes_every_check() {
    let ca = TestCa::new();
    let stream = TlsStub::signed_by(&ca, MP3).await;
    let (bridge, ma) = (bridge().await, music_assistant().await);
    let source = settings_of(&bridge, &stream.base(), Some(&ma));
    let report = Doctor::trusting(&[ca.root_der()]).run(&source, None).await;
    let text = report.text();
    // `cargo test --test doctor -- --nocapture` shows what an owner reads.
    println!("{text}");
    assert!(report.ok, "{text}");
    for check in [
        "settings",
        "bridge",
        "bridge intents",
        "stream host",
        "music assistant",
        "skill",
    ] {
        assert_eq!(status_of(&report, check), Status::Pass, "{check}:\n{text}");
    }
    assert!(
        message_of(&report, "bridge").contains("Music Assistant 2026"),
        "{text}"
    );
    assert!(message_of(&report, "stream host").contains("MP3"), "{text}");
    assert!(
        message_of(&report, "music assistant").contains("2.8.1"),
        "{text}"
    );
    assert!(
        message_of(&report, "music assistant").contains("'Kitchen Echo'"),
        "{text}"
    );
    // Secrets are set or not set, never shown.
    let json = serde_json::to_string(&report).expect("serializes");
    for secret in [PASSWORD, MA_TOKEN] {
        assert!(
            !text.contains(secret) && !json.contains(secret),
            "{secret} shown"
        );
    }
    // The stream host was asked for a short range, the way an Echo starts.
    assert!(report.elapsed_ms < 10_000);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificates_an_echo_refuses_are_named() {
    let (bridge, ma) = (bridge().await, music_assistant().await);
    // Self-signed.
    let stream = TlsStub::self_signed(MP3).await;
    let source = settings_of(&bridge, &stream.base(), Some(&ma));
    let report = Doctor::new().run(&source, None).await;
    let check = report.check("stream host").expect("stream host check");
    assert_eq!(check.status, Status::Fail, "{}", report.text());
    assert!(
        check.message.contains("not publicly trusted"),
        "{}",
        report.text()
    );
    assert!(check
        .fix
        .as_deref()
        .is_some_and(|f| f.contains("Let's Encrypt")));
    assert!(report.failed());
    // A private CA: the production trust store (Doctor::new) does not know the test CA.
    let ca = TestCa::new();
    let private = TlsStub::signed_by(&ca, MP3).await;
    let source = settings_of(&bridge, &private.base(), Some(&ma));
    let report = Doctor::new().run(&source, None).await;
    assert!(
        message_of(&report, "stream host").contains("not publicly trusted"),
        "{}",
        report.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_proxy_answers_for_a_stream_is_judged() {
    let ca = TestCa::new();
    let (bridge, ma) = (bridge().await, music_assistant().await);
    let cases = [
        (
            Answer {
                status: 200,
                content_type: "text/html",
            },
            Status::Fail,
            "instead of audio",
        ),
        (
            Answer {
                status: 404,
                content_type: "text/plain",
            },
            Status::Fail,
            "HTTP 404",
        ),
        (
            Answer {
                status: 200,
                content_type: "audio/flac",
            },
            Status::Fail,
            "FLAC",
        ),
        (
            Answer {
                status: 206,
                content_type: "audio/aac",
            },
            Status::Pass,
            "AAC",
        ),
        (
            Answer {
                status: 200,
                content_type: "application/vnd.apple.mpegurl",
            },
            Status::Pass,
            "HLS",
        ),
    ];
    for (answer, status, said) in cases {
        let stream = TlsStub::signed_by(&ca, answer.clone()).await;
        let source = settings_of(&bridge, &stream.base(), Some(&ma));
        let report = Doctor::trusting(&[ca.root_der()]).run(&source, None).await;
        assert_eq!(
            status_of(&report, "stream host"),
            status,
            "{answer:?}\n{}",
            report.text()
        );
        assert!(
            message_of(&report, "stream host").contains(said),
            "{answer:?}\n{}",
            report.text()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_bridge_problem_has_its_outcome() {
    let ca = TestCa::new();
    let stream = TlsStub::signed_by(&ca, MP3).await;
    let doctor = Doctor::trusting(&[ca.root_der()]);
    let nothing = Stub::spawn(|seen| match seen.path_only() {
        "/ma/latest-url" => Reply::Status(404, r#"{"error":"No URL available"}"#.into()),
        _ => Reply::Status(404, "Cannot GET".into()),
    })
    .await;
    let refused = Stub::bridge(Reply::Status(401, "{}".into())).await;
    let other_invocation = Stub::spawn(|seen| match seen.path_only() {
        "/ma/latest-url" => Reply::ok(current_reply()),
        _ => Reply::ok(json!({ "invocationName": "my music" }).to_string()),
    })
    .await;
    let not_a_stream = Stub::bridge(Reply::ok(
        json!({ "streamUrl": "http://10.0.0.2/etc/passwd" }).to_string(),
    ))
    .await;
    let cases: [(&Stub, &str, Status, &str); 5] = [
        (&nothing, "bridge", Status::Warn, "nothing was pushed"),
        (
            &nothing,
            "bridge intents",
            Status::Warn,
            "no /alexa/intents",
        ),
        (&refused, "bridge", Status::Fail, "refused the credentials"),
        (
            &other_invocation,
            "bridge intents",
            Status::Fail,
            "'my music'",
        ),
        (
            &not_a_stream,
            "bridge",
            Status::Fail,
            "not a Music Assistant stream",
        ),
    ];
    for (bridge, check, status, said) in cases {
        let report = doctor
            .run(&settings_of(bridge, &stream.base(), None), None)
            .await;
        assert_eq!(
            status_of(&report, check),
            status,
            "{said}\n{}",
            report.text()
        );
        assert!(
            message_of(&report, check).contains(said),
            "{said}\n{}",
            report.text()
        );
    }
    // Nothing pushed: the stream host cannot be tried, and says so.
    let report = doctor
        .run(&settings_of(&nothing, &stream.base(), None), None)
        .await;
    assert_eq!(status_of(&report, "stream host"), Status::Skip);
    assert!(report.ok, "warnings and skips do not fail the run");
    // Down: reachable fails, the rest is skipped.
    let down = settings(&[
        ("API_HOSTNAME", &closed_port_base().await),
        ("MA_HOSTNAME", &stream.base()),
    ]);
    let report = doctor.run(&SettingsSource::fixed(down), None).await;
    assert_eq!(status_of(&report, "bridge"), Status::Fail);
    assert!(message_of(&report, "bridge").contains("could not reach"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_music_assistant_problem_has_its_outcome() {
    let ca = TestCa::new();
    let stream = TlsStub::signed_by(&ca, MP3).await;
    let bridge = bridge().await;
    let doctor = Doctor::trusting(&[ca.root_der()]);
    let refusing = Stub::spawn(|_| Reply::Status(401, "Authentication failed".into())).await;
    let report = doctor
        .run(&settings_of(&bridge, &stream.base(), Some(&refusing)), None)
        .await;
    let check = report.check("music assistant").expect("check");
    assert_eq!(check.status, Status::Fail, "{}", report.text());
    assert!(check
        .fix
        .as_deref()
        .is_some_and(|f| f.contains("long-lived token")));
    // A DEVICE_PLAYERS entry Music Assistant does not have.
    let ma = music_assistant().await;
    let wrong = settings(&[
        ("API_HOSTNAME", &bridge.base()),
        ("API_USERNAME", "alexa"),
        ("API_PASSWORD", PASSWORD),
        ("MA_HOSTNAME", &stream.base()),
        ("MA_API_URL", &ma.base()),
        ("MA_API_TOKEN", MA_TOKEN),
        (
            "DEVICE_PLAYERS",
            &json!({ "amzn1.ask.device.X": "Garage Echo" }).to_string(),
        ),
    ]);
    let report = doctor.run(&SettingsSource::fixed(wrong), None).await;
    assert_eq!(
        status_of(&report, "device players"),
        Status::Fail,
        "{}",
        report.text()
    );
    assert!(message_of(&report, "device players").contains("'Garage Echo'"));
    // Not configured: skipped, not failed.
    let report = doctor
        .run(&settings_of(&bridge, &stream.base(), None), None)
        .await;
    assert_eq!(status_of(&report, "music assistant"), Status::Skip);
}

#[tokio::test]
async fn missing_settings_and_the_lambda_environment_are_reported() {
    let report = Doctor::new()
        .run(
            &SettingsSource::fixed(settings(&[("SKILL_ID", "not-a-skill-id")])),
            None,
        )
        .await;
    let text = report.text();
    assert!(report.failed());
    assert!(text.contains("setting API_HOSTNAME is missing"), "{text}");
    assert!(text.contains("setting MA_HOSTNAME is missing"), "{text}");
    assert_eq!(status_of(&report, "skill"), Status::Fail, "{text}");
    assert_eq!(status_of(&report, "bridge"), Status::Skip, "{text}");

    let facts = LambdaFacts {
        memory_mb: Some(128),
        time_left: Some(Duration::from_secs(2)),
        region: Some("us-east-2".into()),
    };
    let report = Doctor::new()
        .run(
            &SettingsSource::fixed(settings(&[("SKILL_ID", SKILL_ID)])),
            Some(&facts),
        )
        .await;
    let lambda = report.check("lambda").expect("lambda check");
    assert_eq!(lambda.status, Status::Warn, "{}", report.text());
    assert!(lambda.message.contains("128 MB") && lambda.message.contains("us-east-2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_run_stays_under_ten_seconds() {
    let silent = Stub::spawn(|_| Reply::Slow(Duration::from_secs(60), 200, "{}".into())).await;
    let source = SettingsSource::fixed(settings(&[
        ("API_HOSTNAME", &silent.base()),
        ("MA_HOSTNAME", "https://127.0.0.1:9"),
        ("MA_API_URL", &silent.base()),
        ("MA_API_TOKEN", MA_TOKEN),
    ]));
    let started = Instant::now();
    let report = Doctor::new().run(&source, None).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{}",
        report.text()
    );
    assert_eq!(
        status_of(&report, "bridge"),
        Status::Fail,
        "{}",
        report.text()
    );
    assert_eq!(
        status_of(&report, "music assistant"),
        Status::Fail,
        "{}",
        report.text()
    );
    // Inside Lambda the run also fits what is left of the invocation.
    let facts = LambdaFacts {
        time_left: Some(Duration::from_millis(2500)),
        ..LambdaFacts::default()
    };
    let started = Instant::now();
    let report = Doctor::new().run(&source, Some(&facts)).await;
    assert!(
        started.elapsed() < Duration::from_millis(2500),
        "{}",
        report.text()
    );
}

/// A bridge on 127.0.0.1 (nothing pushed), serving the skill when `skill` is set.
async fn real_bridge(skill: bool) -> String {
    use ma_alexa_skill::bridge_server::{auth::Access, routes::Bridge, skill::SkillEndpoint};
    let mut bridge = Bridge::new(
        std::sync::Arc::new(ma_alexa_skill::bridge_server::store::Store::in_memory()),
        Access::Open,
        ma_alexa_skill::interaction_models::ModelLocale::EN_US,
    );
    if skill {
        let service = ma_alexa_skill::service::Service::new(settings(&[("SKILL_ID", SKILL_ID)]));
        bridge = bridge.with_skill(SkillEndpoint::new(
            service,
            ma_alexa_skill::request_signature::SignatureVerifier::new(),
        ));
    }
    serve_bridge(std::sync::Arc::new(bridge)).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skill_endpoint_mode_is_checked_when_it_is_on() {
    for (serves, want) in [(true, Status::Pass), (false, Status::Fail)] {
        let base = real_bridge(serves).await;
        let source = SettingsSource::fixed(settings(&[
            ("API_HOSTNAME", &base),
            ("MA_HOSTNAME", "127.0.0.1:9"),
            ("SKILL_ID", SKILL_ID),
        ]));
        let report = Doctor::new()
            .checking_skill_endpoint(true)
            .run(&source, None)
            .await;
        assert_eq!(
            status_of(&report, "skill endpoint"),
            want,
            "{}",
            report.text()
        );
    }
    // Without SKILL_ID the endpoint serves nothing: said plainly.
    let base = real_bridge(true).await;
    let source = SettingsSource::fixed(settings(&[("API_HOSTNAME", &base)]));
    let report = Doctor::new()
        .checking_skill_endpoint(true)
        .run(&source, None)
        .await;
    assert!(message_of(&report, "skill endpoint").contains("SKILL_ID is not set"));
    // Off by default: no such check.
    let report = Doctor::new().run(&source, None).await;
    assert!(report.check("skill endpoint").is_none());
}
