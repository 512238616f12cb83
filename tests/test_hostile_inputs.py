"""Hostile and mistaken inputs found by an outside-style review: each gets one line naming the file
and place (or the flag), exit 2, and leaves every output as it was; text from data never runs."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO, run_workbench
from workbench import present
from workbench.analysis import compare as C
from workbench.analysis import known
from workbench.model.dataset import load
from workbench.model.errors import InputError
from workbench.run.matrix import ReportSpec
from workbench.run.preflight import parameter_problems


@pytest.fixture
def data(tmp_path: Path) -> Path:
    """A copy of the bundled data folder, to break one thing in."""
    return Path(shutil.copytree(REPO / "data", tmp_path / "data"))


def test_a_crosswalk_with_only_its_header_is_named_not_a_traceback(tmp_path):
    empty = tmp_path / "x0.tsv"
    empty.write_text("subject_id\tpredicate_id\tobject_id\tmapping_justification\tconfidence\tauthor_id\tcomment\n", encoding="utf-8")
    done = run_workbench("agreement", empty, REPO / "data" / "crosswalk.tsv")
    assert (done.returncode, done.stderr.splitlines()) == (2, [f"{empty}:1: no mappings (only a header)"])


def test_network_output_is_all_new_or_all_old(tmp_path):
    """A target that cannot be written (here a folder) is found before any of the five files is replaced."""
    out = tmp_path / "net"
    assert run_workbench("network", "--out", out, "--countries", "GBR").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "matrix_cells.csv").unlink()
    (out / "matrix_cells.csv").mkdir()
    done = run_workbench("network", "--out", out, "--countries", "GBR,CAN")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"{out / 'matrix_cells.csv'}: cannot write: is a folder, expected a file name"]
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == {k: v for k, v in before.items() if k != "matrix_cells.csv"}
    assert sorted(p.name for p in out.iterdir()) == sorted(before)  # no temporary file left


def test_the_network_command_leaves_out_a_country_without_data_and_keeps_unknown_cells_empty(tmp_path):
    """As the reports do: no framework at the level is left out and named, not a row of zeros; a cell
    only partial sources stand behind (France) is unknown: empty, not 0."""
    done = run_workbench("network", "--out", tmp_path / "a", "--countries", "GBR,KAZ,CAN", "--level", "senior")
    assert done.returncode == 0 and done.stdout.strip().endswith("left out, with no framework at the level 'senior': GBR")
    rows = {r["country"]: r for r in csv.DictReader(io.StringIO((tmp_path / "a" / "matrix.csv").read_text(encoding="utf-8-sig")))}
    assert sorted(rows) == ["CAN", "KAZ"]
    assert run_workbench("network", "--out", tmp_path / "b", "--countries", "FRA,GBR").returncode == 0
    rows = {r["country"]: r for r in csv.DictReader(io.StringIO((tmp_path / "b" / "matrix.csv").read_text(encoding="utf-8-sig")))}
    assert rows["FRA"]["leadership"] == "1" and rows["FRA"]["digital_competence"] == "" and rows["GBR"]["financial_management"] == "0"
    # the UK's values code is partial in its domain (its standards of behaviour not recorded): a value it
    # does not carry is unknown, while a competency its complete frameworks do not carry is absent
    assert rows["GBR"]["legal_literacy"] == "" and int(rows["GBR"]["integrity_ethics"]) >= 1


def test_command_line_csv_never_starts_a_cell_with_a_formula(tmp_path):
    """The reports' spreadsheet gate applies to the command line's CSV as well."""
    text = tmp_path / "f.txt"
    text.write_text('=HYPERLINK("http://evil","click") Leading people with integrity and vision.\n', encoding="utf-8")
    done = run_workbench("code", text)
    assert done.returncode == 0
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert rows and all(r["quote"].startswith("'=HYPERLINK") for r in rows)


def test_command_line_csv_written_to_a_file_opens_in_excel_and_printed_csv_pipes_cleanly(tmp_path):
    """A CSV file of the command line starts with a byte-order mark (Excel otherwise shows Russian and
    Kazakh as mojibake); printed, the same CSV has none, and the file reads back as the printed text."""
    text = tmp_path / "f.txt"
    text.write_text("Государственный служащий проявляет лидерство и честность.\n", encoding="utf-8")
    out = tmp_path / "codes.csv"
    printed = run_workbench("code", text)
    written = run_workbench("code", text, "--out", out)
    assert (printed.returncode, written.returncode) == (0, 0)
    assert not printed.stdout.startswith("\ufeff")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    assert out.read_text(encoding="utf-8-sig") == printed.stdout
    assert "Государственный" in printed.stdout
    again = run_workbench("agreement", out, out)  # the project's own readers take the mark in their stride
    assert again.returncode == 0, again.stderr


def test_a_number_with_an_underscore_is_refused(data):
    """Python (and pydantic) read "8_9.3" as 89.3: a typo in a CSV cell would pass as a number."""
    lines = (data / "indicators.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[5] = "8_9.37"
    lines[1] = ",".join(fields)
    (data / "indicators.csv").write_text("".join(lines), encoding="utf-8")
    done = run_workbench("validate", "--data", data)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"{data / 'indicators.csv'}:2: value: '8_9.37' is not a number as written (no '_' inside a number or a date)"]


def test_a_number_with_an_underscore_in_yaml_is_refused(data):
    """YAML 1.1 reads an unquoted "1_0.0" as 10.0."""
    weights = data / "weights.yaml"
    lines = weights.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, l in enumerate(lines) if l.startswith("  peer_share: "))
    lines[at] = "  peer_share: 1_0.0\n"
    weights.write_text("".join(lines), encoding="utf-8")
    done = run_workbench("validate", "--data", data)
    assert (done.returncode, done.stderr.splitlines()) == (
        2, [f"{weights}:{at + 1}: '1_0.0' is read as a number: write it without '_' (or in quotes if it is text)"])


def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    from workbench.model.outputs import atomic_write

    with pytest.raises(TypeError):
        atomic_write(tmp_path / "x.csv", 123)  # not text nor bytes: fails while the temporary file is open
    assert list(tmp_path.iterdir()) == []


def test_a_look_alike_letter_in_a_concept_id_is_named(data):
    crosswalk = data / "crosswalk.tsv"
    text = crosswalk.read_text(encoding="utf-8")
    line = text[:text.index("\twb:leadership\t")].count("\n") + 1
    crosswalk.write_text(text.replace("\twb:leadership\t", "\twb:leadersh\u0456p\t", 1), encoding="utf-8")
    done = run_workbench("validate", "--data", data)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"{crosswalk}:{line}: unknown concept 'leadersh\u0456p' (its 9th character is U+0456 CYRILLIC SMALL LETTER "
        "BYELORUSSIAN-UKRAINIAN I, not ASCII; did you mean 'leadership'?)"]


def test_yaml_reading_a_label_as_a_truth_value_says_to_quote_it(data):
    path = data / "frameworks" / "uk_competency_framework_2012.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, l in enumerate(lines) if l.startswith("    label: "))
    lines[at] = "    label: yes\n"
    path.write_text("".join(lines), encoding="utf-8")
    done = run_workbench("validate", "--data", data)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"{path}:{at + 1}: items.label: must be text, but YAML read the unquoted value as "
                                        "the truth value true: put it in quotes"]


def test_report_parameters_are_checked_against_the_data_before_anything_runs():
    ds = load()
    specs = [ReportSpec("a", "taxonomy.ipynb", "d", {"lang": "fr"}, line=3),
             ReportSpec("b", "recommendations.ipynb", "d", {"peers": ["XXX"], "top": 0, "baseline": "nothing", "lang": "kk"}, line=9),
             # DEU has practices but no framework: the notebook leaves it out and says so, so it is no mistake
             ReportSpec("c", "compare.ipynb", "d", {"countries": ["GBR", "CAN", "USA", "DEU"], "level": "senior", "granularity": "broad"}, line=14),
             ReportSpec("d", "network.ipynb", "d", {"countries": ["GBR", 1]}, line=20)]
    problems = [(p.line, p.message) for p in parameter_problems(ds, specs, "reports.yaml")]
    assert problems[0] == (3, "report 'a': parameter 'lang': unknown language 'fr' (use one of en, ru, kk)")
    assert [m.split(":")[0] for line, m in problems[1:4]] == ["report 'b'"] * 3
    assert {m.split("'")[3] for _, m in problems[1:4]} == {"peers", "top", "baseline"}
    assert all(line != 14 for line, _ in problems)  # a good report has none
    assert problems[-1] == (20, "report 'd': parameter 'countries': expected country codes (text), got 1")


def test_every_number_share_scope_and_weight_of_a_report_is_checked_before_anything_runs():
    """A hostile review: min_weight 7 failed its report in a cell (exit 1, a traceback kept), and
    n_clusters 0 or low_confidence 5 ran and made a report of them; each is refused first, by the
    analyses' own checks, at its report's line."""
    ds = load()
    specs = [ReportSpec("a", "network.ipynb", "d", {"countries": ["GBR", "KAZ"], "min_weight": 7}, line=2),
             ReportSpec("b", "compare.ipynb", "d", {"countries": ["GBR", "KAZ"], "n_clusters": 0}, line=4),
             ReportSpec("c", "documents.ipynb", "d", {"threshold": -0.1}, line=6),
             ReportSpec("d", "taxonomy.ipynb", "d", {"low_confidence": 5}, line=8),
             ReportSpec("e", "recommendations.ipynb", "d", {"draws": -1, "scope": "both"}, line=10),
             ReportSpec("f", "recommendations.ipynb", "d", {"weights": {"measured_need": -3}}, line=12),
             ReportSpec("g", "recommendations.ipynb", "d", {"draws": 0, "scope": "", "weights": {"measured_need": 2.0}}, line=14)]
    assert [(p.line, p.message) for p in parameter_problems(ds, specs, "reports.yaml")] == [
        (2, "report 'a': parameter 'min_weight': must be between 0 and 1 (got 7)"),
        (4, "report 'b': parameter 'n_clusters': must be at least 1 (got 0)"),
        (6, "report 'c': parameter 'threshold': must be between 0 and 1 (got -0.1)"),
        (8, "report 'd': parameter 'low_confidence': must be between 0 and 1 (got 5)"),
        (10, "report 'e': parameter 'draws': must be from 0 to 100,000 (got -1)"),
        (10, "report 'e': parameter 'scope': unknown scope 'both' (use separate, all, individual, system)"),
        (12, "report 'f': parameter 'weights': measured_need: Input should be greater than or equal to 0 (got -3)")]
    with pytest.raises(InputError, match="n_clusters: must be at least 1"):  # the notebook's own call refuses it too
        C.clusters(C.similarity(pd.DataFrame([[1, 0], [1, 1]], index=["GBR", "KAZ"])), n_clusters=0)


def test_a_comparison_left_with_fewer_than_two_countries_is_refused_before_anything_runs():
    ds = load()
    # AUS has no framework at the senior level: one country left, nothing to compare (it was a ZeroDivisionError in a cell)
    specs = [ReportSpec("e", "network.ipynb", "d", {"countries": ["AUS", "KAZ"], "level": "senior"}, line=5),
             ReportSpec("f", "compare.ipynb", "d", {"countries": [], "level": "senior"}, line=8),
             ReportSpec("g", "compare.ipynb", "d", {"countries": ["JPN"]}, line=11)]
    problems = [(p.line, p.message) for p in parameter_problems(ds, specs, "reports.yaml")]
    assert problems == [
        (5, "report 'e': parameter 'countries': a comparison needs two countries with a framework at the level 'senior'; "
            "of AUS, KAZ, only KAZ has one"),
        (11, "report 'g': parameter 'countries': a comparison needs two countries with a framework; of JPN, only JPN has one")]
    kept, left_out = C.comparison_countries(ds, [])  # empty: every country with an official framework
    assert kept == C.select_countries(ds) and not left_out


def test_the_report_check_reads_countries_and_dates_as_the_notebooks_do():
    ds = load()
    specs = [ReportSpec("a", "compare.ipynb", "d", {"countries": ["gbr", "can"]}, line=2),  # the notebooks upper-case codes
             # New Zealand's leaders' profile came into force in 2015: in 2010 only Australia had one at that level
             ReportSpec("b", "compare.ipynb", "d", {"countries": ["NZL", "AUS"], "level": "leaders", "as_of": "2010-01-01"}, line=4),
             ReportSpec("c", "compare.ipynb", "d", {"countries": ["NZL", "AUS"], "level": "leaders"}, line=6)]
    assert [(p.line, p.message) for p in parameter_problems(ds, specs, "reports.yaml")] == [
        (4, "report 'b': parameter 'countries': a comparison needs two countries with a framework at the level 'leaders'; "
            "of NZL, AUS, only AUS has one")]
    assert C.comparison_countries(ds, ["gbr", "can"]) == (["GBR", "CAN"], [])


def test_the_network_command_blanks_what_the_selected_frameworks_could_not_show(tmp_path):
    """With --frameworks, what a country's silence means is read from the frameworks selected:
    Lithuania's 2022 list alone is partial, so its silent cells are unknown, although its other list is complete."""
    done = run_workbench("network", "--out", tmp_path, "--frameworks", "ltu_manager_competencies_2022,uk_success_profiles_behaviours")
    assert done.returncode == 0, done.stderr
    rows = {r["country"]: r for r in csv.DictReader(io.StringIO((tmp_path / "matrix.csv").read_text(encoding="utf-8-sig")))}
    assert "0" not in rows["LTU"].values() and "0" in rows["GBR"].values()


