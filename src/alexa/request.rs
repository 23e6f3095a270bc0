//! What the skill understands of a request envelope.
//!
//! [`SkillRequest::parse`] is the one boundary between Amazon's JSON and the skill: it takes the
//! raw event as a `serde_json::Value` (so a malformed envelope still reaches the skill and gets a
//! deliberate answer), and hands out typed facts: the request kind, the device's capabilities, the
//! token it last played, the language to answer in.

use serde::Deserialize;
use serde_json::Value;

pub use super::envelope::ApiAccessToken;
use super::envelope::{self, RawRequest, RequestEnvelope};
use crate::stream::AudioToken;

/// An event that is not an Alexa request envelope at all. These are refused (the invocation
/// fails) rather than answered: there is no request to answer.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    /// The JSON does not have the envelope's shape.
    #[error("the event is not an Alexa request envelope: {0}")]
    Shape(#[source] serde_json::Error),
    /// There is no `request` object, or it has no string `type`.
    #[error("the event has no request.type, so it is not an Alexa request")]
    NoRequestType,
}

/// An intent, by what it means to this skill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Intent {
    /// `PlayAudioIntent` (also `PlayAudio`): Music Assistant asks the Echo to play what it pushed.
    PlayAudio,
    /// `AMAZON.ResumeIntent`.
    Resume,
    /// `AMAZON.PauseIntent` (also what "stop" becomes while audio plays).
    Pause,
    /// `AMAZON.StopIntent`.
    Stop,
    /// `AMAZON.CancelIntent`.
    Cancel,
    /// `AMAZON.HelpIntent`.
    Help,
    /// `AMAZON.FallbackIntent`.
    Fallback,
    /// `AMAZON.NavigateHomeIntent`.
    NavigateHome,
    /// `AMAZON.NextIntent`.
    Next,
    /// `AMAZON.PreviousIntent`.
    Previous,
    /// `AMAZON.StartOverIntent`.
    StartOver,
    /// `AMAZON.ShuffleOnIntent`.
    ShuffleOn,
    /// `AMAZON.ShuffleOffIntent`.
    ShuffleOff,
    /// `AMAZON.LoopOnIntent`.
    LoopOn,
    /// `AMAZON.LoopOffIntent`.
    LoopOff,
    /// `AMAZON.RepeatIntent`.
    Repeat,
    /// `NowPlayingIntent`: "what's playing" (on this Echo, or "in the {room}").
    NowPlaying {
        /// The room asked about, if any.
        room: Option<String>,
    },
    /// `PlayMediaIntent`, `ShuffleMediaIntent`, `PlaySimilarIntent`: play something by name
    /// (`PlayMediaIntent` also "in the {room}": [`MediaAsk::room`]).
    PlayMedia {
        /// What was asked for.
        ask: MediaAsk,
        /// How to play it.
        mode: PlayMode,
    },
    /// `TransferIntent`: "move the music to the {room}".
    Transfer {
        /// Where to.
        room: Option<String>,
    },
    /// `SetVolumeIntent`: "set the {room} volume to {level}", "turn the {room} {direction}".
    SetVolume {
        /// Which room.
        room: Option<String>,
        /// The level asked for, as heard (0–100 is valid).
        level: Option<i64>,
        /// Up or down by a step.
        direction: Option<VolumeDirection>,
    },
    /// `RoomCommandIntent`: "{command} in the {room}".
    RoomCommand {
        /// Which room.
        room: Option<String>,
        /// What to do there.
        command: Option<RoomCommand>,
    },
    /// `ChooseRoomIntent`: the answer to "which one?".
    ChooseRoom {
        /// The room named.
        room: Option<String>,
    },
    /// `PlayFavoritesIntent`: "play my favorites".
    PlayFavorites,
    /// `AddToFavoritesIntent`: "I like this song".
    AddToFavorites,
    /// Any other intent name.
    Other(String),
}

/// "turn the {room} up / down".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeDirection {
    /// Louder.
    Up,
    /// Quieter.
    Down,
}

/// What to do in a room (`ROOM_COMMAND` slot ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoomCommand {
    /// Pause.
    Pause,
    /// Stop.
    Stop,
    /// Resume.
    Resume,
    /// The next item.
    Next,
    /// The item before.
    Previous,
}

impl RoomCommand {
    /// Its id in the `ROOM_COMMAND` slot type.
    pub fn id(self) -> &'static str {
        match self {
            Self::Pause => "pause",
            Self::Stop => "stop",
            Self::Resume => "resume",
            Self::Next => "next",
            Self::Previous => "previous",
        }
    }

    /// The command of a slot type id (`pause`, `stop`, `resume`, `next`, `previous`), or of the
    /// English word Alexa passed through when it matched no value.
    fn of(word: &str) -> Option<Self> {
        Some(match word.trim().to_lowercase().as_str() {
            "pause" => Self::Pause,
            "stop" => Self::Stop,
            "resume" | "continue" | "unpause" | "play" => Self::Resume,
            "next" | "skip" | "next song" | "next track" => Self::Next,
            "previous" | "back" | "go back" | "previous song" | "previous track" => Self::Previous,
            _ => return None,
        })
    }
}

