//! `ma-alexa-bridge doctor [--json]`, run as the container runs it: the real `ma-alexa-bridge`
//! binary serving the skill (`BRIDGE_SKILL_ENDPOINT=true`) on 127.0.0.1, and the same binary's
//! `doctor` with the same settings beside it. The public side is a TLS reverse proxy on
//! 127.0.0.1 with a certificate from a test CA, routing as the home path's proxy does, in front
//! of the real bridge and a stand-in for Music Assistant's stream server; Music Assistant's web
//! server answers with replies generated from music-assistant-models.
//!
//! `PUBLIC_URL` is `https://localhost`, port 443 as a real one: the test build's doctor (the
//! `test-trust` feature) is told to trust the test CA and to connect to the proxy's port for
//! `localhost` (`MA_ALEXA_TEST_TRUST_ROOT`, `MA_ALEXA_TEST_CONNECT`); release builds read
//! neither. Nothing leaves 127.0.0.1: the one name that is not `localhost` is under `.invalid`,
//! which the doctor refuses without a lookup.

mod common;

use std::process::{Command, Output, Stdio};

use common::bridge_process::{BridgeProcess, TempDir, BRIDGE_BIN};
use common::public::{MaStreamServer, PublicProxy, Upstream};
use common::tls::TestCa;
use common::*;
use serde_json::{json, Value};

const USER: &str = "alexa";
const PASSWORD: &str = "bridge-password-never-shown";
/// The public name in every test: `localhost`, which resolves on any machine without DNS.
const PUBLIC_URL: &str = "https://localhost";

/// A home: the real bridge serving the skill and holding [`CURRENT_STREAM`], Music Assistant's
/// stream server and web server, and the settings the container gives both bridge and doctor.
struct Home {
    ca: TestCa,
    bridge: BridgeProcess,
    streams: MaStreamServer,
    music_assistant: Stub,
    _state: TempDir,
    state_file: String,
}

impl Home {
    async fn start() -> Self {
        let state = TempDir::new("bridge-doctor");
        let state_file = state
            .path()
            .join("state.json")
            .to_str()
            .expect("utf-8 path")
            .to_owned();
        // CURRENT_STREAM's session and queue.
        let streams = MaStreamServer::start(&[("3f9c1a", QUEUE)]).await;
        let music_assistant = Stub::spawn(|seen| match (seen.method.as_str(), seen.path_only()) {
            ("GET", "/info") => ma_reply("server_info"),
            ("POST", "/api") => {
                let body: Value = serde_json::from_slice(&seen.body).unwrap_or_default();
                healthy_music_assistant(body["command"].as_str().unwrap_or(""), &body["args"])
            }
            // Music Assistant's API takes POST only: aiohttp answers other methods so.
            (_, "/api") => Reply::WithHeaders(
                405,
                vec![("Allow".into(), "POST".into())],
                "405: Method Not Allowed".into(),
            ),
            _ => Reply::Status(404, "Not Found".into()),
        })
        .await;
        let settings = container_settings(&state_file, &music_assistant);
        let settings: Vec<(&str, &str)> = settings
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        // The bridge as the container starts it: with the settings the doctor gets too.
        let home = Self {
            ca: TestCa::new(),
            bridge: BridgeProcess::start(&settings),
            streams,
            music_assistant,
            _state: state,
            state_file,
        };
        assert_eq!(home.push(CURRENT_STREAM).await, 200);
        home
    }

    /// The container's settings (without `BRIDGE_LISTEN`, which the test bridge picks).
    fn settings(&self) -> Vec<(String, String)> {
        container_settings(&self.state_file, &self.music_assistant)
    }

    /// `POST /ma/push-url` as Music Assistant pushes; the status.
    async fn push(&self, stream_url: &str) -> u16 {
        reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(format!("{}/ma/push-url", self.bridge.base))
            .basic_auth(USER, Some(PASSWORD))
            .header("content-type", "application/json")
            .body(json!({ "streamUrl": stream_url }).to_string())
            .send()
            .await
            .expect("the bridge answers")
            .status()
            .as_u16()
    }

