"""The clustered heatmap of a country x concept matrix, with the cells nobody can know set apart."""
from __future__ import annotations

import functools

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter

from workbench.analysis.compare import linkage, similarity
from workbench.model.i18n import country_name, number

__all__ = ["heatmap", "literal_text", "plain"]

# Labels come from the data: "$5 budget" is text, never mathematics, and an odd "$" must not fail
# a figure. Every figure is built with mathtext off (texts take the setting when created, so it
# holds through layout and saving) and plain() catches texts added later (seaborn ticks).
_LITERAL_TEXT = {"text.parse_math": False, "text.usetex": False}
#: How a cell a partial source cannot show is drawn: light grey, hatched, with a question mark.
UNKNOWN_FACE, UNKNOWN_HATCH = "#eeeeee", "///"


def literal_text(build):
    """Decorate a figure builder so every text it creates is drawn as written."""
    @functools.wraps(build)
    def wrapper(*args, **kwargs):
        with matplotlib.rc_context(_LITERAL_TEXT):
            return build(*args, **kwargs)

    return wrapper


def plain(fig: Figure) -> Figure:
    """Every text of ``fig`` drawn as written: a ``$`` in data is a dollar sign, never mathematics."""
    for text in fig.findobj(Text):
        text.set_parse_math(False)
        text.set_usetex(False)
    return fig


def _mark_unknown(grid, unknown: pd.DataFrame, unknown_label: str) -> None:
    """Hatch the cells of ``unknown`` (concepts x countries, as drawn) in the grid's order, with a legend."""
    rows = grid.dendrogram_row.reordered_ind if grid.dendrogram_row is not None else range(unknown.shape[0])
    cols = grid.dendrogram_col.reordered_ind if grid.dendrogram_col is not None else range(unknown.shape[1])
    cells = unknown.to_numpy()[np.ix_(list(rows), list(cols))]
    ax = grid.ax_heatmap
    for i, j in zip(*np.nonzero(cells)):
        ax.add_patch(Rectangle((j, i), 1, 1, facecolor=UNKNOWN_FACE, hatch=UNKNOWN_HATCH, edgecolor="#b0b0b0",
                               linewidth=0.0, zorder=3))
        ax.text(j + 0.5, i + 0.5, "?", ha="center", va="center", fontsize=8, color="#555555", zorder=4)
    if cells.any():
        grid.figure.legend(handles=[Patch(facecolor=UNKNOWN_FACE, hatch=UNKNOWN_HATCH, edgecolor="#b0b0b0", label=unknown_label)],
                           loc="upper right", bbox_to_anchor=(0.99, 0.995), fontsize=8, frameon=False)


@literal_text
def heatmap(matrix: pd.DataFrame, labels: dict[str, str] | None = None, drop_empty: bool = True, fmt: str = "d",
            value_label: str = "items", unknown: pd.DataFrame | None = None, unknown_label: str = "unknown", lang: str = "en"):
    """Seaborn clustermap of a country x concept matrix (drawn with concepts as rows); returns the ``ClusterGrid``.

    Countries and concepts are ordered by average-linkage trees on the Jaccard distance (as
    :func:`workbench.analysis.compare.linkage`, so deterministic); concepts nobody carries are dropped
    when ``drop_empty``. ``labels`` names the concepts (see :func:`workbench.present.figures.concept_labels`); cells
    show item counts (``fmt`` and ``value_label`` change that, e.g. ``".2f"`` and ``"share"``).
    ``unknown`` (country x concept, True where only partial sources stand behind an empty cell,
    :func:`workbench.analysis.known.cell_states`) hatches those cells with a "?" and a legend
    (``unknown_label``): they are not zeros. Countries are named in ``lang`` (any other row, a
    document, keeps its name).
    """
    # deferred: seaborn takes a second to import, and only the heatmap draws with it
    import seaborn as sns

    data = matrix.loc[:, matrix.sum(axis=0) > 0] if drop_empty else matrix
    if data.empty:
        raise ValueError("the matrix has nothing to draw (no country carries any concept)")
    # Concepts as rows: their (long) labels then read horizontally.
    shown = data.T.rename(index=labels or {}, columns=lambda code: country_name(str(code), lang))
    n_concepts, n_countries = shown.shape
    concept_tree = linkage(similarity(data.T)) if n_concepts > 1 else None
    country_tree = linkage(similarity(data)) if n_countries > 1 else None
    longest = max(len(str(x)) for x in shown.index)
    hidden = None
    if unknown is not None:
        hidden = unknown.reindex(index=data.index, columns=data.columns, fill_value=False).T.to_numpy(dtype=bool)
    # numbers as the page's language writes them (0,50 on a Russian page), in the cells and on the colour bar
    decimals = int(fmt[1:-1]) if fmt.startswith(".") and fmt.endswith("f") and fmt[1:-1].isdigit() else 0
    annotations = shown.map(lambda v: number(v, lang, decimals))
    grid = sns.clustermap(
        shown, row_cluster=concept_tree is not None, col_cluster=country_tree is not None,
        row_linkage=concept_tree, col_linkage=country_tree, cmap="Blues", linewidths=0.5, linecolor="white",
        annot=annotations, fmt="", figsize=(4 + 0.6 * n_countries + 0.09 * longest, 2.5 + 0.3 * n_concepts),
        dendrogram_ratio=(0.12, 0.08), xticklabels=True, yticklabels=True, mask=hidden,
        cbar_pos=(0.02, 0.965, 0.1, 0.012), cbar_kws={"label": value_label, "orientation": "horizontal"},
    )
    if hidden is not None:
        _mark_unknown(grid, pd.DataFrame(hidden), unknown_label)
    grid.ax_cbar.xaxis.set_major_formatter(FuncFormatter(lambda v, _: number(v, lang)))
    grid.ax_heatmap.set_xlabel("")
    grid.ax_heatmap.set_ylabel("")
    plain(grid.figure)
    return grid
