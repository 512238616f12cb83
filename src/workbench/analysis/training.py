"""Training needs: the APA survey gaps and Kazakhstan's training supply against recommended concepts."""
from __future__ import annotations

from typing import Sequence

import pandas as pd

from workbench.analysis.crosswalk import indicator_concepts, item_concepts
from workbench.model.schema import LIST_SEP

__all__ = ["survey_gaps", "training_supply", "training_alignment"]


def survey_gaps(indicators: pd.DataFrame, crosswalk: pd.DataFrame, gap_ids: Sequence[str]) -> pd.DataFrame:
    """The survey gaps (percent of respondents) with the concepts each is mapped to, largest first."""
    gaps = indicators[indicators["id"].isin(list(gap_ids))]
    mapped = indicator_concepts(gaps, crosswalk)
    concepts = mapped.groupby("indicator_id")["concept_id"].agg(lambda s: LIST_SEP.join(sorted(set(s))))
    out = gaps[["id", "indicator", "value", "source", "locator"]].rename(columns={"id": "indicator_id"})
    out = out.assign(concepts=out["indicator_id"].map(concepts).fillna(""))
    return out.sort_values(["value", "indicator_id"], ascending=[False, True]).reset_index(drop=True)


def training_supply(items: pd.DataFrame, crosswalk: pd.DataFrame, frameworks: Sequence[str]) -> pd.DataFrame:
    """Per concept: how many curriculum items (courses, modules, programmes) carry it, and which.

    ``frameworks`` are the curricula (``curriculum_frameworks`` in ``data/weights.yaml``).
    """
    curriculum = items[items["framework_id"].isin(list(frameworks))]
    carried = item_concepts(curriculum, crosswalk)
    return (
        carried.groupby("concept_id")
        .agg(curriculum_items=("item_code", "nunique"), courses=("label", lambda s: LIST_SEP.join(sorted(set(s)))))
        .reset_index()
    )


def training_alignment(recommendations: pd.DataFrame, gaps: pd.DataFrame, supply: pd.DataFrame) -> pd.DataFrame:
    """Each recommended concept with its measured need and training supply, and what that implies
    (with the ``list`` of its rank when ``recommendations`` ranks in lists, as :func:`recommend.ranked` does).

    ``status`` reads: ``need, no supply`` (train for it first), ``need, supplied``, ``no measured
    need, no supply`` or ``no measured need, supplied``.
    """
    need_rows = gaps.assign(concept_id=gaps["concepts"].str.split(LIST_SEP)).explode("concept_id")
    need = need_rows[need_rows["concept_id"] != ""].groupby("concept_id")["value"].max().rename("survey_gap_percent")
    kept = [c for c in ("rank", "list", "concept_id", "score") if c in recommendations]  # the list a rank belongs to, when ranked in lists
    out = recommendations[kept].merge(need, left_on="concept_id", right_index=True, how="left")
    out = out.merge(supply, on="concept_id", how="left")
    out["curriculum_items"] = out["curriculum_items"].fillna(0).astype(int)
    out["courses"] = out["courses"].fillna("")
    has_need = out["survey_gap_percent"].notna()
    has_supply = out["curriculum_items"] > 0
    out["status"] = [
        ("need" if n else "no measured need") + (", supplied" if s else ", no supply") for n, s in zip(has_need, has_supply)
    ]
    return out.reset_index(drop=True)
