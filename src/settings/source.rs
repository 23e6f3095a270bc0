//! Where the settings come from, and how long they are kept.
//!
//! Without `SSM_PARAMETER_PREFIX` the settings are the environment's, read once. With it, they
//! are the parameters under that prefix in SSM Parameter Store, loaded on the first request that
//! needs them and kept for `CONFIG_TTL_SECONDS` (default 300): warm invocations inside the TTL
//! make no SSM call. Environment variables with a setting's name override SSM, for local runs
//! and tests. A refresh that fails keeps the last good settings (and tries again after a short
//! pause), so it keeps to a short budget; a first load has nothing to fall back on, so it may use
//! whatever the invocation's deadline leaves after keeping time for the answer, and one that
//! fails is an error the user hears about.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use secrecy::ExposeSecret;
use tokio::sync::Mutex;

use super::ssm::{SsmError, SsmReader};
use super::{BridgeSettings, Settings, ALL};
use crate::deadline::Deadline;

/// Turns SSM on: the parameter path, `/ma-alexa-skill`.
pub const SSM_PARAMETER_PREFIX: &str = "SSM_PARAMETER_PREFIX";
/// How long loaded settings are kept, in seconds.
pub const CONFIG_TTL_SECONDS: &str = "CONFIG_TTL_SECONDS";
/// The TTL when `CONFIG_TTL_SECONDS` is unset.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);
/// The longest TTL `CONFIG_TTL_SECONDS` may ask for: a day.
pub const MAX_TTL: Duration = Duration::from_secs(24 * 60 * 60);
/// The longest a refresh may take, even when the deadline allows more (a first load may take
/// what the deadline leaves after [`KEPT_FOR_THE_ANSWER`], and at least this).
pub const SSM_BUDGET: Duration = Duration::from_millis(2500);
/// After a failed refresh, the next try waits at most this long (or the TTL, if shorter).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(30);

/// The settings of the container, as of now.
#[derive(Debug)]
pub struct SettingsSource {
    kind: Kind,
    ttl: Duration,
    cache: Mutex<Option<Loaded>>,
    /// The bridge when the skill runs inside it ([`Settings::inside_bridge`]), for every load.
    own_bridge: Option<BridgeSettings>,
}

#[derive(Debug)]
enum Kind {
    Fixed(Arc<Settings>),
    Ssm {
        reader: SsmReader,
        overrides: HashMap<String, String>,
    },
}

#[derive(Debug)]
struct Loaded {
    settings: Arc<Settings>,
    refresh_at: Instant,
}

impl SettingsSource {
    /// Settings that never change (the environment's, or a test's). Each problem is logged once
    /// as a warning: a setting only some requests need is not an error for the others, and a
    /// request that does need it logs the problem with its answer.
    pub fn fixed(settings: Settings) -> Self {
        for problem in settings.problems() {
            tracing::warn!(setting = problem.name(), "{problem}");
        }
        Self {
            kind: Kind::Fixed(Arc::new(settings)),
            ttl: Duration::MAX,
            cache: Mutex::new(None),
            own_bridge: None,
        }
    }

    /// SSM parameters read by `reader`, overridden by `overrides`, kept for `ttl`.
    pub fn ssm(reader: SsmReader, overrides: HashMap<String, String>, ttl: Duration) -> Self {
        Self {
            kind: Kind::Ssm { reader, overrides },
            ttl,
            cache: Mutex::new(None),
            own_bridge: None,
        }
    }

    /// What the process environment asks for: SSM under `SSM_PARAMETER_PREFIX` when it is set
    /// (a prefix that cannot be used is reported and the environment alone is used), else the
    /// environment alone.
    pub fn from_env() -> Self {
        Self::from_env_with(None)
    }

    /// What the process environment asks for, for the skill served inside the bridge: as
    /// [`Self::from_env`], with `own` as the bridge in every load ([`Settings::inside_bridge`]).
    pub fn from_env_inside_bridge(own: BridgeSettings) -> Self {
        Self::from_env_with(Some(own))
    }

    /// This source for the skill served inside the bridge: `own` is the bridge in every load
    /// ([`Settings::inside_bridge`]).
    pub fn inside_bridge(self, own: BridgeSettings) -> Self {
        match self.kind {
            Kind::Fixed(settings) => Self::fixed(Arc::unwrap_or_clone(settings).inside_bridge(own)),
            Kind::Ssm { .. } => Self {
                own_bridge: Some(own),
                ..self
            },
        }
    }

