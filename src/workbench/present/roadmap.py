"""The roadmap figure: every option of the register by phase (columns) and instrument (rows), prerequisites as arrows.

Options are drawn as numbered discs, numbered in order of work as in the roadmap table
(:func:`workbench.present.options.roadmap_frame`), so that the figure stays legible with fifty
options and every title is read in the table beside it.
"""
from __future__ import annotations

import networkx as nx
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from workbench.analysis.options import roadmap_order
from workbench.model.i18n import check_language, t
from workbench.model.options import INSTRUMENTS, PHASES
from workbench.present.figures import _literal_text, _plain

__all__ = ["roadmap_figure", "roadmap_positions"]

_PER_ROW = 6  # discs side by side in one cell before a new row starts


def roadmap_positions(graph: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """Where each option sits: its phase's column, its instrument's band, in order of work inside the cell."""
    cells: dict[tuple[str, str], list[str]] = {}
    for oid in roadmap_order(graph):
        node = graph.nodes[oid]
        cells.setdefault((node["phase"], node["instrument"]), []).append(oid)
    used = [i for i in INSTRUMENTS if any(k[1] == i for k in cells)]
    pos = {}
    for (phase, instrument), ids in cells.items():
        x0, y0 = PHASES.index(phase), len(used) - 1 - used.index(instrument)
        rows = -(-len(ids) // _PER_ROW)
        step = min(0.3, 0.56 / max(rows - 1, 1))  # every row inside its band, however full the cell
        for k, oid in enumerate(ids):
            row, col = divmod(k, _PER_ROW)
            pos[oid] = (x0 + 0.1 + 0.8 * (col + 0.5) / _PER_ROW, y0 + 0.5 + step * ((rows - 1) / 2 - row))
    return pos


@_literal_text
def roadmap_figure(graph: nx.DiGraph, lang: str = "en", size: float = 9.0) -> Figure:
    """The roadmap of ``graph`` (:func:`workbench.analysis.options.roadmap_graph`), labels in ``lang``."""
    check_language(lang)
    used = [i for i in INSTRUMENTS if any(graph.nodes[n]["instrument"] == i for n in graph)]
    fig = Figure(figsize=(size, 1.1 * max(len(used), 1) + 1.4))
    ax = fig.add_subplot()
    pos = roadmap_positions(graph)
    number = {oid: k + 1 for k, oid in enumerate(roadmap_order(graph))}
    for u, v in graph.edges:
        ax.add_patch(FancyArrowPatch(pos[u], pos[v], arrowstyle="-|>", mutation_scale=8, color="#888888",
                                     lw=0.7, shrinkA=7, shrinkB=7, connectionstyle="arc3,rad=0.15"))
    for oid, (x, y) in pos.items():
        ax.scatter([x], [y], s=170, color="#0072B2", zorder=3)
        ax.text(x, y, str(number[oid]), ha="center", va="center", fontsize=7, color="white", zorder=4)
    for k in range(1, len(PHASES)):
        ax.axvline(k, color="#cccccc", lw=0.8)
    for k in range(1, len(used)):
        ax.axhline(k, color="#eeeeee", lw=0.8)
    ax.set_xlim(0, len(PHASES))
    ax.set_ylim(0, max(len(used), 1))
    ax.set_xticks([k + 0.5 for k in range(len(PHASES))], [t(f"options.phase_{p}", lang) for p in PHASES])
    ax.set_yticks([len(used) - 1 - k + 0.5 for k in range(len(used))], [t(f"options.instrument_{i}", lang) for i in used])
    ax.tick_params(length=0)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(t("options.phase", lang))
    ax.set_title(t("sections.roadmap", lang), fontsize=11)
    fig.tight_layout()
    return _plain(fig)
