#!/usr/bin/env python3
"""Writes tests/bad_inputs.json: the bad-input catalogue every language runs through its `call`
(Rust, C, Python, Node). Each case is one op with a bad input and the typed answer it must get: an
error code, or for an event a rejected outcome with a violation code. After each case the runner
checks that the engine still works. Run from the repository root."""
import json
import pathlib

CATALOG = {"sessionTypes": [{"name": "delivery", "kind": "custom", "endsOn": ["item_delivered"],
    "eventTypes": [{"name": "in_transit", "attributes": [
        {"name": "location", "type": "string", "required": True, "maxLength": 20},
        {"name": "price", "type": "decimal", "min": 0}, {"name": "stops", "type": "integer", "list": True}]},
        {"name": "item_delivered"}]}]}
CONFIG = {"clock": "manual", "start": "2026-11-21T10:00:00Z", "maxEventBytes": 4096, "maxCustomEventData": 64}
CUSTOMER = {"id": "c1", "idType": "email"}
ADMIN = {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
                         "journey:eventType:view"], "divisions": ["*"]}
UUID = "6f1c8a52-1b44-4d8e-9a6b-3f1f0c2a9e11"


def event(**changes):
    base = {"eventName": "in_transit", "createdDate": "2026-11-21T09:59:00Z", "customer": CUSTOMER,
            "session": {"type": "delivery", "externalId": "o1"}, "attributes": {"location": "Depot"}}
    for key, value in changes.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def action(**changes):
    base = {"actionId": UUID, "actionState": "offered", "actionMediaType": "webchat", "actionMapId": UUID,
            "actionMapVersion": 1, "customerId": UUID, "customerIdType": "cookie", "sessionId": UUID}
    base.update(changes)
    return base


def rejected(name, input, code):
    return {"name": name, "op": "ingest", "input": input, "rejected": code}


def error(name, op, input, code):
    return {"name": name, "op": op, "input": input, "error": code}


