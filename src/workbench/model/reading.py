"""Reading the files of the data folder into records with their file and line; nothing across files is checked here."""
from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from workbench.model.errors import InputError, Problem
from workbench.model.options import Option, Quote
from workbench.model.records import RawData
from workbench.model.schema import Anchor, Framework, Indicator, Mapping, Practice, Source, Taxonomy
from workbench.model.translations import Translation
from workbench.model.sourcefile import (YamlDocument, pydantic_problems, read_bytes, read_table, read_text, read_yaml,
                                        yaml_document)
from workbench.model.validate.data import framework_problems
from workbench.model.values import control_character_problem, iso_date

__all__ = ["read_data", "read_framework", "read_crosswalk", "read_crosswalk_set", "data_files", "data_version",
           "CROSSWALK_COLUMNS", "SSSOM_OPTIONAL_COLUMNS", "SSSOM_REQUIRED_METADATA", "INDICATOR_COLUMNS"]


CROSSWALK_COLUMNS = [
    "subject_id",
    "predicate_id",
    "object_id",
    "mapping_justification",
    "confidence",
    "author_id",
    "comment",
]


#: Optional per-mapping columns of the SSSOM standard (its ``mapping`` class, sssom-schema 1.1)
#: that a crosswalk may carry beside :data:`CROSSWALK_COLUMNS`; kept as text, not interpreted.
SSSOM_OPTIONAL_COLUMNS = (
    "record_id", "subject_label", "subject_category", "predicate_label", "predicate_modifier", "object_label",
    "object_category", "author_label", "reviewer_id", "reviewer_label", "creator_id", "creator_label", "license",
    "subject_type", "subject_source", "subject_source_version", "object_type", "object_source",
    "object_source_version", "predicate_type", "mapping_provider", "mapping_source", "mapping_cardinality",
    "cardinality_scope", "mapping_tool", "mapping_tool_id", "mapping_tool_version", "mapping_date",
    "publication_date", "review_date", "reviewer_agreement", "curation_rule", "curation_rule_text",
    "subject_match_field", "object_match_field", "match_string", "subject_preprocessing",
    "object_preprocessing", "similarity_score", "similarity_measure", "see_also", "issue_tracker_item", "other",
)


#: SSSOM columns of free text, which may run over several lines; every other column is one line.
SSSOM_FREE_TEXT_COLUMNS = ("curation_rule_text", "other")


#: Mapping-set metadata a crosswalk's SSSOM header (``#``-prefixed YAML) must give.
SSSOM_REQUIRED_METADATA = ("curie_map", "mapping_set_id", "license")


#: Columns whose values are CURIEs in an SSSOM file, and those the library sees as plain ids.
_CURIE_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification", "author_id")


_PLAIN_ID_COLUMNS = ("subject_id", "object_id")


INDICATOR_COLUMNS = ["id", "country", "indicator", "measure", "year", "value", "unit", "source", "locator"]


def _validate(model: type[BaseModel], data: Any, doc_path: str, line_of, problems: list[Problem]):
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(doc_path, exc, line_of))
        return None


def read_framework(path: str | os.PathLike) -> tuple[Framework, YamlDocument]:
    """Read and check one framework file (curated, or new for ``workbench suggest``)."""
    doc = read_yaml(path)
    problems: list[Problem] = []
    if not isinstance(doc.data, dict):
        raise InputError.single(path, 1, "expected a mapping with id, country, title, year, level, source, items")
    fw = _validate(Framework, doc.data, doc.path, doc.line_of, problems)
    if fw is not None:
        problems.extend(framework_problems(fw, doc))
    if problems:
        raise InputError(problems)
    return fw, doc


def _list_file(path: Path, model: type[BaseModel], problems: list[Problem]) -> list[tuple[BaseModel, int, str]]:
    """Validate a YAML list of records; returns ``(record, line, path)`` triples."""
    return [(obj, doc.line_of((i,)), doc.path) for obj, doc, i in _entries_file(path, model, problems)]


