"""``backprop-ref grade`` and ``backprop-ref check`` over a class of submissions, each
checked in its own process: whatever a submission does is its record, and neither the
grader's exit code nor its output can be fooled or stopped.

The class is ``tests/submissions/`` (its README lists what each one does).  One grade run
over the whole folder (``--timeout 1``) is shared by the tests of this module.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import time
from dataclasses import fields
from pathlib import Path

import pytest

from comparisons.cli import main
from comparisons.grading import (
    Record,
    find_submissions,
    gradescope_results,
    reference_outputs,
    render_csv,
    render_table,
    validate_gradescope,
)

ROOT = Path(__file__).resolve().parents[1]
CLASS = ROOT / "tests" / "submissions"
GRADE = ["--file", "submission.py", "--function", "loss_and_grads", "--against", "D17"]

#: submission -> (verdict, words its reason holds)
EXPECTED = {
    "correct": ("ok", None),
    "wrong_layer": ("slip", "[wrong_layer E7]"),
    "syntax_error": ("error", "cannot import "),
    "print_at_import": ("ok", None),
    "exit_in_function": ("error", "SystemExit"),
    "infinite_loop": ("timeout", "the check took longer than 1 s"),
    "writes_files": ("ok", None),
    "neighbour": ("ok", None),
    "imports_torch": ("ok", None),
    "runs_past_timeout": ("timeout", "the check took longer than 1 s"),
    "keyboard_interrupt": ("error", "KeyboardInterrupt"),
    "os_exit": ("crash", "exited during the check with code 3"),
    "segfault": ("crash", "SIGSEGV (segmentation fault)"),
    "half_written": ("not written", "not written yet: dA1, dZ1, dW1, db1"),
}


def run(argv: list[str]) -> tuple[int, str, str]:
    """``backprop-ref`` in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exc:          # argparse
            code = exc.code
    return code, out.getvalue(), err.getvalue()


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def _class_run() -> dict:
    before = _tree(CLASS)
    start = time.monotonic()
    code, out, err = run(["grade", str(CLASS), *GRADE, "--timeout", "1", "--format", "jsonl"])
    seconds = time.monotonic() - start
    records = [json.loads(line, parse_constant=_no_nan) for line in out.splitlines()]
    return {"code": code, "out": out, "err": err, "seconds": seconds,
            "records": {r["submission"]: r for r in records}, "order": records,
            "before": sorted(before), "after": sorted(_tree(CLASS))}


