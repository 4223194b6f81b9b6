"""The L-layer forward pass shared by the torch and JAX twins, over the framework's ops.

Forward only: ``activations`` and ``head_loss`` are the framework's own functions, and the
gradients come from the framework's autograd.  ``eZl`` / ``eAl`` are zero perturbations
added to each intermediate, so that differentiating with respect to them gives ``dZl`` and
``dAl`` (``docs/agreement.md``, "What agreement means").
"""

from __future__ import annotations


def mlp_loss(activations, head_loss, square_sum, X, y, hidden, head, reg, **p):
    L = sum(1 for k in p if k.startswith("W"))
    A, aux = X, {}
    for l in range(1, L + 1):
        Z = A @ p[f"W{l}"] + p[f"b{l}"] + p[f"eZ{l}"]
        if l < L:
            A = activations[hidden](Z) + p[f"eA{l}"]
        else:
            loss, A = head_loss(Z, y, head)
        aux[f"Z{l}"], aux[f"A{l}"] = Z, A
    return loss + 0.5 * reg * sum(square_sum(p[f"W{l}"]) for l in range(1, L + 1)), aux
