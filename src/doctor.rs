//! `ma-alexa-skill doctor`: checks every hop between Music Assistant, the bridge, the reverse
//! proxy, AWS and the Echo with the settings the skill itself uses, and says what to fix.
//!
//! Each [`Check`] is one line: passed, warning, failed or skipped (a check that cannot run
//! because an earlier hop is broken), with the fix in one sentence for anything not passed.
//! Every network step has its own short timeout and the whole run stays under 10 s. Secrets are
//! reported as set or not set, never shown; other settings show their values. The same report
//! comes from the command line (`ma-alexa-skill doctor [--json]`) and from the deployed function
//! (test event `{"doctor": true}`).
//!
//! TLS is checked against the same public trust store an Echo trusts (webpki roots), and a
//! refused certificate is named by the error rustls and webpki give (unknown issuer, a CA
//! certificate serving as the host's own, expired, another name, ...), never by matching their
//! message text. `Doctor::trusting` adds a root for tests and exists only with the `test-trust`
//! feature, which release builds never enable.
//!
//! `ma-alexa-bridge doctor` runs the same checks from inside the bridge ([`inside_bridge`]), and
//! with `PUBLIC_URL` set also the hops Alexa and the Echo take from the internet ([`public`]).

pub mod inside_bridge;
mod public;

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use serde::Serialize;
use url::Url;

use crate::bridge::LatestReply;
use crate::bridge_server::intents::carrier;
use crate::deadline::Deadline;
use crate::interaction_models::ModelLocale;
use crate::music_assistant::{MaClient, MaError, MusicAssistant, Player};
use crate::settings::source::SettingsSource;
use crate::settings::ssm::SsmError;
use crate::settings::{BridgeSettings, Settings, SettingsError, MA_API_URL};
use crate::speech::Language;
use crate::stream::InternalStream;

/// The longest the whole run may take.
pub const RUN_BUDGET: Duration = Duration::from_millis(9000);
/// The longest one network step may take.
const STEP_TIMEOUT: Duration = Duration::from_millis(3000);
/// Kept back from a Lambda invocation's time to return the report.
const LAMBDA_MARGIN: Duration = Duration::from_millis(500);

/// The time one step may take: [`STEP_TIMEOUT`], or what is left of the run if that is less.
fn step(deadline: Deadline) -> Duration {
    STEP_TIMEOUT
        .min(deadline.remaining())
        .max(Duration::from_millis(1))
}
/// The skill's invocation name, the same in every language's interaction model. Music Assistant
/// speaks it inside a carrier phrase ("ask music assistant to play audio").
const INVOCATION: &str = "music assistant";
/// The most characters of a value quoted from outside (an invocation name, a version).
const QUOTED_CHARS: usize = 60;
/// The most characters of an error's own words in a message.
const ERROR_CHARS: usize = 120;
/// The AWS regions Alexa calls a skill's Lambda function in.
const ALEXA_REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "us-west-2"];

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// All good.
    Pass,
    /// Works, but something is likely to bite.
    Warn,
    /// Broken: music will not play (or a feature will not work) until fixed.
    Fail,
    /// Not checked, because an earlier hop is broken or the feature is not configured.
    Skip,
}

impl Status {
    fn label(self) -> &'static str {
        match self {
            Self::Pass => "pass",
            Self::Warn => "warn",
            Self::Fail => "fail",
            Self::Skip => "skip",
        }
    }
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// What was checked (`settings`, `bridge`, `stream host`, ...).
    pub check: &'static str,
    /// How it came out.
    pub status: Status,
    /// What was found.
    pub message: String,
    /// What to do about it, for anything not passed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
}

impl Check {
    fn new(check: &'static str, status: Status, message: impl Into<String>) -> Self {
        Self {
            check,
            status,
            message: message.into(),
            fix: None,
        }
    }

    fn pass(check: &'static str, message: impl Into<String>) -> Self {
        Self::new(check, Status::Pass, message)
    }

    fn skip(check: &'static str, message: impl Into<String>) -> Self {
        Self::new(check, Status::Skip, message)
    }

    fn warn(check: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(check, Status::Warn, message).with_fix(fix)
    }

    fn fail(check: &'static str, message: impl Into<String>, fix: impl Into<String>) -> Self {
        Self::new(check, Status::Fail, message).with_fix(fix)
    }

    fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `true` when no check failed.
    pub ok: bool,
    /// Every check, in the order of the hops.
    pub checks: Vec<Check>,
    /// How long the run took.
    pub elapsed_ms: u64,
}

impl Report {
    /// Whether any check failed.
    pub fn failed(&self) -> bool {
        !self.ok
    }

    /// The check named `name` (the first, when there are several).
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.check == name)
    }

    /// One line per check, and an indented fix under each one not passed.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for check in &self.checks {
            let _ = writeln!(
                out,
                "{:<5} {:<16} {}",
                check.status.label(),
                check.check,
                check.message
            );
            if let Some(fix) = &check.fix {
                let _ = writeln!(out, "{:<22} fix: {fix}", "");
            }
        }
        let failed = self
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .count();
        let _ = writeln!(
            out,
            "{} in {} ms",
            match failed {
                0 => "every check passed or only warned".to_owned(),
                1 => "1 check failed".to_owned(),
                n => format!("{n} checks failed"),
            },
            self.elapsed_ms
        );
        out
    }

    /// The report of `checks`, a run that started at `started`.
    fn of(checks: Vec<Check>, started: Instant) -> Self {
        Self {
            ok: checks.iter().all(|c| c.status != Status::Fail),
            checks,
            elapsed_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        }
    }

    /// Prints the report on stdout, as text or (`json`) as JSON, and gives the exit code of a
    /// doctor command: success when no check failed, failure otherwise. `program` names the
    /// command in the one error it can have.
    pub fn print(&self, json: bool, program: &str) -> ExitCode {
        let text = if json {
            match serde_json::to_string_pretty(self) {
                Ok(text) => text + "\n",
                Err(e) => {
                    eprintln!("{program}: cannot write the report: {e}");
                    return ExitCode::FAILURE;
                }
            }
        } else {
            self.text()
        };
        // A reader that went away (`doctor | head`) is no reason for a panic, as `print!` would
        // make it: the rest of the report was simply not wanted.
        let mut out = std::io::stdout().lock();
        match std::io::Write::write_all(&mut out, text.as_bytes())
            .and_then(|()| std::io::Write::flush(&mut out))
        {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
            Err(e) => {
                eprintln!("{program}: cannot write to stdout: {e}");
                return ExitCode::FAILURE;
            }
        }
        if self.failed() {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Logging for a doctor command: as everywhere else (text on stderr, `RUST_LOG` sets the level),
/// except the warnings the settings log for each problem when they are loaded. The report names
/// every one of those problems itself, so the warnings would only say each a second time, above
/// the report.
pub fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    let said_in_the_report = tracing_subscriber::filter::filter_fn(|meta| {
        let settings_problem = meta.target().starts_with("ma_alexa_skill::settings")
            && *meta.level() == tracing::Level::WARN
            && meta.fields().field("setting").is_some();
        !settings_problem
    });
    let filter = std::env::var("RUST_LOG").ok();
    let subscriber = crate::logging::subscriber(
        filter.as_deref(),
        crate::logging::LogFormat::Text,
        std::io::stderr,
    )
    .with(said_in_the_report);
    // Fails only if a subscriber is already installed, which then keeps logging.
    let _ = tracing::subscriber::set_global_default(subscriber);
}

/// What the Lambda environment says about the function, for the skill check.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LambdaFacts {
    /// `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`, in MB.
    pub memory_mb: Option<u64>,
    /// The invocation's time when the doctor started (about the function's timeout).
    pub time_left: Option<Duration>,
    /// `AWS_REGION`.
    pub region: Option<String>,
}

