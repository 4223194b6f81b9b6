"""The command line: exit codes, JSON, missing backends, plots, and bad arguments."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import backprop_ref as bp
from comparisons.catalog import ids
from comparisons.cli import main


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
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "not installed — pip install 'backprop-ref[torch]'" in r.stdout
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
