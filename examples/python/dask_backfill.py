# mypy: disallow-untyped-calls=False
# (Dask's `distributed` has no type annotations; everything of libjourney's is typed.)
"""Backfill NDJSON exports on Dask with one libjourney engine per partition, and get exactly what
one engine gives (SPEC §13, docs/scale-out.md).

    python examples/python/dask_backfill.py --catalog examples/data/catalog.json \\
        --config examples/data/replay_config.json --partitions 4 --out backfill.json \\
        examples/data/bike_delivery.ndjson

The files are read and routed in this process (`libjourney.partition.route`: every event of a
connected component of customers, event ids and external ids goes to one partition). The
partitions are dealt to the workers, one Dask task per worker, pinned to it; the task builds its
partitions' engines (engines cannot be pickled), applies its input in input order, and returns
each event's outcome with its position, each engine's stats, its customers' journeys and its
sessions' events. The merge puts outcomes back in input order (one per event; clock moves have
none) and sums the stats.

Lines `{"op": "advance", "input": "46s"}` and `{"op": "setNow", "input": "<time>"}` are moves of a
manual clock: every partition applies them at their position. With an event clock, the
partitions share a watermark: a Dask actor holds a `partition.Frontier` that every task reports
its progress to, and a partition about to ingest an event that might be late
(`partition.watermark_needed`) waits until every partition has passed its position and takes the
largest time accepted before it (`Engine.observe_watermark`). The tasks run at once (one per
worker), so whoever holds the smallest position can always go on.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import deque
from pathlib import Path
from typing import Any, Optional

from distributed import Client, LocalCluster, progress

import libjourney
from libjourney import partition
from scale_out import all_pages, clock_move, customers_of, read_lines, session_events_across

#: A task's input in input order: `(position, partition, line, needs_watermark)`; a clock move
#: has partition `None` and goes to every engine of the task.
Steps = list[tuple[int, Optional[int], str, bool]]

#: How many events a task applies between two reports of its progress to the frontier.
REPORT_EVERY = 2000


class FrontierActor:
    """The event-clock frontier of every partition, on one worker: tasks report to it and ask it."""

    def __init__(self, partitions: int, first_positions: list[Optional[int]]) -> None:
        self.frontier = partition.Frontier(partitions, first_positions)

    def record(self, reports: list[Any]) -> None:
        for report in reports:
            self.frontier.record(report)

    def watermark(self, position: Optional[int]) -> tuple[bool, Optional[str]]:
        """Whether every partition passed `position` (`None`: the end), and then the watermark."""
        if not self.frontier.passed(position):
            return False, None
        return True, self.frontier.watermark_before(position)


class Group:
    """One task's partitions: their engines and, with an event clock, their reports."""

    def __init__(self, catalog_text: str, config: Any, steps: Steps, frontier: Any) -> None:
        catalog = libjourney.Catalog.from_json(catalog_text)
        own = sorted({p for _, p, _, _ in steps if p is not None})
        self.engines = {p: libjourney.Engine(catalog, config) for p in own}
        self.frontier = frontier
        self.remaining = {p: deque(pos for pos, q, _, _ in steps if q == p) for p in own}
        self.reports: dict[int, Any] = {p: {"partition": p, "accepted": [], "next": self.remaining[p][0]} for p in own}

    def ingest(self, position: int, target: int, line: str, needs_watermark: bool) -> Any:
        engine = self.engines[target]
        if self.frontier is not None and needs_watermark:
            self.observe(engine, position)
        outcome = engine.ingest(line)
        self.remaining[target].popleft()
        report = self.reports[target]
        if self.frontier is not None and outcome["status"] == "accepted":
            report["accepted"].append([position, json.loads(line)["createdDate"]])
        report["next"] = self.remaining[target][0] if self.remaining[target] else None
        return outcome

    def observe(self, engine: libjourney.Engine, position: Optional[int]) -> None:
        """Reports, waits until every partition passed `position`, and takes the watermark."""
        self.report()
        while True:
            passed, watermark = self.frontier.watermark(position).result()
            if passed:
                break
            time.sleep(0.001)
        if watermark is not None:
            engine.observe_watermark(watermark)

    def report(self) -> None:
        if self.frontier is None:
            return
        self.frontier.record(list(self.reports.values())).result()
        for report in self.reports.values():
            report["accepted"] = []


