"""The recommendation settings (``data/weights.yaml``): reading, validation against the data, peers, baselines."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Iterable, Literal, Mapping, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.model.dataset import Dataset
from workbench.model.errors import PARAMETER, InputError
from workbench.model.schema import DEFAULT_BASELINE, DEFAULT_PEERS, ORGANISATIONS, PRACTICE_KINDS, SLUG, FiniteFloat, Weights
from workbench.model.sourcefile import YamlDocument, pydantic_problems, read_yaml
from workbench.model.validate import settings_problems, settings_reference_problems

__all__ = ["COMPONENTS", "DEFAULT_PEERS", "DEFAULT_BASELINE", "SCORE_EXPLANATION", "Settings", "read_settings", "load_settings", "check_references",
           "check_peers", "countries_with_data", "baseline_frameworks"]

#: The score's components, in the order of the ``Weights`` model (and of the CSV columns).
COMPONENTS: tuple[str, ...] = tuple(Weights.model_fields)
#: How the score is built, in the terms of the CSV columns and of ``weights.yaml`` (its keys): shown by
#: ``workbench recommend --help`` and the markdown output. The reports explain it in words, without
#: ids (``sections.how_scored_text`` of the catalogue).
SCORE_EXPLANATION = ('score = sum(w_i * c_i) / sum(w_i) over five components in [0, 1]: peer_share (share of the chosen '
    'peers whose frameworks or practices carry the concept), oecd_alignment (OECD 2019 principles served, '
    "divided by the largest count in the same list), kaz_absence (1 if Kazakhstan's status is absent, 1 - "
    'related_credit if partial, 0 if present, empty if undecided; status read from the baseline frameworks, Kazakh '
    'practices and law, other Kazakh frameworks, indicators and the option checks of the register), '
    'measured_need (largest APA survey gap, percent / '
    '100) and paper_recommended (1 if one of the papers in paper_sources of data/weights.yaml recommends '
    'it; weight 0 by default, so agreement with the papers is reported as a finding, not scored). '
    'A component that cannot be known (empty: no chosen peer could show it, or our evidence cannot decide '
    "Kazakhstan's status) leaves both sums. "
    "Individual competencies and system reforms are ranked in separate lists unless the scope is 'all'; "
    'ties (equal to 12 decimals) are broken by concept id, alphabetically.')



class Settings(BaseModel):
    """The contents of ``data/weights.yaml`` (see the comments there).

    Every section but ``weights`` may be left out of a file given with ``--weights``; the data
    folder's file must have them all.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    weights: Weights
    baselines: Optional[Annotated[dict[Annotated[str, Field(pattern=SLUG)], Annotated[list[str], Field(min_length=1)]], Field(min_length=1)]] = None
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


def check_references(ds: Dataset, settings: Settings, doc: YamlDocument, complete: bool = False) -> None:
    """A settings file checked on its own (``complete``: every section given) and against the data
    (the checks live in :mod:`workbench.model.validate`)."""
    problems = settings_problems(settings, doc, complete) or settings_reference_problems(ds, settings, doc)
    if problems:
        raise InputError(problems)


def load_settings(ds: Dataset, weights: str | os.PathLike | Mapping[str, float] | None = None) -> Settings:
    """The data folder's ``weights.yaml``, overridden by a weights file or a dict of weights.

    A dict may give some weights only (the others keep their value); a file must give all five.

    >>> from workbench.model.dataset import load
    >>> load_settings(load(), {"measured_need": 2}).weights.measured_need
    2.0
    """
    base, doc = read_settings(Path(ds.path) / "weights.yaml")
    check_references(ds, base, doc, complete=True)
    if weights is None:
        return base
    if isinstance(weights, Mapping):
        try:
            new = Weights.model_validate({**base.weights.model_dump(), **dict(weights)})
        except ValidationError as exc:
            raise InputError(pydantic_problems("weights", exc, lambda loc: PARAMETER)) from None
        return base.model_copy(update={"weights": new})
    override, odoc = read_settings(weights)
    check_references(ds, override, odoc)
    given = {name: getattr(override, name) for name in Settings.model_fields if getattr(override, name) is not None}
    return base.model_copy(update=given)


def countries_with_data(ds: Dataset) -> list[str]:
    """The countries that can be compared: those with a framework in the data (of any version), not
    Kazakhstan (the baseline) nor an organisation. Practices alone are no framework to compare."""
    owners = set(ds.frameworks["country"])
    gone = getattr(ds, "out_of_force", None)
    if gone is not None and len(gone):
        owners |= set(gone["country"])
    return sorted(owners - {"KAZ", *ORGANISATIONS})


def check_peers(ds: Dataset, peers: Iterable[str]) -> list[str]:
    """Peer codes upper-cased, de-duplicated and checked against the countries with data.

    Kazakhstan is the baseline, and organisations (OECD, EU) are scored separately, so
    neither can be a peer. A country without a framework in the data is refused (it would count as
    a peer carrying nothing and lower every share), naming the countries that have one.

    >>> from workbench.model.dataset import load
    >>> check_peers(load(), ["gbr", "CAN", "GBR"])
    ['GBR', 'CAN']
    """
    codes = list(dict.fromkeys(p.strip().upper() for p in peers if p.strip()))
    if not codes:
        raise InputError.parameter("peers", "no peer countries given")
    if "KAZ" in codes:
        raise InputError.parameter("peers", "KAZ is the baseline, not a peer")
    organisations = [c for c in codes if c in ORGANISATIONS]
    if organisations:  # its frameworks are there, but it is no country: its principles score as OECD alignment
        raise InputError.parameter("peers", f"{', '.join(organisations)}: an organisation, not a peer country (peers are "
                                            "countries; the OECD 2019 principles count in the score as OECD alignment)")
    known = countries_with_data(ds)
    unknown = [c for c in codes if c not in known]
    if unknown:
        plural = "have" if len(unknown) > 1 else "has"
        raise InputError.parameter(
            "peers", f"{', '.join(unknown)} {plural} no framework in the data (countries with data: {', '.join(known)})"
        )
    return codes


def baseline_frameworks(settings: Settings, baseline: str) -> list[str]:
    """Framework ids of a named Kazakh baseline (``baselines`` in ``weights.yaml``)."""
    names = settings.baselines or {}
    if baseline not in names:
        raise InputError.parameter("baseline", f"unknown baseline '{baseline}' (use one of {', '.join(names)})")
    return list(names[baseline])
