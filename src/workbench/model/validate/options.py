"""Checks of the register of policy options and its quotes across records.

Every id an option names must resolve (concepts, the papers' recommendations it carries, sources,
quotes, other options); every seed quote must occur word for word in its document; a quote of a
web page needs the page's address and the day we read it; prerequisites form no cycle and never
point to a later phase.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

from workbench.model.errors import InputError, Problem
from workbench.model.sourcefile import read_text
from workbench.model.values import _check_unique, unknown_id

if TYPE_CHECKING:
    from workbench.model.records import RawData

__all__ = ["find_quote", "quote_spans", "option_problems", "prerequisite_cycle"]

#: One entry of the register as read: the record, its YAML document and its index in the file.
Entry = tuple[Any, Any, int]


def find_quote(document: str, quote: str) -> tuple[int, int] | None:
    """Where ``quote`` occurs in ``document``: its words in order, exactly, any run of whitespace
    standing for any other (the PDF extraction breaks lines inside sentences); ``None`` if nowhere.

    >>> doc = "The UK recruits\\nsenior  officials openly."
    >>> start, end = find_quote(doc, "recruits senior officials")
    >>> doc[start:end]
    'recruits\\nsenior  officials'
    >>> find_quote(doc, "recruits junior officials") is None
    True
    """
    words = quote.split()
    if not words:
        return None
    found = re.search(r"\s+".join(map(re.escape, words)), document)
    return (found.start(), found.end()) if found else None


@lru_cache(maxsize=16)
def _document(path: str, stamp: float) -> str:
    return read_text(Path(path))


def _document_text(root: Path, file: str) -> str | None:
    path = root / "documents" / file
    try:
        return _document(str(path), path.stat().st_mtime)
    except (OSError, InputError):
        return None


def quote_spans(root: Path, quotes: Iterable[Any], seed_files: dict[str, str]) -> dict[str, tuple[str, int, int]]:
    """Each seed quote's document and character offsets: ``quote id -> (file, start, end)``."""
    out = {}
    for q in quotes:
        file = seed_files.get(q.source)
        text = _document_text(root, file) if file else None
        span = find_quote(text, q.text) if text is not None else None
        if span is not None:
            out[q.id] = (file, *span)
    return out


def _line(entry: Entry, *loc: Any) -> int:
    record, doc, i = entry
    return doc.line_of((i, *loc))


def _quote_problems(raw: "RawData", sources: dict[str, Any], problems: list[Problem]) -> None:
    """A seed quote is found in its document; a page quote cites a page read on a known day."""
    for entry in raw.quotes:
        q, doc, _ = entry
        src = sources.get(q.source)
        where = (doc.path, _line(entry, "source"))
        if src is None:
            if "sources" not in raw.broken:
                problems.append(Problem(*where, f"quote '{q.id}': unknown source '{q.source}' (not an id in sources.yaml)"))
            continue
        if src.kind == "reference":
            if src.accessed is None:
                problems.append(Problem(*where, f"quote '{q.id}' cites the page '{q.source}', whose record in sources.yaml "
                                                "has no 'accessed' date (the day we read it)"))
            continue
        text = _document_text(raw.root, src.file)
        if text is None:
            problems.append(Problem(*where, f"quote '{q.id}': the document of '{q.source}' (documents/{src.file}) cannot be read"))
        elif find_quote(text, q.text) is None:
            problems.append(Problem(doc.path, _line(entry, "text"),
                                    f"quote '{q.id}' is not in documents/{src.file} word for word"))


def _cited_places(o: Any) -> Iterable[tuple[tuple[Any, ...], str | None, list[str]]]:
    """Every citation of an option: its place in the record, its source and its quote ids."""
    for i, m in enumerate(o.models):
        yield ("models", i), m.source, m.quotes
    yield ("kaz_now",), o.kaz_now.source, o.kaz_now.quotes
    for i, p in enumerate(o.kaz_plans):
        yield ("kaz_plans", i), p.source, p.quotes
    yield ("risk",), o.risk.source, []


