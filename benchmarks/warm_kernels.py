"""Experiment: the report matrix with one reused kernel per worker instead of one fresh kernel per report.

Not the workbench's runner: a measurement of what kernel reuse would save, and a check that it
changes no report. Each worker thread starts one kernel; before every report the kernel's
namespace is cleared (``%reset -f``) and open figures are closed by a cell the HTML template
removes (tag ``remove-cell``); modules stay imported, which is the saving. Reports are exported
with the runner's own :func:`workbench.htmlreport.export_html` into ``OUT/<name>.html``.

Usage (from a project folder, as ``workbench reports``)::

    python benchmarks/warm_kernels.py OUT [--jobs N] [--only NAME ...]

Prints one JSON object: wall seconds and per-report seconds.
"""
from __future__ import annotations

import argparse
import json
import queue
import sys
import threading
import time
from pathlib import Path

__all__ = ["main", "RESET_CELL"]

#: Runs first in every report: a clean namespace and no figures left over from the previous one.
RESET_CELL = "get_ipython().run_line_magic('reset', '-f')\nimport matplotlib.pyplot\nmatplotlib.pyplot.close('all')\ndel matplotlib"


def _worker(tasks: queue.Queue, project, out: Path, versions: dict, times: dict, errors: list) -> None:
    import nbformat
    import papermill
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    from workbench.htmlreport import export_html

    km = AsyncKernelManager(kernel_name="python3")
    run_sync(km.start_kernel)(cwd=str(project.notebooks))
    try:
        while True:
            try:
                spec = tasks.get_nowait()
            except queue.Empty:
                return
            start = time.perf_counter()
            try:
                nb = nbformat.read(str(project.notebooks / spec.notebook), as_version=4)
                reset = nbformat.v4.new_code_cell(RESET_CELL, metadata={"tags": ["remove-cell"]})
                nb.cells.insert(0, reset)
                figures = out / "figures" / spec.name
                figures.mkdir(parents=True, exist_ok=True)
                executed = out / "notebooks" / f"{spec.name}.ipynb"
                papermill.execute_notebook(
                    nb, str(executed), parameters={**spec.parameters, "figures_dir": str(figures)},
                    kernel_name="python3", progress_bar=False, log_output=False, km=km,
                )
                (out / f"{spec.name}.html").write_bytes(export_html(executed, spec, versions))
                times[spec.name] = time.perf_counter() - start
            except Exception as exc:  # noqa: BLE001 - reported, the experiment goes on
                errors.append(f"{spec.name}: {type(exc).__name__}: {exc}")
    finally:
        run_sync(km.shutdown_kernel)(now=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--only", nargs="+", default=None)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    from workbench.reports import Project, _versions, load_matrix

    project = Project.find()
    specs = [s for s in load_matrix(project.matrix, project.notebooks) if not args.only or s.name in args.only]
    (args.out / "notebooks").mkdir(parents=True, exist_ok=True)
    versions = _versions(project)
    tasks: queue.Queue = queue.Queue()
    for spec in specs:
        tasks.put(spec)
    times: dict[str, float] = {}
    errors: list[str] = []
    threads = [threading.Thread(target=_worker, args=(tasks, project, args.out, versions, times, errors))
               for _ in range(min(args.jobs, len(specs)))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"wall_s": time.perf_counter() - t0, "per_report_s": times, "errors": errors}))
    return 1 if errors or len(times) != len(specs) else 0


if __name__ == "__main__":
    sys.exit(main())
