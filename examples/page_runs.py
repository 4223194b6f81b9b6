"""What the two pages rendered from recorded runs of ``backprop-ref`` share:
``docs/check-your-backprop.md`` (`check_page`) and ``docs/exercises.md`` (`exercise_page`).

Each page is the rendering of a record (``docs/check-your-backprop.json``,
``docs/exercises.json``) written by ``python -m comparisons.records`` the way
`comparisons.records` writes every record: a ``run`` block that names the command, the date,
the seed and the machine, then one *entry* per command the page shows.  This module

- runs a command for a page in a given folder, in this process, through the command line's
  own parser and the very functions its commands print (`command`, `check`, `grade`); an
  entry keeps what the page needs and nothing volatile (no timings);
- renders an entry as the console block a reader sees (`console`, `output`);
- compares a fresh entry with the recorded one by the rule of `comparisons.records`
  (`differences`): exit codes, verdicts, kinds, cases, refusals and messages the same;
  a round-off figure (a row whose recorded relative error is within the report's bound, a
  figure within the bound in a message) only against the bound; every other figure to the
  digits printed;
- gives both scripts their record, their regeneration and their command line (`Page`).
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:                    # `python examples/…` from anywhere
    sys.path.insert(0, str(ROOT))

from comparisons import records  # noqa: E402

#: fields of a check's JSON document that vary from run to run and are not on the page
VOLATILE = ("seconds",)


@contextlib.contextmanager
def in_folder(folder):
    """Run the body in ``folder``, then come back."""
    here = os.getcwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(here)


def _args(argv: list):
    from comparisons.cli import build_parser

    return build_parser().parse_args(argv)


# =========================================================================== running
def command(argv: list, cwd) -> dict:
    """``backprop-ref ARGV`` in ``cwd``, for output that holds no measured figure (the
    ``exercise`` command): ``{"argv", "exit", "output"}`` (stdout then stderr)."""
    from comparisons.cli import main

    out, err = io.StringIO(), io.StringIO()
    with in_folder(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return {"argv": list(argv), "exit": code,
            "output": (out.getvalue() + err.getvalue()).rstrip("\n")}


def check(argv: list, cwd) -> dict:
    """``backprop-ref check ARGV`` in ``cwd`` (`comparisons.grading.run_check`, what the
    command prints): ``{"argv", "exit", "report"}``, the report being the document
    ``--json`` prints; ``"text"`` too when the report does not render what the command
    prints (lines not written yet), and ``"stderr"`` when it writes there."""
    from backprop_ref.testing import CheckReport
    from comparisons.grading import run_check

    with in_folder(cwd):
        run = run_check(_args(argv))
    entry = {"argv": list(argv), "exit": run.exit,
             "report": {k: v for k, v in run.doc.items() if k not in VOLATILE}}
    if run.text != str(CheckReport.from_dict(run.doc)):
        entry["text"] = run.text
    stderr = run.echo + ([run.error] if run.error else [])
    if stderr:
        entry["stderr"] = stderr
    return entry


def grade(argv: list, cwd) -> dict:
    """``backprop-ref grade ARGV`` in ``cwd`` (`comparisons.grading.run_grade`), its
    table as piped: ``{"argv", "exit", "records"}``, one record per submission."""
    from comparisons.grading import run_grade

    with in_folder(cwd):
        code, found = run_grade(_args(argv))
    return {"argv": list(argv), "exit": code,
            "records": [{k: v for k, v in r.to_dict().items() if k not in VOLATILE}
                        for r in found]}


# =========================================================================== rendering
def output(entry: dict) -> str:
    """What the command printed, from its entry alone."""
    from backprop_ref.testing import CheckReport
    from comparisons.grading import Record, render_table

    if "records" in entry:
        text = render_table([Record.from_dict(r) for r in entry["records"]])
    elif "report" in entry:
        text = entry.get("text", str(CheckReport.from_dict(entry["report"])))
    else:
        text = entry["output"]
    return "\n".join(x for x in [text, *entry.get("stderr", [])] if x)


def console(entry: dict) -> list:
    """The entry as a console block: the command, what it printed, its exit code."""
    return ["```console", "$ backprop-ref " + " ".join(entry["argv"]), output(entry),
            "$ echo $?", str(entry["exit"]), "```", ""]


def provenance(record: dict, path: str) -> str:
    """The page's line on where its outputs come from: the record, its command, date and
    machine (`comparisons.records.describe`)."""
    run = record["run"]
    return (f"The outputs on this page are the rendering of a recorded run "
            f"(`{path}`, written by `{run['command']}` on {run['date']}) on "
            f"{records.describe(run['environment'])}.")


# =========================================================================== comparing
_FIGURE = re.compile(r"(?<![\w.])\d\.\de[-+]\d+\b")


def words(text, bound: float):
    """A message with every figure within ``bound`` (round-off) replaced by a mark: what
    two runs on different machines must say alike."""
    if not isinstance(text, str):
        return text
    return _FIGURE.sub(lambda m: "(round-off)" if float(m.group()) <= bound else m.group(),
                       text)


def _printed(x) -> str:
    if x == "inf" or x is None:
        return str(x)
    return "nan" if math.isnan(x) else records.printed(x)


def _round_off(x, bound: float) -> bool:
    return x is not None and x != "inf" and x <= bound


#: a check report's fields compared as they are, and those compared as messages
_SAME = ("function", "against", "reference", "ok", "raised", "layout", "l2", "reduction",
         "conventions", "call", "tried", "self_consistent", "bound", "verdict",
         "not_written", "stdout", "stderr")
_MESSAGES = ("error", "reason", "self_consistency")


def report_differences(fresh: dict, recorded: dict) -> list:
    """What a fresh check report (`CheckReport.to_dict`, or ``check --json``'s document)
    says differently from a recorded one: verdicts, kinds, cases and messages, refusals by
    their forms (their reasons are library text), and the figures by the rule of
    `comparisons.records`."""
    bound = recorded.get("bound", 1e-12)
    out = [f"{key}: {fresh.get(key)!r} != recorded {recorded.get(key)!r}" for key in _SAME
           if fresh.get(key) != recorded.get(key)]
    out += [f"{key}: {words(fresh.get(key), bound)!r} != recorded "
            f"{words(recorded.get(key), bound)!r}" for key in _MESSAGES
            if words(fresh.get(key), bound) != words(recorded.get(key), bound)]
    for key in ("diagnoses", "warnings"):
        said = [[(d["output"], d["kind"], d.get("erratum"), words(d["message"], bound))
                 for d in r.get(key, [])] for r in (fresh, recorded)]
        if said[0] != said[1]:
            out.append(f"{key}: {said[0]} != recorded {said[1]}")
    forms = [[x.split(":")[0] for x in r.get("refused", [])] for r in (fresh, recorded)]
    if forms[0] != forms[1]:
        out.append(f"refused: {fresh.get('refused')} != recorded {recorded.get('refused')}")
    fr, rr = fresh.get("rows", []), recorded.get("rows", [])
    if [(r["output"], r["ok"], r["warning"]) for r in fr] != [
            (r["output"], r["ok"], r["warning"]) for r in rr]:
        return out + [f"rows: {fr} != recorded {rr}"]
    for f, r in zip(fr, rr):
        if f["note"] != r["note"]:
            out.append(f"{r['output']} note: {f['note']!r} != recorded {r['note']!r}")
        if _round_off(r["rel_error"], bound):            # round-off: against the bound
            if not _round_off(f["rel_error"], bound):
                out.append(f"{r['output']} rel_error: {f['rel_error']} is above the bound "
                           f"{bound}")
            continue
        for key in ("max_abs_error", "rel_error"):       # real: to the digits printed
            if _printed(f[key]) != _printed(r[key]):
                out.append(f"{r['output']} {key}: {_printed(f[key])} != recorded "
                           f"{_printed(r[key])}")
    return out


#: a grade record's fields compared as they are
_RECORD_SAME = ("submission", "path", "function", "against", "verdict", "ok", "stage",
                "matched", "failed", "not_written", "points", "max_points", "exit_code",
                "stdout", "stderr", "files_written")


def differences(fresh: dict, recorded: dict) -> list:
    """What a fresh entry says differently from its recorded one (an empty list: the
    same verdicts, and figures by the rule of `comparisons.records`)."""
    out = [f"{key}: {fresh.get(key)!r} != recorded {recorded.get(key)!r}"
           for key in ("argv", "exit", "output", "text", "stderr")
           if fresh.get(key) != recorded.get(key)]
    if ("report" in fresh) != ("report" in recorded):
        out.append("one has a report, the other none")
    elif "report" in fresh:
        out += report_differences(fresh["report"], recorded["report"])
    fs, rs = fresh.get("records", []), recorded.get("records", [])
    if [r["submission"] for r in fs] != [r["submission"] for r in rs]:
        return out + [f"submissions: {[r['submission'] for r in fs]} != recorded "
                      f"{[r['submission'] for r in rs]}"]
    for f, r in zip(fs, rs):
        name = r["submission"]
        bound = (r.get("report") or {}).get("bound", 1e-12)
        out += [f"{name} {key}: {f.get(key)!r} != recorded {r.get(key)!r}"
                for key in _RECORD_SAME if f.get(key) != r.get(key)]
        if words(f.get("reason"), bound) != words(r.get("reason"), bound):
            out.append(f"{name} reason: {f.get('reason')!r} != recorded {r.get('reason')!r}")
        if (f.get("report") is None) != (r.get("report") is None):
            out.append(f"{name}: one has a report, the other none")
        elif r.get("report") is not None:
            out += [f"{name} {d}" for d in report_differences(f["report"], r["report"])]
    return out


# =========================================================================== the scripts
class Page:
    """A page rendered from a record: its kind (``python -m comparisons.records KIND``),
    the record's and the page's paths, and the script's ``make_record()`` and
    ``render(record)``."""

    def __init__(self, kind: str, record: Path, page: Path, make_record, render):
        self.kind, self.record, self.page = kind, record, page
        self.make_record, self.render = make_record, render

    def regenerate(self, root: Path = ROOT) -> tuple[list, bool]:
        """Measure on this machine; write the record and the page (what ``python -m
        comparisons.records KIND`` calls): (the paths written, True)."""
        record = self.make_record()
        records.write(self.record, record)
        self.page.write_text(self.render(record), encoding="utf-8")
        return [self.record, self.page], True

    def load(self) -> dict:
        """The committed record (`comparisons.records.load`: a missing or unreadable one
        is a one-line `comparisons.records.RecordError` naming the command that
        regenerates it)."""
        return records.load(self.record, self.kind)

    def main(self, argv=None) -> int:
        """The script's command line: without arguments, `regenerate`; with ``--check``,
        exit 1 when the page is not the committed record rendered."""
        argv = sys.argv[1:] if argv is None else argv
        if "--check" not in argv:
            written, ok = self.regenerate(ROOT)
            for path in written:
                print(f"wrote {path.relative_to(ROOT)}")
            return 0 if ok else 1
        try:
            text = self.render(self.load())
        except records.RecordError as exc:
            print(exc, file=sys.stderr)
            return 1
        if self.page.exists() and self.page.read_text(encoding="utf-8") == text:
            print(f"{self.page.relative_to(ROOT)} is the record rendered")
            return 0
        print(f"{self.page.relative_to(ROOT)} is stale: regenerate it with "
              f"`{records.REGENERATE} {self.kind}`")
        return 1
