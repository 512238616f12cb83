"""Presentation helpers the notebooks share: labels by language, escaped HTML, the references section."""
from __future__ import annotations

import html
from typing import Iterable

import pandas as pd

from .htmlreport import ui_strings
from .taxonomy import concept_labels, draft_labels

__all__ = ["table", "with_labels", "sources_of", "references_html", "draft_note_html", "evidence_list_html", "HTML"]


class HTML:
    """Rich HTML output for notebooks (what IPython's ``display`` shows), without importing IPython here."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def table(frame: pd.DataFrame, max_rows: int | None = None) -> HTML:
    """``frame`` as an HTML table without the index; every cell escaped (data may hold markup)."""
    shown = frame if max_rows is None else frame.head(max_rows)
    return HTML(shown.to_html(index=False, escape=True, border=0, classes="dataframe wb-table", na_rep=""))


def with_labels(frame: pd.DataFrame, concepts: pd.DataFrame, lang: str = "en", column: str = "concept_id", name: str = "concept") -> pd.DataFrame:
    """``frame`` with a ``name`` column holding each concept's label in ``lang``, placed first."""
    labels = concept_labels(concepts, lang)
    out = frame.copy()
    out.insert(0, name, out[column].map(labels).fillna(out[column]))
    return out


def sources_of(*frames: pd.DataFrame, column: str = "source") -> list[str]:
    """Every source id cited in ``column`` of ``frames`` (``;``-joined cells split), sorted."""
    found: set[str] = set()
    for frame in frames:
        if frame is None or column not in frame:
            continue
        for cell in frame[column].dropna().astype(str):
            found.update(part.strip() for part in cell.split(";") if part.strip())
    return sorted(found)


def references_html(sources: pd.DataFrame, cited: Iterable[str], lang: str = "en") -> HTML:
    """The report's references section: one entry per cited source, with file name or URL."""
    by_id = sources.set_index("id")
    items = []
    for sid in sorted(set(cited)):
        if sid.startswith(("http://", "https://")):
            items.append(f'<li id="ref-{html.escape(sid, quote=True)}"><a href="{html.escape(sid, quote=True)}">{html.escape(sid)}</a></li>')
            continue
        if sid not in by_id.index:
            continue
        row = by_id.loc[sid]
        where = (
            f"seed file <code>{html.escape(str(row['file']))}</code>"
            if row["kind"] == "seed"
            else f'<a href="{html.escape(str(row["url"]), quote=True)}">{html.escape(str(row["url"]))}</a>'
        )
        items.append(f'<li id="ref-{html.escape(sid, quote=True)}"><b>[{html.escape(sid)}]</b> {html.escape(str(row["citation"]))} {where}</li>')
    title = html.escape(ui_strings(lang)["references"])
    return HTML(f'<section class="wb-references"><h2>{title}</h2><ol>{"".join(items)}</ol></section>')


def draft_note_html(concepts: pd.DataFrame, lang: str) -> HTML:
    """A note listing how many labels shown are draft translations (empty for English)."""
    drafts = draft_labels(concepts, lang)
    if not drafts:
        return HTML("")
    note = html.escape(ui_strings(lang)["draft_note"])
    return HTML(f'<p class="wb-draft">{note} ({len(drafts)}/{len(concepts)})</p>')


def evidence_list_html(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """An escaped ``<ul>`` of ``(text, citation)`` pairs under a bold title (empty when no rows)."""
    rows = list(rows)
    if not rows:
        return ""
    lis = "".join(f'<li>{html.escape(text)} <span class="wb-cite">[{html.escape(cite)}]</span></li>' for text, cite in rows)
    return f"<p><b>{html.escape(title)}</b></p><ul>{lis}</ul>"
