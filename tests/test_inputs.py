"""Classes of legitimate input, each drawn whole (issue 12: fix the class, not the example).

* every integer dtype and byte order for class labels, and out-of-range labels of each;
* float16/32/64 in either byte order;
* memory layouts: Fortran order, negative strides, strided views, read-only;
* finite values anywhere in the float range, subnormals and ±1.8e308 included;
* batch means that are representable although their sums are not.

No NumPy warning may escape any of them: pytest turns ``RuntimeWarning`` into an error.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import backprop_ref as bp

torch = pytest.importorskip("torch")
F = torch.nn.functional

INT_DTYPES = [np.dtype(f"{order}{kind}{size}") for kind in "iu" for size in (1, 2, 4, 8)
              for order in "<>"]
FLOAT_DTYPES = [np.dtype(f"{order}f{size}") for size in (2, 4, 8) for order in "<>"]

rng = np.random.default_rng(12)
Z = rng.standard_normal((6, 3))
Y = np.array([0, 1, 2, 2, 1, 0])
X = rng.standard_normal((6, 4))
P = bp.two_layer.init_params(seed=3)

#: functions of (logits or probabilities, class labels)
LABEL_FUNCTIONS = {
    "delta_ce_softmax": lambda y: bp.delta_ce_softmax(Z, y),
    "delta_ce_softmax_jacobian": lambda y: bp.delta_ce_softmax_jacobian(Z, y),
    "cross_entropy_with_logits": lambda y: bp.cross_entropy_with_logits(Z, y),
    "cross_entropy": lambda y: bp.cross_entropy(bp.softmax(Z), y),
    "cross_entropy_grad": lambda y: bp.cross_entropy_grad(bp.softmax(Z), y),
    "one_hot": lambda y: bp.one_hot(y, 3),
    "two_layer.loss_and_grads": lambda y: bp.two_layer.loss_and_grads(P, X, y, reg=0.1),
    "two_layer.loss_and_grads_loop": lambda y: bp.two_layer.loss_and_grads_loop(P, X, y),
    "mlp.loss_and_grads": lambda y: bp.mlp.loss_and_grads(P, X, y),
    "mlp.loss_and_grads_loop": lambda y: bp.mlp.loss_and_grads_loop(P, X, y),
}


def _same(a, b):
    if isinstance(a, tuple):              # a Result
        assert a.loss == b.loss
        for k in a.grads:
            assert np.array_equal(a.grads[k], b.grads[k]), k
        for k in a.intermediates:
            assert np.array_equal(a.intermediates[k], b.intermediates[k]), k
    else:
        assert np.array_equal(np.asarray(a), np.asarray(b))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=str)
@pytest.mark.parametrize("fn", list(LABEL_FUNCTIONS))
def test_labels_of_every_integer_dtype_and_byte_order_agree_bit_for_bit(fn, dtype):
    f = LABEL_FUNCTIONS[fn]
    _same(f(Y.astype(dtype)), f(Y))


@pytest.mark.parametrize("dtype", INT_DTYPES, ids=str)
def test_out_of_range_labels_of_every_dtype_get_the_range_error(dtype):
    info = np.iinfo(dtype)
    for bad in {info.max, 3} | ({info.min} if info.min < 0 else set()):
        y = Y.astype(dtype)
        y[2] = bad
        with pytest.raises(ValueError, match=rf"y holds labels in \[{min(0, bad)}, {max(2, bad)}\]"):
            bp.delta_ce_softmax(Z, y)
        with pytest.raises(ValueError, match=r"holds labels in"):
            bp.two_layer.loss_and_grads(P, X, y)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES, ids=str)
def test_floats_of_every_width_and_byte_order(dtype):
    want = np.float32 if dtype.itemsize <= 4 else np.float64
    z = Z.astype(dtype)
    native = Z.astype(dtype).astype(want)
    for fn in (bp.sigmoid, bp.relu_prime, bp.softmax, bp.log_softmax, bp.tanh_prime):
        out = fn(z)
        assert out.dtype == want and out.dtype.isnative
        assert np.array_equal(out, fn(native))
    res = bp.two_layer.loss_and_grads({k: v.astype(dtype) for k, v in P.items()},
                                      X.astype(dtype), Y)
    assert res.loss.dtype == want and all(g.dtype == want for g in res.grads.values())


def _layouts(a):
    """The same values in other memory layouts."""
    ro = a.copy()
    ro.setflags(write=False)
    wide = np.zeros((a.shape[0], 2 * a.shape[1]))
    wide[:, ::2] = a
    flipped = a[::-1].copy()[::-1]
    return {"Fortran order": np.asfortranarray(a), "read-only": ro,
            "strided view": wide[:, ::2], "negative strides": flipped}


@pytest.mark.parametrize("layout", list(_layouts(Z)))
def test_every_memory_layout_gives_the_same_result(layout):
    z, x = _layouts(Z)[layout], _layouts(X)[layout]
    p = {k: (_layouts(v)[layout] if v.ndim == 2 else v) for k, v in P.items()}
    for fn in (bp.softmax, bp.sigmoid_prime, lambda a: bp.delta_ce_softmax(a, Y),
               lambda a: bp.softmax_backward(Z, a), lambda a: bp.cross_entropy_with_logits(a, Y)):
        assert np.array_equal(fn(z), fn(Z))
    for fn in (bp.two_layer.loss_and_grads, bp.mlp.loss_and_grads):
        got, want = fn(p, x, Y, reg=0.1), fn(P, X, Y, reg=0.1)
        for k in want.grads:                 # BLAS may order a product's sums differently
            assert np.abs(got.grads[k] - want.grads[k]).max() <= 1e-15, (layout, k)


# ------------------------------------------------------------------ the whole float range
FINITE = st.floats(allow_nan=False, allow_infinity=False, allow_subnormal=True)
LOGITS = st.tuples(st.integers(1, 4), st.integers(2, 5)).flatmap(
    lambda s: hnp.arrays(np.float64, s, elements=FINITE))


@settings(max_examples=60)
@given(z=LOGITS, data=st.data())
def test_any_finite_logits_give_finite_results_that_match_torch(z, data):
    y = data.draw(hnp.arrays(np.int64, z.shape[0], elements=st.integers(0, z.shape[1] - 1)))
    A = bp.softmax(z)
    assert np.isfinite(A).all() and np.all(np.abs(A.sum(axis=1) - 1) <= z.shape[1] * 1e-15)
    t = torch.from_numpy(z).requires_grad_(True)
    tA = F.softmax(t, dim=1)
    assert np.abs(A - tA.detach().numpy()).max() <= 1e-15
    dz = bp.delta_ce_softmax(z, y)
    assert np.isfinite(dz).all()
    # torch's own gradient of F.cross_entropy; compared where torch's is finite
    F.cross_entropy(t, torch.from_numpy(y)).backward()
    theirs = t.grad.numpy()
    if np.isfinite(theirs).all():
        assert np.abs(dz - theirs).max() <= 1e-15
    s = bp.sigmoid(z)
    assert np.abs(s - torch.sigmoid(torch.from_numpy(z)).numpy()).max() <= 1e-15
    assert np.isfinite(bp.sigmoid_prime(z)).all() and np.isfinite(bp.tanh_prime(z)).all()
    assert np.isfinite(bp.delta_bce_sigmoid(z, s)).all()
    assert np.isfinite(bp.delta_mse_sigmoid(z, s)).all()


def test_logits_at_the_edge_of_the_float_range():
    """The examples issue 12 reported: an overflow warning and a nan where log 2 is right."""
    assert np.array_equal(bp.softmax([[1e308, -1e308, 0.0]]), [[1.0, 0.0, 0.0]])
    assert bp.log_softmax([[1e308, -1e308]])[0, 0] == 0.0
    loss = bp.cross_entropy_with_logits([[1e308, 1e308, -1e308]], [[0.5, 0.5, 0.0]])
    assert loss == pytest.approx(np.log(2), rel=1e-15)
    assert np.array_equal(bp.delta_ce_softmax([[1e308, -1e308, 0.0]], [1]),
                          [[1.0, -1.0, 0.0]])
    with pytest.raises(ValueError, match="overflows the float range"):
        bp.cross_entropy_with_logits([[1e308, -1e308]], [1])   # the loss is 2e308


MEANS = [
    ("mse", lambda a, y: bp.mse(a, y), (1e154, 0.0)),
    ("binary_cross_entropy_with_logits",
     lambda a, y: bp.binary_cross_entropy_with_logits(a, np.ones_like(a)), (-1.7e308, 0.0)),
    ("cross_entropy_with_logits",
     lambda a, y: bp.cross_entropy_with_logits(np.hstack([a, -a]), np.zeros(len(a), int)),
     (-8e307, 0.0)),
]


@pytest.mark.parametrize(("what", "fn", "values"), MEANS, ids=[m[0] for m in MEANS])
@pytest.mark.parametrize("N", [1, 2, 7])
def test_a_representable_mean_is_never_overflowed_by_summing_first(what, fn, values, N):
    """The mean of N copies of one row is that row's loss, however large (issue 12:
    ``mse([[1e154], [1e154]], zeros)`` gave inf)."""
    a, y = np.full((N, 1), values[0]), np.full((N, 1), values[1])
    one = fn(a[:1], y[:1])
    assert np.isfinite(one)
    assert fn(a, y) == pytest.approx(one, rel=1e-15)
