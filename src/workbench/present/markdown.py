"""The recommendations as one markdown document (``workbench recommend --format markdown``).

The ranked lists, the score explained, one cited evidence section per recommendation, the
side-by-side table with the papers and the references: laid out here, computed in
:mod:`workbench.analysis`.
"""
from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from workbench.analysis.evidence import cite, fmt
from workbench.analysis.papers import paper_findings, paper_rows, recovered_share
from workbench.analysis.recommend import GapAnalysis, evidence
from workbench.model.i18n import country_name, t, value_word
from workbench.model.schema import LIST_SEP
from workbench.model.settings import SCORE_EXPLANATION
from workbench.model.taxonomy import concept_labels
from workbench.present.citations import source_labels
from workbench.present.evidence import evidence_markdown, evidence_strings, md_escape, plain_citation

__all__ = ["RANKED_MARKDOWN_COLUMNS", "FINDINGS_MARKDOWN_COLUMNS", "frame_markdown", "options_table", "options_json", "options_markdown", "OPTION_TABLE_COLUMNS", "render_markdown", "render_findings"]


#: The ranked lists' columns in the markdown, as a reader knows them (the CSV keeps every column and id;
#: the governance context of each concept is in its evidence section, its indicators named).
RANKED_MARKDOWN_COLUMNS = ["rank", "concept", "kaz_status", "options", "model_countries", "score", "stability", "papers"]


def _header_row(columns: list[str], lang: str) -> list[str]:
    """A markdown table's header and rule, each column named as the pages name it (``columns.*``)."""
    return ["| " + " | ".join(md_escape(t(f"columns.{c}", lang)) for c in columns) + " |", "|" + "---|" * len(columns)]


def _ranked_markdown(recs: pd.DataFrame, cited: Mapping[str, str], labels: Mapping[str, str], lang: str) -> list[str]:
    """The ranked lists as markdown tables, one per list: concepts by label in ``lang``, countries by name, papers by author-year."""
    named = recs.assign(concept=[labels.get(c, label) for c, label in zip(recs["concept_id"], recs["label"])],
                        kaz_status=recs["kaz_status"].map(lambda v: value_word(v, lang)),
                        model_countries=recs["model_countries"].map(lambda v: ", ".join(country_name(c, lang) for c in str(v).split(LIST_SEP) if c)),
                        options=recs["options"].map(lambda v: str(len([o for o in str(v).split(LIST_SEP) if o]))),
                        papers=recs["papers"].map(lambda v: "; ".join(cited.get(p, p) for p in str(v).split(LIST_SEP) if p)))
    lists = evidence_strings(lang)
    lines = []
    for name, part in named.groupby("scope", sort=False):
        title = lists.get(f"list_{name}", name)
        lines += ["", f"## Ranked: {title}", "", *_header_row(RANKED_MARKDOWN_COLUMNS, lang)]
        lines += ["| " + " | ".join(fmt(r[c]) if isinstance(r[c], float) else md_escape(r[c]) for c in RANKED_MARKDOWN_COLUMNS) + " |"
                  for _, r in part.iterrows()]
    return lines


class _Cited(dict):
    """Author-year labels of the sources (:func:`~workbench.present.citations.source_labels`) that remember
    every source the document names through them, in a citation or inside a locator: its References."""

    def __init__(self, labels: Mapping[str, str]):
        super().__init__(labels)
        self.named: set[str] = set()

    def get(self, key, default=None):
        if key in self:
            self.named.add(key)
        return super().get(key, default)


def _references(sources: pd.DataFrame, cited: _Cited) -> list[str]:
    """One entry per source the document named (by id or, for a seed, by file name), by author-year."""
    ids = {f: i for i, f in zip(sources["id"], sources["file"]) if isinstance(f, str) and f}
    named = sorted({ids.get(k, k) for k in cited.named}, key=lambda i: dict.get(cited, i, i))
    return [f"- **{md_escape(dict.get(cited, i, i))}**: {md_escape(cite(sources, i))}" for i in named]


