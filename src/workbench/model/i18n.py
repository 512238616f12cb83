"""Every interface string of the reports in English, Russian and Kazakh, from one catalogue.

The catalogue is ``templates/report/strings.yaml``: group -> key -> ``{en, ru, kk}``. A string is
looked up as ``t("group.key", lang)``; every key carries all three languages (a test checks),
so a report never falls back to English without it being noticed. Russian and Kazakh are
drafts for a native reviewer (``DRAFT_LANGUAGES``); reports in them say so.
"""
from __future__ import annotations

import gettext
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

__all__ = ["CATALOGUE", "LANGUAGES", "DRAFT_LANGUAGES", "check_language", "catalogue", "t", "has", "group", "missing",
           "country_name", "author_year", "value_word"]

CATALOGUE = Path(__file__).resolve().parents[1] / "templates" / "report" / "strings.yaml"
#: The workbench's languages: of the taxonomy's labels, the interface strings and the reports.
#: Defined here, not in :mod:`workbench.model.taxonomy`, so that the settings' messages need no pandas.
LANGUAGES = ("en", "ru", "kk")


def check_language(lang: str) -> str:
    """``lang`` if it is one of :data:`LANGUAGES`, else a ValueError naming the choices."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}' (use one of {', '.join(LANGUAGES)})")
    return lang


@lru_cache(maxsize=1)
def catalogue() -> dict[str, dict[str, dict[str, str]]]:
    """The catalogue as loaded: group -> key -> language -> text (plus ``draft_languages``)."""
    # libyaml's parser where PyYAML has it: the pure-Python one takes 0.2 s, in every kernel and command
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(CATALOGUE.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 - a safe loader


DRAFT_LANGUAGES: tuple[str, ...] = ("ru", "kk")


def _entry(key: str) -> dict[str, str] | None:
    grp, _, name = key.partition(".")
    found = catalogue().get(grp)
    return found.get(name) if isinstance(found, dict) else None


def has(key: str) -> bool:
    """Whether ``"group.key"`` is in the catalogue.

    >>> has("ui.references"), has("columns.no_such_column")
    (True, False)
    """
    return _entry(key) is not None


def t(key: str, lang: str = "en", **fields: Any) -> str:
    """The string ``"group.key"`` in ``lang``, with ``{field}`` placeholders filled from ``fields``.

    >>> t("ui.references", "ru")
    'Источники'
    >>> t("figures.cluster", "en", n=2)
    'cluster 2'
    """
    check_language(lang)
    entry = _entry(key)
    if entry is None:
        raise KeyError(f"{CATALOGUE.name}: no interface string {key!r}")
    text = entry.get(lang)
    if not text:
        raise KeyError(f"{CATALOGUE.name}: {key!r} has no {lang!r} text")
    return text.format(**fields) if fields else text


def group(name: str, lang: str = "en") -> dict[str, str]:
    """Every string of a group in ``lang`` (key -> text), e.g. ``group("ui", "kk")`` for the page template."""
    check_language(lang)
    return {k: v[lang] for k, v in catalogue()[name].items()}


def missing() -> list[str]:
    """``group.key:lang`` of every catalogue string lacking a language (empty when complete)."""
    out = []
    for grp, entries in catalogue().items():
        if not isinstance(entries, dict):
            continue
        for key, texts in entries.items():
            out += [f"{grp}.{key}:{lang}" for lang in LANGUAGES if not (isinstance(texts, dict) and texts.get(lang))]
    return out


@lru_cache(maxsize=None)
def country_name(code: str, lang: str = "en") -> str:
    """A country's name in ``lang`` from pycountry's ISO 3166 data and its translations (the code if unknown).

    >>> country_name("KAZ"), country_name("KAZ", "ru"), country_name("OECD"), country_name("OECD", "kk")
    ('Kazakhstan', 'Казахстан', 'OECD', 'ЭЫДҰ')
    """
    # `workbench validate` loads this module (through the settings' messages) and never names a country.
    # deferred: pycountry costs about 40 ms to import; only country names need it
    import pycountry

    check_language(lang)
    if has(f"organisations.{code}"):  # OECD, EU: owners of frameworks, named in each language
        return t(f"organisations.{code}", lang)
    found = pycountry.countries.get(alpha_3=code) if re.fullmatch(r"[A-Z]{3}", str(code)) else None
    if found is None:
        return str(code)
    name = getattr(found, "common_name", None) or found.name
    if lang == "en":
        return name
    try:
        tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang])
    except OSError:
        return name
    return tr.gettext(getattr(found, "common_name", None) or found.name) if getattr(found, "common_name", None) else tr.gettext(found.name)


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


def value_word(value: str, lang: str) -> str:
    """A word the code writes (status, verb, predicate) in ``lang``, through the ``values`` group;
    a value the catalogue does not know is itself.

    >>> value_word("absent", "en"), value_word("no-such-value", "ru")
    ('absent', 'no-such-value')
    """
    return t(f"values.{value}", lang) if value and has(f"values.{value}") else value
