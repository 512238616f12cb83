"""Russian and Kazakh for the data's own English text (data/translations.yaml): checked, applied, marked."""
from __future__ import annotations

import re

import shutil

import pytest

from conftest import REPO, run_workbench
from workbench.analysis import transferability
from workbench.model.dataset import load
from workbench.model.i18n import DRAFT_MARK

RISK = "Resistance to change among civil servants"
GAP = "Lack of negotiation skills"


@pytest.fixture
def data(tmp_path):
    root = tmp_path / "data"
    shutil.copytree(REPO / "data", root)
    return root


def _write(root, entries: str) -> None:
    (root / "translations.yaml").write_text(entries, encoding="utf-8")


def test_a_translation_shows_in_its_language_marked_until_reviewed_and_the_english_is_kept(data):
    _write(data, f"- en: {RISK}\n  ru: Сопротивление изменениям\n  kk: Өзгерістерге қарсылық\n"
                 f"- en: {GAP}\n  ru: Нехватка навыков переговоров\n  kk: Келіссөз дағдыларының жетіспеуі\n"
                 "  reviewed_by_ru: A. Reviewer\n")
    en, ru, kk = (load(data, lang=lang) for lang in ("en", "ru", "kk"))
    risk = ru.practices.loc[ru.practices["label_en"] == RISK, "label"]
    assert len(risk) and set(risk) == {"Сопротивление изменениям" + DRAFT_MARK}  # a draft says so
    gap = ru.indicators.loc[ru.indicators["indicator_en"] == GAP, "indicator"]
    assert len(gap) and set(gap) == {"Нехватка навыков переговоров"}  # reviewed: no mark
    assert set(kk.indicators.loc[kk.indicators["indicator_en"] == GAP, "indicator"]) == {"Келіссөз дағдыларының жетіспеуі" + DRAFT_MARK}
    assert RISK in set(en.practices["label"]) and "label_en" not in en.practices  # English as written
    # an untranslated text stays as it is; ids, and so every analysis, are untouched
    assert (ru.practices["id"] == en.practices["id"]).all()
    assert (ru.practices["label"] == en.practices["label"]).sum() == len(en.practices) - len(risk)


def test_a_framework_and_its_items_are_named_in_the_pages_language(data):
    """A print review of the Russian and Kazakh reports: Kazakhstan's own model, its items and the
    papers' recommended items stood in English on Russian and Kazakh pages."""
    en = load(data)
    title = en.frameworks.set_index("framework_id").at["kaz_listening_state", "title"]
    item = en.items.loc[en.items["framework_id"] == "kaz_listening_state", "label"].iloc[0]
    _write(data, f"- en: '{title}'\n  ru: Модель «Слышащего государства»\n  kk: «Халық үніне құлақ асатын мемлекет» моделі\n"
                 f"- en: '{item}'\n  ru: Перевод пункта\n  kk: Тармақтың аудармасы\n")
    assert run_workbench("validate", "--data", data).returncode == 0
    ru = load(data, lang="ru")
    assert ru.frameworks.set_index("framework_id").at["kaz_listening_state", "title"] == "Модель «Слышащего государства»" + DRAFT_MARK
    assert set(ru.items.loc[ru.items["label_en"] == item, "label"]) == {"Перевод пункта" + DRAFT_MARK}
    assert (ru.items["item_code"] == en.items["item_code"]).all()  # ids, and so every analysis, untouched


def test_an_english_key_that_differs_in_case_is_told_how_the_data_writes_it_and_a_roman_numeral_is_only_a_numeral(data):
    """A hostile review: 'ACHIEVES RESULTS' was refused without a word of 'Achieves results', and
    'DVD' passed as a Roman numeral in a Russian translation."""
    _write(data, f"- en: {RISK.upper()}\n  ru: Сопротивление\n  kk: Қарсылық\n"
                 f"- en: {GAP}\n  ru: Нехватка навыков переговоров по DVD\n  kk: Келіссөз дағдыларының жетіспеуі\n")
    lines = run_workbench("validate", "--data", data).stderr.splitlines()
    assert any(f"the data writes '{RISK}': write it so" in l for l in lines), lines
    assert any("ru: holds Latin-script words (DVD)" in l for l in lines), lines


