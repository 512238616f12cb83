"""The one-page summary that opens a recommendations report: the first options of each list, one
line on what each rests on, and what the reader should be careful about.

Nothing here is advice of its own: the options are the register's (``data/options/``), the line on
what carries a recommendation is :meth:`workbench.analysis.evidence.Evidence.carried_line`, and each
caution is a check of the analysis (draft texts, partial or secondary sources among the peers,
ranks that depend on the weights, statuses nobody could establish).
"""
from __future__ import annotations

import html
from typing import Any

import pandas as pd

from workbench.analysis.options import options_of
from workbench.analysis.recommend import undecided_contenders
from workbench.model.i18n import country_name, date_text, number, percent, t, tn
from workbench.present.page import HTML, _lang, section
from workbench.present.options import _text

__all__ = ["summary_html", "cautions"]


def _first_option(options: pd.DataFrame, concept_id: str, lang: str) -> str:
    mine = options_of(options, concept_id)
    if mine.empty:
        return html.escape(t("options.no_option", lang))
    first = _text(mine.iloc[0], "title", lang)
    more = len(mine) - 1
    return first + (f" <span class=\"wb-more-options\">({html.escape(t('summary.more_options', lang, n=number(more, lang, 0)))})</span>" if more else "")


def _list_html(evidence: list[Any], options: pd.DataFrame, labels: dict[str, str], lang: str) -> str:
    items = []
    for ev in evidence:
        items.append(f'<li><b>{html.escape(labels.get(ev.concept_id, ev.label))}</b> — {_first_option(options, ev.concept_id, lang)}'
                     f'<br><span class="wb-why">{html.escape(ev.carried_line(lang))}</span></li>')
    return f'<ol class="wb-summary-list">{"".join(items)}</ol>'


def cautions(gaps: Any, shown: list[Any], lang: str, top: int | None = None) -> list[str]:
    """What the reader should be careful about, each a sentence from a check of the analysis
    (``top``: the length of the report's lists, by default the last rank ``shown``)."""
    out = []
    ids = {oid for ev in shown for oid in options_of(gaps.options, ev.concept_id)["option_id"]}
    shown_options = gaps.options[gaps.options["option_id"].isin(ids)]
    if len(shown_options) and (shown_options[f"text_status_{lang}"] != "reviewed").any():
        out.append(t("summary.caution_drafts", lang))
    # next to the other caution on the options: after the undecided concepts, "their options" read as theirs
    undecided = int((shown_options["kaz_status"] == "undecided").sum())
    if undecided:
        out.append(t("summary.caution_undecided", lang, n=number(undecided, lang, 0)))
    unknown = sorted({p for ev in shown for p in ev.peers_unknown})
    if unknown:
        out.append(tn("summary.caution_partial", len(unknown), lang, names=", ".join(country_name(c, lang) for c in unknown)))
    unstable = [ev for ev in shown if ev.stability == ev.stability and ev.stability < 0.5]
    if unstable:
        out.append(t("summary.caution_unstable", lang, n=number(len(unstable), lang, 0), share=percent(0.5, lang, 0)))
    top = top if top is not None else max((ev.rank for ev in shown), default=0)
    contenders = undecided_contenders(gaps, top) if top else pd.DataFrame(columns=["concept_id", "rank"])
    if len(contenders):  # not shown, yet ranked on no evidence either way: the reader should know
        labels = dict(zip(gaps.concepts["concept_id"], gaps.concepts[f"label_{lang}"]))
        items = ", ".join(f"{labels.get(c, c)} ({number(r, lang, 0)})" for c, r in zip(contenders["concept_id"], contenders["rank"]))
        out.append(tn("summary.caution_undecided_contenders", len(contenders), lang, items=items))
    if any(not ev.peers_carrying and len(ev.peers) > len(ev.peers_unknown) for ev in shown):  # said where a peer could show it
        out.append(t("summary.caution_no_peer", lang))
    if any(not ev.peers_carrying and ev.peers and len(ev.peers) == len(ev.peers_unknown) for ev in shown):  # and where none could
        out.append(t("summary.caution_no_peer_known", lang))
    secondary = getattr(gaps, "secondary_peers", ())
    if secondary:
        out.append(tn("summary.caution_secondary", len(secondary), lang, names=", ".join(country_name(c, lang) for c in secondary)))
    out.append(t("summary.caution_as_of", lang, date=date_text(gaps.as_of, lang) if gaps.as_of is not None else "—"))
    return out


def summary_html(gaps: Any, recs: pd.DataFrame, evidence: list[Any], labels: dict[str, str], lang: str | None = None,
                 per_list: int = 5) -> HTML:
    """The summary: per list, its first ``per_list`` concepts with their first option and what carries
    them (``evidence`` from :func:`workbench.analysis.recommend.evidence_for`), then the cautions."""
    lang = _lang(lang)
    parts = [section("summary", lang).markup]
    shown = []
    for name in dict.fromkeys(recs["scope"]):
        top = [ev for ev in evidence if ev.list_name == name][:per_list]
        shown += top
        parts.append(f"<h3>{html.escape(t(f'evidence.list_{name}', lang).capitalize())}</h3>")
        parts.append(_list_html(top, gaps.options, labels, lang))
    top = int(recs["rank"].max()) if len(recs) else 0  # the report's lists, of which the summary shows the head
    notes = "".join(f"<li>{html.escape(c)}</li>" for c in cautions(gaps, shown, lang, top))
    parts.append(f'<p><b>{html.escape(t("summary.careful", lang))}</b></p><ul class="wb-cautions">{notes}</ul>')
    return HTML(f'<div class="wb-summary">{"".join(parts)}</div>')
