//! The bridge's open connections, and which one gives way when there are too many.
//!
//! A client that opens connections and sends nothing holds each one until the header timeout
//! closes it, and can open the next at once: with a plain cap on connections, such a client kept
//! every other client out. Two rules keep room for the clients that talk:
//!
//! - **Per client**: one address (an IPv4 address, or an IPv6 /64 network, which one host
//!   usually has to itself) holds at most [`MAX_CONNECTIONS_PER_CLIENT`] connections.
//! - **Idle first**: when a new connection would go over a limit, the connection that has been
//!   idle longest makes room for it, among those with no request in progress: first those that
//!   never sent a byte, then those that sent part of a request, then keep-alive connections
//!   waiting for their next request. A connection whose socket has not been read yet is never
//!   picked (it may hold a request nobody has looked at), nor is one with a request in
//!   progress. Only when no connection can give way is the new one closed.
//!
//! The second rule is what helps when every client has the same address (a reverse proxy in
//! front of the bridge): a client that sends its request as soon as it connects is answered,
//! whatever a silent client does. The table holds only bookkeeping: each connection's task
//! closes its own socket when asked (see `server`).

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv6Addr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Instant;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{watch, Notify};

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 256;
/// Connections one client (address, or IPv6 /64) may hold at once: a quarter of the total.
/// Music Assistant and the skill each use a handful; a reverse proxy in front of the bridge
/// carries everyone's, still far fewer than this at home.
pub const MAX_CONNECTIONS_PER_CLIENT: usize = 64;

/// How many connections may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// In all.
    pub total: usize,
    /// Per client.
    pub per_client: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            total: MAX_CONNECTIONS,
            per_client: MAX_CONNECTIONS_PER_CLIENT,
        }
    }
}

/// A client as the per-client limit counts it: an IPv4 address (an IPv4-mapped IPv6 address is
/// one), or the /64 network of an IPv6 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Client(IpAddr);

impl Client {
    /// The client `ip` counts as.
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V6(v6) => {
                let network = u128::from(v6) & !((1u128 << 64) - 1);
                Self(IpAddr::V6(Ipv6Addr::from(network)))
            }
            v4 => Self(v4),
        }
    }
}

impl fmt::Display for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            IpAddr::V6(network) => write!(f, "{network}/64"),
            IpAddr::V4(address) => write!(f, "{address}"),
        }
    }
}

/// The socket has been read at least once.
const READ: u8 = 1;
/// Bytes have arrived on it.
const SPOKE: u8 = 1 << 1;
/// A request is in progress (from its head until its response body is done).
const BUSY: u8 = 1 << 2;
/// A request has been answered on it.
const SERVED: u8 = 1 << 3;
/// It has been asked to close.
const CLOSING: u8 = 1 << 4;

/// One connection's state: written by its own task (reads, requests), read by the table.
#[derive(Debug)]
struct Link {
    client: Client,
    flags: AtomicU8,
    /// Nanoseconds since `base` when it was opened or its last request ended.
    idle_since: AtomicU64,
    base: Instant,
    close: Notify,
}

impl Link {
    fn flags(&self) -> u8 {
        self.flags.load(Ordering::Acquire)
    }

    fn set(&self, flags: u8) {
        self.flags.fetch_or(flags, Ordering::AcqRel);
    }

    fn clear(&self, flags: u8) {
        self.flags.fetch_and(!flags, Ordering::AcqRel);
    }

    fn touch(&self) {
        let since = u64::try_from(self.base.elapsed().as_nanos()).unwrap_or(u64::MAX);
        self.idle_since.store(since, Ordering::Release);
    }

    fn read(&self, spoke: bool) {
        self.set(if spoke { READ | SPOKE } else { READ });
    }