impl LambdaFacts {
    /// The facts of this process's Lambda environment, with `time_left` of the invocation.
    pub fn from_env(time_left: Duration) -> Self {
        Self {
            memory_mb: std::env::var("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
                .ok()
                .and_then(|m| m.trim().parse().ok()),
            time_left: Some(time_left),
            region: std::env::var("AWS_REGION").ok(),
        }
    }
}

/// Runs the checks. Build one per run: it holds its own HTTP client.
pub struct Doctor {
    http: Result<reqwest::Client, String>,
    music_assistant: MaClient,
    skill_endpoint: bool,
    bridge_at: BridgeAt,
}

/// Where the checks find the bridge, which decides the setting a message about it names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BridgeAt {
    /// At `API_HOSTNAME`, as the skill calls it (`ma-alexa-skill doctor`, the Lambda event).
    Setting,
    /// The doctor runs in the bridge's own container, and calls the bridge at its listening
    /// address (`BRIDGE_LISTEN`, an unspecified address made loopback) with its own credentials:
    /// the skill served by the bridge reads it there too.
    Own {
        /// `BRIDGE_LISTEN` as set.
        listen: SocketAddr,
    },
}

impl BridgeAt {
    /// The setting that says where the bridge is.
    fn setting(self) -> &'static str {
        match self {
            Self::Setting => crate::settings::API_HOSTNAME,
            Self::Own { .. } => crate::bridge_server::config::BRIDGE_LISTEN,
        }
    }
}

impl Default for Doctor {
    fn default() -> Self {
        Self::new()
    }
}

impl Doctor {
    /// A doctor that trusts exactly what an Echo trusts: the public web PKI.
    pub fn new() -> Self {
        Self::with_roots(&[], None)
    }

    /// A doctor that also trusts the DER certificates `roots`. For tests, which make their own
    /// certificate authority on 127.0.0.1: it exists only with the `test-trust` feature, which
    /// only the crate's own dev-dependency enables, so a release build cannot trust anything but
    /// the public roots.
    #[cfg(feature = "test-trust")]
    pub fn trusting(roots: &[Vec<u8>]) -> Self {
        tracing::warn!("TEST-TRUST: the doctor trusts {} test root(s)", roots.len());
        Self::with_roots(roots, None)
    }

    /// A doctor that also trusts the DER certificates `roots`, and connects to `address`
    /// whenever a URL names `host` without a port: for tests, whose public side stands on
    /// 127.0.0.1 at a port of its own while the URLs say `https://localhost` (port 443), as a
    /// real `PUBLIC_URL` does. Name resolution, as the checks report it, is untouched. Like
    /// [`Self::trusting`], it exists only with the `test-trust` feature.
    #[cfg(feature = "test-trust")]
    pub fn trusting_at(roots: &[Vec<u8>], host: &str, address: SocketAddr) -> Self {
        tracing::warn!(
            "TEST-TRUST: the doctor trusts {} test root(s) and connects to {address} for {host}",
            roots.len()
        );
        Self::with_roots(roots, Some((host, address)))
    }

    fn with_roots(roots: &[Vec<u8>], connect: Option<(&str, SocketAddr)>) -> Self {
        let mut builder = crate::http::builder(Duration::from_millis(2000))
            .user_agent(concat!("ma-alexa-skill-doctor/", env!("CARGO_PKG_VERSION")));
        let mut http = Ok(());
        for root in roots {
            match reqwest::Certificate::from_der(root) {
                Ok(cert) => builder = builder.add_root_certificate(cert),
                Err(e) => http = Err(e.to_string()),
            }
        }
        if let Some((host, address)) = connect {
            builder = builder.resolve(host, address);
        }
        Self {
            http: http.and_then(|()| builder.build().map_err(|e| e.to_string())),
            music_assistant: MaClient::new(),
            skill_endpoint: false,
            bridge_at: BridgeAt::Setting,
        }
    }

    /// Also checks the skill served by the bridge (`BRIDGE_SKILL_ENDPOINT=true`, no Lambda):
    /// `SKILL_ID` is set, and the bridge at `API_HOSTNAME` serves `POST /alexa/skill` and refuses
    /// an unsigned request there.
    pub fn checking_skill_endpoint(mut self, on: bool) -> Self {
        self.skill_endpoint = on;
        self
    }

    /// Checks every hop with the settings `source` gives; `lambda` when running inside Lambda.
    pub async fn run(&self, source: &SettingsSource, lambda: Option<&LambdaFacts>) -> Report {
        let started = Instant::now();
        // Inside Lambda the run also fits the invocation (the function's timeout may be 7 s).
        let budget = lambda.and_then(|l| l.time_left).map_or(RUN_BUDGET, |left| {
            RUN_BUDGET.min(left.saturating_sub(LAMBDA_MARGIN))
        });
        let deadline = Deadline::after(budget);
        let checks = self.skill_side(source, None, lambda, deadline).await;
        Report::of(checks, started)
    }

    /// Every check of the skill's settings and the hops it takes, in the order of the hops;
    /// with `own`, the bridge is that one whatever the settings say (the doctor inside the
    /// bridge, whose skill reads the bridge in-process).
    async fn skill_side(
        &self,
        source: &SettingsSource,
        own: Option<&BridgeSettings>,
        lambda: Option<&LambdaFacts>,
        deadline: Deadline,
    ) -> Vec<Check> {
        let settings = match source.current(deadline).await {
            Err(error) => return vec![ssm_failure(&source.describe(), &error)],
            Ok(settings) => match own {
                None => settings,
                Some(own) => {
                    let mut inside = Settings::clone(&settings);
                    inside.bridge = Ok(own.clone());
                    Arc::new(inside)
                }
            },
        };
        let mut checks = settings_checks(&source.describe(), &settings, self.bridge_at);
        let (bridge, ma) = tokio::join!(
            self.bridge(&settings, deadline),
            self.music_assistant(&settings, deadline)
        );
        let (bridge_checks, latest) = bridge;
        checks.extend(bridge_checks);
        checks.push(self.stream_host(&settings, latest.as_ref(), deadline).await);
        checks.extend(ma);
        checks.extend(skill_checks(settings.skill_id.as_deref(), lambda));
        if self.skill_endpoint {
            checks.push(self.skill_endpoint_check(&settings, deadline).await);
        }
        checks
    }

    fn client(&self) -> Result<&reqwest::Client, String> {
        self.http.as_ref().map_err(Clone::clone)
    }

