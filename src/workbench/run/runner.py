"""The runner that regenerates the report matrix with papermill, one kernel per worker.

Each report is executed into a temporary file, exported to HTML, and only then renamed into
place; a report whose inputs (notebook, parameters, the documents it names, data, library code,
package versions) are unchanged and whose outputs are all in place is skipped
(:mod:`workbench.run.freshness`: the cache is a hint, anything in it that cannot be trusted means
"changed"). A failing report keeps its last good output; its executed notebook goes to
``reports/.failed/`` for debugging. Each worker reuses one kernel, reset between reports; one run
at a time per checkout (a lock at its root); Ctrl-C stops a run within a second or two.
"""
from __future__ import annotations

import logging
import os
import queue
import shutil
import signal
import sys
import threading
import time
from typing import Any, Callable, Iterable

from workbench.model.errors import InputError, warn
from workbench.run.durations import DURATIONS_NAME, longest_first, read_durations, write_durations
from workbench.run.fingerprint import input_key, inputs_fingerprint, package_versions
from workbench.run.freshness import RECORD_NAME, clean_leftovers, figures_made, is_up_to_date, read_record, write_record
from workbench.run.kernels import KERNEL_REUSE, KernelPool
from workbench.run.lock import LOCK_NAME, RunLock
from workbench.run.matrix import ReportSpec, load_matrix
from workbench.run.project import Project, output_paths
from workbench.run.report import run_report
from workbench.run.results import RunInterrupted, RunResult, error_text

__all__ = ["MAX_JOBS", "INTERRUPT_GRACE", "default_jobs", "run_reports"]

#: More kernels than this start to contend for ports and memory on small machines.
MAX_JOBS = 4
#: After Ctrl-C, how long the workers get to notice their killed kernels before the run reports.
INTERRUPT_GRACE = 0.8


def default_jobs() -> int:
    """Reports run at once by default: the machine's cores, at most :data:`MAX_JOBS`."""
    return max(1, min(os.cpu_count() or 1, MAX_JOBS))


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
        self.kernels = KernelPool(project.notebooks, self.guard, self.stop)
        self.running: dict[str, float] = {}
        #: Set once the data is checked: the workers start their kernels meanwhile, then wait for it.
        self.ready = threading.Event()

    def _start_early(self, worker: int) -> Any:
        """The worker's first kernel, started while the main thread checks the data (``None`` if it fails:
        the first report then tries again and reports the failure)."""
        try:
            return self.kernels.start(worker)
        except Exception:  # noqa: BLE001 - reported by the first report's own attempt
            return None

    def work(self, worker: int) -> None:
        """One worker: take reports from the queue and run them on its kernel until none is left or the run stops."""
        km, used = self._start_early(worker), 0
        try:
            while not self.ready.wait(0.1):
                if self.stop.is_set():
                    return
            while not self.stop.is_set():
                try:
                    spec, key = self.tasks.get_nowait()
                except queue.Empty:
                    return
                with self.guard:
                    if self.stop.is_set():
                        return
                    self.running[spec.name] = time.perf_counter()
                if km is not None and used and (self.fresh or used >= self.reuse):  # the early kernel is fresh
                    self.kernels.shut_down(worker, km, now=False)
                    km = None
                try:
                    if km is None:
                        km, used = self.kernels.start(worker), 0
                    result = run_report(spec, self.project, key, self.versions, km, used > 0, self.stop, self.commit)
                except Exception as exc:  # noqa: BLE001 - export or file errors: reported like a failing cell
                    result = RunResult(spec.name, "failed", error=error_text(exc))
                used += 1
                if result.status in ("failed", "interrupted") and km is not None:
                    # A failed report may have left the kernel in any state: the next one gets a new kernel.
                    self.kernels.shut_down(worker, km, now=True)
                    km = None
                with self.guard:
                    self.running.pop(spec.name, None)
                    self.results.put(result)
        finally:
            if km is not None:
                self.kernels.shut_down(worker, km, now=self.stop.is_set())


