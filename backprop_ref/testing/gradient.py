r"""`check_gradient`: any scalar function's gradients against float64 central differences,
with a diagnosis instead of "Jacobian mismatch".

For ``f(*args)`` (or ``f(**args)``) returning a number and the user's gradients, each
gradient is compared with the central differences of ``f`` in that argument: entry by entry
when the argument is small (at most `PER_ENTRY` entries), along `DIRECTIONS` random unit
directions when it is large (as ``jax.test_util.check_grads`` does).  It agrees when

$$
\max|g - g_{\text{fd}}| \le 10^{-6}\cdot\max(1, \max|g_{\text{fd}}|)
$$

(``10^{-3}`` when ``f`` or the gradient is float32/float16; a directional derivative
is compared with ``g·v`` the same way).  Without knowing the function, the kinds it can
confirm are ``scale`` (the factor named: 2, ½, or a size of the arguments such as the batch
N or the classes K), ``sign``, ``transpose``, ``shape`` (an unreduced batch axis whose sum or
mean is the gradient, a transposed or reshaped array) and otherwise ``other``.  Keep the
point away from kinks (a ReLU pre-activation at 0): a difference across one means nothing.
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from . import numdiff
from .adapters import describe
from .report import CheckReport, Diagnosis, Row, fmt

__all__ = ["check_gradient", "PER_ENTRY", "DIRECTIONS"]

#: arguments of at most this many entries are differenced entry by entry
PER_ENTRY = 64

#: the number of random directions for a larger argument
DIRECTIONS = 6

_CALL = "f(*args) -> a number; grads: one array per argument (None: not checked), in the " \
        "order of args or keyed by name"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _arguments(f: Callable, args: Any) -> tuple[list, list, bool]:
    """The names and values of ``args``, and whether ``f`` takes them by keyword."""
    if isinstance(args, dict):
        return [str(k) for k in args], list(args.values()), True
    if isinstance(args, np.ndarray) or not isinstance(args, (tuple, list)):
        args = (args,)
    names = []
    try:
        ps = [p for p in inspect.signature(f).parameters.values()
              if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        names = [p.name for p in ps]
    except (TypeError, ValueError):
        pass
    names = [names[i] if i < len(names) else f"args[{i}]" for i in range(len(args))]
    return names, list(args), False


def _pairs(names: list, values: list, grads: Any) -> list[tuple[int, Any]]:
    """``(argument index, gradient)`` for every gradient given."""
    if isinstance(grads, dict):
        out = []
        for key, g in grads.items():
            k = str(key)
            i = names.index(k) if k in names else (
                names.index(k[1:]) if k.startswith("d") and k[1:] in names else None)
            if i is None:
                raise ValueError(f"grads has the key {k!r}, which names no argument; the "
                                 f"arguments are {', '.join(names)}")
            if g is not None:
                out.append((i, g))
        return out
    if isinstance(grads, np.ndarray):
        grads = [grads]
    if not isinstance(grads, (tuple, list)):
        raise TypeError(f"grads must be a sequence or a dict of arrays, got "
                        f"{type(grads).__name__}")
    if len(grads) > len(values):
        raise ValueError(f"grads has {len(grads)} entries but args only {len(values)}")
    return [(i, g) for i, g in enumerate(grads) if g is not None]


def _float_arg(name: str, x: Any) -> np.ndarray:
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):
        a = np.asarray(None)
    if a.dtype.kind != "f":
        raise ValueError(f"argument {name} is {a.dtype}, not floating point: central "
                         f"differences need floats (give None as its gradient)")
    return a


def check_gradient(f: Callable, args: Any, grads: Any, *, seed: int = 0) -> CheckReport:
    r"""Compare the gradients you computed for a scalar function with float64 central
    differences of that function, and name the slip when they disagree.

    Inputs:
        f: a function of the arrays in ``args`` returning a number.
        args: a tuple of arguments (``f(*args)``), a dict (``f(**args)``) or one array.
        grads: your gradients: a sequence in the order of ``args`` (``None`` for an
            argument not to check, e.g. labels), or a dict keyed by the arguments' names
            (``"W"`` or ``"dW"``).
        seed: seed of the random directions.
    Returns:
        `CheckReport` with one row per gradient (``dW`` for an argument ``W``), diagnoses
        of kind scale, sign, transpose, shape or other, a ``precision`` warning for float32
        input, and ``self_consistent`` equal to ``ok``.
    Raises:
        TypeError / ValueError: ``f`` not callable, ``grads`` not a sequence or dict, a key
            that names no argument, a gradient for a non-float argument.
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    names, values, by_name = _arguments(f, args)
    pairs = _pairs(names, values, grads)
    rep = CheckReport(describe(f), "central differences", "float64 central differences of f",
                      call=_CALL)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    xs = {i: _float_arg(names[i], values[i]) for i, _ in pairs}
    if not pairs:
        rep.error = "no gradient to check: grads is empty or all None"
        return rep

    def value(vals: list) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = f(**dict(zip(names, vals))) if by_name else f(*vals)
        a = np.asarray(out)
        if a.size != 1 or a.dtype.kind not in "fiu":
            raise _NotScalar(f"f returned {type(out).__name__}"
                             + (f" of shape {a.shape}" if a.size != 1 else "")
                             + ", expected a number")
        return a.reshape(())

    def f_at(i: int, x: np.ndarray) -> float:
        vals = copy.deepcopy(values)
        vals[i] = x
        return float(value(vals))

    try:
        out0 = value(copy.deepcopy(values))
    except _NotScalar as exc:
        rep.error = f"{exc}; the checker calls {_CALL}"
        return rep
    except (Exception, SystemExit) as exc:  # noqa: BLE001
        rep.error = f"f raised {_one_line(exc)}, called as f(*args)"
        rep.raised = True
        return rep
    if not math.isfinite(float(out0)):
        rep.error = f"f returned {float(out0)} at args: central differences need a finite value"
        return rep
    gs = {i: np.asarray(g) for i, g in pairs}
    low_names = [f"d{names[i]}" for i, g in gs.items() if g.dtype in (np.float32, np.float16)]
    low = bool(low_names) or out0.dtype in (np.float32, np.float16) or any(
        xs[i].dtype in (np.float32, np.float16) for i in xs)
    tol = numdiff.TOL_FLOAT32 if low else numdiff.TOL
    rep.bound = tol
    if low:
        rep.warnings.append(Diagnosis(low_names[0] if low_names else "f", "precision", (
            "float32/float16 involved: compared at the central-difference bound "
            f"{numdiff.TOL_FLOAT32:g}·max(1, max|fd|) with a step of 1e-2, not "
            f"{numdiff.TOL:g} with 1e-4")))
    rng = np.random.default_rng(seed)
    dims = _dims(names, values)
    for i, g in gs.items():
        o = f"d{names[i]}"
        x = xs[i].astype(np.float64)
        try:
            row, diag = _one(o, lambda z, i=i: f_at(i, z), x, g.astype(np.float64), rng, low,
                             tol, dims)
        except (Exception, SystemExit) as exc:  # noqa: BLE001
            rep.error = f"f raised {_one_line(exc)} near args, differencing {names[i]}"
            rep.raised = True
            return rep
        rep.rows.append(row)
        if diag is not None:
            rep.diagnoses.append(diag)
    rep.tried = [f"{names[i]} {np.shape(values[i])}: "
                 + ("entry by entry" if np.size(values[i]) <= PER_ENTRY
                    else f"{DIRECTIONS} random directions") for i in gs]
    rep.ok = not rep.diagnoses and all(r.ok for r in rep.rows)
    rep.self_consistent = rep.ok
    rep.self_consistency = ("yes: the gradients are the derivative of f" if rep.ok else
                            "no: " + ", ".join(d.output for d in rep.diagnoses)
                            + " disagree with the derivative of f")
    return rep


