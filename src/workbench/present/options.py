"""The register's policy options as a report shows them: per ranked concept, by need, as a roadmap, with their quotes.

Every text of an option is the register's own, in the report's language, marked as a draft
until its reviewer signs it; this module lays the records out and never writes advice. Quotes
are numbered in the order the options first use them, each linked from its option to the
appendix and back.
"""
from __future__ import annotations

import html
from typing import Any, Iterable

import pandas as pd

from workbench.analysis.options import carried_by, coverage, options_of, roadmap_graph, roadmap_order
from workbench.model.i18n import country_name, t, tn, value_word
from workbench.model.taxonomy import concept_labels
from workbench.present.citations import cite_html
from workbench.present.page import _CTX, HTML, _lang

__all__ = ["option_titles", "option_counts", "options_html", "coverage_frame", "needs_frame", "roadmap_frame", "quotes_html",
           "draft_legend_html", "quote_numbers", "with_carrying_options", "shown_options"]


#: The option card's labels and values side by side wherever it is shown: the reports' style sheet does it,
#: but JupyterLab's own rules for a definition list set labels and values adrift (a review in JupyterLab).
_DL_GRID = "display: grid; grid-template-columns: minmax(8em, 11em) 1fr; gap: .25em .9em"


def _text(o: Any, key: str, lang: str) -> str:
    """An option's text in ``lang``, escaped, with a visible draft mark while unreviewed: on the
    title only, since the review state covers every text of the option in that language."""
    body = html.escape(str(o[f"{key}_{lang}"]))
    if key == "title" and o[f"text_status_{lang}"] != "reviewed":
        body += f' <span class="wb-draft-mark">[{html.escape(t("options.draft", lang))}]</span>'
    return body


def _title_plain(o: Any, lang: str) -> str:
    mark = "" if o[f"text_status_{lang}"] == "reviewed" else f" [{t('options.draft', lang)}]"
    return f"{o[f'title_{lang}']}{mark}"


