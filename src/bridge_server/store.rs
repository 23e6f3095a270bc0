//! The bridge's memory: the latest stream of each player, kept in a file.
//!
//! Each push lands in the slot of its player (see [`Push::player`]), or in one shared slot when
//! neither the body nor the stream path names one; a push without `playerId` whose stream a
//! slot already knows (as its stream, or as one it has moved on from) goes to that slot. "The latest" without a player is the slot
//! whose stream arrived last; a metadata re-push (same `streamUrl`, new title…) updates its slot
//! but does not make it the latest, because it is not a new stream to play.
//!
//! A slot never goes back in time. Each slot remembers the last [`MAX_SUPERSEDED`] queue streams
//! it has moved on from, and a push of one of them changes nothing: after "next", Music
//! Assistant's Alexa provider pushes the *previous* stream's URL with the new track's title (its
//! metadata push reads the URL it pushed last before the new push has finished), and that push can
//! arrive just after the new stream's. Queue streams (`/flow/`, `/single/`) carry a session id or
//! a timestamp that Music Assistant renews on every play, so one that was replaced never
//! legitimately comes back; announcement and plugin-source URLs are fixed per player and do, so
//! they are not remembered. Streams are compared by [`StreamId`] of the parsed URL, so a raw
//! space and `%20` are the same stream. The memory is kept in the state file with the slot.
//!
//! The answer to `GET /ma/latest-url` is serialised once per change and handed out as shared
//! bytes, so a read allocates nothing. The lock is held only to change or read the slots, never
//! across I/O: a background task ([`Store::persist`]) writes a snapshot after each change (write
//! to a temporary file, flush to disk, rename over the old one), so a crash mid-write leaves the
//! previous state whole. Bursts of pushes coalesce into one write. [`Store::flush`] writes what
//! is left at shutdown.

use std::collections::{HashMap, VecDeque};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::sync::Notify;

use super::push::Push;
use crate::bridge::LatestReply;
use crate::stream::{InternalStream, StreamId};

/// Players kept at most; the one whose stream is oldest makes room for a new one.
pub const MAX_PLAYERS: usize = 64;
/// Streams a slot remembers having moved on from. Music Assistant's late push comes within about
/// a second of the new stream's, so a few would do; this leaves room for a burst of "next".
pub const MAX_SUPERSEDED: usize = 16;
/// Version of the state file's layout.
const FORMAT: u32 = 1;
/// How long to wait before trying a failed write again.
const RETRY_AFTER: Duration = Duration::from_secs(5);

/// Where a stream is kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Slot {
    /// A player's (Music Assistant's player or queue id).
    Player(String),
    /// Streams that name no player.
    Shared,
}

impl Slot {
    fn of(player: Option<&str>) -> Self {
        player.map_or(Self::Shared, |p| Self::Player(p.to_owned()))
    }

    /// The player, if this is a player's slot.
    pub fn player(&self) -> Option<&str> {
        match self {
            Self::Player(p) => Some(p),
            Self::Shared => None,
        }
    }
}

/// What a push did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The slot it went to.
    pub slot: Slot,
    /// What became of it.
    pub outcome: Outcome,
}

/// What became of a push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new stream for its slot: it is now the slot's stream, and the latest of all.
    NewStream,
    /// The stream the slot already has: its metadata was updated.
    SameStream,
    /// A stream the slot has already moved on from: nothing changed.
    Superseded,
}

/// One slot's stream.
#[derive(Debug, Clone)]
struct Entry {
    /// Arrival order of the stream (not of metadata updates).
    seq: u64,
    /// When the stream arrived, seconds since the Unix epoch.
    pushed_at: u64,
    /// Identity of the stream (of its URL as parsed).
    id: StreamId,
    /// Whether the slot remembers this stream once it moves on from it (see the module doc).
    once_only: bool,
    /// Streams this slot has moved on from, oldest first, at most [`MAX_SUPERSEDED`].
    superseded: VecDeque<StreamId>,
    /// The stream and its metadata; `stream_url` is always set.
    body: LatestReply,
    /// `body` serialised: the `GET /ma/latest-url` answer for this entry.
    reply: Bytes,
}

impl Entry {
    fn new(seq: u64, pushed_at: u64, stream: &InternalStream, body: LatestReply) -> Self {
        let mut entry = Self {
            seq,
            pushed_at,
            id: stream.id(),
            once_only: stream.queue().is_some(),
            superseded: VecDeque::new(),
            body,
            reply: Bytes::new(),
        };
        entry.render();
        entry
    }

