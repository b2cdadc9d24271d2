"""The bike delivery of seed 000 through the `libjourney` package: replays examples/data and prints what the agent
sees, exactly as the Rust and Node demos do (`make test` compares them)."""
import json, queue, shutil, tempfile, threading
from pathlib import Path
from typing import Any

import libjourney
from libjourney.types import Outcome, SessionCard

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
    """The session cards as the agent's table: newest activity first."""
    print(f"   {'SESSION':<14} {'ID':<12} {'STATUS':<9} {'EVENTS':>6}  {'LAST EVENT':<18} DETAILS")
    for card in cards:
        print(f"   {card['displayName']:<14} {card['externalId'] or '-':<12} {card['status']:<9} "
              f"{card['eventCount']:>6}  {card['lastEvent']['eventName']:<18} {details(card)}")


def report(outcome: Outcome) -> None:
    if outcome["status"] == "accepted":
        print(f"   + accepted (event {outcome['eventIndex'] + 1} of {outcome['eventCount']})")
    elif outcome["status"] == "duplicate":
        print("   = duplicate, ignored")
    else:
        for violation in outcome["violations"]:
            print(f"   ! rejected: {violation['code']} at '{violation['path']}': {violation['message']}")


def agent_desktop(session_id: str, shows: "queue.Queue[str]") -> None:
    """The agent's desktop: long-polls (the GIL is released while it waits) and shows custom events."""
    while (result := engine.next_events(session_id, timeout_ms=30_000))["status"] != "sessionEnded":
        for event in result["events"] if result["status"] == "events" else []:
            if event["type"] == "CustomEvent":
                shows.put(f"   [{event['agentId']}'s desktop] {event['eventName']} #{event['sequence']}: {event['data']}")


print_legend()
store = tempfile.mkdtemp(prefix="journey-demo-")  # a durable store: libjourney.Engine(catalog, config) keeps it in memory
engine = libjourney.Engine.open(store, catalog, scenario["config"])
engine.on("webchat:all", lambda event: print(f"   [webchat] offer {event['actionId'][:8]} is now {event['actionState']}"))
shows: "queue.Queue[str]" = queue.Queue()
desktops = {agent: engine.start_agent_session(agent)["sessionId"] for agent in scenario["agents"]}
threads = [threading.Thread(target=agent_desktop, args=(s, shows)) for s in desktops.values()]
for thread in threads:
    thread.start()

for step in scenario["steps"]:
    engine.set_now(step["at"])
    print(f"\n== {step['at'][11:19]}  {step['title']}")
    for event in step.get("events", []):
        report(engine.ingest(event))
    for action in step.get("actions", []):
        engine.record_action_event(action)
    for request in step.get("customEvents", []):
        sent = engine.send_custom_event(request["agentId"], request["eventName"], request["data"], request["persistInMemory"])
        print(f"   -> custom event '{request['eventName']}' to {request['agentId']}: {sent['delivery']}")
        print(shows.get(timeout=5))  # what the desktop shows, printed here so that the output reads in order
    print_cards(engine.journey(scenario["customer"], scenario["viewer"])["entities"])

for session_id in desktops.values():
    engine.end_agent_session(session_id)
for thread in threads:
    thread.join()
print("\n== Engine stats\n" + json.dumps(engine.stats(), indent=2, sort_keys=True))
engine.close()  # writes a snapshot; after a restart, every journey is still there
with libjourney.Engine.open(store, catalog, scenario["config"]) as restarted:
    cards = restarted.journey(scenario["customer"], scenario["viewer"])["entities"]
    print(f"\nafter a restart: {len(cards)} sessions, {sum(card['eventCount'] for card in cards)} events")
shutil.rmtree(store)
