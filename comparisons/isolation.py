"""Each submission in its own process, with a time limit, its output captured.

`run_jobs` checks any number of submissions, up to ``parallel`` at a time, each in a child
process that `comparisons.submission.worker` runs:

* the child leads its own process group; when its time is up the whole group is killed
  (``SIGKILL``), children it spawned included;
* its stdin is ``/dev/null``; its stdout and stderr go to files, which the record keeps
  (the first `CAPTURE_LIMIT` characters) and which are never mixed into a report;
* the file's folder is first on ``sys.path``; its working folder is the one given (the
  grader gives each submission a fresh temporary folder, and lists what it wrote there);
* it may write files up to 64 MB (``RLIMIT_FSIZE``: past it a write fails with "File too
  large", so a print loop cannot fill the disk), runs with one BLAS thread (the grader
  runs submissions in parallel instead) and with matplotlib's ``Agg`` back-end.

Two clocks: loading the file (its imports and top-level code) may take ``import_timeout``
(default the larger of 60 s and ``timeout``), so that a submission importing torch is not
judged on the framework's start-up; the check itself may take ``timeout`` (default 60 s).

How the children start: on POSIX a *zygote*, one process (started on first use, kept for
the life of the caller) that imports NumPy and `backprop_ref` once and warms the checker
up (about 0.5 s of CPU), forks a child per submission (about 20 ms of CPU each, a fresh
interpreter costs 0.35 s); elsewhere each child is a fresh interpreter (``spawn``).  Neither
imports the user's ``__main__`` (``multiprocessing`` would).  The isolation protects the
grader from accidents (an exit, a hang, a crash, a flood of output), not from a hostile
submission: it is not a sandbox.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from .submission import is_file

DEFAULT_TIMEOUT = 60.0
MIN_IMPORT_TIMEOUT = 60.0
START_TIMEOUT = 120.0
#: characters of a submission's stdout and of its stderr kept in its record
CAPTURE_LIMIT = 20_000
_POLL = 0.05

# the child's environment: one BLAS thread (the zygote must not hold BLAS threads when it
# forks, and parallel submissions must not oversubscribe the cores), no windows
_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MPLBACKEND": "Agg", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}

_BOOT = ("import json, sys\n"
         "sys.path[:] = json.loads(sys.argv[1])\n"
         "from comparisons import submission\n"
         "submission.{entry}(*json.loads(sys.argv[2]))\n")


def _python() -> list[str]:
    # -P (3.11+): the current folder is not put in front of sys.path before the boot
    # code replaces it; the boot code sets the parent's sys.path (monkeypatched included)
    return [sys.executable] + (["-P"] if sys.version_info >= (3, 11) else [])


def _sys_path() -> list[str]:
    return [os.path.abspath(p) if p == "" else p for p in sys.path]


def _child_env() -> dict:
    return {**os.environ, **_ENV}


@dataclass
class Job:
    """One submission to check: ``module`` is a file path or a module name."""

    module: str
    function: str
    against: str
    options: dict = field(default_factory=dict)
    cwd: str | None = None              # None: the parent's; "temp": a fresh folder
    shown: str | None = None            # how messages name the file (default: module)


@dataclass
class Outcome:
    """What happened to one `Job`: the worker's record (None if the process never wrote
    one), how the process ended, and what it printed."""

    job: Job
    result: dict | None
    exit_code: int | None               # negative: killed by that signal
    timed_out: str | None               # None, "load" or "check"
    stdout: str
    stderr: str
    seconds: float
    files_written: list = field(default_factory=list)
    loaded: bool = False
    limit: float | None = None          # the time limit it ran out of


def _read_capped(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            data = fh.read(CAPTURE_LIMIT * 4 + 1)
            size = os.fstat(fh.fileno()).st_size
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    if len(text) > CAPTURE_LIMIT or size > len(data):
        text = text[:CAPTURE_LIMIT] + f"\n… (cut: {size} bytes in all)"
    return text


def _kill_group(pid: int) -> None:
    try:
        if hasattr(os, "killpg"):
            os.killpg(pid, signal.SIGKILL)
        else:                                       # pragma: no cover - Windows
            os.kill(pid, signal.SIGTERM)
    except (ProcessLookupError, PermissionError):
        pass
    except OSError:                                 # pragma: no cover
        pass


class _Run:
    """One job's child process, its files and its clocks."""

    def __init__(self, job: Job, root: str, index: int, timeout: float,
                 import_timeout: float):
        self.job, self.timeout, self.import_timeout = job, timeout, import_timeout
        self.dir = os.path.join(root, f"job{index}")
        os.mkdir(self.dir)
        self.files = {k: os.path.join(self.dir, k) for k in ("stdout", "stderr", "result",
                                                             "loaded")}
        if job.cwd == "temp":
            self.files["cwd"] = os.path.join(self.dir, "cwd")
            os.mkdir(self.files["cwd"])
        else:                              # relative paths mean what they meant here
            self.files["cwd"] = os.path.abspath(job.cwd or os.getcwd())
        self.pid: int | None = None
        self.popen: subprocess.Popen | None = None
        self.exit_code: int | None = None
        self.timed_out: str | None = None
        self.loaded_at: float | None = None
        self.started = self.deadline = 0.0

    def payload(self) -> list:
        j = self.job                     # a relative file means what it means here
        module = os.path.abspath(j.module) if is_file(j.module) else j.module
        return [{"module": module, "function": j.function, "against": j.against,
                 "options": j.options, "shown": j.shown or j.module, "sys_path": _sys_path(), "env": _child_env()},
                self.files]

    def began(self, pid: int) -> None:
        self.pid, self.started = pid, time.monotonic()
        self.deadline = self.started + self.import_timeout

    def tick(self, now: float) -> None:
        """Move to the check's clock once the file is loaded; kill the group when the
        clock runs out."""
        if self.timed_out or self.exit_code is not None:
            return
        if self.loaded_at is None and os.path.exists(self.files["loaded"]):
            self.loaded_at = now
            self.deadline = now + self.timeout
        if now >= self.deadline:
            self.timed_out = "check" if self.loaded_at is not None else "load"
            _kill_group(self.pid)

    def outcome(self) -> Outcome:
        _kill_group(self.pid)                     # whatever it left running
        result = None
        try:
            with open(self.files["result"], encoding="utf-8") as fh:
                result = json.load(fh)
        except (OSError, ValueError):
            pass
        written = []
        cwd = self.files.get("cwd")
        if cwd and self.job.cwd == "temp":
            for base, _, names in os.walk(cwd):
                written += [os.path.relpath(os.path.join(base, n), cwd) for n in names]
        return Outcome(self.job, result, self.exit_code, self.timed_out,
                       _read_capped(self.files["stdout"]), _read_capped(self.files["stderr"]),
                       time.monotonic() - self.started, sorted(written)[:50],
                       self.loaded_at is not None or os.path.exists(self.files["loaded"]),
                       {"check": self.timeout, "load": self.import_timeout}.get(
                           self.timed_out))


