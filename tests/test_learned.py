"""The suggester learned from the curated crosswalk (issue 25): honest folds, a real margin over the baseline."""
from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from conftest import FIXTURES, REPO, run_workbench
from workbench.analysis import learned as L
from workbench.model.dataset import load

NEW = FIXTURES / "new_frameworks"


@pytest.fixture(scope="module")
def ds():
    return load(REPO / "data", all_versions=True)


@pytest.fixture(scope="module")
def lofo(ds) -> L.LofoResult:
    return L.evaluate_lofo(ds)


def test_leave_one_framework_out_beats_the_naive_baseline_by_far(lofo):
    s = lofo.summary
    assert s["frameworks"] >= 25 and s["items"] >= 230
    assert s["top1_accuracy"] >= s["baseline_top1_accuracy"] + 0.10
    # measured 0.871 on the bundled data (issue 25 asks 0.90: not reached, see benchmarks/README.md);
    # this guards against a regression, not the target
    assert s["top1_accuracy"] >= 0.85 and s["top3_accuracy"] >= s["top1_accuracy"]
    # the baseline at top-3 guesses the three most common concepts: more than at top-1, far less than the model
    assert s["baseline_top1_accuracy"] <= s["baseline_top3_accuracy"] <= s["top3_accuracy"] - 0.30
    assert lofo.per_framework["items"].sum() == s["items"]
    assert (lofo.confusion["curated"] != lofo.confusion["suggested"]).all()


def test_a_held_out_framework_is_judged_without_its_own_mappings(ds):
    # The fold of one framework: changing that framework's curated concepts changes nothing it is told.
    items = ds.items.reset_index(drop=True)
    ids = ds.concepts["concept_id"].tolist()
    y = L.gold_matrix(items, ds.crosswalk, ids)
    test = np.flatnonzero(items["framework_id"].to_numpy() == "uk_success_profiles_behaviours")
    train = np.setdiff1d(np.arange(len(items)), test)
    texts = L.Texts.of(items)
    scores = []
    for gold in (y, np.where(np.isin(np.arange(len(items)), test)[:, None], ~y, y)):  # the fold's answers inverted
        model = L.LearnedSuggester().fit(ds.concepts, items.iloc[train], gold[train], unlabelled=[texts.full[i] for i in test])
        scores.append(model.score(texts.take(test)))
    assert np.array_equal(scores[0], scores[1])


def test_suggest_uses_the_learned_model_by_default_and_the_word_model_on_request(tmp_path):
    rows = {}
    for model in ("learned", "words"):
        result = run_workbench("suggest", NEW / "aus_ils.yaml", "--top", "1", "--model", model, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        rows[model] = {r["item_code"]: r["concept_id"] for r in csv.DictReader(io.StringIO(result.stdout))}
    default = run_workbench("suggest", NEW / "aus_ils.yaml", "--top", "1", cwd=tmp_path)
    assert {r["item_code"]: r["concept_id"] for r in csv.DictReader(io.StringIO(default.stdout))} == rows["learned"]
    assert rows["learned"]["AUS-1"] == "strategic_vision" and rows["learned"]["AUS-5"] == "communication"


def test_text_in_an_unknown_language_always_needs_review(ds):
    frame = L.suggest_framework(ds, "x", [("X-1", "Führungskompetenz und Verantwortung", "Mitarbeiter führen")], top=2)
    assert frame["needs_review"].all()


def test_the_suggester_fits_on_one_blas_thread_and_gives_the_others_back():
    """OpenBLAS's threads made the leave-one-framework-out evaluation three times slower on two busy
    cores (15.0 s against 5.1 s, 2026-12-06): the fits run on one thread, and only they."""
    from threadpoolctl import threadpool_info

    from workbench.analysis.threads import one_blas_thread

    def blas_threads() -> set[int]:
        return {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"}

    before = blas_threads()
    assert one_blas_thread(blas_threads)() == {1}
    assert blas_threads() == before


def test_report_kernels_start_with_one_blas_thread_unless_the_user_set_one(monkeypatch):
    from workbench.run.kernels import kernel_environment

    monkeypatch.delenv("OPENBLAS_NUM_THREADS", raising=False)
    assert kernel_environment()["OPENBLAS_NUM_THREADS"] == "1"
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert kernel_environment()["OPENBLAS_NUM_THREADS"] == "2"