    /// Whether this entry's slot has moved on from `stream`.
    fn moved_on_from(&self, stream: StreamId) -> bool {
        self.superseded.contains(&stream)
    }

    /// Takes over the memory of `previous`, the entry this one replaces in its slot.
    fn succeed(&mut self, mut previous: Entry) {
        let mut superseded = std::mem::take(&mut previous.superseded);
        if previous.once_only && previous.id != self.id {
            superseded.retain(|id| *id != previous.id);
            superseded.push_back(previous.id);
        }
        while superseded.len() > MAX_SUPERSEDED {
            superseded.pop_front();
        }
        self.superseded = superseded;
    }

    /// Takes the metadata a push carries; fields it leaves out keep their value. Returns whether
    /// anything changed.
    fn update(&mut self, push: &Push) -> bool {
        let mut changed = false;
        for (slot, field) in [
            (&mut self.body.title, &push.title),
            (&mut self.body.artist, &push.artist),
            (&mut self.body.album, &push.album),
            (&mut self.body.image_url, &push.image_url),
        ] {
            if let Some(value) = field {
                if slot != value {
                    slot.clone_from(value);
                    changed = true;
                }
            }
        }
        if changed {
            self.render();
        }
        changed
    }

    fn render(&mut self) {
        // Text fields always serialise; the fallback only keeps the type honest.
        self.reply = serde_json::to_vec(&self.body)
            .map(Bytes::from)
            .unwrap_or_else(|_| Bytes::from_static(b"{}"));
    }
}

/// The slots and the bookkeeping of what is on disk.
#[derive(Debug, Default)]
struct State {
    slots: HashMap<Slot, Entry>,
    next_seq: u64,
    /// Grows with every change.
    version: u64,
    /// The version last written to disk.
    saved_version: u64,
}

impl State {
    /// The slot a push belongs to: its player's (see [`Push::player`]). A push that does not
    /// name its player (Music Assistant's metadata pushes never do) goes to the slot that knows
    /// its stream, if one does, so it finds its stream even when the play push's `playerId` was
    /// not the queue in the stream path.
    fn slot_for(&self, push: &Push, stream: StreamId) -> Slot {
        let named = Slot::of(push.player());
        let knows = |entry: &Entry| entry.id == stream || entry.moved_on_from(stream);
        if push.player_id.is_some() || self.slots.get(&named).is_some_and(knows) {
            return named;
        }
        self.slots
            .iter()
            .find(|(_, entry)| knows(entry))
            .map_or(named, |(slot, _)| slot.clone())
    }

    fn latest(&self) -> Option<&Entry> {
        self.slots.values().max_by_key(|e| e.seq)
    }

    /// `player`'s slot, or with `None` the one whose stream arrived last.
    fn of(&self, player: Option<&str>) -> Option<&Entry> {
        match player {
            Some(player) => self.slots.get(&Slot::Player(player.to_owned())),
            None => self.latest(),
        }
    }

    /// Makes room for one more player by dropping the one whose stream is oldest.
    fn evict_if_full(&mut self) {
        let players = self.slots.keys().filter(|s| s.player().is_some()).count();
        if players < MAX_PLAYERS {
            return;
        }
        let oldest = self
            .slots
            .iter()
            .filter(|(slot, _)| slot.player().is_some())
            .min_by_key(|(_, entry)| entry.seq)
            .map(|(slot, _)| slot.clone());
        if let Some(oldest) = oldest {
            tracing::warn!(
                player = oldest.player(),
                "the bridge keeps {MAX_PLAYERS} players at most: forgot the one pushed longest ago"
            );
            self.slots.remove(&oldest);
        }
    }

    fn snapshot(&self) -> SavedState {
        let mut streams: Vec<SavedStream> = self
            .slots
            .iter()
            .map(|(slot, e)| SavedStream {
                player_id: slot.player().map(str::to_owned),
                seq: e.seq,
                pushed_at: e.pushed_at,
                superseded: e.superseded.iter().map(StreamId::to_string).collect(),
                stream: e.body.clone(),
            })
            .collect();
        streams.sort_by_key(|s| s.seq);
        SavedState {
            format: FORMAT,
            streams,
        }
    }