def test_matches_on_the_datas_own_words_still_find_a_translated_indicator(data):
    """transferability.yaml names its indicators in English: a Russian dataset still finds them."""
    _write(data, "- en: Control of Corruption\n  ru: Контроль коррупции\n  kk: Сыбайлас жемқорлықты бақылау\n")
    en, ru = (transferability.read_transferability(load(data, lang=lang)) for lang in ("en", "ru"))
    shown = transferability.context(ru, "integrity_ethics", "values", ["GBR", "KAZ"])
    assert len(shown) == len(transferability.context(en, "integrity_ethics", "values", ["GBR", "KAZ"])) > 0
    assert "Контроль коррупции" + DRAFT_MARK in set(shown["indicator"])


@pytest.mark.parametrize("entry, message", [
    ("- en: Resistance to chenge among civil servants\n  ru: Сопротивление\n  kk: Қарсылық\n",
     "en: no practice label, indicator name, timeline title, governance factor, framework title, item label, partial framework's missing part or date's locator of the data reads 'Resistance to chenge among civil servants'"),
    (f"- en: {RISK}\n  ru: Сопротивление (resistance)\n  kk: Қарсылық\n", "ru: holds Latin-script words (resistance)"),
    (f"- en: {RISK}\n  ru: Сопротивление\n  kk: Қарсылық\n- en: {RISK}\n  ru: Сопротивление\n  kk: Қарсылық\n",
     f"duplicate translation of the text '{RISK}' (first at line 1)"),
    # a term as its source writes it stands in «»; outside them, Latin script is English left untranslated
    (f"- en: {RISK}\n  ru: Сопротивление «resistance» по GOV.UK\n  kk: Қарсылық\n",
     "ru: holds Latin-script words (GOV UK): Russian and Kazakh texts of the data's translations are written in Cyrillic "
     "(acronyms too: ОЭСР, ЭЫДҰ); a term as its source writes it stands in «»"),
    # a locator's quotation stays the source's words: a translation of it is refused
    ("- en: \"Decree, paragraph 3: 'This Decree is effective from January 1, 2016'\"\n"
     "  ru: 'Указ, пункт 3: «Указ вступает в силу с 1 января 2016 года»'\n  kk: 'Жарлық, 3-тармақ: «This Decree is effective from January 1, 2016»'\n",
     "the ru does not quote «This Decree is effective from January 1, 2016» word for word: a quotation stays as its source wrote it"),
    # a translation cites what its English cites: a source id is neither added nor lost
    (f"- en: {RISK}\n  ru: Сопротивление (ref_gbr_hmrc_cog11210)\n  kk: Қарсылық\n",
     "the ru cites ref_gbr_hmrc_cog11210, which the English does not: a translation cites the sources its English cites"),
])
def test_a_translation_that_translates_nothing_or_is_not_cyrillic_is_one_line_where_it_is_written(data, entry, message):
    _write(data, entry)
    done = run_workbench("validate", "--data", data)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{data / 'translations.yaml'}:") and message in lines[0], lines


def test_the_bundled_translations_give_the_survey_risks_and_steps_in_russian_and_kazakh():
    """What the Russian and Kazakh reports show of the data's own English: the survey's gaps (their
    table in the recommendations), the risks, the timeline's steps."""
    for lang in ("ru", "kk"):
        ds = load(lang=lang)
        assert len(ds.translations) > 0
        gaps = ds.indicators.loc[ds.indicators["id"].str.startswith("kz-gap-"), "indicator"]
        risks = ds.practices.loc[ds.practices["kind"] == "risk", "label"]
        for shown in (gaps, risks, ds.anchors["title"]):
            latin = shown.str.replace(r"\b[IVXLCDM]+\b", "", regex=True).str.contains(r"[A-Za-z]")  # a law's number: № 416-V
            assert len(shown) and not latin.any(), list(shown[latin])


