r"""Class labels: the indicator (one-hot) matrix and argmax prediction (D5, notes 000 001)."""

from __future__ import annotations

import numpy as np

from ._validation import as_float_array

__all__ = ["one_hot", "predict_labels"]


def one_hot(labels, num_classes: int, *, dtype=np.float64) -> np.ndarray:
    r"""The indicator matrix of note 001 (D5).

    .. math:: Y_{ind}[n, k] = \mathbb{1}[y_n = k]

    Note 000 calls it the "sparse representation" of the target column.

    Inputs:
        labels: integer class labels, shape (N,), each in ``[0, num_classes)``.
        num_classes: K, a positive int.
        dtype: float dtype of the result (float64 unless asked otherwise).
    Returns:
        Y_ind: shape (N, K) of exact 0.0/1.0, one 1 per row.
    """
    if isinstance(num_classes, bool) or not isinstance(num_classes, (int, np.integer)):
        raise TypeError(f"num_classes must be an int, got {type(num_classes).__name__}")
    if num_classes < 1:
        raise ValueError(f"num_classes must be at least 1, got {num_classes}")
    y = np.asarray(labels)
    if y.ndim != 1 or y.dtype.kind not in "iu":
        raise ValueError(
            f"labels must be a 1-D array of integer class labels, got dtype {y.dtype} "
            f"with shape {y.shape}"
        )
    if y.size == 0:
        raise ValueError("labels is empty (shape (0,)); a batch needs at least one row")
    if y.min() < 0 or y.max() >= num_classes:
        raise ValueError(
            f"labels holds values in [{int(y.min())}, {int(y.max())}] but must lie in "
            f"[0, {num_classes}) for num_classes={num_classes}"
        )
    Y = np.zeros((y.shape[0], num_classes), dtype=dtype)
    Y[np.arange(y.shape[0]), y] = 1
    return Y


def predict_labels(scores, *, check_finite: bool = True) -> np.ndarray:
    r"""Predicted class of each row: ``argmax`` over classes (D5, note 000's ``A.argmax``).

    .. math:: \hat{y}_n = \arg\max_k A_{nk}

    Ties go to the lowest class index, as in NumPy, torch and JAX.  Works on scores or on
    probabilities: softmax is monotone, so both give the same labels.

    Inputs:
        scores: shape (N, K).
    Returns:
        labels: int64, shape (N,).
    """
    scores = as_float_array(scores, "scores", ndim=2, check_finite=check_finite)
    return np.argmax(scores, axis=1)
