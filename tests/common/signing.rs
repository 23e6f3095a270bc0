//! Requests signed the way Alexa signs them, with a test key whose certificate chain a test
//! certificate authority issues and a loopback HTTPS host serves (the bridge trusts that CA only
//! in test builds: the `test-trust` feature).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use base64::Engine as _;
use rcgen::{KeyPair, PKCS_RSA_SHA256};
use ring::signature::{RsaKeyPair, RSA_PKCS1_SHA256};
use serde_json::{json, Value};

use super::bridge_process::TempDir;
use super::tls::{TestCa, TlsStub};

/// Where the chain host serves the good chain, as Amazon's `SignatureCertChainUrl` path.
pub const CHAIN: &str = "/echo.api/echo-api-cert.pem";

/// The test signing key (RSA 2048, like Amazon's), PKCS#8 PEM.
pub fn key_pem() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/signing-key.pem"
    ))
    .expect("tests/fixtures/signing-key.pem")
}

/// Signs `body` with the test key: the `Signature-256` header value.
pub fn sign(body: &[u8]) -> String {
    let der = pem_body(&key_pem());
    let key = RsaKeyPair::from_pkcs8(&der).expect("RSA key");
    let mut signature = vec![0; key.public().modulus_len()];
    key.sign(
        &RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        body,
        &mut signature,
    )
    .expect("signs");
    base64::engine::general_purpose::STANDARD.encode(signature)
}

fn pem_body(pem: &str) -> Vec<u8> {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .expect("PEM body")
}

/// The test signing key as rcgen wants it, to issue its certificate.
pub fn signing_key() -> KeyPair {
    KeyPair::from_pkcs8_pem_and_sign_algo(&key_pem(), &PKCS_RSA_SHA256).expect("RSA key pair")
}

/// The sample event `stem` as Alexa would send it now, `age` old.
pub fn request_body_of(stem: &str, age: Duration) -> Vec<u8> {
    let mut event = super::event(stem);
    let at = SystemTime::now() - age;
    event["request"]["timestamp"] = json!(rfc3339(at));
    serde_json::to_vec(&event).expect("serializes")
}

/// A "play audio" request like Alexa's, `age` old.
pub fn request_body(age: Duration) -> Vec<u8> {
    request_body_of("play_audio_intent", age)
}

/// `at` as Alexa writes request timestamps.
pub fn rfc3339(at: SystemTime) -> String {
    let odt = time::OffsetDateTime::from(at);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        odt.year(),
        u8::from(odt.month()),
        odt.day(),
        odt.hour(),
        odt.minute(),
        odt.second()
    )
}

/// A chain host for the real bridge binary: a test CA, the good chain served at [`CHAIN`] over
/// HTTPS on 127.0.0.1, and the CA's certificate in a file, for the environment a test build of
/// the bridge reads its test trust from.
pub struct ChainHost {
    /// The HTTPS server of the chain.
    pub stub: TlsStub,
    root_file: PathBuf,
    _dir: TempDir,
}

impl ChainHost {
    /// Starts the chain host.
    pub async fn start() -> Self {
        let ca = TestCa::new();
        let leaf = ca.issue(&["echo-api.amazon.com"], &signing_key(), None);
        let chain = format!("{leaf}{}", ca.root_pem()).into_bytes();
        let stub = TlsStub::files(&ca, &[(CHAIN, chain)]).await;
        let dir = TempDir::new("chain-host");
        let root_file = dir.path().join("root.der");
        std::fs::write(&root_file, ca.root_der()).expect("root written");
        Self {
            stub,
            root_file,
            _dir: dir,
        }
    }

    /// The bridge's environment for trusting this host (test builds only).
    pub fn bridge_env(&self) -> Vec<(&'static str, String)> {
        vec![
            (
                "MA_ALEXA_TEST_TRUST_ROOT_DER",
                self.root_file.display().to_string(),
            ),
            ("MA_ALEXA_TEST_TRUST_ORIGIN", self.stub.base()),
        ]
    }

    /// The headers Alexa sends with `body`, signed by the test key.
    pub fn signed_headers(&self, body: &[u8]) -> Vec<(&'static str, String)> {
        vec![
            (
                "SignatureCertChainUrl",
                format!("{}{CHAIN}", self.stub.base()),
            ),
            ("Signature-256", sign(body)),
        ]
    }
}

/// The JSON of a response body, or `null`.
pub fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}
