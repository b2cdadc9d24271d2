"""The bike delivery of seed 000 through the `libjourney` package: replays examples/data and prints what the agent
sees, with the firings of the script's action maps and the segments, exactly as the Rust and Node demos do (`make test`
compares them)."""
import json, queue, shutil, tempfile, threading
from pathlib import Path
from typing import Any

import libjourney
from libjourney.types import ActionEventDelivered, Customer, Outcome, SessionCard

DATA = Path(__file__).resolve().parent.parent / "data"
scenario = json.loads((DATA / "bike_delivery.json").read_text())
catalog_json = json.loads((DATA / "catalog.json").read_text())
catalog = libjourney.Catalog.from_dict(catalog_json)


def print_legend() -> None:
    """What the statuses mean, with each session type's thresholds from the catalog (SPEC §3.4)."""
    print("Status: live, then idle (yellow) and inactive as time passes without an event; ended once closed.")
    for session_type in catalog_json["sessionTypes"]:
        status = session_type.get("status", {})
        name = session_type.get("displayName", session_type["name"])
        print(f"   {name:<14} idle after {status.get('idleAfter', '45s')}, inactive after {status.get('inactiveAfter', '60s')}")
    print(f"   {'Conversation':<14} voice calls stay live until they end")


def shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def details(card: SessionCard) -> str:
    """The card's attributes, or for a conversation its channel, queue, agent and wrap-up code."""
    conversation = card.get("conversation")
    if conversation:
        text = {key: conversation.get(key) or "-" for key in ("channel", "lastConnectedQueue", "lastConnectedUser", "wrapupCode")}
        return (f"channel={text['channel']} queue={text['lastConnectedQueue']} agent={text['lastConnectedUser']} "
                f"wrapup={text['wrapupCode']}")
    return " ".join(f"{name}={shown(value)}" for name, value in sorted(card["attributes"].items()))


def print_cards(cards: list[SessionCard]) -> None:
    """The session cards as the agent's table: newest activity first, each with the segments assigned to its session."""
    print(f"   {'SESSION':<14} {'ID':<12} {'STATUS':<9} {'EVENTS':>6}  {'LAST EVENT':<18} DETAILS")
    for card in cards:
        print(f"   {card['displayName']:<14} {card['externalId'] or '-':<12} {card['status']:<9} "
              f"{card['eventCount']:>6}  {card['lastEvent']['eventName']:<18} {details(card)}")
        for assignment in card["segmentAssignments"]:
            print(f"      segment '{names.get(assignment['segmentId'], '?')}', assigned {assignment['assignedDate']}")


def print_customer_segments(customer: Customer) -> None:
    """The segments the customer holds itself (customer scope), which last across its sessions."""
    for segment in engine.segments(customer):
        if segment["scope"] == "Customer":
            print(f"   customer segment '{names.get(segment['segmentId'], '?')}', assigned {segment['assignedDate']}, "
                  f"until {segment.get('dateForUnassignment') or '-'}")


def put_definitions() -> dict[str, str]:
    """Puts the script's segments, then its action maps (which name the segments), printing each as stored; returns
    their names by id."""
    print("\n== Segments and action maps (Genesys' JSON forms, from the script)")
    found: dict[str, str] = {}
    for segment in scenario["definitions"]["segments"]:
        stored = engine.put_segment(segment)
        print(f"   segment    '{stored['displayName']}' v{stored.get('version')}, {stored.get('scope')} scope")
        found[stored.get("id") or ""] = stored["displayName"]
    for action_map in scenario["definitions"]["actionMaps"]:
        stored_map = engine.put_action_map(action_map)
        print(f"   action map '{stored_map['displayName']}' v{stored_map.get('version')}: {stored_map['action']['mediaType']}")
        found[stored_map.get("id") or ""] = stored_map["displayName"]
    return found


def print_explanation(map_id: str, session_id: str) -> None:
    """Why an action map fired in a session: the engine's explanation of each of its conditions."""
    explanation = engine.call("explainActionMap", {"actionMapId": map_id, "sessionId": session_id})
    print(f"-- '{names[map_id]}' in session {session_id[:8]}\n{json.dumps(explanation, indent=2, sort_keys=True, ensure_ascii=False)}")


def report(outcome: Outcome) -> None:
    if outcome["status"] == "accepted":
        print(f"   + accepted (event {outcome['eventIndex'] + 1} of {outcome['eventCount']})")
    elif outcome["status"] == "duplicate":
        print("   = duplicate, ignored")
    else:
        for violation in outcome["violations"]:
            print(f"   ! rejected: {violation['code']} at '{violation['path']}': {violation['message']}")


