//! Settings from AWS Systems Manager Parameter Store.
//!
//! One `GetParametersByPath` walk (every page, decrypted) under the configured prefix per load,
//! over the skill's own HTTPS client (`reqwest`, rustls with *ring*, the public web PKI compiled
//! in) and signed with AWS Signature Version 4 ([`super::sigv4`]). Region, credentials and
//! endpoint are found like the AWS SDKs find them ([`super::aws`]).
//!
//! The skill calls one operation of one service, so it does so without the AWS SDK: the SDK's
//! configuration loader, credential chain and HTTP stack were most of the binary and, on a cold
//! start with settings from SSM, most of the time before the first answer. What the skill relied
//! on is kept: each attempt has a time limit, a throttled, failed (5xx) or dropped attempt is
//! tried once more, and failures are told apart for the doctor and the logs. Values are held as
//! secrets from the moment they arrive; no value, key or token is ever logged or shown.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;

use secrecy::SecretString;
use serde::Deserialize;

use super::aws::Target;
use crate::http::{self, LazyClient, ReadError};

/// Connecting to SSM may take at most this long.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);
/// One attempt of one page may take at most this long.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(1500);
/// Attempts per page (the first and one retry, for throttling or a dropped connection).
const MAX_ATTEMPTS: u32 = 2;
/// Before the retry: a short pause, so a throttled call is not repeated at once.
const RETRY_PAUSE: Duration = Duration::from_millis(50);
/// A page larger than this is refused (a page holds at most ten parameters of 8 KB).
const MAX_PAGE_BYTES: usize = 1024 * 1024;
/// More pages than this means the endpoint keeps answering with a next page: stop.
const MAX_PAGES: usize = 100;
/// The one operation the skill calls.
const OPERATION: &str = "GetParametersByPath";

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

/// Where the reader finds its SSM endpoint, region and credentials.
enum Access {
    /// The environment and the shared config files, on every load (see [`super::aws`]).
    FromEnvironment,
    /// Given (tests aim the reader at a local endpoint).
    Fixed(Box<Target>),
}

/// Reads the parameters under one path.
pub struct SsmReader {
    path: String,
    access: Access,
    http: LazyClient,
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
    /// A reader for `prefix` (`/ma-alexa-skill`; the leading slash is added when missing) that
    /// finds region, credentials and endpoint (`AWS_ENDPOINT_URL`) in the environment.
    pub fn new(prefix: &str) -> Result<Self, String> {
        Self::with_access(prefix, Access::FromEnvironment)
    }

    /// A reader that calls `target`.
    pub fn aimed(prefix: &str, target: Target) -> Result<Self, String> {
        Self::with_access(prefix, Access::Fixed(Box::new(target)))
    }

    fn with_access(prefix: &str, access: Access) -> Result<Self, String> {
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
            access,
            http: LazyClient::with_connect_timeout(CONNECT_TIMEOUT),
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

    /// Every parameter directly under the path, decrypted, all pages, each attempt allowed
    /// the usual [`ATTEMPT_TIMEOUT`].
    pub async fn read(&self) -> Result<Parameters, SsmError> {
        self.read_within(None).await
    }

    /// The same, each page's attempt allowed `attempt` when given instead of the usual
    /// [`ATTEMPT_TIMEOUT`] (a first load, with nothing to fall back on, may use what the
    /// invocation has left).
    pub async fn read_within(&self, attempt: Option<Duration>) -> Result<Parameters, SsmError> {
        let from_env;
        let target = match &self.access {
            Access::Fixed(target) => &**target,
            Access::FromEnvironment => {
                from_env = Target::from_env().map_err(|detail| SsmError::Other {
                    path: self.path.clone(),
                    detail,
                })?;
                &from_env
            }
        };
        let attempt = attempt.unwrap_or(ATTEMPT_TIMEOUT);
        let mut found = Parameters::new();
        let mut next_token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self.page(target, next_token.take(), attempt).await?;
            for parameter in page.parameters {
                let (Some(name), Some(value)) = (parameter.name, parameter.value) else {
                    continue;
                };
                let relative = name
                    .strip_prefix(&self.path)
                    .map(|n| n.trim_start_matches('/'))
                    .unwrap_or(&name)
                    .to_owned();
                found.insert(relative, value);
            }
            match page.next_token {
                Some(token) if !token.is_empty() => next_token = Some(token),
                _ => return Ok(found),
            }
        }
        Err(SsmError::Other {
            path: self.path.clone(),
            detail: format!("more than {MAX_PAGES} pages of parameters"),
        })
    }

    /// One page, retried once when the failure may pass.
    async fn page(
        &self,
        target: &Target,
        next_token: Option<String>,
        attempt: Duration,
    ) -> Result<Page, SsmError> {
        let body = serde_json::json!({
            "Path": self.path,
            "Recursive": false,
            "WithDecryption": true,
            "NextToken": next_token,
        });
        let body = Bytes::from(body.to_string());
        let mut tries = 0;
        loop {
            tries += 1;
            self.calls.fetch_add(1, Ordering::Relaxed);
            match self.attempt(target, &body, attempt).await {
                Err(Failure::Transient(_)) if tries < MAX_ATTEMPTS => {
                    tokio::time::sleep(RETRY_PAUSE).await;
                }
                Err(Failure::Transient(error) | Failure::Final(error)) => return Err(error),
                Ok(page) => return Ok(page),
            }
        }
    }

