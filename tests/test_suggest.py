"""The concept suggester on new frameworks in English and Russian, its CSV, abstention and evaluation."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from conftest import FIXTURES, REPO, run_workbench
from workbench.analysis import suggest as suggest_module
from workbench.run.cli import main
from workbench.model.dataset import load, read_framework
from workbench.analysis.suggest import SUGGEST_COLUMNS, evaluate_leave_one_framework_out, fit_from_dataset, item_text, suggest_frame
from workbench.model.synthetic import write_dataset

NEW = FIXTURES / "new_frameworks"
UNRELATED = "zzqx banana weather forecast"


@pytest.fixture(scope="module")
def ds():
    return load(REPO / "data")


@pytest.fixture(scope="module")
def model(ds):
    return fit_from_dataset(ds)


@pytest.fixture(scope="module")
def lofo(ds) -> dict:
    # Refits once per framework (a few seconds): run once for the whole module.
    return evaluate_leave_one_framework_out(ds)


def _suggest(model, name: str, top: int = 3) -> pd.DataFrame:
    fw, _ = read_framework(NEW / name)
    return suggest_frame(model, fw.id, [(i.code, i.label, i.description) for i in fw.items], top=top)


def _top(frame: pd.DataFrame, k: int) -> dict[str, list[str]]:
    return frame[frame["rank"] <= k].groupby("item_code")["concept_id"].agg(list).to_dict()


@pytest.mark.parametrize(
    "name, code, concept",
    [
        ("aus_ils.yaml", "AUS-1", "strategic_vision"),      # Shapes strategic thinking
        ("aus_ils.yaml", "AUS-5", "communication"),         # Communicates with influence
        ("ru_example.yaml", "RU-2", "anti_corruption"),     # Антикоррупционная культура
        ("ru_example.yaml", "RU-3", "digital_competence"),  # Цифровая грамотность
    ],
)
def test_sensible_best_concept(model, name, code, concept):
    assert _top(_suggest(model, name), 1)[code] == [concept]


@pytest.mark.parametrize(
    "name, code, concept",
    [
        ("aus_ils.yaml", "AUS-2", "results_delivery"),         # Achieves results
        ("aus_ils.yaml", "AUS-3", "collaboration"),            # Cultivates productive working relationships
        ("aus_ils.yaml", "AUS-4", "integrity_ethics"),         # ... personal drive and integrity
        ("ru_example.yaml", "RU-1", "strategic_vision"),       # Стратегическое мышление
        ("ru_example.yaml", "RU-4", "stakeholder_engagement"),  # Взаимодействие с гражданским обществом
        ("ru_example.yaml", "RU-5", "change_leadership"),      # Управление изменениями
    ],
)
def test_sensible_concept_among_the_top_three(model, name, code, concept):
    assert concept in _top(_suggest(model, name), 3)[code]


@pytest.mark.parametrize("text", ["zzqx banana weather", "banana bread recipe with walnuts", "рецепт бананового хлеба"])
def test_unrelated_text_is_flagged_for_review(model, text):
    [[(_, score, needs_review), *_]] = model.suggest([item_text(text)], top=3)
    assert needs_review and score < model.threshold


def test_one_shared_word_does_not_make_unrelated_text_confident(model):
    [[(_, score, needs_review), *_]] = model.suggest([item_text(UNRELATED)], top=3)
    assert needs_review and score < model.threshold


def test_raising_the_threshold_flags_more(ds, model):
    strict = fit_from_dataset(ds, threshold=0.45)
    frames = {t: pd.concat([_suggest(m, n) for n in ("aus_ils.yaml", "ru_example.yaml")]) for t, m in
              ((model.threshold, model), (0.45, strict))}
    low, high = frames[model.threshold], frames[0.45]
    assert low["score"].tolist() == high["score"].tolist()  # the threshold changes flags, not scores
    assert high["needs_review"].sum() > low["needs_review"].sum()
    assert (high["needs_review"] >= low["needs_review"]).all()  # nothing flagged becomes trusted
    assert (high["needs_review"] == (high["score"] < 0.45)).all()


def test_suggest_command_csv(tmp_path):
    result = run_workbench("suggest", NEW / "ru_example.yaml", "--top", "2", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0]) == ["framework_id", "item_code", "rank", "concept_id", "score", "needs_review"]
    assert list(rows[0]) == SUGGEST_COLUMNS
    frame = pd.read_csv(io.StringIO(result.stdout))
    assert set(frame["framework_id"]) == {"ru_example"}
    assert frame.groupby("item_code").size().to_dict() == {f"RU-{i}": 2 for i in range(1, 6)}
    for _, group in frame.groupby("item_code"):
        assert group["rank"].tolist() == [1, 2]
        assert group["score"].is_monotonic_decreasing  # rank 1 is the best
        assert group["concept_id"].is_unique
    assert frame["score"].between(0, 1).all()
    assert set(frame["needs_review"]) <= {True, False}


def test_suggest_command_writes_out_and_table(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    fixture = str(NEW / "aus_ils.yaml")
    assert main(["suggest", fixture, "--top", "4"]) == 0
    printed = capsys.readouterr().out
    assert main(["suggest", fixture, "--top", "4", "--out", "out/suggest.csv"]) == 0
    assert (tmp_path / "out/suggest.csv").read_text(encoding="utf-8-sig") == printed
    assert len(pd.read_csv(tmp_path / "out/suggest.csv")) == 5 * 4
    assert main(["suggest", fixture, "--top", "1", "--format", "table"]) == 0
    table = capsys.readouterr().out.splitlines()
    # the table a person reads names each concept beside its id (a review read ids alone); the CSV keeps its columns
    at = SUGGEST_COLUMNS.index("concept_id") + 1
    assert table[0].split() == [*SUGGEST_COLUMNS[:at], "concept", *SUGGEST_COLUMNS[at:]] and len(table) == 1 + 5


def test_suggest_threshold_option_flags_everything_at_one(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["suggest", str(NEW / "aus_ils.yaml"), "--threshold", "1"]) == 0
    assert pd.read_csv(io.StringIO(capsys.readouterr().out))["needs_review"].all()


def test_malformed_file_gets_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    text = (NEW / "aus_ils.yaml").read_text(encoding="utf-8").replace("year: 2004", "year: 20015")
    (tmp_path / "new.yaml").write_text(text, encoding="utf-8")
    assert main(["suggest", "new.yaml"]) == 2
    out = capsys.readouterr()
    assert (out.out, out.err) == ("", "new.yaml:5: year: Input should be less than or equal to 2100 (got 20015)\n")


def test_top_below_one_is_refused(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["suggest", str(NEW / "aus_ils.yaml"), "--top", "0"]) == 2
    assert len(capsys.readouterr().err.splitlines()) == 1


# -- leave-one-framework-out evaluation ---------------------------------------------------------


def test_leave_one_framework_out_numbers_are_sane(lofo, ds):
    assert lofo["items"] == len(ds.items)
    assert lofo["frameworks"] == ds.items["framework_id"].nunique()
    for key in ("top1_accuracy", "top3_accuracy", "top1_primary_accuracy", "abstention_rate"):
        assert 0 <= lofo[key] <= 1, key
    assert lofo["top3_accuracy"] >= lofo["top1_accuracy"] >= lofo["top1_primary_accuracy"]
    # Far above chance (1 in ~50 concepts); a regression in the suggester shows here first.
    assert lofo["top1_accuracy"] >= 0.5
    assert lofo["top3_accuracy"] >= 0.7


def test_evaluation_never_trains_on_the_framework_it_scores(tmp_path, monkeypatch):
    # Each framework's items are nonsense words found nowhere else, mapped to a concept other
    # than the first. A model that saw them would find them exactly (top-1 accuracy 1); a model
    # that did not scores every concept 0 and its first concept (leadership) wins: accuracy 0.
    frameworks = {
        "aaa_fw": {"country": "GBR", "concepts": ["integrity_ethics", "merit_recruitment"],
                   "labels": {"integrity_ethics": "qwxv zorblat", "merit_recruitment": "plimvek druzzo"}},
        "bbb_fw": {"country": "CAN", "concepts": ["merit_recruitment"], "labels": {"merit_recruitment": "yoxtraq glumph"}},
    }
    data = load(write_dataset(tmp_path / "data", frameworks))
    calls: list[set[str]] = []
    real_fit = suggest_module.fit_from_dataset

    def spy(ds, threshold=None, exclude_items=None, ngrams=None):
        calls.append(set(exclude_items or ()))
        return real_fit(ds, threshold, exclude_items, ngrams=ngrams)

    monkeypatch.setattr(suggest_module, "fit_from_dataset", spy)
    result = evaluate_leave_one_framework_out(data)
    assert sorted(map(sorted, calls)) == [["aaa_fw-1", "aaa_fw-2"], ["bbb_fw-1"]]
    assert result["top1_accuracy"] == 0.0
    # The same items are found at once by a model that was shown them (the test can fail).
    seen = real_fit(data).suggest([item_text("yoxtraq glumph")], top=1)
    assert seen[0][0][0] == "merit_recruitment"
