"""One report run at a time per checkout: an ``flock`` on ``.workbench-run.lock`` at the checkout's root.

The file lies outside ``reports/`` and its cache, so clearing those (``rm -rf reports/.cache``)
during a run cannot free the lock for a second run.
"""
from __future__ import annotations

import datetime
import fcntl
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

from workbench.model.errors import InputError, display_path

__all__ = ["LOCK_NAME", "RunLock"]

#: Lock file at the checkout's root (hidden, ignored by git): one run at a time per checkout.
LOCK_NAME = ".workbench-run.lock"


class RunLock:
    """An exclusive lock on a file (the runner's: :data:`LOCK_NAME` at the checkout's root) for the length of a run.

    The lock is an ``flock`` on the file, so the system releases it when its process ends, however
    it ends: a lock left by a killed run is free and the next run takes it over. The file also
    records who holds it (pid, command, start time) for the message a waiting run prints. A lock
    taken on a file that was deleted or replaced meanwhile (the path names another file now) is
    dropped and taken again on the file the path names: two runs never hold two different files.
    """

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None
        self.previous: dict[str, Any] | None = None

    def holder(self) -> dict[str, Any] | None:
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            return None
        return info if isinstance(info, dict) else None

    @staticmethod
    def describe(info: dict[str, Any] | None) -> str:
        if not info:
            return "a process that has not yet recorded itself"
        return f"pid {info.get('pid')}, `{info.get('command')}`, started {info.get('started')}"

    def acquire(self, wait: bool = True, on_wait: Callable[[str], None] | None = None, poll: float = 0.2) -> None:
        told = False
        while True:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            try:
                told = self._lock(fd, wait, on_wait, poll, told)
            except BaseException:
                os.close(fd)
                raise
            if self._names(fd):
                break
            os.close(fd)  # the file was deleted or replaced while we waited: lock the one the path names now
        self.fd = fd
        # Whatever the file says now was written by a run that is gone (its lock was free).
        self.previous = self.holder()
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else "python"
        started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        record = json.dumps({"pid": os.getpid(), "command": command, "started": started}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)

    def _lock(self, fd: int, wait: bool, on_wait: Callable[[str], None] | None, poll: float, told: bool) -> bool:
        """Take the ``flock`` on ``fd``, waiting (``on_wait`` told once) or refusing at once; returns whether it told."""
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return told
            except BlockingIOError:
                message = f"another report run is in progress ({self.describe(self.holder())})"
                if not wait:
                    raise InputError.single(self.path, 0, message) from None
                if not told and on_wait is not None:
                    on_wait(f"{display_path(self.path)}: {message}; waiting for it to finish")
                    told = True
                time.sleep(poll)

    def _names(self, fd: int) -> bool:
        """Whether the lock's path still names the file open as ``fd`` (same device and inode)."""
        try:
            here = os.stat(self.path)
        except FileNotFoundError:
            return False
        mine = os.fstat(fd)
        return (here.st_dev, here.st_ino) == (mine.st_dev, mine.st_ino)

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing releases the flock
            self.fd = None