@pytest.fixture(scope="module")
def class_run(request, tmp_path_factory):
    """One ``grade --format jsonl`` over the whole class: exit code, stdout, stderr,
    records by name, the folder's files before and after.  Under pytest-xdist the first
    worker to need it runs it and the others read its result (the run spawns processes:
    once is enough)."""
    if getattr(request.config, "workerinput", None) is None or os.name != "posix":
        return _class_run()
    import fcntl

    shared = tmp_path_factory.getbasetemp().parent
    with open(shared / "grade_class_run.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cached = shared / "grade_class_run.json"
        if cached.is_file():
            return json.loads(cached.read_text())
        result = _class_run()
        cached.write_text(json.dumps(result))
        return result


def _no_nan(name):
    raise ValueError(f"{name} is not JSON")


def _record(d: dict) -> Record:
    return Record(**{f.name: d[f.name] for f in fields(Record) if f.name in d})


def test_the_class_folder_is_what_the_tests_expect():
    assert sorted(p.name for p in CLASS.iterdir() if p.is_dir()) == sorted(EXPECTED)


def test_every_submission_gets_one_strict_json_record_and_the_grader_exits_1(class_run):
    assert class_run["code"] == 1
    assert class_run["err"] == ""                       # no progress bar when piped
    assert len(class_run["out"].splitlines()) == len(EXPECTED) == len(class_run["records"])
    assert [r["submission"] for r in class_run["order"]] == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_submission_s_record(class_run, name):
    rec = class_run["records"][name]
    verdict, words = EXPECTED[name]
    assert rec["verdict"] == verdict, rec
    assert rec["ok"] is (verdict == "ok")
    if words is None:
        assert rec["reason"] is None
        assert rec["matched"] == ["loss", "dW2", "db2", "dW1", "db1"]
        assert (rec["points"], rec["max_points"]) == (4, 4)
    else:
        assert words in rec["reason"]
        assert rec["max_points"] == 4 and rec["points"] < 4


def test_a_syntax_error_names_the_file_and_the_line(class_run):
    rec = class_run["records"]["syntax_error"]
    assert rec["stage"] == "load"
    assert rec["reason"].startswith(f"cannot import {CLASS / 'syntax_error' / 'submission.py'}"
                                    ": SyntaxError: ")
    assert "line 10" in rec["reason"]


def test_what_a_submission_prints_is_captured_never_mixed_into_the_report(class_run):
    assert class_run["records"]["print_at_import"]["stdout"] == \
        "loading my network... (W1 is D x H)\n"
    assert class_run["records"]["exit_in_function"]["stdout"] == "checking the shapes...\n"
    assert "loading my network" not in class_run["out"].replace(
        json.dumps(class_run["records"]["print_at_import"]["stdout"])[1:-1], "")


def test_a_segfault_leaves_its_python_stack_in_the_record(class_run):
    rec = class_run["records"]["segfault"]
    assert rec["exit_code"] == -11
    assert "Segmentation fault" in rec["stderr"] and "submission.py" in rec["stderr"]


def test_files_a_submission_writes_land_in_its_own_scratch_folder(class_run):
    assert class_run["records"]["writes_files"]["files_written"] == ["debug_grads.txt"]
    assert class_run["after"] == class_run["before"]    # nor a __pycache__ in the class


def _alive(pid: int) -> bool:
    stat = Path(f"/proc/{pid}/stat")
    if Path("/proc/self/stat").exists():
        return stat.exists() and stat.read_text().split(")")[-1].split()[0] not in "ZX"
    try:                                                # pragma: no cover - not Linux
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_timeout_kills_the_submission_s_whole_process_group(class_run):
    rec = class_run["records"]["runs_past_timeout"]
    helper = int(rec["stdout"].split()[-1])             # "helper pid N"
    deadline = time.monotonic() + 5
    while _alive(helper) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helper), f"the submission's child {helper} outlived the timeout"
    assert rec["exit_code"] == -9


def test_hanging_submissions_do_not_hold_the_run(class_run):
    """Two submissions never end and one imports torch; the run still ends long before
    the 600 s they ask for (the bound is generous: this is a liveness check, not timing)."""
    assert class_run["seconds"] < 120


def test_the_table_has_a_row_per_submission_and_a_summary():
    records = [_record(json.loads(line)) for line in CANNED]
    table = render_table(records).splitlines()
    assert table[0].split()[:4] == ["submission", "verdict", "matches", "first"]
    assert [row.split()[0] for row in table[1:-1]] == ["alice", "bob", "carol"]
    assert table[2].split()[:3] == ["bob", "slip", "3/5"]
    assert table[2].endswith("dW1: [wrong_layer E7] dA1 …")
    assert table[-1] == "3 submissions: 1 ok, 2 not ok (1 slip, 1 timeout)"
    assert all(len(line) <= 40 for line in render_table(records, width=40).splitlines()[:-1])


CANNED = [
    '{"submission": "alice", "path": "a.py", "function": "f", "against": "D17", '
    '"verdict": "ok", "reason": null, "stage": "check", "matched": ["loss", "dW2", "db2", '
    '"dW1", "db1"], "failed": [], "points": 4, "max_points": 4, "seconds": 0.1}',
    '{"submission": "bob", "path": "b.py", "function": "f", "against": "D17", '
    '"verdict": "slip", "reason": "dW1: [wrong_layer E7] dA1 …", "stage": "check", '
    '"matched": ["loss", "dW2", "db2"], "failed": ["dW1", "db1"], "points": 2, '
    '"max_points": 4, "seconds": 0.1}',
    '{"submission": "carol", "path": "c.py", "function": "f", "against": "D17", '
    '"verdict": "timeout", "reason": "the check took longer than 1 s", "stage": "check", '
    '"seconds": 1.0, "max_points": 4}',
]


def test_csv_is_a_gradebook():
    rows = render_csv([_record(json.loads(line)) for line in CANNED]).splitlines()
    assert rows[0] == ("submission,path,verdict,ok,points,max_points,matched,compared,"
                       "reason,seconds")
    assert rows[1].startswith("alice,a.py,ok,True,4,4,5,5,,")
    assert rows[3].startswith("carol,c.py,timeout,False,0,4,0,0,the check took longer")


