"""The notebook's page: the HTML it shows, the report's context (:func:`use`), sections, embedded figures and the draft note.

Every interface string comes from :mod:`workbench.model.i18n`. A notebook calls :func:`use` once with
its dataset and language; the tables it then shows (:mod:`workbench.present.tables`) are formatted
for print, every source they cite is remembered for the references
(:mod:`workbench.present.citations`), and :mod:`workbench.present.workbook` offers them all as one
XLSX workbook. What a report has set and gathered lives in one context object, ``_CTX``, that every
module of the layer shares.
"""
from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field, fields
from typing import Any

import pandas as pd

from workbench.model.i18n import check_language, has, t
from workbench.model.taxonomy import concept_labels, draft_labels

__all__ = ["HTML", "use", "section", "figure", "with_labels", "with_framework_titles", "draft_note_html", "code_marked"]


class HTML:
    """Rich HTML output for notebooks (what IPython's ``display`` shows), without importing IPython here.

    Its text form (``repr``, what a console or a text-only notebook view shows) is the markup's
    text without tags, so an executed notebook reads as prose rather than ``<HTML at 0x...>``.
    """

    def __init__(self, markup: str):
        self.markup = markup

    def _repr_html_(self) -> str:
        return self.markup

    def __str__(self) -> str:
        return self.markup

    def text(self) -> str:
        """The markup as plain text: block ends become line breaks, table cells are tab-separated.

        >>> HTML("<h2>Title</h2><p>One &amp; two</p>").text()
        'Title\\nOne & two'
        """
        s = re.sub(r"<(img)[^>]*alt=\"([^\"]*)\"[^>]*>", r"[\2]", self.markup)
        s = re.sub(r"</(h\d|p|tr|li|div|section|ul|ol|table|thead|tbody)>", "\n", s)
        s = re.sub(r"</t[dh]>", "\t", s)
        s = html.unescape(re.sub(r"<[^>]+>", "", s))
        lines = [" ".join(line.replace("\t", " \u2502 ").split()).strip(" \u2502") for line in s.splitlines()]
        return "\n".join(line for line in lines if line)

    def __repr__(self) -> str:
        return self.text() or "(empty)"

    def _repr_pretty_(self, p, cycle: bool) -> None:  # IPython's plain-text view
        p.text(repr(self))


# -- the notebook's context --------------------------------------------------------------------

@dataclass
class _Context:
    """What the report started by :func:`use` has set (language, data) and gathered (tables, citations)."""

    lang: str = "en"
    sources: pd.DataFrame | None = None
    concepts: pd.DataFrame | None = None
    principles: dict[str, str] = field(default_factory=dict)  # OECD code -> principle number
    principle_titles: dict[str, str] = field(default_factory=dict)  # OECD code -> its wording in the data
    domains: dict[str, str] = field(default_factory=dict)  # taxonomy domain id -> label in the report's language
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    cited: set[str] = field(default_factory=set)
    #: What is derived from ``sources`` once per report (citation labels by language, ids by token):
    #: a recommendations report cites a source several hundred times.
    derived: dict[Any, Any] = field(default_factory=dict)

    def restart(self, **values: Any) -> None:
        """Forget everything and hold ``values`` instead, changing this object in place.

        The modules of the layer import the one context, so it is never replaced, only restarted.

        >>> ctx = _Context(lang="ru", cited={"seed001"})
        >>> ctx.restart(lang="kk")
        >>> ctx.lang, ctx.cited
        ('kk', set())
        """
        fresh = _Context(**values)
        for f in fields(self):
            setattr(self, f.name, getattr(fresh, f.name))


#: The context of the report being written: one object, shared by every module of the layer.
_CTX = _Context()


def use(ds: Any, lang: str = "en") -> None:
    """Start a report: the dataset whose sources, concepts and OECD principles label the tables, and the language.

    Forgets the tables and citations of any report started before in this kernel.
    """
    check_language(lang)
    principles: dict[str, str] = {}
    titles: dict[str, str] = {}
    items = getattr(ds, "items", None)
    if items is not None and "item_code" in items.columns:
        # The OECD (2019) principles are items of the data; their locator says "Principle N".
        oecd = items[items["item_code"].astype(str).str.match(r"OECD-PSLC\d+$")]
        for _, row in oecd.iterrows():
            found = re.search(r"(\d+)", str(row.get("locator", ""))) or re.search(r"(\d+)$", str(row["item_code"]))
            principles[str(row["item_code"])] = found.group(1)
            titles[str(row["item_code"])] = str(row.get("label", "")).rstrip(".")
    domains = getattr(ds, "domains", None)
    domain_labels = dict(zip(domains["domain"], domains[f"label_{lang}"])) if domains is not None and f"label_{lang}" in domains else {}
    _CTX.restart(lang=lang, sources=getattr(ds, "sources", None), concepts=getattr(ds, "concepts", None),
                 principles=principles, principle_titles=titles, domains=domain_labels)


def forget() -> None:
    """Forget the report started before, as a fresh kernel would (no data, English, no tables).

    The report runner calls it between reports on a reused kernel, so that a notebook that does
    not call :func:`use` never shows the previous report's language or labels.
    """
    _CTX.restart()


def _lang(lang: str | None) -> str:
    return lang or _CTX.lang


