"""Figures of the country comparison (clustered heatmap, overlap network, country map), saved reproducibly as SVG and PNG."""
from __future__ import annotations

import hashlib
import io
import os
import textwrap
from pathlib import Path
from typing import Iterable, Sequence

import matplotlib
import networkx as nx
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from workbench.analysis.compare import clusters, country_map, evidence, framework_matrix, select_countries, similarity
from workbench.analysis.known import cell_states, knowable, knowable_cells, with_frameworks
from workbench.analysis.network import bipartite_graph, overlap_graph
from workbench.analysis.scoring import contributions
from workbench.model.i18n import country_name, number, t, tn
from workbench.model.outputs import atomic_write
from workbench.model.taxonomy import LANGUAGES as LANGS, check_language as _check_lang
from workbench.model.taxonomy import concept_labels as _label_series
from workbench.present.heatmap import heatmap, literal_text as _literal_text, plain as _plain
from workbench.present.network_labels import LINK_CLEARANCE, network_layout, place_link_labels

__all__ = [
    "LANGS",
    "figure_stem",
    "concept_labels",
    "heatmap",
    "network_figure",
    "map_figure",
    "save_figure",
    "write_figures",
    "score_components",
    "need_and_supply",
    "png_bytes",
]

#: Fixed so the ids matplotlib writes into SVG files are the same on every run.
SVG_HASHSALT = "workbench"
_METADATA = {"svg": {"Date": None, "Creator": None}, "png": {"Software": None}}
_MAX_NAMED = 8  # beyond this many countries a file name lists a digest instead


def figure_stem(kind: str, countries: Sequence[str], level: str | None = None, lang: str = "en", **extra) -> str:
    """A file name (without extension) that says what made the figure.

    >>> figure_stem("heatmap", ["NZL", "CAN", "GBR", "KAZ"])
    'heatmap_countries-CAN-GBR-KAZ-NZL_level-any_lang-en'
    >>> figure_stem("map", ["CAN", "GBR"], level="senior", lang="ru", method="mds")
    'map_countries-CAN-GBR_level-senior_lang-ru_method-mds'
    """
    names = sorted(set(countries))
    if len(names) > _MAX_NAMED:
        digest = hashlib.sha256(",".join(names).encode()).hexdigest()[:8]
        who = f"countries-{len(names)}-{digest}"
    else:
        who = "countries-" + "-".join(names) if names else "countries-none"
    parts = [kind, who, f"level-{level or 'any'}", f"lang-{_check_lang(lang)}"]
    parts += [f"{k}-{v}" for k, v in extra.items()]
    return "_".join(parts)


def concept_labels(concepts: pd.DataFrame, lang: str = "en") -> dict[str, str]:
    """Concept id -> taxonomy label in ``lang`` (``en``, ``ru`` or ``kk``), as a dict for plotting."""
    return _label_series(concepts, lang).to_dict()


def _node_label(G: nx.Graph, n, lang: str) -> str:
    """A node's name in ``lang``: a country's name, a concept's ``label_<lang>``, else its ``label`` or id."""
    d = G.nodes[n]
    if d.get("kind") == "country":
        return country_name(str(n), lang)
    return str(d.get(f"label_{lang}") or d.get("label") or n)


