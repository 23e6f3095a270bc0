//! The skill as a process, beside a floor measured in the same run:
//! `cargo bench --bench process [-- RUNS]`.
//!
//! Every figure is the release `ma-alexa-skill` next to the same figure of `floor` (the example
//! in `bench/floor.rs`: a bare handler on the same runtime, HTTP client and TLS stack that does
//! only what a play request must), so a reader compares ratios, not this machine's absolutes.
//! Two more floors say what the machine costs: spawning a process that does nothing, and one GET
//! on a new loopback connection.
//!
//! - **cold invoke**: `invoke` of a play event, a new process each run (start, settings, one
//!   bridge request, the answer, exit); peak RSS from `wait4`.
//! - **cold under the emulator**: a new process serving the Lambda Runtime API of an emulator in
//!   this benchmark, from spawn to the first answer; peak RSS when it answers.
//! - **warm**: one process answering play and pause events through the emulator, timed from the
//!   emulator handing out the event to the answer arriving (the skill's answer only: the
//!   runtime's own polling is the same for both).
//! - **SSM**: a cold start whose settings come from `GetParametersByPath` (a stand-in on
//!   loopback that counts calls; the tests run the real client against `moto_server`), and the
//!   calls made per cold start and over warm invocations.
//!
//! The bridge stand-in answers every `/ma/latest-url` with `events/bridge/push-url.json`. Cold
//! runs alternate between the skill and the floor, and their ratio is the median of the ratios
//! of side-by-side runs, so drift on the machine touches both alike. It
//! prints figures; it asserts only that every answer is the right one.

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::runtime::Runtime;

#[path = "shared.rs"]
mod shared;

const SKILL: &str = env!("CARGO_BIN_EXE_ma-alexa-skill");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const DEFAULT_COLD_RUNS: usize = 200;
const WARM_RUNS: usize = 2000;
const WARM_SSM_RUNS: usize = 50;
const SSM_PREFIX: &str = "/ma-alexa-skill";

