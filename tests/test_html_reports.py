"""The whole report matrix, generated for real and opened in headless Chromium with no network."""
from __future__ import annotations

import html
import hashlib
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from workbench.model.dataset import load as load_dataset
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


def test_a_partial_sources_note_is_in_the_pages_language(generated):
    """What a partial peer's source lacks is our own words: a Russian or Kazakh page gives it translated,
    its citation linked, not in English."""
    for lang, word in (("ru", "неполный источник: "), ("kk", "толық емес дереккөз: ")):
        text = (generated.reports / f"recommendations-inclusive-governance-{lang}.html").read_text(encoding="utf-8")
        notes = [re.split(r"<br>|</td>|</li>|</p>", part, maxsplit=1)[0] for part in text.split('<span class="wb-coverage">')[1:]]
        partial = [n for n in notes if word in n]
        assert partial, (lang, notes[:3])
        words = [re.sub(r"<[^>]+>", "", n) for n in partial]
        assert not any("could not" in w or "is therefore unknown" in w for w in words), words
        assert all('class="wb-cite"' in n for n in partial)


def test_pages_name_items_and_frameworks_never_by_our_codes(generated):
    """A hostile review: "Where each cell comes from" and "Concepts unique to one country" printed our item
    codes (S2-UKE-1;S2-UKE-2) beside the items' names. The downloads keep them, to trace a row to the data;
    the taxonomy report, a curator's list of mappings to edit in crosswalk.tsv, keeps its "Item code" column."""
    ds = load_dataset(generated.data, all_versions=True)
    ours = set(ds.items["item_code"]) | set(ds.frameworks["framework_id"])
    for page in report_pages(generated):
        if page.stem.startswith("taxonomy"):
            continue
        text = re.sub(r"<(script|style)[^>]*>.*?</\1>|<[^>]+>", " ", page.read_text(encoding="utf-8"), flags=re.S)
        shown = sorted({w for w in re.findall(r"[A-Za-z0-9][\w.-]*\w", text) if w in ours})
        assert not shown, (page.name, shown[:5])


def test_no_papermill_parameters_cell_or_code_in_reports(generated):
    for page in [p for p in report_pages(generated) if not p.stem.startswith("index")]:
        text = page.read_text(encoding="utf-8")
        assert "injected-parameters" not in text
        assert 'class="wb-meta"' in text, "the header lists parameters and versions"
        assert "import workbench" not in text, f"{page.name} shows code"
        assert not re.search(r"class=\"[^\"]*jp-InputPrompt", text), f"{page.name} shows input prompts"


def cover_notebooks_and_languages(specs) -> list[str]:
    """Report names, one per notebook, that between them use every language of ``specs``: the reports in
    other languages are looked at first, and a notebook is taken in such a language only while no report
    chosen so far speaks it."""
    lang = lambda spec: spec.parameters.get("lang", "en")  # noqa: E731
    chosen: dict[str, str] = {}
    spoken: set[str] = set()
    for spec in sorted(specs, key=lambda s: (lang(s) == "en", s.name)):
        if spec.notebook not in chosen and (lang(spec) == "en" or lang(spec) not in spoken):
            chosen[spec.notebook] = spec.name
            spoken.add(lang(spec))
    return sorted(chosen.values())


