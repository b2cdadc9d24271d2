# mypy: disallow-untyped-calls=False
# (Dask's `distributed` has no type annotations; everything of libjourney's is typed.)
"""Backfill NDJSON exports on Dask with one libjourney engine per partition, and get exactly what
one engine gives (SPEC §13, docs/scale-out.md).

    python examples/python/dask_backfill.py --catalog examples/data/catalog.json \\
        --config examples/data/replay_config.json --partitions 4 --out backfill.json \\
        examples/data/bike_delivery.ndjson

The files are read and routed in this process (`libjourney.partition.route`: every event of a
connected component of customers, event ids and external ids goes to one partition). The
partitions are dealt to the workers, one Dask task per worker, pinned to it, with its
partitions' events; the task builds their engines (engines cannot be pickled), applies its events,
its operations and the clock moves in input order, in batches between clock moves, operations and
watermark waits, and returns each event's and operation's outcome with its position, each engine's
stats, its customers' journeys, its sessions' events and what its agents have waiting. The merge
puts outcomes back in input order (one per event and operation; clock moves have none) and sums
the stats.

Other lines `{"op": ..., "input": {...}}` are operations (an agent's login or custom event, a web
action's event): each goes to the partition of its key (`scale_out.command_partition`), applied at
its position; its answer, or `{"error": ...}`, is its outcome.

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
import bisect
import json
import time
from array import array
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

from distributed import Client, LocalCluster, progress

import libjourney
from libjourney import partition
from scale_out import (
    all_pages,
    call,
    command_of,
    command_partition,
    customer_partitions,
    customers_of,
    is_event_clock,
    read_lines,
    session_events_across,
    split_input,
)

#: Events a task ingests in one `ingest_batch` at most, and between two progress reports.
CHUNK = 10_000


@dataclass
class PartitionInput:
    """One partition's events, as the driver sends them: NDJSON (one line per event, in input
    order), their positions, and the positions of those that need the watermark. One bytes object
    and two arrays pickle at memory speed, where a million tuples would not."""

    ndjson: bytes
    positions: "array[int]"
    needs_watermark: list[int]


@dataclass
class Command:
    """An operation in the input other than a clock move (an agent's, a web action's event), at
    its position, for the partition of its key."""

    partition: int
    op: str
    input: Any
    #: Whether the partition takes the watermark before it (an event clock's agents' clock).
    needs_watermark: bool


@dataclass
class Work:
    """One task's input: its partitions' events and operations, and every clock move, `(op,
    input)` by position."""

    partitions: dict[int, PartitionInput]
    moves: dict[int, tuple[str, str]]
    commands: dict[int, Command]
    #: Return every outcome (`True`), or only those of rejected events.
    every_outcome: bool
    #: Return journeys and session events too.
    details: bool


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
    """One task's partitions: their engines, how far each has been applied, and what they return."""

    def __init__(self, catalog_text: str, config: Any, work: Work, frontier: Any) -> None:
        catalog = libjourney.Catalog.from_json(catalog_text)
        self.engines = {p: libjourney.Engine(catalog, config) for p in work.partitions}
        self.lines = {p: part.ndjson.decode().split("\n") if part.ndjson else [] for p, part in work.partitions.items()}
        self.positions = {p: part.positions for p, part in work.partitions.items()}
        self.applied = {p: 0 for p in work.partitions}
        # Each partition's operations' positions, and how many of them it has run: a partition's
        # next position, which it reports, is its next event's or its next operation's, so that
        # no partition's watermark passes an operation that has yet to take it.
        self.operations = {p: sorted(position for position, command in work.commands.items() if command.partition == p)
                           for p in work.partitions}
        self.operations_run = {p: 0 for p in work.partitions}
        self.frontier = frontier
        self.every_outcome = work.every_outcome
        self.outcomes: list[tuple[int, Any]] = []
        #: What each agent session started here has waiting at the end, by the login's position.
        self.deliveries: dict[int, Any] = {}
        #: Per partition, `[position, time]` of what it accepted since its last report.
        self.pending_reports: dict[int, list[Any]] = {}

    def apply_before(self, position: Optional[int]) -> None:
        """Ingests every partition's events before `position` (`None`: all), in chunks: their
        order between partitions does not matter (they share no key, and no clock move or
        watermark lies between them). Then reports."""
        for p, engine in self.engines.items():
            positions, start = self.positions[p], self.applied[p]
            end = len(positions) if position is None else bisect.bisect_left(positions, position, lo=start)
            for chunk in range(start, end, CHUNK):
                self.ingest(p, engine, chunk, min(chunk + CHUNK, end))
            self.applied[p] = end
        self.report()

    def ingest(self, p: int, engine: libjourney.Engine, start: int, end: int) -> None:
        lines, positions = self.lines[p], self.positions[p]
        batch = engine.ingest_batch("\n".join(lines[start:end]))
        accepted: list[Any] = []
        for i, outcome in enumerate(batch["outcomes"], start):
            if self.every_outcome or outcome["status"] == "rejected":
                self.outcomes.append((positions[i], outcome))
            if self.frontier is not None and outcome["status"] == "accepted":
                accepted.append([positions[i], json.loads(lines[i])["createdDate"]])
        self.pending_reports.setdefault(p, []).extend(accepted)

    def command(self, position: int, command: Command) -> None:
        """Applies an operation at its position: after its partition's events before it (and the
        watermark there when it needs it), its answer kept as its outcome."""
        engine = self.engines[command.partition]
        if command.needs_watermark and self.frontier is not None:
            self.observe(engine, position)
        else:
            self.apply_before(position)
        answer = call(engine, command.op, command.input)
        self.operations_run[command.partition] += 1
        if self.every_outcome or "error" in answer:  # a refused operation is a rejection
            self.outcomes.append((position, answer))
        if command.op == "startAgentSession" and "sessionId" in answer:
            self.deliveries[position] = answer["sessionId"]

    def report(self) -> None:
        """Tells the frontier what each partition accepted since the last report and where it is."""
        if self.frontier is None:
            return
        reports = []
        for p, positions in self.positions.items():
            operations, run = self.operations[p], self.operations_run[p]
            upcoming = [*positions[self.applied[p]:self.applied[p] + 1], *operations[run:run + 1]]
            reports.append({"partition": p, "accepted": self.pending_reports.pop(p, []),
                            "next": min(upcoming) if upcoming else None})
        self.frontier.record(reports).result()

    def observe(self, engine: libjourney.Engine, position: Optional[int]) -> None:
        """Applies and reports everything before `position` (`None`: the end), waits until every
        partition passed it, and takes the watermark."""
        self.apply_before(position)
        while True:
            passed, watermark = self.frontier.watermark(position).result()
            if passed:
                break
            time.sleep(0.001)
        if watermark is not None:
            engine.observe_watermark(watermark)


