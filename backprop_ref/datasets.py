"""Data that ships with the package, so nothing is downloaded at run time (D17–D20)."""

from __future__ import annotations

from importlib import resources

import numpy as np

__all__ = ["load_iris", "make_blobs", "train_test_split", "standardize"]


def load_iris():
    """Fisher's Iris: ``X`` (150, 4) float64 and ``y`` (150,) int64 in {0, 1, 2}.

    Read from ``backprop_ref/data/iris.csv`` (the copy scikit-learn ships).
    """
    text = resources.files("backprop_ref.data").joinpath("iris.csv").read_text()
    data = np.loadtxt(text.splitlines(), delimiter=",", comments="#", skiprows=2)
    return data[:, :4].astype(np.float64), data[:, 4].astype(np.int64)


def make_blobs(n_samples=200, n_features=4, n_classes=3, *, spread=1.0, seed=0):
    """Seeded Gaussian blobs in the notes' shape: ``X`` (200, 4), ``y`` (200,) in {0, 1, 2}.

    Class centres are drawn from ``N(0, 3²)``, points from ``N(centre, spread²)``; the
    classes are as balanced as ``n_samples`` allows.
    """
    rng = np.random.default_rng(seed)
    centres = 3.0 * rng.standard_normal((n_classes, n_features))
    y = np.arange(n_samples) % n_classes
    rng.shuffle(y)
    X = centres[y] + spread * rng.standard_normal((n_samples, n_features))
    return X, y.astype(np.int64)


def train_test_split(X, y, test_size=0.3, *, seed=0):
    """Seeded random split: ``X_train, X_test, y_train, y_test``."""
    X, y = np.asarray(X), np.asarray(y)
    if not 0 < test_size < 1:
        raise ValueError(f"test_size must lie in (0, 1), got {test_size!r}")
    if X.shape[0] != y.shape[0]:
        raise ValueError(f"X{X.shape} and y{y.shape} must have the same number of rows")
    order = np.random.default_rng(seed).permutation(X.shape[0])
    n_test = int(round(test_size * X.shape[0]))
    test, train = order[:n_test], order[n_test:]
    return X[train], X[test], y[train], y[test]


def standardize(X_train, X_test=None):
    """Scale columns to zero mean, unit variance using the training set's statistics."""
    X_train = np.asarray(X_train, dtype=np.float64)
    mu, sd = X_train.mean(axis=0), X_train.std(axis=0)
    sd = np.where(sd > 0, sd, 1.0)
    if X_test is None:
        return (X_train - mu) / sd
    return (X_train - mu) / sd, (np.asarray(X_test, dtype=np.float64) - mu) / sd
