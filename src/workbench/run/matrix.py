"""The report matrix (``reports.yaml``): its entries, their grids expanded, every report checked."""
from __future__ import annotations

import itertools
import os
import re
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from workbench.model.errors import InputError, Problem
from workbench.model.sourcefile import read_yaml
from workbench.model.validate import report_entry_problems
from workbench.model.values import identity_key
from workbench.run.parameters import NotebookParameter, notebook_parameters

__all__ = [
    "RUNNER_PARAMETERS",
    "ReportSpec",
    "MatrixEntry",
    "grid_name",
    "format_grid_text",
    "expand_grids",
    "load_matrix",
    "check_entries",
]

#: Parameters the runner sets itself; a report may not set them in reports.yaml.
RUNNER_PARAMETERS = ("figures_dir",)


@dataclass(frozen=True)
class ReportSpec:
    """One report of ``reports.yaml`` (an entry, or one combination of an entry's ``grid``)."""

    name: str
    notebook: str
    description: str
    parameters: dict[str, Any] = field(default_factory=dict)
    title: str = ""
    line: int = 0
    #: For a combination of a grid: the entry's name (the index groups reports by it) and the
    #: combination's values, in the order of the entry's ``grid``.
    group: str = ""
    grid: dict[str, Any] = field(default_factory=dict)

    def display_title(self) -> str:
        return self.title or self.name.replace("-", " ").capitalize()


@dataclass
class MatrixEntry:
    """One report to check: an entry of ``reports.yaml``, or one combination of its ``grid``.

    ``index`` is the entry's position under ``reports`` (for line numbers); ``grid`` holds the
    parameters that came from the grid, whose problems point at the grid's lines.
    """

    index: int
    data: dict[str, Any]
    group: str = ""
    grid: dict[str, Any] = field(default_factory=dict)


#: Grid values become part of report names, so they must be plain words or numbers.
GRID_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._]*$")

#: Records one problem of a grid entry: the key path under the entry, and the message.
_Bad = Callable[[tuple, str], None]


def grid_name(name: str, values: Iterable[Any]) -> str:
    """The predictable name of one combination: the entry's name, then each value, joined by '-'.

    >>> grid_name("recommendations", ["ru", 3])
    'recommendations-ru-3'
    """
    return "-".join([name, *(_grid_word(v) for v in values)])


