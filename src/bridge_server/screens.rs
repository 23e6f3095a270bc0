//! Open-screen mode on the bridge: which players have a live page (the skill's now-playing page
//! on an Echo Show), and the commands handed to it.
//!
//! The wire contract is [`crate::bridge::screen`]. A page beats every
//! [`BEAT_EVERY`](crate::bridge::screen::BEAT_EVERY); it is live while the last beat is less than
//! [`LIVE_FOR`] old, and stops being live at once when a beat says `closing`. When Music Assistant
//! asks for something the page could do instead of a spoken command (a play push with
//! `canSkipSpeech`, a pause or resume on `POST /ma/control`), the route calls
//! [`Screens::hand_off`]: the command gets the next `seq`, waits in the page's list until a beat
//! reports it carried out (`taken ≥ seq`), and only then does the bridge answer
//! `"pageLive": true`. A command not taken by the deadline is removed from the list, so a page
//! that comes back later never also plays what Music Assistant has meanwhile spoken.
//!
//! Each player has a *turn*: one hand-off at a time, in the order they arrive, so a pause Music
//! Assistant sends while its play push still waits for the page reaches the page after the play.
//!
//! `seq` comes from one counter for the whole bridge that starts at the Unix time in
//! milliseconds when the bridge starts: it keeps growing across restarts (a page remembers the
//! last `seq` it carried out, and ignores a command numbered at or below it).
//!
//! Time is tokio's clock ([`tokio::time::Instant`]), so tests can run it paused.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;
use tokio::time::Instant;

use super::push::MAX_PLAYER_ID_LEN;
use super::store::MAX_PLAYERS;
use crate::bridge::screen::{BeatReply, BeatRequest, PageCommand, LIVE_FOR};
use crate::bridge::LatestReply;

/// How long a play push waits for the page to take its stream, from the push's arrival. Music
/// Assistant gives the push 10 s; the rest is for the answer to get back, so a page that does not
/// take it in time is told `pageLive: false` while Music Assistant still listens, and it speaks.
pub const HANDOFF_WAIT: Duration = Duration::from_secs(7);

/// How long a pause or resume waits for the page, from its arrival. Music Assistant gives
/// `POST /ma/control` 5 s; a timeout there would make it stop using the endpoint.
pub const CONTROL_WAIT: Duration = Duration::from_secs(4);

/// Players with a page kept at most; the one that beat longest ago makes room for a new one.
pub const MAX_PAGES: usize = MAX_PLAYERS;

/// What the bridge hands a page: a [`PageCommand`] before it gets its `seq`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Play this stream (the player's slot, as `GET /ma/latest-url?playerId=` serves it).
    Play(LatestReply),
    /// Pause.
    Pause,
    /// Resume.
    Resume,
}

impl Command {
    /// The command's name, as the wire contract spells it (for log lines).
    pub fn name(&self) -> &'static str {
        match self {
            Self::Play(_) => "play",
            Self::Pause => "pause",
            Self::Resume => "resume",
        }
    }

    fn numbered(self, seq: u64) -> PageCommand {
        match self {
            Self::Play(stream) => PageCommand::Play { seq, stream },
            Self::Pause => PageCommand::Pause { seq },
            Self::Resume => PageCommand::Resume { seq },
        }
    }
}

/// A player id as the pages are kept by: trimmed, not empty, at most [`MAX_PLAYER_ID_LEN`]
/// characters; `None` for anything else.
pub fn page_id(raw: &str) -> Option<&str> {
    let id = raw.trim();
    (!id.is_empty() && id.chars().count() <= MAX_PLAYER_ID_LEN).then_some(id)
}

/// The pages of every player and the commands waiting for them. One per bridge, shared by the
/// routes and the skill served inside the bridge.
#[derive(Debug)]
pub struct Screens {
    pages: Mutex<HashMap<String, Arc<Page>>>,
    /// The next command's `seq`.
    next_seq: AtomicU64,
}

/// One player's page.
#[derive(Debug, Default)]
struct Page {
    state: Mutex<PageState>,
    /// Rung when a beat takes or drops commands.
    changed: Notify,
    /// Held by the hand-off in progress, from before its command is queued until it is taken or
    /// given up: the next one waits (tokio's mutex serves waiters in arrival order).
    turn: tokio::sync::Mutex<()>,
}