def test_regenerating_with_fresh_kernels_gives_identical_bytes(generated):
    """A second run, each report in a kernel of its own, gives every page, executed notebook and figure of
    the first (where kernels were reused, several reports each) byte for byte."""
    specs = load_matrix(generated.matrix, generated.notebooks)
    # one report of each notebook, and each language at least once: what could make bytes differ between
    # runs (dates, ids, ordering, fonts, numbers, what a reused kernel remembers) lives in the notebook and
    # the language, not in the parameters' values
    names = cover_notebooks_and_languages(specs)
    assert len(names) < len(specs) and {s.notebook for s in specs} == {s.notebook for s in specs if s.name in names}
    assert {s.parameters.get("lang", "en") for s in specs} == {s.parameters.get("lang", "en") for s in specs if s.name in names}
    digest = lambda p: hashlib.sha256(p.read_bytes()).hexdigest()  # noqa: E731

    def outputs() -> dict[Path, str]:
        pages = [generated.reports / f"{n}{suffix}.html" for n in names for suffix in ("", "-annex")] + [generated.reports / "index.html"]
        notebooks = [generated.reports / "notebooks" / f"{n}.ipynb" for n in names]
        figures = [p for n in names for p in sorted((generated.figures / n).rglob("*")) if p.is_file()]
        return {p: digest(p) for p in [*pages, *notebooks, *figures] if p.exists()}

    before = outputs()
    assert len([p for p in before if p.suffix == ".ipynb"]) == len(names) and len(before) > 3 * len(names)
    results = run_reports(generated, only=names, force=True, jobs=2, progress=False, fresh_kernels=True)
    assert [r.status for r in results] == ["ok"] * len(names), [r.error for r in results]
    after = outputs()
    assert [p.name for p in after if after[p] != before.get(p)] == [] and after.keys() == before.keys()
    # an executed notebook names no temporary path, no timing, and its figures folder as the checkout has it
    text = (generated.reports / "notebooks" / f"{names[0]}.ipynb").read_text(encoding="utf-8")
    assert str(generated.root) not in text and "start_time" not in text and '"duration"' not in text
    assert f'figures_dir = \\"../figures/{names[0]}\\"' in text
    from importlib.metadata import version

    page = (generated.reports / f"{names[0]}.html").read_text(encoding="utf-8")
    assert f"pandas {version('pandas')}" in page and f"matplotlib {version('matplotlib')}" in page


def test_a_grid_at_the_broad_level_says_what_rolling_up_changed(generated):
    """The professionalisation peers' network at both concept levels: the broad page says why it reads as
    the curated one (no compared framework carries a narrower concept); the curated page says nothing of it."""
    broad = (generated.reports / "network-professionalisation-peers-broad.html").read_text(encoding="utf-8")
    fine = (generated.reports / "network-professionalisation-peers-fine.html").read_text(encoding="utf-8")
    said = html.escape(t("ui.broad_changes_nothing", "en"), quote=False)
    assert said in broad and said not in fine


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


# -- what headless Chromium shows: each page read once, on screen and printed -----------------------
# Opening a page (660 KB with its fonts) and laying it out is most of a browser check's time, so each
# page is opened once and everything the tests below ask of it is read then (issue 20: the suite's time).

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



