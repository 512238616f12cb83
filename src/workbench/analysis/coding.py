"""Content analysis: code the passages of a plain-text policy document against the taxonomy.

A document is cut into passages (sentences; rows for tab-separated tables), front and back
matter is left out (titles and headings, author and affiliation lines, keywords, reference lists,
author notes), and each passage is scored with the same :class:`~workbench.analysis.suggest.ConceptSuggester`
that proposes concepts for framework items. Every coding keeps the character offsets of its
passage, so ``quote == text[start:end]`` and a reviewer can always find it in the file.
"""
from __future__ import annotations

import copy
import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from workbench.model.errors import InputError, Problem
from workbench.model.sourcefile import read_text
from workbench.analysis.suggest import UNKNOWN_LANGUAGE, ConceptSuggester, normalise_text, text_language
from workbench.model.validate import DECISIONS, check_number, review_row_problems

__all__ = [
    "CODING_COLUMNS",
    "REVIEW_COLUMNS",
    "DECISIONS",
    "NO_CODE",
    "DEFAULT_THRESHOLD",
    "Passage",
    "split_passages",
    "passage_language",
    "code_document",
    "code_file",
    "concept_profile",
    "compare_profiles",
    "for_review",
    "read_review",
    "apply_decisions",
    "read_codings",
    "passage_key",
]

CODING_COLUMNS = ["document", "start", "end", "concept_id", "score", "quote"]
REVIEW_COLUMNS = CODING_COLUMNS + ["decision", "new_concept_id"]
#: The reviewer's code for a passage whose every machine coding was rejected.
NO_CODE = "(no code)"
#: Default score a concept needs to code a passage. Passages are longer than item labels, so
#: they score lower and noisier than items; 0.30 was chosen on a hand-judged development sample
#: of 60 codings of the seed papers (precision 0.57 at 0.25, 0.77 at 0.30, no gain above).
DEFAULT_THRESHOLD = 0.30
#: Passages shorter than this many words carry too little text to code (initials, "PhD student.").
MIN_WORDS = 3
#: A line or passage without final punctuation and at most this many words is a heading.
HEADING_WORDS = 8

_TERMINAL = ".!?;:…"
_CLOSERS = "\"'”’»)]*"
_SUPERSCRIPT = "¹²³⁴⁵⁶⁷⁸⁹⁰"
_MARKER = rf"(?:[{_SUPERSCRIPT}]+\*?|\^\{{[^}}]*\}})"

