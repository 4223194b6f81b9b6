"""Committed figures are records: a page that prints a measured figure is the rendering of a
committed JSON *record* of one named run, never a figure typed or pasted by hand.

A record holds a ``run`` block (:func:`run_block`): the command that made it, the date, the
seed and the machine (:func:`environment`: CPU, cores, BLAS library and the kernel it chose,
thread counts, library versions).  Its page is a pure function of the record, and the tests
check two things for each record:

1. the committed page is exactly the rendering of the committed record (a figure edited by
   hand in either fails);
2. a fresh run on the machine the tests run on reaches the same verdict in every cell as
   the record, and its figures compare with the record's by the rule below.

The rule: real figures and round-off
------------------------------------
Round-off (~1e-16 · S) changes with the CPU, the BLAS kernel and the thread count, so a
recorded figure is compared according to the verdict the record gives it:

- **round-off**: a figure the record says *agrees* (it was required to be within its bound:
  a framework or central-difference error, a float32 error, a corrected form, a literal form
  that is right after all).  A fresh run must be within its own bound; the digits are never
  compared.
- **exact**: a figure whose bound is 0 (bit-identical keys: one-hot, argmax, relu masks).
  It stays exactly 0.
- **real**: a figure the record says *disagrees* (a derivation expected to disagree, an
  erratum's literal form, the other reading of E4).  The verdict itself required it to
  exceed the disagreement threshold ``1e-6 · S`` (``comparisons.agreement.TOLERANCES``),
  ten orders of magnitude above round-off, so another machine moves it by ~1e-16 relative:
  it must agree to the digits printed (:func:`printed`).  So must a ratio derived from such
  figures (E5's ×200).
- **bounds** (``1e-12 · S`` …) are real: ``S`` is a magnitude of the data.  They agree
  within :data:`BOUND_RTOL`, relative.

A record from another machine or library version is therefore not an error: the tests say
which machine it came from (:func:`describe`) and compare verdicts and bounds.  A record that
is missing or unreadable raises :class:`RecordError`, one line that says how to regenerate it.

Thread counts are part of the machine: ``OMP_NUM_THREADS=1`` puts OpenBLAS and torch on one
thread (the record then says ``blas threads`` 1, ``torch threads`` 1; `comparisons.backends`
evaluates every torch twin on one intra-op thread anyway); XLA's CPU client does not read
it (``XLA_FLAGS=--xla_cpu_multi_thread_eigen=false`` does).

Regenerate every record and its pages on this machine, with one command, from a checkout::

    python -m comparisons.records            # or name some: python -m comparisons.records verify

which writes each record of :data:`RECORDS` and renders its pages: ``docs/verify.json`` →
``docs/VERIFY.md``; ``docs/errata.json`` → ``docs/errata.md``;
``docs/check-your-backprop.json`` → ``docs/check-your-backprop.md`` (the checker's
tutorial); ``docs/exercises.json`` → ``docs/exercises.md`` (the exercises and the grader).
"""

from __future__ import annotations

import ctypes
import datetime
import glob
import importlib.metadata
import json
import math
import os
import platform
import sys
from pathlib import Path

__all__ = ["environment", "run_block", "describe", "differences", "provenance", "load",
           "write", "for_test", "RecordError", "OtherMachine", "printed", "same_printed", "same_bound",
           "REGENERATE", "RECORDS", "BOUND_RTOL", "ROOT", "main"]

ROOT = Path(__file__).resolve().parents[1]

#: the one command that regenerates every committed record and its pages
REGENERATE = "python -m comparisons.records"

#: every committed record, by kind: where its ``regenerate(root) -> (paths written, ok)``
#: lives (a module, or a script of the checkout's ``examples/`` folder: the pages whose
#: figures are runs of the examples).  In this order: the checker's runs load no framework,
#: and their records say so only when they are made before verify loads torch
RECORDS = {"checker": "examples/check_page.py", "exercises": "examples/exercise_page.py",
           "verify": "comparisons.verify", "errata": "comparisons.errata"}

#: bounds are real figures (a magnitude of the data times a tolerance): they agree within this
BOUND_RTOL = 1e-9

#: environment variables that change the BLAS kernel or the thread counts
SETTINGS = ("OPENBLAS_CORETYPE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
            "XLA_FLAGS")

#: the libraries a record names, when installed (versions only: nothing is imported for this)
LIBRARIES = ("numpy", "torch", "jax", "jaxlib", "sympy")


class OtherMachine(UserWarning):
    """A committed record was measured on another machine, BLAS kernel, thread count or
    library version: its verdicts, bounds and real figures are compared, its round-off
    figures only against their bounds.  Not an error."""


