r"""The notes' network, written out step by step (D17, D19; notes 001 003 004).

.. code-block:: text

    X (N×4) ─► Z1 = X W1 + b1 ─► A1 = relu(Z1) ─► Z2 = A1 W2 + b2 ─► A2 = softmax(Z2)
    L = −(1/N) Σ_n log A2[n, y_n]  +  ½·reg·(‖W1‖² + ‖W2‖²)

Shapes for note 001's example: X 200×4, W1 4×10, b1 (10,), A1 200×10, W2 10×3, b2 (3,),
A2 and Y_ind 200×3.  The backward pass below is the notes' list, one line each:
``dZ2, dW2, db2, dA1, dZ1, dW1, db1``.  The general L-layer loop lives in
:mod:`backprop_ref.mlp`; the two are kept apart on purpose and the tests show they agree.
"""

from __future__ import annotations

import numpy as np

from ._network import Result, check_network_inputs, check_sizes, init_layers, weight_sq
from ._validation import ClassTargets, as_class_targets

__all__ = ["init_params", "loss_and_grads", "loss_and_grads_loop", "predict", "Result"]


def init_params(input_size=4, hidden_size=10, num_classes=3, std=1e-1, seed=0) -> dict:
    r"""Initial parameters of the notes' network, cs231n style.

    ``W ~ std · N(0, 1)``, ``b = 0``; seeded with ``numpy.random.default_rng(seed)``.

    Returns:
        ``{"W1": (input_size, hidden_size), "b1": (hidden_size,),
        "W2": (hidden_size, num_classes), "b2": (num_classes,)}``, float64.
    """
    sizes = check_sizes([input_size, hidden_size, num_classes], "the layer sizes")
    if not np.isfinite(std) or std <= 0:
        raise ValueError(f"std must be a positive number, got {std!r}")
    return init_layers(sizes, std, seed)


def _targets(y, N: int, K: int) -> ClassTargets:
    """Note 001's indicator matrix, as labels (hard targets) or soft rows."""
    return as_class_targets(y, N, K, n_from="X")


def loss_and_grads(params, X, y, reg=0.0, *, check_finite: bool = True) -> Result:
    r"""Loss, every gradient and every intermediate of the notes' network (D17).

    Forward (notes 001, 003, 004):

    .. math::
        Z_1 = X W_1 + b_1,\quad A_1 = \mathrm{relu}(Z_1),\quad
        Z_2 = A_1 W_2 + b_2,\quad A_2 = \mathrm{softmax}(Z_2)

    .. math:: L = -\frac1N\sum_n\sum_k Y_{nk}\log A_{2,nk} + \tfrac12\,\mathrm{reg}
              \left(\lVert W_1\rVert^2 + \lVert W_2\rVert^2\right)

    Backward, line for line:

    .. math::
        dZ_2 = (A_2 - Y)/N,\quad dW_2 = A_1^{\mathsf T} dZ_2 + \mathrm{reg}\,W_2,\quad
        db_2 = \textstyle\sum_n dZ_2,\quad dA_1 = dZ_2 W_2^{\mathsf T},

    .. math::
        dZ_1 = dA_1 \odot \mathbb{1}[Z_1 > 0],\quad dW_1 = X^{\mathsf T} dZ_1 + \mathrm{reg}\,W_1,
        \quad db_1 = \textstyle\sum_n dZ_1

    The ``1/N`` sits in ``dZ2`` once and flows down; the L2 term adds ``reg·W`` (the ½
    cancels) and no ``1/N``.  ``relu'(0) = 0``.

    Inputs:
        params: ``{"W1": (D, H), "b1": (H,), "W2": (H, K), "b2": (K,)}``.
        X: shape (N, D).
        y: integer labels (N,), one-hot rows (N, K) or soft rows (N, K).
        reg: L2 strength ≥ 0.
    Returns:
        :class:`Result` with ``loss``, ``grads`` {W1, b1, W2, b2} and ``intermediates``
        {Z1, A1, Z2, A2, dZ2, dA1, dZ1}.
    """
    X, (W1, W2), (b1, b2), reg, w_sq = check_network_inputs(params, X, reg, layers=2,
                                                             check_finite=check_finite)
    t = _targets(y, X.shape[0], W2.shape[1])
    return _notes_lines(X, W1, b1, W2, b2, t, reg, w_sq)


