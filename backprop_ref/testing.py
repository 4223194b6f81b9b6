r"""Check your own backprop against the reference, and name the slip when it disagrees.

In the spirit of `numpy.testing`: NumPy and the standard library only.

    >>> from backprop_ref import testing
    >>> rep = testing.check(my_loss_and_grads, "D17")          # or "two_layer.loss_and_grads"
    >>> rep.ok, rep.rows, rep.diagnoses
    >>> print(rep)
    >>> testing.assert_matches_reference(my_loss_and_grads, "D17", layout="columns")

`check` feeds ``fn`` the same arguments as the reference function named by ``against``, on
cases chosen to expose the usual slips (N = 1 and N > 1, ``reg = 0`` and ``reg > 0``,
pre-activations exactly 0, large finite logits, integer labels, one-hot and soft rows,
non-square weights), and compares every output it returns with the reference:

$$
\max|\text{ours} - \text{theirs}| \le 10^{-12}\cdot\max(1, \max|\text{theirs}|)
$$

in float64 (the project's agreement bound).  When an output disagrees, each candidate slip
is **recomputed**: the reference is run again with that one slip (a sign, a factor, the
ReLU mask at 0, a dropped ``g'(z)``, another layer's weights, the L2 term missing or
doubled or applied to a bias, an unshifted softmax, or one of the notes' errata read from
`backprop_ref.errata`), and a kind is named only when that recomputation matches the
user's outputs within the same bound on every case.  Otherwise the kind is ``other``.

Diagnosis kinds (stable identifiers): see `KINDS`.

``layout="columns"`` is Nielsen's convention: ``W`` of shape (fan_out, fan_in), ``b`` of
shape (fan_out, 1), examples as columns (``X`` is (D, N), deltas (K, N)); integer labels
stay (N,).  The checker converts on the way in and out and reports in the user's shapes.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

# the public names only (the package's own namespace, whatever module defines them)
from . import (
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    cross_entropy_grad,
    cross_entropy_with_logits,
    delta_bce_sigmoid,
    delta_ce_softmax,
    delta_ce_softmax_jacobian,
    delta_mse_identity,
    delta_mse_sigmoid,
    dense_backward,
    dense_forward,
    hidden_delta,
    l2_grad,
    mlp,
    mse,
    mse_grad,
    one_hot,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_prime,
    two_layer,
)
from . import errata as _errata_registry

__all__ = ["check", "assert_matches_reference", "CheckReport", "Diagnosis", "Row",
           "KINDS", "BOUND", "targets", "resolve"]

#: The diagnosis kinds, in the order the checker prefers them when two explain the same.
KINDS = ("erratum", "relu_at_zero", "missing_activation_derivative", "wrong_layer",
         "missing_reg", "reg_scale", "regularised_bias", "unstable", "sign", "scale",
         "transpose", "shape", "other")

#: The agreement bound: max|ours − theirs| ≤ BOUND · max(1, max|theirs|), float64.
BOUND = 1e-12


class Diagnosis(NamedTuple):
    """One slip the checker confirmed.

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
    """One compared output: the largest error over the cases it was compared on."""

    output: str
    max_abs_error: float
    rel_error: float          # max|ours − theirs| / max(1, max|theirs|); passes at ≤ 1e-12
    ok: bool
    note: str = ""

    @property
    def passed(self) -> bool:
        """The same as ``ok``: max|ours − theirs| ≤ 1e-12 · max(1, max|theirs|)."""
        return self.ok


