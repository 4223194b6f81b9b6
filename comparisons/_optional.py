"""Lazy imports of the optional frameworks, with a message that says what to install.

The project is installed from a checkout (it is not on a package index), so the hint is the
command that works there: ``pip install -e ".[torch]"`` in the checkout, or the same with
the checkout's path when the command runs elsewhere.  Without a checkout (an installed
wheel) the hint names the packages the extra holds (``pip install "torch<2.14,>=2.2"``).
"""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path

#: backend name -> (module to import, extra that installs it)
EXTRAS = {
    "torch": ("torch", "torch"),
    "jax": ("jax", "jax"),
    "sympy": ("sympy", "symbolic"),
    "matplotlib": ("matplotlib", "plot"),
    "tqdm": ("tqdm", "cli"),
    "pytest_benchmark": ("pytest_benchmark", "test"),
    "mkdocs": ("mkdocs", "docs"),
}


class MissingExtra(ImportError):
    """An optional framework is not installed; the message says what to install."""


def checkout() -> Path | None:
    """The source checkout this package runs from (editable install), or None."""
    root = Path(__file__).resolve().parents[1]
    try:
        text = (root / "pyproject.toml").read_text(encoding="utf-8")
    except OSError:
        return None
    return root if re.search(r'^name = "backprop-ref"', text, re.MULTILINE) else None


def extra_hint(extra: str) -> str:
    """The command that installs one extra of backprop-ref, e.g. ``pip install -e ".[torch]"``."""
    root = checkout()
    if root is not None:
        here = os.path.realpath(os.getcwd()) == str(root)
        return f'pip install -e "{"." if here else root}[{extra}]"'
    from importlib.metadata import PackageNotFoundError, requires

    try:
        wanted = [r.split(";")[0].strip() for r in requires("backprop-ref") or ()
                  if re.search(rf"""extra\s*==\s*["']{re.escape(extra)}["']""", r)]
    except PackageNotFoundError:
        wanted = []
    wanted = [w for w in wanted if not w.startswith("backprop-ref")]
    return "pip install " + " ".join(f'"{w}"' for w in wanted) if wanted else \
        f"install backprop-ref's [{extra}] extra"


def install_hint(name: str) -> str:
    """The command that installs what the framework ``name`` needs (its extra)."""
    return extra_hint(EXTRAS[name][1])


def require(name: str):
    """Import the framework ``name`` or raise :class:`MissingExtra` naming the extra."""
    module, extra = EXTRAS[name]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(
            f"{module} is not installed, and this part of backprop-ref needs it: "
            f"{install_hint(name)}  (or the [all] extra: every framework)"
        ) from exc


def available(name: str) -> bool:
    try:
        require(name)
    except MissingExtra:
        return False
    return True
