"""The Python-specific behaviour of the `libjourney` package: exceptions, types, threads, asyncio,
callbacks and streaming."""

from __future__ import annotations

import asyncio
import gc
import gzip
import json
import threading
import time
from pathlib import Path
from typing import Any, Iterator, cast

import pytest

import libjourney
from libjourney.types import (
    ActionEvent,
    ActionEventDelivered,
    ActionMap,
    ActionState,
    CatalogDefinition,
    Config,
    Customer,
    IngestProgress,
    JourneyEvent,
    JourneySegment,
    NextEventsResult,
    TriggerDelivered,
    Viewer,
)
from vectors import REPO

CATALOG: CatalogDefinition = json.loads((REPO / "examples" / "data" / "catalog.json").read_text())
CONFIG: Config = {"clock": "manual", "start": "2026-11-21T10:00:00Z"}
VIEWER: Viewer = {"permissions": ["journey:session:view", "journey:sessionType:view"], "divisions": ["*"]}


def make_engine(**config: Any) -> libjourney.Engine:
    # `config` holds keys of `Config`, with any values: some tests pass wrong ones on purpose.
    return libjourney.Engine(libjourney.Catalog.from_dict(CATALOG), cast(Config, {**CONFIG, **config}))


def delivery(customer: str, order: str, minute: int = 0, location: str = "Depot 7") -> JourneyEvent:
    return {
        "eventName": "in_transit",
        "createdDate": f"2026-11-21T09:{minute:02d}:00Z",
        "customer": {"id": customer, "idType": "email"},
        "session": {"type": "delivery", "externalId": order},
        "attributes": {"location": location},
    }


def action(state: ActionState, n: int = 1) -> ActionEvent:
    return {
        "actionId": f"3f0c2a9e-1b44-4d8e-9a6b-{n:012d}",
        "actionState": state,
        "actionMediaType": "webchat",
        "actionMapId": "11111111-2222-4333-8444-555555555555",
        "actionMapVersion": 1,
        "customerId": "0f8fad5b-d9cb-469f-a165-70867728950e",
        "customerIdType": "cookie",
        "sessionId": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    }


# --- exceptions ---------------------------------------------------------------------------------


def test_exception_hierarchy_and_codes() -> None:
    for cls in [libjourney.CatalogError, libjourney.ConfigError, libjourney.ValidationError, libjourney.PermissionDeniedError,
                libjourney.NotFoundError, libjourney.InvalidArgumentError, libjourney.InvalidSessionError,
                libjourney.QueueFullError, libjourney.InvalidTransitionError, libjourney.UnknownActionError]:
        assert issubclass(cls, libjourney.JourneyError) and issubclass(cls, Exception)
    engine = make_engine()
    with pytest.raises(libjourney.PermissionDeniedError) as denied:
        engine.journey({"id": "c", "idType": "email"}, {"permissions": []})
    assert denied.value.code == "PERMISSION_DENIED" and denied.value.violations == []
    with pytest.raises(libjourney.InvalidSessionError) as unknown:
        engine.next_events("00000000-0000-4000-8000-000000000000")
    assert unknown.value.code == "INVALID_SESSION"
    with pytest.raises(libjourney.InvalidTransitionError, match="'completed' to 'offered'"):
        engine.record_action_event(action("offered"))
        engine.record_action_event(action("accepted"))
        engine.record_action_event(action("started"))
        engine.record_action_event(action("completed"))
        engine.record_action_event(action("offered"))
    with pytest.raises(libjourney.UnknownActionError):
        engine.record_action_event(action("started", n=2))
    with pytest.raises(libjourney.NotFoundError):
        engine.session_events("00000000-0000-4000-8000-000000000000", {"permissions": ["journey:event:view"]})


