"""Recommendations for Kazakhstan: components checked by hand, status, two lists, score properties,
evidence, the papers as a finding, errors, CLI."""
from __future__ import annotations

import copy
import dataclasses
import io
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.analysis.options import OPTION_ROW_COLUMNS
import pytest
import yaml

from workbench.run.cli import main
from workbench.analysis.crosswalk import CARRYING_PREDICATES, item_concepts, practice_concepts
from workbench.model.dataset import load
from workbench.model.taxonomy import at_granularity
from workbench.model.settings import DEFAULT_PEERS, countries_with_data
from workbench.analysis.known import knowable_cells
from workbench.model.errors import InputError
from workbench.model.i18n import country_name, t, tn
from workbench.analysis.papers import paper_findings, paper_rows, recovered_share
from workbench.analysis.recommend import (
    COMPONENTS,
    CSV_COLUMNS,
    analyse,
    evidence,
    load_settings,
    rank,
    ranked,
    recommend,
    recommendations,
    stability,
)
from workbench.present.citations import source_labels
from workbench.present.markdown import render_markdown
from workbench.model.synthetic import TINY_TAXONOMY, write_dataset

# ------------------------------------------------------------------------------------------------
# A synthetic dataset whose every component can be computed by hand (see the table in
# test_components_match_hand_computation).

TAXONOMY = copy.deepcopy(TINY_TAXONOMY)
TAXONOMY["concepts"] += [
    {"id": "collaboration", "domain": "people", "scope": "individual",
     "label": {"en": "Collaboration", "ru": "Сотрудничество", "kk": "Ынтымақтастық"},
     "definition": "Working with others across boundaries."},
    {"id": "cultural_competence", "domain": "people", "scope": "individual",
     "label": {"en": "Cultural competence", "ru": "Культурная компетентность", "kk": "Мәдени құзыреттілік"},
     "definition": "Working respectfully with people of different cultures."},
]

FRAMEWORKS = {
    "gbr_fw": {"country": "GBR", "concepts": ["leadership", "integrity_ethics"]},
    "can_fw": {"country": "CAN", "concepts": ["leadership", "merit_recruitment"]},
    "nzl_fw": {"country": "NZL", "concepts": ["collaboration"]},
    # merit_recruitment serves two principles, integrity_ethics one -> alignment 1 and 0.5
    "oecd_rec": {"country": "OECD", "kind": "principles", "concepts": ["merit_recruitment", "integrity_ethics", "merit_recruitment"]},
    "kaz_base": {"country": "KAZ", "concepts": ["leadership"]},
    "kaz_cur": {"country": "KAZ", "kind": "curriculum", "concepts": ["merit_recruitment"]},
    "kaz_adapted": {"country": "KAZ", "concepts": ["cultural_competence"], "proposal": True},
}
PRACTICES = [
    {"id": "pr-usa-merit", "country": "USA", "concepts": ["merit_recruitment"]},
    {"id": "pr-jpn-risk", "country": "JPN", "kind": "risk", "concepts": ["cultural_competence"]},
    {"id": "pr-kaz-step", "country": "KAZ", "kind": "implementation_step", "recommended_for_kaz": True,
     "label": "Set up interagency working groups", "concepts": ["collaboration"]},
    {"id": "pr-kaz-risk", "country": "KAZ", "kind": "risk", "label": "Resistance to change", "concepts": ["leadership"]},
]
INDICATORS = [
    {"id": "gap-1", "value": 40, "concepts": ["collaboration"]},
    {"id": "gap-2", "value": 70, "concepts": ["leadership"]},
    {"id": "gap-3", "value": 20, "concepts": ["leadership"]},
    {"id": "other", "value": 90, "concepts": ["integrity_ethics"]},  # not a need indicator
]
SETTINGS = {
    # as in data/weights.yaml: the papers do not score
    "weights": dict.fromkeys(COMPONENTS, 1.0) | {"paper_recommended": 0.0},
    "baselines": {"base": ["kaz_base"], "cur": ["kaz_cur"], "both": ["kaz_base", "kaz_cur"]},
    "related_credit": 0.5,
    "oecd_framework": "oecd_rec",
    "paper_sources": ["src_test"],
    "paper_frameworks": ["kaz_adapted"],
    "curriculum_frameworks": ["kaz_cur"],
    "need_indicators": ["gap-1", "gap-2", "gap-3"],
    "implementation_sources": ["src_test"],
    "peer_practice_kinds": ["practice", "principle"],
    "perturbation": 0.5,
}


def make_data(root: Path, settings: dict | None = None, weights_text: str | None = None) -> Path:
    data = write_dataset(root / "data", FRAMEWORKS, taxonomy=TAXONOMY, practices=PRACTICES, indicators=INDICATORS)
    # the baseline touches collaboration only by relatedMatch -> partly present
    with open(data / "crosswalk.tsv", "a", encoding="utf-8") as fh:
        fh.write("kaz_base-1\tskos:relatedMatch\tcollaboration\tsemapv:ManualMappingCuration\t0.6\twb:test\t\n")
    text = weights_text if weights_text is not None else yaml.safe_dump(settings or SETTINGS, sort_keys=False)
    (data / "weights.yaml").write_text(text, encoding="utf-8")
    return data


@pytest.fixture
def tiny(tmp_path):
    return load(make_data(tmp_path))


@pytest.fixture(scope="module")
def real():
    return load()


def components(gaps) -> pd.DataFrame:
    return gaps.table.set_index("concept_id")[list(COMPONENTS)]


# ------------------------------------------------------------------------------------------------
# components and score on hand-checkable data

def test_components_match_hand_computation(tiny):
    got = components(analyse(tiny, ["GBR", "CAN", "NZL"], "base"))
    expected = pd.DataFrame(
        #                     peer   oecd  absent need  paper
        {"leadership":          [2 / 3, 0.0, 0.0, 0.70, 0.0],   # carried by kaz_base; largest gap 70 %
         # one principle, the most any individual competency serves; 'other' is not a need indicator
         "integrity_ethics":    [1 / 3, 1.0, 1.0, 0.00, 0.0],
         # two principles, the most of the system concepts; the curriculum (not the baseline) carries it
         "merit_recruitment":   [1 / 3, 1.0, 0.5, 0.00, 0.0],
         "collaboration":       [1 / 3, 0.0, 0.5, 0.40, 1.0],   # relatedMatch only; KAZ step recommended
         "cultural_competence": [0.0,   0.0, 1.0, 0.00, 1.0]},  # JPN risk is no peer practice; adapted model
        index=list(COMPONENTS),
    ).T
    pd.testing.assert_frame_equal(got.loc[expected.index], expected, check_names=False)


