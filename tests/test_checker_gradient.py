"""Any gradient, not only ours: `testing.check_gradient` against float64 central
differences (one case per kind it can confirm, and a correct one), and the networks'
``self_consistent``: the user's gradients against central differences of the user's loss."""

from __future__ import annotations

import numpy as np
import pytest

import backprop_ref as bp
from backprop_ref import testing
from backprop_ref.testing import numdiff

RNG = np.random.default_rng(5)
X = RNG.standard_normal((5, 4))
W = RNG.standard_normal((4, 3))
Y = np.array([0, 1, 2, 1, 0])


def softmax_loss(W, X, y):
    """CS231n's softmax classifier loss, a function of W."""
    return bp.cross_entropy_with_logits(X @ W, y)


DW = X.T @ bp.delta_ce_softmax(X @ W, Y)
PER_EXAMPLE = np.stack([np.outer(X[n], bp.delta_ce_softmax(X @ W, Y)[n]) for n in range(5)])


@pytest.mark.parametrize("grad, kind, text", [
    (DW, None, ""),
    (5 * DW, "scale", "dW is N = 5 (axis 0 of X, the batch) × the derivative of f: a missing 1/N"),
    (DW / 3, "scale", "1/K = 3"),
    (2 * DW, "scale", "dW is 2 × the derivative of f"),
    (-DW, "sign", "the negative of the derivative of f"),
    (DW.T, "transpose", "the transpose of the derivative of f (shape (3, 4), expected (4, 3))"),
    (PER_EXAMPLE, "shape", "an unreduced batch axis; its sum over axis 0 is the gradient"),
    (DW + 0.1, "other", "no factor, sign or transpose explains it"),
])
def test_check_gradient_names_what_it_can_confirm(grad, kind, text):
    rep = testing.check_gradient(softmax_loss, (W, X, Y), (grad, None, None))
    assert rep.ok is (kind is None) and rep.self_consistent is rep.ok, str(rep)
    assert [d.kind for d in rep.diagnoses] == ([kind] if kind else []), str(rep)
    assert all(text in d.message for d in rep.diagnoses)
    assert [r.output for r in rep.rows] == ["dW"]


def test_check_gradient_on_a_square_argument_sees_a_transpose():
    S = RNG.standard_normal((4, 4))

    def f(S):
        return float(np.sum(np.tanh(S @ X.T)))
    g = (1 - np.tanh(S @ X.T) ** 2) @ X
    assert testing.check_gradient(f, (S,), (g,)).ok
    rep = testing.check_gradient(f, (S,), (g.T,))
    assert [d.kind for d in rep.diagnoses] == ["transpose"], str(rep)


def test_check_gradient_by_name_and_along_random_directions_for_a_large_argument():
    Wb, Xb = RNG.standard_normal((20, 10)), RNG.standard_normal((8, 20))
    yb = RNG.integers(0, 10, 8)
    g = Xb.T @ bp.delta_ce_softmax(Xb @ Wb, yb)
    args = {"W": Wb, "X": Xb, "y": yb}
    rep = testing.check_gradient(softmax_loss, args, {"dW": g})
    assert rep.ok and rep.tried == ["W (20, 10): 6 random directions"], str(rep)
    rep = testing.check_gradient(softmax_loss, args, {"W": 8 * g})
    assert [d.kind for d in rep.diagnoses] == ["scale"] and "N = 8" in rep.diagnoses[0].message
    rep = testing.check_gradient(softmax_loss, args, {"W": -g})
    assert [d.kind for d in rep.diagnoses] == ["sign"]


def test_check_gradient_float32_is_compared_at_its_bound_with_a_warning():
    rep = testing.check_gradient(softmax_loss, (W, X, Y), (DW.astype(np.float32),))
    assert rep.ok and [w.kind for w in rep.warnings] == ["precision"], str(rep)


@pytest.mark.parametrize("args, grads, error, text", [
    ((W, X, Y), (DW, None, np.zeros(5)), ValueError, "argument y is int64, not floating point"),
    ((W, X, Y), {"V": DW}, ValueError, "grads has the key 'V', which names no argument"),
    ((W, X, Y), (DW, None, None, None), ValueError, "grads has 4 entries but args only 3"),
    ((W, X, Y), "dW", TypeError, "grads must be a sequence or a dict of arrays, got str"),
])
def test_check_gradient_bad_input_is_one_line(args, grads, error, text):
    with pytest.raises(error) as info:
        testing.check_gradient(softmax_loss, args, grads)
    assert text in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize("f, text", [
    (lambda W, X, y: X @ W, "f returned ndarray of shape (5, 3), expected a number"),
    (lambda W, X, y: 1 / 0, "f raised ZeroDivisionError: division by zero"),
    (lambda W, X, y: np.inf, "f returned inf at args"),
])
def test_check_gradient_a_function_that_misbehaves(f, text):
    rep = testing.check_gradient(f, (W, X, Y), (DW,))
    assert not rep.ok and text in rep.error and "\n" not in rep.error


def test_the_central_difference_stencil_is_fourth_order():
    """exp at 0.3: the stencil's error is round-off, far below the bound it is judged by."""
    h = numdiff.step(np.array([0.3]))
    err = abs(numdiff.stencil(lambda t: np.exp(0.3 + t), h) - np.exp(0.3))
    assert err < 1e-10 and numdiff.TOL == 1e-6


# ----------------------------------------------------------------- self-consistency
def _net(scale_grads=1.0, scale_loss=1.0):
    def fn(params, X, y, reg=0.0):
        r = bp.two_layer.loss_and_grads(params, X, y, reg=reg)
        return scale_loss * r.loss, {k: scale_grads * v for k, v in r.grads.items()}
    return fn


@pytest.mark.parametrize("fn, ok, consistent, text", [
    (_net(), True, True, "yes: your gradients are the derivative of your own loss"),
    (_net(scale_loss=2.0, scale_grads=2.0), False, True,
     "yes: your gradients are the derivative of your own loss, but your loss is not the "
     "reference's"),
    (_net(scale_grads=2.0), False, False, "no: your loss is the reference's, but dW1, db1, "
                                          "dW2, db2 are not the derivative of your own loss"),
    (lambda p, X, y, reg=0.0: bp.two_layer.loss_and_grads(p, X, y, reg=reg).grads, True, None,
     "not checked: the function returns no loss"),
])
def test_self_consistent_tells_the_loss_from_the_calculus(fn, ok, consistent, text):
    rep = testing.check(fn, "D17")
    assert rep.ok is ok and rep.self_consistent is consistent, str(rep)
    assert rep.self_consistency.startswith(text)
    assert f"self-consistent: {rep.self_consistency}" in str(rep)


def test_self_consistency_is_judged_in_float64_for_a_float64_loss():
    """A gradient off by 1e-4 relative is caught: the central differences are far finer."""
    def slightly_off(params, X, y, reg=0.0):
        r = bp.two_layer.loss_and_grads(params, X, y, reg=reg)
        return r.loss, {**r.grads, "W2": r.grads["W2"] * (1 + 1e-4)}
    rep = testing.check(slightly_off, "D17")
    assert rep.self_consistent is False and "dW2 is not the derivative" in rep.self_consistency
