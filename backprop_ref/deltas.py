r"""Output deltas ``δ = ∂L/∂Z`` for each head, and the hidden delta (D9–D13, D15).

All deltas are of the **batch-mean** loss, so each carries ``1/N``.  Each public function
checks its arguments and applies the formula its head owns (`backprop_ref.heads`), so the
function verified here is the one the networks run.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .activations import HIDDEN_ACTIVATIONS, _softmax, _softmax_jacobian_from_probs
from .heads import HEADS
from .losses import _cross_entropy_grad, _representable
from .validation import as_array, check_rows, choice, finite_result

__all__ = [
    "delta_mse_sigmoid",
    "delta_bce_sigmoid",
    "delta_ce_softmax",
    "delta_ce_softmax_jacobian",
    "delta_mse_identity",
    "hidden_delta",
]


def _head_delta(head_name: str, z, y, check_finite: bool) -> np.ndarray:
    head = HEADS[head_name]
    Z = as_array(z, "z", ndim=2, check_finite=check_finite)
    Y = head.targets(y, Z)
    return head.delta(Z, head.activate(Z), Y)


def delta_mse_sigmoid(z: ArrayLike, y: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Output delta of sigmoid + MSE (D9, note 002).

    $$
    \delta = \frac{\partial L}{\partial z} = (a - y)\odot\sigma'(z)\,/\,N,
    \quad a = \sigma(z)
    $$

    The loss is ``(1/N) Σ_n ½‖a_n − y_n‖²``: the ½ cancels the square's 2, the ``1/N`` is
    the batch mean.  σ' does not cancel here.  Used with *cross-entropy* instead of MSE,
    this same expression is the wrong pairing that note 002 strikes out (D13).

    Inputs:
        z: logits, shape (N, K).
        y: real targets, shape (N, K).
    Returns:
        δ: shape (N, K).
    """
    return _head_delta("sigmoid_mse", z, y, check_finite)