def test_ranking_and_score_by_hand(tiny):
    table = analyse(tiny, ["GBR", "CAN", "NZL"], "base").table
    one = rank(table, dict.fromkeys(COMPONENTS, 1.0) | {"paper_recommended": 0.0})
    assert list(one["concept_id"]) == ["integrity_ethics", "merit_recruitment", "leadership", "collaboration",
                                       "cultural_competence"]
    assert one["score"].tolist() == pytest.approx([7 / 12, 5.5 / 12, 4.1 / 12, 3.7 / 12, 0.25])
    assert one["rank"].tolist() == [1, 2, 3, 4, 5]


def test_competencies_and_system_reforms_are_two_lists(tiny):
    lists = ranked(analyse(tiny, ["GBR", "CAN", "NZL"], "base"))
    by = {name: part["concept_id"].tolist() for name, part in lists.groupby("list")}
    assert by == {"individual": ["integrity_ethics", "leadership", "collaboration", "cultural_competence"],
                  "system": ["merit_recruitment"]}
    assert lists.loc[lists["concept_id"] == "merit_recruitment", "rank"].item() == 1
    recs = recommendations(analyse(tiny, ["GBR", "CAN", "NZL"], "base"), top=2, draws=0)
    assert recs[["scope", "rank", "concept_id"]].values.tolist() == [
        ["individual", 1, "integrity_ethics"], ["individual", 2, "leadership"], ["system", 1, "merit_recruitment"]]
    one = recommendations(analyse(tiny, ["GBR", "CAN", "NZL"], "base", scope="all"), top=2, draws=0)
    assert one[["scope", "concept_id"]].values.tolist() == [["all", "integrity_ethics"], ["all", "merit_recruitment"]]


def test_score_is_weighted_mean_that_a_reader_can_recompute(tiny):
    weights = {"peer_share": 2.0, "oecd_alignment": 0.5, "kaz_absence": 1.0, "measured_need": 3.0, "paper_recommended": 0.0}
    recs = recommend(tiny, ["GBR", "CAN", "NZL"], "base", weights=weights, top=5, draws=0)
    w = np.array([weights[c] for c in COMPONENTS])
    recomputed = recs[list(COMPONENTS)].to_numpy() @ w / w.sum()
    assert recs["score"].to_numpy() == pytest.approx(recomputed)
    assert list(recs.columns) == CSV_COLUMNS


def test_a_peer_without_a_framework_is_refused_naming_the_countries_with_data(tiny):
    # USA and JPN have practices only: counted, they would halve every share of the others (issue 27)
    with pytest.raises(InputError, match=r"peers: USA, JPN have no framework in the data \(countries with data: CAN, GBR, NZL\)$"):
        analyse(tiny, ["USA", "JPN"], "base")


def test_a_partial_peer_is_unknown_where_silent_and_left_out_of_the_share(tmp_path):
    data = make_data(tmp_path)
    fw = data / "frameworks" / "nzl_fw.yaml"
    fw.write_text(yaml.safe_dump(yaml.safe_load(fw.read_text(encoding="utf-8")) | {"coverage": "partial", "missing": "the rest, not readable"}), encoding="utf-8")
    table = analyse(load(data), ["GBR", "NZL"], "base").table.set_index("concept_id")
    whole = analyse(load(data), ["GBR"], "base").table.set_index("concept_id")
    silent = table[~table["peers"].apply(lambda p: "NZL" in p)].index
    assert len(silent) and (table.loc[silent, "peer_share"] == whole.loc[silent, "peer_share"]).all()
    assert all(p == ("NZL",) for p in table.loc[silent, "peers_unknown"])
    carried = table[table["peers"].apply(lambda p: "NZL" in p)]
    assert len(carried) and (carried["peers_known"] == 2).all()


def test_baseline_choice_and_partial_absence(tiny):
    by = {b: analyse(tiny, ["GBR"], b).table.set_index("concept_id") for b in ("base", "cur", "both")}
    # a Kazakh framework that is not the baseline still shows Kazakhstan has it in part
    assert by["base"].loc["merit_recruitment", ["kaz_status", "kaz_absence"]].tolist() == ["partial", 0.5]
    assert by["cur"].loc["merit_recruitment", ["kaz_status", "kaz_absence"]].tolist() == ["present", 0.0]
    assert by["cur"].loc["leadership", ["kaz_status", "kaz_absence"]].tolist() == ["partial", 0.5]
    assert by["both"].loc[["leadership", "merit_recruitment"], "kaz_absence"].tolist() == [0.0, 0.0]
    assert by["base"].loc["collaboration", "kaz_status"] == "partial"
    assert by["cur"].loc["collaboration", "kaz_absence"] == 1.0  # a relatedMatch outside the baseline is no evidence
    assert by["base"].loc["cultural_competence", "kaz_status"] == "absent"  # the papers' proposed model is no evidence


def _add_kaz_practice(data: Path, concept: str, kind: str = "practice", recommended: bool = False) -> None:
    with open(data / "practices" / "test.yaml", "a", encoding="utf-8") as fh:
        fh.write(f"- id: pr-kaz-law\n  country: KAZ\n  kind: {kind}\n  label: A Kazakh law\n"
                 f"  recommended_for_kaz: {str(recommended).lower()}\n  source: src_test\n  locator: art. 1\n")
    with open(data / "crosswalk.tsv", "a", encoding="utf-8") as fh:
        fh.write(f"pr-kaz-law\tskos:exactMatch\t{concept}\tsemapv:ManualMappingCuration\t0.9\twb:test\t\n")


