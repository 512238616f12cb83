"""Every notebook: clean in git, parameters typed and commented, runnable top to bottom with its defaults."""
from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from workbench.run import notebook_parameters

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
#: The interactive explorer is no report: no parameters cell, no references; its tests are tests/test_explore.py.
REPORT_NOTEBOOKS = [p for p in NOTEBOOKS if p.stem != "explore"]


def test_there_are_the_notebooks_the_issue_asks_for():
    names = {p.stem for p in NOTEBOOKS}
    assert {"taxonomy", "compare", "network", "recommendations", "training", "documents"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_reads_as_a_narrative_that_stays_out_of_the_reports(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = nb["cells"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in cells if c["cell_type"] == "code")
    assert cells[0]["cell_type"] == "markdown" and "".join(cells[0]["source"]).startswith("# ")
    last = "".join(cells[-1]["source"])
    assert cells[-1]["cell_type"] == "markdown" and "What to read next" in last, "the notebook ends with what to read next"
    if path.stem != "explore":
        markdown = [c for c in cells if c["cell_type"] == "markdown"]
        code = [c for c in cells if c["cell_type"] == "code"]
        assert len(markdown) >= len(code) // 2, "each step is explained in a markdown cell"
        # the narrative is English and for JupyterLab: the reports' own text comes from the catalogues
        assert all("remove-cell" in c.get("metadata", {}).get("tags", []) for c in markdown)


@pytest.mark.parametrize("path", REPORT_NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_clean_with_typed_commented_parameters(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in code), "commit notebooks without outputs"
    tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    params = notebook_parameters(path)
    assert params, "the parameters cell declares parameters"
    for p in params.values():
        assert p.type, f"{p.name} has no type annotation"
        assert p.help, f"{p.name} has no comment"
    assert "figures_dir" in params
    if path.stem != "documents":
        assert "lang" in params
    # a researcher opening it in JupyterLab first reads what it does
    first = nb["cells"][0]
    text = "".join(first["source"])
    assert first["cell_type"] == "markdown" and text.startswith("# "), "the notebook opens with a titled introduction"
    assert len(re.findall(r"[.:]\s", text)) >= 2, "the introduction says what the notebook does and how to run it"


#: The notebooks by what they cost to run, most first, so that two kernels finish together (a notebook
#: not listed goes first: its cost is not known).
BY_COST = ["taxonomy", "documents", "recommendations", "compare", "training", "network", "versions", "explore"]


@pytest.fixture(scope="module")
def executed_with_defaults(tmp_path_factory):
    """Each notebook run by papermill exactly as committed, on two kernels kept from one notebook to the
    next and reset in between, as the report runner runs reports (a fresh kernel for each of the eight
    notebooks imported pandas, matplotlib and scikit-learn eight times: about 40% of this fixture's
    processor time). tests/test_html_reports.py runs one report of every notebook in a fresh kernel
    and compares its every byte with a kept kernel's."""
    import threading

    import nbformat
    import papermill
    from workbench.run.engine import ENGINE
    from workbench.run.kernels import KernelPool, with_reset_cell

    out_dir = tmp_path_factory.mktemp("executed")
    pool = KernelPool(REPO / "notebooks", threading.Lock(), threading.Event())
    waiting = sorted(NOTEBOOKS, key=lambda p: BY_COST.index(p.stem) if p.stem in BY_COST else -1)
    taken = threading.Lock()
    results = {}

    def run(km, path: Path, reset: bool):
        target = out_dir / path.name
        nb = nbformat.read(str(path), as_version=4)
        if reset:
            with_reset_cell(nb)
        try:
            papermill.execute_notebook(nb, str(target), cwd=str(path.parent), kernel_name="python3", progress_bar=False,
                                       engine_name=ENGINE, km=km)
            return None, target
        except Exception as exc:  # report every failing notebook, not just the first
            return f"{type(exc).__name__}: {exc}"[:500], target

    def work(worker: int) -> None:
        km, used = pool.start(worker), False
        try:
            while True:
                with taken:
                    if not waiting:
                        return
                    path = waiting.pop(0)
                error, target = run(km, path, reset=used)
                results[path.stem] = (error, target)
                used = True
                if error is not None:  # as the runner does: a kernel that failed a notebook is replaced
                    pool.shut_down(worker, km, now=True)
                    km, used = pool.start(worker), False
        finally:
            pool.shut_down(worker, km, now=True)

    with ThreadPoolExecutor(max_workers=2) as workers:
        list(workers.map(work, range(2)))
    return results


@pytest.mark.integration
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom_with_its_defaults(executed_with_defaults, path):
    error, target = executed_with_defaults[path.stem]
    assert error is None, error
    nb = json.loads(target.read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
    assert "<table" in html, "a notebook shows at least one table"
    if path.stem != "explore":
        assert "References" in html, "a notebook ends with its references"
    plain = "".join("".join(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert " object at 0x" not in plain, "the library's HTML objects have a readable text form"


@pytest.mark.integration
def test_the_explorers_html_export_shows_the_last_state_not_a_widget(executed_with_defaults):
    from workbench.present.export import export_html
    from workbench.run.matrix import ReportSpec

    error, executed = executed_with_defaults["explore"]
    assert error is None, error
    page = export_html(executed, ReportSpec(name="explore", notebook="explore.ipynb", description="d"), {}).decode("utf-8")
    assert 'class="wb-explore-ranked"' in page and "data:image/png;base64," in page
    assert "widget-view" not in page and "Loading widget" not in page and not re.search(r"<script[^>]+src=", page)


@pytest.mark.integration
def test_a_peer_without_data_is_refused_through_the_notebook_parameters_too(tmp_path):
    """Issue 27: `peers: [GBR, DEU]` in the recommendations notebook stops with the same message as
    `workbench recommend --peers GBR,DEU`, naming the countries that have data."""
    import papermill

    path = REPO / "notebooks" / "recommendations.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as failed:
        papermill.execute_notebook(str(path), str(tmp_path / "out.ipynb"), parameters={"peers": ["GBR", "DEU"]},
                                   cwd=str(path.parent), kernel_name="python3", progress_bar=False)
    assert "DEU has no framework in the data (countries with data:" in str(failed.value)
