"""Kernel ridge regression over curated items and the concepts' definitions, with cheap folds.

The learned suggester (:mod:`workbench.analysis.learned`) scores each concept for an item with a
kernel ridge regression whose documents are the curated items (targets: the concepts they are
mapped to) and the concepts' definitions (each the target of its own concept). A
leave-one-framework-out evaluation needs the regression without one framework, and, inside it,
without each other framework in turn: instead of inverting each of these systems, the folds are
blocks of one inverse (the inverse of a principal block, from the whole matrix's inverse ``A``,
is ``A_kk - A_kr A_rr^-1 A_rk``), so a fold costs a solve as small as the framework left out.
"""
from __future__ import annotations

import numpy as np

__all__ = ["ridge_system", "ridge_targets", "inverse_without", "weights_without"]


def ridge_system(among: np.ndarray, with_defs: np.ndarray, defs_gram: np.ndarray, ridge: float) -> np.ndarray:
    """The regularised kernel over the reference items and the definitions.

    Parameters
    ----------
    among, with_defs, defs_gram : the kernel among the reference items, between them and the
        definitions, and among the definitions.
    ridge : the regularisation added to the diagonal.

    >>> ridge_system(np.eye(1), np.zeros((1, 2)), np.eye(2), 0.5).diagonal().tolist()
    [1.5, 1.5, 1.5]
    """
    gram = np.block([[among, with_defs], [with_defs.T, defs_gram]]).astype(np.float64)
    return gram + ridge * np.eye(len(gram))


def ridge_targets(y: np.ndarray) -> np.ndarray:
    """The system's targets: the reference items' curated concepts (``y``, items x concepts), then
    each definition its own concept.

    >>> ridge_targets(np.array([[1, 0]])).tolist()
    [[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]
    """
    return np.vstack([y, np.eye(y.shape[1])]).astype(np.float64)


def inverse_without(inverse: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """The inverse of a system without the rows and columns ``removed``, from the whole system's inverse.

    >>> m = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])
    >>> np.allclose(inverse_without(np.linalg.inv(m), np.array([1])), np.linalg.inv(m[np.ix_([0, 2], [0, 2])]))
    True
    """
    kept = np.setdiff1d(np.arange(len(inverse)), removed)
    q = inverse[np.ix_(kept, removed)]
    return inverse[np.ix_(kept, kept)] - q @ np.linalg.solve(inverse[np.ix_(removed, removed)], q.T)


def weights_without(inverse: np.ndarray, weights: np.ndarray, removed: np.ndarray) -> np.ndarray:
    """The ridge's weights with the rows ``removed`` left out, from the whole system's inverse ``A``
    and weights ``W = A T``: ``W_k - A_kr A_rr^-1 W_r`` (the kept rows of ``T`` times the kept block's inverse).

    >>> m, t = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]]), np.array([[1.0], [0.0], [2.0]])
    >>> a = np.linalg.inv(m)
    >>> np.allclose(weights_without(a, a @ t, np.array([1])), np.linalg.solve(m[np.ix_([0, 2], [0, 2])], t[[0, 2]]))
    True
    """
    kept = np.setdiff1d(np.arange(len(inverse)), removed)
    return weights[kept] - inverse[np.ix_(kept, removed)] @ np.linalg.solve(inverse[np.ix_(removed, removed)], weights[removed])
