"""D1–D20 against torch autograd, JAX grad and central differences.

One test per (derivation, backend, seed): the reference and the twin run on the same
seeded case and every key the backend returns is compared under the agreement bound.  Run one
derivation with ``pytest -m D11``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

from comparisons import agreement, cases, catalog
from comparisons.catalog import CATALOG, get

SEEDS = (0, 1, 2)
TWINS = ("torch", "jax")


def _params(backends, seeds=SEEDS, keep=lambda d: True):
    return [pytest.param(d, b, s, id=f"{d.id}-{b}-seed{s}")
            for d in CATALOG if keep(d) for b in backends for s in seeds]


def _assert(outcome):
    assert outcome.status == "ok", (
        f"{outcome.derivation} vs {outcome.backend} ({outcome.dtype}): {outcome.message}; "
        + ", ".join(f"{c.key}: |Δ|={c.max_abs:.2e} bound {c.bound:.1e}" for c in outcome.checks))


@pytest.mark.parametrize(("d", "backend", "seed"), _params(TWINS))
def test_agrees_with_autograd(d, backend, seed):
    outcome = agreement.run(d, backend, seed=seed)
    _assert(outcome)
    if d.expect == "agree":
        # the figure the verify report prints: expect ~1e-16, never just "ok"
        assert all(c.max_abs <= c.bound for c in outcome.checks)


@pytest.mark.parametrize(("d", "backend", "seed"), _params(("fd",), keep=lambda d: d.fd))
def test_agrees_with_central_differences(d, backend, seed):
    _assert(agreement.run(d, "fd", seed=seed))


@pytest.mark.parametrize(("d", "backend", "seed"),
                         _params(("torch",), seeds=(0, 1), keep=lambda d: d.float32))
def test_float32_stays_float32_and_agrees(d, backend, seed):
    _assert(agreement.run(d, backend, seed=seed, dtype=np.float32))


@pytest.mark.parametrize("d", [pytest.param(d, id=d.id) for d in CATALOG])
def test_checks_compare_something(d):
    """Every derivation compares at least one gradient-like key with at least one backend."""
    out = agreement.run(d, "torch", seed=0)
    keys = {c.key for c in out.checks}
    assert keys, f"{d.id} compared nothing"
    assert keys - {"out"} or d.twin.kind == "values", f"{d.id} compares only values"


# Labels, one-hot rows and soft rows take different paths inside the library (one-hot rows
# are turned into labels; only soft rows reach the ``Y`` path), so each derivation that
# takes class targets is checked in all three forms.  A sign flip on the soft path alone
# once went unnoticed by the whole suite, because no case drew soft rows.
_FORM_CASES = {
    "D7": cases.probs_and_labels, "D11": cases.logits_classes, "D12": cases.logits_classes,
    "D17": cases.notes_network, "D19": cases.notes_network,
    "D18": functools.partial(cases.mlp_case, head="softmax_ce"),
}


@pytest.mark.parametrize("form", cases.TARGET_FORMS)
@pytest.mark.parametrize("backend", ("torch", "jax", "fd"))
@pytest.mark.parametrize("did", list(_FORM_CASES))
def test_every_class_target_form_agrees(did, backend, form):
    d = get(did)
    case = _FORM_CASES[did](np.random.default_rng(7), backend == "fd", form=form)
    y = np.asarray(case["y"])
    assert (y.ndim == 1) == (form == "labels")
    if form == "soft":
        assert (y > 0).all() and not np.isin(y, (0.0, 1.0)).all()
    _assert(agreement.run(d, backend, case=case))


# The catalog is built when it is imported: these build its network references and renames
# again, so that what those builders do is checked where it can change (mutation testing
# swaps functions only when they are called, and the import happened before).
_NETWORK_KEYS = {"out", "dW1", "db1", "dW2", "db2", "Z1", "A1", "Z2", "A2", "dZ2", "dA1", "dZ1"}


@pytest.mark.parametrize(("did", "fn", "general", "make"), [
    ("D17", "two_layer.loss_and_grads", False, lambda rng: cases.notes_network(rng)),
    ("D19", "two_layer.loss_and_grads_loop", False, lambda rng: cases.notes_network(rng)),
    ("D18", "mlp.loss_and_grads", True,
     lambda rng: cases.mlp_case(rng, depth=2, hidden="tanh", head="sigmoid_bce"))])
def test_network_references_hand_over_the_loss_every_gradient_and_intermediate(
        did, fn, general, make):
    import backprop_ref as bp

    module, name = fn.split(".")
    case = make(np.random.default_rng(3))
    assert case["reg"] > 0
    fresh = catalog._network_ref(getattr(getattr(bp, module), name), general=general)(case)
    built = get(did).reference(case)
    assert fresh.keys() == built.keys()
    assert fresh.keys() == _NETWORK_KEYS | ({"Z2"} if general else set())
    for k in fresh:
        assert np.array_equal(fresh[k], built[k]), k
    res = getattr(getattr(bp, module), name)(
        {k: v for k, v in case.arrays.items() if k[0] in "Wb"}, case["X"], case["y"],
        reg=case["reg"], **({"hidden": "tanh", "head": "sigmoid_bce"} if general else {}))
    assert float(fresh["out"]) == res.loss and np.array_equal(fresh["dW1"], res.grads["W1"])


def test_network_renames_map_each_perturbation_to_its_intermediate():
    want = {f"de{k}{l}": f"d{k}{l}" for l in range(1, 9) for k in "ZA"}
    assert catalog._network_renames() == want
    assert catalog._network_renames(2) == {"deZ1": "dZ1", "deA1": "dA1", "deZ2": "dZ2",
                                           "deA2": "dA2"}
    assert dict(catalog.NETWORK_TWIN.rename) == want


# ----------------------------------------------------------------- what the cases promise
# (comparisons/cases.py's docstring): shapes drawn from the rng with N = 1 included, relu
# inputs with exact zeros (relu'(0) = 0 is exercised) unless fd_safe, which keeps them at
# least KINK_MARGIN from 0.  Checked over many seeds, with the ranges' ends reached.
def test_away_from_kinks_moves_only_what_is_nearer_than_the_margin():
    z = np.array([0.0, 5e-4, -5e-4, -2e-3, 1e-3, -1e-3, 9e-4, 3.0])
    got = cases._away_from_kinks(z)
    assert np.array_equal(got, [1e-3, 1.5e-3, -1.5e-3, -2e-3, 1e-3, -1e-3, 1.9e-3, 3.0])
    assert np.abs(cases._away_from_kinks(z, 0.5)).min() == 0.5


def _many(make, n=300):
    return [make(np.random.default_rng(s)) for s in range(n)]


def test_hidden_cases_exercise_relu_at_0_unless_fd_safe():
    relu = _many(lambda r: cases.hidden_case(r, activation="relu"))
    assert all(c["z"].flat[0] == 0.0 and c["activation"] == "relu" for c in relu)
    assert all(np.count_nonzero(c["z"] == 0) == 1 for c in relu)
    safe = _many(lambda r: cases.hidden_case(r, True, activation="relu"))
    assert min(np.abs(c["z"]).min() for c in safe) >= cases.KINK_MARGIN
    for act in ("sigmoid", "tanh"):
        other = _many(lambda r: cases.hidden_case(r, activation=act), 50)
        assert all(np.all(c["z"] != 0) and c["activation"] == act for c in other)
    drawn = _many(cases.hidden_case)
    assert {c["activation"] for c in drawn} == set(cases.ACTIVATIONS)
    assert {c["z"].shape[0] for c in drawn} == set(range(1, 10))
    assert {c["z"].shape[1] for c in drawn} == set(range(2, 7))
    assert {c["W_next"].shape[1] for c in drawn} == set(range(1, 6))
    assert all(c["W_next"].shape[0] == c["z"].shape[1] and
               c["g"].shape == (c["z"].shape[0], c["W_next"].shape[1]) for c in drawn)
    z = np.concatenate([c["z"].ravel() for c in drawn if c["activation"] != "relu"])
    assert 1.8 < z.std() < 2.2                    # 2·N(0, 1): the case's stated scale


def test_label_cases_draw_every_class():
    drawn = _many(cases.labels_case)
    for c in drawn:
        K = c["num_classes"]
        assert c["scores"].shape == (len(c["labels"]), K)
        assert c["labels"].min() >= 0 and c["labels"].max() < K
    assert any(c["labels"].min() == 0 for c in drawn)
    assert any(c["labels"].max() == c["num_classes"] - 1 for c in drawn)
    assert {c["num_classes"] for c in drawn} == set(range(2, 7))
    assert {len(c["labels"]) for c in drawn} == set(range(1, 10))


def test_relu_cases_hold_exact_zeros_unless_fd_safe():
    kinked = _many(cases.relu_case, 100)
    assert all(np.count_nonzero(c["z"] == 0) >= max(1, c["z"].size // 4) for c in kinked)
    safe = _many(lambda r: cases.relu_case(r, True), 100)
    assert min(np.abs(c["z"]).min() for c in safe) >= cases.KINK_MARGIN
