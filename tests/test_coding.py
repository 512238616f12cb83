"""Content analysis of documents against the taxonomy (issue 9): passages, codings, profiles, review."""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import run_workbench
from workbench.run.cli import main
from workbench.analysis.coding import (
    CODING_COLUMNS,
    NO_CODE,
    REVIEW_COLUMNS,
    code_document,
    code_file,
    compare_profiles,
    concept_profile,
    for_review,
    read_codings,
    read_review,
)
from workbench.analysis.passages import passage_language, split_passages
from workbench.model.errors import InputError
from workbench.analysis.suggest import fit_from_dataset
from workbench.model.synthetic import TINY_TAXONOMY, write_dataset

FIXTURES = Path(__file__).parent / "fixtures" / "coding"
REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "data" / "documents"  # bundled copies of ../shared/seeds
TINY_IDS = [c["id"] for c in TINY_TAXONOMY["concepts"]]


def quotes(text: str) -> list[str]:
    return [text[p.start : p.end] for p in split_passages(text)]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = write_dataset(
        tmp_path_factory.mktemp("tiny") / "data",
        {"fw_a": {"country": "GBR", "concepts": ["leadership", "integrity_ethics", "merit_recruitment"],
                  "labels": {"leadership": "Leading people", "integrity_ethics": "Acting with integrity",
                             "merit_recruitment": "Recruitment on merit"}}},
    )
    from workbench.model.dataset import load

    return root, fit_from_dataset(load(root))


# -- passages ------------------------------------------------------------------------------------


def test_passages_leave_out_front_and_back_matter():
    text = (FIXTURES / "paper_en.txt").read_text(encoding="utf-8")
    assert quotes(text) == [
        "Open competition and merit decide who joins the civil service.",
        "Officials act with integrity.",
        "Leading people toward a shared goal is the core of leadership, e.g. in ministries.",
        "R. T. Sergaliyeva studied it in 2021.",
        # a sentence cut by a page break is one passage, blank line included
        "Recruitment on merit through open competition is now the\n \nrule for every vacancy in the civil service.",
        # a table row with its continuation line; the header row is not a passage
        "Ethics\tIntegrity and ethical conduct,\n\thonesty in office",
        "Recruitment\tMerit and open competition",
        "(1) ability to lead others;",
        "(2) integrity in every decision;",
    ]
    kinds = [p.kind for p in split_passages(text)]
    assert kinds.count("row") == 2


def test_passages_in_russian_skip_labels_keywords_and_literature():
    text = (FIXTURES / "paper_ru.txt").read_text(encoding="utf-8")
    assert quotes(text) == [
        "Конкурсный отбор на государственную службу проводится открыто.",
        "Руководство людьми требует личного примера.",
    ]


def test_passages_are_exact_slices_even_with_crlf_line_ends():
    text = (FIXTURES / "paper_en.txt").read_text(encoding="utf-8").replace("\n", "\r\n")
    found = quotes(text)
    assert "Officials act with integrity." in found
    assert not any("Smith, J." in q or "@" in q for q in found)


def test_passage_language_by_cyrillic_share():
    assert passage_language("Merit and open competition") == "en"
    assert passage_language("Конкурсный отбор (OECD, 2020)") == "ru"
    assert passage_language("Мемлекеттік қызметшілердің кәсібилігі") == "kk"


# -- codings -------------------------------------------------------------------------------------


def test_code_document_codes_passages_with_exact_quotes(tiny):
    _, model = tiny
    text = (FIXTURES / "paper_en.txt").read_text(encoding="utf-8")
    codings = code_document(model, text, "paper_en.txt")
    assert list(codings.columns) == CODING_COLUMNS
    assert all(text[s:e] == q for s, e, q in zip(codings["start"], codings["end"], codings["quote"]))
    best = codings.sort_values("score", ascending=False).drop_duplicates(["start", "end"]).set_index("quote")["concept_id"]
    assert best["Recruitment\tMerit and open competition"] == "merit_recruitment"
    assert best["Officials act with integrity."] == "integrity_ethics"
    assert best["(1) ability to lead others;"] == "leadership"
    assert (codings["score"] >= 0.30).all() and (codings["document"] == "paper_en.txt").all()


