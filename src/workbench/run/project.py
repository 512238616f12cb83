"""Where a checkout keeps things: its notebooks, data and output folders, and each report's outputs."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Project", "output_paths"]


@dataclass(frozen=True)
class Project:
    """Where things live: the checkout's notebooks, data, library, and output folders."""

    root: Path

    @classmethod
    def find(cls, start: str | os.PathLike | None = None) -> "Project":
        here = Path(start or Path.cwd()).resolve()
        for candidate in (here, *here.parents):
            if (candidate / "reports.yaml").is_file() and (candidate / "notebooks").is_dir():
                return cls(candidate)
        package_root = Path(__file__).resolve().parents[3]
        return cls(package_root)

    matrix = property(lambda self: self.root / "reports.yaml")
    notebooks = property(lambda self: self.root / "notebooks")
    data = property(lambda self: Path(os.environ.get("WORKBENCH_DATA") or self.root / "data"))
    reports = property(lambda self: self.root / "reports")
    figures = property(lambda self: self.root / "figures")
    cache = property(lambda self: self.root / "reports" / ".cache")
    failed = property(lambda self: self.root / "reports" / ".failed")


def output_paths(project: Project, name: str) -> dict[str, Path]:
    """Where the report ``name`` keeps its outputs.

    Parameters
    ----------
    project : the checkout.
    name : the report's name in ``reports.yaml``.

    Returns
    -------
    The report's ``html`` (and ``annex``, when its notebook has one), executed ``notebook``, ``figures`` folder, cache ``key``, and the
    ``failed`` notebook kept after a failure.
    """
    return {
        "html": project.reports / f"{name}.html",
        "annex": project.reports / f"{name}-annex.html",
        "notebook": project.reports / "notebooks" / f"{name}.ipynb",
        "figures": project.figures / name,
        "key": project.cache / f"{name}.key",
        "failed": project.failed / f"{name}.ipynb",
    }
