"""Exact partitioning (SPEC §13, docs/scale-out.md): one engine per partition, merged, equals one
engine, when every event of a connected component of keys (customer, event id, external id) goes
to the same partition, in input order.

    routing = partition.route(catalog, events, partitions=4)
    # routing["partitions"][i]: the partition of events[i] (None: quarantined, see
    # routing["quarantined"]); feed each engine its events in input order, then merge:
    stats = partition.merge_stats([engine.stats() for engine in engines])

With an event clock, the partitions share a watermark (the largest event time any of them
accepted before a position) across processes:

    needed = partition.watermark_needed(config, events)   # which events might be late
    frontier = partition.Frontier(4, first_positions)      # fed every partition's reports
    frontier.record({"partition": 1, "accepted": [[7, "2026-11-21T10:05:00Z"]], "next": 9})
    if needed[i]:                                            # before events[i], at position i
        # wait (receiving reports) until frontier.passed(i), then
        if (w := frontier.watermark_before(i)) is not None:
            engine.observe_watermark(w)

A stream whose input is not known in advance is routed one event at a time; when an event links
components on different partitions, the state of the smaller ones moves first (the partitions'
engines share a `digestKey`):

    router = partition.OnlineRouter(catalog, 4)
    route = router.route(event)
    for move in route["moves"]:
        engines[move["target"]].move_in(engines[move["source"]].move_out(move["customers"]))
    engines[route["partition"]].ingest(event)

Agent operations route by their agent: `partition_for(command_key("sendCustomEvent", request), n)`.
A web action event goes to its customer's partition (`command_key` gives `c:cookie:<id>`: where the
router put that customer). Partitions run with `orchestration.customEvents: "outbox"`; after each
input step the host forwards the custom events their action maps fired:

    parts = [engine.outbox() for engine in engines]
    for entry in partition.merge_outbox(parts):
        engines[partition.partition_for(partition.command_key("sendCustomEvent", entry["request"]), n)].call(
            "sendCustomEvent", entry["request"])
    for engine, part in zip(engines, parts):
        if part:
            engine.acknowledge_outbox(part[-1]["sequence"])

A customer's journey is read from its partition: the partition of any of its events, or, for a
customer no event names, ``partition_for(f"c:{id_type}:{id}", partitions)``. Outcomes merge by
each event's position in the input.
"""

from libjourney._native import (
    Frontier,
    OnlineRouter,
    command_key,
    command_needs_watermark,
    merge_outbox,
    merge_stats,
    partition_for,
    route,
    watermark_needed,
)

__all__ = [
    "Frontier",
    "OnlineRouter",
    "command_key",
    "command_needs_watermark",
    "merge_outbox",
    "merge_stats",
    "partition_for",
    "route",
    "watermark_needed",
]
