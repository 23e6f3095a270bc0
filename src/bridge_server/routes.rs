//! The bridge's endpoints: each a few lines that check the request, touch the store and answer
//! JSON. Every answer, error or not, is a JSON object; errors carry `error`, a sentence that says
//! what to do.
//!
//! | endpoint | answer |
//! |---|---|
//! | `POST /ma/push-url` | `{"status":"ok"}`; 400/413/408 with `error` for a body it cannot take |
//! | `GET /ma/latest-url[?playerId=]` | the latest stream (of that player), or 404 |
//! | `GET /alexa/intents[?locale=]` | the phrases Music Assistant speaks for pause, resume, stop… |
//! | `GET /healthz` | `{"status":"ok","version":…}`, without authentication |
//! | `POST /alexa/skill` | the skill's answer, when `BRIDGE_SKILL_ENDPOINT` is on; signed by Amazon instead of Basic credentials |

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Body;
use hyper::header::{self, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};

use super::auth::{Access, REALM};
use super::intents::Intents;
use super::push::{Push, MAX_PLAYER_ID_LEN};
use super::skill::SkillEndpoint;
use super::store::{Outcome, Store};
use crate::interaction_models::ModelLocale;

/// The skill endpoint's path.
pub const SKILL_PATH: &str = "/alexa/skill";
/// Largest push body accepted. Music Assistant's pushes are well under 2 KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long a push body may take to arrive once its headers have.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest request the skill endpoint accepts (Alexa's requests are a few KiB).
pub const MAX_SKILL_BODY_BYTES: usize = 128 * 1024;

/// Everything the endpoints share: built once at start, shared by every connection.
#[derive(Debug)]
pub struct Bridge {
    store: Arc<Store>,
    access: Access,
    locale: ModelLocale,
    intents: Intents,
    skill: Option<SkillEndpoint>,
}

/// An answer and what the request's log line should say about it.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP response.
    pub response: Response<Full<Bytes>>,
    /// The player the request was about, if any.
    pub player: Option<String>,
    /// A routine request (health checks) that is logged only at debug level.
    pub routine: bool,
}

impl Answer {
    fn new(response: Response<Full<Bytes>>) -> Self {
        Self {
            response,
            player: None,
            routine: false,
        }
    }

    fn for_player(mut self, player: Option<&str>) -> Self {
        self.player = player.map(str::to_owned);
        self
    }
}

impl Bridge {
    /// The bridge over `store`, letting in what `access` allows, answering `/alexa/intents` in
    /// `locale` unless a request asks for another.
    pub fn new(store: Arc<Store>, access: Access, locale: ModelLocale) -> Self {
        Self {
            store,
            access,
            locale,
            intents: Intents::default(),
            skill: None,
        }
    }

    /// The same bridge also serving the skill at `POST /alexa/skill` (see [`SkillEndpoint`]).
    pub fn with_skill(mut self, skill: SkillEndpoint) -> Self {
        self.skill = Some(skill);
        self
    }

    /// The skill endpoint, when it is on.
    pub fn skill(&self) -> Option<&SkillEndpoint> {
        self.skill.as_ref()
    }