    /// The bridge: DNS, `/ma/latest-url` (reachable, credentials, something pushed, a Music
    /// Assistant stream) and `/alexa/intents`. Hands back the latest stream for the stream host.
    async fn bridge(
        &self,
        settings: &Settings,
        deadline: Deadline,
    ) -> (Vec<Check>, Option<InternalStream>) {
        const NAME: &str = "bridge";
        let bridge = match &settings.bridge {
            Ok(bridge) => bridge,
            Err(problem) => {
                return (
                    vec![Check::skip(
                        NAME,
                        format!("not checked: {}", unusable(problem)),
                    )],
                    None,
                )
            }
        };
        let host = crate::authority(&bridge.base);
        if let Err(check) = resolve(NAME, &bridge.base, deadline).await {
            return (vec![check], None);
        }
        let client = match self.client() {
            Ok(client) => client,
            Err(e) => {
                return (
                    vec![Check::fail(
                        NAME,
                        format!("no HTTP client: {e}"),
                        "report this as a bug",
                    )],
                    None,
                )
            }
        };
        let get = |path: &str| {
            let mut request = client
                .get(
                    bridge
                        .base
                        .join(path)
                        .unwrap_or_else(|_| bridge.base.clone()),
                )
                .timeout(step(deadline));
            if let Some(credentials) = &bridge.credentials {
                request = request.basic_auth(
                    &credentials.username,
                    Some(credentials.password.expose_secret()),
                );
            }
            request.send()
        };
        let mut checks = Vec::new();
        let mut latest = None;
        match get("ma/latest-url").await {
            Err(error) => checks.push(self.bridge_unreachable(NAME, &host, &error)),
            Ok(response) => {
                let status = response.status().as_u16();
                match status {
                    200 => {
                        let body = response.bytes().await.unwrap_or_default();
                        let (check, stream) = latest_reply(
                            &host,
                            bridge.credentials.is_some(),
                            &body,
                            self.bridge_at,
                        );
                        checks.push(check);
                        latest = stream;
                    }
                    401 | 403 => checks.push(Check::fail(
                        NAME,
                        format!("{host} refused the credentials (HTTP {status})"),
                        match self.bridge_at {
                            BridgeAt::Setting => "set API_USERNAME and API_PASSWORD to the bridge's BRIDGE_USERNAME and BRIDGE_PASSWORD",
                            BridgeAt::Own { .. } => "another service answers on BRIDGE_LISTEN's port: run the doctor in the bridge's own container, with the bridge's settings",
                        },
                    )),
                    404 => checks.push(Check::warn(
                        NAME,
                        format!("{host} is reachable{}, but nothing was pushed yet (HTTP 404)", accepted(bridge.credentials.is_some())),
                        "start playback on the Alexa player in Music Assistant, then run the doctor again",
                    )),
                    _ => checks.push(Check::fail(
                        NAME,
                        format!("{host} answered /ma/latest-url with HTTP {status}"),
                        match self.bridge_at {
                            BridgeAt::Setting => "make the reverse proxy forward GET /ma/latest-url to the bridge (port 5000)",
                            BridgeAt::Own { .. } => "another service answers on BRIDGE_LISTEN's port: run the doctor in the bridge's own container, with the bridge's settings",
                        },
                    )),
                }
            }
        }
        if checks.iter().any(|c| c.status != Status::Fail) {
            checks.push(intents(get("alexa/intents").await, &host).await);
        }
        (checks, latest)
    }

    /// The bridge gave no HTTP answer: at `API_HOSTNAME` each transport failure by name; inside
    /// the bridge's container, the bridge itself is not running there.
    fn bridge_unreachable(&self, check: &'static str, host: &str, error: &reqwest::Error) -> Check {
        match self.bridge_at {
            BridgeAt::Setting => transport_failure(check, host, error, "API_HOSTNAME"),
            BridgeAt::Own { .. } => Check::fail(
                check,
                format!(
                    "the bridge does not answer at {host}, its BRIDGE_LISTEN address: {}",
                    shortened(&innermost(error), ERROR_CHARS)
                ),
                "run the doctor where the bridge runs, with its settings (docker exec <the bridge's container> ma-alexa-bridge doctor), and read the bridge's log if it stopped",
            ),
        }
    }

    /// The public stream host: the latest stream rewritten onto `MA_HOSTNAME`, fetched the way an
    /// Echo does (DNS, TLS with a publicly trusted certificate, a short ranged GET), and its
    /// format.
    async fn stream_host(
        &self,
        settings: &Settings,
        latest: Option<&InternalStream>,
        deadline: Deadline,
    ) -> Check {
        const NAME: &str = "stream host";
        let base = match &settings.stream_base {
            Ok(base) => base,
            Err(problem) => {
                return Check::skip(NAME, format!("not checked: {}", unusable(problem)))
            }
        };
        let Some(latest) = latest else {
            return Check::skip(NAME, "not checked: no stream from the bridge to try");
        };
        let public = match base.rewrite(latest.url()) {
            Ok(public) => public,
            Err(e) => {
                return Check::fail(
                    NAME,
                    e.to_string(),
                    "shorten Music Assistant's stream address (its base path or player names)",
                )
            }
        };
        let Ok(url) = Url::parse(public.as_str()) else {
            return Check::fail(
                NAME,
                "the public stream address does not parse",
                "check MA_HOSTNAME",
            );
        };
        let host = crate::authority(&url);
        if let Err(check) = resolve(NAME, &url, deadline).await {
            return check;
        }
        let client = match self.client() {
            Ok(client) => client,
            Err(e) => {
                return Check::fail(NAME, format!("no HTTP client: {e}"), "report this as a bug")
            }
        };
        let answer = client
            .get(url.clone())
            .header(reqwest::header::RANGE, "bytes=0-1023")
            .timeout(step(deadline))
            .send()
            .await;
        // Only the headers are read: the body of a live stream never ends.
        let response = match answer {
            Ok(response) => response,
            Err(error) => return transport_failure(NAME, &host, &error, "MA_HOSTNAME"),
        };
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .unwrap_or_default();
        drop(response);
        match status {
            200 | 206 => stream_format(&host, &content_type),
            404 => Check::fail(
                NAME,
                format!("{host} answered the latest stream with HTTP 404"),
                "make the reverse proxy forward /flow/ and /single/ to Music Assistant's stream port (8097); if it does, the stream has ended: play something and run the doctor again",
            ),
            _ => Check::fail(
                NAME,
                format!("{host} answered the latest stream with HTTP {status}"),
                "make the reverse proxy forward /flow/ and /single/ to Music Assistant's stream port (8097), without authentication (Echo devices cannot send any)",
            ),
        }
    }

    /// Music Assistant's API: reachable, token accepted, version, its Alexa players, and every
    /// `DEVICE_PLAYERS` entry naming one of its players.
    async fn music_assistant(&self, settings: &Settings, deadline: Deadline) -> Vec<Check> {
        const NAME: &str = "music assistant";
        let ma = match &settings.music_assistant {
            Ok(ma) => ma,
            Err(SettingsError::Missing { name }) if *name == MA_API_URL => {
                return vec![Check::skip(
                    NAME,
                    "not configured (MA_API_URL): queue control and playing by name are off",
                )]
            }
            Err(problem) => {
                return vec![Check::skip(
                    NAME,
                    format!("not checked: {}", unusable(problem)),
                )]
            }
        };
        let host = crate::authority(&ma.base);
        if let Err(check) = resolve(NAME, &ma.base, deadline).await {
            return vec![check];
        }
        let version = self.server_version(&ma.base, deadline).await;
        let players = match self.music_assistant.players(ma, deadline).await {
            Ok(players) => players,
            Err(error) => return vec![ma_failure(NAME, &error)],
        };
        let version = version.map_or_else(String::new, |v| format!(" {v}"));
        let alexa: Vec<&Player> = players.iter().filter(|p| p.is_alexa()).collect();
        let mut checks = vec![if alexa.is_empty() {
            Check::warn(
                NAME,
                format!("Music Assistant{version} at {host} accepted the token, but has no Alexa players"),
                "add the Alexa provider in Music Assistant and log in with your Amazon account (or the token's user cannot see those players)",
            )
        } else {
            Check::pass(
                NAME,
                format!(
                    "Music Assistant{version} at {host} accepted the token; Alexa players: {}",
                    names(alexa.iter().map(|p| p.player_id.as_str()))
                ),
            )
        }];
        if let Ok(device_players) = &settings.device_players {
            let mut entries: Vec<(&String, &String)> = device_players.iter().collect();
            entries.sort();
            for (_, player) in entries {
                if !players.iter().any(|p| &p.player_id == player) {
                    checks.push(Check::fail(
                        "device players",
                        format!(
                            "DEVICE_PLAYERS names '{player}', which Music Assistant does not have"
                        ),
                        format!(
                            "use a player id Music Assistant has: {}",
                            names(players.iter().map(|p| p.player_id.as_str()))
                        ),
                    ));
                }
            }
        }
        checks
    }

