//! The skill in process, per request kind: `cargo bench --bench handler`.
//!
//! Each row is one sample event from `events/` read by the rule every door applies
//! ([`service::parse_event`]), answered by [`Service::answer`] with in-memory stand-ins for the
//! bridge and Music Assistant (so it measures the skill's own work, not a network), and written
//! as JSON, with the info-level JSON log line Lambda writes going to a sink. Beside it, the
//! floor: reading the same event into a `serde_json::Value` and writing the same answer, which
//! any handler pays. Figures are the median of several batches, in ns per request.
//!
//! Music Assistant's replies are answered at once; the time the skill waits between looks at
//! the bridge for a new stream (voice search) passes on tokio's paused clock, so those rows
//! count work, not waiting.

use std::future::Future;
use std::hint::black_box;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ma_alexa_skill::bridge::screen::{BeatReply, BeatRequest};
use ma_alexa_skill::bridge::{BridgeError, Latest, LatestReply, StreamSource};
use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::logging::{self, LogFormat};
use ma_alexa_skill::music_assistant::{
    self, MaError, MediaType, MusicAssistant, Player, PlayerQueue, ProviderInstance, QueueCommand,
    SearchItem, SearchResults,
};
use ma_alexa_skill::service::{self, Service};
use ma_alexa_skill::settings::source::SettingsSource;
use ma_alexa_skill::settings::{BridgeSettings, MaSettings, Settings};
use ma_alexa_skill::stream::QueueId;
use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// Each batch runs about this long.
const BATCH: Duration = Duration::from_millis(40);
const BATCHES: usize = 7;

/// The request kinds measured: a name and the sample event.
const KINDS: [(&str, &str); 11] = [
    ("LaunchRequest (play)", "launch.json"),
    ("ResumeIntent (play)", "resume_intent.json"),
    ("PlayAudio intent (play)", "play_audio_intent.json"),
    ("PauseIntent", "pause_intent.json"),
    ("PlaybackNearlyFinished", "playback_nearly_finished.json"),
    ("PlaybackStarted", "playback_started.json"),
    ("NextIntent (queue)", "next_intent.json"),
    ("now playing (queue)", "now_playing_intent.json"),
    ("PlayMediaIntent (voice search)", "play_media_intent.json"),
    ("HelpIntent", "help_intent.json"),
    ("SessionEndedRequest", "session_ended.json"),
];

fn main() {
    let subscriber = logging::subscriber(Some("info"), LogFormat::Json, std::io::sink);
    let _quiet = tracing::subscriber::set_default(subscriber);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("runtime");
    let settings = Settings::from_lookup(|name| {
        let value = match name {
            "API_HOSTNAME" => "http://bridge.local:3000",
            "MA_HOSTNAME" => "ma.example.net",
            "MA_API_URL" => "http://ma.local:8095",
            "MA_API_TOKEN" => "bench-token",
            _ => return None,
        };
        Some(value.to_owned())
    });
    let generation = Arc::new(AtomicU64::new(0));
    let service = Service::with_parts(
        SettingsSource::fixed(settings),
        MemoryBridge::new(Arc::clone(&generation)),
        MemoryMa::new(generation),
    );

    println!("ma-alexa-skill in process: parse, answer, write; median of {BATCHES} batches");
    println!(
        "{:<32} {:<22} {:>10} {:>10} {:>7}",
        "request", "answer", "skill ns", "floor ns", "ratio"
    );
    for (name, file) in KINDS {
        let bytes = std::fs::read(Path::new(ROOT).join("events").join(file)).expect("event");
        let one = || async {
            let event = service::parse_event(&bytes).expect("a sample event is JSON");
            let response = service
                .answer(event, Deadline::local())
                .await
                .expect("answered");
            serde_json::to_vec(&response).expect("written")
        };
        let written = runtime.block_on(one());
        let answer: Value = serde_json::from_slice(&written).expect("own answer");
        let skill = runtime.block_on(measure(|| async { black_box(one().await.len()) }));
        let floor = runtime.block_on(measure(|| async {
            let event: Value = serde_json::from_slice(&bytes).expect("JSON");
            black_box(&event);
            black_box(serde_json::to_vec(&answer).expect("written").len())
        }));
        println!(
            "{name:<32} {:<22} {skill:>10.0} {floor:>10.0} {:>7.1}",
            what_it_answered(&answer),
            skill / floor
        );
    }
}

/// Median ns per call of `f` over [`BATCHES`] batches of about [`BATCH`] each.
async fn measure<F, Fut>(f: F) -> f64
where
    F: Fn() -> Fut,
    Fut: Future<Output = usize>,
{
    // Warm up and size a batch.
    let started = Instant::now();
    let mut calibration = 0u32;
    while started.elapsed() < BATCH / 4 || calibration < 10 {
        f().await;
        calibration += 1;
    }
    let per_call = started.elapsed() / calibration;
    let per_batch = (BATCH.as_nanos() / per_call.as_nanos().max(1)).max(10);
    let mut batches = Vec::with_capacity(BATCHES);
    for _ in 0..BATCHES {
        let started = Instant::now();
        for _ in 0..per_batch {
            f().await;
        }
        batches.push(started.elapsed().as_nanos() as f64 / per_batch as f64);
    }
    batches.sort_by(f64::total_cmp);
    batches[BATCHES / 2]
}

