"""Exact partitioning (SPEC §13, docs/scale-out.md): one engine per partition, merged, equals one
engine, when every event of a connected component of keys (customer, event id, external id) goes
to the same partition, in input order.

    routing = partition.route(catalog, events, partitions=4)
    # routing["partitions"][i]: the partition of events[i] (None: quarantined, see
    # routing["quarantined"]); feed each engine its events in input order, then merge:
    stats = partition.merge_stats([engine.stats() for engine in engines])

A customer's journey is read from its partition: the partition of any of its events, or, for a
customer no event names, ``partition_for(f"c:{id_type}:{id}", partitions)``. Outcomes merge by
each event's position in the input.
"""

from libjourney._native import merge_stats, partition_for, route

__all__ = ["merge_stats", "partition_for", "route"]
