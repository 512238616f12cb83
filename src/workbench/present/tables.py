"""Publication tables: cells formatted for print, headers in the report's language, each table with its CSV link."""
from __future__ import annotations

import base64
import html
import re
from typing import Any, Iterable

import numpy as np
import pandas as pd

from workbench.model.i18n import country_name, has, t, tn
from workbench.model.i18n import number as format_number
from workbench.model.i18n import percent
from workbench.model.schema import LIST_SEP
from workbench.present.citations import _labels_by_source, _source_id, cite_html, cite_label, labelled_text
from workbench.present.page import _CTX, HTML, _lang

__all__ = ["publish", "table", "csv_bytes", "spreadsheet_value", "spreadsheet_frame", "mark_unknown", "UNKNOWN_MARK", "FORMULA_STARTERS"]


#: Shares (0-1) shown as percentages.
PERCENT_COLUMNS = frozenset({
    "peer_share", "stability", "share_covered", "abstention_rate", "top1_accuracy", "top3_accuracy",
    "top1_primary_accuracy", "top1_accuracy_when_confident",
})
#: Values that are already percentages (0-100).
PERCENT_VALUE_COLUMNS = frozenset({"survey_gap_percent", "gap", "share_reporting"})
#: Columns whose cells are country codes (``;``-joined lists allowed).
COUNTRY_COLUMNS = frozenset({"country", "country_2", "carrier", "carriers", "peers", "stressed_by", "ignored_by",
                             "model_countries", "model_country", "unknown_for"})
#: Columns whose cells are source ids (``;``-joined lists allowed).
SOURCE_COLUMNS = frozenset({"source", "sources", "paper", "papers"})
#: Columns whose cells are ``;``-joined lists of text (item labels, places in sources, courses): shown "a; b".
LIST_COLUMNS = frozenset({"labels", "locators", "courses"})
#: Columns whose cells are words the code writes (translated through ``values`` of the catalogue).
VALUE_COLUMNS = frozenset({"status", "kind", "scope", "predicate_id", "kaz_status", "list", "verdict", "decision", "suggester"})
DECIMALS = 3
#: Our codes of items and frameworks: kept in the downloads (to trace a row), left out of a page that names the items.
TRACE_COLUMNS = ("item_codes", "framework_ids")
#: Columns of years and other codes written as digits, never with a thousands separator.
YEAR_COLUMNS = frozenset({"year", "rank", "line", "start", "end", "№"})
#: Measures shown with :data:`DECIMALS` decimals even where a value is whole (a 1 beside 0.500 misleads).
FIXED_COLUMNS = frozenset({"score", "jaccard", "overlap_coefficient", "confidence", "oecd_alignment", "kaz_absence",
                           "measured_need", "paper_recommended", "degree", "betweenness", "strength", "spread"})


#: How a table shows a cell nobody could know (only partial sources stand behind it).
UNKNOWN_MARK = "?"


def _unknown(v: Any) -> bool:
    return isinstance(v, str) and v == UNKNOWN_MARK


def mark_unknown(values: pd.DataFrame, unknown: pd.DataFrame) -> pd.DataFrame:
    """``values`` with each cell ``unknown`` marks True (only partial sources stand behind it) as
    :data:`UNKNOWN_MARK`, which :func:`publish` keeps as it is, in the page and in the downloads.

    >>> mark_unknown(pd.DataFrame({"a": [1, 0]}), pd.DataFrame({"a": [False, True]}))["a"].tolist()
    [1, '?']
    """
    return values.astype(object).where(~unknown.astype(bool), UNKNOWN_MARK)


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
    if _is_country(name):
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
    dropped, and so are id columns a label column already names (from ``shown``, :data:`TRACE_COLUMNS`).
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
        if col in LIST_COLUMNS:
            series = series.map(lambda v: "; ".join(p.strip() for p in v.split(LIST_SEP) if p.strip()) if isinstance(v, str) else v)
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
        if col in TEXT_WITH_IDS:
            series = series.map(lambda v: _ids_as_labels(v, lang) if isinstance(v, str) else v)
        if col in VALUE_COLUMNS:
            series = series.map(lambda v: _value(v, lang))
        if series.dtype == bool or series.map(lambda v: isinstance(v, (bool, np.bool_)) or _unknown(v)).all():
            # marks in the downloads too; a cell nobody could know keeps its "?"
            series = series.map(lambda v: v if _unknown(v) else ("✓" if v else "–"))
        out[col] = series
    decimals = _table_decimals(out, shares)
    for col in data.columns:
        shown[col] = [_cell_text(v, col, shares, decimals[col], lang) for v in out[col]]
    header = {c: _header(c, lang) for c in data.columns}
    for c in data.columns:
        if c in shares:
            out[c] = pd.to_numeric(out[c], errors="coerce").mul(100).round(1)
    shown = shown.drop(columns=[c for c in TRACE_COLUMNS if "labels" in data and c in shown])
    return out.rename(columns=header), shown.rename(columns=header)