def run_group(catalog_text: str, config: Any, work: Work, frontier: Any) -> dict[str, Any]:
    """One task: applies its partitions' events and every clock move in input order, and returns
    its results."""
    started = time.perf_counter()
    group = Group(catalog_text, config, work, frontier)
    # The points where input order matters: clock moves, operations, and events that take the
    # watermark.
    syncs: list[tuple[int, Optional[int]]] = [(position, None) for position in [*work.moves, *work.commands]]
    if frontier is not None:
        syncs += [(position, p) for p, part in work.partitions.items() for position in part.needs_watermark]
    for position, p in sorted(syncs, key=lambda sync: sync[0]):
        if p is not None:
            group.observe(group.engines[p], position)
        elif position in work.moves:
            group.apply_before(position)
            for engine in group.engines.values():
                engine.call(*work.moves[position])
        else:
            group.command(position, work.commands[position])
    group.apply_before(None)
    if frontier is not None:
        for engine in group.engines.values():
            group.observe(engine, None)  # the final watermark, so that reads see the final `now`
    result: dict[str, Any] = {"outcomes": group.outcomes, "stats": [e.stats() for e in group.engines.values()],
                              "journeys": {}, "sessionEvents": {}, "agentDeliveries": {}, "seconds": 0.0}
    if work.details:
        for p, engine in group.engines.items():
            customers = customers_of(group.lines[p])
            result["journeys"].update({key: all_pages(engine, customer) for key, customer in customers.items()})
        outcomes = [outcome for _, outcome in group.outcomes]
        result["sessionEvents"] = session_events_across(list(group.engines.values()), outcomes)
        result["agentDeliveries"] = {
            position: group.engines[work.commands[position].partition].call(
                "nextEvents", {"sessionId": session_id, "timeoutMs": 0})
            for position, session_id in group.deliveries.items()}
    result["seconds"] = time.perf_counter() - started
    return result


