"""The house in layers (ARCHITECTURE.md): the import contracts, no cycle, small rooms, a true map.

These tests read the source; none runs an analysis.
"""
from __future__ import annotations

import ast
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "src" / "workbench"
LAYERS = ("workbench.model", "workbench.analysis", "workbench.present", "workbench.run")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
#: An import inside a function says why it is there (start-up time), on its line or just above its block.
DEFERRED = "deferred"


def _lint_imports(cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(pythonpath)} if pythonpath else None
    tool = Path(sys.executable).with_name("lint-imports")
    return subprocess.run([str(tool), "--no-cache"], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_import_contracts_are_kept():
    done = _lint_imports(REPO)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_the_layers_contract_refuses_an_upward_import(tmp_path):
    # A copy of the package in which the data model imports the runner: the contract must break.
    shutil.copytree(PACKAGE, tmp_path / "src" / "workbench", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    errors = tmp_path / "src" / "workbench" / "model" / "errors.py"
    errors.write_text(errors.read_text(encoding="utf-8") + "\nimport workbench.run.cli  # an upward import\n", encoding="utf-8")
    done = _lint_imports(tmp_path, pythonpath=tmp_path / "src")
    assert done.returncode != 0
    assert "workbench.model.errors -> workbench.run.cli" in done.stdout


def _import_graph():
    import grimp
    import networkx as nx

    graph = grimp.build_graph("workbench")  # annotation-only (TYPE_CHECKING) imports included
    out = nx.DiGraph()
    for module in graph.modules:
        out.add_node(module)
        for imported in graph.find_modules_directly_imported_by(module):
            out.add_edge(module, imported)
    return out


def test_no_import_cycle_anywhere():
    import networkx as nx

    graph = _import_graph()
    assert graph.number_of_nodes() >= 40
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], f"{len(cycles)} import cycles, e.g. {' -> '.join(cycles[0])}"


def test_every_module_lives_in_a_layer():
    loose = [p.relative_to(PACKAGE).as_posix() for p in _modules() if p.parent == PACKAGE]
    # the package's front door and the lazy-export helper every layer front uses
    assert sorted(loose) == ["__init__.py", "_exports.py"]


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_lists_its_public_api(layer):
    module = importlib.import_module(layer)
    assert module.__all__, f"{layer} has no __all__"
    for name in module.__all__:
        assert getattr(module, name) is not None, f"{layer}.{name}"


def _imports_inside_functions(path: Path) -> list[tuple[int, str, str]]:
    """(line, import line, comment context) of every import statement inside a function."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for fn in ast.walk(ast.parse("\n".join(lines))):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    i = first = node.lineno - 1
                    while first > 0 and lines[first - 1].strip().startswith(("import ", "from ")):
                        first -= 1  # a block of imports shares the comment above it
                    above = lines[first - 1] if first > 0 else ""
                    found.append((node.lineno, lines[i].strip(), lines[i] + " " + above))
    return found


def test_imports_inside_functions_say_why():
    unexplained = [f"{p.relative_to(REPO)}:{line}: {text}"
                   for p in _modules() for line, text, context in _imports_inside_functions(p)
                   if DEFERRED not in context]
    assert unexplained == [], "imports inside functions without a '# deferred: why' comment:\n" + "\n".join(unexplained)


def test_the_deferred_rule_sees_an_unexplained_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def f():\n    import json\n    return json\n\n\ndef g():\n    # deferred: start-up time\n    import csv\n    return csv\n")
    found = _imports_inside_functions(sample)
    assert [(line, DEFERRED in context) for line, _, context in found] == [(2, False), (8, True)]


def test_modules_are_at_most_400_lines():
    long = {p.relative_to(REPO).as_posix(): n for p in _modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert long == {}


def test_functions_are_at_most_60_lines():
    long = []
    for p in _modules():
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                if n > MAX_FUNCTION_LINES:
                    long.append(f"{p.relative_to(REPO)}:{node.lineno}: {node.name} {n} lines")
    assert long == []


def test_architecture_md_names_only_what_exists():
    text = (REPO / "ARCHITECTURE.md").read_text(encoding="utf-8")
    dotted = set(re.findall(r"`(workbench(?:\.[A-Za-z_][A-Za-z0-9_]*)+)`", text))
    paths = set(re.findall(r"`((?:src|data|notebooks|tests|benchmarks)/[^`*<> ]+)`", text))
    assert len(dotted) >= 20, "the map names the modules"
    for name in sorted(dotted):
        module, _, attr = name, "", ""
        while True:
            try:
                found = importlib.import_module(module)
                break
            except ModuleNotFoundError:
                module, _, tail = module.rpartition(".")
                attr = f"{tail}.{attr}".strip(".")
        for part in filter(None, attr.split(".")):
            assert hasattr(found, part), f"ARCHITECTURE.md names {name}, which does not exist"
            found = getattr(found, part)
    for path in sorted(paths):
        assert (REPO / path.rstrip("/")).exists(), f"ARCHITECTURE.md names {path}, which does not exist"
    for p in _modules():
        if p.name != "__init__.py" and p.parent != PACKAGE:
            name = ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts)
            # a layer's module is named itself; a module of a sub-package (model.validate.*) by its package
            named = name if p.parent.parent == PACKAGE else name.rpartition(".")[0]
            assert f"`{named}`" in text, f"ARCHITECTURE.md does not place {named}"


def test_the_runner_starts_without_the_data_model_or_pandas():
    """The nothing-changed rebuild (issue 20: under 0.2 s) imports the runner only: a module-level
    import that pulls in the record models or pandas makes every rebuild pay for it (it once did,
    through the translations' check: 0.12 s -> 0.20 s)."""
    heavy = ("pandas", "numpy", "workbench.model.schema", "workbench.model.options", "workbench.model.translations")
    code = f"import sys, workbench.run.runner; print([m for m in {heavy!r} if m in sys.modules])"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


#: The top level the users asked for, plus the engineering around it; anything else tracked there
#: (a review's screenshots, a stray PDF) is clutter a newcomer must not have to wonder about.
TOP_LEVEL = {
    "notebooks", "data", "src", "figures", "reports", "environment.yml", "README.md",
    "ARCHITECTURE.md", "CITATION.cff", "LICENSE", "Makefile", "pyproject.toml", "reports.yaml",
    "benchmarks", "requirements", "scripts", "tests", ".ci", ".gitignore", ".importlinter",
}


def test_the_top_level_holds_only_what_it_should():
    if not (REPO / ".git").exists():
        pytest.skip("not a git checkout")
    listed = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    tracked = {line.split("/", 1)[0] for line in listed.splitlines() if line}
    assert tracked <= TOP_LEVEL, f"unexpected at the top level: {sorted(tracked - TOP_LEVEL)}"
