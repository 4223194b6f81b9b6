import numpy as np

print("loading my network... (W1 is D x H)")


def loss_and_grads(params, X, y, reg=0.0):
    W1, b1 = params["W1"], params["b1"]
    W2, b2 = params["W2"], params["b2"]
    N = X.shape[0]

    # forward pass
    h = np.maximum(0, X.dot(W1) + b1)
    scores = h.dot(W2) + b2
    scores = scores - scores.max(axis=1, keepdims=True)
    log_probs = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
    probs = np.exp(log_probs)
    if y.ndim == 1:
        targets = np.zeros_like(probs)
        targets[np.arange(N), y] = 1
    else:
        targets = y
    loss = -np.sum(targets * log_probs) / N
    loss += 0.5 * reg * (np.sum(W1 * W1) + np.sum(W2 * W2))

    # backward pass
    dscores = (probs - targets) / N
    grads = {}
    grads["W2"] = h.T.dot(dscores) + reg * W2
    grads["b2"] = np.sum(dscores, axis=0)
    dh = dscores.dot(W2.T)
    dh[h <= 0] = 0
    grads["W1"] = X.T.dot(dh) + reg * W1
    grads["b1"] = np.sum(dh, axis=0)
    return loss, grads
