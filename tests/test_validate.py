"""Every validation error, each shown by breaking ONE thing in a tiny valid data folder.

Each case asserts the exact line a researcher sees (``path:line: message``), exit status 2 and
no traceback. Line numbers refer to the files ``write_tiny_data`` writes (see conftest.py):
frameworks/gbr_fw.yaml is ``id`` (1), ``country`` (2), ``title`` (3), ``year`` (4), ``level`` (5),
``kind`` (6), ``source`` (7), ``locator`` (8), ``items`` (9), item gbr_fw-1 (10, label 11),
item gbr_fw-2 (12, label 13); crosswalk.tsv maps gbr_fw-1, gbr_fw-2, kaz_fw-1, pr-1, ind-1 on
lines 2-6; indicators.csv holds ind-1 on line 2.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from conftest import REPO, run_workbench, write_tiny_data
from workbench.run.cli import main
from workbench.model.dataset import default_data_dir, load
from workbench.model.errors import InputError
from workbench.model.sourcefile import MAX_FILE_BYTES, read_text


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in ``path`` (fails loudly if the base file changed)."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


def latin1(data: Path) -> None:
    # A curator pastes French text and saves in a legacy encoding: 'è' becomes the byte 0xe8.
    p = data / "frameworks/gbr_fw.yaml"
    p.write_bytes(p.read_text(encoding="utf-8").replace("title: gbr_fw", "title: Modèle de compétences").encode("latin-1"))


def fifty_megabytes(data: Path) -> None:
    # A sparse file: 50 MB on paper, written in no time. It is refused before being read.
    p = data / "frameworks/gbr_fw.yaml"
    with p.open("r+b") as fh:
        fh.truncate(50 * 2**20)


def second_practice_file(data: Path) -> None:
    (data / "practices/wgi.yaml").write_text((data / "practices/test.yaml").read_text(encoding="utf-8"), encoding="utf-8")


def _coding(data: Path, first: str = "", second: str = "", adjudication: str = "") -> None:
    """A data/coding/ folder with one row in the file given (the others only a header)."""
    folder = data / "coding"
    folder.mkdir()
    passes = "item_code\tpredicate_id\tconcept_id\tconfidence\tcomment\n"
    (folder / "first_pass.tsv").write_text(passes + first, encoding="utf-8")
    (folder / "second_pass.tsv").write_text(passes + second, encoding="utf-8")
    (folder / "adjudication.tsv").write_text("item_code\tconcept_id\tdecision\tpredicate_id\tconfidence\treason\n" + adjudication, encoding="utf-8")


GBR = "frameworks/gbr_fw.yaml"
CASES: list[tuple[str, Callable[[Path], None], str]] = [
    # -- syntax
    ("yaml_syntax_error", lambda d: edit(d / GBR, "title: gbr_fw", "title: Civil service: behaviours"),
     "data/frameworks/gbr_fw.yaml:3: YAML syntax error: mapping values are not allowed in this context"),
    ("yaml_unclosed_bracket", lambda d: edit(d / GBR, "title: gbr_fw", "title: [gbr_fw"),
     # libyaml notices on the next line; the message says where the bracket opened.
     "data/frameworks/gbr_fw.yaml:4: YAML syntax error: did not find expected ',' or ']' "
     "(while parsing a flow sequence started at line 3)"),
    ("yaml_tab_indented", lambda d: edit(d / GBR, "- code: gbr_fw-1\n  label", "- code: gbr_fw-1\n\tlabel"),
     "data/frameworks/gbr_fw.yaml:11: YAML syntax error: tab character used for indentation (indent with spaces)"),
    ("yaml_tab_before_item", lambda d: edit(d / GBR, "items:\n- code: gbr_fw-1", "items:\n\t- code: gbr_fw-1"),
     "data/frameworks/gbr_fw.yaml:10: YAML syntax error: tab character used for indentation (indent with spaces)"),
    ("yaml_duplicate_key", lambda d: edit(d / GBR, "year: 2020", "year: 2020\nyear: 2021"),
     "data/frameworks/gbr_fw.yaml:5: duplicate key 'year' (first at line 4)"),
    # -- the past: a framework was issued, a source published, before today (a hostile review: 2099 passed)
    ("framework_year_ahead", lambda d: edit(d / GBR, "year: 2020", "year: 2099"),
     "data/frameworks/gbr_fw.yaml:4: year: 2099 is after this year: the year the framework was issued"),
    ("source_year_ahead", lambda d: append(d / "sources.yaml", "  year: 2099\n"),
     "data/sources.yaml:5: year: 2099 is after this year: the year the source was published"),
    ("csv_ragged_row", lambda d: edit(d / "indicators.csv", "p. 3", "p. 3,extra"),
     "data/indicators.csv:2: row has 10 fields, the header has 9"),
    ("csv_unclosed_quote", lambda d: edit(d / "indicators.csv", "ind-1,KAZ,ind-1", 'ind-1,KAZ,"ind-1'),
     "data/indicators.csv:2: table syntax error: unexpected end of data (a quoted field is never closed)"),
    ("tsv_ragged_row", lambda d: edit(d / "crosswalk.tsv", "kaz_fw-1\tskos:exactMatch", "kaz_fw-1\tskos:exactMatch\tx"),
     "data/crosswalk.tsv:4: row has 8 fields, the header has 7"),
    # -- fields
    ("required_field_missing", lambda d: edit(d / GBR, "title: gbr_fw\n", ""),
     "data/frameworks/gbr_fw.yaml:1: missing required field 'title'"),
    ("item_label_missing", lambda d: edit(d / GBR, "  label: leadership item 1\n", ""),
     "data/frameworks/gbr_fw.yaml:10: missing required field 'label'"),
    ("wrong_type", lambda d: edit(d / GBR, "year: 2020", "year: twenty"),
     "data/frameworks/gbr_fw.yaml:4: year: Input should be a valid integer, unable to parse string as an integer (got 'twenty')"),
    ("wrong_type_boolean", lambda d: edit(d / "practices/test.yaml", "recommended_for_kaz: false", "recommended_for_kaz: maybe"),
     "data/practices/test.yaml:5: recommended_for_kaz: Input should be a valid boolean, unable to interpret input (got 'maybe')"),
    ("unknown_field", lambda d: edit(d / GBR, "locator: p. 1", "locator: p. 1\nauthor: me"),
     "data/frameworks/gbr_fw.yaml:9: unknown field 'author'"),
    ("unknown_item_field", lambda d: edit(d / GBR, "  label: leadership item 1\n", "  label: leadership item 1\n  lable: x\n"),
     "data/frameworks/gbr_fw.yaml:12: unknown field 'lable'"),
    ("country_code", lambda d: edit(d / GBR, "country: GBR", "country: UK"),
     "data/frameworks/gbr_fw.yaml:2: country: unknown country code 'UK' (use ISO 3166-1 alpha-3, or OECD / EU)"),
    ("indicator_country_code", lambda d: edit(d / "indicators.csv", "ind-1,KAZ", "ind-1,KZ"),
     "data/indicators.csv:2: country: unknown country code 'KZ' (use ISO 3166-1 alpha-3, or OECD / EU)"),
    ("year_20015", lambda d: edit(d / GBR, "year: 2020", "year: 20015"),
     "data/frameworks/gbr_fw.yaml:4: year: Input should be less than or equal to 2100 (got 20015)"),
    ("indicator_year_20015", lambda d: edit(d / "indicators.csv", ",2020,", ",20015,"),
     "data/indicators.csv:2: year: Input should be less than or equal to 2100 (got '20015')"),
    ("percent_140", lambda d: edit(d / "indicators.csv", ",40,", ",140,"),
     "data/indicators.csv:2: value 140 is a percent outside 0-100"),
    ("value_nan", lambda d: edit(d / "indicators.csv", ",40,", ",nan,"),
     "data/indicators.csv:2: value: Input should be a finite number (got 'nan')"),
    ("empty_label", lambda d: edit(d / GBR, "label: leadership item 1", "label: ''"),
     "data/frameworks/gbr_fw.yaml:11: items.label: must not be empty"),
    ("blank_label", lambda d: edit(d / GBR, "label: leadership item 1", "label:"),
     "data/frameworks/gbr_fw.yaml:11: items.label: must not be empty"),
    ("no_items", lambda d: edit(d / GBR, "items:\n- code: gbr_fw-1\n  label: leadership item 1\n- code: gbr_fw-2\n"
                                "  label: integrity ethics item 2\n", "items: []\n"),
     "data/frameworks/gbr_fw.yaml:9: items: List should have at least 1 item after validation, not 0"),
    # -- partial sources (issue 25): partial says what is missing; only a partial framework has 'missing'
    ("partial_without_missing", lambda d: edit(d / GBR, "locator: p. 1", "locator: p. 1\ncoverage: partial"),
     "data/frameworks/gbr_fw.yaml:1: a partial framework says what is missing and why: give 'missing'"),
    ("missing_on_complete", lambda d: edit(d / GBR, "locator: p. 1", "locator: p. 1\nmissing: the rest"),
     "data/frameworks/gbr_fw.yaml:1: 'missing' belongs to a partial framework: set 'coverage: partial'"),
    ("coverage_unknown_word", lambda d: edit(d / GBR, "locator: p. 1", "locator: p. 1\ncoverage: half"),
     "data/frameworks/gbr_fw.yaml:9: coverage: Input should be 'complete' or 'partial' (got 'half')"),
    ("source_kind_unknown_word", lambda d: edit(d / GBR, "locator: p. 1", "locator: p. 1\nsource_kind: blog"),
     "data/frameworks/gbr_fw.yaml:9: source_kind: Input should be 'official', 'official-archived' or 'secondary' (got 'blog')"),
    # -- the record of the double coding (data/coding/)
    ("coding_unknown_concept", lambda d: _coding(d, second="gbr_fw-1\tskos:exactMatch\tleadrship\t0.9\tx\n"),
     "data/coding/second_pass.tsv:2: unknown concept 'leadrship' (did you mean 'leadership'?)"),
    ("coding_unknown_item", lambda d: _coding(d, first="nope-1\tskos:exactMatch\tleadership\t0.9\tx\n"),
     "data/coding/first_pass.tsv:2: unknown item 'nope-1'"),
    ("coding_unknown_decision", lambda d: _coding(d, adjudication="gbr_fw-1\tleadership\tmaybe\t\t\twhy\n"),
     "data/coding/adjudication.tsv:2: unknown decision 'maybe' (use one of keep, add, change, remove, reject)"),
    ("coding_confidence", lambda d: _coding(d, second="gbr_fw-1\tskos:exactMatch\tleadership\thigh\tx\n"),
     "data/coding/second_pass.tsv:2: confidence 'high' is not a number from 0 to 1"),
    # -- duplicate ids
    ("duplicate_item_across_files", lambda d: append(d / "frameworks/kaz_fw.yaml", "- code: gbr_fw-1\n  label: copied\n"),
     "data/frameworks/kaz_fw.yaml:12: duplicate item code 'gbr_fw-1' (first at gbr_fw.yaml:10)"),
    ("duplicate_item_in_file", lambda d: edit(d / GBR, "code: gbr_fw-2", "code: gbr_fw-1"),
     "data/frameworks/gbr_fw.yaml:12: duplicate item code 'gbr_fw-1' (first at line 10)"),
    ("duplicate_practice", second_practice_file,
     "data/practices/wgi.yaml:1: duplicate practice id 'pr-1' (first at test.yaml:1)"),
    ("duplicate_indicator", lambda d: append(d / "indicators.csv", "ind-1,KAZ,again,share,2021,41,percent,src_test,p. 4\n"),
     "data/indicators.csv:3: duplicate indicator id 'ind-1' (first at line 2)"),
    ("duplicate_source", lambda d: append(d / "sources.yaml", "- id: src_test\n  kind: reference\n  url: https://example.org/2\n  citation: Again.\n"),
     "data/sources.yaml:5: duplicate source id 'src_test' (first at line 1)"),
    ("duplicate_concept", lambda d: append(d / "taxonomy.yaml", "- id: leadership\n  domain: people\n  scope: individual\n"
                                           "  label: {en: Lead, ru: Вести, kk: Басқару}\n  definition: Again.\n"),
     "data/taxonomy.yaml:66: duplicate concept id 'leadership' (first at line 14)"),
    ("duplicate_mapping", lambda d: append(d / "crosswalk.tsv", "ind-1\tskos:closeMatch\tleadership\tsemapv:ManualMappingCuration\t0.5\twb:test\t\n"),
     "data/crosswalk.tsv:7: duplicate mapping ind-1 -> leadership (first at line 6)"),
    # -- references
    ("unknown_source", lambda d: edit(d / GBR, "source: src_test", "source: src_tset"),
     "data/frameworks/gbr_fw.yaml:7: unknown source 'src_tset' (not an id in sources.yaml)"),
    ("indicator_unknown_source", lambda d: edit(d / "indicators.csv", "src_test", "src_tset"),
     "data/indicators.csv:2: unknown source 'src_tset' (not an id in sources.yaml)"),
    ("crosswalk_unknown_subject", lambda d: append(d / "crosswalk.tsv", "gbr_fw-9\tskos:exactMatch\tleadership\tsemapv:ManualMappingCuration\t1.0\twb:test\t\n"),
     "data/crosswalk.tsv:7: unknown subject 'gbr_fw-9' (no item, practice or indicator has this id)"),
    ("crosswalk_unknown_concept", lambda d: edit(d / "crosswalk.tsv", "pr-1\tskos:exactMatch\tleadership", "pr-1\tskos:exactMatch\tleadrship"),
     "data/crosswalk.tsv:5: unknown concept 'leadrship' (did you mean 'leadership'?)"),
    ("concept_unknown_domain", lambda d: edit(d / "taxonomy.yaml", "domain: system", "domain: sytem"),
     "data/taxonomy.yaml:50: concept 'merit_recruitment': unknown domain 'sytem'"),
    ("item_without_mapping", lambda d: edit(d / "crosswalk.tsv", "kaz_fw-1\tskos:exactMatch\tmerit_recruitment\tsemapv:ManualMappingCuration\t1.0\twb:test\t\n", ""),
     "data/frameworks/kaz_fw.yaml:10: item 'kaz_fw-1' has no mapping in crosswalk.tsv"),
    ("practice_without_mapping", lambda d: edit(d / "crosswalk.tsv", "pr-1\tskos:exactMatch\tleadership\tsemapv:ManualMappingCuration\t1.0\twb:test\t\n", ""),
     "data/practices/test.yaml:1: practice 'pr-1' has no mapping in crosswalk.tsv"),
    ("framework_id_differs_from_file_name", lambda d: edit(d / GBR, "id: gbr_fw", "id: gbr_fw_2018"),
     "data/frameworks/gbr_fw.yaml:1: framework id 'gbr_fw_2018' differs from the file name 'gbr_fw'"),
    # -- files
    ("not_utf8_latin1", latin1, "data/frameworks/gbr_fw.yaml:3: not UTF-8 text (byte 0xe8); save the file as UTF-8"),
    ("empty_file", lambda d: (d / GBR).write_bytes(b""), "data/frameworks/gbr_fw.yaml:1: file is empty"),
    ("comments_only_file", lambda d: (d / GBR).write_text("# to do\n"), "data/frameworks/gbr_fw.yaml:1: file holds no YAML data"),
    ("empty_table", lambda d: (d / "indicators.csv").write_bytes(b""), "data/indicators.csv:1: file is empty"),
    ("file_50_mb", fifty_megabytes,
     f"data/frameworks/gbr_fw.yaml:1: file is 50.0 MB, larger than the {MAX_FILE_BYTES // 2**20} MB limit for input files"),
    ("utf16_file", lambda d: (d / GBR).write_bytes((d / GBR).read_text().encode("utf-16")),
     "data/frameworks/gbr_fw.yaml:1: UTF-16 text; save the file as UTF-8"),
    ("missing_file", lambda d: (d / "taxonomy.yaml").unlink(), "data/taxonomy.yaml: file not found"),
]


NO_WEIGHTS = "note: data/weights.yaml not found: the data serves comparisons, but recommend and the recommendations reports need it"


def validate(folder: str = "data") -> int:
    return main(["validate", "--data", folder])


def test_tiny_data_is_valid(tiny_data, monkeypatch, capsys):
    # Guards every case below: the base folder must be valid, so the one edit is the one mistake.
    monkeypatch.chdir(tiny_data.parent)
    assert validate() == 0
    out = capsys.readouterr()
    assert out.out.startswith("ok: 2 frameworks, 3 items from 2 countries, 1 practice, 1 indicator")
    assert out.out.rstrip().endswith(" in data)")  # which data folder was read: one above could have been
    # valid for comparisons; a review found a folder without weights.yaml "ok" and the reports then failing
    assert out.err.splitlines() == [NO_WEIGHTS]


@pytest.mark.parametrize("name, breaks, expected", CASES, ids=[c[0] for c in CASES])
def test_one_mistake_gives_one_exact_message(name, breaks, expected, tiny_data, monkeypatch, capsys):
    monkeypatch.chdir(tiny_data.parent)  # messages show paths relative to the working folder
    breaks(tiny_data)
    status = validate()
    out = capsys.readouterr()
    assert (status, out.err, out.out) == (2, expected + "\n", "")
    assert "Traceback" not in out.err


def test_every_problem_is_listed_sorted_by_file_and_line(tiny_data, monkeypatch, capsys):
    # A curator fixes everything in one pass: two mistakes in two files give two lines.
    monkeypatch.chdir(tiny_data.parent)
    edit(tiny_data / "indicators.csv", ",40,", ",140,")
    edit(tiny_data / GBR, "year: 2020", "year: 20015")
    assert validate() == 2
    assert capsys.readouterr().err.splitlines() == [
        "data/frameworks/gbr_fw.yaml:4: year: Input should be less than or equal to 2100 (got 20015)",
        "data/indicators.csv:2: value 140 is a percent outside 0-100",
    ]


def test_load_raises_input_error_with_problems(tiny_data):
    edit(tiny_data / "crosswalk.tsv", "pr-1\tskos:exactMatch\tleadership", "pr-1\tskos:exactMatch\tleadrship")
    with pytest.raises(InputError) as info:
        load(tiny_data)
    [problem] = info.value.problems
    assert (Path(problem.path).name, problem.line, problem.message) == ("crosswalk.tsv", 5, "unknown concept 'leadrship' (did you mean 'leadership'?)")


def test_missing_data_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert validate("nowhere") == 2
    assert capsys.readouterr().err == "nowhere: data folder not found\n"


@pytest.mark.parametrize(
    "quirk",
    [
        pytest.param(lambda p: p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes()), id="byte_order_mark"),
        pytest.param(lambda p: p.write_bytes(p.read_bytes().replace(b"\n", b"\r\n")), id="windows_line_ends"),
    ],
)
@pytest.mark.parametrize("name", [GBR, "indicators.csv", "crosswalk.tsv"])
def test_files_saved_by_windows_tools_are_accepted(quirk, name, tiny_data):
    # Excel and Notepad add a byte-order mark and CRLF line ends; neither is a mistake.
    quirk(tiny_data / name)
    ds = load(tiny_data)
    assert ds.items["item_code"].tolist() == ["gbr_fw-1", "gbr_fw-2", "kaz_fw-1"]
    assert ds.indicators["value"].tolist() == [40.0]
    assert len(ds.crosswalk) == 5


def test_line_numbers_survive_comments_and_multiline_fields(tiny_data):
    # A quoted field spanning two lines and a comment must not shift the rows after them. (An
    # indicator's name is one line of text, so the two-line field is refused too, on its own line.)
    p = tiny_data / "indicators.csv"
    p.write_text(
        "id,country,indicator,measure,year,value,unit,source,locator\n"
        "# a comment line\n"
        'ind-1,KAZ,"two\nlines",share,2020,40,percent,src_test,p. 3\n'
        "ind-2,KAZ,ok,share,2020,140,percent,src_test,p. 3\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load(tiny_data)
    assert [(p.line, p.message) for p in info.value.problems] == [
        (3, "indicator: holds U+000A (line break) at character 4; one line of text allows no line breaks or control "
            "characters (got 'two\\nlines')"),
        (5, "value 140 is a percent outside 0-100"),
    ]


def test_validate_checks_the_recommendation_weights(tmp_path, capsys):
    import shutil

    from workbench.run.cli import main

    data = tmp_path / "data"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data", data)
    weights = data / "weights.yaml"
    weights.write_text(weights.read_text(encoding="utf-8").replace("[kaz_listening_state]", "[kaz_listening_statX]", 1), encoding="utf-8")
    assert main(["validate", "--data", str(data)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "weights.yaml:" in err[0] and "unknown framework 'kaz_listening_statX'" in err[0]


@pytest.mark.parametrize("value, says", [
    ("2024-02-30", "is no date of the calendar"),
    ("2023-13-45", "is no date of the calendar"),
    ("010", "octal, hexadecimal or base-60"),
    ("0x10", "octal, hexadecimal or base-60"),
    ("2:1", "octal, hexadecimal or base-60"),
])
def test_a_yaml_value_read_otherwise_than_written_is_refused_with_its_line(tmp_path, value, says):
    """Found by a hostile-input review: an impossible date stopped every command with a traceback,
    and YAML 1.1's octal, base-60 and yes/no readings changed weights silently."""
    from workbench.model.errors import InputError
    from workbench.model.sourcefile import yaml_document

    with pytest.raises(InputError) as err:
        yaml_document(tmp_path / "x.yaml", f"a: 1\nb: {value}\n")
    assert str(err.value).startswith(f"{tmp_path / 'x.yaml'}:2: '{value}'") and says in str(err.value)
    assert yaml_document(tmp_path / "x.yaml", f"a: 1\nb: '{value}'\n").data["b"] == value  # quoted, it is text