    /// The skill endpoint inside the bridge: on, and refusing what Amazon did not sign.
    async fn skill_endpoint_check(&self, settings: &Settings, deadline: Deadline) -> Check {
        const NAME: &str = "skill endpoint";
        if settings.skill_id.is_none() {
            return Check::fail(
                NAME,
                "SKILL_ID is not set: the bridge's skill endpoint refuses every request without it",
                "set SKILL_ID to your skill's id (amzn1.ask.skill.…) where the bridge reads its settings",
            );
        }
        let bridge = match &settings.bridge {
            Ok(bridge) => bridge,
            Err(problem) => {
                return Check::skip(NAME, format!("not checked: {}", unusable(problem)))
            }
        };
        let client = match self.client() {
            Ok(client) => client,
            Err(e) => {
                return Check::fail(NAME, format!("no HTTP client: {e}"), "report this as a bug")
            }
        };
        let host = crate::authority(&bridge.base);
        let Ok(url) = bridge.base.join("alexa/skill") else {
            return Check::skip(
                NAME,
                format!(
                    "not checked: /alexa/skill cannot be joined to {}",
                    self.bridge_at.setting()
                ),
            );
        };
        let answer = client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body("{}")
            .timeout(step(deadline))
            .send()
            .await;
        match answer.map(|r| r.status().as_u16()) {
            Ok(400) => Check::pass(
                NAME,
                format!("{host} serves the skill at /alexa/skill and refuses unsigned requests"),
            ),
            Ok(401 | 404 | 405) => Check::fail(
                NAME,
                format!("{host} does not serve the skill at /alexa/skill"),
                "set BRIDGE_SKILL_ENDPOINT=true on the bridge (with the skill's settings) and restart it",
            ),
            Ok(status) => Check::fail(
                NAME,
                format!("{host} answered an unsigned request to /alexa/skill with HTTP {status}"),
                "run this project's bridge with BRIDGE_SKILL_ENDPOINT=true: it must refuse what Amazon did not sign",
            ),
            Err(error) => self.bridge_unreachable(NAME, &host, &error),
        }
    }

    /// `GET /info`'s `server_version`, when Music Assistant tells.
    async fn server_version(&self, base: &Url, deadline: Deadline) -> Option<String> {
        let client = self.client().ok()?;
        let response = client
            .get(base.join("info").ok()?)
            .timeout(step(deadline))
            .send()
            .await
            .ok()?;
        let body = response.bytes().await.ok()?;
        let info: serde_json::Value = serde_json::from_slice(&body).ok()?;
        info.get("server_version")
            .and_then(serde_json::Value::as_str)
            .map(|v| shortened(v, 40))
    }
}

/// Where the settings came from, each setting present and valid. Secrets (`API_PASSWORD`,
/// `MA_API_TOKEN`) show as set or not set; the rest show their values.
fn settings_checks(source: &str, settings: &Settings, bridge_at: BridgeAt) -> Vec<Check> {
    let set = |present: bool| if present { "set" } else { "not set" };
    let bridge = match &settings.bridge {
        Ok(bridge) if bridge_at != BridgeAt::Setting => format!(
            "the bridge itself at {} (BRIDGE_LISTEN), BRIDGE_USERNAME/BRIDGE_PASSWORD {}",
            crate::authority(&bridge.base),
            set(bridge.credentials.is_some())
        ),
        Ok(bridge) => format!(
            "API_HOSTNAME {}, API_USERNAME/API_PASSWORD {}",
            crate::authority(&bridge.base),
            set(bridge.credentials.is_some())
        ),
        // The host is read first: a pair problem means API_HOSTNAME itself is fine.
        Err(problem @ SettingsError::Incomplete { .. }) => {
            format!("API_HOSTNAME set, {}", state(problem))
        }
        Err(problem) => state(problem),
    };
    let stream = match &settings.stream_base {
        Ok(base) => format!("MA_HOSTNAME {}", base.as_str()),
        Err(problem) => state(problem),
    };
    let ma = match &settings.music_assistant {
        Ok(ma) => format!(
            "MA_API_URL {}, MA_API_TOKEN set",
            crate::authority(&ma.base)
        ),
        Err(problem) => state(problem),
    };
    let count = |map: &Result<std::collections::HashMap<String, String>, SettingsError>,
                 name: &str,
                 what: &str| match map {
        Ok(map) => format!("{name} {} {what}(s)", map.len()),
        Err(problem) => state(problem),
    };
    // Open-screen mode: the now-playing page on Echo Show devices (docs/skill.md).
    let open_screen = match &settings.open_screen {
        Ok(true) => "OPEN_SCREEN on (a now-playing page on Echo Show devices)".to_owned(),
        Ok(false) => "OPEN_SCREEN off".to_owned(),
        Err(problem) => state(problem),
    };
    let summary = format!(
        "from {source}: {bridge}, {stream}, SKILL_ID {}, {ma}, {}, {}, {open_screen}",
        set(settings.skill_id.is_some()),
        count(&settings.device_players, "DEVICE_PLAYERS", "device"),
        count(&settings.room_aliases, "ROOM_ALIASES", "room"),
    );
    let problems: Vec<&SettingsError> = settings.problems().collect();
    let mut checks = vec![if problems.is_empty() {
        Check::pass("settings", summary)
    } else {
        Check::new("settings", Status::Fail, summary)
    }];
    for problem in problems {
        checks.push(Check::fail(
            "settings",
            problem.to_string(),
            format!("set {} as docs/settings.md describes", problem.name()),
        ));
    }
    if let Ok(bridge) = &settings.bridge {
        if bridge.credentials.is_none() {
            match bridge_at {
                BridgeAt::Setting => checks.push(without_credentials(&bridge.base)),
                BridgeAt::Own { listen } => checks.extend(open_bridge(listen)),
            }
        }
    }
    checks
}

/// The bridge the doctor runs in takes requests without credentials: what that exposes, from
/// the address it listens on (nothing, when only this machine can reach it).
fn open_bridge(listen: SocketAddr) -> Option<Check> {
    if listen.ip().is_loopback() {
        return None;
    }
    Some(Check::warn(
        "settings",
        format!("the bridge takes requests without credentials on {listen}: anyone who reaches that port can read and push streams"),
        "set BRIDGE_USERNAME and BRIDGE_PASSWORD on the bridge, and the same user name and password in Music Assistant's Alexa provider",
    ))
}

/// A setting's problem in the settings line: `API_PASSWORD not set`, `MA_HOSTNAME invalid`.
fn state(problem: &SettingsError) -> String {
    match problem {
        SettingsError::Missing { name } => format!("{name} not set"),
        SettingsError::Invalid { name, .. } => format!("{name} invalid"),
        SettingsError::Incomplete { present, missing } => {
            format!("{present} set without {missing}")
        }
    }
}

/// Why a check did not run, naming the setting at fault: `API_PASSWORD is not set`.
fn unusable(problem: &SettingsError) -> String {
    match problem {
        SettingsError::Missing { name } => format!("{name} is not set"),
        SettingsError::Invalid { name, .. } => format!("{name} is invalid"),
        SettingsError::Incomplete { present, missing } => {
            format!("{present} is set but {missing} is not")
        }
    }
}

/// Who can reach an address: what the doctor can tell from the address alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// 127.0.0.0/8, ::1, `localhost`: this machine only.
    Loopback,
    /// RFC 1918, unique-local IPv6, carrier-grade NAT: the local network.
    Private,
    /// 169.254.0.0/16, fe80::/10: the local link.
    LinkLocal,
    /// Any other IP address.
    Public,
    /// A host name: it depends on its DNS record and the firewall.
    Name,
}

impl Reach {
    fn of(url: &Url) -> Self {
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => ip.to_ipv4_mapped().map_or(IpAddr::V6(ip), IpAddr::V4),
            Some(url::Host::Domain(name)) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                return if name == "localhost" || name.ends_with(".localhost") {
                    Self::Loopback
                } else {
                    Self::Name
                };
            }
            None => return Self::Name,
        };
        match ip {
            IpAddr::V4(ip) if ip.is_loopback() => Self::Loopback,
            IpAddr::V4(ip) if ip.is_link_local() => Self::LinkLocal,
            // 100.64.0.0/10 is carrier-grade NAT (RFC 6598): not reachable from the internet.
            IpAddr::V4(ip)
                if ip.is_private() || (ip.octets()[0] == 100 && ip.octets()[1] & 0xc0 == 64) =>
            {
                Self::Private
            }
            IpAddr::V6(ip) if ip.is_loopback() => Self::Loopback,
            IpAddr::V6(ip) if ip.is_unicast_link_local() => Self::LinkLocal,
            IpAddr::V6(ip) if ip.is_unique_local() => Self::Private,
            _ => Self::Public,
        }
    }
}

