#!/usr/bin/env python3
"""Benchmark: `ma-alexa-skill invoke` of a play event against a bridge on 127.0.0.1.

Prints wall time per invocation (the whole process: start, settings, one bridge request,
answer, exit) and peak resident memory. Memory is read through GNU time (`/usr/bin/time`,
Debian package `time`): a child forked from Python would be charged Python's own pages. Targets from the
skill-core issue: under 5 ms wall and under 10 MiB peak (the Node skill: ~216 ms, 65 MiB).

With --ssm, the settings come from SSM Parameter Store instead of the environment: a
moto_server on 127.0.0.1 holds them, so every run also pays the cold path of a new Lambda
container (SDK set-up and one GetParametersByPath).

Usage: python3 bench/invoke.py [RUNS] [--ssm]   (builds the release binary first)
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
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
RUNS = int(ARGS[0]) if ARGS else 200
SSM = "--ssm" in sys.argv
EVENT = os.path.join(ROOT, "events", "resume_intent.json")
# What the bridge answers is what Music Assistant pushed.
REPLY = open(os.path.join(ROOT, "events", "bridge", "push-url.json"), "rb").read()


class Bridge(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        # The resume event's token names its player: answer `?playerId=` like a per-player
        # bridge that holds that player's stream.
        self.send_response(200 if self.path.split("?")[0] == "/ma/latest-url" else 404)
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
    bridge = "http://127.0.0.1:%d" % server.server_address[1]
    env = {"RUST_LOG": "warn"}
    moto = None
    if SSM:
        moto, endpoint = start_moto()
        env.update({
            "SSM_PARAMETER_PREFIX": "/ma-alexa-skill",
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_REGION": "eu-west-1",
            "AWS_ACCESS_KEY_ID": "bench",
            "AWS_SECRET_ACCESS_KEY": "bench",
            "AWS_EC2_METADATA_DISABLED": "true",
        })
        put_parameters(endpoint, {"API_HOSTNAME": bridge, "MA_HOSTNAME": "ma.example.net",
                                  "API_USERNAME": "alice", "API_PASSWORD": "secret"})
    else:
        env.update({"API_HOSTNAME": bridge, "MA_HOSTNAME": "ma.example.net"})
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
    if moto:
        moto.terminate()
        moto.wait()

    walls.sort()
    source = "SSM (moto_server on loopback)" if SSM else "the environment"
    print("invoke of a play event against a loopback bridge, settings from %s, %d runs" % (source, RUNS))
    print("  wall ms: mean %.2f  p50 %.2f  p95 %.2f  max %.2f" % (
        statistics.mean(walls), walls[len(walls) // 2], walls[int(len(walls) * 0.95)], walls[-1]))
    if peaks_kib:
        print("  peak RSS: max %.1f MiB over %d runs" % (max(peaks_kib) / 1024, len(peaks_kib)))
    else:
        print("  peak RSS: not measured (install GNU time: apt-get install time)")
    print("  binary: %.1f MiB" % (os.path.getsize(binary) / 1024 / 1024))


def start_moto():
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    moto = subprocess.Popen(["moto_server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return moto, "http://127.0.0.1:%d" % port
        except OSError:
            time.sleep(0.05)
    raise SystemExit("moto_server did not start (pip install 'moto[server]')")


def put_parameters(endpoint, values):
    import boto3
    ssm = boto3.client("ssm", endpoint_url=endpoint, region_name="eu-west-1",
                       aws_access_key_id="bench", aws_secret_access_key="bench")
    for name, value in values.items():
        secure = name.endswith("PASSWORD")
        ssm.put_parameter(Name="/ma-alexa-skill/" + name, Value=value, Overwrite=True,
                          Type="SecureString" if secure else "String")


if __name__ == "__main__":
    main()
