"""Ranked adaptation recommendations for Kazakhstan: gap analysis, a transparent score, cited evidence."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Iterable, Literal, Mapping, Optional

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .crosswalk import CARRYING_PREDICATES, indicator_concepts, item_concepts, practice_concepts
from .dataset import Dataset
from .errors import PARAMETER, InputError
from .schema import (DEFAULT_BASELINE, DEFAULT_PEERS, LIST_SEP, ORGANISATIONS, PRACTICE_KINDS, PREDICATES, SLUG, FiniteFloat,
                     Weights)
from .sourcefile import YamlDocument, pydantic_problems, read_yaml
from .validate import settings_problems, settings_reference_problems

__all__ = [
    "COMPONENTS",
    "DEFAULT_PEERS",
    "CSV_COLUMNS",
    "Settings",
    "GapAnalysis",
    "Evidence",
    "read_settings",
    "load_settings",
    "check_peers",
    "baseline_frameworks",
    "analyse",
    "score",
    "rank",
    "stability",
    "recommendations",
    "recommend",
    "evidence",
    "cite",
    "render_markdown",
    "paper_comparison",
    "render_comparison",
]

#: The score's components, in the order of the ``Weights`` model (and of the CSV columns).
COMPONENTS: tuple[str, ...] = tuple(Weights.model_fields)
CSV_COLUMNS = ["rank", "concept_id", "label", "score", *COMPONENTS, "peers", "oecd_principles", "stability", "sources"]

#: Roles of the evidence rows (``GapAnalysis.links``), in the order evidence is shown.
ROLES = ("peer_item", "peer_practice", "oecd", "baseline", "survey", "paper", "step")
_LINK_COLUMNS = ["concept_id", "role", "country", "framework_id", "subject_id", "label", "group",
                 "predicate", "value", "source", "locator"]


class Settings(BaseModel):
    """The contents of ``data/weights.yaml`` (see the comments there).

    Every section but ``weights`` may be left out of a file given with ``--weights``; the data
    folder's file must have them all.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    weights: Weights
    baselines: Optional[dict[Annotated[str, Field(pattern=SLUG)], Annotated[list[str], Field(min_length=1)]]] = None
    related_credit: Optional[FiniteFloat] = Field(default=None, ge=0, le=1)
    oecd_framework: Optional[str] = None
    paper_sources: Optional[list[str]] = None
    paper_frameworks: Optional[list[str]] = None
    curriculum_frameworks: Optional[list[str]] = None
    need_indicators: Optional[list[str]] = None
    implementation_sources: Optional[list[str]] = None
    peer_practice_kinds: Optional[list[Literal[PRACTICE_KINDS]]] = None  # type: ignore[valid-type]
    perturbation: Optional[FiniteFloat] = Field(default=None, ge=0, lt=1)


def read_settings(path: str | os.PathLike) -> tuple[Settings, YamlDocument]:
    """Read and validate one weights file; problems name the file and line."""
    doc = read_yaml(path)
    if not isinstance(doc.data, dict):
        raise InputError.single(doc.path, 1, "expected a mapping with a 'weights' section (see data/weights.yaml)")
    try:
        return Settings.model_validate(doc.data), doc
    except ValidationError as exc:
        raise InputError(pydantic_problems(doc.path, exc, doc.line_of)) from None


def _check_references(ds: Dataset, settings: Settings, doc: YamlDocument, complete: bool = False) -> None:
    problems = settings_problems(settings, doc, complete) or settings_reference_problems(ds, settings, doc)
    if problems:
        raise InputError(problems)


def load_settings(ds: Dataset, weights: str | os.PathLike | Mapping[str, float] | None = None) -> Settings:
    """The data folder's ``weights.yaml``, overridden by a weights file or a dict of weights.

    A dict may give some weights only (the others keep their value); a file must give all five.

    >>> from workbench.dataset import load
    >>> load_settings(load(), {"measured_need": 2}).weights.measured_need
    2.0
    """
    base, doc = read_settings(Path(ds.path) / "weights.yaml")
    _check_references(ds, base, doc, complete=True)
    if weights is None:
        return base
    if isinstance(weights, Mapping):
        try:
            new = Weights.model_validate({**base.weights.model_dump(), **dict(weights)})
        except ValidationError as exc:
            problems = pydantic_problems("weights", exc, lambda loc: PARAMETER)
            raise InputError(problems) from None
        return base.model_copy(update={"weights": new})
    override, odoc = read_settings(weights)
    _check_references(ds, override, odoc)
    given = {name: getattr(override, name) for name in Settings.model_fields if getattr(override, name) is not None}
    return base.model_copy(update=given)


