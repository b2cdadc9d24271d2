#!/usr/bin/env python3
"""Writes the orchestration definition vectors (docs/orchestration.md, "Ops") into tests/vectors/.

The definitions are given in the JSON forms of the Genesys journey API (`JourneySegment`,
`Outcome`, `ActionMap`), as an export carries them (`null` fields included), with explicit ids so
that every expectation is exact; dates come from the manual clock. Run from the repository root.
"""
import json
import pathlib

CATALOG = {"sessionTypes": [
    {"name": "delivery", "kind": "custom", "displayName": "Delivery",
     "attributes": [{"name": "status", "type": "string"}],
     "eventTypes": [
         {"name": "status_changed", "attributes": [
             {"name": "status", "type": "enum", "values": ["on_time", "delayed", "delivered"], "required": True},
             {"name": "minutesLate", "type": "integer"}]},
         {"name": "item_delivered", "attributes": [{"name": "amount", "type": "decimal"}]}]},
    {"name": "website", "kind": "web", "displayName": "Website visit",
     "eventTypes": [{"name": "page_viewed", "attributes": [
         {"name": "url", "type": "string"}, {"name": "title", "type": "string"}]}]}]}
CONFIG = {"clock": "manual", "start": "2026-11-21T10:00:00Z"}

DELAYED = "b1c2d3e4-0000-4000-8000-000000000001"
RETURNS = "0a5e7c9d-0000-4000-8000-000000000002"
DELIVERED = "c3d4e5f6-0000-4000-8000-000000000003"
CHAT = "d4e5f6a7-0000-4000-8000-000000000004"
UNKNOWN = "e5f6a7b8-0000-4000-8000-0000000000ff"
T0, T5 = "2026-11-21T10:00:00.000Z", "2026-11-21T10:05:00.000Z"


def delayed_segment(**extra):
    """A session segment as Genesys exports one: unset fields as null, an empty context."""
    segment = {
        "id": DELAYED, "displayName": "Delivery delayed", "description": None, "color": "#e5a000",
        "isActive": True, "scope": "Session", "shouldDisplayToAgent": True,
        "context": {"patterns": []}, "externalSegment": None, "assignmentExpirationDays": None,
        "journey": {"patterns": [{
            "criteria": [{"key": "attributes.status.value", "values": ["delayed"], "operator": "equal",
                          "shouldIgnoreCase": False}],
            "count": 1, "streamType": "Custom", "sessionType": "delivery", "eventName": "status_changed"}]},
        "selfUri": f"/api/v2/journey/segments/{DELAYED}",
    }
    segment.update(extra)
    return segment


def returns_segment():
    return {"id": RETURNS, "displayName": "Viewed the returns page twice", "isActive": True, "scope": "Session",
            "journey": {"patterns": [{
                "criteria": [{"key": "page.url", "values": ["/returns"], "operator": "containsAny",
                              "shouldIgnoreCase": True}],
                "count": 2, "streamType": "Web", "sessionType": "website", "eventName": "page_viewed"}]}}


def delivered_outcome():
    return {"id": DELIVERED, "displayName": "Order delivered", "description": "Delivered, with the amount paid",
            "isActive": True, "isPositive": True, "context": None,
            "journey": {"patterns": [{"criteria": [], "count": 1, "streamType": "Custom", "sessionType": "delivery",
                                      "eventName": "item_delivered"}]},
            "associatedValueField": {"dataType": "Number", "name": "attributes.amount.value"}}


def chat_map(**extra):
    """An action map as Genesys exports one: empty refused-unless-empty fields load."""
    action_map = {
        "id": CHAT, "displayName": "Offer a chat when the delivery is late", "isActive": True,
        "triggerWithSegments": [DELAYED], "triggerWithEventConditions": [],
        "triggerWithOutcomeProbabilityConditions": [], "pageUrlConditions": [],
        "activation": {"type": "immediate"}, "weight": 2, "ignoreFrequencyCap": False,
        "action": {"mediaType": "webchat", "actionTargetId": None, "isPacingEnabled": False,
                   "props": {"chatTitle": "Where is my parcel?"}},
        "actionMapScheduleGroups": None, "startDate": "2026-11-01T00:00:00.000Z", "endDate": None,
    }
    action_map.update(extra)
    return action_map


