"""Actions: what Kazakhstan would do for a concept, after whose practice, for whom, with which step and risk.

Actions are built from the chosen peers' practices (``data/practices/``) and the papers'
implementation steps for Kazakhstan, grouped under the concept they serve. A concept that no
peer practice or step stands behind gets one action built from the peers' framework items, and
says so; a concept with neither says that plainly.
"""
from __future__ import annotations

import re

import pandas as pd

from workbench.model.i18n import country_name, t
from workbench.analysis.kaz_status import verb
from workbench.model.taxonomy import concept_labels

__all__ = ["ACTION_COLUMNS", "audience", "build_actions"]

ACTION_COLUMNS = ["concept_id", "basis", "verb", "action", "model_countries", "audience", "step", "risk",
                  "subject_ids", "citations"]

_CORPS_A = re.compile(r"corps\s*['\"‘’«]?A\b|senior (civil|executive) serv|political and corps", re.I)
_CORPS_B = re.compile(r"corps\s*['\"‘’«]?B\b", re.I)
_ALL = re.compile(r"\ball (categories of )?civil servants\b|for all categories", re.I)


def audience(text: str) -> str:
    """Corps A, Corps B or all civil servants, where the record's own words say so ('' otherwise).

    >>> audience("Training corps 'A' officials"), audience("mandatory for all categories of civil servants"), audience("360-degree feedback")
    ('Corps A', 'all', '')
    """
    found = [name for name, rx in (("Corps A", _CORPS_A), ("Corps B", _CORPS_B)) if rx.search(text)]
    if found:
        return ", ".join(found)
    return "all" if _ALL.search(text) else ""


def _sentence(v: str, what: str, countries: list[str], lang: str = "en") -> str:
    after = t("actions.after", lang, countries=", ".join(country_name(c, lang) for c in countries)) if countries else ""
    return t("actions.sentence", lang, verb=t(f"values.{v}", lang).capitalize(), what=what, after=after)


def _citations(records: list[dict]) -> tuple[tuple[str, str], ...]:
    """Each record's (source, locator), once, in order: the citations of an action."""
    return tuple(dict.fromkeys((str(r["source"]), str(r["locator"] or "")) for r in records))


def _by_concept(records: pd.DataFrame) -> dict[str, list[dict]]:
    """The rows as plain records grouped by ``concept_id``: a pandas filter per concept is slow on 50 concepts."""
    out: dict[str, list[dict]] = {}
    for rec in records.to_dict("records"):
        out.setdefault(rec["concept_id"], []).append(rec)
    return out


def _unique(recs: list[dict], key: str = "subject_id") -> list[dict]:
    """The first record of each ``key``, in order."""
    seen: dict = {}
    for r in recs:
        seen.setdefault(r[key], r)
    return list(seen.values())


def _join(values, sep: str = ";") -> str:
    """The non-empty values, each once, in order, joined by ``sep``."""
    return sep.join(dict.fromkeys(v for v in values if v))


