"""The exercises page: the rendering of a recorded run (docs/exercises.json), which a fresh
run on this machine reproduces by the rule of `comparisons.records`; its pytest recipe
runs; it is in the site.  Regenerate the record and the page with
``python -m comparisons.records exercises``."""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from comparisons import records

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "exercises.md"
CLASS = ROOT / "tests" / "submissions"


def _page_module(name: str = "exercise_page"):
    import importlib

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


@pytest.fixture(scope="module")
def committed():
    """The committed record; without a readable one, the tests that read it skip and
    `test_a_missing_record_says_how_to_regenerate_it` fails with one line."""
    return records.for_test(_page_module().RECORD, "exercises",
                            skip_to="test_a_missing_record_says_how_to_regenerate_it")


@pytest.fixture(scope="module")
def fresh():
    """The page's commands run once more, on this machine (a scratch folder; the class's
    timeout of 1 s included)."""
    return _page_module().make_record()


def test_the_page_is_what_the_commands_print_now(committed):
    """docs/exercises.md is exactly the committed record rendered (a hand edit fails), and
    the rendering takes its outputs from the record."""
    exercise_page = _page_module()
    page = PAGE.read_text(encoding="utf-8")
    assert page == exercise_page.render(committed), (
        "docs/exercises.md is not docs/exercises.json rendered: regenerate both with "
        f"`{records.REGENERATE} exercises`")
    assert "not written yet: dZ2, dW2, db2, dA1, dZ1, dW1, db1" in page
    assert "dZ2: [scale]" in page
    assert "result: ok, every output matches the reference" in page
    assert committed["run"]["command"] == f"{records.REGENERATE} exercises"
    doctored = copy.deepcopy(committed)
    slipped = next(r for r in doctored["runs"] if r["id"] == "slipped")
    slipped["report"]["rows"][5]["max_abs_error"] = 7.7e7
    next(r for r in doctored["runs"] if r["id"] == "graded")["records"][0]["verdict"] = "odd"
    rendered = exercise_page.render(doctored)
    assert "7.7e+07" in rendered and "alice       odd" in rendered


def test_a_fresh_run_reaches_the_records_verdicts(committed, fresh):
    """Every command of the page, run again here: the same exit codes, outputs, verdicts
    and messages; round-off figures within their bound, the others to the printed
    digits.  A record from another machine is no error (the message names it)."""
    page_runs = _page_module("page_runs")
    where = records.provenance("docs/exercises.json", committed, fresh["run"]["environment"])
    assert [r["id"] for r in fresh["runs"]] == [r["id"] for r in committed["runs"]]
    problems = [f"{r['id']}: {p}" for f, r in zip(fresh["runs"], committed["runs"])
                for p in page_runs.differences(f, r)]
    for key in ("exercises", "code"):
        if fresh[key] != committed[key]:
            problems.append(f"{key}: {fresh[key]} != recorded {committed[key]}")
    assert not problems, where + "; a fresh run here differs:\n  " + "\n  ".join(problems)


def test_the_record_comparison_can_fail(committed):
    """A changed verdict, reason, exit code, output or real figure of the page's runs is
    a difference; round-off moving within its bound is not."""
    differences = _page_module("page_runs").differences
    runs = {r["id"]: r for r in committed["runs"]}
    solved = copy.deepcopy(runs["solved"])
    for row in solved["report"]["rows"]:
        row["rel_error"] = row["max_abs_error"] = 9e-13
    assert differences(solved, runs["solved"]) == []
    changes = [
        ("solved", lambda d: d["report"]["rows"][6].update(rel_error=2e-12)),
        ("slipped", lambda d: d["report"]["rows"][5].update(max_abs_error=0.76)),
        ("slipped", lambda d: d["report"]["diagnoses"][0].update(kind="sign")),
        ("untouched", lambda d: d.update(text=d["text"].replace("dW2, ", ""))),
        ("exercise", lambda d: d.update(output=d["output"] + "!")),
        ("graded", lambda d: d["records"][1].update(reason="dW1: [scale] …")),
        ("graded", lambda d: d["records"][3].update(verdict="ok")),
        ("graded", lambda d: d.update(exit=0)),
    ]
    for rid, change in changes:
        other = copy.deepcopy(runs[rid])
        change(other)
        assert differences(other, runs[rid]), (rid, change)


def test_a_missing_record_says_how_to_regenerate_it(tmp_path, monkeypatch):
    exercise_page = _page_module()
    records.for_test(exercise_page.RECORD, "exercises")  # missing here: fails in one line
    monkeypatch.setattr(records, "ROOT", tmp_path)
    monkeypatch.setattr(exercise_page.SCRIPT, "record", tmp_path / "docs" / "exercises.json")
    with pytest.raises(records.RecordError) as info:
        exercise_page.load_record()
    assert str(info.value) == ("docs/exercises.json is missing: regenerate it with "
                               "`python -m comparisons.records exercises`")


def test_the_page_is_in_the_site_s_navigation():
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^  - [^\n]*: exercises\.md$", nav, re.M)


def _block(page: str, first_line: str) -> str:
    blocks = re.findall(r"^```python\n(.*?)^```", page, re.M | re.S)
    return next(b for b in blocks if b.startswith(first_line))


def test_the_pytest_recipe_grades_a_class_one_test_each(tmp_path):
    """The page's conftest.py and test_class.py, run by pytest in a folder of three
    students: one test each, the failures' verdicts and diagnoses in the short summary."""
    page = PAGE.read_text(encoding="utf-8")
    (tmp_path / "conftest.py").write_text(_block(page, "# conftest.py"))
    (tmp_path / "test_class.py").write_text(_block(page, "# test_class.py"))
    for student, source in {"ann": "correct", "bob": "wrong_layer",
                            "cid": "exit_in_function"}.items():
        (tmp_path / "submissions" / student).mkdir(parents=True)
        shutil.copy(CLASS / source / "submission.py", tmp_path / "submissions" / student /
                    "net.py")
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "COLUMNS": "400"}
    r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rfE", "-p", "no:cacheprovider"],
                       cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stdout + r.stderr
    out = r.stdout
    assert "2 failed, 1 passed" in out, out
    summary = {line.split(" - ")[0]: line for line in out.splitlines()
               if line.startswith("FAILED")}
    assert set(summary) == {"FAILED test_class.py::test_submission[bob]",
                            "FAILED test_class.py::test_submission[cid]"}
    assert "- Failed: bob: slip: " in summary["FAILED test_class.py::test_submission[bob]"]
    assert "[wrong_layer E7]" in summary["FAILED test_class.py::test_submission[bob]"]
    assert "- Failed: cid: error: " in summary["FAILED test_class.py::test_submission[cid]"]
    assert "SystemExit" in summary["FAILED test_class.py::test_submission[cid]"]
    assert "test_submission[ann]" not in out
