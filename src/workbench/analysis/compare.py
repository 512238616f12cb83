"""Countries compared on the shared concepts: a framework matrix with provenance, similarity, clusters, a map, OECD coverage."""
from __future__ import annotations

import inspect
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from workbench.analysis.known import Known, silence_is_absence, with_frameworks, with_secondary
from workbench.analysis.crosswalk import CARRYING_PREDICATES, filter_items, item_concepts
from workbench.model.dataset import Dataset
from workbench.model.errors import InputError
from workbench.model.schema import LEVELS, LIST_SEP, ORGANISATIONS, is_country_code
from workbench.model.settings import read_settings
from workbench.model.taxonomy import broader_of
from workbench.model.values import check_count
from workbench.model.versions import check_in_force, compared, out_of_force_countries

__all__ = [
    "EVIDENCE_COLUMNS",
    "CELL_SEP",
    "select_countries",
    "evidence",
    "framework_matrix",
    "cells",
    "trace",
    "similarity",
    "linkage",
    "clusters",
    "country_map",
    "principle_concepts",
    "comparison_countries",
    "secondary_only",
    "coverage",
    "coverage_matrix",
    "coverage_share",
    "rolled_up",
    "coverage_counts",
]

#: Columns of :func:`evidence`: one row per (item, concept) an item carries, with where it is cited.
EVIDENCE_COLUMNS = ["country", "concept_id", "item_code", "framework_id", "level", "label", "source", "locator", "predicate", "confidence"]
#: Separator of the lists joined into one text cell (item codes, framework ids, sources...).
CELL_SEP = LIST_SEP


def select_countries(
    ds: Dataset,
    countries: Iterable[str] | None = None,
    frameworks: Iterable[str] | None = None,
    include_organisations: bool = False,
) -> list[str]:
    """The countries to compare, sorted.

    Explicit ``countries`` are checked and kept as given (``OECD`` too, when asked for by name);
    otherwise the countries of ``frameworks``; otherwise every country that owns a framework from
    an official source (a country known only from secondary sources is compared when named), leaving
    out organisations (``OECD``, ``EU``: not countries) unless ``include_organisations``.
    Unknown codes raise :class:`~workbench.model.errors.InputError`.
    """
    countries, frameworks = (None if v is None else list(v) for v in (countries, frameworks))
    # a country or framework out of force on the day compared is named as such, not as unknown
    check_in_force(ds, countries or [], frameworks or [])
    if countries is not None:
        filter_items(ds.items, countries=countries)  # raises on unknown codes
        return sorted(set(countries))
    if frameworks is not None:
        return sorted(set(filter_items(ds.items, frameworks=frameworks)["country"]))
    owners = sorted(set(compared(ds.frameworks)["country"]))
    found = set(owners) - set(with_secondary(ds.frameworks, owners))  # a country known only at second hand: when named
    if not include_organisations:
        found -= set(ORGANISATIONS)
    return sorted(found)


def evidence(
    ds: Dataset,
    countries: Iterable[str] | None = None,
    frameworks: Iterable[str] | None = None,
    level: str | None = None,
    include_organisations: bool = False,
    predicates: Iterable[str] = CARRYING_PREDICATES,
) -> pd.DataFrame:
    """One row per (item, concept) carried by the selected frameworks: the provenance of every analysis here.

    Columns :data:`EVIDENCE_COLUMNS`, sorted by country, concept, framework and item. ``level``
    is a framework level (``all`` = frameworks for the whole civil service, ``senior``,
    ``leaders``); ``None`` keeps every level. Countries are chosen as in :func:`select_countries`.
    """
    names = select_countries(ds, countries, frameworks, include_organisations)
    items = filter_items(ds.items, countries=names, frameworks=frameworks, level=level)
    if frameworks is None:  # what the countries ask of civil servants; a paper's proposal or a curriculum only when named
        items = items[items["framework_id"].isin(set(compared(ds.frameworks)["framework_id"]))]
    ev = item_concepts(items, ds.crosswalk, predicates)[EVIDENCE_COLUMNS]
    return ev.sort_values(["country", "concept_id", "framework_id", "item_code"]).reset_index(drop=True)


