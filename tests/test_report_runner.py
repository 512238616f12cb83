"""The report runner of issue 16: grids, package versions, one run at a time, Ctrl-C, warm kernels, stable notebooks."""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml

from workbench.run import fingerprint, kernels, matrix
from workbench.model.errors import InputError
from workbench.present.export import write_index
from workbench.run import Project, RunLock, load_matrix, run_reports

REPO = Path(__file__).resolve().parents[1]
TINY = REPO / "tests" / "fixtures" / "notebooks" / "tiny.ipynb"
WORKBENCH = Path(sys.executable).parent / "workbench"


def make_project(root: Path, reports: list[dict], notebooks: tuple[Path, ...] = (TINY,)) -> Project:
    (root / "notebooks").mkdir(parents=True)
    for nb in notebooks:
        shutil.copy(nb, root / "notebooks" / nb.name)
    shutil.copytree(REPO / "data", root / "data")
    (root / "reports.yaml").write_text(yaml.safe_dump({"reports": reports}, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return Project(root)


def entry(name: str, **params) -> dict:
    return {"name": name, "notebook": "tiny.ipynb", "description": f"test report {name}", "parameters": params}


def cli_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "WORKBENCH_DATA"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), *filter(None, [env.get("PYTHONPATH")])])
    return env


def digest(root: Path, folders=("reports", "figures")) -> dict[str, str]:
    out = {}
    for folder in folders:
        for p in sorted((root / folder).rglob("*")):
            if p.is_file() and not any(part.startswith(".") for part in p.relative_to(root).parts):
                out[str(p.relative_to(root))] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


# -- grids ---------------------------------------------------------------------------------------
GRID_MATRIX = """\
reports:
  - name: single
    notebook: tiny.ipynb
    description: one report
  - name: words
    notebook: tiny.ipynb
    title: "Words in {lang}, {label}"
    description: "The label {label}"
    parameters: {sleep: 0.0}
    grid:
      lang: [en, ru]
      label: [a, b]
  - name: byname
    notebook: tiny.ipynb
    title: {en: In English, kk: Қазақша}
    description: one per language
    grid: {lang: [en, kk]}
"""


def write_matrix(root: Path, text: str) -> Project:
    (root / "notebooks").mkdir(parents=True, exist_ok=True)
    shutil.copy(TINY, root / "notebooks" / "tiny.ipynb")
    (root / "reports.yaml").write_text(text, encoding="utf-8")
    return Project(root)


def test_grid_expands_to_one_report_per_combination_with_predictable_names(tmp_path):
    project = write_matrix(tmp_path, GRID_MATRIX)
    specs = load_matrix(project.matrix, project.notebooks)
    assert [s.name for s in specs] == ["single", "words-en-a", "words-en-b", "words-ru-a", "words-ru-b", "byname-en", "byname-kk"]
    by_name = {s.name: s for s in specs}
    assert by_name["words-ru-b"].parameters == {"sleep": 0.0, "lang": "ru", "label": "b"}
    assert by_name["words-ru-b"].title == "Words in ru, b" and by_name["words-ru-b"].description == "The label b"
    assert by_name["words-ru-b"].group == "words" and by_name["words-ru-b"].grid == {"lang": "ru", "label": "b"}
    assert by_name["byname-kk"].title == "Қазақша" and by_name["byname-en"].title == "In English"
    assert by_name["single"].group == "" and by_name["single"].grid == {}


@pytest.mark.parametrize(
    "old, new",
    [
        ("lang: [en, ru]\n", "lang: []\n"),
        ("label: [a, b]", "label: [a, 'x/y']"),
        ("label: [a, b]", "label: [a, a]"),
        ("label: [a, b]", "sleep: [1, 2]"),
        ("label: [a, b]", "colour: [red, blue]"),
        ("lang: [en, kk]", "lang: [en, ru]"),
        ("    description: one report\n", "    description: one report\n  - {name: words-en-a, notebook: tiny.ipynb, description: clash}\n"),
    ],
)
def test_bad_grids_get_one_line_at_the_grid(tmp_path, old, new):
    expected = {
        "lang: []\n": (r"reports.yaml:11: report 'words': grid parameter 'lang' needs a non-empty list of values"),
        "label: [a, 'x/y']": (r"reports.yaml:12: report 'words': grid value 'x/y' of 'label' must be a plain word or number"),
        "label: [a, a]": (r"reports.yaml:12: report 'words': grid parameter 'label' lists a value twice"),
        "sleep: [1, 2]": (r"reports.yaml:12: report 'words': parameter 'sleep' is set in both 'parameters' and 'grid'"),
        "colour: [red, blue]": (r"reports.yaml:12: report 'words-en-red': unknown parameter 'colour' for notebook 'tiny.ipynb'"),
        "lang: [en, ru]": (r"reports.yaml:15: report 'byname': title has no text for the combination 'ru'"),
    }
    text = GRID_MATRIX.replace(old, new, 1)
    assert text != GRID_MATRIX
    project = write_matrix(tmp_path, text)
    with pytest.raises(InputError) as err:
        load_matrix(project.matrix, project.notebooks)
    lines = [str(p) for p in err.value.problems]
    if new in expected:
        assert any(expected[new] in line for line in lines), lines
    else:  # a grid's report named like another report
        assert any("report 'words-en-a': duplicate report name (first at line" in line for line in lines), lines
    # through the command: exit 2, one line per problem, no traceback, nothing written
    proc = subprocess.run([str(WORKBENCH), "reports", "--no-progress"], cwd=tmp_path, capture_output=True, text=True, env=cli_env())
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    assert all(":" in line for line in proc.stderr.splitlines())
    assert not (tmp_path / "reports").exists()


