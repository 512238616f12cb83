"""Lazy public names for the layer packages, so that importing a layer costs nothing until a name is used.

A layer's ``__init__`` lists its public names in ``__all__`` and where each lives; the command line
imports ``workbench.run`` without pulling in pandas, matplotlib or pydantic (a nothing-changed
``workbench reports`` must start in well under a second).
"""
from __future__ import annotations

from importlib import import_module
from typing import Any, Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, where: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``: a public name is imported from its module on first use.

    Parameters
    ----------
    package : the layer's ``__name__``.
    where : public name -> module of the layer that defines it (a module's own name maps to itself).

    Returns
    -------
    The module-level ``__getattr__`` and ``__dir__`` functions (PEP 562).

    Examples
    --------
    >>> getattr_, dir_ = lazy_exports("workbench.model", {"DEFAULT_PEERS": "defaults"})
    >>> getattr_("DEFAULT_PEERS")
    ('GBR', 'CAN', 'NZL')
    """
    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = import_module(f"{package}.{where[name]}")
        return module if where[name] == name else getattr(module, name)

    def __dir__() -> list[str]:
        return sorted(where)

    return __getattr__, __dir__
