"""Agreement with the source papers, reported as a finding: recovered, missed or new, with the reason.

Every recommendation the papers make for Kazakhstan is data: practices with
``recommended_for_kaz: true`` from the ``paper_sources`` of ``data/weights.yaml`` and the items of
its ``paper_frameworks`` (seed 002's adapted model). Each is set beside the rank its concepts get
in the ranking (with the papers' weight as configured: 0 by default, so the comparison is not
circular). A recommendation is *recovered* when one of the concepts it carries (by a carrying
predicate) is in the top ``top`` of its list, *missed* otherwise; where the crosswalk only relates it
to concepts (``skos:relatedMatch``) it is compared on those, the comment says so, and one in the top
list is *touched*, not recovered; *unmapped* when the crosswalk maps it to no concept at all. Every concept of our top lists that no recommendation's
row names is listed too: *touched* when a paper's recommendation carries it beside a better ranked
concept or relates to it, *new* when none carries or touches it.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Callable, Iterable

import pandas as pd

from workbench.model.i18n import country_name, number, percent, quoted, t, tn
from workbench.model.taxonomy import concept_labels

from workbench.analysis.crosswalk import CARRYING_PREDICATES, item_concepts, practice_concepts
from workbench.analysis.recommend import ranked

__all__ = ["FINDING_COLUMNS", "paper_rows", "paper_recommendations", "paper_findings", "paper_findings_as_of", "paper_dates",
           "recovered_share", "summary"]

FINDING_COLUMNS = ["paper", "recommendation", "subject_id", "model_country", "concepts", "concept_id", "list",
                   "rank", "kaz_status", "verdict", "comment", "source", "locator"]


def paper_recommendations(gaps, sources: Iterable[str] | None = None) -> pd.DataFrame:
    """Every recommendation of the papers: subject, label, model country, carried concepts (or, when it
    carries none, those it is related to), the concepts it is related to, citation."""
    s = gaps.settings
    papers = list(sources) if sources is not None else list(s.paper_sources or [])
    pr = gaps.practices
    recs = pr[pr["source"].isin(papers) & pr["recommended_for_kaz"].astype(bool)]
    recs = recs.rename(columns={"id": "subject_id"})[["subject_id", "country", "label", "source", "locator"]]
    items = gaps.items[gaps.items["framework_id"].isin(s.paper_frameworks or [])]
    items = items[items["source"].isin(papers)] if sources is not None else items
    items = items.rename(columns={"item_code": "subject_id"})[["subject_id", "country", "label", "source", "locator"]]
    out = pd.concat([recs, items], ignore_index=True)
    def concepts_by(predicates) -> pd.Series:
        cw = gaps_crosswalk(gaps, predicates)
        by = cw.groupby("subject")["concept_id"].agg(lambda v: tuple(dict.fromkeys(v)))
        return out["subject_id"].map(by).apply(lambda v: v if isinstance(v, tuple) else ())

    carried, related = concepts_by(CARRYING_PREDICATES), concepts_by(("skos:relatedMatch",))
    # a recommendation the crosswalk only relates to concepts is compared on those, and says so
    out["related_only"] = [not c and bool(r) for c, r in zip(carried, related)]
    out["concepts"] = [c or r for c, r in zip(carried, related)]
    out["related_concepts"] = list(related)  # what it touches without carrying: never a *new* concept
    return _one_per_recommendation(out.rename(columns={"country": "model_country"}))


def _one_per_recommendation(recs: pd.DataFrame) -> pd.DataFrame:
    """One row per recommendation of a paper: a source cell that names two model countries (seed 001's
    figure, column "USA, Canada") is recorded as one practice per country, but it is one
    recommendation, counted once; ``model_countries`` lists them all, ``model_country`` the first."""
    key = recs[["source", "label", "locator"]].astype(str).agg("\x1f".join, axis=1)
    countries = recs.groupby(key, sort=False)["model_country"].agg(lambda v: tuple(dict.fromkeys(v)))
    first = recs[~key.duplicated()].copy()
    first["model_countries"] = key[first.index].map(countries).to_numpy()
    return first.reset_index(drop=True)


def gaps_crosswalk(gaps, predicates: Iterable[str] = CARRYING_PREDICATES) -> pd.DataFrame:
    """Mappings of practices and items by ``predicates`` (subject, concept_id)."""
    pc = practice_concepts(gaps.practices, _cw(gaps), predicates)[["practice_id", "concept_id"]]
    ic = item_concepts(gaps.items, _cw(gaps), predicates)[["item_code", "concept_id"]]
    return pd.concat([pc.rename(columns={"practice_id": "subject"}), ic.rename(columns={"item_code": "subject"})],
                     ignore_index=True)


def _cw(gaps) -> pd.DataFrame:
    return gaps.crosswalk


def _why_missed(r: pd.Series, top: int, lang: str = "en") -> str:
    reasons = [t("findings.rank_in_list", lang, rank=int(r["rank"]), list=t(f"findings.list_{r['list']}", lang), top=top)]
    if r["kaz_status"] == "present":
        reasons.append(t("findings.kaz_has_it", lang))
    elif r["kaz_status"] == "partial":
        reasons.append(t("findings.kaz_has_part", lang))
    elif r["kaz_status"] == "undecided":
        reasons.append(t("evidence.carried_kaz_undecided", lang))
    unknown = tuple(r.get("peers_unknown") or ())
    if r["peer_share"] == 0 and unknown:  # silent peers whose partial sources cannot tell are not "none"
        reasons.append(t("findings.no_known_peer", lang, names=", ".join(country_name(c, lang) for c in unknown)))
    elif r["peer_share"] == 0:
        reasons.append(t("findings.no_peer", lang))
    elif r["peer_share"] != r["peer_share"]:  # no chosen peer's data could show it
        reasons.append(t("evidence.component_unknown", lang, name=t("columns.peer_share", lang)))
    if r["oecd_alignment"] == 0:
        reasons.append(t("findings.no_oecd", lang))
    if r["measured_need"] == 0:
        reasons.append(t("findings.no_need", lang))
    return "; ".join(reasons)


def _why_new(r: pd.Series, lang: str = "en") -> str:
    def part(name: str) -> str:
        value = r[name]
        return (f"{t(f'columns.{name}', lang)} {number(value, lang, 2)}" if value == value
                else t("evidence.component_unknown", lang, name=t(f"columns.{name}", lang)))
    parts = [part("peer_share"), part("oecd_alignment"), f"{t('evidence.kazakhstan', lang)}: {t('values.' + r['kaz_status'], lang)}",
             part("measured_need")]
    return t("findings.new_ranks_on", lang, parts=", ".join(parts))


def _touched_by(recs: pd.DataFrame, concept_id: str, column: str, lang: str) -> str:
    """The recommendations whose ``column`` (``concepts`` or ``related_concepts``) holds ``concept_id``, quoted."""
    hits = recs[[concept_id in cs for cs in recs[column]]]
    return "; ".join(quoted(str(label), lang) for label in dict.fromkeys(hits["label"]))


def _concept_rows(lists: pd.DataFrame, recs: pd.DataFrame, listed: set, top: int, lang: str) -> list[dict]:
    """A row for every concept of the top lists that no recommendation's row names: *new* when no paper's
    recommendation carries or touches it, *touched* when one does (a paper that recommends training in
    leadership touches leadership even if it carries only training; one that carries two concepts is
    listed under the better ranked), so that every concept of the top lists is accounted for."""
    carried = {c for cs in recs["concepts"] for c in cs}
    related = {c for cs in recs["related_concepts"] for c in cs}
    rows = []
    for _, b in lists[lists["rank"] <= top].reset_index().sort_values(["list", "rank"]).iterrows():
        concept = b["concept_id"]
        if concept in listed:
            continue
        if concept in carried:
            verdict, comment = "touched", t("findings.carried_with_another", lang, recommendations=_touched_by(recs, concept, "concepts", lang))
        elif concept in related:
            verdict, comment = "touched", t("findings.related_to", lang, recommendations=_touched_by(recs, concept, "related_concepts", lang))
        else:
            verdict, comment = "new", _why_new(b, lang)
        rows.append({"paper": "", "recommendation": "", "subject_id": "", "model_country": "", "concepts": concept,
                     "concept_id": concept, "list": b["list"], "rank": int(b["rank"]), "kaz_status": b["kaz_status"],
                     "verdict": verdict, "comment": comment, "source": "", "locator": ""})
    return rows


def paper_findings(gaps, top: int = 10, sources: Iterable[str] | None = None, lang: str = "en") -> pd.DataFrame:
    """One row per paper recommendation (:data:`FINDING_COLUMNS`), then one per concept of the top
    lists that none of those rows names (*touched* or *new*).

    ``comment`` gives the reason in ``lang`` (en, ru or kk; ru and kk are drafts).
    """
    lists = ranked(gaps).set_index("concept_id")
    labels = concept_labels(gaps.concepts, lang) if gaps.concepts is not None else {}
    recs = paper_recommendations(gaps, sources)
    rows = []
    for _, r in recs.iterrows():
        cands = [c for c in r["concepts"] if c in lists.index]
        base = {"paper": r["source"], "recommendation": r["label"], "subject_id": r["subject_id"],
                "model_country": r["model_country"], "concepts": ";".join(r["concepts"]),
                "source": r["source"], "locator": r["locator"]}
        if not cands:
            why = (t("findings.unmapped", lang) if not r["concepts"]
                   else t("findings.not_ranked", lang, concepts=", ".join(labels.get(c, c) for c in r["concepts"])))
            rows.append({**base, "concept_id": "", "list": "", "rank": None, "kaz_status": "", "verdict": "unmapped", "comment": why})
            continue
        best = min(cands, key=lambda c: (lists.loc[c, "rank"], c))
        b = lists.loc[best]
        recovered = b["rank"] <= top
        comment = (t("findings.recovered_at", lang, concept=labels.get(best, best), rank=int(b["rank"]), list=t(f"findings.list_{b['list']}", lang))
                   if recovered else _why_missed(b, top, lang))
        if r["related_only"]:
            comment = t("findings.related_only", lang) + "; " + comment
        if not set(r["model_countries"]) & {*gaps.peers, "KAZ", ""}:
            comment += "; " + t("findings.model_not_peer", lang, country=", ".join(country_name(c, lang) for c in r["model_countries"]))
        # a recommendation only related to a concept of the top lists touches it: it is not recovered (the
        # score's "recommended by papers" counts carried concepts only, and so does this count)
        verdict = ("touched" if r["related_only"] else "recovered") if recovered else "missed"
        rows.append({**base, "concept_id": best, "list": b["list"], "rank": int(b["rank"]), "kaz_status": b["kaz_status"],
                     "verdict": verdict, "comment": comment})
    rows += _concept_rows(lists, recs, {r["concept_id"] for r in rows}, top, lang)
    out = pd.DataFrame(rows, columns=FINDING_COLUMNS)
    out["rank"] = out["rank"].astype("Int64")
    out.attrs["list_sizes"] = lists.groupby("list").size().to_dict()
    out.attrs["top"] = top
    return out


def paper_rows(findings: pd.DataFrame) -> pd.Series:
    """Which rows of a findings table are the papers' recommendations (the others are concepts of our top lists)."""
    return findings["paper"].astype(str) != ""


