"""Issue 23, outputs: nothing lost, nothing trusted blindly.

Outputs on two file systems, a swap that fails, stray files and leftovers where an output goes, a
lock that survives ``rm -rf reports/.cache``, and a full disk reported as a full disk. Each test
checks the exact line a user reads.
"""
from __future__ import annotations

import errno
import json
import os
import shutil
import threading
import time
from pathlib import Path

import pytest
import yaml

import workbench.run.report as report_module
from workbench.model.errors import InputError, os_error_text
from workbench.run import Project, RunLock, run_reports
from workbench.run.results import error_text
from test_report_runner import entry, make_project

REAL_REPLACE = os.replace
#: The tests that run the tiny notebook (a kernel each): a few seconds apiece.
runs = pytest.mark.integration


def run(project: Project, **kwargs) -> dict[str, tuple[str, str]]:
    return {r.name: (r.status, r.error) for r in run_reports(project, jobs=1, progress=False, **kwargs)}


def set_matrix(project: Project, *entries: dict) -> None:
    project.matrix.write_text(yaml.safe_dump({"reports": list(entries)}, sort_keys=False), encoding="utf-8")


def outputs(project: Project, name: str = "one") -> dict[str, bytes]:
    """The bytes of a report's outputs (HTML, executed notebook, figures)."""
    found = {"html": (project.reports / f"{name}.html").read_bytes(),
             "notebook": (project.reports / "notebooks" / f"{name}.ipynb").read_bytes()}
    for p in sorted((project.figures / name).rglob("*")):
        found[f"figures/{p.relative_to(project.figures / name)}"] = p.read_bytes()
    return found


def leftovers(project: Project) -> list[str]:
    """Hidden things the runner may leave beside the outputs (staged, kept aside, copied)."""
    places = [project.figures, project.reports, project.reports / "notebooks"]
    return sorted(str(p.relative_to(project.root)) for place in places if place.is_dir() for p in place.iterdir()
                  if p.name.startswith(".") and p.name not in (".cache", ".failed"))


