"""Checks of the report matrix (``reports.yaml``): names, fields, and parameter values against the types a notebook declares."""
from __future__ import annotations

import ast
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from workbench.model.documents import DOCUMENT_PARAMETERS, document_name_problem, resolve_document
from workbench.model.errors import InputError, Problem
from workbench.model.values import identity_key

if TYPE_CHECKING:
    from workbench.model.sourcefile import YamlDocument

__all__ = ["REPORT_NAME_MAX", "RESERVED_REPORT_NAMES", "REPORT_FIELDS", "check_name", "report_entry_problems",
           "parameter_value_problem"]


#: Longest report name: it becomes ``<name>.html``, ``<name>.ipynb`` and a figures folder, and
#: common file systems stop at 255 bytes per name.
REPORT_NAME_MAX = 100


#: Names whose outputs would overwrite the runner's own files.
RESERVED_REPORT_NAMES = ("index", "index-ru", "index-kk")


def check_name(name: object) -> str | None:
    """Why ``name`` cannot be a report name (``None`` when it can)."""
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
                          declared, runner_parameters: Sequence[str] = (), data_dir: Path | None = None) -> list[Problem]:
    """Problems of one report entry of ``reports.yaml`` at ``loc`` in ``doc``.

    ``seen`` maps names already taken to their lines (updated here); ``declared(notebook)``
    returns the notebook's parameters (name -> object with ``.type``) or raises the
    :class:`InputError` of a broken notebook. Everything a report needs is checked here, so
    nothing fails half-way through a run. Documents named by a parameter of
    :data:`~workbench.model.documents.DOCUMENT_PARAMETERS` must stay inside ``data/documents/``;
    with ``data_dir``, each must also be a file there (links that lead outside refused).
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
    key = identity_key(name)  # report files named apart only by case collide on macOS and Windows
    if key in seen:
        return bad("name", f"duplicate report name (first at line {seen[key]}; names that differ only in case are one)")
    seen[key] = line
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
        message = _parameter_problem(key, value, known, notebook, runner_parameters)
        if message:
            bad(("parameters", key), message)
        elif key in DOCUMENT_PARAMETERS and isinstance(value, list):
            for j, message in _document_problems(value, data_dir):
                bad(("parameters", key, j), f"parameter '{key}': {message}")
    return problems


def _document_problems(names: list, data_dir: Path | None) -> list[tuple[int, str]]:
    """``(position, message)`` for each name of ``names`` that does not name a file of ``data/documents/``."""
    out = []
    for j, name in enumerate(names):
        message = document_name_problem(name)
        if message is None and data_dir is not None:
            try:
                resolve_document(data_dir, name)
            except InputError as exc:
                message = exc.problems[0].message
        if message is not None:
            out.append((j, message))
    return out


def _parameter_problem(key: str, value: Any, known: Any, notebook: str, runner_parameters: Sequence[str]) -> str | None:
    """What is wrong with the parameter ``key: value`` of a report of ``notebook`` (``None`` when nothing)."""
    odd = _non_finite(value)
    if odd is not None:
        return f"parameter '{key}': must be a finite number (got {odd})"
    if key in runner_parameters:
        return f"parameter '{key}' is set by the runner"
    if key not in known:
        names = ", ".join(k for k in known if k not in runner_parameters)
        return f"unknown parameter '{key}' for notebook '{notebook}' (known: {names})"
    message = parameter_value_problem(value, known[key].type)
    if message:
        return f"parameter '{key}': {message} (the notebook declares {known[key].type})"
    return None


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
