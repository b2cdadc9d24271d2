#!/usr/bin/env python3
"""Writes tests/vectors/validation_bounds.json (issue 11, item 4): one event's violations are capped,
and messages do not grow with the catalog or the input. Run from the repository root."""
import json
import pathlib

CATALOG = {"sessionTypes": [{
    "name": "survey", "kind": "custom",
    "eventTypes": [{"name": "answered", "attributes": [
        {"name": "scores", "type": "integer", "list": True},
        {"name": "answer", "type": "enum", "values": [f"v{i}" for i in range(2000)]},
        {"name": "mood", "type": "enum", "values": ["happy", "sad"]}]}]}]}


def event(attributes, external_id="s-1"):
    return {"eventName": "answered", "createdDate": "2026-11-21T10:00:00Z",
            "customer": {"id": "cust-42", "idType": "email"},
            "session": {"type": "survey", "externalId": external_id}, "attributes": attributes}


def main():
    bad_items = ["x"] * 150
    listed = [{"code": "TYPE_MISMATCH", "path": f"/attributes/scores/{i}"} for i in range(100)]
    steps = [
        # 150 bad list items: the first 100 are listed, then one entry counts the other 50.
        {"op": "ingest", "input": event({"scores": bad_items}),
         "expect": {"status": "rejected", "violations": listed + [
             {"code": "TOO_MANY_VIOLATIONS", "path": "", "message": "50 more violations were found and not listed"}]}},
        # A value outside a 2,000-value enum names the enum's size, not its values.
        {"op": "ingest", "input": event({"answer": "nope"}),
         "expect": {"status": "rejected", "violations": [
             {"code": "NOT_IN_ENUM", "path": "/attributes/answer",
              "message": "'nope' is not one of the 2000 values of the enum"}]}},
        # A short enum is listed.
        {"op": "ingest", "input": event({"mood": "meh"}),
         "expect": {"status": "rejected", "violations": [
             {"code": "NOT_IN_ENUM", "path": "/attributes/mood", "message": "'meh' is not one of happy, sad"}]}},
        # The input is quoted only in part.
        {"op": "ingest", "input": event({"mood": "m" * 5000}),
         "expect": {"status": "rejected", "violations": [
             {"code": "NOT_IN_ENUM", "message": "'" + "m" * 80 + "…' is not one of happy, sad"}]}},
        {"op": "ingest", "input": event({"scores": [1, 2], "answer": "v1999", "mood": "sad"}),
         "expect": {"status": "accepted"}},
        {"op": "stats", "input": None,
         "expect": {"eventsRejected": 4, "rejectedByCode": {"TYPE_MISMATCH": 1, "TOO_MANY_VIOLATIONS": 1,
                                                            "NOT_IN_ENUM": 3}}},
    ]
    vector = {"name": "validation bounds: at most 100 violations per event plus a count; NOT_IN_ENUM names a long "
                      "enum's size; echoed input is cut to 80 characters",
              "catalog": CATALOG, "config": {"clock": "manual", "start": "2026-11-21T10:00:00Z"}, "steps": steps}
    pathlib.Path("tests/vectors/validation_bounds.json").write_text(json.dumps(vector, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
