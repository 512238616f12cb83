"""The report matrix (``reports.yaml``) and the runner that regenerates it with papermill.

Each report is executed into a temporary file, exported to HTML, and only then renamed into
place; a report whose inputs (notebook, parameters, data, library code) are unchanged is
skipped. A failing report keeps its last good output; its executed notebook goes to
``reports/.failed/`` for debugging.
"""
from __future__ import annotations

import ast
import hashlib
import json
import os
import shutil
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from .errors import InputError, Problem
from .outputs import atomic_write
from .sourcefile import read_bytes, read_text, read_yaml
from .validate import report_entry_problems

__all__ = [
    "ReportSpec",
    "NotebookParameter",
    "notebook_parameters",
    "load_matrix",
    "Project",
    "input_key",
    "RunResult",
    "run_reports",
    "default_jobs",
]

#: Parameters the runner sets itself; a report may not set them in reports.yaml.
RUNNER_PARAMETERS = ("figures_dir",)
#: More kernels than this start to contend for ports and memory on small machines.
MAX_JOBS = 4


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


def notebook_parameters(path: str | os.PathLike) -> dict[str, NotebookParameter]:
    """Parameters declared in the notebook's cell tagged ``parameters`` (name, type, default, comment),
    as ``papermill --help-notebook`` reads them (:func:`papermill.inspect_notebook`)."""
    read_notebook(path)  # a broken notebook is named here, not in papermill's traceback
    import papermill  # deferred: a second of start-up, needed only by the runner

    try:
        found = papermill.inspect_notebook(str(path))
    except Exception as exc:  # nbformat refusing the notebook's structure
        raise InputError.single(path, 0, f"not a valid notebook: {' '.join(str(exc).split())[:200]}") from None
    return {
        name: NotebookParameter(name, "" if p["inferred_type_name"] == "None" else p["inferred_type_name"],
                                p["default"], p["help"])
        for name, p in found.items()
    }


@dataclass(frozen=True)
class ReportSpec:
    """One entry of ``reports.yaml``."""

    name: str
    notebook: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    line: int = 0

    def display_title(self) -> str:
        return self.title or self.name.replace("-", " ").capitalize()


def load_matrix(path: str | os.PathLike, notebooks_dir: str | os.PathLike) -> list[ReportSpec]:
    """Read and check ``reports.yaml``; every bad entry gives one ``path:line: report 'x': ...`` problem."""
    doc = read_yaml(path)
    notebooks_dir = Path(notebooks_dir)
    entries = doc.data.get("reports") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError.single(path, 1, "expected a mapping with a non-empty list 'reports'")
    problems: list[Problem] = []
    specs: list[ReportSpec] = []
    seen: dict[str, int] = {}
    params_cache: dict[str, dict[str, NotebookParameter] | InputError] = {}

    def declared(notebook: str) -> dict[str, NotebookParameter]:
        if notebook not in params_cache:
            try:
                params_cache[notebook] = notebook_parameters(notebooks_dir / notebook)
            except InputError as exc:
                params_cache[notebook] = exc
        found = params_cache[notebook]
        if isinstance(found, InputError):
            raise found
        return found

    for i, entry in enumerate(entries):
        found = report_entry_problems(entry, doc, ("reports", i), notebooks_dir, seen, declared, RUNNER_PARAMETERS)
        problems.extend(found)
        if not found:
            specs.append(ReportSpec(entry["name"], entry["notebook"], entry["description"].strip(),
                                    dict(entry.get("parameters") or {}), str(entry.get("title") or ""),
                                    doc.line_of(("reports", i))))
    if problems:
        raise InputError(problems)
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
        package_root = Path(__file__).resolve().parents[2]
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


