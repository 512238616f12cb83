"""Actions: what Kazakhstan would do for a concept, after whose practice, for whom, with which step and risk.

Actions are built from the chosen peers' practices (``data/practices/``) and the papers'
implementation steps for Kazakhstan, grouped under the concept they serve. A concept that no
peer practice or step stands behind gets one action built from the peers' framework items, and
says so; a concept with neither says that plainly.
"""
from __future__ import annotations

import re

import pandas as pd

from .kaz_status import verb

__all__ = ["ACTION_COLUMNS", "audience", "build_actions"]

ACTION_COLUMNS = ["concept_id", "basis", "verb", "action", "model_countries", "audience", "step", "risk",
                  "subject_ids", "source", "locator"]

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


def _sentence(v: str, what: str, countries: list[str]) -> str:
    after = f" after the practice of {', '.join(countries)}" if countries else ""
    return f"{v.capitalize()}: {what}{after}."


def build_actions(concepts: pd.DataFrame, links: pd.DataFrame, status: pd.Series, gaps_by_concept: set[str],
                  risks: pd.DataFrame) -> pd.DataFrame:
    """One row per action (:data:`ACTION_COLUMNS`), grouped by concept, best-supported first.

    ``links`` are the gap analysis's evidence rows (roles ``peer_practice``, ``peer_item``,
    ``step``); ``status`` Kazakhstan's status per concept; ``gaps_by_concept`` the concepts a
    Kazakh gap is recorded for; ``risks`` the risk practices mapped to concepts (``concept_id``).
    """
    rows = []
    for cid, label in zip(concepts["concept_id"], concepts["label_en"]):
        v = verb(status.get(cid, "absent"), cid in gaps_by_concept)
        mine = links[links["concept_id"] == cid]
        step_rows = mine[mine["role"] == "step"].drop_duplicates("subject_id")
        steps = "; ".join(dict.fromkeys(step_rows["label"]))
        risk_rows = risks[risks["concept_id"] == cid].drop_duplicates("practice_id")
        risk = "; ".join(dict.fromkeys(risk_rows["label"]))
        practices = mine[mine["role"] == "peer_practice"]
        # one action per distinct practice label: "peer evaluation" by USA and CAN is one action
        for text, grp in practices.groupby("label", sort=False):
            grp = grp.drop_duplicates("subject_id")
            rows.append({"concept_id": cid, "basis": "peer_practice", "verb": v,
                         "action": _sentence(v, text, list(dict.fromkeys(grp["country"]))),
                         "model_countries": ";".join(dict.fromkeys(grp["country"])),
                         "audience": audience(" ".join([text, *grp["description"].fillna("")])),
                         "step": steps, "risk": risk, "subject_ids": ";".join(grp["subject_id"]),
                         "source": ";".join(dict.fromkeys(grp["source"])), "locator": "; ".join(dict.fromkeys(grp["locator"]))})
        for _, s in step_rows.iterrows():
            rows.append({"concept_id": cid, "basis": "step", "verb": v,
                         "action": _sentence(v, f"{s['label']} (implementation step proposed for Kazakhstan by {s['source']})", []),
                         "model_countries": "", "audience": audience(f"{s['label']} {s.get('description', '')}"),
                         "step": s["label"], "risk": risk, "subject_ids": s["subject_id"],
                         "source": s["source"], "locator": s["locator"]})
        if practices.empty and step_rows.empty:
            items = mine[mine["role"] == "peer_item"].drop_duplicates("subject_id")
            if len(items):
                countries = list(dict.fromkeys(items["country"]))
                named = "; ".join(f"{r['country']} {r['subject_id']} \"{r['label']}\"" for _, r in items.head(3).iterrows())
                what = (f"{label} in the Kazakh competency model, as the peers' frameworks describe it ({named}); "
                        "no peer practice in the data shows how it was introduced")
                rows.append({"concept_id": cid, "basis": "peer_item", "verb": v, "action": _sentence(v, what, []),
                             "model_countries": ";".join(countries), "audience": "", "step": "", "risk": risk,
                             "subject_ids": ";".join(items["subject_id"]), "source": ";".join(dict.fromkeys(items["source"])),
                             "locator": "; ".join(dict.fromkeys(items["locator"]))})
            else:
                rows.append({"concept_id": cid, "basis": "none", "verb": v,
                             "action": _sentence(v, f"{label}: no peer practice, framework item or implementation step in the data stands behind this", []),
                             "model_countries": "", "audience": "", "step": "", "risk": risk, "subject_ids": "",
                             "source": "", "locator": ""})
    out = pd.DataFrame(rows, columns=ACTION_COLUMNS)
    # more model countries first: a practice several peers share is better evidence
    n = out["model_countries"].map(lambda s: len([c for c in s.split(";") if c]))
    basis = out["basis"].map({"peer_practice": 0, "step": 1, "peer_item": 2, "none": 3})
    return (out.assign(_n=-n, _b=basis).sort_values(["concept_id", "_b", "_n"], kind="stable")
            .drop(columns=["_n", "_b"]).reset_index(drop=True))
