//! The AWS SDK's HTTP client: the same `reqwest` stack as the bridge and Music Assistant clients
//! (rustls with *ring*, the public web PKI compiled in, HTTP/1.1), plugged into the SDK.
//!
//! The SDK's own client would bring a second connection stack with HTTP/2, and it reads and
//! parses the system's whole certificate bundle when it is first built: about 18 million
//! instructions (some 3 ms) on every cold start that reads settings from SSM, before the first
//! request. This one costs what building a `reqwest` client costs. SSM answers a small JSON body
//! over HTTP/1.1, so nothing is lost; the SDK still signs, retries and times out each attempt.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_runtime_api::http::StatusCode;
use aws_smithy_types::body::SdkBody;

/// An SDK HTTP client on `reqwest`, built on its first request and shared by every connector the
/// SDK asks for (one connection pool per container). No proxy and no redirects, like the SDK's
/// default client; connecting may take `connect_timeout`.
#[derive(Debug, Clone)]
pub struct ReqwestHttpClient {
    connector: SharedHttpConnector,
}

impl ReqwestHttpClient {
    /// A client whose connections must be made within `connect_timeout`.
    pub fn new(connect_timeout: Duration) -> Self {
        Self {
            connector: SharedHttpConnector::new(Connector {
                connect_timeout,
                client: Arc::new(OnceLock::new()),
            }),
        }
    }
}

impl HttpClient for ReqwestHttpClient {
    fn http_connector(
        &self,
        _settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        // The skill sets one connect timeout for every SSM call (see `settings::ssm`); the
        // attempt timeout is the SDK's to enforce, around this connector.
        self.connector.clone()
    }
}

#[derive(Debug)]
struct Connector {
    connect_timeout: Duration,
    client: Arc<OnceLock<Result<reqwest::Client, String>>>,
}

impl Connector {
    fn client(&self) -> Result<reqwest::Client, ConnectorError> {
        self.client
            .get_or_init(|| {
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .pool_idle_timeout(Duration::from_secs(50))
                    .no_proxy()
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| ConnectorError::other(e.into(), None))
    }
}

impl HttpConnector for Connector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let prepared = self.client().and_then(|client| prepare(&client, &request));
        HttpConnectorFuture::new(async move {
            let response = prepared?.send().await.map_err(connector_error)?;
            let status = StatusCode::try_from(response.status().as_u16())
                .map_err(|e| ConnectorError::other(e.into(), None))?;
            let headers = response.headers().clone();
            let body = response.bytes().await.map_err(connector_error)?;
            let mut answer = HttpResponse::new(status, SdkBody::from(body));
            for (name, value) in &headers {
                if let Ok(value) = value.to_str() {
                    answer
                        .headers_mut()
                        .append(name.as_str().to_owned(), value.to_owned());
                }
            }
            Ok(answer)
        })
    }
}

/// The SDK's request as a `reqwest` request. SSM requests carry their whole body in memory; a
/// streaming body is refused rather than half sent.
fn prepare(
    client: &reqwest::Client,
    request: &HttpRequest,
) -> Result<reqwest::RequestBuilder, ConnectorError> {
    let method = reqwest::Method::from_bytes(request.method().as_bytes())
        .map_err(|e| ConnectorError::other(e.into(), None))?;
    let body = request
        .body()
        .bytes()
        .ok_or_else(|| ConnectorError::other("a streaming request body".into(), None))?
        .to_vec();
    let mut builder = client.request(method, request.uri()).body(body);
    for (name, value) in request.headers() {
        builder = builder.header(name, value);
    }
    Ok(builder)
}

/// A `reqwest` failure as the SDK's retry logic and `settings::ssm` read it: timeouts, then
/// failures to connect or to carry the exchange (`io`), then anything else.
fn connector_error(error: reqwest::Error) -> ConnectorError {
    if error.is_timeout() {
        ConnectorError::timeout(error.into())
    } else if error.is_connect() || error.is_request() || error.is_body() {
        ConnectorError::io(error.into())
    } else {
        ConnectorError::other(error.into(), None)
    }
}
