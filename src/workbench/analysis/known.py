"""What the data can show of a country: a concept that only partial frameworks leave out is unknown, not absent.

A framework recorded as ``coverage: partial`` (the source shows only part of it) cannot show that a
concept is missing: whatever it does not carry may sit in the part nobody could read. A country's
silence on a concept therefore counts as *absent* only when every one of its frameworks (at the
level compared) is complete, or is partial only in domains of the taxonomy other than the concept's
(a partial framework's ``missing_domains``: an ethics code whose unread principles are all about
values cannot hide a leadership competency); otherwise it is *unknown*. Shares count over the
countries that could show the concept, and a cell nobody could know is drawn and said differently.
"""
from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from workbench.model.versions import compared, had

__all__ = ["STATES", "carrying_nothing", "country_coverage", "with_secondary", "knowable", "knowable_cells", "silence_is_absence", "cell_states", "peer_share",
           "with_frameworks"]

#: Per country (True: silence is absence on every concept), or per country and concept (a frame).
Known = Mapping[str, bool] | pd.Series | pd.DataFrame

#: A country's state on a concept: it carries it, a complete framework of it does not, or nobody can tell.
STATES = ("carried", "absent", "unknown")


def _at_level(frameworks: pd.DataFrame, level: str | None, named: bool = False) -> pd.DataFrame:
    # what a comparison draws: a curriculum's silence says nothing of a definition, unless the user named the frameworks
    frameworks = had(frameworks) if named else compared(frameworks)
    return frameworks if level is None else frameworks[frameworks["level"] == level]


