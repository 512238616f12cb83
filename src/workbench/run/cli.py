"""The ``workbench`` command: a thin front door over the library's functions.

Exit status: 0 success, 2 bad input (one ``path:line: message`` line per problem), 1 a run
that failed (a report that raised).
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable

from workbench.model.defaults import CODING_THRESHOLD, DEFAULT_BASELINE, DEFAULT_PEERS, LEARNED_THRESHOLD, WORDS_THRESHOLD
from workbench.model.errors import InputError, os_error_text
from workbench.run.commands import COMMANDS, EXIT_BAD_INPUT

__all__ = ["main", "build_parser"]


#: Library functions name their parameters; the user typed these flags.
FLAGS = {
    "peers": "--peers", "baseline": "--baseline", "scope": "--scope", "top": "--top", "draws": "--draws", "seed": "--seed",
    "weights": "--weights", "only": "--only", "jobs": "--jobs", "min_weight": "--min-weight",
    "countries": "--countries", "frameworks": "--frameworks", "level": "--level", "threshold": "--threshold",
    "as_of": "--as-of", "concept": "--concept", "phase": "--phase", "instrument": "--instrument", "corps": "--corps", "review": "--review", "quotes": "--quotes",
}


def _format_option(p: argparse.ArgumentParser, choices: list[str], default: str | None, help: str | None = None) -> None:
    """``--format`` with ``choices``, remembered (``formats``) so that an ``--out`` name can be judged against them."""
    p.add_argument("--format", choices=choices, default=default, help=help)
    p.set_defaults(formats=tuple(choices))


def _named_path(text: str) -> Path:
    """argparse type of an output: an empty name would be read as the current folder."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty name: give a file or folder")
    return Path(text)


def _finite(text: str) -> float:
    """argparse type of every number flag: ``nan`` and ``inf`` parse as floats but mean nothing here."""
    from workbench.model.validate import number_problem  # deferred: the checks load only when a number flag is given

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    message = number_problem(value)
    if message:
        raise argparse.ArgumentTypeError(message)
    return value