def framework_matrix(
    ev: pd.DataFrame,
    countries: Sequence[str] | None = None,
    concepts: Sequence[str] | None = None,
    binary: bool = False,
) -> pd.DataFrame:
    """Country x concept matrix: in each cell, how many items of the country carry the concept.

    Rows are ``countries`` (default: those in ``ev``), columns ``concepts`` (default: those in
    ``ev``), both in the order given; a country or concept absent from ``ev`` gets zeros.
    ``binary`` gives 0/1. :func:`cells` and :func:`trace` show the items behind each cell.

    >>> ev = pd.DataFrame({"country": ["GBR", "GBR", "CAN"], "concept_id": ["a", "a", "b"],
    ...                    "item_code": ["U1", "U2", "C1"]})
    >>> framework_matrix(ev, countries=["CAN", "GBR", "NZL"]).to_dict("index")
    {'CAN': {'a': 0, 'b': 1}, 'GBR': {'a': 2, 'b': 0}, 'NZL': {'a': 0, 'b': 0}}
    """
    counts = ev.groupby(["country", "concept_id"]).size().unstack(fill_value=0)
    rows = list(countries) if countries is not None else sorted(ev["country"].unique())
    cols = list(concepts) if concepts is not None else sorted(ev["concept_id"].unique())
    matrix = counts.reindex(index=rows, columns=cols, fill_value=0).fillna(0).astype(int)
    matrix.index.name, matrix.columns.name = "country", "concept_id"
    return (matrix > 0).astype(int) if binary else matrix


def _join(values: Iterable) -> str:
    return CELL_SEP.join(dict.fromkeys(str(v) for v in values))  # unique, first-seen order


def _join_all(values: Iterable) -> str:
    return CELL_SEP.join(str(v) for v in values)


def cells(ev: pd.DataFrame) -> pd.DataFrame:
    """One row per non-empty cell of the framework matrix, with the items and sources behind it.

    Columns: ``country``, ``concept_id``, ``n_items`` and, joined with :data:`CELL_SEP`,
    ``item_codes``, ``framework_ids``, ``labels``, ``sources``, ``locators``.

    >>> ev = pd.DataFrame({"country": ["GBR", "GBR"], "concept_id": ["a", "a"], "item_code": ["U1", "U2"],
    ...     "framework_id": ["uk", "uk"], "label": ["One", "Two"], "source": ["s", "s"], "locator": ["p. 1", "p. 2"]})
    >>> row = cells(ev.assign(label="Same")).iloc[0].to_dict()
    >>> row["item_codes"], row["labels"], row["sources"]
    ('U1;U2', 'Same;Same', 's')
    """
    groups = ev.groupby(["country", "concept_id"], sort=True)
    out = groups.agg(
        n_items=("item_code", "size"),
        item_codes=("item_code", _join),
        framework_ids=("framework_id", _join),
        # one label per item code, in the same order: two items named alike are two entries (a review
        # read 3 codes beside 2 labels), as their locators are
        labels=("label", _join_all),
        sources=("source", _join),
        locators=("locator", _join_all),
    )
    return out.reset_index()


def trace(ev: pd.DataFrame, country: str, concept_id: str) -> pd.DataFrame:
    """The evidence rows (items, frameworks, sources, locators) behind one cell of the matrix."""
    return ev[(ev["country"] == country) & (ev["concept_id"] == concept_id)].reset_index(drop=True)


def similarity(matrix: pd.DataFrame, metric: str = "jaccard") -> pd.DataFrame:
    """Pairwise similarity of the matrix's rows: ``jaccard`` on 0/1 or ``cosine`` on counts.

    Two rows with nothing at all have similarity 0 to each other; every row has 1 with itself.

    >>> m = pd.DataFrame([[1, 1, 1, 0], [0, 2, 1, 1]], index=["GBR", "CAN"], columns=list("abcd"))
    >>> similarity(m).loc["GBR", "CAN"]
    np.float64(0.5)
    """
    x = matrix.to_numpy(dtype=float)
    if metric == "jaccard":
        b = (x > 0).astype(float)
        inter = b @ b.T
        size = b.sum(axis=1)
        union = size[:, None] + size[None, :] - inter
        sim = np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)
    elif metric == "cosine":
        # deferred: scikit-learn's pairwise metrics cost about 1 s to import; only the cosine metric needs them
        from sklearn.metrics.pairwise import cosine_similarity

        sim = cosine_similarity(x) if len(x) else np.zeros((0, 0))
    else:
        raise ValueError(f"unknown metric '{metric}' (use jaccard or cosine)")
    np.fill_diagonal(sim, 1.0)
    return pd.DataFrame(sim, index=matrix.index, columns=matrix.index)