    /// Which connection gives way first when it can (lower first), or `None` when it cannot.
    fn give_way_order(&self, id: u64) -> Option<(u8, u64, u64)> {
        let flags = self.flags();
        if flags & READ == 0 || flags & (BUSY | CLOSING) != 0 {
            return None;
        }
        let tier = if flags & SERVED != 0 {
            2
        } else if flags & SPOKE != 0 {
            1
        } else {
            0
        };
        Some((tier, self.idle_since.load(Ordering::Acquire), id))
    }
}

#[derive(Debug, Default)]
struct Table {
    next_id: u64,
    links: HashMap<u64, Arc<Link>>,
}

impl Table {
    /// Connections not asked to close, in all and of `client`.
    fn counts(&self, client: Client) -> (usize, usize) {
        self.links
            .values()
            .filter(|l| l.flags() & CLOSING == 0)
            .fold((0, 0), |(all, own), l| {
                (all + 1, own + usize::from(l.client == client))
            })
    }

    /// The connection (of `client`, or of anyone) that gives way first, if any can.
    fn give_way(&self, client: Option<Client>) -> Option<Arc<Link>> {
        self.links
            .iter()
            .filter(|(_, l)| client.is_none_or(|c| l.client == c))
            .filter_map(|(id, l)| l.give_way_order(*id).map(|order| (order, l)))
            .min_by_key(|(order, _)| *order)
            .map(|(_, l)| Arc::clone(l))
    }
}

/// The open connections.
#[derive(Debug)]
pub struct Connections {
    limits: Limits,
    base: Instant,
    table: Mutex<Table>,
    /// How many are open (those asked to close included, until they have).
    open: watch::Sender<usize>,
}

/// Why a new connection was closed at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Its client holds as many connections as it may, each busy or not yet read.
    #[error("client {0} holds {1} connections already, none idle")]
    ClientFull(Client, usize),
    /// The bridge holds as many as it may, each busy or not yet read.
    #[error("{0} connections are open already, none idle")]
    Full(usize),
}

/// A connection let in.
#[derive(Debug)]
pub struct Admitted {
    /// The connection's place in the table, for its task.
    pub connection: Connection,
    /// The client of the idle connection that was asked to close to make room, if one was.
    pub made_room: Option<Client>,
}

