"""``backprop-ref exercise``: a skeleton per exercise (D9, D11, D14, D15, D17, D18) in both
layouts, checked untouched (not written yet), with the reference's lines written in (ok),
and with a slip (the checker names it); no skeleton holds a solution line."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from comparisons import exercises as ex
from comparisons.submission import check_function, load_function
from test_grade import run

ROOT = Path(__file__).resolve().parents[1]
CASES = [(i, layout) for i in ex.ids() for layout in ex.LAYOUTS]
ID = lambda c: f"{c[0]}-{c[1]}"           # noqa: E731


def _check(tmp_path, source: str, exercise: str, layout: str, name: str = "mine"):
    path = tmp_path / f"{name}_{exercise}_{layout}.py"
    path.write_text(source, encoding="utf-8")
    fn = load_function(str(path), ex.EXERCISES[exercise].function)
    return check_function(fn, exercise, {"layout": layout})


def test_the_exercises_are_the_six_derivations():
    assert ex.ids() == ["D9", "D11", "D14", "D15", "D17", "D18"]


@pytest.mark.parametrize("case", CASES, ids=ID)
def test_an_untouched_skeleton_is_not_written_yet(tmp_path, case):
    out = _check(tmp_path, ex.skeleton(*case), *case)
    names = ex.todo_names(*case)
    assert out["verdict"] == "not written" and out["report"] is None
    assert out["not_written"] == names
    if len(set(names)) == len(names):
        assert out["reason"] == "not written yet: " + ", ".join(names)
    assert out["text"].endswith("result: FAIL, not written yet")


def test_the_d17_skeleton_names_its_seven_lines(tmp_path):
    out = _check(tmp_path, ex.skeleton("D17"), "D17", "rows")
    assert out["reason"] == "not written yet: dZ2, dW2, db2, dA1, dZ1, dW1, db1"


def test_a_name_written_twice_is_told_by_its_line(tmp_path):
    out = _check(tmp_path, ex.skeleton("D18"), "D18", "rows")
    assert re.fullmatch(r"not written yet: dZ \(line \d+\), dW, db, dA_prev, dZ \(line \d+\)",
                        out["reason"]), out["reason"]


@pytest.mark.parametrize("case", CASES, ids=ID)
def test_the_skeleton_with_its_lines_written_is_ok(tmp_path, case):
    out = _check(tmp_path, ex.solution(*case), *case)
    assert out["verdict"] == "ok", out["text"]


def test_half_a_skeleton_names_only_the_lines_left(tmp_path):
    text = ex.solution("D17", change={n: "..." for n in ["dA1", "dZ1", "dW1", "db1"]})
    out = _check(tmp_path, text, "D17", "rows")
    assert out["reason"] == "not written yet: dA1, dZ1, dW1, db1"


@pytest.mark.parametrize("exercise, layout, slipped, kind", [
    ("D17", "rows", ("dZ2 = (A2 - Y) / N", "dZ2 = A2 - Y"), "dZ2: [scale]"),
    ("D17", "columns", ("dA1 = W2.T @ dZ2", "dA1 = W1 @ dZ2"), "[wrong_layer E7]"),
    ("D15", "rows", ("dZ = dA * g_prime(z)", "dZ = dA"), "[missing_activation_derivative]"),
    ("D11", "rows", ("dZ = (A - Y) / N", "dZ = (Y - A) / N"), "dZ: [sign]"),
    ("D18", "rows", ("dW = A_prev.T @ dZ + reg * W", "dW = A_prev.T @ dZ"), "[missing_reg]"),
])
def test_a_slip_in_an_exercise_is_diagnosed_not_called_unwritten(tmp_path, exercise, layout,
                                                                slipped, kind):
    right, wrong = slipped
    text = ex.solution(exercise, layout)
    assert right in text
    out = _check(tmp_path, text.replace(right, wrong), exercise, layout)
    assert out["verdict"] == "slip" and kind in out["reason"], out["reason"]


def _code_lines(text: str) -> set[str]:
    """Every line of code, comments and spacing dropped."""
    out = set()
    for line in text.splitlines():
        code = line.split("#")[0].strip()
        if code:
            out.add(" ".join(code.split()))
    return out


REFERENCE = "\n".join((ROOT / "backprop_ref" / f).read_text(encoding="utf-8") for f in (
    "two_layer.py", "mlp.py", "layers.py", "deltas.py", "heads.py", "losses.py",
    "activations.py"))


@pytest.mark.parametrize("case", CASES, ids=ID)
def test_no_skeleton_holds_a_solution_line(case):
    skeleton, names = ex.skeleton(*case), set(ex.todo_names(*case))
    code = _code_lines(skeleton)
    assert not code & {" ".join(s.split()) for s in ex.solution_lines(*case)}
    assigned = [n for n in ast.walk(ast.parse(skeleton)) if isinstance(n, ast.Assign)
                and any(ast.unparse(t) in names for t in n.targets)]
    assert assigned and all(isinstance(n.value, ast.Constant) and n.value.value is Ellipsis
                            for n in assigned)
    backward = {line for line in _code_lines(REFERENCE)
                if line.split(" = ")[0].strip() in names}
    assert not code & backward, code & backward


def test_the_d17_solution_is_the_reference_s_own_lines():
    reference = _code_lines((ROOT / "backprop_ref" / "two_layer.py").read_text("utf-8"))
    assert set(ex.solution_lines("D17")) <= reference


@pytest.mark.parametrize("case", CASES, ids=ID)
def test_a_skeleton_says_how_to_check_it_and_imports_only_numpy_and_the_reference(case):
    text = ex.skeleton(*case, filename="work/mine.py")
    assert ex.check_command(case[0], case[1], "mine.py") in text
    assert ("--layout columns" in text) is (case[1] == "columns")
    for line in ex.solution_lines(*case):
        name = line.split(" = ")[0]
        assert re.search(rf"^ *{re.escape(name)} = \.\.\. +# TODO \(", text, re.M), name
    imported = {n.module if isinstance(n, ast.ImportFrom) else n.names[0].name
                for n in ast.walk(ast.parse(text)) if isinstance(n, (ast.Import, ast.ImportFrom))}
    assert imported <= {"numpy", "backprop_ref"}


# ----------------------------------------------------------------------------- command line
def test_exercise_prints_the_skeleton(tmp_path):
    code, out, err = run(["exercise", "d17"])
    assert (code, err) == (0, "") and out == ex.skeleton("D17")


def test_exercise_writes_a_file_and_never_over_one(tmp_path):
    target = tmp_path / "d11.py"
    code, out, err = run(["exercise", "D11", "--layout", "columns", "-o", str(target)])
    assert (code, err) == (0, "")
    assert target.read_text() == ex.skeleton("D11", "columns", str(target))
    assert out.splitlines()[-1] == ("check it with: backprop-ref check d11.py:delta_ce_softmax "
                                    "--against D11 --layout columns")
    target.write_text("# my work\n")
    code, out, err = run(["exercise", "D11", "-o", str(target)])
    assert code == 2 and out == "" and err.count("\n") == 1 and "not overwriting" in err
    assert target.read_text() == "# my work\n"
    assert run(["exercise", "D11", "-o", str(target), "--force"])[0] == 0
    assert target.read_text() == ex.skeleton("D11", filename=str(target))


@pytest.mark.parametrize("argv, message", [
    (["exercise", "D3"], "no exercise for 'D3'; there are exercises for D9, D11, D14, D15, "
                         "D17, D18"),
    (["exercise", "D17", "--layout", "diagonal"], "invalid choice: 'diagonal'"),
    (["exercise", "D17", "-o", "{tmp}/no/such/folder/d17.py"], "does not exist"),
    (["exercise"], "the following arguments are required: ID"),
])
def test_exercise_bad_arguments_exit_2_with_one_line(tmp_path, argv, message):
    code, out, err = run([a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_checking_the_untouched_d17_file_answers_not_written_yet(tmp_path):
    """The exercise file straight from the command line, checked from the command line
    (in its own process): exit 1 and the names, no traceback."""
    target = tmp_path / "d17.py"
    assert run(["exercise", "D17", "-o", str(target)])[0] == 0
    code, out, err = run(["check", f"{target}:loss_and_grads", "--against", "D17"])
    assert (code, err) == (1, "")
    assert out.splitlines()[1:] == [
        "not written yet: dZ2, dW2, db2, dA1, dZ1, dW1, db1 (replace each ... with its "
        "formula)", "result: FAIL, not written yet"]
    assert "Traceback" not in out + err
    code, out, _ = run(["check", f"{target}:loss_and_grads", "--against", "D17", "--json"])
    assert code == 1 and '"verdict": "not written"' in out
    target.write_text(ex.solution("D17"))
    assert run(["check", f"{target}:loss_and_grads", "--against", "D17"])[0] == 0
