//! Load benchmark of `ma-alexa-bridge`: `cargo bench --bench bridge [-- REQUESTS_PER_CLIENT]`.
//!
//! Starts the release binary on 127.0.0.1 with a state file in a temporary folder, reads its
//! idle memory, then runs 50 concurrent clients (each on its own keep-alive connection) doing a
//! mix like a busy home's: per client, one push in five (a new stream or a metadata re-push for
//! its own player), the rest reads of its player's latest stream or the latest of all. Prints
//! requests per second, latency percentiles as the clients saw them, and memory.
//!
//! Then the same load against the floor: `floor serve` (`bench/floor.rs`), a bare hyper server
//! on the same runtime that answers every request with a fixed body, so the bridge's figures
//! stand beside what this machine and its loopback allow. It prints figures; it asserts nothing
//! about speed.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

#[path = "shared.rs"]
mod shared;

const BRIDGE_BIN: &str = env!("CARGO_BIN_EXE_ma-alexa-bridge");
const CLIENTS: usize = 50;
const DEFAULT_REQUESTS_PER_CLIENT: usize = 2000;
const WARM_UP_PER_CLIENT: usize = 50;
/// `alexa:secret`, the benchmark's credentials.
const AUTHORIZATION: &str = "Basic YWxleGE6c2VjcmV0";

fn main() {
    let per_client = shared::count_arg(DEFAULT_REQUESTS_PER_CLIENT);
    let floor = shared::build_floor();
    let dir = std::env::temp_dir().join(format!("ma-alexa-bridge-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let mut bridge = Command::new(BRIDGE_BIN);
    bridge
        .env_clear()
        .env("BRIDGE_LISTEN", "127.0.0.1:0")
        .env("BRIDGE_USERNAME", "alexa")
        .env("BRIDGE_PASSWORD", "secret")
        .env("BRIDGE_STATE_FILE", dir.join("state.json"))
        // One line per request would measure the terminal; the benchmark measures the bridge.
        .env("RUST_LOG", "warn,ma_alexa_bridge=info");
    let measured = load(&runtime, bridge, per_client);
    let mut bare = Command::new(floor);
    bare.env_clear().args(["serve", "127.0.0.1:0"]);
    let floor = load(&runtime, bare, per_client);
    let _ = std::fs::remove_dir_all(&dir);
    // The bridge rewrote its state file after every push: let those writes reach the disk now,
    // not during whatever is measured next.
    let _ = Command::new("sync").status();

    println!(
        "ma-alexa-bridge, {CLIENTS} concurrent clients on loopback, {} requests (1 push : 4 reads)",
        measured.latencies.len()
    );
    println!("                      bridge       floor   ratio");
    let row = |name: &str, bridge: f64, floor: f64| {
        println!(
            "  {name:<16} {bridge:>10.3} {floor:>11.3} {:>7.2}",
            bridge / floor
        );
    };
    row("requests/s", measured.per_second(), floor.per_second());
    for (name, q) in [
        ("p50 ms", 0.5),
        ("p90 ms", 0.9),
        ("p99 ms", 0.99),
        ("max ms", 1.0),
    ] {
        row(name, measured.ms(q), floor.ms(q));
    }
    let mib = |kib: u64| kib as f64 / 1024.0;
    row("idle RSS MiB", mib(measured.idle_kib), mib(floor.idle_kib));
    row("peak RSS MiB", mib(measured.peak_kib), mib(floor.peak_kib));
}

/// What one server did under the load.
struct Load {
    latencies: Vec<Duration>,
    elapsed: Duration,
    idle_kib: u64,
    peak_kib: u64,
}

impl Load {
    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64()
    }

    fn ms(&self, q: f64) -> f64 {
        shared::quantile_ms(&self.latencies, q)
    }
}

/// Starts `server`, warms it up, runs the clients, stops it.
fn load(runtime: &tokio::runtime::Runtime, server: Command, per_client: usize) -> Load {
    let (mut child, address) = start(server);
    std::thread::sleep(Duration::from_millis(300));
    let idle_kib = shared::memory_kib(child.id(), "VmRSS");
    runtime.block_on(run_clients(&address, WARM_UP_PER_CLIENT));
    let started = Instant::now();
    let mut latencies = runtime.block_on(run_clients(&address, per_client));
    let elapsed = started.elapsed();
    let peak_kib = shared::memory_kib(child.id(), "VmHWM");
    let _ = child.kill();
    let _ = child.wait();
    latencies.sort_unstable();
    Load {
        latencies,
        elapsed,
        idle_kib,
        peak_kib,
    }
}

/// Starts `server` and reads where it listens from its `listening on ADDRESS` line on stderr.
fn start(mut server: Command) -> (Child, String) {
    use std::io::{BufRead, BufReader};
    let mut child = server
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("the server starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let address = loop {
        let line = lines
            .next()
            .and_then(Result::ok)
            .expect("the server says where it listens");
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap_or("").to_owned();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (child, address)
}

/// Runs every client `requests` times; returns each request's latency.
async fn run_clients(address: &str, requests: usize) -> Vec<Duration> {
    let address = Arc::new(address.to_owned());
    let mut tasks = Vec::with_capacity(CLIENTS);
    for client in 0..CLIENTS {
        let address = Arc::clone(&address);
        tasks.push(tokio::spawn(async move {
            one_client(&address, client, requests).await
        }));
    }
    let mut all = Vec::with_capacity(CLIENTS * requests);
    for task in tasks {
        all.extend(task.await.expect("client finished"));
    }
    all
}

async fn one_client(address: &str, client: usize, requests: usize) -> Vec<Duration> {
    let stream = TcpStream::connect(address).await.expect("connects");
    stream.set_nodelay(true).expect("nodelay");
    let (mut sender, connection) = http1::handshake::<_, Full<Bytes>>(TokioIo::new(stream))
        .await
        .expect("handshake");
    tokio::spawn(connection);
    let player = format!("Echo%20{client}");
    let mut latencies = Vec::with_capacity(requests);
    for n in 0..requests {
        let request = match n % 5 {
            0 => {
                // A new stream every other push, else new metadata for the same one.
                let item = n / 10;
                let body = format!(
                    r#"{{"streamUrl": "http://192.168.1.20:8097/flow/s{item}/{player}/i{item}/{player}.mp3", "title": "Track {n}", "artist": "Artist", "album": null, "imageUrl": null}}"#
                );
                Request::post("/ma/push-url")
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(body)))
            }
            4 => Request::get("/ma/latest-url").body(Full::new(Bytes::new())),
            _ => Request::get(format!("/ma/latest-url?playerId={player}"))
                .body(Full::new(Bytes::new())),
        };
        let mut request = request.expect("request");
        request
            .headers_mut()
            .insert("authorization", AUTHORIZATION.parse().expect("header"));
        request
            .headers_mut()
            .insert("host", "127.0.0.1".parse().expect("header"));
        let started = Instant::now();
        let response = sender.send_request(request).await.expect("answered");
        let status = response.status();
        let body = response.into_body().collect().await.expect("body");
        latencies.push(started.elapsed());
        assert!(
            status.is_success() || status.as_u16() == 404,
            "unexpected {status}: {:?}",
            body.to_bytes()
        );
    }
    latencies
}
