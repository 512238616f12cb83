"""The workbook of every table a report showed: one XLSX file, the same bytes for the same tables, offered as a download."""
from __future__ import annotations

import datetime
import html
import io
import re
import zipfile
from typing import Sequence

import pandas as pd

from workbench.model.i18n import t
from workbench.present.page import _CTX, HTML, _lang
from workbench.present.tables import _data_uri, _is_empty, spreadsheet_value

__all__ = ["xlsx_bytes", "downloads_html"]


def xlsx_bytes(tables: Sequence[tuple[str, pd.DataFrame]]) -> bytes:
    """Every ``(title, frame)`` as one sheet of an XLSX workbook; the same bytes for the same tables.

    openpyxl stamps the time of writing into the file and its zip entries; both are fixed here
    so a regenerated report is byte-identical.
    """
    # deferred: openpyxl takes a seventh of a second to import and is needed only when a workbook is written
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
        _append_row(ws, [str(c) for c in frame.columns])
        for row in frame.itertuples(index=False):
            _append_row(ws, [None if _is_empty(v) else (v.item() if hasattr(v, "item") else v) for v in row])
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


def _append_row(ws, values: list) -> None:
    """One row of a sheet: every value through :func:`spreadsheet_value`, and every text cell stored as
    text (openpyxl would store text starting with ``=`` as a formula)."""
    ws.append([spreadsheet_value(v) for v in values])
    for (cell,) in ws.iter_cols(min_row=ws.max_row, max_row=ws.max_row, max_col=len(values)):
        if isinstance(cell.value, str):
            cell.data_type = "s"


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
