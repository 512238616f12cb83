"""Russian and Kazakh for the data's own English text (``data/translations.yaml``), the gettext way.

Most of the data is written in English: the labels of recorded practices (what a paper says a
country does, a risk, a Kazakh policy step), the names of indicators, the titles of the timeline's
policy steps, the governance factors and their arguments (``transferability.yaml``). Their translations are kept apart from the records, keyed, as gettext keys a message,
by the English text itself (``en``): a record whose English changes loses its translation until a
translator writes the new one, and a translation whose English the data no longer holds is an
error where it is written. A translation no native speaker has reviewed (no ``reviewed_by_<lang>``)
is a draft and carries :data:`~workbench.model.i18n.DRAFT_MARK` wherever it is shown.

The names of frameworks and of their items are translated too (a Russian page names a competency in
Russian, marked as our translation; the English report keeps the source's wording), and so is what a
partial framework's source lacks (``missing``, our own words) and the locator of a date (a framework's
``dates_locator``, an anchor's ``locator``: our reasons for the date around the source's words, which stay
word for word in «»). Quotes, titles of sources, citations and the other locators are never translated:
they are the sources' own words or point into them. The analyses
work on ids, so :func:`localised` changes nothing they compute.
"""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any, Optional

from pydantic import AfterValidator, Field, model_validator

from workbench.model.i18n import DRAFT_MARK
from workbench.model.options import cyrillic_only
from workbench.model.records import Dataset
from workbench.model.schema import Line, Paragraphs, Record
from workbench.model.sourcefile import read_yaml
from workbench.model.values import SOURCE_ID_IN_TEXT, identity_key

__all__ = ["TRANSLATED", "FILE_TEXTS", "Translation", "cyrillic_translation", "text_key", "translatable_texts", "localised", "original", "translated"]

#: The tables and columns whose English text may be translated (table -> columns).
TRANSLATED: dict[str, tuple[str, ...]] = {"practices": ("label",), "indicators": ("indicator",), "anchors": ("title", "locator"),
                                          "frameworks": ("title", "missing", "dates_locator"), "items": ("label",)}
#: Files read by a layer above the model whose English may be translated too: file -> (list, fields).
FILE_TEXTS: dict[str, tuple[str, tuple[str, ...]]] = {"transferability.yaml": ("factors", ("label", "argument"))}


#: A Roman numeral, as in the official number of a Kazakh law ("№ 416-V"): kept as written.
#: Only a well-formed numeral up to 3999: "DVD", "LCD" or "MILD" are words, not numbers.
_ROMAN = re.compile(r"(?=[MDCLXVI])M{0,3}(CM|CD|D?C{0,3})(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})")


#: A quotation in the English ('...'), apostrophes inside words (l'article, Clerk's) kept in it.
_ENGLISH_QUOTE = re.compile(r"(?:(?<=^)|(?<=[\s(:;,\[]))'((?:[^'\n]|(?<=\w)'(?=\w))+)'(?=$|[\s.,;:)\]])")
#: A quotation in the translation: a term or a name as its source writes it (« pavyzdingumas », « loi n° 83-634 »), in any script.
_QUOTED = re.compile(r"«[^«»]*»")


def cyrillic_translation(value: str) -> str:
    """``value`` if, outside its quotations (``«...»``) and the source ids it cites (``ref_x``), it is
    written in Cyrillic: a Russian or Kazakh text names a French article or a Lithuanian principle as
    its source writes it, in quotation marks, as a Russian text would, and cites as the English does.

    >>> cyrillic_translation("Определение принципа «pavyzdingumas» (ref_ltu_vtd)")
    'Определение принципа «pavyzdingumas» (ref_ltu_vtd)'
    >>> cyrillic_translation("Определение principle")
    Traceback (most recent call last):
    ...
    ValueError: holds Latin-script words (principle): Russian and Kazakh texts of the data's translations are written in Cyrillic (acronyms too: ОЭСР, ЭЫДҰ); a term as its source writes it stands in «»
    """
    bare = SOURCE_ID_IN_TEXT.sub(" ", _QUOTED.sub(" ", value))
    cyrillic_only(bare, whose="the data's translations", kept=_ROMAN, hint="; a term as its source writes it stands in «»")
    return value


#: A text of the data, as its record writes it: one line (a label), or paragraphs (what a partial source lacks).
_Words = Annotated[Paragraphs, Field(min_length=1)]
_CyrillicText = Annotated[_Words, AfterValidator(cyrillic_translation)]


