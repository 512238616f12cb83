"""Report parameters checked against the data before any kernel starts.

A notebook checks its parameters too, but only when it runs, as a failed report with a traceback
in ``reports/.failed/``. The runner checks the parameters whose meaning every notebook shares (a
language, a concept level, a framework level, peer and country codes, a Kazakh baseline, a count, a
share between 0 and 1, a list's scope, weight overrides), with the analyses' own checks,
against the checked data first, as strictly as the notebooks do, so that a mistake in ``reports.yaml`` is one line naming the report
and the parameter, and no report runs.
"""
from __future__ import annotations

import os
from typing import Any, Callable, Iterable

from workbench.analysis.compare import comparison_countries
from workbench.analysis.crosswalk import filter_items
from workbench.analysis.recommend import MAX_DRAWS, check_scope
from workbench.model.dataset import load
from workbench.model.errors import InputError, Problem
from workbench.model.i18n import check_language
from workbench.model.schema import check_country
from workbench.model.settings import baseline_frameworks, check_peers, load_settings
from workbench.model.taxonomy import check_granularity
from workbench.model.values import check_count, check_number

__all__ = ["parameter_problems"]


def _codes(value: Any) -> list[str]:
    """``value`` as a list of texts (the notebooks' type check has made it a list)."""
    odd = [v for v in value if not isinstance(v, str)]
    if odd:
        raise ValueError(f"expected country codes (text), got {odd[0]!r}")
    return value


def _countries(value: Any) -> None:
    # a country without a framework is left out by the notebooks, and named in the report: only the code is checked
    for code in _codes(value):
        check_country(code.strip().upper())


def _checks(ds) -> dict[str, Callable[[Any], Any]]:
    """Each shared parameter's check, raising ``ValueError`` or :class:`InputError` on a bad value:
    the checks the analyses themselves make, wherever one can be called without running the analysis."""
    settings = load_settings(ds)
    return {
        "lang": check_language,
        "granularity": check_granularity,
        "level": lambda v: filter_items(ds.items, level=v or None),  # empty: every level, as in the notebooks
        "peers": lambda v: check_peers(ds, _codes(v)),
        "countries": _countries,
        "baseline": lambda v: baseline_frameworks(settings, v),
        "top": lambda v: check_count(v, "top"),
        "n_clusters": lambda v: check_count(v, "n_clusters"),
        "draws": lambda v: check_count(v, "draws", 0, MAX_DRAWS),
        "scope": check_scope,
        "weights": lambda v: load_settings(ds, v) if v else None,  # overrides: known names, numbers in range
        "min_weight": lambda v: check_number(v, "min_weight", 0, 1),
        "threshold": lambda v: check_number(v, "threshold", 0, 1),
        "low_confidence": lambda v: check_number(v, "low_confidence", 0, 1),
    }


def _compared(ds, parameters: dict[str, Any]) -> None:
    """The countries a comparison would draw at its level, among the frameworks in force on its
    ``as_of``: at least two (the notebooks' own check)."""
    as_of = parameters.get("as_of") or None
    at = ds if as_of is None else load(ds.path, as_of=as_of)  # another date: other versions in force
    comparison_countries(at, _codes(parameters["countries"]), parameters.get("level") or None)


def parameter_problems(ds, specs: Iterable[Any], matrix: str | os.PathLike) -> list[Problem]:
    """Problems of the shared parameters of ``specs`` (:class:`~workbench.run.matrix.ReportSpec`)
    against the checked dataset ``ds``, each at its report's line of ``matrix``; then, where each
    parameter is right, whether ``countries`` at ``level`` leave two countries to compare."""
    checks, problems = _checks(ds), []
    for spec in specs:
        found = len(problems)
        for key, value in spec.parameters.items():
            if key in checks:
                problems += _problem(lambda: checks[key](value), matrix, spec, key)
        if "countries" in spec.parameters and len(problems) == found:
            problems += _problem(lambda: _compared(ds, spec.parameters), matrix, spec, "countries")
    return problems


def _problem(check: Callable[[], Any], matrix: str | os.PathLike, spec: Any, key: str) -> list[Problem]:
    """``check()``'s failure as the one problem of parameter ``key`` of ``spec`` (none when it passes)."""
    try:
        check()
    except InputError as exc:
        return [Problem(matrix, spec.line, f"report '{spec.name}': parameter '{key}': {exc.problems[0].message}")]
    except (ValueError, TypeError) as exc:  # a TypeError: a value of a type the check cannot read
        return [Problem(matrix, spec.line, f"report '{spec.name}': parameter '{key}': {exc}")]
    return []
