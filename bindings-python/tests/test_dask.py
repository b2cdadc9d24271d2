# mypy: disallow-untyped-calls=False
# (Dask's `distributed` has no type annotations.)
"""The Dask backfill example (examples/python/dask_backfill.py) on a LocalCluster of two worker
processes gives exactly one engine's outcomes, stats, journeys and session events (SPEC §13)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster

import libjourney
from libjourney import partition
from clocked_streams import CATALOG, CONFIG, agent_sessions_unnamed, one_engine, stream, with_operations

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "python"))
import dask_backfill  # noqa: E402
from scale_out import clock_move  # noqa: E402


def write(path: Path, lines: list[str]) -> list[Path]:
    path.write_text("\n".join(lines) + "\n")
    return [path]


def test_a_dask_backfill_equals_one_engine(tmp_path: Path) -> None:
    # The adversarial stream, with moves of the manual clock it depends on, agents' logins and
    # custom events, and web actions.
    lines = with_operations(stream())
    expected = one_engine(lines)
    paths = write(tmp_path / "stream.ndjson", lines)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            assert len(client.scheduler_info()["workers"]) == 2, "two worker processes"
            result = dask_backfill.backfill(client, json.dumps(CATALOG), CONFIG, paths, partitions=4)
            ran_on = client.run(lambda: __import__("os").getpid())
            assert len(set(ran_on.values())) == 2
    assert agent_sessions_unnamed(result["outcomes"]) == agent_sessions_unnamed(expected["outcomes"])
    assert result["agentDeliveries"] == expected["agentDeliveries"] and len(expected["agentDeliveries"]) == 3
    assert result["stats"] == expected["stats"]
    assert result["quarantined"] == []
    assert result["journeys"] == expected["journeys"]
    assert result["sessionEvents"] == expected["sessionEvents"]
    codes = expected["stats"]["rejectedByCode"]
    assert codes.get("LATE_EVENT", 0) > 0 and codes.get("FUTURE_EVENT", 0) > 0, codes


#: An event clock whose lateness the adversarial stream's far-ahead events make matter.
EVENT_CLOCK: Any = {"clock": "event", "allowedLateness": "30m"}


def test_an_event_clock_backfill_shares_the_watermark_and_equals_one_engine(tmp_path: Path) -> None:
    lines = with_operations([line for line in stream() if clock_move(line) is None])
    expected = one_engine(lines, EVENT_CLOCK)
    paths = write(tmp_path / "stream.ndjson", lines)
    assert expected["stats"]["rejectedByCode"].get("LATE_EVENT", 0) > 0
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            shared = dask_backfill.backfill(client, json.dumps(CATALOG), EVENT_CLOCK, paths, partitions=4)
            own_clocks = dask_backfill.backfill(client, json.dumps(CATALOG), EVENT_CLOCK, paths, partitions=4,
                                                watermark=False)
    assert agent_sessions_unnamed(shared["outcomes"]) == agent_sessions_unnamed(expected["outcomes"])
    assert shared["agentDeliveries"] == expected["agentDeliveries"]
    assert shared["stats"] == expected["stats"]
    assert shared["journeys"] == expected["journeys"]
    assert shared["sessionEvents"] == expected["sessionEvents"]
    # The negative control: each partition's own clock lets late events through.
    late = own_clocks["stats"]["rejectedByCode"].get("LATE_EVENT", 0)
    assert own_clocks["outcomes"] != expected["outcomes"]
    assert own_clocks["agentDeliveries"] != expected["agentDeliveries"], "agents' events stamped with a partition's clock"
    assert late < expected["stats"]["rejectedByCode"]["LATE_EVENT"], late


def test_a_backfill_with_retention_equals_one_engine(tmp_path: Path) -> None:
    # Sessions evicted before the end are in no partition: the merge reads them NOT_FOUND, as one
    # engine does, under the manual clock and under an event clock with the watermark.
    manual = {**CONFIG, "retention": "45m"}
    event_clock = {**EVENT_CLOCK, "retention": "45m"}
    with_moves = stream()
    events_only = [line for line in with_moves if clock_move(line) is None]
    runs = [(manual, with_moves, tmp_path / "manual.ndjson"), (event_clock, events_only, tmp_path / "event.ndjson")]
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            for config, lines, path in runs:
                expected = one_engine(lines, config)
                assert expected["stats"]["sessionsEvicted"] > 0, config
                assert [{"code": "NOT_FOUND"}] in expected["sessionEvents"].values(), config
                result = dask_backfill.backfill(client, json.dumps(CATALOG), config, write(path, lines), partitions=3)
                for part in ("outcomes", "stats", "journeys", "sessionEvents"):
                    assert result[part] == expected[part], (config["clock"], part)


def test_a_partition_given_only_operations_equals_one_engine(tmp_path: Path) -> None:
    """Agents whose keys hash to partitions the router gives no events: those partitions' engines
    see only logins and custom events, and under an event clock take the watermark before each,
    having no events of their own to move their clock. The events' partitions are all the other
    task's (odd ones, of 8 on 2 workers), which could run ahead and tell the watermark of events
    after an operation before the operation took it: each partition's reported next position is
    its next event's or operation's, whichever comes first."""
    catalog = libjourney.Catalog.from_dict(CATALOG)
    candidates = [line for line in stream() if clock_move(line) is None][:60]
    routed = partition.route(catalog, "\n".join(candidates), 8)["partitions"]
    events = [line for line, p in zip(candidates, routed) if p is not None and p % 2 == 1][:16]
    assert len(events) == 16 and all((p or 0) % 2 == 1 for p in partition.route(catalog, "\n".join(events), 8)["partitions"])
    agents = [agent for agent in (f"agent-{k}" for k in range(200))
              if partition.partition_for(partition.command_key("startAgentSession", {"agentId": agent}) or "", 8) % 2
              == 0][:3]
    assert len(agents) == 3, agents

    def op(name: str, input: Any) -> str:
        return json.dumps({"op": name, "input": input})

    # (After the first event: before any, one engine's event clock is the wall clock.)
    lines = [events[0], *(op("startAgentSession", {"agentId": agent}) for agent in agents)]
    for n, line in enumerate(events[1:]):
        lines.append(line)
        lines.append(op("sendCustomEvent", {"agentId": agents[n % 3], "eventName": "customerWaiting", "data": str(n)}))
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with Client(cluster) as client:
            for config in (CONFIG, EVENT_CLOCK):
                expected = one_engine(lines, config)
                result = dask_backfill.backfill(client, json.dumps(CATALOG), config,
                                                write(tmp_path / "stream.ndjson", lines), partitions=8)
                assert agent_sessions_unnamed(result["outcomes"]) == agent_sessions_unnamed(expected["outcomes"])
                assert result["agentDeliveries"] == expected["agentDeliveries"], config
                assert len(expected["agentDeliveries"]) == 3 and all(
                    answer.get("events") for answer in expected["agentDeliveries"]), expected["agentDeliveries"]
                assert result["stats"] == expected["stats"]
