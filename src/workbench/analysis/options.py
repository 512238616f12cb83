"""Policy options of the register beside the ranking: per ranked concept, by measured need, as a roadmap.

The options are written by the research team (``data/options/``); nothing here writes advice.
This module only selects and orders them: the options of each ranked concept (a concept without
one is said to have none), Kazakhstan's measured needs with the options that answer them (the
second lens, independent of the peers), the roadmap of prerequisites as a graph, and the filters
of ``workbench options``.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import networkx as nx
import pandas as pd

from workbench.model.errors import InputError
from workbench.model.options import AUDIENCES, INSTRUMENTS, PHASES, TEXT_STATES
from workbench.model.register import OPTION_COLUMNS
from workbench.model.values import unknown_id

__all__ = ["RANKED_OPTION_COLUMNS", "empty_register", "options_of", "ranked_options", "coverage", "needs",
           "roadmap_graph", "roadmap_order", "roadmap_table", "filter_options", "carried_by", "per_option",
           "OPTION_ROW_COLUMNS"]

RANKED_OPTION_COLUMNS = ["rank", "scope", "concept_id", "option_id", "main_concept"]


def empty_register() -> pd.DataFrame:
    """A register with no options (a data folder without ``options/``)."""
    return pd.DataFrame(columns=OPTION_COLUMNS)


def _register(options: pd.DataFrame | None) -> pd.DataFrame:
    return empty_register() if options is None else options


def options_of(options: pd.DataFrame | None, concept_id: str) -> pd.DataFrame:
    """The options serving ``concept_id``, those whose main (first) concept it is first, then by phase.

    >>> from workbench.model.dataset import load
    >>> list(options_of(load().options, "no_such_concept")["option_id"])
    []
    """
    reg = _register(options)
    order = {p: i for i, p in enumerate(PHASES)}
    # plain Python over the columns: a report asks this a few hundred times
    keyed = [((cs[0] != concept_id), order.get(phase, len(order)), oid, i)
             for i, (cs, phase, oid) in enumerate(zip(reg["concepts"], reg["phase"], reg["option_id"])) if concept_id in cs]
    return reg.iloc[[i for *_, i in sorted(keyed)]].reset_index(drop=True)


def ranked_options(recs: pd.DataFrame, options: pd.DataFrame | None) -> pd.DataFrame:
    """One row per ranked concept and option serving it (:data:`RANKED_OPTION_COLUMNS`), in rank
    order; a concept with no option keeps one row with an empty ``option_id``."""
    rows = []
    for _, r in recs.iterrows():
        mine = options_of(options, r["concept_id"])
        if mine.empty:
            rows.append({"rank": r["rank"], "scope": r["scope"], "concept_id": r["concept_id"], "option_id": "",
                         "main_concept": False})
        for _, o in mine.iterrows():
            rows.append({"rank": r["rank"], "scope": r["scope"], "concept_id": r["concept_id"],
                         "option_id": o["option_id"], "main_concept": o["concepts"][0] == r["concept_id"]})
    return pd.DataFrame(rows, columns=RANKED_OPTION_COLUMNS)


def coverage(recs: pd.DataFrame, options: pd.DataFrame | None) -> pd.DataFrame:
    """Each ranked concept with how many options serve it and which (``n_options`` 0: none written yet)."""
    ids = [tuple(options_of(options, c)["option_id"]) for c in recs["concept_id"]]
    return pd.DataFrame({"rank": recs["rank"].values, "scope": recs["scope"].values,
                         "concept_id": recs["concept_id"].values, "n_options": [len(i) for i in ids],
                         "options": [";".join(i) for i in ids]})


def needs(gaps, ranking: pd.DataFrame, options: pd.DataFrame | None) -> pd.DataFrame:
    """Kazakhstan's measured needs (the survey gaps of ``need_indicators``), largest first, each with
    the concepts it maps to, their ranks, and the options serving those concepts.

    A need whose concepts no peer names still lists its options here: the second lens does not
    depend on the peers. ``ranking`` is :func:`workbench.analysis.recommend.ranked` output.
    """
    survey = gaps.links[gaps.links["role"] == "survey"]
    rank = dict(zip(ranking["concept_id"], ranking["rank"]))
    scope = dict(zip(ranking["concept_id"], ranking["list"]))
    rows = []
    for (need, label, value, source, locator), g in survey.groupby(
            ["subject_id", "label", "value", "source", "locator"], sort=False):
        concepts = list(dict.fromkeys(g["concept_id"]))
        answering = [o for c in concepts for o in options_of(options, c)["option_id"]]
        rows.append({"need": need, "label": label, "value": float(value), "concepts": ";".join(concepts),
                     "ranks": ";".join(f"{rank[c]}" if c in rank else "" for c in concepts),
                     "lists": ";".join(scope.get(c, "") for c in concepts),
                     "options": ";".join(dict.fromkeys(answering)), "source": source, "locator": locator})
    cols = ["need", "label", "value", "concepts", "ranks", "lists", "options", "source", "locator"]
    return pd.DataFrame(rows, columns=cols).sort_values(["value", "need"], ascending=[False, True]).reset_index(drop=True)


def roadmap_graph(options: pd.DataFrame | None) -> nx.DiGraph:
    """The options as a graph: an edge from each prerequisite to the option that needs it; nodes
    carry ``phase`` and ``instrument``. The data's checks refuse cycles, so it is acyclic."""
    reg = _register(options)
    graph = nx.DiGraph()
    for _, o in reg.iterrows():
        graph.add_node(o["option_id"], phase=o["phase"], instrument=o["instrument"])
    for _, o in reg.iterrows():
        graph.add_edges_from((p, o["option_id"]) for p in o["prerequisites"] if p in graph)
    return graph


