"""The whole report matrix, generated for real and opened in headless Chromium with no network."""
from __future__ import annotations

import html
import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest

from workbench.model.i18n import t
from workbench.run import Project, load_matrix, run_reports

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(os.environ.get("WORKBENCH_SCREENSHOTS", REPO / "build" / "screenshots"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.integration


def copy_project(root: Path) -> Project:
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(REPO / "data", root / "data")
    shutil.copy(REPO / "reports.yaml", root / "reports.yaml")
    return Project(root)


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Project:
    project = copy_project(tmp_path_factory.mktemp("checkout"))
    results = run_reports(project, jobs=2, progress=False)
    failed = [f"{r.name}: {r.error}" for r in results if r.status != "ok"]
    assert not failed, failed
    return project


def report_pages(project: Project) -> list[Path]:
    specs = load_matrix(project.matrix, project.notebooks)
    annexes = [project.reports / f"{s.name}-annex.html" for s in specs if (project.reports / f"{s.name}-annex.html").exists()]
    return ([project.reports / f"{s.name}.html" for s in specs] + annexes
            + [project.reports / name for name in ("index.html", "index-ru.html", "index-kk.html")])


def test_matrix_has_the_reports_the_academy_asked_for():
    specs = load_matrix(REPO / "reports.yaml", REPO / "notebooks")
    assert len(specs) >= 12
    notebooks = {s.notebook for s in specs}
    assert {"taxonomy.ipynb", "compare.ipynb", "network.ipynb", "recommendations.ipynb", "training.ipynb"} <= notebooks
    peer_sets = {tuple(sorted(s.parameters.get("peers", []))) for s in specs if s.notebook == "recommendations.ipynb"}
    assert tuple(sorted(["GBR", "NZL", "CAN"])) in peer_sets
    assert tuple(sorted(["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS"])) in peer_sets
    assert any(s.notebook == "recommendations.ipynb" and s.parameters.get("lang") == "ru" for s in specs)
    assert any(s.notebook == "recommendations.ipynb" and s.parameters.get("lang") == "kk" for s in specs)


def test_reports_are_self_contained_and_small(generated):
    for page in report_pages(generated):
        text = page.read_text(encoding="utf-8")
        # nothing that a browser would fetch: scripts, styles, fonts, images from elsewhere
        assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", text, re.I), page.name
        assert "@import" not in text and "url(http" not in text, page.name
        assert "<script" not in text.lower(), f"{page.name} carries a script"
        assert page.stat().st_size < 5_000_000, f"{page.name} is {page.stat().st_size} bytes"


def test_every_page_says_its_language(generated):
    specs = {s.name: s for s in load_matrix(generated.matrix, generated.notebooks)}
    for page in report_pages(generated):
        index_lang = {"index": "en", "index-ru": "ru", "index-kk": "kk"}
        stem = page.stem.removesuffix("-annex")
        lang = specs[stem].parameters.get("lang", "en") if stem in specs else index_lang[stem]
        head = page.read_text(encoding="utf-8")[:200]
        assert f'<html lang="{lang}">' in head, (page.name, head)
    assert any(s.parameters.get("lang") == "ru" for s in specs.values())  # the test can fail


def test_no_papermill_parameters_cell_or_code_in_reports(generated):
    for page in [p for p in report_pages(generated) if not p.stem.startswith("index")]:
        text = page.read_text(encoding="utf-8")
        assert "injected-parameters" not in text
        assert 'class="wb-meta"' in text, "the header lists parameters and versions"
        assert "import workbench" not in text, f"{page.name} shows code"
        assert not re.search(r"class=\"[^\"]*jp-InputPrompt", text), f"{page.name} shows input prompts"


def test_regenerating_gives_identical_bytes(generated):
    specs = load_matrix(generated.matrix, generated.notebooks)
    # one report of each notebook in each language: what could make bytes differ between runs (dates,
    # ids, ordering, fonts, numbers) lives in the notebook and the language, not in the parameters' values
    names = list({(s.notebook, s.parameters.get("lang", "en")): s.name for s in reversed(specs)}.values())
    assert len(names) < len(specs) and {s.notebook for s in specs} == {s.notebook for s in specs if s.name in names}
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731
    before = {n: digest(generated.reports / f"{n}.html") for n in [*names, "index"]}
    figures_before = {p: digest(p) for n in names for p in sorted((generated.figures / n).rglob("*")) if p.is_file()}
    results = run_reports(generated, only=names, force=True, jobs=2, progress=False)
    assert [r.status for r in results] == ["ok"] * len(names)
    assert {n: digest(generated.reports / f"{n}.html") for n in [*names, "index"]} == before
    assert {p: digest(p) for n in names for p in sorted((generated.figures / n).rglob("*")) if p.is_file()} == figures_before


@pytest.fixture(scope="module")
def browser():
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is a test dependency: pip install -e '.[test]'")
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_offline(browser, page_path: Path):
    """Open ``page_path`` with every request other than the file itself refused and recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests, errors, dialogs = [], [], []
    own = page_path.resolve().as_uri()

    def route(r):
        if r.request.url.split("#")[0] == own or r.request.url.startswith("data:"):
            r.continue_()
        else:
            requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(own)
    page.wait_for_load_state("load")
    return page, requests, errors, dialogs


def test_reports_open_offline_in_chromium(generated, browser):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for page_path in report_pages(generated):
        page, requests, errors, dialogs = open_offline(browser, page_path)
        assert requests == [], f"{page_path.name} fetched {requests}"
        assert errors == [], f"{page_path.name} console errors: {errors}"
        assert dialogs == []
        # every table-of-contents link lands on its heading
        links = page.eval_on_selector_all("nav.wb-toc a", "els => els.map(a => a.getAttribute('href'))")
        if not page_path.name.startswith("index"):
            assert links, f"{page_path.name} has an empty table of contents"
        assert all(href.startswith("#") for href in links), links
        tags = page.evaluate("ids => ids.map(id => { const e = document.getElementById(id); return e ? e.tagName : null })",
                             [href[1:] for href in links])
        assert all(tag in ("H2", "H3") for tag in tags), f"{page_path.name}: {dict(zip(links, tags))}"
        # every link's target is a heading (above); clicking the first, a middle and the last shows that a
        # click lands there (clicking every one of them, about 280, was most of this test's time)
        for href in dict.fromkeys(links[i] for i in (0, len(links) // 2, -1)) if links else ():
            page.click(f'nav.wb-toc a[href="{href}"]')
            top = page.evaluate("id => document.getElementById(id).getBoundingClientRect().top", href[1:])
            assert abs(top) < 5 or page.evaluate("() => window.innerHeight + window.scrollY >= document.body.scrollHeight - 2"), f"{href} not scrolled to"
        # figures render with a non-zero size
        sizes = page.eval_on_selector_all("img", "els => els.map(i => [i.naturalWidth, i.getBoundingClientRect().width])")
        assert all(natural > 0 and shown > 0 for natural, shown in sizes), f"{page_path.name}: {sizes}"
        page.evaluate("() => window.scrollTo(0, 0)")
        page.screenshot(path=str(SCREENSHOTS / f"{page_path.stem}.png"), full_page=False)
        page.close()


INJECTION = "<img src=x onerror=alert(1)>"


def test_markup_in_data_shows_as_text_and_runs_nothing(tmp_path, browser):
    project = copy_project(tmp_path)
    framework = project.data / "frameworks" / "uk_success_profiles_behaviours.yaml"
    text = framework.read_text(encoding="utf-8")
    assert "label: Seeing the big picture" in text
    framework.write_text(text.replace("label: Seeing the big picture", f"label: '{INJECTION}'"), encoding="utf-8")
    names = ["compare-inclusive-governance", "recommendations-inclusive-governance-en"]
    results = run_reports(project, only=names, jobs=2, progress=False)
    assert [r.status for r in results] == ["ok", "ok"], [r.error for r in results]
    page_text = (project.reports / f"{names[0]}.html").read_text(encoding="utf-8")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page_text
    for name in names:
        page_path = project.reports / f"{name}.html"
        assert INJECTION not in page_path.read_text(encoding="utf-8")
        page, requests, errors, dialogs = open_offline(browser, page_path)
        assert dialogs == [] and errors == [] and requests == []
        assert page.eval_on_selector_all('img[src="x"]', "els => els.length") == 0
        page.close()


# -- what a reader sees: publication tables, references, language --------------------------------

CODE_HEADER = re.compile(r"^([a-z0-9]+(_[a-z0-9]+)+|OECD-PSLC\d+|seed\d{3}|ref_\w+|[A-Z]{3}|.*\.txt|Unnamed.*|\d+)$")
RAW_CELL = {"True", "False", "nan", "NaN", "None", "NaT", "<NA>"}
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
#: Names and formats that stay in Latin letters in a Russian or Kazakh text.
#: The footer's package list (python, pandas, ...: workbench.run.fingerprint.ANALYSIS_PACKAGES) is names too.
LATIN_NAMES = re.compile(r"\b(CSV|XLSX|Excel|UTF-8|workbench reports|reports\.yaml|data/weights\.yaml"
                         r"|python|pandas|numpy|matplotlib|seaborn|networkx|scikit-learn|nbconvert|papermill)\b")

READ_TABLES = """() => [...document.querySelectorAll('main table')].map(t => ({
    width: t.getBoundingClientRect().width, scroll: t.scrollWidth,
    room: t.parentElement.getBoundingClientRect().width,
    scrolls: ['auto', 'scroll'].includes(getComputedStyle(t.parentElement).overflowX),
    page: document.querySelector('main').getBoundingClientRect().right - Math.min(t.getBoundingClientRect().right, t.parentElement.getBoundingClientRect().right),
    heads: [...t.querySelectorAll('thead th')].map(th => th.textContent.trim()),
    rows: [...t.querySelectorAll('tbody tr')].map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent.trim())),
}))"""

INTERFACE_TEXT = """() => [...document.querySelectorAll(
    'main h2, main h3, main thead th, .wb-evidence-title, .wb-intro, .wb-empty, .wb-download, .wb-meta dt, .wb-kicker, .wb-footer, .wb-draft, .wb-downloads p, .wb-more')]
    .map(e => e.textContent.trim())"""


def english_interface_strings() -> set[str]:
    from workbench.model import i18n

    from workbench.model.messages import MESSAGES

    return {en for key, en in MESSAGES.items()
            if en != i18n.t(key, "ru") and en != i18n.t(key, "kk") and LATIN_WORD.search(en) and "{" not in en}


def test_reports_read_as_publications(generated, browser):
    specs = {s.name: s for s in load_matrix(generated.matrix, generated.notebooks)}
    english = english_interface_strings()
    problems = []
    for page_path in report_pages(generated):
        page, *_ = open_offline(browser, page_path)
        name = page_path.stem
        for i, tab in enumerate(page.evaluate(READ_TABLES)):
            where = f"{name} table {i + 1} {tab['heads'][:4]}"
            # a wide table scrolls inside its own container on screen (issue 27); the page itself never does
            if (tab["scroll"] > tab["room"] + 1 and not tab["scrolls"]) or tab["page"] < -1:
                problems.append(f"{where}: {tab['scroll']}px wide in {tab['room']}px")
            problems += [f"{where}: header in code form {h!r}" for h in tab["heads"] if CODE_HEADER.match(h)]
            for j, head in enumerate(tab["heads"]):
                if tab["rows"] and all(j >= len(r) or not r[j] for r in tab["rows"]):
                    problems.append(f"{where}: column {head!r} is empty in every row")
            problems += [f"{where}: cell {c!r}" for r in tab["rows"] for c in r if c in RAW_CELL]
        if not name.startswith("index"):
            # every citation in the body points at an entry of the References
            cited = set(page.eval_on_selector_all('main a[href^="#ref-"]', "els => els.map(a => a.getAttribute('href').slice(1))"))
            listed = set(page.eval_on_selector_all(".wb-references li[id]", "els => els.map(li => li.id)"))
            problems += [f"{name}: cites {c} but References do not list it" for c in sorted(cited - listed)]
            body = page.evaluate("() => [...document.querySelectorAll('main > *')].filter(e => !e.closest('.wb-references')).map(e => e.innerText).join(' ')")
            problems += [f"{name}: raw source id {m!r} in the text" for m in sorted(set(re.findall(r"\b(seed00\d|ref_[a-z0-9_]+)\b", body)))]
            problems += [f"{name}: {x!r} in the page" for x in ("`", "<workbench.", "{'") if x in body]
            if page.locator("table.wb-table").count() and not name.endswith("-annex"):  # an annex's tables are in its report's workbook
                assert page.locator("a[download$='.xlsx']").count() == 1, f"{name} offers no workbook"
        stem = name.removesuffix("-annex")
        lang = specs[stem].parameters.get("lang", "en") if stem in specs else "en"
        if lang in ("ru", "kk"):
            refs = set(page.eval_on_selector_all(".wb-references li b", "els => els.map(b => b.textContent.replace(/\\.$/, ''))"))
            for text in page.evaluate(INTERFACE_TEXT):
                if text in english or any(e in text for e in english if len(e) > 25):
                    problems.append(f"{name}: English interface string {text!r}")
                elif LATIN_WORD.search(LATIN_NAMES.sub("", text)) and text.rstrip(".") not in refs:
                    problems.append(f"{name}: Latin text in the interface {text!r}")
            assert page.locator(".wb-draft").count() >= 1, f"{name} does not say its translation is a draft"
        page.close()
    assert problems == [], "\n".join(problems)


def test_downloads_open_in_pandas(generated):
    import base64
    import io

    import pandas as pd

    link = re.compile(r'<a download="([^"]+)" href="data:([^;]+)(?:;charset=utf-8)?;base64,([^"]+)"')
    for page_path in report_pages(generated)[:-1]:
        text = page_path.read_text(encoding="utf-8")
        found = link.findall(text)
        csvs = [(n, base64.b64decode(d)) for n, mime, d in found if n.endswith(".csv")]
        books = [(n, base64.b64decode(d)) for n, mime, d in found if n.endswith(".xlsx")]
        n_tables = text.count('<table class="wb-table')
        assert len(csvs) == n_tables, f"{page_path.name}: {len(csvs)} CSV links for {n_tables} tables"
        annex = page_path.with_name(page_path.stem + "-annex.html")
        if page_path.stem.endswith("-annex"):
            assert not books, f"{page_path.name}: the workbook is the report's, not repeated in its annex"
            continue
        if annex.exists():  # the report's workbook holds its annex's tables too
            n_tables += annex.read_text(encoding="utf-8").count('<table class="wb-table')
        for name, payload in csvs:
            assert payload.startswith(b"\xef\xbb\xbf"), name
            frame = pd.read_csv(io.BytesIO(payload), encoding="utf-8-sig")
            assert len(frame.columns) and len(frame), f"{page_path.name}: {name} is empty"
        if n_tables:
            assert len(books) == 1
            sheets = pd.read_excel(io.BytesIO(books[0][1]), sheet_name=None)
            assert len(sheets) == n_tables, f"{page_path.name}: {len(sheets)} sheets for {n_tables} tables"
            assert all(len(s) for s in sheets.values())


def test_printed_reports_fit_an_a4_page(generated, browser):
    # A4 less 15 mm margins is 180 mm, about 680 CSS pixels: every table must fit it when printed.
    too_wide = []
    for page_path in report_pages(generated):
        page = browser.new_page(viewport={"width": 680, "height": 1000})
        page.goto(page_path.resolve().as_uri())
        page.emulate_media(media="print")
        # a table on a landscape page of its own (report.css) has 267 mm, about 1009 pixels
        too_wide += [f"{page_path.name}: {w}px in {room}px ({head})" for w, room, head in page.evaluate(
            """() => [...document.querySelectorAll('main table')].map(t => { t.style.width = 'min-content';
                 const w = t.getBoundingClientRect().width; t.style.width = '';
                 return [Math.round(w), t.closest('.wb-landscape') ? 1009 : t.parentElement.getBoundingClientRect().width,
                 t.querySelector('th') ? t.querySelector('th').textContent : '']; }).filter(([w, room]) => w > room + 1)""")]
        assert page.pdf(format="A4")[:4] == b"%PDF"
        page.close()
    assert too_wide == []


def test_recommendation_reports_show_the_register_as_policy_advice(generated):
    """Issue 21: options under each ranked concept, each quote linked both ways, the coverage and needs
    tables, the roadmap, and no templated action sentence, in every language."""
    from workbench.model.dataset import load

    options = load(REPO / "data").options
    for lang in ("en", "ru", "kk"):
        # the options in full, the evidence and the quotes are in the annex (issue 27); the report sums them up
        page = (generated.reports / f"recommendations-inclusive-governance-{lang}-annex.html").read_text(encoding="utf-8")
        page += (generated.reports / f"recommendations-inclusive-governance-{lang}.html").read_text(encoding="utf-8")
        shown = set(re.findall(r'<div class="wb-option" id="option-([^"]+)"', page))
        assert len(shown) >= 15 and shown <= set(options["option_id"])
        refs = set(re.findall(r'href="#quote-([^"]+)"', page))
        anchors = set(re.findall(r'<li id="quote-([^"]+)"', page))
        assert refs and refs == anchors  # every quote cited is in the appendix, and the appendix holds no other
        assert set(re.findall(r'href="#option-([^"]+)"', page)) <= shown  # links back land on an option shown
        for key in ("options", "coverage", "needs", "roadmap", "quotes"):
            assert html.escape(t(f"sections.{key}", lang)) in page, (lang, key)
        assert 'alt="roadmap"' in page
        assert not re.search(r"(Adopt|Develop|Strengthen|Enforce): ", page)  # the old templated actions
        titles = options[f"title_{lang}"]
        assert sum(html.escape(str(title)) in page for title in titles) >= 15


#: Every text node outside code and outside elements marked English, with its text.
UNMARKED_TEXT = r"""() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const el = n.parentElement;
    if (!el || el.closest('script,style,code,pre,kbd,samp,var,math')) continue;
    const marked = el.closest('[lang]');
    if (marked && marked.getAttribute('lang').startsWith('en')) continue;
    out.push(n.textContent);
  }
  return out;
}"""
#: Acronyms and codes a Russian or Kazakh text may carry unmarked.
LATIN_ALLOWED = re.compile(r"\b(OECD|WGI|CPI|SSSOM|CSV|XLSX|[A-Z]{3})\b")
#: Where the interface speaks: English there is a missing translation, never data kept on purpose.
INTERFACE_ENGLISH = """() => [...document.querySelectorAll(
    'main h1 [lang^=en], main h2:not(.wb-index-list h2) [lang^=en], thead th [lang^=en], .wb-meta dt [lang^=en], .wb-intro [lang^=en], .wb-kicker [lang^=en], .wb-footer [lang^=en], .wb-draft [lang^=en]')]
    .map(e => e.textContent)"""


def test_russian_and_kazakh_pages_mark_every_english_run(generated, browser):
    """Issue 22: no run of Latin-script words outside a lang="en" element in any ru or kk page, and no
    English in the places the interface speaks (headings, table headers, notes)."""
    pages = [p for p in report_pages(generated) if p.stem.endswith(("-ru", "-kk"))]
    assert len(pages) >= 4  # the reports in Russian and Kazakh, and the index in both
    problems = []
    for page_path in pages:
        page, *_ = open_offline(browser, page_path)
        assert page.evaluate("document.documentElement.lang") == page_path.stem[-2:]
        for text in page.evaluate(UNMARKED_TEXT):
            if re.search(r"[A-Za-z]{2,}", LATIN_ALLOWED.sub("", text)):
                problems.append(f"{page_path.name}: unmarked Latin text {text.strip()[:80]!r}")
        problems += [f"{page_path.name}: English where the interface speaks {text[:60]!r}"
                     for text in page.evaluate(INTERFACE_ENGLISH) if not LATIN_ALLOWED.fullmatch(text.strip())]
        page.close()
    assert problems == [], "\n".join(problems[:20])


def test_a_report_links_its_versions_in_the_other_languages(generated):
    for lang in ("en", "ru", "kk"):
        page = (generated.reports / f"recommendations-inclusive-governance-{lang}.html").read_text(encoding="utf-8")
        links = dict((code, href) for href, code in re.findall(r'<a href="([^"]+)" hreflang="([a-z]{2})"', page))
        assert set(links) == {"en", "ru", "kk"} - {lang}
        for href in links.values():
            assert (generated.reports / href).exists(), href
        index = re.search(r'<a href="(index[^"]*\.html)">', page).group(1)
        assert index == {"en": "index.html", "ru": "index-ru.html", "kk": "index-kk.html"}[lang]


def test_make_pdf_prints_reports_with_outline_fonts_and_language(generated):
    import subprocess

    from conftest import workbench_executable

    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    # the command a researcher runs (in its own process: this module's browser holds Playwright's loop)
    done = subprocess.run([workbench_executable(), "pdf", "--only", "recommendations-inclusive-governance-kk", "taxonomy"],
                          cwd=generated.root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and done.stdout.strip() == "wrote 2 PDFs to reports/pdf/", done.stderr
    written = [generated.reports / "pdf" / f"{n}.pdf" for n in ("recommendations-inclusive-governance-kk", "taxonomy")]
    kk = written[0].read_bytes()
    assert kk.startswith(b"%PDF") and b"/Outlines" in kk and b"/FontFile2" in kk and b"/Lang (kk)" in kk
    assert not list((generated.reports / "pdf").glob("*.tmp*"))


def test_make_pdf_says_what_is_missing(monkeypatch, tmp_path):
    import workbench.run.pdf as pdf
    from workbench.model.errors import InputError

    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    with pytest.raises(InputError, match="needs Chromium, which is not installed"):
        pdf.chromium_path()


class _ReaderText:
    """The text a reader reads: every text node outside code, pre, kbd, samp, var and math (and scripts, styles)."""

    SKIP = {"code", "pre", "kbd", "samp", "var", "math", "script", "style"}
    VOID = {"br", "img", "meta", "link", "input", "hr", "wbr", "source", "col", "area", "base"}

    def __init__(self, markup: str) -> None:
        from html.parser import HTMLParser

        stack: list[str] = []
        out: list[str] = []

        class Parser(HTMLParser):
            def handle_starttag(self, tag, attrs):
                if tag not in _ReaderText.VOID:
                    stack.append(tag)

            def handle_endtag(self, tag):
                while stack and stack.pop() != tag:
                    pass

            def handle_data(self, data):
                if not _ReaderText.SKIP & set(stack):
                    out.append(data)

        Parser().feed(markup)
        self.text = " ".join(out)


def test_reader_text_holds_no_code_names(generated):
    """Issue 27: no snake_case identifier, no SKOS name, no 'related_credit' in what a reader reads
    (an address shown as a link is set as code, as file names are)."""
    problems = []
    for path in report_pages(generated):
        text = _ReaderText(path.read_text(encoding="utf-8")).text
        found = sorted(set(re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b|skos:\w+|related_credit", text)))
        problems += [f"{path.name}: {w!r}" for w in found]
    assert problems == []


#: Every word (a run between spaces, hyphens, slashes, commas and semicolons) of up to 24 characters in
#: a table cell that the layout breaks over two lines. Scripts without spaces between words (Japanese)
#: break between any two characters and are left out.
SPLIT_WORDS = r"""() => {
  const out = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let n;
    while ((n = walker.nextNode())) {
      const re = /[^\s\-\/,;\u2013\u2014]+/g;
      let m;
      while ((m = re.exec(n.textContent))) {
        if (m[0].length < 2 || m[0].length > 24 || /[\u3040-\u30ff\u3400-\u9fff]/.test(m[0])) continue;
        const r = document.createRange();
        r.setStart(n, m.index); r.setEnd(n, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
        if (tops.size > 1) out.push(m[0]);
      }
    }
  }
  return out;
}"""


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_words_and_numbers_never_break_inside_a_table_cell(generated, browser):
    """Issue 27: printed at A4 width (180 mm, 680 px) and on a 1280 px screen."""
    problems = []
    for path in report_pages(generated):
        page = browser.new_page(viewport={"width": 680, "height": 1000})
        page.goto(path.resolve().as_uri())
        for media, width in (("print", 680), ("screen", 1280)):  # one load, laid out again for each
            page.set_viewport_size({"width": width, "height": 1000})
            page.emulate_media(media=media)
            split = page.evaluate(SPLIT_WORDS)
            problems += [f"{path.name} ({media}): {len(split)} split, e.g. {split[:5]}"] if split else []
        page.close()
    assert problems == []


def test_a_recommendation_report_prints_on_24_pages_and_links_its_annex_both_ways(generated, browser):
    specs = [s for s in load_matrix(generated.matrix, generated.notebooks) if s.notebook == "recommendations.ipynb"]
    counts = {}
    for spec in specs:
        report, annex = generated.reports / f"{spec.name}.html", generated.reports / f"{spec.name}-annex.html"
        assert annex.exists(), spec.name
        page = browser.new_page()
        page.goto(report.resolve().as_uri())
        counts[spec.name] = _pdf_pages(page.pdf(format="A4", prefer_css_page_size=True))
        page.close()
        main, extra = report.read_text(encoding="utf-8"), annex.read_text(encoding="utf-8")
        assert f'href="{annex.name}' in main and f'href="{report.name}' in extra
        # every link to an anchor lands: in its own page, or in the other file
        for own, other, other_name in ((main, extra, annex.name), (extra, main, report.name)):
            ids, other_ids = set(re.findall(r'\bid="([^"]+)"', own)), set(re.findall(r'\bid="([^"]+)"', other))
            assert set(re.findall(r'href="#([^"]+)"', own)) <= ids
            assert set(re.findall(rf'href="{re.escape(other_name)}#([^"]+)"', own)) <= other_ids
        # the summary opens the report; the options in full and the evidence are in the annex
        assert 'class="wb-summary"' in main and 'class="wb-option"' not in main and 'class="wb-option"' in extra
    assert counts and max(counts.values()) <= 24, counts


def test_every_page_embeds_its_fonts_and_they_carry_every_kazakh_letter(generated, browser):
    for path in report_pages(generated):
        text = path.read_text(encoding="utf-8")
        assert '@font-face { font-family: "WB Serif"; src: url(data:font/woff;base64,' in text, path.name
    page = browser.new_page()
    page.goto((generated.reports / "recommendations-inclusive-governance-kk.html").resolve().as_uri())
    page.evaluate("document.fonts.ready")
    letters = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
    assert page.evaluate(f"document.fonts.check('16px \"WB Serif\"', '{letters}')")
    assert page.evaluate(f"document.fonts.check('bold 16px \"WB Sans\"', '{letters}')")
    family = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert family.startswith('"WB Serif"'), family
    page.close()