@dataclass
class CheckReport:
    """What `check` found.  ``str(report)`` is a readable table; `to_dict` is JSON-able."""

    function: str
    against: str
    reference: str
    layout: str
    ok: bool = False
    rows: list = field(default_factory=list)
    diagnoses: list = field(default_factory=list)
    tried: list = field(default_factory=list)
    refused: list = field(default_factory=list)
    error: str | None = None          # one line: the function raised or returned garbage
    raised: bool = False              # the error is an exception raised by the function

    def __bool__(self) -> bool:
        return self.ok

    def to_dict(self) -> dict:
        return {
            "function": self.function, "against": self.against, "reference": self.reference,
            "layout": self.layout, "ok": self.ok, "error": self.error, "raised": self.raised,
            "tried": list(self.tried), "refused": list(self.refused),
            "rows": [{"output": r.output, "max_abs_error": _json_float(r.max_abs_error),
                      "rel_error": _json_float(r.rel_error), "ok": r.ok, "note": r.note}
                     for r in self.rows],
            "diagnoses": [d._asdict() for d in self.diagnoses],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def __str__(self) -> str:
        lines = [f"check {self.function} against {self.against} ({self.reference}), "
                 f"layout {self.layout}"]
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
                lines.append(f"{r.output:<{w}}  {_fmt(r.max_abs_error):>11}  "
                             f"{_fmt(r.rel_error):>9}  {'ok' if r.ok else 'FAIL'}"
                             + (f"  ({r.note})" if r.note else ""))
        if self.error:
            lines.append(f"error: {self.error}")
        if self.diagnoses:
            lines.append("diagnoses:")
            for d in self.diagnoses:
                tag = f"{d.kind} {d.erratum}" if d.erratum else d.kind
                lines.append(f"  {d.output}: [{tag}] {d.message}")
        lines.append("result: " + ("ok, every output matches the reference" if self.ok
                                   else "FAIL"))
        return "\n".join(lines)


def _fmt(x) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    if x == math.inf:
        return "inf"
    return f"{x:.1e}"


def _json_float(x):
    return None if x is None or not math.isfinite(x) else float(x)


# =========================================================================== cases
@dataclass
class _Case:
    label: str
    group: str                 # refusals are per group: "labels", "soft rows", "tanh, …"
    inputs: dict               # row layout
    N: int
    tags: tuple = ()           # "zeros", "large", "reg"


class _BadReturn(Exception):
    pass


# conversions between the row layout and the user's layout, by the role of an array
def _to_user(role: str, x, layout: str):
    if layout == "rows" or role in ("scalar", "labels", "jac", "str"):
        return x
    x = np.asarray(x)
    if role in ("batch", "W"):
        return x.T
    if role == "b":
        return x[:, None]
    raise AssertionError(role)


def _targets_in(y, layout):
    y = np.asarray(y)
    return y if y.ndim == 1 else _to_user("batch", y, layout)


def _params_in(params, layout):
    return {k: _to_user("W" if k[0] == "W" else "b", v, layout) for k, v in params.items()}


# =========================================================================== comparing
def _compare(ours: np.ndarray, theirs: np.ndarray) -> tuple[float, float]:
    """max|ours − theirs| and that over max(1, max|theirs|); inf when the finite masks
    differ (nan/inf entries match any nan/inf entry)."""
    fo, ft = np.isfinite(ours), np.isfinite(theirs)
    if not np.array_equal(fo, ft):
        return math.inf, math.inf
    if not fo.any():
        return 0.0, 0.0
    d = float(np.max(np.abs(ours[fo] - theirs[fo])))
    scale = max(1.0, float(np.max(np.abs(theirs[ft]))))
    return d, d / scale


def _matches(ours, theirs) -> bool:
    if ours is None or np.shape(ours) != np.shape(theirs):
        return False
    with np.errstate(all="ignore"):
        return _compare(np.asarray(ours, dtype=np.float64), theirs)[1] <= BOUND


# =========================================================================== models
@dataclass
class _Model:
    kind: str
    step: str                            # the first output it changes
    message: str
    compute: Callable[[_Case], dict]     # the slipped reference's outputs, row layout
    erratum: str | None = None


_FACTORS = (("N", "a missing 1/N (the batch mean's 1/N belongs in the output delta, once)"),
            ("1/N", "an extra 1/N (divided by N twice, or once more after the output delta)"),
            ("2", "an extra 2 (MSE without its ½, or the derivative of a square kept whole)"),
            ("1/2", "a stray ½ (the ½ of MSE or L2 kept in a derivative)"))


def _factor(name: str, N: int) -> float:
    return {"N": float(N), "1/N": 1.0 / N, "2": 2.0, "1/2": 0.5}[name]


def _output_models(outputs: list[str], ref: Callable[[_Case], dict]) -> list[_Model]:
    """Sign and scale of one output, the rest as the reference."""
    models = []
    for o in outputs:
        models.append(_Model("sign", o, f"{o} is the negative of the reference (e.g. Y − A "
                             "instead of A − Y)", _tweak(ref, o, lambda v, c: -v)))
        for name, cause in _FACTORS:
            models.append(_Model("scale", o, f"{o} is {name} × the reference: {cause}",
                                 _tweak(ref, o, lambda v, c, n=name: _factor(n, c.N) * v)))
    return models


def _tweak(ref, o, f):
    def compute(c):
        out = dict(ref(c))
        out[o] = f(np.asarray(out[o]), c)
        return out
    return compute


def _form(ref, o, form):
    def compute(c):
        out = dict(ref(c))
        out[o] = form(c)
        return out
    return compute


# =========================================================================== targets
@dataclass(frozen=True)
class _Target:
    ids: tuple
    name: str
    cases: Callable[[np.random.Generator], list]
    call: Callable                     # call(fn, case, layout) -> raw
    parse: Callable                    # parse(raw, case) -> {output: ndarray (user layout)}
    reference: Callable                # reference(case) -> {output: ndarray (row layout)}
    roles: Callable                    # roles(output) -> role for layout conversion
    order: Callable                    # order(case) -> outputs in computation order
    models: Callable                   # models(cases) -> list[_Model]


def _one_array(name):
    def parse(raw, case):
        return {name: _as_float_array(raw, "the result")}
    return parse


def _as_float_array(x, what) -> np.ndarray:
    if isinstance(x, (str, bytes, dict)) or x is None:
        raise _BadReturn(f"{what} is a {type(x).__name__}, expected an array")
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise _BadReturn(f"{what} is a {type(x).__name__}, not an array of numbers") from None
    return a


def _rng_z(rng, N, K, scale=2.0):
    return scale * rng.standard_normal((N, K))


def _label_forms(rng, N, K, labels):
    soft = 0.7 * one_hot(labels, K) + 0.3 * rng.dirichlet(np.ones(K), size=N)
    return {"integer labels": labels, "one-hot rows": one_hot(labels, K), "soft rows": soft}


# ---------------------------------------------------------------- array (one-step) targets
def _z_cases(rng, *, y=None, zeros=False, large=False, K=3, probs=False):
    """Cases for f(z[, y]): N = 4 and N = 1, K ≠ N, exact zeros and large logits on demand."""
    out = []
    for N in (4, 1, 5):
        z = _rng_z(rng, N, K)
        tags = ()
        if zeros and N > 1:
            z.flat[:: 3] = 0.0
            tags = ("zeros",)
        labels = rng.integers(0, K, N)
        if probs:
            z = rng.uniform(0.05, 0.95, size=(N, K)) if y != "classes" else softmax(z)
        forms = {"targets": None}
        if y == "classes":
            forms = _label_forms(rng, N, K, labels)
        elif y == "real":
            forms = {"targets": rng.uniform(0, 1, size=(N, K))}
        for form, yy in forms.items():
            inputs = {"z": z} if y is None else {"z": z, "y": yy}
            out.append(_Case(f"N={N}, K={K}" + (f", {form}" if y else "")
                             + (", z has exact zeros" if tags else ""),
                             form if y else "z", inputs, N, tags))
    if large:
        z = _rng_z(rng, 4, K) + np.array([900.0, 0.0, -900.0])[:K]
        labels = np.array([1, 2, 0, 1])[:4] % K
        forms = _label_forms(rng, 4, K, labels) if y == "classes" else {"targets": None}
        for form, yy in forms.items():
            inputs = {"z": z} if y is None else {"z": z, "y": yy}
            out.append(_Case(f"N=4, K={K}, large finite logits (|z| ≈ 900)"
                             + (f", {form}" if y else ""), form if y else "z", inputs, 4,
                             ("large",)))
    return out


def _call_z(fn, c, layout):
    args = [_to_user("batch", c.inputs["z"], layout)]
    if "y" in c.inputs:
        args.append(_targets_in(c.inputs["y"], layout))
    return fn(*args)


def _unshifted_softmax(z):
    with np.errstate(all="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


def _Y(c, K):
    y = np.asarray(c.inputs["y"])
    return one_hot(y, K) if y.ndim == 1 else y


def _array_target(ids, name, out, ref, *, y=None, zeros=False, large=False, probs=False,
                  extra=(), role="batch", sign_scale=True):
    def reference(c):
        return {out: ref(c)}

    def models(cases):
        ms = _output_models([out], reference) if sign_scale else []
        for kind, msg, form, eid in extra:
            ms.append(_Model(kind, out, msg, _form(reference, out, form), eid))
        return ms

    return _Target(ids, name,
                   lambda rng: _z_cases(rng, y=y, zeros=zeros, large=large, probs=probs),
                   _call_z, _one_array(out), reference, lambda o: role, lambda c: [out],
                   models)


def _e(eid):
    return _errata_registry.get(eid)


def _erratum_model_text(eid):
    e = _e(eid)
    return f"erratum {e.id} (note {e.note}): {e.title}; the note writes {e.literal}, correct is {e.corrected}"


_UNSTABLE_SOFTMAX = ("nan/inf on large finite logits where the reference is finite: softmax "
                     "without subtracting the row max, so exp overflows; subtract "
                     "z.max(axis=1, keepdims=True) first")


def _ce_delta_unstable(c):
    A = _unshifted_softmax(c.inputs["z"])
    return (A - _Y(c, A.shape[1])) / A.shape[0]


def _ce_delta_jac_e8(c):
    z = c.inputs["z"]
    A, Y = softmax(z), _Y(c, z.shape[1])
    J = _e("E8").literal_form(z=z)
    return np.einsum("nik,ni->nk", J, -Y / (z.shape[0] * A))


_ARRAY_TARGETS = [
    _array_target(("D1",), "sigmoid_prime", "dsigma", lambda c: sigmoid_prime(c.inputs["z"]),
                  extra=[("missing_activation_derivative", "returns σ(z) itself, not σ'(z) = "
                          "σ(z)(1 − σ(z))", lambda c: sigmoid(c.inputs["z"]), None)]),
    _array_target(("D2",), "relu_prime", "drelu", lambda c: relu_prime(c.inputs["z"]),
                  zeros=True, extra=[("relu_at_zero", "relu'(0) is 1 here; it is 0 (torch and "
                                      "JAX): use z > 0, not z >= 0",
                                      lambda c: _e("E6").literal_form(
                                          z=c.inputs["z"], g=np.ones_like(c.inputs["z"])),
                                      "E6")]),
    _array_target(("D3",), "softmax", "A", lambda c: softmax(c.inputs["z"]), large=True,
                  extra=[("unstable", _UNSTABLE_SOFTMAX,
                          lambda c: _unshifted_softmax(c.inputs["z"]), None)]
                  + [("erratum", _erratum_model_text(eid),
                      lambda c, eid=eid: _e(eid).literal_form(z=c.inputs["z"]), eid)
                     for eid in ("E1", "E2")]),
    _array_target(("D4",), "softmax_jacobian", "J", lambda c: softmax_jacobian(c.inputs["z"]),
                  role="jac", extra=[("erratum", _erratum_model_text("E8"),
                                      lambda c: _e("E8").literal_form(z=c.inputs["z"]),
                                      "E8")]),
    _array_target(("D6",), "mse_grad", "dA", lambda c: mse_grad(c.inputs["z"], c.inputs["y"]),
                  y="real"),
    _array_target(("D7",), "cross_entropy_grad", "dA",
                  lambda c: cross_entropy_grad(c.inputs["z"], c.inputs["y"]), y="classes",
                  probs=True),
    _array_target(("D8",), "binary_cross_entropy_grad", "dA",
                  lambda c: binary_cross_entropy_grad(c.inputs["z"], c.inputs["y"]), y="real",
                  probs=True),
    _array_target(("D9",), "delta_mse_sigmoid", "dZ",
                  lambda c: delta_mse_sigmoid(c.inputs["z"], c.inputs["y"]), y="real",
                  extra=[("missing_activation_derivative",
                          "matches (A − Y)/N: σ'(z) is dropped; with MSE it does not cancel "
                          "(only cross-entropy cancels it)",
                          lambda c: mse_grad(sigmoid(c.inputs["z"]), c.inputs["y"]), None)]),
    _array_target(("D10",), "delta_bce_sigmoid", "dZ",
                  lambda c: delta_bce_sigmoid(c.inputs["z"], c.inputs["y"]), y="real"),
    _array_target(("D11",), "delta_ce_softmax", "dZ",
                  lambda c: delta_ce_softmax(c.inputs["z"], c.inputs["y"]), y="classes",
                  large=True, extra=[("unstable", _UNSTABLE_SOFTMAX, _ce_delta_unstable, None)]),
    _array_target(("D12",), "delta_ce_softmax_jacobian", "dZ",
                  lambda c: delta_ce_softmax_jacobian(c.inputs["z"], c.inputs["y"]),
                  y="classes", extra=[("erratum", _erratum_model_text("E8"), _ce_delta_jac_e8,
                                       "E8")]),
]


# ---------------------------------------------------------------- D14 dense backward
def _dense_cases(rng):
    out = []
    for N in (4, 1):
        X, W = rng.standard_normal((N, 5)), rng.standard_normal((5, 3))
        out.append(_Case(f"N={N}, X ({N}, 5), W (5, 3)", "dense",
                         {"dZ": rng.standard_normal((N, 3)), "X": X, "W": W}, N))
    return out


def _dense_call(fn, c, layout):
    cache = (_to_user("batch", c.inputs["X"], layout), _to_user("W", c.inputs["W"], layout))
    return fn(_to_user("batch", c.inputs["dZ"], layout), cache)


def _dense_parse(raw, c):
    if not isinstance(raw, (tuple, list)) or len(raw) != 3:
        raise _BadReturn(f"the result is a {type(raw).__name__}"
                         + (f" of length {len(raw)}" if isinstance(raw, (tuple, list)) else "")
                         + ", expected the tuple (dX, dW, db)")
    return {k: _as_float_array(v, k) for k, v in zip(("dX", "dW", "db"), raw)}


def _dense_ref(c):
    dX, dW, db = dense_backward(c.inputs["dZ"], (c.inputs["X"], c.inputs["W"]))
    return {"dX": dX, "dW": dW, "db": db}


_DENSE = _Target(("D14",), "dense_backward", _dense_cases, _dense_call, _dense_parse, _dense_ref,
                 lambda o: {"dX": "batch", "dW": "W", "db": "b"}[o],
                 lambda c: ["dW", "db", "dX"],
                 lambda cases: _output_models(["dW", "db", "dX"], _dense_ref))


# ---------------------------------------------------------------- D15 hidden delta
_HIDDEN = {"relu": (relu, relu_prime), "sigmoid": (sigmoid, sigmoid_prime),
           "tanh": (tanh, tanh_prime)}


def _hidden_cases(rng):
    out = []
    for act in _HIDDEN:
        for N in (4, 1):
            z = rng.standard_normal((N, 5))
            tags = ()
            if act == "relu" and N > 1:
                z.flat[::3] = 0.0
                tags = ("zeros",)
            out.append(_Case(f"N={N}, activation={act}, W_next (5, 3)"
                             + (", z has exact zeros" if tags else ""), act,
                             {"delta_next": rng.standard_normal((N, 3)),
                              "W_next": rng.standard_normal((5, 3)), "z": z, "act": act},
                             N, tags))
    return out


def _hidden_call(fn, c, layout):
    args = [_to_user("batch", c.inputs["delta_next"], layout),
            _to_user("W", c.inputs["W_next"], layout), _to_user("batch", c.inputs["z"], layout)]
    if _accepts(fn, "activation", 3):
        return fn(*args, c.inputs["act"])
    if c.inputs["act"] != "relu":
        raise _Refused("no activation parameter")
    return fn(*args)


def _hidden_ref(c):
    i = c.inputs
    return {"dZ": hidden_delta(i["delta_next"], i["W_next"], i["z"], i["act"])}


def _hidden_models(cases):
    ms = _output_models(["dZ"], _hidden_ref)
    ms.append(_Model("missing_activation_derivative", "dZ",
                     "matches δ_next W_nextᵀ without ⊙ g'(z): the activation's derivative "
                     "(the ReLU mask) is dropped",
                     lambda c: {"dZ": c.inputs["delta_next"] @ c.inputs["W_next"].T}))
    ms.append(_Model("relu_at_zero", "dZ", "wrong only where z is exactly 0: relu'(0) is 1 "
                     "here; it is 0 (torch and JAX)",
                     lambda c: {"dZ": _e("E6").literal_form(
                         z=c.inputs["z"], g=c.inputs["delta_next"] @ c.inputs["W_next"].T)
                         if c.inputs["act"] == "relu" else _hidden_ref(c)["dZ"]}, "E6"))
    return ms


_HIDDEN_DELTA = _Target(("D15",), "hidden_delta", _hidden_cases, _hidden_call,
                        _one_array("dZ"), _hidden_ref, lambda o: "batch", lambda c: ["dZ"],
                        _hidden_models)


# ---------------------------------------------------------------- D16 l2 gradient
def _l2_cases(rng):
    return [_Case(f"W (5, 3), reg={r}", "l2", {"W": rng.standard_normal((5, 3)), "reg": r}, 1)
            for r in (0.1, 0.0, 2.5)]


_L2 = _Target(("D16",), "l2_grad", _l2_cases,
              lambda fn, c, layout: fn(_to_user("W", c.inputs["W"], layout), c.inputs["reg"]),
              _one_array("dW"), lambda c: {"dW": l2_grad(c.inputs["W"], c.inputs["reg"])},
              lambda o: "W", lambda c: ["dW"],
              lambda cases: [
                  _Model("reg_scale", "dW", "is 2·reg·W: the gradient of reg·ΣW² (CS231n "
                         "2017's convention); here the penalty is ½·reg·ΣW², gradient reg·W",
                         lambda c: {"dW": 2 * c.inputs["reg"] * c.inputs["W"]}),
                  _Model("reg_scale", "dW", "is ½·reg·W: the ½ of the penalty kept in its "
                         "gradient", lambda c: {"dW": 0.5 * c.inputs["reg"] * c.inputs["W"]}),
                  _Model("sign", "dW", "is −reg·W", lambda c: {"dW": -c.inputs["reg"]
                                                               * c.inputs["W"]})])


# ---------------------------------------------------------------- networks (D17, D18, D19)
_HEADS = ("softmax_ce", "sigmoid_bce", "sigmoid_mse", "identity_mse")


def _network_case(rng, sizes, N, reg, *, hidden="relu", head="softmax_ce", form="integer labels",
                  zeros=False, large=False, group=None):
    L = len(sizes) - 1
    params = {}
    for l in range(1, L + 1):
        params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l])) / np.sqrt(sizes[l - 1])
        params[f"b{l}"] = 0.5 * rng.standard_normal(sizes[l])      # biases ≠ 0
    X = rng.standard_normal((N, sizes[0]))
    tags = []
    if zeros and N > 1:
        X[0] = 0.0
        params["b1"][::2] = 0.0            # Z1[0, ::2] is exactly 0
        tags.append("zeros")
    if large:
        params[f"b{L}"] = params[f"b{L}"] + np.resize([900.0, 0.0, -900.0], sizes[-1])
        tags.append("large")
    K = sizes[-1]
    labels = np.arange(1, N + 1) % K
    if head == "softmax_ce":
        y = _label_forms(rng, N, K, labels)[form]
    else:
        y = rng.uniform(0, 1, size=(N, K)) if head == "sigmoid_bce" else rng.standard_normal(
            (N, K))
        form = "real targets"
    if reg:
        tags.append("reg")
    label = (f"N={N}, {'-'.join(map(str, sizes))}, {form}, reg={reg}"
             + (f", hidden={hidden}, head={head}" if group else "")
             + (", Z1 has exact zeros" if "zeros" in tags else "")
             + (", large finite logits (|Z2| ≈ 900)" if large else ""))
    return _Case(label, group or form,
                 {"params": params, "X": X, "y": y, "reg": reg, "hidden": hidden, "head": head},
                 N, tuple(tags))