def test_index_lists_a_grids_reports_together(tmp_path):
    project = write_matrix(tmp_path, GRID_MATRIX)
    specs = load_matrix(project.matrix, project.notebooks)
    page = write_index(project, specs).read_text(encoding="utf-8")
    group = page[page.index('id="report-words"'):page.index('id="report-byname"')]
    for name in ("words-en-a", "words-en-b", "words-ru-a", "words-ru-b"):
        assert f'href="{name}.html"' in group
    # a version in another language is named in that language; other parameters stay as written
    assert '<a href="words-ru-b.html" hreflang="ru" lang="ru">Русский, label: b</a>' in group
    byname = page[page.index('id="report-byname"'):]
    assert ">English</a>" in byname and ">Қазақша</a>" in byname and "lang = kk" not in byname
    assert page.count('class="wb-index-group"') == 2
    assert 'id="report-single"' in page and 'href="single.html"' in page


def test_the_index_exists_in_every_language_and_links_across(tmp_path):
    project = write_matrix(tmp_path, GRID_MATRIX)
    specs = load_matrix(project.matrix, project.notebooks)
    write_index(project, specs)
    pages = {lang: (project.reports / name).read_text(encoding="utf-8")
             for lang, name in (("en", "index.html"), ("ru", "index-ru.html"), ("kk", "index-kk.html"))}
    for lang, page in pages.items():
        assert f'<html lang="{lang}">' in page
        others = {"en": "index.html", "ru": "index-ru.html", "kk": "index-kk.html"}
        for other, name in others.items():
            if other != lang:
                assert f'<a href="{name}" hreflang="{other}" lang="{other}">' in page
    assert "Отчёты" in pages["ru"] or "отчёт" in pages["ru"].lower()


def test_the_index_style_sheet_is_not_escaped(tmp_path):
    project = write_matrix(tmp_path, GRID_MATRIX)
    page = write_index(project, load_matrix(project.matrix, project.notebooks)).read_text(encoding="utf-8")
    style = page[page.index("<style"):page.index("</style>")]
    assert "font-family" in style
    assert re.search(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);", style) is None, "an HTML entity inside <style>"


def test_the_real_matrix_uses_a_grid():
    specs = load_matrix(REPO / "reports.yaml", REPO / "notebooks")
    grouped = [s for s in specs if s.group]
    assert grouped, "reports.yaml has no grid entry"
    for s in grouped:
        assert s.name == matrix.grid_name(s.group, s.grid.values())


# -- package versions ----------------------------------------------------------------------------
def test_package_versions_name_the_analysis_stack_and_enter_the_cache_key(tmp_path, monkeypatch):
    versions = fingerprint.package_versions()
    assert set(versions) >= {"python", "pandas", "numpy", "matplotlib", "seaborn", "networkx", "scikit-learn", "nbconvert", "papermill"}
    from importlib.metadata import version

    assert versions["pandas"] == version("pandas") and versions["python"] == ".".join(map(str, sys.version_info[:3]))
    project = make_project(tmp_path, [entry("one")])
    before = fingerprint.inputs_fingerprint(project)
    monkeypatch.setattr(fingerprint, "package_versions", lambda: {**versions, "pandas": "0.0.1"})
    assert fingerprint.inputs_fingerprint(project) != before


