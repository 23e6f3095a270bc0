//! Playing by name: "play Kind of Blue", "shuffle the playlist Chill", "play songs like Miles
//! Davis", "play my favorites", "I like this song".
//!
//! 1. The device's Music Assistant player is found by the rules of queue control (token,
//!    `DEVICE_PLAYERS`, the only playing Alexa player, the only Alexa player; the last two
//!    never for a device that cannot play audio, see `queue.rs`).
//! 2. `music/search` looks for the name among the media types the phrase names, and [`choose`]
//!    picks one result, deterministically: an exact (normalised) name first, then the media type
//!    the phrase asked for (or, for free words, artist, album, playlist, song, radio), then the
//!    artist named with it, then library items before others, then Music Assistant's order.
//! 3. `player_queues/play_media` replaces the queue (radio mode for "songs like…", once
//!    `providers` shows a provider that suggests similar tracks; shuffle is switched on first
//!    for "shuffle…").
//! 4. Music Assistant then pushes the new stream to the bridge and makes the Echo ask the skill
//!    to play it. While `play_media` runs, the skill watches the bridge for that player's new
//!    stream: when it arrives in time, the answer carries the `Play` for it, so music starts
//!    without waiting for Music Assistant's spoken command (which then finds it playing and does
//!    not restart it, see `play_now`).
//! 5. When steps 2 and 3 take longer than a second, the user hears "Looking for Kind of Blue…"
//!    meanwhile, a progressive response (`progressive.rs`).

use super::progressive;
use super::queue::{choose_queue, Clock};
use super::start::{OnQueue, Started};
use super::{failed, music_assistant_settings, ChosenQueue, Ctx, Handled, Outcome};
use crate::alexa::request::{MediaAsk, PlayMode, SkillRequest};
use crate::alexa::response::ResponseEnvelope;
use crate::bridge::StreamSource;
use crate::music_assistant::{
    MaError, MediaType, MusicAssistant, ProviderInstance, QueueCommand, SearchItem,
};
use crate::speech::{self, Language, Phrase};

/// Longest name spoken back.
const MAX_SPOKEN_NAME: usize = 80;

/// The media types tried for free words, in the order they win ties.
const ANY_TYPE: [MediaType; 5] = [
    MediaType::Artist,
    MediaType::Album,
    MediaType::Playlist,
    MediaType::Track,
    MediaType::Radio,
];

/// What to search for, worked out from the slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    /// The name to look for.
    pub name: String,
    /// The artist named with it ("the album Kind of Blue by Miles Davis").
    pub artist: Option<String>,
    /// The media types to search, the preferred first.
    pub types: Vec<MediaType>,
}

impl Wanted {
    /// What `ask` asks for in `mode`; `None` when it carries nothing usable.
    pub fn of(ask: &MediaAsk, mode: PlayMode) -> Option<Self> {
        let typed = |name: &Option<String>, media_type| {
            name.clone().map(|name| Self {
                name,
                artist: None,
                types: vec![media_type],
            })
        };
        let with_artist = |name: &Option<String>, media_type| {
            typed(name, media_type).map(|w| Self {
                artist: ask.artist.clone(),
                ..w
            })
        };
        let free_types = match mode {
            PlayMode::Similar => vec![MediaType::Artist, MediaType::Track],
            PlayMode::Shuffle => ANY_TYPE[..4].to_vec(),
            PlayMode::Play => ANY_TYPE.to_vec(),
        };
        with_artist(&ask.track, MediaType::Track)
            .or_else(|| with_artist(&ask.album, MediaType::Album))
            .or_else(|| typed(&ask.playlist, MediaType::Playlist))
            .or_else(|| typed(&ask.radio, MediaType::Radio))
            .or_else(|| typed(&ask.artist, MediaType::Artist))
            .or_else(|| {
                ask.query.clone().map(|name| Self {
                    name,
                    artist: None,
                    types: free_types,
                })
            })
            .filter(|w| !normalized(&w.name).is_empty())
    }
}