    fn from_env_with(own: Option<BridgeSettings>) -> Self {
        let environment = || {
            let settings = Settings::from_env();
            match &own {
                Some(own) => settings.inside_bridge(own.clone()),
                None => settings,
            }
        };
        let prefix = std::env::var(SSM_PARAMETER_PREFIX)
            .ok()
            .filter(|p| !p.trim().is_empty());
        let Some(prefix) = prefix else {
            return Self::fixed(environment());
        };
        let reader = match SsmReader::new(&prefix) {
            Ok(reader) => reader,
            Err(reason) => {
                tracing::error!(setting = SSM_PARAMETER_PREFIX, "setting {SSM_PARAMETER_PREFIX} is invalid: {reason}; using the environment only");
                return Self::fixed(environment());
            }
        };
        let overrides = ALL
            .iter()
            .filter_map(|name| {
                let value = std::env::var(name).ok()?;
                (!value.trim().is_empty()).then(|| ((*name).to_owned(), value))
            })
            .collect();
        let source = Self::ssm(reader, overrides, ttl_from_env());
        match own {
            Some(own) => source.inside_bridge(own),
            None => source,
        }
    }

    /// Where the settings come from, for people: `the environment`, or `SSM /prefix` and the
    /// names the environment overrides.
    pub fn describe(&self) -> String {
        match &self.kind {
            Kind::Fixed(_) => "the environment".into(),
            Kind::Ssm { reader, overrides } if overrides.is_empty() => {
                format!("SSM {}", reader.path())
            }
            Kind::Ssm { reader, overrides } => {
                let mut names: Vec<&str> = overrides.keys().map(String::as_str).collect();
                names.sort_unstable();
                format!(
                    "SSM {} (overridden by the environment: {})",
                    reader.path(),
                    names.join(", ")
                )
            }
        }
    }

    /// How many SSM requests were made so far (zero without SSM).
    pub fn ssm_calls(&self) -> u64 {
        match &self.kind {
            Kind::Fixed(_) => 0,
            Kind::Ssm { reader, .. } => reader.calls(),
        }
    }

    /// The settings to serve this request with, loading or refreshing them when due.
    pub async fn current(&self, deadline: Deadline) -> Result<Arc<Settings>, SsmError> {
        let (reader, overrides) = match &self.kind {
            Kind::Fixed(settings) => return Ok(Arc::clone(settings)),
            Kind::Ssm { reader, overrides } => (reader, overrides),
        };
        let mut cache = self.cache.lock().await;
        if let Some(loaded) = cache.as_ref() {
            if Instant::now() < loaded.refresh_at {
                return Ok(Arc::clone(&loaded.settings));
            }
        }
        let started = Instant::now();
        // A refresh has the last good settings to fall back on and keeps to the usual short
        // budget; a first load has nothing else and may use what the invocation can spare.
        let budget = if cache.is_some() {
            Budget::Refresh
        } else {
            Budget::FirstLoad
        };
        match load(reader, overrides, deadline, budget).await {
            Ok(settings) => {
                let settings = Arc::new(match &self.own_bridge {
                    Some(own) => settings.inside_bridge(own.clone()),
                    None => settings,
                });
                tracing::info!(
                    path = reader.path(),
                    ssm_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    refresh = cache.is_some(),
                    "settings loaded from SSM"
                );
                for problem in settings.problems() {
                    tracing::warn!(setting = problem.name(), path = reader.path(), "{problem}");
                }
                *cache = Some(Loaded {
                    settings: Arc::clone(&settings),
                    refresh_at: later(self.ttl),
                });
                Ok(settings)
            }
            Err(error) => match cache.as_mut() {
                Some(stale) => {
                    stale.refresh_at = later(self.ttl.min(RETRY_AFTER_FAILURE));
                    tracing::warn!(
                        error_kind = error.kind(),
                        error = %error,
                        "refreshing the settings failed; serving the last good ones"
                    );
                    Ok(Arc::clone(&stale.settings))
                }
                None => Err(error),
            },
        }
    }
}

