"""The slips in the notes, each measured against autograd (README, "Errata").

The forms themselves (the note's literal form and the corrected one, as NumPy functions of
plain arrays) live in `backprop_ref.errata`, where the checker `backprop_ref.testing` reads
them too.  Each :class:`Erratum` here adds the case they run on, which autograd output is
the truth, and how a case becomes the forms' arrays.  :func:`measure` runs both
against a framework backend: the literal form must disagree (or fail outright, as a shape
error does) and the corrected form must agree within the
agreement bound (README, "What agreement means").  The tests and
``backprop-ref errata`` both read this one registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import backprop_ref as bp
from backprop_ref import errata as bp_errata

from . import cases
from ._optional import MissingExtra
from .agreement import TOLERANCES
from .backends import Case, Twin, get_backend
from .catalog import NETWORK_TWIN

__all__ = ["Erratum", "ERRATA", "measure", "Measurement"]


@dataclass(frozen=True)
class Erratum:
    """One slip of `backprop_ref.errata` and how to measure it against autograd.

    ``form`` holds the note's literal and corrected forms (the one registry); this adds
    the seeded case they run on, the twin and its output that is the truth, and ``args``,
    which turns a case into the forms' named arrays.
    """

    form: bp_errata.Erratum
    case: Callable
    twin: Twin
    key: str                                  # the twin's output that is the truth
    args: Callable[[Case], dict]

    id = property(lambda self: self.form.id)
    note = property(lambda self: self.form.note)
    title = property(lambda self: self.form.title)
    literal = property(lambda self: self.form.literal)
    corrected = property(lambda self: self.form.corrected)
    literal_agrees = property(lambda self: self.form.literal_agrees)

    def literal_fn(self, c: Case) -> np.ndarray:
        return self.form.literal_form(**self.args(c))

    def corrected_fn(self, c: Case) -> np.ndarray:
        return self.form.corrected_form(**self.args(c))

    @property
    def contrast(self) -> tuple | None:
        """``(text, fn(case))``: the other reading of a literal form that is right (E4)."""
        if self.form.contrast is None:
            return None
        text, fn = self.form.contrast
        return text, lambda c: fn(**self.args(c))


@dataclass(frozen=True)
class Measurement:
    erratum: str
    backend: str
    literal_error: float | None               # max |literal − autograd|
    literal_raised: str | None                # the error the literal form raises, if any
    corrected_error: float
    bound: float
    contrast_error: float | None = None
    ok: bool = False

    @property
    def literal_summary(self) -> str:
        if self.literal_raised:
            return f"raises {self.literal_raised}"
        return f"{self.literal_error:.1e}"


# ---------------------------------------------------------------------------- helpers
def _net(c: Case):
    params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
    res = bp.two_layer.loss_and_grads(params, c["X"], c["y"], reg=c["reg"])
    Y = bp.one_hot(c["y"], params["W2"].shape[1])
    return params, res, Y


def _notes_case(rng):
    c = cases.notes_network(rng, form="labels")   # X 200×4; Z1 holds exact zeros
    c.static["reg"] = 0.0
    return c


def _notes_case_reg(rng):
    c = cases.notes_network(rng, form="labels")
    c.static["reg"] = 0.1
    return c


def _square_case(rng):
    """A 3 → 10 → 3 network, so note 003's (A2 − y)·W1 has shapes that multiply."""
    return cases.network(rng, sizes=[3, 10, 3], N=50, reg=0.0, form="labels")


def _net_arrays(c: Case) -> dict:
    """The notes' network's arrays (reference values) that the two-layer forms read."""
    params, res, Y = _net(c)
    return {**res.intermediates, "Y": Y, "reg": c["reg"], "W1": params["W1"],
            "W2": params["W2"]}


def _pick(*names):
    return lambda c: {k: v for k, v in _net_arrays(c).items() if k in names}


def _square_arrays(c: Case) -> dict:
    params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
    res = bp.mlp.loss_and_grads(params, c["X"], c["y"], hidden="relu", head="softmax_ce")
    return {"dZ2": res.intermediates["dZ2"], "W1": params["W1"], "W2": params["W2"]}


_Z = lambda c: {"z": c["z"]}                      # noqa: E731
_SOFTMAX = Twin("softmax", wrt=("z",), cotangent="g")
_SETTINGS = {
    "E1": (cases.elementwise, _SOFTMAX, "out", _Z),
    "E2": (cases.elementwise, _SOFTMAX, "out", _Z),
    "E3": (_notes_case, NETWORK_TWIN, "dW2", _pick("A1", "A2", "Y")),
    "E4": (_notes_case, NETWORK_TWIN, "dZ1", _pick("Z1", "A1", "dA1")),
    "E5": (_notes_case, NETWORK_TWIN, "dW2", _pick("A1", "A2", "Y")),
    "E6": (cases.relu_case, Twin("relu", wrt=("z",), cotangent="g", value=False), "dz",
           lambda c: {"z": c["z"], "g": c["g"]}),
    "E7": (_square_case, NETWORK_TWIN, "dA1", _square_arrays),
    "E8": (cases.elementwise, Twin("softmax", kind="jacobian", wrt=("z",)), "J", _Z),
    "E9": (_notes_case_reg, NETWORK_TWIN, "dW2", _pick("A1", "A2", "Y", "W2", "reg")),
    "E10": (cases.probs_binary, Twin("binary_cross_entropy", wrt=("a",), has_aux=True), "out",
            lambda c: {"a": c["a"], "y": c["y"]}),
}

ERRATA: tuple[Erratum, ...] = tuple(Erratum(e, *_SETTINGS[e.id]) for e in bp_errata.ERRATA)

_BY_ID = {e.id: e for e in ERRATA}


def get(erratum_id: str) -> Erratum:
    if erratum_id not in _BY_ID:
        raise ValueError(f"unknown erratum {erratum_id!r}; expected one of {list(_BY_ID)}")
    return _BY_ID[erratum_id]


def _err(ours, truth) -> float:
    ours = np.broadcast_to(np.asarray(ours, dtype=np.float64), np.shape(truth))
    return float(np.abs(ours - truth).max())


def measure(e: Erratum, backend: str = "torch", *, seed: int = 0) -> Measurement:
    """Run the literal and the corrected form of ``e`` against ``backend``'s autograd."""
    be = get_backend(backend)          # MissingExtra propagates: callers choose a backend
    case = e.case(np.random.default_rng(seed))
    truth = be.evaluate(e.twin, case)[e.key]
    bound = TOLERANCES["float64"] * max(1.0, float(np.abs(truth).max()))
    corrected = _err(e.corrected_fn(case), truth)
    raised = literal = None
    try:
        out = e.literal_fn(case)
        if np.shape(out) != np.shape(truth):
            raised = f"shape {np.shape(out)} ≠ {np.shape(truth)}"
        else:
            literal = _err(out, truth)
    except ValueError as exc:
        raised = f"ValueError: {exc}"
    contrast = _err(e.contrast[1](case), truth) if e.contrast else None
    if e.literal_agrees:
        ok = literal is not None and literal <= bound and corrected <= bound and (
            contrast is None or contrast > TOLERANCES["disagree"])
    else:
        ok = corrected <= bound and (raised is not None or literal > TOLERANCES["disagree"]
                                     * max(1.0, float(np.abs(truth).max())))
    return Measurement(e.id, backend, literal, raised, corrected, bound, contrast, ok)


def first_available_backend() -> str | None:
    for name in ("torch", "jax"):
        try:
            get_backend(name)
            return name
        except MissingExtra:
            continue
    return None
