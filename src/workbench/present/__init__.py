"""Presentation: publication tables, figures, evidence and markdown, and the HTML export of a report.

What a reader sees is laid out here from what :mod:`workbench.analysis` computed; the words come
from :mod:`workbench.model.i18n`. A notebook calls ``present.use(ds, lang)`` once (from
:mod:`workbench.present.page`), then ``present.table`` (:mod:`~workbench.present.tables`),
``present.figure``, ``present.section`` ..., ``present.references_html``
(:mod:`~workbench.present.citations`) and ``present.downloads_html`` (:mod:`~workbench.present.workbook`).
"""
from __future__ import annotations

from workbench._exports import lazy_exports

_MODULES = ("page", "citations", "tables", "workbook", "figures", "heatmap", "roadmap", "timeline", "evidence", "options", "versions",
            "summary", "fonts", "annex", "markdown", "language_marks", "export")
_WHERE = {
    **{name: name for name in _MODULES},
    **{name: "page" for name in ("HTML", "use", "forget", "section", "figure", "with_labels", "with_framework_titles", "draft_note_html")},
    **{name: "citations" for name in ("safe_url", "link_html", "cite_label", "cite_html", "sources_of", "references_html",
                                                  "documents_html")},
    **{name: "tables" for name in ("publish", "table", "csv_bytes", "spreadsheet_value", "mark_unknown")},
    **{name: "workbook" for name in ("xlsx_bytes", "downloads_html")},
    "score_explanation_html": "evidence", "evidence_html": "evidence", "evidence_lists_html": "evidence", "evidence_markdown": "evidence",
    "render_markdown": "markdown",
    "summary_html": "summary",
    **{name: "options" for name in ("option_titles", "option_counts", "options_html", "coverage_frame", "needs_frame", "roadmap_frame",
                                    "quotes_html", "draft_legend_html", "quote_numbers", "with_carrying_options")},
    "roadmap_figure": "roadmap",
    "versions_html": "versions", "changes_frame": "versions", "versions_frame": "versions", "left_out_html": "versions", "uncertain_similarity_html": "versions", "rolled_up_html": "versions",
    "timeline_figure": "timeline",
}
__all__ = sorted(_WHERE)
__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
