#!/usr/bin/env python3
"""Writes tests/vectors/identity_links.json (issue 28, docs/identity.md): a login event links a
cookie and an e-mail and the journey shows both; a blocked `anonymous`; a second e-mail refused by
the limit with its warning; a host's link; unlink splits the profile and lets the refused e-mail
in, as if the first link had never been made; unlinkEvent undoes one event's links; a shared
device whose second login the default uniqueness of external ids keeps apart; bad identifiers are
typed answers; erase of one identifier removes the whole profile (sessions, links, a custom event
marked with a member) and nothing of anyone else, answers with counts only, keeps the erased
events' ids so a resend is a duplicate, and stays erased across a reopen. Run from the repository
root."""
import json
import pathlib

CATALOG = {"sessionTypes": [
    {"name": "web", "kind": "web", "inactivityGap": "30m",
     "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string"}]},
                    {"name": "logged_in"}]},
    {"name": "delivery", "kind": "custom", "eventTypes": [{"name": "in_transit"}]}]}
CONFIG = {"clock": "manual", "start": "2026-11-21T11:00:00Z", "allowedLateness": "2h",
          "identity": {"limits": {"email": 1}}}
COOKIE = {"id": "0f8fad5b-d9cb-469f-a165-70867728950e", "idType": "cookie"}
EMAIL = {"id": "dana@example.com", "idType": "email"}
OTHER_EMAIL = {"id": "dana.work@example.com", "idType": "email"}
PHONE = {"id": "+15550100", "idType": "phone"}
SECOND_PHONE = {"id": "+15550199", "idType": "phone"}
TABLET = {"id": "7c9e6679-7425-40de-944b-e07fc1f90ae7", "idType": "cookie"}
ACCOUNT_A = {"id": "account-1001", "idType": "externalId"}
ACCOUNT_B = {"id": "account-1002", "idType": "externalId"}
VIEWER = {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
                          "journey:eventType:view"], "divisions": ["*"]}


def uuid(n):
    return f"6f1c8a52-1b44-4d8e-9a6b-{n:012d}"


def web(n, minute, customer, name="page_viewed", identifiers=None):
    event = {"id": uuid(n), "eventName": name, "createdDate": f"2026-11-21T10:{minute:02d}:00Z",
             "customer": customer, "session": {"type": "web"}}
    if name == "page_viewed":
        event["attributes"] = {"page": f"/p{n}"}
    if identifiers is not None:
        event["identifiers"] = identifiers
    return event


def delivery(n, minute, customer, identifiers=None):
    event = {"id": uuid(n), "eventName": "in_transit", "createdDate": f"2026-11-21T10:{minute:02d}:00Z",
             "customer": customer, "session": {"type": "delivery", "externalId": f"order-{n}"}}
    if identifiers is not None:
        event["identifiers"] = identifiers
    return event


def journey(customer, page_size=25):
    return {"customer": customer, "viewer": VIEWER, "page": {"pageSize": page_size}}


def profile(customer, profile_id, members):
    return {"op": "profile", "input": {"customer": customer},
            "expect": {"profileId": profile_id, "members": members}}


