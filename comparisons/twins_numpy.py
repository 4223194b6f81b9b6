"""The derivations' forward passes built from the reference's own forward functions.

Central differences (:mod:`comparisons.finite_diff`) differentiate these: they check each
analytic gradient of :mod:`backprop_ref` against the numerical derivative of its forward
value, which the torch and JAX twins check separately.  Same names as
:mod:`comparisons.twins_torch`.
"""

from __future__ import annotations

import numpy as np

import backprop_ref as bp
from backprop_ref.activations import HIDDEN_ACTIVATIONS
from backprop_ref.heads import HEADS

sigmoid = bp.sigmoid
relu = bp.relu
softmax = bp.softmax
mse = bp.mse
cross_entropy_probs = bp.cross_entropy
bce_logits = bp.binary_cross_entropy_with_logits
ce_logits = bp.cross_entropy_with_logits


def binary_cross_entropy(a, y):
    return bp.binary_cross_entropy(a, y), {}


def mse_sigmoid(z, y):
    return bp.mse(bp.sigmoid(z), y)


def ce_through_probs(z, y):
    return bp.cross_entropy(bp.softmax(z), y)


def dense(x, W, b):
    return bp.dense_forward(x, W, b)[0]


def hidden(z, W_next, activation):
    return HIDDEN_ACTIVATIONS[activation][0](z) @ W_next


def l2(W1, W2, reg):
    return bp.l2_penalty([W1, W2], reg)


def mlp_loss(X, y, hidden, head, reg, **p):
    L = sum(1 for k in p if k.startswith("W"))
    g = HIDDEN_ACTIVATIONS[hidden][0]
    h = HEADS[head]
    A = X
    for l in range(1, L + 1):
        Z = A @ p[f"W{l}"] + p[f"b{l}"] + p[f"eZ{l}"]
        A = g(Z) + p[f"eA{l}"] if l < L else h.activate(Z)
    T = h.targets(y, Z)
    return h.loss(Z, A, T) + bp.l2_penalty([p[f"W{l}"] for l in range(1, L + 1)], reg), {}
