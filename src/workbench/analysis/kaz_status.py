"""Kazakhstan's status per concept (absent, partial, present) from all Kazakh evidence in the data.

Evidence read, each row cited (source and locator):

* the **baseline** frameworks (``--baseline``): an item carrying the concept makes it *present*,
  an item touching it by ``skos:relatedMatch`` makes it *partial*;
* Kazakh **practices, principles and law** (``data/practices/``, country KAZ, kind practice or
  principle, not a proposal of a paper): carrying makes it *present*, related *partial*;
* **other Kazakh frameworks** in force (the training curriculum, the senior-level competencies when
  they are not the baseline; never a paper's proposed model, ``proposal_frameworks`` of
  ``data/weights.yaml``): carrying makes
  it *partial*: the training offers it or one level requires it, the chosen model does not;
* Kazakh **indicators** that count something existing (unit ``count``) and carry the concept:
  *present*;
* Kazakh **gaps** (practices of kind risk, country KAZ, carrying the concept) never change the
  status; they turn "strengthen" into "enforce" (seed 001: "implemented to varying degrees").

A concept with none of these rows is *absent*; its deciding evidence is the list of baseline
frameworks searched.
"""
from __future__ import annotations

import pandas as pd

from workbench.analysis.crosswalk import CARRYING_PREDICATES, indicator_concepts, item_concepts, practice_concepts
from workbench.model.dataset import Dataset
from workbench.model.schema import PREDICATES

__all__ = ["STATUSES", "EVIDENCE_COLUMNS", "kaz_evidence", "kaz_status", "verb"]

#: The three statuses, from weakest to strongest.
STATUSES = ("absent", "partial", "present")
EVIDENCE_COLUMNS = ["concept_id", "kind", "level", "framework_id", "subject_id", "label", "predicate", "source", "locator"]
#: Practice kinds that describe something Kazakhstan has (risks are gaps, steps are proposals).
EXISTING_KINDS = ("practice", "principle")


def _rows(frame: pd.DataFrame, kind: str, subject: str, level) -> pd.DataFrame:
    out = frame.rename(columns={subject: "subject_id"}).assign(kind=kind)
    out["level"] = level(out) if callable(level) else level
    for col in EVIDENCE_COLUMNS:
        if col not in out.columns:
            out[col] = ""
    return out[EVIDENCE_COLUMNS]


def kaz_evidence(ds: Dataset, baseline: list[str], proposal_frameworks: list[str]) -> pd.DataFrame:
    """Every Kazakh evidence row per concept, with the status it supports (``level``).

    ``level`` is ``present``, ``partial`` or ``gap`` (a Kazakh risk: no status of its own).
    """
    carrying = set(CARRYING_PREDICATES)
    by_predicate = lambda f: f["predicate"].map(lambda p: "present" if p in carrying else "partial")  # noqa: E731
    items = item_concepts(ds.items, ds.crosswalk, PREDICATES)
    practices = practice_concepts(ds.practices, ds.crosswalk, PREDICATES)
    indicators = indicator_concepts(ds.indicators, ds.crosswalk, CARRYING_PREDICATES).rename(columns={"indicator": "label"})
    kaz_items = items[items["country"] == "KAZ"]
    other = kaz_items[~kaz_items["framework_id"].isin([*baseline, *proposal_frameworks])]
    kaz_pr = practices[practices["country"] == "KAZ"]
    parts = [
        _rows(kaz_items[kaz_items["framework_id"].isin(baseline)], "baseline", "item_code", by_predicate),
        # a paper's proposal (recommended_for_kaz) is not evidence that Kazakhstan has it
        _rows(kaz_pr[kaz_pr["kind"].isin(EXISTING_KINDS) & ~kaz_pr["recommended_for_kaz"].astype(bool)],
              "practice", "practice_id", by_predicate),
        _rows(other[other["predicate"].isin(carrying)], "other_framework", "item_code", "partial"),
        _rows(indicators[(indicators["country"] == "KAZ") & (indicators["unit"] == "count")],
              "indicator", "indicator_id", "present"),
        _rows(kaz_pr[(kaz_pr["kind"] == "risk") & kaz_pr["predicate"].isin(carrying)], "gap", "practice_id", "gap"),
    ]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["concept_id", "kind", "subject_id"], kind="stable").reset_index(drop=True)


def kaz_status(evidence: pd.DataFrame, concept_ids) -> pd.Series:
    """The strongest level each concept's evidence supports (``absent`` without any)."""
    rank = {s: i for i, s in enumerate(STATUSES)}
    best: dict[str, str] = {}
    for cid, level in zip(evidence["concept_id"], evidence["level"]):
        if level in rank and rank[level] > rank[best.get(cid, "absent")]:
            best[cid] = level
    ids = list(concept_ids)
    return pd.Series([best.get(c, "absent") for c in ids], index=ids, name="kaz_status")


def verb(status: str, has_gap: bool) -> str:
    """What Kazakhstan would do: adopt what it lacks, develop what it has in part, strengthen (or
    enforce, where a source records a gap) what it has."""
    if status == "absent":
        return "adopt"
    if status == "partial":
        return "develop"
    return "enforce" if has_gap else "strengthen"
