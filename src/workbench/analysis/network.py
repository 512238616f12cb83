"""Networks of who carries which concept: bipartite, country overlap, concept co-occurrence, centrality, communities."""
from __future__ import annotations

import io
import json
import re
from typing import Iterable, Sequence

import networkx as nx
import pandas as pd
from networkx.algorithms import bipartite

from workbench.analysis.known import silence_is_absence
from workbench.model.i18n import country_name
from workbench.model.schema import LIST_SEP, is_country_code
from workbench.model.validate import check_number

__all__ = [
    "SEP",
    "bipartite_graph",
    "side",
    "overlap_graph",
    "cooccurrence_graph",
    "export_graph",
    "name_countries",
    "graphml_safe",
    "centrality",
    "communities",
    "unique_concepts",
    "bridge_concepts",
    "graph_bytes",
]

#: Separator of lists stored as one text attribute (GraphML and GEXF hold no lists).
SEP = LIST_SEP
_BY = {"country": "country", "framework": "framework_id"}


def _join(values: Iterable) -> str:
    return SEP.join(dict.fromkeys(str(v) for v in values))  # unique, first-seen order


def bipartite_graph(
    ev: pd.DataFrame,
    by: str = "country",
    nodes: Sequence[str] | None = None,
    concepts: pd.DataFrame | None = None,
) -> nx.Graph:
    """Two-mode graph: countries (or frameworks) on one side, the concepts they carry on the other.

    ``ev`` is :func:`workbench.analysis.compare.evidence`. ``by`` is ``country`` (a country's frameworks
    aggregated) or ``framework``. ``nodes`` are the carriers to include even when they carry
    nothing (default: those in ``ev``). ``concepts`` (``Dataset.concepts``) supplies labels and domains.

    Nodes have ``kind`` (``country``/``framework``/``concept``), ``bipartite`` (0 carriers, 1
    concepts), ``label`` and, for concepts, ``label_en/ru/kk`` and ``domain``. Edges have
    ``relation="carries"``, ``weight=1.0``, ``n_items`` and the ``items``, ``frameworks``,
    ``sources``, ``locators`` behind them, joined with :data:`SEP`.

    >>> ev = pd.DataFrame({"country": ["GBR", "GBR"], "concept_id": ["a", "b"], "item_code": ["U1", "U2"],
    ...     "framework_id": ["uk", "uk"], "source": ["s", "s"], "locator": ["p. 1", "p. 2"]})
    >>> B = bipartite_graph(ev, nodes=["CAN", "GBR"])
    >>> sorted(B.edges("GBR")), B.degree("CAN"), B.edges["GBR", "a"]["items"]
    ([('GBR', 'a'), ('GBR', 'b')], 0, 'U1')
    """
    if by not in _BY:
        raise ValueError(f"unknown 'by' value '{by}' (use country or framework)")
    col = _BY[by]
    carriers = list(nodes) if nodes is not None else sorted(ev[col].unique())
    labels = concepts.set_index("concept_id") if concepts is not None else None
    kept = ev[ev[col].isin(carriers)]
    concept_ids = sorted(kept["concept_id"].unique())
    clash = set(carriers) & set(concept_ids)
    if clash:
        raise ValueError(f"{by} id(s) equal to concept id(s): {', '.join(sorted(clash))}")

    B = nx.Graph()
    per_carrier = kept.groupby(col)
    for c in carriers:
        attrs = {"kind": by, "bipartite": 0, "label": c}
        rows = per_carrier.get_group(c) if c in per_carrier.groups else kept.iloc[0:0]
        attrs.update(n_items=int(rows["item_code"].nunique()), n_concepts=int(rows["concept_id"].nunique()))
        if by == "framework" and len(rows):
            attrs["country"] = str(rows["country"].iloc[0])
        B.add_node(c, **attrs)
    for cid in concept_ids:
        attrs = {"kind": "concept", "bipartite": 1, "label": cid}
        if labels is not None and cid in labels.index:
            row = labels.loc[cid]
            attrs.update(label=str(row["label_en"]), domain=str(row["domain"]),
                         **{f"label_{lang}": str(row[f"label_{lang}"]) for lang in ("en", "ru", "kk")})
        B.add_node(cid, **attrs)
    for (c, cid), rows in kept.groupby([col, "concept_id"], sort=True):
        B.add_edge(c, cid, relation="carries", weight=1.0, n_items=int(len(rows)), items=_join(rows["item_code"]),
                   labels=_join(rows["label"]) if "label" in rows else "",  # the items as a reader knows them
                   frameworks=_join(rows["framework_id"]), sources=_join(rows["source"]), locators=_join(rows["locator"]))
    return B


