"""Suite 2: the full softmax-Jacobian delta (D12) against the simplified A − Y (D11) over
K, with the peak memory of each (tracemalloc sees NumPy's allocations)."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import backprop_ref as bp

KS = [3, 10, 100, 1000]
N = 32


def peak_bytes(fn, *args) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        fn(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("K", KS)
@pytest.mark.parametrize("impl", ["jacobian", "simplified"])
def test_delta(benchmark, impl, K):
    rng = np.random.default_rng(K)
    z = rng.standard_normal((N, K))
    y = rng.integers(0, K, size=N)
    fn = bp.delta_ce_softmax_jacobian if impl == "jacobian" else bp.delta_ce_softmax
    benchmark.group = f"delta-K={K:04d}"
    benchmark.extra_info.update(suite="delta", impl=impl, K=K, N=N,
                                peak_bytes=peak_bytes(fn, z, y),
                                jacobian_bytes=N * K * K * 8)
    if impl == "jacobian" and K >= 1000:
        out = benchmark.pedantic(fn, args=(z, y), rounds=5, iterations=1)
    else:
        out = benchmark(fn, z, y)
    assert out.shape == (N, K)
