"""One BLAS thread for the learned suggester's small matrices.

OpenBLAS splits even a product of 17,000 x 32 numbers over every core, and on this project's
machines (two cores, two reports or two test workers at once) the threads wait on each other: one
logistic regression of the leave-one-framework-out evaluation took 0.34 s with the default threads
and 0.04 s with one (measured 2026-12-06 on the bundled data). The limit holds only while the
decorated function runs.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

__all__ = ["one_blas_thread"]

F = TypeVar("F", bound=Callable[..., Any])


def one_blas_thread(func: F) -> F:
    """``func``, run with the BLAS libraries (OpenBLAS, MKL) limited to one thread."""

    @functools.wraps(func)
    def limited(*args: Any, **kwargs: Any) -> Any:
        # deferred: threadpoolctl inspects the loaded libraries; only the suggester's fits need it
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return limited  # type: ignore[return-value]