def option_titles(recs: pd.DataFrame, options: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """``recs`` with its ``options`` column (ids) replaced by the options' titles in ``lang``,
    or "no option written yet" for a concept the register has none for."""
    lang = _lang(lang)
    by_id = options.set_index("option_id")
    return recs.assign(options=recs["options"].map(lambda cell: _titles_of(cell, by_id, lang)))


def option_counts(recs: pd.DataFrame) -> pd.DataFrame:
    """``recs`` with its ``options`` column (ids) replaced by how many options each concept has: the
    short form of the ranking, whose titles are in the summary and the annex."""
    return recs.assign(options=recs["options"].map(lambda cell: len([i for i in str(cell or "").split(";") if i])))


def _titles_of(cell: str, by_id: pd.DataFrame, lang: str) -> str:
    """The titles of the ``;``-joined option ids of ``cell``, or "no option written yet"."""
    ids = [i for i in str(cell or "").split(";") if i]
    return "; ".join(_title_plain(by_id.loc[i], lang) for i in ids) if ids else t("options.no_option", lang)


def shown_options(recs: pd.DataFrame, options: pd.DataFrame) -> list[str]:
    """The ids of the options a report shows for ``recs``: those of each ranked concept, in rank order."""
    return list(dict.fromkeys(oid for c in recs["concept_id"] for oid in options_of(options, c)["option_id"]))


def _option_ref(oid: str, titles: dict[str, str], shown: Iterable[str]) -> str:
    """An option named by its title: a link where the report shows it, plain text where it does not."""
    title = html.escape(titles.get(oid, oid))
    return f'<a href="#option-{html.escape(oid, quote=True)}">{title}</a>' if oid in shown else title


def quote_numbers(recs: pd.DataFrame, options: pd.DataFrame) -> dict[str, int]:
    """Each quote's number in the appendix: in the order the options of the ranked concepts (``recs``,
    in rank order) first use it. Quotes of options no ranked concept shows are not numbered."""
    by_id = options.set_index("option_id")
    numbers: dict[str, int] = {}
    for oid in shown_options(recs, options):
        o = by_id.loc[oid]
        for qid in [q for m in o["models"] for q in m["quotes"]] + list(o["kaz_quotes"]) + [q for p in o["plans"] for q in p["quotes"]]:
            numbers.setdefault(qid, len(numbers) + 1)
    return numbers


def _quote_links(ids: Iterable[str], numbers: dict[str, int], lang: str) -> str:
    word = html.escape(t("options.quote", lang))
    return " ".join(f'<a class="wb-quote-ref" href="#quote-{html.escape(q, quote=True)}">[{word} {numbers[q]}]</a>'
                    for q in ids if q in numbers)


def _row(label: str, body: str) -> str:
    return f"<dt>{html.escape(label)}</dt><dd>{body}</dd>"


def _kazakhstan(o: Any, numbers: dict[str, int], lang: str) -> str:
    status = html.escape(value_word(o["kaz_status"], lang))
    now = (f"<b>{status}</b>. {_text(o, 'kaz_text', lang)} [{cite_html(o['kaz_source'], o['kaz_locator'], lang)}] "
           + _quote_links(o["kaz_quotes"], numbers, lang))
    plans = [f"{html.escape(p[f'text_{lang}'])}"
             + f" [{cite_html(p['source'], p['locator'], lang)}] " + _quote_links(p["quotes"], numbers, lang)
             for p in o["plans"]]
    planned = "<br>".join(plans) if plans else html.escape(t("options.not_planned", lang))
    return _row(t("options.kaz_now", lang), now) + _row(t("options.kaz_plans", lang), planned)


def _how(o: Any, titles: dict[str, str], shown: set[str], lang: str) -> str:
    aud = ", ".join(t(f"options.audience_{a}", lang) for a in o["audience"])
    needs = "; ".join(_option_ref(p, titles, shown) for p in o["prerequisites"])
    risk_cite = f" [{cite_html(o['risk_source'], o['risk_locator'], lang)}]" if o["risk_source"] else ""
    # who, by which instrument, when: one line, so that fifty options stay readable on paper
    how = " · ".join([aud, t(f"options.instrument_{o['instrument']}", lang), t(f"options.phase_{o['phase']}", lang)])
    parts = [_row(t("options.how", lang), html.escape(how))]
    if needs:
        parts.append(_row(t("options.prerequisites", lang), needs))
    parts += [
        _row(t("options.cost", lang), f"{html.escape(t('options.cost_' + o['cost_level'], lang))}: {_text(o, 'cost_reason', lang)}"),
        _row(t("options.risk", lang), _text(o, "risk", lang) + risk_cite),
        _row(t("options.indicator", lang), f"{_text(o, 'indicator', lang)} ({html.escape(t('options.measured_in', lang))}: "
                                             f"{_text(o, 'measured_in', lang)})"),
    ]
    return "".join(parts)


def option_html(o: Any, numbers: dict[str, int], titles: dict[str, str], shown: set[str], lang: str) -> str:
    """One option in full: title, rationale, model countries and quotes, Kazakhstan, how to implement."""
    labels = concept_labels(_CTX.concepts, lang) if _CTX.concepts is not None else {}
    models = "<br>".join(f"{html.escape(country_name(m['country'], lang))} [{cite_html(m['source'], m['locator'], lang)}] "
                         + _quote_links(m["quotes"], numbers, lang) for m in o["models"])
    serves = ", ".join(labels.get(c, c) for c in o["concepts"])
    return (f'<div class="wb-option" id="option-{html.escape(o["option_id"], quote=True)}">'
            f"<h4>{_text(o, 'title', lang)}</h4><p>{_text(o, 'rationale', lang)}</p><dl style='{_DL_GRID}'>"
            + _row(t("options.serves", lang), html.escape(serves))
            + _row(t("options.models", lang), models) + _kazakhstan(o, numbers, lang) + _how(o, titles, shown, lang)
            + "</dl></div>")


def options_html(recs: pd.DataFrame, options: pd.DataFrame, lang: str | None = None) -> HTML:
    """The options of every ranked concept, in rank order; an option serving several ranked concepts
    is shown in full once and linked from the others; a concept without one says so."""
    lang = _lang(lang)
    labels = concept_labels(_CTX.concepts, lang) if _CTX.concepts is not None else {}
    numbers = quote_numbers(recs, options)
    titles = {o["option_id"]: str(o[f"title_{lang}"]) for _, o in options.iterrows()}
    in_report = set(shown_options(recs, options))
    shown: dict[str, str] = {}
    parts = [f"<p>{html.escape(tn('options.options_count', len(options), lang))}</p>"]
    for _, r in recs.iterrows():
        cid = r["concept_id"]
        head = f"{r['rank']}. {labels.get(cid, cid)} ({t('evidence.list_' + r['scope'], lang)})"
        parts.append(f'<section class="wb-concept-options"><h3>{html.escape(head)}</h3>'
                     f"<p>{html.escape(t('columns.kaz_status', lang))}: <b>{html.escape(value_word(r['kaz_status'], lang))}</b></p>")
        mine = options_of(options, cid)
        if mine.empty:
            parts.append(f'<p class="wb-empty">{html.escape(t("options.no_option", lang))}</p>')
        for _, o in mine.iterrows():
            if o["option_id"] in shown:
                parts.append(f'<p><a href="#option-{html.escape(o["option_id"], quote=True)}">{_text(o, "title", lang)}</a>: '
                             f"{html.escape(t('options.also_under', lang, concept=shown[o['option_id']]))}</p>")
                continue
            shown[o["option_id"]] = labels.get(cid, cid)
            parts.append(option_html(o, numbers, titles, in_report, lang))
        parts.append("</section>")
    return HTML("".join(parts))


def coverage_frame(recs: pd.DataFrame, options: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Each ranked concept with its number of options and their titles (or "no option written yet")."""
    lang = _lang(lang)
    cov = coverage(recs, options)
    return option_titles(cov, options, lang)[["rank", "scope", "concept_id", "n_options", "options"]]


def needs_frame(need_rows: pd.DataFrame, options: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The measured needs (:func:`workbench.analysis.options.needs`) as a reader reads them: concept labels,
    ranks, option titles."""
    lang = _lang(lang)
    labels = concept_labels(_CTX.concepts, lang) if _CTX.concepts is not None else {}
    by_id = options.set_index("option_id")
    return pd.DataFrame({
        "need": need_rows["label"], "share_reporting": need_rows["value"].astype(float),  # a number in the downloads, a percentage on the page
        "concepts": need_rows["concepts"].map(lambda s: "; ".join(labels.get(c, c) for c in s.split(";") if c)),
        "ranks": need_rows.apply(lambda r: "; ".join(
            f"{k} ({t('evidence.list_' + li, lang)})" if k else "—"
            for k, li in zip(r["ranks"].split(";"), r["lists"].split(";"))), axis=1),
        "options": need_rows["options"].map(lambda s: _titles_of(s, by_id, lang)),
        "source": need_rows["source"],
    })


def roadmap_frame(options: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """Every option in order of work, numbered as in the roadmap figure, with its phase, instrument,
    audience, cost and the numbers of its prerequisites."""
    lang = _lang(lang)
    order = roadmap_order(roadmap_graph(options))
    number = {oid: i + 1 for i, oid in enumerate(order)}
    by_id = options.set_index("option_id")
    rows = []
    for oid in order:
        o = by_id.loc[oid]
        rows.append({"№": number[oid], "option": _title_plain(o, lang),
                     "phase": t(f"options.phase_{o['phase']}", lang),
                     "instrument": t(f"options.instrument_{o['instrument']}", lang),
                     "audience": ", ".join(t(f"options.audience_{a}", lang) for a in o["audience"]),
                     "cost_level": t(f"options.cost_{o['cost_level']}", lang),
                     "prerequisites": ", ".join(str(number[p]) for p in o["prerequisites"] if p in number)})
    return pd.DataFrame(rows, columns=["№", "option", "phase", "instrument", "audience", "cost_level", "prerequisites"])


def quotes_html(quotes: pd.DataFrame, options: pd.DataFrame, recs: pd.DataFrame, lang: str | None = None) -> HTML:
    """The appendix of quotes of the options shown for ``recs``, numbered as in those options, each in
    its own language, cited, and linked back to the options that use it."""
    lang = _lang(lang)
    numbers = quote_numbers(recs, options)
    users: dict[str, list[str]] = {}
    for _, o in options.iterrows():
        used = [q for m in o["models"] for q in m["quotes"]] + list(o["kaz_quotes"]) + [q for p in o["plans"] for q in p["quotes"]]
        for q in dict.fromkeys(used):
            users.setdefault(q, []).append(o["option_id"])
    by_id = quotes.set_index("quote_id")
    titles = {o["option_id"]: str(o[f"title_{lang}"]) for _, o in options.iterrows()}
    in_report = set(shown_options(recs, options))
    items = []
    for qid, n in sorted(numbers.items(), key=lambda kv: kv[1]):
        q = by_id.loc[qid]
        back = "; ".join(_option_ref(o, titles, in_report) for o in users.get(qid, []) if o in in_report)
        items.append(f'<li id="quote-{html.escape(qid, quote=True)}" value="{n}"><q lang="{html.escape(q["lang"], quote=True)}">'
                     f"{html.escape(q['text'])}</q> [{cite_html(q['source'], q['locator'], lang)}]"
                     f"<br><small>{html.escape(t('options.quoted_by', lang))}: {back}</small></li>")
    return HTML(f'<ol class="wb-quotes">{"".join(items)}</ol>')


def with_carrying_options(findings: pd.DataFrame, options: pd.DataFrame, lang: str | None = None) -> pd.DataFrame:
    """The side-by-side findings (:func:`workbench.analysis.papers.paper_findings`) with the titles of
    the options that carry each recommendation of the papers (``options`` column, after ``recommendation``)."""
    lang = _lang(lang)
    carried = carried_by(options)
    by_id = options.set_index("option_id")
    titles = findings["subject_id"].map(lambda s: _titles_of(";".join(carried.get(s, [])), by_id, lang) if s else "")
    out = findings.copy()
    out.insert(list(out.columns).index("recommendation") + 1, "options", titles)
    # the rank with its list in one cell, and no model country: the table must fit a page
    out["rank"] = [f"{int(r)} ({value_word(li, lang)})" if r == r and li else "" for r, li in zip(out["rank"], out["list"])]
    return out.drop(columns=["list", "model_country"])


def draft_legend_html(lang: str | None = None) -> HTML:
    """What the draft mark on an option's text means."""
    lang = _lang(lang)
    return HTML(f'<p class="wb-draft">[{html.escape(t("options.draft", lang))}] {html.escape(t("options.draft_legend", lang))}</p>')