/// The bridge is called without credentials: what that exposes, from what its address says.
fn without_credentials(base: &Url) -> Check {
    let host = crate::authority(base);
    let set = "set BRIDGE_USERNAME and BRIDGE_PASSWORD on the bridge and the same values as API_USERNAME and API_PASSWORD here";
    let (message, fix) = match Reach::of(base) {
        Reach::Loopback => (
            format!("the bridge is called without credentials, at {host}: a loopback address, which only this machine reaches"),
            format!("nothing to do while only this machine can reach the bridge; if a reverse proxy also exposes it, {set}"),
        ),
        Reach::Private => (
            format!("the bridge is called without credentials, at {host}: a private address, which your network reaches but the internet does not"),
            format!("fine while the bridge stays inside your network; before a reverse proxy exposes it, {set}"),
        ),
        Reach::LinkLocal => (
            format!("the bridge is called without credentials, at {host}: a link-local address, which only machines on the same link reach"),
            format!("fine while the bridge stays on your network; before a reverse proxy exposes it, {set}"),
        ),
        Reach::Public => (
            format!("the bridge is called without credentials, at {host}: a public address, so anyone who finds it can read and push streams"),
            set.to_owned(),
        ),
        Reach::Name => (
            format!("the bridge is called without credentials, at {host}: if that name is reachable from the internet, anyone who finds it can read and push streams"),
            set.to_owned(),
        ),
    };
    Check::warn("settings", message, fix)
}

/// The settings could not be loaded from SSM: what went wrong and what to change.
fn ssm_failure(source: &str, error: &SsmError) -> Check {
    let fix = match error {
        SsmError::AccessDenied { .. } => "give the function's role ssm:GetParametersByPath on the parameter path and kms:Decrypt through SSM (the SAM template does); locally, use credentials that may",
        SsmError::NotFound { .. } => "check SSM_PARAMETER_PREFIX and the region: the path, or the KMS key of a SecureString, does not exist there",
        SsmError::Throttled { .. } => "SSM throttled the calls: run again in a minute, and keep CONFIG_TTL_SECONDS at 300 or more",
        SsmError::Unreachable { .. } | SsmError::TimedOut { .. } => "check AWS_REGION (the same region as the parameters) and the network path to SSM",
        SsmError::Other { .. } => "read the error above; the SSM parameters must be readable with GetParametersByPath",
    };
    Check::fail("settings", format!("from {source}: {error}"), fix)
}

/// ", credentials accepted" when credentials were sent, " without credentials" when not.
fn accepted(with_credentials: bool) -> &'static str {
    if with_credentials {
        ", credentials accepted"
    } else {
        " without credentials"
    }
}

/// The latest-url reply: the bridge's JSON with a Music Assistant stream, and its URL format.
fn latest_reply(
    host: &str,
    with_credentials: bool,
    body: &[u8],
    bridge_at: BridgeAt,
) -> (Check, Option<InternalStream>) {
    const NAME: &str = "bridge";
    let Ok(reply) = serde_json::from_slice::<LatestReply>(body) else {
        return (
            Check::fail(
                NAME,
                format!(
                    "{host} answered /ma/latest-url with something that is not the bridge's JSON"
                ),
                match bridge_at {
                    BridgeAt::Setting => "point API_HOSTNAME at the bridge (the proxy answers for another service there)",
                    BridgeAt::Own { .. } => "another service answers on BRIDGE_LISTEN's port: run the doctor in the bridge's own container, with the bridge's settings",
                },
            ),
            None,
        );
    };
    let Some(raw) = reply.stream_url.filter(|u| !u.trim().is_empty()) else {
        return (
            Check::fail(
                NAME,
                format!("{host} holds no streamUrl"),
                "start playback on the Alexa player in Music Assistant",
            ),
            None,
        );
    };
    match InternalStream::parse(&raw) {
        None => (
            Check::fail(
                NAME,
                format!("{host} holds a streamUrl that is not a Music Assistant stream"),
                "only Music Assistant should push to the bridge: check what else calls /ma/push-url",
            ),
            None,
        ),
        Some(stream) => (
            Check::pass(
                NAME,
                format!(
                    "{host} is reachable{}; latest stream: {}",
                    accepted(with_credentials),
                    stream_era(stream.url())
                ),
            ),
            Some(stream),
        ),
    }
}

/// The shape of a stream URL's path, and which Music Assistant versions make it.
fn stream_era(url: &Url) -> String {
    let segments: Vec<&str> = url
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    let route = segments.first().copied().unwrap_or("");
    if !["flow", "single"].contains(&route) {
        return format!("on /{route}/ (not a queue stream)");
    }
    let (shape, made_by) = match segments.len() - 1 {
        2 => (
            "{queue}/{item}",
            "Music Assistant up to early 2025 (2.3 and before)",
        ),
        3 => (
            "{session}/{queue}/{item}",
            "Music Assistant from spring 2025 until 2.8",
        ),
        4 => (
            "{session}/{queue}/{item}/{player}",
            "Music Assistant 2.8 and later (from early 2026)",
        ),
        _ => return format!("on /{route}/ with a path this skill does not know"),
    };
    format!("a /{route}/{shape} URL, the format {made_by} makes")
}

/// What Music Assistant reads from `/alexa/intents`; anything else in it is ignored.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct IntentsReply {
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    invocation_name: Option<String>,
    #[serde(default)]
    intents: Vec<IntentPhrases>,
}

#[derive(serde::Deserialize)]
struct IntentPhrases {
    #[serde(default)]
    intent: String,
    #[serde(default)]
    utterances: Vec<String>,
}

