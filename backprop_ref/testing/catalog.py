"""The catalog of targets, every derivation the checker can check: the call it makes, its
cases, the reference's outputs (in the declared conventions) and the slips it can name.

`targets()` lists them; `resolve` turns a derivation id or a public name into the target.
The call the checker makes for each (`signature`), in the row layout:

====================================  ==================================================
target                                the call
====================================  ==================================================
D1 ``sigmoid_prime``, ``sigmoid``     ``fn(z) -> (N, K)``
D2 ``relu_prime``, ``relu``           ``fn(z) -> (N, K)``
D3 ``softmax``                        ``fn(z) -> A (N, K)``
D4 ``softmax_jacobian``               ``fn(z) -> J (N, K, K)``
D5 ``one_hot``                        ``fn(labels, num_classes) -> Y (N, K)``
``predict_labels``                    ``fn(scores) -> labels (N,)``
D6 ``mse_grad``; ``mse``              ``fn(a, y) -> dA (N, K)``; ``-> loss``
D7 ``cross_entropy_grad``; value      ``fn(probs, y) -> dA (N, K)``; ``-> loss``
D8 ``binary_cross_entropy_grad``; …   ``fn(a, y) -> dA (N, K)``; ``-> loss``
D9–D12 deltas                         ``fn(z, y) -> dZ (N, K)``
D14 ``dense_backward``                ``fn(dZ, cache) -> (dX, dW, db)``, ``(X, W)`` or ``(x, w, b)``
D15 ``hidden_delta``                  ``fn(delta_next, W_next, z, activation) -> dZ``
D16 ``l2_grad``                       ``fn(W, reg) -> dW``
D17, D19 the notes' network           ``fn(params, X, y, reg=…) -> (loss, grads) | Result | dict``
D18 ``mlp.loss_and_grads``            ``fn(params, X, y, hidden=…, head=…, reg=…) -> …``
D20 ``sgd_step``                      ``fn(params, grads, lr) -> new params``
====================================  ==================================================
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    cross_entropy,
    cross_entropy_grad,
    delta_bce_sigmoid,
    delta_ce_softmax,
    delta_ce_softmax_jacobian,
    delta_mse_sigmoid,
    dense_backward,
    hidden_delta,
    l2_grad,
    mse,
    mse_grad,
    one_hot,
    predict_labels,
    relu,
    relu_prime,
    sgd_step,
    sigmoid,
    sigmoid_prime,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_prime,
)
from .. import errata as _errata
from .cases import (
    LARGE,
    BadReturn,
    Call,
    Case,
    Conventions,
    Refused,
    params_in,
    targets_in,
    to_user,
    z_cases,
)
from .rules import Model, declare_hint, form, output_models

__all__ = ["Target", "targets", "resolve", "target", "as_array", "accepts", "has_name"]


@dataclass(frozen=True)
class Target:
    """One checkable derivation.

    ``calls``: ``(label, call)`` pairs tried in order (D14 tries two caches); ``call(fn,
    case, layout)`` returns the `Call`.  ``parse(raw, case)`` returns ``{output: array}`` in
    the user's layout (float dtypes kept).  ``reference(case, conv)`` and ``models(cases,
    conv)`` work in the row layout, in the declared conventions.  ``conventions``: the ones
    the target has a use for.  ``shape_forms(output)``: recognisable forms of a wrong shape.
    ``loss``: the function returns a loss (its gradients are checked against central
    differences of it); ``fd_valid(case)``: central differences are meaningful on it.
    """

    ids: tuple
    name: str
    signature: str
    cases: Callable[[np.random.Generator], list]
    calls: tuple
    parse: Callable[[Any, Case], dict]
    reference: Callable[[Case, Conventions], dict]
    roles: Callable[[str], str]
    order: Callable[[Case], list]
    models: Callable[[list, Conventions], list]
    conventions: tuple = ("layout",)
    shape_forms: Callable[[str], list] = field(default=lambda o: [])
    loss: bool = False
    fd_valid: Callable[[Case], bool] = field(default=lambda c: False)


# =========================================================================== helpers
def as_array(x: Any, what: str) -> np.ndarray:
    """A returned value as an array of numbers: float dtypes kept (float32 is compared at
    float32's bound), integers and booleans as float64; anything else is a `BadReturn`."""
    if isinstance(x, (str, bytes, dict)) or x is None:
        raise BadReturn(f"{what} is a {type(x).__name__}, expected an array")
    try:
        a = np.asarray(x)
    except (TypeError, ValueError):
        raise BadReturn(f"{what} is a {type(x).__name__}, not an array of numbers") from None
    if a.dtype.kind == "f":
        return a if a.dtype.itemsize <= 8 else a.astype(np.float64)
    if a.dtype.kind in "biu":
        return a.astype(np.float64)
    if a.dtype.kind == "c":
        raise BadReturn(f"{what} is complex ({a.dtype}), expected real numbers")
    try:
        return a.astype(np.float64)
    except (TypeError, ValueError):
        raise BadReturn(f"{what} is a {type(x).__name__} of {a.dtype}, not an array of "
                        "numbers") from None


def _parameters(fn: Callable) -> list | None:
    """``fn``'s parameters, or None when it has no inspectable signature (cached: the
    checker asks on every call)."""
    try:
        return _SIGNATURES[fn]
    except (KeyError, TypeError):
        pass
    try:
        ps: list | None = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        ps = None
    try:
        _SIGNATURES[fn] = ps
    except TypeError:                    # an unhashable callable: not cached
        pass
    return ps


_SIGNATURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def accepts(fn: Callable, name: str, position: int) -> bool:
    """Whether ``fn`` takes a parameter ``name`` (or at least ``position + 1`` positional
    ones, or ``*args``/``**kwargs``)."""
    ps = _parameters(fn)
    if ps is None:
        return True
    if any(p.name == name for p in ps) or any(p.kind == p.VAR_KEYWORD for p in ps):
        return True
    positional = [p for p in ps if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) > position or any(p.kind == p.VAR_POSITIONAL for p in ps)


def has_name(fn: Callable, name: str) -> bool:
    """Whether ``fn`` has a parameter called ``name``."""
    ps = _parameters(fn)
    return ps is not None and any(p.name == name for p in ps)


def _e(eid: str) -> _errata.Erratum:
    return _errata.get(eid)


def erratum_text(eid: str) -> str:
    """A model's message for one of the notes' errata."""
    e = _e(eid)
    return (f"erratum {e.id} (note {e.note}): {e.title}; the note writes {e.literal}, "
            f"correct is {e.corrected}")


def _one(name: str) -> Callable[[Any, Case], dict]:
    def parse(raw, case):
        return {name: as_array(raw, "the result")}
    return parse


def _scalar(name: str) -> Callable[[Any, Case], dict]:
    def parse(raw, case):
        a = as_array(raw, "the result")
        return {name: a.reshape(()) if a.size == 1 else a}
    return parse


def _Y(c: Case, K: int) -> np.ndarray:
    y = np.asarray(c.inputs["y"])
    return one_hot(y, K) if y.ndim == 1 else y


def _z_call(fn: Callable, c: Case, layout: str) -> Call:
    args = [to_user("batch", c.inputs["z"], layout)]
    if "y" in c.inputs:
        args.append(targets_in(c.inputs["y"], layout))
        return Call(tuple(args), {}, "fn(z, y)")
    return Call(tuple(args), {}, "fn(z)")


# ---------------------------------------------------------------- softmax forms
def _unshifted_softmax(z: np.ndarray, axis: int = 1) -> np.ndarray:
    with np.errstate(all="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=axis, keepdims=True)


def _softmax_axis0(z: np.ndarray) -> np.ndarray:
    return softmax(z.T).T


def _rowshift_axis0(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


#: softmax normalised over the examples (axis 0) instead of the classes, as students write
#: it: stably per column, shifted by the row max, or not shifted at all
WRONG_AXIS_SOFTMAX = (
    ("stable", _softmax_axis0),
    ("shifted by the row max", _rowshift_axis0),
    ("unshifted", lambda z: _unshifted_softmax(z, axis=0)),
)

WRONG_AXIS_TEXT = ("softmax normalised over axis 0 (the examples) instead of axis 1 (the "
                   "classes){how}: each column sums to 1, not each row; use "
                   "e.sum(axis=1, keepdims=True)")

UNSTABLE_SOFTMAX = ("nan/inf at extreme logits where the reference is finite: softmax "
                    "without subtracting the row max, so exp overflows; subtract "
                    "z.max(axis=1, keepdims=True) first")


#: the activations' derivatives written for the activation ``a`` (σ' = a(1 − a),
#: tanh' = 1 − a², relu' = 1[a > 0]): applied to the pre-activation z, they are a slip
GPRIME_OF_A = {"sigmoid": lambda a: a * (1 - a), "tanh": lambda a: 1 - a * a,
               "relu": lambda a: (a > 0) * 1.0}
GPRIME_OF_A_TEXT = {"sigmoid": "σ(1 − σ)", "tanh": "1 − tanh²", "relu": "1[a > 0]"}


def gprime_of_z_text(act: str, where: str) -> str:
    return (f"{where}: the derivative {GPRIME_OF_A_TEXT[act]}, a formula in terms of the "
            f"activation a = {act}(z), is applied to the pre-activation z itself; use "
            f"{act}'(z) = " + {"sigmoid": "σ(z)(1 − σ(z))", "tanh": "1 − tanh(z)²",
                               "relu": "1[z > 0]"}[act])


# =========================================================================== array targets
def _array_target(ids: tuple, name: str, out: str, ref: Callable, *, sig: str,
                  y: str | None = None, zeros: bool = False, large: bool = False,
                  probs: bool = False, extra: tuple = (), role: str = "batch",
                  mean: bool = False, shape_forms: tuple = (), scalar: bool = False) -> Target:
    """A target ``fn(z[, y]) -> out``.  ``mean``: the output carries the batch mean, so it
    follows the declared reduction; ``extra``: ``(kind, message, form(case), erratum)``
    slips, written in the mean convention."""

    def reference(c, conv):
        return {out: np.asarray(ref(c)) * conv.batch_factor(c.N)}

    def models(cases, conv):
        def r(c):
            return reference(c, conv)
        ms = output_models([out], r, conv, mean=mean)
        for kind, msg, f, eid in extra:
            ms.append(Model(kind, out, msg,
                            form(r, out, lambda c, f=f: np.asarray(f(c)) * conv.batch_factor(c.N)),
                            eid))
        return ms

    return Target(ids, name, sig,
                  lambda rng: z_cases(rng, y=y, zeros=zeros, large=large, probs=probs),
                  (("", _z_call),), _scalar(out) if scalar else _one(out), reference,
                  lambda o: role, lambda c: [out], models,
                  ("layout", "reduction") if mean else ("layout",),
                  lambda o: [(k, m, f) for k, m, f in shape_forms if o == out])


def _ce_delta_unstable(c: Case) -> np.ndarray:
    A = _unshifted_softmax(c.inputs["z"])
    return (A - _Y(c, A.shape[1])) / A.shape[0]


def _ce_delta_jac_e8(c: Case) -> np.ndarray:
    z = c.inputs["z"]
    A, Y = softmax(z), _Y(c, z.shape[1])
    J = _e("E8").literal_form(z=z)
    return np.einsum("nik,ni->nk", J, -Y / (z.shape[0] * A))


def _naive_sigmoid_prime(c: Case) -> np.ndarray:
    z = c.inputs["z"]
    with np.errstate(all="ignore"):
        return np.exp(-z) / (1 + np.exp(-z)) ** 2


def _z(c: Case) -> np.ndarray:
    return c.inputs["z"]


_PER_EXAMPLE_LOSS = "the per-example losses, not reduced: the loss is their mean over the batch"

ARRAY_TARGETS = [
    _array_target(("D1",), "sigmoid_prime", "dsigma", lambda c: sigmoid_prime(_z(c)),
                  sig="fn(z) -> σ'(z), shape (N, K)", large=True,
                  extra=(("missing_activation_derivative", "returns σ(z) itself, not σ'(z) = "
                          "σ(z)(1 − σ(z))", lambda c: sigmoid(_z(c)), None),
                         ("missing_activation_derivative",
                          gprime_of_z_text("sigmoid", "z(1 − z)"),
                          lambda c: GPRIME_OF_A["sigmoid"](_z(c)), None),
                         ("unstable", f"e^(−z)/(1 + e^(−z))² is inf/inf = nan at z = "
                          f"−{LARGE:.0f}: write it as σ(z)(1 − σ(z)) with a stable σ",
                          _naive_sigmoid_prime, None))),
    _array_target(("D2",), "relu_prime", "drelu", lambda c: relu_prime(_z(c)),
                  sig="fn(z) -> relu'(z), shape (N, K)", zeros=True, large=True,
                  extra=(("relu_at_zero", "relu'(0) is 1 here; it is 0 (torch and JAX): use "
                          "z > 0, not z >= 0",
                          lambda c: _e("E6").literal_form(z=_z(c), g=np.ones_like(_z(c))),
                          "E6"),)),
    _array_target(("D3",), "softmax", "A", lambda c: softmax(_z(c)),
                  sig="fn(z) -> A, shape (N, K), each row sums to 1", large=True,
                  extra=(("unstable", UNSTABLE_SOFTMAX, lambda c: _unshifted_softmax(_z(c)),
                          None),
                         *[("erratum", erratum_text(eid),
                            lambda c, eid=eid: _e(eid).literal_form(z=_z(c)), eid)
                           for eid in ("E1", "E2")],
                         *[("wrong_axis", WRONG_AXIS_TEXT.format(how=f" ({how})"),
                            lambda c, f=f: f(_z(c)), None) for how, f in WRONG_AXIS_SOFTMAX])),
    _array_target(("D4",), "softmax_jacobian", "J", lambda c: softmax_jacobian(_z(c)),
                  sig="fn(z) -> J, shape (N, K, K), J[n, i, k] = ∂A[n, i]/∂z[n, k]",
                  role="jac", large=True,
                  extra=(("erratum", erratum_text("E8"),
                          lambda c: _e("E8").literal_form(z=_z(c)), "E8"),)),
    _array_target(("D6",), "mse_grad", "dA", lambda c: mse_grad(_z(c), c.inputs["y"]),
                  sig="fn(a, y) -> ∂L/∂a, shape (N, K)", y="real", mean=True),
    _array_target((), "mse", "loss", lambda c: mse(_z(c), c.inputs["y"]),
                  sig="fn(a, y) -> L, a number", y="real", mean=True, role="scalar",
                  scalar=True,
                  shape_forms=(("shape", _PER_EXAMPLE_LOSS,
                                lambda c: 0.5 * np.sum((_z(c) - c.inputs["y"]) ** 2, axis=1)),)),
    _array_target(("D7",), "cross_entropy_grad", "dA",
                  lambda c: cross_entropy_grad(_z(c), c.inputs["y"]),
                  sig="fn(probs, y) -> ∂L/∂A, shape (N, K); y: labels (N,) or rows (N, K)",
                  y="classes", probs=True, mean=True),
    _array_target((), "cross_entropy", "loss", lambda c: cross_entropy(_z(c), c.inputs["y"]),
                  sig="fn(probs, y) -> L, a number; y: labels (N,) or rows (N, K)",
                  y="classes", probs=True, mean=True, role="scalar", scalar=True,
                  shape_forms=(("shape", _PER_EXAMPLE_LOSS,
                                lambda c: -np.sum(_Y(c, c.K) * np.log(_z(c)), axis=1)),)),
    _array_target(("D8",), "binary_cross_entropy_grad", "dA",
                  lambda c: binary_cross_entropy_grad(_z(c), c.inputs["y"]),
                  sig="fn(a, y) -> ∂L/∂a, shape (N, K)", y="real", probs=True, mean=True),
    _array_target((), "binary_cross_entropy", "loss",
                  lambda c: binary_cross_entropy(_z(c), c.inputs["y"]),
                  sig="fn(a, y) -> L, a number", y="real", probs=True, mean=True,
                  role="scalar", scalar=True,
                  extra=(("erratum", erratum_text("E10"),
                          lambda c: _e("E10").literal_form(a=_z(c), y=c.inputs["y"]), "E10"),)),
    _array_target(("D9",), "delta_mse_sigmoid", "dZ",
                  lambda c: delta_mse_sigmoid(_z(c), c.inputs["y"]),
                  sig="fn(z, y) -> ∂L/∂z, shape (N, K)", y="real", mean=True,
                  extra=(("missing_activation_derivative",
                          "matches (A − Y)/N: σ'(z) is dropped; with MSE it does not cancel "
                          "(only cross-entropy cancels it)",
                          lambda c: mse_grad(sigmoid(_z(c)), c.inputs["y"]), None),
                         ("missing_activation_derivative",
                          gprime_of_z_text("sigmoid", "(A − Y) ⊙ z(1 − z)/N"),
                          lambda c: mse_grad(sigmoid(_z(c)), c.inputs["y"])
                          * GPRIME_OF_A["sigmoid"](_z(c)), None))),
    _array_target(("D10",), "delta_bce_sigmoid", "dZ",
                  lambda c: delta_bce_sigmoid(_z(c), c.inputs["y"]),
                  sig="fn(z, y) -> ∂L/∂z, shape (N, K)", y="real", mean=True),
    _array_target(("D11",), "delta_ce_softmax", "dZ",
                  lambda c: delta_ce_softmax(_z(c), c.inputs["y"]),
                  sig="fn(z, y) -> ∂L/∂z, shape (N, K); y: labels (N,) or rows (N, K)",
                  y="classes", large=True, mean=True,
                  extra=(("unstable", UNSTABLE_SOFTMAX, _ce_delta_unstable, None),
                         *[("wrong_axis", WRONG_AXIS_TEXT.format(how=f" ({how})"),
                            lambda c, f=f: (f(_z(c)) - _Y(c, c.K)) / c.N, None)
                           for how, f in WRONG_AXIS_SOFTMAX])),
    _array_target(("D12",), "delta_ce_softmax_jacobian", "dZ",
                  lambda c: delta_ce_softmax_jacobian(_z(c), c.inputs["y"]),
                  sig="fn(z, y) -> ∂L/∂z through the full Jacobian, shape (N, K)",
                  y="classes", mean=True,
                  extra=(("erratum", erratum_text("E8"), _ce_delta_jac_e8, "E8"),)),
    _array_target((), "sigmoid", "A", lambda c: sigmoid(_z(c)),
                  sig="fn(z) -> σ(z), shape (N, K)", large=True,
                  extra=(("sign", "σ(−z) = 1/(1 + e^z): the exponent's sign is flipped; "
                          "σ(z) = 1/(1 + e^(−z))", lambda c: sigmoid(-_z(c)), None),
                         ("unstable", f"e^z/(1 + e^z) is inf/inf = nan at z = {LARGE:.0f}: "
                          "use 1/(1 + e^(−z)) for z ≥ 0 and e^z/(1 + e^z) for z < 0",
                          lambda c: _unshifted_sigmoid(_z(c)), None))),
    _array_target((), "relu", "A", lambda c: relu(_z(c)),
                  sig="fn(z) -> max(z, 0) elementwise, shape (N, K)", zeros=True, large=True,
                  shape_forms=(("shape", "np.max(z, 0) is the largest entry of each column; "
                                "relu is np.maximum(z, 0), elementwise",
                                lambda c: np.max(_z(c), axis=0)),)),
]


def _unshifted_sigmoid(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.exp(z) / (1 + np.exp(z))


# ---------------------------------------------------------------- D5: one-hot, argmax
def _label_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for N, K in ((5, 3), (1, 4), (6, 6)):
        labels = rng.integers(0, K, N)
        labels[0] = K - 1
        out.append(Case(f"N={N}, K={K}", "labels", {"labels": labels, "K": K}, N, K))
    return out


def _one_hot_call(fn: Callable, c: Case, layout: str) -> Call:
    return Call((c.inputs["labels"].copy(), c.inputs["K"]), {}, "fn(labels, num_classes)")


ONE_HOT = Target(
    ("D5",), "one_hot", "fn(labels, num_classes) -> Y, shape (N, K), Y[n, y_n] = 1",
    _label_cases, (("", _one_hot_call),), _one("Y"),
    lambda c, conv: {"Y": one_hot(c.inputs["labels"], c.inputs["K"])},
    lambda o: "batch", lambda c: ["Y"], lambda cases, conv: [])


def _score_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for N in (5, 1, 4):
        out.append(Case(f"N={N}, K=3", "scores", {"z": rng.standard_normal((N, 3))}, N, 3))
    z = rng.standard_normal((4, 3)) + np.array([LARGE, 0.0, -LARGE])
    out.append(Case(f"N=4, K=3, extreme scores (|z| ≈ {LARGE:.0f})", "scores", {"z": z}, 4, 3,
                    ("large",)))
    return out


PREDICT_LABELS = Target(
    (), "predict_labels", "fn(scores) -> labels, shape (N,): the argmax over the classes",
    _score_cases, (("", _z_call),), _one("labels"),
    lambda c, conv: {"labels": predict_labels(_z(c)).astype(np.float64)},
    lambda o: "labels", lambda c: ["labels"], lambda cases, conv: [],
    shape_forms=lambda o: [("wrong_axis", "the argmax over axis 0 (the examples); the "
                            "prediction is the argmax over axis 1, the classes",
                            lambda c: np.argmax(_z(c), axis=0))])


# ---------------------------------------------------------------- D14 dense backward
def _dense_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for N in (4, 1):
        X, W, b = rng.standard_normal((N, 5)), rng.standard_normal((5, 3)), rng.standard_normal(3)
        out.append(Case(f"N={N}, X ({N}, 5), W (5, 3)", "dense",
                        {"dZ": rng.standard_normal((N, 3)), "X": X, "W": W, "b": b}, N, 3))
    return out


def _dense_call(with_b: bool) -> Callable:
    def call(fn, c, layout):
        cache = (to_user("batch", c.inputs["X"], layout), to_user("W", c.inputs["W"], layout))
        if with_b:
            cache += (to_user("b", c.inputs["b"], layout),)
        return Call((to_user("batch", c.inputs["dZ"], layout), cache), {},
                    "fn(dZ, (X, W, b))" if with_b else "fn(dZ, (X, W))")
    return call


def _dense_parse(raw: Any, c: Case) -> dict:
    if not isinstance(raw, (tuple, list)) or len(raw) != 3:
        raise BadReturn(f"the result is a {type(raw).__name__}"
                        + (f" of length {len(raw)}" if isinstance(raw, (tuple, list)) else "")
                        + ", expected the tuple (dX, dW, db)")
    return {k: as_array(v, k) for k, v in zip(("dX", "dW", "db"), raw)}


def _dense_ref(c: Case, conv: Conventions | None = None) -> dict:
    dX, dW, db = dense_backward(c.inputs["dZ"], (c.inputs["X"], c.inputs["W"]))
    return {"dX": dX, "dW": dW, "db": db}


DENSE = Target(("D14",), "dense_backward",
               "fn(dZ, cache) -> (dX, dW, db), cache = (X, W) or CS231n's (x, w, b)",
               _dense_cases,
               (("cache (X, W)", _dense_call(False)),
                ("cache (x, w, b), CS231n's affine_backward", _dense_call(True))),
               _dense_parse, _dense_ref, lambda o: {"dX": "batch", "dW": "W", "db": "b"}[o],
               lambda c: ["dW", "db", "dX"],
               lambda cases, conv: output_models(["dW", "db", "dX"], _dense_ref, conv))


# ---------------------------------------------------------------- D15 hidden delta
HIDDEN = {"relu": (relu, relu_prime), "sigmoid": (sigmoid, sigmoid_prime),
          "tanh": (tanh, tanh_prime)}


def _hidden_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for act in HIDDEN:
        for N in (4, 1):
            z = rng.standard_normal((N, 5))
            tags: tuple = ()
            if act == "relu" and N > 1:
                z.flat[::3] = 0.0
                tags = ("zeros",)
            out.append(Case(f"N={N}, activation={act}, W_next (5, 3)"
                            + (", z has exact zeros" if tags else ""), act,
                            {"delta_next": rng.standard_normal((N, 3)),
                             "W_next": rng.standard_normal((5, 3)), "z": z, "act": act},
                            N, 3, tags))
    return out


def _hidden_call(fn: Callable, c: Case, layout: str) -> Call:
    args = (to_user("batch", c.inputs["delta_next"], layout),
            to_user("W", c.inputs["W_next"], layout), to_user("batch", c.inputs["z"], layout))
    if accepts(fn, "activation", 3):
        return Call(args + (c.inputs["act"],), {},
                    f"fn(delta_next, W_next, z, {c.inputs['act']!r})")
    if c.inputs["act"] != "relu":
        raise Refused("no activation parameter")
    return Call(args, {}, "fn(delta_next, W_next, z)")


def _hidden_ref(c: Case, conv: Conventions | None = None) -> dict:
    i = c.inputs
    return {"dZ": hidden_delta(i["delta_next"], i["W_next"], i["z"], i["act"])}


def _upstream(c: Case) -> np.ndarray:
    return c.inputs["delta_next"] @ c.inputs["W_next"].T


def _hidden_models(cases: list, conv: Conventions) -> list[Model]:
    ms = output_models(["dZ"], _hidden_ref, conv)
    ms.append(Model("missing_activation_derivative", "dZ",
                    "matches δ_next W_nextᵀ without ⊙ g'(z): the activation's derivative "
                    "(the ReLU mask) is dropped", lambda c: {"dZ": _upstream(c)}))
    ms.append(Model("missing_activation_derivative", "dZ",
                    gprime_of_z_text("sigmoid", "for sigmoid, z(1 − z)") + "; for tanh, "
                    "1 − z² likewise",
                    lambda c: {"dZ": _upstream(c) * GPRIME_OF_A[c.inputs["act"]](c.inputs["z"])}))
    ms.append(Model("relu_at_zero", "dZ", "wrong only where z is exactly 0: relu'(0) is 1 "
                    "here; it is 0 (torch and JAX)",
                    lambda c: {"dZ": _e("E6").literal_form(z=c.inputs["z"], g=_upstream(c))
                               if c.inputs["act"] == "relu" else _hidden_ref(c)["dZ"]}, "E6"))
    return ms


HIDDEN_DELTA = Target(("D15",), "hidden_delta",
                      "fn(delta_next, W_next, z, activation) -> dZ, shape (N, H); "
                      "activation: 'relu' | 'sigmoid' | 'tanh'",
                      _hidden_cases, (("", _hidden_call),), _one("dZ"), _hidden_ref,
                      lambda o: "batch", lambda c: ["dZ"], _hidden_models)


# ---------------------------------------------------------------- D16 l2 gradient
def _l2_cases(rng: np.random.Generator) -> list[Case]:
    return [Case(f"W (5, 3), reg={r}", "l2", {"W": rng.standard_normal((5, 3)), "reg": r}, 1, 3)
            for r in (0.1, 0.0, 2.5)]


PENALTY = {"half": "½·reg·ΣW²", "sum": "reg·ΣW²"}


def reg_grad_text(mult: float) -> str:
    """``mult``·reg·W as the messages write it."""
    return {1.0: "reg·W", 2.0: "2·reg·W", 0.5: "½·reg·W", 4.0: "4·reg·W",
            0.25: "¼·reg·W", 0.0: "0"}.get(mult, f"{mult:g}·reg·W")


def reg_scale_text(fac: float, conv: Conventions, what: str = "the L2 gradient") -> str:
    """A reg_scale message: ``fac`` × the declared convention's gradient."""
    mult = fac * conv.l2_factor
    text = (f"{what} is {reg_grad_text(mult)}; the declared penalty {PENALTY[conv.l2]} "
            f"(l2={conv.l2!r}) has gradient {reg_grad_text(conv.l2_factor)}")
    if mult == 2.0:
        text += " (2·reg·W is the gradient of reg·ΣW², CS231n's convention since 2017)"
    elif mult == 0.5:
        text += " (the ½ of the penalty kept in its gradient)"
    return text


def _l2_models(cases: list, conv: Conventions) -> list[Model]:
    ms = []
    for fac in (2.0, 0.5):
        other = {1.0: "half", 2.0: "sum"}.get(fac * conv.l2_factor)
        hint = (f"; if your penalty is {PENALTY[other]}, " + declare_hint("l2", other)
                if other and other != conv.l2 else "")
        ms.append(Model("reg_scale", "dW", reg_scale_text(fac, conv, "dW") + hint,
                        _l2_times(fac * conv.l2_factor)))
    ms.append(Model("sign", "dW", f"dW is the negative of {reg_grad_text(conv.l2_factor)}",
                    _l2_times(-conv.l2_factor)))
    return ms


def _l2_times(mult: float) -> Callable[[Case], dict]:
    def compute(c: Case) -> dict:
        return {"dW": mult * c.inputs["reg"] * c.inputs["W"]}
    return compute


L2 = Target(("D16",), "l2_grad", "fn(W, reg) -> dW, the gradient of the L2 penalty",
            _l2_cases,
            (("", lambda fn, c, layout: Call((to_user("W", c.inputs["W"], layout),
                                              c.inputs["reg"]), {}, "fn(W, reg)")),),
            _one("dW"),
            lambda c, conv: {"dW": conv.l2_factor * l2_grad(c.inputs["W"], c.inputs["reg"])},
            lambda o: "W", lambda c: ["dW"], _l2_models, ("layout", "l2"))


# ---------------------------------------------------------------- D20 SGD step
def _sgd_cases(rng: np.random.Generator) -> list[Case]:
    out = []
    for lr, sizes in ((0.1, (3, 5, 3)), (0.5, (4, 2))):
        params, grads = {}, {}
        for l in range(1, len(sizes)):
            params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l]))
            params[f"b{l}"] = rng.standard_normal(sizes[l])
            grads[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l]))
            grads[f"b{l}"] = rng.standard_normal(sizes[l])
        out.append(Case(f"{'-'.join(map(str, sizes))}, lr={lr}", "sgd",
                        {"params": params, "grads": grads, "lr": lr}, 1, sizes[-1]))
    return out