def country_coverage(frameworks: pd.DataFrame, countries: Iterable[str] | None = None, level: str | None = None,
                     named: bool = False) -> pd.DataFrame:
    """One row per country: its frameworks, how many are complete, partial and from secondary sources
    (``named``: ``frameworks`` are those a user named, drawn whatever their kind, a curriculum too).

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
    fws = _at_level(frameworks, level, named)
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


def with_secondary(frameworks: pd.DataFrame, countries: Sequence[str], partly: bool = False) -> tuple[str, ...]:
    """The ``countries`` (in the order given) known only from secondary sources: every framework of
    theirs is one (a country with an official framework too is not); with ``partly``, those known
    from a secondary source in part or whole (what they carry may rest on what others wrote).

    >>> fw = pd.DataFrame({"framework_id": ["a", "b", "c"], "country": ["X", "Y", "Y"], "level": ["all", "all", "all"],
    ...                    "coverage": ["partial", "complete", "partial"], "source_kind": ["secondary", "official", "secondary"]})
    >>> with_secondary(fw, ["Y", "X"]), with_secondary(fw, ["Y", "X"], partly=True)
    (('X',), ('Y', 'X'))
    """
    cov = country_coverage(frameworks, countries)
    return tuple(cov.loc[cov["n_secondary"] > 0 if partly else cov["secondary_only"], "country"])


def knowable(frameworks: pd.DataFrame, countries: Iterable[str], level: str | None = None) -> pd.Series:
    """Per country: True when its silence on a concept is absence (a complete framework at ``level``)."""
    cov = country_coverage(frameworks, countries, level)
    return pd.Series(cov["knowable"].to_numpy(dtype=bool), index=cov["country"].to_numpy(), name="knowable")


def knowable_cells(frameworks: pd.DataFrame, concepts: pd.DataFrame, countries: Iterable[str], level: str | None = None,
                   named: bool = False) -> pd.DataFrame:
    """Per country (rows) and concept (columns): True when the country's silence on the concept is absence.

    It is when the country has a framework at ``level`` and none of its partial frameworks could hide
    the concept: a partial framework hides the domains it names in ``missing_domains``, every domain
    when it names none. ``concepts``: ``concept_id`` and ``domain``.

    >>> fw = pd.DataFrame({"framework_id": ["a", "b", "c"], "country": ["X", "X", "Y"], "level": "all",
    ...                    "coverage": ["complete", "partial", "partial"], "missing_domains": [(), ("values",), ()]})
    >>> cs = pd.DataFrame({"concept_id": ["lead", "ethics"], "domain": ["leadership", "values"]})
    >>> knowable_cells(fw, cs, ["X", "Y", "Z"]).to_dict("index")
    {'X': {'lead': True, 'ethics': False}, 'Y': {'lead': False, 'ethics': False}, 'Z': {'lead': False, 'ethics': False}}
    """
    fws = _at_level(frameworks, level, named)
    names = list(dict.fromkeys(countries))
    domains = concepts["domain"].to_numpy()
    every = set(domains)
    rows = []
    for country in names:
        own = fws[fws["country"] == country]
        hidden: set = set()
        for _, fw in own[own["coverage"] == "partial"].iterrows():
            hidden |= set(fw.get("missing_domains") or ()) or every  # naming none, it may hide any
        rows.append([len(own) > 0 and d not in hidden for d in domains])
    return pd.DataFrame(rows, index=pd.Index(names), columns=concepts["concept_id"].to_numpy(), dtype=bool)


def silence_is_absence(known: Known, country: str, concept: str) -> bool:
    """Whether ``country``'s silence on ``concept`` is absence, by :func:`knowable` (per country) or
    :func:`knowable_cells` (per country and concept)."""
    if isinstance(known, pd.DataFrame):
        return bool(known.at[country, concept]) if country in known.index and concept in known.columns else False
    return bool(known.get(country, False))


def cell_states(matrix: pd.DataFrame, known: Known) -> pd.DataFrame:
    """The country x concept matrix as states: ``carried`` (a count above 0), ``absent`` or ``unknown``.

    >>> m = pd.DataFrame({"a": [1, 0], "b": [0, 0]}, index=["X", "Y"])
    >>> cell_states(m, {"X": True, "Y": False}).to_dict("index")
    {'X': {'a': 'carried', 'b': 'absent'}, 'Y': {'a': 'unknown', 'b': 'unknown'}}
    """
    absence = np.array([[silence_is_absence(known, c, k) for k in matrix.columns] for c in matrix.index], dtype=bool)
    silent = np.where(absence.reshape(matrix.shape), "absent", "unknown")
    values = np.where(matrix.to_numpy() > 0, "carried", silent)
    return pd.DataFrame(values, index=matrix.index, columns=matrix.columns)


def peer_share(carrying: pd.Series, peers: Sequence[str], known: Known) -> pd.DataFrame:
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
        unknown = tuple(p for p in peers if p not in carriers and not silence_is_absence(known, p, concept))
        n_known = len(peers) - len(unknown)
        rows[concept] = {"peer_share": len(carriers) / n_known if n_known else float("nan"),
                         "peers_known": n_known, "peers_unknown": unknown}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["peer_share", "peers_known", "peers_unknown"])


def with_frameworks(frameworks: pd.DataFrame, countries: Sequence[str], level: str | None = None,
                    named: bool = False) -> tuple[list[str], list[str]]:
    """``(kept, left_out)``: the countries with a framework at ``level`` (any level when ``None``), in
    the order given, and those without, which an analysis leaves out and says so rather than drawing
    a country of zeros.

    >>> fw = pd.DataFrame({"country": ["X", "Y"], "level": ["senior", "all"]})
    >>> with_frameworks(fw, ["X", "Y", "Z"], "senior")
    (['X'], ['Y', 'Z'])
    """
    owners = set(_at_level(frameworks, level, named)["country"])
    return [c for c in countries if c in owners], [c for c in countries if c not in owners]


def carrying_nothing(ev: pd.DataFrame, countries: Iterable[str], knowable: pd.DataFrame | None = None) -> list[str]:
    """The ``countries`` of which the evidence ``ev`` (:func:`workbench.analysis.compare.evidence`) holds no row:
    frameworks in the comparison whose items map to no concept (at most a related one), drawn with an empty
    row, and said so. With ``knowable`` (:func:`knowable_cells`), a country none of whose cells could show
    absence is left out: its row is unknown, hatched and said so as partial, not empty.

    >>> carrying_nothing(pd.DataFrame({"country": ["GBR"]}), ["GBR", "LTU", "FRA"])
    ['LTU', 'FRA']
    >>> carrying_nothing(pd.DataFrame({"country": ["GBR"]}), ["GBR", "LTU", "FRA"], pd.DataFrame({"x": [True, False]}, index=["LTU", "FRA"]))
    ['LTU']
    """
    carried = set(ev["country"])
    empty = [c for c in countries if c not in carried]
    return empty if knowable is None else [c for c in empty if c in knowable.index and bool(knowable.loc[c].any())]
