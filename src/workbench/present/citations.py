"""Sources cited in a report: safe links, author-year labels, citations that link to the References, and that
list; and the documents a report read, each with its checksum."""
from __future__ import annotations

import html
from datetime import date
import os
from typing import Any, Iterable, Mapping

import pandas as pd

from workbench.model.documents import DOCUMENTS_FOLDER, document_digest, resolve_document
from workbench.model.i18n import author_year, date_text, t
from workbench.model.schema import LIST_SEP
from workbench.model.validate import is_web_url
from workbench.model.values import SOURCE_ID_IN_TEXT
from workbench.present.page import _CTX, HTML, _lang

__all__ = ["labelled_text", "safe_url", "link_html", "source_labels", "cite_label", "cite_html", "cited_text_html", "sources_of", "references_html", "documents_html"]


def safe_url(url: Any) -> str | None:
    """``url`` when it is an http(s) address a reader may follow; ``None`` for anything else (``javascript:``, ``data:``...).

    The rule is :func:`workbench.model.validate.is_web_url`, the one that decides which sources are valid.

    >>> safe_url("https://oecd.org/x"), safe_url("javascript:alert(1)"), safe_url(" HTTP://a.b ")
    ('https://oecd.org/x', None, 'HTTP://a.b')
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    return url if is_web_url(url) else None


def link_html(url: Any, text: str | None = None) -> str:
    """``url`` as an HTML link only when :func:`safe_url` accepts it; anything else (``javascript:``,
    ``data:``) is shown as escaped text that no click can run."""
    target = safe_url(url)
    # an address shown as itself is machine text (like a file name): set as code, never read as words
    shown = f'<code class="wb-url">{html.escape(str(url).strip())}</code>' if text is None else html.escape(text)
    return f'<a href="{html.escape(target, quote=True)}">{shown}</a>' if target else shown


def _labels_by_source(lang: str) -> dict[str, str]:
    """Source id (and seed file name) -> author-year, with a/b suffixes where two would read alike."""
    if _CTX.sources is None:
        return {}
    key = ("labels", lang, id(_CTX.sources))
    if key not in _CTX.derived:
        _CTX.derived[key] = source_labels(_CTX.sources, lang)
    return _CTX.derived[key]


#: The letters that tell apart two sources that would read alike ("2015a"), in each language's alphabet.
_SUFFIXES = {"en": "abcdefghijklmnop", "ru": "абвгдежзиклмнопр", "kk": "абвгдежзиклмнопр"}


def source_labels(sources: pd.DataFrame, lang: str) -> dict[str, str]:
    """Source id (and seed file name) -> author-year in ``lang``, with a/b suffixes where two would read
    alike: the labels of every citation of a page, and of a markdown document, computed from ``sources``."""
    rows = [(str(r["id"]), author_year(r["citation"], r.get("year"), lang), r.get("file")) for _, r in sources.iterrows()]
    counts: dict[str, int] = {}
    for _, label, _ in rows:
        counts[label] = counts.get(label, 0) + 1
    seen: dict[str, int] = {}
    out = {}
    for sid, label, file in rows:
        if counts[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            letters = _SUFFIXES.get(lang, _SUFFIXES["en"])
            letter = letters[seen[label] - 1] if seen[label] <= len(letters) else str(seen[label])  # past the letters: a number
            label = f"{label}-{letter}" if label.endswith(".") else f"{label}{letter}"  # "n.d.-a", as APA writes it
        out[sid] = label
        if isinstance(file, str) and file:
            out[file] = label
    return out


def labelled_text(text: str, cited: Mapping[str, str]) -> str:
    """``text`` (a locator, a note) with the source ids a curator wrote in it ("see ref_x") as author-year
    (``cited``: :func:`source_labels`), as the pages' tables show them.

    >>> labelled_text("first paragraph; ref_x_2012, second", {"ref_x_2012": "Smith 2012"})
    'first paragraph; Smith 2012, second'
    """
    return SOURCE_ID_IN_TEXT.sub(lambda m: cited.get(m.group(0), m.group(0)), str(text))


def cite_label(source: str, lang: str | None = None) -> str:
    """How a source id (or seed file name) is cited in the text: author-year; the id itself when unknown."""
    return _labels_by_source(_lang(lang)).get(str(source), str(source))


def _source_id(token: str) -> str | None:
    """The source id a token names: an id itself, else the first source whose seed file it is."""
    if _CTX.sources is None:
        return None
    key = ("ids", id(_CTX.sources))
    if key not in _CTX.derived:
        sources = _CTX.sources
        by_token: dict[str, str] = {}
        if "file" in sources:
            for sid, file in zip(sources["id"], sources["file"]):
                if not pd.isna(file):
                    by_token.setdefault(str(file), str(sid))
        by_token.update((str(sid), str(sid)) for sid in sources["id"])  # an id wins over a file name
        _CTX.derived[key] = by_token
    return _CTX.derived[key].get(token)


def cite_html(source: str, locator: str = "", lang: str | None = None) -> str:
    """A citation that links to its entry under References, and is remembered for that list."""
    sid = _source_id(str(source))
    if sid is None:
        return html.escape(f"{source}, {locator}" if locator else str(source))
    _CTX.cited.add(sid)
    link = f'<a class="wb-cite" href="#ref-{html.escape(sid, quote=True)}">{html.escape(cite_label(sid, lang))}</a>'
    return f"{link}, {cited_text_html(locator, lang)}" if locator else link


def cited_text_html(text: str, lang: str | None = None) -> str:
    """Free text made safe to show: escaped, and every known source id in it written as a linked
    citation (author-year), so a curator's "(ref_x)" never reaches a reader as an id."""
    out, last = [], 0
    for m in SOURCE_ID_IN_TEXT.finditer(text):
        if _source_id(m.group(0)) is None:
            continue
        out += [html.escape(text[last:m.start()]), cite_html(m.group(0), lang=lang)]
        last = m.end()
    return "".join(out) + html.escape(text[last:])


