#!/usr/bin/env python3
"""Seeds each fuzz target's corpus from the shared vectors (tests/vectors/*.json): their events,
catalogs, configs, batches and action events, plus the minimized reproducers in fuzz/regressions/.
Run from fuzz/; writes corpus/<target>/ (not committed: libFuzzer adds to it as it runs)."""
import hashlib
import json
import pathlib
import struct

VECTORS = pathlib.Path("../tests/vectors")
CORPUS = pathlib.Path("corpus")


def put(target, data):
    if isinstance(data, str):
        data = data.encode()
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ("seed-" + hashlib.sha1(data).hexdigest()[:16])).write_bytes(data)


# The `sequence` target's steps, in the order of its `Step` enum, with their fields' sizes in bytes
# (u8 = 1, u16 = 2, bool = 1; Poll's `ack: Option<u8>` is given as bytes: NONE for None, some(n) for
# Some(n)). arbitrary picks a variant from a little-endian u32 as (u32 * variants) >> 32, then
# reads the fields in order.
STEPS = {"Ingest": [1, 1, 1, 1, 2, 1], "Advance": [2], "Journey": [1, 1, 1], "SessionEvents": [1, 1],
         "Start": [1], "End": [1], "Send": [1, 1, 1], "Poll": [1, 1, None], "Release": [1, 1],
         "Action": [1, 1], "Subscribe": [1, 1], "Reopen": []}


def step(name, *fields):
    index = list(STEPS).index(name)
    data = struct.pack("<I", -(-index * 2**32 // len(STEPS)))
    for size, value in zip(STEPS[name], fields, strict=True):
        data += value if size is None else value.to_bytes(size, "little")
    return data


NONE = b"\0"


def some(ack):
    """An `Option<u8>` that is `Some(ack)`."""
    return bytes([1, ack])


def sequence_seeds():
    """Agent scenarios a random start rarely reaches: logins, overwrites, polls with and without
    ack, releases, logouts with persisted events, and reopens between them."""
    login_and_poll = [step("Start", 0), step("Send", 0, 1, 0), step("Send", 0, 2, 1), step("Send", 0, 1, 0),
                      step("Poll", 0, 1, NONE), step("Poll", 0, 3, some(1)), step("Release", 0, 2), step("Send", 0, 2, 1),
                      step("Poll", 0, 3, NONE), step("End", 0), step("Start", 0), step("Poll", 0, 3, NONE)]
    yield b"".join(login_and_poll)
    yield b"".join(s for pair in zip(login_and_poll, [step("Reopen")] * len(login_and_poll)) for s in pair)
    yield b"".join([step("Send", 1, 0, 1), step("Send", 1, 0, 1), step("Start", 1), step("Ingest", 0, 1, 1, 0, 5, 0),
                    step("Journey", 0, 5, 3), step("Poll", 1, 3, NONE), step("Action", 0, 0), step("Subscribe", 2, 0),
                    step("Action", 0, 1), step("End", 1), step("Reopen"), step("Start", 1), step("Poll", 1, 3, NONE)])


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
    for seed in sequence_seeds():
        put("sequence", seed)
    for reproducer in sorted(pathlib.Path("regressions").glob("*/*")):
        put(reproducer.parent.name, reproducer.read_bytes())


if __name__ == "__main__":
    main()
