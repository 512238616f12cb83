"""Whether a report is up to date: its cache key and its outputs on disk, the runner's records read as hints.

Nothing here is a source of truth. A key file or a record that cannot be read or is not of its
shape means "changed" (the report is rebuilt, and one line on stderr names the file); a report
whose page, executed notebook or figures are missing is rebuilt; what an earlier, interrupted
attempt left behind (its work folder, a figures folder moved aside, half-written temporary files)
is removed before anything is judged, so that it is never taken for an output.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any, Iterable

from workbench.model.errors import warn
from workbench.model.outputs import atomic_write
from workbench.run.parameters import read_cache_file
from workbench.run.project import Project, output_paths
from workbench.run.swap import recover

__all__ = ["RECORD_NAME", "read_key", "read_record", "write_record", "figures_made", "is_up_to_date", "clean_leftovers"]

#: What the last run of each report put in place (its key and the files of its figures folder),
#: in ``reports/.cache``: a report whose figures were deleted by hand is rebuilt.
RECORD_NAME = "outputs.json"
#: A cache key as :func:`workbench.run.fingerprint.input_key` writes it: a SHA-256 in hexadecimal.
_KEY = re.compile(r"[0-9a-f]{64}")


def read_key(path: Path) -> str | None:
    """The cache key kept at ``path``; ``None`` when there is none or it is not a key (a warning names the file)."""
    raw = read_cache_file(path, _distrust)
    if raw is None:
        return None
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError:
        return _distrust(path, "not text")
    if not _KEY.fullmatch(text):
        return _distrust(path, "not a cache key")
    return text


def _distrust(path: Path, why: str) -> None:
    warn(path, f"ignored ({why}); the report is rebuilt")
    return None


def read_record(path: Path) -> dict[str, dict[str, Any]]:
    """``{report name: {"key": key, "figures": [file, ...]}}`` from ``path``: the entries of the right
    shape (a warning names the file when anything else is found), empty when there is no file."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError, ValueError):
        data = None
    good = {name: entry for name, entry in data.items() if _is_entry(entry)} if isinstance(data, dict) else {}
    if not isinstance(data, dict) or len(good) != len(data):
        warn(path, "record of the last run's outputs partly or wholly ignored (not of its shape); "
                   "the reports it does not vouch for are checked by their folders")
    return good


def _is_entry(entry: Any) -> bool:
    return (isinstance(entry, dict) and isinstance(entry.get("key"), str) and isinstance(entry.get("figures"), list)
            and all(isinstance(f, str) and f and ".." not in Path(f).parts and not Path(f).is_absolute()
                    for f in entry["figures"]))


def write_record(path: Path, made: dict[str, dict[str, Any]]) -> None:
    """Merge ``made`` (entries as :func:`read_record` returns them) into the record at ``path``, written atomically."""
    if made:
        merged = {**_quiet_record(path), **made}
        atomic_write(path, json.dumps(merged, sort_keys=True, indent=1, ensure_ascii=False) + "\n")


def _quiet_record(path: Path) -> dict[str, dict[str, Any]]:
    """The record's good entries, without a warning (the run that reads it to merge has already said so)."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    return {name: entry for name, entry in data.items() if _is_entry(entry)} if isinstance(data, dict) else {}


def figures_made(folder: Path, key: str, annex: Path | None = None) -> dict[str, Any]:
    """The record entry of a report just put in place: its key, every file of its figures ``folder``,
    and whether it has an ``annex`` file."""
    files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []
    return {"key": key, "figures": files, "annex": bool(annex is not None and annex.is_file())}


def is_up_to_date(project: Project, name: str, key: str, made: dict[str, Any] | None) -> bool:
    """Whether the report ``name`` was last made from inputs with ``key`` and all its outputs are in place.

    ``made`` is the record of its last run (:func:`read_record`); without one for this key, its
    figures folder must be there (the runner always puts one in place).
    """
    paths = output_paths(project, name)
    if read_key(paths["key"]) != key or not paths["html"].is_file() or not paths["notebook"].is_file():
        return False
    if made is None or made.get("key") != key:
        return paths["figures"].is_dir()
    if made.get("annex") and not paths["annex"].is_file():
        return False
    return all((paths["figures"] / f).is_file() for f in made["figures"])


def clean_leftovers(project: Project, names: Iterable[str]) -> None:
    """Clear what an earlier attempt left: the run's work folder, temporary files of interrupted writes,
    anything but a file where a cache key belongs; an output a killed swap set aside (``.<name>.old``)
    goes back to its place when nothing took it. Call it with the run's lock held."""
    for folder in (project.figures, project.reports, project.reports / "notebooks"):
        for previous in folder.glob(".*.old"):
            # an output a killed swap set aside: back in its place when nothing took it, else stale
            recover(previous.with_name(previous.name[1:-len(".old")]))
    leftovers = [project.cache / "run"]
    for folder in (project.reports, project.reports / "notebooks", project.failed, project.cache):
        leftovers.extend(folder.glob(".*.tmp"))
    for path in leftovers:
        _remove(path)
    for name in names:
        key = output_paths(project, name)["key"]
        if (key.exists() or key.is_symlink()) and (key.is_symlink() or not key.is_file()):
            warn(key, "removed (not a file; a cache key belongs here); the report is rebuilt")
            _remove(key)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists() or path.is_symlink():
        path.unlink(missing_ok=True)
