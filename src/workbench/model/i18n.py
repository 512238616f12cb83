"""Every interface string of the reports in English, Russian and Kazakh: a thin layer over gettext and Babel.

English is the source (:mod:`workbench.model.messages`, marked for ``pybabel extract``); Russian and
Kazakh come from the gettext catalogues (:mod:`workbench.model.catalogues`). A string is looked up
as ``t("group.key", lang)`` (the key is the gettext context) or, for a text that depends on a
count, ``tn("group.key", n, lang)`` with the CLDR plural rules of the language. A string whose
translation is fuzzy (its English changed since) or missing is never shown silently in English:
it carries :data:`DRAFT_MARK`, which every report explains. Numbers and percentages are written
the way the language writes them (:func:`number`, :func:`percent`, Babel's CLDR data). Russian
and Kazakh are drafts for a native reviewer (``DRAFT_LANGUAGES``); reports in them say so.
"""
from __future__ import annotations

import re
from datetime import date as _date
from functools import lru_cache
from typing import Any

from workbench.model.catalogues import translations
from workbench.model.messages import MESSAGES, PLURAL_MESSAGES

__all__ = ["LANGUAGES", "DRAFT_LANGUAGES", "DRAFT_MARK", "check_language", "t", "tn", "has", "group", "missing", "date_text",
           "is_draft", "number", "percent", "country_name", "country_prefixed", "author_year", "value_word", "quoted"]

#: The workbench's languages: of the taxonomy's labels, the interface strings and the reports.
#: Defined here, not in :mod:`workbench.model.taxonomy`, so that the settings' messages need no pandas.
LANGUAGES = ("en", "ru", "kk")
#: Languages whose catalogue awaits a native reviewer: every report in them says so.
DRAFT_LANGUAGES: tuple[str, ...] = ("ru", "kk")
#: Follows a string shown as a draft: fuzzy in its catalogue, or not translated yet.
DRAFT_MARK = "\u00a0\u2020"


def check_language(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}' (use one of {', '.join(LANGUAGES)})")
    return lang


def has(key: str) -> bool:
    """Whether ``"group.key"`` is an interface string.

    >>> has("ui.references"), has("columns.no_such_column")
    (True, False)
    """
    return key in MESSAGES or key in PLURAL_MESSAGES


def _lookup(key: str, english: str, lang: str) -> tuple[str, bool]:
    """The translation of ``english`` under ``key`` and whether it is a draft (fuzzy or missing)."""
    main, fuzzy = translations(lang)
    found = main._catalog.get(f"{key}\x04{english}")  # noqa: SLF001 - gettext keeps contexts this way
    if found is not None:
        return found, False
    draft = fuzzy._catalog.get(f"{key}\x04{english}")  # noqa: SLF001
    return (draft if draft is not None else english), True


def t(key: str, lang: str = "en", **fields: Any) -> str:
    """The string ``"group.key"`` in ``lang``, with ``{field}`` placeholders filled from ``fields``.

    >>> t("ui.references", "ru")
    'Источники'
    >>> t("figures.cluster", "en", n=2)
    'cluster 2'
    """
    check_language(lang)
    english = MESSAGES.get(key)
    if english is None:
        raise KeyError(f"no interface string {key!r} (workbench.model.messages)")
    text, draft = (english, False) if lang == "en" else _lookup(key, english, lang)
    text = text.format(**fields) if fields else text
    return text + DRAFT_MARK if draft else text


def tn(key: str, n: int, lang: str = "en", **fields: Any) -> str:
    """The string ``"group.key"`` in the plural form ``n`` takes in ``lang`` (CLDR rules: three forms
    in Russian, two in Kazakh and English), with ``n`` and ``fields`` filled in.

    >>> [tn("options.options_count", n, "ru") for n in (1, 2, 5, 21)]
    ['1 вариант в реестре', '2 варианта в реестре', '5 вариантов в реестре', '21 вариант в реестре']
    """
    check_language(lang)
    singular, plural = PLURAL_MESSAGES[key]
    if lang == "en":
        text, draft = (singular if n == 1 else plural), False
    else:
        main, fuzzy = translations(lang)
        index = main.plural(n)
        found = main._catalog.get((f"{key}\x04{singular}", index))  # noqa: SLF001
        draft = found is None
        if draft:
            found = fuzzy._catalog.get((f"{key}\x04{singular}", fuzzy.plural(n)))  # noqa: SLF001
        text = found if found is not None else (singular if n == 1 else plural)
    text = text.format(n=number(n, lang), **fields)
    return text + DRAFT_MARK if draft else text


