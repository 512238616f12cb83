"""Transferability context: Kazakhstan's governance indicators next to the model countries'.

``data/transferability.yaml`` says which governance conditions (and which indicators of
``data/indicators.csv`` measure them) the effect of an adopted practice depends on, with the
argument and its citation. Each indicator is one release (``source``) of one measure: releases are
never mixed in one comparison.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Literal, Union

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workbench.model.dataset import Dataset
from workbench.model.errors import InputError, Problem
from workbench.model.schema import SLUG, Line, Paragraphs, Text
from workbench.model.sourcefile import pydantic_problems, read_yaml
from workbench.model.translations import original, translated

__all__ = ["Factor", "Transferability", "read_transferability", "load_transferability", "context", "context_text"]

FILE = "transferability.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class IndicatorRef(_Model):
    source: Line = Field(min_length=1)
    indicator: Line = Field(min_length=1)
    measure: Line = Field(min_length=1)


class Factor(_Model):
    id: Line = Field(pattern=SLUG)
    label: Text
    applies_to: Union[Literal["all"], list[Line]]
    argument: Paragraphs = Field(min_length=1)
    source: Line = Field(min_length=1)
    locator: Line = Field(min_length=1)
    indicators: list[IndicatorRef]


class _File(_Model):
    factors: list[Factor] = Field(min_length=1)


@dataclass(frozen=True)
class Transferability:
    """The factors, and the indicator values they point to (one row per country and indicator)."""

    factors: list[Factor]
    values: pd.DataFrame  # factor, indicator, measure, source, year, country, value, unit, id, locator


def read_transferability(ds: Dataset, path: str | os.PathLike | None = None) -> Transferability:
    """Read and check ``transferability.yaml`` against the data: known sources, domains, concepts,
    and indicators that exist in ``indicators.csv`` for that release; problems carry ``path:line``."""
    p = Path(path) if path is not None else Path(ds.path) / FILE
    doc = read_yaml(p)
    if not isinstance(doc.data, dict):
        raise InputError.single(doc.path, 1, "expected a mapping with a 'factors' list")
    try:
        parsed = _File.model_validate(doc.data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(doc.path, exc, doc.line_of)) from None
    sources = set(ds.sources["id"])
    targets = set(ds.domains["domain"]) | set(ds.concepts["concept_id"])
    ind = ds.indicators
    problems: list[Problem] = []
    seen: set[str] = set()
    rows = []
    for i, f in enumerate(parsed.factors):
        if f.id in seen:
            problems.append(Problem(doc.path, doc.line_of(("factors", i, "id")), f"duplicate factor id '{f.id}'"))
        seen.add(f.id)
        if f.source not in sources:
            problems.append(Problem(doc.path, doc.line_of(("factors", i, "source")), f"unknown source '{f.source}'"))
        if f.applies_to != "all":
            for j, t in enumerate(f.applies_to):
                if t not in targets:
                    problems.append(Problem(doc.path, doc.line_of(("factors", i, "applies_to", j)),
                                            f"unknown domain or concept '{t}'"))
        for j, ref in enumerate(f.indicators):
            sel = ind[(ind["source"] == ref.source) & (original(ind, "indicator") == ref.indicator) & (ind["measure"] == ref.measure)]
            if sel.empty:
                problems.append(Problem(doc.path, doc.line_of(("factors", i, "indicators", j)),
                                        f"no indicator '{ref.indicator}' ({ref.measure}) from source '{ref.source}' in indicators.csv"))
                continue
            # the latest year of this release only: one release, one year, every country
            latest = sel[sel["year"] == sel["year"].max()]
            rows.append(latest.assign(factor=f.id))
    if problems:
        raise InputError(problems)
    # our words, in the reader's language where translated (the indicators' names already are: ds.indicators)
    factors = [f.model_copy(update={"label": translated(ds, f.label), "argument": translated(ds, f.argument)}) for f in parsed.factors]
    cols = ["factor", "indicator", "measure", "source", "year", "country", "value", "unit", "id", "locator"]
    values = pd.concat(rows, ignore_index=True)[cols] if rows else pd.DataFrame(columns=cols)
    return Transferability(factors, values)


def load_transferability(ds: Dataset) -> Transferability | None:
    """The data folder's transferability file, or ``None`` where the folder has none."""
    return read_transferability(ds) if (Path(ds.path) / FILE).exists() else None


def _applies(factor: Factor, concept_id: str, domain: str) -> bool:
    return factor.applies_to == "all" or concept_id in factor.applies_to or domain in factor.applies_to


def context(tr: Transferability, concept_id: str, domain: str, countries: Iterable[str]) -> pd.DataFrame:
    """Kazakhstan's and ``countries``' values of the indicators of every factor applying to the
    concept: one row per (factor, indicator, country), Kazakhstan first."""
    order = {c: i for i, c in enumerate(["KAZ", *[c for c in dict.fromkeys(countries) if c != "KAZ"]])}
    ids = {f.id: i for i, f in enumerate(tr.factors) if _applies(f, concept_id, domain)}
    rows = [r for r in _records(tr) if r["factor"] in ids and r["country"] in order]
    rows.sort(key=lambda r: (ids[r["factor"]], r["indicator"], order[r["country"]]))
    return pd.DataFrame(rows, columns=list(tr.values.columns))


def _records(tr: Transferability) -> list[dict]:
    # cached on the (frozen) object: context() runs once per recommendation
    cached = tr.__dict__.get("_records")
    if cached is None:
        cached = tr.values.to_dict("records")
        object.__setattr__(tr, "_records", cached)
    return cached


_SHORT = {"Control of Corruption": "WGI CC", "Corruption Perceptions Index": "CPI", "Government Effectiveness": "WGI GE",
          "Rule of Law": "WGI RL", "Regulatory Quality": "WGI RQ", "Voice and Accountability": "WGI VA"}


def context_text(values: pd.DataFrame) -> str:
    """One clause per indicator: ``WGI CC percentile_rank 2022: KAZ 48.6, GBR 92.9 [ref_wgi_2023_update]``."""
    groups: dict[tuple, list[str]] = {}
    for r in values.to_dict("records"):
        key = (r["indicator"], r["measure"], r["year"], r["source"])
        groups.setdefault(key, []).append(f"{r['country']} {r['value']:.1f}".rstrip("0").rstrip("."))
    return "; ".join(f"{_SHORT.get(ind, ind)} {measure} {int(year) if year == year else ''}: {', '.join(vals)} [{source}]"
                     for (ind, measure, year, source), vals in groups.items())
