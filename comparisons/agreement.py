"""What "agreement" means, measured.

=====================  =============================================================
comparison             passes when
=====================  =============================================================
twin, float64          ``|ours − theirs| ≤ 1e-12 · S`` entrywise, ``S = max(1, max|theirs|)``;
                       where ``|theirs| < 1e-12 · S`` (tiny entries, which the absolute
                       bound would let be anything) ``|ours − theirs| ≤ 1e-6 · |theirs| +
                       4ε · S`` instead (ε = 2⁻⁵², so 8.9e-16 · S): see ``TINY`` below
twin, float32          the float32 reference vs the float64 twin: ``1e-5 · S``, and for
                       entries below it ``1e-6 · |theirs| + 4ε₃₂ · S`` (ε₃₂ = 2⁻²³)
exact keys             bit-identical (one-hot, argmax, relu masks)
central differences    normwise relative error ≤ 1e-7, over the whole gradient of the
                       scalar (every block and intermediate together; hypothesis found
                       D16/D18 blocks 3000× smaller than the rest, whose own error was
                       the differences' round-off ``ε·|L|/h``); an array of more than
                       ``PER_ENTRY_MAX`` (128) entries is differenced along 3 random
                       directions ``u`` (largest entry ±1) and ``|g·u − ∇f·u|`` must be
                       ≤ 1e-7 of the same whole (`comparisons.finite_diff`)
``expect="disagree"``  the error is **above** ``1e-6 · max|theirs|`` (D13; relative, so a
                       100% gap between two small numbers counts: found by hypothesis
                       at z = −14, where both deltas are below 1e-6)
=====================  =============================================================

Every comparison records the measured figure, not just pass/fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._optional import MissingExtra
from .backends import get_backend
from .catalog import Derivation
from .finite_diff import Directional, rel_error

__all__ = ["Check", "Outcome", "run", "TOLERANCES"]

TOLERANCES = {"float64": 1e-12, "float32": 1e-5, "fd": 1e-7, "disagree": 1e-6}

#: The mixed bound for entries below the absolute one (``|theirs| < TOLERANCES[dtype]·S``):
#: ``|ours − theirs| ≤ rtol·|theirs| + floor·S``.  A relative bound alone cannot be used:
#: measured on the catalog's seeds and the property strategies' draws, correct code differs
#: from torch and JAX on such entries by up to 100 % (torch's tanh' = 1 − tanh² is 1.9e-17
#: where NumPy's is 0; σ' = y(1 − y) is 0 at z = 40 where σ(z)σ(−z) is 4.2e-18) and by ∞
#: (XLA flushes subnormals to 0), all of it rounding of cancelling formulas, at most
#: 1.1e-16·S.  The floor, 4 ulps of 1 in the reference's dtype, sits above that rounding and
#: 1100× below the absolute bound (float64), so a tiny entry may no longer be anything.
TINY = {"rtol": 1e-6, "floor": {"float64": 4 * 2.0**-52, "float32": 4 * 2.0**-23}}


@dataclass(frozen=True)
class Check:
    key: str
    max_abs: float
    bound: float
    ok: bool
    exact: bool = False
    rel: float | None = None
    tiny: int = 0                  # entries under the absolute bound, compared by TINY
    tiny_excess: float = 0.0       # max over them of |ours − theirs| / (their bound); ≤ 1 passes
    directions: int = 0            # central differences along this many directions, not per entry


@dataclass
class Outcome:
    """The result of one derivation against one backend."""

    derivation: str
    backend: str
    dtype: str
    status: str                    # "ok" | "fail" | "not installed" | "n/a" | "error"
    checks: list = field(default_factory=list)
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status in ("ok", "n/a", "not installed")

    @property
    def max_abs(self) -> float | None:
        return max((c.max_abs for c in self.checks), default=None)

    @property
    def max_rel(self) -> float | None:
        rels = [c.rel for c in self.checks if c.rel is not None]
        return max(rels, default=None)


def _compare(key, ours, theirs, *, exact, mode, dtype_name, whole=None) -> Check:
    ours = np.asarray(ours)
    if isinstance(theirs, Directional):
        return _directional(key, ours, theirs, whole)
    theirs = np.asarray(theirs)
    if ours.shape != theirs.shape:
        return Check(key, float("inf"), 0.0, False)
    if exact:
        same = np.array_equal(ours, theirs)
        diff = 0.0 if same else float(np.abs(ours.astype(np.float64) - theirs).max())
        return Check(key, diff, 0.0, same, exact=True)
    diff = float(np.abs(ours.astype(np.float64) - theirs.astype(np.float64)).max(initial=0.0))
    scale = max(1.0, float(np.abs(theirs).max(initial=0.0)))
    if mode == "fd":
        rel = rel_error(ours, theirs, whole)
        return Check(key, diff, TOLERANCES["fd"], rel <= TOLERANCES["fd"], rel=rel)
    if mode == "disagree":
        bound = TOLERANCES["disagree"] * float(np.abs(theirs).max(initial=0.0))
        return Check(key, diff, bound, diff > bound)
    return _mixed(key, ours, theirs, diff, scale, dtype_name)


def _directional(key, ours, theirs: Directional, whole) -> Check:
    """``max_j |g·u_j − (∇f·u_j)_numerical|`` relative to the largest entry of the whole
    gradient, as an entry's difference is in :func:`rel_error`."""
    if ours.shape != theirs.shape:
        return Check(key, float("inf"), 0.0, False)
    diff = float(np.abs(theirs.project(ours) - theirs.values).max())
    scale = max(whole or 0.0, float(np.abs(ours.astype(np.float64)).max(initial=0.0)),
                theirs.scale())
    rel = 0.0 if scale == 0 else diff / scale
    return Check(key, diff, TOLERANCES["fd"], rel <= TOLERANCES["fd"], rel=rel,
                 directions=len(theirs.values))


