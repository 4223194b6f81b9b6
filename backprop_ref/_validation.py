"""Input checks shared by every public function (SPEC §6).

Each check raises a ``ValueError`` (``TypeError`` for something that is not an array of
numbers) whose message names the argument and the shapes or values involved.  Checks never
modify their input: arrays are only read, so read-only arrays work.

dtype rule (SPEC §2): float64 and float32 are kept; integer and bool input is promoted to
float64; float16 is promoted to float32.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

__all__ = [
    "as_float_array",
    "as_class_targets",
    "check_same_shape",
    "check_rows",
    "check_in_unit_interval",
    "check_choice",
    "ClassTargets",
]


def _describe(x: object) -> str:
    return f"{type(x).__name__} {x!r}" if np.isscalar(x) or x is None else type(x).__name__


_FLOATS = (np.dtype(np.float64), np.dtype(np.float32))
_UNSIGNED = {n: np.dtype(f"u{n}") for n in (1, 2, 4, 8)}   # int view for the label range
_INT64 = np.dtype(np.int64)
# Builds a NamedTuple without its Python-level ``__new__``: the fast paths run on every
# call, and this halves the cost of handing their result back.
_new_tuple = tuple.__new__


def all_finite(arr: np.ndarray) -> bool:
    """True when every entry is finite.

    Fast path: ``vdot(x, x)`` is finite exactly when no entry is nan or inf, unless squares
    of huge finite values overflow, in which case the elementwise check decides.  One BLAS
    call instead of a temporary bool array (the notes' size spends ~3× less time here).
    """
    if arr.size == 0:
        return True
    if arr.flags.c_contiguous and math.isfinite(np.vdot(arr, arr)):
        return True
    return bool(np.isfinite(arr).all())


def _largest_unsigned(labels: np.ndarray) -> int:
    """The largest label read as unsigned, so that one look covers both ends of the range:
    a negative label wraps to a huge value.  ``argmax`` and one index are ~4× cheaper
    than a ``max`` reduction at the notes' size (the check runs on every call)."""
    u = labels.view(_UNSIGNED[labels.dtype.itemsize])
    return u[u.argmax()]


def as_float_array(
    x: object,
    name: str,
    *,
    ndim: int | None = None,
    check_finite: bool = True,
    allow_empty: bool = False,
) -> np.ndarray:
    """Return ``x`` as a float32/float64 ndarray without copying when it already is one.

    Raises ``TypeError`` for anything that is not a numeric array-like, ``ValueError`` for
    the wrong number of dimensions, an empty array, or (unless ``check_finite=False``)
    a nan or inf.
    """
    if type(x) is np.ndarray and x.dtype in _FLOATS:    # fast path: nothing to convert
        arr = x
    elif isinstance(x, (str, bytes, dict, set)) or x is None:
        raise TypeError(f"{name} must be an array of numbers, got {_describe(x)}")
    else:
        arr = _convert(x, name)
    if ndim is not None and arr.ndim != ndim:
        want = {1: "(N,)", 2: "(N, K)", 3: "(N, K, K)"}.get(ndim, f"{ndim}-D")
        raise ValueError(f"{name} must be {ndim}-D {want}, got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); a batch needs at least one row")
    if check_finite and not all_finite(arr):
        bad = int(arr.size - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"{name} has {bad} non-finite value(s) (nan or inf) in shape {arr.shape}; "
            "pass check_finite=False to skip this check"
        )
    return arr


def _convert(x: object, name: str) -> np.ndarray:
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:  # ragged nested lists and the like
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    kind = arr.dtype.kind
    if kind in "iub":
        arr = arr.astype(np.float64)
    elif kind == "f":
        if arr.dtype == np.float16:
            arr = arr.astype(np.float32)
        elif arr.dtype not in (np.float32, np.float64):
            arr = arr.astype(np.float64)
    else:
        raise TypeError(
            f"{name} must be an array of real numbers, got dtype {arr.dtype} "
            f"with shape {arr.shape}"
        )
    return arr


def check_same_shape(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name} and {b_name} must have the same shape, got {a_name}{a.shape} "
            f"and {b_name}{b.shape}"
        )


