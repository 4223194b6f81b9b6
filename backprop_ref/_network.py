"""What the two-layer network and the MLP share: the result type and input validation."""

from __future__ import annotations

import functools

import re
from typing import NamedTuple

import numpy as np

from ._validation import as_float_array
from .losses import _check_reg

__all__ = ["Result", "check_network_inputs", "layer_count"]


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


def check_network_inputs(params, X, reg, *, layers: int | None = None, check_finite=True):
    """Validate ``X`` (N, D) and the parameters of an L-layer network against each other.

    Returns ``(X, Ws, bs, reg)`` with every array in one float dtype (float32 only when X
    and every parameter are float32).  Raises ``ValueError`` naming the offending key and
    its shape when the layers do not chain.
    """
    L = layer_count(params)
    if layers is not None and L != layers:
        raise ValueError(f"params describes {L} layers; this network has {layers}")
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
    if all(a.dtype == dtype for a in (X, *Ws, *bs)):      # the usual case: nothing to cast
        return X, Ws, bs, _check_reg(reg)
    cast = lambda a: a.astype(dtype, copy=False)  # noqa: E731
    return cast(X), [cast(W) for W in Ws], [cast(b) for b in bs], _check_reg(reg)


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
