"""Bad input gets a clear error naming the argument and what it got (docs/bad-input.md).

Three tables:

* the docs page's own table (``docs/bad-input.md``): each row's example is run after the
  page's set-up block, and must raise the error the row shows (``…`` for the rest of it);
* ``BAD_INPUTS``: hand-written rows, the page's table and every case an issue reported
  (each row: a call, the exception, and words the message must contain);
* ``ARGUMENT_ROWS``: generated, every array argument of every public function fed a string,
  complex numbers, a nan, the wrong number of dimensions and an empty batch, each of which
  must be refused with an error that names that argument.

Nothing the caller passed is ever modified, and no NumPy warning escapes (pytest turns
``RuntimeWarning`` into an error for the whole suite).
"""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import numpy as np
import pytest

import backprop_ref as bp

Z = np.array([[0.5, -1.0, 2.0], [0.0, 1.0, -0.5], [1.5, 0.2, 0.3], [-2.0, 0.1, 0.4]])
Y_INT = np.array([0, 1, 2, 1])
PROBS = bp.softmax(Z)
REAL = np.linspace(0.1, 0.9, 12).reshape(4, 3)
P = bp.two_layer.init_params()
X = np.ones((5, 4))
Y5 = np.array([0, 1, 2, 0, 1])
NAN = np.array([[0.0, np.nan, 1.0]])
OK = bp.two_layer.loss_and_grads(P, X, Y5)

