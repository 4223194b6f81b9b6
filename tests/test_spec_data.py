"""Data, initialisation and documented defaults, pinned (issue 16).

Mutation testing found the seeded data and the initial parameters checked only for their
shapes: the notes' blobs could lose their shuffle or flip their noise, LeCun's 1/√fan_in
could become 2/√fan_in, a default could drift, and every test still passed.  The figures of
the README and the docs, the errata table and the benchmarks are measured on exactly these arrays.

* golden values: the seeded outputs themselves (a change to any of them is a change to the
  data every measured figure comes from, and must be made on purpose, here);
* distributions: what the docstrings promise (centres N(0, 3²), points N(centre, spread²),
  balanced shuffled classes, W ~ s·N(0, 1) with s = std or 1/√fan_in, zero biases);
* defaults: each documented default gives what passing it explicitly gives.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

import backprop_ref as bp


# ------------------------------------------------------------------------------ golden values
def test_the_notes_blobs_are_the_seeded_ones():
    X, y = bp.datasets.make_blobs()
    assert X.shape == (200, 4) and y.shape == (200,)
    assert X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X[0], [0.27111840983242896, -1.5820343948791393,
                                         -0.47696491406792507, 0.8277524853394241])
    np.testing.assert_array_equal(X[-1], [-2.3567568151506304, -4.572873033193839,
                                          -1.112340329153934, -0.7944968793810321])
    assert y[:12].tolist() == [0, 0, 0, 0, 0, 2, 2, 2, 0, 0, 0, 2]
    assert X.sum() == float.fromhex("0x1.36e5e79286e15p+4")


def test_the_seeded_split_and_initial_parameters():
    Xtr, Xte, ytr, yte = bp.datasets.train_test_split(np.arange(10.0)[:, None], np.arange(10))
    assert yte.tolist() == [4, 6, 2] and ytr.tolist() == [7, 3, 5, 9, 0, 8, 1]
    assert Xte[:, 0].tolist() == yte.tolist() and Xtr[:, 0].tolist() == ytr.tolist()
    p = bp.two_layer.init_params()
    np.testing.assert_array_equal(p["W1"][0, :3], [0.01257302210933933, -0.013210486329130189,
                                                   0.06404226504432821])
    np.testing.assert_array_equal(p["W2"][-1], [0.13203609870818392, 0.06333526228249152,
                                                -0.22035098806466508])
    q = bp.mlp.init_params([4, 5, 3])
    np.testing.assert_array_equal(q["W1"][0, :3], [0.06286511054669665, -0.06605243164565094,
                                                   0.32021132522164103])
    np.testing.assert_array_equal(q["W2"][-1], [-0.07120758917737002, 0.24187349853761703,
                                                0.09599847798292666])
    assert [b.tolist() for b in bp.training.minibatch_indices(
        7, 3, np.random.default_rng(0))] == [[2, 4, 3], [6, 5, 0], [1]]


# ------------------------------------------------------------------------------ distributions
def test_blobs_follow_their_docstring():
    """Centres ~ N(0, 3²), points ~ N(centre, spread²), classes balanced and shuffled."""
    X, y = bp.datasets.make_blobs(3000, 40, 300, spread=0.01, seed=5)
    assert np.bincount(y, minlength=300).tolist() == [10] * 300
    assert not np.array_equal(y, np.arange(3000) % 300)            # shuffled
    centres = np.stack([X[y == k].mean(axis=0) for k in range(300)])
    assert 2.9 < centres.std() < 3.1 and abs(centres.mean()) < 0.1
    noise = X - centres[y]
    assert 0.0095 < noise.std() / np.sqrt(0.9) < 0.0105     # residuals of 10-row means
    assert abs(noise.mean()) < 1e-3
    X1, y1 = bp.datasets.make_blobs(5, 2, 3, seed=1)
    assert np.bincount(y1).tolist() == [2, 2, 1]                   # as balanced as 5 allows
    X2, _ = bp.datasets.make_blobs(5, 2, 3, seed=1)
    assert np.array_equal(X1, X2) and not np.array_equal(X1, bp.datasets.make_blobs(
        5, 2, 3, seed=2)[0])


@pytest.mark.parametrize(("sizes", "std"), [([400, 300, 50], None), ([100, 900], 0.25)])
def test_mlp_initial_weights_are_scaled_gaussians_and_biases_zero(sizes, std):
    p = bp.mlp.init_params(sizes, seed=3, std=std)
    assert list(p) == [f"{k}{l}" for l in range(1, len(sizes)) for k in "Wb"]
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        W, b = p[f"W{l}"], p[f"b{l}"]
        assert W.shape == (fan_in, fan_out) and b.shape == (fan_out,)
        assert np.array_equal(b, np.zeros(fan_out)) and W.dtype == b.dtype == np.float64
        s = std if std is not None else 1 / np.sqrt(fan_in)
        assert abs(W.std() / s - 1) < 0.03 and abs(W.mean()) < 0.03 * s


def test_the_notes_network_starts_at_std_0_1_by_default():
    p = bp.two_layer.init_params(300, 400, 30, seed=2)
    assert abs(p["W1"].std() / 0.1 - 1) < 0.02 and abs(p["W2"].std() / 0.1 - 1) < 0.03
    assert not p["b1"].any() and not p["b2"].any()
    assert abs(bp.two_layer.init_params(300, 400, 30, std=2.0, seed=2)["W1"].std() / 2 - 1) < 0.02


def test_standardize_uses_the_training_statistics_only():
    rng = np.random.default_rng(0)
    Xtr = rng.normal(5.0, 3.0, (50, 3))
    Xtr[:, 1] *= 0.1                                  # a spread below 1 is scaled too
    Xtr[:, 2] = 7.0                                   # a constant column: centred, not scaled
    Xte = rng.normal(0.0, 1.0, (9, 3))
    a, b = bp.datasets.standardize(Xtr, Xte)
    mu, sd = Xtr.mean(axis=0), np.array([*Xtr[:, :2].std(axis=0), 1.0])
    assert 0 < sd[1] < 1
    np.testing.assert_allclose(a, (Xtr - mu) / sd, rtol=0, atol=1e-14)
    np.testing.assert_allclose(b, (Xte - mu) / sd, rtol=0, atol=1e-14)
    assert np.allclose(a[:, :2].mean(axis=0), 0, atol=1e-14)
    assert np.allclose(a[:, :2].std(axis=0), 1, atol=1e-14) and not a[:, 2].any()
    np.testing.assert_array_equal(bp.datasets.standardize(Xtr), a)
    assert a.dtype == b.dtype == np.float64
    assert bp.datasets.standardize(Xtr.astype(np.float32)).dtype == np.float64


def test_iris_is_fishers():
    X, y = bp.datasets.load_iris()
    np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])
    np.testing.assert_array_equal(X[-1], [5.9, 3.0, 5.1, 1.8])
    assert y[0] == 0 and y[-1] == 2 and X.dtype == np.float64 and y.dtype == np.int64
    assert np.isclose(X.sum(), 2078.7)


# ------------------------------------------------------------------------------ defaults
X_, Y_ = bp.datasets.make_blobs(12, 4, 3, seed=9)
P2 = bp.two_layer.init_params(std=0.5, seed=1)
P3 = bp.mlp.init_params([4, 5, 3], seed=1)

#: name -> (the call without its defaults, the call with the documented defaults spelt out)
DEFAULTS = {
    "make_blobs": (lambda: bp.datasets.make_blobs(),
                   lambda: bp.datasets.make_blobs(200, 4, 3, spread=1.0, seed=0)),
    "train_test_split": (lambda: bp.datasets.train_test_split(X_, Y_),
                         lambda: bp.datasets.train_test_split(X_, Y_, 0.3, seed=0)),
    "two_layer.init_params": (lambda: bp.two_layer.init_params(),
                              lambda: bp.two_layer.init_params(4, 10, 3, std=0.1, seed=0)),
    "mlp.init_params": (lambda: bp.mlp.init_params([4, 5, 3]),
                        lambda: bp.mlp.init_params([4, 5, 3], seed=0, std=None)),
    "two_layer.loss_and_grads": (lambda: bp.two_layer.loss_and_grads(P2, X_, Y_),
                                 lambda: bp.two_layer.loss_and_grads(P2, X_, Y_, reg=0.0)),
    "two_layer.loss_and_grads_loop": (
        lambda: bp.two_layer.loss_and_grads_loop(P2, X_, Y_),
        lambda: bp.two_layer.loss_and_grads_loop(P2, X_, Y_, reg=0.0)),
    **{f"mlp.{f}": (lambda f: (lambda: getattr(bp.mlp, f)(P3, X_, Y_),
                               lambda: getattr(bp.mlp, f)(P3, X_, Y_, "relu", "softmax_ce",
                                                          reg=0.0)))(f)
       for f in ("loss_and_grads", "loss_and_grads_loop")},
    **{f"mlp.{f}": (lambda f: (lambda: getattr(bp.mlp, f)(P3, X_),
                               lambda: getattr(bp.mlp, f)(P3, X_, "relu", "softmax_ce")))(f)
       for f in ("forward", "predict")},
    "fit": (lambda: bp.fit(partial(bp.two_layer.loss_and_grads, reg=0.1), P2, X_, Y_, lr=0.1,
                           epochs=2, batch_size=5),
            lambda: bp.fit(partial(bp.two_layer.loss_and_grads, reg=0.1), P2, X_, Y_, lr=0.1,
                           epochs=2, batch_size=5, seed=0)),
    "fit full batch": (lambda: bp.fit(bp.two_layer.loss_and_grads, P2, X_, Y_, lr=0.1,
                                      epochs=2),
                       lambda: bp.fit(bp.two_layer.loss_and_grads, P2, X_, Y_, lr=0.1,
                                      epochs=2, batch_size=len(Y_), seed=0)),
    "one_hot": (lambda: bp.one_hot(Y_, 3), lambda: bp.one_hot(Y_, 3, dtype=np.float64)),
}


def _same(a, b):
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    elif isinstance(a, (tuple, list)):
        assert len(a) == len(b)
        for x, z in zip(a, b):
            _same(x, z)
    elif hasattr(a, "__dict__") and not isinstance(a, np.ndarray):
        _same(vars(a), vars(b))
    else:
        a, b = np.asarray(a), np.asarray(b)
        assert a.dtype == b.dtype and np.array_equal(a, b)


@pytest.mark.parametrize("name", sorted(DEFAULTS))
def test_documented_defaults(name):
    implicit, explicit = DEFAULTS[name]
    _same(implicit(), explicit())


def test_estimators_documented_hyper_parameters():
    assert repr(bp.TwoLayerNet()) == ("TwoLayerNet(hidden_size=10, num_classes=None, std=0.1, "
                                      "reg=0.0, lr=0.5, epochs=200, batch_size=None, seed=0)")
    assert repr(bp.MLP()) == ("MLP(hidden_sizes=(16, 16), num_classes=None, hidden='relu', "
                              "std=None, reg=0.0, lr=0.5, epochs=200, batch_size=None, seed=0)")
    net = bp.TwoLayerNet(num_classes=4, std=0.2, reg=0.1, lr=0.3, epochs=3, batch_size=5,
                         seed=2)
    assert net.get_params() == {"hidden_size": 10, "num_classes": 4, "std": 0.2, "reg": 0.1,
                                "lr": 0.3, "epochs": 3, "batch_size": 5, "seed": 2}
    net.fit(X_, Y_)
    assert net.classes_.tolist() == [0, 1, 2, 3] and net.predict_proba(X_).shape == (12, 4)
    assert net.n_features_in_ == 4 and len(net.history_.epoch_losses) == 3
    assert len(net.history_.step_losses) == 9                        # 12 rows, batches of 5


def test_estimators_keep_their_other_hyper_parameters_and_their_classes():
    net = bp.MLP((6, 3), hidden="sigmoid", lr=0.2, epochs=2, seed=4)
    assert net.set_params(lr=0.3) is net
    assert net.get_params() == {"hidden_sizes": (6, 3), "num_classes": None,
                                "hidden": "sigmoid", "std": None, "reg": 0.0, "lr": 0.3,
                                "epochs": 2, "batch_size": None, "seed": 4}
    two = bp.TwoLayerNet(4, epochs=2).fit(X_, np.where(Y_ == 0, "no", "yes"))
    assert two.classes_.tolist() == ["no", "yes"] and two.predict_proba(X_).shape == (12, 2)
    wide = bp.MLP((3,), num_classes=5, epochs=2).fit(X_, Y_)         # classes 3, 4 absent
    assert wide.classes_.tolist() == [0, 1, 2, 3, 4] and wide.predict_proba(X_).shape == (12, 5)
    assert set(wide.predict(X_)) <= set(range(5))
    assert wide.score(X_, bp.one_hot(Y_, 5)) == wide.score(X_, Y_)
    assert wide.score(X_, Y_) == np.mean(wide.predict(X_) == Y_)


def test_train_test_split_takes_any_rows_and_refuses_empty_parts():
    Xtr, Xte, ytr, yte = bp.datasets.train_test_split(np.arange(10), np.arange(10) * 2)
    assert Xte.tolist() == [4, 6, 2] and (yte == 2 * Xte).all() and (ytr == 2 * Xtr).all()
    with pytest.raises(ValueError, match=r"^X and y must be arrays of rows, got shapes \(\) "
                                         r"and \(1,\)$"):
        bp.datasets.train_test_split(3, [1])
    with pytest.raises(ValueError, match=r"^test_size=0.9 of 4 rows gives 4 test rows and 0 "
                                         r"training rows; both parts need at least one$"):
        bp.datasets.train_test_split(np.zeros((4, 2)), np.arange(4), 0.9)


# ------------------------------------------------------------------------------ predictions
@pytest.mark.parametrize("head", ["softmax_ce", "sigmoid_bce", "sigmoid_mse", "identity_mse"])
def test_mlp_predict_gives_labels_for_softmax_and_the_output_otherwise(head):
    rng = np.random.default_rng(6)
    p = {k: v + 0.3 * rng.standard_normal(v.shape)
         for k, v in bp.mlp.init_params([4, 5, 6, 3], seed=6).items()}
    X = rng.standard_normal((7, 4))
    Zs, As = bp.mlp.forward(p, X, "tanh", head)
    got = bp.mlp.predict(p, X, "tanh", head)
    if head == "softmax_ce":
        assert got.dtype.kind == "i" and np.array_equal(got, np.argmax(Zs[-1], axis=1))
        assert np.array_equal(got, np.argmax(As[-1], axis=1))
    else:
        assert np.array_equal(got, As[-1]) and got.shape == (7, 3)
    assert not np.array_equal(Zs[-1], Zs[-2][:, :3])                 # layers differ


def test_two_layer_predict_is_the_argmax_of_its_scores():
    rng = np.random.default_rng(8)
    p = {k: v + rng.standard_normal(v.shape) for k, v in bp.two_layer.init_params(seed=8).items()}
    X = rng.standard_normal((40, 4))
    res = bp.two_layer.loss_and_grads(p, X, np.zeros(40, int))
    assert np.array_equal(bp.two_layer.predict(p, X), np.argmax(res.intermediates["Z2"], axis=1))
    assert len(set(bp.two_layer.predict(p, X).tolist())) > 1


@pytest.mark.parametrize("module", ["two_layer", "mlp"])
def test_the_loops_return_exactly_the_vectorized_keys(module):
    fn = getattr(bp, module)
    p = bp.two_layer.init_params(seed=2)
    vec, loop = fn.loss_and_grads(p, X_, Y_, reg=0.1), fn.loss_and_grads_loop(p, X_, Y_, reg=0.1)
    assert list(loop.grads) == list(vec.grads) == ["W1", "b1", "W2", "b2"]
    assert set(loop.intermediates) == set(vec.intermediates)
