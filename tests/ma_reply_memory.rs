//! What a Music Assistant reply costs in memory: the real client ([`MaClient`]) against a
//! server on 127.0.0.1 that answers with a reply just under the 4 MiB cap, while a counting
//! global allocator records the most heap the process held at once. Reading a reply through a
//! `serde_json::Value` costs over ten times its size (a 4 MiB list of zeros took the process to
//! 138 MiB, past a 128 MB Lambda); reading it in place costs about the reply itself (the body,
//! plus the buffer it grew from). Counts bytes, not time, so a loaded machine cannot fail it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use ma_alexa_skill::deadline::Deadline;
use ma_alexa_skill::music_assistant::{
    MaClient, MaError, MusicAssistant, MAX_FAVORITE_TRACKS, MAX_PLAYERS,
};
use ma_alexa_skill::settings::{MaSettings, Settings};
use ma_alexa_skill::stream::QueueId;
use serde_json::Value;

/// The heap in use, and the most in use since the last [`reset_peak`].
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = IN_USE.fetch_add(by, Ordering::SeqCst) + by;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::SeqCst);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(p, layout, size) };
        if !moved.is_null() {
            // The old block lives until the new one is filled: count both, then the old goes.
            grew(size);
            IN_USE.fetch_sub(layout.size(), Ordering::SeqCst);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The skill's reply cap.
const CAP: usize = 4 * 1024 * 1024;
/// The most a 4 MiB reply may add to the heap: the body itself, the HTTP client's buffers and
/// what the skill keeps (about 5 MiB in all), with room to spare. A `Value` of a 4 MiB list of
/// zeros alone costs 64 MiB.
const BUDGET: usize = 8 * 1024 * 1024;

/// One test at a time: the allocator counts every thread, and a test building its reply would
/// count in another's measurement. Each test holds this from its first line.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

fn exclusive() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A Music Assistant on 127.0.0.1 answering every request with `body` (built before any
/// measurement, written as is).
fn serve(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let addr = listener.local_addr().expect("addr");
    assert!(addr.ip().is_loopback());
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    response.extend_from_slice(&body);
    let response = Arc::new(response);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let response = Arc::clone(&response);
            std::thread::spawn(move || {
                let mut request = [0u8; 8192];
                let mut seen = 0;
                // Read the head and the (small) body: enough that the client sees its request
                // taken before the reply.
                while seen < request.len() {
                    match stream.read(&mut request[seen..]) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen += n,
                    }
                    let text = &request[..seen];
                    if let Some(end) = text.windows(4).position(|w| w == b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&text[..end]).to_ascii_lowercase();
                        let length: usize = head
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse().ok())
                            .unwrap_or(0);
                        if seen >= end + 4 + length {
                            break;
                        }
                    }
                }
                let _ = stream.write_all(&response);
            });
        }
    });
    format!("http://{addr}")
}

fn settings(base: &str) -> MaSettings {
    let settings = Settings::from_lookup(|name| match name {
        "MA_API_URL" => Some(base.to_owned()),
        "MA_API_TOKEN" => Some("memory-test-token".to_owned()),
        _ => None,
    });
    settings.music_assistant.expect("Music Assistant settings")
}

/// A JSON list of zeros just under the cap, inside `prefix` and `suffix`.
fn zeros(prefix: &str, suffix: &str) -> Vec<u8> {
    let count = (CAP - prefix.len() - suffix.len() - 8) / 2;
    let mut body = Vec::with_capacity(CAP);
    body.extend_from_slice(prefix.as_bytes());
    for i in 0..count {
        body.extend_from_slice(if i == 0 { b"0" } else { b",0" });
    }
    body.extend_from_slice(suffix.as_bytes());
    assert!(body.len() <= CAP && body.len() > CAP - 64);
    body
}

/// A JSON list of copies of `item` filling the cap, inside `prefix` and `suffix`.
fn copies(item: &Value, prefix: &str, suffix: &str) -> Vec<u8> {
    let one = serde_json::to_vec(item).expect("serializes");
    let count = (CAP - prefix.len() - suffix.len()) / (one.len() + 1);
    let mut body = prefix.as_bytes().to_vec();
    for i in 0..count {
        if i > 0 {
            body.push(b',');
        }
        body.extend_from_slice(&one);
    }
    body.extend_from_slice(suffix.as_bytes());
    assert!(body.len() <= CAP);
    body
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/ma/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).expect("JSON")
}