def render_markdown(gaps: GapAnalysis, recs: pd.DataFrame, draws: int | None = None, seed: int | None = None,
                    lang: str = "en") -> str:
    """The ranked lists, the score explained, one cited evidence section per recommendation, the
    side-by-side table with the papers, and the references; concepts, countries, frameworks and
    sources named as the reader knows them (the CSV keeps the ids)."""
    w = gaps.settings.weights.model_dump()
    cited = _Cited(source_labels(gaps.sources, lang))
    titles = gaps.framework_titles or {}
    lines = ["# Recommendations for Kazakhstan's civil service", ""]
    lines.append(f"Peers: {', '.join(country_name(c, lang) for c in gaps.peers)}. "
                 f"Baseline: {md_escape('; '.join(titles.get(f, f) for f in gaps.baseline_frameworks))}. "
                 f"{t(f'sections.ranked_lists_{gaps.scope}', lang)} Data {gaps.data_version}, taxonomy {gaps.taxonomy_version}.")
    lines += ["", "## How the score is computed", "", SCORE_EXPLANATION, "",
              "Weights: " + ", ".join(f"{k} {fmt(v)}" for k, v in w.items())
              + f". Papers in paper_sources: {md_escape(', '.join(cited.get(s, s) for s in gaps.settings.paper_sources or []))}; "
              f"paper frameworks: {md_escape('; '.join(titles.get(f, f) for f in gaps.settings.paper_frameworks or []))}."]
    if draws:
        p = gaps.settings.perturbation
        lines.append(f"Stability: share of {draws} draws (each weight × uniform({1 - p:g}, {1 + p:g})"
                     + (f", seed {seed}" if seed is not None else "") + ") in which the concept stays in its top list.")
    labels = concept_labels(gaps.concepts, lang).to_dict() if gaps.concepts is not None else {}
    lines += _ranked_markdown(recs, cited, labels, lang)
    lines += ["", "## Policy options of the ranked concepts", ""]
    shown_ids = list(dict.fromkeys(o for cell in recs["options"] for o in str(cell).split(LIST_SEP) if o))
    chosen = gaps.options.set_index("option_id").loc[shown_ids].reset_index() if shown_ids else gaps.options.iloc[:0]
    lines.append(options_markdown(chosen, gaps.sources, lang, register=gaps.options, concepts=gaps.concepts, cited=cited))
    lines += ["", "## Evidence", ""]
    for _, r in recs.iterrows():
        ev = evidence(gaps, r["concept_id"], int(r["rank"]), r["scope"], float(r["stability"]))
        lines.append(evidence_markdown(ev, lang, cited))
    if len(gaps.risks):
        lines += ["## Risks (apply to every recommendation)", ""]
        lines += [f"- {md_escape(r['label'])} {_cite_md(cited, r['source'], r['locator'])}" for _, r in gaps.risks.iterrows()]
        lines.append("")
    findings = paper_findings(gaps, top=int(recs.groupby("scope")["rank"].max().max()))
    lines += ["## Side by side with the source papers", "", render_findings(findings, cited, labels, lang), ""]
    lines += ["## References", "", *_references(gaps.sources, cited)]
    return "\n".join(lines) + "\n"


#: The side-by-side table's columns in the markdown, as the report's page names them.
FINDINGS_MARKDOWN_COLUMNS = ["paper", "recommendation", "concept", "list", "rank", "kaz_status", "verdict", "comment"]


