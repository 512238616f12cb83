"""What became of each report of a run, and the error that stopped one, in a line."""
from __future__ import annotations

from dataclasses import dataclass

__all__ = ["RunResult", "RunInterrupted", "error_text"]


@dataclass
class RunResult:
    """What became of one report in a run."""

    name: str
    status: str  # "ok", "skipped", "failed", "interrupted", "not started"
    seconds: float = 0.0
    html: str = ""
    error: str = ""

    def summary_line(self) -> str:
        if self.status == "ok":
            return f"ok      {self.name:<40} {self.seconds:6.1f} s  {self.html}"
        if self.status == "skipped":
            return f"skipped {self.name:<40}   unchanged  {self.html}"
        if self.status == "interrupted":
            return f"INTERRUPTED {self.name:<36} {self.seconds:6.1f} s  previous output kept"
        if self.status == "not started":
            return f"not started {self.name}"
        return f"FAILED  {self.name:<40} {self.seconds:6.1f} s  {self.error}"


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a run: ``results`` says which reports were done, interrupted, never started."""

    def __init__(self, results: list[RunResult]):
        super().__init__("interrupted")
        self.results = results



def error_text(exc: BaseException, count: int | None = None) -> str:
    """The error that stopped a report, in one line of at most 300 characters.

    Parameters
    ----------
    exc : the exception: a cell's error (papermill's, with ``ename``, ``evalue`` and
        ``exec_count``) or any other.
    count : the failing cell's number in its notebook, instead of the kernel's count.

    Returns
    -------
    ``cell N: Name: message`` for a cell's error, ``Name: message`` otherwise.
    """
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        count = count or getattr(exc, "exec_count", None)
        where = f"cell {count}: " if count else ""
        return f"{where}{ename}: {' '.join(str(evalue).split())}"[:300]
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]