def test_a_kazakh_practice_turns_a_concept_from_absent_to_present(tmp_path):
    data = make_data(tmp_path)
    before = analyse(load(data), ["GBR"], "base")
    assert before.table.set_index("concept_id").loc["integrity_ethics", "kaz_status"] == "absent"
    _add_kaz_practice(data, "integrity_ethics")
    after = analyse(load(data), ["GBR"], "base")
    row = after.table.set_index("concept_id").loc["integrity_ethics"]
    assert (row["kaz_status"], row["kaz_absence"]) == ("present", 0.0)
    ev = evidence(after, "integrity_ethics")
    assert ev.verb == "strengthen"
    assert ev.kaz_evidence[["kind", "level", "subject_id", "source", "locator"]].values.tolist() == [
        ["practice", "present", "pr-kaz-law", "src_test", "art. 1"]]


def test_a_proposal_for_kazakhstan_is_no_evidence_that_it_has_it(tmp_path):
    data = make_data(tmp_path)
    _add_kaz_practice(data, "integrity_ethics", kind="principle", recommended=True)
    assert analyse(load(data), ["GBR"], "base").table.set_index("concept_id").loc["integrity_ethics", "kaz_status"] == "absent"


def test_a_recorded_kazakh_gap_turns_strengthen_into_enforce(tiny):
    gaps = analyse(tiny, ["GBR", "CAN", "NZL"], "base")
    ev = evidence(gaps, "leadership")  # present in kaz_base, and pr-kaz-risk is a Kazakh gap mapped to it
    assert (ev.kaz_status, ev.verb) == ("present", "enforce")
    assert ev.risks["label"].tolist() == ["Resistance to change"]


# ------------------------------------------------------------------------------------------------
# score properties

def _kazakhstan_has(ds, frameworks) -> set[str]:
    """Concepts our data shows Kazakhstan has: carried by a baseline item or by a Kazakh practice,
    principle or law that is not a paper's proposal (computed here from the tables, not by the library)."""
    ic = item_concepts(ds.items, ds.crosswalk, CARRYING_PREDICATES)
    pc = practice_concepts(ds.practices, ds.crosswalk, CARRYING_PREDICATES)
    kaz = pc[(pc["country"] == "KAZ") & pc["kind"].isin(["practice", "principle"]) & ~pc["recommended_for_kaz"]]
    return set(ic.loc[ic["framework_id"].isin(frameworks), "concept_id"]) | set(kaz["concept_id"])


@pytest.mark.parametrize("peers, baseline", [(["GBR", "CAN", "NZL"], "listening_state"), (["GBR", "CAN", "NZL"], "curriculum"),
                                             (["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS"], "both")])
def test_a_concept_kazakhstan_has_is_never_reported_absent(real, peers, baseline):
    gaps = analyse(real, peers, baseline)
    has = _kazakhstan_has(real, gaps.baseline_frameworks)
    assert {"merit_recruitment", "senior_civil_service", "learning_development"} <= has  # the examples
    table = gaps.table.set_index("concept_id")
    assert (table.loc[sorted(has), "kaz_status"] == "present").all()
    assert (table.loc[sorted(has), "kaz_absence"] == 0).all()
    recs = recommendations(gaps, top=len(table), draws=0)
    shown = recs[recs["concept_id"].isin(has)]
    assert len(shown) == len(has)
    assert (shown["kaz_status"] == "present").all()
    md = render_markdown(gaps, recs[recs["rank"] <= 8])
    labels = dict(zip(real.concepts["concept_id"], real.concepts["label_en"]))
    sections = {s.split("\n")[0]: s for s in md.split("\n### ")[1:]}  # headed "N. Label \\[list\\]", as a reader knows it
    for concept in has & set(recs.loc[recs["rank"] <= 8, "concept_id"]):
        section = [s for head, s in sections.items() if f". {labels[concept]} \\[" in head]
        assert len(section) == 1 and "**absent**" not in section[0], concept


@pytest.mark.parametrize("peers, baseline", [(["GBR", "CAN", "NZL"], "listening_state"),
                                             (["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS"], "both")])
def test_every_row_has_options_a_status_with_evidence_model_countries_and_sources(real, peers, baseline):
    gaps = analyse(real, peers, baseline)
    recs = recommendations(gaps, top=10, draws=0)
    assert set(recs["scope"]) == {"individual", "system"} and len(recs) == 20
    known = set(real.sources["id"])
    for _, row in recs.iterrows():
        assert row["options"], row["concept_id"]  # every top concept has a written option (issue 21)
        cited = row["sources"].split(";")
        assert cited and set(cited) <= known, row["concept_id"]
        ev = evidence(gaps, row["concept_id"])
        if row["kaz_status"] != "absent":
            assert len(ev.kaz_evidence) and (ev.kaz_evidence["locator"] != "").all()
            assert set(ev.kaz_evidence["source"]) <= set(cited)
        assert set(ev.options["option_id"]) == set(row["options"].split(";"))
        assert row["model_countries"] == ";".join(dict.fromkeys(c for cs in ev.options["model_countries"] for c in cs))
        assert "KAZ" in row["governance_context"] and "ref_wgi_2023_update" in row["governance_context"]


def test_adding_a_peer_that_carries_a_concept_never_lowers_its_share(real):
    countries = countries_with_data(real)
    base_peers = ["GBR", "NZL"]
    before = analyse(real, base_peers).table.set_index("concept_id")
    # how many of the base peers count for each concept: those that carry it, and those whose lists could
    # show it (a partial values code hides its domain)
    knowable = knowable_cells(real.frameworks, real.concepts, base_peers).T.reindex(before.index)
    n_known = pd.Series([sum(bool(knowable.at[c, p]) or p in before.at[c, "peers"] for p in base_peers) for c in before.index],
                        index=before.index)
    for extra in sorted(set(countries) - set(base_peers)):
        after = analyse(real, base_peers + [extra]).table.set_index("concept_id")
        carries = after["peers"].apply(lambda p: extra in p)
        assert (after.loc[carries, "peer_share"] >= before.loc[carries, "peer_share"]).all(), extra
        cells = knowable_cells(real.frameworks, real.concepts, [extra]).loc[extra]
        absent = ~carries & cells.reindex(after.index).to_numpy(dtype=bool)
        unknown = ~carries & ~absent
        # where the peer's lists could show it, its silence only dilutes: share = old count / (n + 1)
        diluted = before.loc[absent, "peer_share"] * n_known[absent] / (n_known[absent] + 1)
        assert ((after.loc[absent, "peer_share"] - diluted).abs() < 1e-9).all(), extra
        # where only a partial list of it could hide it, its silence is unknown: the share stays (issue 25)
        assert (after.loc[unknown, "peer_share"] == before.loc[unknown, "peer_share"]).all(), extra
        assert all(extra in p for p in after.loc[unknown, "peers_unknown"]), extra
    assert absent.any() and unknown.any()  # the USA, last: its ethics list hides values only


