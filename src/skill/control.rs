//! Queue control from the Echo: next, previous, start over, shuffle, loop and repeat on the
//! device's queue (found by the rules in `queue.rs`).

use super::queue::{choose_queue, on_state, queue_state, Action, Clock};
use super::start::{OnQueue, Started};
use super::{failed, music_assistant_settings, ChosenQueue, Ctx, Handled, SkillError};
use crate::alexa::request::SkillRequest;
use crate::bridge::StreamSource;
use crate::music_assistant::{MusicAssistant, QueueCommand, RepeatMode};
use crate::settings::MaSettings;
use crate::speech::{self, Language, Phrase};

/// Runs `action` on the device's queue. `voice` requests hear a brief confirmation or what went
/// wrong; the remote's buttons get an empty response (or the new stream) either way.
///
/// Every confirmation is true: next, previous, start over and shuffle first read the queue, so
/// an empty queue is "the queue is empty" and "next" after the last item of a queue that does not
/// repeat is "that was the last track" (Music Assistant answers such a `next` with success and
/// does nothing). Previous and start over are `play_index`, which Music Assistant only answers
/// once the player was told to play: for an Alexa player, after the push to the bridge and a
/// voice command through Amazon, which may take longer than Alexa waits. They run like a play by
/// name: the new stream is watched for on the bridge and played as soon as it is there; when
/// neither it nor Music Assistant's answer comes in time, the user hears that the change was
/// asked for, not that it failed. Music Assistant carries a command on when its HTTP caller
/// goes away (its handlers are not cancelled on disconnect), and the skill never sends a
/// command twice, so the change happens exactly once.
pub(super) async fn act<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    action: Action,
) -> Handled {
    act_with(req, ctx, action, None).await
}

/// [`act`] on the queue of the skill's page on a screen (its previous and next buttons): that
/// queue, whatever the device's AudioPlayer token says, and never an AudioPlayer `Play` in the
/// answer (Music Assistant pushes the new stream, and the bridge hands it to the page).
pub(super) async fn act_on_page<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    action: Action,
    page: ChosenQueue,
) -> Handled {
    act_with(req, ctx, action, Some(page)).await
}

async fn act_with<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    action: Action,
    page: Option<ChosenQueue>,
) -> Handled {
    let language = Language::of_locale(req.locale.as_deref());
    let voice = req.may_speak();
    let ma = match music_assistant_settings(
        ctx.settings,
        Phrase::QueueControlNeedsMusicAssistant,
        voice,
        language,
    ) {
        Ok(ma) => ma,
        Err(answer) => return *answer,
    };
    let mut clock = Clock::default();
    let audio_player = page.is_none();
    let chosen = match page {
        Some(page) => Ok(page),
        None => choose_queue(req, ctx, ma, &mut clock).await,
    };
    let (result, chosen) = match chosen {
        Err(error) => (Err(error), None),
        Ok(queue) => (
            on_queue(req, ctx, ma, action, &queue, audio_player, &mut clock).await,
            Some(queue),
        ),
    };
    let mut handled = match result {
        Ok(Done::Said(phrase)) if voice => Handled::say(phrase, language),
        Ok(Done::Said(phrase)) => Handled::silent().with_detail(Some(format!("{phrase:?}"))),
        Ok(Done::Handled(handled)) => *handled,
        Err(error) => failed(error, voice, language),
    };
    handled.ma_ms = clock.ma_ms;
    handled.queue = chosen;
    handled
}

/// What a queue command came to.
enum Done {
    /// Nothing more to do than say this.
    Said(Phrase),
    /// The whole answer (previous and start over).
    Handled(Box<Handled>),
}

/// Runs `action` on `queue` (see [`act`]); `audio_player`: whether the answer may carry the new
/// stream as an AudioPlayer `Play`.
async fn on_queue<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    ma: &MaSettings,
    action: Action,
    queue: &ChosenQueue,
    audio_player: bool,
    clock: &mut Clock,
) -> Result<Done, SkillError> {
    let command = match action {
        Action::Next | Action::Previous | Action::StartOver | Action::Shuffle(_) => {
            let state = queue_state(&queue.queue, ma, ctx, clock).await?;
            match on_state(&state, action) {
                Ok(command) => command,
                Err(phrase) => return Ok(Done::Said(phrase)),
            }
        }
        Action::Loop(true) => QueueCommand::Repeat(RepeatMode::All),
        Action::Loop(false) => QueueCommand::Repeat(RepeatMode::Off),
        Action::RepeatOne => QueueCommand::Repeat(RepeatMode::One),
    };
    if let QueueCommand::PlayIndex(_) = command {
        let language = Language::of_locale(req.locale.as_deref());
        let voice = req.may_speak();
        let requested = match action {
            Action::StartOver => Phrase::StartOverRequested,
            _ => Phrase::PreviousRequested,
        };
        let started = Started {
            shuffle: false,
            command,
            spoken: voice.then(|| speech::say(action.done(), language)),
            requested: voice.then(|| speech::say(requested, language)),
        };
        let on = OnQueue {
            audio_player,
            ..OnQueue::new(req, ctx, ma, language)
        };
        return Ok(Done::Handled(Box::new(
            on.start(queue, started, clock).await,
        )));
    }
    clock
        .time(
            ctx.music_assistant
                .send(ma, &queue.queue, &command, ctx.deadline),
        )
        .await?;
    Ok(Done::Said(action.done()))
}