def test_errors_carry_violations_and_keys() -> None:
    with pytest.raises(libjourney.CatalogError) as bad_catalog:
        libjourney.Catalog.from_json('{"sessionTypes": [{"name": "9x", "kind": "custom"}]}')
    assert bad_catalog.value.code == "INVALID_CATALOG"
    assert bad_catalog.value.violations[0]["path"] == "/sessionTypes/0/name"
    with pytest.raises(libjourney.ConfigError) as bad_config:
        make_engine(clok="wall")
    assert bad_config.value.code == "INVALID_CONFIG" and bad_config.value.key == "clok"
    engine = make_engine()
    with pytest.raises(libjourney.ValidationError) as rejected:
        engine.ingest({"eventName": "in_transit"}, strict=True)  # type: ignore[arg-type]
    assert rejected.value.code == "MISSING_DATE"
    assert [v["code"] for v in rejected.value.violations] == ["MISSING_DATE", "MISSING_CUSTOMER", "MISSING_FIELD"]
    # Without strict, and in a batch, a rejection is an outcome.
    assert engine.ingest({"eventName": "in_transit"})["status"] == "rejected"  # type: ignore[arg-type]
    assert engine.ingest_batch([{}, {}])["rejected"] == 2  # type: ignore[typeddict-item]
    with pytest.raises(libjourney.QueueFullError):
        engine.start_agent_session("a1")
        small = make_engine(maxPendingPerAgent=1)
        small.start_agent_session("a1")
        small.send_custom_event("a1", "x")
        small.send_custom_event("a1", "y")


def test_bad_types_raise_type_error() -> None:
    engine = make_engine()
    with pytest.raises(TypeError, match="ingest\\(\\) takes a dict, str or bytes, not int"):
        engine.ingest(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not int"):
        engine.ingest_batch(42)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="callable"):
        engine.on("all:all", 42)  # type: ignore[call-overload]
    with pytest.raises(TypeError, match="cannot convert object to JSON"):
        engine.ingest({"eventName": object()})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="keys must be str"):
        libjourney.Catalog.from_dict({1: "x"})  # type: ignore[misc]
    cyclic: list[Any] = []
    cyclic.append(cyclic)
    with pytest.raises(ValueError, match="nested"):
        engine.ingest({"attributes": cyclic})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="NaN"):
        engine.ingest({"attributes": {"x": float("nan")}})  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        libjourney.Engine("not a catalog")  # type: ignore[arg-type]


# --- threads and asyncio --------------------------------------------------------------------------


def test_another_thread_runs_while_one_waits_in_next_events() -> None:
    engine = make_engine()
    session = engine.start_agent_session("agent-1")["sessionId"]
    engine.next_events(session)  # AgentSessionStart
    result: dict[str, Any] = {}
    waiter = threading.Thread(target=lambda: result.update(engine.next_events(session, 30_000)))
    waiter.start()
    ticks = 0
    deadline = time.monotonic() + 0.3
    while time.monotonic() < deadline:  # this thread needs the GIL to count
        ticks += 1
    assert waiter.is_alive(), "the waiter should still be blocked"
    assert ticks > 1000
    engine.send_custom_event("agent-1", "wake", "up")
    waiter.join(timeout=10)
    assert not waiter.is_alive()
    assert result["events"][0]["data"] == "up"


def test_asyncio_gather_over_long_polls() -> None:
    engine = make_engine()
    sessions = [engine.start_agent_session(f"agent-{n}")["sessionId"] for n in range(8)]
    for session in sessions:
        engine.next_events(session)

    async def main() -> list[NextEventsResult]:
        loop = asyncio.get_running_loop()
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.005)

        tick_task = loop.create_task(ticker())
        for n in range(8):
            loop.call_later(0.1, engine.send_custom_event, f"agent-{n}", "hello", str(n))
        results = await asyncio.gather(*(engine.next_events_async(s, 30_000) for s in sessions))
        tick_task.cancel()
        assert ticks >= 5, "the event loop kept running while the polls waited"
        return results

    results = asyncio.run(main())
    assert [r["events"][0]["data"] if r["status"] == "events" else None for r in results] == [str(n) for n in range(8)]


