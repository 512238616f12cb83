"""Load and check the curated dataset in ``data/`` into pandas DataFrames: read, check, tabulate.

Reading is :mod:`workbench.model.reading`, the checks :mod:`workbench.model.validate`, the
containers :mod:`workbench.model.records`; this module joins them and builds the tables.
"""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workbench.model.errors import InputError
from workbench.model.i18n import check_language
from workbench.model.reading import (CROSSWALK_COLUMNS, SSSOM_OPTIONAL_COLUMNS, SSSOM_REQUIRED_METADATA, data_files, data_version,
                                     read_crosswalk, read_crosswalk_set, read_data, read_framework)
from workbench.model.records import Dataset, RawData
from workbench.model.register import option_frame, quote_frame
from workbench.model.schema import Indicator, Practice, Taxonomy
from workbench.model.validate.data import dataset_problems
from workbench.model.translations import Translation, localised
from workbench.model.versions import at_date

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Dataset",
    "load",
    "default_data_dir",
    "read_framework",
    "read_crosswalk",
    "read_crosswalk_set",
    "CROSSWALK_COLUMNS",
    "SSSOM_OPTIONAL_COLUMNS",
    "SSSOM_REQUIRED_METADATA",
]


def default_data_dir() -> Path:
    """``$WORKBENCH_DATA``, else the ``data/`` folder of the nearest checkout holding the working folder
    (a notebook runs in ``notebooks/``, a researcher anywhere below), else the ``data/`` folder of the
    checkout this package is installed from.

    A checkout is a folder with ``data/sources.yaml``, or with ``reports.yaml`` beside a ``data/``
    folder: a checkout whose data lacks a file is still its own, so loading it names the missing file
    rather than quietly reading another checkout's data."""
    env = os.environ.get("WORKBENCH_DATA")
    if env:
        return Path(env)
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if _is_checkout(folder):
            return folder / "data"
    return Path(__file__).resolve().parents[3] / "data"


def _is_checkout(folder: Path) -> bool:
    """Whether ``folder`` holds a checkout's data (see :func:`default_data_dir`); a folder one may not
    enter (a shared server's ``/data``) is none."""
    try:
        return (folder / "data" / "sources.yaml").exists() or ((folder / "reports.yaml").is_file() and (folder / "data").is_dir())
    except OSError:
        return False


#: The checked records of the data folder loaded last, with the fingerprint of its files: a warm
#: kernel (the report runner reuses one for several reports) reads and validates the data once, and
#: any change to any file of the folder (a new fingerprint) makes the next load read it again.
_CHECKED: dict[str, tuple[str, RawData]] = {}


def _fingerprint(root: Path) -> str | None:
    """The content hash of every file of the folder (``Dataset.data_version``); ``None`` when a file
    cannot be read, so that reading names it."""
    try:
        return data_version(data_files(root), root)
    except InputError:
        return None


def load(data_dir: str | os.PathLike | None = None, as_of: str | date | None = None, all_versions: bool = False,
         lang: str = "en") -> Dataset:
    """Read the data folder and check it (:func:`workbench.model.validate.dataset_problems`), as of a date.

    Frameworks are the versions in force on ``as_of`` (default: today; see
    :mod:`workbench.model.versions`), so that no lineage counts twice; ``all_versions`` keeps every
    version (``ds.as_of`` is then ``None``). ``lang`` (ru, kk): the data's English text where
    ``data/translations.yaml`` translates it (:func:`workbench.model.translations.localised`).

    The checked records are kept for the next call while no file of the folder changes (compared
    by content); every call returns new tables, so a caller may change them freely.

    Parameters
    ----------
    data_dir : the data folder; by default :func:`default_data_dir`.

    Returns
    -------
    Dataset
        One DataFrame per table.

    Raises
    ------
    InputError
        Listing every problem (``path:line: message``).

    Examples
    --------
    >>> ds = load()
    >>> {"frameworks", "items", "sources"} <= set(ds.summary())
    True
    >>> load().items is ds.items
    False
    """
    root = Path(data_dir) if data_dir is not None else default_data_dir()
    if not root.is_dir():
        raise InputError.single(root, 0, "data folder not found")
    key, fingerprint = str(root.resolve()), _fingerprint(root)
    cached = _CHECKED.get(key)
    check_language(lang)
    if fingerprint is not None and cached is not None and cached[0] == fingerprint:
        return localised(_dated(_frames(cached[1], fingerprint), as_of, all_versions), lang)
    raw = read_data(root)
    problems = raw.problems + dataset_problems(raw)
    if problems:
        raise InputError(problems)
    _CHECKED.clear()
    if fingerprint is not None:
        _CHECKED[key] = (fingerprint, raw)
    return localised(_dated(_frames(raw, fingerprint), as_of, all_versions), lang)


def _dated(ds: Dataset, as_of: str | date | None, all_versions: bool) -> Dataset:
    return ds if all_versions else at_date(ds, as_of)


