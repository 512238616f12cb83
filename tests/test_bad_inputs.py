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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from conftest import FIXTURES, REPO, run_workbench, write_tiny_data
from workbench.cli import COMMANDS, main
from workbench.dataset import load

BAD = FIXTURES / "bad"
#: Where each kind of data file goes in the tiny data folder (the file name's first word is its kind).
DESTINATION = {
    "framework": "frameworks/gbr_fw.yaml",
    "crosswalk": "crosswalk.tsv",
    "indicators": "indicators.csv",
    "practices": "practices/test.yaml",
    "sources": "sources.yaml",
    "taxonomy": "taxonomy.yaml",
}
#: Outputs no failing command may touch.
OUTPUT_DIRS = ("reports", "figures")
GENERATED_50MB = "framework_50mb.yaml"  # written at test time, never committed


@dataclass(frozen=True)
class Case:
    file: str  # in tests/fixtures/bad/, or GENERATED_50MB
    command: str  # validate | suggest | recommend
    line: int
    message: str

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
]
#: Framework files also handed to `workbench suggest FILE` directly: the same message, naming that file.
_ALSO_SUGGESTED = {"framework_yaml_unquoted_colon.yaml", "framework_tab_indented.yaml", "framework_year_20015.yaml",
                   "framework_latin1.yaml", "framework_utf16.yaml", "framework_empty.yaml", GENERATED_50MB}
_VALIDATE = [  # mistakes seen only against the whole data folder, and the other data files
    ("framework_id_differs_from_file_name.yaml", 2, "framework id 'gbr_fw_2018' differs from the file name 'gbr_fw'"),
    ("framework_unknown_source.yaml", 8, "unknown source 'src_tset' (not an id in sources.yaml)"),
    ("framework_item_without_mapping.yaml", 15, "item 'gbr_fw-3' has no mapping in crosswalk.tsv"),
    ("crosswalk_unknown_concept.tsv", 6, "unknown concept 'leadrship'"),
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
CASES = (
    [Case(f, "validate", line, msg) for f, line, msg in _FRAMEWORK]
    + [Case(f, "suggest", line, msg) for f, line, msg in _FRAMEWORK if f in _ALSO_SUGGESTED]
    + [Case(f, "validate", line, msg) for f, line, msg in _VALIDATE]
    + [Case("weights_negative.yaml", "recommend", 4,
            "weights.oecd_alignment: Input should be greater than or equal to 0 (got -0.5)")]
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
    source = _write_50mb(work / case.file) if case.file == GENERATED_50MB else BAD / case.file
    if case.command == "validate":
        dest = DESTINATION[case.file.split("_")[0]]
        write_tiny_data(work / "data")
        shutil.copyfile(source, work / "data" / dest)
        return ["validate", "--data", "data"], work, f"data/{dest}:{case.line}: {case.message}"
    shown = os.path.relpath(source, work if case.file == GENERATED_50MB else REPO)
    cwd = work if case.file == GENERATED_50MB else REPO
    if case.command == "suggest":
        args = ["suggest", shown]
    else:
        args = ["recommend", "--weights", shown]
    return args, cwd, f"{shown}:{case.line}: {case.message}"


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
        return case, (run_workbench(*args, cwd=cwd), expected)

    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        results = dict(pool.map(run, selected))
    return Outcomes(results, before, _fingerprint())


def test_corpus_is_complete():
    from test_bad_reports import CASES as REPORT_CASES

    committed = {p.name for p in BAD.iterdir() if p.is_file() and p.name != "README.md"}
    used = {c.file for c in CASES} | {"framework_label_html_script.yaml"} | {name for name, _, _ in REPORT_CASES}
    assert committed == used - {GENERATED_50MB}, "every fixture has a case and every case a fixture"
    assert len({c.file for c in CASES}) + len(REPORT_CASES) >= 25
    assert not (BAD / GENERATED_50MB).exists()


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_bad_input_gives_one_line_and_exit_2(case, outcomes):
    result, expected = outcomes.results[case]
    assert "Traceback" not in result.stdout + result.stderr
    assert result.returncode == 2, result.stdout[-500:]
    assert result.stderr.splitlines() == [expected]
    assert result.stdout == ""
    assert outcomes.outputs_after == outcomes.outputs_before, "a failing command changed reports/ or figures/"


# -- not mistakes: text that looks like markup is data, kept literally --------------------------

HTML_LABEL = "<img src=x onerror=alert(1)>"


def test_html_in_a_label_is_accepted_and_kept_literally(tmp_path, monkeypatch, capsys):
    # A label is text. Whatever renders it (reports, notebooks) must escape it; here it must
    # pass validation and reach the data unchanged (not stripped, not pre-escaped).
    data = write_tiny_data(tmp_path / "data")
    shutil.copyfile(BAD / "framework_label_html_script.yaml", data / DESTINATION["framework"])
    monkeypatch.chdir(tmp_path)
    assert main(["validate", "--data", "data"]) == 0
    assert capsys.readouterr().err == ""
    items = load(data).items.set_index("item_code")
    assert items.loc["gbr_fw-1", "label"] == HTML_LABEL


def test_html_in_a_label_is_accepted_by_suggest(tmp_path):
    out = tmp_path / "suggest.csv"
    result = run_workbench("suggest", BAD / "framework_label_html_script.yaml", "--top", "2", "--out", out, cwd=tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    frame = pd.read_csv(out)
    assert frame["item_code"].tolist() == ["gbr_fw-1", "gbr_fw-1", "gbr_fw-2", "gbr_fw-2"]
    assert "<" not in out.read_text(encoding="utf-8")  # suggestions hold codes and concepts, never markup
