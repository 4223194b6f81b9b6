"""Shared test set-up: the default run and ``--full``, hypothesis profiles, derivation-id
markers, float64 everywhere.

``pytest`` is the executable specification in under a minute on 2 cores: every derivation
against every oracle, the errata, the checker, the grader, the command line, the docs'
pages and the benchmarks' bodies once each. ``pytest --full`` adds what is heavy: the
documentation site opened page by page in headless Chromium, the benchmarks' bodies at
their other sizes, JAX's sweeps, and ten times the property examples (tests marked
``full`` are left out without it, and the summary line says how many; docs/maintainers.md
lists them with their cost).

Hypothesis profiles (``HYPOTHESIS_PROFILE`` picks one; it overrides the choice below):

* ``quick`` (plain ``pytest``): 10 examples per property (JAX's twin and float32 the first 3);
* ``ci`` (``pytest --full``, and the mutation tool): 100 (JAX's twin and float32 the first 25);
* ``thorough``: 10 000 examples per property; run ``HYPOTHESIS_PROFILE=thorough pytest
  --full tests/test_properties.py`` (see docs/maintainers.md, "Heavier runs").
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "quick", max_examples=10, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=10_000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)

DERIVATION_IDS = [f"D{i}" for i in range(1, 21)]


#: how many tests the default run left out (the summary line prints it)
LEFT_OUT = pytest.StashKey[int]()


def pytest_addoption(parser):
    parser.addoption(
        "--full", action="store_true",
        help="run the heavy checks too (tests marked full: the docs site in Chromium, the "
             "benchmarks at their other sizes, JAX's sweeps) and 100 examples per property, "
             "not 10")


def pytest_configure(config):
    full = config.getoption("full", default=False)
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if full else "quick"))
    for d in DERIVATION_IDS:
        config.addinivalue_line("markers", f"{d}: checks derivation {d} of the catalog")
    config.addinivalue_line("markers", "errata: the notes' slips, measured")


@pytest.hookimpl(trylast=True)       # after other conftests have marked their items
def pytest_collection_modifyitems(config, items):
    """Tag every test whose id names a derivation (``…[D11-torch-…]``) with its marker, and
    leave out (deselect) the tests marked ``full`` unless ``--full`` asks for them."""
    for item in items:
        for d in DERIVATION_IDS:
            if f"[{d}-" in item.nodeid or f"[{d}]" in item.nodeid or f"_{d.lower()}_" in (
                    item.name.lower() + "_"):
                item.add_marker(getattr(pytest.mark, d))
    if not config.getoption("full", default=False):
        heavy = [item for item in items if item.get_closest_marker("full")]
        if heavy:
            items[:] = [item for item in items if not item.get_closest_marker("full")]
            config.hook.pytest_deselected(items=heavy)
        config.stash[LEFT_OUT] = len(heavy)


def pytest_sessionfinish(session):
    """An xdist worker sends its count of left-out tests to the controller."""
    if hasattr(session.config, "workeroutput"):
        session.config.workeroutput["left_out"] = session.config.stash.get(LEFT_OUT, 0)


@pytest.hookimpl(optionalhook=True)   # pytest-xdist's hook: unknown without it (-p no:xdist)
def pytest_testnodedown(node, error):
    """The controller keeps a worker's count (each worker collects every test)."""
    node.config.stash[LEFT_OUT] = node.workeroutput.get("left_out", 0)


def pytest_terminal_summary(terminalreporter, config):
    left_out = config.stash.get(LEFT_OUT, 0)
    if left_out:
        examples = ("" if os.environ.get("HYPOTHESIS_PROFILE")
                    else ", and 90 of every 100 property examples")
        terminalreporter.write_line(
            f"{left_out} heavy tests left out (marked full: the docs site in Chromium, the "
            f"benchmarks beyond their smoke sizes, the JAX sweeps){examples}: pytest --full "
            "runs them")


@pytest.fixture(autouse=True)
def _fresh_backend_memo(request):
    """A test that monkeypatches may change what a twin computes (the central-difference
    twin runs the reference's own forward functions): it starts and ends with an empty
    memo of backend evaluations, so it neither sees nor leaves results computed under
    other code."""
    if "monkeypatch" not in request.fixturenames:
        yield
        return
    from comparisons.backends import clear_memo

    clear_memo()
    yield
    clear_memo()


@pytest.fixture
def rng():
    return np.random.default_rng(20261122)


@pytest.fixture
def ascii_locale():
    """The C locale's ASCII as the default text encoding (as on a machine whose locale is
    not UTF-8), for the test only: a file read or written without ``encoding="utf-8"``
    fails on any non-ASCII character."""
    import locale

    before = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")
    try:
        yield
    finally:
        locale.setlocale(locale.LC_CTYPE, before)