@_literal_text
def network_figure(G: nx.Graph, lang: str = "en", seed: int = 0, size: float = 8.0,
                   communities: pd.Series | None = None, threshold: float | None = None,
                   partial: Iterable = ()) -> Figure:
    """Draw a graph (the country overlap graph, or the export graph with concepts) with a seeded layout.

    Edge width follows ``weight``; in a graph of countries each weight is written on its edge where
    the value covers no node, no other value and no crossing (:mod:`workbench.present.network_labels`),
    and the legend counts those left off. Nodes are coloured by ``communities`` (node -> community
    number, with a legend) when given, else by ``kind``; node labels use ``label_<lang>`` when nodes
    have it (concepts), else ``label`` or the id. Connected nodes use the whole drawing (Kamada-Kawai
    layout, then a seeded spring layout; on a circle where that would draw a link through a node);
    nodes without edges are set apart in a row at the bottom, labelled as such.
    ``threshold`` (the weakest overlap kept) goes into the title. Nodes in ``partial`` (countries
    known only from partial sources: their overlaps are uncertain, as the unread part may add shared concepts
    or others) get a dashed ring and a legend entry.
    """
    _check_lang(lang)
    partial = [n for n in partial if n in G]
    fig = Figure(figsize=(size, size * 0.8))
    ax = fig.add_subplot()
    ax.set_axis_off()
    if threshold is not None:
        # a threshold of 0 keeps every pair that shares a concept (a Jaccard of 0 shares none, so no line): said so
        title = t("figures.network_title", lang, threshold=number(threshold, lang)) if threshold > 0 else t("figures.network_title_any", lang)
        ax.set_title(title, fontsize=11)
    if not len(G):
        return _plain(fig)
    # on a circle (where one is needed), a community's countries sit side by side
    pos, isolated = network_layout(G, seed, order=lambda n: (int(communities.get(n, 0)) if communities is not None else 0, str(n)),
                                    clearance=LINK_CLEARANCE * 8.0 / size)
    kinds = [G.nodes[n].get("kind", "") for n in G]
    palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
    if communities is not None:
        colour = [palette[int(communities.get(n, 0)) % len(palette)] for n in G]
    else:
        kind_colours = {"country": "#1f4e79", "framework": "#2e75b6", "concept": "#f4b183"}
        colour = [kind_colours.get(k, "#7f7f7f") for k in kinds]
    widths = [0.5 + 4.0 * float(d.get("weight", 1.0)) for _, _, d in G.edges(data=True)]
    nx.draw_networkx_edges(G, pos, ax=ax, width=widths, edge_color="#9e9e9e", alpha=0.7)
    nx.draw_networkx_nodes(G, pos, ax=ax, node_color=colour, node_size=[900 if k != "concept" else 250 for k in kinds])
    if partial:
        nx.draw_networkx_nodes(G, pos, ax=ax, nodelist=partial, node_size=1500, node_color="none", edgecolors="#555555",
                               linewidths=1.2).set_linestyle("--")
    # a country's name does not fit inside its node: the node shows its code, and the legend names it
    nx.draw_networkx_labels(G, pos, ax=ax, labels={n: n if kinds[i] == "country" else _node_label(G, n, lang) for i, n in enumerate(G)},
                            font_size=8, font_color="black" if "concept" in kinds else "white")
    if isolated:
        ax.axhline(0.125, color="#d0d0d0", linewidth=0.8, linestyle="--")
        ax.text(0.0, 0.09, t("figures.isolated", lang), fontsize=8, color="#555555", transform=ax.transData)
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.12 if isolated else -0.08, 1.08)
    _lay_out_with_values(ax, G, pos, _network_legend(G, lang, communities, partial, palette), partial, lang)
    return _plain(fig)


def _lay_out_with_values(ax, G: nx.Graph, pos: dict, handles: list[Line2D], partial: list, lang: str) -> None:
    """The legend and the figure's layout, then (in a graph of countries) each weighted link's value where
    it can be read, and the legend's count of those left off."""
    weighted = G.edge_subgraph([(u, v) for u, v, w in G.edges(data="weight") if w is not None])
    labelled = weighted.number_of_edges() > 0 and all(G.nodes[n].get("kind") != "concept" for n in G)
    # laid out with the widest legend it may need, so that the values are placed where they stay
    _legend(ax, handles, tn("figures.unlabelled_links", weighted.number_of_edges(), lang) if labelled else None)
    ax.figure.tight_layout()
    if labelled:
        rings = {n: _RING_PT if n in partial else _NODE_PT for n in G}
        left = place_link_labels(ax, weighted, pos, lambda w: number(w, lang, 2), rings, G)  # 0,42 on a Russian page
        _legend(ax, handles, tn("figures.unlabelled_links", left, lang) if left else None)


#: Radius in points of a country's node (``node_size`` 900 is its area in points squared), and of its dashed ring.
_NODE_PT, _RING_PT = 15.0, 19.5


def _legend(ax, handles: list[Line2D], note: str | None) -> None:
    """The network's legend beside the drawing (replacing any it had), ending with ``note`` as text."""
    entries = handles + ([Line2D([], [], linestyle="", label=textwrap.fill(note, _LEGEND_WIDTH))] if note else [])
    if entries:
        ax.legend(handles=entries, loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, fontsize=8)


#: Characters per line of a legend entry: wider, the legend takes the room of the drawing.
_LEGEND_WIDTH = 36


def _network_legend(G: nx.Graph, lang: str, communities: pd.Series | None, partial: list, palette: list[str]) -> list[Line2D]:
    """The network's legend: its communities' colours, the dashed ring of a partial source, and the
    name of each country whose node shows its code."""
    handles = []
    if communities is not None:
        shown = sorted({int(communities.get(n, 0)) for n in G})
        handles = [Line2D([], [], marker="o", linestyle="", markersize=9, color=palette[c % len(palette)],
                          label=t("figures.community", lang, n=c + 1)) for c in shown]
    if partial:  # wrapped: one long line squeezed the drawing to a strip beside it (Russian, Kazakh)
        handles.append(Line2D([], [], marker="o", linestyle="", markersize=12, markerfacecolor="none",
                              markeredgecolor="#555555", label=textwrap.fill(t("figures.partial_node", lang), _LEGEND_WIDTH)))
    return handles + [Line2D([], [], linestyle="", label=f"{n}  {_node_label(G, n, lang)}")
                      for n in G if G.nodes[n].get("kind") == "country"]