def sources_of(*frames: pd.DataFrame, column: str = "source") -> list[str]:
    """Every source id cited in ``column`` of ``frames`` (``;``-joined cells split), sorted."""
    found: set[str] = set()
    for frame in frames:
        if frame is None or column not in frame:
            continue
        for cell in frame[column].dropna().astype(str):
            found.update(part.strip() for part in cell.split(LIST_SEP) if part.strip())
    return sorted(found)


# -- references ----------------------------------------------------------------------------------------

def references_html(sources: pd.DataFrame, cited: Iterable[str] = (), lang: str | None = None) -> HTML:
    """The references: every source in ``cited`` and every source a table or evidence of this report cited.

    Each entry: author-year, the full citation (authors, year, title), and the seed file or the
    address (a link only for http/https addresses; anything else is shown as text).
    """
    lang = _lang(lang)
    if _CTX.sources is None:
        _CTX.sources = sources
    labels = _labels_by_source(lang)
    by_id = sources.set_index("id")
    wanted = {str(s) for s in cited if not pd.isna(s)} | _CTX.cited
    items = []
    for sid in sorted(wanted, key=lambda s: (labels.get(s, s).lower(), s)):
        anchor = html.escape(f"ref-{sid}", quote=True)
        if sid.startswith(("http://", "https://")) or sid not in by_id.index:
            items.append(f'<li id="{anchor}">{link_html(sid)}</li>')
            continue
        row = by_id.loc[sid]
        if row.get("kind") == "seed" and isinstance(row.get("file"), str):
            where = f'{html.escape(t("ui.seed_file", lang))} <span class="wb-file">{html.escape(str(row["file"]))}</span>'
        else:
            where = link_html(row.get("url") or "")
            accessed = row.get("accessed")
            if isinstance(accessed, (str, date)) and str(accessed):
                where += f" ({html.escape(t('ui.accessed', lang, date=date_text(accessed, lang)))})"
        if row.get("extent") == "abstract":  # what we read of the work, said in the reader's language
            where = f'{html.escape(t("ui.abstract_only", lang))} {where}'
        label = labels.get(sid, sid)
        items.append(f'<li id="{anchor}"><b>{html.escape(label if label.endswith(".") else label + ".")}</b> {html.escape(" ".join(str(row["citation"]).split()))} {where}</li>')
    title = html.escape(t("ui.references", lang))
    return HTML(f'<section class="wb-references"><h2>{title}</h2><ul>{"".join(items)}</ul></section>')


def documents_html(data_dir: str | os.PathLike, names: Iterable[str], lang: str | None = None) -> HTML:
    """The documents a report read (its provenance): each file's path in the data folder and the
    first 12 digits of the SHA-256 of its bytes, so that a reader can tell which version was coded.

    Parameters
    ----------
    data_dir : the data folder.
    names : the documents, relative to ``data_dir/documents/`` (as
        :func:`workbench.model.documents.read_documents` names them).
    lang : the report's language (the context's by default).
    """
    lang = _lang(lang)
    items = []
    for name in names:
        digest = document_digest(resolve_document(data_dir, name))
        items.append(f'<li><span class="wb-file">{html.escape(f"{DOCUMENTS_FOLDER}/{name}")}</span> '
                     f'<span class="wb-file">SHA-256 {digest[:12]}</span></li>')
    title, note = html.escape(t("ui.documents_read", lang)), html.escape(t("ui.documents_read_note", lang))
    return HTML(f'<section class="wb-references wb-documents"><h2>{title}</h2><p>{note}</p><ul>{"".join(items)}</ul></section>')