#: Every text node outside code and outside elements marked English, with its text.
UNMARKED_TEXT = r"""() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let n;
  while ((n = walker.nextNode())) {
    const el = n.parentElement;
    if (!el || el.closest('script,style,code,pre,kbd,samp,var,math')) continue;
    const marked = el.closest('[lang]');
    // marked: inside an element that says its own language (English, a French quotation), not the page's
    if (marked && !/^(ru|kk)/.test(marked.getAttribute('lang'))) continue;
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


TOC_TARGETS = "ids => ids.map(id => { const e = document.getElementById(id); return e ? e.tagName : null })"
SCROLLED_TO = "id => Math.abs(document.getElementById(id).getBoundingClientRect().top) < 5 || window.innerHeight + window.scrollY >= document.body.scrollHeight - 2"
TOO_WIDE_PRINTED = """() => [...document.querySelectorAll('main table')].map(t => { t.style.width = 'min-content';
     const w = t.getBoundingClientRect().width; t.style.width = '';
     return [Math.round(w), t.closest('.wb-landscape') ? 1009 : t.parentElement.getBoundingClientRect().width,
     t.querySelector('th') ? t.querySelector('th').textContent : '']; }).filter(([w, room]) => w > room + 1)"""
BODY_TEXT = "() => [...document.querySelectorAll('main > *')].filter(e => !e.closest('.wb-references')).map(e => e.innerText).join(' ')"


@dataclass
class Reading:
    """What headless Chromium saw of one page: offline on a 1280 px screen, then printed at A4 width
    (180 mm, about 680 CSS pixels)."""

    requests: list[str]
    errors: list[str]
    dialogs: list[str]
    lang: str = ""
    toc: list[str] = field(default_factory=list)
    toc_tags: list = field(default_factory=list)
    #: table-of-contents link -> whether clicking it scrolled its heading into view
    clicked: dict[str, bool] = field(default_factory=dict)
    images: list = field(default_factory=list)
    tables: list[dict] = field(default_factory=list)
    cited: set[str] = field(default_factory=set)
    references: set[str] = field(default_factory=set)
    reference_titles: set[str] = field(default_factory=set)
    body: str = ""
    workbench_tables: int = 0
    workbooks: int = 0
    drafts: int = 0
    interface_text: list[str] = field(default_factory=list)
    unmarked: list[str] = field(default_factory=list)
    interface_english: list[str] = field(default_factory=list)
    #: "screen" / "print" -> the words a table cell breaks over two lines
    split: dict[str, list[str]] = field(default_factory=dict)
    too_wide_printed: list = field(default_factory=list)
    pdf_pages: int = 0


def _read_on_screen(page, reading: Reading, shot: Path) -> None:
    """The page as a reader on a screen sees it: language, table of contents, figures, tables, references, text."""
    reading.lang = page.evaluate("document.documentElement.lang")
    reading.toc = page.eval_on_selector_all("nav.wb-toc a", "els => els.map(a => a.getAttribute('href'))")
    reading.toc_tags = page.evaluate(TOC_TARGETS, [href[1:] for href in reading.toc if href.startswith("#")])
    # every link's target is a heading (toc_tags); clicking the first, a middle and the last shows that a
    # click lands there (clicking every one of them, about 280, was most of the time)
    for href in dict.fromkeys(reading.toc[i] for i in (0, len(reading.toc) // 2, -1)) if reading.toc else ():
        page.click(f'nav.wb-toc a[href="{href}"]')
        reading.clicked[href] = page.evaluate(SCROLLED_TO, href[1:])
    reading.images = page.eval_on_selector_all("img", "els => els.map(i => [i.naturalWidth, i.getBoundingClientRect().width])")
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(shot), full_page=False)
    reading.tables = page.evaluate(READ_TABLES)
    reading.cited = set(page.eval_on_selector_all('main a[href^="#ref-"]', "els => els.map(a => a.getAttribute('href').slice(1))"))
    reading.references = set(page.eval_on_selector_all(".wb-references li[id]", "els => els.map(li => li.id)"))
    reading.reference_titles = set(page.eval_on_selector_all(".wb-references li b", "els => els.map(b => b.textContent.replace(/\\.$/, ''))"))
    reading.body = page.evaluate(BODY_TEXT)
    reading.workbench_tables = page.locator("table.wb-table").count()
    reading.workbooks = page.locator("a[download$='.xlsx']").count()
    reading.drafts = page.locator(".wb-draft").count()
    reading.interface_text = page.evaluate(INTERFACE_TEXT)
    reading.unmarked = page.evaluate(UNMARKED_TEXT)
    reading.interface_english = page.evaluate(INTERFACE_ENGLISH)
    reading.split["screen"] = page.evaluate(SPLIT_WORDS)


def _read_printed(page, reading: Reading) -> None:
    """The page printed: words broken in table cells, tables wider than the paper, pages in A4."""
    page.set_viewport_size({"width": 680, "height": 1000})
    page.emulate_media(media="print")
    reading.split["print"] = page.evaluate(SPLIT_WORDS)
    reading.too_wide_printed = page.evaluate(TOO_WIDE_PRINTED)
    pdf = page.pdf(format="A4", prefer_css_page_size=True)  # report.css gives a wide table a landscape page
    reading.pdf_pages = _pdf_pages(pdf) if pdf[:4] == b"%PDF" else 0


@pytest.fixture(scope="module")
def readings(generated, browser) -> dict[str, Reading]:
    """Every page of the matrix, read once (:class:`Reading`); a screenshot of each in ``SCREENSHOTS``."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = {}
    for path in report_pages(generated):
        page, requests, errors, dialogs = open_offline(browser, path)
        reading = Reading(requests, errors, dialogs)
        _read_on_screen(page, reading, SCREENSHOTS / f"{path.stem}.png")
        _read_printed(page, reading)
        page.close()
        out[path.name] = reading
    return out


