"""papermill's notebook engine with each kernel's client kept from one report to the next.

papermill makes a new kernel client for every notebook, and a new client waits 0.2 s for the
kernel's output channel to fall silent before the first cell: on a reused kernel that wait is
most of what a small report costs beyond its own cells. Messages left from the previous report
carry another parent id, which nbclient ignores.
"""
from __future__ import annotations

import weakref
from typing import Any

from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.log import logger
from papermill.utils import merge_kwargs, remove_args

__all__ = ["ENGINE", "KeptClientEngine", "release_client"]

#: The name the runner passes to ``papermill.execute_notebook(engine_name=...)``.
ENGINE = "workbench-kept-client"

#: Kernel manager -> its client, while the kernel lives (a dead manager drops its entry).
_CLIENTS: "weakref.WeakKeyDictionary[Any, Any]" = weakref.WeakKeyDictionary()


class KeptClientEngine(NBClientEngine):
    """:class:`papermill.engines.NBClientEngine` that reuses the client of the kernel it is given (``km``)."""

    @classmethod
    def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False, stdout_file: Any = None,
                                 stderr_file: Any = None, start_timeout: int = 60, execution_timeout: int | None = None,
                                 **kwargs: Any) -> Any:
        """Execute the notebook of ``nb_man`` as papermill's own engine does, on the kept client of ``km``."""
        # The arguments are prepared as in NBClientEngine.execute_managed_notebook (papermill 2.x).
        kwargs = remove_args(["input_path"], **kwargs)
        safe_kwargs = remove_args(["timeout", "startup_timeout"], **kwargs)
        final_kwargs = merge_kwargs(safe_kwargs, timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                                    startup_timeout=start_timeout, kernel_name=kernel_name, log=logger,
                                    log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file)
        km = kwargs.get("km")
        client = PapermillNotebookClient(nb_man, **final_kwargs)
        client.kc = _CLIENTS.get(km) if km is not None else None
        try:
            return client.execute()
        finally:
            if km is not None and client.kc is not None:
                _CLIENTS[km] = client.kc


def release_client(km: Any) -> None:
    """Close the kept client of ``km`` (before its kernel is shut down or killed)."""
    kc = _CLIENTS.pop(km, None)
    if kc is not None:
        try:
            kc.stop_channels()
        except Exception:  # noqa: BLE001 - its kernel may be dead already; the sockets close with it
            pass


papermill_engines.register(ENGINE, KeptClientEngine)
