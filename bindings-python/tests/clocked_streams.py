"""The adversarial stream of test_partition with moves of a manual clock in it, and what one engine
makes of it: the input and the expected result of the scale-out examples' tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import libjourney
from test_partition import CATALOG, adversarial_stream

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "python"))
import scale_out  # noqa: E402

__all__ = ["CATALOG", "CONFIG", "one_engine", "stream"]

#: A manual clock the stream moves every 60 events, with lateness and skew limits it meets: an
#: event's outcome depends on the clock moves before it.
CONFIG: Any = {"clock": "manual", "start": "2026-11-21T10:00:00Z", "allowedLateness": "40m", "maxClockSkew": "45m"}
STREAM_LENGTH = 600


def stream() -> list[str]:
    lines: list[str] = []
    for n, event in enumerate(adversarial_stream(9, STREAM_LENGTH)):
        if n % 60 == 59:
            lines.append(json.dumps({"op": "advance", "input": "10m"}))
        lines.append(json.dumps(event))
    return lines


def one_engine(lines: list[str], config: Any = CONFIG) -> dict[str, Any]:
    engine = libjourney.Engine(libjourney.Catalog.from_dict(CATALOG), config)
    outcomes = []
    for line in lines:
        move = scale_out.clock_move(line)
        if move is None:
            outcomes.append(engine.ingest(line))
        else:
            engine.call(*move)
    return {
        "outcomes": outcomes,
        "stats": engine.stats(),
        "journeys": scale_out.journeys_across([engine], scale_out.customers_of(lines)),
        "sessionEvents": scale_out.session_events_across([engine], outcomes),
    }


