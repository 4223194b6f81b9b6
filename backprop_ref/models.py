"""``TwoLayerNet`` and ``MLP``: small estimators over the functional core (D20).

In the scikit-learn manner: hyper-parameters are set in the constructor (and checked there),
``fit(X, y)`` learns ``params_``, ``history_`` and ``classes_``; ``predict``,
``predict_proba`` and ``score`` use them; ``get_params``/``set_params`` and ``repr`` show
the hyper-parameters.  Every computation is delegated to :mod:`backprop_ref.two_layer`,
:mod:`backprop_ref.mlp` and :func:`backprop_ref.training.fit`.

Targets are whatever the losses accept: class labels of any sortable type (``classes_``
holds them, sorted, and predictions are drawn from it), or one-hot or soft rows ``(N, K)``
(then K is their width and ``classes_`` is ``0 … K−1``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, cast

import numpy as np

from . import mlp, two_layer
from .activations import HIDDEN_ACTIVATIONS
from .training import EpochEnd, fit
from .validation import (
    as_array,
    choice,
    class_targets,
    positive_number,
    reg_value,
    seed_value,
)

__all__ = ["TwoLayerNet", "MLP"]


class _Classifier:
    """What both estimators share: targets, fitting, prediction, parameters, repr."""

    _hyper: tuple[str, ...] = ()
    params_: dict | None = None

    # ------------------------------------------------------------------ parameters
    def get_params(self, deep: bool = True) -> dict:
        """The constructor's hyper-parameters, by name."""
        return {k: getattr(self, k) for k in self._hyper}

    def set_params(self, **params: Any) -> _Classifier:
        """Set hyper-parameters by name (each checked as in the constructor); returns self."""
        unknown = sorted(set(params) - set(self._hyper))
        if unknown:
            raise ValueError(f"{type(self).__name__} has no hyper-parameter {unknown}; "
                             f"expected among {list(self._hyper)}")
        merged = {**self.get_params(), **params}
        type(self).__init__(self, **merged)
        return self

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def _set_common(self, num_classes, std, reg, lr, epochs, batch_size, seed) -> None:
        self.num_classes = (None if num_classes is None
                            else positive_number(num_classes, "num_classes", integer=True))
        self.std = None if std is None else positive_number(std, "std")
        self.reg = reg_value(reg)
        self.lr = positive_number(lr, "lr")
        self.epochs = positive_number(epochs, "epochs", integer=True)
        self.batch_size = (None if batch_size is None
                           else positive_number(batch_size, "batch_size", integer=True))
        self.seed = seed_value(seed)

    # ------------------------------------------------------------------ targets
    def _targets(self, y: object, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(classes_, targets)``: targets are label indices (N,) or rows (N, K)."""
        if y is None or isinstance(y, (str, bytes, dict, set)):
            raise TypeError(f"y must be an array of class labels or (N, K) rows, got "
                            f"{type(y).__name__}")
        y_arr = np.asarray(y)
        if y_arr.ndim == 2:
            K = y_arr.shape[1]
            if self.num_classes is not None and self.num_classes != K:
                raise ValueError(f"y has {K} columns but num_classes={self.num_classes}")
            return np.arange(K), class_targets(y_arr, n, K, n_from="X")
        if y_arr.ndim != 1:
            raise ValueError(f"y must be (N,) class labels or (N, K) one-hot or soft rows, "
                             f"got shape {y_arr.shape}")
        if y_arr.shape[0] != n:
            raise ValueError(f"y must have one label per row of X ({n}), got shape "
                             f"{y_arr.shape}")
        if self.num_classes is not None:         # integer labels 0 … K−1, some maybe absent
            class_targets(y_arr, n, self.num_classes, n_from="X")
            return np.arange(self.num_classes), y_arr.astype(np.intp)
        try:
            classes, labels = np.unique(y_arr, return_inverse=True)
        except TypeError as exc:
            raise TypeError(f"y must hold class labels of one sortable type: {exc}") from None
        if classes.shape[0] < 2:
            raise ValueError(f"y holds a single class {classes.tolist()}; a classifier needs "
                             "at least two (or pass num_classes)")
        return classes, labels.reshape(-1)

    def _fit(self, loss_and_grads: Callable, make_params: Callable[[int, int], dict],
             X: object, y: object, callback: Callable[[EpochEnd], None] | None) -> _Classifier:
        X = as_array(X, "X", ndim=2)
        self.classes_, targets = self._targets(y, X.shape[0])
        params = make_params(X.shape[1], self.classes_.shape[0])
        self.params_, self.history_ = fit(
            partial(loss_and_grads, reg=self.reg), params, X, targets, lr=self.lr,
            epochs=self.epochs, batch_size=self.batch_size, seed=self.seed, callback=callback,
        )
        self.n_features_in_ = X.shape[1]
        return self

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self, X: object) -> np.ndarray:
        if self.params_ is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted yet; call fit(X, y) first")
        X = as_array(X, "X", ndim=2)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {X.shape[1]} features but {type(self).__name__} was "
                             f"fitted on {self.n_features_in_}")
        return X

    def _hidden_activation(self) -> str:
        return "relu"

    def _probs(self, X: np.ndarray) -> np.ndarray:
        params = cast(dict, self.params_)
        return mlp.forward(params, X, self._hidden_activation(), "softmax_ce")[1][-1]

    def predict_proba(self, X: object) -> np.ndarray:
        """Class probabilities ``softmax(Z_L)``, shape (N, K), columns in ``classes_`` order."""
        return self._probs(self._check_fitted(X))

    def predict(self, X: object) -> np.ndarray:
        """The most probable class of each row, drawn from ``classes_``."""
        probs = self.predict_proba(X)
        return self.classes_[np.argmax(probs, axis=1)]

    def score(self, X: object, y: object) -> float:
        """Accuracy: the fraction of rows whose predicted class equals ``y`` (labels, or the
        argmax of one-hot/soft rows)."""
        pred = self.predict(X)
        y_arr = np.asarray(y)
        if y_arr.ndim == 2:
            y_arr = self.classes_[np.argmax(y_arr, axis=1)]
        if y_arr.shape != pred.shape:
            raise ValueError(f"y must have shape {pred.shape} to match X, got {y_arr.shape}")
        return float(np.mean(pred == y_arr))


class TwoLayerNet(_Classifier):
    """The notes' network ``D → hidden_size ReLU → K softmax`` with CE + L2, trained by SGD.

    ``fit(X, y)`` takes D from X and K from the targets (the number of distinct labels, the
    width of one-hot/soft rows, or ``num_classes`` when given).
    """

    _hyper = ("hidden_size", "num_classes", "std", "reg", "lr", "epochs", "batch_size", "seed")

    def __init__(self, hidden_size: int = 10, num_classes: int | None = None, *,
                 std: float = 1e-1, reg: float = 0.0, lr: float = 0.5, epochs: int = 200,
                 batch_size: int | None = None, seed: int = 0):
        self.hidden_size = positive_number(hidden_size, "hidden_size", integer=True)
        self._set_common(num_classes, positive_number(std, "std"), reg, lr, epochs,
                         batch_size, seed)

    def fit(self, X: object, y: object,
            callback: Callable[[EpochEnd], None] | None = None) -> TwoLayerNet:
        """Train on X (N, D) and y; returns self."""
        def make(D: int, K: int) -> dict:
            return two_layer.init_params(D, self.hidden_size, K, std=cast(float, self.std),
                                         seed=self.seed)
        self._fit(two_layer.loss_and_grads, make, X, y, callback)
        return self


class MLP(_Classifier):
    """An L-layer softmax classifier ``D → hidden_sizes… → K``, trained by SGD (D18, D20)."""

    _hyper = ("hidden_sizes", "num_classes", "hidden", "std", "reg", "lr", "epochs",
              "batch_size", "seed")

    def __init__(self, hidden_sizes: Sequence[int] = (16, 16), num_classes: int | None = None,
                 *, hidden: str = "relu", std: float | None = None, reg: float = 0.0,
                 lr: float = 0.5, epochs: int = 200, batch_size: int | None = None,
                 seed: int = 0):
        if isinstance(hidden_sizes, (str, bytes)) or not isinstance(
                hidden_sizes, (Sequence, np.ndarray)):
            raise TypeError("hidden_sizes must be a sequence of positive ints such as (16, 16), "
                            f"got {type(hidden_sizes).__name__} {hidden_sizes!r}")
        self.hidden_sizes = tuple(positive_number(h, f"hidden_sizes[{i}]", integer=True)
                                  for i, h in enumerate(hidden_sizes))
        self.hidden = choice(hidden, "hidden activation", HIDDEN_ACTIVATIONS)
        self._set_common(num_classes, std, reg, lr, epochs, batch_size, seed)

    def _hidden_activation(self) -> str:
        return self.hidden

    def fit(self, X: object, y: object,
            callback: Callable[[EpochEnd], None] | None = None) -> MLP:
        """Train on X (N, D) and y; returns self."""
        def make(D: int, K: int) -> dict:
            return mlp.init_params([D, *self.hidden_sizes, K], seed=self.seed, std=self.std)
        fn = partial(mlp.loss_and_grads, hidden=self.hidden, head="softmax_ce")
        self._fit(fn, make, X, y, callback)
        return self
