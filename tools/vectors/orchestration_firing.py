#!/usr/bin/env python3
"""Writes the orchestration evaluation vectors (docs/orchestration.md, "Evaluation" and "Firing")
into tests/vectors/: segments and outcomes on cards, web actions a map records, weights, frequency
caps and schedules, custom events to agents, callbacks, and delayed activations. Every vector runs
in all four languages, on a memory and a durable engine (the `reopen` steps check that what a map
did, and that it fired, survive a restart). Run from the repository root.
"""
import json
import pathlib

CATALOG = {"sessionTypes": [
    {"name": "delivery", "kind": "custom", "displayName": "Delivery",
     "attributes": [{"name": "status", "type": "string"}],
     "eventTypes": [
         {"name": "status_changed", "attributes": [
             {"name": "status", "type": "enum", "values": ["on_time", "delayed", "delivered"], "required": True},
             {"name": "agent", "type": "string"}]},
         {"name": "item_delivered", "attributes": [{"name": "amount", "type": "decimal"}]}]},
    {"name": "website", "kind": "web", "displayName": "Website visit", "inactivityGap": "30m",
     "eventTypes": [{"name": "page_viewed", "attributes": [
         {"name": "url", "type": "string"}, {"name": "title", "type": "string"}]}]}]}
CONFIG = {"clock": "manual", "start": "2026-11-21T10:00:00Z"}

RETURNS = "0a5e7c9d-0000-4000-8000-000000000002"
HELP = "0a5e7c9d-0000-4000-8000-000000000003"
DELAYED = "b1c2d3e4-0000-4000-8000-000000000001"
DELIVERED = "c3d4e5f6-0000-4000-8000-000000000003"
OFFER = "f1000000-0000-4000-8000-000000000001"
CHAT = "f1000000-0000-4000-8000-000000000002"
HELP_OFFER = "f1000000-0000-4000-8000-000000000003"
NOTIFY = "f1000000-0000-4000-8000-000000000004"
TELL = "f1000000-0000-4000-8000-000000000005"
LATER = "f1000000-0000-4000-8000-000000000006"
NEXT = "f1000000-0000-4000-8000-000000000007"
UNKNOWN_SEGMENT = "0a5e7c9d-0000-4000-8000-0000000000ff"
SHOPPERS = [f"0f8fad5b-d9cb-469f-a165-7086772895{n:02d}" for n in range(10)]
DANA = {"id": "dana@example.com", "idType": "email"}
VIEWER = {"permissions": ["journey:session:view", "journey:sessionType:view", "journey:event:view",
                          "journey:eventType:view"]}


def step(op, value=None, expect=None, save=None):
    s = {"op": op, "input": value}
    if expect is not None:
        s["expect"] = expect
    if save is not None:
        s["save"] = save
    return s


def cookie(n):
    return {"id": SHOPPERS[n], "idType": "cookie"}


def page(n, time, url, save=None):
    event = {"eventName": "page_viewed", "createdDate": time, "customer": cookie(n),
             "session": {"type": "website"}, "attributes": {"url": url}}
    return step("ingest", event, {"status": "accepted"}, save)


def status(customer, time, external_id, value, agent=None):
    attributes = {"status": value}
    if agent:
        attributes["agent"] = agent
    event = {"eventName": "status_changed", "createdDate": time, "customer": customer,
             "session": {"type": "delivery", "externalId": external_id}, "attributes": attributes}
    return step("ingest", event, {"status": "accepted"})


def url_segment(segment_id, name, url, count):
    return {"id": segment_id, "displayName": name, "isActive": True, "scope": "Session",
            "journey": {"patterns": [{
                "criteria": [{"key": "page.url", "values": [url], "operator": "containsAny", "shouldIgnoreCase": True}],
                "count": count, "streamType": "Web", "sessionType": "website", "eventName": "page_viewed"}]}}


def web_map(map_id, name, segment, media, **extra):
    action = {"mediaType": media}
    if media == "contentOffer":
        action["actionTemplate"] = {"name": "Returns guide"}
    definition = {"id": map_id, "displayName": name, "isActive": True, "triggerWithSegments": [segment],
                  "activation": {"type": "immediate"}, "weight": 2, "ignoreFrequencyCap": False,
                  "action": action}
    definition.update(extra)
    return definition