class RecordError(ValueError):
    """A committed record is missing or unreadable; the message is one line that says how
    to regenerate it."""


# ------------------------------------------------------------------------ the machine
def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def _openblas():
    """The OpenBLAS library NumPy loaded (ctypes), or None: the shared objects mapped into
    this process (Linux), else the ones NumPy's wheel ships beside it."""
    import numpy

    paths = []
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = [ln.split()[-1] for ln in fh if "openblas" in ln.lower() and "/" in ln]
    except OSError:
        pass
    here = Path(numpy.__file__).parent
    paths += glob.glob(str(here.parent / "numpy.libs" / "*openblas*")) + glob.glob(
        str(here / ".dylibs" / "*openblas*"))
    for path in dict.fromkeys(paths):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _openblas_call(lib, name: str, restype):
    for prefix in ("", "scipy_"):
        for suffix in ("", "64_", "_64"):
            fn = getattr(lib, f"{prefix}openblas_{name}{suffix}", None)
            if fn is not None:
                fn.restype = restype
                return fn()
    return None


def _blas() -> dict:
    """NumPy's BLAS: library and version from its build, and from the library itself (when
    it is OpenBLAS) the kernel it chose for this CPU (``OPENBLAS_CORETYPE`` overrides it)
    and its thread count."""
    import numpy

    out = {"blas": "unknown", "blas kernel": "unknown", "blas threads": None}
    try:
        blas = numpy.show_config(mode="dicts")["Build Dependencies"]["blas"]
        out["blas"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - a description, best effort (old NumPy)
        pass
    lib = _openblas() if "blas" in out["blas"].lower() else None
    if lib is not None:
        core = _openblas_call(lib, "get_corename", ctypes.c_char_p)
        threads = _openblas_call(lib, "get_num_threads", ctypes.c_int)
        out["blas kernel"] = core.decode() if core else "unknown"
        out["blas threads"] = threads
    return out


def _version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment() -> dict:
    """The machine a run is measured on, as a flat dict of strings and numbers.

    ``cpu``, ``cores``, ``machine``, ``system``, ``python``; NumPy's ``blas`` library, the
    ``blas kernel`` it runs (OpenBLAS picks one per CPU: ``SkylakeX``, ``Haswell``, …) and
    its ``blas threads``; ``torch threads`` (torch's intra-op thread count, when the run
    loaded torch; `comparisons.backends` evaluates each autograd twin on one); the version of each library of :data:`LIBRARIES` (None when it is not
    installed); ``settings``: the variables of :data:`SETTINGS` that are set.  Nothing is
    imported for this but NumPy.
    """
    env = {"host": platform.node(), "cpu": _cpu_model(), "cores": os.cpu_count(),
           "machine": platform.machine(), "system": f"{platform.system()} {platform.release()}",
           "python": platform.python_version()}
    env.update(_blas())
    torch = sys.modules.get("torch")
    env["torch threads"] = torch.get_num_threads() if torch is not None else None
    env.update({name: _version(name) for name in LIBRARIES})
    env["settings"] = {k: os.environ[k] for k in SETTINGS if k in os.environ}
    return env


def run_block(command: str, seed: int | None = None) -> dict:
    """The ``run`` block of a record: ``command``, ``date`` (UTC), ``seed``, ``environment``."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return {"command": command, "date": now.strftime("%Y-%m-%d %H:%M UTC"), "seed": seed,
            "environment": environment()}


def describe(env: dict) -> str:
    """One line naming the machine of an environment (a record's or :func:`environment`)."""
    threads = env.get("blas threads")
    libs = ", ".join(f"{k} {env[k]}" for k in LIBRARIES if env.get(k))
    settings = ", ".join(f"{k}={v}" for k, v in (env.get("settings") or {}).items())
    torch = env.get("torch threads")
    return (f"{env.get('cpu', '?')} ({env.get('cores', '?')} cores, {env.get('machine', '?')}, "
            f"{env.get('system', '?')}); BLAS {env.get('blas', '?')}, kernel "
            f"{env.get('blas kernel', '?')}" + (f", {threads} threads" if threads else "")
            + (f"; torch intra-op threads {torch}" if torch else "") + f"; python {env.get('python')}, "
            + libs + (f"; {settings}" if settings else ""))


def differences(recorded: dict, current: dict) -> list[str]:
    """What differs between two environments that can change round-off (``name: a → b``).
    A thread count the record does not hold (its run never loaded torch) cannot differ."""
    keys = ("cpu", "cores", "machine", "blas", "blas kernel", "blas threads", "torch threads",
            *LIBRARIES)
    return [f"{k}: {recorded.get(k)} → {current.get(k)}" for k in keys
            if recorded.get(k) != current.get(k)
            and not (k.endswith("threads") and recorded.get(k) is None)]


def provenance(name: str, rec: dict, current: dict | None = None) -> str:
    """``NAME was recorded by `COMMAND` on DATE on MACHINE``; when this machine differs in
    anything that moves round-off, also warns :class:`OtherMachine` naming the differences
    (pytest shows it in its warnings summary)."""
    import warnings

    run = rec["run"]
    text = (f"{name} was recorded by `{run['command']}` on {run['date']} on "
            f"{describe(run['environment'])}")
    changed = differences(run["environment"], current or environment())
    if changed:
        warnings.warn(OtherMachine(f"{text}; this machine differs ({'; '.join(changed)}): "
                                   "verdicts, bounds and real figures compared, round-off "
                                   "only against its bound"), stacklevel=2)
    return text


# ------------------------------------------------------------------------ reading records
def load(path: Path, kind: str) -> dict:
    """The record at ``path``, checked to be a record of ``kind`` (``"verify"``, ``"errata"``).

    Raises :class:`RecordError` (one line, naming :data:`REGENERATE`) when the file is
    missing, is not JSON, or is not such a record.
    """
    path = Path(path)
    name = _name(path)
    again = f"regenerate it with `{REGENERATE} {kind}`"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordError(f"{name} is missing: {again}") from None
    except (OSError, ValueError) as exc:
        why = " ".join(str(exc).split())
        raise RecordError(f"{name} is unreadable ({type(exc).__name__}: {why}): {again}") \
            from None
    if not isinstance(data, dict) or data.get("record") != kind or not isinstance(
            data.get("run"), dict) or "environment" not in data["run"]:
        raise RecordError(f"{name} is not a {kind} record (no 'record': {kind!r} and 'run' "
                          f"block): {again}")
    return data


def _name(path: Path):
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def for_test(path: Path, kind: str, *, skip_to: str | None = None) -> dict:
    """:func:`load` inside a test: a missing or unreadable record fails the test with the one
    line of :class:`RecordError`, or, with ``skip_to`` (the test that fails for it), skips."""
    import pytest

    try:
        return load(path, kind)
    except RecordError as exc:
        if skip_to:
            pytest.skip(f"no readable {_name(Path(path))}: see {skip_to}")
        pytest.fail(str(exc), pytrace=False)


def write(path: Path, data: dict) -> None:
    Path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                          encoding="utf-8")


# ------------------------------------------------------------------------ comparing figures
def printed(x: float | None) -> str:
    """A figure as every page prints it: two significant digits."""
    return "—" if x is None else f"{x:.1e}"


def same_printed(a: float | None, b: float | None) -> bool:
    """Two real figures agree to the digits printed."""
    return printed(a) == printed(b)


def same_bound(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=BOUND_RTOL, abs_tol=0.0)


# ------------------------------------------------------------------------ regenerate
def _regenerator(kind: str):
    """The ``regenerate`` function of a record of :data:`RECORDS`."""
    import importlib
    import importlib.util

    where = RECORDS[kind]
    if not where.endswith(".py"):
        return importlib.import_module(where).regenerate
    path = ROOT / where
    if str(path.parent) not in sys.path:          # the script imports its neighbours
        sys.path.insert(0, str(path.parent))
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module.regenerate


def main(argv=None) -> int:
    """``python -m comparisons.records [KIND ...]``: measure on this machine, write each
    record of :data:`RECORDS` and render its pages (every one when none is named)."""
    names = list(argv if argv is not None else sys.argv[1:]) or list(RECORDS)
    unknown = [n for n in names if n not in RECORDS]
    if unknown:
        kinds = list(RECORDS)
        print(f"python -m comparisons.records: error: unknown record {unknown[0]!r}; "
              f"expected {', '.join(kinds[:-1])} or {kinds[-1]}", file=sys.stderr)
        return 2
    if not (ROOT / "docs").is_dir() or not (ROOT / "examples").is_dir():
        print("python -m comparisons.records: error: needs a source checkout (docs/ and "
              "examples/ not found)", file=sys.stderr)
        return 2
    ok = True
    for name in names:
        written, good = _regenerator(name)(ROOT)
        ok &= good
        for path in written:
            print(f"wrote {path.relative_to(ROOT)}")
    if not ok:
        print("some checks failed: see the pages written", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