def test_four_threads_ingest_with_correct_totals() -> None:
    engine = make_engine(allowedLateness=None)
    statuses: list[str] = []  # list.append is atomic under the GIL; asserting in a thread would not fail the test

    def ingest(thread: int) -> None:
        for n in range(500):
            event = delivery(f"c{thread}-{n % 50}", f"o{thread}-{n % 50}", minute=n % 60, location=f"stop {n}")
            statuses.append(engine.ingest(event)["status"])

    threads = [threading.Thread(target=ingest, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses.count("accepted") == 2000
    stats = engine.stats()
    assert stats["eventsAccepted"] == 2000 and stats["sessionsCreated"] == 200
    cards = engine.journey({"id": "c3-7", "idType": "email"}, VIEWER)["entities"]
    assert len(cards) == 1 and cards[0]["eventCount"] == 10


# --- callbacks ------------------------------------------------------------------------------------


def test_callbacks_that_raise_are_counted_and_break_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    reported: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: reported.append(repr(info.exc_value)))
    engine = make_engine()
    seen: list[str] = []

    def broken(event: ActionEventDelivered) -> None:
        raise RuntimeError("subscriber bug")

    engine.on("all:all", broken)
    engine.on("webchat:all", lambda event: seen.append(event["actionState"]))
    engine.record_action_event(action("offered"))
    engine.record_action_event(action("accepted"))
    assert seen == ["offered", "accepted"]
    assert engine.stats()["callbackFailures"] == 2
    assert len(reported) == 2 and "subscriber bug" in reported[0]


def test_callbacks_may_reenter_the_engine() -> None:
    engine = make_engine()
    seen: list[str] = []

    def follow_up(event: ActionEventDelivered) -> None:
        if event["actionState"] == "offered":
            engine.record_action_event(action("accepted"))
            sub = engine.once("webchat:started", lambda e: seen.append("inner:" + e["actionState"]))
            assert sub > 0
        seen.append(event["actionState"])

    engine.on("webchat:all", follow_up)
    engine.record_action_event(action("offered"))
    engine.record_action_event(action("started"))
    assert seen == ["accepted", "offered", "started", "inner:started"]
    assert engine.stats()["callbackFailures"] == 0


# --- streaming ------------------------------------------------------------------------------------


def resident_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def test_ingest_file_streams_a_100_mb_file_with_flat_memory(tmp_path: Path) -> None:
    engine = make_engine(allowedLateness=None)
    # 1,000 distinct events, then repeats of them: the engine stores 1,000 events however large the
    # file is, so memory growth beyond that can only come from reading the file.
    lines = [json.dumps(delivery(f"c{n}", f"o{n}", minute=n % 60, location="x" * 200)) for n in range(1000)]
    block = ("\n".join(lines) + "\n").encode()
    path = tmp_path / "events.ndjson"
    with path.open("wb") as out:
        written = 0
        while written < 100 * 1024 * 1024:
            out.write(block)
            written += len(block)
        out.write(b"not json\n")
    gc.collect()
    before = resident_bytes()
    summary = engine.ingest_file(path)
    growth = resident_bytes() - before
    assert summary["accepted"] == 1000
    assert summary["duplicates"] == summary["lines"] - 1001
    assert summary["rejected"] == 1 and summary["rejections"][0]["line"] == summary["lines"]
    assert growth < 40 * 1024 * 1024, f"memory grew by {growth / 2**20:.0f} MiB for a {written / 2**20:.0f} MiB file"
    with pytest.raises(FileNotFoundError):
        engine.ingest_file(tmp_path / "missing.ndjson")


def test_ingest_file_reads_gzip_reports_progress_and_stops_when_the_callback_raises(tmp_path: Path) -> None:
    lines = [json.dumps(delivery(f"c{n}", f"o{n}", minute=n % 60)) for n in range(50_000)] + ["not json"]
    path = tmp_path / "events.ndjson.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    reports: list[IngestProgress] = []
    summary = make_engine(allowedLateness=None).ingest_file(path, kept_rejections=0, progress=reports.append)
    assert (summary["lines"], summary["accepted"], summary["rejected"]) == (50_001, 50_000, 1)
    assert summary["rejections"] == [] and summary["rejectionsTruncated"] is True
    last = reports[-1]
    assert (last["lines"], last["accepted"], last["rejected"]) == (50_001, 50_000, 1)
    assert last["bytesRead"] == last["totalBytes"] == path.stat().st_size

    class Stop(Exception):
        pass

    def stop_on_second_report(progress: IngestProgress) -> None:
        if progress["lines"] > 0:
            raise Stop()

    engine = make_engine(allowedLateness=None)
    with pytest.raises(Stop):
        engine.ingest_file(path, progress=stop_on_second_report)
    kept = engine.stats()["eventsAccepted"]
    assert 0 < kept < 50_000, "the lines before the stop stay ingested"


def test_stubs_list_every_native_method() -> None:
    stubs = (Path(libjourney.__file__).parent / "_native.pyi").read_text()
    for cls in (libjourney._native.Engine, libjourney._native.Catalog):
        for name in dir(cls):
            if not name.startswith("_"):
                assert f"def {name}(" in stubs, f"{cls.__name__}.{name} is missing from _native.pyi"
    for name in ("route", "partition_for", "merge_stats"):
        assert f"def {name}(" in stubs, f"{name} is missing from _native.pyi"


def test_fast_outcome_dicts_match_the_json_form() -> None:
    """Outcome dicts are built directly for speed; they must equal the spec's JSON form."""
    engine = make_engine(unknownAttributes="drop")
    first = delivery("c1", "o1")
    first["id"] = "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11"
    with_warning: JourneyEvent = {**delivery("c1", "o1", minute=5), "attributes": {"location": "x", "extra": 1}}
    empty: Any = {}
    outcomes = [engine.ingest(first), engine.ingest(first), engine.ingest(with_warning), engine.ingest(empty)]
    batch = engine.ingest_batch(json.dumps(first).encode() + b"\n{}\n")
    accepted, with_warning_outcome = outcomes[0], outcomes[2]
    assert accepted["status"] == "accepted" and with_warning_outcome["status"] == "accepted"
    expected: list[dict[str, Any]] = [
        {"status": "accepted", "eventId": first["id"], "sessionId": accepted["sessionId"], "sessionCreated": True,
         "eventCount": 1, "eventIndex": 0, "warnings": []},
        {"status": "duplicate", "eventId": first["id"], "sessionId": accepted["sessionId"]},
    ]
    assert outcomes[:2] == expected
    assert list(outcomes[0]) == list(expected[0]), "key order follows the JSON form"
    assert with_warning_outcome["warnings"][0]["code"] == "UNKNOWN_ATTRIBUTE"
    assert outcomes[3]["status"] == "rejected" and outcomes[3]["violations"]
    assert batch["outcomes"][0] == expected[1] and batch["outcomes"][1]["status"] == "rejected"
    assert (batch["accepted"], batch["duplicates"], batch["rejected"]) == (0, 1, 1)


SEGMENT_ID = "4d2b8e2f-1c5a-4b8e-9d7e-3f1a2b3c4d5e"


def at_depot(depot: str) -> JourneySegment:
    return {
        "id": SEGMENT_ID,
        "displayName": "At the depot",
        "journey": {"patterns": [{"count": 1, "streamType": "Custom", "eventName": "in_transit",
                                  "criteria": [{"key": "attributes.location.value", "values": [depot]}]}]},
    }


def test_definitions_are_typed_methods_with_the_cores_errors() -> None:
    engine = make_engine()
    stored = engine.put_segment(at_depot("Depot 7"))
    assert (stored["id"], stored["version"], stored["createdDate"]) == (SEGMENT_ID, 1, "2026-11-21T10:00:00.000Z")
    assert stored["journey"]["patterns"][0]["criteria"][0]["key"] == "attributes.location"
    engine.advance("1m")
    replaced = engine.put_segment({**at_depot("Depot 8"), "version": 1})
    assert (replaced["version"], replaced["modifiedDate"]) == (2, "2026-11-21T10:01:00.000Z")
    with pytest.raises(libjourney.InvalidArgumentError, match="/version: 1, but the stored segment"):
        engine.put_segment({**at_depot("Depot 9"), "version": 1})
    chat: ActionMap = {"displayName": "Chat", "triggerWithSegments": [SEGMENT_ID], "action": {"mediaType": "webchat"}}
    map_id = engine.put_action_map(chat)["id"]
    assert map_id is not None, "a put without an id gets one"
    with pytest.raises(libjourney.InvalidArgumentError, match="triggers action map"):
        engine.delete_segment(SEGMENT_ID)
    with pytest.raises(libjourney.InvalidArgumentError, match="/journey/patterns/0/eventName"):
        engine.put_outcome({"displayName": "x", "journey": {"patterns": [{"count": 1, "streamType": "Custom",
                                                                           "eventName": "teleported"}]}})
    assert [s["version"] for s in engine.list_segments()] == [2]
    assert engine.list_outcomes() == []
    assert engine.call("listActionMaps") == {"entities": engine.list_action_maps()}
    engine.delete_action_map(map_id)
    engine.delete_segment(SEGMENT_ID)
    with pytest.raises(libjourney.NotFoundError) as missing:
        engine.delete_outcome(SEGMENT_ID)
    assert missing.value.code == "NOT_FOUND"
    assert engine.list_segments() == [] and engine.list_action_maps() == []


def test_a_callback_map_tells_trigger_subscribers_and_a_throwing_one_is_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    reported: list[str] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda info: reported.append(repr(info.exc_value)))
    engine = make_engine()
    engine.put_segment(at_depot("Depot 7"))
    tell: ActionMap = {"id": "f1000000-0000-4000-8000-000000000005", "displayName": "Tell the host",
                       "triggerWithSegments": [SEGMENT_ID], "action": {"mediaType": "callback"}}
    engine.put_action_map(tell)
    fired: list[TriggerDelivered] = []
    engine.on("trigger:all", fired.append)

    def broken(trigger: TriggerDelivered) -> None:
        raise RuntimeError("subscriber bug")

    engine.on("trigger:f1000000-0000-4000-8000-000000000005", broken)
    outcome = engine.ingest(delivery("dana@example.com", "order-1", location="Depot 7"))
    assert outcome["status"] == "accepted"
    session_id = outcome["sessionId"]
    assert fired == [{"actionMapId": tell["id"], "version": 1, "sessionId": session_id,
                      "customer": {"id": "dana@example.com", "idType": "email"}, "eventId": outcome["eventId"],
                      "firedDate": "2026-11-21T10:00:00.000Z"}]
    stats = engine.stats()
    assert (stats["segmentsAssigned"], stats["actionMapsFired"], stats["callbackFailures"]) == (1, 1, 1)
    assert len(reported) == 1 and "subscriber bug" in reported[0]
    held = engine.segments({"id": "dana@example.com", "idType": "email"})
    assert [(s["segmentId"], s["scope"], s.get("sessionId")) for s in held] == [(SEGMENT_ID, "Session", session_id)]
    explanation = engine.explain_action_map(tell["id"] or "", session_id)
    assert explanation["stoppedBy"] is None and explanation["qualification"] is not None
    assert engine.estimate_action_map({**tell, "id": None})["qualifiedSessionCount"] == 1
    with pytest.raises(libjourney.InvalidArgumentError, match="/from"):
        engine.estimate_action_map(tell, from_="yesterday")


