r"""Activations and their derivatives: D1 (sigmoid), D2 (relu), tanh (D15), D3 (softmax),
D4 (the softmax Jacobian).

Every function is pure: it reads its input and returns a new array of the same float dtype
(float64 by default; float32 stays float32; integers are promoted to float64).  The
underscored kernels are the formulas themselves, on arrays already checked: each public function
checks its argument and applies its kernel, and the networks call the kernels after checking
their inputs once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike

from .validation import as_array, check_same_shape, finite_result

__all__ = [
    "sigmoid",
    "sigmoid_prime",
    "relu",
    "relu_prime",
    "tanh",
    "tanh_prime",
    "softmax",
    "log_softmax",
    "softmax_jacobian",
    "softmax_backward",
]


# --------------------------------------------------------------------------- kernels
def _sigmoid(z: np.ndarray) -> np.ndarray:
    # exp(-log(1 + e^{-z})): no overflow for any finite z, full relative accuracy on both tails
    return np.exp(-np.logaddexp(0.0, -z))


def _sigmoid_prime(z: np.ndarray) -> np.ndarray:
    # σ(z)(1 − σ(z)) written as σ(z)σ(−z): the same number, without the cancellation in 1 − σ
    return _sigmoid(z) * _sigmoid(-z)


def _log_sigmoid(z: np.ndarray) -> np.ndarray:
    return -np.logaddexp(0.0, -z)


def _relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0)


def _relu_prime(z: np.ndarray) -> np.ndarray:
    return (z > 0).astype(z.dtype)


def _tanh_prime(z: np.ndarray) -> np.ndarray:
    t = np.tanh(z)
    return 1 - t * t


def _shifted(z: np.ndarray) -> np.ndarray:
    """``z − max_k z``: each row's largest logit becomes 0, so ``exp`` cannot overflow.

    A gap beyond the float range (``z = [1e308, −1e308]``) rounds to −inf, and
    ``e^{−inf} = 0`` is the softmax's value there to every digit, so that overflow is silenced.
    """
    with np.errstate(over="ignore"):
        return z - z.max(axis=1, keepdims=True)


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(_shifted(z))
    return e / e.sum(axis=1, keepdims=True)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = _shifted(z)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _softmax_jacobian_from_probs(A: np.ndarray) -> np.ndarray:
    N, K = A.shape
    J = -A[:, :, None] * A[:, None, :]
    J[:, np.arange(K), np.arange(K)] += A
    return J


# --------------------------------------------------------------------------- public API
def sigmoid(z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Logistic sigmoid, elementwise (D1, note 002).

    $$
    \sigma(z) = \frac{1}{1 + e^{-z}}
    $$

    Computed as ``exp(-logaddexp(0, -z))``, which neither overflows nor loses relative
    accuracy for any finite ``z``.

    Inputs:
        z: array of any shape.
    Returns:
        array of the shape and float dtype of ``z``, values in ``[0, 1]``.
    """
    return _sigmoid(as_array(z, "z", check_finite=check_finite, allow_empty=True))


