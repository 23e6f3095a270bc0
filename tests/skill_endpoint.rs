//! The skill as an HTTPS endpoint inside the bridge (`POST /alexa/skill`): Amazon's request
//! signature checks, each rule broken one at a time, against a certificate chain made here by a
//! test certificate authority and served from 127.0.0.1 (the test build trusts that root and
//! that host; the release build cannot: `SignatureVerifier::trusting` exists only with the
//! `test-trust` feature).

mod common;

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use common::bridge_process::{BridgeProcess, TempDir};
use common::signing::*;
use common::tls::{TestCa, TlsStub};
use common::*;
use ma_alexa_skill::bridge_server::auth::Access;
use ma_alexa_skill::bridge_server::routes::Bridge;
use ma_alexa_skill::bridge_server::skill::SkillEndpoint;
use ma_alexa_skill::bridge_server::store::Store;
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::interaction_models::ModelLocale;
use ma_alexa_skill::request_signature::SignatureVerifier;
use ma_alexa_skill::service::Service;
use ma_alexa_skill::settings::Settings;
use serde_json::{json, Value};

/// A running bridge with the skill endpoint, its chain host, and the skill's own bridge stub.
struct Home {
    base: String,
    chain: TlsStub,
    skill_bridge: bridge_process::HomeBridge,
    endpoint: Arc<Bridge>,
    settings: Settings,
}

/// The chain files the chain host serves: a good one, and one per broken rule.
fn chains(ca: &TestCa, other_ca: &TestCa) -> Vec<(&'static str, Vec<u8>)> {
    let key = signing_key();
    let now = time::OffsetDateTime::now_utc();
    let good = ca.issue(&["echo-api.amazon.com"], &key, None);
    let wrong_name = ca.issue(&["evil.example.com"], &key, None);
    let expired = ca.issue(
        &["echo-api.amazon.com"],
        &key,
        Some((
            now - time::Duration::days(30),
            now - time::Duration::days(1),
        )),
    );
    let untrusted = other_ca.issue(&["echo-api.amazon.com"], &key, None);
    let with = |leaf: String| format!("{leaf}{}", ca.root_pem()).into_bytes();
    vec![
        (CHAIN, with(good)),
        ("/echo.api/wrong-name.pem", with(wrong_name)),
        ("/echo.api/expired.pem", with(expired)),
        (
            "/echo.api/untrusted.pem",
            format!("{untrusted}{}", other_ca.root_pem()).into_bytes(),
        ),
        ("/echo.api/not-pem.pem", b"hello".to_vec()),
    ]
}

async fn home(skill_id: Option<&str>) -> Home {
    let ca = TestCa::new();
    let other = TestCa::new();
    let chain = TlsStub::files(&ca, &chains(&ca, &other)).await;
    let skill_bridge = bridge_process::HomeBridge::holding(current_reply()).await;
    let mut pairs = vec![
        ("API_HOSTNAME", skill_bridge.base()),
        ("MA_HOSTNAME", MA_HOSTNAME.to_owned()),
    ];
    if let Some(id) = skill_id {
        pairs.push(("SKILL_ID", id.to_owned()));
    }
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let settings = settings(&pairs);
    let verifier =
        SignatureVerifier::trusting(&[ca.root_der()], &chain.base()).expect("a test origin URL");
    let endpoint = Arc::new(
        Bridge::new(
            Arc::new(Store::in_memory()),
            Access::Open,
            ModelLocale::EN_US,
        )
        .with_skill(SkillEndpoint::new(Service::new(settings.clone()), verifier)),
    );
    let base = serve_bridge(Arc::clone(&endpoint)).await;
    Home {
        base,
        chain,
        skill_bridge,
        endpoint,
        settings,
    }
}

impl Home {
    fn chain_url(&self, path: &str) -> String {
        format!("{}{path}", self.chain.base())
    }

