"""Issue 28: framework versions over time: lineages checked, the data as of a date, what changed."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import REPO
from workbench.analysis.changes import lineage_changes
from workbench.model.dataset import load
from workbench.model.errors import InputError

DATA = REPO / "data"
USA_2006 = "usa_executive_core_qualifications"


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    return root


def _edit(path: Path, **changes) -> None:
    record = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = value
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        load(root)
    return [str(p) for p in err.value.problems]


def _line(path: Path, key: str) -> int:
    return next(i for i, l in enumerate(path.read_text(encoding="utf-8").split("\n"), 1) if l.startswith(f"{key}:"))


def test_overlapping_versions_are_refused_with_file_and_line(data):
    new = data / "frameworks" / "usa_ecq_2025.yaml"
    _edit(new, in_force_from="2020-01-01")
    problems = _problems(data)
    assert f"{new}:{_line(new, 'in_force_from')}: lineage '{USA_2006}': versions '{USA_2006}' (to 2025-09-30) and 'usa_ecq_2025' (from 2020-01-01) overlap" in problems


def test_a_broken_chain_is_refused_with_file_and_line(data):
    old = data / "frameworks" / f"{USA_2006}.yaml"
    _edit(old, replaced_by="usa_ecq_2030")
    assert f"{old}:{_line(old, 'replaced_by')}: broken chain: 'usa_ecq_2030' is no version of lineage '{USA_2006}'" in _problems(data)
    _edit(old, replaced_by="usa_ecq_2025")
    new = data / "frameworks" / "usa_ecq_2025.yaml"
    _edit(new, in_force_from="2025-11-01")  # a month with no version in force
    assert any(p.startswith(f"{new}:") and "not the day after" in p for p in _problems(data))


def test_dates_without_a_source_are_refused(data):
    new = data / "frameworks" / "usa_ecq_2025.yaml"
    _edit(new, dates_source=None)
    assert any(p.startswith(f"{new}:") and "in-force dates need their citation" in p for p in _problems(data))


def test_a_year_known_alone_says_so_and_covers_the_whole_year(data):
    new = data / "frameworks" / "usa_ecq_2025.yaml"
    old = data / "frameworks" / f"{USA_2006}.yaml"
    _edit(old, in_force_to=2024)
    _edit(new, in_force_from=2025)
    ds = load(data, as_of="2024-12-31")
    assert USA_2006 in set(ds.frameworks["framework_id"])
    assert "usa_ecq_2025" in set(load(data, as_of="2025-01-01").frameworks["framework_id"])


def test_no_lineage_counts_twice_and_each_date_uses_its_version():
    for day, expected in (("2024-06-01", USA_2006), ("2026-01-01", "usa_ecq_2025"), (None, "usa_ecq_2025")):
        usa = load(as_of=day).frameworks.query("country == 'USA'")
        assert list(usa.loc[usa["lineage"] == "usa_executive_core_qualifications", "framework_id"]) == [expected]
        assert usa["lineage"].is_unique  # beside it only the ethics principles, a lineage of their own
    assert {USA_2006, "usa_ecq_2025"} <= set(load(all_versions=True).frameworks["framework_id"])


def test_recommend_as_of_uses_the_version_in_force_and_names_it(run_cli):
    old = run_cli("recommend", "--peers", "USA", "--as-of", "2024-06-01", "--draws", "0")
    new = run_cli("recommend", "--peers", "USA", "--draws", "0")
    assert old.returncode == 0 and new.returncode == 0, old.stderr + new.stderr
    old_csv, new_csv = (pd.read_csv(io.StringIO(x.stdout), keep_default_na=False) for x in (old, new))
    principles = "USA usa_principles_ethical_conduct (1993, from 1993)"  # the ethics principles, in force on both days
    assert set(old_csv["frameworks"]) == {f"USA usa_executive_core_qualifications (2006, from 2006-10-01); {principles}"}
    assert set(new_csv["frameworks"]) == {f"USA usa_ecq_2025 (2025, from 2025-10-01); {principles}"}
    assert old_csv[["scope", "concept_id"]].values.tolist() != new_csv[["scope", "concept_id"]].values.tolist()
    before = run_cli("recommend", "--peers", "USA", "--as-of", "1990-01-01")
    assert before.returncode == 2 and before.stderr.startswith("--as-of: USA has no framework in force on 1990-01-01")
    bad = run_cli("recommend", "--as-of", "last year")
    assert bad.returncode == 2 and bad.stderr.strip() == "--as-of: 'last year' is no date (give YYYY-MM-DD)"


def test_what_changed_lists_the_usa_concepts_gained_and_lost_with_their_source():
    usa = lineage_changes(load(all_versions=True)).set_index("lineage").loc[[USA_2006]]
    assert list(zip(usa["from_version"], usa["to_version"])) == [("1997", "2006"), ("2006", "2025")]
    changes = usa.iloc[1]
    assert changes["in_force_from"] == "2025-10-01" and changes["dates_source"] == "ref_usa_ecq_2025_effective"
    # the 2025 list is complete: what the 2006 list carried and it does not is lost
    assert {"strategic_vision", "integrity_ethics"} <= set(changes["lost"].split(";"))
    # the 2006 list is known only in part: a concept only 2025 carries may have been in its unread part
    assert changes["gained"] == "" and "legal_literacy" in changes["gained_or_unread"].split(";")


def test_the_papers_are_compared_as_of_their_own_year_and_the_ranking_as_of_today():
    from datetime import date

    from workbench.analysis import papers, recommend

    peers = ["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS"]
    today = recommend.analyse(load(), peers)
    seen = []

    def at(day):
        seen.append(day)
        return recommend.analyse(load(as_of=day), peers)

    found = papers.paper_findings_as_of(today, at, top=10)
    assert seen == [date(2024, 1, 1), date(2025, 1, 1)]  # seed 001 (2024), seed 002 (2025); 003 and 004 give no year
    # new: a top concept that none of the papers recommends, whichever date a paper is compared as of
    carried = {c for cs in found.loc[found["verdict"] != "new", "concepts"] for c in cs.split(";") if c}
    new = set(found.loc[found["verdict"] == "new", "concept_id"])
    assert new and not new & carried
    # nor one a recommendation touches by skos:relatedMatch only ("training in leadership" touches leadership)
    related = {c for cs in papers.paper_recommendations(today)["related_concepts"] for c in cs}
    assert "leadership" in related and not new & related
    as_of = found.groupby("paper")["as_of"].first().to_dict()
    assert as_of["seed001"] == "2024-01-01" and as_of["seed002"] == "2025-01-01"
    assert as_of["seed004"] == str(date.today()) and set(found.loc[found["verdict"] == "new", "as_of"]) == {str(date.today())}
    # like with like: seed 001's comparison saw the USA's 2006 qualifications, today's ranking the 2025 ones
    assert "usa_executive_core_qualifications" in set(at(date(2024, 1, 1)).items["framework_id"])
    assert "usa_ecq_2025" in set(today.items["framework_id"])


def test_the_timelines_policy_steps_are_numbered_and_listed_with_their_dates_in_the_readers_language():
    import datetime

    from workbench.analysis.changes import lineages
    from workbench.present.timeline import numbered_anchors, timeline_figure

    ds = load(all_versions=True, lang="kk")
    steps = numbered_anchors(ds.anchors)
    assert steps["№"].tolist() == list(range(1, len(ds.anchors) + 1))
    assert steps["date"].map(str).tolist() == sorted(steps["date"].map(str))  # one country: by date
    assert not steps["policy_step"].str.contains("Concept|Law|Decree").any()  # the titles in Kazakh
    fig = timeline_figure(lineages(ds), ds.anchors, datetime.date(2026, 1, 1), lang="kk")
    numbers = [t.get_text() for t in fig.axes[0].texts if t.get_text().isdigit() and len(t.get_text()) < 3]
    assert sorted(numbers, key=int) == [str(n) for n in steps["№"]]  # each marker carries its number in the list


def test_a_comparison_at_one_level_lists_only_the_frameworks_of_that_level():
    """A domain review: the senior-level network listed Canada's Values and Ethics Code and the
    curriculum among the frameworks it used, though it drew only senior frameworks."""
    from workbench.model.versions import versions_in_force

    ds = load()
    rows = versions_in_force(ds, ["CAN", "KAZ", "LTU"], "senior")
    assert set(rows["framework_id"]) == set(ds.frameworks.loc[ds.frameworks["level"] == "senior", "framework_id"]) & set(
        ds.frameworks.loc[ds.frameworks["country"].isin(["CAN", "KAZ", "LTU"]), "framework_id"])
    assert "can_values_ethics_code" not in set(rows["framework_id"]) and len(rows)