def test_a_peer_without_data_changes_no_share_and_is_named(real):
    with pytest.raises(InputError, match=r"DEU has no framework in the data \(countries with data: .*GBR"):
        analyse(real, ["GBR", "DEU"])


def test_default_peers_have_official_sources(real):
    fws = real.frameworks[real.frameworks["country"].isin(DEFAULT_PEERS)]
    assert set(fws["country"]) == set(DEFAULT_PEERS)
    for country in DEFAULT_PEERS:  # a country known only from secondary sources is never a default peer
        assert (fws.loc[fws["country"] == country, "source_kind"] != "secondary").any(), country


@pytest.mark.parametrize("component", COMPONENTS)
def test_raising_a_weight_never_lowers_the_concepts_strongest_on_it(real, component):
    gaps = analyse(real, ["GBR", "CAN", "NZL"])
    table = gaps.table
    best = set(table.loc[table[component] == table[component].max(), "concept_id"])
    previous = None
    for factor in (1, 2, 4, 8, 100):
        weights = gaps.settings.weights.model_dump() | {component: factor * getattr(gaps.settings.weights, component)}
        ranks = rank(table, weights).set_index("concept_id")["rank"]
        if previous is not None:
            assert (ranks[sorted(best)] <= previous[sorted(best)]).all(), (component, factor)
        previous = ranks


def test_raising_the_need_weight_moves_the_neediest_concept_up(tiny):
    gaps = analyse(tiny, ["GBR", "CAN", "NZL"], "base")
    equal = rank(gaps.table, dict.fromkeys(COMPONENTS, 1.0)).set_index("concept_id")["rank"]
    needy = rank(gaps.table, dict.fromkeys(COMPONENTS, 1.0) | {"measured_need": 10.0}).set_index("concept_id")["rank"]
    assert equal["leadership"] == 5 and needy["leadership"] == 1


def test_dict_weights_override_only_the_keys_given(tiny):
    settings = load_settings(tiny, {"measured_need": 3})
    assert settings.weights.measured_need == 3.0 and settings.weights.peer_share == 1.0
    with pytest.raises(InputError, match="measured_need: Input should be greater than or equal to 0"):
        load_settings(tiny, {"measured_need": -1})
    with pytest.raises(InputError, match="unknown field 'need'"):
        load_settings(tiny, {"need": 1})


# ------------------------------------------------------------------------------------------------
# stability

def test_stability_repeats_with_the_seed_and_is_a_share(real):
    gaps = analyse(real, ["GBR", "CAN", "NZL"])
    a = stability(gaps.table, gaps.settings.weights, top=10, draws=200, seed=3)
    b = stability(gaps.table, gaps.settings.weights, top=10, draws=200, seed=3)
    pd.testing.assert_series_equal(a, b)
    assert a.between(0, 1).all()
    assert a.sum() == pytest.approx(10)  # each draw puts exactly ten concepts in the top ten


def test_without_perturbation_the_top_list_is_always_stable(tiny):
    gaps = analyse(tiny, ["GBR", "CAN", "NZL"], "base")
    s = stability(gaps.table, gaps.settings.weights, top=2, draws=50, spread=0.0).set_axis(gaps.table["concept_id"])
    assert s[["integrity_ethics", "merit_recruitment"]].tolist() == [1.0, 1.0]
    assert s.drop(["integrity_ethics", "merit_recruitment"]).eq(0).all()
    assert recommendations(gaps, top=2, draws=0)["stability"].isna().all()


def test_a_close_call_is_less_stable_than_a_clear_lead(tiny):
    gaps = analyse(tiny, ["GBR", "CAN", "NZL"], "base", scope="all")
    # third place is a close call: leadership 0.342 against collaboration 0.308
    s3 = recommendations(gaps, top=3, draws=400).set_index("concept_id")["stability"]
    assert 0.3 < s3["leadership"] < 0.95
    # integrity_ethics (0.583) leads clearly: it is in the top three in every draw
    assert s3["integrity_ethics"] == 1.0
    assert stability(gaps.table, gaps.settings.weights, top=3, draws=400).set_axis(gaps.table["concept_id"])["collaboration"] < 0.5


# ------------------------------------------------------------------------------------------------
# evidence and citations

def test_evidence_lists_each_kind_with_citations(tiny):
    gaps = analyse(tiny, ["GBR", "CAN", "NZL"], "base")
    ev = evidence(gaps, "collaboration")
    assert ev.peer_items[["country", "framework_id", "subject_id"]].values.tolist() == [["NZL", "nzl_fw", "nzl_fw-1"]]
    assert ev.survey[["subject_id", "value"]].values.tolist() == [["gap-1", 40.0]]
    assert ev.kaz_baseline[["subject_id", "predicate"]].values.tolist() == [["kaz_base-1", "skos:relatedMatch"]]
    assert ev.steps["label"].tolist() == ["Set up interagency working groups"]
    assert ev.options.empty  # the tiny data has no register: nothing is written for it
    assert gaps.risks["label"].tolist() == ["pr-jpn-risk", "Resistance to change"]  # shown with every recommendation
    assert ev.citations["citation"].tolist() == ["Test source. (https://example.org/test)"]
    statements = ev.statements()
    assert (statements["source"] != "").all() and (statements["locator"] != "").all()