impl Connections {
    /// An empty table with `limits`.
    pub fn new(limits: Limits) -> Arc<Self> {
        Arc::new(Self {
            limits,
            base: Instant::now(),
            table: Mutex::new(Table::default()),
            open: watch::Sender::new(0),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // Every change is a single insert, removal or flag: a panic elsewhere leaves it whole.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Lets a connection from `peer` in, asking an idle one to close if that makes room (see the
    /// module doc), or says why it must be closed.
    pub fn admit(self: &Arc<Self>, peer: IpAddr) -> Result<Admitted, Refused> {
        let client = Client::of(peer);
        let mut table = self.lock();
        let (all, own) = table.counts(client);
        let giving_way = if own >= self.limits.per_client {
            Some(
                table
                    .give_way(Some(client))
                    .ok_or(Refused::ClientFull(client, own))?,
            )
        } else if all >= self.limits.total {
            Some(table.give_way(None).ok_or(Refused::Full(all))?)
        } else {
            None
        };
        // Not counted from now on; its task closes it and frees its place.
        let made_room = giving_way.map(|link| {
            link.set(CLOSING);
            link.close.notify_one();
            link.client
        });
        let id = table.next_id;
        table.next_id += 1;
        let link = Arc::new(Link {
            client,
            flags: AtomicU8::new(0),
            idle_since: AtomicU64::new(0),
            base: self.base,
            close: Notify::new(),
        });
        link.touch();
        table.links.insert(id, Arc::clone(&link));
        self.open.send_replace(table.links.len());
        Ok(Admitted {
            connection: Connection {
                id,
                link,
                connections: Arc::clone(self),
            },
            made_room,
        })
    }

    /// How many connections are open.
    pub fn open(&self) -> usize {
        *self.open.borrow()
    }

    /// Resolves once every connection has closed.
    pub async fn all_closed(&self) {
        let mut open = self.open.subscribe();
        // The sender lives as long as `self`: this cannot fail while it is borrowed.
        let _ = open.wait_for(|n| *n == 0).await;
    }
}

/// A connection's place in the table; dropping it (when the connection ends) frees the place.
#[derive(Debug)]
pub struct Connection {
    id: u64,
    link: Arc<Link>,
    connections: Arc<Connections>,
}

impl Connection {
    /// Wraps the connection's socket, so the table knows when it has been read and whether
    /// anything arrived.
    pub fn watch<S>(&self, socket: S) -> Watched<S> {
        Watched {
            socket,
            link: Arc::clone(&self.link),
        }
    }

    /// A handle for the connection's requests (see [`Requests::start`]).
    pub fn requests(&self) -> Requests {
        Requests(Arc::clone(&self.link))
    }

    /// Resolves when the table asks this connection to close, to make room for another.
    pub async fn close_requested(&self) {
        self.link.close.notified().await;
    }

    /// Whether a request is in progress on it.
    pub fn busy(&self) -> bool {
        self.link.flags() & BUSY != 0
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        let mut table = self.connections.lock();
        table.links.remove(&self.id);
        self.connections.open.send_replace(table.links.len());
    }
}

/// Marks a connection's requests as they start and end.
#[derive(Debug, Clone)]
pub struct Requests(Arc<Link>);

impl Requests {
    /// A request has started; it is in progress until the returned value is dropped (put it in
    /// the response body with [`Tracked`], so it lasts until the response is sent).
    pub fn start(&self) -> InProgress {
        self.0.set(BUSY);
        InProgress(Arc::clone(&self.0))
    }
}

/// A request in progress; see [`Requests::start`].
#[derive(Debug)]
pub struct InProgress(Arc<Link>);

impl Drop for InProgress {
    fn drop(&mut self) {
        self.0.touch();
        self.0.set(SERVED);
        self.0.clear(BUSY);
    }
}

/// A response body that keeps its request in progress until the body has been sent (or
/// dropped).
#[derive(Debug)]
pub struct Tracked<B> {
    body: B,
    _request: InProgress,
}

impl<B> Tracked<B> {
    /// `body`, keeping `request` in progress while it lives.
    pub fn new(body: B, request: InProgress) -> Self {
        Self {
            body,
            _request: request,
        }
    }
}

impl<B> Body for Tracked<B>
where
    B: Body<Data = Bytes> + Unpin,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        Pin::new(&mut self.get_mut().body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A connection's socket, reporting its reads to the table.
#[derive(Debug)]
pub struct Watched<S> {
    socket: S,
    link: Arc<Link>,
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let poll = Pin::new(&mut this.socket).poll_read(cx, buf);
        let spoke = matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before;
        this.link.read(spoke);
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().socket).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().socket).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.socket.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().socket).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().socket).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;

    use super::*;

    const LIMITS: Limits = Limits {
        total: 6,
        per_client: 3,
    };

    fn ip(last: u8) -> IpAddr {
        IpAddr::V4(Ipv4Addr::new(192, 0, 2, last))
    }

    fn admit(table: &Arc<Connections>, last: u8) -> Admitted {
        table.admit(ip(last)).expect("admitted")
    }

    /// A connection whose socket was read and was empty: a silent client.
    fn silent(table: &Arc<Connections>, last: u8) -> Connection {
        let admitted = admit(table, last);
        admitted.connection.link.read(false);
        admitted.connection
    }

    fn asked_to_close(connection: &Connection) -> bool {
        connection.link.flags() & CLOSING != 0
    }

