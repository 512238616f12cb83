"""Every check of the workbench's inputs, in one place.

Readers (:mod:`workbench.dataset`, :mod:`workbench.recommend`'s settings, :mod:`workbench.reports`'
matrix, :mod:`workbench.coding`'s review files) parse a file into records with line numbers; the
functions here say what is wrong with them, as :class:`~workbench.errors.Problem` lists
(``path:line: message``). A new rule is written once, here. Messages name files and fields,
never a command-line flag: a bad function argument is an :meth:`InputError.parameter`, which the
CLI renames to its flag.

The module is light on purpose (no pandas): a bad input is reported without the start-up cost
of the analysis libraries.
"""
from __future__ import annotations

import ast
import math
import os
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping as TMapping, Sequence
from urllib.parse import urlsplit

from .errors import InputError, Problem

if TYPE_CHECKING:
    from .dataset import Dataset, RawData
    from .schema import Framework
    from .sourcefile import YamlDocument

__all__ = [
    "number_problem",
    "check_number",
    "url_problem",
    "is_web_url",
    "is_invisible",
    "identity_key",
    "framework_problems",
    "dataset_problems",
    "document_problems",
    "settings_problems",
    "settings_reference_problems",
    "check_name",
    "REPORT_NAME_MAX",
    "RESERVED_REPORT_NAMES",
    "parameter_value_problem",
    "report_entry_problems",
    "review_row_problems",
    "validate",
]


# -- numbers ------------------------------------------------------------------------------------

def number_problem(value: Any, low: float | None = None, high: float | None = None, *,
                   low_open: bool = False, high_open: bool = False) -> str | None:
    """Why ``value`` is not an acceptable number (``None`` when it is): the one rule for every
    number from a file or a function argument. Infinity and NaN are refused everywhere: NaN
    compares false with every bound, so it would pass a range check and blank a score.

    >>> number_problem(float("nan"), 0, 1), number_problem(1.5, 0, 1), number_problem(0.5, 0, 1)
    ('must be a finite number (got nan)', 'must be between 0 and 1 (got 1.5)', None)
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"must be a number (got {value!r})"
    if not math.isfinite(value):
        return f"must be a finite number (got {value})"
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and (value >= high if high_open else value > high)
    if too_low or too_high:
        if low is not None and high is not None:
            return f"must be between {low:g} and {high:g} (got {value:g})"
        if low is not None:
            return f"must be {'above' if low_open else 'at least'} {low:g} (got {value:g})"
        return f"must be {'below' if high_open else 'at most'} {high:g} (got {value:g})"
    return None


def check_number(value: Any, name: str, low: float | None = None, high: float | None = None, **kw) -> float:
    """``value`` as a float, or :meth:`InputError.parameter` naming the argument ``name``."""
    message = number_problem(value, low, high, **kw)
    if message:
        raise InputError.parameter(name, message)
    return float(value)


# -- text ---------------------------------------------------------------------------------------

def url_problem(url: str) -> str | None:
    """Why ``url`` is not a web address a report may link to (``None`` when it is).

    Only ``http`` and ``https`` with a host: ``javascript:`` or ``data:`` URLs would run script
    or hide content in a report that a reader clicks.

    >>> url_problem("https://oecd.org/x"), url_problem("javascript:alert(5)")
    (None, 'must be an http:// or https:// address')
    """
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in url):
        return "must be an http:// or https:// address without spaces or control characters"
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"is not a valid URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// address"
    if not parts.hostname:
        return "must be an http:// or https:// address with a host name"
    return None


def is_web_url(url: object) -> bool:
    """True for an ``http(s)://host...`` address: the only kind ever rendered as a link."""
    return isinstance(url, str) and url_problem(url) is None


_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Zs", "Zl", "Zp", "Mn", "Me", "Co", "Cn"}


