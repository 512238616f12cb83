"""In-process measurements for ``benchmarks/run.py``, one fresh interpreter per task (clean peak memory).

Usage: ``python benchmarks/inproc.py TASK [ARGS...]``; prints one JSON object on the last line of stdout.
Tasks: ``floor``, ``export``, ``phases``, ``suggest``, ``analytics``, ``quality``. Not meant to be run by hand,
but it can be, from a folder whose ``data/`` (or ``$WORKBENCH_DATA``) holds the data.
"""
from __future__ import annotations

import json
import random
import re
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

__all__ = ["main", "timed", "synthetic_items", "TASKS"]


def peak_rss_mb() -> float:
    """High-water mark of this process's resident memory (Linux reports KiB, macOS bytes)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def current_rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * resource.getpagesize() / 2**20
    except OSError:  # no /proc (macOS): the peak is the best available bound
        return peak_rss_mb()


def timed(func: Callable[[], Any], repeats: int) -> tuple[list[float], Any]:
    """Wall times of ``repeats`` calls of ``func`` and the last call's result."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return times, result


def traced_peak_mb(func: Callable[[], Any]) -> float:
    """Peak of memory allocated by ``func`` (Python objects and NumPy buffers), in MiB.

    A separate call from the timed ones: tracing slows allocation-heavy code down.
    """
    tracemalloc.start()
    try:
        func()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


# -- floor: kernel start, one empty cell, kernel stop ---------------------------------------------
def task_floor(notebook: str, outdir: str, repeats: str) -> dict:
    start = time.perf_counter()
    import papermill

    import_s = time.perf_counter() - start
    out = Path(outdir)
    runs = []
    for i in range(int(repeats)):
        t0 = time.perf_counter()
        papermill.execute_notebook(notebook, str(out / f"empty-{i}.ipynb"), kernel_name="python3",
                                   progress_bar=False, log_output=False)
        runs.append(time.perf_counter() - t0)
    return {"import_papermill_s": import_s, "runs": runs}


# -- export: the runner's HTML export of already executed notebooks ---------------------------------
def task_export(project_root: str) -> dict:
    from workbench.run import Project, load_matrix

    project = Project(Path(project_root))
    specs = {s.name: s for s in load_matrix(project.matrix, project.notebooks)}
    t0 = time.perf_counter()
    from workbench.present.export import _exporter, export_html

    _exporter()  # what the first export of a run pays once: nbconvert import and template compile
    setup = time.perf_counter() - t0
    per_report = {}
    for path in sorted((project.reports / "notebooks").glob("*.ipynb")):
        if path.stem in specs:
            t = time.perf_counter()
            export_html(path, specs[path.stem], {"data_version": "x", "taxonomy_version": "x"})
            per_report[path.stem] = time.perf_counter() - t
    return {"setup_s": setup, "per_report_s": per_report}


# -- phases: where one report's time goes, every report in one warm interpreter ----------------------
#: A statement of a notebook counts in the first phase whose marker it contains (imports by AST node).
PHASE_MARKERS = (("data", ("load(", "at_granularity(", "present.use(")),
                 ("figures", ("figures.", "present.figure(")),
                 ("tables and text", ("present.",)))
PHASES = ("imports", "data", "analysis", "figures", "tables and text", "export")


def statement_phase(node: Any, source: str) -> str:
    r"""The phase of one top-level notebook statement: its imports, or the first marker it contains.

    >>> import ast
    >>> [statement_phase(n, ast.unparse(n)) for n in ast.parse("import pandas\nds = load()\nx = f(ds)\npresent.table(x)").body]
    ['imports', 'data', 'analysis', 'tables and text']
    """
    import ast

    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return "imports"
    for phase, markers in PHASE_MARKERS:
        if any(m in source for m in markers):
            return phase
    return "analysis"


def run_notebook_phases(path: Path, parameters: dict, figures_dir: Path) -> dict[str, float]:
    """Execute a notebook's code cells in this interpreter, statement by statement, timing each phase.

    The parameters cell runs first, then ``parameters`` override it, as papermill injects them.
    A fresh namespace per report, modules kept: what the runner's reset between reports does.
    """
    import ast

    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    namespace: dict[str, Any] = {}
    out = dict.fromkeys(PHASES[:-1], 0.0)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if "parameters" in cell.metadata.get("tags", []):
            exec(compile(cell.source, str(path), "exec"), namespace)  # noqa: S102 - our own notebook
            namespace.update(parameters, figures_dir=str(figures_dir))
            continue
        for node in ast.parse(cell.source).body:
            code = compile(ast.Module(body=[node], type_ignores=[]), str(path), "exec")
            start = time.perf_counter()
            exec(code, namespace)  # noqa: S102
            out[statement_phase(node, ast.unparse(node))] += time.perf_counter() - start
    return out


