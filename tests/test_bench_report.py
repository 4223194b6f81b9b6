"""The benchmark report and ``backprop-ref bench``'s plumbing.

The renderer (``comparisons/report.py``) runs on a hand-made pytest-benchmark JSON whose
every ratio is known in advance: each benchmark's median differs from its mean, minimum and
maximum, so the report can only show the expected figures by reading the median.  The
committed ``benchmarks/REPORT.md`` must be exactly ``benchmarks/results.json`` rendered:
editing one figure of either by hand fails ``test_committed_report_is_the_committed_run_
rendered``.
"""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from comparisons import bench
from comparisons import report as R

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
US, MS = 1e-6, 1e-3


def _bench(name, t, rounds=10, max_time=R.FULL_MAX_TIME, **info):
    # every other statistic is far from the median: a report that read one of them
    # would show different figures
    return {"name": name, "fullname": f"benchmarks/x.py::{name}", "extra_info": info,
            "options": {"max_time": max_time, "min_rounds": R.FULL_MIN_ROUNDS},
            "stats": {"median": t, "iqr": t / 8, "rounds": rounds,
                      "mean": 3 * t + 1e-4 * len(name), "min": t / 3 - 1e-9 * len(name),
                      "max": 9 * t + 1e-3 * len(name)}}


NOTES = dict(suite="frameworks", size="notes", N=200, layers="4-10-3")
LARGE = dict(suite="frameworks", size="large", N=4096, layers="784-256-10")
ROWS = [
    _bench("ref-notes", 60 * US, impl="numpy reference", **NOTES),
    _bench("val-notes", 4.8 * US, impl="validation only", checks="the checks", **NOTES),
    _bench("jax-notes", 100 * US, impl="jax.jit", **NOTES),
    _bench("torch-notes", 200 * US, impl="torch eager", **NOTES),
    _bench("ref-large", 48 * MS, impl="numpy reference", **LARGE),
    _bench("val-large", 0.24 * MS, impl="validation only", checks="the checks", **LARGE),
    _bench("gemm", 40 * MS, impl="GEMM floor (X@W1, Xᵀ dZ1)", **LARGE),
    _bench("torch-large", 60 * MS, impl="torch eager", **LARGE),
    _bench("jax-large", 44 * MS, impl="jax.jit", **LARGE),
    *[_bench(f"{impl}-{n}", t, suite="N", net="two_layer", impl=impl, N=n)
      for n, lo, ve in ((100, 2 * MS, 50 * US), (200, 5 * MS, 200 * US),
                        (1000, 20 * MS, 100 * US))
      for impl, t in (("loop", lo), ("vectorized", ve))],
    *[_bench(f"{impl}-K{k}", t, suite="delta", impl=impl, K=k, N=32, peak_bytes=1024,
             jacobian_bytes=32 * k * k * 8)
      for k, jac, simp in ((10, 40 * US, 20 * US), (1000, 50 * MS, 0.1 * MS))
      for impl, t in (("jacobian", jac), ("simplified", simp))],
    _bench("f64", 50 * MS, suite="dtype", size="large", impl="float64"),
    _bench("f32", 20 * MS, suite="dtype", size="large", impl="float32"),
]
RUN = {"benchmarks": ROWS, "datetime": "test", "commit_info": {"id": "abc", "dirty": False},
       "machine_info": {"node": "test", "cpu": {"brand_raw": "test cpu", "count": 2},
                        "libraries": {"numpy": "9.9"}}}


def _text(run=RUN):
    data = copy.deepcopy(run)
    return R.render_text(data, R.load_data(data)[1])


def _line(text, label):
    return next(line for line in text.splitlines() if line.startswith("|") and label in line)


@pytest.mark.parametrize(("label", "shown", "verdict"), [
    ("reference / torch eager autograd", "0.30×", "met"),    # 60 / 200
    ("reference / its two big GEMMs", "1.20×", "**missed**"),  # 48 / 40
    ("loop / vectorized at N = 200", "25×", "**missed**"),   # 5 ms / 200 µs: measured
    ("large size (N = 4096, 784-256-10): reference / torch", "0.80×", "met"),
    ("full Jacobian / (A − Y)", "500×", "met"),              # 50 ms / 0.1 ms
])
def test_targets_come_from_the_medians(label, shown, verdict):
    line = _line(_text(), label)
    assert f"| {shown} |" in line and line.rstrip().endswith(f"| {verdict} |"), line


def test_validation_share_at_both_sizes_and_jax_without_a_target():
    text = _text()
    # 4.8 / 60 = 8.0 %, 0.24 / 48 = 0.5 %; 60 / 100 and 48 / 44
    assert "validation's share of a call 8.0% at the notes' size and 0.5% at the large" in text
    assert "reference / jax.jit 0.60× at the notes' size and 1.09× at the large size" in text
    assert "jax.jit" not in "".join(_line(text, t) for t in ("torch eager autograd",))


