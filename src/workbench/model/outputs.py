"""Writing outputs safely: to a temporary file beside the target, then renamed into place."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Mapping

from workbench.model.errors import InputError, os_cause

__all__ = ["atomic_write", "atomic_write_all"]


def _check_target(target: Path) -> None:
    """Refuse a target that is a folder, or that lies under a file."""
    if target.is_dir():
        raise InputError.single(target, 0, "cannot write: is a folder, expected a file name")
    if target.exists() and not target.is_file():  # renaming a file over a device or a pipe would replace it
        raise InputError.single(target, 0, "cannot write: is a device, pipe or socket, not a file")
    blocking = next((parent for parent in target.parents if parent.exists() or parent.is_symlink()), None)
    if blocking is not None and not blocking.is_dir():
        raise InputError.single(target, 0, f"cannot write: '{blocking}' is a file, not a folder")


def _through_link(target: Path) -> Path:
    """``target``, or the file a symbolic link at ``target`` leads to (renaming over the link would
    replace the link and leave its file as it was)."""
    return target.resolve() if target.is_symlink() else target


def _stage(target: Path, payload: bytes) -> str:
    """Write ``payload`` to a new temporary file beside ``target``; returns its path."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # the name's head only: a name near the file system's limit must still leave room for ours
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)
    except BaseException:  # a full disk, a wrong type, Ctrl-C: never leave the temporary file behind
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def atomic_write_all(files: Mapping[str | os.PathLike, bytes | str]) -> list[Path]:
    """Write several files as one output: every target is checked and every file written to a
    temporary name first, and only then are they renamed into place, so that a failure while
    writing (a target that is a folder, a full disk) leaves all of the old files. Only a rename
    that fails after others succeeded (the folder made read-only meanwhile) can leave a mix.

    A target that cannot be written raises :class:`InputError` naming it ("cannot write: ...").
    """
    # a link to a file: the file it leads to is written, the link stays
    targets = {_through_link(Path(path)): data.encode("utf-8") if isinstance(data, str) else data for path, data in files.items()}
    for target in targets:
        _check_target(target)
    staged: dict[Path, str] = {}
    try:
        for target, payload in targets.items():
            try:
                staged[target] = _stage(target, payload)
            except OSError as exc:
                # The message names the user's path: the temporary file is ours, not theirs.
                reason = "is a folder, expected a file name" if isinstance(exc, IsADirectoryError) else os_cause(exc)
                raise InputError.single(target, 0, f"cannot write: {reason}") from None
        for target, tmp in staged.items():
            try:
                os.replace(tmp, target)
            except OSError as exc:
                raise InputError.single(target, 0, f"cannot write: {os_cause(exc)}") from None
    finally:
        for tmp in staged.values():
            Path(tmp).unlink(missing_ok=True)
    return list(targets)


def atomic_write(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never half.

    The temporary file lives in the same folder, so the final ``os.replace`` is atomic. A target
    that cannot be written raises :class:`InputError` naming ``path`` ("cannot write: ...").
    """
    return atomic_write_all({path: data})[0]