def _notes_lines(X, W1, b1, W2, b2, t: ClassTargets, reg: float, w_sq=None) -> Result:
    """:func:`loss_and_grads` on inputs that are already checked: the notes' lines only.

    ``w_sq`` is ``‖W1‖² + ‖W2‖²`` when the finiteness check has computed it.  Kept apart
    so that the benchmarks can time the arithmetic without the checks.
    """
    N, K = X.shape[0], W2.shape[1]

    # ---- forward pass
    Z1 = X @ W1
    Z1 += b1                                               # Z1 = X W1 + b1       (N, H)
    A1 = np.maximum(Z1, 0)                                 # A1 = relu(Z1)        (N, H)
    Z2 = A1 @ W2
    Z2 += b2                                               # Z2 = A1 W2 + b2      (N, K)
    shifted = Z2 - Z2.max(axis=1, keepdims=True)           # softmax, stably
    A2 = np.exp(shifted)
    row_sums = A2.sum(axis=1, keepdims=True)
    A2 /= row_sums                                         # A2 = softmax(Z2)     (N, K)
    if t.labels is not None:                               # log A2[n, y_n] = shifted − log Σ
        target = np.arange(0, N * K, K) + t.labels         # flat index of (n, y_n)
        data_loss = (np.log(row_sums).sum() - shifted.take(target).sum()) / N
    else:
        data_loss = -np.einsum("nk,nk->", t.Y, shifted - np.log(row_sums)) / N
    if w_sq is None:
        w_sq = weight_sq((W1, W2))                         # ‖W1‖² + ‖W2‖²
    loss = data_loss + 0.5 * reg * w_sq

    # ---- backward pass
    dZ2 = A2 / N                                           # dZ2 = (A2 − Y_ind)/N (N, K)
    if t.labels is not None:
        dZ2.ravel()[target] -= 1 / N                       #   (Y_ind: one 1 per row)
    else:
        dZ2 -= t.Y / N
    dW2 = A1.T @ dZ2                                       # dW2 = A1ᵀ dZ2 (+ reg W2)
    db2 = dZ2.sum(axis=0)                                  # db2 = Σ_n dZ2        (K,)
    dA1 = dZ2 @ W2.T                                       # dA1 = dZ2 W2ᵀ        (N, H)
    dZ1 = dA1 * (Z1 > 0)                                   # dZ1 = dA1 ⊙ relu'(Z1)
    dW1 = X.T @ dZ1                                        # dW1 = Xᵀ dZ1 (+ reg W1)
    db1 = dZ1.sum(axis=0)                                  # db1 = Σ_n dZ1        (H,)
    if reg:
        dW2 += reg * W2
        dW1 += reg * W1

    return Result(
        loss=loss,
        grads={"W1": dW1, "b1": db1, "W2": dW2, "b2": db2},
        intermediates={"Z1": Z1, "A1": A1, "Z2": Z2, "A2": A2,
                       "dZ2": dZ2, "dA1": dA1, "dZ1": dZ1},
    )


