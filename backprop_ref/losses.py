r"""Losses and their gradients with respect to the prediction (D6, D7, D8, D16).

Conventions (SPEC §2): every loss is a **mean over the batch**, ``L = (1/N) Σ_n ℓ_n``, so
every gradient carries the ``1/N``; per-example losses are summed over the K outputs.
MSE carries the ½ of note 002.  L2 is ``½·reg·Σ_l ‖W_l‖²`` over weights only.

Gradients are exact where the loss is finite.  Where it is not (a target class whose
probability is exactly 0), the functions raise a ``ValueError`` instead of returning
``inf``: use the logit forms (``cross_entropy_with_logits``, ``delta_ce_softmax``), which
never take ``log(0)``.
"""

from __future__ import annotations

import math

from collections.abc import Iterable

import numpy as np

from ._validation import (
    as_class_targets,
    as_float_array,
    check_in_unit_interval,
    check_same_shape,
)
from .activations import _log_softmax

__all__ = [
    "mse",
    "mse_grad",
    "binary_cross_entropy",
    "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "cross_entropy_grad",
    "cross_entropy_with_logits",
    "l2_penalty",
    "l2_grad",
]


def _pair(a, y, a_name: str, y_name: str, check_finite: bool):
    a = as_float_array(a, a_name, ndim=2, check_finite=check_finite)
    y = as_float_array(y, y_name, ndim=2, check_finite=check_finite)
    check_same_shape(a, a_name, y, y_name)
    dtype = np.result_type(a.dtype, y.dtype)
    return a.astype(dtype, copy=False), y.astype(dtype, copy=False)