def test_a_file_where_a_data_folder_should_be_is_one_line(tmp_path):
    for folder in ("frameworks", "practices"):
        data = tmp_path / folder / "data"
        shutil.copytree(REPO / "data", data)
        shutil.rmtree(data / folder)
        (data / folder).write_text("", encoding="utf-8")
        done = run_workbench("validate", "--data", data)
        assert (done.returncode, done.stderr.splitlines()) == (2, [f"{data / folder}: is a file, expected a folder of *.yaml files"])


def test_a_file_where_the_reports_folder_should_be_is_one_line(tmp_path):
    for name in ("notebooks", "data"):
        shutil.copytree(REPO / name, tmp_path / name)
    shutil.copy(REPO / "reports.yaml", tmp_path / "reports.yaml")
    (tmp_path / "reports").write_text("", encoding="utf-8")
    done = run_workbench("reports", "--only", "taxonomy", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1:] == ["reports: is a file, expected the folder the reports are written to (move the file aside)"]
    assert len([l for l in done.stderr.splitlines() if l.strip()]) == 1


def test_an_output_over_an_input_or_into_the_data_folder_is_refused_and_nothing_is_lost(tmp_path):
    """A hostile-input review: ``code doc.txt --out doc.txt`` replaced the document with its coding, and
    ``options --out data/crosswalk.tsv`` the curated crosswalk with a table of options."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    doc = tmp_path / "doc.txt"
    doc.write_text("Leaders listen to citizens.\n", encoding="utf-8")
    crosswalk = (data / "crosswalk.tsv").read_bytes()
    done = run_workbench("code", doc, "--out", doc, "--data", data)
    assert done.returncode == 2 and done.stderr.strip() == f"{doc}: cannot write: it is an input of this command (give another file)"
    assert doc.read_text(encoding="utf-8") == "Leaders listen to citizens.\n"
    done = run_workbench("options", "--data", data, "--format", "csv", "--out", data / "crosswalk.tsv")
    assert done.returncode == 2 and "lies in the data folder" in done.stderr and len(done.stderr.splitlines()) == 1
    assert (data / "crosswalk.tsv").read_bytes() == crosswalk
    assert run_workbench("options", "--data", data, "--format", "csv", "--out", tmp_path / "options.csv").returncode == 0


def _break(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("case", ["dates_reversed", "yml_file", "need_not_percent", "question_marks", "read_tomorrow"])
def test_data_a_hostile_review_slipped_past_validation_is_refused_in_one_line(data, case):
    """Each passed ``workbench validate`` before and then misled an analysis: a version ending before
    it began (a country silently out of force), a framework file named .yml (silently unread), a
    count as a need (scores above 1), a translation lost to '?', a page read in the future."""
    from datetime import date, timedelta

    if case == "dates_reversed":
        _break(data / "frameworks" / "usa_ecq_2025.yaml", "in_force_from: 2025-10-01", "in_force_from: 2025-10-01\nin_force_to: 2020-01-01")
        expected = "in_force_to 2020-01-01 is before in_force_from 2025-10-01"
    elif case == "yml_file":
        shutil.copy(data / "frameworks" / "aus_integrated_leadership_system.yaml", data / "frameworks" / "extra.yml")
        expected = "extra.yml: not read: a data file's name ends in '.yaml'"
    elif case == "need_not_percent":
        _break(data / "indicators.csv", "share of respondents reporting the gap,,57.2,percent", "share of respondents reporting the gap,,572,count")
        expected = "need indicator 'kz-gap-1' is 572.0 count: a need is a percent (0-100) of respondents"
    elif case == "question_marks":
        _break(data / "translations.yaml", "ru: Анкета «Оценка ожиданий» (с 2015 года)", "ru: '?????? ??????? ???????? (? 2015 ????)'")
        expected = "holds no Cyrillic letter"
    else:
        tomorrow = date.today() + timedelta(days=1)
        _break(data / "sources.yaml", "accessed: ", f"accessed: {tomorrow}\n    # was: ")
        expected = f"accessed {tomorrow} is after today"
    done = run_workbench("validate", "--data", data)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert any(expected in line for line in done.stderr.splitlines()), done.stderr


def test_command_line_spellings_a_review_found_misread(tmp_path):
    """``--as-of 20200101`` was read as a date the help does not promise, ``--out -`` made a file named
    '-', and a long but valid output name was refused for our temporary name's length."""
    done = run_workbench("recommend", "--as-of", "20200101")
    assert done.returncode == 2 and done.stderr.strip() == "--as-of: '20200101' is no date (give YYYY-MM-DD)"
    done = run_workbench("versions", "--out", "-", cwd=tmp_path)
    assert done.returncode == 0 and "lineage" in done.stdout and not (tmp_path / "-").exists()
    long_name = tmp_path / ("a" * 240 + ".csv")
    assert run_workbench("versions", "--out", long_name).returncode == 0 and long_name.stat().st_size > 0


