"""Bad input gets a clear error naming the argument and the shapes (SPEC §6).

``BAD_INPUTS`` is the table in the README's "Bad input" section: each row is a call, the
exception it must raise and the words the message must contain.
"""

from __future__ import annotations

import numpy as np
import pytest

import backprop_ref as bp

Z = np.zeros((4, 3))
Y_INT = np.array([0, 1, 2, 1])
P = bp.two_layer.init_params()
X = np.ones((5, 4))
Y5 = np.array([0, 1, 2, 0, 1])
NAN = np.array([[0.0, np.nan, 1.0]])

BAD_INPUTS = [
    ("mismatched shapes", lambda: bp.mse(np.zeros((4, 3)), np.zeros((4, 2))),
     ValueError, r"a and y must have the same shape, got a\(4, 3\) and y\(4, 2\)"),
    ("label out of range", lambda: bp.delta_ce_softmax(Z, np.array([0, 1, 3, 1])),
     ValueError, r"y holds labels in \[0, 3\] but must lie in \[0, 3\)"),
    ("negative label", lambda: bp.one_hot(np.array([0, -1]), 3),
     ValueError, r"labels holds values in \[-1, 0\]"),
    ("label vector of the wrong length", lambda: bp.delta_ce_softmax(Z, np.array([0, 1])),
     ValueError, r"y must have one label per example of the output Z \(4\), got shape \(2,\)"),
    ("float labels", lambda: bp.cross_entropy(bp.softmax(Z), Y_INT.astype(float)),
     TypeError, r"integer class labels, got dtype float64.*y.astype\(int\)"),
    ("one-hot rows that do not sum to 1",
     lambda: bp.delta_ce_softmax(Z, np.array([[1, 0, 0], [1, 1, 0], [0, 0, 1], [0, 1, 0]])),
     ValueError, r"rows must sum to 1.*row 1 of y\(4, 3\) sums to 2"),
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
    ("hidden delta shapes", lambda: bp.hidden_delta(Z, np.zeros((5, 3)), Z, "relu"),
     ValueError, r"shapes do not chain: delta_next\(4, 3\) @ W_next.T\(3, 5\)"),
    ("dense shapes", lambda: bp.dense_forward(X, np.zeros((3, 2)), np.zeros(2)),
     ValueError, r"shapes do not chain: X\(5, 4\) @ W\(3, 2\)"),
    ("non-positive lr", lambda: bp.fit(bp.two_layer.loss_and_grads, P, X, Y5, lr=0, epochs=1),
     ValueError, r"lr must be a positive float, got 0"),
]


@pytest.mark.parametrize(("what", "call", "exc", "match"),
                         [pytest.param(*row, id=row[0]) for row in BAD_INPUTS])
def test_bad_input_gets_a_clear_error(what, call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_check_finite_false_opts_out():
    out = bp.softmax(NAN, check_finite=False)
    assert np.isnan(out).all()            # garbage in, garbage out, but on request only


def test_read_only_inputs_work_and_nothing_is_modified():
    X, y = bp.datasets.make_blobs(30, 4, 3, seed=0)
    p = bp.two_layer.init_params(seed=0)
    frozen = [X, y, *p.values()]
    for a in frozen:
        a.setflags(write=False)
    copies = [a.copy() for a in frozen]
    for fn in (bp.two_layer.loss_and_grads, bp.two_layer.loss_and_grads_loop,
               bp.mlp.loss_and_grads, bp.mlp.loss_and_grads_loop):
        fn(p, X, y, reg=0.1)
    z = X[:, :3]
    for fn in (bp.softmax, bp.sigmoid, bp.relu, bp.softmax_jacobian):
        fn(z)
    bp.delta_ce_softmax(z, y)
    bp.delta_ce_softmax_jacobian(z, y)
    bp.cross_entropy_grad(bp.softmax(z), y)
    for a, c in zip(frozen, copies):
        assert np.array_equal(a, c)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, bool])
def test_integer_input_is_promoted_to_float64(dtype):
    z = np.array([[1, 0, 1]], dtype=dtype)
    for fn in (bp.sigmoid, bp.relu, bp.softmax, bp.tanh_prime):
        assert fn(z).dtype == np.float64


