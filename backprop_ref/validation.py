"""The one validation path: every public function checks its arguments here, then does the math.

Written plainly: convert, check shapes and dtypes, check finiteness, and name the argument in
every error.  A ``TypeError`` means "not the right kind of thing" (a string, a dict, complex
numbers, float class labels); a ``ValueError`` means "the right kind, but not usable" (a shape
that does not fit, a label out of range, a nan).  Nothing here modifies its input, so
read-only arrays, Fortran-ordered arrays and views with negative strides all work.

dtype rules:

* float64 and float32 are kept (in native byte order); float16 becomes float32; integers and
  booleans become float64.
* Targets follow the prediction: ``y`` is cast to the dtype of ``a``, ``probs``, ``z`` or the
  network, so float32 stays float32 end to end.
* Class labels may have any integer dtype and byte order.

Inside the reference, class targets have one form: the dense indicator matrix ``Y`` of note
001 (``Y_ind[n, k] = 1`` if example ``n`` is of class ``k``), built from integer labels,
one-hot rows or soft rows.  Labels and one-hot rows are therefore bit-identical by
construction.
"""

from __future__ import annotations

import functools
import math
import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

import numpy as np
from numpy.typing import ArrayLike

__all__ = [
    "as_array",
    "cast_like",
    "check_same_shape",
    "check_rows",
    "check_unit_interval",
    "choice",
    "class_labels",
    "class_targets",
    "indicator_matrix",
    "finite_result",
    "layer_count",
    "layer_sizes",
    "network_inputs",
    "NetworkInputs",
    "positive_number",
    "reg_value",
    "seed_value",
]

F = TypeVar("F", bound=Callable[..., Any])


def _describe(x: object) -> str:
    if x is None or isinstance(x, (str, bytes, numbers.Number)):
        return f"{type(x).__name__} {x!r}"
    return type(x).__name__


def _float_dtype(dtype: np.dtype) -> np.dtype:
    """The float dtype an array of ``dtype`` is computed in (see the module's dtype rules)."""
    if dtype.kind == "f" and dtype.itemsize <= 4:
        return np.dtype(np.float32)
    return np.dtype(np.float64)


# --------------------------------------------------------------------------- arrays
def as_array(
    x: object,
    name: str,
    *,
    ndim: int | None = None,
    check_finite: bool = True,
    allow_empty: bool = False,
) -> np.ndarray:
    """``x`` as a float32 or float64 ndarray in native byte order (no copy when it is one).

    Raises ``TypeError`` for anything that is not an array of real numbers, ``ValueError``
    for the wrong number of dimensions, an empty array (unless ``allow_empty``), or, unless
    ``check_finite=False``, a nan or inf.
    """
    if not isinstance(check_finite, (bool, np.bool_)):
        raise TypeError(f"check_finite must be True or False, got {_describe(check_finite)}")
    if x is None or isinstance(x, (str, bytes, Mapping, set)):
        raise TypeError(f"{name} must be an array of numbers, got {_describe(x)}")
    try:
        arr = np.asarray(x)
    except (TypeError, ValueError) as exc:          # ragged nested lists and the like
        raise TypeError(f"{name} must be an array of numbers: {exc}") from None
    if arr.dtype.kind not in "biuf":
        raise TypeError(
            f"{name} must be an array of real numbers, got dtype {arr.dtype} "
            f"with shape {arr.shape}"
        )
    if arr.dtype != _float_dtype(arr.dtype):
        with np.errstate(over="ignore"):    # a long double beyond float64 becomes inf: caught below
            arr = arr.astype(_float_dtype(arr.dtype))
    if ndim is not None and arr.ndim != ndim:
        want = {1: "(N,)", 2: "(N, K)", 3: "(N, K, K)"}.get(ndim, f"{ndim}-D")
        raise ValueError(f"{name} must be {ndim}-D {want}, got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} is empty (shape {arr.shape}); a batch needs at least one row")
    if check_finite:
        bad = arr.size - int(np.count_nonzero(np.isfinite(arr)))
        if bad:
            raise ValueError(
                f"{name} has {bad} non-finite value(s) (nan or inf) in shape {arr.shape}; "
                "pass check_finite=False to skip this check"
            )
    return arr