fn main() {
    let cold_runs = shared::count_arg(DEFAULT_COLD_RUNS).max(2);
    let floor = shared::build_floor();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let push = std::fs::read(Path::new(ROOT).join("events/bridge/push-url.json")).expect("reply");
    let bridge = start_bridge(&runtime, Bytes::from(push));
    let ssm = start_ssm(&runtime, &format!("http://{bridge}"));
    let play = event("resume_intent.json");
    let pause = event("pause_intent.json");
    let play_file = Path::new(ROOT).join("events/resume_intent.json");
    let programs = [("skill", PathBuf::from(SKILL)), ("floor", floor)];
    let env = |extra: &[(&'static str, String)]| {
        let mut env = vec![
            ("API_HOSTNAME", format!("http://{bridge}")),
            ("MA_HOSTNAME", "ma.example.net".to_owned()),
            // As deployed (template.yaml): one info line per request, here to /dev/null.
            ("RUST_LOG", "info".to_owned()),
        ];
        env.extend(extra.iter().cloned());
        env
    };

    println!(
        "ma-alexa-skill as a process: {cold_runs} runs per cold figure, {WARM_RUNS} per warm one, \
         {} CPUs, {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::env::consts::ARCH
    );
    let spawn = Stats::of((0..cold_runs).map(|_| {
        let started = Instant::now();
        let status = Command::new("true").status().expect("`true` runs");
        assert!(status.success());
        started.elapsed()
    }));
    let get = Stats::of((0..cold_runs).map(|_| loopback_get(&bridge)));
    println!("floors of this machine");
    println!("  process spawn (`true`)                {}", spawn.line());
    println!("  one GET, new loopback connection      {}", get.line());

    // Cold `invoke`, alternating.
    let mut invoke = [Vec::new(), Vec::new()];
    let mut invoke_rss = [0u64; 2];
    for _ in 0..cold_runs {
        for (i, (_, program)) in programs.iter().enumerate() {
            let (took, rss, output) = run_invoke(program, &play_file, &env(&[]));
            assert!(output.contains("AudioPlayer.Play"), "no play: {output}");
            invoke[i].push(took);
            invoke_rss[i] = invoke_rss[i].max(rss);
        }
    }

    // Cold under the emulator, alternating.
    let mut cold = [Vec::new(), Vec::new()];
    let mut cold_rss = [0u64; 2];
    for _ in 0..cold_runs {
        for (i, (_, program)) in programs.iter().enumerate() {
            let mut lambda = Lambda::start(&runtime, program, &env(&[]));
            let (answer, took) = lambda.cold(&play);
            answer.expect_directive("AudioPlayer.Play");
            cold[i].push(took);
            cold_rss[i] = cold_rss[i].max(lambda.peak_kib());
        }
    }

    // Warm: one process each, play and pause interleaved.
    let mut warm_play = [Vec::new(), Vec::new()];
    let mut warm_pause = [Vec::new(), Vec::new()];
    let mut warm_rss = [0u64; 2];
    for (i, (_, program)) in programs.iter().enumerate() {
        let mut lambda = Lambda::start(&runtime, program, &env(&[]));
        lambda.cold(&play).0.expect_directive("AudioPlayer.Play");
        for _ in 0..WARM_RUNS {
            let answer = lambda.invoke(&play);
            answer.expect_directive("AudioPlayer.Play");
            warm_play[i].push(answer.took());
            let answer = lambda.invoke(&pause);
            answer.expect_directive("AudioPlayer.Stop");
            warm_pause[i].push(answer.took());
        }
        warm_rss[i] = lambda.peak_kib();
    }

    println!();
    println!("figure (p50, with p90 and max)                  skill               floor    ratio");
    row("cold invoke, play", &invoke[0], &invoke[1], true);
    row("cold under the emulator, play", &cold[0], &cold[1], true);
    row(
        "warm under the emulator, play",
        &warm_play[0],
        &warm_play[1],
        false,
    );
    row(
        "warm under the emulator, pause",
        &warm_pause[0],
        &warm_pause[1],
        false,
    );
    let mib = |kib: u64| kib as f64 / 1024.0;
    let rss_row = |name: &str, [skill, floor]: [u64; 2]| {
        println!(
            "  {name:<38} {:>9.1} MiB {:>13.1} MiB {:>6.2}",
            mib(skill),
            mib(floor),
            skill as f64 / floor.max(1) as f64
        );
    };
    rss_row("peak RSS, cold invoke", invoke_rss);
    rss_row("peak RSS, cold under the emulator", cold_rss);
    rss_row(&format!("peak RSS, after {WARM_RUNS} warm pairs"), warm_rss);

    // Settings from SSM: the cold path of a deployed function.
    let ssm_env = env(&[
        ("SSM_PARAMETER_PREFIX", SSM_PREFIX.to_owned()),
        ("AWS_ENDPOINT_URL", format!("http://{}", ssm.address)),
        ("AWS_REGION", "eu-west-1".to_owned()),
        ("AWS_ACCESS_KEY_ID", "bench".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "bench".to_owned()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]);
    let ssm_env: Vec<_> = ssm_env
        .into_iter()
        .filter(|(name, _)| !matches!(*name, "API_HOSTNAME" | "MA_HOSTNAME"))
        .collect();
    let ssm_runs = cold_runs.div_ceil(2);
    let mut cold_ssm = Vec::new();
    let mut rss_ssm = 0;
    let mut calls_cold = Vec::new();
    for _ in 0..ssm_runs {
        let before = ssm.calls.load(Ordering::SeqCst);
        let mut lambda = Lambda::start(&runtime, Path::new(SKILL), &ssm_env);
        let (answer, took) = lambda.cold(&play);
        answer.expect_directive("AudioPlayer.Play");
        cold_ssm.push(took);
        rss_ssm = rss_ssm.max(lambda.peak_kib());
        calls_cold.push(ssm.calls.load(Ordering::SeqCst) - before);
    }
    let mut lambda = Lambda::start(&runtime, Path::new(SKILL), &ssm_env);
    lambda.cold(&play).0.expect_directive("AudioPlayer.Play");
    let before = ssm.calls.load(Ordering::SeqCst);
    for _ in 0..WARM_SSM_RUNS {
        lambda.invoke(&play).expect_directive("AudioPlayer.Play");
    }
    let calls_warm = ssm.calls.load(Ordering::SeqCst) - before;
    drop(lambda);
    let cold_ssm = Stats::of(cold_ssm);
    println!();
    println!("settings from SSM (GetParametersByPath on loopback), {ssm_runs} cold starts");
    println!(
        "  cold under the emulator, play         {}",
        cold_ssm.line()
    );
    println!(
        "  peak RSS                              {:.1} MiB",
        mib(rss_ssm)
    );
    println!(
        "  SSM calls: {} per cold start, {calls_warm} over {WARM_SSM_RUNS} warm invocations",
        calls_cold.iter().max().copied().unwrap_or(0)
    );
}

fn event(name: &str) -> Bytes {
    Bytes::from(std::fs::read(Path::new(ROOT).join("events").join(name)).expect("event file"))
}

/// Percentiles of durations.
struct Stats(Vec<Duration>);

impl Stats {
    fn of(samples: impl IntoIterator<Item = Duration>) -> Self {
        let mut all: Vec<Duration> = samples.into_iter().collect();
        all.sort_unstable();
        assert!(!all.is_empty(), "no samples");
        Self(all)
    }

    fn ms(&self, q: f64) -> f64 {
        shared::quantile_ms(&self.0, q)
    }

    fn line(&self) -> String {
        format!(
            "p50 {:.3} ms  p90 {:.3}  max {:.3}",
            self.ms(0.5),
            self.ms(0.9),
            self.ms(1.0)
        )
    }
}

/// One figure: p50 (p90, max) of the skill and the floor, and their ratio: the median of the
/// ratios of runs made side by side when `paired` (so drift on the machine cancels out), else
/// the ratio of the p50s.
fn row(name: &str, skill: &[Duration], floor: &[Duration], paired: bool) {
    let ratio = if paired {
        let mut ratios: Vec<f64> = skill
            .iter()
            .zip(floor)
            .map(|(s, f)| s.as_secs_f64() / f.as_secs_f64().max(f64::MIN_POSITIVE))
            .collect();
        ratios.sort_by(f64::total_cmp);
        ratios[ratios.len() / 2]
    } else {
        Stats::of(skill.iter().copied()).ms(0.5) / Stats::of(floor.iter().copied()).ms(0.5)
    };
    let (skill, floor) = (
        Stats::of(skill.iter().copied()),
        Stats::of(floor.iter().copied()),
    );
    println!(
        "  {name:<38} {:>6.3} ms ({:.3}, {:.2}) {:>6.3} ms ({:.3}) {ratio:>6.2}",
        skill.ms(0.5),
        skill.ms(0.9),
        skill.ms(1.0),
        floor.ms(0.5),
        floor.ms(0.9),
    );
}

/// One `GET /ma/latest-url` on a new connection, to the end of the reply.
fn loopback_get(address: &str) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect(address).expect("connects");
    stream
        .write_all(b"GET /ma/latest-url HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
        .expect("writes");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("reads");
    let took = started.elapsed();
    assert!(reply.starts_with(b"HTTP/1.1 200"), "the bridge stand-in");
    took
}

/// Runs `program invoke FILE`: wall time, peak RSS in KiB, stdout.
fn run_invoke(program: &Path, file: &Path, env: &[(&str, String)]) -> (Duration, u64, String) {
    let started = Instant::now();
    // Reaped by `wait_with_peak` (wait4), which the lint cannot see.
    #[allow(clippy::zombie_processes)]
    let mut child = Command::new(program)
        .arg("invoke")
        .arg(file)
        .env_clear()
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawns");
    let mut output = String::new();
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut output)
        .expect("reads stdout");
    let (status, peak_kib) = wait_with_peak(&child);
    let took = started.elapsed();
    assert!(
        status == 0,
        "{} invoke exited with {status}",
        program.display()
    );
    (took, peak_kib, output)
}

/// Reaps `child` with `wait4`: its exit status and its own peak RSS in KiB.
fn wait_with_peak(child: &Child) -> (i32, u64) {
    let pid = libc::pid_t::try_from(child.id()).expect("pid");
    let mut status = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills in; the pid is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4");
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, u64::try_from(usage.ru_maxrss).unwrap_or(0))
}