def is_invisible(text: str) -> bool:
    """True when ``text`` holds no visible character (zero-width spaces, joiners, BOMs, blanks).

    >>> is_invisible("\\u200b\\u200d\\ufeff"), is_invisible(" a ")
    (True, False)
    """
    return all(unicodedata.category(ch) in _INVISIBLE_CATEGORIES or ch.isspace() for ch in text)


def identity_key(code: str) -> str:
    """What makes two codes the same for a curator: ``GBR-1`` and ``gbr-1`` name one item.

    Spreadsheets, file systems and people do not keep case reliably.
    """
    return unicodedata.normalize("NFKC", code).casefold()


def _check_unique(records: Iterable[tuple[str, int, str]], what: str, problems: list[Problem]) -> None:
    first: dict[str, tuple[str, int, str]] = {}
    for key, line, path in records:
        ident = identity_key(key)
        if ident in first:
            fpath, fline, fkey = first[ident]
            where = f"line {fline}" if fpath == path else f"{Path(fpath).name}:{fline}"
            same = "" if fkey == key else f" ('{fkey}' differs only in case)"
            problems.append(Problem(path, line, f"duplicate {what} '{key}' (first at {where}){same}"))
        else:
            first[ident] = (path, line, key)


# -- the dataset --------------------------------------------------------------------------------

def framework_problems(fw: "Framework", doc: "YamlDocument") -> list[Problem]:
    """Checks of one framework file on its own (also a new file given to ``suggest``)."""
    problems: list[Problem] = []
    _check_unique(((item.code, doc.line_of(("items", i)), doc.path) for i, item in enumerate(fw.items)),
                  "item code", problems)
    return problems


def document_problems(root: Path) -> list[Problem]:
    """``documents/*.txt`` are read by the documents report: each must be readable UTF-8 text."""
    from .sourcefile import read_text

    problems: list[Problem] = []
    folder = root / "documents"
    if not folder.is_dir():
        return problems
    for path in sorted(folder.glob("*.txt")):
        try:
            read_text(path)
        except InputError as exc:
            problems.extend(exc.problems)
    return problems


def broader_problems(taxonomy: "Taxonomy", doc: "YamlDocument") -> list[Problem]:
    """SKOS ``broader`` links: known ids, same domain, at most two levels (so no cycles)."""
    by_id = {c.id: c for c in taxonomy.concepts}
    out = []
    for i, c in enumerate(taxonomy.concepts):
        if c.broader is None or c.broader == c.id:  # a self-link is refused by the schema
            continue
        line = doc.line_of(("concepts", i, "broader"))
        parent = by_id.get(c.broader)
        if parent is None:
            out.append(Problem(doc.path, line, f"concept '{c.id}': unknown broader concept '{c.broader}'"))
            continue
        # Walk up: a link back to c is a cycle; any grandparent is a third level.
        seen, node = [c.id], parent
        while node is not None and node.id not in seen:
            seen.append(node.id)
            node = by_id.get(node.broader) if node.broader else None
        if node is not None:
            out.append(Problem(doc.path, line, f"concept '{c.id}': broader links form a cycle ({' -> '.join(seen + [node.id])})"))
        elif parent.broader is not None:
            out.append(Problem(doc.path, line, f"concept '{c.id}': broader concept '{parent.id}' has a broader concept itself (at most two levels)"))
        elif parent.domain != c.domain:
            out.append(Problem(doc.path, line, f"concept '{c.id}': domain '{c.domain}' differs from its broader concept's domain '{parent.domain}'"))
    return out