def test_reports_open_offline_in_chromium(readings):
    for name, seen in readings.items():
        assert seen.requests == [], f"{name} fetched {seen.requests}"
        assert seen.errors == [], f"{name} console errors: {seen.errors}"
        assert seen.dialogs == []
        if not name.startswith("index"):
            assert seen.toc, f"{name} has an empty table of contents"
        assert all(href.startswith("#") for href in seen.toc), seen.toc
        assert all(tag in ("H2", "H3") for tag in seen.toc_tags), f"{name}: {dict(zip(seen.toc, seen.toc_tags))}"
        assert all(seen.clicked.values()), f"{name}: not scrolled to {[h for h, ok in seen.clicked.items() if not ok]}"
        assert all(natural > 0 and shown > 0 for natural, shown in seen.images), f"{name}: {seen.images}"


def _table_problems(name: str, tables: list[dict]) -> list[str]:
    problems = []
    for i, tab in enumerate(tables):
        where = f"{name} table {i + 1} {tab['heads'][:4]}"
        # a wide table scrolls inside its own container on screen (issue 27); the page itself never does
        if (tab["scroll"] > tab["room"] + 1 and not tab["scrolls"]) or tab["page"] < -1:
            problems.append(f"{where}: {tab['scroll']}px wide in {tab['room']}px")
        problems += [f"{where}: header in code form {h!r}" for h in tab["heads"] if CODE_HEADER.match(h)]
        for j, head in enumerate(tab["heads"]):
            if tab["rows"] and all(j >= len(r) or not r[j] for r in tab["rows"]):
                problems.append(f"{where}: column {head!r} is empty in every row")
        problems += [f"{where}: cell {c!r}" for r in tab["rows"] for c in r if c in RAW_CELL]
    return problems


def _interface_language_problems(name: str, seen: Reading, english: set[str]) -> list[str]:
    problems = []
    for text in seen.interface_text:
        if text in english or any(e in text for e in english if len(e) > 25):
            problems.append(f"{name}: English interface string {text!r}")
        elif LATIN_WORD.search(LATIN_NAMES.sub("", text)) and text.rstrip(".") not in seen.reference_titles:
            problems.append(f"{name}: Latin text in the interface {text!r}")
    return problems


def test_reports_read_as_publications(generated, readings):
    specs = {s.name: s for s in load_matrix(generated.matrix, generated.notebooks)}
    english = english_interface_strings()
    problems = []
    for page_name, seen in readings.items():
        name = page_name.removesuffix(".html")
        problems += _table_problems(name, seen.tables)
        if not name.startswith("index"):
            # every citation in the body points at an entry of the References
            problems += [f"{name}: cites {c} but References do not list it" for c in sorted(seen.cited - seen.references)]
            problems += [f"{name}: raw source id {m!r} in the text" for m in sorted(set(re.findall(r"\b(seed00\d|ref_[a-z0-9_]+)\b", seen.body)))]
            problems += [f"{name}: {x!r} in the page" for x in ("`", "<workbench.", "{'") if x in seen.body]
            if seen.workbench_tables and not name.endswith("-annex"):  # an annex's tables are in its report's workbook
                assert seen.workbooks == 1, f"{name} offers no workbook"
        stem = name.removesuffix("-annex")
        if (specs[stem].parameters.get("lang", "en") if stem in specs else "en") in ("ru", "kk"):
            problems += _interface_language_problems(name, seen, english)
            assert seen.drafts >= 1, f"{name} does not say its translation is a draft"
    assert problems == [], "\n".join(problems)


