"""Presentation helpers the notebooks share: publication tables, sections, figures and references.

Every interface string comes from :mod:`workbench.model.i18n`. A notebook calls :func:`use` once with
its dataset and language; the tables it then shows are formatted for print (headers in the
report's language, labels instead of ids, marks instead of booleans, fixed decimals), every
source they cite is remembered for :func:`references_html`, and :func:`downloads_html` offers
them all as one XLSX workbook (each table also carries its own CSV link).
"""
from __future__ import annotations

import base64
import html
import io
import re
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

import pandas as pd

from workbench.model.i18n import author_year, country_name, has, t
from workbench.model.schema import LIST_SEP
from workbench.model.validate import is_web_url
from workbench.model.taxonomy import concept_labels, draft_labels

# The evidence of a recommendation is rendered by workbench.analysis.evidence (one model, markdown and HTML).
__all__ = [
    "HTML", "use", "section", "table", "publish", "figure", "with_labels", "sources_of",
    "references_html", "draft_note_html", "downloads_html", "csv_bytes", "xlsx_bytes",
    "cite_label", "cite_html", "safe_url", "link_html",
]


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
    lang: str = "en"
    sources: pd.DataFrame | None = None
    concepts: pd.DataFrame | None = None
    principles: dict[str, str] = field(default_factory=dict)  # OECD code -> principle number
    principle_titles: dict[str, str] = field(default_factory=dict)  # OECD code -> its wording in the data
    domains: dict[str, str] = field(default_factory=dict)  # taxonomy domain id -> label in the report's language
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    cited: set[str] = field(default_factory=set)


_CTX = _Context()


def use(ds: Any, lang: str = "en") -> None:
    """Start a report: the dataset whose sources, concepts and OECD principles label the tables, and the language.

    Forgets the tables and citations of any report started before in this kernel.
    """
    global _CTX
    from workbench.model.i18n import check_language

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
    _CTX = _Context(lang=lang, sources=getattr(ds, "sources", None), concepts=getattr(ds, "concepts", None),
                    principles=principles, principle_titles=titles, domains=domain_labels)


def _lang(lang: str | None) -> str:
    return lang or _CTX.lang


# -- sections ----------------------------------------------------------------------------------

def section(key: str, lang: str | None = None, level: int = 2) -> HTML:
    """A heading and its note (``<key>_note``, if any) in ``lang``; ``intro_*`` keys are a paragraph only."""
    lang = _lang(lang)
    if key.startswith("intro_"):
        return HTML(f'<p class="wb-intro">{html.escape(t("sections." + key, lang))}</p>')
    parts = [f"<h{level}>{html.escape(t('sections.' + key, lang))}</h{level}>"]
    if has(f"sections.{key}_note"):
        parts.append(f"<p>{html.escape(t(f'sections.{key}_note', lang))}</p>")
    return HTML("".join(parts))


# -- sources and their labels --------------------------------------------------------------------

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
    shown = html.escape(str(url).strip() if text is None else text)
    return f'<a href="{html.escape(target, quote=True)}">{shown}</a>' if target else shown


def _labels_by_source(lang: str) -> dict[str, str]:
    """Source id (and seed file name) -> author-year, with a/b suffixes where two would read alike."""
    if _CTX.sources is None:
        return {}
    rows = [(str(r["id"]), author_year(r["citation"], r.get("year"), lang), r.get("file")) for _, r in _CTX.sources.iterrows()]
    counts: dict[str, int] = {}
    for _, label, _ in rows:
        counts[label] = counts.get(label, 0) + 1
    seen: dict[str, int] = {}
    out = {}
    for sid, label, file in rows:
        if counts[label] > 1:
            seen[label] = seen.get(label, 0) + 1
            label = f"{label}{'abcdefghij'[seen[label] - 1]}"
        out[sid] = label
        if isinstance(file, str) and file:
            out[file] = label
    return out


def cite_label(source: str, lang: str | None = None) -> str:
    """How a source id (or seed file name) is cited in the text: author-year; the id itself when unknown."""
    return _labels_by_source(_lang(lang)).get(str(source), str(source))


def _source_id(token: str) -> str | None:
    if _CTX.sources is None:
        return None
    ids = set(_CTX.sources["id"].astype(str))
    if token in ids:
        return token
    files = _CTX.sources.dropna(subset=["file"]) if "file" in _CTX.sources else _CTX.sources.iloc[0:0]
    match = files.loc[files["file"].astype(str) == token, "id"]
    return str(match.iloc[0]) if len(match) else None


