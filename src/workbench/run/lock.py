"""One report run at a time per checkout: an ``flock`` on ``reports/.cache/run.lock``."""
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

#: Lock file in reports/.cache: one run at a time per checkout.
LOCK_NAME = "run.lock"


class RunLock:
    """An exclusive lock on ``reports/.cache/run.lock`` for the length of a run.

    The lock is an ``flock`` on the file, so the system releases it when its process ends, however
    it ends: a lock left by a killed run is free and the next run takes it over. The file also
    records who holds it (pid, command, start time) for the message a waiting run prints.
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
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    info = self.holder()
                    message = f"another report run is in progress ({self.describe(info)})"
                    if not wait:
                        raise InputError.single(self.path, 0, message) from None
                    if not told and on_wait is not None:
                        on_wait(f"{display_path(self.path)}: {message}; waiting for it to finish")
                        told = True
                    time.sleep(poll)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        # Whatever the file says now was written by a run that is gone (its lock was free).
        self.previous = self.holder()
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else "python"
        started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        record = json.dumps({"pid": os.getpid(), "command": command, "started": started}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing releases the flock
            self.fd = None
