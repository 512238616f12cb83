"""One report: executed on a worker's kernel, exported to HTML, and only then put in place.

Each output is staged beside its destination, on the same file system: the figures in a hidden
folder of ``figures/`` (``figures/.<name>.new``), the executed notebook and the HTML in hidden
files beside theirs (``reports/.<name>.html.new``). Putting them in place is then a rename inside
one folder (a copy first, should the system still refuse a rename across file systems). The
previous outputs are kept aside (``.<name>.old``) until every new one is in place, and are put
back if any step fails: a failed attempt never loses the last good output.
"""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path
from typing import Any

from workbench.model.errors import InputError, display_path, os_cause, os_error_text
from workbench.model.outputs import atomic_write
from workbench.run.executed import normalise_executed
from workbench.run.kernels import with_reset_cell
from workbench.run.matrix import ReportSpec
from workbench.run.project import Project, output_paths
from workbench.run.results import RunResult, error_text
from workbench.run.swap import beside, clear, move, put_back, recover, set_aside

__all__ = ["run_report"]

#: A report's outputs, in the order they are put in place (the folder, the one step that moves more than a name, first).
OUTPUTS = ("figures", "notebook", "annex", "html")


def run_report(spec: ReportSpec, project: Project, key: str, versions: dict[str, str], km: Any, reset: bool,
               stop: threading.Event, commit: threading.Lock) -> RunResult:
    """Execute one report on the kernel ``km``, export it, and replace its previous outputs.

    Parameters
    ----------
    spec, project, key : the report, its checkout, and its cache key (written last).
    versions : data, taxonomy and package versions for the report's footer.
    km, reset : the worker's kernel; ``reset`` when it ran a report before (a reset cell runs first).
    stop, commit : the run's Ctrl-C event, and the lock held while outputs are put in place.

    Returns
    -------
    The report's result: ok, failed (its notebook kept in ``reports/.failed/``) or interrupted.
    """
    # deferred: papermill, nbformat and the HTML export (pandas, jinja2) load only when a report is run
    import nbformat
    import papermill
    from workbench.present.export import export_pages
    from workbench.run.engine import ENGINE

    paths = output_paths(project, spec.name)
    # One run at a time (the lock), so a report's work folder and staged outputs can have fixed names.
    staged = {kind: beside(paths[kind], "new") for kind in OUTPUTS}
    work = project.cache / "run" / spec.name
    executed = work / f"{spec.name}.ipynb"  # papermill's, saved after each cell
    _prepare(work, staged, paths)
    start = time.perf_counter()
    try:
        nb = nbformat.read(str(project.notebooks / spec.notebook), as_version=4)
        if reset:
            with_reset_cell(nb)
        try:
            papermill.execute_notebook(nb, str(executed), parameters={**spec.parameters, "figures_dir": str(staged["figures"])},
                                       kernel_name="python3", progress_bar=False, log_output=False, report_mode=False,
                                       # no save of the whole notebook before and after every cell (papermill's default):
                                       # the executed notebook is written once, at the end
                                       request_save_on_cell_execute=False,
                                       engine_name=ENGINE, km=km)  # our kernel and its kept client; left running
        except Exception as exc:  # the notebook raised, its kernel died (or was killed by Ctrl-C), or the disk failed
            if stop.is_set():
                return RunResult(spec.name, "interrupted", time.perf_counter() - start)
            error = _keep_failed(exc, spec, project, executed, staged["figures"], paths)
            return RunResult(spec.name, "failed", time.perf_counter() - start, error=error)
        done = normalise_executed(nbformat.read(str(executed), as_version=4), spec, staged["figures"], paths["figures"], project.notebooks)
        _stage(staged["notebook"], nbformat.writes(done).encode("utf-8"), paths["notebook"])
        _stage_pages(export_pages(staged["notebook"], spec, versions, fonts_cache=project.cache / "fonts"), staged, paths)
        with commit:
            if stop.is_set():
                return RunResult(spec.name, "interrupted", time.perf_counter() - start)
            # Everything is complete on disk; only now replace the previous outputs.
            _put_in_place(staged, key, paths)
        return RunResult(spec.name, "ok", time.perf_counter() - start, html=str(paths["html"].relative_to(project.root)))
    finally:
        if not stop.is_set():
            shutil.rmtree(work, ignore_errors=True)
            for kind in OUTPUTS:
                clear(staged[kind], quiet=True)  # what a failure left staged