def test_threshold_and_top_limit_codings(tiny):
    _, model = tiny
    text = (FIXTURES / "paper_en.txt").read_text(encoding="utf-8")
    loose = code_document(model, text, "d", threshold=0.0, top=2)
    assert loose.groupby(["start", "end"]).size().max() == 2
    assert len(loose) == 2 * len(split_passages(text))
    strict = code_document(model, text, "d", threshold=0.6)
    assert (strict["score"] >= 0.6).all() and len(strict) < len(loose)


def test_russian_passages_are_coded_through_russian_aliases(tiny):
    _, model = tiny
    text = (FIXTURES / "paper_ru.txt").read_text(encoding="utf-8")
    auto = code_document(model, text, "paper_ru.txt", lang="auto")
    first = auto[auto["quote"].str.startswith("Конкурсный")]
    assert first["concept_id"].iloc[0] == "merit_recruitment"
    # A forced language overrides the guess within its script (Kazakh without its own letters), never
    # the script: Russian read with English words would score nothing true, so it is listed, not coded.
    as_kk = code_document(model, text, "paper_ru.txt", lang="kk")
    assert as_kk.drop(columns="score").equals(auto.drop(columns="score")) and as_kk.attrs["other_script"] == []
    as_en = code_document(model, text, "paper_ru.txt", lang="en", threshold=0.0)
    cyrillic = [(p.start, p.end) for p in split_passages(text) if passage_language(text[p.start:p.end]) in ("ru", "kk")]
    assert cyrillic and as_en.attrs["other_script"] == cyrillic
    assert not set(zip(as_en["start"], as_en["end"])) & set(cyrillic)


def test_a_forced_language_is_said_of_every_passage_it_cannot_read(tmp_path):
    """``--lang en`` on a Russian passage (or ``--lang ru`` on an English one) codes nothing of it and says so."""
    doc = tmp_path / "mixed.txt"
    doc.write_text("Государственный служащий проявляет лидерство и честность.\n\n"
                   "The civil servant shows leadership and integrity.\n", encoding="utf-8")
    for lang, other in (("en", "0-57"), ("ru", "59-108")):
        done = run_workbench("code", doc, "--lang", lang)
        assert done.returncode == 0, done.stderr
        assert done.stderr.splitlines() == [f"{doc}: 1 passage(s) written in another script than --lang {lang} were not coded "
                                             f"(first at characters {other}); --lang auto takes each passage's language from its letters"]
        starts = {row["start"] for row in csv.DictReader(io.StringIO(done.stdout))}
        assert starts and other.split("-")[0] not in starts


def test_code_file_refuses_text_that_is_not_utf8(tiny, tmp_path):
    _, model = tiny
    with pytest.raises(InputError, match="not UTF-8"):
        code_file(FIXTURES / "latin1.txt", model)
    binary = tmp_path / "scan.pdf"
    binary.write_bytes(b"%PDF-1.4\x00\x01\x02")
    with pytest.raises(InputError, match="binary file"):
        code_file(binary, model)


# -- profiles ------------------------------------------------------------------------------------


def test_concept_profile_counts_each_passage_once_per_concept():
    codings = pd.DataFrame(
        {"document": "d", "start": [0, 0, 50, 50], "end": [20, 20, 70, 70], "concept_id": ["a", "b", "a", "a"], "score": 0.5, "quote": ""}
    )
    profile = concept_profile(codings, 200)
    assert profile.to_dict() == {"a": pytest.approx(0.2), "b": pytest.approx(0.1)}
    with pytest.raises(ValueError):
        concept_profile(codings.assign(document=["d", "d", "e", "e"]), 200)


def test_compare_profiles_shows_what_one_document_ignores():
    cmp = compare_profiles({"uk": pd.Series({"ethics": 0.3, "merit": 0.1}), "kaz": pd.Series({"merit": 0.25})})
    assert list(cmp.index) == ["ethics", "merit"]  # largest spread first
    assert cmp.loc["ethics", "kaz"] == 0.0 and cmp.loc["ethics", "ignored_by"] == "kaz"
    assert cmp.loc["merit", "stressed_by"] == "kaz" and cmp.loc["merit", "spread"] == pytest.approx(0.15)


# -- review --------------------------------------------------------------------------------------


def _write_review(path: Path, frame: pd.DataFrame) -> Path:
    path.write_text(frame.to_csv(index=False), encoding="utf-8")
    return path


