r"""The L-layer generalisation: any depth, any hidden activation, any head (D18, D19).

.. code-block:: text

    A0 = X;  Z_l = A_{l−1} W_l + b_l;  A_l = g(Z_l) for l < L;  A_L = head(Z_L)
    δ_L = head.delta(Z_L, A_L, Y);  δ_l = (δ_{l+1} W_{l+1}ᵀ) ⊙ g'(Z_l)
    ∂L/∂W_l = A_{l−1}ᵀ δ_l + reg·W_l;  ∂L/∂b_l = Σ_n δ_l

Note 004's "2 hidden layer" network is ``init_params([D, H1, H2, K])``.  The notes'
network itself is ``[4, 10, 3]`` with ``hidden="relu", head="softmax_ce"``; the tests show
this loop agrees with the step-by-step :mod:`backprop_ref.two_layer`.
"""

from __future__ import annotations

import numpy as np

from ._network import Result, check_network_inputs, check_sizes, init_layers, weight_sq
from ._validation import ClassTargets, check_choice
from .activations import HIDDEN_ACTIVATIONS
from .heads import get_head

__all__ = ["init_params", "loss_and_grads", "loss_and_grads_loop", "predict", "forward",
           "Result"]


def init_params(layer_sizes, seed=0, std=None) -> dict:
    r"""Initial parameters for layer sizes ``[D, H1, …, K]``.

    ``W_l ~ s_l · N(0, 1)`` with ``s_l = std`` if given, else ``1/√fan_in`` (LeCun), which
    keeps the pre-activations of any depth at unit scale; ``b_l = 0``.

    Returns:
        ``{"W1": (D, H1), "b1": (H1,), …, "WL": (H_{L−1}, K), "bL": (K,)}``, float64.
    """
    sizes = check_sizes(layer_sizes)
    if std is not None and (not np.isfinite(std) or std <= 0):
        raise ValueError(f"std must be a positive number or None, got {std!r}")
    return init_layers(sizes, std, seed)


def _prepare(params, X, y, hidden, head, reg, check_finite):
    check_choice(hidden, "hidden activation", HIDDEN_ACTIVATIONS)
    head = get_head(head)
    X, Ws, bs, reg, w_sq = check_network_inputs(params, X, reg, check_finite=check_finite)
    Z_shape = (X.shape[0], Ws[-1].shape[1])
    T = head.targets(y, np.empty(Z_shape, dtype=X.dtype))
    return X, Ws, bs, reg, head, T, w_sq


def forward(params, X, hidden="relu", head="softmax_ce", *, check_finite=True):
    """Forward pass only: ``(Zs, As)``, lists of the L pre-activations and activations."""
    check_choice(hidden, "hidden activation", HIDDEN_ACTIVATIONS)
    head = get_head(head)
    X, Ws, bs, *_ = check_network_inputs(params, X, 0.0, check_finite=check_finite)
    return _forward(X, Ws, bs, HIDDEN_ACTIVATIONS[hidden][0], head)


def _forward(X, Ws, bs, g, head):
    Zs, As, A = [], [], X
    L = len(Ws)
    for l in range(L):
        Z = A @ Ws[l]
        Z += bs[l]                                    # Z_l = A_{l−1} W_l + b_l
        A = g(Z) if l < L - 1 else head.activate(Z)   # A_l = g(Z_l), A_L = head(Z_L)
        Zs.append(Z)
        As.append(A)
    return Zs, As


def _l2(Ws, reg, w_sq=None):
    """½·reg·Σ_l ‖W_l‖², reusing the sum of squares when the finiteness check made it."""
    return 0.5 * reg * (weight_sq(Ws) if w_sq is None else w_sq)


def loss_and_grads(params, X, y, hidden="relu", head="softmax_ce", reg=0.0, *,
                   check_finite: bool = True) -> Result:
    r"""Loss, gradients and intermediates of an L-layer MLP (D18, notes 002 004).

    .. math::
        \delta^{L} = \mathrm{head.delta}(Z^L, A^L, Y),\qquad
        \delta^{l} = \big(\delta^{l+1} W^{l+1\,\mathsf T}\big) \odot g'(Z^{l})

    .. math::
        \frac{\partial L}{\partial W^{l}} = A^{l-1\,\mathsf T}\delta^{l} + \mathrm{reg}\,W^{l},
        \qquad \frac{\partial L}{\partial b^{l}} = \textstyle\sum_n \delta^{l}_n

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
        :class:`Result`: ``grads`` {W1 … bL}; ``intermediates`` Z1…ZL, A1…AL, dZ1…dZL and
        dA1…dA(L−1).
    """
    X, Ws, bs, reg, head, T, w_sq = _prepare(params, X, y, hidden, head, reg, check_finite)
    g, g_prime = HIDDEN_ACTIVATIONS[hidden]
    L = len(Ws)
    Zs, As = _forward(X, Ws, bs, g, head)
    loss = head.loss(Zs[-1], As[-1], T) + _l2(Ws, reg, w_sq)

    inter = {}
    grads = {}
    dZ = head.delta(Zs[-1], As[-1], T)                # δ^L (already carries 1/N)
    for l in range(L, 0, -1):
        A_prev = As[l - 2] if l > 1 else X
        inter[f"dZ{l}"] = dZ
        grads[f"W{l}"] = A_prev.T @ dZ + reg * Ws[l - 1] if reg else A_prev.T @ dZ
        grads[f"b{l}"] = dZ.sum(axis=0)
        if l > 1:
            dA = dZ @ Ws[l - 1].T                     # ∂L/∂A^{l−1} = δ^l W^{lᵀ}
            inter[f"dA{l - 1}"] = dA
            dZ = dA * g_prime(Zs[l - 2])              # δ^{l−1} = dA ⊙ g'(Z^{l−1})
    for l in range(1, L + 1):
        inter[f"Z{l}"], inter[f"A{l}"] = Zs[l - 1], As[l - 1]
    order = {k: i for i, k in enumerate(["W", "b"])}
    grads = dict(sorted(grads.items(), key=lambda kv: (int(kv[0][1:]), order[kv[0][0]])))
    return Result(loss=loss, grads=grads, intermediates=inter)


