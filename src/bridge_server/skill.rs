//! `POST /alexa/skill`: the skill itself, served by the bridge as an HTTPS web service (behind the
//! owner's reverse proxy), for owners who want no AWS account. On when `BRIDGE_SKILL_ENDPOINT`
//! is true; the settings are the skill's own (environment, or SSM when configured).
//!
//! Alexa cannot send the bridge's Basic credentials, so this path is exempt from them: Amazon's
//! request signature is its authentication ([`crate::request_signature`]), checked before
//! anything in the body is believed, and `SKILL_ID` is required and must match. What costs
//! nothing is checked first (the headers, the chain URL, the timestamp, the body, the skill id);
//! only a request that passes all of it costs a fetch of Amazon's certificate chain. A request
//! that fails any check gets a bare 400 (the reason goes to the log, not to the caller). Then the
//! very same [`Service::answer`] as in Lambda and `invoke` answers it.
//!
//! Here the skill reads the bridge's slots, and with open-screen mode its pages' beats go to the
//! bridge's [`Screens`], in-process ([`OwnSlots`]): no HTTP to itself, so
//! `API_HOSTNAME`, `API_USERNAME` and `API_PASSWORD` are not needed and `/ma/latest-url` need
//! not be reachable from outside ([`settings_source`] makes the bridge's own address the
//! skill's bridge, for checks run on the same machine).

use std::fmt::Debug;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderMap, HeaderValue, CONTENT_TYPE};
use hyper::{Response, StatusCode};
use serde_json::Value;

use super::config::BridgeConfig;
use super::screens::{page_id, Screens};
use super::store::Store;
use crate::alexa::response::ResponseEnvelope;
use crate::bridge::screen::{BeatReply, BeatRequest};
use crate::bridge::{BridgeError, Latest, StreamSource};
use crate::deadline::Deadline;
use crate::music_assistant::{MaClient, MusicAssistant};
use crate::progressive::AlexaApiClient;
use crate::request_signature::{Rejection, SignatureVerifier};
use crate::service::{self, Service};
use crate::settings::source::SettingsSource;
use crate::settings::BridgeSettings;
use crate::stream::QueueId;

/// The skill endpoint: the service and the signature checks, both built once.
#[derive(Debug)]
pub struct SkillEndpoint {
    service: Box<dyn Skill>,
    verifier: SignatureVerifier,
}

/// The skill's settings when the bridge serves it: the environment's (or SSM's with
/// `SSM_PARAMETER_PREFIX`), with this bridge ([`BridgeConfig::own_bridge`]) as the skill's
/// bridge, so `API_HOSTNAME` is neither needed nor reported missing. What the bridge's skill
/// endpoint answers with, and what a check of it from the same machine should load.
pub fn settings_source(config: &BridgeConfig) -> SettingsSource {
    SettingsSource::from_env_inside_bridge(config.own_bridge())
}

/// The bridge's own slots, read in-process: the skill's [`StreamSource`] when the bridge serves
/// it. It answers exactly what `GET /ma/latest-url` and `POST /ma/screen` would (the same slot,
/// the same pages, the same parser), and has nothing to time out on.
#[derive(Debug, Clone)]
pub struct OwnSlots {
    store: Arc<Store>,
    /// The bridge's open pages; `None` while open-screen mode is off.
    screens: Option<Arc<Screens>>,
}

impl OwnSlots {
    /// The slots of `store`, with open-screen mode off.
    pub fn new(store: Arc<Store>) -> Self {
        Self {
            store,
            screens: None,
        }
    }

    /// The same with open-screen mode on: beats go to `screens`.
    pub fn with_screens(mut self, screens: Arc<Screens>) -> Self {
        self.screens = Some(screens);
        self
    }
}

impl StreamSource for OwnSlots {
    fn latest(
        &self,
        bridge: &BridgeSettings,
        player: Option<&QueueId>,
        _deadline: Deadline,
    ) -> impl Future<Output = Result<Latest, BridgeError>> + Send {
        // Errors name the bridge as the Lambda skill's would: its own address.
        let host = crate::authority(&bridge.base);
        let latest = match self.store.latest_stream(player.map(QueueId::as_str)) {
            Some(reply) => reply.into_latest(&host),
            None => Err(BridgeError::NothingPushed { host }),
        };
        std::future::ready(latest)
    }

