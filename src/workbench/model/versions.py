"""Frameworks through time: which version of each lineage is in force on a date, and the data "as of" a date.

A framework with ``lineage`` and ``in_force_from`` is a version: in force from that day (or, for a
year, from its first day) until ``in_force_to`` (its last day, or the year's last day), then
replaced by ``replaced_by``. A framework without dates is kept on every date and said to have no
recorded dates: unknown is not absent. The checks of lineages (no overlap, an unbroken chain) are
:func:`lineage_problems`.
"""
from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, Iterable

from workbench.model.errors import InputError, Problem
from workbench.model.values import iso_date

if TYPE_CHECKING:
    import pandas as pd

    from workbench.model.records import Dataset

__all__ = ["frameworks_used", "first_day", "last_day", "parse_as_of", "in_force", "at_date", "check_in_force", "out_of_force_countries", "versions_in_force", "lineage_problems", "proposals", "had", "compared", "TRAINING_KINDS",
           "VERSION_COLUMNS"]

VERSION_COLUMNS = ["lineage", "version", "in_force_from", "in_force_to", "replaced_by", "dates_source", "dates_locator"]


def first_day(value: Any) -> date | None:
    """The first day a version is in force: the date, or 1 January of a year known alone.

    >>> first_day(2019), first_day(date(2006, 10, 1)), first_day(None)
    (datetime.date(2019, 1, 1), datetime.date(2006, 10, 1), None)
    """
    if value is None or value != value:
        return None
    return date(int(value), 1, 1) if isinstance(value, (int, float)) else value


def last_day(value: Any) -> date | None:
    """The last day a version is in force: the date, or 31 December of a year known alone."""
    if value is None or value != value:
        return None
    return date(int(value), 12, 31) if isinstance(value, (int, float)) else value


def parse_as_of(text: str | date | None) -> date:
    """An as-of date from a parameter (``YYYY-MM-DD``); ``None`` or empty: today.

    >>> parse_as_of("2024-06-01")
    datetime.date(2024, 6, 1)
    """
    if isinstance(text, date):
        return text
    if not text:
        return date.today()
    day = iso_date(text)
    if day is None:
        raise InputError.parameter("as_of", f"'{text}' is no date (give YYYY-MM-DD)")
    return day


def in_force(frameworks: "pd.DataFrame", as_of: date) -> "pd.Series":
    """For each framework: in force on ``as_of`` (a framework without dates counts as in force)."""
    def one(start: Any, end: Any) -> bool:
        lo, hi = first_day(start), last_day(end)
        return (lo is None or lo <= as_of) and (hi is None or as_of <= hi)

    return frameworks.apply(lambda r: one(r.get("in_force_from"), r.get("in_force_to")), axis=1).astype(bool)


def at_date(ds: "Dataset", as_of: str | date | None = None) -> "Dataset":
    """``ds`` as of a date: frameworks (and their items) not in force then are left out; the date is kept
    in ``ds.as_of``. ``None``: today.

    >>> from workbench.model.dataset import load
    >>> every = load(all_versions=True)
    >>> old, new = at_date(every, "2024-06-01"), at_date(every, "2026-01-01")
    >>> "usa_executive_core_qualifications" in set(old.frameworks["framework_id"]), "usa_ecq_2025" in set(new.frameworks["framework_id"])
    (True, True)
    """
    day = parse_as_of(as_of)
    keep = in_force(ds.frameworks, day)
    frameworks = ds.frameworks[keep].reset_index(drop=True)
    items = ds.items[ds.items["framework_id"].isin(set(frameworks["framework_id"]))].reset_index(drop=True)
    return dataclasses.replace(ds, frameworks=frameworks, items=items, as_of=day,
                               out_of_force=ds.frameworks[~keep].reset_index(drop=True))


def _spans(versions: "pd.DataFrame") -> str:
    """Each version's title and the dates it is in force ("... 1997 to 2006-09-30", "... 2024 to now")."""
    return "; ".join(f"{r['title']} {r['in_force_from']} to {r['in_force_to'] if r['in_force_to'] == r['in_force_to'] and r['in_force_to'] is not None else 'now'}"
                     for _, r in versions.iterrows())


def check_in_force(ds: "Dataset", countries: Iterable[str] = (), frameworks: Iterable[str] = ()) -> None:
    """Refuse a country whose frameworks are all versions out of force on ``ds.as_of`` (it would count
    as carrying nothing), or a framework named that is out of force then (it would read as unknown):
    the message names the versions and their dates."""
    gone = getattr(ds, "out_of_force", None)
    if ds.as_of is None or gone is None or gone.empty:
        return
    for code in countries:
        mine = gone[gone["country"] == code]
        if len(mine) and not (ds.frameworks["country"] == code).any():
            raise InputError.parameter("as_of", f"{code} has no framework in force on {ds.as_of} (versions: {_spans(mine)})")
    for fid in frameworks:
        mine = gone[gone["framework_id"] == fid]
        if len(mine):
            raise InputError.parameter("as_of", f"framework '{fid}' is not in force on {ds.as_of} ({_spans(mine)}): "
                                                "give a date within it, or another framework")


