r"""Central differences in float64 for the checker: NumPy only, independent of the
frameworks the comparisons use.

The 4-point stencil

$$
f'(0) \approx \frac{-f(2h) + 8 f(h) - 8 f(-h) + f(-2h)}{12 h}
$$

has a truncation error of ``h⁴ f⁽⁵⁾/30`` and a round-off error of about ``1.5·ε·|f|/h``:
with ``h = 1e-4·max(1, max|x|)`` both stay near 1e-12 for the smooth losses of the notes.
A float32 loss (round-off ε = 6e-8) needs ``h = 1e-2·max(1, max|x|)`` and a looser
bound.  A difference taken across a ReLU kink is meaningless: the callers keep their
points away from kinks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["stencil", "step", "directional", "per_entry", "unit_direction", "TOL", "TOL_FLOAT32"]

#: the relative bound on the disagreement between an analytic gradient and the float64
#: central differences of a float64 function: |fd − g·v| ≤ TOL · max(1, |fd|, ‖g‖)
TOL = 1e-6

#: the same for a float32 (or float16) function
TOL_FLOAT32 = 1e-3


def stencil(f: Callable[[float], float], h: float) -> float:
    """The 4-point central difference of ``t ↦ f(t)`` at ``t = 0`` with step ``h``."""
    return (-f(2 * h) + 8 * f(h) - 8 * f(-h) + f(-2 * h)) / (12 * h)


def step(x: np.ndarray, low_precision: bool = False) -> float:
    """The step for an argument ``x``: ``1e-4·max(1, max|x|)``, or ``1e-2·…`` in float32."""
    scale = max(1.0, float(np.max(np.abs(x)))) if np.size(x) else 1.0
    return (1e-2 if low_precision else 1e-4) * scale


def unit_direction(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    """A random direction of unit 2-norm."""
    v = rng.standard_normal(shape)
    n = float(np.linalg.norm(v))
    return v / n if n else v


def directional(f: Callable[[np.ndarray], float], x: np.ndarray, v: np.ndarray,
                h: float) -> float:
    """The derivative of ``f`` at ``x`` along ``v``: ``d/dt f(x + t·v)`` at 0."""
    return stencil(lambda t: float(f(x + t * v)), h)


def per_entry(f: Callable[[np.ndarray], float], x: np.ndarray, h: float) -> np.ndarray:
    """The gradient of ``f`` at ``x``, one entry at a time (4 calls per entry)."""
    g = np.zeros(x.shape, dtype=np.float64)
    for idx in np.ndindex(*x.shape):
        e = np.zeros(x.shape, dtype=np.float64)
        e[idx] = 1.0
        g[idx] = directional(f, x, e, h)
    return g
