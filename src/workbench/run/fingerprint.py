"""What a report's cache key is made of: its notebook and entry, the data, the documents it names, the
library code, the package versions."""
from __future__ import annotations

import hashlib
import json
import platform
from importlib import metadata
from pathlib import Path
from typing import Iterable

from workbench.model.documents import DOCUMENT_PARAMETERS, resolve_document
from workbench.model.sourcefile import read_bytes
from workbench.run.matrix import ReportSpec
from workbench.run.project import Project

__all__ = ["ANALYSIS_PACKAGES", "package_versions", "inputs_fingerprint", "input_key", "named_documents"]

#: The analysis stack whose versions go into the cache key and each report's footer.
ANALYSIS_PACKAGES = ("pandas", "numpy", "matplotlib", "seaborn", "networkx", "scikit-learn", "nbconvert", "papermill")


def _hash_tree(paths: Iterable[Path], root: Path, digest) -> None:
    for p in sorted(paths):
        digest.update(str(p.relative_to(root)).encode())
        digest.update(read_bytes(p))  # an unreadable file is named, "cannot read"


def package_versions() -> dict[str, str]:
    """Versions of Python and of the analysis stack the reports are made with (from the installed metadata)."""
    out = {"python": platform.python_version()}
    for name in ANALYSIS_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def inputs_fingerprint(project: Project) -> str:
    """Hash of what every report shares: the data, the library code (templates included), the package versions."""
    digest = hashlib.sha256()
    data = project.data
    _hash_tree((p for p in data.rglob("*") if p.is_file() and not p.name.startswith(".")), data, digest)
    lib = Path(__file__).resolve().parents[1]
    _hash_tree((p for p in lib.rglob("*") if p.is_file() and p.suffix in (".py", ".j2", ".json", ".yaml", ".css")), lib, digest)
    # Upgrading pandas or matplotlib can change a report without any file of ours changing.
    digest.update(json.dumps(package_versions(), sort_keys=True).encode())
    return digest.hexdigest()


def named_documents(spec: ReportSpec, project: Project) -> list[Path]:
    """The files a report reads beyond the shared data: the documents its parameters name (in
    ``data/documents/``; a name that leads elsewhere raises :class:`~workbench.model.errors.InputError`)."""
    found = []
    for parameter in DOCUMENT_PARAMETERS:
        names = spec.parameters.get(parameter)
        if isinstance(names, list):
            found.extend(resolve_document(project.data, name) for name in names)
    return found


def input_key(spec: ReportSpec, project: Project, shared: str) -> str:
    """Cache key of one report: its notebook, its matrix entry, the documents it names (their bytes),
    and the shared inputs. A SHA-256 in hexadecimal (64 digits)."""
    digest = hashlib.sha256(shared.encode())
    digest.update((project.notebooks / spec.notebook).read_bytes())
    entry = {"name": spec.name, "notebook": spec.notebook, "description": spec.description, "parameters": spec.parameters, "title": spec.title}
    digest.update(json.dumps(entry, sort_keys=True, ensure_ascii=False).encode())
    for path in named_documents(spec, project):
        # Its bytes, whatever the data folder's hash covers (a hidden file, a folder it skips).
        digest.update(str(path.relative_to(project.data)).encode())
        digest.update(hashlib.sha256(read_bytes(path)).digest())
    return digest.hexdigest()