def _xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x·log(y)`` with the convention ``0·log(0) = 0`` (no warnings)."""
    logy = np.zeros_like(y)
    np.log(y, out=logy, where=x != 0)
    return x * logy


def _infinite_where(mask: np.ndarray, what: str, a_name: str, a: np.ndarray) -> None:
    if mask.any():
        n, k = (int(i) for i in np.argwhere(mask)[0])
        raise ValueError(
            f"{what} is infinite: {a_name}[{n}, {k}] = {float(a[n, k])!r} at a target that needs it "
            f"to be positive ({a_name} shape {a.shape}); compute the loss from logits instead "
            "(cross_entropy_with_logits / binary_cross_entropy_with_logits / the delta_* "
            "functions), which never take log(0)"
        )


def _target_probs(A: np.ndarray, labels: np.ndarray, what: str) -> np.ndarray:
    """``A[n, y_n]`` for every row; raises where one is exactly 0 (``log`` of it is ``-inf``)."""
    p = A[np.arange(A.shape[0]), labels]
    if not p.all():
        mask = np.zeros(A.shape, dtype=bool)
        mask[np.arange(A.shape[0]), labels] = p == 0
        _infinite_where(mask, what, "probs", A)
    return p


# --------------------------------------------------------------------------- D6: MSE
def mse(a, y, *, check_finite: bool = True):
    r"""Mean squared error with note 002's ½, averaged over the batch (D6).

    .. math:: L = \frac{1}{N}\sum_{n=1}^{N} \tfrac12 \lVert a_n - y_n \rVert^2

    Inputs:
        a: prediction, shape (N, K).
        y: real targets, shape (N, K).
    Returns:
        L: scalar of the inputs' float dtype.
    """
    a, y = _pair(a, y, "a", "y", check_finite)
    d = a - y
    return 0.5 * np.einsum("nk,nk->", d, d) / a.shape[0]


def mse_grad(a, y, *, check_finite: bool = True) -> np.ndarray:
    r"""Gradient of :func:`mse` with respect to the prediction (D6, note 002).

    .. math:: \frac{\partial L}{\partial a} = \frac{a - y}{N}

    The ½ cancels the 2 of the square; the ``1/N`` is the batch mean.

    Inputs:
        a, y: shape (N, K).
    Returns:
        shape (N, K).
    """
    a, y = _pair(a, y, "a", "y", check_finite)
    return (a - y) / a.shape[0]


# --------------------------------------------------------------------------- D8: BCE
def binary_cross_entropy(a, y, *, check_finite: bool = True):
    r"""Binary cross-entropy of probabilities, averaged over the batch (D8, note 002).

    .. math:: L = -\frac{1}{N}\sum_{n}\sum_{k} \big[y_{nk}\log a_{nk} + (1-y_{nk})\log(1-a_{nk})\big]

    Summed over the K outputs of a row, averaged over the N rows (torch's
    ``binary_cross_entropy(reduction="sum") / N``).  ``y`` may be soft, anywhere in
    ``[0, 1]``; ``0·log 0`` counts as 0.  With K = 1 it equals the 2-class categorical
    CE of ``[1 − a, a]`` (D8, proven symbolically).

    Inputs:
        a: probabilities in [0, 1], shape (N, K).
        y: targets in [0, 1], shape (N, K).
    Returns:
        L: scalar.  Raises ``ValueError`` where it would be infinite (``a = 0`` where
        ``y > 0``, or ``a = 1`` where ``y < 1``).
    """
    a, y = _pair(a, y, "a", "y", check_finite)
    check_in_unit_interval(a, "a")
    check_in_unit_interval(y, "y")
    _infinite_where(((y > 0) & (a == 0)) | ((y < 1) & (a == 1)), "binary cross-entropy", "a", a)
    return -(_xlogy(y, a) + _xlogy(1 - y, 1 - a)).sum() / a.shape[0]


def binary_cross_entropy_grad(a, y, *, check_finite: bool = True) -> np.ndarray:
    r"""Gradient of :func:`binary_cross_entropy` with respect to ``a`` (D8, note 002).

    .. math:: \frac{\partial L}{\partial a} = \frac{1}{N}\left(-\frac{y}{a} + \frac{1-y}{1-a}\right)
              = \frac{a - y}{N\,a(1-a)}

    Each term is taken only where its coefficient is non-zero, so ``a = y ∈ {0, 1}`` gives
    the finite one-sided value.

    Inputs:
        a, y: shape (N, K), in [0, 1].
    Returns:
        shape (N, K).  Raises ``ValueError`` where the gradient is infinite.
    """
    a, y = _pair(a, y, "a", "y", check_finite)
    check_in_unit_interval(a, "a")
    check_in_unit_interval(y, "y")
    _infinite_where(((y > 0) & (a == 0)) | ((y < 1) & (a == 1)), "the BCE gradient", "a", a)
    pos = np.zeros_like(a)
    neg = np.zeros_like(a)
    np.divide(y, a, out=pos, where=y != 0)
    np.divide(1 - y, 1 - a, out=neg, where=y != 1)
    return (neg - pos) / a.shape[0]


def binary_cross_entropy_with_logits(z, y, *, check_finite: bool = True):
    r"""BCE of ``σ(z)`` computed from logits, stably (D8/D10).

    .. math:: L = \frac{1}{N}\sum_{n,k}\big[\log(1 + e^{z_{nk}}) - y_{nk} z_{nk}\big]

    which equals ``binary_cross_entropy(sigmoid(z), y)`` but is finite for every finite
    ``z`` (torch's ``binary_cross_entropy_with_logits(reduction="sum") / N``).

    Inputs:
        z: logits, shape (N, K).
        y: targets in [0, 1], shape (N, K).
    Returns:
        L: scalar.
    """
    z, y = _pair(z, y, "z", "y", check_finite)
    check_in_unit_interval(y, "y")
    return (np.logaddexp(0, z) - y * z).sum() / z.shape[0]


# --------------------------------------------------------------------------- D7: CE
def cross_entropy(probs, y, *, check_finite: bool = True):
    r"""Categorical cross-entropy of probabilities, averaged over the batch (D7).

    .. math:: L = -\frac{1}{N}\sum_{n=1}^{N}\sum_{k=1}^{K} Y_{nk}\log A_{nk}

    (notes 002 003 004).  With hard labels only the target class's log-probability
    survives: ``L = −(1/N) Σ_n log A[n, y_n]``.

    Inputs:
        probs: A, probabilities in [0, 1], shape (N, K).
        y: integer labels (N,), one-hot rows (N, K), or soft rows summing to 1.
           Labels and one-hot rows give bit-identical results.
    Returns:
        L: scalar.  Raises ``ValueError`` if a target class has probability exactly 0
        (the loss is infinite); use :func:`cross_entropy_with_logits`.
    """
    A = as_float_array(probs, "probs", ndim=2, check_finite=check_finite)
    check_in_unit_interval(A, "probs")
    N, K = A.shape
    t = as_class_targets(y, N, K, n_from="probs")
    if t.labels is not None:
        p = _target_probs(A, t.labels, "cross-entropy")
        return -np.log(p).sum() / N
    Y = t.Y.astype(A.dtype, copy=False)
    _infinite_where((Y > 0) & (A == 0), "cross-entropy", "probs", A)
    return -_xlogy(Y, A).sum() / N


def cross_entropy_grad(probs, y, *, check_finite: bool = True) -> np.ndarray:
    r"""Gradient of :func:`cross_entropy` with respect to the probabilities (D7, note 003).

    .. math:: \frac{\partial L}{\partial A_{nk}} = -\frac{Y_{nk}}{N\,A_{nk}}

    Zero wherever ``Y = 0``.  This is the factor the full-Jacobian route (D12) multiplies
    by ``J``; it is infinite where a target probability underflowed to 0, and then this
    function raises instead of returning ``inf``.

    Inputs:
        probs: A, shape (N, K).
        y: labels (N,) or one-hot/soft rows (N, K).
    Returns:
        shape (N, K).
    """
    A = as_float_array(probs, "probs", ndim=2, check_finite=check_finite)
    check_in_unit_interval(A, "probs")
    N, K = A.shape
    t = as_class_targets(y, N, K, n_from="probs")
    if t.labels is not None:
        p = _target_probs(A, t.labels, "∂L/∂A = −Y/(N·A)")
        G = np.zeros_like(A)
        G[np.arange(N), t.labels] = -1 / (N * p)
        return G
    Y = t.Y.astype(A.dtype, copy=False)
    _infinite_where((Y > 0) & (A == 0), "∂L/∂A = −Y/(N·A)", "probs", A)
    G = np.zeros_like(A)
    np.divide(-Y, N * A, out=G, where=Y != 0)
    return G


def cross_entropy_with_logits(z, y, *, check_finite: bool = True):
    r"""Categorical cross-entropy of ``softmax(z)`` computed from logits (D7/D11).

    .. math:: L = -\frac{1}{N}\sum_{n,k} Y_{nk}\,\mathrm{log\_softmax}(z)_{nk}

    Finite for every finite ``z`` (torch's ``F.cross_entropy``).

    Inputs:
        z: logits, shape (N, K).
        y: labels (N,) or one-hot/soft rows (N, K).
    Returns:
        L: scalar.
    """
    z = as_float_array(z, "z", ndim=2, check_finite=check_finite)
    N, K = z.shape
    t = as_class_targets(y, N, K, n_from="z")
    logA = _log_softmax(z)
    if t.labels is not None:
        return -logA[np.arange(N), t.labels].sum() / N
    return -(t.Y.astype(z.dtype, copy=False) * logA).sum() / N


# --------------------------------------------------------------------------- D16: L2
def _check_reg(reg) -> float:
    if type(reg) is float and 0.0 <= reg < math.inf:     # the usual case, checked cheaply
        return reg
    if isinstance(reg, bool) or not isinstance(reg, (int, float, np.floating, np.integer)):
        raise TypeError(f"reg must be a real number, got {type(reg).__name__}")
    try:
        value = float(reg)
    except OverflowError:                                 # an int beyond the float range
        raise ValueError("reg must be finite and non-negative, got an int of "
                         f"{len(str(abs(reg)))} digits") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"reg must be finite and non-negative, got {reg!r}")
    return value


def l2_penalty(weights: Iterable, reg: float):
    r"""The L2 term of note 001 over the weight matrices only (D16).

    .. math:: R = \tfrac12\,\mathrm{reg}\sum_l \lVert W_l \rVert_F^2

    Biases are not regularised: pass the ``W`` matrices only.

    Inputs:
        weights: an iterable of weight arrays (any shapes).
        reg: the regularisation strength, ≥ 0.
    Returns:
        R: scalar.
    """
    reg = _check_reg(reg)
    Ws = [as_float_array(W, f"weights[{i}]") for i, W in enumerate(weights)]
    if not Ws:
        raise ValueError("weights is empty; pass at least one weight matrix")
    return 0.5 * reg * sum(np.vdot(W, W) for W in Ws)


def l2_grad(W, reg: float) -> np.ndarray:
    r"""Gradient of :func:`l2_penalty` with respect to one weight matrix (D16, note 001).

    .. math:: \frac{\partial R}{\partial W_l} = \mathrm{reg}\cdot W_l

    The ½ cancels the 2 of the square; there is no ``1/N`` (the penalty is not a batch
    mean), which is why note 001 adds ``reg * W2`` after the data term.

    Inputs:
        W: a weight array, any shape.
        reg: ≥ 0.
    Returns:
        array of the shape of ``W``.
    """
    reg = _check_reg(reg)
    W = as_float_array(W, "W")
    return reg * W