def recovered_share(findings: pd.DataFrame) -> tuple[int, int]:
    """(recovered, all paper recommendations) of a findings table."""
    mine = findings[paper_rows(findings)]
    return int((mine["verdict"] == "recovered").sum()), int(len(mine))




def summary(findings: pd.DataFrame, lang: str = "en") -> str:
    """One sentence: how many of the papers' recommendations are recovered, and how many concepts are new."""
    got, total = recovered_share(findings)
    new = int((findings["verdict"] == "new").sum())
    touched, mine = findings["verdict"] == "touched", paper_rows(findings)
    share = f" ({percent(got / total, lang, 0)})" if total else ""
    parts = [t("findings.summary", lang, got=got, total=total, share=share, new=new)]
    for key, n in (("findings.summary_only_related", int((touched & mine).sum())), ("findings.summary_touched", int((touched & ~mine).sum()))):
        parts += [tn(key, n, lang)] if n else []
    return " ".join(parts)


def paper_dates(gaps, sources: Iterable[str] | None = None) -> dict[str, date | None]:
    """The date each paper is compared as of: 1 January of its year (the frameworks in force while it
    was written); ``None`` for a paper whose year the data does not give."""
    papers = list(sources) if sources is not None else list(gaps.settings.paper_sources or [])
    years = dict(zip(gaps.sources["id"], gaps.sources["year"])) if "year" in gaps.sources else {}
    out: dict[str, date | None] = {}
    for paper in papers:
        year = years.get(paper)
        out[paper] = date(int(year), 1, 1) if year is not None and year == year else None
    return out


