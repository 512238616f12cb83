"""Checks of a coder's review file (``workbench code`` output with decisions)."""
from __future__ import annotations

import math
from typing import Mapping as TMapping

from workbench.model.values import control_character_problem, unknown_id

DECISIONS = ("accept", "reject", "change")


def review_row_problems(row: TMapping[str, str], known: set[str]) -> tuple[list[str], tuple[int, int, float] | None]:
    """Messages for one row of a codings CSV, and its parsed ``(start, end, score)`` when readable."""
    # Every cell reaches a report or a spreadsheet: one line each, but the quote may run over several.
    messages = [f"{column}: {problem}" for column, value in row.items()
                if (problem := control_character_problem(value, multiline=column == "quote"))]
    decision = row.get("decision", "").strip().lower()
    new_id = row.get("new_concept_id", "").strip()
    concept = row["concept_id"].strip()
    try:
        start, end = int(row["start"]), int(row["end"])
        score = float(row["score"]) if row["score"].strip() else float("nan")
    except ValueError:
        return ["start, end and score must be numbers"], None
    if row["score"].strip() and not math.isfinite(score):
        messages.append(f"score must be a finite number (got {row['score'].strip()})")
    if not 0 <= start < end:
        messages.append(f"bad offsets {start}-{end} (need 0 <= start < end)")
    if concept not in known:
        messages.append(unknown_id("concept", concept, known))
    if decision and decision not in DECISIONS:
        messages.append(f"unknown decision '{decision}' (use accept, reject or change)")
    if decision == "change" and not new_id:
        messages.append("decision 'change' needs a new_concept_id")
    if new_id and decision != "change":
        messages.append(f"new_concept_id '{new_id}' given but the decision is not 'change'")
    if new_id and new_id not in known:
        messages.append(unknown_id("concept", new_id, known, " in new_concept_id"))
    return messages, (start, end, score)