impl VolumeDirection {
    /// Its id in the `VOLUME_DIRECTION` slot type.
    pub fn id(self) -> &'static str {
        match self {
            Self::Up => "up",
            Self::Down => "down",
        }
    }

    /// The direction of a slot type id (`up`, `down`), or of an English word.
    fn of(word: &str) -> Option<Self> {
        Some(match word.trim().to_lowercase().as_str() {
            "up" | "louder" | "higher" => Self::Up,
            "down" | "quieter" | "softer" | "lower" => Self::Down,
            _ => return None,
        })
    }
}

/// How a play-by-name request wants its music.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlayMode {
    /// As it comes (`PlayMediaIntent`).
    Play,
    /// Shuffled (`ShuffleMediaIntent`).
    Shuffle,
    /// Music Assistant's radio mode: an endless queue of similar music (`PlaySimilarIntent`).
    Similar,
}

/// What a person asked to hear: the slots of the play-by-name intents, trimmed, empty ones left
/// out, each at most [`MediaAsk::MAX_LEN`] characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediaAsk {
    /// Free words (`AMAZON.SearchQuery`): "play {query}".
    pub query: Option<String>,
    /// An artist: "play songs by {artist}", "the album {album} by {artist}".
    pub artist: Option<String>,
    /// An album: "play the album {album}".
    pub album: Option<String>,
    /// A song: "play the song {track}".
    pub track: Option<String>,
    /// A playlist: "play the playlist {playlist}".
    pub playlist: Option<String>,
    /// A radio station: "play the radio station {radio}".
    pub radio: Option<String>,
    /// Where to play it: "… in the {room}" (this Echo when absent).
    pub room: Option<String>,
}

impl MediaAsk {
    /// Longest slot value kept; Alexa's own slots are far shorter.
    pub const MAX_LEN: usize = 200;
    /// The slot names the play-by-name intents are read from.
    pub const SLOTS: [&'static str; 6] = ["query", "artist", "album", "track", "playlist", "radio"];

    /// Reads the slots of a play-by-name intent.
    fn from_slots(slots: &serde_json::Map<String, Value>) -> Self {
        let get = |name: &str| slot_text(slots, name);
        Self {
            query: get("query"),
            artist: get("artist"),
            album: get("album"),
            track: get("track"),
            playlist: get("playlist"),
            radio: get("radio"),
            room: get(ROOM_SLOT),
        }
    }

    /// Whether nothing usable was heard of what to play (a room alone is nothing to play).
    pub fn is_empty(&self) -> bool {
        Self {
            room: None,
            ..self.clone()
        } == Self::default()
    }
}

/// The slot that names a room in every room intent.
pub const ROOM_SLOT: &str = "room";

/// What Alexa heard for slot `name`: trimmed, at most [`MediaAsk::MAX_LEN`] characters, `None`
/// when empty or absent.
fn slot_text(slots: &serde_json::Map<String, Value>, name: &str) -> Option<String> {
    let slot = slot_of(slots, name);
    slot.value
        .or_else(|| slot.slot_value.and_then(|v| v.value))
        .map(|v| v.trim().chars().take(MediaAsk::MAX_LEN).collect::<String>())
        .filter(|v| !v.is_empty())
}

/// The id of the custom slot value Alexa matched for slot `name`, else what it heard.
fn slot_id_or_text(slots: &serde_json::Map<String, Value>, name: &str) -> Option<String> {
    let matched = slot_of(slots, name)
        .resolutions
        .into_iter()
        .flat_map(|r| r.resolutions_per_authority)
        .filter(|a| a.status.as_ref().and_then(|s| s.code.as_deref()) == Some("ER_SUCCESS_MATCH"))
        .flat_map(|a| a.values)
        .find_map(|v| v.value.and_then(|v| v.id));
    matched.or_else(|| slot_text(slots, name))
}

fn slot_of(slots: &serde_json::Map<String, Value>, name: &str) -> envelope::Slot {
    slots
        .get(name)
        .and_then(|v| envelope::Slot::deserialize(v).ok())
        .unwrap_or_default()
}

impl Intent {
    /// Every intent name this skill handles on purpose; an interaction model should name only
    /// these, and the handler knows all of them.
    pub const HANDLED: [&'static str; 27] = [
        "PlayAudioIntent",
        "PlayAudio",
        "AMAZON.ResumeIntent",
        "AMAZON.PauseIntent",
        "AMAZON.StopIntent",
        "AMAZON.CancelIntent",
        "AMAZON.HelpIntent",
        "AMAZON.FallbackIntent",
        "AMAZON.NavigateHomeIntent",
        "AMAZON.NextIntent",
        "AMAZON.PreviousIntent",
        "AMAZON.StartOverIntent",
        "AMAZON.ShuffleOnIntent",
        "AMAZON.ShuffleOffIntent",
        "AMAZON.LoopOnIntent",
        "AMAZON.LoopOffIntent",
        "AMAZON.RepeatIntent",
        "NowPlayingIntent",
        "PlayMediaIntent",
        "ShuffleMediaIntent",
        "PlaySimilarIntent",
        "PlayFavoritesIntent",
        "AddToFavoritesIntent",
        "TransferIntent",
        "SetVolumeIntent",
        "RoomCommandIntent",
        "ChooseRoomIntent",
    ];

