r"""Losses and their gradients with respect to the prediction (D6, D7, D8, D16).

Conventions: every loss is a **mean over the batch**, ``L = (1/N) Σ_n ℓ_n``, so every
gradient carries the ``1/N``; per-example losses sum over the K outputs.  MSE carries the ½
of note 002.  L2 is ``½·reg·Σ_l ‖W_l‖²`` over the weights only.

Each term is divided by N *before* the sum, so a mean that is representable never overflows
because its sum is not; likewise a gradient ``(a − y)/N`` that is representable never
overflows because ``a − y`` is not (``mse_grad([[1e308], [1.0]], [[-1e308], [0.0]])`` is
``[[1e308], [0.5]]``), and one that is not representable raises an error naming ``a`` and
``y``.  Gradients are exact where the loss is finite; where it is not (a
target class whose probability is exactly 0, or so small that ``1/(N·A)`` overflows), the
functions raise a ``ValueError`` instead of returning ``inf``: use the logit forms
(``cross_entropy_with_logits``, ``delta_ce_softmax``), which never divide by ``A``.

The underscored kernels are the formulas on arrays already checked; the heads
(`backprop_ref.heads`) and the networks call them, so each loss is written once.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import ArrayLike

from .activations import _log_softmax
from .validation import (
    as_array,
    cast_like,
    check_same_shape,
    check_unit_interval,
    class_targets,
    finite_result,
    reg_value,
)

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


# --------------------------------------------------------------------------- kernels
def _batch_mean(terms: np.ndarray) -> np.floating:
    """``(1/N) Σ`` of an (N, K) array of terms, each divided by N before the sum."""
    return np.sum(terms / terms.shape[0])


def _xlogy(y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``y · log p`` with ``0 · log p = 0`` wherever ``y = 0`` (also where ``p = 0``)."""
    out = np.zeros(np.broadcast_shapes(y.shape, p.shape), dtype=p.dtype)
    np.log(p, out=out, where=y != 0)
    return np.multiply(y, out, out=out, where=y != 0)


def _mse(a: np.ndarray, y: np.ndarray) -> np.floating:
    d = a - y
    return _batch_mean(0.5 * d * d)


def _mse_grad(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    N = a.shape[0]
    dA = (a - y) / N
    # a − y overflows where a and y lie near the two ends of the float range, although
    # (a − y)/N may fit ((1e308 − (−1e308))/2 = 1e308): there, and only there, divide
    # before subtracting.  Elsewhere (a − y)/N is kept, which is exact where a ≈ y.
    overflowed = np.isinf(dA) & np.isfinite(a) & np.isfinite(y)
    if overflowed.any():
        dA = np.where(overflowed, a / N - y / N, dA)
    return dA


def _representable(G: np.ndarray, what: str, a_name: str, a: np.ndarray,
                   y: np.ndarray) -> np.ndarray:
    """``G = (a − y)/N`` itself, unless an entry exceeds the float range although ``a`` and
    ``y`` are finite: then raise, naming both arguments at that entry."""
    bad = np.isinf(G) & np.isfinite(a) & np.isfinite(y)
    if bad.any():
        n, k = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{what}: the result overflows the float range (inf or nan) although every input "
            f"is finite: ({a_name} − y)/N at [{n}, {k}] with {a_name} = {float(a[n, k])!r} and "
            f"y = {float(y[n, k])!r} ({a_name}{a.shape}, y{y.shape}, N = {a.shape[0]}) exceeds "
            f"the range of {G.dtype}"
        )
    return G


def _binary_cross_entropy(a: np.ndarray, y: np.ndarray) -> np.floating:
    return _batch_mean(-(_xlogy(y, a) + _xlogy(1 - y, 1 - a)))


def _binary_cross_entropy_with_logits(z: np.ndarray, y: np.ndarray) -> np.floating:
    # −[y log σ(z) + (1 − y) log(1 − σ(z))] = log(1 + e^z) − y z, finite for every finite z
    return _batch_mean(np.logaddexp(0, z) - y * z)


def _cross_entropy(A: np.ndarray, Y: np.ndarray) -> np.floating:
    return _batch_mean(-_xlogy(Y, A))


def _cross_entropy_with_logits(Z: np.ndarray, Y: np.ndarray) -> np.floating:
    return _batch_mean(-_xlogy_log(Y, _log_softmax(Z)))


