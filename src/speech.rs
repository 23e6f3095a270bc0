//! Everything the skill says, in every language it speaks: the phrases and how they are
//! filled in. Which phrase a failure becomes is the skill's decision (`skill::failure`).
//!
//! The language comes from the request's locale (`de-DE` → German); languages the skill does
//! not speak get English. [`Phrase::text`] is an exhaustive table, so a new phrase does not
//! compile until every language has it.

/// A language the skill speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// English (also the fallback).
    English,
    /// German.
    German,
    /// Spanish.
    Spanish,
    /// French.
    French,
    /// Italian.
    Italian,
    /// Dutch.
    Dutch,
    /// Portuguese.
    Portuguese,
}

impl Language {
    /// The language of a locale such as `es-MX`; English when absent or not spoken.
    pub fn of_locale(locale: Option<&str>) -> Self {
        let language = locale
            .and_then(|l| l.split(['-', '_']).next())
            .unwrap_or("")
            .to_ascii_lowercase();
        match language.as_str() {
            "de" => Self::German,
            "es" => Self::Spanish,
            "fr" => Self::French,
            "it" => Self::Italian,
            "nl" => Self::Dutch,
            "pt" => Self::Portuguese,
            _ => Self::English,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// Title of the cards shown with problem reports.
pub const CARD_TITLE: &str = "Music Assistant";

/// Something the skill says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phrase {
    /// What the skill does and how to use it.
    Help,
    /// Help when the Music Assistant API is not configured: only what works without it.
    HelpWithoutMusicAssistant,
    /// Said when the user stays silent after help.
    HelpReprompt,
    /// For the fallback intent and intents the skill does not know.
    Fallback,
    /// The device cannot stream audio.
    NoAudioPlayer,
    /// A device without AudioPlayer asked for music or a queue command, and no setting says
    /// which player it controls: the skill does not guess another one.
    NoAudioPlayerNoGuess,
    /// The request could not be read.
    Malformed,
    /// A setting is missing; `{setting}` is replaced by its name.
    SettingMissing,
    /// A setting is invalid; `{setting}` is replaced by its name.
    SettingInvalid,
    /// The bridge cannot be reached.
    BridgeUnreachable,
    /// The bridge did not answer in time.
    BridgeTimedOut,
    /// The bridge refused the credentials.
    BridgeUnauthorized,
    /// Music Assistant has not pushed anything yet.
    NothingToPlay,
    /// The bridge answered with an error status.
    BridgeStatus,
    /// The bridge's reply is not what it should be.
    BridgeInvalidReply,
    /// The bridge has no usable stream address.
    NoStreamUrl,
    /// The public stream address is too long for Alexa.
    StreamUrlTooLong,
    /// The settings could not be read from AWS.
    SettingsUnavailable,
    /// Skipped to the next item.
    NextDone,
    /// Went back to the previous item.
    PreviousDone,
    /// Restarted the current item.
    StartOverDone,
    /// Shuffle switched on.
    ShuffleOnDone,
    /// Shuffle switched off.
    ShuffleOffDone,
    /// The whole queue repeats.
    LoopOnDone,
    /// Repeat switched off.
    LoopOffDone,
    /// The current item repeats.
    RepeatOneDone,
    /// "Next" at the end of a queue that does not repeat: nothing changed.
    LastTrack,
    /// The queue has nothing in it to skip, go back to or shuffle.
    QueueEmpty,
    /// Asked for the previous item, not confirmed in time.
    PreviousRequested,
    /// Asked to restart the current item, not confirmed in time.
    StartOverRequested,
    /// Queue control without the Music Assistant API settings.
    QueueControlNeedsMusicAssistant,
    /// Playing in other rooms needs Music Assistant's API settings.
    RoomsNeedMusicAssistant,
    // The room phrases below name a player, `{room}`, as Music Assistant shows it ("Kantoor",
    // "The Den", "Living Room Speakers"), whatever its gender or number: never after an article
    // of its own and never as the subject of a verb, but after a fixed generic noun ("auf dem
    // Lautsprecher „Küche“", "op de speaker Kantoor") or where no article is needed ("on Den").
    /// Two or more players fit the room: `{rooms}` ("A, B or C").
    WhichRoom,
    /// Said when the user stays silent after `WhichRoom`.
    WhichRoomReprompt,
    /// No player fits `{room}` (as the person said it); `{rooms}` are some Music Assistant has
    /// ("A, B and C").
    UnknownRoom,
    /// The players that fit all sound like `{room}`: no answer could tell them apart.
    SameRoomName,
    /// Music Assistant has no player to play on.
    NoRooms,
    /// The player `{room}` is switched off or unreachable.
    RoomUnavailable,
    /// Playing `{title}` in `{room}`.
    PlayingInRoom,
    /// Playing `{title}` by `{artist}` in `{room}`.
    PlayingByArtistInRoom,
    /// Asked to play `{title}` in `{room}`, not confirmed in time.
    PlayInRoomRequested,
    /// The music moved to `{room}`.
    MovedTo,
    /// `{room}`'s volume is now `{level}`.
    VolumeSet,
    /// `{room}` is louder by a step.
    VolumeUp,
    /// `{room}` is quieter by a step.
    VolumeDown,
    /// No usable volume was heard.
    VolumeWhat,
    /// `{room}` paused.
    RoomPaused,
    /// `{room}` stopped.
    RoomStopped,
    /// `{room}` plays again.
    RoomResumed,
    /// `{room}` skipped to the next item.
    RoomNext,
    /// `{room}` went back an item.
    RoomPrevious,
    /// What plays: `{title}`, `{artist}`, `{album}`.
    NowPlayingFull,
    /// What plays: `{title}`, `{artist}`.
    NowPlayingTitleArtist,
    /// What plays: `{title}`.
    NowPlayingTitle,
    /// Nothing is known about what plays.
    NothingPlaying,
    /// No rule found the Music Assistant queue of this device.
    NoQueue,
    /// Music Assistant cannot be reached.
    MaUnreachable,
    /// Music Assistant did not answer in time.
    MaTimedOut,
    /// Music Assistant refused the token.
    MaUnauthorized,
    /// The token may not control the player.
    MaForbidden,
    /// Music Assistant is not set up.
    MaSetupRequired,
    /// Music Assistant does not know the queue.
    MaUnknownQueue,
    /// Any other Music Assistant failure.
    MaFailed,
    /// Playing what was asked for: `{title}`.
    Playing,
    /// Playing what was asked for: `{title}` by `{artist}`.
    PlayingByArtist,
    /// Shuffling what was asked for: `{title}`.
    Shuffling,
    /// Shuffling what was asked for: `{title}` by `{artist}`.
    ShufflingByArtist,
    /// Radio mode seeded with `{title}`.
    PlayingSimilar,
    /// Radio mode seeded with `{title}` by `{artist}`.
    PlayingSimilarByArtist,
    /// Radio mode cannot work (no provider suggests similar tracks): `{title}`; nothing changed.
    NoSimilarTracks,
    /// Music Assistant took the request but did not confirm in time: `{title}`.
    PlayRequested,
    /// Nothing found for `{query}`.
    NotFound,
    /// Said while a search for `{query}` runs long (a progressive response, before the answer).
    LookingFor,
    /// The play-by-name request carried nothing usable.
    AskWhatToPlay,
    /// Said when the user stays silent after [`Phrase::AskWhatToPlay`].
    AskWhatToPlayReprompt,
    /// Playing by name needs Music Assistant's API, which is not configured.
    NeedsMusicAssistant,
    /// The favourite songs play, shuffled.
    ShufflingFavorites,
    /// There are no favourite songs.
    NoFavorites,
    /// The current song became a favourite: `{title}`.
    AddedToFavorites,
    /// Nothing plays that could become a favourite.
    NothingToFavorite,
}

impl Phrase {
    /// The phrase in `language`; `{setting}` stays in for [`say_setting`] to fill.
    pub fn text(self, language: Language) -> &'static str {
        let [en, de, es, fr, it, nl, pt] = self.table();
        [en, de, es, fr, it, nl, pt][language.index()]
    }

    /// English, German, Spanish, French, Italian, Dutch, Portuguese.
    fn table(self) -> [&'static str; 7] {
        match self {
            Self::Help => [
                "Ask for music by name: play Kind of Blue, shuffle the playlist Chill, play songs like Miles Davis, or play my favorites. Music started in Music Assistant plays here too. While it plays, say pause, resume, next, previous or stop, ask what's playing, or say I like this song. What would you like to hear?",
                "Wünsch dir Musik mit Namen: spiele Kind of Blue, mische die Playlist Chill, spiele Musik wie Miles Davis, oder spiele meine Favoriten. Was du in Music Assistant startest, läuft auch hier. Sag dabei Pause, Weiter, nächster Titel, vorheriger Titel oder Stopp, frag, was läuft, oder sag ich mag dieses Lied. Was möchtest du hören?",
                "Pide música por su nombre: pon Kind of Blue, mezcla la lista Chill, pon música como Miles Davis o pon mis favoritos. Lo que inicies en Music Assistant también suena aquí. Mientras suena, di pausa, continúa, siguiente, anterior o para, pregunta qué suena, o di me gusta esta canción. ¿Qué quieres escuchar?",
                "Demandez de la musique par son nom : joue Kind of Blue, mélange la playlist Chill, joue de la musique comme Miles Davis, ou joue mes favoris. Ce que vous lancez dans Music Assistant joue aussi ici. Pendant la lecture, dites pause, reprends, suivant, précédent ou arrête. Que voulez-vous écouter ?",
                "Chiedi musica per nome: riproduci Kind of Blue, mescola la playlist Chill, riproduci musica come Miles Davis, o riproduci i miei preferiti. Ciò che avvii in Music Assistant suona anche qui. Durante l'ascolto di' pausa, riprendi, successivo, precedente o stop. Cosa vuoi ascoltare?",
                "Vraag muziek op naam: speel Kind of Blue, shuffle de playlist Chill, speel muziek zoals Miles Davis, of speel mijn favorieten. Wat je in Music Assistant start, speelt hier ook. Zeg tijdens het afspelen pauze, hervat, volgende, vorige of stop, of vraag wat er speelt. Wat wil je horen?",
                "Peça música pelo nome: toque Kind of Blue, embaralhe a playlist Chill, toque músicas como Miles Davis, ou toque meus favoritos. O que você inicia no Music Assistant também toca aqui. Durante a música, diga pausar, continuar, próxima, anterior ou parar. O que você quer ouvir?",
            ],
            Self::HelpWithoutMusicAssistant => [
                "Music you start in Music Assistant plays here. While it plays, say pause, resume or stop, or ask what's playing. Playing music by name, skipping and shuffling need the owner to connect this skill to Music Assistant's API. What would you like to do?",
                "Musik, die du in Music Assistant startest, läuft hier. Sag dabei Pause, Weiter oder Stopp, oder frag, was läuft. Musik nach Namen, Überspringen und Zufallswiedergabe gehen erst, wenn der Besitzer diesen Skill mit der API von Music Assistant verbindet. Was möchtest du tun?",
                "La música que inicies en Music Assistant suena aquí. Mientras suena, di pausa, continúa o para, o pregunta qué suena. Para pedir música por su nombre, saltar y mezclar, el propietario debe conectar esta skill a la API de Music Assistant. ¿Qué quieres hacer?",
                "La musique lancée dans Music Assistant joue ici. Pendant la lecture, dites pause, reprends ou arrête, ou demandez ce qui joue. Pour jouer de la musique par son nom, passer et mélanger, le propriétaire doit relier cette skill à l'API de Music Assistant. Que voulez-vous faire ?",
                "La musica avviata in Music Assistant suona qui. Durante l'ascolto di' pausa, riprendi o stop, o chiedi cosa sta suonando. Per riprodurre musica per nome, saltare e mescolare, il proprietario deve collegare questa skill all'API di Music Assistant. Cosa vuoi fare?",
                "Muziek die je in Music Assistant start, speelt hier. Zeg tijdens het afspelen pauze, hervat of stop, of vraag wat er speelt. Voor muziek op naam, overslaan en shufflen moet de eigenaar deze skill met de API van Music Assistant verbinden. Wat wil je doen?",
                "As músicas que você inicia no Music Assistant tocam aqui. Durante a música, diga pausar, continuar ou parar, ou pergunte o que está tocando. Para tocar música pelo nome, pular e embaralhar, o dono precisa conectar esta skill à API do Music Assistant. O que você quer fazer?",
            ],
            Self::HelpReprompt => [
                "What would you like to do?",
                "Was möchtest du tun?",
                "¿Qué quieres hacer?",
                "Que voulez-vous faire ?",
                "Cosa vuoi fare?",
                "Wat wil je doen?",
                "O que você quer fazer?",
            ],
            Self::Fallback => [
                "Sorry, I can't help with that. Say help to hear what I can do.",
                "Das kann ich leider nicht. Sag Hilfe, um zu hören, was ich kann.",
                "Lo siento, no puedo ayudarte con eso. Di ayuda para saber qué puedo hacer.",
                "Désolé, je ne peux pas vous aider pour ça. Dites aide pour savoir ce que je sais faire.",
                "Mi dispiace, non posso aiutarti con questo. Di' aiuto per sapere cosa posso fare.",
                "Sorry, daar kan ik je niet mee helpen. Zeg help om te horen wat ik kan.",
                "Desculpe, não posso ajudar com isso. Diga ajuda para saber o que eu posso fazer.",
            ],
            Self::NoAudioPlayer => [
                "Sorry, this device can't play audio from Music Assistant. Try it on an Echo speaker.",
                "Dieses Gerät kann leider keine Musik von Music Assistant abspielen. Versuche es auf einem Echo-Lautsprecher.",
                "Lo siento, este dispositivo no puede reproducir audio de Music Assistant. Prueba con un altavoz Echo.",
                "Désolé, cet appareil ne peut pas lire l'audio de Music Assistant. Essayez sur une enceinte Echo.",
                "Mi dispiace, questo dispositivo non può riprodurre l'audio di Music Assistant. Prova con un altoparlante Echo.",
                "Sorry, dit apparaat kan geen audio van Music Assistant afspelen. Probeer het op een Echo-speaker.",
                "Desculpe, este dispositivo não pode tocar áudio do Music Assistant. Tente em um alto-falante Echo.",
            ],
            Self::NoAudioPlayerNoGuess => [
                "This device can't play music itself, so I won't guess which speaker you mean. Name a room, for example: play Miles Davis in the kitchen.",
                "Dieses Gerät kann selbst keine Musik abspielen, und ich rate nicht, welchen Lautsprecher du meinst. Nenne einen Raum, zum Beispiel: spiele Miles Davis in der Küche.",
                "Este dispositivo no puede reproducir música por sí mismo, así que no voy a adivinar a qué altavoz te refieres. Di una habitación, por ejemplo: pon Miles Davis en la cocina.",
                "Cet appareil ne peut pas lire de musique lui-même, donc je ne devine pas de quelle enceinte vous parlez. Nommez une pièce, par exemple : joue Miles Davis dans la cuisine.",
                "Questo dispositivo non può riprodurre musica da solo, quindi non provo a indovinare quale altoparlante intendi. Indica una stanza, per esempio: riproduci Miles Davis in cucina.",
                "Dit apparaat kan zelf geen muziek afspelen, dus ik ga niet raden welke speaker je bedoelt. Noem een ruimte, bijvoorbeeld: speel Miles Davis in de keuken.",
                "Este dispositivo não toca música sozinho, então não vou adivinhar qual alto-falante você quer dizer. Diga um cômodo, por exemplo: toque Miles Davis na cozinha.",
            ],
            Self::Malformed => [
                "Sorry, I couldn't understand that request.",
                "Diese Anfrage habe ich leider nicht verstanden.",
                "Lo siento, no he entendido esa solicitud.",
                "Désolé, je n'ai pas compris cette demande.",
                "Mi dispiace, non ho capito questa richiesta.",
                "Sorry, dat verzoek begreep ik niet.",
                "Desculpe, não entendi esse pedido.",
            ],
            Self::SettingMissing => [
                "This skill isn't set up yet: the setting {setting} is missing.",
                "Der Skill ist noch nicht eingerichtet: die Einstellung {setting} fehlt.",
                "La skill aún no está configurada: falta el ajuste {setting}.",
                "La skill n'est pas encore configurée : le paramètre {setting} manque.",
                "La skill non è ancora configurata: manca l'impostazione {setting}.",
                "De skill is nog niet ingesteld: de instelling {setting} ontbreekt.",
                "A skill ainda não está configurada: falta a configuração {setting}.",
            ],
            Self::SettingInvalid => [
                "The skill's setting {setting} is not valid. Please check it.",
                "Die Einstellung {setting} des Skills ist ungültig. Bitte prüfe sie.",
                "El ajuste {setting} de la skill no es válido. Revísalo, por favor.",
                "Le paramètre {setting} de la skill n'est pas valide. Veuillez le vérifier.",
                "L'impostazione {setting} della skill non è valida. Controllala, per favore.",
                "De instelling {setting} van de skill is ongeldig. Controleer die alsjeblieft.",
                "A configuração {setting} da skill não é válida. Verifique, por favor.",
            ],
            Self::BridgeUnreachable => [
                "I can't reach the Music Assistant bridge. Please check that it is running and reachable.",
                "Ich erreiche die Music-Assistant-Bridge nicht. Bitte prüfe, ob sie läuft und erreichbar ist.",
                "No puedo conectar con el puente de Music Assistant. Comprueba que está en marcha y accesible.",
                "Je n'arrive pas à joindre le pont Music Assistant. Vérifiez qu'il fonctionne et qu'il est accessible.",
                "Non riesco a raggiungere il bridge di Music Assistant. Controlla che sia attivo e raggiungibile.",
                "Ik kan de Music Assistant-bridge niet bereiken. Controleer of hij draait en bereikbaar is.",
                "Não consigo acessar a ponte do Music Assistant. Verifique se ela está funcionando e acessível.",
            ],
            Self::BridgeTimedOut => [
                "The Music Assistant bridge took too long to answer. Please try again.",
                "Die Music-Assistant-Bridge hat zu lange gebraucht. Bitte versuche es noch einmal.",
                "El puente de Music Assistant ha tardado demasiado en responder. Inténtalo de nuevo.",
                "Le pont Music Assistant a mis trop de temps à répondre. Veuillez réessayer.",
                "Il bridge di Music Assistant ha impiegato troppo a rispondere. Riprova.",
                "De Music Assistant-bridge deed er te lang over. Probeer het opnieuw.",
                "A ponte do Music Assistant demorou demais para responder. Tente de novo.",
            ],
            Self::BridgeUnauthorized => [
                "The Music Assistant bridge refused the skill's user name or password. Please check them.",
                "Die Music-Assistant-Bridge hat Benutzername oder Passwort des Skills abgelehnt. Bitte prüfe sie.",
                "El puente de Music Assistant ha rechazado el usuario o la contraseña de la skill. Revísalos, por favor.",
                "Le pont Music Assistant a refusé le nom d'utilisateur ou le mot de passe de la skill. Veuillez les vérifier.",
                "Il bridge di Music Assistant ha rifiutato il nome utente o la password della skill. Controllali, per favore.",
                "De Music Assistant-bridge weigerde de gebruikersnaam of het wachtwoord van de skill. Controleer ze alsjeblieft.",
                "A ponte do Music Assistant recusou o usuário ou a senha da skill. Verifique, por favor.",
            ],
            Self::NothingToPlay => [
                "There's nothing to play yet. Start playback on the Alexa player in Music Assistant.",
                "Es gibt noch nichts abzuspielen. Starte die Wiedergabe auf dem Alexa-Player in Music Assistant.",
                "Todavía no hay nada que reproducir. Inicia la reproducción en el reproductor de Alexa en Music Assistant.",
                "Il n'y a encore rien à lire. Lancez la lecture sur le lecteur Alexa dans Music Assistant.",
                "Non c'è ancora niente da riprodurre. Avvia la riproduzione sul lettore Alexa in Music Assistant.",
                "Er is nog niets om af te spelen. Start het afspelen op de Alexa-speler in Music Assistant.",
                "Ainda não há nada para tocar. Inicie a reprodução no player Alexa do Music Assistant.",
            ],
            Self::BridgeStatus => [
                "The Music Assistant bridge reported an error. Please try again later.",
                "Die Music-Assistant-Bridge hat einen Fehler gemeldet. Bitte versuche es später noch einmal.",
                "El puente de Music Assistant ha devuelto un error. Inténtalo más tarde.",
                "Le pont Music Assistant a signalé une erreur. Veuillez réessayer plus tard.",
                "Il bridge di Music Assistant ha segnalato un errore. Riprova più tardi.",
                "De Music Assistant-bridge meldde een fout. Probeer het later opnieuw.",
                "A ponte do Music Assistant informou um erro. Tente mais tarde.",
            ],
            Self::BridgeInvalidReply => [
                "The Music Assistant bridge sent an answer I don't understand. Please check the bridge address.",
                "Die Antwort der Music-Assistant-Bridge verstehe ich nicht. Bitte prüfe die Adresse der Bridge.",
                "El puente de Music Assistant ha enviado una respuesta que no entiendo. Comprueba la dirección del puente.",
                "Le pont Music Assistant a envoyé une réponse que je ne comprends pas. Vérifiez l'adresse du pont.",
                "Il bridge di Music Assistant ha inviato una risposta che non capisco. Controlla l'indirizzo del bridge.",
                "De Music Assistant-bridge stuurde een antwoord dat ik niet begrijp. Controleer het adres van de bridge.",
                "A ponte do Music Assistant enviou uma resposta que eu não entendo. Verifique o endereço da ponte.",
            ],
            Self::NoStreamUrl => [
                "The Music Assistant bridge has no stream I can play. Please start playback in Music Assistant again.",
                "Die Music-Assistant-Bridge hat keinen Stream, den ich abspielen kann. Bitte starte die Wiedergabe in Music Assistant noch einmal.",
                "El puente de Music Assistant no tiene ninguna transmisión que pueda reproducir. Vuelve a iniciar la reproducción en Music Assistant.",
                "Le pont Music Assistant n'a aucun flux que je puisse lire. Relancez la lecture dans Music Assistant.",
                "Il bridge di Music Assistant non ha nessuno stream che io possa riprodurre. Avvia di nuovo la riproduzione in Music Assistant.",
                "De Music Assistant-bridge heeft geen stream die ik kan afspelen. Start het afspelen opnieuw in Music Assistant.",
                "A ponte do Music Assistant não tem nenhum stream que eu possa tocar. Inicie a reprodução no Music Assistant de novo.",
            ],
            Self::StreamUrlTooLong => [
                "The stream address from Music Assistant is too long for Alexa.",
                "Die Stream-Adresse von Music Assistant ist für Alexa zu lang.",
                "La dirección de la transmisión de Music Assistant es demasiado larga para Alexa.",
                "L'adresse du flux de Music Assistant est trop longue pour Alexa.",
                "L'indirizzo dello stream di Music Assistant è troppo lungo per Alexa.",
                "Het streamadres van Music Assistant is te lang voor Alexa.",
                "O endereço do stream do Music Assistant é longo demais para a Alexa.",
            ],
            Self::SettingsUnavailable => [
                "I can't read this skill's settings from AWS right now. Please try again in a moment.",
                "Ich kann die Einstellungen dieses Skills gerade nicht aus AWS lesen. Bitte versuche es gleich noch einmal.",
                "Ahora mismo no puedo leer los ajustes de esta skill en AWS. Inténtalo de nuevo en un momento.",
                "Je ne peux pas lire les paramètres de cette skill dans AWS pour le moment. Veuillez réessayer dans un instant.",
                "Al momento non riesco a leggere le impostazioni di questa skill da AWS. Riprova tra poco.",
                "Ik kan de instellingen van deze skill nu niet uit AWS lezen. Probeer het zo opnieuw.",
                "Não consigo ler as configurações desta skill na AWS agora. Tente de novo em instantes.",
            ],
            Self::NextDone => [
                "Next track.",
                "Nächster Titel.",
                "Siguiente canción.",
                "Morceau suivant.",
                "Brano successivo.",
                "Volgend nummer.",
                "Próxima faixa.",
            ],
            Self::PreviousDone => [
                "Previous track.",
                "Vorheriger Titel.",
                "Canción anterior.",
                "Morceau précédent.",
                "Brano precedente.",
                "Vorig nummer.",
                "Faixa anterior.",
            ],
            Self::StartOverDone => [
                "Starting over.",
                "Ich fange von vorne an.",
                "Empiezo de nuevo.",
                "Je reprends depuis le début.",
                "Ricomincio dall'inizio.",
                "Ik begin opnieuw.",
                "Começando de novo.",
            ],
            Self::ShuffleOnDone => [
                "Shuffle is on.",
                "Zufallswiedergabe ist an.",
                "Modo aleatorio activado.",
                "Lecture aléatoire activée.",
                "Riproduzione casuale attivata.",
                "Shuffle staat aan.",
                "Modo aleatório ligado.",
            ],
            Self::ShuffleOffDone => [
                "Shuffle is off.",
                "Zufallswiedergabe ist aus.",
                "Modo aleatorio desactivado.",
                "Lecture aléatoire désactivée.",
                "Riproduzione casuale disattivata.",
                "Shuffle staat uit.",
                "Modo aleatório desligado.",
            ],
            Self::LoopOnDone => [
                "Repeating the whole queue.",
                "Ich wiederhole die ganze Warteschlange.",
                "Repito toda la cola.",
                "Je répète toute la file d'attente.",
                "Ripeto tutta la coda.",
                "Ik herhaal de hele wachtrij.",
                "Repetindo a fila inteira.",
            ],
            Self::LoopOffDone => [
                "Repeat is off.",
                "Wiederholen ist aus.",
                "Repetición desactivada.",
                "Répétition désactivée.",
                "Ripetizione disattivata.",
                "Herhalen staat uit.",
                "Repetição desligada.",
            ],
            Self::RepeatOneDone => [
                "Repeating this track.",
                "Ich wiederhole diesen Titel.",
                "Repito esta canción.",
                "Je répète ce morceau.",
                "Ripeto questo brano.",
                "Ik herhaal dit nummer.",
                "Repetindo esta faixa.",
            ],
            Self::LastTrack => [
                "That was the last track.",
                "Das war der letzte Titel.",
                "Esa era la última canción.",
                "C'était le dernier morceau.",
                "Quello era l'ultimo brano.",
                "Dat was het laatste nummer.",
                "Essa era a última faixa.",
            ],
            Self::QueueEmpty => [
                "The queue is empty.",
                "Die Warteschlange ist leer.",
                "La cola está vacía.",
                "La file d'attente est vide.",
                "La coda è vuota.",
                "De wachtrij is leeg.",
                "A fila está vazia.",
            ],
            Self::PreviousRequested => [
                "I've asked Music Assistant for the previous track; it hasn't confirmed yet.",
                "Ich habe Music Assistant um den vorherigen Titel gebeten; es hat noch nicht bestätigt.",
                "He pedido a Music Assistant la canción anterior; aún no lo ha confirmado.",
                "J'ai demandé le morceau précédent à Music Assistant ; il n'a pas encore confirmé.",
                "Ho chiesto a Music Assistant il brano precedente; non ha ancora confermato.",
                "Ik heb Music Assistant om het vorige nummer gevraagd; het heeft nog niet bevestigd.",
                "Pedi ao Music Assistant a faixa anterior; ele ainda não confirmou.",
            ],
            Self::StartOverRequested => [
                "I've asked Music Assistant to start this track over; it hasn't confirmed yet.",
                "Ich habe Music Assistant gebeten, den Titel von vorne zu spielen; es hat noch nicht bestätigt.",
                "He pedido a Music Assistant que empiece esta canción de nuevo; aún no lo ha confirmado.",
                "J'ai demandé à Music Assistant de reprendre ce morceau depuis le début ; il n'a pas encore confirmé.",
                "Ho chiesto a Music Assistant di ricominciare questo brano; non ha ancora confermato.",
                "Ik heb Music Assistant gevraagd dit nummer opnieuw te beginnen; het heeft nog niet bevestigd.",
                "Pedi ao Music Assistant para recomeçar esta faixa; ele ainda não confirmou.",
            ],
            Self::QueueControlNeedsMusicAssistant => [
                "Skipping, going back, shuffling and repeating need this skill to reach Music Assistant's web server, and it is not configured to. Ask the owner to set MA API URL and MA API TOKEN. Music started in Music Assistant still plays.",
                "Überspringen, Zurückgehen, Zufallswiedergabe und Wiederholen brauchen eine Verbindung dieses Skills zum Webserver von Music Assistant, und die ist nicht eingerichtet. Bitte den Besitzer, MA API URL und MA API TOKEN zu setzen. Musik, die in Music Assistant gestartet wird, läuft weiterhin.",
                "Para saltar, volver atrás, mezclar y repetir, esta skill necesita conectarse al servidor web de Music Assistant, y no está configurada para ello. Pide al propietario que configure MA API URL y MA API TOKEN. La música que inicies en Music Assistant se sigue reproduciendo.",
                "Pour passer, revenir en arrière, mélanger et répéter, cette skill doit joindre le serveur web de Music Assistant, et elle n'est pas configurée pour cela. Demandez au propriétaire de définir MA API URL et MA API TOKEN. La musique lancée depuis Music Assistant est toujours jouée.",
                "Per saltare, tornare indietro, riprodurre in ordine casuale e ripetere, questa skill deve raggiungere il server web di Music Assistant, e non è configurata per farlo. Chiedi al proprietario di impostare MA API URL e MA API TOKEN. La musica avviata da Music Assistant continua a funzionare.",
                "Om over te slaan, terug te gaan, te shufflen en te herhalen, moet deze skill de webserver van Music Assistant kunnen bereiken, en dat is niet ingesteld. Vraag de eigenaar om MA API URL en MA API TOKEN in te stellen. Muziek die je in Music Assistant start, speelt nog steeds.",
                "Para pular, voltar, embaralhar e repetir, esta skill precisa acessar o servidor web do Music Assistant, e isso não está configurado. Peça ao dono para definir MA API URL e MA API TOKEN. Músicas iniciadas no Music Assistant continuam tocando.",
            ],
            Self::RoomsNeedMusicAssistant => [
                "Playing in other rooms needs this skill to reach Music Assistant's web server, and it is not configured to. Ask the owner to set MA API URL and MA API TOKEN.",
                "Für andere Räume braucht dieser Skill eine Verbindung zum Webserver von Music Assistant, und die ist nicht eingerichtet. Bitte den Besitzer, MA API URL und MA API TOKEN zu setzen.",
                "Para otras habitaciones, esta skill necesita conectarse al servidor web de Music Assistant, y no está configurada para ello. Pide al propietario que configure MA API URL y MA API TOKEN.",
                "Pour les autres pièces, cette skill doit joindre le serveur web de Music Assistant, et elle n'est pas configurée pour cela. Demandez au propriétaire de définir MA API URL et MA API TOKEN.",
                "Per le altre stanze, questa skill deve raggiungere il server web di Music Assistant, e non è configurata per farlo. Chiedi al proprietario di impostare MA API URL e MA API TOKEN.",
                "Voor andere kamers moet deze skill de webserver van Music Assistant kunnen bereiken, en dat is niet ingesteld. Vraag de eigenaar om MA API URL en MA API TOKEN in te stellen.",
                "Para outros cômodos, esta skill precisa acessar o servidor web do Music Assistant, e isso não está configurado. Peça ao dono para definir MA API URL e MA API TOKEN.",
            ],
            Self::WhichRoom => [
                "Which speaker: {rooms}?",
                "Welcher Lautsprecher: {rooms}?",
                "¿Qué altavoz: {rooms}?",
                "Quelle enceinte : {rooms} ?",
                "Quale altoparlante: {rooms}?",
                "Welke speaker: {rooms}?",
                "Qual caixa de som: {rooms}?",
            ],
            Self::WhichRoomReprompt => [
                "Which room?",
                "Welcher Raum?",
                "¿Qué habitación?",
                "Quelle pièce ?",
                "Quale stanza?",
                "Welke kamer?",
                "Qual cômodo?",
            ],
            Self::UnknownRoom => [
                "I don't know a room called {room}. Music Assistant has {rooms}.",
                "Einen Raum namens „{room}“ kenne ich nicht. Music Assistant hat {rooms}.",
                "No conozco ninguna habitación llamada {room}. Music Assistant tiene {rooms}.",
                "Je ne connais pas de pièce appelée « {room} ». Music Assistant a {rooms}.",
                "Non conosco una stanza chiamata {room}. Music Assistant ha {rooms}.",
                "Ik ken geen kamer die {room} heet. Music Assistant heeft {rooms}.",
                "Não conheço nenhum cômodo chamado {room}. O Music Assistant tem {rooms}.",
            ],
            Self::SameRoomName => [
                "Music Assistant has more than one speaker called {room}, and I can't tell them apart. Give them different names in Music Assistant, or set ROOM ALIASES in the skill's settings.",
                "Music Assistant hat mehrere Lautsprecher namens „{room}“, und ich kann sie nicht unterscheiden. Gib ihnen in Music Assistant verschiedene Namen, oder setze ROOM ALIASES in den Einstellungen des Skills.",
                "Music Assistant tiene más de un altavoz llamado {room}, y no sé distinguirlos. Ponles nombres distintos en Music Assistant, o configura ROOM ALIASES en los ajustes de la skill.",
                "Music Assistant a plusieurs enceintes appelées « {room} », et je ne sais pas les distinguer. Donnez-leur des noms différents dans Music Assistant, ou définissez ROOM ALIASES dans les réglages de la skill.",
                "Music Assistant ha più di un altoparlante chiamato {room}, e non so distinguerli. Dai loro nomi diversi in Music Assistant, oppure imposta ROOM ALIASES nelle impostazioni della skill.",
                "Music Assistant heeft meer dan één speaker die {room} heet, en ik kan ze niet uit elkaar houden. Geef ze verschillende namen in Music Assistant, of stel ROOM ALIASES in bij de instellingen van de skill.",
                "O Music Assistant tem mais de uma caixa de som chamada {room}, e não sei distingui-las. Dê nomes diferentes a elas no Music Assistant, ou defina ROOM ALIASES nas configurações da skill.",
            ],
            Self::NoRooms => [
                "Music Assistant has no speakers I can play on right now.",
                "Music Assistant hat gerade keine Lautsprecher, auf denen ich spielen kann.",
                "Music Assistant no tiene ahora altavoces en los que pueda reproducir.",
                "Music Assistant n'a pour l'instant aucune enceinte sur laquelle je peux jouer.",
                "Music Assistant al momento non ha altoparlanti su cui posso riprodurre.",
                "Music Assistant heeft nu geen speakers waarop ik kan afspelen.",
                "O Music Assistant não tem agora nenhuma caixa de som em que eu possa tocar.",
            ],
            Self::RoomUnavailable => [
                "Music Assistant shows {room} as unavailable right now.",
                "Der Lautsprecher „{room}“ ist gerade nicht verfügbar.",
                "El altavoz {room} no está disponible ahora mismo.",
                "L'enceinte « {room} » n'est pas disponible pour le moment.",
                "L'altoparlante {room} non è disponibile al momento.",
                "De speaker {room} is nu niet beschikbaar.",
                "A caixa de som {room} não está disponível agora.",
            ],
            Self::PlayingInRoom => [
                "Playing {title} on {room}.",
                "Ich spiele {title} auf dem Lautsprecher „{room}“.",
                "Reproduciendo {title} en el altavoz {room}.",
                "Lecture de {title} sur l'enceinte « {room} ».",
                "Riproduco {title} sull'altoparlante {room}.",
                "Ik speel {title} op de speaker {room}.",
                "Tocando {title} na caixa de som {room}.",
            ],
            Self::PlayingByArtistInRoom => [
                "Playing {title} by {artist} on {room}.",
                "Ich spiele {title} von {artist} auf dem Lautsprecher „{room}“.",
                "Reproduciendo {title} de {artist} en el altavoz {room}.",
                "Lecture de {title} par {artist} sur l'enceinte « {room} ».",
                "Riproduco {title} di {artist} sull'altoparlante {room}.",
                "Ik speel {title} van {artist} op de speaker {room}.",
                "Tocando {title} de {artist} na caixa de som {room}.",
            ],
            Self::PlayInRoomRequested => [
                "I've asked Music Assistant to play {title} on {room}; it hasn't confirmed yet.",
                "Ich habe Music Assistant gebeten, {title} auf dem Lautsprecher „{room}“ zu spielen; es hat noch nicht bestätigt.",
                "He pedido a Music Assistant que reproduzca {title} en el altavoz {room}; aún no lo ha confirmado.",
                "J'ai demandé à Music Assistant de jouer {title} sur l'enceinte « {room} » ; il n'a pas encore confirmé.",
                "Ho chiesto a Music Assistant di riprodurre {title} sull'altoparlante {room}; non ha ancora confermato.",
                "Ik heb Music Assistant gevraagd {title} op de speaker {room} te spelen; het heeft nog niet bevestigd.",
                "Pedi ao Music Assistant para tocar {title} na caixa de som {room}; ele ainda não confirmou.",
            ],
            Self::MovedTo => [
                "Moved the music to {room}.",
                "Die Musik läuft jetzt auf dem Lautsprecher „{room}“.",
                "La música suena ahora en el altavoz {room}.",
                "La musique passe maintenant sur l'enceinte « {room} ».",
                "Ho spostato la musica sull'altoparlante {room}.",
                "De muziek speelt nu op de speaker {room}.",
                "A música agora toca na caixa de som {room}.",
            ],
            Self::VolumeSet => [
                "Set the volume on {room} to {level}.",
                "Der Lautsprecher „{room}“ spielt jetzt mit Lautstärke {level}.",
                "Volumen del altavoz {room}: {level}.",
                "Volume de l'enceinte « {room} » : {level}.",
                "Volume dell'altoparlante {room}: {level}.",
                "Het volume van de speaker {room} staat op {level}.",
                "Volume da caixa de som {room}: {level}.",
            ],
            Self::VolumeUp => [
                "Turned up the volume on {room}.",
                "Der Lautsprecher „{room}“ ist jetzt lauter.",
                "Subí el volumen del altavoz {room}.",
                "Volume augmenté sur l'enceinte « {room} ».",
                "Ho alzato il volume dell'altoparlante {room}.",
                "De speaker {room} staat harder.",
                "Aumentei o volume da caixa de som {room}.",
            ],
            Self::VolumeDown => [
                "Turned down the volume on {room}.",
                "Der Lautsprecher „{room}“ ist jetzt leiser.",
                "Bajé el volumen del altavoz {room}.",
                "Volume baissé sur l'enceinte « {room} ».",
                "Ho abbassato il volume dell'altoparlante {room}.",
                "De speaker {room} staat zachter.",
                "Diminuí o volume da caixa de som {room}.",
            ],
            Self::VolumeWhat => [
                "Say a volume from 0 to 100, or louder or quieter.",
                "Sag eine Lautstärke von 0 bis 100, oder lauter oder leiser.",
                "Di un volumen de 0 a 100, o más alto o más bajo.",
                "Dites un volume de 0 à 100, ou plus fort ou moins fort.",
                "Di' un volume da 0 a 100, oppure più alto o più basso.",
                "Zeg een volume van 0 tot 100, of harder of zachter.",
                "Diga um volume de 0 a 100, ou mais alto ou mais baixo.",
            ],
            Self::RoomPaused => [
                "Paused {room}.",
                "Wiedergabe auf dem Lautsprecher „{room}“ pausiert.",
                "Pausé la reproducción en el altavoz {room}.",
                "Lecture mise en pause sur l'enceinte « {room} ».",
                "Ho messo in pausa l'altoparlante {room}.",
                "De speaker {room} is gepauzeerd.",
                "Pausei a caixa de som {room}.",
            ],
            Self::RoomStopped => [
                "Stopped {room}.",
                "Wiedergabe auf dem Lautsprecher „{room}“ gestoppt.",
                "Detuve la reproducción en el altavoz {room}.",
                "Lecture arrêtée sur l'enceinte « {room} ».",
                "Ho fermato l'altoparlante {room}.",
                "De speaker {room} is gestopt.",
                "Parei a caixa de som {room}.",
            ],
            Self::RoomResumed => [
                "Resumed {room}.",
                "Wiedergabe auf dem Lautsprecher „{room}“ fortgesetzt.",
                "Reanudé la reproducción en el altavoz {room}.",
                "Lecture reprise sur l'enceinte « {room} ».",
                "Ho ripreso la riproduzione sull'altoparlante {room}.",
                "De speaker {room} speelt weer.",
                "Retomei a reprodução na caixa de som {room}.",
            ],
            Self::RoomNext => [
                "Next track on {room}.",
                "Nächster Titel auf dem Lautsprecher „{room}“.",
                "Siguiente canción en el altavoz {room}.",
                "Morceau suivant sur l'enceinte « {room} ».",
                "Brano successivo sull'altoparlante {room}.",
                "Volgend nummer op de speaker {room}.",
                "Próxima faixa na caixa de som {room}.",
            ],
            Self::RoomPrevious => [
                "Previous track on {room}.",
                "Vorheriger Titel auf dem Lautsprecher „{room}“.",
                "Canción anterior en el altavoz {room}.",
                "Morceau précédent sur l'enceinte « {room} ».",
                "Brano precedente sull'altoparlante {room}.",
                "Vorig nummer op de speaker {room}.",
                "Faixa anterior na caixa de som {room}.",
            ],
            Self::NowPlayingFull => [
                "This is {title} by {artist}, from {album}.",
                "Das ist {title} von {artist}, aus {album}.",
                "Es {title} de {artist}, del álbum {album}.",
                "C'est {title} de {artist}, sur l'album {album}.",
                "È {title} di {artist}, dall'album {album}.",
                "Dit is {title} van {artist}, van het album {album}.",
                "Esta é {title}, de {artist}, do álbum {album}.",
            ],
            Self::NowPlayingTitleArtist => [
                "This is {title} by {artist}.",
                "Das ist {title} von {artist}.",
                "Es {title} de {artist}.",
                "C'est {title} de {artist}.",
                "È {title} di {artist}.",
                "Dit is {title} van {artist}.",
                "Esta é {title}, de {artist}.",
            ],
            Self::NowPlayingTitle => [
                "This is {title}.",
                "Das ist {title}.",
                "Es {title}.",
                "C'est {title}.",
                "È {title}.",
                "Dit is {title}.",
                "Esta é {title}.",
            ],
            Self::NothingPlaying => [
                "I can't tell what's playing right now.",
                "Ich kann gerade nicht sagen, was läuft.",
                "Ahora mismo no sé qué está sonando.",
                "Je ne sais pas ce qui joue en ce moment.",
                "Al momento non so cosa sta suonando.",
                "Ik weet nu niet wat er speelt.",
                "Não sei dizer o que está tocando agora.",
            ],
            Self::NoQueue => [
                "I don't know which Music Assistant player this Echo is. Start playback on it from Music Assistant first, or set DEVICE PLAYERS in the skill's settings.",
                "Ich weiß nicht, welcher Music-Assistant-Player dieser Echo ist. Starte zuerst die Wiedergabe darauf aus Music Assistant, oder trage ihn in der Einstellung DEVICE PLAYERS ein.",
                "No sé qué reproductor de Music Assistant es este Echo. Inicia primero la reproducción en él desde Music Assistant, o configura DEVICE PLAYERS en los ajustes de la skill.",
                "Je ne sais pas quel lecteur Music Assistant correspond à cet Echo. Lancez d'abord la lecture dessus depuis Music Assistant, ou renseignez DEVICE PLAYERS dans les paramètres de la skill.",
                "Non so quale lettore di Music Assistant sia questo Echo. Avvia prima la riproduzione su di esso da Music Assistant, oppure imposta DEVICE PLAYERS nelle impostazioni della skill.",
                "Ik weet niet welke Music Assistant-speler deze Echo is. Start eerst het afspelen erop vanuit Music Assistant, of stel DEVICE PLAYERS in bij de instellingen van de skill.",
                "Não sei qual player do Music Assistant é este Echo. Inicie primeiro a reprodução nele pelo Music Assistant, ou configure DEVICE PLAYERS nas configurações da skill.",
            ],
            Self::MaUnreachable => [
                "I can't reach Music Assistant. Please check that it is running and reachable.",
                "Ich erreiche Music Assistant nicht. Bitte prüfe, ob es läuft und erreichbar ist.",
                "No puedo conectar con Music Assistant. Comprueba que está en marcha y accesible.",
                "Je n'arrive pas à joindre Music Assistant. Vérifiez qu'il fonctionne et qu'il est accessible.",
                "Non riesco a raggiungere Music Assistant. Controlla che sia attivo e raggiungibile.",
                "Ik kan Music Assistant niet bereiken. Controleer of het draait en bereikbaar is.",
                "Não consigo acessar o Music Assistant. Verifique se ele está funcionando e acessível.",
            ],
            Self::MaTimedOut => [
                "Music Assistant took too long to answer. Please try again.",
                "Music Assistant hat zu lange gebraucht. Bitte versuche es noch einmal.",
                "Music Assistant ha tardado demasiado en responder. Inténtalo de nuevo.",
                "Music Assistant a mis trop de temps à répondre. Veuillez réessayer.",
                "Music Assistant ha impiegato troppo a rispondere. Riprova.",
                "Music Assistant deed er te lang over. Probeer het opnieuw.",
                "O Music Assistant demorou demais para responder. Tente de novo.",
            ],
            Self::MaUnauthorized => [
                "Music Assistant didn't accept the skill's token. Create a long-lived token in Music Assistant and store it as MA API TOKEN.",
                "Music Assistant hat das Token des Skills nicht akzeptiert. Erstelle in Music Assistant ein langlebiges Token und speichere es als MA API TOKEN.",
                "Music Assistant no ha aceptado el token de la skill. Crea un token de larga duración en Music Assistant y guárdalo como MA API TOKEN.",
                "Music Assistant a refusé le jeton de la skill. Créez un jeton longue durée dans Music Assistant et enregistrez-le comme MA API TOKEN.",
                "Music Assistant non ha accettato il token della skill. Crea un token a lunga durata in Music Assistant e salvalo come MA API TOKEN.",
                "Music Assistant accepteerde het token van de skill niet. Maak in Music Assistant een langlevend token en sla het op als MA API TOKEN.",
                "O Music Assistant não aceitou o token da skill. Crie um token de longa duração no Music Assistant e salve como MA API TOKEN.",
            ],
            Self::MaForbidden => [
                "The skill's Music Assistant token isn't allowed to control this player.",
                "Das Music-Assistant-Token des Skills darf diesen Player nicht steuern.",
                "El token de Music Assistant de la skill no puede controlar este reproductor.",
                "Le jeton Music Assistant de la skill n'a pas le droit de contrôler ce lecteur.",
                "Il token di Music Assistant della skill non può controllare questo lettore.",
                "Het Music Assistant-token van de skill mag deze speler niet bedienen.",
                "O token do Music Assistant da skill não pode controlar este player.",
            ],
            Self::MaSetupRequired => [
                "Music Assistant isn't set up yet. Please finish its setup first.",
                "Music Assistant ist noch nicht eingerichtet. Bitte schließe zuerst die Einrichtung ab.",
                "Music Assistant aún no está configurado. Termina primero su configuración.",
                "Music Assistant n'est pas encore configuré. Terminez d'abord sa configuration.",
                "Music Assistant non è ancora configurato. Completa prima la configurazione.",
                "Music Assistant is nog niet ingesteld. Rond eerst de installatie af.",
                "O Music Assistant ainda não está configurado. Conclua a configuração primeiro.",
            ],
            Self::MaUnknownQueue => [
                "Music Assistant doesn't know this Echo's player any more. Start playback from Music Assistant again.",
                "Music Assistant kennt den Player dieses Echos nicht mehr. Starte die Wiedergabe noch einmal aus Music Assistant.",
                "Music Assistant ya no conoce el reproductor de este Echo. Vuelve a iniciar la reproducción desde Music Assistant.",
                "Music Assistant ne connaît plus le lecteur de cet Echo. Relancez la lecture depuis Music Assistant.",
                "Music Assistant non conosce più il lettore di questo Echo. Avvia di nuovo la riproduzione da Music Assistant.",
                "Music Assistant kent de speler van deze Echo niet meer. Start het afspelen opnieuw vanuit Music Assistant.",
                "O Music Assistant não conhece mais o player deste Echo. Inicie a reprodução pelo Music Assistant de novo.",
            ],
            Self::MaFailed => [
                "Music Assistant couldn't do that right now.",
                "Das hat Music Assistant gerade nicht geschafft.",
                "Music Assistant no ha podido hacerlo ahora mismo.",
                "Music Assistant n'a pas pu le faire pour le moment.",
                "Music Assistant non è riuscito a farlo in questo momento.",
                "Dat lukte Music Assistant nu niet.",
                "O Music Assistant não conseguiu fazer isso agora.",
            ],
            Self::Playing => [
                "Playing {title}.",
                "Ich spiele {title}.",
                "Reproduciendo {title}.",
                "Je joue {title}.",
                "Riproduco {title}.",
                "Ik speel {title}.",
                "Tocando {title}.",
            ],
            Self::PlayingByArtist => [
                "Playing {title} by {artist}.",
                "Ich spiele {title} von {artist}.",
                "Reproduciendo {title} de {artist}.",
                "Je joue {title} de {artist}.",
                "Riproduco {title} di {artist}.",
                "Ik speel {title} van {artist}.",
                "Tocando {title} de {artist}.",
            ],
            Self::Shuffling => [
                "Shuffling {title}.",
                "Ich spiele {title} in zufälliger Reihenfolge.",
                "Reproduciendo {title} en orden aleatorio.",
                "Je joue {title} en mode aléatoire.",
                "Riproduco {title} in ordine casuale.",
                "Ik speel {title} in willekeurige volgorde.",
                "Tocando {title} em ordem aleatória.",
            ],
            Self::ShufflingByArtist => [
                "Shuffling {title} by {artist}.",
                "Ich spiele {title} von {artist} in zufälliger Reihenfolge.",
                "Reproduciendo {title} de {artist} en orden aleatorio.",
                "Je joue {title} de {artist} en mode aléatoire.",
                "Riproduco {title} di {artist} in ordine casuale.",
                "Ik speel {title} van {artist} in willekeurige volgorde.",
                "Tocando {title} de {artist} em ordem aleatória.",
            ],
            Self::PlayingSimilar => [
                "Playing music like {title}.",
                "Ich spiele Musik wie {title}.",
                "Reproduciendo música como {title}.",
                "Je joue de la musique comme {title}.",
                "Riproduco musica come {title}.",
                "Ik speel muziek zoals {title}.",
                "Tocando músicas como {title}.",
            ],
            Self::PlayingSimilarByArtist => [
                "Playing music like {title} by {artist}.",
                "Ich spiele Musik wie {title} von {artist}.",
                "Reproduciendo música como {title} de {artist}.",
                "Je joue de la musique comme {title} de {artist}.",
                "Riproduco musica come {title} di {artist}.",
                "Ik speel muziek zoals {title} van {artist}.",
                "Tocando músicas como {title} de {artist}.",
            ],
            Self::NoSimilarTracks => [
                "Music Assistant can't play music like {title}: none of its providers can suggest similar songs. Your queue is unchanged.",
                "Music Assistant kann keine Musik wie {title} spielen: Keiner seiner Anbieter kann ähnliche Titel vorschlagen. Deine Warteschlange bleibt unverändert.",
                "Music Assistant no puede poner música como {title}: ninguno de sus proveedores sabe sugerir canciones parecidas. Tu cola no ha cambiado.",
                "Music Assistant ne peut pas jouer de musique comme {title} : aucun de ses services ne sait proposer de titres similaires. Votre file d'attente n'a pas changé.",
                "Music Assistant non può riprodurre musica come {title}: nessuno dei suoi servizi sa suggerire brani simili. La tua coda non è cambiata.",
                "Music Assistant kan geen muziek zoals {title} spelen: geen van zijn bronnen kan vergelijkbare nummers voorstellen. Je wachtrij is niet veranderd.",
                "O Music Assistant não pode tocar músicas como {title}: nenhum dos seus provedores sabe sugerir músicas parecidas. Sua fila não mudou.",
            ],
            Self::PlayRequested => [
                "I've asked Music Assistant to play {title}; it hasn't confirmed yet.",
                "Ich habe Music Assistant gebeten, {title} zu spielen; es hat noch nicht bestätigt.",
                "He pedido a Music Assistant que reproduzca {title}; aún no lo ha confirmado.",
                "J'ai demandé à Music Assistant de jouer {title} ; il n'a pas encore confirmé.",
                "Ho chiesto a Music Assistant di riprodurre {title}; non ha ancora confermato.",
                "Ik heb Music Assistant gevraagd {title} te spelen; het heeft nog niet bevestigd.",
                "Pedi ao Music Assistant para tocar {title}; ele ainda não confirmou.",
            ],
            Self::NotFound => [
                "I couldn't find {query} in Music Assistant.",
                "Ich konnte {query} in Music Assistant nicht finden.",
                "No encontré {query} en Music Assistant.",
                "Je n'ai pas trouvé {query} dans Music Assistant.",
                "Non ho trovato {query} in Music Assistant.",
                "Ik kon {query} niet vinden in Music Assistant.",
                "Não encontrei {query} no Music Assistant.",
            ],
            Self::LookingFor => [
                "Looking for {query}…",
                "Ich suche {query}…",
                "Buscando {query}…",
                "Je cherche {query}…",
                "Cerco {query}…",
                "Ik zoek {query}…",
                "Procurando {query}…",
            ],
            Self::AskWhatToPlay => [
                "What would you like to hear? You can say, for example: play Kind of Blue.",
                "Was möchtest du hören? Du kannst zum Beispiel sagen: spiele Kind of Blue.",
                "¿Qué quieres escuchar? Puedes decir, por ejemplo: pon Kind of Blue.",
                "Que voulez-vous écouter ? Vous pouvez dire par exemple : joue Kind of Blue.",
                "Cosa vuoi ascoltare? Puoi dire, per esempio: riproduci Kind of Blue.",
                "Wat wil je horen? Je kunt bijvoorbeeld zeggen: speel Kind of Blue.",
                "O que você quer ouvir? Você pode dizer, por exemplo: toque Kind of Blue.",
            ],
            Self::AskWhatToPlayReprompt => [
                "What should I play?",
                "Was soll ich spielen?",
                "¿Qué pongo?",
                "Que dois-je jouer ?",
                "Cosa devo riprodurre?",
                "Wat zal ik spelen?",
                "O que devo tocar?",
            ],
            Self::NeedsMusicAssistant => [
                "To play music by name, this skill needs to reach Music Assistant's web server, and it is not configured to. Ask the owner to set MA API URL and MA API TOKEN. Music started in Music Assistant still plays.",
                "Um Musik nach Namen zu spielen, braucht dieser Skill eine Verbindung zum Webserver von Music Assistant, und die ist nicht eingerichtet. Bitte den Besitzer, MA API URL und MA API TOKEN zu setzen. Musik, die in Music Assistant gestartet wird, läuft weiterhin.",
                "Para reproducir música por su nombre, esta skill necesita conectarse al servidor web de Music Assistant, y no está configurada para ello. Pide al propietario que configure MA API URL y MA API TOKEN. La música que inicies en Music Assistant se sigue reproduciendo.",
                "Pour jouer de la musique par son nom, cette skill doit joindre le serveur web de Music Assistant, et elle n'est pas configurée pour cela. Demandez au propriétaire de définir MA API URL et MA API TOKEN. La musique lancée depuis Music Assistant est toujours jouée.",
                "Per riprodurre musica per nome, questa skill deve raggiungere il server web di Music Assistant, e non è configurata per farlo. Chiedi al proprietario di impostare MA API URL e MA API TOKEN. La musica avviata da Music Assistant continua a funzionare.",
                "Om muziek op naam af te spelen, moet deze skill de webserver van Music Assistant kunnen bereiken, en dat is niet ingesteld. Vraag de eigenaar om MA API URL en MA API TOKEN in te stellen. Muziek die je in Music Assistant start, speelt nog steeds.",
                "Para tocar música pelo nome, esta skill precisa acessar o servidor web do Music Assistant, e isso não está configurado. Peça ao dono para definir MA API URL e MA API TOKEN. Músicas iniciadas no Music Assistant continuam tocando.",
            ],
            Self::ShufflingFavorites => [
                "Shuffling your favorite songs.",
                "Ich spiele deine Lieblingssongs in zufälliger Reihenfolge.",
                "Reproduciendo tus canciones favoritas en orden aleatorio.",
                "Je joue vos titres favoris en mode aléatoire.",
                "Riproduco i tuoi brani preferiti in ordine casuale.",
                "Ik speel je favoriete nummers in willekeurige volgorde.",
                "Tocando suas músicas favoritas em ordem aleatória.",
            ],
            Self::NoFavorites => [
                "You don't have any favorite songs in Music Assistant yet. Say: I like this song, while one plays.",
                "Du hast in Music Assistant noch keine Lieblingslieder. Sag: ich mag dieses Lied, während eines läuft.",
                "Todavía no tienes canciones favoritas en Music Assistant. Di: me gusta esta canción, mientras suena una.",
                "Vous n'avez pas encore de chansons favorites dans Music Assistant. Dites : j'aime cette chanson, pendant qu'elle joue.",
                "Non hai ancora canzoni preferite in Music Assistant. Di': mi piace questa canzone, mentre ne suona una.",
                "Je hebt nog geen favoriete nummers in Music Assistant. Zeg: ik vind dit nummer leuk, terwijl er een speelt.",
                "Você ainda não tem músicas favoritas no Music Assistant. Diga: eu gosto dessa música, enquanto uma toca.",
            ],
            Self::AddedToFavorites => [
                "Added {title} to your favorites.",
                "{title} ist jetzt in deinen Favoriten.",
                "Añadí {title} a tus favoritos.",
                "J'ai ajouté {title} à vos favoris.",
                "Ho aggiunto {title} ai tuoi preferiti.",
                "{title} staat nu bij je favorieten.",
                "Adicionei {title} aos seus favoritos.",
            ],
            Self::NothingToFavorite => [
                "Nothing is playing on this Echo right now, so there's nothing to add to your favorites.",
                "Auf diesem Echo läuft gerade nichts, also gibt es nichts für deine Favoriten.",
                "Ahora no suena nada en este Echo, así que no hay nada que añadir a tus favoritos.",
                "Rien ne joue sur cet Echo en ce moment, il n'y a donc rien à ajouter à vos favoris.",
                "Su questo Echo non sta suonando niente, quindi non c'è niente da aggiungere ai preferiti.",
                "Er speelt nu niets op deze Echo, dus er is niets om aan je favorieten toe te voegen.",
                "Nada está tocando neste Echo agora, então não há nada para adicionar aos favoritos.",
            ],
        }
    }
}

/// `phrase` in `language`.
pub fn say(phrase: Phrase, language: Language) -> String {
    phrase.text(language).to_owned()
}

/// How the last two names of a spoken list are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// "A, B and C".
    And,
    /// "A, B or C".
    Or,
}

