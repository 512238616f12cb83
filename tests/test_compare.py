"""workbench.analysis.compare on small synthetic datasets whose numbers can be checked by hand."""
from __future__ import annotations

import pandas as pd
import pytest

from workbench.analysis import compare as C
from workbench.model.dataset import load
from workbench.model.errors import InputError
from workbench.model.synthetic import letter_taxonomy, write_dataset

LETTERS = "abcdefg"
TAXONOMY = letter_taxonomy(LETTERS)
BASE = {
    "gbr_fw": {"country": "GBR", "concepts": ["a", "b", "c"]},
    "can_fw": {"country": "CAN", "concepts": ["b", "c", "d"]},
    "nzl_fw": {"country": "NZL", "level": "senior", "concepts": ["e"]},
    # The reference principles: one item per concept, codes oecd_2019_recommendation-1..3.
    "oecd_2019_recommendation": {"country": "OECD", "concepts": ["a", "d", "f"]},
}


def dataset(tmp_path, frameworks=BASE, **kw):
    return load(write_dataset(tmp_path / "data", frameworks, taxonomy=TAXONOMY, **kw))


@pytest.fixture
def ds(tmp_path):
    return dataset(tmp_path)


def test_countries_leave_out_organisations_unless_asked(ds):
    assert C.select_countries(ds) == ["CAN", "GBR", "NZL"]
    assert C.select_countries(ds, include_organisations=True) == ["CAN", "GBR", "NZL", "OECD"]
    assert C.select_countries(ds, countries=["OECD", "GBR"]) == ["GBR", "OECD"]
    assert C.select_countries(ds, frameworks=["can_fw"]) == ["CAN"]
    assert "OECD" not in set(C.evidence(ds)["country"])


def test_unknown_country_or_level_is_an_input_error(ds):
    with pytest.raises(InputError, match="XYZ has no framework in the data"):
        C.evidence(ds, countries=["GBR", "XYZ"])
    with pytest.raises(InputError, match="unknown level 'middle'"):
        C.evidence(ds, level="middle")


def test_matrix_counts_items_and_keeps_requested_rows_and_columns(ds):
    ev = C.evidence(ds, level="all")  # NZL's only framework is senior: its row is all zeros
    m = C.framework_matrix(ev, countries=C.select_countries(ds), concepts=list(LETTERS))
    assert list(m.index) == ["CAN", "GBR", "NZL"] and list(m.columns) == list(LETTERS)
    assert m.loc["GBR"].tolist() == [1, 1, 1, 0, 0, 0, 0]
    assert m.loc["CAN"].tolist() == [0, 1, 1, 1, 0, 0, 0]
    assert m.loc["NZL"].sum() == 0
    assert C.framework_matrix(C.evidence(ds, level="senior"), concepts=list(LETTERS)).loc["NZL", "e"] == 1


def test_every_cell_traces_to_its_items_and_sources(tmp_path):
    frameworks = {**BASE, "can_extra": {"country": "CAN", "concepts": ["b", "g"], "title": "Second"}}
    ds = dataset(tmp_path, frameworks)
    ev = C.evidence(ds)
    m = C.framework_matrix(ev)
    assert m.loc["CAN", "b"] == 2
    rows = C.trace(ev, "CAN", "b")
    assert rows["item_code"].tolist() == ["can_extra-1", "can_fw-1"]
    assert set(rows["source"]) == {"src_test"} and set(rows["locator"]) == {"p. 1"}
    cell = C.cells(ev).set_index(["country", "concept_id"]).loc[("CAN", "b")]
    assert cell["n_items"] == 2
    assert cell["item_codes"] == "can_extra-1;can_fw-1"
    assert cell["framework_ids"] == "can_extra;can_fw"
    # Every non-zero cell of the matrix, and only those, has provenance with the same count.
    table = C.cells(ev)
    nonzero = m.stack()[lambda s: s > 0]
    assert dict(zip(zip(table["country"], table["concept_id"]), table["n_items"])) == nonzero.to_dict()


def test_binary_matrix(ds):
    ev = C.evidence(ds)
    assert C.framework_matrix(ev, binary=True).isin([0, 1]).all().all()


def test_jaccard_and_cosine_by_hand(tmp_path):
    frameworks = {**BASE, "can_extra": {"country": "CAN", "concepts": ["b"]}}
    m = C.framework_matrix(C.evidence(dataset(tmp_path, frameworks), countries=["GBR", "CAN"]))
    jac = C.similarity(m, "jaccard")
    assert jac.loc["GBR", "CAN"] == pytest.approx(2 / 4)  # {a,b,c} vs {b,c,d}
    assert jac.loc["GBR", "GBR"] == 1.0
    # Counts: GBR (a1,b1,c1,d0), CAN (a0,b2,c1,d1): dot 3, norms sqrt(3), sqrt(6).
    assert C.similarity(m, "cosine").loc["GBR", "CAN"] == pytest.approx(3 / (3**0.5 * 6**0.5))
    with pytest.raises(ValueError):
        C.similarity(m, "manhattan")


def test_empty_rows_are_similar_to_nothing():
    m = pd.DataFrame([[0, 0], [0, 0], [1, 0]], index=["A", "B", "C"], columns=["x", "y"])
    sim = C.similarity(m)
    assert sim.loc["A", "B"] == 0.0 and sim.loc["A", "A"] == 1.0