def _magnitude(a) -> float:
    """The largest |entry| of an array, or of the gradient a `Directional` stands for (a
    lower bound)."""
    if isinstance(a, Directional):
        return a.scale()
    return float(np.abs(np.asarray(a, dtype=np.float64)).max(initial=0.0))


def _mixed(key, ours, theirs, diff, scale, dtype_name) -> Check:
    """The absolute bound ``atol·S`` and, on the entries below it, ``rtol·|theirs| + floor·S``."""
    bound = TOLERANCES[dtype_name] * scale
    o = ours.astype(np.float64)
    t = np.broadcast_to(theirs.astype(np.float64), o.shape)
    tiny = np.abs(t) < bound
    excess = 0.0
    if tiny.any():
        err = np.abs(o[tiny] - t[tiny])
        with np.errstate(invalid="ignore"):      # nan in ours: never within any bound
            err = np.where(np.isnan(err), np.inf, err)
        allowed = TINY["rtol"] * np.abs(t[tiny]) + TINY["floor"][dtype_name] * scale
        excess = float((err / allowed).max())
    ok = diff <= bound and excess <= 1.0
    return Check(key, diff, bound, ok, tiny=int(tiny.sum()), tiny_excess=excess)


def run(d: Derivation, backend: str, *, seed: int = 0, dtype=np.float64, case=None,
        per_entry_max: int | None = None) -> Outcome:
    """Check derivation ``d`` against ``backend`` ("torch", "jax" or "fd") on one case.

    The case is drawn from ``d.cases`` with ``numpy.random.default_rng(seed)`` unless one
    is given.  For float32 the reference runs on the float32 inputs and the twin on the
    same values in float64, and every float output of the reference must be float32.
    ``per_entry_max`` (central differences only): arrays with more entries are differenced
    along random directions (default `comparisons.finite_diff.PER_ENTRY_MAX`).
    """
    dtype = np.dtype(dtype)
    dname = dtype.name
    if backend == "fd" and (not d.fd or dtype != np.float64):
        return Outcome(d.id, backend, dname, "n/a")
    if dtype == np.float32 and not d.float32:
        return Outcome(d.id, backend, dname, "n/a")
    try:
        be = get_backend(backend)
    except MissingExtra as exc:
        return Outcome(d.id, backend, dname, "not installed", message=str(exc))
    if case is None:
        case = d.cases(np.random.default_rng(seed), fd_safe=(backend == "fd"))
    case_in = case.astype(dtype)
    ours = d.reference(case_in)
    options = {}
    if backend == "fd" and d.expect == "disagree":
        # a disagreement is measured entry by entry: along directions only a lower bound
        # of the truth's scale is known
        options = {"per_entry_max": None}
    elif backend == "fd" and per_entry_max is not None:
        options = {"per_entry_max": per_entry_max}
    theirs = be.evaluate(d.twin, case_in.astype(np.float64), **options)
    checks, problems = [], []
    mode = "disagree" if d.expect == "disagree" else ("fd" if backend == "fd" else "twin")
    whole = None
    if mode == "fd":   # the largest entry of the whole gradient, ours or theirs
        whole = max((_magnitude(a) for k, v in theirs.items() if k in ours
                     for a in (ours[k], v)), default=0.0)
    for key, value in theirs.items():
        if key not in ours:
            problems.append(f"reference gives no {key!r}")
            continue
        out = np.asarray(ours[key])
        if dtype == np.float32 and out.dtype.kind == "f" and out.dtype != np.float32:
            problems.append(f"{key} came back {out.dtype}, not float32")
        exact = key in d.exact and backend != "fd"
        checks.append(_compare(key, out, value, exact=exact, mode=mode,
                               dtype_name=dname, whole=whole))
    bad = [c.key for c in checks if not c.ok]
    status = "ok" if checks and not bad and not problems else "fail"
    msg = "; ".join(problems + ([f"outside the bound: {', '.join(bad)}"] if bad else []))
    return Outcome(d.id, backend, dname, status, checks, msg)
