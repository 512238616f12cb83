"""The validation module's shared rules (issue 15), tested where they are defined.

The bad-input corpus (test_bad_inputs.py, test_bad_reports.py) shows each rule through the real
command; these tests pin the rules themselves and the cases a subprocess cannot show (a file
unreadable to root, a folder loop that must not hang).
"""
from __future__ import annotations

import ast
import math
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO
from workbench.model import validate as V
from workbench.run.cli import main
from workbench.model.dataset import load
from workbench.model.errors import InputError
from workbench.present.citations import link_html
from workbench.model.sourcefile import read_text, read_yaml

SRC = REPO / "src" / "workbench"


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_by_the_one_rule(value):
    assert V.number_problem(value) == f"must be a finite number (got {value})"
    with pytest.raises(InputError) as exc:
        V.check_number(value, "min_weight", 0, 1)
    assert str(exc.value) == f"min_weight: must be a finite number (got {value})"


def test_library_errors_name_parameters_and_the_cli_names_flags(tiny_data, capsys):
    from workbench.analysis.network import overlap_graph
    import networkx as nx

    with pytest.raises(InputError) as exc:
        overlap_graph(nx.Graph([("GBR", "a")]), nodes=["GBR"], min_weight=float("nan"))
    assert str(exc.value) == "min_weight: must be a finite number (got nan)"
    assert exc.value.renamed({"min_weight": "--min-weight"}).problems[0].path == "--min-weight"


def test_no_library_module_names_a_command_line_flag():
    # Library errors are read by notebook users too, who never typed a flag.
    flagged = []
    for path in SRC.glob("*.py"):
        if path.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("single", "parameter", "Problem"):
                for arg in node.args:
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and re.match(r"--[a-z]", arg.value):
                        flagged.append(f"{path.name}:{node.lineno}")
    assert flagged == []


@pytest.mark.parametrize("url, linked", [
    ("https://www.oecd.org/gov", True), ("http://example.org", True), ("javascript:alert(5)", False),
    ("JaVaScRiPt:alert(5)", False), ("data:text/html,<script>x</script>", False), ("//evil.example", False),
    ("https:///nohost", False), ("https://exa mple.org", False),
])
def test_only_http_urls_become_links(url, linked):
    html = link_html(url)
    assert ("<a " in html) is linked
    assert "<script>" not in html  # shown as escaped text when not linked


def test_alias_bomb_is_refused_at_its_first_anchor():
    # Refused at the first anchor, before any alias is expanded: the time it takes is the
    # benchmarks' business, not a unit test's.
    with pytest.raises(InputError, match="YAML anchor '&l0' not allowed"):
        read_yaml(FIXTURES / "bad" / "framework_yaml_alias_bomb.yaml")