def _two_layer_cases(rng):
    s = [3, 5, 3]      # D = K so the notes' (A2 − y)·W1 multiplies; no square weights
    cs = [_network_case(rng, s, 5, 0.0, zeros=True),
          _network_case(rng, s, 1, 0.1),
          _network_case(rng, s, 6, 0.3, zeros=True),
          _network_case(rng, s, 4, 0.1, large=True)]
    for form in ("one-hot rows", "soft rows"):
        cs += [_network_case(rng, s, 4, 0.2, form=form, zeros=True),
               _network_case(rng, s, 1, 0.0, form=form)]
    return cs


def _mlp_cases(rng):
    s = [4, 5, 4, 3]
    cs = [_network_case(rng, s, 5, 0.0, zeros=True, group="relu, softmax_ce"),
          _network_case(rng, s, 1, 0.1, group="relu, softmax_ce"),
          _network_case(rng, s, 6, 0.3, zeros=True, group="relu, softmax_ce"),
          _network_case(rng, s, 4, 0.1, large=True, group="relu, softmax_ce")]
    for form in ("one-hot rows", "soft rows"):
        cs.append(_network_case(rng, s, 4, 0.2, form=form, zeros=True,
                                group=f"relu, softmax_ce, {form}"))
    for hidden in _HIDDEN:
        for head in _HEADS:
            if (hidden, head) == ("relu", "softmax_ce"):
                continue
            g = f"{hidden}, {head}"
            cs += [_network_case(rng, s, 5, 0.2, hidden=hidden, head=head, zeros=True, group=g),
                   _network_case(rng, s, 1, 0.0, hidden=hidden, head=head, group=g)]
    return cs


