//! The bridge's endpoints: each a few lines that check the request, touch the store and answer
//! JSON. Every answer, error or not, is a JSON object; errors carry `error`, a sentence that says
//! what to do.
//!
//! | endpoint | answer |
//! |---|---|
//! | `POST /ma/push-url` | `{"status":"ok"}`; with `OPEN_SCREEN` on and `"canSkipSpeech": true`, `{"status":"ok","pageLive":…}` (the player's open page took the stream within [`HANDOFF_WAIT`]); 400/413/408 with `error` for a body it cannot take |
//! | `GET /ma/latest-url[?playerId=]` | the latest stream (of that player), or 404 |
//! | `POST /ma/control` | `{"status":"ok","pageLive":…}`: the pause or resume reached the player's open page within [`CONTROL_WAIT`]; 404 with `error` when `OPEN_SCREEN` is off, 400 for a body it cannot take |
//! | `POST /ma/screen` | a page's beat: the commands waiting for it and the player's stream ([`BeatReply`]); 404 when `OPEN_SCREEN` is off, 400 for a body it cannot take |
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

use tokio::time::Instant;

use super::auth::{Access, REALM};
use super::control::{parse_beat, Control};
use super::intents::Intents;
use super::push::{Push, MAX_PLAYER_ID_LEN};
use super::screens::{Command, Screens, CONTROL_WAIT, HANDOFF_WAIT};
use super::skill::SkillEndpoint;
use super::store::{Outcome, Store};
use crate::bridge::screen::{BeatReply, BEAT_PATH};
use crate::bridge::LatestReply;
use crate::interaction_models::ModelLocale;

