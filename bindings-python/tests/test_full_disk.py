"""A durable engine on a full disk (docs/durability.md, "When the disk fails"), on a 1 MiB tmpfs
mounted for the test: it needs root, and is skipped with a message without it.

An ingest that fails for lack of room raises ``StoreIOError`` and is never visible: not in
``journey``, not in ``stats``, not after reopening; every acknowledged one is there after reopening.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Iterator

import pytest

import libjourney
from libjourney.types import Viewer

CATALOG: libjourney.types.CatalogDefinition = {"sessionTypes": [{
    "name": "delivery", "kind": "custom", "attributes": [{"name": "note", "type": "string"}],
    "eventTypes": [{"name": "in_transit", "attributes": [{"name": "note", "type": "string"}]}]}]}
CONFIG: libjourney.types.Config = {"clock": "manual", "start": "2026-11-21T10:00:00Z",
                                   "store": {"sync": "always", "snapshotEvery": 1 << 30}}
VIEWER: Viewer = {"permissions": ["journey:session:view", "journey:sessionType:view"], "divisions": ["*"]}


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(tmp_path)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield tmp_path
    finally:
        subprocess.run(["umount", "--lazy", str(tmp_path)], check=False)


def open_store(path: Path) -> libjourney.Engine:
    return libjourney.Engine.open(path, libjourney.Catalog.from_dict(CATALOG), CONFIG)


def orders(engine: libjourney.Engine) -> list[str]:
    found: list[str] = []
    after = None
    while True:
        page = engine.journey({"id": "dana", "idType": "email"}, VIEWER, {"pageSize": 200, "after": after})
        found += [card["externalId"] or "" for card in page["entities"]]
        after = page["nextCursor"]
        if after is None:
            return sorted(found)


def test_a_failed_ingest_is_never_visible_and_an_acknowledged_one_always_is(small_disk: Path) -> None:
    store = small_disk / "store"
    engine = open_store(store)
    acknowledged: list[str] = []
    while True:
        order = f"order-{len(acknowledged)}"
        event: libjourney.types.JourneyEvent = {"eventName": "in_transit", "createdDate": "2026-11-21T09:59:00Z",
                 "customer": {"id": "dana", "idType": "email"},
                 "session": {"type": "delivery", "externalId": order}, "attributes": {"note": "x" * 1000}}
        try:
            assert engine.ingest(event)["status"] == "accepted"
        except libjourney.StoreIOError as error:
            assert error.code == "IO_ERROR"
            assert "No space left on device" in str(error) and "journal-" in str(error)
            failed = order
            break
        acknowledged.append(order)
        assert len(acknowledged) < 5000, "a 1 MiB disk never filled"
    acknowledged.sort()
    assert len(acknowledged) > 10
    visible = orders(engine)
    assert failed not in visible
    assert visible == acknowledged
    assert engine.stats()["eventsAccepted"] == len(acknowledged)
    recovery = engine.recovery()
    assert recovery is not None and "No space left on device" in (recovery["journalError"] or "")
    with pytest.raises(libjourney.StoreIOError, match="reopen"):
        engine.start_agent_session("agent-1")
    del engine
    reopened = open_store(store)
    assert orders(reopened) == acknowledged
    assert reopened.stats()["eventsAccepted"] == len(acknowledged)
    # The disk is still full: a snapshot at close would fail, and closing is not needed to keep
    # anything (the journal has it all).
    del reopened