@pytest.mark.parametrize("old, new, expected", [
    ("en: [seeing the big picture,", "en: [leadership character, seeing the big picture,",
     "'leadership character' is under 'strategic_vision' and under 'leadership'"),
    ("ru: [лидерство,", "ru: ['', лидерство,", "concept 'leadership': empty ru alias"),
    ("      ru: Лидерство\n", "      ru: Leadership\n", "concept 'leadership': ru 'Leadership' has no Cyrillic letter"),
])
def test_the_taxonomys_words_keep_its_own_rules(data, old, new, expected):
    """The taxonomy's header asks for each phrase under one concept only (the suggester would learn it
    for two), and its Russian and Kazakh words are Cyrillic: a hostile-input review broke both unnoticed."""
    _break(data / "taxonomy.yaml", old, new)
    done = run_workbench("validate", "--data", data)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert any(expected in line and line.startswith(f"{data / 'taxonomy.yaml'}:") for line in done.stderr.splitlines()), done.stderr


def test_agreement_reads_the_two_coders_passes_the_data_holds():
    """A hostile-input review: ``workbench agreement`` refused data/coding/'s own passes (their rows are
    item, predicate, concept, confidence), though the README offers it for two coders' files."""
    done = run_workbench("agreement", REPO / "data" / "coding" / "first_pass.tsv", REPO / "data" / "coding" / "second_pass.tsv")
    assert done.returncode == 0, done.stderr
    # as the taxonomy report counts them: every (item, concept) pair one decision (a CLI review found the
    # first version comparing each item's highest-confidence concept only, kappa 0.901 against 0.828)
    last = done.stdout.strip().splitlines()[-1].split()
    assert last[:5] == ["all", "289", "531", "634", "490"] and abs(float(last[5]) - 0.836) < 0.001