def _concept_actions(cid: str, label: str, v: str, mine: list[dict], risk: str, lang: str) -> list[dict]:
    """The actions for one concept: one per distinct peer practice and one per step, or else one
    built from the peers' framework items, or else one saying that nothing stands behind it.

    Parameters
    ----------
    cid, label:
        The concept's id and its label in ``lang``.
    v:
        The verb of Kazakhstan's status (:func:`~workbench.analysis.kaz_status.verb`).
    mine:
        The concept's evidence records (roles ``step``, ``peer_practice``, ``peer_item``).
    risk:
        The risks recorded for the concept, joined.
    lang:
        Language of the action sentences.

    Returns
    -------
    Rows with :data:`ACTION_COLUMNS`, practices first, then steps.
    """
    rows = []
    step_rows = _unique([r for r in mine if r["role"] == "step"])
    steps = _join((r["label"] for r in step_rows), "; ")
    practices: dict[str, list[dict]] = {}
    for r in mine:
        if r["role"] == "peer_practice":
            practices.setdefault(r["label"], []).append(r)
    # one action per distinct practice label: "peer evaluation" by USA and CAN is one action
    for text, grp in practices.items():
        grp = _unique(grp)
        countries = list(dict.fromkeys(r["country"] for r in grp))
        rows.append({"concept_id": cid, "basis": "peer_practice", "verb": v,
                     "action": _sentence(v, text, countries, lang), "model_countries": ";".join(countries),
                     "audience": audience(" ".join([text, *(str(r["description"] or "") for r in grp)])),
                     "step": steps, "risk": risk, "subject_ids": _join(r["subject_id"] for r in grp),
                     "citations": _citations(grp)})
    for r in step_rows:
        rows.append({"concept_id": cid, "basis": "step", "verb": v,
                     "action": _sentence(v, t("actions.step", lang, label=r["label"]), [], lang),
                     "model_countries": "", "audience": audience(f"{r['label']} {r['description'] or ''}"),
                     "step": r["label"], "risk": risk, "subject_ids": r["subject_id"],
                     "citations": _citations([r])})
    if not practices and not step_rows:
        rows.append(_fallback_action(cid, label, v, mine, risk, lang))
    return rows


def _fallback_action(cid: str, label: str, v: str, mine: list[dict], risk: str, lang: str) -> dict:
    """The one action of a concept no peer practice or step stands behind: from the peers' items, or none."""
    items = _unique([r for r in mine if r["role"] == "peer_item"])
    if not items:
        return {"concept_id": cid, "basis": "none", "verb": v,
                "action": _sentence(v, t("actions.none", lang, label=label), [], lang),
                "model_countries": "", "audience": "", "step": "", "risk": risk, "subject_ids": "", "citations": ()}
    countries = list(dict.fromkeys(r["country"] for r in items))
    named = "; ".join(f"{country_name(r['country'], lang)} {r['subject_id']} \"{r['label']}\"" for r in items[:3])
    what = t("actions.items", lang, label=label, named=named)
    return {"concept_id": cid, "basis": "peer_item", "verb": v, "action": _sentence(v, what, [], lang),
            "model_countries": ";".join(countries), "audience": "", "step": "", "risk": risk,
            "subject_ids": _join(r["subject_id"] for r in items), "citations": _citations(items)}


def build_actions(concepts: pd.DataFrame, links: pd.DataFrame, status: pd.Series, gaps_by_concept: set[str],
                  risks: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """One row per action (:data:`ACTION_COLUMNS`), grouped by concept, best-supported first.

    The action sentences are written in ``lang`` (en, ru or kk; ru and kk are drafts); the labels
    of practices and items they quote are the data's own.

    ``links`` are the gap analysis's evidence rows (roles ``peer_practice``, ``peer_item``,
    ``step``); ``status`` Kazakhstan's status per concept; ``gaps_by_concept`` the concepts a
    Kazakh gap is recorded for; ``risks`` the risk practices mapped to concepts (``concept_id``).
    """
    by_concept = _by_concept(links[links["role"].isin(["step", "peer_practice", "peer_item"])])
    risks_by = _by_concept(risks)
    rows = []
    for cid, label in concept_labels(concepts, lang).items():
        v = verb(status.get(cid, "absent"), cid in gaps_by_concept)
        risk = _join((r["label"] for r in _unique(risks_by.get(cid, []), "practice_id")), "; ")
        rows += _concept_actions(cid, label, v, by_concept.get(cid, []), risk, lang)
    out = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    # more model countries first: a practice several peers share is better evidence
    n = out["model_countries"].map(lambda s: len([c for c in s.split(";") if c]))
    basis = out["basis"].map({"peer_practice": 0, "step": 1, "peer_item": 2, "none": 3})
    return (out.assign(_n=-n, _b=basis).sort_values(["concept_id", "_b", "_n"], kind="stable")
            .drop(columns=["_n", "_b"]).reset_index(drop=True))
