"""The exercises page: its outputs are today's, its pytest recipe runs, it is in the site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "exercises.md"
CLASS = ROOT / "tests" / "submissions"

# a figure below the agreement bound is round-off: it depends on the CPU, the BLAS kernel
# and the thread count, so the page keeps the recorded one and the test compares the rest
_ROUND_OFF = re.compile(r"\b(0\.0e\+00|\d\.\de-(1[3-9]|[2-9]\d|\d{3}))\b")


def _verdicts(text: str) -> str:
    return _ROUND_OFF.sub("≈0", text)


def _page_module():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import exercise_page
    finally:
        sys.path.pop(0)
    return exercise_page


def test_the_page_is_what_the_commands_print_now():
    """docs/exercises.md is generated from real runs; regenerate it with
    ``python examples/exercise_page.py`` when an output changes."""
    page = PAGE.read_text(encoding="utf-8")
    assert _verdicts(page) == _verdicts(_page_module().render()), \
        "stale: run python examples/exercise_page.py"
    assert "not written yet: dZ2, dW2, db2, dA1, dZ1, dW1, db1" in page
    assert "dZ2: [scale]" in page
    assert "result: ok, every output matches the reference" in page


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