def test_a_crosswalk_date_that_is_no_date_is_refused_at_its_line(data):
    """A hostile-input review: a mapping's review_date read 'not a date' and passed."""
    path = data / "crosswalk.tsv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.startswith("item:UK-B1\t") and line.rstrip("\n").endswith("\t2026-12-05"))
    lines[at] = lines[at].rstrip("\n").removesuffix("2026-12-05") + "2026-02-30\n"
    path.write_text("".join(lines), encoding="utf-8")
    done = run_workbench("validate", "--data", data)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"{path}:{at + 1}: review_date: '2026-02-30' is no date of the calendar (write YYYY-MM-DD)"]


def test_a_value_of_neither_accepted_form_is_one_line_in_the_files_words(data):
    """A hostile-input review: ``applies_to: everything`` gave two lines naming pydantic's union branches
    (``factors.applies_to.list[function-after[validate(), constrained-str]]``)."""
    _break(data / "transferability.yaml", "    applies_to: all", "    applies_to: everything")
    done = run_workbench("recommend", "--data", data)
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.endswith("factors.applies_to: Input should be 'all' or a valid list (got 'everything')") and "[" not in line.split(": ", 1)[1]


def test_an_empty_output_name_is_refused_not_read_as_the_current_folder(tmp_path):
    """A hostile-input review: ``network --out ""`` wrote its five files into the current folder."""
    done = run_workbench("network", "--out", "", cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.strip().endswith("argument --out: an empty name: give a file or folder")
    assert list(tmp_path.iterdir()) == []


def test_what_a_researcher_reading_the_command_outputs_found(tmp_path):
    """A review of every command's output on the bundled data: a crash of the markdown report with
    --scope, one list labelled 'all' whatever its scope, filters --quotes ignored, None and False in the
    aligned tables, a threshold outside the scores' range taken silently."""
    for scope in ("all", "individual", "system"):
        done = run_workbench("recommend", "--scope", scope, "--format", "markdown", "--draws", "10")
        assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    rows = run_workbench("recommend", "--scope", "individual", "--format", "csv", "--draws", "10").stdout.splitlines()
    assert all(line.split(",")[1] == "individual" for line in rows[1:])
    done = run_workbench("options", "--quotes", "--concept", "leadership")
    assert done.returncode == 2 and done.stderr.strip().startswith("--quotes: lists every quote of the register")
    table = run_workbench("versions", "--as-of", "2010-01-01").stdout
    assert "None" not in table and "NaN" not in table and table.strip()
    framework = tmp_path / "fw.yaml"
    framework.write_text("id: tst\ncountry: DEU\ntitle: T\nyear: 2020\nlevel: all\nsource: s\nitems:\n  - {code: T1, label: Leading people}\n",
                         encoding="utf-8")
    done = run_workbench("suggest", framework, "--threshold", "5")
    assert done.returncode == 2 and done.stderr.strip() == "--threshold: must be between 0 and 1 (got 5)"
    table = run_workbench("suggest", framework, "--format", "table", "--model", "words").stdout
    assert "True" not in table and "False" not in table and ("yes" in table or "no" in table)


def test_a_country_code_in_lower_case_is_named_and_corrected_where_it_is_written(data):
    """An outside review: 'est' ran in reports.yaml but printed as 'est', not Estonia, and in a
    framework file it was refused as an unknown code, with no word of what was wrong."""
    from workbench.model.i18n import country_name
    from workbench.present.export import reader_parameters

    path = data / "frameworks" / "nzl_psa2020_values.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("country: NZL", "country: nzl", 1), encoding="utf-8")
    done = run_workbench("validate", "--data", data)
    assert (done.returncode, done.stderr.splitlines()) == (2, [f"{path}:2: country: unknown country code 'nzl' (write it in capitals: 'NZL')"])
    assert country_name("nzl", "ru") == country_name("NZL", "ru") == "Новая Зеландия"
    assert "Новая Зеландия" in str(reader_parameters({"countries": ["nzl", "KAZ"]}, "ru"))
    # a code written twice is one country; none at all is every country, said so
    assert reader_parameters({"countries": ["nzl", "NZL", "kaz"]}, "ru") == {"Страны": "Новая Зеландия, Казахстан"}
    assert reader_parameters({"countries": []}, "en") == {"Countries": "every country with a framework from an official source"}


def test_an_out_of_looping_links_a_dash_for_network_and_a_failing_agreement_each_say_one_line(tmp_path):
    """An outside review: a loop of links as --out ended in a traceback (exit 1); network made a folder
    named '-'; agreement printed its heading before failing on the second file; an empty table printed
    pandas' 'Empty DataFrame'."""
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    doc = tmp_path / "d.txt"
    doc.write_text("Leaders act with integrity and serve citizens with openness.\n", encoding="utf-8")
    done = run_workbench("code", doc, "--out", tmp_path / "loop1")
    assert (done.returncode, done.stderr.splitlines()) == (2, [f"{tmp_path / 'loop1'}: cannot write: symbolic link loop"])
    done = run_workbench("network", "--out", "-", cwd=tmp_path)
    assert done.returncode == 2 and "give a folder" in done.stderr and not (tmp_path / "-").exists()
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    assert run_workbench("code", doc, "--out", good).returncode == 0
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    done = run_workbench("agreement", good, bad)
    assert done.returncode == 2 and done.stdout == "" and len(done.stderr.splitlines()) == 1
    saved = tmp_path / "good.txt"  # codings saved under another name are still codings
    saved.write_bytes(good.read_bytes())
    done = run_workbench("agreement", saved, good)
    assert done.returncode == 0 and "Cohen's kappa: 1.000" in done.stdout, done.stderr
    digits = tmp_path / "digits.txt"
    digits.write_text("2015 2016 2017 2018 2019 2020 2021 2022 2023 2024.\n", encoding="utf-8")
    done = run_workbench("code", digits, "--format", "table")
    assert done.returncode == 0 and "Empty DataFrame" not in done.stdout and done.stdout.startswith("document")


def test_versions_writes_csv_to_a_file_named_csv(tmp_path):
    """A hostile review: `versions --out v.csv` wrote an aligned text table into a .csv file."""
    out = tmp_path / "v.csv"
    done = run_workbench("versions", "--out", out)
    assert done.returncode == 0, done.stderr
    header = out.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("lineage,country,")
    assert run_workbench("versions").stdout.split()[:2] == ["lineage", "country"]  # printed: the aligned table


def test_a_country_whose_frameworks_map_to_no_concept_is_drawn_empty_and_said_so(data):
    """A hostile review: with every item of Lithuania's senior list mapped only as related, the senior
    network drew Lithuania with degree, betweenness and strength 0.000 and not a word why."""
    path = data / "crosswalk.tsv"
    rows = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(r.replace("\tskos:exactMatch\t", "\tskos:relatedMatch\t").replace("\tskos:closeMatch\t", "\tskos:relatedMatch\t")
                            .replace("\tskos:broadMatch\t", "\tskos:relatedMatch\t").replace("\tskos:narrowMatch\t", "\tskos:relatedMatch\t")
                            if r.startswith("item:S1-LTU-SL") else r for r in rows), encoding="utf-8")
    ds = load(data)
    ev = C.evidence(ds, ["CAN", "KAZ", "LTU"], level="senior")
    assert known.carrying_nothing(ev, ["CAN", "KAZ", "LTU"]) == ["LTU"]
    assert known.carrying_nothing(C.evidence(load(), ["CAN", "KAZ", "LTU"], level="senior"), ["CAN", "KAZ", "LTU"]) == []
    for lang, name in (("en", "Lithuania"), ("ru", "Литва"), ("kk", "Литва")):
        note = present.left_out_html([], "senior", lang, carrying_nothing=["LTU"]).markup
        assert name in note and "LTU" not in note, note
    assert present.left_out_html([], "senior", "en").markup == ""
    done = run_workbench("network", "--data", data, "--countries", "CAN,KAZ,LTU", "--level", "senior", "--out", data.parent / "net")
    assert done.returncode == 0 and done.stdout.rstrip().endswith("; drawn empty, as no item of theirs maps to a concept: LTU"), done


