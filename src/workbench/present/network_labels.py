"""Where a drawn network can show what it shows: its layout, with no link drawn through a node it does
not join, and a link's value written only where the label hides no node and no other value and no
other link runs through its middle.

A layout of many countries that all share concepts put three of them in a row, so that one link ran
under the middle country's node (Japan-United States under Canada); and 28 values written at the
middles of 28 links covered each other and the nodes. The network's table lists every link's value,
so a label that cannot be read is better left off, and said so.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Mapping

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.transforms import Bbox

__all__ = ["LINK_CLEARANCE", "network_layout", "passes_through_a_node", "distance", "circle_layout", "place_link_labels"]

Point = tuple[float, float]


def passes_through_a_node(pos: Mapping[object, Point], links: Iterable[tuple], clearance: float) -> bool:
    """Whether a straight link between two nodes of ``pos`` passes within ``clearance`` of a third
    node's centre (both in the units of ``pos``).

    >>> pos = {"a": (0.0, 0.0), "b": (0.5, 0.01), "c": (1.0, 0.0)}
    >>> passes_through_a_node(pos, [("a", "c")], 0.05)
    True
    >>> passes_through_a_node(pos, [("a", "b"), ("b", "c")], 0.05)
    False
    """
    centres = {n: np.asarray(p, dtype=float) for n, p in pos.items()}
    return any(distance(centre, centres[u], centres[v]) < clearance
               for u, v in links for n, centre in centres.items() if n not in (u, v))


def distance(point: np.ndarray, start: np.ndarray, end: np.ndarray) -> float:
    """How far ``point`` is from the segment from ``start`` to ``end``.

    >>> distance(np.array([0.5, 1.0]), np.array([0.0, 0.0]), np.array([1.0, 0.0])), distance(np.array([3.0, 4.0]), np.zeros(2), np.zeros(2))
    (1.0, 5.0)
    """
    along = end - start
    t = float(np.clip((point - start) @ along / (float(along @ along) or 1e-12), 0.0, 1.0))
    return float(np.hypot(*(start + t * along - point)))


def circle_layout(nodes: list) -> dict:
    """``nodes`` on a circle in the unit square, in their order (counter-clockwise from the right): no
    straight link between two of them passes through a third's centre, and for the dozen or so
    countries a report draws none comes near a node between them (with twenty, a link that skips one
    neighbour would graze it).

    >>> {n: tuple(round(c, 2) for c in p) for n, p in circle_layout(["a", "b", "c", "d"]).items()}
    {'a': (1.0, 0.5), 'b': (0.5, 1.0), 'c': (0.0, 0.5), 'd': (0.5, 0.0)}
    """
    pos = nx.circular_layout(nodes)
    return {n: (0.5 + 0.5 * float(x), 0.5 + 0.5 * float(y)) for n, (x, y) in pos.items()}


#: How far (in the drawing's unit square) a link must pass from a node it does not join, on the 8-inch
#: figure: a country's dashed ring has a radius of 0.063-0.070 of the drawing's width there (beside the
#: English, Russian and Kazakh legends), and nodes keep their size in points on a smaller figure.
LINK_CLEARANCE = 0.08


def network_layout(G: nx.Graph, seed: int, order: Callable[[object], Any] = str,
                   clearance: float = LINK_CLEARANCE) -> tuple[dict, list]:
    """Where each node of ``G`` is drawn, in the unit square, and which nodes have no edge.

    Parameters
    ----------
    G : the graph to draw.
    seed : the seed of the spring layout, so a graph is always laid out the same way.
    order : the sort key of the nodes on a circle, where the layout falls back to one.
    clearance : how far a link must pass from a node it does not join (see :data:`LINK_CLEARANCE`).

    Returns
    -------
    ``(positions, isolated)``: node -> ``(x, y)``, and the nodes without edges (sorted), which are
    set apart in a row at the bottom while the connected nodes share the rest of the square
    (Kamada-Kawai layout, then a seeded spring layout). Where that layout would draw a link through
    a node the link does not join (three countries in a row), the connected nodes go on a circle
    instead, in ``order``.

    Examples
    --------
    >>> pos, isolated = network_layout(nx.Graph([("A", "B")]), seed=0)
    >>> sorted(pos), isolated
    (['A', 'B'], [])
    """
    isolated = sorted((n for n in G if G.degree(n) == 0), key=str)
    linked = G.subgraph([n for n in G if G.degree(n) > 0])
    pos: dict = {}
    if len(linked):
        start = nx.kamada_kawai_layout(linked, weight=None) if len(linked) > 2 else None
        pos = nx.spring_layout(linked, seed=seed, weight="weight", pos=start, iterations=50)
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        span = max(max(xs) - min(xs), max(ys) - min(ys), 1e-9)
        # scale into the unit square; with isolated nodes the bottom quarter is kept for them
        floor = 0.25 if isolated else 0.0
        pos = {n: ((x - min(xs)) / span, floor + (1 - floor) * (y - min(ys)) / span) for n, (x, y) in pos.items()}
        if passes_through_a_node(pos, linked.edges, clearance):
            pos = {n: (x, floor + (1 - floor) * y) for n, (x, y) in circle_layout(sorted(linked, key=order)).items()}
    for i, n in enumerate(isolated):
        pos[n] = ((i + 0.5) / max(len(isolated), 1), 0.0)
    return pos, isolated


def _covers(box: Bbox, centres: np.ndarray, radii: np.ndarray) -> bool:
    """Whether ``box`` (display units) reaches into any of the discs of ``centres`` and ``radii``."""
    nearest_x = np.clip(centres[:, 0], box.x0, box.x1)
    nearest_y = np.clip(centres[:, 1], box.y0, box.y1)
    return bool((np.hypot(centres[:, 0] - nearest_x, centres[:, 1] - nearest_y) < radii).any())


def _middle(box: Bbox) -> np.ndarray:
    return np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])


#: Where on its link a value may stand, in the order tried: the middle, then by steps nearer either end
#: (within the middle half, where a value is still read as the link's).
_ALONG = (0.5, 0.45, 0.55, 0.4, 0.6, 0.35, 0.65, 0.3, 0.7, 0.25, 0.75)


def place_link_labels(ax: Axes, G: nx.Graph, pos: Mapping[object, Point], text_of: Callable[[float], str],
                      radius_pt: Mapping[object, float], drawn: nx.Graph | None = None, fontsize: float = 7) -> int:
    """Write each link's ``weight`` (as ``text_of`` writes it) on the link, strongest link first, at the
    first place along it (:data:`_ALONG`) where the label covers no node (discs of ``radius_pt`` points)
    and no label already written, and no other link passes through its middle: a value where links
    cross could be read as either's (a link that only clips its box is hidden under it).

    ``drawn`` is the whole graph drawn, when ``G`` holds only the links to label (those with a weight):
    its nodes and links are the ones a label must keep clear of. Call it once the axes have their final
    place (after ``tight_layout``): the check is made in the figure's own units. Returns how many links
    of ``G`` were left without a label.
    """
    fig = ax.figure
    drawn = G if drawn is None else drawn
    nodes = list(drawn)
    at = dict(zip(nodes, ax.transData.transform(np.array([pos[n] for n in nodes], dtype=float))))
    centres, radii = np.array([at[n] for n in nodes]), np.array([radius_pt[n] * fig.dpi / 72 for n in nodes])
    links = sorted(G.edges(data="weight"), key=lambda e: (-float(e[2]), str(e[0]), str(e[1])))
    segments = {frozenset((a, b)): (at[a], at[b]) for a, b in drawn.edges}  # every drawn link, in display units
    placed: list[Bbox] = []
    for u, v, weight in links:
        others = [ends for link, ends in segments.items() if link != {u, v}]
        start, end = np.asarray(pos[u], dtype=float), np.asarray(pos[v], dtype=float)
        label = ax.text(0, 0, text_of(float(weight)), fontsize=fontsize, ha="center", va="center", zorder=3,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
        for share in _ALONG:
            label.set_position(tuple((1 - share) * start + share * end))
            box = label.get_window_extent().padded(0.3 * fontsize * fig.dpi / 72)  # the white box around the text
            if not (_covers(box, centres, radii) or any(box.overlaps(b) for b in placed)
                    or any(distance(_middle(box), a, b) < box.height / 2 for a, b in others)):
                placed.append(box)
                break
        else:
            label.remove()
    return len(links) - len(placed)