def test_every_row_cites_a_source_for_each_nonzero_component(real):
    roles = {"peer_share": ["peer_item", "peer_practice"], "oecd_alignment": ["oecd"], "measured_need": ["survey"],
             "paper_recommended": ["paper"]}
    # kaz_absence < 1 only with Kazakh evidence rows, each cited
    for peers, baseline in ((["GBR", "NZL", "CAN"], "listening_state"), (["GBR", "USA", "JPN", "AUS"], "both")):
        gaps = analyse(real, peers, baseline)
        recs = recommendations(gaps, top=15, draws=0)
        known = set(real.sources["id"])
        for _, row in recs.iterrows():
            cited = row["sources"].split(";")
            assert cited and set(cited) <= known, row["concept_id"]
            links = gaps.links[gaps.links["concept_id"] == row["concept_id"]]
            for component, component_roles in roles.items():
                backing = links[links["role"].isin(component_roles)]
                assert (row[component] > 0) == (len(backing) > 0), (row["concept_id"], component)
                assert set(backing["source"]) <= set(cited)
                assert (backing["locator"] != "").all()
            kaz = gaps.kaz_evidence[(gaps.kaz_evidence["concept_id"] == row["concept_id"]) & (gaps.kaz_evidence["level"] != "gap")]
            # evidence lowers the absence credit below 1, or (a check that could not decide) makes it unknown
            assert (not row["kaz_absence"] >= 1) == (len(kaz) > 0), row["concept_id"]
            assert set(kaz["source"]) <= set(cited) and (kaz["locator"] != "").all()


def test_markdown_has_table_sections_and_resolved_references(real):
    gaps = analyse(real, ["GBR", "CAN", "NZL"])
    recs = recommendations(gaps, top=5, draws=50)
    md = render_markdown(gaps, recs, draws=50, seed=0)
    assert "## Ranked: individual" in md and "## Ranked: system" in md
    # a review: the document's table gave concept ids and country codes; it names them as a reader knows them
    assert "| Rank | Concept | Kazakhstan | Options | Model countries | Score | Stability | Papers |" in md
    ranked = md.split("## Ranked: individual")[1].split("\n## ")[0]
    ids = set(real.concepts["concept_id"])
    assert not [cell for cell in ranked.split("|") if cell.strip() in ids], ranked[:300]
    assert "Peers: United Kingdom, Canada, New Zealand." in md
    assert "## Policy options of the ranked concepts" in md
    assert md.count("\n### ") == 10
    # the score is explained: components, tie-break, which papers count
    assert "## How the score is computed" in md and "ties (equal to 12 decimals) are broken by concept id" in md
    cited = source_labels(real.sources, "en")
    assert "Papers in paper_sources: " + ", ".join(cited[s] for s in ("seed001", "seed002", "seed003", "seed004")) in md
    assert "## Side by side with the source papers" in md and "Recovered: " in md
    refs = md.split("## References")[1]
    for source in set(";".join(recs["sources"]).split(";")):
        assert f"**{cited[source]}**" in refs
    # a review: the evidence, the risks, the side-by-side table and the references cited sources by our ids
    # ("[seed002: Table 2]", "**ref_can_klc**"); they are cited by author-year as the pages cite them
    assert not _ids_in(md, real), _ids_in(md, real)
    assert "002_3238ead0fbd346f6.txt" in refs  # a seed is cited by its file name
    assert "Resistance to change among civil servants" in md  # seed 002 risks