def dataset_problems(raw: "RawData") -> list[Problem]:
    """Checks across the records of a data folder: ids unique (ignoring case), file names match,
    sources, concepts, domains and subjects resolve, every item and practice is mapped.

    One mistake should give one message: checks that need a whole table are skipped when that
    table could not be read in full (``raw.broken``).
    """
    problems: list[Problem] = []
    broken = raw.broken
    source_ids = {s.id for s, _, _ in raw.sources}
    _check_unique(((s.id, line, path) for s, line, path in raw.sources), "source id", problems)

    def resolve(source: str | None, path: str, line: int) -> None:
        if source is None or source.startswith(("http://", "https://")) or source in source_ids or "sources" in broken:
            if source is not None and source.startswith(("http://", "https://")) and not is_web_url(source):
                problems.append(Problem(path, line, f"source {url_problem(source)}"))
            return
        problems.append(Problem(path, line, f"unknown source '{source}' (not an id in sources.yaml)"))

    for fw, doc, path in raw.frameworks:
        problems.extend(framework_problems(fw, doc))
        if fw.id != path.stem:
            problems.append(Problem(doc.path, doc.line_of(("id",)), f"framework id '{fw.id}' differs from the file name '{path.stem}'"))
        resolve(fw.source, doc.path, doc.line_of(("source",)))
        for i, item in enumerate(fw.items):
            if item.source:
                resolve(item.source, doc.path, doc.line_of(("items", i, "source")))
            if not (item.locator or fw.locator):
                problems.append(Problem(doc.path, doc.line_of(("items", i)),
                                        f"item '{item.code}' has no locator (set one on the item or the framework)"))
    items = [(item.code, doc.line_of(("items", i)), doc.path) for fw, doc, _ in raw.frameworks for i, item in enumerate(fw.items)]
    # Duplicates within one file were found above too; InputError keeps one copy of each.
    _check_unique(items, "item code", problems)

    _check_unique(((p.id, line, path) for p, line, path in raw.practices), "practice id", problems)
    for p, line, path in raw.practices:
        resolve(p.source, path, line)
    _check_unique(((x.id, line, path) for x, line, path in raw.indicators), "indicator id", problems)
    for x, line, path in raw.indicators:
        resolve(x.source, path, line)

    concept_ids: set[str] = set()
    if raw.taxonomy is not None:
        tax, tdoc = raw.taxonomy, raw.taxonomy_doc
        domain_ids = {d.id for d in tax.domains}
        _check_unique(((d.id, tdoc.line_of(("domains", i)), tdoc.path) for i, d in enumerate(tax.domains)), "domain id", problems)
        _check_unique(((c.id, tdoc.line_of(("concepts", i)), tdoc.path) for i, c in enumerate(tax.concepts)), "concept id", problems)
        for i, c in enumerate(tax.concepts):
            if c.domain not in domain_ids:
                problems.append(Problem(tdoc.path, tdoc.line_of(("concepts", i, "domain")), f"concept '{c.id}': unknown domain '{c.domain}'"))
        concept_ids = {c.id for c in tax.concepts}
        problems.extend(broader_problems(tax, tdoc))

    cw = str(raw.crosswalk_path)
    subjects = {code for code, _, _ in items} | {p.id for p, _, _ in raw.practices} | {x.id for x, _, _ in raw.indicators}
    seen_pairs: dict[tuple[str, str], int] = {}
    for m, line in raw.mappings:
        if raw.taxonomy is not None and m.object_id not in concept_ids:
            problems.append(Problem(cw, line, f"unknown concept '{m.object_id}'"))
        if m.subject_id not in subjects and "subjects" not in broken:
            problems.append(Problem(cw, line, f"unknown subject '{m.subject_id}' (no item, practice or indicator has this id)"))
        pair = (m.subject_id, m.object_id)
        if pair in seen_pairs:
            problems.append(Problem(cw, line, f"duplicate mapping {m.subject_id} -> {m.object_id} (first at line {seen_pairs[pair]})"))
        seen_pairs.setdefault(pair, line)
    if "crosswalk" not in broken:
        mapped = {m.subject_id for m, _ in raw.mappings}
        for code, line, path in items:
            if code not in mapped:
                problems.append(Problem(path, line, f"item '{code}' has no mapping in crosswalk.tsv"))
        for p, line, path in raw.practices:
            if p.id not in mapped:
                problems.append(Problem(path, line, f"practice '{p.id}' has no mapping in crosswalk.tsv"))
    problems.extend(document_problems(raw.root))
    return problems