def side(B: nx.Graph, part: int = 0) -> list:
    """Nodes of one side of a bipartite graph (``0``: carriers, ``1``: concepts), in graph order."""
    return [n for n, d in B.nodes(data="bipartite") if d == part]


def _ordered_edges(G: nx.Graph, order: Sequence) -> list[tuple]:
    # networkx builds projections by iterating over sets; sort so outputs never depend on hashing.
    rank = {n: i for i, n in enumerate(order)}
    pairs = [tuple(sorted((u, v), key=rank.__getitem__)) for u, v in G.edges()]
    return sorted(pairs, key=lambda p: (rank[p[0]], rank[p[1]]))


def overlap_graph(B: nx.Graph, nodes: Sequence | None = None, min_weight: float = 0.0) -> nx.Graph:
    """Carrier-carrier graph: an edge where two carriers share a concept, weighted by overlap.

    Built with networkx's bipartite projections. Edge ``weight`` is the Jaccard index
    ``|A & B| / |A | B|`` of the two concept sets and ``overlap`` the overlap coefficient
    ``|A & B| / min(|A|, |B|)``; also ``n_shared``, ``shared`` (concept ids joined with
    :data:`SEP`) and ``relation="overlap"``. Edges with ``weight < min_weight`` are dropped;
    every carrier stays a node.

    >>> B = nx.Graph([("GBR", "a"), ("GBR", "b"), ("GBR", "c"), ("CAN", "b"), ("CAN", "c"), ("CAN", "d")])
    >>> G = overlap_graph(B, nodes=["CAN", "GBR"])
    >>> G.edges["CAN", "GBR"]["weight"], G.edges["CAN", "GBR"]["overlap"], G.edges["CAN", "GBR"]["shared"]
    (0.5, 0.6666666666666666, 'b;c')
    """
    check_number(min_weight, "min_weight", 0, 1)
    nodes = list(nodes) if nodes is not None else side(B, 0)
    jaccard = bipartite.overlap_weighted_projected_graph(B, nodes, jaccard=True)
    overlap = bipartite.overlap_weighted_projected_graph(B, nodes, jaccard=False)
    G = nx.Graph()
    G.add_nodes_from((n, dict(B.nodes[n])) for n in nodes)
    for u, v in _ordered_edges(jaccard, nodes):
        w = float(jaccard[u][v]["weight"])
        if w < min_weight:
            continue
        shared = sorted(set(B[u]) & set(B[v]))
        G.add_edge(u, v, relation="overlap", weight=w, overlap=float(overlap[u][v]["weight"]),
                   n_shared=len(shared), shared=SEP.join(map(str, shared)))
    return G


def cooccurrence_graph(B: nx.Graph, min_weight: int = 1) -> nx.Graph:
    """Concept-concept graph: an edge where some carrier carries both, ``weight`` = how many do.

    ``carriers`` lists them (joined with :data:`SEP`); edges with ``weight < min_weight`` are dropped.

    >>> B = nx.Graph([("GBR", "a"), ("GBR", "b"), ("CAN", "a"), ("CAN", "b"), ("CAN", "c")])
    >>> nx.set_node_attributes(B, {"GBR": 0, "CAN": 0, "a": 1, "b": 1, "c": 1}, "bipartite")
    >>> sorted((u, v, d["weight"]) for u, v, d in cooccurrence_graph(B).edges(data=True))
    [('a', 'b', 2), ('a', 'c', 1), ('b', 'c', 1)]
    """
    concepts = side(B, 1)
    projected = bipartite.weighted_projected_graph(B, concepts)
    G = nx.Graph()
    G.add_nodes_from((n, dict(B.nodes[n])) for n in concepts)
    carriers = side(B, 0)
    for u, v in _ordered_edges(projected, concepts):
        both = [c for c in carriers if B.has_edge(c, u) and B.has_edge(c, v)]
        if len(both) >= min_weight:
            G.add_edge(u, v, relation="cooccurs", weight=len(both), carriers=SEP.join(map(str, both)))
    return G


def graphml_safe(G: nx.Graph) -> nx.Graph:
    """A copy whose attributes GraphML and GEXF can hold: no ``None``, lists joined with :data:`SEP`, plain numbers."""

    def clean(attrs: dict) -> dict:
        out = {}
        for k, v in attrs.items():
            if v is None:
                continue
            if isinstance(v, (list, tuple, set, frozenset)):
                v = SEP.join(map(str, sorted(v) if isinstance(v, (set, frozenset)) else v))
            elif hasattr(v, "item") and not isinstance(v, (str, bytes)):
                v = v.item()  # numpy scalar -> Python scalar
            out[k] = v
        return out

    H = G.__class__()
    H.graph.update(clean(G.graph))
    H.add_nodes_from((n, clean(d)) for n, d in G.nodes(data=True))
    H.add_edges_from((u, v, clean(d)) for u, v, d in G.edges(data=True))
    return H