def test_the_governance_factors_our_own_words_are_read_in_russian_and_kazakh():
    """A domain review found our paraphrase of seed 001's argument in English twenty times on a Russian
    page: the factors of transferability.yaml are translated as the data's other English is."""
    from workbench.analysis.transferability import read_transferability
    from workbench.model.dataset import load

    english = read_transferability(load())
    assert english.factors[0].label == "Level of corruption"
    for lang in ("ru", "kk"):
        factors = read_transferability(load(lang=lang)).factors
        assert [f.id for f in factors] == [f.id for f in english.factors]
        for f in factors:
            for text in (f.label, f.argument):
                assert re.search("[а-яА-ЯәіңғүұқөһӘІҢҒҮҰҚӨҺ]", text) and not re.search("[A-Za-z]{3,}", text.replace("OECD", "")), text


@pytest.mark.parametrize("table, key, column", [("frameworks", "framework_id", "missing"),
                                                ("frameworks", "framework_id", "dates_locator"), ("anchors", "id", "locator")])
def test_our_words_on_sources_and_dates_are_in_the_pages_language_citing_and_quoting_as_the_english(table, key, column):
    """A domain review: on a Russian page what a partial source lacks, and why a version's date is that
    date, stood in English (our own words). Each is translated, Latin script only inside «» (the source's
    words, kept as written) and the source ids the English cites; the Russian dataset carries it as a draft."""
    en = getattr(load(), table).set_index(key)[column]
    en = en[en.fillna("").astype(str).str.strip() != ""]
    assert len(en) >= 4
    ids = re.compile(r"\b(?:ref_[a-z0-9_]+|seed00\d)\b")
    for lang in ("ru", "kk"):
        shown = getattr(load(lang=lang), table).set_index(key).loc[en.index, column]
        bare = shown.str.replace(r"«[^«»]*»", "", regex=True).str.replace(ids, "", regex=True)
        assert not bare.str.contains(r"[A-Za-z]").any(), list(shown[bare.str.contains(r"[A-Za-z]")].index)
        signed = load().translations.set_index("en")[f"reviewed_by_{lang}"].fillna("").astype(str).str.strip()
        drafts = [signed.get(en[at], "") == "" for at in shown.index]
        assert [text.endswith(DRAFT_MARK) for text in shown] == drafts  # a draft says so until a native speaker signs it
        for at, text in shown.items():
            assert set(ids.findall(text)) == set(ids.findall(en[at])), at


@pytest.mark.parametrize("text, message", [
    ("foo: [unclosed\n", "YAML syntax error"),
    ("", "file is empty"),
    ("- a list, not a mapping\n", "expected a mapping with a 'factors' list"),
])
def test_a_broken_file_whose_texts_are_translated_is_named_not_each_translation_of_it(data, text, message):
    """A hostile review: a YAML error in transferability.yaml gave six lines on translations.yaml (its
    factors' translations "translate nothing") and none on the file itself."""
    (data / "transferability.yaml").write_text(text, encoding="utf-8")
    done = run_workbench("validate", "--data", data)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"{data / 'transferability.yaml'}:") and message in lines[0], lines


def test_a_paragraph_broken_over_lines_is_translated_as_the_same_words_on_one_line(data):
    """A second reading: a partial framework's 'missing' written as paragraphs could not be translated (the
    English of a translation was one line, and had to match the record's exactly)."""
    path = data / "frameworks" / "ltu_manager_competencies_2022.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"missing: [>|]-?\n", "missing: |-\n", text, count=1), encoding="utf-8")
    assert "\n" in load(data).frameworks.set_index("framework_id").at["ltu_manager_competencies_2022", "missing"]
    assert run_workbench("validate", "--data", data).returncode == 0
    assert load(data, lang="ru").frameworks.set_index("framework_id").at["ltu_manager_competencies_2022", "missing"].startswith("Любые компетенции")