def test_definitions_survive_a_restart(tmp_path: Path) -> None:
    with open_store(tmp_path / "store") as engine:
        engine.put_segment(at_depot("Depot 7"))
        before = engine.list_segments()
    with open_store(tmp_path / "store") as reopened:
        assert reopened.list_segments() == before


def open_store(path: Path) -> libjourney.Engine:
    return libjourney.Engine.open(path, libjourney.Catalog.from_dict(CATALOG), CONFIG)


def test_a_durable_engine_keeps_journeys_across_a_restart(tmp_path: Path) -> None:
    store = tmp_path / "store"
    with open_store(store) as engine:
        assert engine.recovery() == {
            "created": True,
            "snapshotSeq": 0,
            "recordsReplayed": 0,
            "tornBytesDropped": 0,
            "catalogUpgraded": False,
            "recordsAfterCheckpointDropped": 0,
            "snapshotsFailed": 0,
            "lastSnapshotError": None,
            "journalError": None,
            "erasuresCompleted": 0,
        }
        assert engine.ingest(delivery("dana", "order-1"))["status"] == "accepted"
        with pytest.raises(libjourney.StoreLockedError) as locked:
            open_store(store)
        assert locked.value.code == "STORE_LOCKED"
    with pytest.raises(libjourney.StoreIOError):  # closed by the with block: reads only
        engine.ingest(delivery("dana", "order-2"))
    reopened = open_store(store)
    assert reopened.recovery()["created"] is False  # type: ignore[index]
    page = reopened.journey({"id": "dana", "idType": "email"}, VIEWER)
    assert [card["externalId"] for card in page["entities"]] == ["order-1"]
    assert reopened.ingest(delivery("dana", "order-1"))["status"] == "duplicate"
    reopened.close()
    reopened.close()


