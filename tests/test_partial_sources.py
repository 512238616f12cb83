"""Partial and secondary sources (issue 25): unknown is not absent, in the shares, the matrix, the figures and the reports."""
from __future__ import annotations

import matplotlib
import pandas as pd
import pytest
from matplotlib.patches import Rectangle

from workbench.analysis import compare as C
from workbench.analysis import known
from workbench.model.dataset import load
from workbench.model.errors import InputError
from workbench.model.synthetic import letter_taxonomy, write_dataset
from workbench.present import figures
from workbench.present.versions import versions_html

matplotlib.use("Agg")
TAXONOMY = letter_taxonomy("abcdef")
FRAMEWORKS = {
    "gbr_fw": {"country": "GBR", "concepts": ["a", "b", "c"]},
    "fra_fw": {"country": "FRA", "concepts": ["a"], "coverage": "partial", "missing": "every axis but one: not readable"},
    "jpn_fw": {"country": "JPN", "concepts": ["b"], "coverage": "partial", "missing": "other levels", "source_kind": "secondary"},
    "ltu_fw": {"country": "LTU", "concepts": ["a"]},
    "ltu_part": {"country": "LTU", "concepts": ["d"], "coverage": "partial", "missing": "the rest of the list", "level": "leaders"},
}


@pytest.fixture
def ds(tmp_path):
    return load(write_dataset(tmp_path / "data", FRAMEWORKS, taxonomy=TAXONOMY))


def test_a_country_with_a_complete_framework_is_knowable_and_one_with_partial_sources_only_is_not(ds):
    cov = known.country_coverage(ds.frameworks).set_index("country")
    # LTU: a complete list beside a partial one; the complete one's silence does not speak for the other
    assert cov.loc["GBR", "knowable"] and not cov.loc["LTU", "knowable"]
    assert known.country_coverage(ds.frameworks, level="all").set_index("country").loc["LTU", "knowable"]
    assert not cov.loc["FRA", "knowable"] and not cov.loc["JPN", "knowable"]
    assert cov.loc["JPN", "secondary"] == ("jpn_fw",)


def test_silent_cells_of_partial_countries_are_unknown_not_absent(ds):
    ev = C.evidence(ds, ["GBR", "FRA", "LTU"])
    matrix = C.framework_matrix(ev, ["GBR", "FRA", "LTU"], list("abcdef"))
    states = known.cell_states(matrix, known.knowable(ds.frameworks, matrix.index))
    assert states.loc["FRA", "a"] == "carried" and (states.loc["FRA", list("bcdef")] == "unknown").all()
    assert states.loc["GBR", "d"] == "absent" and states.loc["LTU", "d"] == "carried" and states.loc["LTU", "e"] == "unknown"
    at_all = known.cell_states(C.framework_matrix(C.evidence(ds, ["LTU"], level="all"), ["LTU"], list("abcdef")),
                               known.knowable(ds.frameworks, ["LTU"], "all"))
    assert at_all.loc["LTU", "a"] == "carried" and at_all.loc["LTU", "e"] == "absent"  # at its complete list's level


def test_a_principle_partial_sources_do_not_reach_is_unknown_and_out_of_the_share(ds):
    # principle P1 maps to a, P2 to b, P3 to e: France (partial) carries only a
    principles = pd.DataFrame({"principle": ["P1", "P2", "P3"], "principle_label": ["one", "two", "three"], "concept_id": ["a", "b", "e"]})
    countries = ["GBR", "FRA"]
    cov = C.coverage(C.evidence(ds, countries), principles, countries, known.knowable(ds.frameworks, countries))
    assert C.coverage_matrix(cov, "unknown").loc["FRA"].tolist() == [False, True, True]
    assert C.coverage_matrix(cov, "unknown").loc["GBR"].tolist() == [False, False, False]  # a complete framework: P3 is absent
    counts = C.coverage_counts(cov).set_index("country")
    assert counts.loc["FRA", ["principles_covered", "principles_unknown"]].tolist() == [1, 2] and pd.isna(counts.loc["FRA", "share_covered"])
    assert counts.loc["GBR", "share_covered"] == pytest.approx(2 / 3)


