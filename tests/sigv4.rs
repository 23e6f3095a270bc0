//! The skill's AWS Signature Version 4 against the AWS SDK's own signer (`aws-sigv4`): the
//! same request, credentials, region and time must get the same headers, so SSM accepts what
//! the skill sends. (moto_server, in the SSM tests, does not check signatures.)

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use ma_alexa_skill::settings::sigv4::{self, Credentials, Scope};

/// One request to sign, with what signing it takes.
struct Case<'a> {
    url: &'a str,
    host: &'a str,
    path: &'a str,
    headers: &'a [(&'a str, &'a str)],
    body: &'a [u8],
    credentials: &'a Credentials,
    region: &'a str,
    time: SystemTime,
}

/// The headers the SDK's signer adds to the case's `POST`.
fn reference(case: &Case<'_>) -> Vec<(String, String)> {
    use secrecy::ExposeSecret;
    let credentials = case.credentials;
    let identity: Identity = aws_credential_types::Credentials::new(
        credentials.access_key_id.clone(),
        credentials.secret_access_key.expose_secret().to_owned(),
        credentials
            .session_token
            .as_ref()
            .map(|t| t.expose_secret().to_owned()),
        None,
        "test",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(case.region)
        .name("ssm")
        .time(case.time)
        .settings(SigningSettings::default())
        .build()
        .expect("signing parameters")
        .into();
    let signable = SignableRequest::new(
        "POST",
        case.url,
        case.headers.iter().copied(),
        SignableBody::Bytes(case.body),
    )
    .expect("a signable request");
    let (instructions, _signature) = sign(signable, &params).expect("signed").into_parts();
    let mut added: Vec<(String, String)> = instructions
        .headers()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.to_owned()))
        .collect();
    added.sort();
    added
}

/// The headers the skill's signer adds to the case's `POST`.
fn ours(case: &Case<'_>) -> Vec<(String, String)> {
    let request = sigv4::Request {
        host: case.host,
        path: case.path,
        headers: case.headers,
        body: case.body,
    };
    let scope = Scope {
        region: case.region,
        service: "ssm",
        time: case.time,
    };
    let mut added: Vec<(String, String)> = sigv4::sign(&request, scope, case.credentials)
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    added.sort();
    added
}

#[test]
fn signatures_match_the_aws_sdk_signer() {
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", "AmazonSSM.GetParametersByPath"),
    ];
    let lambda = Credentials {
        access_key_id: "ASIAEXAMPLEKEYID".into(),
        secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
        session_token: Some("IQoJb3JpZ2luX2VjEXAMPLE/token+with=signs".into()),
    };
    let static_keys = Credentials {
        session_token: None,
        ..lambda.clone()
    };
    let body =
        br#"{"Path":"/ma-alexa-skill","Recursive":false,"WithDecryption":true,"NextToken":null}"#;
    let times = [
        UNIX_EPOCH + Duration::from_secs(1_440_938_160),
        UNIX_EPOCH + Duration::from_secs(1_795_684_380),
    ];
    let cases = [
        (
            "https://ssm.eu-west-1.amazonaws.com/",
            "ssm.eu-west-1.amazonaws.com",
            "/",
            "eu-west-1",
        ),
        ("http://127.0.0.1:5000/", "127.0.0.1:5000", "/", "us-east-1"),
        (
            "https://vpce.example.com/ssm%20api/",
            "vpce.example.com",
            "/ssm%20api/",
            "cn-north-1",
        ),
    ];
    for time in times {
        for credentials in [&lambda, &static_keys] {
            for (url, host, path, region) in cases {
                for body in [&body[..], b""] {
                    let case = Case {
                        url,
                        host,
                        path,
                        headers: &headers,
                        body,
                        credentials,
                        region,
                        time,
                    };
                    assert_eq!(
                        ours(&case),
                        reference(&case),
                        "{url} {region} {time:?} token: {}",
                        credentials.session_token.is_some()
                    );
                }
            }
        }
    }
}