/// The result [`choose`] picked, and why (for the log line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The item.
    pub item: SearchItem,
    /// Its media type.
    pub media_type: MediaType,
    /// Why it won: `exact name`, `artist matched`, `library`, its place in Music Assistant's order.
    pub why: String,
}

/// How well a result fits, compared field by field in this order; lower is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    /// Not the exact (normalised) name.
    not_exact: bool,
    /// Position of its media type among the wanted ones.
    type_rank: usize,
    /// An artist was named and it is not this item's.
    artist_missed: bool,
    /// Not in the user's library.
    not_in_library: bool,
    /// Position in Music Assistant's order for its type.
    order: usize,
}

/// Picks the best of `found` for `wanted` (see the module documentation).
pub fn choose(wanted: &Wanted, found: &crate::music_assistant::SearchResults) -> Option<Choice> {
    let name = normalized(&wanted.name);
    let artist = wanted.artist.as_deref().map(normalized);
    let mut best: Option<(Rank, Choice)> = None;
    for (type_rank, media_type) in wanted.types.iter().enumerate() {
        for (order, item) in found.of(*media_type).iter().enumerate() {
            let exact = normalized(&item.name) == name;
            let artist_matched = match &artist {
                Some(artist) => item
                    .artists
                    .iter()
                    .any(|a| a.name.as_deref().map(normalized).as_deref() == Some(artist.as_str())),
                None => false,
            };
            let key = Rank {
                not_exact: !exact,
                type_rank,
                artist_missed: artist.is_some() && !artist_matched,
                not_in_library: !item.in_library(),
                order,
            };
            if best.as_ref().is_none_or(|(b, _)| key < *b) {
                let mut why = vec![format!("{media_type:?}").to_lowercase()];
                if exact {
                    why.push("exact name".into());
                }
                if artist_matched {
                    why.push("artist matched".into());
                }
                if item.in_library() {
                    why.push("library".into());
                }
                why.push(format!("result {} of its type", order + 1));
                best = Some((
                    key,
                    Choice {
                        item: item.clone(),
                        media_type: *media_type,
                        why: why.join(", "),
                    },
                ));
            }
        }
    }
    best.map(|(_, choice)| choice)
}

/// A name reduced to what matters for comparing it: lower case, accents and punctuation gone,
/// `&` read as "and", a leading English "the" dropped, spaces removed ("AC/DC" = "ac dc").
pub fn normalized(name: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for word in name
        .replace('&', " and ")
        .split(|c: char| c.is_whitespace() || c == '/' || c == '-' || c == '_')
    {
        let word = folded_word(word);
        if !word.is_empty() {
            words.push(word);
        }
    }
    if words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    words.concat()
}

/// A word as names are compared: lower case, accents folded, only letters and digits kept.
pub(super) fn folded_word(word: &str) -> String {
    word.chars()
        .flat_map(char::to_lowercase)
        .flat_map(fold_accent)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// A letter without its accent (the Latin letters of the skill's languages).
fn fold_accent(c: char) -> impl Iterator<Item = char> {
    let folded: &str = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'ç' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' => "i",
        'ñ' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        _ => "",
    };
    let keep = folded.is_empty().then_some(c);
    folded.chars().chain(keep)
}

/// A name as it is spoken back: trimmed, at most [`MAX_SPOKEN_NAME`] characters.
pub(super) fn spoken(name: &str) -> String {
    let name = name.trim();
    match name.char_indices().nth(MAX_SPOKEN_NAME) {
        Some((end, _)) => format!("{}…", name[..end].trim_end()),
        None => name.to_owned(),
    }
}

/// What a media request asks of the device's queue.
pub(super) enum MediaRequest<'a> {
    /// "play Kind of Blue", "shuffle…", "play songs like…".
    ByName(&'a MediaAsk, PlayMode),
    /// "play my favorites": the favourite songs, shuffled.
    Favorites,
    /// "add this to my favorites": the current item of the device's queue.
    AddToFavorites,
}