def render_findings(findings: pd.DataFrame, cited: Mapping[str, str] | None = None, labels: Mapping[str, str] | None = None,
                    lang: str = "en") -> str:
    """The findings as a markdown table, with the recovered share overall and per paper: papers and
    citations by author-year (``cited``), concepts by label (``labels``)."""
    cited, labels, lists = cited or {}, labels or {}, evidence_strings(lang)
    lines = _header_row(FINDINGS_MARKDOWN_COLUMNS, lang)
    for _, r in findings.iterrows():
        rec = f"{md_escape(r['recommendation'])} {_cite_md(cited, r['source'], r['locator'])}" if r["source"] else ""
        cells = [md_escape(cited.get(r["paper"], r["paper"])), rec, md_escape(labels.get(r["concept_id"], r["concept_id"])),
                 md_escape(lists.get(f"list_{r['list']}", r["list"]) if r["list"] else ""),
                 "" if pd.isna(r["rank"]) else str(r["rank"]), md_escape(value_word(r["kaz_status"], lang)),
                 md_escape(r["verdict"]), md_escape(r["comment"])]
        lines.append("| " + " | ".join(cells) + " |")
    got, total = recovered_share(findings)
    lines.append("")
    lines.append(f"Recovered: {got} of {total} paper recommendations ({got / total:.0%})." if total else "No paper recommendations.")
    mine, touched = paper_rows(findings), findings["verdict"] == "touched"
    for paper, g in findings[mine].groupby("paper"):
        k, n = recovered_share(g)
        lines.append(f"- {md_escape(cited.get(paper, paper))}: {k} of {n} recovered.")
    lines.append(f"New (in our top lists, neither recommended nor touched by any paper's recommendation): {int((findings['verdict'] == 'new').sum())}.")
    lines.append(f"Touched: {int((touched & mine).sum())} recommendations only related to a concept of the top lists; "
                 f"{int((touched & ~mine).sum())} concepts of the top lists carried beside a better ranked concept or related.")
    sizes = findings.attrs.get("list_sizes", {})
    if sizes:
        # a top 10 out of 11 system concepts recovers almost anything: the reader needs the list sizes
        lines.append("List sizes: " + ", ".join(f"{lists.get(f'list_{k}', k)} {v} concepts" for k, v in sizes.items())
                     + f"; top {findings.attrs.get('top')} of each list counts as recovered.")
    return "\n".join(lines) + "\n"


# -- the register of options (workbench options) ----------------------------------------------------

#: The columns of ``workbench options --format csv``: lists ``;``-joined, texts in the chosen language.
OPTION_TABLE_COLUMNS = ["option_id", "concepts", "title", "text_status", "kaz_status", "kaz_source", "kaz_locator",
                        "planned", "model_countries", "audience", "instrument", "phase", "prerequisites", "cost_level",
                        "carries", "file", "line"]