def test_the_table_from_the_command_line_and_its_exit_codes(tmp_path):
    for name in ("correct", "wrong_layer"):
        shutil.copytree(CLASS / name, tmp_path / name)
    code, out, err = run(["grade", str(tmp_path), *GRADE])
    assert (code, err) == (1, "")
    lines = out.splitlines()
    assert lines[1].split()[:3] == ["correct", "ok", "5/5"]
    assert lines[2].split()[:3] == ["wrong_layer", "slip", "3/5"]
    assert lines[-1] == "2 submissions: 1 ok, 1 not ok (1 slip)"
    code, out, _ = run(["grade", str(tmp_path / "correct"), *GRADE, "--format", "csv"])
    assert code == 0 and out.splitlines()[1].startswith(
        f"correct,{tmp_path / 'correct' / 'submission.py'},ok,True,4,4,5,5,,")


def test_a_folder_of_py_files_and_a_missing_student_file(tmp_path):
    """A flat folder: one submission per .py file (``_private.py`` skipped).  A student
    folder without the file is a record, not bad input."""
    shutil.copy(CLASS / "correct" / "submission.py", tmp_path / "ann.py")
    shutil.copy(CLASS / "keyboard_interrupt" / "submission.py", tmp_path / "ben.py")
    (tmp_path / "_helpers.py").write_text("x = 1\n")
    code, out, _ = run(["grade", str(tmp_path), *GRADE[2:], "--format", "jsonl"])
    recs = [json.loads(line) for line in out.splitlines()]
    assert code == 1 and [(r["submission"], r["verdict"]) for r in recs] == [
        ("ann", "ok"), ("ben", "error")]
    (tmp_path / "cid").mkdir()
    subs = find_submissions([tmp_path], file="ann.py")
    assert [s.name for s in subs] == [tmp_path.name]          # tmp_path holds ann.py
    (tmp_path / "class").mkdir()
    (tmp_path / "class" / "dan").mkdir()
    code, out, _ = run(["grade", str(tmp_path / "class"), *GRADE, "--format", "jsonl"])
    rec = json.loads(out)
    assert code == 1 and rec["verdict"] == "error"
    assert rec["reason"] == f"no file {tmp_path / 'class' / 'dan' / 'submission.py'}"


# ----------------------------------------------------------------------------- Gradescope
def test_gradescope_results_validate_and_score_each_output(class_run):
    outputs = reference_outputs("D17")
    assert outputs == ["loss", "Z1", "A1", "Z2", "A2", "dZ2", "dW2", "db2", "dA1", "dZ1",
                       "dW1", "db1"]
    for name, rec in class_run["records"].items():
        data = gradescope_results(_record(rec), outputs)
        assert validate_gradescope(data) == [], name
        tests = {t["name"]: t for t in data["tests"]}
        assert sum(t["max_score"] for t in tests.values()) == 4, name
        assert data["score"] == rec["points"]
    wrong = gradescope_results(_record(class_run["records"]["wrong_layer"]), outputs)
    tests = {t["name"]: t for t in wrong["tests"]}
    assert [(n, t["status"], t["score"]) for n, t in tests.items()] == [
        ("loss", "passed", 0), ("dW2", "passed", 1), ("db2", "passed", 1),
        ("dW1", "failed", 0), ("db1", "failed", 0)]
    failed = [t["output"] for t in tests.values() if t["status"] == "failed"]
    assert [o for o in failed if o.startswith("[wrong_layer E7] ")]      # its diagnosis
    assert [o for o in failed if "first diagnosis: " in o and "[wrong_layer E7]" in o]
    broken = gradescope_results(_record(class_run["records"]["syntax_error"]), outputs)
    assert [t["name"] for t in broken["tests"]] == ["dW2", "db2", "dW1", "db1"]
    assert all(t["output"].startswith("not checked: cannot import") for t in broken["tests"])