    /// Answers one request.
    pub async fn answer<B>(&self, request: Request<B>) -> Answer
    where
        B: Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let path = request.uri().path();
        if path == "/healthz" {
            return health(request.method());
        }
        // Alexa cannot send Basic credentials: the request signature is this path's
        // authentication, checked by the endpoint before anything else.
        if let (SKILL_PATH, Some(skill)) = (path, &self.skill) {
            if request.method() != Method::POST {
                return Answer::new(method_not_allowed("POST"));
            }
            let headers = request.headers().clone();
            return match read_body(request, MAX_SKILL_BODY_BYTES).await {
                Ok(body) => Answer::new(skill.answer(&headers, &body).await),
                // Too large, too slow, broken: Amazon's rule for a web service is a bare 400.
                Err(response) => {
                    tracing::warn!(
                        outcome = "refused",
                        status = response.status().as_u16(),
                        "skill endpoint refused a request whose body could not be read"
                    );
                    Answer::new(SkillEndpoint::bad_request())
                }
            };
        }
        if !self
            .access
            .allows(request.headers().get(header::AUTHORIZATION))
        {
            return Answer::new(unauthorized());
        }
        match path {
            "/ma/push-url" if request.method() == Method::POST => self.push(request).await,
            "/ma/push-url" => Answer::new(method_not_allowed("POST")),
            "/ma/latest-url" if request.method() == Method::GET => {
                self.latest(query_value(request.uri().query(), "playerId").as_deref())
            }
            "/ma/latest-url" => Answer::new(method_not_allowed("GET")),
            "/alexa/intents" if request.method() == Method::GET => {
                self.intents(query_value(request.uri().query(), "locale").as_deref())
            }
            "/alexa/intents" => Answer::new(method_not_allowed("GET")),
            _ => Answer::new(error(
                StatusCode::NOT_FOUND,
                "no such endpoint: this bridge serves POST /ma/push-url, GET /ma/latest-url, GET /alexa/intents and GET /healthz",
            )),
        }
    }

    async fn push<B>(&self, request: Request<B>) -> Answer
    where
        B: Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let body = match read_body(request, MAX_BODY_BYTES).await {
            Ok(body) => body,
            Err(response) => return Answer::new(response),
        };
        match Push::parse(&body) {
            Ok(push) => {
                let pushed = self.store.push(&push);
                if pushed.outcome == Outcome::Superseded {
                    // Music Assistant's late metadata push of the previous stream; it still gets
                    // a 200, as its provider treats anything else as an error.
                    tracing::info!(
                        player = pushed.slot.player().map(|p| clipped(p, MAX_PLAYER_ID_LEN)),
                        stream = %push.stream.id(),
                        "ignored a push of a stream this player has already moved on from"
                    );
                }
                Answer::new(json(
                    StatusCode::OK,
                    Bytes::from_static(br#"{"status":"ok"}"#),
                ))
                .for_player(pushed.slot.player())
            }
            Err(e) => Answer::new(error(StatusCode::BAD_REQUEST, &e.to_string())),
        }
    }

    fn latest(&self, player: Option<&str>) -> Answer {
        let player = player.map(str::trim).filter(|p| !p.is_empty());
        let response = match (self.store.latest(player), player) {
            (Some(reply), _) => {
                let mut response = json(StatusCode::OK, reply);
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
                response
            }
            (None, None) => error(
                StatusCode::NOT_FOUND,
                "nothing has been pushed yet: play something on an Alexa player in Music Assistant (its Alexa provider's API URL must point at this bridge)",
            ),
            (None, Some(player)) => error(
                StatusCode::NOT_FOUND,
                &format!(
                    "nothing has been pushed for player '{}' yet: play something on it in Music Assistant",
                    clipped(player, MAX_PLAYER_ID_LEN)
                ),
            ),
        };
        Answer::new(response).for_player(player.map(|p| clipped(p, MAX_PLAYER_ID_LEN)))
    }

    fn intents(&self, locale: Option<&str>) -> Answer {
        let locale = match locale.map(str::trim).filter(|l| !l.is_empty()) {
            None => self.locale,
            Some(raw) => match ModelLocale::parse(raw) {
                Some(locale) => locale,
                None => {
                    return Answer::new(error(
                        StatusCode::BAD_REQUEST,
                        &format!(
                            "no interaction model for locale '{}': the skill ships {}",
                            clipped(raw, 20),
                            ModelLocale::list()
                        ),
                    ))
                }
            },
        };
        Answer::new(match self.intents.answer(locale) {
            Ok(body) => json(StatusCode::OK, body),
            Err(reason) => error(StatusCode::INTERNAL_SERVER_ERROR, &reason),
        })
    }
}

fn health(method: &Method) -> Answer {
    let response = if method == Method::GET {
        json(
            StatusCode::OK,
            Bytes::from_static(
                concat!(
                    r#"{"status":"ok","version":""#,
                    env!("CARGO_PKG_VERSION"),
                    r#""}"#
                )
                .as_bytes(),
            ),
        )
    } else {
        method_not_allowed("GET")
    };
    Answer {
        routine: true,
        ..Answer::new(response)
    }
}

/// Reads a body: at most `max` bytes, within [`BODY_TIMEOUT`].
async fn read_body<B>(request: Request<B>, max: usize) -> Result<Bytes, Response<Full<Bytes>>>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let too_large = || {
        error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body is larger than {max} bytes"),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > max as u64) {
        return Err(too_large());
    }
    let body = Limited::new(request.into_body(), max);
    match tokio::time::timeout(BODY_TIMEOUT, body.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
        Ok(Err(_)) => Err(error(
            StatusCode::BAD_REQUEST,
            "the body could not be read (the connection broke)",
        )),
        Err(_) => Err(error(
            StatusCode::REQUEST_TIMEOUT,
            &format!(
                "the body did not arrive within {} s",
                BODY_TIMEOUT.as_secs()
            ),
        )),
    }
}