def test_a_damaged_store_raises_corrupt_store_error_naming_where(tmp_path: Path) -> None:
    store = tmp_path / "store"
    engine = open_store(store)
    for minute in range(3):
        engine.ingest(delivery("dana", f"order-{minute}", minute))
    del engine
    gc.collect()  # dropped without close: the journal holds the three events
    journal = next(store.glob("journal-*.log"))
    data = bytearray(journal.read_bytes())
    data[40] ^= 0xFF
    journal.write_bytes(bytes(data))
    with pytest.raises(libjourney.CorruptStoreError) as corrupt:
        open_store(store)
    assert corrupt.value.code == "CORRUPT_STORE"
    assert corrupt.value.file.endswith(journal.name)
    assert corrupt.value.offset == 0


def threads() -> int:
    """This process's thread count."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


def test_ten_thousand_pending_polls_wait_on_a_few_threads() -> None:
    engine = make_engine()
    agents = [f"agent-{n}" for n in range(10_000)]
    sessions = [engine.start_agent_session(agent)["sessionId"] for agent in agents]
    for session in sessions:
        engine.next_events(session)  # AgentSessionStart

    async def main() -> tuple[list[NextEventsResult], int]:
        polls = [asyncio.ensure_future(engine.next_events_async(s, 60_000)) for s in sessions]
        await asyncio.sleep(0.2)
        most = threads()
        assert not any(poll.done() for poll in polls)
        for agent in agents:
            engine.send_custom_event(agent, "go", agent)
        results = await asyncio.gather(*polls)
        return results, max(most, threads())

    results, most = asyncio.run(main())
    assert [r["events"][0]["data"] if r["status"] == "events" else None for r in results] == agents
    assert most < 32, f"{most} threads"


def test_cancelled_polls_lose_nothing_over_ten_thousand_events() -> None:
    """Polls cancelled at random points (timeouts, task cancels): every event arrives exactly once
    at a live caller, and SPEC §5.1's counts reconcile exactly."""
    engine = make_engine(maxPendingPerAgent=100_000)
    session = engine.start_agent_session("agent-1")["sessionId"]
    rng = __import__("random").Random(7)
    received: list[str] = []

    async def consumer(total: int) -> None:
        while len(received) < total:
            poll = asyncio.ensure_future(engine.next_events_async(session, 1_000, max=rng.randint(1, 50)))
            choice = rng.random()
            if choice < 0.3:
                poll.cancel()  # cancelled before or while it waits
            elif choice < 0.6:
                await asyncio.sleep(0)
                poll.cancel()
            try:
                timeout = rng.choice([0.0005, 0.002, 1.0])
                result = await asyncio.wait_for(poll, timeout)
            except (asyncio.CancelledError, asyncio.TimeoutError):
                continue
            if result["status"] == "events":
                received.extend(e["eventName"] for e in result["events"] if e["type"] == "CustomEvent")

    async def producer(total: int) -> None:
        for n in range(total):
            engine.send_custom_event("agent-1", f"event-{n}", str(n))
            if n % 97 == 0:
                await asyncio.sleep(0)

    async def main() -> None:
        await asyncio.gather(consumer(10_000), producer(10_000))
        assert (await engine.next_events_async(session))["status"] == "timeout"  # acknowledges the last answer

    asyncio.run(main())
    assert sorted(received) == sorted(f"event-{n}" for n in range(10_000)), "each event exactly once"
    stats = engine.stats()
    # queued + persisted = acknowledged + overwritten + dropped + still pending (none)
    assert stats["customEventsQueued"] == len(received) + stats["customEventsOverwritten"] + stats["customEventsDropped"]
    assert stats["customEventsRedelivered"] == 0