class _Zygote:
    """One process with NumPy and backprop_ref imported that forks a child per job; a
    process keeps one (`_acquire`) for all its runs, each job bringing the caller's
    current ``sys.path``, environment and working folder."""

    def __init__(self):
        self.log = tempfile.TemporaryFile()
        self.proc = subprocess.Popen(
            _python() + ["-c", _BOOT.format(entry="zygote"), json.dumps(_sys_path()), "[]"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.log,
            env=_child_env())
        self.buf = b""
        self.events: list[tuple[str, int, int]] = []
        line = self._line(START_TIMEOUT)
        if line != "ready":
            self.close()
            raise RuntimeError("the grader's worker did not start: " + self._log_tail())

    def alive(self) -> bool:
        return self.proc.poll() is None

    def _log_tail(self) -> str:
        self.log.flush()
        self.log.seek(0)
        text = self.log.read().decode("utf-8", "replace").strip()
        return text.splitlines()[-1] if text else "no message"

    def _line(self, timeout: float) -> str | None:
        end = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.proc.stdout], [], [], left)[0]:
                return None
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                return None
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode()

    def start(self, run: _Run) -> None:
        self.proc.stdin.write((json.dumps(run.payload()) + "\n").encode())
        self.proc.stdin.flush()
        while True:
            line = self._line(START_TIMEOUT)
            if line is None:
                raise RuntimeError("the grader's worker stopped: " + self._log_tail())
            kind, pid, *rest = line.split()
            if kind == "started":
                run.began(int(pid))
                return
            self.events.append((kind, int(pid), int(rest[0])))

    def wait(self, timeout: float) -> list[tuple[int, int]]:
        """(pid, exit code) of the children that ended, waiting up to ``timeout``."""
        if not self.events and not b"\n" in self.buf:
            ready = select.select([self.proc.stdout], [], [], max(0.0, timeout))[0]
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise RuntimeError("the grader's worker stopped: " + self._log_tail())
                self.buf += chunk
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            kind, pid, code = line.decode().split()
            self.events.append((kind, int(pid), int(code)))
        ended = [(pid, code) for kind, pid, code in self.events if kind == "exit"]
        self.events.clear()
        return ended

    def close(self) -> None:
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