def test_printed_reports_fit_an_a4_page(readings):
    # A4 less 15 mm margins is 180 mm, about 680 CSS pixels: every table must fit it when printed;
    # a table on a landscape page of its own (report.css) has 267 mm, about 1009 pixels
    too_wide = [f"{name}: {w}px in {room}px ({head})" for name, seen in readings.items() for w, room, head in seen.too_wide_printed]
    assert too_wide == []
    assert all(seen.pdf_pages >= 1 for seen in readings.values()), {n: s.pdf_pages for n, s in readings.items()}


def test_russian_and_kazakh_pages_mark_every_english_run(readings):
    """Issue 22: no run of Latin-script words outside a lang="en" element in any ru or kk page, and no
    English in the places the interface speaks (headings, table headers, notes)."""
    pages = {name: seen for name, seen in readings.items() if name.removesuffix(".html").endswith(("-ru", "-kk"))}
    assert len(pages) >= 4  # the reports in Russian and Kazakh, and the index in both
    problems = []
    for name, seen in pages.items():
        assert seen.lang == name.removesuffix(".html")[-2:]
        problems += [f"{name}: unmarked Latin text {text.strip()[:80]!r}" for text in seen.unmarked
                     if re.search(r"[A-Za-z]{2,}", LATIN_ALLOWED.sub("", text))]
        problems += [f"{name}: English where the interface speaks {text[:60]!r}"
                     for text in seen.interface_english if not LATIN_ALLOWED.fullmatch(text.strip())]
    assert problems == [], "\n".join(problems[:20])


def test_words_and_numbers_never_break_inside_a_table_cell(readings):
    """Issue 27: printed at A4 width (180 mm, 680 px) and on a 1280 px screen."""
    problems = [f"{name} ({media}): {len(split)} split, e.g. {split[:5]}"
                for name, seen in readings.items() for media, split in seen.split.items() if split]
    assert problems == [] and all(set(seen.split) == {"screen", "print"} for seen in readings.values())


def test_a_recommendation_report_prints_on_24_pages_and_links_its_annex_both_ways(generated, readings):
    specs = [s for s in load_matrix(generated.matrix, generated.notebooks) if s.notebook == "recommendations.ipynb"]
    counts = {}
    for spec in specs:
        report, annex = generated.reports / f"{spec.name}.html", generated.reports / f"{spec.name}-annex.html"
        assert annex.exists(), spec.name
        counts[spec.name] = readings[report.name].pdf_pages
        main, extra = report.read_text(encoding="utf-8"), annex.read_text(encoding="utf-8")
        assert f'href="{annex.name}' in main and f'href="{report.name}' in extra
        # every link to an anchor lands: in its own page, or in the other file
        for own, other, other_name in ((main, extra, annex.name), (extra, main, report.name)):
            ids, other_ids = set(re.findall(r'\bid="([^"]+)"', own)), set(re.findall(r'\bid="([^"]+)"', other))
            assert set(re.findall(r'href="#([^"]+)"', own)) <= ids
            assert set(re.findall(rf'href="{re.escape(other_name)}#([^"]+)"', own)) <= other_ids
        # the summary opens the report; the options in full and the evidence are in the annex
        assert 'class="wb-summary"' in main and 'class="wb-option"' not in main and 'class="wb-option"' in extra
    assert counts and 0 < min(counts.values()) and max(counts.values()) <= 24, counts



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

def english_interface_strings() -> set[str]:
    from workbench.model import i18n

    from workbench.model.messages import MESSAGES

    return {en for key, en in MESSAGES.items()
            if en != i18n.t(key, "ru") and en != i18n.t(key, "kk") and LATIN_WORD.search(en) and "{" not in en}


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
