r"""The slips in the notes (E1–E10): each one's literal form and its correction, as NumPy.

One registry, read by two users:

- `backprop_ref.testing` (the checker) recomputes a literal form on the reference's own
  arrays to tell a user "your output is erratum E9";
- ``comparisons.errata`` measures each literal and corrected form against torch / JAX
  autograd (``backprop-ref errata``, ``tests/test_errata.py``).

Every form is a plain function of named arrays (``inputs`` lists the names, in row
layout: ``X`` (N, D), ``W`` (fan_in, fan_out), ``A1``/``A2``/``Y`` (N, ·)), so that neither
user needs to know how the other builds its cases.  ``output`` names what the form
computes, in the notes' symbols.

    >>> from backprop_ref import errata
    >>> e = errata.get("E9")
    >>> e.inputs
    ('A1', 'A2', 'Y', 'W2', 'reg')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import backprop_ref as bp      # public names, looked up when a form runs

__all__ = ["Erratum", "ERRATA", "get", "ids"]


@dataclass(frozen=True)
class Erratum:
    """One slip in the notes.

    Attributes:
        id: ``"E1"`` … ``"E10"``.
        note: the note it is in, ``"000"`` … ``"004"``.
        title: one line: what the note writes and why it is wrong.
        literal: the note's form, as text.
        corrected: the correct form, as text.
        output: what both forms compute (``"A"``, ``"dW2"``, ``"dZ1"``, …).
        inputs: the names of the forms' keyword arguments.
        literal_form: ``literal_form(**arrays)``: the note's form, in NumPy.
        corrected_form: ``corrected_form(**arrays)``: the correct form, in NumPy.
        literal_agrees: the note's form is right after all (E4) ...
        contrast: ... and ``(text, form)`` is the reading of it that is not.
    """

    id: str
    note: str
    title: str
    literal: str
    corrected: str
    output: str
    inputs: tuple
    literal_form: Callable[..., np.ndarray | np.floating]
    corrected_form: Callable[..., np.ndarray | np.floating]
    literal_agrees: bool = False
    contrast: tuple | None = None


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` as a note writes it, with a message that shows the two shapes."""
    if a.shape[-1] != b.shape[0]:
        raise ValueError(f"{a.shape} @ {b.shape} does not multiply")
    return a @ b


def _softmax_same_index(z):
    # e^{z_i} / Σ_i e^{z_i}: the bound i makes every term of the sum e^{z_i}, so A_i = 1/K
    return np.exp(z) / (z.shape[1] * np.exp(z))


def _row_sums(z):
    # P = exp(z); P = P.sum(axis=1, keepdims=True): the row sums, broadcast to P's shape
    return np.broadcast_to(np.exp(z).sum(axis=1, keepdims=True), z.shape)


def _relu_mask_from_a1(Z1, A1, dA1):
    dZ1 = dA1.copy()
    dZ1[A1 == 0] = 0                    # note 001: da1mat[a1 == 0] = 0
    return dZ1


def _jacobian_positive_off_diagonal(z):
    A = bp.softmax(z)
    J = A[:, :, None] * A[:, None, :]   # off-diagonal written A_j A_k
    K = A.shape[1]
    J[:, np.arange(K), np.arange(K)] = A * (1 - A)
    return J


