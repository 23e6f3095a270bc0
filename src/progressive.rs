//! Alexa's Progressive Response API: something short said while the skill is still working.
//!
//! `POST {context.System.apiEndpoint}/v1/directives`, `Authorization: Bearer
//! {context.System.apiAccessToken}`, a `VoicePlayer.Speak` directive naming the request
//! ([`crate::alexa::progressive`]). Amazon answers 204 when it takes it, and 400, 401, 403, 429
//! or 5xx when not; it takes up to five per request, this skill sends at most one. Reference:
//! <https://developer.amazon.com/en-US/docs/alexa/custom-skills/send-the-user-a-progressive-response.html>.
//!
//! Where the call goes is the request's to say, so it is checked first ([`ApiEndpoint::check`]):
//! only `https://` on a host ending in `.amazonalexa.com`, or `http://` on 127.0.0.1 or `[::1]`
//! (a stand-in for tests and local runs). The token goes nowhere else: no redirect is followed,
//! and it is only ever taken out of its secret box for the `Authorization` header.
//!
//! [`ProgressiveResponses`] is the face the skill sees (a stand-in in tests); [`AlexaApiClient`]
//! is the real one, built once per container and reused. Whether and when to send is the skill's
//! decision (`skill::progressive`); this module only delivers and reports, it never chooses words.
//!
//! A test build (the `test-trust` feature, which only the crate's own dev-dependency turns on)
//! calls loopback endpoints only: the sample events name `https://api.amazonalexa.com`, and the
//! test suite never leaves 127.0.0.1. Release builds call Amazon.

use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::time::Duration;

use url::{Host, Url};

use crate::alexa::envelope::ApiAccessToken;
use crate::alexa::progressive::ProgressiveResponse;
use crate::http::LazyClient;
use crate::logging;

/// The longest a progressive response may take, connecting included: it is only worth
/// anything before the answer, which must not wait for it long.
pub const SEND_TIMEOUT: Duration = Duration::from_millis(1000);
/// The path of the directives endpoint, relative to `apiEndpoint`.
const DIRECTIVES_PATH: &str = "v1/directives";
/// The suffix of the hosts of Alexa's API (`api.amazonalexa.com`, `api.eu.amazonalexa.com`,
/// `api.fe.amazonalexa.com`).
const ALEXA_API_DOMAIN: &str = ".amazonalexa.com";

/// An `apiEndpoint` the skill may send the token to (see [`ApiEndpoint::check`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiEndpoint(Url);

/// Why an `apiEndpoint` gets no call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EndpointRefused {
    /// Not a URL at all.
    #[error("the apiEndpoint is not a URL")]
    NotUrl,
    /// A URL, but not Alexa's API (nor a loopback stand-in).
    #[error("the apiEndpoint {shown} is neither https on a host ending in .amazonalexa.com nor http on 127.0.0.1 or [::1]: no progressive response is sent there")]
    NotAlexa {
        /// Scheme, host and port, capped for the log (never a path, a query or credentials).
        shown: String,
    },
}

impl ApiEndpoint {
    /// `raw` when it is Alexa's API: `https://` on a host ending in `.amazonalexa.com` on the
    /// default port, or `http://127.0.0.1:<port>` / `http://[::1]:<port>`; with no user name,
    /// password, path, query or fragment either way.
    pub fn check(raw: &str) -> Result<Self, EndpointRefused> {
        let url = Url::parse(raw).map_err(|_| EndpointRefused::NotUrl)?;
        let bare = url.username().is_empty()
            && url.password().is_none()
            && url.query().is_none()
            && url.fragment().is_none()
            && url.path() == "/";
        let alexa = match (url.scheme(), url.host()) {
            ("https", Some(Host::Domain(host))) => {
                host.ends_with(ALEXA_API_DOMAIN) && url.port().is_none()
            }
            ("http", Some(Host::Ipv4(ip))) => ip == Ipv4Addr::LOCALHOST,
            ("http", Some(Host::Ipv6(ip))) => ip == Ipv6Addr::LOCALHOST,
            _ => false,
        };
        if bare && alexa {
            Ok(Self(url))
        } else {
            let shown = format!("{}://{}", url.scheme(), crate::authority(&url));
            Err(EndpointRefused::NotAlexa {
                shown: logging::capped(&shown, logging::MAX_FIELD_CHARS).into_owned(),
            })
        }
    }

    /// Whether it is a loopback stand-in rather than Amazon.
    pub fn is_loopback(&self) -> bool {
        self.0.scheme() == "http"
    }

    /// `host[:port]`, for messages.
    pub fn host(&self) -> String {
        crate::authority(&self.0)
    }

    /// `{apiEndpoint}/v1/directives`.
    fn directives(&self) -> Result<Url, url::ParseError> {
        self.0.join(DIRECTIVES_PATH)
    }
}

/// What became of one progressive response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// Amazon took it (2xx; 204 is what it answers).
    Accepted {
        /// The status.
        status: u16,
    },
    /// Amazon answered another status (400, 401, 403, 429, 5xx).
    Status {
        /// The status.
        status: u16,
    },
    /// No answer within the time it had.
    TimedOut,
    /// No connection, or it broke.
    Unreachable(String),
    /// Not sent: why (the HTTP client could not be set up, a test build's refusal to leave
    /// loopback).
    NotSent(String),
}

