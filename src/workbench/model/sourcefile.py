"""Reading YAML and CSV input files while keeping line numbers for error messages."""
from __future__ import annotations

import csv
import datetime
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from workbench.model.errors import InputError, Problem, os_cause
from workbench.model.yaml_scalars import scalar_problem

__all__ = [
    "MAX_FILE_BYTES",
    "read_bytes",
    "read_text",
    "YamlDocument",
    "read_yaml",
    "yaml_document",
    "MAX_YAML_DEPTH",
    "read_table",
    "table_rows",
    "duplicate_column_problem",
    "pydantic_problems",
]

#: Larger input files are refused before reading: curated data is small, and a 50 MB file
#: is almost always a mistake (a dump, a binary) that would otherwise stall every command.
MAX_FILE_BYTES = 5 * 1024 * 1024
#: Deepest nesting of mappings and lists a YAML file may have. The deepest data file needs a handful
#: of levels; a file nested hundreds deep is a mistake or an attack that would exhaust Python's
#: recursion in any walk over it.
MAX_YAML_DEPTH = 50
_TOO_DEEP = f"YAML nested more than {MAX_YAML_DEPTH} levels deep (no data file needs more than a few)"
#: libyaml's loader when present: same node tree and line marks, several times faster.
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_bytes(path: str | os.PathLike, max_bytes: int | None = None) -> bytes:
    """The bytes of ``path``; any failure is an :class:`InputError` saying it could not be read,
    naming the user's path (never a traceback, never "cannot write")."""
    p = Path(path)
    try:
        info = p.stat()
    except FileNotFoundError:
        if p.is_symlink():
            raise InputError.single(p, 0, "cannot read: symbolic link to a missing file") from None
        raise InputError.single(p, 0, "file not found") from None
    except OSError as exc:
        raise InputError.single(p, 0, f"cannot read: {os_cause(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError.single(p, 0, "is a folder, expected a file")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO or device would block or never end.
        raise InputError.single(p, 0, "cannot read: not a regular file")
    size = info.st_size
    if max_bytes is not None and size > max_bytes:
        # Binary megabytes, as file managers and ``ls -lh`` show them: a 50 MB file reads "50.0 MB"; bytes where
        # one decimal would not tell the file from the limit ("5.0 MB, larger than the 5 MB limit")
        near = round(size / 2**20, 1) <= max_bytes / 2**20
        shown, limit = (f"{size:,} bytes", f" ({max_bytes:,} bytes)") if near else (f"{size / 2**20:.1f} MB", "")
        raise InputError.single(p, 1, f"file is {shown}, larger than the {max_bytes / 2**20:.0f} MB{limit} limit for input files")
    try:
        return p.read_bytes()
    except OSError as exc:
        raise InputError.single(p, 0, f"cannot read: {os_cause(exc)}") from None


def read_text(path: str | os.PathLike, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Return the UTF-8 text of ``path``, or raise :class:`InputError` saying why not."""
    p = Path(path)
    raw = read_bytes(p, max_bytes)
    if not raw.strip():
        raise InputError.single(p, 1, "file is empty")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Windows editors save "Unicode" as UTF-16: full of NUL bytes, but not a binary file.
        raise InputError.single(p, 1, "UTF-16 text; save the file as UTF-8")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise InputError.single(p, line, "binary file (NUL byte found); expected UTF-8 text")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 1].hex()
        raise InputError.single(
            p, line, f"not UTF-8 text (byte 0x{bad}); save the file as UTF-8"
        ) from None
    return text.removeprefix("\ufeff")


@dataclass
class YamlDocument:
    """Parsed YAML data plus the node tree, to find the line of any value."""

    path: str
    data: Any
    root: yaml.Node

    def line_of(self, loc: tuple) -> int:
        """1-based line of the value at ``loc`` (keys and list indices), or of its nearest parent."""
        node = self.root
        for part in loc:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if key_node.value == str(part):
                        node = value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if 0 <= part < len(node.value):
                    node = node.value[part]
                else:
                    break
            else:
                break
        return node.start_mark.line + 1

    def key_line(self, loc: tuple) -> int:
        """Line of the key at the end of ``loc`` (for unknown fields, which sit on their key)."""
        return self.line_of(loc)


def _yaml_problem(path: Path, exc: yaml.YAMLError, text: str = "") -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    lines = text.splitlines()
    bad = lines[line - 1] if 0 < line <= len(lines) else ""
    if "maximum nesting depth" in problem:  # libyaml's own limit (1000 levels), met before ours
        return Problem(str(path), line, _TOO_DEEP)
    # libyaml names no tab in its messages; the indentation of the offending line shows it.
    if "\t" in bad[: len(bad) - len(bad.lstrip())]:
        message = "YAML syntax error: tab character used for indentation (indent with spaces)"
    else:
        context = getattr(exc, "context", None)
        context_mark = getattr(exc, "context_mark", None)
        if context and context.startswith("while") and context_mark is not None and context_mark.line + 1 != line:
            # An unclosed bracket or quote is noticed lines later: say where it opened.
            context = f"{context} started at line {context_mark.line + 1}"
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
    return Problem(str(path), line, " ".join(message.split()))




def _tree_problems(path: Path, root: yaml.Node) -> list[Problem]:
    """Duplicate keys anywhere in the tree (PyYAML keeps the last of two silently: a curator would
    lose data unnoticed) and numbers written with ``_``; raises :class:`InputError` at the first collection nested deeper than
    :data:`MAX_YAML_DEPTH`.

    The walk keeps its own stack, never Python's: it checks the depth before anything recursive
    (constructing the data, pydantic, a report's walk over the values) meets the tree.
    """
    problems: list[Problem] = []
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, yaml.ScalarNode):
            message = None if node.style else scalar_problem(node)
            if message:
                problems.append(Problem(str(path), node.start_mark.line + 1, message))
            continue
        if not isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
            continue
        if depth > MAX_YAML_DEPTH:
            raise InputError.single(path, node.start_mark.line + 1, _TOO_DEEP)
        children = [child for pair in node.value for child in pair] if isinstance(node, yaml.MappingNode) else node.value
        stack.extend((child, depth + 1) for child in reversed(children))  # popped in the file's order
        if isinstance(node, yaml.MappingNode):
            seen: dict[str, int] = {}
            for key_node, _ in node.value:
                key, line = str(key_node.value), key_node.start_mark.line + 1
                if key in seen:
                    problems.append(Problem(str(path), line, f"duplicate key '{key}' (first at line {seen[key]})"))
                else:
                    seen[key] = line
    return problems


def _refuse_aliases(path: Path, text: str) -> None:
    """Refuse anchors (``&a``) and aliases (``*a``): data files have no use for them, and a few
    hundred bytes of nested aliases expand to billions of nodes for any walk over the data.

    Only the scanner runs (no node is built), so this is linear in the file's size.
    """
    if "&" not in text and "*" not in text:
        return  # neither can occur: skip the scan
    scanner = _Loader(text)
    try:
        while scanner.check_token():
            token = scanner.get_token()
            if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
                kind = "anchor '&" if isinstance(token, yaml.AnchorToken) else "alias '*"
                raise InputError.single(
                    path, token.start_mark.line + 1,
                    f"YAML {kind}{token.value}' not allowed in data files (write the value out)")
    except yaml.YAMLError:
        return  # the parser below reports syntax errors with their context
    finally:
        scanner.dispose()


def read_yaml(path: str | os.PathLike) -> YamlDocument:
    """Parse one YAML document, raising :class:`InputError` with the line of any mistake."""
    p = Path(path)
    return yaml_document(p, read_text(p))


def yaml_document(path: str | os.PathLike, text: str) -> YamlDocument:
    """Parse ``text``, the YAML of ``path`` (lines counted from its start), with every check of
    :func:`read_yaml`: no anchors or aliases, no nesting deeper than :data:`MAX_YAML_DEPTH`, no
    duplicate keys. Raises :class:`InputError` with the line of the first mistake.
    """
    p = Path(path)
    _refuse_aliases(p, text)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()  # libyaml composes in C and stops at 1000 levels itself
        if root is None:
            raise InputError.single(p, 1, "file holds no YAML data")
        problems = _tree_problems(p, root)
        if problems:
            raise InputError(problems)
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise InputError([_yaml_problem(p, exc, text)]) from None
    except RecursionError:  # only PyYAML's pure-Python composer, when libyaml is missing, recurses
        raise InputError.single(p, 1, _TOO_DEEP) from None
    finally:
        loader.dispose()
    return YamlDocument(str(p), data, root)


class _TableLines:
    """The lines of a table's text as :func:`csv.reader` reads them, split on ``\\n`` alone.

    A quoted field keeps every character as written: ``str.splitlines`` would also break lines
    at U+2028, U+2029, vertical tabs, form feeds and more, and the reader would see newlines
    there. Blank and ``#`` comment lines are skipped between rows only (inside a quoted field
    they are text); ``row_start`` is the file line the row being read began on.
    """

    def __init__(self, text: str):
        self._lines = iter(io.StringIO(text, newline="\n"))
        self.line = 0  # the last line handed to the reader
        self.row_start = 0
        self.between_rows = True

    def __iter__(self) -> "_TableLines":
        return self

    def __next__(self) -> str:
        for raw in self._lines:
            self.line += 1
            if self.between_rows and (not raw.strip(" \t\r\n") or raw.lstrip(" \t").startswith("#")):
                continue
            if self.between_rows:
                self.row_start, self.between_rows = self.line, False
            return raw
        raise StopIteration


def table_rows(path: str | os.PathLike, text: str, delimiter: str = ",") -> list[tuple[int, list[str]]]:
    """Each row of ``text``, the CSV/TSV table of ``path``, with the file line it starts on (the
    header first); blank and ``#`` comment lines between rows are skipped, quoted fields kept as written.

    Raises :class:`InputError` on a syntax error (naming the line it is on) and on a file without rows.
    """
    p = Path(path)
    lines = _TableLines(text)
    reader = csv.reader(lines, delimiter=delimiter, strict=True)
    parsed: list[tuple[int, list[str]]] = []
    try:
        for values in reader:
            parsed.append((lines.row_start, values))
            lines.between_rows = True
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):  # at the end of the file: say where the row began
            raise InputError.single(p, lines.row_start, f"table syntax error: {exc} (a quoted field is never closed)") from None
        raise InputError.single(p, lines.line, f"table syntax error: {exc}") from None
    if not parsed:
        raise InputError.single(p, 1, "file holds no table")
    return parsed


def duplicate_column_problem(path: str | os.PathLike, header: list[str], line: int = 1) -> Problem | None:
    """The first column named twice in ``header`` (at file line ``line``), or ``None``.

    Read into a mapping per row, the last of two equal columns would silently replace the first.
    """
    first: dict[str, int] = {}
    for number, name in enumerate(header, start=1):
        if name in first:
            return Problem(str(path), line, f"duplicate column '{name}' in the header (columns {first[name]} and {number})")
        first[name] = number
    return None


def read_table(path: str | os.PathLike, delimiter: str = ",") -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Read a CSV/TSV file: its header and ``(line, row)`` pairs, skipping blank and ``#`` comment lines.

    Raises :class:`InputError` on a column named twice and on ragged rows, naming their line.
    """
    p = Path(path)
    parsed = table_rows(p, read_text(p), delimiter)
    header_line, header = parsed[0][0], [h.strip() for h in parsed[0][1]]
    duplicate = duplicate_column_problem(p, header, header_line)
    if duplicate is not None:
        raise InputError([duplicate])
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    for line_no, values in parsed[1:]:
        if len(values) != len(header):
            problems.append(Problem(str(p), line_no, f"row has {len(values)} fields, the header has {len(header)}"))
            continue
        rows.append((line_no, dict(zip(header, (v.strip() for v in values)))))
    if problems:
        raise InputError(problems)
    return header, rows


def _yaml_typed(value: Any) -> str:
    """What YAML made of an unquoted value that was meant as text ("" if it is not such a value).

    >>> _yaml_typed(True), _yaml_typed(45000), _yaml_typed("x")
    ('the truth value true', 'the number 45000', '')
    """
    if isinstance(value, bool):
        return f"the truth value {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return f"the date {value.isoformat()}"
    return ""


def _is_type_tag(part: Any) -> bool:
    """A part of an error's location that names a branch of a union type (``literal['all']``,
    ``list[function-after[...]]``): pydantic's words, not the file's."""
    return isinstance(part, str) and ("[" in part or part.startswith("function-"))


def _union_merged(errors: list[dict]) -> list[dict]:
    """The errors with union branches' tags taken out of their locations, and the branches of one
    value merged into one error ("should be a valid list or 'all'"): one mistake, one line."""
    merged: dict[tuple, dict] = {}
    for err in errors:
        loc = tuple(p for p in err["loc"] if not _is_type_tag(p))
        branch = len(loc) < len(err["loc"])
        if loc in merged and branch and merged[loc].get("branch"):
            first = merged[loc]
            first["msg"] = f"{first['msg']} or {err['msg'].removeprefix('Input should be ')}"
            continue
        merged.setdefault(loc, {**err, "loc": loc, "branch": branch})
    return list(merged.values())


def pydantic_problems(path: str, exc: Any, line_of) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into problems; ``line_of(loc)`` finds each line."""
    problems = []
    for err in _union_merged(exc.errors()):
        loc = tuple(err["loc"])
        field = ".".join(str(x) for x in loc if not isinstance(x, int)) or "record"
        kind = err["type"]
        if kind == "extra_forbidden":
            message = f"unknown field '{loc[-1]}'"
        elif kind == "missing":
            message = f"missing required field '{loc[-1]}'"
        elif kind == "string_too_short" and err.get("ctx", {}).get("min_length") == 1 or (
            kind == "string_type" and err.get("input") is None
        ):
            message = f"{field}: must not be empty"
        elif kind == "string_type" and _yaml_typed(err.get("input")):
            message = f"{field}: must be text, but YAML read the unquoted value as {_yaml_typed(err['input'])}: put it in quotes"
        else:
            msg = err["msg"].removeprefix("Value error, ")
            value = err.get("input")
            shown = f" (got {value!r})" if isinstance(value, (str, int, float)) and not isinstance(value, bool) and len(repr(value)) < 60 else ""
            if shown and repr(value) in msg:
                shown = ""  # the message already quotes the value
            # A check of the whole record (no field) reads best without a prefix.
            message = f"{field}: {msg}{shown}" if field != "record" else f"{msg}{shown}"
        problems.append(Problem(path, line_of(loc), message))
    return problems