    /// One signed request.
    async fn attempt(
        &self,
        target: &Target,
        body: &Bytes,
        attempt: Duration,
    ) -> Result<Page, Failure> {
        let path = || self.path.clone();
        let client = self.http.get().map_err(|detail| {
            Failure::Final(SsmError::Other {
                path: path(),
                detail,
            })
        })?;
        let builder = target
            .request(client, OPERATION, body.clone())
            .timeout(attempt);
        let waited = |connecting: bool| SsmError::TimedOut {
            path: path(),
            waited_ms: http::millis(if connecting { CONNECT_TIMEOUT } else { attempt }),
        };
        let transport = |error: reqwest::Error| {
            Failure::Transient(if error.is_timeout() {
                waited(error.is_connect())
            } else {
                SsmError::Unreachable {
                    path: path(),
                    detail: crate::error_chain(&error),
                }
            })
        };
        let mut response = builder.send().await.map_err(transport)?;
        let status = response.status().as_u16();
        let error_type = response
            .headers()
            .get("x-amzn-errortype")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let bytes = match http::read_capped(&mut response, MAX_PAGE_BYTES).await {
            Ok(bytes) => bytes,
            Err(ReadError::Transport(error)) => return Err(transport(error)),
            Err(ReadError::TooLarge(max)) => {
                return Err(Failure::Final(SsmError::Other {
                    path: path(),
                    detail: format!("the reply is larger than {max} bytes"),
                }))
            }
        };
        if (200..300).contains(&status) {
            return serde_json::from_slice::<Page>(&bytes).map_err(|e| {
                Failure::Final(SsmError::Other {
                    path: path(),
                    // Where the parser stopped, never what it read: serde quotes the value it
                    // did not expect, and a page holds decrypted values.
                    detail: format!(
                        "the reply is not a GetParametersByPath page ({:?} error at line {}, \
                         column {})",
                        e.classify(),
                        e.line(),
                        e.column()
                    ),
                })
            });
        }
        let error = AwsError::read(status, error_type.as_deref(), &bytes);
        let transient = status >= 500 || error.is_throttling();
        let error = error.into_ssm_error(path());
        Err(if transient {
            Failure::Transient(error)
        } else {
            Failure::Final(error)
        })
    }
}

/// A failed attempt: worth one more try, or not.
enum Failure {
    Transient(SsmError),
    Final(SsmError),
}

/// One page of a `GetParametersByPath` reply.
#[derive(Deserialize)]
struct Page {
    #[serde(rename = "Parameters", default)]
    parameters: Vec<Parameter>,
    #[serde(rename = "NextToken", default)]
    next_token: Option<String>,
}

/// A parameter: its full name and its (decrypted) value, held as a secret from the start.
#[derive(Deserialize)]
struct Parameter {
    #[serde(rename = "Name", default)]
    name: Option<String>,
    #[serde(rename = "Value", default, deserialize_with = "secret")]
    value: Option<SecretString>,
}

fn secret<'de, D: serde::Deserializer<'de>>(from: D) -> Result<Option<SecretString>, D::Error> {
    Ok(Option::<String>::deserialize(from)?.map(SecretString::from))
}

/// An error reply of an AWS JSON API: `{"__type": "…#Code", "message": "…"}`.
#[derive(Debug)]
struct AwsError {
    status: u16,
    code: String,
    message: String,
}

impl AwsError {
    fn read(status: u16, error_type: Option<&str>, body: &[u8]) -> Self {
        #[derive(Deserialize, Default)]
        struct Body {
            #[serde(rename = "__type", default)]
            kind: Option<String>,
            #[serde(alias = "Message", default)]
            message: Option<String>,
        }
        let parsed: Body = serde_json::from_slice(body).unwrap_or_default();
        // `com.amazonaws.ssm#AccessDeniedException`, or `Code:http://…` in the header.
        let code = parsed
            .kind
            .as_deref()
            .or(error_type)
            .map(|t| t.rsplit('#').next().unwrap_or(t))
            .map(|t| t.split(':').next().unwrap_or(t).trim().to_owned())
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| format!("HTTP{status}"));
        let message = parsed
            .message
            .map(|m| crate::logging::capped(&m, crate::logging::MAX_FIELD_CHARS).into_owned())
            .unwrap_or_else(|| "no message".into());
        Self {
            status,
            code,
            message,
        }
    }

    fn is_throttling(&self) -> bool {
        matches!(
            self.code.as_str(),
            "ThrottlingException"
                | "TooManyRequestsException"
                | "Throttling"
                | "RequestLimitExceeded"
                | "ThrottledException"
        ) || self.status == 429
    }

    fn into_ssm_error(self, path: String) -> SsmError {
        let throttled = self.is_throttling();
        let Self { code, message, .. } = self;
        match code.as_str() {
            "AccessDeniedException"
            | "AccessDenied"
            | "UnrecognizedClientException"
            | "InvalidSignatureException"
            | "ExpiredTokenException"
            | "KMSAccessDeniedException" => SsmError::AccessDenied { path, message },
            _ if throttled => SsmError::Throttled { path, message },
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
