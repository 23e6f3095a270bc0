//! HTTPS stand-ins on 127.0.0.1 with certificates made in the test: signed by a test
//! certificate authority (which a test may choose to trust), self-signed, and each kind of
//! certificate an Echo refuses ([`Flaw`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::{crypto::ring, ServerConfig};
use tokio_rustls::TlsAcceptor;

/// A certificate authority made for one test.
pub struct TestCa {
    cert: rcgen::Certificate,
    key: KeyPair,
}

impl TestCa {
    /// A new CA, "ma-alexa-skill test CA".
    pub fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "ma-alexa-skill test CA");
        let key = KeyPair::generate().expect("CA key");
        let cert = params.self_signed(&key).expect("CA certificate");
        Self { cert, key }
    }

    /// The CA certificate, DER, for a client to trust.
    pub fn root_der(&self) -> Vec<u8> {
        self.cert.der().to_vec()
    }

    /// A certificate for `names` signed by this CA with `key`, valid from `not_before` to
    /// `not_after` when given, PEM: for request-signing chains.
    pub fn issue(
        &self,
        names: &[&str],
        key: &KeyPair,
        validity: Option<(time::OffsetDateTime, time::OffsetDateTime)>,
    ) -> String {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let mut params = CertificateParams::new(names.clone()).expect("params");
        params.distinguished_name.push(
            DnType::CommonName,
            names.first().cloned().unwrap_or_default(),
        );
        if let Some((from, to)) = validity {
            params.not_before = from;
            params.not_after = to;
        }
        params
            .signed_by(key, &self.cert, &self.key)
            .expect("certificate")
            .pem()
    }

    /// The CA certificate, PEM.
    pub fn root_pem(&self) -> String {
        self.cert.pem()
    }

    /// A certificate for 127.0.0.1 and localhost signed by this CA, with its key.
    fn leaf(&self) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        self.flawed(None)
    }

    /// A certificate signed by this CA for 127.0.0.1 and localhost, with `flaw` (none: a good
    /// one), and its key.
    fn flawed(&self, flaw: Option<Flaw>) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let names = match flaw {
            Some(Flaw::OtherName) => vec!["music.example.org".to_owned()],
            _ => vec!["127.0.0.1".to_owned(), "localhost".to_owned()],
        };
        let mut params = CertificateParams::new(names).expect("leaf params");
        let now = time::OffsetDateTime::now_utc();
        match flaw {
            None | Some(Flaw::OtherName) => {}
            Some(Flaw::Expired) => {
                params.not_before = now - time::Duration::days(90);
                params.not_after = now - time::Duration::days(3);
            }
            Some(Flaw::NotYetValid) => {
                params.not_before = now + time::Duration::days(2);
                params.not_after = now + time::Duration::days(90);
            }
            Some(Flaw::CaAsServer) => {
                params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            }
            Some(Flaw::ClientOnly) => {
                params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
            }
        }
        let key = KeyPair::generate().expect("leaf key");
        let cert = params
            .signed_by(&key, &self.cert, &self.key)
            .expect("leaf certificate");
        (cert.der().clone(), pkcs8(&key))
    }
}

/// What can be wrong with a certificate a trusted CA signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flaw {
    /// It ended three days ago.
    Expired,
    /// It starts in two days.
    NotYetValid,
    /// It names another host (`music.example.org`).
    OtherName,
    /// It is a CA certificate (basicConstraints CA:TRUE) serving as the host's own.
    CaAsServer,
    /// Its extended key usage is client authentication only.
    ClientOnly,
}

fn pkcs8(key: &KeyPair) -> PrivateKeyDer<'static> {
    PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()))
}

