"""The layering: backprop_ref is NumPy only; frameworks come in lazily."""

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


def _imports(path: pathlib.Path):
    """Every absolute import of a file: (module name, imported names, line)."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, [], node.lineno
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module, [a.name for a in node.names], node.lineno


def test_backprop_ref_sources_import_only_numpy_and_the_standard_library():
    """``backprop_ref/__main__.py`` alone may reach for the command line, which lives in
    ``comparisons`` (``python -m backprop_ref``); it does so lazily, with a message naming
    the extra to install, and no module of the reference imports it."""
    allowed = set(sys.stdlib_module_names) | {"numpy", "backprop_ref"}
    main = ROOT / "backprop_ref" / "__main__.py"
    top_level = [n for n in ast.parse(main.read_text()).body
                 if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert all(m.split(".")[0] in allowed for n in top_level
               for m in ([a.name for a in n.names] if isinstance(n, ast.Import)
                         else [n.module or ""])), "__main__ imports comparisons at the top"
    assert {m for m, _, _ in _imports(main)} - allowed <= {"comparisons.cli"}
    for path in (ROOT / "backprop_ref").rglob("*.py"):
        if path == main:
            continue
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
    assert f'pip install -e ".[{extra}]"' in r.stderr     # the command that works in a checkout
    assert "MissingExtra" in r.stderr


def test_comparisons_imports_and_reports_missing_backends_without_a_traceback():
    r = _run("""
        import comparisons
        from comparisons import agreement, catalog
        out = agreement.run(catalog.get("D11"), "torch")
        assert out.status == "not installed", out
        assert 'pip install -e ".[torch]"' in out.message
        assert agreement.run(catalog.get("D11"), "fd").status == "ok"
        print("ok")
    """)
    assert r.returncode == 0 and "ok" in r.stdout, r.stderr


def test_twins_write_forward_passes_only():
    """No derivative is written or taken inside a twin's forward pass: no custom autograd
    rules, hooks, or calls to grad/vjp.  (Only the D20 training loop ``sgd_run`` asks the
    framework for gradients, as a training loop must, and its ``sgd_step`` reads them.)"""
    forbidden = {"Function", "custom_vjp", "custom_jvp", "defvjp", "defjvp", "register_hook",
                 "backward", "grad", "vjp", "jvp", "jacfwd", "jacrev", "value_and_grad"}
    for name in ("twins_torch.py", "twins_jax.py", "twins_numpy.py", "twin_mlp.py"):
        tree = ast.parse((ROOT / "comparisons" / name).read_text())
        for fn in tree.body:
            if isinstance(fn, ast.FunctionDef) and fn.name == "sgd_run":
                continue
            # the step reads the gradients backward() left in .grad, and takes none itself
            allowed = {"grad"} if getattr(fn, "name", "") == "sgd_step" else set()
            for node in ast.walk(fn):
                ident = node.attr if isinstance(node, ast.Attribute) else (
                    node.id if isinstance(node, ast.Name) else None)
                assert ident not in forbidden - allowed, \
                    f"{name}: {getattr(fn, 'name', '')} uses {ident}"


def test_twins_never_import_the_reference():
    """A torch/JAX twin that called backprop_ref would compare the reference with itself.
    (``twins_numpy`` is built from the reference's forwards on purpose: it is what central
    differences differentiate.)"""
    for name in ("twins_torch.py", "twins_jax.py", "twin_mlp.py"):
        for module, _, line in _imports(ROOT / "comparisons" / name):
            assert not module.startswith("backprop_ref"), f"{name}:{line} imports {module}"
        text = (ROOT / "comparisons" / name).read_text()
        assert "backprop_ref" not in text and "from .twins_numpy" not in text, name


def test_benchmarks_and_comparisons_use_only_public_names_of_the_reference():
    """No ``_``-prefixed module or name of backprop_ref is imported or reached for across
    the package boundary."""
    paths = [*(ROOT / "comparisons").rglob("*.py"), *(ROOT / "benchmarks").rglob("*.py")]
    for path in paths:
        for module, names, line in _imports(path):
            if module.split(".")[0] != "backprop_ref":
                continue
            private = [m for m in module.split(".")[1:] + names if m.startswith("_")]
            assert not private, f"{path.name}:{line} imports {module} {names}"
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__") and isinstance(node.value, ast.Name)
                    and node.value.id in ("bp", "backprop_ref")):
                raise AssertionError(f"{path.name}:{node.lineno} uses bp.{node.attr}")
