# mypy: disallow-untyped-calls=False
"""`make bench`, Kafka part: the Kafka example (examples/python/kafka_consumer.py) on librdkafka's
mock cluster, with the ingest benchmark's events over 4 partitions:
- throughput: 1 and 2 consumer processes applying the whole topic, per partition and in all;
- takeover after SIGKILL: two consumers caught up, more events produced, one killed mid-way; the
  time until the survivor holds every partition and has caught up, split into the group noticing
  (the session timeout), opening the stores, and applying what the dead one had not checkpointed;
- a partition's store alone: filled as a consumer fills it, killed, and opened again.
Prints tables; asserts only that every message was applied. `--smoke` (make bench-smoke): a few
thousand events and a 1 s session timeout, so that the code runs without timing anything that
matters."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples" / "python"))
sys.path.insert(0, str(ROOT / "bench"))
import kafka_consumer  # noqa: E402
import python_ingest  # noqa: E402

import libjourney  # noqa: E402

SMOKE = python_ingest.SMOKE
# Events in the topic, events produced again for the takeover, and messages between checkpoints.
EVENTS, MORE, CHECKPOINT_EVERY = (1_500, 500, 300) if SMOKE else (200_000, 100_000, 10_000)
# Events in the stores the store recovery reopens, and events between two of their checkpoints.
STORE_EVENTS, STORE_CHECKPOINT_EVERY = ((1_000, 1_500), 500) if SMOKE else ((200_000, 800_000), 100_000)
#: The consumers' config: the ingest benchmark's, one ingest thread per engine.
CONFIG: Any = {**python_ingest.CONFIG, "ingestThreads": 1}


class Consumer:
    """One `kafka_consumer.py consume` process, its log lines stamped as they arrive."""

    def __init__(self, work: Path, name: str, bootstrap: str, session_timeout_ms: int) -> None:
        self.name = name
        self.lines: list[tuple[float, Any]] = []
        self.errors = work / f"{name}.err"
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "examples" / "python" / "kafka_consumer.py"), "consume",
             "--bootstrap", bootstrap, "--topic", "journey", "--group", "journey",
             "--catalog", str(work / "catalog.json"), "--config", str(work / "config.json"),
             "--stores", str(work / "stores"), "--out", str(work / "out"),
             "--checkpoint-every", str(CHECKPOINT_EVERY), "--session-timeout-ms", str(session_timeout_ms),
             "--report-every", "0.25"],
            stdout=subprocess.PIPE, stderr=self.errors.open("w"), text=True)
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.lines.append((time.perf_counter(), json.loads(line)))

    def check(self) -> None:
        """Fails when the process has exited on its own."""
        if self.process.poll() is not None:
            raise RuntimeError(f"consumer {self.name} exited with {self.process.returncode}: "
                               f"{self.errors.read_text()[-2000:]}")

    def events(self, kind: str, since: float = 0.0) -> list[tuple[float, Any]]:
        return [(at, entry) for at, entry in list(self.lines) if entry["event"] == kind and at >= since]

    def holding(self) -> set[int]:
        """The partitions it holds, by its log."""
        held: set[int] = set()
        for _, entry in list(self.lines):
            if entry["event"] == "assigned":
                held.add(entry["partition"])
            elif entry["event"].startswith("released"):
                held.discard(entry["partition"])
        return held

    def offsets(self) -> dict[int, int]:
        """Each held partition's next offset, by its last progress line."""
        progress = self.events("progress")
        return {int(n): part["offset"] for n, part in progress[-1][1]["partitions"].items()} if progress else {}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.reader.join(5)


def wait_for(condition: Any, what: str, running: list[Consumer], seconds: float = 600) -> float:
    """Waits for `condition()`, polling every 10 ms, while the `running` consumers run; returns
    when it held."""
    deadline = time.perf_counter() + seconds
    while not condition():
        for consumer in running:
            consumer.check()
        if time.perf_counter() > deadline:
            raise TimeoutError(f"waited {seconds} s for {what}")
        time.sleep(0.01)
    return time.perf_counter()


def reached(consumers: list[Consumer], ends: list[int]) -> bool:
    """Whether the consumers' partitions, together, are at `ends`."""
    held: dict[int, int] = {}
    for consumer in consumers:
        held.update(consumer.offsets())
    return len(held) == len(ends) and all(held[n] >= end for n, end in enumerate(ends))


