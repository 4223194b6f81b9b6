"""Every argument of every public function is checked and named (docs/bad-input.md), swept.

``test_bad_input.py`` holds docs/bad-input.md's table and the array arguments of the
elementwise functions; mutation testing (issue 16) found the rest unguarded: a check that
could be dropped, a wrong ``ndim``, a name misspelt in the message, ``check_finite`` not
passed on.
Here every remaining array argument (parameters, caches, gradients, weights, targets, data)
and every scalar hyper-parameter is fed what it must refuse, and the message must *start*
with the argument's name exactly as the caller wrote it.
"""

from __future__ import annotations

import inspect
import re
from functools import partial

import numpy as np
import pytest

import backprop_ref as bp

R = np.random.default_rng(7)
Z = R.standard_normal((4, 3))
T = R.uniform(0.1, 0.9, (4, 3))
LAB = np.array([0, 2, 1, 1])
SOFT = 0.7 * bp.one_hot(LAB, 3) + 0.1
X = R.standard_normal((4, 5))
P2 = bp.two_layer.init_params(5, 6, 3, seed=1)
P3 = bp.mlp.init_params([5, 4, 3, 3], seed=1)
G2 = {k: R.standard_normal(v.shape) for k, v in P2.items()}


def _nan(a):
    a = np.array(a, dtype=float)
    a.flat[-1] = np.nan
    return a


def _sub(d, key, value):
    return {**d, key: value}


#: (label, the argument's name in messages, its valid value, its ndim, call(value))
NET_CALLS = {
    "two_layer.loss_and_grads": lambda p, x, y: bp.two_layer.loss_and_grads(p, x, y, reg=0.1),
    "two_layer.loss_and_grads_loop": lambda p, x, y: bp.two_layer.loss_and_grads_loop(
        p, x, y, reg=0.1),
    "two_layer.predict": lambda p, x, y: bp.two_layer.predict(p, x),
    "mlp.loss_and_grads": lambda p, x, y: bp.mlp.loss_and_grads(p, x, y, "tanh", reg=0.1),
    "mlp.loss_and_grads_loop": lambda p, x, y: bp.mlp.loss_and_grads_loop(p, x, y, "sigmoid"),
    "mlp.forward": lambda p, x, y: bp.mlp.forward(p, x, "relu"),
    "mlp.predict": lambda p, x, y: bp.mlp.predict(p, x, "tanh", "sigmoid_bce"),
}
ARGS = [
    ("softmax_backward", "dA", T, 2, lambda v: bp.softmax_backward(v, Z)),
    ("softmax_backward", "z", Z, 2, lambda v: bp.softmax_backward(T, v)),
    ("dense_forward", "X", Z, 2, lambda v: bp.dense_forward(v, np.ones((3, 2)), np.zeros(2))),
    ("dense_forward", "W", np.ones((3, 2)), 2, lambda v: bp.dense_forward(Z, v, np.zeros(2))),
    ("dense_forward", "b", np.zeros(2), 1, lambda v: bp.dense_forward(Z, np.ones((3, 2)), v)),
    ("hidden_delta", "delta_next", T, 2, lambda v: bp.hidden_delta(v, np.ones((3, 3)), Z, "relu")),
    ("hidden_delta", "W_next", np.ones((3, 3)), 2, lambda v: bp.hidden_delta(T, v, Z, "relu")),
    ("hidden_delta", "z", Z, 2, lambda v: bp.hidden_delta(T, np.ones((3, 3)), v, "relu")),
    ("dense_backward", "dZ", T[:, :2], 2, lambda v: bp.dense_backward(v, (Z, np.ones((3, 2))))),
    ("dense_backward", "cache[0] (X)", Z, 2,
     lambda v: bp.dense_backward(T[:, :2], (v, np.ones((3, 2))))),
    ("dense_backward", "cache[1] (W)", np.ones((3, 2)), 2,
     lambda v: bp.dense_backward(T[:, :2], (Z, v))),
    ("l2_penalty", "weights[1]", Z, None, lambda v: bp.l2_penalty([T, v], 0.1)),
    ("l2_grad", "W", Z, None, lambda v: bp.l2_grad(v, 0.1)),
    ("sgd_step", "params['W2']", P2["W2"], None, lambda v: bp.sgd_step(_sub(P2, "W2", v), G2, 0.1)),
    ("sgd_step", "grads['b1']", G2["b1"], None, lambda v: bp.sgd_step(P2, _sub(G2, "b1", v), 0.1)),
    ("fit", "X", X, 2, lambda v: bp.fit(partial(bp.two_layer.loss_and_grads), P2, v, LAB,
                                        lr=0.1, epochs=1)),
    ("standardize", "X_train", X, 2, lambda v: bp.datasets.standardize(v, X)),
    ("standardize", "X_test", X, 2, lambda v: bp.datasets.standardize(X, v)),
    ("standardize (alone)", "X_train", X, 2, lambda v: bp.datasets.standardize(v)),
    ("cross_entropy", "y", SOFT / SOFT.sum(1, keepdims=True), "targets",
     lambda v: bp.cross_entropy(bp.softmax(Z), v)),
    ("delta_bce_sigmoid", "y", T, 2, lambda v: bp.delta_bce_sigmoid(Z, v)),
    ("mlp sigmoid_bce targets", "y", T, 2,
     lambda v: bp.mlp.loss_and_grads(P3, X, v, "relu", "sigmoid_bce")),
    ("TwoLayerNet.fit", "X", X, 2, lambda v: bp.TwoLayerNet(3, epochs=1).fit(v, LAB)),
    ("MLP.predict", "X", X, 2,
     lambda v: bp.MLP((3,), epochs=1).fit(X, LAB).predict(v)),
    *[(f"{name}", f"params['{k}']", P[k], 2 if k[0] == "W" else 1,
       (lambda fn, P, k: lambda v: fn(_sub(P, k, v), X, LAB))(fn, P, k))
      for name, fn in NET_CALLS.items()
      for P in [P2 if name.startswith("two_layer") else P3] for k in ("W1", "b1", "W2", "b2")],
    *[(f"{name}", "X", X, 2, (lambda fn, P: lambda v: fn(P, v, LAB))(
        fn, P2 if name.startswith("two_layer") else P3)) for name, fn in NET_CALLS.items()],
]


