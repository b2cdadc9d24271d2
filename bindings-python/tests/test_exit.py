"""A script that used the asyncio long poll exits: dropping an engine never waits for a thread that
needs the GIL, and no wake calls into Python while the interpreter finalizes.

Before the fix, about one run in fifteen of this script hung forever at exit (the main thread
joined the engine's timer thread while holding the GIL that the timer's wake was waiting for) or
aborted ("PyGILState_Release: thread state ... must be current").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = '''
import asyncio
import datetime
import libjourney

catalog = libjourney.Catalog.from_dict(
    {"sessionTypes": [{"name": "delivery", "kind": "custom", "eventTypes": [{"name": "in_transit"}]}]})
engine = libjourney.Engine(catalog)
now = datetime.datetime.now(datetime.timezone.utc).isoformat()
print(engine.ingest({"eventName": "in_transit", "createdDate": now,
                     "customer": {"id": "a@example.com", "idType": "email"},
                     "session": {"type": "delivery", "externalId": "o1"}})["status"])
sessions = [engine.start_agent_session(f"agent-{i}")["sessionId"] for i in range(200)]
for session in sessions:
    engine.next_events(session, timeout_ms=0)  # each session's AgentSessionStart

async def main() -> None:
    answered = asyncio.ensure_future(engine.next_events_async(sessions[0], timeout_ms=1000))
    await asyncio.sleep(0)
    engine.send_custom_event("agent-0", "hello", "{}")
    print((await answered)["status"])
    # Polls still waiting when the script ends, with deadlines that pass while it exits, so that
    # the timer thread is waking some of them as the engine goes.
    for i, session in enumerate(sessions[1:]):
        asyncio.ensure_future(engine.next_events_async(session, timeout_ms=1 + i // 20))
    await asyncio.sleep(0.005)

asyncio.run(main())
print("done")
'''

RUNS = 50


def test_a_script_with_pending_and_finished_async_polls_always_exits(tmp_path: Path) -> None:
    script = tmp_path / "exit_with_polls.py"
    script.write_text(SCRIPT)
    failures = []
    for run in range(RUNS):
        try:
            done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=5)
        except subprocess.TimeoutExpired:
            failures.append(f"run {run}: still running after 5 s")
            continue
        if done.returncode != 0 or done.stdout.split() != ["accepted", "events", "done"]:
            failures.append(f"run {run}: exit {done.returncode}, stdout {done.stdout!r}, stderr {done.stderr[-300:]!r}")
    assert failures == [], f"{len(failures)} of {RUNS} runs failed:\n" + "\n".join(failures)
