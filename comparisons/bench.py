"""``backprop-ref bench``: run the benchmark suites and render ``benchmarks/REPORT.md``.

Needs a source checkout (the suites live in ``benchmarks/`` beside the packages).
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path


def benchmarks_dir() -> Path | None:
    here = Path(__file__).resolve().parents[1] / "benchmarks"
    return here if (here / "report.py").exists() else None


def main(quick: bool = False) -> int:
    folder = benchmarks_dir()
    if folder is None:
        print("backprop-ref bench: error: needs a source checkout (benchmarks/ not found)",
              file=sys.stderr)
        return 2
    # The full run keeps its raw pytest-benchmark JSON beside the report, so that every
    # figure in REPORT.md can be traced to the statistics it came from; --quick does not
    # overwrite it.
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "bench.json" if quick else folder / "results.json"
        args = [sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider",
                "--benchmark-enable", f"--benchmark-json={out}", "--benchmark-warmup=on",
                "--benchmark-sort=name"]
        args += ["--benchmark-max-time=0.05", "--benchmark-min-rounds=3"] if quick else [
            "--benchmark-max-time=0.5", "--benchmark-min-rounds=5"]
        code = subprocess.call(args, cwd=folder.parent)
        if code != 0:
            return code
        spec = importlib.util.spec_from_file_location("benchmark_report", folder / "report.py")
        report = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(report)
        print(f"wrote {report.render(out, folder)}")
    return 0