# Section headings after which nothing is coded until the next major body heading.
_REFERENCES = re.compile(
    r"^(references?|bibliography|literature cited|works cited|список( использованной| цитируемой)? литературы|"
    r"литература|библиография|пайдаланылған әдебиеттер( тізімі)?|әдебиеттер( тізімі)?)\s*:?$",
    re.IGNORECASE,
)
_BACK_MATTER = re.compile(
    r"^(about the authors?|information about (the )?authors?|authors?'? ?(information|details|contributions?)|"
    r"сведения об авторах|информация об авторах|об авторах|авторлар туралы( мәлімет| ақпарат)?|"
    r"acknowledge?ments?|funding|conflicts? of interests?|declaration of (competing )?interests?|data availability)\s*:?$",
    re.IGNORECASE,
)
_BODY_SECTIONS = re.compile(
    r"^(abstract|summary|introduction|background|literature review|theoretical framework|materials and methods|"
    r"methodology|methods|results|discussion|results and discussion|findings|conclusions?|recommendations|"
    r"аннотация|введение|обзор литературы|методология|методы|результаты( и обсуждение)?|обсуждение|выводы|"
    r"заключение|аңдатпа|кіріспе|әдіснама|нәтижелер|қорытынды)\s*:?$",
    re.IGNORECASE,
)
_KEYWORDS = re.compile(r"^(key ?words?|ключевые слова|түйін(ді)? сөздер)\b", re.IGNORECASE)
_FRONT_LINE = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|\borcid\b|^\W*(correspond(ence|ing author)|e-?mail\s*:)|article history|"
    r"^(received|accepted|revised|published( online)?)\b[^a-z]*\d",
    re.IGNORECASE,
)
_CAPTION = re.compile(r"^(table|figure|fig\.|таблица|рисунок|рис\.|кесте|сурет)\s*\d+(\.\d+)?\s*[.:–—-]", re.IGNORECASE)
_SOURCE_NOTE = re.compile(r"^(compiled by|source:|sources:|note\s*[:–—-]|источник|примечание|дереккөз)", re.IGNORECASE)
_AFFILIATION = re.compile(
    r"universit|academy|ministry|institute|school of|\bcent(er|re)\b|\bLLP\b|\bRSE\b|университет|академи|"
    r"министерств|министрліг|орталығ|центр|\bТОО\b|\bЖШС\b|\bРГП\b|\bРМК\b",
    re.IGNORECASE,
)
_NUMBERED_HEADING = re.compile(r"^\d+(\.\d+)*\.\s+[^\W\d]")
_ITEM_START = re.compile(r"^\s*(?:[-•–—*·▪]\s+|\(\d+\)\s*|\d+[.)]\s+(?=\S))")
_BULLET = re.compile(r"^[-•–—*·▪]\s+")
_SENTENCE_END = re.compile(rf"[.!?…]+[{re.escape(_CLOSERS)}]*(?=\s+\S)")
_LABEL = re.compile(r"^(abstract|summary|аннотация|аңдатпа|резюме)\b[\s.:—–-]*", re.IGNORECASE)
_ABBREVIATIONS = {
    "e.g", "i.e", "al", "n.d", "no", "nos", "vol", "pp", "p", "dr", "mr", "mrs", "ms", "prof", "st", "fig", "art",
    "vs", "cf", "approx", "u.s", "u.k", "jr", "sr", "inc", "ltd", "co", "ed", "eds",
    "г", "гг", "т", "е", "др", "см", "рис", "ст", "с", "им", "проф", "қ", "ж",
}


@dataclass(frozen=True)
class Passage:
    """A codable stretch of a document: ``text[start:end]``; ``kind`` is ``sentence`` or ``row``."""

    start: int
    end: int
    kind: str


@dataclass
class _Line:
    start: int
    end: int  # exclusive, without the newline
    raw: str
    kind: str  # blank | skip | text | table

    @property
    def clean(self) -> str:
        # Markdown emphasis left by the PDF extraction says nothing about the line's role.
        return self.raw.replace("**", "").strip().lstrip("#").strip()


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def _ends_sentence(text: str) -> bool:
    return text.rstrip().rstrip(_CLOSERS)[-1:] in tuple(_TERMINAL)


def _letters(text: str) -> list[str]:
    return [ch for ch in text if ch.isalpha()]


def _is_all_caps(text: str) -> bool:
    letters = _letters(text)
    return len(letters) >= 3 and all(ch.isupper() for ch in letters)


def _is_heading(text: str) -> bool:
    """A title, heading, caption or label: no final punctuation and short, or written in capitals.

    >>> _is_heading("Literature review"), _is_heading("RESULTS AND DISCUSSION"), _is_heading("Time dictates more.")
    (True, True, False)
    """
    if _CAPTION.match(text) or _SOURCE_NOTE.match(text):
        return True
    if _ends_sentence(text) and not text.rstrip().endswith(":"):
        return False
    n = len(_words(text))
    return n <= HEADING_WORDS or (_is_all_caps(text) and n <= 30)


def _is_major_heading(text: str) -> bool:
    """A heading that opens a new part of the body (ends a reference list or author notes)."""
    if not _is_heading(text) or _CAPTION.match(text) or _SOURCE_NOTE.match(text):
        return False
    # Numbered headings are left out: "12. Smith J. Leadership" in a reference list looks like one.
    return bool(_BODY_SECTIONS.match(text) or _is_all_caps(text))