BAD_INPUTS = [
    # ---- the docs page's table (docs/bad-input.md), and more
    ("mismatched shapes", lambda: bp.mse(np.zeros((4, 3)), np.zeros((4, 2))),
     ValueError, r"a and y must have the same shape, got a\(4, 3\) and y\(4, 2\)"),
    ("label out of range", lambda: bp.delta_ce_softmax(Z, np.array([0, 1, 3, 1])),
     ValueError, r"y holds labels in \[0, 3\] but must lie in \[0, 3\)"),
    ("negative label", lambda: bp.one_hot(np.array([0, -1]), 3),
     ValueError, r"labels holds labels in \[-1, 0\]"),
    ("label vector of the wrong length", lambda: bp.delta_ce_softmax(Z, np.array([0, 1])),
     ValueError, r"y must have one label per example of the output Z \(4\), got shape \(2,\)"),
    ("float labels", lambda: bp.cross_entropy(PROBS, Y_INT.astype(float)),
     TypeError, r"integer class labels, got dtype float64.*y.astype\(int\)"),
    ("one-hot rows that do not sum to 1",
     lambda: bp.delta_ce_softmax(Z, np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 0]])),
     ValueError, r"rows must sum to 1.*row 1 of y\(4, 3\) sums to 2"),
    ("soft rows a hair off 1", lambda: bp.cross_entropy_with_logits(
        Z, np.full((4, 3), 1 / 3) + np.array([1e-9, 0, 0])),
     ValueError, r"rows must sum to 1.*row 0 of y\(4, 3\) sums to 1.00000000099"),
    ("one-hot of the wrong width", lambda: bp.delta_ce_softmax(Z, np.eye(4)),
     ValueError, r"must have shape \(N, K\) = \(4, 3\).*got \(4, 4\)"),
    ("empty batch", lambda: bp.softmax(np.zeros((0, 3))),
     ValueError, r"z is empty \(shape \(0, 3\)\)"),
    ("empty batch in a network", lambda: bp.two_layer.loss_and_grads(P, np.zeros((0, 4)), []),
     ValueError, r"X is empty"),
    ("nan input", lambda: bp.softmax(NAN),
     ValueError, r"z has 1 non-finite value.*check_finite=False"),
    ("inf in parameters", lambda: bp.two_layer.loss_and_grads(
        {**P, "W2": np.full((10, 3), np.inf)}, X, Y5),
     ValueError, r"params\['W2'\] has 30 non-finite"),
    ("probabilities outside [0, 1]", lambda: bp.cross_entropy(np.array([[1.2, -0.2]]), [0]),
     ValueError, r"probs must hold probabilities in \[0, 1\], got values in \[-0.2, 1.2\]"),
    ("BCE target outside [0, 1]", lambda: bp.delta_bce_sigmoid(Z, np.full((4, 3), 2.0)),
     ValueError, r"y must hold probabilities in \[0, 1\]"),
    ("infinite cross-entropy", lambda: bp.cross_entropy(np.array([[1.0, 0.0]]), [1]),
     ValueError, r"cross-entropy is infinite: probs\[0, 1\] = 0.0.*logits"),
    ("full-Jacobian route after underflow",
     lambda: bp.delta_ce_softmax_jacobian(np.array([[0.0, 1000.0]]), [0]),
     ValueError, r"underflowed to 0 at target class 0 of row 0.*use delta_ce_softmax"),
    ("wrong dimensions", lambda: bp.softmax(np.zeros(3)),
     ValueError, r"z must be 2-D \(N, K\), got shape \(3,\)"),
    ("not an array", lambda: bp.sigmoid("1.0"), TypeError, r"z must be an array of numbers"),
    ("complex input", lambda: bp.relu(np.ones(2, dtype=complex)),
     TypeError, r"z must be an array of real numbers, got dtype complex128"),
    ("unknown activation", lambda: bp.hidden_delta(Z, np.zeros((3, 3)), Z, "gelu"),
     ValueError, r"unknown activation 'gelu'; expected one of \['relu', 'sigmoid', 'tanh'\]"),
    ("unknown head", lambda: bp.mlp.loss_and_grads(P, X, Y5, head="softmax_mse"),
     ValueError, r"unknown head 'softmax_mse'; expected one of"),
    ("unknown hidden activation", lambda: bp.mlp.loss_and_grads(P, X, Y5, hidden="elu"),
     ValueError, r"unknown hidden activation 'elu'"),
    ("layers that do not chain", lambda: bp.two_layer.loss_and_grads(P, np.ones((5, 3)), Y5),
     ValueError, r"params\['W1'\] has shape \(4, 10\) but must have 3 rows to follow X\(5, 3\)"),
    ("bias of the wrong length", lambda: bp.two_layer.loss_and_grads(
        {**P, "b2": np.zeros(4)}, X, Y5),
     ValueError, r"params\['b2'\] has shape \(4,\); W2\(10, 3\) needs \(3,\)"),
    ("missing parameter", lambda: bp.two_layer.loss_and_grads(
        {k: v for k, v in P.items() if k != "b1"}, X, Y5),
     ValueError, r"params is missing \['b1'\]"),
    ("unexpected parameter", lambda: bp.mlp.loss_and_grads({**P, "gamma1": np.ones(3)}, X, Y5),
     ValueError, r"params has unexpected keys \['gamma1'\]"),
    ("params not a dict", lambda: bp.mlp.loss_and_grads([P["W1"], P["b1"]], X, Y5),
     TypeError, r"params must be a dict"),
    ("too many layers for the notes' network", lambda: bp.two_layer.loss_and_grads(
        bp.mlp.init_params([4, 5, 5, 3]), X, Y5),
     ValueError, r"params describes 3 layers; this network has 2"),
    ("negative label in a network", lambda: bp.two_layer.loss_and_grads(
        P, X, np.array([0, 1, 2, 0, -1])),
     ValueError, r"y holds labels in \[-1, 2\] but must lie in \[0, 3\)"),
    ("labels for the wrong batch", lambda: bp.two_layer.loss_and_grads(P, X, Y_INT),
     ValueError, r"y must have one label per example of X \(5\), got shape \(4,\)"),
    ("negative reg", lambda: bp.two_layer.loss_and_grads(P, X, Y5, reg=-1),
     ValueError, r"reg must be finite and non-negative, got -1"),
    ("reg beyond the float range", lambda: bp.two_layer.loss_and_grads(P, X, Y5, reg=10**400),
     ValueError, r"reg must be finite and non-negative, got an int of 401 digits"),
    ("nan reg", lambda: bp.mlp.loss_and_grads(P, X, Y5, reg=float("nan")),
     ValueError, r"reg must be finite and non-negative, got nan"),
    ("reg a string", lambda: bp.l2_grad(P["W1"], "0.1"),
     TypeError, r"reg must be a real number, got str '0.1'"),
    ("hidden delta shapes", lambda: bp.hidden_delta(Z, np.zeros((5, 3)), Z, "relu"),
     ValueError, r"shapes do not chain: delta_next\(4, 3\) @ W_next.T\(3, 5\)"),
    ("hidden delta with one row for five (no broadcasting)",
     lambda: bp.hidden_delta(np.ones((1, 2)), np.ones((3, 2)), np.ones((5, 3)), "relu"),
     ValueError, r"delta_next must have one row per example of z \(5\), got shape \(1, 2\)"),
    ("dense shapes", lambda: bp.dense_forward(X, np.zeros((3, 2)), np.zeros(2)),
     ValueError, r"shapes do not chain: X\(5, 4\) @ W\(3, 2\)"),
    ("non-positive lr", lambda: bp.fit(bp.two_layer.loss_and_grads, P, X, Y5, lr=0, epochs=1),
     ValueError, r"lr must be a positive number, got 0"),
    ("check_finite not a bool", lambda: bp.softmax(Z, check_finite="no"),
     TypeError, r"check_finite must be True or False, got str 'no'"),
    # ---- the classes of cases issue 12 reported, one row each
    ("big-endian labels out of range", lambda: bp.delta_ce_softmax(
        Z, np.array([2**56, 0, 1, 2], ">i8")),
     ValueError, r"y holds labels in \[0, 72057594037927936\] but must lie in \[0, 3\)"),
    ("a subnormal target probability in ∂L/∂A", lambda: bp.cross_entropy_grad(
        [[1e-310, 1.0]], [0]),
     ValueError, r"overflows: probs\[0, 0\] = 1e-310 is so close to the edge"),
    ("a subnormal probability in the BCE gradient", lambda: bp.binary_cross_entropy_grad(
        [[1e-310]], [[1.0]]),
     ValueError, r"overflows: a\[0, 0\] = 1e-310"),
    ("an unrepresentable MSE gradient", lambda: bp.mse_grad([[1e308]], [[-1e308]]),
     ValueError, r"mse_grad: the result overflows the float range.*\(a − y\)/N at \[0, 0\] "
                 r"with a = 1e\+308 and y = -1e\+308 \(a\(1, 1\), y\(1, 1\), N = 1\).*float64"),
    ("an unrepresentable identity-MSE delta", lambda: bp.delta_mse_identity(
        [[1.0, 1e308]], [[0.0, -1e308]]),                      # 2e308 with N = 1
     ValueError, r"delta_mse_identity: .*\(z − y\)/N at \[0, 1\] with z = 1e\+308 and "
                 r"y = -1e\+308"),
    ("an unrepresentable float32 MSE gradient", lambda: bp.mse_grad(
        np.array([[3e38]], np.float32), np.array([[-3e38]], np.float32)),
     ValueError, r"mse_grad: .*a = 3\.0000\d*e\+38 and y = -3\.0000\d*e\+38.*float32"),
    ("fit with y for another batch", lambda: bp.fit(
        bp.two_layer.loss_and_grads, P, np.ones((20, 4)), np.zeros(40, int), lr=0.1, epochs=1),
     ValueError, r"y must have one label or target row per row of X\(20, 4\), got shape \(40,\)"),
    ("sgd_step with a gradient of another shape", lambda: bp.sgd_step(
        P, {**OK.grads, "b1": np.ones((1, 10))}, 0.1),
     ValueError, r"grads\['b1'\] has shape \(1, 10\) but params\['b1'\] has shape \(10,\)"),
    ("sgd_step with lr = nan", lambda: bp.sgd_step(P, OK.grads, float("nan")),
     ValueError, r"lr must be a positive number, got nan"),
    ("sgd_step with different keys", lambda: bp.sgd_step(P, {"W1": OK.grads["W1"]}, 0.1),
     ValueError, r"params and grads must have the same keys; they differ in \['W2', 'b1', 'b2'\]"),
    ("fit returning no Result", lambda: bp.fit(lambda p, X, y: 0.0, P, X, Y5, lr=0.1, epochs=1),
     TypeError, r"loss_and_grads must return a Result"),
    ("fit with a non-function", lambda: bp.fit("two_layer", P, X, Y5, lr=0.1, epochs=1),
     TypeError, r"loss_and_grads must be a function"),
    ("fit with a float epoch count", lambda: bp.fit(
        bp.two_layer.loss_and_grads, P, X, Y5, lr=0.1, epochs=1.5),
     TypeError, r"epochs must be a positive int, got float 1.5"),
    ("fit with a negative seed", lambda: bp.fit(
        bp.two_layer.loss_and_grads, P, X, Y5, lr=0.1, epochs=1, seed=-1),
     ValueError, r"seed must be a non-negative int, got -1"),
    ("fit with batch size 0", lambda: bp.fit(
        bp.two_layer.loss_and_grads, P, X, Y5, lr=0.1, epochs=1, batch_size=0),
     ValueError, r"batch_size must be a positive int, got 0"),
    ("estimator on a 1-D X", lambda: bp.TwoLayerNet().fit(X[:, 0], Y5),
     ValueError, r"X must be 2-D \(N, K\), got shape \(5,\)"),
    ("estimator on an empty X", lambda: bp.TwoLayerNet().fit(np.zeros((0, 4)), []),
     ValueError, r"X is empty"),
    ("estimator on a single class", lambda: bp.TwoLayerNet().fit(X, np.zeros(5, int)),
     ValueError, r"y holds a single class \[0\]"),
    ("estimator with labels of mixed types", lambda: bp.TwoLayerNet().fit(
        X, np.array(["a", 1, "b", 2, "a"], dtype=object)),
     TypeError, r"y must hold class labels of one sortable type"),
    ("predict before fit", lambda: bp.MLP().predict(X),
     RuntimeError, r"MLP is not fitted yet"),
    ("predict with other features", lambda: bp.TwoLayerNet(epochs=1).fit(X, Y5).predict(
        np.ones((3, 5))),
     ValueError, r"X has 5 features but TwoLayerNet was fitted on 4"),
    ("MLP(hidden_sizes=16)", lambda: bp.MLP(hidden_sizes=16),
     TypeError, r"hidden_sizes must be a sequence of positive ints such as \(16, 16\), got int"),
    ("MLP with a zero-width layer", lambda: bp.MLP(hidden_sizes=(16, 0)),
     ValueError, r"hidden_sizes\[1\] must be a positive int, got 0"),
    ("MLP with an unknown activation", lambda: bp.MLP(hidden="swish"),
     ValueError, r"unknown hidden activation 'swish'"),
    ("estimator set_params with a typo", lambda: bp.TwoLayerNet().set_params(hiden_size=3),
     ValueError, r"TwoLayerNet has no hyper-parameter \['hiden_size'\]"),
    ("estimator set_params with a bad value", lambda: bp.TwoLayerNet().set_params(lr=-1),
     ValueError, r"lr must be a positive number, got -1"),
    ("init_params(std='0.1')", lambda: bp.two_layer.init_params(std="0.1"),
     TypeError, r"std must be a positive number, got str '0.1'"),
    ("init_params with a zero-width layer", lambda: bp.two_layer.init_params(4, 0, 3),
     ValueError, r"\[input_size, hidden_size, num_classes\]\[1\] must be a positive int, got 0"),
    ("init_params with a float size", lambda: bp.two_layer.init_params(4.0, 10, 3),
     TypeError, r"must be a positive int, got float 4.0"),
    ("init_params with a negative seed", lambda: bp.two_layer.init_params(seed=-3),
     ValueError, r"seed must be a non-negative int, got -3"),
    ("mlp.init_params(4)", lambda: bp.mlp.init_params(4),
     TypeError, r"layer_sizes must be a sequence of at least two positive ints.*got int 4"),
    ("mlp.init_params with one size", lambda: bp.mlp.init_params([4]),
     ValueError, r"layer_sizes must hold at least two sizes"),
    ("mlp.init_params with std = 0", lambda: bp.mlp.init_params([4, 3], std=0),
     ValueError, r"std must be a positive number, got 0"),
    ("make_blobs(10, 4, 0)", lambda: bp.datasets.make_blobs(10, 4, 0),
     ValueError, r"n_classes must be a positive int, got 0"),
    ("make_blobs with a float count", lambda: bp.datasets.make_blobs(10.5),
     TypeError, r"n_samples must be a positive int, got float 10.5"),
    ("make_blobs with spread 0", lambda: bp.datasets.make_blobs(spread=0),
     ValueError, r"spread must be a positive number, got 0"),
    ("train_test_split leaving the test set empty", lambda: bp.datasets.train_test_split(
        X, Y5, test_size=0.01),
     ValueError, r"test_size=0.01 of 5 rows gives 0 test rows and 5 training rows"),
    ("train_test_split with test_size 1", lambda: bp.datasets.train_test_split(X, Y5, 1.0),
     ValueError, r"test_size must lie in \(0, 1\), got 1.0"),
    ("train_test_split with rows that differ", lambda: bp.datasets.train_test_split(X, Y_INT),
     ValueError, r"X\(5, 4\) and y\(4,\) must have the same number of rows"),
    ("standardize with other columns", lambda: bp.datasets.standardize(X, np.ones((2, 3))),
     ValueError, r"X_test\(2, 3\) must have X_train's 4 columns"),
    ("hidden_delta(..., ['relu'])", lambda: bp.hidden_delta(Z, np.zeros((3, 3)), Z, ["relu"]),
     TypeError, r"activation must be one of \['relu', 'sigmoid', 'tanh'\] \(a string\), got list"),
    ("dense_backward(dZ, None)", lambda: bp.dense_backward(Z, None),
     TypeError, r"cache must be the \(X, W\) tuple that dense_forward returns, got NoneType"),
    ("dense_backward with a dZ of other rows", lambda: bp.dense_backward(
        np.ones((2, 2)), bp.dense_forward(X, np.ones((4, 2)), np.zeros(2))[1]),
     ValueError, r"dZ must have one row per example of the cached X \(5\), got shape \(2, 2\)"),
    ("one_hot with num_classes 0", lambda: bp.one_hot(Y_INT, 0),
     ValueError, r"num_classes must be a positive int, got 0"),
    ("one_hot with an int dtype", lambda: bp.one_hot(Y_INT, 3, dtype=np.int64),
     TypeError, r"dtype must be a float dtype such as float64, got int64"),
    ("get_head of an unknown name", lambda: bp.get_head("softmax"),
     ValueError, r"unknown head 'softmax'; expected one of"),
    ("l2_penalty of no weights", lambda: bp.l2_penalty([], 0.1),
     ValueError, r"weights is empty"),
    ("l2_penalty of one bare array", lambda: bp.l2_penalty(P["W1"], 0.1),
     TypeError, r"weights must be a list or tuple of weight arrays, got ndarray"),
    ("float64 targets beyond float32's range",
     lambda: bp.mse(np.ones((1, 1), np.float32), np.array([[1e300]])),
     ValueError, r"y holds values up to 1e\+300, beyond the range of a's dtype float32"),
    ("a forward pass that overflows", lambda: bp.two_layer.loss_and_grads(
        {**P, "W1": np.full((4, 10), 1e300)}, np.full((5, 4), 1e10), Y5),
     ValueError, r"two_layer.loss_and_grads: .* overflows the float range"),
]


