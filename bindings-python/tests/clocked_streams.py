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

__all__ = ["CATALOG", "CONFIG", "agent_sessions_unnamed", "one_engine", "stream", "with_operations"]

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


#: The agents `with_operations` logs in.
AGENTS = ("agent-0", "agent-1", "agent-2")


def with_operations(lines: list[str]) -> list[str]:
    """The lines with agents' and web actions' operations among them: after the fifth line (an
    event clock stamps a login before any event with the wall clock), three agents log in;
    every 20 lines a custom event goes to one of them; every 30 lines a visitor (a cookie
    customer) views a page, and a web action of theirs is qualified, then offered 10 lines later;
    every other visitor has viewed a page before (their action goes where their events went),
    the rest have not (it goes to their key's partition)."""
    out: list[str] = []
    template = json.loads(next(line for line in lines if '"cookie"' in line))

    def op(name: str, input: Any) -> None:
        out.append(json.dumps({"op": name, "input": input}))

    for n, line in enumerate(lines):
        out.append(line)
        if n == 4:
            for agent in AGENTS:
                op("startAgentSession", {"agentId": agent})
        if n % 20 == 7:
            op("sendCustomEvent", {"agentId": AGENTS[n // 20 % 3], "eventName": "customerWaiting", "data": f"line {n}"})
        visitor = f"0f8fad5b-d9cb-469f-a165-{n // 30 % 4:012}"
        if n % 30 == 10 and n // 30 % 2 == 0:
            out.append(json.dumps({**template, "id": f"00000000-0000-4000-9000-{n:012}",
                                   "createdDate": json.loads(line).get("createdDate", template["createdDate"]),
                                   "customer": {"id": visitor, "idType": "cookie"}}))
        if n % 30 in (11, 21):
            op("recordActionEvent", {
                "actionId": f"a0000000-0000-4000-8000-{n // 30:012}", "actionMediaType": "webchat",
                "actionState": "qualified" if n % 30 == 11 else "offered",
                "actionMapId": "11111111-2222-4333-8444-555555555555", "actionMapVersion": 1,
                "customerId": visitor, "customerIdType": "cookie",
                "sessionId": "7c9e6679-7425-40de-944b-e07fc1f90ae7"})
    return out


def agent_sessions_unnamed(outcomes: list[Any]) -> list[Any]:
    """The outcomes with each agent login's session id (random) replaced by the same text."""
    return [{"sessionId": "(an agent session)"} if isinstance(o, dict) and set(o) == {"sessionId"} else o
            for o in outcomes]


def one_engine(lines: list[str], config: Any = CONFIG) -> dict[str, Any]:
    engine = libjourney.Engine(libjourney.Catalog.from_dict(CATALOG), config)
    outcomes = []
    for line in lines:
        move = scale_out.clock_move(line)
        command = scale_out.command_of(line)
        if move is not None:
            engine.call(*move)
        elif command is not None:
            outcomes.append(scale_out.call(engine, *command))
        else:
            outcomes.append(engine.ingest(line))
    return {
        "outcomes": outcomes,
        "stats": engine.stats(),
        "journeys": scale_out.journeys_across([engine], scale_out.customers_of(lines)),
        "sessionEvents": scale_out.session_events_across([engine], outcomes),
        "agentDeliveries": scale_out.agent_deliveries([engine], lines, outcomes),
    }