def test_a_number_yaml_reads_as_a_truth_value_is_refused(tmp_path):
    """A hostile-input review: ``peer_share: yes`` was read as true and taken as the weight 1."""
    weights = (REPO / "data" / "weights.yaml").read_text(encoding="utf-8")
    assert "  peer_share: 1.0" in weights
    path = tmp_path / "weights.yaml"
    path.write_text(weights.replace("  peer_share: 1.0", "  peer_share: yes", 1), encoding="utf-8")
    done = run_workbench("recommend", "--weights", path)
    assert done.returncode == 2
    assert "weights.peer_share: must be a number, but YAML read the unquoted value as the truth value true" in done.stderr


def test_validate_counts_the_oecd_as_an_organisation_not_a_country():
    """A researcher reading the command's output: '241 items from 11 countries' counted the OECD."""
    done = run_workbench("validate")
    assert done.returncode == 0 and " countries and 1 organisation, " in done.stdout


def test_a_file_just_over_the_size_limit_is_told_in_bytes(tmp_path):
    """A hostile review: a file 2 KB over the limit read "file is 5.0 MB, larger than the 5 MB limit"."""
    path = tmp_path / "big.txt"
    path.write_bytes(b"a" * (MAX_FILE_BYTES + 2170))
    with pytest.raises(InputError) as caught:
        read_text(path)
    assert str(caught.value) == (f"{path}:1: file is {MAX_FILE_BYTES + 2170:,} bytes, larger than the {MAX_FILE_BYTES // 2**20} MB "
                                 f"({MAX_FILE_BYTES:,} bytes) limit for input files")


