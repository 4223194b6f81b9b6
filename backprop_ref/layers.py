r"""The dense (affine) layer as a forward/backward pair with a cache (D14, notes 000 001 004).

CS231n's ``affine_forward`` / ``affine_backward`` in row layout: the forward saves exactly
what the backward needs.  The MLP (`backprop_ref.mlp`) runs the same backward formula,
``_dense_backward``, for each of its layers.
"""

from __future__ import annotations

from typing import cast

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_array, check_rows, finite_result

__all__ = ["dense_forward", "dense_backward"]


@finite_result("dense_forward")
def dense_forward(X: ArrayLike, W: ArrayLike, b: ArrayLike, *,
                  check_finite: bool = True) -> tuple[np.ndarray, tuple]:
    r"""Affine forward (D14).

    $$
    Z = X W + b
    $$

    Inputs:
        X: A^{l-1}, shape (N, fan_in).
        W: weights, shape (fan_in, fan_out).
        b: bias, shape (fan_out,).
    Returns:
        Z: shape (N, fan_out).
        cache: ``(X, W)``, what `dense_backward` needs.
    """
    X = as_array(X, "X", ndim=2, check_finite=check_finite)
    W = as_array(W, "W", ndim=2, check_finite=check_finite)
    b = as_array(b, "b", ndim=1, check_finite=check_finite)
    if X.shape[1] != W.shape[0] or b.shape[0] != W.shape[1]:
        raise ValueError(
            f"shapes do not chain: X{X.shape} @ W{W.shape} + b{b.shape}; W must be "
            f"(fan_in, fan_out) = ({X.shape[1]}, fan_out) and b (fan_out,)"
        )
    dtype = np.result_type(X, W, b)
    X, W = X.astype(dtype, copy=False), W.astype(dtype, copy=False)
    return X @ W + b, (X, W)


@finite_result("dense_backward")
def dense_backward(dZ: ArrayLike, cache, *,
                   check_finite: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Affine backward (D14, notes 000 001 004).

    $$
    \frac{\partial L}{\partial W} = A_{\mathrm{prev}}^{\mathsf T}\,\delta,\qquad
    \frac{\partial L}{\partial b} = \sum_{n} \delta_n,\qquad
    \frac{\partial L}{\partial A_{\mathrm{prev}}} = \delta\,W^{\mathsf T}
    $$

    ``δ = dZ`` is the delta of a batch-mean loss, so it already carries ``1/N``: no
    further normalisation here (note 002's ``1/m`` on ``∂L/∂b`` alone is erratum E5).

    Inputs:
        dZ: δ = ∂L/∂Z, shape (N, fan_out).
        cache: ``(X, W)`` from `dense_forward`: X (N, fan_in), W (fan_in, fan_out).
    Returns:
        dX: shape (N, fan_in); dW: shape (fan_in, fan_out); db: shape (fan_out,).
    """
    if not (isinstance(cache, tuple) and len(cache) == 2):
        raise TypeError("cache must be the (X, W) tuple that dense_forward returns, got "
                        f"{type(cache).__name__}")
    X = as_array(cache[0], "cache[0] (X)", ndim=2, check_finite=check_finite)
    W = as_array(cache[1], "cache[1] (W)", ndim=2, check_finite=check_finite)
    dZ = as_array(dZ, "dZ", ndim=2, check_finite=check_finite)
    if X.shape[1] != W.shape[0]:
        raise ValueError(f"cache does not chain: X{X.shape} @ W{W.shape}")
    check_rows(dZ, "dZ", X.shape[0], "the cached X")
    if dZ.shape[1] != W.shape[1]:
        raise ValueError(f"dZ{dZ.shape} must have W's fan_out {W.shape[1]} columns, "
                         f"W has shape {W.shape}")
    dtype = np.result_type(dZ, X, W)
    dX, dW, db = _dense_backward(dZ.astype(dtype, copy=False), X.astype(dtype, copy=False),
                                 W.astype(dtype, copy=False))
    return cast(np.ndarray, dX), dW, db


def _dense_backward(dZ: np.ndarray, A_prev: np.ndarray, W: np.ndarray, *,
                    input_layer: bool = False) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
    """The three lines of D14.  ``input_layer``: ``A_prev`` is the data X, whose gradient no
    one needs, so ``∂L/∂A_prev`` (a GEMM as large as ``Xᵀ δ``) is skipped and None."""
    dA_prev = None if input_layer else dZ @ W.T   # ∂L/∂A_prev = δ Wᵀ    (N, fan_in)
    dW = A_prev.T @ dZ                            # ∂L/∂W = A_prevᵀ δ    (fan_in, fan_out)
    db = dZ.sum(axis=0)                           # ∂L/∂b = Σ_n δ_n      (fan_out,)
    return dA_prev, dW, db
