r"""The L-layer generalisation: any depth, any hidden activation, any head (D18, D19).

```text
A0 = X;  Z_l = A_{l−1} W_l + b_l;  A_l = g(Z_l) for l < L;  A_L = head(Z_L)
δ_L = head.delta(Z_L, A_L, Y);  δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ g'(Z_l)
∂L/∂W_l = A_{l−1}ᵀ δ_l + reg·W_l;  ∂L/∂b_l = Σ_n δ_l
```

The backward loop runs the formulas verified on their own: the dense backward of D14
(``dense_backward``) and the hidden delta of D15 (``hidden_delta``), and each head's delta
(D6, D9–D11).  Note 004's "2 hidden layer" network is ``init_params([D, H1, H2, K])``.  The
notes' network itself is ``[4, 10, 3]`` with ``hidden="relu", head="softmax_ce"``; the
tests show this loop agrees with the step-by-step `backprop_ref.two_layer`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .activations import HIDDEN_ACTIVATIONS
from .deltas import _hidden_delta
from .heads import Head, get_head
from .layers import _dense_backward
from .losses import _l2_penalty
from .network import Result, init_layers
from .validation import choice, finite_result, network_inputs

__all__ = ["init_params", "loss_and_grads", "loss_and_grads_loop", "predict", "forward",
           "Result"]


def init_params(layer_sizes, seed: int = 0, std: float | None = None) -> dict:
    r"""Initial parameters of an L-layer MLP (D18) with layer sizes ``[D, H1, …, K]``.

    ``W_l ~ s_l · N(0, 1)`` with ``s_l = std`` if given, else ``1/√fan_in`` (LeCun), which
    keeps the pre-activations of any depth at unit scale; ``b_l = 0``.

    Inputs:
        layer_sizes: a sequence of at least two positive ints.
        seed: a non-negative int.
        std: a positive number, or None for ``1/√fan_in``.
    Returns:
        ``{"W1": (D, H1), "b1": (H1,), …, "WL": (H_{L−1}, K), "bL": (K,)}``, float64.
    """
    return init_layers(layer_sizes, std, seed)


def _checked(params, X, y, hidden, head, reg, check_finite):
    """Every argument of a network call, checked once."""
    choice(hidden, "hidden activation", HIDDEN_ACTIVATIONS)
    head = get_head(head)
    X, Ws, bs, reg = network_inputs(params, X, reg, check_finite=check_finite)
    Y = head.targets(y, np.empty((X.shape[0], Ws[-1].shape[1]), dtype=X.dtype))
    return X, Ws, bs, reg, head, Y


def _forward(X: np.ndarray, Ws: list, bs: list, hidden: str,
             head: Head) -> tuple[list, list]:
    g, _ = HIDDEN_ACTIVATIONS[hidden]
    Zs, As, A = [], [], X
    L = len(Ws)
    for l in range(L):
        Z = A @ Ws[l] + bs[l]                          # Z_l = A_{l−1} W_l + b_l
        A = g(Z) if l < L - 1 else head.activate(Z)    # A_l = g(Z_l); A_L = head(Z_L)
        Zs.append(Z)
        As.append(A)
    return Zs, As


@finite_result("mlp.forward")
def forward(params: dict, X: ArrayLike, hidden: str = "relu", head: str | Head = "softmax_ce", *,
            check_finite: bool = True) -> tuple[list, list]:
    """Forward pass only (D18): ``Z_l = A_{l−1} W_l + b_l``, ``A_l = g(Z_l)``, ``A_L = head(Z_L)``.

    Inputs:
        params, X, hidden, head: as `loss_and_grads`.
    Returns:
        Zs: ``[Z1, …, ZL]``; As: ``[A1, …, AL]``, each (N, width of the layer).
    """
    choice(hidden, "hidden activation", HIDDEN_ACTIVATIONS)
    head = get_head(head)
    X, Ws, bs, _ = network_inputs(params, X, 0.0, check_finite=check_finite)
    return _forward(X, Ws, bs, hidden, head)


@finite_result("mlp.loss_and_grads")
def loss_and_grads(params: dict, X: ArrayLike, y: ArrayLike, hidden: str = "relu",
                   head: str | Head = "softmax_ce", reg: float = 0.0, *,
                   check_finite: bool = True) -> Result:
    r"""Loss, gradients and intermediates of an L-layer MLP (D18, notes 002 004).

    $$
    \delta^{L} = \mathrm{head.delta}(Z^L, A^L, Y),\qquad
    \delta^{l} = \big(\delta^{l+1} W^{l+1\,\mathsf T}\big) \odot g'(Z^{l})
    $$

    $$
    \frac{\partial L}{\partial W^{l}} = A^{l-1\,\mathsf T}\delta^{l} + \mathrm{reg}\,W^{l},
    \qquad \frac{\partial L}{\partial b^{l}} = \textstyle\sum_n \delta^{l}_n
    $$

    The loss is the head's batch mean (1/N inside δ^L) plus ``½·reg·Σ_l ‖W_l‖²``.

    Inputs:
        params: ``{"W1", "b1", …, "WL", "bL"}``, W_l (fan_in, fan_out), b_l (fan_out,).
        X: shape (N, D).
        y: for ``softmax_ce`` integer labels (N,) or one-hot/soft rows (N, K); for the
            other heads real targets (N, K) (in [0, 1] for ``sigmoid_bce``).
        hidden: ``"relu"`` | ``"sigmoid"`` | ``"tanh"``.
        head: ``"softmax_ce"`` | ``"sigmoid_bce"`` | ``"sigmoid_mse"`` | ``"identity_mse"``.
        reg: L2 strength ≥ 0.
    Returns:
        `Result`: ``grads`` {W1 … bL}; ``intermediates`` Z1…ZL, A1…AL, dZ1…dZL and
        dA1…dA(L−1).
    """
    X, Ws, bs, reg, head, Y = _checked(params, X, y, hidden, head, reg, check_finite)
    L = len(Ws)
    Zs, As = _forward(X, Ws, bs, hidden, head)
    loss = head.loss(Zs[-1], As[-1], Y) + _l2_penalty(Ws, reg)

    grads, inter = {}, {}
    dZ = head.delta(Zs[-1], As[-1], Y)                          # δ^L (carries the 1/N)
    for l in range(L, 0, -1):
        A_prev = As[l - 2] if l > 1 else X
        inter[f"dZ{l}"] = dZ
        dA_prev, dW, db = _dense_backward(dZ, A_prev, Ws[l - 1], input_layer=l == 1)  # D14
        grads[f"W{l}"], grads[f"b{l}"] = dW + reg * Ws[l - 1], db
        if l > 1:
            inter[f"dA{l - 1}"] = dA_prev
            dZ = _hidden_delta(dZ, Ws[l - 1], Zs[l - 2], hidden)                     # D15
    for l in range(1, L + 1):
        inter[f"Z{l}"], inter[f"A{l}"] = Zs[l - 1], As[l - 1]
    grads = {f"{p}{l}": grads[f"{p}{l}"] for l in range(1, L + 1) for p in "Wb"}
    return Result(loss=X.dtype.type(loss), grads=grads, intermediates=inter)


@finite_result("mlp.loss_and_grads_loop")
def loss_and_grads_loop(params: dict, X: ArrayLike, y: ArrayLike, hidden: str = "relu",
                        head: str | Head = "softmax_ce", reg: float = 0.0, *,
                        check_finite: bool = True) -> Result:
    r"""The same as `loss_and_grads`, one example at a time (D19, note 002).

    For each example, in column vectors (``z^l = W^{lᵀ} a^{l−1} + b^l``):

    $$
    \delta^{l} = (W^{l+1}\,\delta^{l+1}) \odot g'(z^{l}),\qquad
    \frac{\partial \ell}{\partial W^{l}} = a^{l-1}(\delta^{l})^{\mathsf T},\qquad
    \frac{\partial \ell}{\partial b^{l}} = \delta^{l}
    $$

    summed over the m = N examples and divided by m; ``reg·W`` is added once.  The
    per-example intermediates are stacked as rows (``dZ = δ/N``, ``dA`` likewise).

    Inputs / Returns: as `loss_and_grads`.
    """
    X, Ws, bs, reg, head, Y = _checked(params, X, y, hidden, head, reg, check_finite)
    g, g_prime = HIDDEN_ACTIVATIONS[hidden]
    N, L = X.shape[0], len(Ws)
    bcols = [b[:, None] for b in bs]                            # biases as columns
    gW = [np.zeros_like(W) for W in Ws]
    gb = [np.zeros_like(b) for b in bcols]
    widths = [W.shape[1] for W in Ws]
    inter = {f"{k}{l}": np.empty((N, widths[l - 1]), dtype=X.dtype)
             for l in range(1, L + 1) for k in ("Z", "A", "dZ")}
    inter.update({f"dA{l}": np.empty((N, widths[l - 1]), dtype=X.dtype) for l in range(1, L)})
    data_loss = X.dtype.type(0)
    for n in range(N):
        a = [X[n][:, None]]                                     # a^0 = x           (D, 1)
        z: list = [None]                                        # z^l at index l
        for l in range(1, L + 1):
            z.append(Ws[l - 1].T @ a[-1] + bcols[l - 1])        # z^l = W^lᵀ a^{l−1} + b^l
            a.append(g(z[l]) if l < L else head.activate(z[l].T).T)
        y_n = Y[n:n + 1]                                        # this example's row (1, K)
        data_loss += head.loss(z[L].T, a[L].T, y_n)             # ℓ_n
        delta = head.delta(z[L].T, a[L].T, y_n).T               # δ^L of one example (K, 1)
        for l in range(L, 0, -1):
            gW[l - 1] += a[l - 1] @ delta.T                     # a^{l−1} (δ^l)ᵀ
            gb[l - 1] += delta                                  # δ^l
            inter[f"dZ{l}"][n] = delta[:, 0] / N
            inter[f"Z{l}"][n], inter[f"A{l}"][n] = z[l][:, 0], a[l][:, 0]
            if l > 1:
                da = Ws[l - 1] @ delta                          # W^l δ^l
                inter[f"dA{l - 1}"][n] = da[:, 0] / N
                delta = da * g_prime(z[l - 1])                  # δ^{l−1}
    grads = {}
    for l in range(1, L + 1):
        grads[f"W{l}"] = gW[l - 1] / N + reg * Ws[l - 1]
        grads[f"b{l}"] = gb[l - 1][:, 0] / N
    loss = data_loss / N + _l2_penalty(Ws, reg)
    return Result(loss=X.dtype.type(loss), grads=grads, intermediates=inter)


def predict(params: dict, X: ArrayLike, hidden: str = "relu", head: str | Head = "softmax_ce", *,
            check_finite: bool = True) -> np.ndarray:
    """Predicted output (D5, D18): labels ``argmax_k Z_L`` for ``softmax_ce``; ``A_L`` otherwise.

    For ``sigmoid_bce`` that is the probability of each output; threshold at 0.5 for
    labels.

    Inputs:
        params, X, hidden, head: as `loss_and_grads`.
    Returns:
        int64 labels (N,) for ``softmax_ce``; else ``A_L`` (N, K).
    """
    Zs, As = forward(params, X, hidden, head, check_finite=check_finite)
    if get_head(head).name == "softmax_ce":
        return np.argmax(Zs[-1], axis=1)
    return As[-1]
