#!/usr/bin/env python3
"""Writes the division-isolation vectors (issue 11, items 1-3) into tests/vectors/.

Each scenario is a hidden-data case found in review: a viewer must receive exactly what it would
receive if the data it may not see did not exist. Run from the repository root.
"""
import json
import pathlib

WEB = {"name": "web", "kind": "web", "displayName": "Website visit", "inactivityGap": "20m",
       "attributes": [{"name": "page", "type": "string"}],
       "eventTypes": [{"name": "page_viewed", "attributes": [{"name": "page", "type": "string", "required": True}]}]}
DELIVERY = {"name": "delivery", "kind": "custom", "displayName": "Delivery",
            "attributes": [{"name": "orderId", "type": "string"}],
            "eventTypes": [{"name": "product_purchased",
                            "attributes": [{"name": "orderId", "type": "string", "required": True}]}]}
CATALOG = {"sessionTypes": [DELIVERY, WEB]}
CONFIG = {"clock": "manual", "start": "2026-11-21T10:00:00Z"}
CUSTOMER = {"id": "ck1", "idType": "cookie"}
FULL = ["journey:session:view", "journey:sessionType:view", "journey:event:view", "journey:eventType:view"]


def viewer(divisions, permissions=FULL):
    return {"permissions": permissions, "divisions": divisions}


def page_view(time, division, page, save=None):
    return event("page_viewed", time, {"type": "web"}, division, {"page": page}, save)


def event(name, time, session, division, attributes, save=None):
    ev = {"eventName": name, "createdDate": f"2026-11-21T{time}Z", "customer": CUSTOMER, "session": session,
          "attributes": attributes}
    if division:
        ev["division"] = division
    step = {"op": "ingest", "input": ev, "expect": {"status": "accepted"}}
    if save:
        step["save"] = {save: "/sessionId"}
    return step


def journey(v, expect, page=None):
    query = {"customer": CUSTOMER, "viewer": v}
    if page:
        query["page"] = page
    return {"op": "journey", "input": query, "expect": expect}


def events(session, v, expect):
    return {"op": "sessionEvents", "input": {"sessionId": session, "viewer": v}, "expect": expect}


NOT_FOUND = {"error": {"code": "NOT_FOUND"}}


def web_merges():
    east, west, nobody = viewer(["east"]), viewer(["west"]), viewer([])
    steps = [
        page_view("10:00:00", "east", "/east-1", "east1"),
        page_view("10:30:00", "west", "/west-secret-page", "west1"),
        # No division, between the two: under the old rule it bridged them into the east session.
        page_view("10:15:00", None, "/shared", "shared"),
        page_view("10:38:00", "east", "/east-2", "east2"),
        # An east event bridging the two east sessions still merges them: within a division, §3.2 holds.
        page_view("10:19:00", "east", "/east-bridge", None),
        journey(east, {"entities": [
            {"id": "$east1", "division": "east", "eventCount": 3, "mergedSessionIds": ["$east2"],
             "attributes": {"page": "/east-2"}},
            {"id": "$shared", "division": None, "eventCount": 1, "mergedSessionIds": [],
             "attributes": {"page": "/shared"}}], "nextCursor": None}),
        journey(west, {"entities": [
            {"id": "$west1", "division": "west", "eventCount": 1, "mergedSessionIds": [],
             "attributes": {"page": "/west-secret-page"}},
            {"id": "$shared", "eventCount": 1}], "nextCursor": None}),
        # A viewer with no divisions sees only sessions with no division.
        journey(nobody, {"entities": [{"id": "$shared", "eventCount": 1}], "nextCursor": None}),
        events("$west1", east, NOT_FOUND),
        events("$west1", west, {"entities": [{"createdDate": "2026-11-21T10:30:00.000Z",
                                              "attributes": {"page": "/west-secret-page"}}]}),
        events("$east2", east, {"entities": [{}, {}, {}], "nextCursor": None}),
        events("$east1", west, NOT_FOUND),
        events("$east1", nobody, NOT_FOUND),
        events("$shared", nobody, {"entities": [{"attributes": {"page": "/shared"}}], "nextCursor": None}),
        {"op": "stats", "input": None, "expect": {"sessionsMerged": 1, "sessionsCreated": 4}},
    ]
    return {"name": "divisions: web sessions never merge across divisions; an event joins only a web session of "
                    "its own division (no division is its own), so no viewer sees another division's events",
            "catalog": CATALOG, "config": {"clock": "manual", "start": "2026-11-21T10:40:00Z"}, "steps": steps}


