"""The command line behaves as command lines do: a bad argument exits 2 with one line and no
traceback, `--version`, `python -m backprop_ref` and `python -m comparisons`, help with the
defaults and no markup, and `verify` never reports success when it checked nothing."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

import pytest

from comparisons.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def _run(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("argv, words", [
    (["verify", "--seed", "-5"], "a seed must be a non-negative integer, got -5"),
    (["verify", "--seed", "x"], "'x' is not an integer"),
    (["train", "--seed", "-1"], "a seed must be a non-negative integer, got -1"),
    (["train", "--plot", "/proc/c.png"], "cannot write /proc/c.png"),
    (["train", "--plot", "c.txt"], "the path must end in .png, got c.txt"),
    (["train", "--plot", "c"], "the path must end in .png, got c"),
    (["train", "--activation", "tanh"], "--activation needs an MLP"),
    (["train", "--activation", "sigmoid", "--hidden", "12"], "--activation needs an MLP"),
    (["verify", "--only", "D20", "--backend", "fd"], "nothing to check: D20"),
    (["verify", "--only", "D5", "--backend", "fd"], "nothing to check: D5"),
    (["errata", "--backend", "tensorflow"], "invalid choice: 'tensorflow'"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    ([], "the following arguments are required: COMMAND"),
    (["train", "--unknown"], "unrecognized arguments: --unknown"),
    # every argument of every subcommand: a wrong type, an out-of-range value, a missing file
    (["verify", "--only", ""], "unknown derivation id ''"),
    (["verify", "--only", "D1,,x"], "unknown derivation id X"),
    (["verify", "--backend", ""], "unknown backend ''"),
    (["verify", "--seed", "1.5"], "'1.5' is not an integer"),
    (["verify", "--markdown", "/nonexistent/dir/v.md"], "folder /nonexistent/dir does not exist"),
    (["verify", "--markdown", "."], "cannot write .: it is a folder"),
    (["verify", "--json", "extra"], "unrecognized arguments: extra"),
    (["train", "--data", "iris.csv"], "invalid choice: 'iris.csv'"),
    (["train", "--hidden", "0"], "hidden sizes must be positive, got 0"),
    (["train", "--hidden", "4096"], "at most 8 hidden layers of at most 1024 units each"),
    (["train", "--hidden", "2,2,2,2,2,2,2,2,2"], "at most 8 hidden layers"),
    (["train", "--activation", "gelu", "--hidden", "8,8"], "invalid choice: 'gelu'"),
    (["train", "--epochs", "-3"], "must be positive, got -3"),
    (["train", "--epochs", "2000000"], "must be at most 1,000,000, got 2000000"),
    (["train", "--lr", "nan"], "must be positive, got nan"),
    (["train", "--lr", "inf"], "must be positive, got inf"),
    (["train", "--lr", "fast"], "'fast' is not a number"),
    (["train", "--batch-size", "0"], "must be positive, got 0"),
    (["train", "--batch-size", "8.5"], "'8.5' is not an integer"),
    (["train", "--reg", "-0.001"], "must be finite and non-negative, got -0.001"),
    (["train", "--reg", "inf"], "must be finite and non-negative, got inf"),
    (["train", "--reg", "strong"], "'strong' is not a number"),
    (["train", "--seed", "1e3"], "'1e3' is not an integer"),
    (["train", "--plot", "/nonexistent/dir/c.png"], "folder /nonexistent/dir does not exist"),
    (["train", "--epochs"], "argument --epochs: expected one argument"),
    (["errata", "--backend", ""], "invalid choice: ''"),
    (["errata", "--json", "--markdown", "e.md"], "unrecognized arguments: --markdown e.md"),
    (["bench", "--compare-fail", "median:ten"], "Could not parse value: 'median:ten'"),
    (["bench", "--compare", "/nonexistent/run.json"], "--compare: no such file: "
                                                      "/nonexistent/run.json"),
    (["bench", "--compare", "missing.json"], "--compare: no such file: missing.json"),
    (["check", "/nonexistent/mine.py:loss", "--against", "D17"], "/nonexistent/mine.py"),
    (["check", "mine.py:loss"], "the following arguments are required: --against"),
    (["check", "no_colon", "--against", "D17"], "no_colon"),
    (["check", "x.py:f", "--against", "D11", "--layout", "diagonal"], "invalid choice"),
    (["check", "x.py:f", "--against", "D11", "--seed", "x"], "--seed"),
    (["check", "x.py:f", "--against", "D11", "--seed", "-1"],
     "a seed must be a non-negative integer, got -1"),
    (["check", "x.py:f", "--against", "D11", "--timeout", "0"], "must be positive, got 0"),
    (["check", "x.py:f", "--against", "D11", "--l2", "full"], "invalid choice: 'full'"),
    # grade and exercise (their own tests hold the rest): one of each kind
    (["grade"], "the following arguments are required: PATH, --function, --against"),
    (["grade", "/nonexistent/subs", "--function", "f", "--against", "D17"],
     "/nonexistent/subs: no such file or folder"),
    (["grade", ".", "--function", "f", "--against", "D17"], ". has no .py files"),
    (["grade", ".", "--function", "f", "--against", "D17", "--timeout", "-1"],
     "must be positive, got -1"),
    (["grade", ".", "--function", "f", "--against", "D17", "--format", "xml"],
     "invalid choice: 'xml'"),
    (["grade", ".", "--function", "f", "--against", "D17", "--jobs", "two"],
     "'two' is not an integer"),
    (["grade", ".", "--function", "f", "--against", "D17", "--gradescope",
      "/nonexistent/results.json"], "folder /nonexistent does not exist"),
    (["exercise"], "the following arguments are required: ID"),
    (["exercise", "D1"], "no exercise for 'D1'; there are exercises for D9, D11"),
    (["exercise", "D17", "--layout", "diagonal"], "invalid choice: 'diagonal'"),
    (["exercise", "D17", "-o", "/nonexistent/dir/d17.py"],
     "folder /nonexistent/dir does not exist"),
    (["bench", "--compare-fail"], "argument --compare-fail: expected one argument"),
])
def test_a_bad_argument_exits_2_with_one_line(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)          # nothing is written where the test runs
    code, out, err = _run(argv, capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert words in err and err.startswith("backprop-ref")
    assert "Traceback" not in err
    assert "agree" not in out.lower()    # no success line beside the error
    assert list(tmp_path.iterdir()) == []


def test_version_is_the_installed_distribution_version(capsys):
    code, out, _ = _run(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"backprop-ref {importlib.metadata.version('backprop-ref')}"


@pytest.mark.parametrize("module", ["backprop_ref", "comparisons"])
def test_python_dash_m_runs_the_command_line(module):
    r = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("backprop-ref ")


def test_python_dash_m_backprop_ref_names_the_extra_when_the_cli_is_missing():
    code = ("import sys, runpy; sys.modules['comparisons'] = None\n"
            "runpy.run_module('backprop_ref', run_name='__main__')")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=60, cwd=ROOT)
    assert r.returncode == 2
    assert 'pip install -e "."' in r.stderr and "Traceback" not in r.stderr


def _helps():
    parser = build_parser()
    yield "", parser.format_help()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        yield name, p.format_help()


@pytest.mark.parametrize("name, text", list(_helps()), ids=lambda x: x if isinstance(x, str)
                         and len(x) < 10 else "")
def test_help_has_no_markup(name, text):
    for markup in ("``", ":func:", ":class:", ".. "):
        assert markup not in text, f"{name or 'top-level'} help shows {markup!r}"


def test_help_shows_defaults_and_every_option_is_explained():
    helps = dict(_helps())
    for default in ("(default: iris)", "(default: 300)", "(default: 0.5)", "(default: 0)",
                    "(default: 10)", "(default: relu)", "(default: 0.001)"):
        assert default in helps["train"], default
    assert "(default: 0)" in helps["verify"]
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        for action in p._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"


def test_every_subcommand_has_a_row_in_the_bad_argument_table():
    """A new command cannot join without its one-line errors being tried."""
    table = test_a_bad_argument_exits_2_with_one_line.pytestmark[0].args[1]
    tried = {argv[0] for argv, _ in table if argv}
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert set(sub.choices) <= tried, set(sub.choices) - tried


def _help_examples():
    """Every command line shown in a help text: the top-level description and each
    command's examples (the lines that start with ``backprop-ref``)."""
    from comparisons.cli import DESCRIPTION, EXAMPLES

    lines = [ln for ln in DESCRIPTION.splitlines() if ln.strip().startswith("backprop-ref")]
    return [ln.strip() for ln in lines] + [ln for v in EXAMPLES.values() for ln in v]


@pytest.mark.parametrize("line", _help_examples())
def test_every_example_in_the_help_parses(line):
    """The examples a newcomer copies are command lines this parser accepts (parsed, not
    run: they name the user's files)."""
    import shlex

    argv = shlex.split(line.split(" > ")[0])
    assert argv[0] == "backprop-ref"
    args = build_parser().parse_args(argv[1:])
    assert callable(args.func)


def test_every_command_help_says_what_it_does_and_shows_examples():
    helps = dict(_helps())
    assert "check" in helps[""] and "backprop-ref COMMAND --help" in helps[""]
    for name, text in helps.items():
        if name:
            description = text.split("\n\n")[1]
            assert description[0].isupper() and description.rstrip().endswith("."), name
            assert "Examples:\n    backprop-ref " in text, name


def test_verify_with_nothing_to_check_does_not_claim_success(capsys):
    code, out, err = _run(["verify", "--only", "D20", "--backend", "fd"], capsys)
    assert code == 2 and out == ""
    assert "All checks agree" not in out + err
