"""Executed notebooks that do not change from run to run: clock times, counters and addresses removed."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from workbench.run.kernels import RESET_TAG
from workbench.run.matrix import ReportSpec

__all__ = ["normalise_executed"]

#: A memory address in a default object representation (``<... at 0x7f...>``).
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
#: Per-cell and notebook fields papermill and nbclient fill with clock times.
_TIMING_KEYS = ("start_time", "end_time", "duration")


def normalise_executed(nb: Any, spec: ReportSpec, staging_figures: Path, final_figures: Path, notebooks: Path) -> Any:
    """Remove from an executed notebook what changes from run to run, so equal inputs give equal bytes.

    Drops papermill's and nbclient's timestamps and durations, numbers the cells 1, 2, 3... (a
    reused kernel continues counting), gives papermill's injected cell a fixed id, drops the
    runner's reset cell, blanks memory addresses in default object representations
    (``<workbench.present.page.HTML at 0x7f...>``, the plain-text twin of every HTML output), and writes the figures folder as the final one, relative to the
    notebooks' folder (where the kernel ran), instead of the run's temporary folder.
    """
    nb.cells = [c for c in nb.cells if RESET_TAG not in c.get("metadata", {}).get("tags", [])]
    count = 0
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
        for key in _TIMING_KEYS:
            meta.get("papermill", {}).pop(key, None)
        if "injected-parameters" in meta.get("tags", []) and "id" in cell:
            cell["id"] = "injected-parameters"
        if cell.get("cell_type") == "code":
            if cell.get("execution_count") is not None:
                count += 1
                cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if output.get("execution_count") is not None:
                    output["execution_count"] = count
                plain = output.get("data", {}).get("text/plain")
                if isinstance(plain, str):
                    output["data"]["text/plain"] = _ADDRESS.sub(" at 0x0>", plain)
    pm = nb.metadata.get("papermill", {})
    for key in _TIMING_KEYS:
        pm.pop(key, None)
    pm["input_path"] = f"notebooks/{spec.notebook}"
    pm["output_path"] = f"reports/notebooks/{spec.name}.ipynb"
    import nbformat  # deferred: nbformat (and jsonschema) load only when a report is run

    text = nbformat.writes(nb)
    relative = os.path.relpath(final_figures, notebooks)
    text = text.replace(json.dumps(str(staging_figures))[1:-1], json.dumps(relative)[1:-1])
    return nbformat.reads(text, as_version=4)
