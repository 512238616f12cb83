"""What became of each report of a run, and the error that stopped one, in a line."""
from __future__ import annotations

import builtins
import errno
import re
from dataclasses import dataclass

from workbench.model.errors import InputError, os_error_text

#: The command line's exit statuses: success, a run with a failing report, bad input.
EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2

__all__ = ["RunResult", "RunInterrupted", "error_text", "EXIT_OK", "EXIT_FAILED", "EXIT_BAD_INPUT"]


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



#: A cell's OSError as Python words it: ``[Errno 28] No space left on device: '/path/file'``.
_CELL_OS_ERROR = re.compile(r"\[Errno (\d+)\] (.*?)(?:: '(.*)')?")
#: Causes that other errors merely follow from (a notebook cut short by a full disk is not broken JSON).
_ROOT_CAUSES = (errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EROFS, errno.EXDEV)


def error_text(exc: BaseException, count: int | None = None) -> str:
    """The error that stopped a report, in one line of at most 300 characters.

    Parameters
    ----------
    exc : the exception: a cell's error (papermill's, with ``ename``, ``evalue`` and
        ``exec_count``) or any other.
    count : the failing cell's number in its notebook, instead of the kernel's count.

    Returns
    -------
    ``cell N: Name: message`` for a cell's error; ``file: cause`` for a failed file operation
    (:func:`workbench.model.errors.os_error_text`), also when it is the cause of another error;
    ``Name: message`` otherwise.
    """
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        count = count or getattr(exc, "exec_count", None)
        where = f"cell {count}: " if count else ""
        kind = getattr(builtins, str(ename), None)
        found = _CELL_OS_ERROR.fullmatch(str(evalue).strip())
        if found and isinstance(kind, type) and issubclass(kind, OSError):
            evalue = os_error_text(OSError(int(found[1]), found[2], found[3]))
        return f"{where}{ename}: {' '.join(str(evalue).split())}"[:300]
    if isinstance(exc, InputError):
        return "; ".join(str(p) for p in exc.problems)[:300]
    cause = _os_cause_of(exc)
    if cause is not None:
        return os_error_text(cause)[:300]
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]


def _os_cause_of(exc: BaseException) -> OSError | None:
    """``exc`` if it is an OSError, or the full disk (or missing permission...) it followed from."""
    if isinstance(exc, OSError):
        return exc
    seen: set[int] = set()
    link = exc.__cause__ or exc.__context__
    while link is not None and id(link) not in seen:
        if isinstance(link, OSError) and link.errno in _ROOT_CAUSES:
            return link
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return None