# ------------------------------------------------------------------ the docs page's table
DOCS_PAGE = Path(__file__).resolve().parents[1] / "docs" / "bad-input.md"
_ROW = re.compile(r"^\| (?P<what>[^|]+?) \| `(?P<example>[^`]+)` \| `(?P<error>[^`]+)` \|$",
                  re.MULTILINE)


def _docs_table() -> tuple[str, list[tuple[str, str, str]]]:
    """The page's set-up code and its rows (what, example, error)."""
    text = DOCS_PAGE.read_text(encoding="utf-8")
    setup = re.search(r"^```python\n(.*?)^```", text, re.MULTILINE | re.DOTALL).group(1)
    return setup, [(m["what"], m["example"], m["error"]) for m in _ROW.finditer(text)]


DOCS_SETUP, DOCS_ROWS = _docs_table()


def test_the_docs_page_has_its_table():
    assert len(DOCS_ROWS) >= 19
    assert {what for what, _, _ in DOCS_ROWS} >= {"mismatched shapes", "an empty batch",
                                                  "a wrong type for a setting"}


@pytest.mark.parametrize(("example", "error"), [pytest.param(ex, err, id=what)
                                                for what, ex, err in DOCS_ROWS])
def test_each_row_of_the_docs_table_raises_the_error_it_shows(example, error):
    """`bad-input.md` shows what the reference raises, word for word but for the `…`."""
    namespace: dict = {}
    exec(DOCS_SETUP, namespace)
    with pytest.raises(Exception) as info:
        eval(example, namespace)
    got = f"{info.type.__name__}: {info.value}"
    pattern = ".*?".join(re.escape(piece) for piece in re.split(r"\s*…\s*", error))
    assert re.fullmatch(pattern, got, re.DOTALL), f"the page shows {error!r}, got {got!r}"


