"""The benchmark report's arithmetic: ``benchmarks/report.py`` on a hand-made
pytest-benchmark JSON whose every ratio is known in advance.

Each benchmark gets a median and a minimum that disagree, so the test also proves that the
report reads the statistic it says it reads (``STAT``), not the other one.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _report_module():
    spec = importlib.util.spec_from_file_location("benchmark_report", BENCH / "report.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


REPORT = _report_module()


def _bench(name, t, **info):
    # the other statistic is 3·t plus a per-name offset: a report that read it would show
    # different ratios
    return {"name": name, "extra_info": info,
            "stats": {REPORT.STAT: t, REPORT.OTHER: 3 * t + 1e-3 * len(name), "rounds": 10}}


US, MS = 1e-6, 1e-3
ROWS = [
    _bench("ref-notes", 60 * US, suite="frameworks", size="notes", impl="numpy reference"),
    _bench("unchecked", 54 * US, suite="frameworks", size="notes",
           impl="numpy reference, unchecked"),
    _bench("val", 4.8 * US, suite="frameworks", size="notes", impl="validation only"),
    _bench("jax-notes", 100 * US, suite="frameworks", size="notes", impl="jax.jit"),
    _bench("torch-notes", 200 * US, suite="frameworks", size="notes", impl="torch eager"),
    _bench("ref-large", 48 * MS, suite="frameworks", size="large", impl="numpy reference"),
    _bench("gemm", 40 * MS, suite="frameworks", size="large",
           impl="GEMM floor (X@W1, Xᵀ dZ1)"),
    _bench("torch-large", 60 * MS, suite="frameworks", size="large", impl="torch eager"),
    _bench("jax-large", 44 * MS, suite="frameworks", size="large", impl="jax.jit"),
    *[_bench(f"{impl}-{n}", t, suite="N", net="two_layer", impl=impl, N=n)
      for n, lo, ve in ((100, 2 * MS, 50 * US), (1000, 20 * MS, 100 * US))
      for impl, t in (("loop", lo), ("vectorized", ve))],
    *[_bench(f"{impl}-K{k}", t, suite="delta", impl=impl, K=k, N=32, peak_bytes=1024,
             jacobian_bytes=32 * k * k * 8)
      for k, jac, simp in ((10, 40 * US, 20 * US), (1000, 50 * MS, 0.1 * MS))
      for impl, t in (("jacobian", jac), ("simplified", simp))],
    _bench("f64", 50 * MS, suite="dtype", size="large", impl="float64"),
    _bench("f32", 20 * MS, suite="dtype", size="large", impl="float32"),
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    path = out / "bench.json"
    path.write_text(json.dumps({"benchmarks": ROWS, "datetime": "test",
                                "machine_info": {"cpu": {"brand_raw": "test cpu"}}}))
    return REPORT.render(path, out).read_text(), out


@pytest.mark.parametrize(("label", "shown", "status"), [
    ("reference / jax.jit", "0.60×", "**missed**"),          # 60 / 100
    ("reference / torch eager autograd", "0.30×", "met"),    # 60 / 200
    ("loop → vectorized", "40× and 200×", "met"),            # 2 ms / 50 µs, 20 ms / 100 µs
    ("reference / its two GEMMs", "1.20×", "**missed**"),    # 48 / 40
    ("large size: reference / torch eager", "0.80×", "met"),
    ("full Jacobian / (A − Y)", "500×", "met"),              # 50 ms / 0.1 ms
])
def test_headline_ratios_come_from_the_stated_statistic(report, label, shown, status):
    text, _ = report
    line = next(l for l in text.splitlines() if l.startswith("|") and label in l)
    assert f"| {shown} |" in line and line.rstrip().endswith(f"| {status} |"), line


def test_validation_figures(report):
    text, _ = report
    # timed alone: 4.8 / 60 = 8.0 %; end to end: 1 − 54 / 60 = 10.0 %
    assert re.search(r"Input validation costs 8\.0% .* takes 10\.0% longer", text), text


def test_framework_table_gives_both_statistics(report):
    text, _ = report
    line = next(l for l in text.splitlines() if l.startswith("| notes | jax.jit |"))
    assert "| 100 µs | 1.67 |" in line                       # STAT and its ratio
    assert line.count("|") == 7                             # … then OTHER and its ratio


def test_plots_are_written(report):
    _, out = report
    for name in ("time_vs_n.png", "speedup_vs_n.png", "delta_vs_k.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


# ------------------------------------------------------------ the committed run and its report
def test_committed_results_hold_summaries_only():
    data = json.loads((BENCH / "results.json").read_text())
    assert data["benchmarks"]
    assert not [b["name"] for b in data["benchmarks"] if "data" in b["stats"]]


def test_committed_report_is_the_committed_results_rendered(tmp_path):
    """Every table row of REPORT.md (headline to section 4) comes out of results.json: the
    figures in the README and the notes are read from a run that is in the repository.
    The machine table is left out, since the renderer reads it from the installed
    libraries."""
    def table_rows(text):
        end = text.find("## Notes")                  # the analysis, appended from NOTES.md
        body = text[text.index("## Headline"):end if end >= 0 else None]
        return [line for line in body.splitlines() if line.startswith("|") or "%" in line]

    fresh = REPORT.render(BENCH / "results.json", tmp_path).read_text()
    assert table_rows(fresh) == table_rows((BENCH / "REPORT.md").read_text())
