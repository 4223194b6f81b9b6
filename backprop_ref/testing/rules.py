"""The rules that name a slip: each candidate slip is a *model*, the reference recomputed
with that one slip, and a kind is named only when the model matches every output the user
returned, on every case, within the comparison bound.  Nothing matches: the kind is
``other``.

The generic models here (a sign, a scale factor of one output) serve every target; the
targets add their own (an erratum's literal form, a dropped ``g'(z)``, a softmax over the
wrong axis, …).  `diagnose` picks the model that explains everything, preferring the
earliest step in the computation and then the order of `KINDS`; when no single model
does, each wrong output gets its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .cases import Case, Conventions, to_user
from .report import KINDS, Diagnosis, Row, compare, fmt, matches

__all__ = ["Model", "Evidence", "FACTORS", "factor", "output_models", "scale_models", "tweak",
           "form", "best_model", "diagnose", "shape_diagnosis", "declare_hint"]


@dataclass
class Model:
    """One candidate slip: ``compute(case)`` is the reference's outputs (row layout) with
    the slip; ``step`` is the first output it changes."""

    kind: str
    step: str
    message: str
    compute: Callable[[Case], dict]
    erratum: str | None = None


@dataclass
class Evidence:
    """What the function returned, next to the reference, for the rules to read.

    ``user[k][o]`` is output ``o`` of accepted case ``k`` in the user's layout (float64);
    ``roles(o)`` converts a row-layout value to that layout; ``skip`` holds the (output,
    case) pairs left out of every comparison (a loss value already explained by a warning).
    """

    cases: list
    accepted: list
    user: dict
    refs: dict
    returned: list
    order: list
    roles: Callable[[str], str]
    layout: str
    bound: float
    conv: Conventions = Conventions()
    rows: dict = field(default_factory=dict)
    skip: set = field(default_factory=set)
    _cache: dict = field(default_factory=dict)

    def expected(self, k: int, o: str, value: Any = None) -> np.ndarray:
        """Output ``o`` of case ``k`` (the reference's, or ``value``) in the user's layout."""
        v = self.refs[k][o] if value is None else value
        return np.asarray(to_user(self.roles(o), np.asarray(v, dtype=np.float64), self.layout))

    def model_outputs(self, m: Model, k: int) -> dict | None:
        key = (id(m), k)
        if key not in self._cache:
            try:
                with np.errstate(all="ignore"):
                    self._cache[key] = m.compute(self.cases[k])
            except Exception:                                      # noqa: BLE001
                self._cache[key] = None
        return self._cache[key]

    def explains(self, m: Model, outputs: list) -> bool:
        """Whether the model reproduces the user's ``outputs`` on every accepted case."""
        for k in self.accepted:
            mo = self.model_outputs(m, k)
            if mo is None:
                return False
            for o in outputs:
                if (o, k) in self.skip:
                    continue
                if o not in mo or not matches(self.user[k][o], self.expected(k, o, mo[o]),
                                              self.bound):
                    return False
        return True


# =========================================================================== generic models
FACTORS = ("N", "1/N", "2", "1/2", "1/K", "2/K")


def factor(name: str, c: Case) -> float:
    """The value of a named factor on case ``c``."""
    return {"N": float(c.N), "1/N": 1.0 / c.N, "2": 2.0, "1/2": 0.5, "1/K": 1.0 / c.K,
            "2/K": 2.0 / c.K}[name]


def declare_hint(name: str, value: str) -> str:
    """How to declare a convention, in the API and on the command line."""
    default = {"l2": "half", "reduction": "mean"}[name]
    return (f"declare it with {name}={value!r}" + (" (the default)" if value == default
                                                    else "")
            + f" (--{name} {value})")


def _cause(name: str, conv: Conventions, mean: bool) -> str:
    """Why an output would be ``name`` × the reference, in the declared reduction; ``mean``:
    the output is a batch-mean quantity or its gradient, with no other output to tell a
    consistent convention from a slip."""
    if name == "N":
        if conv.reduction == "sum":
            return "an extra factor N (a loss summed over the batch has no 1/N, and no N)"
        return ("a missing 1/N (the batch mean's 1/N belongs in the output delta, once)"
                + ("; if your loss is a sum over the batch, " + declare_hint("reduction", "sum")
                   if mean else ""))
    if name == "1/N":
        if conv.reduction == "sum":
            return ("a 1/N: the batch mean's, but the loss is declared summed over the batch"
                    + ("; if your loss is a mean, " + declare_hint("reduction", "mean")
                       if mean else ""))
        return "an extra 1/N (divided by N twice, or once more after the output delta)"
    return {"2": "an extra 2 (MSE without its ½, or the derivative of a square kept whole)",
            "1/2": "a stray ½ (the ½ of MSE or L2 kept in a derivative)",
            "1/K": "the mean over all N·K entries (np.mean of the elementwise loss), where the "
                   "loss sums over the K outputs of an example and averages over the N "
                   "examples",
            "2/K": "np.mean((a − y)²) over all N·K entries: no ½, and a mean over the K "
                   "outputs as well as the N examples"}[name]


def output_models(outputs: list, ref: Callable[[Case], dict], conv: Conventions, *,
                  mean: bool = False) -> list[Model]:
    """Sign and scale of one output, everything else as the reference.  The factors 1/K
    and 2/K (a mean over every entry) only where the output carries a batch mean."""
    models = []
    names = FACTORS if mean else FACTORS[:4]
    for o in outputs:
        models.append(Model("sign", o, f"{o} is the negative of the reference (e.g. Y − A "
                            "instead of A − Y)", tweak(ref, o, lambda v, c: -v)))
        for name in names:
            models.append(Model("scale", o, f"{o} is {name} × the reference: "
                                + _cause(name, conv, mean),
                                tweak(ref, o, lambda v, c, n=name: factor(n, c) * v)))
    return models


def scale_models(steps: list, slipped: Callable, conv: Conventions, *, top: str) -> list[Model]:
    """Sign and scale of one step of a network, carried through the rest of the backward
    pass: ``slipped(at=step, f=…)`` recomputes it.  The mean-over-entries factors at the
    output delta ``top`` and the loss only."""
    models = []
    for s in steps:
        models.append(Model("sign", s, f"{s} is the negative of the reference"
                            + (" (e.g. Y − A instead of A − Y)" if s == top else ""),
                            slipped(at=s, f=lambda v, c: -v)))
        for name in (FACTORS if s in (top, "loss") else FACTORS[:4]):
            models.append(Model("scale", s, f"{s} is {name} × the reference: "
                                + _cause(name, conv, False),
                                slipped(at=s, f=lambda v, c, n=name: factor(n, c) * v)))
    return models


def tweak(ref: Callable[[Case], dict], o: str, f: Callable) -> Callable[[Case], dict]:
    """The reference with output ``o`` replaced by ``f(value, case)``."""
    def compute(c):
        out = dict(ref(c))
        out[o] = f(np.asarray(out[o]), c)
        return out
    return compute


def form(ref: Callable[[Case], dict], o: str, fn: Callable[[Case], Any]) -> Callable:
    """The reference with output ``o`` replaced by ``fn(case)``."""
    def compute(c):
        out = dict(ref(c))
        out[o] = fn(c)
        return out
    return compute


# =========================================================================== diagnosing
def _comparable(ev: Evidence) -> list:
    return [o for o in ev.returned if o in ev.rows and not np.isnan(ev.rows[o].rel_error)]


def _rank(ev: Evidence) -> Callable[[Model], tuple]:
    order = ev.order
    return lambda m: (order.index(m.step) if m.step in order else len(order),
                      KINDS.index(m.kind))


def best_model(ev: Evidence, models: list) -> Model | None:
    """The model that explains every compared output, preferring the earliest step and
    then the order of `KINDS`; None when no single one does."""
    full = sorted((m for m in models if ev.explains(m, _comparable(ev))), key=_rank(ev))
    return full[0] if full else None


def diagnose(ev: Evidence, models: list, failing: list) -> list[Diagnosis]:
    """The slips that explain the ``failing`` outputs: one model for all of them when one
    exists, else each output's own (or ``unstable``/``other``)."""
    rank = _rank(ev)
    full = sorted((m for m in models if ev.explains(m, _comparable(ev))), key=rank)
    if full:
        best = full[0]
        same = [m for m in full if m.kind == best.kind]
        steps = list(dict.fromkeys(m.step for m in same))
        shown = failing[0] if best.step not in ev.returned else best.step
        msg = best.message
        if best.step not in ev.returned:
            msg += (f" [first wrong step: {' or '.join(steps)}, not returned; "
                    f"seen first in {shown}]")
        elif len(steps) > 1:
            msg += f" [first wrong step: {' or '.join(steps)}]"
        others = sorted({m.kind for m in full} - {best.kind}, key=KINDS.index)
        if others:
            msg += f" (also consistent with: {', '.join(others)})"
        return [Diagnosis(shown, best.kind, msg, best.erratum)]

    out: list[Diagnosis] = []
    unstable = [o for o in failing if _unstable_only(ev, o)]
    if unstable:
        o = unstable[0]
        k = _first_nonfinite_case(ev, o)
        also = f" (also in {', '.join(unstable[1:])})" if len(unstable) > 1 else ""
        out.append(Diagnosis(o, "unstable", f"{o} is nan/inf on case {ev.cases[k].label} "
                             f"where the reference is finite{also}, and right everywhere "
                             "else: an intermediate overflows at extreme inputs (exp of a "
                             "large number); compute it in a stable form"))
    left = [o for o in failing if o not in unstable]
    while left:
        o = left.pop(0)
        # a slip at this very output first: an upstream one would explain more than seen
        local = sorted((m for m in models if ev.explains(m, [o])),
                       key=lambda m: (m.step != o, rank(m)))
        if local:
            m = local[0]
            out.append(Diagnosis(o, m.kind, m.message + " (the other outputs do not follow "
                                 "from this slip alone: something else differs too)",
                                 m.erratum))
            left = [x for x in left if not ev.explains(m, [x])]
        else:
            out.append(Diagnosis(o, "other", other_message(ev, o)))
    return out


def _unstable_only(ev: Evidence, o: str) -> bool:
    """nan/inf only on extreme-input cases where the reference is finite, and within the
    bound on every finite entry and every other case."""
    seen = False
    for k in ev.accepted:
        if (o, k) in ev.skip:
            continue
        got, want = ev.user[k][o], ev.expected(k, o)
        bad = ~np.isfinite(got) & np.isfinite(want)
        if bad.any():
            if "large" not in ev.cases[k].tags:
                return False
            seen = True
            keep = np.isfinite(got) & np.isfinite(want)
            if keep.any() and compare(got[keep], want[keep])[1] > ev.bound:
                return False
        elif compare(got, want)[1] > ev.bound:
            return False
    return seen


def _first_nonfinite_case(ev: Evidence, o: str) -> int:
    return next(k for k in ev.accepted
                if (~np.isfinite(ev.user[k][o]) & np.isfinite(ev.expected(k, o))).any())


def other_message(ev: Evidence, o: str) -> str:
    """What is known about an output no model explains, quoting the table's figures."""
    row: Row = ev.rows[o]
    for k in ev.accepted:
        got, want = ev.user[k][o], ev.expected(k, o)
        if not np.isfinite(got).all() and np.isfinite(want).all():
            return (f"{o} is nan/inf on case {ev.cases[k].label} where the reference is "
                    "finite, and no listed slip reproduces it")
    worst = max(ev.accepted, key=lambda k: compare(ev.user[k][o], ev.expected(k, o))[1])
    return (f"{o} differs from the reference by up to {fmt(row.max_abs_error)} (relative "
            f"{fmt(row.rel_error)}; worst on case {ev.cases[worst].label}); no single slip "
            "in the checker's list explains it")


def shape_diagnosis(o: str, want: np.ndarray, got: np.ndarray, layout: str,
                    forms: list, ev: Evidence | None = None, role: str = "W") -> Diagnosis:
    """A wrong shape: a transpose, a recognisable form of the user's shape (``forms``:
    ``(kind, message, compute(case) -> array in the user's shape)``), or just the shape."""
    if ev is not None:
        for kind, message, compute in forms:
            if all(_form_matches(ev, o, k, compute) for k in ev.accepted):
                return Diagnosis(o, kind, f"{o} has shape {got.shape}, expected "
                                 f"{want.shape}: {message}")
    if got.shape == want.shape[::-1] and want.ndim == 2:
        if matches(got.T, want):
            if role in ("W", "b"):
                why = ("W is (fan_out, fan_in) and b (fan_out, 1) in the columns layout"
                       if layout == "columns" else "W is (fan_in, fan_out) in the rows layout: "
                       "dW = A_prevᵀ δ")
            else:
                why = ("the examples are columns in the columns layout" if layout == "columns"
                       else "the examples are rows in the rows layout")
            return Diagnosis(o, "transpose", f"{o} is the transpose of the reference "
                             f"(shape {got.shape}, expected {want.shape}): {why}")
        return Diagnosis(o, "transpose", f"{o} has the transposed shape {got.shape} of "
                         f"the reference's {want.shape} (and its values differ as well)")
    same = got.size == want.size and matches(got.reshape(want.shape), want)
    return Diagnosis(o, "shape", f"{o} has shape {got.shape}, expected {want.shape}"
                     + ("; the values match after a reshape" if same else ""))


def _form_matches(ev: Evidence, o: str, k: int, compute: Callable) -> bool:
    try:
        with np.errstate(all="ignore"):
            want = np.asarray(compute(ev.cases[k]), dtype=np.float64)
    except Exception:                                              # noqa: BLE001
        return False
    return matches(ev.user[k][o], want, ev.bound)
