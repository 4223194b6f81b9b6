"""Suite 1: the per-sample loop (note 002, D19) against the vectorized batch, and the same
network in torch eager and jax.jit, over N = 1 … 10 000 (N = 200 included), on the same data
in one run."""

from __future__ import annotations

import pytest

import backprop_ref as bp
from frameworks import jax_step_fn, torch_step_fn
from conftest import notes_problem

NS = [1, 10, 100, 200, 1000, 10000]     # N = 200: the notes' size, where the target is
REG = 1e-3
DEEP = [4, 64, 64, 64, 3]       # a deeper MLP: three hidden layers of 64


def _info(benchmark, **kw):
    benchmark.extra_info.update(kw)
    benchmark.group = f"{kw['suite']}-{kw['net']}-N={kw['N']:05d}"


@pytest.mark.parametrize("N", NS)
@pytest.mark.parametrize("impl", ["loop", "vectorized"])
def test_two_layer(benchmark, impl, N):
    X, y, p = notes_problem(N)
    fn = bp.two_layer.loss_and_grads_loop if impl == "loop" else bp.two_layer.loss_and_grads
    _info(benchmark, suite="N", net="two_layer", impl=impl, N=N)
    res = benchmark(fn, p, X, y, REG)
    assert res.grads["W1"].shape == (4, 10)


@pytest.mark.parametrize("N", NS)
def test_two_layer_torch_eager(benchmark, torch_mod, N):
    X, y, p = notes_problem(N)
    _info(benchmark, suite="N", net="two_layer", impl="torch eager", N=N)
    benchmark(torch_step_fn(torch_mod, X, y, p, REG))


@pytest.mark.parametrize("N", NS)
def test_two_layer_jax_jit(benchmark, jax_mod, N):
    X, y, p = notes_problem(N)
    _info(benchmark, suite="N", net="two_layer", impl="jax.jit", N=N)
    benchmark(jax_step_fn(jax_mod, X, y, p, REG))


@pytest.mark.parametrize("N", NS)
@pytest.mark.parametrize("impl", ["loop", "vectorized"])
def test_deep_mlp(benchmark, impl, N):
    X, y, _ = notes_problem(N)
    p = bp.mlp.init_params(DEEP, seed=0)
    fn = bp.mlp.loss_and_grads_loop if impl == "loop" else bp.mlp.loss_and_grads
    _info(benchmark, suite="N", net="mlp 4-64-64-64-3", impl=impl, N=N)
    if impl == "loop" and N >= 1000:      # seconds per call: a few rounds say enough
        benchmark.pedantic(fn, args=(p, X, y), kwargs={"reg": REG}, rounds=3, iterations=1)
    else:
        benchmark(fn, p, X, y, reg=REG)