def inputs_fingerprint(project: Project) -> str:
    """Hash of what every report shares: the data and the library code (templates included)."""
    digest = hashlib.sha256()
    data = project.data
    _hash_tree((p for p in data.rglob("*") if p.is_file() and not p.name.startswith(".")), data, digest)
    lib = Path(__file__).resolve().parent
    _hash_tree((p for p in lib.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".json", ".yaml", ".css")), lib, digest)
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
    status: str  # "ok", "skipped", "failed"
    seconds: float = 0.0
    html: str = ""
    error: str = ""

    def summary_line(self) -> str:
        if self.status == "ok":
            return f"ok      {self.name:<40} {self.seconds:6.1f} s  {self.html}"
        if self.status == "skipped":
            return f"skipped {self.name:<40}   unchanged  {self.html}"
        return f"FAILED  {self.name:<40} {self.seconds:6.1f} s  {self.error}"


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
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def _error_text(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        count = getattr(exc, "exec_count", None)
        where = f"cell {count}: " if count else ""
        return f"{where}{ename}: {' '.join(str(evalue).split())}"[:300]
    return f"{type(exc).__name__}: {' '.join(str(exc).split())}"[:300]


def _run_one(spec: ReportSpec, project: Project, key: str, versions: dict[str, str]) -> RunResult:
    import papermill

    from .htmlreport import export_html

    paths = output_paths(project, spec.name)
    work = project.cache / "run" / f"{spec.name}-{os.getpid()}-{time.monotonic_ns()}"
    work.mkdir(parents=True, exist_ok=True)
    executed = work / f"{spec.name}.ipynb"
    staging_figures = work / "figures"
    staging_figures.mkdir()
    start = time.perf_counter()
    try:
        try:
            papermill.execute_notebook(
                str(project.notebooks / spec.notebook),
                str(executed),
                parameters={**spec.parameters, "figures_dir": str(staging_figures)},
                cwd=str(project.notebooks),
                kernel_name="python3",
                progress_bar=False,
                log_output=False,
                report_mode=False,
                # The kernel's own log (a plain-TCP notice at every start) is noise in a summary;
                # cell errors still reach us through the notebook's outputs.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
            )
        except Exception as exc:  # the notebook raised, or its kernel died
            if executed.exists():
                paths["failed"].parent.mkdir(parents=True, exist_ok=True)
                os.replace(executed, paths["failed"])
            return RunResult(spec.name, "failed", time.perf_counter() - start, error=_error_text(exc))
        html = export_html(executed, spec, versions)
        staged_html = work / f"{spec.name}.html"
        staged_html.write_bytes(html)
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
        shutil.rmtree(work, ignore_errors=True)


def run_reports(
    project: Project,
    only: Iterable[str] | None = None,
    jobs: int | None = None,
    force: bool = False,
    on_result: Callable[[RunResult], None] | None = None,
    progress: bool = True,
) -> list[RunResult]:
    """Regenerate the report matrix; returns one result per selected report."""
    all_specs = specs = load_matrix(project.matrix, project.notebooks)
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
        shutil.rmtree(project.cache / "run", ignore_errors=True)  # leftovers of an interrupted run
        # Kernels inherit the environment: make every notebook read this project's data.
        os.environ["WORKBENCH_DATA"] = str(project.data.resolve())
        versions = _versions(project)
        bar = None
        if progress:
            from tqdm import tqdm

            bar = tqdm(total=len(todo), desc="reports", unit="report", file=sys.stderr, leave=False)
        with ThreadPoolExecutor(max_workers=min(jobs, len(todo))) as pool:
            futures = {pool.submit(_run_one, spec, project, key, versions): spec for spec, key in todo}
            for future in as_completed(futures):
                try:
                    result = future.result()
                except Exception as exc:  # export or file errors: report them like a failing cell
                    result = RunResult(futures[future].name, "failed", error=_error_text(exc))
                results.append(result)
                if bar is not None:
                    bar.update(1)
                if on_result:
                    on_result(result)
        if bar is not None:
            bar.close()
    if not any(r.status == "failed" for r in results):
        # The index describes the outputs on disk; after a failure those are partly the previous
        # run's, so it is left as it was until every report succeeds.
        from .htmlreport import write_index

        write_index(project, all_specs)
    order = {s.name: i for i, s in enumerate(specs)}
    return sorted(results, key=lambda r: order.get(r.name, 0))


def _versions(project: Project) -> dict[str, str]:
    from .validate import validate

    ds = validate(project.data)  # every data file, weights.yaml included, before any report runs
    return {"data_version": ds.data_version, "taxonomy_version": ds.taxonomy_version}