#: Free-text columns where a curator may have named a source by its id ("see ref_x"): shown as author-year.
TEXT_WITH_IDS = frozenset({"locator", "locators", "dates_locator", "missing", "comment", "description"})
#: A lower_snake_case word in free text: perhaps a concept id a curator wrote ("after the gender_equality re-map").
_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _ids_as_labels(text: str, lang: str) -> str:
    """Source ids as author-year and concept ids as the concept's label in ``lang``."""
    text = labelled_text(text, _labels_by_source(lang))
    concepts = _CTX.concepts
    if concepts is None or f"label_{lang}" not in concepts:
        return text
    labels = _CTX.derived.setdefault(("concept_labels", lang), dict(zip(concepts["concept_id"], concepts[f"label_{lang}"])))
    left, right = ("«", "»") if lang in ("ru", "kk") else ("“", "”")
    return _SNAKE.sub(lambda m: f"{left}{labels[m.group(0)]}{right}" if m.group(0) in labels else m.group(0), text)


def _is_country(token: str) -> bool:
    """A country code (three capitals) or an organisation's (OECD, EU): what :func:`country_name` names."""
    return bool(re.fullmatch(r"[A-Z]{3}", token)) or has(f"organisations.{token}")


def _who(token: str, lang: str) -> str:
    """A country code (or an organisation's: OECD, EU) as its name, a source id or seed file as author-year, anything else as is."""
    if _is_country(token):
        return country_name(token, lang)
    return cite_label(token, lang) if _source_id(token) else token


def _table_decimals(frame: pd.DataFrame, shares: set[str]) -> dict[str, int]:
    """Each column's decimals (:func:`_decimals`); a column of whole fractions beside columns of the same
    kind with decimals takes them too (a similarity column reading 1 / 0 / 0 beside 1,000 / 0,417).

    >>> _table_decimals(pd.DataFrame({"a": [1.0, 0.0], "b": [1.0, 0.5], "n": [3, 4]}), set())
    {'a': 3, 'b': 3, 'n': 0}
    """
    decimals = {col: _decimals(frame[col], col) for col in frame.columns}
    fractions = [c for c in frame.columns if c not in shares and c not in YEAR_COLUMNS and pd.api.types.is_float_dtype(frame[c])]
    if any(decimals[c] for c in fractions):
        decimals.update({c: DECIMALS for c in fractions})
    return decimals


def _decimals(series: pd.Series, col: str) -> int:
    """One number of decimals per column: none when every value is whole, else :data:`DECIMALS`."""
    values = [v for v in series if isinstance(v, float) and v == v]
    if col in PERCENT_COLUMNS:
        return 0 if all(abs(100 * v - round(100 * v)) < 1e-9 for v in values) else 1
    if col not in FIXED_COLUMNS and all(v.is_integer() for v in values):
        return 0
    return DECIMALS


