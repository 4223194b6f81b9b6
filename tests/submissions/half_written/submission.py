"""Exercise D17: the notes' two-layer network; write its backward pass.

The notes' network X → ReLU → softmax with cross-entropy + ½·reg·(‖W1‖² + ‖W2‖²)
(notes 001, 003, 004): every gradient and every intermediate of its backward
pass, dZ2 dW2 db2 dA1 dZ1 dW1 db1.

The forward pass is written for you.  Each backward line is a TODO written
`name = ...`, with the shape it must have in its comment: replace each `...` with
its formula, in order (a line may use the lines above it).
Layout: rows (one example per row; a weight W is (fan_in, fan_out), a bias (fan_out,)).

Check your lines, from this file's folder:

    backprop-ref check submission.py:loss_and_grads --against D17

It answers "not written yet: ..." while a line is still `...`, names the first
wrong step and its likely cause when a line is wrong, and "ok" when every output
matches the reference.
"""

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
    Y = one_hot(y, K) if np.ndim(y) == 1 else np.asarray(y, dtype=float)   # (N, K)

    # ---- forward pass
    Z1 = X @ W1 + b1                                         # (N, H)
    A1 = relu(Z1)                                            # (N, H)
    Z2 = A1 @ W2 + b2                                        # (N, K)
    A2 = softmax(Z2)                                         # (N, K)
    loss = cross_entropy_with_logits(Z2, Y) + 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    # ---- backward pass
    dZ2 = (A2 - Y) / N  # (N, K)  ∂L/∂Z2
    dW2 = A1.T @ dZ2 + reg * W2  # (H, K)  ∂L/∂W2
    db2 = np.sum(dZ2, axis=0)  # (K,)  ∂L/∂b2
    dA1 = ...                                                # TODO (N, H)  ∂L/∂A1
    dZ1 = ...                                                # TODO (N, H)  ∂L/∂Z1
    dW1 = ...                                                # TODO (D, H)  ∂L/∂W1
    db1 = ...                                                # TODO (H,)  ∂L/∂b1

    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
    intermediates = {"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2,
                     "dZ2": dZ2, "dA1": dA1, "dZ1": dZ1}
    return loss, grads, intermediates