def action(state, media, map_id, n, session):
    return {"actionState": state, "actionMediaType": media, "actionMapId": map_id, "actionMapVersion": 1,
            "customerId": SHOPPERS[n], "customerIdType": "cookie", "sessionId": session}


def content_offer():
    steps = [
        step("putSegment", url_segment(RETURNS, "Viewed the returns page twice", "/returns", 2), {"version": 1}),
        step("putActionMap", web_map(OFFER, "Offer the returns guide", RETURNS, "contentOffer"), {"version": 1}),
        step("subscribe", {"pattern": "contentoffer:all", "label": "offers"}, {"subscriptionId": 1}),
        page(0, "2026-11-21T09:50:00Z", "/shop", save={"w": "/sessionId"}),
        page(0, "2026-11-21T09:51:00Z", "/help/returns"),
        step("deliveries", {"label": "offers"}, {"events": []}),
        step("explainActionMap", {"actionMapId": OFFER, "sessionId": "$w"}, {
            "actionMapId": OFFER, "version": 1, "sessionId": "$w", "isActive": True, "qualification": None,
            "segments": [{"segmentId": RETURNS, "held": False,
                          "patterns": [{"needed": 2, "counted": 1, "countedLive": 1}]}],
            "conditions": [], "pageUrlMatched": None, "withinDates": True, "scheduleOpen": None,
            "stoppedBy": "conditions"}),
        step("journey", {"customer": cookie(0), "viewer": VIEWER},
             {"entities": [{"id": "$w", "segmentAssignments": [], "outcomeAchievements": []}]}),
        page(0, "2026-11-21T09:52:00Z", "/returns/form"),
        step("deliveries", {"label": "offers"},
             {"events": [dict(action("qualified", "contentoffer", OFFER, 0, "$w"),
                              createdDate="2026-11-21T10:00:00.000Z")]},
             save={"offer": "/events/0/actionId"}),
        step("journey", {"customer": cookie(0), "viewer": VIEWER},
             {"entities": [{"id": "$w", "segmentAssignments": [
                 {"segmentId": RETURNS, "assignedDate": "2026-11-21T09:52:00.000Z"}], "outcomeAchievements": []}]}),
        step("segments", {"customer": cookie(0)}, {"entities": [
            {"segmentId": RETURNS, "scope": "Session", "sessionId": "$w",
             "assignedDate": "2026-11-21T09:52:00.000Z"}]}),
        step("explainActionMap", {"actionMapId": OFFER, "sessionId": "$w"}, {
            "qualification": {"version": 1, "qualifiedDate": "2026-11-21T10:00:00.000Z", "verdict": "fired",
                              "actionId": "$offer"},
            "segments": [{"segmentId": RETURNS, "held": True,
                          "patterns": [{"needed": 2, "counted": 2, "countedLive": 2}]}],
            "stoppedBy": None}),
        # A draft that would offer on one view of the returns page: it counts, and stores nothing.
        step("putSegment", url_segment(HELP, "Viewed returns once", "/returns", 1), {"version": 1}),
        step("estimateActionMap", {"actionMap": web_map(HELP_OFFER, "draft", HELP, "webchat")}, {
            "qualifiedSessionCount": 1, "totalSessionCount": 1,
            "perSegmentCounts": [{"segmentId": HELP, "count": 1}]}),
        step("estimateActionMap", {"actionMap": web_map(HELP_OFFER, "draft", HELP, "webchat"),
                                   "from": "2026-11-21T09:53:00Z"}, {
            "qualifiedSessionCount": 0, "totalSessionCount": 0}),
        step("estimateActionMap", {"actionMap": web_map(HELP_OFFER, "draft", UNKNOWN_SEGMENT, "webchat")},
             {"error": {"code": "INVALID_ARGUMENT",
                        "message": f"invalid argument: /actionMap/triggerWithSegments/0: no segment '{UNKNOWN_SEGMENT}'"}}),
        step("listActionMaps", None, {"entities": [{"id": OFFER}]}),
        # The next view counts for the segment put since (evaluation counts from a put on), and
        # the content offer, which qualified in this session, does not qualify again.
        page(0, "2026-11-21T09:53:00Z", "/returns"),
        step("deliveries", {"label": "offers"}, {"events": [{"actionState": "qualified"}]}),
        step("stats", None, {"segmentsAssigned": 2, "actionMapsQualified": 1, "actionMapsFired": 1,
                             "actionMapsCapped": 0}),
        step("recordActionEvent", dict(action("offered", "contentoffer", OFFER, 0, "$w"), actionId="$offer"),
             {"actionId": "$offer", "actionState": "offered", "previousState": "qualified", "duplicate": False}),
        step("reopen"),
        page(0, "2026-11-21T09:54:00Z", "/returns"),
        step("stats", None, {"segmentsAssigned": 2, "actionMapsQualified": 1, "actionMapsFired": 1}),
        step("journey", {"customer": cookie(0), "viewer": VIEWER},
             {"entities": [{"id": "$w", "eventCount": 5, "segmentAssignments": [
                 {"segmentId": RETURNS}, {"segmentId": HELP, "assignedDate": "2026-11-21T09:53:00.000Z"}]}]}),
        step("recordActionEvent", dict(action("accepted", "contentoffer", OFFER, 0, "$w"), actionId="$offer"),
             {"previousState": "offered"}),
    ]
    return {"name": "orchestration: a content offer qualifies once a session has viewed the returns page twice, "
                    "recorded through the web action lifecycle with a deterministic action id; the card and "
                    "segments() show the assignment; nothing fires twice, across a reopen",
            "catalog": CATALOG, "config": CONFIG, "steps": steps}


