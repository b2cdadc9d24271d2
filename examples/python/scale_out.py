"""What the scale-out examples (dask_backfill.py, kafka_consumer.py) share: reading NDJSON exports,
clock moves and other operations in the input, and reading a partitioned result back
(docs/scale-out.md)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import libjourney
from libjourney import partition

#: Who reads the journeys the examples write out: every permission, every division.
VIEWER: Any = {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
                               "journey:eventType:view", "routing:wrapupCode:view", "routing:queue:search"],
               "divisions": ["*"]}

#: Input lines that are not events but clock moves, which every partition applies at their
#: position (SPEC §13): `{"op": "advance", "input": "46s"}` or `{"op": "setNow", "input": "<RFC 3339>"}`.
CLOCK_OPS = ("advance", "setNow")


def read_lines(paths: Sequence[Path]) -> list[str]:
    """Every non-blank line of the files, in order (gzip files by their first bytes)."""
    lines: list[str] = []
    for path in paths:
        raw = path.read_bytes()
        text = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
        lines.extend(line for line in text.decode("utf-8", errors="replace").splitlines() if line.strip())
    return lines


def op_line(line: str) -> Optional[tuple[str, Any]]:
    """`(op, input)` when the line is an operation (`{"op": ..., "input": ...}`) rather than an
    event."""
    if '"op"' not in line:
        return None
    try:
        value = json.loads(line)
    except json.JSONDecodeError:
        return None
    if isinstance(value, dict) and isinstance(value.get("op"), str):
        return value["op"], value.get("input")
    return None


def clock_move(line: str) -> Optional[tuple[str, str]]:
    """`(op, input)` when the line is a clock move rather than an event."""
    op = op_line(line)
    if op is not None and op[0] in CLOCK_OPS and isinstance(op[1], str):
        return op[0], op[1]
    return None


def command_of(line: str) -> Optional[tuple[str, Any]]:
    """`(op, input)` when the line is an operation other than a clock move (`{"op":
    "sendCustomEvent", "input": {...}}`): an agent's, a web action's, an identity op."""
    op = op_line(line)
    return op if op is not None and op[0] not in CLOCK_OPS else None


def command_partition(command: tuple[str, Any], partitions: int,
                      customer_partition: Callable[[Any], Optional[int]]) -> int:
    """The partition of an operation: its key's (`command_key`), which for a customer's key is
    where the router put the customer's events (`customer_partition`), when it has seen any.
    An operation without a key of its own (reads, definitions, ops naming an agent session) has
    no place in the stream: ValueError."""
    op, input = command
    key = partition.command_key(op, input)
    if key is None:
        raise ValueError(f"{op} has no partition of its own: send it to the partition that holds what it names "
                         "(docs/scale-out.md, \"Agents and web actions\")")
    if key.startswith("c:"):
        _, id_type, id = key.split(":", 2)
        known = customer_partition({"idType": id_type, "id": id})
        if known is not None:
            return known
    return partition.partition_for(key, partitions)


def customer_partitions(events: Sequence[tuple[int, str]], targets: Sequence[Optional[int]]
                        ) -> Callable[[Any], Optional[int]]:
    """Where the batch router put each customer's events (`targets`, in the order of `events`), as
    `command_partition` asks it: by `{"idType", "id"}`."""
    customers: dict[tuple[Any, Any], int] = {}
    for (_, line), target in zip(events, targets):
        customer = json.loads(line).get("customer") if target is not None else None
        if isinstance(customer, dict) and target is not None:
            customers.setdefault((customer.get("idType"), customer.get("id")), target)
    return lambda customer: customers.get((customer.get("idType"), customer.get("id")))


def call(engine: libjourney.Engine, op: str, input: Any) -> Any:
    """An operation's answer, or `{"error": {"code", "message"}}` when the engine refuses it: what
    the examples record as its outcome."""
    try:
        return engine.call(op, input)
    except libjourney.JourneyError as error:
        return {"error": {"code": error.code, "message": str(error)}}


def agent_deliveries(engines: Sequence[libjourney.Engine], lines: Sequence[str], outcomes: Sequence[Any]) -> list[Any]:
    """What each agent session the input started has waiting, in input order: its `nextEvents`
    from the partition that knows it (the others answer INVALID_SESSION). `outcomes` are the events'
    and operations' outcomes in the order of `split_input`'s events."""
    started = [outcome["sessionId"] for (_, line), outcome in zip(split_input(lines)[1], outcomes)
               if (command_of(line) or ("",))[0] == "startAgentSession" and isinstance(outcome, dict)
               and "sessionId" in outcome]
    deliveries = []
    for session_id in started:
        found = []
        for engine in engines:
            try:
                found.append(engine.call("nextEvents", {"sessionId": session_id, "timeoutMs": 0}))
            except libjourney.JourneyError as error:
                if error.code != "INVALID_SESSION":  # not this partition's
                    raise
        assert len(found) == 1, f"agent session {session_id} is in {len(found)} partitions"
        deliveries.append(found[0])
    return deliveries


def split_input(lines: Sequence[str]) -> tuple[dict[int, tuple[str, str]], list[tuple[int, str]]]:
    """The input's clock moves by position, as `(op, input)`, and its events and other operations
    as `(position, line)`."""
    moves: dict[int, tuple[str, str]] = {}
    events: list[tuple[int, str]] = []
    for position, line in enumerate(lines):
        move = clock_move(line)
        if move is None:
            events.append((position, line))
        else:
            moves[position] = move
    return moves, events


def is_event_clock(config: Any) -> bool:
    """Whether a config (a dict, or `None` for the defaults) has an event clock."""
    return isinstance(config, dict) and config.get("clock") == "event"


def customers_of(lines: Sequence[str]) -> dict[str, Any]:
    """Every customer the lines name, by `idType:id`, in order of their keys."""
    customers: dict[str, Any] = {}
    for line in lines:
        try:
            customer = json.loads(line).get("customer")
        except (json.JSONDecodeError, AttributeError):
            continue
        if isinstance(customer, dict) and isinstance(customer.get("id"), str) and isinstance(customer.get("idType"), str):
            customers[f"{customer['idType']}:{customer['id']}"] = {"id": customer["id"], "idType": customer["idType"]}
    return dict(sorted(customers.items()))


def paged(fetch: Callable[[Any], Any], size: int) -> list[Any]:
    """Every page `fetch(page_request)` gives, following the cursors (or the error, as
    `[{"code"}]`)."""
    pages: list[Any] = []
    page: Any = {"pageSize": size}
    while True:
        try:
            result = fetch(page)
        except libjourney.JourneyError as error:
            return [{"code": error.code}]
        pages.append(result)
        if result["nextCursor"] is None:
            return pages
        page = {"pageSize": size, "after": result["nextCursor"]}


def all_pages(engine: libjourney.Engine, customer: Any) -> list[Any]:
    """A customer's whole journey, page by page."""
    return paged(lambda page: engine.journey(customer, VIEWER, page), 200)


