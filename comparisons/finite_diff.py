r"""Central differences and cs231n's relative error (the gradient checker).

The fourth-order central stencil

.. math:: \frac{\partial f}{\partial x_i} \approx
          \frac{-f(x + 2h e_i) + 8 f(x + h e_i) - 8 f(x - h e_i) + f(x - 2h e_i)}{12 h}

with ``h = 1e-5`` in float64 has truncation error ``O(h⁴)`` and round-off ``O(ε/h)``:
about 1e-11 relative, far inside the project's 1e-7 bound, provided no kink (ReLU at 0)
lies within ``2h`` of an input (the case generators keep inputs ≥ 1e-3 away) and the
gradient is not itself at round-off level.  The two-point stencil ``(f(x+h) − f(x−h))/2h``
has an ``h²·f⁽³⁾/6`` error that hypothesis pushed past 1e-7 relative on ``−log p`` at
``p ≈ 0.018``; hence the fourth-order one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["numerical_gradient", "numerical_vjp", "numerical_jacobian", "rel_error", "H"]

H = 1e-5
_STENCIL = ((2.0, -1.0), (1.0, 8.0), (-1.0, -8.0), (-2.0, 1.0))   # (offset/h, weight)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = H):
    """∂f/∂x of a scalar ``f`` by central differences; ``x`` itself is not modified."""
    x = np.array(x, dtype=np.float64)  # a private copy to perturb
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        total = 0.0
        for offset, weight in _STENCIL:
            flat[i] = old + offset * h
            total += weight * f(x)
        flat[i] = old
        gflat[i] = total / (12 * h)
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
    J = np.zeros((N, np.asarray(f(x)).shape[1], K))
    for k in range(K):
        for offset, weight in _STENCIL:
            xs = x.copy()
            xs[:, k] += offset * h
            J[:, :, k] += weight * np.asarray(f(xs))
    return J / (12 * h)


def rel_error(ours, theirs, scale: float | None = None) -> float:
    """Normwise relative error ``max|a − b| / max(max|a|, max|b|)`` (0 when both are 0).

    cs231n divides elementwise by ``|a| + |b|``; the normwise form does not blow up on
    entries that are themselves round-off, and is what the project's 1e-7 bound refers to.
    Pass ``scale`` to measure against a larger whole: :func:`comparisons.agreement.run`
    uses the largest entry of the **whole** gradient of the scalar, every parameter and
    intermediate together, as the unrolled-vector gradient check does.  Central
    differences have round-off ``≈ ε·|f|/h`` on every entry alike, so a block that is
    small beside the others (hypothesis found ``dW2 = 2e-3`` beside ``dW1 = 6`` in D16)
    is not resolved to 1e-7 of *itself*, only of the whole.
    """
    a, b = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    own = max(np.abs(a).max(initial=0.0), np.abs(b).max(initial=0.0))
    scale = own if scale is None else max(scale, own)
    return 0.0 if scale == 0 else float(np.abs(a - b).max() / scale)