def check_rows(a: np.ndarray, a_name: str, n: int, n_from: str) -> None:
    """Check that ``a`` has ``n`` rows (one per example of ``n_from``)."""
    if a.shape[0] != n:
        raise ValueError(
            f"{a_name} must have one row per example of {n_from} ({n}), "
            f"got shape {a.shape}"
        )


def check_in_unit_interval(a: np.ndarray, name: str) -> None:
    """Probabilities must lie in [0, 1]."""
    if a.size and (a.min() < 0 or a.max() > 1):
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], got values in "
            f"[{a.min():.6g}, {a.max():.6g}] with shape {a.shape}"
        )


def check_choice(value: str, name: str, choices) -> str:
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; expected one of {sorted(choices)}")
    return value


class ClassTargets(NamedTuple):
    """Class targets for softmax + CE, normalised from either accepted form.

    ``labels`` is an ``(N,)`` int64 array when every row is a hard class (given as ints or
    as exact one-hot rows); ``Y`` is then ``None``.  For soft rows (in [0, 1], summing to
    1) ``labels`` is ``None`` and ``Y`` is the ``(N, K)`` float matrix.  One-hot rows are
    turned into labels so that both hard forms run the same code and agree bit for bit.
    """

    labels: np.ndarray | None
    Y: np.ndarray | None


def as_class_targets(
    y: object, n: int, num_classes: int, *, name: str = "y", n_from: str = "the scores"
) -> ClassTargets:
    """Validate class targets against ``n`` examples and ``num_classes`` classes."""
    if (type(y) is np.ndarray and y.dtype is _INT64 and y.ndim == 1 and y.shape[0] == n
            and n and _largest_unsigned(y) < num_classes):
        return _new_tuple(ClassTargets, (y, None))   # the usual case: int64 labels in range
    if isinstance(y, (str, bytes, dict, set)) or y is None:
        raise TypeError(f"{name} must be an array of class labels, got {_describe(y)}")
    arr = np.asarray(y)
    if arr.ndim == 1:
        if arr.dtype.kind not in "iu":
            if arr.dtype.kind == "f" and arr.size and np.all(np.mod(arr, 1) == 0):
                hint = "; convert them with y.astype(int)"
            else:
                hint = ""
            raise TypeError(
                f"{name} as a 1-D array must hold integer class labels, got dtype "
                f"{arr.dtype} with shape {arr.shape}{hint}"
            )
        if arr.shape[0] != n:
            raise ValueError(
                f"{name} must have one label per example of {n_from} ({n}), "
                f"got shape {arr.shape}"
            )
        if arr.size and _largest_unsigned(arr) >= num_classes:
            lo, hi = int(arr.min()), int(arr.max())
            raise ValueError(
                f"{name} holds labels in [{lo}, {hi}] but must lie in [0, {num_classes}) "
                f"for {num_classes} classes"
            )
        return ClassTargets(arr.astype(np.int64, copy=False), None)
    if arr.ndim == 2:
        Y = as_float_array(arr, name, ndim=2)
        if Y.shape != (n, num_classes):
            raise ValueError(
                f"{name} as a one-hot matrix must have shape (N, K) = ({n}, {num_classes}) "
                f"to match {n_from}, got {Y.shape}"
            )
        check_in_unit_interval(Y, name)
        sums = Y.sum(axis=1)
        tol = 64 * np.finfo(Y.dtype).eps * num_classes
        off = np.abs(sums - 1) > tol
        if off.any():
            row = int(np.argmax(off))
            raise ValueError(
                f"{name} rows must sum to 1 (one-hot or class probabilities); row {row} of "
                f"{name}{Y.shape} sums to {sums[row]:.6g}"
            )
        if np.all((Y == 0) | (Y == 1)):
            return ClassTargets(np.argmax(Y, axis=1), None)
        return ClassTargets(None, Y)
    raise ValueError(
        f"{name} must be (N,) integer labels or (N, K) one-hot rows, got shape {arr.shape}"
    )