/// The most heap `call` added while it ran against a Music Assistant answering `body`, and
/// what it returned. The caller holds [`exclusive`].
fn peak_during<T>(
    body: Vec<u8>,
    call: impl AsyncFnOnce(&MaClient, &MaSettings) -> T,
) -> (usize, T) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let base = serve(body);
    let ma = settings(&base);
    let client = MaClient::new();
    runtime.block_on(async {
        // The client's first call builds its TLS set-up and connection pool: not the reply's.
        let warm = serve(b"null".to_vec());
        let _ = client
            .queue(&settings(&warm), &queue(), Deadline::local())
            .await;
        let before = IN_USE.load(Ordering::SeqCst);
        PEAK.store(before, Ordering::SeqCst);
        let out = call(&client, &ma).await;
        (PEAK.load(Ordering::SeqCst) - before, out)
    })
}

fn queue() -> QueueId {
    QueueId::new("Kitchen Echo").expect("a queue id")
}

fn within_budget(what: &str, peak: usize) {
    println!("{what}: {:.1} MiB at most", peak as f64 / 1024.0 / 1024.0);
    assert!(
        peak < BUDGET,
        "{what} held {:.1} MiB at once for a 4 MiB reply",
        peak as f64 / 1024.0 / 1024.0
    );
}

fn invalid<T: std::fmt::Debug>(result: Result<T, MaError>) -> bool {
    matches!(result, Err(MaError::InvalidReply { .. }))
}

#[test]
fn players_all_of_4_mib_of_zeros_costs_about_its_size() {
    let _one = exclusive();
    let (peak, players) = peak_during(zeros("[", "]"), async |client, ma| {
        client.players(ma, Deadline::local()).await
    });
    within_budget("players/all of zeros", peak);
    assert!(
        invalid(players),
        "all unreadable is an error, not no speakers"
    );
}

#[test]
fn players_all_of_4_mib_of_real_players_keeps_at_most_the_cap() {
    let _one = exclusive();
    let player = fixture("players_all_home")[1].clone();
    let (peak, players) = peak_during(copies(&player, "[", "]"), async |client, ma| {
        client.players(ma, Deadline::local()).await
    });
    within_budget("players/all of real players", peak);
    assert_eq!(players.expect("players").len(), MAX_PLAYERS);
}

#[test]
fn a_queue_of_4_mib_costs_about_its_size() {
    let _one = exclusive();
    let (peak, found) = peak_during(zeros("[", "]"), async |client, ma| {
        client.queue(ma, &queue(), Deadline::local()).await
    });
    within_budget("player_queues/get of zeros", peak);
    assert!(invalid(found));
    let mut queue_reply = fixture("queue_kitchen_echo");
    let padding: Vec<Value> = vec![Value::from(0); CAP / 2 - 8 * 1024];
    queue_reply["extra_attributes"] = Value::from(padding);
    let body = serde_json::to_vec(&queue_reply).expect("serializes");
    let (peak, found) = peak_during(body, async |client, ma| {
        client.queue(ma, &queue(), Deadline::local()).await
    });
    within_budget("player_queues/get with a 4 MiB field", peak);
    assert_eq!(
        found.expect("read").expect("a queue").current_index,
        Some(3)
    );
}

#[test]
fn a_search_of_4_mib_costs_about_its_size() {
    let _one = exclusive();
    for (what, body) in [
        ("music/search of zeros", zeros("[", "]")),
        ("music/search of zero tracks", zeros(r#"{"tracks":["#, "]}")),
    ] {
        let (peak, found) = peak_during(body, async |client, ma| {
            client
                .search(ma, "kind of blue", &[], Deadline::local())
                .await
        });
        within_budget(what, peak);
        assert!(invalid(found), "{what}");
    }
    let track = fixture("search_kind_of_blue")["tracks"][1].clone();
    let (peak, found) = peak_during(
        copies(&track, r#"{"tracks":["#, "]}"),
        async |client, ma| client.search(ma, "so what", &[], Deadline::local()).await,
    );
    within_budget("music/search of real songs", peak);
    assert_eq!(found.expect("results").tracks.len(), 50);
}

#[test]
fn favourites_of_4_mib_cost_about_their_size_and_stop_at_the_cap() {
    let _one = exclusive();
    let (peak, found) = peak_during(zeros("[", "]"), async |client, ma| {
        client.favorite_tracks(ma, Deadline::local()).await
    });
    within_budget("music/tracks/library_items of zeros", peak);
    assert!(invalid(found));
    let song = fixture("library_tracks_favorites")[0].clone();
    let (peak, found) = peak_during(copies(&song, "[", "]"), async |client, ma| {
        client.favorite_tracks(ma, Deadline::local()).await
    });
    within_budget("music/tracks/library_items of real songs", peak);
    assert_eq!(found.expect("songs").len(), MAX_FAVORITE_TRACKS);
}