def test_peer_share_counts_over_the_peers_whose_data_could_show_the_concept(ds):
    carrying = pd.Series({"a": ("GBR", "FRA"), "c": ("GBR",), "e": ()})
    share = known.peer_share(carrying, ["GBR", "FRA"], known.knowable(ds.frameworks, ["GBR", "FRA"]))
    assert share.loc["a", "peer_share"] == 1.0 and share.loc["a", "peers_known"] == 2
    assert share.loc["c", "peer_share"] == 1.0 and share.loc["c", "peers_unknown"] == ("FRA",)  # not 0.5
    only_partial = known.peer_share(carrying, ["FRA"], known.knowable(ds.frameworks, ["FRA"]))
    assert only_partial.loc["a", "peer_share"] == 1.0 and pd.isna(only_partial.loc["e", "peer_share"])  # nobody could tell


def test_a_country_known_only_from_secondary_sources_is_compared_only_when_named(ds):
    assert "JPN" not in C.select_countries(ds)
    assert C.select_countries(ds, countries=["JPN", "GBR"]) == ["GBR", "JPN"]
    assert "FRA" in C.select_countries(ds)  # partial but official: compared by default


def test_the_heatmap_hatches_unknown_cells_and_says_why(ds):
    ev = C.evidence(ds, ["GBR", "FRA", "LTU"])
    matrix = C.framework_matrix(ev, ["GBR", "FRA", "LTU"], list("abcdef"))
    unknown = known.cell_states(matrix, known.knowable(ds.frameworks, matrix.index)).eq("unknown")
    grid = figures.heatmap(matrix, unknown=unknown, unknown_label="unknown (partial source)")
    drawn = unknown.loc[:, matrix.sum() > 0].to_numpy().sum()
    hatched = [p for p in grid.ax_heatmap.patches if isinstance(p, Rectangle) and p.get_hatch()]
    assert drawn > 0 and len(hatched) == drawn
    assert [t.get_text() for t in grid.figure.legends[0].get_texts()] == ["unknown (partial source)"]
    shown = {t.get_text() for t in grid.ax_heatmap.texts}
    assert "?" in shown
    matplotlib.pyplot.close(grid.figure)
    named = figures.heatmap(matrix, unknown=unknown, lang="ru")  # countries by name, in the report's language
    assert {t.get_text() for t in named.ax_heatmap.get_xticklabels()} == {"Великобритания", "Франция", "Литва"}
    matplotlib.pyplot.close(named.figure)


def test_the_network_rings_partial_countries_in_its_legend(ds):
    import networkx as nx

    fig = figures.network_figure(nx.Graph([("GBR", "FRA", {"weight": 0.5})]), partial=["FRA"])
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert any("partial source" in label for label in labels)


def test_a_report_lists_what_a_partial_or_secondary_source_lacks(ds):
    page = versions_html(ds, ["GBR", "FRA", "JPN"], "en")._repr_html_()
    assert "partial source: every axis but one: not readable" in page
    assert "known only from a secondary source" in page
    assert "unknown, not absent" in page
    assert "partial source" not in versions_html(ds, ["GBR"], "en")._repr_html_()


