"""The notes' network and its generalisation (D17–D20): two_layer, mlp, the per-sample
loop, SGD against torch.optim's SGD, and training on Iris."""

from __future__ import annotations

import dataclasses
import itertools
from functools import partial

import numpy as np
import pytest

import backprop_ref as bp
from comparisons import agreement, cases
from comparisons.catalog import get

KEYS = ("Z1", "A1", "Z2", "A2", "dZ2", "dA1", "dZ1")


def _close(a, b, tol=1e-12):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    assert np.abs(a - b).max() <= tol * max(1.0, np.abs(b).max())


@pytest.fixture(scope="module")
def notes_data():
    X, y = bp.datasets.make_blobs(200, 4, 3, seed=0)
    return X, y, bp.two_layer.init_params(4, 10, 3, std=0.5, seed=1)


@pytest.mark.parametrize("reg", [0.0, 0.1])
def test_d17_d19_two_layer_loop_and_mlp_agree_on_the_notes_shapes(notes_data, reg):
    X, y, p = notes_data
    vec = bp.two_layer.loss_and_grads(p, X, y, reg=reg)
    others = [bp.two_layer.loss_and_grads_loop(p, X, y, reg=reg),
              bp.mlp.loss_and_grads(p, X, y, "relu", "softmax_ce", reg=reg),
              bp.mlp.loss_and_grads_loop(p, X, y, "relu", "softmax_ce", reg=reg)]
    assert set(vec.grads) == {"W1", "b1", "W2", "b2"} and set(vec.intermediates) == set(KEYS)
    for o in others:
        _close(o.loss, vec.loss)
        for k in vec.grads:
            _close(o.grads[k], vec.grads[k])
        for k in KEYS:
            _close(o.intermediates[k], vec.intermediates[k])


def test_d17_shapes_are_the_notes_shapes(notes_data):
    X, y, p = notes_data
    res = bp.two_layer.loss_and_grads(p, X, y)
    shapes = {k: v.shape for k, v in res.intermediates.items()}
    assert shapes == {"Z1": (200, 10), "A1": (200, 10), "Z2": (200, 3), "A2": (200, 3),
                      "dZ2": (200, 3), "dA1": (200, 10), "dZ1": (200, 10)}
    assert {k: v.shape for k, v in res.grads.items()} == {
        "W1": (4, 10), "b1": (10,), "W2": (10, 3), "b2": (3,)}


GRID = [pytest.param(depth, hidden, head, id=f"D18-depth{depth}-{hidden}-{head}")
        for depth, hidden, head in itertools.product(
            (1, 2, 3, 4), cases.ACTIVATIONS, cases.HEADS)]


def _jax_covers(depth, hidden, head) -> bool:
    """The part of the grid JAX checks in the default run: every activation with every head,
    each at a depth that runs through 1…4 (so every activation at every depth). JAX
    compiles an XLA program for each case; ``pytest --full`` checks the whole grid with it,
    as torch does in every run."""
    return depth - 1 == (cases.ACTIVATIONS.index(hidden) + cases.HEADS.index(head)) % 4


TWIN_GRID = [pytest.param(depth, hidden, head, backend,
                          id=f"{backend}-D18-depth{depth}-{hidden}-{head}",
                          marks=[] if backend == "torch" or _jax_covers(depth, hidden, head)
                          else [pytest.mark.full])
             for backend in ("torch", "jax")
             for depth, hidden, head in itertools.product(
                 (1, 2, 3, 4), cases.ACTIVATIONS, cases.HEADS)]


def _grid_case(depth, hidden, head, fd_safe=False):
    i = (depth * 7 + cases.ACTIVATIONS.index(hidden) * 3 + cases.HEADS.index(head))
    rng = np.random.default_rng(1000 + i)
    sizes = [int(s) for s in rng.integers(2, 8, size=depth + 1)]
    N = (1, 6, 17)[i % 3]                       # N = 1 included
    return cases.network(rng, fd_safe, sizes=sizes, hidden=hidden, head=head, N=N)


@pytest.mark.parametrize(("depth", "hidden", "head", "backend"), TWIN_GRID)
def test_d18_mlp_agrees_with_autograd_for_every_activation_head_and_depth(
        depth, hidden, head, backend):
    out = agreement.run(get("D18"), backend, case=_grid_case(depth, hidden, head))
    assert out.status == "ok", out.message
    keys = {c.key for c in out.checks}
    L = depth
    assert {f"dZ{l}" for l in range(1, L + 1)} <= keys          # every intermediate
    assert {f"dA{l}" for l in range(1, L)} <= keys