def step(op, value=None, expect=None, save=None):
    s = {"op": op}
    if value is not None:
        s["input"] = value
    if expect is not None:
        s["expect"] = expect
    if save:
        s["save"] = save
    return s


def refused(message, code="INVALID_ARGUMENT"):
    error = {"code": code}
    if message is not None:
        error["message"] = message
    return {"error": error}


def invalid(pointer_and_reason):
    return refused(f"invalid argument: {pointer_and_reason}")


def listed(*entities):
    return {"entities": list(entities)}


def lifecycle():
    """Put, replace, list, delete and reopen, with the answers of each."""
    stored_segment = {
        "id": DELAYED, "version": 1, "createdDate": T0, "modifiedDate": T0, "displayName": "Delivery delayed",
        "color": "#e5a000", "shouldDisplayToAgent": True, "selfUri": f"/api/v2/journey/segments/{DELAYED}",
        "isActive": True, "scope": "Session",
        # The key is stored in libjourney's spelling of an event attribute.
        "journey": {"patterns": [{
            "criteria": [{"key": "attributes.status", "values": ["delayed"], "operator": "equal",
                          "shouldIgnoreCase": False}],
            "count": 1, "streamType": "Custom", "sessionType": "delivery", "eventName": "status_changed"}]},
    }
    steps = [
        step("listSegments", expect=listed()),
        step("putSegment", delayed_segment(), stored_segment),
        step("advance", "5m"),
        # A replace that carries the stored version: +1, created when it was, modified now.
        step("putSegment", delayed_segment(version=1, displayName="Delivery late"),
             {"id": DELAYED, "version": 2, "createdDate": T0, "modifiedDate": T5, "displayName": "Delivery late"}),
        # A stale version is refused, naming both.
        step("putSegment", delayed_segment(version=1),
             invalid(f"/version: 1, but the stored segment '{DELAYED}' is at version 2")),
        # A replace without a version replaces whatever is stored.
        step("putSegment", delayed_segment(displayName="Delivery delayed"),
             {"id": DELAYED, "version": 3, "createdDate": T0, "modifiedDate": T5}),
        step("putSegment", returns_segment(), {"id": RETURNS, "version": 1, "createdDate": T5}),
        step("putOutcome", delivered_outcome(),
             {"id": DELIVERED, "version": 1, "isPositive": True, "createdDate": T5,
              "associatedValueField": {"dataType": "Number", "name": "attributes.amount"}}),
        step("putActionMap", chat_map(),
             {"id": CHAT, "version": 1, "weight": 2, "triggerWithSegments": [DELAYED],
              "activation": {"type": "immediate"}, "createdDate": T5,
              "action": {"mediaType": "webchat", "isPacingEnabled": False,
                         "props": {"chatTitle": "Where is my parcel?"}}}),
        # In id order, not the order they were put in.
        step("listSegments", expect=listed({"id": RETURNS, "version": 1}, {"id": DELAYED, "version": 3})),
        step("listOutcomes", expect=listed({"id": DELIVERED, "version": 1, "displayName": "Order delivered"})),
        step("listActionMaps", expect=listed({"id": CHAT, "version": 1, "triggerWithSegments": [DELAYED]})),
        # A map that names a segment that does not exist, and a segment a map uses.
        step("putActionMap", chat_map(id=UNKNOWN, triggerWithSegments=[UNKNOWN]),
             invalid(f"/triggerWithSegments/0: no segment '{UNKNOWN}'")),
        step("deleteSegment", {"id": DELAYED},
             invalid(f"segment '{DELAYED}' triggers action map '{CHAT}': delete or change the map first")),
        step("reopen"),
        step("listSegments", expect=listed({"id": RETURNS, "version": 1}, {"id": DELAYED, "version": 3})),
        step("listActionMaps", expect=listed({"id": CHAT, "version": 1, "createdDate": T5})),
        step("deleteActionMap", {"id": CHAT}, {}),
        step("deleteSegment", {"id": DELAYED}, {}),
        step("deleteSegment", {"id": DELAYED}, refused(f"not found: no segment '{DELAYED}'", "NOT_FOUND")),
        step("deleteOutcome", {"id": UNKNOWN}, refused(f"not found: no outcome '{UNKNOWN}'", "NOT_FOUND")),
        step("deleteActionMap", {"id": CHAT}, refused(f"not found: no action map '{CHAT}'", "NOT_FOUND")),
        step("reopen"),
        step("listSegments", expect=listed({"id": RETURNS, "version": 1, "createdDate": T5})),
        step("listOutcomes", expect=listed({"id": DELIVERED, "version": 1})),
        step("listActionMaps", expect=listed()),
        # Created again under its id, a deleted definition goes on from its last version (3), so
        # nothing evaluation kept for the old one is taken for the new one; a reopen kept it.
        step("putSegment", delayed_segment(), {"id": DELAYED, "version": 4, "createdDate": T5}),
    ]
    return {"name": "orchestration definitions: put creates at version 1 and replaces at +1 (a stale version is "
                    "refused), lists in id order, deletes (NOT_FOUND when gone; a segment a map uses is kept), all "
                    "across a reopen; Genesys exports load as given, dates from the engine's clock",
            "catalog": CATALOG, "config": CONFIG, "steps": steps}