def _grid_word(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def expand_grids(doc: Any) -> tuple[list[MatrixEntry], list[Problem]]:
    """Every report the matrix describes, with each ``grid:`` entry expanded to one per combination.

    An entry with ``grid: {lang: [en, ru], top: [10, 20]}`` gives four reports named
    ``<name>-en-10``, ``<name>-en-20``, ``<name>-ru-10`` and ``<name>-ru-20``, each with the
    entry's ``parameters`` plus that combination. ``title`` and ``description`` may use
    ``{parameter}`` placeholders, or be a mapping from the combination's suffix (``en-10``) to
    text. Only the grid itself is checked here; the reports are checked afterwards like any entry.
    """
    entries = doc.data.get("reports") if isinstance(doc.data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError.single(doc.path, 1, "expected a mapping with a non-empty list 'reports'")
    out: list[MatrixEntry] = []
    problems: list[Problem] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or "grid" not in entry:
            out.append(MatrixEntry(i, entry))
            continue
        out.extend(_expand_entry(doc, i, entry, problems))
    return out, problems


def _expand_entry(doc: Any, i: int, entry: dict[str, Any], problems: list[Problem]) -> list[MatrixEntry]:
    """The reports of the entry at ``reports[i]``, which has a ``grid``; its problems go to ``problems``."""
    name = entry.get("name")
    label = f"report '{name}'"

    def bad(key: tuple, message: str) -> None:
        problems.append(Problem(doc.path, doc.line_of(("reports", i, *key)), f"{label}: {message}"))

    grid = entry["grid"]
    if not isinstance(grid, dict) or not grid:
        bad(("grid",), "grid must be a mapping from parameter to a list of values")
        return []
    params = entry.get("parameters") or {}
    ok = _grid_is_valid(grid, params, bad)
    if not ok or not isinstance(name, str) or not name:
        # With a valid grid, the entry's own checks report the missing name.
        return [MatrixEntry(i, {k: v for k, v in entry.items() if k != "grid"})] if ok else []
    out: list[MatrixEntry] = []
    keys = list(grid)
    for combo in itertools.product(*(grid[k] for k in keys)):
        values = dict(zip(keys, combo))
        suffix = "-".join(_grid_word(v) for v in combo)
        data = {k: v for k, v in entry.items() if k != "grid"}
        data["name"] = grid_name(name, combo)
        data["parameters"] = {**(params if isinstance(params, dict) else {}), **values}
        for text_key in ("title", "description"):
            if text_key in entry:
                data[text_key] = _combination_text(entry[text_key], text_key, suffix, values, bad)
        out.append(MatrixEntry(i, data, group=name, grid=values))
    return out


def _grid_is_valid(grid: dict[str, Any], params: Any, bad: _Bad) -> bool:
    """Whether every parameter of ``grid`` has distinct plain values not also set in ``params``."""
    ok = True
    for key, values in grid.items():
        if not isinstance(values, list) or not values:
            bad(("grid", key), f"grid parameter '{key}' needs a non-empty list of values")
            ok = False
        elif isinstance(params, dict) and key in params:
            bad(("grid", key), f"parameter '{key}' is set in both 'parameters' and 'grid'")
            ok = False
        else:
            for j, value in enumerate(values):
                if isinstance(value, (dict, list)) or value is None or not GRID_VALUE.match(_grid_word(value)):
                    bad(("grid", key, j), f"grid value {value!r} of '{key}' must be a plain word or number (it becomes part of the report name)")
                    ok = False
            if len(set(map(_grid_word, values))) != len(values):
                bad(("grid", key), f"grid parameter '{key}' lists a value twice")
                ok = False
    return ok


def _combination_text(text: Any, text_key: str, suffix: str, values: dict[str, Any], bad: _Bad) -> Any:
    """One combination's ``title`` or ``description``: its entry in a mapping, or the placeholders filled."""
    if isinstance(text, dict):
        if suffix not in text:
            bad((text_key,), f"{text_key} has no text for the combination '{suffix}'")
        return text.get(suffix, "")
    if isinstance(text, str):
        try:
            return format_grid_text(text, values)
        except ValueError as exc:
            bad((text_key,), f"{text_key} {exc}")
    return text


def format_grid_text(text: str, values: dict[str, Any]) -> str:
    """``text`` with each ``{parameter}`` placeholder replaced by the combination's value.

    A placeholder names a grid parameter, optionally with a conversion (``!r``) and a format
    (``{top:03d}``); anything else (``{0}``, ``{lang.upper}``, ``{lang[0]}``, an unknown name,
    conversion or format, a lone brace) raises :class:`ValueError` with the reader's message.

    >>> format_grid_text("Report in {lang}", {"lang": "ru"})
    'Report in ru'
    >>> format_grid_text("Report in {lang.nonexistent}", {"lang": "ru"})
    Traceback (most recent call last):
    ValueError: has a placeholder '{lang.nonexistent}' that is not a grid parameter (the grid has: lang)
    """
    try:
        fields = [(name, conversion, spec) for _, name, spec, conversion in string.Formatter().parse(text) if name is not None]
    except ValueError as exc:  # a lone brace
        raise ValueError(f"is not a text with placeholders ({exc}); write {{{{ or }}}} for a brace itself") from None
    for name, conversion, spec in fields:
        shown = _placeholder(name, conversion, spec)
        if name not in values:
            raise ValueError(f"has a placeholder '{shown}' that is not a grid parameter (the grid has: {', '.join(values)})")
        if conversion not in (None, "s", "r", "a"):
            raise ValueError(f"has a placeholder '{shown}' with an unknown conversion '!{conversion}' (known: !s, !r, !a)")
        try:
            shown.format_map(values)
        except Exception as exc:  # noqa: BLE001 - a format the value does not take ({lang:>q}, {top:{lang}})
            raise ValueError(f"has a placeholder '{shown}' that cannot be formatted ({exc})") from None
    return text.format_map(values)


def _placeholder(name: str, conversion: str | None, spec: str) -> str:
    """A placeholder as written: ``{name!conversion:spec}``."""
    return "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"


def load_matrix(path: str | os.PathLike, notebooks_dir: str | os.PathLike,
                cache_dir: str | os.PathLike | None = None, data_dir: str | os.PathLike | None = None) -> list[ReportSpec]:
    """Read ``reports.yaml``, expand its grids, and check every report.

    Every bad entry gives one ``path:line: report 'x': ...`` problem; a report made by a grid
    names its combination (``report 'name-ru'``) and points at the entry's lines. ``cache_dir``
    keeps the notebooks' parameters between runs (see :func:`notebook_parameters`); a cache never
    blames ``reports.yaml``: when the entries do not pass, they are checked again against the
    notebooks themselves before any problem is reported. With ``data_dir``, the documents a report
    names must be files of its ``documents/`` folder (see :mod:`workbench.model.documents`).
    """
    doc = read_yaml(path)
    entries, problems = expand_grids(doc)
    data = Path(data_dir) if data_dir is not None else None
    checked: list[Problem] = []
    specs = check_entries(doc, entries, Path(notebooks_dir), checked, cache_dir, data_dir=data)
    if checked and cache_dir is not None:
        checked = []
        specs = check_entries(doc, entries, Path(notebooks_dir), checked, cache_dir, data_dir=data, refresh=True)
    problems.extend(checked)
    if problems:
        raise InputError(problems)
    return specs


class _GridLines:
    """The YAML document as the checks see it for one combination of a grid: a problem with a
    parameter that came from the grid points at the grid's line, not at ``parameters``."""

    def __init__(self, doc: Any, index: int, grid: dict[str, Any]):
        self.doc, self.index, self.grid = doc, index, grid

    def __getattr__(self, name: str) -> Any:
        return getattr(self.doc, name)

    def line_of(self, loc: tuple) -> int:
        if len(loc) >= 4 and tuple(loc[:3]) == ("reports", self.index, "parameters") and loc[3] in self.grid:
            loc = ("reports", self.index, "grid", *loc[3:])
        return self.doc.line_of(loc)


def check_entries(doc: Any, entries: list[MatrixEntry], notebooks_dir: Path, problems: list[Problem],
                  cache_dir: str | os.PathLike | None = None, data_dir: Path | None = None,
                  refresh: bool = False) -> list[ReportSpec]:
    """Check each report (fields, name, notebook, parameters, documents in ``data_dir``); problems are
    appended to ``problems``. ``refresh`` reads each notebook's parameters again, whatever the cache holds."""
    specs: list[ReportSpec] = []
    seen: dict[str, int] = {}
    params_cache: dict[str, dict[str, NotebookParameter] | InputError] = {}

    def declared(notebook: str) -> dict[str, NotebookParameter]:
        if notebook not in params_cache:
            try:
                params_cache[notebook] = notebook_parameters(notebooks_dir / notebook, cache_dir, refresh)
            except InputError as exc:
                params_cache[notebook] = exc
        found = params_cache[notebook]
        if isinstance(found, InputError):
            raise found
        return found

    # a grid's entry name stands for all its reports (--only, the index): no report may take it
    groups = {identity_key(item.group): doc.line_of(("reports", item.index)) for item in entries if item.group}
    for item in entries:
        i, entry = item.index, item.data
        lines = _GridLines(doc, i, item.grid) if item.grid else doc
        name = entry.get("name")
        if isinstance(name, str) and identity_key(name) in groups:
            problems.append(Problem(doc.path, lines.line_of(("reports", i, "name")),
                                    f"report '{name}': is the name of a grid's entry (line {groups[identity_key(name)]}), which stands for all its reports"))
            continue
        found = report_entry_problems(entry, lines, ("reports", i), notebooks_dir, seen, declared, RUNNER_PARAMETERS, data_dir)
        problems.extend(found)
        if not found:
            specs.append(ReportSpec(entry["name"], entry["notebook"], entry["description"].strip(),
                                    dict(entry.get("parameters") or {}), str(entry.get("title") or ""),
                                    doc.line_of(("reports", i)), group=item.group, grid=dict(item.grid)))
    return specs
