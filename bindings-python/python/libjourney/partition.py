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

A customer's journey is read from its partition: the partition of any of its events, or, for a
customer no event names, ``partition_for(f"c:{id_type}:{id}", partitions)``. Outcomes merge by
each event's position in the input.
"""

from libjourney._native import Frontier, merge_stats, partition_for, route, watermark_needed

__all__ = ["Frontier", "merge_stats", "partition_for", "route", "watermark_needed"]