def task_phases(project_root: str, names: str) -> dict:
    """Per report: imports, data loading, analysis, figures, tables and text (statements of its
    notebook run in one warm interpreter, matrix order), then the HTML export of the runner's
    executed notebook (the exporter built once, before the first report)."""
    import os
    import tempfile

    import matplotlib

    matplotlib.use("Agg")
    from workbench.present.export import _exporter, export_html
    from workbench.run import Project, load_matrix

    project = Project(Path(project_root))
    specs = {s.name: s for s in load_matrix(project.matrix, project.notebooks)}
    t0 = time.perf_counter()
    _exporter()
    exporter_s = time.perf_counter() - t0
    os.chdir(project.notebooks)  # where the runner's kernels run
    per_report = {}
    for name in names.split(","):
        spec = specs[name]
        with tempfile.TemporaryDirectory() as figures:
            phases = run_notebook_phases(project.notebooks / spec.notebook, dict(spec.parameters), Path(figures))
        import matplotlib.pyplot as plt

        plt.close("all")
        t = time.perf_counter()
        export_html(project.reports / "notebooks" / f"{name}.ipynb", spec, {"data_version": "x", "taxonomy_version": "x"})
        phases["export"] = time.perf_counter() - t
        per_report[name] = phases
    return {"exporter_setup_s": exporter_s, "per_report_s": per_report}


# -- suggest: throughput and memory on synthetic item texts ------------------------------------------
def synthetic_items(items, n: int, seed: int = 0) -> list[tuple[str, str, str]]:
    """``n`` made-up ``(code, label, description)`` items: words of real labels and descriptions recombined.

    Each synthetic item copies the word counts of a randomly drawn real item, so text lengths
    follow the real distribution; words are drawn with their real frequencies.
    """
    rng = random.Random(seed)
    words = lambda text: re.findall(r"\w+", text or "")  # noqa: E731
    labels = [words(t) for t in items["label"]]
    descriptions = [words(t) for t in items["description"].fillna("")]
    label_vocab = [w for ws in labels for w in ws]
    desc_vocab = [w for ws in descriptions for w in ws] or label_vocab
    shapes = list(zip(map(len, labels), map(len, descriptions)))
    out = []
    for i in range(n):
        n_label, n_desc = rng.choice(shapes)
        label = " ".join(rng.choices(label_vocab, k=max(n_label, 1))).capitalize()
        description = " ".join(rng.choices(desc_vocab, k=n_desc))
        out.append((f"syn-{i}", label, description + "." if description else ""))
    return out


def task_suggest(n: str, repeats: str) -> dict:
    from workbench import load
    from workbench.analysis.suggest import fit_from_dataset, item_text, suggest_frame

    n, repeats = int(n), int(repeats)
    ds = load()
    fit_times, model = timed(lambda: fit_from_dataset(ds), max(2, min(repeats, 3)))
    items = synthetic_items(ds.items, n)
    rss_before = current_rss_mb()
    # suggest_frame is what `workbench suggest` does: normalise texts, score, rank, build the frame
    frame_times, frame = timed(lambda: suggest_frame(model, "fw_synthetic", items, top=3), repeats)
    peak = peak_rss_mb()  # the first call set the high-water mark
    texts = [item_text(label, desc) for _, label, desc in items]
    suggest_times, ranked = timed(lambda: model.suggest(texts, top=3), 1)
    assert len(ranked) == n and len(frame) == 3 * n  # the work was really done
    return {
        "n": n,
        "fit_s": fit_times,
        "suggest_frame_s": frame_times,
        "suggest_s": suggest_times,
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak,
        # exact but ~3.5x slower, so only where it is cheap
        "traced_peak_mb": traced_peak_mb(lambda: suggest_frame(model, "fw_synthetic", items, top=3)) if n <= 10_000 else None,
        "mean_text_chars": statistics.fmean(map(len, texts)),
        "abstained": float(frame.loc[frame["rank"] == 1, "needs_review"].mean()),
    }


