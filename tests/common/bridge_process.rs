//! The real `ma-alexa-bridge` binary, started on 127.0.0.1 for a test, and a folder of its own.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The bridge binary Cargo built for the tests.
pub const BRIDGE_BIN: &str = env!("CARGO_BIN_EXE_ma-alexa-bridge");

/// A folder under the system's temporary folder, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new, empty folder.
    pub fn new(name: &str) -> Self {
        static COUNT: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "ma-alexa-{name}-{}-{}",
            std::process::id(),
            COUNT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temporary folder");
        Self(path)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running bridge. Killed when dropped, unless it was stopped.
pub struct BridgeProcess {
    child: Option<Child>,
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    logs: Arc<Mutex<String>>,
    reader: Option<std::thread::JoinHandle<()>>,
}

impl BridgeProcess {
    /// Starts the bridge with only `envs` in its environment (plus `BRIDGE_LISTEN=127.0.0.1:0`
    /// unless given) and waits until it listens.
    pub fn start(envs: &[(&str, &str)]) -> Self {
        let mut command = Command::new(BRIDGE_BIN);
        command
            .env_clear()
            .env("BRIDGE_LISTEN", "127.0.0.1:0")
            .envs(envs.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the bridge starts");
        let stderr = child.stderr.take().expect("stderr");
        let logs = Arc::new(Mutex::new(String::new()));
        let (address_tx, address_rx) = mpsc::channel();
        let sink = Arc::clone(&logs);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    // Text or JSON lines: the address is the run of address characters.
                    let address: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_digit() || ".:[]".contains(*c))
                        .collect();
                    let _ = address_tx.send(address);
                }
                let mut logs = sink.lock().expect("lock");
                logs.push_str(&line);
                logs.push('\n');
            }
        });
        let address = address_rx
            .recv_timeout(Duration::from_secs(10))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!("the bridge did not start: {}", logs.lock().expect("lock"))
            });
        assert!(
            address.starts_with("127.0.0.1:"),
            "test bridges stay on loopback: {address}"
        );
        Self {
            child: Some(child),
            base: format!("http://{address}"),
            logs,
            reader: Some(reader),
        }
    }

    /// Everything it logged so far.
    pub fn logs(&self) -> String {
        self.logs.lock().expect("lock").clone()
    }

    /// Its logs once a line containing every one of `needles` has arrived (the bridge's stderr is
    /// read by a thread, so a line written before an answer may reach the test after it), or
    /// everything so far once `within` has passed.
    pub fn logs_with(&self, needles: &[&str], within: Duration) -> String {
        let until = std::time::Instant::now() + within;
        loop {
            let logs = self.logs();
            let found = logs
                .lines()
                .any(|line| needles.iter().all(|n| line.contains(n)));
            if found || std::time::Instant::now() >= until {
                return logs;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Sends SIGTERM, waits for it to exit, and returns its status and all its logs.
    pub fn terminate(mut self) -> (ExitStatus, String) {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success(), "SIGTERM sent");
        let exit = wait_with_timeout(&mut child, Duration::from_secs(15));
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        (exit, self.logs())
    }
}

impl Drop for BridgeProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Runs the bridge binary with `args` and only `envs`, to its end (for commands and settings
/// that stop it at once).
pub fn run_bridge(args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    Command::new(BRIDGE_BIN)
        .args(args)
        .env_clear()
        .envs(envs.iter().copied())
        .stdin(Stdio::null())
        .output()
        .expect("the bridge runs")
}

fn wait_with_timeout(child: &mut Child, timeout: Duration) -> ExitStatus {
    let deadline = std::time::Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            panic!("the bridge did not stop within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The real bridge of a test home, in a folder of its own.
pub struct HomeBridge {
    /// The running bridge.
    pub process: BridgeProcess,
    _dir: TempDir,
}

impl HomeBridge {
    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        self.process.base.clone()
    }

    /// How many requests the bridge got from the skill and its tools (every request but Music
    /// Assistant's pushes, which set the test up), as the bridge's log tells (it logs every
    /// request). A marker request goes first, and its line is waited for, so every earlier line
    /// has arrived.
    pub fn count(&self) -> usize {
        static MARKS: AtomicUsize = AtomicUsize::new(0);
        let mark = format!("/count-mark-{}", MARKS.fetch_add(1, Ordering::Relaxed));
        let address = self.process.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).expect("the bridge listens");
        std::io::Write::write_all(
            &mut stream,
            format!("GET {mark} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .expect("sent");
        let _ = std::io::Read::read_to_end(&mut stream, &mut Vec::new());
        let marked = format!("path=\"{mark}\"");
        let logs = self
            .process
            .logs_with(&[marked.as_str()], Duration::from_secs(5));
        let before = logs.split(marked.as_str()).next().expect("some text");
        assert!(
            before.len() < logs.len(),
            "the marker was never logged: {logs}"
        );
        // The whole lines before the marker's own.
        let before = &before[..before.rfind('\n').map_or(0, |end| end + 1)];
        before
            .lines()
            .filter(|line| {
                line.contains(" request method=") && !line.contains("path=\"/ma/push-url\"")
            })
            .count()
    }
}

impl HomeBridge {
    /// The real bridge holding `pushed` (a push body, as Music Assistant sends it).
    pub async fn holding(pushed: String) -> Self {
        let dir = TempDir::new("home-bridge");
        let state = dir.path().join("state.json").display().to_string();
        let process = BridgeProcess::start(&[("BRIDGE_STATE_FILE", &state)]);
        push(&process.base, pushed).await;
        Self { process, _dir: dir }
    }
}

/// A home with the real bridge: `ma-alexa-bridge` holding [`super::CURRENT_STREAM`] (pushed the
/// way Music Assistant pushes it), and a Music Assistant stand-in that, like the real one, pushes
/// [`super::NEXT_STREAM`] to the bridge after `play_media` and `play_index`.
pub struct RealHome {
    /// The real bridge.
    pub bridge: HomeBridge,
    /// The Music Assistant stand-in.
    pub ma: super::Stub,
}

impl RealHome {
    /// The bridge started, its current stream pushed, and Music Assistant answering with `reply`.
    pub async fn start(
        reply: impl Fn(&str, &serde_json::Value) -> super::Reply + Send + Sync + 'static,
    ) -> Self {
        let bridge = HomeBridge::holding(super::current_reply()).await;
        let base = bridge.base();
        let ma = super::Stub::music_assistant(move |command, args| {
            if command == "player_queues/play_media" || command == "player_queues/play_index" {
                let base = base.clone();
                tokio::spawn(async move { push(&base, super::next_reply()).await });
            }
            reply(command, args)
        })
        .await;
        Self { bridge, ma }
    }

    /// The skill's settings for this home ([`super::settings_with_ma`]).
    pub fn settings(&self) -> ma_alexa_skill::settings::Settings {
        super::settings_with_ma(&self.bridge.base(), &self.ma.base())
    }
}

/// `body` pushed to the bridge at `base` as Music Assistant pushes it; the bridge must take it.
async fn push(base: &str, body: String) {
    let pushed = reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("client")
        .post(format!("{base}/ma/push-url"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("pushed");
    assert_eq!(pushed.status(), 200, "the bridge took the push");
}