    /// The slots the handler reads from the intent named `name` (none for the others).
    pub fn slots_read(name: &str) -> &'static [&'static str] {
        match name {
            "PlayMediaIntent" => &[
                "query", "artist", "album", "track", "playlist", "radio", ROOM_SLOT,
            ],
            "ShuffleMediaIntent" | "PlaySimilarIntent" => &MediaAsk::SLOTS,
            "NowPlayingIntent" | "TransferIntent" | "ChooseRoomIntent" => &[ROOM_SLOT],
            "SetVolumeIntent" => &[ROOM_SLOT, "level", "direction"],
            "RoomCommandIntent" => &["command", ROOM_SLOT],
            _ => &[],
        }
    }

    /// The intent an interaction model's name stands for (slots left empty).
    pub fn from_name(name: &str) -> Self {
        Self::from_parts(name, &serde_json::Map::new())
    }

    /// The intent of `name`, with what its `slots` say.
    pub fn from_parts(name: &str, slots: &serde_json::Map<String, Value>) -> Self {
        let media = |mode| Self::PlayMedia {
            ask: MediaAsk::from_slots(slots),
            mode,
        };
        match name {
            "PlayAudioIntent" | "PlayAudio" => Self::PlayAudio,
            "AMAZON.ResumeIntent" => Self::Resume,
            "AMAZON.PauseIntent" => Self::Pause,
            "AMAZON.StopIntent" => Self::Stop,
            "AMAZON.CancelIntent" => Self::Cancel,
            "AMAZON.HelpIntent" => Self::Help,
            "AMAZON.FallbackIntent" => Self::Fallback,
            "AMAZON.NavigateHomeIntent" => Self::NavigateHome,
            "AMAZON.NextIntent" => Self::Next,
            "AMAZON.PreviousIntent" => Self::Previous,
            "AMAZON.StartOverIntent" => Self::StartOver,
            "AMAZON.ShuffleOnIntent" => Self::ShuffleOn,
            "AMAZON.ShuffleOffIntent" => Self::ShuffleOff,
            "AMAZON.LoopOnIntent" => Self::LoopOn,
            "AMAZON.LoopOffIntent" => Self::LoopOff,
            "AMAZON.RepeatIntent" => Self::Repeat,
            "NowPlayingIntent" => Self::NowPlaying {
                room: slot_text(slots, ROOM_SLOT),
            },
            "TransferIntent" => Self::Transfer {
                room: slot_text(slots, ROOM_SLOT),
            },
            "SetVolumeIntent" => Self::SetVolume {
                room: slot_text(slots, ROOM_SLOT),
                level: slot_text(slots, "level").and_then(|l| l.parse().ok()),
                direction: slot_id_or_text(slots, "direction")
                    .as_deref()
                    .and_then(VolumeDirection::of),
            },
            "RoomCommandIntent" => Self::RoomCommand {
                room: slot_text(slots, ROOM_SLOT),
                command: slot_id_or_text(slots, "command")
                    .as_deref()
                    .and_then(RoomCommand::of),
            },
            "ChooseRoomIntent" => Self::ChooseRoom {
                room: slot_text(slots, ROOM_SLOT),
            },
            "PlayMediaIntent" => media(PlayMode::Play),
            "ShuffleMediaIntent" => media(PlayMode::Shuffle),
            "PlaySimilarIntent" => media(PlayMode::Similar),
            "PlayFavoritesIntent" => Self::PlayFavorites,
            "AddToFavoritesIntent" => Self::AddToFavorites,
            other => Self::Other(other.to_owned()),
        }
    }
}

/// An `error` Amazon reported (playback failure, invalid response, session error).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportedError {
    /// `MEDIA_ERROR_UNKNOWN`, `INVALID_RESPONSE`…
    pub kind: Option<String>,
    /// Amazon's description.
    pub message: Option<String>,
}

impl From<envelope::ErrorInfo> for ReportedError {
    fn from(e: envelope::ErrorInfo) -> Self {
        Self {
            kind: e.kind,
            message: e.message,
        }
    }
}

impl std::fmt::Display for ReportedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = self.kind.as_deref().unwrap_or("unknown error");
        match &self.message {
            Some(message) => write!(f, "{kind}: {message}"),
            None => f.write_str(kind),
        }
    }
}

