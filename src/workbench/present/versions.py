"""The versions of the frameworks a report used, and the date they were taken as of (issue 28).

A comparison of frameworks is a comparison at a moment: every report that reads frameworks says
the date and, for each country, the versions in force then, with the citation of their dates; a
framework whose dates are not recorded is said to have none.
"""
from __future__ import annotations

import html
from typing import Any, Iterable

import pandas as pd

from workbench.model.i18n import country_name, country_prefixed, date_text, t
from workbench.model.taxonomy import concept_labels
from workbench.model.versions import compared, first_day, versions_in_force
from workbench.present.citations import cite_html, cited_text_html
from workbench.present.page import HTML, _lang

__all__ = ["versions_html", "changes_frame", "versions_frame", "left_out_html", "rolled_up_html"]


def _span(r: Any, lang: str) -> str:
    if first_day(r.get("in_force_from")) is None:  # no dates (a version label alone says nothing of when)
        return html.escape(t("ui.dates_unknown", lang))
    text = t("ui.version_from", lang, version=r["version"] or "—", start=date_text(r["in_force_from"], lang))
    end = r.get("in_force_to")
    if end is not None and end == end and str(end):
        text += " " + t("ui.version_until", lang, end=date_text(end, lang))
    cite = f" [{cite_html(r['dates_source'], r['dates_locator'], lang)}]" if r.get("dates_source") else ""
    return html.escape(text) + cite


def versions_html(ds: Any, countries: Iterable[str] | None = None, lang: str | None = None, level: str | None = None,
                  comparison: bool = False) -> HTML:
    """The as-of date of ``ds`` and, per country, the frameworks in force then with their versions
    (``level``: those of that level only, the frameworks an analysis at that level draws; ``comparison``:
    those a comparison of countries draws, without training curricula)."""
    lang = _lang(lang)
    every = versions_in_force(ds, countries, level)
    drawn = every["framework_id"].isin(set(compared(ds.frameworks)["framework_id"] if comparison else every["framework_id"]))
    rows, left = every[drawn], every[~drawn]  # left: a curriculum in force that a comparison does not draw
    day = date_text(ds.as_of, lang) if getattr(ds, "as_of", None) is not None else t("ui.all_versions", lang)
    items = [f"<li>{html.escape(country_prefixed(r['country'], str(r['title']), lang))} ({_span(r, lang)}){_coverage(r, lang)}</li>"
             for _, r in rows.iterrows()]
    partial = any(r.get("coverage") == "partial" for _, r in rows.iterrows())
    note = f"<p>{html.escape(t('ui.unknown_note', lang))}</p>" if partial else ""
    if len(left):  # the reader is told, by name
        titles = "; ".join(country_prefixed(r["country"], str(r["title"]), lang) for _, r in left.iterrows())
        note += f"<p>{html.escape(t('ui.training_not_compared', lang, titles=titles))}</p>"
    return HTML(f'<div class="wb-versions"><p>{html.escape(t("ui.as_of_note", lang, date=day))}</p><ul>{"".join(items)}</ul>{note}</div>')


def left_out_html(countries: Iterable[str], level: str | None = None, lang: str | None = None, secondary: Iterable[str] = (),
                  carrying_nothing: Iterable[str] = ()) -> HTML:
    """A note naming the countries left out because they have no framework at ``level`` (or none at
    all): they are not drawn as countries carrying nothing; those a default selection of every country
    leaves out as known only from ``secondary`` sources; and those drawn although their frameworks map to
    no concept (:func:`workbench.analysis.known.carrying_nothing`), whose empty rows a reader would
    otherwise take for missing data. Empty when there is nothing to say."""
    lang = _lang(lang)
    names = ", ".join(country_name(c, lang) for c in countries)
    parts = []
    if names:
        key = "ui.left_out_level" if level else "ui.left_out_any"
        level_word = t(f"params.level_{level}", lang) if level else ""
        parts.append(t(key, lang, names=names, level=level_word))
    second = ", ".join(country_name(c, lang) for c in secondary)
    if second:
        parts.append(t("ui.left_out_secondary", lang, names=second))
    empty = ", ".join(country_name(c, lang) for c in carrying_nothing)
    if empty:
        parts.append(t("ui.carrying_nothing", lang, names=empty))
    return HTML("".join(f'<p class="wb-left-out">{html.escape(p)}</p>' for p in parts))


