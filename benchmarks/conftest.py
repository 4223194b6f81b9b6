"""Shared data for the benchmark suites.

The suites run in the default ``pytest`` run with ``--benchmark-disable`` (each body once,
so they never rot) and for real with ``backprop-ref bench``, which writes REPORT.md.
"""

from __future__ import annotations

import numpy as np
import pytest

import backprop_ref as bp


def notes_problem(N, D=4, H=10, K=3, seed=0, dtype=np.float64):
    """X (N, D), labels (N,), and the notes' parameters, seeded."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D)).astype(dtype)
    y = rng.integers(0, K, size=N)
    params = {k: v.astype(dtype) for k, v in
              bp.two_layer.init_params(D, H, K, std=0.1, seed=seed).items()}
    return X, y, params


@pytest.fixture(scope="session")
def torch_mod():
    return pytest.importorskip("torch")


@pytest.fixture(scope="session")
def jax_mod():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax
