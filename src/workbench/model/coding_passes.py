"""The double coding of the crosswalk (``data/coding/``): two independent passes and the adjudication.

``first_pass.tsv`` holds the first coder's mappings of every framework item as they stood before the
second pass; ``second_pass.tsv`` the second coder's, made without seeing the first; ``adjudication.tsv``
one decision for every (item, concept) on which they differed: ``keep`` or ``remove`` a first-pass
mapping, ``add`` or ``reject`` a second-pass one, or ``change`` the predicate both gave. The crosswalk
is the result; these files are the record of how it was reached (and what Cohen's kappa measures).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from workbench.model.errors import InputError, Problem
from workbench.model.schema import PREDICATES
from workbench.model.sourcefile import read_table
from workbench.model.values import unknown_id

__all__ = ["PASS_COLUMNS", "ADJUDICATION_COLUMNS", "DECISIONS", "CodingPasses", "read_passes", "passes_of"]

PASS_COLUMNS = ["item_code", "predicate_id", "concept_id", "confidence", "comment"]
ADJUDICATION_COLUMNS = ["item_code", "concept_id", "decision", "predicate_id", "confidence", "reason"]
#: What an adjudication may decide, and whether the decision leaves a mapping in the crosswalk.
DECISIONS = {"keep": True, "add": True, "change": True, "remove": False, "reject": False}
FOLDER = "coding"


@dataclass(frozen=True)
class CodingPasses:
    """The two passes and the adjudication as frames (columns as in the files)."""

    first: Any
    second: Any
    adjudication: Any


def _row_problems(row: dict[str, str], items: set[str], concepts: set[str], predicate_needed: bool) -> list[str]:
    found = []
    if row["item_code"] not in items:
        found.append(f"unknown item '{row['item_code']}'")
    if row["concept_id"] not in concepts:
        found.append(unknown_id("concept", row["concept_id"], concepts))
    if predicate_needed and row["predicate_id"] not in PREDICATES:
        found.append(f"unknown predicate '{row['predicate_id']}' (use one of {', '.join(PREDICATES)})")
    if predicate_needed:
        try:
            if not 0 <= float(row["confidence"]) <= 1:
                raise ValueError
        except ValueError:
            found.append(f"confidence '{row['confidence']}' is not a number from 0 to 1")
    return found


def _read(path: Path, columns: list[str], check: Callable[[dict[str, str]], list[str]], problems: list[Problem]) -> Any:
    import pandas as pd  # deferred: pandas only when a report or `workbench validate` reads the passes

    try:
        header, rows = read_table(path, delimiter="\t")
    except InputError as exc:
        problems.extend(exc.problems)
        return pd.DataFrame(columns=columns)
    if header != columns:
        problems.append(Problem(str(path), 1, "header must be " + "\t".join(columns)))
        return pd.DataFrame(columns=columns)
    seen: set[tuple[str, str]] = set()
    for line, row in rows:
        pair = (row["item_code"], row["concept_id"])
        problems.extend(Problem(str(path), line, m) for m in check(row))
        if pair in seen:
            problems.append(Problem(str(path), line, f"item '{pair[0]}' and concept '{pair[1]}' given twice"))
        seen.add(pair)
    return pd.DataFrame([row for _, row in rows], columns=columns)


def _adjudication_check(items: set[str], concepts: set[str]) -> Callable[[dict[str, str]], list[str]]:
    def check(row: dict[str, str]) -> list[str]:
        if row["decision"] not in DECISIONS:
            return [f"unknown decision '{row['decision']}' (use one of {', '.join(DECISIONS)})"]
        return _row_problems(row, items, concepts, DECISIONS[row["decision"]])
    return check


def read_passes(root: str | Path, items: set[str], concepts: set[str]) -> CodingPasses | None:
    """The passes of ``root/coding`` checked against the known items and concepts (``None`` when the
    folder is absent); every problem is reported as ``path:line: message``."""
    folder = Path(root) / FOLDER
    if not folder.is_dir():
        return None
    problems: list[Problem] = []
    plain = lambda row: _row_problems(row, items, concepts, True)  # noqa: E731
    first = _read(folder / "first_pass.tsv", PASS_COLUMNS, plain, problems)
    second = _read(folder / "second_pass.tsv", PASS_COLUMNS, plain, problems)
    adjudication = _read(folder / "adjudication.tsv", ADJUDICATION_COLUMNS, _adjudication_check(items, concepts), problems)
    if problems:
        raise InputError(problems)
    for frame in (first, second, adjudication):
        frame["confidence"] = frame["confidence"].map(lambda v: float(v) if v not in ("", None) else float("nan"))
    return CodingPasses(first, second, adjudication)


def passes_of(ds: Any) -> CodingPasses | None:
    """The passes of a loaded dataset's folder, checked against its items (load it with
    ``all_versions=True``: the passes cover replaced versions too) and concepts."""
    return read_passes(ds.path, set(ds.items["item_code"]), set(ds.concepts["concept_id"]))