def backfill(client: Client, catalog_text: str, config: Any, paths: list[Path], partitions: int,
             cap: Optional[int] = None, show_progress: bool = False, watermark: bool = True,
             outcomes: str = "all", details: bool = True) -> dict[str, Any]:
    """Routes the files' events, runs one task per worker of `client` over its share of the
    partitions, and merges their results, with the `seconds` spent routing in this process, in
    the tasks (and, of that, each task's own work), and merging. `outcomes="rejected"` returns `rejections` (`[position, outcome]` of
    each rejected event) instead of every event's outcome; `details=False` leaves out the journeys
    and session events. `watermark=False` gives each partition its own event clock instead of the
    shared watermark: not exact (docs/scale-out.md), there to show the difference."""
    started = time.perf_counter()
    catalog = libjourney.Catalog.from_json(catalog_text)
    lines = read_lines(paths)
    moves, inputs = split_input(lines)
    operations = {position: command for position, line in inputs if (command := command_of(line)) is not None}
    events = [(position, line) for position, line in inputs if position not in operations]
    batch = "\n".join(line for _, line in events)
    routing = partition.route(catalog, batch, partitions, cap)
    needed = partition.watermark_needed(config if config is not None else {}, batch)
    where = customer_partitions(events, routing["partitions"])
    commands = {position: Command(command_partition(operation, partitions, where), *operation,
                                  is_event_clock(config) and partition.command_needs_watermark(config, *operation))
                for position, operation in operations.items()}
    workers = sorted(client.scheduler_info()["workers"])[:partitions]
    parts: dict[int, tuple[list[str], "array[int]", list[int]]] = {p: ([], array("q"), []) for p in range(partitions)}
    first: list[Optional[int]] = [None] * partitions
    for (position, line), target, needs in zip(events, routing["partitions"], needed):
        if target is None:
            continue  # quarantined: reported below
        part_lines, part_positions, part_needs = parts[target]
        part_lines.append(line)
        part_positions.append(position)
        if needs:
            part_needs.append(position)
        if first[target] is None:
            first[target] = position
    for position, operation in commands.items():  # a partition starts at its first event or operation
        known = first[operation.partition]
        first[operation.partition] = position if known is None else min(position, known)
    # Partition p goes to task p mod tasks, with its operations; each task gets every clock move.
    used = {command.partition for command in commands.values()}
    tasks = [Work({p: PartitionInput("\n".join(parts[p][0]).encode(), parts[p][1], parts[p][2])
                   for p in range(n, partitions, len(workers)) if parts[p][0] or p in used},
                  moves, {position: command for position, command in commands.items()
                          if command.partition % len(workers) == n},
                  outcomes == "all", details) for n in range(len(workers))]
    routed = time.perf_counter()
    frontier = None
    if watermark and is_event_clock(config):
        frontier = client.submit(FrontierActor, partitions, first, actor=True).result()
    # One task per worker, pinned to it, so that every task runs at once: a task waiting for the
    # watermark waits for the others to go on.
    # The work goes straight to its worker (`scatter`), not through the scheduler with the task.
    works = [client.scatter(task, workers=[worker], direct=True, hash=False) for task, worker in zip(tasks, workers)]
    futures = [client.submit(run_group, catalog_text, config, work, frontier,
                             workers=[worker], allow_other_workers=False, pure=False)
               for work, worker in zip(works, workers)]
    if show_progress:
        progress(futures)
    results = client.gather(futures)
    ran = time.perf_counter()
    by_position = {position: outcome for result in results for position, outcome in result["outcomes"]}
    merged: dict[str, Any] = ({"outcomes": [by_position.get(position) for position, _ in inputs]}
                              if outcomes == "all" else {"rejections": sorted(by_position.items())})
    journeys: dict[str, Any] = {}
    sessions: dict[str, Any] = {}
    deliveries: dict[int, Any] = {}
    for result in results:
        journeys.update(result["journeys"])
        sessions.update(result["sessionEvents"])
        deliveries.update(result["agentDeliveries"])
    return {
        **merged,
        "stats": partition.merge_stats([stats for result in results for stats in result["stats"]]),
        "journeys": dict(sorted(journeys.items())),
        "sessionEvents": dict(sorted(sessions.items())),
        "agentDeliveries": [delivery for _, delivery in sorted(deliveries.items())],
        "quarantined": routing["quarantined"],
        "seconds": {"route": routed - started, "tasks": ran - routed, "merge": time.perf_counter() - ran,
                    "inTasks": [result["seconds"] for result in results]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--catalog", required=True, type=Path)
    parser.add_argument("--config", type=Path)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cap", type=int, default=None, help="quarantine components of more events")
    parser.add_argument("--out", type=Path, default=Path("backfill.json"))
    parser.add_argument("--outcomes", choices=["all", "rejected"], default="rejected",
                        help="write every event's outcome, or only the rejected ones' (default)")
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    config = json.loads(args.config.read_text()) if args.config else None
    with LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True) as cluster, Client(cluster) as client:
        result = backfill(client, args.catalog.read_text(), config, args.files, args.partitions, args.cap,
                          show_progress=True, outcomes=args.outcomes)
    args.out.write_text(json.dumps(result, indent=1))
    stats = result["stats"]
    events = stats["eventsAccepted"] + stats["eventsDuplicate"] + stats["eventsRejected"]
    print(f"\n{events:,} events over {args.partitions} partitions: {stats['eventsAccepted']:,} accepted, "
          f"{stats['eventsDuplicate']:,} duplicates, {stats['eventsRejected']:,} rejected; "
          f"{len(result['journeys']):,} journeys, {len(result['sessionEvents']):,} sessions and "
          f"{'every outcome' if args.outcomes == 'all' else 'the rejections'} in {args.out}")


if __name__ == "__main__":
    main()
