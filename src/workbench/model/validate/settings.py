"""Checks of the score's settings (``weights.yaml``) on their own and against the data."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from workbench.model.errors import Problem

if TYPE_CHECKING:
    from workbench.model.records import Dataset
    from workbench.model.sourcefile import YamlDocument


def settings_problems(settings: Any, doc: "YamlDocument", complete: bool) -> list[Problem]:
    """A settings file on its own: the data folder's file (``complete``) must give every section."""
    if not complete:
        return []
    missing = [name for name in type(settings).model_fields if getattr(settings, name) is None]
    if missing:
        return [Problem(doc.path, 1, f"missing required field(s) {', '.join(map(repr, missing))}")]
    return []


def settings_reference_problems(ds: "Dataset", settings: Any, doc: "YamlDocument") -> list[Problem]:
    """Every framework, source and indicator a settings file names must exist in the data."""
    known = {
        "framework": set(ds.frameworks["framework_id"]),
        "source": set(ds.sources["id"]),
        "indicator": set(ds.indicators["id"]),
    }
    problems: list[Problem] = []

    def check(what: str, value: str, loc: tuple) -> None:
        if value not in known[what]:
            problems.append(Problem(doc.path, doc.line_of(loc), f"unknown {what} '{value}'"))

    for name, ids in (getattr(settings, "baselines", None) or {}).items():
        for i, fw in enumerate(ids):
            check("framework", fw, ("baselines", name, i))
    if getattr(settings, "oecd_framework", None) is not None:
        check("framework", settings.oecd_framework, ("oecd_framework",))
    for key, what in (("paper_frameworks", "framework"), ("curriculum_frameworks", "framework"), ("paper_sources", "source"),
                      ("implementation_sources", "source"), ("need_indicators", "indicator")):
        for i, value in enumerate(getattr(settings, key, None) or []):
            check(what, value, (key, i))
    # a need is a share of respondents: a count or an index would put the score outside [0, 1]
    units = dict(zip(ds.indicators["id"], zip(ds.indicators["unit"], ds.indicators["value"])))
    for i, value in enumerate(getattr(settings, "need_indicators", None) or []):
        unit, number = units.get(value, ("percent", 0.0))
        if unit != "percent" or not 0 <= float(number) <= 100:
            problems.append(Problem(doc.path, doc.line_of(("need_indicators", i)),
                                    f"need indicator '{value}' is {number} {unit}: a need is a percent (0-100) of respondents"))
    return problems