def messaging_card():
    east = viewer(["east"])
    conversation = {"type": "conversation", "externalId": "conv-1"}
    steps = [
        event("conversation_started", "10:00:00", conversation, "east", {"channel": "webMessaging"}, "conv"),
        event("product_purchased", "10:05:00", {"type": "delivery", "externalId": "order-1"}, "east",
              {"orderId": "order-1"}, "order"),
        {"op": "setNow", "input": "2026-11-21T10:50:00Z", "expect": {}},
        {"op": "journey", "input": {"customer": CUSTOMER, "viewer": east, "page": {"pageSize": 1}},
         "expect": {"entities": [{"id": "$order", "status": "inactive"}]}, "save": {"cursor": "/nextCursor"}},
        # A page view in west only: the east viewer's messaging card must not move or revive, and its
        # cursor must not change (it would carry the hidden event's time).
        page_view("10:49:50", "west", "/west-secret-page", "west"),
        {"op": "journey", "input": {"customer": CUSTOMER, "viewer": east, "page": {"pageSize": 1}},
         "expect": {"entities": [{"id": "$order", "status": "inactive"}], "nextCursor": "$cursor"}},
        journey(east, {"entities": [{"id": "$order", "status": "inactive"},
                                    {"id": "$conv", "status": "inactive"}], "nextCursor": None}),
        # A viewer of both divisions sees the page view revive the card (§3.4).
        # (The card and the page view tie on activity, so their order is by id; only statuses are checked.)
        journey(viewer(["east", "west"]), {"entities": [{"status": "live"}, {"status": "live"}, {"id": "$order"}]}),
        # And the east viewer's own page view does revive it.
        page_view("10:49:55", "east", "/east", "eastweb"),
        journey(east, {"entities": [{"status": "live"}, {"status": "live"}, {"id": "$order", "status": "inactive"}]}),
        # Without journey:sessionType:view no web session is visible, so none revives the card.
        journey(viewer(["*"], ["journey:session:view"]), {"entities": [{"id": "$conv", "status": "inactive"}]}),
    ]
    return {"name": "divisions: only web events the viewer may see revive a messaging card, order it, or show "
                    "in a cursor",
            "catalog": CATALOG, "config": CONFIG, "steps": steps}


def session_type_view():
    no_type_view = viewer(["*"], ["journey:session:view", "journey:event:view", "journey:eventType:view"])
    steps = [
        event("product_purchased", "10:00:00", {"type": "delivery", "externalId": "order-1"}, None,
              {"orderId": "order-1"}, "order"),
        page_view("10:00:05", None, "/home", "web"),
        event("conversation_started", "10:00:10", {"type": "conversation", "externalId": "conv-1"}, None,
              {"channel": "voice"}, "conv"),
        journey(no_type_view, {"entities": [{"id": "$conv"}], "nextCursor": None}),
        # Reading by id follows the listing: NOT_FOUND, exactly as for an id that never existed.
        events("$order", no_type_view, NOT_FOUND),
        events("$web", no_type_view, NOT_FOUND),
        events("$conv", no_type_view, {"entities": [{"eventName": "conversation_started"}]}),
        events("$order", viewer(["*"]), {"entities": [{"attributes": {"orderId": "order-1"}}]}),
    ]
    return {"name": "divisions: session_events follows journey:sessionType:view like the listing does; a custom "
                    "or web session it would not list is NOT_FOUND",
            "catalog": CATALOG, "config": CONFIG, "steps": steps}


def main():
    out = pathlib.Path("tests/vectors")
    for name, vector in [("divisions_web_sessions", web_merges()), ("divisions_messaging_card", messaging_card()),
                         ("divisions_session_type_view", session_type_view())]:
        (out / f"{name}.json").write_text(json.dumps(vector, indent=1) + "\n")


if __name__ == "__main__":
    main()