def run_group(catalog_text: str, config: Any, steps: Steps, frontier: Any) -> dict[str, Any]:
    """One task: its partitions' engines, its input in order, its results."""
    group = Group(catalog_text, config, steps, frontier)
    outcomes: list[tuple[int, Any]] = []
    for n, (position, target, line, needs_watermark) in enumerate(steps):
        if target is None:
            move = clock_move(line)
            assert move is not None
            for engine in group.engines.values():
                engine.call(*move)
            continue
        outcomes.append((position, group.ingest(position, target, line, needs_watermark)))
        if n % REPORT_EVERY == REPORT_EVERY - 1:
            group.report()
    for engine in group.engines.values():
        if frontier is not None:
            group.observe(engine, None)  # the final watermark, so that reads see the final `now`
    journeys: dict[str, Any] = {}
    for p, engine in group.engines.items():
        customers = customers_of([line for _, q, line, _ in steps if q == p])
        journeys.update({key: all_pages(engine, customer) for key, customer in customers.items()})
    sessions = session_events_across(list(group.engines.values()), [outcome for _, outcome in outcomes])
    return {"outcomes": outcomes, "stats": [engine.stats() for engine in group.engines.values()],
            "journeys": journeys, "sessionEvents": sessions}


def _defaults() -> Any:
    """The engine's default config, which `None` stands for."""
    return {}


def backfill(client: Client, catalog_text: str, config: Any, lines: list[str], partitions: int,
             cap: Optional[int] = None, show_progress: bool = False, watermark: bool = True) -> dict[str, Any]:
    """Routes `lines`, runs one task per worker of `client` over its share of the partitions, and
    merges their results. `watermark=False` gives each partition its own event clock instead of
    the shared watermark: not exact (docs/scale-out.md), there to show the difference."""
    catalog = libjourney.Catalog.from_json(catalog_text)
    moves = [(position, line) for position, line in enumerate(lines) if clock_move(line) is not None]
    events = [(position, line) for position, line in enumerate(lines) if clock_move(line) is None]
    batch = "\n".join(line for _, line in events)
    routing = partition.route(catalog, batch, partitions, cap)
    needed = partition.watermark_needed(config if config is not None else _defaults(), batch)
    workers = sorted(client.scheduler_info()["workers"])[:partitions]
    steps: list[Steps] = [[(position, None, line, False) for position, line in moves] for _ in workers]
    for (position, line), target, needs in zip(events, routing["partitions"], needed):
        if target is not None:
            steps[target % len(workers)].append((position, target, line, needs))
    steps = [sorted(group) for group in steps]
    frontier = None
    if watermark and isinstance(config, dict) and config.get("clock") == "event":
        first: list[Optional[int]] = [None] * partitions
        for (position, _), target in zip(events, routing["partitions"]):
            if target is not None and first[target] is None:
                first[target] = position
        frontier = client.submit(FrontierActor, partitions, first, actor=True).result()
    # One task per worker, pinned to it, so that every task runs at once: a task waiting for the
    # watermark waits for the others to go on.
    futures = [client.submit(run_group, catalog_text, config, group, frontier, workers=[worker],
                             allow_other_workers=False, pure=False) for group, worker in zip(steps, workers)]
    if show_progress:
        progress(futures)
    results = client.gather(futures)
    by_position = {position: outcome for result in results for position, outcome in result["outcomes"]}
    journeys: dict[str, Any] = {}
    sessions: dict[str, Any] = {}
    for result in results:
        journeys.update(result["journeys"])
        sessions.update(result["sessionEvents"])
    return {
        "outcomes": [by_position.get(position) for position, _ in events],
        "stats": partition.merge_stats([stats for result in results for stats in result["stats"]]),
        "journeys": dict(sorted(journeys.items())),
        "sessionEvents": dict(sorted(sessions.items())),
        "quarantined": routing["quarantined"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True, type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cap", type=int, default=None, help="quarantine components of more events")
    parser.add_argument("--out", type=Path, default=Path("backfill.json"))
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    config = json.loads(args.config.read_text()) if args.config else None
    lines = read_lines(args.files)
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
        result = backfill(client, args.catalog.read_text(), config, lines, args.partitions, args.cap, show_progress=True)
    args.out.write_text(json.dumps(result, indent=1))
    stats = result["stats"]
    print(f"\n{len(lines):,} events over {args.partitions} partitions: {stats['eventsAccepted']:,} accepted, "
          f"{stats['eventsDuplicate']:,} duplicates, {stats['eventsRejected']:,} rejected; "
          f"{len(result['journeys']):,} journeys and every outcome in {args.out}")


if __name__ == "__main__":
    main()