def fail_replace(monkeypatch, when, code: int) -> None:
    """``os.replace`` and ``os.rename`` raise ``OSError(code)`` for the moves ``when(src, dst)`` picks."""
    def fake(src, dst, *args, **kwargs):
        if when(Path(os.path.abspath(src)), Path(os.path.abspath(dst))):
            raise OSError(code, os.strerror(code), str(src), None, str(dst))
        return REAL_REPLACE(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", fake)
    monkeypatch.setattr(os, "rename", fake)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Project:
    """A checkout with one tiny report ``one`` (it saves ``note.txt`` in its figures folder), as the working directory."""
    project = make_project(tmp_path, [entry("one", label="v1")])
    monkeypatch.chdir(tmp_path)  # messages name paths as a user in the checkout reads them
    return project


# -- 5. outputs on two file systems, a failed swap, strays and leftovers ------------------------
@runs
def test_reports_on_another_file_system_than_figures_are_put_in_place(project, monkeypatch):
    # reports/ is a link to a synced drive: no rename works between reports/ and figures/
    top = lambda p: p.relative_to(project.root).parts[0] if p.is_relative_to(project.root) else None  # noqa: E731
    fail_replace(monkeypatch, lambda src, dst: top(src) != top(dst), errno.EXDEV)
    assert run(project) == {"one": ("ok", "")}
    set_matrix(project, entry("one", label="v2"))
    assert run(project) == {"one": ("ok", "")}
    assert (project.figures / "one" / "note.txt").read_text() == "v2"
    assert "v2" in (project.reports / "one.html").read_text(encoding="utf-8")
    assert leftovers(project) == []
    assert run(project) == {"one": ("skipped", "")}


@runs
def test_a_staged_output_that_cannot_be_renamed_is_copied_into_place(project, monkeypatch):
    assert run(project) == {"one": ("ok", "")}
    # every move from staging to its destination crosses file systems: copy, then rename the copy
    fail_replace(monkeypatch, lambda src, dst: src.name.endswith(".new"), errno.EXDEV)
    set_matrix(project, entry("one", label="v2"))
    assert run(project) == {"one": ("ok", "")}
    assert (project.figures / "one" / "note.txt").read_text() == "v2"
    assert "v2" in (project.reports / "one.html").read_text(encoding="utf-8")
    assert leftovers(project) == []


@runs
def test_a_swap_that_fails_puts_the_last_good_figures_back(project, monkeypatch):
    assert run(project) == {"one": ("ok", "")}
    before = outputs(project)
    # across file systems, and the copy fills the disk
    fail_replace(monkeypatch, lambda src, dst: src.name.endswith(".new"), errno.EXDEV)
    real_copyfile = shutil.copyfile

    def full(src, dst, *args, **kwargs):
        if Path(os.path.abspath(dst)).is_relative_to(project.root):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_copyfile(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", full)
    set_matrix(project, entry("one", label="v2"))
    assert run(project) == {"one": ("failed", "figures/one: cannot put in place: no space left on device (the disk is full); "
                                              "the previous outputs are kept")}
    assert outputs(project) == before and (project.figures / "one" / "note.txt").read_text() == "v1"
    assert leftovers(project) == []
    monkeypatch.undo()
    monkeypatch.chdir(project.root)
    assert run(project) == {"one": ("ok", "")}  # tried again, never called unchanged
    assert (project.figures / "one" / "note.txt").read_text() == "v2"


@runs
def test_a_swap_that_fails_after_the_figures_puts_every_previous_output_back(project, monkeypatch):
    assert run(project) == {"one": ("ok", "")}
    before = outputs(project)
    fail_replace(monkeypatch, lambda src, dst: src.name == ".one.html.new", errno.EACCES)
    set_matrix(project, entry("one", label="v2"))
    assert run(project) == {"one": ("failed", "reports/one.html: cannot put in place: permission denied; "
                                              "the previous outputs are kept")}
    assert outputs(project) == before
    assert leftovers(project) == []
    monkeypatch.undo()
    monkeypatch.chdir(project.root)
    assert run(project) == {"one": ("ok", "")}


@runs
def test_a_stray_file_where_the_figures_folder_goes_is_cleared_once_and_for_all(project):
    project.figures.mkdir()
    (project.figures / "one").write_text("not a folder")
    assert run(project) == {"one": ("ok", "")}
    assert (project.figures / "one" / "note.txt").read_text() == "v1"
    assert leftovers(project) == []
    for label in ("v2", "v3"):  # every later regeneration works too
        set_matrix(project, entry("one", label=label))
        assert run(project) == {"one": ("ok", "")}
        assert (project.figures / "one" / "note.txt").read_text() == label
    assert leftovers(project) == []


@runs
@pytest.mark.parametrize("leftover, kind", [
    ("figures/.one.old", "file"),      # what the stray file above became before issue 23
    ("figures/.one.old", "folder"),    # the previous figures of a run killed after its swap
    ("figures/.one.new", "file"),      # a run killed while its figures were staged
    ("reports/.one.html.new", "file"),
    ("reports/notebooks/.one.ipynb.new", "folder"),
    ("reports/.one.html.old", "file"),
])
def test_a_leftover_beside_an_output_never_makes_a_run_fail(project, leftover, kind):
    assert run(project) == {"one": ("ok", "")}
    path = project.root / leftover
    if kind == "folder":
        path.mkdir()
        (path / "stale.txt").write_text("stale")
    else:
        path.write_text("stale")
    # the run after it succeeds and clears it (a later run then starts from a clean folder, as the
    # stray-file test above shows for two more)
    set_matrix(project, entry("one", label="v2"))
    assert run(project) == {"one": ("ok", "")}
    assert (project.figures / "one" / "note.txt").read_text() == "v2"
    assert leftovers(project) == []


@runs
def test_figures_left_aside_by_a_killed_run_go_back_even_when_the_next_attempt_fails(project):
    assert run(project) == {"one": ("ok", "")}
    os.replace(project.figures / "one", project.figures / ".one.old")  # killed between the two renames of a swap
    set_matrix(project, entry("one", label="v2", fail=True))
    assert run(project) == {"one": ("failed", "cell 3: ValueError: deliberate failure for the test")}
    assert (project.figures / "one" / "note.txt").read_text() == "v1"
    assert leftovers(project) == []


# -- 6. the lock ---------------------------------------------------------------------------------
@runs
def test_deleting_the_cache_during_a_run_does_not_free_the_lock(project):
    set_matrix(project, entry("slow", sleep=3.0))
    first: dict = {}
    worker = threading.Thread(target=lambda: first.update(run(project)))
    worker.start()
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not (project.cache / "run" / "slow").exists():
            time.sleep(0.05)
        assert (project.cache / "run" / "slow").exists(), "the first run never started its report"
        shutil.rmtree(project.cache)  # "clearing the cache"
        holder = json.loads((project.root / ".workbench-run.lock").read_text())
        with pytest.raises(InputError) as err:
            run_reports(project, jobs=1, progress=False, wait=False)
        assert str(err.value) == (f".workbench-run.lock: another report run is in progress (pid {os.getpid()}, "
                                  f"`{holder['command']}`, started {holder['started']})")
    finally:
        worker.join(60)
    # the report whose work folder was deleted says so, and is run again next time
    assert first == {"slow": ("failed", "reports/.cache/run/slow/slow.ipynb: cannot write: no such file or folder")}
    assert run(project, wait=False) == {"slow": ("ok", "")}


def test_a_lock_file_replaced_while_a_run_waited_is_taken_again(tmp_path):
    path = tmp_path / ".workbench-run.lock"
    first, waiting, third = RunLock(path), RunLock(path), RunLock(path)
    first.acquire()
    got = threading.Event()
    second = threading.Thread(target=lambda: (waiting.acquire(poll=0.05), got.set()))
    second.start()
    time.sleep(0.3)  # the second run waits on the first run's file
    path.unlink()    # someone deletes the lock file...
    third.acquire(wait=False)  # ...and a third run takes a new one
    first.release()
    try:
        assert not got.wait(0.5), "the waiting run took the lock of a deleted file while another run held the new one"
    finally:
        third.release()
    assert got.wait(5)
    waiting.release()
    second.join(5)


# -- 7. the real cause of an error ---------------------------------------------------------------
@runs
def test_a_full_disk_while_papermill_saves_the_notebook_is_a_full_disk(project, monkeypatch):
    import papermill.iorw

    assert run(project) == {"one": ("ok", "")}
    before = outputs(project)

    def full(self, buf, path):  # the file is opened (emptied), then the disk is full
        with open(path, "w", encoding="utf-8"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(papermill.iorw.LocalHandler, "write", full)
    assert run(project, force=True) == {"one": ("failed", "reports/.cache/run/one/one.ipynb: cannot write: "
                                                          "no space left on device (the disk is full)")}
    assert outputs(project) == before
    assert leftovers(project) == []


@runs
def test_a_full_disk_while_the_html_is_staged_names_the_html(project, monkeypatch):
    assert run(project) == {"one": ("ok", "")}
    before = outputs(project)

    class Full:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def opener(path, mode="r", *args, **kwargs):
        fh = open(path, mode, *args, **kwargs)
        return Full(fh) if str(path).endswith(".html.new") else fh

    monkeypatch.setattr(report_module, "open", opener, raising=False)
    assert run(project, force=True) == {"one": ("failed", "reports/one.html: cannot write: no space left on device (the disk is full)")}
    assert outputs(project) == before
    assert leftovers(project) == []


@pytest.mark.parametrize("code, message", [
    (errno.ENOSPC, "reports/one.html: cannot write: no space left on device (the disk is full)"),
    (errno.EDQUOT, "reports/one.html: cannot write: disk quota exceeded"),
    (errno.EACCES, "reports/one.html: cannot write: permission denied"),
    (errno.EPERM, "reports/one.html: cannot write: permission denied"),
    (errno.EROFS, "reports/one.html: cannot write: read-only file system"),
    (errno.EXDEV, "reports/one.html: cannot write: cannot move across file systems (cross-device link)"),
])
def test_each_cause_is_named_in_words(tmp_path, monkeypatch, code, message):
    monkeypatch.chdir(tmp_path)
    assert os_error_text(OSError(code, os.strerror(code)), tmp_path / "reports" / "one.html", "cannot write") == message


def test_an_error_that_follows_from_a_full_disk_is_reported_as_the_full_disk(tmp_path, monkeypatch):
    import nbformat

    monkeypatch.chdir(tmp_path)
    try:
        try:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "reports" / "one.html"))
        except OSError:
            nbformat.reads("", as_version=4)  # what reading the notebook the full disk cut short gives
    except Exception as exc:  # noqa: BLE001
        assert error_text(exc) == "reports/one.html: no space left on device (the disk is full)"
    rename = OSError(errno.EXDEV, os.strerror(errno.EXDEV), "figures/.one.new", None, "figures/one")
    assert error_text(rename) == "figures/.one.new -> figures/one: cannot move across file systems (cross-device link)"


def test_a_cells_os_error_names_its_file_and_cause(tmp_path, monkeypatch):
    class CellError(Exception):
        ename, evalue, exec_count = "OSError", f"[Errno 28] No space left on device: '{tmp_path}/figures/one/map.png'", 7

    monkeypatch.chdir(tmp_path)
    assert error_text(CellError(), 3) == "cell 3: OSError: figures/one/map.png: no space left on device (the disk is full)"


def test_an_output_over_a_pipe_is_refused_and_over_a_link_writes_the_file_it_leads_to(tmp_path):
    """Found by a hostile-input review: ``--out`` naming a pipe or a device replaced it with a file,
    and naming a link replaced the link, leaving the file it led to unchanged."""
    from workbench.model.outputs import atomic_write

    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    with pytest.raises(InputError, match="is a device, pipe or socket"):
        atomic_write(pipe, "x")
    assert pipe.is_fifo()
    real, link = tmp_path / "real.csv", tmp_path / "link.csv"
    real.write_text("old", encoding="utf-8")
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "new"
