r"""Class labels: the indicator (one-hot) matrix and argmax prediction (D5, notes 000 001)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_array, class_labels, indicator_matrix, positive_number

__all__ = ["one_hot", "predict_labels"]


def one_hot(labels: ArrayLike, num_classes: int, *, dtype=np.float64) -> np.ndarray:
    r"""The indicator matrix of note 001 (D5).

    $$
    Y_{ind}[n, k] = \mathbb{1}[y_n = k]
    $$

    Note 000 calls it the "sparse representation" of the target column.

    Inputs:
        labels: integer class labels, shape (N,), each in ``[0, num_classes)``.
        num_classes: K, a positive int.
        dtype: float dtype of the result (float64 unless asked otherwise).
    Returns:
        Y_ind: shape (N, K) of exact 0.0/1.0, one 1 per row.
    """
    num_classes = positive_number(num_classes, "num_classes", integer=True)
    try:
        dtype = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a float dtype, got {dtype!r}") from None
    if dtype.kind != "f":
        raise TypeError(f"dtype must be a float dtype such as float64, got {dtype}")
    y = class_labels(labels, None, num_classes, name="labels")
    return indicator_matrix(y, num_classes, dtype)


def predict_labels(scores: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Predicted class of each row: ``argmax`` over classes (D5, note 000's ``A.argmax``).

    $$
    \hat{y}_n = \arg\max_k A_{nk}
    $$

    Ties go to the lowest class index, as in NumPy, torch and JAX.  Works on scores or on
    probabilities: softmax is monotone, so both give the same labels.

    Inputs:
        scores: shape (N, K).
    Returns:
        labels: int64, shape (N,).
    """
    scores = as_array(scores, "scores", ndim=2, check_finite=check_finite)
    return np.argmax(scores, axis=1)
