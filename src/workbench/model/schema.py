"""Pydantic models of every record in ``data/``: one definition per field, unknown fields refused."""
from __future__ import annotations

import re
from datetime import date
from functools import lru_cache, partial
from typing import Annotated, Callable, Literal, Optional, Union, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from workbench.model.values import control_character_problem, is_invisible, not_after_this_year, url_problem
from workbench.model.defaults import DEFAULT_BASELINE, DEFAULT_PEERS  # parameter defaults, not findings; light for the CLI

__all__ = [
    "LEVELS",
    "PREDICATES",
    "CARRYING_PREDICATES",
    "PRACTICE_KINDS",
    "LIST_SEP",
    "DEFAULT_PEERS",
    "DEFAULT_BASELINE",
    "FiniteFloat",
    "Line",
    "Paragraphs",
    "Text",
    "is_country_code",
    "Source",
    "Item",
    "Framework",
    "Practice",
    "Indicator",
    "Domain",
    "Concept",
    "Taxonomy",
    "Mapping",
    "Weights",
]

LEVELS = ("all", "senior", "leaders")
PREDICATES = (
    "skos:exactMatch",
    "skos:closeMatch",
    "skos:broadMatch",
    "skos:narrowMatch",
    "skos:relatedMatch",
)
#: Predicates by which a subject counts as carrying a concept. ``skos:relatedMatch`` is evidence
#: of a link, not of the concept itself, so it is left out unless asked for.
CARRYING_PREDICATES = ("skos:exactMatch", "skos:closeMatch", "skos:broadMatch", "skos:narrowMatch")
PRACTICE_KINDS = ("practice", "implementation_step", "risk", "principle")
#: Joins several values in one table cell or graph attribute (ids, codes, sources); readers
#: split on it and strip blanks.
LIST_SEP = ";"
#: Country-like codes that are not ISO countries but own frameworks.
ORGANISATIONS = ("OECD", "EU")
CODE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
SLUG = r"^[a-z][a-z0-9_]*$"


@lru_cache(maxsize=1)
def _iso3() -> frozenset[str]:
    import pycountry  # deferred: its database costs a few ms to load

    return frozenset(c.alpha_3 for c in pycountry.countries)


def is_country_code(code: str) -> bool:
    """True for an ISO 3166-1 alpha-3 code or an organisation code (``OECD``, ``EU``).

    >>> is_country_code("KAZ"), is_country_code("OECD"), is_country_code("UK")
    (True, True, False)
    """
    return code in ORGANISATIONS or code in _iso3()


def _mentions_number(annotation) -> bool:
    """Whether a field's type is, or may be, a number (``int``, ``Optional[float]``, ``Union[date, int]``)."""
    if annotation in (int, float):
        return True
    return any(_mentions_number(a) for a in get_args(annotation))


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_digit_separators(cls, value, info):
        # Python, and so pydantic, reads "1_0" in a CSV cell as 10: a typo would pass as a number.
        if isinstance(value, str) and "_" in value and _mentions_number(cls.model_fields[info.field_name].annotation):
            raise ValueError(f"'{value}' is not a number as written (no '_' inside a number or a date)")
        return value


def check_country(value: str) -> str:
    """``value`` if it is a country or organisation code (:func:`is_country_code`), else a ValueError saying what to use."""
    if not is_country_code(value):
        upper = value.upper() if isinstance(value, str) else value
        hint = f"write it in capitals: '{upper}'" if upper != value and is_country_code(upper) else "use ISO 3166-1 alpha-3, or OECD / EU"
        raise ValueError(f"unknown country code '{value}' ({hint})")
    return value


def _visible(value: str) -> str:
    # A label of zero-width spaces or a byte-order mark looks empty in every table and report.
    if value and is_invisible(value):
        raise ValueError("must not be empty (holds only invisible characters)")
    return value


def _refusing(problem: Callable[[str], str | None]) -> Callable[[str], str]:
    """A pydantic validator from a check that says what is wrong with a value (``None``: nothing)."""
    def validate(value: str) -> str:
        message = problem(value)
        if message:
            raise ValueError(message)
        return value

    return validate


