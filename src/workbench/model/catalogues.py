"""The gettext catalogues of the interface strings: where they live, compiling them, loading them.

``src/workbench/locale/workbench.pot`` is the template ``pybabel extract`` writes from
:mod:`workbench.model.messages`; ``locale/<lang>/LC_MESSAGES/workbench.po`` the Russian and Kazakh
catalogues a translator edits (Poedit, Weblate). Each compiles to two ``.mo`` files: ``workbench.mo``
(the translations, as ``pybabel compile`` writes them: fuzzy entries left out) and
``workbench-fuzzy.mo`` (the fuzzy ones alone), so that a string whose English changed since it was
translated is still shown in the report's language, marked as a draft. Compiled files are never
committed: the runner compiles a stale catalogue before a run, and a process that finds one stale
compiles it in memory.
"""
from __future__ import annotations

import gettext
import io
import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from workbench.model.errors import InputError, Problem

__all__ = ["DOMAIN", "locale_dir", "po_path", "compile_catalogue", "compile_catalogues", "translations", "stale",
           "unusable", "catalogue_problems"]

DOMAIN = "workbench"


#: The package's own catalogues (resolved once: a report looks a word up thousands of times).
_PACKAGE_LOCALE = Path(__file__).resolve().parents[1] / "locale"


def locale_dir() -> Path:
    """``$WORKBENCH_LOCALE_DIR``, else the ``locale`` folder of the package."""
    env = os.environ.get("WORKBENCH_LOCALE_DIR")
    return Path(env) if env else _PACKAGE_LOCALE


def po_path(lang: str, root: Path | None = None) -> Path:
    return (root or locale_dir()) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def _mo_paths(po: Path) -> tuple[Path, Path]:
    return po.with_suffix(".mo"), po.with_name(f"{DOMAIN}-fuzzy.mo")


def stale(lang: str, root: Path | None = None) -> bool:
    """Whether a compiled file of ``lang`` is missing or older than its catalogue."""
    po = po_path(lang, root)
    return any(not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime for mo in _mo_paths(po))


_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)[^{}]*\}")


def _fields(text: Any) -> set[str]:
    texts = text if isinstance(text, (tuple, list)) else [text]
    return {f for s in texts if s for f in _FIELD.findall(s)}


def unusable(catalog: Any) -> list[tuple[int, str]]:
    """The translations a report could not fill: one whose ``{placeholders}`` are not the English
    text's (a typo in a name would stop a report midway). Each with its line in the ``.po`` file."""
    out = []
    for message in catalog:
        if message.id and message.string and _fields(message.string) - _fields(message.id):
            wrong = ", ".join(sorted(_fields(message.string) - _fields(message.id)))
            out.append((message.lineno, f"'{message.context}': placeholder {{{wrong}}} is not in the English text"))
    return out


def _read(po: Path) -> Any:
    """The catalogue of ``po``; a file gettext cannot read is a one-line error naming it."""
    # deferred: Babel's catalogue reader is needed only when a catalogue is compiled
    from babel.messages.pofile import PoFileError, read_po

    try:
        with open(po, "rb") as fh:
            return read_po(fh, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 0) or 0
        raise InputError.single(po, line, f"not a readable gettext catalogue ({exc})") from None
    except OSError as exc:
        raise InputError.single(po, 0, f"cannot read the catalogue ({exc.strerror})") from None


def _compiled(po: Path) -> tuple[bytes, bytes]:
    """The two ``.mo`` files of a catalogue: its translations, and its fuzzy translations alone.
    A translation a report could not fill (:func:`unusable`) is left out: shown as a draft instead."""
    # deferred: Babel's catalogue classes are needed only when a catalogue is compiled
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    catalog = _read(po)
    bad = {line for line, _ in unusable(catalog)}
    for message in catalog:
        if message.lineno in bad:
            message.string = "" if isinstance(message.id, str) else tuple("" for _ in message.id)
    main, fuzzy = io.BytesIO(), io.BytesIO()
    write_mo(main, catalog, use_fuzzy=False)
    only_fuzzy = Catalog(locale=catalog.locale, domain=DOMAIN)
    only_fuzzy.mime_headers = catalog.mime_headers
    for message in catalog:
        if message.id and message.fuzzy:
            only_fuzzy.add(message.id, message.string, context=message.context, flags=("fuzzy",))
    write_mo(fuzzy, only_fuzzy, use_fuzzy=True)
    return main.getvalue(), fuzzy.getvalue()


def compile_catalogue(lang: str, root: Path | None = None) -> list[Path]:
    """Compile ``lang``'s catalogue into its two ``.mo`` files (written to a temporary file, then
    renamed into place); returns the files written."""
    # deferred: the atomic writer loads tempfile, only when something is written
    from workbench.model.outputs import atomic_write

    po = po_path(lang, root)
    written = []
    for path, data in zip(_mo_paths(po), _compiled(po)):
        atomic_write(path, data)
        written.append(path)
    return written


def compile_catalogues(languages: tuple[str, ...] = ("ru", "kk"), root: Path | None = None, force: bool = False) -> list[Path]:
    """Compile every stale catalogue of ``languages`` (every one with ``force``); returns the files written."""
    return [p for lang in languages if force or stale(lang, root) for p in compile_catalogue(lang, root)]


@lru_cache(maxsize=None)
def _load(po: str, stamp: float) -> tuple[gettext.GNUTranslations, gettext.GNUTranslations]:
    path = Path(po)
    main_mo, fuzzy_mo = _mo_paths(path)
    fresh = all(mo.exists() and mo.stat().st_mtime >= stamp for mo in (main_mo, fuzzy_mo))
    main, fuzzy = (main_mo.read_bytes(), fuzzy_mo.read_bytes()) if fresh else _compiled(path)
    return gettext.GNUTranslations(io.BytesIO(main)), gettext.GNUTranslations(io.BytesIO(fuzzy))


def translations(lang: str) -> tuple[gettext.GNUTranslations, gettext.GNUTranslations]:
    """``lang``'s translations and its fuzzy translations, from the compiled files when they are
    up to date with the catalogue, else compiled in memory; read again when the catalogue changes."""
    po = po_path(lang)
    return _load(str(po), po.stat().st_mtime)


def catalogue_problems(languages: tuple[str, ...] = ("ru", "kk")) -> list[Any]:
    """What ``workbench validate`` reports of the catalogues: unreadable files, and translations a
    report could not fill (shown as drafts until fixed), each as ``path:line: message``."""
    problems: list[Problem] = []
    for lang in languages:
        po = po_path(lang)
        try:
            catalog = _read(po)
        except InputError as exc:
            problems += exc.problems
            continue
        problems += [Problem(str(po), line, message) for line, message in unusable(catalog)]
    return problems
