"""The recommendation score: components per concept, the weighted mean, ranking, stability.

Components, each in [0, 1] (see ``data/weights.yaml``):

* ``peer_share``: share of the chosen peers whose framework items or practices carry the concept;
* ``oecd_alignment``: OECD 2019 principles the concept serves, divided by the largest count among
  concepts of the same scope (so competencies are not measured against system reforms);
* ``kaz_absence``: 1 if Kazakhstan's status is absent, ``1 - related_credit`` if partial, 0 if present
  (status from all Kazakh evidence, :mod:`workbench.analysis.kaz_status`);
* ``measured_need``: the largest survey gap mapped to the concept (percent / 100);
* ``paper_recommended``: 1 if a source paper recommends it; weight 0 by default, so the agreement
  with the papers is a finding (:mod:`workbench.analysis.papers`), not an input.

Ranking: ``score = sum(w_i * c_i) / sum(w_i)``, highest first; ties (scores equal to 12 decimals)
are broken by concept id, alphabetically. Individual competencies and system reforms are ranked
in separate lists by default.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from workbench.model.schema import Weights
from workbench.model.settings import COMPONENTS

__all__ = ["SCOPES", "score", "contributions", "known_weight", "rank", "rank_lists", "stability", "oecd_alignment"]

#: The taxonomy's scopes, in the order the lists are shown.
SCOPES = ("individual", "system")


def oecd_alignment(n_principles: pd.Series, scope: pd.Series) -> pd.Series:
    """Principle counts normalised by the largest count within the same scope."""
    top = n_principles.groupby(scope.values).transform("max").clip(lower=1)
    return (n_principles / top.values).astype(float)


def _weight_vector(weights: Weights | Mapping[str, float]) -> np.ndarray:
    w = weights.model_dump() if isinstance(weights, Weights) else dict(weights)
    return np.array([float(w[c]) for c in COMPONENTS])


def score(table: pd.DataFrame, weights: Weights | Mapping[str, float]) -> pd.Series:
    """``sum(w_i * c_i) / sum(w_i)`` per row of a component table.

    >>> t = pd.DataFrame([dict.fromkeys(COMPONENTS, 0.0) | {"peer_share": 1.0}])
    >>> round(float(score(t, dict.fromkeys(COMPONENTS, 1.0) | {"peer_share": 3.0}).iloc[0]), 4)  # 3 / 7
    0.4286
    """
    return pd.Series(_weighted(table[list(COMPONENTS)].to_numpy(dtype=float), _weight_vector(weights)[None, :])[0],
                     index=table.index, name="score")


def contributions(table: pd.DataFrame, weights: Weights | Mapping[str, float]) -> pd.DataFrame:
    """Each component's part of each row's :func:`score`: ``w_i * c_i`` over the weights of the row's
    known components, so that a row's parts add up to its score; NaN where the component is unknown
    (it takes no part, as in the score). What the score bars draw.

    >>> t = pd.DataFrame([dict.fromkeys(COMPONENTS, 0.5) | {"peer_share": float("nan")}])
    >>> parts = contributions(t, dict.fromkeys(COMPONENTS, 1.0))
    >>> round(float(parts.sum(axis=1).iloc[0]), 4), bool(parts["peer_share"].isna().iloc[0])
    (0.5, True)
    """
    divisor = known_weight(table, weights).to_numpy()
    parts = table[list(COMPONENTS)].to_numpy(dtype=float) * _weight_vector(weights)[None, :] / np.where(divisor > 0, divisor, 1.0)[:, None]
    return pd.DataFrame(parts, index=table.index, columns=list(COMPONENTS))


def known_weight(table: pd.DataFrame, weights: Weights | Mapping[str, float]) -> pd.Series:
    """Per row, the sum of the weights of its known components: the divisor of its :func:`score`."""
    known = table[list(COMPONENTS)].notna().to_numpy(dtype=float)
    return pd.Series(known @ _weight_vector(weights), index=table.index, name="known_weight")


def _weighted(values: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Scores of ``values`` (concepts x components) under each row of ``w`` (draws x components).

    A component nobody could know (NaN: e.g. a peer share when every peer's source is partial)
    leaves the sum and its weight leaves the divisor: unknown is not counted as zero.
    """
    known = ~np.isnan(values)
    filled = np.where(known, values, 0.0)
    divisor = w @ known.T.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(divisor > 0, (w @ filled.T) / np.where(divisor > 0, divisor, 1.0), 0.0)


def _order(scores: np.ndarray, concept_ids: np.ndarray) -> np.ndarray:
    """Indices by descending score, ties broken by concept id (rounded: float noise is no preference)."""
    return np.lexsort((concept_ids, -np.round(scores, 12)))


def rank(table: pd.DataFrame, weights: Weights | Mapping[str, float]) -> pd.DataFrame:
    """The component table with ``score`` and ``rank`` (1 = best), best first, as one list."""
    scored = table.assign(score=score(table, weights))
    order = _order(scored["score"].to_numpy(), scored["concept_id"].to_numpy())
    out = scored.iloc[order].reset_index(drop=True)
    return out.assign(rank=np.arange(1, len(out) + 1))


def rank_lists(table: pd.DataFrame, weights: Weights | Mapping[str, float], separate: bool = True) -> pd.DataFrame:
    """Ranks within each scope (``separate``) or over all concepts; ``list`` names the ranking."""
    if not separate:  # one list: named after its scope when it holds one only (--scope individual)
        scopes = table["scope"].unique()
        return rank(table, weights).assign(list=scopes[0] if len(scopes) == 1 and scopes[0] in SCOPES else "all")
    parts = [rank(table[table["scope"] == s], weights).assign(list=s) for s in SCOPES if (table["scope"] == s).any()]
    return pd.concat(parts, ignore_index=True)


def stability(
    table: pd.DataFrame,
    weights: Weights | Mapping[str, float],
    top: int,
    draws: int = 500,
    spread: float = 0.5,
    seed: int = 0,
) -> pd.Series:
    """Share of random weight draws in which each concept ranks in the top ``top`` of ``table``.

    Each draw multiplies every weight by an independent factor from ``uniform(1 - spread, 1 + spread)``
    (a seeded generator, so results repeat). ``NaN`` when ``draws`` is 0.
    """
    if draws <= 0:
        return pd.Series(np.nan, index=table.index, name="stability")
    rng = np.random.default_rng(seed)
    w = _weight_vector(weights) * rng.uniform(1 - spread, 1 + spread, size=(draws, len(COMPONENTS)))
    scores = _weighted(table[list(COMPONENTS)].to_numpy(dtype=float), w)
    ids = table["concept_id"].to_numpy()
    hits = np.zeros(len(table))
    for row in scores:
        hits[_order(row, ids)[:top]] += 1
    return pd.Series(hits / draws, index=table.index, name="stability")