def write_settings(work: Path) -> None:
    """The catalog and config files the consumers read."""
    (work / "catalog.json").write_text(json.dumps(python_ingest.CATALOG))
    (work / "config.json").write_text(json.dumps(CONFIG))


def topic_with(work: Path, lines: list[str]) -> tuple[Any, str, list[int], float]:
    """A fresh mock cluster with `lines` produced (routed by the batch router): its holder, its
    bootstrap servers, each partition's end offset, and the producing time."""
    holder, bootstrap = kafka_consumer.mock_cluster()
    write_settings(work)
    started = time.perf_counter()
    report = kafka_consumer.produce(bootstrap, "journey", libjourney.Catalog.from_dict(python_ingest.CATALOG),
                                    lines, CONFIG)
    return holder, bootstrap, report["messages"], time.perf_counter() - started


def throughput(lines: list[str]) -> None:
    print(f"\nKafka consumers on the mock cluster, {len(lines):,} events over 4 partitions "
          f"(checkpoint every {CHECKPOINT_EVERY:,} messages a partition; store.sync always)")
    print("(the consumers join an empty topic and share it; then the events are produced: apply all is from")
    print(" the first produced to the last applied; a consumer serves its partitions in turn, a poll at a time)")
    print(f"{'consumers':>9} | {'produce':>8} | {'apply all':>9} | {'events/s':>9} | {'per consumer':>12} | "
          f"{'per partition':>13}")
    for count in (1, 2):
        with tempfile.TemporaryDirectory() as directory:
            work = Path(directory)
            holder, bootstrap = kafka_consumer.mock_cluster()
            write_settings(work)
            kafka_consumer.topic_partitions(kafka_consumer.Producer({"bootstrap.servers": bootstrap}), "journey")
            consumers = [Consumer(work, f"c{n}", bootstrap, 6_000) for n in range(count)]
            try:
                wait_for(lambda: all(len(c.holding()) == 4 // count for c in consumers), "the group to share the topic",
                         consumers)
                started = time.perf_counter()
                report = kafka_consumer.produce(bootstrap, "journey", libjourney.Catalog.from_dict(python_ingest.CATALOG),
                                                lines, CONFIG)
                produced = time.perf_counter() - started
                ends = report["messages"]
                done = wait_for(lambda: reached(consumers, ends), "every message applied", consumers)
            finally:
                for consumer in consumers:
                    consumer.stop()
            del holder
        rate = sum(ends) / (done - started)
        print(f"{count:>9} | {produced:>6.2f} s | {done - started:>7.2f} s | {rate:>9,.0f} | {rate / count:>12,.0f} | "
              f"{rate / len(ends):>13,.0f}")


def takeover(lines: list[str], session_timeout_ms: int) -> None:
    """Two consumers caught up on `lines[:EVENTS]`; the rest produced; one killed once it has
    applied some of it; the survivor's takeover, timed from the kill."""
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        holder, bootstrap, first_ends, _ = topic_with(work, lines[:EVENTS])
        consumers = [Consumer(work, f"c{n}", bootstrap, session_timeout_ms) for n in range(2)]
        try:
            wait_for(lambda: reached(consumers, first_ends) and all(len(c.offsets()) == 2 for c in consumers),
                     "both consumers caught up", consumers)
            report = kafka_consumer.produce(bootstrap, "journey", libjourney.Catalog.from_dict(python_ingest.CATALOG),
                                            lines, CONFIG, start=EVENTS)
            ends = [a + b for a, b in zip(first_ends, report["messages"])]
            victim, survivor = consumers
            halfway = {n: (first_ends[n] + ends[n]) // 2 for n in victim.offsets()}
            wait_for(lambda: all(victim.offsets().get(n, 0) >= at for n, at in halfway.items()), "the victim mid-way", consumers)
            applied = victim.offsets()
            victim.process.send_signal(signal.SIGKILL)
            killed = time.perf_counter()
            victim.reader.join(5)
            taken = wait_for(lambda: all(any(e["partition"] == n for _, e in survivor.events("assigned", killed))
                                         for n in applied), "the survivor to take the dead one's partitions",
                             [survivor], 120)
            done = wait_for(lambda: reached([survivor], ends), "the survivor to catch up", [survivor])
            opens = [e for _, e in survivor.events("assigned", killed)]
            started_at = {e["partition"]: e["offset"] for e in opens if e["partition"] in applied}
            again = sum(applied[n] - started_at[n] for n in applied)
            open_seconds = sum(e["openSeconds"] for e in opens)
            refused = len(survivor.events("claim refused", killed))
            print(f"{session_timeout_ms / 1000:>14.0f} s | {taken - killed:>16.2f} s | {refused:>14} | "
                  f"{open_seconds:>10.3f} s | {again:>13,} | {done - taken:>11.2f} s | {done - killed:>8.2f} s")
        finally:
            for consumer in consumers:
                consumer.stop()
        del holder


def store_recovery(lines: list[str]) -> None:
    """One durable partition engine as the Kafka consumer keeps it (recoverTo checkpoint), with
    the given events and a checkpoint every 100,000 (500 in the smoke run), then 5,000 more, then SIGKILL; then the time
    to open it again, which is what a consumer taking over the partition waits for (beside the
    group's rebalance, which `session.timeout.ms` bounds)."""
    print("\nKafka consumer: reopening a partition's store after SIGKILL (examples/python/kafka_consumer.py)")
    print(f"{'events in store':>15} | {'dropped after checkpoint':>24} | {'store size':>10} | {'open (recovery)':>15}")
    for count in STORE_EVENTS:
        store = Path(tempfile.mkdtemp(prefix="journey-kafka-bench-"))
        script = (
            "import json, os, signal, sys, libjourney\n"
            f"engine = libjourney.Engine(libjourney.Catalog.from_dict({python_ingest.CATALOG!r}), "
            f"{{**{CONFIG!r}, 'store': {{'recoverTo': 'checkpoint', 'sync': 'batch'}}}}, store={str(store)!r})\n"
            "data = sys.stdin.buffer.read().split(b'\\n')\n"
            f"for start in range(0, {count}, {STORE_CHECKPOINT_EVERY}):\n"
            f"    engine.ingest_batch(b'\\n'.join(data[start:min(start + {STORE_CHECKPOINT_EVERY}, {count})]), outcomes='none')\n"
            f"    engine.checkpoint({{'offset': start + {STORE_CHECKPOINT_EVERY}}})\n"
            f"engine.ingest_batch(b'\\n'.join(data[{count}:]), outcomes='none')  # after the last checkpoint\n"
            "os.kill(os.getpid(), signal.SIGKILL)\n"
        )
        data = "\n".join(lines[:count + 5000]).encode()
        subprocess.run([sys.executable, "-c", script], input=data, check=False)
        size = sum(f.stat().st_size for f in store.iterdir())
        started = time.perf_counter()
        engine = libjourney.Engine(libjourney.Catalog.from_dict(python_ingest.CATALOG),
                                   {**CONFIG, "store": {"recoverTo": "checkpoint"}}, store=str(store))
        opened = time.perf_counter() - started
        recovery = engine.recovery()
        assert recovery is not None and engine.stats()["eventsAccepted"] == count, engine.stats()
        print(f"{count:>15,} | {recovery['recordsAfterCheckpointDropped']:>24,} | {size / 2**20:>6.0f} MiB | {opened:>13.2f} s")
        engine.close()
        for f in store.iterdir():
            f.unlink()
        store.rmdir()


def main() -> None:
    lines = python_ingest.lines()
    throughput(lines[:EVENTS])
    print(f"\nTakeover after SIGKILL: two consumers caught up on {EVENTS:,} events, {MORE:,} more produced, one "
          "killed half-way through its share of them (eager protocol, 4 partitions)")
    print("(kill to assigned: until the survivor has claimed and opened every partition the dead one held;")
    print(" claims refused: while the group rebalanced; store opens: all four, its own reopened too (eager);")
    print(" applied again: the dead one's messages since its checkpoints, as of its last progress line, so at least)")
    print(f"{'session timeout':>16} | {'kill to assigned':>18} | {'claims refused':>14} | {'store opens':>12} | "
          f"{'applied again':>13} | {'catch up':>13} | {'total':>10}")
    for session_timeout_ms in ((3_000,) if SMOKE else (10_000, 3_000)):
        takeover(lines[:EVENTS + MORE], session_timeout_ms)
    store_recovery(lines)


if __name__ == "__main__":
    main()
