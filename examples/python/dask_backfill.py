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
journeys of its customers. The merge puts outcomes back in input order and sums the stats.

A manual or wall clock is fine; an event clock needs the partitions' watermark shared across
processes, which this example does not do yet (docs/scale-out.md), so it refuses one.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from typing import Any, Optional

from dask.delayed import Delayed, delayed
from distributed import Client, LocalCluster, progress

import libjourney
from libjourney import partition

#: Who reads the journeys the backfill writes out: every permission, every division.
VIEWER: Any = {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
                               "journey:eventType:view", "routing:wrapupCode:view", "routing:queue:search"],
               "divisions": ["*"]}


def read_lines(paths: list[Path]) -> list[str]:
    """Every non-blank line of the files, in order (gzip files by their first bytes)."""
    lines: list[str] = []
    for path in paths:
        raw = path.read_bytes()
        text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        lines.extend(line for line in text.decode("utf-8", errors="replace").splitlines() if line.strip())
    return lines


def run_partition(catalog_text: str, config: Any, lines: list[tuple[int, str]]) -> dict[str, Any]:
    """One partition, inside a Dask task: its engine, its events in input order, its results."""
    engine = libjourney.Engine(libjourney.Catalog.from_json(catalog_text), config)
    outcomes = [(position, engine.ingest(line)) for position, line in lines]
    customers: dict[str, Any] = {}
    for _, line in lines:
        try:
            customer = json.loads(line).get("customer")
        except (json.JSONDecodeError, AttributeError):
            continue
        if isinstance(customer, dict) and isinstance(customer.get("id"), str) and isinstance(customer.get("idType"), str):
            customers[f"{customer['idType']}:{customer['id']}"] = {"id": customer["id"], "idType": customer["idType"]}
    journeys = {key: all_pages(engine, customer) for key, customer in customers.items()}
    return {"outcomes": outcomes, "stats": engine.stats(), "journeys": journeys}


def all_pages(engine: libjourney.Engine, customer: Any) -> list[Any]:
    """A customer's whole journey, page by page."""
    pages: list[Any] = []
    page: Any = {"pageSize": 200}
    while True:
        try:
            result = engine.journey(customer, VIEWER, page)
        except libjourney.JourneyError as error:
            return [{"code": error.code}]
        pages.append(result)
        if result["nextCursor"] is None:
            return pages
        page = {"pageSize": 200, "after": result["nextCursor"]}


def backfill(client: Client, catalog_text: str, config: Any, lines: list[str], partitions: int,
             cap: Optional[int] = None, show_progress: bool = False) -> dict[str, Any]:
    """Routes `lines`, runs one task per partition on `client`, and merges their results."""
    if isinstance(config, dict) and config.get("clock") == "event":
        raise ValueError("an event clock needs a shared watermark across processes, not built yet")
    catalog = libjourney.Catalog.from_json(catalog_text)
    routing = partition.route(catalog, "\n".join(lines), partitions, cap)
    per_partition: list[list[tuple[int, str]]] = [[] for _ in range(partitions)]
    for position, (line, target) in enumerate(zip(lines, routing["partitions"])):
        if target is not None:
            per_partition[target].append((position, line))
    tasks: list[Delayed] = [delayed(run_partition)(catalog_text, config, part) for part in per_partition if part]
    futures = client.compute(tasks)
    if show_progress:
        progress(futures)
    results = client.gather(futures)
    outcomes: list[Any] = [None] * len(lines)
    for result in results:
        for position, outcome in result["outcomes"]:
            outcomes[position] = outcome
    journeys: dict[str, Any] = {}
    for result in results:
        journeys.update(result["journeys"])
    return {
        "outcomes": outcomes,
        "stats": partition.merge_stats([result["stats"] for result in results]),
        "journeys": dict(sorted(journeys.items())),
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
