"""My network's layers, used by submission.py."""

import numpy as np


def affine_forward(x, w, b):
    return x @ w + b, (x, w)


def affine_backward(dout, cache):
    x, w = cache
    return dout @ w.T, x.T @ dout, dout.sum(axis=0)


def relu_forward(x):
    return np.maximum(0, x), x


def relu_backward(dout, x):
    return dout * (x > 0)


def softmax_loss(scores, y):
    N = scores.shape[0]
    shifted = scores - scores.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    probs = np.exp(log_probs)
    targets = np.eye(scores.shape[1])[y] if y.ndim == 1 else y
    return -np.sum(targets * log_probs) / N, (probs - targets) / N