_one_line = _refusing(control_character_problem)
_paragraphs = _refusing(partial(control_character_problem, multiline=True))
_web_url = _refusing(url_problem)


NonEmpty = Field(min_length=1)
#: Every text field of one line (ids, codes, references, locators): no line break and no control
#: character but tab, so every output carries it (a spreadsheet cell, a CSV row, a table header).
Line = Annotated[str, AfterValidator(_one_line)]
#: Text that may run over several lines (descriptions, definitions, comments): line breaks and
#: tabs allowed, no other control character.
Paragraphs = Annotated[str, AfterValidator(_paragraphs)]
Country = Annotated[Line, AfterValidator(check_country)]
#: Text a reader sees (labels, titles, citations): one line, not empty, not only invisible characters.
Text = Annotated[str, Field(min_length=1), AfterValidator(_one_line), AfterValidator(_visible)]
WebUrl = Annotated[str, AfterValidator(_web_url)]
#: Every number in a data or settings file: infinity and NaN are refused (they would blank a
#: score or sort a ranking alphabetically).
def _not_truth_value(value: object) -> object:
    # YAML 1.1 reads yes, no, on, off, true and false as truth values, which pydantic would take as 1 and 0
    if isinstance(value, bool):
        raise ValueError(f"must be a number, but YAML read the unquoted value as the truth value {str(value).lower()}")
    return value


FiniteFloat = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(_not_truth_value)]


class Source(Record):
    id: Line = Field(pattern=CODE)
    kind: Literal["seed", "reference"]
    citation: Text
    file: Optional[Line] = None
    url: Optional[WebUrl] = None
    year: Optional[int] = Field(default=None, ge=1800, le=2100)
    licence: Optional[Line] = None
    #: How much of the work the file or page holds: of an abstract, a concept it does not code is unknown for the work.
    extent: Literal["full", "abstract"] = "full"
    #: The day we read a reference page (its stored copy): required where a quote cites the page.
    accessed: Optional[date] = None

    @model_validator(mode="after")
    def _read_when(self) -> "Source":
        if self.accessed is not None and self.accessed > date.today():
            raise ValueError(f"accessed {self.accessed} is after today: the day we read the page")
        return self

    _year = field_validator("year")(lambda year: not_after_this_year(year, "the source was published"))

    @model_validator(mode="after")
    def _where(self) -> "Source":
        if self.kind == "seed" and not self.file:
            raise ValueError("a seed source needs 'file' (the seed's file name)")
        if self.kind == "reference" and not self.url:
            raise ValueError("a reference source needs 'url'")
        return self


class Item(Record):
    code: Line = Field(pattern=CODE)
    label: Text
    description: Optional[Paragraphs] = None
    group: Optional[Line] = None
    locator: Optional[Line] = None
    source: Optional[Line] = None