def _distances(sim: pd.DataFrame) -> np.ndarray:
    d = 1.0 - sim.to_numpy(dtype=float)
    d = np.clip((d + d.T) / 2, 0.0, None)  # exact symmetry and no negative rounding noise
    np.fill_diagonal(d, 0.0)
    return d


def linkage(sim: pd.DataFrame, method: str = "average") -> np.ndarray:
    """Hierarchical clustering (SciPy linkage matrix) of the rows of a similarity matrix, on ``1 - similarity``.

    Deterministic: the same matrix gives the same tree. Needs at least two rows.
    """
    # deferred: SciPy's clustering costs about 0.3 s to import; `workbench network` uses this module but never clusters
    from scipy.cluster.hierarchy import linkage as _linkage
    from scipy.spatial.distance import squareform

    if len(sim) < 2:
        raise ValueError("clustering needs at least two rows")
    return _linkage(squareform(_distances(sim), checks=False), method=method)


def clusters(sim: pd.DataFrame, n_clusters: int = 2, method: str = "average") -> pd.Series:
    """Cut the tree of :func:`linkage` into at most ``n_clusters`` groups: row -> cluster number.

    Clusters are numbered 1, 2, ... in the order their first member appears in ``sim``.

    >>> m = pd.DataFrame([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]], index=["A", "B", "C"], columns=list("wxyz"))
    >>> clusters(similarity(m), n_clusters=2).to_dict()
    {'A': 1, 'B': 1, 'C': 2}
    """
    # deferred: SciPy's clustering costs about 0.3 s to import; `workbench network` uses this module but never clusters
    from scipy.cluster.hierarchy import fcluster

    check_count(n_clusters, "n_clusters")
    if len(sim) < 2:
        return pd.Series(1, index=sim.index, name="cluster", dtype=int)
    raw = fcluster(linkage(sim, method), t=n_clusters, criterion="maxclust")
    renumber = {c: i for i, c in enumerate(dict.fromkeys(raw), start=1)}
    return pd.Series([renumber[c] for c in raw], index=sim.index, name="cluster", dtype=int)


def _mds(random_state: int):
    # deferred: scikit-learn's manifold module costs about 0.8 s to import; only the country map needs it
    from sklearn.manifold import MDS

    params = inspect.signature(MDS).parameters
    if "init" in params:  # scikit-learn >= 1.8: metric="precomputed" replaces dissimilarity=
        return MDS(n_components=2, metric="precomputed", init="classical_mds", random_state=random_state)
    return MDS(n_components=2, dissimilarity="precomputed", n_init=4, random_state=random_state)


def country_map(matrix: pd.DataFrame, method: str = "mds", random_state: int = 0) -> pd.DataFrame:
    """Two-dimensional coordinates of the rows: ``mds`` on the Jaccard distance, or ``pca`` on the counts.

    Columns ``x`` and ``y``, indexed like ``matrix``; deterministic for a fixed ``random_state``.
    """
    n = len(matrix)
    xy = np.zeros((n, 2))
    if n >= 2 and method == "mds":
        xy = _mds(random_state).fit_transform(_distances(similarity(matrix, "jaccard")))
    elif n >= 2 and method == "pca":
        # deferred: scikit-learn's decomposition costs about 0.6 s to import; only the pca map needs it
        from sklearn.decomposition import PCA

        x = matrix.to_numpy(dtype=float)
        k = min(2, n, x.shape[1])
        if k:
            xy[:, :k] = PCA(n_components=k, random_state=random_state).fit_transform(x)
    elif method not in ("mds", "pca"):
        raise ValueError(f"unknown method '{method}' (use mds or pca)")
    return pd.DataFrame(xy, index=matrix.index, columns=["x", "y"])