/// What was asked, by kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestKind {
    /// `LaunchRequest`.
    Launch,
    /// `IntentRequest`.
    Intent(Intent),
    /// `SessionEndedRequest`.
    SessionEnded {
        /// Why the session ended.
        reason: Option<String>,
        /// The error, when `reason` is `ERROR`.
        error: Option<ReportedError>,
    },
    /// `AudioPlayer.PlaybackStarted`.
    PlaybackStarted,
    /// `AudioPlayer.PlaybackStopped`.
    PlaybackStopped,
    /// `AudioPlayer.PlaybackFinished`.
    PlaybackFinished,
    /// `AudioPlayer.PlaybackNearlyFinished`.
    PlaybackNearlyFinished {
        /// The stream that is about to end.
        token: Option<AudioToken>,
    },
    /// `AudioPlayer.PlaybackFailed`.
    PlaybackFailed {
        /// The stream that failed.
        token: Option<AudioToken>,
        /// What went wrong.
        error: Option<ReportedError>,
    },
    /// `PlaybackController.PlayCommandIssued`.
    PlayButton,
    /// `PlaybackController.PauseCommandIssued`.
    PauseButton,
    /// `PlaybackController.NextCommandIssued`.
    NextButton,
    /// `PlaybackController.PreviousCommandIssued`.
    PreviousButton,
    /// `System.ExceptionEncountered`.
    ExceptionEncountered {
        /// What Alexa could not use.
        error: Option<ReportedError>,
        /// The request whose response failed.
        cause_request_id: Option<String>,
    },
    /// `AlexaSkillEvent.*`.
    SkillEvent,
    /// `Alexa.Presentation.APL.UserEvent`: the skill's page on a screen sent an event.
    PageEvent {
        /// The token of the document that sent it (the skill chose it when rendering).
        token: Option<String>,
        /// What the page sent, as sent.
        arguments: Vec<Value>,
    },
    /// A request type this skill does not know.
    Unknown,
    /// A known request type whose fields do not parse, or an intent request without an intent.
    Malformed {
        /// What is wrong, for the log.
        reason: String,
    },
}

/// What the device last played through this skill (`context.AudioPlayer`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PlayerState {
    /// The token of that stream.
    pub token: Option<AudioToken>,
    /// Where it stopped.
    pub offset_ms: u64,
    /// `PLAYING`, `PAUSED`, `STOPPED`…
    pub activity: Option<String>,
}

impl PlayerState {
    /// Whether the device is playing (or buffering) this skill's stream right now.
    pub fn is_playing(&self) -> bool {
        matches!(
            self.activity.as_deref(),
            Some("PLAYING" | "BUFFER_UNDERRUN")
        )
    }
}

/// The device's screen and what its APL runtime declares, as the request tells them
/// (`supportedInterfaces["Alexa.Presentation.APL"]` and `context.Viewport`). Only facts: which
/// devices get a page is the skill's decision.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Screen {
    /// Whether the device declares the APL interface (the skill's manifest must declare it too,
    /// or Alexa never sends it).
    pub apl: bool,
    /// The newest APL version the device renders (`runtime.maxVersion`), as sent.
    pub apl_max_version: Option<String>,
    /// The video codecs the APL runtime plays (`context.Viewport.video.codecs`): empty when the
    /// runtime declares no media playback at all.
    pub video_codecs: Vec<String>,
    /// `HUB`, `TV`…
    pub mode: Option<String>,
    /// `RECTANGLE` or `ROUND`.
    pub shape: Option<String>,
    /// Screen width in pixels.
    pub pixel_width: Option<u32>,
    /// Screen height in pixels.
    pub pixel_height: Option<u32>,
    /// Pixel density.
    pub dpi: Option<u32>,
}

impl Screen {
    /// The viewport in a few words for a log line (mode, shape, size, density, APL version,
    /// codecs); never an id.
    pub fn describe(&self) -> String {
        let or = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
        let num = |v: Option<u32>| v.map_or_else(|| "?".into(), |v| v.to_string());
        let codecs = if self.video_codecs.is_empty() {
            "none".to_owned()
        } else {
            self.video_codecs.join(",")
        };
        let text = format!(
            "{} {} {}x{} {}dpi, APL {}, video codecs {}",
            or(&self.mode),
            or(&self.shape),
            num(self.pixel_width),
            num(self.pixel_height),
            num(self.dpi),
            or(&self.apl_max_version),
            codecs
        );
        text.chars().take(200).collect()
    }
}