def cite_html(source: str, locator: str = "", lang: str | None = None) -> str:
    """A citation that links to its entry under References, and is remembered for that list."""
    sid = _source_id(str(source))
    if sid is None:
        return html.escape(f"{source}, {locator}" if locator else str(source))
    _CTX.cited.add(sid)
    link = f'<a class="wb-cite" href="#ref-{html.escape(sid, quote=True)}">{html.escape(cite_label(sid, lang))}</a>'
    return f"{link}, {html.escape(locator)}" if locator else link


def sources_of(*frames: pd.DataFrame, column: str = "source") -> list[str]:
    """Every source id cited in ``column`` of ``frames`` (``;``-joined cells split), sorted."""
    found: set[str] = set()
    for frame in frames:
        if frame is None or column not in frame:
            continue
        for cell in frame[column].dropna().astype(str):
            found.update(part.strip() for part in cell.split(LIST_SEP) if part.strip())
    return sorted(found)


# -- publication tables ----------------------------------------------------------------------------

#: Shares (0-1) shown as percentages.
PERCENT_COLUMNS = frozenset({
    "peer_share", "stability", "share_covered", "abstention_rate", "top1_accuracy", "top3_accuracy",
    "top1_primary_accuracy", "top1_accuracy_when_confident",
})
#: Values that are already percentages (0-100).
PERCENT_VALUE_COLUMNS = frozenset({"survey_gap_percent", "gap"})
#: Columns whose cells are country codes (``;``-joined lists allowed).
COUNTRY_COLUMNS = frozenset({"country", "country_2", "carrier", "carriers", "peers", "stressed_by", "ignored_by",
                             "model_countries", "model_country"})
#: Columns whose cells are source ids (``;``-joined lists allowed).
SOURCE_COLUMNS = frozenset({"source", "sources", "paper", "papers"})
#: Columns whose cells are words the code writes (translated through ``values`` of the catalogue).
VALUE_COLUMNS = frozenset({"status", "kind", "scope", "predicate_id", "kaz_status", "list", "verdict"})
DECIMALS = 3
#: Measures shown with :data:`DECIMALS` decimals even where a value is whole (a 1 beside 0.500 misleads).
FIXED_COLUMNS = frozenset({"score", "jaccard", "overlap_coefficient", "confidence", "oecd_alignment", "kaz_absence",
                           "measured_need", "paper_recommended", "degree", "betweenness", "strength", "spread"})


def _is_empty(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v) or (isinstance(v, str) and not v.strip()) or v is pd.NA or v is pd.NaT


def _split(cell: Any) -> list[str]:
    return [p.strip() for p in re.split(r"[;,]", str(cell)) if p.strip()] if not _is_empty(cell) else []


def _header(column: Any, lang: str) -> str:
    name = str(column)
    if has(f"columns.{name}"):
        return t(f"columns.{name}", lang)
    if name in _CTX.principles:
        return f"{t('ui.principle', lang)} {_CTX.principles[name]}"
    if _source_id(name) is not None:
        return cite_label(_source_id(name), lang)
    if re.fullmatch(r"[A-Z]{3}", name):
        return country_name(name, lang)
    return name.strip().replace("_", " ")


def _value(v: Any, lang: str) -> Any:
    if isinstance(v, str) and has(f"values.{v}"):
        return t(f"values.{v}", lang)
    return v


