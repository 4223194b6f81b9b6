import numpy as np

from mynet import affine_backward, affine_forward, relu_backward, relu_forward, softmax_loss


def loss_and_grads(params, X, y, reg=0.0):
    a1, cache1 = affine_forward(X, params["W1"], params["b1"])
    h, relu_cache = relu_forward(a1)
    scores, cache2 = affine_forward(h, params["W2"], params["b2"])
    loss, dscores = softmax_loss(scores, y)
    loss += 0.5 * reg * (np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))

    grads = {}
    dh, grads["W2"], grads["b2"] = affine_backward(dscores, cache2)
    da1 = relu_backward(dh, relu_cache)
    _, grads["W1"], grads["b1"] = affine_backward(da1, cache1)
    grads["W1"] += reg * params["W1"]
    grads["W2"] += reg * params["W2"]
    return loss, grads