/// A request, as the skill understands it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkillRequest {
    /// `request.type` as sent, for the log line.
    pub request_type: String,
    /// `request.requestId`, for the log line.
    pub request_id: Option<String>,
    /// `request.locale`; it selects the language of any speech.
    pub locale: Option<String>,
    /// The skill the request is for (`context.System.application`, else `session.application`).
    pub application_id: Option<String>,
    /// Whether the device has the AudioPlayer interface.
    pub can_stream: bool,
    /// `context.System.device.deviceId` (never logged).
    pub device_id: Option<String>,
    /// What the device last played through this skill.
    pub player: PlayerState,
    /// The device's screen, if it reports one (APL interface or a viewport).
    pub screen: Option<Screen>,
    /// `request.intent.name` as sent, for the log line.
    pub intent_name: Option<String>,
    /// What Alexa heard for each filled slot of the intent, by slot name, as sent (trimmed, at
    /// most [`MediaAsk::MAX_LEN`] characters): the words themselves, before any slot type
    /// resolved them.
    pub heard: std::collections::BTreeMap<String, String>,
    /// `session.attributes`: what the skill's previous answer in this session kept.
    pub session_attributes: serde_json::Map<String, Value>,
    /// How to call Alexa's APIs back during this request (for a progressive response).
    pub alexa_api: AlexaApi,
    /// What is asked.
    pub kind: RequestKind,
}

/// `context.System.apiEndpoint` and `apiAccessToken`: where and with what a skill calls Alexa's
/// APIs while it works on the request (the token is valid for this request only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AlexaApi {
    /// The endpoint as sent, not yet checked (see `crate::progressive::ApiEndpoint`).
    pub endpoint: Option<String>,
    /// The bearer token: a secret, printed as `[REDACTED]`.
    pub token: Option<ApiAccessToken>,
}

/// Just enough of `request` to name it in a log line, whatever its type.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Head {
    #[serde(rename = "type", default)]
    request_type: Option<String>,
    #[serde(default)]
    request_id: Option<Value>,
    #[serde(default)]
    locale: Option<Value>,
    #[serde(default)]
    intent: Option<Value>,
}

impl SkillRequest {
    /// Reads an event. Fails only when it is not an Alexa request at all; a known request type
    /// with unusable fields becomes [`RequestKind::Malformed`] and is answered.
    pub fn parse(event: Value) -> Result<Self, EnvelopeError> {
        let envelope: RequestEnvelope =
            serde_json::from_value(event).map_err(EnvelopeError::Shape)?;
        let head = Head::deserialize(&envelope.request).unwrap_or_default();
        let request_type = head.request_type.ok_or(EnvelopeError::NoRequestType)?;

        let context = envelope.context.unwrap_or_default();
        let system = context.system.unwrap_or_default();
        let session = envelope.session.unwrap_or_default();
        let application_id = system
            .application
            .and_then(|a| a.application_id)
            .or_else(|| session.application.and_then(|a| a.application_id));
        let alexa_api = AlexaApi {
            endpoint: system.api_endpoint,
            token: system.api_access_token,
        };
        let device = system.device.unwrap_or_default();
        let can_stream = device.supported_interfaces.contains_key("AudioPlayer");
        let apl = device.supported_interfaces.get(envelope::APL_INTERFACE);
        let screen = screen_of(apl, context.viewport);
        let device_id = device.device_id;
        let player = context
            .audio_player
            .map(|p| PlayerState {
                token: p.token.as_deref().and_then(AudioToken::received),
                offset_ms: p.offset_in_milliseconds.unwrap_or(0),
                activity: p.player_activity,
            })
            .unwrap_or_default();

        let heard = head
            .intent
            .as_ref()
            .and_then(|i| i.get("slots"))
            .and_then(Value::as_object)
            .map(|slots| {
                slots
                    .keys()
                    .filter_map(|name| slot_text(slots, name).map(|v| (name.clone(), v)))
                    .collect()
            })
            .unwrap_or_default();
        let kind = if request_type == envelope::USER_EVENT {
            page_event(&envelope.request)
        } else {
            match RawRequest::deserialize(&envelope.request) {
                Ok(raw) => kind_of(raw, &request_type),
                Err(e) => RequestKind::Malformed {
                    reason: e.to_string(),
                },
            }
        };
        Ok(Self {
            intent_name: head
                .intent
                .and_then(|i| i.get("name").cloned())
                .and_then(string_of),
            heard,
            request_id: head.request_id.and_then(string_of),
            locale: head.locale.and_then(string_of),
            request_type,
            application_id,
            session_attributes: session.attributes,
            alexa_api,
            can_stream,
            device_id,
            player,
            screen,
            kind,
        })
    }

    /// Whether Alexa accepts speech in the answer (launch and intent requests only).
    pub fn may_speak(&self) -> bool {
        matches!(
            self.request_type.as_str(),
            "LaunchRequest" | "IntentRequest"
        )
    }
}

