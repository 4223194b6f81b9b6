r"""Central differences and cs231n's relative error (the gradient checker).

The fourth-order central stencil

.. math:: \frac{\partial f}{\partial x_i} \approx
          \frac{-f(x + 2h e_i) + 8 f(x + h e_i) - 8 f(x - h e_i) + f(x - 2h e_i)}{12 h}

with ``h = 1e-5`` in float64 has truncation error ``h⁴·f⁽⁵⁾/30`` and round-off ``O(ε/h)``:
about 1e-11 relative, far inside the project's 1e-7 bound, provided no kink (ReLU at 0)
lies within ``2h`` of an input (the case generators keep inputs ≥ 1e-3 away) and the
gradient is not itself at round-off level.  The two-point stencil ``(f(x+h) − f(x−h))/2h``
has an ``h²·f⁽³⁾/6`` error that hypothesis pushed past 1e-7 relative on ``−log p`` at
``p ≈ 0.018``; hence the fourth-order one.

**Per entry or along directions.**  Every entry costs four evaluations of ``f`` (each a
call of the validated reference).  An array of at most ``per_entry_max`` entries is
differentiated entry by entry: the per-entry figure is what the verify report prints for
the notes' parameters and every array of the seeded catalog cases.  A larger array (the
200-row intermediates ``dZ1``, ``dA1``, ``dZ2`` of the notes' network: 4600 entries, 18 400
evaluations) is differentiated along ``DIRECTIONS`` random directions ``u`` instead, as
``jax.test_util.check_grads`` and ``torch.autograd.gradcheck(fast_mode=True)`` do: the
stencil along ``t ↦ f(x + t·u)`` gives ``∇f · u``, which the analytic gradient ``g`` must
match as ``g · u`` (:class:`Directional`).  ``u`` has Gaussian entries scaled so that the
largest is ±1: no entry moves further than in the per-entry stencil, so the kink margin
holds, and the stencil's round-off is the same ``ε·|f|/h``.  A wrong entry ``g_i`` shows
up as ``(g_i − ∂f/∂x_i)·u_i`` with ``u_i ≠ 0`` (probability 1), so sign flips, transposes
and single wrong entries are all caught; the bound is the same 1e-7 of the largest entry
of the whole gradient (:func:`comparisons.agreement.run`).  The directions are drawn from
a generator seeded by the inputs' names, shapes and bytes: the same case always gets the
same directions (on every machine), a different case different ones.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["numerical_gradient", "numerical_directional", "numerical_vjp",
           "numerical_jacobian", "rel_error", "Directional", "H", "PER_ENTRY_MAX",
           "DIRECTIONS"]

H = 1e-5
_STENCIL = ((2.0, -1.0), (1.0, 8.0), (-1.0, -8.0), (-2.0, 1.0))   # (offset/h, weight)
#: arrays with more entries than this are differentiated along random directions
PER_ENTRY_MAX = 128
#: how many random directions a large array is differentiated along
DIRECTIONS = 3


def _stencil(f, point, h):
    """The fourth-order derivative at t = 0 of ``t ↦ f(point(t))``."""
    return sum(weight * f(point(offset * h)) for offset, weight in _STENCIL) / (12 * h)


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = H):
    """∂f/∂x of a scalar ``f`` by central differences; ``x`` itself is not modified."""
    x = np.array(x, dtype=np.float64)  # a private copy to perturb
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]

        def point(t):
            flat[i] = old + t
            return x
        gflat[i] = _stencil(f, point, h)
        flat[i] = old
    return grad


@dataclass(frozen=True, eq=False)
class Directional:
    """Central differences of a scalar along ``directions``: ``values[j] ≈ ∇f · directions[j]``.

    Stands in for a gradient of shape ``shape`` that was too large to difference entry by
    entry; :meth:`project` turns an analytic gradient into the same numbers.
    """

    directions: np.ndarray      # (k, *shape), the largest |entry| of each is 1
    values: np.ndarray          # (k,)

    @property
    def shape(self) -> tuple:
        return self.directions.shape[1:]

    def project(self, grad) -> np.ndarray:
        """``[g · u for u in directions]`` in float64."""
        g = np.asarray(grad, dtype=np.float64)
        return self.directions.reshape(len(self.directions), -1) @ g.reshape(-1)

    def scale(self) -> float:
        """A lower bound of ``max|∇f|`` from the differences alone: ``|∇f·u| ≤ max|∇f|·‖u‖₁``."""
        l1 = np.abs(self.directions).reshape(len(self.directions), -1).sum(axis=1)
        return float((np.abs(self.values) / l1).max(initial=0.0))

    def copy(self) -> "Directional":
        return Directional(self.directions.copy(), self.values.copy())


def random_directions(shape: tuple, key: bytes, k: int = DIRECTIONS) -> np.ndarray:
    """``k`` Gaussian directions of ``shape``, each scaled to a largest |entry| of 1, from a
    generator seeded by ``key`` (bytes that identify the input)."""
    u = np.random.default_rng(zlib.crc32(key)).standard_normal((k, *shape))
    return u / np.abs(u).reshape(k, -1).max(axis=1).reshape((k,) + (1,) * len(shape))


def _fingerprint(arrays: dict) -> bytes:
    """The names, shapes and bytes of ``arrays``: what seeds the directions."""
    parts = []
    for k in sorted(arrays):
        v = np.ascontiguousarray(arrays[k])
        parts += [k.encode(), repr((v.dtype.str, v.shape)).encode(), v.tobytes()]
    return b"\0".join(parts)


def numerical_directional(f: Callable[[np.ndarray], float], x: np.ndarray,
                          directions: np.ndarray, h: float = H) -> Directional:
    """``∇f(x) · u`` for each ``u`` in ``directions`` by the stencil along ``x + t·u``."""
    x = np.array(x, dtype=np.float64)
    values = np.array([_stencil(f, lambda t, u=u: x + t * u, h) for u in directions])
    return Directional(np.asarray(directions, dtype=np.float64), values)


def numerical_vjp(f, primals: dict, wrt, cotangent=None, h: float = H,
                  per_entry_max: int | None = PER_ENTRY_MAX) -> dict:
    """``{name: ∂/∂primals[name] Σ cotangent ⊙ f(**primals)}`` for each name in ``wrt``.

    ``f`` returns an array (then ``cotangent`` has its shape) or a scalar.  An input with
    more than ``per_entry_max`` entries gets a :class:`Directional` instead of an array
    (``None``: every input entry by entry).
    """
    def scalar(out):
        out = np.asarray(out, dtype=np.float64)
        return float(out) if cotangent is None else float(np.vdot(cotangent, out))

    fingerprint = None
    grads = {}
    for name in wrt:
        rest = {k: v for k, v in primals.items() if k != name}

        def g(x, name=name, rest=rest):
            return scalar(f(**rest, **{name: x}))
        x = np.asarray(primals[name])
        if per_entry_max is None or x.size <= per_entry_max:
            grads[name] = numerical_gradient(g, x, h)
        else:
            if fingerprint is None:
                fingerprint = _fingerprint({**primals, **({} if cotangent is None else {
                    "cotangent": np.asarray(cotangent)})})
            grads[name] = numerical_directional(
                g, x, random_directions(x.shape, name.encode() + fingerprint), h)
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