def test_review_round_trip_applies_decisions(tiny, tmp_path):
    _, model = tiny
    text = (FIXTURES / "paper_en.txt").read_text(encoding="utf-8")
    machine = for_review(code_document(model, text, "paper_en.txt", threshold=0.0, top=2))
    assert list(machine.columns) == REVIEW_COLUMNS and (machine["decision"] == "").all()
    reviewed = machine.copy()
    first_rows = reviewed.groupby(["start", "end"]).head(1).index  # each passage's best coding
    p0, p1, p2 = first_rows[:3]
    reviewed.loc[p0, "decision"] = "accept"
    reviewed.loc[p1, ["decision", "new_concept_id"]] = ["change", "leadership"]
    reviewed.loc[reviewed.index[(reviewed["start"] == reviewed.loc[p2, "start"])], "decision"] = "reject"
    m_path = _write_review(tmp_path / "machine.csv", machine)
    r_path = _write_review(tmp_path / "reviewed.csv", reviewed)

    back = read_review(m_path, TINY_IDS)
    assert (back["quote"].to_numpy() == machine["quote"].to_numpy()).all()  # tabs and newlines survive CSV
    codes_m, codes_r = read_codings(m_path, TINY_IDS), read_codings(r_path, TINY_IDS)
    key = lambda row: f"paper_en.txt:{machine.loc[row, 'start']}-{machine.loc[row, 'end']}"  # noqa: E731
    assert codes_r[key(p0)] == codes_m[key(p0)] == machine.loc[p0, "concept_id"]
    assert codes_r[key(p1)] == "leadership"
    assert codes_r[key(p2)] == NO_CODE  # rejecting every coding counts as a disagreement
    assert len(codes_m) == len(split_passages(text))