def out_of_force_countries(ds: "Dataset") -> list[str]:
    """The countries with frameworks in the data but none in force on ``ds.as_of``: what a selection of
    every country leaves out on that day, to be named, not dropped in silence."""
    gone = getattr(ds, "out_of_force", None)
    if ds.as_of is None or gone is None or gone.empty:
        return []
    return sorted(set(had(gone)["country"]) - set(ds.frameworks["country"]))


def proposals(frameworks: "pd.DataFrame") -> list[str]:
    """The frameworks that are a paper's proposal for a country (``proposal: true``), not one it has."""
    return frameworks.loc[frameworks["proposal"].astype(bool), "framework_id"].tolist() if "proposal" in frameworks else []


def had(frameworks: "pd.DataFrame") -> "pd.DataFrame":
    """The frameworks countries have: every one but a paper's proposal, which is no version in force of
    anything and which no comparison draws."""
    return frameworks[~frameworks["proposal"].astype(bool)] if "proposal" in frameworks else frameworks


#: Kinds of framework that say what a state teaches its civil servants, not what it asks of them: evidence
#: that the training offers a concept (Kazakhstan's status), never a definition a comparison of countries draws.
TRAINING_KINDS = frozenset({"curriculum"})


def compared(frameworks: "pd.DataFrame") -> "pd.DataFrame":
    """The frameworks a comparison of countries' definitions draws: those countries have (:func:`had`),
    but no training curriculum (:data:`TRAINING_KINDS`), whose courses would read as competencies."""
    frameworks = had(frameworks)
    return frameworks[~frameworks["kind"].isin(TRAINING_KINDS)] if "kind" in frameworks else frameworks


def versions_in_force(ds: "Dataset", countries: Iterable[str] | None = None, level: str | None = None) -> "pd.DataFrame":
    """The frameworks an analysis as of ``ds.as_of`` uses: country, framework, version and dates
    (``level``: only the frameworks of that level, as an analysis at that level uses)."""
    frames = had(ds.frameworks)
    if level:
        frames = frames[frames["level"] == level]
    if countries is not None:
        frames = frames[frames["country"].isin(list(countries))]
    cols = ["country", "framework_id", "title", *VERSION_COLUMNS, "coverage", "missing", "source_kind"]
    return frames[[c for c in cols if c in frames.columns]].sort_values(["country", "framework_id"]).reset_index(drop=True)


def _successor_problem(old: Any, new: Any) -> str | None:
    """Why ``new`` cannot follow ``old`` in a lineage (``None`` when it can)."""
    if old.replaced_by != new.id:
        return (f"version '{old.id}' is followed by '{new.id}' but names "
                + (f"'{old.replaced_by}' as its successor" if old.replaced_by else "no successor (replaced_by)"))
    end, start = last_day(old.in_force_to), first_day(new.in_force_from)
    if end is not None and start is not None and start <= end:
        return f"versions '{old.id}' (to {old.in_force_to}) and '{new.id}' (from {new.in_force_from}) overlap"
    if isinstance(old.in_force_to, date) and isinstance(new.in_force_from, date) and start != end + timedelta(days=1):
        return f"'{new.id}' starts {new.in_force_from}, not the day after '{old.id}' ends ({old.in_force_to})"
    return None


def lineage_problems(frameworks: list[tuple[Any, Any, Any]]) -> list[Problem]:
    """Checks of the lineages: ``replaced_by`` names a version of the same lineage, versions never
    overlap, and each one's successor follows it (``(Framework, YamlDocument, path)`` entries)."""
    by_id = {fw.id: (fw, doc) for fw, doc, _ in frameworks}
    lineages: dict[str, list[tuple[Any, Any]]] = {}
    for fw, doc, _ in frameworks:
        if fw.lineage:
            lineages.setdefault(fw.lineage, []).append((fw, doc))
    problems: list[Problem] = []
    for fw, doc, _ in frameworks:
        if fw.replaced_by and (fw.replaced_by not in by_id or by_id[fw.replaced_by][0].lineage != fw.lineage):
            problems.append(Problem(doc.path, doc.line_of(("replaced_by",)),
                                    f"broken chain: '{fw.replaced_by}' is no version of lineage '{fw.lineage}'"))
    for name, versions in lineages.items():
        dated = sorted((v for v in versions if v[0].in_force_from is not None), key=lambda v: first_day(v[0].in_force_from))
        for (old, _), (new, doc) in zip(dated, dated[1:]):
            message = _successor_problem(old, new)
            if message:
                where = "in_force_from" if "overlap" in message or "starts" in message else "lineage"
                problems.append(Problem(doc.path, doc.line_of((where,)), f"lineage '{name}': {message}"))
    return problems


def frameworks_used(ds: "Dataset", countries: Iterable[str]) -> str:
    """The frameworks of ``countries`` an analysis as of ``ds.as_of`` used, each with its version: one text
    for a table cell (``USA usa_ecq_2025 (2025, from 2025-10-01)``)."""
    rows = versions_in_force(ds, countries)
    def one(r: Any) -> str:
        version = f" ({r['version']}, from {r['in_force_from']})" if r.get("version") else ""
        return f"{r['country']} {r['framework_id']}{version}"
    return "; ".join(one(r) for _, r in rows.iterrows())
