"""``backprop-ref bench``: run the benchmark suites through pytest-benchmark, save the run in
its storage, optionally compare it with a saved run, and render the report.

Needs a source checkout (the suites live in ``benchmarks/`` beside the packages).

- Every run is saved by ``--benchmark-autosave`` (summary statistics only: per-round samples
  only with ``--benchmark-save-data``) into pytest-benchmark's storage, ``.benchmarks/`` in
  the checkout; quick runs into ``.benchmarks/quick/``, so that they are compared only with
  each other.
- ``--compare [ID|FILE]`` hands the latest saved run of this machine (or the one named) to
  ``--benchmark-compare``; ``--compare-fail EXPR`` (e.g. ``median:10%``) fails the run on a
  regression.  No saved run, or one measured on another machine: one line, exit 2.
- A full run (no arguments for pytest) has its saved file copied to
  ``benchmarks/results.json`` and rendered into ``benchmarks/REPORT.md`` and the plots; any
  other run renders into a temporary folder and leaves the committed report alone.
- Anything after ``--`` goes to pytest as it is (``-k``, ``--benchmark-histogram``, …).
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import report

PREFIX = "backprop-ref bench: error:"


def benchmarks_dir() -> Path | None:
    here = Path(__file__).resolve().parents[1] / "benchmarks"
    return here if (here / "conftest.py").exists() else None


def storage_dir(root: Path, quick: bool) -> Path:
    return root / ".benchmarks" / ("quick" if quick else "")


def saved_runs(storage: Path) -> list[Path]:
    """The runs saved in ``storage`` for this platform, oldest first."""
    from pytest_benchmark.utils import get_machine_id

    return sorted((storage / get_machine_id()).glob("[0-9][0-9][0-9][0-9]_*.json"))


def machine_of(machine_info: dict) -> tuple:
    """What makes two runs comparable: the same host, CPU and core count, OS and Python."""
    cpu = machine_info.get("cpu", {})
    return (machine_info.get("node"), cpu.get("brand_raw"), cpu.get("count"),
            machine_info.get("system"), machine_info.get("machine"),
            machine_info.get("python_implementation"), machine_info.get("python_version"))


@functools.cache
def machine_info() -> dict:
    """pytest-benchmark's description of this machine (py-cpuinfo is slow: once)."""
    from pytest_benchmark.plugin import pytest_benchmark_generate_machine_info

    return pytest_benchmark_generate_machine_info()


def this_machine() -> tuple:
    return machine_of(machine_info())


def resolve_compare(storage: Path, which) -> tuple[Path | None, str | None]:
    """``(file, None)`` for the run to compare with, or ``(None, reason)``."""
    runs = saved_runs(storage)
    if which is True:
        if not runs:
            return None, f"no earlier run to compare with in {storage}"
        path = runs[-1]
    else:
        candidate = Path(which)
        matches = [candidate] if candidate.is_file() else [
            p for p in runs if p.name.startswith(str(which))]
        if not matches:
            return None, f"no saved run matches {which!r} in {storage}"
        path = matches[-1]
    try:
        saved = json.loads(path.read_text())["machine_info"]
    except (OSError, ValueError, KeyError) as exc:
        return None, f"cannot read the saved run {path}: {exc}"
    if machine_of(saved) != this_machine():
        return None, (f"the saved run {path.name} was measured on another machine "
                      f"({saved.get('node')}, {saved.get('cpu', {}).get('brand_raw')}); "
                      "timings compare only on the same one")
    return path, None


def main(quick: bool = False, compare=None, compare_fail=None, pytest_args=()) -> int:
    folder = benchmarks_dir()
    if folder is None:
        print(f"{PREFIX} needs a source checkout (benchmarks/ not found)", file=sys.stderr)
        return 2
    root = folder.parent
    storage = storage_dir(root, quick)
    if compare_fail and not compare:
        compare = True
    args = [sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider",
            # the project's addopts disable benchmarking (and may add parallel workers)
            "-o", "addopts=", "-p", "no:xdist",
            "--benchmark-enable", "--benchmark-autosave", f"--benchmark-storage={storage}",
            "--benchmark-warmup=on", "--benchmark-sort=name"]
    if quick:
        args += [f"--benchmark-max-time={report.QUICK_MAX_TIME}",
                 f"--benchmark-min-rounds={report.QUICK_MIN_ROUNDS}"]
    else:
        args += [f"--benchmark-max-time={report.FULL_MAX_TIME}",
                 f"--benchmark-min-rounds={report.FULL_MIN_ROUNDS}"]
    if compare:
        path, why = resolve_compare(storage, compare)
        if path is None:
            print(f"{PREFIX} --compare: {why}", file=sys.stderr)
            return 2
        args.append(f"--benchmark-compare={path}")
        args += [f"--benchmark-compare-fail={expr}" for expr in compare_fail or ()]
    extra = list(pytest_args)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    before = set(saved_runs(storage))
    code = subprocess.call(args + extra, cwd=root)
    if code != 0:
        if compare_fail:        # pytest-benchmark raises PerformanceRegression, with a trace
            print(f"backprop-ref bench: the run failed (a regression under "
                  f"{', '.join(compare_fail)} is listed above)", file=sys.stderr)
        return code
    new = [p for p in saved_runs(storage) if p not in before]
    if not new:
        print(f"{PREFIX} pytest-benchmark saved no run in {storage}", file=sys.stderr)
        return 1
    run = new[-1]
    if quick or extra:      # a smoke run or a hand-picked one: not the committed report
        out_dir = Path(tempfile.mkdtemp(prefix="backprop-ref-bench-"))
    else:
        out_dir = folder
        shutil.copyfile(run, folder / "results.json")
    print(f"saved {run}")
    print(f"wrote {report.render(run, out_dir)}")
    return 0
