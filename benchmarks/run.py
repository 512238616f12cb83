"""Benchmarks of the workbench: report regeneration against a researcher's papermill loop, caching, scale.

Usage::

    python benchmarks/run.py [--quick] [--jobs N] [--only NAME ...] [--repeats N] [--sections SECTION ...]
                             [--stub-rfc3987-syntax] [--json FILE] [--keep]

Prints one line per figure (the median of several runs) and ends with the ratios the project
targets. Everything runs in a temporary copy of the checkout (notebooks/, data/, reports.yaml and
a snapshot of src/workbench), so the checkout's reports/ and figures/ are never touched and
edits made to the tree during a run do not change what is measured. See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import yaml

__all__ = ["main", "Measured", "run_measured", "researcher_commands", "synthetic_weights", "write_synthetic", "loglog_slope"]

REPO = Path(__file__).resolve().parents[1]
INPROC = Path(__file__).resolve().with_name("inproc.py")
BIN = Path(sys.executable).parent
#: The runner's own cap on parallel kernels (workbench.run.runner.MAX_JOBS).
MAX_JOBS = 4
SECTIONS = ("imports", "floor", "matrix", "rebuild", "breakdown", "warm", "suggest", "analytics", "quality", "explorer")
PACKAGES = ["papermill", "nbconvert", "nbclient", "nbformat", "ipykernel", "jupyter_client", "pyzmq", "pandas", "numpy",
            "matplotlib", "seaborn", "scikit-learn", "networkx", "pydantic", "jsonschema", "rfc3987-syntax", "rfc3987"]
#: Import costs worth knowing: the researcher's loop pays the first four in every command.
IMPORTS = {
    "import nbformat": "import nbformat",
    "import papermill": "import papermill",
    "import nbconvert": "import nbconvert",
    "import nbconvert.HTMLExporter": "from nbconvert import HTMLExporter",
    "import pandas": "import pandas",
    "import matplotlib.pyplot": "import matplotlib.pyplot",
    "import sklearn TfidfVectorizer": "from sklearn.feature_extraction.text import TfidfVectorizer",
    "import ipykernel.kernelapp": "import ipykernel.kernelapp",
    "notebooks' workbench imports": "import workbench; from workbench import present; from workbench.analysis import compare, recommend, network, coding, suggest, training; from workbench.present import figures",
}


# -- measuring -----------------------------------------------------------------------------------
@dataclass
class Measured:
    """One command's wall time, peak resident memory (largest process of its tree) and output."""

    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def run_measured(cmd: Sequence[str], cwd: Path, env: dict[str, str], check: bool = True) -> Measured:
    """Run ``cmd`` and measure it with ``wait4``: the rusage of exactly this child and what it waited for."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(list(map(str, cmd)), cwd=cwd, env=env, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, so Popen must not wait again
        out.seek(0), err.seek(0)
        result = Measured(seconds, usage.ru_maxrss / (2**20 if sys.platform == "darwin" else 1024), proc.returncode,
                          out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))
    if check and result.returncode != 0:
        raise SystemExit(f"benchmark step failed ({result.returncode}): {' '.join(map(str, cmd))}\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result


def inproc(task: str, *args: Any, cwd: Path, env: dict[str, str]) -> tuple[dict, Measured]:
    """Run one task of ``inproc.py`` in a fresh interpreter; its JSON result and the process's measurements."""
    m = run_measured([sys.executable, INPROC, task, *map(str, args)], cwd, env)
    return json.loads(m.stdout.strip().splitlines()[-1]), m


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def loglog_slope(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Exponent ``b`` of the fit ``seconds ~ a * size**b`` (1 is linear growth).

    >>> round(loglog_slope([10, 100, 1000], [1, 10, 100]), 3)
    1.0
    """
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def runs_text(values: Iterable[float], fmt: str = "{:.1f}") -> str:
    return ", ".join(fmt.format(v) for v in values)


def line(label: str, value: str, detail: str = "") -> None:
    print(f"{label:<72} {value}" + (f"  ({detail})" if detail else ""), flush=True)


# -- the machine ---------------------------------------------------------------------------------
def machine() -> dict[str, Any]:
    info: dict[str, Any] = {"nproc": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()}
    try:
        cpu = Path("/proc/cpuinfo").read_text()
        info["cpu"] = next((l.split(":", 1)[1].strip() for l in cpu.splitlines() if l.startswith("model name")), "?")
        mem = Path("/proc/meminfo").read_text().split("\n", 1)[0]
        info["ram_gib"] = round(int(mem.split()[1]) / 2**20, 1)
    except OSError:
        info["cpu"], info["ram_gib"] = platform.processor() or "?", None
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "-"
    info["packages"] = versions
    return info


# -- the copy of the checkout --------------------------------------------------------------------
#: Loaded by every Python process of the run when --stub-rfc3987-syntax is given (see README).
STUB = """\
# benchmarks/run.py --stub-rfc3987-syntax: jsonschema then skips its 'iri' format checker, whose
# import compiles ~35 Lark parsers (1-2 s in every process importing nbformat). No notebook
# schema uses that format.
import sys
sys.modules.setdefault("rfc3987_syntax", None)
"""


def make_workdir(root: Path, stub_rfc3987_syntax: bool = False) -> tuple[Path, dict[str, str]]:
    """A copy of the project (notebooks, data, matrix, library snapshot) and the environment to run it in."""
    work = Path(tempfile.mkdtemp(prefix="wb-bench-"))
    for name in ("notebooks", "data"):
        shutil.copytree(root / name, work / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copy2(root / "reports.yaml", work / "reports.yaml")
    shutil.copytree(root / "src" / "workbench", work / "src" / "workbench", ignore=shutil.ignore_patterns("__pycache__"))
    env = dict(os.environ)
    # The snapshot comes first on the path, for this process tree and every kernel it starts.
    paths = [str(work / "src")]
    if stub_rfc3987_syntax:
        (work / "stub").mkdir()
        (work / "stub" / "sitecustomize.py").write_text(STUB, encoding="utf-8")
        paths.insert(0, str(work / "stub"))
    env["PYTHONPATH"] = os.pathsep.join([*paths, *filter(None, [env.get("PYTHONPATH")])])
    # Notebooks run with cwd=notebooks/, where ./data does not exist: point them at the copy.
    env["WORKBENCH_DATA"] = str(work / "data")
    # A researcher's checkout keeps __pycache__; without it every kernel recompiles the library.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["MPLBACKEND"] = env.get("MPLBACKEND", "Agg")
    return work, env


def tool(name: str) -> str:
    path = BIN / name
    return str(path) if path.exists() else (shutil.which(name) or name)


def read_matrix(path: Path) -> list[dict[str, Any]]:
    """The reports of a ``reports.yaml`` as the runner sees them (grids expanded): name, notebook, parameters."""
    if str(REPO / "src") not in sys.path:
        sys.path.insert(0, str(REPO / "src"))
    from workbench.run import load_matrix

    return [{"name": s.name, "notebook": s.notebook, "parameters": s.parameters}
            for s in load_matrix(path, path.parent / "notebooks")]


def researcher_commands(entry: dict[str, Any], outdir: Path) -> list[list[str]]:
    """The two commands a researcher would type for one report: papermill, then nbconvert.

    Scalars go with ``-p``; lists and dicts with ``-y`` and a YAML string.

    >>> cmds = researcher_commands({"name": "r", "notebook": "n.ipynb", "parameters": {"top": 3, "peers": ["GBR"]}}, Path("/o"))
    >>> cmds[0][1:]
    ['notebooks/n.ipynb', '/o/r.ipynb', '-p', 'top', '3', '-y', '{peers: [GBR]}', '-p', 'figures_dir', '/o/figures/r']
    >>> cmds[1][1:]
    ['nbconvert', '--to', 'html', '/o/r.ipynb']
    """
    executed = outdir / f"{entry['name']}.ipynb"
    cmd = [tool("papermill"), f"notebooks/{entry['notebook']}", str(executed)]
    for key, value in (entry.get("parameters") or {}).items():
        if isinstance(value, (list, dict)):
            cmd += ["-y", yaml.safe_dump({key: value}, default_flow_style=True, allow_unicode=True).strip()]
        else:
            cmd += ["-p", key, str(value)]
    cmd += ["-p", "figures_dir", str(outdir / "figures" / entry["name"])]
    return [cmd, [tool("jupyter"), "nbconvert", "--to", "html", str(executed)]]


def empty_notebook(path: Path) -> Path:
    """A one-cell notebook that does nothing: what is left is kernel start and stop."""
    nb = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "empty", "metadata": {}, "outputs": [], "source": ["pass"]}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def executed_breakdown(notebooks: Path, names: Iterable[str]) -> dict[str, dict[str, float]]:
    """Per report, from papermill's cell timings: the cells' total and the setup cell (imports and load)."""
    out = {}
    for name in names:
        nb = json.loads((notebooks / f"{name}.ipynb").read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        durations = [float(c["metadata"].get("papermill", {}).get("duration") or 0.0) for c in code]
        tags = [c["metadata"].get("tags", []) for c in code]
        # the first cell after the parameters is the notebooks' setup: imports and workbench.load()
        after = max((i for i, t in enumerate(tags) if "injected-parameters" in t or "parameters" in t), default=-1) + 1
        out[name] = {"cells": sum(durations), "setup": durations[after] if after < len(durations) else 0.0}
    return out


def synthetic_weights(real: dict[str, Any], frameworks: Sequence[str], sources: Sequence[str], peers: Sequence[str]) -> dict[str, Any]:
    """``data/weights.yaml`` re-pointed at a synthetic data folder.

    The weights, credit, practice kinds and perturbation are the real ones; every baseline is the
    synthetic Kazakh framework, and the OECD and paper frameworks are two non-peer countries'.
    The synthetic data has no indicators, so no measured need.

    >>> w = synthetic_weights({"weights": {"peer_share": 1.0}, "baselines": {"both": ["a", "b"]}}, ["fw_aaa", "fw_kaz", "fw_zzz", "fw_yyy"], ["src"], ["AAA"])
    >>> w["baselines"], w["oecd_framework"], w["paper_frameworks"], w["curriculum_frameworks"], w["need_indicators"]
    ({'both': ['fw_kaz']}, 'fw_zzz', ['fw_yyy'], ['fw_kaz'], [])
    """
    others = sorted((f for f in frameworks if f != "fw_kaz" and f[3:].upper() not in peers), reverse=True)
    # Every key of the real file is carried over or re-pointed: the data folder's weights file
    # must hold them all, and a key added to data/weights.yaml later must be handled here too
    # (tests/test_benchmarks.py checks both).
    repointed = {
        "baselines": {name: ["fw_kaz"] for name in real.get("baselines", {"listening_state": []})},
        "oecd_framework": others[0],
        "paper_sources": list(sources),
        "paper_frameworks": [others[1]],
        "curriculum_frameworks": ["fw_kaz"],
        "need_indicators": [],
        "implementation_sources": list(sources),
    }
    kept = {k: real[k] for k in ("weights", "related_credit", "peer_practice_kinds", "perturbation") if k in real}
    unknown = set(real) - set(kept) - set(repointed)
    if unknown:
        raise SystemExit(f"benchmarks/run.py: synthetic_weights does not know data/weights.yaml's {', '.join(sorted(unknown))}")
    return {**kept, **repointed}


def write_synthetic(work: Path, syn: Path, n_countries: int, n_items: int, env: dict[str, str]) -> tuple[Measured, list[str], list[str]]:
    """The synthetic data folder of the analytics benchmark: its writing time, frameworks and peers.

    ``workbench.model.synthetic.random_dataset`` with the real taxonomy, and ``data/weights.yaml``
    re-pointed at the synthetic frameworks (:func:`synthetic_weights`).
    """
    code = ("import sys, yaml; from workbench.model.synthetic import random_dataset; "
            "random_dataset(sys.argv[1], yaml.safe_load(open(sys.argv[2], encoding='utf-8')), int(sys.argv[3]), int(sys.argv[4]))")
    made = run_measured([sys.executable, "-c", code, syn, work / "data" / "taxonomy.yaml", n_countries, n_items], work, env)
    frameworks = sorted(p.stem for p in (syn / "frameworks").glob("*.yaml"))
    countries = sorted(f[3:].upper() for f in frameworks if f != "fw_kaz")
    peers = countries[:: max(1, len(countries) // 10)][:10]
    sources = [s["id"] for s in yaml.safe_load((syn / "sources.yaml").read_text(encoding="utf-8"))]
    real = yaml.safe_load((work / "data" / "weights.yaml").read_text(encoding="utf-8"))
    weights = synthetic_weights(real, frameworks, sources, peers)
    (syn / "weights.yaml").write_text("# data/weights.yaml re-pointed at the synthetic frameworks (benchmarks/run.py)\n"
                                      + yaml.safe_dump(weights, sort_keys=False), encoding="utf-8")
    return made, frameworks, peers


# -- the benchmarks --------------------------------------------------------------------------------
def bench_imports(work: Path, env: dict[str, str], repeats: int) -> dict[str, float]:
    """Wall time of each import in a fresh interpreter, minus the bare interpreter's."""
    bare = median(run_measured([sys.executable, "-c", "pass"], work, env).seconds for _ in range(repeats))
    line("python start (python -c pass)", f"median {bare:.2f} s")
    out = {"python": bare}
    for label, code in IMPORTS.items():
        t = median(run_measured([sys.executable, "-c", code], work, env).seconds for _ in range(repeats)) - bare
        out[label] = t
        line(f"import cost: {label}", f"median {t:.2f} s")
    return out


def bench_floor(work: Path, env: dict[str, str], repeats: int, n_reports: int, jobs: int) -> dict[str, Any]:
    nb = empty_notebook(work / "empty.ipynb")
    (work / "floor").mkdir()
    result, _ = inproc("floor", nb, work / "floor", repeats, cwd=work, env=env)
    kernel = median(result["runs"])
    line("kernel start+stop (papermill.execute_notebook, empty notebook, in-process)", f"median {kernel:.2f} s",
         f"runs: {runs_text(result['runs'], '{:.2f}')}")
    cli_pm = [run_measured([tool("papermill"), nb, work / "floor" / "cli.ipynb"], work, env).seconds for _ in range(repeats)]
    cli_nb = [run_measured([tool("jupyter"), "nbconvert", "--to", "html", work / "floor" / "cli.ipynb"], work, env).seconds
              for _ in range(repeats)]
    line("papermill CLI on the empty notebook", f"median {median(cli_pm):.2f} s", f"runs: {runs_text(cli_pm, '{:.2f}')}")
    line("jupyter nbconvert --to html CLI on the empty notebook", f"median {median(cli_nb):.2f} s", f"runs: {runs_text(cli_nb, '{:.2f}')}")
    floor = kernel * n_reports / jobs
    line(f"floor (kernel start+stop x {n_reports} reports / {jobs} jobs)", f"{floor:.1f} s")
    return {"kernel_s": result["runs"], "papermill_cli_s": cli_pm, "nbconvert_cli_s": cli_nb, "floor_s": floor}


def run_loop(work: Path, env: dict[str, str], entries: list[dict[str, Any]], index: int) -> dict[str, float]:
    outdir = work / f"loop-{index}"
    (outdir / "figures").mkdir(parents=True)
    papermill_s = nbconvert_s = 0.0
    for entry in entries:
        pm, nbc = researcher_commands(entry, outdir)
        papermill_s += run_measured(pm, work, env).seconds
        nbconvert_s += run_measured(nbc, work, env).seconds
        if not (outdir / f"{entry['name']}.html").is_file():
            raise SystemExit(f"the researcher loop made no HTML for {entry['name']}")
    # The runner's executed notebooks carry no cell timings (they would differ on every run), so the
    # breakdown reads papermill's timings from the loop's notebooks instead.
    kept = work / "loop-notebooks"
    shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir()
    for executed in outdir.glob("*.ipynb"):
        shutil.copy2(executed, kept / executed.name)
    shutil.rmtree(outdir, ignore_errors=True)
    return {"total": papermill_s + nbconvert_s, "papermill": papermill_s, "nbconvert": nbconvert_s}


def run_reports(work: Path, env: dict[str, str], names: list[str] | None, jobs: int, force: bool,
                extra: Sequence[str] = ()) -> tuple[Measured, dict[str, float]]:
    cmd = [tool("workbench"), "reports", "--jobs", jobs, "--no-progress", *extra] + (["--force"] if force else [])
    if names:
        cmd += ["--only", *names]
    m = run_measured(cmd, work, env)
    per_report = {}
    for text in m.stdout.splitlines():
        parts = text.split()
        if len(parts) >= 4 and parts[0] == "ok" and parts[3] == "s":
            per_report[parts[1]] = float(parts[2])
    return m, per_report


def bench_matrix(work: Path, env: dict[str, str], entries: list[dict[str, Any]], only: list[str] | None,
                 jobs: int, repeats: int) -> dict[str, Any]:
    """The researcher's loop and ``workbench reports --force``, alternated so drift hits both alike."""
    loops, regens, per_report = [], [], []
    for i in range(repeats):
        loops.append(run_loop(work, env, entries, i))
        m, per = run_reports(work, env, only, jobs, force=True)
        if len(per) != len(entries):
            raise SystemExit(f"workbench reports regenerated {len(per)} of {len(entries)} reports:\n{m.stdout}\n{m.stderr[-3000:]}")
        regens.append(m)
        per_report.append(per)
        print(f"  run {i + 1}/{repeats}: researcher loop {loops[-1]['total']:.1f} s, workbench reports --force {m.seconds:.1f} s",
              file=sys.stderr, flush=True)
    n = len(entries)
    loop_total = [x["total"] for x in loops]
    regen_total = [m.seconds for m in regens]
    line(f"researcher loop (papermill + jupyter nbconvert CLIs, {n} reports, one after another)",
         f"median {median(loop_total):.1f} s", f"runs: {runs_text(loop_total)}")
    line("  of which papermill commands", f"median {median(x['papermill'] for x in loops):.1f} s")
    line("  of which jupyter nbconvert commands", f"median {median(x['nbconvert'] for x in loops):.1f} s")
    line(f"full regeneration (workbench reports --force, {n} reports, jobs={jobs})", f"median {median(regen_total):.1f} s",
         f"runs: {runs_text(regen_total)}; peak RSS {max(m.peak_rss_mb for m in regens):.0f} MB")
    sums = [sum(p.values()) for p in per_report]
    line("  sum of per-report times inside the runner (execute + export)", f"median {median(sums):.1f} s")
    return {"loop": loops, "regen_s": regen_total, "per_report_s": per_report, "regen_peak_rss_mb": [m.peak_rss_mb for m in regens]}


def bench_rebuild(work: Path, env: dict[str, str], only: list[str] | None, jobs: int, repeats: int) -> dict[str, Any]:
    runs = []
    for _ in range(repeats):
        m, per = run_reports(work, env, only, jobs, force=False)
        if per or " 0 regenerated" not in " " + m.stdout.splitlines()[-1]:
            raise SystemExit(f"a rebuild with nothing changed regenerated reports:\n{m.stdout}")
        runs.append(m.seconds)
    line("nothing-changed rebuild (workbench reports, second run)", f"median {median(runs):.2f} s", f"runs: {runs_text(runs, '{:.2f}')}")
    return {"rebuild_s": runs}


def bench_breakdown(work: Path, env: dict[str, str], names: list[str], matrix: dict[str, Any], floor: dict[str, Any],
                    jobs: int) -> dict[str, Any]:
    """Where the runner's time goes, from the last regeneration's executed notebooks and a re-export."""
    cells = executed_breakdown(work / "loop-notebooks", names)
    export, _ = inproc("export", work, cwd=work, env=env)
    last = matrix["per_report_s"][-1]
    total = sum(last.values())
    cell_s = sum(c["cells"] for c in cells.values())
    setup_s = sum(c["setup"] for c in cells.values())
    export_s = sum(export["per_report_s"].values())
    line("breakdown of the last regeneration (sums over reports, under parallel load):", "")
    line("  notebook cells (the notebooks' own work, timed in the last researcher loop)", f"{cell_s:.1f} s",
         f"setup cells, imports + load: {setup_s:.1f} s")
    line("  HTML export (re-measured alone, exporter built once)", f"{export_s:.1f} s",
         f"+ {export['setup_s']:.2f} s once to import nbconvert and compile the template")
    line("  the rest: kernel start/stop, papermill, writing files", f"{total - cell_s - export_s:.1f} s",
         f"kernel start+stop alone: {median(floor['kernel_s']) * len(names):.1f} s")
    order = [last[n] for n in names if n in last]
    line(f"  pool of {jobs}, simulated from the per-report times: heaviest first (the runner's order)",
         f"{makespan(sorted(order, reverse=True), jobs):.1f} s",
         f"measured {matrix['regen_s'][-1]:.1f} s; in matrix order it would take {makespan(order, jobs):.1f} s")
    heavy = sorted(cells.items(), key=lambda kv: -kv[1]["cells"])[:3]
    line("  slowest notebooks (cells)", ", ".join(f"{k} {v['cells']:.1f} s" for k, v in heavy))
    phases, _ = inproc("phases", work, ",".join(names), cwd=work, env=env)
    per_report_table(phases, last, median(floor["kernel_s"]), jobs)
    return {"cells": cells, "export": export, "phases": phases}


PHASE_COLUMNS = ("imports", "data", "analysis", "figures", "tables and text", "export")


def per_report_table(phases: dict[str, Any], runner_s: dict[str, float], kernel_s: float, jobs: int) -> None:
    """Print where each report's time goes: its notebook's statements by phase, in one warm
    interpreter in matrix order (imports are paid by the first report, as by a warm kernel), its
    HTML export, and the runner's own time for it (the difference is papermill and file work)."""
    per = phases["per_report_s"]
    print(f"\nper-report breakdown, seconds (kernel start+stop {kernel_s:.2f} s once per kernel, {jobs} kernels; "
          f"exporter built once: {phases['exporter_setup_s']:.2f} s)")
    head = f"  {'report':44}" + "".join(f"{c[:9]:>10}" for c in PHASE_COLUMNS) + f"{'sum':>8}{'runner':>8}"
    print(head)
    totals = dict.fromkeys(PHASE_COLUMNS, 0.0)
    for name, row in per.items():
        for c in PHASE_COLUMNS:
            totals[c] += row[c]
        print(f"  {name[:44]:44}" + "".join(f"{row[c]:10.2f}" for c in PHASE_COLUMNS)
              + f"{sum(row.values()):8.2f}{runner_s.get(name, float('nan')):8.2f}")
    print(f"  {'all reports':44}" + "".join(f"{totals[c]:10.2f}" for c in PHASE_COLUMNS)
          + f"{sum(totals.values()):8.2f}{sum(runner_s.values()):8.2f}", flush=True)


def makespan(durations: Sequence[float], jobs: int) -> float:
    """Wall time of a thread pool of ``jobs`` workers taking tasks in the given order (list scheduling).

    >>> makespan([1, 1, 4], 2), makespan([4, 1, 1], 2)
    (5.0, 4.0)
    """
    workers = [0.0] * jobs
    for d in durations:
        workers[workers.index(min(workers))] += d
    return max(workers)


def same_tree(a: Path, b: Path, pattern: str) -> list[str]:
    """Files matching ``pattern`` under ``a`` whose bytes differ in (or are missing from) ``b``."""
    return [str(p.relative_to(a)) for p in sorted(a.glob(pattern))
            if p.is_file() and (not (b / p.relative_to(a)).is_file() or p.read_bytes() != (b / p.relative_to(a)).read_bytes())]


def bench_warm(work: Path, env: dict[str, str], only: list[str] | None, jobs: int, repeats: int,
               loop_s: float | None) -> dict[str, Any]:
    """``workbench reports --force --fresh-kernels`` (a new kernel per report) against the default, alternated.

    Also checks that both give the same bytes: every HTML report, figure and executed notebook.
    """
    fresh, warm, differ = [], [], []
    for i in range(repeats):
        m, _ = run_reports(work, env, only, jobs, force=True)
        warm.append(m.seconds)
        before = work / f"warm-{i}"
        shutil.copytree(work / "reports", before, ignore=shutil.ignore_patterns(".cache", ".failed"))
        shutil.copytree(work / "figures", before / "figures")
        m, _ = run_reports(work, env, only, jobs, force=True, extra=["--fresh-kernels"])
        fresh.append(m.seconds)
        differ = same_tree(work / "reports", before, "*.html") + same_tree(work / "reports" / "notebooks", before / "notebooks", "*.ipynb")
        differ += same_tree(work / "figures", before / "figures", "**/*")
        shutil.rmtree(before, ignore_errors=True)
    line(f"fresh kernels (workbench reports --force --fresh-kernels, jobs={jobs})", f"median {median(fresh):.1f} s",
         f"runs: {runs_text(fresh)}; default (reused kernels) alongside: median {median(warm):.1f} s; "
         + ("reports, notebooks and figures byte-identical" if not differ else f"DIFFERENT: {', '.join(differ[:5])}"))
    if loop_s:
        line("  fresh kernels / researcher loop", f"{median(fresh) / loop_s:.2f}")
    return {"fresh_s": fresh, "warm_s": warm, "different": differ}


def bench_suggest(work: Path, env: dict[str, str], sizes: list[int], repeats: int) -> dict[str, Any]:
    results = []
    for n in sizes:
        r, m = inproc("suggest", n, repeats, cwd=work, env=env)
        t = median(r["suggest_frame_s"])
        r["rss_increment_mb"] = r["peak_rss_mb"] - r["rss_before_mb"]
        results.append(r)
        traced = f"; traced peak {r['traced_peak_mb']:.0f} MB" if r["traced_peak_mb"] is not None else ""
        line(f"suggester, {n:,} synthetic items (suggest_frame, top 3)",
             f"median {t:.2f} s = {n / t:,.0f} items/s",
             f"runs: {runs_text(r['suggest_frame_s'], '{:.2f}')}; peak RSS {r['peak_rss_mb']:.0f} MB, "
             f"+{r['rss_increment_mb']:.0f} MB over the fitted model{traced}")
    fit = median(x for r in results for x in r["fit_s"][1:])
    line("suggester fit (fit_from_dataset on the real data, warm)", f"median {fit:.2f} s")
    slope = loglog_slope(sizes, [median(r["suggest_frame_s"]) for r in results]) if len(sizes) > 1 else float("nan")
    mem_slope = (loglog_slope(sizes, [max(r["rss_increment_mb"], 0.5) for r in results])
                 if len(sizes) > 1 else float("nan"))
    line("suggester growth (log-log slope vs items; 1 = linear)", f"time {slope:.2f}, memory {mem_slope:.2f}")
    return {"sizes": results, "time_slope": slope, "memory_slope": mem_slope}


def bench_analytics(work: Path, env: dict[str, str], n_countries: int, n_items: int, repeats: int) -> dict[str, Any]:
    syn = work / "synthetic"
    taxonomy = yaml.safe_load((work / "data" / "taxonomy.yaml").read_text(encoding="utf-8"))
    made, frameworks, peers = write_synthetic(work, syn, n_countries, n_items, env)
    line(f"synthetic dataset ({len(frameworks)} frameworks x {n_items} items, {len(taxonomy['concepts'])} concepts) written",
         f"{made.seconds:.1f} s")
    out = work / "synthetic-out"
    commands = {
        "validate": [tool("workbench"), "validate", "--data", syn],
        "network": [tool("workbench"), "network", "--out", out, "--data", syn],
        "recommend": [tool("workbench"), "recommend", "--data", syn, "--peers", ",".join(peers), "--out", out / "recs.csv"],
    }
    result: dict[str, Any] = {"peers": peers}
    for name, cmd in commands.items():
        ms = [run_measured(cmd, work, env) for _ in range(repeats)]
        result[name] = {"seconds": [m.seconds for m in ms], "peak_rss_mb": max(m.peak_rss_mb for m in ms)}
        line(f"workbench {name} on the synthetic dataset (subprocess)", f"median {median(m.seconds for m in ms):.2f} s",
             f"runs: {runs_text((m.seconds for m in ms), '{:.2f}')}; peak RSS {result[name]['peak_rss_mb']:.0f} MB")
    r, _ = inproc("analytics", syn, ",".join(peers), repeats, cwd=work, env=env)
    result["inproc"] = r
    for name in ("load", "network", "recommend"):
        detail = f"traced peak {r['traced_peak_mb'][name]:.0f} MB"
        if name == "recommend":
            detail += ", 10 peers, 500 draws"
        line(f"  in-process {name} (synthetic, {r['items']:,} items)", f"median {median(r[name + '_s']):.2f} s", detail)
    line(f"  in-process graph_bytes graphml+gexf+json ({r['graph_nodes']:,} nodes, {r['graph_edges']:,} edges)",
         f"median {median(r['graph_export_s']):.2f} s")
    line("  in-process import of workbench dataset/compare/network/recommend", f"{r['import_s']:.2f} s")
    return result


def bench_quality(work: Path, env: dict[str, str]) -> dict[str, Any]:
    r, _ = inproc("quality", cwd=work, env=env)
    line(f"suggester leave-one-framework-out ({r['items']} items, {r['frameworks']} frameworks)",
         f"top-1 {r['top1_accuracy']:.3f}  top-3 {r['top3_accuracy']:.3f}  abstention {r['abstention_rate']:.3f}",
         f"top-1 primary {r['top1_primary_accuracy']:.3f}, top-1 when confident {r['top1_accuracy_when_confident']:.3f}, "
         f"{r['seconds']:.1f} s")
    if "broad" in r:
        b = r["broad"]
        line("  the same at granularity broad (narrower concepts rolled up)",
             f"top-1 {b['top1_accuracy']:.3f}  top-3 {b['top3_accuracy']:.3f}  abstention {b['abstention_rate']:.3f}")
    if "learned" in r:
        m = r["learned"]
        margin = m["top1_accuracy"] - m["baseline_top1_accuracy"]
        line(f"learned suggester leave-one-framework-out ({m['items']:.0f} items, {m['frameworks']:.0f} frameworks)",
             f"top-1 {m['top1_accuracy']:.3f}  top-3 {m['top3_accuracy']:.3f}",
             f"naive baseline (most common concept) top-1 {m['baseline_top1_accuracy']:.3f}  top-3 {m['baseline_top3_accuracy']:.3f}; "
             f"{100 * margin:.1f} points above it (issue 25: top-1 >= 0.90 and >= 10 points: "
             f"{'met' if m['top1_accuracy'] >= 0.90 and margin >= 0.10 else 'MISSED'}); {m['seconds']:.1f} s")
        for c in m["confusion"]:
            line(f"  confused: curated {c['curated']} -> suggested {c['suggested']}", f"{c['items']} items")
    return r


def bench_explorer(work: Path, env: dict[str, str]) -> dict[str, Any]:
    r, _ = inproc("explorer", cwd=work, env=env)
    ms = [1000 * s for s in r["updates_s"]]
    kinds: dict[str, list[float]] = {}
    for name, value in zip(r["changes"], ms):
        kinds.setdefault("weight" if name in ("peer_share", "oecd_alignment", "kaz_absence", "measured_need") else name, []).append(value)
    line(f"explorer: one change recomputes and redraws ({len(ms)} changes)",
         f"median {median(ms):.0f} ms  worst {max(ms):.0f} ms",
         "; ".join(f"{k} median {median(v):.0f} ms" for k, v in kinds.items()) + f"; first draw {r['first_s']:.1f} s")
    return {**r, "median_ms": median(ms), "worst_ms": max(ms)}


def quick_subset(entries: list[dict[str, Any]], n: int = 3) -> list[str]:
    """The first report of each of the first ``n`` notebooks: a small but varied subset.

    >>> quick_subset([{"name": "a", "notebook": "x"}, {"name": "b", "notebook": "x"}, {"name": "c", "notebook": "y"}], 2)
    ['a', 'c']
    """
    chosen: dict[str, str] = {}
    for e in entries:
        chosen.setdefault(e["notebook"], e["name"])
    return list(chosen.values())[:n]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few minutes: 3 reports once, 1,000 and 10,000 items, fewer repeats")
    parser.add_argument("--jobs", type=int, default=None, help="jobs of workbench reports (default: cores, at most 4, as the runner)")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="benchmark only these reports of the matrix")
    parser.add_argument("--repeats", type=int, default=None, help="runs of the report matrix (default 3; --quick 1)")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS), metavar="SECTION",
                        help=f"measure only these ({', '.join(SECTIONS)}; breakdown needs floor and matrix)")
    parser.add_argument("--stub-rfc3987-syntax", action="store_true",
                        help="hide jsonschema's slow optional IRI checker from every process (an environment without it)")
    parser.add_argument("--json", type=Path, default=None, help="also write every measurement to this JSON file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary copy (its path is printed)")
    args = parser.parse_args(argv)

    quick = args.quick
    jobs = args.jobs or max(1, min(os.cpu_count() or 1, MAX_JOBS))
    repeats = args.repeats or (1 if quick else 3)
    small = 1 if quick else 3  # repeats of the cheap measurements
    info = machine()
    started = time.time()
    load_start = os.getloadavg()
    print(f"workbench benchmarks ({'quick' if quick else 'full'}) on {info['nproc']} cores, {info['ram_gib']} GiB, "
          f"{info['cpu']}, Python {info['python']}; load average {load_start[0]:.2f}")
    print("packages: " + ", ".join(f"{k} {v}" for k, v in info["packages"].items()), flush=True)

    work, env = make_workdir(REPO, args.stub_rfc3987_syntax)
    print(f"working copy: {work}" + ("; rfc3987_syntax stubbed out" if args.stub_rfc3987_syntax else ""), flush=True)
    results: dict[str, Any] = {"machine": info, "quick": quick, "jobs": jobs, "repeats": repeats}
    try:
        entries = read_matrix(work / "reports.yaml")
        only = args.only or (quick_subset(entries) if quick else None)
        if only:
            unknown = set(only) - {e["name"] for e in entries}
            if unknown:
                parser.error(f"unknown report(s): {', '.join(sorted(unknown))}")
            entries = [e for e in entries if e["name"] in only]
        names = [e["name"] for e in entries]
        # Warm-up, not measured: compile the library snapshot and touch every file once.
        run_measured([sys.executable, "-c", IMPORTS["notebooks' workbench imports"] + "; import papermill, nbconvert"], work, env)

        want = set(args.sections)
        if "breakdown" in want:
            want |= {"floor", "matrix"}
        if "rebuild" in want and "matrix" not in want:  # a rebuild needs a first build
            run_reports(work, env, only, jobs, force=True)
        if "imports" in want:
            results["imports"] = bench_imports(work, env, small)
        if "floor" in want:
            results["floor"] = bench_floor(work, env, 3 if quick else 5, len(entries), jobs)
        if "matrix" in want:
            results["matrix"] = bench_matrix(work, env, entries, only, jobs, repeats)
        if "rebuild" in want:
            results["rebuild"] = bench_rebuild(work, env, only, jobs, 3 if quick else 5)
        if "breakdown" in want:
            results["breakdown"] = bench_breakdown(work, env, names, results["matrix"], results["floor"], jobs)
        if "warm" in want:
            loop_s = median(x["total"] for x in results["matrix"]["loop"]) if "matrix" in results else None
            results["warm"] = bench_warm(work, env, only, jobs, repeats, loop_s)
        if "suggest" in want:
            results["suggest"] = bench_suggest(work, env, [1_000, 10_000] if quick else [1_000, 10_000, 100_000], small)
        if "analytics" in want:
            results["analytics"] = bench_analytics(work, env, 200, 60, small)
        if "quality" in want:
            results["quality"] = bench_quality(work, env)
        if "explorer" in want:
            results["explorer"] = bench_explorer(work, env)

        print()
        ratios: dict[str, float] = {}
        if "matrix" in results:
            regen = median(results["matrix"]["regen_s"])
            loop = median(x["total"] for x in results["matrix"]["loop"])
            ratios["regen_over_loop"] = regen / loop
            print(f"regeneration / researcher loop = {regen / loop:.2f}   (target <= 0.15, issue 20: "
                  f"{'met' if regen / loop <= 0.15 else 'MISSED'})")
            if "floor" in results:
                floor = results["floor"]["floor_s"]
                ratios["regen_over_floor"] = regen / floor
                print(f"regeneration / floor = {regen / floor:.1f}x   ({regen:.1f} s against {floor:.1f} s of kernel starts)")
            if "warm" in results:
                ratios["fresh_over_loop"] = median(results["warm"]["fresh_s"]) / loop
                print(f"with --fresh-kernels, regeneration / researcher loop = {ratios['fresh_over_loop']:.2f}")
        if "rebuild" in results:
            rebuild = ratios["rebuild_s"] = median(results["rebuild"]["rebuild_s"])
            print(f"nothing-changed rebuild = {rebuild:.2f} s   (target < 0.2 s: {'met' if rebuild < 0.2 else 'MISSED'})")
        if "suggest" in results:
            print(f"suggester cost grows as items^{results['suggest']['time_slope']:.2f}")
        if "explorer" in results:
            e = ratios["explorer_median_ms"] = results["explorer"]["median_ms"]
            print(f"explorer update: median {e:.0f} ms, worst {results['explorer']['worst_ms']:.0f} ms   "
                  f"(target median <= 200 ms, issue 24: {'met' if e <= 200 else 'MISSED'})")
        results["ratios"] = ratios
        load_end = os.getloadavg()
        print(f"took {(time.time() - started) / 60:.1f} min; load average {load_start[0]:.2f} at start, {load_end[0]:.2f} at end")
        results["loadavg"] = [load_start[0], load_end[0]]
        if args.json:
            args.json.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