@pytest.fixture
def ctrl_c_raises() -> Iterator[None]:
    """Ctrl-C raises KeyboardInterrupt, as in a terminal, however the test run was started: a
    process started in the background by a shell without job control inherits SIGINT ignored,
    and Python then leaves it ignored."""
    import signal

    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def interrupt_in(seconds: float) -> threading.Timer:
    """Sends this process SIGINT (Ctrl-C) after `seconds`."""
    import os
    import signal

    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_interrupts_a_long_poll_promptly_and_loses_nothing() -> None:
    engine = make_engine()
    session = engine.start_agent_session("agent-1")["sessionId"]
    engine.next_events(session)
    started = time.monotonic()
    interrupt_in(0.2)
    with pytest.raises(KeyboardInterrupt):
        engine.next_events(session, 20_000)
    assert time.monotonic() - started < 10, "raised long before the poll's 20 s timeout"
    engine.send_custom_event("agent-1", "kept", "1")
    result = engine.next_events(session)
    assert result["status"] == "events" and [e["eventName"] for e in result["events"]] == ["kept"]


@pytest.mark.usefixtures("ctrl_c_raises")
def test_ctrl_c_interrupts_a_large_file_ingest_and_keeps_what_it_ingested(tmp_path: Path) -> None:
    engine = make_engine(allowedLateness=None)
    path = tmp_path / "big.ndjson"
    with path.open("w") as out:
        for n in range(200_000):
            out.write(json.dumps(delivery(f"c{n % 5000}", f"order-{n % 10000}", n % 60, f"stop {n}")) + "\n")
    import os
    import signal

    def ctrl_c_once_some_are_in(progress: IngestProgress) -> None:
        # Ctrl-C once events are in, however slow the machine: a timer could fire before the
        # first line was read, or after the last.
        if 0 < progress["accepted"] < 200_000:
            os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):
        engine.ingest_file(path, progress=ctrl_c_once_some_are_in)
    # Stopped part way: what it ingested stays, and the engine goes on.
    accepted = engine.stats()["eventsAccepted"]
    assert 0 < accepted < 200_000, accepted
    assert engine.ingest(delivery("someone", "order-new"))["status"] == "accepted"


