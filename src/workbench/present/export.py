"""Self-contained HTML for the Academy: executed notebooks exported with the workbench template."""
from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from jinja2 import Environment, FileSystemLoader, select_autoescape

from workbench.model.i18n import DRAFT_MARK, DRAFT_LANGUAGES, LANGUAGES, check_language, country_name, group, has, number, t
from workbench.model.outputs import atomic_write
from workbench.model.values import has_cyrillic
from workbench.present.annex import REMOVED_TAGS, annex_file, link_across, split_annex, split_references
from workbench.present.fonts import embed_fonts
from workbench.present.language_marks import mark_english
from workbench.present.page import code_marked

__all__ = ["TEMPLATE_DIR", "ui_strings", "export_html", "add_toc", "say_language", "write_index"]

TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates" / "report"
_HEADING = re.compile(r"<(h[23])(\s[^>]*)?>(.*?)</\1>", re.S)
_ID = re.compile(r'\sid="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")


def ui_strings(lang: str = "en") -> dict[str, str]:
    """The page's interface strings in ``lang`` (the ``ui`` group of :mod:`workbench.model.i18n`'s catalogue)."""
    strings = group("ui", lang)
    for key in ("footer", "index_description"):
        strings[f"{key}_html"] = code_marked(strings[key])  # the command or file it names, set as code
    return strings


def add_toc(page: str) -> str:
    """Give every h2/h3 after the table of contents an id and list them where ``<!--WB-TOC-->`` stands.

    >>> out = add_toc('<nav><!--WB-TOC--></nav><h2>One</h2><h3 id="x">Two</h3>')
    >>> '<a href="#sec-1">One</a>' in out and '<a href="#x">Two</a>' in out
    True
    """
    marker = "<!--WB-TOC-->"
    head, sep, body = page.partition(marker)
    if not sep:
        return page
    entries: list[str] = []
    counter = 0

    def visit(match: re.Match) -> str:
        nonlocal counter
        tag, attrs, inner = match.group(1), match.group(2) or "", match.group(3)
        found = _ID.search(attrs)
        if found:
            anchor = found.group(1)
        else:
            counter += 1
            anchor = f"sec-{counter}"
            attrs = f' id="{anchor}"{attrs}'
        text = html.escape(html.unescape(_TAG.sub("", inner)).replace("¶", "").strip())
        entries.append(f'<li class="wb-toc-{tag}"><a href="#{html.escape(anchor, quote=True)}">{text}</a></li>')
        return f"<{tag}{attrs}>{inner}</{tag}>"

    body = _HEADING.sub(visit, body)
    return head + _nested_list(entries) + body


def _nested_list(entries: list[str]) -> str:
    """h2 entries as a numbered list, each followed by its h3 entries as a sub-list."""
    out, open_sub = ["<ol>"], False
    for entry in entries:
        is_sub = 'class="wb-toc-h3"' in entry
        if is_sub and not open_sub:
            out.append("<ol>")
            open_sub = True
        elif not is_sub and open_sub:
            out.append("</ol></li>")
            open_sub = False
        elif not is_sub and len(out) > 1:
            out.append("</li>")
        out.append(entry[: -len("</li>")] if not is_sub else entry)
    out.append("</ol></li>" if open_sub else ("</li>" if len(out) > 1 else ""))
    out.append("</ol>")
    return "".join(out)


#: What nbconvert's HTMLExporter adds after rendering (it parses and re-writes the whole page with
#: BeautifulSoup for it, about 0.4 s a page): a keyboard stop on each output and each markdown cell,
#: and a stated absence of description on an image without one (every figure of ours has its own).
#: Both only ever match a start tag the template or a renderer wrote: text reaches the page escaped.
_OUTPUT_DIV = re.compile(r'<div class="([^"]*\b(?:jp-OutputArea-output|jp-Cell-inputWrapper)\b[^"]*)"')
_IMG_WITHOUT_ALT = re.compile(r"<img(?![^>]*\salt=)(?=[\s/>])")
_NO_ALT = ' alt="No description has been provided for this image"'


def _accessible(page: str) -> str:
    """``page`` with nbconvert's keyboard stops and default image descriptions.

    >>> print(_accessible('<div class="jp-OutputArea-output x"><img src="a.png"><img alt="b" src="b.png"></div>'))
    <div class="jp-OutputArea-output x" tabindex="0"><img alt="No description has been provided for this image" src="a.png"><img alt="b" src="b.png"></div>
    """
    return _IMG_WITHOUT_ALT.sub("<img" + _NO_ALT, _OUTPUT_DIV.sub(r'<div class="\1" tabindex="0"', page))


@lru_cache(maxsize=1)
def _exporter():
    # Built once per process: compiling the template dominates a small report's export time.
    # deferred: nbconvert takes nearly half a second to import, and writing the index does without it
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
    from nbconvert.preprocessors import TagRemovePreprocessor

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its BeautifulSoup pass (see :data:`_OUTPUT_DIV`; the text's
        character references are written as characters by :func:`workbench.present.language_marks.mark_english`)."""

        def from_notebook_node(self, nb, resources=None, **kw):
            lang_info = nb.metadata.get("language_info", {})
            lexer = lang_info.get("pygments_lexer", lang_info.get("name", None))
            self.register_filter("highlight_code", self.filters.get("highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)))
            resources = self._init_resources(resources)
            self.register_filter("filter_data_type", WidgetsDataTypeFilter(notebook_metadata=self._nb_metadata, parent=self, resources=resources))
            page, resources = TemplateExporter.from_notebook_node(self, nb, resources, **kw)
            return _accessible(page), resources

    exporter = ReportExporter(
        extra_template_basedirs=[str(TEMPLATE_DIR.parent)],
        template_name="report",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(REMOVED_TAGS), enabled=True), enabled=True
    )
    return exporter


def export_html(executed_notebook: str | Path, spec: Any, versions: dict[str, str], fonts_cache: Path | None = None) -> bytes:
    """HTML bytes of an executed notebook (the report only; its annex: :func:`export_pages`)."""
    return export_pages(executed_notebook, spec, versions, fonts_cache)[0]


def export_pages(executed_notebook: str | Path, spec: Any, versions: dict[str, str],
                 fonts_cache: Path | None = None) -> tuple[bytes, bytes | None]:
    """The report's HTML and, when cells are tagged ``annex``, its annex's (else ``None``): each with
    the header, contents, style and fonts (subset to the page; ``fonts_cache`` keeps the subsets made,
    see :mod:`workbench.present.fonts`), linked both ways (:mod:`workbench.present.annex`)."""
    # deferred: nbformat can take over a second to import (jsonschema's format checkers), and writing the index reads no notebook
    import nbformat

    nb = static_widgets(nbformat.read(str(executed_notebook), as_version=4))
    lang = str(spec.parameters.get("lang", "en"))
    report_file = f"{spec.name}.html"
    annex_name = annex_file(report_file)
    pointer = (f'<p class="wb-annex-link">{html.escape(t("ui.annex_pointer", lang))} '
               f'<a href="{html.escape(annex_name, quote=True)}">{html.escape(annex_name)}</a></p>')  # on paper too, the file's name
    report_nb, annex_nb = split_annex(nb, pointer)
    report = _page(report_nb, spec, versions, lang, {"annex_href": annex_name} if annex_nb is not None else {})
    if annex_nb is None:
        return embed_fonts(report, fonts_cache).encode("utf-8"), None
    annex = _page(annex_nb, spec, versions, lang, {"annex_of": report_file, "annex": True})
    report, annex = link_across(*split_references(report, annex), report_file, annex_name)
    return embed_fonts(report, fonts_cache).encode("utf-8"), embed_fonts(annex, fonts_cache).encode("utf-8")


def _page(nb: Any, spec: Any, versions: dict[str, str], lang: str, extra: dict[str, Any]) -> str:
    """One page of a report: the notebook ``nb`` exported with the report's header (``extra`` adds
    the annex links) and the English it keeps marked."""
    title = spec.display_title() if not extra.get("annex") else f"{t('ui.annex_title', lang)}: {spec.display_title()}"
    translations = other_languages(spec, lang)
    if extra.get("annex"):
        translations = [{**v, "href": annex_file(v["href"])} for v in translations]
    nb.metadata["workbench"] = {
        "name": spec.name,
        "title": title,
        "description": spec.description,
        "parameters": reader_parameters(spec.parameters, lang),
        "lang": lang,
        "draft_translation": lang in DRAFT_LANGUAGES,
        # a string shown as a draft (fuzzy or untranslated) carries the mark: the header explains it
        "draft_marks": DRAFT_MARK in json.dumps(nb.get("cells", []), ensure_ascii=False) or any(DRAFT_MARK in v for v in ui_strings(lang).values()),
        "index_file": INDEX_FILES[lang],
        "translations": translations,
        "ui": ui_strings(lang),
        **versions,
        **extra,
    }
    nb.metadata["title"] = title  # the page's <title>
    nb.metadata.pop("papermill", None)  # timings and paths: they would make every export differ
    body, _ = _exporter().from_notebook_node(nb)
    return mark_english(add_toc(say_language(body, lang)), lang)


def other_languages(spec: Any, lang: str) -> list[dict[str, str]]:
    """The report's versions in the other languages: those of its grid entry that differ only in ``lang``,
    each as ``{lang, name (the language's own name), href}``; none for a report without a language grid.

    >>> from types import SimpleNamespace
    >>> spec = SimpleNamespace(group="recs", grid={"lang": "ru"})
    >>> [(v["lang"], v["href"]) for v in other_languages(spec, "ru")]
    [('en', 'recs-en.html'), ('kk', 'recs-kk.html')]
    """
    grid = dict(getattr(spec, "grid", {}) or {})
    if "lang" not in grid or not getattr(spec, "group", ""):
        return []
    out = []
    for other in LANGUAGES:
        if other != lang:
            values = [other if k == "lang" else str(v) for k, v in grid.items()]
            out.append({"lang": other, "name": t(f"languages.{other}", other), "href": f"{spec.group}-{'-'.join(values)}.html"})
    return out


WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def static_widgets(nb: Any) -> Any:
    """``nb`` without live widgets: a page has no kernel to run them, and their views would load
    scripts from the network. An output that carries a static rendering beside its widget keeps the
    rendering; one that has none says where to use it."""
    nb.metadata.pop("widgets", None)
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW in data:
                data.pop(WIDGET_VIEW)
                if "text/html" not in data:
                    data["text/plain"] = "(an interactive control: open the notebook in JupyterLab to use it)"
    return nb


def say_language(page: str, lang: str) -> str:
    r"""The page's ``<html lang>`` set to the report's language (screen readers, hyphenation, spell checks).

    nbconvert writes its exporter's one language; the exporter is shared by the runner's workers,
    so the language is set on each page instead.

    >>> say_language('<!DOCTYPE html>\n<html lang="en">\n<head>', "kk")
    '<!DOCTYPE html>\n<html lang="kk">\n<head>'
    """
    check_language(lang)
    return re.sub(r'<html lang="[^"]*">', f'<html lang="{lang}">', page, count=1)


def _parameter_value(name: str, value: Any, lang: str) -> str:
    """One parameter's value as a reader names it: countries by name, settings in words, numbers as the language writes them."""
    if name in ("peers", "countries") and isinstance(value, (list, tuple)):
        if not value and name == "countries":  # the notebooks' default: every country the data holds at first hand
            return t("params.countries_every", lang)
        return ", ".join(dict.fromkeys(country_name(str(c), lang) for c in value)) or "—"  # "nzl, NZL" is one country
    if name == "lang":
        return t(f"languages.{value}", lang)
    if name in ("baseline", "granularity", "scope", "level") and has(f"params.{name}_{value}"):
        return t(f"params.{name}_{value}", lang)
    if name == "weights" and isinstance(value, dict):
        return "; ".join(f"{t('columns.' + k, lang) if has('columns.' + k) else k} = {number(v, lang)}" for k, v in value.items()) or "—"
    if isinstance(value, float):
        return number(value, lang)
    return _show(value)


def reader_parameters(parameters: dict[str, Any], lang: str) -> dict[str, str]:
    """A report's parameters as its reader reads them, in ``lang``: the parameter's name in words and its value
    (``Страны-аналоги: Великобритания, Новая Зеландия, Канада``); the language of the report is not repeated.

    >>> reader_parameters({"peers": ["GBR", "NZL"], "top": 10, "lang": "ru"}, "ru")
    {'Страны-аналоги': 'Великобритания, Новая Зеландия', 'Понятий в списке': '10'}
    """
    return {(t(f"params.{k}", lang) if has(f"params.{k}") else k): _parameter_value(k, v, lang)
            for k, v in parameters.items() if k not in ("lang", "figures_dir")}


def _show(value: Any) -> str:
    """A parameter as a reader writes it: ``GBR, NZL``, ``measured_need = 3``, not Python's repr.

    >>> _show(["GBR", "NZL"]), _show({"measured_need": 3.0}), _show({})
    ('GBR, NZL', 'measured_need = 3', '—')
    """
    if isinstance(value, dict):
        return "; ".join(f"{k} = {v:g}" if isinstance(v, float) else f"{k} = {_show(v)}" for k, v in value.items()) or "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "—"
    return str(value)


#: The index's file in each language; English keeps the name every link and bookmark knows.
INDEX_FILES = {"en": "index.html", "ru": "index-ru.html", "kk": "index-kk.html"}


def _text_lang(text: str, lang: str) -> str:
    """The language a title of ``reports.yaml`` is written in: the report's, if it is in Cyrillic, else English."""
    return lang if lang != "en" and has_cyrillic(text or "") else "en"


def _index_item(project: Any, s: Any, lang: str) -> dict[str, Any]:
    title = s.display_title()
    own = str(s.parameters.get("lang", "en"))
    return {
        "name": s.name, "title": title, "description": s.description, "text_lang": _text_lang(title, own),
        "report_lang": own if own in INDEX_FILES else "en",  # the language the report is written in, whatever its title's
        "parameters": reader_parameters(s.parameters, lang), "href": f"{s.name}.html",
        "exists": (project.reports / f"{s.name}.html").exists(),
        "annex": annex_file(f"{s.name}.html") if (project.reports / annex_file(f"{s.name}.html")).exists() else "",
        "grid": {k: str(v) for k, v in getattr(s, "grid", {}).items()},
        "combination": {(t(f"params.{k}", lang) if has(f"params.{k}") else k): _parameter_value(k, v, lang)
                        for k, v in getattr(s, "grid", {}).items() if k != "lang"},
        "members": [],
    }


def _index_entries(project: Any, specs: Iterable[Any], lang: str) -> list[dict[str, Any]]:
    """The index's entries: a report, or a grid entry of ``reports.yaml`` with its reports as members."""
    reports: list[dict[str, Any]] = []
    groups: dict[str, dict[str, Any]] = {}
    for s in specs:
        item = _index_item(project, s, lang)
        group = getattr(s, "group", "")
        if not group:
            reports.append(item)
            continue
        if group not in groups:
            # The group shows the first combination's title and text (or, below, that of the page's
            # language) and the parameters all share.
            shared = {k: v for k, v in item["parameters"].items() if k not in item["combination"]}
            groups[group] = {**item, "name": group, "parameters": shared, "href": ""}
            reports.append(groups[group])
        groups[group]["members"].append(item)
    for entry in groups.values():  # a grid with a version in the page's language is headed in it
        own = next((m for m in entry["members"] if m["text_lang"] == lang), None)
        if own is not None:
            entry.update(title=own["title"], description=own["description"], text_lang=lang)
        if any(m["report_lang"] == lang for m in entry["members"]):
            entry.update(report_lang=lang)
    return reports


def write_index(project: Any, specs: Iterable[Any], lang: str | None = None) -> Path:
    """The index of the reports in English, Russian and Kazakh (:data:`INDEX_FILES`), each linking the
    others: every report with its description and parameters in the page's language, linking to it.

    The reports of one grid entry of ``reports.yaml`` are listed together under the entry: one
    heading, then a link per combination. Returns the English page (``reports/index.html``), or
    the page of ``lang`` when given.
    """
    specs = list(specs)
    env = Environment(loader=FileSystemLoader(str(TEMPLATE_DIR)), autoescape=select_autoescape(["html", "j2"]))
    css = (TEMPLATE_DIR / "report.css").read_text(encoding="utf-8")
    # a version in another language is named in that language, as language switchers do
    names = {code: t(f"languages.{code}", code) for code in LANGUAGES}
    written = {}
    for page_lang, file in INDEX_FILES.items():
        page = env.get_template("index_page.html.j2").render(
            reports=_index_entries(project, specs, page_lang), ui=ui_strings(page_lang), css=css, lang=page_lang,
            language_names=names, index_files=INDEX_FILES)
        page = embed_fonts(mark_english(page, page_lang), project.reports / ".cache" / "fonts")
        target = project.reports / file
        payload = page.encode("utf-8")
        if not target.exists() or target.read_bytes() != payload:
            atomic_write(target, payload)
        written[page_lang] = target
    return written[lang or "en"]
