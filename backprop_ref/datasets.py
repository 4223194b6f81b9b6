"""Data that ships with the package, so nothing is downloaded at run time (D17–D20)."""

from __future__ import annotations

from importlib import resources

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_array, positive_number, seed_value

__all__ = ["load_iris", "make_blobs", "train_test_split", "standardize"]


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's Iris, the data the notes' 4-10-3 network is trained on (D17, D20).

    Read from ``backprop_ref/data/iris.csv`` (the copy scikit-learn ships).

    Inputs:
        none.
    Returns:
        X: float64, shape (150, 4); y: int64 labels in {0, 1, 2}, shape (150,).
    """
    text = resources.files("backprop_ref.data").joinpath("iris.csv").read_text()
    data = np.loadtxt(text.splitlines(), delimiter=",", comments="#", skiprows=2)
    return data[:, :4].astype(np.float64), data[:, 4].astype(np.int64)


def make_blobs(n_samples: int = 200, n_features: int = 4, n_classes: int = 3, *,
               spread: float = 1.0, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded Gaussian blobs in the notes' shape (note 001, D17): ``X`` (200, 4), ``y`` (200,).

    Class centres are drawn from ``N(0, 3²)``, points from ``N(centre, spread²)``; the
    classes are as balanced as ``n_samples`` allows.

    Inputs:
        n_samples, n_features, n_classes: positive ints.
        spread: the points' standard deviation around their centre, a positive number.
        seed: a non-negative int.
    Returns:
        X: float64, shape (n_samples, n_features); y: int64 labels, shape (n_samples,).
    """
    n_samples = positive_number(n_samples, "n_samples", integer=True)
    n_features = positive_number(n_features, "n_features", integer=True)
    n_classes = positive_number(n_classes, "n_classes", integer=True)
    spread = positive_number(spread, "spread")
    rng = np.random.default_rng(seed_value(seed))
    centres = 3.0 * rng.standard_normal((n_classes, n_features))
    y = np.arange(n_samples) % n_classes
    rng.shuffle(y)
    X = centres[y] + spread * rng.standard_normal((n_samples, n_features))
    return X, y.astype(np.int64)


def train_test_split(X: ArrayLike, y: ArrayLike, test_size: float = 0.3, *,
                     seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seeded random split for the training examples (D20): ``X_train, X_test, y_train, y_test``.

    Inputs:
        X: shape (N, D); y: shape (N,) or (N, K).
        test_size: the test set's share, in (0, 1); both parts must get at least one row.
        seed: a non-negative int.
    Returns:
        new arrays (rows of X and y); the inputs are not modified.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim == 0 or y.ndim == 0:
        raise ValueError(f"X and y must be arrays of rows, got shapes {X.shape} and {y.shape}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X{X.shape} and y{y.shape} must have the same number of rows")
    test_size = positive_number(test_size, "test_size")
    if not test_size < 1:
        raise ValueError(f"test_size must lie in (0, 1), got {test_size!r}")
    n_test = int(round(test_size * X.shape[0]))
    if not 0 < n_test < X.shape[0]:
        raise ValueError(
            f"test_size={test_size!r} of {X.shape[0]} rows gives {n_test} test rows and "
            f"{X.shape[0] - n_test} training rows; both parts need at least one")
    order = np.random.default_rng(seed_value(seed)).permutation(X.shape[0])
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def standardize(X_train: ArrayLike, X_test: ArrayLike | None = None):
    """Scale columns to zero mean, unit variance using the training set's statistics (D20).

    Inputs:
        X_train: shape (N, D); X_test: shape (M, D) or None.
    Returns:
        the scaled ``X_train`` (float64), and the scaled ``X_test`` when one is given; new
        arrays, the inputs are not modified.  A constant column is centred, not scaled.
    """
    X_train = as_array(X_train, "X_train", ndim=2).astype(np.float64)
    mu, sd = X_train.mean(axis=0), X_train.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    if X_test is None:
        return (X_train - mu) / sd
    X_test = as_array(X_test, "X_test", ndim=2).astype(np.float64)
    if X_test.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_test{X_test.shape} must have X_train's {X_train.shape[1]} columns")
    return (X_train - mu) / sd, (X_test - mu) / sd