# -- settings (weights.yaml) --------------------------------------------------------------------

def settings_problems(settings: Any, doc: "YamlDocument", complete: bool) -> list[Problem]:
    """A settings file on its own: the data folder's file (``complete``) must give every section."""
    if not complete:
        return []
    missing = [name for name in type(settings).model_fields if getattr(settings, name) is None]
    if missing:
        return [Problem(doc.path, 1, f"missing required field(s) {', '.join(map(repr, missing))}")]
    return []


def settings_reference_problems(ds: "Dataset", settings: Any, doc: "YamlDocument") -> list[Problem]:
    """Every framework, source and indicator a settings file names must exist in the data."""
    known = {
        "framework": set(ds.frameworks["framework_id"]),
        "source": set(ds.sources["id"]),
        "indicator": set(ds.indicators["id"]),
    }
    problems: list[Problem] = []

    def check(what: str, value: str, loc: tuple) -> None:
        if value not in known[what]:
            problems.append(Problem(doc.path, doc.line_of(loc), f"unknown {what} '{value}'"))

    for name, ids in (getattr(settings, "baselines", None) or {}).items():
        for i, fw in enumerate(ids):
            check("framework", fw, ("baselines", name, i))
    if getattr(settings, "oecd_framework", None) is not None:
        check("framework", settings.oecd_framework, ("oecd_framework",))
    for key, what in (("paper_frameworks", "framework"), ("proposal_frameworks", "framework"),
                      ("curriculum_frameworks", "framework"), ("paper_sources", "source"),
                      ("implementation_sources", "source"), ("need_indicators", "indicator")):
        for i, value in enumerate(getattr(settings, key, None) or []):
            check(what, value, (key, i))
    return problems


# -- the report matrix --------------------------------------------------------------------------

#: Longest report name: it becomes ``<name>.html``, ``<name>.ipynb`` and a figures folder, and
#: common file systems stop at 255 bytes per name.
REPORT_NAME_MAX = 100
#: Names whose outputs would overwrite the runner's own files.
RESERVED_REPORT_NAMES = ("index",)


def check_name(name: object) -> str | None:
    """Why ``name`` cannot be a report name (``None`` when it can)."""
    import re

    if not isinstance(name, str) or not name:
        return "missing 'name'"
    if len(name.encode("utf-8")) > REPORT_NAME_MAX:
        return f"name is {len(name)} characters long, more than the {REPORT_NAME_MAX} a file name may take here"
    # fullmatch: `$` would accept a trailing newline
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or ".." in name:
        return f"name {name!r} is not a plain file name (letters, digits, '.', '_', '-'; no '/' or '..')"
    if name.lower() in RESERVED_REPORT_NAMES or name.lower().removesuffix(".html") in RESERVED_REPORT_NAMES:
        return f"name '{name}' is reserved (the runner writes {name}.html itself)"
    return None


REPORT_FIELDS = ("name", "notebook", "description", "parameters", "title")


