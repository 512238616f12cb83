"""The whole report matrix, generated for real and opened in headless Chromium with no network."""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import pytest

from workbench.reports import Project, load_matrix, run_reports

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
    return [project.reports / f"{s.name}.html" for s in specs] + [project.reports / "index.html"]


def test_matrix_has_the_reports_the_academy_asked_for():
    specs = load_matrix(REPO / "reports.yaml", REPO / "notebooks")
    assert len(specs) >= 8
    notebooks = {s.notebook for s in specs}
    assert {"taxonomy.ipynb", "compare.ipynb", "network.ipynb", "recommendations.ipynb", "training.ipynb"} <= notebooks
    peer_sets = {tuple(sorted(s.parameters.get("peers", []))) for s in specs if s.notebook == "recommendations.ipynb"}
    assert tuple(sorted(["GBR", "NZL", "CAN"])) in peer_sets
    assert tuple(sorted(["GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS"])) in peer_sets
    assert any(s.notebook == "recommendations.ipynb" and s.parameters.get("lang") == "ru" for s in specs)


def test_reports_are_self_contained_and_small(generated):
    for page in report_pages(generated):
        text = page.read_text(encoding="utf-8")
        # nothing that a browser would fetch: scripts, styles, fonts, images from elsewhere
        assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", text, re.I), page.name
        assert "@import" not in text and "url(http" not in text, page.name
        assert "<script" not in text.lower(), f"{page.name} carries a script"
        assert page.stat().st_size < 5_000_000, f"{page.name} is {page.stat().st_size} bytes"


def test_no_papermill_parameters_cell_or_code_in_reports(generated):
    for page in report_pages(generated)[:-1]:
        text = page.read_text(encoding="utf-8")
        assert "injected-parameters" not in text
        assert 'class="wb-meta"' in text, "the header lists parameters and versions"
        assert "import workbench" not in text, f"{page.name} shows code"
        assert not re.search(r"class=\"[^\"]*jp-InputPrompt", text), f"{page.name} shows input prompts"


def test_regenerating_gives_identical_bytes(generated):
    specs = load_matrix(generated.matrix, generated.notebooks)
    names = [s.name for s in specs]
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
    page = browser.new_page(viewport={"width": 1200, "height": 900})
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
        if page_path.name != "index.html":
            assert links, f"{page_path.name} has an empty table of contents"
        for href in links:
            assert href.startswith("#")
            tag = page.evaluate("id => { const e = document.getElementById(id); return e ? e.tagName : null }", href[1:])
            assert tag in ("H2", "H3"), f"{page_path.name}: {href} -> {tag}"
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