# -- sections ----------------------------------------------------------------------------------

#: The subcommands of ``workbench`` (the command line's own list, which a test compares with this one): "the
#: workbench from cited data" names no command.
COMMAND_NAMES = ("agreement", "code", "export-codebook", "network", "options", "pdf", "recommend", "reports", "suggest",
                 "validate", "versions")
#: What a sentence names for a reader to type or open: a file of the checkout, a ``workbench`` command.
_CODE = re.compile(r"\b(?:data|notebooks|src|reports|figures)/[\w./-]*\w|\bworkbench (?:" + "|".join(COMMAND_NAMES)
                   + r")\b(?: --[a-z-]+)*|\b[\w-]+\.(?:yaml|tsv|ipynb)\b")


def code_marked(text: str) -> str:
    """``text`` escaped, with the file names and commands it names set as code.

    >>> code_marked("The weights are in data/weights.yaml; rerun with “workbench reports”.")
    'The weights are in <code>data/weights.yaml</code>; rerun with “<code>workbench reports</code>”.'
    >>> code_marked("Generated by the workbench from cited data.")
    'Generated by the workbench from cited data.'
    """
    out, end = [], 0
    for m in _CODE.finditer(text):
        out += [html.escape(text[end:m.start()]), f"<code>{html.escape(m.group(0))}</code>"]
        end = m.end()
    return "".join(out) + html.escape(text[end:])


def section(key: str, lang: str | None = None, level: int = 2, lead: str | None = None) -> HTML:
    """A heading and its note (``<key>_note``, if any) in ``lang``; ``intro_*`` keys are a paragraph only.
    ``lead``: the key of a sentence (``sections.<lead>``) put before the note, where the note depends on
    the analysis (how many lists the ranking has)."""
    lang = _lang(lang)
    if key.startswith("intro_"):
        return HTML(f'<p class="wb-intro">{code_marked(t("sections." + key, lang))}</p>')
    parts = [f"<h{level}>{html.escape(t('sections.' + key, lang))}</h{level}>"]
    note = [t(f"sections.{k}", lang) for k in (lead, f"{key}_note") if k is not None and has(f"sections.{k}")]
    if note:
        parts.append(f"<p>{code_marked(' '.join(note))}</p>")
    return HTML("".join(parts))


# -- figures and labels ----------------------------------------------------------------------------

def figure(fig, alt: str = "figure", width: int | None = None) -> HTML:
    """A matplotlib figure as an embedded PNG: the same bytes every run, whatever the notebook backend.

    A figure just written by :func:`workbench.present.figures.save_figure` is embedded as the PNG
    file it wrote (drawn once; sharper on paper), shown at the size of a screen drawing; any
    other figure is drawn here at :data:`~workbench.present.figures.SCREEN_DPI`.
    """
    # deferred: figures imports matplotlib and networkx (half a second); the citations, evidence and markdown renderings build on this module and draw nothing
    from workbench.present.figures import SAVED_PNG, SCREEN_DPI, png_bytes, png_size

    fig = getattr(fig, "figure", fig)  # a seaborn grid carries its figure
    saved = getattr(fig, SAVED_PNG, None)
    if saved is not None:
        png, dpi = saved
        width = width or round(png_size(png)[0] * SCREEN_DPI / dpi)
    else:
        png = png_bytes(fig)
    data = base64.b64encode(png).decode("ascii")
    if getattr(fig.canvas, "manager", None) is not None:
        # Drawn through pyplot (seaborn does): close it, or the notebook would show it twice.
        # deferred: pyplot is loaded already when a figure was drawn through it; for any other figure it would pick a backend for nothing
        import matplotlib.pyplot as plt

        plt.close(fig)
    size = f' width="{int(width)}"' if width else ""
    return HTML(f'<figure class="wb-figure"><img alt="{html.escape(alt, quote=True)}"{size} src="data:image/png;base64,{data}"></figure>')


def with_labels(frame: pd.DataFrame, concepts: pd.DataFrame, lang: str = "en", column: str = "concept_id", name: str = "concept") -> pd.DataFrame:
    """``frame`` with a ``name`` column holding each concept's label in ``lang``, placed first."""
    labels = concept_labels(concepts, lang)
    out = frame.copy()
    out.insert(0, name, out[column].map(labels).fillna(out[column]))
    return out


def with_framework_titles(frame: pd.DataFrame, frameworks: pd.DataFrame, lang: str = "en", column: str = "framework_id") -> pd.DataFrame:
    """``frame`` with its framework ids replaced by the frameworks' titles (a ``framework`` column,
    first); the id ``all`` (a total row) reads "all frameworks" in ``lang``."""
    titles = dict(zip(frameworks["framework_id"], frameworks["title"])) | {"all": t("ui.all_frameworks", lang)}
    out = frame.drop(columns=[column])
    out.insert(0, "framework", frame[column].map(titles).fillna(frame[column]))
    return out


def draft_note_html(concepts: pd.DataFrame, lang: str) -> HTML:
    """A note listing how many labels shown are draft translations (empty for English)."""
    drafts = draft_labels(concepts, lang)
    if not drafts:
        return HTML("")
    note = html.escape(t("ui.draft_note", lang))
    return HTML(f'<p class="wb-draft">{note} ({len(drafts)}/{len(concepts)})</p>')
