"""The crosswalk joined to what it maps: which concepts each item, practice and indicator carries."""
from __future__ import annotations

from typing import Iterable, Mapping

import pandas as pd

from workbench.model.errors import InputError
from workbench.model.schema import CARRYING_PREDICATES, LEVELS
from workbench.model.values import check_number

__all__ = [
    "CARRYING_PREDICATES",
    "item_concepts",
    "practice_concepts",
    "indicator_concepts",
    "filter_items",
    "concept_coverage",
    "low_confidence_mappings",
    "subject_labels",
    "unmapped_subjects",
]



def _mapped(crosswalk: pd.DataFrame, predicates: Iterable[str]) -> pd.DataFrame:
    cw = crosswalk[crosswalk["predicate_id"].isin(tuple(predicates))]
    return cw.rename(columns={"subject_id": "subject", "object_id": "concept_id", "predicate_id": "predicate"})[
        ["subject", "concept_id", "predicate", "confidence"]
    ]


def filter_items(
    items: pd.DataFrame,
    countries: Iterable[str] | None = None,
    frameworks: Iterable[str] | None = None,
    level: str | None = None,
) -> pd.DataFrame:
    """Items restricted to ``countries``, ``frameworks`` and one ``level`` (``None``: every level).

    Unknown countries, frameworks or levels raise :class:`InputError` naming the option.
    """
    out = items
    if countries is not None:
        countries = list(countries)
        unknown = sorted(set(countries) - set(items["country"]))
        if unknown:
            known = ", ".join(sorted(items["country"].unique()))
            plural = "have" if len(unknown) > 1 else "has"
            raise InputError.parameter("countries", f"{', '.join(unknown)} {plural} no framework in the data (countries with data: {known})")
        out = out[out["country"].isin(countries)]
    if frameworks is not None:
        frameworks = list(frameworks)
        unknown = sorted(set(frameworks) - set(items["framework_id"]))
        if unknown:
            raise InputError.parameter("frameworks", f"unknown framework {', '.join(map(repr, unknown))}")
        out = out[out["framework_id"].isin(frameworks)]
    if level is not None:
        if level not in LEVELS:
            raise InputError.parameter("level", f"unknown level '{level}' (use one of {', '.join(LEVELS)})")
        out = out[out["level"] == level]
    return out


def item_concepts(items: pd.DataFrame, crosswalk: pd.DataFrame, predicates: Iterable[str] = CARRYING_PREDICATES) -> pd.DataFrame:
    """One row per (item, concept) the item carries, with the item's framework, country, label and source."""
    merged = items.merge(_mapped(crosswalk, predicates), left_on="item_code", right_on="subject")
    return merged.drop(columns="subject")


def practice_concepts(practices: pd.DataFrame, crosswalk: pd.DataFrame, predicates: Iterable[str] = CARRYING_PREDICATES) -> pd.DataFrame:
    """One row per (practice, concept), with the practice's country, kind, label and source."""
    merged = practices.merge(_mapped(crosswalk, predicates), left_on="id", right_on="subject")
    return merged.drop(columns="subject").rename(columns={"id": "practice_id"})


def indicator_concepts(indicators: pd.DataFrame, crosswalk: pd.DataFrame, predicates: Iterable[str] = CARRYING_PREDICATES) -> pd.DataFrame:
    """One row per (indicator, concept): survey gaps and other numbers tied to concepts."""
    merged = indicators.merge(_mapped(crosswalk, predicates), left_on="id", right_on="subject")
    return merged.drop(columns="subject").rename(columns={"id": "indicator_id"})


def concept_coverage(items: pd.DataFrame, crosswalk: pd.DataFrame, concepts: pd.DataFrame) -> pd.DataFrame:
    """Per concept: how many items, frameworks and countries carry it (zero rows kept)."""
    carried = item_concepts(items, crosswalk)
    counts = carried.groupby("concept_id").agg(
        items=("item_code", "nunique"), frameworks=("framework_id", "nunique"), countries=("country", "nunique")
    )
    out = concepts[["concept_id", "domain", "scope"]].merge(counts, left_on="concept_id", right_index=True, how="left")
    return out.fillna({"items": 0, "frameworks": 0, "countries": 0}).astype({"items": int, "frameworks": int, "countries": int})


def low_confidence_mappings(crosswalk: pd.DataFrame, below: float, labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Mappings whose confidence is below ``below``, weakest first: what a reviewer checks first.

    ``labels``: the mapped things' own names by id (:func:`subject_labels`), shown as ``item_label``
    so that a reviewer can judge a mapping without looking its code up.
    """
    below = check_number(below, "low_confidence", 0, 1)
    weak = crosswalk[crosswalk["confidence"] < below].sort_values(["confidence", "subject_id"])
    out = weak[["subject_id", "predicate_id", "object_id", "confidence", "comment"]]
    return out if labels is None else out.assign(item_label=out["subject_id"].map(labels).fillna(""))[
        ["subject_id", "item_label", "predicate_id", "object_id", "confidence", "comment"]]


def subject_labels(items: pd.DataFrame, practices: pd.DataFrame, indicators: pd.DataFrame) -> dict[str, str]:
    """The name of everything the crosswalk maps, by its id: items, practices and indicators."""
    return {**dict(zip(indicators["id"], indicators["indicator"])), **dict(zip(practices["id"], practices["label"])),
            **dict(zip(items["item_code"], items["label"]))}


def unmapped_subjects(items: pd.DataFrame, practices: pd.DataFrame, crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Items and practices with no mapping at all (validation forbids them; kept for other data)."""
    mapped = set(crosswalk["subject_id"])
    rows = [("item", c, l) for c, l in zip(items["item_code"], items["label"]) if c not in mapped]
    rows += [("practice", c, l) for c, l in zip(practices["id"], practices["label"]) if c not in mapped]
    return pd.DataFrame(rows, columns=["kind", "subject_id", "label"])
