"""``TwoLayerNet`` and ``MLP``: small estimator classes over the functional core (D20).

They hold hyper-parameters and, after :meth:`fit`, ``params_`` and ``history_``; every
computation is delegated to :mod:`backprop_ref.two_layer`, :mod:`backprop_ref.mlp` and
:func:`backprop_ref.training.fit`.
"""

from __future__ import annotations

from functools import partial

import numpy as np

from . import mlp, two_layer
from .training import fit

__all__ = ["TwoLayerNet", "MLP"]


class _Classifier:
    params_: dict | None = None

    def _fit(self, loss_and_grads, params, X, y, callback):
        self.params_, self.history_ = fit(
            partial(loss_and_grads, reg=self.reg), params, X, y, lr=self.lr,
            epochs=self.epochs, batch_size=self.batch_size, seed=self.seed, callback=callback,
        )
        return self

    def _check_fitted(self):
        if self.params_ is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call fit(X, y) first")

    def score(self, X, y) -> float:
        """Accuracy: the fraction of rows whose predicted label equals ``y``."""
        y = np.asarray(y)
        pred = self.predict(X)
        if y.shape != pred.shape:
            raise ValueError(f"y must have shape {pred.shape} to match X, got {y.shape}")
        return float(np.mean(pred == y))


class TwoLayerNet(_Classifier):
    """The notes' network ``D → hidden_size ReLU → K softmax`` with CE + L2, trained by SGD.

    ``fit(X, y)`` infers D and K from the data (K = max label + 1 unless given).
    """

    def __init__(self, hidden_size=10, num_classes=None, *, std=1e-1, reg=0.0, lr=0.5,
                 epochs=200, batch_size=None, seed=0):
        self.hidden_size, self.num_classes, self.std = hidden_size, num_classes, std
        self.reg, self.lr, self.epochs, self.batch_size, self.seed = (
            reg, lr, epochs, batch_size, seed)

    def fit(self, X, y, callback=None):
        X, y = np.asarray(X), np.asarray(y)
        K = self.num_classes or int(y.max()) + 1
        params = two_layer.init_params(X.shape[1], self.hidden_size, K, std=self.std,
                                       seed=self.seed)
        return self._fit(two_layer.loss_and_grads, params, X, y, callback)

    def predict(self, X):
        self._check_fitted()
        return two_layer.predict(self.params_, X)


class MLP(_Classifier):
    """An L-layer softmax classifier: ``D → hidden_sizes… → K``, trained by SGD (D18, D20)."""

    def __init__(self, hidden_sizes=(16, 16), num_classes=None, *, hidden="relu", std=None,
                 reg=0.0, lr=0.5, epochs=200, batch_size=None, seed=0):
        self.hidden_sizes, self.num_classes, self.hidden, self.std = (
            tuple(hidden_sizes), num_classes, hidden, std)
        self.reg, self.lr, self.epochs, self.batch_size, self.seed = (
            reg, lr, epochs, batch_size, seed)

    def fit(self, X, y, callback=None):
        X, y = np.asarray(X), np.asarray(y)
        K = self.num_classes or int(y.max()) + 1
        params = mlp.init_params([X.shape[1], *self.hidden_sizes, K], seed=self.seed,
                                 std=self.std)
        fn = partial(mlp.loss_and_grads, hidden=self.hidden, head="softmax_ce")
        return self._fit(fn, params, X, y, callback)

    def predict(self, X):
        self._check_fitted()
        return mlp.predict(self.params_, X, hidden=self.hidden, head="softmax_ce")