class _Refused(Exception):
    pass


def _accepts(fn, name, position) -> bool:
    """Whether ``fn`` takes a parameter ``name`` (or at least ``position + 1`` positional
    ones, or ``*args``/``**kwargs``)."""
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return True
    ps = list(sig.parameters.values())
    if any(p.name == name for p in ps) or any(p.kind == p.VAR_KEYWORD for p in ps):
        return True
    positional = [p for p in ps if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) > position or any(p.kind == p.VAR_POSITIONAL for p in ps)


def _has_name(fn, name) -> bool:
    try:
        ps = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return False
    return any(p.name == name for p in ps)


def _network_call(general):
    def call(fn, c, layout):
        i = c.inputs
        args = [_params_in(i["params"], layout), _to_user("batch", i["X"], layout),
                _targets_in(i["y"], layout)]
        kw = {}
        if general:
            takes = {k: _has_name(fn, k) for k in ("hidden", "head")}
            for k in ("hidden", "head"):
                if takes[k]:
                    kw[k] = i[k]
                elif i[k] != ("relu" if k == "hidden" else "softmax_ce"):
                    raise _Refused(f"no {k} parameter")
        if _has_name(fn, "reg"):
            kw["reg"] = i["reg"]
        elif _accepts(fn, "reg", 3):
            args.append(i["reg"])
        elif i["reg"]:
            raise _Refused("no reg parameter")
        return fn(*args, **kw)
    return call


