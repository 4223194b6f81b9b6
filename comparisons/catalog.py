"""The derivation catalog D1–D20: one entry per derivation in the notes.

Each :class:`Derivation` holds its id, title, notes, the reference callable (what
``backprop_ref`` computes, keyed like the backends' output), the :class:`Twin` that tells
torch / JAX / central differences how to differentiate the same forward pass, a case
generator, and a SymPy proof where the statement is algebraic.  The tests parametrize over
``CATALOG`` and the verify report prints from it: adding a derivation means adding one
entry here (and, if it needs a new forward, that forward in each ``twins_*`` module).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import backprop_ref as bp

from . import cases
from .backends import Case, Twin

__all__ = ["Derivation", "CATALOG", "NETWORK_TWIN", "get", "ids"]


@dataclass(frozen=True)
class Derivation:
    id: str
    title: str
    notes: tuple
    equation: str
    reference: Callable[[Case], dict]
    cases: Callable
    twin: Twin
    fd: bool = True             # central differences apply
    sympy: bool = False         # a SymPy proof exists (comparisons.symbolic.PROOFS)
    exact: frozenset = frozenset()   # keys compared bit for bit
    expect: str = "agree"       # "disagree": the check shows the notes' form is wrong
    float32: bool = True
    reference_name: str = ""    # the public function(s) under test

    @property
    def notes_str(self) -> str:
        return " ".join(self.notes)


def _network_ref(fn, *, general: bool):
    """Adapt a network's ``loss_and_grads`` to the backends' keys.

    ``general``: ``fn`` is the L-layer MLP's and takes ``hidden`` and ``head``; otherwise it
    is the notes' two-layer network, fixed to relu and softmax + CE.
    """
    def ref(c: Case):
        params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
        kwargs = {"hidden": c["hidden"], "head": c["head"]} if general else {}
        res = fn(params, c["X"], c["y"], reg=c["reg"], **kwargs)
        out = {"out": np.asarray(res.loss)}
        out.update({f"d{k}": v for k, v in res.grads.items()})
        out.update(res.intermediates)
        return out
    return ref


def _network_wrt(c: Case):
    return tuple(k for k in c.arrays if k[0] in "Wb" or k.startswith("e"))


def _network_renames(max_layers=8):
    return {f"de{k}{l}": f"d{k}{l}" for l in range(1, max_layers + 1) for k in "ZA"}


NETWORK_TWIN = Twin("mlp_loss", wrt=_network_wrt, rename=_network_renames(), has_aux=True)


def _sgd_ref(c: Case):
    params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
    fn = lambda p, X, y: bp.mlp.loss_and_grads(  # noqa: E731
        p, X, y, hidden=c["hidden"], head=c["head"], reg=c["reg"])
    final, hist = bp.training.fit(fn, params, c["X"], c["y"], lr=c["lr"], epochs=c["steps"])
    return {"losses": np.asarray(hist.step_losses), **final}


def _labels_ref(c: Case):
    return {"Y": bp.one_hot(c["labels"], c["num_classes"], dtype=c["scores"].dtype),
            "pred": bp.predict_labels(c["scores"])}


def _dense_ref(c: Case):
    Z, cache = bp.dense_forward(c["x"], c["W"], c["b"])
    dx, dW, db = bp.dense_backward(c["g"], cache)
    return {"out": Z, "dx": dx, "dW": dW, "db": db}


def _bce_ref(c: Case):
    a, y = c["a"], c["y"]
    # D8's identity, numerically: the 2-class CE of [1 − a, a] (soft targets [1 − y, y]),
    # summed over the K independent outputs, equals BCE
    ce2 = sum(bp.cross_entropy(np.stack([1 - a[:, k], a[:, k]], axis=1),
                               np.stack([1 - y[:, k], y[:, k]], axis=1))
              for k in range(a.shape[1]))
    return {"out": np.asarray(bp.binary_cross_entropy(a, y)),
            "da": bp.binary_cross_entropy_grad(a, y), "L_2class": np.asarray(ce2)}


CATALOG: tuple[Derivation, ...] = (
    Derivation(
        id="D1", title="sigmoid and σ'(z) = σ(z)(1 − σ(z))", notes=("002",),
        equation="σ' = σ(1 − σ)",
        reference=lambda c: {"out": bp.sigmoid(c["z"]),
                             "dz": c["g"] * bp.sigmoid_prime(c["z"])},
        cases=cases.elementwise, twin=Twin("sigmoid", wrt=("z",), cotangent="g"),
        sympy=True, reference_name="sigmoid, sigmoid_prime"),
    Derivation(
        id="D2", title="relu(z) = max(z, 0), relu'(z) = 1[z > 0]", notes=("001", "003", "004"),
        equation="relu'(0) = 0",
        reference=lambda c: {"out": bp.relu(c["z"]), "dz": c["g"] * bp.relu_prime(c["z"])},
        cases=cases.relu_case, twin=Twin("relu", wrt=("z",), cotangent="g"),
        exact=frozenset({"out", "dz"}), reference_name="relu, relu_prime"),
    Derivation(
        id="D3", title="softmax over each row, stable for any finite logits",
        notes=("000", "001", "003", "004"), equation="A = e^z / Σ_j e^z_j",
        reference=lambda c: {"out": bp.softmax(c["z"]),
                             "dz": bp.softmax_backward(c["g"], c["z"])},
        cases=cases.elementwise, twin=Twin("softmax", wrt=("z",), cotangent="g"),
        sympy=True, reference_name="softmax, softmax_backward"),
    Derivation(
        id="D4", title="softmax Jacobian ∂A_i/∂z_k = A_i(δ_ik − A_k), the (N, K, K) tensor",
        notes=("003", "004"), equation="J = diag(A) − A Aᵀ",
        reference=lambda c: {"J": bp.softmax_jacobian(c["z"])},
        cases=cases.elementwise, twin=Twin("softmax", kind="jacobian", wrt=("z",)),
        sympy=True, reference_name="softmax_jacobian"),
    Derivation(
        id="D5", title="one-hot Y_ind[n, k] = 1[y_n = k]; prediction = argmax over classes",
        notes=("000", "001"), equation="Y_ind, argmax",
        reference=_labels_ref, cases=cases.labels_case, twin=Twin("labels", kind="values"),
        fd=False, exact=frozenset({"Y", "pred"}), reference_name="one_hot, predict_labels"),
    Derivation(
        id="D6", title="MSE (1/N)Σ ½‖a − y‖² and ∂L/∂a = (a − y)/N", notes=("002",),
        equation="∂L/∂a = (a − y)/N",
        reference=lambda c: {"out": np.asarray(bp.mse(c["a"], c["y"])),
                             "da": bp.mse_grad(c["a"], c["y"])},
        cases=cases.regression, twin=Twin("mse", wrt=("a",)), sympy=True,
        reference_name="mse, mse_grad"),
    Derivation(
        id="D7", title="categorical CE −(1/N)ΣΣ Y log A and ∂L/∂A = −Y/(N·A)",
        notes=("002", "003", "004"), equation="∂L/∂A = −Y/(N·A)",
        reference=lambda c: {"out": np.asarray(bp.cross_entropy(c["probs"], c["y"])),
                             "dprobs": bp.cross_entropy_grad(c["probs"], c["y"])},
        cases=cases.probs_and_labels, twin=Twin("cross_entropy_probs", wrt=("probs",)),
        sympy=True, reference_name="cross_entropy, cross_entropy_grad"),
    Derivation(
        id="D8", title="binary CE and its gradient; 2-class categorical CE equals BCE",
        notes=("002",), equation="∂L/∂a = (a − y)/(N a(1 − a))",
        reference=_bce_ref, cases=cases.probs_binary,
        twin=Twin("binary_cross_entropy", wrt=("a",), has_aux=True), sympy=True,
        reference_name="binary_cross_entropy, binary_cross_entropy_grad"),
    Derivation(
        id="D9", title="output delta, MSE + sigmoid: δ = (a − y) ⊙ σ'(z)/N", notes=("002",),
        equation="δ = (a − y) ⊙ σ'(z)/N",
        reference=lambda c: {"dz": bp.delta_mse_sigmoid(c["z"], c["y"])},
        cases=cases.logits_binary, twin=Twin("mse_sigmoid", wrt=("z",), value=False),
        sympy=True, reference_name="delta_mse_sigmoid"),
    Derivation(
        id="D10", title="output delta, BCE + sigmoid: δ = (a − y)/N (σ' cancels)",
        notes=("002",), equation="δ = (a − y)/N",
        reference=lambda c: {
            "out": np.asarray(bp.binary_cross_entropy_with_logits(c["z"], c["y"])),
            "dz": bp.delta_bce_sigmoid(c["z"], c["y"])},
        cases=cases.logits_binary, twin=Twin("bce_logits", wrt=("z",)), sympy=True,
        reference_name="delta_bce_sigmoid"),
    Derivation(
        id="D11", title="output delta, CE + softmax, simplified: δ = (A − Y)/N",
        notes=("000", "001", "002", "003", "004"), equation="δ = (A − Y)/N",
        reference=lambda c: {"out": np.asarray(bp.cross_entropy_with_logits(c["z"], c["y"])),
                             "dz": bp.delta_ce_softmax(c["z"], c["y"])},
        cases=cases.logits_classes, twin=Twin("ce_logits", wrt=("z",)), sympy=True,
        reference_name="delta_ce_softmax"),
    Derivation(
        id="D12",
        title="output delta, CE + softmax through the full Jacobian: δ_n = J_nᵀ ∂L/∂A_n",
        notes=("003", "004"), equation="δ = Jᵀ(−Y/(N·A)) = (A − Y)/N",
        reference=lambda c: {"dz": bp.delta_ce_softmax_jacobian(c["z"], c["y"])},
        cases=cases.logits_classes, twin=Twin("ce_through_probs", wrt=("z",), value=False),
        sympy=True, reference_name="delta_ce_softmax_jacobian"),
    Derivation(
        id="D13", title="the struck-out pairing (a − y) ⊙ σ'(z) with cross-entropy disagrees",
        notes=("002",), equation="(a − y) ⊙ σ'(z) ≠ ∂BCE/∂z",
        reference=lambda c: {"dz": bp.delta_mse_sigmoid(c["z"], c["y"])},
        cases=cases.logits_binary, twin=Twin("bce_logits", wrt=("z",), value=False),
        sympy=True, expect="disagree", reference_name="delta_mse_sigmoid used with BCE"),
    Derivation(
        id="D14", title="dense backward: ∂L/∂W = A_prevᵀδ, ∂L/∂b = Σ_n δ_n, ∂L/∂A_prev = δWᵀ",
        notes=("000", "001", "004"), equation="dW = Aᵀδ, db = Σδ, dA = δWᵀ",
        reference=_dense_ref, cases=cases.dense_case,
        twin=Twin("dense", wrt=("x", "W", "b"), cotangent="g"), sympy=True,
        reference_name="dense_forward, dense_backward"),
    Derivation(
        id="D15", title="hidden delta δ^l = (δ^{l+1} W^{l+1ᵀ}) ⊙ g'(Z^l) for relu, sigmoid, tanh",
        notes=("002", "004"), equation="δ^l = (δ^{l+1}W^{l+1ᵀ}) ⊙ g'(Z^l)",
        reference=lambda c: {"dz": bp.hidden_delta(c["g"], c["W_next"], c["z"],
                                                   c["activation"])},
        cases=cases.hidden_case, twin=Twin("hidden", wrt=("z",), cotangent="g", value=False),
        sympy=True, reference_name="hidden_delta"),
    Derivation(
        id="D16", title="L2 term ½·reg·Σ‖W‖², gradient reg·W", notes=("001",),
        equation="∂R/∂W = reg·W",
        reference=lambda c: {"out": np.asarray(bp.l2_penalty([c["W1"], c["W2"]], c["reg"])),
                             "dW1": bp.l2_grad(c["W1"], c["reg"]),
                             "dW2": bp.l2_grad(c["W2"], c["reg"])},
        cases=cases.l2_case, twin=Twin("l2", wrt=("W1", "W2")), sympy=True,
        reference_name="l2_penalty, l2_grad"),
    Derivation(
        id="D17", title="the notes' network 200×4 → 10 relu → 3 softmax, CE + L2: loss and "
        "every intermediate", notes=("001", "003", "004"),
        equation="Z1 A1 Z2 A2 dZ2 dW2 db2 dA1 dZ1 dW1 db1",
        reference=_network_ref(bp.two_layer.loss_and_grads, general=False),
        cases=cases.notes_network, twin=NETWORK_TWIN, reference_name="two_layer.loss_and_grads"),
    Derivation(
        id="D18", title="L-layer MLP, hidden relu/sigmoid/tanh, heads softmax+CE, sigmoid+BCE, "
        "sigmoid+MSE, identity+MSE", notes=("002", "004"),
        equation="δ^L = head.delta; δ^l = (δ^{l+1}Wᵀ)⊙g'",
        reference=_network_ref(bp.mlp.loss_and_grads, general=True),
        cases=cases.mlp_case, twin=NETWORK_TWIN, reference_name="mlp.loss_and_grads"),
    Derivation(
        id="D19", title="per-sample loop (column vectors, summed, divided by m) equals the batch",
        notes=("002",), equation="Σ_n a_n δ_nᵀ / m = Aᵀ Δ / m",
        reference=_network_ref(bp.two_layer.loss_and_grads_loop, general=False),
        cases=cases.notes_network, twin=NETWORK_TWIN, sympy=True,
        reference_name="two_layer.loss_and_grads_loop"),
    Derivation(
        id="D20", title="SGD θ ← θ − η ∂L/∂θ: 100 steps match torch.optim's SGD from the same start",
        notes=("002",), equation="θ ← θ − η ∂L/∂θ",
        reference=_sgd_ref, cases=cases.sgd_case, twin=Twin("sgd_run", kind="run"),
        fd=False, float32=False, reference_name="training.fit"),
)

_BY_ID = {d.id: d for d in CATALOG}


def ids() -> list[str]:
    return [d.id for d in CATALOG]


def get(derivation_id: str) -> Derivation:
    try:
        return _BY_ID[derivation_id]
    except KeyError:
        raise ValueError(f"unknown derivation id {derivation_id!r}; expected one of "
                         f"{', '.join(ids())}") from None