def paper_findings_as_of(gaps, gaps_at: Callable[[date], Any], top: int = 10, lang: str = "en") -> pd.DataFrame:
    """The side-by-side with the papers, each paper compared with the ranking as of its own date
    (:func:`paper_dates`; ``gaps_at(day)`` gives the gap analysis on that day with the same settings),
    so that like is compared with like; a paper without a date, and the *new* concepts, are compared
    with ``gaps`` (today's). Adds the column ``as_of``."""
    today = str(gaps.as_of) if getattr(gaps, "as_of", None) is not None else ""
    parts = []
    undated = []
    for paper, day in paper_dates(gaps).items():
        if day is None:
            undated.append(paper)
            continue
        found = paper_findings(gaps_at(day), top=top, sources=[paper], lang=lang)
        parts.append(found[paper_rows(found)].assign(as_of=str(day)))
    # every paper's recommendations, today: a concept is *new* only when none of the papers recommends it
    current = paper_findings(gaps, top=top, lang=lang)
    parts.append(current[current["paper"].isin(undated)].assign(as_of=today))
    parts.append(current[~paper_rows(current)].assign(as_of=today))
    out = pd.concat(parts, ignore_index=True)[[*FINDING_COLUMNS, "as_of"]]
    out["rank"] = out["rank"].astype("Int64")
    out.attrs.update(current.attrs)
    return out