def _xlogy_log(Y: np.ndarray, logA: np.ndarray) -> np.ndarray:
    """``Y · log A`` from ``log A`` itself, 0 wherever ``Y = 0`` (even where log A = −inf)."""
    return np.multiply(Y, logA, out=np.zeros_like(logA), where=Y != 0)


def _l2_penalty(weights: Iterable[np.ndarray], reg: float) -> np.floating:
    # ½·reg·W² term by term, so the penalty overflows only where it is not representable
    return sum(np.sum(0.5 * reg * W * W) for W in weights)


def _infinite_where(mask: np.ndarray, what: str, a_name: str, a: np.ndarray) -> None:
    """Raise where ``log`` or ``1/·`` of a probability is needed at an exact 0 or 1."""
    if mask.any():
        n, k = (int(i) for i in np.argwhere(mask)[0])
        raise ValueError(
            f"{what} is infinite: {a_name}[{n}, {k}] = {float(a[n, k])!r} at a target that "
            f"needs it to be inside (0, 1) ({a_name} shape {a.shape}); compute the loss from "
            "logits instead (cross_entropy_with_logits / binary_cross_entropy_with_logits / "
            "the delta_* functions), which never take log(0)"
        )


def _overflow_where(G: np.ndarray, what: str, a_name: str, a: np.ndarray) -> np.ndarray:
    """``G`` itself, unless ``1/a`` overflowed somewhere (``a`` subnormal): then raise there."""
    bad = ~np.isfinite(G)
    if bad.any():
        n, k = (int(i) for i in np.argwhere(bad)[0])
        raise ValueError(
            f"{what} overflows: {a_name}[{n}, {k}] = {float(a[n, k])!r} is so close to the "
            f"edge of (0, 1) that the gradient there exceeds the float range ({a_name} shape "
            f"{a.shape}); compute from logits instead (the delta_* functions), which never "
            f"divide by {a_name}"
        )
    return G


def _pair(a, y, a_name: str, check_finite: bool) -> tuple[np.ndarray, np.ndarray]:
    """A prediction and its real targets: same shape, the targets in the prediction's dtype."""
    a = as_array(a, a_name, ndim=2, check_finite=check_finite)
    y = as_array(y, "y", ndim=2, check_finite=check_finite)
    check_same_shape(a, a_name, y, "y")
    return a, cast_like(y, a, "y", a_name)


def _probs_and_classes(probs, y, check_finite: bool) -> tuple[np.ndarray, np.ndarray]:
    A = as_array(probs, "probs", ndim=2, check_finite=check_finite)
    check_unit_interval(A, "probs")
    return A, class_targets(y, A.shape[0], A.shape[1], dtype=A.dtype, n_from="probs")


# --------------------------------------------------------------------------- D6: MSE
@finite_result("mse")
def mse(a: ArrayLike, y: ArrayLike, *, check_finite: bool = True) -> np.floating:
    r"""Mean squared error with note 002's ½, averaged over the batch (D6).

    $$
    L = \frac{1}{N}\sum_{n=1}^{N} \tfrac12 \lVert a_n - y_n \rVert^2
    $$

    Inputs:
        a: prediction, shape (N, K).
        y: real targets, shape (N, K); cast to the dtype of ``a``.
    Returns:
        L: scalar of ``a``'s float dtype.
    """
    return _mse(*_pair(a, y, "a", check_finite))


