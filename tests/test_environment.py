"""The two environment descriptions agree, and the ``workbench`` command is declared and installed."""
from __future__ import annotations

import re
import tomllib
from importlib.metadata import entry_points

import yaml

from conftest import REPO, run_workbench

#: Conda-only entries of environment.yml that are not Python package dependencies.
CONDA_ONLY = {"python", "pip"}


def _requirement(text: str) -> tuple[str, str]:
    """``"scikit-learn >= 1.4"`` -> ``("scikit-learn", ">=1.4")``, name normalised as pip does."""
    match = re.fullmatch(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*?)\s*", text)
    assert match, f"cannot read requirement {text!r}"
    name, spec = match.groups()
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def _pyproject() -> dict:
    return tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))


def _environment() -> dict:
    return yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))


def test_requirement_parser():
    assert _requirement("scikit-learn >= 1.4") == ("scikit-learn", ">=1.4")
    assert _requirement("PyYAML>=6.0") == ("pyyaml", ">=6.0")


def test_environment_lists_the_same_dependencies_as_pyproject():
    # The conda environment is for running and testing: dependencies plus every extra.
    project = _pyproject()["project"]
    extras = [r for group in project.get("optional-dependencies", {}).values() for r in group]
    pyproject = dict(_requirement(r) for r in project["dependencies"] + extras)
    conda_entries = [d for d in _environment()["dependencies"] if isinstance(d, str)]
    conda = dict(_requirement(d) for d in conda_entries)
    for name in CONDA_ONLY:
        conda.pop(name, None)
    assert conda == pyproject


def test_environment_python_satisfies_requires_python():
    pins = [d for d in _environment()["dependencies"] if isinstance(d, str) and d.startswith("python")]
    assert pins == ["python=3.11"]
    assert _pyproject()["project"]["requires-python"] == ">=3.11"


def test_environment_installs_this_package_with_pip():
    pip_sections = [d["pip"] for d in _environment()["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_sections == [["-e ."]]


def test_pyproject_declares_the_workbench_console_script():
    assert _pyproject()["project"]["scripts"] == {"workbench": "workbench.cli:main"}
    [entry] = [e for e in entry_points(group="console_scripts") if e.name == "workbench"]
    from workbench.cli import main

    assert entry.load() is main


def test_installed_command_answers_help():
    result = run_workbench("--help")
    assert result.returncode == 0, result.stderr
    for command in ("validate", "suggest", "agreement", "export-codebook"):
        assert command in result.stdout


def test_licences_are_declared_consistently():
    # Code under MIT, curated data under CC BY 4.0: LICENSE, pyproject and CITATION.cff must agree.
    licence = (REPO / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Permission is hereby granted" in licence
    assert "CC BY 4.0" in licence and "creativecommons.org/licenses/by/4.0" in licence
    project = _pyproject()["project"]
    assert project["license"] == {"text": "MIT"}
    assert "License :: OSI Approved :: MIT License" in project["classifiers"]
    citation = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    assert citation["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= set(citation)  # the keys CFF 1.2.0 requires
    assert citation["version"] == project["version"]
    assert citation["license"] == ["MIT", "CC-BY-4.0"]
    assert "Licences and third-party material" in (REPO / "data" / "README.md").read_text(encoding="utf-8")
