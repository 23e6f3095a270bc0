//! Everything the skill says, in every language it speaks, and the one mapping from a failure
//! to what the user hears.
//!
//! The language comes from the request's locale (`de-DE` → German); languages the skill does
//! not speak get English. [`Phrase::text`] is an exhaustive table, so a new phrase does not
//! compile until every language has it, and [`explain`] is an exhaustive match, so a new error
//! does not compile until someone decides what the user hears.

use crate::bridge::BridgeError;
use crate::settings::SettingsError;
use crate::skill::SkillError;

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
    /// Said when the user stays silent after help.
    HelpReprompt,
    /// For the fallback intent and intents the skill does not know.
    Fallback,
    /// For queue commands that are not implemented yet.
    NotAvailableYet,
    /// The device cannot stream audio.
    NoAudioPlayer,
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
                "This skill plays what Music Assistant sends to this Echo. Choose this Echo as the player in Music Assistant and start playback, or say: Alexa, open music assistant. While music plays, you can say pause, resume or stop. What would you like to do?",
                "Dieser Skill spielt, was Music Assistant an diesen Echo schickt. Wähle diesen Echo in Music Assistant als Player und starte die Wiedergabe, oder sag: Alexa, öffne Music Assistant. Während die Musik läuft, kannst du Pause, Weiter oder Stopp sagen. Was möchtest du tun?",
                "Esta skill reproduce lo que Music Assistant envía a este Echo. Elige este Echo como reproductor en Music Assistant e inicia la reproducción, o di: Alexa, abre music assistant. Mientras suena la música, puedes decir pausa, continúa o para. ¿Qué quieres hacer?",
                "Cette skill joue ce que Music Assistant envoie à cet Echo. Choisissez cet Echo comme lecteur dans Music Assistant et lancez la lecture, ou dites : Alexa, ouvre music assistant. Pendant la lecture, vous pouvez dire pause, reprends ou arrête. Que voulez-vous faire ?",
                "Questa skill riproduce ciò che Music Assistant invia a questo Echo. Scegli questo Echo come lettore in Music Assistant e avvia la riproduzione, oppure di': Alexa, apri music assistant. Durante la riproduzione puoi dire pausa, riprendi o stop. Cosa vuoi fare?",
                "Deze skill speelt af wat Music Assistant naar deze Echo stuurt. Kies deze Echo als speler in Music Assistant en start het afspelen, of zeg: Alexa, open music assistant. Tijdens het afspelen kun je pauze, hervat of stop zeggen. Wat wil je doen?",
                "Esta skill toca o que o Music Assistant envia para este Echo. Escolha este Echo como player no Music Assistant e inicie a reprodução, ou diga: Alexa, abra music assistant. Enquanto a música toca, você pode dizer pausar, continuar ou parar. O que você quer fazer?",
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
            Self::NotAvailableYet => [
                "That isn't available in this skill yet. For now, skip, shuffle and repeat in Music Assistant.",
                "Das gibt es in diesem Skill noch nicht. Titel wechseln, Zufallswiedergabe und Wiederholen gehen vorerst in Music Assistant.",
                "Eso aún no está disponible en esta skill. Por ahora, cambia de canción, mezcla o repite desde Music Assistant.",
                "Ce n'est pas encore disponible dans cette skill. Pour l'instant, changez de morceau, mélangez ou répétez dans Music Assistant.",
                "Non è ancora disponibile in questa skill. Per ora cambia brano, attiva la riproduzione casuale o la ripetizione in Music Assistant.",
                "Dat kan nog niet in deze skill. Wissel voorlopig van nummer, shuffle en herhaal in Music Assistant.",
                "Isso ainda não está disponível nesta skill. Por enquanto, troque de faixa, use o aleatório e a repetição no Music Assistant.",
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
        }
    }
}

/// `phrase` in `language`.
pub fn say(phrase: Phrase, language: Language) -> String {
    phrase.text(language).to_owned()
}

/// `phrase` in `language`, naming `setting` the way Alexa reads it best (`API HOSTNAME`).
pub fn say_setting(phrase: Phrase, language: Language, setting: &str) -> String {
    phrase
        .text(language)
        .replace("{setting}", &setting.replace('_', " "))
}

/// What the user hears about `error`, in `language`.
pub fn explain(error: &SkillError, language: Language) -> String {
    let phrase = match error {
        SkillError::Settings(e) => {
            let phrase = match e {
                SettingsError::Missing { .. } | SettingsError::Incomplete { .. } => {
                    Phrase::SettingMissing
                }
                SettingsError::Invalid { .. } => Phrase::SettingInvalid,
            };
            return say_setting(phrase, language, e.name());
        }
        SkillError::Bridge(e) => match e {
            BridgeError::Unreachable { .. } | BridgeError::Client(_) => Phrase::BridgeUnreachable,
            BridgeError::TimedOut { .. } => Phrase::BridgeTimedOut,
            BridgeError::Unauthorized { .. } => Phrase::BridgeUnauthorized,
            BridgeError::NothingPushed { .. } => Phrase::NothingToPlay,
            BridgeError::Status { .. } => Phrase::BridgeStatus,
            BridgeError::InvalidReply { .. } => Phrase::BridgeInvalidReply,
            BridgeError::NoStreamUrl { .. } | BridgeError::BadStreamUrl { .. } => {
                Phrase::NoStreamUrl
            }
        },
        SkillError::StreamTooLong(_) => Phrase::StreamUrlTooLong,
        SkillError::SettingsUnavailable(_) => Phrase::SettingsUnavailable,
    };
    say(phrase, language)
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

    const ALL_PHRASES: [Phrase; 17] = [
        Phrase::Help,
        Phrase::HelpReprompt,
        Phrase::Fallback,
        Phrase::NotAvailableYet,
        Phrase::NoAudioPlayer,
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
