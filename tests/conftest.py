"""Shared test helpers: the repository's paths, a tiny valid data folder, and the real ``workbench`` command."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from workbench.model.synthetic import write_dataset

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"

#: The tiny data folder (``tiny_data``), small enough to check every line number by hand:
#: frameworks/gbr_fw.yaml holds items gbr_fw-1 (leadership) and gbr_fw-2 (integrity_ethics),
#: frameworks/kaz_fw.yaml item kaz_fw-1 (merit_recruitment), practices/test.yaml practice pr-1,
#: indicators.csv indicator ind-1 (40 percent, 2020); crosswalk.tsv maps each of them once.
#: tests/fixtures/bad/ holds broken copies of these files, so keep them in step.
TINY_FRAMEWORKS = {
    "gbr_fw": {"country": "GBR", "concepts": ["leadership", "integrity_ethics"]},
    "kaz_fw": {"country": "KAZ", "concepts": ["merit_recruitment"]},
}
TINY_PRACTICES = [{"id": "pr-1", "country": "KAZ", "concepts": ["leadership"]}]
TINY_INDICATORS = [{"id": "ind-1", "value": 40, "year": 2020, "concepts": ["leadership"]}]


def write_tiny_data(root: str | os.PathLike) -> Path:
    """Write the tiny valid data folder (see ``TINY_FRAMEWORKS``) to ``root``."""
    return write_dataset(root, TINY_FRAMEWORKS, practices=TINY_PRACTICES, indicators=TINY_INDICATORS)


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    """A valid data folder at ``tmp_path / "data"``; break one thing in it to test one message."""
    return write_tiny_data(tmp_path / "data")


def workbench_executable() -> str:
    """The console script installed beside the running interpreter (the package has no ``__main__``)."""
    script = Path(sys.executable).parent / "workbench"
    found = str(script) if script.exists() else shutil.which("workbench")
    if found is None:
        pytest.skip("the workbench console script is not installed (pip install -e .)")
    return found


def run_workbench(*args: str | os.PathLike, cwd: str | os.PathLike = REPO, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run ``workbench ARGS`` as a user would, capturing text output; never raises on exit status."""
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DATA"}  # tests name their data folder
    env["PYTHONIOENCODING"] = "utf-8"
    return subprocess.run(
        [workbench_executable(), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True,
        encoding="utf-8", timeout=timeout,
    )


@pytest.fixture
def run_cli() -> Callable[..., subprocess.CompletedProcess]:
    """``run_cli("validate", "--json", cwd=...)``: the real command in a subprocess."""
    return run_workbench


@pytest.fixture(autouse=True)
def _fresh_presentation_context():
    """Each test starts as a fresh kernel does: a test that calls ``present.use(ds, "ru")`` must not
    leave the next test in the same worker reading Russian headers (as the runner forgets a report
    between two on a reused kernel)."""
    yield
    page = sys.modules.get("workbench.present.page")
    if page is not None:
        page.forget()


def data_without_official(root: str | os.PathLike, country: str) -> Path:
    """A copy of the bundled data at ``root / "data"`` in which ``country`` is known only at second hand:
    its frameworks from official sources are left out, with every row that names their items.

    The bundled data has no such country (each has an official framework); the cautions, the default
    selection and the notes about secondary sources are checked on this copy instead.
    """
    import yaml

    data = Path(root) / "data"
    shutil.copytree(REPO / "data", data)
    codes, gone, kept = set(), set(), set()
    for path in sorted((data / "frameworks").glob("*.yaml")):
        record = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts = {record["title"], *(item["label"] for item in record["items"])}
        if record["country"] == country and record.get("source_kind", "official") != "secondary":
            codes |= {item["code"] for item in record["items"]}
            gone |= texts
            path.unlink()
        else:
            kept |= texts
    translations = yaml.safe_load((data / "translations.yaml").read_text(encoding="utf-8"))
    translations = [entry for entry in translations if entry["en"] not in gone - kept]  # no translation of a text no record has
    (data / "translations.yaml").write_text(yaml.safe_dump(translations, allow_unicode=True, width=10_000), encoding="utf-8")
    for table in [data / "crosswalk.tsv", *sorted((data / "coding").glob("*.tsv"))]:
        lines = table.read_text(encoding="utf-8").splitlines(keepends=True)
        table.write_text("".join(l for l in lines if l.split("\t", 1)[0].removeprefix("item:") not in codes), encoding="utf-8")
    return data


@pytest.fixture(scope="session")
def japan_at_second_hand(tmp_path_factory):
    """The bundled data with Japan known only from a secondary source (:func:`data_without_official`), loaded."""
    from workbench.model.dataset import load

    return load(data_without_official(tmp_path_factory.mktemp("secondary"), "JPN"))


#: The files that take longest (notebooks, kernels, browsers, the command line hundreds of times), heaviest
#: first. pytest-xdist's ``--dist loadfile`` hands files to workers in collection order: a long file collected
#: last kept one worker busy while the others had nothing left (the last ~20 s of a run at half the CPU). A hint
#: only: the files not named follow in their usual order, and each file's tests keep theirs.
SLOW_FILES = ("test_html_reports.py", "test_hostile_inputs.py", "test_report_runner.py", "test_outputs_safety.py",
              "test_bad_inputs.py", "test_explore.py", "test_notebooks.py", "test_reports.py", "test_lab.py")


def pytest_collection_modifyitems(session, config, items) -> None:
    rank = {name: i for i, name in enumerate(SLOW_FILES)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # a stable sort