def _entries_file(path: Path, model: type[BaseModel], problems: list[Problem]) -> list[tuple[BaseModel, YamlDocument, int]]:
    """Validate a YAML list of records: each record with its document and index, so that a check
    across records can name the line of any field (the options register's fields nest)."""
    try:
        doc = read_yaml(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return []
    if not isinstance(doc.data, list):
        problems.append(Problem(doc.path, 1, f"expected a list of {model.__name__.lower()} records"))
        return []
    out = []
    for i, record in enumerate(doc.data):
        obj = _validate(model, record, doc.path, lambda loc, i=i: doc.line_of((i, *loc)), problems)
        if obj is not None:
            out.append((obj, doc, i))
    return out


def _sssom_header(p: Path) -> tuple[dict[str, Any], list[Problem]]:
    """The mapping-set metadata: the YAML of the ``#`` lines before the table header (SSSOM/TSV's
    embedded metadata). A file whose comment is no such YAML (a plain note) has none."""
    block = []
    for line in read_text(p).split("\n"):  # lines as the table reader counts them
        if not line.startswith("#"):
            break
        block.append(line[1:])
    if not any(line.strip() and not line.lstrip().startswith("#") for line in block):
        return {}, []  # blank, or YAML comments only: no metadata
    try:
        # The checks of every YAML file: no aliases, no deep nesting, no duplicate keys.
        meta = yaml_document(p, "\n".join(block)).data
    except InputError as exc:
        return {}, [Problem(x.path, x.line, f"SSSOM metadata header: {x.message}") for x in exc.problems]
    if not isinstance(meta, dict) or not ({"curie_map", "mapping_set_id"} & set(meta)):
        return {}, []  # a free-text note, not SSSOM metadata: ids stay plain
    problems = [Problem(str(p), 1, f"SSSOM metadata lacks '{key}'") for key in SSSOM_REQUIRED_METADATA if not meta.get(key)]
    if meta.get("curie_map") is not None and not isinstance(meta.get("curie_map"), dict):
        problems.append(Problem(str(p), 1, "SSSOM metadata 'curie_map' must map prefixes to URIs"))
    return meta, problems


def _uncurie(row: dict[str, str], curie_map: dict[str, str], path: str, line: int, problems: list[Problem]) -> dict[str, str]:
    """Check every CURIE's prefix is declared; subject and object ids lose their prefix."""
    out = dict(row)
    for column in _CURIE_COLUMNS:
        value = row.get(column, "")
        prefix, sep, local = value.partition(":")
        if not sep or not local:
            problems.append(Problem(path, line, f"{column} '{value}' is not a CURIE (prefix:id) though the file declares a curie_map"))
        elif prefix not in curie_map:
            problems.append(Problem(path, line, f"{column} '{value}': prefix '{prefix}' is not declared in curie_map"))
        elif column in _PLAIN_ID_COLUMNS:
            out[column] = local
    return out


#: SSSOM columns whose values are dates (``xsd:date``: YYYY-MM-DD).
SSSOM_DATE_COLUMNS = ("mapping_date", "publication_date", "review_date")


def _date_problem(column: str, value: str) -> str | None:
    """Why ``value`` of a date column is no date, or ``None`` (an empty cell is no claim)."""
    if column not in SSSOM_DATE_COLUMNS or not value.strip() or iso_date(value) is not None:
        return None
    return f"'{value}' is no date of the calendar (write YYYY-MM-DD)"


def _sssom_columns(row: dict[str, str], header: list[str], path: str, line: int, problems: list[Problem]) -> dict[str, str]:
    """The optional SSSOM columns of one mapping, each checked to be text every output carries."""
    extras = {c: row[c] for c in header if c in SSSOM_OPTIONAL_COLUMNS}
    for column, value in extras.items():
        message = control_character_problem(value, multiline=column in SSSOM_FREE_TEXT_COLUMNS) or _date_problem(column, value)
        if message:
            shown = f" (got {value!r})" if len(repr(value)) < 60 and f"'{value}'" not in message else ""
            problems.append(Problem(path, line, f"{column}: {message}{shown}"))
    return extras


def read_crosswalk_set(path: str | os.PathLike) -> tuple[dict[str, Any], list[tuple[Mapping, int, dict[str, str]]]]:
    """Read an SSSOM/TSV crosswalk: its mapping-set metadata and each mapping with its line and
    its optional SSSOM columns (:data:`SSSOM_OPTIONAL_COLUMNS`).

    With a ``curie_map`` in the header, subject and object ids are CURIEs (``item:UK-B1``,
    ``wb:strategic_vision``) and come back as plain ids; every prefix must be declared. A file
    without SSSOM metadata holds plain ids.
    """
    p = Path(path)
    meta, problems = _sssom_header(p)
    header, rows = read_table(p, delimiter="\t")
    missing = [c for c in CROSSWALK_COLUMNS if c not in header]
    if missing:
        raise InputError.single(p, 1, f"crosswalk header lacks column(s) {', '.join(missing)}")
    extra = [c for c in header if c not in CROSSWALK_COLUMNS and c not in SSSOM_OPTIONAL_COLUMNS]
    if extra:
        raise InputError.single(p, 1, f"unknown column(s) {', '.join(extra)} (neither ours nor SSSOM's)")
    curie_map = meta.get("curie_map") if isinstance(meta.get("curie_map"), dict) else None
    out = []
    for line, row in rows:
        if curie_map is not None:
            before = len(problems)
            row = _uncurie(row, curie_map, str(p), line, problems)
            if len(problems) > before:
                continue  # one message per mistake: the id is not checked again as a plain id
        core = {c: row[c] for c in CROSSWALK_COLUMNS}
        m = _validate(Mapping, core, str(p), lambda loc, line=line: line, problems)
        if m is not None:
            out.append((m, line, _sssom_columns(row, header, str(p), line, problems)))
    if problems:
        raise InputError(problems)
    return meta, out


def read_crosswalk(path: str | os.PathLike) -> list[tuple[Mapping, int]]:
    """Read an SSSOM-style TSV crosswalk; each mapping (plain ids) with its line."""
    return [(m, line) for m, line, _ in read_crosswalk_set(path)[1]]


def data_files(root: Path) -> list[Path]:
    """Every file of the data folder that the version covers (symbolic links not followed into
    folders, so a link loop cannot make the walk endless)."""
    out = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "_crosswalk_parts")
        out.extend(Path(folder) / f for f in sorted(files) if not f.startswith("."))
    return out