def cast_like(arr: np.ndarray, like: np.ndarray, name: str, like_name: str) -> np.ndarray:
    """``arr`` in the dtype of ``like`` (targets follow the prediction).

    A float64 target cast to float32 must fit: a value beyond float32's range would become
    inf, so that raises instead.
    """
    if arr.dtype == like.dtype:
        return arr
    if arr.size and like.dtype.itemsize < arr.dtype.itemsize:
        biggest = float(np.abs(arr).max())
        if biggest > float(np.finfo(like.dtype).max):
            raise ValueError(
                f"{name} holds values up to {biggest:.4g}, beyond the range of "
                f"{like_name}'s dtype {like.dtype}"
            )
    return arr.astype(like.dtype)


def check_same_shape(a: np.ndarray, a_name: str, b: np.ndarray, b_name: str) -> None:
    if a.shape != b.shape:
        raise ValueError(
            f"{a_name} and {b_name} must have the same shape, got {a_name}{a.shape} "
            f"and {b_name}{b.shape}"
        )


def check_rows(a: np.ndarray, a_name: str, n: int, n_from: str) -> None:
    """``a`` must have ``n`` rows: one per example of ``n_from``."""
    if a.shape[0] != n:
        raise ValueError(
            f"{a_name} must have one row per example of {n_from} ({n}), got shape {a.shape}"
        )


def check_unit_interval(a: np.ndarray, name: str) -> None:
    """Probabilities and BCE targets must lie in [0, 1]."""
    if a.size and (a.min() < 0 or a.max() > 1):
        raise ValueError(
            f"{name} must hold probabilities in [0, 1], got values in "
            f"[{a.min():.6g}, {a.max():.6g}] with shape {a.shape}"
        )


def finite_result(what: str) -> Callable[[F], F]:
    """Decorator: the function's float results must be finite, or it raises ``ValueError``.

    Finite inputs can still overflow in the arithmetic (``(a − y)/N`` with ``a = 1e308``,
    ``y = −1e308``; ``1/(N·A)`` with a subnormal ``A``).  The arithmetic runs with NumPy's
    overflow, invalid and divide warnings off, and every float array (or scalar) in the
    result is then checked: an inf or nan becomes an error that says which output of
    ``what`` overflowed, instead of a warning and a silent inf.  With
    ``check_finite=False`` the caller has opted out: the result is returned as it is.
    """
    def decorate(fn: F) -> F:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
                out = fn(*args, **kwargs)
            if kwargs.get("check_finite", True):
                for key, value in _float_outputs(out):
                    if not np.isfinite(value).all():
                        raise ValueError(
                            f"{what}: {key} overflows the float range (inf or nan) although "
                            "every input is finite: the inputs are too extreme for this "
                            f"computation in {np.asarray(value).dtype}"
                        )
            return out
        return wrapper  # type: ignore[return-value]
    return decorate


def _float_outputs(out: Any, name: str = "the result") -> list[tuple[str, Any]]:
    """Every float array or scalar in a result, with its name: the fields of a Result
    (``loss``, each gradient, each intermediate), the items of a tuple or dict, or the
    result itself."""
    if isinstance(out, tuple) and hasattr(out, "_fields"):            # Result and friends
        items = list(zip(out._fields, out))
    elif isinstance(out, tuple):
        items = [(f"{name}[{i}]", value) for i, value in enumerate(out)]
    elif isinstance(out, dict):
        items = [(str(key), value) for key, value in out.items()]
    elif isinstance(out, (np.ndarray, np.floating, float)):
        return [(name, out)] if np.asarray(out).dtype.kind == "f" else []
    else:
        return []
    return [found for key, value in items for found in _float_outputs(value, key)]