class _NotScalar(Exception):
    pass


def _dims(names: list, values: list) -> list[tuple[float, str]]:
    """Recognisable factors: 2, ½ and the sizes of the arguments' axes (N, K, N·K)."""
    out = [(2.0, "2"), (0.5, "½")]
    for name, v in zip(names, values):
        shape = np.shape(v) if isinstance(v, np.ndarray) or isinstance(v, (list, tuple)) else ()
        if len(shape) >= 1 and shape[0] > 1:
            out.append((float(shape[0]), f"N = {shape[0]} (axis 0 of {name}, the batch)"))
        if len(shape) == 2 and shape[1] > 1:
            out.append((float(shape[1]), f"K = {shape[1]} (axis 1 of {name})"))
            if shape[0] > 1:
                out.append((float(shape[0] * shape[1]), f"N·K = {shape[0] * shape[1]} "
                            f"(every entry of {name})"))
    seen: dict[float, str] = {}
    for value, text in out:
        seen.setdefault(value, text)
        seen.setdefault(1.0 / value, ("1/" + text) if value != 2.0 else "½")
    return [(v, t) for v, t in seen.items() if v != 1.0]


def _one(o: str, f1: Callable, x: np.ndarray, g: np.ndarray, rng: np.random.Generator,
         low: bool, tol: float, dims: list) -> tuple[Row, Diagnosis | None]:
    """One argument: the row and, when it disagrees, the diagnosis."""
    h = numdiff.step(x, low)
    if x.size <= PER_ENTRY:
        fd = numdiff.per_entry(f1, x, h)
        return _judge_full(o, g, fd, tol, dims)
    dirs = [numdiff.unit_direction(rng, x.shape) for _ in range(DIRECTIONS)]
    fds = np.array([numdiff.directional(f1, x, v, h) for v in dirs])
    return _judge_dirs(o, g, fds, dirs, x.shape, tol, dims)


def _close(a: np.ndarray, b: np.ndarray, tol: float) -> bool:
    return a.shape == b.shape and bool(
        np.max(np.abs(a - b), initial=0.0) <= tol * max(1.0, float(np.max(np.abs(b), initial=0))))


