"""Problems found in user input, reported as ``path:line: message``; a failing file operation in one line."""
from __future__ import annotations

import errno
import os
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Problem", "InputError", "display_path", "os_cause", "os_error_text", "PARAMETER", "warn"]

#: The ``line`` of a problem with a parameter (a function argument) rather than a file: the
#: ``path`` then holds the parameter's name, which a front end (the CLI) may show as its flag.
PARAMETER = -1


def display_path(path: str | os.PathLike) -> str:
    """Show ``path`` relative to the working directory when it lies below it.

    A researcher reads ``data/frameworks/x.yaml:12``, not a long absolute path.
    """
    p = Path(path)
    # abspath, not resolve: a symbolic link is named as the user wrote it, not by its target.
    try:
        return str(Path(os.path.abspath(p)).relative_to(os.getcwd()))
    except (ValueError, OSError):
        pass
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symbolic link loop
        return str(p)


#: The causes a user can act on, in their words: a full disk is not a broken notebook.
_OS_CAUSES = {
    errno.ENOSPC: "no space left on device (the disk is full)",
    errno.EDQUOT: "disk quota exceeded",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.EXDEV: "cannot move across file systems (cross-device link)",
    errno.ELOOP: "symbolic link loop",
    errno.ENOENT: "no such file or folder",
}


def os_cause(exc: OSError) -> str:
    """What went wrong in ``exc``, in a few words: ``no space left on device (the disk is full)``,
    ``permission denied``, ``read-only file system``, ``cannot move across file systems ...``; else the system's words."""
    if exc.errno in _OS_CAUSES:
        return _OS_CAUSES[exc.errno]
    if isinstance(exc, PermissionError):
        return _OS_CAUSES[errno.EACCES]
    if isinstance(exc, FileNotFoundError) and exc.errno is None:  # raised by a library, without a number
        return _OS_CAUSES[errno.ENOENT]
    return " ".join((exc.strerror or str(exc) or type(exc).__name__).split()).lower()


def os_error_text(exc: OSError, path: str | os.PathLike | None = None, doing: str = "") -> str:
    """A failed file operation in one line: the file, what was being done, the cause.

    Parameters
    ----------
    exc : the error.
    path : the file to name, when ``exc`` names none (a failed ``write`` on an open file does not).
    doing : what was being done (``"cannot write"``), if known.

    Returns
    -------
    ``reports/x.html: cannot write: no space left on device (the disk is full)``; a rename names
    both of its files (``a -> b: ...``).
    """
    cause = f"{doing}: {os_cause(exc)}" if doing else os_cause(exc)
    where = exc.filename if path is None else path
    if where is None or where == "":
        return cause
    if path is None and exc.filename2:
        return f"{display_path(where)} -> {display_path(exc.filename2)}: {cause}"
    return f"{display_path(where)}: {cause}"


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in one file, at one line (1-based; 0 when no line applies)."""

    path: str
    line: int
    message: str

    @property
    def is_parameter(self) -> bool:
        return self.line == PARAMETER

    def __str__(self) -> str:
        if self.is_parameter:
            return f"{self.path}: {self.message}"
        where = display_path(self.path)
        return f"{where}:{self.line}: {self.message}" if self.line else f"{where}: {self.message}"


class InputError(Exception):
    """Bad input: carries every problem found, each printable on one line.

    The CLI prints ``str(problem)`` for each and exits with status 2.
    """

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(set(problems), key=lambda p: (p.path, p.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, path: str | os.PathLike, line: int, message: str) -> "InputError":
        return cls([Problem(str(path), line, message)])

    @classmethod
    def parameter(cls, name: str, message: str) -> "InputError":
        """A bad argument ``name`` of a library function (``peers``, ``min_weight``): no file, no line.

        Library code names its parameters, never a command-line flag; the CLI renames them.
        """
        return cls([Problem(name, PARAMETER, message)])

    def renamed(self, names: dict[str, str]) -> "InputError":
        """The same problems with parameter names replaced through ``names`` (others unchanged)."""
        return InputError([
            Problem(names.get(p.path, p.path), p.line, p.message) if p.is_parameter else p for p in self.problems
        ])


def warn(path: str | os.PathLike, message: str) -> None:
    """Say on stderr, in one line (``path: warning: message``), that a file was ignored or repaired
    while the work goes on (a cache entry that cannot be trusted, say)."""
    print(str(Problem(str(path), 0, f"warning: {' '.join(message.split())}")), file=sys.stderr, flush=True)