# --------------------------------------------------------------------------- choices, numbers
def choice(value: object, name: str, choices: Iterable[str]) -> str:
    """``value`` must be one of the string ``choices``."""
    options = sorted(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {options} (a string), got {_describe(value)}")
    if value not in options:
        raise ValueError(f"unknown {name} {value!r}; expected one of {options}")
    return value


def positive_number(value: object, name: str, *, integer: bool = False) -> Any:
    """A finite number > 0 (an ``int`` when ``integer``); bools are not numbers here."""
    kind = "int" if integer else "number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a positive {kind}, got {_describe(value)}")
    if integer:
        if not isinstance(value, numbers.Integral):
            raise TypeError(f"{name} must be a positive int, got {_describe(value)}")
        if value < 1:
            raise ValueError(f"{name} must be a positive int, got {value!r}")
        return int(value)
    number = _as_float(value, name, "a positive number")
    if not number > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return number


def _as_float(value: numbers.Real, name: str, what: str) -> float:
    try:
        number = float(value)
    except OverflowError:                                 # an int beyond the float range
        raise ValueError(f"{name} must be {what} within the float range, got an int of "
                         f"{len(str(abs(value)))} digits") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return number


def reg_value(reg: object) -> float:
    """The L2 strength: a finite real number ≥ 0."""
    if isinstance(reg, bool) or not isinstance(reg, numbers.Real):
        raise TypeError(f"reg must be a real number, got {_describe(reg)}")
    try:
        value = float(reg)
    except OverflowError:
        raise ValueError("reg must be finite and non-negative, got an int of "
                         f"{len(str(abs(reg)))} digits") from None
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"reg must be finite and non-negative, got {reg!r}")
    return value


def seed_value(seed: object, name: str = "seed") -> int:
    """A seed for ``numpy.random.default_rng``: an int ≥ 0."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"{name} must be a non-negative int, got {_describe(seed)}")
    if seed < 0:
        raise ValueError(f"{name} must be a non-negative int, got {seed!r}")
    return int(seed)


# --------------------------------------------------------------------------- class targets
def class_labels(y: ArrayLike, n: int | None, num_classes: int, *, name: str = "y",
                 n_from: str = "the scores") -> np.ndarray:
    """Integer class labels ``(n,)`` of any integer dtype and byte order, each in ``[0, K)``.

    ``n`` is the number of examples they must label (None: any non-zero number).  Returned
    as ``intp`` (the index type), ready to index with.
    """
    if y is None or isinstance(y, (str, bytes, Mapping, set)):
        raise TypeError(f"{name} must be an array of class labels, got {_describe(y)}")
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        hint = ""
        if (labels.ndim == 1 and labels.dtype.kind == "f" and labels.size
                and np.all(np.isfinite(labels)) and np.all(np.mod(labels, 1) == 0)):
            hint = "; convert them with y.astype(int)"
        raise TypeError(
            f"{name} as a 1-D array must hold integer class labels, got dtype "
            f"{labels.dtype} with shape {labels.shape}{hint}"
        )
    if n is not None and labels.shape[0] != n:
        raise ValueError(
            f"{name} must have one label per example of {n_from} ({n}), "
            f"got shape {labels.shape}"
        )
    if labels.shape[0] == 0:
        raise ValueError(f"{name} is empty (shape (0,)); a batch needs at least one row")
    lo, hi = int(labels.min()), int(labels.max())
    if lo < 0 or hi >= num_classes:
        raise ValueError(
            f"{name} holds labels in [{lo}, {hi}] but must lie in [0, {num_classes}) "
            f"for {num_classes} classes"
        )
    return labels.astype(np.intp)


def indicator_matrix(labels: np.ndarray, num_classes: int, dtype: Any = np.float64) -> np.ndarray:
    """Note 001's ``Y_ind``: ``Y[n, k] = 1`` if ``labels[n] == k``, else 0 (labels checked)."""
    Y = np.zeros((labels.shape[0], num_classes), dtype=dtype)
    Y[np.arange(labels.shape[0]), labels] = 1
    return Y