/// A self-signed certificate for 127.0.0.1, with its key: an end-entity one (`ca` false), or
/// what `openssl req -x509 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1` makes (`ca`
/// true: OpenSSL's default `v3_ca` extensions set basicConstraints CA:TRUE).
fn self_signed(ca: bool) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("params");
    if ca {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(DnType::CommonName, "127.0.0.1");
    }
    let key = KeyPair::generate().expect("key");
    let cert = params.self_signed(&key).expect("certificate");
    (cert.der().clone(), pkcs8(&key))
}

/// The few bytes of "audio" an [`Answer`] carries.
const AUDIO: &[u8] = b"ID3\x04\x00\x00\x00\x00\x00\x00";

/// What an HTTPS stand-in answers every request with.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The `Content-Type`.
    pub content_type: &'static str,
}

/// An HTTPS server on 127.0.0.1 answering every request with one [`Answer`], or serving files
/// by path.
pub struct TlsStub {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
}

/// What a [`TlsStub`] serves.
#[derive(Clone)]
enum Content {
    /// Every request gets this status and content type, and a few bytes of audio.
    Answer(Answer),
    /// Files by path (`/echo.api/cert.pem`); other paths get 404.
    Files(Arc<HashMap<String, Vec<u8>>>),
}

impl TlsStub {
    /// Serves with a certificate from `ca`.
    pub async fn signed_by(ca: &TestCa, answer: Answer) -> Self {
        let (cert, key) = ca.leaf();
        Self::serve(cert, key, Content::Answer(answer)).await
    }

    /// Serves `files` (path → body) with a certificate from `ca`.
    pub async fn files(ca: &TestCa, files: &[(&str, Vec<u8>)]) -> Self {
        let (cert, key) = ca.leaf();
        let files = files
            .iter()
            .map(|(p, b)| ((*p).to_owned(), b.clone()))
            .collect();
        Self::serve(cert, key, Content::Files(Arc::new(files))).await
    }

    /// How many requests it answered.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    /// Serves with a self-signed certificate.
    pub async fn self_signed(answer: Answer) -> Self {
        let (cert, key) = self_signed(false);
        Self::serve(cert, key, Content::Answer(answer)).await
    }

    /// Serves with a self-signed CA certificate, as `openssl req -x509` makes.
    pub async fn openssl_self_signed(answer: Answer) -> Self {
        let (cert, key) = self_signed(true);
        Self::serve(cert, key, Content::Answer(answer)).await
    }

    /// Serves with a certificate from `ca` that has `flaw`.
    pub async fn flawed(ca: &TestCa, flaw: Flaw, answer: Answer) -> Self {
        let (cert, key) = ca.flawed(Some(flaw));
        Self::serve(cert, key, Content::Answer(answer)).await
    }

    async fn serve(
        cert: CertificateDer<'static>,
        key: PrivateKeyDer<'static>,
        content: Content,
    ) -> Self {
        let config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .expect("server config");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        assert!(addr.ip().is_loopback());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                let content = content.clone();
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: nothing to do.
                    let Ok(mut tls) = acceptor.accept(socket).await else {
                        return;
                    };
                    let mut head = Vec::new();
                    let mut buf = [0u8; 1024];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    counter.fetch_add(1, Ordering::SeqCst);
                    let (status, content_type, body) = match &content {
                        Content::Answer(answer) => {
                            (answer.status, answer.content_type, AUDIO.to_vec())
                        }
                        Content::Files(files) => {
                            let head = String::from_utf8_lossy(&head);
                            let path = head.split_whitespace().nth(1).unwrap_or("/");
                            match files.get(path) {
                                Some(body) => (200, "application/x-pem-file", body.clone()),
                                None => (404, "text/plain", b"not found".to_vec()),
                            }
                        }
                    };
                    let response = format!(
                        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = tls.write_all(response.as_bytes()).await;
                    let _ = tls.write_all(&body).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        Self { addr, hits }
    }

    /// `https://127.0.0.1:<port>`, for `MA_HOSTNAME`.
    pub fn base(&self) -> String {
        format!("https://{}", self.addr)
    }
}