    /// Rebuilds the slots from the file. Sequence numbers are renumbered 0, 1, 2… in the file's
    /// order of `seq` (ties keep the order they are written in): only their order means anything,
    /// and a hand-edited `seq` near `u64::MAX` must not leave the next push a number that wraps
    /// (or panics) and sorts before the older streams. Of two entries for one slot, the later
    /// wins; entries whose stream is not a Music Assistant stream are skipped.
    fn restore(saved: SavedState) -> (Self, usize) {
        let mut state = Self::default();
        let mut skipped = 0;
        let mut streams = saved.streams;
        streams.sort_by_key(|s| s.seq);
        for s in streams {
            let Some(stream) = s
                .stream
                .stream_url
                .as_deref()
                .and_then(InternalStream::parse)
            else {
                skipped += 1;
                continue;
            };
            let slot = Slot::of(s.player_id.as_deref().filter(|p| !p.trim().is_empty()));
            if state.slots.contains_key(&slot) {
                skipped += 1;
            } else if slot.player().is_some() {
                state.evict_if_full();
            }
            let seq = state.next_seq;
            state.next_seq += 1;
            let mut entry = Entry::new(seq, s.pushed_at, &stream, s.stream);
            let from_file = s.superseded.iter().filter_map(|id| StreamId::parse_hex(id));
            entry.superseded = from_file.filter(|id| *id != entry.id).collect();
            while entry.superseded.len() > MAX_SUPERSEDED {
                entry.superseded.pop_front();
            }
            state.slots.insert(slot, entry);
        }
        (state, skipped)
    }
}

/// The state file's layout.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedState {
    format: u32,
    streams: Vec<SavedStream>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SavedStream {
    player_id: Option<String>,
    seq: u64,
    #[serde(default)]
    pushed_at: u64,
    /// The [`StreamId`]s (16 hex digits) of the streams the slot has moved on from, oldest
    /// first. Files written before this field existed have none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    superseded: Vec<String>,
    /// `streamUrl`, `title`, `artist`, `album`, `imageUrl`, beside the fields above.
    #[serde(flatten)]
    stream: LatestReply,
}

/// The latest streams, per player, backed by a file.
#[derive(Debug)]
pub struct Store {
    state: Mutex<State>,
    /// Where the state is kept; `None` keeps it in memory only (tests).
    file: Option<PathBuf>,
    /// Rung after each change, for [`Store::persist`].
    changed: Notify,
    /// Held while a snapshot is being written, so two writes never overlap.
    writing: tokio::sync::Mutex<()>,
    /// Whether the last write failed (so a failing disk is logged once, not per push).
    failing: AtomicBool,
}

impl Store {
    /// A store that keeps nothing on disk.
    pub fn in_memory() -> Self {
        Self::with_state(State::default(), None)
    }

