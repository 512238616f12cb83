"""Where a drawn network can show what it shows: no link drawn through a node it does not join, and a
link's value written only where the label hides no node and no other label and sits on no other link.

A layout of many countries that all share concepts put three of them in a row, so that one link ran
under the middle country's node (Japan-United States under Canada); and 28 values written at the
middles of 28 links covered each other and the nodes. The network's table lists every link's value,
so a label that cannot be read is better left off, and said so.
"""
from __future__ import annotations

from typing import Callable, Iterable, Mapping

import networkx as nx
import numpy as np
from matplotlib.axes import Axes
from matplotlib.transforms import Bbox

__all__ = ["passes_through_a_node", "distance", "circle_layout", "place_link_labels"]

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
    """``nodes`` on a circle in the unit square, in their order (counter-clockwise from the right):
    no straight link between two of them passes through a third.

    >>> {n: tuple(round(c, 2) for c in p) for n, p in circle_layout(["a", "b", "c", "d"]).items()}
    {'a': (1.0, 0.5), 'b': (0.5, 1.0), 'c': (0.0, 0.5), 'd': (0.5, 0.0)}
    """
    pos = nx.circular_layout(nodes)
    return {n: (0.5 + 0.5 * float(x), 0.5 + 0.5 * float(y)) for n, (x, y) in pos.items()}


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
                      radius_pt: Mapping[object, float], fontsize: float = 7) -> int:
    """Write each link's ``weight`` (as ``text_of`` writes it) on the link, strongest link first, at the
    first place along it (:data:`_ALONG`) where the label covers no node (discs of ``radius_pt`` points)
    and no label already written, and no other link passes through its middle: a value where links
    cross could be read as either's (a link that only clips its box is hidden under it).

    Call it once the axes have their final place (after ``tight_layout``): the check is made in the
    figure's own units. Returns how many links were left without a label.
    """
    fig = ax.figure
    nodes = list(G)
    at = dict(zip(nodes, ax.transData.transform(np.array([pos[n] for n in nodes], dtype=float))))
    centres, radii = np.array([at[n] for n in nodes]), np.array([radius_pt[n] * fig.dpi / 72 for n in nodes])
    links = sorted(G.edges(data="weight", default=0.0), key=lambda e: (-float(e[2]), str(e[0]), str(e[1])))
    placed: list[Bbox] = []
    for u, v, weight in links:
        others = [(at[a], at[b]) for a, b, _ in links if {a, b} != {u, v}]
        label = ax.text(0, 0, text_of(float(weight)), fontsize=fontsize, ha="center", va="center", zorder=3,
                        bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none"})
        for share in _ALONG:
            label.set_position(tuple((1 - share) * np.asarray(pos[u], dtype=float) + share * np.asarray(pos[v], dtype=float)))
            box = label.get_window_extent().padded(0.3 * fontsize * fig.dpi / 72)  # the white box around the text
            if not (_covers(box, centres, radii) or any(box.overlaps(b) for b in placed)
                    or any(distance(_middle(box), a, b) < box.height / 2 for a, b in others)):
                placed.append(box)
                break
        else:
            label.remove()
    return len(links) - len(placed)