#[derive(Debug, Default)]
struct PageState {
    /// When the last beat came; `None` once the page closed.
    last_beat: Option<Instant>,
    /// Commands not yet carried out, oldest first.
    pending: VecDeque<PageCommand>,
    /// The highest `seq` the page reported carried out.
    taken: u64,
}

impl PageState {
    fn live(&self, now: Instant) -> bool {
        self.last_beat
            .is_some_and(|at| now.saturating_duration_since(at) < LIVE_FOR)
    }

    /// Forgets the page: not live, nothing pending.
    fn close(&mut self) {
        self.last_beat = None;
        self.pending.clear();
    }
}

impl Page {
    fn lock(&self) -> MutexGuard<'_, PageState> {
        // Nothing panics while holding the lock; the state is consistent after every change.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// How a hand-off ended, for its log line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ended {
    /// The player has no live page.
    NotLive,
    /// An earlier hand-off to the same page kept the turn until the deadline.
    NoTurn,
    /// The page reported the command carried out.
    Taken(u64),
    /// The page closed (or made room for another) before taking it.
    Dropped(u64),
    /// Not taken by the deadline: removed.
    TimedOut(u64),
}

impl Ended {
    fn outcome(self) -> &'static str {
        match self {
            Self::NotLive => "not_live",
            Self::NoTurn => "no_turn",
            Self::Taken(_) => "taken",
            Self::Dropped(_) => "dropped",
            Self::TimedOut(_) => "timed_out",
        }
    }

    fn seq(self) -> Option<u64> {
        match self {
            Self::NotLive | Self::NoTurn => None,
            Self::Taken(seq) | Self::Dropped(seq) | Self::TimedOut(seq) => Some(seq),
        }
    }
}

impl Default for Screens {
    fn default() -> Self {
        Self::new()
    }
}

