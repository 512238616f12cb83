"""PDF copies of the reports for the Academy (``make pdf``): Chromium's printing, through Playwright.

Chromium is the engine the browser tests already drive, so a PDF is what those tests read: A4 pages
with the reports' print style sheet, page numbers, a bookmark outline from the headings, fonts
embedded and every element's language kept (a tagged PDF). WeasyPrint was the alternative (paged
media in pure Python) but needs Pango and other system libraries; ``make reports`` needs neither.
Each PDF is written to a temporary file and renamed into place; no network request is let through.
"""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Iterable

from workbench.model.errors import InputError
from workbench.model.outputs import atomic_write

__all__ = ["PDF_OPTIONS", "chromium_path", "write_pdfs"]

#: Page set-up of every PDF: A4 (a wide table on a landscape page of its own, as report.css asks), the
#: report's title running in the header, the page number in the footer, the outline and the tags.
PDF_OPTIONS: dict[str, Any] = {
    "format": "A4", "prefer_css_page_size": True, "print_background": True, "outline": True, "tagged": True,
    "display_header_footer": True,
    "header_template": '<div style="font-size:7px;width:100%;padding:0 12mm;color:#555"><span class="title"></span></div>',
    "footer_template": '<div style="font-size:8px;width:100%;text-align:center;color:#555">'
                       '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
    "margin": {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
}


def chromium_path() -> str:
    """The Chromium to print with; a clear message when it is missing (``make reports`` never needs it)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise InputError.single("chromium", 0, "make pdf needs Chromium, which is not installed "
                                               "(apt-get install chromium); the HTML reports do not need it")
    return found


def _offline(route: Any) -> None:
    if route.request.url.startswith(("file:", "data:")):
        route.continue_()
    else:
        route.abort()


def write_pdfs(reports_dir: Path, names: Iterable[str] | None = None) -> list[Path]:
    """Print every HTML report of ``reports_dir`` (or those ``names``) to ``reports_dir/pdf/<name>.pdf``."""
    try:
        from playwright.sync_api import sync_playwright  # deferred: a test extra, needed only to print
    except ImportError:
        raise InputError.single("playwright", 0, "make pdf needs Playwright (make test installs it; or pip install playwright)") from None
    wanted = set(names) if names is not None else None
    pages = [p for p in sorted(Path(reports_dir).glob("*.html"))
             if not p.stem.startswith("index") and (wanted is None or p.stem in wanted)]
    if wanted is not None and len(pages) < len(wanted):
        missing = sorted(wanted - {p.stem for p in pages})
        raise InputError.parameter("only", f"no HTML report named {', '.join(missing)} in {reports_dir} (run make reports first)")
    written = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox", "--disable-gpu"])
        try:
            for html_path in pages:
                page = browser.new_page()
                page.route("**/*", _offline)
                page.goto(html_path.resolve().as_uri())
                target = Path(reports_dir) / "pdf" / f"{html_path.stem}.pdf"
                atomic_write(target, page.pdf(**PDF_OPTIONS))
                written.append(target)
                page.close()
        finally:
            browser.close()
    return written