    async fn post(&self, headers: &[(&str, String)], body: Vec<u8>) -> (u16, Value) {
        let client = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client");
        let mut request = client
            .post(format!("{}/alexa/skill", self.base))
            .header("content-type", "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = request.send().await.expect("answered");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.unwrap_or_default();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        (status, body)
    }

    /// A request signed and sent the way Alexa does.
    async fn signed(&self, body: Vec<u8>) -> (u16, Value) {
        let headers = [
            ("SignatureCertChainUrl", self.chain_url(CHAIN)),
            ("Signature-256", sign(&body)),
        ];
        self.post(&headers, body).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_request_is_answered_exactly_like_invoke() {
    let home = home(Some(SKILL_ID)).await;
    let body = request_body(Duration::ZERO);
    let (status, answered) = home.signed(body.clone()).await;
    assert_eq!(status, 200, "{answered}");
    let event: Value = serde_json::from_slice(&body).expect("JSON");
    let invoked = Service::new(home.settings.clone())
        .answer(event, Deadline::local())
        .await
        .expect("answered");
    assert_eq!(answered, serde_json::to_value(invoked).expect("JSON"));
    assert_eq!(Shape::of(&answered), Shape::play(0, Some(true)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chain_is_fetched_once_across_many_requests() {
    let home = home(Some(SKILL_ID)).await;
    for _ in 0..5 {
        let (status, _) = home.signed(request_body(Duration::ZERO)).await;
        assert_eq!(status, 200);
    }
    let fetches = home
        .endpoint
        .skill()
        .expect("endpoint")
        .verifier()
        .fetches();
    assert_eq!((fetches, home.chain.hits()), (1, 1));
}

/// What costs nothing is checked before the chain is fetched, and a failed fetch is remembered
/// (issue 18: every unsigned request with a well-formed chain URL cost one outbound fetch).
/// Counted at the chain host itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_request_that_passes_every_free_check_costs_a_fetch() {
    let home = home(Some(SKILL_ID)).await;
    let fetches = || {
        home.endpoint
            .skill()
            .expect("endpoint")
            .verifier()
            .fetches()
    };
    // A stale timestamp, signed and with Amazon's chain URL: refused without a fetch.
    let old = request_body(Duration::from_secs(200));
    assert_eq!(home.signed(old).await.0, 400);
    assert_eq!((home.chain.hits(), fetches()), (0, 0), "stale timestamp");
    // Another skill's request: refused without a fetch.
    let mut other: Value = serde_json::from_slice(&request_body(Duration::ZERO)).expect("JSON");
    other["context"]["System"]["application"]["applicationId"] = json!("amzn1.ask.skill.other");
    other["session"]["application"]["applicationId"] = json!("amzn1.ask.skill.other");
    assert_eq!(
        home.signed(serde_json::to_vec(&other).expect("JSON"))
            .await
            .0,
        400
    );
    assert_eq!((home.chain.hits(), fetches()), (0, 0), "wrong skill id");
    // No signature at all, and a signature that is not base64: no fetch either.
    let body = request_body(Duration::ZERO);
    let chain = ("SignatureCertChainUrl", home.chain_url(CHAIN));
    assert_eq!(
        home.post(std::slice::from_ref(&chain), body.clone())
            .await
            .0,
        400
    );
    assert_eq!(
        home.post(&[chain, ("Signature-256", "%%%".into())], body)
            .await
            .0,
        400
    );
    assert_eq!((home.chain.hits(), fetches()), (0, 0), "unsigned");
    // Requests whose chain cannot be had: the first one fetches, the next ones within a minute
    // do not (a 404, and a chain that is not PEM).
    const REPEATS: usize = 5;
    for (n, path) in ["/echo.api/missing.pem", "/echo.api/not-pem.pem"]
        .into_iter()
        .enumerate()
    {
        for _ in 0..REPEATS {
            let body = request_body(Duration::ZERO);
            let headers = [
                ("SignatureCertChainUrl", home.chain_url(path)),
                ("Signature-256", sign(&body)),
            ];
            assert_eq!(home.post(&headers, body).await.0, 400, "{path}");
        }
        assert_eq!(home.chain.hits(), n + 1, "{REPEATS} requests for {path}");
    }
    // A chain that does not verify (untrusted root) is remembered too.
    for _ in 0..REPEATS {
        let body = request_body(Duration::ZERO);
        let headers = [
            (
                "SignatureCertChainUrl",
                home.chain_url("/echo.api/untrusted.pem"),
            ),
            ("Signature-256", sign(&body)),
        ];
        assert_eq!(home.post(&headers, body).await.0, 400);
    }
    assert_eq!(
        home.chain.hits(),
        3,
        "{REPEATS} requests for an untrusted chain"
    );
    // A valid request still fetches its chain once and is served.
    for _ in 0..REPEATS {
        assert_eq!(home.signed(request_body(Duration::ZERO)).await.0, 200);
    }
    assert_eq!((home.chain.hits(), fetches()), (4, 4));
    assert_eq!(
        home.skill_bridge.count(),
        REPEATS,
        "only the valid requests reached the skill"
    );
}

/// A broken rule: its name, the headers sent and the body.
type Case = (&'static str, Vec<(&'static str, String)>, Vec<u8>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_broken_rule_is_a_bare_400_and_nothing_reaches_the_skill() {
    let home = home(Some(SKILL_ID)).await;
    let body = request_body(Duration::ZERO);
    let good_signature = sign(&body);
    let url = |path: &str| home.chain_url(path);
    let port = home
        .chain
        .base()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned();
    let mut cases: Vec<Case> = Vec::new();
    let mut case = |name, chain: String, signature: String, body: Vec<u8>| {
        cases.push((
            name,
            vec![
                ("SignatureCertChainUrl", chain),
                ("Signature-256", signature),
            ],
            body,
        ));
    };
    // The chain URL's forms.
    case(
        "plain http",
        url(CHAIN).replace("https://", "http://"),
        good_signature.clone(),
        body.clone(),
    );
    case(
        "other host",
        format!("https://localhost:{port}{CHAIN}"),
        good_signature.clone(),
        body.clone(),
    );
    case(
        "path in other case",
        url("/EcHo.aPi/echo-api-cert.pem"),
        good_signature.clone(),
        body.clone(),
    );
    case(
        "dot-dot out of /echo.api/",
        url("/echo.api/../echo-api-cert.pem"),
        good_signature.clone(),
        body.clone(),
    );
    case(
        "other path",
        url("/invalid.path/echo-api-cert.pem"),
        good_signature.clone(),
        body.clone(),
    );
    case(
        "other port",
        format!("https://127.0.0.1:1{CHAIN}"),
        good_signature.clone(),
        body.clone(),
    );
    // The chain itself.
    case(
        "wrong name",
        url("/echo.api/wrong-name.pem"),
        good_signature.clone(),
        body.clone(),
    );
    case(
        "expired",
        url("/echo.api/expired.pem"),
        good_signature.clone(),
        body.clone(),
    );
    case(
        "untrusted root",
        url("/echo.api/untrusted.pem"),
        good_signature.clone(),
        body.clone(),
    );
    case(
        "not PEM",
        url("/echo.api/not-pem.pem"),
        good_signature.clone(),
        body.clone(),
    );
    case(
        "no such chain",
        url("/echo.api/missing.pem"),
        good_signature.clone(),
        body.clone(),
    );
    // The signature and the body.
    let mut changed = body.clone();
    let at = changed.len() / 2;
    changed[at] = if changed[at] == b' ' { b'\t' } else { b' ' };
    case(
        "body changed after signing",
        url(CHAIN),
        good_signature.clone(),
        changed,
    );
    case("not base64", url(CHAIN), "%%%".into(), body.clone());
    let old = request_body(Duration::from_secs(200));
    case("old timestamp", url(CHAIN), sign(&old), old);
    let future = {
        let mut event: Value = serde_json::from_slice(&body).expect("JSON");
        event["request"]["timestamp"] =
            json!(rfc3339(SystemTime::now() + Duration::from_secs(200)));
        serde_json::to_vec(&event).expect("JSON")
    };
    case("timestamp in the future", url(CHAIN), sign(&future), future);
    let mut wrong_skill: Value = serde_json::from_slice(&body).expect("JSON");
    wrong_skill["context"]["System"]["application"]["applicationId"] =
        json!("amzn1.ask.skill.other");
    wrong_skill["session"]["application"]["applicationId"] = json!("amzn1.ask.skill.other");
    let wrong_skill = serde_json::to_vec(&wrong_skill).expect("JSON");
    case(
        "wrong skill id",
        url(CHAIN),
        sign(&wrong_skill),
        wrong_skill,
    );
    let huge = {
        let mut event: Value = serde_json::from_slice(&body).expect("JSON");
        event["padding"] = json!("x".repeat(200 * 1024));
        serde_json::to_vec(&event).expect("JSON")
    };
    case("oversized body", url(CHAIN), sign(&huge), huge);
    // SHA-1 only (the old `Signature` header), and no headers at all.
    cases.push((
        "SHA-1 header only",
        vec![
            ("SignatureCertChainUrl", url(CHAIN)),
            ("Signature", good_signature.clone()),
        ],
        body.clone(),
    ));
    cases.push(("no headers", vec![], body.clone()));

    for (name, headers, body) in cases {
        let (status, answer) = home.post(&headers, body).await;
        assert_eq!(status, 400, "{name}: {answer}");
        assert_eq!(
            answer,
            json!({ "error": "bad request" }),
            "{name}: no detail to the caller"
        );
    }
    assert_eq!(
        home.skill_bridge.count(),
        0,
        "a refused request reached the skill"
    );
    // And the same valid request still passes.
    assert_eq!(home.signed(request_body(Duration::ZERO)).await.0, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_skill_id_nothing_is_served() {
    let home = home(None).await;
    let (status, _) = home.signed(request_body(Duration::ZERO)).await;
    assert_eq!(status, 400);
    assert_eq!(home.skill_bridge.count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_are_served() {
    let home = Arc::new(home(Some(SKILL_ID)).await);
    let mut tasks = Vec::new();
    for _ in 0..16 {
        let home = Arc::clone(&home);
        tasks.push(tokio::spawn(async move {
            home.signed(request_body(Duration::ZERO)).await.0
        }));
    }
    for task in tasks {
        assert_eq!(task.await.expect("task"), 200);
    }
}

/// Pushes `payload` to the bridge at `base` as Music Assistant's Alexa provider does.
async fn push(base: &str, payload: &Value) {
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let response = client
        .post(format!("{base}/ma/push-url"))
        .basic_auth("alexa", Some("a long bridge password"))
        .header("content-type", "application/json")
        .body(payload.to_string())
        .send()
        .await
        .expect("pushed");
    assert_eq!(response.status(), 200);
}

/// The home path (issue 19): the real `ma-alexa-bridge` serving the skill, without
/// `API_HOSTNAME` or `API_USERNAME`/`API_PASSWORD`, answers a signed play request with the
/// stream Music Assistant pushed to it for that Echo, read in-process (no request to its own
/// `/ma/latest-url`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_bridge_plays_what_was_pushed_to_it_without_api_hostname() {
    let chain = ChainHost::start().await;
    let dir = TempDir::new("skill-in-bridge");
    let state = dir.path().join("state.json");
    let mut envs: Vec<(&str, String)> = vec![
        ("BRIDGE_USERNAME", "alexa".into()),
        ("BRIDGE_PASSWORD", "a long bridge password".into()),
        ("BRIDGE_STATE_FILE", state.display().to_string()),
        ("BRIDGE_SKILL_ENDPOINT", "true".into()),
        ("SKILL_ID", SKILL_ID.into()),
        ("MA_HOSTNAME", MA_HOSTNAME.into()),
    ];
    envs.extend(chain.bridge_env());
    let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let bridge = BridgeProcess::start(&envs);

    // The kitchen's stream, then the living room's: the latest of all is the living room's.
    let kitchen = "http://192.168.1.20:8097/flow/3f9c1a2b/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3";
    let living = "http://192.168.1.20:8097/flow/77aa0133/Living%20Room/c0ffee.mp3";
    push(
        &bridge.base,
        &json!({"streamUrl": kitchen, "title": "So What", "artist": "Miles Davis"}),
    )
    .await;
    push(
        &bridge.base,
        &json!({"streamUrl": living, "playerId": "Living Room"}),
    )
    .await;

    // The kitchen Echo asks (its token names its queue): it gets its own stream.
    let mut event = event("play_audio_intent");
    event["request"]["timestamp"] = json!(rfc3339(SystemTime::now()));
    event["context"]["AudioPlayer"]["token"] = json!("mas1:7e9dbed598d9b560:Kitchen%20Echo");
    let body = serde_json::to_vec(&event).expect("JSON");
    let client = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client");
    let mut request = client
        .post(format!("{}/alexa/skill", bridge.base))
        .header("content-type", "application/json")
        .body(body.clone());
    for (name, value) in chain.signed_headers(&body) {
        request = request.header(name, value);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let answer = json_of(&response.bytes().await.expect("body"));
    assert_eq!(status, 200, "{answer}\n{}", bridge.logs());
    let play = &answer["response"]["directives"][0];
    assert_eq!(play["type"], "AudioPlayer.Play", "{answer}");
    assert_eq!(
        play["audioItem"]["stream"]["url"],
        "https://ma.example.net/flow/3f9c1a2b/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3"
    );
    assert_eq!(play["audioItem"]["metadata"]["title"], "So What");

    let (exit, logs) = bridge.terminate();
    assert!(exit.success(), "{logs}");
    assert!(
        logs.contains("stream_slot=\"player\""),
        "read from the kitchen's slot: {logs}"
    );
    assert!(
        !logs.contains("/ma/latest-url"),
        "the skill asked its own bridge over HTTP: {logs}"
    );
    assert!(
        !logs.contains("API_HOSTNAME"),
        "API_HOSTNAME reported though it is not needed: {logs}"
    );
}
