"""libjourney.partition: N engines fed by the router give one engine's results (SPEC §13)."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

import libjourney
from libjourney import partition

CATALOG: Any = {
    "sessionTypes": [
        {"name": "delivery", "kind": "custom", "endsOn": ["item_delivered"],
         "eventTypes": [{"name": "order_placed"}, {"name": "item_delivered"}]},
        {"name": "web", "kind": "web", "eventTypes": [{"name": "page_viewed"}]},
    ]
}
CONFIG: Any = {"clock": "manual", "start": "2026-11-21T12:00:00Z", "allowedLateness": None}
VIEWER: Any = {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
                               "journey:eventType:view"], "divisions": ["*"]}


def adversarial_stream(seed: int, length: int) -> list[Any]:
    """Groups of three customers sharing orders and event ids (with the same and other content),
    visitors with ids of their own, resends, and now and then an order of another group: many
    components, each with every kind of conflict."""
    rng = random.Random(seed)
    events: list[Any] = []
    for _ in range(length):
        if events and rng.random() < 0.1:
            events.append(dict(rng.choice(events)))
            continue
        minute = 10 + rng.randrange(90)
        created = f"2026-11-21T{10 + minute // 60:02d}:{minute % 60:02d}:00Z"
        group = rng.randrange(8)
        member = rng.randrange(3) if rng.random() < 0.2 else 0
        order_group = rng.randrange(8) if rng.random() < 0.01 else group
        event: dict[str, Any] = {
            "eventName": rng.choice(["order_placed", "order_placed", "item_delivered"]),
            "createdDate": created,
            "customer": {"id": f"c{group * 3 + member}@example.com", "idType": "email"},
            "session": {"type": "delivery", "externalId": f"order-{order_group}-{rng.randrange(2)}"},
        }
        pool = group
        if rng.random() < 0.3:
            visitor = rng.randrange(4)
            pool = 100 + visitor
            event = {"eventName": "page_viewed", "createdDate": created,
                     "customer": {"id": f"w{visitor}", "idType": "cookie"}, "session": {"type": "web"}}
        if rng.random() < 0.3:
            event["id"] = f"00000000-0000-4000-8000-{pool * 10 + rng.randrange(3):012d}"
        events.append(event)
    return events


def engine() -> libjourney.Engine:
    return libjourney.Engine(libjourney.Catalog.from_dict(CATALOG), CONFIG)


def customers(events: list[Any]) -> list[Any]:
    seen = {json.dumps(e["customer"], sort_keys=True) for e in events}
    return [json.loads(c) for c in sorted(seen)]


@pytest.mark.parametrize("partitions", [2, 4, 16])
def test_partitioned_engines_equal_one_engine(partitions: int) -> None:
    catalog = libjourney.Catalog.from_dict(CATALOG)
    events = adversarial_stream(7, 400)
    one = engine()
    expected = [one.ingest(e) for e in events]
    codes = {v["code"] for o in expected if o["status"] == "rejected" for v in o["violations"]}
    assert {"CUSTOMER_MISMATCH", "DUPLICATE_ID_CONFLICT", "SESSION_ENDED"} <= codes, "an adversarial stream"

    routing = partition.route(catalog, events, partitions)
    assert routing["quarantined"] == [] and len(routing["partitions"]) == len(events)
    assert len(set(partition.route(catalog, events, 16)["partitions"])) >= 4, "many components"
    engines = [engine() for _ in range(partitions)]
    outcomes: list[Any] = [None] * len(events)
    for position, (event, target) in enumerate(zip(events, routing["partitions"])):
        assert target is not None
        outcomes[position] = engines[target].ingest(event)
    assert outcomes == expected
    assert partition.merge_stats([e.stats() for e in engines]) == one.stats()
    home = {json.dumps(e["customer"], sort_keys=True): p for e, p in zip(events, routing["partitions"]) if p is not None}
    for customer in customers(events):
        part = engines[home[json.dumps(customer, sort_keys=True)]]
        assert part.journey(customer, VIEWER, {"pageSize": 200}) == one.journey(customer, VIEWER, {"pageSize": 200})


def test_routing_by_customer_alone_is_not_exact() -> None:
    events = adversarial_stream(7, 400)
    one = engine()
    expected = [one.ingest(e) for e in events]
    engines = [engine() for _ in range(4)]
    by_customer = [
        engines[partition.partition_for(f"c:{e['customer']['idType']}:{e['customer']['id']}", 4)].ingest(e) for e in events
    ]
    assert by_customer != expected


#: The shared digest key of partitions that move state between them.
SHARED: Any = {**CONFIG, "digestKey": "0123456789abcdef0123456789abcdef"}


def online(events: list[Any], partitions: int, moves: bool) -> tuple[list[Any], list[libjourney.Engine], Any]:
    catalog = libjourney.Catalog.from_dict(CATALOG)
    router = partition.OnlineRouter(catalog, partitions)
    engines = [libjourney.Engine(catalog, SHARED) for _ in range(partitions)]
    outcomes = []
    moved = 0
    for event in events:
        route = router.route(event)
        for move in route["moves"] if moves else []:
            slice = engines[move["source"]].move_out(move["customers"])
            engines[move["target"]].move_in(slice)
            moved += 1
        outcomes.append(engines[route["partition"]].ingest(event))
    return outcomes, engines, (router, moved)


@pytest.mark.parametrize("partitions", [2, 4, 16])
def test_the_online_router_moving_state_equals_one_engine(partitions: int) -> None:
    events = adversarial_stream(7, 400)
    one = engine()
    expected = [one.ingest(e) for e in events]
    outcomes, engines, (router, moved) = online(events, partitions, moves=True)
    assert moved > 0, "the stream links components late"
    assert outcomes == expected
    assert partition.merge_stats([e.stats() for e in engines]) == one.stats()
    for customer in customers(events):
        home = engines[router.partition_of(customer)]
        assert home.journey(customer, VIEWER, {"pageSize": 200}) == one.journey(customer, VIEWER, {"pageSize": 200})


def test_the_online_router_without_moving_state_is_not_exact() -> None:
    events = adversarial_stream(7, 400)
    one = engine()
    expected = [one.ingest(e) for e in events]
    outcomes, _, _ = online(events, 4, moves=False)
    assert outcomes != expected


def test_a_slice_needs_the_same_digest_key_and_bytes_that_are_a_slice() -> None:
    catalog = libjourney.Catalog.from_dict(CATALOG)
    source = libjourney.Engine(catalog, SHARED)
    event = adversarial_stream(7, 1)[0]
    assert source.ingest(event)["status"] == "accepted"
    slice = source.move_out([event["customer"]])
    with pytest.raises(libjourney.InvalidArgumentError, match="digestKey"):
        engine().move_in(slice)
    with pytest.raises(libjourney.InvalidArgumentError, match="slice"):
        source.move_in(b"\x01 not a slice")
    with pytest.raises(TypeError, match="customer"):
        source.move_out([{"who": "me"}])  # type: ignore[typeddict-item, typeddict-unknown-key]
    target = libjourney.Engine(catalog, SHARED)
    target.move_in(slice)
    assert target.journey(event["customer"], VIEWER)["entities"], "the journey moved"
    assert source.journey(event["customer"], VIEWER)["entities"] == []


def test_the_router_reads_batches_as_the_engine_does_and_names_bad_input() -> None:
    catalog = libjourney.Catalog.from_dict(CATALOG)
    events = adversarial_stream(3, 50)
    ndjson = "\n".join(json.dumps(e) for e in events) + "\n\n"
    as_list = partition.route(catalog, events, 4)
    assert partition.route(catalog, ndjson, 4) == as_list
    assert partition.route(catalog, ndjson.encode(), 4) == as_list
    capped = partition.route(catalog, events, 4, cap=1)
    assert capped["quarantined"] and None in capped["partitions"]
    assert capped["quarantined"][0]["events"] >= capped["quarantined"][-1]["events"]
    assert partition.partition_for("c:email:a@x", 1) == 0
    with pytest.raises(libjourney.InvalidArgumentError):
        partition.route(catalog, events, 0)
    with pytest.raises(libjourney.InvalidArgumentError):
        partition.partition_for("c:email:a", 70_000)
    with pytest.raises(TypeError):
        partition.route(catalog, 42, 4)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        partition.merge_stats([{"eventsAccepted": "many"}])  # type: ignore[typeddict-item]


def test_agent_and_action_operations_route_by_their_own_key() -> None:
    assert partition.command_key("startAgentSession", {"agentId": "a1"}) == "a:a1"
    assert partition.command_key("sendCustomEvent", {"agentId": "a1", "eventName": "x"}) == "a:a1"
    action = {"actionId": "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11", "customerId": "0f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11"}
    # A web action event goes to its customer's partition: the key is the customer's.
    assert partition.command_key("recordActionEvent", action) == "c:cookie:0f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11"
    assert partition.command_key("stats") is None
    with pytest.raises(libjourney.InvalidArgumentError, match="explode"):
        partition.command_key("explode", {})


def test_under_an_event_clock_operations_take_the_watermark_first() -> None:
    event_clock: Any = {"clock": "event", "allowedLateness": "30m"}
    send = {"agentId": "a1", "eventName": "x"}
    assert partition.command_needs_watermark(event_clock, "sendCustomEvent", send) is True
    assert partition.command_needs_watermark(event_clock, "stats") is False
    assert partition.command_needs_watermark(event_clock, "ingest", {}) is False
    assert partition.command_needs_watermark({"clock": "manual", "start": "2026-11-21T10:00:00Z"},
                                             "sendCustomEvent", send) is False
    with pytest.raises(libjourney.InvalidArgumentError, match="explode"):
        partition.command_needs_watermark(event_clock, "explode", {})


NOTIFY_MAP: Any = {
    "id": "f1000000-0000-4000-8000-0000000000e1", "displayName": "Tell the agent",
    "triggerWithEventConditions": [{"key": "eventName", "values": ["order_placed"], "streamType": "Custom",
                                    "eventName": "order_placed"}],
    "action": {"mediaType": "customEvent", "agentId": "a1", "eventName": "orderPlaced", "data": "look"},
}


def test_a_maps_custom_event_reaches_an_agent_in_another_partition_through_the_outbox() -> None:
    catalog = libjourney.Catalog.from_json(json.dumps(CATALOG))
    config: libjourney.types.Config = {"clock": "manual", "start": "2026-11-21T12:00:00Z", "allowedLateness": None,
                                       "orchestration": {"customEvents": "outbox"}}
    engines = [libjourney.Engine(catalog, config) for _ in range(2)]
    for engine in engines:
        engine.put_action_map(NOTIFY_MAP)
    home = partition.partition_for(partition.command_key("startAgentSession", {"agentId": "a1"}) or "", 2)
    agent = engines[home].start_agent_session("a1")["sessionId"]
    customer = next(f"c{n}" for n in range(100) if partition.partition_for(f"c:email:c{n}", 2) != home)
    event: libjourney.types.JourneyEvent = {
        "eventName": "order_placed", "createdDate": "2026-11-21T11:59:00Z",
        "customer": {"id": customer, "idType": "email"}, "session": {"type": "delivery", "externalId": "o1"}}
    assert engines[1 - home].ingest(event)["status"] == "accepted"
    first = engines[home].next_events(agent)
    assert first["status"] == "events"
    assert [e["eventName"] for e in first["events"]] == ["AgentSessionStart"], "nothing was sent yet"
    parts = [engine.outbox() for engine in engines]
    assert parts[home] == [] and len(parts[1 - home]) == 1
    entry = parts[1 - home][0]
    assert entry["sequence"] == 1 and entry["customer"] == {"id": customer, "idType": "email"}
    assert entry["request"] == {"agentId": "a1", "eventName": "orderPlaced", "data": "look", "persistInMemory": False}
    for forwarded in partition.merge_outbox(parts):
        target = partition.partition_for(partition.command_key("sendCustomEvent", forwarded["request"]) or "", 2)
        assert engines[target].call("sendCustomEvent", forwarded["request"]) == {"delivery": "queued", "overwritten": False}
    assert engines[1 - home].acknowledge_outbox(entry["sequence"]) == 1
    assert engines[1 - home].outbox() == []
    polled = engines[home].next_events(agent)
    assert polled["status"] == "events"
    assert [(e["eventName"], e["data"]) for e in polled["events"]] == [("orderPlaced", "look")]
    with pytest.raises(libjourney.InvalidArgumentError, match="max"):
        engines[0].outbox(max=0)
    with pytest.raises(TypeError):
        partition.merge_outbox([[{"sequence": "one"}]])  # type: ignore[typeddict-item]
