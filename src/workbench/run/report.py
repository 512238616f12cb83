"""One report: executed on a worker's kernel, exported to HTML, and only then put in place."""
from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from workbench.model.outputs import atomic_write
from workbench.run.executed import normalise_executed
from workbench.run.kernels import RESET_CELL, RESET_TAG
from workbench.run.matrix import ReportSpec
from workbench.run.project import Project, output_paths
from workbench.run.results import RunResult, error_text

__all__ = ["run_report"]


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
    from workbench.present.export import export_html
    from workbench.run.engine import ENGINE

    paths = output_paths(project, spec.name)
    # One run at a time (the lock), so a report's work folder can have a fixed name.
    work = project.cache / "run" / spec.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    executed = work / f"{spec.name}.ipynb"
    staging_figures = work / "figures"
    staging_figures.mkdir()
    start = time.perf_counter()
    try:
        nb = nbformat.read(str(project.notebooks / spec.notebook), as_version=4)
        if reset:
            nb.cells.insert(0, nbformat.v4.new_code_cell(RESET_CELL, metadata={"tags": [RESET_TAG, "remove-cell"]}))
        try:
            papermill.execute_notebook(nb, str(executed), parameters={**spec.parameters, "figures_dir": str(staging_figures)},
                                       kernel_name="python3", progress_bar=False, log_output=False, report_mode=False,
                                       # no save of the whole notebook before and after every cell (papermill's default):
                                       # the executed notebook is written once, at the end
                                       request_save_on_cell_execute=False,
                                       engine_name=ENGINE, km=km)  # our kernel and its kept client; left running
        except Exception as exc:  # the notebook raised, or its kernel died (or was killed by Ctrl-C)
            if stop.is_set():
                return RunResult(spec.name, "interrupted", time.perf_counter() - start)
            error = _keep_failed(exc, spec, project, executed, staging_figures, paths)
            return RunResult(spec.name, "failed", time.perf_counter() - start, error=error)
        done = normalise_executed(nbformat.read(str(executed), as_version=4), spec, staging_figures, paths["figures"], project.notebooks)
        executed.write_text(nbformat.writes(done), encoding="utf-8")
        html = export_html(executed, spec, versions)
        staged_html = work / f"{spec.name}.html"
        staged_html.write_bytes(html)
        with commit:
            if stop.is_set():
                return RunResult(spec.name, "interrupted", time.perf_counter() - start)
            # Everything is complete on disk; only now replace the previous outputs.
            _put_in_place(executed, staging_figures, staged_html, key, paths)
        return RunResult(spec.name, "ok", time.perf_counter() - start, html=str(paths["html"].relative_to(project.root)))
    finally:
        if not stop.is_set():
            shutil.rmtree(work, ignore_errors=True)


def _keep_failed(exc: Exception, spec: ReportSpec, project: Project, executed: Path, staging_figures: Path,
                 paths: dict[str, Path]) -> str:
    """Keep a failed report's executed notebook in ``reports/.failed/``; the error as one line, naming its cell."""
    import nbformat  # deferred: as in run_report, loaded only when a report is run

    error = error_text(exc)
    if executed.exists():
        failed_nb = normalise_executed(nbformat.read(str(executed), as_version=4), spec, staging_figures,
                                       paths["figures"], project.notebooks)
        atomic_write(paths["failed"], nbformat.writes(failed_nb))
        # A reused kernel counts on from the previous report: name the cell by its number
        # in this notebook, as a fresh kernel would.
        count = next((c.get("execution_count") for c in failed_nb.cells if c.get("cell_type") == "code"
                      and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        if count and getattr(exc, "exec_count", None):
            error = error_text(exc, count)
    return error


def _put_in_place(executed: Path, staging_figures: Path, staged_html: Path, key: str, paths: dict[str, Path]) -> None:
    """Replace a report's previous outputs with the staged ones, the cache key last."""
    paths["notebook"].parent.mkdir(parents=True, exist_ok=True)
    os.replace(executed, paths["notebook"])
    _swap_dir(staging_figures, paths["figures"])
    paths["html"].parent.mkdir(parents=True, exist_ok=True)
    os.replace(staged_html, paths["html"])
    atomic_write(paths["key"], key)
    paths["failed"].unlink(missing_ok=True)


def _swap_dir(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``: the old folder is moved aside first, then removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)

