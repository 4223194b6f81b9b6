"""Lazy imports of the optional frameworks, with a message that names the extra to install."""

from __future__ import annotations

import importlib

#: backend name -> (module to import, extra that installs it)
EXTRAS = {
    "torch": ("torch", "torch"),
    "jax": ("jax", "jax"),
    "sympy": ("sympy", "symbolic"),
    "matplotlib": ("matplotlib", "plot"),
}


class MissingExtra(ImportError):
    """An optional framework is not installed; the message says what to install."""


def install_hint(name: str) -> str:
    return f"pip install 'backprop-ref[{EXTRAS[name][1]}]'"


def require(name: str):
    """Import the framework ``name`` or raise :class:`MissingExtra` naming the extra."""
    module, extra = EXTRAS[name]
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtra(
            f"{module} is not installed, and this part of backprop-ref needs it: "
            f"{install_hint(name)}  (or backprop-ref[all])"
        ) from exc


def available(name: str) -> bool:
    try:
        require(name)
    except MissingExtra:
        return False
    return True
