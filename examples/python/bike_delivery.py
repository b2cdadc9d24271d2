"""The bike delivery of seed 000 through the `journey` package: replays examples/data, prints what the agent sees."""
import json, shutil, tempfile, threading
from pathlib import Path
from typing import Any

import journey

DATA = Path(__file__).resolve().parent.parent / "data"
scenario = json.loads((DATA / "bike_delivery.json").read_text())
catalog = journey.Catalog.from_file(DATA / "catalog.json")
store = tempfile.mkdtemp(prefix="journey-demo-")  # a durable store: journey.Engine(catalog, config) keeps it in memory
engine = journey.Engine.open(store, catalog, scenario["config"])
engine.on("webchat:all", lambda event: print(f"   [webchat] offer is now {event['actionState']}"))


def print_cards(cards: list[dict[str, Any]]) -> None:
    print(f"   {'SESSION':<14} {'ID':<12} {'STATUS':<9} {'EVENTS':>6}  {'LAST EVENT':<18} DETAILS")
    for card in cards:
        conversation = card.get("conversation")
        details = (f"queue={conversation['lastConnectedQueue']} agent={conversation['lastConnectedUser']} "
                   f"wrapup={conversation['wrapupCode']}") if conversation else json.dumps(card["attributes"])
        print(f"   {card['displayName']:<14} {card['externalId'] or '-':<12} {card['status']:<9} "
              f"{card['eventCount']:>6}  {card['lastEvent']['eventName']:<18} {details}")


def agent_desktop(session_id: str, printed: threading.Event) -> None:
    """The agent's desktop: long-polls (the GIL is released while it waits) and prints custom events."""
    while (result := engine.next_events(session_id, timeout_ms=30_000))["status"] != "sessionEnded":
        for event in result.get("events", []):
            if event["type"] == "CustomEvent":
                print(f"   [{event['agentId']}'s desktop] {event['eventName']} #{event['sequence']}: {event['data']}")
                printed.set()


printed = threading.Event()
desktops = {agent: engine.start_agent_session(agent)["sessionId"] for agent in scenario["agents"]}
threads = [threading.Thread(target=agent_desktop, args=(s, printed)) for s in desktops.values()]
for thread in threads:
    thread.start()

for step in scenario["steps"]:
    engine.set_now(step["at"])
    print(f"\n== {step['at'][11:19]}  {step['title']}")
    for event in step.get("events", []):
        outcome = engine.ingest(event)
        print(f"   + {outcome['status']} ({outcome.get('eventCount', '-')} events in the session)")
    for action in step.get("actions", []):
        engine.record_action_event(action)
    for request in step.get("customEvents", []):
        printed.clear()
        sent = engine.send_custom_event(request["agentId"], request["eventName"], request["data"], request["persistInMemory"])
        print(f"   -> custom event {request['eventName']} to {request['agentId']}: {sent['delivery']}")
        printed.wait(timeout=5)
    print_cards(engine.journey(scenario["customer"], scenario["viewer"])["entities"])

for session_id in desktops.values():
    engine.end_agent_session(session_id)
for thread in threads:
    thread.join()
print("\n" + json.dumps(engine.stats(), indent=2))
engine.close()  # writes a snapshot; after a restart, every journey is still there
with journey.Engine.open(store, catalog, scenario["config"]) as restarted:
    cards = restarted.journey(scenario["customer"], scenario["viewer"])["entities"]
    print(f"\nafter a restart: {len(cards)} sessions, {sum(card['eventCount'] for card in cards)} events")
shutil.rmtree(store)