def _chosen(specs: list, only: list[str]) -> list:
    """The reports ``only`` names, in the matrix's order; a grid's entry name stands for all of its reports."""
    names = {s.name for s in specs} | {s.group for s in specs if s.group}
    unknown = [n for n in only if n not in names]
    if unknown:
        raise InputError.parameter("only", f"unknown report {', '.join(map(repr, unknown))} (see reports.yaml; "
                                           f"a grid's entry name runs all its reports)")
    return [s for s in specs if s.name in only or (s.group and s.group in only)]


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
    for folder in (project.reports, project.figures):  # every output and the cache live in these: one line, not one per report
        if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
            raise InputError.single(folder, 0, "is a file, expected the folder the reports are written to (move the file aside)")
    all_specs = specs = load_matrix(project.matrix, project.notebooks, cache_dir=project.cache, data_dir=project.data)
    if only:
        specs = _chosen(specs, list(only))
    jobs = default_jobs() if jobs is None else jobs
    if jobs < 1:
        raise InputError.parameter("jobs", f"must be at least 1 (got {jobs})")
    lock = RunLock(project.root / LOCK_NAME)
    lock.acquire(wait=wait, on_wait=on_wait)
    try:
        results = _run_locked(project, specs, all_specs, jobs, force, on_result, progress, fresh_kernels, kernel_reuse)
    finally:
        lock.release()
    order = {s.name: i for i, s in enumerate(specs)}
    return sorted(results, key=lambda r: order.get(r.name, 0))


def _run_locked(project, specs, all_specs, jobs, force, on_result, progress, fresh_kernels, kernel_reuse) -> list[RunResult]:
    """The run once the lock is held: skip what is unchanged, run the rest, then write the index if nothing failed."""
    results, todo = _plan(project, specs, force, on_result)
    if todo:
        _run_todo(project, specs, todo, results, jobs, on_result, progress, fresh_kernels, kernel_reuse)
    if not any(r.status == "failed" for r in results) and (todo or not (project.reports / "index.html").exists()):
        # The index describes the outputs on disk; after a failure those are partly the previous
        # run's, so it is left as it was until every report succeeds. With nothing regenerated it
        # is already right (anything it shows is in some report's key), and not importing jinja2
        # keeps the nothing-changed rebuild fast.
        # deferred: jinja2 and pandas load only when the index is written
        from workbench.present.export import write_index

        write_index(project, all_specs)
    return results


def _plan(project: Project, specs: list[ReportSpec], force: bool,
          on_result: Callable[[RunResult], None] | None) -> tuple[list[RunResult], list[tuple[ReportSpec, str]]]:
    """The reports that are up to date (skipped, each told to ``on_result``), and those to run with their keys.

    Up to date: the key kept by its last run is its key now and every output of that run is in place
    (:func:`~workbench.run.freshness.is_up_to_date`); a kept key or record that cannot be trusted
    counts as "changed". Leftovers of an interrupted run are removed first.
    """
    shared = inputs_fingerprint(project)
    clean_leftovers(project, [spec.name for spec in specs])
    record = {} if force else read_record(project.cache / RECORD_NAME)
    results: list[RunResult] = []
    todo: list[tuple[ReportSpec, str]] = []
    for spec in specs:
        key = input_key(spec, project, shared)
        paths = output_paths(project, spec.name)
        if not force and is_up_to_date(project, spec.name, key, record.get(spec.name)):
            paths["failed"].unlink(missing_ok=True)  # the failure of inputs that are no longer current
            results.append(RunResult(spec.name, "skipped", html=str(paths["html"].relative_to(project.root))))
            if on_result:
                on_result(results[-1])
        else:
            todo.append((spec, key))
    return results, todo


def _record_made(project: Project, todo: list[tuple[ReportSpec, str]], results: list[RunResult]) -> None:
    """Write down what each report that succeeded put in place (its key and its figures)."""
    keys = {spec.name: key for spec, key in todo}
    made = {r.name: figures_made(output_paths(project, r.name)["figures"], keys[r.name], output_paths(project, r.name)["annex"])
            for r in results if r.status == "ok" and r.name in keys}
    try:
        write_record(project.cache / RECORD_NAME, made)
    except InputError as exc:  # the outputs are in place; without the record the next run checks folders
        warn(project.cache / RECORD_NAME, f"not written ({exc.problems[0].message})")