/// A future a [`ProgressiveResponses`] hands back.
pub type Sending<'a> = Pin<Box<dyn Future<Output = Delivery> + Send + 'a>>;

/// Where the skill sends progressive responses. [`AlexaApiClient`] is the real one. One call is
/// one attempt: it never retries, and it is over within `budget`.
pub trait ProgressiveResponses: std::fmt::Debug + Send + Sync {
    /// Sends `response` to `endpoint` with `token`, taking at most `budget`.
    fn send<'a>(
        &'a self,
        endpoint: &'a ApiEndpoint,
        token: &'a ApiAccessToken,
        response: &'a ProgressiveResponse,
        budget: Duration,
    ) -> Sending<'a>;
}

/// Alexa's API over HTTPS (rustls, the public roots), built on first use and kept for the
/// container, so that a warm container reuses its connection.
#[derive(Debug)]
pub struct AlexaApiClient {
    http: LazyClient,
}

impl Default for AlexaApiClient {
    fn default() -> Self {
        Self {
            http: LazyClient::with_connect_timeout(SEND_TIMEOUT),
        }
    }
}

impl AlexaApiClient {
    /// A client; nothing is built until the first progressive response.
    pub fn new() -> Self {
        Self::default()
    }

    async fn post(
        &self,
        endpoint: &ApiEndpoint,
        token: &ApiAccessToken,
        response: &ProgressiveResponse,
        budget: Duration,
    ) -> Delivery {
        if cfg!(feature = "test-trust") && !endpoint.is_loopback() {
            return Delivery::NotSent(format!(
                "a test build sends progressive responses to loopback only, not to {}",
                endpoint.host()
            ));
        }
        let url = match endpoint.directives() {
            Ok(url) => url,
            Err(e) => return Delivery::NotSent(e.to_string()),
        };
        let body = match serde_json::to_vec(response) {
            Ok(body) => body,
            Err(e) => return Delivery::NotSent(e.to_string()),
        };
        let client = match self.http.get() {
            Ok(client) => client,
            Err(e) => {
                return Delivery::NotSent(format!("the HTTP client could not be set up: {e}"))
            }
        };
        let sent = client
            .post(url)
            .timeout(budget)
            .bearer_auth(token.expose())
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        match sent {
            Ok(reply) if reply.status().is_success() => Delivery::Accepted {
                status: reply.status().as_u16(),
            },
            Ok(reply) => Delivery::Status {
                status: reply.status().as_u16(),
            },
            Err(e) if e.is_timeout() => Delivery::TimedOut,
            // The message names the URL (the endpoint's host and path), never a header.
            Err(e) => Delivery::Unreachable(
                logging::capped(&crate::error_chain(&e), logging::MAX_FIELD_CHARS).into_owned(),
            ),
        }
    }
}

impl ProgressiveResponses for AlexaApiClient {
    fn send<'a>(
        &'a self,
        endpoint: &'a ApiEndpoint,
        token: &'a ApiAccessToken,
        response: &'a ProgressiveResponse,
        budget: Duration,
    ) -> Sending<'a> {
        Box::pin(self.post(endpoint, token, response, budget))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alexas_api_and_loopback_are_called() {
        for raw in [
            "https://api.amazonalexa.com",
            "https://api.amazonalexa.com/",
            "https://api.eu.amazonalexa.com",
            "https://api.fe.amazonalexa.com",
            "https://API.AmazonAlexa.com",
            "https://api.amazonalexa.com:443",
            "http://127.0.0.1:8123",
            "http://127.0.0.1",
            "http://[::1]:9000",
        ] {
            let endpoint = ApiEndpoint::check(raw).unwrap_or_else(|e| panic!("{raw}: {e}"));
            assert_eq!(
                endpoint.directives().expect("joins").path(),
                "/v1/directives",
                "{raw}"
            );
        }
        assert!(ApiEndpoint::check("http://127.0.0.1:1")
            .expect("ok")
            .is_loopback());
        assert!(!ApiEndpoint::check("https://api.amazonalexa.com")
            .expect("ok")
            .is_loopback());
    }

    #[test]
    fn anything_else_gets_no_call() {
        for raw in [
            "",
            "api.amazonalexa.com",
            "http://api.amazonalexa.com",
            "https://amazonalexa.com",
            "https://api.amazonalexa.com.evil.example",
            "https://evilamazonalexa.com",
            "https://api.amazonalexa.com:8443",
            "https://user:pw@api.amazonalexa.com",
            "https://api.amazonalexa.com/other",
            "https://api.amazonalexa.com/?x=1",
            "https://api.amazonalexa.com/#x",
            "https://54.239.28.85",
            "http://127.0.0.2:80",
            "http://localhost:8080",
            "http://192.168.1.20:8095",
            "https://127.0.0.1:8443",
            "ftp://api.amazonalexa.com",
            "file:///etc/passwd",
        ] {
            assert!(ApiEndpoint::check(raw).is_err(), "{raw}");
        }
        let refused = ApiEndpoint::check("https://user:secret@evil.example:444/path?token=t")
            .expect_err("refused")
            .to_string();
        assert!(refused.contains("https://evil.example:444"), "{refused}");
        assert!(
            !refused.contains("secret") && !refused.contains("token=") && !refused.contains("path"),
            "{refused}"
        );
    }
}
