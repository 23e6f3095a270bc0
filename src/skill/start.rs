//! Starting something new on a queue: the command that makes Music Assistant push a new stream
//! (`play_media`, `play_index`) is sent while the bridge is watched for that stream, so the
//! answer can carry its `Play` instead of waiting for Music Assistant's spoken command.
//!
//! Playing by name (`media.rs`), previous and start over (`control.rs`) and rooms all start
//! through [`OnQueue::start`]; this module only needs the queue's rules (`queue.rs`) below it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::queue::Clock;
use super::{failed, fetch_latest, play_directive, ChosenQueue, Ctx, Handled, Outcome};
use crate::alexa::request::SkillRequest;
use crate::alexa::response::{Directive, PlayBehavior, ResponseEnvelope};
use crate::bridge::{Latest, StreamSource};
use crate::deadline::Deadline;
use crate::music_assistant::{MaError, MusicAssistant, QueueCommand};
use crate::settings::MaSettings;
use crate::speech::Language;
use crate::stream::StreamId;

/// How often the bridge is asked whether the new stream has arrived.
const WATCH_EVERY: Duration = Duration::from_millis(100);
/// Kept free before the deadline for the answer itself.
const ANSWER_MARGIN: Duration = Duration::from_millis(400);
/// How long to keep watching the bridge once Music Assistant has confirmed `play_media`.
const GRACE_AFTER_CONFIRMED: Duration = Duration::from_millis(1500);

/// What every media request on a chosen queue shares.
pub(super) struct OnQueue<'r, 'c, 's, B, M> {
    pub(super) req: &'r SkillRequest,
    pub(super) ctx: &'c Ctx<'s, B, M>,
    pub(super) ma: &'s MaSettings,
    pub(super) language: Language,
    /// The player the music goes to, named as Music Assistant shows it; `None`: this Echo. For
    /// another player the bridge is not watched (the Echo must not start that stream too) and
    /// the answer names it.
    pub(super) room: Option<&'r str>,
    /// Whether the answer may carry the new stream as an AudioPlayer `Play` (the bridge is
    /// watched for it). Not for the skill's page on a screen: the page plays the stream itself,
    /// and the bridge hands the new one to it.
    pub(super) audio_player: bool,
}

impl<'r, 'c, 's, B: StreamSource, M: MusicAssistant> OnQueue<'r, 'c, 's, B, M> {
    /// Media requests on the device's own queue.
    pub(super) fn new(
        req: &'r SkillRequest,
        ctx: &'c Ctx<'s, B, M>,
        ma: &'s MaSettings,
        language: Language,
    ) -> Self {
        Self {
            req,
            ctx,
            ma,
            language,
            room: None,
            audio_player: true,
        }
    }
}

/// A `play_media` to send and what to say about it.
pub(super) struct Started {
    /// Switch shuffle on first.
    pub(super) shuffle: bool,
    /// The command that makes Music Assistant push a new stream (`play_media`, `play_index`).
    pub(super) command: QueueCommand,
    /// What to say once it is on its way (`None`: a request that may not speak).
    pub(super) spoken: Option<String>,
    /// What to say when Music Assistant did not confirm in time.
    pub(super) requested: Option<String>,
}

