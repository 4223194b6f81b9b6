"""D1–D20 against torch autograd, JAX grad and central differences.

One test per (derivation, backend, seed): the reference and the twin run on the same
seeded case and every key the backend returns is compared under the agreement bound.  Run one
derivation with ``pytest -m D11``.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest

import backprop_ref as bp

from comparisons import agreement, cases, catalog
from comparisons.catalog import CATALOG, get

SEEDS = (0, 1, 2)
TWINS = ("torch", "jax")


def _jax_sweep(backend, seed):
    """JAX compiles an XLA program for each new case (a tenth of a second each): the default
    run checks it on seed 0, ``pytest --full`` on every seed (torch checks every seed)."""
    return backend == "jax" and seed != SEEDS[0]


def _params(backends, seeds=SEEDS, keep=lambda d: True):
    return [pytest.param(d, b, s, id=f"{d.id}-{b}-seed{s}",
                         marks=[pytest.mark.full] if _jax_sweep(b, s) else [])
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


@pytest.mark.parametrize(("did", "backend", "form"), [
    pytest.param(did, backend, form, id=f"{did}-{backend}-{form}",
                 marks=[pytest.mark.full] if backend == "jax" and form != "soft" else [])
    for did in _FORM_CASES for backend in ("torch", "jax", "fd") for form in cases.TARGET_FORMS])
def test_every_class_target_form_agrees(did, backend, form):
    """Every form with torch and central differences; JAX (an XLA compile per case) on the
    soft form in the default run, the path that once slipped, and on every form with
    ``pytest --full``."""
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


def _values(drawn, key):
    return np.concatenate([np.asarray(c[key], dtype=np.float64).ravel() for c in drawn])


def test_elementwise_cases_zero_a_quarter_of_the_relu_inputs():
    drawn = _many(lambda r: cases.elementwise(r, kinks=True), 100)
    assert [np.count_nonzero(c["z"] == 0) for c in drawn] == [
        max(1, c["z"].size // 4) for c in drawn]
    plain = _many(cases.elementwise, 200)
    assert {c["z"].shape for c in plain} >= {(1, 2), (9, 6)}
    assert 2.8 < _values(plain, "z").std() < 3.2 and 0.9 < _values(plain, "g").std() < 1.1


def test_dense_and_l2_cases_have_the_stated_shapes_and_scales():
    dense = _many(cases.dense_case)
    assert {c["W"].shape[1] for c in dense} == set(range(1, 6))
    assert all(c["b"].shape == (c["W"].shape[1],) and c["g"].shape == (c["x"].shape[0],
               c["W"].shape[1]) and c["x"].shape[1] == c["W"].shape[0] for c in dense)
    l2 = _many(cases.l2_case)
    assert {(c["W1"].shape, c["W2"].shape) for c in l2} == {((4, 10), (10, 3))}
    regs = [c["reg"] for c in l2]
    assert 0.01 <= min(regs) < 0.05 and 0.95 < max(regs) < 1.0


def test_binary_cases_draw_one_output_up_to_four_and_targets_in_0_1():
    for make in (cases.logits_binary, cases.probs_binary):
        drawn = _many(make)
        assert {c["y"].shape[1] for c in drawn} == {1, 2, 3, 4}
        y = _values(drawn, "y")
        assert 0 <= y.min() < 0.01 and 0.99 < y.max() < 1
    z = _values(_many(cases.logits_binary), "z")
    assert 1.8 < z.std() < 2.2
    a = _values(_many(cases.probs_binary), "a")
    assert 0.05 <= a.min() < 0.06 and 0.94 < a.max() < 0.95


@pytest.mark.parametrize("make", [cases.logits_classes, cases.probs_and_labels])
def test_class_cases_draw_every_label_and_form(make):
    drawn = _many(lambda r: make(r, form="labels"), 200)
    assert any(c["y"].min() == 0 for c in drawn)
    assert all(c["y"].max() < (c["z"] if "z" in c.arrays else c["probs"]).shape[1]
               for c in drawn)
    forms = {np.asarray(c["y"]).ndim for c in _many(make, 60)}
    assert forms == {1, 2}
    if make is cases.logits_classes:
        assert 1.8 < _values(drawn, "z").std() < 2.2


def test_mlp_cases_draw_every_depth_size_and_head():
    drawn = _many(cases.mlp_case, 300)
    depths = {sum(1 for k in c.arrays if k[0] == "W") for c in drawn}
    assert depths == {1, 2, 3, 4}
    widths = {c[k].shape[1] for c in drawn for k in c.arrays if k[0] == "W"}
    assert widths == set(range(1, 7))
    assert {c["X"].shape[1] for c in drawn} == set(range(1, 7))
    for c in drawn:
        L = sum(1 for k in c.arrays if k[0] == "W")
        K = c[f"W{L}"].shape[1]
        assert K >= 2 or c["head"] != "softmax_ce"
    assert any(c[f"W{sum(1 for k in c.arrays if k[0] == 'W')}"].shape[1] == 1 for c in drawn)
    safe = _many(lambda r: cases.mlp_case(r, True, hidden="relu", depth=3), 30)
    for c in safe:
        p = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
        Zs, _ = bp.mlp.forward(p, c["X"], "relu", c["head"])
        assert min(np.abs(Z).min() for Z in Zs[:-1]) >= cases.KINK_MARGIN


def test_mlp_cases_keep_relu_kinks_by_default_and_give_softmax_every_width_from_2():
    """Unless asked for central differences, a relu network's draws are not filtered: some
    pre-activation lands within the kink margin (7 of the first 100 here); a softmax head
    is at least 2 wide and takes every width 2…6."""
    def gap(c):
        p = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
        Zs, _ = bp.mlp.forward(p, c["X"], "relu", c["head"])
        return min(np.abs(Z).min() for Z in Zs[:-1])

    kinked = _many(lambda r: cases.mlp_case(r, hidden="relu", depth=3), 100)
    assert any(gap(c) < cases.KINK_MARGIN for c in kinked)
    softmax = _many(lambda r: cases.mlp_case(r, head="softmax_ce"), 100)
    assert {c[f"W{sum(1 for k in c.arrays if k[0] == 'W')}"].shape[1] for c in softmax} == {
        2, 3, 4, 5, 6}


def test_network_draws_n_from_1_to_8_and_reg_from_0_to_0_1():
    drawn = _many(lambda r: cases.network(r, sizes=[2, 3, 2], hidden="tanh"), 200)
    assert {c["X"].shape[0] for c in drawn} == set(range(1, 9))
    regs = [c["reg"] for c in drawn]
    assert 0 <= min(regs) and max(regs) <= 0.1 and max(regs) > 0.09


def test_network_gives_up_on_kinks_after_50_draws_saying_so(monkeypatch):
    """Central differences need every relu pre-activation KINK_MARGIN from 0; given
    parameters and data that always put one at 0, the 50 draws fail and it says so."""
    params = bp.mlp.init_params([2, 3, 2], seed=0)
    params["b1"][:] = 0.0
    forward, calls = bp.mlp.forward, []
    monkeypatch.setattr(bp.mlp, "forward", lambda *a, **k: calls.append(1) or forward(*a, **k))
    with pytest.raises(RuntimeError, match=r"^could not draw a case away from relu kinks; "
                                           r"widen the search$"):
        cases.network(np.random.default_rng(0), True, sizes=[2, 3, 2], params=params,
                      X=np.zeros((4, 2)))
    assert len(calls) == 50


def test_network_targets_fit_each_head():
    """Class targets for softmax; uniform [0, 1] targets (not constant) for the sigmoid
    heads, which BCE and a sigmoid's range need; real targets of either sign for the
    identity head."""
    rng = np.random.default_rng(0)
    for head in ("sigmoid_bce", "sigmoid_mse"):
        y = cases._targets(rng, head, 200, 3)
        assert y.shape == (200, 3) and 0 <= y.min() and y.max() <= 1 and y.std() > 0.25, head
    y = cases._targets(rng, "identity_mse", 200, 3)
    assert y.min() < -1 and y.max() > 1
    labels = cases._targets(rng, "softmax_ce", 200, 3, form="labels")
    assert labels.shape == (200,) and set(labels.tolist()) == {0, 1, 2}


def test_class_targets_in_each_form():
    """Integer labels as given; one-hot rows exactly; soft rows 0.7·one-hot + 0.3·Dirichlet:
    every class above 0, rows summing to 1, the label's class above 0.7."""
    rng = np.random.default_rng(0)
    labels = np.array([2, 0, 1, 1])
    assert cases.class_targets(rng, labels, 3, "labels") is labels
    assert np.array_equal(cases.class_targets(rng, labels, 3, "one-hot"), np.eye(3)[labels])
    soft = cases.class_targets(rng, labels, 3, "soft")
    assert (soft > 0).all() and np.allclose(soft.sum(axis=1), 1.0)
    assert (soft[np.arange(4), labels] > 0.7).all()


