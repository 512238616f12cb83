"""Cutting a plain-text document into codable passages: sentences and table rows, front and back matter left out.

Titles and headings, author and affiliation lines, keywords, captions, reference lists and author
notes carry no content to code; paragraphs cut by a PDF page break are joined again. Every
passage keeps its character offsets, so ``text[p.start:p.end]`` is always what was coded.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.analysis.suggest import text_language

__all__ = ["MIN_WORDS", "HEADING_WORDS", "MAX_PASSAGE_CHARS", "Passage", "split_passages", "passage_language"]

#: Passages shorter than this many words carry too little text to code (initials, "PhD student.").
MIN_WORDS = 3
#: A line or passage without final punctuation and at most this many words is a heading.
HEADING_WORDS = 8
#: A sentence longer than this (characters) is coded in parts cut between words: no sentence of a paper is
#: this long (the seeds' longest passage is 595), but a text with no full stops would be one passage whose
#: coding costs a gigabyte (a review's 4 MB sentence).
MAX_PASSAGE_CHARS = 2000

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
    r"(?<![\w.+-])[\w.+-]+@[\w-]+\.[\w.]+|\borcid\b|^\W*(correspond(ence|ing author)|e-?mail\s*:)|article history|"
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


#: Up to the last white space of a stretch (a line break, a tab and a no-break space included).
_UP_TO_LAST_SPACE = re.compile(r".*\s", re.DOTALL)
#: Up to the first white space of a stretch.
_UP_TO_FIRST_SPACE = re.compile(r"\S*\s")


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in parts of at most :data:`MAX_PASSAGE_CHARS` and of about equal length, each cut
    after a white space near that length (no part under half of it, so none falls under the fewest words a
    passage needs); mid-word only where the stretch has no white space there.

    >>> _bounded("a" * 1500 + " " + "b" * 1500, 0, 3001)
    [(0, 1501), (1501, 3001)]
    >>> _bounded("a" * 2500, 0, 2500)
    [(0, 1250), (1250, 2500)]
    """
    out = []
    while end - start > MAX_PASSAGE_CHARS:
        parts = -(-(end - start) // MAX_PASSAGE_CHARS)  # what is left, in as few parts as the limit allows,
        size = -(-(end - start) // parts)  # cut evenly
        least, most = start + size // 2, min(start + MAX_PASSAGE_CHARS, end - size // 2)
        near = _UP_TO_LAST_SPACE.match(text, least, start + size) or _UP_TO_FIRST_SPACE.match(text, start + size, most)
        cut = near.end() if near else start + size
        out.append((start, cut))
        start = cut
    return out + [(start, end)]


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
            parts = _bounded(text, a, b)
            for k, (a1, b1) in enumerate(parts):
                a1, b1 = _trim(text, a1, b1)
                # a part cut from a long sentence is no heading, however it ends: judged as a table row is
                if a1 < b1 and _codable(text[a1:b1], pkind if k == len(parts) - 1 else "row"):
                    out.append(Passage(a1, b1, pkind))
    return out


def passage_language(text: str) -> str:
    """``en``, ``ru``, ``kk`` or ``unknown`` (:func:`workbench.analysis.suggest.text_language`).

    >>> passage_language("Лидерство и этика"), passage_language("Көшбасшылық және әдеп"), passage_language("Ethics")
    ('ru', 'kk', 'en')
    """
    return text_language(text)
