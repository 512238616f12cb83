"""The bad-input corpus: each file in tests/fixtures/bad/ shows one mistake; the real command must say
where it is in one line (``path:line: message``), exit with status 2, and show no traceback.

Data files are copied over their counterpart in a tiny valid data folder (conftest.write_tiny_data)
and checked with ``workbench validate``. A framework file is also what a researcher hands to
``workbench suggest FILE``, so several go to it directly as well (``suggest`` starts slower, as it
loads scikit-learn first, hence not all). The commands run as subprocesses, in parallel, once per
module; each test then checks one of them.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from conftest import FIXTURES, REPO, run_workbench, workbench_executable, write_tiny_data
from workbench.run.cli import main
from workbench.run.commands import COMMANDS
from workbench.model.dataset import load

BAD = FIXTURES / "bad"
#: Where each kind of data file goes in the tiny data folder (the file name's first word is its kind).
DESTINATION = {
    "framework": "frameworks/gbr_fw.yaml",
    "crosswalk": "crosswalk.tsv",
    "indicators": "indicators.csv",
    "practices": "practices/test.yaml",
    "sources": "sources.yaml",
    "taxonomy": "taxonomy.yaml",
    "documents": "documents/extra.txt",
    "dataweights": "weights.yaml",
}
#: Outputs no failing command may touch.
OUTPUT_DIRS = ("reports", "figures")
GENERATED_50MB = "framework_50mb.yaml"  # written at test time, never committed


@dataclass(frozen=True)
class Case:
    file: str  # in tests/fixtures/bad/, or GENERATED_50MB, or a generated filesystem case (FILESYSTEM)
    command: str  # validate | suggest | recommend | a flag or output case (see _prepare)
    line: int
    message: str
    klass: int = 0  # the failure class of issue 15 it belongs to (0: the earlier corpus)

    @property
    def id(self) -> str:
        return f"{self.command}-{self.file}"


_FRAMEWORK = [  # mistakes inside one framework file, found by validate and by `suggest FILE` alike
    ("framework_yaml_unquoted_colon.yaml", 4, "YAML syntax error: mapping values are not allowed in this context"),
    ("framework_tab_indented.yaml", 14, "YAML syntax error: tab character used for indentation (indent with spaces)"),
    ("framework_duplicate_key.yaml", 6, "duplicate key 'year' (first at line 5)"),
    ("framework_missing_title.yaml", 2, "missing required field 'title'"),
    ("framework_year_not_a_number.yaml", 5,
     "year: Input should be a valid integer, unable to parse string as an integer (got 'twenty twenty')"),
    ("framework_unknown_field.yaml", 10, "unknown field 'author'"),
    ("framework_year_20015.yaml", 5, "year: Input should be less than or equal to 2100 (got 20015)"),
    ("framework_country_uk.yaml", 3, "country: unknown country code 'UK' (use ISO 3166-1 alpha-3, or OECD / EU)"),
    ("framework_empty_label.yaml", 12, "items.label: must not be empty"),
    ("framework_duplicate_item_code.yaml", 13, "duplicate item code 'gbr_fw-1' (first at line 11)"),
    ("framework_level_middle.yaml", 6, "level: Input should be 'all', 'senior' or 'leaders' (got 'middle')"),
    ("framework_no_items.yaml", 10, "items: List should have at least 1 item after validation, not 0"),
    ("framework_latin1.yaml", 4, "not UTF-8 text (byte 0xe8); save the file as UTF-8"),
    ("framework_utf16.yaml", 1, "UTF-16 text; save the file as UTF-8"),
    ("framework_empty.yaml", 1, "file is empty"),
    (GENERATED_50MB, 1, "file is 50.0 MB, larger than the 5 MB limit for input files"),
    # issue 15, class 1: aliases refused before anything walks them; class 8: identity
    ("framework_yaml_alias_bomb.yaml", 16, "YAML anchor '&l0' not allowed in data files (write the value out)"),
    ("framework_item_codes_differ_in_case.yaml", 13,
     "duplicate item code 'GBR_FW-1' (first at line 11) ('gbr_fw-1' differs only in case)"),
    ("framework_label_invisible.yaml", 12,
     "items.label: must not be empty (holds only invisible characters) (got '\\u200b\\u200d\\ufeff')"),
    # issue 23: what no output can carry is refused on reading, with no traceback
    ("framework_label_vertical_tab.yaml", 12, "items.label: holds U+000B (vertical tab) at character 5; one line of "
     "text allows no line breaks or control characters (got 'Lead\\x0bpeople')"),
    ("framework_yaml_nested_too_deep.yaml", 13, "YAML nested more than 50 levels deep (no data file needs more than a few)"),
]
_CLASS = {"framework_yaml_alias_bomb.yaml": 1, "framework_item_codes_differ_in_case.yaml": 8,
          "framework_label_invisible.yaml": 8, "framework_label_vertical_tab.yaml": 23,
          "framework_yaml_nested_too_deep.yaml": 23}
#: Framework files also handed to `workbench suggest FILE` directly: the same message, naming that file.
_ALSO_SUGGESTED = {"framework_yaml_unquoted_colon.yaml", "framework_tab_indented.yaml", "framework_year_20015.yaml",
                   "framework_latin1.yaml", "framework_utf16.yaml", "framework_empty.yaml", GENERATED_50MB,
                   "framework_yaml_alias_bomb.yaml", "framework_item_codes_differ_in_case.yaml",
                   "framework_label_invisible.yaml", "framework_label_vertical_tab.yaml",
                   "framework_yaml_nested_too_deep.yaml"}
_VALIDATE = [  # mistakes seen only against the whole data folder, and the other data files
    ("framework_id_differs_from_file_name.yaml", 2, "framework id 'gbr_fw_2018' differs from the file name 'gbr_fw'"),
    ("framework_unknown_source.yaml", 8, "unknown source 'src_tset' (not an id in sources.yaml)"),
    ("framework_item_without_mapping.yaml", 15, "item 'gbr_fw-3' has no mapping in crosswalk.tsv"),
    ("crosswalk_unknown_concept.tsv", 6, "unknown concept 'leadrship' (did you mean 'leadership'?)"),
    ("crosswalk_unknown_subject.tsv", 8, "unknown subject 'gbr_fw-9' (no item, practice or indicator has this id)"),
    ("crosswalk_ragged_row.tsv", 5, "row has 8 fields, the header has 7"),
    ("crosswalk_confidence_above_1.tsv", 6, "confidence: Input should be less than or equal to 1 (got '1.5')"),
    ("crosswalk_unknown_predicate.tsv", 6, "predicate_id: Input should be 'skos:exactMatch', 'skos:closeMatch', "
     "'skos:broadMatch', 'skos:narrowMatch' or 'skos:relatedMatch' (got 'skos:exact')"),
    ("crosswalk_missing_column.tsv", 1, "crosswalk header lacks column(s) comment"),
    ("crosswalk_duplicate_mapping.tsv", 8, "duplicate mapping ind-1 -> leadership (first at line 7)"),
    ("indicators_percent_140.csv", 3, "value 140 is a percent outside 0-100"),
    ("indicators_year_20015.csv", 3, "year: Input should be less than or equal to 2100 (got '20015')"),
    ("indicators_ragged_row.csv", 3, "row has 10 fields, the header has 9"),
    ("indicators_unclosed_quote.csv", 3, "table syntax error: unexpected end of data (a quoted field is never closed)"),
    ("indicators_duplicate_id.csv", 4, "duplicate indicator id 'ind-1' (first at line 3)"),
    ("indicators_value_not_a_number.csv", 3,
     "value: Input should be a valid number, unable to parse string as a number (got 'n/a')"),
    ("indicators_country_kz.csv", 3, "country: unknown country code 'KZ' (use ISO 3166-1 alpha-3, or OECD / EU)"),
    ("practices_recommended_not_boolean.yaml", 6,
     "recommended_for_kaz: Input should be a valid boolean, unable to interpret input (got 'maybe')"),
    ("practices_missing_locator.yaml", 2, "missing required field 'locator'"),
    ("sources_duplicate_id.yaml", 6, "duplicate source id 'src_test' (first at line 2)"),
    ("sources_seed_without_file.yaml", 6, "a seed source needs 'file' (the seed's file name)"),
    ("taxonomy_duplicate_concept.yaml", 24, "duplicate concept id 'leadership' (first at line 9)"),
]
#: Issue 15: each class of hostile or broken input, checked by `workbench validate` on the tiny folder.
_VALIDATE_15 = [
    (1, "sources_yaml_anchor.yaml", 5, "YAML anchor '&cite' not allowed in data files (write the value out)"),
    (2, "crosswalk_confidence_nan.tsv", 4, "confidence: Input should be a finite number (got 'nan')"),
    (2, "indicators_value_infinite.csv", 3, "value: Input should be a finite number (got 'inf')"),
    (2, "dataweights_infinite.yaml", 5, "weights.kaz_absence: Input should be a finite number (got inf)"),
    (2, "dataweights_related_credit_nan.yaml", 10, "related_credit: Input should be a finite number (got nan)"),
    (3, "sources_url_javascript.yaml", 4, "url: must be an http:// or https:// address (got 'javascript:alert(5)')"),
    (3, "sources_url_data.yaml", 4,
     "url: must be an http:// or https:// address (got 'data:text/html,<script>alert(1)</script>')"),
    (3, "sources_url_file.yaml", 4, "url: must be an http:// or https:// address (got 'file:///home/curator/paper.pdf')"),
    (3, "sources_url_no_host.yaml", 4, "url: must be an http:// or https:// address with a host name (got 'https:///civil-service')"),
    (4, "documents_latin1.txt", 2, "not UTF-8 text (byte 0xe9); save the file as UTF-8"),
    (4, "documents_utf16.txt", 1, "UTF-16 text; save the file as UTF-8"),
    (4, "documents_binary.txt", 2, "binary file (NUL byte found); expected UTF-8 text"),
    (8, "sources_id_differs_in_case.yaml", 6, "duplicate source id 'SRC_TEST' (first at line 2) ('src_test' differs only in case)"),
    (8, "practices_label_invisible.yaml", 5, "label: must not be empty (holds only invisible characters) (got '\\xa0\\u200b')"),
    # Issue 23: validation refuses what an output cannot carry (control characters, line separators
    # in one-line text, duplicated columns, nesting that would exhaust Python's recursion).
    (23, "practices_description_nul.yaml", 6, "description: holds U+0000 (NUL) at character 40; text allows no control "
     "characters but tab and line breaks (got 'Two lines:\\nthe second one ends in a NUL\\x00')"),
    (23, "practices_label_c1_control.yaml", 5, "label: holds U+009B (control character) at character 6; one line of text "
     "allows no line breaks or control characters (got 'pr-1 \\x9b2J')"),
    (23, "sources_citation_line_separator.yaml", 5, "citation: holds U+2028 (line separator) at character 13; one line of "
     "text allows no line breaks or control characters (got 'Test source.\\u2028Second line.')"),
    (23, "indicators_label_line_separator.csv", 3, "indicator: holds U+2028 (line separator) at character 23; one line "
     "of text allows no line breaks or control characters (got 'Civil servants trained\\u2028all levels')"),
    (23, "documents_vertical_tab.txt", 3,
     "holds U+000B (vertical tab) at character 11; text allows no control characters but tab and line breaks"),
    (23, "indicators_duplicate_column.csv", 2, "duplicate column 'value' in the header (columns 6 and 10)"),
    (23, "crosswalk_duplicate_column.tsv", 2, "duplicate column 'confidence' in the header (columns 5 and 8)"),
    (23, "crosswalk_header_nested_too_deep.tsv", 2,
     "SSSOM metadata header: YAML nested more than 50 levels deep (no data file needs more than a few)"),
]
#: `workbench recommend --weights FILE` (against the repository's data).
_WEIGHTS = [
    (0, "weights_negative.yaml", 4, "weights.oecd_alignment: Input should be greater than or equal to 0 (got -0.5)"),
    (2, "weights_infinite.yaml", 4, "weights.oecd_alignment: Input should be a finite number (got inf)"),
    (2, "weights_nan.yaml", 4, "weights.oecd_alignment: Input should be a finite number (got nan)"),
    (2, "weights_negative_infinite.yaml", 4, "weights.oecd_alignment: Input should be a finite number (got -inf)"),
    (1, "weights_alias_bomb.yaml", 9, "YAML anchor '&l0' not allowed in data files (write the value out)"),
]
#: Generated at test time (no committed file): flags, outputs and filesystem oddities. The
#: "line" is 0 and the message the whole line the user sees.
_GENERATED = [
    (2, "flag_suggest_threshold_nan", "workbench suggest: error: argument --threshold: must be a finite number (got nan)"),
    (2, "flag_code_threshold_inf", "workbench code: error: argument --threshold: must be a finite number (got inf)"),
    (2, "flag_network_min_weight_nan", "workbench network: error: argument --min-weight: must be a finite number (got nan)"),
    (2, "flag_network_min_weight_above_1", "--min-weight: must be between 0 and 1 (got 1.5)"),
    (5, "fs_framework_symlink_loop", "data/frameworks/gbr_fw.yaml: cannot read: symbolic link loop"),
    (5, "fs_framework_dangling_symlink", "data/frameworks/gbr_fw.yaml: cannot read: symbolic link to a missing file"),
    (5, "fs_document_fifo", "data/documents/pipe.txt: cannot read: not a regular file"),
    (5, "fs_framework_is_a_folder", "data/frameworks/extra.yaml: is a folder, expected a file"),
    (5, "fs_out_is_a_folder", "out: cannot write: is a folder, expected a file name"),
    (5, "fs_out_parent_is_a_file", "taken/codebook.qdc: cannot write: 'taken' is a file, not a folder"),
    (5, "fs_weights_symlink_loop", "loop.yaml: cannot read: symbolic link loop"),
]
FILESYSTEM = {name for _, name, _ in _GENERATED}
CASES = (
    [Case(f, "validate", line, msg, _CLASS.get(f, 0)) for f, line, msg in _FRAMEWORK]
    + [Case(f, "suggest", line, msg, _CLASS.get(f, 0)) for f, line, msg in _FRAMEWORK if f in _ALSO_SUGGESTED]
    + [Case(f, "validate", line, msg) for f, line, msg in _VALIDATE]
    + [Case(f, "validate", line, msg, klass) for klass, f, line, msg in _VALIDATE_15]
    + [Case(f, "recommend", line, msg, klass) for klass, f, line, msg in _WEIGHTS]
    + [Case(name, "generated", 0, line, klass) for klass, name, line in _GENERATED]
)
_RECOMMEND_MISSING = pytest.mark.skipif(
    "recommend" not in COMMANDS, reason="`workbench recommend --weights` is not a subcommand yet")


def _param(case: Case):
    return pytest.param(case, id=case.id, marks=[_RECOMMEND_MISSING] if case.command == "recommend" else [])


def _fingerprint() -> dict[str, str]:
    """SHA-256 of every file under the repository's output folders."""
    out = {}
    for name in OUTPUT_DIRS:
        for p in sorted((REPO / name).rglob("*")):
            if p.is_file():
                out[str(p.relative_to(REPO))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _write_50mb(path: Path) -> Path:
    # A framework file grown to 50 MB (a pasted dump). Sparse: instant to make, and the reader
    # must refuse it from its size alone, before reading a byte.
    shutil.copyfile(BAD / "framework_year_20015.yaml", path)
    with path.open("r+b") as fh:
        fh.truncate(50 * 2**20)
    return path


def _prepare(case: Case, work: Path) -> tuple[list[str], Path, str]:
    """Arguments, working folder and the one expected stderr line of ``case``."""
    work.mkdir(parents=True)
    if case.command == "generated":
        return [*_generate(case.file, work)], work, case.message
    source = _write_50mb(work / case.file) if case.file == GENERATED_50MB else BAD / case.file
    if case.command == "validate":
        dest = DESTINATION[case.file.split("_")[0]]
        write_tiny_data(work / "data")
        (work / "data" / dest).parent.mkdir(exist_ok=True)
        shutil.copyfile(source, work / "data" / dest)
        return ["validate", "--data", "data"], work, f"data/{dest}:{case.line}: {case.message}"
    shown = os.path.relpath(source, work if case.file == GENERATED_50MB else REPO)
    cwd = work if case.file == GENERATED_50MB else REPO
    if case.command == "suggest":
        args = ["suggest", shown]
    else:
        args = ["recommend", "--weights", shown]
    return args, cwd, f"{shown}:{case.line}: {case.message}"


def _generate(name: str, work: Path) -> list[str]:
    """Set up the generated case ``name`` in ``work``; returns the command's arguments."""
    new_framework = str(FIXTURES / "new_frameworks" / "aus_ils.yaml")
    if name.startswith("flag_"):
        return {
            "flag_suggest_threshold_nan": ["suggest", new_framework, "--threshold", "nan"],
            "flag_code_threshold_inf": ["code", new_framework, "--threshold", "inf"],
            "flag_network_min_weight_nan": ["network", "--out", "net", "--min-weight", "nan"],
            "flag_network_min_weight_above_1": ["network", "--out", "net", "--min-weight", "1.5", "--data", str(write_tiny_data(work / "data"))],
        }[name]
    if name == "fs_weights_symlink_loop":  # against the repository's data (it has a weights.yaml)
        (work / "loop.yaml").symlink_to("loop.yaml")
        return ["recommend", "--weights", "loop.yaml"]
    data = write_tiny_data(work / "data")
    framework = data / "frameworks" / "gbr_fw.yaml"
    if name == "fs_framework_symlink_loop":
        framework.unlink()
        framework.symlink_to("gbr_fw.yaml")
    elif name == "fs_framework_dangling_symlink":
        framework.unlink()
        framework.symlink_to("gbr_fw_moved.yaml")
    elif name == "fs_document_fifo":
        (data / "documents").mkdir()
        os.mkfifo(data / "documents" / "pipe.txt")  # reading it would wait for a writer forever
    elif name == "fs_framework_is_a_folder":
        (data / "frameworks" / "extra.yaml").mkdir()
    elif name == "fs_out_is_a_folder":
        (work / "out").mkdir()
        return ["export-codebook", "--data", "data", "--out", "out"]
    elif name == "fs_out_parent_is_a_file":
        (work / "taken").write_text("a file where a folder should be\n")
        return ["export-codebook", "--data", "data", "--out", "taken/codebook.qdc"]
    return ["validate", "--data", "data"]


#: Each case must finish in this many seconds of processor time (its own and its children's).
#: Processor time, not wall time: six helpers share two cores, and wall time measures them.
CPU_LIMIT = 5.0


def run_timed(*args: str | os.PathLike, cwd: Path) -> subprocess.CompletedProcess:
    """Like ``run_workbench``, plus ``.wall`` and ``.cpu`` (user + system seconds) of the process."""
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DATA"}
    env["PYTHONIOENCODING"] = "utf-8"
    start = time.perf_counter()
    proc = subprocess.Popen([workbench_executable(), *map(str, args)], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
    streams: dict[str, bytes] = {}
    readers = [threading.Thread(target=lambda n=n, f=f: streams.__setitem__(n, f.read()))
               for n, f in (("out", proc.stdout), ("err", proc.stderr))]
    for t in readers:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)  # the process's own resource usage, unlike waitpid
    for t in readers:
        t.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    result = subprocess.CompletedProcess(proc.args, proc.returncode, streams["out"].decode("utf-8", "replace"),
                                         streams["err"].decode("utf-8", "replace"))
    result.wall = time.perf_counter() - start  # type: ignore[attr-defined]
    result.cpu = usage.ru_utime + usage.ru_stime  # type: ignore[attr-defined]
    return result


@dataclass
class Outcomes:
    results: dict[Case, tuple[subprocess.CompletedProcess, str]]
    outputs_before: dict[str, str]
    outputs_after: dict[str, str]


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory) -> Outcomes:
    """Run every selected case at once (subprocess start-up dominates; two at a time halves the wait)."""
    selected = {
        item.callspec.params["case"]
        for item in request.session.items
        if getattr(item, "module", None) is request.module and "case" in getattr(getattr(item, "callspec", None), "params", {})
    }
    selected = [c for c in CASES if c in selected and (c.command != "recommend" or "recommend" in COMMANDS)]
    root = tmp_path_factory.mktemp("bad_inputs")
    prepared = {c: _prepare(c, root / c.id) for c in selected}
    before = _fingerprint()

    def run(case: Case):
        args, cwd, expected = prepared[case]
        return case, (run_timed(*args, cwd=cwd), expected)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = dict(pool.map(run, selected))
    return Outcomes(results, before, _fingerprint())