def pattern_with(criterion, **extra):
    pattern = {"criteria": [criterion], "count": 1, "streamType": "Custom", "sessionType": "delivery",
               "eventName": "status_changed"}
    pattern.update(extra)
    return {"id": DELAYED, "displayName": "Bad", "journey": {"patterns": [pattern]}}


def status(**extra):
    criterion = {"key": "attributes.status.value", "values": ["delayed"]}
    criterion.update(extra)
    return criterion


OPERATORS = ("`equal`, `notEqual`, `containsAll`, `containsAny`, `notContainsAll`, `notContainsAny`, "
             "`greaterThan`, `greaterThanOrEqual`, `lessThan`, `lessThanOrEqual`, `startsWith`, `endsWith`")
MEDIA_TYPES = ("`webchat`, `webMessagingOffer`, `contentOffer`, `customEvent`, `callback`, `integrationAction`, "
               "`architectFlow`, `openAction`")


def bad_definitions():
    """Each bad definition is refused naming its field by JSON pointer, and nothing changes."""
    at = "/journey/patterns/0"
    steps = [
        step("putSegment", pattern_with(status(operator="matches")),
             invalid(f"{at}/criteria/0/operator: unknown variant `matches`, expected one of {OPERATORS}")),
        step("putSegment", pattern_with(status(key="cart.total")),
             invalid(f"{at}/criteria/0/key: unknown key 'cart.total': expected eventName, attributes.<name>, "
                     "session.attributes.<name>, or one of page.url, page.title, page.hostname, page.pathname, "
                     "page.domain, page.fragment, page.keywords, page.queryString, searchQuery")),
        step("putSegment", pattern_with(status(key="attributes.weather.value")),
             invalid(f"{at}/criteria/0/key: no attribute 'weather' on the events this can count")),
        step("putSegment", pattern_with(status(operator="greaterThan")),
             invalid(f"{at}/criteria/0/operator: an enum attribute has no order")),
        step("putSegment", pattern_with(status(key="attributes.minutesLate", values=["late"])),
             invalid(f"{at}/criteria/0/values/0: 'late' is not an integer value")),
        step("putSegment", pattern_with(status(), streamType="App"),
             invalid(f"{at}/streamType: unknown variant `App`, expected one of `Web`, `Custom`, `Conversation`")),
        step("putSegment", pattern_with(status(), eventName="parcel_lost"),
             invalid(f"{at}/eventName: no event type 'parcel_lost' on this stream")),
        step("putSegment", dict(pattern_with(status()), id="order-1"), invalid("/id: 'order-1' is not a UUID")),
        step("putSegment", dict(pattern_with(status()), colour="red"),
             invalid("/colour: unknown field `colour`, expected one of `id`, `version`, `displayName`, `isActive`, "
                     "`scope`, `journey`, `assignmentExpirationDays`, `color`, `shouldDisplayToAgent`, "
                     "`description`, `selfUri`, `createdDate`, `modifiedDate`, `context`, `externalSegment`")),
        step("putSegment", dict(pattern_with(status()), context={"patterns": [{"criteria": []}]}),
             invalid("/context: not supported: visitor-attribute context patterns are not tracked")),
        step("putOutcome", {"id": DELIVERED, "displayName": "Paid", "journey": {"patterns": [
            {"count": 1, "streamType": "Custom", "eventName": "status_changed"}]},
            "associatedValueField": {"dataType": "Number", "name": "attributes.amount"}},
            invalid("/associatedValueField/name: the events the patterns count have no Number attribute 'amount'")),
        # The map's checks; its segment exists, so each refusal is the map's own.
        step("putSegment", delayed_segment(), {"version": 1}),
        step("putActionMap", chat_map(weight=4), invalid("/weight: 4; from 1 (low) to 3 (high)")),
        step("putActionMap", chat_map(triggerWithEventConditions=[dict(status(), streamType="Custom")]),
             invalid("/triggerWithEventConditions: a map triggers with segments or with event conditions, "
                     "not both")),
        step("putActionMap", chat_map(action={"mediaType": "sms"}),
             invalid(f"/action/mediaType: unknown variant `sms`, expected one of {MEDIA_TYPES}")),
        step("putActionMap", chat_map(actionMapScheduleGroups=[{"id": "5f0a"}]),
             invalid("/actionMapScheduleGroups: not supported: use 'schedule'")),
        step("putActionMap", chat_map(triggerWithSegments=[], triggerWithEventConditions=[
            {"key": "attributes.weather", "values": ["rain"], "streamType": "Custom"}]),
             invalid("/triggerWithEventConditions/0/key: no attribute 'weather' on the events this can count")),
        # Nothing of the refused puts was kept.
        step("listSegments", expect=listed({"id": DELAYED, "version": 1, "displayName": "Delivery delayed"})),
        step("listOutcomes", expect=listed()),
        step("listActionMaps", expect=listed()),
        step("reopen"),
        step("listSegments", expect=listed({"id": DELAYED, "version": 1})),
    ]
    return {"name": "orchestration definitions: an unknown operator, key, stream type, field or media type, an "
                    "attribute the catalog does not have or of the wrong type, weight 4, both trigger kinds, "
                    "Architect schedule groups: INVALID_ARGUMENT naming the field by JSON pointer, and nothing "
                    "changes",
            "catalog": CATALOG, "config": CONFIG, "steps": steps}