def check_peers(ds: Dataset, peers: Iterable[str]) -> list[str]:
    """Peer codes upper-cased, de-duplicated and checked against the countries in the data.

    Kazakhstan is the baseline, and organisations (OECD, EU) are scored separately, so
    neither can be a peer.

    >>> from workbench.dataset import load
    >>> check_peers(load(), ["gbr", "CAN", "GBR"])
    ['GBR', 'CAN']
    """
    codes = list(dict.fromkeys(p.strip().upper() for p in peers if p.strip()))
    if not codes:
        raise InputError.parameter("peers", "no peer countries given")
    known = (set(ds.items["country"]) | set(ds.practices["country"])) - {"KAZ", *ORGANISATIONS}
    if "KAZ" in codes:
        raise InputError.parameter("peers", "KAZ is the baseline, not a peer")
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InputError.parameter(
            "peers", f"unknown peer {', '.join(map(repr, unknown))} (known: {', '.join(sorted(known))})"
        )
    return codes


def baseline_frameworks(settings: Settings, baseline: str) -> list[str]:
    """Framework ids of a named Kazakh baseline (``baselines`` in ``weights.yaml``)."""
    names = settings.baselines or {}
    if baseline not in names:
        raise InputError.parameter("baseline", f"unknown baseline '{baseline}' (use one of {', '.join(names)})")
    return list(names[baseline])


@dataclass(frozen=True)
class GapAnalysis:
    """What the score is computed from.

    ``table``: one row per concept with the five components and the lists behind them.
    ``links``: one row per piece of evidence (concept, role, subject, source, locator); every
    component is computed from these rows, so every number has its citation.
    ``risks``: implementation risks, which apply to every recommendation.
    """

    peers: tuple[str, ...]
    baseline: str
    baseline_frameworks: tuple[str, ...]
    scope: str
    settings: Settings
    table: pd.DataFrame
    links: pd.DataFrame
    risks: pd.DataFrame
    frameworks: pd.DataFrame
    sources: pd.DataFrame
    data_version: str = ""
    taxonomy_version: str = ""


def _link_rows(frame: pd.DataFrame, role: str, subject: str) -> pd.DataFrame:
    out = frame.rename(columns={subject: "subject_id"}).assign(role=role)
    for col in _LINK_COLUMNS:
        if col not in out.columns:
            out[col] = np.nan if col == "value" else ""
    return out[_LINK_COLUMNS]


