"""Nielsen's convention (``network.py``): one example at a time, as column vectors.

``W`` is (fan_out, fan_in), ``b`` is (fan_out, 1), ``X`` holds the examples as columns
(D, N), and labels stay integers (N,).  Check it with ``--layout columns``:

    backprop-ref check examples/nielsen_columns.py:backprop --against D17 --layout columns
"""

import numpy as np


def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def _backprop(params, X, y, reg=0.0, slip=None):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[1]
    nabla = {k: np.zeros_like(v) for k, v in params.items()}
    loss = 0.0
    for n in range(N):
        x = X[:, [n]]                                   # (D, 1)
        t = np.zeros((W2.shape[0], 1))
        t[y[n]] = 1.0                                   # one-hot column
        z1 = W1 @ x + b1
        a1 = np.maximum(z1, 0)
        z2 = W2 @ a1 + b2
        a2 = _softmax(z2)
        loss -= (z2 - z2.max() - np.log(np.exp(z2 - z2.max()).sum()))[y[n], 0]
        delta2 = a2 - t                                 # CE + softmax: σ' cancels
        delta1 = (W2.T @ delta2) * (z1 > 0)
        nabla["W2"] += delta2 @ a1.T                    # (fan_out, fan_in)
        nabla["b2"] += delta2
        nabla["W1"] += delta1 @ x.T
        nabla["b1"] += delta1
    grads = {k: v / N for k, v in nabla.items()}        # "for m examples": sum, then / m
    grads["W1"] = grads["W1"] + reg * W1
    grads["W2"] = grads["W2"] + reg * W2
    if slip == "transpose":
        grads["W1"] = grads["W1"].T                     # SLIP: row-layout shape
    if slip == "sign":
        grads = {k: -v if k[0] == "b" else v for k, v in grads.items()}   # SLIP: −db
    loss = loss / N + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))
    return loss, grads


def backprop(params, X, y, reg=0.0):
    """Correct, per example, in columns."""
    return _backprop(params, X, y, reg)


def backprop_transposed_dW1(params, X, y, reg=0.0):
    """A planted slip: dW1 returned as (fan_in, fan_out)."""
    return _backprop(params, X, y, reg, slip="transpose")


def backprop_sign_of_db(params, X, y, reg=0.0):
    """A planted slip: the bias gradients with the wrong sign."""
    return _backprop(params, X, y, reg, slip="sign")
