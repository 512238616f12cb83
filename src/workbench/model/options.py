"""The register of policy options (``data/options/``) and the exact quotes behind them (``data/quotes/``): record models.

An option is advice written by the research team, in English, Russian and Kazakh, each language
with its own review state; code ranks, checks and renders options and never writes one. What
holds across records (known concepts, sources and quotes, a quote found in its document, no
prerequisite cycle) is checked in :mod:`workbench.model.validate.options`.
"""
from __future__ import annotations

import re
from typing import Annotated, Literal, Optional

from pydantic import AfterValidator, Field, model_validator

from workbench.model.schema import CODE, Country, Line, Paragraphs, Record, Text
from workbench.model.values import has_cyrillic

__all__ = ["OPTION_STATUSES", "AUDIENCES", "INSTRUMENTS", "PHASES", "COST_LEVELS", "TEXT_STATES", "Texts", "Paragraphs3",
           "ModelCountry", "KazNow", "KazPlan", "Cost", "Risk", "ProgressIndicator", "Option", "Quote", "latin_words",
           "cyrillic_only"]

#: What Kazakhstan has now for an option; ``undecided``: the evidence we hold cannot decide.
OPTION_STATUSES = ("present", "partial", "absent", "undecided")
AUDIENCES = ("corps_a", "corps_b", "all", "agency", "academy")
INSTRUMENTS = ("law", "presidential_decree", "government_decree", "agency_order", "academy_programme", "pilot")
#: Phases of the roadmap, in order.
PHASES = ("now", "1-2y", "3-5y")
COST_LEVELS = ("low", "medium", "high")
TEXT_STATES = ("draft", "reviewed")

_LATIN_WORD = re.compile(r"[A-Za-z\u00C0-\u024F]+")


def latin_words(text: str) -> list[str]:
    """The runs of Latin letters in ``text``: a Russian or Kazakh text of the register holds none.

    >>> latin_words("Внедрить оценку 360 градусов (ОЭСР)"), latin_words("по практике: New Public Management")
    ([], ['New', 'Public', 'Management'])
    """
    return _LATIN_WORD.findall(text)


def cyrillic_only(value: str, *, whose: str = "the register", kept: re.Pattern | None = None, hint: str = "") -> str:
    """``value`` if it holds no Latin-script word (but those ``kept`` matches in full) and is written in
    Cyrillic letters, else a ValueError saying that the Russian and Kazakh texts of ``whose`` are
    written in Cyrillic (a text of question marks is what a lost encoding leaves behind); ``hint`` ends that error.

    >>> cyrillic_only("Лидерство")
    'Лидерство'
    >>> cyrillic_only("????? ?????")
    Traceback (most recent call last):
    ...
    ValueError: holds no Cyrillic letter: Russian and Kazakh texts of the register are written in Cyrillic (a text of '?' is what a lost encoding leaves)
    """
    if value.strip() and not has_cyrillic(value):
        raise ValueError(f"holds no Cyrillic letter: Russian and Kazakh texts of {whose} are written in Cyrillic "
                         "(a text of '?' is what a lost encoding leaves)")
    found = [w for w in latin_words(value) if kept is None or not kept.fullmatch(w)]
    if found:
        raise ValueError(f"holds Latin-script words ({' '.join(found[:4])}): Russian and Kazakh texts of "
                         f"{whose} are written in Cyrillic (acronyms too: ОЭСР, ЭЫДҰ){hint}")
    return value



_LineRuKk = Annotated[Text, AfterValidator(cyrillic_only)]
_ParaRuKk = Annotated[Paragraphs, Field(min_length=1), AfterValidator(cyrillic_only)]


class Texts(Record):
    """One line in each language (a title, a reason)."""

    en: Text
    ru: _LineRuKk
    kk: _LineRuKk


class Paragraphs3(Record):
    """A text of a few sentences in each language (a rationale, what Kazakhstan has)."""

    en: Paragraphs = Field(min_length=1)
    ru: _ParaRuKk
    kk: _ParaRuKk


class Cited(Record):
    source: Line = Field(min_length=1)
    locator: Line = Field(min_length=1)
    quotes: list[Line] = Field(default_factory=list)


class ModelCountry(Cited):
    """A country whose practice the option follows: its citation and at least one exact quote."""

    country: Country
    quotes: list[Line] = Field(min_length=1)


class KazNow(Cited):
    """What Kazakhstan has now for the option, with its citation, and the status that follows."""

    status: Literal[OPTION_STATUSES]  # type: ignore[valid-type]
    text: Paragraphs3


class KazPlan(Cited):
    """What Kazakhstan already plans (a concept, a programme), with its citation."""

    text: Paragraphs3


class Cost(Record):
    level: Literal[COST_LEVELS]  # type: ignore[valid-type]
    reason: Paragraphs3


class Risk(Record):
    """The option's main risk; cited where a paper names it."""

    text: Paragraphs3
    source: Optional[Line] = None
    locator: Optional[Line] = None

    @model_validator(mode="after")
    def _cited_whole(self) -> "Risk":
        if bool(self.source) != bool(self.locator):
            raise ValueError("a risk's citation needs both 'source' and 'locator' (or neither)")
        return self


class ProgressIndicator(Record):
    text: Paragraphs3
    measured_in: Paragraphs3


class Option(Record):
    """One policy option of the register (layout in ``data/README.md``)."""

    id: Line = Field(pattern=r"^opt-[a-z0-9]+(-[a-z0-9]+)*$")
    concepts: list[Line] = Field(min_length=1)
    carries: list[Line] = Field(default_factory=list)
    title: Texts
    rationale: Paragraphs3
    text_status: dict[Literal["en", "ru", "kk"], Literal[TEXT_STATES]]  # type: ignore[valid-type]
    reviewed_by: dict[Literal["en", "ru", "kk"], Text] = Field(default_factory=dict)
    models: list[ModelCountry] = Field(min_length=1)
    kaz_now: KazNow
    kaz_plans: list[KazPlan] = Field(default_factory=list)
    audience: list[Literal[AUDIENCES]] = Field(min_length=1)  # type: ignore[valid-type]
    instrument: Literal[INSTRUMENTS]  # type: ignore[valid-type]
    phase: Literal[PHASES]  # type: ignore[valid-type]
    prerequisites: list[Line] = Field(default_factory=list)
    cost: Cost
    risk: Risk
    indicator: ProgressIndicator

    @model_validator(mode="after")
    def _reviews(self) -> "Option":
        missing = [lang for lang in ("en", "ru", "kk") if lang not in self.text_status]
        if missing:
            raise ValueError(f"text_status lacks {', '.join(missing)} (draft or reviewed for each language)")
        for lang, state in self.text_status.items():
            if (state == "reviewed") != (lang in self.reviewed_by):
                raise ValueError(f"text_status.{lang} is '{state}' but reviewed_by "
                                 + ("names nobody for it" if state == "reviewed" else f"names {self.reviewed_by[lang]}"))
        return self


class Quote(Record):
    """An exact quotation: words of a seed document, or a sentence of an official page we read."""

    id: Line = Field(pattern=CODE)
    source: Line = Field(min_length=1)
    locator: Line = Field(min_length=1)
    #: the language of the source's own words: a quotation is never translated (France's official pages are French)
    lang: Literal["en", "ru", "kk", "fr"]
    text: Paragraphs = Field(min_length=12)