/// The answer's first directive, or what it does without one.
fn what_it_answered(answer: &Value) -> String {
    let response = &answer["response"];
    match response["directives"][0]["type"].as_str() {
        Some(directive) => directive.to_owned(),
        None if response["outputSpeech"].is_object() => "speech".to_owned(),
        None => "(empty)".to_owned(),
    }
}

/// The bridge, in memory: the stream of `events/bridge/push-url.json` until Music Assistant is
/// told to play something, then another one (as after Music Assistant pushed it).
struct MemoryBridge {
    generation: Arc<AtomicU64>,
    streams: [Latest; 2],
}

impl MemoryBridge {
    fn new(generation: Arc<AtomicU64>) -> Self {
        let push =
            std::fs::read(Path::new(ROOT).join("events/bridge/push-url.json")).expect("push");
        let first: LatestReply = serde_json::from_slice(&push).expect("a push");
        let mut second = first.clone();
        second.stream_url = first
            .stream_url
            .as_ref()
            .map(|u| u.replace("1b2e77", "2c3f88"));
        let latest = |reply: LatestReply| reply.into_latest("bridge.local").expect("a stream");
        Self {
            generation,
            streams: [latest(first), latest(second)],
        }
    }
}

impl StreamSource for MemoryBridge {
    fn latest(
        &self,
        _bridge: &BridgeSettings,
        _player: Option<&QueueId>,
        _deadline: Deadline,
    ) -> impl Future<Output = Result<Latest, BridgeError>> + Send {
        let n = self.generation.load(Ordering::Relaxed) % 2;
        std::future::ready(Ok(self.streams[usize::from(n == 1)].clone()))
    }

    fn beat(
        &self,
        _bridge: &BridgeSettings,
        _beat: &BeatRequest,
        _deadline: Deadline,
    ) -> impl Future<Output = Result<BeatReply, BridgeError>> + Send {
        std::future::ready(Ok(BeatReply::default()))
    }
}

/// Music Assistant, in memory, answering with the tests' generated replies
/// (tests/fixtures/ma): the Kitchen Echo's playing queue, the home's players, a search that
/// finds albums, songs and more, and a provider that suggests similar tracks.
struct MemoryMa {
    generation: Arc<AtomicU64>,
    queue: PlayerQueue,
    players: Vec<Player>,
    found: SearchResults,
    providers: Vec<ProviderInstance>,
}

/// A generated Music Assistant reply.
fn ma_fixture(name: &str) -> Vec<u8> {
    std::fs::read(Path::new(ROOT).join(format!("tests/fixtures/ma/{name}.json"))).expect("fixture")
}

impl MemoryMa {
    fn new(generation: Arc<AtomicU64>) -> Self {
        let queue = music_assistant::read_queue(&ma_fixture("queue_kitchen_echo"));
        let players = music_assistant::read_players(&ma_fixture("players_all_home"));
        let found = music_assistant::read_search(&ma_fixture("search_kind_of_blue"));
        Self {
            generation,
            queue: queue.expect("a queue").expect("not null"),
            players: players.expect("players").value,
            found: found.expect("search results").value,
            providers: music_assistant::read_providers(&ma_fixture(
                "providers_streaming_similar_tracks",
            ))
            .expect("providers")
            .value,
        }
    }
}

impl MusicAssistant for MemoryMa {
    async fn queue(
        &self,
        _ma: &MaSettings,
        _queue: &QueueId,
        _deadline: Deadline,
    ) -> Result<Option<PlayerQueue>, MaError> {
        Ok(Some(self.queue.clone()))
    }

    async fn players(&self, _ma: &MaSettings, _deadline: Deadline) -> Result<Vec<Player>, MaError> {
        Ok(self.players.clone())
    }

    async fn send(
        &self,
        _ma: &MaSettings,
        _queue: &QueueId,
        command: &QueueCommand,
        _deadline: Deadline,
    ) -> Result<(), MaError> {
        if matches!(command, QueueCommand::PlayMedia { .. }) {
            self.generation.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }

    async fn search(
        &self,
        _ma: &MaSettings,
        _query: &str,
        _types: &[MediaType],
        _deadline: Deadline,
    ) -> Result<SearchResults, MaError> {
        Ok(self.found.clone())
    }

    async fn favorite_tracks(
        &self,
        _ma: &MaSettings,
        _deadline: Deadline,
    ) -> Result<Vec<SearchItem>, MaError> {
        Ok(self.found.tracks.clone())
    }

    async fn add_to_favorites(
        &self,
        _ma: &MaSettings,
        _player: &QueueId,
        _deadline: Deadline,
    ) -> Result<(), MaError> {
        Ok(())
    }

    async fn providers(
        &self,
        _ma: &MaSettings,
        _deadline: Deadline,
    ) -> Result<Vec<ProviderInstance>, MaError> {
        Ok(self.providers.clone())
    }
}