@pytest.mark.parametrize(("what", "call", "exc", "match"),
                         [pytest.param(*row, id=row[0]) for row in BAD_INPUTS])
def test_bad_input_gets_a_clear_error(what, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ------------------------------------------------------------------ every array argument
def _loss_and_grads(module, **kw):
    return getattr(bp, module).loss_and_grads(**kw)


#: public function -> (its valid keyword arguments, the 2-D float arrays among them)
FUNCTIONS = {
    "sigmoid": (bp.sigmoid, {"z": Z}, ()),
    "sigmoid_prime": (bp.sigmoid_prime, {"z": Z}, ()),
    "relu": (bp.relu, {"z": Z}, ()),
    "relu_prime": (bp.relu_prime, {"z": Z}, ()),
    "tanh": (bp.tanh, {"z": Z}, ()),
    "tanh_prime": (bp.tanh_prime, {"z": Z}, ()),
    "softmax": (bp.softmax, {"z": Z}, ("z",)),
    "log_softmax": (bp.log_softmax, {"z": Z}, ("z",)),
    "softmax_jacobian": (bp.softmax_jacobian, {"z": Z}, ("z",)),
    "softmax_backward": (bp.softmax_backward, {"dA": REAL, "z": Z}, ("dA", "z")),
    "predict_labels": (bp.predict_labels, {"scores": Z}, ("scores",)),
    "mse": (bp.mse, {"a": Z, "y": REAL}, ("a", "y")),
    "mse_grad": (bp.mse_grad, {"a": Z, "y": REAL}, ("a", "y")),
    "binary_cross_entropy": (bp.binary_cross_entropy, {"a": REAL, "y": REAL}, ("a", "y")),
    "binary_cross_entropy_grad": (bp.binary_cross_entropy_grad, {"a": REAL, "y": REAL},
                                  ("a", "y")),
    "binary_cross_entropy_with_logits": (bp.binary_cross_entropy_with_logits,
                                         {"z": Z, "y": REAL}, ("z", "y")),
    "cross_entropy": (bp.cross_entropy, {"probs": PROBS, "y": Y_INT}, ("probs",)),
    "cross_entropy_grad": (bp.cross_entropy_grad, {"probs": PROBS, "y": Y_INT}, ("probs",)),
    "cross_entropy_with_logits": (bp.cross_entropy_with_logits, {"z": Z, "y": Y_INT}, ("z",)),
    "delta_mse_sigmoid": (bp.delta_mse_sigmoid, {"z": Z, "y": REAL}, ("z", "y")),
    "delta_bce_sigmoid": (bp.delta_bce_sigmoid, {"z": Z, "y": REAL}, ("z", "y")),
    "delta_mse_identity": (bp.delta_mse_identity, {"z": Z, "y": REAL}, ("z", "y")),
    "delta_ce_softmax": (bp.delta_ce_softmax, {"z": Z, "y": Y_INT}, ("z",)),
    "delta_ce_softmax_jacobian": (bp.delta_ce_softmax_jacobian, {"z": Z, "y": Y_INT}, ("z",)),
    "hidden_delta": (partial(bp.hidden_delta, activation="tanh"),
                     {"delta_next": REAL, "W_next": np.ones((3, 3)), "z": Z},
                     ("delta_next", "W_next", "z")),
    "dense_forward": (bp.dense_forward, {"X": Z, "W": np.ones((3, 2)), "b": np.zeros(2)},
                      ("X", "W")),
    "l2_grad": (partial(bp.l2_grad, reg=0.1), {"W": Z}, ()),
    "two_layer.loss_and_grads": (partial(_loss_and_grads, "two_layer", params=P, y=Y5),
                                 {"X": X}, ("X",)),
    "two_layer.loss_and_grads_loop": (
        lambda **kw: bp.two_layer.loss_and_grads_loop(P, y=Y5, **kw), {"X": X}, ("X",)),
    "two_layer.predict": (lambda **kw: bp.two_layer.predict(P, **kw), {"X": X}, ("X",)),
    "mlp.loss_and_grads": (partial(_loss_and_grads, "mlp", params=P, y=Y5), {"X": X}, ("X",)),
    "mlp.loss_and_grads_loop": (lambda **kw: bp.mlp.loss_and_grads_loop(P, y=Y5, **kw),
                                {"X": X}, ("X",)),
    "mlp.forward": (lambda **kw: bp.mlp.forward(P, **kw), {"X": X}, ("X",)),
    "mlp.predict": (lambda **kw: bp.mlp.predict(P, **kw), {"X": X}, ("X",)),
}
NAMES = {"cross_entropy": {"y": "y"}}


def _variants(arg, value, two_d):
    nan = np.array(value, dtype=float)
    nan.flat[-1] = np.nan
    rows = [("a string", "1.0", TypeError, rf"{arg} must be an array of numbers"),
            ("complex numbers", np.asarray(value, dtype=complex), TypeError,
             rf"{arg} must be an array of real numbers, got dtype complex128"),
            ("a nan", nan, ValueError, rf"{arg} has 1 non-finite value")]
    if two_d:
        rows += [("one dimension", np.asarray(value)[0], ValueError, rf"{arg} must be 2-D"),
                 ("an empty batch", np.asarray(value)[:0], ValueError, rf"{arg} is empty")]
    return rows


ARGUMENT_ROWS = [
    pytest.param(fn, {**valid, arg: bad}, exc, match, id=f"{name}-{arg}-{what}")
    for name, (fn, valid, two_d) in FUNCTIONS.items()
    for arg, value in valid.items() if isinstance(value, np.ndarray) and value.dtype.kind == "f"
    for what, bad, exc, match in _variants(arg, value, arg in two_d)
]


@pytest.mark.parametrize(("fn", "kwargs", "exc", "match"), ARGUMENT_ROWS)
def test_every_array_argument_is_checked_and_named(fn, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        fn(**kwargs)


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_the_valid_arguments_of_the_table_are_valid(name):
    """The rows above fail for the one argument they break, not for the others."""
    fn, valid, _ = FUNCTIONS[name]
    fn(**valid)


# ------------------------------------------------------------------ opting out, purity, dtypes
def test_check_finite_false_opts_out():
    out = bp.softmax(NAN, check_finite=False)
    assert np.isnan(out).all()            # garbage in, garbage out, but on request only


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("key", ["X", "W1", "b1", "W2", "b2"])
def test_a_non_finite_value_anywhere_in_a_network_is_named(key, bad):
    X_, y = bp.datasets.make_blobs(12, 4, 3, seed=0)
    arrays = {"X": X_.copy(), **{k: v.copy() for k, v in P.items()}}
    arrays[key].flat[-1] = bad
    X_bad = arrays.pop("X")
    name = "X" if key == "X" else rf"params\['{key}'\]"
    with pytest.raises(ValueError, match=rf"{name} has 1 non-finite value"):
        bp.two_layer.loss_and_grads(arrays, X_bad, y)
    bp.two_layer.loss_and_grads(arrays, X_bad, y, check_finite=False)   # on request: no error


@pytest.mark.parametrize(("dtype", "big"), [(np.float64, 1e200), (np.float32, 1e30)])
def test_huge_finite_parameters_are_accepted_without_a_warning(dtype, big):
    """Squares of these values overflow; the checks must not square them (no warning may
    escape: pytest turns it into an error)."""
    X_, y = bp.datasets.make_blobs(12, 4, 3, seed=0)
    p = {k: v.astype(dtype) for k, v in P.items()}
    p["b2"][0] = big
    res = bp.two_layer.loss_and_grads(p, X_.astype(dtype), y)
    assert np.isfinite(res.loss) and res.loss.dtype == dtype


def test_read_only_inputs_work_and_nothing_is_modified():
    X_, y = bp.datasets.make_blobs(30, 4, 3, seed=0)
    p = bp.two_layer.init_params(seed=0)
    frozen = [X_, y, *p.values()]
    for a in frozen:
        a.setflags(write=False)
    copies = [a.copy() for a in frozen]
    for fn in (bp.two_layer.loss_and_grads, bp.two_layer.loss_and_grads_loop,
               bp.mlp.loss_and_grads, bp.mlp.loss_and_grads_loop):
        fn(p, X_, y, reg=0.1)
    z = X_[:, :3]
    for fn in (bp.softmax, bp.sigmoid, bp.relu, bp.softmax_jacobian):
        fn(z)
    bp.delta_ce_softmax(z, y)
    bp.delta_ce_softmax_jacobian(z, y)
    bp.cross_entropy_grad(bp.softmax(z), y)
    for a, c in zip(frozen, copies):
        assert np.array_equal(a, c)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, bool])
