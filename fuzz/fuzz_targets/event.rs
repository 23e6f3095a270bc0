//! A raw event through the whole skill (`Service::answer`), with a bridge and a Music Assistant
//! whose replies come from the input too, so the skill logic also sees hostile replies.
//!
//! Input: parts separated by NUL bytes (JSON text never holds a raw NUL):
//! 1. the event, JSON (also fed to `SkillRequest::parse` on its own);
//! 2. knobs: byte 0 picks the settings (see `SETTINGS`), byte 1 the deadline (`0`: already
//!    passed, `1`: 450 ms, too short to watch the bridge, anything else: 6 s);
//! 3. then replies, each taken by the first call of its kind, in call order:
//!    - bridge (`GET /ma/latest-url`): tag byte then body. `l` 200 with the body (read as
//!      `LatestReply`, as the real client reads it), `n` 404, `a` 401, `f` 403, `s` 500,
//!      `t` timed out, `c` client error;
//!    - Music Assistant (one JSON-RPC command): tag byte, delay byte, body. `O` 200 with the body
//!      (read as the command's reply type), `U` 401, `F` 403, `E` 500, `X` 400, `S` 503,
//!      `T` timed out, `C` client error; the delay byte picks how long the call takes on the
//!      paused clock (`DELAYS_MS`);
//!    - any other tag is skipped.
//!
//! Once its replies are used up, the bridge answers a new stream on each call (as after Music
//! Assistant pushed one) and Music Assistant answers `null` (`[]` for `players/all`). The
//! runtime's clock is paused, so the skill's sleeps while it watches the bridge cost no time;
//! the used-up bridge ends every watch, so no input can spin until the real deadline.
//!
//! Checks: no panic, and every answer keeps Alexa's rules (`common::check_response`).
#![no_main]

mod common;

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use ma_alexa_skill::alexa::request::SkillRequest;
use ma_alexa_skill::bridge::screen::{BeatReply, BeatRequest};
use ma_alexa_skill::bridge::{BridgeError, Latest, StreamSource};
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::music_assistant::{
    self, MaError, MediaType, MusicAssistant, Player, PlayerQueue, ProviderInstance, QueueCommand,
    SearchItem, SearchResults, UnusableReply,
};
use ma_alexa_skill::service::Service;
use ma_alexa_skill::settings::source::SettingsSource;
use ma_alexa_skill::settings::{BridgeSettings, MaSettings, Settings};
use ma_alexa_skill::stream::{InternalStream, QueueId};
use serde_json::Value;

/// How long a Music Assistant call takes on the paused clock, by delay byte (`b % 8`). None is a
/// multiple of the skill's 100 ms bridge polling, so no two timers ever fire at once and
/// `tokio::select!` never has to pick at random: a run is repeatable.
const DELAYS_MS: [u64; 8] = [1, 30, 130, 270, 1430, 2950, 3001, 7001];

/// The sample events' skill id.
const SKILL_ID: &str = "amzn1.ask.skill.7c1e9d2a-3b4f-4c5d-8e6f-0a1b2c3d4e5f";
/// The sample events' device.
const DEVICE: &str = "amzn1.ask.device.AEXAMPLEDEVICEID7K3M5P7R9T1V3X5Z7B9D";

/// The settings an input can pick, by knob byte 0 (`b % 6`).
fn settings(index: u8) -> Settings {
    static ALL: OnceLock<Vec<Settings>> = OnceLock::new();
    let all = ALL.get_or_init(|| {
        let device_players = format!(r#"{{"{DEVICE}": "Kitchen Echo"}}"#);
        let full: Vec<(&str, &str)> = vec![
            ("API_HOSTNAME", "https://bridge.example.net"),
            ("API_USERNAME", "music-assistant"),
            ("API_PASSWORD", "correct horse battery staple"),
            ("MA_HOSTNAME", "ma.example.net"),
            ("SKILL_ID", SKILL_ID),
            ("MA_API_URL", "http://192.168.1.20:8095"),
            (
                "MA_API_TOKEN",
                "eyJhbGciOiJIUzI1NiJ9.fuzz-long-lived-token.signature",
            ),
            ("DEVICE_PLAYERS", &device_players),
        ];
        let without = |names: &[&str], extra: &[(&'static str, &'static str)]| {
            let mut pairs: Vec<(String, String)> = full
                .iter()
                .filter(|(k, _)| !names.contains(k))
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect();
            pairs.extend(
                extra
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
            );
            let map: HashMap<String, String> = pairs.into_iter().collect();
            Settings::from_lookup(|name| map.get(name).cloned())
        };
        vec![
            // 0: everything, as a real installation with Music Assistant control.
            without(&[], &[]),
            // 1: any skill id accepted.
            without(&["SKILL_ID"], &[]),
            // 2: no Music Assistant control (bridge only), any skill id.
            without(
                &["SKILL_ID", "MA_API_URL", "MA_API_TOKEN", "DEVICE_PLAYERS"],
                &[],
            ),
            // 3: a public host with a port and a base path, no DEVICE_PLAYERS.
            without(
                &["SKILL_ID", "MA_HOSTNAME", "DEVICE_PLAYERS"],
                &[("MA_HOSTNAME", "https://ma.example.net:8443/music/")],
            ),
            // 4: no bridge.
            without(
                &["SKILL_ID", "API_HOSTNAME", "API_USERNAME", "API_PASSWORD"],
                &[],
            ),
            // 5: unusable settings: http public host, bad DEVICE_PLAYERS, a token with a space.
            without(
                &["SKILL_ID", "MA_HOSTNAME", "DEVICE_PLAYERS", "MA_API_TOKEN"],
                &[
                    ("MA_HOSTNAME", "http://ma.example.net"),
                    ("DEVICE_PLAYERS", "[1]"),
                    ("MA_API_TOKEN", "two words"),
                ],
            ),
        ]
    });
    all[usize::from(index) % all.len()].clone()
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .expect("a current-thread runtime")
    })
}