def caps_and_weights():
    paris_monday = {"timeZone": "Europe/Paris", "weekly": [{"day": "monday", "from": "09:00", "to": "17:00"}]}
    steps = [
        step("putSegment", url_segment(RETURNS, "Viewed returns", "/returns", 1), {"version": 1}),
        step("putSegment", url_segment(HELP, "Viewed help", "/help", 1), {"version": 1}),
        step("putActionMap", web_map(CHAT, "Chat about returns", RETURNS, "webchat", weight=3), {"version": 1}),
        step("putActionMap", web_map(OFFER, "Returns guide", RETURNS, "contentOffer"), {"version": 1}),
        step("putActionMap", web_map(HELP_OFFER, "Help guide", HELP, "contentOffer"), {"version": 1}),
        step("subscribe", {"pattern": "all:all", "label": "actions"}, {"subscriptionId": 1}),
        # Two maps qualify on one event: the heavier chat fires, the content offer is outweighed.
        page(1, "2026-11-21T09:59:00Z", "/returns", save={"w1": "/sessionId"}),
        step("deliveries", {"label": "actions"},
             {"events": [action("qualified", "webchat", CHAT, 1, "$w1")]}),
        step("stats", None, {"actionMapsQualified": 2, "actionMapsFired": 1, "actionMapsCapped": 0}),
        step("explainActionMap", {"actionMapId": OFFER, "sessionId": "$w1"}, {
            "qualification": {"verdict": "outweighed", "actionId": None}, "stoppedBy": "weight"}),
        # A second content offer within minOfferGap (60 s) of the first in the same session is capped.
        page(2, "2026-11-21T09:59:00Z", "/help", save={"w2": "/sessionId"}),
        step("advance", "30s", {}),
        page(2, "2026-11-21T10:00:20Z", "/returns"),
        step("deliveries", {"label": "actions"}, {"events": [
            {"actionMediaType": "webchat"},
            action("qualified", "contentoffer", HELP_OFFER, 2, "$w2"),
            action("qualified", "webchat", CHAT, 2, "$w2"),
        ]}),
        step("stats", None, {"actionMapsQualified": 5, "actionMapsFired": 3, "actionMapsCapped": 0}),
    ]
    capped = [
        step("putSegment", url_segment(RETURNS, "Viewed returns", "/returns", 1), {"version": 1}),
        step("putSegment", url_segment(HELP, "Viewed help", "/help", 1), {"version": 1}),
        step("putActionMap", web_map(OFFER, "Returns guide", RETURNS, "contentOffer"), {"version": 1}),
        step("putActionMap", web_map(HELP_OFFER, "Help guide", HELP, "contentOffer"), {"version": 1}),
        step("subscribe", {"pattern": "contentoffer:all", "label": "offers"}, {"subscriptionId": 1}),
        page(3, "2026-11-21T09:59:30Z", "/help", save={"w": "/sessionId"}),
        page(3, "2026-11-21T10:00:00Z", "/returns"),
        step("deliveries", {"label": "offers"}, {"events": [
            action("qualified", "contentoffer", HELP_OFFER, 3, "$w"),
            action("qualified", "contentoffer", OFFER, 3, "$w"),
            action("frequencyCapReached", "contentoffer", OFFER, 3, "$w"),
        ]}),
        step("stats", None, {"actionMapsQualified": 2, "actionMapsFired": 1, "actionMapsCapped": 1}),
        step("explainActionMap", {"actionMapId": OFFER, "sessionId": "$w"}, {
            "qualification": {"verdict": "capped"}, "stoppedBy": "frequencyCap"}),
        # A rejected offer caps the next of its media type in the session, however long after.
        page(4, "2026-11-21T10:00:00Z", "/help", save={"v": "/sessionId"}),
        step("deliveries", {"label": "offers"}, {"events": [{}, {}, {}, action("qualified", "contentoffer",
                                                                                 HELP_OFFER, 4, "$v")]},
             save={"help": "/events/3/actionId"}),
        step("recordActionEvent", dict(action("offered", "contentoffer", HELP_OFFER, 4, "$v"), actionId="$help"),
             {"actionState": "offered"}),
        step("recordActionEvent", dict(action("rejected", "contentoffer", HELP_OFFER, 4, "$v"), actionId="$help"),
             {"actionState": "rejected"}),
        step("advance", "5m", {}),
        page(4, "2026-11-21T10:04:00Z", "/returns"),
        step("deliveries", {"label": "offers"}, {"events": [{}, {}, {}, {}, {"actionState": "offered"},
                                                            {"actionState": "rejected"},
                                                            action("qualified", "contentoffer", OFFER, 4, "$v"),
                                                            action("frequencyCapReached", "contentoffer", OFFER, 4,
                                                                   "$v")]}),
    ]
    scheduled = [
        step("putSegment", url_segment(RETURNS, "Viewed returns", "/returns", 1), {"version": 1}),
        # 2026-11-21 is a Saturday: a map open on Monday business hours in Paris is outside them.
        step("putActionMap", web_map(CHAT, "Chat on weekdays", RETURNS, "webchat", schedule=paris_monday),
             {"version": 1, "schedule": paris_monday}),
        step("subscribe", {"pattern": "webchat:all", "label": "chats"}, {"subscriptionId": 1}),
        page(5, "2026-11-21T09:59:00Z", "/returns", save={"w": "/sessionId"}),
        step("deliveries", {"label": "chats"}, {"events": [
            action("qualified", "webchat", CHAT, 5, "$w"),
            action("qualifiedOutsideSchedule", "webchat", CHAT, 5, "$w")]}),
        step("stats", None, {"actionMapsQualified": 1, "actionMapsFired": 0, "actionMapsCapped": 1}),
        step("explainActionMap", {"actionMapId": CHAT, "sessionId": "$w"}, {
            "qualification": {"verdict": "outsideSchedule"}, "scheduleOpen": False, "stoppedBy": "schedule"}),
        # On Monday at 10:00 in Paris (09:00 UTC) a new session's chat fires.
        step("setNow", "2026-11-23T09:00:00Z", {}),
        page(6, "2026-11-23T09:00:00Z", "/returns", save={"x": "/sessionId"}),
        step("deliveries", {"label": "chats"}, {"events": [{}, {}, action("qualified", "webchat", CHAT, 6, "$x")]}),
    ]
    note = ("web offers that qualify on one event compete on weight: the heavier fires, the other is "
            "outweighed and does not qualify again in the session; custom events and callbacks do not compete")
    return [
        {"name": f"orchestration caps: {note}", "catalog": CATALOG, "config": CONFIG, "steps": steps},
        {"name": "orchestration caps: a capped map is recorded as qualified then frequencyCapReached, in the same "
                 "change, and counted", "catalog": CATALOG, "config": CONFIG, "steps": capped},
        {"name": "orchestration schedules: a map outside its weekly hours in its time zone is recorded as "
                 "qualified then qualifiedOutsideSchedule", "catalog": CATALOG, "config": CONFIG, "steps": scheduled},
    ]