def _prepare(work: Path, staged: dict[str, Path], paths: dict[str, Path]) -> None:
    """An empty work folder for papermill, and an empty staging folder beside the report's figures.

    What a killed run left goes first: its staged outputs, and any previous output it had set aside
    (back in place). A failure names the report's output, not its staged twin.
    """
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for kind in OUTPUTS:
        try:
            recover(paths[kind])
            clear(staged[kind])
            if kind == "figures":
                staged[kind].mkdir(parents=True)
        except OSError as exc:
            raise InputError.single(paths[kind], 0, f"cannot write: {os_cause(exc)}") from exc


def _keep_failed(exc: Exception, spec: ReportSpec, project: Project, executed: Path, staging_figures: Path,
                 paths: dict[str, Path]) -> str:
    """Keep a failed report's executed notebook in ``reports/.failed/``; the error as one line, naming its cell.

    An OSError is papermill failing to save the executed notebook (a full disk, a missing
    permission): that is the error to tell, and the notebook it cut short is not kept.
    """
    import nbformat  # deferred: as in run_report, loaded only when a report is run

    if isinstance(exc, OSError):
        return os_error_text(exc, exc.filename or executed, "cannot write")[:300]
    error = error_text(exc)
    if not executed.exists():
        return error
    try:
        failed_nb = normalise_executed(nbformat.read(str(executed), as_version=4), spec, staging_figures,
                                       paths["figures"], project.notebooks)
        atomic_write(paths["failed"], nbformat.writes(failed_nb))
    except Exception:  # noqa: BLE001 - a notebook that cannot be kept (cut short, no space): the report's own error is the one to tell
        return error
    # A reused kernel counts on from the previous report: name the cell by its number
    # in this notebook, as a fresh kernel would.
    count = next((c.get("execution_count") for c in failed_nb.cells if c.get("cell_type") == "code"
                  and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
    if count and getattr(exc, "exec_count", None):
        error = error_text(exc, count)
    return error


# -- putting outputs in place ----------------------------------------------------------------------


def _stage(staged: Path, data: bytes, target: Path) -> None:
    """Write ``data`` to ``staged``, beside ``target``; a failure names ``target`` (the staged file is ours) and leaves nothing."""
    if staged.parent.exists() and not staged.parent.is_dir():
        raise InputError.single(target, 0, f"cannot write: '{display_path(staged.parent)}' is a file, not a folder")
    try:
        staged.parent.mkdir(parents=True, exist_ok=True)
        with open(staged, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        clear(staged, quiet=True)
        raise InputError.single(target, 0, f"cannot write: {os_cause(exc)}") from exc


def _stage_pages(pages: tuple[bytes, bytes | None], staged: dict[str, Path], paths: dict[str, Path]) -> None:
    """Stage the report's page and its annex; a report without annex cells has none (a previous one
    is removed when the outputs go in place)."""
    page, annex = pages
    if annex is not None:
        _stage(staged["annex"], annex, paths["annex"])
    _stage(staged["html"], page, paths["html"])


def _put_in_place(staged: dict[str, Path], key: str, paths: dict[str, Path]) -> None:
    """Replace a report's previous outputs with the staged ones, the cache key last.

    The key goes first, so that a report whose outputs are not all new is run again, never called
    unchanged. The previous outputs are kept aside until the new ones are all in place; if a step
    fails they are put back and the error names the output that could not be replaced.
    """
    paths["key"].unlink(missing_ok=True)
    kept: list[tuple[Path, Path]] = []
    for kind in OUTPUTS:
        try:
            previous = set_aside(paths[kind], folder=kind == "figures")
            if previous is not None:
                kept.append((paths[kind], previous))
            if kind == "annex" and not staged[kind].exists():
                continue  # no annex this time: the previous one, set aside, goes with the others
            move(staged[kind], paths[kind])
        except OSError as exc:
            restored = put_back(kept)
            kept_as = "the previous outputs are kept" if restored else "the previous output is kept as .old beside it"
            raise InputError.single(paths[kind], 0, f"cannot put in place: {os_cause(exc)}; {kept_as}") from exc
        except BaseException:
            put_back(kept)
            raise
    for _, previous in kept:
        clear(previous, quiet=True)
    atomic_write(paths["key"], key)
    paths["failed"].unlink(missing_ok=True)