def agent_desktop(session_id: str, shows: "queue.Queue[tuple[str, str]]") -> None:
    """The agent's desktop: long-polls (the GIL is released while it waits) and shows custom events, with their names."""
    while (result := engine.next_events(session_id, timeout_ms=30_000))["status"] != "sessionEnded":
        for event in result["events"] if result["status"] == "events" else []:
            if event["type"] == "CustomEvent":
                line = f"   [{event['agentId']}'s desktop] {event['eventName']} #{event['sequence']}: {event['data']}"
                shows.put((event["eventName"], line))


def desktop_catch_up() -> list[tuple[str, str]]:
    """What the desktops showed of the custom events queued since the last call: the stats say how many to wait for,
    so that the output reads in the same order every time."""
    global queued
    now_queued = engine.stats()["customEventsQueued"]
    shown = [shows.get(timeout=5) for _ in range(queued, now_queued)]
    queued = now_queued
    return shown


def offer_fired(event: ActionEventDelivered) -> None:
    """A content offer that an action map fires: its web action, printed as the map records it, inside the ingest that
    qualified it (before that ingest returns). Each firing is kept, to explain at the end."""
    print(f"   [contentOffer] offer {event['actionId'][:8]} is now {event['actionState']} "
          f"(action map '{names.get(event['actionMapId'], '?')}', session {event['sessionId'][:8]})")
    if event["actionState"] == "qualified":
        firings.append((event["actionMapId"], event["sessionId"]))


print_legend()
store = tempfile.mkdtemp(prefix="journey-demo-")  # a durable store: libjourney.Engine(catalog, config) keeps it in memory
engine = libjourney.Engine.open(store, catalog, scenario["config"])
names = put_definitions()
engine.on("webchat:all", lambda event: print(f"   [webchat] offer {event['actionId'][:8]} is now {event['actionState']}"))
firings: list[tuple[str, str]] = []  # (action map, session) of each firing, to explain at the end
engine.on("contentoffer:all", offer_fired)
shows: "queue.Queue[tuple[str, str]]" = queue.Queue()
desktops = {agent: engine.start_agent_session(agent)["sessionId"] for agent in scenario["agents"]}
threads = [threading.Thread(target=agent_desktop, args=(s, shows)) for s in desktops.values()]
for thread in threads:
    thread.start()
# The custom event maps, by the name of the event they send.
custom_event_maps = {m["action"]["eventName"]: m["id"] for m in scenario["definitions"]["actionMaps"]
                     if m["action"]["mediaType"] == "customEvent"}
queued = engine.stats()["customEventsQueued"]

for step in scenario["steps"]:
    engine.set_now(step["at"])
    print(f"\n== {step['at'][11:19]}  {step['title']}")
    for event in step.get("events", []):
        outcome = engine.ingest(event)
        report(outcome)
        for event_name, line in desktop_catch_up():  # a custom event an action map sent at this event
            print(line)
            if event_name in custom_event_maps and outcome["status"] == "accepted":
                firings.append((custom_event_maps[event_name], outcome["sessionId"]))
    for action in step.get("actions", []):
        engine.record_action_event(action)
    for request in step.get("customEvents", []):
        sent = engine.send_custom_event(request["agentId"], request["eventName"], request["data"], request["persistInMemory"])
        print(f"   -> custom event '{request['eventName']}' to {request['agentId']}: {sent['delivery']}")
        for _, line in desktop_catch_up():
            print(line)
    customer = step.get("customer", scenario["customer"])
    print_cards(engine.journey(customer, scenario["viewer"])["entities"])
    print_customer_segments(customer)

for session_id in desktops.values():
    engine.end_agent_session(session_id)
for thread in threads:
    thread.join()
if firings:
    print("\n== Why the action maps fired (explainActionMap)")
for map_id, session_id in firings:
    print_explanation(map_id, session_id)
print("\n== Engine stats\n" + json.dumps(engine.stats(), indent=2, sort_keys=True))
engine.close()  # writes a snapshot; after a restart, every journey is still there
with libjourney.Engine.open(store, catalog, scenario["config"]) as restarted:
    cards = restarted.journey(scenario["customer"], scenario["viewer"])["entities"]
    segments = restarted.segments(scenario["customer"])
    print(f"\nafter a restart: {len(cards)} sessions, {sum(card['eventCount'] for card in cards)} events, "
          f"{len(segments)} segments")
shutil.rmtree(store)