def test_a_country_or_framework_out_of_force_on_the_day_is_named_as_such(tmp_path):
    """A hostile review: network --frameworks usa_ecq_1997 said "unknown framework" of a version out of force
    today, --as-of 1900-01-01 --countries AUS said AUS "has no framework in the data", and every country on
    that day dropped Australia and the United States without a word."""
    with pytest.raises(InputError, match=r"framework 'usa_ecq_1997' is not in force on \d{4}-\d\d-\d\d \(Executive Core Qualifications, 1997"):
        C.select_countries(load(), frameworks=["usa_ecq_1997"])
    with pytest.raises(InputError, match="AUS has no framework in force on 1900-01-01"):
        C.select_countries(load(as_of="1900-01-01"), countries=["AUS"])
    kept, left_out = C.comparison_countries(load(as_of="1990-01-01"), [])
    assert {"AUS", "USA"} <= set(left_out) and not {"AUS", "USA"} & set(kept)
    done = run_workbench("network", "--out", tmp_path / "net", "--as-of", "1990-01-01")
    assert done.returncode == 0 and done.stdout.rstrip().endswith("; no framework in force on 1990-01-01: AUS, USA"), done


@pytest.mark.parametrize("argv, message", [
    (["versions", "--out", "x.xlsx"], "x.xlsx: cannot write: the output is an aligned text table, but a '.xlsx' name says otherwise (name it x.txt)"),
    (["recommend", "--out", "r.md"], "r.md: cannot write: the output is CSV, but a '.md' name says otherwise (name it r.csv, or --format markdown)"),
    (["options", "--format", "markdown", "--out", "o.json"],
     "o.json: cannot write: the output is markdown, but a '.json' name says otherwise (name it o.md, or --format json)"),
    (["recommend", "--out", "compare-all-countries.html"],
     "compare-all-countries.html: cannot write: the output is CSV, but a '.html' name says otherwise (name it compare-all-countries.csv)"),
])
def test_an_output_named_as_another_kind_of_file_is_refused(argv, message, tmp_path, monkeypatch, capsys):
    """A hostile review: versions --out x.xlsx wrote a text table into a file Excel would refuse, recommend
    --out r.md wrote CSV, and recommend --out over a report's .html replaced it with CSV."""
    from workbench.run.cli import main

    monkeypatch.chdir(tmp_path)
    assert main([*argv, "--data", str(REPO / "data")]) == 2
    assert capsys.readouterr().err.splitlines() == [message]
    assert not any(tmp_path.iterdir())


def test_what_a_second_reading_found_in_the_comparisons_and_the_markdown(tmp_path):
    """A second reading of this round's change: a generator of countries gave an empty comparison; recommend's
    markdown for one list named concepts of the other list by id; the 'drawn empty' note named a partial
    country whose row is unknown, and a country none of whose frameworks was named; a filter matching no
    option said no option was written yet."""
    ds = load()
    assert C.select_countries(ds, iter(["GBR", "CAN"])) == ["CAN", "GBR"]
    assert C.select_countries(ds, pd.Index(["GBR", "CAN"])) == ["CAN", "GBR"]
    from workbench.analysis.recommend import analyse, recommendations
    from workbench.present.markdown import options_markdown, render_markdown

    gaps = analyse(ds, ["GBR", "CAN", "NZL"], scope="individual")
    md = render_markdown(gaps, recommendations(gaps, top=5, draws=0))
    serves = [line for line in md.splitlines() if line.startswith("Serves: ")]
    ids = set(ds.concepts["concept_id"])
    assert serves and not [c for line in serves for c in line[len("Serves: "):].split(", ") if c in ids]
    unknown = pd.DataFrame({"x": [False]}, index=["FRA"])
    assert known.carrying_nothing(pd.DataFrame({"country": ["GBR"]}), ["GBR", "FRA"], unknown) == []
    done = run_workbench("network", "--countries", "USA,GBR", "--frameworks", "usa_ecq_1997", "--as-of", "2000-01-01", "--out", tmp_path / "n")
    assert done.returncode == 0 and done.stdout.rstrip().endswith("; left out, with none of the frameworks named: GBR"), done
    assert options_markdown(ds.options.iloc[:0], ds.sources, "ru") == "Ни один вариант не подходит.\n"