def _cell_text(v: Any, col: str, shares: set[str], decimals: int = DECIMALS, lang: str = "en") -> str:
    """A cell as printed: numbers the way ``lang`` writes them (CLDR: "0,667" and "57,2 %" in Russian)."""
    if _is_empty(v):
        return ""
    if isinstance(v, bool):
        return "✓" if v else "–"
    if isinstance(v, (int,)) and not isinstance(v, bool):
        return str(v) if col in YEAR_COLUMNS else format_number(v, lang)
    if isinstance(v, float):
        if col in YEAR_COLUMNS and v.is_integer():
            return str(int(v))
        if col in shares:
            return percent(v, lang, min(decimals, 1))
        if col in PERCENT_VALUE_COLUMNS:
            return percent(v / 100, lang, 1)
        return format_number(v, lang, decimals)
    if hasattr(v, "item") and not isinstance(v, str):  # numpy scalars
        return _cell_text(v.item(), col, shares, decimals, lang)
    return str(v)


#: Longest run without a space kept whole in a table cell: a longer one (an address, a list of codes)
#: may break, every :data:`_CHUNK` characters, so it never widens a column past the page.
LONGEST_WORD, _CHUNK = 24, 12


def breakable(text: str) -> str:
    """``text`` escaped for HTML, with break opportunities (``<wbr>``) inside runs longer than
    :data:`LONGEST_WORD` characters only: words, numbers and dates stay whole. A long run breaks
    after its separators first (``;``, ``,``, ``/``, ``|``: a list of codes or labels), and only a
    piece still too long every :data:`_CHUNK` characters; a date never breaks at its hyphens.

    >>> breakable("a <b>"), breakable("x" * 30)
    ('a &lt;b&gt;', 'xxxxxxxxxxxx<wbr>xxxxxxxxxxxx<wbr>xxxxxx')
    >>> breakable("In-service training;Speechwriting;Presentation")
    'In-service training;<wbr>Speechwriting;<wbr>Presentation'
    >>> breakable("from 2019-01-06")
    'from <span class="wb-nowrap">2019-01-06</span>'
    """
    out = []
    for part in re.split(r"(\s+)", text):
        if len(part) > LONGEST_WORD and not part.isspace():
            out.append("<wbr>".join(_whole(piece) if len(piece) <= LONGEST_WORD else _chunked(piece)
                                    for piece in _AFTER_SEPARATOR.split(part) if piece))
        else:
            out.append(_whole(part))
    return "".join(out)


