"""Comparative civil-service competency workbench: cited data, a shared taxonomy, analytics and reports."""
from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["load", "Dataset", "InputError", "__version__"]

from workbench.model.errors import InputError


def __getattr__(name: str):
    if name in ("load", "Dataset"):
        # deferred: so that `workbench --help` and small commands do not pay for pandas/pydantic.
        from workbench.model import dataset

        return getattr(dataset, name)
    raise AttributeError(name)
