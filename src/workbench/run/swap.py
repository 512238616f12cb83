"""Putting outputs in place without losing the last good one: set aside, move (across file systems
too), put back, and recover what a run killed in the middle of a swap left.

A previous output waits beside its place as ``.<name>.old`` until the new one is in; a staged one
as ``.<name>.new``. Both the report runner and the cleaning of leftovers go through these.
"""
from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

__all__ = ["beside", "exists", "is_folder", "clear", "set_aside", "recover", "move", "put_back"]


def beside(target: Path, what: str) -> Path:
    """The hidden twin of ``target`` in its folder: ``figures/.name.new``, ``reports/.name.html.old``."""
    return target.with_name(f".{target.name}.{what}")


def exists(path: Path) -> bool:
    return path.exists() or path.is_symlink()  # a dangling link is something in the way too


def is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()


def clear(path: Path, quiet: bool = False) -> None:
    """Remove whatever is at ``path``: a folder with its files, a file, a symbolic link (never what it points to)."""
    try:
        if is_folder(path):
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    except OSError:
        if not quiet:
            raise


def set_aside(target: Path, folder: bool) -> Path | None:
    """Keep the output at ``target`` as ``.<name>.old`` beside it until the new one is in place.

    A folder (or whatever stands where a folder goes, a stray file) is moved aside; a file stays
    where it is and takes the second name as a hard link (a copy where the file system has no hard
    links), so that readers never find it missing. Returns the kept path, ``None`` when nothing was there.
    """
    previous = recover(target)
    if not exists(target):
        return None
    if folder or is_folder(target):
        os.replace(target, previous)
        return previous
    try:
        os.link(target, previous, follow_symlinks=False)
    except OSError:
        try:
            shutil.copyfile(target, previous)
        except BaseException:
            clear(previous, quiet=True)
            raise
    return previous


def recover(target: Path) -> Path:
    """Deal with a ``.old`` beside ``target`` (returned) that a run killed in the middle of a swap left.

    With nothing at ``target`` it is the last good output, and goes back; otherwise it is stale, and goes.
    """
    previous = beside(target, "old")
    if exists(previous):
        if exists(target):
            clear(previous)
        else:
            os.replace(previous, target)
    return previous


def move(src: Path, dst: Path) -> None:
    """Rename ``src`` to ``dst``; across file systems (EXDEV) copy it beside ``dst`` first, then rename the copy."""
    try:
        os.replace(src, dst)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    copy = beside(dst, "copy")
    clear(copy)
    try:
        _copy(src, copy)
        os.replace(copy, dst)
    except BaseException:
        clear(copy, quiet=True)
        raise
    clear(src, quiet=True)


def _copy(src: Path, dst: Path) -> None:
    """Copy a file, a link or a folder tree; the first failure is raised as it is (``shutil.copytree`` would gather them)."""
    if src.is_symlink():
        os.symlink(os.readlink(src), dst)
    elif src.is_dir():
        dst.mkdir()
        for child in sorted(src.iterdir()):
            _copy(child, dst / child.name)
    else:
        shutil.copyfile(src, dst)


def put_back(kept: list[tuple[Path, Path]]) -> bool:
    """Put the kept previous outputs back at their places (the new ones there go); whether all went back."""
    restored = True
    for target, previous in reversed(kept):
        try:
            if is_folder(target) or is_folder(previous):  # a file renames over a file; else the new one goes first
                clear(target)
            os.replace(previous, target)
            previous.unlink(missing_ok=True)  # a rename between two names of one file does nothing
        except OSError:
            restored = False  # left as .old: the next run puts it back before anything else
    return restored
