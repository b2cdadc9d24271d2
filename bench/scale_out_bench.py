# mypy: disallow-untyped-calls=False
"""`make bench`, scale-out part: the Dask backfill example (examples/python/dask_backfill.py) on
the ingest benchmark's 1,000,000 custom events across 100,000 customers, with 1 and with 2 worker
processes (4 partitions, one ingest thread per engine), and the recovery of a Kafka consumer's
partition store after a kill. Prints tables; asserts only that every event was accepted.
`--smoke` (make bench-smoke): python_ingest's 2,000 events, and stores of 1,000 and 1,500, so that
the code runs without timing anything that matters."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster

import libjourney

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "examples" / "python"))
sys.path.insert(0, str(ROOT / "bench"))
import dask_backfill  # noqa: E402
import python_ingest  # noqa: E402

CONFIG: Any = {**python_ingest.CONFIG, "ingestThreads": 1}
# Events in the stores the Kafka recovery reopens, and events between two checkpoints.
STORE_EVENTS, CHECKPOINT_EVERY = ((1_000, 1_500), 500) if python_ingest.SMOKE else ((200_000, 800_000), 100_000)


def dask_scaling(path: Path) -> None:
    rows = []
    for workers in (1, 2):
        with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
            with Client(cluster) as client:
                started = time.perf_counter()
                result = dask_backfill.backfill(client, json.dumps(python_ingest.CATALOG), CONFIG, [path],
                                                partitions=4, outcomes="rejected", details=False)
                total = time.perf_counter() - started
        accepted = result["stats"]["eventsAccepted"]
        assert accepted == python_ingest.EVENTS, accepted
        rows.append((workers, result["seconds"], total))
    print(f"\nDask backfill, {python_ingest.EVENTS:,} events, 4 partitions (examples/python/dask_backfill.py)")
    print("(tasks: from sending the work to having every result; work: the longest task's own time)")
    print(f"{'workers':>7} | {'route (driver)':>14} | {'tasks':>8} | {'work':>8} | {'merge':>7} | {'total':>7} | "
          f"{'events/s, tasks':>15} | {'scaling':>7} | {'events/s, work':>14} | {'scaling':>7}")
    base, base_work = rows[0][1]["tasks"], max(rows[0][1]["inTasks"])
    for workers, seconds, total in rows:
        work = max(seconds["inTasks"])
        print(f"{workers:>7} | {seconds['route']:>12.2f} s | {seconds['tasks']:>6.2f} s | {work:>6.2f} s | "
              f"{seconds['merge']:>5.2f} s | {total:>5.2f} s | {python_ingest.EVENTS / seconds['tasks']:>15,.0f} | "
              f"{base / seconds['tasks']:>6.2f}x | {python_ingest.EVENTS / work:>14,.0f} | {base_work / work:>6.2f}x")


def kafka_recovery(lines: list[str]) -> None:
    """One durable partition engine as the Kafka consumer keeps it (recoverTo checkpoint), with
    the given events and a checkpoint every 100,000, then 5,000 more, then SIGKILL; then the time
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
            f"for start in range(0, {count}, {CHECKPOINT_EVERY}):\n"
            f"    engine.ingest_batch(b'\\n'.join(data[start:min(start + {CHECKPOINT_EVERY}, {count})]), outcomes='none')\n"
            f"    engine.checkpoint({{'offset': start + {CHECKPOINT_EVERY}}})\n"
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
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "events.ndjson"
        path.write_text("\n".join(lines) + "\n")
        dask_scaling(path)
    kafka_recovery(lines)


if __name__ == "__main__":
    main()