def _row_targets(T, n):
    if isinstance(T, ClassTargets):
        if T.labels is not None:
            return ClassTargets(T.labels[n:n + 1], None)
        return ClassTargets(None, T.Y[n:n + 1])
    return T[n:n + 1]


def loss_and_grads_loop(params, X, y, hidden="relu", head="softmax_ce", reg=0.0, *,
                        check_finite: bool = True) -> Result:
    r"""The same as :func:`loss_and_grads`, one example at a time (D19, note 002).

    For each example, in column vectors (``z^l = W^{lᵀ} a^{l−1} + b^l``):

    .. math::
        \delta^{l} = (W^{l+1}\,\delta^{l+1}) \odot g'(z^{l}),\qquad
        \frac{\partial \ell}{\partial W^{l}} = a^{l-1}(\delta^{l})^{\mathsf T},\qquad
        \frac{\partial \ell}{\partial b^{l}} = \delta^{l}

    summed over the m = N examples and divided by m; ``reg·W`` is added once.  The
    per-example intermediates are stacked as rows (``dZ = δ/N``, ``dA`` likewise).

    Inputs / Returns: as :func:`loss_and_grads`.
    """
    X, Ws, bs, reg, head, T, w_sq = _prepare(params, X, y, hidden, head, reg, check_finite)
    g, g_prime = HIDDEN_ACTIVATIONS[hidden]
    N, L = X.shape[0], len(Ws)
    bcols = [b[:, None] for b in bs]
    gW = [np.zeros_like(W) for W in Ws]
    gb = [np.zeros_like(b) for b in bcols]
    widths = [W.shape[1] for W in Ws]
    inter = {f"{k}{l}": np.empty((N, widths[l - 1]), dtype=X.dtype)
             for l in range(1, L + 1) for k in ("Z", "A", "dZ")}
    inter.update({f"dA{l}": np.empty((N, widths[l - 1]), dtype=X.dtype) for l in range(1, L)})
    loss = 0.0
    for n in range(N):
        a = [X[n][:, None]]                           # a^0 = x             (D, 1)
        z = [None]
        for l in range(1, L + 1):
            z.append(Ws[l - 1].T @ a[-1] + bcols[l - 1])
            a.append(g(z[l]) if l < L else head.activate(z[l].T).T)
        t_n = _row_targets(T, n)
        loss += float(head.loss(z[L].T, a[L].T, t_n))
        delta = head.delta(z[L].T, a[L].T, t_n).T     # δ^L of one example  (K, 1)
        for l in range(L, 0, -1):
            gW[l - 1] += a[l - 1] @ delta.T           # a^{l−1} (δ^l)ᵀ
            gb[l - 1] += delta
            inter[f"dZ{l}"][n] = delta[:, 0]
            inter[f"Z{l}"][n], inter[f"A{l}"][n] = z[l][:, 0], a[l][:, 0]
            if l > 1:
                da = Ws[l - 1] @ delta                # W^l δ^l
                inter[f"dA{l - 1}"][n] = da[:, 0]
                delta = da * g_prime(z[l - 1])        # δ^{l−1}
    for k in inter:
        if k.startswith("d"):
            inter[k] /= N
    grads = {}
    for l in range(1, L + 1):
        grads[f"W{l}"] = gW[l - 1] / N + reg * Ws[l - 1]
        grads[f"b{l}"] = gb[l - 1][:, 0] / N
    loss = X.dtype.type(loss / N + _l2(Ws, reg, w_sq))
    return Result(loss=loss, grads=grads, intermediates=inter)


def predict(params, X, hidden="relu", head="softmax_ce", *, check_finite=True) -> np.ndarray:
    """Predicted output: class labels (argmax) for ``softmax_ce``; ``A_L`` otherwise.

    For ``sigmoid_bce`` that is the probability of each output; threshold at 0.5 for
    labels.
    """
    Zs, As = forward(params, X, hidden, head, check_finite=check_finite)
    if get_head(head).name == "softmax_ce":
        return np.argmax(Zs[-1], axis=1)
    return As[-1]
