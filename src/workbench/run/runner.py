"""The report matrix (``reports.yaml``) and the runner that regenerates it with papermill.

Each report is executed into a temporary file, exported to HTML, and only then renamed into
place; a report whose inputs (notebook, parameters, data, library code, package versions) are
unchanged is skipped. A failing report keeps its last good output; its executed notebook goes to
``reports/.failed/`` for debugging. Each worker reuses one kernel, reset between reports; one run
at a time per checkout (a lock in ``reports/.cache``); Ctrl-C stops a run within a second or two.
"""
from __future__ import annotations

import ast
import datetime
import fcntl
import hashlib
import itertools
import json
import logging
import os
import platform
import queue
import re
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable

from workbench.model.errors import InputError, Problem, display_path
from workbench.model.outputs import atomic_write
from workbench.model.sourcefile import read_bytes, read_text, read_yaml
from workbench.model.validate import report_entry_problems

__all__ = [
    "ReportSpec",
    "NotebookParameter",
    "notebook_parameters",
    "load_matrix",
    "Project",
    "input_key",
    "RunResult",
    "RunInterrupted",
    "RunLock",
    "run_reports",
    "expand_grids",
    "check_entries",
    "grid_name",
    "package_versions",
    "normalise_executed",
    "default_jobs",
]

#: Parameters the runner sets itself; a report may not set them in reports.yaml.
RUNNER_PARAMETERS = ("figures_dir",)
#: More kernels than this start to contend for ports and memory on small machines.
MAX_JOBS = 4
#: A reused kernel is replaced after this many reports, so that memory a notebook leaves behind
#: (caches in imported modules, matplotlib's font cache) cannot grow without bound.
KERNEL_REUSE = 8
#: The analysis stack whose versions go into the cache key and each report's footer.
ANALYSIS_PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "networkx", "scikit-learn", "nbconvert", "papermill")
#: Lock file in reports/.cache: one run at a time per checkout.
LOCK_NAME = "run.lock"
#: After Ctrl-C, how long the workers get to notice their killed kernels before the run reports.
INTERRUPT_GRACE = 0.8


@dataclass(frozen=True)
class NotebookParameter:
    name: str
    type: str
    default: str
    help: str


def read_notebook(path: str | os.PathLike) -> dict:
    """A notebook file as JSON, with its ``parameters`` cell checked to be valid Python.

    Raises :class:`InputError` naming the notebook and what is wrong with it (not UTF-8, not
    JSON, not a notebook, a syntax error in the parameters cell).
    """
    p = Path(path)
    text = read_text(p, max_bytes=50 * 2**20)
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError.single(p, exc.lineno, f"not a valid notebook: JSON syntax error: {exc.msg}") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise InputError.single(p, 0, "not a Jupyter notebook (no list of 'cells')")
    for cell in nb["cells"]:
        if isinstance(cell, dict) and cell.get("cell_type") == "code" and "parameters" in (cell.get("metadata") or {}).get("tags", []):
            source = "".join(cell.get("source") or []) if isinstance(cell.get("source"), list) else str(cell.get("source") or "")
            try:
                ast.parse(source)
            except SyntaxError as exc:
                raise InputError.single(p, 0, f"syntax error in the parameters cell, line {exc.lineno}: {exc.msg}") from None
    return nb


def notebook_parameters(path: str | os.PathLike, cache_dir: str | os.PathLike | None = None) -> dict[str, NotebookParameter]:
    """Parameters declared in the notebook's cell tagged ``parameters`` (name, type, default, comment),
    as ``papermill --help-notebook`` reads them (:func:`papermill.inspect_notebook`).

    With ``cache_dir``, the answer is kept in ``parameters-<hash>.json`` there, keyed by the
    notebook's bytes and papermill's version: importing papermill costs about a second, and a
    rebuild with nothing changed should not pay it.
    """
    read_notebook(path)  # a broken notebook is named here, not in papermill's traceback
    cached = None
    if cache_dir is not None:
        digest = hashlib.sha256(read_bytes(Path(path)))
        try:
            digest.update(metadata.version("papermill").encode())
        except metadata.PackageNotFoundError:
            pass
        cached = Path(cache_dir) / f"parameters-{digest.hexdigest()[:32]}.json"
        try:
            return {name: NotebookParameter(**fields) for name, fields in json.loads(cached.read_text(encoding="utf-8")).items()}
        except (OSError, ValueError, TypeError):
            pass
    import papermill  # deferred: a second of start-up, needed only by the runner

    try:
        found = papermill.inspect_notebook(str(path))
    except Exception as exc:  # nbformat refusing the notebook's structure
        raise InputError.single(path, 0, f"not a valid notebook: {' '.join(str(exc).split())[:200]}") from None
    out = {
        name: NotebookParameter(name, "" if p["inferred_type_name"] == "None" else p["inferred_type_name"],
                                p["default"], p["help"])
        for name, p in found.items()
    }
    if cached is not None and cached.parent.is_dir():  # never the first file of a checkout's outputs
        try:
            atomic_write(cached, json.dumps({k: vars(v) for k, v in out.items()}, ensure_ascii=False))
        except OSError:  # a read-only checkout still works, only slower
            pass
    return out


