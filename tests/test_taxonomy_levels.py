"""Taxonomy 1.1: SKOS ``broader`` checks, the fine/broad roll-up, Kazakh text and unknown languages."""
from __future__ import annotations

from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from workbench.analysis.coding import code_document
from workbench.analysis.compare import evidence
from workbench.model.dataset import load
from workbench.model.errors import InputError
from workbench.analysis.network import bipartite_graph, overlap_graph
from workbench.analysis.suggest import UNKNOWN_LANGUAGE, ConceptSuggester, fit_from_dataset, text_language
from workbench.model.taxonomy import at_granularity, broader_of, roll_up

from conftest import run_workbench

TRAINING_KINDS = {"initial_training", "retraining", "in_service_training", "training_needs_analysis",
                  "training_evaluation", "practitioner_teaching", "coaching_mentoring"}


def _add_concept(data: Path, block: str) -> None:
    path = data / "taxonomy.yaml"
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")


def _concept(cid: str, broader: str, domain: str = "system") -> str:
    return (f"- id: {cid}\n  domain: {domain}\n  scope: system\n  broader: {broader}\n"
            f"  label: {{en: {cid}, ru: тест {cid}, kk: сынақ {cid}}}\n  definition: A test concept.\n")


def _taxonomy_problem(data: Path) -> tuple[str, int, str]:
    with pytest.raises(InputError) as info:
        load(data)
    [problem] = info.value.problems
    return Path(problem.path).name, problem.line, problem.message


def test_unknown_broader_is_reported_at_its_line(tiny_data):
    _add_concept(tiny_data, _concept("merit_tests", "merrit_recruitment"))
    name, line, message = _taxonomy_problem(tiny_data)
    lines = (tiny_data / "taxonomy.yaml").read_text(encoding="utf-8").splitlines()
    assert name == "taxonomy.yaml" and lines[line - 1].strip() == "broader: merrit_recruitment"
    assert message == "concept 'merit_tests': unknown broader concept 'merrit_recruitment'"


def test_a_third_level_is_refused(tiny_data):
    _add_concept(tiny_data, _concept("merit_tests", "merit_recruitment") + _concept("written_tests", "merit_tests"))
    assert _taxonomy_problem(tiny_data)[2] == (
        "concept 'written_tests': broader concept 'merit_tests' has a broader concept itself (at most two levels)")


def test_a_cycle_is_refused(tiny_data):
    _add_concept(tiny_data, _concept("a_one", "a_two") + _concept("a_two", "a_one"))
    with pytest.raises(InputError) as info:
        load(tiny_data)
    assert any("broader links form a cycle" in p.message for p in info.value.problems)


def test_a_reviewed_label_needs_a_reviewer(tiny_data):
    path = tiny_data / "taxonomy.yaml"
    text = path.read_text(encoding="utf-8").replace("  label_status:\n    ru: draft\n", "  label_status:\n    ru: reviewed\n", 1)
    path.write_text(text, encoding="utf-8")
    assert "label_status ru is 'reviewed' but reviewed_by names no ru reviewer" in _taxonomy_problem(tiny_data)[2]


@pytest.fixture(scope="module")
def ds():
    return load()


def test_the_academy_training_kinds_sit_under_learning_development(ds):
    up = broader_of(ds.concepts)
    assert {c for c, b in up.items() if b == "learning_development" and c != b} == TRAINING_KINDS
    assert ds.taxonomy_version == "1.1.0"
    assert (ds.concepts["reviewed_by_ru"] == "").all() and (ds.concepts["label_status_kk"] == "draft").all()