def _item_row(fw: Any, doc: Any, i: int, item: Any) -> dict[str, Any]:
    return {
        "item_code": item.code, "framework_id": fw.id, "country": fw.country, "level": fw.level, "year": fw.year,
        "kind": fw.kind, "label": item.label, "description": item.description or "", "group": item.group or "",
        "source": item.source or fw.source, "locator": item.locator or fw.locator or "",
        "file": doc.path, "line": doc.line_of(("items", i)),
    }


def _framework_row(fw: Any, doc: Any) -> dict[str, Any]:
    return {
        "framework_id": fw.id, "country": fw.country, "title": fw.title, "year": fw.year, "level": fw.level,
        "kind": fw.kind, "source": fw.source, "locator": fw.locator or "", "description": fw.description or "",
        "n_items": len(fw.items), "file": doc.path,
        "lineage": fw.lineage or "", "version": fw.version or "", "in_force_from": fw.in_force_from,
        "in_force_to": fw.in_force_to, "replaced_by": fw.replaced_by or "", "dates_source": fw.dates_source or "",
        "dates_locator": fw.dates_locator or "",
        "coverage": fw.coverage, "missing": fw.missing or "", "source_kind": fw.source_kind,
        "missing_domains": tuple(fw.missing_domains or ()),
        "proposal": fw.proposal,
    }


def _concept_row(c: Any) -> dict[str, Any]:
    return {
        "concept_id": c.id, "domain": c.domain, "scope": c.scope,
        "label_en": c.label.en, "label_ru": c.label.ru, "label_kk": c.label.kk,
        "label_status_ru": c.label_status.get("ru", "draft"), "label_status_kk": c.label_status.get("kk", "draft"),
        "definition": c.definition,
        "aliases_en": list(c.aliases.en), "aliases_ru": list(c.aliases.ru), "aliases_kk": list(c.aliases.kk),
        "broader": c.broader or "",
        "reviewed_by_ru": c.reviewed_by.get("ru", ""), "reviewed_by_kk": c.reviewed_by.get("kk", ""),
    }


def _taxonomy_frames(taxonomy: Taxonomy) -> tuple["pd.DataFrame", "pd.DataFrame"]:
    """Concepts and domains as tables."""
    import pandas as pd  # deferred: a data mistake is reported without pandas' start-up time

    concepts = pd.DataFrame([_concept_row(c) for c in taxonomy.concepts])
    domains = pd.DataFrame(
        [{"domain": d.id, "label_en": d.label.en, "label_ru": d.label.ru, "label_kk": d.label.kk} for d in taxonomy.domains]
    )
    return concepts, domains


def _crosswalk_frame(raw: RawData) -> "pd.DataFrame":
    """The mappings with the SSSOM optional columns some mapping uses."""
    import pandas as pd  # deferred: a data mistake is reported without pandas' start-up time

    extras = raw.mapping_extras
    return pd.DataFrame(
        [{**m.model_dump(), **extra, "line": line} for (m, line), extra in zip(raw.mappings, extras)],
        columns=CROSSWALK_COLUMNS + [c for c in SSSOM_OPTIONAL_COLUMNS if any(c in e for e in extras)] + ["line"],
    )


def _frames(raw: RawData, version: str | None = None) -> Dataset:
    """The checked records as new DataFrames (``version``: the folder's fingerprint, when known)."""
    import pandas as pd  # deferred: a data mistake is reported without pandas' start-up time

    root, taxonomy = raw.root, raw.taxonomy
    assert taxonomy is not None
    concepts, domains = _taxonomy_frames(taxonomy)
    return Dataset(
        path=root,
        sources=pd.DataFrame([{**s.model_dump(), "line": line} for s, line, _ in raw.sources]),
        frameworks=pd.DataFrame([_framework_row(fw, doc) for fw, doc, _ in raw.frameworks]),
        items=pd.DataFrame([_item_row(fw, doc, i, item) for fw, doc, _ in raw.frameworks for i, item in enumerate(fw.items)]),
        practices=pd.DataFrame([{**p.model_dump(), "file": path, "line": line} for p, line, path in raw.practices],
                               columns=list(Practice.model_fields) + ["file", "line"]),
        indicators=pd.DataFrame([{**x.model_dump(), "line": line} for x, line, _ in raw.indicators],
                                columns=list(Indicator.model_fields) + ["line"]),
        domains=domains,
        concepts=concepts,
        crosswalk=_crosswalk_frame(raw),
        taxonomy_version=taxonomy.version,
        data_version=version or data_version(data_files(root), root),
        files={"crosswalk": str(raw.crosswalk_path), "taxonomy": str(root / "taxonomy.yaml")},
        crosswalk_metadata=raw.crosswalk_metadata,
        options=option_frame(raw.options),
        anchors=pd.DataFrame([{**a.model_dump(), "line": line} for a, line, _ in raw.anchors],
                             columns=["id", "country", "title", "date", "source", "locator", "line"]),
        quotes=quote_frame(raw.quotes, {s.id: s.file for s, _, _ in raw.sources if s.kind == "seed"}, root),
        translations=pd.DataFrame([{**x.model_dump(), "line": line} for x, line, _ in raw.translations],
                                  columns=[*Translation.model_fields, "line"]),
    )