/// The replies of one input.
#[derive(Default)]
struct Replies {
    bridge: Mutex<VecDeque<(u8, Vec<u8>)>>,
    ma: Mutex<VecDeque<(u8, u64, Vec<u8>)>>,
    fresh: AtomicU64,
}

impl Replies {
    fn from_parts<'a>(parts: impl Iterator<Item = &'a [u8]>) -> Self {
        let replies = Self::default();
        for part in parts {
            match part {
                [tag @ (b'l' | b'n' | b'a' | b'f' | b's' | b't' | b'c'), body @ ..] => replies
                    .bridge
                    .lock()
                    .expect("lock")
                    .push_back((*tag, body.to_vec())),
                [tag @ (b'O' | b'U' | b'F' | b'E' | b'X' | b'S' | b'T' | b'C'), rest @ ..] => {
                    let (delay, body) = rest.split_first().map_or((0, &[][..]), |(d, b)| (*d, b));
                    let delay = DELAYS_MS[usize::from(delay) % DELAYS_MS.len()];
                    replies
                        .ma
                        .lock()
                        .expect("lock")
                        .push_back((*tag, delay, body.to_vec()))
                }
                _ => {}
            }
        }
        replies
    }
}

/// The bridge, answering from the input.
struct FuzzBridge(Arc<Replies>);

impl FuzzBridge {
    fn answer(&self, bridge: &BridgeSettings) -> Result<Latest, BridgeError> {
        let host = ma_alexa_skill::authority(&bridge.base);
        let next = self.0.bridge.lock().expect("lock").pop_front();
        let Some((tag, body)) = next else {
            // Used up: a new stream, as after Music Assistant pushed one.
            let n = self.0.fresh.fetch_add(1, Ordering::Relaxed);
            let url = format!(
                "http://192.168.1.20:8097/flow/fz{n}/Kitchen%20Echo/it{n}/Kitchen%20Echo.mp3"
            );
            let stream = InternalStream::parse(&url).expect("a valid stream");
            return Ok(Latest {
                stream,
                title: Some(format!("Track {n}")),
                artist: None,
                album: None,
                image_url: None,
            });
        };
        match tag {
            b'l' => common::latest_from_body(&host, &body),
            b'n' => Err(BridgeError::NothingPushed { host }),
            b'a' => Err(BridgeError::Unauthorized { host, status: 401 }),
            b'f' => Err(BridgeError::Unauthorized { host, status: 403 }),
            b's' => Err(BridgeError::Status { host, status: 500 }),
            b't' => Err(BridgeError::TimedOut {
                host,
                waited_ms: 3000,
            }),
            _ => Err(BridgeError::Client("fuzz: no TLS".into())),
        }
    }
}

impl StreamSource for FuzzBridge {
    fn latest(
        &self,
        bridge: &BridgeSettings,
        _player: Option<&QueueId>,
        _deadline: Deadline,
    ) -> impl Future<Output = Result<Latest, BridgeError>> + Send {
        std::future::ready(self.answer(bridge))
    }

    /// The skill beats only for an open page, which no fuzzed event opens (yet): a bridge whose
    /// open-screen mode is off.
    fn beat(
        &self,
        bridge: &BridgeSettings,
        _beat: &BeatRequest,
        _deadline: Deadline,
    ) -> impl Future<Output = Result<BeatReply, BridgeError>> + Send {
        let host = ma_alexa_skill::authority(&bridge.base);
        std::future::ready(Err(BridgeError::OpenScreenOff { host }))
    }
}

/// Music Assistant, answering from the input.
struct FuzzMa(Arc<Replies>);

