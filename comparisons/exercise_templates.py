"""The exercises' code: forward pass written out, backward lines marked ``«formula»``.

`comparisons.exercises` renders each template twice: the skeleton a student gets (every
``«formula»`` becomes ``...`` and its comment a TODO) and the solution the tests check
(the formulas kept).  A marked line reads ``name = «formula»  # (shape)  meaning``.
Keys: (derivation id, layout).
"""

from __future__ import annotations

_ONE_HOT_ROWS = "Y = one_hot(y, K) if np.ndim(y) == 1 else np.asarray(y, dtype=float)"
_ONE_HOT_COLS = "Y = one_hot(y, K).T if np.ndim(y) == 1 else np.asarray(y, dtype=float)"

TEMPLATES = {
    ("D9", "rows"): '''\
import numpy as np

from backprop_ref import sigmoid, sigmoid_prime


def delta_mse_sigmoid(z, y):
    """δ = ∂L/∂Z of the batch-mean MSE through a sigmoid output, z and y of shape (N, K)."""
    Z = np.asarray(z, dtype=float)
    Y = np.asarray(y, dtype=float)
    N = Z.shape[0]

    # ---- forward pass: A = σ(Z), L = (1/N) Σ_n ½‖A_n − Y_n‖²
    A = sigmoid(Z)                                           # (N, K)

    # ---- backward pass
    dA = «(A - Y) / N»  # (N, K)  ∂L/∂A
    dZ = «dA * sigmoid_prime(Z)»  # (N, K)  ∂L/∂Z = δ
    return dZ
''',
    ("D9", "columns"): '''\
import numpy as np

from backprop_ref import sigmoid, sigmoid_prime


def delta_mse_sigmoid(z, y):
    """δ = ∂L/∂Z of the batch-mean MSE through a sigmoid output, z and y of shape (K, N)."""
    Z = np.asarray(z, dtype=float)
    Y = np.asarray(y, dtype=float)
    N = Z.shape[1]

    # ---- forward pass: A = σ(Z), L = (1/N) Σ_n ½‖A_n − Y_n‖² (one column per example)
    A = sigmoid(Z)                                           # (K, N)

    # ---- backward pass
    dA = «(A - Y) / N»  # (K, N)  ∂L/∂A
    dZ = «dA * sigmoid_prime(Z)»  # (K, N)  ∂L/∂Z = δ
    return dZ
''',
    ("D11", "rows"): f'''\
import numpy as np

from backprop_ref import one_hot, softmax


def delta_ce_softmax(z, y):
    """δ = ∂L/∂Z of the batch-mean cross-entropy through a softmax output.

    z: logits (N, K); y: integer labels (N,), or one-hot or soft rows (N, K).
    """
    Z = np.asarray(z, dtype=float)
    N, K = Z.shape
    {_ONE_HOT_ROWS}   # (N, K)

    # ---- forward pass: A = softmax(Z) over each row, L = −(1/N) Σ_n Σ_k Y[n, k] log A[n, k]
    A = softmax(Z)                                           # (N, K)

    # ---- backward pass
    dZ = «(A - Y) / N»  # (N, K)  ∂L/∂Z = δ
    return dZ
''',
    ("D11", "columns"): f'''\
import numpy as np

from backprop_ref import one_hot, softmax


def delta_ce_softmax(z, y):
    """δ = ∂L/∂Z of the batch-mean cross-entropy through a softmax output.

    z: logits (K, N), one column per example; y: integer labels (N,), or one-hot or soft
    columns (K, N).
    """
    Z = np.asarray(z, dtype=float)
    K, N = Z.shape
    {_ONE_HOT_COLS}   # (K, N)

    # ---- forward pass: A = softmax down each column, L = −(1/N) Σ_n Σ_k Y[k, n] log A[k, n]
    A = softmax(Z.T).T                                       # (K, N)

    # ---- backward pass
    dZ = «(A - Y) / N»  # (K, N)  ∂L/∂Z = δ
    return dZ
''',
    ("D14", "rows"): '''\
def dense_backward(dZ, cache):
    """The backward pass of a dense layer Z = A_prev @ W + b.

    dZ: δ = ∂L/∂Z (N, fan_out), which already carries the batch mean's 1/N.
    cache: (A_prev, W), what the forward pass kept: A_prev (N, fan_in), W (fan_in, fan_out).
    Returns (dA_prev, dW, db).
    """
    A_prev, W = cache

    # ---- backward pass
    dA_prev = «dZ @ W.T»  # (N, fan_in)  ∂L/∂A_prev
    dW = «A_prev.T @ dZ»  # (fan_in, fan_out)  ∂L/∂W
    db = «dZ.sum(axis=0)»  # (fan_out,)  ∂L/∂b
    return dA_prev, dW, db
''',
    ("D14", "columns"): '''\
def dense_backward(dZ, cache):
    """The backward pass of a dense layer Z = W @ A_prev + b, one column per example.

    dZ: δ = ∂L/∂Z (fan_out, N), which already carries the batch mean's 1/N.
    cache: (A_prev, W), what the forward pass kept: A_prev (fan_in, N), W (fan_out, fan_in).
    Returns (dA_prev, dW, db).
    """
    A_prev, W = cache

    # ---- backward pass
    dA_prev = «W.T @ dZ»  # (fan_in, N)  ∂L/∂A_prev
    dW = «dZ @ A_prev.T»  # (fan_out, fan_in)  ∂L/∂W
    db = «dZ.sum(axis=1, keepdims=True)»  # (fan_out, 1)  ∂L/∂b
    return dA_prev, dW, db
''',
    ("D15", "rows"): '''\
from backprop_ref import relu_prime, sigmoid_prime, tanh_prime

DERIVATIVES = {"relu": relu_prime, "sigmoid": sigmoid_prime, "tanh": tanh_prime}


def hidden_delta(delta_next, W_next, z, activation="relu"):
    """δ^l = ∂L/∂Z^l of a hidden layer, from the layer above.

    Forward: A^l = g(Z^l), then Z^{l+1} = A^l @ W_next + b_next.
    delta_next: δ^{l+1} (N, H_next); W_next (H, H_next); z: Z^l (N, H);
    activation: "relu", "sigmoid" or "tanh" (its derivative: DERIVATIVES[activation]).
    """
    g_prime = DERIVATIVES[activation]

    # ---- backward pass
    dA = «delta_next @ W_next.T»  # (N, H)  ∂L/∂A^l
    dZ = «dA * g_prime(z)»  # (N, H)  ∂L/∂Z^l = δ^l
    return dZ
''',
    ("D15", "columns"): '''\
from backprop_ref import relu_prime, sigmoid_prime, tanh_prime

DERIVATIVES = {"relu": relu_prime, "sigmoid": sigmoid_prime, "tanh": tanh_prime}


def hidden_delta(delta_next, W_next, z, activation="relu"):
    """δ^l = ∂L/∂Z^l of a hidden layer, from the layer above, one column per example.

    Forward: A^l = g(Z^l), then Z^{l+1} = W_next @ A^l + b_next.
    delta_next: δ^{l+1} (H_next, N); W_next (H_next, H); z: Z^l (H, N);
    activation: "relu", "sigmoid" or "tanh" (its derivative: DERIVATIVES[activation]).
    """
    g_prime = DERIVATIVES[activation]

    # ---- backward pass
    dA = «W_next.T @ delta_next»  # (H, N)  ∂L/∂A^l
    dZ = «dA * g_prime(z)»  # (H, N)  ∂L/∂Z^l = δ^l
    return dZ
''',
    ("D17", "rows"): f'''\
import numpy as np

from backprop_ref import cross_entropy_with_logits, one_hot, relu, relu_prime, softmax


def loss_and_grads(params, X, y, reg=0.0):
    """Loss, gradients and intermediates of X (N, D) → ReLU (H) → softmax (K).

    params: W1 (D, H), b1 (H,), W2 (H, K), b2 (K,); y: integer labels (N,), or one-hot
    or soft rows (N, K); reg: the L2 strength.
    Returns (loss, grads, intermediates).
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N, K = X.shape[0], W2.shape[1]
    {_ONE_HOT_ROWS}   # (N, K)

    # ---- forward pass
    Z1 = X @ W1 + b1                                         # (N, H)
    A1 = relu(Z1)                                            # (N, H)
    Z2 = A1 @ W2 + b2                                        # (N, K)
    A2 = softmax(Z2)                                         # (N, K)
    loss = cross_entropy_with_logits(Z2, Y) + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    # ---- backward pass
    dZ2 = «(A2 - Y) / N»  # (N, K)  ∂L/∂Z2
    dW2 = «A1.T @ dZ2 + reg * W2»  # (H, K)  ∂L/∂W2
    db2 = «dZ2.sum(axis=0)»  # (K,)  ∂L/∂b2
    dA1 = «dZ2 @ W2.T»  # (N, H)  ∂L/∂A1
    dZ1 = «dA1 * relu_prime(Z1)»  # (N, H)  ∂L/∂Z1
    dW1 = «X.T @ dZ1 + reg * W1»  # (D, H)  ∂L/∂W1
    db1 = «dZ1.sum(axis=0)»  # (H,)  ∂L/∂b1

    grads = {{"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}}
    intermediates = {{"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2,
                     "dZ2": dZ2, "dA1": dA1, "dZ1": dZ1}}
    return loss, grads, intermediates
''',
    ("D17", "columns"): f'''\
import numpy as np

from backprop_ref import cross_entropy_with_logits, one_hot, relu, relu_prime, softmax


def loss_and_grads(params, X, y, reg=0.0):
    """Loss, gradients and intermediates of X (D, N) → ReLU (H) → softmax (K), one column
    per example (Nielsen's layout).

    params: W1 (H, D), b1 (H, 1), W2 (K, H), b2 (K, 1); y: integer labels (N,), or
    one-hot or soft columns (K, N); reg: the L2 strength.
    Returns (loss, grads, intermediates).
    """
    W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
    N, K = X.shape[1], W2.shape[0]
    {_ONE_HOT_COLS}   # (K, N)

    # ---- forward pass
    Z1 = W1 @ X + b1                                         # (H, N)
    A1 = relu(Z1)                                            # (H, N)
    Z2 = W2 @ A1 + b2                                        # (K, N)
    A2 = softmax(Z2.T).T                                     # (K, N), down each column
    loss = cross_entropy_with_logits(Z2.T, Y.T) + 0.5 * reg * (np.sum(W1 * W1)
                                                               + np.sum(W2 * W2))

    # ---- backward pass
    dZ2 = «(A2 - Y) / N»  # (K, N)  ∂L/∂Z2
    dW2 = «dZ2 @ A1.T + reg * W2»  # (K, H)  ∂L/∂W2
    db2 = «dZ2.sum(axis=1, keepdims=True)»  # (K, 1)  ∂L/∂b2
    dA1 = «W2.T @ dZ2»  # (H, N)  ∂L/∂A1
    dZ1 = «dA1 * relu_prime(Z1)»  # (H, N)  ∂L/∂Z1
    dW1 = «dZ1 @ X.T + reg * W1»  # (H, D)  ∂L/∂W1
    db1 = «dZ1.sum(axis=1, keepdims=True)»  # (H, 1)  ∂L/∂b1

    grads = {{"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}}
    intermediates = {{"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2,
                     "dZ2": dZ2, "dA1": dA1, "dZ1": dZ1}}
    return loss, grads, intermediates
''',
    ("D18", "rows"): f'''\
import numpy as np

from backprop_ref import (cross_entropy_with_logits, one_hot, relu, relu_prime, sigmoid,
                          sigmoid_prime, softmax, tanh, tanh_prime)

ACTIVATIONS = {{"relu": (relu, relu_prime), "sigmoid": (sigmoid, sigmoid_prime),
               "tanh": (tanh, tanh_prime)}}


def loss_and_grads(params, X, y, hidden="relu", reg=0.0):
    """Loss, gradients and intermediates of an MLP of any depth: X (N, D) → hidden layers
    (activation ``hidden``) → softmax (K), cross-entropy + ½·reg·Σ‖W‖².

    params: W1, b1, …, WL, bL with Wl (fan_in, fan_out), bl (fan_out,); y: integer labels
    (N,), or one-hot or soft rows (N, K).  Returns (loss, grads, intermediates).
    """
    L = len(params) // 2
    Ws = [params[f"W{{l}}"] for l in range(1, L + 1)]
    bs = [params[f"b{{l}}"] for l in range(1, L + 1)]
    g, g_prime = ACTIVATIONS[hidden]
    N, K = X.shape[0], Ws[-1].shape[1]
    {_ONE_HOT_ROWS}   # (N, K)

    # ---- forward pass: Zs[l - 1] = Z^l, As[l - 1] = A^l
    Zs, As = [], []
    A = X
    for l in range(L):
        Z = A @ Ws[l] + bs[l]                                # (N, fan_out)
        A = g(Z) if l < L - 1 else softmax(Z)
        Zs.append(Z)
        As.append(A)
    loss = cross_entropy_with_logits(Zs[-1], Y) + 0.5 * reg * sum(np.sum(W * W) for W in Ws)

    # ---- backward pass, from layer L down to layer 1
    grads, intermediates = {{}}, {{}}
    dZ = «(As[-1] - Y) / N»  # (N, K)  δ^L = ∂L/∂Z^L
    for l in range(L, 0, -1):
        W = Ws[l - 1]                                        # (fan_in, fan_out)
        A_prev = As[l - 2] if l > 1 else X                   # (N, fan_in)
        intermediates[f"dZ{{l}}"] = dZ
        dW = «A_prev.T @ dZ + reg * W»  # (fan_in, fan_out)  ∂L/∂W^l
        db = «dZ.sum(axis=0)»  # (fan_out,)  ∂L/∂b^l
        grads[f"W{{l}}"], grads[f"b{{l}}"] = dW, db
        if l > 1:
            dA_prev = «dZ @ W.T»  # (N, fan_in)  ∂L/∂A^(l-1)
            intermediates[f"dA{{l - 1}}"] = dA_prev
            dZ = «dA_prev * g_prime(Zs[l - 2])»  # (N, fan_in)  δ^(l-1)
    for l in range(1, L + 1):
        intermediates[f"Z{{l}}"], intermediates[f"A{{l}}"] = Zs[l - 1], As[l - 1]
    return loss, grads, intermediates
''',
    ("D18", "columns"): f'''\
import numpy as np

from backprop_ref import (cross_entropy_with_logits, one_hot, relu, relu_prime, sigmoid,
                          sigmoid_prime, softmax, tanh, tanh_prime)

ACTIVATIONS = {{"relu": (relu, relu_prime), "sigmoid": (sigmoid, sigmoid_prime),
               "tanh": (tanh, tanh_prime)}}


def loss_and_grads(params, X, y, hidden="relu", reg=0.0):
    """Loss, gradients and intermediates of an MLP of any depth, one column per example:
    X (D, N) → hidden layers (activation ``hidden``) → softmax (K), cross-entropy +
    ½·reg·Σ‖W‖².

    params: W1, b1, …, WL, bL with Wl (fan_out, fan_in), bl (fan_out, 1); y: integer
    labels (N,), or one-hot or soft columns (K, N).  Returns (loss, grads, intermediates).
    """
    L = len(params) // 2
    Ws = [params[f"W{{l}}"] for l in range(1, L + 1)]
    bs = [params[f"b{{l}}"] for l in range(1, L + 1)]
    g, g_prime = ACTIVATIONS[hidden]
    N, K = X.shape[1], Ws[-1].shape[0]
    {_ONE_HOT_COLS}   # (K, N)

    # ---- forward pass: Zs[l - 1] = Z^l, As[l - 1] = A^l
    Zs, As = [], []
    A = X
    for l in range(L):
        Z = Ws[l] @ A + bs[l]                                # (fan_out, N)
        A = g(Z) if l < L - 1 else softmax(Z.T).T
        Zs.append(Z)
        As.append(A)
    loss = cross_entropy_with_logits(Zs[-1].T, Y.T) + 0.5 * reg * sum(np.sum(W * W)
                                                                       for W in Ws)

    # ---- backward pass, from layer L down to layer 1
    grads, intermediates = {{}}, {{}}
    dZ = «(As[-1] - Y) / N»  # (K, N)  δ^L = ∂L/∂Z^L
    for l in range(L, 0, -1):
        W = Ws[l - 1]                                        # (fan_out, fan_in)
        A_prev = As[l - 2] if l > 1 else X                   # (fan_in, N)
        intermediates[f"dZ{{l}}"] = dZ
        dW = «dZ @ A_prev.T + reg * W»  # (fan_out, fan_in)  ∂L/∂W^l
        db = «dZ.sum(axis=1, keepdims=True)»  # (fan_out, 1)  ∂L/∂b^l
        grads[f"W{{l}}"], grads[f"b{{l}}"] = dW, db
        if l > 1:
            dA_prev = «W.T @ dZ»  # (fan_in, N)  ∂L/∂A^(l-1)
            intermediates[f"dA{{l - 1}}"] = dA_prev
            dZ = «dA_prev * g_prime(Zs[l - 2])»  # (fan_in, N)  δ^(l-1)
    for l in range(1, L + 1):
        intermediates[f"Z{{l}}"], intermediates[f"A{{l}}"] = Zs[l - 1], As[l - 1]
    return loss, grads, intermediates
''',
}
