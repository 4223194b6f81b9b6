"""A student's two-layer net (CS231n's ``TwoLayerNet.loss``, row layout), correct and with
one planted slip per diagnosis kind of ``backprop_ref.testing`` (``precision`` is the
correct net computed in float32: a warning, not a slip).

Check any of them against the reference, for example:

    backprop-ref check examples/two_layer_student.py:correct --against D17
    backprop-ref check examples/two_layer_student.py:sign --against D17

Every function takes ``(params, X, y, reg)`` like ``bp.two_layer.loss_and_grads``
(``W1`` (D, H), ``b1`` (H,), ``W2`` (H, K), ``b2`` (K,), ``X`` (N, D), integer labels
``y`` (N,)) and returns CS231n's ``(loss, grads)``.  Each slip is one marked line of
``_net``; everything else is the correct code.
"""

import numpy as np


def _net(params, X, y, reg, slip=None):
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N = X.shape[0]
    if slip == "precision":
        W1, b1, W2, b2, X = (a.astype(np.float32) for a in (W1, b1, W2, b2, X))  # float32

    # forward
    Z1 = X @ W1 + b1
    A1 = np.maximum(0, Z1)
    Z2 = A1 @ W2 + b2
    if slip == "unstable":
        P = np.exp(Z2)                                           # SLIP: no max shift
        P /= P.sum(axis=1, keepdims=True)
        logp = np.log(P)
    elif slip == "wrong_axis":
        shifted = Z2 - Z2.max(axis=0, keepdims=True)             # SLIP: axis 0, the examples
        P = np.exp(shifted) / np.exp(shifted).sum(axis=0, keepdims=True)
        logp = np.log(P)
    else:
        shifted = Z2 - Z2.max(axis=1, keepdims=True)
        logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        P = np.exp(logp)
    loss = -logp[np.arange(N), y].mean() + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    # backward
    dZ2 = P.copy()
    dZ2[np.arange(N), y] -= 1
    if slip == "sign":
        dZ2 = -dZ2                                               # SLIP: Y − P
    if slip != "scale":                                          # SLIP (scale): no 1/N
        dZ2 /= N
    grads = {}
    grads["W2"] = A1.T @ dZ2 + reg * W2
    if slip == "transpose":
        grads["W2"] = dZ2.T @ A1 + reg * W2.T                    # SLIP: (K, H), not (H, K)
    if slip == "missing_reg":
        grads["W2"] = A1.T @ dZ2                                 # SLIP: forgot reg·W2
    if slip == "reg_scale":
        grads["W2"] = A1.T @ dZ2 + 2 * reg * W2                  # SLIP: d/dW of reg·ΣW²
    if slip == "erratum":
        grads["W2"] = A1.T @ (P - np.eye(P.shape[1])[y]) + reg * W2   # SLIP: note 001, no 1/N
    grads["b2"] = dZ2.sum(axis=0)
    if slip == "regularised_bias":
        grads["b2"] = dZ2.sum(axis=0) + reg * b2                 # SLIP: biases get L2 too
    if slip == "shape":
        grads["b2"] = dZ2.sum(axis=0, keepdims=True)             # SLIP: (1, K), not (K,)
    dA1 = dZ2 @ W2.T
    if slip == "wrong_layer":
        dA1 = dZ2 @ W1                                           # SLIP: note 003's (A2 − y)·w1
    dZ1 = dA1 * (Z1 > 0)
    if slip == "relu_at_zero":
        dZ1 = dA1 * (Z1 >= 0)                                    # SLIP: relu'(0) = 1
    if slip == "missing_activation_derivative":
        dZ1 = dA1                                                # SLIP: no ReLU mask
    if slip == "other":
        dZ1 = dA1 * (Z1 > 0) * 0.9 + 0.01                        # SLIP: nothing in particular
    grads["W1"] = X.T @ dZ1 + reg * W1
    grads["b1"] = dZ1.sum(axis=0)
    return loss, grads


def correct(params, X, y, reg=0.0):
    """The right answer, CS231n style."""
    return _net(params, X, y, reg)


def _planted(kind):
    def fn(params, X, y, reg=0.0):
        return _net(params, X, y, reg, slip=kind)
    fn.__name__ = fn.__qualname__ = kind
    fn.__doc__ = f"The student's net with the planted slip of kind {kind!r}."
    return fn


KINDS = ("scale", "sign", "transpose", "relu_at_zero", "missing_activation_derivative",
         "wrong_layer", "wrong_axis", "missing_reg", "reg_scale", "regularised_bias", "unstable",
         "shape", "erratum", "other", "precision")

#: the kinds that are warnings here: the function is right, and the report says why it
#: was compared differently
WARNINGS = ("precision",)

for _kind in KINDS:
    globals()[_kind] = _planted(_kind)