    /// Opens the state kept at `file`. A missing file is a first start; a file that cannot be
    /// read or parsed is logged (and a corrupt one moved aside to `<file>.corrupt`) and the
    /// bridge starts empty rather than refusing to run.
    pub fn open(file: PathBuf) -> Self {
        if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
            if let Err(e) = fs::create_dir_all(dir) {
                tracing::error!(
                    state_file = %file.display(),
                    error = %e,
                    "cannot create the folder of BRIDGE_STATE_FILE: pushes will not survive a restart"
                );
            }
        }
        let state = match fs::read(&file) {
            Ok(bytes) => match serde_json::from_slice::<SavedState>(&bytes) {
                Ok(saved) if saved.format == FORMAT => {
                    let (state, skipped) = State::restore(saved);
                    tracing::info!(
                        state_file = %file.display(),
                        players = state.slots.keys().filter(|s| s.player().is_some()).count(),
                        streams = state.slots.len(),
                        skipped,
                        "state loaded"
                    );
                    state
                }
                Ok(saved) => {
                    set_aside(&file, &format!("unknown format {}", saved.format));
                    State::default()
                }
                Err(e) => {
                    set_aside(&file, &e.to_string());
                    State::default()
                }
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                tracing::info!(state_file = %file.display(), "no state file yet: starting empty");
                State::default()
            }
            Err(e) => {
                tracing::error!(
                    state_file = %file.display(),
                    error = %e,
                    "cannot read the state file: starting empty"
                );
                State::default()
            }
        };
        Self::with_state(state, Some(file))
    }

    fn with_state(state: State, file: Option<PathBuf>) -> Self {
        Self {
            state: Mutex::new(state),
            file,
            changed: Notify::new(),
            writing: tokio::sync::Mutex::new(()),
            failing: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; if something ever did, the slots are still
        // consistent (each change is a single insert or field update).
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores a push in its player's slot: a new stream replaces the slot's, the slot's own
    /// stream takes the push's metadata, and a stream the slot has moved on from changes nothing.
    pub fn push(&self, push: &Push) -> Pushed {
        let id = push.stream.id();
        let mut state = self.lock();
        let slot = state.slot_for(push, id);
        let outcome = match state.slots.get(&slot) {
            Some(entry) if entry.id == id => Outcome::SameStream,
            Some(entry) if entry.moved_on_from(id) => Outcome::Superseded,
            _ => Outcome::NewStream,
        };
        let changed = match outcome {
            Outcome::Superseded => false,
            Outcome::SameStream => state
                .slots
                .get_mut(&slot)
                .is_some_and(|entry| entry.update(push)),
            Outcome::NewStream => {
                if !state.slots.contains_key(&slot) && slot.player().is_some() {
                    state.evict_if_full();
                }
                let seq = state.next_seq;
                state.next_seq += 1;
                let body = LatestReply {
                    stream_url: Some(push.stream_url.clone()),
                    ..LatestReply::default()
                };
                let mut entry = Entry::new(seq, unix_now(), &push.stream, body);
                entry.update(push);
                if let Some(previous) = state.slots.remove(&slot) {
                    entry.succeed(previous);
                }
                state.slots.insert(slot.clone(), entry);
                true
            }
        };
        if changed {
            state.version += 1;
        }
        drop(state);
        if changed {
            self.changed.notify_one();
        }
        Pushed { slot, outcome }
    }

    /// The `GET /ma/latest-url` answer: `player`'s latest stream, or with `None` the stream that
    /// arrived last in any slot.
    pub fn latest(&self, player: Option<&str>) -> Option<Bytes> {
        self.lock().of(player).map(|e| e.reply.clone())
    }

    /// `player`'s latest stream and its metadata (with `None` the stream that arrived last in
    /// any slot): what [`Self::latest`] answers, unserialised, for the skill served inside the
    /// bridge.
    pub fn latest_stream(&self, player: Option<&str>) -> Option<LatestReply> {
        self.lock().of(player).map(|e| e.body.clone())
    }

    /// Writes every change to the state file, as it happens; runs until the task is dropped.
    pub async fn persist(&self) {
        loop {
            self.changed.notified().await;
            while self.save().await.is_err() {
                tokio::time::sleep(RETRY_AFTER).await;
            }
        }
    }

    /// Writes what has not been written yet (at shutdown). `Err` when it could not be written;
    /// the reason is logged.
    pub async fn flush(&self) -> Result<(), ()> {
        self.save().await
    }

    async fn save(&self) -> Result<(), ()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let _writing = self.writing.lock().await;
        let (version, snapshot) = {
            let state = self.lock();
            if state.version == state.saved_version {
                return Ok(());
            }
            (state.version, state.snapshot())
        };
        let path = file.clone();
        let written = tokio::task::spawn_blocking(move || {
            let bytes = serde_json::to_vec_pretty(&snapshot).map_err(io::Error::other)?;
            write_atomically(&path, &bytes)
        })
        .await
        .unwrap_or_else(|e| Err(io::Error::other(e)));
        match written {
            Ok(()) => {
                let mut state = self.lock();
                state.saved_version = state.saved_version.max(version);
                drop(state);
                if self.failing.swap(false, Ordering::Relaxed) {
                    tracing::info!(state_file = %file.display(), "the state file is written again");
                }
                Ok(())
            }
            Err(e) => {
                if !self.failing.swap(true, Ordering::Relaxed) {
                    tracing::error!(
                        state_file = %file.display(),
                        error = %e,
                        "cannot write the state file (BRIDGE_STATE_FILE): pushes will not survive a restart until it works again"
                    );
                }
                Err(())
            }
        }
    }
}

/// Moves an unusable state file out of the way (so the next write does not destroy it) and logs
/// why.
fn set_aside(file: &Path, reason: &str) {
    let aside = with_suffix(file, ".corrupt");
    let moved = fs::rename(file, &aside);
    tracing::error!(
        state_file = %file.display(),
        reason,
        moved_to = %aside.display(),
        moved = moved.is_ok(),
        "the state file is not usable: starting empty"
    );
}

