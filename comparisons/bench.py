"""``backprop-ref bench``: run the benchmark suites and render ``benchmarks/REPORT.md``.

Needs a source checkout (the suites live in ``benchmarks/`` beside the packages).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tempfile
from pathlib import Path


def benchmarks_dir() -> Path | None:
    here = Path(__file__).resolve().parents[1] / "benchmarks"
    return here if (here / "report.py").exists() else None


def drop_samples(path: Path) -> None:
    """Keep each benchmark's summary statistics, drop its per-round samples.

    pytest-benchmark writes every round's time (``stats.data``): ~19 MB for one full run,
    which has no place in the repository.  The report reads the summaries only.
    """
    data = json.loads(path.read_text())
    for b in data["benchmarks"]:
        b["stats"].pop("data", None)
    path.write_text(json.dumps(data, indent=1) + "\n")


def main(quick: bool = False) -> int:
    folder = benchmarks_dir()
    if folder is None:
        print("backprop-ref bench: error: needs a source checkout (benchmarks/ not found)",
              file=sys.stderr)
        return 2
    # The full run writes its summary JSON, REPORT.md and the plots into benchmarks/, so
    # that every figure in the report can be traced to the run it came from (a test checks
    # that they match).  --quick is a smoke run: its files go to a fresh temporary folder
    # and the committed report is left alone.
    out_dir = Path(tempfile.mkdtemp(prefix="backprop-ref-bench-")) if quick else folder
    out = out_dir / "results.json"
    args = [sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider",
            "--benchmark-enable", f"--benchmark-json={out}", "--benchmark-warmup=on",
            "--benchmark-sort=name"]
    args += ["--benchmark-max-time=0.05", "--benchmark-min-rounds=3"] if quick else [
        "--benchmark-max-time=0.5", "--benchmark-min-rounds=5"]
    code = subprocess.call(args, cwd=folder.parent)
    if code != 0:
        return code
    drop_samples(out)
    spec = importlib.util.spec_from_file_location("benchmark_report", folder / "report.py")
    report = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report)
    print(f"wrote {report.render(out, out_dir)}")
    return 0
