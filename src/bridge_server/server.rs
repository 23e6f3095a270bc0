//! The listener: HTTP/1.1 connections onto [`Bridge::answer`], one log line per request, and a
//! graceful stop.
//!
//! Limits, so a slow or hostile client cannot tie the bridge up: request headers must arrive
//! within [`HEADER_TIMEOUT`] and fit in [`MAX_HEADER_BYTES`]; at most [`MAX_CONNECTIONS`]
//! connections are served at once (further ones are closed at once); bodies are capped where
//! they are read (see `routes`). On shutdown the listener closes, requests in flight finish
//! (for up to [`SHUTDOWN_GRACE`]), and idle connections are closed.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use super::routes::{clipped, Answer, Bridge};

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 256;
/// How long a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (request line and headers).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Longest path written to a log line.
const MAX_LOGGED_PATH: usize = 200;
/// How long requests in flight may take to finish once a stop is asked for.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Serves `bridge` on `listener` until `shutdown` resolves, then stops gracefully.
pub async fn serve(listener: TcpListener, bridge: Arc<Bridge>, shutdown: impl Future<Output = ()>) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .max_buf_size(MAX_HEADER_BYTES)
        .max_header_size(MAX_HEADER_BYTES);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else {
            tracing::warn!(client = %peer.ip(), "{MAX_CONNECTIONS} connections are open already: closed a new one");
            continue;
        };
        let _ = stream.set_nodelay(true);
        let bridge = Arc::clone(&bridge);
        let service = service_fn(move |request| {
            let bridge = Arc::clone(&bridge);
            async move { Ok::<_, Infallible>(logged(&bridge, request, peer).await) }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            // A client that goes away mid-request is its own business: nothing to log.
            let _ = connection.await;
            drop(slot);
        });
    }
    drop(listener);
    tracing::info!("stopping: finishing the requests in flight");
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still open after {} s were cut off", SHUTDOWN_GRACE.as_secs());
        }
    }
}

/// Answers a request and writes its one log line: method, path (never the query or headers;
/// cut at 200 characters), status, player, client and milliseconds. Health checks are logged at debug level only.
async fn logged(
    bridge: &Bridge,
    request: hyper::Request<hyper::body::Incoming>,
    peer: SocketAddr,
) -> hyper::Response<http_body_util::Full<bytes::Bytes>> {
    let started = Instant::now();
    let method = request.method().clone();
    let path = clipped(request.uri().path(), MAX_LOGGED_PATH).to_owned();
    let Answer {
        response,
        player,
        routine,
    } = bridge.answer(request).await;
    let status = response.status().as_u16();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    let method = method.as_str();
    let player = player.as_deref();
    let client = peer.ip();
    macro_rules! line {
        ($level:ident) => {
            tracing::$level!(method, path, status, player, %client, ms = format_args!("{ms:.2}"), "request")
        };
    }
    match status {
        500.. => line!(error),
        400..=403 | 405..=499 => line!(warn),
        _ if routine => line!(debug),
        _ => line!(info),
    }
    response
}
