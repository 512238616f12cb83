"""The documents a report codes: text files of ``data/documents/``, named relative to that folder.

A report is rebuilt from the checkout alone, and its cache key covers the data folder: a document
outside it would make the report depend on one machine and go stale unnoticed when the file
changes. So a name that climbs out (``../notes.txt``), an absolute path, and a symbolic link that
leads outside ``data/documents/`` are refused, here and by the runner before any report runs;
copy the file into ``data/documents/`` instead (``workbench code`` codes any file directly).
"""
from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any, Iterable

from workbench.model.errors import InputError, Problem
from workbench.model.sourcefile import read_bytes, read_text

__all__ = ["DOCUMENTS_FOLDER", "DOCUMENT_PARAMETERS", "document_name_problem", "resolve_document", "document_paths",
           "document_name", "read_documents", "document_digest"]

#: The folder of the data folder that holds the documents.
DOCUMENTS_FOLDER = "documents"
#: Notebook parameters whose value is a list of documents: the runner checks each name before a
#: run and puts each file's bytes into the report's cache key.
DOCUMENT_PARAMETERS = ("documents",)
_SHOWN = f"data/{DOCUMENTS_FOLDER}/"


def document_name_problem(name: Any) -> str | None:
    """Why ``name`` cannot name a document relative to ``data/documents/`` (``None`` when it can).

    Only the name is judged here (no file is read): see :func:`resolve_document` for links.

    >>> document_name_problem("000_768dc561226916d4.txt") is None
    True
    >>> document_name_problem("../../../private/notes.txt")
    "'../../../private/notes.txt' climbs out of data/documents/ ('..'): name a file inside that folder, relative to it"
    """
    if not isinstance(name, str) or not name.strip():
        return f"a document is named by its path relative to {_SHOWN} (got {name!r})"
    if "\x00" in name or not name.isprintable():
        return f"{name!r} is not a plain file name"
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or PureWindowsPath(name).drive:
        return (f"{name!r} is an absolute path: a report reads only files of {_SHOWN} "
                "(copy the file there and name it relative to that folder)")
    if ".." in re.split(r"[\\/]", name):
        return f"{name!r} climbs out of {_SHOWN} ('..'): name a file inside that folder, relative to it"
    return None


def resolve_document(data_dir: str | os.PathLike, name: str) -> Path:
    """The file of ``data/documents/`` that ``name`` names.

    Parameters
    ----------
    data_dir : the data folder.
    name : the document's path relative to ``data_dir/documents/``.

    Returns
    -------
    The path, inside the documents folder (symbolic links resolved to check that they stay there).

    Raises
    ------
    InputError
        Naming the parameter ``documents``: a name that climbs out of the folder or is absolute, a
        link that leads outside it, or no such file.
    """
    problem = document_name_problem(name)
    if problem is None:
        folder = Path(data_dir) / DOCUMENTS_FOLDER
        path = folder / name
        try:
            inside = path.resolve().is_relative_to(folder.resolve())
        except (OSError, RuntimeError):  # RuntimeError: a symbolic link loop
            inside = False
        if not inside:
            problem = f"{name!r} leads outside {_SHOWN} (a symbolic link): name a file inside that folder"
        elif not path.is_file():
            problem = f"{name!r} is not a file in {_SHOWN}"
        else:
            return path
    raise InputError.parameter(DOCUMENT_PARAMETERS[0], problem)


def document_paths(data_dir: str | os.PathLike, names: Iterable[str] = ()) -> list[Path]:
    """The documents a report codes: ``names`` (relative to ``data_dir/documents/``) in their order,
    or, when there are none, every ``*.txt`` file of that folder (hidden files left out), sorted.

    Raises :class:`InputError` with one problem per bad name or link leading outside the folder
    (see :func:`resolve_document`).
    """
    names = list(names) or sorted(p.name for p in (Path(data_dir) / DOCUMENTS_FOLDER).glob("*.txt")
                                  if not p.name.startswith(".") and p.is_file())
    found: list[Path] = []
    problems: list[Problem] = []
    for name in names:
        try:
            found.append(resolve_document(data_dir, name))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return found


def document_name(data_dir: str | os.PathLike, path: Path) -> str:
    """How a report names the document at ``path``: its path relative to ``data_dir/documents/``."""
    return path.relative_to(Path(data_dir) / DOCUMENTS_FOLDER).as_posix()


def read_documents(data_dir: str | os.PathLike, names: Iterable[str] = ()) -> dict[str, str]:
    """``{document name: text}`` of the documents :func:`document_paths` selects, each read as UTF-8
    (a file that is not UTF-8 text raises :class:`InputError` naming it)."""
    return {document_name(data_dir, p): read_text(p) for p in document_paths(data_dir, names)}


def document_digest(path: str | os.PathLike) -> str:
    """The SHA-256 of the file's bytes, in hexadecimal (a report's provenance and cache key use it)."""
    return hashlib.sha256(read_bytes(path)).hexdigest()