def rolled_up(ds: Dataset, countries: Iterable[str], level: str | None = None) -> pd.DataFrame:
    """The narrower concepts the compared frameworks of ``countries`` carry, each with its broader concept
    and the countries carrying it: what the broad level counts as the broader one. Empty when they
    carry none, and the broad level changes nothing for them. ``ds`` is at the curated level.

    >>> from workbench.model.dataset import load
    >>> rolled_up(load(), ["GBR", "CAN"]).columns.tolist()
    ['concept_id', 'broader', 'countries']
    >>> rolled_up(load(), ["NZL", "SGP"], "senior").empty  # no framework at that level: nothing rolled up
    True
    """
    if ds.granularity != "fine":
        raise ValueError("rolled_up needs the dataset at the curated level (before at_granularity)")
    up = broader_of(ds.concepts)
    ev = evidence(ds, countries, level=level)
    narrower = ev[ev["concept_id"].isin([c for c, b in up.items() if b != c])]  # (a map on no rows gives no booleans)
    rows = [{"concept_id": c, "broader": up[c], "countries": sorted(set(g["country"]))} for c, g in narrower.groupby("concept_id")]
    return pd.DataFrame(rows, columns=["concept_id", "broader", "countries"])


def secondary_only(ds: Dataset) -> list[str]:
    """The countries whose every framework in force is from a secondary source: those
    :func:`select_countries` leaves out of "every country" unless they are named.

    >>> from types import SimpleNamespace
    >>> fw = pd.DataFrame({"framework_id": ["a", "b", "c"], "country": ["JPN", "SGP", "SGP"], "level": "all", "coverage": "partial",
    ...                    "source_kind": ["secondary", "secondary", "official"]})
    >>> secondary_only(SimpleNamespace(frameworks=fw))
    ['JPN']
    """
    owners = sorted(set(compared(ds.frameworks)["country"]) - set(ORGANISATIONS))
    return list(with_secondary(ds.frameworks, owners))


def comparison_countries(ds: Dataset, countries: Sequence[str] | None = None, level: str | None = None) -> tuple[list[str], list[str]]:
    """``(kept, left_out)``: the countries a comparison draws, in the order given, and those it leaves
    out for want of a framework at ``level`` (:func:`workbench.analysis.known.with_frameworks`).

    ``countries`` empty: every country with a framework from an official source
    (:func:`select_countries`), so that a country added to the data joins "every country" at once.
    Raises :class:`~workbench.model.errors.InputError` when fewer than two are left: there is
    nothing to compare, and a matrix of one row would be drawn as if there were.
    """
    if level is not None and level not in LEVELS:  # a typo ("seniour") read as a level nobody has
        raise InputError.parameter("level", f"unknown level '{level}' (use {', '.join(LEVELS)})")
    asked = list(dict.fromkeys(str(c).strip().upper() for c in countries)) if countries else select_countries(ds)
    unknown = [c for c in asked if not is_country_code(c)]
    if unknown:  # a typo ("XYZ") would otherwise read as a country left out for want of a framework
        raise InputError.parameter("countries", f"unknown country code {', '.join(map(repr, unknown))} (use ISO 3166-1 alpha-3, or OECD / EU)")
    kept, left_out = with_frameworks(ds.frameworks, asked, level)
    if not countries:  # every country: those with versions, none in force on the day, are named, not dropped in silence
        left_out += [c for c in out_of_force_countries(ds) if c not in ORGANISATIONS and c not in left_out]
    if len(kept) < 2:
        at = f" at the level '{level}'" if level else ""
        have = f"only {kept[0]} has one" if kept else "none has one"
        raise InputError.parameter("countries", f"a comparison needs two countries with a framework{at}; of {', '.join(asked) or 'the data'}, {have}")
    return kept, left_out