impl<B: StreamSource, M: MusicAssistant> OnQueue<'_, '_, '_, B, M> {
    /// Sends `started` to the queue while watching the bridge for the queue's new stream, and
    /// answers: with the `Play` of that stream when it arrived in time, else with words only (Music
    /// Assistant then starts it through its spoken command).
    pub(super) async fn start(
        &self,
        queue: &ChosenQueue,
        started: Started,
        clock: &mut Clock,
    ) -> Handled {
        let (req, ctx, ma, language) = (self.req, self.ctx, self.ma, self.language);
        let bridge_spent = AtomicU64::new(0);
        if started.shuffle {
            let shuffle = QueueCommand::Shuffle(true);
            if let Err(error) = clock
                .time(
                    ctx.music_assistant
                        .send(ma, &queue.queue, &shuffle, ctx.deadline),
                )
                .await
            {
                return failed(error.into(), true, language);
            }
        }
        // What the bridge holds for this player now, so the new stream can be told apart.
        let watch = self.audio_player
            && req.can_stream
            && ctx.settings.stream_base.is_ok()
            && self.room.is_none();
        let before = if watch {
            let (latest, trace) = fetch_latest(ctx, Some(queue)).await;
            bridge_spent.fetch_add(trace.ms.unwrap_or(0), Ordering::Relaxed);
            latest.ok().map(|l| l.stream.id())
        } else {
            None
        };
        let watch_until = ctx.deadline.remaining().saturating_sub(ANSWER_MARGIN);
        let sent = ctx
            .music_assistant
            .send(ma, &queue.queue, &started.command, ctx.deadline);
        let arrived = watch_bridge(
            ctx,
            queue,
            before,
            Deadline::after(watch_until),
            &bridge_spent,
        );
        tokio::pin!(sent, arrived);
        let sent_at = Instant::now();
        let millis =
            |since: Instant| u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX);
        // Music Assistant's own answer time and the wait for the new stream are kept apart: once
        // it has answered, the bridge may still be watched for a while (or the stream comes
        // first and its answer is never awaited).
        let mut answered_ms = None;
        let (confirmed, latest) = tokio::select! {
            latest = &mut arrived, if watch => (None, latest),
            result = &mut sent => {
                answered_ms = Some(millis(sent_at));
                let latest = if watch && result.is_ok() {
                    let grace = Deadline::after(GRACE_AFTER_CONFIRMED.min(watch_until.saturating_sub(sent_at.elapsed())));
                    watch_bridge(ctx, queue, before, grace, &bridge_spent).await
                } else if watch && matches!(result, Err(MaError::TimedOut { .. })) {
                    arrived.await
                } else {
                    None
                };
                (Some(result), latest)
            }
        };
        let stream_wait_ms = watch.then(|| millis(sent_at));
        if let Some(answered_ms) = answered_ms {
            clock.ma_ms = Some(clock.ma_ms.unwrap_or(0).saturating_add(answered_ms));
        }
        let play = latest.and_then(|latest| {
            let base = ctx.settings.stream_base.as_ref().ok()?;
            play_directive(base, &latest, PlayBehavior::ReplaceAll, 0, None).ok()
        });
        let said = |text: Option<String>| match text {
            Some(text) => Handled::new(ResponseEnvelope::say(text), Outcome::Spoke),
            None => Handled::silent(),
        };
        let mut handled = match (play, confirmed) {
            (Some(play), confirmed) => {
                let response = match started.spoken {
                    Some(text) => ResponseEnvelope::say_and_play(text, Directive::Play(play)),
                    None => ResponseEnvelope::directive(Directive::Play(play), None),
                };
                let mut handled = Handled::new(response, Outcome::Played);
                handled.bridge.slot = Some(super::StreamSlot::Player);
                if confirmed.is_none() {
                    handled.detail =
                        Some("the new stream came before Music Assistant confirmed".into());
                }
                handled
            }
            (None, Some(Ok(()))) => said(started.spoken),
            // Asked, but neither confirmed nor seen on the bridge in time: say just that. Music
            // Assistant carries a command on when its caller goes away, so it still happens.
            (None, Some(Err(MaError::TimedOut { .. })) | None) => said(started.requested)
                .with_detail(Some("sent; not confirmed before the answer was due".into())),
            (None, Some(Err(error))) => failed(error.into(), started.spoken.is_some(), language),
        };
        handled.bridge.ms = watch.then(|| bridge_spent.load(Ordering::Relaxed));
        handled.stream_wait_ms = stream_wait_ms;
        handled
    }
}

/// Asks the bridge for `queue`'s stream until it is another than `before`; `None` when none
/// came before `until`. The time the bridge took is added to `spent` (milliseconds).
async fn watch_bridge<B: StreamSource, M>(
    ctx: &Ctx<'_, B, M>,
    queue: &ChosenQueue,
    before: Option<StreamId>,
    until: Deadline,
    spent: &AtomicU64,
) -> Option<Latest> {
    let Ok(bridge) = &ctx.settings.bridge else {
        return None;
    };
    loop {
        if until.remaining() < WATCH_EVERY {
            return None;
        }
        tokio::time::sleep(WATCH_EVERY).await;
        let asked = Instant::now();
        let answer = ctx.bridge.latest(bridge, Some(&queue.queue), until).await;
        let ms = u64::try_from(asked.elapsed().as_millis()).unwrap_or(u64::MAX);
        spent.fetch_add(ms, Ordering::Relaxed);
        if let Ok(latest) = answer {
            if Some(latest.stream.id()) != before {
                return Some(latest);
            }
        }
    }
}
