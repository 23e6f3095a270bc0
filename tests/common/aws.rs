//! A real SSM-compatible endpoint for tests: `moto_server` (pip `moto[server]`) started on
//! 127.0.0.1, and a counting proxy in front of it.

use std::net::TcpStream as StdTcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use ma_alexa_skill::settings::aws::Target;
use ma_alexa_skill::settings::sigv4::Credentials;
use ma_alexa_skill::settings::ssm::SsmReader;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The session token the tests' credentials carry; it must never be logged.
pub const SESSION_TOKEN: &str = "FwoGZXIvYXdzEXAMPLE-SESSION-TOKEN-must-stay-secret";

/// A `moto_server` process on 127.0.0.1, stopped when dropped.
pub struct Moto {
    child: Child,
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
}

impl Moto {
    /// Starts `moto_server` on a free loopback port and waits until it accepts connections.
    pub async fn start() -> Self {
        let port = {
            let probe = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            probe.local_addr().expect("addr").port()
        };
        let child = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start moto_server ({e}): install it with pip install 'moto[server]' (bash .ci/run does)")
            });
        let moto = Self {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        };
        let started = Instant::now();
        while StdTcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto_server did not start within 30 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        moto
    }

    /// Puts `name` = `value` (a `SecureString` when `secure`), overwriting: a `PutParameter`
    /// call signed like the skill signs its own.
    pub async fn put(&self, name: &str, value: &str, secure: bool) {
        let body = serde_json::json!({
            "Name": name,
            "Value": value,
            "Type": if secure { "SecureString" } else { "String" },
            "Overwrite": true,
        });
        let reply = target(&self.endpoint)
            .request(
                &reqwest::Client::new(),
                "PutParameter",
                body.to_string().into(),
            )
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {name}: {e}"));
        let status = reply.status();
        let text = reply.text().await.unwrap_or_default();
        assert!(status.is_success(), "put {name}: {status} {text}");
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// SSM at `endpoint` in eu-west-1, with dummy credentials: never anything but loopback.
pub fn target(endpoint: &str) -> Target {
    assert!(
        endpoint.starts_with("http://127.0.0.1:"),
        "tests stay on loopback: {endpoint}"
    );
    Target {
        endpoint: url::Url::parse(endpoint).expect("an endpoint URL"),
        region: "eu-west-1".into(),
        credentials: Credentials {
            access_key_id: "AKIDEXAMPLETESTKEY".into(),
            secret_access_key: "test-secret-access-key-must-stay-secret".into(),
            session_token: Some(SESSION_TOKEN.into()),
        },
    }
}

/// A reader for `prefix` that calls `endpoint`.
pub fn reader(prefix: &str, endpoint: &str) -> SsmReader {
    SsmReader::aimed(prefix, target(endpoint)).expect("valid prefix")
}

/// A TCP proxy on 127.0.0.1 that forwards every connection to `target` and counts requests.
pub struct CountingProxy {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    requests: Arc<AtomicUsize>,
}

impl CountingProxy {
    /// Starts a proxy in front of `target` (`http://127.0.0.1:<port>`).
    pub async fn start(target: &str) -> Self {
        Self::start_slow(target, Duration::ZERO).await
    }

    /// The same, holding back each connection's answer for `delay`: a slow SSM.
    pub async fn start_slow(target: &str, delay: Duration) -> Self {
        let target = target.trim_start_matches("http://").to_owned();
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&requests);
        tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let target = target.clone();
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let Ok(mut server) = tokio::net::TcpStream::connect(&target).await else {
                        return;
                    };
                    let (mut client_read, mut client_write) = client.split();
                    let (mut server_read, mut server_write) = server.split();
                    let upstream = async {
                        let mut buf = [0u8; 8192];
                        loop {
                            let n = match client_read.read(&mut buf).await {
                                Ok(0) | Err(_) => break,
                                Ok(n) => n,
                            };
                            let text = String::from_utf8_lossy(&buf[..n]);
                            counter.fetch_add(
                                text.matches("POST / HTTP/1.1").count(),
                                Ordering::SeqCst,
                            );
                            if server_write.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                        let _ = server_write.shutdown().await;
                    };
                    let downstream = async {
                        tokio::time::sleep(delay).await;
                        let _ = tokio::io::copy(&mut server_read, &mut client_write).await;
                        let _ = client_write.shutdown().await;
                    };
                    tokio::join!(upstream, downstream);
                });
            }
        });
        Self { endpoint, requests }
    }

    /// How many HTTP requests went through.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}
