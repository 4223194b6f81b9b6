"""``docs/exercises.md``, the exercises and the grader: the rendering of a recorded run.

    python -m comparisons.records exercises      # runs the commands, writes the record and the page
    python examples/exercise_page.py             # the same
    python examples/exercise_page.py --check     # exit 1 if the page is not the record rendered

Every output block is what ``backprop-ref exercise``, ``check`` or ``grade`` printed, run in
a scratch folder on the machine the record ``docs/exercises.json`` names (a record of
`comparisons.records`: its ``run`` block names the command, date, machine, BLAS kernel,
threads and library versions; one entry per command, `page_runs`), and `render` builds the
page from the record alone.  ``tests/test_exercise_docs.py`` checks that the committed page
is the committed record rendered, that a fresh run reaches the record's exit codes,
verdicts and messages (round-off figures within their bound, the others to the digits
printed), and runs the page's ``conftest.py`` recipe on a small class.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import page_runs
from comparisons import records

ROOT = page_runs.ROOT
PAGE = ROOT / "docs" / "exercises.md"
RECORD = ROOT / "docs" / "exercises.json"
KIND = "exercises"                       # python -m comparisons.records exercises
CLASS = ROOT / "tests" / "submissions"

#: the demo class of the teacher's section: student -> the test submission it copies
DEMO_CLASS = {"alice": "correct", "bob": "wrong_layer", "carol": "half_written",
              "dan": "exit_in_function", "erin": "infinite_loop"}

#: the slip of the walkthrough's first attempt
FIRST_TRY = {"dZ2": "A2 - Y"}

CONFTEST = '''\
# conftest.py, next to the folder "submissions" (one folder per student, each with net.py)
from pathlib import Path

import pytest

from comparisons.grading import find_submissions, grade

SUBMISSIONS = Path(__file__).parent / "submissions"
FILE = "net.py"
CHECK = dict(function="loss_and_grads", against="D17", timeout=60)


def pytest_generate_tests(metafunc):
    """One test per submission, named after the student."""
    if "submission" in metafunc.fixturenames:
        found = find_submissions([SUBMISSIONS], file=FILE)
        metafunc.parametrize("submission", found, ids=[s.name for s in found])


@pytest.fixture(scope="session")
def records():
    """The whole class graded once, in parallel, each submission in its own process."""
    found = find_submissions([SUBMISSIONS], file=FILE)
    return {r.submission: r for r in grade(found, **CHECK)}


@pytest.fixture
def record(records, submission):
    return records[submission.name]
'''

TEST_CLASS = '''\
# test_class.py, beside conftest.py
import pytest


def test_submission(record):
    if not record.ok:
        pytest.fail(record.summary, pytrace=False)
'''


def backward_part(text: str) -> str:
    """The backward pass of an exercise file: from its marker to the return."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "# ---- backward pass" in line)
    end = next(i for i in range(start, len(lines)) if lines[i].strip().startswith("return"))
    return "\n".join(line[4:] for line in lines[start:end + 1])


CHECK = ["check", "d17.py:loss_and_grads", "--against", "D17"]
GRADE = ["grade", "class", "--file", "net.py", "--function", "loss_and_grads", "--against",
         "D17", "--timeout", "1"]


def make_record() -> dict:
    """Run the page's commands now, in a scratch folder, on this machine: the record."""
    from comparisons import exercises as ex

    work = tempfile.mkdtemp(prefix="backprop-ref-page-")
    try:
        runs = {"exercise": page_runs.command(["exercise", "D17", "-o", "d17.py"], work)}
        skeleton = Path(work, "d17.py").read_text(encoding="utf-8")
        runs["untouched"] = page_runs.check(CHECK, work)
        first = ex.solution("D17", filename="d17.py", change=FIRST_TRY)
        Path(work, "d17.py").write_text(first, encoding="utf-8")
        runs["slipped"] = page_runs.check(CHECK, work)
        Path(work, "d17.py").write_text(ex.solution("D17", filename="d17.py"),
                                        encoding="utf-8")
        runs["solved"] = page_runs.check(CHECK, work)
        for student, source in DEMO_CLASS.items():
            os.makedirs(os.path.join(work, "class", student))
            shutil.copy(CLASS / source / "submission.py",
                        os.path.join(work, "class", student, "net.py"))
        runs["graded"] = page_runs.grade(GRADE, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"record": KIND, "run": records.run_block(f"{records.REGENERATE} {KIND}", seed=0),
            "exercises": [{"id": i, "title": e.title, "function": e.function,
                           "lines": list(dict.fromkeys(ex.todo_names(i)))}
                          for i, e in ex.EXERCISES.items()],
            "code": {"skeleton": backward_part(skeleton), "first_try": backward_part(first)},
            "runs": [{"id": k, **v} for k, v in runs.items()]}