def test_a_score_with_an_unknown_peer_share_says_so_and_its_bar_still_adds_up_to_it():
    # France's only frameworks are partial: for a concept it does not carry, the peer share is unknown
    from workbench.analysis import recommend

    gaps = recommend.analyse(load(), ["FRA"])
    recs = recommend.recommendations(gaps, top=10, draws=0)
    unknown = recs[recs["peer_share"].isna()]
    assert len(unknown), "every peer partial: some concept must have an unknown peer share"
    concept = unknown["concept_id"].iloc[0]
    ev = recommend.evidence(gaps, concept)
    line = ev.score_line("en")
    known_weight = sum(w for k, w in ev.weights.items() if ev.components[k] == ev.components[k])
    assert f") / {known_weight:g};" in line and "Peers carrying it unknown" in line and "1× +" not in line
    total = sum(ev.weights.values())
    known_sum = sum(ev.weights[k] * v for k, v in ev.components.items() if v == v)
    assert line.endswith(f"the score would lie between {known_sum / total:.3f} and {(known_sum + ev.weights['peer_share']) / total:.3f}")
    assert "none of the peers" not in ev.carried_line("en")  # nobody could tell
    fig = figures.score_components(recs, list(recs["concept_id"]), gaps.settings.weights.model_dump())
    ends = {}
    for patch in fig.axes[0].patches:
        y = round(patch.get_y(), 3)
        ends[y] = max(ends.get(y, 0.0), patch.get_x() + patch.get_width())
    rows = sorted(ends)[::-1]  # the first recommendation is drawn at the top
    assert [round(ends[y], 6) for y in rows] == [round(s, 6) for s in recs["score"]]


def test_with_every_peer_partial_no_reader_text_says_nan_and_the_downloads_keep_the_marks():
    from workbench.analysis import papers, recommend
    from workbench.present.tables import publish
    from workbench.run.explore import Choice, ExplorerModel, components_html

    gaps = recommend.analyse(load(), ["FRA"])
    comments = " ".join(papers.paper_findings(gaps)["comment"])
    assert "nan" not in comments.lower() and "Peers carrying it unknown" in comments
    assert "nan" not in components_html(ExplorerModel().compute(Choice(peers=("FRA",))), "en").lower()
    data, shown = publish(pd.DataFrame({"principle": ["a", "b"], "FRA": [True, "?"], "GBR": [True, False]}))
    assert data["France"].tolist() == ["✓", "?"] and data["United Kingdom"].tolist() == ["✓", "–"]  # the CSV says what the page says


def test_a_papers_proposal_is_never_compared_as_what_a_country_has():
    """Seed 002's adapted model is the authors' proposal for Kazakhstan (``proposal: true``): no
    comparison draws it as Kazakhstan's, nor lists it among the versions in force; named, it is read."""
    from workbench.model.dataset import load
    from workbench.model.versions import proposals, versions_in_force

    real = load()
    assert proposals(real.frameworks) == ["kaz_adapted_model"]
    ev = C.evidence(real, ["GBR", "KAZ"])
    assert "kaz_adapted_model" not in set(ev["framework_id"]) and (ev["country"] == "KAZ").any()
    assert "kaz_adapted_model" not in set(versions_in_force(real, ["KAZ"])["framework_id"])
    assert set(C.evidence(real, frameworks=["kaz_adapted_model"])["framework_id"]) == {"kaz_adapted_model"}


def test_every_country_names_those_it_leaves_out_as_known_only_at_second_hand(japan_at_second_hand):
    """An outside review: a comparison of every country said 'Countries: —' and never that Japan
    (known only from a secondary source) was left out."""
    from workbench import present
    from workbench.analysis.compare import secondary_only, select_countries

    real = japan_at_second_hand  # the bundled data but for Japan's official frameworks
    assert secondary_only(real) == ["JPN"] and "JPN" not in select_countries(real)
    assert secondary_only(load()) == [] and "JPN" in select_countries(load())  # Japan's ethics principles are official
    note = present.left_out_html([], None, "ru", secondary=secondary_only(real)).markup
    assert "Япония" in note and "вторичным" in note
    assert present.left_out_html([], None, "en").markup == ""