/// How long a load may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Budget {
    /// At most [`SSM_BUDGET`], usual attempts.
    Refresh,
    /// What the deadline leaves after [`KEPT_FOR_THE_ANSWER`], one attempt may use all of it.
    FirstLoad,
}

/// What a first load leaves of the deadline for the request itself (the bridge, the answer).
pub const KEPT_FOR_THE_ANSWER: Duration = Duration::from_millis(1500);

async fn load(
    reader: &SsmReader,
    overrides: &HashMap<String, String>,
    deadline: Deadline,
    budget: Budget,
) -> Result<Settings, SsmError> {
    let (budget, read) = match budget {
        Budget::Refresh => (
            SSM_BUDGET.min(deadline.remaining()),
            reader.read_within(None),
        ),
        Budget::FirstLoad => {
            let budget = deadline
                .remaining()
                .saturating_sub(KEPT_FOR_THE_ANSWER)
                .max(SSM_BUDGET.min(deadline.remaining()));
            (budget, reader.read_within(Some(budget)))
        }
    };
    let parameters =
        tokio::time::timeout(budget, read)
            .await
            .map_err(|_| SsmError::TimedOut {
                path: reader.path().to_owned(),
                waited_ms: u64::try_from(budget.as_millis()).unwrap_or(u64::MAX),
            })??;
    let mut unknown: Vec<&str> = parameters
        .keys()
        .map(String::as_str)
        .filter(|name| !ALL.contains(name))
        .collect();
    if !unknown.is_empty() {
        unknown.sort_unstable();
        tracing::warn!(
            path = reader.path(),
            "ignoring parameters this skill does not know: {}",
            unknown.join(", ")
        );
    }
    Ok(Settings::from_lookup(|name| {
        overrides.get(name).cloned().or_else(|| {
            parameters
                .get(name)
                .map(|value| value.expose_secret().to_owned())
        })
    }))
}

fn ttl_from_env() -> Duration {
    let raw = std::env::var(CONFIG_TTL_SECONDS).ok();
    parse_ttl(raw.as_deref()).unwrap_or_else(|reason| {
        tracing::error!(
            setting = CONFIG_TTL_SECONDS,
            "setting {CONFIG_TTL_SECONDS} is invalid: {reason}; using {} seconds",
            DEFAULT_TTL.as_secs()
        );
        DEFAULT_TTL
    })
}

/// `CONFIG_TTL_SECONDS`: whole seconds from 0 to [`MAX_TTL`]; unset or blank is [`DEFAULT_TTL`].
fn parse_ttl(raw: Option<&str>) -> Result<Duration, String> {
    let Some(raw) = raw.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(DEFAULT_TTL);
    };
    let shown: String = raw.chars().take(40).collect();
    let seconds = raw
        .parse::<u64>()
        .map_err(|_| format!("'{shown}' is not a whole number of seconds"))?;
    if seconds > MAX_TTL.as_secs() {
        return Err(format!(
            "{seconds} seconds is more than the maximum of {} (a day)",
            MAX_TTL.as_secs()
        ));
    }
    Ok(Duration::from_secs(seconds))
}

/// `now + after`, or a time so far ahead it never comes when that cannot be represented.
fn later(after: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(after)
        .or_else(|| now.checked_add(MAX_TTL))
        .unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ttl_is_whole_seconds_up_to_a_day() {
        assert_eq!(parse_ttl(None), Ok(DEFAULT_TTL));
        assert_eq!(parse_ttl(Some("  ")), Ok(DEFAULT_TTL));
        assert_eq!(parse_ttl(Some("0")), Ok(Duration::ZERO));
        assert_eq!(parse_ttl(Some(" 60 ")), Ok(Duration::from_secs(60)));
        assert_eq!(parse_ttl(Some("86400")), Ok(MAX_TTL));
        for bad in [
            "86401",
            "9223372036854775808",
            "18446744073709551615",
            "-1",
            "5m",
            "1e3",
        ] {
            let reason = parse_ttl(Some(bad)).expect_err(bad);
            assert!(!reason.is_empty(), "{bad}");
        }
        assert!(parse_ttl(Some("99999999999999999999999"))
            .expect_err("too big")
            .contains("whole number"));
    }

    #[test]
    fn an_unrepresentable_refresh_time_never_panics() {
        assert!(later(Duration::MAX) > Instant::now());
        assert!(later(Duration::from_secs(1)) > Instant::now());
    }
}