def _run_todo(project, specs, todo, results, jobs, on_result, progress, fresh_kernels, kernel_reuse) -> None:
    """Run the reports of ``todo`` on at most ``jobs`` workers, appending their results to ``results``
    (the leftovers of an interrupted run were removed by :func:`_plan`)."""
    # Kernels inherit the environment: make every notebook read this project's data. The
    # variable is put back after the run, so that it never leaks into a later run (or
    # Project) of the same process.
    data_before = os.environ.get("WORKBENCH_DATA")
    os.environ["WORKBENCH_DATA"] = str(project.data.resolve())
    timings = project.cache / DURATIONS_NAME
    if jobs > 1:  # one worker takes as long in any order: it keeps the matrix's, as a reader expects
        todo = longest_first(todo, [spec.name for spec, _ in todo], read_durations(timings))
    run = _Run(project, todo, {}, fresh_kernels, max(1, kernel_reuse))
    in_main = threading.current_thread() is threading.main_thread()
    previous_term = signal.signal(signal.SIGTERM, _raise_interrupt) if in_main else None
    bar = None
    threads: list[threading.Thread] = []  # none yet, should Ctrl-C come before they start
    try:
        if progress:
            from tqdm import tqdm  # deferred: only a run that executes reports shows a progress bar

            bar = tqdm(total=len(todo), desc="reports", unit="report", file=sys.stderr, leave=False)
        threads = [threading.Thread(target=run.work, args=(w,), name=f"report-worker-{w}", daemon=True)
                   for w in range(min(jobs, len(todo)))]
        for t in threads:
            t.start()  # the kernels start while the data is checked
        try:
            run.versions.update(_versions(project, [spec for spec, _ in todo]))
        except Exception:
            _abandon(run, threads)
            if bar is not None:
                bar.close()  # the error's lines, not a stopped progress bar, are what the run leaves
            raise
        run.ready.set()
        _collect(run, threads, len(todo), results, bar, on_result)
    except KeyboardInterrupt:
        results += _interrupt(run, threads, todo, results)
        _record_made(project, todo, results)
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
    write_durations(timings, {r.name: r.seconds for r in results if r.status == "ok"})
    _record_made(project, todo, results)
    shutil.rmtree(project.cache / "run", ignore_errors=True)


def _collect(run: _Run, threads: list[threading.Thread], total: int, results: list[RunResult], bar: Any,
             on_result: Callable[[RunResult], None] | None) -> None:
    """Take the workers' results as they come, until all ``total`` are in or no worker is left."""
    done = 0
    while done < total and any(t.is_alive() for t in threads) or not run.results.empty():
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


def _abandon(run: _Run, threads: list[threading.Thread]) -> None:
    """Stop a run before any report started (the data did not pass): kill the early kernels."""
    run.stop.set()
    run.kernels.kill_all()
    for t in threads:
        t.join(timeout=5)


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
        run.kernels.kill_all()
        # Workers notice their dead kernel within about a second; do not wait longer than that.
        deadline = time.monotonic() + INTERRUPT_GRACE
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        run.kernels.kill_all()  # a kernel that started while we waited
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


def _versions(project: Project, specs: list) -> dict[str, str]:
    """The data's and the taxonomy's versions and the packages', for each report's footer (the data,
    and the parameters of ``specs`` against it, checked first)."""
    from workbench.model.checked import validate  # deferred: pydantic and pandas load only when reports are run
    from workbench.run.preflight import parameter_problems  # deferred: as above

    ds = validate(project.data)  # every data file, weights.yaml included, before any report runs
    problems = parameter_problems(ds, specs, project.matrix)
    if problems:
        raise InputError(problems)
    packages = ", ".join(f"{name} {version}" for name, version in package_versions().items())
    return {"data_version": ds.data_version, "taxonomy_version": ds.taxonomy_version, "packages": packages}
