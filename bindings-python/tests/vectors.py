"""The shared-vector harness of SPEC §10, in Python, over the `libjourney` package's API."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import libjourney

REPO = Path(__file__).resolve().parents[2]


def vector_files() -> list[Path]:
    """tests/vectors/*.json, then every file in $JOURNEY_EXTRA_VECTORS."""
    files = sorted((REPO / "tests" / "vectors").glob("*.json"))
    extra = os.environ.get("JOURNEY_EXTRA_VECTORS")
    if extra:
        files += sorted(Path(extra).glob("*.json"))
    return files


def substitute(value: Any, saved: dict[str, Any]) -> Any:
    """Replaces every string "$name" with the value saved under name."""
    if isinstance(value, str) and value.startswith("$") and value[1:] in saved:
        return saved[value[1:]]
    if isinstance(value, list):
        return [substitute(v, saved) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, saved) for k, v in value.items()}
    return value


def subset_match(expected: Any, actual: Any, path: str = "") -> None:
    """Every key given must be present and equal; arrays match element-wise with the same length."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            raise AssertionError(f"{path or '/'}: expected an object, got {actual!r}")
        for key, value in expected.items():
            if key not in actual:
                raise AssertionError(f"missing {path}/{key}")
            subset_match(value, actual[key], f"{path}/{key}")
    elif isinstance(expected, list):
        if not isinstance(actual, list) or len(expected) != len(actual):
            raise AssertionError(f"{path}: expected {len(expected)} items, got {actual!r}")
        for i, (e, a) in enumerate(zip(expected, actual)):
            subset_match(e, a, f"{path}/{i}")
    elif isinstance(expected, (int, float)) and not isinstance(expected, bool) and isinstance(actual, (int, float)):
        if float(expected) != float(actual):
            raise AssertionError(f"{path}: expected {expected!r}, got {actual!r}")
    elif expected != actual or type(expected) is not type(actual):
        raise AssertionError(f"{path or '/'}: expected {expected!r}, got {actual!r}")


def pointer(value: Any, path: str) -> Any:
    """The value at a JSON pointer."""
    for part in path.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


class PythonApi:
    """One vector's engine, driven through the one dispatcher, ``Engine.call``. With ``store``, a
    durable engine in that directory, which ``reopen`` closes and opens again."""

    def __init__(self, catalog: Any, config: Any, store: Path | None = None) -> None:
        # Any: a vector may hold a catalog or config that is wrong on purpose.
        self.catalog = libjourney.Catalog.from_dict(catalog, config)
        self.config = config
        self.store = store
        self.engine = self.open()

    def open(self) -> libjourney.Engine:
        if self.store is None:
            return libjourney.Engine(self.catalog, self.config)
        return libjourney.Engine.open(self.store, self.catalog, self.config)

    def call(self, op: str, value: Any) -> Any:
        return self.engine.call(op, value)

    def reopen(self) -> None:
        """Closes a durable engine and opens its store again (an in-memory one has none)."""
        if self.store is not None:
            self.engine.close()
            self.engine = self.open()


def run_vector(path: Path, store: Path | None = None) -> int:
    """Runs one vector file, on a durable engine in ``store`` when given; raises AssertionError
    naming the step and the mismatching path."""
    vector = json.loads(path.read_text())
    api = PythonApi(vector["catalog"], vector.get("config"), store)
    saved: dict[str, Any] = {}
    for index, step in enumerate(vector["steps"]):
        op = step["op"]
        if op == "reopen":
            api.reopen()
            continue
        value = substitute(step.get("input"), saved)
        expect = substitute(step.get("expect"), saved) if "expect" in step else None
        try:
            result: Any = api.call(op, value)
            error = None
        except libjourney.JourneyError as raised:
            result, error = None, raised
        context = f"{path.name}: step {index} ({op})"
        if error is not None:
            if expect is None or "error" not in expect:
                raise AssertionError(f"{context}: unexpected error {error.code}: {error}")
            subset_match(expect, {"error": {"code": error.code, "message": str(error)}})
            continue
        if expect is not None:
            if "error" in expect:
                raise AssertionError(f"{context}: expected an error, got {result!r}")
            try:
                subset_match(expect, result)
            except AssertionError as mismatch:
                raise AssertionError(f"{context}: {mismatch}\n  actual: {json.dumps(result)}") from None
        for name, where in step.get("save", {}).items():
            saved[name] = pointer(result, where)
    return len(vector["steps"])
