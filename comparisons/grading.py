"""Grade a class: every submission checked in its own process, one record each.

    >>> from comparisons.grading import find_submissions, grade
    >>> records = grade(find_submissions(["submissions/"]), function="loss_and_grads",
    ...                 against="D17", timeout=60)
    >>> [(r.submission, r.verdict, r.reason) for r in records]

The command line is ``backprop-ref grade PATH... --function NAME --against ID``; this module
also renders its table, its JSON lines, its CSV and Gradescope's ``results.json``, and
validates that file against Gradescope's documented format (`validate_gradescope`).

NumPy-only like the checker (the frameworks are never imported): it lives in
``comparisons`` because it is the command line's, and because `grade` is what a teacher's
``conftest.py`` calls (the recipe is in the documentation's exercises page).
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import re
import shutil
import sys
from dataclasses import asdict, dataclass, field, fields

from .isolation import DEFAULT_TIMEOUT, Job, describe, run_jobs
from .submission import LoadError, is_file, split_target

FORMATS = ("table", "jsonl", "csv")


# ----------------------------------------------------------------------------- records
@dataclass(frozen=True)
class Submission:
    """One student's file: ``name`` for the table, ``path`` the .py file (which may be
    missing: a student folder without the file is a record, not an error)."""

    name: str
    path: str


@dataclass
class Record:
    """What happened to one submission.

    verdict: ``ok``, ``slip`` (the checker named what is wrong), ``not written`` (an
        exercise's ``...`` lines), ``error`` (it failed to import, raised, exited, or
        returned something unreadable), ``timeout`` or ``crash`` (the process died).
    reason: the first diagnosis, or why it failed; None when ok.
    matched, failed: the compared outputs that match the reference, and those that do not.
    points, max_points: one point per gradient output that matches (the loss and the
        intermediates are compared and shown, worth no point); ``max_points`` is the same
        for every submission of a run.
    """

    submission: str
    path: str
    function: str
    against: str
    verdict: str
    reason: str | None
    stage: str
    matched: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    not_written: list = field(default_factory=list)
    points: int = 0
    max_points: int = 0
    seconds: float = 0.0
    exit_code: int | None = None
    stdout: str = ""
    stderr: str = ""
    files_written: list = field(default_factory=list)
    report: dict | None = None
    text: str | None = field(default=None, repr=False)

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    @property
    def summary(self) -> str:
        """One line: ``alice: slip: dZ2: [scale] dZ2 is N × the reference …``."""
        return f"{self.submission}: {self.verdict}" + (f": {self.reason}" if self.reason
                                                       else "")

    def to_dict(self) -> dict:
        d = asdict(self)
        d.pop("text")
        d["ok"] = self.ok
        return finite(d)

    @classmethod
    def from_dict(cls, d: dict) -> Record:
        """The record `to_dict` describes (a JSON line of ``grade --format jsonl``)."""
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})


def finite(x):
    """``x`` with every non-finite float replaced by None (strict JSON has no nan)."""
    if isinstance(x, float) and not math.isfinite(x):
        return None
    if isinstance(x, dict):
        return {k: finite(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [finite(v) for v in x]
    return x


_INTERMEDIATE = re.compile(r"(loss|Z\d+|A\d+|dZ\d+|dA\d+)$")


def points_of(output: str) -> int:
    """1 for a gradient output (``dW2``, ``db1``, ``dZ`` of an output delta, ``dX``), 0
    for the loss and a network's intermediates (``Z1``, ``A2``, ``dZ2``, ``dA1``), which a
    function may or may not return."""
    return 0 if _INTERMEDIATE.match(output) else 1


def reference_outputs(against: str) -> list[str]:
    """The outputs the checker compares for ``against``, found by checking the reference
    function itself (``D17`` -> ``loss, Z1, A1, …, dW1, db1``)."""
    import backprop_ref
    from backprop_ref import testing

    obj = backprop_ref
    for part in testing.resolve(against).split("."):
        obj = getattr(obj, part)
    return [r.output for r in testing.check(obj, against).rows]


def _record(sub: Submission, function: str, against: str, rec: dict, outputs) -> Record:
    rows = (rec.get("report") or {}).get("rows", [])
    matched = [r["output"] for r in rows if r.get("ok")]
    reason = rec.get("reason")
    warnings = (rec.get("report") or {}).get("warnings") or []
    if rec["verdict"] == "ok" and warnings:
        w = warnings[0]
        reason = f"warning: {w['output']}: [{w['kind']}] {w['message']}"
    return Record(sub.name, sub.path, function, against, rec["verdict"], reason,
                  rec.get("stage", "check"), matched,
                  [r["output"] for r in rows if not r.get("ok")], rec.get("not_written", []),
                  sum(points_of(o) for o in matched),
                  sum(points_of(o) for o in outputs), rec.get("seconds", 0.0),
                  rec.get("exit_code"), rec.get("stdout", ""), rec.get("stderr", ""),
                  rec.get("files_written", []), rec.get("report"), rec.get("text"))


# ----------------------------------------------------------------------------- finding
def find_submissions(paths, file: str | None = None) -> list[Submission]:
    """The submissions under ``paths``, in order.

    A ``.py`` file is one submission.  A folder holds either ``.py`` files, one per
    student (files whose name starts with ``_`` and ``conftest.py`` are skipped), or, with
    ``file``, one folder per student, each holding ``file`` (with its neighbour modules);
    a folder that itself holds ``file`` is one student's.  A ``ValueError`` (one line)
    when a path does not exist or holds no submission.
    """
    found: list[Submission] = []
    if not paths:
        raise ValueError("give at least one PATH: a .py file or a folder of them")
    for p in paths:
        p = str(p)
        if os.path.isfile(p):
            if not p.endswith(".py"):
                raise ValueError(f"{p} is not a .py file")
            found.append(Submission(_stem(p), p))
        elif os.path.isdir(p):
            found += _in_folder(p, file)
        else:
            raise ValueError(f"{p}: no such file or folder")
    names = [s.name for s in found]
    return [s if names.count(s.name) == 1 else Submission(s.path, s.path) for s in found]


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


def _in_folder(folder: str, file: str | None) -> list[Submission]:
    entries = sorted(os.listdir(folder))
    if file:
        if os.path.isfile(os.path.join(folder, file)):
            return [Submission(os.path.basename(os.path.abspath(folder)),
                               os.path.join(folder, file))]
        students = [e for e in entries if os.path.isdir(os.path.join(folder, e))
                    and not e.startswith((".", "_"))]
        if not students:
            raise ValueError(f"{folder} has no {file} and no student folders holding one")
        return [Submission(s, os.path.join(folder, s, file)) for s in students]
    files = [e for e in entries if e.endswith(".py") and not e.startswith(("_", "."))
             and e != "conftest.py" and os.path.isfile(os.path.join(folder, e))]
    if not files:
        hint = ("; for one folder per student, give --file NAME (the file each holds)"
                if any(os.path.isdir(os.path.join(folder, e)) for e in entries) else "")
        raise ValueError(f"{folder} has no .py files{hint}")
    return [Submission(_stem(f), os.path.join(folder, f)) for f in files]


# ----------------------------------------------------------------------------- grading
def grade(submissions, *, function: str, against: str, timeout: float = DEFAULT_TIMEOUT,
          options: dict | None = None, parallel: int | None = None, on_done=None,
          import_timeout: float | None = None) -> list[Record]:
    """Check every submission's ``function`` against ``against``, each in its own
    process (`comparisons.isolation`), up to ``parallel`` at a time; one `Record` each,
    in order, whatever the submission did.

    ``options``: `backprop_ref.testing.check`'s keyword options (``layout``, ``seed``,
    ``l2``, ``reduction``).  ``timeout``: seconds for the check of one submission;
    loading its file may take the larger of 60 s and ``timeout`` (``import_timeout``).
    ``on_done(record)`` is called as each one finishes.
    """
    from backprop_ref import testing

    testing.resolve(against)                     # an unknown target: ValueError now
    outputs = reference_outputs(against)
    submissions = list(submissions)
    records: list[Record | None] = [None] * len(submissions)
    jobs, where = [], []
    for i, sub in enumerate(submissions):
        if not os.path.isfile(sub.path):
            records[i] = _record(sub, function, against, {
                "verdict": "error", "stage": "load", "reason": f"no file {sub.path}"},
                outputs)
            if on_done is not None:
                on_done(records[i])
            continue
        jobs.append(Job(os.path.abspath(sub.path), function, against, dict(options or {}),
                        cwd="temp", shown=sub.path))
        where.append(i)
    by_job = {id(j): i for j, i in zip(jobs, where)}

    def done(outcome):
        i = by_job[id(outcome.job)]
        records[i] = _record(submissions[i], function, against, describe(outcome), outputs)
        if on_done is not None:
            on_done(records[i])

    if jobs:
        run_jobs(jobs, timeout=timeout, import_timeout=import_timeout, parallel=parallel,
                 on_done=done)
    return records


# ----------------------------------------------------------------------------- output
def _matches(r: Record) -> str:
    n = len(r.matched) + len(r.failed)
    return f"{len(r.matched)}/{n}" if n else "-"


def render_table(records: list[Record], width: int | None = None) -> str:
    """One row per submission: its verdict, the outputs that match, the first diagnosis
    or why it failed; a summary line.  ``width``: cut each row to it (a terminal's)."""
    heads = ("submission", "verdict", "matches", "first diagnosis / reason")
    rows = [(r.submission, r.verdict, _matches(r), r.reason or "") for r in records]
    w = [max(len(h), *(len(row[k]) for row in rows)) if rows else len(h)
         for k, h in enumerate(heads[:3])]
    lines = []
    for row in [heads, *rows]:
        line = "  ".join(f"{c:<{w[k]}}" for k, c in enumerate(row[:3])) + "  " + row[3]
        line = line.rstrip()
        if width and len(line) > width:
            line = line[:max(10, width - 1)] + "…"
        lines.append(line)
    counts: dict[str, int] = {}
    for r in records:
        counts[r.verdict] = counts.get(r.verdict, 0) + 1
    bad = {v: n for v, n in counts.items() if v != "ok"}
    lines.append(f"{len(records)} submission{'s' * (len(records) != 1)}: "
                 f"{counts.get('ok', 0)} ok, {sum(bad.values())} not ok"
                 + (" (" + ", ".join(f"{n} {v}" for v, n in bad.items()) + ")" if bad
                    else ""))
    return "\n".join(lines)


def render_jsonl(records: list[Record]) -> str:
    """One JSON object per submission, whatever happened to it (strict JSON)."""
    return "\n".join(json.dumps(r.to_dict(), ensure_ascii=False, allow_nan=False)
                     for r in records)


CSV_COLUMNS = ("submission", "path", "verdict", "ok", "points", "max_points", "matched",
               "compared", "reason", "seconds")


def render_csv(records: list[Record]) -> str:
    """A gradebook: `CSV_COLUMNS`, one row per submission."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for r in records:
        w.writerow([r.submission, r.path, r.verdict, r.ok, r.points, r.max_points,
                    len(r.matched), len(r.matched) + len(r.failed), r.reason or "",
                    f"{r.seconds:.3f}"])
    return buf.getvalue().rstrip("\n")


# ----------------------------------------------------------------------------- Gradescope
#: Gradescope's documented autograder output (results.json): the keys it reads
GRADESCOPE_KEYS = ("score", "execution_time", "output", "output_format",
                   "test_output_format", "test_name_format", "visibility",
                   "stdout_visibility", "extra_data", "tests", "leaderboard")
GRADESCOPE_TEST_KEYS = ("score", "max_score", "status", "name", "name_format", "number",
                        "output", "output_format", "tags", "visibility", "extra_data")
GRADESCOPE_VISIBILITY = ("hidden", "after_due_date", "after_published", "visible")
GRADESCOPE_FORMATS = ("text", "html", "simple_format", "md", "ansi")
GRADESCOPE_STATUS = ("passed", "failed")


def gradescope_results(record: Record, outputs: list[str]) -> dict:
    """Gradescope's ``results.json`` for one submission: one test per compared output,
    worth `points_of` it, its diagnosis (or why it was not compared) as its output; the
    whole report as the submission's output."""
    report = record.report or {}
    rows = {r["output"]: r for r in report.get("rows", [])}
    diagnoses = {d["output"]: d for d in report.get("diagnoses", [])}
    tests = []
    for name in list(outputs) + [o for o in rows if o not in outputs]:
        pts, row = points_of(name), rows.get(name)
        if row is None:
            if rows or not pts:
                continue                  # not returned, and not needed: not a test
            passed, text = False, f"not checked: {record.reason}"
        elif row["ok"]:
            passed = True
            text = (f"{name} matches the reference (relative error "
                    f"{row['rel_error']:.1e} ≤ 1e-12)" if row.get("rel_error") is not None
                    else f"{name} matches the reference")
        else:
            passed = False
            d = diagnoses.get(name)
            if d is not None:
                tag = f"{d['kind']} {d['erratum']}" if d.get("erratum") else d["kind"]
                text = f"[{tag}] {d['message']}"
            else:
                text = (f"{name} differs from the reference"
                        + (f" ({row['note']})" if row.get("note") else "")
                        + (f"; first diagnosis: {record.reason}" if record.reason else ""))
        tests.append({"name": name, "score": pts if passed else 0, "max_score": pts,
                      "status": "passed" if passed else "failed", "output": text,
                      "visibility": "visible"})
    head = f"{record.verdict}" + (f": {record.reason}" if record.reason else "")
    body = [head]
    if record.text:
        body += ["", record.text]
    if record.stdout.strip():
        body += ["", "Your code printed:", record.stdout[:2000]]
    return finite({
        "score": sum(t["score"] for t in tests),
        "execution_time": round(record.seconds, 3),
        "output": "\n".join(body),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "extra_data": {"verdict": record.verdict, "against": record.against,
                       "function": record.function, "max_points": record.max_points},
        "tests": tests,
    })


def validate_gradescope(data) -> list[str]:
    """What is wrong with a ``results.json`` against Gradescope's documented autograder
    format (an empty list: nothing).

    Checks: the document is an object of the documented keys only (`GRADESCOPE_KEYS`),
    and strict JSON (no nan); ``score`` and ``execution_time`` are finite numbers, required
    ``score`` unless every test has one; ``output`` a string; ``visibility`` and
    ``stdout_visibility`` one of `GRADESCOPE_VISIBILITY`; the three formats one of
    `GRADESCOPE_FORMATS`; ``extra_data`` an object; ``tests`` a list of objects of the
    documented test keys (`GRADESCOPE_TEST_KEYS`): ``score`` and ``max_score`` finite
    non-negative numbers, ``status`` ``passed`` or ``failed``, ``name``, ``number`` and
    ``output`` strings, ``tags`` a list of strings, ``visibility`` and ``output_format``
    as above; ``leaderboard`` a list of ``{name, value, order?}``.
    """
    problems: list[str] = []

    def number(v, where, minimum=None):
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            problems.append(f"{where} is {v!r}, not a finite number")
        elif minimum is not None and v < minimum:
            problems.append(f"{where} is {v!r}, below {minimum}")

    def choice(v, where, allowed):
        if v not in allowed:
            problems.append(f"{where} is {v!r}, not one of {', '.join(allowed)}")

    def string(v, where):
        if not isinstance(v, str):
            problems.append(f"{where} is a {type(v).__name__}, not a string")

    if not isinstance(data, dict):
        return [f"the document is a {type(data).__name__}, not an object"]
    try:
        json.dumps(data, allow_nan=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"not strict JSON: {exc}")
    for k in data:
        if k not in GRADESCOPE_KEYS:
            problems.append(f"unknown top-level key {k!r}")
    tests = data.get("tests")
    if "score" in data:
        number(data["score"], "score")
    elif not (isinstance(tests, list) and tests and all(
            isinstance(t, dict) and "score" in t for t in tests)):
        problems.append("no top-level score, and not every test has a score")
    if "execution_time" in data:
        number(data["execution_time"], "execution_time", 0)
    if "output" in data:
        string(data["output"], "output")
    for k in ("visibility", "stdout_visibility"):
        if k in data:
            choice(data[k], k, GRADESCOPE_VISIBILITY)
    for k in ("output_format", "test_output_format", "test_name_format"):
        if k in data:
            choice(data[k], k, GRADESCOPE_FORMATS)
    if "extra_data" in data and not isinstance(data["extra_data"], dict):
        problems.append("extra_data is not an object")
    if tests is not None:
        if not isinstance(tests, list):
            problems.append("tests is not a list")
            tests = []
        for i, t in enumerate(tests):
            where = f"tests[{i}]"
            if not isinstance(t, dict):
                problems.append(f"{where} is not an object")
                continue
            for k in t:
                if k not in GRADESCOPE_TEST_KEYS:
                    problems.append(f"{where} has an unknown key {k!r}")
            for k in ("score", "max_score"):
                if k in t:
                    number(t[k], f"{where}.{k}", 0)
            if "status" in t:
                choice(t["status"], f"{where}.status", GRADESCOPE_STATUS)
            for k in ("name", "number", "output"):
                if k in t:
                    string(t[k], f"{where}.{k}")
            if "tags" in t and not (isinstance(t["tags"], list)
                                    and all(isinstance(x, str) for x in t["tags"])):
                problems.append(f"{where}.tags is not a list of strings")
            if "visibility" in t:
                choice(t["visibility"], f"{where}.visibility", GRADESCOPE_VISIBILITY)
            for k in ("output_format", "name_format"):
                if k in t:
                    choice(t[k], f"{where}.{k}", GRADESCOPE_FORMATS)
            if "extra_data" in t and not isinstance(t["extra_data"], dict):
                problems.append(f"{where}.extra_data is not an object")
    board = data.get("leaderboard")
    if board is not None:
        if not isinstance(board, list):
            problems.append("leaderboard is not a list")
        else:
            for i, e in enumerate(board):
                if not (isinstance(e, dict) and isinstance(e.get("name"), str)
                        and "value" in e and e.get("order", "desc") in ("asc", "desc")):
                    problems.append(f"leaderboard[{i}] is not {{name, value, order?}}")
    return problems


# ----------------------------------------------------------------------------- commands
def check_options(args) -> dict:
    """`backprop_ref.testing.check`'s options from a command line (``layout``, ``l2``,
    ``reduction``, ``seed``), validated by the checker before any submission runs: a
    ``ValueError`` (one line) for a target it does not know or a convention it refuses for
    this target (``--l2 sum`` on D11)."""
    from backprop_ref.testing.checker import validate_options

    options = {"layout": getattr(args, "layout", "rows"), "l2": getattr(args, "l2", None)
               or "half", "reduction": getattr(args, "reduction", None) or "mean",
               "seed": getattr(args, "seed", 0)}
    validate_options(args.against, **options)
    return options


class _Progress:
    """A progress bar on stderr when it is a terminal (tqdm if installed, else a counter
    line); nothing when piped."""

    def __init__(self, total: int, desc: str = "grading"):
        self.bar = self.n = None
        self.total, self.desc = total, desc
        if not (total > 1 and sys.stderr.isatty()):
            return
        try:
            from tqdm import tqdm
        except ImportError:
            self.n = 0
            return
        self.bar = tqdm(total=total, desc=desc, unit="submission", file=sys.stderr,
                        dynamic_ncols=True, leave=False)

    def update(self, _record=None) -> None:
        if self.bar is not None:
            self.bar.update(1)
        elif self.n is not None:
            self.n += 1
            sys.stderr.write(f"\r{self.desc}: {self.n}/{self.total}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
        elif self.n is not None:
            sys.stderr.write("\r" + " " * (len(self.desc) + 24) + "\r")
            sys.stderr.flush()


def run_grade(args, on_start=None) -> tuple[int, list[Record]]:
    """``backprop-ref grade`` without its printing: (exit code, the records).  A
    ``ValueError`` (one line) for bad arguments, before any submission runs;
    ``on_start(count)`` may return the ``on_done`` of `grade` (a progress bar)."""
    from backprop_ref import testing

    testing.resolve(args.against)
    options = check_options(args)
    subs = find_submissions(args.paths, args.file)
    if getattr(args, "gradescope", None) and len(subs) != 1:
        raise ValueError(f"--gradescope writes one submission's results.json (Gradescope "
                         f"grades one per run); PATH holds {len(subs)}")
    records = grade(subs, function=args.function, against=args.against,
                    timeout=args.timeout, options=options, parallel=args.jobs,
                    on_done=on_start(len(subs)) if on_start else None)
    return (0 if all(r.ok for r in records) else 1), records


def grade_command(args) -> int:
    """``backprop-ref grade``: exit 0 every submission ok, 1 any not ok, 2 bad arguments."""
    prog = "backprop-ref grade"
    bars: list[_Progress] = []

    def start(count: int):
        bars.append(_Progress(count))
        return bars[0].update

    try:
        try:
            code, records = run_grade(args, start)
        finally:
            for bar in bars:
                bar.close()
    except ValueError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; every running submission was stopped", file=sys.stderr)
        return 130
    if args.format == "jsonl":
        print(render_jsonl(records))
    elif args.format == "csv":
        print(render_csv(records))
    else:
        width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
        print(render_table(records, width))
    if args.gradescope:
        data = gradescope_results(records[0], reference_outputs(args.against))
        with open(args.gradescope, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2, ensure_ascii=False, allow_nan=False)
            fh.write("\n")
    return code


def _echo(label: str, text: str) -> list[str]:
    """What the checked code printed, as lines for stderr under a header."""
    if not text.strip():
        return []
    lines = text.rstrip("\n").splitlines()
    out = [f"backprop-ref check: {label} ({len(lines)} line{'s' * (len(lines) != 1)}):"]
    out += [f"  | {line}" for line in lines[:40]]
    if len(lines) > 40:
        out.append(f"  | … ({len(lines) - 40} more)")
    return out


@dataclass
class CheckRun:
    """What ``backprop-ref check`` answers: its exit code, the document ``--json`` prints,
    the text it prints without ``--json`` (the report; empty for a one-line error), what
    the checked code printed (lines for stderr, under a header) and the one-line error."""

    exit: int
    doc: dict
    text: str = ""
    echo: list = field(default_factory=list)
    error: str | None = None


def run_check(args) -> CheckRun:
    """``backprop-ref check FILE.py:FUNCTION --against ID`` without its printing: the
    function checked in its own process (`comparisons.isolation`).  Exit 0 ok, 1 a slip or
    lines not written yet, 2 a bad target or a function that cannot be run to the end (it
    does not import, raises or exits on the checker's call, raises KeyboardInterrupt,
    hangs past ``--timeout``, crashes its process)."""
    prog = "backprop-ref check"
    from backprop_ref import testing

    options = {"layout": getattr(args, "layout", "rows"), "l2": getattr(args, "l2", None)
               or "half", "reduction": getattr(args, "reduction", None) or "mean"}
    base = {"function": args.target, "against": args.against, "reference": None, **options,
            "ok": False, "error": None, "raised": False, "tried": [], "refused": [],
            "rows": [], "diagnoses": [], "warnings": [], "self_consistent": None}

    def fail(message: str, rec: dict | None = None) -> CheckRun:
        rec = rec or {}
        doc = {**base, "error": message, "verdict": "error", "reason": message,
               "not_written": [], "stdout": rec.get("stdout", ""),
               "stderr": rec.get("stderr", "")}
        return CheckRun(2, doc, "", _echo_output(args.target, rec), f"{prog}: error: {message}")

    try:
        base["reference"] = testing.resolve(args.against)
        module, function = split_target(args.target)
        if is_file(module) and not os.path.isfile(module):
            raise LoadError(f"cannot import {module}: no such file")
        options = check_options(args)
    except ValueError as exc:
        return fail(str(exc))
    outcome = run_jobs([Job(module, function, args.against, options)],
                       timeout=getattr(args, "timeout", DEFAULT_TIMEOUT))[0]
    rec = describe(outcome)
    if rec["stage"] == "load" and rec["verdict"] == "error":
        return fail(rec["reason"], rec)
    if rec["stage"] == "arguments":
        return fail(f"{args.target}: {rec['reason']}", rec)
    fatal = rec.get("raised") or (rec["verdict"] in ("timeout", "crash", "error")
                                  and rec["report"] is None)
    doc = {**base, **(rec["report"] or {})}
    if rec["report"] is None:
        doc.update(error=rec["reason"], raised=bool(fatal))
    doc.update(verdict=rec["verdict"], reason=rec["reason"], not_written=rec["not_written"],
               stdout=rec["stdout"], stderr=rec["stderr"], seconds=rec["seconds"])
    code = 2 if fatal else 0 if rec["verdict"] == "ok" else 1
    return CheckRun(code, doc, rec.get("text") or "", _echo_output(args.target, rec),
                    f"{prog}: error: {args.target}: {rec['reason']}" if fatal else None)


def _echo_output(target: str, rec: dict) -> list[str]:
    return (_echo(f"{target} printed", rec.get("stdout", ""))
            + _echo(f"{target} wrote to stderr", rec.get("stderr", "")))


def check_command(args) -> int:
    """``backprop-ref check``: `run_check`, printed.  ``--json`` always prints one JSON
    document; what the code printed goes to stderr (text) or into the document (``stdout``,
    ``stderr``), never into the report."""
    run = run_check(args)
    if args.json:
        print(json.dumps(finite(run.doc), indent=2, ensure_ascii=False, allow_nan=False))
    else:
        if run.text:
            print(run.text)
        for line in run.echo:
            print(line, file=sys.stderr)
    if run.error:
        print(run.error, file=sys.stderr)
    return run.exit