def _ids_in(md: str, ds) -> list[str]:
    """Our ids a markdown document shows: sources, frameworks, options, and concepts (those of two words or
    more: 'leadership' is also a word of the text)."""
    ids = set(ds.sources["id"]) | set(ds.frameworks["framework_id"]) | set(ds.options["option_id"])
    ids |= {c for c in ds.concepts["concept_id"] if "_" in c}
    return sorted(i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", md))


@pytest.mark.parametrize("peers, granularity", [(["USA", "JPN", "SGP", "AUS", "LTU", "FRA"], "fine"), (["GBR", "CAN", "NZL"], "broad")])
def test_markdown_names_no_id_with_other_peers_or_at_the_broad_level(real, peers, granularity):
    """A second reading: locators that name another source by its id ('ref_sgp_values_cna_2012, first
    paragraph') and, at the broad level, options serving narrower concepts ('Serves: gender_equality')."""
    ds = at_granularity(real, granularity)
    gaps = analyse(ds, peers, "both")
    md = render_markdown(gaps, recommendations(gaps, top=10, draws=0))
    assert "## Evidence" in md and not _ids_in(md, real), _ids_in(md, real)
    # every source the document names, in a citation or inside a locator, is in its references (a third
    # reading: a source a locator named was cited by author-year but listed nowhere)
    body, refs = md.split("\n## References\n")
    cited = source_labels(real.sources, "en")
    named = {label for label in cited.values() if re.search(rf"(?:\[|; |\(){re.escape(label)}[,)\]]", body)}
    assert named and {label for label in named if f"**{label}**" not in refs} == set()


# ------------------------------------------------------------------------------------------------
# the papers' own recommendations: a finding, not an input

def _order(gaps) -> list[tuple[str, str]]:
    return list(zip(*[ranked(gaps)[c] for c in ("list", "concept_id")]))


def test_changing_what_the_papers_recommend_does_not_change_the_default_ranking(tmp_path):
    data = make_data(tmp_path)
    before = analyse(load(data), ["GBR", "CAN", "NZL"], "base")
    # the papers now recommend something else: another paper framework, more and fewer practices
    text = (data / "practices" / "test.yaml").read_text(encoding="utf-8")
    (data / "practices" / "test.yaml").write_text(text.replace("recommended_for_kaz: true", "recommended_for_kaz: false"),
                                                  encoding="utf-8")
    _add_kaz_practice(data, "integrity_ethics", kind="implementation_step", recommended=True)
    settings = copy.deepcopy(SETTINGS) | {"paper_frameworks": ["gbr_fw"]}
    (data / "weights.yaml").write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    after = analyse(load(data), ["GBR", "CAN", "NZL"], "base")
    assert after.table["paper_recommended"].tolist() != before.table["paper_recommended"].tolist()
    assert _order(after) == _order(before)
    pd.testing.assert_series_equal(ranked(after)["score"], ranked(before)["score"])


def test_changing_what_the_papers_recommend_does_not_change_the_real_ranking(real):
    gaps = analyse(real, ["GBR", "CAN", "NZL"])
    none = analyse(real, ["GBR", "CAN", "NZL"], settings=gaps.settings.model_copy(
        update={"paper_sources": ["seed001"], "paper_frameworks": []}))
    assert _order(none) == _order(gaps)
    assert gaps.settings.weights.paper_recommended == 0


def test_findings_list_every_paper_recommendation_once(real):
    for peers, baseline in ((["GBR", "CAN", "NZL"], "listening_state"), (["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS"], "both")):
        gaps = analyse(real, peers, baseline)
        findings = paper_findings(gaps, top=10)
        cw = real.crosswalk
        carried = set(cw.loc[cw["predicate_id"].isin(CARRYING_PREDICATES), "subject_id"])
        related_only = set(cw.loc[cw["predicate_id"] == "skos:relatedMatch", "subject_id"]) - carried
        pr = real.practices
        # every recommendation once: a source cell recorded as one practice per model country counts once
        recs = pr[pr["recommended_for_kaz"] & pr["source"].isin(["seed001", "seed002", "seed003", "seed004"])]
        expected = set(recs.drop_duplicates(["source", "label", "locator"])["id"])
        expected |= set(real.items.loc[real.items["framework_id"] == "kaz_adapted_model", "item_code"])
        papers = findings[paper_rows(findings)]
        assert sorted(papers["subject_id"]) == sorted(expected) and recs.duplicated(["source", "label", "locator"]).any()
        assert set(papers["paper"]) == {"seed001", "seed002", "seed003", "seed004"}
        assert (papers["locator"] != "").all()
        # a recommendation is recovered exactly when a concept it carries is in the top ten of its list; one
        # only related to such a concept touches it (a domain review: "recovered" stood on related mappings)
        mapped = papers[papers["verdict"] != "unmapped"]
        assert ((mapped["rank"] <= 10) == mapped["verdict"].isin(["recovered", "touched"])).all()
        assert ((mapped["verdict"] == "touched") == ((mapped["rank"] <= 10) & mapped["subject_id"].isin(related_only))).all()
        assert mapped.loc[mapped["verdict"] == "missed", "comment"].str.contains(r"^(?:only related to the concept in the crosswalk; )?rank ").all()
        # a recommendation that reaches its concepts only by skos:relatedMatch says so, and only then
        related = related_only
        flagged = mapped["comment"].str.startswith("only related to the concept in the crosswalk")
        assert (flagged == mapped["subject_id"].isin(related)).all()
        assert len(papers[papers["paper"] == "seed004"]) == 6
        new = findings[findings["verdict"] == "new"]
        assert not set(new["concept_id"]) & {c for cs in papers["concepts"] for c in cs.split(";") if c}
        # every concept of the top lists is accounted for: a paper's row, new, or touched by a recommendation
        # (a review found five of twenty in none: touched by a related match, so not new, yet in no row)
        lists = ranked(gaps)
        assert set(lists.loc[lists["rank"] <= 10, "concept_id"]) <= set(findings["concept_id"])
        touched = findings[~paper_rows(findings) & (findings["verdict"] == "touched")]
        assert len(touched) and touched["comment"].str.startswith("not new: a paper's recommendation").all()
        assert not set(touched["concept_id"]) & set(papers["concept_id"])
        got, total = recovered_share(findings)
        assert total == len(expected) and 0 < got < total


def test_findings_on_hand_data(tiny):
    findings = paper_findings(analyse(tiny, ["GBR", "CAN", "NZL"], "base"), top=1).set_index("concept_id")
    assert findings.loc["collaboration", ["recommendation", "rank", "verdict"]].tolist() == [
        "Set up interagency working groups", 3, "missed"]
    assert findings.loc["cultural_competence", "comment"].startswith("rank 4 in the individual list (top 1 shown); none of the chosen peers' frameworks or recorded practices carries it")
    assert findings.loc[["integrity_ethics", "merit_recruitment"], "verdict"].tolist() == ["new", "new"]


# ------------------------------------------------------------------------------------------------
# bad input: one line, exit 2

def run_cli(*args) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(["recommend", *args])
    return code, out.getvalue(), err.getvalue()


def test_cli_csv_columns_and_order(tmp_path):
    data = make_data(tmp_path)
    code, out, err = run_cli("--data", str(data), "--baseline", "base", "--top", "3", "--draws", "20")
    assert code == 0, err
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False)
    # one row per option of each ranked concept (none here: the tiny data has no register)
    assert list(frame.columns) == (OPTION_ROW_COLUMNS + [c for c in CSV_COLUMNS if c not in OPTION_ROW_COLUMNS + ["options"]]
                                   + ["as_of", "frameworks"])  # the date and the framework versions used
    assert (frame["option_id"] == "").all()
    assert frame[["scope", "concept_id"]].values.tolist() == [
        ["individual", "integrity_ethics"], ["individual", "leadership"], ["individual", "collaboration"],
        ["system", "merit_recruitment"]]
    merit = frame.set_index("concept_id").loc["merit_recruitment"]
    assert merit["peers"] == "CAN" and merit["oecd_principles"] == "oecd_rec-1;oecd_rec-3"
    assert merit["kaz_status"] == "partial"
    assert frame.set_index("concept_id").loc["collaboration", "papers"] == "src_test"


def test_cli_markdown_to_file(tmp_path):
    data = make_data(tmp_path)
    out_file = tmp_path / "out" / "recs.md"
    code, out, _ = run_cli("--data", str(data), "--baseline", "base", "--format", "markdown", "--out", str(out_file))
    assert code == 0 and out == ""
    assert out_file.read_text(encoding="utf-8").startswith("# Recommendations")


@pytest.mark.parametrize(
    "args, message",
    [
        (["--peers", "GBR,XYZ"], "--peers: XYZ has no framework in the data (countries with data: CAN, GBR, NZL)"),
        (["--peers", "GBR,JPN"], "--peers: JPN has no framework in the data (countries with data: CAN, GBR, NZL)"),
        (["--peers", " , "], "--peers: no peer countries given"),
        (["--peers", "KAZ"], "--peers: KAZ is the baseline, not a peer"),
        (["--baseline", "nope"], "--baseline: unknown baseline 'nope' (use one of base, cur, both)"),
        (["--top", "0"], "--top: must be at least 1 (got 0)"),
        (["--scope", "team"], "--scope: unknown scope 'team' (use separate, all, individual, system)"),
    ],
)
def test_cli_bad_options(tmp_path, args, message):
    code, out, err = run_cli("--data", str(make_data(tmp_path)), "--baseline", "base", *args)
    assert (code, out, err) == (2, "", message + "\n")