@pytest.mark.parametrize(("depth", "hidden", "head"), GRID)
def test_d19_mlp_loop_equals_vectorized(depth, hidden, head):
    c = _grid_case(depth, hidden, head)
    params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
    args = (params, c["X"], c["y"], hidden, head)
    vec = bp.mlp.loss_and_grads(*args, reg=c["reg"])
    loop = bp.mlp.loss_and_grads_loop(*args, reg=c["reg"])
    _close(loop.loss, vec.loss)
    for k in vec.grads:
        _close(loop.grads[k], vec.grads[k])
    assert set(loop.intermediates) == set(vec.intermediates)
    for k in vec.intermediates:
        _close(loop.intermediates[k], vec.intermediates[k])


def test_d20_minibatch_sgd_matches_torch_optim_sgd():
    """Mini-batch SGD (batch 32, 10 epochs = 70 steps) against torch.optim's SGD fed the same
    seeded batches: every step's loss and the final parameters within 1e-10."""
    torch = pytest.importorskip("torch")
    from comparisons.twins_torch import sgd_step
    X, y = bp.datasets.make_blobs(200, 4, 3, seed=4)
    p0 = bp.two_layer.init_params(seed=5)
    params, hist = bp.fit(partial(bp.two_layer.loss_and_grads, reg=1e-3), p0, X, y, lr=0.3,
                          epochs=10, batch_size=32, seed=7)
    t = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in p0.items()}
    rng, losses = np.random.default_rng(7), []
    for _ in range(10):
        for idx in bp.training.minibatch_indices(200, 32, rng):
            Xb, yb = torch.from_numpy(X[idx]), torch.from_numpy(y[idx])
            logits = torch.relu(Xb @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
            loss = torch.nn.functional.cross_entropy(logits, yb) + 0.5e-3 * (
                t["W1"].square().sum() + t["W2"].square().sum())
            loss.backward()
            sgd_step(t.values(), 0.3)
            losses.append(loss.item())
    assert len(losses) == len(hist.step_losses) == 70
    assert np.abs(np.array(losses) - hist.step_losses).max() <= 1e-10
    for k in params:
        assert np.abs(params[k] - t[k].detach().numpy()).max() <= 1e-10


def test_d20_full_batch_run_of_100_steps_matches_within_1e10():
    out = agreement.run(get("D20"), "torch")
    assert out.status == "ok"
    assert max(c.max_abs for c in out.checks) <= 1e-10
    assert {c.key for c in out.checks} == {"losses", "W1", "b1", "W2", "b2"}


def test_sgd_step_is_pure_and_exact():
    """Random gradients (all-ones ones make θ − η·g, θ − η and θ − η·g² look alike)."""
    rng = np.random.default_rng(5)
    p = bp.two_layer.init_params()
    g = {k: rng.standard_normal(v.shape) for k, v in p.items()}
    before = {k: v.copy() for k, v in p.items()}
    g_before = {k: v.copy() for k, v in g.items()}
    new = bp.sgd_step(p, g, 0.1)
    for k in p:
        assert np.array_equal(p[k], before[k]) and np.array_equal(g[k], g_before[k])
        assert np.array_equal(new[k], before[k] - 0.1 * g_before[k])


def test_d18_runs_the_functions_verified_as_d14_and_d15(monkeypatch):
    """The MLP's backward is the dense backward of D14 and the hidden delta of D15: the same
    function objects, so breaking either turns D14/D15 and D18 red together."""
    from backprop_ref import deltas, layers, mlp
    assert mlp._dense_backward is layers._dense_backward
    assert mlp._hidden_delta is deltas._hidden_delta
    case = cases.mlp_case(np.random.default_rng(3), depth=3, hidden="tanh", head="sigmoid_bce")
    assert agreement.run(get("D18"), "torch", case=case).status == "ok"
    for module, name, did in ((layers, "_dense_backward", "D14"),
                              (deltas, "_hidden_delta", "D15")):
        real = getattr(module, name)

        def flipped(*a, _real=real, **k):
            out = _real(*a, **k)
            return tuple(None if o is None else -o for o in out) if isinstance(out, tuple) \
                else -out
        monkeypatch.setattr(module, name, flipped)
        monkeypatch.setattr(mlp, name, flipped)
        assert agreement.run(get(did), "torch").status == "fail", did
        assert agreement.run(get("D18"), "torch", case=case).status == "fail", name
        monkeypatch.undo()


@pytest.mark.parametrize(("depth", "hidden", "head"), GRID)
def test_d19_mlp_loop_agrees_with_autograd(depth, hidden, head):
    """The per-sample MLP loop against torch itself, not only against the vectorized MLP
    (which shares its head delta and g')."""
    loop = dataclasses.replace(get("D18"), reference=_network_loop_ref)
    out = agreement.run(loop, "torch", case=_grid_case(depth, hidden, head))
    assert out.status == "ok", out.message
    assert {f"dZ{l}" for l in range(1, depth + 1)} <= {c.key for c in out.checks}


def _network_loop_ref(c):
    params = {k: v for k, v in c.arrays.items() if k[0] in "Wb"}
    res = bp.mlp.loss_and_grads_loop(params, c["X"], c["y"], c["hidden"], c["head"],
                                     reg=c["reg"])
    return {"out": np.asarray(res.loss), **{f"d{k}": v for k, v in res.grads.items()},
            **res.intermediates}


@pytest.mark.parametrize("seed", range(5))
def test_iris_reaches_0_9_test_accuracy_for_every_seed(seed):
    X, y = bp.datasets.load_iris()
    Xtr, Xte, ytr, yte = bp.datasets.train_test_split(X, y, 0.3, seed=seed)
    Xtr, Xte = bp.datasets.standardize(Xtr, Xte)
    net = bp.TwoLayerNet(10, lr=0.5, epochs=300, reg=1e-3, seed=seed).fit(Xtr, ytr)
    assert net.score(Xte, yte) >= 0.9


def test_models_fit_predict_score_and_report_progress():
    X, y = bp.datasets.make_blobs(seed=2)
    seen = []
    for model in (bp.TwoLayerNet(epochs=20, lr=0.2), bp.MLP((8, 8), epochs=20, lr=0.2)):
        model.fit(X, y, callback=seen.append)
        assert model.predict(X).shape == (200,)
        assert model.score(X, y) > 0.9
        assert len(model.history_.epoch_losses) == 20
    assert [e.epoch for e in seen] == list(range(1, 21)) * 2
    with pytest.raises(RuntimeError, match="not fitted"):
        bp.TwoLayerNet().predict(X)


def test_iris_data_ships_with_the_package():
    X, y = bp.datasets.load_iris()
    assert X.shape == (150, 4) and y.shape == (150,)
    assert np.bincount(y).tolist() == [50, 50, 50]
    X, y = bp.datasets.make_blobs()
    assert X.shape == (200, 4) and set(np.unique(y)) == {0, 1, 2}


def test_estimators_take_labels_of_any_type_one_hot_and_soft_rows():
    X, y = bp.datasets.make_blobs(90, 4, 3, seed=1)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    net = bp.TwoLayerNet(epochs=60, lr=0.3).fit(X, names)
    assert net.classes_.tolist() == ["setosa", "versicolor", "virginica"]
    assert set(net.predict(X)) <= set(net.classes_) and net.score(X, names) > 0.9
    by_int = bp.TwoLayerNet(epochs=60, lr=0.3).fit(X, y)
    assert np.array_equal(by_int.params_["W1"], net.params_["W1"])   # the same training run
    for targets in (bp.one_hot(y, 3), 0.9 * bp.one_hot(y, 3) + 0.1 / 3):
        m = bp.MLP((8,), epochs=40, lr=0.3).fit(X, targets)
        assert m.classes_.tolist() == [0, 1, 2] and m.predict_proba(X).shape == (90, 3)
    wide = bp.TwoLayerNet(epochs=5).fit(X, np.hstack([bp.one_hot(y, 3), np.zeros((90, 2))]))
    assert wide.classes_.tolist() == [0, 1, 2, 3, 4]                # K from the rows' width


def test_estimator_probabilities_and_predictions_follow_the_hidden_activation():
    """MLP.predict must use its own activation (a predict that ignored it would pass a
    relu-only test)."""
    X, y = bp.datasets.make_blobs(60, 4, 3, seed=2)
    net = bp.MLP((6, 6), hidden="tanh", epochs=30, lr=0.3).fit(X, y)
    probs = net.predict_proba(X)
    assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-15, rtol=0)
    want = bp.mlp.forward(net.params_, X, "tanh", "softmax_ce")[1][-1]
    other = bp.mlp.forward(net.params_, X, "relu", "softmax_ce")[1][-1]
    assert np.array_equal(probs, want) and not np.allclose(probs, other)
    assert np.array_equal(net.predict(X), np.argmax(want, axis=1))


def test_estimators_show_and_set_their_hyper_parameters():
    net = bp.MLP((8, 4), hidden="sigmoid", lr=0.1)
    assert repr(net) == ("MLP(hidden_sizes=(8, 4), num_classes=None, hidden='sigmoid', "
                         "std=None, reg=0.0, lr=0.1, epochs=200, batch_size=None, seed=0)")
    assert net.get_params()["hidden_sizes"] == (8, 4)
    assert net.set_params(lr=0.5, epochs=3) is net and (net.lr, net.epochs) == (0.5, 3)
    clone = bp.MLP(**net.get_params())
    assert repr(clone) == repr(net)
    assert repr(bp.TwoLayerNet()).startswith("TwoLayerNet(hidden_size=10, num_classes=None")