def test_clusters_group_similar_countries_deterministically(tmp_path):
    frameworks = {
        "f1": {"country": "GBR", "concepts": ["a", "b", "c"]},
        "f2": {"country": "CAN", "concepts": ["a", "b", "c", "d"]},
        "f3": {"country": "NZL", "concepts": ["e", "f", "g"]},
        "f4": {"country": "AUS", "concepts": ["e", "f"]},
    }
    m = C.framework_matrix(C.evidence(dataset(tmp_path, frameworks)))
    sim = C.similarity(m)
    groups = C.clusters(sim, n_clusters=2)
    assert groups.to_dict() == {"AUS": 1, "CAN": 2, "GBR": 2, "NZL": 1}
    assert C.linkage(sim).tolist() == C.linkage(sim).tolist()


def test_country_map_is_repeatable_and_keeps_neighbours_close(tmp_path):
    frameworks = {
        "f1": {"country": "GBR", "concepts": ["a", "b", "c"]},
        "f2": {"country": "CAN", "concepts": ["a", "b", "c", "d"]},
        "f3": {"country": "NZL", "concepts": ["e", "f", "g"]},
    }
    m = C.framework_matrix(C.evidence(dataset(tmp_path, frameworks)))
    for method in ("mds", "pca"):
        xy = C.country_map(m, method)
        assert xy.equals(C.country_map(m, method))
        assert list(xy.columns) == ["x", "y"] and list(xy.index) == ["CAN", "GBR", "NZL"]
        dist = lambda p, q: ((xy.loc[p] - xy.loc[q]) ** 2).sum() ** 0.5  # noqa: E731
        assert dist("GBR", "CAN") < dist("GBR", "NZL")
    assert C.country_map(m.iloc[:1]).to_numpy().tolist() == [[0.0, 0.0]]


def test_oecd_coverage_through_shared_concepts(tmp_path):
    # Principle 3 maps to f and, through an extra mapping, to b.
    ds = dataset(tmp_path, extra_mappings=[("oecd_2019_recommendation-3", "b")])
    principles = C.principle_concepts(ds, framework_id="oecd_2019_recommendation")  # no weights.yaml here
    assert list(dict.fromkeys(principles["principle"])) == [f"oecd_2019_recommendation-{i}" for i in (1, 2, 3)]
    cov = C.coverage(C.evidence(ds), principles, countries=["CAN", "GBR", "NZL"])
    wide = C.coverage_matrix(cov)
    assert wide.loc["GBR"].tolist() == [True, False, True]  # a; -; b
    assert wide.loc["CAN"].tolist() == [False, True, True]  # -; d; b
    assert wide.loc["NZL"].tolist() == [False, False, False]
    via = cov.set_index(["country", "principle"])["via"]
    assert via[("CAN", "oecd_2019_recommendation-3")] == "b"
    assert C.coverage_share(cov).round(4).to_dict() == {"CAN": 0.6667, "GBR": 0.6667, "NZL": 0.0}


def test_unknown_reference_framework_is_an_input_error(ds):
    with pytest.raises(InputError, match="unknown framework"):
        C.principle_concepts(ds, framework_id="nope")


def test_a_training_curriculum_is_not_compared_as_a_definition_and_the_page_says_so():
    """A reader's review: Kazakhstan's column of the comparison counted the Academy's course list
    ("Master of International Relations", "Doctor of Economics") as competencies it defines, giving it
    in-service training 11 and retraining 10 and a cluster of its own. A curriculum says what is taught,
    not what is asked: comparisons leave it out unless it is named, and the page names it as left out."""
    from workbench.analysis.compare import evidence
    from workbench.model.dataset import load
    from workbench.model.versions import TRAINING_KINDS
    from workbench.present.versions import versions_html

    ds = load()
    curricula = ds.frameworks.loc[ds.frameworks["kind"].isin(TRAINING_KINDS), "framework_id"].tolist()
    assert curricula, "the bundled data has the Academy's curriculum"
    assert not set(evidence(ds)["framework_id"]) & set(curricula)
    assert set(evidence(ds, frameworks=curricula)["framework_id"]) == set(curricula)  # named, it is drawn
    title = ds.frameworks.set_index("framework_id").at[curricula[0], "title"]
    assert title in versions_html(ds, ["KAZ"], "en").markup  # the recommendations' list of what they use keeps it
    compared = versions_html(ds, ["KAZ"], "en", comparison=True).markup
    assert compared.count(title) == 1 and "Not compared:" in compared


def test_a_curriculum_the_user_names_is_drawn_and_counted_as_the_countrys_framework(tmp_path):
    """A second reading: `workbench network --frameworks` with the curriculum named drew it, yet the
    coverage said Kazakhstan had no framework and its zeros became empty "unknown" cells."""
    import subprocess

    from conftest import workbench_executable

    done = subprocess.run([workbench_executable(), "network", "--out", str(tmp_path / "net"), "--frameworks",
                           "kaz_training_curriculum,uk_success_profiles_behaviours"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    matrix = pd.read_csv(tmp_path / "net" / "matrix.csv", index_col=0, dtype=str, keep_default_na=False)
    assert "KAZ" in matrix.index and (matrix.loc["KAZ"] != "").all() and (matrix.loc["KAZ"] == "0").any()
