"""What "agreement" means (SPEC §5), measured.

=====================  =============================================================
comparison             passes when
=====================  =============================================================
twin, float64          ``max|ours − theirs| ≤ 1e-12 · max(1, max|theirs|)``
twin, float32          the float32 reference vs the float64 twin, bound ``1e-5 · …``
exact keys             bit-identical (one-hot, argmax, relu masks)
central differences    normwise relative error ≤ 1e-7, over the whole gradient of the
                       scalar (every block and intermediate together; hypothesis found
                       D16/D18 blocks 3000× smaller than the rest, whose own error was
                       the differences' round-off ``ε·|L|/h``)
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
from .finite_diff import rel_error

__all__ = ["Check", "Outcome", "run", "TOLERANCES"]

TOLERANCES = {"float64": 1e-12, "float32": 1e-5, "fd": 1e-7, "disagree": 1e-6}


@dataclass(frozen=True)
class Check:
    key: str
    max_abs: float
    bound: float
    ok: bool
    exact: bool = False
    rel: float | None = None


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
    bound = TOLERANCES[dtype_name] * scale
    return Check(key, diff, bound, diff <= bound)


def run(d: Derivation, backend: str, *, seed: int = 0, dtype=np.float64, case=None) -> Outcome:
    """Check derivation ``d`` against ``backend`` ("torch", "jax" or "fd") on one case.

    The case is drawn from ``d.cases`` with ``numpy.random.default_rng(seed)`` unless one
    is given.  For float32 the reference runs on the float32 inputs and the twin on the
    same values in float64, and every float output of the reference must be float32.
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
    theirs = be.evaluate(d.twin, case_in.astype(np.float64))
    checks, problems = [], []
    mode = "disagree" if d.expect == "disagree" else ("fd" if backend == "fd" else "twin")
    whole = None
    if mode == "fd":   # the largest entry of the whole gradient, ours or theirs
        whole = max((float(np.abs(np.asarray(a, dtype=np.float64)).max(initial=0.0))
                     for k, v in theirs.items() if k in ours for a in (ours[k], v)),
                    default=0.0)
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
