"""The derivations' forward passes in idiomatic PyTorch (float64).

**Forward passes only.**  Every gradient is produced by ``torch.autograd`` in
:mod:`comparisons.backends`; nothing here writes a derivative.  Each function has the same
name and keyword arguments as its twins in :mod:`comparisons.twins_jax` and
:mod:`comparisons.twins_numpy`.
"""

from __future__ import annotations

from . import twin_mlp
from ._optional import require

torch = require("torch")
F = torch.nn.functional
from torch.optim.sgd import sgd as torch_sgd  # noqa: E402  (after the install hint)

_ACT = {"relu": F.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def sigmoid(z):
    return torch.sigmoid(z)


def relu(z):
    return F.relu(z)


def softmax(z):
    return F.softmax(z, dim=-1)


def labels(labels, scores, num_classes):
    return {"Y": F.one_hot(labels, num_classes).to(scores.dtype), "pred": scores.argmax(dim=1)}


def mse(a, y):
    return 0.5 * F.mse_loss(a, y, reduction="sum") / a.shape[0]


def _nll_probs(probs, y):
    if y.is_floating_point():   # one-hot or soft rows: −Σ_k Y_k log A_k, logs only where Y_k > 0
        return -(y * torch.log(torch.where(y > 0, probs, torch.ones_like(probs)))).sum(1).mean()
    # gather the target probability, then log: a log of every class would turn a
    # non-target probability that underflowed to 0 into -inf, and its zero cotangent into nan
    return -torch.log(probs.gather(1, y[:, None])).mean()


def cross_entropy_probs(probs, y):
    return _nll_probs(probs, y)


def binary_cross_entropy(a, y):
    loss = F.binary_cross_entropy(a, y, reduction="sum") / a.shape[0]
    return loss, {"L_2class": loss}


def mse_sigmoid(z, y):
    return 0.5 * F.mse_loss(torch.sigmoid(z), y, reduction="sum") / z.shape[0]


def bce_logits(z, y):
    return F.binary_cross_entropy_with_logits(z, y, reduction="sum") / z.shape[0]


def ce_logits(z, y):
    return F.cross_entropy(z, y)    # y: class indices, or class-probability rows


def ce_through_probs(z, y):
    return _nll_probs(F.softmax(z, dim=1), y)


def dense(x, W, b):
    return x @ W + b


def hidden(z, W_next, activation):
    return _ACT[activation](z) @ W_next


def l2(W1, W2, reg):
    return 0.5 * reg * (W1.square().sum() + W2.square().sum())


def _head_loss(Z, y, head):
    N = Z.shape[0]
    if head == "softmax_ce":
        return F.cross_entropy(Z, y), F.softmax(Z, dim=1)
    if head == "sigmoid_bce":
        return F.binary_cross_entropy_with_logits(Z, y, reduction="sum") / N, torch.sigmoid(Z)
    if head == "sigmoid_mse":
        A = torch.sigmoid(Z)
        return 0.5 * F.mse_loss(A, y, reduction="sum") / N, A
    if head == "identity_mse":
        return 0.5 * F.mse_loss(Z, y, reduction="sum") / N, Z
    raise ValueError(head)


def mlp_loss(X, y, hidden, head, reg, **p):
    """L-layer MLP; ``eZl`` / ``eAl`` are zero perturbations whose gradients are dZl / dAl."""
    return twin_mlp.mlp_loss(_ACT, _head_loss, lambda W: W.square().sum(), X, y, hidden, head, reg, **p)


def sgd_step(params, lr):
    """One step of torch's own SGD update, ``torch.optim.sgd.sgd`` (the function
    ``torch.optim.SGD.step`` applies: no momentum, no weight decay), on gradients that
    ``backward`` left in ``.grad``; the gradients are then cleared.  The functional form
    because the ``torch.optim.SGD`` object imports ``torch._dynamo`` on first use, which
    took 2.2 s, a third of ``backprop-ref verify``."""
    params = list(params)
    with torch.no_grad():
        torch_sgd(params, [p.grad for p in params], [None] * len(params),
                  weight_decay=0.0, momentum=0.0, lr=lr, dampening=0.0,
                  nesterov=False, maximize=False)
    for p in params:
        p.grad = None


def sgd_run(X, y, hidden, head, reg, lr, steps, **p):
    """``steps`` full-batch steps of torch's SGD update (:func:`sgd_step`) on
    :func:`mlp_loss`."""
    params = {k: v.detach().clone().requires_grad_(True) for k, v in p.items()}
    zeros = {f"e{k}{l}": torch.zeros((), dtype=X.dtype)
             for l in range(1, sum(1 for k in p if k.startswith("W")) + 1) for k in "ZA"}
    losses = []
    for _ in range(steps):
        loss, _ = mlp_loss(X, y, hidden, head, reg, **params, **zeros)
        loss.backward()
        sgd_step(params.values(), lr)
        losses.append(loss.detach())
    return {"losses": torch.stack(losses), **{k: v.detach() for k, v in params.items()}}