def _sgd_call(fn: Callable, c: Case, layout: str) -> Call:
    return Call((params_in(c.inputs["params"], layout), params_in(c.inputs["grads"], layout),
                 c.inputs["lr"]), {}, "fn(params, grads, lr)")


def _sgd_parse(raw: Any, c: Case) -> dict:
    keys = list(c.inputs["params"])
    if not isinstance(raw, dict):
        raise BadReturn(f"the result is a {type(raw).__name__}, expected a dict of the new "
                        "parameters")
    missing = [k for k in keys if k not in raw]
    if missing:
        raise BadReturn(f"the result has keys {sorted(map(str, raw))}; expected "
                        f"{', '.join(keys)}")
    return {k: as_array(raw[k], f"the new {k}") for k in keys}


def _sgd_step_with(step: Callable) -> Callable[[Case], dict]:
    def compute(c):
        i = c.inputs
        return {k: i["params"][k] - step(i["grads"][k], i["lr"]) for k in i["params"]}
    return compute


SGD = Target(("D20",), "sgd_step", "fn(params, grads, lr) -> new params, θ − η·∂L/∂θ per key",
             _sgd_cases, (("", _sgd_call),), _sgd_parse,
             lambda c, conv: sgd_step(c.inputs["params"], c.inputs["grads"], c.inputs["lr"]),
             lambda o: "W" if o[0] == "W" else "b", lambda c: list(c.inputs["params"]),
             lambda cases, conv: [
                 Model("sign", "W1", "θ + η·∂L/∂θ: a step up the gradient; SGD steps down, "
                       "θ − η·∂L/∂θ", _sgd_step_with(lambda g, lr: -lr * g)),
                 Model("scale", "W1", "θ − ∂L/∂θ: the step is not multiplied by the "
                       "learning rate η", _sgd_step_with(lambda g, lr: g))])


