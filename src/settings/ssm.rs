//! Settings from AWS Systems Manager Parameter Store.
//!
//! One `GetParametersByPath` walk (every page, decrypted) under the configured prefix per load.
//! The SDK client is built on the first load and reused; its HTTP client is the skill's own
//! `reqwest` stack ([`super::aws_http`]), so the binary carries one HTTP and TLS stack. Values are held as secrets from the moment
//! they arrive: the SDK's own `Debug` output redacts parameter values, and so does ours.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader};
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use secrecy::SecretString;
use tokio::sync::OnceCell;

use super::aws_http::ReqwestHttpClient;

/// Connecting to SSM may take at most this long.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);
/// One attempt of one page may take at most this long.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1500);
/// Attempts per page (the first and one retry, for throttling or a dropped connection).
const MAX_ATTEMPTS: u32 = 2;

/// Why the parameters could not be read. Each names the call and the path; none carries a
/// parameter value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SsmError {
    /// The function's role may not read the path (or decrypt with its key).
    #[error("ssm:GetParametersByPath on {path} was denied ({message}): the function's role needs ssm:GetParametersByPath on the path and kms:Decrypt for its key")]
    AccessDenied {
        /// The parameter path.
        path: String,
        /// AWS's explanation.
        message: String,
    },
    /// SSM throttled the call, retries included.
    #[error("ssm:GetParametersByPath on {path} was throttled ({message})")]
    Throttled {
        /// The parameter path.
        path: String,
        /// AWS's explanation.
        message: String,
    },
    /// Something the call needs does not exist (the KMS key, a parameter, the path).
    #[error("ssm:GetParametersByPath on {path} failed: {code} ({message})")]
    NotFound {
        /// The parameter path.
        path: String,
        /// AWS's error code (`ParameterNotFound`, `InvalidKeyId`...).
        code: String,
        /// AWS's explanation.
        message: String,
    },
    /// No connection to the SSM endpoint.
    #[error("could not reach SSM for GetParametersByPath on {path}: {detail}")]
    Unreachable {
        /// The parameter path.
        path: String,
        /// The transport error.
        detail: String,
    },
    /// No answer in time.
    #[error("ssm:GetParametersByPath on {path} did not answer within {waited_ms} ms")]
    TimedOut {
        /// The parameter path.
        path: String,
        /// How long the skill waited.
        waited_ms: u64,
    },
    /// Any other failure (credentials, region, an unexpected error code).
    #[error("ssm:GetParametersByPath on {path} failed: {detail}")]
    Other {
        /// The parameter path.
        path: String,
        /// What went wrong.
        detail: String,
    },
}

impl SsmError {
    /// A short stable name for log lines and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::AccessDenied { .. } => "ssm_access_denied",
            Self::Throttled { .. } => "ssm_throttled",
            Self::NotFound { .. } => "ssm_not_found",
            Self::Unreachable { .. } => "ssm_unreachable",
            Self::TimedOut { .. } => "ssm_timeout",
            Self::Other { .. } => "ssm_failed",
        }
    }
}

/// Adjusts the SDK configuration before it is loaded (tests aim it at a local endpoint).
pub type Configure = Box<dyn Fn(ConfigLoader) -> ConfigLoader + Send + Sync>;

/// Reads the parameters under one path.
pub struct SsmReader {
    path: String,
    configure: Configure,
    client: OnceCell<aws_sdk_ssm::Client>,
    calls: AtomicU64,
}

impl fmt::Debug for SsmReader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SsmReader")
            .field("path", &self.path)
            .field("calls", &self.calls())
            .finish_non_exhaustive()
    }
}

/// The parameters found, by name relative to the path (`API_HOSTNAME`).
pub type Parameters = HashMap<String, SecretString>;

impl SsmReader {
    /// A reader for `prefix` (`/ma-alexa-skill`; the leading slash is added when missing) with
    /// the SDK configured from the environment: region, credentials and `AWS_ENDPOINT_URL`.
    pub fn new(prefix: &str) -> Result<Self, String> {
        Self::configured(prefix, Box::new(|loader| loader))
    }

    /// A reader whose SDK configuration `configure` adjusts.
    pub fn configured(prefix: &str, configure: Configure) -> Result<Self, String> {
        let trimmed = prefix.trim().trim_end_matches('/');
        if trimmed.is_empty() {
            return Err("the parameter prefix is empty".into());
        }
        if trimmed.contains(char::is_whitespace) {
            return Err(format!("the parameter prefix '{prefix}' contains spaces"));
        }
        let path = if trimmed.starts_with('/') {
            trimmed.to_owned()
        } else {
            format!("/{trimmed}")
        };
        Ok(Self {
            path,
            configure,
            client: OnceCell::new(),
            calls: AtomicU64::new(0),
        })
    }

    /// The parameter path, `/ma-alexa-skill`.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// How many `GetParametersByPath` requests (pages) this reader has made.
    pub fn calls(&self) -> u64 {
        self.calls.load(Ordering::Relaxed)
    }

