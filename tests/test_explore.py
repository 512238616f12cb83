"""Issue 24: the explorer computes what `workbench recommend` computes, saves a report the runner
regenerates, and exports to HTML without live widgets."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import REPO, workbench_executable
from workbench.analysis import recommend
from workbench.model.dataset import load
from workbench.model.errors import InputError
from workbench.model.settings import load_settings
from workbench.run import Project
from workbench.run.explore import EXPLORED_COLUMNS, Choice, ExplorerModel, explorer, save_as_report

SEED001_PEERS = ("GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS")
CASES = [Choice(), Choice(peers=SEED001_PEERS, weights=(("measured_need", 2.0), ("oecd_alignment", 0.5)))]


@pytest.fixture(scope="module")
def model() -> ExplorerModel:
    return ExplorerModel()


@pytest.mark.parametrize("choice", CASES, ids=["defaults", "seed001-two-weights"])
def test_the_explorer_gives_the_same_table_as_workbench_recommend(model, choice, tmp_path):
    explored = model.compute(choice).recs[EXPLORED_COLUMNS].reset_index(drop=True)
    library = recommend.recommend(load(), list(choice.peers), choice.baseline, dict(choice.weights) or None, top=choice.top)
    pd.testing.assert_frame_equal(explored, library[EXPLORED_COLUMNS].reset_index(drop=True))
    # and through the command a researcher runs, with the weights in a file
    args = ["recommend", "--peers", ",".join(choice.peers), "--top", str(choice.top)]
    if choice.weights:
        weights = {**load_settings(load()).weights.model_dump(), **dict(choice.weights)}  # a file gives all five
        (tmp_path / "w.yaml").write_text(yaml.safe_dump({"weights": weights}), encoding="utf-8")
        args += ["--weights", str(tmp_path / "w.yaml")]
    out = subprocess.run([workbench_executable(), *args], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert out.returncode == 0, out.stderr
    cli = pd.read_csv(io.StringIO(out.stdout), keep_default_na=False).drop_duplicates(["scope", "concept_id"]).reset_index(drop=True)
    assert cli[["rank", "scope", "concept_id", "kaz_status"]].values.tolist() == explored[["rank", "scope", "concept_id", "kaz_status"]].values.tolist()
    assert cli["score"].tolist() == [float(f"{v:.4g}") for v in explored["score"]]
    assert cli["stability"].tolist() == [float(f"{v:.4g}") for v in explored["stability"]]


def test_a_weight_change_moves_ranks_against_the_defaults(model):
    moved = model.compute(Choice(weights=(("measured_need", 3.0),)))
    assert (moved.moves.dropna() != 0).any()
    assert (model.compute(Choice()).moves == 0).all()


def test_the_widgets_update_on_a_change(model, tmp_path):
    view = explorer(model, Project(REPO))
    before = len(model.timings)
    view.controls_["measured_need"].value = 2.5
    view.controls_["peers"].value = ("GBR", "USA")
    assert len(model.timings) == before + 2
    assert 'class="wb-explore-ranked"' in view.snapshot_() and "overlap network" in view.snapshot_()


@pytest.fixture
def project(tmp_path: Path) -> Project:
    root = tmp_path / "checkout"
    for name in ("notebooks", "data"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "reports.yaml", root / "reports.yaml")
    return Project(root)


def test_save_as_report_appends_an_entry_and_refuses_a_taken_name(project):
    choice = Choice(peers=("GBR", "USA"), weights=(("measured_need", 2.0),), top=5)
    before = project.matrix.read_text(encoding="utf-8")
    assert save_as_report(project, choice, "explored-test", "Explored: the UK and the USA") == "explored-test"
    text = project.matrix.read_text(encoding="utf-8")
    assert text.startswith(before.rstrip("\n"))  # comments and entries kept as they were
    entry = yaml.safe_load(text)["reports"][-1]
    assert entry["parameters"] == {"peers": ["GBR", "USA"], "baseline": "listening_state", "top": 5, "granularity": "fine",
                                   "lang": "en", "weights": {"measured_need": 2.0}}
    for name, message in (("explored-test", "exists in reports.yaml"), ("taxonomy", "exists"),
                          ("recommendations-inclusive-governance", "exists"), ("../escape", "name"), ("", "name")):
        with pytest.raises(InputError, match=message):
            save_as_report(project, choice, name, "t")
    assert project.matrix.read_text(encoding="utf-8") == text


@pytest.mark.integration
def test_a_saved_report_regenerates_with_the_explorers_top_ten(project, model):
    choice = Choice(peers=SEED001_PEERS, weights=(("measured_need", 2.0),))
    save_as_report(project, choice, "explored-seed001", "Seed 001's peers, need weighted")
    done = subprocess.run([workbench_executable(), "reports", "--only", "explored-seed001", "--no-progress"],
                          cwd=project.root, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    page = (project.reports / "explored-seed001.html").read_text(encoding="utf-8")
    labels = dict(zip(load().concepts["concept_id"], load().concepts["label_en"]))
    ranked = page[page.index('id="ranked'):] if 'id="ranked' in page else page
    expected = model.compute(choice).recs
    for scope, part in expected.groupby("scope"):
        positions = [ranked.index(f"<td style=\"text-align: left\">{labels[c]}</td>") for c in part["concept_id"]]
        assert positions == sorted(positions), scope  # the same concepts, in the same order


def test_the_explorer_opens_on_another_data_folder_with_its_own_baselines_and_countries(tmp_path):
    from test_recommend import make_data

    data = make_data(tmp_path)
    model = ExplorerModel(load(data))
    view = explorer(model, Project(REPO))
    assert view.controls_["baseline"].value == "base"  # the folder names no listening_state baseline
    assert set(view.controls_["peers"].value) <= {"GBR", "CAN", "NZL"} and view.controls_["peers"].value
    assert 'class="wb-explore-ranked"' in view.snapshot_()


def test_markup_in_a_concept_label_shows_as_text_in_the_explorer(model, monkeypatch):
    import workbench.run.explore as explore

    result = model.compute(Choice())
    hostile = "<img src=x onerror=alert(1)>"
    monkeypatch.setattr(explore, "concept_labels", lambda concepts, lang: {c: f"{c} {hostile}" for c in concepts["concept_id"]})
    for page in (explore.ranked_html(result, "en"), explore.components_html(result, "en")):
        assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_all_weights_zero_reads_as_one_line_in_the_explorers_status(model):
    """A review in JupyterLab: with every weight at 0 the validation error went to the log console, and
    the previous ranking stayed on screen as if current."""
    import dataclasses

    from workbench.run.explore import _problem_text

    zero = dataclasses.replace(Choice(), weights=dict.fromkeys(("peer_share", "oecd_alignment", "kaz_absence", "measured_need", "paper_recommended"), 0.0))
    with pytest.raises(ValueError) as err:
        model.compute(zero)
    assert _problem_text(err.value) == "all weights are zero"


def test_the_explorers_stability_reads_as_the_reports_do(model):
    """A review in JupyterLab: the explorer showed stability as 1.00 and 0.99 where the reports show 100.0 %."""
    from workbench.run.explore import ranked_html

    shown = ranked_html(model.compute(Choice()), "ru")
    assert re.search(r"<td>\d{1,3},\d\xa0%</td>", shown), shown[:500]