def test_float32_stays_float32_end_to_end():
    X, y = bp.datasets.make_blobs(20, 4, 3, seed=0)
    p = {k: v.astype(np.float32) for k, v in bp.two_layer.init_params().items()}
    for fn in (bp.two_layer.loss_and_grads, bp.two_layer.loss_and_grads_loop,
               bp.mlp.loss_and_grads, bp.mlp.loss_and_grads_loop):
        res = fn(p, X.astype(np.float32), y, reg=0.1)
        assert np.asarray(res.loss).dtype == np.float32, fn
        assert all(v.dtype == np.float32 for v in res.grads.values())
        assert all(v.dtype == np.float32 for v in res.intermediates.values())


# ------------------------------------------------------------------ the networks' fast check
# check_network_inputs first tries a check that converts nothing (every array already a
# C-contiguous ndarray of X's float dtype) and finds non-finite values through one sum of
# squares; anything else goes to the general path, which converts and names the culprit.

def _network_case(seed=0):
    X, y = bp.datasets.make_blobs(12, 4, 3, seed=seed)
    return bp.two_layer.init_params(seed=seed), X, y


def _odd_but_valid(p, X):
    """Inputs the fast check hands to the general path, each with the same values."""
    return {
        "X as nested lists": (p, X.tolist()),
        "W1 as nested lists": (p | {"W1": p["W1"].tolist()}, X),
        "int64 X": (p, X.round().astype(np.int64)),
        "byte-swapped W2": (p | {"W2": p["W2"].astype(">f8")}, X),
        "float32 b2": (p | {"b2": p["b2"].astype(np.float32)}, X),
    }


def test_fast_check_is_taken_for_the_usual_inputs_only():
    from backprop_ref._network import _checked_as_given
    p, X, _ = _network_case()
    assert _checked_as_given(p, X, 2, 0.1, True) is not None
    strided = p | {"W1": np.repeat(p["W1"], 2, axis=1)[:, ::2]}      # views are usual too
    assert _checked_as_given(strided, np.asfortranarray(X), 2, 0.1, True) is not None
    for what, (q, Xq) in _odd_but_valid(p, X).items():
        assert _checked_as_given(q, Xq, 2, 0.1, True) is None, what


@pytest.mark.parametrize("fn", [bp.two_layer.loss_and_grads, bp.two_layer.loss_and_grads_loop,
                                bp.mlp.loss_and_grads])
def test_fast_and_general_checks_give_bit_identical_results(fn):
    p, X, y = _network_case()
    for what, (q, Xq) in _odd_but_valid(p, X).items():
        want = fn({k: np.asarray(v, dtype=np.float64) for k, v in q.items()},
                  np.asarray(Xq, dtype=np.float64), y, reg=0.1)  # fast path, same values
        got = fn(q, Xq, y, reg=0.1)
        assert got.loss == want.loss, what                    # the reused ‖W‖² included
        for k in want.grads:
            assert np.array_equal(got.grads[k], want.grads[k]), (what, k)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
@pytest.mark.parametrize("key", ["X", "W1", "b1", "W2", "b2"])
def test_fast_check_catches_a_non_finite_value_anywhere(key, bad):
    p, X, y = _network_case()
    arrays = {"X": X.copy(), **{k: v.copy() for k, v in p.items()}}
    arrays[key].flat[-1] = bad
    X_bad = arrays.pop("X")
    name = "X" if key == "X" else rf"params\['{key}'\]"
    with pytest.raises(ValueError, match=rf"{name} has 1 non-finite value"):
        bp.two_layer.loss_and_grads(arrays, X_bad, y)
    with np.errstate(all="ignore"):                      # garbage in, garbage out, on request
        bp.two_layer.loss_and_grads(arrays, X_bad, y, check_finite=False)


@pytest.mark.parametrize(("dtype", "big"), [(np.float64, 1e200), (np.float32, 1e30)])
def test_huge_finite_values_pass_the_check_without_a_warning(dtype, big):
    # Their squares overflow, so the one-sum check cannot vouch for them; the general path
    # must then accept them, and nothing may warn (pytest turns warnings into errors).
    from backprop_ref._network import check_network_inputs
    p, X, _ = _network_case()
    p = {k: v.astype(dtype) for k, v in p.items()}
    p["b1"][0] = p["W2"][0, 0] = big
    X = X.astype(dtype)
    X[0, 0] = big
    got = check_network_inputs(p, X, 0.0, layers=2)
    assert got.X is X and got.Ws[1] is p["W2"] and got.bs[0] is p["b1"]
    assert got.weight_sq is None                    # the L2 term computes its own sum