def test_the_package_and_its_exceptions_are_named_libjourney() -> None:
    # `journey` on PyPI is another project: every name a user sees says libjourney.
    assert libjourney.__name__ == "libjourney"
    assert libjourney.JourneyError.__module__ == "libjourney"
    assert libjourney.NotFoundError.__module__ == "libjourney"
    assert libjourney.Engine.__module__ == "libjourney"


def test_ingest_batch_can_return_only_the_rejections_or_the_totals() -> None:
    lines = [json.dumps(delivery("c1", "o1")), "", "not json", json.dumps(delivery("c2", "o2"))]
    data = "\n".join(lines).encode()
    summary = make_engine().ingest_batch(data, outcomes="rejected")
    assert (summary["lines"], summary["accepted"], summary["rejected"]) == (3, 2, 1)
    assert [r["line"] for r in summary["rejections"]] == [3]
    assert summary["rejections"][0]["outcome"]["status"] == "rejected"
    totals = make_engine().ingest_batch([delivery("c1", "o1"), delivery("c1", "o1")], outcomes="none")
    assert (totals["accepted"], totals["duplicates"], totals["rejections"]) == (1, 1, [])
    with pytest.raises(libjourney.InvalidArgumentError, match="outcomes must be"):
        make_engine().ingest_batch(data, outcomes="some")  # type: ignore[call-overload]


