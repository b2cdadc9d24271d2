"""Every shared vector (SPEC §10) through the Python API."""

from __future__ import annotations

from pathlib import Path

import pytest

from vectors import run_vector, subset_match, vector_files


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.name)
def test_vector(path: Path) -> None:
    assert run_vector(path) > 0


@pytest.mark.parametrize("path", vector_files(), ids=lambda p: p.name)
def test_vector_on_a_durable_engine(path: Path, tmp_path: Path) -> None:
    """The same vectors on ``Engine.open``: each ``reopen`` step closes the engine and opens its store."""
    assert run_vector(path, tmp_path / "store") > 0


def test_subset_match_names_the_path() -> None:
    with pytest.raises(AssertionError, match="/a/0/b"):
        subset_match({"a": [{"b": 1}]}, {"a": [{"b": 2}]})
    with pytest.raises(AssertionError):
        subset_match({"a": None}, {})
    subset_match({"a": 1}, {"a": 1.0, "b": 2})
