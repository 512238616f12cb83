"""The ``workbench`` sub-commands: each reads its parsed arguments, calls the library, prints or writes.

Each returns the exit status (:data:`EXIT_OK`, or :data:`EXIT_FAILED` for a run with a failing
report); bad input raises :class:`InputError`, which the command line prints. The analysis
libraries are imported inside each command, so that ``workbench --help`` starts at once.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Callable

from workbench.model.errors import InputError, display_path
from workbench.model.values import check_count
from workbench.run.agreement_command import cmd_agreement
from workbench.run.command_output import counted, csv_text, emit, owners, shortened, write_text
from workbench.run.results import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK

__all__ = ["EXIT_OK", "EXIT_FAILED", "EXIT_BAD_INPUT", "COMMANDS"]



def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _cmd_validate(args: argparse.Namespace) -> int:
    from workbench.model.checked import validate  # deferred: pydantic; a bad input is reported before pandas loads

    ds = validate(args.data)
    from workbench.model.catalogues import catalogue_problems  # deferred: Babel's reader, for valid data only

    problems = catalogue_problems()  # the interface's translations, which every report in ru and kk reads
    if problems:
        raise InputError(problems)
    from workbench.analysis.transferability import load_transferability  # deferred: pandas, for valid data only

    load_transferability(ds)  # data/transferability.yaml, where present: sources, concepts, indicator releases
    summary = ds.summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, sort_keys=True))
    else:
        print(
            f"ok: {counted(summary['frameworks'], 'framework')}, {counted(summary['items'], 'item')} from "
            f"{owners(summary['countries'])}, "
            + ", ".join(counted(summary[key], word) for key, word in (("practices", "practice"), ("indicators", "indicator"), ("sources", "source"),
                                                                      ("concepts", "concept"), ("mappings", "mapping"), ("options", "policy option")))
            + f", {counted(summary['quotes'], 'quote')} "
            f"(taxonomy {summary['taxonomy_version']}, data {summary['data_version']} in {display_path(summary['data_dir'])})"
        )
        if not (Path(summary["data_dir"]) / "weights.yaml").exists():
            print(f"note: {display_path(Path(summary['data_dir']) / 'weights.yaml')} not found: the data serves comparisons, "
                  "but recommend and the recommendations reports need it", file=sys.stderr)
    return EXIT_OK


def _cmd_suggest(args: argparse.Namespace) -> int:
    # deferred: the dataset and the suggestion model load pandas and scikit-learn; the checks stay out of --help
    from workbench.model.dataset import load, read_framework
    from workbench.analysis.suggest import fit_from_dataset, suggest_frame
    from workbench.model.validate import check_number

    check_count(args.top, "top")
    if args.threshold is not None:
        check_number(args.threshold, "threshold")  # finite; above the best score it flags every suggestion
        if not 0 <= args.threshold <= 1:  # scores and probabilities lie in [0, 1]
            raise InputError.parameter("threshold", f"must be between 0 and 1 (got {args.threshold:g})")
    framework, _ = read_framework(args.file)
    items = [(i.code, i.label, i.description) for i in framework.items]
    if args.model == "learned":
        from workbench.analysis.learned import suggest_framework  # deferred: as the other models, only for `suggest`

        frame = suggest_framework(ds := load(args.data), framework.id, items, framework.kind, args.top, args.threshold)
    else:
        frame = suggest_frame(fit_from_dataset(ds := load(args.data), threshold=args.threshold), framework.id, items, top=args.top)
    emit(frame, args.format, args.out, ds.concepts)
    return EXIT_OK


def _cmd_export_codebook(args: argparse.Namespace) -> int:
    # deferred: the dataset and the taxonomy load pandas and pydantic
    from workbench.model.dataset import load
    from workbench.model.outputs import atomic_write
    from workbench.model.taxonomy import codebook_xml

    ds = load(args.data)
    xml = codebook_xml(ds.concepts, ds.domains, lang=args.lang, origin=f"workbench taxonomy {ds.taxonomy_version}")
    if args.out is None:
        sys.stdout.write(xml.decode("utf-8"))
    else:
        atomic_write(args.out, xml)
        print(f"wrote {args.out} ({len(ds.concepts)} codes in {len(ds.domains)} domains)")
    return EXIT_OK


def _cmd_reports(args: argparse.Namespace) -> int:
    # deferred: the runner and the report matrix (yaml) load only for this command
    from workbench.run.project import Project
    from workbench.run.results import RunInterrupted
    from workbench.run.runner import run_reports

    project = Project.find()
    echo = lambda result: print(result.summary_line(), flush=True)  # noqa: E731
    if not args.no_progress:
        from tqdm import tqdm  # deferred: only a run with a progress bar pays for tqdm

        echo = lambda result: tqdm.write(result.summary_line())  # noqa: E731
    waiting = lambda message: print(f"{message} (Ctrl-C to stop waiting; --no-wait to exit at once)", file=sys.stderr, flush=True)  # noqa: E731
    try:
        results = run_reports(project, only=args.only, jobs=args.jobs, force=args.force, on_result=echo,
                              progress=not args.no_progress, fresh_kernels=args.fresh_kernels, wait=not args.no_wait,
                              on_wait=waiting)
    except RunInterrupted as stop:
        groups = {status: [r.name for r in stop.results if r.status == status] for status in ("ok", "skipped", "interrupted", "not started", "failed")}
        print("interrupted (Ctrl-C): outputs of reports that did not finish are those of the previous run", file=sys.stderr)
        for label, status in (("done", "ok"), ("unchanged", "skipped"), ("failed", "failed"), ("interrupted", "interrupted"), ("never started", "not started")):
            if groups[status]:
                print(f"  {label:<13} {', '.join(groups[status])}", file=sys.stderr)
        if groups["interrupted"] or groups["not started"]:
            print("the next `workbench reports` runs the interrupted and never-started reports", file=sys.stderr)
        sys.stderr.flush()
        sys.stdout.flush()
        # Leave now: the outputs are consistent (the runner waited for any report being put in
        # place) and the kernels are dead, but the killed kernels' client sockets, still held by
        # the worker threads, can keep the interpreter's shutdown waiting for many seconds.
        os._exit(130)
    failed = [r for r in results if r.status == "failed"]
    ran = sum(r.status == "ok" for r in results)
    skipped = sum(r.status == "skipped" for r in results)
    print(f"{ran} regenerated, {skipped} unchanged, {len(failed)} failed; index: reports/index.html")
    if failed:
        # Only the notebooks that are there: a report can fail before its notebook ran (export, disk).
        kept = [r.name for r in failed if (project.failed / f"{r.name}.ipynb").exists()]
        if kept:
            print(f"failed notebooks are kept in reports/.failed/ for debugging: {', '.join(kept)}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


# -- network (issue 4) ---------------------------------------------------------------------------
def _cmd_network(args: argparse.Namespace) -> int:
    # deferred: the comparison, the network (networkx) and the dataset load pandas
    from workbench.analysis.compare import cells, evidence, framework_matrix, select_countries
    from workbench.analysis.known import carrying_nothing, cell_states, country_coverage, knowable_cells, with_frameworks
    from workbench.model.dataset import load
    from workbench.model.schema import ORGANISATIONS
    from workbench.model.versions import out_of_force_countries
    from workbench.analysis.network import bipartite_graph, export_graph, graph_bytes, name_countries, overlap_graph
    from workbench.model.outputs import atomic_write_all
    from workbench.model.taxonomy import at_granularity

    # Country codes in upper case, as `recommend --peers` takes them.
    countries = [c.upper() for c in _csv_list(args.countries)] if args.countries is not None else None
    frameworks = _csv_list(args.frameworks) if args.frameworks is not None else None
    for option, given in (("--countries", countries), ("--frameworks", frameworks)):
        if given is not None and not given:
            raise InputError.single(option, 0, "empty list (give comma-separated codes)")
    if args.out.exists() and not args.out.is_dir():
        raise InputError.single(args.out, 0, "cannot write: is a file, and the output is a folder")
    ds = at_granularity(load(args.data, as_of=args.as_of), args.granularity)
    # as in the reports: a country without a framework at the level is left out and named, not drawn as zeros
    named = frameworks is not None  # frameworks the user named are drawn whatever their kind (a curriculum too)
    read = ds.frameworks if frameworks is None else ds.frameworks[ds.frameworks["framework_id"].isin(frameworks)]  # what is compared
    names, left_out = with_frameworks(read, select_countries(ds, countries, frameworks, args.include_organisations), args.level, named)
    why = ("none of the frameworks named" if named else "no framework") + (f" at the level '{args.level}'" if args.level else "")
    ev = evidence(ds, names, frameworks, args.level)
    if ev.empty:
        gone = f"; left out, with {why}: {', '.join(left_out)}" if left_out else ""
        raise InputError.single("--countries", 0, f"the selection holds no mapped item (check --countries, --frameworks and --level together){gone}")
    carriers = bipartite_graph(ev, nodes=names, concepts=ds.concepts)
    overlap = overlap_graph(carriers, min_weight=args.min_weight)
    graph = name_countries(export_graph(carriers, overlap), country_coverage(read, names, args.level, named))
    graph.graph.update(data_version=ds.data_version, taxonomy_version=ds.taxonomy_version,
                       level=args.level or "any", min_weight=float(args.min_weight), granularity=args.granularity)
    matrix = framework_matrix(ev, names, list(ds.concepts["concept_id"]), binary=args.binary)
    # a cell only partial sources stand behind is unknown, not 0: left empty
    knowable = knowable_cells(read, ds.concepts, names, args.level, named)
    matrix = matrix.astype(object).where(cell_states(matrix, knowable).ne("unknown"), "")
    # one output of five files: all written, or none replaced
    atomic_write_all({**{args.out / f"overlap.{fmt}": graph_bytes(graph, fmt) for fmt in ("graphml", "gexf", "json")},
                      args.out / "matrix.csv": csv_text(matrix, index=True, to_file=True),
                      args.out / "matrix_cells.csv": csv_text(cells(ev), to_file=True)})
    print(
        f"wrote {args.out}/: overlap.graphml, overlap.gexf, overlap.json, matrix.csv, matrix_cells.csv "
        f"({owners(names)}, {counted(carriers.number_of_nodes() - len(names), 'concept')}, "
        f"{counted(overlap.number_of_edges(), 'overlap edge')})"
        + (f"; left out, with {why}: {', '.join(left_out)}" if left_out else "")
        + (f"; drawn empty, as no item of theirs maps to a concept: {', '.join(empty)}" if (empty := carrying_nothing(ev, names, knowable)) else "")
        + (f"; no framework in force on {ds.as_of}: {', '.join(gone)}" if countries is None and frameworks is None
           and (gone := [c for c in out_of_force_countries(ds) if args.include_organisations or c not in ORGANISATIONS]) else "")
    )
    return EXIT_OK
# -- end network -----------------------------------------------------------------------------------


# -- recommend (issue 5) -------------------------------------------------------------------------
def _cmd_recommend(args: argparse.Namespace) -> int:
    # deferred: the recommendation engine and the dataset load pandas and pydantic
    from workbench.model.dataset import load
    from workbench.analysis.options import per_option
    from workbench.model.versions import frameworks_used
    from workbench.analysis.recommend import analyse, recommendations
    from workbench.present.markdown import render_markdown
    from workbench.model.taxonomy import at_granularity

    check_count(args.top, "top")
    peers = _csv_list(args.peers)
    if not peers:
        raise InputError.parameter("peers", "no peer countries given")
    ds = at_granularity(load(args.data, as_of=args.as_of), args.granularity)
    gaps = analyse(ds, peers, args.baseline, args.weights, scope=args.scope)
    recs = recommendations(gaps, top=args.top, draws=args.draws, seed=args.seed)
    if args.format == "markdown":
        text = render_markdown(gaps, recs, draws=args.draws, seed=args.seed)
    else:
        text = csv_text(per_option(recs, gaps.options).assign(as_of=str(ds.as_of), frameworks=frameworks_used(ds, gaps.peers)),
                    float_format="%.4g", to_file=args.out is not None)
    write_text(text, args.out)
    return EXIT_OK
# -- end recommend ---------------------------------------------------------------------------------


# -- options (issue 21) ---------------------------------------------------------------------------
def _cmd_options(args: argparse.Namespace) -> int:
    # deferred: the dataset and the register load pandas and pydantic
    from workbench.analysis.options import filter_options
    from workbench.model.dataset import load
    from workbench.model.taxonomy import at_granularity
    from workbench.present.markdown import frame_markdown, options_json, options_markdown, options_table

    given = (("--concept", args.concept), ("--phase", args.phase), ("--instrument", args.instrument), ("--corps", args.corps))
    for flag, value in given:  # as network's --countries: an empty list is a slip, not "no filter"
        if value is not None and not _csv_list(value):
            raise InputError.single(flag, 0, "empty list (give comma-separated values, or leave the option out)")
    ds = at_granularity(load(args.data), args.granularity)
    filters = [flag for flag, value in (*given, ("--review", args.review)) if value]
    if args.quotes and filters:  # the quotes are listed whole: a filter of the options would be ignored
        raise InputError.parameter("quotes", f"lists every quote of the register: the options' filters ({', '.join(filters)}) do not apply to it")
    if args.quotes:
        frame = ds.quotes.drop(columns=["file", "line"])
        text = frame.to_json(orient="records", force_ascii=False, indent=1) + "\n" if args.format == "json" else (
            csv_text(frame, to_file=args.out is not None) if args.format == "csv" else frame_markdown(frame))
    else:
        found = filter_options(ds.options, _csv_list(args.concept) if args.concept else None,
                               _csv_list(args.phase) if args.phase else None,
                               _csv_list(args.instrument) if args.instrument else None,
                               _csv_list(args.corps) if args.corps else None, args.review, args.lang,
                               known_concepts=ds.concepts["concept_id"])
        render = {"csv": lambda f: csv_text(options_table(f, args.lang), to_file=args.out is not None),
                  "json": lambda f: options_json(f, args.lang), "markdown": lambda f: options_markdown(f, ds.sources, args.lang, ds.concepts, ds.options)}
        text = render[args.format](found)
    write_text(text, args.out)
    return EXIT_OK
# -- end options -----------------------------------------------------------------------------------


# -- versions (issue 28) ---------------------------------------------------------------------------
def _cmd_versions(args: argparse.Namespace) -> int:
    # deferred: the dataset and the crosswalk load pandas
    from workbench.analysis.changes import lineage_changes
    from workbench.model.dataset import load
    from workbench.model.versions import versions_in_force

    if args.as_of is not None:
        frame = versions_in_force(load(args.data, as_of=args.as_of))
    else:
        frame = lineage_changes(load(args.data, all_versions=True))
    # a file named .csv gets CSV (a review found an aligned table in v.csv); printed, a table reads best
    fmt = args.format or ("csv" if args.out is not None and args.out.suffix.lower() == ".csv" else "table")
    emit(frame, fmt, args.out)
    return EXIT_OK
# -- end versions ----------------------------------------------------------------------------------


# -- pdf (issue 27) --------------------------------------------------------------------------------
def _cmd_pdf(args: argparse.Namespace) -> int:
    # deferred: Playwright is a test extra, loaded only to print
    from workbench.run.pdf import write_pdfs
    from workbench.run.project import Project

    written = write_pdfs(Project.find().reports, args.only)
    print(f"wrote {len(written)} PDF{'s' if len(written) != 1 else ''} to reports/pdf/")
    return EXIT_OK
# -- end pdf ---------------------------------------------------------------------------------------


# -- code (issue 9) -------------------------------------------------------------------------------
def _cmd_code(args: argparse.Namespace) -> int:
    # deferred: the coder, the dataset and the reader of text files load pandas, scikit-learn and yaml
    from workbench.analysis.coding import code_document, for_review
    from workbench.model.dataset import load
    from workbench.model.sourcefile import read_text
    from workbench.analysis.suggest import fit_from_dataset
    from workbench.model.taxonomy import at_granularity
    from workbench.model.validate import check_number, text_file_problem

    check_count(args.top, "top")
    if args.threshold is not None:
        check_number(args.threshold, "threshold", 0, 1)
    if args.review and args.format != "csv":
        raise InputError.single("--review", 0, "a review file is CSV; drop --format table")
    text = read_text(args.file)  # a binary or non-UTF-8 file fails here, before the data is loaded
    unfit = text_file_problem(args.file, text)  # a control character would break the review file's quotes
    if unfit is not None:
        raise InputError([unfit])
    model = fit_from_dataset(ds := at_granularity(load(args.data), args.granularity))
    frame = code_document(model, text, args.file.name, lang=args.lang, threshold=args.threshold, top=args.top)
    if args.review:
        frame = for_review(frame)
    if args.format == "table":
        frame = frame.assign(quote=[shortened(q, 80) for q in frame["quote"]])
    unknown, elsewhere = frame.attrs.get("unknown_language", []), frame.attrs.get("other_script", [])
    emit(frame, args.format, args.out, ds.concepts)
    # Said on stderr, so the CSV on stdout stays a clean table.
    if unknown:
        print(f"{args.file}: {len(unknown)} passage(s) in a language the taxonomy has no words in were not coded "
              f"(first at characters {unknown[0][0]}-{unknown[0][1]})", file=sys.stderr)
    if elsewhere:
        print(f"{args.file}: {len(elsewhere)} passage(s) written in another script than --lang {args.lang} were not coded "
              f"(first at characters {elsewhere[0][0]}-{elsewhere[0][1]}); --lang auto takes each passage's language from its letters",
              file=sys.stderr)
    if args.out is not None:
        passages = frame[["start", "end"]].drop_duplicates().shape[0]
        print(f"wrote {args.out} ({len(frame)} codings of {passages} passages)")
    return EXIT_OK
# -- end code ---------------------------------------------------------------------------------------


#: The sub-commands by name: each takes the parsed arguments and returns the exit status.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "reports": _cmd_reports,
    "validate": _cmd_validate,
    "suggest": _cmd_suggest,
    "agreement": cmd_agreement,
    "export-codebook": _cmd_export_codebook,
    "network": _cmd_network,
    "recommend": _cmd_recommend,  # issue 5
    "options": _cmd_options,  # issue 21
    "versions": _cmd_versions,  # issue 28
    "pdf": _cmd_pdf,  # issue 27
    "code": _cmd_code,  # issue 9
}