class Translation(Record):
    """One English text of the data and its Russian and Kazakh; ``reviewed_by_<lang>``: the native
    speaker who reviewed that language (without one, the translation is a draft)."""

    en: _Words
    ru: _CyrillicText
    kk: _CyrillicText
    reviewed_by_ru: Optional[Line] = None
    reviewed_by_kk: Optional[Line] = None

    @model_validator(mode="after")
    def _keeps_the_sources_words(self) -> "Translation":
        # a locator quotes its source: the translation gives our words around the quote, never the quote's
        for quote in (q for q in _ENGLISH_QUOTE.findall(self.en) if len(q.split()) >= 4):
            for lang in ("ru", "kk"):
                if f"«{quote}»" not in getattr(self, lang):
                    raise ValueError(f"the {lang} does not quote «{quote[:50]}» word for word: a quotation stays as its source wrote it")
        return self

    @model_validator(mode="after")
    def _cites_as_the_english(self) -> "Translation":
        cited = set(SOURCE_ID_IN_TEXT.findall(self.en))
        for lang in ("ru", "kk"):
            own = set(SOURCE_ID_IN_TEXT.findall(getattr(self, lang)))
            if own != cited:
                extra, lost = sorted(own - cited), sorted(cited - own)
                said = "; ".join([f"cites {', '.join(extra)}, which the English does not"] * bool(extra)
                                 + [f"does not cite {', '.join(lost)}, which the English does"] * bool(lost))
                raise ValueError(f"the {lang} {said}: a translation cites the sources its English cites")
        return self


def translatable_texts(raw: Any) -> set[str] | None:
    """Every English text of the read records (``raw``: :class:`~workbench.model.records.RawData`)
    that ``data/translations.yaml`` may translate (:data:`TRANSLATED`); ``None`` when a file of
    :data:`FILE_TEXTS` is not laid out as its reader expects (that reader says how). A file of them that
    cannot be read at all raises its own :class:`~workbench.model.errors.InputError`."""
    out: set[str] = set()
    for table, columns in TRANSLATED.items():
        # a framework's items are read with it: they are records of their framework's file
        records = ([i for f, *_ in raw.frameworks for i in f.items] if table == "items" else [r for r, *_ in getattr(raw, table, [])])
        for record in records:
            out.update(str(text) for column in columns if (text := getattr(record, column)) is not None)
    for name, (key, fields) in FILE_TEXTS.items():
        texts = _file_texts(Path(raw.root) / name, key, fields)
        if texts is None:
            return None
        out.update(texts)
    return out


def _file_texts(path: Path, key: str, fields: tuple[str, ...]) -> set[str] | None:
    """The English of ``fields`` in each record of the list ``key`` of a YAML file: none when the file is
    missing, ``None`` when it is not a mapping with that list. A file that cannot be read (a YAML syntax
    error, no data) raises its error: otherwise every translation of its texts would be reported instead."""
    data = read_yaml(path).data if path.exists() else {}
    records = data.get(key, []) if isinstance(data, dict) else None
    if not isinstance(records, list):
        return None
    return {str(r[f]) for r in records if isinstance(r, dict) for f in fields if isinstance(r.get(f), str)}


def text_key(text: Any) -> str:
    """How a translation finds its English: case and the spacing of lines aside (a folded paragraph of a
    framework file and the same words on one line are one text).

    >>> text_key("Seeing the\\n  big picture") == text_key("Seeing the Big Picture")
    True
    """
    return identity_key(" ".join(str(text).split()))


def translated(ds: Dataset, text: str) -> str:
    """``text`` in the language of ``ds`` (:func:`localised`) where a translation exists, a draft
    marked as such; else as it is."""
    table = ds.translations
    if ds.lang == "en" or table is None or not len(table):
        return text
    return _words(table, ds.lang).get(text_key(text), text)


def _words(table: Any, lang: str) -> dict[str, str]:
    """English (as :func:`text_key` compares it) -> the translation, marked
    while a draft. One translation serves texts that differ only in case ("Seeing the Big Picture",
    "Seeing the big picture"), as the check of ``translations.yaml`` allows one entry for them."""
    reviewed = table[f"reviewed_by_{lang}"].fillna("").astype(str).str.strip().ne("")
    return dict(zip(map(text_key, table["en"]), table[lang].where(reviewed, table[lang] + DRAFT_MARK)))


def localised(ds: Dataset, lang: str) -> Dataset:
    """``ds`` with the translated columns (:data:`TRANSLATED`) in ``lang`` where a translation exists,
    a draft marked as such; English text without a translation stays as it is. New tables: ``ds`` is
    not changed. ``en`` returns ``ds`` itself."""
    table = ds.translations
    if lang == "en" or table is None or not len(table):
        return ds
    words = _words(table, lang)
    changed = {}
    for name, columns in TRANSLATED.items():
        frame = getattr(ds, name)
        if frame is None or not len(frame):
            continue
        frame = frame.copy()
        for column in columns:
            frame[f"{column}_en"] = frame[column]  # the English, for what matches on it (:func:`original`)
            frame[column] = frame[column].map(lambda text: words.get(text_key(text), text))
        changed[name] = frame
    return replace(ds, **changed, lang=lang)


def original(frame: Any, column: str) -> Any:
    """The English of ``column`` of a table :func:`localised` may have translated: what a match on the
    data's own words (an indicator named in ``transferability.yaml``) must compare with."""
    return frame[f"{column}_en"] if f"{column}_en" in frame else frame[column]