@pytest.mark.parametrize("break_it, problem", [
    (lambda d: d["tests"][0].update(status="ok"), "tests[0].status is 'ok'"),
    (lambda d: d.update(score=float("nan")), "score is nan"),
    (lambda d: d.update(visibility="public"), "visibility is 'public'"),
    (lambda d: d.update(max_score=4), "unknown top-level key 'max_score'"),
    (lambda d: d["tests"][1].update(points=1), "tests[1] has an unknown key 'points'"),
    (lambda d: d["tests"][0].update(max_score="1"), "tests[0].max_score is '1'"),
    (lambda d: d["tests"][0].update(output=["x"]), "tests[0].output is a list"),
    (lambda d: d.update(stdout_visibility=True), "stdout_visibility is True"),
    (lambda d: d.pop("score"), None),              # every test still has a score: valid
    (lambda d: (d.pop("score"), d["tests"][0].pop("score")), "no top-level score"),
    (lambda d: d.update(tests={}), "tests is not a list"),
])
def test_the_gradescope_validation_catches_each_break(break_it, problem):
    data = gradescope_results(_record(json.loads(CANNED[1])), ["loss", "dW2", "db2", "dW1",
                                                                "db1"])
    assert validate_gradescope(data) == []
    break_it(data)
    found = validate_gradescope(data)
    if problem is None:
        assert found == []
    else:
        assert any(problem in p for p in found), found


def test_gradescope_file_from_the_command_line(tmp_path):
    out_file = tmp_path / "results.json"
    code, out, err = run(["grade", str(CLASS / "wrong_layer"), *GRADE,
                          "--gradescope", str(out_file)])
    assert code == 1 and err == "" and "wrong_layer  slip" in out
    data = json.loads(out_file.read_text())
    assert validate_gradescope(data) == []
    assert (data["score"], data["extra_data"]["max_points"]) == (2, 4)
    assert data["output"].startswith("slip: ") and "[wrong_layer E7]" in data["output"]
    code, _, err = run(["grade", str(CLASS / "correct"), str(CLASS / "neighbour"), *GRADE,
                        "--gradescope", str(out_file)])
    assert code == 2 and "--gradescope writes one submission's results.json" in err


# ----------------------------------------------------------------------------- bad input
FILE = ["--file", "submission.py"]


@pytest.mark.parametrize("argv, message", [
    ([], "the following arguments are required: PATH"),
    (["{empty}"], "has no .py files"),
    (["{nested}"], "has no .py files; for one folder per student, give --file NAME"),
    (["{missing}"], "no such file or folder"),
    (["{class}", *FILE, "--timeout", "0"], "argument --timeout: must be positive, got 0"),
    (["{class}", *FILE, "--timeout", "-1"], "argument --timeout: must be positive, got -1"),
    (["{class}", *FILE, "--timeout", "nan"], "argument --timeout: must be positive, got nan"),
    (["{class}", *FILE, "--format", "xml"], "argument --format: invalid choice: 'xml'"),
    (["{class}", *FILE, "--gradescope", "{missing}/results.json"],
     "argument --gradescope: cannot write"),
    (["{class}", *FILE, "--jobs", "0"], "argument --jobs: must be positive, got 0"),
])
def test_bad_arguments_exit_2_with_one_line(tmp_path, argv, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "nested" / "alice").mkdir(parents=True)
    paths = {"{empty}": tmp_path / "empty", "{nested}": tmp_path / "nested",
             "{missing}": tmp_path / "missing", "{class}": CLASS / "correct"}
    for key, path in paths.items():
        argv = [a.replace(key, str(path)) for a in argv]
    code, out, err = run(["grade", *argv, "--function", "loss_and_grads", "--against", "D17"])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("backprop-ref grade: error: "), err
    assert message in err


def test_an_unknown_target_exits_2_with_one_line():
    code, out, err = run(["grade", str(CLASS), *GRADE[:4], "--against", "D99"])
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert "unknown derivation 'D99'" in err


# ----------------------------------------------------------------------------- check
def check(target: str, *more: str) -> tuple[int, str, str]:
    return run(["check", f"{CLASS / target}:loss_and_grads", "--against", "D17", *more])


def test_check_json_is_one_document_when_the_file_prints_at_import():
    code, out, err = check("print_at_import/submission.py", "--json")
    doc = json.loads(out)                              # the whole stdout: one document
    assert code == 0 and err == ""
    assert doc["ok"] is True and doc["verdict"] == "ok"
    assert doc["stdout"] == "loading my network... (W1 is D x H)\n"


