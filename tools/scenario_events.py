#!/usr/bin/env python3
"""Writes the bike delivery's events as NDJSON, and a config to replay them with, from the demo's
script (examples/data/bike_delivery.json), so that the `journey` command can be tried on the demo:

    python3 tools/scenario_events.py            # rewrites the two files below
    python3 tools/scenario_events.py --check    # fails when they are not what the script gives

- examples/data/bike_delivery.ndjson: every event of the delivery's steps, in the order the demo
  sends them;
- examples/data/replay_config.json: the demo's manual clock set to the last of those steps (so
  statuses read as at the end of the delivery), and no lateness limit (the events are replayed
  after the fact).

The steps marked `"orchestration": true` (Dana's web messaging conversation and her browser's visit
to the returns page) are left out: they are there for the demo's segments and action maps, which a
replay of NDJSON does not define, and the `journey` command's tests and README count the
delivery's 15 events and 3 sessions.
"""
import json
import pathlib
import sys

DATA = pathlib.Path(__file__).resolve().parent.parent / "examples" / "data"


def outputs() -> dict[str, str]:
    scenario = json.loads((DATA / "bike_delivery.json").read_text())
    steps = [step for step in scenario["steps"] if not step.get("orchestration")]
    events = [event for step in steps for event in step.get("events", [])]
    ndjson = "".join(json.dumps(event, separators=(",", ":")) + "\n" for event in events)
    config = dict(scenario["config"], start=steps[-1]["at"], allowedLateness=None)
    return {"bike_delivery.ndjson": ndjson, "replay_config.json": json.dumps(config, indent=2) + "\n"}


def main() -> None:
    stale = []
    for name, text in outputs().items():
        path = DATA / name
        if "--check" in sys.argv:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
    if stale:
        sys.exit(f"stale: {', '.join(stale)}; run python3 tools/scenario_events.py")


if __name__ == "__main__":
    main()
