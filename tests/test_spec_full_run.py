"""The default run and ``pytest --full`` (tests/conftest.py): the default run leaves out
exactly the tests marked ``full`` and says how many; the default run loads the ``quick``
hypothesis profile, ``--full`` loads ``ci``."""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
#: a module marked full as a whole, and a benchmark whose large sizes are marked in a smoke run
SAMPLE = ["tests/test_docs_site.py", "benchmarks/bench_delta.py"]


def test_the_default_run_leaves_out_exactly_the_tests_marked_full():
    """One collection of the sample (a subprocess: this run's own collection has already
    left its tests out): every test of the docs-site module and the two bodies of
    bench_delta at K = 1000 are left out, nothing else, and the summary says how many."""
    if not all((ROOT / path).is_file() for path in SAMPLE):
        pytest.skip("needs the checkout's benchmarks/ (a partial copy, as the mutation run's)")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTEST_XDIST_", "HYPOTHESIS_"))}
    r = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-n", "0",
                        "-p", "no:cacheprovider", *SAMPLE],
                       cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout + r.stderr
    kept = [line for line in r.stdout.splitlines() if "::" in line]
    site = ast.parse((ROOT / SAMPLE[0]).read_text(encoding="utf-8"))
    n_site = sum(isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
                 for node in site.body)
    summary = re.search(r"(\d+)/(\d+) tests collected \((\d+) deselected\)", r.stdout)
    assert summary, r.stdout
    assert [int(g) for g in summary.groups()] == [len(kept), len(kept) + n_site + 2, n_site + 2]
    assert kept and all(t.startswith(SAMPLE[1]) and not t.endswith("-1000]") for t in kept)
    assert f"{n_site + 2} heavy tests left out" in r.stdout
    assert "pytest --full runs them" in r.stdout


def test_the_benchmarks_mark_only_their_own_sizes():
    """The benchmarks' conftest marks its bodies at sizes a smoke run leaves out, and no
    test elsewhere (a conftest's collection hook sees every item of the run: it once left
    out tests/test_inputs.py's cases at N = 2 and 7)."""
    spec = importlib.util.spec_from_file_location("_bench_conftest",
                                                  ROOT / "benchmarks" / "conftest.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)

    def item(path, **params):
        marks = []
        return SimpleNamespace(path=ROOT / path, callspec=SimpleNamespace(params=params),
                               add_marker=marks.append, marks=marks)

    items = [item("benchmarks/bench_x.py", N=7), item("benchmarks/bench_x.py", N=200),
             item("benchmarks/bench_x.py", size="large"), item("benchmarks/bench_x.py", K=1000),
             item("tests/test_x.py", N=7), item("tests/test_x.py", size="large"),
             item("tests/test_x.py", K=1000)]
    config = SimpleNamespace(getoption=lambda name, default=None: True)
    bench.pytest_collection_modifyitems(config, items)
    assert [bool(i.marks) for i in items] == [True, False, True, True, False, False, False]


def test_the_hypothesis_profile_follows_full(request):
    wanted = os.environ.get("HYPOTHESIS_PROFILE") or (
        "ci" if request.config.getoption("full") else "quick")
    assert settings.default.max_examples == {"quick": 10, "ci": 100,
                                             "thorough": 10_000}[wanted]