def roadmap_order(graph: nx.DiGraph) -> list[str]:
    """The options in an order of work: by phase, every prerequisite before what needs it, then by id."""
    order = {p: i for i, p in enumerate(PHASES)}
    return list(nx.lexicographical_topological_sort(graph, key=lambda n: (order[graph.nodes[n]["phase"]], n)))


def roadmap_table(options: pd.DataFrame | None) -> pd.DataFrame:
    """The options in order of work with phase, instrument, audience, cost and prerequisites."""
    reg = _register(options).set_index("option_id", drop=False)
    order = roadmap_order(roadmap_graph(options))
    out = reg.loc[order, ["option_id", "phase", "instrument", "audience", "cost_level", "prerequisites", "concepts"]]
    return out.reset_index(drop=True)


def carried_by(options: pd.DataFrame | None) -> dict[str, list[str]]:
    """The options carrying each of the papers' recommendations: subject id -> option ids."""
    out: dict[str, list[str]] = {}
    for _, o in _register(options).iterrows():
        for subject in o["carries"]:
            out.setdefault(subject, []).append(o["option_id"])
    return out


def _choices(name: str, values: Sequence[str] | None, allowed: Iterable[str]) -> list[str]:
    allowed = list(allowed)
    bad = [v for v in values or [] if v not in allowed]
    if bad:
        raise InputError.parameter(name, f"unknown value(s) {', '.join(repr(b) for b in bad)} (use {', '.join(allowed)})")
    return list(values or [])


def filter_options(options: pd.DataFrame | None, concepts: Sequence[str] | None = None, phases: Sequence[str] | None = None,
                   instruments: Sequence[str] | None = None, audiences: Sequence[str] | None = None,
                   review: str | None = None, lang: str = "en", known_concepts: Iterable[str] = ()) -> pd.DataFrame:
    """The options matching every filter given (each a list of accepted values; empty: any).

    Parameters
    ----------
    options : the register (``Dataset.options``).
    concepts : taxonomy ids; an option matches when it serves any of them.
    phases, instruments, audiences : values of :data:`~workbench.model.options.PHASES`,
        :data:`~workbench.model.options.INSTRUMENTS`, :data:`~workbench.model.options.AUDIENCES`.
    review : ``draft`` or ``reviewed``: the review state of the texts in ``lang``.
    known_concepts : the taxonomy's ids, to refuse a misspelt concept rather than match nothing.
    """
    reg = _register(options)
    known = set(known_concepts)
    unknown = [c for c in concepts or [] if known and c not in known]
    if unknown:
        raise InputError.parameter("concept", "; ".join(unknown_id("concept", c, known) for c in unknown))
    keep = pd.Series(True, index=reg.index)
    if concepts:
        keep &= reg["concepts"].map(lambda cs: bool(set(cs) & set(concepts))).astype(bool)
    if phases:
        keep &= reg["phase"].isin(_choices("phase", phases, PHASES))
    if instruments:
        keep &= reg["instrument"].isin(_choices("instrument", instruments, INSTRUMENTS))
    if audiences:
        wanted = set(_choices("corps", audiences, AUDIENCES))
        keep &= reg["audience"].map(lambda a: bool(set(a) & wanted)).astype(bool)
    if review:
        keep &= reg[f"text_status_{lang}"] == _choices("review", [review], TEXT_STATES)[0]
    return reg[keep].reset_index(drop=True)


#: One row per option of a ranked concept, as ``workbench recommend`` writes its CSV.
OPTION_ROW_COLUMNS = ["rank", "scope", "concept_id", "label", "kaz_status", "option_id", "option_title", "option_kaz_status",
                      "phase", "instrument", "audience", "model_countries"]


def per_option(recs: pd.DataFrame, options: pd.DataFrame | None, lang: str = "en") -> pd.DataFrame:
    """``recs`` (:func:`workbench.analysis.recommend.recommendations`) with one row per option of each
    ranked concept, its concept's rank kept; a concept without an option keeps one row, option empty."""
    reg = _register(options).set_index("option_id")
    rows = ranked_options(recs, options)
    def field(oid: str, make) -> str:
        return make(reg.loc[oid]) if oid else ""
    extra = pd.DataFrame({
        "option_id": rows["option_id"],
        "option_title": rows["option_id"].map(lambda o: field(o, lambda r: str(r[f"title_{lang}"]))),
        "option_kaz_status": rows["option_id"].map(lambda o: field(o, lambda r: r["kaz_status"])),
        "phase": rows["option_id"].map(lambda o: field(o, lambda r: r["phase"])),
        "instrument": rows["option_id"].map(lambda o: field(o, lambda r: r["instrument"])),
        "audience": rows["option_id"].map(lambda o: field(o, lambda r: ";".join(r["audience"]))),
        "option_countries": rows["option_id"].map(lambda o: field(o, lambda r: ";".join(r["model_countries"]))),
    })
    keys = rows[["scope", "concept_id"]].reset_index(drop=True)
    base = keys.merge(recs, on=["scope", "concept_id"], how="left")
    out = pd.concat([base, extra.reset_index(drop=True)], axis=1)
    out["model_countries"] = out["option_countries"]
    rest = [c for c in recs.columns if c not in OPTION_ROW_COLUMNS and c != "options"]
    return out[OPTION_ROW_COLUMNS + rest]
