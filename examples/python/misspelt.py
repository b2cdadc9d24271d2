"""The generated TypedDicts catch mistakes: `make test` runs `mypy --strict` over this file, and
each `# type: ignore[...]` fails the check (as an unused ignore) if its line is *not* an error."""
import libjourney

engine = libjourney.Engine(libjourney.Catalog.from_json('{"sessionTypes": []}'))
outcome = engine.ingest("{}")
print(outcome["stauts"])  # type: ignore[typeddict-item]  # a misspelt key
print(outcome["eventIndex"])  # type: ignore[typeddict-item]  # only an accepted outcome has it
if outcome["status"] == "accepted":
    print(outcome["eventIndex"] + 1)
if outcome["status"] == "acepted":  # type: ignore[comparison-overlap]  # not a status an outcome can have
    print("never")
page = engine.journey({"id": "c", "idType": "email"}, {"permissions": []})
status: str = page["entities"][0]["status"]
count: str = page["entities"][0]["eventCount"]  # type: ignore[assignment]  # a count is an int
