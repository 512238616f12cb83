"""Training needs: survey gaps, curriculum supply, and their alignment with recommendations."""
from __future__ import annotations

import pandas as pd
import pytest

import workbench
from workbench.analysis import recommend
from workbench.analysis import training


@pytest.fixture(scope="module")
def ds():
    return workbench.load()


def test_survey_gaps_are_the_seven_percentages_largest_first(ds):
    settings = recommend.load_settings(ds)
    gaps = training.survey_gaps(ds.indicators, ds.crosswalk, settings.need_indicators)
    assert gaps["value"].tolist() == [57.2, 52.1, 45.3, 42.7, 38.5, 35.8, 32.5]
    assert (gaps["source"] == "seed004").all() and gaps["concepts"].str.len().gt(0).all()


def test_supply_counts_curriculum_items_per_concept(ds):
    settings = recommend.load_settings(ds)
    supply = training.training_supply(ds.items, ds.crosswalk, settings.curriculum_frameworks)
    curriculum = ds.items[ds.items["framework_id"].isin(settings.curriculum_frameworks)]
    assert supply["curriculum_items"].max() <= len(curriculum)
    assert set(supply["concept_id"]) <= set(ds.concepts["concept_id"])
    assert supply.set_index("concept_id").loc["learning_development", "curriculum_items"] >= 1


def test_alignment_status_by_hand():
    recs = pd.DataFrame({"rank": [1, 2, 3], "concept_id": ["a", "b", "c"], "score": [0.9, 0.8, 0.7]})
    gaps = pd.DataFrame({"indicator_id": ["g1", "g2"], "value": [50.0, 30.0], "concepts": ["a;b", "a"]})
    supply = pd.DataFrame({"concept_id": ["b", "c"], "curriculum_items": [2, 1], "courses": ["x; y", "z"]})
    out = training.training_alignment(recs, gaps, supply).set_index("concept_id")
    assert out.loc["a", "survey_gap_percent"] == 50.0 and out.loc["a", "status"] == "need, no supply"
    assert out.loc["b", "status"] == "need, supplied" and out.loc["b", "curriculum_items"] == 2
    assert pd.isna(out.loc["c", "survey_gap_percent"]) and out.loc["c", "status"] == "no measured need, supplied"