ERRATA: tuple[Erratum, ...] = (
    Erratum(
        "E1", "000", "softmax denominator reuses the numerator's index i",
        "e^{z_i} / Σ_i e^{z_i}  (i bound twice: every term is e^{z_i}, so A_i = 1/K)",
        "e^{z_i} / Σ_j e^{z_j}",
        "A", ("z",), _softmax_same_index, lambda z: bp.softmax(z)),
    Erratum(
        "E2", "001", "P = p.sum(axis=1, keepdim=True) overwrites P with the row sums",
        "P = np.exp(scores); P = P.sum(axis=1, keepdims=True)",
        "P = np.exp(scores − max); P /= P.sum(axis=1, keepdims=True)",
        "A", ("z",), _row_sums, lambda z: bp.softmax(z)),
    Erratum(
        "E3", "001", "∂L/∂W2 = (p − y_ind)·a1 multiplies (200×3)(200×10)",
        "(P − Y_ind) @ A1", "A1ᵀ (P − Y_ind) / N",
        "dW2", ("A1", "A2", "Y"),
        lambda A1, A2, Y: _matmul(A2 - Y, A1),
        lambda A1, A2, Y: A1.T @ (A2 - Y) / Y.shape[0]),
    Erratum(
        "E4", "001", "the ReLU mask is taken from a1 == 0",
        "da1[a1 == 0] = 0  (right: the same mask as z1 ≤ 0, i.e. relu'(0) = 0)",
        "dZ1 = dA1 ⊙ 1[Z1 > 0]",
        "dZ1", ("Z1", "A1", "dA1"), _relu_mask_from_a1,
        lambda Z1, A1, dA1: dA1 * bp.relu_prime(Z1),
        literal_agrees=True,
        contrast=("note 003's relu'(0) = 1 (mask z1 ≥ 0)",
                  lambda Z1, A1, dA1: dA1 * (Z1 >= 0))),
    Erratum(
        "E5", "002", "∂L/∂b carries 1/m but ∂L/∂W = a^{L−1}·δ does not",
        "dW2 = A1ᵀ (A2 − Y)  (no 1/m)", "dW2 = A1ᵀ (A2 − Y) / m",
        "dW2", ("A1", "A2", "Y"),
        lambda A1, A2, Y: A1.T @ (A2 - Y),
        lambda A1, A2, Y: A1.T @ (A2 - Y) / Y.shape[0]),
    Erratum(
        "E6", "003", "relu'(z) = 1 for z ≥ 0 differs from the frameworks at z = 0",
        "relu'(z) = 1[z ≥ 0]", "relu'(z) = 1[z > 0]",
        "dz", ("z", "g"),
        lambda z, g: g * (z >= 0),
        lambda z, g: g * bp.relu_prime(z)),
    Erratum(
        "E7", "003", "∂L/∂A1 = (A2 − y)·w1 uses the wrong layer's weights",
        "dA1 = (A2 − Y)/N · W1  (the shapes multiply when D = K)", "dA1 = (A2 − Y)/N · W2ᵀ",
        "dA1", ("dZ2", "W1", "W2"),
        lambda dZ2, W1, W2: _matmul(dZ2, W1),
        lambda dZ2, W1, W2: dZ2 @ W2.T),
    Erratum(
        "E8", "004", "the off-diagonal softmax Jacobian entry is written A_j A_k",
        "∂A_j/∂z_k = A_j A_k (j ≠ k)", "∂A_j/∂z_k = −A_j A_k (j ≠ k)",
        "J", ("z",), _jacobian_positive_off_diagonal, lambda z: bp.softmax_jacobian(z)),
    Erratum(
        "E9", "001", "∂L/∂W2 = a1.T.dot(p − y_ind) + reg·W2 drops the 1/N of ∂Z2 = (p − Y_ind)/N",
        "A1ᵀ (P − Y_ind) + reg·W2", "A1ᵀ (P − Y_ind)/N + reg·W2",
        "dW2", ("A1", "A2", "Y", "W2", "reg"),
        lambda A1, A2, Y, W2, reg: A1.T @ (A2 - Y) + reg * W2,
        lambda A1, A2, Y, W2, reg: A1.T @ (A2 - Y) / Y.shape[0] + reg * W2),
    Erratum(
        "E10", "002", "2-class CE: the struck-out term y_{n,0} log ŷ_{n,0} is needed",
        "−(1/N) Σ y log a  (second term struck out)",
        "−(1/N) Σ [y log a + (1 − y) log(1 − a)]",
        "loss", ("a", "y"),
        lambda a, y: -np.sum(y * np.log(a)) / a.shape[0],
        lambda a, y: bp.binary_cross_entropy(a, y)),
)

_BY_ID = {e.id: e for e in ERRATA}


def ids() -> list[str]:
    """``["E1", …, "E10"]``."""
    return list(_BY_ID)


def get(erratum_id: str) -> Erratum:
    """The erratum with this id; a ValueError lists the valid ones."""
    if erratum_id not in _BY_ID:
        raise ValueError(f"unknown erratum {erratum_id!r}; expected one of {ids()}")
    return _BY_ID[erratum_id]
