"""What the two networks share: the result type and the Gaussian initialisation."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .validation import layer_sizes, positive_number, seed_value

__all__ = ["Result", "init_layers"]


class Result(NamedTuple):
    """What `two_layer.loss_and_grads` and `mlp.loss_and_grads` return.

    Attributes:
        loss: the batch-mean loss plus the L2 term, a scalar of the network's dtype.
        grads: ``{"W1", "b1", …, "WL", "bL"}``, each the shape of its parameter.
        intermediates: the forward values ``Z1…ZL``, ``A1…AL`` and the backward deltas
            ``dZ1…dZL`` and ``dA1…dA(L−1)``, each of shape (N, width of the layer).
    """

    loss: np.floating
    grads: dict
    intermediates: dict


def init_layers(sizes: object, std: object, seed: object, *,
                sizes_name: str = "layer_sizes") -> dict:
    r"""Gaussian weights and zero biases for consecutive layer sizes ``[D, H1, …, K]``.

    ``W_l ~ s_l · N(0, 1)`` with ``s_l = std``, or ``1/√fan_in`` (LeCun) when ``std`` is
    None; ``b_l = 0``; drawn from ``numpy.random.default_rng(seed)``.  float64.
    """
    sizes = layer_sizes(sizes, sizes_name)
    if std is not None:
        std = positive_number(std, "std")
    rng = np.random.default_rng(seed_value(seed))
    params = {}
    for l, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
        s = std if std is not None else 1.0 / np.sqrt(fan_in)
        params[f"W{l}"] = s * rng.standard_normal((fan_in, fan_out))
        params[f"b{l}"] = np.zeros(fan_out)
    return params
