"""The report runner: matrix errors, the cache, failure isolation, interrupted runs."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from workbench.model.errors import InputError
from workbench.run import Project, load_matrix, notebook_parameters, run_reports

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "fixtures" / "notebooks" / "tiny.ipynb"
WORKBENCH = Path(sys.executable).parent / "workbench"

pytestmark = pytest.mark.integration


def make_project(root: Path, reports: list[dict]) -> Project:
    """A throwaway checkout: the real data, the tiny notebook, and the given matrix."""
    (root / "notebooks").mkdir(parents=True)
    shutil.copy(TINY, root / "notebooks" / "tiny.ipynb")
    shutil.copytree(REPO / "data", root / "data")
    (root / "reports.yaml").write_text(yaml.safe_dump({"reports": reports}, sort_keys=False), encoding="utf-8")
    return Project(root)


def entry(name: str, **params) -> dict:
    return {"name": name, "notebook": "tiny.ipynb", "description": f"test report {name}", "parameters": params}


def test_parameters_cell_is_read_with_types_and_comments():
    params = notebook_parameters(TINY)
    assert params["fail"].type == "bool" and params["fail"].default == "False"
    assert params["label"].help == "text shown in the report"


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"name": "../escape", "notebook": "tiny.ipynb", "description": "d"}, "report '../escape': name '../escape' is not a plain file name"),
        ({"name": "a/b", "notebook": "tiny.ipynb", "description": "d"}, "is not a plain file name"),
        ({"name": "x", "notebook": "missing.ipynb", "description": "d"}, "report 'x': unknown notebook 'missing.ipynb'"),
        ({"name": "x", "notebook": "tiny.ipynb", "description": "d", "parameters": {"colour": "red"}}, "report 'x': unknown parameter 'colour' for notebook 'tiny.ipynb'"),
        ({"name": "x", "notebook": "tiny.ipynb", "description": "d", "parameters": {"figures_dir": "/tmp"}}, "parameter 'figures_dir' is set by the runner"),
        ({"name": "x", "notebook": "tiny.ipynb"}, "report 'x': missing one-line 'description'"),
        ({"name": "x", "notebook": "tiny.ipynb", "description": "d", "colour": 1}, "report 'x': unknown field 'colour'"),
    ],
)
def test_bad_matrix_entries_get_one_line_naming_the_entry(tmp_path, bad, message):
    project = make_project(tmp_path, [entry("good"), bad])
    with pytest.raises(InputError) as err:
        load_matrix(project.matrix, project.notebooks)
    assert len(err.value.problems) == 1
    line = str(err.value.problems[0])
    assert line.startswith("reports.yaml:") or "reports.yaml:" in line
    assert message in line
    # and through the command: exit 2, one line, no traceback, nothing written
    proc = subprocess.run([str(WORKBENCH), "reports", "--no-progress"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "reports").exists()


def test_duplicate_report_name(tmp_path):
    project = make_project(tmp_path, [entry("same"), entry("same")])
    with pytest.raises(InputError, match=r"reports.yaml:\d+: report 'same': duplicate report name"):
        load_matrix(project.matrix, project.notebooks)


def test_cache_reruns_exactly_the_affected_reports(tmp_path):
    project = make_project(tmp_path, [entry("one", label="first"), entry("two", label="second")])
    first = run_reports(project, jobs=2, progress=False)
    assert [r.status for r in first] == ["ok", "ok"]
    assert (project.reports / "one.html").exists() and (project.reports / "notebooks" / "two.ipynb").exists()
    assert (project.figures / "one" / "note.txt").read_text() == "first"
    assert (project.reports / "index.html").exists()

    started = time.perf_counter()
    again = run_reports(project, progress=False)
    assert [r.status for r in again] == ["skipped", "skipped"]
    assert time.perf_counter() - started < 5

    # a parameter change reruns that report only
    project.matrix.write_text(yaml.safe_dump({"reports": [entry("one", label="changed"), entry("two", label="second")]}), encoding="utf-8")
    assert {r.name: r.status for r in run_reports(project, progress=False)} == {"one": "ok", "two": "skipped"}
    assert "changed" in (project.reports / "one.html").read_text(encoding="utf-8")

    # a data change reruns every report
    with open(project.data / "sources.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# a comment is still a change to the data\n")
    assert {r.status for r in run_reports(project, progress=False)} == {"ok"}

    # --force reruns even when nothing changed
    assert {r.status for r in run_reports(project, force=True, progress=False)} == {"ok"}


def test_failing_report_keeps_its_last_good_output_and_others_run(tmp_path):
    project = make_project(tmp_path, [entry("good"), entry("flaky")])
    run_reports(project, progress=False)
    before = (project.reports / "flaky.html").read_bytes()
    before_nb = (project.reports / "notebooks" / "flaky.ipynb").read_bytes()

    project.matrix.write_text(yaml.safe_dump({"reports": [entry("good", label="new"), entry("flaky", fail=True)]}), encoding="utf-8")
    proc = subprocess.run([str(WORKBENCH), "reports", "--no-progress"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1
    failed_line = next(line for line in proc.stdout.splitlines() if line.startswith("FAILED"))
    assert "flaky" in failed_line and "ValueError: deliberate failure for the test" in failed_line and "cell" in failed_line
    assert "Traceback" not in proc.stdout
    assert (project.reports / "flaky.html").read_bytes() == before
    assert (project.reports / "notebooks" / "flaky.ipynb").read_bytes() == before_nb
    assert (project.failed / "flaky.ipynb").exists()
    assert "new" in (project.reports / "good.html").read_text(encoding="utf-8")
    # it is tried again next time (its inputs are not marked as done)
    assert {r.name: r.status for r in run_reports(project, progress=False)}["flaky"] == "failed"


def test_interrupted_run_leaves_the_old_report_intact(tmp_path):
    project = make_project(tmp_path, [entry("slow")])
    run_reports(project, progress=False)
    before = (project.reports / "slow.html").read_bytes()
    project.matrix.write_text(yaml.safe_dump({"reports": [entry("slow", sleep=30.0, label="never")]}), encoding="utf-8")
    proc = subprocess.Popen([str(WORKBENCH), "reports", "--no-progress"], cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    run_dir = project.cache / "run"
    while time.time() < deadline and not (run_dir / "slow").is_dir():
        time.sleep(0.2)
    assert (run_dir / "slow").is_dir(), "the report never started"
    time.sleep(2.0)  # its kernel is running the 30-second cell
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert (project.reports / "slow.html").read_bytes() == before
    assert not [p for p in project.reports.glob("*.html") if p.name not in ("slow.html", "index.html", "index-ru.html", "index-kk.html")]


def test_only_takes_a_grids_entry_name_for_all_its_reports():
    """An outside review: `--only versions` was refused as an unknown report, naming none of versions-en, -ru, -kk."""
    from workbench.run.matrix import load_matrix
    from workbench.run.runner import _chosen

    specs = load_matrix(REPO / "reports.yaml", REPO / "notebooks")
    assert [s.name for s in _chosen(specs, ["versions"])] == ["versions-en", "versions-ru", "versions-kk"]
    assert [s.name for s in _chosen(specs, ["taxonomy", "versions-ru"])] == ["taxonomy", "versions-ru"]
    with pytest.raises(InputError, match="unknown report 'version'"):
        _chosen(specs, ["version"])
