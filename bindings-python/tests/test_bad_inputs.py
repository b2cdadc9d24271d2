"""The bad-input catalogue (tests/bad_inputs.json, shared with Rust, C and Node) through
``Engine.call``, then the wrong Python types a caller can pass. Every case gets a typed error (a
``JourneyError`` subclass with its code, or Python's own ``TypeError``/``ValueError`` for a value
that is not JSON at all), and the engine still works after it."""

import json
from pathlib import Path
from typing import Any, Callable

import libjourney
import pytest

CATALOGUE = json.loads((Path(__file__).resolve().parents[2] / "tests" / "bad_inputs.json").read_text())


def new_engine() -> libjourney.Engine:
    config = CATALOGUE["config"]
    return libjourney.Engine(libjourney.Catalog.from_dict(CATALOGUE["catalog"], config), config)


def still_works(engine: libjourney.Engine) -> None:
    """A good event is accepted (or a duplicate, once accepted), and the journey reads."""
    outcome = engine.call("ingest", CATALOGUE["good"])
    assert outcome["status"] in ("accepted", "duplicate")
    page = engine.call("journey", {"customer": CATALOGUE["customer"], "viewer": CATALOGUE["viewer"]})
    assert len(page["entities"]) == 1


@pytest.mark.parametrize("case", CATALOGUE["cases"], ids=[c["name"] for c in CATALOGUE["cases"]])
def test_catalogue_case(case: dict[str, Any]) -> None:
    engine = new_engine()
    still_works(engine)
    if "error" in case:
        with pytest.raises(libjourney.JourneyError) as raised:
            engine.call(case["op"], case["input"])
        assert raised.value.code == case["error"]
    else:
        outcome = engine.call(case["op"], case["input"])
        assert outcome["status"] == "rejected"
        assert outcome["violations"][0]["code"] == case["rejected"]
    still_works(engine)


def cyclic() -> Any:
    value: dict[str, Any] = {"customer": {"id": "c1", "idType": "email"}}
    value["self"] = value
    return value


def nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = {"a": value}
    return value


NATIVE: list[tuple[str, Callable[[libjourney.Engine], Any], type[Exception]]] = [
    ("an object that is not JSON", lambda e: e.call("ingest", object()), TypeError),
    ("an int where an event belongs", lambda e: e.ingest(5), TypeError),  # type: ignore[arg-type]
    ("an int as the op", lambda e: e.call(5, {}), TypeError),  # type: ignore[arg-type]
    ("NaN in an input", lambda e: e.call("ingest", {"x": float("nan")}), ValueError),
    ("a set in an input", lambda e: e.call("journey", {"customer": {"c"}}), TypeError),
    ("a timeout that is text", lambda e: e.next_events("x", timeout_ms="soon"), TypeError),  # type: ignore[arg-type]
    ("None as the customer", lambda e: e.journey(None, None), libjourney.JourneyError),  # type: ignore[arg-type]
    ("a dict that contains itself", lambda e: e.call("journey", cyclic()), ValueError),
    ("a dict that contains itself as an action event", lambda e: e.record_action_event(cyclic()), ValueError),
    ("an input nested 10,000 deep", lambda e: e.call("journey", nested(10_000)), ValueError),
]


@pytest.mark.parametrize("name,call,error", NATIVE, ids=[n for n, _, _ in NATIVE])
def test_wrong_python_types(name: str, call: Callable[[libjourney.Engine], Any], error: type[Exception]) -> None:
    engine = new_engine()
    with pytest.raises(error):
        call(engine)
    still_works(engine)


def test_invalid_utf8_bytes_are_a_rejection() -> None:
    engine = new_engine()
    outcome = engine.ingest(b"\xff\xfe{}")
    assert outcome["status"] == "rejected"
    assert outcome["violations"][0]["code"] == "INVALID_JSON"
    still_works(engine)


def test_the_catalogue_is_large_enough() -> None:
    assert len(CATALOGUE["cases"]) + len(NATIVE) + 1 >= 40