def publish(frame: pd.DataFrame, lang: str | None = None, percent: Iterable[str] = ()) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``frame`` made fit to print: ``(data, shown)``, both with headers in ``lang``.

    ``data`` keeps numbers as numbers (for CSV/XLSX); ``shown`` holds the text of every cell as
    printed: ids replaced by labels (countries by name, sources by author-year, OECD principles by
    number), booleans by marks, shares as percentages (``percent`` adds columns to
    :data:`PERCENT_COLUMNS`), other numbers with fixed decimals. A column empty in every row is
    dropped, and so are id columns a label column already names.
    """
    lang = _lang(lang)
    data = frame.copy()
    if isinstance(data.columns, pd.MultiIndex):
        data.columns = [" ".join(map(str, c)) for c in data.columns]
    data.columns = [str(c) for c in data.columns]
    data = data.loc[:, ~data.columns.duplicated()]
    if "concept" in data:
        data = data.drop(columns=[c for c in ("concept_id", "object_id", "label") if c in data])
    keep = [c for c in data.columns if not all(_is_empty(v) for v in data[c])]
    data = data[keep]
    shares = PERCENT_COLUMNS | set(percent)
    shown = pd.DataFrame(index=data.index)
    out = pd.DataFrame(index=data.index)
    for col in data.columns:
        series = data[col]
        if col in COUNTRY_COLUMNS:
            series = series.map(lambda v: "; ".join(_who(x, lang) for x in _split(v)) if isinstance(v, str) and v.strip() else v)
        if col == "principle":
            series = series.map(lambda v: f"{_CTX.principles.get(v, v)}. {_CTX.principle_titles.get(v, '')}".strip(" .") if isinstance(v, str) else v)
        if col in SOURCE_COLUMNS:
            series = series.map(lambda v: "; ".join(cite_label(x, lang) for x in _split(v)) if not _is_empty(v) else v)
        if col == "oecd_principles":
            series = series.map(lambda v: ", ".join(_CTX.principles.get(x, x) for x in _split(v)) if not _is_empty(v) else v)
        if col == "document" or col in SOURCE_COLUMNS:
            series = series.map(lambda v: cite_label(v, lang) if isinstance(v, str) and _source_id(v) else v)
        if col == "domain":
            series = series.map(lambda v: _CTX.domains.get(v, v))
        if col in VALUE_COLUMNS:
            series = series.map(lambda v: _value(v, lang))
        if series.dtype == bool or series.map(lambda v: isinstance(v, bool)).all():
            series = series.map(lambda v: "✓" if v is True or v == True else "–")  # noqa: E712
        out[col] = series
        decimals = _decimals(series, col)
        shown[col] = [_cell_text(v, col, shares, decimals) for v in series]
    header = {c: _header(c, lang) for c in data.columns}
    for c in data.columns:
        if c in shares:
            out[c] = pd.to_numeric(out[c], errors="coerce").mul(100).round(1)
    return out.rename(columns=header), shown.rename(columns=header)


def _who(token: str, lang: str) -> str:
    """A country code as the country's name, a source id or seed file as author-year, anything else as is."""
    if re.fullmatch(r"[A-Z]{3}", token):
        return country_name(token, lang)
    return cite_label(token, lang) if _source_id(token) else token


def _decimals(series: pd.Series, col: str) -> int:
    """One number of decimals per column: none when every value is whole, else :data:`DECIMALS`."""
    values = [v for v in series if isinstance(v, float) and v == v]
    if col in PERCENT_COLUMNS:
        return 0 if all(abs(100 * v - round(100 * v)) < 1e-9 for v in values) else 1
    if col not in FIXED_COLUMNS and all(v.is_integer() for v in values):
        return 0
    return DECIMALS


def _cell_text(v: Any, col: str, shares: set[str], decimals: int = DECIMALS) -> str:
    if _is_empty(v):
        return ""
    if isinstance(v, bool):
        return "✓" if v else "–"
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return str(v)
    if isinstance(v, float):
        if col in shares:
            return f"{100 * v:.{min(decimals, 1)}f}%"
        if col in PERCENT_VALUE_COLUMNS:
            return f"{v:.1f}%"
        return f"{v:.{decimals}f}"
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        return _cell_text(v.item(), col, shares, decimals)
    return str(v)