def data_version(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(paths):
        digest.update(str(p.relative_to(root)).encode())
        digest.update(read_bytes(p))
    return digest.hexdigest()[:12]


def _read_indicators(path: Path, problems: list[Problem]) -> list[tuple[Indicator, int, str]]:
    out: list[tuple[Indicator, int, str]] = []
    try:
        header, rows = read_table(path)
    except InputError as exc:
        problems.extend(exc.problems)
        return out
    if set(header) != set(INDICATOR_COLUMNS) or len(header) != len(INDICATOR_COLUMNS):
        problems.append(Problem(str(path), 1, "header must be " + ",".join(INDICATOR_COLUMNS)))
        return out
    for line, row in rows:
        obj = _validate(Indicator, row, str(path), lambda loc, line=line: line, problems)
        if obj is not None:
            out.append((obj, line, str(path)))
    return out


def _yaml_files(folder: Path, problems: list[Problem]) -> list[Path]:
    """The ``*.yaml`` files of ``folder`` (none when it is missing); a file where the folder should be is a problem."""
    if folder.is_dir():
        # a file the loader would pass over unread (x.yml, x.YAML) is said, never silently ignored
        problems += [Problem(str(p), 0, "not read: a data file's name ends in '.yaml'") for p in sorted(folder.iterdir())
                     if p.is_file() and p.suffix.lower() in (".yml", ".yaml") and p.suffix != ".yaml"]
        return sorted(folder.glob("*.yaml"))
    if folder.exists() or folder.is_symlink():
        problems.append(Problem(str(folder), 0, "is a file, expected a folder of *.yaml files"))
    return []


def _read_register(raw: RawData, reading) -> None:
    """The register of options and its quotes, the policy anchors of the timeline and the translations
    of the data's English text, where present."""
    root, problems = raw.root, raw.problems
    for folder, model, records in (("options", Option, raw.options), ("quotes", Quote, raw.quotes)):
        with reading(folder):
            for path in _yaml_files(root / folder, problems):
                records.extend(_entries_file(path, model, problems))
    if (root / "anchors.yaml").exists():
        with reading("anchors"):
            raw.anchors = _list_file(root / "anchors.yaml", Anchor, problems)
    if (root / "translations.yaml").exists():
        with reading("translations"):
            raw.translations = _list_file(root / "translations.yaml", Translation, problems)


def read_data(root: Path) -> RawData:
    """Read every file of the data folder into records; nothing across files is checked here."""
    raw = RawData(root=root, crosswalk_path=root / "crosswalk.tsv")
    problems = raw.problems

    @contextmanager
    def reading(table: str):
        """Mark ``table`` broken when reading it added a problem."""
        before = len(problems)
        yield
        if len(problems) > before:
            raw.broken.add(table)

    with reading("sources"):
        raw.sources = _list_file(root / "sources.yaml", Source, problems)

    fw_dir = root / "frameworks"
    with reading("subjects"):  # without the frameworks, the crosswalk's items cannot be checked
        before = len(problems)
        fw_files = _yaml_files(fw_dir, problems)
        if not fw_files and len(problems) == before:  # a file where the folder should be is said already
            problems.append(Problem(str(fw_dir), 0, "no framework files (*.yaml)"))
    for path in fw_files:
        with reading("subjects"):
            try:
                fw, doc = read_framework(path)
                raw.frameworks.append((fw, doc, path))
            except InputError as exc:
                problems.extend(exc.problems)

    pr_dir = root / "practices"
    with reading("subjects"):
        for path in _yaml_files(pr_dir, problems):
            raw.practices.extend(_list_file(path, Practice, problems))

    _read_register(raw, reading)

    ind_path = root / "indicators.csv"
    if ind_path.exists():
        with reading("subjects"):
            raw.indicators = _read_indicators(ind_path, problems)

    try:
        raw.taxonomy_doc = read_yaml(root / "taxonomy.yaml")
        raw.taxonomy = _validate(Taxonomy, raw.taxonomy_doc.data, raw.taxonomy_doc.path, raw.taxonomy_doc.line_of, problems)
    except InputError as exc:
        problems.extend(exc.problems)

    try:
        raw.crosswalk_metadata, read = read_crosswalk_set(raw.crosswalk_path)
        raw.mappings = [(m, line) for m, line, _ in read]
        raw.mapping_extras = [extra for _, _, extra in read]
    except InputError as exc:
        problems.extend(exc.problems)
        raw.broken.add("crosswalk")
    return raw
