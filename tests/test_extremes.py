"""Numerical extremes: finite logits up to |z| = 1e4 give finite results with no
overflow, divide or invalid-value floating-point events, and match torch's stable forms."""

from __future__ import annotations

import numpy as np
import pytest

import backprop_ref as bp

torch = pytest.importorskip("torch")
F = torch.nn.functional


@pytest.fixture
def z_extreme():
    rng = np.random.default_rng(7)
    z = rng.uniform(-1e4, 1e4, size=(16, 5))
    z[0] = [1e4, -1e4, 0.0, 1e4, -1e4]       # ties at the extremes
    z[1] = [-1e4, -1e4, -1e4, -1e4, -1e4]
    return z


def _close(ours, theirs, tol=1e-12):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else np.asarray(theirs)
    ours = np.asarray(ours)
    assert np.all(np.isfinite(ours))
    assert np.abs(ours - theirs).max() <= tol * max(1.0, np.abs(theirs).max())


@pytest.fixture(autouse=True)
def strict_floating_point():
    """Overflow, divide-by-zero and invalid operations raise; underflow to 0 is allowed."""
    with np.errstate(over="raise", divide="raise", invalid="raise", under="ignore"):
        yield


def test_d1_sigmoid_and_derivative_at_1e4(z_extreme):
    t = torch.from_numpy(z_extreme)
    _close(bp.sigmoid(z_extreme), torch.sigmoid(t))
    tz = t.clone().requires_grad_(True)
    torch.sigmoid(tz).backward(torch.ones_like(tz))
    _close(bp.sigmoid_prime(z_extreme), tz.grad)


def test_d3_softmax_and_log_softmax_at_1e4(z_extreme):
    t = torch.from_numpy(z_extreme)
    _close(bp.softmax(z_extreme), F.softmax(t, dim=1))
    _close(bp.log_softmax(z_extreme), F.log_softmax(t, dim=1))
    assert np.allclose(bp.softmax(z_extreme).sum(axis=1), 1.0, rtol=0, atol=1e-15)


def test_d4_jacobian_at_1e4(z_extreme):
    J = bp.softmax_jacobian(z_extreme)
    jac = torch.func.vmap(torch.func.jacrev(lambda r: F.softmax(r, dim=-1)))
    _close(J, jac(torch.from_numpy(z_extreme)))


def test_d11_loss_and_delta_at_1e4(z_extreme):
    y = np.arange(16) % 5
    tz = torch.from_numpy(z_extreme).requires_grad_(True)
    loss = F.cross_entropy(tz, torch.from_numpy(y))
    loss.backward()
    _close(bp.cross_entropy_with_logits(z_extreme, y), loss)
    _close(bp.delta_ce_softmax(z_extreme, y), tz.grad)


def test_d10_d9_sigmoid_heads_at_1e4(z_extreme):
    y = np.random.default_rng(0).uniform(0, 1, size=z_extreme.shape)
    for ours_loss, ours_delta, torch_loss in (
        (bp.binary_cross_entropy_with_logits, bp.delta_bce_sigmoid,
         lambda z, t: F.binary_cross_entropy_with_logits(z, t, reduction="sum") / z.shape[0]),
        (lambda z, t: bp.mse(bp.sigmoid(z), t), bp.delta_mse_sigmoid,
         lambda z, t: 0.5 * F.mse_loss(torch.sigmoid(z), t, reduction="sum") / z.shape[0]),
    ):
        tz = torch.from_numpy(z_extreme).requires_grad_(True)
        loss = torch_loss(tz, torch.from_numpy(y))
        loss.backward()
        _close(ours_loss(z_extreme, y), loss)
        _close(ours_delta(z_extreme, y), tz.grad)


def test_d12_jacobian_route_refuses_where_it_is_doomed_and_d11_does_not(z_extreme):
    y = np.zeros(16, dtype=int)
    y[0] = 1                                  # z[0, 1] = -1e4: probability 0
    with pytest.raises(ValueError, match="underflowed to 0 at target class 1 of row 0"):
        bp.delta_ce_softmax_jacobian(z_extreme, y)
    assert np.all(np.isfinite(bp.delta_ce_softmax(z_extreme, y)))


def test_d17_network_with_huge_inputs_stays_finite():
    X, y = bp.datasets.make_blobs(50, 4, 3, seed=0)
    p = bp.two_layer.init_params(std=1.0, seed=0)
    res = bp.two_layer.loss_and_grads(p, 1e3 * X, y, reg=0.1)
    assert np.isfinite(res.loss)
    assert all(np.all(np.isfinite(g)) for g in res.grads.values())


def test_mlp_sigmoid_and_tanh_hidden_layers_saturate_without_warnings():
    X, y = bp.datasets.make_blobs(20, 4, 3, seed=0)
    p = bp.mlp.init_params([4, 8, 8, 3], std=50.0, seed=0)
    for hidden in ("sigmoid", "tanh"):
        for head, t in (("softmax_ce", y), ("sigmoid_bce", bp.one_hot(y, 3)),
                        ("sigmoid_mse", bp.one_hot(y, 3))):
            res = bp.mlp.loss_and_grads(p, 100 * X, t, hidden, head)
            assert np.isfinite(res.loss)
