"""The layering of SPEC §1: backprop_ref is NumPy only; frameworks come in lazily."""

from __future__ import annotations

import ast
import pathlib
import subprocess
import sys
import textwrap

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
BLOCK = "import sys\nfor m in ('torch', 'jax', 'jaxlib', 'sympy', 'matplotlib', 'tqdm'):\n" \
        "    sys.modules[m] = None\n"


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", BLOCK + textwrap.dedent(code)],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_backprop_ref_sources_import_only_numpy_and_the_standard_library():
    allowed = set(sys.stdlib_module_names) | {"numpy", "backprop_ref"}
    for path in (ROOT / "backprop_ref").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in allowed, f"{path.name} imports {name}"


def test_backprop_ref_works_with_every_framework_missing():
    r = _run("""
        import numpy as np, backprop_ref as bp
        p = bp.two_layer.init_params()
        X, y = bp.datasets.make_blobs()
        res = bp.two_layer.loss_and_grads(p, X, y, reg=0.1)
        assert np.isfinite(res.loss)
        assert not [m for m in ('torch', 'jax', 'sympy') if sys.modules.get(m) is not None]
        print("ok")
    """)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


@pytest.mark.parametrize(("module", "extra"), [("comparisons.twins_torch", "torch"),
                                               ("comparisons.twins_jax", "jax")])
def test_a_missing_framework_names_the_extra_to_install(module, extra):
    r = _run(f"import {module}")
    assert r.returncode != 0
    assert f"pip install 'backprop-ref[{extra}]'" in r.stderr
    assert "MissingExtra" in r.stderr


def test_comparisons_imports_and_reports_missing_backends_without_a_traceback():
    r = _run("""
        import comparisons
        from comparisons import agreement, catalog
        out = agreement.run(catalog.get("D11"), "torch")
        assert out.status == "not installed", out
        assert "backprop-ref[torch]" in out.message
        assert agreement.run(catalog.get("D11"), "fd").status == "ok"
        print("ok")
    """)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr


def test_twins_write_forward_passes_only():
    """No derivative is written or taken inside a twin's forward pass: no custom autograd
    rules, hooks, or calls to grad/vjp.  (Only the D20 training loop ``sgd_run`` asks the
    framework for gradients, as a training loop must.)"""
    forbidden = {"Function", "custom_vjp", "custom_jvp", "defvjp", "defjvp", "register_hook",
                 "backward", "grad", "vjp", "jvp", "jacfwd", "jacrev", "value_and_grad"}
    for name in ("twins_torch.py", "twins_jax.py", "twins_numpy.py", "_twin_mlp.py"):
        tree = ast.parse((ROOT / "comparisons" / name).read_text())
        for fn in tree.body:
            if isinstance(fn, ast.FunctionDef) and fn.name == "sgd_run":
                continue
            for node in ast.walk(fn):
                ident = node.attr if isinstance(node, ast.Attribute) else (
                    node.id if isinstance(node, ast.Name) else None)
                assert ident not in forbidden, f"{name}: {getattr(fn, 'name', '')} uses {ident}"
