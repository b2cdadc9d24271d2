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

# Inputs are checked too (an argument that may be None is a union, hence `arg-type`): a misspelt
# config key, a clock mode that does not exist, an event without its session.
empty = libjourney.Catalog.from_json('{"sessionTypes": []}')
libjourney.Engine(empty, {"clok": "manual"})  # type: ignore[arg-type]
libjourney.Engine(empty, {"clock": "manaul"})  # type: ignore[arg-type]
libjourney.Engine(empty, {"clock": "manual"})
customer: libjourney.types.Customer = {"id": "c", "idType": "email"}
engine.ingest({"eventName": "x", "createdDate": "2026-01-01T00:00:00Z", "customer": customer})  # type: ignore[arg-type]
engine.ingest({"eventName": "x", "createdDate": "2026-01-01T00:00:00Z", "customer": customer, "session": {"type": "t"}})