def is_draft(key: str, lang: str) -> bool:
    """Whether ``key`` is shown as a draft in ``lang`` (its translation fuzzy or missing)."""
    return lang != "en" and key in MESSAGES and _lookup(key, MESSAGES[key], lang)[1]


def group(name: str, lang: str = "en") -> dict[str, str]:
    """Every string of a group in ``lang`` (key -> text), e.g. ``group("ui", "kk")`` for the page template."""
    check_language(lang)
    prefix = f"{name}."
    return {k[len(prefix):]: t(k, lang) for k in MESSAGES if k.startswith(prefix)}


def missing(lang: str | None = None) -> list[str]:
    """``group.key:lang`` of every string shown as a draft (fuzzy or untranslated; empty when none is)."""
    langs = [lang] if lang else list(DRAFT_LANGUAGES)
    return [f"{k}:{g}" for g in langs for k in MESSAGES if is_draft(k, g)]


def number(value: float, lang: str = "en", decimals: int | None = None) -> str:
    """``value`` as the language writes it (decimal comma in Russian and Kazakh), with ``decimals``
    fixed decimals (``None``: up to three, trailing zeros dropped).

    >>> number(0.667, "ru"), number(1234.5, "en", 1), number(3, "kk")
    ('0,667', '1,234.5', '3')
    """
    from babel.numbers import format_decimal  # deferred: Babel's CLDR data, loaded on first use

    if decimals is None:
        return format_decimal(value, locale=lang)
    return format_decimal(value, format=f"#,##0.{'0' * decimals}" if decimals else "#,##0", locale=lang)


def percent(share: float, lang: str = "en", decimals: int = 1) -> str:
    """A share (0-1) as a percentage the way the language writes it.

    >>> percent(0.572, "ru"), percent(0.572, "en"), percent(1, "kk", 0)
    ('57,2\xa0%', '57.2%', '100%')
    """
    # deferred: Babel's CLDR data, loaded on first use
    from babel import Locale
    from babel.numbers import format_percent

    pattern = Locale.parse(lang).percent_formats[None].pattern
    pattern = pattern.replace("#,##0", "#,##0." + "0" * decimals, 1) if decimals else pattern
    return format_percent(share, format=pattern, locale=lang)


#: The CLDR locale of each report language's dates: English reports write the day first ("6 December 2026").
_DATE_LOCALES = {"en": "en_GB", "ru": "ru", "kk": "kk"}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def date_text(value: Any, lang: str = "en") -> str:
    """A day as the language writes it in running text; a year alone (2019 or 2019.0) as a year, nothing
    (None, NaN, NaT) as an empty text, and anything else (a date that does not exist) as it is.

    >>> from datetime import date
    >>> date_text(None), date_text(float("nan")), date_text(2019.0), date_text("2019-02-30")
    ('', '', '2019', '2019-02-30')
    >>> date_text(date(2026, 12, 6), "en"), date_text("2019-01-06", "ru"), date_text(2024, "kk")
    ('6 December 2026', '6 января 2019\u202fг.', '2024')
    """
    from babel.dates import format_date  # deferred: Babel's CLDR data, loaded on first use

    if value is None or value != value:  # NaN and NaT are not equal to themselves
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        try:
            value = _date.fromisoformat(value.strip())
        except ValueError:  # no such day: shown as written
            return value
    if isinstance(value, _date):
        return format_date(value, format="long", locale=_DATE_LOCALES.get(lang, lang))
    return str(value)


@lru_cache(maxsize=None)
def country_name(code: str, lang: str = "en") -> str:
    """A country's name in ``lang``: CLDR's territory name (Babel), for a code pycountry finds in ISO 3166
    (the code itself if unknown). CLDR gives the names as each language writes them in running text
    ("Великобритания", "Соединенные Штаты"), where ISO's own translations give the formal names.

    >>> country_name("KAZ"), country_name("KAZ", "ru"), country_name("OECD"), country_name("OECD", "kk")
    ('Kazakhstan', 'Казахстан', 'OECD', 'ЭЫДҰ')
    >>> country_name("GBR", "ru"), country_name("USA", "ru"), country_name("USA", "kk"), country_name("est")[:7]
    ('Великобритания', 'Соединенные Штаты', 'Америка Құрама Штаттары', 'Estonia')
    """
    # `workbench validate` loads this module (through the settings' messages) and never names a country.
    # deferred: pycountry costs about 40 ms to import; only country names need it
    import pycountry

    check_language(lang)
    code = str(code).upper() if re.fullmatch(r"[A-Za-z]{3,4}", str(code)) else code  # "est" in reports.yaml names Estonia too
    if has(f"organisations.{code}"):  # OECD, EU: owners of frameworks, named in each language
        return t(f"organisations.{code}", lang)
    found = pycountry.countries.get(alpha_3=code) if re.fullmatch(r"[A-Z]{3}", str(code)) else None
    if found is None:
        return str(code)
    return _territories(lang).get(found.alpha_2) or getattr(found, "common_name", None) or found.name