def test_check_text_keeps_the_report_apart_from_what_the_file_prints():
    code, out, err = check("print_at_import/submission.py")
    assert code == 0 and "loading my network" not in out
    assert out.rstrip().endswith("result: ok, every output matches the reference")
    assert err.splitlines() == [
        f"backprop-ref check: {CLASS / 'print_at_import/submission.py'}:loss_and_grads "
        "printed (1 line):", "  | loading my network... (W1 is D x H)"]


def test_check_json_for_an_import_error_is_one_document_and_exit_2():
    code, out, err = check("syntax_error/submission.py", "--json")
    doc = json.loads(out)
    assert code == 2 and doc["ok"] is False and doc["verdict"] == "error"
    assert "SyntaxError" in doc["error"] and doc["rows"] == []
    assert err.count("\n") == 1 and "SyntaxError" in err


def test_check_sys_exit_in_the_function_is_no_longer_a_pass():
    """Exit 2, as for a function that raises: the report (the call the checker made, the
    exit as its error) on stdout, one line on stderr; the check stops at the exit, so what
    the function printed is there once."""
    code, out, err = check("exit_in_function/submission.py")
    assert code == 2
    assert out.rstrip().endswith("; it raised SystemExit: 0\nresult: FAIL")
    assert "error: the function exits (sys.exit), which is never a pass: called as " \
           "fn(params, X, y, reg=0.0) on case " in out
    *printed, last = err.splitlines()
    assert last.startswith("backprop-ref check: error: ") and "SystemExit" in last
    assert printed[1:] == ["  | checking the shapes..."]
    code, out, _ = check("exit_in_function/submission.py", "--json")
    doc = json.loads(out)
    assert code == 2 and doc["raised"] is True and doc["ok"] is False
    assert doc["verdict"] == "error" and doc["rows"] == [] and doc["refused"] == []


@pytest.mark.parametrize("target, timeout, verdict, words", [
    ("infinite_loop/submission.py", "0.3", "timeout", "the check took longer than 0.3 s"),
    ("keyboard_interrupt/submission.py", "30", "error", "KeyboardInterrupt"),
    ("os_exit/submission.py", "30", "crash", "with code 3"),
])
def test_check_records_what_stops_a_function_and_exits_2(target, timeout, verdict, words):
    code, out, err = check(target, "--json", "--timeout", timeout)
    doc = json.loads(out)
    assert code == 2 and doc["verdict"] == verdict and words in doc["error"]
    assert err.count("\n") == 1 and words in err


def test_check_a_file_imports_its_neighbour_modules():
    code, out, _ = check("neighbour/submission.py")
    assert code == 0 and "result: ok" in out


def test_check_a_slip_still_exits_1_with_its_diagnosis():
    code, out, err = check("wrong_layer/submission.py")
    assert code == 1 and err == "" and "[wrong_layer E7]" in out


def test_a_flood_of_output_is_cut_and_cannot_fill_the_disk(tmp_path):
    """Past 64 MB a write fails ("File too large"): the function raised, the record keeps
    the first 20 000 characters of what it printed."""
    f = tmp_path / "flood.py"
    f.write_text("import sys\n\ndef loss_and_grads(params, X, y, reg=0.0):\n"
                 "    for _ in range(100):\n        sys.stdout.write('x' * 2**20)\n")
    code, out, err = run(["check", f"{f}:loss_and_grads", "--against", "D17", "--json"])
    doc = json.loads(out)
    assert code == 2 and doc["verdict"] == "error" and "File too large" in doc["error"]
    assert len(doc["stdout"]) < 20_100 and doc["stdout"].endswith("(cut: 67108864 bytes in all)")


# ----------------------------------------------------------------------------- the runner
def test_interrupting_the_grader_stops_every_running_submission(tmp_path):
    from comparisons.isolation import Job, run_jobs

    pid_file = tmp_path / "pid"
    spin = tmp_path / "spin.py"
    spin.write_text(f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                    "def loss_and_grads(params, X, y, reg=0.0):\n    while True:\n"
                    "        pass\n")
    jobs = [Job(str(spin), "loss_and_grads", "D17"),
            Job(str(CLASS / "correct" / "submission.py"), "loss_and_grads", "D17")]

    def ctrl_c(outcome):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_jobs(jobs, timeout=60, parallel=2, on_done=ctrl_c)
    pid = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