def class_targets(y: ArrayLike, n: int, num_classes: int, *, dtype: Any = np.float64,
                  name: str = "y", n_from: str = "the scores") -> np.ndarray:
    """Class targets in any accepted form, as the dense ``(n, K)`` matrix ``Y`` of ``dtype``.

    Accepted: integer labels ``(n,)``; one-hot rows ``(n, K)``; soft rows ``(n, K)`` whose
    entries lie in [0, 1] and sum to 1 (within ``64·ε·K`` of the rows' own float type).
    """
    if y is None or isinstance(y, (str, bytes, Mapping, set)):
        raise TypeError(f"{name} must be an array of class labels, got {_describe(y)}")
    try:
        ndim = np.ndim(y)
    except ValueError as exc:                       # ragged nested lists
        raise TypeError(f"{name} must be an array of class labels: {exc}") from None
    if ndim == 1:
        return indicator_matrix(class_labels(y, n, num_classes, name=name, n_from=n_from),
                                num_classes, dtype)
    if ndim != 2:
        raise ValueError(f"{name} must be (N,) integer labels or (N, K) one-hot or soft "
                         f"rows, got shape {np.shape(y)}")
    Y = as_array(y, name, ndim=2)
    if Y.shape != (n, num_classes):
        raise ValueError(
            f"{name} as one-hot or soft rows must have shape (N, K) = ({n}, {num_classes}) "
            f"to match {n_from}, got {Y.shape}"
        )
    check_unit_interval(Y, name)
    sums = Y.sum(axis=1)
    off = np.abs(sums - 1) > 64 * np.finfo(Y.dtype).eps * num_classes
    if off.any():
        row = int(np.argmax(off))
        raise ValueError(
            f"{name} rows must sum to 1 (one-hot or class probabilities); row {row} of "
            f"{name}{Y.shape} sums to {sums[row]:.17g}"
        )
    return Y.astype(dtype)


# --------------------------------------------------------------------------- networks
_KEY = re.compile(r"^([Wb])([1-9][0-9]*)$")


class NetworkInputs(NamedTuple):
    """What `network_inputs` hands to a network: every array in one float dtype."""

    X: np.ndarray
    Ws: list
    bs: list
    reg: float


def layer_count(params: object) -> int:
    """The number of layers L of a ``{"W1", "b1", …, "WL", "bL"}`` dict."""
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict of W1, b1, …, WL, bL, got {_describe(params)}")
    bad = sorted(str(k) for k in params if not (isinstance(k, str) and _KEY.match(k)))
    if bad:
        raise ValueError(f"params has unexpected keys {bad}; expected W1, b1, …, WL, bL")
    L = max((int(_KEY.match(k).group(2)) for k in params), default=0)   # type: ignore[union-attr]
    missing = [f"{p}{l}" for l in range(1, L + 1) for p in "Wb" if f"{p}{l}" not in params]
    if L == 0 or missing:
        raise ValueError(f"params is missing {missing or ['W1', 'b1']}")
    return L


def network_inputs(params: object, X: object, reg: object, *, layers: int | None = None,
                   check_finite: bool = True) -> NetworkInputs:
    """Check ``X`` (N, D), the parameters of an L-layer network and ``reg`` together.

    The layers must chain: ``W1`` is (D, H1), ``b1`` (H1,), ``W2`` (H1, H2), …  Every array
    comes back in one float dtype: float32 only when ``X`` and every parameter are float32.
    """
    L = layer_count(params)
    if layers is not None and L != layers:
        raise ValueError(f"params describes {L} layers; this network has {layers}")
    reg = reg_value(reg)
    X = as_array(X, "X", ndim=2, check_finite=check_finite)
    Ws = [as_array(params[f"W{l}"], f"params['W{l}']", ndim=2,         # type: ignore[index]
                   check_finite=check_finite) for l in range(1, L + 1)]
    bs = [as_array(params[f"b{l}"], f"params['b{l}']", ndim=1,         # type: ignore[index]
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
    return NetworkInputs(X.astype(dtype, copy=False), [W.astype(dtype, copy=False) for W in Ws],
                         [b.astype(dtype, copy=False) for b in bs], reg)


def layer_sizes(sizes: object, name: str = "layer_sizes") -> list[int]:
    """At least two positive ints: ``[D, H1, …, K]``."""
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (Sequence, np.ndarray)):
        raise TypeError(f"{name} must be a sequence of at least two positive ints such as "
                        f"[4, 10, 3], got {_describe(sizes)}")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError(f"{name} must hold at least two sizes (inputs and outputs), "
                         f"got {sizes}")
    return [positive_number(s, f"{name}[{i}]", integer=True) for i, s in enumerate(sizes)]
