#!/usr/bin/env python3
"""Writes the committed seed corpus, fuzz/seeds/<target>/, from the sample events (events/*.json)
and the replies the tests' stand-ins serve (tests/common/mod.rs, tests/bridge_server.rs).

Run from anywhere: `python3 fuzz/make_seeds.py`. It rewrites every seed it knows and leaves other
files alone. The input formats are described at the top of each fuzz_targets/<target>.rs.
"""

import json
import pathlib

FUZZ = pathlib.Path(__file__).resolve().parent
ROOT = FUZZ.parent
SEEDS = FUZZ / "seeds"

CURRENT_STREAM = "http://192.168.1.20:8097/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3"
NEXT_STREAM = "http://192.168.1.20:8097/flow/77e1aa/Kitchen%20Echo/9c0d11/Kitchen%20Echo.mp3"
LIVING = "http://192.168.1.20:8097/flow/77aa01/Living%20Room/c0ffee/Living%20Room.mp3"
IMAGE = "http://192.168.1.20:8095/imageproxy?path=%2Fmedia%2Fkind_of_blue.jpg&size=512"
QUEUE = "Kitchen Echo"


def compact(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


CURRENT_REPLY = compact({
    "streamUrl": CURRENT_STREAM, "title": "So What", "artist": "Miles Davis",
    "album": "Kind of Blue", "imageUrl": IMAGE, "version": 12, "timestamp": 1764093845.2,
})
NEXT_REPLY = compact({
    "streamUrl": NEXT_STREAM, "title": "Blue in Green", "artist": "Miles Davis",
    "album": "Kind of Blue", "imageUrl": None,
})
# Music Assistant's answer to player_queues/get for the queue, shared with the tests.
QUEUE_REPLY = compact(json.loads((ROOT / "tests" / "fixtures" / "ma" / "queue_kitchen_echo.json").read_text()))
PLAYERS_REPLY = compact([
    {"player_id": QUEUE, "provider": "alexa", "name": QUEUE, "display_name": QUEUE,
     "state": "playing", "playback_state": "playing", "active_source": QUEUE},
    {"player_id": "Bedroom Echo", "provider": "alexa", "state": "idle"},
    {"player_id": "media_player.office", "provider": "hass", "state": "playing"},
])
SEARCH_REPLY = compact({
    "artists": [
        {"item_id": "4aa", "provider": "spotify", "name": "Miles Davis Quintet",
         "uri": "spotify://artist/4aa", "media_type": "artist"},
        {"item_id": "5", "provider": "library", "name": "Miles Davis",
         "uri": "library://artist/5", "media_type": "artist"},
    ],
    "albums": [
        {"item_id": "k1", "provider": "spotify", "name": "Kind of Blue (Legacy Edition)",
         "uri": "spotify://album/k1", "media_type": "album", "artists": [{"name": "Miles Davis"}]},
        {"item_id": "7", "provider": "library", "name": "Kind of Blue", "uri": "library://album/7",
         "media_type": "album", "artists": [{"name": "Miles Davis"}]},
        {"item_id": "t9", "provider": "tidal", "name": "Kind of Blue", "uri": "tidal://album/t9",
         "media_type": "album", "artists": [{"name": "Kind of Blue Trio"}]},
    ],
    "tracks": [
        {"item_id": "88", "provider": "library", "name": "So What", "uri": "library://track/88",
         "media_type": "track", "artists": [{"name": "Miles Davis"}]},
    ],
    "playlists": [
        {"item_id": "3", "provider": "library", "name": "Chill", "uri": "library://playlist/3",
         "media_type": "playlist"},
    ],
    "radio": [
        {"item_id": "s1234", "provider": "tunein", "name": "Jazz FM",
         "uri": "tunein://radio/s1234", "media_type": "radio"},
    ],
    "genres": [], "audiobooks": [], "podcasts": [],
})
ROOM_PLAYERS_REPLY = compact([
    {"player_id": QUEUE, "provider": "alexa", "name": QUEUE, "display_name": QUEUE,
     "state": "playing", "active_source": QUEUE, "available": True, "enabled": True},
    {"player_id": "RINCON_48A6B8", "provider": "sonos", "name": "Living Room",
     "display_name": "Living Room", "state": "idle", "available": True, "enabled": True},
    {"player_id": "media_player.kitchen_speaker", "provider": "hass", "name": "Kitchen Speaker",
     "state": "paused", "available": True, "enabled": True, "hide_player_in_ui": False},
    {"player_id": "media_player.office", "provider": "chromecast", "display_name": "Office",
     "available": True, "enabled": True, "type": "player"},
    {"player_id": "Bedroom Echo", "provider": "alexa", "display_name": "Bedroom Echo",
     "playback_state": "idle", "available": True, "enabled": True},
    {"player_id": "syncgroup_downstairs", "provider": "player_group", "display_name": "Downstairs",
     "available": True, "enabled": True, "type": "group"},
])
FAVORITES_REPLY = compact([
    {"item_id": "88", "provider": "library", "name": "So What", "uri": "library://track/88",
     "media_type": "track", "favorite": True, "artists": [{"name": "Miles Davis"}]},
    {"item_id": "91", "provider": "library", "name": "Naima", "uri": "library://track/91",
     "media_type": "track", "favorite": True, "artists": [{"name": "John Coltrane"}]},
])


def event(stem):
    return compact(json.loads((ROOT / "events" / f"{stem}.json").read_text()))


def bridge(tag, body=""):
    return tag + body


def ma(tag, delay, body=""):
    return tag + delay + body


def event_seed(stem, knobs, *replies):
    return "\0".join([event(stem), knobs, *replies])


# Knobs: settings 0 (all, SKILL_ID), 1 (no SKILL_ID), 2 (no MA), 3 (base path, no DEVICE_PLAYERS),
# 4 (no bridge), 5 (unusable); deadline 0 (passed), 1 (450 ms), anything else (6 s).
EVENT = {
    "launch": event_seed("launch", "06", bridge("l", CURRENT_REPLY)),
    "launch_nothing_for_player": event_seed(
        "launch", "06", bridge("n"), bridge("l", NEXT_REPLY)),
    "resume_bridge_down": event_seed("resume_intent", "36", bridge("a"), bridge("s")),
    "play_audio": event_seed("play_audio_intent_already_playing", "16", bridge("l", CURRENT_REPLY)),
    "nearly_finished": event_seed("playback_nearly_finished", "06", bridge("l", NEXT_REPLY)),
    "playback_failed": event_seed("playback_failed", "06", bridge("l", CURRENT_REPLY)),
    "now_playing": event_seed("now_playing_intent_fr-FR", "06", ma("O", "1", QUEUE_REPLY)),
    "previous": event_seed(
        "previous_intent", "06", ma("O", "0", QUEUE_REPLY), ma("O", "2", "null")),
    "next_by_players": event_seed(
        "next_intent_without_token", "36", ma("O", "1", PLAYERS_REPLY), ma("E", "0", "boom"),
        ma("O", "0", "null")),
    "play_media": event_seed(
        "play_media_intent", "06", ma("O", "1", SEARCH_REPLY), bridge("l", CURRENT_REPLY),
        ma("O", "4", "null"), bridge("l", CURRENT_REPLY), bridge("l", NEXT_REPLY)),
    "play_media_de_timeout": event_seed(
        "play_media_album_by_artist_de-DE", "06", ma("O", "1", SEARCH_REPLY),
        bridge("l", CURRENT_REPLY), ma("T", "7"), bridge("t")),
    "shuffle_media": event_seed(
        "shuffle_media_intent", "16", ma("O", "1", SEARCH_REPLY), ma("O", "0", "null"),
        ma("O", "2", "null")),
    "play_favorites": event_seed(
        "play_favorites_intent", "06", ma("O", "1", FAVORITES_REPLY), ma("O", "0", "null"),
        bridge("l", CURRENT_REPLY), ma("F", "3", "not allowed"), ),
    "add_to_favorites": event_seed(
        "add_to_favorites_intent", "06", ma("O", "0", QUEUE_REPLY), ma("O", "0", "null")),
    "controller_next": event_seed("playback_controller_next", "16", ma("U", "1")),
    "session_ended": event_seed("session_ended", "06"),
    "malformed": event_seed("malformed_intent_request", "56"),
    "help_es": event_seed("help_intent_es-ES", "06"),
    "play_media_in_room": event_seed(
        "play_media_in_room", "06", ma("O", "1", ROOM_PLAYERS_REPLY), ma("O", "1", SEARCH_REPLY),
        ma("O", "2", "null")),
    "room_command": event_seed(
        "room_command_intent", "06", ma("O", "1", ROOM_PLAYERS_REPLY), ma("O", "0", "null")),
    "set_volume": event_seed(
        "set_volume_intent", "06", ma("O", "1", ROOM_PLAYERS_REPLY), ma("O", "0", "null")),
    "transfer": event_seed(
        "transfer_intent", "06", ma("O", "1", ROOM_PLAYERS_REPLY), ma("O", "0", "null"),
        bridge("l", CURRENT_REPLY)),
    "choose_room": event_seed(
        "choose_room_intent", "06", ma("O", "1", ROOM_PLAYERS_REPLY), ma("O", "1", SEARCH_REPLY),
        ma("O", "0", "null")),
    "now_playing_in_room": event_seed(
        "now_playing_in_room", "06", ma("O", "1", ROOM_PLAYERS_REPLY), ma("O", "1", QUEUE_REPLY)),
}

STREAM_REWRITE = {
    "flac_ipv4": f"ma.example.net\n{CURRENT_STREAM.replace('.mp3', '.flac')}\n{IMAGE}\n",
    "base_path_single": "https://ma.example.net:8443/music/\n"
                        "http://ma-server.lan:8097/single/s1/Kitchen%20Echo/i1/Kitchen%20Echo.mp3?ts=1&x=a|b\n"
                        "https://u:p@cdn.example.com/a b.jpg\n",
    "ipv6_2024": "ma.example.net:443\nhttp://[fd00::20]:8097/flow/Kitchen%20Echo/1b2e77.mp3\n"
                 "http://[fd00::20]:8095/imageproxy/x?size=512\n",
    "announcement_unicode": "musique.exemple.fr\nhttp://10.0.0.2:8097/announcement/Küche Écho.mp3\n"
                            "http://10.0.0.9/imageproxy?path=a\n10.0.0.9",
    "rejected": "http://ma.example.net\nftp://10.0.0.2/flow/q/i.mp3\njavascript:x\n",
}

TOKEN = {
    "current": "mas1:0919b3fbf99e9937:Kitchen%20Echo",
    "older": "mas1:7e9dbed598d9b560:Kitchen%20Echo",
    "no_queue": "mas1:0919b3fbf99e9937",
    "other_skill": "another-skills-token",
    "bad_escape": "mas1:0919b3fbf99e9937:K%C3%BCche%2",
}

BRIDGE_REPLY = {
    "current": CURRENT_REPLY,
    "next_null_art": NEXT_REPLY,
    "nulls": compact({"streamUrl": LIVING, "title": None, "artist": None, "album": None,
                      "imageUrl": None}),
    "no_stream": compact({"streamUrl": "  ", "title": "So What"}),
    "https_art": compact({"streamUrl": CURRENT_STREAM.replace(".mp3", ".flac"),
                          "title": "Só Danço Samba", "artist": "Stan Getz & João Gilberto",
                          "imageUrl": "https://i.scdn.co/image/ab67616d0000b273"}),
}

MA_REPLY = {
    "queue": "0" + QUEUE_REPLY,
    "queue_null": "0null",
    "players": "1" + PLAYERS_REPLY,
    "search_query": "2" + SEARCH_REPLY + "\0PlayMediaIntent\nkind of blue",
    "search_album_by_artist": "2" + SEARCH_REPLY + "\0PlayMediaIntent\n\nKind of Blue Trio\nkind of blue",
    "search_similar": "2" + SEARCH_REPLY + "\0PlaySimilarIntent\nmiles",
    "favorites": "3" + FAVORITES_REPLY,
}

PUSH_BODY = {
    "full": (ROOT / "events" / "bridge" / "push-url.json").read_text().strip(),
    "bare": compact({"streamUrl": CURRENT_STREAM}),
    "player_and_repush": "\0".join([
        compact({"streamUrl": LIVING, "playerId": " Living Room "}),
        compact({"streamUrl": LIVING, "playerId": "Living Room", "title": "Naima",
                 "imageUrl": "https://cdn.example.com/naima.jpg"}),
        compact({"streamUrl": LIVING, "playerId": "Living Room", "title": None,
                 "artist": None, "album": None, "imageUrl": None}),
    ]),
    "two_players": "\0".join([
        compact({"streamUrl": CURRENT_STREAM}),
        compact({"streamUrl": "http://192.168.1.20:8097/announcement/x.mp3"}),
        compact({"streamUrl": LIVING, "title": "So What", "artist": "Miles Davis"}),
    ]),
    "bad": "\0".join(['{"streamUrl": 5}', '{"streamUrl": "file:///etc/passwd"}',
                      compact({"streamUrl": CURRENT_STREAM, "imageUrl": "cover.jpg"}), "[1]"]),
}


def write(target, seeds):
    folder = SEEDS / target
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in seeds.items():
        (folder / name).write_bytes(text.encode("utf-8"))


write("event", EVENT)
write("stream_rewrite", STREAM_REWRITE)
write("token", TOKEN)
write("bridge_reply", BRIDGE_REPLY)
write("ma_reply", MA_REPLY)
write("push_body", PUSH_BODY)
