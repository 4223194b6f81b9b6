"""The derivations' forward passes in idiomatic JAX (with ``jax_enable_x64``).

**Forward passes only.**  Every gradient comes from ``jax.vjp`` / ``jax.grad`` /
``jax.jacfwd`` in :mod:`comparisons.backends`.  Same names and arguments as
:mod:`comparisons.twins_torch`.
"""

from __future__ import annotations

from functools import partial

from . import twin_mlp
from ._optional import require
from .backends import JAX_COMPILER_OPTIONS

jax = require("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

_ACT = {"relu": jax.nn.relu, "sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh}


def sigmoid(z):
    return jax.nn.sigmoid(z)


def relu(z):
    return jax.nn.relu(z)


def softmax(z):
    return jax.nn.softmax(z, axis=-1)


def labels(labels, scores, num_classes):
    return {"Y": jax.nn.one_hot(labels, num_classes, dtype=scores.dtype),
            "pred": jnp.argmax(scores, axis=1)}


def mse(a, y):
    return 0.5 * jnp.sum(jnp.square(a - y)) / a.shape[0]


def _soft(y):
    return jnp.issubdtype(y.dtype, jnp.floating)


def _nll(log_probs, y):
    if _soft(y):                # one-hot or soft rows: −Σ_k Y_k log A_k
        return -jnp.mean(jnp.sum(y * log_probs, axis=1))
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))


def _nll_probs(probs, y):
    if _soft(y):                # logs only where Y_k > 0
        return -jnp.mean(jnp.sum(y * jnp.log(jnp.where(y > 0, probs, 1.0)), axis=1))
    # gather the target probability, then log: XLA flushes subnormals to zero, so a log of
    # every class would turn a subnormal non-target probability into log(0) = -inf and
    # its (zero) cotangent into nan
    return -jnp.mean(jnp.log(jnp.take_along_axis(probs, y[:, None], axis=1)))


def cross_entropy_probs(probs, y):
    return _nll_probs(probs, y)


def binary_cross_entropy(a, y):
    loss = -jnp.sum(y * jnp.log(a) + (1 - y) * jnp.log1p(-a)) / a.shape[0]
    return loss, {"L_2class": loss}


def mse_sigmoid(z, y):
    return mse(jax.nn.sigmoid(z), y)


def _bce_logits(z, y):
    return -jnp.sum(y * jax.nn.log_sigmoid(z) + (1 - y) * jax.nn.log_sigmoid(-z)) / z.shape[0]


def bce_logits(z, y):
    return _bce_logits(z, y)


def ce_logits(z, y):
    return _nll(jax.nn.log_softmax(z, axis=1), y)


def ce_through_probs(z, y):
    return _nll_probs(jax.nn.softmax(z, axis=1), y)


def dense(x, W, b):
    return x @ W + b


def hidden(z, W_next, activation):
    return _ACT[activation](z) @ W_next


def l2(W1, W2, reg):
    return 0.5 * reg * (jnp.sum(W1**2) + jnp.sum(W2**2))


def _head_loss(Z, y, head):
    if head == "softmax_ce":
        return ce_logits(Z, y), jax.nn.softmax(Z, axis=1)
    if head == "sigmoid_bce":
        return _bce_logits(Z, y), jax.nn.sigmoid(Z)
    if head == "sigmoid_mse":
        return mse_sigmoid(Z, y), jax.nn.sigmoid(Z)
    if head == "identity_mse":
        return mse(Z, y), Z
    raise ValueError(head)


def mlp_loss(X, y, hidden, head, reg, **p):
    """L-layer MLP; ``eZl`` / ``eAl`` are zero perturbations whose gradients are dZl / dAl."""
    return twin_mlp.mlp_loss(_ACT, _head_loss, lambda W: jnp.sum(W**2), X, y, hidden, head, reg, **p)


def sgd_run(X, y, hidden, head, reg, lr, steps, **p):
    """``steps`` full-batch SGD steps, the gradient from ``jax.value_and_grad``."""
    L = sum(1 for k in p if k.startswith("W"))
    zeros = {f"e{k}{l}": 0.0 for l in range(1, L + 1) for k in "ZA"}

    @partial(jax.jit, compiler_options=JAX_COMPILER_OPTIONS)   # the backend's XLA options
    def step(params):
        loss, g = jax.value_and_grad(
            lambda q: mlp_loss(X, y, hidden, head, reg, **q, **zeros)[0])(params)
        return jax.tree_util.tree_map(lambda w, dw: w - lr * dw, params, g), loss

    losses = []
    for _ in range(steps):
        p, loss = step(p)
        losses.append(loss)
    return {"losses": jnp.stack(losses), **p}
