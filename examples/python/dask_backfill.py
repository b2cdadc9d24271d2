# mypy: disallow-untyped-calls=False
# (Dask's `distributed` has no type annotations; everything of libjourney's is typed.)
"""Backfill NDJSON exports on Dask with one libjourney engine per partition, and get exactly what
one engine gives (SPEC §13, docs/scale-out.md).

    python examples/python/dask_backfill.py --catalog examples/data/catalog.json \\
        --config examples/data/replay_config.json --partitions 4 --out backfill.json \\
        examples/data/bike_delivery.ndjson

The files are read and routed in this process (`libjourney.partition.route`: every event of a
connected component of customers, event ids and external ids goes to one partition); each
partition's events, in input order, become one Dask task, which builds its engine inside the task
(engines cannot be pickled) and returns its outcomes with their positions, its stats, and the
journeys of its customers and the events of its sessions. The merge puts outcomes back in input order (one per event; clock moves
have none) and sums the stats.

Lines `{"op": "advance", "input": "46s"}` and `{"op": "setNow", "input": "<time>"}` are moves of a
manual clock: every partition applies them at their position. An event clock needs the partitions' watermark shared across
processes, which this example does not do yet (docs/scale-out.md), so it refuses one.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, Optional

from dask.delayed import Delayed, delayed
from distributed import Client, LocalCluster, progress

import libjourney
from libjourney import partition
from scale_out import all_pages, clock_move, customers_of, read_lines, session_events_across

#: One partition's input: `(position, line)` of its events and of every clock move, in order.
Work = list[tuple[int, str]]


def run_partition(catalog_text: str, config: Any, work: Work) -> dict[str, Any]:
    """One partition, inside a Dask task: its engine, its input in order, its results."""
    engine = libjourney.Engine(libjourney.Catalog.from_json(catalog_text), config)
    outcomes: list[tuple[int, Any]] = []
    for position, line in work:
        move = clock_move(line)
        if move is None:
            outcomes.append((position, engine.ingest(line)))
        else:
            engine.call(*move)
    customers = customers_of([line for _, line in work])
    journeys = {key: all_pages(engine, customer) for key, customer in customers.items()}
    sessions = session_events_across([engine], [outcome for _, outcome in outcomes])
    return {"outcomes": outcomes, "stats": engine.stats(), "journeys": journeys, "sessionEvents": sessions}


def backfill(client: Client, catalog_text: str, config: Any, lines: list[str], partitions: int,
             cap: Optional[int] = None, show_progress: bool = False) -> dict[str, Any]:
    """Routes `lines`, runs one task per partition on `client`, and merges their results."""
    if isinstance(config, dict) and config.get("clock") == "event":
        raise ValueError("an event clock needs a shared watermark across processes, not built yet")
    catalog = libjourney.Catalog.from_json(catalog_text)
    moves = [(position, line) for position, line in enumerate(lines) if clock_move(line) is not None]
    events = [(position, line) for position, line in enumerate(lines) if clock_move(line) is None]
    routing = partition.route(catalog, "\n".join(line for _, line in events), partitions, cap)
    per_partition: list[Work] = [[] for _ in range(partitions)]
    for (position, line), target in zip(events, routing["partitions"]):
        if target is not None:
            per_partition[target].append((position, line))
    # Clock moves go to every partition, at their position (SPEC §13).
    per_partition = [sorted(part + moves) for part in per_partition]
    tasks: list[Delayed] = [delayed(run_partition)(catalog_text, config, part) for part in per_partition]
    futures = client.compute(tasks)
    if show_progress:
        progress(futures)
    results = client.gather(futures)
    by_position = {position: outcome for result in results for position, outcome in result["outcomes"]}
    outcomes = [by_position.get(position) for position, _ in events]
    journeys: dict[str, Any] = {}
    sessions: dict[str, Any] = {}
    for result in results:
        journeys.update(result["journeys"])
        sessions.update(result["sessionEvents"])
    return {
        "outcomes": outcomes,
        "stats": partition.merge_stats([result["stats"] for result in results]),
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