def _reference_problems(raw: "RawData", entry: Entry, known: dict[str, set[str]], problems: list[Problem]) -> None:
    """The ids one option names: concepts, recommendations carried, sources, quotes, prerequisites."""
    o, doc, _ = entry
    checks: list[tuple[str, Iterable[str], set[str], Callable[[str], str]]] = [
        ("concepts", o.concepts, known["concepts"], lambda v: unknown_id("concept", v, known["concepts"])),
        ("carries", o.carries, known["subjects"], lambda v: f"carries '{v}', which is no practice id or framework item code"),
        ("prerequisites", o.prerequisites, known["options"], lambda v: f"unknown prerequisite '{v}' (no option has this id)"),
    ]
    for field, values, pool, message in checks:
        # a table not read in full names no unknown id: one mistake, one message
        if (field == "concepts" and raw.taxonomy is None or field == "carries" and "subjects" in raw.broken
                or field == "prerequisites" and "options" in raw.broken):
            continue
        for k, value in enumerate(values):
            if value not in pool:
                problems.append(Problem(doc.path, _line(entry, field, k), f"option '{o.id}': " + message(value)))
    if o.id in o.prerequisites:
        problems.append(Problem(doc.path, _line(entry, "prerequisites"), f"option '{o.id}' is its own prerequisite"))
    for place, source, quotes in _cited_places(o):
        if source and source not in known["sources"] and "sources" not in raw.broken:
            problems.append(Problem(doc.path, _line(entry, *place, "source"),
                                    f"option '{o.id}': unknown source '{source}' (not an id in sources.yaml)"))
        for k, qid in enumerate(quotes):
            if qid not in known["quotes"] and "quotes" not in raw.broken:
                problems.append(Problem(doc.path, _line(entry, *place, "quotes", k),
                                        f"option '{o.id}': unknown quote '{qid}' (no record in quotes/ has this id)"))


def prerequisite_cycle(prerequisites: dict[str, list[str]]) -> list[str]:
    """One cycle of the prerequisite graph as a list of option ids (first repeated last), or ``[]``.

    A depth-first walk in plain Python: a graph library would cost every command that loads the data
    a fifth of a second to import, for a few dozen options.

    >>> prerequisite_cycle({"a": ["b"], "b": ["c"], "c": ["a"], "d": []})
    ['a', 'b', 'c', 'a']
    >>> prerequisite_cycle({"c": ["b"], "b": ["a"], "a": [], "d": ["d"]})
    ['d', 'd']
    """
    needs = {o: [p for p in ps if p in prerequisites] for o, ps in prerequisites.items()}
    done: set[str] = set()
    for root in sorted(needs):
        if root in done:
            continue
        path, walks = [root], [iter(needs[root])]
        while walks:
            step = next(walks[-1], None)
            if step is None:  # every prerequisite of the last option on the path walked: no cycle through it
                done.add(path.pop())
                walks.pop()
            elif step in path:
                ring = path[path.index(step):]
                start = ring.index(min(ring))  # the same cycle is named the same way whatever the file order
                ring = ring[start:] + ring[:start]
                return [*ring, ring[0]]
            elif step not in done:
                path.append(step)
                walks.append(iter(needs[step]))
    return []


def _roadmap_problems(entries: list[Entry], problems: list[Problem], phases: tuple[str, ...]) -> None:
    """No prerequisite cycle; no prerequisite in a later phase than the option that needs it."""
    by_id = {e[0].id: e for e in entries}
    cycle = prerequisite_cycle({o.id: list(o.prerequisites) for o, _, _ in entries})
    if cycle:
        entry = by_id[cycle[0]]
        problems.append(Problem(entry[1].path, _line(entry, "prerequisites"),
                                f"option '{cycle[0]}': prerequisites form a cycle ({' -> '.join(cycle)})"))
    order = {p: i for i, p in enumerate(phases)}
    for entry in entries:
        o = entry[0]
        for k, pid in enumerate(o.prerequisites):
            need = by_id.get(pid)
            if need is not None and order[need[0].phase] > order[o.phase]:
                problems.append(Problem(entry[1].path, _line(entry, "prerequisites", k),
                                        f"option '{o.id}' (phase {o.phase}) needs '{pid}', which comes later (phase {need[0].phase})"))


def option_problems(raw: "RawData", concept_ids: set[str], subjects: set[str]) -> list[Problem]:
    """Checks of ``options/`` and ``quotes/`` across records (see the module's docstring).

    Parameters
    ----------
    raw:
        The data folder's records as read; ``raw.options`` and ``raw.quotes`` hold
        ``(record, YAML document, index)`` entries.
    concept_ids, subjects:
        The taxonomy's concept ids; the ids of practices and framework items (what ``carries`` names).
    """
    # deferred: the phases are the options' schema, which imports pydantic models the rest of this package does not need
    from workbench.model.options import PHASES

    problems: list[Problem] = []
    sources = {s.id: s for s, _, _ in raw.sources}
    _check_unique(((o.id, _line(e), e[1].path) for e in raw.options for o in (e[0],)), "option id", problems)
    _check_unique(((q.id, _line(e), e[1].path) for e in raw.quotes for q in (e[0],)), "quote id", problems)
    _quote_problems(raw, sources, problems)
    known = {"concepts": concept_ids, "subjects": subjects, "sources": set(sources),
             "quotes": {q.id for q, _, _ in raw.quotes}, "options": {o.id for o, _, _ in raw.options}}
    for entry in raw.options:
        _reference_problems(raw, entry, known, problems)
    _roadmap_problems(raw.options, problems, PHASES)
    return problems
