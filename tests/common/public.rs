//! The public side of a home, on 127.0.0.1: a reverse proxy with TLS ([`PublicProxy`]) routing
//! by path prefix as the home path's proxy does (to the real bridge, to a stream server, or an
//! answer of its own), and a stand-in for Music Assistant's stream server ([`MaStreamServer`]).

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rcgen::KeyPair;
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{crypto::ring, ServerConfig};
use tokio_rustls::TlsAcceptor;

use super::tls::TestCa;

/// Where the proxy sends the requests of one route.
#[derive(Debug, Clone)]
pub enum Upstream {
    /// Forwarded to this plain-HTTP base (`http://127.0.0.1:<port>`); when nothing answers
    /// there, the proxy's own 502, as Caddy and nginx answer.
    To(String),
    /// The proxy answers this status itself, with an empty body.
    Status(u16),
}

/// An HTTPS reverse proxy on 127.0.0.1 with a certificate for `localhost` from a test CA. The
/// first route whose prefix starts the path takes the request; any other path gets the proxy's
/// own empty 404 (what the home path's Caddyfile answers for everything it does not carry).
pub struct PublicProxy {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

impl PublicProxy {
    /// Starts the proxy with `routes` (path prefix, upstream), certified by `ca`.
    pub async fn start(ca: &TestCa, routes: Vec<(&'static str, Upstream)>) -> Self {
        let key = KeyPair::generate().expect("key");
        let pem = ca.issue(&["localhost", "127.0.0.1"], &key, None);
        Self::serve(CertificateDer::from(pem_der(&pem)), &key, routes).await
    }

    /// Starts the proxy with `routes` and a self-signed certificate for `localhost`, as a proxy
    /// left with a certificate it made itself serves.
    pub async fn self_signed(routes: Vec<(&'static str, Upstream)>) -> Self {
        let key = KeyPair::generate().expect("key");
        let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
        let cert = params.self_signed(&key).expect("certificate");
        Self::serve(cert.der().clone(), &key, routes).await
    }

    async fn serve(
        cert: CertificateDer<'static>,
        key: &KeyPair,
        routes: Vec<(&'static str, Upstream)>,
    ) -> Self {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .expect("server config");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        assert!(addr.ip().is_loopback(), "test servers stay on loopback");
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let routes = Arc::new(routes);
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let routes = Arc::clone(&routes);
                let counter = Arc::clone(&counter);
                let client = client.clone();
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: nothing to do.
                    let Ok(tls) = acceptor.accept(socket).await else {
                        return;
                    };
                    let service = service_fn(move |request: Request<Incoming>| {
                        counter.fetch_add(1, Ordering::SeqCst);
                        let routes = Arc::clone(&routes);
                        let client = client.clone();
                        async move { Ok::<_, Infallible>(route(&routes, &client, request).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        });
        Self { addr, hits }
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.addr
    }

    /// How many requests it received.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// The DER inside one PEM block.
pub fn pem_der(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM body")
}

fn empty(status: u16) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = StatusCode::from_u16(status).expect("status");
    response
}

async fn route(
    routes: &[(&'static str, Upstream)],
    client: &reqwest::Client,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    let Some((_, upstream)) = routes.iter().find(|(prefix, _)| path.starts_with(prefix)) else {
        return empty(404);
    };
    let base = match upstream {
        Upstream::Status(status) => return empty(*status),
        Upstream::To(base) => base,
    };
    let target = format!(
        "{base}{}",
        request.uri().path_and_query().map_or("/", |p| p.as_str())
    );
    let method = request.method().clone();
    let mut headers = request.headers().clone();
    for name in ["host", "connection", "content-length", "transfer-encoding"] {
        headers.remove(name);
    }
    let Ok(body) = request.into_body().collect().await.map(|b| b.to_bytes()) else {
        return empty(400);
    };
    let answer = client
        .request(method, target)
        .headers(headers)
        .body(body)
        .send()
        .await;
    let Ok(answer) = answer else {
        return empty(502);
    };
    let status = answer.status();
    let mut headers = answer.headers().clone();
    for name in ["connection", "content-length", "transfer-encoding"] {
        headers.remove(name);
    }
    let body = answer.bytes().await.unwrap_or_default();
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    response
}

/// Music Assistant's stream server (port 8097) as a player, or the doctor, meets it, in the
/// shape of Music Assistant 2.8 and later: `/flow/` and `/single/`
/// `{session}/{queue}/{item}/{player}.{fmt}` streams for the queues it knows, its handlers'
/// 404 naming an unknown queue (`404: Unknown Queue: …`) or announcement player
/// (`404: Unknown Player: …`) in aiohttp's words, and the bare 404 of its catch-all route for
/// every other path.
pub struct MaStreamServer {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<String>>>,
}

impl MaStreamServer {
    /// Serves the sessions of `queues` (session id → queue id).
    pub async fn start(queues: &[(&str, &str)]) -> Self {
        let queues: Arc<HashMap<String, String>> = Arc::new(
            queues
                .iter()
                .map(|(session, queue)| ((*queue).to_owned(), (*session).to_owned()))
                .collect(),
        );
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        assert!(addr.ip().is_loopback(), "test servers stay on loopback");
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let queues = Arc::clone(&queues);
                let log = Arc::clone(&log);
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let path = request.uri().path().to_owned();
                        log.lock().expect("lock").push(path.clone());
                        let response = stream_answer(&queues, &path);
                        async move { Ok::<_, Infallible>(response) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(socket), service)
                        .await;
                });
            }
        });
        Self { addr, seen }
    }

    /// `http://127.0.0.1:<port>`.
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The paths it was asked for.
    pub fn seen(&self) -> Vec<String> {
        self.seen.lock().expect("lock").clone()
    }
}

/// aiohttp's `HTTPNotFound(reason=…)`: the reason in the status line and in the body.
fn not_found(reason: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(format!("404: {reason}"))));
    *response.status_mut() = StatusCode::NOT_FOUND;
    response.headers_mut().insert(
        "content-type",
        "text/plain; charset=utf-8".parse().expect("header"),
    );
    response
}

fn stream_answer(queues: &HashMap<String, String>, path: &str) -> Response<Full<Bytes>> {
    let decoded = |segment: &str| {
        percent_encoding::percent_decode_str(segment)
            .decode_utf8_lossy()
            .into_owned()
    };
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["flow" | "single", session, queue, _item, file] if file.contains('.') => {
            let queue = decoded(queue);
            match queues.get(&queue) {
                None => not_found(&format!("Unknown Queue: {queue}")),
                Some(known) if known != session => {
                    not_found(&format!("Unknown (or invalid) session: {session}"))
                }
                Some(_) => {
                    let mut response =
                        Response::new(Full::new(Bytes::from_static(b"ID3\x04\x00\x00\x00\x00")));
                    let headers = response.headers_mut();
                    headers.insert("content-type", "audio/mpeg".parse().expect("header"));
                    headers.insert("accept-ranges", "none".parse().expect("header"));
                    response
                }
            }
        }
        ["announcement", file] if file.contains('.') => {
            let player = decoded(file.rsplit_once('.').map_or(*file, |(name, _)| name));
            not_found(&format!("Unknown Player: {player}"))
        }
        // The catch-all route of Music Assistant's web server class: a bare 404.
        _ => empty(404),
    }
}
