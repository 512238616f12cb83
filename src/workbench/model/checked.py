"""The whole data folder, loaded and every file checked (``workbench validate``)."""
from __future__ import annotations

import os
from pathlib import Path

from workbench.model.coding_passes import passes_of
from workbench.model.dataset import Dataset, load
from workbench.model.settings import load_settings

__all__ = ["validate"]


def validate(data_dir: str | os.PathLike | None = None) -> Dataset:
    """Check the whole data folder (every file an analysis reads, ``weights.yaml`` included).

    Returns the loaded dataset; raises :class:`~workbench.model.errors.InputError` listing every problem.

    Examples
    --------
    >>> validate().summary()["frameworks"] > 0
    True
    """
    ds = load(data_dir, all_versions=True)  # every version is checked, not only those in force today
    if (Path(ds.path) / "weights.yaml").exists():
        load_settings(ds)  # weights, and the frameworks, sources and indicators it names
    passes_of(ds)  # the record of the double coding (data/coding/), where the folder has one
    return ds