def _layers(c):
    return sum(1 for k in c.inputs["params"] if k[0] == "W")


def _network_order(c):
    L = _layers(c)
    order = ["loss"] + [f"{p}{l}" for l in range(1, L + 1) for p in "ZA"] + [f"dZ{L}"]
    for l in range(L, 0, -1):
        order += [f"dW{l}", f"db{l}"]
        if l > 1:
            order += [f"dA{l - 1}", f"dZ{l - 1}"]
    return order


def _network_roles(o):
    if o == "loss":
        return "scalar"
    return {"W": "W", "b": "b"}.get(o[1], "batch") if o[0] == "d" and o[1] in "Wb" else "batch"


def _network_parse(raw, c):
    L = _layers(c)
    inter = None
    if isinstance(raw, tuple) and len(raw) in (2, 3):
        loss, grads = raw[0], raw[1]
        inter = raw[2] if len(raw) == 3 else None
    elif isinstance(raw, dict):
        loss, grads = raw.get("loss"), raw
    else:
        what = type(raw).__name__ + (f" of length {len(raw)}" if isinstance(raw, tuple) else "")
        raise _BadReturn(f"the result is a {what}; expected a Result, a (loss, grads) tuple "
                         "or a dict of gradients")
    if not isinstance(grads, dict):
        raise _BadReturn(f"grads is a {type(grads).__name__}, expected a dict")
    out = {}
    if loss is not None:
        loss = _as_float_array(loss, "the loss")
        if loss.size != 1:
            raise _BadReturn(f"the loss has shape {loss.shape}, expected a number")
        out["loss"] = loss.reshape(())
    expected = [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]
    for k in expected:
        v = grads.get(k, grads.get("d" + k))
        if v is None:
            keys = sorted(map(str, grads))
            raise _BadReturn(f"grads has keys {keys}; expected {', '.join(expected)}")
        out["d" + k] = _as_float_array(v, f"grads[{k!r}]")
    pool = dict(grads)
    if isinstance(inter, dict):
        pool.update(inter)
    names = ([f"{p}{l}" for l in range(1, L + 1) for p in ("Z", "A", "dZ")]
             + [f"dA{l}" for l in range(1, L)])
    for k in names:
        if k in pool and pool[k] is not None:
            out[k] = _as_float_array(pool[k], k)
    return out


def _network_reference(general):
    def ref(c):
        i = c.inputs
        if general:
            res = mlp.loss_and_grads(i["params"], i["X"], i["y"], hidden=i["hidden"],
                                     head=i["head"], reg=i["reg"])
        else:
            res = two_layer.loss_and_grads(i["params"], i["X"], i["y"], reg=i["reg"])
        out = {"loss": np.asarray(res.loss, dtype=np.float64)}
        out.update({"d" + k: v for k, v in res.grads.items()})
        out.update(res.intermediates)
        return out
    return ref


_ACT = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}
_ACT_PRIME = {"relu": relu_prime, "sigmoid": sigmoid_prime, "tanh": tanh_prime}