/// `names` as one spoken list in `language`: "A", "A and B", "A, B and C".
pub fn list(names: &[&str], join: Join, language: Language) -> String {
    let word = match (join, language) {
        (Join::And, Language::English) => "and",
        (Join::And, Language::German) => "und",
        (Join::And, Language::Spanish) => "y",
        (Join::And, Language::French) => "et",
        (Join::And, Language::Italian | Language::Portuguese) => "e",
        (Join::And, Language::Dutch) => "en",
        (Join::Or, Language::English) => "or",
        (Join::Or, Language::German) => "oder",
        (Join::Or, Language::Spanish | Language::Italian) => "o",
        (Join::Or, Language::French | Language::Portuguese) => "ou",
        (Join::Or, Language::Dutch) => "of",
    };
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

/// `phrase` in `language` with its `{placeholders}` filled from `values`, in one pass: a value
/// that itself contains `{artist}` (a song title can) is never expanded again.
pub fn say_with(phrase: Phrase, language: Language, values: &[(&str, &str)]) -> String {
    let template = phrase.text(language);
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let filled = after.find('}').and_then(|close| {
            let name = &after[..close];
            values
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| (*value, close))
        });
        match filled {
            Some((value, close)) => {
                out.push_str(value);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `phrase` in `language`, naming `setting` the way Alexa reads it best (`API HOSTNAME`).
pub fn say_setting(phrase: Phrase, language: Language, setting: &str) -> String {
    say_with(phrase, language, &[("setting", &setting.replace('_', " "))])
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_LANGUAGES: [Language; 7] = [
        Language::English,
        Language::German,
        Language::Spanish,
        Language::French,
        Language::Italian,
        Language::Dutch,
        Language::Portuguese,
    ];

    const ALL_PHRASES: [Phrase; 79] = [
        Phrase::Help,
        Phrase::HelpWithoutMusicAssistant,
        Phrase::HelpReprompt,
        Phrase::Fallback,
        Phrase::NoAudioPlayer,
        Phrase::NoAudioPlayerNoGuess,
        Phrase::Malformed,
        Phrase::SettingMissing,
        Phrase::SettingInvalid,
        Phrase::BridgeUnreachable,
        Phrase::BridgeTimedOut,
        Phrase::BridgeUnauthorized,
        Phrase::NothingToPlay,
        Phrase::BridgeStatus,
        Phrase::BridgeInvalidReply,
        Phrase::NoStreamUrl,
        Phrase::StreamUrlTooLong,
        Phrase::SettingsUnavailable,
        Phrase::NextDone,
        Phrase::PreviousDone,
        Phrase::StartOverDone,
        Phrase::ShuffleOnDone,
        Phrase::ShuffleOffDone,
        Phrase::LoopOnDone,
        Phrase::LoopOffDone,
        Phrase::RepeatOneDone,
        Phrase::LastTrack,
        Phrase::QueueEmpty,
        Phrase::PreviousRequested,
        Phrase::StartOverRequested,
        Phrase::QueueControlNeedsMusicAssistant,
        Phrase::RoomsNeedMusicAssistant,
        Phrase::WhichRoom,
        Phrase::WhichRoomReprompt,
        Phrase::UnknownRoom,
        Phrase::SameRoomName,
        Phrase::NoRooms,
        Phrase::RoomUnavailable,
        Phrase::PlayingInRoom,
        Phrase::PlayingByArtistInRoom,
        Phrase::PlayInRoomRequested,
        Phrase::MovedTo,
        Phrase::VolumeSet,
        Phrase::VolumeUp,
        Phrase::VolumeDown,
        Phrase::VolumeWhat,
        Phrase::RoomPaused,
        Phrase::RoomStopped,
        Phrase::RoomResumed,
        Phrase::RoomNext,
        Phrase::RoomPrevious,
        Phrase::NowPlayingFull,
        Phrase::NowPlayingTitleArtist,
        Phrase::NowPlayingTitle,
        Phrase::NothingPlaying,
        Phrase::NoQueue,
        Phrase::MaUnreachable,
        Phrase::MaTimedOut,
        Phrase::MaUnauthorized,
        Phrase::MaForbidden,
        Phrase::MaSetupRequired,
        Phrase::MaUnknownQueue,
        Phrase::MaFailed,
        Phrase::Playing,
        Phrase::PlayingByArtist,
        Phrase::Shuffling,
        Phrase::ShufflingByArtist,
        Phrase::PlayingSimilar,
        Phrase::PlayingSimilarByArtist,
        Phrase::NoSimilarTracks,
        Phrase::PlayRequested,
        Phrase::NotFound,
        Phrase::AskWhatToPlay,
        Phrase::AskWhatToPlayReprompt,
        Phrase::NeedsMusicAssistant,
        Phrase::ShufflingFavorites,
        Phrase::NoFavorites,
        Phrase::AddedToFavorites,
        Phrase::NothingToFavorite,
    ];

    #[test]
    fn locales_pick_their_language() {
        let cases = [
            (Some("en-US"), Language::English),
            (Some("de-DE"), Language::German),
            (Some("es-MX"), Language::Spanish),
            (Some("fr-CA"), Language::French),
            (Some("it-IT"), Language::Italian),
            (Some("nl-NL"), Language::Dutch),
            (Some("pt-BR"), Language::Portuguese),
            (Some("ja-JP"), Language::English),
            (Some("DE_at"), Language::German),
            (None, Language::English),
        ];
        for (locale, want) in cases {
            assert_eq!(Language::of_locale(locale), want, "{locale:?}");
        }
    }

    #[test]
    fn every_phrase_is_translated() {
        for phrase in ALL_PHRASES {
            let english = phrase.text(Language::English);
            for language in ALL_LANGUAGES {
                let text = phrase.text(language);
                assert!(!text.trim().is_empty(), "{phrase:?} {language:?}");
                assert!(
                    text.len() < 400,
                    "{phrase:?} {language:?} is too long to be short"
                );
                if language != Language::English && phrase != Phrase::HelpReprompt {
                    assert_ne!(text, english, "{phrase:?} {language:?} is untranslated");
                }
            }
        }
    }

    #[test]
    fn now_playing_phrases_carry_their_placeholders() {
        for language in ALL_LANGUAGES {
            let full = say_with(
                Phrase::NowPlayingFull,
                language,
                &[
                    ("title", "So What"),
                    ("artist", "Miles Davis"),
                    ("album", "Kind of Blue"),
                ],
            );
            for value in ["So What", "Miles Davis", "Kind of Blue"] {
                assert!(full.contains(value), "{language:?}: {full}");
            }
            let short = say_with(
                Phrase::NowPlayingTitleArtist,
                language,
                &[("title", "T"), ("artist", "A")],
            );
            assert!(!short.contains('{'), "{language:?}: {short}");
        }
    }

    #[test]
    fn placeholders_are_filled_once_and_never_from_a_value() {
        let text = say_with(
            Phrase::PlayingByArtist,
            Language::English,
            &[("title", "{artist} {album}"), ("artist", "Miles Davis")],
        );
        assert_eq!(text, "Playing {artist} {album} by Miles Davis.");
    }

    #[test]
    fn play_by_name_phrases_carry_their_placeholders() {
        let cases = [
            (Phrase::Playing, &["title"][..]),
            (Phrase::PlayingByArtist, &["title", "artist"][..]),
            (Phrase::Shuffling, &["title"][..]),
            (Phrase::ShufflingByArtist, &["title", "artist"][..]),
            (Phrase::PlayingSimilar, &["title"][..]),
            (Phrase::PlayingSimilarByArtist, &["title", "artist"][..]),
            (Phrase::NoSimilarTracks, &["title"][..]),
            (Phrase::PlayRequested, &["title"][..]),
            (Phrase::NotFound, &["query"][..]),
            (Phrase::AddedToFavorites, &["title"][..]),
        ];
        for (phrase, names) in cases {
            for language in ALL_LANGUAGES {
                let values: Vec<(&str, &str)> = names.iter().map(|n| (*n, "X")).collect();
                let text = say_with(phrase, language, &values);
                assert!(!text.contains('{'), "{phrase:?} {language:?}: {text}");
                assert_eq!(
                    text.matches('X').count(),
                    names.len(),
                    "{phrase:?} {language:?}: {text}"
                );
            }
        }
    }

    /// The phrases that name a player or a room.
    const ROOM_PHRASES: [Phrase; 16] = [
        Phrase::WhichRoom,
        Phrase::UnknownRoom,
        Phrase::SameRoomName,
        Phrase::RoomUnavailable,
        Phrase::PlayingInRoom,
        Phrase::PlayingByArtistInRoom,
        Phrase::PlayInRoomRequested,
        Phrase::MovedTo,
        Phrase::VolumeSet,
        Phrase::VolumeUp,
        Phrase::VolumeDown,
        Phrase::RoomPaused,
        Phrase::RoomStopped,
        Phrase::RoomResumed,
        Phrase::RoomNext,
        Phrase::RoomPrevious,
    ];

    /// The articles (and prepositions fused with one) of each language: none may stand right
    /// before a name, whose gender and number the phrase cannot know.
    fn articles(language: Language) -> &'static [&'static str] {
        match language {
            Language::English => &["the", "a", "an"],
            Language::German => &[
                "der", "die", "das", "den", "dem", "des", "im", "am", "zum", "zur", "ins", "vom",
                "beim", "ein", "eine",
            ],
            Language::Spanish => &["el", "la", "los", "las", "al", "del", "un", "una"],
            Language::French => &[
                "le", "la", "les", "l'", "au", "aux", "du", "des", "un", "une",
            ],
            Language::Italian => &[
                "il", "lo", "la", "i", "gli", "le", "l'", "nel", "nella", "al", "alla", "del",
                "della", "sul", "sulla", "dell'", "nell'", "sull'", "all'",
            ],
            Language::Dutch => &["de", "het", "een", "'t"],
            Language::Portuguese => &[
                "o", "a", "os", "as", "no", "na", "nos", "nas", "do", "da", "dos", "das", "ao",
                "à", "um", "uma",
            ],
        }
    }

    #[test]
    fn room_phrases_need_neither_the_gender_nor_the_number_of_a_name() {
        for phrase in ROOM_PHRASES {
            for language in ALL_LANGUAGES {
                let text = phrase.text(language);
                for slot in ["{room}", "{rooms}"] {
                    let Some(at) = text.find(slot) else { continue };
                    assert!(
                        at > 0,
                        "{phrase:?} {language:?}: the name as subject: {text}"
                    );
                    let before = text[..at].trim_end_matches([' ', '„', '«', '\u{a0}']);
                    let word = before
                        .rsplit(char::is_whitespace)
                        .next()
                        .unwrap_or("")
                        .to_lowercase();
                    assert!(
                        !articles(language).contains(&word.as_str()),
                        "{phrase:?} {language:?}: an article before the name: {text}"
                    );
                }
                let named = ["{room}", "{rooms}"].iter().any(|s| text.contains(s));
                assert!(named, "{phrase:?} {language:?} names no room: {text}");
            }
        }
    }

    #[test]
    fn the_progressive_response_names_the_query_in_every_language() {
        for language in ALL_LANGUAGES {
            let text = say_with(Phrase::LookingFor, language, &[("query", "X")]);
            assert!(!text.contains('{'), "{language:?}: {text}");
            assert_eq!(text.matches('X').count(), 1, "{language:?}: {text}");
            assert!(
                text.len() < 60,
                "{language:?}: a progressive response is short"
            );
            if language != Language::English {
                assert_ne!(
                    text,
                    say_with(Phrase::LookingFor, Language::English, &[("query", "X")]),
                    "{language:?} is untranslated"
                );
            }
        }
    }

    #[test]
    fn setting_phrases_name_the_setting() {
        for phrase in [Phrase::SettingMissing, Phrase::SettingInvalid] {
            for language in ALL_LANGUAGES {
                let text = say_setting(phrase, language, "API_HOSTNAME");
                assert!(
                    text.contains("API HOSTNAME"),
                    "{phrase:?} {language:?}: {text}"
                );
                assert!(!text.contains('{'), "{text}");
            }
        }
    }
}