def report_entry_problems(entry: Any, doc: "YamlDocument", loc: tuple, notebooks_dir: Path, seen: dict[str, int],
                          declared, runner_parameters: Sequence[str] = ()) -> list[Problem]:
    """Problems of one report entry of ``reports.yaml`` at ``loc`` in ``doc``.

    ``seen`` maps names already taken to their lines (updated here); ``declared(notebook)``
    returns the notebook's parameters (name -> object with ``.type``) or raises the
    :class:`InputError` of a broken notebook. Everything a report needs is checked here, so
    nothing fails half-way through a run.
    """
    line = doc.line_of(loc)
    if not isinstance(entry, dict):
        return [Problem(doc.path, line, "report entry must be a mapping")]
    shown_name = entry.get("name", f"#{loc[-1] + 1}" if isinstance(loc[-1], int) else "?")
    label = f"report {str(shown_name)!r}" if isinstance(shown_name, str) and not shown_name.isprintable() else f"report '{shown_name}'"
    problems: list[Problem] = []

    def bad(key: str | tuple, message: str) -> list[Problem]:
        where = (*loc, *(key if isinstance(key, tuple) else (key,)))
        problems.append(Problem(doc.path, doc.line_of(where), f"{label}: {message}"))
        return problems

    for key in entry:
        if key not in REPORT_FIELDS:
            bad(key, f"unknown field '{key}'")
    name, notebook = entry.get("name"), entry.get("notebook")
    description, params = entry.get("description"), entry.get("parameters") or {}
    name_problem = check_name(name)
    if name_problem:
        return bad("name", name_problem)
    if name in seen:
        return bad("name", f"duplicate report name (first at line {seen[name]})")
    seen[name] = line
    if not isinstance(description, str) or not description.strip():
        bad("description", "missing one-line 'description'")
    if "title" in entry and not isinstance(entry["title"], str):
        bad("title", "title must be text")
    if not isinstance(notebook, str) or not notebook:
        return bad("notebook", "missing 'notebook'")
    nb_path = Path(notebooks_dir) / notebook
    if Path(notebook).name != notebook or not nb_path.is_file():
        return bad("notebook", f"unknown notebook '{notebook}' (not a file in {Path(notebooks_dir).name}/)")
    if not isinstance(params, dict):
        return bad("parameters", "parameters must be a mapping")
    try:
        known = declared(notebook)
    except InputError as exc:
        first = exc.problems[0]
        where = f" (line {first.line})" if first.line > 0 else ""
        return bad("notebook", f"notebook '{notebook}'{where}: {first.message}")
    for key, value in params.items():
        odd = _non_finite(value)
        if odd is not None:
            bad(("parameters", key), f"parameter '{key}': must be a finite number (got {odd})")
            continue
        if key in runner_parameters:
            bad(("parameters", key), f"parameter '{key}' is set by the runner")
        elif key not in known:
            names = ", ".join(k for k in known if k not in runner_parameters)
            bad(("parameters", key), f"unknown parameter '{key}' for notebook '{notebook}' (known: {names})")
        else:
            message = parameter_value_problem(value, known[key].type)
            if message:
                bad(("parameters", key), f"parameter '{key}': {message} (the notebook declares {known[key].type})")
    return problems


def _non_finite(value: Any) -> float | None:
    """The first infinite or NaN number anywhere in ``value`` (lists and mappings included)."""
    if isinstance(value, float) and not math.isfinite(value):
        return value
    if isinstance(value, (list, tuple)):
        return next((v for v in map(_non_finite, value) if v is not None), None)
    if isinstance(value, dict):
        return next((v for v in map(_non_finite, value.values()) if v is not None), None)
    return None


_TYPE_NAMES = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict}


def parameter_value_problem(value: Any, declared: str) -> str | None:
    """Why ``value`` does not fit a notebook parameter declared as ``declared`` (papermill's
    ``inferred_type_name``: ``str``, ``list``, ``Optional[float]``, ``list[str]``, ``None``...).

    A string where a list is expected would be split into letters by the notebook.

    >>> parameter_value_problem("GBR", "list"), parameter_value_problem(["GBR"], "list")
    ("expected a list, got a str ('GBR')", None)
    """
    text = (declared or "").strip().replace("typing.", "")
    if not text or text == "None":
        return None  # undeclared: the notebook takes anything
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError:
        return None
    return _fits(value, tree)