def _slipped_network(c, *, at=None, f=None, relu_geq=(), no_gprime=(), head_no_sigma=False,
                     wrong_layer=(), reg_w=None, loss_reg=1.0, bias_reg=(), loss_bias=0.0,
                     unstable=None, top_dW=None):
    """The network's forward and backward pass from the reference's public steps, with one
    slip: ``f`` applied to the value of step ``at`` (sign, scale; it flows downstream),
    ``relu'(0) = 1`` on layers ``relu_geq`` (erratum E6's form), no ``g'`` on
    ``no_gprime``, ``dA_{l−1} = δ_l W_{l−1}`` (erratum E7's form) on ``wrong_layer``, the
    L2 gradient times ``reg_w[l]``, the L2 loss term times ``loss_reg``, ``reg·b`` on
    ``bias_reg`` (``loss_bias``: ½·reg·Σ‖b‖² in the loss), an unshifted softmax
    (``unstable="softmax"``) or ``log`` of the probabilities (``"log"``), or ``top_dW``:
    an erratum's form for the top layer's ``dW``."""
    i = c.inputs
    p, X, reg, hidden, head = i["params"], i["X"], i["reg"], i["hidden"], i["head"]
    L = _layers(c)
    N = X.shape[0]
    reg_w = reg_w or {}
    Ws = [p[f"W{l}"] for l in range(1, L + 1)]
    bs = [p[f"b{l}"] for l in range(1, L + 1)]
    out = {}

    def put(name, v):
        v = np.asarray(v, dtype=np.float64)
        if name == at:
            v = f(v, c)
        out[name] = v
        return v

    A = X
    Zs, As = [], []
    for l in range(1, L + 1):
        Z, _ = dense_forward(A, Ws[l - 1], bs[l - 1])
        if l < L:
            A = _ACT[hidden](Z)
        elif head == "softmax_ce":
            A = _unshifted_softmax(Z) if unstable == "softmax" else softmax(Z)
        else:
            A = sigmoid(Z) if head.startswith("sigmoid") else Z
        Zs.append(put(f"Z{l}", Z))
        As.append(put(f"A{l}", A))
    Z, A = Zs[-1], As[-1]
    if head == "softmax_ce":
        Y = _Y(c, Z.shape[1])
        if unstable:
            with np.errstate(all="ignore"):
                data = -np.sum(Y * np.log(A)) / N
        else:
            data = cross_entropy_with_logits(Z, Y)
        with np.errstate(all="ignore"):
            dZ = (A - Y) / N if unstable else delta_ce_softmax(Z, Y)
    else:
        Y = np.asarray(i["y"])
        if head == "sigmoid_bce":
            data, dZ = binary_cross_entropy_with_logits(Z, Y), delta_bce_sigmoid(Z, Y)
        elif head == "sigmoid_mse":
            data = mse(A, Y)
            dZ = mse_grad(A, Y) if head_no_sigma else delta_mse_sigmoid(Z, Y)
        else:
            data, dZ = mse(Z, Y), delta_mse_identity(Z, Y)
    loss = (data + loss_reg * 0.5 * reg * sum(float(np.sum(W * W)) for W in Ws)
            + loss_bias * 0.5 * reg * sum(float(np.sum(b * b)) for b in bs))
    put("loss", loss)
    dZ = put(f"dZ{L}", dZ)
    for l in range(L, 0, -1):
        A_prev = As[l - 2] if l > 1 else X
        W = Ws[l - 1]
        dA_prev, dW, db = dense_backward(dZ, (A_prev, W), check_finite=False)
        if l == L and top_dW is not None and head in ("softmax_ce", "sigmoid_bce"):
            dW = top_dW(A1=A_prev, A2=A, Y=Y, W2=W, reg=reg)
        else:
            dW = dW + reg_w.get(l, 1.0) * l2_grad(W, reg)
        put(f"dW{l}", dW)
        put(f"db{l}", db + (l2_grad(bs[l - 1], reg) if l in bias_reg else 0.0))
        if l > 1:
            if l in wrong_layer:
                dA_prev = _e("E7").literal_form(dZ2=dZ, W1=Ws[l - 2], W2=W)
            dA_prev = put(f"dA{l - 1}", dA_prev)
            Zp = Zs[l - 2]
            if l - 1 in relu_geq and hidden == "relu":
                dZ = _e("E6").literal_form(z=Zp, g=dA_prev)
            elif l - 1 in no_gprime:
                dZ = dA_prev
            else:
                dZ = dA_prev * _ACT_PRIME[hidden](Zp)
            dZ = put(f"dZ{l - 1}", dZ)
    return out


def _network_models(cases):
    c0 = cases[0]
    L = _layers(c0)
    hidden_layers = list(range(1, L))
    order = _network_order(c0)
    steps = [s for s in order if s.startswith("d")] + ["loss"]
    S = lambda **kw: (lambda c: _slipped_network(c, **kw))   # noqa: E731
    ms = []
    for s in steps:
        ms.append(_Model("sign", s, f"{s} is the negative of the reference"
                         + (" (e.g. Y − A instead of A − Y)" if s == f"dZ{L}" else ""),
                         S(at=s, f=lambda v, c: -v)))
        for name, cause in _FACTORS:
            ms.append(_Model("scale", s, f"{s} is {name} × the reference: {cause}",
                             S(at=s, f=lambda v, c, n=name: _factor(n, c.N) * v)))
    layer_sets = [tuple(hidden_layers)] + ([(l,) for l in hidden_layers]
                                           if len(hidden_layers) > 1 else [])
    for ls in layer_sets:
        where = ", ".join(f"dZ{l}" for l in ls)
        first = f"dZ{max(ls)}"
        ms.append(_Model("relu_at_zero", first, f"wrong only where Z is exactly 0 ({where}): "
                         "relu'(0) is taken as 1; it is 0 (torch and JAX): use Z > 0",
                         S(relu_geq=ls), "E6"))
        ms.append(_Model("missing_activation_derivative", first,
                         f"{where} = dA without ⊙ g'(Z): the hidden activation's derivative "
                         "(the ReLU mask for relu) is dropped", S(no_gprime=ls)))
    ms.append(_Model("missing_activation_derivative", f"dZ{L}",
                     f"dZ{L} = (A − Y)/N: σ'(Z) is dropped from the sigmoid + MSE delta; it "
                     "cancels only with cross-entropy", S(head_no_sigma=True)))
    for l in range(2, L + 1):
        ms.append(_Model("wrong_layer", f"dA{l - 1}",
                         f"dA{l - 1} = dZ{l} · W{l - 1}: the layer below's weights; it is "
                         f"dZ{l} · W{l}ᵀ", S(wrong_layer=(l,)), "E7"))
    all_l = tuple(range(1, L + 1))
    top = f"dW{L}"
    for fac, kind in ((0.0, "missing_reg"), (2.0, "reg_scale"), (0.5, "reg_scale")):
        what = {0.0: "the L2 term reg·W is missing",
                2.0: "the L2 gradient is 2·reg·W: CS231n 2017's reg·ΣW² convention; here the "
                     "penalty is ½·reg·ΣW², whose gradient is reg·W",
                0.5: "the L2 gradient is ½·reg·W: the penalty's ½ kept in its gradient"}[fac]
        for ls in [all_l] + ([(l,) for l in all_l] if L > 1 else []):
            names = ", ".join(f"dW{l}" for l in sorted(ls, reverse=True))
            for lf in ((1.0, fac) if ls == all_l else (1.0,)):
                loss_txt = "" if lf == 1.0 else (
                    " (the loss leaves it out too)" if fac == 0 else
                    " (the loss uses the same convention)")
                ms.append(_Model(kind, f"dW{max(ls)}", f"{names}: {what}{loss_txt}",
                                 S(reg_w={l: fac for l in ls}, loss_reg=lf)))
        ms.append(_Model(kind, "loss", "the loss's L2 term is " + {
            0.0: "missing (the gradients have it)", 2.0: "reg·ΣW² (CS231n 2017); here it is "
            "½·reg·ΣW², whose gradient is the reg·W the gradients use",
            0.5: "¼·reg·ΣW²; it is ½·reg·ΣW²"}[fac], S(loss_reg=fac)))
    for ls in [all_l] + [(l,) for l in all_l]:
        names = ", ".join(f"db{l}" for l in sorted(ls, reverse=True))
        for lb in ((0.0, 1.0) if ls == all_l else (0.0,)):
            ms.append(_Model("regularised_bias", f"db{max(ls)}",
                             f"{names}: reg·b is added, but biases are not regularised"
                             + (" (the loss adds ½·reg·Σb² too)" if lb else ""),
                             S(bias_reg=ls, loss_bias=lb)))
    if c0.inputs["head"] == "softmax_ce" or any(c.inputs["head"] == "softmax_ce" for c in cases):
        ms.append(_Model("unstable", "A" + str(L), _UNSTABLE_SOFTMAX, S(unstable="softmax")))
        ms.append(_Model("unstable", "loss", "inf/nan on large finite logits: log of a "
                         "probability that underflowed to 0; compute the loss from the logits "
                         "(log-softmax: Z − max − log Σ exp(Z − max))", S(unstable="log")))
        for eid in ("E5", "E9"):
            form = _e(eid).literal_form
            ms.append(_Model("erratum", top, _erratum_model_text(eid),
                             S(top_dW=(lambda A1, A2, Y, W2, reg, form=form: form(A1=A1, A2=A2, Y=Y))
                               if eid == "E5" else form), eid))
    return ms


