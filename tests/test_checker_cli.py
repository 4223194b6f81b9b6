"""``backprop-ref check``: exit codes, one-line errors, JSON, and the tutorial page that
shows its real output."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from backprop_ref import testing
from comparisons import records
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


def _page_module(name: str):
    """A page script of examples/ (`check_page`, `exercise_page`, their `page_runs`)."""
    import importlib

    sys.path.insert(0, str(ROOT / "examples"))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.pop(0)


def _check_page():
    return _page_module("check_page")


@pytest.fixture(scope="module")
def committed():
    """The committed record docs/check-your-backprop.json; without a readable one, the
    tests that read it skip and `test_a_missing_record_says_how_to_regenerate_it` fails
    with the one line that says how to regenerate it."""
    return records.for_test(_check_page().RECORD, "checker",
                            skip_to="test_a_missing_record_says_how_to_regenerate_it")


def test_the_tutorial_page_is_what_the_checker_prints_now(committed):
    """docs/check-your-backprop.md is exactly the rendering of the record
    docs/check-your-backprop.json (regenerate both with ``python -m comparisons.records
    checker``): a hand edit of the page fails here, and the page renders the record's
    figures, not figures of its own."""
    check_page = _check_page()
    page = (ROOT / "docs" / "check-your-backprop.md").read_text(encoding="utf-8")
    assert page == check_page.render(committed), (
        "docs/check-your-backprop.md is not docs/check-your-backprop.json rendered: "
        f"regenerate both with `{records.REGENERATE} checker`")
    for kind in check_page.MEANING:
        assert f"### `{kind}`" in page
    assert set(check_page.MEANING) == set(testing.KINDS)
    for key in ("cpu", "cores", "blas", "blas kernel", "blas threads", "numpy", "python"):
        assert committed["run"]["environment"].get(key), f"the record does not name its {key}"
    assert committed["run"]["command"] == f"{records.REGENERATE} checker"
    assert [r["id"] for r in committed["runs"]] == [r[1] for r in check_page.RUNS]
    doctored = json.loads(json.dumps(committed))
    row = next(r for r in doctored["runs"] if r["id"] == "scale")["report"]["rows"][1]
    row["max_abs_error"] = 7.7e7
    assert "7.7e+07" in check_page.render(doctored) and "7.7e+07" not in page


@pytest.fixture(scope="module")
def machine(committed):
    """Where the record was made, for the failure messages (warns OtherMachine once when
    this machine differs in what moves round-off)."""
    return records.provenance("docs/check-your-backprop.json", committed)


@pytest.mark.parametrize("rid", [r[1] for r in _check_page().RUNS])
def test_a_fresh_run_reaches_the_records_verdicts(committed, machine, rid):
    """Each recorded run, re-run on this machine: the same exit code, verdict, kinds and
    messages; round-off figures within their bound, the others to the printed digits."""
    check_page = _check_page()
    recorded = next(r for r in committed["runs"] if r["id"] == rid)
    fresh = check_page.run(recorded["how"])
    problems = _page_module("page_runs").differences(fresh, recorded)
    assert not problems, machine + "; a fresh run here differs:\n  " + "\n  ".join(problems)


def test_the_record_comparison_can_fail(committed):
    """A changed verdict, kind, exit code, message or non-round-off figure is a
    difference; round-off moving within its bound is not, past it is."""
    differences = _page_module("page_runs").differences
    recorded = next(r for r in committed["runs"] if r["id"] == "scale")
    same = json.loads(json.dumps(recorded))
    same["report"]["rows"][0]["rel_error"] = same["report"]["rows"][0]["rel_error"] / 3
    same["report"]["rows"][0]["max_abs_error"] = 3e-13     # its absolute twin: not compared
    assert differences(same, recorded) == []
    for change in (lambda d: d["report"]["diagnoses"][0].update(kind="sign"),
                   lambda d: d["report"]["diagnoses"][0].update(message="dZ2 is 2 × it"),
                   lambda d: d["report"].update(ok=True),
                   lambda d: d.update(exit=0),
                   lambda d: d["report"]["rows"][1].update(
                       max_abs_error=d["report"]["rows"][1]["max_abs_error"] * 1.1),
                   lambda d: d["report"]["rows"][0].update(rel_error=1e-9),
                   lambda d: d["report"].update(tried=d["report"]["tried"][1:])):
        other = json.loads(json.dumps(recorded))
        change(other)
        assert differences(other, recorded), change


def test_a_missing_record_says_how_to_regenerate_it(tmp_path, monkeypatch):
    """A missing or unreadable record is one line naming the one command that regenerates
    it; the committed one is readable."""
    check_page = _check_page()
    records.for_test(check_page.RECORD, "checker")      # missing here: fails in one line
    monkeypatch.setattr(records, "ROOT", tmp_path)
    for content in (None, "{not json", '{"record": "verify", "run": {"environment": {}}}'):
        path = tmp_path / "docs" / "check-your-backprop.json"
        path.parent.mkdir(exist_ok=True)
        if content is not None:
            path.write_text(content)
        monkeypatch.setattr(check_page.SCRIPT, "record", path)
        with pytest.raises(records.RecordError) as info:
            check_page.load_record()
        message = str(info.value)
        assert message.startswith("docs/check-your-backprop.json is ") and "\n" not in message
        assert message.endswith("regenerate it with `python -m comparisons.records checker`")


# ----------------------------------------------------------------- conventions on the CLI
CS231N = str(ROOT / "tests" / "checker_fixtures" / "cs231n_neural_net.py")


def test_cs231n_exits_1_without_l2_sum_and_0_with_it(capsys):
    code, out, err = _run(["check", f"{CS231N}:TwoLayerNet", "--against", "D17"], capsys)
    assert code == 1 and "dW2: [reg_scale]" in out and "--l2 sum" in out and err == ""
    code, out, _ = _run(["check", f"{CS231N}:TwoLayerNet", "--against", "D17", "--l2", "sum",
                         "--json"], capsys)
    d = json.loads(out)
    assert code == 0 and d["ok"] and d["l2"] == "sum"
    assert [w["kind"] for w in d["warnings"]] == ["unstable"] and d["self_consistent"] is True


def test_reduction_sum_on_the_cli(capsys):
    summed = str(ROOT / "examples" / "two_layer_student.py") + ":scale"
    code, _, _ = _run(["check", summed, "--against", "D17", "--reduction", "sum"], capsys)
    assert code == 1                       # dZ2 without 1/N, but the loss is still a mean


@pytest.mark.parametrize("argv, message", [
    (["--against", "D11", "--l2", "sum"], "l2='sum' has no use for D11 (delta_ce_softmax)"),
    (["--against", "D17", "--l2", "full"], "argument --l2: invalid choice: 'full'"),
])
def test_a_convention_error_exits_2_in_one_line(argv, message, capsys):
    code, out, err = _run(["check", f"{STUDENT}:correct", *argv], capsys)
    assert code == 2 and out == "" and message in err and err.count("\n") == 1


def test_a_class_of_another_style_exits_2_with_the_recipe(capsys):
    student = str(ROOT / "tests" / "checker_fixtures" / "student_net.py")
    code, out, err = _run(["check", f"{student}:TwoLayerNet", "--against", "D17"], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "fn is the class TwoLayerNet: the checker calls fn(params, X, y, reg=…)" in err


# ----------------------------------------------------------------- FILE.py:NAME, any object
FIXTURES = ROOT / "tests" / "checker_fixtures"
OBJECTS = {
    "cs231n": ("cs231n_neural_net", "from cs231n_neural_net import TwoLayerNet\n\n"
               "net = TwoLayerNet(4, 10, 3)     # as the assignment's notebook builds it\n"),
    "nielsen": ("nielsen_network", "import nielsen_network\n\n"
                "net = nielsen_network.Network([2, 3, 2])\n"),
    "student": ("student_net", "from student_net import TwoLayerNet\n\nnet = TwoLayerNet()\n"),
}


def _object_file(tmp_path, style: str) -> Path:
    """``mine.py`` beside the module it imports, holding ``net``: an object, not a
    function."""
    module, source = OBJECTS[style]
    (tmp_path / f"{module}.py").write_text((FIXTURES / f"{module}.py").read_text())
    (tmp_path / "mine.py").write_text(source)
    return tmp_path / "mine.py"


@pytest.mark.parametrize("style, argv, code, words", [
    ("cs231n", ["--against", "D17", "--l2", "sum"], 0, "result: ok"),
    ("cs231n", ["--against", "D17"], 1, "dW2: [reg_scale]"),
    ("nielsen", ["--against", "D18"], 0, "result: ok"),
])
def test_a_module_level_object_goes_through_its_adapter(tmp_path, capsys, style, argv, code,
                                                        words):
    """``net = TwoLayerNet(...)`` or a Nielsen ``Network``, named as FILE.py:net: checked
    as `testing.check` checks the object itself."""
    mine = _object_file(tmp_path, style)
    got, out, err = _run(["check", f"{mine}:net", *argv], capsys)
    assert (got, err) == (code, ""), out + err
    assert words in out and f"from_{style}(" in out.splitlines()[0]


def test_an_object_the_checker_cannot_adapt_names_its_call(tmp_path, capsys):
    mine = _object_file(tmp_path, "student")
    code, out, err = _run(["check", f"{mine}:net", "--against", "D17"], capsys)
    assert (code, out) == (2, "") and err.count("\n") == 1
    assert err.startswith(f"backprop-ref check: error: {mine}:net: fn is an object of class "
                          "TwoLayerNet, not a function: the checker calls fn(params, X, y, "
                          "reg=…) -> (loss, grads) | Result | dict; for an object of your "
                          "own class, write a function"), err


def test_grade_function_names_an_object_too(tmp_path, capsys):
    """``grade --function net``: the same objects, one per student folder."""
    for student, style in (("ann", "cs231n"), ("bea", "student")):
        (tmp_path / "class" / student).mkdir(parents=True)
        _object_file(tmp_path / "class" / student, style)
    code, out, err = _run(["grade", str(tmp_path / "class"), "--file", "mine.py", "--function",
                           "net", "--against", "D17", "--l2", "sum", "--format", "jsonl"],
                          capsys)
    recs = {r["submission"]: r for r in map(json.loads, out.splitlines())}
    assert code == 1 and err == ""
    assert recs["ann"]["verdict"] == "ok" and recs["ann"]["points"] == 4
    assert recs["bea"]["verdict"] == "error" and recs["bea"]["stage"] == "arguments"
    assert "fn is an object of class TwoLayerNet, not a function: the checker calls " \
           "fn(params, X, y, reg=…)" in recs["bea"]["reason"]