/// Whether Music Assistant's radio mode can work (see `OnQueue::radio_mode_possible`).
enum RadioMode {
    /// A provider offers similar tracks.
    Possible,
    /// None does: why, for the log.
    Impossible(String),
    /// Music Assistant could not say; radio mode is sent anyway.
    Unknown(MaError),
    /// Music Assistant is not usable now: the answer.
    Failed(MaError),
}

/// Answers a media request: checks the slots and Music Assistant's settings, finds the device's
/// queue, runs the request on it, and records the queue and Music Assistant's time for the log.
pub(super) async fn media<B: StreamSource, M: MusicAssistant>(
    req: &SkillRequest,
    ctx: &Ctx<'_, B, M>,
    request: MediaRequest<'_>,
) -> Handled {
    let language = Language::of_locale(req.locale.as_deref());
    let wanted = match request {
        MediaRequest::ByName(ask, mode) => match Wanted::of(ask, mode) {
            Some(wanted) => Some((wanted, mode)),
            None => {
                return Handled::new(
                    ResponseEnvelope::ask(
                        speech::say(Phrase::AskWhatToPlay, language),
                        speech::say(Phrase::AskWhatToPlayReprompt, language),
                    ),
                    Outcome::Spoke,
                )
                .with_detail(Some(
                    "nothing usable in the slots: asked what to play".into(),
                ))
            }
        },
        _ => None,
    };
    let ma =
        match music_assistant_settings(ctx.settings, Phrase::NeedsMusicAssistant, true, language) {
            Ok(ma) => ma,
            Err(answer) => return *answer,
        };
    let mut clock = Clock::default();
    let on = OnQueue::new(req, ctx, ma, language);
    let mut handled = match choose_queue(req, ctx, ma, &mut clock).await {
        Err(error) => failed(error, true, language),
        Ok(queue) => {
            let mut handled = match (request, wanted) {
                (MediaRequest::ByName(..), Some((wanted, mode))) => {
                    on.play_by_name(&queue, &wanted, mode, &mut clock).await
                }
                (MediaRequest::AddToFavorites, _) => on.add_to_favorites(&queue, &mut clock).await,
                _ => on.play_favorites(&queue, &mut clock).await,
            };
            handled.queue = Some(queue);
            handled
        }
    };
    handled.ma_ms = clock.ma_ms;
    handled
}

impl<'r, 'c, 's, B: StreamSource, M: MusicAssistant> OnQueue<'r, 'c, 's, B, M> {
    /// Searches, chooses, and plays the choice; says "Looking for…" meanwhile when that takes
    /// long (see `progressive.rs`).
    pub(super) async fn play_by_name(
        &self,
        queue: &ChosenQueue,
        wanted: &Wanted,
        mode: PlayMode,
        clock: &mut Clock,
    ) -> Handled {
        let work = self.search_and_play(queue, wanted, mode, clock);
        let query = spoken(&wanted.name);
        progressive::while_working(self.req, self.ctx, self.language, &query, work).await
    }

