"""`Engine.paths` results as rows (docs/paths.md): one row per node of the tree, for a table,
a CSV file or, with pandas installed, a DataFrame.

    result = engine.paths({"groupBy": {"on": "session", "attribute": "device"}}, viewer)
    frame = libjourney.paths_to_pandas(result)   # needs `pip install pandas`
    frame[frame.depth == 1].sort_values("sessions")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Optional, TypedDict

from libjourney.types import PathNode, PathsResult

if TYPE_CHECKING:  # pandas is optional; only type checkers need its name here
    import pandas


class PathRow(TypedDict):
    """One node of a `paths` result, with where it sits."""

    #: The `groupBy` value of its group (`None` without `groupBy`).
    group: Any
    #: 1 for a first step.
    depth: int
    #: The steps from the first to this one, joined by `" > "`.
    path: str
    step: str
    sessions: int
    customers: int
    share: float
    dropOff: int
    medianMs: Optional[int]
    p90Ms: Optional[int]


def paths_rows(result: PathsResult) -> list[PathRow]:
    """Every node of `result`, depth first, in the result's order."""
    rows: list[PathRow] = []

    def walk(nodes: list[PathNode], group: Any, above: list[str]) -> None:
        for node in nodes:
            path = [*above, node["step"]]
            rows.append({"group": group, "depth": len(path), "path": " > ".join(path), "step": node["step"],
                         "sessions": node["sessions"], "customers": node["customers"], "share": node["share"],
                         "dropOff": node["dropOff"], "medianMs": node["medianMs"], "p90Ms": node["p90Ms"]})
            walk(node["steps"], group, path)

    for group in result["groups"]:
        walk(group["steps"], group["group"], [])
    return rows


def paths_to_pandas(result: PathsResult) -> "pandas.DataFrame":
    """The rows of :func:`paths_rows` as a tidy pandas DataFrame (one row per node). Raises
    ``ImportError`` naming pandas when it is not installed: libjourney does not depend on it."""
    try:
        import pandas
    except ImportError as missing:
        raise ImportError("paths_to_pandas needs pandas: pip install pandas") from missing
    columns = list(PathRow.__annotations__)
    return pandas.DataFrame(paths_rows(result), columns=columns)
