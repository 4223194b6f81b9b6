"""The command line: exit codes, JSON, missing backends, plots, and bad arguments; nothing a
user types ends in a traceback (a diverging run, a closed pipe, a quick benchmark run)."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import backprop_ref as bp
from comparisons.catalog import ids
from comparisons import verify
from comparisons.cli import EXIT_BROKEN_PIPE, main

ROOT = Path(__file__).resolve().parents[1]


def _run(argv, capsys):
    try:
        code = main(argv)
    except SystemExit as exc:      # argparse errors
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


def test_verify_json_holds_every_id_and_exits_0(capsys):
    code, out, _ = _run(["verify", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert [d["id"] for d in data["derivations"]] == ids() == [f"D{i}" for i in range(1, 21)]
    assert data["ok"] is True
    d11 = next(d for d in data["derivations"] if d["id"] == "D11")
    assert d11["backends"]["torch"]["max_abs_error"] <= 1e-12
    assert d11["sympy"]["holds"] is True


def test_verify_only_and_backend_narrow_the_run(capsys):
    code, out, _ = _run(["verify", "--only", "D11,D12", "--backend", "fd"], capsys)
    assert code == 0
    lines = [ln for ln in out.splitlines() if ln.startswith("D")]
    assert [ln.split()[0] for ln in lines] == ["D11", "D12"]
    assert "torch autograd" not in out and "central diff" in out


def test_verify_writes_markdown(tmp_path, capsys):
    path = tmp_path / "VERIFY.md"
    code, _, _ = _run(["verify", "--only", "D1", "--markdown", str(path)], capsys)
    assert code == 0
    text = path.read_text()
    assert text.startswith("# Verify report") and "| D1 |" in text


def test_a_broken_derivation_turns_verify_red(monkeypatch, capsys):
    real = bp.delta_ce_softmax
    monkeypatch.setattr(bp, "delta_ce_softmax", lambda z, y: -real(z, y))   # one sign
    code, out, _ = _run(["verify", "--only", "D11", "--backend", "torch,fd"], capsys)
    assert code == 1
    assert "FAIL" in out and "D11 torch autograd: fail" in out


def test_verify_reports_a_missing_backend_without_a_traceback():
    code = ("import sys; sys.modules['torch'] = None\n"
            "from comparisons.cli import main\n"
            "sys.exit(main(['verify', '--only', 'D1,D11', '--backend', 'torch,fd']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert 'not installed — pip install -e ".[torch]"' in r.stdout      # works in a checkout
    assert "Traceback" not in r.stderr


def test_train_prints_accuracies_and_writes_a_png(tmp_path, capsys):
    path = tmp_path / "curves.png"
    code, out, _ = _run(["train", "--data", "iris", "--epochs", "40", "--plot", str(path)],
                        capsys)
    assert code == 0
    assert "test accuracy" in out and "train accuracy" in out
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000


def test_train_an_mlp_on_blobs(capsys):
    code, out, _ = _run(["train", "--data", "blobs", "--hidden", "8,8", "--epochs", "30",
                         "--batch-size", "32", "--lr", "0.2"], capsys)
    assert code == 0 and "MLP 4-8-8-3" in out
    acc = float(out.split("test accuracy")[1].split()[0])
    assert acc > 0.9


def test_errata_json_lists_every_slip(capsys):
    code, out, _ = _run(["errata", "--json"], capsys)
    assert code == 0
    data = json.loads(out)
    assert [e["id"] for e in data] == [f"E{i}" for i in range(1, 11)]
    assert all(e["ok"] for e in data)


@pytest.mark.parametrize("argv, words", [
    (["verify", "--only", "D21"], "unknown derivation id D21"),
    (["verify", "--backend", "tensorflow"], "unknown backend tensorflow"),
    (["train", "--data", "mnist"], "invalid choice: 'mnist'"),
    (["train", "--lr", "0"], "must be positive, got 0"),
    (["train", "--lr", "-0.1"], "must be positive"),
    (["train", "--epochs", "0"], "must be positive, got 0"),
    (["train", "--epochs", "ten"], "'ten' is not an integer"),
    (["train", "--plot", "/nonexistent/dir/x.png"], "cannot write /nonexistent/dir/x.png"),
    (["train", "--hidden", "10,x"], "not a comma-separated list"),
])
def test_bad_arguments_exit_2_with_one_line(argv, words, capsys):
    code, out, err = _run(argv, capsys)
    assert code == 2
    assert words in err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("backprop-ref")


def test_console_script_is_installed():
    r = subprocess.run(["backprop-ref", "--help"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "verify" in r.stdout


# ------------------------------------------------------------------ train: divergence, progress
@pytest.mark.parametrize(("argv", "epoch"), [
    (["--lr", "100"], 3),            # silent before: exit 0 and a 200-digit final loss
    (["--lr", "1000"], 2),           # a traceback from inside the epoch callback before
    (["--lr", "10", "--batch-size", "8"], 1),
    (["--lr", "1e300"], 1),          # the scores overflow at once
    (["--hidden", "16,16", "--lr", "20"], 3),
])
def test_a_diverging_run_stops_with_one_line_naming_the_epoch(argv, epoch, capsys):
    code, out, err = _run(["train", *argv], capsys)
    assert code == 1
    assert len(err.strip().splitlines()) == 1, err
    assert f"diverged at epoch {epoch} of 300" in err and "--lr" in err and "smaller" in err
    assert "Traceback" not in err and "final loss" not in out
    assert not re.search(r"\d{12}", out + err), "a loss printed with all its digits"


def test_divergence_from_the_l2_term_names_reg():
    """lr·reg > 2: the L2 step W ← (1 − lr·reg)·W alone diverges; the advice says so."""
    import contextlib
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        assert main(["train", "--lr", "5", "--reg", "1"]) == 1
    assert "--lr 5 × --reg 1 is above 2" in err.getvalue()
    assert "below 2/lr = 0.4" in err.getvalue()


def test_a_run_that_learns_is_not_called_diverging(capsys):
    """The bound (100 × ln K) leaves room for oscillation: lr = 5 oscillates up to a loss of
    ~20 (18 × ln 3) on iris and ends at ~1.1; it is reported, not stopped."""
    code, out, err = _run(["train", "--lr", "5", "--epochs", "60"], capsys)
    assert code == 0 and "final loss" in out and err == ""


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_progress_bar_is_drawn_only_on_a_terminal(capsys, monkeypatch):
    code, _, err = _run(["train", "--epochs", "20"], capsys)
    assert code == 0 and err == ""                      # a pipe or a log: no progress
    tty = _Terminal()
    monkeypatch.setattr(sys, "stderr", tty)
    code, _, _ = _run(["train", "--epochs", "20"], capsys)
    assert code == 0 and "20/20" in tty.getvalue() and "loss=" in tty.getvalue()


# ------------------------------------------------------------------ a closed pipe
@pytest.mark.parametrize("argv", [["verify", "--only", "D2", "--backend", "fd", "--no-float32"],
                                  ["--help"]], ids=["verify", "--help"])
def test_a_closed_pipe_ends_quietly_with_exit_141(argv):
    """`backprop-ref verify | head -1`: the reader is gone before the first write (closed
    here before the command prints), so the write fails for certain. (A cheap verify: the
    pipe is handled in `main`, the same for every command and for --json.)"""
    p = subprocess.Popen([sys.executable, "-m", "comparisons", *argv], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    p.stdout.close()
    err = p.stderr.read().decode()
    assert p.wait(timeout=120) == EXIT_BROKEN_PIPE == 141
    assert err == ""


# ------------------------------------------------------------------ verify: width, plurals
@pytest.fixture(scope="module")
def d1_d4():
    return verify.record(verify.build(["D1", "D4"], ["fd"], seed=0, float32=False))


def test_verify_says_1_derivation_and_1_sympy_proof(capsys):
    code, out, _ = _run(["verify", "--only", "D1", "--backend", "fd"], capsys)
    assert code == 0
    assert "1 derivation, 1 framework/central-difference check, 1 SymPy proof;" in out


def test_verify_descriptions_use_the_terminals_width(d1_d4):
    full = "softmax Jacobian ∂A_i/∂z_k = A_i(δ_ik − A_k), the (N, K, K) tensor"
    for width in (None, 200):                          # a pipe, a wide terminal: no cut
        text = verify.render_text(d1_d4, width=width)
        assert full in text and "…" not in text
    text = verify.render_text(d1_d4, width=80)
    assert full not in text and re.search(r"\nD4  softmax Jacobian ∂A_i/∂z_k = \S+…  003", text)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "D1  sigmoid and σ'(z) = σ(z)(1 − σ(z))  " in text     # a short one stays whole
    narrow = verify.render_text(d1_d4, width=20)               # never below a readable width
    assert "\nD4  softmax Jacobian ∂A_i/∂…  003" in narrow


def test_verify_reads_columns_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "70")
    _, out, _ = _run(["verify", "--only", "D4", "--backend", "fd"], capsys)
    assert "…" in out and max(len(line) for line in out.splitlines()) <= 70


# ------------------------------------------------------------------ bench --quick
def _tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.stat().st_size)
            for p in folder.rglob("*")} if folder.exists() else {}


@pytest.mark.full      # a benchmark timed in a nested pytest: about 3 s (pytest --full)
def test_bench_quick_writes_only_to_a_temporary_folder_and_prints_a_summary(tmp_path):
    """Run from another folder, a quick run (one benchmark, to stay cheap) leaves the
    checkout's .benchmarks/ and benchmarks/ as they were, and prints a few lines.  The one
    benchmark is the reference at the notes' size: the report's other panels (the delta over
    K, the loop over N) are empty and say so, as any hand-picked selection leaves some."""
    before = {d: _tree(ROOT / d) for d in (".benchmarks", "benchmarks")}
    work = tmp_path / "elsewhere"
    work.mkdir()
    r = subprocess.run([sys.executable, "-m", "comparisons", "bench", "--quick", "--", "-k",
                        "test_numpy_reference and notes and not finite",
                        "--benchmark-warmup=off"], cwd=work, capture_output=True,
                       text=True, timeout=300, env={**os.environ, "TMPDIR": str(tmp_path)})
    assert r.returncode == 0, r.stdout + r.stderr
    assert {d: _tree(ROOT / d) for d in (".benchmarks", "benchmarks")} == before
    assert list(work.iterdir()) == []
    lines = r.stdout.strip().splitlines()
    assert lines[0].startswith("quick run: 1 benchmark in ") and len(lines) <= 8
    assert max(len(line) for line in lines[:-1]) <= 100                # no 200-column tables
    folder = Path(lines[-1].split(": ", 1)[1])
    assert folder.parent == tmp_path and (folder / "REPORT.md").is_file()
    assert "Quick run" in (folder / "REPORT.md").read_text()
    assert len(r.stderr.strip().splitlines()) == 1          # "running the benchmarks …"