def test_broad_level_rolls_training_kinds_up(ds):
    broad = at_granularity(ds, "broad")
    assert not TRAINING_KINDS & set(broad.crosswalk["object_id"]) and not TRAINING_KINDS & set(broad.concepts["concept_id"])
    retraining = broad.crosswalk[broad.crosswalk["subject_id"] == "S4-CUR-ALL-02"]
    assert retraining["object_id"].tolist() == ["learning_development"]
    assert not broad.crosswalk.duplicated(["subject_id", "object_id"]).any()
    # the narrower concepts' words stay with the broad concept, so the coder still knows them
    aliases = broad.concepts.set_index("concept_id").loc["learning_development", "aliases_en"]
    assert "retraining" in aliases and "Evaluation of training" in aliases
    assert at_granularity(ds, "fine") is ds


def test_roll_up_prefers_a_carrying_predicate():
    cw = pd.DataFrame({"subject_id": ["x", "x"], "predicate_id": ["skos:relatedMatch", "skos:broadMatch"],
                       "object_id": ["parent", "child"], "confidence": [0.95, 0.7]})
    concepts = pd.DataFrame({"concept_id": ["parent", "child"], "broader": ["", "parent"]})
    assert roll_up(cw, concepts, "broad")[["predicate_id", "object_id"]].values.tolist() == [["skos:broadMatch", "parent"]]
    with pytest.raises(ValueError, match="unknown granularity 'coarse'"):
        roll_up(cw, concepts, "coarse")


@pytest.mark.parametrize("granularity", ["fine", "broad"])
def test_seed001_peers_and_kazakhstan_meet_at_both_levels(ds, granularity):
    level = at_granularity(ds, granularity)
    # seed 001's peers that have a framework in data/, and Kazakhstan
    names = sorted({"GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS", "KAZ"} & set(level.frameworks["country"]))
    overlap = overlap_graph(bipartite_graph(evidence(level, names), nodes=names, concepts=level.concepts), min_weight=0.0)
    assert nx.is_connected(overlap), sorted(overlap.edges)


def test_new_concepts_carry_the_papers_practices(ds):
    cw = ds.crosswalk.set_index(["subject_id", "object_id"])
    assert cw.loc[("pr-s1-aus-gender-strategy", "gender_equality"), "predicate_id"] == "skos:exactMatch"
    assert cw.loc[("pr-s2-ls-feedback-and-consultations", "listening_feedback"), "predicate_id"] == "skos:closeMatch"
    assert cw.loc[("S4-CUR-A-12", "project_management"), "predicate_id"] in ("skos:exactMatch", "skos:closeMatch")  # a course on the topic (double coding)
    moved = ds.crosswalk[ds.crosswalk["comment"].str.contains("split of learning_development")]
    assert len(moved) >= 30 and set(moved["object_id"]) == TRAINING_KINDS


def test_language_of_a_text():
    assert text_language("Мемлекеттік қызметшілердің біліктілігін арттыру") == "kk"
    assert text_language("Повышение квалификации государственных служащих") == "ru"
    assert text_language("In-service training of civil servants") == "en"
    assert text_language("La formation continue des agents de l'État est obligatoire") == UNKNOWN_LANGUAGE
    assert text_language("公务员培训") == UNKNOWN_LANGUAGE


@pytest.fixture(scope="module")
def model(ds):
    return fit_from_dataset(ds)


def test_kazakh_passages_are_coded_with_kazakh_aliases(model):
    text = ("Мемлекеттік қызметшілер үш жылда бір рет біліктілікті арттыру курстарынан өтеді. "
            "Азаматтармен кері байланыс және азаматтардың өтініштеріне жауап беру маңызды.")
    codings = code_document(model, text, "kk.txt")
    first = codings[codings["start"] == 0]["concept_id"].tolist()
    second = codings[codings["start"] > 0]["concept_id"].tolist()
    assert first[:1] == ["in_service_training"] and second[:1] == ["listening_feedback"]
    assert codings.attrs["unknown_language"] == []