def test_without_the_zygote_each_submission_gets_a_fresh_interpreter(monkeypatch):
    """The fallback where os.fork does not exist: the same records (and a relative path
    means what it means to the caller, whatever folder the submission runs in)."""
    from comparisons.isolation import Job, describe, run_jobs

    monkeypatch.chdir(CLASS)
    jobs = [Job(f"{name}/submission.py", "loss_and_grads", "D17", cwd="temp")
            for name in ("print_at_import", "os_exit")]
    first, second = (describe(o) for o in run_jobs(jobs, timeout=30, mode="spawn"))
    assert first["verdict"] == "ok" and first["stdout"].startswith("loading my network")
    assert second["verdict"] == "crash" and "code 3" in second["reason"]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("tqdm", [True, False])
def test_a_progress_bar_only_on_a_terminal(monkeypatch, tqdm):
    from comparisons import grading

    if not tqdm:
        monkeypatch.setitem(__import__("sys").modules, "tqdm", None)   # the cli extra missing
    term = _Terminal()
    monkeypatch.setattr("sys.stderr", term)
    bar = grading._Progress(3)
    bar.update()
    bar.close()
    shown = term.getvalue()
    assert "grading" in shown and (("grading: 1/3" in shown) is not tqdm)
    piped = io.StringIO()
    monkeypatch.setattr("sys.stderr", piped)
    bar = grading._Progress(3)
    bar.update()
    bar.close()
    assert piped.getvalue() == ""


def test_conventions_pass_through_only_when_declared():
    """The options reach the checker as given, validated by it before any submission runs
    (one line, exit 2); ``--l2 sum`` on the notes' net is CS231n's convention, so the
    correct submission is off by the L2 term's factor 2 there."""
    import argparse

    from comparisons.grading import check_options

    given = argparse.Namespace(against="D17", layout="rows", l2=None, reduction=None)
    assert check_options(given) == {"layout": "rows", "l2": "half", "reduction": "mean",
                                     "seed": 0}
    code, out, err = run(["grade", str(CLASS / "correct"), *GRADE, "--l2", "sum"])
    assert (code, err) == (1, "") and "[reg_scale]" in out
    code, out, err = run(["grade", str(CLASS / "correct"), *GRADE[:4], "--against", "D11",
                          "--l2", "sum"])
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert "l2='sum' has no use for D11 (delta_ce_softmax)" in err


# ------------------------------------------------------------- the same rules in-process
def _function(name: str):
    from comparisons.submission import load_function

    return load_function(str(CLASS / name / "submission.py"), "loss_and_grads")


def test_in_process_sys_exit_is_an_error_of_the_report_never_a_pass(capsys):
    """`testing.check` catches an exit of the function: the check stops there (the print
    before it happens once), the report says it, and nothing escapes to the caller."""
    from backprop_ref import testing

    rep = testing.check(_function("exit_in_function"), "D17")
    assert not rep.ok and rep.raised and rep.rows == [] and rep.refused == []
    assert rep.error.endswith("; it raised SystemExit: 0")
    assert capsys.readouterr().out == "checking the shapes...\n"


@pytest.mark.parametrize("when", ["one-hot rows", "self-consistency"])
def test_an_exit_on_some_calls_only_is_not_a_refusal(when):
    """A function that exits on one form of labels only, or only when the checker
    differences its loss: an error still, never a refused form or "not checked"."""
    import sys

    import numpy as np

    from backprop_ref import testing, two_layer

    calls = []

    def net(params, X, y, reg=0.0):
        calls.append(1)
        if (np.ndim(y) == 2) if when == "one-hot rows" else len(calls) > cases:
            sys.exit(3)
        return two_layer.loss_and_grads(params, X, y, reg)

    cases = len(testing.check(two_layer.loss_and_grads, "D17").tried)
    rep = testing.check(net, "D17")
    assert not rep.ok and rep.raised and "SystemExit: 3" in rep.error
    if when == "self-consistency":
        assert "differencing your loss" in rep.error and rep.self_consistent is None


def test_in_process_keyboard_interrupt_is_passed_on():
    """Ctrl-C in an interactive check stops it: `testing.check` passes KeyboardInterrupt
    on (its own process can tell a Ctrl-C from nothing else); in a submission's own
    process, where no Ctrl-C reaches, it is the function's and its record says so."""
    from backprop_ref import testing

    with pytest.raises(KeyboardInterrupt):
        testing.check(_function("keyboard_interrupt"), "D17")