def test_the_data_folder_is_the_nearest_checkouts_at_any_depth_even_with_a_file_missing(tmp_path, monkeypatch, capsys):
    """A hostile review: from three folders down, or with data/sources.yaml deleted, ``workbench validate``
    said "ok" of the installed checkout's data, not of the checkout it ran in."""
    checkout = tmp_path / "checkout"
    write_tiny_data(checkout / "data")
    (checkout / "reports.yaml").write_text("reports: []\n", encoding="utf-8")
    deep = checkout / "notes" / "2026" / "december"
    deep.mkdir(parents=True)
    monkeypatch.delenv("WORKBENCH_DATA", raising=False)
    monkeypatch.chdir(deep)
    assert default_data_dir() == (checkout / "data").resolve()
    (checkout / "data" / "sources.yaml").unlink()
    assert default_data_dir() == (checkout / "data").resolve()
    assert main(["validate"]) == 2
    assert capsys.readouterr().err.splitlines() == [f"{checkout.resolve() / 'data' / 'sources.yaml'}: file not found"]


def test_a_seed_whose_text_the_data_lacks_is_refused_where_it_is_named(tmp_path, monkeypatch, capsys):
    """A hostile review: a seed source naming a file that is not there passed, and a report cited it."""
    import shutil

    shutil.copytree(REPO / "data", tmp_path / "data")
    sources = tmp_path / "data" / "sources.yaml"
    line = len(sources.read_text(encoding="utf-8").splitlines()) + 1
    with sources.open("a", encoding="utf-8") as f:
        f.write("- id: seed009\n  kind: seed\n  file: 009_not_kept.txt\n  citation: Nobody (2020). A paper.\n  year: 2020\n")
    monkeypatch.chdir(tmp_path)
    assert validate() == 2
    assert capsys.readouterr().err.splitlines() == [f"data/sources.yaml:{line}: file: '009_not_kept.txt' is not a file in data/documents/"]
