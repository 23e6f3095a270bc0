//! `ma-alexa-skill doctor` against this project's bridge (the real `ma-alexa-bridge` binary) on
//! 127.0.0.1, Music Assistant stand-ins, and HTTPS stream hosts with certificates made here (a
//! test CA the doctor is told to trust, and every kind of certificate an Echo refuses).
//!
//! Stand-ins remain only for bridges that are not ours: the Node bridge (no `/alexa/intents`),
//! foreign bridges that hand out another invocation or hold what Music Assistant never pushes,
//! and a server that never answers.

mod common;

use std::time::{Duration, Instant};

use common::bridge_process::{BridgeProcess, TempDir};
use common::tls::{Answer, Flaw, TestCa, TlsStub};
use common::*;
use ma_alexa_skill::doctor::{Doctor, LambdaFacts, Report, Status};
use ma_alexa_skill::interaction_models::ModelLocale;
use ma_alexa_skill::settings::source::SettingsSource;
use serde_json::json;
use tokio::io::AsyncWriteExt;

const USER: &str = "alexa";
const PASSWORD: &str = "bridge-password-never-shown";
const MP3: Answer = Answer {
    status: 206,
    content_type: "audio/mpeg",
};

/// `ma-alexa-bridge` itself, with its own state folder.
struct RealBridge {
    process: BridgeProcess,
    _state: TempDir,
}

impl RealBridge {
    /// The bridge with `BRIDGE_USERNAME`/`BRIDGE_PASSWORD` and `envs`.
    fn start(envs: &[(&str, &str)]) -> Self {
        let mut all = vec![("BRIDGE_USERNAME", USER), ("BRIDGE_PASSWORD", PASSWORD)];
        all.extend_from_slice(envs);
        Self::open(&all)
    }

    /// The bridge without credentials, with `envs`.
    fn open(envs: &[(&str, &str)]) -> Self {
        let state = TempDir::new("doctor");
        let file = state.path().join("state.json");
        let mut all = vec![("BRIDGE_STATE_FILE", file.to_str().expect("utf-8 path"))];
        all.extend_from_slice(envs);
        Self {
            process: BridgeProcess::start(&all),
            _state: state,
        }
    }

    /// The bridge with credentials, holding [`CURRENT_STREAM`] as Music Assistant pushes it.
    async fn holding_a_stream() -> Self {
        let bridge = Self::start(&[]);
        assert_eq!(bridge.push(CURRENT_STREAM).await, 200);
        bridge
    }

    fn base(&self) -> String {
        self.process.base.clone()
    }

