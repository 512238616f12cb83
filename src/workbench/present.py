"""Presentation helpers the notebooks share: labels by language, escaped HTML, the references section."""
from __future__ import annotations

import html
from typing import Iterable

import pandas as pd

from .htmlreport import ui_strings
from .schema import LIST_SEP
from .validate import is_web_url
from .taxonomy import concept_labels, draft_labels

__all__ = ["section", "table", "figure", "evidence_html", "with_labels", "sources_of", "references_html", "draft_note_html", "evidence_list_html", "HTML"]


class HTML:
    """Rich HTML output for notebooks (what IPython's ``display`` shows), without importing IPython here."""

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup


def _number(x: float) -> str:
    """Three decimals at most, no trailing zeros: 0.8, 57.2, 0.333.

    >>> _number(0.8), _number(57.2), _number(1/3), _number(2.0)
    ('0.8', '57.2', '0.333', '2')
    """
    return f"{x:.3f}".rstrip("0").rstrip(".")


def section(key: str, lang: str = "en", level: int = 2) -> HTML:
    """A heading (and its note, if any) from the report strings, in ``lang`` (English where untranslated)."""
    from .htmlreport import _strings

    table = _strings()["sections"]
    strings = {**table["en"], **table.get(lang, {})}
    parts = [f"<h{level}>{html.escape(strings[key])}</h{level}>"] if not key.startswith("intro_") else []
    note = strings.get(f"{key}_note") if not key.startswith("intro_") else strings[key]
    if note:
        parts.append(f"<p>{html.escape(note)}</p>")
    return HTML("".join(parts))


def table(frame: pd.DataFrame, max_rows: int | None = None, lang: str = "en") -> HTML:
    """``frame`` as an HTML table without the index; every cell escaped (data may hold markup).

    Column headers are translated into ``lang`` where the report strings have them.
    """
    from .htmlreport import _strings

    shown = frame if max_rows is None else frame.head(max_rows)
    shown = shown.rename(columns=_strings().get("columns", {}).get(lang, {}))
    return HTML(shown.to_html(index=False, escape=True, border=0, classes="dataframe wb-table", na_rep="", float_format=_number))


def figure(fig, alt: str = "figure", width: int | None = None) -> HTML:
    """A matplotlib figure as an embedded PNG: the same bytes every run, whatever the notebook backend."""
    import base64

    from .figures import png_bytes

    fig = getattr(fig, "figure", fig)  # a seaborn grid carries its figure
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    if getattr(fig.canvas, "manager", None) is not None:
        # Drawn through pyplot (seaborn does): close it, or the notebook would show it twice.
        import matplotlib.pyplot as plt

        plt.close(fig)
    size = f' width="{int(width)}"' if width else ""
    return HTML(f'<img alt="{html.escape(alt, quote=True)}"{size} src="data:image/png;base64,{data}">')


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
            found.update(part.strip() for part in cell.split(LIST_SEP) if part.strip())
    return sorted(found)


def link_html(url: object, text: str | None = None) -> str:
    """``url`` as an HTML link only when it is an http(s) address; anything else (``javascript:``,
    ``data:``) is shown as escaped text that no click can run."""
    shown = html.escape(str(url) if text is None else text)
    return f'<a href="{html.escape(str(url), quote=True)}">{shown}</a>' if is_web_url(url) else shown


def references_html(sources: pd.DataFrame, cited: Iterable[str], lang: str = "en") -> HTML:
    """The report's references section: one entry per cited source, with file name or URL."""
    by_id = sources.set_index("id")
    items = []
    for sid in sorted(set(cited)):
        if sid.startswith(("http://", "https://")):
            items.append(f'<li id="ref-{html.escape(sid, quote=True)}">{link_html(sid)}</li>')
            continue
        if sid not in by_id.index:
            continue
        row = by_id.loc[sid]
        where = (
            f"seed file <code>{html.escape(str(row['file']))}</code>"
            if row["kind"] == "seed"
            else link_html(row["url"])
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


def _cite(source: str, locator: str) -> str:
    return f"{source}, {locator}" if locator else source


def evidence_html(ev, lang: str = "en", concept_label: str | None = None) -> HTML:
    """One recommendation's evidence (a :class:`workbench.recommend.Evidence`), escaped, every line cited."""
    parts = [f"<h3>{html.escape(concept_label or ev.label)}</h3>"]
    comps = ", ".join(f"{html.escape(k)} = {v:.2f} (w {ev.weights[k]:g})" for k, v in ev.components.items())
    parts.append(f"<p>score <b>{ev.score:.3f}</b> = Σ w·c / Σ w; {comps}; Kazakhstan: <b>{html.escape(ev.kaz_status)}</b></p>")
    sections = [
        ("Peer framework items", ev.peer_items, lambda r: f"{r.country} · {r.framework_id} · {r.subject_id}: {r.label}"),
        ("Peer practices", ev.peer_practices, lambda r: f"{r.country}: {r.label}"),
        ("OECD 2019 principles", ev.oecd_principles, lambda r: f"{r.subject_id}: {r.label}"),
        ("Kazakh baseline", ev.kaz_baseline, lambda r: f"{r.framework_id} · {r.group}: {r.label} ({r.predicate})"),
        ("Measured need (APA survey)", ev.survey, lambda r: f"{r.label}: {r.value:g}%"),
        ("Already recommended by the source papers", ev.paper, lambda r: f"{r.label}"),
        ("Implementation steps", ev.steps, lambda r: f"{r.label}"),
    ]
    for title, frame, text in sections:
        parts.append(evidence_list_html(title, ((text(r), _cite(r.source, r.locator)) for r in frame.itertuples(index=False))))
    return HTML(f'<div class="wb-evidence">{"".join(parts)}</div>')