def _weights_file(path: Path, **weights) -> Path:
    path.write_text("# test weights\nweights:\n" + "".join(f"  {k}: {v}\n" for k, v in weights.items()), encoding="utf-8")
    return path


def test_weights_file_with_a_missing_weight(tmp_path):
    data = make_data(tmp_path)
    w = dict.fromkeys(COMPONENTS, 1.0)
    del w["kaz_absence"]
    f = _weights_file(tmp_path / "w.yaml", **w)
    code, _, err = run_cli("--data", str(data), "--baseline", "base", "--weights", str(f))
    assert code == 2
    assert err.splitlines() == [f"{f}:3: missing required field 'kaz_absence'"]


def test_weights_file_with_a_negative_weight(tmp_path):
    data = make_data(tmp_path)
    f = _weights_file(tmp_path / "w.yaml", **(dict.fromkeys(COMPONENTS, 1.0) | {"measured_need": -2}))
    code, _, err = run_cli("--data", str(data), "--baseline", "base", "--weights", str(f))
    assert code == 2
    assert err.splitlines() == [f"{f}:6: weights.measured_need: Input should be greater than or equal to 0 (got -2)"]


def test_weights_file_overrides_only_what_it_gives(tmp_path):
    data = make_data(tmp_path)
    f = _weights_file(tmp_path / "w.yaml", **(dict.fromkeys(COMPONENTS, 0.0) | {"measured_need": 1}))
    code, out, err = run_cli("--data", str(data), "--baseline", "base", "--weights", str(f), "--top", "1", "--draws", "0")
    assert code == 0, err
    assert pd.read_csv(io.StringIO(out)).loc[0, ["concept_id", "score"]].tolist() == ["leadership", 0.7]