impl FuzzMa {
    /// One command: the next reply, read with `read` (the reader `MaClient` uses for the
    /// command), after its delay on the paused clock.
    async fn call<T>(
        &self,
        ma: &MaSettings,
        command: &'static str,
        used_up: &str,
        read: impl FnOnce(&[u8]) -> Result<T, UnusableReply>,
    ) -> Result<T, MaError> {
        let host = ma_alexa_skill::authority(&ma.base);
        let next = self.0.ma.lock().expect("lock").pop_front();
        let (tag, delay, body) = next.unwrap_or((b'O', 1, used_up.as_bytes().to_vec()));
        tokio::time::sleep(Duration::from_millis(delay)).await;
        let message = || {
            String::from_utf8_lossy(&body)
                .trim()
                .chars()
                .take(200)
                .collect::<String>()
        };
        match tag {
            b'O' => read(&body).map_err(|e| MaError::InvalidReply {
                host,
                command,
                reason: e.to_string(),
            }),
            b'U' => Err(MaError::Unauthorized { host }),
            b'F' => Err(MaError::Forbidden {
                host,
                command,
                message: message(),
            }),
            b'E' | b'X' => Err(MaError::Failed {
                host,
                command,
                status: if tag == b'E' { 500 } else { 400 },
                message: message(),
            }),
            b'S' => Err(MaError::SetupRequired { host }),
            b'T' => Err(MaError::TimedOut {
                host,
                command,
                waited_ms: 3000,
            }),
            _ => Err(MaError::Client("fuzz: no TLS".into())),
        }
    }
}

impl MusicAssistant for FuzzMa {
    async fn queue(
        &self,
        ma: &MaSettings,
        _queue: &QueueId,
        _deadline: Deadline,
    ) -> Result<Option<PlayerQueue>, MaError> {
        self.call(ma, "player_queues/get", "null", music_assistant::read_queue)
            .await
    }

    async fn players(&self, ma: &MaSettings, _deadline: Deadline) -> Result<Vec<Player>, MaError> {
        self.call(ma, "players/all", "[]", |body| {
            music_assistant::read_players(body).map(|read| read.value)
        })
        .await
    }

    async fn send(
        &self,
        ma: &MaSettings,
        queue: &QueueId,
        command: &QueueCommand,
        deadline: Deadline,
    ) -> Result<(), MaError> {
        // The name the real client sends, for messages.
        let (name, _) = command.request(queue);
        match self.call(ma, name, "null", music_assistant::read_any).await {
            Ok(_) => Ok(()),
            // As `MaClient::send`: the library's own check for an unknown queue.
            Err(error) => Err(music_assistant::told_apart(self, ma, queue, error, deadline).await),
        }
    }

    async fn search(
        &self,
        ma: &MaSettings,
        _query: &str,
        _types: &[MediaType],
        _deadline: Deadline,
    ) -> Result<SearchResults, MaError> {
        self.call(ma, "music/search", "null", |body| {
            music_assistant::read_search(body).map(|read| read.value)
        })
        .await
    }

    async fn favorite_tracks(
        &self,
        ma: &MaSettings,
        _deadline: Deadline,
    ) -> Result<Vec<SearchItem>, MaError> {
        self.call(ma, "music/tracks/library_items", "null", |body| {
            music_assistant::read_favorite_tracks(body).map(|read| read.value)
        })
        .await
    }

    async fn add_to_favorites(
        &self,
        ma: &MaSettings,
        _player: &QueueId,
        _deadline: Deadline,
    ) -> Result<(), MaError> {
        self.call(
            ma,
            "players/add_currently_playing_to_favorites",
            "null",
            music_assistant::read_any,
        )
        .await
    }

    async fn providers(
        &self,
        ma: &MaSettings,
        _deadline: Deadline,
    ) -> Result<Vec<ProviderInstance>, MaError> {
        // As `MaClient::providers`.
        self.call(ma, "providers", "[]", |body| {
            music_assistant::read_providers(body).map(|read| read.value)
        })
        .await
    }
}

fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|&b| b == 0);
    let event = parts.next().unwrap_or_default();
    let knobs = parts.next().unwrap_or_default();
    let Ok(event) = serde_json::from_slice::<Value>(event) else {
        return;
    };
    let replies = Arc::new(Replies::from_parts(parts));

    // The request parser on its own.
    let request = SkillRequest::parse(event.clone());

    let settings = settings(knobs.first().copied().unwrap_or(0));
    let deadline = Deadline::after(match knobs.get(1) {
        Some(b'0') => Duration::ZERO,
        Some(b'1') => Duration::from_millis(450),
        _ => Deadline::ALEXA_BUDGET,
    });
    let replies_left = Arc::clone(&replies);
    let service = Service::with_parts(
        SettingsSource::fixed(settings),
        FuzzBridge(Arc::clone(&replies)),
        FuzzMa(replies),
    );
    let answer = runtime().block_on(service.answer(event, deadline));
    if common::show() {
        match &answer {
            Ok(response) => eprintln!(
                "answer: {}",
                serde_json::to_string(response).expect("serialises")
            ),
            Err(refusal) => eprintln!("refused: {refusal}"),
        }
        eprintln!(
            "unused replies: bridge {}, Music Assistant {}",
            replies_left.bridge.lock().expect("lock").len(),
            replies_left.ma.lock().expect("lock").len()
        );
    }
    match (request, answer) {
        (Ok(request), Ok(response)) => common::check_response(&request.request_type, &response),
        (Err(e), Ok(_)) => panic!("answered an event SkillRequest::parse refuses ({e})"),
        (_, Err(_)) => {}
    }
});
