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
