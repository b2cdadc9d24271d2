"""What a Python integration script would write without libjourney: a JSON parser, a JSON Schema
validator for the event, and a dict-based sessionizer doing the same grouping as libjourney's custom
sessions (one session per external id, fixed type and customer, duplicates by id, last-writer-wins
attributes by event time, event counts).

Two peers share the sessionizer: the plain one (`json.loads` + fastjsonschema) and the one a
performance-minded Python user picks (`orjson.loads` + jsonschema-rs, both Rust underneath), with
formats (`uuid`, `date-time`) checked in both. Written to be fair: compiled schemas, no needless
copies, the same checks where they matter.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Callable

import fastjsonschema
import jsonschema_rs
import orjson

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
fast_validator = jsonschema_rs.validator_for(EVENT_SCHEMA, validate_formats=True)
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
    """The plain peer: json.loads, fastjsonschema, the sessionizer, one line at a time."""
    sessionizer = Sessionizer()
    for line in lines:
        try:
            event = validate(json.loads(line))
        except (ValueError, fastjsonschema.JsonSchemaException):
            sessionizer.rejected += 1
            continue
        sessionizer.ingest(event, line)
    return sessionizer


def ingest_lines_fast(lines: list[str]) -> Sessionizer:
    """The fast peer: orjson, jsonschema-rs, the same sessionizer."""
    sessionizer = Sessionizer()
    is_valid = fast_validator.is_valid
    for line in lines:
        try:
            event = orjson.loads(line)
        except orjson.JSONDecodeError:
            sessionizer.rejected += 1
            continue
        if not is_valid(event):
            sessionizer.rejected += 1
            continue
        sessionizer.ingest(event, line)
    return sessionizer
