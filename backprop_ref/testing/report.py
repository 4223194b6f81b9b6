r"""What the checker answers: `CheckReport`, its `Row` s and `Diagnosis` es, the kinds and
the bounds.

An output agrees with the reference when

$$
\max|\text{ours} - \text{theirs}| \le \text{bound}\cdot\max(1, \max|\text{theirs}|)
$$

with ``bound`` = `BOUND` (1e-12) in float64 and `BOUND_FLOAT32` (1e-5) when the user's
outputs are float32 or float16 (nan and inf entries agree with nan and inf entries).

`CheckReport.to_dict` (and `CheckReport.to_json`) is a stable interface for programs (the
grader codes against it).  Its keys:

- ``function`` (str): the checked function's name; ``against`` (str): the target as given;
  ``reference`` (str): the reference's public name (``"two_layer.loss_and_grads"``), or
  ``"central differences"`` for `check_gradient`.
- ``layout`` (``"rows"`` | ``"columns"``), ``l2`` (``"half"`` | ``"sum"``), ``reduction``
  (``"mean"`` | ``"sum"``): the declared conventions; ``conventions`` (list of str): those
  the target uses (``["layout", "l2", "reduction"]`` for D17).
- ``call`` (str): the call the checker makes and what it expects back, e.g.
  ``"fn(params, X, y, reg=…) -> (loss, grads) | Result | dict"``.
- ``ok`` (bool): every compared output agrees and no slip was found.  Warnings never make
  it false; an ``error`` always does.
- ``error`` (str or null): one line, when the function raised, accepted no case or returned
  something that is not what ``call`` says; ``raised`` (bool): that error is an exception
  the function raised (the command line exits 2 for it).
- ``tried`` (list of str): the cases compared; ``refused`` (list of str): ``"form: reason"``
  for each form or option the function does not take (never a slip).
- ``bound`` (float): the comparison bound used.
- ``rows`` (list of dict): one per compared output, in computation order: ``output``,
  ``max_abs_error`` and ``rel_error`` (numbers; the string ``"inf"`` when nan/inf entries
  sit where the reference's are finite; null when the shapes differ and nothing was
  compared), ``ok`` (bool), ``note`` (str), ``warning`` (the kind of a warning on this
  output, or ``""``).
- ``diagnoses`` (list of dict): the slips, each ``{output, kind, message, erratum}``;
  ``erratum`` is ``"E1"`` … ``"E10"`` or null.
- ``warnings`` (list of dict): the same fields; kinds ``unstable`` and ``precision``.
- ``self_consistent`` (true | false | null): whether the user's gradients are the
  derivative of the user's own loss (null: no loss returned, or nothing to difference);
  ``self_consistency`` (str): the one line that says so.

`CheckReport.from_dict` rebuilds a report from that dict, and ``str`` of the rebuilt report
is the same text.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

__all__ = ["CheckReport", "Diagnosis", "Row", "KINDS", "WARNING_KINDS", "BOUND",
           "BOUND_FLOAT32", "compare", "matches"]

#: The diagnosis kinds (stable identifiers), in the order the checker prefers them when two
#: explain the same outputs.  ``precision`` is a warning only; ``unstable`` is a warning when
#: only a loss value is off at extreme logits, and a slip when a gradient is.
KINDS = ("erratum", "relu_at_zero", "missing_activation_derivative", "wrong_layer",
         "wrong_axis", "missing_reg", "reg_scale", "regularised_bias", "unstable", "sign",
         "scale", "transpose", "shape", "other", "precision")

#: The kinds a warning can have: a warning never fails ``ok``.
WARNING_KINDS = ("unstable", "precision")

#: The agreement bound in float64: max|ours − theirs| ≤ BOUND · max(1, max|theirs|).
BOUND = 1e-12

#: The bound when the user's outputs are float32 or float16.
BOUND_FLOAT32 = 1e-5


class Diagnosis(NamedTuple):
    """One slip (or warning) the checker confirmed.

    output: the output it is seen in (``"dW2"``, ``"dZ"``, …), the first wrong step.
    kind: one of `KINDS`.
    message: what is wrong, the factor or form, and the likely cause.
    erratum: the id of the notes' erratum (``"E9"``) the output reproduces, else None.
    """

    output: str
    kind: str
    message: str
    erratum: str | None = None


class Row(NamedTuple):
    """One compared output: the largest error over the cases it was compared on.

    ``rel_error`` is max|ours − theirs| / max(1, max|theirs|), inf where nan/inf entries
    sit where the reference's are finite, nan when the shapes differ.  ``warning`` is the
    kind of a warning on this output (its row is ok), else ``""``.
    """

    output: str
    max_abs_error: float
    rel_error: float
    ok: bool
    note: str = ""
    warning: str = ""

    @property
    def passed(self) -> bool:
        """The same as ``ok``."""
        return self.ok

    @property
    def result(self) -> str:
        """``"ok"``, ``"warn"`` (ok, with a warning) or ``"FAIL"``."""
        return ("warn" if self.warning else "ok") if self.ok else "FAIL"


@dataclass
class CheckReport:
    """What `check` (or `check_gradient`) found.  ``str(report)`` is a readable table;
    `to_dict` is JSON-able (its keys are listed in this module's docstring)."""

    function: str
    against: str
    reference: str
    layout: str = "rows"
    ok: bool = False
    rows: list = field(default_factory=list)
    diagnoses: list = field(default_factory=list)
    tried: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    error: str | None = None          # one line: the function raised or returned garbage
    raised: bool = False              # the error is an exception raised by the function
    # (the fields above keep their order: code may build a report positionally)
    l2: str = "half"
    reduction: str = "mean"
    conventions: list = field(default_factory=list)
    call: str = ""
    warnings: list = field(default_factory=list)
    bound: float = BOUND
    self_consistent: bool | None = None
    self_consistency: str = ""

    def __bool__(self) -> bool:
        return self.ok

    # ------------------------------------------------------------------ dict / JSON
    def to_dict(self) -> dict:
        """The report as plain JSON types; the keys are stable (see the module docstring)."""
        return {
            "function": self.function, "against": self.against, "reference": self.reference,
            "layout": self.layout, "l2": self.l2, "reduction": self.reduction,
            "conventions": list(self.conventions), "call": self.call,
            "ok": self.ok, "error": self.error, "raised": self.raised,
            "tried": list(self.tried), "refused": list(self.refused), "bound": self.bound,
            "rows": [{"output": r.output, "max_abs_error": _json_float(r.max_abs_error),
                      "rel_error": _json_float(r.rel_error), "ok": r.ok, "note": r.note,
                      "warning": r.warning} for r in self.rows],
            "diagnoses": [d._asdict() for d in self.diagnoses],
            "warnings": [d._asdict() for d in self.warnings],
            "self_consistent": self.self_consistent,
            "self_consistency": self.self_consistency,
        }

    def to_json(self) -> str:
        """`to_dict` as an indented JSON document."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict) -> CheckReport:
        """The report `to_dict` describes (a record of an earlier run, a grader's JSON)."""
        rows = [Row(r["output"], _from_json_float(r["max_abs_error"]),
                    _from_json_float(r["rel_error"]), r["ok"], r.get("note", ""),
                    r.get("warning", "")) for r in d.get("rows", [])]
        return cls(d["function"], d["against"], d["reference"], d.get("layout", "rows"),
                   ok=d["ok"], rows=rows,
                   diagnoses=[Diagnosis(**x) for x in d.get("diagnoses", [])],
                   tried=list(d.get("tried", [])), refused=list(d.get("refused", [])),
                   error=d.get("error"), raised=d.get("raised", False),
                   l2=d.get("l2", "half"), reduction=d.get("reduction", "mean"),
                   conventions=list(d.get("conventions", [])), call=d.get("call", ""),
                   warnings=[Diagnosis(**x) for x in d.get("warnings", [])],
                   bound=d.get("bound", BOUND), self_consistent=d.get("self_consistent"),
                   self_consistency=d.get("self_consistency", ""))

    # ------------------------------------------------------------------ text
    def header(self) -> str:
        """The first line: what was checked against what, in which conventions."""
        conv = ", ".join(f"{name} {getattr(self, name)}" for name in self.conventions)
        return (f"check {self.function} against {self.against} ({self.reference})"
                + (f", {conv}" if conv else ""))

    def verdict(self) -> str:
        """One line: the verdict and every diagnosis (what pytest's summary shows)."""
        if self.ok:
            return "ok" + (f" ({_warnings_count(self.warnings)})" if self.warnings else "")
        if self.error and not self.diagnoses:
            return f"FAIL: error: {self.error}"
        return "FAIL: " + "; ".join(f"{d.output}: [{_tag(d)}] {d.message}"
                                    for d in self.diagnoses)

    def __str__(self) -> str:
        lines = [self.header()]
        if self.call:
            lines.append(f"the checker calls {self.call}")
        if self.tried:
            lines.append(f"cases tried: {len(self.tried)}")
            lines += [f"  {t}" for t in self.tried]
        if self.refused:
            lines.append("refused (not a slip):")
            lines += [f"  {r}" for r in self.refused]
        if self.rows:
            w = max(6, *(len(r.output) for r in self.rows))
            lines.append(f"{'output':<{w}}  {'max abs err':>11}  {'rel err':>9}  result")
            for r in self.rows:
                lines.append(f"{r.output:<{w}}  {fmt(r.max_abs_error):>11}  "
                             f"{fmt(r.rel_error):>9}  {r.result}"
                             + (f"  ({r.note})" if r.note else ""))
        if self.error:
            lines.append(f"error: {self.error}")
        for title, items in (("diagnoses", self.diagnoses), ("warnings", self.warnings)):
            if items:
                lines.append(f"{title}:")
                lines += [f"  {d.output}: [{_tag(d)}] {d.message}" for d in items]
        if self.self_consistency:
            lines.append(f"self-consistent: {self.self_consistency}")
        if self.ok:
            lines.append("result: ok, every output matches the reference"
                         + (f" ({_warnings_count(self.warnings)} above)" if self.warnings
                            else ""))
        else:
            lines.append("result: FAIL")
        return "\n".join(lines)


def _tag(d: Diagnosis) -> str:
    return f"{d.kind} {d.erratum}" if d.erratum else d.kind


def _warnings_count(ws: list) -> str:
    return f"{len(ws)} warning" + ("s" if len(ws) > 1 else "")


def fmt(x: Any) -> str:
    """A figure as the report prints it: ``1.2e-16``, ``inf``, ``-`` (not compared)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if x == math.inf:
        return "inf"
    return f"{x:.1e}"


def _json_float(x: float) -> float | str | None:
    if x is None or math.isnan(x):
        return None
    return "inf" if math.isinf(x) else float(x)


def _from_json_float(x: Any) -> float:
    if x is None:
        return math.nan
    return math.inf if x == "inf" else float(x)


# =========================================================================== comparing
def compare(got: np.ndarray, want: np.ndarray) -> tuple[float, float]:
    """max|got − want| and that over max(1, max|want|), both float64; inf when the finite
    masks differ (nan/inf entries agree with any nan/inf entry)."""
    with np.errstate(all="ignore"):
        fg, fw = np.isfinite(got), np.isfinite(want)
        if not np.array_equal(fg, fw):
            return math.inf, math.inf
        if not fw.any():
            return 0.0, 0.0
        d = float(np.max(np.abs(got[fg] - want[fw])))
        scale = max(1.0, float(np.max(np.abs(want[fw]))))
    return d, d / scale


def matches(got: Any, want: Any, bound: float = BOUND) -> bool:
    """Whether ``got`` has the shape of ``want`` and agrees with it within ``bound``."""
    if got is None or want is None or np.shape(got) != np.shape(want):
        return False
    return compare(np.asarray(got, dtype=np.float64),
                   np.asarray(want, dtype=np.float64))[1] <= bound
