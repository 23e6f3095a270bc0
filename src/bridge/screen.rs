//! Open-screen mode's wire contract: how the skill's now-playing page on an Echo Show and the
//! bridge tell each other what to play, shared by the bridge ([`crate::bridge_server`]), the
//! skill's bridge client ([`super`]) and the skill.
//!
//! Music Assistant's Alexa provider can skip the spoken command ("ask music assistant to play
//! audio") for a skill that keeps a page open on the Echo: its play push carries
//! `"canSkipSpeech": true`, and when the bridge answers `"pageLive": true` the provider says
//! nothing and leaves the stream to the page; pause and resume then go to `POST /ma/control`
//! instead of a voice command. The page is *live* while its beats keep arriving: it sends one
//! every [`BEAT_EVERY`], and the bridge forgets it [`LIVE_FOR`] after the last.
//!
//! Each beat ([`BeatRequest`]) names the page's player and the last command the page carried
//! out; its answer ([`BeatReply`]) lists every command not yet carried out, oldest first. A
//! command stays in that list until a later beat reports it carried out, so an answer lost on
//! the way is simply delivered again; the page ignores a command whose `seq` it has already
//! carried out. Only a command the page reports carried out counts as taken: that is when the
//! bridge tells Music Assistant `"pageLive": true`.
//!
//! With the skill inside the bridge the beats are a function call; with the skill in AWS Lambda
//! they are `POST /ma/screen` on the bridge, with the bridge's Basic credentials.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::LatestReply;

/// How often a live page beats. Each beat is one skill invocation: 1,200 an hour per open screen.
pub const BEAT_EVERY: Duration = Duration::from_secs(3);

/// How long after its last beat a page still counts as live: three beats, so one lost or late
/// beat does not end it.
pub const LIVE_FOR: Duration = Duration::from_secs(10);

/// The path of the beat endpoint on the bridge (Lambda path).
pub const BEAT_PATH: &str = "/ma/screen";

/// One beat of a page, as the skill sends it to the bridge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BeatRequest {
    /// The Music Assistant player the page shows (its Alexa player's id).
    pub player_id: String,
    /// The `seq` of the last command the page carried out, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub taken: Option<u64>,
    /// The page is going away (its session ended): it is not live any more, and nothing more is
    /// handed to it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closing: bool,
}

/// What the bridge answers a beat.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BeatReply {
    /// Commands for the page not yet carried out, oldest first.
    #[serde(default)]
    pub commands: Vec<PageCommand>,
    /// What the player's slot holds now (its metadata follows Music Assistant's metadata pushes),
    /// if anything.
    #[serde(default)]
    pub now: Option<LatestReply>,
}

/// A command for the page. `seq` grows with every command the bridge hands out, across restarts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "camelCase")]
pub enum PageCommand {
    /// Play this stream (as Music Assistant pushed it: the skill rewrites it to the public host).
    Play {
        /// The command's number.
        seq: u64,
        /// The stream and its metadata.
        stream: LatestReply,
    },
    /// Pause what the page plays.
    Pause {
        /// The command's number.
        seq: u64,
    },
    /// Resume what the page paused.
    Resume {
        /// The command's number.
        seq: u64,
    },
}

impl PageCommand {
    /// The command's number.
    pub fn seq(&self) -> u64 {
        match self {
            Self::Play { seq, .. } | Self::Pause { seq } | Self::Resume { seq } => *seq,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_are_tagged_objects() {
        let reply = BeatReply {
            commands: vec![
                PageCommand::Play {
                    seq: 7,
                    stream: LatestReply {
                        stream_url: Some("http://ma/flow/1.mp3".into()),
                        title: Some("t".into()),
                        ..LatestReply::default()
                    },
                },
                PageCommand::Pause { seq: 8 },
            ],
            now: None,
        };
        let json = serde_json::to_value(&reply).unwrap();
        assert_eq!(json["commands"][0]["command"], "play");
        assert_eq!(
            json["commands"][0]["stream"]["streamUrl"],
            "http://ma/flow/1.mp3"
        );
        assert_eq!(
            json["commands"][1],
            serde_json::json!({"command": "pause", "seq": 8})
        );
        let back: BeatReply = serde_json::from_value(json).unwrap();
        assert_eq!(back, reply);
        assert_eq!(back.commands[1].seq(), 8);
    }

    #[test]
    fn a_beat_leaves_out_what_it_does_not_say() {
        let beat = BeatRequest {
            player_id: "Kitchen Echo".into(),
            taken: None,
            closing: false,
        };
        assert_eq!(
            serde_json::to_string(&beat).unwrap(),
            r#"{"playerId":"Kitchen Echo"}"#
        );
        let read: BeatRequest =
            serde_json::from_str(r#"{"playerId":"Kitchen Echo","taken":5,"closing":true}"#)
                .unwrap();
        assert_eq!(read.taken, Some(5));
        assert!(read.closing);
    }

    #[test]
    fn the_page_beats_well_inside_its_life() {
        assert!(LIVE_FOR >= BEAT_EVERY * 3);
    }
}
