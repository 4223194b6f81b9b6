r"""The notes' network, written out step by step (D17, D19; notes 001 003 004).

```text
X (N×4) ─► Z1 = X W1 + b1 ─► A1 = relu(Z1) ─► Z2 = A1 W2 + b2 ─► A2 = softmax(Z2)
L = −(1/N) Σ_n Σ_k Y[n, k] log A2[n, k]  +  ½·reg·(‖W1‖² + ‖W2‖²)
```

Shapes for note 001's example: X 200×4, W1 4×10, b1 (10,), A1 200×10, W2 10×3, b2 (3,),
A2 and Y 200×3.  The backward pass is the notes' list, one line each: ``dZ2, dW2, db2, dA1,
dZ1, dW1, db1``.  The general L-layer loop lives in `backprop_ref.mlp`; the two are
kept apart on purpose and the tests show they agree.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

# The formulas themselves, on arrays already checked (the public functions of the same
# names check their arguments first; here the inputs are checked once, at the top).
from .activations import _relu as relu
from .activations import _relu_prime as relu_prime
from .activations import _softmax as softmax
from .losses import _cross_entropy_with_logits as cross_entropy_with_logits
from .losses import _l2_penalty as l2_penalty
from .network import Result, init_layers
from .validation import class_targets, finite_result, network_inputs, positive_number

__all__ = ["init_params", "loss_and_grads", "loss_and_grads_loop", "predict", "Result"]


def init_params(input_size: int = 4, hidden_size: int = 10, num_classes: int = 3,
                std: float = 1e-1, seed: int = 0) -> dict:
    r"""Initial parameters of the notes' network (D17), CS231n style.

    ``W ~ std · N(0, 1)``, ``b = 0``; seeded with ``numpy.random.default_rng(seed)``.

    Inputs:
        input_size, hidden_size, num_classes: D, H, K, positive ints.
        std: the weights' standard deviation, a positive number.
        seed: a non-negative int.
    Returns:
        ``{"W1": (D, H), "b1": (H,), "W2": (H, K), "b2": (K,)}``, float64.
    """
    return init_layers([input_size, hidden_size, num_classes],
                       positive_number(std, "std"), seed,
                       sizes_name="[input_size, hidden_size, num_classes]")


@finite_result("two_layer.loss_and_grads")
def loss_and_grads(params: dict, X: ArrayLike, y: ArrayLike, reg: float = 0.0, *,
                   check_finite: bool = True) -> Result:
    r"""Loss, every gradient and every intermediate of the notes' network (D17).

    Forward (notes 001, 003, 004):

    $$
    Z_1 = X W_1 + b_1,\quad A_1 = \mathrm{relu}(Z_1),\quad
    Z_2 = A_1 W_2 + b_2,\quad A_2 = \mathrm{softmax}(Z_2)
    $$

    $$
    L = -\frac1N\sum_n\sum_k Y_{nk}\log A_{2,nk} + \tfrac12\,\mathrm{reg}
    \left(\lVert W_1\rVert^2 + \lVert W_2\rVert^2\right)
    $$

    Backward, line for line:

    $$
    dZ_2 = (A_2 - Y)/N,\quad dW_2 = A_1^{\mathsf T} dZ_2 + \mathrm{reg}\,W_2,\quad
    db_2 = \textstyle\sum_n dZ_2,\quad dA_1 = dZ_2 W_2^{\mathsf T}
    $$

    $$
    dZ_1 = dA_1 \odot \mathrm{relu}'(Z_1),\quad dW_1 = X^{\mathsf T} dZ_1 + \mathrm{reg}\,W_1,
    \quad db_1 = \textstyle\sum_n dZ_1
    $$

    The ``1/N`` sits in ``dZ2`` once and flows down; the L2 term adds ``reg·W`` (the ½
    cancels) and no ``1/N``.  ``relu'(0) = 0``.  The loss is computed from the logits
    (``log softmax``), so it is finite for any finite ``Z2``.

    Inputs:
        params: ``{"W1": (D, H), "b1": (H,), "W2": (H, K), "b2": (K,)}``.
        X: shape (N, D).
        y: integer labels (N,), one-hot rows (N, K) or soft rows (N, K).
        reg: L2 strength ≥ 0.
    Returns:
        `Result` with ``loss``, ``grads`` {W1, b1, W2, b2} and ``intermediates``
        {Z1, A1, Z2, A2, dZ2, dA1, dZ1}.
    """
    X, (W1, W2), (b1, b2), reg = network_inputs(params, X, reg, layers=2,
                                                check_finite=check_finite)
    N, K = X.shape[0], W2.shape[1]
    Y = class_targets(y, N, K, dtype=X.dtype, n_from="X")   # note 001's Y_ind    (N, K)

    # ---- forward pass
    Z1 = X @ W1 + b1                                         # (N, H)
    A1 = relu(Z1)                                            # (N, H)
    Z2 = A1 @ W2 + b2                                        # (N, K)
    A2 = softmax(Z2)                                         # (N, K)
    loss = cross_entropy_with_logits(Z2, Y) + l2_penalty((W1, W2), reg)

    # ---- backward pass
    dZ2 = (A2 - Y) / N                                       # (N, K)
    dW2 = A1.T @ dZ2 + reg * W2                              # (H, K)
    db2 = dZ2.sum(axis=0)                                    # (K,)
    dA1 = dZ2 @ W2.T                                         # (N, H)
    dZ1 = dA1 * relu_prime(Z1)                               # (N, H)
    dW1 = X.T @ dZ1 + reg * W1                               # (D, H)
    db1 = dZ1.sum(axis=0)                                    # (H,)

    return Result(
        loss=X.dtype.type(loss),
        grads={"W1": dW1, "b1": db1, "W2": dW2, "b2": db2},
        intermediates={"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2,
                       "dZ2": dZ2, "dA1": dA1, "dZ1": dZ1},
    )


@finite_result("two_layer.loss_and_grads_loop")
def loss_and_grads_loop(params: dict, X: ArrayLike, y: ArrayLike, reg: float = 0.0, *,
                        check_finite: bool = True) -> Result:
    r"""The same as `loss_and_grads`, one example at a time (D19, note 002).

    Note 002's "for 1 example" in column vectors, with ``z^l = W^{lᵀ} a^{l−1} + b^l`` for
    the row-layout ``W^l`` (fan_in, fan_out):

    $$
    \delta^{2} = a^{2} - y,\quad
    \delta^{1} = (W^{2}\,\delta^{2}) \odot \mathrm{relu}'(z^{1}),\quad
    \frac{\partial \ell}{\partial W^{l}} = a^{l-1}(\delta^{l})^{\mathsf T},\quad
    \frac{\partial \ell}{\partial b^{l}} = \delta^{l}
    $$

    The per-example gradients are summed, then divided by m = N ("for m examples"), and
    ``reg·W`` is added once.  The intermediates are the per-example columns stacked as
    rows, with ``dZ = δ/N`` so that they compare with the vectorized ones.  Slow on
    purpose: it is the baseline the benchmarks measure vectorization against.

    Inputs / Returns: as `loss_and_grads`.
    """
    X, (W1, W2), (b1, b2), reg = network_inputs(params, X, reg, layers=2,
                                                check_finite=check_finite)
    N, H, K = X.shape[0], W1.shape[1], W2.shape[1]
    Y = class_targets(y, N, K, dtype=X.dtype, n_from="X")
    b1c, b2c = b1[:, None], b2[:, None]                      # biases as columns
    dW1, db1 = np.zeros_like(W1), np.zeros_like(b1c)
    dW2, db2 = np.zeros_like(W2), np.zeros_like(b2c)
    rows = {k: np.empty((N, w), dtype=X.dtype)
            for k, w in (("Z1", H), ("A1", H), ("Z2", K), ("A2", K),
                         ("dZ2", K), ("dA1", H), ("dZ1", H))}
    data_loss = X.dtype.type(0)
    for n in range(N):
        a0 = X[n][:, None]                                   # x, a column       (D, 1)
        y_n = Y[n][:, None]                                  # y, a column       (K, 1)
        z1 = W1.T @ a0 + b1c                                 # z^1               (H, 1)
        a1 = relu(z1)                                        # a^1 = relu(z^1)
        z2 = W2.T @ a1 + b2c                                 # z^2               (K, 1)
        a2 = softmax(z2.T).T                                 # a^2 = softmax(z^2)
        data_loss += cross_entropy_with_logits(z2.T, y_n.T)  # ℓ = −Σ_k y_k log a_k
        delta2 = a2 - y_n                                    # δ^2 = a^2 − y
        dW2 += a1 @ delta2.T                                 # a^1 (δ^2)ᵀ        (H, K)
        db2 += delta2
        da1 = W2 @ delta2                                    # W^2 δ^2           (H, 1)
        delta1 = da1 * relu_prime(z1)                        # δ^1 = (W^2 δ^2) ⊙ relu'(z^1)
        dW1 += a0 @ delta1.T                                 # a^0 (δ^1)ᵀ        (D, H)
        db1 += delta1
        for k, v in (("Z1", z1), ("A1", a1), ("Z2", z2), ("A2", a2),
                     ("dZ2", delta2 / N), ("dA1", da1 / N), ("dZ1", delta1 / N)):
            rows[k][n] = v[:, 0]
    loss = data_loss / N + l2_penalty((W1, W2), reg)
    grads = {"W1": dW1 / N + reg * W1, "b1": db1[:, 0] / N,
             "W2": dW2 / N + reg * W2, "b2": db2[:, 0] / N}
    return Result(loss=X.dtype.type(loss), grads=grads, intermediates=rows)


def predict(params: dict, X: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Predicted labels of the notes' network: ``argmax_k Z2[n, k]`` (D5, note 000).

    Softmax is monotone, so the argmax of the scores ``Z2`` is the argmax of ``A2``.

    Inputs:
        params: as `loss_and_grads`.
        X: shape (N, D).
    Returns:
        int64 labels, shape (N,).
    """
    X, (W1, W2), (b1, b2), _ = network_inputs(params, X, 0.0, layers=2,
                                              check_finite=check_finite)
    with np.errstate(over="ignore", invalid="ignore"):
        Z2 = relu(X @ W1 + b1) @ W2 + b2
    if check_finite and not np.all(np.isfinite(Z2)):
        raise ValueError("two_layer.predict: the scores Z2 overflow the float range although "
                         "every input is finite")
    return np.argmax(Z2, axis=1)
