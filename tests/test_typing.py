"""The reference is typed: mypy is clean on ``backprop_ref`` and its public functions have
real signatures (``reveal_type`` is not ``Any``)."""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

pytest.importorskip("mypy")
ROOT = pathlib.Path(__file__).resolve().parents[1]


def _mypy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)


def test_mypy_is_clean_on_the_reference():
    r = _mypy("-p", "backprop_ref")
    assert r.returncode == 0, r.stdout + r.stderr


def test_public_functions_reveal_their_types(tmp_path):
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import backprop_ref as bp\n"
        "reveal_type(bp.softmax([[1.0, 2.0]]))\n"
        "reveal_type(bp.cross_entropy_with_logits([[1.0, 2.0]], [0]))\n"
        "reveal_type(bp.two_layer.loss_and_grads)\n"
        "reveal_type(bp.mlp.loss_and_grads({}, [[1.0]], [0]).grads)\n"
        "reveal_type(bp.hidden_delta)\n")
    r = _mypy(str(probe))
    lines = [ln for ln in r.stdout.splitlines() if "Revealed type" in ln]
    assert len(lines) == 5, r.stdout + r.stderr
    assert not [ln for ln in lines if ln.rstrip().endswith('"Any"')], r.stdout
    assert "ndarray" in lines[0] and "floating" in lines[1]
    assert "Result" in lines[2] and "dict" in lines[3] and "ArrayLike" not in lines[3]