class Framework(Record):
    id: Line = Field(pattern=SLUG)
    country: Country
    title: Text
    year: int = Field(ge=1800, le=2100)
    level: Literal["all", "senior", "leaders"]
    kind: Literal["competencies", "values", "principles", "skills", "qualities", "curriculum", "elements"] = "competencies"
    source: Line = NonEmpty
    locator: Optional[Line] = None
    description: Optional[Paragraphs] = None
    items: list[Item] = Field(min_length=1)
    #: Versions over time (issue 28): a framework belongs to a lineage, in force from a date (a
    #: year when only the year is known) until the version that replaced it; the dates are cited.
    lineage: Optional[Line] = Field(default=None, pattern=SLUG)
    version: Optional[Line] = None
    in_force_from: Optional[Union[date, int]] = None
    in_force_to: Optional[Union[date, int]] = None
    replaced_by: Optional[Line] = Field(default=None, pattern=SLUG)
    dates_source: Optional[Line] = None
    dates_locator: Optional[Line] = None
    #: How much of the framework the source shows (issue 25): ``partial`` names what is known to be
    #: missing and why, so that a concept it does not carry is unknown, not absent.
    coverage: Literal["complete", "partial"] = "complete"
    missing: Optional[Paragraphs] = None
    #: The taxonomy domains the unread part of a partial framework could hold (every domain when not
    #: given): what the country does not carry in another domain stays absent, if its other lists are complete.
    missing_domains: Optional[list[Line]] = None
    #: Who published the source: the owner (``official``), the owner's page as a public web archive
    #: kept it (``official-archived``), or somebody else describing it (``secondary``; never a default peer).
    source_kind: Literal["official", "official-archived", "secondary"] = "official"
    #: A paper's proposal for the country, never a framework it has (seed 002's adapted model): no
    #: comparison of what countries have draws it, nor is it evidence of the country's status; a
    #: paper's recommendations may still be read from it (``paper_frameworks`` of ``weights.yaml``).
    proposal: bool = False

    # a date of force may lie ahead; the year the framework was issued may not
    _year = field_validator("year")(lambda year: not_after_this_year(year, "the framework was issued"))

    @model_validator(mode="after")
    def _coverage(self) -> "Framework":
        if self.coverage == "partial" and not (self.missing or "").strip():
            raise ValueError("a partial framework says what is missing and why: give 'missing'")
        if self.coverage == "complete" and self.missing:
            raise ValueError("'missing' belongs to a partial framework: set 'coverage: partial'")
        if self.coverage == "complete" and self.missing_domains is not None:
            raise ValueError("'missing_domains' belongs to a partial framework: set 'coverage: partial'")
        if self.missing_domains is not None and not self.missing_domains:
            raise ValueError("'missing_domains' names at least one domain of the taxonomy (leave it out for every domain)")
        return self

    @model_validator(mode="after")
    def _dates(self) -> "Framework":
        for name in ("in_force_from", "in_force_to"):
            value = getattr(self, name)
            if isinstance(value, int) and not 1800 <= value <= 2100:
                raise ValueError(f"{name} {value} is no year (give YYYY-MM-DD, or YYYY when only the year is known)")
        dated = self.in_force_from is not None or self.in_force_to is not None
        if dated and not (self.dates_source and self.dates_locator):
            raise ValueError("in-force dates need their citation: dates_source and dates_locator")
        if (dated or self.replaced_by or self.version) and not self.lineage:
            raise ValueError("a version (in-force dates, version, replaced_by) belongs to a lineage: give 'lineage'")
        if self.replaced_by and self.in_force_to is None:
            raise ValueError("'replaced_by' needs 'in_force_to', the last day (or year) this version was in force")
        if self.in_force_to is not None and self.in_force_from is None:
            raise ValueError("'in_force_to' needs 'in_force_from'")
        # a year known alone spans the year: from its 1 January, to its 31 December
        start = date(self.in_force_from, 1, 1) if isinstance(self.in_force_from, int) else self.in_force_from
        end = date(self.in_force_to, 12, 31) if isinstance(self.in_force_to, int) else self.in_force_to
        if start is not None and end is not None and end < start:
            raise ValueError(f"in_force_to {self.in_force_to} is before in_force_from {self.in_force_from}")
        return self



class Practice(Record):
    id: Line = Field(pattern=CODE)
    country: Country
    kind: Literal[PRACTICE_KINDS]  # type: ignore[valid-type]
    label: Text
    description: Optional[Paragraphs] = None
    recommended_for_kaz: bool = False
    source: Line = NonEmpty
    locator: Line = NonEmpty



class Indicator(Record):
    id: Line = Field(pattern=CODE)
    country: Country
    indicator: Text
    measure: Line = NonEmpty
    year: Optional[int] = Field(default=None, ge=1800, le=2100)
    value: float = Field(allow_inf_nan=False)  # "nan" parses as a float but is no measurement
    unit: Literal["percent", "percentile_rank", "estimate", "score", "rank", "count"]
    source: Line = NonEmpty
    locator: Line = NonEmpty


    @field_validator("year", mode="before")
    @classmethod
    def _empty_year(cls, v):
        return None if v == "" else v

    @model_validator(mode="after")
    def _range(self) -> "Indicator":
        if self.unit in ("percent", "percentile_rank") and not 0 <= self.value <= 100:
            raise ValueError(f"value {self.value:g} is a {self.unit} outside 0-100")
        return self