/// The skill endpoint's path.
pub const SKILL_PATH: &str = "/alexa/skill";
/// Largest push body accepted. Music Assistant's pushes are well under 2 KiB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
/// How long a push body may take to arrive once its headers have.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// Music Assistant's pause and resume for an open page (open-screen mode).
pub const CONTROL_PATH: &str = "/ma/control";
/// What `POST /ma/control` and `POST /ma/screen` answer while open-screen mode is off.
const OPEN_SCREEN_OFF: &str = "open-screen mode is off on this bridge: set OPEN_SCREEN=true (the add-on's open_screen option) and restart it to hand pause, resume and new streams to the skill's open screen on an Echo Show";

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
    /// The open pages, when open-screen mode is on.
    screens: Option<Arc<Screens>>,
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
            screens: None,
        }
    }

    /// The same bridge with open-screen mode on: play pushes that say `canSkipSpeech` and
    /// `POST /ma/control` hand their command to the player's open page in `screens`, whose beats
    /// come to `POST /ma/screen`.
    pub fn with_screens(mut self, screens: Arc<Screens>) -> Self {
        self.screens = Some(screens);
        self
    }

    /// The open pages, when open-screen mode is on.
    pub fn screens(&self) -> Option<&Arc<Screens>> {
        self.screens.as_ref()
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
        // Hand-offs wait from here: Music Assistant's timeout runs from when it sent the request.
        let arrived = Instant::now();
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
            "/ma/push-url" if request.method() == Method::POST => {
                self.push(request, arrived).await
            }
            "/ma/push-url" => Answer::new(method_not_allowed("POST")),
            "/ma/latest-url" if request.method() == Method::GET => {
                self.latest(query_value(request.uri().query(), "playerId").as_deref())
            }
            "/ma/latest-url" => Answer::new(method_not_allowed("GET")),
            "/alexa/intents" if request.method() == Method::GET => {
                self.intents(query_value(request.uri().query(), "locale").as_deref())
            }
            "/alexa/intents" => Answer::new(method_not_allowed("GET")),
            CONTROL_PATH | BEAT_PATH => {
                let Some(screens) = &self.screens else {
                    return Answer::new(error(StatusCode::NOT_FOUND, OPEN_SCREEN_OFF));
                };
                if request.method() != Method::POST {
                    return Answer::new(method_not_allowed("POST"));
                }
                if path == CONTROL_PATH {
                    self.control(screens, request, arrived).await
                } else {
                    self.beat(screens, request).await
                }
            }
            _ => Answer::new(error(
                StatusCode::NOT_FOUND,
                "no such endpoint: this bridge serves POST /ma/push-url, GET /ma/latest-url, GET /alexa/intents and GET /healthz (and with OPEN_SCREEN on POST /ma/control and POST /ma/screen)",
            )),
        }
    }

    async fn push<B>(&self, request: Request<B>, arrived: Instant) -> Answer
    where
        B: Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let push = match read_parsed(request, Push::parse).await {
            Ok(push) => push,
            Err(refused) => return refused,
        };
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
        let body = match &self.screens {
            // Old Music Assistant versions and metadata pushes see exactly what they
            // always did: no `pageLive` key.
            Some(screens) if push.can_skip_speech => {
                let page_live = match (pushed.outcome, push.player()) {
                    // A stream the player has moved on from is never played again.
                    (Outcome::Superseded, _) | (_, None) => false,
                    (_, Some(player)) => {
                        let stream = self.slot_stream(&push, pushed.slot.player());
                        screens
                            .hand_off(player, Command::Play(stream), arrived + HANDOFF_WAIT)
                            .await
                    }
                };
                page_live_body(page_live)
            }
            _ => Bytes::from_static(br#"{"status":"ok"}"#),
        };
        Answer::new(json(StatusCode::OK, body)).for_player(pushed.slot.player())
    }

    /// What the page is to play for `push`: its slot's stream, as `GET /ma/latest-url?playerId=`
    /// serves it (the push's own fields should the slot be gone).
    fn slot_stream(&self, push: &Push, slot: Option<&str>) -> LatestReply {
        slot.and_then(|player| self.store.latest_stream(Some(player)))
            .unwrap_or_else(|| LatestReply {
                stream_url: Some(push.stream_url.clone()),
                title: push.title.clone().flatten(),
                artist: push.artist.clone().flatten(),
                album: push.album.clone().flatten(),
                image_url: push.image_url.clone().flatten(),
            })
    }

    /// `POST /ma/control`: Music Assistant's pause or resume, handed to the player's open page.
    async fn control<B>(&self, screens: &Screens, request: Request<B>, arrived: Instant) -> Answer
    where
        B: Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let control = match read_parsed(request, Control::parse).await {
            Ok(control) => control,
            Err(refused) => return refused,
        };
        // Without canSkipSpeech Music Assistant speaks the command anyway: the page must not
        // also carry it out.
        let page_live = control.can_skip_speech
            && screens
                .hand_off(
                    &control.player_id,
                    control.command.clone(),
                    arrived + CONTROL_WAIT,
                )
                .await;
        Answer::new(json(StatusCode::OK, page_live_body(page_live)))
            .for_player(Some(&control.player_id))
    }

    /// `POST /ma/screen`: a page's beat.
    async fn beat<B>(&self, screens: &Screens, request: Request<B>) -> Answer
    where
        B: Body<Data = Bytes>,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let beat = match read_parsed(request, parse_beat).await {
            Ok(beat) => beat,
            Err(refused) => return refused,
        };
        let player = beat.player_id.clone();
        let now = self.store.latest_stream(Some(&player));
        let reply: BeatReply = screens.beat(beat, now);
        let mut response = match serde_json::to_vec(&reply) {
            Ok(bytes) => json(StatusCode::OK, Bytes::from(bytes)),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        };
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        Answer {
            routine: true,
            ..Answer::new(response).for_player(Some(&player))
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

/// `{"status":"ok","pageLive":…}`.
fn page_live_body(page_live: bool) -> Bytes {
    Bytes::from_static(if page_live {
        br#"{"status":"ok","pageLive":true}"#
    } else {
        br#"{"status":"ok","pageLive":false}"#
    })
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

/// Reads a Music Assistant or skill body (at most [`MAX_BODY_BYTES`]) and parses it; what cannot
/// be read or parsed is the answer: 400 naming the problem (413/408 for the body itself).
async fn read_parsed<B, T, E: std::fmt::Display>(
    request: Request<B>,
    parse: impl FnOnce(&[u8]) -> Result<T, E>,
) -> Result<T, Answer>
where
    B: Body<Data = Bytes>,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let body = read_body(request, MAX_BODY_BYTES)
        .await
        .map_err(Answer::new)?;
    parse(&body).map_err(|e| Answer::new(error(StatusCode::BAD_REQUEST, &e.to_string())))
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

    const MA_PLAY: &str = r#"{"streamUrl": "http://ma/flow/1.mp3", "title": "t", "artist": null, "album": null, "imageUrl": null, "playerId": "Kitchen Echo", "canSkipSpeech": true}"#;

    fn open_screen_bridge() -> Bridge {
        bridge(Access::Open).with_screens(Arc::new(Screens::starting_at(100)))
    }

    #[tokio::test]
    async fn with_the_mode_off_pushes_answer_as_always_and_the_new_endpoints_are_404() {
        let b = bridge(Access::Open);
        let (status, body) = call(&b, "POST", "/ma/push-url", MA_PLAY).await;
        assert_eq!(
            (status, body),
            (StatusCode::OK, serde_json::json!({"status": "ok"}))
        );
        for path in [CONTROL_PATH, BEAT_PATH] {
            for method in ["POST", "GET"] {
                let (status, body) = call(&b, method, path, "{}").await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
                assert!(
                    body["error"]
                        .as_str()
                        .is_some_and(|e| e.contains("OPEN_SCREEN=true")),
                    "{body}"
                );
            }
        }
    }

    #[tokio::test(start_paused = true)]
    async fn with_the_mode_on_only_a_push_that_can_skip_speech_says_page_live() {
        let b = open_screen_bridge();
        // A metadata push, and an old Music Assistant's play push: no pageLive key.
        for body in [
            r#"{"streamUrl": "http://ma/flow/1.mp3", "title": "t", "artist": "a"}"#,
            r#"{"streamUrl": "http://ma/flow/1.mp3", "playerId": "Kitchen Echo"}"#,
            r#"{"streamUrl": "http://ma/flow/1.mp3", "playerId": "Kitchen Echo", "canSkipSpeech": "true"}"#,
        ] {
            let (status, answer) = call(&b, "POST", "/ma/push-url", body).await;
            assert_eq!(
                (status, answer),
                (StatusCode::OK, serde_json::json!({"status": "ok"})),
                "{body}"
            );
        }
        // No page: false, at once.
        let started = Instant::now();
        let (status, answer) = call(&b, "POST", "/ma/push-url", MA_PLAY).await;
        assert_eq!(
            (status, answer),
            (
                StatusCode::OK,
                serde_json::json!({"status": "ok", "pageLive": false})
            )
        );
        assert_eq!(started.elapsed(), Duration::ZERO);
        let (status, answer) = call(
            &b,
            "POST",
            CONTROL_PATH,
            r#"{"playerId": "Kitchen Echo", "command": "pause", "canSkipSpeech": true}"#,
        )
        .await;
        assert_eq!(
            (status, answer),
            (
                StatusCode::OK,
                serde_json::json!({"status": "ok", "pageLive": false})
            )
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_live_page_that_takes_the_stream_makes_the_push_page_live() {
        let b = Arc::new(open_screen_bridge());
        let (_, beat) = call(&b, "POST", BEAT_PATH, r#"{"playerId": "Kitchen Echo"}"#).await;
        assert_eq!(beat, serde_json::json!({"commands": [], "now": null}));
        let push = {
            let b = Arc::clone(&b);
            tokio::spawn(async move { call(&b, "POST", "/ma/push-url", MA_PLAY).await })
        };
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        let (status, beat) = call(&b, "POST", BEAT_PATH, r#"{"playerId": "Kitchen Echo"}"#).await;
        assert_eq!(status, StatusCode::OK);
        let stream = serde_json::json!({"streamUrl": "http://ma/flow/1.mp3", "title": "t", "artist": null, "album": null, "imageUrl": null});
        assert_eq!(
            beat,
            serde_json::json!({"commands": [{"command": "play", "seq": 100, "stream": stream}], "now": stream})
        );
        call(
            &b,
            "POST",
            BEAT_PATH,
            r#"{"playerId": "Kitchen Echo", "taken": 100}"#,
        )
        .await;
        let (status, answer) = push.await.expect("joined");
        assert_eq!(
            (status, answer),
            (
                StatusCode::OK,
                serde_json::json!({"status": "ok", "pageLive": true})
            )
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_superseded_push_is_never_handed_to_the_page() {
        let b = open_screen_bridge();
        let play = |session: &str| {
            format!(
                r#"{{"streamUrl": "http://10.0.0.2:8097/flow/{session}/Kitchen%20Echo/i1/Kitchen%20Echo.mp3", "playerId": "Kitchen Echo", "canSkipSpeech": true}}"#
            )
        };
        for session in ["s1", "s2"] {
            call(&b, "POST", "/ma/push-url", &play(session)).await;
        }
        call(&b, "POST", BEAT_PATH, r#"{"playerId": "Kitchen Echo"}"#).await;
        let started = Instant::now();
        let (status, answer) = call(&b, "POST", "/ma/push-url", &play("s1")).await;
        assert_eq!(
            (status, answer),
            (
                StatusCode::OK,
                serde_json::json!({"status": "ok", "pageLive": false})
            )
        );
        assert_eq!(started.elapsed(), Duration::ZERO);
        let (_, beat) = call(&b, "POST", BEAT_PATH, r#"{"playerId": "Kitchen Echo"}"#).await;
        assert_eq!(beat["commands"], serde_json::json!([]));
        assert!(beat["now"]["streamUrl"]
            .as_str()
            .is_some_and(|u| u.contains("/s2/")));
    }

    #[tokio::test]
    async fn bad_control_and_beat_bodies_are_400_naming_the_field() {
        let b = open_screen_bridge();
        for (path, body, field) in [
            (CONTROL_PATH, r#"{"command": "pause"}"#, "playerId"),
            (
                CONTROL_PATH,
                r#"{"playerId": "p", "command": "next"}"#,
                "command",
            ),
            (BEAT_PATH, r#"{"taken": 1}"#, "playerId"),
            (BEAT_PATH, r#"{"playerId": "p", "taken": "1"}"#, "taken"),
            (BEAT_PATH, r#"{"playerId": "p", "closing": 1}"#, "closing"),
        ] {
            let (status, answer) = call(&b, "POST", path, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}");
            assert!(
                answer["error"].as_str().is_some_and(|e| e.contains(field)),
                "{path} {body}: {answer}"
            );
        }
        for path in [CONTROL_PATH, BEAT_PATH] {
            let (status, _) = call(&b, "GET", path, "").await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{path}");
        }
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