def rolled_up_html(rolled: pd.DataFrame, concepts: pd.DataFrame, lang: str | None = None) -> HTML:
    """A note for a report at the broad level: which narrower concepts of the compared frameworks count as
    their broader one, and whose (:func:`workbench.analysis.compare.rolled_up`), or that none does, so
    that a reader who finds it the same as at the curated level knows why."""
    lang = _lang(lang)
    if rolled.empty:
        return HTML(f'<p class="wb-left-out">{html.escape(t("ui.broad_changes_nothing", lang))}</p>')
    labels = concept_labels(concepts, lang)
    pairs = "; ".join(f"{labels[r.concept_id]} → {labels[r.broader]} ({', '.join(country_name(c, lang) for c in r.countries)})"
                      for r in rolled.itertuples())
    return HTML(f'<p class="wb-left-out">{html.escape(t("ui.broad_rolled_up", lang, pairs=pairs))}</p>')


def uncertain_similarity_html(countries: Iterable[str], lang: str | None = None) -> HTML:
    """A note naming the countries known only from partial sources, whose similarities to the others
    (and so their place on the map and in the clusters) are uncertain: what was not read may add
    shared concepts or others. Empty when every country is known in full."""
    lang = _lang(lang)
    names = ", ".join(country_name(c, lang) for c in countries)
    return HTML(f'<p class="wb-left-out">{html.escape(t("ui.similarity_uncertain", lang, names=names))}</p>' if names else "")


def _coverage(r: Any, lang: str) -> str:
    """What a reader must know of a framework's source: partial (with what is missing), secondary, archived."""
    marks = []
    if r.get("coverage") == "partial":
        marks.append(t("ui.partial_framework", lang, missing=" ".join(str(r.get("missing") or "").split())))
    kind = r.get("source_kind")
    if kind in ("secondary", "official-archived"):
        marks.append(t("ui.secondary_source" if kind == "secondary" else "ui.archived_source", lang))
    return "".join(f'<br><span class="wb-coverage">{cited_text_html(m, lang)}</span>' for m in marks)


def changes_frame(changes: Any, concepts: Any, lang: str | None = None) -> Any:
    """The what-changed rows (:func:`workbench.analysis.changes.lineage_changes`) as a reader reads them:
    concept labels in ``lang`` instead of ids, the dates' citation as the source."""
    from workbench.model.taxonomy import concept_labels  # deferred: pandas' tables, only when a report shows changes

    lang = _lang(lang)
    labels = concept_labels(concepts, lang)
    named = lambda cell: "; ".join(labels.get(c, c) for c in str(cell).split(";") if c) or "—"  # noqa: E731
    out = changes.assign(**{c: changes[c].map(named) for c in ("gained", "lost", "kept", "gained_or_unread", "lost_or_unread")})
    out = out.rename(columns={"dates_source": "source"})
    cols = ["country", "from_version", "to_version", "in_force_from", "gained", "lost", "kept", "gained_or_unread", "lost_or_unread", "source"]
    return out[[c for c in cols if c in out.columns]]


def versions_frame(versions: Any) -> Any:
    """Every version of every lineage: country, title, version, in force from and to, and the dates' source."""
    out = versions.drop(columns=["source"], errors="ignore").rename(columns={"dates_source": "source"})
    out = out.assign(in_force_from=out["in_force_from"].map(str), in_force_to=out["in_force_to"].map(lambda v: "" if v is None or v != v else str(v)))
    return out.rename(columns={"title": "framework"})[["country", "framework", "version", "in_force_from", "in_force_to", "source"]]
