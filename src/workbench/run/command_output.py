"""How the commands write what they find: CSV through the spreadsheet gate, aligned tables a person reads,
counts in words, and files written whole or not at all."""
from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["counted", "owners", "write_text", "csv_text", "emit", "shortened", "table_text", "readable"]


def counted(n: int, word: str, plural: str = "") -> str:
    """``n word`` in the singular or plural ("1 concept", "3 concepts", "2 countries")."""
    return f"{n:,} {word if n == 1 else plural or word + 's'}"


def owners(codes: list[str]) -> str:
    """The owners of frameworks counted as a reader counts them: the OECD is an organisation, no country (a
    CLI review read "11 countries")."""
    from workbench.model.schema import ORGANISATIONS  # deferred: the record models, only where a summary counts

    orgs = sum(c in ORGANISATIONS for c in codes)
    text = counted(len(codes) - orgs, "country", "countries")
    return text + (f" and {counted(orgs, 'organisation')}" if orgs else "")


def write_text(text: str, out: Path | None) -> None:
    """Print ``text``, or write it atomically to ``out``."""
    if out is None:
        sys.stdout.write(text)
    else:
        from workbench.model.outputs import atomic_write  # deferred: tempfile and random, only when writing a file

        atomic_write(out, text)


def csv_text(frame, index: bool = False, *, to_file: bool = False, **options) -> str:
    """``frame`` as CSV text, every text cell through the reports' spreadsheet gate: a researcher opens
    these files in Excel too, where a label starting with ``=`` would otherwise run as a formula.
    ``to_file``: the text goes to a file, so it starts with a byte-order mark, without which Excel reads
    UTF-8 Russian and Kazakh as mojibake (as the reports' CSV downloads do); printed, it has none,
    so that a pipe's next command reads the header as it is."""
    from workbench.present.tables import spreadsheet_frame  # deferred: the presentation layer, only when writing CSV

    return ("\ufeff" if to_file else "") + spreadsheet_frame(frame).to_csv(index=index, **options)


def emit(frame, fmt: str, out: Path | None, concepts=None) -> None:
    """Print ``frame`` as CSV or an aligned table, or write it atomically to ``out``. The table, which a person
    reads, names each ``concept_id`` by its label too (``concepts``: the taxonomy); the CSV keeps its columns."""
    if fmt != "csv" and concepts is not None and "concept_id" in frame:
        from workbench.model.taxonomy import concept_labels  # deferred: only a table that names concepts needs it

        at = list(frame.columns).index("concept_id") + 1
        frame = frame.copy()
        frame.insert(at, "concept", frame["concept_id"].map(concept_labels(concepts, "en")).fillna(""))
    write_text(csv_text(frame, to_file=out is not None) if fmt == "csv" else table_text(frame), out)


def shortened(text: str, width: int) -> str:
    """``text`` on one line, cut to ``width`` characters with an ellipsis saying that it was cut (the
    table's quote is a glimpse; the CSV has it whole).

    >>> shortened("a  b\\nc", 10), shortened("abcdefghij", 5)
    ('a b c', 'abcd…')
    """
    line = " ".join(text.split())
    return line if len(line) <= width else line[:width - 1] + "…"


def table_text(frame) -> str:
    """``frame`` as an aligned table; with no row, its header alone (pandas would print "Empty DataFrame")."""
    if frame.empty:
        return "  ".join(map(str, frame.columns)) + "\n"
    return readable(frame).to_string(index=False) + "\n"


def readable(frame):
    """``frame`` as a person reads a table: an empty cell for nothing (not None or NaN), yes and no for
    truth values (a CLI review read "None None" and "False" in the aligned tables)."""
    out = frame.astype(object).where(frame.notna(), "")
    return out.map(lambda v: ("yes" if v else "no") if isinstance(v, bool) else v)