# -- analytics: load, network and recommend on a (synthetic) data folder -----------------------------
def task_analytics(data_dir: str, peers: str, repeats: str) -> dict:
    t0 = time.perf_counter()
    import workbench.analysis.compare as compare
    import workbench.analysis.network as network
    import workbench.analysis.recommend as recommend
    from workbench.model.dataset import load

    import_s = time.perf_counter() - t0
    repeats = int(repeats)
    peer_list = peers.split(",")

    def do_network(ds):
        names = compare.select_countries(ds, None, None, False)
        ev = compare.evidence(ds, names, None, None)
        carriers = network.bipartite_graph(ev, nodes=names, concepts=ds.concepts)
        overlap = network.overlap_graph(carriers, min_weight=0.0)
        graph = network.export_graph(carriers, overlap)
        matrix = compare.framework_matrix(ev, names, list(ds.concepts["concept_id"]))
        return graph, matrix, overlap.number_of_edges()

    def do_recommend(ds):
        gaps = recommend.analyse(ds, peer_list, "listening_state")
        return recommend.recommendations(gaps, top=10, draws=500, seed=0)

    load_s, ds = timed(lambda: load(data_dir), repeats)
    network_s, (_, matrix, n_edges) = timed(lambda: do_network(ds), repeats)
    recommend_s, recs = timed(lambda: do_recommend(ds), repeats)
    graph = do_network(ds)[0]
    # what `workbench network` adds: writing the graph in three formats
    export_s, _ = timed(lambda: [network.graph_bytes(graph, fmt) for fmt in ("graphml", "gexf", "json")], repeats)
    return {
        "import_s": import_s,
        "load_s": load_s,
        "network_s": network_s,
        "recommend_s": recommend_s,
        "graph_export_s": export_s,
        "graph_nodes": graph.number_of_nodes(),
        "graph_edges": graph.number_of_edges(),
        "items": len(ds.items),
        "countries": int(ds.items["country"].nunique()),
        "overlap_edges": n_edges,
        "recommendations": len(recs),
        "traced_peak_mb": {
            "load": traced_peak_mb(lambda: load(data_dir)),
            "network": traced_peak_mb(lambda: do_network(ds)),
            "recommend": traced_peak_mb(lambda: do_recommend(ds)),
        },
        "peak_rss_mb": peak_rss_mb(),
    }


# -- explorer: one widget change recomputes and redraws (issue 24) -----------------------------------
#: The changes a researcher makes, in order: weights most often, then peers, language, granularity, length.
EXPLORER_CHANGES = [("measured_need", 2.0), ("peer_share", 0.5), ("measured_need", 3.0), ("oecd_alignment", 1.5),
                    ("kaz_absence", 0.5), ("peers", ("GBR", "USA", "CAN", "JPN", "FRA", "LTU", "AUS")), ("measured_need", 1.0),
                    ("peer_share", 2.0), ("lang", "ru"), ("oecd_alignment", 0.0), ("granularity", "broad"),
                    ("kaz_absence", 2.0), ("top", 15), ("peers", ("GBR", "CAN", "NZL")), ("measured_need", 0.5),
                    ("peer_share", 1.0), ("lang", "en"), ("granularity", "fine"), ("top", 10), ("oecd_alignment", 1.0)]


def task_explorer() -> dict:
    """The explorer's widgets driven as JupyterLab drives them (each change a trait update), timed inside the
    kernel-side update: recompute, then redraw every output."""
    from workbench.run import Project
    from workbench.run.explore import ExplorerModel, explorer

    start = time.perf_counter()
    model = ExplorerModel()
    view = explorer(model, Project.find())
    first = time.perf_counter() - start
    model.timings.clear()
    for name, value in EXPLORER_CHANGES:
        view.controls_[name].value = value
    return {"first_s": first, "updates_s": list(model.timings), "changes": [name for name, _ in EXPLORER_CHANGES]}


# -- quality: leave-one-framework-out accuracy of the suggester --------------------------------------
def task_quality() -> dict:
    from workbench import load
    from workbench.analysis.learned import evaluate_lofo
    from workbench.analysis.suggest import evaluate_leave_one_framework_out

    from workbench.model.taxonomy import at_granularity

    ds = load(all_versions=True)  # every curated item, replaced versions too
    start = time.perf_counter()
    result = evaluate_leave_one_framework_out(ds)
    seconds = time.perf_counter() - start
    # Taxonomy 1.1: the same measure with narrower concepts rolled up to their broader one.
    broad = evaluate_leave_one_framework_out(at_granularity(ds, "broad"))
    start = time.perf_counter()
    learned = evaluate_lofo(ds)  # issue 25: the suggester learned from the curation, beside the naive baseline
    learned_s = time.perf_counter() - start
    return {**result, "seconds": seconds, "broad": broad,
            "learned": {**{k: float(v) for k, v in learned.summary.items()}, "seconds": learned_s,
                        "confusion": learned.confusion.head(5).to_dict("records")}}


TASKS: dict[str, Callable[..., dict]] = {
    "floor": task_floor,
    "export": task_export,
    "phases": task_phases,
    "suggest": task_suggest,
    "analytics": task_analytics,
    "quality": task_quality,
    "explorer": task_explorer,
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in TASKS:
        print(f"usage: inproc.py {{{','.join(TASKS)}}} [ARGS...]", file=sys.stderr)
        return 2
    print(json.dumps(TASKS[argv[0]](*argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