@dataclass(frozen=True)
class ReportSpec:
    """One report of ``reports.yaml`` (an entry, or one combination of an entry's ``grid``)."""

    name: str
    notebook: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    line: int = 0
    #: For a combination of a grid: the entry's name (the index groups reports by it) and the
    #: combination's values, in the order of the entry's ``grid``.
    group: str = ""
    grid: dict[str, Any] = field(default_factory=dict)

    def display_title(self) -> str:
        return self.title or self.name.replace("-", " ").capitalize()


@dataclass
class MatrixEntry:
    """One report to check: an entry of ``reports.yaml``, or one combination of its ``grid``.

    ``index`` is the entry's position under ``reports`` (for line numbers); ``grid_keys`` are the
    parameters that came from the grid, whose problems point at the grid's lines.
    """

    index: int
    data: dict[str, Any]
    group: str = ""
    grid: dict[str, Any] = field(default_factory=dict)


#: Grid values become part of report names, so they must be plain words or numbers.
GRID_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._]*$")


def grid_name(name: str, values: Iterable[Any]) -> str:
    """The predictable name of one combination: the entry's name, then each value, joined by '-'.

    >>> grid_name("recommendations", ["ru", 3])
    'recommendations-ru-3'
    """
    return "-".join([name, *(_grid_word(v) for v in values)])