def _bad_values(value, ndim):
    rows = [("a nan", _nan(value), ValueError, "has 1 non-finite value"),
            ("complex numbers", np.asarray(value, dtype=complex), TypeError,
             "must be an array of real numbers")]
    if ndim == "targets":           # class targets: a string or 1-D floats are not labels
        return rows
    rows.append(("a string", "oops", TypeError, "must be an array of (real )?numbers"))
    if ndim is not None:
        wrong = np.asarray(value)[..., None] if ndim == 1 else np.asarray(value).ravel()
        rows.append(("the wrong dimensions", wrong, ValueError, f"must be {ndim}-D"))
    return rows


ARG_ROWS = [pytest.param(call, bad, exc, rf"^{re.escape(arg)} {msg}",
                         id=f"{label}-{arg}-{what}")
            for label, arg, value, ndim, call in ARGS
            for what, bad, exc, msg in _bad_values(value, ndim)]


@pytest.mark.parametrize(("call", "bad", "exc", "match"), ARG_ROWS)
def test_every_array_argument_is_refused_by_its_own_name(call, bad, exc, match):
    with pytest.raises(exc, match=match):
        call(bad)


@pytest.mark.parametrize(("label", "arg", "value", "ndim", "call"),
                         [pytest.param(*a, id=f"{a[0]}-{a[1]}") for a in ARGS])
def test_the_valid_value_of_each_row_is_accepted(label, arg, value, ndim, call):
    call(value)


# ------------------------------------------------------------------ check_finite=False
def _public_with_check_finite():
    calls = {
        "softmax_backward": lambda cf: bp.softmax_backward(_nan(T), _nan(Z), check_finite=cf),
        "dense_forward": lambda cf: bp.dense_forward(_nan(Z), _nan(np.ones((3, 2))),
                                                     _nan(np.ones(2)), check_finite=cf),
        "dense_backward": lambda cf: bp.dense_backward(
            _nan(T[:, :2]), (_nan(Z), _nan(np.ones((3, 2)))), check_finite=cf),
        "hidden_delta": lambda cf: bp.hidden_delta(_nan(T), _nan(np.ones((3, 3))), _nan(Z),
                                                   "sigmoid", check_finite=cf),
        "cross_entropy_with_logits": lambda cf: bp.cross_entropy_with_logits(
            _nan(Z), LAB[:4], check_finite=cf),
        **{f"{n}": (lambda fn, p: lambda cf: fn(p, _nan(X), LAB, check_finite=cf))(
            getattr(getattr(bp, n.split(".")[0]), n.split(".")[1]),
            P2 if n.startswith("two_layer") else P3)
           for n in ("two_layer.loss_and_grads", "two_layer.loss_and_grads_loop",
                     "mlp.loss_and_grads", "mlp.loss_and_grads_loop")},
        **{f"{n}": (lambda fn, p: lambda cf: fn(p, _nan(X), check_finite=cf))(
            getattr(getattr(bp, n.split(".")[0]), n.split(".")[1]),
            P2 if n.startswith("two_layer") else P3)
           for n in ("two_layer.predict", "mlp.forward", "mlp.predict")},
    }
    for name in bp.__all__:
        fn = getattr(bp, name)
        if name in calls or not callable(fn) or isinstance(fn, type):
            continue
        params = inspect.signature(fn).parameters
        if "check_finite" not in params:
            continue
        positional = [p for p in params if params[p].kind is params[p].POSITIONAL_OR_KEYWORD]
        # a nan in the prediction; valid targets (targets are always checked)
        args = [_nan(T if positional[0] in ("a", "probs") else Z)]
        if len(positional) > 1:
            args.append(LAB if "cross_entropy" in name or "delta_ce" in name else T)
        calls[name] = (lambda fn, args: lambda cf: fn(*args, check_finite=cf))(fn, args)
    return calls


CHECK_FINITE = _public_with_check_finite()


@pytest.mark.parametrize("name", sorted(CHECK_FINITE))
def test_check_finite_is_honoured_by_every_function_that_takes_it(name):
    """A nan is refused by default and passes the input check with ``check_finite=False``
    (what the function then makes of it is its own business, e.g. an overflow error)."""
    with pytest.raises(ValueError, match="non-finite value"):
        CHECK_FINITE[name](True)
    with np.errstate(all="ignore"):
        try:
            CHECK_FINITE[name](False)
        except ValueError as exc:
            assert "non-finite value" not in str(exc), name


def test_every_public_function_with_check_finite_is_swept():
    have = {n for n in bp.__all__ if callable(getattr(bp, n)) and not isinstance(
        getattr(bp, n), type) and "check_finite" in inspect.signature(getattr(bp, n)).parameters}
    assert have <= set(CHECK_FINITE) and len(have) >= 25


# ------------------------------------------------------------------ scalar hyper-parameters
POSITIVE_INT = [("a zero", 0, ValueError, "must be a positive int, got 0"),
                ("a negative", -3, ValueError, "must be a positive int, got -3"),
                ("a float", 2.0, TypeError, "must be a positive int, got float"),
                ("a bool", True, TypeError, "must be a positive int"),
                ("a string", "3", TypeError, "must be a positive int")]
POSITIVE = [("a zero", 0.0, ValueError, "must be a positive number, got 0.0"),
            ("a negative", -0.5, ValueError, "must be a positive number, got -0.5"),
            ("a nan", float("nan"), ValueError, "must be a positive number"),
            ("an infinity", float("inf"), ValueError, "must be a positive number"),
            ("a string", "1", TypeError, "must be a positive number")]
SEED = [("a negative", -1, ValueError, "must be a non-negative int, got -1"),
        ("a float", 1.0, TypeError, "must be a non-negative int")]
REG = [("a negative", -1.0, ValueError, r"^reg must be finite and non-negative, got -1.0"),
       ("a nan", float("nan"), ValueError, r"^reg must be finite and non-negative"),
       ("a string", "0.1", TypeError, r"^reg must be a real number")]

