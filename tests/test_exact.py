"""Exactly representable results are bit-identical: labels vs one-hot, argmax,
relu masks."""

from __future__ import annotations

import numpy as np
import pytest

import backprop_ref as bp

torch = pytest.importorskip("torch")


@pytest.fixture
def logits(rng):
    N, K = 13, 5
    return 3 * rng.standard_normal((N, K)), rng.integers(0, K, size=N)


@pytest.mark.parametrize("fn", [bp.delta_ce_softmax, bp.delta_ce_softmax_jacobian,
                                bp.cross_entropy_with_logits])
def test_d11_labels_and_one_hot_give_bit_identical_results(fn, logits):
    z, y = logits
    a, b = fn(z, y), fn(z, bp.one_hot(y, z.shape[1]))
    assert np.array_equal(a, b)


@pytest.mark.parametrize("fn", [bp.cross_entropy, bp.cross_entropy_grad])
def test_d7_labels_and_one_hot_give_bit_identical_results(fn, logits):
    z, y = logits
    A = bp.softmax(z)
    assert np.array_equal(fn(A, y), fn(A, bp.one_hot(y, z.shape[1])))


@pytest.mark.parametrize("module", [bp.two_layer, bp.mlp])
def test_d17_network_labels_and_one_hot_bit_identical(module, rng):
    X, y = bp.datasets.make_blobs(50, 4, 3, seed=1)
    p = bp.two_layer.init_params(seed=3)
    a = module.loss_and_grads(p, X, y, reg=0.1)
    b = module.loss_and_grads(p, X, bp.one_hot(y, 3), reg=0.1)
    assert a.loss == b.loss
    for k in a.grads:
        assert np.array_equal(a.grads[k], b.grads[k]), k
    for k in a.intermediates:
        assert np.array_equal(a.intermediates[k], b.intermediates[k]), k


def test_d5_argmax_ties_go_to_the_first_class_as_in_torch():
    scores = np.array([[1.0, 1.0, 0.0], [0.0, 2.0, 2.0], [5.0, 5.0, 5.0]])
    ours = bp.predict_labels(scores)
    assert np.array_equal(ours, torch.from_numpy(scores).argmax(dim=1).numpy())
    assert ours.tolist() == [0, 1, 0]


def test_d2_relu_mask_bit_identical_to_autograd_including_zeros():
    z = np.array([[-2.0, -0.0, 0.0, 1e-300, 3.0, -1e-300]])
    t = torch.from_numpy(z).requires_grad_(True)
    torch.relu(t).backward(torch.ones_like(t))
    assert np.array_equal(bp.relu_prime(z), t.grad.numpy())
    assert bp.relu_prime(z).tolist() == [[0, 0, 0, 1, 1, 0]]


def test_d17_relu_mask_inside_the_network_matches_autograd_at_exact_zeros():
    """Z1 holds exact zeros (zero input row, zero bias): dZ1 there is 0, as in torch."""
    X, y = bp.datasets.make_blobs(20, 4, 3, seed=0)
    X[0] = 0
    p = bp.two_layer.init_params(seed=0)
    res = bp.two_layer.loss_and_grads(p, X, y)
    assert (res.intermediates["Z1"][0] == 0).all()
    t = {k: torch.from_numpy(v).requires_grad_(True) for k, v in p.items()}
    Z1 = torch.from_numpy(X) @ t["W1"] + t["b1"]
    Z1.retain_grad()
    loss = torch.nn.functional.cross_entropy(torch.relu(Z1) @ t["W2"] + t["b2"],
                                             torch.from_numpy(y))
    loss.backward()
    assert np.array_equal(res.intermediates["dZ1"][0], Z1.grad.numpy()[0])
    assert np.array_equal(res.intermediates["dZ1"] != 0, Z1.grad.numpy() != 0)
