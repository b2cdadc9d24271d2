"""`make bench`, Python part: the `libjourney` package against the two peers in baseline.py
(json + fastjsonschema, and orjson + jsonschema-rs, each with the same dict sessionizer), on the
same NDJSON of 1,000,000 custom events across 100,000 customers. Prints events/s and ratios;
asserts nothing about speed. `--smoke` (make bench-smoke): 2,000 events across 200 customers, so
that the code runs in a debug build without timing anything that matters."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import libjourney

sys.path.insert(0, str(Path(__file__).parent))
import baseline  # noqa: E402

SMOKE = "--smoke" in sys.argv[1:]
EVENTS = 2_000 if SMOKE else 1_000_000
CUSTOMERS = 200 if SMOKE else 100_000
CATALOG = {"sessionTypes": [{"name": "delivery", "kind": "custom",
    "attributes": [{"name": "location", "type": "string"}, {"name": "orderId", "type": "string"}],
    "eventTypes": [{"name": "in_transit", "attributes": [{"name": "location", "type": "string", "required": True},
        {"name": "orderId", "type": "string"}, {"name": "price", "type": "decimal", "min": 0}]}]}]}
CONFIG = {"clock": "manual", "start": "2026-12-01T00:00:00Z", "allowedLateness": None}


def lines() -> list[str]:
    out = []
    for i in range(EVENTS):
        customer = i % CUSTOMERS
        order = customer * 2 + (i // CUSTOMERS) % 2
        seconds = 1_763_700_000 + (i // CUSTOMERS) * 600 + customer // 1000
        created = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds)) + f".{customer % 1000:03d}Z"
        out.append(json.dumps({
            "id": f"abcd0000-0000-4000-8000-{i:012x}", "eventName": "in_transit", "createdDate": created,
            "customer": {"id": f"customer-{customer:07d}@example.com", "idType": "email"},
            "session": {"type": "delivery", "externalId": f"order-{order:08d}"},
            "attributes": {"location": f"Depot {i % 97}, aisle {i % 13}", "orderId": f"order-{order:08d}", "price": 100.5 + i % 2000},
        }, separators=(",", ":")))
    return out


def timed(label: str, work: callable) -> float:  # type: ignore[valid-type]
    start = time.perf_counter()
    accepted = work()
    rate = EVENTS / (time.perf_counter() - start)
    assert accepted == EVENTS, f"{label}: {accepted} of {EVENTS} accepted"
    return rate


def main() -> None:
    print(f"libjourney Python binding: {EVENTS:,} events across {CUSTOMERS:,} customers, NDJSON")
    data = lines()
    ndjson = ("\n".join(data) + "\n").encode()

    base = timed("baseline", lambda: baseline.ingest_lines(data).accepted)
    fast = timed("fast baseline", lambda: baseline.ingest_lines_fast(data).accepted)

    def batch(outcomes: str) -> int:
        engine = libjourney.Engine(libjourney.Catalog.from_dict(CATALOG), CONFIG)
        return int(engine.ingest_batch(ndjson, outcomes=outcomes)["accepted"])  # type: ignore[call-overload]

    def per_event() -> int:
        engine = libjourney.Engine(libjourney.Catalog.from_dict(CATALOG), CONFIG)
        accepted = 0
        for line in data:
            accepted += engine.ingest(json.loads(line))["status"] == "accepted"
        return accepted

    ours_batch = timed("ingest_batch", lambda: batch("all"))
    ours_rejected = timed("ingest_batch rejected", lambda: batch("rejected"))
    ours_each = timed("ingest", per_event)
    rows = [
        ("peer: json.loads + fastjsonschema + dict sessionizer", base),
        ("peer: orjson.loads + jsonschema-rs + dict sessionizer", fast),
        ("libjourney: engine.ingest_batch(ndjson_bytes)", ours_batch),
        ('libjourney: engine.ingest_batch(ndjson_bytes, outcomes="rejected")', ours_rejected),
        ("libjourney: json.loads + engine.ingest(dict), per event", ours_each),
    ]
    print()
    print("| pipeline | ev/s | vs json + fastjsonschema | vs orjson + jsonschema-rs |")
    print("|---|---:|---:|---:|")
    for name, rate in rows:
        print(f"| {name} | {rate:,.0f} | {rate / base:.2f}x | {rate / fast:.2f}x |")
    print("\nGoals (issue 13): ingest_batch >= 20x json + fastjsonschema and >= 8x orjson + jsonschema-rs.")


if __name__ == "__main__":
    main()
