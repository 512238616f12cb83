"""The loader on the real, curated data in ``data/``: what a researcher checks first."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from conftest import REPO, run_workbench
from workbench.analysis.crosswalk import item_concepts
from workbench.model.dataset import CROSSWALK_COLUMNS, Dataset, load

DATA = REPO / "data"
#: The five seed papers the project started from (../shared/seeds/), kept in sources.yaml by file name.
SEED_FILES = [
    "000_768dc561226916d4.txt",
    "001_2f87b214911501e2.txt",
    "002_3238ead0fbd346f6.txt",
    "003_9f5e1a4eee8888de.txt",
    "004_6e57caca22a3bbde.txt",
]


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load(DATA, all_versions=True)  # every version: what workbench validate checks and counts


@pytest.fixture(scope="module")
def summary() -> dict:
    result = run_workbench("validate", "--json", cwd=REPO)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_load_returns_one_dataframe_per_table(ds):
    columns = {
        "sources": {"id", "kind", "citation", "file", "url"},
        "frameworks": {"framework_id", "country", "title", "year", "level", "kind", "source", "n_items"},
        "items": {"item_code", "framework_id", "country", "level", "year", "kind", "label", "description", "group",
                  "source", "locator", "file", "line"},
        "practices": {"id", "country", "kind", "label", "description", "recommended_for_kaz", "source", "locator"},
        "indicators": {"id", "country", "indicator", "measure", "year", "value", "unit", "source", "locator"},
        "domains": {"domain", "label_en", "label_ru", "label_kk"},
        "concepts": {"concept_id", "domain", "scope", "label_en", "label_ru", "label_kk", "label_status_ru",
                     "label_status_kk", "definition", "aliases_en", "aliases_ru"},
        "crosswalk": set(CROSSWALK_COLUMNS),
    }
    for table, expected in columns.items():
        frame = getattr(ds, table)
        assert isinstance(frame, pd.DataFrame), table
        assert len(frame) > 0, table
        assert expected <= set(frame.columns), (table, expected - set(frame.columns))


def test_validate_json_reports_the_expected_coverage(summary):
    assert summary["frameworks"] >= 15
    assert summary["items"] >= 140
    assert set(SEED_FILES) <= set(summary["seed_sources"])
    assert summary["unsourced_records"] == 0
    assert {"GBR", "CAN", "NZL", "OECD", "KAZ"} <= set(summary["countries"])


def test_validate_json_agrees_with_the_library(summary, ds):
    assert summary == json.loads(json.dumps(ds.summary()))


def test_seed_files_are_bundled_and_match_the_originals():
    bundled = REPO / "data" / "documents"
    assert set(SEED_FILES) <= {p.name for p in bundled.glob("*.txt")}
    originals = REPO.parent / "shared" / "seeds"
    if not originals.is_dir():
        pytest.skip(f"{originals} is not beside this checkout to compare with")
    for name in SEED_FILES:
        assert (bundled / name).read_bytes() == (originals / name).read_bytes(), name


def test_every_item_and_practice_has_a_mapping(ds):
    mapped = set(ds.crosswalk["subject_id"])
    assert sorted(set(ds.items["item_code"]) - mapped) == []
    assert sorted(set(ds.practices["id"]) - mapped) == []


def test_nearly_every_item_carries_a_concept(ds):
    # relatedMatch alone is a link, not the concept; most items must carry at least one concept.
    carried = set(item_concepts(ds.items, ds.crosswalk)["item_code"])
    assert len(carried) >= 0.9 * len(ds.items)


def test_every_mapping_points_at_known_things(ds):
    subjects = set(ds.items["item_code"]) | set(ds.practices["id"]) | set(ds.indicators["id"])
    assert sorted(set(ds.crosswalk["subject_id"]) - subjects) == []
    assert sorted(set(ds.crosswalk["object_id"]) - set(ds.concepts["concept_id"])) == []
    assert ds.crosswalk["confidence"].between(0, 1).all()


def test_every_record_source_resolves(ds):
    ids = set(ds.sources["id"])
    for table in ("frameworks", "items", "practices", "indicators"):
        sources = getattr(ds, table)["source"]
        unresolved = sorted({s for s in sources if s not in ids and not s.startswith(("http://", "https://"))})
        assert unresolved == [], table
    seeds = ds.sources[ds.sources["kind"] == "seed"]
    assert seeds["file"].notna().all()
    references = ds.sources[ds.sources["kind"] == "reference"]
    assert references["url"].str.startswith(("http://", "https://")).all()


def test_every_record_has_a_locator(ds):
    for table in ("items", "practices", "indicators"):
        assert (getattr(ds, table)["locator"].str.strip() != "").all(), table


def test_item_fields_are_present(ds):
    items = ds.items
    for column in ("item_code", "label", "description", "framework_id", "country", "level"):
        blank = items.loc[items[column].astype(str).str.strip() == "", "framework_id"]
        if column == "description":  # a partial source may give labels without definitions; it says so in 'missing'
            partial = ds.frameworks.set_index("framework_id")
            blank = blank[~blank.map(lambda f: partial.at[f, "coverage"] == "partial" and "definition" in partial.at[f, "missing"])]
        assert blank.tolist() == [], column
    assert items["level"].isin(["all", "senior", "leaders"]).all()
    assert items["year"].between(1990, 2030).all()
    assert items["item_code"].is_unique
    assert set(items["framework_id"]) == set(ds.frameworks["framework_id"])
    # Each item keeps its framework's country and year.
    joined = items.merge(ds.frameworks, on="framework_id", suffixes=("", "_fw"))
    assert (joined["country"] == joined["country_fw"]).all()
    assert (joined["year"] == joined["year_fw"]).all()
    counts = items.groupby("framework_id").size()
    assert counts.to_dict() == ds.frameworks.set_index("framework_id")["n_items"].to_dict()


def test_item_lines_point_at_the_item(ds):
    # Error messages and reports cite file:line; the line must be the item's "- code:" line.
    for file, rows in ds.items.groupby("file"):
        lines = open(file, encoding="utf-8").read().splitlines()
        for code, line in zip(rows["item_code"], rows["line"]):
            assert f"code: {code}" in lines[line - 1], (file, line, code)


def test_data_version_changes_with_the_data(tmp_path):
    from workbench.model.synthetic import write_dataset

    spec = {"gbr_fw": {"country": "GBR", "concepts": ["leadership"]}}
    first = load(write_dataset(tmp_path / "a", spec)).data_version
    again = load(write_dataset(tmp_path / "b", spec)).data_version
    changed = load(write_dataset(tmp_path / "c", {"gbr_fw": {**spec["gbr_fw"], "year": 2021}})).data_version
    assert first == again != changed
