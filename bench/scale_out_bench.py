# mypy: disallow-untyped-calls=False
"""`make bench`, scale-out part: the Dask backfill example (examples/python/dask_backfill.py) on
the ingest benchmark's 1,000,000 custom events across 100,000 customers, with 1 and with 2 worker
processes (4 partitions, one ingest thread per engine), end to end (the driver's routing and merge
counted) and in the tasks alone. Prints a table; asserts only that every event was accepted.
`--smoke` (make bench-smoke): python_ingest's 2,000 events, so that the code runs without timing
anything that matters. The Kafka example's figures are bench/kafka_bench.py's."""

from __future__ import annotations

import json
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
    print("(end to end: from reading the file to the merged result, the driver's routing and merge counted;")
    print(" tasks: from sending the work to having every result; work: the longest task's own time)")
    print(f"{'workers':>7} | {'route (driver)':>14} | {'tasks':>8} | {'work':>8} | {'merge':>7} | {'end to end':>10} | "
          f"{'events/s':>9} | {'scaling':>7} | {'tasks: events/s':>15} | {'scaling':>7} | {'work: scaling':>13}")
    base_total, base, base_work = rows[0][2], rows[0][1]["tasks"], max(rows[0][1]["inTasks"])
    for workers, seconds, total in rows:
        work = max(seconds["inTasks"])
        print(f"{workers:>7} | {seconds['route']:>12.2f} s | {seconds['tasks']:>6.2f} s | {work:>6.2f} s | "
              f"{seconds['merge']:>5.2f} s | {total:>8.2f} s | {python_ingest.EVENTS / total:>9,.0f} | "
              f"{base_total / total:>6.2f}x | {python_ingest.EVENTS / seconds['tasks']:>15,.0f} | "
              f"{base / seconds['tasks']:>6.2f}x | {base_work / work:>12.2f}x")


def main() -> None:
    lines = python_ingest.lines()
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "events.ndjson"
        path.write_text("\n".join(lines) + "\n")
        dask_scaling(path)


if __name__ == "__main__":
    main()
