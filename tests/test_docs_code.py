"""Every Python code block of README.md and of the documentation pages runs, doctest-style.

A block written as a session (``>>>`` prompts) is checked by the standard library's
doctest: each output shown must be the output produced (whitespace normalised, ``...``
allowed). A block without prompts must run without an error. The blocks of one file share
one namespace, in order, as a reader would type them. An excerpt that is not meant to run
on its own (a changed line of a longer function) says so with an HTML comment on the line
just above its fence: `<!-- notest -->`.
"""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md"] + sorted(p for p in (ROOT / "docs").rglob("*.md")
                                      if "_gen" not in p.parts)
FENCE = re.compile(r"(?P<skip>^[ \t]*<!-- notest -->[ \t]*\n)?^(?P<indent>[ \t]*)```(?:python|py|pycon)[ \t]*\n(?P<body>.*?)^(?P=indent)```",
                   re.MULTILINE | re.DOTALL)
FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def python_blocks(text: str) -> list[tuple[int, str]]:
    """(line number, code) of each fenced Python block."""
    return [(text.count("\n", 0, m.start()) + 2, _dedent(m.group("body"), m.group("indent")))
            for m in FENCE.finditer(text) if not m.group("skip")]


def _dedent(body: str, indent: str) -> str:
    return "\n".join(line[len(indent):] if line.startswith(indent) else line
                     for line in body.splitlines()) + "\n"


def run_blocks(path: Path) -> list[str]:
    """Run every block of a file; return one message per failure."""
    globs: dict = {"__name__": f"docs_{path.stem}"}
    failures = []
    parser = doctest.DocTestParser()
    for lineno, code in python_blocks(path.read_text(encoding="utf-8")):
        where = f"{path.relative_to(ROOT)}:{lineno}"
        if ">>>" in code:
            test = parser.get_doctest(code, globs, where, str(path), lineno - 1)
            out: list[str] = []
            runner = doctest.DocTestRunner(optionflags=FLAGS)
            runner.run(test, out=out.append, clear_globs=False)
            globs.update(test.globs)     # a DocTest runs in a copy: the next block reads it
            failures += out
        else:
            try:
                exec(compile(code, where, "exec"), globs)
            except Exception as exc:  # noqa: BLE001 - reported with its place
                failures.append(f"{where}: {type(exc).__name__}: {exc}")
    return failures


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run_and_show_their_outputs(path):
    failures = run_blocks(path)
    assert not failures, "\n".join(failures)


def test_the_readme_and_the_home_page_have_checked_examples():
    for path in (ROOT / "README.md", ROOT / "docs" / "index.md"):
        assert any(">>>" in code for _, code in python_blocks(path.read_text("utf-8"))), path


def test_a_wrong_output_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```python\n>>> 1 + 1\n3\n\n```\n\n```python\nundefined_name\n```\n"
                    "\n<!-- notest -->\n```python\nanother_undefined_name\n```\n")
    failures = run_blocks_at(page)
    assert len(failures) == 2
    assert "Expected:\n    3\nGot:\n    2" in failures[0]
    assert "NameError" in failures[1]


def test_the_blocks_of_a_page_share_one_namespace(tmp_path):
    """A name a reader defined in one block is there in the next, session or script."""
    page = tmp_path / "page.md"
    page.write_text("```pycon\n>>> x = 2\n```\n\n```python\ny = x + 1\n```\n\n"
                    "```pycon\n>>> x + y\n5\n```\n")
    assert run_blocks_at(page) == []


def run_blocks_at(path: Path) -> list[str]:
    """run_blocks for a file outside the repository (the harness's own test)."""
    global ROOT
    saved, ROOT = ROOT, path.parent
    try:
        return run_blocks(path)
    finally:
        ROOT = saved
