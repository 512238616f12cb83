"""The register of policy options (issue 21): its checks, its analyses, its command, and the bundled register."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, REPO
from workbench.analysis import options as opts
from workbench.analysis import recommend
from workbench.analysis.papers import paper_recommendations
from workbench.model.dataset import load
from workbench.model.errors import InputError
from workbench.model.options import latin_words

DATA = REPO / "data"


@pytest.fixture
def register_data(tmp_path: Path) -> Path:
    """A copy of the bundled data whose register is the two test options (B needs A) and one quote."""
    root = tmp_path / "data"
    shutil.copytree(DATA, root)
    for folder in ("options", "quotes"):
        shutil.rmtree(root / folder, ignore_errors=True)
        (root / folder).mkdir()
        shutil.copy(FIXTURES / "options" / f"{folder}.yaml", root / folder / "test.yaml")
    return root


def _edit(path: Path, change) -> None:
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(records)
    path.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _problems(root: Path) -> list[str]:
    with pytest.raises(InputError) as err:
        load(root)
    return [str(p) for p in err.value.problems]


def _line_of(path: Path, pattern: str, after: str = "") -> int:
    """The 1-based line of the first line matching ``pattern`` after the first line holding ``after``."""
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if re.search(pattern, lines[i])) + 1


def test_a_valid_register_loads_with_quote_offsets(register_data):
    ds = load(register_data)
    assert list(ds.options["option_id"]) == ["opt-test-a", "opt-test-b"]
    q = ds.quotes.iloc[0]
    document = (register_data / "documents" / q["document"]).read_text(encoding="utf-8")
    assert document[q["start"]:q["end"]].split() == q["text"].split()
    assert ds.summary()["options"] == 2


def test_a_prerequisite_cycle_is_refused_with_file_and_line(register_data):
    path = register_data / "options" / "test.yaml"
    _edit(path, lambda recs: recs[0].__setitem__("prerequisites", ["opt-test-b"]))
    line = _line_of(path, r"^  - opt-test-b", after="id: opt-test-a")  # the list's first value
    found = [p for p in _problems(register_data) if "form a cycle" in p]
    assert found == [f"{path}:{line}: option 'opt-test-a': prerequisites form a cycle (opt-test-a -> opt-test-b -> opt-test-a)"]


def test_a_prerequisite_in_a_later_phase_is_refused(register_data):
    path = register_data / "options" / "test.yaml"
    _edit(path, lambda recs: recs[0].__setitem__("phase", "3-5y"))
    assert any("option 'opt-test-b' (phase 1-2y) needs 'opt-test-a', which comes later (phase 3-5y)" in p
               for p in _problems(register_data))


def test_an_option_without_a_source_is_refused(register_data):
    path = register_data / "options" / "test.yaml"
    _edit(path, lambda recs: recs[0]["models"][0].pop("source"))
    line = _line_of(path, r"^  - country: CAN", after="id: opt-test-a")
    assert _problems(register_data) == [f"{path}:{line}: missing required field 'source'"]


def test_an_unknown_source_is_refused(register_data):
    path = register_data / "options" / "test.yaml"
    _edit(path, lambda recs: recs[1]["kaz_now"].__setitem__("source", "ref_no_such_law"))
    assert any("option 'opt-test-b': unknown source 'ref_no_such_law'" in p for p in _problems(register_data))


def test_a_quote_that_does_not_match_its_document_is_refused(register_data):
    path = register_data / "quotes" / "test.yaml"
    _edit(path, lambda recs: recs[0].__setitem__("text", recs[0]["text"].replace("Independent", "Dependent")))
    line = _line_of(path, r"^  text:")
    found = _problems(register_data)
    assert f"{path}:{line}: quote 'q-test-can-psc' is not in documents/001_2f87b214911501e2.txt word for word" in found


def test_a_quote_id_no_record_has_is_refused(register_data):
    path = register_data / "options" / "test.yaml"
    _edit(path, lambda recs: recs[0]["models"][0].__setitem__("quotes", ["q-nowhere"]))
    assert any("option 'opt-test-a': unknown quote 'q-nowhere'" in p for p in _problems(register_data))


def test_a_page_quote_needs_the_day_the_page_was_read(register_data):
    path = register_data / "quotes" / "test.yaml"
    _edit(path, lambda recs: recs.append({"id": "q-page", "source": "ref_kaz_law_2015", "locator": "Article 1",
                                          "lang": "en", "text": "a sentence of the official page"}))
    sources = yaml.safe_load((register_data / "sources.yaml").read_text(encoding="utf-8"))
    if next(s for s in sources if s["id"] == "ref_kaz_law_2015").get("accessed"):
        pytest.skip("the bundled record of the page has its access date")
    assert any("quote 'q-page' cites the page 'ref_kaz_law_2015'" in p and "accessed" in p for p in _problems(register_data))


def test_english_words_in_a_russian_or_kazakh_text_are_refused(register_data):
    path = register_data / "options" / "test.yaml"
    _edit(path, lambda recs: recs[0]["title"].__setitem__("ru", "Внедрить New Public Management"))
    found = _problems(register_data)
    assert any("title.ru" in p and "Latin-script words (New Public Management)" in p for p in found), found


def test_a_reviewed_text_needs_its_reviewer(register_data):
    path = register_data / "options" / "test.yaml"
    _edit(path, lambda recs: recs[0]["text_status"].__setitem__("kk", "reviewed"))
    assert any("text_status.kk is 'reviewed' but reviewed_by names nobody for it" in p for p in _problems(register_data))


def test_options_of_a_ranked_concept_and_the_csv_keep_the_concepts_rank(register_data):
    ds = load(register_data)
    gaps = recommend.analyse(ds, ["GBR", "CAN", "NZL"])
    recs = recommend.recommendations(gaps, top=15, draws=0)
    rows = opts.per_option(recs, gaps.options)
    merit = recs[recs["concept_id"] == "merit_recruitment"].iloc[0]
    mine = rows[rows["concept_id"] == "merit_recruitment"]
    # B's main concept is analytical_skills: A (main concept merit) comes first
    assert list(mine["option_id"]) == ["opt-test-a", "opt-test-b"] and set(mine["rank"]) == {merit["rank"]}
    served = {"merit_recruitment", "analytical_skills"}
    without = rows[rows["option_id"] == ""]
    # every other ranked concept keeps one row, with no option
    assert sorted(without["concept_id"]) == sorted(c for c in recs["concept_id"] if c not in served)
    assert not recs.loc[~recs["concept_id"].isin(served), "options"].astype(bool).any()


def test_measured_needs_list_the_options_that_answer_them_whatever_the_peers(register_data):
    ds = load(register_data)
    for peers in (["GBR"], ["GBR", "CAN", "NZL"]):
        gaps = recommend.analyse(ds, peers)
        found = opts.needs(gaps, recommend.ranked(gaps), gaps.options)
        analytical = found[found["concepts"].str.contains("analytical_skills")].iloc[0]
        assert analytical["value"] == 57.2 and "opt-test-b" in analytical["options"].split(";")
        assert list(found["value"]) == sorted(found["value"], reverse=True)


def test_the_roadmap_puts_prerequisites_first(register_data):
    ds = load(register_data)
    assert opts.roadmap_order(opts.roadmap_graph(ds.options)) == ["opt-test-a", "opt-test-b"]
    assert list(opts.roadmap_table(ds.options)["option_id"]) == ["opt-test-a", "opt-test-b"]


def test_the_options_command_filters_and_refuses_unknown_values(register_data, run_cli):
    out = run_cli("options", "--data", str(register_data), "--phase", "1-2y", "--format", "json")
    assert out.returncode == 0, out.stderr
    assert [o["option_id"] for o in json.loads(out.stdout)] == ["opt-test-b"]
    out = run_cli("options", "--data", str(register_data), "--corps", "agency", "--lang", "kk")
    assert out.returncode == 0 and "Меритократияны тәуелсіз қадағалауды құру" in out.stdout and "opt-test-b" not in out.stdout
    bad = run_cli("options", "--data", str(register_data), "--phase", "soon")
    assert bad.returncode == 2 and bad.stderr.strip() == "--phase: unknown value(s) 'soon' (use now, 1-2y, 3-5y)"
    bad = run_cli("options", "--data", str(register_data), "--concept", "")  # a slip, not "every option"
    assert bad.returncode == 2 and bad.stderr.strip() == "--concept: empty list (give comma-separated values, or leave the option out)"
    bad = run_cli("options", "--data", str(register_data), "--concept", "leadrship")
    assert bad.returncode == 2 and "unknown concept 'leadrship' (did you mean 'leadership'?)" in bad.stderr
    quotes = run_cli("options", "--data", str(register_data), "--quotes")
    assert quotes.returncode == 0 and "001_2f87b214911501e2.txt" in quotes.stdout
    table = run_cli("options", "--data", str(register_data), "--quotes", "--format", "markdown")
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith("| quote_id | source |") and "| q-test-can-psc | seed001 |" in table.stdout


# -- the bundled register ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def bundled():
    return load(DATA)


def test_the_bundled_register_holds_at_least_forty_cited_options(bundled):
    reg = bundled.options
    assert len(reg) >= 40
    assert (reg["kaz_source"] != "").all() and (reg["kaz_locator"] != "").all()
    assert reg["models"].map(len).min() >= 1


def test_every_bundled_quote_is_an_exact_passage_of_its_document(bundled):
    seeds = bundled.quotes[bundled.quotes["document"] != ""]
    assert len(seeds) >= 40
    for _, q in seeds.iterrows():
        text = (DATA / "documents" / q["document"]).read_text(encoding="utf-8")
        assert text[q["start"]:q["end"]].split() == q["text"].split(), q["quote_id"]
    pages = bundled.quotes[bundled.quotes["document"] == ""]
    kinds = bundled.sources.set_index("id").loc[pages["source"], "kind"]
    assert (kinds == "reference").all()


def test_russian_and_kazakh_option_texts_hold_no_english(bundled):
    text_columns = [c for c in bundled.options.columns if c.endswith(("_ru", "_kk")) and not c.startswith(("text_status", "reviewed_by"))]
    for col in text_columns:
        for value in bundled.options[col]:
            assert latin_words(str(value)) == [], (col, value)


def test_every_recommendation_of_the_papers_is_carried_by_an_option(bundled):
    gaps = recommend.analyse(bundled, ["GBR", "CAN", "NZL"])
    carried = opts.carried_by(bundled.options)
    missing = [s for s in paper_recommendations(gaps)["subject_id"] if s not in carried]
    assert missing == []


@pytest.mark.parametrize("peers", [["GBR", "CAN", "NZL"], ["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS"]])
def test_every_concept_in_the_top_fifteen_has_an_option(bundled, peers):
    recs = recommend.recommendations(recommend.analyse(bundled, peers), top=15, draws=0)
    without = recs.loc[recs["options"] == "", "concept_id"].tolist()
    assert without == []


@pytest.mark.parametrize("baseline", ["listening_state", "curriculum", "both"])
def test_no_option_contradicts_kazakhstans_status_of_its_main_concept(bundled, baseline):
    """An option saying Kazakhstan has (part of) it where the analysis finds the concept absent, or the
    reverse, would show the reader two answers to one question: the evidence belongs in data/practices."""
    status = recommend.analyse(bundled, ["GBR", "CAN", "NZL"], baseline).table.set_index("concept_id")["kaz_status"]
    clashes = [(o["option_id"], o["kaz_status"], status[o["concepts"][0]]) for _, o in bundled.options.iterrows()
               if (o["kaz_status"] in ("present", "partial") and status[o["concepts"][0]] == "absent")
               or (o["kaz_status"] == "absent" and status[o["concepts"][0]] == "present")]
    assert clashes == []


def test_the_roadmap_figure_draws_every_option_with_every_kazakh_letter(bundled):
    import warnings

    from workbench.present.roadmap import roadmap_figure

    graph = opts.roadmap_graph(bundled.options)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns on a missing glyph
        fig = roadmap_figure(graph, lang="kk")
        fig.canvas.draw()
    discs = [c for c in fig.axes[0].collections]
    assert len(discs) == len(bundled.options)
    ys = [c.get_offsets()[0][1] for c in discs]
    assert min(ys) > 0 and max(ys) < len({graph.nodes[n]["instrument"] for n in graph})  # every disc inside the plot


def test_at_the_broad_level_an_option_for_a_narrower_concept_serves_its_broader_one(run_cli):
    """A second reading: `options --concept learning_development` found 6 options where the broad-level
    recommendations gave 13; with --granularity broad, an option written for retraining or mentoring serves
    learning and development or people development, as the broad crosswalk does."""
    fine = json.loads(run_cli("options", "--concept", "learning_development", "--format", "json").stdout)
    broad = json.loads(run_cli("options", "--concept", "learning_development", "--format", "json", "--granularity", "broad").stdout)
    assert {o["option_id"] for o in fine} < {o["option_id"] for o in broad}
    assert all("learning_development" in o["concepts"] and "retraining" not in o["concepts"] for o in broad)
