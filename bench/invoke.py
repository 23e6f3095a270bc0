#!/usr/bin/env python3
"""Benchmark: `ma-alexa-skill invoke` of a play event against a bridge on 127.0.0.1.

Prints wall time per invocation (the whole process: start, settings, one bridge request,
answer, exit) and peak resident memory. Memory is read through GNU time (`/usr/bin/time`,
Debian package `time`): a child forked from Python would be charged Python's own pages. Targets from the
skill-core issue: under 5 ms wall and under 10 MiB peak (the Node skill: ~216 ms, 65 MiB).

Usage: python3 bench/invoke.py [RUNS]   (builds the release binary first)
"""
import http.server
import json
import os
import resource
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 200
EVENT = os.path.join(ROOT, "events", "resume_intent.json")
REPLY = open(os.path.join(ROOT, "events", "bridge", "ma", "latest-url"), "rb").read()


class Bridge(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        self.send_response(200 if self.path == "/ma/latest-url" else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(REPLY)))
        self.end_headers()
        self.wfile.write(REPLY)

    def log_message(self, *args):
        pass


def main():
    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    binary = os.path.join(ROOT, "target", "release", "ma-alexa-skill")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Bridge)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "API_HOSTNAME": "http://127.0.0.1:%d" % server.server_address[1],
        "MA_HOSTNAME": "ma.example.net",
        "RUST_LOG": "warn",
    }
    first = subprocess.run([binary, "invoke", EVENT], env=env, capture_output=True, check=True)
    response = json.loads(first.stdout)
    assert response["response"]["directives"][0]["type"] == "AudioPlayer.Play", response

    walls = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([binary, "invoke", EVENT], env=env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append((time.perf_counter() - start) * 1000)

    peaks_kib = []
    if os.path.exists("/usr/bin/time"):
        for _ in range(20):
            run = subprocess.run(["/usr/bin/time", "-f", "%M", binary, "invoke", EVENT], env=env,
                                 check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            peaks_kib.append(int(run.stderr.decode().strip().splitlines()[-1]))
    server.shutdown()

    walls.sort()
    print("invoke of a play event against a loopback bridge, %d runs" % RUNS)
    print("  wall ms: mean %.2f  p50 %.2f  p95 %.2f  max %.2f" % (
        statistics.mean(walls), walls[len(walls) // 2], walls[int(len(walls) * 0.95)], walls[-1]))
    if peaks_kib:
        print("  peak RSS: max %.1f MiB over %d runs" % (max(peaks_kib) / 1024, len(peaks_kib)))
    else:
        print("  peak RSS: not measured (install GNU time: apt-get install time)")
    print("  binary: %.1f MiB" % (os.path.getsize(binary) / 1024 / 1024))


if __name__ == "__main__":
    main()