    async fn client(&self) -> &aws_sdk_ssm::Client {
        self.client
            .get_or_init(|| async {
                let loader = aws_config::defaults(BehaviorVersion::latest())
                    .http_client(ReqwestHttpClient::new(CONNECT_TIMEOUT))
                    .timeout_config(
                        TimeoutConfig::builder()
                            .connect_timeout(CONNECT_TIMEOUT)
                            .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                            .build(),
                    )
                    .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
                let config = (self.configure)(loader).load().await;
                aws_sdk_ssm::Client::new(&config)
            })
            .await
    }

    /// Every parameter directly under the path, decrypted, all pages, with the client's usual
    /// time limits (a short attempt, one retry).
    pub async fn read(&self) -> Result<Parameters, SsmError> {
        self.read_within(None).await
    }

    /// The same, each page's attempt allowed `attempt` when given instead of the usual
    /// [`ATTEMPT_TIMEOUT`] (a first load, with nothing to fall back on, may use what the
    /// invocation has left).
    pub async fn read_within(&self, attempt: Option<Duration>) -> Result<Parameters, SsmError> {
        let client = self.client().await;
        let mut found = Parameters::new();
        let mut next_token: Option<String> = None;
        loop {
            self.calls.fetch_add(1, Ordering::Relaxed);
            let request = client
                .get_parameters_by_path()
                .path(&self.path)
                .recursive(false)
                .with_decryption(true)
                .set_next_token(next_token.take());
            let page = match attempt {
                None => request.send().await,
                Some(attempt) => {
                    let timeouts = TimeoutConfig::builder()
                        .connect_timeout(CONNECT_TIMEOUT)
                        .operation_attempt_timeout(attempt)
                        .build();
                    request
                        .customize()
                        .config_override(
                            aws_sdk_ssm::config::Builder::default().timeout_config(timeouts),
                        )
                        .send()
                        .await
                }
            }
            .map_err(|e| self.classify(e))?;
            for parameter in page.parameters.unwrap_or_default() {
                let (Some(name), Some(value)) = (parameter.name, parameter.value) else {
                    continue;
                };
                let relative = name
                    .strip_prefix(&self.path)
                    .map(|n| n.trim_start_matches('/'))
                    .unwrap_or(&name)
                    .to_owned();
                found.insert(relative, SecretString::from(value));
            }
            match page.next_token {
                Some(token) if !token.is_empty() => next_token = Some(token),
                _ => return Ok(found),
            }
        }
    }

    fn classify<E, R>(&self, error: SdkError<E, R>) -> SsmError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
        R: fmt::Debug,
    {
        let path = self.path.clone();
        match &error {
            SdkError::ServiceError(service) => {
                let e = service.err();
                let code = e.code().unwrap_or("UnknownError").to_owned();
                let message = e.message().unwrap_or("no message").to_owned();
                match code.as_str() {
                    "AccessDeniedException"
                    | "AccessDenied"
                    | "UnrecognizedClientException"
                    | "KMSAccessDeniedException" => SsmError::AccessDenied { path, message },
                    "ThrottlingException" | "TooManyRequestsException" => {
                        SsmError::Throttled { path, message }
                    }
                    "ParameterNotFound"
                    | "InvalidKeyId"
                    | "KMSNotFoundException"
                    | "ResourceNotFoundException" => SsmError::NotFound {
                        path,
                        code,
                        message,
                    },
                    _ => SsmError::Other {
                        path,
                        detail: format!("{code} ({message})"),
                    },
                }
            }
            SdkError::TimeoutError(_) => SsmError::TimedOut {
                path,
                waited_ms: u64::try_from(ATTEMPT_TIMEOUT.as_millis()).unwrap_or(u64::MAX),
            },
            SdkError::DispatchFailure(failure) if failure.is_timeout() => SsmError::TimedOut {
                path,
                waited_ms: u64::try_from(CONNECT_TIMEOUT.as_millis()).unwrap_or(u64::MAX),
            },
            SdkError::DispatchFailure(failure) if failure.is_io() => SsmError::Unreachable {
                path,
                detail: crate::error_chain(&error),
            },
            _ => SsmError::Other {
                path,
                detail: crate::error_chain(&error),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_normalised() {
        for (raw, want) in [
            ("/ma-alexa-skill", "/ma-alexa-skill"),
            ("ma-alexa-skill", "/ma-alexa-skill"),
            ("/ma-alexa-skill/", "/ma-alexa-skill"),
            (" /home/alexa/ ", "/home/alexa"),
        ] {
            assert_eq!(SsmReader::new(raw).expect("valid").path(), want, "{raw:?}");
        }
    }

    #[test]
    fn empty_or_spaced_prefixes_are_refused() {
        for raw in ["", "/", "  ", "/ma alexa"] {
            assert!(SsmReader::new(raw).is_err(), "{raw:?}");
        }
    }
}