    /// The home path's routes: the skill to the bridge, Music Assistant's stream routes to its
    /// stream server, nothing else.
    fn routes(&self) -> Vec<(&'static str, Upstream)> {
        let streams = Upstream::To(self.streams.base());
        vec![
            ("/alexa/skill", Upstream::To(self.bridge.base.clone())),
            ("/flow/", streams.clone()),
            ("/single/", streams.clone()),
            ("/announcement/", streams.clone()),
            ("/pluginsource/", streams.clone()),
            ("/imageproxy", streams),
        ]
    }

    /// [`Self::routes`] with the route for `prefix` taken out.
    fn routes_without(&self, prefix: &str) -> Vec<(&'static str, Upstream)> {
        self.routes()
            .into_iter()
            .filter(|(p, _)| *p != prefix)
            .collect()
    }

    async fn proxy(&self, routes: Vec<(&'static str, Upstream)>) -> PublicProxy {
        PublicProxy::start(&self.ca, routes).await
    }

    /// `ma-alexa-bridge doctor --json` beside the bridge, with the container's settings,
    /// `public_url`, and the test build's trust in the CA and way to `proxy`.
    async fn doctor(&self, proxy: &PublicProxy, public_url: &str, json: bool) -> Run {
        let host = public_url.trim_start_matches("https://").to_owned();
        let mut settings = self.settings();
        settings.extend([
            (
                "BRIDGE_LISTEN".to_owned(),
                self.bridge.base.trim_start_matches("http://").to_owned(),
            ),
            ("PUBLIC_URL".to_owned(), public_url.to_owned()),
            ("MA_ALEXA_TEST_TRUST_ROOT".to_owned(), self.ca.root_pem()),
            (
                "MA_ALEXA_TEST_CONNECT".to_owned(),
                format!("{host}={}", proxy.address()),
            ),
        ]);
        run_doctor(settings, json).await
    }
}

/// The settings of the bridge's container, but `BRIDGE_LISTEN`: the bridge's own, and the
/// skill's (it serves the skill), with `MA_HOSTNAME` the public name as compose sets it.
fn container_settings(state_file: &str, music_assistant: &Stub) -> Vec<(String, String)> {
    [
        ("BRIDGE_USERNAME", USER.to_owned()),
        ("BRIDGE_PASSWORD", PASSWORD.to_owned()),
        ("BRIDGE_STATE_FILE", state_file.to_owned()),
        ("BRIDGE_SKILL_ENDPOINT", "true".to_owned()),
        ("SKILL_ID", SKILL_ID.to_owned()),
        ("MA_HOSTNAME", "localhost".to_owned()),
        ("MA_API_URL", music_assistant.base()),
        ("MA_API_TOKEN", MA_TOKEN.to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// One run of the doctor: its output and, with `--json`, its report.
struct Run {
    output: Output,
    report: Value,
}

impl Run {
    fn exit_code(&self) -> Option<i32> {
        self.output.status.code()
    }

    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The first check named `name`.
    fn check(&self, name: &str) -> &Value {
        self.report["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|c| c["check"] == name))
            .unwrap_or_else(|| panic!("no {name} check in:\n{}", self.stdout()))
    }

    fn status(&self, name: &str) -> &str {
        self.check(name)["status"].as_str().unwrap_or("")
    }

    fn message(&self, name: &str) -> &str {
        self.check(name)["message"].as_str().unwrap_or("")
    }

    fn fix(&self, name: &str) -> &str {
        self.check(name)["fix"].as_str().unwrap_or("")
    }
}

/// Runs `ma-alexa-bridge doctor` with only `settings` in its environment.
async fn run_doctor(settings: Vec<(String, String)>, json: bool) -> Run {
    let output = tokio::task::spawn_blocking(move || {
        let mut command = Command::new(BRIDGE_BIN);
        command.arg("doctor");
        if json {
            command.arg("--json");
        }
        command
            .env_clear()
            .envs(settings)
            .stdin(Stdio::null())
            .output()
            .expect("the doctor runs")
    })
    .await
    .expect("joined");
    let report = if json {
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "not a JSON report ({e}):\n{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            )
        })
    } else {
        Value::Null
    };
    Run { output, report }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_healthy_home_passes_every_check_from_the_outside_in() {
    let home = Home::start().await;
    let proxy = home.proxy(home.routes()).await;
    let run = home.doctor(&proxy, PUBLIC_URL, true).await;
    let text = run.stdout();
    // `cargo test --test bridge_doctor -- --nocapture` shows what an owner reads.
    println!("{text}");
    assert_eq!(run.exit_code(), Some(0), "{text}\n{}", run.stderr());
    assert_eq!(run.report["ok"], true, "{text}");
    for check in [
        "bridge settings",
        "settings",
        "bridge",
        "bridge intents",
        "stream host",
        "music assistant",
        "skill",
        "skill endpoint",
        "public https",
        "public skill",
        "public streams",
        "public bridge",
        "public ma api",
    ] {
        assert_eq!(run.status(check), "pass", "{check}:\n{text}");
    }
    // The skill inside the bridge reads it in-process: no API_HOSTNAME, the bridge's own address.
    assert!(
        run.message("settings").contains(&format!(
            "the bridge itself at {}",
            home.bridge.base.trim_start_matches("http://")
        )),
        "{text}"
    );
    // localhost is loopback: said, as a warning (the public DNS may still be right).
    assert_eq!(run.status("public name"), "warn", "{text}");
    assert!(
        run.message("public name")
            .contains("127.0.0.1 is a loopback address"),
        "{text}"
    );
    assert!(run.fix("public name").contains("split DNS"), "{text}");
    // The stream routes reached Music Assistant's stream server, which answered the made-up
    // queue and player itself; the latest stream came through the public name too.
    let seen = home.streams.seen();
    for path in [
        "/flow/ma-alexa-doctor/ma-alexa-doctor/ma-alexa-doctor/ma-alexa-doctor.mp3",
        "/single/ma-alexa-doctor/ma-alexa-doctor/ma-alexa-doctor/ma-alexa-doctor.mp3",
        "/announcement/ma-alexa-doctor.mp3",
        "/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3",
    ] {
        assert!(seen.iter().any(|p| p == path), "{path} not in {seen:?}");
    }
    // The test build's trust is announced; no secret is ever shown.
    let stderr = run.stderr();
    assert!(stderr.contains("TEST-TRUST"), "{stderr}");
    for secret in [PASSWORD, MA_TOKEN] {
        assert!(
            !text.contains(secret) && !stderr.contains(secret),
            "{secret} shown"
        );
    }
    // The same run as text: one line per check, the fix under the warning, exit 0.
    let run = home.doctor(&proxy, PUBLIC_URL, false).await;
    let text = run.stdout();
    assert_eq!(run.exit_code(), Some(0), "{text}");
    assert!(
        text.lines().any(|l| l.starts_with("pass  public skill ")),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l
            .trim_start()
            .starts_with("fix: point localhost's public DNS record")),
        "{text}"
    );
}

/// A name that cannot resolve fails the first public hop, the others are not checked, and
/// nothing is sent anywhere for it: `.invalid` is refused without a lookup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_name_that_cannot_resolve_fails_before_any_traffic() {
    let home = Home::start().await;
    let proxy = home.proxy(home.routes()).await;
    // Even told where to connect for the name, the doctor does not try.
    let run = home.doctor(&proxy, "https://music.invalid", true).await;
    let text = run.stdout();
    assert_eq!(run.exit_code(), Some(1), "{text}");
    assert_eq!(run.status("public name"), "fail", "{text}");
    assert!(
        run.message("public name")
            .contains("music.invalid cannot be resolved")
            && run
                .message("public name")
                .contains(".invalid never resolve"),
        "{text}"
    );
    assert!(run.fix("public name").contains("DNS record"), "{text}");
    for later in [
        "public https",
        "public skill",
        "public streams",
        "public bridge",
        "public ma api",
    ] {
        assert_eq!(run.status(later), "skip", "{later}:\n{text}");
    }
    assert_eq!(proxy.hits(), 0, "a request reached the proxy");
    // The local checks ran all the same.
    assert_eq!(run.status("skill endpoint"), "pass", "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_does_not_route_the_skill_is_named() {
    let home = Home::start().await;
    let proxy = home.proxy(home.routes_without("/alexa/skill")).await;
    let run = home.doctor(&proxy, PUBLIC_URL, true).await;
    let text = run.stdout();
    assert_eq!(run.exit_code(), Some(1), "{text}");
    assert_eq!(run.status("public skill"), "fail", "{text}");
    assert!(
        run.message("public skill").contains("HTTP 404")
            && run.message("public skill").contains("does not forward it"),
        "{text}"
    );
    assert!(
        run.fix("public skill")
            .contains("forward POST /alexa/skill"),
        "{text}"
    );
    // The bridge itself serves the skill: only the route is missing.
    assert_eq!(run.status("skill endpoint"), "pass", "{text}");
    assert_eq!(run.status("public streams"), "pass", "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_cannot_reach_the_bridge_is_told_from_one_without_the_route() {
    let home = Home::start().await;
    // The route is there, but to a port where nothing listens (a wrong upstream address).
    let nothing = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", nothing.local_addr().expect("addr"));
    drop(nothing);
    let mut routes = home.routes_without("/alexa/skill");
    routes.insert(0, ("/alexa/skill", Upstream::To(dead)));
    let proxy = home.proxy(routes).await;
    let run = home.doctor(&proxy, PUBLIC_URL, true).await;
    let text = run.stdout();
    assert_eq!(run.exit_code(), Some(1), "{text}");
    assert_eq!(run.status("public skill"), "fail", "{text}");
    assert!(
        run.message("public skill")
            .contains("cannot reach the bridge for /alexa/skill (HTTP 502)"),
        "{text}"
    );
    assert!(run.fix("public skill").contains("upstream"), "{text}");
}

/// Stream routes that end somewhere other than Music Assistant's stream server: not forwarded
/// (the proxy's own 404), or forwarded to Music Assistant's web server instead (whose 404 is not
/// the stream handlers').
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_routes_that_do_not_reach_music_assistant_are_caught() {
    let home = Home::start().await;
    let not_forwarded: Vec<_> = home
        .routes()
        .into_iter()
        .filter(|(prefix, _)| *prefix == "/alexa/skill")
        .collect();
    let to_the_web_server: Vec<_> = home
        .routes()
        .into_iter()
        .map(|(prefix, upstream)| match prefix {
            "/alexa/skill" => (prefix, upstream),
            _ => (prefix, Upstream::To(home.music_assistant.base())),
        })
        .collect();
    for (case, routes) in [
        ("not forwarded", not_forwarded),
        ("to the web server", to_the_web_server),
    ] {
        let proxy = home.proxy(routes).await;
        let run = home.doctor(&proxy, PUBLIC_URL, true).await;
        let text = run.stdout();
        assert_eq!(run.exit_code(), Some(1), "{case}:\n{text}");
        assert_eq!(run.status("public streams"), "fail", "{case}:\n{text}");
        assert!(
            run.message("public streams")
                .contains("answers /flow/ with HTTP 404 in words that are not Music Assistant's"),
            "{case}:\n{text}"
        );
        assert!(
            run.fix("public streams")
                .contains("stream server (port 8097)"),
            "{case}:\n{text}"
        );
        // The latest stream fails the same way; the skill's route is fine.
        assert_eq!(run.status("stream host"), "fail", "{case}:\n{text}");
        assert_eq!(run.status("public skill"), "pass", "{case}:\n{text}");
    }
}

/// The home path keeps the bridge's `/ma/` endpoints at home: a proxy that also forwards them
/// is warned about (a warning: music still plays), with credentials or without.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bridges_api_on_the_public_name_is_a_warning() {
    let home = Home::start().await;
    let mut routes = home.routes();
    routes.push(("/ma/", Upstream::To(home.bridge.base.clone())));
    let proxy = home.proxy(routes).await;
    let run = home.doctor(&proxy, PUBLIC_URL, true).await;
    let text = run.stdout();
    assert_eq!(run.exit_code(), Some(0), "only a warning:\n{text}");
    assert_eq!(run.status("public bridge"), "warn", "{text}");
    assert!(
        run.message("public bridge")
            .contains("/ma/latest-url is reachable through localhost, behind its credentials"),
        "{text}"
    );
    assert!(run.fix("public bridge").contains("remove /ma/"), "{text}");
    assert_eq!(run.status("public ma api"), "pass", "{text}");
}

/// Music Assistant's web server (its API and web interface) forwarded on the public name is
/// recognised by its own `/info`, and warned about.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn music_assistants_api_on_the_public_name_is_a_warning() {
    let home = Home::start().await;
    let mut routes = home.routes();
    // A catch-all to Music Assistant's web server, as a "forward everything" proxy does.
    routes.push(("/", Upstream::To(home.music_assistant.base())));
    let proxy = home.proxy(routes).await;
    let run = home.doctor(&proxy, PUBLIC_URL, true).await;
    let text = run.stdout();
    assert_eq!(run.exit_code(), Some(0), "only a warning:\n{text}");
    assert_eq!(run.status("public ma api"), "warn", "{text}");
    assert!(
        run.message("public ma api")
            .contains("Music Assistant 2.8.1 answers https://localhost/info"),
        "{text}"
    );
    assert!(run.fix("public ma api").contains("port 8095"), "{text}");
    assert_eq!(run.status("public bridge"), "pass", "{text}");
}

/// A certificate the public roots do not trust (a self-signed one) fails the https hop, named as `ma-alexa-skill
/// doctor` names it, and the routes behind it are not checked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_certificate_on_the_public_name_is_named() {
    let home = Home::start().await;
    // The proxy's certificate is one it made itself, which no public root vouches for.
    let proxy = PublicProxy::self_signed(home.routes()).await;
    let run = home.doctor(&proxy, PUBLIC_URL, true).await;
    let text = run.stdout();
    assert_eq!(run.exit_code(), Some(1), "{text}");
    assert_eq!(run.status("public https"), "fail", "{text}");
    assert!(
        run.message("public https")
            .contains("is not publicly trusted"),
        "{text}"
    );
    assert!(run.fix("public https").contains("Let's Encrypt"), "{text}");
    assert_eq!(run.status("public skill"), "skip", "{text}");
}

/// Nothing listening on the public name (no proxy, no port forwarding) fails the https hop,
/// with the hint for a router that cannot reach its own public address from inside.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_public_name_where_nothing_listens_is_named() {
    let home = Home::start().await;
    let mut settings = home.settings();
    let nothing = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = nothing.local_addr().expect("addr");
    drop(nothing);
    settings.extend([
        (
            "BRIDGE_LISTEN".to_owned(),
            home.bridge.base.trim_start_matches("http://").to_owned(),
        ),
        ("PUBLIC_URL".to_owned(), PUBLIC_URL.to_owned()),
        ("MA_ALEXA_TEST_TRUST_ROOT".to_owned(), home.ca.root_pem()),
        (
            "MA_ALEXA_TEST_CONNECT".to_owned(),
            format!("localhost={dead}"),
        ),
    ]);
    let run = run_doctor(settings, true).await;
    let text = run.stdout();
    assert_eq!(run.exit_code(), Some(1), "{text}");
    assert_eq!(run.status("public https"), "fail", "{text}");
    assert!(
        run.message("public https")
            .contains("refused the connection"),
        "{text}"
    );
    assert!(
        run.fix("public https").contains("NAT hairpinning"),
        "{text}"
    );
    assert_eq!(run.status("public streams"), "skip", "{text}");
}

/// Settings the bridge would not start with fail the doctor too, naming the setting.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bridge_settings_it_cannot_start_with_fail_the_doctor() {
    let run = run_doctor(vec![("BRIDGE_LOCALE".into(), "xx-XX".into())], true).await;
    let text = run.stdout();
    assert_eq!(run.exit_code(), Some(1), "{text}");
    assert_eq!(run.status("bridge settings"), "fail", "{text}");
    assert!(
        run.message("bridge settings").contains("BRIDGE_LOCALE"),
        "{text}"
    );
    assert!(
        run.fix("bridge settings").contains("BRIDGE_LOCALE"),
        "{text}"
    );
    // What the command does not take is a usage error, as every other command's.
    let usage = Command::new(BRIDGE_BIN)
        .args(["doctor", "--yaml"])
        .env_clear()
        .output()
        .expect("runs");
    assert_eq!(usage.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&usage.stderr).contains("ma-alexa-bridge doctor [--json]"));
}
