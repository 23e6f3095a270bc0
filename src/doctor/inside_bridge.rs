//! `ma-alexa-bridge doctor [--json]`: the doctor from inside the bridge's container, which has no
//! shell and no Rust toolchain, so the bridge's own binary runs the checks.
//!
//! It reads the settings as the bridge does: the bridge's own (`BRIDGE_*`), and with
//! `BRIDGE_SKILL_ENDPOINT=true` the skill's too. There the skill reads the bridge's streams in
//! the same process, so `API_HOSTNAME` is not needed: the doctor calls the bridge where it
//! listens (`BRIDGE_LISTEN`, with `0.0.0.0` or `[::]` made loopback) with the bridge's own
//! credentials, then checks every other hop as `ma-alexa-skill doctor` does. With `PUBLIC_URL`
//! set (`https://DOMAIN`) it also checks the hops Alexa and the Echo take from the internet
//! ([`super::public`]). Without the skill endpoint (the skill in AWS Lambda) it checks the bridge
//! and the public name; `ma-alexa-skill doctor` checks the skill's side.

use std::process::ExitCode;
use std::time::Instant;

use super::public::PUBLIC_URL;
use super::{BridgeAt, Check, Doctor, Report, RUN_BUDGET};
use crate::bridge_server::config::BridgeConfig;
use crate::deadline::Deadline;
use crate::settings::source::SettingsSource;
use crate::settings::{BridgeSettings, Settings, SettingsError};

/// The name of the check of the bridge's own settings.
const BRIDGE_SETTINGS: &str = "bridge settings";

/// `ma-alexa-bridge doctor [--json]` with `args` after `doctor`: runs the checks with the
/// process's settings, prints the report (JSON with `--json`) and exits 0 when no check failed,
/// 1 when one did (2 for arguments it does not take).
pub fn command(args: &[String]) -> ExitCode {
    let json = match args {
        [] => false,
        [flag] if flag == "--json" => true,
        _ => {
            eprintln!("usage: ma-alexa-bridge doctor [--json]");
            return ExitCode::from(2);
        }
    };
    super::init_logging();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("ma-alexa-bridge: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(from_env()).print(json, "ma-alexa-bridge")
}

/// The checks with the process's settings, as the bridge reads them.
async fn from_env() -> Report {
    let config = BridgeConfig::from_env();
    let skill_settings = match &config {
        // As the bridge loads them: the skill reads this bridge, whatever API_HOSTNAME says.
        Ok(config) if config.skill_endpoint => {
            Some(crate::bridge_server::skill::settings_source(config))
        }
        _ => None,
    };
    let public_url = std::env::var(PUBLIC_URL).ok();
    doctor_from_env()
        .run_inside_bridge(&config, skill_settings.as_ref(), public_url.as_deref())
        .await
}

/// The doctor of a release build: it trusts the public roots only.
#[cfg(not(feature = "test-trust"))]
fn doctor_from_env() -> Doctor {
    Doctor::new()
}

/// The doctor of a test build: as a release build's, unless the test that started the bridge
/// set [`TEST_TRUST_ROOT`] (and [`TEST_CONNECT`]). Compiled only with the `test-trust` feature,
/// which release builds never enable: there these variables are not even read.
#[cfg(feature = "test-trust")]
fn doctor_from_env() -> Doctor {
    use base64::Engine as _;
    let Ok(pem) = std::env::var(TEST_TRUST_ROOT) else {
        return Doctor::new();
    };
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let Ok(root) = base64::engine::general_purpose::STANDARD.decode(body.trim()) else {
        tracing::warn!("TEST-TRUST: {TEST_TRUST_ROOT} is not a PEM certificate; trusting the public roots only");
        return Doctor::new();
    };
    let connect = std::env::var(TEST_CONNECT).ok().and_then(|value| {
        let (host, address) = value.split_once('=')?;
        Some((
            host.to_owned(),
            address.parse::<std::net::SocketAddr>().ok()?,
        ))
    });
    match connect {
        Some((host, address)) => Doctor::trusting_at(&[root], &host, address),
        None => Doctor::trusting(&[root]),
    }
}

/// Test builds only: a test certificate authority (PEM) the doctor trusts besides the public
/// roots, as [`Doctor::trusting`].
#[cfg(feature = "test-trust")]
pub const TEST_TRUST_ROOT: &str = "MA_ALEXA_TEST_TRUST_ROOT";
/// Test builds only: `host=ip:port`, where the doctor connects for URLs naming `host` without a
/// port, as [`Doctor::trusting_at`].
#[cfg(feature = "test-trust")]
pub const TEST_CONNECT: &str = "MA_ALEXA_TEST_CONNECT";

impl Doctor {
    /// Runs the checks from inside the bridge: `config` is the bridge's settings (or why it
    /// cannot start), `skill_settings` the skill's when the bridge serves it, `public_url` the
    /// `PUBLIC_URL` setting. The local checks and the public ones run side by side, within
    /// [`RUN_BUDGET`].
    pub async fn run_inside_bridge(
        mut self,
        config: &Result<BridgeConfig, SettingsError>,
        skill_settings: Option<&SettingsSource>,
        public_url: Option<&str>,
    ) -> Report {
        let started = Instant::now();
        let deadline = Deadline::after(RUN_BUDGET);
        let config = match config {
            Ok(config) => config,
            Err(problem) => {
                let check = Check::fail(
                    BRIDGE_SETTINGS,
                    format!("the bridge cannot start: {problem}"),
                    format!(
                        "set {} as `ma-alexa-bridge --help` describes, then restart the bridge",
                        problem.name()
                    ),
                );
                return Report::of(vec![check], started);
            }
        };
        self.bridge_at = BridgeAt::Own {
            listen: config.listen,
        };
        self.skill_endpoint = config.skill_endpoint;
        let doctor = &self;
        let local = async move {
            let mut checks = bridge_settings_checks(config);
            let Some(own) = own_bridge(config) else {
                checks.push(Check::fail(
                    "bridge",
                    format!("no URL for the bridge's own address {}", config.listen),
                    "report this as a bug",
                ));
                return checks;
            };
            match skill_settings.filter(|_| config.skill_endpoint) {
                Some(source) => {
                    checks.extend(doctor.skill_side(source, Some(&own), None, deadline).await);
                }
                None => {
                    if own.credentials.is_none() {
                        checks.extend(super::open_bridge(config.listen));
                    }
                    let mut settings = Settings::from_lookup(|_| None);
                    settings.bridge = Ok(own);
                    checks.extend(doctor.bridge(&settings, deadline).await.0);
                    checks.push(Check::skip(
                        "skill",
                        "not checked here: BRIDGE_SKILL_ENDPOINT is off, so the skill runs in AWS Lambda (ma-alexa-skill doctor, or the function's test event {\"doctor\": true}, checks its side)",
                    ));
                }
            }
            checks
        };
        let public = doctor.public(public_url, config.skill_endpoint, deadline);
        let (mut checks, public) = tokio::join!(local, public);
        checks.extend(public);
        Report::of(checks, started)
    }
}

/// The bridge's own settings, and the notes it logs at start.
fn bridge_settings_checks(config: &BridgeConfig) -> Vec<Check> {
    let set = |present: bool| if present { "set" } else { "not set" };
    let mut checks = vec![Check::pass(
        BRIDGE_SETTINGS,
        format!(
            "BRIDGE_LISTEN {}, BRIDGE_USERNAME/BRIDGE_PASSWORD {}, BRIDGE_LOCALE {}, BRIDGE_STATE_FILE {}, BRIDGE_SKILL_ENDPOINT {}; {}",
            config.listen,
            set(!config.access.is_open()),
            config.locale,
            config.state_file.display(),
            if config.skill_endpoint {
                "on: the bridge serves the skill, which reads the bridge's streams in-process"
            } else {
                "off: the skill runs in AWS Lambda"
            },
            open_screen_mode(config.open_screen),
        ),
    )];
    for note in &config.notes {
        checks.push(Check::warn(
            BRIDGE_SETTINGS,
            note.clone(),
            "change the setting the note names, then restart the bridge",
        ));
    }
    checks
}

/// What the doctor says of open-screen mode (`OPEN_SCREEN`).
fn open_screen_mode(on: bool) -> &'static str {
    if on {
        "open-screen mode: on (OPEN_SCREEN): new streams, pause and resume go to the skill's open screen on an Echo Show when Music Assistant allows it"
    } else {
        "open-screen mode: off (OPEN_SCREEN): Music Assistant speaks every command"
    }
}