def agents_and_callbacks():
    delayed = {"id": DELAYED, "displayName": "Delivery delayed", "scope": "Customer", "assignmentExpirationDays": 2,
               "journey": {"patterns": [{"criteria": [{"key": "attributes.status.value", "values": ["delayed"]}],
                                         "count": 1, "streamType": "Custom", "sessionType": "delivery",
                                         "eventName": "status_changed"}]}}
    delivered = {"id": DELIVERED, "displayName": "Order delivered", "isPositive": True,
                 "journey": {"patterns": [{"criteria": [], "count": 1, "streamType": "Custom",
                                           "eventName": "item_delivered"}]},
                 "associatedValueField": {"name": "attributes.amount.value", "dataType": "Number"}}
    notify = {"id": NOTIFY, "displayName": "Tell the courier's agent", "triggerWithSegments": [DELAYED],
              "action": {"mediaType": "customEvent", "agentIdFrom": "attributes.agent", "eventName": "deliveryDelayed",
                         "data": {"message": "the parcel is late"}, "persistInMemory": True}}
    tell = {"id": TELL, "displayName": "Tell the host", "triggerWithSegments": [DELAYED],
            "action": {"mediaType": "callback"}}
    steps = [
        step("putSegment", delayed, {"version": 1, "scope": "Customer"}),
        step("putOutcome", delivered, {"version": 1}),
        step("putActionMap", notify, {"version": 1}),
        step("putActionMap", tell, {"version": 1}),
        step("startAgentSession", {"agentId": "agent-7"}, save={"agent": "/sessionId"}),
        step("subscribe", {"pattern": f"trigger:{TELL}", "label": "triggers"}, {"subscriptionId": 1}),
        status(DANA, "2026-11-21T09:40:00Z", "order-1", "on_time", agent="agent-7"),
        step("nextEvents", {"sessionId": "$agent", "timeoutMs": 0},
             {"status": "events", "events": [{"type": "AgentSessionStart"}]}),
        status(DANA, "2026-11-21T09:50:00Z", "order-1", "delayed", agent="agent-7"),
        step("nextEvents", {"sessionId": "$agent", "timeoutMs": 0}, {"status": "events", "events": [
            {"type": "CustomEvent", "eventName": "deliveryDelayed", "data": "{\"message\":\"the parcel is late\"}",
             "agentId": "agent-7", "createdDate": "2026-11-21T10:00:00.000Z"}]}),
        step("deliveries", {"label": "triggers"}, {"events": [
            {"actionMapId": TELL, "version": 1, "customer": DANA, "firedDate": "2026-11-21T10:00:00.000Z"}]}),
        step("segments", {"customer": DANA}, {"entities": [
            {"segmentId": DELAYED, "scope": "Customer", "assignedDate": "2026-11-21T09:50:00.000Z",
             "dateForUnassignment": "2026-11-23T09:50:00.000Z"}]}),
        {"op": "ingest", "input": {"eventName": "item_delivered", "createdDate": "2026-11-21T09:55:00Z",
                                   "customer": DANA, "session": {"type": "delivery", "externalId": "order-1"},
                                   "attributes": {"amount": 42.5}},
         "expect": {"status": "accepted"}, "save": {"order": "/sessionId"}},
        step("journey", {"customer": DANA, "viewer": VIEWER}, {"entities": [
            {"id": "$order", "segmentAssignments": [], "outcomeAchievements": [
                {"outcomeId": DELIVERED, "achievedDate": "2026-11-21T09:55:00.000Z", "value": 42.5}]}]}),
        step("stats", None, {"segmentsAssigned": 1, "outcomesAchieved": 1, "actionMapsQualified": 2,
                             "actionMapsFired": 2, "customEventsQueued": 1}),
        step("reopen"),
        # The customer segment is still held: a new order's session qualifies both maps again.
        status(DANA, "2026-11-21T09:58:00Z", "order-2", "on_time", agent="agent-7"),
        step("nextEvents", {"sessionId": "$agent", "timeoutMs": 0}, {"status": "events", "events": [
            {"type": "CustomEvent", "eventName": "deliveryDelayed"}]}),
        step("stats", None, {"segmentsAssigned": 1, "outcomesAchieved": 1, "actionMapsQualified": 4,
                             "actionMapsFired": 4}),
        step("segments", {"customer": DANA}, {"entities": [{"segmentId": DELAYED, "scope": "Customer"}]}),
        step("setNow", "2026-11-23T10:00:00Z", {}),
        step("segments", {"customer": DANA}, {"entities": []}),
    ]
    return {"name": "orchestration: a customer segment triggers a custom event to the agent an event attribute names "
                    "and a callback to trigger: subscribers; an outcome is achieved with its value; the customer "
                    "segment lasts across sessions and a reopen until assignmentExpirationDays",
            "catalog": CATALOG, "config": CONFIG, "steps": steps}


