"""Engine.paths (docs/paths.md): the tree of steps, with filters, groupBy and the journey view's
permissions, as typed dicts."""

from __future__ import annotations

from typing import Any

import pandas
import pytest

import libjourney
from libjourney.types import PathNode, PathsQuery, Viewer

CATALOG: Any = {"sessionTypes": [{
    "name": "delivery", "kind": "custom",
    "attributes": [{"name": "device", "type": "enum", "values": ["mobile", "desktop"]}],
    "eventTypes": [{"name": "order_placed", "attributes": [{"name": "price", "type": "decimal"},
                                                          {"name": "device", "type": "enum", "values": ["mobile", "desktop"]}]},
                   {"name": "item_shipped"}, {"name": "item_delivered"}]}]}
VIEWER: Viewer = {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
                                  "journey:eventType:view"], "divisions": ["*"]}


def shop() -> libjourney.Engine:
    engine = libjourney.Engine(libjourney.Catalog.from_dict(CATALOG), {"clock": "manual", "allowedLateness": None,
                                                                        "start": "2026-11-22T00:00:00Z"})
    steps = [("ann", "o1", ["order_placed", "item_shipped", "item_delivered"], 100.0, "mobile"),
             ("bob", "o2", ["order_placed", "item_shipped"], 50.0, "desktop"),
             ("cy", "o3", ["order_placed"], 2000.0, "mobile")]
    for customer, order, names, price, device in steps:
        for minute, name in enumerate(names):
            attributes = {"price": price, "device": device} if name == "order_placed" else {}
            engine.ingest({"eventName": name, "createdDate": f"2026-11-21T10:{minute * 10:02d}:00Z",
                           "customer": {"id": customer, "idType": "email"},
                           "session": {"type": "delivery", "externalId": order}, "attributes": attributes},
                          strict=True)
    return engine


def outline(nodes: list[PathNode], prefix: str = "") -> list[str]:
    lines = []
    for node in nodes:
        lines.append(f"{prefix}{node['step']}:{node['sessions']}")
        lines.extend(outline(node["steps"], f"{prefix}{node['step']}>"))
    return lines


def test_paths_count_sessions_step_by_step() -> None:
    result = shop().paths({}, VIEWER)
    group = result["groups"][0]
    assert (group["group"], group["sessions"], group["customers"]) == (None, 3, 3)
    assert outline(group["steps"]) == ["order_placed:3", "order_placed>item_shipped:2",
                                       "order_placed>item_shipped>item_delivered:1"]
    shipped = group["steps"][0]["steps"][0]
    assert (shipped["dropOff"], shipped["share"], shipped["medianMs"]) == (1, 0.6667, 600_000)


def test_filters_group_by_and_anchors() -> None:
    engine = shop()
    expensive: PathsQuery = {"filters": [{"on": "event", "attribute": "price", "min": 100}]}
    assert engine.paths(expensive, VIEWER)["groups"][0]["sessions"] == 2
    by_device: PathsQuery = {"groupBy": {"on": "session", "attribute": "device"}, "depth": 1}
    assert [(g["group"], g["sessions"]) for g in engine.paths(by_device, VIEWER)["groups"]] == [("desktop", 1), ("mobile", 2)]
    backward: PathsQuery = {"anchor": {"event": "item_shipped", "direction": "backward"}}
    assert outline(engine.paths(backward, VIEWER)["groups"][0]["steps"]) == ["item_shipped:2", "item_shipped>order_placed:2"]


def test_bad_queries_and_viewers_raise() -> None:
    engine = shop()
    with pytest.raises(libjourney.InvalidArgumentError, match="depth"):
        engine.paths({"depth": 11}, VIEWER)
    with pytest.raises(libjourney.InvalidArgumentError):
        engine.paths({"nonsense": 1}, VIEWER)  # type: ignore[typeddict-unknown-key]
    with pytest.raises(libjourney.PermissionDeniedError):
        engine.paths({}, {"permissions": ["journey:session:view"], "divisions": ["*"]})


def test_paths_as_rows_and_a_pandas_frame() -> None:
    result = shop().paths({"groupBy": {"on": "session", "attribute": "device"}}, VIEWER)
    rows = libjourney.paths_rows(result)
    assert [(r["group"], r["depth"], r["path"], r["sessions"]) for r in rows] == [
        ("desktop", 1, "order_placed", 1), ("desktop", 2, "order_placed > item_shipped", 1),
        ("mobile", 1, "order_placed", 2), ("mobile", 2, "order_placed > item_shipped", 1),
        ("mobile", 3, "order_placed > item_shipped > item_delivered", 1)]
    frame = libjourney.paths_to_pandas(result)
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == list(libjourney.PathRow.__annotations__)
    assert frame[frame.depth == 1].sessions.sum() == 3
