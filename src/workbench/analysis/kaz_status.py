"""Kazakhstan's status per concept (absent, partial, present) from all Kazakh evidence in the data.

Evidence read, each row cited (source and locator):

* the **baseline** frameworks (``--baseline``): an item carrying the concept makes it *present*,
  an item touching it by ``skos:relatedMatch`` makes it *partial*;
* Kazakh **practices, principles and law** (``data/practices/``, country KAZ, kind practice or
  principle, not a proposal of a paper): carrying makes it *present*, related *partial*;
* **other Kazakh frameworks** in force (the training curriculum, the senior-level competencies when
  they are not the baseline; never a paper's proposed model, a framework recorded with
  ``proposal: true``): carrying makes
  it *partial*: the training offers it or one level requires it, the chosen model does not;
* Kazakh **indicators** that count something existing (unit ``count``) and carry the concept:
  *present*;
* Kazakh **gaps** (practices of kind risk, country KAZ, carrying the concept) never change the
  status; they turn "strengthen" into "enforce" (seed 001: "implemented to varying degrees");
* our **checks for the options** (``kaz_now`` of ``data/options/``, cited): what the law, codes and
  programmes we read show of an option's measure today, for the option's main (first) concept: *present*
  or *partial* as the check found, or *undecided* when the sources that would decide could not be read.

A concept with none of these rows is *absent*; its deciding evidence is the list of baseline
frameworks searched. A concept whose only evidence is a check that could not decide is
*undecided*: not absent, for our own record says the evidence cannot tell (the score then counts
Kazakhstan's status as unknown, :mod:`workbench.analysis.scoring`).
"""
from __future__ import annotations

import pandas as pd

from workbench.analysis.crosswalk import CARRYING_PREDICATES, indicator_concepts, item_concepts, practice_concepts
from workbench.model.dataset import Dataset
from workbench.model.versions import proposals
from workbench.model.schema import PREDICATES

__all__ = ["STATUSES", "EVIDENCE_COLUMNS", "kaz_evidence", "kaz_status", "verb"]

#: The statuses, from weakest to strongest; ``undecided``: only a check that could not decide.
STATUSES = ("absent", "undecided", "partial", "present")
#: The options' checks (``kaz_now.status``) that are evidence, each of the level it names (an
#: ``absent`` check adds nothing to what no evidence already says).
CHECK_LEVELS = ("present", "partial", "undecided")
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


def kaz_evidence(ds: Dataset, baseline: list[str]) -> pd.DataFrame:
    """Every Kazakh evidence row per concept, with the status it supports (``level``).

    ``level`` is ``present``, ``partial`` or ``gap`` (a Kazakh risk: no status of its own).
    """
    carrying = set(CARRYING_PREDICATES)
    by_predicate = lambda f: f["predicate"].map(lambda p: "present" if p in carrying else "partial")  # noqa: E731
    items = item_concepts(ds.items, ds.crosswalk, PREDICATES)
    practices = practice_concepts(ds.practices, ds.crosswalk, PREDICATES)
    indicators = indicator_concepts(ds.indicators, ds.crosswalk, CARRYING_PREDICATES).rename(columns={"indicator": "label"})
    kaz_items = items[items["country"] == "KAZ"]
    other = kaz_items[~kaz_items["framework_id"].isin([*baseline, *proposals(ds.frameworks)])]
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
        _option_rows(ds.options),
    ]
    out = pd.concat(parts, ignore_index=True)
    return out.sort_values(["concept_id", "kind", "subject_id"], kind="stable").reset_index(drop=True)


def _option_rows(options: pd.DataFrame | None) -> pd.DataFrame:
    """Our checks for the options as evidence rows, for each option's main (first) concept: a check is
    of the option's measure, which its other concepts serve only in part (``subject_id``: the option;
    its title is shown in the reader's language where the evidence is laid out)."""
    if options is None or options.empty:
        return pd.DataFrame(columns=EVIDENCE_COLUMNS)
    checked = options[options["kaz_status"].isin(CHECK_LEVELS)]
    rows = [{"concept_id": c, "subject_id": o.option_id, "label": o.title_en, "level": o.kaz_status,
             "source": o.kaz_source, "locator": o.kaz_locator} for o in checked.itertuples(index=False) for c in o.concepts[:1]]
    return _rows(pd.DataFrame(rows, columns=["concept_id", "subject_id", "label", "level", "source", "locator"]), "option", "subject_id", lambda f: f["level"])


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
    enforce, where a source records a gap) what it has; verify first what our evidence cannot decide."""
    if status == "undecided":
        return "verify"
    if status == "absent":
        return "adopt"
    if status == "partial":
        return "develop"
    return "enforce" if has_gap else "strengthen"