class Labels(Record):
    en: Text
    ru: Text
    kk: Text


class Domain(Record):
    id: Line = Field(pattern=SLUG)
    label: Labels


class Aliases(Record):
    en: list[Line] = Field(default_factory=list)
    ru: list[Line] = Field(default_factory=list)
    kk: list[Line] = Field(default_factory=list)


class Concept(Record):
    id: Line = Field(pattern=SLUG)
    domain: Line
    scope: Literal["individual", "system"]
    label: Labels
    label_status: dict[Literal["en", "ru", "kk"], Literal["draft", "reviewed"]] = Field(default_factory=dict)
    definition: Paragraphs = NonEmpty
    aliases: Aliases = Field(default_factory=Aliases)
    #: SKOS ``broader``: the id of the concept this one is a narrower part of (taxonomy 1.1:
    #: the Academy's kinds of training under ``learning_development``). At most two levels.
    broader: Optional[Line] = Field(default=None, pattern=SLUG)
    #: Who signed each reviewed translation; absent until a native reviewer has.
    reviewed_by: dict[Literal["ru", "kk"], Line] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _review_signed(self) -> "Concept":
        for lang in ("ru", "kk"):
            if self.label_status.get(lang) == "reviewed" and not self.reviewed_by.get(lang, "").strip():
                raise ValueError(f"label_status {lang} is 'reviewed' but reviewed_by names no {lang} reviewer")
            if self.reviewed_by.get(lang) and self.label_status.get(lang, "draft") != "reviewed":
                raise ValueError(f"reviewed_by names a {lang} reviewer but label_status {lang} is not 'reviewed'")
        if self.broader == self.id:
            raise ValueError(f"concept '{self.id}' is its own broader concept")
        return self


class Taxonomy(Record):
    version: Line = Field(pattern=r"^\d+\.\d+\.\d+$")
    released: Optional[Line] = None
    domains: list[Domain] = Field(min_length=1)
    concepts: list[Concept] = Field(min_length=1)

    @field_validator("released", mode="before")
    @classmethod
    def _date_text(cls, v):
        return None if v is None else str(v)


class Mapping(Record):
    subject_id: Line = Field(pattern=CODE)
    predicate_id: Literal[PREDICATES]  # type: ignore[valid-type]
    object_id: Line = NonEmpty
    mapping_justification: Line = Field(pattern=r"^semapv:[A-Za-z]+$")
    confidence: FiniteFloat = Field(ge=0, le=1)
    author_id: Line = NonEmpty
    comment: Paragraphs = ""


#: The largest weight of a score component. Weights are relative (only their ratios rank), so a
#: million to one is already one component alone; beyond it the weighted sums overflow or lose
#: every other component to rounding, and the reports cannot write the number.
MAX_WEIGHT = 1e6


class Weights(Record):
    """Weights of the recommendation score's components (from 0 to :data:`MAX_WEIGHT`, not all zero)."""

    peer_share: FiniteFloat = Field(ge=0, le=MAX_WEIGHT)
    oecd_alignment: FiniteFloat = Field(ge=0, le=MAX_WEIGHT)
    kaz_absence: FiniteFloat = Field(ge=0, le=MAX_WEIGHT)
    measured_need: FiniteFloat = Field(ge=0, le=MAX_WEIGHT)
    paper_recommended: FiniteFloat = Field(ge=0, le=MAX_WEIGHT)

    @model_validator(mode="after")
    def _not_all_zero(self) -> "Weights":
        if not any(self.model_dump().values()):
            raise ValueError("all weights are zero")
        return self


def slug_ok(value: str) -> bool:
    return re.match(SLUG, value) is not None


class Anchor(Record):
    """A dated step of a country's own policy, shown on the timeline of frameworks (``data/anchors.yaml``)."""

    id: Line = Field(pattern=CODE)
    country: Country
    title: Text
    date: Union[date, int]
    source: Line = Field(min_length=1)
    locator: Line = Field(min_length=1)