def test_help_explains_the_score(capsys):
    with pytest.raises(SystemExit):
        main(["recommend", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for phrase in ("peer_share", "oecd_alignment", "kaz_absence", "measured_need", "paper_recommended",
                   "weight 0 by default", "ties", "paper_sources"):
        assert phrase in text


def test_data_folder_weights_are_validated_with_their_line(tmp_path):
    settings = copy.deepcopy(SETTINGS)
    settings["weights"]["peer_share"] = -1
    data = make_data(tmp_path, settings)
    with pytest.raises(InputError) as err:
        analyse(load(data), ["GBR"], "base")
    assert str(err.value) == f"{data / 'weights.yaml'}:2: weights.peer_share: Input should be greater than or equal to 0 (got -1)"


def test_weights_file_naming_unknown_data_is_refused(tmp_path):
    settings = copy.deepcopy(SETTINGS)
    settings["baselines"]["base"] = ["kaz_nothing"]
    data = make_data(tmp_path, settings)
    with pytest.raises(InputError, match=r"weights.yaml:\d+: unknown framework 'kaz_nothing'"):
        analyse(load(data), ["GBR"], "base")


def test_missing_weights_file_in_the_data_folder(tmp_path):
    data = make_data(tmp_path)
    (data / "weights.yaml").unlink()
    with pytest.raises(InputError, match="weights.yaml: file not found"):
        analyse(load(data), ["GBR"], "base")


def test_a_weight_beyond_the_largest_is_refused_where_it_is_written(tmp_path):
    """1e25 passed before, then broke the markdown output (Babel cannot write it); 1e308 overflowed every score to 0."""
    data = make_data(tmp_path)
    for huge in ("1e25", "1e308"):
        f = _weights_file(tmp_path / "w.yaml", **(dict.fromkeys(COMPONENTS, 1.0) | {"peer_share": huge}))
        code, _, err = run_cli("--data", str(data), "--baseline", "base", "--weights", str(f), "--format", "markdown")
        assert code == 2
        assert err.splitlines() == [f"{f}:3: weights.peer_share: Input should be less than or equal to 1000000 (got '{huge}')"]


@pytest.mark.parametrize("args, message", [
    (("--seed", "-1"), "--seed: must be 0 or more (got -1)"),
    (("--draws", "100000001"), "--draws: must be from 0 to 100,000 (got 100,000,001)"),
])
def test_draws_and_seed_out_of_range_are_one_line(tmp_path, args, message):
    data = make_data(tmp_path)
    code, out, err = run_cli("--data", str(data), "--baseline", "base", *args)
    assert (code, out, err.splitlines()) == (2, "", [message])


def test_an_organisation_named_as_a_peer_is_refused_as_such():
    from workbench.model.settings import check_peers

    with pytest.raises(InputError, match="OECD: an organisation, not a peer country"):
        check_peers(load(), ["GBR", "OECD"])


def test_a_concept_our_own_check_cannot_decide_is_undecided_never_absent():
    """An option's check (``kaz_now``) that could not decide is Kazakh evidence too: a concept with no
    other evidence is *undecided*, its absence component unknown (not the full credit of absence), and
    the reader is never told Kazakhstan does not have it. Found by a domain review: stewardship ranked
    on 'absent' while its option's own record said the law that would decide could not be read."""
    from workbench.analysis.kaz_status import kaz_evidence, kaz_status
    from workbench.analysis.recommend import evidence_for, recommendations
    from workbench.model.dataset import load

    real = load()
    gaps = analyse(real, ["GBR", "NZL", "CAN"], "listening_state")
    table = gaps.table.set_index("concept_id")
    register = real.options.set_index("option_id")
    assert register.at["opt-ethics-stewardship", "kaz_status"] == "undecided"
    assert table.at["stewardship", "kaz_status"] == "undecided" and np.isnan(table.at["stewardship", "kaz_absence"])
    # a check that found the measure in part counts for the option's main concept only
    rows = gaps.kaz_evidence[gaps.kaz_evidence["kind"] == "option"]
    mains = {cs[0] for cs in register["concepts"]}
    assert set(rows["concept_id"]) <= mains and set(rows["subject_id"]) <= set(register.index)
    # without the register, the same concept has no evidence at all: absent
    bare = kaz_status(kaz_evidence(dataclasses.replace(real, options=None), list(gaps.baseline_frameworks)), real.concepts["concept_id"])
    assert bare["stewardship"] == "absent"
    recs = recommendations(gaps, top=40)
    ev = next(e for e in evidence_for(gaps, recs) if e.concept_id == "stewardship")
    for lang in ("en", "ru", "kk"):
        assert t("evidence.carried_kaz_absent", lang) not in ev.carried_line(lang)
        assert t("evidence.carried_kaz_undecided", lang) in ev.carried_line(lang)
    assert "unknown" in ev.score_line("en")


def test_a_recommendation_the_source_gives_once_is_counted_once():
    """Seed 001's figure gives one cell for the USA and Canada; the data records a practice per country,
    but the paper recommends it once (a domain review found it counted twice in "recovered 29 of 48")."""
    from workbench.analysis.papers import paper_recommendations

    recs = paper_recommendations(analyse(load(), ["GBR", "NZL", "CAN"], "listening_state"))
    assert not recs.duplicated(["source", "label", "locator"]).any()
    both = recs[recs["label"] == "Evaluation of candidate qualities by colleagues"]
    assert len(both) == 1 and both["model_countries"].iloc[0] == ("USA", "CAN")


def test_undecided_concepts_that_would_rank_if_absent_are_named_in_the_summary():
    """A second reading of the reports: with their absence unknown, stewardship and inclusive
    leadership fell out of the top ten and out of sight, though each would rank in it were Kazakhstan
    without it; the summary now says so, with the rank, in the reader's language."""
    from workbench.analysis.recommend import evidence_for, recommendations, undecided_contenders
    from workbench.present.summary import cautions

    gaps = analyse(load(), ["GBR", "NZL", "CAN"], "listening_state")
    contenders = undecided_contenders(gaps, 10)
    assert set(contenders["concept_id"]) == {"inclusive_leadership", "stewardship"} and (contenders["rank"] <= 10).all()
    table = gaps.table.set_index("concept_id")
    assert (table.loc[list(contenders["concept_id"]), "kaz_status"] == "undecided").all()
    shown = evidence_for(gaps, recommendations(gaps, top=10))
    assert not {"inclusive_leadership", "stewardship"} & {ev.concept_id for ev in shown}
    for lang, label in (("en", "Stewardship"), ("ru", gaps.concepts.set_index("concept_id").at["stewardship", "label_ru"])):
        said = [c for c in cautions(gaps, shown, lang) if label in c]
        assert len(said) == 1 and f"{label} (" in said[0], said


def test_a_concept_the_lists_already_show_is_never_named_as_set_aside():
    """A reader's review: the professionalisation report listed stewardship at rank 9 and, in its
    cautions, said stewardship would enter the top lists if Kazakhstan lacked it. For every
    recommendations report of the matrix, no concept both shows and is named as left out."""
    from workbench.analysis.recommend import recommendations, undecided_contenders
    from workbench.run.matrix import load_matrix

    repo = Path(__file__).resolve().parents[1]
    ds = load()
    specs = [s for s in load_matrix(repo / "reports.yaml", repo / "notebooks") if s.notebook == "recommendations.ipynb"]
    assert specs
    shown_undecided = 0
    for spec in specs:
        p = spec.parameters
        top = p.get("top", 10)
        gaps = analyse(ds, p.get("peers", list(DEFAULT_PEERS)), p.get("baseline", "listening_state"), p.get("weights") or None,
                       scope=p.get("scope") or None)
        shown = recommendations(gaps, top=top, draws=0)
        assert not set(undecided_contenders(gaps, top)["concept_id"]) & set(shown["concept_id"]), spec.name
        shown_undecided += int((shown["kaz_status"] == "undecided").sum())
    assert shown_undecided, "the matrix shows an undecided concept somewhere: the case the review found"


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_summary_warns_of_peers_known_only_in_part_or_at_second_hand(lang, japan_at_second_hand):
    """An outside review with new countries: with only a partial peer, recommendations resting on no
    peer evidence at all drew no caution (the caution was said only where some peer could show a
    concept), and a peer known only from a secondary source drew none either."""
    from workbench.analysis.recommend import evidence_for, recommendations
    from workbench.present.summary import cautions

    japan = country_name("JPN", lang)
    gaps = analyse(japan_at_second_hand, ["JPN"], "listening_state")  # Japan: partial, and from a secondary source only
    said = cautions(gaps, evidence_for(gaps, recommendations(gaps, top=10, draws=0)), lang, 10)
    assert t("summary.caution_no_peer_known", lang) in said and t("summary.caution_no_peer", lang) not in said
    assert tn("summary.caution_secondary", 1, lang, names=japan) in said
    gaps = analyse(japan_at_second_hand, ["GBR", "NZL", "CAN"], "listening_state")  # complete and official
    said = cautions(gaps, evidence_for(gaps, recommendations(gaps, top=10, draws=0)), lang, 10)
    assert not {t("summary.caution_no_peer_known", lang), tn("summary.caution_secondary", 1, lang, names=japan)} & set(said)
    assert not any(japan in c for c in said)


def test_a_peer_known_in_part_from_a_secondary_source_is_named_too():
    """A domain review, 2026-12-06: Japan's official ethics principles took away the caution, though
    every competency Japan carries still rests on a secondary source."""
    from workbench.analysis.recommend import evidence_for, recommendations
    from workbench.present.summary import cautions

    gaps = analyse(load(), ["GBR", "JPN", "CAN"], "both")
    assert gaps.secondary_peers == ("JPN",)
    said = cautions(gaps, evidence_for(gaps, recommendations(gaps, top=10, draws=0)), "en", 10)
    assert tn("summary.caution_secondary", 1, "en", names="Japan") in said


def test_a_missed_paper_recommendation_never_says_no_peer_has_it_when_some_peers_cannot_tell():
    """A second reading: 'none of the chosen peers ... carries it' stood where three of seven peers'
    partial sources could not tell."""
    gaps = analyse(load(), ["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS"], "both")
    findings = paper_findings(gaps, top=10)
    unknown = t("findings.no_known_peer", "en", names="").split(";")[0]
    said = findings[findings["comment"].str.contains(unknown, regex=False)]
    assert len(said) and said["comment"].str.contains("unknown for Japan, France, Lithuania").all()
    assert not findings["comment"].str.contains(t("findings.no_peer", "en"), regex=False).any()
