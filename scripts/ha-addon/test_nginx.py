"""The NGINX snippet of docs/home-assistant.md, run by the real nginx in front of the real
`ma-alexa-bridge`, a stand-in for Music Assistant's stream server and one for Home Assistant, all
on 127.0.0.1.

The snippet is taken from the page as a user copies it; only its upstream host
(`homeassistant.local.hass.io:5000` and `:8097`, the Home Assistant host as the NGINX add-on sees
it) is pointed at the loopback ports of this test. It is included, as the NGINX Home Assistant
SSL proxy add-on includes it, in a server shaped like that add-on's (`proxy_buffering off`,
everything else to Home Assistant), over plain HTTP: TLS is the add-on's own and not what the
snippet changes.

Run by CI: `python3 scripts/ha-addon/test_nginx.py BRIDGE_BINARY` (nginx on PATH or in /usr/sbin).
"""

from __future__ import annotations

import http.client
import http.server
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[2]
BRIDGE = os.environ.get("HA_NGINX_TEST_BRIDGE", "")
STREAM = bytes(range(256)) * 64  # 16 KiB of known bytes
FIRST = 1000  # what the slow stream sends before it waits: less than any nginx buffer


def snippet() -> str:
    """The ```nginx block of docs/home-assistant.md."""
    page = (REPOSITORY / "docs/home-assistant.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```nginx\n(.*?)```", page, re.S)
    assert len(blocks) == 1, f"expected one nginx block in the page, found {len(blocks)}"
    return "\n".join(line[3:] if line.startswith("   ") else line for line in blocks[0].splitlines())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder(http.server.ThreadingHTTPServer):
    """A stand-in that answers every request with its own name, and records what it saw."""

    daemon_threads = True

    def __init__(self, name: str):
        self.name = name
        self.seen: list[tuple[str, str, dict[str, str]]] = []
        self.release = threading.Event()
        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server_address[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def answer(self) -> None:
        server: Recorder = self.server  # type: ignore[assignment]
        server.seen.append((self.command, self.path, dict(self.headers)))
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        if server.name == "music-assistant" and self.path.endswith("/slow.mp3"):
            # A first kilobyte, then nothing until the client has read it.
            self.send_response(200)
            self.send_header("Content-Length", str(len(STREAM)))
            self.end_headers()
            self.wfile.write(STREAM[:FIRST])
            self.wfile.flush()
            server.release.wait(timeout=60)
            self.wfile.write(STREAM[FIRST:])
            return
        range_header = self.headers.get("Range")
        if server.name == "music-assistant" and range_header:
            start, end = (int(x) for x in range_header.removeprefix("bytes=").split("-"))
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{end}/{len(STREAM)}")
            body = STREAM[start : end + 1]
        else:
            self.send_response(200)
            body = server.name.encode()
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_HEAD = answer


def start_bridge(folder: Path) -> tuple[subprocess.Popen, int, list[str]]:
    """The real bridge, serving the skill, on a free loopback port."""
    port = free_port()
    env = {
        "BRIDGE_LISTEN": f"127.0.0.1:{port}",
        "BRIDGE_STATE_FILE": str(folder / "state.json"),
        "BRIDGE_USERNAME": "alexa",
        "BRIDGE_PASSWORD": "nginx-test-password",
        "BRIDGE_SKILL_ENDPOINT": "true",
        "SKILL_ID": "amzn1.ask.skill.00000000-1111-2222-3333-444444444444",
        "MA_HOSTNAME": "music.example.com",
    }
    bridge = subprocess.Popen([BRIDGE], env=env, stderr=subprocess.PIPE, text=True)
    logs: list[str] = []
    listening = threading.Event()

    def read() -> None:
        assert bridge.stderr is not None
        for line in bridge.stderr:
            logs.append(line)
            if "listening on" in line:
                listening.set()

    threading.Thread(target=read, daemon=True).start()
    if not listening.wait(timeout=20):
        bridge.kill()
        raise RuntimeError("the bridge did not start: " + "".join(logs))
    return bridge, port, logs


def start_nginx(folder: Path, port: int, bridge: int, stream: int, home: int) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    temp = folder / "temp"
    temp.mkdir()
    temp.chmod(0o777)  # nginx's workers may run as another user when the test runs as root
    included = (
        snippet()
        .replace("homeassistant.local.hass.io:5000", f"127.0.0.1:{bridge}")
        .replace("homeassistant.local.hass.io:8097", f"127.0.0.1:{stream}")
    )
    assert "homeassistant.local.hass.io" not in included, included
    (folder / "nginx_proxy_default_ma_alexa.conf").write_text(included)
    temps = "\n".join(
        f"    {kind}_temp_path {temp}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (folder / "nginx.conf").write_text(
        f"""daemon off;
error_log stderr;
pid {folder}/nginx.pid;
events {{ worker_connections 64; }}
http {{
    access_log off;
{temps}
    server {{
        listen 127.0.0.1:{port};
        server_name music.example.com;
        proxy_buffering off;
        client_max_body_size 1m;
        include {folder}/nginx_proxy_default*.conf;
        location / {{
            proxy_pass http://127.0.0.1:{home};
            proxy_http_version 1.1;
        }}
    }}
}}
"""
    )
    process = subprocess.Popen(
        [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf")],
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("nginx stopped: " + (process.stderr.read() if process.stderr else ""))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError("nginx did not listen")


class NginxSnippet(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        cls.folder_handle = tempfile.TemporaryDirectory(prefix="ha-nginx-")
        folder = Path(cls.folder_handle.name)
        folder.chmod(0o755)
        cls.stream = Recorder("music-assistant")
        cls.home = Recorder("home-assistant")
        cls.bridge, bridge_port, cls.bridge_logs = start_bridge(folder)
        cls.port = free_port()
        cls.nginx = start_nginx(folder, cls.port, bridge_port, cls.stream.port, cls.home.port)

    @classmethod
    def tearDownClass(cls) -> None:
        for process in (cls.nginx, cls.bridge):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        for process in (cls.nginx, cls.bridge):
            if process.stderr is not None:
                process.stderr.close()
        for recorder in (cls.stream, cls.home):
            recorder.shutdown()
            recorder.server_close()
        cls.folder_handle.cleanup()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                method, path, body=body, headers={"Host": "music.example.com", **(headers or {})}
            )
            response = connection.getresponse()
            return response, response.read()
        finally:
            connection.close()

    def test_the_skill_endpoint_reaches_the_bridges_skill(self) -> None:
        response, body = self.request(
            "POST", "/alexa/skill", b'{"version":"1.0"}', {"Content-Type": "application/json"}
        )
        # Unsigned: the skill's signature check refuses it, which only the skill endpoint does.
        self.assertEqual(response.status, 400, body)
        self.assertEqual(body, b'{"error":"bad request"}')
        deadline = time.monotonic() + 10
        while not any("skill endpoint refused a request" in line for line in self.bridge_logs):
            self.assertLess(time.monotonic(), deadline, "".join(self.bridge_logs))
            time.sleep(0.05)

    def test_stream_routes_reach_music_assistant_with_range(self) -> None:
        for path in (
            "/flow/3f9c1a/Kitchen%20Echo/1b2e77/Kitchen%20Echo.mp3",
            "/single/3f9c1a/item.mp3?ts=1",
            "/announcement/3f9c1a.mp3",
            "/pluginsource/spotify/3f9c1a.mp3",
        ):
            response, body = self.request("GET", path, headers={"Range": "bytes=100-199"})
            self.assertEqual(response.status, 206, path)
            self.assertEqual(body, STREAM[100:200], path)
            self.assertEqual(response.getheader("Content-Range"), f"bytes 100-199/{len(STREAM)}")
            method, seen_path, headers = self.stream.seen[-1]
            self.assertEqual((method, seen_path), ("GET", path))
            self.assertEqual(headers.get("Range"), "bytes=100-199")
        response, body = self.request("GET", "/imageproxy?path=cover.jpg&size=256")
        self.assertEqual((response.status, body), (200, b"music-assistant"))
        self.assertEqual(self.stream.seen[-1][1], "/imageproxy?path=cover.jpg&size=256")

    def test_a_stream_is_passed_on_before_it_ends(self) -> None:
        # The stand-in sends the rest only once the first kilobyte has arrived: a proxy that
        # buffered it would keep it until the stand-in gives up waiting (60 s), and this read
        # would time out first (20 s: a loaded machine passes a kilobyte on loopback sooner).
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            connection.request("GET", "/flow/3f9c1a/slow.mp3", headers={"Host": "music.example.com"})
            response = connection.getresponse()
            try:
                self.assertEqual(response.read(FIRST), STREAM[:FIRST])
            finally:
                self.stream.release.set()
            self.assertEqual(response.read(), STREAM[FIRST:])
        finally:
            connection.close()

    def test_everything_else_stays_with_home_assistant(self) -> None:
        for path in (
            "/",
            "/ma/latest-url",
            "/ma/push-url",
            "/alexa/intents",
            "/alexa/skill/extra",
            "/healthz",
            "/flowers",
            "/api/states",
        ):
            before = len(self.stream.seen)
            response, body = self.request("GET", path)
            self.assertEqual((response.status, body), (200, b"home-assistant"), path)
            self.assertEqual(self.home.seen[-1][1], path)
            self.assertEqual(len(self.stream.seen), before, path)
        self.assertFalse(
            any("/ma/" in line or "intents" in line for line in self.bridge_logs),
            "".join(self.bridge_logs),
        )


if __name__ == "__main__":
    if len(sys.argv) > 1:
        BRIDGE = sys.argv.pop(1)
    if not BRIDGE or not os.access(BRIDGE, os.X_OK):
        sys.exit("usage: test_nginx.py BRIDGE_BINARY")
    unittest.main()