#: Where a long run of codes or labels may break first: after a list separator.
_AFTER_SEPARATOR = re.compile(r"(?<=[;,/|])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _whole(piece: str) -> str:
    """``piece`` escaped, its dates kept on one line."""
    return _DATE.sub(lambda m: f'<span class="wb-nowrap">{m.group(0)}</span>', html.escape(piece))


def _chunked(piece: str) -> str:
    """A piece with no separator, longer than :data:`LONGEST_WORD`: a break every :data:`_CHUNK` characters."""
    return "<wbr>".join(html.escape(piece[k:k + _CHUNK]) for k in range(0, len(piece), _CHUNK))


def _table_html(frame: pd.DataFrame, shown: pd.DataFrame, cites: dict[str, list[str]]) -> str:
    numeric = {c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])}
    # inline as well as in report.css: JupyterLab, which has no report style, right-aligns every cell
    num, text_cell = ' class="num" style="text-align: right"', ' style="text-align: left"'
    head = "".join(f'<th scope="col"{num if c in numeric else text_cell}>{html.escape(str(c))}</th>' for c in shown.columns)
    rows = []
    for i in range(len(shown)):
        cells = []
        for j, c in enumerate(shown.columns):
            text = cites[c][i] if c in cites else breakable(str(shown.iat[i, j]))
            cells.append(f"<td{num if c in numeric else text_cell}>{text}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    wide = " wb-wide" if len(shown.columns) > 7 else ""
    return f'<table class="wb-table{wide}"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'


#: A4 portrait, 15 mm margins: the width a printed table has, in CSS pixels, and the print type sizes.
PORTRAIT_PX = 680
_PRINT_PX = {False: 11.3, True: 8.7}  # 8.5 pt, and 6.5 pt for tables of more than seven columns
_CHAR_EM, _CELL_PAD_PX = 0.6, {False: 20, True: 7}  # DejaVu Sans, and the cells' padding (report.css)


def print_width(shown: pd.DataFrame) -> float:
    """The narrowest a table can print, in CSS pixels: each column as wide as its longest word (words
    never break on paper), estimated from the characters at the print type size.

    >>> print_width(pd.DataFrame({"a": ["one two"], "b": ["x" * 30]})) < print_width(pd.DataFrame({"a": ["onetwothree"], "b": ["x" * 30]}))
    True
    """
    wide = len(shown.columns) > 7
    px = _PRINT_PX[wide] * _CHAR_EM
    total = 0.0
    for j, c in enumerate(shown.columns):
        words = [w for v in [str(c), *map(str, shown.iloc[:, j])] for w in re.split(r"[\s\-/,;]+", v)]
        longest = max((min(len(w), LONGEST_WORD) for w in words), default=1)
        total += longest * px + _CELL_PAD_PX[wide]
    return total


#: The first characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"):
#: ``=HYPERLINK(...)`` in a label would become a live link in a researcher's Excel.
FORMULA_STARTERS = ("=", "+", "-", "@", "\t", "\r")
#: Text that is a plain decimal number (``-3``, ``+0.5``, ``1e-3``): a spreadsheet reads it as that
#: number, never as a formula, so it is left as it is.
_NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_value(value: Any) -> Any:
    """``value`` as it may be written to a CSV or XLSX cell: the one gate of every cell of both.

    Text starting with a formula starter (:data:`FORMULA_STARTERS`) gets a leading ``'``, as the
    OWASP guidance on CSV injection advises, so a spreadsheet shows it as text and never runs it.
    Numbers, and text that is a plain number, stay as they are; so does any other value.

    Parameters
    ----------
    value:
        A cell or a column name.

    Returns
    -------
    ``value``, or ``"'" + value`` for text a spreadsheet would take for a formula.

    >>> spreadsheet_value("=SUM(A1:A9)"), spreadsheet_value("-3"), spreadsheet_value(-3)
    ("'=SUM(A1:A9)", '-3', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTERS) and not _NUMBER_TEXT.fullmatch(value):
        return "'" + value
    return value


def spreadsheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every column name and text cell through :func:`spreadsheet_value`; numbers untouched."""
    out = frame.copy()
    for i in range(out.shape[1]):
        column = out.iloc[:, i]
        if not (pd.api.types.is_numeric_dtype(column) or pd.api.types.is_datetime64_any_dtype(column)):
            # An object Series built as such: no type inference turns a column of ints and blanks into floats.
            out.isetitem(i, pd.Series([spreadsheet_value(v) for v in column], index=column.index, dtype=object))
    out.columns = [spreadsheet_value(c) for c in out.columns]
    return out


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """``frame`` as CSV in UTF-8 with a byte-order mark, so Excel opens Cyrillic and Kazakh letters correctly;
    every text cell through :func:`spreadsheet_value`, so none is read as a formula."""
    return spreadsheet_frame(frame).to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


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
        note = f'<p class="wb-more">{html.escape(tn("ui.more_rows", len(shown), lang, shown=format_number(limit, lang), total=format_number(len(shown), lang)))}</p>'
        shown, cites = shown.head(limit), {k: v[:limit] for k, v in cites.items()}
    filename = f"{number:02d}-{_slug(name or 'table')}.csv"
    link = (f'<p class="wb-download"><a download="{html.escape(filename, quote=True)}" '
            f'href="{_data_uri(csv_bytes(data), "text/csv;charset=utf-8")}">{html.escape(t("ui.download_csv", lang))}</a></p>')
    # a table whose words cannot fit a portrait page prints on a landscape one (report.css: page "wide")
    turn = " wb-landscape" if print_width(shown) > 0.85 * PORTRAIT_PX else ""  # a margin: the estimate is rough
    # the wrapper scrolls a wide table on screen, in the report and in JupyterLab alike
    return HTML(f'<div class="wb-table-wrap{turn}" style="max-width: 100%; overflow-x: auto">'
                f'{_table_html(data.head(limit), shown, cites)}</div>{note}{link}')
