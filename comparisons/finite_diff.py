"""Central differences and cs231n's relative error (the gradient checker).

.. math:: \\frac{\\partial f}{\\partial x_i} \\approx \\frac{f(x + h e_i) - f(x - h e_i)}{2h}

With ``h = 1e-5`` in float64 the truncation error is ``O(h²)`` and the round-off
``O(ε/h)``: about 1e-10 relative, well inside the 1e-7 bound of SPEC §5, provided no kink
(ReLU at 0) lies within ``h`` of an input.  Case generators keep inputs ≥ 1e-3 away.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["numerical_gradient", "numerical_vjp", "numerical_jacobian", "rel_error", "H"]

H = 1e-5


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = H):
    """∂f/∂x of a scalar ``f`` by central differences; ``x`` itself is not modified."""
    x = np.array(x, dtype=np.float64)  # a private copy to perturb
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + h
        fp = f(x)
        flat[i] = old - h
        fm = f(x)
        flat[i] = old
        gflat[i] = (fp - fm) / (2 * h)
    return grad


def numerical_vjp(f, primals: dict, wrt, cotangent=None, h: float = H) -> dict:
    """``{name: ∂/∂primals[name] Σ cotangent ⊙ f(**primals)}`` for each name in ``wrt``.

    ``f`` returns an array (then ``cotangent`` has its shape) or a scalar.
    """
    def scalar(out):
        out = np.asarray(out, dtype=np.float64)
        return float(out) if cotangent is None else float(np.vdot(cotangent, out))

    grads = {}
    for name in wrt:
        rest = {k: v for k, v in primals.items() if k != name}
        grads[name] = numerical_gradient(lambda x: scalar(f(**rest, **{name: x})),
                                         primals[name], h)
    return grads


def numerical_jacobian(f, x: np.ndarray, h: float = H) -> np.ndarray:
    """Row-wise Jacobian ``J[n, i, k] = ∂f(x)[n, i]/∂x[n, k]`` for a row-wise ``f``."""
    x = np.array(x, dtype=np.float64)
    N, K = x.shape
    out_k = np.asarray(f(x)).shape[1]
    J = np.zeros((N, out_k, K))
    for k in range(K):
        xp, xm = x.copy(), x.copy()
        xp[:, k] += h
        xm[:, k] -= h
        J[:, :, k] = (np.asarray(f(xp)) - np.asarray(f(xm))) / (2 * h)
    return J


def rel_error(ours, theirs) -> float:
    """Normwise relative error ``max|a − b| / max(max|a|, max|b|)`` (0 when both are 0).

    cs231n divides elementwise by ``|a| + |b|``; the normwise form does not blow up on
    entries that are themselves round-off, and is what SPEC §5's 1e-7 bound refers to.
    """
    a, b = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    scale = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)
