"""The string catalogue and the publication formatting of tables, references and figures."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest

import workbench
from workbench.model.messages import MESSAGES
from workbench.present import figures
from workbench.model import i18n
from workbench import present

LATIN_WORD = re.compile(r"\b[A-Za-z]{3,}\b")


@pytest.fixture(scope="module")
def ds():
    return workbench.load()


def test_every_interface_string_is_translated_in_both_catalogues():
    assert i18n.missing() == []
    groups = {k.split(".")[0] for k in MESSAGES}
    assert {"ui", "sections", "columns", "evidence", "figures", "values", "options"} <= groups


def test_a_string_without_a_translation_is_shown_as_a_draft_never_silently_in_english(monkeypatch):
    monkeypatch.setitem(MESSAGES, "ui.only_english", "Only English")
    assert i18n.missing() == ["ui.only_english:ru", "ui.only_english:kk"]
    assert i18n.t("ui.only_english", "kk") == "Only English" + i18n.DRAFT_MARK
    with pytest.raises(KeyError, match="no_such_string"):
        i18n.t("ui.no_such_string", "kk")


def test_russian_and_kazakh_strings_are_not_english():
    # A draft translation may keep names (OECD, Jaccard, CSV...) but never a whole English phrase.
    for key, english in MESSAGES.items():
        for lang in ("ru", "kk"):
            words = re.sub(r"\{[a-z_]+\}", "", english)  # {placeholders} are filled with data, not English
            assert i18n.t(key, lang) != english or not LATIN_WORD.search(words) or words in ("CSV", "XLSX"), f"{key}:{lang}"


def test_plural_forms_follow_the_cldr_rules_of_each_language():
    ru = [i18n.tn("options.options_count", n, "ru") for n in (1, 2, 5, 21)]
    assert ru == ["1 вариант в реестре", "2 варианта в реестре", "5 вариантов в реестре", "21 вариант в реестре"]
    assert [i18n.tn("options.options_count", n, "kk") for n in (1, 2)] == ["тізілімде 1 нұсқа", "тізілімде 2 нұсқа"]
    assert [i18n.tn("options.options_count", n, "en") for n in (1, 2)] == ["1 option in the register", "2 options in the register"]


def test_numbers_are_written_the_way_each_language_writes_them():
    assert (i18n.number(0.667, "ru"), i18n.number(0.667, "en"), i18n.percent(0.572, "ru")) == ("0,667", "0.667", "57,2\xa0%")


def test_table_reads_as_a_publication(ds):
    present.use(ds, "en")
    frame = pd.DataFrame({
        "concept_id": ["merit_recruitment", "leadership"], "concept": ["Merit-based recruitment", "Leadership"],
        "peer_share": [1.0, 2 / 3], "in_top": [True, False], "score": [0.8, 0.7333333],
        "country": ["GBR", "KAZ"], "sources": ["seed001; seed002", "ref_oecd_2019"], "year": [None, None],
    })
    data, shown = present.publish(frame)
    assert list(shown.columns) == ["Concept", "Peers carrying it", "In our list", "Score", "Country", "Sources"]
    row = shown.iloc[1].to_dict()
    assert row["Peers carrying it"] == "66.7%" and row["In our list"] == "–" and row["Score"] == "0.733"
    assert row["Country"] == "Kazakhstan"
    assert shown.iloc[0]["Sources"] == "Davletbayeva et al. 2024; Davletbayeva et al. 2025"
    assert data.iloc[1]["Peers carrying it"] == 66.7  # the download keeps a number
    markup = str(present.table(frame, name="ranked"))
    assert 'href="#ref-seed001"' in markup and "True" not in markup and "concept_id" not in markup


def test_headers_translate_and_ids_become_labels(ds):
    present.use(ds, "kk")
    frame = pd.DataFrame({"principle": ["OECD-PSLC1"], "GBR": [True], "KAZ": [False]})
    _, shown = present.publish(frame)
    assert list(shown.columns) == ["ЭЫДҰ қағидаты", "Ұлыбритания", "Қазақстан"]
    assert shown.iloc[0, 0].startswith("1. Define the values")


def test_an_empty_table_is_a_sentence(ds):
    present.use(ds, "ru")
    out = str(present.table(pd.DataFrame(columns=["concept", "label"]), empty="bridge_concepts_none"))
    assert "<table" not in out and i18n.t("sections.bridge_concepts_none", "ru") in out


def test_csv_and_xlsx_downloads_read_back(ds):
    present.use(ds, "ru")
    present.table(pd.DataFrame({"country": ["KAZ"], "stability": [0.5]}), name="ranked")
    present.table(pd.DataFrame({"concept": ["Лидерство"], "score": [0.25]}), name="risks")
    data = present.page._CTX.tables[0][1]
    back = pd.read_csv(io.BytesIO(present.csv_bytes(data)), encoding="utf-8-sig")
    assert present.csv_bytes(data).startswith(b"\xef\xbb\xbf")
    assert back.iloc[0].tolist() == ["Казахстан", 50.0]
    book = present.xlsx_bytes(present.page._CTX.tables)
    sheets = pd.read_excel(io.BytesIO(book), sheet_name=None)
    assert list(sheets) == ["1. Рекомендации по рангу", "2. Риски внедрения"]
    assert sheets["2. Риски внедрения"].iloc[0].tolist() == ["Лидерство", 0.25]
    assert present.xlsx_bytes(present.page._CTX.tables) == book  # regenerating gives the same bytes


def test_every_module_shares_the_one_notebook_context(ds):
    from workbench.present import citations, page, tables, workbook

    before = page._CTX
    present.use(ds, "en")
    present.table(pd.DataFrame({"label": ["x"], "source": ["seed004"]}))
    assert page._CTX is before  # restarted in place, never replaced
    assert citations._CTX is tables._CTX is workbook._CTX is page._CTX
    assert len(page._CTX.tables) == 1 and page._CTX.cited == {"seed004"}


def test_references_list_every_cited_source_and_link_only_http(ds):
    present.use(ds, "en")
    present.table(pd.DataFrame({"label": ["x"], "source": ["seed004"]}))
    sources = ds.sources.copy()
    sources.loc[sources["id"] == "ref_oecd_2019", "url"] = "javascript:alert(1)"
    out = str(present.references_html(sources, ["ref_oecd_2019", "javascript:alert(2)"]))
    assert 'id="ref-seed004"' in out and 'id="ref-ref_oecd_2019"' in out
    assert 'href="javascript' not in out.lower() and "javascript:alert(1)" in out
    assert "Academy of Public Administration" in out


def test_html_objects_have_a_readable_text_form():
    obj = present.HTML("<h2>Risks</h2><table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>x &amp; y</td></tr></table>")
    assert repr(obj) == "Risks\nA │ B\n1 │ x & y"
    assert "workbench.present.page.HTML object" not in repr(obj)


def _texts(fig):
    from matplotlib.text import Text

    return [t for t in fig.findobj(Text) if t.get_text().strip()]


def test_figures_speak_the_report_language_and_never_read_mathtext(ds):
    from workbench.analysis import compare
    from workbench.analysis import network

    ev = compare.evidence(ds, ["GBR", "CAN", "KAZ", "LTU"])
    matrix = compare.framework_matrix(ev, ["GBR", "CAN", "KAZ", "LTU"], list(ds.concepts["concept_id"]))
    groups = compare.clusters(compare.similarity(matrix), 2)
    fig = figures.map_figure(compare.country_map(matrix), groups, lang="ru")
    ax = fig.axes[0]
    assert ax.get_title() and ax.get_xlabel() and ax.get_legend() is not None
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["кластер 1", "кластер 2"]
    assert not [t.get_text() for t in _texts(fig) if LATIN_WORD.search(t.get_text())]
    B = network.bipartite_graph(ev, nodes=["GBR", "CAN", "KAZ", "LTU"], concepts=ds.concepts)
    overlap = network.overlap_graph(B, min_weight=0.3)
    overlap.add_node("$x^2$ costs $5", kind="country")  # a label from data with dollar signs
    groups = network.communities(overlap, seed=0)
    net = figures.network_figure(overlap, "kk", communities=groups, threshold=0.3)
    assert all(not t.get_parse_math() for t in _texts(net))
    figures.png_bytes(net)  # draws without a mathtext error
    labels = [t.get_text() for t in net.axes[0].get_legend().get_texts()]
    assert labels[0] == "1-қауымдастық" and len(labels) == groups.nunique() + len(overlap)
    # each country's node shows its code (a name does not fit), and the legend names it
    assert "GBR  Ұлыбритания" in labels and "KAZ  Қазақстан" in labels


# -- issue 23: no cell of a download is a formula --------------------------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


def test_every_formula_starter_is_neutralised_and_numbers_stay_numbers():
    for starter in ("=", "+", "-", "@", "\t", "\r"):
        assert present.spreadsheet_value(f"{starter}cmd|' /C calc'!A0") == f"'{starter}cmd|' /C calc'!A0"
    assert present.spreadsheet_value(-3) == -3 and present.spreadsheet_value(-2.5) == -2.5
    assert present.spreadsheet_value("-3") == "-3"  # text that is a plain number is read as that number
    assert present.spreadsheet_value("Leadership - and integrity") == "Leadership - and integrity"
    assert present.spreadsheet_value(None) is None and present.spreadsheet_value(True) is True


def test_a_formula_label_downloads_as_text_in_csv_and_xlsx(ds):
    import csv

    from openpyxl import load_workbook

    present.use(ds, "en")
    present.table(pd.DataFrame({"label": [FORMULA, "-1+1", "Leadership"], "value": [-3, 2, 1],
                                "share": [-0.5, 0.25, 1.0]}), name="ranked")
    data = present.page._CTX.tables[0][1]
    rows = list(csv.reader(io.StringIO(present.csv_bytes(data).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == [f"'{FORMULA}", "'-1+1", "Leadership"]
    assert [row[1] for row in rows[1:]] == ["-3", "2", "1"]  # negative numbers stay numbers, unquoted
    book = load_workbook(io.BytesIO(present.xlsx_bytes(present.page._CTX.tables)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)
    sheet = book.worksheets[0]
    assert [sheet.cell(row=r, column=1).value for r in (2, 3)] == [f"'{FORMULA}", "'-1+1"]
    assert (sheet.cell(row=2, column=2).value, sheet.cell(row=2, column=2).data_type) == (-3, "n")
    assert (sheet.cell(row=2, column=3).value, sheet.cell(row=2, column=3).data_type) == (-0.5, "n")


def test_a_header_is_a_cell_too(ds):
    from openpyxl import load_workbook

    present.use(ds, "en")
    frame = pd.DataFrame({"=cmd": ["a"]})
    assert present.csv_bytes(frame).decode("utf-8-sig").splitlines()[0] == "'=cmd"
    book = load_workbook(io.BytesIO(present.xlsx_bytes([("t", frame)])))
    assert (book.active["A1"].value, book.active["A1"].data_type) == ("'=cmd", "s")


def test_a_russian_table_writes_57_comma_2(ds):
    present.use(ds, "ru")
    frame = pd.DataFrame({"survey_gap_percent": [57.2, 38.5], "score": [0.6667, 0.5], "year": [2015, 2023]})
    data, shown = present.publish(frame)
    cells = shown.astype(str).values.ravel().tolist()
    assert "57,2\xa0%" in cells and "0,667" in cells and "2015" in cells
    assert data.iloc[0, 0] == 57.2  # the download keeps the machine number
    present.use(ds, "en")


def test_markdown_outputs_show_markup_in_data_as_text():
    # `workbench recommend/options --format markdown`: a label from the data is text, never markup
    from workbench.present.markdown import frame_markdown

    hostile = "<img src=x onerror=alert(1)> | R&D"
    table = frame_markdown(pd.DataFrame({"label": [hostile]}))
    assert "<img" not in table and "&lt;img src=x onerror=alert(1)&gt; \\| R&amp;D" in table


@pytest.mark.parametrize("lang", ["en", "ru", "kk"])
def test_the_ranking_says_how_many_lists_it_has(lang):
    """A one-list report said "ranked in separate lists" (a review of a report with scope 'all')."""
    from workbench.analysis.recommend import _SCOPE_CHOICES

    import html

    notes = {scope: html.unescape(present.section("ranked", lang, lead=f"ranked_lists_{scope}").markup) for scope in _SCOPE_CHOICES}
    separate = i18n.t("sections.ranked_lists_separate", lang)
    assert separate in notes["separate"] and not any(separate in notes[s] for s in _SCOPE_CHOICES if s != "separate")
    assert len(set(notes.values())) == len(_SCOPE_CHOICES)
    assert all(i18n.t("sections.ranked_note", lang) in n for n in notes.values())


def test_the_commands_set_as_code_are_the_command_lines_own():
    """The footer read "Generated by the <code>workbench from</code> cited data": any word after
    "workbench" was taken for a command. Only the command line's subcommands are, and this list is
    the command line's."""
    from workbench.present.page import COMMAND_NAMES, code_marked
    from workbench.run.commands import COMMANDS

    assert set(COMMAND_NAMES) == set(COMMANDS)
    assert "<code>" not in code_marked(i18n.t("ui.footer", "en").replace("“workbench reports”", ""))
    assert code_marked("run workbench export-codebook --out x").count("<code>") == 1


