"""The runner and the command line: the report matrix, its cache and kernels, and ``workbench``.

The top layer: it reads ``reports.yaml``, runs the notebooks (which call the layers below) and
exports their HTML; ``workbench`` sub-commands are thin wrappers over the same library functions.
"""
from __future__ import annotations

from workbench._exports import lazy_exports

_WHERE = {
    "main": "cli",
    "run_reports": "runner", "RunResult": "results", "RunInterrupted": "results",
    "load_matrix": "matrix", "ReportSpec": "matrix", "notebook_parameters": "parameters",
    "Project": "project", "RunLock": "lock",
}
__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
