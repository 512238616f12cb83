"""What the data can show of a country: a concept that only partial frameworks leave out is unknown, not absent.

A framework recorded as ``coverage: partial`` (the source shows only part of it) cannot show that a
concept is missing: whatever it does not carry may sit in the part nobody could read. A country's
silence on a concept therefore counts as *absent* only when at least one of its frameworks (at the
level compared) is complete; otherwise it is *unknown*. Shares count over the countries that could
show the concept, and a cell nobody could know is drawn and said differently.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.model.versions import had

__all__ = ["STATES", "country_coverage", "with_secondary", "knowable", "cell_states", "peer_share", "with_frameworks"]

#: A country's state on a concept: it carries it, a complete framework of it does not, or nobody can tell.
STATES = ("carried", "absent", "unknown")


def _at_level(frameworks: pd.DataFrame, level: str | None) -> pd.DataFrame:
    frameworks = had(frameworks)
    return frameworks if level is None else frameworks[frameworks["level"] == level]


def country_coverage(frameworks: pd.DataFrame, countries: Iterable[str] | None = None, level: str | None = None) -> pd.DataFrame:
    """One row per country: its frameworks, how many are complete, partial and from secondary sources.

    Columns ``country``, ``n_frameworks``, ``n_complete``, ``n_partial``, ``n_secondary``,
    ``partial`` (framework ids), ``secondary`` (framework ids), ``knowable`` (every framework of it
    is complete, so silence is absence: a complete list's silence does not speak for a partial list
    of the same country, which may carry what the complete one lacks), ``secondary_only`` (every
    framework of it is from a secondary source: the country is known only at second hand). A country
    without a framework at ``level`` gets zeros, and ``knowable`` and ``secondary_only`` False.

    >>> fw = pd.DataFrame({"framework_id": ["a", "b", "c", "d"], "country": ["X", "Y", "Y", "X"], "level": ["all", "all", "all", "senior"],
    ...                    "coverage": ["complete", "partial", "partial", "partial"], "source_kind": ["official", "official", "secondary", "official"]})
    >>> country_coverage(fw)[["country", "n_partial", "n_secondary", "knowable"]].to_dict("records")
    [{'country': 'X', 'n_partial': 1, 'n_secondary': 0, 'knowable': False}, {'country': 'Y', 'n_partial': 2, 'n_secondary': 1, 'knowable': False}]
    >>> bool(country_coverage(fw, level="all").set_index("country").at["X", "knowable"])
    True
    """
    fws = _at_level(frameworks, level)
    names = list(dict.fromkeys(countries)) if countries is not None else sorted(fws["country"].unique())
    rows = []
    for country in names:
        own = fws[fws["country"] == country]
        partial = own.loc[own["coverage"] == "partial", "framework_id"].tolist()
        secondary = own.loc[own["source_kind"] == "secondary", "framework_id"].tolist()
        rows.append({"country": country, "n_frameworks": len(own), "n_complete": len(own) - len(partial),
                     "n_partial": len(partial), "n_secondary": len(secondary), "partial": tuple(partial),
                     "secondary": tuple(secondary), "knowable": len(own) > 0 and not partial,
                     "secondary_only": 0 < len(secondary) == len(own)})
    return pd.DataFrame(rows, columns=["country", "n_frameworks", "n_complete", "n_partial", "n_secondary",
                                       "partial", "secondary", "knowable", "secondary_only"])


def with_secondary(frameworks: pd.DataFrame, countries: Sequence[str]) -> tuple[str, ...]:
    """The ``countries`` (in the order given) known only from secondary sources: every framework of
    theirs is one (a country with an official framework too is not).

    >>> fw = pd.DataFrame({"framework_id": ["a", "b", "c"], "country": ["X", "Y", "Y"], "level": ["all", "all", "all"],
    ...                    "coverage": ["partial", "complete", "partial"], "source_kind": ["secondary", "official", "secondary"]})
    >>> with_secondary(fw, ["Y", "X"])
    ('X',)
    """
    cov = country_coverage(frameworks, countries)
    return tuple(cov.loc[cov["secondary_only"], "country"])


def knowable(frameworks: pd.DataFrame, countries: Iterable[str], level: str | None = None) -> pd.Series:
    """Per country: True when its silence on a concept is absence (a complete framework at ``level``)."""
    cov = country_coverage(frameworks, countries, level)
    return pd.Series(cov["knowable"].to_numpy(dtype=bool), index=cov["country"].to_numpy(), name="knowable")


def cell_states(matrix: pd.DataFrame, known: Mapping[str, bool] | pd.Series) -> pd.DataFrame:
    """The country x concept matrix as states: ``carried`` (a count above 0), ``absent`` or ``unknown``.

    >>> m = pd.DataFrame({"a": [1, 0], "b": [0, 0]}, index=["X", "Y"])
    >>> cell_states(m, {"X": True, "Y": False}).to_dict("index")
    {'X': {'a': 'carried', 'b': 'absent'}, 'Y': {'a': 'unknown', 'b': 'unknown'}}
    """
    silent = np.where(np.array([bool(known.get(c, False)) for c in matrix.index])[:, None], "absent", "unknown")
    values = np.where(matrix.to_numpy() > 0, "carried", silent)
    return pd.DataFrame(values, index=matrix.index, columns=matrix.columns)


def peer_share(carrying: pd.Series, peers: Sequence[str], known: Mapping[str, bool] | pd.Series) -> pd.DataFrame:
    """Share of the peers carrying each concept, over the peers whose data could show it.

    ``carrying``: per concept, the tuple of peers carrying it. A peer carrying the concept counts
    in numerator and denominator; a silent peer counts in the denominator only when its silence is
    absence (``known``). ``peer_share`` is NaN when no peer could show the concept.
    Columns ``peer_share``, ``peers_known`` (the denominator), ``peers_unknown`` (tuple).

    >>> carrying = pd.Series({"a": ("X",), "b": ()})
    >>> peer_share(carrying, ["X", "Y"], {"X": True, "Y": False}).to_dict("index")
    {'a': {'peer_share': 1.0, 'peers_known': 1, 'peers_unknown': ('Y',)}, 'b': {'peer_share': 0.0, 'peers_known': 1, 'peers_unknown': ('Y',)}}
    """
    rows = {}
    for concept, carriers in carrying.items():
        carriers = set(carriers) & set(peers)
        unknown = tuple(p for p in peers if p not in carriers and not bool(known.get(p, False)))
        n_known = len(peers) - len(unknown)
        rows[concept] = {"peer_share": len(carriers) / n_known if n_known else float("nan"),
                         "peers_known": n_known, "peers_unknown": unknown}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["peer_share", "peers_known", "peers_unknown"])


def with_frameworks(frameworks: pd.DataFrame, countries: Sequence[str], level: str | None = None) -> tuple[list[str], list[str]]:
    """``(kept, left_out)``: the countries with a framework at ``level`` (any level when ``None``), in
    the order given, and those without, which an analysis leaves out and says so rather than drawing
    a country of zeros.

    >>> fw = pd.DataFrame({"country": ["X", "Y"], "level": ["senior", "all"]})
    >>> with_frameworks(fw, ["X", "Y", "Z"], "senior")
    (['X'], ['Y', 'Z'])
    """
    owners = set(_at_level(frameworks, level)["country"])
    return [c for c in countries if c in owners], [c for c in countries if c not in owners]