def _is_keyword_list(text: str) -> bool:
    """A bare list of keywords: several short comma-separated phrases and no final period."""
    parts = [p.strip() for p in text.split(",")]
    return len(parts) >= 4 and not _ends_sentence(text) and all(0 < len(_words(p)) <= 4 for p in parts)


def _front_matter(text: str) -> bool:
    """Author names, affiliations, e-mails, dates of receipt: lines that never carry content."""
    if _FRONT_LINE.search(text):
        return True
    body = re.sub(r"^[-•–—*·▪\s]+", "", text)
    if re.match(_MARKER, body) and len(_words(body)) <= 40:
        return True  # an affiliation line starting with its footnote mark
    if re.search(rf"\w{_MARKER}|\w\s{_MARKER}(,|$)", text) and len(_words(text)) <= 20 and not _ends_sentence(text):
        return True  # a line of author names with affiliation marks
    return False


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw, "blank" if not raw.strip() else "text"))
        pos += len(raw) + 1
    return out


def _classify(lines: list[_Line]) -> None:
    """Mark each line blank, skip, text or table, following the document's sections."""
    in_back_matter = False
    skip_rest_of_block = False
    for line in lines:
        if line.kind == "blank":
            skip_rest_of_block = False
            continue
        clean = line.clean
        if _REFERENCES.match(clean) or _BACK_MATTER.match(clean):
            in_back_matter, line.kind = True, "skip"
        elif in_back_matter:
            if "\t" not in line.raw and _is_major_heading(clean):
                in_back_matter = False
            line.kind = "skip"
        elif skip_rest_of_block:
            line.kind = "skip"
        elif "\t" in line.raw:
            line.kind = "table"
        elif _KEYWORDS.match(clean):
            line.kind, skip_rest_of_block = "skip", True  # keyword lists run to the end of their paragraph
        elif _front_matter(clean) or _CAPTION.match(clean) or _SOURCE_NOTE.match(clean):
            line.kind = "skip"
        elif _NUMBERED_HEADING.match(clean) and _is_heading(clean):
            line.kind = "skip"  # "4. Legal Framework for Civil Service" inside a paragraph


def _blocks(lines: list[_Line]) -> list[tuple[str, list[_Line]]]:
    """Runs of adjacent lines of one kind (text or table); blank and skipped lines separate them."""
    blocks: list[tuple[str, list[_Line]]] = []
    prev_kind = None
    for line in lines:
        if line.kind in ("text", "table"):
            if blocks and prev_kind == line.kind:
                blocks[-1][1].append(line)
            else:
                blocks.append((line.kind, [line]))
        prev_kind = line.kind
    return blocks


def _drop_front_blocks(text: str, lines: list[_Line]) -> None:
    """Whole paragraphs that are a title, a heading or an affiliation (no sentence, few lines) are skipped."""
    first = True
    blocks = _blocks(lines)
    for i, (kind, block) in enumerate(blocks):
        if kind != "text":
            continue
        body = " ".join(line.clean for line in block)
        following = text[blocks[i + 1][1][0].start :].lstrip()[:1] if i + 1 < len(blocks) else ""
        # A short line whose sentence goes on (in lower case) after a page break is no heading.
        goes_on = following.islower() and _continues(body, following)
        heading = len(block) == 1 and (_is_heading(body) or _is_keyword_list(body)) and not goes_on
        # The document's first paragraph, when it is no sentence, is its title (however long).
        heading |= first and not _ends_sentence(body) and len(_words(body)) <= 30
        first = False
        affiliation = len(block) <= 4 and not goes_on and not _ends_sentence(body) and bool(_AFFILIATION.search(body)) and len(_words(body)) <= 40
        if heading or affiliation:
            for line in block:
                line.kind = "skip"


def _continues(prev: str, nxt: str) -> bool:
    """Whether a paragraph was cut by a PDF page break: it stops mid-sentence (on a word, comma or
    hyphen) and the next one goes on in lower case, or the first was a long unfinished sentence."""
    prev, nxt = prev.rstrip(), nxt.lstrip()
    if not prev or not (prev[-1].isalpha() or prev[-1] in ",-"):
        return False
    return nxt[:1].islower() or prev.endswith("-") or len(_words(prev)) > HEADING_WORDS


