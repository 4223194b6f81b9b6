"""backprop-ref: the canonical NumPy reference for five pages of backpropagation notes.

Every public function is pure, NumPy-only, row (batch-first) layout, float64 by default,
and documents its equation, the note it comes from, its shapes and its reduction.  Each
derivation D1–D20 is proven against torch autograd, JAX grad, central differences and,
where algebraic, SymPy by the sibling package ``comparisons``.

    >>> import backprop_ref as bp
    >>> params = bp.two_layer.init_params(4, 10, 3, seed=0)
"""

import importlib.metadata

from . import datasets, heads, mlp, network, training, two_layer, validation
from .activations import (
    log_softmax,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    softmax,
    softmax_backward,
    softmax_jacobian,
    tanh,
    tanh_prime,
)
from .deltas import (
    delta_bce_sigmoid,
    delta_ce_softmax,
    delta_ce_softmax_jacobian,
    delta_mse_identity,
    delta_mse_sigmoid,
    hidden_delta,
)
from .heads import HEADS, get_head
from .labels import one_hot, predict_labels
from .layers import dense_backward, dense_forward
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_grad,
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_grad,
    cross_entropy_with_logits,
    l2_grad,
    l2_penalty,
    mse,
    mse_grad,
)
from .models import MLP, TwoLayerNet
from .training import fit, sgd_step

try:                          # the version has one source: pyproject.toml, via the install
    __version__ = importlib.metadata.version("backprop-ref")
except importlib.metadata.PackageNotFoundError:     # a source tree that was never installed
    __version__ = "unknown"

__all__ = [
    "sigmoid", "sigmoid_prime", "relu", "relu_prime", "tanh", "tanh_prime",
    "softmax", "log_softmax", "softmax_jacobian", "softmax_backward",
    "one_hot", "predict_labels",
    "mse", "mse_grad", "binary_cross_entropy", "binary_cross_entropy_grad",
    "binary_cross_entropy_with_logits", "cross_entropy", "cross_entropy_grad",
    "cross_entropy_with_logits", "l2_penalty", "l2_grad",
    "delta_mse_sigmoid", "delta_bce_sigmoid", "delta_ce_softmax",
    "delta_ce_softmax_jacobian", "delta_mse_identity", "hidden_delta",
    "dense_forward", "dense_backward",
    "HEADS", "get_head",
    "two_layer", "mlp", "training", "datasets", "heads", "network", "validation",
    "fit", "sgd_step", "TwoLayerNet", "MLP",
]
