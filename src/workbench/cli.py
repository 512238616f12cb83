"""The ``workbench`` command: a thin front door over the library's functions.

Exit status: 0 success, 2 bad input (one ``path:line: message`` line per problem), 1 a run
that failed (a report that raised).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Callable

from .errors import InputError

__all__ = ["main", "build_parser"]

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _cmd_validate(args: argparse.Namespace) -> int:
    from .dataset import load

    ds = load(args.data)
    summary = ds.summary()
    if args.json:
        print(json.dumps(summary, ensure_ascii=False, sort_keys=True))
    else:
        print(
            f"ok: {summary['frameworks']} frameworks, {summary['items']} items from "
            f"{len(summary['countries'])} countries, {summary['practices']} practices, "
            f"{summary['indicators']} indicators, {summary['sources']} sources, "
            f"{summary['concepts']} concepts, {summary['mappings']} mappings "
            f"(taxonomy {summary['taxonomy_version']}, data {summary['data_version']})"
        )
    return EXIT_OK


def _emit(frame, fmt: str, out: Path | None) -> None:
    """Print ``frame`` as CSV or an aligned table, or write it atomically to ``out``."""
    text = frame.to_csv(index=False) if fmt == "csv" else frame.to_string(index=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        from .outputs import atomic_write

        atomic_write(out, text)


def _cmd_suggest(args: argparse.Namespace) -> int:
    from .dataset import load, read_framework
    from .suggest import fit_from_dataset, suggest_frame

    if args.top < 1:
        raise InputError.single(args.file, 0, f"--top must be at least 1 (got {args.top})")
    framework, _ = read_framework(args.file)
    model = fit_from_dataset(load(args.data), threshold=args.threshold)
    frame = suggest_frame(model, framework.id, [(i.code, i.label, i.description) for i in framework.items], top=args.top)
    _emit(frame, args.format, args.out)
    return EXIT_OK


def _read_codes(path: Path):
    """Primary codes of a crosswalk TSV, or of a codings CSV (see ``workbench code``)."""
    import pandas as pd

    from .agreement import primary_codes
    from .dataset import read_crosswalk

    if path.suffix.lower() == ".csv":
        from .coding import read_codings

        return read_codings(path)
    rows = read_crosswalk(path)
    return primary_codes(pd.DataFrame([{**m.model_dump()} for m, _ in rows]))


def _cmd_agreement(args: argparse.Namespace) -> int:
    from .agreement import agreement

    result = agreement(_read_codes(args.a), _read_codes(args.b))
    if result.n_common == 0:
        raise InputError.single(args.b, 0, f"no subject is coded in both {args.a} and {args.b}")
    print(result.report())
    return EXIT_OK


def _cmd_export_codebook(args: argparse.Namespace) -> int:
    from .dataset import load
    from .outputs import atomic_write
    from .taxonomy import codebook_xml

    ds = load(args.data)
    xml = codebook_xml(ds.concepts, ds.domains, lang=args.lang, origin=f"workbench taxonomy {ds.taxonomy_version}")
    if args.out is None:
        sys.stdout.write(xml.decode("utf-8"))
    else:
        atomic_write(args.out, xml)
        print(f"wrote {args.out} ({len(ds.concepts)} codes in {len(ds.domains)} domains)")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "validate": _cmd_validate,
    "suggest": _cmd_suggest,
    "agreement": _cmd_agreement,
    "export-codebook": _cmd_export_codebook,
}


class _Parser(argparse.ArgumentParser):
    """Usage mistakes get one line and exit 2, like every other bad input."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="workbench",
        description="Compare civil-service competency frameworks and derive cited recommendations for Kazakhstan.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__import__('workbench').__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("validate", help="load and check every file in data/")
    p.add_argument("--data", type=Path, default=None, help="data folder (default: ./data or the checkout's data/)")
    p.add_argument("--json", action="store_true", help="print one JSON object of counts")

    p = sub.add_parser("suggest", help="propose taxonomy concepts for the items of a new framework file")
    p.add_argument("file", type=Path, help="framework YAML (see README, 'Adding a framework')")
    p.add_argument("--top", type=int, default=3, help="concepts per item (default 3)")
    p.add_argument("--format", choices=["csv", "table"], default="csv")
    p.add_argument("--threshold", type=float, default=None, help="score below which a suggestion needs review")
    p.add_argument("--out", type=Path, default=None, help="write to this file instead of standard output")
    p.add_argument("--data", type=Path, default=None, help="data folder")

    p = sub.add_parser("agreement", help="Cohen's kappa between two coders' crosswalks (.tsv) or codings (.csv)")
    p.add_argument("a", type=Path)
    p.add_argument("b", type=Path)

    p = sub.add_parser("export-codebook", help="write the taxonomy as a REFI-QDA codebook for NVivo, ATLAS.ti, MAXQDA")
    p.add_argument("--format", choices=["qdc"], default="qdc")
    p.add_argument("--lang", choices=["en", "ru", "kk"], default="en", help="language of code names")
    p.add_argument("--out", type=Path, default=None, help="output .qdc file (default: standard output)")
    p.add_argument("--data", type=Path, default=None, help="data folder")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        for problem in exc.problems:
            print(str(problem), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