/// At most `max` characters of `text`: what is echoed in answers and logs stays small whatever a
/// client sends.
pub fn clipped(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// The first value of `name` in a query string, decoded.
fn query_value(query: Option<&str>, name: &str) -> Option<String> {
    url::form_urlencoded::parse(query?.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

fn json(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn error(status: StatusCode, message: &str) -> Response<Full<Bytes>> {
    let body = serde_json::json!({ "error": message }).to_string();
    json(status, Bytes::from(body))
}

fn unauthorized() -> Response<Full<Bytes>> {
    let mut response = error(
        StatusCode::UNAUTHORIZED,
        "this bridge needs HTTP Basic credentials: the ones set in BRIDGE_USERNAME and BRIDGE_PASSWORD",
    );
    let challenge = format!("Basic realm=\"{REALM}\"");
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
}

fn method_not_allowed(allowed: &'static str) -> Response<Full<Bytes>> {
    let mut response = error(
        StatusCode::METHOD_NOT_ALLOWED,
        &format!("this endpoint answers {allowed} only"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allowed));
    response
}

#[cfg(test)]
mod tests {
    use secrecy::SecretString;

    use super::*;
    use crate::settings::BasicAuth;

    fn bridge(access: Access) -> Bridge {
        Bridge::new(Arc::new(Store::in_memory()), access, ModelLocale::EN_US)
    }

    async fn call(
        bridge: &Bridge,
        method: &str,
        uri: &str,
        body: &str,
    ) -> (StatusCode, serde_json::Value) {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .body(Full::new(Bytes::from(body.to_owned())))
            .expect("request");
        let answer = bridge.answer(request).await;
        let status = answer.response.status();
        let bytes = answer
            .response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        (
            status,
            serde_json::from_slice(&bytes).expect("every answer is JSON"),
        )
    }

    #[tokio::test]
    async fn push_then_read_back_per_player() {
        let b = bridge(Access::Open);
        let url = "http://10.0.0.2:8097/flow/s/Kitchen%20Echo/i/Kitchen%20Echo.mp3";
        let (status, body) = call(
            &b,
            "POST",
            "/ma/push-url",
            &format!(r#"{{"streamUrl":"{url}"}}"#),
        )
        .await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, serde_json::json!({"status": "ok"}))
        );
        let (status, body) = call(&b, "GET", "/ma/latest-url?playerId=Kitchen%20Echo", "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["streamUrl"], url);
        let (status, body) = call(&b, "GET", "/ma/latest-url?playerId=Bedroom", "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(body["error"]
            .as_str()
            .is_some_and(|e| e.contains("'Bedroom'")));
    }

    #[test]
    fn clipping_keeps_whole_characters() {
        assert_eq!(clipped("Küche", 2), "Kü");
        assert_eq!(clipped("Küche", 10), "Küche");
        assert_eq!(clipped("", 3), "");
    }

    #[tokio::test]
    async fn a_huge_player_id_is_not_echoed_whole() {
        let b = bridge(Access::Open);
        let long = "p".repeat(5000);
        let (status, body) = call(&b, "GET", &format!("/ma/latest-url?playerId={long}"), "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let error = body["error"].as_str().expect("error");
        assert!(error.len() < MAX_PLAYER_ID_LEN + 200, "{}", error.len());
    }

    #[tokio::test]
    async fn wrong_methods_and_paths_get_json_errors() {
        let b = bridge(Access::Open);
        for (method, uri, status) in [
            ("GET", "/ma/push-url", StatusCode::METHOD_NOT_ALLOWED),
            ("POST", "/ma/latest-url", StatusCode::METHOD_NOT_ALLOWED),
            ("DELETE", "/alexa/intents", StatusCode::METHOD_NOT_ALLOWED),
            ("POST", "/healthz", StatusCode::METHOD_NOT_ALLOWED),
            ("GET", "/", StatusCode::NOT_FOUND),
            (
                "GET",
                "/alexa/intents?locale=xx-XX",
                StatusCode::BAD_REQUEST,
            ),
        ] {
            let (got, body) = call(&b, method, uri, "").await;
            assert_eq!(got, status, "{method} {uri}");
            assert!(body["error"].is_string(), "{method} {uri}");
        }
    }

    /// A body whose bytes never come.
    struct Stalled;

    impl Body for Stalled {
        type Data = Bytes;
        type Error = std::convert::Infallible;

        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> std::task::Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
            std::task::Poll::Pending
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_body_that_stalls_is_cut_off() {
        let b = bridge(Access::Open);
        let request = Request::post("/ma/push-url")
            .body(Stalled)
            .expect("request");
        let answer = b.answer(request).await;
        assert_eq!(answer.response.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(b.store.latest(None), None);
    }

    #[tokio::test]
    async fn credentials_guard_everything_but_health() {
        let b = bridge(Access::Basic(BasicAuth {
            username: "u".into(),
            password: SecretString::from("p"),
        }));
        for uri in ["/ma/latest-url", "/alexa/intents", "/nothing-here"] {
            assert_eq!(
                call(&b, "GET", uri, "").await.0,
                StatusCode::UNAUTHORIZED,
                "{uri}"
            );
        }
        assert_eq!(call(&b, "GET", "/healthz", "").await.0, StatusCode::OK);
    }
}