/// Lower case, one space between words: how two spoken phrases are compared.
fn spoken(phrase: &str) -> String {
    phrase
        .split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// `/alexa/intents`: Music Assistant makes the Echo say `"{invocationName} {utterance}"` to
/// pause, resume and stop, so `invocationName` must be the whole carrier phrase of the skill's
/// model for that locale ("ask music assistant to", "sag music assistant"), as this project's
/// bridge hands it out.
async fn intents(answer: Result<reqwest::Response, reqwest::Error>, host: &str) -> Check {
    const NAME: &str = "bridge intents";
    let run_ours = "run this project's bridge (ma-alexa-bridge), which serves it";
    let response = match answer {
        Ok(response) => response,
        Err(_) => {
            return Check::warn(
                NAME,
                format!("{host} did not answer /alexa/intents"),
                run_ours,
            )
        }
    };
    match response.status().as_u16() {
        200 => {}
        404 => {
            return Check::warn(
                NAME,
                format!("{host} has no /alexa/intents here (HTTP 404)"),
                "Music Assistant reads it on the LAN, so a proxy that exposes only /ma/latest-url is fine; but the Node bridge has none, and without it Music Assistant's pause, resume and stop fail: run ma-alexa-bridge",
            )
        }
        status => {
            return Check::warn(NAME, format!("{host} answered /alexa/intents with HTTP {status}"), run_ours)
        }
    }
    let body = response.bytes().await.unwrap_or_default();
    let Ok(reply) = serde_json::from_slice::<IntentsReply>(&body) else {
        return Check::warn(
            NAME,
            format!("{host} answered /alexa/intents with something that is not the intents JSON"),
            run_ours,
        );
    };
    let Some(name) = reply
        .invocation_name
        .as_deref()
        .filter(|n| !n.trim().is_empty())
    else {
        return Check::warn(
            NAME,
            format!("{host} answered /alexa/intents without an invocationName"),
            run_ours,
        );
    };
    let said = spoken(name);
    let shown = shortened(name, QUOTED_CHARS);
    let pause = reply
        .intents
        .iter()
        .find(|i| i.intent == "AMAZON.PauseIntent")
        .and_then(|i| i.utterances.first())
        .map_or("pause", String::as_str);
    let locale = reply.locale.as_deref().unwrap_or("no locale");
    if said == INVOCATION {
        return Check::fail(
            NAME,
            format!("{host} hands Music Assistant the bare invocation '{shown}': to pause it would make the Echo say '{shown} {}', which Alexa does not pass to the skill", shortened(pause, QUOTED_CHARS)),
            "run this project's bridge (ma-alexa-bridge): it hands out the whole phrase for the language ('ask music assistant to', 'sag music assistant')",
        );
    }
    if !format!(" {said} ").contains(&format!(" {INVOCATION} ")) {
        return Check::fail(
            NAME,
            format!("{host} names the invocation '{shown}', but the skill's invocation name is '{INVOCATION}'"),
            "run this project's bridge (ma-alexa-bridge), whose /alexa/intents matches the skill's interaction models",
        );
    }
    // The phrase this skill's model for the bridge's locale expects.
    let Some((model_locale, expected)) = reply
        .locale
        .as_deref()
        .and_then(ModelLocale::parse)
        .and_then(|l| {
            let model = l.model().ok()?;
            Some((
                l,
                carrier(
                    Language::of_locale(Some(l.as_str())),
                    &model.invocation_name,
                ),
            ))
        })
    else {
        return Check::warn(
            NAME,
            format!(
                "{host} serves /alexa/intents for '{}', a locale this skill has no model for",
                shortened(locale, QUOTED_CHARS)
            ),
            format!(
                "set BRIDGE_LOCALE on the bridge to the language of your Echo devices, one of {}",
                ModelLocale::list()
            ),
        );
    };
    if said == spoken(&expected) {
        Check::pass(
            NAME,
            format!(
                "{host} serves /alexa/intents for {model_locale}: Music Assistant will say '{shown} {}' to pause",
                shortened(pause, QUOTED_CHARS)
            ),
        )
    } else {
        Check::warn(
            NAME,
            format!("{host} hands out '{shown}' for {model_locale}, not the phrase the skill's model expects ('{expected}')"),
            run_ours,
        )
    }
}

/// What an Echo gets from the stream host, by content type.
fn stream_format(host: &str, content_type: &str) -> Check {
    const NAME: &str = "stream host";
    let format = match content_type {
        "audio/mpeg" | "audio/mp3" | "audio/mpeg3" => "MP3",
        "audio/aac" | "audio/aacp" | "audio/mp4" | "audio/x-m4a" | "audio/m4a" => "AAC",
        "application/vnd.apple.mpegurl" | "application/x-mpegurl" | "audio/mpegurl" | "audio/x-mpegurl" => "HLS",
        "audio/flac" | "audio/x-flac" => {
            return Check::fail(
                NAME,
                format!("{host} serves the stream as FLAC, which Echo devices cannot play"),
                "in Music Assistant, set the Echo player's output codec to MP3 (Settings, Players, the Echo, Audio)",
            )
        }
        "text/html" | "text/plain" | "application/json" | "" => {
            return Check::fail(
                NAME,
                format!("{host} answers the stream address with {} instead of audio", if content_type.is_empty() { "no content type" } else { content_type }),
                "make the reverse proxy forward /flow/ and /single/ to Music Assistant's stream port (8097), not to its web interface or another service",
            )
        }
        other if other.starts_with("audio/") => {
            return Check::warn(
                NAME,
                format!("{host} serves the stream as {other}, which Echo devices may not play"),
                "in Music Assistant, set the Echo player's output codec to MP3",
            )
        }
        other => {
            return Check::fail(
                NAME,
                format!("{host} answers the stream address with {other} instead of audio"),
                "make the reverse proxy forward /flow/ and /single/ to Music Assistant's stream port (8097)",
            )
        }
    };
    Check::pass(
        NAME,
        format!(
            "{host}: trusted certificate, the proxy forwards streams, {format} plays on an Echo"
        ),
    )
}

/// `SKILL_ID` well-formed; inside Lambda, memory, timeout and region.
fn skill_checks(skill_id: Option<&str>, lambda: Option<&LambdaFacts>) -> Vec<Check> {
    const NAME: &str = "skill";
    let mut checks = vec![match skill_id {
        None => Check::warn(
            NAME,
            "SKILL_ID is not set: the function answers any skill",
            "set SKILL_ID to your skill's id (amzn1.ask.skill.…, from the Alexa developer console)",
        ),
        Some(id) if is_skill_id(id) => Check::pass(NAME, format!("SKILL_ID {id}")),
        Some(_) => Check::fail(
            NAME,
            "SKILL_ID is not a skill id (amzn1.ask.skill. followed by a UUID)",
            "copy the skill id from the Alexa developer console's skill list",
        ),
    }];
    let Some(lambda) = lambda else {
        return checks;
    };
    let mut found = Vec::new();
    let mut problems = Vec::new();
    if let Some(memory) = lambda.memory_mb {
        found.push(format!("{memory} MB"));
        if memory < 128 {
            problems.push(("memory below 128 MB".to_owned(), "give the function 128 MB"));
        }
    }
    if let Some(left) = lambda.time_left {
        let seconds = left.as_secs_f64();
        found.push(format!("about {seconds:.0} s per invocation"));
        if left < Duration::from_secs(4) {
            problems.push((
                "the timeout leaves less than 4 s".to_owned(),
                "set the function's timeout to 7 s (Alexa waits 8 s)",
            ));
        }
    }
    if let Some(region) = &lambda.region {
        found.push(format!("region {region}"));
        if !ALEXA_REGIONS.contains(&region.as_str()) {
            problems.push((
                format!("Alexa does not call Lambda functions in {region}"),
                "deploy in us-east-1 (North America), eu-west-1 (Europe, India) or us-west-2 (Far East), with the SSM parameters in the same region",
            ));
        }
    }
    checks.push(match problems.first() {
        None => Check::pass("lambda", found.join(", ")),
        Some((message, fix)) => {
            Check::warn("lambda", format!("{}: {message}", found.join(", ")), *fix)
        }
    });
    checks
}

/// `amzn1.ask.skill.` and a UUID.
fn is_skill_id(id: &str) -> bool {
    let Some(uuid) = id.strip_prefix("amzn1.ask.skill.") else {
        return false;
    };
    let groups: Vec<&str> = uuid.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Resolves the host of `url` (the first hop an Echo or the skill takes).
async fn resolve(check: &'static str, url: &Url, deadline: Deadline) -> Result<(), Check> {
    let host = url.host_str().unwrap_or("");
    let port = url.port_or_known_default().unwrap_or(443);
    let lookup = tokio::net::lookup_host((host.trim_matches(['[', ']']), port));
    match tokio::time::timeout(Duration::from_millis(2000).min(step(deadline)), lookup)
        .await
        .map(|found| found.map(|mut addresses| addresses.next().is_some()))
    {
        Ok(Ok(true)) => Ok(()),
        Ok(Ok(false)) => Err(Check::fail(
            check,
            format!("{host} resolves to no address"),
            "add a DNS record for it",
        )),
        Ok(Err(e)) => Err(Check::fail(
            check,
            format!("cannot resolve {host}: {e}"),
            "check the name and its DNS record",
        )),
        Err(_) => Err(Check::fail(
            check,
            format!("resolving {host} took more than 2 s"),
            "check this machine's DNS",
        )),
    }
}

/// A request that got no HTTP answer: TLS (each certificate problem by name), refused, reset,
/// unreachable, timed out.
fn transport_failure(
    check: &'static str,
    host: &str,
    error: &reqwest::Error,
    setting: &str,
) -> Check {
    if let Some(tls) = rustls_error(error) {
        return tls_failure(check, host, tls, setting);
    }
    if error.is_timeout() {
        return Check::fail(check, format!("{host} did not answer in time (at most {} s)", STEP_TIMEOUT.as_secs()), format!("check that {setting} points at the right host and port, and the firewall lets it through"));
    }
    use std::io::ErrorKind;
    let forwarding = format!(
        "check {setting} (host and port), that the reverse proxy runs, and the port forwarding"
    );
    match io_error_kind(error) {
        Some(ErrorKind::ConnectionRefused) => Check::fail(
            check,
            format!("{host} refused the connection: nothing listens on that port"),
            forwarding,
        ),
        Some(ErrorKind::ConnectionReset | ErrorKind::ConnectionAborted | ErrorKind::UnexpectedEof) => Check::fail(
            check,
            format!("{host} closed the connection without an answer"),
            format!("check {setting}: the port may belong to another service, or the proxy drops the request"),
        ),
        Some(ErrorKind::HostUnreachable | ErrorKind::NetworkUnreachable) => Check::fail(
            check,
            format!("{host} cannot be reached from here (no route to it)"),
            format!("check {setting} and the network between here and there"),
        ),
        _ => Check::fail(
            check,
            format!(
                "could not reach {host}: {}",
                shortened(&innermost(error), ERROR_CHARS)
            ),
            forwarding,
        ),
    }
}

/// `error` and every cause under it. An `io::Error`'s `source()` skips the error it wraps (rustls
/// reports through one, sometimes wrapped in another), so the walk steps into that instead.
fn causes<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> impl Iterator<Item = &'a (dyn std::error::Error + 'static)> {
    std::iter::successors(Some(error), |current| {
        match current.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => current.source(),
        }
    })
}

