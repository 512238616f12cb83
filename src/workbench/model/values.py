"""Checks of single values: numbers, URLs, invisible text, control characters, identifiers, dates, scripts."""
from __future__ import annotations

import datetime
import difflib
import math
import numbers
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

from workbench.model.errors import InputError, Problem


def number_problem(value: Any, low: float | None = None, high: float | None = None, *,
                   low_open: bool = False, high_open: bool = False) -> str | None:
    """Why ``value`` is not an acceptable number (``None`` when it is): the one rule for every
    number from a file or a function argument. Infinity and NaN are refused everywhere: NaN
    compares false with every bound, so it would pass a range check and blank a score.

    >>> number_problem(float("nan"), 0, 1), number_problem(1.5, 0, 1), number_problem(0.5, 0, 1)
    ('must be a finite number (got nan)', 'must be between 0 and 1 (got 1.5)', None)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number (got {value!r})"
    if not math.isfinite(value):
        return f"must be a finite number (got {value})"
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        if low is not None and high is not None:
            return f"must be between {low:g} and {high:g} (got {value:g})"
        if low is not None:
            return f"must be {'above' if low_open else 'at least'} {low:g} (got {value:g})"
        return f"must be {'below' if high_open else 'at most'} {high:g} (got {value:g})"
    return None


def check_number(value: Any, name: str, low: float | None = None, high: float | None = None, **kw) -> float:
    """``value`` as a float, or :meth:`InputError.parameter` naming the argument ``name``."""
    message = number_problem(value, low, high, **kw)
    if message:
        raise InputError.parameter(name, message)
    return float(value)


def check_count(value: Any, name: str, low: int = 1, high: int | None = None) -> int:
    """``value`` as a whole number from ``low`` (up to ``high``), or :meth:`InputError.parameter` naming ``name``.

    >>> check_count(3, "top"), check_count(0, "draws", low=0)
    (3, 0)
    >>> check_count(2.5, "top")
    Traceback (most recent call last):
    ...
    workbench.model.errors.InputError: top: must be a whole number (got 2.5)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError.parameter(name, f"must be a whole number (got {value!r})")
    if value < low or (high is not None and value > high):
        bounds = f"from {low:,} to {high:,}" if high is not None else "0 or more" if low == 0 else f"at least {low:,}"
        raise InputError.parameter(name, f"must be {bounds} (got {int(value):,})")
    return int(value)


def not_after_this_year(year: int | None, what: str) -> int | None:
    """``year`` unless it is after this year (the year ``what``: a thing of the past), else a ValueError."""
    if year is not None and year > datetime.date.today().year:
        raise ValueError(f"{year} is after this year: the year {what}")
    return year


def url_problem(url: str) -> str | None:
    """Why ``url`` is not a web address a report may link to (``None`` when it is).

    Only ``http`` and ``https`` with a host: ``javascript:`` or ``data:`` URLs would run script
    or hide content in a report that a reader clicks.

    >>> url_problem("https://oecd.org/x"), url_problem("javascript:alert(5)")
    (None, 'must be an http:// or https:// address')
    """
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in url):
        return "must be an http:// or https:// address without spaces or control characters"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// address"
    if not parts.hostname:
        return "must be an http:// or https:// address with a host name"
    return None


def is_web_url(url: object) -> bool:
    """True for an ``http(s)://host...`` address: the only kind ever rendered as a link."""
    return isinstance(url, str) and url_problem(url) is None


_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Co", "Cn"}


def is_invisible(text: str) -> bool:
    """True when ``text`` holds no visible character (zero-width spaces, joiners, BOMs, blanks).

    >>> is_invisible("\\u200b\\u200d\\ufeff"), is_invisible(" a ")
    (True, False)
    """
    return all(unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ch.isspace() for ch in text)


#: What no output carries in one line of text (a label, an id, a table cell): the C0 controls but
#: tab, DEL, the C1 controls, and the Unicode line and paragraph separators. openpyxl refuses the
#: C0 controls, and a CSV reader or an editor breaks the line at the others.
_NOT_IN_ONE_LINE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
#: What no output carries in text of several lines (a description, a comment, a document): the
#: same but tab, line feed and carriage return.
_NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {
    "\x00": "NUL", "\n": "line break", "\r": "carriage return", "\x0b": "vertical tab", "\x0c": "form feed",
    "\x1b": "escape", "\x7f": "delete", "\x85": "next line", "\u2028": "line separator", "\u2029": "paragraph separator",
}