/// The screen facts of a request: `apl` is the device's entry for the APL interface, if any.
fn screen_of(apl: Option<&Value>, viewport: Option<envelope::Viewport>) -> Option<Screen> {
    if apl.is_none() && viewport.is_none() {
        return None;
    }
    let apl_max_version = apl
        .and_then(|a| a.pointer("/runtime/maxVersion"))
        .and_then(Value::as_str)
        .map(|v| v.trim().chars().take(20).collect::<String>())
        .filter(|v| !v.is_empty());
    let viewport = viewport.unwrap_or_default();
    let clean = |v: Option<String>| v.map(|v| v.chars().take(20).collect::<String>());
    Some(Screen {
        apl: apl.is_some(),
        apl_max_version,
        video_codecs: viewport
            .video
            .map(|v| v.codecs)
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.chars().take(20).collect::<String>())
            .filter(|c| !c.trim().is_empty())
            .take(10)
            .collect(),
        mode: clean(viewport.mode),
        shape: clean(viewport.shape),
        pixel_width: viewport.pixel_width,
        pixel_height: viewport.pixel_height,
        dpi: viewport.dpi,
    })
}

/// An APL `UserEvent`; its fields are read leniently, so it is never malformed.
fn page_event(request: &Value) -> RequestKind {
    let event = envelope::UserEvent::deserialize(request).unwrap_or_default();
    RequestKind::PageEvent {
        token: event.token,
        arguments: event.arguments.unwrap_or_default(),
    }
}

fn string_of(value: Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s),
        _ => None,
    }
}

