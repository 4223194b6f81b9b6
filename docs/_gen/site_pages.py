"""What the generated part of the documentation site holds: shared by the page generator
(`gen_pages.py`, run by mkdocs-gen-files) and the build hook (`hooks.py`, which puts the
generated pages into the navigation)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

# the modules of the API reference, in reading order (optional ones only when present)
API_MODULES = [
    ("activations", "Activations (D1–D4)"),
    ("labels", "Labels (D5)"),
    ("losses", "Losses (D6–D8, D16)"),
    ("deltas", "Deltas (D9–D13, D15)"),
    ("layers", "Dense layer (D14)"),
    ("heads", "Heads"),
    ("two_layer", "The notes' network (D17, D19)"),
    ("mlp", "MLP (D18, D19)"),
    ("network", "Network results"),
    ("training", "Training (D20)"),
    ("models", "Estimators"),
    ("datasets", "Data sets"),
    ("validation", "Validation"),
    ("testing", "The checker"),
    ("errata", "The notes' slips (E1–E10)"),
]


def api_modules() -> list[tuple[str, str]]:
    return [(m, t) for m, t in API_MODULES
            if importlib.util.find_spec(f"backprop_ref.{m}") is not None]


def derivation_ids() -> list[str]:
    from comparisons.catalog import ids
    return ids()


#: each derivation in plain words, for the navigation and the page titles (the catalog's
#: titles and equations hold Unicode maths such as ``δ^{l+1}``, which reads as raw markup
#: in a menu; the pages render the equations with KaTeX instead)
LABELS = {
    "D1": "sigmoid and its derivative",
    "D2": "ReLU and its derivative",
    "D3": "softmax",
    "D4": "the softmax Jacobian",
    "D5": "one-hot labels and the prediction",
    "D6": "mean squared error",
    "D7": "cross-entropy",
    "D8": "binary cross-entropy",
    "D9": "output delta: MSE + sigmoid",
    "D10": "output delta: BCE + sigmoid",
    "D11": "output delta: CE + softmax",
    "D12": "output delta through the Jacobian",
    "D13": "the struck-out pairing",
    "D14": "dense layer backward",
    "D15": "hidden delta",
    "D16": "L2 penalty",
    "D17": "the notes' network",
    "D18": "L-layer MLP",
    "D19": "per-sample loop = batch",
    "D20": "SGD",
}


def label(derivation_id: str) -> str:
    """``D15 · hidden delta``: the navigation's and the page's title."""
    return f"{derivation_id} · {LABELS[derivation_id]}"


def nav_derivations() -> list:
    from comparisons.catalog import CATALOG
    return [{"Overview": "derivations/index.md"}] + [
        {label(d.id): f"derivations/{d.id}.md"} for d in CATALOG]


def nav_api() -> list:
    return [{"Overview": "api/index.md"}] + [
        {title: f"api/{m}.md"} for m, title in api_modules()]