# =========================================================================== registry
def _all() -> list[Target]:
    from .networks import NETWORK_TARGETS
    return [*ARRAY_TARGETS, ONE_HOT, PREDICT_LABELS, DENSE, HIDDEN_DELTA, L2, SGD,
            *NETWORK_TARGETS]


def targets() -> dict:
    """``{derivation id or public name: public name}``: every valid ``against``."""
    out: dict[str, str] = {}
    for t in _all():
        for i in t.ids:
            out.setdefault(i, t.name)
    out.update({t.name: t.name for t in _all()})
    return out


def resolve(against: str) -> str:
    """The public name of the reference ``against`` names (``"D17"`` ->
    ``"two_layer.loss_and_grads"``); a ValueError lists the valid ones."""
    return target(against).name


def target(against: Any) -> Target:
    """The target ``against`` names: a derivation id or a public name (``bp.`` or
    ``backprop_ref.`` in front is fine)."""
    key = str(against).strip()
    for prefix in ("backprop_ref.", "bp."):
        if key.startswith(prefix):
            key = key[len(prefix):]
    ts = _all()
    for t in ts:
        if key.upper() in t.ids or key == t.name:
            return t
    ids = sorted({i for t in ts for i in t.ids}, key=lambda s: int(s[1:]))
    raise ValueError(f"unknown derivation {against!r}; expected one of {', '.join(ids)} or "
                     f"{', '.join(t.name for t in ts)}")