def principle_concepts(
    ds: Dataset, framework_id: str | None = None, predicates: Iterable[str] = CARRYING_PREDICATES
) -> pd.DataFrame:
    """The principles (items) of a reference framework and the concepts each maps to.

    ``framework_id`` defaults to ``oecd_framework`` of the data folder's ``weights.yaml``.

    Columns ``principle``, ``principle_label``, ``concept_id`` (empty text for a principle
    mapped to no concept); principles in the framework's order.
    """
    if framework_id is None:
        framework_id = read_settings(ds.path / "weights.yaml")[0].oecd_framework
    items = filter_items(ds.items, frameworks=[framework_id])
    mapped = item_concepts(items, ds.crosswalk, predicates)[["item_code", "concept_id"]]
    out = items[["item_code", "label"]].merge(mapped, on="item_code", how="left", sort=False)
    out = out.rename(columns={"item_code": "principle", "label": "principle_label"})
    out["concept_id"] = out["concept_id"].fillna("")
    return out.reset_index(drop=True)


def coverage(ev: pd.DataFrame, principles: pd.DataFrame, countries: Sequence[str] | None = None,
             known: Known | None = None) -> pd.DataFrame:
    """Which principles each country covers through the shared concepts.

    A principle is covered by a country when the country carries at least one concept the
    principle maps to. A principle it does not cover is *unknown* rather than uncovered when the
    country's silence on one of its concepts is not absence (``known``: per country, or per country and
    concept, :func:`workbench.analysis.known.knowable_cells`; every country when ``None``). One row
    per (country, principle): ``covered``, ``unknown`` and ``via`` (the shared concepts, joined
    with :data:`CELL_SEP`).

    >>> ev = pd.DataFrame({"country": ["GBR", "CAN"], "concept_id": ["merit", "ethics"]})
    >>> pr = pd.DataFrame({"principle": ["P1", "P2"], "principle_label": ["Merit", "Pay"], "concept_id": ["merit", "pay"]})
    >>> coverage(ev, pr)[["country", "principle", "covered"]].values.tolist()
    [['CAN', 'P1', False], ['CAN', 'P2', False], ['GBR', 'P1', True], ['GBR', 'P2', False]]
    >>> coverage(ev, pr, known={"GBR": False, "CAN": True})[["country", "principle", "unknown"]].values.tolist()
    [['CAN', 'P1', False], ['CAN', 'P2', False], ['GBR', 'P1', False], ['GBR', 'P2', True]]
    """
    rows = list(countries) if countries is not None else sorted(ev["country"].unique())
    carried = ev.groupby("country")["concept_id"].agg(set).to_dict()
    maps = principles.groupby("principle", sort=False)
    labels = maps["principle_label"].first()
    targets = maps["concept_id"].agg(lambda s: [c for c in s if c])
    out = []
    for country in rows:
        have = carried.get(country, set())
        for principle, concepts in targets.items():
            via = [c for c in concepts if c in have]
            hidden = known is not None and not all(silence_is_absence(known, country, c) for c in concepts)
            out.append({"country": country, "principle": principle, "principle_label": labels[principle],
                        "covered": bool(via), "unknown": not via and hidden, "via": CELL_SEP.join(via)})
    return pd.DataFrame(out, columns=["country", "principle", "principle_label", "covered", "unknown", "via"])


def coverage_matrix(cov: pd.DataFrame, column: str = "covered") -> pd.DataFrame:
    """:func:`coverage` as a country x principle table of booleans (principles in their order):
    ``covered``, or ``unknown``."""
    wide = cov.pivot(index="country", columns="principle", values=column)
    return wide.reindex(index=list(dict.fromkeys(cov["country"])), columns=list(dict.fromkeys(cov["principle"]))).astype(bool)


def coverage_share(cov: pd.DataFrame) -> pd.Series:
    """Share (0-1) of the principles each country covers; NaN for a country where some are unknown
    (its share is only a lower bound: :func:`coverage_counts`)."""
    by = cov.groupby("country", sort=False)
    share = by["covered"].mean().astype(float).where(~by["unknown"].any())
    return share.rename("share")


def coverage_counts(cov: pd.DataFrame) -> pd.DataFrame:
    """Per country: principles covered, principles unknown (partial sources only), and the share covered
    (:func:`coverage_share`, empty where some are unknown). Columns ``country``, ``principles_covered``,
    ``principles_unknown``, ``share_covered``."""
    by = cov.groupby("country", sort=False)
    return pd.DataFrame({"principles_covered": by["covered"].sum().astype(int), "principles_unknown": by["unknown"].sum().astype(int),
                         "share_covered": coverage_share(cov)}).rename_axis("country").reset_index()