@finite_result("mse_grad")
def mse_grad(a: ArrayLike, y: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Gradient of `mse` with respect to the prediction (D6, note 002).

    $$
    \frac{\partial L}{\partial a} = \frac{a - y}{N}
    $$

    The ½ cancels the 2 of the square; the ``1/N`` is the batch mean.  Where ``a − y``
    itself would overflow (``a``, ``y`` near opposite ends of the float range), that entry
    is computed as ``a/N − y/N``, so a representable gradient is returned.

    Inputs:
        a, y: shape (N, K).
    Returns:
        shape (N, K), ``a``'s float dtype.  Raises ``ValueError`` naming ``a`` and ``y``
        where ``(a − y)/N`` is beyond the float range.
    """
    a, y = _pair(a, y, "a", check_finite)
    dA = _mse_grad(a, y)
    return _representable(dA, "mse_grad", "a", a, y) if check_finite else dA


# --------------------------------------------------------------------------- D8: BCE
def _bce_inputs(a, y, what: str, check_finite: bool) -> tuple[np.ndarray, np.ndarray]:
    a, y = _pair(a, y, "a", check_finite)
    check_unit_interval(a, "a")
    check_unit_interval(y, "y")
    _infinite_where(((y > 0) & (a == 0)) | ((y < 1) & (a == 1)), what, "a", a)
    return a, y


def binary_cross_entropy(a: ArrayLike, y: ArrayLike, *, check_finite: bool = True) -> np.floating:
    r"""Binary cross-entropy of probabilities, averaged over the batch (D8, note 002).

    $$
    L = -\frac{1}{N}\sum_{n}\sum_{k} \big[y_{nk}\log a_{nk} + (1-y_{nk})\log(1-a_{nk})\big]
    $$

    Summed over the K outputs of a row, averaged over the N rows (torch's
    ``binary_cross_entropy(reduction="sum") / N``).  ``y`` may be soft, anywhere in
    ``[0, 1]``; ``0·log 0`` counts as 0.  With K = 1 it equals the 2-class categorical CE
    of ``[1 − a, a]`` (D8, proven symbolically).

    Inputs:
        a: probabilities in [0, 1], shape (N, K).
        y: targets in [0, 1], shape (N, K).
    Returns:
        L: scalar.  Raises ``ValueError`` where it would be infinite (``a = 0`` where
        ``y > 0``, or ``a = 1`` where ``y < 1``).
    """
    return _binary_cross_entropy(*_bce_inputs(a, y, "binary cross-entropy", check_finite))


@finite_result("binary_cross_entropy_grad")
def binary_cross_entropy_grad(a: ArrayLike, y: ArrayLike, *,
                              check_finite: bool = True) -> np.ndarray:
    r"""Gradient of `binary_cross_entropy` with respect to ``a`` (D8, note 002).

    $$
    \frac{\partial L}{\partial a} = \frac{1}{N}\left(-\frac{y}{a} + \frac{1-y}{1-a}\right)
    = \frac{a - y}{N\,a(1-a)}
    $$

    Each term is taken only where its coefficient is non-zero, so ``a = y ∈ {0, 1}`` gives
    the finite one-sided value.

    Inputs:
        a, y: shape (N, K), in [0, 1].
    Returns:
        shape (N, K).  Raises ``ValueError`` where the gradient is infinite, or so large
        (``a`` subnormal) that it overflows.
    """
    a, y = _bce_inputs(a, y, "the BCE gradient", check_finite)
    N = a.shape[0]
    # each term divided by N·a before the subtraction, so a subnormal a overflows only
    # where the gradient itself is beyond the float range
    pos = np.divide(y, N * a, out=np.zeros_like(a), where=y != 0)            # y/(N·a)
    neg = np.divide(1 - y, N * (1 - a), out=np.zeros_like(a), where=y != 1)  # (1−y)/(N·(1−a))
    return _overflow_where(neg - pos, "the BCE gradient", "a", a)


@finite_result("binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(z: ArrayLike, y: ArrayLike, *,
                                     check_finite: bool = True) -> np.floating:
    r"""BCE of ``σ(z)`` computed from logits, stably (D8/D10).

    $$
    L = \frac{1}{N}\sum_{n,k}\big[\log(1 + e^{z_{nk}}) - y_{nk} z_{nk}\big]
    $$

    which equals ``binary_cross_entropy(sigmoid(z), y)`` but is finite for every finite
    ``z`` (torch's ``binary_cross_entropy_with_logits(reduction="sum") / N``).

    Inputs:
        z: logits, shape (N, K).
        y: targets in [0, 1], shape (N, K).
    Returns:
        L: scalar.
    """
    z, y = _pair(z, y, "z", check_finite)
    check_unit_interval(y, "y")
    return _binary_cross_entropy_with_logits(z, y)


# --------------------------------------------------------------------------- D7: CE
def cross_entropy(probs: ArrayLike, y: ArrayLike, *, check_finite: bool = True) -> np.floating:
    r"""Categorical cross-entropy of probabilities, averaged over the batch (D7).

    $$
    L = -\frac{1}{N}\sum_{n=1}^{N}\sum_{k=1}^{K} Y_{nk}\log A_{nk}
    $$

    (notes 002 003 004).  With hard labels only the target class's log-probability
    survives: ``L = −(1/N) Σ_n log A[n, y_n]``.

    Inputs:
        probs: A, probabilities in [0, 1], shape (N, K).
        y: integer labels (N,), one-hot rows (N, K), or soft rows summing to 1.
           Labels and one-hot rows give bit-identical results.
    Returns:
        L: scalar.  Raises ``ValueError`` if a target class has probability exactly 0
        (the loss is infinite); use `cross_entropy_with_logits`.
    """
    A, Y = _probs_and_classes(probs, y, check_finite)
    _infinite_where((Y > 0) & (A == 0), "cross-entropy", "probs", A)
    return _cross_entropy(A, Y)


@finite_result("cross_entropy_grad")
def cross_entropy_grad(probs: ArrayLike, y: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Gradient of `cross_entropy` with respect to the probabilities (D7, note 003).

    $$
    \frac{\partial L}{\partial A_{nk}} = -\frac{Y_{nk}}{N\,A_{nk}}
    $$

    Zero wherever ``Y = 0``.  This is the factor the full-Jacobian route (D12) multiplies
    by ``J``; it is infinite where a target probability underflowed to 0, and overflows
    where it is subnormal; this function then raises instead of returning ``inf``.

    Inputs:
        probs: A, shape (N, K).
        y: labels (N,) or one-hot/soft rows (N, K).
    Returns:
        shape (N, K).
    """
    A, Y = _probs_and_classes(probs, y, check_finite)
    _infinite_where((Y > 0) & (A == 0), "∂L/∂A = −Y/(N·A)", "probs", A)
    return _overflow_where(_cross_entropy_grad(A, Y), "∂L/∂A = −Y/(N·A)", "probs", A)


def _cross_entropy_grad(A: np.ndarray, Y: np.ndarray) -> np.ndarray:
    return np.divide(-Y, A.shape[0] * A, out=np.zeros_like(A), where=Y != 0)


@finite_result("cross_entropy_with_logits")
def cross_entropy_with_logits(z: ArrayLike, y: ArrayLike, *,
                              check_finite: bool = True) -> np.floating:
    r"""Categorical cross-entropy of ``softmax(z)`` computed from logits (D7/D11).

    $$
    L = -\frac{1}{N}\sum_{n,k} Y_{nk}\,\log\mathrm{softmax}(z)_{nk}
    $$

    Finite for every finite ``z`` whose logit gaps fit the float range (torch's
    ``F.cross_entropy``); classes with ``Y = 0`` contribute 0 whatever their logit.

    Inputs:
        z: logits, shape (N, K).
        y: labels (N,) or one-hot/soft rows (N, K).
    Returns:
        L: scalar.
    """
    z = as_array(z, "z", ndim=2, check_finite=check_finite)
    Y = class_targets(y, z.shape[0], z.shape[1], dtype=z.dtype, n_from="z")
    return _cross_entropy_with_logits(z, Y)


# --------------------------------------------------------------------------- D16: L2
def _weights(weights: object) -> list[np.ndarray]:
    if isinstance(weights, np.ndarray) or not isinstance(weights, Iterable) or isinstance(
            weights, (str, bytes, dict)):
        raise TypeError("weights must be a list or tuple of weight arrays, got "
                        f"{type(weights).__name__}")
    Ws = [as_array(W, f"weights[{i}]") for i, W in enumerate(weights)]
    if not Ws:
        raise ValueError("weights is empty; pass at least one weight matrix")
    return Ws


@finite_result("l2_penalty")
def l2_penalty(weights: Iterable, reg: float) -> np.floating:
    r"""The L2 term of note 001 over the weight matrices only (D16).

    $$
    R = \tfrac12\,\mathrm{reg}\sum_l \lVert W_l \rVert_F^2
    $$

    Biases are not regularised: pass the ``W`` matrices only.

    Inputs:
        weights: a list or tuple of weight arrays (any shapes).
        reg: the regularisation strength, ≥ 0.
    Returns:
        R: scalar of the weights' float dtype.
    """
    reg = reg_value(reg)
    return _l2_penalty(_weights(weights), reg)


@finite_result("l2_grad")
def l2_grad(W: ArrayLike, reg: float) -> np.ndarray:
    r"""Gradient of `l2_penalty` with respect to one weight matrix (D16, note 001).

    $$
    \frac{\partial R}{\partial W_l} = \mathrm{reg}\cdot W_l
    $$

    The ½ cancels the 2 of the square; there is no ``1/N`` (the penalty is not a batch
    mean), which is why note 001 adds ``reg * W2`` after the data term.

    Inputs:
        W: a weight array, any shape.
        reg: ≥ 0.
    Returns:
        array of the shape of ``W``.
    """
    reg = reg_value(reg)
    return reg * as_array(W, "W")