/// Serves HTTP/1.1 on `listener` with `handle`, one task per connection.
fn serve<F, Fut>(runtime: &Runtime, listener: std::net::TcpListener, handle: F)
where
    F: Fn(Request<Incoming>) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Response<Full<Bytes>>> + Send + 'static,
{
    listener.set_nonblocking(true).expect("nonblocking");
    runtime.spawn(async move {
        let listener = TcpListener::from_std(listener).expect("listener");
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let handle = handle.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |request| {
                    let answer = handle(request);
                    async move { Ok::<_, Infallible>(answer.await) }
                });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
}

fn bind() -> (std::net::TcpListener, String) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binds on loopback");
    let address = listener.local_addr().expect("address").to_string();
    (listener, address)
}

fn reply(status: u16, content_type: &str, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .expect("response")
}

/// The bridge: every `/ma/latest-url` gets `push`.
fn start_bridge(runtime: &Runtime, push: Bytes) -> String {
    let (listener, address) = bind();
    serve(runtime, listener, move |request| {
        let found = request.uri().path() == "/ma/latest-url";
        let push = push.clone();
        async move {
            if found {
                reply(200, "application/json", push)
            } else {
                reply(404, "text/plain", "not found")
            }
        }
    });
    address
}

/// An SSM stand-in answering `GetParametersByPath` with the benchmark's settings.
struct Ssm {
    address: String,
    calls: Arc<AtomicUsize>,
}

