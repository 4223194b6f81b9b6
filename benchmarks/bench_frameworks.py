"""Suite 3: the NumPy reference against torch eager autograd and jax.jit(value_and_grad) at
the notes' size (N = 200, 4-10-3) and a large size (N = 4096, 784-256-10), with the large
size's two big GEMMs (X @ W1 and Xᵀ dZ1) alone as the floor, and what validation costs at
both.  Suite 4: float64 vs float32 for the reference at both sizes.  Only public names of
``backprop_ref``."""

from __future__ import annotations

import numpy as np
import pytest

import backprop_ref as bp
from frameworks import jax_step_fn, torch_step_fn
from conftest import notes_problem

SIZES = {"notes": (200, 4, 10, 3), "large": (4096, 784, 256, 10)}
REG = 1e-3


def _problem(size, dtype=np.float64):
    N, D, H, K = SIZES[size]
    return notes_problem(N, D, H, K, dtype=dtype)


def _info(benchmark, size, impl, **kw):
    N, D, H, K = SIZES[size]
    benchmark.group = f"frameworks-{size}"
    benchmark.extra_info.update(suite="frameworks", size=size, impl=impl, N=N,
                                layers=f"{D}-{H}-{K}", **kw)


@pytest.mark.parametrize("size", SIZES)
def test_numpy_reference(benchmark, size):
    X, y, p = _problem(size)
    _info(benchmark, size, "numpy reference")
    benchmark(bp.two_layer.loss_and_grads, p, X, y, REG)


@pytest.mark.parametrize("size", SIZES)
def test_numpy_reference_no_finite_check(benchmark, size):
    X, y, p = _problem(size)
    _info(benchmark, size, "numpy reference, check_finite=False")
    benchmark(bp.two_layer.loss_and_grads, p, X, y, REG, check_finite=False)


@pytest.mark.parametrize("size", SIZES)
def test_torch_eager(benchmark, torch_mod, size):
    X, y, p = _problem(size)
    _info(benchmark, size, "torch eager")
    benchmark(torch_step_fn(torch_mod, X, y, p, REG))


@pytest.mark.parametrize("size", SIZES)
def test_jax_jit(benchmark, jax_mod, size):
    X, y, p = _problem(size)
    _info(benchmark, size, "jax.jit")
    benchmark(jax_step_fn(jax_mod, X, y, p, REG))


def test_gemm_floor(benchmark):
    """The two GEMMs of the large size that no implementation can avoid."""
    X, y, p = _problem("large")
    dZ1 = np.random.default_rng(1).standard_normal((X.shape[0], p["W1"].shape[1]))
    _info(benchmark, "large", "GEMM floor (X@W1, Xᵀ dZ1)")
    benchmark(lambda: (X @ p["W1"], X.T @ dZ1))


@pytest.mark.parametrize("size", SIZES)
def test_validation_only(benchmark, size):
    """What the input checks of one call cost, through the public validation module: the
    network inputs and the class targets, as ``two_layer.loss_and_grads`` checks them."""
    X, y, p = _problem(size)
    N, K = X.shape[0], SIZES[size][3]
    _info(benchmark, size, "validation only",
          checks="validation.network_inputs + validation.class_targets")

    def validate():
        bp.validation.network_inputs(p, X, REG, layers=2)
        bp.validation.class_targets(y, N, K)
    benchmark(validate)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_dtype(benchmark, size, dtype):
    X, y, p = _problem(size, np.dtype(dtype))
    benchmark.group = f"dtype-{size}"
    benchmark.extra_info.update(suite="dtype", size=size, impl=dtype)
    res = benchmark(bp.two_layer.loss_and_grads, p, X, y, REG)
    assert res.grads["W1"].dtype == np.dtype(dtype)