def sigmoid_prime(z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Derivative of the sigmoid, elementwise (D1, note 002).

    $$
    \sigma'(z) = \sigma(z)\,(1 - \sigma(z)) = a(1 - a)
    $$

    Evaluated as ``σ(z)·σ(−z)``, the same value without the cancellation in ``1 − σ(z)``.

    Inputs:
        z: pre-activation, any shape.
    Returns:
        array of the shape and float dtype of ``z``.
    """
    return _sigmoid_prime(as_array(z, "z", check_finite=check_finite, allow_empty=True))


def relu(z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Rectified linear unit, elementwise (D2, notes 001 003 004).

    $$
    \operatorname{relu}(z) = \max(z, 0)
    $$

    Inputs:
        z: array of any shape.
    Returns:
        array of the shape and float dtype of ``z``.
    """
    return _relu(as_array(z, "z", check_finite=check_finite, allow_empty=True))


def relu_prime(z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Derivative of relu, elementwise (D2, notes 001 003 004).

    $$
    \operatorname{relu}'(z) = \mathbb{1}[z > 0]
    $$

    ``relu'(0) = 0``, as in torch and JAX.  Note 003 writes ``1`` for ``z ≥ 0``; that
    differs from the frameworks at exactly ``z = 0`` (errata, item 6).  The mask is exact
    (0.0 or 1.0), so it agrees bit for bit with autograd.

    Inputs:
        z: pre-activation, any shape.
    Returns:
        0/1 array of the shape and float dtype of ``z``.
    """
    return _relu_prime(as_array(z, "z", check_finite=check_finite, allow_empty=True))


def tanh(z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Hyperbolic tangent, elementwise (a hidden activation of D15/D18, note 002).

    $$
    \tanh(z) = \frac{e^{z} - e^{-z}}{e^{z} + e^{-z}}
    $$

    Inputs:
        z: array of any shape.
    Returns:
        array of the shape and float dtype of ``z``, values in ``[-1, 1]``.
    """
    return np.tanh(as_array(z, "z", check_finite=check_finite, allow_empty=True))


def tanh_prime(z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Derivative of tanh, elementwise (D15).

    $$
    \tanh'(z) = 1 - \tanh^2(z)
    $$

    Inputs:
        z: pre-activation, any shape.
    Returns:
        array of the shape and float dtype of ``z``.
    """
    return _tanh_prime(as_array(z, "z", check_finite=check_finite, allow_empty=True))


def softmax(z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Softmax over each row (D3, notes 000 001 003 004).

    $$
    A_{nk} = \frac{e^{z_{nk}}}{\sum_{j=1}^{K} e^{z_{nj}}}
    $$

    The row maximum is subtracted first (softmax is invariant to adding a constant to a
    row, proven symbolically for D3), so every finite logit, |z| up to 1e4 and beyond,
    gives a finite result without overflow.  Note 000 writes the denominator's index as
    ``i``, the numerator's; it runs over ``j`` (errata, item 1).

    Inputs:
        z: logits, shape (N, K).
    Returns:
        A: probabilities, shape (N, K), each row summing to 1.
    """
    return _softmax(as_array(z, "z", ndim=2, check_finite=check_finite))


def log_softmax(z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Log of the softmax over each row, computed stably (D3).

    $$
    \log A_{nk} = z_{nk} - \max_j z_{nj} - \log\sum_j e^{z_{nj} - \max_j z_{nj}}
    $$

    Inputs:
        z: logits, shape (N, K).
    Returns:
        shape (N, K), finite for finite ``z`` (no ``log(0)``).
    """
    return _log_softmax(as_array(z, "z", ndim=2, check_finite=check_finite))


def softmax_jacobian(z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""The full softmax Jacobian for each row (D4, notes 003 004).

    $$
    J_{nik} = \frac{\partial A_{ni}}{\partial z_{nk}} = A_{ni}(\delta_{ik} - A_{nk})
    $$

    i.e. ``J_n = diag(A_n) − A_n A_nᵀ``.  Note 004 writes the off-diagonal entry as
    ``A_j A_k``; it is ``−A_j A_k`` (errata, item 8).  Each ``J_n`` is symmetric and its
    rows sum to 0.

    Inputs:
        z: logits, shape (N, K).
    Returns:
        J: shape (N, K, K), ``J[n, i, k] = ∂A[n, i]/∂z[n, k]``.  Memory grows as N·K²:
        this is why D11's ``A − Y`` exists.
    """
    z = as_array(z, "z", ndim=2, check_finite=check_finite)
    return _softmax_jacobian_from_probs(_softmax(z))



@finite_result("softmax_backward")
def softmax_backward(dA: ArrayLike, z: ArrayLike, *, check_finite: bool = True) -> np.ndarray:
    r"""Push an upstream gradient back through softmax without forming J (D3, D4).

    $$
    \frac{\partial L}{\partial z_{nk}} = \sum_i J_{nik}\,\frac{\partial L}{\partial A_{ni}}
    = A_{nk}\Big(\frac{\partial L}{\partial A_{nk}}
      - \sum_i A_{ni}\frac{\partial L}{\partial A_{ni}}\Big)
    $$

    the vector–Jacobian product ``J_nᵀ dA_n`` in O(NK) time and memory instead of O(NK²).
    With an all-ones ``dA`` the result is exactly 0 (softmax rows sum to 1), which is why
    the tests push random upstream gradients.

    Inputs:
        dA: ∂L/∂A, shape (N, K).
        z: the logits softmax was applied to, shape (N, K).
    Returns:
        ∂L/∂z, shape (N, K).
    """
    dA = as_array(dA, "dA", ndim=2, check_finite=check_finite)
    z = as_array(z, "z", ndim=2, check_finite=check_finite)
    check_same_shape(dA, "dA", z, "z")
    return _softmax_backward(dA.astype(z.dtype, copy=False), _softmax(z))


def _softmax_backward(dA: np.ndarray, A: np.ndarray) -> np.ndarray:
    return A * (dA - np.sum(A * dA, axis=1, keepdims=True))


#: Hidden activations by name: ``name -> (g, g')`` kernels (no validation).
HIDDEN_ACTIVATIONS: dict[str, tuple[Callable[[np.ndarray], np.ndarray],
                                    Callable[[np.ndarray], np.ndarray]]] = {
    "relu": (_relu, _relu_prime),
    "sigmoid": (_sigmoid, _sigmoid_prime),
    "tanh": (np.tanh, _tanh_prime),
}