def _grid_word(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def expand_grids(doc: Any) -> tuple[list[MatrixEntry], list[Problem]]:
    """Every report the matrix describes, with each ``grid:`` entry expanded to one per combination.

    An entry with ``grid: {lang: [en, ru], top: [10, 20]}`` gives four reports named
    ``<name>-en-10``, ``<name>-en-20``, ``<name>-ru-10`` and ``<name>-ru-20``, each with the
    entry's ``parameters`` plus that combination. ``title`` and ``description`` may use
    ``{parameter}`` placeholders, or be a mapping from the combination's suffix (``en-10``) to
    text. Only the grid itself is checked here; the reports are checked afterwards like any entry.
    """
    entries = doc.data.get("reports") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError.single(doc.path, 1, "expected a mapping with a non-empty list 'reports'")
    out: list[MatrixEntry] = []
    problems: list[Problem] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "grid" not in entry:
            out.append(MatrixEntry(i, entry))
            continue
        name = entry.get("name")
        label = f"report '{name}'"

        def bad(key: tuple, message: str) -> None:
            problems.append(Problem(doc.path, doc.line_of(("reports", i, *key)), f"{label}: {message}"))

        grid = entry["grid"]
        if not isinstance(grid, dict) or not grid:
            bad(("grid",), "grid must be a mapping from parameter to a list of values")
            continue
        params = entry.get("parameters") or {}
        ok = True
        for key, values in grid.items():
            if not isinstance(values, list) or not values:
                bad(("grid", key), f"grid parameter '{key}' needs a non-empty list of values")
                ok = False
            elif isinstance(params, dict) and key in params:
                bad(("grid", key), f"parameter '{key}' is set in both 'parameters' and 'grid'")
                ok = False
            else:
                for j, value in enumerate(values):
                    if isinstance(value, (dict, list)) or value is None or not GRID_VALUE.match(_grid_word(value)):
                        bad(("grid", key, j), f"grid value {value!r} of '{key}' must be a plain word or number (it becomes part of the report name)")
                        ok = False
                if len(set(map(_grid_word, values))) != len(values):
                    bad(("grid", key), f"grid parameter '{key}' lists a value twice")
                    ok = False
        if not ok or not isinstance(name, str) or not name:
            if ok:  # let the entry's own checks report the missing name
                out.append(MatrixEntry(i, {k: v for k, v in entry.items() if k != "grid"}))
            continue
        keys = list(grid)
        for combo in itertools.product(*(grid[k] for k in keys)):
            values = dict(zip(keys, combo))
            suffix = "-".join(_grid_word(v) for v in combo)
            data = {k: v for k, v in entry.items() if k != "grid"}
            data["name"] = grid_name(name, combo)
            data["parameters"] = {**(params if isinstance(params, dict) else {}), **values}
            for text_key in ("title", "description"):
                if text_key not in entry:
                    continue
                text = entry[text_key]
                if isinstance(text, dict):
                    if suffix not in text:
                        bad((text_key,), f"{text_key} has no text for the combination '{suffix}'")
                    text = text.get(suffix, "")
                elif isinstance(text, str):
                    try:
                        text = text.format_map(values)
                    except (KeyError, ValueError, IndexError) as exc:
                        bad((text_key,), f"{text_key} has a placeholder that is not a grid parameter ({exc})")
                data[text_key] = text
            out.append(MatrixEntry(i, data, group=name, grid=values))
    return out, problems


def load_matrix(path: str | os.PathLike, notebooks_dir: str | os.PathLike,
                cache_dir: str | os.PathLike | None = None) -> list[ReportSpec]:
    """Read ``reports.yaml``, expand its grids, and check every report.

    Every bad entry gives one ``path:line: report 'x': ...`` problem; a report made by a grid
    names its combination (``report 'name-ru'``) and points at the entry's lines. ``cache_dir``
    keeps the notebooks' parameters between runs (see :func:`notebook_parameters`).
    """
    doc = read_yaml(path)
    entries, problems = expand_grids(doc)
    specs = check_entries(doc, entries, Path(notebooks_dir), problems, cache_dir)
    if problems:
        raise InputError(problems)
    return specs


class _GridLines:
    """The YAML document as the checks see it for one combination of a grid: a problem with a
    parameter that came from the grid points at the grid's line, not at ``parameters``."""

    def __init__(self, doc: Any, index: int, grid: dict[str, Any]):
        self.doc, self.index, self.grid = doc, index, grid

    def __getattr__(self, name: str) -> Any:
        return getattr(self.doc, name)

    def line_of(self, loc: tuple) -> int:
        if len(loc) >= 4 and tuple(loc[:3]) == ("reports", self.index, "parameters") and loc[3] in self.grid:
            loc = ("reports", self.index, "grid", *loc[3:])
        return self.doc.line_of(loc)


def check_entries(doc: Any, entries: list[MatrixEntry], notebooks_dir: Path, problems: list[Problem],
                  cache_dir: str | os.PathLike | None = None) -> list[ReportSpec]:
    """Check each report (fields, name, notebook, parameters); problems are appended to ``problems``."""
    specs: list[ReportSpec] = []
    seen: dict[str, int] = {}
    params_cache: dict[str, dict[str, NotebookParameter] | InputError] = {}

    def declared(notebook: str) -> dict[str, NotebookParameter]:
        if notebook not in params_cache:
            try:
                params_cache[notebook] = notebook_parameters(notebooks_dir / notebook, cache_dir)
            except InputError as exc:
                params_cache[notebook] = exc
        found = params_cache[notebook]
        if isinstance(found, InputError):
            raise found
        return found

    for item in entries:
        i, entry = item.index, item.data
        lines = _GridLines(doc, i, item.grid) if item.grid else doc
        found = report_entry_problems(entry, lines, ("reports", i), notebooks_dir, seen, declared, RUNNER_PARAMETERS)
        problems.extend(found)
        if not found:
            specs.append(ReportSpec(entry["name"], entry["notebook"], entry["description"].strip(),
                                    dict(entry.get("parameters") or {}), str(entry.get("title") or ""),
                                    doc.line_of(("reports", i)), group=item.group, grid=dict(item.grid)))
    return specs


@dataclass(frozen=True)
class Project:
    """Where things live: the checkout's notebooks, data, library, and output folders."""

    root: Path

    @classmethod
    def find(cls, start: str | os.PathLike | None = None) -> "Project":
        here = Path(start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "reports.yaml").is_file() and (candidate / "notebooks").is_dir():
                return cls(candidate)
        package_root = Path(__file__).resolve().parents[3]
        return cls(package_root)

    matrix = property(lambda self: self.root / "reports.yaml")
    notebooks = property(lambda self: self.root / "notebooks")
    data = property(lambda self: Path(os.environ.get("WORKBENCH_DATA") or self.root / "data"))
    reports = property(lambda self: self.root / "reports")
    figures = property(lambda self: self.root / "figures")
    cache = property(lambda self: self.root / "reports" / ".cache")
    failed = property(lambda self: self.root / "reports" / ".failed")


def _hash_tree(paths: Iterable[Path], root: Path, digest) -> None:
    for p in sorted(paths):
        digest.update(str(p.relative_to(root)).encode())
        digest.update(read_bytes(p))  # an unreadable file is named, "cannot read"


def package_versions() -> dict[str, str]:
    """Versions of Python and of the analysis stack the reports are made with (from the installed metadata)."""
    out = {"python": platform.python_version()}
    for name in ANALYSIS_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def inputs_fingerprint(project: Project) -> str:
    """Hash of what every report shares: the data, the library code (templates included), the package versions."""
    digest = hashlib.sha256()
    data = project.data
    _hash_tree((p for p in data.rglob("*") if p.is_file() and not p.name.startswith(".")), data, digest)
    lib = Path(__file__).resolve().parents[1]
    _hash_tree((p for p in lib.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".json", ".yaml", ".css")), lib, digest)
    # Upgrading pandas or matplotlib can change a report without any file of ours changing.
    digest.update(json.dumps(package_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def input_key(spec: ReportSpec, project: Project, shared: str) -> str:
    """Cache key of one report: its notebook, its matrix entry, and the shared inputs."""
    digest = hashlib.sha256(shared.encode())
    digest.update((project.notebooks / spec.notebook).read_bytes())
    entry = {"name": spec.name, "notebook": spec.notebook, "description": spec.description, "parameters": spec.parameters, "title": spec.title}
    digest.update(json.dumps(entry, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def default_jobs() -> int:
    return max(1, min(os.cpu_count() or 1, MAX_JOBS))


@dataclass
class RunResult:
    name: str
    status: str  # "ok", "skipped", "failed", "interrupted", "not started"
    seconds: float = 0.0
    html: str = ""
    error: str = ""

    def summary_line(self) -> str:
        if self.status == "ok":
            return f"ok      {self.name:<40} {self.seconds:6.1f} s  {self.html}"
        if self.status == "skipped":
            return f"skipped {self.name:<40}   unchanged  {self.html}"
        if self.status == "interrupted":
            return f"INTERRUPTED {self.name:<36} {self.seconds:6.1f} s  previous output kept"
        if self.status == "not started":
            return f"not started {self.name}"
        return f"FAILED  {self.name:<40} {self.seconds:6.1f} s  {self.error}"


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C (or SIGTERM) during a run: ``results`` says which reports were done, interrupted, never started."""

    def __init__(self, results: list[RunResult]):
        super().__init__("interrupted")
        self.results = results


def output_paths(project: Project, name: str) -> dict[str, Path]:
    return {
        "html": project.reports / f"{name}.html",
        "notebook": project.reports / "notebooks" / f"{name}.ipynb",
        "figures": project.figures / name,
        "key": project.cache / f"{name}.key",
        "failed": project.failed / f"{name}.ipynb",
    }


def _swap_dir(staging: Path, target: Path) -> None:
    """Put ``staging`` at ``target``: the old folder is moved aside first, then removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _error_text(exc: BaseException, count: int | None = None) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        count = count or getattr(exc, "exec_count", None)
        where = f"cell {count}: " if count else ""
        return f"{where}{ename}: {' '.join(str(evalue).split())}"[:300]
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]


# -- one run at a time -----------------------------------------------------------------------------
class RunLock:
    """An exclusive lock on ``reports/.cache/run.lock`` for the length of a run.

    The lock is an ``flock`` on the file, so the system releases it when its process ends, however
    it ends: a lock left by a killed run is free and the next run takes it over. The file also
    records who holds it (pid, command, start time) for the message a waiting run prints.
    """

    def __init__(self, path: Path):
        self.path = path
        self.fd: int | None = None
        self.previous: dict[str, Any] | None = None

    def holder(self) -> dict[str, Any] | None:
        try:
            info = json.loads(self.path.read_text(encoding="utf-8") or "null")
        except (OSError, ValueError):
            return None
        return info if isinstance(info, dict) else None

    @staticmethod
    def describe(info: dict[str, Any] | None) -> str:
        if not info:
            return "a process that has not yet recorded itself"
        return f"pid {info.get('pid')}, `{info.get('command')}`, started {info.get('started')}"

    def acquire(self, wait: bool = True, on_wait: Callable[[str], None] | None = None, poll: float = 0.2) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        told = False
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    info = self.holder()
                    message = f"another report run is in progress ({self.describe(info)})"
                    if not wait:
                        raise InputError.single(self.path, 0, message) from None
                    if not told and on_wait is not None:
                        on_wait(f"{display_path(self.path)}: {message}; waiting for it to finish")
                        told = True
                    time.sleep(poll)
        except BaseException:
            os.close(fd)
            raise
        self.fd = fd
        # Whatever the file says now was written by a run that is gone (its lock was free).
        self.previous = self.holder()
        command = " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if sys.argv and sys.argv[0] else "python"
        started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        record = json.dumps({"pid": os.getpid(), "command": command, "started": started}).encode()
        os.ftruncate(fd, 0)
        os.pwrite(fd, record, 0)

    def release(self) -> None:
        if self.fd is not None:
            os.ftruncate(self.fd, 0)
            os.close(self.fd)  # closing releases the flock
            self.fd = None


# -- executed notebooks that do not change from run to run -----------------------------------------
#: Per-cell and notebook fields papermill and nbclient fill with clock times.
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")
_TIMING_KEYS = ("start_time", "end_time", "duration")


def normalise_executed(nb: Any, spec: ReportSpec, staging_figures: Path, final_figures: Path, notebooks: Path) -> Any:
    """Remove from an executed notebook what changes from run to run, so equal inputs give equal bytes.

    Drops papermill's and nbclient's timestamps and durations, numbers the cells 1, 2, 3... (a
    reused kernel continues counting), gives papermill's injected cell a fixed id, drops the
    runner's reset cell, blanks memory addresses in default object representations
    (``<workbench.present.page.HTML at 0x7f...>``, the plain-text twin of every HTML output), and writes the figures folder as the final one, relative to the
    notebooks' folder (where the kernel ran), instead of the run's temporary folder.
    """
    nb.cells = [c for c in nb.cells if RESET_TAG not in c.get("metadata", {}).get("tags", [])]
    count = 0
    for cell in nb.cells:
        meta = cell.get("metadata", {})
        meta.pop("execution", None)
        for key in _TIMING_KEYS:
            meta.get("papermill", {}).pop(key, None)
        if "injected-parameters" in meta.get("tags", []) and "id" in cell:
            cell["id"] = "injected-parameters"
        if cell.get("cell_type") == "code":
            if cell.get("execution_count") is not None:
                count += 1
                cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if output.get("execution_count") is not None:
                    output["execution_count"] = count
                plain = output.get("data", {}).get("text/plain")
                if isinstance(plain, str):
                    output["data"]["text/plain"] = _ADDRESS.sub(" at 0x0>", plain)
    pm = nb.metadata.get("papermill", {})
    for key in _TIMING_KEYS:
        pm.pop(key, None)
    pm["input_path"] = f"notebooks/{spec.notebook}"
    pm["output_path"] = f"reports/notebooks/{spec.name}.ipynb"
    import nbformat

    text = nbformat.writes(nb)
    relative = os.path.relpath(final_figures, notebooks)
    text = text.replace(json.dumps(str(staging_figures))[1:-1], json.dumps(relative)[1:-1])
    return nbformat.reads(text, as_version=4)


#: Runs first in every report on a reused kernel: a clean namespace and no figure left open by the
#: previous report. Modules stay imported (the saving); matplotlib's settings go back to defaults.
RESET_TAG = "workbench-reset"
RESET_CELL = (
    "get_ipython().run_line_magic('reset', '-f')\n"
    "import matplotlib, matplotlib.pyplot\n"
    "matplotlib.pyplot.close('all')\n"
    "del matplotlib"
)


# -- the run ---------------------------------------------------------------------------------------
class _Run:
    """State shared by the worker threads of one run and the main thread that may interrupt it."""

    def __init__(self, project: Project, todo: list[tuple[ReportSpec, str]], versions: dict[str, str], fresh: bool, reuse: int):
        self.project, self.versions, self.fresh, self.reuse = project, versions, fresh, reuse
        self.tasks: queue.Queue = queue.Queue()
        for item in todo:
            self.tasks.put(item)
        self.results: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.guard = threading.Lock()  # kernels and the running set
        self.commit = threading.Lock()  # held while a report's outputs are put in place
        self.kernels: dict[int, Any] = {}
        self.running: dict[str, float] = {}

    # kernels ----------------------------------------------------------------
    def start_kernel(self, worker: int) -> Any:
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        km = AsyncKernelManager(kernel_name="python3")
        # The kernel's own log (a plain-TCP notice at every start) is noise in a summary;
        # cell errors still reach us through the notebook's outputs.
        run_sync(km.start_kernel)(cwd=str(self.project.notebooks), extra_arguments=["--IPKernelApp.log_level=CRITICAL"])
        with self.guard:
            self.kernels[worker] = km
            stopped = self.stop.is_set()
        if stopped:  # interrupted while it started: the main thread's sweep may have missed it
            _kill_kernel(km)
        return km

    def stop_kernel(self, worker: int, km: Any, now: bool) -> None:
        from jupyter_core.utils import run_sync

        with self.guard:
            self.kernels.pop(worker, None)
        try:
            run_sync(km.shutdown_kernel)(now=now)
        except Exception:  # noqa: BLE001 - already dead: make sure, then go on
            _kill_kernel(km)

    def kill_all(self) -> None:
        with self.guard:
            kernels = list(self.kernels.values())
        for km in kernels:
            _kill_kernel(km)

    # workers ----------------------------------------------------------------
    def work(self, worker: int) -> None:
        km, used = None, 0
        try:
            while not self.stop.is_set():
                try:
                    spec, key = self.tasks.get_nowait()
                except queue.Empty:
                    return
                with self.guard:
                    if self.stop.is_set():
                        return
                    self.running[spec.name] = time.perf_counter()
                if km is not None and (self.fresh or used >= self.reuse):
                    self.stop_kernel(worker, km, now=False)
                    km = None
                try:
                    if km is None:
                        km, used = self.start_kernel(worker), 0
                    result = _run_one(spec, self.project, key, self.versions, km, reset=used > 0, run=self)
                except Exception as exc:  # noqa: BLE001 - export or file errors: reported like a failing cell
                    result = RunResult(spec.name, "failed", error=_error_text(exc))
                used += 1
                if result.status in ("failed", "interrupted") and km is not None:
                    # A failed report may have left the kernel in any state: the next one gets a new kernel.
                    self.stop_kernel(worker, km, now=True)
                    km = None
                with self.guard:
                    self.running.pop(spec.name, None)
                    self.results.put(result)
        finally:
            if km is not None:
                self.stop_kernel(worker, km, now=self.stop.is_set())


def _kill_kernel(km: Any) -> None:
    """Kill a kernel's process group at once (kernels run in their own session, so Ctrl-C misses them)."""
    provisioner = getattr(km, "provisioner", None)
    process = getattr(provisioner, "process", None)
    pid = getattr(process, "pid", None)
    if pid is None:
        return
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    try:  # reap it, so that not even a zombie outlives the run
        process.wait(timeout=1)
    except Exception:  # noqa: BLE001 - another thread reaped it first, or it is stuck in the kernel
        pass


def _run_one(spec: ReportSpec, project: Project, key: str, versions: dict[str, str], km: Any, reset: bool, run: _Run) -> RunResult:
    import nbformat
    import papermill

    from workbench.present.export import export_html

    paths = output_paths(project, spec.name)
    # One run at a time (the lock), so a report's work folder can have a fixed name.
    work = project.cache / "run" / spec.name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    executed = work / f"{spec.name}.ipynb"
    staging_figures = work / "figures"
    staging_figures.mkdir()
    start = time.perf_counter()
    try:
        nb = nbformat.read(str(project.notebooks / spec.notebook), as_version=4)
        if reset:
            nb.cells.insert(0, nbformat.v4.new_code_cell(RESET_CELL, metadata={"tags": [RESET_TAG, "remove-cell"]}))
        try:
            papermill.execute_notebook(
                nb,
                str(executed),
                parameters={**spec.parameters, "figures_dir": str(staging_figures)},
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                report_mode=False,
                km=km,  # our kernel: papermill runs the cells and leaves it running
            )
        except Exception as exc:  # the notebook raised, or its kernel died (or was killed by Ctrl-C)
            if run.stop.is_set():
                return RunResult(spec.name, "interrupted", time.perf_counter() - start)
            error = _error_text(exc)
            if executed.exists():
                failed_nb = normalise_executed(nbformat.read(str(executed), as_version=4), spec, staging_figures,
                                               paths["figures"], project.notebooks)
                atomic_write(paths["failed"], nbformat.writes(failed_nb))
                # A reused kernel counts on from the previous report: name the cell by its number
                # in this notebook, as a fresh kernel would.
                count = next((c.get("execution_count") for c in failed_nb.cells if c.get("cell_type") == "code"
                              and any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
                if count and getattr(exc, "exec_count", None):
                    error = _error_text(exc, count)
            return RunResult(spec.name, "failed", time.perf_counter() - start, error=error)
        done = normalise_executed(nbformat.read(str(executed), as_version=4), spec, staging_figures, paths["figures"], project.notebooks)
        executed.write_text(nbformat.writes(done), encoding="utf-8")
        html = export_html(executed, spec, versions)
        staged_html = work / f"{spec.name}.html"
        staged_html.write_bytes(html)
        with run.commit:
            if run.stop.is_set():
                return RunResult(spec.name, "interrupted", time.perf_counter() - start)
            # Everything is complete on disk; only now replace the previous outputs.
            paths["notebook"].parent.mkdir(parents=True, exist_ok=True)
            os.replace(executed, paths["notebook"])
            _swap_dir(staging_figures, paths["figures"])
            paths["html"].parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged_html, paths["html"])
            atomic_write(paths["key"], key)
            paths["failed"].unlink(missing_ok=True)
        return RunResult(spec.name, "ok", time.perf_counter() - start, html=str(paths["html"].relative_to(project.root)))
    finally:
        if not run.stop.is_set():
            shutil.rmtree(work, ignore_errors=True)


def run_reports(
    project: Project,
    only: Iterable[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    on_result: Callable[[RunResult], None] | None = None,
    progress: bool = True,
    fresh_kernels: bool = False,
    wait: bool = True,
    on_wait: Callable[[str], None] | None = None,
    kernel_reuse: int = KERNEL_REUSE,
) -> list[RunResult]:
    """Regenerate the report matrix; returns one result per selected report.

    Each worker keeps one kernel and resets it between reports (``fresh_kernels`` starts one per
    report instead); a kernel is replaced after a failed report and after ``kernel_reuse``
    reports. Only one run works in a checkout at a time: another waits for it (``on_wait`` is told
    once who holds the lock) or, with ``wait=False``, stops with an :class:`InputError` naming the
    lock file. Ctrl-C raises :class:`RunInterrupted` within about a second, with the kernels shut
    down and every output the previous run left that was not replaced still in place.
    """
    all_specs = specs = load_matrix(project.matrix, project.notebooks, cache_dir=project.cache)
    if only:
        only = list(only)
        names = {s.name for s in specs}
        unknown = [n for n in only if n not in names]
        if unknown:
            raise InputError.parameter("only", f"unknown report {', '.join(map(repr, unknown))} (see reports.yaml)")
        specs = [s for s in specs if s.name in only]
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise InputError.parameter("jobs", f"must be at least 1 (got {jobs})")
    lock = RunLock(project.cache / LOCK_NAME)
    lock.acquire(wait=wait, on_wait=on_wait)
    try:
        results = _run_locked(project, specs, all_specs, jobs, force, on_result, progress, fresh_kernels, kernel_reuse)
    finally:
        lock.release()
    order = {s.name: i for i, s in enumerate(specs)}
    return sorted(results, key=lambda r: order.get(r.name, 0))


def _run_locked(project, specs, all_specs, jobs, force, on_result, progress, fresh_kernels, kernel_reuse) -> list[RunResult]:
    shared = inputs_fingerprint(project)
    results: list[RunResult] = []
    todo: list[tuple[ReportSpec, str]] = []
    for spec in specs:
        key = input_key(spec, project, shared)
        paths = output_paths(project, spec.name)
        unchanged = paths["key"].exists() and paths["key"].read_text() == key and paths["html"].exists()
        if unchanged and not force:
            results.append(RunResult(spec.name, "skipped", html=str(paths["html"].relative_to(project.root))))
            if on_result:
                on_result(results[-1])
        else:
            todo.append((spec, key))
    if todo:
        shutil.rmtree(project.cache / "run", ignore_errors=True)  # leftovers of an interrupted run (we hold the lock)
        # Kernels inherit the environment: make every notebook read this project's data. The
        # variable is put back after the run, so that it never leaks into a later run (or
        # Project) of the same process.
        data_before = os.environ.get("WORKBENCH_DATA")
        os.environ["WORKBENCH_DATA"] = str(project.data.resolve())
        run = _Run(project, todo, {}, fresh_kernels, max(1, kernel_reuse))
        in_main = threading.current_thread() is threading.main_thread()
        previous_term = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main else None
        bar = None
        try:
            run.versions.update(_versions(project))
            if progress:
                from tqdm import tqdm

                bar = tqdm(total=len(todo), desc="reports", unit="report", file=sys.stderr, leave=False)
            threads = [threading.Thread(target=run.work, args=(w,), name=f"report-worker-{w}", daemon=True)
                       for w in range(min(jobs, len(todo)))]
            for t in threads:
                t.start()
            done = 0
            while done < len(todo) and any(t.is_alive() for t in threads) or not run.results.empty():
                try:
                    result = run.results.get(timeout=0.1)
                except queue.Empty:
                    continue
                done += 1
                results.append(result)
                if bar is not None:
                    bar.update(1)
                if on_result:
                    on_result(result)
        except KeyboardInterrupt:
            results += _interrupt(run, threads if "threads" in locals() else [], todo, results)
            if bar is not None:
                bar.close()
            order = {s.name: i for i, s in enumerate(specs)}
            raise RunInterrupted(sorted(results, key=lambda r: order.get(r.name, 0))) from None
        finally:
            if previous_term is not None:
                signal.signal(signal.SIGTERM, previous_term)
            if data_before is None:
                os.environ.pop("WORKBENCH_DATA", None)
            else:
                os.environ["WORKBENCH_DATA"] = data_before
        if bar is not None:
            bar.close()
        finished = {r.name for r in results}
        for spec, _ in todo:  # a worker that died without a word (it should not happen): say so
            if spec.name not in finished:
                results.append(RunResult(spec.name, "failed", error="the report's worker stopped before it finished"))
        shutil.rmtree(project.cache / "run", ignore_errors=True)
    if not any(r.status == "failed" for r in results) and (todo or not (project.reports / "index.html").exists()):
        # The index describes the outputs on disk; after a failure those are partly the previous
        # run's, so it is left as it was until every report succeeds. With nothing regenerated it
        # is already right (anything it shows is in some report's key), and not importing jinja2
        # keeps the nothing-changed rebuild fast.
        from workbench.present.export import write_index

        write_index(project, all_specs)
    return results


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def _interrupt(run: _Run, threads: list[threading.Thread], todo: list[tuple[ReportSpec, str]], results: list[RunResult]) -> list[RunResult]:
    """Stop a run: no new report starts, kernels are killed, a report being put in place finishes."""
    previous_int = signal.signal(signal.SIGINT, signal.SIG_IGN) if threading.current_thread() is threading.main_thread() else None
    # papermill logs "Kernel died while waiting for execute reply" for the kernels we kill: expected here.
    papermill_log = logging.getLogger("papermill")
    was_disabled, papermill_log.disabled = papermill_log.disabled, True
    try:
        run.stop.set()
        run.kill_all()
        # Workers notice their dead kernel within about a second; do not wait longer than that.
        deadline = time.monotonic() + INTERRUPT_GRACE
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        run.kill_all()  # a kernel that started while we waited
        acquired = run.commit.acquire(timeout=5)  # an os.replace sequence takes milliseconds
        try:
            extra: list[RunResult] = []
            with run.guard:  # results and the running set change together under this lock
                while not run.results.empty():
                    extra.append(run.results.get_nowait())
                running = dict(run.running)
            finished = {r.name for r in results} | {r.name for r in extra}
            now = time.perf_counter()
            for spec, _ in todo:
                if spec.name in finished:
                    continue
                if spec.name in running:
                    extra.append(RunResult(spec.name, "interrupted", now - running[spec.name]))
                else:
                    extra.append(RunResult(spec.name, "not started"))
            return extra
        finally:
            if acquired:
                run.commit.release()
    finally:
        papermill_log.disabled = was_disabled
        if previous_int is not None:
            signal.signal(signal.SIGINT, previous_int)


def _versions(project: Project) -> dict[str, str]:
    from workbench.model.checked import validate

    ds = validate(project.data)  # every data file, weights.yaml included, before any report runs
    packages = ", ".join(f"{name} {version}" for name, version in package_versions().items())
    return {"data_version": ds.data_version, "taxonomy_version": ds.taxonomy_version, "packages": packages}
