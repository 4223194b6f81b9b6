r"""Output heads: an (activation, loss) pair that knows its own delta (D9, D10, D11, D6).

Nielsen's ``network2.py`` gives each cost a ``fn`` and a ``delta``; here each head owns the
output activation, the loss computed stably from the logits ``Z``, and the output delta
``δ = ∂L/∂Z``.  Note 002 is the reason heads exist: the delta's form depends on the pairing.

| head | activation | δ = ∂L/∂Z (batch mean, 1/N) | id |
|---|---|---|---|
| ``softmax_ce`` | softmax | ``(A − Y)/N`` | D11 |
| ``sigmoid_bce`` | sigmoid | ``(A − Y)/N`` (σ' cancels) | D10 |
| ``sigmoid_mse`` | sigmoid | ``(A − Y) ⊙ σ'(Z)/N`` | D9 |
| ``identity_mse`` | identity | ``(Z − Y)/N`` | D6 |

The loss of each head is the loss kernel of `backprop_ref.losses` (each formula is
written once).  ``targets`` checks ``y`` against the logits and returns the target matrix in
their dtype; ``activate``, ``loss`` and ``delta`` then work on checked arrays.
"""

from __future__ import annotations

import numpy as np

from .activations import _sigmoid, _sigmoid_prime, _softmax
from .losses import (
    _binary_cross_entropy_with_logits,
    _cross_entropy_with_logits,
    _mse,
    _mse_grad,
)
from .validation import (
    as_array,
    cast_like,
    check_same_shape,
    check_unit_interval,
    choice,
    class_targets,
)

__all__ = ["Head", "HEADS", "get_head"]


class Head:
    """An output layer's activation, loss and delta: ``targets``, ``activate``, ``loss``,
    ``delta``."""

    name: str = ""
    derivation: str = ""

    def targets(self, y: object, Z: np.ndarray, name: str = "y") -> np.ndarray:
        """Check real targets against the logits ``Z`` (N, K); return them in ``Z``'s dtype."""
        T = as_array(y, name, ndim=2)
        check_same_shape(T, name, Z, "the output Z")
        return cast_like(T, Z, name, "the output Z")

    def activate(self, Z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def loss(self, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.floating:  # pragma: no cover
        raise NotImplementedError

    def delta(self, Z: np.ndarray, A: np.ndarray, Y: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<head {self.name} ({self.derivation})>"


class SoftmaxCrossEntropy(Head):
    r"""Softmax + categorical cross-entropy (D11, notes 000–004).

    $$
    \delta = \frac{\partial L}{\partial Z} = \frac{A - Y}{N}
    $$

    Through the chain rule the ``−Y/A`` of ``∂L/∂A`` meets the softmax Jacobian
    ``A_i(δ_ik − A_k)``; every cross term cancels (proven symbolically, D11 = D12), which
    leaves ``A − Y``.  No division by ``A``, so it never fails when a probability
    underflows.  With integer labels it is CS231n's ``dx[range(N), y] -= 1; dx /= N``.
    """

    name, derivation = "softmax_ce", "D11"

    def targets(self, y, Z, name="y"):
        return class_targets(y, Z.shape[0], Z.shape[1], dtype=Z.dtype, name=name,
                             n_from="the output Z")

    def activate(self, Z):
        return _softmax(Z)

    def loss(self, Z, A, Y):
        return _cross_entropy_with_logits(Z, Y)

    def delta(self, Z, A, Y):
        return (A - Y) / Z.shape[0]


class SigmoidBinaryCrossEntropy(Head):
    r"""Sigmoid + binary cross-entropy (D10, note 002).

    $$
    \delta = \left(-\frac{y}{a} + \frac{1-y}{1-a}\right) a(1-a)\,\frac1N = \frac{a - y}{N}
    $$

    ``z`` enters only through ``a``: σ'(z) = a(1 − a) cancels the denominator of
    ``∂L/∂a``, exactly as Nielsen's ``CrossEntropyCost.delta`` ignores ``z``.
    """

    name, derivation = "sigmoid_bce", "D10"

    def targets(self, y, Z, name="y"):
        T = super().targets(y, Z, name)
        check_unit_interval(T, name)
        return T

    def activate(self, Z):
        return _sigmoid(Z)

    def loss(self, Z, A, Y):
        return _binary_cross_entropy_with_logits(Z, Y)

    def delta(self, Z, A, Y):
        return (A - Y) / Z.shape[0]


class SigmoidMeanSquaredError(Head):
    r"""Sigmoid + MSE with the ½ (D9, note 002).

    $$
    \delta = (a - y) \odot \sigma'(z) / N
    $$

    Here σ'(z) does **not** cancel (proven symbolically): the delta vanishes as the
    sigmoid saturates, the learning slow-down that motivates cross-entropy in note 002.
    """

    name, derivation = "sigmoid_mse", "D9"

    def activate(self, Z):
        return _sigmoid(Z)

    def loss(self, Z, A, Y):
        return _mse(A, Y)

    def delta(self, Z, A, Y):
        return _mse_grad(A, Y) * _sigmoid_prime(Z)          # ∂L/∂a ⊙ σ'(z)


class IdentityMeanSquaredError(Head):
    r"""Identity output + MSE with the ½: linear regression's head (D6).

    $$
    \delta = (z - y) / N
    $$
    """

    name, derivation = "identity_mse", "D6"

    def activate(self, Z):
        return Z

    def loss(self, Z, A, Y):
        return _mse(Z, Y)

    def delta(self, Z, A, Y):
        return _mse_grad(Z, Y)                              # ∂L/∂a, and a = z


HEADS: dict[str, Head] = {
    h.name: h
    for h in (
        SoftmaxCrossEntropy(),
        SigmoidBinaryCrossEntropy(),
        SigmoidMeanSquaredError(),
        IdentityMeanSquaredError(),
    )
}


def get_head(head: str | Head) -> Head:
    """Look a head up by name (or pass a `Head` through) (D6, D9–D11).

    Inputs:
        head: ``"softmax_ce"``, ``"sigmoid_bce"``, ``"sigmoid_mse"``, ``"identity_mse"`` or a
            `Head`.
    Returns:
        the `Head`; an unknown name raises ``ValueError`` naming the choices.
    """
    if isinstance(head, Head):
        return head
    return HEADS[choice(head, "head", HEADS)]