def test_review_problems_name_file_and_line(tmp_path):
    header = ",".join(REVIEW_COLUMNS)
    path = tmp_path / "reviewed.csv"
    path.write_text(
        f'{header}\nd.txt,0,10,leadership,0.5,"two\nlines",acept,\n'
        "d.txt,20,30,leadership,0.4,quote,change,unknown_thing\n"
        "d.txt,40,50,no_such,0.4,quote,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_review(path, TINY_IDS)
    messages = [f"{p.line}: {p.message}" for p in info.value.problems]
    assert messages == [
        "2: unknown decision 'acept' (use accept, reject or change)",
        "4: unknown concept 'unknown_thing' in new_concept_id",  # the quote of line 2 spans two lines
        "5: unknown concept 'no_such'",
    ]


# -- command line --------------------------------------------------------------------------------


def test_cli_code_then_agreement_machine_against_reviewer(tiny, tmp_path, monkeypatch, capsys):
    root, _ = tiny
    monkeypatch.setenv("WORKBENCH_DATA", str(root))  # read_codings checks concepts against this taxonomy
    out = tmp_path / "machine.csv"
    assert main(["code", str(FIXTURES / "paper_en.txt"), "--review", "--out", str(out), "--data", str(root)]) == 0
    assert "codings of" in capsys.readouterr().out
    machine = pd.read_csv(out, keep_default_na=False, dtype={"decision": str, "new_concept_id": str})
    assert list(machine.columns) == REVIEW_COLUMNS
    text = (FIXTURES / "paper_en.txt").read_text(encoding="utf-8")
    assert all(text[s:e] == q for s, e, q in zip(machine["start"], machine["end"], machine["quote"]))
    reviewed = machine.copy()
    top = reviewed.drop_duplicates(["start", "end"]).index
    other = {"leadership": "integrity_ethics"}.get(reviewed.loc[top[0], "concept_id"], "leadership")
    reviewed.loc[top[0], ["decision", "new_concept_id"]] = ["change", other]
    _write_review(tmp_path / "reviewed.csv", reviewed)
    assert main(["agreement", str(out), str(tmp_path / "reviewed.csv")]) == 0
    report = capsys.readouterr().out
    assert f"subjects coded by both: {len(top)}" in report and "disagreements: 1" in report


def test_cli_bad_inputs_exit_2_with_one_line(tiny, tmp_path, capsys):
    root, _ = tiny
    assert main(["code", str(FIXTURES / "latin1.txt"), "--data", str(root)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "latin1.txt:1: not UTF-8 text" in err
    assert main(["code", str(FIXTURES / "paper_en.txt"), "--top", "0", "--data", str(root)]) == 2
    assert "--top" in capsys.readouterr().err
    bad = tmp_path / "reviewed.csv"
    bad.write_text(",".join(REVIEW_COLUMNS) + "\nd.txt,0,10,leadership,0.5,q,maybe,\n", encoding="utf-8")
    assert main(["agreement", str(bad), str(bad)]) == 2
    assert "reviewed.csv:2: unknown decision 'maybe'" in capsys.readouterr().err


# -- the seed papers -----------------------------------------------------------------------------

needs_seeds = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"seed papers not found at {SEEDS}")


@pytest.fixture(scope="module")
def real():
    from workbench.model.dataset import load

    ds = load()
    return ds, fit_from_dataset(ds)


@needs_seeds
def test_every_quote_on_every_seed_is_the_text_at_its_offsets(real, tmp_path):
    _, model = real
    seeds = sorted(SEEDS.glob("*.txt"))
    assert len(seeds) >= 5
    for path in seeds:
        t0 = time.perf_counter()
        codings = code_file(path, model)
        elapsed = time.perf_counter() - t0
        assert elapsed < 5, f"{path.name} took {elapsed:.1f} s"
        text = path.read_text(encoding="utf-8")
        assert len(codings) > 0
        assert all(text[s:e] == q for s, e, q in zip(codings["start"], codings["end"], codings["quote"]))
        # and after a trip through the review CSV, as a reviewer's tool would read it
        out = _write_review(tmp_path / f"{path.stem}.csv", for_review(codings))
        back = read_review(out)
        assert all(text[s:e] == q for s, e, q in zip(back["start"], back["end"], back["quote"]))


@needs_seeds
def test_reference_lists_and_author_blocks_are_not_coded():
    text = (SEEDS / "002_3238ead0fbd346f6.txt").read_text(encoding="utf-8")
    found = split_passages(text)
    references = text.index("REFERENCES:")
    assert found and all(p.end < references for p in found)
    assert not any("Correspondence" in text[p.start : p.end] or "@" in text[p.start : p.end] for p in found)
    text1 = (SEEDS / "001_2f87b214911501e2.txt").read_text(encoding="utf-8")
    refs1 = text1.index("\nReferences\n")
    assert all(p.end < refs1 for p in split_passages(text1))


@needs_seeds
def test_seed_002_table_1_areas_get_their_curated_concepts(real):
    """Each area row of Table 1 is coded with a concept the crosswalk maps that area's items to,
    by a model that never saw those items (they were curated from this very table)."""
    from workbench.analysis.crosswalk import item_concepts

    ds, _ = real
    items = ds.items[ds.items["framework_id"] == "kaz_listening_state"]
    model = fit_from_dataset(ds, exclude_items=set(items["item_code"]))
    gold = item_concepts(items, ds.crosswalk).groupby("group")["concept_id"].agg(set)
    def hits(codings: pd.DataFrame) -> dict[str, bool]:
        rows = codings[codings["quote"].str.contains("\t")]
        return {area: bool(set(rows.loc[rows["quote"].str.startswith(area + "\t"), "concept_id"]) & concepts) for area, concepts in gold.items()}

    coded = hits(code_file(SEEDS / "002_3238ead0fbd346f6.txt", model))
    ranked = hits(code_file(SEEDS / "002_3238ead0fbd346f6.txt", model, threshold=0.0, top=3))
    print(f"Table 1 areas coded with a curated concept: {sum(coded.values())}/{len(coded)}; "
          f"with one among their three best: {sum(ranked.values())}/{len(ranked)}")
    # the ranking is the model's quality; whether a score clears the coding threshold also moves with the
    # data (the values codes of 2026-12-06 took Legal Policy's human_rights from 0.43 to 0.296, under 0.3)
    assert len(ranked) == 7 and sum(ranked.values()) >= 6 and sum(coded.values()) >= 5, (coded, ranked)


@needs_seeds
def test_seed_001_russian_and_kazakh_abstracts(real):
    _, model = real
    text = (SEEDS / "001_2f87b214911501e2.txt").read_text(encoding="utf-8")
    codings = code_document(model, text, "001")
    langs = codings.drop_duplicates(["start", "end"])["quote"].map(passage_language)
    assert (langs == "ru").sum() >= 5 and (langs == "kk").sum() >= 1
    skills = codings[codings["quote"].str.startswith("На первый план выходят навыки коммуникации")]
    assert {"analytical_skills", "decision_making"} & set(skills["concept_id"])
    merit = codings[codings["quote"].str.startswith("Помимо образовательного компонента")]
    assert "merit_recruitment" in set(merit["concept_id"])


def test_ukrainian_and_serbian_passages_are_reported_not_coded(tmp_path):
    """An outside review: Ukrainian (with the і Kazakh shares) was taken for Kazakh and Serbian for
    Russian, and both were coded without a word, whatever the threshold."""
    doc = tmp_path / "uk_sr.txt"
    doc.write_text("Державна служба та лідерство у громадах і відповідальність.\n\n"
                   "Државна служба и љубав према грађанима.\n", encoding="utf-8")
    done = run_workbench("code", doc, "--threshold", "0.05")
    assert done.returncode == 0, done.stderr
    assert "2 passage(s) in a language the taxonomy has no words in were not coded" in done.stderr
    assert done.stdout.strip() == "document,start,end,concept_id,score,quote"


def test_a_paper_held_only_as_its_abstract_is_never_said_not_to_code_a_concept(real):
    """A reader's review: the content analysis listed an abstract among the papers that "do not code"
    a concept, as if 2,000 characters of abstract spoke for a 50,000-character paper. The sources say
    which seeds are abstracts (`extent`); the comparison never names them as leaving a concept out, and
    the references say "abstract only" in the reader's language."""
    from workbench.analysis.coding import code_document, compare_profiles, concept_profile
    from workbench.model.documents import read_documents
    from workbench.present.citations import references_html

    ds, model = real
    abstracts = set(ds.sources.loc[ds.sources["extent"] == "abstract", "file"])
    texts = read_documents(ds.path, [])
    assert abstracts and abstracts < set(texts)
    profiles = {n: concept_profile(code_document(model, text, n), len(text)) for n, text in texts.items()}
    named = {d for cell in compare_profiles(profiles, partial=abstracts)["ignored_by"] for d in cell.split(",") if d}
    assert named and not named & abstracts
    # without the rule the same comparison names an abstract: the case the review found
    assert {d for cell in compare_profiles(profiles)["ignored_by"] for d in cell.split(",") if d} & abstracts
    seed = ds.sources.loc[ds.sources["file"].isin(abstracts), "id"].iloc[0]
    for lang, words in (("en", "Abstract only;"), ("ru", "Только аннотация;")):
        assert words in references_html(ds.sources, [seed], lang).markup


def test_a_text_without_full_stops_is_coded_in_parts_of_bounded_length():
    """A review coded a 4 MB text with no full stop as one passage (12 s, about a gigabyte): parts of at
    most MAX_PASSAGE_CHARS, cut between words, in order, every word in one of them."""
    from workbench.analysis.passages import MAX_PASSAGE_CHARS

    text = "the civil servant shall act with integrity and serve the public " * 400
    parts = split_passages(text)
    assert len(parts) > 1 and max(p.end - p.start for p in parts) <= MAX_PASSAGE_CHARS
    assert all(a.end <= b.start for a, b in zip(parts, parts[1:]))
    assert " ".join(text[p.start:p.end] for p in parts).split() == text.split()
    # a second reading: a short last part fell under the fewest words a passage needs and was lost, a label word
    # opening a later part was taken for "Summary:", and words joined by line breaks were cut in the middle
    for text in ("the civil servant shall act with integrity and serve the public " * 31 + "abcdefg public servants.",
                 ("xxxxxxxxx " * 199) + "abcd summary of the reform plan, which the ministry adopted and published",
                 "\r\n".join(["integrity"] * 600),
                 # lengths just under a multiple of the limit left a last part of a few letters (a third reading)
                 *[("the civil servant shall act with integrity and serve the public " * 130)[:n - 1] + "." for n in (3999, 4000, 5990, 7989)],
                 # a short opening before a very long word was cut off alone and taken for a heading
                 "Public servants act with integrity " + "x" * 2400 + " and serve."):
        parts = split_passages(text)
        assert len(parts) > 1 and max(p.end - p.start for p in parts) <= MAX_PASSAGE_CHARS
        # every letter coded once, in order (a word with no space in 2,000 letters is cut where it must be)
        assert "".join("".join(text[p.start:p.end].split()) for p in parts) == "".join(text.split()), text[-40:]
