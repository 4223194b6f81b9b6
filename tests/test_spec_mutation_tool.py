"""``tools/mutate.py``, the mutation-testing command (issue 16): its bad input, the rewrite
that lets mutmut reach decorated functions, and the equivalence rules of its page."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("mutate", ROOT / "tools" / "mutate.py")
mutate = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mutate)


def test_without_mutmut_it_says_so_in_one_line_and_exits_2(monkeypatch, capsys):
    monkeypatch.setattr(mutate.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(SystemExit) as exc:
        mutate.main(["--report", "none"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "mutmut is not installed" in err and "[dev]" in err


def test_on_a_dirty_work_tree_it_says_so_in_one_line_and_exits_2(monkeypatch, capsys):
    pytest.importorskip("mutmut")
    status = " M backprop_ref/activations.py\n?? tests/test_new.py\n"
    monkeypatch.setattr(mutate, "git", lambda *a, **k: status if a[0] == "status" else "abc\n")
    monkeypatch.setattr(mutate, "prepare", lambda *a: pytest.fail("must not start a run"))
    with pytest.raises(SystemExit) as exc:
        mutate.main(["--report", "none"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "dirty (2 uncommitted path(s): backprop_ref/activations.py, tests/test_new.py)" in err


def test_the_command_line_refuses_bad_arguments_with_exit_2():
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "mutate.py"), "--max-children",
                          "two"], capture_output=True, text=True)
    assert out.returncode == 2 and "invalid int value" in out.stderr


def test_decorators_become_calls_after_the_definition():
    source = ("import functools\n\n@functools.lru_cache(maxsize=None)\n@staticmethod\n"
              "def f(x):\n    return x + 1\n\n\ndef g():\n    return 2\n")
    new = mutate.undecorate(source)
    assert "@" not in new
    assert "f = (functools.lru_cache(maxsize=None))((staticmethod)(f))\n" in new
    scope: dict = {}
    exec(compile(new, "<new>", "exec"), scope)
    assert isinstance(scope["f"].__wrapped__, staticmethod) and scope["g"]() == 2


def _diff(before, after):
    return f"--- a\n+++ b\n@@ -1 +1 @@\n-    {before}\n+    {after}\n"


@pytest.mark.parametrize(("before", "after", "kind"), [
    ("X = X.astype(dtype, copy=False)", "X = X.astype(dtype, copy=True)", "equivalent"),
    ("X = X.astype(dtype, copy=False)", "X = X.astype(dtype, )", "equivalent"),
    ("X = X.astype(dtype, copy=False)", "X = X.astype(None, copy=False)", "UNREVIEWED"),
    ("return cast(np.ndarray, dX), dW", "return cast(None, dX), dW", "equivalent"),
    ("return cast(np.ndarray, dX), dW", "return cast(np.ndarray, None), dW", "UNREVIEWED"),
])
def test_equivalence_rules_cover_exactly_what_they_say(before, after, kind):
    got = mutate.reason_for("backprop_ref.layers.x_dense_forward__mutmut_7",
                            _diff(before, after), mutate.load_reasons())
    assert got[0] == kind


def test_every_file_left_out_of_the_run_says_why():
    """Each ``do_not_mutate`` pattern of ``[tool.mutmut]`` has its reason in the
    ``[left_out]`` table, which the page prints; and the checker is left out whether it is
    a module or a package (mutmut matches the patterns with fnmatch)."""
    import fnmatch

    cfg = mutate.mutmut_config(ROOT / "pyproject.toml")
    reasons = mutate.left_out_reasons()
    blocks = mutate.pragma_blocks(ROOT, cfg)
    assert "comparisons/backends.py::JaxBackend" in blocks
    assert set(cfg["do_not_mutate"]) | set(blocks) == set(reasons)
    assert all(len(r) > 40 for r in reasons.values())
    for path in ("backprop_ref/testing.py", "backprop_ref/testing/__init__.py",
                 "backprop_ref/testing/check.py"):
        assert any(fnmatch.fnmatch(path, p) for p in cfg["do_not_mutate"]), path
    for path in ("backprop_ref/layers.py", "comparisons/agreement.py",
                 "comparisons/finite_diff.py", "comparisons/overlap.py"):
        assert not any(fnmatch.fnmatch(path, p) for p in cfg["do_not_mutate"]), path
    assert set(cfg["source_paths"]) == {"backprop_ref/", "comparisons/"}


def test_the_page_lists_what_is_not_mutated_and_why():
    cfg = {"source_paths": ["backprop_ref/", "comparisons/"],
           "do_not_mutate": ["comparisons/cli.py", "comparisons/new.py"]}
    page = mutate.render(commit="abc", version="3.8.1", cfg=cfg, statuses={"m": "killed"},
                         survivors=[], not_run=[], finished=True, elapsed=60.0, only=[],
                         children=2, commands=[""],
                         blocks=("comparisons/backends.py::JaxBackend",))
    section = page.split("## Not mutated", 1)[1].split("##", 1)[0]
    assert "- `comparisons/cli.py`: the command line" in section
    assert "- `comparisons/backends.py::JaxBackend`: the JAX backend" in section
    assert "- `comparisons/new.py`: **no reason given**" in section
    assert "**100.00 %**" in page
