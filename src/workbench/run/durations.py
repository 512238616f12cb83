"""How long each report took in the last run, so that the next run starts the longest first.

With two workers, a long report started last keeps one worker busy while the other idles; the
run's outputs do not depend on the order. The file is a hint: anything unreadable is ignored.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Iterable, Sequence, TypeVar

from workbench.model.outputs import atomic_write

__all__ = ["DURATIONS_NAME", "read_durations", "write_durations", "longest_first"]

DURATIONS_NAME = "durations.json"
T = TypeVar("T")


def read_durations(path: Path) -> dict[str, float]:
    """``{report name: seconds}`` from ``path``; empty when it is missing or not such a mapping.

    >>> read_durations(Path("/nonexistent/durations.json"))
    {}
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): float(v) for k, v in data.items() if _is_seconds(v)}


def _is_seconds(value: object) -> bool:
    """Whether ``value`` is a duration: a finite number of seconds, at least zero (an integer too
    large for a float is not)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value)) and value >= 0
    except OverflowError:
        return False


def write_durations(path: Path, seconds: dict[str, float]) -> None:
    """Merge ``seconds`` into the file at ``path`` (written atomically)."""
    merged = {**read_durations(path), **{k: round(float(v), 3) for k, v in seconds.items()}}
    atomic_write(path, json.dumps(merged, sort_keys=True, indent=1) + "\n")


def longest_first(todo: Sequence[T], names: Iterable[str], seconds: dict[str, float]) -> list[T]:
    """``todo`` (with the report name of each item in ``names``) reordered: reports never timed first
    (they may be long), then the longest last time; ties keep their order.

    >>> longest_first(["a", "b", "c", "d"], "abcd", {"a": 1.0, "b": 5.0, "d": 2.0})
    ['c', 'b', 'd', 'a']
    """
    keyed = list(zip(todo, names))
    order = sorted(range(len(keyed)), key=lambda i: (-seconds.get(keyed[i][1], math.inf), i))
    return [keyed[i][0] for i in order]
