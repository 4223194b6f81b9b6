"""The notes' network and its generalisation (D17–D20): two_layer, mlp, the per-sample
loop, SGD against torch.optim.SGD, and training on Iris."""

from __future__ import annotations

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


def _grid_case(depth, hidden, head, fd_safe=False):
    i = (depth * 7 + cases.ACTIVATIONS.index(hidden) * 3 + cases.HEADS.index(head))
    rng = np.random.default_rng(1000 + i)
    sizes = [int(s) for s in rng.integers(2, 8, size=depth + 1)]
    N = (1, 6, 17)[i % 3]                       # N = 1 included
    return cases.network(rng, fd_safe, sizes=sizes, hidden=hidden, head=head, N=N)


@pytest.mark.parametrize(("depth", "hidden", "head"), GRID)
@pytest.mark.parametrize("backend", ["torch", "jax"])
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
    """Mini-batch SGD (batch 32, 10 epochs = 70 steps) against torch.optim.SGD fed the same
    seeded batches: every step's loss and the final parameters within 1e-10."""
    torch = pytest.importorskip("torch")
    X, y = bp.datasets.make_blobs(200, 4, 3, seed=4)
    p0 = bp.two_layer.init_params(seed=5)
    params, hist = bp.fit(partial(bp.two_layer.loss_and_grads, reg=1e-3), p0, X, y, lr=0.3,
                          epochs=10, batch_size=32, seed=7)
    t = {k: torch.from_numpy(v.copy()).requires_grad_(True) for k, v in p0.items()}
    opt = torch.optim.SGD(list(t.values()), lr=0.3)
    rng, losses = np.random.default_rng(7), []
    for _ in range(10):
        for idx in bp.training.minibatch_indices(200, 32, rng):
            opt.zero_grad()
            Xb, yb = torch.from_numpy(X[idx]), torch.from_numpy(y[idx])
            logits = torch.relu(Xb @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
            loss = torch.nn.functional.cross_entropy(logits, yb) + 0.5e-3 * (
                t["W1"].square().sum() + t["W2"].square().sum())
            loss.backward()
            opt.step()
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


def test_sgd_step_is_pure():
    p = bp.two_layer.init_params()
    g = {k: np.ones_like(v) for k, v in p.items()}
    before = {k: v.copy() for k, v in p.items()}
    new = bp.sgd_step(p, g, 0.1)
    for k in p:
        assert np.array_equal(p[k], before[k])
        assert np.array_equal(new[k], before[k] - 0.1)


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