fn start_ssm(runtime: &Runtime, bridge: &str) -> Ssm {
    let parameter = |name: &str, kind: &str, value: &str| {
        serde_json::json!({"Name": format!("{SSM_PREFIX}/{name}"), "Type": kind, "Value": value,
            "Version": 1, "DataType": "text"})
    };
    let page = serde_json::json!({"Parameters": [
        parameter("API_HOSTNAME", "String", bridge),
        parameter("MA_HOSTNAME", "String", "ma.example.net"),
        parameter("API_USERNAME", "String", "alexa"),
        parameter("API_PASSWORD", "SecureString", "bench-secret"),
    ]});
    let page = Bytes::from(page.to_string());
    let calls = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&calls);
    let (listener, address) = bind();
    serve(runtime, listener, move |request| {
        let page = page.clone();
        let calls = Arc::clone(&counted);
        async move {
            let target = request
                .headers()
                .get("x-amz-target")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            let _ = request.into_body().collect().await;
            if target == "AmazonSSM.GetParametersByPath" {
                calls.fetch_add(1, Ordering::SeqCst);
                reply(200, "application/x-amz-json-1.1", page)
            } else {
                reply(400, "application/x-amz-json-1.1", "{}")
            }
        }
    });
    Ssm { address, calls }
}

/// What a process answered through the emulator.
struct Answer {
    body: Bytes,
    handed_out: Instant,
    arrived: Instant,
}

impl Answer {
    /// From the emulator handing out the event to the answer arriving.
    fn took(&self) -> Duration {
        self.arrived - self.handed_out
    }

    fn expect_directive(&self, directive: &str) {
        let body = String::from_utf8_lossy(&self.body);
        assert!(body.contains(directive), "expected {directive}, got {body}");
    }
}

