"""What a missing framework says: the command that installs its extra.

The project is installed from a checkout, so the hint is ``pip install -e ".[torch]"`` run
in the checkout, the same with the checkout's path anywhere else, and, for an installed
wheel without a checkout, the packages the extra holds (the extra's requirements, without
its references to backprop-ref's other extras).  In-process and fast: the checkout, the
working directory and the package metadata are stand-ins.
"""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest

from comparisons import _optional

#: backprop-ref's metadata as a wheel declares it (a stand-in for `importlib.metadata`)
REQUIRES = [
    "numpy>=1.24",
    'torch<2.14,>=2.2; extra == "torch"',
    'jax>=0.4.20; extra == "jax"',
    "jaxlib>=0.4.20; extra == 'jax'",
    'pytest>=8; extra == "test"',
    'backprop-ref[cli,torch]; extra == "test"',
    'hypothesis>=6.100 ; extra == "test"',
    'backprop-ref[cli,torch]; extra == "all"',
    'backprop-ref[test]; extra == "dev"',
    'mutmut<4,>=3.8.1; extra == "dev"',
]


def _fake_checkout(root: Path, project: str = "backprop-ref", before: str = "[project]\n"):
    (root / "comparisons").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'{before}name = "{project}"\nversion = "1.0"  # ½ · → ≠\n', encoding="utf-8")
    return str(root / "comparisons" / "_optional.py")


def test_the_checkout_is_the_folder_above_the_package_when_its_project_is_backprop_ref(
        tmp_path, monkeypatch):
    """The folder that holds ``comparisons/`` and a pyproject naming backprop-ref (on any
    line of it); a pyproject of another project, or none, is no checkout."""
    here = Path(_optional.__file__).resolve().parent.parent
    assert _optional.checkout() == here
    ours = tmp_path / "ours"
    monkeypatch.setattr(_optional, "__file__", _fake_checkout(ours))
    assert _optional.checkout() == ours
    other = tmp_path / "other"
    monkeypatch.setattr(_optional, "__file__", _fake_checkout(other, project="backprop-refs"))
    assert _optional.checkout() is None
    monkeypatch.setattr(_optional, "__file__", _fake_checkout(tmp_path / "third",
                                                              project="other"))
    assert _optional.checkout() is None
    bare = tmp_path / "bare" / "comparisons"
    bare.mkdir(parents=True)
    monkeypatch.setattr(_optional, "__file__", str(bare / "_optional.py"))
    assert _optional.checkout() is None


def test_the_checkouts_pyproject_is_read_as_utf8_whatever_the_locale(
        tmp_path, monkeypatch, ascii_locale):
    """Its text is UTF-8 (TOML's encoding) on every machine, whatever the default
    encoding of the locale."""
    monkeypatch.setattr(_optional, "__file__", _fake_checkout(tmp_path))
    assert _optional.checkout() == tmp_path


def test_in_the_checkout_the_hint_is_an_editable_install_of_the_extra(tmp_path, monkeypatch):
    root = (tmp_path / "checkout").resolve()
    root.mkdir()
    monkeypatch.setattr(_optional, "checkout", lambda: root)
    monkeypatch.chdir(root)
    assert _optional.extra_hint("torch") == 'pip install -e ".[torch]"'
    assert _optional.install_hint("sympy") == 'pip install -e ".[symbolic]"'


def test_elsewhere_the_hint_names_the_checkouts_path(tmp_path, monkeypatch):
    root = (tmp_path / "checkout").resolve()
    (root / "sub").mkdir(parents=True)
    monkeypatch.setattr(_optional, "checkout", lambda: root)
    monkeypatch.chdir(root / "sub")
    assert _optional.extra_hint("torch") == f'pip install -e "{root}[torch]"'
    monkeypatch.chdir(tmp_path)
    assert _optional.install_hint("matplotlib") == f'pip install -e "{root}[plot]"'


@pytest.fixture
def wheel(monkeypatch):
    """An installed wheel: no checkout, and the metadata of :data:`REQUIRES`."""
    def requires(name):
        if name != "backprop-ref":
            raise importlib.metadata.PackageNotFoundError(name)
        return list(REQUIRES)

    monkeypatch.setattr(_optional, "checkout", lambda: None)
    monkeypatch.setattr(importlib.metadata, "requires", requires)


def test_without_a_checkout_the_hint_installs_the_extras_requirements(wheel):
    """Each requirement of that extra only, quoted, its marker dropped; the extra's
    references to backprop-ref's other extras are left out (they cannot be installed from
    an index: backprop-ref is not on one)."""
    assert _optional.extra_hint("torch") == 'pip install "torch<2.14,>=2.2"'
    assert _optional.extra_hint("jax") == 'pip install "jax>=0.4.20" "jaxlib>=0.4.20"'
    assert _optional.extra_hint("test") == 'pip install "pytest>=8" "hypothesis>=6.100"'
    assert _optional.extra_hint("dev") == 'pip install "mutmut<4,>=3.8.1"'


def test_an_extra_with_nothing_to_install_by_name_says_which_extra(wheel):
    """An extra that only gathers other extras, or one the metadata does not list."""
    assert _optional.extra_hint("all") == "install backprop-ref's [all] extra"
    assert _optional.extra_hint("plot") == "install backprop-ref's [plot] extra"


def test_without_a_checkout_or_metadata_the_hint_says_which_extra(monkeypatch):
    def requires(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(_optional, "checkout", lambda: None)
    monkeypatch.setattr(importlib.metadata, "requires", requires)
    assert _optional.extra_hint("torch") == "install backprop-ref's [torch] extra"


def test_a_missing_framework_raises_missing_extra_with_the_module_and_the_hint(
        tmp_path, monkeypatch):
    root = tmp_path.resolve()
    monkeypatch.setattr(_optional, "checkout", lambda: root)
    monkeypatch.chdir(root)
    monkeypatch.setitem(_optional.EXTRAS, "torch", ("no_such_module_anywhere", "torch"))
    with pytest.raises(_optional.MissingExtra) as info:
        _optional.require("torch")
    assert str(info.value) == (
        "no_such_module_anywhere is not installed, and this part of backprop-ref needs it: "
        'pip install -e ".[torch]"  (or the [all] extra: every framework)')
    assert isinstance(info.value, ImportError)
    assert isinstance(info.value.__cause__, ModuleNotFoundError)
    assert _optional.available("torch") is False
    monkeypatch.setitem(_optional.EXTRAS, "stdlib", ("json", "cli"))
    assert _optional.require("stdlib").__name__ == "json"
    assert _optional.available("stdlib") is True