    fn beat(
        &self,
        bridge: &BridgeSettings,
        beat: &BeatRequest,
        _deadline: Deadline,
    ) -> impl Future<Output = Result<BeatReply, BridgeError>> + Send {
        let host = crate::authority(&bridge.base);
        let reply = match (&self.screens, page_id(&beat.player_id)) {
            // As `POST /ma/screen` answers: 404 while the mode is off, 400 for a bad player id.
            (None, _) => Err(BridgeError::OpenScreenOff { host }),
            (Some(_), None) => Err(BridgeError::Status { host, status: 400 }),
            (Some(screens), Some(player)) => {
                let now = self.store.latest_stream(Some(player));
                let beat = BeatRequest {
                    player_id: player.to_owned(),
                    ..beat.clone()
                };
                Ok(screens.beat(beat, now))
            }
        };
        std::future::ready(reply)
    }
}

/// What the endpoint needs of the skill: a [`Service`] over any stream source and Music
/// Assistant, behind one object-safe face so that the bridge has no type parameters.
trait Skill: Debug + Send + Sync {
    fn settings(&self) -> &SettingsSource;
    fn answer(
        &self,
        event: Value,
        deadline: Deadline,
    ) -> Pin<Box<dyn Future<Output = Result<ResponseEnvelope, service::Refusal>> + Send + '_>>;
}

impl<B, M> Skill for Service<B, M>
where
    B: StreamSource + Debug + Send + Sync,
    M: MusicAssistant + Debug + Send + Sync,
{
    fn settings(&self) -> &SettingsSource {
        Service::settings(self)
    }

    fn answer(
        &self,
        event: Value,
        deadline: Deadline,
    ) -> Pin<Box<dyn Future<Output = Result<ResponseEnvelope, service::Refusal>> + Send + '_>> {
        Box::pin(Service::answer(self, event, deadline))
    }
}

/// Why a request to the endpoint was refused, for the log.
#[derive(Debug, thiserror::Error)]
enum Refused {
    #[error(transparent)]
    Signature(#[from] Rejection),
    #[error("SKILL_ID is not set: the skill endpoint answers only the skill it is configured for")]
    NoSkillId,
    #[error("the request is for skill '{0}', not SKILL_ID's")]
    OtherSkill(String),
    #[error("the settings could not be loaded: {0}")]
    Settings(String),
    #[error("{0}")]
    Service(#[from] service::Refusal),
}

impl SkillEndpoint {
    /// The endpoint over `service`, checking requests with `verifier`.
    pub fn new<B, M>(service: Service<B, M>, verifier: SignatureVerifier) -> Self
    where
        B: StreamSource + Debug + Send + Sync + 'static,
        M: MusicAssistant + Debug + Send + Sync + 'static,
    {
        Self {
            service: Box::new(service),
            verifier,
        }
    }

    /// The endpoint the bridge configured by `config` serves: the skill with
    /// [`settings_source`]'s settings, reading `store`'s slots (and with open-screen mode,
    /// `screens`) in-process ([`OwnSlots`]), sending progressive responses to Alexa's API, and
    /// Amazon's signature checks.
    pub fn inside(config: &BridgeConfig, store: Arc<Store>, screens: Option<Arc<Screens>>) -> Self {
        let mut slots = OwnSlots::new(store);
        if let Some(screens) = screens {
            slots = slots.with_screens(screens);
        }
        let service = Service::with_parts(settings_source(config), slots, MaClient::new())
            .with_progressive_responses(AlexaApiClient::new());
        Self::new(service, verifier())
    }

    /// Where the skill's settings come from, for the log.
    pub fn describe_settings(&self) -> String {
        self.service.settings().describe()
    }

    /// The signature checks (for tests and the doctor: how many chains were fetched).
    pub fn verifier(&self) -> &SignatureVerifier {
        &self.verifier
    }

    /// Answers one request whose headers are `headers` and whose exact body is `body`.
    pub async fn answer(&self, headers: &HeaderMap, body: &[u8]) -> Response<Full<Bytes>> {
        let deadline = Deadline::local();
        match self.serve(headers, body, deadline).await {
            Ok(json) => {
                let mut response = Response::new(Full::new(Bytes::from(json)));
                response.headers_mut().insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static("application/json;charset=UTF-8"),
                );
                response
            }
            Err(refused) => {
                tracing::warn!(outcome = "refused", error = %refused, "skill endpoint refused a request");
                Self::bad_request()
            }
        }
    }

    /// The one answer to a request the endpoint will not serve: 400, no detail.
    pub fn bad_request() -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(Bytes::from_static(
            b"{\"error\":\"bad request\"}",
        )));
        *response.status_mut() = StatusCode::BAD_REQUEST;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        response
    }

    async fn serve(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        deadline: Deadline,
    ) -> Result<Vec<u8>, Refused> {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let now = SystemTime::now();
        // What costs nothing comes first: a request that fails it never costs a fetch.
        let unverified = self.verifier.precheck(
            header("signaturecertchainurl"),
            header("signature-256"),
            body,
            now,
        )?;
        let event = service::parse_event(body)?;
        let settings = self
            .service
            .settings()
            .current(deadline)
            .await
            .map_err(|e| Refused::Settings(e.to_string()))?;
        let Some(skill_id) = settings.skill_id.as_deref() else {
            return Err(Refused::NoSkillId);
        };
        match application_id(&event) {
            Some(id) if id == skill_id => {}
            other => {
                return Err(Refused::OtherSkill(other.map_or_else(
                    || "none".into(),
                    |id| crate::logging::capped(id, crate::logging::MAX_FIELD_CHARS).into_owned(),
                )))
            }
        }
        // Only now the signature, which may cost fetching Amazon's certificate chain.
        self.verifier
            .verify_signature(&unverified, body, now)
            .await?;
        let response = self.service.answer(event, deadline).await?;
        serde_json::to_vec(&response).map_err(|e| Refused::Settings(e.to_string()))
    }
}