def _table_html(frame: pd.DataFrame, shown: pd.DataFrame, cites: dict[str, list[str]]) -> str:
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if c in numeric else ""}>{html.escape(str(c))}</th>' for c in shown.columns)
    rows = []
    for i in range(len(shown)):
        cells = []
        for j, c in enumerate(shown.columns):
            text = cites[c][i] if c in cites else html.escape(str(shown.iat[i, j]))
            cells.append(f'<td class="num">{text}</td>' if c in numeric else f"<td>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    wide = " wb-wide" if len(shown.columns) > 7 else ""
    return f'<table class="wb-table{wide}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV in UTF-8 with a byte-order mark, so Excel opens Cyrillic and Kazakh letters correctly."""
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _data_uri(payload: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def _slug(text: str) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", text).strip("-").lower() or "table"


def table(frame: pd.DataFrame, max_rows: int | None = None, lang: str | None = None, *, name: str | None = None,
          empty: str | None = None, percent: Iterable[str] = ()) -> HTML:
    """``frame`` as a publication table (see :func:`publish`), every cell escaped, with a CSV download link.

    ``name`` (a section key) titles the table in the XLSX workbook and names its CSV file;
    ``empty`` (a ``sections`` key) is the sentence shown instead of a table without rows.
    ``max_rows`` limits the rows shown (the downloads keep them all).
    """
    lang = _lang(lang)
    number = len(_CTX.tables) + 1
    title = t(f"sections.{name}", lang) if name and has(f"sections.{name}") else f"{t('ui.table', lang)} {number}"
    if frame.empty:
        text = t(f"sections.{empty}", lang) if empty else t("ui.empty_table", lang)
        return HTML(f'<p class="wb-empty">{html.escape(text)}</p>')
    data, shown = publish(frame, lang, percent)
    cites = {}
    for col in frame.columns:
        if str(col) in SOURCE_COLUMNS and _header(col, lang) in shown.columns:
            cells = []
            for v in frame[col].tolist():
                cells.append("; ".join(cite_html(x, lang=lang) for x in _split(v)))
            cites[_header(col, lang)] = cells
    _CTX.tables.append((title, data))
    limit = len(shown) if max_rows is None else max_rows
    note = ""
    if limit < len(shown):
        note = f'<p class="wb-more">{html.escape(t("ui.more_rows", lang, shown=limit, total=len(shown)))}</p>'
        shown, cites = shown.head(limit), {k: v[:limit] for k, v in cites.items()}
    filename = f"{number:02d}-{_slug(name or 'table')}.csv"
    link = (f'<p class="wb-download"><a download="{html.escape(filename, quote=True)}" '
            f'href="{_data_uri(csv_bytes(data), "text/csv;charset=utf-8")}">{html.escape(t("ui.download_csv", lang))}</a></p>')
    return HTML(f'<div class="wb-table-wrap">{_table_html(data.head(limit), shown, cites)}</div>{note}{link}')


# -- the workbook of every table -----------------------------------------------------------------------

def xlsx_bytes(tables: Sequence[tuple[str, pd.DataFrame]]) -> bytes:
    """Every ``(title, frame)`` as one sheet of an XLSX workbook; the same bytes for the same tables.

    openpyxl stamps the time of writing into the file and its zip entries; both are fixed here
    so a regenerated report is byte-identical.
    """
    import datetime
    import zipfile

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for i, (title, frame) in enumerate(tables, start=1):
        name = re.sub(r"[\[\]:*?/\\]", " ", f"{i}. {title}")[:31].strip()
        while name in used:
            name = name[:28] + f"~{i}"
        used.add(name)
        ws = wb.create_sheet(name)
        ws.append([str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            ws.append([None if _is_empty(v) else (v.item() if hasattr(v, "item") else v) for v in row])
    fixed = datetime.datetime(2000, 1, 1)
    wb.properties.created = wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            data = re.sub(rb"<dcterms:modified[^>]*>[^<]*</dcterms:modified>",
                          b'<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>', data)
            dst.writestr(zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0)), data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def downloads_html(lang: str | None = None, name: str = "tables") -> HTML:
    """A section offering every table shown so far as one XLSX workbook (embedded, so the report stays one file)."""
    lang = _lang(lang)
    if not _CTX.tables:
        return HTML("")
    uri = _data_uri(xlsx_bytes(_CTX.tables), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    return HTML(
        f'<section class="wb-downloads"><h2>{html.escape(t("ui.downloads", lang))}</h2>'
        f'<p>{html.escape(t("ui.downloads_note", lang))}</p>'
        f'<p class="wb-download"><a download="{html.escape(name, quote=True)}.xlsx" href="{uri}">{html.escape(t("ui.download_xlsx", lang))}</a></p></section>'
    )


# -- figures -------------------------------------------------------------------------------------------

def figure(fig, alt: str = "figure", width: int | None = None) -> HTML:
    """A matplotlib figure as an embedded PNG: the same bytes every run, whatever the notebook backend."""
    from workbench.present.figures import png_bytes

    fig = getattr(fig, "figure", fig)  # a seaborn grid carries its figure
    data = base64.b64encode(png_bytes(fig)).decode("ascii")
    if getattr(fig.canvas, "manager", None) is not None:
        # Drawn through pyplot (seaborn does): close it, or the notebook would show it twice.
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
        label = labels.get(sid, sid)
        items.append(f'<li id="{anchor}"><b>{html.escape(label if label.endswith(".") else label + ".")}</b> {html.escape(" ".join(str(row["citation"]).split()))} {where}</li>')
    title = html.escape(t("ui.references", lang))
    return HTML(f'<section class="wb-references"><h2>{title}</h2><ul>{"".join(items)}</ul></section>')


def draft_note_html(concepts: pd.DataFrame, lang: str) -> HTML:
    """A note listing how many labels shown are draft translations (empty for English)."""
    drafts = draft_labels(concepts, lang)
    if not drafts:
        return HTML("")
    note = html.escape(t("ui.draft_note", lang))
    return HTML(f'<p class="wb-draft">{note} ({len(drafts)}/{len(concepts)})</p>')