def export_graph(B: nx.Graph, overlap: nx.Graph) -> nx.Graph:
    """One graph for Gephi and friends: the bipartite ``carries`` edges plus the ``overlap`` edges.

    Nodes keep their ``kind`` (country/framework/concept); filter edges on ``relation``.
    Attributes are made GraphML-safe (:func:`graphml_safe`).
    """
    G = nx.Graph()
    G.add_nodes_from(B.nodes(data=True))
    G.add_nodes_from(overlap.nodes(data=True))
    G.add_edges_from(B.edges(data=True))
    G.add_edges_from(overlap.edges(data=True))
    return graphml_safe(G)


def name_countries(G: nx.Graph, coverage: pd.DataFrame | None = None) -> nx.Graph:
    """``G`` with each country node named as a reader knows it (``label``: the English name, and
    ``label_en/ru/kk``) and, from ``coverage`` (:func:`workbench.analysis.known.country_coverage`),
    ``coverage`` (``complete`` or ``partial``: a partial country's missing links may be unknown, not
    absent) and ``secondary`` (known only from secondary sources), so that Gephi shows what the
    report says. Changed in place and returned.

    >>> G = name_countries(nx.Graph([("KAZ", "a")]))
    >>> G.nodes["KAZ"]["label"], G.nodes["KAZ"]["label_ru"], "label_ru" in G.nodes["a"]
    ('Kazakhstan', 'Казахстан', False)
    """
    rows = coverage.set_index("country") if coverage is not None else None
    for n, d in G.nodes(data=True):
        if d.get("kind", "country") != "country" or not is_country_code(str(n)):
            continue
        d.update(label=country_name(str(n), "en"), **{f"label_{lang}": country_name(str(n), lang) for lang in ("en", "ru", "kk")})
        if rows is not None and n in rows.index:
            d.update(coverage="partial" if rows.at[n, "n_partial"] else "complete", secondary=bool(rows.at[n, "secondary_only"]))
    return G


def _with_int_nodes(G: nx.Graph) -> tuple[nx.Graph, list]:
    # Integer nodes hash the same in every process, so set-based algorithms repeat exactly.
    order = list(G.nodes)
    return nx.convert_node_labels_to_integers(G, ordering="default"), order


def centrality(G: nx.Graph, weight: str | None = None) -> pd.DataFrame:
    """Degree and betweenness centrality of every node, plus ``strength`` (sum of edge ``weight``).

    On a two-mode graph (nodes with ``bipartite`` 0 and 1) the bipartite normalisations of
    networkx are used, so carriers and concepts are each scaled by the size of the other side.
    ``weight`` (optional) is read as a distance by betweenness.
    """
    H, order = _with_int_nodes(G)
    parts = nx.get_node_attributes(H, "bipartite")
    two_mode = len(parts) == len(H) and set(parts.values()) == {0, 1}
    if two_mode:
        top = [n for n, p in parts.items() if p == 0]
        degree = bipartite.degree_centrality(H, top)
        between = bipartite.betweenness_centrality(H, top) if weight is None else nx.betweenness_centrality(H, weight=weight)
    else:
        degree = nx.degree_centrality(H) if len(H) > 1 else {n: 0.0 for n in H}
        between = nx.betweenness_centrality(H, weight=weight)
    strength = dict(H.degree(weight="weight"))
    return pd.DataFrame(
        {
            "node": order,
            "kind": [G.nodes[n].get("kind", "") for n in order],
            "label": [G.nodes[n].get("label", str(n)) for n in order],
            "degree": [float(degree[i]) for i in range(len(order))],
            "betweenness": [float(between[i]) for i in range(len(order))],
            "strength": [float(strength[i]) for i in range(len(order))],
        }
    )


def communities(G: nx.Graph, weight: str | None = "weight", seed: int = 0, resolution: float = 1.0) -> pd.Series:
    """Louvain communities (seeded, so they repeat): node -> community number.

    Communities are numbered 0, 1, ... from the largest; ties by the first member in graph
    order. A node without edges is a community of its own.

    >>> G = nx.Graph([("A", "B"), ("C", "D")]); G.add_node("E")
    >>> communities(G).to_dict()
    {'A': 0, 'B': 0, 'C': 1, 'D': 1, 'E': 2}
    """
    H, order = _with_int_nodes(G)
    if H.number_of_edges():
        found = nx.community.louvain_communities(H, weight=weight, resolution=resolution, seed=seed)
    else:
        found = [{n} for n in H]
    ranked = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    number = {n: i for i, c in enumerate(ranked) for n in c}
    return pd.Series([number[i] for i in range(len(order))], index=pd.Index(order, name="node"), name="community", dtype=int)