def test_every_time_carries_its_iqr_and_rounds():
    text = _text()
    assert "| 200 | 5 ms (IQR 625 µs, 10 rounds) | 200 µs (IQR 25 µs, 10 rounds) | 25.0× |" \
        in text
    time = r"\d[\d.]* (?:ns|µs|ms|s)\b"
    tables = [line for line in text.splitlines() if line.startswith("| ")]
    bare = [re.sub(rf"{time} \(IQR {time}, \d+ rounds\)", "", line) for line in tables]
    assert not [line for line in bare if re.search(time, line)], bare


def test_a_quick_run_is_labelled_and_judges_nothing():
    run = copy.deepcopy(RUN)
    for b in run["benchmarks"]:
        b["options"]["max_time"] = R.QUICK_MAX_TIME
    text = _text(run)
    assert "**Quick run**" in text
    assert not re.search(r"\| (met|\*\*missed\*\*) \|", text)
    assert text.count("no verdict (quick run)") == len(R.TARGETS)
    assert "**Quick run**" not in _text()


def test_a_target_the_run_did_not_measure_says_so():
    run = copy.deepcopy(RUN)
    run["benchmarks"] = [b for b in run["benchmarks"] if b["extra_info"].get("N") != 200]
    assert _line(_text(run), "at N = 200").endswith("| — | ≥ 30× | not measured in this run |")


def test_one_colour_per_implementation_in_every_plot(tmp_path):
    pytest.importorskip("matplotlib")
    figs = R.plot(R.compute(R.load_data(copy.deepcopy(RUN))[1]), tmp_path, keep_open=True)
    import matplotlib.colors as mc
    import matplotlib.pyplot as plt

    seen = {}
    for fig in figs.values():
        for ax in fig.axes:
            for line in ax.get_lines():
                label = line.get_label().split(" ")[0] if "(" in line.get_label() else \
                    line.get_label()
                seen.setdefault(label, set()).add(mc.to_hex(line.get_color()))
        plt.close(fig)
    for impl in ("loop", "vectorized", "two_layer"):
        assert seen[impl] == {R.COLOURS[impl]}, (impl, seen[impl])


# ------------------------------------------------------------------ the committed run
def test_committed_results_hold_summaries_only():
    data = json.loads((BENCH / "results.json").read_text())
    assert data["benchmarks"] and data["machine_info"] and data["commit_info"]
    assert not [b["name"] for b in data["benchmarks"] if "data" in b["stats"]]


def test_committed_report_is_the_committed_run_rendered():
    """Every character of REPORT.md, prose included, is results.json rendered: a figure
    edited by hand in either file, or a stale report after a new run, fails here."""
    data, rows = R.load(BENCH / "results.json")
    fresh = R.render_text(data, rows, R.IMAGES)
    committed = (BENCH / "REPORT.md").read_text()
    assert committed.splitlines() == fresh.splitlines()
    for name in R.IMAGES.values():
        assert (BENCH / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_benchmarks_use_only_public_names():
    private = re.compile(r"backprop_ref\._|from backprop_ref\.[a-z_.]*\._|"
                         r"from backprop_ref[a-z_.]* import _|\bimport _")
    for path in sorted(BENCH.glob("*.py")) + [ROOT / "comparisons" / "report.py",
                                              ROOT / "comparisons" / "bench.py"]:
        hits = [line for line in path.read_text().splitlines() if private.search(line)]
        assert not hits, (path.name, hits)
    assert not (BENCH / "NOTES.md").exists() and not (BENCH / "report.py").exists()


# ------------------------------------------------------------------ bench --compare
@pytest.fixture
def storage(tmp_path, monkeypatch):
    monkeypatch.setattr(bench, "storage_dir", lambda root: tmp_path)
    monkeypatch.setattr(bench.subprocess, "call", lambda *a, **k: pytest.fail("ran pytest"))
    return tmp_path


def _exit_2_one_line(capsys, **kw):
    assert bench.main(quick=True, **kw) == 2
    out, err = capsys.readouterr()
    assert not out and len(err.strip().splitlines()) == 1, err
    return err


def test_compare_with_no_earlier_run_is_one_line_and_exit_2(storage, capsys):
    err = _exit_2_one_line(capsys, compare=True)
    assert "no earlier run to compare with" in err
    assert "no saved run matches '0007'" in _exit_2_one_line(capsys, compare="0007")
    assert "no earlier run" in _exit_2_one_line(capsys, compare_fail=["median:10%"])


def test_compare_with_a_run_from_another_machine_is_one_line_and_exit_2(storage, capsys):
    from pytest_benchmark.utils import get_machine_id

    info = bench.machine_info()
    (storage / get_machine_id()).mkdir()
    here = storage / get_machine_id() / "0001_here.json"
    here.write_text(json.dumps({"machine_info": info, "benchmarks": []}))
    other = {**info, "node": "elsewhere", "cpu": {**info["cpu"], "brand_raw": "other cpu"}}
    (storage / get_machine_id() / "0002_there.json").write_text(
        json.dumps({"machine_info": other, "benchmarks": []}))
    err = _exit_2_one_line(capsys, compare=True)
    assert "0002_there.json was measured on another machine (elsewhere, other cpu)" in err
    assert bench.resolve_compare(storage, "0001") == (here, None)