def _paragraphs(text: str, lines: list[_Line]) -> list[tuple[str, int, int]]:
    """Text paragraphs (joined across page breaks) and table blocks as ``(kind, start, end)``."""
    out: list[tuple[str, int, int]] = []
    blank_only = {i for i, line in enumerate(lines) if line.kind == "blank"}
    first_line = {line.start: i for i, line in enumerate(lines)}
    for kind, block in _blocks(lines):
        start, end = block[0].start, block[-1].end
        if kind == "text" and out and out[-1][0] == "text":
            _, pstart, pend = out[-1]
            gap = range(first_line[_line_start(text, pend)] + 1, first_line[start])
            if all(i in blank_only for i in gap) and _continues(text[pstart:pend], text[start:end]):
                out[-1] = ("text", pstart, end)
                continue
        out.append((kind, start, end))
    return out


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _sentences(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``text[start:end]`` into sentences, not at initials, abbreviations or list numbers."""
    out, lo = [], start
    chunk = text[start:end]
    for m in _SENTENCE_END.finditer(chunk):
        cut = start + m.end()
        before = text[lo : start + m.start()]
        word = re.search(r"([\w.]+)$", before)
        token = word.group(1).lower() if word else ""
        nxt = text[cut:end].lstrip()[:1]
        if not nxt or not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“«(["):
            continue
        if len(token) == 1 and token.isalpha() or token in _ABBREVIATIONS or re.fullmatch(r"(\w\.)+\w?", token):
            continue  # "R. T. Sergaliyeva", "e.g. The", "Zh.Zh. Davletbayeva"
        if len(_letters(before)) < 3:
            continue  # only a list number so far: "1. Inclusive leadership"
        out.append((lo, cut))
        lo = cut
    out.append((lo, end))
    return out


def _items(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a paragraph at lines that open a list item ("- ", "• ", "(2) ", "3. ")."""
    cuts, pos = [start], start
    for raw in text[start:end].split("\n"):
        if pos > start and _ITEM_START.match(raw):
            cuts.append(pos)
        pos += len(raw) + 1
    cuts.append(end)
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if a < b]


def _codable(passage: str, kind: str) -> bool:
    if len(_words(passage)) < MIN_WORDS or len(_letters(passage)) < 6:
        return False
    # A short unfinished sentence is a heading or a stray fragment; a table row never ends in a period.
    return kind == "row" or _ends_sentence(passage) or len(_words(passage)) > HEADING_WORDS


