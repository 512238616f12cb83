"""A report and its annex: the cells tagged ``annex`` printed as a file of their own, linked both ways.

A recommendations report must read in a sitting and print on a few pages; the full evidence behind
it (every option in full, the evidence of each recommendation, the quotes) belongs in an annex. The
notebook tags those cells ``annex``; in JupyterLab they stay where they are, and the export writes
them to ``<report>-annex.html``, leaving in the report a link where they stood. A link to an anchor
that landed in the other file is pointed at that file, so every cross-reference still works.
"""
from __future__ import annotations

import copy
import html
import re
from typing import Any

__all__ = ["ANNEX_TAG", "REMOVED_TAGS", "annex_file", "split_annex", "split_references", "link_across"]

ANNEX_TAG = "annex"
_IDS = re.compile(r'\bid="([^"]+)"')
_LOCAL_HREF = re.compile(r'href="#([^"]+)"')


def annex_file(report_file: str) -> str:
    """The annex's file name beside the report's (``x.html`` -> ``x-annex.html``)."""
    return re.sub(r"\.html$", "", report_file) + "-annex.html"


#: Cells no reader sees, removed on export (:func:`workbench.present.export._exporter`): they neither break
#: a run of annex cells nor take its place.
REMOVED_TAGS = frozenset({"injected-parameters", "parameters", "remove-cell"})


def _tagged(cell: Any) -> bool:
    return ANNEX_TAG in cell.get("metadata", {}).get("tags", [])


def _unseen(cell: Any) -> bool:
    return bool(REMOVED_TAGS & set(cell.get("metadata", {}).get("tags", [])))


def split_annex(nb: Any, pointer: str) -> tuple[Any, Any | None]:
    """``(report, annex)``: the notebook without its annex cells, where the first of each run of them
    gives way to a markdown cell holding ``pointer`` (an HTML paragraph linking the annex), and the
    notebook of the annex cells only (``None`` when no cell is tagged)."""
    if not any(_tagged(c) for c in nb.cells):
        return nb, None
    import nbformat  # deferred: only when a report has an annex

    report, annex = copy.deepcopy(nb), copy.deepcopy(nb)
    kept, previous_annex = [], False
    for cell in report.cells:
        if _tagged(cell):
            if not previous_annex and not _follows_pointer(kept):
                pointer_cell = nbformat.v4.new_markdown_cell(pointer)
                pointer_cell.id = f"annex-pointer-{len(kept)}"  # fixed, not random: an export is the same every time
                kept.append(pointer_cell)
            previous_annex = True
            continue
        if not _unseen(cell):
            previous_annex = False
        kept.append(cell)
    report.cells = kept
    annex.cells = [c for c in annex.cells if _tagged(c)]
    return report, annex


def _follows_pointer(kept: list) -> bool:
    """Whether the last cell a reader sees among ``kept`` is already a pointer to the annex (cells
    with nothing to show between two runs of annex cells must not repeat it)."""
    seen = [c for c in kept if not _unseen(c) and not (c.get("cell_type") == "code" and not c.get("outputs"))]  # code is not shown
    return bool(seen) and str(seen[-1].get("id", "")).startswith("annex-pointer-")


def link_across(report: str, annex: str, report_file: str, annex_file_name: str) -> tuple[str, str]:
    """Point every ``href="#x"`` whose anchor is only in the other page at that page's file."""
    in_report, in_annex = set(_IDS.findall(report)), set(_IDS.findall(annex))

    def point(page: str, here: set[str], there: set[str], other: str) -> str:
        def fix(m: re.Match) -> str:
            anchor = m.group(1)
            if anchor in here or anchor not in there:
                return m.group(0)
            return f'href="{html.escape(other, quote=True)}#{anchor}"'
        return _LOCAL_HREF.sub(fix, page)

    return point(report, in_report, in_annex, annex_file_name), point(annex, in_annex, in_report, report_file)


_REFERENCES = re.compile(r'<section class="wb-references">.*?</section>', re.S)
_ENTRY = re.compile(r'<li id="(ref-[^"]+)">.*?</li>', re.S)


def _cited(page: str) -> set[str]:
    return set(re.findall(r'href="#(ref-[^"]+)"', page))


def split_references(report: str, annex: str) -> tuple[str, str]:
    """Each page's References holding what that page cites: the report keeps its entries (the rest of
    its list moves out), and the annex gets a References of its own before its footer."""
    found = _REFERENCES.search(report)
    if found is None:
        return report, annex
    block = found.group(0)

    def only(cited: set[str]) -> str:
        return _ENTRY.sub(lambda m: m.group(0) if m.group(1) in cited else "", block)

    report = report[:found.start()] + only(_cited(report)) + report[found.end():]
    annex_refs = only(_cited(annex))
    at = annex.rfind('<footer class="wb-footer">')
    annex = annex[:at] + annex_refs + annex[at:] if at >= 0 else annex + annex_refs
    return report, annex