fn kind_of(raw: RawRequest, request_type: &str) -> RequestKind {
    let token = |t: Option<String>| t.as_deref().and_then(AudioToken::received);
    match raw {
        RawRequest::LaunchRequest(_) => RequestKind::Launch,
        RawRequest::IntentRequest(body) => match body.intent {
            Some(envelope::Intent {
                name: Some(name),
                slots,
            }) => RequestKind::Intent(Intent::from_parts(&name, &slots)),
            _ => RequestKind::Malformed {
                reason: "the IntentRequest names no intent".into(),
            },
        },
        RawRequest::SessionEndedRequest(body) => RequestKind::SessionEnded {
            reason: body.reason,
            error: body.error.map(Into::into),
        },
        RawRequest::PlaybackStarted(_) => RequestKind::PlaybackStarted,
        RawRequest::PlaybackStopped(_) => RequestKind::PlaybackStopped,
        RawRequest::PlaybackFinished(_) => RequestKind::PlaybackFinished,
        RawRequest::PlaybackNearlyFinished(body) => RequestKind::PlaybackNearlyFinished {
            token: token(body.token),
        },
        RawRequest::PlaybackFailed(body) => RequestKind::PlaybackFailed {
            token: token(body.token),
            error: body.error.map(Into::into),
        },
        RawRequest::PlayCommandIssued(_) => RequestKind::PlayButton,
        RawRequest::PauseCommandIssued(_) => RequestKind::PauseButton,
        RawRequest::NextCommandIssued(_) => RequestKind::NextButton,
        RawRequest::PreviousCommandIssued(_) => RequestKind::PreviousButton,
        RawRequest::ExceptionEncountered(body) => RequestKind::ExceptionEncountered {
            error: body.error.map(Into::into),
            cause_request_id: body.cause.and_then(|c| c.request_id),
        },
        RawRequest::Unknown if request_type.starts_with("AlexaSkillEvent.") => {
            RequestKind::SkillEvent
        }
        RawRequest::Unknown => RequestKind::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(event: Value) -> SkillRequest {
        SkillRequest::parse(event).expect("an Alexa request")
    }

    #[test]
    fn not_an_envelope_is_refused() {
        for event in [
            json!("hello"),
            json!([1, 2]),
            json!({}),
            json!({ "request": {} }),
            json!({ "request": { "type": 7 } }),
        ] {
            assert!(SkillRequest::parse(event.clone()).is_err(), "{event}");
        }
    }

    #[test]
    fn both_play_intent_names_mean_play() {
        for name in ["PlayAudioIntent", "PlayAudio"] {
            let r = parse(
                json!({ "request": { "type": "IntentRequest", "intent": { "name": name } } }),
            );
            assert_eq!(r.kind, RequestKind::Intent(Intent::PlayAudio));
            assert_eq!(r.intent_name.as_deref(), Some(name));
        }
    }

    #[test]
    fn every_handled_name_maps_to_a_known_intent() {
        for name in Intent::HANDLED {
            assert!(
                !matches!(Intent::from_name(name), Intent::Other(_)),
                "{name}"
            );
        }
    }

    #[test]
    fn play_by_name_reads_its_slots() {
        let r = parse(json!({ "request": { "type": "IntentRequest", "intent": {
            "name": "ShuffleMediaIntent",
            "slots": {
                "album": { "name": "album", "value": "  Kind of Blue ", "confirmationStatus": "NONE" },
                "artist": { "name": "artist", "slotValue": { "type": "Simple", "value": "Miles Davis" } },
                "query": { "name": "query", "confirmationStatus": "NONE" },
                "track": { "name": "track", "value": "" },
                "radio": { "name": "radio", "value": 42 }
            }
        } } }));
        let RequestKind::Intent(Intent::PlayMedia { ask, mode }) = r.kind else {
            panic!("{:?}", r.kind);
        };
        assert_eq!(mode, PlayMode::Shuffle);
        assert_eq!(ask.album.as_deref(), Some("Kind of Blue"));
        assert_eq!(ask.artist.as_deref(), Some("Miles Davis"));
        assert_eq!((ask.query, ask.track, ask.radio), (None, None, None));
    }

    #[test]
    fn the_words_heard_are_kept_before_any_type_resolves_them() {
        let r = parse(json!({ "request": { "type": "IntentRequest", "intent": {
            "name": "RoomCommandIntent",
            "slots": {
                "command": { "name": "command", "value": "Pausiere ", "resolutions": {
                    "resolutionsPerAuthority": [{ "status": { "code": "ER_SUCCESS_MATCH" },
                        "values": [{ "value": { "name": "pause", "id": "pause" } }] }] } },
                "room": { "name": "room", "value": "musik" },
                "unfilled": { "name": "unfilled" }
            }
        } } }));
        assert_eq!(
            r.heard.into_iter().collect::<Vec<_>>(),
            [
                ("command".to_owned(), "Pausiere".to_owned()),
                ("room".to_owned(), "musik".to_owned())
            ]
        );
    }

    #[test]
    fn slot_values_are_capped() {
        let long = "x".repeat(5000);
        let r = parse(json!({ "request": { "type": "IntentRequest", "intent": {
            "name": "PlayMediaIntent", "slots": { "query": { "value": long } }
        } } }));
        let RequestKind::Intent(Intent::PlayMedia { ask, .. }) = r.kind else {
            panic!("{:?}", r.kind);
        };
        assert_eq!(ask.query.map(|q| q.len()), Some(MediaAsk::MAX_LEN));
    }

    #[test]
    fn intent_without_name_is_malformed_but_answered() {
        let r = parse(json!({ "request": { "type": "IntentRequest", "locale": "de-DE" } }));
        assert!(matches!(r.kind, RequestKind::Malformed { .. }));
        assert!(r.may_speak());
        assert_eq!(r.locale.as_deref(), Some("de-DE"));
    }

    #[test]
    fn bad_field_types_in_a_known_request_are_malformed() {
        let r = parse(
            json!({ "request": { "type": "AudioPlayer.PlaybackNearlyFinished", "token": 5 } }),
        );
        assert!(matches!(r.kind, RequestKind::Malformed { .. }));
        assert!(!r.may_speak());
    }

    #[test]
    fn application_id_prefers_context_then_session() {
        let both = parse(json!({
            "session": { "application": { "applicationId": "from-session" } },
            "context": { "System": { "application": { "applicationId": "from-context" } } },
            "request": { "type": "LaunchRequest" }
        }));
        assert_eq!(both.application_id.as_deref(), Some("from-context"));
        let session_only = parse(json!({
            "session": { "application": { "applicationId": "from-session" } },
            "request": { "type": "LaunchRequest" }
        }));
        assert_eq!(session_only.application_id.as_deref(), Some("from-session"));
    }

    #[test]
    fn audio_player_interface_and_state() {
        let r = parse(json!({
            "context": {
                "System": { "device": { "supportedInterfaces": { "AudioPlayer": {} } } },
                "AudioPlayer": { "token": "mas1:00000000000000ff:q", "offsetInMilliseconds": 4200, "playerActivity": "PAUSED" }
            },
            "request": { "type": "PlaybackController.PlayCommandIssued" }
        }));
        assert!(r.can_stream);
        assert_eq!(r.player.offset_ms, 4200);
        assert_eq!(
            r.player
                .token
                .and_then(|t| t.queue().map(|q| q.as_str().to_owned())),
            Some("q".into())
        );
        assert_eq!(r.kind, RequestKind::PlayButton);
    }

    #[test]
    fn parts_of_the_wrong_shape_count_as_absent() {
        let r = parse(json!({
            "session": "broken",
            "context": {
                "System": { "application": { "applicationId": "amzn1.ask.skill.x" }, "device": { "supportedInterfaces": [] } },
                "AudioPlayer": { "token": 7, "offsetInMilliseconds": "soon" }
            },
            "request": { "type": "LaunchRequest", "locale": 5 }
        }));
        assert_eq!(r.kind, RequestKind::Launch);
        assert_eq!(r.application_id.as_deref(), Some("amzn1.ask.skill.x"));
        assert!(!r.can_stream);
        assert_eq!(r.player, PlayerState::default());
        assert_eq!(r.locale, None);
    }

    #[test]
    fn objects_of_any_other_shape_count_as_absent() {
        let wrong = [
            json!("x"),
            json!(7),
            json!(-1.5),
            json!(true),
            json!(null),
            json!([{"a": 1}, [2]]),
        ];
        for value in wrong {
            for (part, event) in [
                (
                    "session",
                    json!({ "session": value, "request": { "type": "LaunchRequest" } }),
                ),
                (
                    "context",
                    json!({ "context": value, "request": { "type": "LaunchRequest" } }),
                ),
                (
                    "System",
                    json!({ "context": { "System": value }, "request": { "type": "LaunchRequest" } }),
                ),
                (
                    "device",
                    json!({ "context": { "System": { "device": value, "application": value } },
                    "session": { "application": value, "new": value },
                    "request": { "type": "LaunchRequest" } }),
                ),
            ] {
                let r =
                    SkillRequest::parse(event).unwrap_or_else(|e| panic!("{part} = {value}: {e}"));
                assert_eq!(r.kind, RequestKind::Launch, "{part} = {value}");
                assert_eq!(r.application_id, None, "{part} = {value}");
                assert!(!r.can_stream, "{part} = {value}");
            }
        }
        // Beside a part of the wrong shape, the rest is still read.
        let r = parse(json!({
            "session": { "application": [1], "new": true },
            "context": { "System": { "application": { "applicationId": "amzn1.ask.skill.y" },
                "device": { "deviceId": 3, "supportedInterfaces": { "AudioPlayer": {} } } },
                "Viewport": { "shape": "ROUND" } },
            "request": { "type": "LaunchRequest" }
        }));
        assert_eq!(r.application_id.as_deref(), Some("amzn1.ask.skill.y"));
        assert!(r.can_stream);
    }

    #[test]
    fn a_screen_and_what_its_apl_runtime_plays() {
        let r = parse(json!({
            "context": {
                "System": { "device": { "supportedInterfaces": {
                    "AudioPlayer": {},
                    "Alexa.Presentation.APL": { "runtime": { "maxVersion": "2023.3" } }
                } } },
                "Viewport": {
                    "mode": "HUB", "shape": "RECTANGLE", "pixelWidth": 960, "pixelHeight": 480,
                    "dpi": 160, "video": { "codecs": ["H_264_42", 7, "H_264_41"] }
                }
            },
            "request": { "type": "LaunchRequest" }
        }));
        let screen = r.screen.expect("a screen");
        assert!(screen.apl);
        assert_eq!(screen.apl_max_version.as_deref(), Some("2023.3"));
        assert_eq!(screen.video_codecs, ["H_264_42", "H_264_41"]);
        assert_eq!(
            (screen.pixel_width, screen.pixel_height),
            (Some(960), Some(480))
        );
        assert_eq!(
            screen.describe(),
            "HUB RECTANGLE 960x480 160dpi, APL 2023.3, video codecs H_264_42,H_264_41"
        );
        // A viewport of the wrong shape, or none: no codecs, no screen.
        let r = parse(json!({
            "context": { "System": { "device": { "supportedInterfaces": {
                "Alexa.Presentation.APL": "yes" } } },
                "Viewport": { "video": { "codecs": "H_264_41" }, "pixelWidth": "wide" } },
            "request": { "type": "LaunchRequest" }
        }));
        let screen = r.screen.expect("a screen");
        assert!(screen.apl && screen.video_codecs.is_empty());
        assert_eq!((screen.apl_max_version, screen.pixel_width), (None, None));
        assert_eq!(
            parse(json!({ "request": { "type": "LaunchRequest" } })).screen,
            None
        );
    }

    #[test]
    fn page_events_keep_their_token_and_arguments() {
        let r = parse(json!({ "request": {
            "type": "Alexa.Presentation.APL.UserEvent",
            "token": "music-assistant-page:Kitchen Echo",
            "arguments": ["beat", 5, -1, "key"],
            "source": { "type": "Container" }
        } }));
        assert_eq!(
            r.kind,
            RequestKind::PageEvent {
                token: Some("music-assistant-page:Kitchen Echo".into()),
                arguments: vec![json!("beat"), json!(5), json!(-1), json!("key")],
            }
        );
        assert!(!r.may_speak());
        for request in [
            json!({ "type": "Alexa.Presentation.APL.UserEvent", "token": 5, "arguments": "beat" }),
            json!({ "type": "Alexa.Presentation.APL.UserEvent" }),
        ] {
            let r = parse(json!({ "request": request }));
            assert_eq!(
                r.kind,
                RequestKind::PageEvent {
                    token: None,
                    arguments: vec![]
                }
            );
        }
    }

    #[test]
    fn skill_events_and_unknown_types() {
        assert_eq!(
            parse(json!({ "request": { "type": "AlexaSkillEvent.SkillEnabled" } })).kind,
            RequestKind::SkillEvent
        );
        assert_eq!(
            parse(json!({ "request": { "type": "Dialog.API.Invoked" } })).kind,
            RequestKind::Unknown
        );
    }
}