SCALARS = [
    ("one_hot", "num_classes", POSITIVE_INT, lambda v: bp.one_hot(LAB, v)),
    ("make_blobs", "n_samples", POSITIVE_INT, lambda v: bp.datasets.make_blobs(v)),
    ("make_blobs", "n_features", POSITIVE_INT, lambda v: bp.datasets.make_blobs(9, v)),
    ("make_blobs", "n_classes", POSITIVE_INT, lambda v: bp.datasets.make_blobs(9, 2, v)),
    ("make_blobs", "spread", POSITIVE, lambda v: bp.datasets.make_blobs(spread=v)),
    ("make_blobs", "seed", SEED, lambda v: bp.datasets.make_blobs(seed=v)),
    ("train_test_split", "test_size", POSITIVE,
     lambda v: bp.datasets.train_test_split(X, LAB, v)),
    ("train_test_split", "seed", SEED, lambda v: bp.datasets.train_test_split(X, LAB, seed=v)),
    ("two_layer.init_params", "std", POSITIVE, lambda v: bp.two_layer.init_params(std=v)),
    ("two_layer.init_params", "seed", SEED, lambda v: bp.two_layer.init_params(seed=v)),
    ("mlp.init_params", "std", POSITIVE, lambda v: bp.mlp.init_params([2, 3], std=v)),
    ("mlp.init_params", "seed", SEED, lambda v: bp.mlp.init_params([2, 3], seed=v)),
    ("mlp.init_params", r"layer_sizes\[1\]", POSITIVE_INT,
     lambda v: bp.mlp.init_params([2, v, 3])),
    ("sgd_step", "lr", POSITIVE, lambda v: bp.sgd_step(P2, G2, v)),
    ("fit", "lr", POSITIVE, lambda v: bp.fit(bp.two_layer.loss_and_grads, P2, X, LAB, lr=v,
                                             epochs=1)),
    ("fit", "epochs", POSITIVE_INT, lambda v: bp.fit(bp.two_layer.loss_and_grads, P2, X, LAB,
                                                     lr=0.1, epochs=v)),
    ("fit", "batch_size", POSITIVE_INT, lambda v: bp.fit(
        bp.two_layer.loss_and_grads, P2, X, LAB, lr=0.1, epochs=1, batch_size=v)),
    ("fit", "seed", SEED, lambda v: bp.fit(bp.two_layer.loss_and_grads, P2, X, LAB, lr=0.1,
                                           epochs=1, seed=v)),
    ("minibatch_indices", "n", POSITIVE_INT,
     lambda v: bp.training.minibatch_indices(v, 2, np.random.default_rng(0))),
    ("minibatch_indices", "batch_size", POSITIVE_INT,
     lambda v: bp.training.minibatch_indices(5, v, np.random.default_rng(0))),
    *[(f"{cls}", name, kinds, (lambda cls, name: lambda v: getattr(bp, cls)(**{name: v}))(
        cls, name))
      for cls in ("TwoLayerNet", "MLP")
      for name, kinds in (("num_classes", POSITIVE_INT), ("reg", REG), ("lr", POSITIVE),
                          ("epochs", POSITIVE_INT), ("batch_size", POSITIVE_INT),
                          ("seed", SEED))],
    ("TwoLayerNet", "hidden_size", POSITIVE_INT, lambda v: bp.TwoLayerNet(v)),
    ("TwoLayerNet", "std", POSITIVE, lambda v: bp.TwoLayerNet(std=v)),
    ("MLP", "std", POSITIVE, lambda v: bp.MLP(std=v)),
    ("MLP", r"hidden_sizes\[1\]", POSITIVE_INT, lambda v: bp.MLP((4, v))),
    *[(n, "reg", REG, (lambda fn: lambda v: fn(v))(fn)) for n, fn in {
        "two_layer.loss_and_grads": lambda v: bp.two_layer.loss_and_grads(P2, X, LAB, reg=v),
        "mlp.loss_and_grads_loop": lambda v: bp.mlp.loss_and_grads_loop(P3, X, LAB, reg=v),
        "l2_penalty": lambda v: bp.l2_penalty([Z], v), "l2_grad": lambda v: bp.l2_grad(Z, v),
    }.items()],
]
SCALAR_ROWS = [pytest.param(call, bad, exc, msg if msg.startswith("^") else rf"^{arg} {msg}",
                            id=f"{label}-{arg}-{what}")
               for label, arg, kinds, call in SCALARS for what, bad, exc, msg in kinds]


@pytest.mark.parametrize(("call", "bad", "exc", "match"), SCALAR_ROWS)
def test_every_scalar_argument_is_refused_by_its_own_name(call, bad, exc, match):
    with pytest.raises(exc, match=match):
        call(bad)