def test_ingest_batch_leaves_the_garbage_collector_as_it_found_it() -> None:
    import gc

    events = [delivery(f"c{n}", f"o{n}") for n in range(100)]
    assert gc.isenabled()
    assert make_engine().ingest_batch(events)["accepted"] == 100
    assert gc.isenabled(), "the collector is paused only while outcomes are built"
    gc.disable()
    try:
        make_engine().ingest_batch(events)
        assert not gc.isenabled(), "a caller's disabled collector stays disabled"
    finally:
        gc.enable()


# --- identity -----------------------------------------------------------------------------------


def test_link_profile_and_unlink_are_typed_methods() -> None:
    engine = make_engine()
    cookie: Customer = {"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "idType": "cookie"}
    email: Customer = {"id": "dana@example.com", "idType": "email"}
    linked = engine.link(cookie, email)
    assert linked == {"linked": True, "profileId": cookie, "identityWarnings": []}
    assert engine.profile(email) == {"profileId": cookie, "members": [cookie, email]}
    refused = engine.link(email, {"id": "anonymous", "idType": "phone"})
    assert not refused["linked"] and refused["identityWarnings"][0]["code"] == "IDENTITY_BLOCKED"
    assert engine.unlink_event("6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11") == 0
    engine.unlink(email, cookie)
    assert engine.profile(email) == {"profileId": email, "members": [email]}
    with pytest.raises(libjourney.NotFoundError):
        engine.unlink(email, cookie)
    # A link in a division: a viewer of another division does not follow it, the host does.
    phone: Customer = {"id": "+15550100", "idType": "phone"}
    engine.link(email, phone, division="west")
    east: Viewer = {"permissions": ["journey:session:view"], "divisions": ["east"]}
    assert engine.profile(email, east) == {"profileId": email, "members": [email]}
    assert len(engine.profile(email)["members"]) == 2


def test_erase_is_a_typed_method_and_leaves_no_byte_of_the_person_in_the_store(tmp_path: Path) -> None:
    engine = libjourney.Engine.open(tmp_path, libjourney.Catalog.from_dict(CATALOG), CONFIG)
    email: Customer = {"id": "ada.lovelace@example.com", "idType": "email"}
    phone: Customer = {"id": "+44 7700 900123", "idType": "phone"}
    engine.ingest(delivery("ada.lovelace@example.com", "o-ada", location="Ada's secret depot"))
    engine.ingest(delivery("bob@example.com", "o-bob"))
    engine.link(email, phone)
    sent = engine.send_custom_event("agent-1", "note", "about ada", persist_in_memory=True, customer=phone)
    assert sent["delivery"] == "persisted"
    with pytest.raises(libjourney.InvalidArgumentError):
        engine.send_custom_event("agent-1", "note", customer=cast(Customer, {"id": "x"}))
    assert engine.erase(phone) == {"customersErased": 2, "eventsErased": 1}
    assert engine.erase(phone, erase_forget=True) == {"customersErased": 0, "eventsErased": 0}
    with pytest.raises(libjourney.InvalidArgumentError):
        engine.erase({"id": "", "idType": "email"})
    assert engine.journey(email, VIEWER)["entities"] == []
    assert len(engine.journey({"id": "bob@example.com", "idType": "email"}, VIEWER)["entities"]) == 1
    assert engine.stats()["customersErased"] == 2
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        for personal in [b"ada.lovelace@example.com", b"+44 7700 900123", b"Ada's secret depot", b"about ada"]:
            assert personal not in data, f"{path.name} holds {personal!r}"
    engine.close()