    /// `POST /ma/push-url {"streamUrl": …}` with the credentials; the status.
    async fn push(&self, stream_url: &str) -> u16 {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(format!("{}/ma/push-url", self.base()))
            .basic_auth(USER, Some(PASSWORD))
            .header("content-type", "application/json")
            .body(json!({ "streamUrl": stream_url }).to_string())
            .send()
            .await
            .expect("the bridge answers")
            .status()
            .as_u16()
    }
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

/// The skill's settings for the bridge at `bridge` (with the credentials) and the stream host.
fn settings_of(bridge: &str, stream_host: &str, ma: Option<&Stub>) -> SettingsSource {
    let ma_base = ma.map(Stub::base).unwrap_or_default();
    let devices = json!({ "amzn1.ask.device.KITCHEN": QUEUE }).to_string();
    let mut pairs = vec![
        ("API_HOSTNAME", bridge.to_owned()),
        ("API_USERNAME", USER.to_owned()),
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

fn fix_of(report: &Report, check: &str) -> String {
    report
        .check(check)
        .and_then(|c| c.fix.clone())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_home_passes_every_check() {
    let ca = TestCa::new();
    let stream = TlsStub::signed_by(&ca, MP3).await;
    let bridge = RealBridge::holding_a_stream().await;
    let ma = music_assistant().await;
    let source = settings_of(&bridge.base(), &stream.base(), Some(&ma));
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
    // The URL format, and which Music Assistant makes it.
    let bridge_line = message_of(&report, "bridge");
    assert!(
        bridge_line.contains("/flow/{session}/{queue}/{item}/{player}")
            && bridge_line.contains("Music Assistant 2.8 and later"),
        "{text}"
    );
    assert!(
        message_of(&report, "bridge intents")
            .contains("Music Assistant will say 'ask music assistant to pause'"),
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
    // MA_HOSTNAME is no secret: its value is shown. Secrets are set or not set, never shown.
    assert!(
        message_of(&report, "settings").contains(&format!("MA_HOSTNAME {}", stream.base())),
        "{text}"
    );
    let json = serde_json::to_string(&report).expect("serializes");
    for secret in [PASSWORD, MA_TOKEN] {
        assert!(
            !text.contains(secret) && !json.contains(secret),
            "{secret} shown"
        );
    }
    assert!(report.elapsed_ms < 10_000);
}

/// Music Assistant makes the Echo say `"{invocationName} {utterance}"`: the bridge hands out the
/// whole carrier phrase of each language, which the doctor must take as right (issue 18).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_bridge_passes_the_intents_check_in_every_locale() {
    for locale in ModelLocale::all() {
        let bridge = RealBridge::start(&[("BRIDGE_LOCALE", locale.as_str())]);
        let source = SettingsSource::fixed(settings(&[
            ("API_HOSTNAME", &bridge.base()),
            ("API_USERNAME", USER),
            ("API_PASSWORD", PASSWORD),
        ]));
        let report = Doctor::new().run(&source, None).await;
        assert_eq!(
            status_of(&report, "bridge intents"),
            Status::Pass,
            "{locale}:\n{}",
            report.text()
        );
        assert!(
            message_of(&report, "bridge intents").contains(locale.as_str()),
            "{locale}:\n{}",
            report.text()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_kind_of_certificate_an_echo_refuses_is_named() {
    let ca = TestCa::new();
    let bridge = RealBridge::holding_a_stream().await;
    let public_ca = "Let's Encrypt";
    // (what, the stream host, whether the doctor trusts the test CA, said, said in the fix)
    let mut cases: Vec<(&str, TlsStub, bool, &str, &str)> = vec![
        (
            "self-signed",
            TlsStub::self_signed(MP3).await,
            false,
            "not publicly trusted",
            public_ca,
        ),
        (
            "self-signed by openssl req -x509 (CA:TRUE)",
            TlsStub::openssl_self_signed(MP3).await,
            false,
            "not publicly trusted: it is a CA certificate (basicConstraints CA:TRUE)",
            public_ca,
        ),
        (
            "a private CA's",
            TlsStub::signed_by(&ca, MP3).await,
            false,
            "not publicly trusted",
            public_ca,
        ),
    ];
    for (what, flaw, said, fix) in [
        (
            "expired",
            Flaw::Expired,
            "has expired (3 days ago)",
            "renew",
        ),
        (
            "not valid yet",
            Flaw::NotYetValid,
            "is not valid yet",
            "clocks",
        ),
        (
            "for another name",
            Flaw::OtherName,
            "is not valid for this host name (it names music.example.org)",
            "names this host",
        ),
        (
            "a CA certificate from a trusted CA",
            Flaw::CaAsServer,
            "basicConstraints CA:TRUE",
            public_ca,
        ),
        (
            "for clients only",
            Flaw::ClientOnly,
            "is not for TLS servers",
            "server certificate",
        ),
    ] {
        cases.push((what, TlsStub::flawed(&ca, flaw, MP3).await, true, said, fix));
    }
    for (what, stream, trusted, said, fix) in cases {
        let doctor = if trusted {
            Doctor::trusting(&[ca.root_der()])
        } else {
            Doctor::new()
        };
        let report = doctor
            .run(&settings_of(&bridge.base(), &stream.base(), None), None)
            .await;
        let text = report.text();
        assert_eq!(
            status_of(&report, "stream host"),
            Status::Fail,
            "{what}:\n{text}"
        );
        assert!(
            message_of(&report, "stream host").contains(said),
            "{what}: wanted '{said}'\n{text}"
        );
        assert!(
            fix_of(&report, "stream host").contains(fix),
            "{what}:\n{text}"
        );
        assert!(report.failed());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_http_on_the_stream_host_is_named() {
    // A server that answers in plain HTTP the moment a client connects, as an HTTP-only port
    // does to a TLS hello.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let _ = socket
                .write_all(
                    b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                )
                .await;
        }
    });
    let bridge = RealBridge::holding_a_stream().await;
    let source = settings_of(&bridge.base(), &format!("https://{addr}"), None);
    let report = Doctor::new().run(&source, None).await;
    assert!(
        message_of(&report, "stream host").contains("does not answer with TLS"),
        "{}",
        report.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_proxy_answers_for_a_stream_is_judged() {
    let ca = TestCa::new();
    let bridge = RealBridge::holding_a_stream().await;
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
        let source = settings_of(&bridge.base(), &stream.base(), None);
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
    let nothing = RealBridge::start(&[]);
    let holding = RealBridge::holding_a_stream().await;
    // The Node bridge: no /alexa/intents (not ours, so a stand-in).
    let node = Stub::spawn(|seen| match seen.path_only() {
        "/ma/latest-url" => Reply::ok(current_reply()),
        _ => Reply::Status(404, "Cannot GET".into()),
    })
    .await;
    // Foreign bridges handing out another invocation, or only the bare name.
    let other_invocation = Stub::spawn(|seen| match seen.path_only() {
        "/ma/latest-url" => Reply::ok(current_reply()),
        _ => Reply::ok(json!({ "locale": "en-US", "invocationName": "my music" }).to_string()),
    })
    .await;
    let bare_invocation = Stub::spawn(|seen| match seen.path_only() {
        "/ma/latest-url" => Reply::ok(current_reply()),
        _ => Reply::ok(
            json!({ "locale": "en-US", "invocationName": "music assistant", "intents": [] })
                .to_string(),
        ),
    })
    .await;
    // Ours refuses a push that is not a Music Assistant stream, so only a foreign bridge can
    // hold one.
    assert_eq!(holding.push("http://10.0.0.2/etc/passwd").await, 400);
    let not_a_stream = Stub::bridge(Reply::ok(
        json!({ "streamUrl": "http://10.0.0.2/etc/passwd" }).to_string(),
    ))
    .await;
    let with = |base: String| settings_of(&base, &stream.base(), None);
    let wrong_password = SettingsSource::fixed(settings(&[
        ("API_HOSTNAME", &holding.base()),
        ("API_USERNAME", USER),
        ("API_PASSWORD", "not-the-password"),
        ("MA_HOSTNAME", &stream.base()),
    ]));
    let no_credentials = SettingsSource::fixed(settings(&[
        ("API_HOSTNAME", &holding.base()),
        ("MA_HOSTNAME", &stream.base()),
    ]));
    let cases: [(&str, SettingsSource, &str, Status, &str); 7] = [
        (
            "nothing pushed",
            with(nothing.base()),
            "bridge",
            Status::Warn,
            "nothing was pushed",
        ),
        (
            "wrong password",
            wrong_password,
            "bridge",
            Status::Fail,
            "refused the credentials",
        ),
        (
            "no credentials",
            no_credentials,
            "bridge",
            Status::Fail,
            "refused the credentials",
        ),
        (
            "the Node bridge",
            with(node.base()),
            "bridge intents",
            Status::Warn,
            "no /alexa/intents",
        ),
        (
            "another invocation",
            with(other_invocation.base()),
            "bridge intents",
            Status::Fail,
            "'my music'",
        ),
        (
            "the bare invocation",
            with(bare_invocation.base()),
            "bridge intents",
            Status::Fail,
            "'music assistant pause'",
        ),
        (
            "not a stream",
            with(not_a_stream.base()),
            "bridge",
            Status::Fail,
            "not a Music Assistant stream",
        ),
    ];
    for (what, source, check, status, said) in cases {
        let report = doctor.run(&source, None).await;
        assert_eq!(
            status_of(&report, check),
            status,
            "{what}\n{}",
            report.text()
        );
        assert!(
            message_of(&report, check).contains(said),
            "{what}: wanted '{said}'\n{}",
            report.text()
        );
    }
    // Nothing pushed: the stream host cannot be tried, and says so.
    let report = doctor.run(&with(nothing.base()), None).await;
    assert_eq!(status_of(&report, "stream host"), Status::Skip);
    assert_eq!(status_of(&report, "bridge intents"), Status::Pass);
    assert!(report.ok, "warnings and skips do not fail the run");
    // Down: reachable fails, the rest is skipped.
    let down = settings(&[
        ("API_HOSTNAME", &closed_port_base().await),
        ("MA_HOSTNAME", &stream.base()),
    ]);
    let report = doctor.run(&SettingsSource::fixed(down), None).await;
    assert_eq!(status_of(&report, "bridge"), Status::Fail);
    assert!(
        message_of(&report, "bridge").contains("refused the connection"),
        "{}",
        report.text()
    );
}

/// The words of an error are never cut in the middle ("Connecti…").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_stream_host_is_said_in_whole_words() {
    let bridge = RealBridge::holding_a_stream().await;
    let closed = closed_port_base().await.replace("http://", "https://");
    let report = Doctor::new()
        .run(&settings_of(&bridge.base(), &closed, None), None)
        .await;
    let message = message_of(&report, "stream host");
    let host = closed.trim_start_matches("https://");
    assert_eq!(
        message,
        format!("{host} refused the connection: nothing listens on that port"),
        "{}",
        report.text()
    );
    assert!(
        fix_of(&report, "stream host").contains("MA_HOSTNAME"),
        "{}",
        report.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_music_assistant_problem_has_its_outcome() {
    let ca = TestCa::new();
    let stream = TlsStub::signed_by(&ca, MP3).await;
    let bridge = RealBridge::holding_a_stream().await;
    let doctor = Doctor::trusting(&[ca.root_der()]);
    let refusing = Stub::spawn(|_| Reply::Status(401, "Authentication failed".into())).await;
    let report = doctor
        .run(
            &settings_of(&bridge.base(), &stream.base(), Some(&refusing)),
            None,
        )
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
        ("API_USERNAME", USER),
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
        .run(&settings_of(&bridge.base(), &stream.base(), None), None)
        .await;
    assert_eq!(status_of(&report, "music assistant"), Status::Skip);
    // Half configured: the missing one is named.
    let half = settings(&[
        ("API_HOSTNAME", &bridge.base()),
        ("MA_HOSTNAME", &stream.base()),
        ("MA_API_URL", &ma.base()),
    ]);
    let report = doctor.run(&SettingsSource::fixed(half), None).await;
    assert_eq!(
        message_of(&report, "music assistant"),
        "not checked: MA_API_TOKEN is not set",
        "{}",
        report.text()
    );
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
    assert_eq!(
        message_of(&report, "bridge"),
        "not checked: API_HOSTNAME is not set"
    );

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

/// Only the password is missing: that is what the report says, not that API_HOSTNAME is
/// unusable.
#[tokio::test]
async fn a_missing_password_is_named_as_the_password() {
    let report = Doctor::new()
        .run(
            &SettingsSource::fixed(settings(&[
                ("API_HOSTNAME", "http://127.0.0.1:9"),
                ("API_USERNAME", USER),
                ("MA_HOSTNAME", "https://127.0.0.1:9"),
            ])),
            None,
        )
        .await;
    let text = report.text();
    assert!(!text.contains("API_HOSTNAME unusable"), "{text}");
    assert!(!text.contains("API_HOSTNAME is not usable"), "{text}");
    assert!(
        message_of(&report, "settings")
            .contains("API_HOSTNAME set, API_USERNAME set without API_PASSWORD"),
        "{text}"
    );
    assert_eq!(
        message_of(&report, "bridge"),
        "not checked: API_USERNAME is set but API_PASSWORD is not",
        "{text}"
    );
}

/// A bridge reached on loopback is not said to be reachable from the internet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bridge_without_credentials_is_described_by_its_address() {
    let bridge = RealBridge::open(&[]);
    let source = SettingsSource::fixed(settings(&[
        ("API_HOSTNAME", &bridge.base()),
        ("MA_HOSTNAME", "https://127.0.0.1:9"),
    ]));
    let report = Doctor::new().run(&source, None).await;
    let warning = report
        .checks
        .iter()
        .find(|c| c.check == "settings" && c.status == Status::Warn)
        .unwrap_or_else(|| panic!("no credentials warning:\n{}", report.text()));
    let said = format!(
        "{} {}",
        warning.message,
        warning.fix.clone().unwrap_or_default()
    );
    assert!(!said.contains("internet"), "{said}");
    assert!(said.contains("only this machine"), "{said}");
    // Without credentials the bridge line does not claim any were accepted.
    assert_eq!(
        status_of(&report, "bridge"),
        Status::Warn,
        "{}",
        report.text()
    );
    assert!(
        !message_of(&report, "bridge").contains("credentials accepted"),
        "{}",
        report.text()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_run_stays_under_ten_seconds() {
    // A server that never answers (no bridge of ours does that): the stand-in stays.
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_skill_endpoint_mode_is_checked_when_it_is_on() {
    let serving = RealBridge::open(&[("BRIDGE_SKILL_ENDPOINT", "true"), ("SKILL_ID", SKILL_ID)]);
    let not_serving = RealBridge::open(&[]);
    for (bridge, want) in [(&serving, Status::Pass), (&not_serving, Status::Fail)] {
        let source = SettingsSource::fixed(settings(&[
            ("API_HOSTNAME", &bridge.base()),
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
    let source = SettingsSource::fixed(settings(&[("API_HOSTNAME", &serving.base())]));
    let report = Doctor::new()
        .checking_skill_endpoint(true)
        .run(&source, None)
        .await;
    assert!(message_of(&report, "skill endpoint").contains("SKILL_ID is not set"));
    // Off by default: no such check.
    let report = Doctor::new().run(&source, None).await;
    assert!(report.check("skill endpoint").is_none());
}
