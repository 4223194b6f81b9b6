"""One submission, inside its own worker process: load it, check it, say what happened.

This is the part of the grader that runs *in the child process* (`comparisons.isolation`
starts it): it loads the user's file with the file's folder first on ``sys.path``, finds
the function, runs `backprop_ref.testing.check` on it and turns whatever happened into one
JSON-able record.  ``SystemExit``, ``KeyboardInterrupt``, an import error and a function
still made of ``...`` placeholders (an untouched exercise) each become a record, never a
traceback; a hang or a crash of the process is recorded by the parent.

The worker imports NumPy and `backprop_ref` only (no framework), so that it starts fast;
this module itself imports the standard library alone at the top.  `load_function` and
`check_function` also work in-process, where isolation is not needed (the exercise tests).
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import inspect
import json
import os
import sys
import textwrap
import time

#: the verdicts of a record, in the order a table lists them
VERDICTS = ("ok", "slip", "not written", "error", "timeout", "crash")

#: the largest file the checked code may write (its stdout and stderr included): SIGXFSZ
OUTPUT_LIMIT = 64 * 1024 * 1024


class LoadError(ValueError):
    """The submission cannot be loaded: one line that says why."""


class _NotWrittenYet(Exception):
    """Raised by the placeholder guard so that `check` records the call and moves on."""


# ----------------------------------------------------------------------------- loading
def split_target(target: str) -> tuple[str, str]:
    """``"FILE.py:FUNCTION"`` or ``"MODULE:FUNCTION"`` -> (file or module, function)."""
    module_name, sep, func_name = target.rpartition(":")
    if not sep or not module_name or not func_name:
        raise LoadError(f"{target!r} is not MODULE_OR_FILE:FUNCTION "
                        "(e.g. examples/two_layer_student.py:correct)")
    return module_name, func_name


def is_file(module_name: str) -> bool:
    """Whether the left part of a target names a file (it ends in .py or has a slash)."""
    return module_name.endswith(".py") or os.path.sep in module_name or "/" in module_name


def load_function(module_name: str, func_name: str, shown: str | None = None):
    """Import a file (its folder first on ``sys.path``, so that it can import its
    neighbours) or a module, and return ``module.func_name`` (dotted names reach into a
    class: ``Net.loss``): a function, or whatever else `backprop_ref.testing.check` may
    take (a CS231n-style or Nielsen-style class or object, ``net = TwoLayerNet(...)``),
    which the checker adapts or refuses with the call it makes.  Whatever the import
    raises, ``SystemExit`` and ``KeyboardInterrupt`` included, becomes a one-line
    `LoadError` that names the file as ``shown`` (default: as given)."""
    shown = shown or module_name
    try:
        if is_file(module_name):
            if not os.path.isfile(module_name):
                raise LoadError(f"cannot import {shown}: no such file")
            folder = os.path.dirname(os.path.abspath(module_name))
            if folder in sys.path:
                sys.path.remove(folder)
            sys.path.insert(0, folder)
            name = os.path.splitext(os.path.basename(module_name))[0]
            spec = importlib.util.spec_from_file_location(name, module_name)
            module = importlib.util.module_from_spec(spec)
            sys.modules.setdefault(name, module)
            spec.loader.exec_module(module)
        else:
            module = importlib.import_module(module_name)
    except LoadError:
        raise
    except BaseException as exc:          # noqa: BLE001  (SyntaxError, SystemExit, …)
        raise LoadError(f"cannot import {shown}: {_one_line(exc)}") from None
    fn = module
    for part in func_name.split("."):
        if not hasattr(fn, part):
            raise LoadError(f"{shown} has no function {func_name!r}")
        fn = getattr(fn, part)
    return fn


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if isinstance(exc, SyntaxError) and exc.lineno and f"line {exc.lineno}" not in text:
        text += f" (line {exc.lineno})"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


# ----------------------------------------------------------------------------- placeholders
def placeholders(fn) -> list[tuple[str, int]]:
    """The lines of ``fn``'s source still written ``name = ...``: (name, line number), in
    the order of the file.  An exercise's skeleton is made of them."""
    target = inspect.unwrap(fn)
    if not (inspect.isfunction(target) or inspect.ismethod(target)):
        target = getattr(type(target), "__call__", target)
    try:
        lines, first = inspect.getsourcelines(target)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            pairs = [(t, node.value) for t in node.targets]
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            pairs = [(node.target, node.value)]
        else:
            continue
        while pairs:
            t, value = pairs.pop(0)
            if isinstance(t, ast.Tuple) and isinstance(value, ast.Tuple) \
                    and len(t.elts) == len(value.elts):        # dX, dW = ..., ...
                pairs += zip(t.elts, value.elts)
            elif isinstance(value, ast.Constant) and value.value is Ellipsis:
                found.append((ast.unparse(t), first + node.lineno - 1))
    return sorted(found, key=lambda p: p[1])


