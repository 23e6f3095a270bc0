//! Log set-up, done once in `main`.
//!
//! JSON lines inside Lambda (CloudWatch Logs Insights reads the fields), readable text on a
//! developer's machine, both on stderr so `invoke` keeps stdout for the response. `RUST_LOG`
//! picks the level (default `info`): a level, or `target=level` pairs separated by commas.
//! Whatever it says, the Lambda runtime's target is held at `debug`: at `trace` it prints every
//! raw event, which carries Amazon's `apiAccessToken`. (Release builds leave every `trace!` out
//! anyway: see `Cargo.toml`.)

use tracing::{Level, Subscriber};
use tracing_subscriber::filter::{filter_fn, FilterExt, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{Layer, Registry};

/// How log lines look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (inside Lambda).
    Json,
    /// Human-readable text (local runs).
    Text,
}

/// Targets whose `trace` events may carry raw events: never written.
const TRACE_CAPPED: [&str; 1] = ["lambda_runtime"];

/// Where the Lambda runtime reports handler errors and panics.
const RUNTIME_HANDLER_ERRORS: &str = "lambda_runtime::layers::panic";

/// The level when `RUST_LOG` is unset or invalid, for every target.
const DEFAULT_LEVEL: Level = Level::INFO;

fn default_filter() -> Targets {
    Targets::new().with_default(DEFAULT_LEVEL)
}

/// A subscriber writing to `writer` with `filter` (a `RUST_LOG` directive string; an invalid
/// one falls back to the default).
pub fn subscriber<W>(
    filter: Option<&str>,
    format: LogFormat,
    writer: W,
) -> impl Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let env_filter = filter
        .and_then(|f| f.parse::<Targets>().ok())
        .unwrap_or_else(default_filter);
    let runtime_cap = filter_fn(|meta| {
        let trace_of_raw_data = *meta.level() == Level::TRACE
            && TRACE_CAPPED
                .iter()
                .any(|prefix| meta.target().starts_with(prefix));
        // The Lambda runtime logs every failed invocation at ERROR (`error!("{error:?}")`), which
        // reads like a crash; the skill fails one only to refuse an event, and logs that refusal
        // itself as a warning with its reason. Its panic report (with an `error` field) stays.
        let runtime_echo_of_a_refusal = meta.target() == RUNTIME_HANDLER_ERRORS
            && meta.is_event()
            && meta.fields().field("error").is_none();
        !(trace_of_raw_data || runtime_echo_of_a_refusal)
    });
    let fmt_layer: Box<dyn Layer<Registry> + Send + Sync> = match format {
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .with_writer(writer)
            .boxed(),
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(writer)
            .boxed(),
    };
    Registry::default().with(fmt_layer.with_filter(env_filter.and(runtime_cap)))
}

/// Installs the process-wide subscriber: `RUST_LOG` from the environment, output on stderr.
pub fn init(format: LogFormat) {
    let filter = std::env::var("RUST_LOG").ok();
    let subscriber = subscriber(filter.as_deref(), format, std::io::stderr);
    // Fails only if a subscriber is already installed, which then keeps logging.
    let _ = tracing::subscriber::set_global_default(subscriber);
    if let Some(Err(e)) = filter.as_deref().map(str::parse::<Targets>) {
        let level = DEFAULT_LEVEL.as_str().to_ascii_lowercase();
        tracing::warn!("RUST_LOG is invalid ({e}); logging at {level}");
    }
}

/// The most characters of one outside-supplied log field (a request id, a slot value, an error
/// body): enough to recognise it, too few for a request to flood the log.
pub const MAX_FIELD_CHARS: usize = 200;

/// `text` cut to `max` characters (an ellipsis marks a cut).
pub fn capped(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => std::borrow::Cow::Borrowed(text),
        Some((end, _)) => std::borrow::Cow::Owned(format!("{}…", &text[..end])),
    }
}

/// Outside text (an error body, a parser's complaint quoting it) made safe to log: every
/// occurrence of a known secret (`secrets`; empty ones are skipped) replaced by `[redacted]`,
/// then cut to `max` characters. A hostile server that echoes the request's `Authorization`
/// header cannot get the token into the log this way.
pub fn scrubbed(text: &str, secrets: &[&str], max: usize) -> String {
    let mut clean = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        if clean.contains(secret) {
            clean = clean.replace(secret, "[redacted]");
        }
    }
    capped(&clean, max).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_cuts_on_character_boundaries() {
        assert_eq!(capped("short", 10), "short");
        assert_eq!(capped("ééééé", 3), "ééé…");
        assert_eq!(capped("", 0), "");
    }

    #[test]
    fn scrubbed_removes_secrets_before_cutting() {
        let token = "eyJhbGciOiJIUzI1NiJ9.secret";
        let body = format!("{}Authorization: Bearer {token}", "x".repeat(190));
        let clean = scrubbed(&body, &[token], 200);
        assert!(!clean.contains("eyJhbGci"), "{clean}");
        assert_eq!(
            scrubbed("a Bearer abcd and abcd", &["abcd", ""], 200),
            "a Bearer [redacted] and [redacted]"
        );
    }
}