def control_character_problem(text: str, multiline: bool = False) -> str | None:
    """Why ``text`` cannot reach every output, a spreadsheet cell included (``None`` when it can).

    One line of text (``multiline`` false: labels, ids, titles) holds no control character but
    tab and no line break; text of several lines (descriptions, comments) may also hold line
    breaks. A vertical tab, what a manual line break pasted from Word becomes, is refused in both.

    >>> control_character_problem("Lead\\vpeople")
    'holds U+000B (vertical tab) at character 5; one line of text allows no line breaks or control characters'
    >>> control_character_problem("Line one\\nline two", multiline=True) is None
    True
    """
    found = (_NOT_IN_TEXT if multiline else _NOT_IN_ONE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    rule = ("text allows no control characters but tab and line breaks" if multiline
            else "one line of text allows no line breaks or control characters")
    return f"holds U+{ord(char):04X} ({_CONTROL_NAMES.get(char, 'control character')}) at character {found.start() + 1}; {rule}"


def identity_key(code: str) -> str:
    """What makes two codes the same for a curator: ``GBR-1`` and ``gbr-1`` name one item.

    Spreadsheets, file systems and people do not keep case reliably.
    """
    return unicodedata.normalize("NFKC", code).casefold()


def unknown_id(kind: str, value: str, known: Iterable[str], where: str = "") -> str:
    """The message for an id that names nothing, with what may help the person who typed it: a
    character that only looks like a Latin letter (a Cyrillic "i" in ``leadership`` prints the same),
    and the closest known id. ``where`` follows the id (" in new_concept_id").

    >>> print(unknown_id("concept", "leadersh\u0456p", ["leadership", "integrity_ethics"]))
    unknown concept 'leadershіp' (its 9th character is U+0456 CYRILLIC SMALL LETTER BYELORUSSIAN-UKRAINIAN I, not ASCII; did you mean 'leadership'?)
    >>> print(unknown_id("concept", "leadrship", ["leadership"]))
    unknown concept 'leadrship' (did you mean 'leadership'?)
    >>> print(unknown_id("concept", "zzz", ["leadership"]))
    unknown concept 'zzz'
    """
    known = [k for k in known if isinstance(k, str)]
    hints = []
    odd = next(((i, ch) for i, ch in enumerate(value) if not ch.isascii()), None)
    if odd is not None and all(k.isascii() for k in known):
        i, ch = odd
        hints.append(f"its {_ordinal(i + 1)} character is U+{ord(ch):04X} {unicodedata.name(ch, '')}".rstrip() + ", not ASCII")
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.75)
    if close:
        hints.append(f"did you mean '{close[0]}'?")
    return f"unknown {kind} '{value}'{where}" + (f" ({'; '.join(hints)})" if hints else "")


def _ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _check_unique(records: Iterable[tuple[str, int, str]], what: str, problems: list[Problem]) -> None:
    first: dict[str, tuple[str, int, str]] = {}
    for key, line, path in records:
        ident = identity_key(key)
        if ident in first:
            fpath, fline, fkey = first[ident]
            where = f"line {fline}" if fpath == path else f"{Path(fpath).name}:{fline}"
            same = "" if fkey == key else f" ('{fkey}' differs only in case)"
            problems.append(Problem(path, line, f"duplicate {what} '{key}' (first at {where}){same}"))
        else:
            first[ident] = (path, line, key)


#: A source cited by its id inside free text (a locator, what a partial source lacks): "ref_x" or "seed001".
SOURCE_ID_IN_TEXT = re.compile(r"\b(?:ref_[a-z0-9_]+|seed00\d)\b")


def has_cyrillic(text: str) -> bool:
    """Whether ``text`` holds a letter of the Cyrillic block (Russian and Kazakh are written in it).

    >>> has_cyrillic("HR-служба"), has_cyrillic("????")
    (True, False)
    """
    return any("\u0400" <= ch <= "\u04ff" for ch in text)


def iso_date(text: str) -> datetime.date | None:
    """The date ``text`` writes as YYYY-MM-DD, or ``None`` when it writes none (Python's own reader also
    takes 20200101 and 2020-W01-1, which no researcher means; 2024-02-30 is no date of the calendar).

    >>> iso_date(" 2024-02-29 "), iso_date("20240229"), iso_date("2023-02-29")
    (datetime.date(2024, 2, 29), None, None)
    """
    text = str(text).strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None
