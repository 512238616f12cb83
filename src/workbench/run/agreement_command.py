"""``workbench agreement``: Cohen's kappa between two coders' files.

Two crosswalks (SSSOM ``.tsv``) or two codings (``.csv`` of ``workbench code``) are compared on each
subject's primary code (its highest-confidence concept); two mapping passes of ``data/coding/`` (rows of
item, predicate, concept, confidence) are compared as the taxonomy report compares them, every (item,
concept) pair one decision, per framework and over all items.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from workbench.model.errors import InputError
from workbench.run.results import EXIT_OK

__all__ = ["cmd_agreement"]


def _is_codings(path: Path) -> bool:
    """Whether ``path`` holds codings of ``workbench code``: a ``.csv`` name, or a first line that is
    their header, whatever the name (a coder may save them as ``.txt``)."""
    if path.suffix.lower() == ".csv":
        return True
    from workbench.model.sourcefile import read_text  # deferred: only for `workbench agreement`

    first = next((line for line in read_text(path).splitlines() if line.strip() and not line.startswith("#")), "")
    return {"document", "start", "end", "concept_id"} <= {c.strip() for c in first.split(",")}


def _read_codes(path: Path, codings: bool):
    """Primary codes of a crosswalk TSV, or of a codings CSV (``codings``: :func:`_is_codings` of ``path``,
    see ``workbench code``)."""
    # deferred: pandas and the readers of coded files load only for `workbench agreement`
    import pandas as pd
    from workbench.analysis.agreement import primary_codes
    from workbench.model.dataset import read_crosswalk

    if codings:
        from workbench.analysis.coding import read_codings  # deferred: the coding module, only for codings

        return read_codings(path)
    rows = read_crosswalk(path)
    if not rows:
        raise InputError.single(path, 1, "no mappings (only a header)")
    return primary_codes(pd.DataFrame([{**m.model_dump()} for m, _ in rows]))


def _coding_pass(path: Path):
    """A coder's pass of ``data/coding/`` (``item_code``, ``concept_id``, ``confidence`` per row) as
    mappings, or ``None`` when ``path`` is laid out otherwise (a crosswalk)."""
    import pandas as pd  # deferred: only for `workbench agreement`
    from workbench.model.sourcefile import read_table  # deferred: as pandas above, only for this command

    header, rows = read_table(path, "\t")
    if not {"item_code", "concept_id", "confidence"} <= set(header):
        return None
    if not rows:
        raise InputError.single(path, 1, "no mappings (only a header)")
    bad = next(((line, r["confidence"]) for line, r in rows if not _is_number(r["confidence"])), None)
    if bad:
        raise InputError.single(path, bad[0], f"confidence '{bad[1]}' is no number")
    return pd.DataFrame([{"item_code": r["item_code"], "concept_id": r["concept_id"], "predicate_id": r.get("predicate_id", ""),
                          "confidence": float(r["confidence"])} for _, r in rows])


def _is_number(text: str) -> bool:
    try:
        return float(text) == float(text)
    except ValueError:
        return False


def _passes_agreement(first, second, data, names: tuple[Path, Path]) -> int:
    """Two mapping passes compared as the taxonomy report compares them: every (item, concept) pair one
    decision, mapped or not, per framework and over all items."""
    from workbench.analysis.agreement import mapping_agreement  # deferred: loads pandas and scikit-learn
    from workbench.model.dataset import load  # deferred: as the line above, only for two passes

    ds = load(data, all_versions=True)
    table = mapping_agreement(first, second, ds.items, ds.concepts["concept_id"].tolist())
    if not table["items"].iloc[-1]:
        raise InputError.single(names[1], 0, f"no item is coded in both {names[0]} and {names[1]}")
    print("each (item, concept) pair is one decision, mapped or not; kappa per framework and over all items")
    print(table.round({"kappa": 3, "predicate_agreement": 3}).to_string(index=False))
    return EXIT_OK


def cmd_agreement(args: argparse.Namespace) -> int:
    """``workbench agreement A B``: Cohen's kappa of two coders' files (see the module)."""
    from workbench.analysis.agreement import agreement  # deferred: loads pandas

    codings = [_is_codings(p) for p in (args.a, args.b)]  # each file's kind, told once
    passes = [None if is_codings else _coding_pass(p) for p, is_codings in zip((args.a, args.b), codings)]
    if all(p is not None for p in passes):
        return _passes_agreement(*passes, args.data, (args.a, args.b))
    if any(p is not None for p in passes):
        the_pass, other = (args.a, args.b) if passes[0] is not None else (args.b, args.a)
        raise InputError.single(the_pass, 0, f"a mapping pass is compared with another mapping pass, not with {other.name} "
                                             "(a crosswalk or codings)")
    # both read before a word is printed: a file that fails leaves nothing on standard output
    result = agreement(_read_codes(args.a, codings[0]), _read_codes(args.b, codings[1]))
    if result.n_common == 0:
        raise InputError.single(args.b, 0, f"no subject is coded in both {args.a} and {args.b}")
    print("compared: each subject's primary code (its highest-confidence concept)")
    print(result.report())
    return EXIT_OK