def _table_rows(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Rows of a tab-separated block: a line whose first cell is empty continues the row above."""
    rows: list[list[int]] = []
    pos = start
    for raw in text[start:end].split("\n"):
        if raw.split("\t")[0].strip() or not rows:
            rows.append([pos, pos + len(raw)])
        else:
            rows[-1][1] = pos + len(raw)
        pos += len(raw) + 1
    out = []
    for i, (a, b) in enumerate(rows):
        cells = [c.strip() for c in re.split(r"[\t\n]", text[a:b]) if c.strip()]
        if i == 0 and all(len(_words(c)) <= 4 and not _ends_sentence(c) for c in cells):
            continue  # the header row ("Area / Competencies")
        out.append((a, b))
    return out


def split_passages(text: str) -> list[Passage]:
    """The codable passages of ``text``, in order, with offsets into ``text``.

    >>> text = "INTRODUCTION\\n\\nMerit decides. Ethics matter to every official.\\n\\nReferences\\n\\n1. Smith, J. (2020). Merit.\\n"
    >>> [text[p.start:p.end] for p in split_passages(text)]
    ['Ethics matter to every official.']
    """
    lines = _lines(text)
    _classify(lines)
    _drop_front_blocks(text, lines)
    out: list[Passage] = []
    for kind, start, end in _paragraphs(text, lines):
        if kind == "table":
            spans = [(a, b, "row") for a, b in _table_rows(text, start, end)]
        else:
            spans = [(a, b, "sentence") for i0, i1 in _items(text, start, end) for a, b in _sentences(text, i0, i1)]
        for a, b, pkind in spans:
            a, b = _trim(text, a, b)
            # Labels and bullets are not part of what the passage says.
            lead = _LABEL.match(text[a:b]) or _BULLET.match(text[a:b])
            if lead and lead.end() < b - a:
                a = _trim(text, a + lead.end(), b)[0]
            if a < b and _codable(text[a:b], pkind):
                out.append(Passage(a, b, pkind))
    return out


def passage_language(text: str) -> str:
    """``en``, ``ru``, ``kk`` or ``unknown`` (:func:`workbench.analysis.suggest.text_language`).

    >>> passage_language("Лидерство и этика"), passage_language("Көшбасшылық және әдеп"), passage_language("Ethics")
    ('ru', 'kk', 'en')
    """
    return text_language(text)


def _cyrillic_model(model: ConceptSuggester) -> ConceptSuggester:
    """The fitted model judging by the taxonomy alone: curated examples are English item texts,
    so a Russian passage cannot resemble them and would otherwise lose their share of the score."""
    twin = copy.copy(model)
    twin.example_weight = 0.0
    return twin


def code_document(
    model: ConceptSuggester,
    text: str,
    document: str,
    lang: str = "auto",
    threshold: float | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """Code each passage of ``text`` with every concept scoring at least ``threshold`` (at most ``top``).

    Parameters
    ----------
    model:
        A fitted suggester (:func:`~workbench.analysis.suggest.fit_from_dataset`).
    lang:
        ``en``, ``ru``, ``kk`` or ``auto`` (per passage, :func:`passage_language`). Russian and
        Kazakh passages are scored against the taxonomy's labels and aliases only. A passage
        in a language the model does not know (another script, or Latin-script text that is
        not English) is not coded: its offsets are listed in ``attrs["unknown_language"]``
        of the result, so a reviewer sees what was skipped.
    threshold:
        Score a concept needs to code a passage (default :data:`DEFAULT_THRESHOLD`).
    top:
        At most this many concepts per passage.

    Returns
    -------
    DataFrame with :data:`CODING_COLUMNS`, one row per (passage, concept), best concept first;
    ``quote`` is exactly ``text[start:end]``.

    >>> from workbench.analysis.suggest import ConceptSuggester
    >>> concepts = pd.DataFrame({"concept_id": ["ethics"], "label_en": ["Ethics"], "label_ru": ["Этика"],
    ...     "definition": ["Acting ethically."], "aliases_en": [["ethical conduct"]], "aliases_ru": [["этика"]]})
    >>> m = ConceptSuggester().fit(concepts)
    >>> code_document(m, "Officials must show ethical conduct at work.", "d.txt")[["start", "end", "concept_id"]].values.tolist()
    [[0, 44, 'ethics']]
    """
    if lang not in ("en", "ru", "kk", "auto"):
        raise ValueError(f"unknown language '{lang}' (use en, ru, kk or auto)")
    if top < 1:
        raise ValueError(f"top must be at least 1 (got {top})")
    threshold = DEFAULT_THRESHOLD if threshold is None else check_number(threshold, "threshold", 0, 1)
    passages = split_passages(text)
    quotes = [text[p.start : p.end] for p in passages]
    langs = [model.language(q) if lang == "auto" else lang for q in quotes]
    unknown = np.array([g == UNKNOWN_LANGUAGE or g not in model.languages_ for g in langs], dtype=bool)
    cyrillic = np.array([g in ("ru", "kk") for g in langs], dtype=bool) & ~unknown
    latin = ~cyrillic & ~unknown
    scores = np.zeros((len(passages), len(model.concept_ids_)), dtype=np.float32)
    for mask, scorer in ((latin, model), (cyrillic, _cyrillic_model(model))):
        if mask.any():
            scores[mask] = scorer.score([normalise_text(q) for q, m in zip(quotes, mask) if m], by_coverage=False)
    rows = []
    for p, quote, row, skip in zip(passages, quotes, scores, unknown):
        if skip:
            continue
        order = np.argsort(-row, kind="stable")[:top]
        for j in order:
            if row[j] >= threshold:
                rows.append((document, p.start, p.end, model.concept_ids_[j], round(float(row[j]), 4), quote))
    out = pd.DataFrame(rows, columns=CODING_COLUMNS).astype({"start": "int64", "end": "int64", "score": "float64"})
    # Marked, not coded: a confident-looking score on text the model cannot read would mislead.
    out.attrs["unknown_language"] = [(p.start, p.end) for p, u in zip(passages, unknown) if u]
    return out


def code_file(
    path: str | os.PathLike,
    model: ConceptSuggester,
    lang: str = "auto",
    threshold: float | None = None,
    top: int = 3,
) -> pd.DataFrame:
    """:func:`code_document` on a UTF-8 text file; ``document`` is the file name.

    A file that is not UTF-8 text raises :class:`~workbench.model.errors.InputError`.
    """
    p = Path(path)
    return code_document(model, read_text(p), p.name, lang=lang, threshold=threshold, top=top)


def concept_profile(codings: pd.DataFrame, text_length: int) -> pd.Series:
    """Share of the document's characters coded with each concept, largest first.

    A passage coded with two concepts counts for both, so shares can add up to more than the
    coded share of the text. ``text_length`` is usually ``len(text)``.

    >>> c = pd.DataFrame({"document": "d", "start": [0, 0, 50], "end": [20, 20, 60], "concept_id": ["a", "b", "a"]})
    >>> concept_profile(c, 100).to_dict()
    {'a': 0.3, 'b': 0.2}
    """
    if text_length <= 0:
        raise ValueError(f"text_length must be positive (got {text_length})")
    if codings["document"].nunique() > 1:
        raise ValueError("codings of several documents: profile one document at a time")
    spans = codings.drop_duplicates(["concept_id", "start", "end"])
    chars = (spans["end"] - spans["start"]).groupby(spans["concept_id"]).sum()
    share = (chars / text_length).astype(float).rename("share")
    share.index.name = "concept_id"
    return share.sort_values(ascending=False, kind="stable")


def compare_profiles(profiles: dict[str, pd.Series]) -> pd.DataFrame:
    """Concept shares side by side, one column per document, most contrasted concepts first.

    Extra columns: ``spread`` (largest minus smallest share), ``stressed_by`` (the document giving
    the concept most text) and ``ignored_by`` (documents that never code it, comma-separated).

    >>> cmp = compare_profiles({"a": pd.Series({"x": 0.4, "y": 0.1}), "b": pd.Series({"y": 0.2})})
    >>> print(cmp.to_string())  # doctest: +NORMALIZE_WHITESPACE
                  a    b  spread stressed_by ignored_by
    concept_id
    x           0.4  0.0     0.4           a          b
    y           0.1  0.2     0.1           b
    """
    if not profiles:
        raise ValueError("no profiles to compare")
    docs = list(profiles)
    wide = pd.DataFrame({doc: profiles[doc] for doc in docs}).fillna(0.0).astype(float)
    wide.index.name = "concept_id"
    out = wide.copy()
    out["spread"] = wide.max(axis=1) - wide.min(axis=1)
    out["stressed_by"] = wide.idxmax(axis=1)
    out["ignored_by"] = [",".join(d for d in docs if row[d] == 0) for _, row in wide.iterrows()]
    return out.sort_values(["spread"], ascending=False, kind="stable")


def for_review(codings: pd.DataFrame) -> pd.DataFrame:
    """Codings with empty ``decision`` (accept | reject | change) and ``new_concept_id`` columns."""
    return codings[CODING_COLUMNS].assign(decision="", new_concept_id="")


def passage_key(document: str, start: int, end: int) -> str:
    """The id of a passage across files: ``document:start-end``.

    >>> passage_key("seed.txt", 10, 42)
    'seed.txt:10-42'
    """
    return f"{document}:{start}-{end}"


def _taxonomy_concepts() -> set[str]:
    """Concept ids of the default data folder's taxonomy (without loading the whole dataset)."""
    from workbench.model.dataset import default_data_dir
    from workbench.model.sourcefile import read_yaml

    doc = read_yaml(default_data_dir() / "taxonomy.yaml")
    concepts = doc.data.get("concepts", []) if isinstance(doc.data, dict) else []
    return {str(c["id"]) for c in concepts if isinstance(c, dict) and "id" in c}


def read_review(path: str | os.PathLike, concept_ids: Iterable[str] | None = None) -> pd.DataFrame:
    """Read a codings CSV (machine output or a reviewed export), checking every row.

    ``decision`` and ``new_concept_id`` are optional columns. Problems (a missing column, a bad
    offset, an unknown decision or concept) raise :class:`InputError` naming ``path:line``.
    ``concept_ids`` defaults to the taxonomy of the default data folder. Adds a ``line`` column.
    """
    p = Path(path)
    text = read_text(p)
    known = set(concept_ids) if concept_ids is not None else _taxonomy_concepts()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError.single(p, 1, "file holds no table") from None
    header = [h.strip() for h in header]
    missing = [c for c in CODING_COLUMNS if c not in header]
    if missing:
        raise InputError.single(p, 1, f"codings header lacks column(s) {', '.join(missing)}")
    problems: list[Problem] = []
    rows = []
    line = reader.line_num + 1
    try:
        for values in reader:
            record_line, line = line, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                problems.append(Problem(str(p), record_line, f"row has {len(values)} fields, the header has {len(header)}"))
                continue
            row = dict(zip(header, values))
            messages, parsed = review_row_problems(row, known)
            problems.extend(Problem(str(p), record_line, m) for m in messages)
            if parsed is None:
                continue
            start, end, score = parsed
            decision = row.get("decision", "").strip().lower()
            new_id = row.get("new_concept_id", "").strip()
            concept = row["concept_id"].strip()
            rows.append((row["document"].strip(), start, end, concept, score, row["quote"], decision, new_id, record_line))
    except csv.Error as exc:
        raise InputError.single(p, reader.line_num, f"table syntax error: {exc}") from None
    if problems:
        raise InputError(problems)
    return pd.DataFrame(rows, columns=REVIEW_COLUMNS + ["line"])


def apply_decisions(review: pd.DataFrame) -> pd.DataFrame:
    """The codings a reviewer kept: rejections dropped, changes applied, the rest (accepted or
    undecided) as the machine proposed them."""
    decision = review["decision"] if "decision" in review else pd.Series("", index=review.index)
    kept = review[decision != "reject"].copy()
    changed = decision.loc[kept.index] == "change"
    kept.loc[changed, "concept_id"] = kept.loc[changed, "new_concept_id"]
    return kept


def read_codings(path: str | os.PathLike, concept_ids: Iterable[str] | None = None) -> pd.Series:
    """Each passage's final code (Series ``document:start-end`` -> concept id) from a codings CSV.

    The final code is the best-scoring coding the reviewer kept (first listed on ties); a passage
    whose codings were all rejected gets :data:`NO_CODE`, so rejecting counts as disagreeing.
    This is what ``workbench agreement machine.csv reviewed.csv`` compares.
    """
    review = read_review(path, concept_ids)
    keys = [passage_key(d, s, e) for d, s, e in zip(review["document"], review["start"], review["end"])]
    review = review.assign(subject_id=keys, order=range(len(review)))
    kept = apply_decisions(review)
    ordered = kept.sort_values(["score", "order"], ascending=[False, True], kind="stable", na_position="last")
    codes = ordered.drop_duplicates("subject_id").set_index("subject_id")["concept_id"]
    all_keys = pd.Index(pd.unique(pd.Series(keys)))
    return codes.reindex(all_keys).fillna(NO_CODE).rename("concept_id").sort_index()