impl Screens {
    /// No pages yet; the first command's `seq` is the Unix time in milliseconds now.
    pub fn new() -> Self {
        let now_ms = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(1, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 2));
        Self::starting_at(now_ms)
    }

    /// No pages yet; the first command's `seq` is `first_seq` (at least 1).
    pub fn starting_at(first_seq: u64) -> Self {
        Self {
            pages: Mutex::new(HashMap::new()),
            next_seq: AtomicU64::new(first_seq.max(1)),
        }
    }

    fn pages(&self) -> MutexGuard<'_, HashMap<String, Arc<Page>>> {
        self.pages.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn page(&self, id: &str) -> Option<Arc<Page>> {
        self.pages().get(id).cloned()
    }

    /// `id`'s page, made (and, at [`MAX_PAGES`], room made for it) when there is none.
    fn page_or_new(&self, id: &str) -> Arc<Page> {
        let mut pages = self.pages();
        if let Some(page) = pages.get(id) {
            return Arc::clone(page);
        }
        if pages.len() >= MAX_PAGES {
            let oldest = pages
                .iter()
                .min_by_key(|(_, page)| page.lock().last_beat)
                .map(|(id, _)| id.clone());
            if let Some(oldest) = oldest.and_then(|id| pages.remove(&id).map(|p| (id, p))) {
                let (gone, page) = oldest;
                page.lock().close();
                page.changed.notify_waiters();
                tracing::warn!(
                    player = %gone,
                    "the bridge keeps {MAX_PAGES} open screens at most: forgot the one that beat longest ago"
                );
            }
        }
        let page = Arc::new(Page::default());
        pages.insert(id.to_owned(), Arc::clone(&page));
        page
    }

    /// The highest `seq` handed out so far.
    fn last_seq(&self) -> u64 {
        self.next_seq.load(Ordering::SeqCst).saturating_sub(1)
    }

    /// Whether `player` has a live page now.
    pub fn is_live(&self, player: &str) -> bool {
        page_id(player)
            .and_then(|id| self.page(id))
            .is_some_and(|page| page.lock().live(Instant::now()))
    }

    /// One beat of a page, answered with `now` (the player's slot) and the commands it has not
    /// carried out yet, oldest first.
    ///
    /// The beat's `taken` (never counted beyond the last `seq` handed out) drops every command
    /// numbered at or below it and wakes the hand-offs waiting for them. A beat records the page
    /// as live, unless it is `closing`: then the page is not live from now on and its pending
    /// commands are dropped (their hand-offs end at once, not taken). A beat whose player id is
    /// blank or longer than [`MAX_PLAYER_ID_LEN`] changes nothing.
    pub fn beat(&self, beat: BeatRequest, now: Option<LatestReply>) -> BeatReply {
        let nothing = |now| BeatReply {
            commands: Vec::new(),
            now,
        };
        let Some(id) = page_id(&beat.player_id) else {
            return nothing(now);
        };
        let page = if beat.closing {
            match self.page(id) {
                Some(page) => page,
                None => return nothing(now),
            }
        } else {
            self.page_or_new(id)
        };
        let last_seq = self.last_seq();
        let mut state = page.lock();
        let before = (state.taken, state.pending.len());
        if let Some(taken) = beat.taken {
            state.taken = state.taken.max(taken.min(last_seq));
        }
        let taken = state.taken;
        state.pending.retain(|command| command.seq() > taken);
        if beat.closing {
            state.close();
        } else {
            state.last_beat = Some(Instant::now());
        }
        let changed = before != (state.taken, state.pending.len());
        let commands = state.pending.iter().cloned().collect();
        drop(state);
        if changed {
            page.changed.notify_waiters();
        }
        BeatReply { commands, now }
    }

    /// Hands `command` to `player`'s page: true when the page reported it carried out before
    /// `deadline`.
    ///
    /// First the player's turn (false if an earlier hand-off keeps it past the deadline); then,
    /// if the page is live, the command is queued with the next `seq` and waits for a beat that
    /// takes it. Not taken by the deadline, it is removed, so the page never gets it later. Each
    /// hand-off writes one log line: player, command, seq, whether it was taken and the wait.
    pub async fn hand_off(&self, player: &str, command: Command, deadline: Instant) -> bool {
        let started = Instant::now();
        let name = command.name();
        let ended = self.try_hand_off(player, command, deadline).await;
        let wait_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let player = crate::logging::capped(player.trim(), MAX_PLAYER_ID_LEN);
        let player = player.as_ref();
        let taken = matches!(ended, Ended::Taken(_));
        let seq = ended.seq();
        let outcome = ended.outcome();
        match ended {
            Ended::NoTurn | Ended::TimedOut(_) => tracing::warn!(
                player,
                command = name,
                seq,
                taken,
                outcome,
                wait_ms,
                "open-screen hand-off not taken in time: Music Assistant speaks the command"
            ),
            _ => tracing::info!(
                player,
                command = name,
                seq,
                taken,
                outcome,
                wait_ms,
                "open-screen hand-off"
            ),
        }
        taken
    }

    async fn try_hand_off(&self, player: &str, command: Command, deadline: Instant) -> Ended {
        let Some(page) = page_id(player).and_then(|id| self.page(id)) else {
            return Ended::NotLive;
        };
        let Ok(_turn) = tokio::time::timeout_at(deadline, page.turn.lock()).await else {
            return Ended::NoTurn;
        };
        let seq = {
            let mut state = page.lock();
            if !state.live(Instant::now()) {
                return Ended::NotLive;
            }
            let seq = self.next_seq.fetch_add(1, Ordering::SeqCst);
            state.pending.push_back(command.numbered(seq));
            seq
        };
        loop {
            let woken = page.changed.notified();
            tokio::pin!(woken);
            // Registered before the state is read, so a beat in between still wakes it.
            woken.as_mut().enable();
            {
                let state = page.lock();
                if state.taken >= seq {
                    return Ended::Taken(seq);
                }
                if !state.pending.iter().any(|c| c.seq() == seq) {
                    return Ended::Dropped(seq);
                }
            }
            if tokio::time::timeout_at(deadline, woken).await.is_err() {
                let mut state = page.lock();
                if state.taken >= seq {
                    return Ended::Taken(seq);
                }
                state.pending.retain(|c| c.seq() != seq);
                return Ended::TimedOut(seq);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bridge::screen::BEAT_EVERY;

    const KITCHEN: &str = "Kitchen Echo";
    const FIRST: u64 = 1_000;

    fn beat(player: &str, taken: Option<u64>) -> BeatRequest {
        BeatRequest {
            player_id: player.into(),
            taken,
            closing: false,
        }
    }

    fn closing(player: &str) -> BeatRequest {
        BeatRequest {
            closing: true,
            ..beat(player, None)
        }
    }

    fn stream() -> LatestReply {
        LatestReply {
            stream_url: Some("http://ma/flow/1.mp3".into()),
            title: Some("t".into()),
            ..LatestReply::default()
        }
    }

    fn seqs(reply: &BeatReply) -> Vec<u64> {
        reply.commands.iter().map(PageCommand::seq).collect()
    }

    /// Lets spawned hand-offs run up to their wait.
    async fn settle() {
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
    }

    fn spawn_hand_off(
        screens: &Arc<Screens>,
        command: Command,
        wait: Duration,
    ) -> tokio::task::JoinHandle<bool> {
        let screens = Arc::clone(screens);
        let deadline = Instant::now() + wait;
        tokio::spawn(async move { screens.hand_off(KITCHEN, command, deadline).await })
    }

    #[test]
    fn seq_starts_at_the_unix_time_in_milliseconds() {
        let before = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("after 1970")
            .as_millis();
        let screens = Screens::new();
        assert!(u128::from(screens.next_seq.load(Ordering::SeqCst)) >= before);
        // Not zero even when asked: a page that carried out nothing reports no `taken`.
        assert_eq!(Screens::starting_at(0).next_seq.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn player_ids_are_trimmed_and_bounded() {
        assert_eq!(page_id("  Kitchen Echo "), Some(KITCHEN));
        assert_eq!(page_id("   "), None);
        assert_eq!(
            page_id(&"p".repeat(MAX_PLAYER_ID_LEN)).map(str::len),
            Some(256)
        );
        assert_eq!(page_id(&"p".repeat(MAX_PLAYER_ID_LEN + 1)), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_page_is_live_until_live_for_after_its_last_beat() {
        let screens = Screens::starting_at(FIRST);
        assert!(!screens.is_live(KITCHEN));
        screens.beat(beat(" Kitchen Echo ", None), None);
        assert!(screens.is_live(KITCHEN));
        tokio::time::advance(LIVE_FOR - Duration::from_millis(1)).await;
        assert!(screens.is_live(KITCHEN));
        screens.beat(beat(KITCHEN, None), None);
        tokio::time::advance(LIVE_FOR - Duration::from_millis(1)).await;
        assert!(screens.is_live(KITCHEN), "each beat renews it");
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(!screens.is_live(KITCHEN));
        assert!(!screens.is_live("Living Room"));
    }

    #[tokio::test(start_paused = true)]
    async fn no_live_page_means_false_at_once() {
        let screens = Screens::starting_at(FIRST);
        let deadline = Instant::now() + HANDOFF_WAIT;
        assert!(
            !screens
                .hand_off(KITCHEN, Command::Play(stream()), deadline)
                .await
        );
        // A page that stopped beating is not live either.
        screens.beat(beat(KITCHEN, None), None);
        tokio::time::advance(LIVE_FOR).await;
        let started = Instant::now();
        let deadline = Instant::now() + CONTROL_WAIT;
        assert!(!screens.hand_off(KITCHEN, Command::Pause, deadline).await);
        assert_eq!(started.elapsed(), Duration::ZERO);
        // And nothing was queued for it.
        let reply = screens.beat(beat(KITCHEN, None), None);
        assert!(reply.commands.is_empty(), "{reply:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_command_counts_once_a_beat_reports_it_taken() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        screens.beat(beat(KITCHEN, None), None);
        let play = spawn_hand_off(&screens, Command::Play(stream()), HANDOFF_WAIT);
        settle().await;
        let reply = screens.beat(beat(KITCHEN, None), Some(stream()));
        assert_eq!(
            reply.commands,
            vec![PageCommand::Play {
                seq: FIRST,
                stream: stream()
            }]
        );
        assert_eq!(reply.now, Some(stream()));
        // Delivered is not taken.
        settle().await;
        assert!(!play.is_finished());
        let reply = screens.beat(beat(KITCHEN, Some(FIRST)), None);
        assert!(reply.commands.is_empty(), "{reply:?}");
        assert!(play.await.expect("joined"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_lost_answer_means_the_same_command_again() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        screens.beat(beat(KITCHEN, None), None);
        let pause = spawn_hand_off(&screens, Command::Pause, CONTROL_WAIT);
        settle().await;
        let first = screens.beat(beat(KITCHEN, None), None);
        tokio::time::advance(BEAT_EVERY).await;
        let again = screens.beat(beat(KITCHEN, None), None);
        assert_eq!(first.commands, again.commands);
        assert_eq!(seqs(&again), [FIRST]);
        screens.beat(beat(KITCHEN, Some(FIRST)), None);
        assert!(pause.await.expect("joined"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_command_not_taken_in_time_is_removed() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        screens.beat(beat(KITCHEN, None), None);
        let started = Instant::now();
        let play = spawn_hand_off(&screens, Command::Play(stream()), HANDOFF_WAIT);
        settle().await;
        assert_eq!(seqs(&screens.beat(beat(KITCHEN, None), None)), [FIRST]);
        assert!(!play.await.expect("joined"));
        assert_eq!(started.elapsed(), HANDOFF_WAIT);
        // The page comes back: nothing for it, and reporting it taken now changes nothing.
        let reply = screens.beat(beat(KITCHEN, None), None);
        assert!(reply.commands.is_empty(), "{reply:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_closing_beat_ends_the_page_and_its_hand_offs_at_once() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        screens.beat(beat(KITCHEN, None), None);
        let started = Instant::now();
        let play = spawn_hand_off(&screens, Command::Play(stream()), HANDOFF_WAIT);
        settle().await;
        let reply = screens.beat(closing(KITCHEN), Some(stream()));
        assert!(reply.commands.is_empty(), "{reply:?}");
        assert_eq!(reply.now, Some(stream()));
        assert!(!screens.is_live(KITCHEN));
        assert!(!play.await.expect("joined"));
        assert!(started.elapsed() < Duration::from_millis(1));
        let deadline = Instant::now() + CONTROL_WAIT;
        assert!(!screens.hand_off(KITCHEN, Command::Pause, deadline).await);
        // A closing beat of a page never seen makes none.
        screens.beat(closing("Living Room"), None);
        assert!(screens.page("Living Room").is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_closing_beat_still_counts_what_it_took() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        screens.beat(beat(KITCHEN, None), None);
        let pause = spawn_hand_off(&screens, Command::Pause, CONTROL_WAIT);
        settle().await;
        screens.beat(beat(KITCHEN, None), None);
        screens.beat(
            BeatRequest {
                taken: Some(FIRST),
                ..closing(KITCHEN)
            },
            None,
        );
        assert!(pause.await.expect("joined"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_control_waits_for_the_push_before_it() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        screens.beat(beat(KITCHEN, None), None);
        let play = spawn_hand_off(&screens, Command::Play(stream()), HANDOFF_WAIT);
        settle().await;
        let pause = spawn_hand_off(&screens, Command::Pause, CONTROL_WAIT);
        settle().await;
        // Only the play, while it is not taken.
        let reply = screens.beat(beat(KITCHEN, None), None);
        assert_eq!(seqs(&reply), [FIRST]);
        assert!(matches!(reply.commands[0], PageCommand::Play { .. }));
        tokio::time::advance(Duration::from_secs(1)).await;
        let reply = screens.beat(beat(KITCHEN, Some(FIRST)), None);
        assert!(reply.commands.is_empty(), "{reply:?}");
        assert!(play.await.expect("joined"));
        settle().await;
        let reply = screens.beat(beat(KITCHEN, Some(FIRST)), None);
        assert_eq!(reply.commands, vec![PageCommand::Pause { seq: FIRST + 1 }]);
        screens.beat(beat(KITCHEN, Some(FIRST + 1)), None);
        assert!(pause.await.expect("joined"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_control_behind_a_push_never_taken_gives_up_at_its_own_deadline() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        screens.beat(beat(KITCHEN, None), None);
        let play = spawn_hand_off(&screens, Command::Play(stream()), HANDOFF_WAIT);
        settle().await;
        let started = Instant::now();
        let pause = spawn_hand_off(&screens, Command::Pause, CONTROL_WAIT);
        assert!(!pause.await.expect("joined"));
        assert_eq!(started.elapsed(), CONTROL_WAIT);
        assert!(!play.await.expect("joined"));
        // Neither is left for the page.
        let reply = screens.beat(beat(KITCHEN, None), None);
        assert!(reply.commands.is_empty(), "{reply:?}");
    }

    #[tokio::test(start_paused = true)]
    async fn taken_never_counts_beyond_what_was_handed_out() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        // A page that claims to have carried out commands from the future…
        screens.beat(beat(KITCHEN, Some(u64::MAX)), None);
        let play = spawn_hand_off(&screens, Command::Play(stream()), HANDOFF_WAIT);
        settle().await;
        // …does not make the next one taken before it ever saw it.
        assert!(!play.is_finished());
        assert_eq!(seqs(&screens.beat(beat(KITCHEN, None), None)), [FIRST]);
        screens.beat(beat(KITCHEN, Some(FIRST)), None);
        assert!(play.await.expect("joined"));
    }

    #[tokio::test(start_paused = true)]
    async fn each_player_has_its_own_page_and_turn() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        screens.beat(beat(KITCHEN, None), None);
        screens.beat(beat("Living Room", None), None);
        let kitchen = spawn_hand_off(&screens, Command::Play(stream()), HANDOFF_WAIT);
        settle().await;
        let living = {
            let screens = Arc::clone(&screens);
            let deadline = Instant::now() + CONTROL_WAIT;
            tokio::spawn(async move {
                screens
                    .hand_off("Living Room", Command::Resume, deadline)
                    .await
            })
        };
        settle().await;
        let reply = screens.beat(beat("Living Room", None), None);
        assert_eq!(reply.commands, vec![PageCommand::Resume { seq: FIRST + 1 }]);
        screens.beat(beat("Living Room", Some(FIRST + 1)), None);
        assert!(living.await.expect("joined"));
        assert!(!kitchen.is_finished());
        screens.beat(beat(KITCHEN, Some(FIRST)), None);
        assert!(kitchen.await.expect("joined"));
    }

    #[tokio::test(start_paused = true)]
    async fn pages_beyond_the_limit_push_out_the_one_that_beat_longest_ago() {
        let screens = Arc::new(Screens::starting_at(FIRST));
        screens.beat(beat(KITCHEN, None), None);
        let play = spawn_hand_off(&screens, Command::Play(stream()), HANDOFF_WAIT);
        settle().await;
        for n in 1..MAX_PAGES {
            tokio::time::advance(Duration::from_millis(1)).await;
            screens.beat(beat(&format!("p{n}"), None), None);
        }
        assert!(screens.is_live(KITCHEN));
        screens.beat(beat("one too many", None), None);
        assert!(!screens.is_live(KITCHEN));
        assert!(screens.is_live("p1") && screens.is_live("one too many"));
        assert_eq!(screens.pages().len(), MAX_PAGES);
        // Its hand-off ends at once.
        assert!(!play.await.expect("joined"));
    }

    #[tokio::test(start_paused = true)]
    async fn a_blank_or_huge_player_id_changes_nothing() {
        let screens = Screens::starting_at(FIRST);
        for id in ["", "  ", &"p".repeat(MAX_PLAYER_ID_LEN + 1)] {
            let reply = screens.beat(beat(id, Some(5)), Some(stream()));
            assert!(reply.commands.is_empty());
            assert_eq!(reply.now, Some(stream()));
            let deadline = Instant::now() + CONTROL_WAIT;
            assert!(!screens.hand_off(id, Command::Pause, deadline).await);
        }
        assert!(screens.pages().is_empty());
    }
}
