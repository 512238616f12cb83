"""Writing outputs safely: to a temporary file beside the target, then renamed into place."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from workbench.model.errors import InputError, os_cause

__all__ = ["atomic_write"]


def atomic_write(path: str | os.PathLike, data: bytes | str) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never half.

    The temporary file lives in the same folder, so the final ``os.replace`` is atomic. A target
    that cannot be written raises :class:`InputError` naming ``path`` ("cannot write: ...").
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if target.is_dir():
        raise InputError.single(target, 0, "cannot write: is a folder, expected a file name")
    blocking = next((parent for parent in target.parents if parent.exists() or parent.is_symlink()), None)
    if blocking is not None and not blocking.is_dir():
        raise InputError.single(target, 0, f"cannot write: '{blocking}' is a file, not a folder")
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        # The message names the user's path: the temporary file is ours, not theirs.
        reason = "is a folder, expected a file name" if isinstance(exc, IsADirectoryError) else os_cause(exc)
        raise InputError.single(target, 0, f"cannot write: {reason}") from None
    finally:
        if tmp is not None and Path(tmp).exists():
            Path(tmp).unlink(missing_ok=True)
    return target
