"""The timeline of frameworks: countries and lineages down the side, years along, each version a bar, and
Kazakhstan's own policy steps (``data/anchors.yaml``) as markers."""
from __future__ import annotations

import textwrap
from datetime import date

import pandas as pd
from matplotlib.patches import Patch
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from workbench.model.i18n import check_language, country_name, country_prefixed, t
from workbench.model.versions import first_day, last_day
from workbench.present.figures import _literal_text, _plain

__all__ = ["timeline_figure", "numbered_anchors"]


@_literal_text
def timeline_figure(versions: pd.DataFrame, anchors: pd.DataFrame, today: date, lang: str = "en", size: float = 9.0) -> Figure:
    """``versions``: every dated version (:func:`workbench.analysis.changes.lineages`); a version still in
    force runs to ``today``. ``anchors``: dated policy steps, drawn as markers on their country's row."""
    check_language(lang)
    rows = list(dict.fromkeys(zip(versions["country"], versions["lineage"])))
    anchor_countries = list(dict.fromkeys(anchors["country"])) if len(anchors) else []
    fig = Figure(figsize=(size, 0.55 * (len(rows) + len(anchor_countries)) + 1.6))
    ax = fig.add_subplot()
    labels, partial = [], False
    for y, (country, lineage) in enumerate(rows):
        mine = versions[(versions["country"] == country) & (versions["lineage"] == lineage)]
        for k, (_, v) in enumerate(mine.iterrows()):
            start, end = first_day(v["in_force_from"]), last_day(v["in_force_to"]) or today
            known_in_part = v.get("coverage") == "partial"  # unknown is not absent: a hatched bar
            partial |= known_in_part
            ax.barh(y, date2num(end) - date2num(start), left=date2num(start), height=0.6, color=("#1f5c99", "#6f9fd0")[k % 2],
                    edgecolor="white", hatch="///" if known_in_part else None)
            short = date2num(end) - date2num(start) < 700  # a bar under two years: its label beside it
            ax.text(date2num(end) + 60 if short else date2num(start) + 60, y, str(v["version"] or ""), va="center", fontsize=7,
                    color="#333333" if short else "white")
        # the lineage named by its latest version, wrapped rather than cut
        labels.append(textwrap.fill(country_prefixed(country, str(mine['title'].iloc[-1]), lang), 44, max_lines=2, placeholder=" …"))
    numbered = numbered_anchors(anchors)
    for j, country in enumerate(anchor_countries):
        y = len(rows) + j
        for _, a in numbered[numbered["country"] == country].iterrows():
            x = date2num(first_day(a["date"]))
            ax.plot([x], [y], marker="D", color="#d55e00", markersize=7)
            # its number in the list of steps printed under the figure; above and below in turn, so that
            # two steps a few weeks apart stay readable
            ax.annotate(str(a["№"]), (x, y), xytext=(0, 7 if a["№"] % 2 else -13), textcoords="offset points", ha="center",
                        fontsize=7, color="#333333")
        labels.append(f"{country_name(country, lang)}: {t('figures.timeline_anchors', lang)}")
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.invert_yaxis()
    ax.xaxis_date()
    ax.axvline(date2num(today), color="#888888", lw=0.8, ls="--")
    ax.set_title(t("figures.timeline_title", lang), fontsize=11)
    if partial:
        ax.legend(handles=[Patch(facecolor="#6f9fd0", hatch="///", edgecolor="white", label=t("figures.partial_version", lang))],
                  loc="lower left", fontsize=7, frameon=False)
    fig.tight_layout()
    return _plain(fig)


def numbered_anchors(anchors: pd.DataFrame) -> pd.DataFrame:
    """The policy steps in the order the timeline numbers them (by country as they first appear,
    then by date), with their number in a ``№`` column first: the key to the figure's markers."""
    if anchors is None or not len(anchors):
        return pd.DataFrame(columns=["№", "country", "date", "policy_step", "source", "locator"])
    order = {c: i for i, c in enumerate(dict.fromkeys(anchors["country"]))}
    out = anchors.assign(_c=anchors["country"].map(order), _d=anchors["date"].map(lambda d: str(first_day(d))))
    out = out.sort_values(["_c", "_d"], kind="stable").drop(columns=["_c", "_d"]).reset_index(drop=True)
    out.insert(0, "№", range(1, len(out) + 1))
    return out.rename(columns={"title": "policy_step"})[["№", "country", "date", "policy_step", "source", "locator"]]