def _holds_ellipsis(x, depth: int = 0) -> bool:
    if x is Ellipsis:
        return True
    if depth > 3:
        return False
    if isinstance(x, dict):
        return any(_holds_ellipsis(v, depth + 1) for v in x.values())
    if isinstance(x, (tuple, list)):
        return any(_holds_ellipsis(v, depth + 1) for v in x)
    if getattr(getattr(x, "dtype", None), "kind", None) == "O":      # an object array
        return any(v is Ellipsis for v in x.flat)
    return False


def _guarded(fn, seen: list):
    """``fn``, with the same signature, raising `_NotWrittenYet` when it returns a ``...``
    placeholder or fails on one (``'ellipsis' object has no attribute 'sum'``)."""
    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        try:
            out = fn(*args, **kwargs)
        except Exception as exc:
            if "'ellipsis'" in str(exc):
                seen.append(_one_line(exc))
                raise _NotWrittenYet(str(exc)) from None
            raise
        if _holds_ellipsis(out):
            seen.append("returned ...")
            raise _NotWrittenYet("the result holds a ... placeholder")
        return out
    return guarded


def not_written_message(names: list[tuple[str, int]]) -> str:
    """``not written yet: dZ2, dW2, …`` (a name written twice gets its line numbers)."""
    if not names:
        return "not written yet: the function returns a ... placeholder"
    counts: dict[str, int] = {}
    for n, _ in names:
        counts[n] = counts.get(n, 0) + 1
    shown = [f"{n} (line {line})" if counts[n] > 1 else n for n, line in names]
    return "not written yet: " + ", ".join(shown)


# ----------------------------------------------------------------------------- checking
def first_diagnosis(report: dict) -> str | None:
    """A report's first diagnosis as the report prints it (``dW1: [wrong_layer E7] …``)."""
    if not report.get("diagnoses"):
        return None
    d = report["diagnoses"][0]
    tag = f"{d['kind']} {d['erratum']}" if d.get("erratum") else d["kind"]
    return f"{d['output']}: [{tag}] {d['message']}"


def verdict_of(report: dict) -> tuple[str, str | None]:
    """(verdict, reason) of a `CheckReport.to_dict`: ``ok``; ``slip`` and the first
    diagnosis; ``error`` and the error (it raised, or returned something unreadable)."""
    if report.get("ok"):
        return "ok", None
    if report.get("diagnoses"):
        return "slip", first_diagnosis(report)
    if report.get("error"):
        return "error", report["error"]
    bad = [r for r in report.get("rows", []) if not r.get("ok")]
    return "slip", (f"{bad[0]['output']} differs from the reference" if bad
                    else "the checker did not accept it")


def check_function(fn, against: str, options: dict) -> dict:
    """Check ``fn`` against ``against`` (``testing.check`` with ``options``), in this
    process; a function still made of ``...`` placeholders is ``not written``.

    Returns ``{"verdict", "reason", "report", "text", "not_written"}``: ``report`` is
    `CheckReport.to_dict`, ``text`` the report as ``backprop-ref check`` prints it.
    """
    from backprop_ref import testing

    seen: list = []
    # a plain function is guarded; a class, an object or a bound method goes to the checker
    # as it is (its adapters and hints need them whole), and exercises are functions
    checked = _guarded(fn, seen) if inspect.isfunction(fn) else fn
    report = testing.check(checked, against, **options)
    data = report.to_dict()
    if seen:
        names = placeholders(fn)
        reason = not_written_message(names)
        head = str(report).splitlines()[0]
        return {"verdict": "not written", "reason": reason, "report": None,
                "not_written": [n for n, _ in names],
                "text": f"{head}\n{reason} (replace each ... with its formula)\n"
                        "result: FAIL, not written yet"}
    verdict, reason = verdict_of(data)
    return {"verdict": verdict, "reason": reason, "report": data, "text": str(report),
            "not_written": [], "raised": bool(data.get("raised"))}


def run_job(job: dict, on_loaded=lambda: None) -> dict:
    """Load and check one submission; every way it can fail is a record.

    ``job``: ``{"module", "function", "against", "options", "shown"?}``.  ``on_loaded`` is called
    between the import and the check (the parent starts the check's clock there).
    """
    start = time.perf_counter()
    try:
        fn = load_function(job["module"], job["function"], job.get("shown"))
    except LoadError as exc:
        return {"verdict": "error", "stage": "load", "reason": str(exc), "report": None,
                "seconds": time.perf_counter() - start}
    on_loaded()
    start = time.perf_counter()
    try:
        out = check_function(fn, job["against"], job.get("options", {}))
    except SystemExit as exc:           # the checker reports an exit itself: a backstop
        out = {"verdict": "error", "raised": True,
               "reason": f"called sys.exit({'' if exc.code is None else repr(exc.code)}) "
                         "inside the function (SystemExit): the check cannot finish"}
    except KeyboardInterrupt:
        # the checker passes Ctrl-C on; here no Ctrl-C reaches the submission (its process
        # leads its own session), so the function raised it
        out = {"verdict": "error", "raised": True,
               "reason": "raised KeyboardInterrupt inside the function"}
    except (TypeError, ValueError) as exc:
        # the checker refuses what it was given (an object it cannot call or adapt, a
        # convention the target has no use for): the function's own exceptions never
        # escape check
        return {"verdict": "error", "stage": "arguments", "reason": " ".join(str(exc).split()),
                "report": None, "seconds": time.perf_counter() - start}
    except BaseException as exc:                       # noqa: BLE001
        out = {"verdict": "error", "raised": True,
               "reason": f"the check stopped on what the function did: {_one_line(exc)}"}
    out.setdefault("report", None)
    return {**out, "stage": "check", "seconds": time.perf_counter() - start}