def options_table(options: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """The register as a flat table (:data:`OPTION_TABLE_COLUMNS`): one row per option, texts in ``lang``."""
    joined = lambda col: options[col].map(lambda v: ";".join(v))  # noqa: E731
    return pd.DataFrame({
        "option_id": options["option_id"], "concepts": joined("concepts"), "title": options[f"title_{lang}"],
        "text_status": options[f"text_status_{lang}"], "kaz_status": options["kaz_status"],
        "kaz_source": options["kaz_source"], "kaz_locator": options["kaz_locator"],
        "planned": options["plans"].map(lambda ps: ";".join(f"{p['source']}: {p['locator']}" for p in ps)),
        "model_countries": joined("model_countries"), "audience": joined("audience"), "instrument": options["instrument"],
        "phase": options["phase"], "prerequisites": joined("prerequisites"), "cost_level": options["cost_level"],
        "carries": joined("carries"), "file": options["file"], "line": options["line"],
    }, columns=OPTION_TABLE_COLUMNS)


def options_json(options: pd.DataFrame, lang: str = "en") -> str:
    """The register as JSON: every field of every option (texts in all three languages)."""
    import json  # deferred: only this output needs it

    records = options.drop(columns=["file", "line"]).to_dict("records")
    return json.dumps(records, ensure_ascii=False, indent=1, default=list) + "\n"


def _cite_md(cited: Mapping[str, str], source: str, locator: str) -> str:
    """A citation as the pages write it, author-year (``cited``: :func:`~workbench.present.citations.source_labels`;
    the id when the data does not hold it) and place: ``[Davletbayeva et al. 2025, Table 2]``."""
    return f"[{md_escape(plain_citation(source, locator, cited))}]"


def _option_md(o: Any, cited: Mapping[str, str], labels: Mapping[str, str], titles: Mapping[str, str], lang: str) -> list[str]:
    """One option as the report's page gives it (:func:`workbench.present.options.option_html`), in ``lang``:
    its words, countries by name, sources by author-year, concepts by label; the ids stay in the JSON and CSV."""
    text = lambda key: md_escape(o[f"{key}_{lang}"])  # noqa: E731
    cite = lambda source, locator: _cite_md(cited, source, locator)  # noqa: E731
    draft = "" if o[f"text_status_{lang}"] == "reviewed" else f" *[{t('options.draft', lang)}]*"
    how = " · ".join([", ".join(t(f"options.audience_{a}", lang) for a in o["audience"]), t(f"options.instrument_{o['instrument']}", lang),
                      t(f"options.phase_{o['phase']}", lang)])
    plans = [f"{md_escape(p[f'text_{lang}'])} {cite(p['source'], p['locator'])}" for p in o["plans"]] or [t("options.not_planned", lang)]
    lines = [f"## {text('title')}{draft}", "", f"{t('options.serves', lang)}: {md_escape(', '.join(labels.get(c, c) for c in o['concepts']))}",
             "", text("rationale"), ""]
    lines += [f"- {t('options.models', lang)}: {md_escape(country_name(m['country'], lang))} {cite(m['source'], m['locator'])}" for m in o["models"]]
    lines.append(f"- {t('options.kaz_now', lang)}: **{md_escape(value_word(o['kaz_status'], lang))}**. {text('kaz_text')} "
                 f"{cite(o['kaz_source'], o['kaz_locator'])}")
    lines += [f"- {t('options.kaz_plans', lang)}: {p}" for p in plans]
    lines.append(f"- {t('options.how', lang)}: {md_escape(how)}")
    if o["prerequisites"]:
        lines.append(f"- {t('options.prerequisites', lang)}: {md_escape('; '.join(titles.get(p, p) for p in o['prerequisites']))}")
    risk_cite = f" {cite(o['risk_source'], o['risk_locator'])}" if o["risk_source"] else ""
    return lines + [f"- {t('options.cost', lang)}: {md_escape(t('options.cost_' + o['cost_level'], lang))}: {text('cost_reason')}",
                    f"- {t('options.risk', lang)}: {text('risk')}{risk_cite}",
                    f"- {t('options.indicator', lang)}: {text('indicator')} ({t('options.measured_in', lang)}: {text('measured_in')})", ""]


def options_markdown(options: pd.DataFrame, sources: pd.DataFrame, lang: str = "en", concepts: pd.DataFrame | None = None,
                     register: pd.DataFrame | None = None, cited: Mapping[str, str] | None = None) -> str:
    """The register as markdown in ``lang``: per option its title, rationale, models, Kazakhstan now and
    planned, and how (:func:`_option_md`). ``concepts`` label what an option serves; ``register`` (default
    ``options``) titles the options one needs first; ``cited``: the sources' author-year labels, when a
    document that holds the register already has them (:func:`render_markdown`'s, which lists what it cites)."""
    labels = concept_labels(concepts, lang) if concepts is not None else {}
    every = options if register is None else register
    titles = dict(zip(every["option_id"], every[f"title_{lang}"]))
    cited = source_labels(sources, lang) if cited is None else cited
    lines = [line for _, o in options.iterrows() for line in _option_md(o, cited, labels, titles, lang)]
    return "\n".join(lines) + "\n" if lines else t("options.none_match", lang) + "\n"


def frame_markdown(frame: pd.DataFrame) -> str:
    """Any table as a markdown table, every cell on one line (pandas' ``to_markdown`` needs tabulate)."""
    lines = ["| " + " | ".join(md_escape(c) for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(md_escape(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"
