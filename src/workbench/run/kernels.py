"""The kernels of a run: one per worker, reused and reset between reports, killed at once on Ctrl-C."""
from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

__all__ = ["KERNEL_REUSE", "RESET_TAG", "RESET_CELL", "with_reset_cell", "KernelPool", "kill_kernel"]

#: A reused kernel is replaced after this many reports, so that memory a notebook leaves behind
#: (caches in imported modules, matplotlib's font cache) cannot grow without bound. High enough that
#: the bundled matrix (17 reports on 2 workers, one of them up to 14) starts no second kernel and
#: imports nothing twice: 2 s of a 21 s run; a kernel that ran 14 reports held 342 MB.
KERNEL_REUSE = 16

#: Runs first in every report on a reused kernel: a clean namespace, no figure left open and no
#: presentation context (language, labels, tables) left by the previous report. Modules stay
#: imported (the saving); matplotlib's settings go back to defaults. ``%reset`` ends with a full
#: garbage collection, which walks every object of the imported libraries (about 0.3 s a report);
#: what survives a reset is frozen (``gc.freeze``), so the next reset walks only what a report made.
RESET_TAG = "workbench-reset"
RESET_CELL = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import gc, sys, matplotlib, matplotlib.pyplot\n"
    "matplotlib.pyplot.close('all')\n"
    "if 'workbench.present.page' in sys.modules:\n"
    "    sys.modules['workbench.present.page'].forget()\n"
    "gc.collect()\n"
    "gc.freeze()\n"
    "del gc, sys, matplotlib"
)


def with_reset_cell(nb: Any) -> Any:
    """``nb`` (an nbformat notebook, changed in place) with :data:`RESET_CELL` first, as a report runs on a
    kernel that ran another before it; the cell is tagged to be left out of the executed notebook and the page."""
    # deferred: nbformat loads only when a report is run, not for a nothing-changed rebuild
    import nbformat

    nb.cells.insert(0, nbformat.v4.new_code_cell(RESET_CELL, metadata={"tags": [RESET_TAG, "remove-cell"]}))
    return nb


#: One BLAS thread per kernel: the runner already runs one report per core, and two kernels' BLAS
#: threads fought over two cores (17 reports: 26.1-27.2 s with OpenBLAS's default, 22.4-23.0 s with
#: one thread, measured 2026-12-06). A value the user set is kept.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def kernel_environment() -> dict[str, str]:
    """The environment a report's kernel starts with: the runner's, with :data:`ONE_THREAD` by default."""
    return {**ONE_THREAD, **os.environ}


class KernelPool:
    """The live kernel of each worker of a run, so that an interrupted run can kill them all.

    ``guard`` is the run's lock (held while the pool changes) and ``stop`` its event set on Ctrl-C;
    kernels start in ``cwd``, the notebooks' folder.
    """

    def __init__(self, cwd: Path, guard: threading.Lock, stop: threading.Event):
        self.cwd, self.guard, self.stop = cwd, guard, stop
        self.kernels: dict[int, Any] = {}

    def start(self, worker: int) -> Any:
        """Start a kernel for ``worker`` and return its manager (killed at once if the run is stopping)."""
        # deferred: jupyter_client (zmq, tornado) loads only when a report is run, not for a nothing-changed rebuild
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name="python3")
        # The kernel's own log (a plain-TCP notice at every start) is noise in a summary;
        # cell errors still reach us through the notebook's outputs.
        run_sync(km.start_kernel)(cwd=str(self.cwd), extra_arguments=["--IPKernelApp.log_level=CRITICAL"], env=kernel_environment())
        with self.guard:
            self.kernels[worker] = km
            stopped = self.stop.is_set()
        if stopped:  # interrupted while it started: the main thread's sweep may have missed it
            kill_kernel(km)
        return km

    def shut_down(self, worker: int, km: Any, now: bool) -> None:
        """Shut ``worker``'s kernel ``km`` down (``now``: without asking it first); kill it if that fails."""
        # deferred: as in start(), jupyter's modules load only when a report is run
        from jupyter_core.utils import run_sync

        # deferred: papermill, loaded already by the report that ran on this kernel
        from workbench.run.engine import release_client

        with self.guard:
            self.kernels.pop(worker, None)
        release_client(km)
        try:
            run_sync(km.shutdown_kernel)(now=now)
        except Exception:  # noqa: BLE001 - already dead: make sure, then go on
            kill_kernel(km)

    def kill_all(self) -> None:
        """Kill every live kernel of the run."""
        with self.guard:
            kernels = list(self.kernels.values())
        for km in kernels:
            kill_kernel(km)


def kill_kernel(km: Any) -> None:
    """Kill a kernel's process group at once (kernels run in their own session, so Ctrl-C misses them)."""
    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    pid = getattr(process, "pid", None)
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:  # reap it, so that not even a zombie outlives the run
        process.wait(timeout=1)
    except Exception:  # noqa: BLE001 - another thread reaped it first, or it is stuck in the kernel
        pass