def test_corpus_is_complete():
    from test_bad_reports import CASES as REPORT_CASES, CLASSES as REPORT_CLASSES

    committed = {p.name for p in BAD.iterdir() if p.is_file() and p.name != "README.md"}
    used = ({c.file for c in CASES} | {"framework_label_html_script.yaml", "framework_label_dollar.yaml",
                                       "framework_label_formula.yaml"}
            | {name for name, _, _ in REPORT_CASES})
    assert committed == used - {GENERATED_50MB} - FILESYSTEM, "every fixture has a case and every case a fixture"
    assert len(CASES) + len(REPORT_CASES) >= 60
    classes = {c.klass for c in CASES} | {klass for klass in REPORT_CLASSES.values()}
    assert classes >= set(range(1, 9)), "every class of issue 15 has cases"
    assert not (BAD / GENERATED_50MB).exists()


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input_gives_one_line_and_exit_2(case, outcomes):
    result, expected = outcomes.results[case]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2, result.stdout[-500:]
    assert result.stderr.splitlines() == [expected]
    assert result.stdout == ""
    assert outcomes.outputs_after == outcomes.outputs_before, "a failing command changed reports/ or figures/"
    assert result.cpu < CPU_LIMIT, f"took {result.cpu:.1f} s of processor time"


def test_corpus_timing_is_recorded(outcomes, tmp_path_factory):
    # The wall and processor seconds of every case, for the closing note (printed with -s).
    rows = sorted(((c.id, r.wall, r.cpu) for c, (r, _) in outcomes.results.items()), key=lambda x: -x[2])
    if rows:
        print(f"\n{len(rows)} cases: wall {sum(r[1] for r in rows):.1f} s in all, max {max(r[1] for r in rows):.1f} s; "
              f"cpu max {rows[0][2]:.2f} s ({rows[0][0]}), mean {sum(r[2] for r in rows) / len(rows):.2f} s")
    assert all(cpu < CPU_LIMIT for _, _, cpu in rows)