# -- the lock ------------------------------------------------------------------------------------
def test_a_held_lock_names_its_holder_and_no_wait_stops_at_once(tmp_path):
    first = RunLock(tmp_path / "run.lock")
    first.acquire()
    try:
        started = time.monotonic()
        with pytest.raises(InputError) as err:
            RunLock(tmp_path / "run.lock").acquire(wait=False)
        assert time.monotonic() - started < 1
        message = str(err.value)
        assert "run.lock" in message and f"pid {os.getpid()}" in message and "started" in message
    finally:
        first.release()
    again = RunLock(tmp_path / "run.lock")
    again.acquire(wait=False)  # free once released
    again.release()


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    (tmp_path / "run.lock").write_text(json.dumps({"pid": pid, "command": "workbench reports", "started": "yesterday"}))
    lock = RunLock(tmp_path / "run.lock")
    lock.acquire(wait=False)
    try:
        assert lock.previous and lock.previous["pid"] == pid
        assert json.loads((tmp_path / "run.lock").read_text())["pid"] == os.getpid()
    finally:
        lock.release()


@pytest.mark.integration
def test_two_concurrent_runs_the_second_waits_and_both_succeed(tmp_path):
    project = make_project(tmp_path, [entry("slow", sleep=4.0), entry("quick")])
    first = subprocess.Popen([str(WORKBENCH), "reports", "--no-progress", "--jobs", "1"], cwd=tmp_path, env=cli_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 60
        while time.time() < deadline and not (project.cache / "run" / "slow").exists():
            time.sleep(0.1)
        assert (project.cache / "run" / "slow").exists(), "the first run never started its report"
        told = subprocess.run([str(WORKBENCH), "reports", "--no-progress", "--no-wait"], cwd=tmp_path, env=cli_env(),
                              capture_output=True, text=True, timeout=60)
        assert told.returncode == 2
        assert f"pid {first.pid}" in told.stderr and "workbench reports --no-progress --jobs 1" in told.stderr, told.stderr
        assert told.stderr.count("\n") == 1 and "Traceback" not in told.stderr
        second = subprocess.run([str(WORKBENCH), "reports", "--no-progress"], cwd=tmp_path, env=cli_env(),
                                capture_output=True, text=True, timeout=120)
        out, err = first.communicate(timeout=120)
    finally:
        if first.poll() is None:
            first.kill()
    assert first.returncode == 0, out + err
    assert second.returncode == 0, second.stdout + second.stderr
    assert f"pid {first.pid}" in second.stderr and "waiting" in second.stderr
    # the second run started after the first ended, so it found everything done
    assert [line.split()[0] for line in second.stdout.splitlines()[:2]] == ["skipped", "skipped"], second.stdout
    assert (project.reports / "slow.html").exists() and (project.reports / "quick.html").exists()


# -- Ctrl-C --------------------------------------------------------------------------------------
def children(pid: int) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(d))
    return out


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.integration
def test_ctrl_c_stops_within_two_seconds_keeps_outputs_and_the_next_run_redoes_the_rest(tmp_path):
    project = make_project(tmp_path, [entry("first", label="v1"), entry("middle", label="v1"), entry("last", label="v1")])
    assert {r.status for r in run_reports(project, jobs=1, progress=False)} == {"ok"}
    before = digest(tmp_path)
    project.matrix.write_text(yaml.safe_dump({"reports": [entry("first", label="v2"), entry("middle", label="v2", sleep=4.0),
                                                          entry("last", label="v2")]}, sort_keys=False), encoding="utf-8")
    # A terminal's Ctrl-C reaches a process that does not ignore SIGINT; a test runner's worker may
    # (pytest-xdist), and an ignored signal stays ignored across exec: start the runner as a shell would.
    proc = subprocess.Popen([str(WORKBENCH), "reports", "--no-progress", "--jobs", "1"], cwd=tmp_path, env=cli_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        deadline = time.time() + 90
        while time.time() < deadline and not (project.cache / "run" / "middle").exists():
            time.sleep(0.05)
        assert (project.cache / "run" / "middle").exists(), "the slow report never started"
        time.sleep(1.0)  # its kernel is running the cells
        kernels = children(proc.pid)
        assert kernels, "no kernel process under the runner"
        sent = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        out, err = proc.communicate(timeout=30)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert took < 2.0, f"took {took:.2f} s to stop"
    assert proc.returncode == 130, out + err
    assert "Traceback" not in out + err
    assert [k for k in kernels if alive(k)] == [], "a kernel outlived the run"
    assert "done          first" in err and "interrupted   middle" in err and "never started last" in err, err
    after = digest(tmp_path)
    # the finished report is new, the interrupted and never-started ones are exactly as before
    assert after["reports/first.html"] != before["reports/first.html"]
    for name in ("middle", "last"):
        for path in (f"reports/{name}.html", f"reports/notebooks/{name}.ipynb", f"figures/{name}/note.txt"):
            assert after[path] == before[path], path
    again = run_reports(project, jobs=1, progress=False)
    assert {r.name: r.status for r in again} == {"first": "skipped", "middle": "ok", "last": "ok"}


# -- warm kernels and stable notebooks -----------------------------------------------------------
# That reused kernels give the bytes of fresh ones, every page, executed notebook and figure, is checked on
# the whole matrix by test_html_reports.test_regenerating_with_fresh_kernels_gives_identical_bytes.


@pytest.mark.integration
def test_kernels_are_reused_replaced_after_a_failure_and_after_n_reports(tmp_path, monkeypatch):
    starts = []
    original = kernels.KernelPool.start

    def counting(self, worker):
        starts.append(worker)
        return original(self, worker)

    monkeypatch.setattr(kernels.KernelPool, "start", counting)
    project = make_project(tmp_path, [entry("one"), entry("broken", fail=True), entry("two", label="clean"), entry("three")])
    results = run_reports(project, jobs=1, progress=False)
    assert {r.name: r.status for r in results} == {"one": "ok", "broken": "failed", "two": "ok", "three": "ok"}
    assert len(starts) == 2  # one kernel for 'one' and 'broken', a new one after the failure for the rest
    assert "clean" in (project.reports / "two.html").read_text(encoding="utf-8")
    assert kernels.RESET_TAG not in (project.failed / "broken.ipynb").read_text(encoding="utf-8")

    starts.clear()
    assert {r.status for r in run_reports(project, only=["one", "two", "three"], jobs=1, progress=False, force=True, kernel_reuse=2)} == {"ok"}
    assert len(starts) == 2  # replaced after 2 reports
    starts.clear()
    assert {r.status for r in run_reports(project, only=["one", "two", "three"], jobs=1, progress=False, force=True, fresh_kernels=True)} == {"ok"}
    assert len(starts) == 3


CONTEXT = REPO / "tests" / "fixtures" / "notebooks" / "context.ipynb"


@pytest.mark.integration
def test_a_reused_kernel_forgets_the_previous_reports_presentation_context(tmp_path):
    # 'russian' starts a context in Russian; 'plain' starts none: on the same kernel right after,
    # it must show what a fresh kernel shows (the default language), not the previous report's.
    reports = [{"name": "russian", "notebook": "context.ipynb", "description": "starts a context", "parameters": {"start": True, "lang": "ru"}},
               {"name": "plain", "notebook": "context.ipynb", "description": "starts none", "parameters": {"start": False}}]
    project = make_project(tmp_path, reports, notebooks=(CONTEXT,))
    (project.cache).mkdir(parents=True, exist_ok=True)
    (project.cache / "durations.json").write_text('{"russian": 9.0, "plain": 1.0}', encoding="utf-8")  # russian first
    assert [r.status for r in run_reports(project, jobs=1, progress=False)] == ["ok", "ok"]
    warm = (project.reports / "plain.html").read_text(encoding="utf-8")
    assert [r.status for r in run_reports(project, only=["plain"], jobs=1, progress=False, force=True, fresh_kernels=True)] == ["ok"]
    assert (project.reports / "plain.html").read_text(encoding="utf-8") == warm
    assert "Ranked recommendations" in warm and "Рекомендации по рангу" not in warm


def test_a_grid_with_a_version_in_the_index_language_is_headed_in_it():
    """A second reading: the Russian index headed the recommendations' grid with its English title,
    marked '(in English)', right above its Russian version."""
    from workbench.present.export import _index_entries

    project = Project(REPO)
    specs = load_matrix(REPO / "reports.yaml", REPO / "notebooks")
    for lang in ("ru", "kk"):
        grid = next(e for e in _index_entries(project, specs, lang) if e["name"] == "recommendations-inclusive-governance")
        own = next(m for m in grid["members"] if m["text_lang"] == lang)
        assert grid["title"] == own["title"] and grid["text_lang"] == lang and re.search("[а-яА-Я]", grid["title"])
        assert grid["report_lang"] == lang


def test_the_index_says_in_which_language_a_report_is_written_not_its_title():
    """An outside review: a Russian report whose title in reports.yaml is English was listed as
    '(in English)' on the Russian index."""
    from workbench.present.export import _index_item
    from workbench.run.matrix import ReportSpec

    project = Project(REPO)
    russian = ReportSpec(name="x", notebook="network.ipynb", description="", parameters={"lang": "ru"}, title="Senior-level network")
    english = ReportSpec(name="y", notebook="network.ipynb", description="", parameters={"lang": "en"}, title="Senior-level network")
    assert [_index_item(project, s, "ru")["report_lang"] for s in (russian, english)] == ["ru", "en"]
    assert _index_item(project, russian, "ru")["text_lang"] == "en"  # the title itself is still marked as English