    /// Searches, chooses, and plays the choice.
    async fn search_and_play(
        &self,
        queue: &ChosenQueue,
        wanted: &Wanted,
        mode: PlayMode,
        clock: &mut Clock,
    ) -> Handled {
        let (ctx, ma, language) = (self.ctx, self.ma, self.language);
        let found = clock
            .time(
                ctx.music_assistant
                    .search(ma, &wanted.name, &wanted.types, ctx.deadline),
            )
            .await;
        let choice = match found.map(|found| choose(wanted, &found)) {
            Err(error) => return failed(error.into(), true, language),
            Ok(Some(choice)) => choice,
            Ok(None) => {
                let text = speech::say_with(
                    Phrase::NotFound,
                    language,
                    &[("query", &spoken(&wanted.name))],
                );
                return Handled::new(ResponseEnvelope::say(text), Outcome::Spoke).with_detail(
                    Some(format!(
                        "nothing found for '{}' among {:?}",
                        spoken(&wanted.name),
                        wanted.types
                    )),
                );
            }
        };
        let title = spoken(&choice.item.name);
        let mut unchecked = None;
        if mode == PlayMode::Similar {
            match self.radio_mode_possible(clock).await {
                RadioMode::Possible => {}
                RadioMode::Impossible(detail) => {
                    let text =
                        speech::say_with(Phrase::NoSimilarTracks, language, &[("title", &title)]);
                    return Handled::new(ResponseEnvelope::say(text), Outcome::Spoke).with_detail(
                        Some(format!("{detail}: nothing sent, the queue is as it was")),
                    );
                }
                RadioMode::Unknown(error) => unchecked = Some(error),
                RadioMode::Failed(error) => return failed(error.into(), true, language),
            }
        }
        let artist = match choice.media_type {
            MediaType::Album | MediaType::Track => choice.item.artist().map(spoken),
            _ => None,
        };
        let phrase = match (self.room, mode, artist.is_some()) {
            (Some(_), _, false) => Phrase::PlayingInRoom,
            (Some(_), _, true) => Phrase::PlayingByArtistInRoom,
            (None, PlayMode::Play, false) => Phrase::Playing,
            (None, PlayMode::Play, true) => Phrase::PlayingByArtist,
            (None, PlayMode::Shuffle, false) => Phrase::Shuffling,
            (None, PlayMode::Shuffle, true) => Phrase::ShufflingByArtist,
            (None, PlayMode::Similar, false) => Phrase::PlayingSimilar,
            (None, PlayMode::Similar, true) => Phrase::PlayingSimilarByArtist,
        };
        let room = self.room.map(spoken);
        let names: Vec<(&str, &str)> = [
            ("title", Some(title.as_str())),
            ("artist", artist.as_deref()),
            ("room", room.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect();
        let mut detail = format!(
            "chose {} '{}' ({}): {}",
            format!("{:?}", choice.media_type).to_lowercase(),
            title,
            choice.item.uri,
            choice.why
        );
        if let Some(error) = unchecked {
            detail.push_str(&format!(
                "; radio mode sent unchecked: Music Assistant could not list its providers ({})",
                crate::error_chain(&error)
            ));
        }
        let started = Started {
            shuffle: mode == PlayMode::Shuffle,
            command: QueueCommand::PlayMedia {
                media: vec![choice.item.uri],
                radio: mode == PlayMode::Similar,
            },
            spoken: Some(speech::say_with(phrase, language, &names)),
            requested: Some(match &room {
                Some(room) => speech::say_with(
                    Phrase::PlayInRoomRequested,
                    language,
                    &[("title", &title), ("room", room)],
                ),
                None => speech::say_with(Phrase::PlayRequested, language, &[("title", &title)]),
            }),
        };
        self.start(queue, started, clock)
            .await
            .adding_detail(detail)
    }

    /// Whether Music Assistant's radio mode can work on this server: it fills the queue with
    /// similar tracks, and only providers with the `similar_tracks` feature supply them (the
    /// current server asks music, metadata and plugin providers; older ones only music
    /// providers, which were the only ones with the feature). Without one, `play_media` with
    /// `radio_mode` clears the queue and then fails (`UnsupportedFeaturedException: No Music
    /// Provider found that supports requesting similar tracks`), so this is asked first.
    ///
    /// When `providers` cannot be read: if Music Assistant itself is unreachable, too slow, or
    /// refuses the token, `play_media` would meet the same problem, so that failure is the
    /// answer and nothing is sent. If it answers but gives no usable list (another status, a
    /// forbidden command, an unexpected reply: a server that cannot tell), radio mode is sent
    /// as before: refusing would take "songs like…" away from servers where it works, and the
    /// worst case is the old behaviour. `providers` has existed since Music Assistant 2.0, so
    /// that is rare.
    async fn radio_mode_possible(&self, clock: &mut Clock) -> RadioMode {
        let (ctx, ma) = (self.ctx, self.ma);
        match clock
            .time(ctx.music_assistant.providers(ma, ctx.deadline))
            .await
        {
            Ok(providers)
                if providers
                    .iter()
                    .any(ProviderInstance::offers_similar_tracks) =>
            {
                RadioMode::Possible
            }
            Ok(providers) => {
                let names: Vec<&str> = providers
                    .iter()
                    .filter_map(|p| p.instance_id.as_deref())
                    .collect();
                RadioMode::Impossible(format!(
                    "radio mode needs a provider with the similar_tracks feature; Music Assistant has none ({})",
                    names.join(", ")
                ))
            }
            Err(
                error @ (MaError::Failed { .. }
                | MaError::Forbidden { .. }
                | MaError::InvalidReply { .. }),
            ) => RadioMode::Unknown(error),
            Err(error) => RadioMode::Failed(error),
        }
    }

    /// The favourite songs, shuffled.
    async fn play_favorites(&self, queue: &ChosenQueue, clock: &mut Clock) -> Handled {
        let (ctx, ma, language) = (self.ctx, self.ma, self.language);
        let favorites = match clock
            .time(ctx.music_assistant.favorite_tracks(ma, ctx.deadline))
            .await
        {
            Ok(favorites) => favorites,
            Err(error) => return failed(error.into(), true, language),
        };
        if favorites.is_empty() {
            return Handled::say(Phrase::NoFavorites, language);
        }
        let count = favorites.len();
        let said = speech::say(Phrase::ShufflingFavorites, language);
        let started = Started {
            shuffle: true,
            command: QueueCommand::PlayMedia {
                media: favorites.into_iter().map(|f| f.uri).collect(),
                radio: false,
            },
            spoken: Some(said.clone()),
            requested: Some(said),
        };
        self.start(queue, started, clock)
            .await
            .adding_detail(format!("{count} favourite songs"))
    }

    /// The current item of the queue becomes a favourite.
    async fn add_to_favorites(&self, queue: &ChosenQueue, clock: &mut Clock) -> Handled {
        let (ctx, ma, language) = (self.ctx, self.ma, self.language);
        let result = async {
            let state = clock
                .time(ctx.music_assistant.queue(ma, &queue.queue, ctx.deadline))
                .await?
                .ok_or_else(|| MaError::UnknownQueue {
                    host: crate::authority(&ma.base),
                    queue: queue.queue.as_str().to_owned(),
                })?;
            let Some(item) = state.current_item else {
                return Ok(None);
            };
            clock
                .time(
                    ctx.music_assistant
                        .add_to_favorites(ma, &queue.queue, ctx.deadline),
                )
                .await?;
            Ok::<_, MaError>(Some(item.now_playing().title))
        }
        .await;
        match result {
            Err(error) => failed(error.into(), true, language),
            Ok(None) => Handled::say(Phrase::NothingToFavorite, language),
            Ok(Some(title)) => {
                let title = title.as_deref().map(spoken);
                let text = speech::say_with(
                    Phrase::AddedToFavorites,
                    language,
                    &[("title", title.as_deref().unwrap_or("this"))],
                );
                Handled::new(ResponseEnvelope::say(text), Outcome::Spoke)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::music_assistant::{Named, SearchResults};

    fn item(name: &str, uri: &str, artist: Option<&str>) -> SearchItem {
        SearchItem {
            name: name.into(),
            uri: uri.into(),
            provider: uri.split("://").next().unwrap_or("").into(),
            version: None,
            artists: artist
                .map(|a| {
                    vec![Named {
                        name: Some(a.into()),
                    }]
                })
                .unwrap_or_default(),
        }
    }

    fn ask(query: Option<&str>, artist: Option<&str>, album: Option<&str>) -> MediaAsk {
        MediaAsk {
            query: query.map(Into::into),
            artist: artist.map(Into::into),
            album: album.map(Into::into),
            ..MediaAsk::default()
        }
    }

    #[test]
    fn normalised_names_ignore_case_accents_punctuation_and_the() {
        assert_eq!(normalized("AC/DC"), normalized("ac dc"));
        assert_eq!(normalized("The Beatles"), normalized("beatles"));
        assert_eq!(normalized("Beyoncé"), normalized("beyonce"));
        assert_eq!(
            normalized("Simon & Garfunkel"),
            normalized("simon and garfunkel")
        );
        assert_eq!(normalized("Motörhead"), "motorhead");
        assert_eq!(normalized("The The"), "the");
        assert_ne!(normalized("Kind of Blue"), normalized("Kind of Blues"));
    }

    #[test]
    fn typed_slots_decide_the_media_type() {
        let w = Wanted::of(
            &ask(None, Some("Miles Davis"), Some("Kind of Blue")),
            PlayMode::Play,
        )
        .expect("wanted");
        assert_eq!(w.types, [MediaType::Album]);
        assert_eq!(w.artist.as_deref(), Some("Miles Davis"));
        let w = Wanted::of(&ask(None, Some("Miles Davis"), None), PlayMode::Play).expect("wanted");
        assert_eq!(
            (w.name.as_str(), w.types.as_slice()),
            ("Miles Davis", &[MediaType::Artist][..])
        );
        let w = Wanted::of(&ask(Some("jazz"), None, None), PlayMode::Similar).expect("wanted");
        assert_eq!(w.types, [MediaType::Artist, MediaType::Track]);
        assert_eq!(Wanted::of(&ask(None, None, None), PlayMode::Play), None);
        assert_eq!(
            Wanted::of(&ask(Some(" ?! "), None, None), PlayMode::Play),
            None
        );
    }

    fn results() -> SearchResults {
        SearchResults {
            artists: vec![item("Miles Davis", "library://artist/5", None)],
            albums: vec![
                item(
                    "Kind of Blue (Legacy Edition)",
                    "spotify://album/k1",
                    Some("Miles Davis"),
                ),
                item("Kind of Blue", "spotify://album/k2", Some("Miles Davis")),
                item("Kind of Blue", "library://album/7", Some("Miles Davis")),
                item("Kind of Blue", "tidal://album/9", Some("Kind of Blue Trio")),
            ],
            tracks: vec![item("So What", "library://track/88", Some("Miles Davis"))],
            playlists: vec![],
            radio: vec![item("Jazz FM", "tunein://radio/s1", None)],
        }
    }

    #[test]
    fn an_exact_name_in_the_library_wins() {
        let w = Wanted::of(&ask(Some("kind of blue"), None, None), PlayMode::Play).expect("wanted");
        let choice = choose(&w, &results()).expect("found");
        assert_eq!(choice.item.uri, "library://album/7");
        assert_eq!(
            choice.why,
            "album, exact name, library, result 3 of its type"
        );
    }

    #[test]
    fn the_artist_named_decides_between_equal_names() {
        let w = Wanted::of(
            &ask(None, Some("kind of blue trio"), Some("kind of blue")),
            PlayMode::Play,
        )
        .expect("wanted");
        let choice = choose(&w, &results()).expect("found");
        assert_eq!(choice.item.uri, "tidal://album/9");
    }

    #[test]
    fn without_an_exact_name_the_preferred_type_then_music_assistants_order() {
        let w = Wanted::of(&ask(Some("miles"), None, None), PlayMode::Play).expect("wanted");
        let choice = choose(&w, &results()).expect("found");
        assert_eq!(choice.media_type, MediaType::Artist);
        assert_eq!(choose(&w, &SearchResults::default()), None);
    }

    #[test]
    fn spoken_names_are_cut() {
        assert_eq!(spoken(" So What "), "So What");
        let long = "a".repeat(300);
        assert_eq!(spoken(&long).chars().count(), MAX_SPOKEN_NAME + 1);
    }
}