def _fits(value: Any, node: ast.AST) -> str | None:
    def shown(v: Any) -> str:
        r = repr(v)
        return f"{_a(type(v).__name__)} ({r if len(r) < 40 else r[:37] + '...'})"

    if isinstance(node, ast.Constant) and node.value is None:
        return None if value is None else f"expected None, got {shown(value)}"
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # X | Y
        left, right = _fits(value, node.left), _fits(value, node.right)
        return None if left is None or right is None else left
    if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Name):
        outer = node.value.id
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if outer == "Optional":
            return None if value is None else _fits(value, args[0])
        if outer == "Union":
            found = [_fits(value, a) for a in args]
            return None if any(f is None for f in found) else found[0]
        if outer in ("list", "List", "Sequence", "tuple", "Tuple"):
            if not isinstance(value, list):
                return f"expected a list, got {shown(value)}"
            if len(args) == 1 and not (outer in ("tuple", "Tuple")):
                for v in value:
                    bad = _fits(v, args[0])
                    if bad:
                        return f"list element: {bad}"
            return None
        if outer in ("dict", "Dict", "Mapping"):
            if not isinstance(value, dict):
                return f"expected a mapping, got {shown(value)}"
            if len(args) == 2:
                for v in value.values():
                    bad = _fits(v, args[1])
                    if bad:
                        return f"mapping value: {bad}"
            return None
        return None
    if isinstance(node, ast.Name):
        expected = _TYPE_NAMES.get(node.id) or {"List": list, "Dict": dict}.get(node.id)
        if expected is None:
            return None  # a type the runner does not know (Any, a class): let the notebook judge
        if expected is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
            if ok and not math.isfinite(value):
                return f"must be a finite number (got {value})"
        elif expected is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, expected)
        return None if ok else f"expected {_a(_describe(node.id))}, got {shown(value)}"
    return None


def _a(noun: str) -> str:
    return f"{'an' if noun[:1] in 'aeiouAEIOU' else 'a'} {noun}"


def _describe(type_name: str) -> str:
    return {"str": "text (str)", "int": "whole number (int)", "float": "number (float)", "bool": "true/false (bool)",
            "list": "list", "List": "list", "dict": "mapping", "Dict": "mapping"}.get(type_name, type_name)


# -- review files (coding) ----------------------------------------------------------------------

DECISIONS = ("accept", "reject", "change")


def review_row_problems(row: TMapping[str, str], known: set[str]) -> tuple[list[str], tuple[int, int, float] | None]:
    """Messages for one row of a codings CSV, and its parsed ``(start, end, score)`` when readable."""
    messages: list[str] = []
    decision = row.get("decision", "").strip().lower()
    new_id = row.get("new_concept_id", "").strip()
    concept = row["concept_id"].strip()
    try:
        start, end = int(row["start"]), int(row["end"])
        score = float(row["score"]) if row["score"].strip() else float("nan")
    except ValueError:
        return ["start, end and score must be numbers"], None
    if row["score"].strip() and not math.isfinite(score):
        messages.append(f"score must be a finite number (got {row['score'].strip()})")
    if not 0 <= start < end:
        messages.append(f"bad offsets {start}-{end} (need 0 <= start < end)")
    if concept not in known:
        messages.append(f"unknown concept '{concept}'")
    if decision and decision not in DECISIONS:
        messages.append(f"unknown decision '{decision}' (use accept, reject or change)")
    if decision == "change" and not new_id:
        messages.append("decision 'change' needs a new_concept_id")
    if new_id and decision != "change":
        messages.append(f"new_concept_id '{new_id}' given but the decision is not 'change'")
    if new_id and new_id not in known:
        messages.append(f"unknown concept '{new_id}' in new_concept_id")
    return messages, (start, end, score)


# -- everything ---------------------------------------------------------------------------------

def validate(data_dir: str | os.PathLike | None = None) -> "Dataset":
    """Check the whole data folder (every file an analysis reads, ``weights.yaml`` included).

    Returns the loaded dataset; raises :class:`InputError` listing every problem.
    """
    from .dataset import load

    ds = load(data_dir)
    if (Path(ds.path) / "weights.yaml").exists():
        from .recommend import load_settings

        load_settings(ds)  # weights, and the frameworks, sources and indicators it names
    return ds