def test_a_passage_in_an_unknown_language_is_marked_not_coded(model):
    french = "La formation continue des agents publics est obligatoire tous les trois ans."
    text = "Civil servants attend in-service training every three years. " + french
    codings = code_document(model, text, "mixed.txt", threshold=0.0)
    assert codings["start"].max() == 0  # only the English passage is coded
    [(start, end)] = codings.attrs["unknown_language"]
    assert text[start:end] == french
    [suggestions] = model.suggest([french], top=1)
    assert suggestions[0][2] is True  # needs review, whatever its score


def test_code_command_reports_unknown_language_passages(tmp_path):
    doc = tmp_path / "fr.txt"
    doc.write_text("Les agents publics doivent suivre une formation continue tous les trois ans.\n", encoding="utf-8")
    result = run_workbench("code", doc, "--granularity", "broad")
    assert result.returncode == 0, result.stderr
    assert "1 passage(s) in a language the taxonomy has no words in were not coded" in result.stderr
    assert result.stdout.strip() == "document,start,end,concept_id,score,quote"


def test_suggester_accuracy_at_the_broad_level_holds(ds):
    from workbench.analysis.suggest import evaluate_leave_one_framework_out

    # 0.753: leave-one-framework-out top-1 accuracy of taxonomy 1.0 (benchmarks, before the split)
    assert evaluate_leave_one_framework_out(at_granularity(ds, "broad"))["top1_accuracy"] >= 0.753


def test_a_broad_report_says_which_narrower_concepts_it_counted_as_their_broader_one_or_that_none():
    """A reader's review: the professionalisation peers' network at the broad level was the curated
    level's, word for word and figure for figure, with nothing to say why (none of their frameworks
    carries a narrower concept: only the curriculum did, and it is not compared)."""
    import dataclasses

    from workbench.analysis.compare import rolled_up
    from workbench.model.i18n import t
    from workbench.present.versions import rolled_up_html

    ds = load()
    peers = ["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS", "KAZ"]
    assert rolled_up(ds, peers).empty
    assert t("ui.broad_changes_nothing", "ru") in rolled_up_html(rolled_up(ds, peers), ds.concepts, "ru").markup
    # one GBR item mapped to coaching and mentoring as well: the broad level counts it as learning and development
    item = ds.crosswalk[ds.crosswalk["subject_id"] == "UK-B1"].iloc[[0]].assign(object_id="coaching_mentoring")
    more = dataclasses.replace(ds, crosswalk=pd.concat([ds.crosswalk, item], ignore_index=True))
    rolled = rolled_up(more, peers)
    assert rolled[["concept_id", "broader"]].values.tolist() == [["coaching_mentoring", "learning_development"]]
    assert rolled["countries"].tolist() == [["GBR"]]
    note = rolled_up_html(rolled, ds.concepts, "ru").markup
    labels = ds.concepts.set_index("concept_id")["label_ru"]
    assert f"{labels['coaching_mentoring']} → {labels['learning_development']} (Великобритания)" in note
    with pytest.raises(ValueError, match="curated level"):
        rolled_up(at_granularity(ds, "broad"), peers)


def test_at_the_broad_level_the_options_serve_broad_concepts():
    """A second reading: at the broad level the options kept their narrower concepts, which the broad
    taxonomy no longer names (the markdown wrote 'Serves: gender_equality'), and an option written only for
    a narrower concept served no ranked concept."""
    from workbench.model.dataset import load
    from workbench.model.taxonomy import at_granularity

    fine = load()
    broad = at_granularity(fine, "broad")
    ids = set(broad.concepts["concept_id"])
    assert all(set(cs) <= ids for cs in broad.options["concepts"])
    up = dict(zip(fine.concepts["concept_id"], fine.concepts["broader"].fillna("")))
    narrow = [(cs, bs) for cs, bs in zip(fine.options["concepts"], broad.options["concepts"]) if any(up.get(c) for c in cs)]
    assert narrow and all(bs == tuple(dict.fromkeys(up.get(c) or c for c in cs)) for cs, bs in narrow)
