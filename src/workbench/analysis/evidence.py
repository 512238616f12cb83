"""The evidence behind one recommendation, as data: one model that every output lays out.

:class:`Evidence` holds the cited rows; :meth:`Evidence.blocks` turns them into titled lists of
``(text, citation)`` pairs, which :mod:`workbench.present.evidence` lays out as markdown and HTML,
so the two outputs always say the same thing. Titles come from the report strings
(``templates/report/strings.yaml``, key ``evidence``), in en, ru or kk (ru and kk are drafts).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from workbench.model.i18n import country_name, country_prefixed, group, has, number, percent, quoted, t, value_word
from workbench.model.settings import COMPONENTS

__all__ = ["Evidence", "Block", "cite", "fmt"]






def _component(name: str, lang: str) -> str:
    return t(f"columns.{name}", lang) if has(f"columns.{name}") else name


def cite(sources: pd.DataFrame, source: str) -> str:
    """The full reference of a source id (citation plus seed file or URL); a URL source is itself.

    >>> from workbench.model.dataset import load
    >>> cite(load().sources, "seed002").startswith("Davletbayeva")
    True
    """
    if source.startswith(("http://", "https://")):
        return source
    row = sources.set_index("id").loc[source]
    where = f"seed file {row['file']}" if row.get("kind") == "seed" and isinstance(row.get("file"), str) else row.get("url")
    return f"{row['citation']} ({where})" if isinstance(where, str) and where else str(row["citation"])




def fmt(x: float, lang: str = "en") -> str:
    """Three decimals at most, no trailing zeros, as ``lang`` writes numbers; empty for NaN.

    >>> fmt(0.6667), fmt(0.5, "ru"), fmt(float("nan"))
    ('0.667', '0,5', '')
    """
    return number(x, lang) if x == x else ""




@dataclass(frozen=True)
class Block:
    """A titled list of ``(text, citations)`` rows; ``citations`` are ``(source, locator)`` pairs (none for an uncited line)."""

    key: str
    rows: list[tuple[str, tuple[tuple[str, str], ...]]]




@dataclass(frozen=True)
class Evidence:
    """Everything behind one recommendation; every frame has ``source`` and ``locator`` columns."""

    concept_id: str
    label: str
    scope: str
    components: dict[str, float]
    weights: dict[str, float]
    score: float
    kaz_status: str  # absent | undecided | partial | present
    verb: str  # adopt | develop | strengthen | enforce
    kaz_evidence: pd.DataFrame  # kind, level, framework_id, subject_id, label, predicate, source, locator
    baseline_frameworks: pd.DataFrame
    options: pd.DataFrame  # the register's options serving the concept (workbench.analysis.options.options_of)
    peer_items: pd.DataFrame
    peer_practices: pd.DataFrame
    oecd_principles: pd.DataFrame
    survey: pd.DataFrame
    paper: pd.DataFrame
    steps: pd.DataFrame
    risks: pd.DataFrame  # risks mapped to this concept
    governance: pd.DataFrame  # transferability context: factor, indicator, country, value, source, locator
    factors: list = field(default_factory=list)  # transferability factors applying to the concept
    citations: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["source", "citation"]))
    rank: int = 0
    list_name: str = ""
    stability: float = float("nan")
    #: Framework id -> title: a reader is told "Key Leadership Competencies", the id stays in code.
    framework_titles: dict = field(default_factory=dict)
    #: The chosen peers, those carrying the concept, and those whose partial sources cannot tell.
    peers: tuple = ()
    peers_carrying: tuple = ()
    peers_unknown: tuple = ()
    #: ``(top, draws, spread)`` of the stability: the top list, the weight draws, each weight's spread.
    stability_draws: tuple = ()

    @property
    def kaz_baseline(self) -> pd.DataFrame:
        """The baseline rows of the Kazakh evidence (earlier name of this field)."""
        return self.kaz_evidence[self.kaz_evidence["kind"] == "baseline"]

    def statements(self) -> pd.DataFrame:
        """Every cited statement of this evidence in one frame (kind, label, source, locator)."""
        parts = [
            frame.assign(kind=kind)[["kind", "label", "source", "locator"]]
            for kind, frame in (
                ("peer_item", self.peer_items), ("peer_practice", self.peer_practices),
                ("oecd", self.oecd_principles), ("kazakhstan", self.kaz_evidence),
                ("baseline_framework", self.baseline_frameworks.rename(columns={"title": "label"})),
                ("survey", self.survey), ("paper", self.paper), ("step", self.steps), ("risk", self.risks),
            )
        ]
        return pd.concat(parts, ignore_index=True)

    def blocks(self, lang: str = "en") -> list[Block]:
        """The evidence as titled, cited lists, in the order a reader checks them."""
        s = group("evidence", lang)

        def c(r) -> tuple[tuple[str, str], ...]:
            # the source and where in it: our item codes stay in the data and the downloads, never in reader text
            return ((str(r["source"]), str(r.get("locator") or "")),) if r.get("source") else ()

        def rows(frame: pd.DataFrame, text) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
            return [(text(r), c(r)) for _, r in frame.iterrows()]

        def title(framework_id: str) -> str:
            return str(self.framework_titles.get(framework_id, framework_id))

        # The options themselves are laid out in full where the report shows them; here their titles.
        out = [Block("options", [(str(o[f"title_{lang}"]), tuple((m["source"], m["locator"]) for m in o["models"]))
                                 for _, o in self.options.iterrows()])]
        option_titles = dict(zip(self.options["option_id"], self.options[f"title_{lang}"])) if len(self.options) else {}
        # a recorded gap's level is "gap": its kind says it already ("recorded gap (gap)" read a review)
        status_rows = rows(self.kaz_evidence, lambda r: f"{s['kind_' + r['kind']]}"
                                                           f"{'' if r['level'] == r['kind'] else ' (' + value_word(r['level'], lang) + ')'}: "
                                                           f"{title(r['framework_id']) + ': ' if r['framework_id'] else ''}"
                                                           + quoted(str(option_titles.get(r['subject_id'], r['label']) if r['kind'] == 'option' else r['label']), lang)
                                                           + (f" ({value_word(r['predicate'], lang)})" if r["predicate"] else ""))
        if self.kaz_status in ("absent", "undecided"):
            status_rows += rows(self.baseline_frameworks, lambda r: f"{s['absent_from']} {r['title']}")
        out.append(Block("kaz_status", status_rows))
        out.append(Block("peer_practices", rows(self.peer_practices, lambda r: country_prefixed(r['country'], str(r['label']), lang))))
        out.append(Block("peer_items", rows(self.peer_items, lambda r: f"{country_prefixed(r['country'], title(r['framework_id']), lang, ', ')}: {quoted(str(r['label']), lang)}")))
        out.append(Block("oecd", rows(self.oecd_principles.assign(framework_id="oecd"), lambda r: f"{r['label']}")))
        out.append(Block("survey", rows(self.survey, lambda r: f"{r['label']}: {percent(r['value'] / 100, lang)}")))
        out.append(Block("steps", rows(self.steps, lambda r: f"{r['label']}")))
        out.append(Block("risks", rows(self.risks, lambda r: country_prefixed(r['country'], str(r['label']), lang))))
        gov = []
        for (factor, ind, measure, year), g in self.governance.groupby(["factor", "indicator", "measure", "year"], sort=False):
            vals = ", ".join(f"{country_name(k, lang)} {number(v, lang, 1 if v % 1 else 0)}" for k, v in zip(g["country"], g["value"]))
            yr = int(year) if year == year else ""
            gov.append((f"{ind} ({value_word(measure, lang)}, {yr}): {vals}", ((str(g["source"].iloc[0]), str(g["locator"].iloc[0])),)))
        for f in self.factors:
            if not f.indicators:
                gov.append((f"{f.label}: {s['no_indicator']}", ((f.source, f.locator),)))
        # The argument for looking at governance at all, once per citation that makes it.
        cited: dict[tuple[str, str], list[str]] = {}
        for f in self.factors:
            cited.setdefault((f.source, f.locator), []).append(f.argument)
        gov[:0] = [(" ".join(dict.fromkeys(args)), ((src, loc),)) for (src, loc), args in cited.items()]
        out.append(Block("governance", gov))
        out.append(Block("paper", rows(self.paper, lambda r: (f"{title(r['framework_id'])}: {quoted(str(r['label']), lang)}" if r["framework_id"]
                                                           else country_prefixed(r['country'], str(r['label']), lang)))))
        return [b for b in out if b.rows]

    def carried_line(self, lang: str = "en") -> str:
        """In words, what the recommendation rests on: the peers carrying it (or none), the OECD
        principles it serves, Kazakhstan's status and the measured need."""
        names = lambda codes: ", ".join(country_name(c, lang) for c in codes)  # noqa: E731
        known = len(self.peers) - len(self.peers_unknown)
        if self.peers_carrying:
            parts = [t("evidence.carried_peers", lang, names=names(self.peers_carrying), n=len(self.peers_carrying), known=known)]
        else:  # said only where a peer's data could show it: with every peer unknown, nobody can say no peer does
            parts = [t("evidence.carried_no_peer", lang)] if known else []
        if self.peers_unknown:
            parts.append(t("evidence.carried_unknown_peers", lang, names=names(self.peers_unknown)))
        if len(self.oecd_principles):
            parts.append(t("evidence.carried_oecd", lang, n=len(self.oecd_principles)))
        parts.append(t(f"evidence.carried_kaz_{self.kaz_status}", lang))
        if self.components.get("measured_need", 0) > 0:
            parts.append(t("evidence.carried_need", lang, share=percent(self.components["measured_need"], lang)))
        return t("evidence.carried_by", lang, parts="; ".join(parts))

    def stability_meaning(self, lang: str = "en") -> str:
        """What the stability says, in words (empty when it was not computed)."""
        if self.stability != self.stability or not self.stability_draws:
            return ""
        top, draws, spread = self.stability_draws
        return t("evidence.stability_meaning", lang, share=percent(self.stability, lang, 0), draws=number(draws, lang, 0),
                 low=percent(1 - spread, lang, 0), high=percent(1 + spread, lang, 0), top=number(top, lang, 0))

    def score_line(self, lang: str = "en") -> str:
        """The score as its sum, in words. A component nobody could know (a peer share when every
        peer's source is partial) is named unknown and left out of the sum and of the divisor, as the
        score leaves it out (:func:`workbench.analysis.scoring.score`)."""
        w, c = self.weights, self.components
        known = [k for k in COMPONENTS if c[k] == c[k]]
        terms = " + ".join(f"{fmt(w[k], lang)}×{fmt(c[k], lang)}" for k in known)
        stab = (f"; {t('evidence.stability_line', lang, share=percent(self.stability, lang, 0))}"
                if self.stability == self.stability else "")
        values = [f"{_component(k, lang)} {fmt(c[k], lang)}" if k in known else t("evidence.component_unknown", lang, name=_component(k, lang))
                  for k in COMPONENTS]
        return (t("evidence.score_formula", lang, score=number(self.score, lang, 3), terms=terms, total=fmt(sum(w[k] for k in known), lang))
                + "; " + ", ".join(values) + self._range(lang) + stab)

    def _range(self, lang: str) -> str:
        """Where the score would lie had the unknown components been known (each 0 at worst, 1 at
        best): what the reader should allow for when comparing it with a fully known one."""
        w, c = self.weights, self.components
        unknown = [k for k in COMPONENTS if c[k] != c[k] and w[k] > 0]
        if not unknown:
            return ""
        known_sum = sum(w[k] * c[k] for k in COMPONENTS if c[k] == c[k])
        total = sum(w.values())
        low, high = known_sum / total, (known_sum + sum(w[k] for k in unknown)) / total
        return "; " + t("evidence.score_range", lang, low=number(low, lang, 3), high=number(high, lang, 3))