    #[test]
    fn one_client_cannot_take_more_than_its_share() {
        let table = Connections::new(LIMITS);
        let hostile: Vec<Connection> = (0..3).map(|_| silent(&table, 1)).collect();
        let next = admit(&table, 1);
        assert_eq!(next.made_room, Some(Client::of(ip(1))));
        assert!(
            asked_to_close(&hostile[0]),
            "its own oldest idle one gives way"
        );
        assert!(!hostile[1..].iter().any(asked_to_close));
        // Others still have the rest of the room, without anyone giving way.
        let others: Vec<Admitted> = (2..5).map(|n| admit(&table, n)).collect();
        assert!(others.iter().all(|a| a.made_room.is_none()));
    }

    #[test]
    fn a_connection_with_a_request_in_progress_never_gives_way() {
        let table = Connections::new(LIMITS);
        let busy: Vec<Connection> = (0..3).map(|_| silent(&table, 1)).collect();
        let requests: Vec<InProgress> = busy.iter().map(|c| c.requests().start()).collect();
        assert_eq!(
            table.admit(ip(1)).map(|_| ()),
            Err(Refused::ClientFull(Client::of(ip(1)), 3))
        );
        assert!(!busy.iter().any(asked_to_close));
        // Once a response is done, its connection is idle again and may give way.
        drop(requests);
        assert_eq!(admit(&table, 1).made_room, Some(Client::of(ip(1))));
    }

    #[test]
    fn a_connection_not_yet_read_never_gives_way() {
        let table = Connections::new(LIMITS);
        let unread: Vec<Admitted> = (0..3).map(|_| admit(&table, 1)).collect();
        assert!(matches!(table.admit(ip(1)), Err(Refused::ClientFull(..))));
        assert!(!unread.iter().any(|a| asked_to_close(&a.connection)));
    }

    #[test]
    fn silent_ones_give_way_before_talkers_and_keep_alive_ones_last() {
        let table = Connections::new(LIMITS);
        let served = silent(&table, 1);
        drop(served.requests().start());
        let talker = silent(&table, 1);
        talker.link.read(true);
        let quiet = silent(&table, 1);
        let order = [&quiet, &talker, &served];
        let mut newcomers = Vec::new();
        for (n, expected) in order.iter().enumerate() {
            // Each newcomer is read at once (it sent its request) and stays busy.
            let newcomer = admit(&table, 1).connection;
            newcomer.link.read(true);
            let request = newcomer.requests().start();
            newcomers.push((newcomer, request));
            assert!(asked_to_close(expected), "give-way step {n}");
        }
    }

    #[test]
    fn the_oldest_idle_connection_gives_way_when_the_bridge_is_full() {
        let table = Connections::new(LIMITS);
        let all: Vec<Connection> = (1..=6).map(|n| silent(&table, n)).collect();
        let newcomer = admit(&table, 9);
        assert_eq!(newcomer.made_room, Some(Client::of(ip(1))));
        assert!(asked_to_close(&all[0]));
        assert!(!all[1..].iter().any(asked_to_close));
    }

    #[tokio::test]
    async fn a_closed_connection_frees_its_place() {
        let table = Connections::new(LIMITS);
        let first = silent(&table, 1);
        let second = silent(&table, 2);
        assert_eq!(table.open(), 2);
        drop(first);
        assert_eq!(table.open(), 1);
        let waiting = tokio::spawn({
            let table = Arc::clone(&table);
            async move { table.all_closed().await }
        });
        drop(second);
        waiting.await.expect("all closed");
    }

    #[test]
    fn ipv6_clients_count_by_their_64_network() {
        let a: IpAddr = "2001:db8:1:2::10".parse().expect("ip");
        let b: IpAddr = "2001:db8:1:2:ffff::1".parse().expect("ip");
        let other: IpAddr = "2001:db8:1:3::10".parse().expect("ip");
        assert_eq!(Client::of(a), Client::of(b));
        assert_ne!(Client::of(a), Client::of(other));
        assert_eq!(Client::of(a).to_string(), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().expect("ip");
        assert_eq!(Client::of(mapped), Client::of(ip(1)));
    }
}
