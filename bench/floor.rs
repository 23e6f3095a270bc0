//! The floor the process benchmarks set the skill beside (`cargo bench` builds it as the example
//! `floor`): what any Rust skill on the same stack must do for a play request, and nothing more.
//! One GET of the bridge's latest stream with a rustls `reqwest` client, that stream on the
//! public host in an `AudioPlayer.Play` answer; a pause gets `AudioPlayer.Stop` without a call.
//! No settings source, no logging, no checks, no deadline: a figure close to this one leaves
//! little to win.
//!
//! ```text
//! floor invoke FILE   answer one event from FILE (as `ma-alexa-skill invoke`)
//! floor serve ADDR    a bare HTTP/1.1 server answering every request with the same small body
//! floor               with AWS_LAMBDA_RUNTIME_API set: serve Lambda invocations
//! ```
//!
//! Reads `API_HOSTNAME` (the bridge's base URL) and `MA_HOSTNAME` (the public host).

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::{json, Value};

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() -> Result<(), Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["invoke", file] => {
            let event: Value = serde_json::from_slice(&std::fs::read(file)?)?;
            let answer = runtime.block_on(answer(&http_client()?, event))?;
            println!("{answer}");
            Ok(())
        }
        ["serve", address] => runtime.block_on(serve(address)),
        _ => {
            let client = http_client()?;
            let client = &client;
            runtime.block_on(lambda_runtime::run(service_fn(
                |event: LambdaEvent<Value>| async move { answer(client, event.payload).await },
            )))
        }
    }
}

fn http_client() -> Result<reqwest::Client, Error> {
    Ok(reqwest::Client::builder().no_proxy().build()?)
}

/// Stop for a pause, else play what the bridge holds, on the public host.
async fn answer(client: &reqwest::Client, event: Value) -> Result<Value, Error> {
    if event["request"]["intent"]["name"] == "AMAZON.PauseIntent" {
        let stop = json!({"type": "AudioPlayer.Stop"});
        return Ok(json!({"version": "1.0", "response": {"directives": [stop]}}));
    }
    let bridge = std::env::var("API_HOSTNAME")?;
    let reply = client.get(format!("{bridge}/ma/latest-url")).send().await?;
    let latest: Value = serde_json::from_slice(&reply.bytes().await?)?;
    let mut url = url::Url::parse(latest["streamUrl"].as_str().ok_or("no streamUrl")?)?;
    url.set_scheme("https").map_err(|()| "scheme")?;
    url.set_host(Some(&std::env::var("MA_HOSTNAME")?))?;
    url.set_port(None).map_err(|()| "port")?;
    let stream = json!({"url": url.as_str(), "token": url.path(), "offsetInMilliseconds": 0});
    let play = json!({"type": "AudioPlayer.Play", "playBehavior": "REPLACE_ALL",
        "audioItem": {"stream": stream, "metadata": {"title": latest["title"]}}});
    Ok(json!({"version": "1.0", "response": {"directives": [play], "shouldEndSession": true}}))
}

/// Answers every request on `address` with a fixed JSON body, one task per connection.
async fn serve(address: &str) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(address).await?;
    eprintln!("floor: listening on {}", listener.local_addr()?);
    let body = Bytes::from_static(br#"{"streamUrl":null,"title":null}"#);
    loop {
        let (stream, _) = listener.accept().await?;
        let body = body.clone();
        tokio::spawn(async move {
            let reply = hyper::service::service_fn(move |_request| {
                let body = body.clone();
                async move { Ok::<_, Infallible>(hyper::Response::new(Full::new(body))) }
            });
            let io = hyper_util::rt::TokioIo::new(stream);
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(io, reply)
                .await;
        });
    }
}