_TWO_LAYER = _Target(("D17",), "two_layer.loss_and_grads", _two_layer_cases,
                     _network_call(False), _network_parse, _network_reference(False),
                     _network_roles, _network_order, _network_models)
_TWO_LAYER_LOOP = _Target(("D19",), "two_layer.loss_and_grads_loop", _two_layer_cases,
                          _network_call(False), _network_parse, _network_reference(False),
                          _network_roles, _network_order, _network_models)
_MLP = _Target(("D18",), "mlp.loss_and_grads", _mlp_cases, _network_call(True), _network_parse,
               _network_reference(True), _network_roles, _network_order, _network_models)
_MLP_LOOP = _Target((), "mlp.loss_and_grads_loop", _mlp_cases, _network_call(True),
                    _network_parse, _network_reference(True), _network_roles, _network_order,
                    _network_models)

_TARGETS = [*_ARRAY_TARGETS, _DENSE, _HIDDEN_DELTA, _L2, _TWO_LAYER, _TWO_LAYER_LOOP, _MLP,
            _MLP_LOOP]


def targets() -> dict:
    """``{derivation id or public name: public name}``: every valid ``against``."""
    out: dict[str, str] = {}
    for t in _TARGETS:
        for i in t.ids:
            out.setdefault(i, t.name)
    out.update({t.name: t.name for t in _TARGETS})
    return out


def resolve(against: str) -> str:
    """The public name of the reference ``against`` names (``"D17"`` ->
    ``"two_layer.loss_and_grads"``); a ValueError lists the valid ones."""
    return _target(against).name


def _target(against) -> _Target:
    key = str(against).strip()
    for prefix in ("backprop_ref.", "bp."):
        if key.startswith(prefix):
            key = key[len(prefix):]
    for t in _TARGETS:
        if key.upper() in t.ids or key == t.name:
            return t
    ids = sorted({i for t in _TARGETS for i in t.ids}, key=lambda s: int(s[1:]))
    raise ValueError(f"unknown derivation {against!r}; expected one of {', '.join(ids)} or "
                     f"{', '.join(t.name for t in _TARGETS)}")