/// The rustls error under a reqwest error, if TLS is what failed.
fn rustls_error<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    causes(error).find_map(|cause| cause.downcast_ref::<rustls::Error>())
}

/// The kind of the deepest `io::Error` under `error` (the outer ones are often just `Other`).
fn io_error_kind(error: &(dyn std::error::Error + 'static)) -> Option<std::io::ErrorKind> {
    causes(error)
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind)
        .last()
}

/// The deepest cause's own words: the part that says what went wrong, without the URL the
/// outer layers repeat.
fn innermost(error: &(dyn std::error::Error + 'static)) -> String {
    causes(error)
        .last()
        .map_or_else(|| error.to_string(), ToString::to_string)
}

/// What an Echo (or the skill) would refuse in a TLS handshake, in the owner's words.
fn tls_failure(check: &'static str, host: &str, error: &rustls::Error, setting: &str) -> Check {
    use rustls::Error as E;
    match error {
        E::InvalidCertificate(certificate) => certificate_failure(check, host, certificate),
        E::InvalidMessage(_)
        | E::InappropriateMessage { .. }
        | E::InappropriateHandshakeMessage { .. } => Check::fail(
            check,
            format!("{host} does not answer with TLS on that port (a plain-HTTP server there?)"),
            format!("point {setting} at the reverse proxy's HTTPS port (443 unless it says otherwise)"),
        ),
        E::AlertReceived(alert) => Check::fail(
            check,
            format!("{host} broke off the TLS handshake ({alert:?})"),
            "check the reverse proxy's TLS set-up for this host name: a certificate for it, TLS 1.2 or 1.3",
        ),
        other => Check::fail(
            check,
            format!(
                "{host}: the TLS handshake failed ({})",
                shortened(&other.to_string(), ERROR_CHARS)
            ),
            "check the reverse proxy's TLS set-up for this host name: a certificate for it, TLS 1.2 or 1.3",
        ),
    }
}

/// A certificate rustls (with webpki, as an Echo's TLS does) refused, by what is wrong with it.
fn certificate_failure(
    check: &'static str,
    host: &str,
    certificate: &rustls::CertificateError,
) -> Check {
    use rustls::CertificateError as C;
    const PUBLIC_CA: &str = "use a certificate from a public CA such as Let's Encrypt (Caddy and certbot get one for free): Echo devices refuse self-signed and private-CA certificates";
    let refused = |what: String, fix: &str| {
        Check::fail(check, format!("{host}: the TLS certificate {what}"), fix)
    };
    #[allow(deprecated)] // the variants without context are still what other verifiers send
    match certificate {
        C::UnknownIssuer => refused(
            "is not publicly trusted: it is self-signed, from a private CA, or served without its intermediate certificates".into(),
            "use a certificate from a public CA such as Let's Encrypt (Caddy and certbot get one for free) and serve its full chain (fullchain.pem): Echo devices refuse self-signed and private-CA certificates",
        ),
        C::NotValidForName => refused(
            "is not valid for this host name".into(),
            "get a certificate that names this host (or fix the DNS record)",
        ),
        C::NotValidForNameContext { presented, .. } => {
            let names = if presented.is_empty() {
                "no host name".to_owned()
            } else {
                let names: Vec<&str> = presented.iter().map(|n| presented_name(n)).collect();
                shortened(&names.join(", "), ERROR_CHARS)
            };
            refused(
                format!("is not valid for this host name (it names {names})"),
                "get a certificate that names this host (or fix the DNS record)",
            )
        }
        C::Expired => refused("has expired".into(), "renew the certificate (automatic renewal: Caddy, certbot)"),
        C::ExpiredContext { time, not_after } => refused(
            format!("has expired ({} ago)", ago(time.as_secs().saturating_sub(not_after.as_secs()))),
            "renew the certificate (automatic renewal: Caddy, certbot)",
        ),
        C::NotValidYet => refused(
            "is not valid yet".into(),
            "check the clocks of this machine and of the server",
        ),
        C::NotValidYetContext { time, not_before } => refused(
            format!("is not valid yet (it starts in {})", ago(not_before.as_secs().saturating_sub(time.as_secs()))),
            "check the clocks of this machine and of the server; a certificate is valid from when it was issued",
        ),
        C::Revoked => refused("has been revoked by its CA".into(), "get a new certificate"),
        C::InvalidPurpose | C::InvalidPurposeContext { .. } => refused(
            "is not for TLS servers (its extended key usage leaves out server authentication)".into(),
            "get a server certificate (Let's Encrypt issues them)",
        ),
        C::BadSignature => refused("has a signature that does not verify".into(), PUBLIC_CA),
        C::UnsupportedSignatureAlgorithm
        | C::UnsupportedSignatureAlgorithmContext { .. }
        | C::UnsupportedSignatureAlgorithmForPublicKeyContext { .. } => refused(
            "is signed with an algorithm that is not accepted".into(),
            PUBLIC_CA,
        ),
        C::BadEncoding => refused("cannot be read (it is malformed)".into(), PUBLIC_CA),
        C::Other(other) => match other.0.downcast_ref::<webpki::Error>() {
            Some(webpki::Error::CaUsedAsEndEntity) => refused(
                "is not publicly trusted: it is a CA certificate (basicConstraints CA:TRUE) serving as the host's own, as `openssl req -x509` makes them".into(),
                PUBLIC_CA,
            ),
            Some(webpki::Error::EndEntityUsedAsCa) => refused(
                "is not publicly trusted: its chain has a certificate that should be a CA but is not one".into(),
                "serve the chain your CA issued with the certificate (fullchain.pem)",
            ),
            Some(error) => refused(
                format!("is refused ({})", shortened(&format!("{error:?}"), ERROR_CHARS)),
                PUBLIC_CA,
            ),
            None => refused(
                format!("is refused ({})", shortened(&other.to_string(), ERROR_CHARS)),
                PUBLIC_CA,
            ),
        },
        other => refused(
            format!("is refused ({})", shortened(&format!("{other:?}"), ERROR_CHARS)),
            PUBLIC_CA,
        ),
    }
}

/// A name as webpki presents it (`DnsName("ma.example.net")`, `IpAddress(192.0.2.1)`), bare.
fn presented_name(debug: &str) -> &str {
    debug
        .split_once('(')
        .and_then(|(_, rest)| rest.strip_suffix(')'))
        .map_or(debug, |inner| inner.trim_matches('"'))
}

/// A span of seconds, roughly: "3 days", "5 hours", "under an hour".
fn ago(seconds: u64) -> String {
    match (seconds / 86_400, seconds / 3600) {
        (0, 0) => "under an hour".into(),
        (0, 1) => "1 hour".into(),
        (0, hours) => format!("{hours} hours"),
        (1, _) => "1 day".into(),
        (days, _) => format!("{days} days"),
    }
}

/// `text` whole when it has at most `max` characters; else cut after the last whole word that
/// fits, with an ellipsis (a single word longer than `max` is cut at `max`).
fn shortened(text: &str, max: usize) -> String {
    let text = text.trim();
    let Some((limit, next)) = text.char_indices().nth(max) else {
        return text.to_owned();
    };
    // The last space among the first `max + 1` characters ends the last whole word that fits.
    let cut = text[..limit + next.len_utf8()]
        .rfind(char::is_whitespace)
        .unwrap_or(limit);
    let kept = text[..cut].trim_end_matches(|c: char| c.is_whitespace() || ",;:(".contains(c));
    let kept = if kept.is_empty() {
        &text[..limit]
    } else {
        kept
    };
    format!("{kept}…")
}

/// A Music Assistant failure, with its fix.
fn ma_failure(check: &'static str, error: &MaError) -> Check {
    let fix = match error {
        MaError::Unauthorized { .. } => "create a long-lived token in Music Assistant (your profile, Long-lived access tokens) and store it as MA_API_TOKEN",
        MaError::Forbidden { .. } => "use a token of a user who may read players",
        MaError::SetupRequired { .. } => "finish Music Assistant's onboarding first",
        MaError::Unreachable { .. } | MaError::TimedOut { .. } => "check MA_API_URL and the reverse proxy in front of Music Assistant's web server (port 8095)",
        _ => "check MA_API_URL: it must be Music Assistant's web server (port 8095)",
    };
    Check::fail(check, error.to_string(), fix)
}

/// Up to eight names, quoted, then how many more.
fn names<'a>(all: impl Iterator<Item = &'a str>) -> String {
    let all: Vec<&str> = all.collect();
    if all.is_empty() {
        return "none".into();
    }
    let mut shown: Vec<String> = all.iter().take(8).map(|n| format!("'{n}'")).collect();
    if all.len() > 8 {
        shown.push(format!("and {} more", all.len() - 8));
    }
    shown.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortened_keeps_short_text_and_cuts_long_text_between_words() {
        assert_eq!(shortened("Connection refused", 40), "Connection refused");
        assert_eq!(shortened("  padded  ", 6), "padded");
        let error = "tcp connect error: Connection refused (os error 111)";
        let cut = shortened(error, 25);
        assert_eq!(cut, "tcp connect error…");
        assert!(cut.chars().count() <= 26, "{cut}");
        // Exactly at a word's end: that word stays.
        assert_eq!(shortened("one two three", 7), "one two…");
        // One word longer than the limit: cut inside it, there is nothing better.
        assert_eq!(shortened("Connection", 4), "Conn…");
        // Multi-byte characters at the limit.
        assert_eq!(shortened("ééé ééé ééé", 5), "ééé…");
        assert_eq!(shortened("élan vital", 4), "élan…");
    }

    #[test]
    fn presented_names_lose_their_wrapping() {
        assert_eq!(
            presented_name(r#"DnsName("ma.example.net")"#),
            "ma.example.net"
        );
        assert_eq!(presented_name("IpAddress(192.0.2.1)"), "192.0.2.1");
        assert_eq!(presented_name("DirectoryName"), "DirectoryName");
    }

    #[test]
    fn addresses_are_told_apart_by_who_can_reach_them() {
        let reach = |raw: &str| Reach::of(&Url::parse(raw).expect("URL"));
        for (raw, want) in [
            ("http://127.0.0.1:5000/", Reach::Loopback),
            ("http://127.8.9.1/", Reach::Loopback),
            ("http://[::1]:5000/", Reach::Loopback),
            ("http://localhost:5000/", Reach::Loopback),
            ("http://[::ffff:127.0.0.1]/", Reach::Loopback),
            ("http://192.168.1.20:5000/", Reach::Private),
            ("http://10.0.0.2/", Reach::Private),
            ("http://172.16.5.4/", Reach::Private),
            ("http://100.64.1.1/", Reach::Private),
            ("http://[fd00::1]/", Reach::Private),
            ("http://169.254.10.1/", Reach::LinkLocal),
            ("http://[fe80::1]/", Reach::LinkLocal),
            ("https://203.0.113.7/", Reach::Public),
            ("https://100.128.0.1/", Reach::Public),
            ("https://bridge.example.com/", Reach::Name),
        ] {
            assert_eq!(reach(raw), want, "{raw}");
        }
    }

    #[test]
    fn only_a_routable_bridge_is_said_to_be_reachable_from_the_internet() {
        for raw in [
            "http://127.0.0.1:5000/",
            "http://192.168.1.20:5000/",
            "http://169.254.1.1/",
        ] {
            let check = without_credentials(&Url::parse(raw).expect("URL"));
            let text = format!("{} {}", check.message, check.fix.unwrap_or_default());
            assert!(
                !text.contains("reachable from the internet"),
                "{raw}: {text}"
            );
            assert!(!text.contains("anyone"), "{raw}: {text}");
        }
        let public = without_credentials(&Url::parse("https://203.0.113.7/").expect("URL"));
        assert!(public.message.contains("anyone"), "{}", public.message);
    }

    #[test]
    fn stream_eras_name_the_format_and_the_versions() {
        let era = |raw: &str| stream_era(&Url::parse(raw).expect("URL"));
        let now = era("http://ma:8097/flow/s1/Kitchen%20Echo/i1/Kitchen%20Echo.mp3");
        assert!(
            now.contains("/flow/{session}/{queue}/{item}/{player}") && now.contains("2.8"),
            "{now}"
        );
        let mid = era("http://ma:8097/flow/s1/Kitchen%20Echo/i1.mp3");
        assert!(
            mid.contains("/flow/{session}/{queue}/{item} URL") && mid.contains("2025"),
            "{mid}"
        );
        let old = era("http://ma:8097/single/Kitchen%20Echo/i1.mp3?ts=1");
        assert!(
            old.contains("/single/{queue}/{item}") && old.contains("2.3"),
            "{old}"
        );
        assert!(era("http://ma:8097/announcement/x.mp3").contains("not a queue stream"));
    }

    #[test]
    fn the_settings_line_says_whether_open_screen_mode_is_on() {
        let summary = |value: &str| {
            let settings = Settings::from_lookup(|name| {
                (name == crate::settings::OPEN_SCREEN).then(|| value.to_owned())
            });
            settings_checks("the environment", &settings, BridgeAt::Setting)[0]
                .message
                .clone()
        };
        assert!(
            summary("true").ends_with(", OPEN_SCREEN on (a now-playing page on Echo Show devices)")
        );
        assert!(summary("").ends_with(", OPEN_SCREEN off"));
        assert!(summary("sometimes").ends_with(", OPEN_SCREEN invalid"));
    }

    #[test]
    fn a_setting_at_fault_is_named_not_its_neighbour() {
        let incomplete = SettingsError::Incomplete {
            present: "API_USERNAME",
            missing: "API_PASSWORD",
        };
        assert_eq!(
            unusable(&incomplete),
            "API_USERNAME is set but API_PASSWORD is not"
        );
        assert_eq!(state(&incomplete), "API_USERNAME set without API_PASSWORD");
        assert_eq!(
            unusable(&SettingsError::Missing {
                name: "MA_HOSTNAME"
            }),
            "MA_HOSTNAME is not set"
        );
    }
}
