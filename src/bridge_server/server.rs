//! The listener: HTTP/1.1 connections onto [`Bridge::answer`], one log line per request, and a
//! graceful stop.
//!
//! Limits, so a slow or hostile client cannot tie the bridge up: request headers must arrive
//! within [`HEADER_TIMEOUT`] and fit in [`MAX_HEADER_BYTES`]; at most [`MAX_CONNECTIONS`]
//! connections are served at once, [`MAX_CONNECTIONS_PER_CLIENT`] per client, and when a new one
//! would go over, an idle one makes room for it (see [`connections`](super::connections));
//! bodies are capped where they are read (see `routes`). On shutdown the listener closes, idle
//! connections are closed, and requests in flight finish (for up to [`SHUTDOWN_GRACE`]).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::watch;

use super::connections::{Admitted, Client, Connections, Limits, Refused, Tracked};
pub use super::connections::{MAX_CONNECTIONS, MAX_CONNECTIONS_PER_CLIENT};
use super::routes::{clipped, Answer, Bridge};

/// How long a client may take to send a request's headers.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// Largest request head (request line and headers).
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Longest path written to a log line.
const MAX_LOGGED_PATH: usize = 200;
/// How long requests in flight may take to finish once a stop is asked for.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// At most one log line per this long about connections refused or closed to make room.
const PRESSURE_LOG_EVERY: Duration = Duration::from_secs(10);

/// Serves `bridge` on `listener` until `shutdown` resolves, then stops gracefully.
pub async fn serve(listener: TcpListener, bridge: Arc<Bridge>, shutdown: impl Future<Output = ()>) {
    let connections = Connections::new(Limits::default());
    let (stop, stopping) = watch::channel(false);
    let mut pressure = Pressure::default();
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
        let connection = match connections.admit(peer.ip()) {
            Ok(Admitted {
                connection,
                made_room,
            }) => {
                if let Some(client) = made_room {
                    pressure.made_room(client);
                }
                connection
            }
            Err(refused) => {
                // Dropping the stream closes it.
                pressure.refused(refused);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let requests = connection.requests();
        let bridge = Arc::clone(&bridge);
        let service = service_fn(move |request| {
            // In progress from the head until the response body is sent: never closed meanwhile.
            let in_progress = requests.start();
            let bridge = Arc::clone(&bridge);
            async move {
                let response = logged(&bridge, request, peer).await;
                Ok::<_, Infallible>(response.map(|body| Tracked::new(body, in_progress)))
            }
        });
        let served = http.serve_connection(TokioIo::new(connection.watch(stream)), service);
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            tokio::pin!(served);
            let mut closing = false;
            loop {
                let asked_to_close = tokio::select! {
                    // A client that goes away mid-request is its own business: nothing to log.
                    _ = served.as_mut() => false,
                    () = connection.close_requested(), if !closing => true,
                    _ = stopping.changed(), if !closing => true,
                };
                // Closed at once when idle; after the response when a request is in progress.
                if !asked_to_close || !connection.busy() {
                    break;
                }
                served.as_mut().graceful_shutdown();
                closing = true;
            }
            drop(connection);
        });
        // Let the new connection's task read its socket before the next accept: until it has,
        // the connection cannot give way to another (see `connections`), so a burst of accepts
        // could otherwise fill a client's share with connections nobody has looked at yet.
        tokio::task::yield_now().await;
    }
    drop(listener);
    tracing::info!("stopping: finishing the requests in flight");
    stop.send_replace(true);
    tokio::select! {
        () = connections.all_closed() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!("requests still open after {} s were cut off", SHUTDOWN_GRACE.as_secs());
        }
    }
}

/// Connections refused, and idle ones closed to make room: logged when it starts, then at most
/// once per [`PRESSURE_LOG_EVERY`], so a flood of connections cannot flood the log.
#[derive(Debug, Default)]
struct Pressure {
    refused: u64,
    made_room: u64,
    last_refusal: Option<Refused>,
    last_made_room_for: Option<Client>,
    logged_at: Option<Instant>,
}

impl Pressure {
    fn refused(&mut self, why: Refused) {
        self.refused += 1;
        self.last_refusal = Some(why);
        self.log_now_and_then();
    }

    fn made_room(&mut self, client: Client) {
        self.made_room += 1;
        self.last_made_room_for = Some(client);
        self.log_now_and_then();
    }

    fn log_now_and_then(&mut self) {
        if self
            .logged_at
            .is_some_and(|at| at.elapsed() < PRESSURE_LOG_EVERY)
        {
            return;
        }
        let refusal = self.last_refusal.take().map(tracing::field::display);
        let closed_idle_of = self.last_made_room_for.take().map(tracing::field::display);
        tracing::warn!(
            refused = self.refused,
            closed_idle = self.made_room,
            refusal,
            closed_idle_of,
            "connection limits reached (a client holding connections open without sending requests?): idle connections are closed to make room for new ones, and new ones are refused when none is idle"
        );
        self.refused = 0;
        self.made_room = 0;
        self.logged_at = Some(Instant::now());
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