def test_a_typo_in_a_country_or_a_level_is_named_not_read_as_a_country_without_data():
    """A review in JupyterLab: countries ["GBR", "CAN", "XYZ", "KAZ"] said XYZ was left out for want of
    a framework, and level "seniour" that no country had a framework at it."""
    from workbench.analysis.compare import comparison_countries

    real = load()
    with pytest.raises(InputError, match="unknown country code 'XYZ'"):
        comparison_countries(real, ["GBR", "CAN", "XYZ", "KAZ"])
    with pytest.raises(InputError, match="unknown level 'seniour' \\(use all, senior, leaders\\)"):
        comparison_countries(real, ["GBR", "CAN"], "seniour")
    assert comparison_countries(real, ["GBR", "CAN", "DEU"])[1] == ["DEU"]  # a real country without data: left out and named


def _two_domain_taxonomy() -> dict:
    """``a``-``c`` in the domain 'people', ``v`` and ``w`` in 'values'."""
    tax = letter_taxonomy("abcvw")
    tax["domains"].append({"id": "values", "label": {"en": "Values", "ru": "Ценности", "kk": "Құндылықтар"}})
    for concept in tax["concepts"]:
        concept["domain"] = "values" if concept["id"] in "vw" else "people"
    return tax


def test_a_partial_code_of_values_hides_only_its_domain(tmp_path):
    """Domain review, 2026-12-06: the USA's ethics principles are known only in part (8 of 14); counted
    as partial everywhere, they made every concept its complete competency framework lacks unknown (the
    USA left out of the share of strategic vision). ``missing_domains`` says what the unread part can hold."""
    frameworks = {
        "usa_ecq": {"country": "USA", "concepts": ["a"]},
        "usa_ethics": {"country": "USA", "concepts": ["v"], "coverage": "partial", "missing": "principles 9-14",
                       "missing_domains": ["values"]},
        "fra_ethics": {"country": "FRA", "concepts": ["a", "v"], "coverage": "partial", "missing": "the definitions"},
    }
    ds = load(write_dataset(tmp_path / "data", frameworks, taxonomy=_two_domain_taxonomy()))
    cells = known.knowable_cells(ds.frameworks, ds.concepts, ["USA", "FRA"])
    assert cells.loc["USA"].to_dict() == {"a": True, "b": True, "c": True, "v": False, "w": False}
    assert not cells.loc["FRA"].any()  # a partial list that names no domain may hide any concept
    share = known.peer_share(pd.Series({"b": (), "w": ()}), ["USA", "FRA"], cells)
    assert share.loc["b", "peer_share"] == 0.0 and share.loc["b", "peers_unknown"] == ("FRA",)  # the USA lacks b
    assert pd.isna(share.loc["w", "peer_share"]) and share.loc["w", "peers_unknown"] == ("USA", "FRA")
    matrix = C.framework_matrix(C.evidence(ds, ["USA"]), ["USA"], list("abcvw"))
    assert known.cell_states(matrix, cells).loc["USA"].tolist() == ["carried", "absent", "absent", "carried", "unknown"]
    principles = pd.DataFrame({"principle": ["P1", "P2"], "principle_label": ["one", "two"], "concept_id": ["b", "w"]})
    cov = C.coverage(C.evidence(ds, ["USA"]), principles, ["USA"], cells)
    assert C.coverage_matrix(cov, "unknown").loc["USA"].tolist() == [False, True]


@pytest.mark.parametrize("extra, message", [
    ({"coverage": "partial", "missing": "x", "missing_domains": ["valeus"]}, "unknown domain 'valeus' in missing_domains (use people, values)"),
    ({"missing_domains": ["values"]}, "'missing_domains' belongs to a partial framework: set 'coverage: partial'"),
])
def test_missing_domains_are_checked_where_written(tmp_path, extra, message):
    frameworks = {"usa_ethics": {"country": "USA", "concepts": ["v"], **extra}}
    root = write_dataset(tmp_path / "data", frameworks, taxonomy=_two_domain_taxonomy())
    with pytest.raises(InputError) as refused:
        load(root)
    assert message in str(refused.value) and "usa_ethics.yaml:" in str(refused.value)