CASES = [
    rejected("event text that is not JSON", "{\"eventName\": ", "INVALID_JSON"),
    rejected("event text with a repeated key", "{\"eventName\": \"a\", \"eventName\": \"b\"}", "INVALID_JSON"),
    rejected("event text with NaN", "{\"price\": NaN}", "INVALID_JSON"),
    rejected("event text nested 2,000 deep", "[" * 2000 + "]" * 2000, "INVALID_JSON"),
    rejected("event text with invalid UTF-8 escapes", "{\"eventName\": \"\\udc00\"}", "INVALID_JSON"),
    rejected("an event that is an array", [], "TYPE_MISMATCH"),
    rejected("an event that is a number", 5, "TYPE_MISMATCH"),
    rejected("an event larger than maxEventBytes", event(attributes={"location": "x" * 5000}), "EVENT_TOO_LARGE"),
    rejected("no createdDate", event(createdDate=None), "MISSING_DATE"),
    rejected("a createdDate that is not RFC 3339", event(createdDate="yesterday"), "INVALID_DATE"),
    rejected("a createdDate past year 9999 in UTC", event(createdDate="9999-12-31T23:30:00-01:00"), "INVALID_DATE"),
    rejected("a createdDate far in the future", event(createdDate="2030-01-01T00:00:00Z"), "FUTURE_EVENT"),
    rejected("no customer", event(customer=None), "MISSING_CUSTOMER"),
    rejected("an unknown idType", event(customer={"id": "c1", "idType": "fax"}), "NOT_IN_ENUM"),
    rejected("an id that is not a UUID", event(id="not-a-uuid"), "INVALID_ID"),
    rejected("an eventName that is not an identifier", event(eventName="1 bad"), "INVALID_NAME"),
    rejected("an unknown event name", event(eventName="teleported"), "UNKNOWN_EVENT_TYPE"),
    rejected("an unknown session type", event(session={"type": "rocket", "externalId": "o1"}), "UNKNOWN_SESSION_TYPE"),
    rejected("no session.externalId", event(session={"type": "delivery"}), "MISSING_FIELD"),
    rejected("a required attribute missing", event(attributes={}), "MISSING_ATTRIBUTE"),
    rejected("a string attribute that is a number", event(attributes={"location": 7}), "TYPE_MISMATCH"),
    rejected("a string longer than maxLength", event(attributes={"location": "y" * 21}), "TOO_LONG"),
    rejected("a decimal below min", event(attributes={"location": "a", "price": -1}), "OUT_OF_RANGE"),
    rejected("an unknown attribute", event(attributes={"location": "a", "colour": "red"}), "UNKNOWN_ATTRIBUTE"),
    rejected("150 bad list items", event(attributes={"location": "a", "stops": ["x"] * 150}), "TYPE_MISMATCH"),
    rejected("101 identifiers on one event", event(identifiers=[{"id": f"p{i}", "idType": "phone"} for i in range(101)]),
             "TOO_MANY_IDENTIFIERS"),
    rejected("an identifier of an unknown idType", event(identifiers=[{"id": "x", "idType": "fax"}]), "NOT_IN_ENUM"),
    rejected("identifiers that are not a list", event(identifiers={"id": "x", "idType": "phone"}), "TYPE_MISMATCH"),
    error("a batch that is not an array", "ingestBatch", {"events": []}, "INVALID_ARGUMENT"),
    error("journey without a listing permission", "journey",
          {"customer": CUSTOMER, "viewer": {"permissions": [], "divisions": ["*"]}}, "PERMISSION_DENIED"),
    error("journey with a cursor of garbage", "journey",
          {"customer": CUSTOMER, "viewer": ADMIN, "page": {"after": "nope"}}, "INVALID_ARGUMENT"),
    error("journey with a 100 KB cursor", "journey",
          {"customer": CUSTOMER, "viewer": ADMIN, "page": {"after": "j" * 100_000}}, "INVALID_ARGUMENT"),
    error("journey with pageSize 0", "journey", {"customer": CUSTOMER, "viewer": ADMIN, "page": {"pageSize": 0}},
          "INVALID_ARGUMENT"),
    error("journey with pageSize 1000", "journey", {"customer": CUSTOMER, "viewer": ADMIN, "page": {"pageSize": 1000}},
          "INVALID_ARGUMENT"),
    error("journey with an unknown viewer key", "journey",
          {"customer": CUSTOMER, "viewer": {"permissions": [], "roles": []}}, "INVALID_ARGUMENT"),
    error("journey with a customer of a bad idType", "journey",
          {"customer": {"id": "c1", "idType": "fax"}, "viewer": ADMIN}, "INVALID_ARGUMENT"),
    error("journey with no customer", "journey", {"viewer": ADMIN}, "INVALID_ARGUMENT"),
    error("sessionEvents with an id that is not a UUID", "sessionEvents", {"sessionId": "s-1", "viewer": ADMIN},
          "INVALID_ARGUMENT"),
    error("sessionEvents of an unknown session", "sessionEvents", {"sessionId": UUID, "viewer": ADMIN}, "NOT_FOUND"),
    error("sessionEvents without journey:event:view", "sessionEvents",
          {"sessionId": UUID, "viewer": {"permissions": [], "divisions": ["*"]}}, "PERMISSION_DENIED"),
    error("advance by a duration with no unit", "advance", "5", "INVALID_ARGUMENT"),
    error("advance by a negative duration", "advance", "-5s", "INVALID_ARGUMENT"),
    error("advance by a number", "advance", 5, "INVALID_ARGUMENT"),
    error("setNow to text that is not a time", "setNow", "tomorrow", "INVALID_ARGUMENT"),
    error("startAgentSession with an empty agentId", "startAgentSession", {"agentId": ""}, "INVALID_ARGUMENT"),
    error("startAgentSession without agentId", "startAgentSession", {}, "INVALID_ARGUMENT"),
    error("nextEvents on an unknown session", "nextEvents", {"sessionId": UUID, "timeoutMs": 0}, "INVALID_SESSION"),
    error("nextEvents with max 0", "nextEvents", {"sessionId": UUID, "timeoutMs": 0, "max": 0}, "INVALID_ARGUMENT"),
    error("nextEvents with a negative ack", "nextEvents", {"sessionId": UUID, "timeoutMs": 0, "ack": -1},
          "INVALID_ARGUMENT"),
    error("endAgentSession with an id that is not a UUID", "endAgentSession", {"sessionId": "x"}, "INVALID_SESSION"),
    error("release on an unknown session", "release", {"sessionId": UUID, "fromSequence": 1}, "INVALID_SESSION"),
    error("sendCustomEvent with an empty eventName", "sendCustomEvent",
          {"agentId": "a1", "eventName": "", "data": "", "persistInMemory": False}, "INVALID_ARGUMENT"),
    error("sendCustomEvent with data over maxCustomEventData", "sendCustomEvent",
          {"agentId": "a1", "eventName": "n", "data": "d" * 65, "persistInMemory": True}, "INVALID_ARGUMENT"),
    error("recordActionEvent with an actionId that is not a UUID", "recordActionEvent", action(actionId="x"),
          "INVALID_ARGUMENT"),
    error("recordActionEvent with actionMapVersion 0", "recordActionEvent", action(actionMapVersion=0),
          "INVALID_ARGUMENT"),
    error("recordActionEvent starting at engaged", "recordActionEvent", action(actionState="engaged"),
          "UNKNOWN_ACTION"),
    error("subscribe to a pattern of garbage", "subscribe", {"pattern": "nope", "label": "l"}, "INVALID_ARGUMENT"),
    error("unsubscribe with an id that is text", "unsubscribe", {"subscriptionId": "x"}, "INVALID_ARGUMENT"),
    error("link of an identifier to itself", "link", {"from": CUSTOMER, "to": CUSTOMER}, "INVALID_ARGUMENT"),
    error("link to an empty id", "link", {"from": CUSTOMER, "to": {"id": "", "idType": "phone"}}, "INVALID_ARGUMENT"),
    error("unlink of a link that does not exist", "unlink", {"from": CUSTOMER, "to": {"id": "p1", "idType": "phone"}},
          "NOT_FOUND"),
    error("unlinkEvent with an eventId that is not a UUID", "unlinkEvent", {"eventId": "x"}, "INVALID_ARGUMENT"),
    error("profile of a customer of a bad idType", "profile", {"customer": {"id": "c1", "idType": "fax"}},
          "INVALID_ARGUMENT"),
    error("an unknown op", "explode", {}, "INVALID_ARGUMENT"),
]


def main():
    names = [case["name"] for case in CASES]
    assert len(names) == len(set(names)), "case names are unique"
    catalogue = {"catalog": CATALOG, "config": CONFIG,
                 "good": event(attributes={"location": "Depot 7"}), "viewer": ADMIN, "customer": CUSTOMER,
                 "cases": CASES}
    pathlib.Path("tests/bad_inputs.json").write_text(json.dumps(catalogue, indent=1) + "\n")
    print(f"{len(CASES)} cases")


if __name__ == "__main__":
    main()