def activations():
    later = web_map(LATER, "Offer the guide a minute later", RETURNS, "contentOffer",
                    activation={"type": "delay", "delayInSeconds": 60})
    nxt = {"id": NEXT, "displayName": "Welcome back", "triggerWithSegments": [RETURNS],
           "activation": {"type": "on-next-session"}, "action": {"mediaType": "callback"}}
    steps = [
        step("putSegment", url_segment(RETURNS, "Viewed returns", "/returns", 1), {"version": 1}),
        step("putActionMap", later, {"version": 1}),
        step("putActionMap", nxt, {"version": 1}),
        step("subscribe", {"pattern": "contentoffer:all", "label": "offers"}, {"subscriptionId": 1}),
        step("subscribe", {"pattern": "trigger:all", "label": "triggers"}, {"subscriptionId": 2}),
        page(7, "2026-11-21T10:00:00Z", "/returns", save={"w": "/sessionId"}),
        step("deliveries", {"label": "offers"}, {"events": []}),
        step("stats", None, {"actionMapsQualified": 2, "actionMapsFired": 0}),
        step("reopen"),
        # Subscriptions belong to the host, not the store: a reopened engine has none.
        step("subscribe", {"pattern": "contentoffer:all", "label": "offers-after"}),
        step("subscribe", {"pattern": "trigger:all", "label": "triggers-after"}),
        step("advance", "59s", {}),
        step("deliveries", {"label": "offers-after"}, {"events": []}),
        step("advance", "1s", {}),
        step("deliveries", {"label": "offers-after"}, {"events": [
            dict(action("qualified", "contentoffer", LATER, 7, "$w"), createdDate="2026-11-21T10:01:00.000Z")]}),
        step("stats", None, {"actionMapsQualified": 2, "actionMapsFired": 1}),
        # A delay whose session has lapsed (30 minutes without an event) is withdrawn.
        page(8, "2026-11-21T10:01:00Z", "/returns", save={"v": "/sessionId"}),
        step("setNow", "2026-11-21T10:40:00Z", {}),
        step("deliveries", {"label": "offers-after"}, {"events": [{"customerId": SHOPPERS[7]}]}),
        step("stats", None, {"actionMapsQualified": 4, "actionMapsFired": 1}),
        # The next session of a customer with an on-next-session map waiting fires it at its start.
        page(7, "2026-11-21T10:39:00Z", "/home", save={"w2": "/sessionId"}),
        step("deliveries", {"label": "triggers-after"}, {"events": [
            {"actionMapId": NEXT, "version": 1, "sessionId": "$w2", "customer": cookie(7),
             "firedDate": "2026-11-21T10:40:00.000Z"}]}),
        step("stats", None, {"actionMapsQualified": 4, "actionMapsFired": 2}),
    ]
    return {"name": "orchestration activations: a delay fires when the clock passes it (across a reopen), is "
                    "withdrawn when its session has lapsed; on-next-session fires at the customer's next session",
            "catalog": CATALOG, "config": CONFIG, "steps": steps}


def main():
    out = pathlib.Path("tests/vectors")
    caps, capped, scheduled = caps_and_weights()
    vectors = {
        "orchestration_content_offer": content_offer(),
        "orchestration_weights": caps,
        "orchestration_caps": capped,
        "orchestration_schedule": scheduled,
        "orchestration_agents_and_callbacks": agents_and_callbacks(),
        "orchestration_activations": activations(),
    }
    for name, vector in vectors.items():
        (out / f"{name}.json").write_text(json.dumps(vector, indent=1) + "\n")


if __name__ == "__main__":
    main()