# ----------------------------------------------------------------------------- the worker
def worker(job: dict, files: dict) -> None:
    """The child process's body: redirect stdin/stdout/stderr, become the leader of a new
    process group (the parent kills the group on a timeout), limit the size of the files it
    writes, run the job and write its record, then leave with ``os._exit`` (no atexit
    handler or leftover thread of the submission can hold the process).

    ``files``: ``{"stdout", "stderr", "result", "loaded", "cwd"}`` paths.
    """
    try:
        os.setsid()
    except (AttributeError, OSError):     # not POSIX, or already a session's leader
        pass
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    for fd, key in ((1, "stdout"), (2, "stderr")):
        out = os.open(files[key], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(out, fd)
        os.close(out)
    sys.stdin = open(0, closefd=False)                      # noqa: SIM115
    sys.stdout = open(1, "w", encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                      closefd=False, buffering=1)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace",  # noqa: SIM115
                      closefd=False, buffering=1)
    try:
        import faulthandler
        faulthandler.enable()             # a segfault leaves its Python stack in stderr
        import resource
        hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
        if hard == resource.RLIM_INFINITY or hard > OUTPUT_LIMIT:
            resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_LIMIT, hard))
    except (ImportError, ValueError, OSError):             # not POSIX
        pass
    if "sys_path" in job:                 # the caller's, at the time of the job
        sys.path[:] = job["sys_path"]
    if "env" in job:
        os.environ.clear()
        os.environ.update(job["env"])
    if files.get("cwd"):
        os.chdir(files["cwd"])
    sys.dont_write_bytecode = True        # no __pycache__ in the students' folders
    sys.argv = [job["module"]]

    def loaded():
        with open(files["loaded"], "w"):
            pass

    record = run_job(job, loaded)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:                                   # noqa: BLE001
            pass
    tmp = files["result"] + ".tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        json.dump(record, fh, default=str)
    os.replace(tmp, files["result"])
    os._exit(0)


def _warm_up() -> None:
    """Run the checker once on a right and a wrong network, so that what it loads or
    builds on a first call is done once here rather than in every forked child."""
    import numpy as np

    from backprop_ref import testing, two_layer

    def wrong(params, X, y, reg=0.0):
        res = two_layer.loss_and_grads(params, X, y, reg)
        return res.loss, {k: -v for k, v in res.grads.items()}

    with np.errstate(all="ignore"):
        for fn in (two_layer.loss_and_grads, wrong):
            testing.check(fn, "D17")


def zygote() -> None:
    """A fork server for `comparisons.isolation`: import NumPy and backprop_ref once, then
    for each job read from stdin (one JSON line) fork a child that runs `worker`.

    Speaks on stdout: ``ready`` once, ``started PID`` per job, ``exit PID CODE`` when a
    child ends (CODE negative: the signal that killed it).  Ends when stdin closes.  It
    ignores Ctrl-C (the parent, which knows the children, cleans up); it holds no thread
    when it forks (its environment gives BLAS one thread).
    """
    import select
    import signal

    _warm_up()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w, warn_on_full_buffer=False)
    os.write(1, b"ready\n")
    buf, children = b"", set()
    while True:
        ready = select.select([0, wake_r], [], [])[0]
        if wake_r in ready:
            while True:
                try:
                    if not os.read(wake_r, 4096):
                        break
                except BlockingIOError:
                    break
        while children:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            children.discard(pid)
            os.write(1, f"exit {pid} {os.waitstatus_to_exitcode(status)}\n".encode())
        if 0 not in ready:
            continue
        data = os.read(0, 65536)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            job, files = json.loads(line)
            pid = os.fork()
            if pid == 0:
                try:
                    signal.set_wakeup_fd(-1)
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    signal.signal(signal.SIGINT, signal.SIG_DFL)
                    os.close(wake_r)
                    os.close(wake_w)
                    worker(job, files)
                finally:
                    os._exit(70)
            children.add(pid)
            os.write(1, f"started {pid}\n".encode())