def delta_bce_sigmoid(z: ArrayLike, y: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Output delta of sigmoid + binary cross-entropy (D10, note 002).

    $$
    \delta = \frac{\partial L}{\partial z} = \frac{a - y}{N}, \quad a = \sigma(z)
    $$

    σ'(z) = a(1 − a) cancels against ``∂L/∂a = (a − y)/(a(1 − a))``.

    Inputs:
        z: logits, shape (N, K).
        y: targets in [0, 1] (soft targets allowed), shape (N, K).
    Returns:
        δ: shape (N, K).
    """
    return _head_delta("sigmoid_bce", z, y, check_finite)


def delta_ce_softmax(z: ArrayLike, y: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Output delta of softmax + cross-entropy, simplified (D11, notes 000–004).

    $$
    \delta = \frac{\partial L}{\partial Z} = \frac{A - Y}{N}, \quad A = \mathrm{softmax}(Z)
    $$

    Note 001's ``(p − Y_ind)/N``; note 003 derives it per sample, note 004 explains why the
    cross terms cancel.  It never divides by ``A``, so it stays exact when a probability
    underflows to 0, where `delta_ce_softmax_jacobian` must give up.

    Inputs:
        z: logits, shape (N, K); any finite values (|z| up to 1e4 and beyond).
        y: integer labels (N,), one-hot rows (N, K), or soft rows summing to 1.
    Returns:
        δ: shape (N, K); each row sums to 0.
    """
    return _head_delta("softmax_ce", z, y, check_finite)


@finite_result("delta_mse_identity")
def delta_mse_identity(z: ArrayLike, y: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Output delta of an identity output + MSE (D6 as a head; the ``identity_mse`` head).

    $$
    \delta = \frac{z - y}{N}
    $$

    Like `mse_grad`, an entry whose ``z − y`` overflows is computed as ``z/N − y/N``.

    Inputs:
        z, y: shape (N, K).
    Returns:
        δ: shape (N, K).  Raises ``ValueError`` naming ``z`` and ``y`` where ``(z − y)/N``
        is beyond the float range.
    """
    head = HEADS["identity_mse"]
    Z = as_array(z, "z", ndim=2, check_finite=check_finite)
    Y = head.targets(y, Z)
    delta = head.delta(Z, Z, Y)
    return _representable(delta, "delta_mse_identity", "z", Z, Y) if check_finite else delta


def delta_ce_softmax_jacobian(z: ArrayLike, y: ArrayLike, *,
                              check_finite: bool = True) -> np.ndarray:
    r"""Output delta of softmax + cross-entropy through the full Jacobian (D12, notes 003 004).

    $$
    \delta_n = J_n^{\mathsf T}\,\frac{\partial L}{\partial A_n},\qquad
    J_{n,ik} = A_{ni}(\delta_{ik} - A_{nk}),\qquad
    \frac{\partial L}{\partial A_{n}} = -\frac{Y_n}{N\,A_n}
    $$

    Equal to `delta_ce_softmax` (proven symbolically for K = 2…4), but it builds the
    ``(N, K, K)`` tensor (memory N·K²) and divides by ``A``.  Where a target probability
    underflows below the smallest normal float (a logit gap beyond ~708 in float64, ~87 in
    float32), ``∂L/∂A`` is inexact (subnormal ``A``) or infinite (``A = 0``, ``inf · 0``);
    this function then raises a ``ValueError`` rather than return nan.  The simplified
    route has no such failure: one more reason to use it.

    Inputs:
        z: logits, shape (N, K).
        y: integer labels (N,), one-hot rows (N, K), or soft rows summing to 1.
    Returns:
        δ: shape (N, K).
    """
    Z = as_array(z, "z", ndim=2, check_finite=check_finite)
    Y = HEADS["softmax_ce"].targets(y, Z)
    A = _softmax(Z)
    # Below the smallest normal float A has lost precision (subnormal) or is 0: −Y/(N·A)
    # is then inexact or infinite, and frameworks that flush subnormals (XLA) give nan.
    dead = (Y > 0) & (A < np.finfo(A.dtype).tiny)
    if dead.any():
        n, k = (int(i) for i in np.argwhere(dead)[0])
        what = "0" if A[n, k] == 0 else f"a subnormal {float(A[n, k]):.3g}"
        with np.errstate(over="ignore"):
            gap = float(Z[n].max() - Z[n, k])
        raise ValueError(
            f"the full-Jacobian delta needs ∂L/∂A = −Y/(N·A), which is infinite or inexact: "
            f"softmax(z) underflowed to {what} at target class {k} of row {n} (z{Z.shape}, "
            f"logit gap {gap:.4g}); use delta_ce_softmax, which computes (A − Y)/N without "
            "dividing by A"
        )
    dL_dA = _cross_entropy_grad(A, Y)                       # −Y/(N·A)       (N, K)
    J = _softmax_jacobian_from_probs(A)                     # ∂A_i/∂z_k      (N, K, K)
    return np.einsum("nik,ni->nk", J, dL_dA)                # δ_n = J_nᵀ ∂L/∂A_n


@finite_result("hidden_delta")
def hidden_delta(delta_next: ArrayLike, W_next: ArrayLike, z: ArrayLike, activation: str, *,
                 check_finite: bool = True) -> np.ndarray:
    r"""Delta of a hidden layer from the layer above (D15, notes 002 004).

    $$
    \delta^{l} = \big(\delta^{l+1}\,W^{l+1\,\mathsf T}\big)\odot g'(Z^{l})
    $$

    Row layout: ``Z^{l+1} = A^{l} W^{l+1} + b^{l+1}``.  Note 002 writes the column form
    ``(W^{l+1} δ^{l+1}) ⊙ σ'(z^l)`` for one example; note 004 writes
    ``∂L/∂Z1 = ∂L/∂Z2 · W2ᵀ ⊙ relu'(Z1)``.  No extra ``1/N``: it is already in ``δ^{l+1}``.

    Inputs:
        delta_next: δ^{l+1}, shape (N, H_next).
        W_next: W^{l+1}, shape (H, H_next).
        z: Z^l, the pre-activation of this layer, shape (N, H).
        activation: ``"relu"`` (``relu'(0) = 0``), ``"sigmoid"`` or ``"tanh"``.
    Returns:
        δ^l: shape (N, H).
    """
    choice(activation, "activation", HIDDEN_ACTIVATIONS)
    D = as_array(delta_next, "delta_next", ndim=2, check_finite=check_finite)
    W = as_array(W_next, "W_next", ndim=2, check_finite=check_finite)
    Z = as_array(z, "z", ndim=2, check_finite=check_finite)
    if W.shape[1] != D.shape[1] or W.shape[0] != Z.shape[1]:
        raise ValueError(
            f"shapes do not chain: delta_next{D.shape} @ W_next.T{W.shape[::-1]} must give "
            f"z's shape {Z.shape}; W_next must be (H, H_next) = ({Z.shape[1]}, {D.shape[1]})"
        )
    check_rows(D, "delta_next", Z.shape[0], "z")
    dtype = np.result_type(D, W, Z)
    return _hidden_delta(D.astype(dtype, copy=False), W.astype(dtype, copy=False),
                         Z.astype(dtype, copy=False), activation)


def _hidden_delta(delta_next: np.ndarray, W_next: np.ndarray, z: np.ndarray,
                  activation: str) -> np.ndarray:
    _, g_prime = HIDDEN_ACTIVATIONS[activation]
    return (delta_next @ W_next.T) * g_prime(z)