@pytest.mark.parametrize("seed", range(5))
def test_the_kink_free_notes_network_is_the_notes_network_with_b1_redrawn(seed):
    """For central differences: the same blobs, labels, weights and L2 as the notes'
    network of the same seed (which zeroes X's first row for relu'(0)), b1 redrawn at
    0.1·N(0, 1) until every Z1 is KINK_MARGIN from 0."""
    a = cases.notes_network(np.random.default_rng(seed))
    b = cases.notes_network(np.random.default_rng(seed), True)
    for k in ("W1", "W2", "b2", "y"):
        assert np.array_equal(a[k], b[k]), k
    assert np.array_equal(a["X"][1:], b["X"][1:]) and b["X"].shape == (200, 4)
    assert a["reg"] == b["reg"] == 0.05
    assert np.abs(b["b1"]).max() < 0.5
    assert np.abs(b["X"] @ b["W1"] + b["b1"]).min() >= cases.KINK_MARGIN


def test_the_training_case_is_the_kink_free_notes_network_for_100_steps():
    c = cases.sgd_case(np.random.default_rng(0))
    assert (c["lr"], c["steps"]) == (0.5, 100)
    assert not any(k.startswith("e") for k in c.arrays)
    Z1 = c["X"] @ c["W1"] + c["b1"]
    assert c["X"].shape == (200, 4) and np.abs(Z1).min() >= cases.KINK_MARGIN
    kinked = cases.notes_network(np.random.default_rng(0))
    assert np.count_nonzero(kinked["X"] @ kinked["W1"] + kinked["b1"] == 0) >= 3


def test_the_training_reference_runs_the_case_s_own_network():
    """D20's reference trains with the case's hidden activation, head and reg (the
    catalog's case uses relu and softmax + CE; here tanh and sigmoid + BCE)."""
    c = cases.network(np.random.default_rng(5), sizes=[3, 4, 2], hidden="tanh",
                      head="sigmoid_bce", N=6, reg=0.05)
    c.static.update(lr=0.3, steps=3)
    for k in [k for k in c.arrays if k.startswith("e")]:
        del c.arrays[k]
    got = get("D20").reference(c)
    params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
    fn = lambda p, X, y: bp.mlp.loss_and_grads(p, X, y, hidden="tanh", head="sigmoid_bce",  # noqa
                                               reg=0.05)
    final, hist = bp.training.fit(fn, params, c["X"], c["y"], lr=0.3, epochs=3)
    assert np.array_equal(got["losses"], np.asarray(hist.step_losses))
    assert all(np.array_equal(got[k], final[k]) for k in final)
