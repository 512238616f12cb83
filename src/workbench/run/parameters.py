"""The parameters a notebook declares in its cell tagged ``parameters``, read once and cached."""
from __future__ import annotations

import ast
import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

from workbench.model.errors import InputError, os_cause, warn
from workbench.model.outputs import atomic_write
from workbench.model.sourcefile import read_bytes, read_text

__all__ = ["NotebookParameter", "read_notebook", "notebook_parameters", "read_cache_file"]


@dataclass(frozen=True)
class NotebookParameter:
    """One parameter of a notebook, as papermill infers it from the cell tagged ``parameters``."""

    name: str
    type: str
    default: str
    help: str


def read_notebook(path: str | os.PathLike) -> dict:
    """A notebook file as JSON, with its ``parameters`` cell checked to be valid Python.

    Raises :class:`InputError` naming the notebook and what is wrong with it (not UTF-8, not
    JSON, not a notebook, a syntax error in the parameters cell).
    """
    p = Path(path)
    text = read_text(p, max_bytes=50 * 2**20)
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError.single(p, exc.lineno, f"not a valid notebook: JSON syntax error: {exc.msg}") from None
    except RecursionError:  # the decoder recurses once per level: a few thousand brackets exhaust it
        raise InputError.single(p, 0, "not a valid notebook: JSON nested too deeply") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InputError.single(p, 0, "not a Jupyter notebook (no list of 'cells')")
    for cell in nb["cells"]:
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and "parameters" in (cell.get("metadata") or {}).get("tags", []):
            source = "".join(cell.get("source") or []) if isinstance(cell.get("source"), list) else str(cell.get("source") or "")
            try:
                ast.parse(source)
            except SyntaxError as exc:
                raise InputError.single(p, 0, f"syntax error in the parameters cell, line {exc.lineno}: {exc.msg}") from None
            except (RecursionError, MemoryError):  # Python's parser gives up on thousands of nested operators
                raise InputError.single(p, 0, "the parameters cell is nested too deeply to parse") from None
    return nb


#: Changes whenever the layout of a cache entry changes, so that older entries are never read.
_CACHE_FORMAT = b"workbench parameters cache 2"
_FIELDS = ("name", "type", "default", "help")


def notebook_parameters(path: str | os.PathLike, cache_dir: str | os.PathLike | None = None,
                        refresh: bool = False) -> dict[str, NotebookParameter]:
    """Parameters declared in the notebook's cell tagged ``parameters`` (name, type, default, comment),
    as ``papermill --help-notebook`` reads them (:func:`papermill.inspect_notebook`).

    With ``cache_dir``, the answer is kept in ``parameters-<hash>.json`` there, keyed by the
    notebook's bytes and papermill's version: importing papermill costs about a second, and a
    rebuild with nothing changed should not pay it. The entry is a hint: one that cannot be read,
    is not of its shape or does not match its checksum is ignored with a one-line warning naming
    it, and replaced. ``refresh`` reads the notebook even when an entry is there.
    """
    read_notebook(path)  # a broken notebook is named here, not in papermill's traceback
    cached = found = None
    if cache_dir is not None:
        digest = hashlib.sha256(_CACHE_FORMAT)
        digest.update(read_bytes(Path(path)))
        try:
            digest.update(metadata.version("papermill").encode())
        except metadata.PackageNotFoundError:
            pass
        cached = Path(cache_dir) / f"parameters-{digest.hexdigest()[:32]}.json"
        found = _read_cached(cached)
        if found is not None and not refresh:
            return found
    out = _inspect(path)
    if cached is not None and found is not None and found != out:
        _distrust(cached, "it does not match the notebook")
    if cached is not None and cached.parent.is_dir():  # never the first file of a checkout's outputs
        fields = {k: vars(v) for k, v in out.items()}
        entry = {"parameters": fields, "sha256": _checksum(fields)}
        try:
            atomic_write(cached, json.dumps(entry, ensure_ascii=False))
        except (OSError, InputError):  # a read-only checkout still works, only slower
            pass
    return out


def _inspect(path: str | os.PathLike) -> dict[str, NotebookParameter]:
    """The notebook's parameters as papermill reads them (no cache)."""
    import papermill  # deferred: a second of start-up, needed only by the runner

    try:
        found = papermill.inspect_notebook(str(path))
    except Exception as exc:  # nbformat refusing the notebook's structure
        raise InputError.single(path, 0, f"not a valid notebook: {' '.join(str(exc).split())[:200]}") from None
    return {
        name: NotebookParameter(name, "" if p["inferred_type_name"] == "None" else p["inferred_type_name"],
                                p["default"], p["help"])
        for name, p in found.items()
    }


def _checksum(fields: dict) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


def read_cache_file(path: Path, distrust: Callable[[Path, str], None]) -> bytes | None:
    """The bytes of a cache file at ``path``: ``None`` when there is none, or when it cannot be read
    (then ``distrust(path, why)`` names the cause). A cache is a hint: nothing here raises.
    """
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        distrust(path, f"cannot read it ({os_cause(exc)})")
        return None


def _read_cached(path: Path) -> dict[str, NotebookParameter] | None:
    """The parameters kept in the cache entry at ``path``; ``None`` when there is none or it cannot
    be trusted (then a warning names it)."""
    raw = read_cache_file(path, _distrust)
    if raw is None:
        return None
    try:
        entry = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _distrust(path, "not JSON text")
    fields = entry.get("parameters") if isinstance(entry, dict) else None
    if not isinstance(fields, dict) or not all(
            isinstance(f, dict) and tuple(sorted(f)) == tuple(sorted(_FIELDS)) and all(isinstance(f[k], str) for k in _FIELDS)
            and f["name"] == name for name, f in fields.items()):
        return _distrust(path, "not of the shape of an entry")
    if entry.get("sha256") != _checksum(fields):
        return _distrust(path, "its checksum does not match its content")
    return {name: NotebookParameter(**f) for name, f in fields.items()}


def _distrust(path: Path, why: str) -> None:
    warn(path, f"cache entry of a notebook's parameters ignored ({why}); the notebook is read again")
    return None