def test_ampersand_and_asterisk_in_text_are_not_aliases(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text("label: 'R&D * 2'\nother: R&D and *stars*\n", encoding="utf-8")
    assert read_yaml(f).data == {"label": "R&D * 2", "other": "R&D and *stars*"}


def test_unreadable_file_says_cannot_read_and_names_it(tmp_path, monkeypatch):
    # As root every file is readable, so the refusal is simulated where the bytes are read.
    f = tmp_path / "secret.yaml"
    f.write_text("a: 1\n", encoding="utf-8")
    real = Path.read_bytes

    def denied(self):
        if self == f:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(InputError) as exc:
        read_text(f)
    assert exc.value.problems[0].message == "cannot read: permission denied"
    assert exc.value.problems[0].path == str(f)


def test_a_folder_link_loop_in_data_does_not_hang(tiny_data):
    (tiny_data / "documents").mkdir()
    (tiny_data / "documents" / "loop").symlink_to("..")
    assert load(tiny_data).summary()["items"] == 3


def test_out_folder_names_the_users_path(tiny_data, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    assert main(["export-codebook", "--data", str(tiny_data), "--out", "out"]) == 2
    err = capsys.readouterr().err
    assert err == "out: cannot write: is a folder, expected a file name\n"
    assert list((tmp_path / "out").iterdir()) == []  # no temporary file left behind


@pytest.mark.parametrize("value, declared, problem", [
    ("GBR", "list", "expected a list, got a str ('GBR')"),
    (["GBR"], "list", None),
    (3, "float", None),
    (True, "int", "expected a whole number (int), got a bool (True)"),
    (float("nan"), "float", "must be a finite number (got nan)"),
    (None, "Optional[str]", None),
    (["a", 1], "list[str]", "list element: expected a text (str), got an int (1)"),
    ({"x": 1}, "dict", None),
    ("x", "", None),  # undeclared: the notebook takes anything
])
def test_matrix_values_against_declared_types(value, declared, problem):
    assert V.parameter_value_problem(value, declared) == problem


@pytest.mark.parametrize("name, ok", [("tiny", True), ("index", False), ("INDEX", False), ("tiny\n", False),
                                      ("a" * 101, False), ("../x", False), ("a.b-c_d", True)])
def test_report_names(name, ok):
    assert (V.check_name(name) is None) is ok


@pytest.mark.parametrize("text, invisible", [("\u200b", True), ("\ufeff\u200d", True), ("\u00a0 ", True),
                                              ("a\u200b", False), ("Лидерство", False), ("$5", False)])
def test_invisible_labels(text, invisible):
    assert V.is_invisible(text) is invisible


def test_identity_ignores_case():
    assert V.identity_key("GBR_FW-1") == V.identity_key("gbr_fw-1")


def test_non_finite_numbers_inside_matrix_values_are_refused(tmp_path):
    from workbench.run import load_matrix

    (tmp_path / "notebooks").mkdir()
    (tmp_path / "notebooks" / "tiny.ipynb").write_bytes((FIXTURES / "notebooks" / "tiny.ipynb").read_bytes())
    (tmp_path / "reports.yaml").write_text(
        "reports:\n  - name: t\n    notebook: tiny.ipynb\n    description: d\n    parameters:\n      label: x\n"
        "      sleep: -.inf\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_matrix(tmp_path / "reports.yaml", tmp_path / "notebooks")
    assert [p.message for p in exc.value.problems] == ["report 't': parameter 'sleep': must be a finite number (got -inf)"]
    assert exc.value.problems[0].line == 7


def test_notebook_defaults_repeat_the_library_defaults():
    # A notebook's parameters cell must hold literal values (papermill rewrites it), so the
    # defaults are written there again; this keeps the copy equal to the one definition.
    from workbench.run import notebook_parameters
    from workbench.model.schema import DEFAULT_BASELINE, DEFAULT_PEERS

    params = notebook_parameters(REPO / "notebooks" / "recommendations.ipynb")
    assert ast.literal_eval(params["peers"].default) == list(DEFAULT_PEERS)
    assert ast.literal_eval(params["baseline"].default) == DEFAULT_BASELINE


# -- issue 23: validation refuses what an output cannot carry --------------------------------------

@pytest.mark.parametrize("text, multiline, refused", [
    ("Lead\vpeople", False, "U+000B (vertical tab)"), ("Lead\vpeople", True, "U+000B (vertical tab)"),
    ("one\ntwo", False, "U+000A (line break)"), ("one\ntwo", True, None), ("one\r\ntwo", True, None),
    ("tab\tinside", False, None), ("a\x00b", True, "U+0000 (NUL)"), ("a\x1bb", True, "U+001B (escape)"),
    ("a\x7fb", True, "U+007F (delete)"), ("a\x85b", True, "U+0085 (next line)"), ("a\x9bb", False, "U+009B"),
    ("a\u2028b", False, "U+2028 (line separator)"), ("a\u2029b", False, "U+2029 (paragraph separator)"),
    ("a\u2028b", True, None), ("Лидерство – ҚР", False, None), ("zero\u200bwidth", False, None),
])
def test_control_characters_by_kind_of_text(text, multiline, refused):
    problem = V.control_character_problem(text, multiline=multiline)
    assert (problem is None) == (refused is None)
    if refused:
        assert problem.startswith(f"holds {refused}")


def _bare_text(annotation, metadata=()) -> list:
    """Every ``str`` in ``annotation`` that neither the one-line nor the several-lines rule checks."""
    from typing import Annotated, get_args, get_origin

    from workbench.model import schema

    rules = (schema._one_line, schema._paragraphs, schema._web_url)  # a web address allows no control or space at all
    if annotation is str:
        return [] if any(getattr(m, "func", None) in rules for m in metadata) else [annotation]
    if get_origin(annotation) is Annotated:
        base, *inner = get_args(annotation)
        return _bare_text(base, (*metadata, *inner))
    return [bare for arg in get_args(annotation) if isinstance(arg, type) or get_args(arg) for bare in _bare_text(arg)]


def test_every_text_field_of_the_data_is_checked_for_control_characters():
    # The root of the rule: one annotated type per kind of text, used by every text field.
    from pydantic import BaseModel

    from workbench.analysis import transferability
    from workbench.model import schema

    models = [m for module in (schema, transferability) for m in vars(module).values()
              if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == module.__name__]
    assert len(models) >= 15
    unchecked = [f"{m.__name__}.{name}" for m in models for name, field in m.model_fields.items()
                 if _bare_text(field.annotation, field.metadata)]
    assert unchecked == []


def test_a_table_keeps_every_character_of_a_quoted_field_and_the_real_line(tmp_path):
    from workbench.model.sourcefile import read_table

    odd = "a\u2028b\u2029c\x0bd\x0ce\x1cf\x1dg\x1eh\x85i"  # all of what str.splitlines splits on
    f = tmp_path / "t.csv"
    f.write_text(f'id,text\n1,"{odd}"\n2,"two\n# not a comment\nlines"\n# a comment\n3,unquoted{odd}\n', encoding="utf-8")
    header, rows = read_table(f)
    assert header == ["id", "text"]
    assert rows == [(2, {"id": "1", "text": odd}), (3, {"id": "2", "text": "two\n# not a comment\nlines"}),
                    (7, {"id": "3", "text": f"unquoted{odd}"})]


def test_a_malformed_row_is_named_by_its_real_line(tmp_path):
    from workbench.model.sourcefile import read_table

    f = tmp_path / "t.csv"
    f.write_text('id,text\n1,"a\u2028b"\n2,"x\ny"\n3,a"b",c\n4,"bad"x\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(f)
    assert [(p.line, p.message) for p in exc.value.problems] == [(6, "table syntax error: ',' expected after '\"'")]
    f.write_text('id,text\n1,ok\n2,"never closed\n3,x\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(f)
    assert [p.line for p in exc.value.problems] == [3]


@pytest.mark.parametrize("delimiter, suffix", [(",", "csv"), ("\t", "tsv")])
def test_a_column_named_twice_is_refused_naming_it(tmp_path, delimiter, suffix):
    from workbench.model.sourcefile import read_table

    f = tmp_path / f"t.{suffix}"
    f.write_text(delimiter.join(["a", "b", " a "]) + "\n" + delimiter.join("123") + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        read_table(f, delimiter)
    assert str(exc.value) == f"{f}:1: duplicate column 'a' in the header (columns 1 and 3)"


def test_a_review_file_with_a_column_named_twice_or_a_control_character_is_refused(tmp_path):
    from workbench.analysis.coding import REVIEW_COLUMNS, read_review

    f = tmp_path / "review.csv"
    f.write_text(",".join(REVIEW_COLUMNS + ["decision"]) + "\nd.txt,0,5,leadership,0.5,quote,accept,,reject\n",
                 encoding="utf-8")
    with pytest.raises(InputError, match=r":1: duplicate column 'decision' in the header \(columns 7 and 9\)$"):
        read_review(f, {"leadership"})
    f.write_text(",".join(REVIEW_COLUMNS) + '\nd.txt,0,5,leadership,0.5,"two\nlines\x0b",accept,\n', encoding="utf-8")
    with pytest.raises(InputError, match=r":2: quote: holds U\+000B \(vertical tab\) at character 10; text allows"):
        read_review(f, {"leadership"})


def test_a_document_to_code_with_a_control_character_is_refused_before_coding(tmp_path, monkeypatch, capsys):
    f = tmp_path / "pasted.txt"
    f.write_text("Competence:\nintegrity,\x0bimpartiality\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["code", "pasted.txt"]) == 2
    assert capsys.readouterr().err == (
        "pasted.txt:2: holds U+000B (vertical tab) at character 11; text allows no control characters but tab and "
        "line breaks\n")


def _yaml_depth(node, depth: int = 0) -> int:
    import yaml

    children = [v for pair in node.value for v in pair] if isinstance(node, yaml.MappingNode) else (
        node.value if isinstance(node, yaml.SequenceNode) else [])
    return max([depth] + [_yaml_depth(child, depth + 1) for child in children])


def test_yaml_nested_deeper_than_the_limit_is_refused_without_recursion(tmp_path):
    from workbench.model.sourcefile import MAX_YAML_DEPTH

    f = tmp_path / "deep.yaml"
    f.write_text("a: " + "[" * (MAX_YAML_DEPTH - 1) + "x" + "]" * (MAX_YAML_DEPTH - 1) + "\n", encoding="utf-8")
    assert _yaml_depth(read_yaml(f).root) == MAX_YAML_DEPTH  # the limit itself is allowed
    for text in ("a: " + "[" * 100_000 + "]" * 100_000, "".join(" " * i + f"k{i}:\n" for i in range(60)) + " " * 60 + "v",
                 "\n" * 4 + "- " * 500 + "x"):
        f.write_text(text + "\n", encoding="utf-8")
        with pytest.raises(InputError, match=f"YAML nested more than {MAX_YAML_DEPTH} levels deep"):
            read_yaml(f)


def test_the_depth_limit_is_far_above_the_deepest_real_file():
    from workbench.model.sourcefile import MAX_YAML_DEPTH

    files = [*REPO.glob("data/**/*.yaml"), REPO / "reports.yaml"]
    deepest = max(_yaml_depth(read_yaml(f).root) for f in files)
    assert deepest * 5 <= MAX_YAML_DEPTH, deepest


def test_a_notebook_nested_too_deep_is_an_input_error(tmp_path):
    from workbench.run.parameters import read_notebook

    f = tmp_path / "deep.ipynb"
    f.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(InputError, match="not a valid notebook: JSON nested too deeply"):
        read_notebook(f)