def _links(ds: Dataset, peers: list[str], baseline: list[str], s: Settings) -> pd.DataFrame:
    items = item_concepts(ds.items, ds.crosswalk, PREDICATES)
    practices = practice_concepts(ds.practices, ds.crosswalk, PREDICATES)
    indicators = indicator_concepts(ds.indicators, ds.crosswalk, PREDICATES)
    carries = lambda f: f["predicate"].isin(CARRYING_PREDICATES)  # noqa: E731
    indicators = indicators.rename(columns={"indicator": "label"})
    parts = [
        _link_rows(items[items["country"].isin(peers) & carries(items)], "peer_item", "item_code"),
        _link_rows(practices[practices["country"].isin(peers) & practices["kind"].isin(s.peer_practice_kinds)
                             & carries(practices)], "peer_practice", "practice_id"),
        _link_rows(items[(items["framework_id"] == s.oecd_framework) & carries(items)], "oecd", "item_code"),
        # relatedMatch kept: it makes a concept partly present in the baseline
        _link_rows(items[items["framework_id"].isin(baseline)], "baseline", "item_code"),
        _link_rows(indicators[indicators["indicator_id"].isin(s.need_indicators) & carries(indicators)],
                   "survey", "indicator_id"),
        # A paper's recommendation counts when it draws on a chosen peer (or is a step for
        # Kazakhstan itself): Australia's practices say nothing about a UK-Canada-NZ comparison.
        _link_rows(practices[practices["source"].isin(s.paper_sources) & practices["recommended_for_kaz"]
                             & practices["country"].isin([*peers, "KAZ"]) & carries(practices)], "paper", "practice_id"),
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


def _components(concepts: pd.DataFrame, links: pd.DataFrame, peers: list[str], s: Settings,
                frameworks: pd.DataFrame) -> pd.DataFrame:
    ids = concepts["concept_id"]
    role = links["role"]
    carrying_peers = _per_concept(links[role.isin(["peer_item", "peer_practice"])], "country", _unique, ids, ())
    principles = _per_concept(links[role == "oecd"], "subject_id", _unique, ids, ())
    n_principles = principles.apply(len)
    base = links[role == "baseline"]
    carried = set(base.loc[base["predicate"].isin(CARRYING_PREDICATES), "concept_id"])
    touched = set(base["concept_id"])
    status = ["carried" if c in carried else "related" if c in touched else "absent" for c in ids]
    absence = {"carried": 0.0, "related": 1.0 - s.related_credit, "absent": 1.0}
    need = _per_concept(links[role == "survey"], "value", "max", ids, 0.0).astype(float) / 100
    paper = set(links.loc[role == "paper", "concept_id"])
    # the baseline frameworks are cited for every row: "absent from X" is a statement about X
    fw_sources = set(frameworks["source"])
    sources = _per_concept(links, "source", set, ids, set())
    return pd.DataFrame({
        "concept_id": ids.values,
        "label": concepts["label_en"].values,
        "domain": concepts["domain"].values,
        "peer_share": carrying_peers.apply(len).values / len(peers),
        # normalised by the best-aligned concept, so the component spans [0, 1] whatever the count
        "oecd_alignment": (n_principles / max(int(n_principles.max()), 1)).values.astype(float),
        "kaz_absence": [absence[x] for x in status],
        "measured_need": need.values,
        "paper_recommended": [float(c in paper) for c in ids],
        "peers": carrying_peers.values,
        "oecd_principles": principles.values,
        "kaz_status": status,
        "sources": [tuple(sorted(v | fw_sources)) for v in sources],
    })


def analyse(
    ds: Dataset,
    peers: Iterable[str] = DEFAULT_PEERS,
    baseline: str = DEFAULT_BASELINE,
    weights: str | os.PathLike | Mapping[str, float] | None = None,
    settings: Settings | None = None,
    scope: str | None = None,
) -> GapAnalysis:
    """Gap analysis of every concept: who carries it, what Kazakhstan has and needs, who recommends it.

    Parameters
    ----------
    ds : the loaded dataset.
    peers : ISO alpha-3 codes of the comparison countries.
    baseline : a name under ``baselines`` in ``weights.yaml`` (``listening_state``, ``curriculum``, ``both``).
    weights : a weights file, or a dict overriding some weights (see :func:`load_settings`).
    settings : already loaded settings (then ``weights`` is ignored).
    scope : ``"individual"`` (competencies) or ``"system"`` (HR-system features) to rank only
        concepts of that taxonomy scope; ``None`` or ``"all"`` ranks every concept. Components do
        not depend on the scope (the OECD normaliser is the maximum over all concepts).

    Examples
    --------
    >>> from workbench.dataset import load
    >>> gaps = analyse(load(), ["GBR", "CAN", "NZL"])
    >>> float(gaps.table.set_index("concept_id").loc["integrity_ethics", "kaz_absence"])
    0.0
    """
    s = settings if settings is not None else load_settings(ds, weights)
    codes = check_peers(ds, peers)
    fws = baseline_frameworks(s, baseline)
    links = _links(ds, codes, fws, s)
    frameworks = ds.frameworks[ds.frameworks["framework_id"].isin(fws)][["framework_id", "title", "source", "locator"]]
    table = _components(ds.concepts, links, codes, s, frameworks)
    if scope not in (None, "all"):
        scopes = sorted(set(ds.concepts["scope"]))
        if scope not in scopes:
            raise InputError.parameter("scope", f"unknown scope '{scope}' (use all, {', '.join(scopes)})")
        table = table[ds.concepts["scope"].to_numpy() == scope].reset_index(drop=True)
    pr = ds.practices
    risks = pr[pr["source"].isin(s.implementation_sources) & (pr["kind"] == "risk")]
    risks = risks[["id", "country", "label", "source", "locator"]].reset_index(drop=True)
    return GapAnalysis(
        peers=tuple(codes), baseline=baseline, baseline_frameworks=tuple(fws), scope=scope or "all",
        settings=s, table=table,
        links=links, risks=risks, frameworks=frameworks.reset_index(drop=True),
        sources=ds.sources, data_version=ds.data_version, taxonomy_version=ds.taxonomy_version,
    )


def _weight_vector(weights: Weights | Mapping[str, float]) -> np.ndarray:
    w = weights.model_dump() if isinstance(weights, Weights) else dict(weights)
    return np.array([float(w[c]) for c in COMPONENTS])


def score(table: pd.DataFrame, weights: Weights | Mapping[str, float]) -> pd.Series:
    """``sum(w_i * c_i) / sum(w_i)`` per row of a component table.

    >>> t = pd.DataFrame([dict.fromkeys(COMPONENTS, 0.0) | {"peer_share": 1.0}])
    >>> round(float(score(t, dict.fromkeys(COMPONENTS, 1.0) | {"peer_share": 3.0}).iloc[0]), 4)  # 3 / 7
    0.4286
    """
    w = _weight_vector(weights)
    values = table[list(COMPONENTS)].to_numpy(dtype=float) @ w / w.sum()
    return pd.Series(values, index=table.index, name="score")


def _order(scores: np.ndarray, concept_ids: np.ndarray) -> np.ndarray:
    """Indices by descending score, ties broken by concept id (rounded: float noise is no preference)."""
    return np.lexsort((concept_ids, -np.round(scores, 12)))


def rank(table: pd.DataFrame, weights: Weights | Mapping[str, float]) -> pd.DataFrame:
    """The component table with ``score`` and ``rank`` (1 = best), best first."""
    scored = table.assign(score=score(table, weights))
    order = _order(scored["score"].to_numpy(), scored["concept_id"].to_numpy())
    out = scored.iloc[order].reset_index(drop=True)
    return out.assign(rank=np.arange(1, len(out) + 1))


def stability(
    table: pd.DataFrame,
    weights: Weights | Mapping[str, float],
    top: int,
    draws: int = 500,
    spread: float = 0.5,
    seed: int = 0,
) -> pd.Series:
    """Share of random weight draws in which each concept ranks in the top ``top``.

    Each draw multiplies every weight by an independent factor from ``uniform(1 - spread, 1 + spread)``
    (a seeded generator, so results repeat). ``NaN`` when ``draws`` is 0.
    """
    if draws <= 0:
        return pd.Series(np.nan, index=table.index, name="stability")
    rng = np.random.default_rng(seed)
    w = _weight_vector(weights) * rng.uniform(1 - spread, 1 + spread, size=(draws, len(COMPONENTS)))
    values = table[list(COMPONENTS)].to_numpy(dtype=float)
    scores = (w @ values.T) / w.sum(axis=1, keepdims=True)
    ids = table["concept_id"].to_numpy()
    hits = np.zeros(len(table))
    for row in scores:
        hits[_order(row, ids)[:top]] += 1
    return pd.Series(hits / draws, index=table.index, name="stability")


def recommendations(gaps: GapAnalysis, top: int = 10, draws: int = 500, seed: int = 0) -> pd.DataFrame:
    """The top ``top`` concepts as rows of :data:`CSV_COLUMNS` (lists ``;``-joined)."""
    if top < 1:
        raise InputError.parameter("top", f"must be at least 1 (got {top})")
    if draws < 0:
        raise InputError.parameter("draws", f"must be 0 or more (got {draws})")
    weights = gaps.settings.weights
    table = gaps.table.assign(stability=stability(gaps.table, weights, top, draws, gaps.settings.perturbation, seed))
    ranked = rank(table, weights).head(top)
    joined = {col: ranked[col].apply(LIST_SEP.join) for col in ("peers", "oecd_principles", "sources")}
    return ranked.assign(**joined)[CSV_COLUMNS].reset_index(drop=True)


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

    >>> from workbench.dataset import load
    >>> recs = recommend(load(), ["GBR", "CAN", "NZL"], top=3, draws=20)
    >>> list(recs["rank"])
    [1, 2, 3]
    """
    return recommendations(analyse(ds, peers, baseline, weights, scope=scope), top=top, draws=draws, seed=seed)


@dataclass(frozen=True)
class Evidence:
    """Everything behind one recommendation; every frame has ``source`` and ``locator`` columns."""

    concept_id: str
    label: str
    components: dict[str, float]
    weights: dict[str, float]
    score: float
    kaz_status: str  # carried | related | absent
    peer_items: pd.DataFrame
    peer_practices: pd.DataFrame
    oecd_principles: pd.DataFrame
    kaz_baseline: pd.DataFrame
    baseline_frameworks: pd.DataFrame
    survey: pd.DataFrame
    paper: pd.DataFrame
    steps: pd.DataFrame
    risks: pd.DataFrame
    citations: pd.DataFrame  # source, citation, file, url

    def statements(self) -> pd.DataFrame:
        """Every cited statement of this evidence in one frame (kind, label, source, locator)."""
        parts = [
            frame.assign(kind=kind)[["kind", "label", "source", "locator"]]
            for kind, frame in (
                ("peer_item", self.peer_items), ("peer_practice", self.peer_practices),
                ("oecd", self.oecd_principles), ("baseline", self.kaz_baseline),
                ("baseline_framework", self.baseline_frameworks.rename(columns={"title": "label"})),
                ("survey", self.survey), ("paper", self.paper), ("step", self.steps), ("risk", self.risks),
            )
        ]
        return pd.concat(parts, ignore_index=True)


def cite(sources: pd.DataFrame, source: str) -> str:
    """The full reference of a source id (citation plus seed file or URL); a URL source is itself.

    >>> from workbench.dataset import load
    >>> cite(load().sources, "seed002").startswith("Davletbayeva")
    True
    """
    if source.startswith(("http://", "https://")):
        return source
    row = sources.set_index("id").loc[source]
    where = f"seed file {row['file']}" if row.get("kind") == "seed" and isinstance(row.get("file"), str) else row.get("url")
    return f"{row['citation']} ({where})" if isinstance(where, str) and where else str(row["citation"])


def evidence(gaps: GapAnalysis, concept_id: str) -> Evidence:
    """The structured evidence for one concept of a gap analysis."""
    table = gaps.table.set_index("concept_id")
    if concept_id not in table.index:
        raise InputError.parameter("concept_id", f"unknown concept '{concept_id}'")
    row = table.loc[concept_id]
    links = gaps.links[gaps.links["concept_id"] == concept_id]

    def role(name: str, columns: list[str]) -> pd.DataFrame:
        return links.loc[links["role"] == name, columns].reset_index(drop=True)

    base_cols = ["country", "framework_id", "subject_id", "label", "group", "predicate", "source", "locator"]
    survey = role("survey", ["subject_id", "label", "value", "source", "locator"])
    statements_sources = set(links["source"]) | set(gaps.frameworks["source"]) | set(gaps.risks["source"])
    citations = pd.DataFrame(
        [{"source": s, "citation": cite(gaps.sources, s)} for s in sorted(statements_sources)],
        columns=["source", "citation"],
    )
    weights = gaps.settings.weights.model_dump()
    components = {c: float(row[c]) for c in COMPONENTS}
    return Evidence(
        concept_id=concept_id,
        label=str(row["label"]),
        components=components,
        weights=weights,
        score=float(score(pd.DataFrame([components]), weights).iloc[0]),
        kaz_status=str(row["kaz_status"]),
        peer_items=role("peer_item", base_cols),
        peer_practices=role("peer_practice", ["country", "subject_id", "label", "predicate", "source", "locator"]),
        oecd_principles=role("oecd", ["subject_id", "label", "group", "source", "locator"]),
        kaz_baseline=role("baseline", base_cols),
        baseline_frameworks=gaps.frameworks.copy(),
        survey=survey,
        paper=role("paper", ["country", "framework_id", "subject_id", "label", "group", "source", "locator"]),
        steps=role("step", ["subject_id", "label", "predicate", "source", "locator"]),
        risks=gaps.risks.copy(),
        citations=citations,
    )


# -- markdown ----------------------------------------------------------------------------------

def _md(text) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _ref(row) -> str:
    return f"[{row['source']}: {_md(row['locator'])}]" if row["locator"] else f"[{row['source']}]"


def _fmt(x: float) -> str:
    return f"{x:.3f}".rstrip("0").rstrip(".") if x == x else ""


def _evidence_md(rank_no: int, ev: Evidence, stability_value: float) -> list[str]:
    w, c = ev.weights, ev.components
    terms = " + ".join(f"{_fmt(w[k])}×{_fmt(c[k])}" for k in COMPONENTS)
    lines = [f"### {rank_no}. {_md(ev.label)} (`{ev.concept_id}`)", ""]
    lines.append(f"Score {ev.score:.3f} = ({terms}) / {_fmt(sum(w.values()))}, with components "
                 + ", ".join(f"{k} {_fmt(c[k])}" for k in COMPONENTS)
                 + (f"; stable in the top list in {stability_value:.0%} of weight draws." if stability_value == stability_value else "."))
    lines.append("")
    fws = ", ".join(f"{r['framework_id']} {_ref(r)}" for _, r in ev.baseline_frameworks.iterrows())
    verdict = {
        "carried": "already carried by the Kazakh baseline - strengthen",
        "related": "only touched (skos:relatedMatch) by the Kazakh baseline - develop",
        "absent": "absent from the Kazakh baseline - adopt",
    }[ev.kaz_status]
    lines += [f"**Kazakhstan**: {verdict} (baseline: {fws}).", ""]
    carriers = sorted(set(ev.peer_items["country"]) | set(ev.peer_practices["country"]))
    lines += [f"**Carried by peers**: {', '.join(carriers) if carriers else 'none of the chosen peers'}.", ""]

    def section(title: str, frame: pd.DataFrame, render) -> None:
        if len(frame):
            lines.append(f"**{title}**")
            lines.extend(f"- {render(r)} {_ref(r)}" for _, r in frame.iterrows())
            lines.append("")

    section("Peer framework items", ev.peer_items,
            lambda r: f"{r['country']}, {r['framework_id']} {r['subject_id']}: \"{_md(r['label'])}\"")
    section("OECD 2019 principles served", ev.oecd_principles,
            lambda r: f"{r['subject_id']}: {_md(r['label'])}")
    section("Kazakh evidence: baseline items", ev.kaz_baseline,
            lambda r: f"{r['framework_id']}{', area ' + repr(r['group']) if r['group'] else ''}: "
                      f"{r['subject_id']} \"{_md(r['label'])}\" ({r['predicate']})")
    section("Kazakh evidence: measured need", ev.survey,
            lambda r: f"{_md(r['label'])}: {r['value']:g}% of surveyed civil servants")
    section("Peer practices (how it was done)", ev.peer_practices,
            lambda r: f"{r['country']}: {_md(r['label'])}")
    section("Already recommended by the source papers", ev.paper,
            lambda r: (f"{r['framework_id']} {r['subject_id']}: \"{_md(r['label'])}\""
                       + (f" (lesson from {r['group']})" if r["group"] else "")) if r["framework_id"]
            else f"{r['country']}: {_md(r['label'])}")
    section("Implementation steps", ev.steps,
            lambda r: f"{_md(r['label'])} ({r['predicate']})")
    return lines


def render_markdown(gaps: GapAnalysis, recs: pd.DataFrame, draws: int | None = None, seed: int | None = None) -> str:
    """A ranked table plus one cited evidence section per recommendation, and the references."""
    w = gaps.settings.weights.model_dump()
    lines = ["# Recommendations for Kazakhstan's civil service", ""]
    lines.append(f"Peers: {', '.join(gaps.peers)}. Baseline: {gaps.baseline} ({', '.join(gaps.baseline_frameworks)}). "
                 f"Concepts ranked: {gaps.scope}. Data {gaps.data_version}, taxonomy {gaps.taxonomy_version}.")
    lines.append("")
    lines.append("Score = Σ wᵢ·cᵢ / Σ wᵢ with weights " + ", ".join(f"{k} {_fmt(v)}" for k, v in w.items()) + ".")
    if draws:
        p = gaps.settings.perturbation
        lines.append(f"Stability: share of {draws} draws (each weight × uniform({1 - p:g}, {1 + p:g})"
                     + (f", seed {seed}" if seed is not None else "") + f") in which the concept stays in the top {len(recs)}.")
    lines += ["", "| " + " | ".join(CSV_COLUMNS) + " |", "|" + "---|" * len(CSV_COLUMNS)]
    for _, r in recs.iterrows():
        cells = [_fmt(r[c]) if isinstance(r[c], float) else _md(r[c]) for c in CSV_COLUMNS]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Evidence", ""]
    cited: set[str] = set()
    for _, r in recs.iterrows():
        ev = evidence(gaps, r["concept_id"])
        lines += _evidence_md(int(r["rank"]), ev, float(r["stability"]))
        cited |= set(ev.citations["source"])
    if len(gaps.risks):
        lines += ["## Risks (apply to every recommendation)", ""]
        lines += [f"- {_md(r['label'])} {_ref(r)}" for _, r in gaps.risks.iterrows()]
        lines.append("")
    lines += ["## References", ""]
    lines += [f"- **{s}**: {_md(cite(gaps.sources, s))}" for s in sorted(cited)]
    return "\n".join(lines) + "\n"


# -- comparison with the papers -------------------------------------------------------------------

def paper_comparison(gaps: GapAnalysis, top: int = 10, sources: Iterable[str] | None = None) -> pd.DataFrame:
    """Our top ``top`` side by side with what each source paper recommends for Kazakhstan.

    One row per concept that is in our top list or recommended by a paper, by our rank;
    one column per paper source listing the paper's items/practices behind the concept.
    """
    ranked = rank(gaps.table, gaps.settings.weights)
    paper = gaps.links[gaps.links["role"] == "paper"]
    papers = list(sources) if sources is not None else sorted(set(paper["source"]))
    paper = paper[paper["source"].isin(papers)]
    keep = set(ranked["concept_id"].head(top)) | set(paper["concept_id"])
    out = ranked[ranked["concept_id"].isin(keep)][["rank", "concept_id", "label", "score"]].copy()
    out["in_top"] = out["rank"] <= top
    for src in papers:
        labels = paper[paper["source"] == src].groupby("concept_id")["label"].agg(lambda v: LIST_SEP.join(dict.fromkeys(v)))
        out[src] = out["concept_id"].map(labels).fillna("")
    return out.reset_index(drop=True)


def render_comparison(comparison: pd.DataFrame, top: int) -> str:
    """The comparison as a markdown table, with each paper's recall in our top list."""
    papers = [c for c in comparison.columns if c not in ("rank", "concept_id", "label", "score", "in_top")]
    lines = ["| our rank | concept | score | " + " | ".join(papers) + " |", "|---|---|---|" + "---|" * len(papers)]
    for _, r in comparison.iterrows():
        mark = f"**{r['rank']}**" if r["in_top"] else str(r["rank"])
        lines.append(f"| {mark} | {_md(r['label'])} (`{r['concept_id']}`) | {r['score']:.3f} | "
                     + " | ".join(_md(r[p]) for p in papers) + " |")
    lines.append("")
    for p in papers:
        rec = comparison[comparison[p] != ""]
        lines.append(f"{p}: {int(rec['in_top'].sum())} of {len(rec)} recommended concepts are in our top {top}.")
    return "\n".join(lines) + "\n"