def test_integer_input_is_promoted_to_float64(dtype):
    z = np.array([[1, 0, 1]], dtype=dtype)
    for fn in (bp.sigmoid, bp.relu, bp.softmax, bp.tanh_prime):
        assert fn(z).dtype == np.float64


def test_float16_is_computed_in_float32():
    z = np.array([[1, 0, 1]], dtype=np.float16)
    for fn in (bp.sigmoid, bp.relu, bp.softmax, bp.tanh_prime, bp.relu_prime):
        assert fn(z).dtype == np.float32


def test_float32_stays_float32_end_to_end_even_with_float64_soft_targets():
    """Targets follow the prediction: the loss is float32 on every route (issue 12 found
    float64 from two_layer and float32 from its loop and from mlp)."""
    X_, y = bp.datasets.make_blobs(20, 4, 3, seed=0)
    p = {k: v.astype(np.float32) for k, v in bp.two_layer.init_params().items()}
    soft = 0.8 * bp.one_hot(y, 3) + 0.2 / 3                      # float64
    for fn in (bp.two_layer.loss_and_grads, bp.two_layer.loss_and_grads_loop,
               bp.mlp.loss_and_grads, bp.mlp.loss_and_grads_loop):
        for t in (y, bp.one_hot(y, 3), soft):
            res = fn(p, X_.astype(np.float32), t, reg=0.1)
            assert np.asarray(res.loss).dtype == np.float32, fn
            assert all(v.dtype == np.float32 for v in res.grads.values())
            assert all(v.dtype == np.float32 for v in res.intermediates.values())
    for head, t in (("sigmoid_bce", soft), ("sigmoid_mse", soft), ("identity_mse", soft)):
        for fn in (bp.mlp.loss_and_grads, bp.mlp.loss_and_grads_loop):
            res = fn(p, X_.astype(np.float32), t, head=head)
            assert np.asarray(res.loss).dtype == np.float32, (fn, head)
    Z32 = Z.astype(np.float32)
    for fn, t in ((bp.mse, REAL), (bp.mse_grad, REAL), (bp.delta_mse_sigmoid, REAL),
                  (bp.delta_bce_sigmoid, REAL), (bp.cross_entropy_with_logits, soft[:4]),
                  (bp.delta_ce_softmax, soft[:4]), (bp.binary_cross_entropy_with_logits, REAL)):
        assert np.asarray(fn(Z32, t)).dtype == np.float32, fn


