"""The cases the checker feeds a function, and the conversions to the user's layout.

A case holds its inputs in the row layout (this project's: examples as rows, ``W`` of shape
(fan_in, fan_out)); `to_user` converts one array to the user's layout by its role.  The
cases are chosen to expose the usual slips: N = 1 and N > 1, K ≠ N, pre-activations exactly
0, extreme finite logits (|z| up to 1000), integer labels, one-hot and soft rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from .. import one_hot, softmax

__all__ = ["Case", "Call", "Refused", "BadReturn", "Conventions", "to_user", "to_rows",
           "targets_in", "params_in", "label_forms", "z_cases", "LARGE"]

#: The offsets of the extreme-logit cases: every entry of a column is shifted by one of them.
LARGE = 1000.0


@dataclass
class Case:
    """One set of inputs.

    label: how the report names it; group: the form or option it exercises (a function
    that refuses every case of a group refuses the group, which is never a slip); inputs:
    row layout; N: the batch size; K: the width of the output (classes); tags: ``"zeros"``
    (pre-activations exactly 0), ``"large"`` (extreme logits), ``"reg"`` (reg > 0).
    """

    label: str
    group: str
    inputs: dict
    N: int
    K: int
    tags: tuple = ()


class Call(NamedTuple):
    """How the checker calls the function on one case: ``fn(*args, **kwargs)``; ``text``
    is the call as the report writes it (``fn(params, X, y, reg=0.1)``)."""

    args: tuple
    kwargs: dict
    text: str


class Conventions(NamedTuple):
    """The declared conventions: ``layout`` ("rows" | "columns"), ``l2`` ("half": penalty
    ½·reg·ΣW², gradient reg·W | "sum": reg·ΣW², gradient 2·reg·W), ``reduction`` ("mean"
    | "sum" over the batch)."""

    layout: str = "rows"
    l2: str = "half"
    reduction: str = "mean"

    def batch_factor(self, N: int) -> float:
        """What a batch-mean quantity is multiplied by in this reduction: 1 or N."""
        return float(N) if self.reduction == "sum" else 1.0

    @property
    def l2_factor(self) -> float:
        """What ½·reg·ΣW² and reg·W are multiplied by in this l2 convention: 1 or 2."""
        return 2.0 if self.l2 == "sum" else 1.0


class Refused(Exception):
    """The function does not take this case's form or option (never a slip)."""


class BadReturn(Exception):
    """The function returned something that is not what the checker's call expects."""


# =========================================================================== layouts
def to_user(role: str, x: Any, layout: str) -> Any:
    """One row-layout array in the user's layout, by its role: ``"batch"`` (examples as
    rows; columns: transposed), ``"W"`` (transposed in columns), ``"b"`` ((fan_out,) in rows,
    (fan_out, 1) in columns); ``"scalar"``, ``"labels"``, ``"jac"``, ``"str"`` unchanged."""
    if layout == "rows" or role in ("scalar", "labels", "jac", "str"):
        return x
    x = np.asarray(x)
    if role in ("batch", "W"):
        return x.T
    if role == "b":
        return x[:, None]
    raise AssertionError(role)


def to_rows(role: str, x: np.ndarray, layout: str) -> np.ndarray:
    """The inverse of `to_user`."""
    if layout == "rows" or role in ("scalar", "labels", "jac", "str"):
        return x
    if role in ("batch", "W"):
        return x.T
    if role == "b":
        return x.reshape(-1)
    raise AssertionError(role)


def targets_in(y: Any, layout: str) -> Any:
    """Class targets in the user's layout: labels (N,) stay, rows (N, K) transpose."""
    y = np.asarray(y)
    return y if y.ndim == 1 else to_user("batch", y, layout)


def params_in(params: dict, layout: str) -> dict:
    """``{"W1": …, "b1": …}`` in the user's layout."""
    return {k: to_user("W" if k[0] == "W" else "b", v, layout) for k, v in params.items()}


# =========================================================================== builders
def label_forms(rng: np.random.Generator, N: int, K: int, labels: np.ndarray) -> dict:
    """The three forms of the same class targets: integer labels, one-hot rows, soft rows."""
    soft = 0.7 * one_hot(labels, K) + 0.3 * rng.dirichlet(np.ones(K), size=N)
    return {"integer labels": labels, "one-hot rows": one_hot(labels, K), "soft rows": soft}


def z_cases(rng: np.random.Generator, *, y: str | None = None, zeros: bool = False,
            large: bool = False, K: int = 3, probs: bool = False) -> list[Case]:
    """Cases for ``f(z[, y])``: N = 4, 1 and 5 with K = 3, exact zeros and extreme logits
    (every column shifted by +1000, 0, −1000) on demand.  ``y``: None, ``"classes"`` (the
    three label forms) or ``"real"`` (targets in [0, 1]); ``probs``: z holds probabilities
    (softmax rows for classes, else entries in [0.05, 0.95])."""
    out = []
    for N in (4, 1, 5):
        z = 2.0 * rng.standard_normal((N, K))
        tags: tuple = ()
        if zeros and N > 1:
            z.flat[:: 3] = 0.0
            tags = ("zeros",)
        labels = rng.integers(0, K, N)
        if probs:
            z = rng.uniform(0.05, 0.95, size=(N, K)) if y != "classes" else softmax(z)
        forms: dict = {"targets": None}
        if y == "classes":
            forms = label_forms(rng, N, K, labels)
        elif y == "real":
            forms = {"targets": rng.uniform(0, 1, size=(N, K))}
        for form, yy in forms.items():
            inputs = {"z": z} if y is None else {"z": z, "y": yy}
            out.append(Case(f"N={N}, K={K}" + (f", {form}" if y else "")
                            + (", z has exact zeros" if tags else ""),
                            form if y else "z", inputs, N, K, tags))
    if large:
        z = 2.0 * rng.standard_normal((4, K)) + np.resize([LARGE, 0.0, -LARGE], K)
        labels = np.array([1, 2, 0, 1]) % K
        forms = label_forms(rng, 4, K, labels) if y == "classes" else {"targets": None}
        if y == "real":
            forms = {"targets": rng.uniform(0, 1, size=(4, K))}
        for form, yy in forms.items():
            inputs = {"z": z} if y is None else {"z": z, "y": yy}
            out.append(Case(f"N=4, K={K}, extreme logits (|z| ≈ {LARGE:.0f})"
                            + (f", {form}" if y else ""), form if y else "z", inputs, 4, K,
                            ("large",)))
    return out
