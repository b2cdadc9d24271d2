#!/usr/bin/env python3
"""`make load-test`: `journey serve` under load from wrk, beside the Node example server (Fastify
over the npm package) for the same ingest, and the CXone long poll with custom events flowing.

    python3 bench/http_load.py --journey target/release/journey [--seconds 10] [--limit 1000000]

Each workload runs wrk (2 threads, 32 connections, --latency) for --seconds; a Lua script stops a
thread after --limit answers, so a run's store stays bounded. Prints requests/s and p99 latency per
workload and the ratio against the Node example; exits 1 if any answer was an error (4xx/5xx), so
`make test` can run a short version that fails when the server does. Never fails on speed.
"""
import argparse
import http.client
import json
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
HERE = REPO / "bench" / "http"
AGENTS = 64
VIEWER = {"permissions": ["journey:session:view", "journey:event:view"], "divisions": ["*"]}


def start(command: list[str], cwd: pathlib.Path, env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Starts a server that prints the address it listens on in its first line."""
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, text=True, env=env)
    line = process.stdout.readline()
    match = re.search(r"(https?://[0-9.:]+)", line)
    if not match:
        process.kill()
        sys.exit(f"server did not start: {line!r}")
    return process, match.group(1)


def wrk(url: str, script: str, seconds: float, env: dict[str, str]) -> dict:
    """One wrk run: requests, requests/s, p99 (ms) and errors."""
    command = ["wrk", "-t2", "-c32", f"-d{max(1, round(seconds))}s", "--latency", "-s", str(HERE / script), url]
    env = {**os.environ, "WRK_COMMON": str(HERE / "common.lua"), **env}
    out = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99.group(2)]
    errors = int(re.search(r"^errors (\d+)$", out, re.M).group(1))
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(n) for n in socket_errors.groups())
    return {"requests": requests, "rate": rate, "p99_ms": float(p99.group(1)) * scale, "errors": errors}


def call(host: str, method: str, path: str, token: str, body: str | None = None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(host, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    return answer.status, answer.read()


def send_events(host: str, stop: threading.Event, sent: list[int]) -> None:
    """Sends custom events to random agents until told to stop, on one keep-alive connection."""
    connection = http.client.HTTPConnection(host, timeout=30)
    rng = random.Random(7)
    while not stop.is_set():
        agent = rng.randrange(AGENTS)
        path = f"/incontactapi/services/v30.0/agents/agent-{agent}/custom-event?eventName=e{rng.randrange(50)}&data=x"
        connection.request("PUT", path, headers={"Authorization": "Bearer studio"})
        answer = connection.getresponse()
        answer.read()
        if answer.status != 202:
            sys.exit(f"custom event: {answer.status}")
        sent[0] += 1


def journey_serve(binary: str, work: pathlib.Path, seconds: float, limit: int) -> list[tuple[str, dict]]:
    tokens = {"ingest": {"ingest": True}, "studio": {"sendCustomEvents": True}, "viewer": {"viewer": VIEWER}}
    tokens.update({f"agent-{i}": {"agentId": f"agent-{i}"} for i in range(AGENTS)})
    (work / "tokens.json").write_text(json.dumps({"tokens": tokens}))
    command = [binary, "serve", "--catalog", str(REPO / "examples/data/catalog.json"), "--tokens", "tokens.json", "--listen", "127.0.0.1:0"]
    server, url = start(command, work)
    host = url.removeprefix("http://")
    try:
        rows = [("POST /events (one event)", wrk(url, "ingest.lua", seconds, {"LIMIT": str(limit)}))]
        sessions = []
        for i in range(AGENTS):
            status, body = call(host, "POST", "/incontactapi/services/v30.0/agent-sessions", f"agent-{i}")
            session = json.loads(body)["sessionId"].split(".")[0]
            sessions.append(f"agent-{i} {session}")
        stop, sent = threading.Event(), [0]
        sender = threading.Thread(target=send_events, args=(host, stop, sent))
        sender.start()
        poll = wrk(url, "poll.lua", seconds, {"LIMIT": str(limit), "SESSIONS": ";".join(sessions)})
        stop.set()
        sender.join()
        poll["note"] = f"{AGENTS} agents, {sent[0]:,} custom events sent meanwhile"
        rows.append(("get-next-event (timeout=0)", poll))
        return rows
    finally:
        server.send_signal(2)
        server.wait(timeout=30)


def node_example(work: pathlib.Path, seconds: float, limit: int) -> dict:
    env = {**os.environ, "PORT": "0"}
    server, url = start(["node", str(REPO / "examples/node/server.mjs")], work, env)
    try:
        return wrk(url, "ingest.lua", seconds, {"LIMIT": str(limit)})
    finally:
        server.kill()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journey", required=True)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--limit", type=int, default=1_000_000)
    args = parser.parse_args()
    args.journey = str(pathlib.Path(args.journey).resolve())
    if not shutil.which("wrk"):
        sys.exit("wrk is missing: make load-test installs it")
    work = pathlib.Path(tempfile.mkdtemp(prefix="journey-load-"))
    rows = journey_serve(args.journey, work, args.seconds, args.limit)
    node = node_example(work, args.seconds, args.limit)
    print(f"\njourney serve under wrk (2 threads, 32 connections, {args.seconds:g} s per row, this machine):\n")
    print("| workload | server | requests | requests/s | p99 | errors | vs the Node example |")
    print("|---|---|---:|---:|---:|---:|---:|")
    ingest = rows[0][1]
    for name, row in rows:
        ratio = f"{row['rate'] / node['rate']:.2f}x" if row is ingest else ""
        print(f"| {name} | journey serve | {row['requests']:,} | {row['rate']:,.0f} | {row['p99_ms']:.2f} ms | {row['errors']} | {ratio} |")
        if "note" in row:
            print(f"|  ({row['note']}) | | | | | | |")
    print(f"| POST /events (one event) | Node example (Fastify + npm package) | {node['requests']:,} | {node['rate']:,.0f} | {node['p99_ms']:.2f} ms | {node['errors']} | 1.00x |")
    shutil.rmtree(work, ignore_errors=True)
    if any(row["errors"] for _, row in rows) or node["errors"]:
        sys.exit("some answers were errors")


if __name__ == "__main__":
    main()