# ------------------------------------------------------------------ divide before subtracting
#: (function, a, y, the representable gradient): a − y overflows, (a − y)/N does not
REPRESENTABLE = [
    ("mse_grad", bp.mse_grad, [[1e308], [1.0]], [[-1e308], [0.0]], [[1e308], [0.5]]),
    ("delta_mse_identity", bp.delta_mse_identity, [[1e308], [1.0]], [[-1e308], [0.0]],
     [[1e308], [0.5]]),
    ("mse_grad float32", bp.mse_grad, np.array([[3e38], [1.0]], np.float32),
     np.array([[-3e38], [0.0]], np.float32), np.array([[3e38], [0.5]], np.float32)),
    ("mse_grad, both ends of the range", bp.mse_grad, [[-1.7e308, 1.7e308]] * 4,
     [[1.7e308, -1.7e308]] * 4, [[-0.85e308, 0.85e308]] * 4),
]


@pytest.mark.parametrize(("fn", "a", "y", "want"),
                         [pytest.param(*row[1:], id=row[0]) for row in REPRESENTABLE])
def test_a_representable_gradient_is_returned_although_a_minus_y_overflows(fn, a, y, want):
    got = fn(a, y)
    assert got.dtype == np.asarray(want).dtype
    assert np.array_equal(got, np.asarray(want, dtype=got.dtype))