@_literal_text
def map_figure(coords: pd.DataFrame, groups: pd.Series | None = None, size: float = 6.0, lang: str = "en") -> Figure:
    """Scatter the ``x``/``y`` coordinates of :func:`workbench.analysis.compare.country_map`, one labelled point per country.

    ``groups`` (e.g. :func:`workbench.analysis.compare.clusters`) colours the points; the legend names
    each colour's cluster by its number (as :func:`~workbench.analysis.compare.clusters` numbers them, from 1). Title and axis
    labels are in ``lang``.
    """
    _check_lang(lang)
    fig = Figure(figsize=(size, size))
    ax = fig.add_subplot()
    cmap = matplotlib.colormaps["tab10"]
    if groups is not None:
        for g in sorted({int(groups.get(n, 0)) for n in coords.index}):
            members = [n for n in coords.index if int(groups.get(n, 0)) == g]
            ax.scatter(coords.loc[members, "x"], coords.loc[members, "y"], color=cmap(g % 10), s=90,
                       label=t("figures.cluster", lang, n=g))
        ax.legend(loc="best", frameon=False, fontsize=9)
    else:
        ax.scatter(coords["x"], coords["y"], s=90)
    for name, row in coords.iterrows():
        ax.annotate(country_name(str(name), lang), (row["x"], row["y"]), textcoords="offset points", xytext=(6, 6), fontsize=9)
    ax.set_title(t("figures.map_title", lang), fontsize=11)
    ax.set_xlabel(t("figures.map_x", lang))
    ax.set_ylabel(t("figures.map_y", lang))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.margins(0.2)
    fig.tight_layout()
    return _plain(fig)


@_literal_text
def score_components(recs: pd.DataFrame, labels: Sequence[str], weights: dict[str, float], size: float = 8.0,
                     lang: str = "en") -> Figure:
    """Stacked horizontal bars: each recommendation's score split into its weighted components.

    ``recs`` is :func:`workbench.analysis.recommend.recommendations` output and ``weights`` the weights it
    was ranked with; each bar adds up to the row's ``score`` (``sum(w*c) / sum(w)`` over the components
    known for the row). Title,
    axis and legend are in ``lang``.
    """
    _check_lang(lang)
    fig = Figure(figsize=(size, 0.45 * len(recs) + 2.0))
    ax = fig.add_subplot()
    y = list(range(len(recs)))[::-1]
    left = [0.0] * len(recs)
    # each component's part of the score: one nobody could know (NaN) takes none, as in the score
    parts = contributions(recs, weights).fillna(0.0)
    for name, weight in weights.items():
        if weight == 0:
            continue  # a component weighted 0 adds nothing: no bar, and no entry in the legend
        widths = parts[name].tolist()
        ax.barh(y, widths, left=left, label=t(f"columns.{name}", lang), height=0.7)
        left = [a + b for a, b in zip(left, widths)]
    ax.set_yticks(y, [str(x) for x in labels])
    ax.set_xlim(0, 1)
    ax.xaxis.set_major_formatter(_numbers_of(lang))
    ax.set_title(t("figures.components_title", lang), fontsize=11)
    ax.set_xlabel(t("figures.components_x", lang))
    # inside the plot where it covers the fewest bars (the lowest ranks, at the bottom): next to what it explains
    ax.legend(loc="best", fontsize=9, frameon=True, framealpha=0.9, edgecolor="#cccccc")
    fig.tight_layout()
    return _plain(fig)


@_literal_text
def need_and_supply(aligned: pd.DataFrame, label_column: str = "concept", size: float = 8.0, lang: str = "en") -> Figure:
    """Survey gap (percent of respondents) beside the number of curriculum items, per recommended concept.

    A concept the survey did not measure is marked as such rather than drawn as a zero bar.
    """
    _check_lang(lang)
    fig = Figure(figsize=(size, 0.45 * len(aligned) + 1.8))
    ax_need, ax_supply = fig.subplots(1, 2, sharey=True)
    y = list(range(len(aligned)))[::-1]
    need = aligned["survey_gap_percent"]
    ax_need.barh(y, need.fillna(0), color="#D55E00")
    for yy, v in zip(y, need):
        if v != v:  # not measured
            ax_need.text(1, yy, t("figures.no_need", lang), va="center", fontsize=7, color="#777777")
    ax_need.set_xlabel(t("figures.need_x", lang))
    ax_need.set_xlim(0, 100)
    ax_need.xaxis.set_major_formatter(_numbers_of(lang))
    ax_supply.xaxis.set_major_formatter(_numbers_of(lang))
    ax_need.set_yticks(y, [str(x) for x in aligned[label_column]])
    ax_supply.barh(y, aligned["curriculum_items"], color="#0072B2")
    ax_supply.set_xlabel(t("figures.supply_x", lang))
    fig.suptitle(t("figures.need_title", lang), fontsize=11)
    fig.tight_layout()
    return _plain(fig)