class _Spawner:
    """A fresh interpreter per job (where the zygote cannot fork)."""

    def __init__(self):
        self.runs: dict[int, _Run] = {}

    def start(self, run: _Run) -> None:
        kw = {"start_new_session": True} if os.name == "posix" else {
            "creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
        # the job's own files from the start: a failure before the worker redirects them
        # (the interpreter's, the boot's) is in the record too
        with open(run.files["stdout"], "wb") as out, open(run.files["stderr"], "wb") as err:
            run.popen = subprocess.Popen(
                _python() + ["-c", _BOOT.format(entry="worker"), json.dumps(_sys_path()),
                             json.dumps(run.payload())],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=_child_env(), **kw)
        run.began(run.popen.pid)
        self.runs[run.pid] = run

    def wait(self, timeout: float) -> list[tuple[int, int]]:
        end = time.monotonic() + timeout
        while True:
            ended = [(pid, r.popen.returncode) for pid, r in list(self.runs.items())
                     if r.popen.poll() is not None]
            for pid, _ in ended:
                del self.runs[pid]
            if ended or time.monotonic() >= end:
                return ended
            time.sleep(min(0.01, max(0.0, end - time.monotonic())))

    def close(self) -> None:
        for r in self.runs.values():
            _kill_group(r.pid)
            r.popen.wait()


_SHARED: _Zygote | None = None
_SHARED_LOCK = threading.Lock()


def _acquire(mode: str | None):
    """(starter, private): the process's zygote, started once and kept (another thread
    using it gets a private one), or a spawner where the zygote cannot fork or start."""
    global _SHARED
    if (mode or ("zygote" if hasattr(os, "fork") else "spawn")) == "spawn":
        return _Spawner(), True
    if not _SHARED_LOCK.acquire(blocking=False):
        try:
            return _Zygote(), True
        except (RuntimeError, OSError):
            return _Spawner(), True
    try:
        if _SHARED is None or not _SHARED.alive():
            if _SHARED is not None:
                _SHARED.close()
            _SHARED = _Zygote()
            atexit.register(_close_shared)
        return _SHARED, False
    except (RuntimeError, OSError):
        _SHARED = None
        _SHARED_LOCK.release()
        return _Spawner(), True


def _release(starter, private: bool, broken: bool) -> None:
    global _SHARED
    if private:
        starter.close()
        return
    if broken:
        starter.close()
        _SHARED = None
    _SHARED_LOCK.release()


def _close_shared() -> None:
    global _SHARED
    if _SHARED is not None:
        _SHARED.close()
        _SHARED = None


def run_jobs(jobs: list[Job], *, timeout: float = DEFAULT_TIMEOUT,
             import_timeout: float | None = None, parallel: int | None = None,
             on_done=None, mode: str | None = None) -> list[Outcome]:
    """Check each job in its own process, up to ``parallel`` at a time (default: the
    cores this process may use); return the outcomes in the order of ``jobs``.

    ``on_done(outcome)`` is called as each one finishes (a progress bar).  ``mode``:
    ``"zygote"`` or ``"spawn"`` (default: the zygote where ``os.fork`` exists).  On
    ``KeyboardInterrupt`` every running child's group is killed before it propagates.
    """
    if not timeout > 0:
        raise ValueError(f"timeout must be positive, got {timeout}")
    import_timeout = max(MIN_IMPORT_TIMEOUT, timeout) if import_timeout is None \
        else import_timeout
    parallel = parallel or _cores()
    outcomes: list[Outcome | None] = [None] * len(jobs)
    root = tempfile.mkdtemp(prefix="backprop-ref-grade-")
    starter, private = _acquire(mode)
    running: dict[int, tuple[int, _Run]] = {}
    broken = True
    try:
        pending = list(enumerate(jobs))
        while pending or running:
            while pending and len(running) < parallel:
                i, job = pending.pop(0)
                run = _Run(job, root, i, timeout, import_timeout)
                starter.start(run)
                running[run.pid] = (i, run)
            now = time.monotonic()
            wait = min(_POLL, max(0.0, min(r.deadline for _, r in running.values()) - now))
            for pid, code in starter.wait(wait):
                if pid not in running:
                    continue
                i, run = running.pop(pid)
                run.exit_code = code
                outcomes[i] = run.outcome()
                if on_done is not None:
                    on_done(outcomes[i])
            now = time.monotonic()
            for _, run in running.values():
                run.tick(now)
        broken = False
    finally:
        for _, run in running.values():
            _kill_group(run.pid)
        _release(starter, private, broken)
        shutil.rmtree(root, ignore_errors=True)
    return outcomes


def _cores() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:                              # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


# ----------------------------------------------------------------------------- records
def _signal_name(code: int) -> str:
    try:
        name = signal.Signals(-code).name
    except ValueError:
        return f"signal {-code}"
    what = {"SIGSEGV": "segmentation fault", "SIGABRT": "abort", "SIGBUS": "bus error",
            "SIGFPE": "floating-point exception", "SIGILL": "illegal instruction",
            "SIGKILL": "killed"}
    return f"{name} ({what[name]})" if name in what else name


def describe(outcome: Outcome) -> dict:
    """The record of an outcome: the worker's (verdict, reason, report, …) or, when the
    process never wrote one, ``timeout`` or ``crash`` with the reason."""
    r = dict(outcome.result) if outcome.result is not None else None
    if r is None:
        stage = "check" if outcome.loaded else "load"
        during = "during the check" if stage == "check" else "while loading the file"
        if outcome.timed_out:
            what = "the check" if outcome.timed_out == "check" else "loading the file"
            r = {"verdict": "timeout", "stage": outcome.timed_out,
                 "reason": f"{what} took longer than {outcome.limit:g} s: stopped "
                           "(its process group killed)"}
        elif outcome.exit_code is not None and outcome.exit_code < 0:
            r = {"verdict": "crash", "stage": stage,
                 "reason": f"the process died {during}: {_signal_name(outcome.exit_code)}"}
        else:
            r = {"verdict": "crash", "stage": stage,
                 "reason": f"the process exited {during} with code {outcome.exit_code} "
                           "and no result (os._exit, or exit from another thread)"}
        r["report"] = None
    r.setdefault("not_written", [])
    r.update(exit_code=outcome.exit_code, stdout=outcome.stdout, stderr=outcome.stderr,
             files_written=outcome.files_written, seconds=round(outcome.seconds, 3))
    r["ok"] = r["verdict"] == "ok"
    return r
