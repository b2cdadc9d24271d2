#!/usr/bin/env python3
"""Seeds each fuzz target's corpus from the shared vectors (tests/vectors/*.json): their events,
catalogs, configs, batches and action events, plus the minimized reproducers in fuzz/regressions/.
Run from fuzz/; writes corpus/<target>/ (not committed: libFuzzer adds to it as it runs)."""
import hashlib
import json
import pathlib

VECTORS = pathlib.Path("../tests/vectors")
CORPUS = pathlib.Path("corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


def main():
    c_abi_ops = {"ingest": 2, "ingestBatch": 4, "journey": 5, "sessionEvents": 6, "recordActionEvent": 8,
                 "advance": 9, "setNow": 10}
    for path in sorted(VECTORS.glob("*.json")):
        vector = json.loads(path.read_text())
        put("catalog", json.dumps(vector["catalog"]))
        put("config", json.dumps(vector.get("config", {})))
        events = []
        for step in vector["steps"]:
            op, value = step["op"], step.get("input")
            text = value if isinstance(value, str) and op == "ingest" else json.dumps(value)
            if op == "ingest":
                put("ingest_json", text)
                events.append(text)
            if op == "ingestBatch":
                put("batches", text)
            if op == "recordActionEvent":
                put("action_events", text)
            if op in c_abi_ops:
                put("c_abi", bytes([c_abi_ops[op]]) + text.encode())
            put("c_abi", bytes([7]) + json.dumps({"op": op, "input": value}).encode())
        if events:
            put("batches", "\n".join(events))
    for reproducer in sorted(pathlib.Path("regressions").glob("*/*")):
        put(reproducer.parent.name, reproducer.read_bytes())


if __name__ == "__main__":
    main()