def journeys_across(engines: Sequence[libjourney.Engine], customers: dict[str, Any]) -> dict[str, Any]:
    """Each customer's journey from the one partition that holds it: a customer's events all go
    to one partition, and the others have no session of it (an empty page, as one engine gives
    for a customer it never saw)."""
    journeys: dict[str, Any] = {}
    for key, customer in customers.items():
        answers = [all_pages(engine, customer) for engine in engines]
        held = [pages for pages in answers if pages and pages[0].get("entities")]
        assert len(held) <= 1, f"{key} has sessions in {len(held)} partitions"
        journeys[key] = held[0] if held else answers[0]
    return journeys


def all_session_events(engine: libjourney.Engine, session_id: str) -> list[Any]:
    """A session's events, page by page."""
    return paged(lambda page: engine.session_events(session_id, VIEWER, page), 50)


def session_events_across(engines: Sequence[libjourney.Engine], outcomes: Sequence[Any]) -> dict[str, Any]:
    """Every session the accepted outcomes name, with its events from the partition holding it
    (the others answer NOT_FOUND). A session retention evicted (or an erasure took) is in no
    partition, and reads NOT_FOUND, as in one engine; one in two partitions is a bug."""
    sessions = sorted({o["sessionId"] for o in outcomes if isinstance(o, dict) and o.get("status") == "accepted"})
    pages: dict[str, Any] = {}
    for session_id in sessions:
        held = [events for events in (all_session_events(engine, session_id) for engine in engines)
                if events != [{"code": "NOT_FOUND"}]]
        assert len(held) <= 1, f"session {session_id} is in {len(held)} partitions"
        pages[session_id] = held[0] if held else [{"code": "NOT_FOUND"}]
    return pages
