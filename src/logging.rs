//! Log set-up, done once in `main`.
//!
//! JSON lines inside Lambda (CloudWatch Logs Insights reads the fields), readable text on a
//! developer's machine, both on stderr so `invoke` keeps stdout for the response. `RUST_LOG`
//! picks the level (default `info`). Whatever it says, the Lambda runtime's and the AWS SDK's
//! targets are held at `debug`: at `trace` the runtime prints every raw event (which carries
//! Amazon's `apiAccessToken`) and the SDK prints whole HTTP responses when
//! `LOG_SENSITIVE_BODIES=true` (which would carry decrypted SSM parameters).

use tracing::{Level, Subscriber};
use tracing_subscriber::filter::{filter_fn, EnvFilter, FilterExt};
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

/// Targets whose `trace` events may carry raw events or response bodies: never written.
const TRACE_CAPPED: [&str; 5] = [
    "lambda_runtime",
    "aws_smithy_runtime",
    "aws_sdk_",
    "aws_runtime",
    "aws_config",
];

/// The default filter when `RUST_LOG` is unset.
const DEFAULT_FILTER: &str = "info";

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
        .and_then(|f| EnvFilter::try_new(f).ok())
        .unwrap_or_else(|| EnvFilter::new(DEFAULT_FILTER));
    let runtime_cap = filter_fn(|meta| {
        !(*meta.level() == Level::TRACE
            && TRACE_CAPPED
                .iter()
                .any(|prefix| meta.target().starts_with(prefix)))
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
    if let Some(Err(e)) = filter.as_deref().map(EnvFilter::try_new) {
        tracing::warn!("RUST_LOG is invalid ({e}); logging at {DEFAULT_FILTER}");
    }
}
