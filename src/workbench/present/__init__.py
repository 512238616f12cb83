"""Presentation: publication tables, figures, evidence and markdown, and the HTML export of a report.

What a reader sees is laid out here from what :mod:`workbench.analysis` computed; the words come
from :mod:`workbench.model.i18n`. A notebook calls ``present.use(ds, lang)`` once, then
``present.table``, ``present.figure``, ``present.section`` ... (from :mod:`workbench.present.page`).
"""
from __future__ import annotations

from workbench._exports import lazy_exports

_PAGE = ("HTML", "use", "section", "safe_url", "link_html", "cite_label", "cite_html", "sources_of", "publish",
         "csv_bytes", "table", "xlsx_bytes", "downloads_html", "figure", "with_labels", "references_html", "draft_note_html")
_WHERE = {
    **{name: "page" for name in _PAGE},
    **{name: name for name in ("page", "figures", "evidence", "markdown", "export")},
    "score_explanation_html": "evidence", "evidence_html": "evidence", "evidence_markdown": "evidence",
    "render_markdown": "markdown",
}
__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
