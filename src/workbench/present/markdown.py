"""The recommendations as one markdown document (``workbench recommend --format markdown``).

The ranked lists, the score explained, one cited evidence section per recommendation, the
side-by-side table with the papers and the references: laid out here, computed in
:mod:`workbench.analysis`.
"""
from __future__ import annotations

import pandas as pd

from workbench.analysis.evidence import cite, fmt
from workbench.analysis.papers import paper_findings, paper_rows, recovered_share
from workbench.analysis.recommend import GapAnalysis, evidence
from workbench.model.settings import SCORE_EXPLANATION
from workbench.present.evidence import md_escape, evidence_markdown

__all__ = ["frame_markdown", "options_table", "options_json", "options_markdown", "OPTION_TABLE_COLUMNS", "render_markdown", "render_findings"]


def render_markdown(gaps: GapAnalysis, recs: pd.DataFrame, draws: int | None = None, seed: int | None = None,
                    lang: str = "en") -> str:
    """The ranked lists, the score explained, one cited evidence section per recommendation, the
    side-by-side table with the papers, and the references."""
    w = gaps.settings.weights.model_dump()
    lines = ["# Recommendations for Kazakhstan's civil service", ""]
    lines.append(f"Peers: {', '.join(gaps.peers)}. Baseline: {gaps.baseline} ({', '.join(gaps.baseline_frameworks)}). "
                 f"Lists: {gaps.scope}. Data {gaps.data_version}, taxonomy {gaps.taxonomy_version}.")
    lines += ["", "## How the score is computed", "", SCORE_EXPLANATION, "",
              "Weights: " + ", ".join(f"{k} {fmt(v)}" for k, v in w.items())
              + f". Papers in paper_sources: {', '.join(gaps.settings.paper_sources or [])}; "
              f"paper frameworks: {', '.join(gaps.settings.paper_frameworks or [])}."]
    if draws:
        p = gaps.settings.perturbation
        lines.append(f"Stability: share of {draws} draws (each weight × uniform({1 - p:g}, {1 + p:g})"
                     + (f", seed {seed}" if seed is not None else "") + ") in which the concept stays in its top list.")
    shown = ["rank", "scope", "concept_id", "kaz_status", "options", "model_countries", "score", "stability", "governance_context", "papers"]
    for name, part in recs.groupby("scope", sort=False):
        lines += ["", f"## Ranked: {name}", "", "| " + " | ".join(shown) + " |", "|" + "---|" * len(shown)]
        for _, r in part.iterrows():
            cells = [fmt(r[c]) if isinstance(r[c], float) else md_escape(r[c]) for c in shown]
            lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Policy options of the ranked concepts", ""]
    shown_ids = list(dict.fromkeys(o for cell in recs["options"] for o in str(cell).split(";") if o))
    chosen = gaps.options.set_index("option_id").loc[shown_ids].reset_index() if shown_ids else gaps.options.iloc[:0]
    lines.append(options_markdown(chosen, gaps.sources, lang))
    lines += ["", "## Evidence", ""]
    cited: set[str] = set()
    for _, r in recs.iterrows():
        ev = evidence(gaps, r["concept_id"], int(r["rank"]), r["scope"], float(r["stability"]))
        lines.append(evidence_markdown(ev, lang))
        cited |= set(ev.citations["source"])
    if len(gaps.risks):
        lines += ["## Risks (apply to every recommendation)", ""]
        lines += [f"- {md_escape(r['label'])} [{r['source']}: {md_escape(r['locator'])}]" for _, r in gaps.risks.iterrows()]
        lines.append("")
    findings = paper_findings(gaps, top=int(recs.groupby("scope")["rank"].max().max()))
    lines += ["## Side by side with the source papers", "", render_findings(findings), ""]
    cited |= set(findings["source"]) - {""}
    lines += ["## References", ""]
    lines += [f"- **{s}**: {md_escape(cite(gaps.sources, s))}" for s in sorted(cited)]
    return "\n".join(lines) + "\n"




def render_findings(findings: pd.DataFrame) -> str:
    """The findings as a markdown table, with the recovered share overall and per paper."""
    cols = ["paper", "recommendation", "concept_id", "list", "rank", "kaz_status", "verdict", "comment"]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in findings.iterrows():
        rec = f"{r['recommendation']} [{r['source']}: {r['locator']}]" if r["source"] else ""
        cells = [r["paper"], rec, r["concept_id"], r["list"], "" if pd.isna(r["rank"]) else str(r["rank"]),
                 r["kaz_status"], r["verdict"], r["comment"]]
        lines.append("| " + " | ".join(md_escape(c) for c in cells) + " |")
    got, total = recovered_share(findings)
    lines.append("")
    lines.append(f"Recovered: {got} of {total} paper recommendations ({got / total:.0%})." if total else "No paper recommendations.")
    mine, touched = paper_rows(findings), findings["verdict"] == "touched"
    for paper, g in findings[mine].groupby("paper"):
        k, n = recovered_share(g)
        lines.append(f"- {paper}: {k} of {n} recovered.")
    lines.append(f"New (in our top lists, neither recommended nor touched by any paper's recommendation): {int((findings['verdict'] == 'new').sum())}.")
    lines.append(f"Touched: {int((touched & mine).sum())} recommendations only related to a concept of the top lists; "
                 f"{int((touched & ~mine).sum())} concepts of the top lists carried beside a better ranked concept or related.")
    sizes = findings.attrs.get("list_sizes", {})
    if sizes:
        # a top 10 out of 11 system concepts recovers almost anything: the reader needs the list sizes
        lines.append("List sizes: " + ", ".join(f"{k} {v} concepts" for k, v in sizes.items())
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


def options_markdown(options: pd.DataFrame, sources: pd.DataFrame, lang: str = "en") -> str:
    """The register as markdown: per option its title, rationale, models, Kazakhstan now and planned, and how."""
    lines = []
    for _, o in options.iterrows():
        draft = "" if o[f"text_status_{lang}"] == "reviewed" else " *(draft)*"
        lines += [f"## {md_escape(o[f'title_{lang}'])}{draft}", "", f"`{o['option_id']}` · {', '.join(o['concepts'])}", "",
                  md_escape(o[f"rationale_{lang}"]), ""]
        lines += [f"- Model: {m['country']} [{m['source']}: {md_escape(m['locator'])}] quotes {', '.join(m['quotes'])}" for m in o["models"]]
        lines.append(f"- Kazakhstan now ({o['kaz_status']}): {md_escape(o[f'kaz_text_{lang}'])} [{o['kaz_source']}: {md_escape(o['kaz_locator'])}]")
        lines += [f"- Planned: {md_escape(p[f'text_{lang}'])} [{p['source']}: {md_escape(p['locator'])}]" for p in o["plans"]]
        lines.append(f"- {', '.join(o['audience'])} · {o['instrument']} · {o['phase']} · cost {o['cost_level']}"
                     + (f" · needs {', '.join(o['prerequisites'])}" if o["prerequisites"] else ""))
        lines += [f"- Risk: {md_escape(o[f'risk_{lang}'])}", f"- Indicator: {md_escape(o[f'indicator_{lang}'])} "
                  f"({md_escape(o[f'measured_in_{lang}'])})", ""]
    return "\n".join(lines) + "\n" if lines else "No option matches.\n"


def frame_markdown(frame: pd.DataFrame) -> str:
    """Any table as a markdown table, every cell on one line (pandas' ``to_markdown`` needs tabulate)."""
    lines = ["| " + " | ".join(md_escape(c) for c in frame.columns) + " |", "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(md_escape(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines) + "\n"