def render(record: dict) -> str:
    """The page, from the record alone."""
    from comparisons.grading import GRADESCOPE_KEYS, GRADESCOPE_TEST_KEYS

    runs = {r["id"]: r for r in record["runs"]}
    rows = [f"| {e['id']} | {e['title']} | `{e['function']}` | {', '.join(e['lines'])} | "
            f"`backprop-ref exercise {e['id']}` |" for e in record["exercises"]]
    page = _page(record, runs, rows, GRADESCOPE_KEYS, GRADESCOPE_TEST_KEYS)
    return "\n".join(page).rstrip() + "\n"


def _page(record: dict, runs: dict, rows: list, top_keys, test_keys) -> list[str]:
    console = {k: page_runs.console(v) for k, v in runs.items()}
    return [
        "# Exercises, and grading a class",
        "",
        "<!-- rendered from the record docs/exercises.json by "
        f"`{records.REGENERATE} {KIND}`; tests/test_exercise_docs.py ties the two -->",
        "",
        "An exercise is a Python file to hand to a student: the forward pass written out, "
        "every line of the backward pass left to write, each with the shape it must have. "
        "`backprop-ref check` tells the student which lines are still to write, what is "
        "wrong with a line that is written, and when everything is right (how the checker "
        "names a slip, its conventions and the classes it adapts: "
        "[Check your own backprop](check-your-backprop.md)). `backprop-ref grade` checks a "
        "whole class, each submission in its own process.",
        "",
        page_runs.provenance(record, "docs/exercises.json") + " A round-off figure (an "
        "error below the bound `1e-12 · max(1, max|reference|)`) differs on another CPU, "
        "BLAS kernel or thread count; the tests compare a fresh run's exit codes, verdicts "
        "and messages with the record, its round-off figures with their bound and every "
        f"other figure to the digits printed. `{records.REGENERATE} {KIND}` runs the "
        "commands again on your machine.",
        "",
        "| id | exercise | function | lines to write | get it |",
        "|---|---|---|---|---|",
        *rows,
        "",
        "Each exercise exists in the rows layout (this project's, the default) and in "
        "Nielsen's columns layout (`--layout columns`: one example per column, `W` of shape "
        "(fan_out, fan_in), `b` of shape (fan_out, 1)). Without `-o` the file is printed; "
        "`-o FILE` never writes over an existing file unless you add `--force`.",
        "",
        "## From skeleton to ok: the notes' network (D17)",
        "",
        "### 1. Get the exercise",
        "",
        *console["exercise"],
        "The file runs as it is. Its docstring says what to write and how to check it; the "
        "forward pass is written, and the backward pass is seven TODO lines:",
        "",
        "<!-- notest -->",
        "```python",
        record["code"]["skeleton"],
        "```",
        "",
        "### 2. Check it before writing anything",
        "",
        "The checker recognises the `...` lines and names them, in order:",
        "",
        *console["untouched"],
        "### 3. Write the lines",
        "",
        "A first attempt, with the batch mean's `1/N` forgotten in `dZ2`:",
        "",
        "<!-- notest -->",
        "```python",
        record["code"]["first_try"],
        "```",
        "",
        "The checker runs it on its cases (N = 1 and N > 1, `reg = 0` and `reg > 0`, "
        "pre-activations exactly 0, logits near ±1000, integer labels, one-hot and soft "
        "rows), compares every output with the reference and names the first wrong step and "
        "its cause. Every output after `dZ2` inherits the slip; the diagnosis is on `dZ2`:",
        "",
        *console["slipped"],
        "### 4. Fix it",
        "",
        "With `dZ2 = (A2 - Y) / N`, every output matches the reference (the errors are "
        "round-off, below the bound `1e-12 · max(1, max|reference|)`):",
        "",
        *console["solved"],
        "The lines the reference itself writes, in `backprop_ref/two_layer.py`, are the "
        "same seven.",
        "",
        "## Grading a class",
        "",
        "```bash",
        "backprop-ref grade PATH... --function NAME --against ID [--file NAME] "
        "[--layout columns]",
        "                   [--l2 sum] [--reduction sum] [--timeout S] [--jobs N]",
        "                   [--format table|jsonl|csv] [--gradescope FILE]",
        "```",
        "",
        "A PATH is a `.py` file (one submission), a folder of `.py` files (one per student; "
        "names that start with `_` and `conftest.py` are skipped), or, with `--file NAME`, a "
        "folder of student folders, each holding `NAME` and whatever modules it imports. A "
        "student folder without `NAME` gets a record saying so. Here a class of five, one "
        "folder each, `--timeout 1`:",
        "",
        *console["graded"],
        "One row per submission: its verdict, the outputs that match out of those compared, "
        "and the first diagnosis or the reason it failed. The exit code is 0 when every "
        "submission is ok, 1 when any is not, and 2 for bad arguments only (no PATH, a PATH "
        "with no `.py` file, a `--timeout` that is not a positive number, an unknown "
        "`--format`, a `--gradescope` file in a folder that does not exist): whatever a "
        "submission does is its record, never an error of the grader.",
        "",
        "| verdict | meaning |",
        "|---|---|",
        "| `ok` | every output it returns matches the reference |",
        "| `slip` | an output disagrees; the reason is the checker's first diagnosis |",
        "| `not written` | an exercise's `...` lines are left; the reason names them |",
        "| `error` | it does not import (a `SyntaxError`, a missing module, a missing "
        "function), raises, calls `sys.exit` or raises `KeyboardInterrupt`, writes more than "
        "64 MB to a file or its output (the write fails: \"File too large\"), or returns "
        "something the checker cannot read |",
        "| `timeout` | it ran past its time limit; it was stopped, with every process it "
        "started |",
        "| `crash` | its process died: `os._exit`, a segmentation fault |",
        "",
        "### One process per submission",
        "",
        "- Each submission is loaded and checked in its own process, up to one per core at a "
        "time (`--jobs N` to choose). The process leads its own process group; at its time "
        "limit the whole group is killed, children it started included.",
        "- Two clocks: loading the file (its imports and top-level code) may take 60 s or "
        "`--timeout`, whichever is longer, so that a submission that imports torch is not "
        "judged on the framework's start-up; the check itself may take `--timeout` seconds "
        "(default 60).",
        "- Its folder is first on `sys.path`, so it imports its neighbour modules; its "
        "working folder is a fresh temporary one (the record lists the files it wrote "
        "there, then they are deleted); no `__pycache__` is written into the class.",
        "- Its stdout and stderr are captured into its record (the first 20 000 "
        "characters), never mixed into the table, the JSON or the CSV; its stdin is empty.",
        "- It runs with one BLAS thread (the grader runs submissions in parallel instead) "
        "and matplotlib's `Agg` back-end (a `plt.show()` cannot block).",
        "- The isolation protects the grader from accidents, not from a hostile submission: "
        "it is not a sandbox.",
        "",
        "`backprop-ref check FILE.py:FUNCTION` runs the same way (with `--timeout S`): the "
        "file's folder is on `sys.path`, what the code prints goes to stderr under a "
        "header (or into the `stdout`/`stderr` fields with `--json`), and `--json` always "
        "prints exactly one JSON document, for an import error, an exit or a timeout too. "
        "It exits 1 for a slip or lines not written yet, and 2 when the function cannot be "
        "run to the end (it does not import, raises, exits, hangs or crashes): "
        "[Check your own backprop](check-your-backprop.md) lists each case.",
        "",
        "### JSON lines and CSV, for a gradebook",
        "",
        "`--format jsonl` prints one JSON object per submission, whatever happened to it: "
        "`submission`, `path`, `function`, `against`, `verdict`, `ok`, `reason`, `stage` "
        "(`load` or `check`), `matched` and `failed` (output names), `not_written`, "
        "`points`, `max_points`, `seconds`, `exit_code`, `stdout`, `stderr`, "
        "`files_written`, and `report`, the checker's full report (rows, diagnoses, cases "
        "tried and refused) or null. `--format csv` prints the columns `submission`, `path`, "
        "`verdict`, `ok`, `points`, `max_points`, `matched`, `compared`, `reason`, "
        "`seconds`.",
        "",
        "Points: one per gradient output that matches the reference (for D17 `dW2`, `db2`, "
        "`dW1`, `db1`; for D11 `dZ`). The loss and a network's intermediates (`Z1`, `A1`, "
        "`dZ2`, `dA1`, …) are compared when returned and shown, and are worth no point, so "
        "`max_points` is the same for every submission whatever it returns.",
        "",
        "### Gradescope",
        "",
        "Gradescope runs one submission per container. `--gradescope FILE` writes its "
        "`results.json`: one test per compared output, worth its points, with its "
        "diagnosis (or why it was not compared) as the test's output; the verdict, the "
        "checker's report and what the code printed as the submission's output. A "
        "`run_autograder` script:",
        "",
        "```bash",
        "#!/usr/bin/env bash",
        "backprop-ref grade /autograder/submission --file net.py --function loss_and_grads \\",
        "    --against D17 --gradescope /autograder/results/results.json || true",
        "```",
        "",
        "`comparisons.grading.validate_gradescope(data)` checks a file against the "
        "autograder format Gradescope documents: the top-level keys "
        + ", ".join(f"`{k}`" for k in top_keys) + " only; the test keys "
        + ", ".join(f"`{k}`" for k in test_keys) + " only; numbers finite, a score on the "
        "submission or on every test, `status` `passed` or `failed`, visibilities among "
        "`hidden`, `after_due_date`, `after_published`, `visible`, formats among `text`, "
        "`html`, `simple_format`, `md`, `ansi`. The tests check every file the grader writes "
        "with it. (Gradescope's documentation has no top-level `max_score`; the grader "
        "puts `max_points` in `extra_data`.)",
        "",
        "### Inside pytest",
        "",
        "To grade a class as one test per submission (a red test per student, the "
        "diagnosis in pytest's summary), put these two files next to the class's folder "
        "and run `pytest -v` there (tests/test_exercise_docs.py runs these two blocks on a "
        "class of three):",
        "",
        "<!-- notest -->",
        "```python",
        CONFTEST.rstrip(),
        "```",
        "",
        "<!-- notest -->",
        "```python",
        TEST_CLASS.rstrip(),
        "```",
        "",
        "The class is graded once, in parallel, by the session fixture; each test looks up "
        "its student's record, and a failing one reads, in pytest's short summary, "
        "`FAILED test_class.py::test_submission[bob] - Failed: bob: slip: dW1: [wrong_layer E7] …` "
        "(pytest cuts the line to the terminal's width). "
        "From Python, `comparisons.grading.grade(submissions, function=…, against=…)` "
        "returns the same records (`record.ok`, `record.verdict`, `record.reason`, "
        "`record.summary`, `record.to_dict()`).",
    ]


#: the page's record, and the functions `comparisons.records` and the tests call
SCRIPT = page_runs.Page(KIND, RECORD, PAGE, make_record, render)
regenerate, load_record, main = SCRIPT.regenerate, SCRIPT.load, SCRIPT.main

if __name__ == "__main__":
    sys.exit(main())