/// Amazon's signature checks ([`SignatureVerifier::new`]). A test build (the `test-trust`
/// feature, which only the crate's own dev-dependency turns on) also takes a test certificate
/// authority, so that tests can send the real binary signed requests: its DER certificate from
/// the file `MA_ALEXA_TEST_TRUST_ROOT_DER` and the chain host `MA_ALEXA_TEST_TRUST_ORIGIN`
/// (`https://127.0.0.1:<port>`). A release build has none of this code.
fn verifier() -> SignatureVerifier {
    #[cfg(feature = "test-trust")]
    {
        let root =
            std::env::var_os("MA_ALEXA_TEST_TRUST_ROOT_DER").and_then(|p| std::fs::read(p).ok());
        let origin = std::env::var("MA_ALEXA_TEST_TRUST_ORIGIN").ok();
        if let (Some(root), Some(origin)) = (root, origin) {
            if let Ok(verifier) = SignatureVerifier::trusting(&[root], &origin) {
                return verifier;
            }
        }
    }
    SignatureVerifier::new()
}

/// The skill a request is for, where Alexa puts it: `context.System.application`, else
/// `session.application` (the service checks it again, from the parsed request).
fn application_id(event: &Value) -> Option<&str> {
    event
        .pointer("/context/System/application/applicationId")
        .and_then(Value::as_str)
        .or_else(|| {
            event
                .pointer("/session/application/applicationId")
                .and_then(Value::as_str)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own() -> BridgeSettings {
        BridgeSettings {
            base: url::Url::parse("http://127.0.0.1:5000/").expect("URL"),
            credentials: None,
        }
    }

    #[tokio::test]
    async fn beats_in_process_answer_as_post_ma_screen_would() {
        let store = Arc::new(Store::in_memory());
        let beat = BeatRequest {
            player_id: " Kitchen Echo ".into(),
            taken: None,
            closing: false,
        };
        let off = OwnSlots::new(Arc::clone(&store))
            .beat(&own(), &beat, Deadline::local())
            .await
            .expect_err("the mode is off");
        assert_eq!(off.kind(), "bridge_open_screen_off");

        let screens = Arc::new(Screens::starting_at(7));
        let slots = OwnSlots::new(Arc::clone(&store)).with_screens(Arc::clone(&screens));
        let push = super::super::push::Push::parse(
            br#"{"streamUrl": "http://ma/flow/1.mp3", "title": "t", "playerId": "Kitchen Echo"}"#,
        )
        .expect("a push");
        store.push(&push);
        let reply = slots
            .beat(&own(), &beat, Deadline::local())
            .await
            .expect("a beat");
        assert!(reply.commands.is_empty());
        assert_eq!(reply.now.and_then(|n| n.title).as_deref(), Some("t"));
        assert!(screens.is_live("Kitchen Echo"));
        let blank = BeatRequest {
            player_id: " ".into(),
            ..beat
        };
        let refused = slots
            .beat(&own(), &blank, Deadline::local())
            .await
            .expect_err("no player");
        assert!(
            matches!(refused, BridgeError::Status { status: 400, .. }),
            "{refused:?}"
        );
    }

    #[test]
    fn the_application_id_comes_from_the_context_then_the_session() {
        let both = serde_json::json!({
            "session": { "application": { "applicationId": "from-session" } },
            "context": { "System": { "application": { "applicationId": "from-context" } } },
        });
        assert_eq!(application_id(&both), Some("from-context"));
        let session = serde_json::json!({
            "session": { "application": { "applicationId": "from-session" } },
            "context": { "System": { "application": { "applicationId": 7 } } },
        });
        assert_eq!(application_id(&session), Some("from-session"));
        assert_eq!(application_id(&serde_json::json!({})), None);
    }
}
