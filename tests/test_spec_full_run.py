"""The default run and ``pytest --full`` (tests/conftest.py): the default run leaves out
exactly the tests marked ``full``, says how many, and loads the ``quick`` hypothesis
profile; ``--full`` collects every test id and loads ``ci``."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
#: a module marked full as a whole, and a benchmark whose large sizes are marked in a smoke run
SAMPLE = ["tests/test_docs_site.py", "benchmarks/bench_delta.py"]


def _collect(*extra: str) -> tuple[list[str], str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_XDIST_", "HYPOTHESIS_"))}
    r = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0",
                        "-p", "no:cacheprovider", *SAMPLE, *extra],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    return [line for line in r.stdout.splitlines() if "::" in line], r.stdout


def test_the_default_run_leaves_out_exactly_the_tests_marked_full():
    if not all((ROOT / path).is_file() for path in SAMPLE):
        pytest.skip("needs the checkout's benchmarks/ (a partial copy, as the mutation run's)")
    everything, _ = _collect("--full")
    default, out = _collect()
    site = [t for t in everything if t.startswith("tests/test_docs_site.py")]
    large = [t for t in everything if re.search(r"bench_delta.py::\w+\[\w+-(1000)\]", t)]
    assert site and len(large) == 2
    assert sorted(default) == sorted(set(everything) - set(site) - set(large))
    left_out = len(everything) - len(default)
    assert f"{left_out} heavy tests left out" in out and "pytest --full runs them" in out


def test_the_hypothesis_profile_follows_full(request):
    wanted = os.environ.get("HYPOTHESIS_PROFILE") or (
        "ci" if request.config.getoption("full") else "quick")
    assert settings.default.max_examples == {"quick": 10, "ci": 100,
                                             "thorough": 10_000}[wanted]
