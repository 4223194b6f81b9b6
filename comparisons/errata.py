"""The slips in the notes, each measured against autograd (SPEC §3 "Errata").

Each :class:`Erratum` holds the note's literal form and the corrected form as NumPy code,
the case they run on, and which autograd output is the truth.  :func:`measure` runs both
against a framework backend: the literal form must disagree (or fail outright, as a shape
error does) and the corrected form must agree within SPEC §5.  The tests and
``backprop-ref errata`` both read this one registry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import backprop_ref as bp

from . import cases
from ._optional import MissingExtra
from .agreement import TOLERANCES
from .backends import Case, Twin, get_backend
from .catalog import NETWORK_TWIN

__all__ = ["Erratum", "ERRATA", "measure", "Measurement"]


@dataclass(frozen=True)
class Erratum:
    id: str
    note: str
    title: str
    literal: str
    corrected: str
    case: Callable
    twin: Twin
    key: str                                  # the twin's output that is the truth
    literal_fn: Callable[[Case], np.ndarray]
    corrected_fn: Callable[[Case], np.ndarray]
    literal_agrees: bool = False              # the note's form is right (E4) ...
    contrast: tuple | None = None             # ... and this other reading is not


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


def _matmul(a, b):
    """``a @ b`` as the note writes it, with a message that shows the two shapes."""
    if a.shape[-1] != b.shape[0]:
        raise ValueError(f"{a.shape} @ {b.shape} does not multiply")
    return a @ b


def _relu_mask_literal(c):
    params, res, Y = _net(c)
    A1, dA1 = res.intermediates["A1"], res.intermediates["dA1"].copy()
    dA1[A1 == 0] = 0                     # note 001: da1mat[a1 == 0] = 0
    return dA1


def _relu_mask_geq(c):
    params, res, Y = _net(c)
    return res.intermediates["dA1"] * (res.intermediates["Z1"] >= 0)   # note 003: 1 for z ≥ 0


def _literal_dA1_wrong_layer(c):
    params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
    res = bp.mlp.loss_and_grads(params, c["X"], c["y"], hidden="relu", head="softmax_ce")
    return res.intermediates["dZ2"] @ params["W1"]          # (A2 − y)·w1


def _literal_softmax_jacobian(c):
    A = bp.softmax(c["z"])
    J = A[:, :, None] * A[:, None, :]                        # off-diagonal A_j A_k
    K = A.shape[1]
    J[:, np.arange(K), np.arange(K)] = A * (1 - A)
    return J


ERRATA: tuple[Erratum, ...] = (
    Erratum(
        "E1", "000", "softmax denominator reuses the numerator's index i",
        "e^{z_i} / Σ_i e^{z_i}  (i bound twice: every term is e^{z_i}, so A_i = 1/K)",
        "e^{z_i} / Σ_j e^{z_j}",
        cases.elementwise, Twin("softmax", wrt=("z",), cotangent="g"), "out",
        lambda c: np.exp(c["z"]) / (c["z"].shape[1] * np.exp(c["z"])),
        lambda c: bp.softmax(c["z"])),
    Erratum(
        "E2", "001", "P = p.sum(axis=1, keepdim=True) overwrites P with the row sums",
        "P = np.exp(scores); P = P.sum(axis=1, keepdims=True)",
        "P = np.exp(scores − max); P /= P.sum(axis=1, keepdims=True)",
        cases.elementwise, Twin("softmax", wrt=("z",), cotangent="g"), "out",
        lambda c: np.broadcast_to(np.exp(c["z"]).sum(axis=1, keepdims=True), c["z"].shape),
        lambda c: bp.softmax(c["z"])),
    Erratum(
        "E3", "001", "∂L/∂W2 = (p − y_ind)·a1 multiplies (200×3)(200×10)",
        "(P − Y_ind) @ A1", "A1ᵀ (P − Y_ind) / N",
        _notes_case, NETWORK_TWIN, "dW2",
        lambda c: (lambda p, r, Y: _matmul(r.intermediates["A2"] - Y, r.intermediates["A1"]))(
            *_net(c)),
        lambda c: (lambda p, r, Y: r.intermediates["A1"].T @ (r.intermediates["A2"] - Y)
                   / Y.shape[0])(*_net(c))),
    Erratum(
        "E4", "001", "the ReLU mask is taken from a1 == 0",
        "da1[a1 == 0] = 0  (right: the same mask as z1 ≤ 0, i.e. relu'(0) = 0)",
        "dZ1 = dA1 ⊙ 1[Z1 > 0]",
        _notes_case, NETWORK_TWIN, "dZ1", _relu_mask_literal,
        lambda c: _net(c)[1].intermediates["dZ1"],
        literal_agrees=True, contrast=("note 003's relu'(0) = 1 (mask z1 ≥ 0)", _relu_mask_geq)),
    Erratum(
        "E5", "002", "∂L/∂b carries 1/m but ∂L/∂W = a^{L−1}·δ does not",
        "dW2 = A1ᵀ (A2 − Y)  (no 1/m)", "dW2 = A1ᵀ (A2 − Y) / m",
        _notes_case, NETWORK_TWIN, "dW2",
        lambda c: (lambda p, r, Y: r.intermediates["A1"].T @ (r.intermediates["A2"] - Y))(*_net(c)),
        lambda c: _net(c)[1].grads["W2"]),
    Erratum(
        "E6", "003", "relu'(z) = 1 for z ≥ 0 differs from the frameworks at z = 0",
        "relu'(z) = 1[z ≥ 0]", "relu'(z) = 1[z > 0]",
        cases.relu_case, Twin("relu", wrt=("z",), cotangent="g", value=False), "dz",
        lambda c: c["g"] * (c["z"] >= 0),
        lambda c: c["g"] * bp.relu_prime(c["z"])),
    Erratum(
        "E7", "003", "∂L/∂A1 = (A2 − y)·w1 uses the wrong layer's weights",
        "dA1 = (A2 − Y)/N · W1  (3→10→3 net, so the shapes multiply)", "dA1 = (A2 − Y)/N · W2ᵀ",
        _square_case, NETWORK_TWIN, "dA1", _literal_dA1_wrong_layer,
        lambda c: bp.mlp.loss_and_grads({k: v for k, v in c.arrays.items() if k[0] in "Wb"},
                                        c["X"], c["y"]).intermediates["dA1"]),
    Erratum(
        "E8", "004", "the off-diagonal softmax Jacobian entry is written A_j A_k",
        "∂A_j/∂z_k = A_j A_k (j ≠ k)", "∂A_j/∂z_k = −A_j A_k (j ≠ k)",
        cases.elementwise, Twin("softmax", kind="jacobian", wrt=("z",)), "J",
        _literal_softmax_jacobian, lambda c: bp.softmax_jacobian(c["z"])),
    Erratum(
        "E9", "001", "∂L/∂W2 = a1.T.dot(p − y_ind) + reg·W2 drops the 1/N of ∂Z2 = (p − Y_ind)/N",
        "A1ᵀ (P − Y_ind) + reg·W2", "A1ᵀ (P − Y_ind)/N + reg·W2",
        _notes_case_reg, NETWORK_TWIN, "dW2",
        lambda c: (lambda p, r, Y: r.intermediates["A1"].T @ (r.intermediates["A2"] - Y)
                   + c["reg"] * p["W2"])(*_net(c)),
        lambda c: _net(c)[1].grads["W2"]),
    Erratum(
        "E10", "002", "2-class CE: the struck-out term y_{n,0} log ŷ_{n,0} is needed",
        "−(1/N) Σ y log a  (second term struck out)",
        "−(1/N) Σ [y log a + (1 − y) log(1 − a)]",
        cases.probs_binary, Twin("binary_cross_entropy", wrt=("a",), has_aux=True), "out",
        lambda c: -np.sum(c["y"] * np.log(c["a"])) / c["a"].shape[0],
        lambda c: bp.binary_cross_entropy(c["a"], c["y"])),
)

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
