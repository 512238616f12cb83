"""Ranked recommendations for Kazakhstan: the orchestration of status, score, options and evidence.

One module per idea does the work: :mod:`workbench.model.settings` (``data/weights.yaml``),
:mod:`workbench.analysis.kaz_status` (Kazakhstan's status from all Kazakh evidence),
:mod:`workbench.analysis.options` (the register's options of each concept: advice is written, never composed), :mod:`workbench.analysis.scoring`
(components, score, two lists, stability), :mod:`workbench.analysis.transferability` (governance
context), :mod:`workbench.analysis.papers` (agreement with the source papers, a finding) and
:mod:`workbench.analysis.evidence` (one evidence model, markdown and HTML). This module joins them.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Optional

import numpy as np
import pandas as pd

from workbench.analysis.options import empty_register, options_of
from workbench.analysis.crosswalk import CARRYING_PREDICATES, indicator_concepts, item_concepts, practice_concepts
from workbench.model.dataset import Dataset
from workbench.model.errors import InputError
from workbench.model.values import check_count, unknown_id
from workbench.analysis.evidence import Evidence, cite
from workbench.analysis.kaz_status import kaz_evidence, kaz_status, verb
from workbench.analysis.known import knowable_cells, peer_share, with_secondary
from workbench.model.schema import PREDICATES
from workbench.model.versions import check_in_force
from workbench.analysis.scoring import SCOPES, oecd_alignment, rank, rank_lists, score, stability
from workbench.model.settings import (COMPONENTS, DEFAULT_BASELINE, DEFAULT_PEERS, SCORE_EXPLANATION, Settings, baseline_frameworks, check_peers, load_settings,
                       read_settings)
from workbench.analysis.transferability import Transferability, context, context_text, load_transferability

__all__ = [
    "COMPONENTS", "DEFAULT_PEERS", "CSV_COLUMNS", "READER_COLUMNS", "COMPONENT_COLUMNS", "SCORE_EXPLANATION", "Settings", "GapAnalysis", "Evidence",
    "read_settings", "load_settings", "check_peers", "baseline_frameworks", "analyse", "score", "rank",
    "ranked", "stability", "MAX_DRAWS", "check_scope", "recommendations", "recommend", "evidence", "evidence_for", "cite",
    "undecided_contenders",
]

CSV_COLUMNS = ["rank", "scope", "concept_id", "label", "kaz_status", "options", "model_countries", "score",
               *COMPONENTS, "stability", "governance_context", "papers", "peers", "oecd_principles", "sources"]
#: What a reader of a report sees of each recommendation; the components get a table of their own
#: and the evidence (governance context, sources) a section of its own.
READER_COLUMNS = ["rank", "scope", "concept_id", "kaz_status", "options", "model_countries", "score", "stability"]
COMPONENT_COLUMNS = ["rank", "scope", "concept_id", *COMPONENTS, "score"]

#: Roles of the evidence rows (``GapAnalysis.links``), in the order evidence is shown.
ROLES = ("peer_item", "peer_practice", "oecd", "baseline", "survey", "paper", "step")
_LINK_COLUMNS = ["concept_id", "role", "country", "framework_id", "subject_id", "label", "description", "group",
                 "predicate", "value", "source", "locator"]
_SCOPE_CHOICES = ("separate", "all", *SCOPES)


@dataclass(frozen=True)
class GapAnalysis:
    """What the recommendations are computed from.

    ``table``: one row per concept (of the chosen scope) with the five components, Kazakhstan's
    status and the lists behind them. ``links``: the evidence rows of the components (concept, role,
    subject, source, locator). ``kaz_evidence``: the Kazakh rows that decide each status.
    ``options``: the register of policy options (``data/options/``). ``risks``: risks of the implementation
    sources, shown for every recommendation; ``concept_risks``: risks mapped to a concept.
    """

    peers: tuple[str, ...]
    baseline: str
    baseline_frameworks: tuple[str, ...]
    scope: str  # separate | all | individual | system
    settings: Settings
    table: pd.DataFrame
    links: pd.DataFrame
    kaz_evidence: pd.DataFrame
    options: pd.DataFrame
    risks: pd.DataFrame
    concept_risks: pd.DataFrame
    frameworks: pd.DataFrame
    sources: pd.DataFrame
    practices: pd.DataFrame
    items: pd.DataFrame
    crosswalk: pd.DataFrame
    transferability: Optional[Transferability] = None
    data_version: str = ""
    taxonomy_version: str = ""
    #: The taxonomy's concepts (labels in every language, for what a reader is told).
    concepts: Optional[pd.DataFrame] = None
    #: The date the frameworks were taken as of (``Dataset.as_of``).
    as_of: Any = None
    #: Every framework's title by id, so that the evidence names frameworks as a reader knows them.
    framework_titles: Optional[dict] = None
    #: The peers known (in part or whole) only from what others wrote of their frameworks (``source_kind: secondary``).
    secondary_peers: tuple = ()


def _link_rows(frame: pd.DataFrame, role: str, subject: str) -> pd.DataFrame:
    out = frame.rename(columns={subject: "subject_id"}).assign(role=role)
    for col in _LINK_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan if col == "value" else ""
    out["description"] = out["description"].fillna("")
    return out[_LINK_COLUMNS]


def _links(ds: Dataset, peers: list[str], baseline: list[str], s: Settings) -> pd.DataFrame:
    items = item_concepts(ds.items, ds.crosswalk, PREDICATES)
    practices = practice_concepts(ds.practices, ds.crosswalk, PREDICATES)
    indicators = indicator_concepts(ds.indicators, ds.crosswalk, PREDICATES).rename(columns={"indicator": "label"})
    carries = lambda f: f["predicate"].isin(CARRYING_PREDICATES)  # noqa: E731
    parts = [
        _link_rows(items[items["country"].isin(peers) & carries(items)], "peer_item", "item_code"),
        _link_rows(practices[practices["country"].isin(peers) & practices["kind"].isin(s.peer_practice_kinds)
                             & carries(practices)], "peer_practice", "practice_id"),
        _link_rows(items[(items["framework_id"] == s.oecd_framework) & carries(items)], "oecd", "item_code"),
        _link_rows(items[items["framework_id"].isin(baseline)], "baseline", "item_code"),
        _link_rows(indicators[indicators["indicator_id"].isin(s.need_indicators) & carries(indicators)],
                   "survey", "indicator_id"),
        # every recommendation of the papers counts, whatever its country: the component has weight 0
        # by default and the side-by-side table lists them all
        _link_rows(practices[practices["source"].isin(s.paper_sources) & practices["recommended_for_kaz"]
                             & carries(practices)], "paper", "practice_id"),
        _link_rows(items[items["framework_id"].isin(s.paper_frameworks) & carries(items)], "paper", "item_code"),
        # steps are descriptive evidence, not scored: a relatedMatch step still shows how to proceed
        _link_rows(practices[practices["source"].isin(s.implementation_sources)
                             & (practices["kind"] == "implementation_step")], "step", "practice_id"),
    ]
    links = pd.concat(parts, ignore_index=True)
    order = {r: i for i, r in enumerate(ROLES)}
    return (links.assign(_o=links["role"].map(order))
            .sort_values(["concept_id", "_o", "country", "framework_id", "subject_id"], kind="stable")
            .drop(columns="_o").reset_index(drop=True))


def _per_concept(rows: pd.DataFrame, column: str, func, ids: pd.Series, default) -> pd.Series:
    """``func`` of ``column`` over ``rows`` per concept id in ``ids`` (``default`` where a concept has none)."""
    values = rows.groupby("concept_id")[column].agg(func) if len(rows) else pd.Series(dtype=object)
    return pd.Series([values.get(c, default) for c in ids], index=ids.values)


def _unique(values) -> tuple:
    return tuple(sorted(set(values)))


def _components(concepts: pd.DataFrame, links: pd.DataFrame, status: pd.Series, peers: list[str], s: Settings,
                known: pd.DataFrame) -> pd.DataFrame:
    ids = concepts["concept_id"]
    role = links["role"]
    carrying_peers = _per_concept(links[role.isin(["peer_item", "peer_practice"])], "country", _unique, ids, ())
    shares = peer_share(carrying_peers, peers, known)
    principles = _per_concept(links[role == "oecd"], "subject_id", _unique, ids, ())
    # undecided: our own check could not tell what Kazakhstan has, so the component is unknown, not 1
    absence = {"present": 0.0, "partial": 1.0 - s.related_credit, "absent": 1.0, "undecided": float("nan")}
    need = _per_concept(links[role == "survey"], "value", "max", ids, 0.0).astype(float) / 100
    papers = _per_concept(links[role == "paper"], "source", _unique, ids, ())
    return pd.DataFrame({
        "concept_id": ids.values,
        "label": concepts["label_en"].values,
        "domain": concepts["domain"].values,
        "scope": concepts["scope"].values,
        "peer_share": shares["peer_share"].to_numpy(dtype=float),
        "oecd_alignment": oecd_alignment(principles.apply(len), concepts["scope"]).values,
        "kaz_absence": [absence[status[c]] for c in ids],
        "measured_need": need.values,
        "paper_recommended": [float(bool(p)) for p in papers],
        "peers": carrying_peers.values,
        "oecd_principles": principles.values,
        "kaz_status": [status[c] for c in ids],
        "papers": papers.values,
        "peers_known": shares["peers_known"].to_numpy(dtype=int),
        "peers_unknown": shares["peers_unknown"].values,
    })


def analyse(
    ds: Dataset,
    peers: Iterable[str] = DEFAULT_PEERS,
    baseline: str = DEFAULT_BASELINE,
    weights: str | os.PathLike | Mapping[str, float] | None = None,
    settings: Settings | None = None,
    scope: str | None = None,
    lang: str = "en",
) -> GapAnalysis:
    """Gap analysis of every concept: who carries it, Kazakhstan's status and need, what to do.

    Parameters
    ----------
    ds : the loaded dataset.
    peers : ISO alpha-3 codes of the comparison countries.
    baseline : a name under ``baselines`` in ``weights.yaml`` (``listening_state``, ``curriculum``, ``both``).
    weights : a weights file, or a dict overriding some weights (see :func:`load_settings`).
    settings : already loaded settings (then ``weights`` is ignored).
    scope : ``None`` or ``"separate"`` (default): individual competencies and system reforms in two
        lists; ``"all"``: one list; ``"individual"`` or ``"system"``: that list only.
    lang : kept for callers of earlier versions; the analysis holds no text of its own.

    Examples
    --------
    >>> from workbench.model.dataset import load
    >>> gaps = analyse(load(), ["GBR", "CAN", "NZL"])
    >>> gaps.table.set_index("concept_id").loc["merit_recruitment", "kaz_status"]
    'present'
    """
    s = settings if settings is not None else load_settings(ds, weights)
    scope = check_scope(scope)
    codes = check_peers(ds, peers)
    check_in_force(ds, codes)
    fws = baseline_frameworks(s, baseline)
    transfer = load_transferability(ds)
    links = _links(ds, codes, fws, s)
    kaz = kaz_evidence(ds, fws)
    status = kaz_status(kaz, ds.concepts["concept_id"])
    frameworks = ds.frameworks[ds.frameworks["framework_id"].isin(fws)][["framework_id", "title", "source", "locator"]]
    table = _components(ds.concepts, links, status, codes, s, knowable_cells(ds.frameworks, ds.concepts, codes))
    pr = ds.practices
    risks = pr[pr["source"].isin(s.implementation_sources) & (pr["kind"] == "risk")]
    risks = risks[["id", "country", "label", "source", "locator"]].reset_index(drop=True)
    all_pr = practice_concepts(pr, ds.crosswalk, PREDICATES)
    concept_risks = all_pr[all_pr["kind"] == "risk"][["concept_id", "practice_id", "country", "label", "predicate", "source", "locator"]]
    if scope in SCOPES:
        table = table[table["scope"] == scope].reset_index(drop=True)
    return GapAnalysis(
        peers=tuple(codes), baseline=baseline, baseline_frameworks=tuple(fws), scope=scope, settings=s,
        table=table, links=links, kaz_evidence=kaz, options=ds.options if ds.options is not None else empty_register(), risks=risks,
        concept_risks=concept_risks.reset_index(drop=True), frameworks=frameworks.reset_index(drop=True),
        sources=ds.sources, practices=pr, items=ds.items, crosswalk=ds.crosswalk, transferability=transfer,
        data_version=ds.data_version, taxonomy_version=ds.taxonomy_version, concepts=ds.concepts, as_of=ds.as_of,
        secondary_peers=with_secondary(ds.frameworks, codes, partly=True),
        framework_titles=dict(zip(ds.frameworks["framework_id"], ds.frameworks["title"])),
    )


def ranked(gaps: GapAnalysis) -> pd.DataFrame:
    """Every concept of the analysis with ``score``, ``rank`` and ``list`` (its ranking)."""
    return rank_lists(gaps.table, gaps.settings.weights, separate=gaps.scope == "separate")


def undecided_contenders(gaps: GapAnalysis, top: int = 10) -> pd.DataFrame:
    """The concepts whose Kazakh status our evidence cannot decide (``undecided``) that would rank in
    the top ``top`` of their list if Kazakhstan lacked them: the absence component at 1 instead of
    unknown, every other concept's score as it is. Columns ``concept_id``, ``list``, ``rank`` (the
    rank it would take), best first. What a reader must check before setting such a concept aside;
    a concept the lists already show at or above ``top`` is not set aside, so it is not among them.
    """
    lists = ranked(gaps)
    rows = []
    for _, r in lists[(lists["kaz_status"] == "undecided") & (lists["rank"] > top)].iterrows():
        if_absent = float(score(pd.DataFrame([r]).assign(kaz_absence=1.0), gaps.settings.weights).iloc[0])
        others = lists[(lists["list"] == r["list"]) & (lists["concept_id"] != r["concept_id"])]
        ahead = int(((others["score"].round(12) > round(if_absent, 12))
                     | ((others["score"].round(12) == round(if_absent, 12)) & (others["concept_id"] < r["concept_id"]))).sum())
        if ahead < top:
            rows.append({"concept_id": r["concept_id"], "list": r["list"], "rank": ahead + 1})
    return pd.DataFrame(rows, columns=["concept_id", "list", "rank"]).sort_values(["list", "rank"], kind="stable").reset_index(drop=True)


def _governance(gaps: GapAnalysis, concept_id: str, domain: str, countries: Iterable[str]) -> pd.DataFrame:
    if gaps.transferability is None:
        return pd.DataFrame(columns=["factor", "indicator", "measure", "source", "year", "country", "value", "unit", "id", "locator"])
    return context(gaps.transferability, concept_id, domain, countries)


def option_sources(options: pd.DataFrame) -> set[str]:
    """Every source the options cite: model countries, Kazakhstan now and planned, risks."""
    found = set()
    for _, o in options.iterrows():
        found |= {m["source"] for m in o["models"]} | {p["source"] for p in o["plans"]}
        found |= {o["kaz_source"], o["risk_source"]}
    return found - {""}


def _row_sources(gaps: GapAnalysis, cid: str, options: pd.DataFrame, governance: pd.DataFrame) -> tuple[str, ...]:
    found = set(gaps.links.loc[gaps.links["concept_id"] == cid, "source"])
    found |= set(gaps.kaz_evidence.loc[gaps.kaz_evidence["concept_id"] == cid, "source"])
    found |= set(gaps.frameworks["source"])  # "absent from X" is a statement about X
    found |= option_sources(options)
    found |= set(governance["source"])
    if gaps.transferability is not None:
        found |= {f.source for f in gaps.transferability.factors}
    return tuple(sorted(s for s in found if s))


def _model_countries(options: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(c for cell in options["model_countries"] for c in cell))


#: The most random weight draws a stability column may take: memory grows with them (about 1 KB a
#: draw), and the share of draws that keep a concept settles to its second decimal long before.
MAX_DRAWS = 100_000


def check_scope(scope: str | None) -> str:
    """``scope`` as :func:`analyse` reads it (empty: ``separate``), or :meth:`InputError.parameter`."""
    scope = scope or "separate"
    if scope not in _SCOPE_CHOICES:
        raise InputError.parameter("scope", f"unknown scope '{scope}' (use {', '.join(_SCOPE_CHOICES)})")
    return scope


def recommendations(gaps: GapAnalysis, top: int = 10, draws: int = 500, seed: int = 0) -> pd.DataFrame:
    """The top ``top`` concepts of each list as rows of :data:`CSV_COLUMNS` (lists ``;``-joined)."""
    check_count(top, "top")
    check_count(draws, "draws", 0, MAX_DRAWS)
    check_count(seed, "seed", 0)
    weights = gaps.settings.weights
    lists = ranked(gaps)
    parts = []
    for name, part in lists.groupby("list", sort=False):
        base = gaps.table.set_index("concept_id").loc[part["concept_id"]].reset_index()
        stab = stability(base, weights, top, draws, gaps.settings.perturbation, seed).set_axis(base["concept_id"])
        parts.append(part.head(top).assign(stability=lambda f: f["concept_id"].map(stab).values))
    out = pd.concat(parts, ignore_index=True)
    rows = []
    for _, r in out.iterrows():
        acts = options_of(gaps.options, r["concept_id"])
        countries = _model_countries(acts)
        gov = _governance(gaps, r["concept_id"], r["domain"], countries)
        rows.append({
            "scope": r["list"], "options": ";".join(acts["option_id"]),
            "model_countries": ";".join(countries), "governance_context": context_text(gov),
            "papers": ";".join(r["papers"]), "peers": ";".join(r["peers"]),
            "oecd_principles": ";".join(r["oecd_principles"]),
            "sources": ";".join(_row_sources(gaps, r["concept_id"], acts, gov)),
        })
    extra = pd.DataFrame(rows, index=out.index)
    out = out.drop(columns=["peers", "oecd_principles", "papers", "scope"]).join(extra)
    out = out[CSV_COLUMNS].reset_index(drop=True)
    out.attrs.update(top=top, draws=draws, spread=gaps.settings.perturbation)  # what the stability means
    return out


def recommend(
    ds: Dataset,
    peers: Iterable[str] = DEFAULT_PEERS,
    baseline: str = DEFAULT_BASELINE,
    weights: str | os.PathLike | Mapping[str, float] | None = None,
    top: int = 10,
    draws: int = 500,
    seed: int = 0,
    scope: str | None = None,
) -> pd.DataFrame:
    """Ranked recommendations in one call: :func:`analyse` then :func:`recommendations`.

    >>> from workbench.model.dataset import load
    >>> recs = recommend(load(), ["GBR", "CAN", "NZL"], top=3, draws=20)
    >>> list(recs["rank"]), list(recs["scope"])
    ([1, 2, 3, 1, 2, 3], ['individual', 'individual', 'individual', 'system', 'system', 'system'])
    """
    return recommendations(analyse(ds, peers, baseline, weights, scope=scope), top=top, draws=draws, seed=seed)


def evidence(gaps: GapAnalysis, concept_id: str, rank_no: int = 0, list_name: str = "",
             stability_value: float = float("nan"), stability_draws: tuple = ()) -> Evidence:
    """The structured evidence for one concept of a gap analysis."""
    table = gaps.table.set_index("concept_id")
    if concept_id not in table.index:
        raise InputError.parameter("concept_id", unknown_id("concept", concept_id, table.index))
    row = table.loc[concept_id]
    links = gaps.links[gaps.links["concept_id"] == concept_id]

    def role(name: str, columns: list[str]) -> pd.DataFrame:
        return links.loc[links["role"] == name, columns].reset_index(drop=True)

    base_cols = ["country", "framework_id", "subject_id", "label", "group", "predicate", "source", "locator"]
    acts = options_of(gaps.options, concept_id)
    gov = _governance(gaps, concept_id, str(row["domain"]), _model_countries(acts))
    kaz = gaps.kaz_evidence[gaps.kaz_evidence["concept_id"] == concept_id].reset_index(drop=True)
    risks = gaps.concept_risks[gaps.concept_risks["concept_id"] == concept_id].drop_duplicates("practice_id").reset_index(drop=True)
    factors = [] if gaps.transferability is None else [
        f for f in gaps.transferability.factors
        if f.applies_to == "all" or concept_id in f.applies_to or row["domain"] in f.applies_to]
    cited = set(_row_sources(gaps, concept_id, acts, gov)) | set(gaps.risks["source"]) | set(risks["source"])
    citations = pd.DataFrame([{"source": s, "citation": cite(gaps.sources, s)} for s in sorted(cited)],
                             columns=["source", "citation"])
    weights = gaps.settings.weights.model_dump()
    components = {c: float(row[c]) for c in COMPONENTS}
    status = str(row["kaz_status"])
    return Evidence(
        concept_id=concept_id, label=str(row["label"]), scope=str(row["scope"]), components=components,
        weights=weights, score=float(score(pd.DataFrame([components]), weights).iloc[0]), kaz_status=status,
        verb=verb(status, bool((kaz["level"] == "gap").any())), kaz_evidence=kaz,
        baseline_frameworks=gaps.frameworks.copy(), options=acts,
        peer_items=role("peer_item", base_cols),
        peer_practices=role("peer_practice", ["country", "subject_id", "label", "predicate", "source", "locator"]),
        oecd_principles=role("oecd", ["subject_id", "label", "group", "source", "locator"]),
        survey=role("survey", ["subject_id", "label", "value", "source", "locator"]),
        paper=role("paper", ["country", "framework_id", "subject_id", "label", "group", "source", "locator"]),
        steps=role("step", ["subject_id", "label", "predicate", "source", "locator"]),
        risks=risks, governance=gov, factors=factors, citations=citations,
        rank=rank_no, list_name=list_name, stability=stability_value, framework_titles=gaps.framework_titles or {},
        peers=gaps.peers, peers_carrying=tuple(row["peers"]), peers_unknown=tuple(row.get("peers_unknown", ()) or ()),
        stability_draws=stability_draws,
    )


def evidence_for(gaps: GapAnalysis, recs: pd.DataFrame) -> list[Evidence]:
    """The evidence of every row of :func:`recommendations` output, with its rank, list and stability."""
    # (top, draws, spread) of the stability, when the recommendations say it (recommendations() does)
    draws = tuple(recs.attrs[k] for k in ("top", "draws", "spread")) if {"top", "draws", "spread"} <= set(recs.attrs) else ()
    return [evidence(gaps, r["concept_id"], int(r["rank"]), r["scope"], float(r["stability"]), draws) for _, r in recs.iterrows()]
