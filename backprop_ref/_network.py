"""What the two-layer network and the MLP share: the result type and input validation."""

from __future__ import annotations

import functools
import math
import re
import sys
from typing import NamedTuple

import numpy as np

from ._validation import _FLOATS, _new_tuple, as_float_array
from .losses import _check_reg

__all__ = ["Result", "NetworkInputs", "check_network_inputs", "layer_count", "weight_sq"]


class Result(NamedTuple):
    """What ``loss_and_grads`` returns.

    Attributes:
        loss: the batch-mean loss plus the L2 term, a scalar of the network's dtype.
        grads: ``{"W1", "b1", …, "WL", "bL"}``, each the shape of its parameter.
        intermediates: the forward values ``Z1…ZL``, ``A1…AL`` and the backward deltas
            ``dZ1…dZL`` and ``dA1…dA(L−1)``, each of shape (N, width of the layer).
    """

    loss: np.floating
    grads: dict
    intermediates: dict


_KEY = re.compile(r"^[Wb]([1-9][0-9]*)$")


@functools.lru_cache(maxsize=None)
def _keys(n: int) -> frozenset:
    return frozenset(f"{p}{l}" for l in range(1, n + 1) for p in "Wb")


def layer_count(params) -> int:
    """Number of layers L of a ``{"W1", "b1", …, "WL", "bL"}`` dict (validated)."""
    if not isinstance(params, dict):
        raise TypeError(f"params must be a dict of W1, b1, …, got {type(params).__name__}")
    n = len(params) // 2
    if params.keys() == _keys(n):
        return n                                   # fast path: exactly W1, b1, …, Wn, bn
    bad = sorted(k for k in params if not _KEY.match(str(k)))
    if bad:
        raise ValueError(f"params has unexpected keys {bad}; expected W1, b1, …, WL, bL")
    L = max((int(_KEY.match(k).group(1)) for k in params), default=0)
    missing = [f"{p}{l}" for l in range(1, L + 1) for p in "Wb" if f"{p}{l}" not in params]
    if L == 0 or missing:
        raise ValueError(f"params is missing {missing or ['W1', 'b1']}")
    return L


class NetworkInputs(NamedTuple):
    """What :func:`check_network_inputs` hands to a network: every array in one dtype.

    ``weight_sq`` is ``Σ_l ‖W_l‖²`` when the finiteness check already computed it (the
    L2 term needs the same dot products, so they are done once), else ``None``.
    """

    X: np.ndarray
    Ws: list
    bs: list
    reg: float
    weight_sq: np.floating | None = None


_F64, _F32 = _FLOATS
_REAL = (float, int)
_FLOAT_MAX = sys.float_info.max        # also keeps float(reg) from overflowing


@functools.lru_cache(maxsize=None)
def _pairs(n: int) -> tuple:
    return tuple((f"W{l}", f"b{l}") for l in range(1, n + 1))


def weight_sq(Ws) -> np.floating:
    """``Σ_l ‖W_l‖_F²``, summed from 0 in layer order, as every network does (bit-identical
    whether the finiteness check or the L2 term computes it)."""
    total = 0.0
    for W in Ws:
        total += np.vdot(W, W)
    return total


def check_network_inputs(params, X, reg, *, layers: int | None = None,
                         check_finite=True) -> NetworkInputs:
    """Validate ``X`` (N, D) and the parameters of an L-layer network against each other.

    Returns :class:`NetworkInputs` with every array in one float dtype (float32 only when
    X and every parameter are float32).  Raises ``ValueError`` naming the offending key
    and its shape when the layers do not chain.
    """
    checked = _checked_as_given(params, X, layers, reg, check_finite)
    if checked is not None:
        return checked
    L = layer_count(params)
    if layers is not None and L != layers:
        raise ValueError(f"params describes {L} layers; this network has {layers}")
    return _checked_with_conversion(params, X, L, _check_reg(reg), check_finite)


