import os


def loss_and_grads(params, X, y, reg=0.0):
    os._exit(3)
