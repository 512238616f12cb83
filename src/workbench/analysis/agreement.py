"""Agreement between two coders: Cohen's kappa over the subjects both have coded."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pandas as pd

__all__ = ["Agreement", "primary_codes", "agreement", "mapping_agreement", "adjudication_counts", "single_mappings"]


def primary_codes(mappings: pd.DataFrame) -> pd.Series:
    """Each subject's primary concept: its highest-confidence mapping (first listed on ties).

    >>> df = pd.DataFrame({"subject_id": ["a", "a", "b"], "object_id": ["x", "y", "z"], "confidence": [0.7, 0.9, 1.0]})
    >>> primary_codes(df).to_dict()
    {'a': 'y', 'b': 'z'}
    """
    ordered = mappings.reset_index(drop=True).reset_index().sort_values(["confidence", "index"], ascending=[False, True], kind="stable")
    return ordered.drop_duplicates("subject_id").set_index("subject_id")["object_id"].sort_index()


@dataclass
class Agreement:
    kappa: float
    observed: float
    n_common: int
    only_a: list[str]
    only_b: list[str]
    disagreements: pd.DataFrame  # subject_id, code_a, code_b

    def report(self) -> str:
        lines = [
            f"subjects coded by both: {self.n_common}",
            f"observed agreement: {self.observed:.3f}",
            f"Cohen's kappa: {self.kappa:.3f}",
            f"coded only by A: {len(self.only_a)}; only by B: {len(self.only_b)}",
            f"disagreements: {len(self.disagreements)}",
        ]
        lines += [f"  {r.subject_id}: A={r.code_a} B={r.code_b}" for r in self.disagreements.itertuples(index=False)]
        return "\n".join(lines)


def agreement(codes_a: pd.Series, codes_b: pd.Series) -> Agreement:
    """Cohen's kappa between two coders' codes (Series subject -> code) on their common subjects."""
    # The suggester and `workbench agreement`'s file reader import this module for primary_codes alone,
    # so a bad codings file is reported before scikit-learn is loaded.
    # deferred: scikit-learn's metrics cost about 0.6 s to import; only the kappa needs them
    from sklearn.metrics import cohen_kappa_score

    common = codes_a.index.intersection(codes_b.index).sort_values()
    a, b = codes_a.loc[common], codes_b.loc[common]
    if len(common) == 0:
        kappa = float("nan")
    elif (a == b).all():
        kappa = 1.0  # sklearn returns nan when both coders used a single identical code
    else:
        kappa = float(cohen_kappa_score(a.to_numpy(), b.to_numpy()))
    diff = common[(a != b).to_numpy()]
    return Agreement(
        kappa=kappa,
        observed=float((a == b).mean()) if len(common) else float("nan"),
        n_common=len(common),
        only_a=sorted(set(codes_a.index) - set(common)),
        only_b=sorted(set(codes_b.index) - set(common)),
        disagreements=pd.DataFrame({"subject_id": diff, "code_a": a.loc[diff].to_numpy(), "code_b": b.loc[diff].to_numpy()}),
    )


def _pairs(frame: pd.DataFrame) -> set[tuple[str, str]]:
    return set(zip(frame["item_code"], frame["concept_id"]))


def mapping_agreement(first: pd.DataFrame, second: pd.DataFrame, items: pd.DataFrame, concepts: Sequence[str]) -> pd.DataFrame:
    """Cohen's kappa of two independent mapping passes, per framework and over all items.

    Each (item, concept) pair is one decision, "mapped" or "not mapped" (any predicate), over the
    items both passes coded and every concept of the taxonomy. Columns ``framework_id`` (``all`` for
    the overall row), ``items``, ``first`` and ``second`` (mappings of each pass), ``both`` (in both),
    ``kappa``, ``predicate_agreement`` (share of the common mappings given the same predicate).
    """
    # deferred: scikit-learn's metrics cost about 0.6 s to import; only the kappa needs them
    from sklearn.metrics import cohen_kappa_score

    coded = set(first["item_code"]) & set(second["item_code"])
    a_pred = dict(zip(zip(first["item_code"], first["concept_id"]), first["predicate_id"]))
    b_pred = dict(zip(zip(second["item_code"], second["concept_id"]), second["predicate_id"]))
    rows = []
    scope = items[items["item_code"].isin(coded)]
    for fw, part in [*scope.groupby("framework_id", sort=True), ("all", scope)]:
        codes = set(part["item_code"])
        a = {p for p in a_pred if p[0] in codes}
        b = {p for p in b_pred if p[0] in codes}
        ya = [(i, c) in a for i in sorted(codes) for c in concepts]
        yb = [(i, c) in b for i in sorted(codes) for c in concepts]
        kappa = 1.0 if ya == yb else float(cohen_kappa_score(ya, yb))
        both = a & b
        rows.append({"framework_id": fw, "items": len(codes), "first": len(a), "second": len(b), "both": len(both),
                     "kappa": kappa, "predicate_agreement": sum(a_pred[p] == b_pred[p] for p in both) / len(both) if both else float("nan")})
    return pd.DataFrame(rows)


def adjudication_counts(adjudication: pd.DataFrame) -> dict[str, int]:
    """What the adjudication did to the first pass: mappings ``added``, ``changed`` (predicate),
    ``removed``, and first-pass mappings ``kept`` or second-pass ones ``rejected`` as they were."""
    counts = adjudication["decision"].value_counts()
    names = {"add": "added", "change": "changed", "remove": "removed", "keep": "kept", "reject": "rejected"}
    return {names[d]: int(counts.get(d, 0)) for d in names}


def single_mappings(crosswalk: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Items that still carry one mapping only, with that mapping and its curator's comment (the reason)."""
    mapped = crosswalk[crosswalk["subject_id"].isin(set(items["item_code"]))]
    counts = mapped["subject_id"].value_counts()
    single = mapped[mapped["subject_id"].map(counts) == 1]
    out = single.merge(items[["item_code", "framework_id", "label"]], left_on="subject_id", right_on="item_code")
    # the item's own name as item_label: a table beside concept labels keeps it (a plain label is the concept's)
    return out[["framework_id", "item_code", "label", "predicate_id", "object_id", "comment"]].rename(columns={"label": "item_label"}).sort_values(
        ["framework_id", "item_code"]).reset_index(drop=True)