@pytest.mark.parametrize(("what", "call", "exc", "match"), [
    ("unknown hidden activation", lambda: bp.mlp.forward(P3, X, "gelu"), ValueError,
     r"^unknown hidden activation 'gelu'; expected one of \['relu', 'sigmoid', 'tanh'\]"),
    ("activation not a string", lambda: bp.hidden_delta(T, np.ones((3, 3)), Z, None),
     TypeError, r"^activation must be one of \['relu', 'sigmoid', 'tanh'\] \(a string\)"),
    ("unknown head", lambda: bp.get_head("softmax_mse"), ValueError,
     r"^unknown head 'softmax_mse'; expected one of \['identity_mse', 'sigmoid_bce'"),
    ("MLP activation", lambda: bp.MLP(hidden="gelu"), ValueError,
     r"^unknown hidden activation 'gelu'"),
    ("minibatch rng", lambda: bp.training.minibatch_indices(5, 2, 0), TypeError,
     r"^rng must be a numpy.random.Generator, got int"),
    ("fit's function", lambda: bp.fit(3, P2, X, LAB, lr=0.1, epochs=1), TypeError,
     re.escape("loss_and_grads must be a function f(params, X, y) -> Result, got int") + "$"),
    ("params not a dict", lambda: bp.sgd_step([1], G2, 0.1), TypeError,
     r"^params must be a dict of arrays, got list$"),
    ("labels for CE of probabilities", lambda: bp.cross_entropy(bp.softmax(Z), LAB[:2]),
     ValueError, re.escape("y must have one label per example of probs (4), got shape (2,)")
     + "$"),
    ("fit's callback", lambda: bp.fit(bp.two_layer.loss_and_grads, P2, X, LAB, lr=0.1,
                                      epochs=1, callback=3), TypeError,
     r"^callback must be a function or None, got int"),
    ("fit's targets", lambda: bp.fit(bp.two_layer.loss_and_grads, P2, X, LAB[:3], lr=0.1,
                                     epochs=1), ValueError,
     r"^y must have one label or target row per row of X\(4, 5\), got shape \(3,\)"),
    ("a result that is not one", lambda: bp.fit(lambda p, x, y: 1.0, P2, X, LAB, lr=0.1,
                                                epochs=1), TypeError,
     r"^loss_and_grads must return a Result with .loss and a .grads dict, got float"),
    ("sgd keys", lambda: bp.sgd_step(P2, {**G2, "W9": G2["W1"]}, 0.1), ValueError,
     r"^params and grads must have the same keys; they differ in \['W9'\]"),
    ("sgd shapes", lambda: bp.sgd_step(P2, {**G2, "b1": G2["W1"]}, 0.1), ValueError,
     r"^grads\['b1'\] has shape \(5, 6\) but params\['b1'\] has shape \(6,\)"),
    ("sgd not dicts", lambda: bp.sgd_step(P2, [1], 0.1), TypeError,
     r"^grads must be a dict of arrays, got list"),
    ("test_size of 1", lambda: bp.datasets.train_test_split(X, LAB, 1.0), ValueError,
     r"^test_size must lie in \(0, 1\), got 1.0"),
    ("test_size too small", lambda: bp.datasets.train_test_split(X, LAB, 0.01), ValueError,
     r"^test_size=0.01 of 4 rows gives 0 test rows and 4 training rows"),
    ("split lengths", lambda: bp.datasets.train_test_split(X, LAB[:3]), ValueError,
     r"^X\(4, 5\) and y\(3,\) must have the same number of rows"),
    ("standardize widths", lambda: bp.datasets.standardize(X, X[:, :2]), ValueError,
     r"^X_test\(4, 2\) must have X_train's 5 columns"),
    ("one_hot dtype", lambda: bp.one_hot(LAB, 3, dtype=np.int64), TypeError,
     r"^dtype must be a float dtype such as float64, got int64"),
    ("one_hot bad dtype", lambda: bp.one_hot(LAB, 3, dtype="nonsense"), TypeError,
     r"^dtype must be a float dtype, got 'nonsense'"),
    ("weights not a list", lambda: bp.l2_penalty(Z, 0.1), TypeError,
     r"^weights must be a list or tuple of weight arrays, got ndarray"),
    ("no weights", lambda: bp.l2_penalty([], 0.1), ValueError, r"^weights is empty"),
    ("dense cache", lambda: bp.dense_backward(T, [Z, Z]), TypeError,
     r"^cache must be the \(X, W\) tuple that dense_forward returns, got list"),
    ("dense chain", lambda: bp.dense_forward(Z, np.ones((2, 2)), np.zeros(2)), ValueError,
     r"^shapes do not chain: X\(4, 3\) @ W\(2, 2\) \+ b\(2,\)"),
    ("dense bias", lambda: bp.dense_forward(Z, np.ones((3, 2)), np.zeros(3)), ValueError,
     r"^shapes do not chain"),
    ("dense backward rows", lambda: bp.dense_backward(T[:3, :2], (Z, np.ones((3, 2)))),
     ValueError, r"^dZ must have one row per example of the cached X \(4\), got shape \(3, 2\)"),
    ("dense backward width", lambda: bp.dense_backward(T, (Z, np.ones((3, 2)))), ValueError,
     r"^dZ\(4, 3\) must have W's fan_out 2 columns"),
    ("dense cache chain", lambda: bp.dense_backward(T[:, :2], (Z, np.ones((2, 2)))),
     ValueError, r"^cache does not chain: X\(4, 3\) @ W\(2, 2\)"),
    ("hidden chain", lambda: bp.hidden_delta(T, np.ones((2, 3)), Z, "relu"), ValueError,
     r"^shapes do not chain: delta_next\(4, 3\) @ W_next.T\(3, 2\) must give z's shape"),
    ("hidden rows", lambda: bp.hidden_delta(T[:2], np.ones((3, 3)), Z, "relu"), ValueError,
     r"^delta_next must have one row per example of z \(4\), got shape \(2, 3\)"),
    ("softmax_backward shapes", lambda: bp.softmax_backward(T[:, :2], Z), ValueError,
     r"^dA and z must have the same shape, got dA\(4, 2\) and z\(4, 3\)"),
    ("network depth", lambda: bp.two_layer.loss_and_grads(P3, X, LAB), ValueError,
     r"^params describes 3 layers; this network has 2"),
    ("network keys", lambda: bp.mlp.forward({**P3, "c1": 1}, X), ValueError,
     r"^params has unexpected keys \['c1'\]; expected W1, b1"),
    ("missing layer", lambda: bp.mlp.forward({"W2": P3["W2"], "b2": P3["b2"]}, X), ValueError,
     r"^params is missing \['W1', 'b1'\]"),
    ("bias shape", lambda: bp.mlp.forward({**P3, "b2": np.zeros(7)}, X), ValueError,
     r"^params\['b2'\] has shape \(7,\); W2\(4, 3\) needs \(3,\)"),
    ("estimator not fitted", lambda: bp.MLP().predict(X), RuntimeError,
     r"^MLP is not fitted yet; call fit\(X, y\) first"),
    ("estimator features", lambda: bp.TwoLayerNet(3, epochs=1).fit(X, LAB).predict(Z),
     ValueError, r"^X has 3 features but TwoLayerNet was fitted on 5"),
    ("estimator one class", lambda: bp.TwoLayerNet(3, epochs=1).fit(X, np.zeros(4, int)),
     ValueError, r"^y holds a single class \[0\]; a classifier needs at least two"),
    ("estimator width", lambda: bp.MLP(num_classes=4, epochs=1).fit(X, SOFT), ValueError,
     r"^y has 3 columns but num_classes=4"),
    ("estimator labels", lambda: bp.MLP(epochs=1).fit(X, LAB[:3]), ValueError,
     r"^y must have one label per row of X \(4\), got shape \(3,\)"),
    ("estimator set_params", lambda: bp.MLP().set_params(depth=3), ValueError,
     r"^MLP has no hyper-parameter \['depth'\]; expected among"),
    ("labels for the notes' network", lambda: bp.two_layer.loss_and_grads(P2, X, LAB[:3]),
     ValueError, r"^y must have one label per example of X \(4\), got shape \(3,\)"),
    ("labels for its loop", lambda: bp.two_layer.loss_and_grads_loop(P2, X, LAB[:3]),
     ValueError, r"^y must have one label per example of X \(4\), got shape \(3,\)"),
    ("labels for the MLP", lambda: bp.mlp.loss_and_grads(P3, X, LAB[:3]), ValueError,
     r"^y must have one label per example of the output Z \(4\), got shape \(3,\)"),
    ("labels for the MLP loop", lambda: bp.mlp.loss_and_grads_loop(P3, X, LAB[:3]), ValueError,
     r"^y must have one label per example of the output Z \(4\), got shape \(3,\)"),
    ("an overflowing result", lambda: bp.dense_forward(
        np.full((2, 2), 1e300), np.full((2, 2), 1e300), np.zeros(2)), ValueError,
     r"^dense_forward: the result\[0\] overflows the float range \(inf or nan\) although "
     r"every input is finite: the inputs are too extreme for this computation in float64$"),
    ("an overflowing loss", lambda: bp.mlp.loss_and_grads(
        {"W1": np.full((2, 2), 1e200), "b1": np.zeros(2)}, np.full((3, 2), 1e200),
        np.zeros((3, 2)), head="identity_mse"), ValueError,
     r"^mlp.loss_and_grads: loss overflows the float range"),
    ("an overflowing step", lambda: bp.sgd_step({"W": np.array([1e308])},
                                                {"W": np.array([-1e308])}, 10.0), ValueError,
     r"^sgd_step: W overflows the float range"),
    ("an overflowing delta", lambda: bp.hidden_delta(np.full((1, 1), 1e300),
                                                     np.full((1, 1), 1e300), Z[:1, :1], "tanh"),
     ValueError, r"^hidden_delta: the result overflows the float range"),
    ("overflowing scores", lambda: bp.two_layer.predict(
        {k: np.full(v.shape, 1e200) for k, v in P2.items()}, np.full((3, 5), 1e200)),
     ValueError, r"^two_layer.predict: the scores Z2 overflow the float range although every "
                 r"input is finite$"),
    ("estimator score shape", lambda: bp.TwoLayerNet(3, epochs=1).fit(X, LAB).score(X, LAB[:2]),
     ValueError, r"^y must have shape \(4,\) to match X, got \(2,\)"),
])
def test_every_other_refusal_names_what_is_wrong(what, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------ whole messages
#: messages whose every literal part is checked, start to end (a message that grows a
#: prefix, loses its hint or changes case is a different message)
WHOLE = [
    ("ragged class targets", lambda: bp.cross_entropy_with_logits(
        np.zeros((2, 2)), [[1.0, 0.0], [1.0]]), TypeError,
     re.escape("y must be an array of class labels: ")),
    ("class_targets names its argument", lambda: bp.validation.class_targets(
        np.array([0, 5]), 2, 3, name="t"), ValueError,
     re.escape("t holds labels in [0, 5] but must lie in [0, 3) for 3 classes") + "$"),
    ("3-D class targets", lambda: bp.cross_entropy_with_logits(np.zeros((2, 2)),
                                                               np.zeros((2, 2, 1))), ValueError,
     re.escape("y must be (N,) integer labels or (N, K) one-hot or soft rows, got shape "
               "(2, 2, 1)") + "$"),
    ("soft rows outside [0, 1]", lambda: bp.cross_entropy_with_logits(
        np.zeros((2, 2)), np.array([[1.5, -0.5], [0.5, 0.5]])), ValueError,
     re.escape("y must hold probabilities in [0, 1], got values in [-0.5, 1.5] with shape "
               "(2, 2)") + "$"),
    ("labels given as a string", lambda: bp.one_hot("abc", 3), TypeError,
     re.escape("labels must be an array of class labels, got str 'abc'") + "$"),
    ("class targets given as a string", lambda: bp.cross_entropy_with_logits(Z, "abc"),
     TypeError, re.escape("y must be an array of class labels, got str 'abc'") + "$"),
    ("network_inputs checks finiteness by default", lambda: bp.validation.network_inputs(
        P2, np.where(X == X[0, 0], np.nan, X), 0.1), ValueError,
     re.escape("X has 1 non-finite value(s) (nan or inf) in shape (4, 5)")),
    ("no parameters at all", lambda: bp.mlp.forward({}, X), ValueError,
     re.escape("params is missing ['W1', 'b1']") + "$"),
    ("parameters not a dict", lambda: bp.mlp.forward([1], X), TypeError,
     re.escape("params must be a dict of W1, b1, …, WL, bL, got list") + "$"),
    ("layer_sizes' default name", lambda: bp.validation.layer_sizes([4]), ValueError,
     re.escape("layer_sizes must hold at least two sizes (inputs and outputs), got [4]") + "$"),
    ("a seed that is not a number", lambda: bp.datasets.make_blobs(seed="a"), TypeError,
     re.escape("seed must be a non-negative int, got str 'a'") + "$"),
    ("BCE prediction outside [0, 1]", lambda: bp.binary_cross_entropy(np.array([[1.2]]),
                                                                      np.array([[0.5]])),
     ValueError, re.escape("a must hold probabilities in [0, 1], got values in [1.2, 1.2] with "
                           "shape (1, 1)") + "$"),
    ("BCE gradient target outside [0, 1]", lambda: bp.binary_cross_entropy_grad(
        np.array([[0.5]]), np.array([[2.0]])), ValueError,
     re.escape("y must hold probabilities in [0, 1], got values in [2, 2] with shape (1, 1)")
     + "$"),
    ("BCE-with-logits target outside [0, 1]", lambda: bp.binary_cross_entropy_with_logits(
        np.array([[0.5]]), np.array([[-1.0]])), ValueError,
     re.escape("y must hold probabilities in [0, 1], got values in [-1, -1] with shape (1, 1)")
     + "$"),
    ("labels for CE from logits", lambda: bp.cross_entropy_with_logits(np.zeros((4, 3)),
                                                                       np.array([0, 1])),
     ValueError, re.escape("y must have one label per example of z (4), got shape (2,)") + "$"),
    ("estimator string targets", lambda: bp.MLP(epochs=1).fit(np.zeros((4, 3)), "abc"),
     TypeError, re.escape("y must be an array of class labels or (N, K) rows, got str") + "$"),
    ("activation given as a list", lambda: bp.mlp.forward(P3, X, ["relu"]), TypeError,
     re.escape("hidden activation must be one of ['relu', 'sigmoid', 'tanh'] (a string), got "
               "list") + "$"),
    *[(f"{name} of a deeper network", (lambda fn: lambda: fn(P3, X, LAB))(fn), ValueError,
       re.escape("params describes 3 layers; this network has 2") + "$")
      for name, fn in (("two_layer.predict", lambda p, x, y: bp.two_layer.predict(p, x)),
                       ("two_layer.loss_and_grads_loop", bp.two_layer.loss_and_grads_loop))],
    ("class_labels' default name", lambda: bp.validation.class_labels(np.array([0, 5]), 2, 3),
     ValueError, re.escape("y holds labels in [0, 5] but must lie in [0, 3) for 3 classes") + "$"),
    ("class_labels' default count", lambda: bp.validation.class_labels(np.array([0, 1, 2]), 2,
                                                                       3), ValueError,
     re.escape("y must have one label per example of the scores (2), got shape (3,)") + "$"),
    ("class_labels empty", lambda: bp.validation.class_labels(np.array([], dtype=int), None, 3),
     ValueError, re.escape("y is empty (shape (0,)); a batch needs at least one row") + "$"),
    ("fractional float labels get no astype hint", lambda: bp.cross_entropy(
        bp.softmax(np.zeros((4, 3))), np.array([0.5, 1.0, 0.0, 2.0])), TypeError,
     re.escape("y as a 1-D array must hold integer class labels, got dtype float64 with shape "
               "(4,)") + "$"),
    ("jacobian gap beyond the float range", lambda: bp.delta_ce_softmax_jacobian(
        np.array([[1e308, -1e308]]), [1]), ValueError, re.escape(
            "the full-Jacobian delta needs ∂L/∂A = −Y/(N·A), which is infinite or inexact: "
            "softmax(z) underflowed to 0 at target class 1 of row 0 (z(1, 2), logit gap inf)")),
    ("jacobian subnormal target", lambda: bp.delta_ce_softmax_jacobian(
        np.array([[0.0, -720.0], [0.0, -720.0]]), [0, 1]), ValueError, ".*" + re.escape(
            "softmax(z) underflowed to a subnormal 2.03e-313 at target class 1 of row 1 "
            "(z(2, 2), logit gap 720)")),
    ("float64 targets beyond float32", lambda: bp.mlp.loss_and_grads(
        {"W1": np.ones((2, 2), np.float32), "b1": np.zeros(2, np.float32)},
        np.ones((3, 2), np.float32), np.full((3, 2), 1e300), head="identity_mse"), ValueError,
     re.escape("y holds values up to 1e+300, beyond the range of the output Z's dtype "
               "float32") + "$"),
    ("float64 targets beyond float32 (mse)", lambda: bp.mse(
        np.ones((2, 2), np.float32), np.full((2, 2), 1e300)), ValueError,
     re.escape("y holds values up to 1e+300, beyond the range of a's dtype float32") + "$"),
    ("a result whose grads are no dict", lambda: bp.fit(
        lambda p, x, y: bp.network.Result(1.0, [p], {}), P2, X, LAB, lr=0.1, epochs=1),
     TypeError, re.escape("loss_and_grads must return a Result with .loss and a .grads dict, "
                          "got Result") + "$"),
    ("estimator 3-D targets", lambda: bp.MLP(epochs=1).fit(X, np.zeros((4, 3, 1))), ValueError,
     re.escape("y must be (N,) class labels or (N, K) one-hot or soft rows, got shape "
               "(4, 3, 1)") + "$"),
    ("estimator rows", lambda: bp.MLP(epochs=1).fit(X, SOFT[:3]), ValueError,
     re.escape("y as one-hot or soft rows must have shape (N, K) = (4, 3) to match X, got "
               "(3, 3)") + "$"),
    ("estimator num_classes", lambda: bp.TwoLayerNet(num_classes=2, epochs=1).fit(X, LAB),
     ValueError, re.escape("y holds labels in [0, 2] but must lie in [0, 2) for 2 classes") + "$"),
    ("estimator None", lambda: bp.MLP(epochs=1).fit(X, None), TypeError,
     re.escape("y must be an array of class labels or (N, K) rows, got NoneType") + "$"),
    ("estimator unsortable", lambda: bp.MLP(epochs=1).fit(X, np.array([1, "a", 2.0, None],
                                                                      dtype=object)),
     TypeError, re.escape("y must hold class labels of one sortable type: ")),
    ("estimator labels with num_classes", lambda: bp.MLP(num_classes=3, epochs=1).fit(
        X, LAB[:3]), ValueError,
     re.escape("y must have one label per row of X (4), got shape (3,)") + "$"),
    ("validation.as_array ndim=3", lambda: bp.validation.as_array(np.zeros((2, 2)), "x", ndim=3),
     ValueError, re.escape("x must be 3-D (N, K, K), got shape (2, 2)") + "$"),
    ("validation.as_array ndim=4", lambda: bp.validation.as_array(np.zeros((2, 2)), "x", ndim=4),
     ValueError, re.escape("x must be 4-D 4-D, got shape (2, 2)") + "$"),
    ('single class', lambda: bp.MLP((3,), epochs=1).fit(X, np.zeros(4, int)),
     ValueError, re.escape(
         'y holds a single class [0]; a classifier needs at least two (or pass '
         'num_classes)') + "$"),
    ('jacobian underflow', lambda: bp.delta_ce_softmax_jacobian(np.array([[5.0, 1005.0]]), [0]),
     ValueError, re.escape(
         'the full-Jacobian delta needs ∂L/∂A = −Y/(N·A), which is infinite or '
         'inexact: softmax(z) underflowed to 0 at target class 0 of row 0 (z(1, 2), '
         'logit gap 1000); use delta_ce_softmax, which computes (A − Y)/N without '
         'dividing by A') + "$"),
    ('ce infinite', lambda: bp.cross_entropy(np.array([[1.0, 0.0]]), [1]),
     ValueError, re.escape(
         'cross-entropy is infinite: probs[0, 1] = 0.0 at a target that needs it to '
         'be inside (0, 1) (probs shape (1, 2)); compute the loss from logits '
         'instead (cross_entropy_with_logits / binary_cross_entropy_with_logits / '
         'the delta_* functions), which never take log(0)') + "$"),
    ('nan', lambda: bp.softmax(np.array([[0.0, np.nan, 1.0]])),
     ValueError, re.escape(
         'z has 1 non-finite value(s) (nan or inf) in shape (1, 3); pass '
         'check_finite=False to skip this check') + "$"),
    ('ce grad infinite', lambda: bp.cross_entropy_grad(np.array([[1.0, 0.0]]), [1]),
     ValueError, re.escape(
         '∂L/∂A = −Y/(N·A) is infinite: probs[0, 1] = 0.0 at a target that needs it '
         'to be inside (0, 1) (probs shape (1, 2)); compute the loss from logits '
         'instead (cross_entropy_with_logits / binary_cross_entropy_with_logits / '
         'the delta_* functions), which never take log(0)') + "$"),
    ('ce grad overflow', lambda: bp.cross_entropy_grad(np.array([[1.0, 5e-324]]), [1]),
     ValueError, re.escape(
         '∂L/∂A = −Y/(N·A) overflows: probs[0, 1] = 5e-324 is so close to the edge '
         'of (0, 1) that the gradient there exceeds the float range (probs shape (1,'
         ' 2)); compute from logits instead (the delta_* functions), which never '
         'divide by probs') + "$"),
    ('bce grad infinite',
      lambda: bp.binary_cross_entropy_grad(np.array([[0.0]]), np.array([[0.5]])),
     ValueError, re.escape(
         'the BCE gradient is infinite: a[0, 0] = 0.0 at a target that needs it to '
         'be inside (0, 1) (a shape (1, 1)); compute the loss from logits instead '
         '(cross_entropy_with_logits / binary_cross_entropy_with_logits / the '
         'delta_* functions), which never take log(0)') + "$"),
    ('bce grad overflow',
      lambda: bp.binary_cross_entropy_grad(np.array([[5e-324]]), np.array([[0.5]])),
     ValueError, re.escape(
         'the BCE gradient overflows: a[0, 0] = 5e-324 is so close to the edge of '
         '(0, 1) that the gradient there exceeds the float range (a shape (1, 1)); '
         'compute from logits instead (the delta_* functions), which never divide by'
         ' a') + "$"),
    ('bce infinite', lambda: bp.binary_cross_entropy(np.array([[1.0]]), np.array([[0.5]])),
     ValueError, re.escape(
         'binary cross-entropy is infinite: a[0, 0] = 1.0 at a target that needs it '
         'to be inside (0, 1) (a shape (1, 1)); compute the loss from logits instead'
         ' (cross_entropy_with_logits / binary_cross_entropy_with_logits / the '
         'delta_* functions), which never take log(0)') + "$"),
    ('head shape',
      lambda: bp.mlp.loss_and_grads(P3, X, np.full((4, 2), 0.5), "relu", "sigmoid_bce"),
     ValueError, re.escape(
         'y and the output Z must have the same shape, got y(4, 2) and the output '
         'Z(4, 3)') + "$"),
    ('hidden gelu', lambda: bp.mlp.loss_and_grads(P3, X, LAB, "gelu"),
     ValueError, re.escape(
         "unknown hidden activation 'gelu'; expected one of ['relu', 'sigmoid', "
         "'tanh']") + "$"),
    ('float labels', lambda: bp.cross_entropy(bp.softmax(Z), LAB.astype(float)),
     TypeError, re.escape(
         'y as a 1-D array must hold integer class labels, got dtype float64 with '
         'shape (4,); convert them with y.astype(int)') + "$"),
    ('class_targets default', lambda: bp.validation.class_targets(np.array([0, 1]), 3, 2),
     ValueError, re.escape(
         'y must have one label per example of the scores (3), got shape (2,)') + "$"),
    ('class_targets soft default', lambda: bp.validation.class_targets(np.full((2, 2), 0.5), 3, 2),
     ValueError, re.escape(
         'y as one-hot or soft rows must have shape (N, K) = (3, 2) to match the '
         'scores, got (2, 2)') + "$"),
    ('lr huge int', lambda: bp.sgd_step(P2, G2, 10**400),
     ValueError, re.escape(
         'lr must be a positive number within the float range, got an int of 401 '
         'digits') + "$"),
    ('reg huge int', lambda: bp.l2_grad(Z, 10**400),
     ValueError, re.escape(
         'reg must be finite and non-negative, got an int of 401 digits') + "$"),
    ('hidden_sizes str', lambda: bp.MLP("16"),
     TypeError, re.escape(
         'hidden_sizes must be a sequence of positive ints such as (16, 16), got str'
         " '16'") + "$"),
    ('init sizes', lambda: bp.two_layer.init_params(0, 10, 3),
     ValueError, re.escape(
         '[input_size, hidden_size, num_classes][0] must be a positive int, got 0') + "$"),
    ('b 2-D', lambda: bp.dense_forward(Z, np.ones((3, 2)), np.zeros((1, 2))),
     ValueError, re.escape('b must be 1-D (N,), got shape (1, 2)') + "$"),
    ('check_finite str', lambda: bp.softmax(Z, check_finite="no"),
     TypeError, re.escape("check_finite must be True or False, got str 'no'") + "$"),
    ('string z', lambda: bp.sigmoid("1.0"),
     TypeError, re.escape("z must be an array of numbers, got str '1.0'") + "$"),
    ('ragged', lambda: bp.softmax([[1.0, 2.0], [3.0]]),
     TypeError, re.escape('z must be an array of numbers: ')),
    ('longdouble',
      lambda: bp.softmax(np.array([[np.longdouble("1e400"), 0]], dtype=np.longdouble)),
     ValueError, re.escape(
         'z has 1 non-finite value(s) (nan or inf) in shape (1, 2); pass '
         'check_finite=False to skip this check') + "$"),
    ('complex', lambda: bp.relu(np.ones(2, dtype=complex)),
     TypeError, re.escape(
         'z must be an array of real numbers, got dtype complex128 with shape (2,)') + "$"),
    ('empty', lambda: bp.softmax(np.zeros((0, 3))),
     ValueError, re.escape('z is empty (shape (0, 3)); a batch needs at least one row') + "$"),
]


@pytest.mark.parametrize(("what", "call", "exc", "message"), WHOLE, ids=[w[0] for w in WHOLE])
def test_whole_messages(what, call, exc, message):
    with pytest.raises(exc, match="^" + message):
        call()


def test_the_smallest_legal_values_are_accepted():
    """1 is a positive int (one class, one unit, one row per batch, one epoch, one sample),
    1 a positive learning rate and 0 a legal L2 strength."""
    assert bp.one_hot([0], 1).tolist() == [[1.0]]
    net = bp.MLP((1,), epochs=1, batch_size=1).fit(X[:2], LAB[:2])
    assert net.predict(X[:2]).shape == (2,)
    Xb, yb = bp.datasets.make_blobs(1, 1, 1, spread=1, seed=0)
    assert Xb.shape == (1, 1) and yb.tolist() == [0]
    assert [b.tolist() for b in bp.training.minibatch_indices(
        1, 1, np.random.default_rng(0))] == [[0]]
    assert bp.sgd_step({"W": np.ones(1)}, {"W": np.ones(1)}, 1)["W"].tolist() == [0.0]
    assert not bp.l2_grad(Z, 0).any()


def test_bce_is_finite_where_a_equals_y_at_0_or_1():
    """``0·log 0 = 0``: a = y = 1 and a = y = 0 are legal and give the one-sided values."""
    a = np.array([[1.0, 0.0, 0.5]])
    assert bp.binary_cross_entropy(a, a) == pytest.approx(np.log(2), rel=1e-15)
    assert bp.binary_cross_entropy_grad(a, a).tolist() == [[-1.0, 1.0, 0.0]]



@pytest.mark.parametrize("name", ["sigmoid", "sigmoid_prime", "relu", "relu_prime", "tanh",
                                  "tanh_prime"])
def test_elementwise_functions_take_empty_arrays(name):
    """Elementwise functions take any shape, empty ones included (the batch functions do not)."""
    for shape in [(0,), (0, 3), (2, 0)]:
        out = getattr(bp, name)(np.zeros(shape))
        assert out.shape == shape and out.dtype == np.float64


def test_cross_entropy_grad_is_zero_where_a_non_target_probability_is_zero():
    assert bp.cross_entropy_grad(np.array([[1.0, 0.0]]), [0]).tolist() == [[-1.0, 0.0]]


#: functions of (a float32 prediction, float64 targets): targets follow the prediction, so
#: the result is bit for bit what the targets rounded to float32 give
TARGETS_FOLLOW = {
    "cross_entropy_with_logits": (bp.cross_entropy_with_logits, "soft"),
    "delta_ce_softmax": (bp.delta_ce_softmax, "soft"),
    "delta_ce_softmax_jacobian": (bp.delta_ce_softmax_jacobian, "soft"),
    "cross_entropy": (lambda z, y: bp.cross_entropy(bp.softmax(z), y), "soft"),
    "cross_entropy_grad": (lambda z, y: bp.cross_entropy_grad(bp.softmax(z), y), "soft"),
    "mse": (bp.mse, "real"), "mse_grad": (bp.mse_grad, "real"),
    "delta_mse_sigmoid": (bp.delta_mse_sigmoid, "real"),
    "delta_bce_sigmoid": (bp.delta_bce_sigmoid, "real"),
    "delta_mse_identity": (bp.delta_mse_identity, "real"),
    "binary_cross_entropy_with_logits": (bp.binary_cross_entropy_with_logits, "real"),
    "binary_cross_entropy": (lambda z, y: bp.binary_cross_entropy(bp.sigmoid(z), y), "real"),
    "binary_cross_entropy_grad": (lambda z, y: bp.binary_cross_entropy_grad(bp.sigmoid(z), y),
                                  "real"),
}


@pytest.mark.parametrize("name", sorted(TARGETS_FOLLOW))
def test_float64_targets_follow_a_float32_prediction_bit_for_bit(name):
    fn, kind = TARGETS_FOLLOW[name]
    z = Z.astype(np.float32)
    y = (SOFT / SOFT.sum(axis=1, keepdims=True)) if kind == "soft" else T
    y = y + 1e-9 * (kind == "real")                  # not representable in float32
    got, want = np.asarray(fn(z, y)), np.asarray(fn(z, y.astype(np.float32)))
    assert got.dtype == want.dtype == np.float32 and np.array_equal(got, want)



def test_check_finite_false_reaches_real_targets_too():
    y = T.copy()
    y[0, 0] = np.nan
    for fn in (bp.mse, bp.mse_grad):
        with pytest.raises(ValueError, match="^y has 1 non-finite value"):
            fn(Z, y)
        assert np.isnan(fn(Z, y, check_finite=False)).any()


def test_cross_entropy_takes_a_zero_probability_where_the_target_is_zero():
    assert bp.cross_entropy(np.array([[1.0, 0.0]]), [0]) == 0.0


@pytest.mark.parametrize("fn", [bp.two_layer.loss_and_grads, bp.two_layer.loss_and_grads_loop,
                                bp.mlp.loss_and_grads, bp.mlp.loss_and_grads_loop],
                         ids=["two_layer", "two_layer_loop", "mlp", "mlp_loop"])
def test_float64_targets_follow_a_float32_network_bit_for_bit(fn):
    p = {k: v.astype(np.float32) for k, v in bp.two_layer.init_params(5, 6, 3, seed=3).items()}
    soft = SOFT / SOFT.sum(axis=1, keepdims=True)
    a = fn(p, X.astype(np.float32), soft, reg=0.1)
    b = fn(p, X.astype(np.float32), soft.astype(np.float32), reg=0.1)
    assert a.loss.dtype == np.float32 and a.loss == b.loss
    for k in a.grads:
        assert a.grads[k].dtype == np.float32 and np.array_equal(a.grads[k], b.grads[k]), k
    for k in a.intermediates:
        assert np.array_equal(a.intermediates[k], b.intermediates[k]), k



def test_float64_targets_at_float32s_largest_value_still_fit():
    biggest = float(np.finfo(np.float32).max)
    g = bp.mse_grad(np.zeros((1, 2), np.float32), np.full((1, 2), biggest))
    assert g.dtype == np.float32 and np.all(g == -np.float32(biggest))


@pytest.mark.parametrize(("m", "accepted"), [(128, True), (129, False)])
def test_the_row_sum_tolerance_is_exactly_64_eps_k(m, accepted):
    """[0.5, 0.5 + m·ε] sums to exactly 1 + m·ε: with K = 2 the tolerance 64·ε·K = 128·ε
    accepts m = 128 and refuses m = 129."""
    Y = np.array([[0.5, 0.5 + m * np.finfo(np.float64).eps], [1.0, 0.0]])
    if accepted:
        bp.delta_ce_softmax(np.zeros((2, 2)), Y)
    else:
        with pytest.raises(ValueError, match="rows must sum to 1"):
            bp.delta_ce_softmax(np.zeros((2, 2)), Y)


def test_weights_that_are_not_a_sequence_of_arrays():
    for bad, got in ((3, "int"), ("W", "str"), (Z, "ndarray")):
        with pytest.raises(TypeError, match=rf"^weights must be a list or tuple of weight "
                                            rf"arrays, got {got}$"):
            bp.l2_penalty(bad, 0.1)