def test_an_unrepresentable_gradient_names_n_the_batch_size_not_the_width():
    with pytest.raises(ValueError, match=r"\(a\(1, 3\), y\(1, 3\), N = 1\)"):
        bp.mse_grad([[1.0, 2.0, 1e308]], [[0.0, 0.0, -1e308]])


@pytest.mark.parametrize("fn", [bp.mse_grad, bp.delta_mse_identity],
                         ids=["mse_grad", "delta_mse_identity"])
def test_check_finite_false_skips_the_range_check_of_the_result_too(fn):
    """(a − y)/N beyond the float range: an error by default, and with ``check_finite=False``
    the result as NumPy computes it, an inf where it overflows."""
    a, y = [[1.0, 1e308]], [[0.0, -1e308]]
    with pytest.raises(ValueError, match="overflows the float range"):
        fn(a, y)
    got = fn(a, y, check_finite=False)
    assert got[0, 0] == 1.0 and got[0, 1] == np.inf


def test_a_bce_gradient_at_a_subnormal_probability_is_returned_when_it_fits():
    """y/(N·a): a = 1e-310 with N = 1000 gives −1e307, which fits (y/a alone would not)."""
    got = bp.binary_cross_entropy_grad(np.full((1000, 1), 1e-310), np.ones((1000, 1)))
    assert np.isfinite(got).all() and np.allclose(got, -1e307, rtol=1e-12, atol=0)


@pytest.mark.parametrize("fn", [bp.mse_grad, bp.delta_mse_identity],
                         ids=["mse_grad", "delta_mse_identity"])
def test_where_a_minus_y_fits_the_gradient_is_the_notes_a_minus_y_over_n(fn):
    """Dividing first only where the subtraction overflows: elsewhere the result is
    (a − y)/N to the bit, which is exact where a ≈ y (a/N − y/N is not: with N = 3 and
    a = 1 + k·ε, y = 1 it loses most digits to cancellation)."""
    eps = np.finfo(np.float64).eps
    a = 1 + eps * np.arange(1, 13, dtype=float).reshape(3, 4)
    y = np.ones((3, 4))
    got = fn(a, y)
    assert np.array_equal(got, (a - y) / 3)
    assert not np.array_equal(a / 3 - y / 3, (a - y) / 3)    # the two forms differ here
