"""Shared test set-up: hypothesis profiles, derivation-id markers, float64 everywhere.

Profiles (select with ``HYPOTHESIS_PROFILE``):

* ``ci`` (default): 100 examples per property, in the default ``pytest`` run.
* ``thorough``: 10 000 examples per property; run ``HYPOTHESIS_PROFILE=thorough pytest
  tests/test_properties.py`` (see docs/maintainers.md, "Heavier runs").
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=100, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "thorough", max_examples=10_000, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.filter_too_much],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

DERIVATION_IDS = [f"D{i}" for i in range(1, 21)]


def pytest_configure(config):
    for d in DERIVATION_IDS:
        config.addinivalue_line("markers", f"{d}: checks derivation {d} of the catalog")
    config.addinivalue_line("markers", "errata: the notes' slips, measured")


def pytest_collection_modifyitems(items):
    """Tag every test whose id names a derivation (``…[D11-torch-…]``) with its marker."""
    for item in items:
        for d in DERIVATION_IDS:
            if f"[{d}-" in item.nodeid or f"[{d}]" in item.nodeid or f"_{d.lower()}_" in (
                    item.name.lower() + "_"):
                item.add_marker(getattr(pytest.mark, d))


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