def limits():
    """config.orchestration limits count creations: a replace past the limit is fine."""
    config = dict(CONFIG, orchestration={"maxSegments": 1, "maxOutcomes": 0})
    steps = [
        step("putSegment", delayed_segment(), {"version": 1}),
        step("putSegment", returns_segment(),
             invalid("1 segments, the most config orchestration.maxSegments allows: delete one first")),
        step("putSegment", delayed_segment(version=1), {"version": 2}),
        step("putOutcome", delivered_outcome(),
             invalid("0 outcomes, the most config orchestration.maxOutcomes allows: delete one first")),
        step("reopen"),
        step("listSegments", expect=listed({"id": DELAYED, "version": 2})),
        step("deleteSegment", {"id": DELAYED}, {}),
        step("putSegment", returns_segment(), {"id": RETURNS, "version": 1}),
    ]
    return {"name": "orchestration definitions: config.orchestration.maxSegments and maxOutcomes refuse a create "
                    "past them (INVALID_ARGUMENT naming the key), never a replace",
            "catalog": CATALOG, "config": config, "steps": steps}


def main():
    out = pathlib.Path("tests/vectors")
    for name, vector in [("orchestration_definitions", lifecycle()),
                         ("orchestration_definitions_refused", bad_definitions()),
                         ("orchestration_definitions_limits", limits())]:
        (out / f"{name}.json").write_text(json.dumps(vector, indent=1) + "\n")


if __name__ == "__main__":
    main()
