"""What a Python integration script would write without libjourney: json.loads, a fastjsonschema
validator for the event, and a dict-based sessionizer doing the same grouping as libjourney's custom
sessions (one session per external id, fixed type and customer, duplicates by id, last-writer-wins
attributes by event time, event counts).

It is written to be fair: compiled schema, no needless copies, the same checks where they matter.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable

import fastjsonschema

# The JSON Schema equivalent of the benchmark catalog's `in_transit` event type.
EVENT_SCHEMA = {
    "type": "object",
    "required": ["eventName", "createdDate", "customer", "session"],
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "eventName": {"type": "string", "pattern": "^[A-Za-z][A-Za-z0-9_]{0,63}$", "enum": ["in_transit"]},
        "createdDate": {"type": "string", "format": "date-time"},
        "customer": {
            "type": "object",
            "required": ["id", "idType"],
            "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": 1024},
                "idType": {"enum": ["cookie", "email", "phone", "externalContact", "externalId"]},
            },
        },
        "session": {
            "type": "object",
            "required": ["type", "externalId"],
            "properties": {"type": {"const": "delivery"}, "externalId": {"type": "string", "minLength": 1, "maxLength": 1024}},
        },
        "division": {"type": "string", "maxLength": 1024},
        "attributes": {
            "type": "object",
            "additionalProperties": False,
            "required": ["location"],
            "maxProperties": 50,
            "properties": {
                "location": {"type": "string", "maxLength": 1024},
                "orderId": {"type": "string", "maxLength": 1024},
                "price": {"type": "number", "minimum": 0},
            },
        },
    },
}

validate: Callable[[Any], Any] = fastjsonschema.compile(EVENT_SCHEMA)
PROJECTED = ("location", "orderId")


class Sessionizer:
    """Custom sessions keyed by external id, as a dict of dicts."""

    def __init__(self) -> None:
        self.sessions: dict[str, dict[str, Any]] = {}
        self.seen_ids: dict[str, str] = {}
        self.accepted = self.duplicates = self.rejected = 0

    def ingest(self, event: dict[str, Any], raw: str) -> str:
        event_id = event.get("id") or raw  # the raw text stands in for a content hash
        previous = self.seen_ids.get(event_id)
        if previous is not None:
            if previous == raw:
                self.duplicates += 1
                return "duplicate"
            self.rejected += 1
            return "rejected"
        time = datetime.fromisoformat(event["createdDate"].replace("Z", "+00:00")).timestamp()
        key = event["session"]["externalId"]
        customer = (event["customer"]["idType"], event["customer"]["id"])
        session = self.sessions.get(key)
        if session is None:
            session = {"type": event["session"]["type"], "customer": customer, "events": [], "attributes": {}}
            self.sessions[key] = session
        elif session["type"] != event["session"]["type"] or session["customer"] != customer:
            self.rejected += 1
            return "rejected"
        session["events"].append((time, event_id, event))
        attributes = event.get("attributes", {})
        for name in PROJECTED:
            if name in attributes:
                current = session["attributes"].get(name)
                if current is None or (time, event_id) > current[0]:
                    session["attributes"][name] = ((time, event_id), attributes[name])
        self.seen_ids[event_id] = raw
        self.accepted += 1
        return "accepted"


def ingest_lines(lines: list[str]) -> Sessionizer:
    """The whole baseline: parse, validate, sessionize, one line at a time."""
    sessionizer = Sessionizer()
    for line in lines:
        try:
            event = validate(json.loads(line))
        except (ValueError, fastjsonschema.JsonSchemaException):
            sessionizer.rejected += 1
            continue
        sessionizer.ingest(event, line)
    return sessionizer