def loss_and_grads_loop(params, X, y, reg=0.0, *, check_finite: bool = True) -> Result:
    r"""The same as :func:`loss_and_grads`, one example at a time (D19, note 002).

    Note 002's "for 1 example" in column vectors, with ``z^l = W^{l ᵀ} a^{l−1} + b^l`` for
    the row-layout ``W^l`` (fan_in, fan_out):

    .. math::
        \delta^{2} = a^{2} - y,\quad
        \delta^{1} = (W^{2}\,\delta^{2}) \odot \mathrm{relu}'(z^{1}),\quad
        \frac{\partial \ell}{\partial W^{l}} = a^{l-1}(\delta^{l})^{\mathsf T},\quad
        \frac{\partial \ell}{\partial b^{l}} = \delta^{l}

    The per-example gradients are summed, then divided by m = N ("for m examples"), and
    ``reg·W`` is added once.  The intermediates are the per-example columns stacked as
    rows, with ``dZ = δ/N`` so that they compare with the vectorized ones.  Slow on
    purpose: it is the baseline the benchmarks measure vectorization against.

    Inputs / Returns: as :func:`loss_and_grads`.
    """
    X, (W1, W2), (b1, b2), reg, w_sq = check_network_inputs(params, X, reg, layers=2,
                                                             check_finite=check_finite)
    N, H, K = X.shape[0], W1.shape[1], W2.shape[1]
    t = _targets(y, N, K)
    b1c, b2c = b1[:, None], b2[:, None]
    dW1, db1 = np.zeros_like(W1), np.zeros_like(b1c)
    dW2, db2 = np.zeros_like(W2), np.zeros_like(b2c)
    cols = {k: np.empty((N, w), dtype=X.dtype)
            for k, w in (("Z1", H), ("A1", H), ("Z2", K), ("A2", K),
                         ("dZ2", K), ("dA1", H), ("dZ1", H))}
    loss = 0.0
    for n in range(N):
        a0 = X[n][:, None]                                 # x, a column      (D, 1)
        z1 = W1.T @ a0 + b1c                               # z^1              (H, 1)
        a1 = np.maximum(z1, 0)                             # a^1 = relu(z^1)
        z2 = W2.T @ a1 + b2c                               # z^2              (K, 1)
        e = np.exp(z2 - z2.max())
        a2 = e / e.sum()                                   # a^2 = softmax(z^2)
        y_n = np.zeros_like(a2)
        if t.labels is not None:
            y_n[t.labels[n], 0] = 1
        else:
            y_n[:, 0] = t.Y[n]
        log_a2 = (z2 - z2.max()) - np.log(e.sum())
        loss -= float(np.vdot(y_n, log_a2))                # ℓ = −Σ_k y_k log a_k
        delta2 = a2 - y_n                                  # δ^2 = a^2 − y
        dW2 += a1 @ delta2.T                               # a^1 (δ^2)ᵀ       (H, K)
        db2 += delta2
        da1 = W2 @ delta2                                  # W^2 δ^2          (H, 1)
        delta1 = da1 * (z1 > 0)                            # δ^1 = (W^2 δ^2) ⊙ relu'(z^1)
        dW1 += a0 @ delta1.T                               # a^0 (δ^1)ᵀ       (D, H)
        db1 += delta1
        for k, v in (("Z1", z1), ("A1", a1), ("Z2", z2), ("A2", a2),
                     ("dZ2", delta2), ("dA1", da1), ("dZ1", delta1)):
            cols[k][n] = v[:, 0]
    for k in ("dZ2", "dA1", "dZ1"):
        cols[k] /= N
    if w_sq is None:
        w_sq = weight_sq((W1, W2))
    loss = X.dtype.type(loss / N + 0.5 * reg * w_sq)
    grads = {"W1": dW1 / N + reg * W1, "b1": db1[:, 0] / N,
             "W2": dW2 / N + reg * W2, "b2": db2[:, 0] / N}
    return Result(loss=loss, grads=grads, intermediates=cols)


def predict(params, X, *, check_finite: bool = True) -> np.ndarray:
    r"""Predicted labels of the notes' network: ``argmax_k Z2[n, k]`` (D5, note 000).

    Softmax is monotone, so the argmax of the scores ``Z2`` is the argmax of ``A2``.

    Inputs:
        params: as :func:`loss_and_grads`.
        X: shape (N, D).
    Returns:
        int64 labels, shape (N,).
    """
    X, (W1, W2), (b1, b2), *_ = check_network_inputs(params, X, 0.0, layers=2,
                                                      check_finite=check_finite)
    return np.argmax(np.maximum(X @ W1 + b1, 0) @ W2 + b2, axis=1)