STEPS = [
    # Browsing as a cookie, then a login that carries the e-mail: one profile, named by the cookie
    # (both first seen by the login; ties go to the canonical text, and "cookie:" sorts first).
    {"op": "ingest", "input": web(1, 0, COOKIE), "expect": {"status": "accepted"}, "save": {"browsing": "/sessionId"}},
    {"op": "ingest", "input": web(2, 5, COOKIE, "logged_in", [EMAIL]), "expect": {"status": "accepted"}},
    profile(EMAIL, COOKIE, [COOKIE, EMAIL]),
    # The e-mail's own session: the journey of either identifier lists both customers' sessions,
    # each card naming its own customer, newest first, paged across them.
    {"op": "ingest", "input": delivery(3, 20, EMAIL), "expect": {"status": "accepted"}, "save": {"order": "/sessionId"}},
    {"op": "journey", "input": journey(COOKIE),
     "expect": {"entities": [{"id": "$order", "customer": EMAIL}, {"id": "$browsing", "customer": COOKIE}],
                "nextCursor": None}},
    {"op": "journey", "input": journey(EMAIL, 1),
     "expect": {"entities": [{"id": "$order"}]}, "save": {"cursor": "/nextCursor"}},
    {"op": "journey", "input": {"customer": EMAIL, "viewer": VIEWER, "page": {"pageSize": 1, "after": "$cursor"}},
     "expect": {"entities": [{"id": "$browsing", "customer": COOKIE}], "nextCursor": None}},
    # A placeholder never links; a second e-mail breaks `limits.email: 1`. Both events are accepted.
    {"op": "ingest", "input": web(4, 21, COOKIE, "page_viewed", [{"id": "Anonymous", "idType": "email"}]),
     "expect": {"status": "accepted", "identityWarnings": [
         {"code": "IDENTITY_BLOCKED", "identifier": {"id": "Anonymous", "idType": "email"}}]}},
    {"op": "ingest", "input": web(5, 22, COOKIE, "page_viewed", [OTHER_EMAIL]),
     "expect": {"status": "accepted", "identityWarnings": [{"code": "IDENTITY_LIMIT", "identifier": OTHER_EMAIL}]}},
    profile(OTHER_EMAIL, OTHER_EMAIL, [OTHER_EMAIL]),
    {"op": "stats", "expect": {"identityLinks": 1, "identityBlocked": 1, "identityLimited": 1}},
    {"op": "reopen"},
    # A host's link, then an event's link that another event undoes.
    {"op": "link", "input": {"from": PHONE, "to": COOKIE},
     "expect": {"linked": True, "profileId": COOKIE, "identityWarnings": []}},
    profile(PHONE, COOKIE, [COOKIE, EMAIL, PHONE]),
    {"op": "ingest", "input": delivery(6, 25, EMAIL, [SECOND_PHONE]), "expect": {"status": "accepted"}},
    profile(SECOND_PHONE, COOKIE, [COOKIE, EMAIL, PHONE, SECOND_PHONE]),
    {"op": "unlinkEvent", "input": {"eventId": uuid(6)}, "expect": {"unlinked": 1}},
    profile(SECOND_PHONE, SECOND_PHONE, [SECOND_PHONE]),
    {"op": "unlinkEvent", "input": {"eventId": uuid(6)}, "expect": {"unlinked": 0}},
    # Unlink splits: the e-mail leaves the cookie's profile, and its journey is its own again. The
    # second e-mail, refused only because the first was linked, is linked now: the state of an
    # engine that never saw the first link.
    {"op": "unlink", "input": {"from": EMAIL, "to": COOKIE}, "expect": {}},
    profile(EMAIL, EMAIL, [EMAIL]),
    profile(COOKIE, COOKIE, [COOKIE, OTHER_EMAIL, PHONE]),
    {"op": "journey", "input": journey(EMAIL),
     "expect": {"entities": [{"customer": EMAIL}, {"customer": EMAIL}], "nextCursor": None}},
    {"op": "reopen"},
    profile(PHONE, COOKIE, [COOKIE, OTHER_EMAIL, PHONE]),
    {"op": "unlink", "input": {"from": EMAIL, "to": COOKIE}, "expect": {"error": {"code": "NOT_FOUND"}}},
    {"op": "link", "input": {"from": EMAIL, "to": EMAIL}, "expect": {"error": {"code": "INVALID_ARGUMENT"}}},
    # A shared tablet: two people log in on it. External ids are unique by default (one a
    # profile), so the second login stays apart from the first person's profile.
    {"op": "ingest", "input": web(9, 32, TABLET, "logged_in", [ACCOUNT_A]), "expect": {"status": "accepted"}},
    {"op": "ingest", "input": web(10, 33, TABLET, "logged_in", [ACCOUNT_B]),
     "expect": {"status": "accepted", "identityWarnings": [{"code": "IDENTITY_LIMIT", "identifier": ACCOUNT_B}]}},
    profile(TABLET, TABLET, [TABLET, ACCOUNT_A]),
    profile(ACCOUNT_B, ACCOUNT_B, [ACCOUNT_B]),
    # Bad identifiers on an event are its violations, and nothing is linked.
    {"op": "ingest", "input": web(7, 30, COOKIE, "page_viewed", [{"id": f"p{i}", "idType": "phone"} for i in range(101)]),
     "expect": {"status": "rejected", "violations": [{"code": "TOO_MANY_IDENTIFIERS", "path": "/identifiers"}]}},
    {"op": "ingest", "input": web(8, 31, COOKIE, "page_viewed", [{"id": "x", "idType": "fax"}, {"idType": "email"}]),
     "expect": {"status": "rejected", "violations": [
         {"code": "NOT_IN_ENUM", "path": "/identifiers/0/idType"},
         {"code": "MISSING_CUSTOMER", "path": "/identifiers/1/id"}]}},
    # The counters count what the rules decided when each link was asked for: the e-mail the
    # unlink let in is not counted again.
    {"op": "stats", "expect": {"identityLinks": 4, "identityBlocked": 1, "identityLimited": 2}},
    # Erasure: the phone's whole profile (the cookie with its four events, the second e-mail, the
    # phone, and a custom event the host marked with the phone) goes; the first e-mail, unlinked
    # above, is someone else now and keeps its sessions. The answer holds counts, nothing of the
    # person.
    {"op": "sendCustomEvent", "input": {"agentId": "agent-9", "eventName": "note", "data": "call about the parcel",
                                        "persistInMemory": True, "customer": PHONE},
     "expect": {"delivery": "persisted"}},
    {"op": "erase", "input": {"customer": PHONE}, "expect": {"customersErased": 3, "eventsErased": 4}},
    profile(COOKIE, COOKIE, [COOKIE]),
    profile(OTHER_EMAIL, OTHER_EMAIL, [OTHER_EMAIL]),
    {"op": "journey", "input": journey(COOKIE), "expect": {"entities": [], "nextCursor": None}},
    {"op": "journey", "input": journey(EMAIL),
     "expect": {"entities": [{"customer": EMAIL}, {"customer": EMAIL}], "nextCursor": None}},
    {"op": "startAgentSession", "input": {"agentId": "agent-9"}, "save": {"agent": "/sessionId"}},
    {"op": "nextEvents", "input": {"sessionId": "$agent", "timeoutMs": 0},
     "expect": {"status": "events", "events": [{"type": "AgentSessionStart"}]}},
    # A resend of an erased event is a duplicate that no session holds; the ids outlive a reopen.
    {"op": "ingest", "input": web(1, 0, COOKIE),
     "expect": {"status": "duplicate", "eventId": uuid(1), "sessionId": "00000000-0000-0000-0000-000000000000"}},
    {"op": "reopen"},
    {"op": "ingest", "input": web(2, 5, COOKIE, "logged_in", [EMAIL]), "expect": {"status": "duplicate"}},
    {"op": "journey", "input": journey(COOKIE), "expect": {"entities": [], "nextCursor": None}},
    profile(PHONE, PHONE, [PHONE]),
    {"op": "erase", "input": {"customer": PHONE}, "expect": {"customersErased": 0, "eventsErased": 0}},
    {"op": "erase", "input": {"customer": {"id": "", "idType": "email"}}, "expect": {"error": {"code": "INVALID_ARGUMENT"}}},
    {"op": "stats", "expect": {"customersErased": 3, "eventsErased": 4, "eventsDuplicate": 2}},
]

VECTOR = {
    "name": "identity: a login links a cookie and an e-mail and the journey shows both; blocked values, "
            "limits, a host's link, unlink and unlinkEvent split the profile; erase removes the whole profile",
    "catalog": CATALOG, "config": CONFIG, "steps": STEPS,
}

path = pathlib.Path("tests/vectors/identity_links.json")
path.write_text(json.dumps(VECTOR, indent=1) + "\n")
print(f"wrote {path}")
