"""``backprop-ref bench``: run the benchmark suites through pytest-benchmark, save the run in
its storage, optionally compare it with a saved run, and render the report.

Needs a source checkout (the suites live in ``benchmarks/`` beside the packages) and
pytest-benchmark (the ``test`` extra).

- A full run is saved by ``--benchmark-autosave`` (summary statistics only: per-round
  samples only with ``--benchmark-save-data``) into pytest-benchmark's storage,
  ``.benchmarks/`` in the checkout.
- ``--quick`` is a smoke run (fewer, shorter rounds, no target judged).  It writes only into
  a new temporary folder, wherever it is run from: the saved run, ``REPORT.md`` and the
  plots; nothing in the checkout (no ``.benchmarks/``, no ``__pycache__``).  Instead of
  pytest-benchmark's tables it prints a short summary: the report's ratios and the folder.
- ``--compare [ID|FILE]`` hands the latest saved run of this machine (or the one named) to
  ``--benchmark-compare``; ``--compare-fail EXPR`` (e.g. ``median:10%``) fails the run on a
  regression.  No saved run, a file that does not exist, or a run measured on another
  machine: one line, exit 2.  A quick run compares with the saved full runs (it reads them,
  and shows pytest-benchmark's comparison).
- A full run (no arguments for pytest) has its saved file copied to
  ``benchmarks/results.json`` and rendered into ``benchmarks/REPORT.md`` and the plots; any
  other run renders into a temporary folder and leaves the committed report alone.
- Anything after ``--`` goes to pytest as it is (``-k``, ``--benchmark-histogram``, …).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import report

PREFIX = "backprop-ref bench: error:"


def benchmarks_dir() -> Path | None:
    here = Path(__file__).resolve().parents[1] / "benchmarks"
    return here if (here / "conftest.py").exists() else None


def storage_dir(root: Path) -> Path:
    """Where full runs are saved and looked up: pytest-benchmark's ``.benchmarks/``."""
    return root / ".benchmarks"


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
        if candidate.suffix == ".json" or os.sep in str(which):
            if not candidate.is_file():
                return None, f"no such file: {which}"
            matches = [candidate]
        else:
            matches = [p for p in runs if p.name.startswith(str(which))]
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


def summary(run: Path, seconds: float, folder: Path) -> str:
    """A quick run in a few lines: how many benchmarks, the report's ratios, where it is."""
    data, rows = report.load(run)
    h = report.headline(report.compute(rows))
    lines = [f"quick run: {len(rows)} benchmark{'s' * (len(rows) != 1)} in {seconds:.0f} s "
             "(a smoke test: indicative times, no target judged)"]
    width = max(len(label) for label, _, _ in report.TARGETS.values())
    for key, (label, target, lower) in report.TARGETS.items():
        fmt = "{:.0f}×" if target >= 10 else "{:.2f}×"
        value = "—" if h.get(key) is None else fmt.format(h[key])
        lines.append(f"  {label:<{width}}  {value:>7}   (target {'≤' if lower else '≥'} "
                     f"{fmt.format(target)})")
    lines.append(f"report, plots and the saved run: {folder}")
    return "\n".join(lines)


def main(quick: bool = False, compare=None, compare_fail=None, pytest_args=()) -> int:
    folder = benchmarks_dir()
    if folder is None:
        print(f"{PREFIX} needs a source checkout (benchmarks/ not found)", file=sys.stderr)
        return 2
    try:
        import pytest_benchmark  # noqa: F401
    except ImportError:
        from ._optional import extra_hint
        print(f"{PREFIX} needs pytest-benchmark: {extra_hint('test')}", file=sys.stderr)
        return 2
    root = folder.parent
    storage = storage_dir(root)
    if compare_fail and not compare:
        compare = True
    compare_with = None
    if compare:
        compare_with, why = resolve_compare(storage, compare)
        if compare_with is None:
            print(f"{PREFIX} --compare: {why}", file=sys.stderr)
            return 2
    extra = list(pytest_args)
    if extra[:1] == ["--"]:
        extra = extra[1:]
    # a quick run, or a hand-picked one: everything in a temporary folder, not the report
    out_dir = Path(tempfile.mkdtemp(prefix="backprop-ref-bench-")) if quick or extra else folder
    save_to = out_dir / "storage" if quick else storage
    args = [sys.executable, "-m", "pytest", str(folder), "-q", "-p", "no:cacheprovider",
            # the project's addopts disable benchmarking (and may add parallel workers)
            "-o", "addopts=", "-p", "no:xdist",
            # the benchmarks use no hypothesis; its plugin costs ~1.5 s of imports per run
            "-p", "no:hypothesispytest",
            "--benchmark-enable", "--benchmark-autosave", f"--benchmark-storage={save_to}",
            "--benchmark-warmup=on", "--benchmark-sort=name"]
    if quick:
        args += [f"--benchmark-max-time={report.QUICK_MAX_TIME}",
                 f"--benchmark-min-rounds={report.QUICK_MIN_ROUNDS}"]
    else:
        args += [f"--benchmark-max-time={report.FULL_MAX_TIME}",
                 f"--benchmark-min-rounds={report.FULL_MIN_ROUNDS}"]
    if compare_with is not None:
        args.append(f"--benchmark-compare={compare_with}")
        args += [f"--benchmark-compare-fail={expr}" for expr in compare_fail or ()]
    before = set(saved_runs(save_to))
    # run from inside an xdist worker (a test), pytest-benchmark would not save the run
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST_")}
    if quick:                            # nothing written into the checkout
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    quiet = quick and compare_with is None      # a summary instead of the tables
    if quiet:
        print(f"running the benchmarks (quick) in {out_dir} …", file=sys.stderr, flush=True)
        started = time.monotonic()
        done = subprocess.run(args + extra, cwd=out_dir, capture_output=True, text=True,
                              env=env)
        code = done.returncode
        if code != 0:                    # show what pytest said: the failure is in it
            sys.stdout.write(done.stdout)
            sys.stderr.write(done.stderr)
    else:
        code = subprocess.call(args + extra, cwd=out_dir if quick else root, env=env)
    if code != 0:
        if compare_fail:        # pytest-benchmark raises PerformanceRegression, with a trace
            print(f"backprop-ref bench: the run failed (a regression under "
                  f"{', '.join(compare_fail)} is listed above)", file=sys.stderr)
        return code
    new = [p for p in saved_runs(save_to) if p not in before]
    if not new:
        print(f"{PREFIX} pytest-benchmark saved no run in {save_to}", file=sys.stderr)
        return 1
    run = new[-1]
    if out_dir == folder:
        shutil.copyfile(run, folder / "results.json")
    written = report.render(run, out_dir)
    if quiet:
        print(summary(run, time.monotonic() - started, out_dir))
        return 0
    print(f"saved {run}")
    print(f"wrote {written}")
    return 0