/// What the emulator's handlers share.
struct Emulator {
    events: tokio::sync::Mutex<tokio::sync::mpsc::UnboundedReceiver<(String, Bytes)>>,
    handed_out: Mutex<HashMap<String, Instant>>,
    answers: Mutex<mpsc::Sender<Result<Answer, String>>>,
}

impl Emulator {
    async fn route(self: Arc<Self>, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let path = request.uri().path().to_owned();
        if path == "/2018-06-01/runtime/invocation/next" {
            let Some((id, body)) = self.events.lock().await.recv().await else {
                return reply(500, "text/plain", "no more events");
            };
            let deadline = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_millis() + 7000);
            let response = Response::builder()
                .header("content-type", "application/json")
                .header("lambda-runtime-aws-request-id", &id)
                .header("lambda-runtime-deadline-ms", deadline.to_string())
                .header(
                    "lambda-runtime-invoked-function-arn",
                    "arn:aws:lambda:eu-west-1:123456789012:function:bench",
                )
                .header("lambda-runtime-trace-id", "Root=1-bench")
                .body(Full::new(body))
                .expect("response");
            self.handed_out
                .lock()
                .expect("lock")
                .insert(id, Instant::now());
            return response;
        }
        let body = request
            .into_body()
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let arrived = Instant::now();
        let id = path
            .strip_prefix("/2018-06-01/runtime/invocation/")
            .and_then(|rest| rest.strip_suffix("/response"));
        let answer = match id {
            Some(id) => match self.handed_out.lock().expect("lock").remove(id) {
                Some(handed_out) => Ok(Answer {
                    body,
                    handed_out,
                    arrived,
                }),
                None => Err(format!("an answer to unknown invocation {id}")),
            },
            None => Err(format!("{path}: {}", String::from_utf8_lossy(&body))),
        };
        let _ = self.answers.lock().expect("lock").send(answer);
        reply(202, "application/json", r#"{"status":"OK"}"#)
    }
}

/// A process serving the Lambda Runtime API of its own emulator.
struct Lambda {
    child: Child,
    spawned: Instant,
    events: tokio::sync::mpsc::UnboundedSender<(String, Bytes)>,
    answers: mpsc::Receiver<Result<Answer, String>>,
    next_id: usize,
}

impl Lambda {
    fn start(runtime: &Runtime, program: &Path, env: &[(&str, String)]) -> Self {
        let (events, queued) = tokio::sync::mpsc::unbounded_channel();
        let (answered, answers) = mpsc::channel();
        let emulator = Arc::new(Emulator {
            events: tokio::sync::Mutex::new(queued),
            handed_out: Mutex::new(HashMap::new()),
            answers: Mutex::new(answered),
        });
        let (listener, address) = bind();
        serve(runtime, listener, move |request| {
            Arc::clone(&emulator).route(request)
        });
        let spawned = Instant::now();
        let child = Command::new(program)
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .env("AWS_LAMBDA_RUNTIME_API", address)
            .env("AWS_LAMBDA_FUNCTION_NAME", "bench")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawns");
        Self {
            child,
            spawned,
            events,
            answers,
            next_id: 0,
        }
    }

    /// The first invocation, timed from the process's spawn.
    fn cold(&mut self, event: &Bytes) -> (Answer, Duration) {
        let answer = self.invoke(event);
        let took = answer.arrived.duration_since(self.spawned);
        (answer, took)
    }

    fn invoke(&mut self, event: &Bytes) -> Answer {
        self.next_id += 1;
        let id = format!("bench-{}", self.next_id);
        self.events.send((id, event.clone())).expect("emulator");
        match self.answers.recv_timeout(Duration::from_secs(10)) {
            Ok(Ok(answer)) => answer,
            Ok(Err(error)) => panic!("the process failed: {error}"),
            Err(_) => panic!("no answer within 10 s"),
        }
    }

    fn peak_kib(&self) -> u64 {
        shared::memory_kib(self.child.id(), "VmHWM")
    }
}

impl Drop for Lambda {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