# -- not mistakes: text that looks like markup is data, kept literally --------------------------

HTML_LABEL = "<img src=x onerror=alert(1)>"


def _validated_with(fixture: str, tmp_path: Path, monkeypatch, capsys) -> Path:
    """The tiny data folder with ``fixture`` as its framework, passed by ``workbench validate`` in silence
    (but for the note that the tiny folder has no recommendation weights)."""
    data = write_tiny_data(tmp_path / "data")
    shutil.copyfile(BAD / fixture, data / DESTINATION["framework"])
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--data", "data"]) == 0
    assert [line for line in capsys.readouterr().err.splitlines() if "weights.yaml not found" not in line] == []
    return data


def test_html_in_a_label_is_accepted_and_kept_literally(tmp_path, monkeypatch, capsys):
    # A label is text. Whatever renders it (reports, notebooks) must escape it; here it must
    # pass validation and reach the data unchanged (not stripped, not pre-escaped).
    data = _validated_with("framework_label_html_script.yaml", tmp_path, monkeypatch, capsys)
    items = load(data).items.set_index("item_code")
    assert items.loc["gbr_fw-1", "label"] == HTML_LABEL


FORMULA_LABEL = '=HYPERLINK("http://x","y")'


def test_a_formula_in_a_label_is_kept_as_text_and_downloads_as_text(tmp_path, monkeypatch, capsys):
    # Issue 23: a label may begin with '=' or '-' (it is text); no download may hand it to a
    # spreadsheet as a formula: the CSV cell starts with "'", the XLSX cell is text.
    import csv
    import io

    from openpyxl import load_workbook

    from workbench import present

    ds = load(_validated_with("framework_label_formula.yaml", tmp_path, monkeypatch, capsys))
    labels = ds.items.set_index("item_code")["label"]
    assert (labels["gbr_fw-1"], labels["gbr_fw-2"]) == (FORMULA_LABEL, "-Acting with integrity")  # kept literally
    present.use(ds, "en")
    try:
        present.table(ds.items[["item_code", "label"]], name="ranked")
        table = present.page._CTX.tables[0][1]
        cells = [cell for row in csv.reader(io.StringIO(present.csv_bytes(table).decode("utf-8-sig"))) for cell in row]
        assert f"'{FORMULA_LABEL}" in cells and "'-Acting with integrity" in cells
        book = load_workbook(io.BytesIO(present.xlsx_bytes(present.page._CTX.tables)))
        assert all(cell.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for cell in row)
    finally:
        present.forget()


