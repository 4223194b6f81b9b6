r"""Output heads: an (activation, loss) pair that knows its own delta (D9, D10, D11, D6).

Nielsen's ``network2.py`` gives each cost a ``fn`` and a ``delta``; here each head owns the
output activation, the loss computed stably from the logits ``Z``, and the output delta
``δ = ∂L/∂Z``.  Note 002 is the reason heads exist: the delta's form depends on the pairing.

=================  ================  ====================================  ====
head               activation        δ = ∂L/∂Z  (batch mean, 1/N)            id
=================  ================  ====================================  ====
``softmax_ce``     softmax           ``(A − Y)/N``                          D11
``sigmoid_bce``    sigmoid           ``(A − Y)/N``  (σ' cancels)            D10
``sigmoid_mse``    sigmoid           ``(A − Y) ⊙ σ'(Z)/N``                  D9
``identity_mse``   identity          ``(Z − Y)/N``                          D6
=================  ================  ====================================  ====

The methods are kernels: they expect arrays already validated by :meth:`Head.targets`.
"""

from __future__ import annotations

import numpy as np

from ._validation import (
    ClassTargets,
    as_class_targets,
    as_float_array,
    check_in_unit_interval,
    check_same_shape,
)
from .activations import _log_softmax, _sigmoid, _sigmoid_prime, _softmax

__all__ = ["Head", "HEADS", "get_head"]


class Head:
    """Base class: ``activate(Z)``, ``loss(Z, A, T)``, ``delta(Z, A, T)``."""

    name: str = ""
    derivation: str = ""

    def targets(self, y, Z: np.ndarray, name: str = "y"):
        """Validate targets against the logits ``Z`` (N, K); return them ready for use."""
        T = as_float_array(y, name, ndim=2)
        check_same_shape(T, name, Z, "the output Z")
        return T.astype(Z.dtype, copy=False)

    def activate(self, Z: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def loss(self, Z: np.ndarray, A: np.ndarray, T) -> np.floating:  # pragma: no cover
        raise NotImplementedError

    def delta(self, Z: np.ndarray, A: np.ndarray, T) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<head {self.name} ({self.derivation})>"


class SoftmaxCrossEntropy(Head):
    r"""Softmax + categorical cross-entropy (D11, notes 000–004).

    .. math:: \delta = \frac{\partial L}{\partial Z} = \frac{A - Y}{N}

    Through the chain rule the ``−Y/A`` of ``∂L/∂A`` meets the softmax Jacobian
    ``A_i(δ_ik − A_k)``; every cross term cancels (proven symbolically, D11 = D12), which
    leaves ``A − Y``.  No division by ``A``, so it never fails when a probability
    underflows.  With integer labels it is cs231n's ``dx[range(N), y] -= 1; dx /= N``.
    """

    name, derivation = "softmax_ce", "D11"

    def targets(self, y, Z, name="y") -> ClassTargets:
        return as_class_targets(y, Z.shape[0], Z.shape[1], name=name, n_from="the output Z")

    def activate(self, Z):
        return _softmax(Z)

    def loss(self, Z, A, T: ClassTargets):
        logA = _log_softmax(Z)
        if T.labels is not None:
            return -logA[np.arange(Z.shape[0]), T.labels].sum() / Z.shape[0]
        return -(T.Y.astype(Z.dtype, copy=False) * logA).sum() / Z.shape[0]

    def delta(self, Z, A, T: ClassTargets):
        N = Z.shape[0]
        if T.labels is not None:
            dZ = A.copy()
            dZ[np.arange(N), T.labels] -= 1
            dZ /= N
            return dZ
        return (A - T.Y.astype(A.dtype, copy=False)) / N


class SigmoidBinaryCrossEntropy(Head):
    r"""Sigmoid + binary cross-entropy (D10, note 002).

    .. math:: \delta = \left(-\frac{y}{a} + \frac{1-y}{1-a}\right)\, a(1-a)\,\frac1N = \frac{a - y}{N}

    ``z`` enters only through ``a``: σ'(z) = a(1 − a) cancels the denominator of
    ``∂L/∂a``, exactly as Nielsen's ``CrossEntropyCost.delta`` ignores ``z``.
    """

    name, derivation = "sigmoid_bce", "D10"

    def targets(self, y, Z, name="y"):
        T = super().targets(y, Z, name)
        check_in_unit_interval(T, name)
        return T

    def activate(self, Z):
        return _sigmoid(Z)

    def loss(self, Z, A, T):
        return (np.logaddexp(0, Z) - T * Z).sum() / Z.shape[0]

    def delta(self, Z, A, T):
        return (A - T) / Z.shape[0]


class SigmoidMeanSquaredError(Head):
    r"""Sigmoid + MSE with the ½ (D9, note 002).

    .. math:: \delta = (a - y) \odot \sigma'(z) / N

    Here σ'(z) does **not** cancel (proven symbolically): the delta vanishes as the
    sigmoid saturates, the learning slow-down that motivates cross-entropy in note 002.
    """

    name, derivation = "sigmoid_mse", "D9"

    def activate(self, Z):
        return _sigmoid(Z)

    def loss(self, Z, A, T):
        d = A - T
        return 0.5 * np.einsum("nk,nk->", d, d) / Z.shape[0]

    def delta(self, Z, A, T):
        return (A - T) * _sigmoid_prime(Z) / Z.shape[0]


class IdentityMeanSquaredError(Head):
    r"""Identity output + MSE with the ½: linear regression's head (D6).

    .. math:: \delta = (z - y) / N
    """

    name, derivation = "identity_mse", "D6"

    def activate(self, Z):
        return Z

    def loss(self, Z, A, T):
        d = Z - T
        return 0.5 * np.einsum("nk,nk->", d, d) / Z.shape[0]

    def delta(self, Z, A, T):
        return (Z - T) / Z.shape[0]


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
    """Look a head up by name; raises ``ValueError`` naming the choices."""
    if isinstance(head, Head):
        return head
    if head not in HEADS:
        raise ValueError(f"unknown head {head!r}; expected one of {sorted(HEADS)}")
    return HEADS[head]
