"""``backprop-ref check``: exit codes, one-line errors, JSON, and the tutorial page that
shows its real output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from test_cli import _run          # main(argv) -> (exit code, stdout, stderr)

ROOT = Path(__file__).resolve().parents[1]
STUDENT = str(ROOT / "examples" / "two_layer_student.py")


def test_a_correct_implementation_exits_0(capsys):
    code, out, err = _run(["check", f"{STUDENT}:correct", "--against", "D17"], capsys)
    assert code == 0, out + err
    assert out.rstrip().endswith("result: ok, every output matches the reference")


def test_nielsen_columns_exit_0(capsys):
    code, out, _ = _run(["check", str(ROOT / "examples" / "nielsen_columns.py") + ":backprop",
                         "--against", "two_layer.loss_and_grads", "--layout", "columns"], capsys)
    assert code == 0 and "layout columns" in out


def test_a_slip_exits_1_with_the_report_and_its_diagnosis(capsys):
    code, out, err = _run(["check", f"{STUDENT}:wrong_layer", "--against", "D17"], capsys)
    assert code == 1 and err == ""
    assert "dW1: [wrong_layer E7]" in out and "FAIL" in out


def test_json(capsys):
    code, out, _ = _run(["check", f"{STUDENT}:erratum", "--against", "D17", "--json"], capsys)
    d = json.loads(out)
    assert code == 1 and d["ok"] is False
    assert [(x["kind"], x["erratum"]) for x in d["diagnoses"]] == [("erratum", "E9")]


def test_a_dotted_module_works(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    code, _, _ = _run(["check", "two_layer_student:sign", "--against", "D17"], capsys)
    assert code == 1


@pytest.mark.parametrize("argv, message", [
    (["no_such_module_xyz:f", "--against", "D17"],
     "cannot import no_such_module_xyz: ModuleNotFoundError: No module named 'no_such_module_xyz'"),
    (["missing_file_xyz.py:f", "--against", "D17"], "cannot import missing_file_xyz.py: no such file"),
    ([f"{STUDENT}:nope", "--against", "D17"], "has no function 'nope'"),
    ([f"{STUDENT}:KINDS", "--against", "D17"], "is a tuple, not a function"),
    ([f"{STUDENT}", "--against", "D17"], "is not MODULE_OR_FILE:FUNCTION"),
    ([f"{STUDENT}:correct", "--against", "D99"], "unknown derivation 'D99'; expected one of D1,"),
])
def test_bad_targets_exit_2_with_one_line(argv, message, capsys):
    code, out, err = _run(["check", *argv], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("backprop-ref check: error: ")
    assert message in err


def test_a_function_that_raises_exits_2_showing_its_exception(tmp_path, capsys):
    f = tmp_path / "broken.py"
    f.write_text("def net(params, X, y, reg=0.0):\n    raise KeyError('W3')\n")
    code, out, err = _run(["check", f"{f}:net", "--against", "D17"], capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.rstrip().endswith("KeyError: 'W3'")
    assert "Traceback" not in out + err


def test_a_module_that_fails_to_import_exits_2(tmp_path, capsys):
    f = tmp_path / "syntax.py"
    f.write_text("def net(:\n")
    code, _, err = _run(["check", f"{f}:net", "--against", "D17"], capsys)
    assert code == 2 and "SyntaxError" in err and err.count("\n") == 1


def test_the_tutorial_page_is_what_the_checker_prints_now():
    """docs/check-your-backprop.md is generated from real runs; regenerate it with
    ``python examples/check_page.py`` when the checker's output changes."""
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import check_page
    finally:
        sys.path.pop(0)
    page = (ROOT / "docs" / "check-your-backprop.md").read_text(encoding="utf-8")
    assert page == check_page.render(), "stale: run python examples/check_page.py"
    for kind in check_page.MEANING:
        assert f"### `{kind}`" in page