def _numbers_of(lang: str) -> FuncFormatter:
    """Tick labels written as ``lang`` writes numbers ("0,5" in Russian and Kazakh)."""
    return FuncFormatter(lambda value, _: number(round(value, 6), lang))


#: Resolution of a figure drawn for a report page only (no ``figures_dir``): its size on screen.
SCREEN_DPI = 110
#: Where :func:`save_figure` leaves the PNG it wrote, for :func:`workbench.present.page.figure`.
SAVED_PNG = "_workbench_saved_png"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels of PNG bytes (from the IHDR chunk).

    >>> png_size(bytes.fromhex("89504e470d0a1a0a0000000d49484452") + (300).to_bytes(4, "big") + (200).to_bytes(4, "big"))
    (300, 200)
    """
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def png_bytes(fig: Figure, dpi: int = SCREEN_DPI) -> bytes:
    """The figure as PNG bytes with no software or date metadata (repeatable)."""
    _plain(fig)  # texts added after the figure was built (seaborn ticks) are plain too
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, metadata=_METADATA["png"], bbox_inches="tight")
    return buf.getvalue()


def save_figure(fig: Figure, folder: str | os.PathLike, stem: str, formats: Iterable[str] = ("svg", "png"), dpi: int = 150) -> list[Path]:
    """Write ``fig`` as ``folder/stem.<format>``, atomically and byte-for-byte repeatable.

    No dates or software versions go into the files, and SVG ids come from a fixed salt. The PNG
    stays with the figure (:data:`SAVED_PNG`): the report page embeds those very bytes instead of
    drawing the figure again.
    """
    _plain(fig)
    out = []
    for fmt in formats:
        buf = io.BytesIO()
        with matplotlib.rc_context({"svg.hashsalt": SVG_HASHSALT}):
            fig.savefig(buf, format=fmt, dpi=dpi, metadata=_METADATA.get(fmt, {}), bbox_inches="tight")
        out.append(atomic_write(Path(folder) / f"{stem}.{fmt}", buf.getvalue()))
        if fmt == "png":
            setattr(fig, SAVED_PNG, (buf.getvalue(), dpi))
    return out


def write_figures(
    ds,
    folder: str | os.PathLike = "figures",
    countries: Iterable[str] | None = None,
    level: str | None = None,
    lang: str = "en",
    include_organisations: bool = False,
    min_weight: float = 0.0,
    n_clusters: int = 3,
    seed: int = 0,
) -> list[Path]:
    """Build and save the heatmap, the overlap network and the country map of a selection.

    ``ds`` is a :class:`~workbench.model.dataset.Dataset`; the selection is as in
    :func:`workbench.analysis.compare.evidence`. Returns the paths written (SVG and PNG of each figure).
    """
    # deferred: pyplot picks a backend when imported; only the seaborn heatmap is drawn through it, to be closed here
    import matplotlib.pyplot as plt

    # as the reports: a country without a framework at the level is left out, a cell only partial sources
    # stand behind is hatched as unknown, and a partial country's node is ringed
    names, _ = with_frameworks(ds.frameworks, select_countries(ds, countries, None, include_organisations), level)
    ev = evidence(ds, names, None, level)
    matrix = framework_matrix(ev, names, list(ds.concepts["concept_id"]))
    labels = concept_labels(ds.concepts, lang)
    read = knowable_cells(ds.frameworks, ds.concepts, names, level)
    written = []
    grid = heatmap(matrix, labels, unknown=cell_states(matrix, read).eq("unknown"), unknown_label=t("figures.unknown_cell", lang), lang=lang)
    try:
        written += save_figure(grid.figure, folder, figure_stem("heatmap", names, level, lang))
    finally:
        plt.close(grid.figure)  # seaborn draws through pyplot, which keeps figures alive
    overlap = overlap_graph(bipartite_graph(ev, nodes=names, concepts=ds.concepts), min_weight=min_weight)
    written += save_figure(network_figure(overlap, lang, seed, partial=[c for c, k in knowable(ds.frameworks, names, level).items() if not k]), folder,
                           figure_stem("network", names, level, lang, seed=seed))
    coords = country_map(matrix, "mds", random_state=seed)
    groups = clusters(similarity(matrix), n_clusters) if len(matrix) > 1 else None
    written += save_figure(map_figure(coords, groups, lang=lang), folder, figure_stem("map", names, level, lang, method="mds"))
    return written
