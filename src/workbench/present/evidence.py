"""The evidence behind a recommendation laid out as markdown and as HTML.

:meth:`workbench.analysis.evidence.Evidence.blocks` says what the evidence is; this module only
lays those blocks out, so the two outputs always say the same thing.
"""
from __future__ import annotations

import html
import re
from typing import Mapping

from workbench.analysis.evidence import Evidence
from workbench.model.i18n import group, t, value_word
from workbench.present.citations import cite_html, labelled_text

__all__ = ["evidence_strings", "score_explanation_html", "md_escape", "plain_citation", "evidence_markdown", "evidence_html"]


def _sentence(text: str) -> str:
    """``text`` begun as a sentence (it follows a full stop: "partial. Score 0.625 = ...").

    >>> _sentence("оценка 0,625"), _sentence("")
    ('Оценка 0,625', '')
    """
    return text[:1].upper() + text[1:]


def evidence_strings(lang: str = "en") -> dict[str, str]:
    """Titles and phrases of the evidence blocks in ``lang`` (group ``evidence`` of the catalogue)."""
    return group("evidence", lang)



def score_explanation_html(lang: str = "en") -> str:
    """How the score is computed (``sections.how_scored_text`` of the catalogue) as an escaped paragraph."""
    # the formula's names (w_i, peer_share...) are set as variables, not read as words of the sentence
    text = html.escape(t("sections.how_scored_text", lang) + " " + t("sections.how_scored_undecided", lang) + " " + t("sections.how_scored_baseline", lang))
    return "<p>" + re.sub(r"\b[a-z]+(?:_[a-z]+)+\b", lambda m: f"<var>{m.group(0)}</var>", text) + "</p>"


def md_escape(text) -> str:
    r"""``text`` as one line of markdown that shows it as written: a table's pipe escaped, markup
    written as text (markdown passes HTML through, and a label in our data is never markup), and
    brackets escaped, so that no label becomes a link or an image.

    >>> print(md_escape("Vision | <img src=x onerror=alert(1)> &\n next"))
    Vision \| &lt;img src=x onerror=alert(1)&gt; &amp; next
    >>> print(md_escape("[click](javascript:alert(1)) ![x](y) a\\b"))
    \[click\](javascript:alert(1)) !\[x\](y) a\\b
    """
    text = html.escape(" ".join(str(text).split()), quote=False).replace("\\", "\\\\")
    return text.replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")


def plain_citation(source: str, locator: str, cited: Mapping[str, str]) -> str:
    """The plain-text citation of a row (markdown) as the pages write it: ``author-year, locator``
    (``cited``: :func:`~workbench.present.citations.source_labels`; the id where the data does not hold it)."""
    label = cited.get(source, source)
    return f"{label}, {labelled_text(locator, cited)}" if source and locator else str(label or "")


def _heading(ev: Evidence, lang: str) -> str:
    s = evidence_strings(lang)
    n = f"{ev.rank}. " if ev.rank else ""
    scope = f" [{s['list_' + ev.list_name]}]" if ev.list_name and f"list_{ev.list_name}" in s else ""
    return f"{n}{ev.label}{scope}"


def evidence_markdown(ev: Evidence, lang: str = "en", cited: Mapping[str, str] | None = None) -> str:
    """The evidence as a markdown section (``###`` heading, score, status, cited lists); ``cited``
    names each source as the pages do (:func:`~workbench.present.citations.source_labels`)."""
    s = evidence_strings(lang)
    cited = cited or {}
    lines = [f"### {md_escape(_heading(ev, lang))}", "",
             f"{s['kazakhstan']}: **{value_word(ev.kaz_status, lang)}**. {md_escape(_sentence(ev.score_line(lang)))}.", "",
             md_escape(f"{ev.carried_line(lang)} {ev.stability_meaning(lang)}"), ""]
    for b in ev.blocks(lang):
        lines.append(f"**{s[b.key]}**")
        lines += [f"- {md_escape(text)}" + (f" [{md_escape('; '.join(plain_citation(src, loc, cited) for src, loc in cites))}]" if cites else "")
                  for text, cites in b.rows]
        lines.append("")
    return "\n".join(lines) + "\n"


def evidence_html(ev: Evidence, lang: str = "en", concept_label: str | None = None) -> str:
    """The same evidence as an escaped HTML fragment (every line with its citation)."""
    s = evidence_strings(lang)
    title = concept_label or ev.label
    head = f"{ev.rank}. {title}" if ev.rank else title
    parts = [f'<div class="wb-evidence"><h4>{html.escape(head)}</h4>',
             f"<p>{html.escape(s['kazakhstan'])}: <b>{html.escape(value_word(ev.kaz_status, lang))}</b>. "
             f"{html.escape(_sentence(ev.score_line(lang)))}.</p>",
             f'<p class="wb-carried">{html.escape(ev.carried_line(lang))} {html.escape(ev.stability_meaning(lang))}</p>']
    for b in ev.blocks(lang):
        # Citations link to the report's References (present.cite_html also records them there).
        lis = "".join(f"<li>{html.escape(text)}"
                      + (f' <span class="wb-cite">[{"; ".join(cite_html(src, loc, lang) for src, loc in cites)}]</span>' if cites else "")
                      + "</li>" for text, cites in b.rows)
        parts.append(f'<p class="wb-block-title"><b>{html.escape(s[b.key])}</b></p><ul>{lis}</ul>')
    parts.append("</div>")
    return "".join(parts)


def evidence_lists_html(evidence: list[Evidence], labels: dict[str, str], lang: str = "en") -> str:
    """The evidence of every recommendation under a heading naming its list (individual competencies,
    system reforms), so that the contents say which list each numbered entry belongs to."""
    s = evidence_strings(lang)
    parts = []
    for name in dict.fromkeys(ev.list_name for ev in evidence):
        title = s.get(f"list_{name}", name)
        parts.append(f"<h3>{html.escape(title[:1].upper() + title[1:])}</h3>")
        parts += [evidence_html(ev, lang, labels.get(ev.concept_id)) for ev in evidence if ev.list_name == name]
    return "".join(parts)
