"""Homework 2: a two-layer network (4 -> 10 -> 3, ReLU, softmax), written from the lecture.

A student's code, the way courses teach it: a class with ``params``, ``forward(X)`` that
caches what the backward pass needs, ``loss(y)`` and ``backward(y)`` returning the
gradients.  ``loss_and_grads`` at the bottom is the function the checker calls:

    backprop-ref check tests/checker_fixtures/student_net.py:loss_and_grads --against D17

The checker's tests make one version per realistic slip by changing a line of this file.
"""

import numpy as np


class TwoLayerNet:
    def __init__(self, input_size=4, hidden_size=10, num_classes=3, reg=0.0, seed=0):
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": 0.01 * rng.standard_normal((input_size, hidden_size)),
            "b1": np.zeros(hidden_size),
            "W2": 0.01 * rng.standard_normal((hidden_size, num_classes)),
            "b2": np.zeros(num_classes),
        }
        self.reg = reg
        self.cache = {}

    def forward(self, X):
        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        z1 = X.dot(W1) + b1
        a1 = np.maximum(0, z1)
        scores = a1.dot(W2) + b2
        scores = scores - np.max(scores, axis=1, keepdims=True)
        exp_scores = np.exp(scores)
        probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)
        self.cache = {"X": X, "z1": z1, "a1": a1, "probs": probs}
        return probs

    def loss(self, y):
        probs = self.cache["probs"]
        N = probs.shape[0]
        data_loss = np.sum(-np.log(probs[range(N), y])) / N
        reg_loss = 0.5 * self.reg * (np.sum(self.params["W1"] ** 2) + np.sum(self.params["W2"] ** 2))
        return data_loss + reg_loss

    def backward(self, y):
        X, z1, a1, probs = (self.cache[k] for k in ("X", "z1", "a1", "probs"))
        N = X.shape[0]
        dscores = probs.copy()
        dscores[range(N), y] -= 1
        dscores /= N
        grads = {}
        grads["W2"] = a1.T.dot(dscores) + self.reg * self.params["W2"]
        grads["b2"] = np.sum(dscores, axis=0)
        da1 = dscores.dot(self.params["W2"].T)
        dz1 = da1 * (z1 > 0)
        grads["W1"] = X.T.dot(dz1) + self.reg * self.params["W1"]
        grads["b1"] = np.sum(dz1, axis=0)
        return grads

    def predict(self, X):
        return np.argmax(self.forward(X), axis=1)


def loss_and_grads(params, X, y, reg=0.0):
    """The call the checker makes: build the net, run it forward and backward."""
    net = TwoLayerNet(reg=reg)
    net.params = params
    net.forward(X)
    return net.loss(y), net.backward(y)