def _checked_as_given(params, X, layers, reg, check_finite) -> NetworkInputs | None:
    """The usual case, checked without converting anything; ``None`` for anything else.

    ``params`` is a dict of exactly ``W1, b1, …, WL, bL`` (2L entries, each found),
    ``reg`` a finite non-negative Python float or int, and every array an ndarray of X's
    float dtype (the same dtype object, so the check is an identity test), of the right
    ndim, and the layers chain.  Finiteness is one sum of squares and sums:
    ``‖X‖² + Σ‖W‖² + Σ_l Σ_j b_lj`` is finite exactly when every entry is (unless huge
    values overflow; the general path then decides).  Whatever fails here goes to
    :func:`_checked_with_conversion`, which finds the culprit and names it.  One pass, no
    temporaries: at the notes' size this is a few µs, most of it the L + 1 dot products
    (the L weight ones are the L2 term's, reused).  ``np.vdot`` does not check the floating-point flags, so overflow here never
    warns (``np.dot`` and ``@`` do), and the partial sums are Python floats, whose
    addition never warns either (``inf + -inf`` is nan, which fails the test too).
    """
    if type(params) is not dict or type(X) is not np.ndarray or type(reg) not in _REAL:
        return None
    dtype, shape = X.dtype, X.shape
    if ((dtype is not _F64 and dtype is not _F32) or len(shape) != 2 or not X.size
            or not 0 <= reg <= _FLOAT_MAX):
        return None
    reg = float(reg)
    L = len(params) // 2
    if not L or 2 * L != len(params) or (layers is not None and L != layers):
        return None
    fan_in = shape[1]
    Ws, bs = [], []
    w_sq, b_sum = 0.0, 0.0
    for kW, kb in _pairs(L):
        W, b = params.get(kW), params.get(kb)      # a missing key fails the type test
        if (type(W) is not np.ndarray or type(b) is not np.ndarray or W.dtype is not dtype
                or b.dtype is not dtype):
            return None
        shape = W.shape
        if len(shape) != 2 or shape[0] != fan_in or b.shape != shape[1:] or not shape[1]:
            return None
        if check_finite:
            w_sq += np.vdot(W, W)                 # the same sum as weight_sq(Ws)
            b_sum += sum(b.tolist())              # a short vector: cheaper than a vdot
        Ws.append(W)
        bs.append(b)
        fan_in = shape[1]
    if not check_finite:
        return _new_tuple(NetworkInputs, (X, Ws, bs, reg, None))
    if not math.isfinite(float(np.vdot(X, X)) + float(w_sq) + b_sum):
        return None
    return _new_tuple(NetworkInputs, (X, Ws, bs, reg, w_sq))


def _checked_with_conversion(params, X, L, reg, check_finite) -> NetworkInputs:
    X = as_float_array(X, "X", ndim=2, check_finite=check_finite)
    Ws = [as_float_array(params[f"W{l}"], f"params['W{l}']", ndim=2,
                         check_finite=check_finite) for l in range(1, L + 1)]
    bs = [as_float_array(params[f"b{l}"], f"params['b{l}']", ndim=1,
                         check_finite=check_finite) for l in range(1, L + 1)]
    fan_in, fan_in_from = X.shape[1], f"X{X.shape}"
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        if W.shape[0] != fan_in:
            raise ValueError(
                f"params['W{l}'] has shape {W.shape} but must have {fan_in} rows to follow "
                f"{fan_in_from}"
            )
        if b.shape != (W.shape[1],):
            raise ValueError(f"params['b{l}'] has shape {b.shape}; W{l}{W.shape} needs "
                             f"({W.shape[1]},)")
        fan_in, fan_in_from = W.shape[1], f"W{l}{W.shape}"
    dtype = np.result_type(X, *Ws, *bs)
    cast = lambda a: a.astype(dtype, copy=False)  # noqa: E731
    return NetworkInputs(cast(X), [cast(W) for W in Ws], [cast(b) for b in bs], reg)


def init_layers(sizes, std, seed, dtype=np.float64) -> dict:
    """Gaussian weights ``std_l · N(0, 1)`` and zero biases for consecutive ``sizes``."""
    rng = np.random.default_rng(seed)
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        s = std if std is not None else 1.0 / np.sqrt(fan_in)
        params[f"W{l}"] = (s * rng.standard_normal((fan_in, fan_out))).astype(dtype)
        params[f"b{l}"] = np.zeros(fan_out, dtype=dtype)
    return params


def check_sizes(sizes, name="layer_sizes") -> list[int]:
    sizes = list(sizes)
    if len(sizes) < 2 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer))
                             or s < 1 for s in sizes):
        raise ValueError(f"{name} must be at least two positive ints, got {sizes}")
    return [int(s) for s in sizes]
