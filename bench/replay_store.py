"""`make bench`, `journey replay` part: an NDJSON export replayed into a durable store.

Writes LINES events valid against examples/data/catalog.json (the demo's catalog), as an export
has them: per customer a web visit, a purchase that opens a delivery session, two in-transit
events and the delivery, in time order, a minute apart from 2025-01-01 (history, old by the wall
clock). Then times `journey replay --store` with the replay's defaults (event clock,
`store.sync: "batch"`: an fsync per chunk), and with `store.sync: "always"` (an fsync per event)
on the first ALWAYS_LINES only, extrapolated to LINES. Reopens each store and checks that it holds
every event. Prints a table; asserts nothing about speed.

    python3 bench/replay_store.py --journey target/release/journey [--lines N] [--always-lines M]

`--smoke` (make bench-smoke): 2,000 and 200 lines, so that the code runs without timing anything
that matters.
"""

from __future__ import annotations

import argparse
import datetime
import json
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "examples" / "data" / "catalog.json"
START = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
NAMESPACE = uuid.UUID("6f1c2a8e-5d4b-4e2a-9c1d-3b7a2f0e9d11")


def steps(order: str) -> list[tuple[str, dict[str, str], dict[str, object]]]:
    """One customer's journey: (event name, session, attributes) per event."""
    delivery = {"type": "delivery", "externalId": order}
    return [
        ("page_viewed", {"type": "web"}, {"page": "/bikes"}),
        ("product_purchased", delivery, {"orderId": order, "product": "Custom bike", "price": 1899.0}),
        ("in_transit", delivery, {"location": "depot"}),
        ("in_transit", delivery, {"location": "Main St"}),
        ("item_delivered", delivery, {"location": "front door", "signedBy": "Dana"}),
    ]


def events(lines: int) -> Iterator[dict[str, object]]:
    """`lines` events, one customer's five steps after another, each a minute after the last."""
    for n in range(lines):
        customer, step = divmod(n, 5)
        name, session, attributes = steps(f"order-{customer}")[step]
        yield {
            "id": str(uuid.uuid5(NAMESPACE, str(n))),
            "eventName": name,
            "createdDate": (START + datetime.timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "customer": {"id": f"customer-{customer}@example.com", "idType": "email"},
            "session": session,
            "attributes": attributes,
        }


def write_export(path: Path, lines: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        for event in events(lines):
            out.write(json.dumps(event, separators=(",", ":")) + "\n")


def replay(journey: str, store: Path, export: Path, config: Path | None) -> float:
    """Seconds `journey replay --store` took; fails unless every line was accepted."""
    command = [journey, "replay", "--catalog", str(CATALOG), "--store", str(store), "--json", str(export)]
    if config is not None:
        command[4:4] = ["--config", str(config)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - started
    report = json.loads(done.stdout)
    file = report["files"][0]
    assert file["accepted"] == file["lines"], file
    return seconds


def stored(journey: str, store: Path, empty: Path) -> int:
    """Events accepted in `store`, reopened."""
    command = [journey, "replay", "--catalog", str(CATALOG), "--store", str(store), "--json", str(empty)]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    return int(json.loads(done.stdout)["stats"]["eventsAccepted"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journey", required=True, help="the journey binary")
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--always-lines", type=int, default=20_000)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    lines, always_lines = (2_000, 200) if args.smoke else (args.lines, args.always_lines)
    with tempfile.TemporaryDirectory(prefix="journey-replay-bench-") as work:
        root = Path(work)
        export, head, empty = root / "export.ndjson", root / "head.ndjson", root / "empty.ndjson"
        write_export(export, lines)
        write_export(head, always_lines)
        empty.write_text("")
        always = root / "always.json"
        always.write_text(json.dumps({"clock": "event", "store": {"sync": "always"}}))
        batch_seconds = replay(args.journey, root / "batch", export, None)
        always_seconds = replay(args.journey, root / "always", head, always)
        assert stored(args.journey, root / "batch", empty) == lines
        assert stored(args.journey, root / "always", empty) == always_lines
        size = export.stat().st_size
    print(f"\n`journey replay --store`, {lines:,} lines ({size / 2**20:.0f} MiB) of the demo's catalog\n")
    print("| store.sync | lines timed | seconds | events/s | seconds for all lines |")
    print("|---|---:|---:|---:|---:|")
    print(f"| batch (the replay's default) | {lines:,} | {batch_seconds:.1f} | {lines / batch_seconds:,.0f} "
          f"| {batch_seconds:.1f} |")
    rate = always_lines / always_seconds
    print(f"| always (the engine's default) | {always_lines:,} | {always_seconds:.1f} | {rate:,.0f} "
          f"| {lines / rate:.0f} (extrapolated) |")


if __name__ == "__main__":
    main()
