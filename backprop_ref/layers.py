r"""The dense (affine) layer as a forward/backward pair with a cache (D14, notes 000 001 004).

cs231n's ``affine_forward`` / ``affine_backward`` in row layout: the forward saves exactly
what the backward needs.
"""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array, check_rows

__all__ = ["dense_forward", "dense_backward"]


def dense_forward(X, W, b, *, check_finite: bool = True):
    r"""Affine forward (D14).

    .. math:: Z = X W + b

    Inputs:
        X: A^{l-1}, shape (N, fan_in).
        W: weights, shape (fan_in, fan_out).
        b: bias, shape (fan_out,).
    Returns:
        Z: shape (N, fan_out).
        cache: ``(X, W)``, what :func:`dense_backward` needs.
    """
    X = as_float_array(X, "X", ndim=2, check_finite=check_finite)
    W = as_float_array(W, "W", ndim=2, check_finite=check_finite)
    b = as_float_array(b, "b", ndim=1, check_finite=check_finite)
    if X.shape[1] != W.shape[0] or b.shape[0] != W.shape[1]:
        raise ValueError(
            f"shapes do not chain: X{X.shape} @ W{W.shape} + b{b.shape}; W must be "
            f"(fan_in, fan_out) = ({X.shape[1]}, fan_out) and b (fan_out,)"
        )
    return X @ W + b, (X, W)


def dense_backward(dZ, cache, *, check_finite: bool = True):
    r"""Affine backward (D14, notes 000 001 004).

    .. math::
        \frac{\partial L}{\partial W} = A_{\mathrm{prev}}^{\mathsf T}\,\delta,\qquad
        \frac{\partial L}{\partial b} = \sum_{n} \delta_n,\qquad
        \frac{\partial L}{\partial A_{\mathrm{prev}}} = \delta\,W^{\mathsf T}

    ``δ = dZ`` is the delta of a batch-mean loss, so it already carries ``1/N``: no
    further normalisation here (note 002's ``1/m`` on ``∂L/∂b`` alone is errata item 5).

    Inputs:
        dZ: δ = ∂L/∂Z, shape (N, fan_out).
        cache: ``(X, W)`` from :func:`dense_forward`.
    Returns:
        dX: shape (N, fan_in); dW: shape (fan_in, fan_out); db: shape (fan_out,).
    """
    X, W = cache
    dZ = as_float_array(dZ, "dZ", ndim=2, check_finite=check_finite)
    check_rows(dZ, "dZ", X.shape[0], "the cached X")
    if dZ.shape[1] != W.shape[1]:
        raise ValueError(f"dZ{dZ.shape} must have W's fan_out {W.shape[1]} columns")
    return dZ @ W.T, X.T @ dZ, dZ.sum(axis=0)
