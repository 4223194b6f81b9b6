"""Shared data for the benchmark suites.

The suites run in the default ``pytest`` run with ``--benchmark-disable`` (each body once,
so they never rot: at N = 1 and the notes' N = 200, K ≤ 100; the other sizes, whose one
call costs seconds of per-sample loops or an XLA compile each, with ``pytest --full``) and
for real with ``backprop-ref bench``, which saves the run and writes
REPORT.md from it.  The libraries and thread settings are recorded in the run's
``machine_info``, so that the report describes the machine from the run's own data.
"""

from __future__ import annotations

import sys
from pathlib import Path

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


#: the sizes a smoke run (benchmarks disabled) runs; the others wait for ``pytest --full``
SMOKE_N, SMOKE_K_MAX, SMOKE_SIZE = (1, 200), 100, "notes"


def pytest_collection_modifyitems(config, items):
    """With benchmarking disabled, mark ``full`` the bodies at sizes a smoke run leaves out
    (`SMOKE_N` …); a real run (``backprop-ref bench``) times every size."""
    if not config.getoption("benchmark_disable", default=False):
        return
    here = Path(__file__).parent           # a conftest's hook sees every item of the run
    for item in items:
        if not Path(item.path).is_relative_to(here):
            continue
        params = item.callspec.params if hasattr(item, "callspec") else {}
        if (params.get("N", SMOKE_N[0]) not in SMOKE_N or params.get("K", 0) > SMOKE_K_MAX
                or params.get("size", SMOKE_SIZE) != SMOKE_SIZE):
            item.add_marker(pytest.mark.full)


@pytest.fixture(scope="session")
def torch_mod():
    return pytest.importorskip("torch")


@pytest.fixture(scope="session")
def jax_mod():
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    return jax


def pytest_benchmark_update_machine_info(config, machine_info):
    """The libraries and thread settings, into the saved run's ``machine_info``.

    Versions come from the installed metadata (`comparisons.records.environment`: nothing
    is imported to describe the machine, so a run of NumPy benchmarks never loads torch or
    JAX); torch's threads and BLAS are read only when the run has loaded torch."""
    from comparisons.records import environment

    env = environment()
    libs = {"numpy": env["numpy"], "numpy BLAS": env["blas"],
            "numpy BLAS kernel": env["blas kernel"]}
    torch = sys.modules.get("torch")
    if torch is not None:
        libs["torch"] = torch.__version__
        libs["torch threads"] = torch.get_num_threads()
        libs["torch BLAS"] = ("MKL" if torch.backends.mkl.is_available() else "no MKL") + (
            ", oneDNN" if torch.backends.mkldnn.is_available() else "")
    elif env["torch"]:
        libs["torch"] = f"{env['torch']} (not loaded by this run)"
    if env["jax"]:
        libs["jax"] = env["jax"]
    libs["thread env"] = ", ".join(f"{k}={v}" for k, v in env["settings"].items()
                                   if k != "OPENBLAS_CORETYPE") or (
        "none set (libraries use all cores)")
    machine_info["libraries"] = libs