def _judge_full(o: str, g: np.ndarray, fd: np.ndarray, tol: float,
                dims: list) -> tuple[Row, Diagnosis | None]:
    if g.shape != fd.shape:
        row = Row(o, math.nan, math.nan, False, f"shape {g.shape}, expected {fd.shape}")
        return row, _shape(o, g, fd.shape, lambda a: _close(a, fd, tol))
    err = float(np.max(np.abs(g - fd), initial=0.0))
    rel = err / max(1.0, float(np.max(np.abs(fd), initial=0.0)))
    if not np.all(np.isfinite(g)):
        err = rel = math.inf
    row = Row(o, err, rel, rel <= tol)
    if row.ok:
        return row, None
    return row, _value(o, row, lambda a: _close(a, fd, tol), g, dims)


def _judge_dirs(o: str, g: np.ndarray, fds: np.ndarray, dirs: list, shape: tuple,
                tol: float, dims: list) -> tuple[Row, Diagnosis | None]:
    def agrees(a: np.ndarray) -> bool:
        if a.shape != shape:
            return False
        an = np.array([float(np.sum(a * v)) for v in dirs])
        scale = max(1.0, float(np.max(np.abs(fds))), float(np.linalg.norm(a)))
        return bool(np.max(np.abs(an - fds)) <= tol * scale)

    if g.shape != shape:
        row = Row(o, math.nan, math.nan, False, f"shape {g.shape}, expected {shape}")
        return row, _shape(o, g, shape, agrees)
    an = np.array([float(np.sum(g * v)) for v in dirs])
    err = float(np.max(np.abs(an - fds)))
    rel = err / max(1.0, float(np.max(np.abs(fds))), float(np.linalg.norm(g)))
    if not np.all(np.isfinite(g)):
        err = rel = math.inf
    row = Row(o, err, rel, agrees(g), f"{len(dirs)} random directions")
    if row.ok:
        return row, None
    return row, _value(o, row, agrees, g, dims)


def _value(o: str, row: Row, agrees: Callable, g: np.ndarray, dims: list) -> Diagnosis:
    if agrees(-g):
        return Diagnosis(o, "sign", f"{o} is the negative of the derivative of f (a sign "
                         "dropped or flipped: Y − A for A − Y, a missing minus of a log)")
    for value, text in dims:
        if agrees(g / value):
            return Diagnosis(o, "scale", f"{o} is {text} × the derivative of f"
                             + _scale_cause(text))
    if g.ndim == 2 and g.shape[0] == g.shape[1] and agrees(g.T):
        return Diagnosis(o, "transpose", f"{o} is the transpose of the derivative of f (the "
                         "argument is square, so its shape does not show it)")
    return Diagnosis(o, "other", f"{o} differs from the central differences of f by up to "
                     f"{fmt(row.max_abs_error)} (relative {fmt(row.rel_error)}); no factor, "
                     "sign or transpose explains it")


def _scale_cause(text: str) -> str:
    if text.startswith("N ="):
        return ": a missing 1/N (f averages over the batch; the gradient does not)"
    if text.startswith("1/N"):
        return ": an extra 1/N (divided by the batch size twice)"
    if text.startswith("1/K") or text.startswith("1/N·K"):
        return (": a mean over more entries than f takes (np.mean over every entry where f "
                "sums over some)")
    if text.startswith(("K =", "N·K")):
        return ": f averages over more entries than the gradient divides by"
    if text == "2":
        return ": an extra 2 (the derivative of a square kept whole, or ½ missing from f)"
    if text == "½":
        return ": a stray ½ (a ½ kept in the derivative)"
    return ""


def _shape(o: str, g: np.ndarray, shape: tuple, agrees: Callable) -> Diagnosis:
    if g.shape == tuple(shape)[::-1] and g.ndim == 2:
        if agrees(g.T):
            return Diagnosis(o, "transpose", f"{o} is the transpose of the derivative of f "
                             f"(shape {g.shape}, expected {tuple(shape)})")
        return Diagnosis(o, "transpose", f"{o} has the transposed shape {g.shape} of "
                         f"{tuple(shape)} (and its values differ as well)")
    if g.ndim == len(shape) + 1 and g.shape[1:] == tuple(shape):
        if agrees(g.sum(axis=0)):
            return Diagnosis(o, "shape", f"{o} has shape {g.shape}, expected {tuple(shape)}: "
                             f"an unreduced batch axis; its sum over axis 0 is the gradient")
        if agrees(g.mean(axis=0)):
            return Diagnosis(o, "shape", f"{o} has shape {g.shape}, expected {tuple(shape)}: "
                             f"an unreduced batch axis; its mean over axis 0 is the gradient")
    if g.size == int(np.prod(shape)) and agrees(g.reshape(shape)):
        return Diagnosis(o, "shape", f"{o} has shape {g.shape}, expected {tuple(shape)}; "
                         "the values match after a reshape")
    return Diagnosis(o, "shape", f"{o} has shape {g.shape}, expected {tuple(shape)}")
