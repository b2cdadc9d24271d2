"""`make bench`: how fast a waiting agent poll wakes up in Python, and what a pending poll costs.

A sender thread sends one custom event at a time, 1 ms after the poll started waiting; the latency
is from the send to the waiting caller running with the event. Three ways to wait:
- `next_events_async` on asyncio (the core's future, woken through `call_soon_threadsafe`);
- blocking `next_events` on a thread of its own;
- the hand-off a Python user would otherwise write: an `asyncio.Queue` fed by the sender thread
  through `loop.call_soon_threadsafe`.
Then the resident memory of 10,000 pending `next_events_async` polls. Prints tables; asserts
nothing about speed.
"""

from __future__ import annotations

import asyncio
import queue
import sys
import threading
import time
from typing import Any, Callable

import libjourney

# `--smoke` (make bench-smoke): tiny sizes, so that the code runs without timing anything that matters.
SMOKE = "--smoke" in sys.argv[1:]
SAMPLES = 20 if SMOKE else 2_000
PENDING = 100 if SMOKE else 10_000


def engine() -> libjourney.Engine:
    config = {"clock": "manual", "start": "2026-11-21T10:00:00Z", "maxPendingPerAgent": 100_000}
    return libjourney.Engine(libjourney.Catalog.from_json('{"sessionTypes": []}'), config)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[len(ordered) // 2], ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


class Sender:
    """A thread that runs `send` 1 ms after each request and returns when it sent."""

    def __init__(self, send: Callable[[], None]) -> None:
        self.requests: queue.SimpleQueue[float | None] = queue.SimpleQueue()
        self.sent_at: queue.SimpleQueue[float] = queue.SimpleQueue()
        self.thread = threading.Thread(target=self.run, args=(send,), daemon=True)
        self.thread.start()

    def run(self, send: Callable[[], None]) -> None:
        while self.requests.get() is not None:
            time.sleep(0.001)
            self.sent_at.put(time.perf_counter())
            send()

    def stop(self) -> None:
        self.requests.put(None)
        self.thread.join()


def asyncio_latencies() -> list[float]:
    e = engine()
    session = e.start_agent_session("a1")["sessionId"]
    e.next_events(session)
    sender = Sender(lambda: e.send_custom_event("a1", "wake", ""))

    async def run() -> list[float]:
        samples = []
        for _ in range(SAMPLES):
            sender.requests.put(0.0)
            await e.next_events_async(session, 10_000)
            samples.append(time.perf_counter() - sender.sent_at.get())
        return samples

    samples = asyncio.run(run())
    sender.stop()
    return samples


def blocking_latencies() -> list[float]:
    e = engine()
    session = e.start_agent_session("a1")["sessionId"]
    e.next_events(session)
    sender = Sender(lambda: e.send_custom_event("a1", "wake", ""))
    samples = []
    for _ in range(SAMPLES):
        sender.requests.put(0.0)
        e.next_events(session, 10_000)
        samples.append(time.perf_counter() - sender.sent_at.get())
    sender.stop()
    return samples


def asyncio_queue_latencies() -> list[float]:
    async def run() -> list[float]:
        loop = asyncio.get_running_loop()
        handoff: asyncio.Queue[None] = asyncio.Queue()
        sender = Sender(lambda: loop.call_soon_threadsafe(handoff.put_nowait, None))
        samples = []
        for _ in range(SAMPLES):
            sender.requests.put(0.0)
            await handoff.get()
            samples.append(time.perf_counter() - sender.sent_at.get())
        sender.stop()
        return samples

    return asyncio.run(run())


def rss_kib() -> int:
    status = open("/proc/self/status").read()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))


def pending_poll_bytes() -> float:
    e = engine()
    sessions = [e.start_agent_session(f"agent-{n}")["sessionId"] for n in range(PENDING)]
    for session in sessions:
        e.next_events(session)

    async def run() -> float:
        before = rss_kib()
        polls = [asyncio.ensure_future(e.next_events_async(s, 60_000)) for s in sessions]
        await asyncio.sleep(0.2)
        after = rss_kib()
        for n in range(PENDING):
            e.send_custom_event(f"agent-{n}", "go", "")
        await asyncio.gather(*polls)
        return (after - before) * 1024 / PENDING

    return asyncio.run(run())


def main() -> None:
    rows: list[tuple[str, Any]] = [
        ("`next_events_async` (asyncio, no thread waiting)", asyncio_latencies()),
        ("blocking `next_events` on its own thread", blocking_latencies()),
        ("`asyncio.Queue` + `call_soon_threadsafe` (the usual hand-off)", asyncio_queue_latencies()),
    ]
    print(f"\nPython agent-poll wake-up latency, {SAMPLES} wake-ups, send -> caller running")
    print("| path | p50 µs | p99 µs |")
    print("|---|---:|---:|")
    for name, samples in rows:
        p50, p99 = percentiles(samples)
        print(f"| {name} | {p50 * 1e6:.0f} | {p99 * 1e6:.0f} |")
    baseline_p99 = percentiles(rows[2][1])[1]
    print(f"\nasyncio path p99 / usual hand-off p99: {percentiles(rows[0][1])[1] / baseline_p99:.2f}x")
    print(f"resident memory per pending next_events_async poll ({PENDING} pending): {pending_poll_bytes():.0f} bytes")


if __name__ == "__main__":
    main()