def country_prefixed(code: str, text: str, lang: str = "en", sep: str = ": ") -> str:
    """``text`` (a framework's title, a practice's label) after its country's name, unless it already
    begins with that name in ``lang`` or in English: "Lithuania: Lithuania: ..." never (``sep`` between them).

    >>> country_prefixed("LTU", "Competencies of senior leaders"), country_prefixed("LTU", "Lithuania: senior leaders")
    ('Lithuania: Competencies of senior leaders', 'Lithuania: senior leaders')
    """
    name = country_name(code, lang)
    if any(text.startswith(n) for n in {name, country_name(code, "en")}):
        return text
    return f"{name}{sep}{text}"


#: Where CLDR's name is not the one the language's readers use: Kazakh writes Австралия (CLDR: Аустралия),
#: as the Kazakh texts of this project and a print review of them do.
_TERRITORY_USAGE = {"kk": {"AU": "Австралия"}}


@lru_cache(maxsize=None)
def _territories(lang: str) -> dict[str, str]:
    """CLDR's territory names in ``lang`` (two-letter code -> name), with :data:`_TERRITORY_USAGE`."""
    from babel import Locale  # deferred as pycountry is: only country names need the locale data

    return dict(Locale.parse(lang).territories) | _TERRITORY_USAGE.get(lang, {})


_YEAR = re.compile(r"\((\d{4})\)")


def author_year(citation: str, year: Any = None, lang: str = "en") -> str:
    """A short author-year label for a citation as ``data/sources.yaml`` writes it.

    The first author's surname (``et al.`` when the citation names more), or the issuing body
    (text before the first full stop), and the year (``n.d.`` in ``lang`` when the data has none).

    >>> author_year("Davletbayeva, Zh., Bekish, U., Zagrebin, A. (2025). A model.", 2025)
    'Davletbayeva et al. 2025'
    >>> author_year("UK Civil Service. Success Profiles (2018).", 2018)
    'UK Civil Service 2018'
    >>> author_year("Academy of Public Administration under the President (data to 2015). On training.")
    'Academy of Public Administration n.d.'
    >>> author_year("U.S. Office of Personnel Management. Senior Executive Service.", 2008)
    'U.S. Office of Personnel Management 2008'
    >>> author_year("Taitorina, B. A. The trends.", None)
    'Taitorina n.d.'
    """
    text = " ".join(str(citation).split())
    head = text.split("(")[0]
    names = [p.strip() for p in head.split(",") if re.fullmatch(r"[A-Z][A-Za-z'-]+", p.strip())]
    if names and head.startswith(names[0] + ","):
        who = f"{names[0]} et al." if len(names) > 1 else names[0]
    else:
        # an issuing body: up to the first full stop (not the one of "No.") or quotation
        who = re.split(r'(?<!\bNo)(?<!\b[A-Z])\. | "', head)[0].strip().rstrip(".")
        who = who.split(" under the ")[0]  # "Academy of Public Administration under the President of ..."
    if year is None or str(year) in ("", "nan", "None"):
        found = _YEAR.search(text)
        year = found.group(1) if found else t("ui.no_year", lang)
    else:
        year = str(int(float(year)))
    return who if who.endswith(year) else f"{who} {year}"


def quoted(text: str, lang: str = "en") -> str:
    """``text`` in the quotation marks of ``lang``: “…” in English, «…» in Russian and Kazakh („…“ around
    a text that holds «» itself, as Russian typography nests them).

    >>> quoted("Leadership"), quoted("Лидерство", "ru"), quoted("Обучение корпуса «А»", "ru")
    ('“Leadership”', '«Лидерство»', '„Обучение корпуса «А»“')
    """
    if lang == "en":
        return f"“{text}”"
    return f"„{text}“" if "«" in text else f"«{text}»"


def value_word(value: str, lang: str) -> str:
    """A word the code writes (status, verb, predicate) in ``lang``, through the ``values`` group;
    a value the catalogue does not know is itself.

    >>> value_word("absent", "en"), value_word("no-such-value", "ru")
    ('absent', 'no-such-value')
    """
    return t(f"values.{value}", lang) if value and has(f"values.{value}") else value