@pytest.mark.parametrize("lang, day", [("en", "6 January 2019"), ("ru", "6 января 2019"), ("kk", "2019 ж. 6 қаңтар")])
def test_days_in_running_text_are_written_as_the_language_writes_them(lang, day):
    """A reader's review: Russian pages said "Модели компетенций на 2026-12-06" and "действует с
    2019-01-06"; a day in a sentence is now written the CLDR way of the page's language (a year alone
    stays a year)."""
    from datetime import date
    from types import SimpleNamespace

    from workbench.present.versions import versions_html

    frameworks = pd.DataFrame([{"framework_id": "x", "country": "GBR", "title": "X", "level": "all", "kind": "competencies",
                                "proposal": False, "version": "2", "in_force_from": date(2019, 1, 6), "in_force_to": None,
                                "dates_source": "", "dates_locator": "", "coverage": "complete", "missing": "", "lineage": "x",
                                "replaced_by": None, "source_kind": "official"}])
    text = versions_html(SimpleNamespace(frameworks=frameworks, as_of=date(2019, 1, 6)), ["GBR"], lang).markup
    assert day in text.replace("\u202f", " ") and "2019-01-06" not in text


def test_the_measured_needs_download_a_number_and_list_cells_read_as_lists(ds):
    """A reader's review: the needs' "share reporting the gap" was text in the CSV and workbook ("57,2 %"
    in Russian), against the downloads' own rule; and list cells read "a;b"."""
    from workbench.analysis import options, recommend

    present.use(ds, "ru")
    try:
        gaps = recommend.analyse(ds, ["GBR", "NZL", "CAN"], "listening_state")
        needs = present.needs_frame(options.needs(gaps, recommend.ranked(gaps), gaps.options), gaps.options, "ru")
        data, shown = present.publish(needs)
        column = data.columns[1]
        assert pd.api.types.is_float_dtype(data[column]) and data[column].iloc[0] > 1  # 57.2, a percentage as a number
        assert shown[column].iloc[0].endswith("\xa0%") and "," in shown[column].iloc[0]
        _, listed = present.publish(pd.DataFrame({"labels": ["Integrity;Honesty"], "courses": ["A;B;C"]}))
        assert listed.iloc[0].tolist() == ["Integrity; Honesty", "A; B; C"]
    finally:
        present.use(ds, "en")