def unique_concepts(B: nx.Graph, unknown: Iterable[str] | pd.DataFrame = ()) -> pd.DataFrame:
    """Concepts carried by exactly one carrier (country or framework) of the bipartite graph.

    Columns ``concept_id``, ``label``, ``carrier``, ``item_codes`` (the items behind it), ``labels`` (their
    labels, as the report's reader knows them) and, when some
    carriers are ``unknown`` (known only from partial sources: their silence is not absence),
    ``unknown_for``: those of them other than the carrier, which may carry the concept too.
    ``unknown``: the carriers whose silence is never absence, or per carrier and concept whether it
    is (:func:`workbench.analysis.known.knowable_cells`: a partial list may hide some domains only).

    >>> B = bipartite_graph(pd.DataFrame({"country": ["GBR", "GBR", "CAN"], "concept_id": ["a", "b", "b"],
    ...     "item_code": ["U1", "U2", "C1"], "framework_id": ["uk", "uk", "ca"], "source": "s", "locator": "p"}))
    >>> unique_concepts(B)[["concept_id", "carrier", "item_codes"]].values.tolist()
    [['a', 'GBR', 'U1']]
    >>> unique_concepts(B, unknown=["CAN"])["unknown_for"].tolist()
    ['CAN']
    >>> unique_concepts(B, unknown=pd.DataFrame({"a": [True], "b": [False]}, index=["CAN"])).columns.tolist()
    ['concept_id', 'label', 'carrier', 'item_codes', 'labels']
    """
    known = unknown if isinstance(unknown, pd.DataFrame) else {u: False for u in unknown}  # a list: never absence
    silent = [u for u in (known.index if isinstance(known, pd.DataFrame) else known) if u in B]
    rows = []
    for c in side(B, 1):
        if B.degree(c) == 1:
            (carrier,) = B[c]
            hidden = [u for u in silent if u != carrier and not silence_is_absence(known, u, c)]
            edge = B.edges[carrier, c]
            rows.append({"concept_id": c, "label": B.nodes[c].get("label", c), "carrier": carrier, "item_codes": edge.get("items", ""),
                         "labels": edge.get("labels", ""), "unknown_for": LIST_SEP.join(hidden)})
    out = pd.DataFrame(rows, columns=["concept_id", "label", "carrier", "item_codes", "labels", "unknown_for"])
    return out if (out["unknown_for"] != "").any() else out.drop(columns="unknown_for")


def bridge_concepts(B: nx.Graph, groups: pd.Series | dict, min_communities: int = 2) -> pd.DataFrame:
    """Bridge concepts: carried by carriers that belong to at least ``min_communities`` communities.

    ``groups`` maps each carrier to its community (:func:`communities` of the overlap graph).
    Such a concept is common ground between groups of countries that otherwise differ. Each
    comes with its betweenness centrality in the bipartite graph ``B`` (the share of shortest
    carrier-to-carrier paths running through it), by which they are ranked (then by the number
    of communities, then id). Columns ``concept_id``, ``label``, ``n_carriers``,
    ``n_communities``, ``communities``, ``carriers``, ``betweenness``.
    """
    groups = dict(groups)
    between = centrality(B).set_index("node")["betweenness"]
    rows = []
    for c in side(B, 1):
        carriers = [n for n in side(B, 0) if B.has_edge(n, c)]
        comms = sorted({int(groups[n]) for n in carriers if n in groups})
        if len(comms) >= min_communities:
            rows.append({"concept_id": c, "label": B.nodes[c].get("label", c), "n_carriers": len(carriers),
                         "n_communities": len(comms), "communities": SEP.join(map(str, comms)),
                         "carriers": SEP.join(map(str, carriers)), "betweenness": float(between[c])})
    out = pd.DataFrame(rows, columns=["concept_id", "label", "n_carriers", "n_communities", "communities", "carriers", "betweenness"])
    return out.sort_values(["betweenness", "n_communities", "concept_id"], ascending=[False, False, True]).reset_index(drop=True)


def graph_bytes(G: nx.Graph, fmt: str) -> bytes:
    """``G`` serialised as ``graphml``, ``gexf`` (Gephi) or ``json`` (node-link); repeatable byte for byte."""
    if fmt == "json":
        data = nx.node_link_data(G, edges="edges")
        return (json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(G, buf, encoding="utf-8")
        return buf.getvalue()
    if fmt == "gexf":
        nx.write_gexf(G, buf, encoding="utf-8")
        # networkx stamps today's date; dropping it keeps the same graph the same file.
        return re.sub(rb' lastmodifieddate="[^"]*"', b"", buf.getvalue(), count=1)
    raise ValueError(f"unknown graph format '{fmt}' (use graphml, gexf or json)")
