"""The parameters a notebook declares in its cell tagged ``parameters``, read once and cached."""
from __future__ import annotations

import ast
import hashlib
import json
import os
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from workbench.model.errors import InputError
from workbench.model.outputs import atomic_write
from workbench.model.sourcefile import read_bytes, read_text

__all__ = ["NotebookParameter", "read_notebook", "notebook_parameters"]


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


def notebook_parameters(path: str | os.PathLike, cache_dir: str | os.PathLike | None = None) -> dict[str, NotebookParameter]:
    """Parameters declared in the notebook's cell tagged ``parameters`` (name, type, default, comment),
    as ``papermill --help-notebook`` reads them (:func:`papermill.inspect_notebook`).

    With ``cache_dir``, the answer is kept in ``parameters-<hash>.json`` there, keyed by the
    notebook's bytes and papermill's version: importing papermill costs about a second, and a
    rebuild with nothing changed should not pay it.
    """
    read_notebook(path)  # a broken notebook is named here, not in papermill's traceback
    cached = None
    if cache_dir is not None:
        digest = hashlib.sha256(read_bytes(Path(path)))
        try:
            digest.update(metadata.version("papermill").encode())
        except metadata.PackageNotFoundError:
            pass
        cached = Path(cache_dir) / f"parameters-{digest.hexdigest()[:32]}.json"
        try:
            return {name: NotebookParameter(**fields) for name, fields in json.loads(cached.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError, TypeError):
            pass
    import papermill  # deferred: a second of start-up, needed only by the runner

    try:
        found = papermill.inspect_notebook(str(path))
    except Exception as exc:  # nbformat refusing the notebook's structure
        raise InputError.single(path, 0, f"not a valid notebook: {' '.join(str(exc).split())[:200]}") from None
    out = {
        name: NotebookParameter(name, "" if p["inferred_type_name"] == "None" else p["inferred_type_name"],
                                p["default"], p["help"])
        for name, p in found.items()
    }
    if cached is not None and cached.parent.is_dir():  # never the first file of a checkout's outputs
        try:
            atomic_write(cached, json.dumps({k: vars(v) for k, v in out.items()}, ensure_ascii=False))
        except OSError:  # a read-only checkout still works, only slower
            pass
    return out