/// The bridge as the doctor beside it calls it: its listening address (an unspecified one made
/// loopback) over plain http, with its own credentials.
fn own_bridge(config: &BridgeConfig) -> Option<BridgeSettings> {
    Some(config.own_bridge())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> BridgeConfig {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        BridgeConfig::from_lookup(|name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        })
        .expect("valid")
    }

    #[test]
    fn the_bridge_is_called_where_it_listens_with_its_own_credentials() {
        let own = own_bridge(&config(&[("BRIDGE_LISTEN", "0.0.0.0:5000")])).expect("url");
        assert_eq!(own.base.as_str(), "http://127.0.0.1:5000/");
        assert!(own.credentials.is_none());
        let own = own_bridge(&config(&[
            ("BRIDGE_LISTEN", "[::]:5001"),
            ("BRIDGE_USERNAME", "alexa"),
            ("BRIDGE_PASSWORD", "hunter2"),
        ]))
        .expect("url");
        assert_eq!(own.base.as_str(), "http://[::1]:5001/");
        assert_eq!(
            own.credentials.map(|c| c.username).as_deref(),
            Some("alexa")
        );
        let own = own_bridge(&config(&[("BRIDGE_LISTEN", "192.168.1.5:5000")])).expect("url");
        assert_eq!(own.base.as_str(), "http://192.168.1.5:5000/");
    }

    #[test]
    fn the_bridge_settings_line_shows_no_secret_and_each_note_warns() {
        let checks = bridge_settings_checks(&config(&[
            ("BRIDGE_USERNAME", "alexa"),
            ("BRIDGE_PASSWORD", "hunter2"),
            ("PORT", "3000"),
        ]));
        let text = format!("{checks:?}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            checks[0]
                .message
                .contains("BRIDGE_USERNAME/BRIDGE_PASSWORD set"),
            "{text}"
        );
        assert_eq!(checks.len(), 2, "{text}");
        assert!(checks[1].message.contains("PORT=3000"), "{text}");
    }

    #[test]
    fn the_bridge_settings_line_says_whether_open_screen_mode_is_on() {
        let off = bridge_settings_checks(&config(&[]));
        assert!(
            off[0].message.contains("open-screen mode: off"),
            "{}",
            off[0].message
        );
        let on = bridge_settings_checks(&config(&[("OPEN_SCREEN", "true")]));
        assert!(
            on[0].message.contains("open-screen mode: on"),
            "{}",
            on[0].message
        );
    }
}