# =========================================================================== check
def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _describe(fn) -> str:
    mod = getattr(fn, "__module__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    return f"{mod}.{name}" if mod and mod != "__main__" else name


def check(fn: Callable, against: str, *, layout: str = "rows", seed: int = 0) -> CheckReport:
    r"""Run ``fn`` on the reference's cases for ``against`` and report what disagrees.

    Inputs:
        fn: your implementation; it takes the same arguments as the reference function
            (for the networks it may return a `Result`, a ``(loss, grads)`` tuple or a dict
            of gradients; intermediates ``dZ2``, ``dA1``, … are compared when returned).
        against: a derivation id (``"D11"``, ``"D17"``, …) or the reference's public name
            (``"delta_ce_softmax"``, ``"two_layer.loss_and_grads"``, …).
        layout: ``"rows"`` (this project: ``W`` (fan_in, fan_out), examples as rows) or
            ``"columns"`` (Nielsen: ``W`` (fan_out, fan_in), ``b`` (fan_out, 1), examples as
            columns).
        seed: seed of the random parts of the cases.
    Returns:
        `CheckReport`: ``ok``, ``rows``, ``diagnoses``, ``tried``, ``refused``, ``error``.
    Raises:
        ValueError: an unknown ``against`` (the message lists the valid ones) or layout.
        TypeError: ``fn`` is not callable.
    """
    t = _target(against)
    if layout not in ("rows", "columns"):
        raise ValueError(f"layout must be 'rows' or 'columns', got {layout!r}")
    if not callable(fn):
        raise TypeError(f"fn must be callable, got {type(fn).__name__}")
    rep = CheckReport(_describe(fn), str(against), t.name, layout)
    cases = t.cases(np.random.default_rng(seed))

    # 1. run the user's function on every case; refusals are per group
    results, failures = {}, {}
    for k, c in enumerate(cases):
        try:
            with np.errstate(all="ignore"):
                raw = t.call(fn, copy.deepcopy(c), layout)   # fn may write into its inputs
        except _Refused as exc:
            failures[k] = f"refused: {exc}"
            continue
        except Exception as exc:                                   # noqa: BLE001
            failures[k] = _one_line(exc)
            continue
        try:
            results[k] = t.parse(raw, c)
        except _BadReturn as exc:
            rep.error = f"{exc} (case {c.label})"
            return rep
    groups: dict[str, list[int]] = {}
    for k, c in enumerate(cases):
        groups.setdefault(c.group, []).append(k)
    for g, ks in groups.items():
        failed = [k for k in ks if k in failures]
        if failed and len(failed) < len(ks):
            k = failed[0]
            rep.error = f"raised on case {cases[k].label}: {failures[k]}"
            rep.raised = True
            return rep
        if failed:
            rep.refused.append(f"{g}: {failures[failed[0]]}")
    accepted = [k for k in range(len(cases)) if k in results]
    rep.tried = [cases[k].label for k in accepted]
    if not accepted:
        first = next(iter(failures.values()))
        rep.error = f"accepts no case at all; it raised {first}"
        rep.raised = True
        return rep

    # 2. compare every returned output with the reference, in the user's layout
    refs = {k: t.reference(cases[k]) for k in accepted}
    order = t.order(cases[accepted[0]])
    returned = [o for o in order if all(o in results[k] for k in accepted)]
    user = {k: results[k] for k in accepted}

    def expected(k, o, value=None):
        v = refs[k][o] if value is None else value
        return np.asarray(_to_user(t.roles(o), np.asarray(v, dtype=np.float64), layout))

    shape_bad, value_bad = {}, []
    for o in returned:
        err = rel = 0.0
        note = ""
        for k in accepted:
            theirs, ours = user[k][o], expected(k, o)
            if theirs.shape != ours.shape:
                shape_bad[o] = (k, ours, theirs)
                note = f"shape {theirs.shape}, expected {ours.shape}"
                err = rel = math.nan
                break
            with np.errstate(all="ignore"):
                e, r = _compare(ours, theirs)
            err, rel = max(err, e), max(rel, r)
            if math.isinf(e) and not note:
                bad = "nan" if np.isnan(theirs).any() else "inf"
                note = f"{bad} on case {cases[k].label}"
        ok = o not in shape_bad and rel <= BOUND
        rep.rows.append(Row(o, err, rel, ok, note))
        if not ok and o not in shape_bad:
            value_bad.append(o)

    # 3. diagnose: shapes first, then the one slip that explains every compared output
    for o, (k, ours, theirs) in shape_bad.items():
        rep.diagnoses.append(_shape_diagnosis(o, ours, theirs, layout))
    if value_bad:
        rep.diagnoses += _value_diagnoses(t, cases, accepted, user, returned, shape_bad,
                                          value_bad, expected, order)
    nonfinite = [d.output for d in rep.diagnoses if d.kind == "other" and "nan/inf" in d.message]
    if nonfinite:
        rep.error = (f"returned nan/inf where the reference is finite, in {', '.join(nonfinite)}"
                     f" ({next(r.note for r in rep.rows if r.output == nonfinite[0])})")
    rep.ok = not rep.diagnoses and all(r.ok for r in rep.rows)
    return rep


def _shape_diagnosis(o, ours, theirs, layout) -> Diagnosis:
    if theirs.shape == ours.shape[::-1] and ours.ndim == 2:
        if _matches(theirs.T, ours):
            why = ("W is (fan_out, fan_in) and b (fan_out, 1) in the columns layout"
                   if layout == "columns" else "W is (fan_in, fan_out) in the rows layout: "
                   "dW = A_prevᵀ δ")
            return Diagnosis(o, "transpose", f"{o} is the transpose of the reference "
                             f"(shape {theirs.shape}, expected {ours.shape}): {why}")
        return Diagnosis(o, "transpose", f"{o} has the transposed shape {theirs.shape} of "
                         f"the reference's {ours.shape} (and its values differ as well)")
    same = theirs.size == ours.size and _matches(theirs.reshape(ours.shape), ours)
    return Diagnosis(o, "shape", f"{o} has shape {theirs.shape}, expected {ours.shape}"
                     + ("; the values match after a reshape" if same else ""))


def _value_diagnoses(t, cases, accepted, user, returned, shape_bad, value_bad, expected, order):
    comparable = [o for o in returned if o not in shape_bad]
    models = t.models([cases[k] for k in accepted])

    def model_outputs(m, k):
        try:
            with np.errstate(all="ignore"):
                return m.compute(cases[k])
        except Exception:                                          # noqa: BLE001
            return None

    def explains(m, outputs) -> bool:
        for k in accepted:
            mo = model_outputs(m, k)
            if mo is None:
                return False
            for o in outputs:
                if o not in mo or not _matches(expected(k, o, mo[o]), user[k][o]):
                    return False
        return True

    rank = lambda m: (order.index(m.step) if m.step in order else len(order),  # noqa: E731
                      KINDS.index(m.kind))
    full = sorted((m for m in models if explains(m, comparable)), key=rank)
    if full:
        best = full[0]
        same = [m for m in full if m.kind == best.kind]
        steps = list(dict.fromkeys(m.step for m in same))
        shown = value_bad[0] if best.step not in returned else best.step
        msg = best.message
        if best.step not in returned:
            msg += (f" [first wrong step: {' or '.join(steps)}, not returned; "
                    f"seen first in {shown}]")
        elif len(steps) > 1:
            msg += f" [first wrong step: {' or '.join(steps)}]"
        others = sorted({m.kind for m in full} - {best.kind}, key=KINDS.index)
        if others:
            msg += f" (also consistent with: {', '.join(others)})"
        return [Diagnosis(shown, best.kind, msg, best.erratum)]

    # no single slip explains everything: name each wrong output's own slip, if any
    out, left = [], list(value_bad)
    while left:
        o = left.pop(0)
        # a slip at this very output first: an upstream one would explain more than seen
        local = sorted((m for m in models if explains(m, [o])),
                       key=lambda m: (m.step != o, rank(m)))
        if local:
            m = local[0]
            out.append(Diagnosis(o, m.kind, m.message + " (the other outputs do not follow from this "
                                 "slip alone: something else differs too)",
                                 m.erratum))
            left = [x for x in left if not explains(m, [x])]
        else:
            out.append(Diagnosis(o, "other", _other_message(o, accepted, cases, user, expected)))
    return out


def _other_message(o, accepted, cases, user, expected) -> str:
    for k in accepted:
        theirs, ours = user[k][o], expected(k, o)
        if not np.isfinite(theirs).all() and np.isfinite(ours).all():
            return (f"{o} is nan/inf on case {cases[k].label} where the reference is finite, "
                    "and no listed slip reproduces it")
    worst = max(accepted, key=lambda k: _compare(expected(k, o), user[k][o])[1])
    e, r = _compare(expected(worst, o), user[worst][o])
    return (f"{o} differs from the reference by up to {e:.2e} (relative {r:.1e}) on case "
            f"{cases[worst].label}; no single slip in the checker's list explains it")


def assert_matches_reference(fn: Callable, against: str, **kw: Any) -> CheckReport:
    """`check`, raising ``AssertionError`` with the report when anything disagrees.

    For your own pytest suite: ``assert_matches_reference(my_net.loss, "D17")``.
    Returns the report when everything matches.
    """
    rep = check(fn, against, **kw)
    if not rep.ok:
        raise AssertionError("\n" + str(rep))
    return rep