fn with_suffix(file: &Path, suffix: &str) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Replaces `path` with `bytes` so that a reader (or a crash) sees either the old or the new
/// content, never a mix: write a temporary file beside it, flush it to disk, rename it over.
///
/// The temporary file is always a new one: whatever sits at its name (a file a crash left, or a
/// symbolic link someone planted) is unlinked, never followed, and the file is created with
/// `create_new` (`O_CREAT | O_EXCL`, which does not follow a link either). A link that appears
/// in between makes this write fail (and be retried) rather than write through it.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let temporary = with_suffix(path, ".tmp");
    match fs::remove_file(&temporary) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&temporary)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temporary, path)?;
    // Make the rename itself durable; not every file system lets a folder be synced.
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if let Ok(dir) = File::open(dir) {
            let _ = dir.sync_all();
        }
    }
    Ok(())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(body: &str) -> Push {
        Push::parse(body.as_bytes()).expect("valid push")
    }

    fn latest(store: &Store, player: Option<&str>) -> Option<serde_json::Value> {
        store
            .latest(player)
            .map(|b| serde_json::from_slice(&b).expect("JSON"))
    }

    const KITCHEN: &str = "http://10.0.0.2:8097/flow/s1/Kitchen%20Echo/i1/Kitchen%20Echo.mp3";
    const LIVING: &str = "http://10.0.0.2:8097/flow/s2/Living%20Room/i9/Living%20Room.mp3";

    #[test]
    fn each_player_keeps_its_own_stream_and_the_last_new_stream_is_the_latest() {
        let store = Store::in_memory();
        store.push(&push(&format!(r#"{{"streamUrl": "{KITCHEN}"}}"#)));
        store.push(&push(&format!(r#"{{"streamUrl": "{LIVING}"}}"#)));
        assert_eq!(
            latest(&store, Some("Kitchen Echo")).expect("kitchen")["streamUrl"],
            KITCHEN
        );
        assert_eq!(
            latest(&store, Some("Living Room")).expect("living")["streamUrl"],
            LIVING
        );
        assert_eq!(latest(&store, None).expect("latest")["streamUrl"], LIVING);
        assert_eq!(latest(&store, Some("Bedroom")), None);
    }

    #[test]
    fn a_metadata_push_updates_the_slot_without_making_it_the_latest() {
        let store = Store::in_memory();
        store.push(&push(&format!(r#"{{"streamUrl": "{KITCHEN}"}}"#)));
        store.push(&push(&format!(r#"{{"streamUrl": "{LIVING}"}}"#)));
        let pushed = store.push(&push(&format!(
            r#"{{"streamUrl": "{KITCHEN}", "title": "So What", "artist": "Miles Davis", "album": null, "imageUrl": null}}"#
        )));
        assert_eq!(pushed.outcome, Outcome::SameStream);
        let kitchen = latest(&store, Some("Kitchen Echo")).expect("kitchen");
        assert_eq!(kitchen["title"], "So What");
        assert_eq!(kitchen["album"], serde_json::Value::Null);
        assert_eq!(latest(&store, None).expect("latest")["streamUrl"], LIVING);
    }

    #[test]
    fn a_repush_without_a_field_keeps_it_and_a_new_stream_starts_blank() {
        let store = Store::in_memory();
        store.push(&push(&format!(
            r#"{{"streamUrl": "{KITCHEN}", "title": "So What"}}"#
        )));
        store.push(&push(&format!(
            r#"{{"streamUrl": "{KITCHEN}", "artist": "Miles Davis"}}"#
        )));
        let kitchen = latest(&store, Some("Kitchen Echo")).expect("kitchen");
        assert_eq!(
            (kitchen["title"].as_str(), kitchen["artist"].as_str()),
            (Some("So What"), Some("Miles Davis"))
        );
        let next = KITCHEN.replace("/i1/", "/i2/");
        store.push(&push(&format!(r#"{{"streamUrl": "{next}"}}"#)));
        let kitchen = latest(&store, Some("Kitchen Echo")).expect("kitchen");
        assert_eq!(kitchen["streamUrl"], next.as_str());
        assert_eq!(kitchen["title"], serde_json::Value::Null);
    }

    #[test]
    fn the_reply_has_exactly_the_five_fields() {
        let store = Store::in_memory();
        store.push(&push(&format!(
            r#"{{"streamUrl": "{KITCHEN}", "playerId": "Kitchen Echo"}}"#
        )));
        let reply = latest(&store, None).expect("latest");
        let mut keys: Vec<&str> = reply
            .as_object()
            .expect("object")
            .keys()
            .map(String::as_str)
            .collect();
        keys.sort_unstable();
        assert_eq!(keys, ["album", "artist", "imageUrl", "streamUrl", "title"]);
    }

    #[test]
    fn players_beyond_the_limit_push_out_the_oldest() {
        let store = Store::in_memory();
        for n in 0..=MAX_PLAYERS {
            store.push(&push(&format!(
                r#"{{"streamUrl": "http://h/flow/s/p{n}/i.mp3"}}"#
            )));
        }
        assert_eq!(latest(&store, Some("p0")), None);
        assert!(latest(&store, Some("p1")).is_some());
        assert!(latest(&store, Some(&format!("p{MAX_PLAYERS}"))).is_some());
    }

    #[test]
    fn snapshot_and_restore_give_the_same_answers() {
        let store = Store::in_memory();
        store.push(&push(&format!(
            r#"{{"streamUrl": "{KITCHEN}", "title": "So What"}}"#
        )));
        store.push(&push(
            r#"{"streamUrl": "http://10.0.0.2:8097/announcement/x.mp3"}"#,
        ));
        store.push(&push(&format!(r#"{{"streamUrl": "{LIVING}"}}"#)));
        let saved = store.lock().snapshot();
        let json = serde_json::to_vec(&saved).expect("serialises");
        let (restored, skipped) = State::restore(serde_json::from_slice(&json).expect("parses"));
        assert_eq!(skipped, 0);
        let restored = Store::with_state(restored, None);
        for player in [None, Some("Kitchen Echo"), Some("Living Room")] {
            assert_eq!(restored.latest(player), store.latest(player), "{player:?}");
        }
        // New pushes after a restore still come after the restored ones.
        restored.push(&push(&format!(
            r#"{{"streamUrl": "{}"}}"#,
            KITCHEN.replace("/i1/", "/i3/")
        )));
        assert!(latest(&restored, None).expect("latest")["streamUrl"]
            .as_str()
            .is_some_and(|u| u.contains("/i3/")));
    }

    /// The play push of Music Assistant's Alexa provider, byte for byte: the URL exactly as the
    /// stream server built it (a raw space in the Echo's name), nothing else.
    fn play_push(session: &str, item: &str) -> (String, Push) {
        let url = format!(
            "http://192.168.1.20:8097/flow/{session}/Kitchen Echo/{item}/Kitchen Echo.flac"
        );
        let body = format!(r#"{{"streamUrl": "{url}"}}"#);
        (url, push(&body))
    }

    /// Its metadata push: the same URL with the item's metadata.
    fn metadata_push(url: &str, title: &str) -> Push {
        push(&format!(
            r#"{{"streamUrl": "{url}", "title": "{title}", "artist": "Miles Davis", "album": "Kind of Blue", "imageUrl": "http://192.168.1.20:8095/imageproxy?path=x&size=256"}}"#
        ))
    }

    /// Issue 18: OLD, NEW, then the late metadata push of OLD with NEW's title.
    #[test]
    fn a_late_push_of_the_previous_stream_changes_nothing() {
        let store = Store::in_memory();
        let (old, old_play) = play_push("3f9c1a", "1b2e77");
        let (new, new_play) = play_push("77aa01", "c0ffee");
        assert_eq!(store.push(&old_play).outcome, Outcome::NewStream);
        assert_eq!(store.push(&new_play).outcome, Outcome::NewStream);
        let late = store.push(&metadata_push(&old, "Freddie Freeloader"));
        assert_eq!(late.outcome, Outcome::Superseded);
        assert_eq!(late.slot, Slot::Player("Kitchen Echo".into()));
        for player in [None, Some("Kitchen Echo")] {
            let latest = latest(&store, player).expect("latest");
            assert_eq!(latest["streamUrl"], new.as_str(), "{player:?}");
            assert_eq!(latest["title"], serde_json::Value::Null, "{player:?}");
        }
        // The current stream's own metadata push still lands.
        let current = store.push(&metadata_push(&new, "Freddie Freeloader"));
        assert_eq!(current.outcome, Outcome::SameStream);
        assert_eq!(
            latest(&store, None).expect("latest")["title"],
            "Freddie Freeloader"
        );
        // So does a later stream; and the push of either old one stays ignored.
        let (third, third_play) = play_push("9d8e7f", "beef01");
        assert_eq!(store.push(&third_play).outcome, Outcome::NewStream);
        for stale in [&old, &new] {
            assert_eq!(
                store.push(&metadata_push(stale, "x")).outcome,
                Outcome::Superseded
            );
        }
        assert_eq!(
            latest(&store, None).expect("latest")["streamUrl"],
            third.as_str()
        );
    }

    #[test]
    fn the_newer_providers_bodies_and_an_encoded_space_are_the_same_streams() {
        let store = Store::in_memory();
        let old = "http://192.168.1.20:8097/flow/3f9c1a/Kitchen Echo/1b2e77/Kitchen Echo.flac";
        let new = "http://192.168.1.20:8097/flow/77aa01/Kitchen Echo/c0ffee/Kitchen Echo.flac";
        for url in [old, new] {
            store.push(&push(&format!(
                r#"{{"streamUrl": "{url}", "title": "t", "artist": null, "album": null, "imageUrl": null, "playerId": "Kitchen Echo", "canSkipSpeech": true}}"#
            )));
        }
        let encoded = old.replace(' ', "%20");
        let late = store.push(&metadata_push(&encoded, "late"));
        assert_eq!(late.outcome, Outcome::Superseded);
        assert_eq!(latest(&store, None).expect("latest")["streamUrl"], new);
    }

    #[test]
    fn a_push_without_player_id_finds_the_slot_that_knows_its_stream() {
        let store = Store::in_memory();
        let first = "http://10.0.0.2:8097/flow/s1/office_queue/i1/office_queue.mp3";
        let second = "http://10.0.0.2:8097/flow/s2/office_queue/i2/office_queue.mp3";
        for url in [first, second] {
            store.push(&push(&format!(
                r#"{{"streamUrl": "{url}", "playerId": "Office Echo"}}"#
            )));
        }
        let office = Slot::Player("Office Echo".into());
        let current = store.push(&metadata_push(second, "So What"));
        assert_eq!(
            (current.slot, current.outcome),
            (office.clone(), Outcome::SameStream)
        );
        let late = store.push(&metadata_push(first, "Freddie Freeloader"));
        assert_eq!((late.slot, late.outcome), (office, Outcome::Superseded));
        assert_eq!(latest(&store, Some("office_queue")), None);
        let latest = latest(&store, None).expect("latest");
        assert_eq!(
            (latest["streamUrl"].as_str(), latest["title"].as_str()),
            (Some(second), Some("So What"))
        );
    }

    #[test]
    fn announcements_and_plugin_sources_may_come_back() {
        let store = Store::in_memory();
        let plugin = "http://10.0.0.2:8097/pluginsource/spotify_connect/Kitchen%20Echo.mp3";
        let queue = "http://10.0.0.2:8097/flow/s1/Kitchen%20Echo/i1/Kitchen%20Echo.mp3";
        let bodies = [plugin, queue, plugin];
        for url in bodies {
            let pushed = store.push(&push(&format!(
                r#"{{"streamUrl": "{url}", "playerId": "Kitchen Echo"}}"#
            )));
            assert_eq!(pushed.outcome, Outcome::NewStream, "{url}");
        }
        assert_eq!(latest(&store, None).expect("latest")["streamUrl"], plugin);
    }

    #[test]
    fn a_slot_remembers_a_bounded_number_of_streams() {
        let store = Store::in_memory();
        let url = |n: usize| format!("http://h/flow/s{n}/q/i{n}.mp3");
        for n in 0..=MAX_SUPERSEDED + 1 {
            store.push(&push(&format!(r#"{{"streamUrl": "{}"}}"#, url(n))));
        }
        let state = store.lock();
        let entry = state.slots.get(&Slot::Player("q".into())).expect("slot");
        assert_eq!(entry.superseded.len(), MAX_SUPERSEDED);
        drop(state);
        // The oldest has been forgotten; the one just before the current one has not.
        let oldest = store.push(&push(&format!(r#"{{"streamUrl": "{}"}}"#, url(0))));
        assert_eq!(oldest.outcome, Outcome::NewStream);
        let recent = store.push(&push(&format!(
            r#"{{"streamUrl": "{}"}}"#,
            url(MAX_SUPERSEDED + 1)
        )));
        assert_eq!(recent.outcome, Outcome::Superseded);
    }

    #[test]
    fn what_a_slot_has_moved_on_from_survives_a_restore() {
        let store = Store::in_memory();
        let (old, old_play) = play_push("3f9c1a", "1b2e77");
        let (new, new_play) = play_push("77aa01", "c0ffee");
        store.push(&old_play);
        store.push(&new_play);
        let json = serde_json::to_vec(&store.lock().snapshot()).expect("serialises");
        let (restored, skipped) = State::restore(serde_json::from_slice(&json).expect("parses"));
        assert_eq!(skipped, 0);
        let restored = Store::with_state(restored, None);
        let late = restored.push(&metadata_push(&old, "late"));
        assert_eq!(late.outcome, Outcome::Superseded);
        assert_eq!(
            latest(&restored, None).expect("latest")["streamUrl"],
            new.as_str()
        );
    }

    /// Issue 18: a hand-edited `seq` of `u64::MAX` wrapped (release) or panicked (debug) on the
    /// next push, and the plain latest went back to an older stream.
    #[test]
    fn restored_sequence_numbers_are_renumbered_in_their_order() {
        let file = serde_json::json!({"format": 1, "streams": [
            {"playerId": "Kitchen Echo", "seq": u64::MAX, "streamUrl": KITCHEN},
            {"playerId": "Living Room", "seq": u64::MAX - 1, "streamUrl": LIVING},
            {"playerId": null, "seq": 0, "streamUrl": "http://10.0.0.2:8097/announcement/x.mp3"},
        ]});
        let (state, skipped) = State::restore(serde_json::from_value(file).expect("a state file"));
        assert_eq!(skipped, 0);
        let mut seqs: Vec<u64> = state.slots.values().map(|e| e.seq).collect();
        seqs.sort_unstable();
        assert_eq!(seqs, [0, 1, 2]);
        let store = Store::with_state(state, None);
        assert_eq!(latest(&store, None).expect("latest")["streamUrl"], KITCHEN);
        let office = "http://10.0.0.2:8097/flow/s3/Office/i3/Office.mp3";
        let bedroom = "http://10.0.0.2:8097/flow/s4/Bedroom/i4/Bedroom.mp3";
        for url in [office, bedroom] {
            store.push(&push(&format!(r#"{{"streamUrl": "{url}"}}"#)));
            assert_eq!(latest(&store, None).expect("latest")["streamUrl"], url);
        }
    }

    #[test]
    fn of_two_restored_entries_for_one_slot_the_later_wins() {
        let next = KITCHEN.replace("/i1/", "/i2/");
        let file = serde_json::json!({"format": 1, "streams": [
            {"playerId": "Kitchen Echo", "seq": 9, "streamUrl": next},
            {"playerId": "Kitchen Echo", "seq": 3, "streamUrl": KITCHEN},
        ]});
        let (state, skipped) = State::restore(serde_json::from_value(file).expect("a state file"));
        assert_eq!(skipped, 1);
        let store = Store::with_state(state, None);
        assert_eq!(
            latest(&store, Some("Kitchen Echo")).expect("kitchen")["streamUrl"],
            next.as_str()
        );
    }

    /// Issue 18: a symbolic link at the temporary name had its target overwritten, and the state
    /// file became that link.
    #[cfg(unix)]
    #[test]
    fn the_temporary_file_never_follows_a_link() {
        let dir = std::env::temp_dir().join(format!("ma-alexa-store-link-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("folder");
        let victim = dir.join("victim");
        fs::write(&victim, "precious").expect("victim");
        let state = dir.join("state.json");
        std::os::unix::fs::symlink(&victim, with_suffix(&state, ".tmp")).expect("link");

        write_atomically(&state, b"{}").expect("written");

        assert_eq!(fs::read_to_string(&victim).expect("victim"), "precious");
        let kind = fs::symlink_metadata(&state).expect("state").file_type();
        assert!(kind.is_file(), "the state file is a plain file: {kind:?}");
        assert_eq!(fs::read_to_string(&state).expect("state"), "{}");
        assert!(fs::symlink_metadata(with_suffix(&state, ".tmp")).is_err());
        let _ = fs::remove_dir_all(&dir);
    }
}
