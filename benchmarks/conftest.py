"""Shared data for the benchmark suites.

The suites run in the default ``pytest`` run with ``--benchmark-disable`` (each body once,
so they never rot) and for real with ``backprop-ref bench``, which saves the run and writes
REPORT.md from it.  The libraries and thread settings are recorded in the run's
``machine_info``, so that the report describes the machine from the run's own data.
"""

from __future__ import annotations

import os

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


def pytest_benchmark_update_machine_info(config, machine_info):
    libs = {"numpy": np.__version__}
    try:
        blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
        libs["numpy BLAS"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - a description, best effort
        pass
    try:
        import torch
        libs["torch"] = torch.__version__
        libs["torch threads"] = torch.get_num_threads()
        libs["torch BLAS"] = ("MKL" if torch.backends.mkl.is_available() else "no MKL") + (
            ", oneDNN" if torch.backends.mkldnn.is_available() else "")
    except ImportError:
        pass
    try:
        import jax
        libs["jax"] = jax.__version__
    except ImportError:
        pass
    libs["thread env"] = ", ".join(f"{k}={os.environ[k]}" for k in (
        "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "XLA_FLAGS")
        if k in os.environ) or "none set (libraries use all cores)"
    machine_info["libraries"] = libs