def test_dollar_signs_in_a_label_are_accepted_and_kept_literally(tmp_path):
    # Issue 15, class 7: "$" is text. Validation keeps it, and figures draw it without mathtext
    # (which fails on this label's unclosed brace); the report run is in test_bad_reports.py.
    import matplotlib

    matplotlib.use("Agg")
    from workbench.present import figures

    data = write_tiny_data(tmp_path / "data")
    shutil.copyfile(BAD / "framework_label_dollar.yaml", data / DESTINATION["framework"])
    label = load(data).items.set_index("item_code").loc["gbr_fw-1", "label"]
    assert label == "Budgets from $x^{2 to $10 million"
    fig = figures.map_figure(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]}, index=[label, "GBR"]))
    assert figures.png_bytes(fig).startswith(b"\x89PNG")


def test_html_in_a_label_is_accepted_by_suggest(tmp_path):
    out = tmp_path / "suggest.csv"
    result = run_workbench("suggest", BAD / "framework_label_html_script.yaml", "--top", "2", "--out", out, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    frame = pd.read_csv(out)
    assert frame["item_code"].tolist() == ["gbr_fw-1", "gbr_fw-1", "gbr_fw-2", "gbr_fw-2"]
    assert "<" not in out.read_text(encoding="utf-8")  # suggestions hold codes and concepts, never markup
