"""Agreement between two coders: Cohen's kappa over the subjects both have coded."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["Agreement", "primary_codes", "agreement"]


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