class _Parser(argparse.ArgumentParser):
    """Usage mistakes get one line and exit 2, like every other bad input.

    ``describe`` (a callable) writes the description only when help is shown, so that building the
    parser imports nothing heavy.
    """

    def __init__(self, *args, describe: Callable[[], str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self._describe = describe

    def format_help(self) -> str:
        if self._describe is not None:
            self.description, self._describe = self._describe(), None
        return super().format_help()

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``workbench`` argument parser, one sub-parser per command.

    Returns
    -------
    The parser; building it imports nothing heavy (a description that would is written only
    when help is shown).
    """
    parser = _Parser(
        prog="workbench",
        description="Compare civil-service competency frameworks and derive cited recommendations for Kazakhstan.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__import__('workbench').__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)
    _add_validate(sub)
    _add_reports(sub)
    _add_suggest(sub)
    _add_agreement(sub)
    _add_export_codebook(sub)
    _add_network(sub)
    _add_recommend(sub)
    _add_options(sub)
    _add_versions(sub)
    _add_pdf(sub)
    _add_code(sub)
    return parser


def _add_validate(sub) -> None:
    p = sub.add_parser("validate", help="load and check every file in data/")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: ./data or the checkout's data/)")
    p.add_argument("--json", action="store_true", help="print one JSON object of counts")


def _add_reports(sub) -> None:
    p = sub.add_parser("reports", help="regenerate the report matrix (reports.yaml) with papermill and nbconvert")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these reports (a grid's entry name: all of its reports)")
    p.add_argument("--jobs", type=int, default=None, help="reports run at once (default: cores, at most 4)")
    p.add_argument("--force", action="store_true", help="rerun reports whose inputs have not changed")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (logs, CI)")
    p.add_argument("--fresh-kernels", action="store_true",
                   help="start a new kernel for every report (default: each worker reuses one, reset between reports)")
    p.add_argument("--no-wait", action="store_true", help="if another run is in progress in this checkout, exit at once (status 2) instead of waiting")


def _add_suggest(sub) -> None:
    p = sub.add_parser("suggest", help="propose taxonomy concepts for the items of a new framework file")
    p.add_argument("file", type=Path, help="framework YAML (see README, 'Adding a framework')")
    p.add_argument("--top", type=int, default=3, help="concepts per item (default 3)")
    _format_option(p, ["csv", "table"], "csv")
    p.add_argument("--threshold", type=_finite, default=None, help=f"score below which a suggestion needs review (default {LEARNED_THRESHOLD}; {WORDS_THRESHOLD} with --model words)")
    p.add_argument("--model", choices=["learned", "words"], default="learned",
                   help="learned: trained on the curated crosswalk (default); words: matches the concepts' labels, definitions and aliases")
    p.add_argument("--out", type=_named_path, default=None, help="write to this file instead of standard output")
    p.add_argument("--data", type=Path, default=None, help="data folder")


def _add_agreement(sub) -> None:
    p = sub.add_parser("agreement", help="Cohen's kappa between two coders' crosswalks (.tsv), mapping passes (data/coding/*.tsv) or codings (.csv)")
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)
    p.add_argument("--data", type=Path, default=None, help="data folder (mapping passes are compared over its items and concepts)")


def _add_export_codebook(sub) -> None:
    p = sub.add_parser("export-codebook", help="write the taxonomy as a REFI-QDA codebook for NVivo, ATLAS.ti, MAXQDA")
    _format_option(p, ["qdc"], "qdc")
    p.add_argument("--lang", choices=["en", "ru", "kk"], default="en", help="language of code names")
    p.add_argument("--out", type=_named_path, default=None, help="output .qdc file (default: standard output)")
    p.add_argument("--data", type=Path, default=None, help="data folder")


# -- network (issue 4)
def _add_network(sub) -> None:
    p = sub.add_parser("network", help="export the country-concept overlap network (GraphML, GEXF, JSON) and the framework matrix")
    p.add_argument("--out", type=_named_path, required=True, help="output folder")
    p.add_argument("--countries", default=None, help="comma-separated country codes (default: every country, without OECD/EU)")
    p.add_argument("--frameworks", default=None, help="comma-separated framework ids (default: every framework)")
    p.add_argument("--level", default=None,
                   help="only frameworks of this level: all (whole civil service), senior or leaders (default: every level)")
    p.add_argument("--min-weight", type=_finite, default=0.0, help="drop overlap edges whose Jaccard is below this (0-1)")
    p.add_argument("--binary", action="store_true", help="matrix.csv holds 0/1 instead of item counts")
    p.add_argument("--include-organisations", action="store_true", help="with no --countries, keep OECD and EU too")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD", help="the frameworks in force on this date (default: today)")
    p.add_argument("--granularity", choices=["fine", "broad"], default="fine",
                   help="concept level: fine (as curated) or broad (narrower concepts rolled up to their broader one)")
    p.add_argument("--data", type=Path, default=None, help="data folder")


# -- recommend (issue 5)
def _describe_recommend() -> str:
    from workbench.model.settings import SCORE_EXPLANATION  # deferred: the settings load pydantic; only help shows this

    return ("Rank cited recommendations for Kazakhstan: per concept, Kazakhstan's status (absent, partial, "
            "present) with its evidence, the policy options of the register (data/options/) that serve it, "
            "the governance context, and agreement with the source papers as a finding. The CSV has one row "
            "per option, with its concept's rank. " + SCORE_EXPLANATION)


def _add_recommend(sub) -> None:
    p = sub.add_parser("recommend", help="rank cited adaptation recommendations for Kazakhstan", describe=_describe_recommend)
    p.add_argument("--peers", default=",".join(DEFAULT_PEERS),
                   help=f"comma-separated ISO codes of peer countries (default {','.join(DEFAULT_PEERS)})")
    p.add_argument("--baseline", default=DEFAULT_BASELINE,
                   help=f"Kazakh baseline named in data/weights.yaml: listening_state, curriculum or both (default {DEFAULT_BASELINE})")
    p.add_argument("--weights", type=Path, default=None, help="weights file (layout of data/weights.yaml) overriding the defaults")
    p.add_argument("--top", type=int, default=10, help="number of recommendations (default 10)")
    _format_option(p, ["csv", "markdown"], "csv")
    p.add_argument("--draws", type=int, default=500, help="random weight draws for the stability column (default 500; 0 skips; at most 100,000)")
    p.add_argument("--seed", type=int, default=0, help="seed of the weight draws (default 0)")
    p.add_argument("--scope", default=None,
                   help="separate (default: individual competencies and system reforms in two lists), all (one list), "
                        "individual or system (that list only)")
    p.add_argument("--granularity", choices=["fine", "broad"], default="fine",
                   help="concept level: fine (as curated) or broad (narrower concepts rolled up to their broader one)")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                   help="the frameworks in force on this date (default: today); the output names the versions used")
    p.add_argument("--out", type=_named_path, default=None, help="write to this file instead of standard output")
    p.add_argument("--data", type=Path, default=None, help="data folder")


# -- options (issue 21)
def _add_options(sub) -> None:
    p = sub.add_parser("options", help="list and filter the register of policy options (data/options/)")
    p.add_argument("--concept", default=None, help="comma-separated concept ids: options serving any of them")
    p.add_argument("--phase", default=None, help="comma-separated phases: now, 1-2y, 3-5y")
    p.add_argument("--instrument", default=None,
                   help="comma-separated instruments: law, presidential_decree, government_decree, agency_order, academy_programme, pilot")
    p.add_argument("--corps", default=None, help="comma-separated audiences: corps_a, corps_b, all, agency, academy")
    p.add_argument("--review", choices=["draft", "reviewed"], default=None, help="review state of the texts in --lang")
    p.add_argument("--lang", choices=["en", "ru", "kk"], default="en", help="language of titles and texts (default en)")
    _format_option(p, ["csv", "markdown", "json"], "csv")
    p.add_argument("--quotes", action="store_true", help="list the quotes instead, each with its document and character offsets")
    p.add_argument("--granularity", choices=["fine", "broad"], default="fine",
                   help="concept level: fine (as curated) or broad (an option for a narrower concept serves its broader one)")
    p.add_argument("--out", type=_named_path, default=None, help="write to this file instead of standard output")
    p.add_argument("--data", type=Path, default=None, help="data folder")


# -- versions (issue 28)
def _add_versions(sub) -> None:
    p = sub.add_parser("versions", help="framework versions over time: each lineage's versions, and the concepts gained and lost")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD", help="list the versions in force on this date instead")
    _format_option(p, ["csv", "table"], None, help="csv or table (default: csv for an --out file named .csv, else an aligned table)")
    p.add_argument("--out", type=_named_path, default=None, help="write to this file instead of standard output")
    p.add_argument("--data", type=Path, default=None, help="data folder")


# -- pdf (issue 27)
def _add_pdf(sub) -> None:
    p = sub.add_parser("pdf", help="print every HTML report to reports/pdf/<name>.pdf (A4, outline, fonts embedded; needs Chromium)")
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these reports (a grid's entry name: all of its reports)")


# -- code (issue 9)
def _add_code(sub) -> None:
    p = sub.add_parser("code", help="code the passages of a plain-text document against the taxonomy")
    p.add_argument("file", type=Path, help="UTF-8 text file (a paper, a policy document)")
    p.add_argument("--lang", choices=["en", "ru", "kk", "auto"], default="auto", help="language of passages (auto: per passage)")
    p.add_argument("--threshold", type=_finite, default=None, help=f"score a concept needs to code a passage (default {CODING_THRESHOLD})")
    p.add_argument("--top", type=int, default=3, help="at most this many concepts per passage (default 3)")
    _format_option(p, ["csv", "table"], "csv", help="csv (default): every quote whole; table: aligned, each quote on one line cut to 80 characters (…)")
    p.add_argument("--review", action="store_true", help="add empty decision and new_concept_id columns for a reviewer")
    p.add_argument("--granularity", choices=["fine", "broad"], default="fine",
                   help="concept level: fine (as curated) or broad (narrower concepts rolled up to their broader one)")
    p.add_argument("--out", type=_named_path, default=None, help="write to this file instead of standard output")
    p.add_argument("--data", type=Path, default=None, help="data folder")


def _inputs(args: argparse.Namespace) -> list[Path]:
    """The files a command reads that its arguments name (a document, a framework, weights)."""
    values = [v for k, v in vars(args).items() if k not in ("out", "data")]
    flat = [x for v in values for x in (v if isinstance(v, (list, tuple)) else [v])]
    return [Path(x) for x in flat if isinstance(x, (str, Path)) and str(x) and Path(x).is_file()]


def check_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` that is one of the command's inputs or lies in its data folder: writing the
    output there would destroy what was read (a hostile-input review overwrote the crosswalk so)."""
    out = getattr(args, "out", None)  # a Path: argparse refused an empty name, and '-' is None by now
    if out is None:
        return
    if str(out) == "-":  # only network keeps it: its output is a folder of five files
        raise InputError.single("--out", 0, "network writes a folder of five files: give a folder, not '-' (standard output)")
    try:
        out.resolve(strict=False)
    except (RuntimeError, OSError) as exc:  # a loop of links: Python says "Symlink loop from ..."
        raise InputError.single(out, 0, f"cannot write: {'symbolic link loop' if isinstance(exc, RuntimeError) else exc.strerror}") from None
    if out.exists() and any(out.samefile(p) for p in _inputs(args)):
        raise InputError.single(out, 0, "cannot write: it is an input of this command (give another file)")
    # deferred: the data folder's default is the model's to say, and only --out needs it
    from workbench.model.dataset import default_data_dir

    data = getattr(args, "data", None) or default_data_dir()
    if Path(data).is_dir() and out.resolve().is_relative_to(Path(data).resolve()):
        where = "a folder" if getattr(args, "format", "folder") == "folder" else "a file"  # network writes a folder
        raise InputError.single(out, 0, f"cannot write: it lies in the data folder {data} (give {where} elsewhere)")
    _check_ending(out, getattr(args, "format", "folder"), getattr(args, "formats", ()))


#: What the ending of a file's name tells a reader (and Excel, a browser) it holds.
_ENDINGS = {".csv": "csv", ".md": "markdown", ".markdown": "markdown", ".json": "json", ".qdc": "qdc", ".txt": "table"}
#: Endings of documents no command writes: a CSV named .xlsx, or over a report's .html, misleads whoever opens it.
_NOT_WRITTEN = (".xlsx", ".xls", ".ods", ".html", ".htm", ".pdf", ".docx", ".odt")


def _check_ending(out: Path, fmt: str | None, formats: tuple[str, ...] = ()) -> None:
    """Refuse an ``--out`` whose ending names another kind of file than the one written (``fmt``; ``None``:
    the versions table, CSV for a ``.csv`` name), saying which name would do, or which of the command's
    ``formats`` the name asks for. A folder's output (network) is not judged."""
    ending = out.suffix.lower()
    if fmt == "folder" or not ending:
        return
    written = fmt or ("csv" if ending == ".csv" else "table")
    named = _ENDINGS.get(ending, "document" if ending in _NOT_WRITTEN else written)
    if named != written:
        right = next(e for e, k in _ENDINGS.items() if k == written)
        hint = f", or --format {named}" if named in formats else ""
        kinds = {"csv": "CSV", "markdown": "markdown", "json": "JSON", "qdc": "a QDC codebook", "table": "an aligned text table"}
        raise InputError.single(out, 0, f"cannot write: the output is {kinds[written]}, but a '{ending}' name says otherwise "
                                        f"(name it {out.stem}{right}{hint})")


def main(argv: list[str] | None = None) -> int:
    """Run the ``workbench`` command with ``argv`` (default: the command line's arguments).

    Returns
    -------
    The exit status: 0 success, 1 a run with a failing report, 2 bad input, 130 interrupted.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if str(getattr(args, "out", None)) == "-" and args.command != "network":
        args.out = None  # the usual spelling of standard output, not a file named '-'
    try:
        check_out(args)
        return COMMANDS[args.command](args)
    except InputError as exc:
        for problem in exc.renamed(FLAGS).problems:
            print(str(problem), file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        # Readers and atomic_write say "cannot read" / "cannot write" themselves; anything else
        # reaching here names the file the system names, without guessing which it was.
        print(os_error_text(exc) if exc.filename else f"workbench: {os_error_text(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
