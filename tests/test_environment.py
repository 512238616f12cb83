"""pyproject.toml, the lock files, the Makefile and environment.yml agree; the ``workbench`` command is installed."""
from __future__ import annotations

import re
import tomllib
from importlib.metadata import entry_points

import yaml

from conftest import REPO, run_workbench

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


def _lock(name: str) -> dict[str, str]:
    """``requirements/<name>.lock`` as {normalised name: exact version}."""
    pins = {}
    for text in (REPO / "requirements" / f"{name}.lock").read_text(encoding="utf-8").splitlines():
        if text and not text[0].isspace() and not text.startswith("#"):
            package, sep, version = text.partition("==")
            assert sep, f"{name}.lock: not an exact pin: {text!r}"
            pins[_requirement(package)[0]] = version.strip()
    return pins


def test_lock_files_pin_every_dependency_within_pyprojects_ranges():
    from packaging.specifiers import SpecifierSet

    project = _pyproject()["project"]
    main, test = _lock("main"), _lock("test")
    groups = {"main": (main, project["dependencies"]),
              "test": (test, project["dependencies"] + [r for g in project["optional-dependencies"].values() for r in g])}
    for lock_name, (pins, requirements) in groups.items():
        for requirement in requirements:
            name, spec = _requirement(requirement)
            assert name in pins, f"{lock_name}.lock lacks {name}: run `make lock`"
            assert pins[name] in SpecifierSet(spec), f"{lock_name}.lock pins {name}=={pins[name]}, outside {spec}: run `make lock`"


def test_test_lock_is_main_lock_plus_the_test_extras():
    main, test = _lock("main"), _lock("test")
    assert {name: test.get(name) for name in main} == main
    extras = {_requirement(r)[0] for g in _pyproject()["project"]["optional-dependencies"].values() for r in g}
    assert extras <= set(test) and not extras & set(main), "make reports must not install the test extras"


def test_lock_files_are_for_python_311_on_linux():
    for name in ("main", "test"):
        header = (REPO / "requirements" / f"{name}.lock").read_text(encoding="utf-8").split("\n", 3)[1]
        assert "--python-version 3.11" in header and "--python-platform linux" in header and f"requirements/{name}.lock" in header


def test_the_makefile_installs_from_the_locks():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    installer = re.search(r"^install = (.+)$", makefile, re.M).group(1)
    uv, pip = installer.split(" || ")
    assert uv.startswith("{ test -x $(UV) && $(UV) pip install ") and "--compile-bytecode" in uv and uv.endswith(" $(1); }")
    assert pip == "$(BIN)/python -m pip install --quiet $(1)"  # where uv cannot be installed or reach the index
    for args in ("-r requirements/main.lock", "--no-deps -e .", "-r requirements/test.lock"):
        assert f"$(call install,{args})" in makefile
    assert "pip install --quiet uv==$(UV_VERSION)" in makefile  # the one package pip installs, pinned
    assert "[test]" not in makefile  # no unpinned install of the extras


def test_environment_installs_python_311_and_the_test_lock():
    env = _environment()
    assert env["channels"] == ["conda-forge"]
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    assert conda == ["python=3.11", "pip"]
    assert _pyproject()["project"]["requires-python"] == ">=3.11"
    pip_sections = [d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d]
    assert pip_sections == [["-r requirements/test.lock", "-e ."]]


def test_pyproject_declares_the_workbench_console_script():
    assert _pyproject()["project"]["scripts"] == {"workbench": "workbench.run.cli:main"}
    [entry] = [e for e in entry_points(group="console_scripts") if e.name == "workbench"]
    from workbench.run.cli import main

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
