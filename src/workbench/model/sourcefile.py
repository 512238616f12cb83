"""Reading YAML and CSV input files while keeping line numbers for error messages."""
from __future__ import annotations

import csv
import io
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from workbench.model.errors import InputError, Problem, os_cause

__all__ = [
    "MAX_FILE_BYTES",
    "read_bytes",
    "read_text",
    "YamlDocument",
    "read_yaml",
    "read_table",
    "pydantic_problems",
]

#: Larger input files are refused before reading: curated data is small, and a 50 MB file
#: is almost always a mistake (a dump, a binary) that would otherwise stall every command.
MAX_FILE_BYTES = 5 * 1024 * 1024
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
        # Binary megabytes, as file managers and ``ls -lh`` show them: a 50 MB file reads "50.0 MB".
        raise InputError.single(
            p, 1, f"file is {size / 2**20:.1f} MB, larger than the {max_bytes / 2**20:.0f} MB limit for input files"
        )
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


def _duplicate_keys(path: Path, node: yaml.Node, problems: list[Problem]) -> None:
    # PyYAML keeps the last of two equal keys silently; a curator would lose data unnoticed.
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(Problem(str(path), line, f"duplicate key '{key}' (first at line {seen[key]})"))
            else:
                seen[key] = line
            _duplicate_keys(path, value_node, problems)
    elif isinstance(node, yaml.SequenceNode):
        for child in node.value:
            _duplicate_keys(path, child, problems)


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
    text = read_text(p)
    _refuse_aliases(p, text)
    loader = _Loader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            raise InputError.single(p, 1, "file holds no YAML data")
        problems: list[Problem] = []
        _duplicate_keys(p, root, problems)
        if problems:
            raise InputError(problems)
        data = loader.construct_document(root)
    except yaml.YAMLError as exc:
        raise InputError([_yaml_problem(p, exc, text)]) from None
    finally:
        loader.dispose()
    return YamlDocument(str(p), data, root)


def read_table(path: str | os.PathLike, delimiter: str = ",") -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Read a CSV/TSV file: its header and ``(line, row)`` pairs, skipping ``#`` comment lines.

    Raises :class:`InputError` on ragged rows, naming their line.
    """
    p = Path(path)
    text = read_text(p)
    lines = text.splitlines()
    numbered = [(i + 1, line) for i, line in enumerate(lines) if line.strip() and not line.lstrip().startswith("#")]
    if not numbered:
        raise InputError.single(p, 1, "file holds no table")
    reader = csv.reader(io.StringIO("\n".join(line for _, line in numbered)), delimiter=delimiter, strict=True)
    # Each row with the file line it starts on; ``reader.line_num`` counts the lines consumed,
    # so a quoted field spanning lines does not shift the numbers of the rows after it.
    parsed: list[tuple[int, list[str], int]] = []
    try:
        for values in reader:
            start = parsed[-1][2] if parsed else 0
            parsed.append((numbered[start][0], values, reader.line_num))
    except csv.Error as exc:
        start = parsed[-1][2] if parsed else 0
        hint = " (a quoted field is never closed)" if "unexpected end of data" in str(exc) else ""
        raise InputError.single(p, numbered[min(start, len(numbered) - 1)][0], f"table syntax error: {exc}{hint}") from None
    header = [h.strip() for h in parsed[0][1]]
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[Problem] = []
    for line_no, values, _ in parsed[1:]:
        if len(values) != len(header):
            problems.append(Problem(str(p), line_no, f"row has {len(values)} fields, the header has {len(header)}"))
            continue
        rows.append((line_no, dict(zip(header, (v.strip() for v in values)))))
    if problems:
        raise InputError(problems)
    return header, rows


def pydantic_problems(path: str, exc: Any, line_of) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into problems; ``line_of(loc)`` finds each line."""
    problems = []
    for err in exc.errors():
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
        else:
            msg = err["msg"].removeprefix("Value error, ")
            value = err.get("input")
            shown = f" (got {value!r})" if isinstance(value, (str, int, float)) and len(repr(value)) < 60 else ""
            if shown and repr(value) in msg:
                shown = ""  # the message already quotes the value
            # A check of the whole record (no field) reads best without a prefix.
            message = f"{field}: {msg}{shown}" if field != "record" else f"{msg}{shown}"
        problems.append(Problem(path, line_of(loc), message))
    return problems
