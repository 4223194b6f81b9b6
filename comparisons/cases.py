"""Seeded input generators for the catalog: ``generator(rng, fd_safe) -> Case``.

Shapes are drawn from the rng (N = 1 included), values are float64.  Every derivative check
gets a **random** upstream gradient ``g``.  ``fd_safe=True`` keeps every relu input at least
``KINK_MARGIN`` from 0 (central differences straddle the kink otherwise); otherwise relu
inputs deliberately contain exact zeros, to pin ``relu'(0) = 0``.
"""

from __future__ import annotations

import numpy as np

import backprop_ref as bp

from .backends import Case

KINK_MARGIN = 1e-3


def _shape(rng, n_max=9, k_min=2, k_max=6):
    return int(rng.integers(1, n_max + 1)), int(rng.integers(k_min, k_max + 1))


def _away_from_kinks(z, margin=KINK_MARGIN):
    return np.where(np.abs(z) < margin, np.copysign(margin, z) + z, z)


def elementwise(rng, fd_safe=False, *, kinks=False, scale=3.0):
    N, K = _shape(rng)
    z = scale * rng.standard_normal((N, K))
    if kinks:
        z = _away_from_kinks(z)
        if not fd_safe:
            z.flat[rng.choice(z.size, size=max(1, z.size // 4), replace=False)] = 0.0
    return Case({"z": z, "g": rng.standard_normal((N, K))})


def relu_case(rng, fd_safe=False):
    return elementwise(rng, fd_safe, kinks=True)


TARGET_FORMS = ("labels", "one-hot", "soft")


def class_targets(rng, labels, K, form=None):
    """Class targets for ``labels`` in one of the three accepted forms, drawn from
    ``rng`` unless ``form`` is given: integer labels ``(N,)``, one-hot rows ``(N, K)``, or
    soft rows ``(N, K)`` (``0.7·one-hot + 0.3·Dirichlet(1)``: every class > 0, rows sum
    to 1).  One-hot rows take the label path inside the library; soft rows take the
    ``Y`` path, which only a soft target reaches."""
    form = form or TARGET_FORMS[int(rng.integers(len(TARGET_FORMS)))]
    if form == "labels":
        return labels
    Y = bp.one_hot(labels, K)
    return Y if form == "one-hot" else 0.7 * Y + 0.3 * rng.dirichlet(np.ones(K), len(labels))


def labels_case(rng, fd_safe=False):
    N, K = _shape(rng)
    scores = rng.standard_normal((N, K))
    return Case({"labels": rng.integers(0, K, size=N), "scores": scores},
                {"num_classes": K})


def regression(rng, fd_safe=False):
    N, K = _shape(rng)
    return Case({"a": rng.standard_normal((N, K)), "y": rng.standard_normal((N, K))})


def probs_and_labels(rng, fd_safe=False, *, form=None):
    N, K = _shape(rng)
    probs = bp.softmax(rng.standard_normal((N, K)))
    return Case({"probs": probs, "y": class_targets(rng, rng.integers(0, K, size=N), K, form)})


def probs_binary(rng, fd_safe=False):
    N, K = _shape(rng, k_min=1, k_max=4)
    a = rng.uniform(0.05, 0.95, size=(N, K))
    return Case({"a": a, "y": rng.uniform(0, 1, size=(N, K))})


def logits_binary(rng, fd_safe=False):
    N, K = _shape(rng, k_min=1, k_max=4)
    return Case({"z": 2.0 * rng.standard_normal((N, K)), "y": rng.uniform(0, 1, size=(N, K))})


def logits_classes(rng, fd_safe=False, *, form=None):
    N, K = _shape(rng)
    z = 2.0 * rng.standard_normal((N, K))
    return Case({"z": z, "y": class_targets(rng, rng.integers(0, K, size=N), K, form)})


def dense_case(rng, fd_safe=False):
    N, D = _shape(rng)
    M = int(rng.integers(1, 6))
    return Case({"x": rng.standard_normal((N, D)), "W": rng.standard_normal((D, M)),
                 "b": rng.standard_normal(M), "g": rng.standard_normal((N, M))})


ACTIVATIONS = ("relu", "sigmoid", "tanh")


def hidden_case(rng, fd_safe=False, activation=None):
    activation = activation or ACTIVATIONS[int(rng.integers(3))]
    N, H = _shape(rng)
    H_next = int(rng.integers(1, 6))
    z = 2.0 * rng.standard_normal((N, H))
    if activation == "relu":
        z = _away_from_kinks(z)
        if not fd_safe:
            z.flat[0] = 0.0
    return Case({"z": z, "W_next": rng.standard_normal((H, H_next)),
                 "g": rng.standard_normal((N, H_next))}, {"activation": activation})


def l2_case(rng, fd_safe=False):
    return Case({"W1": rng.standard_normal((4, 10)), "W2": rng.standard_normal((10, 3))},
                {"reg": float(rng.uniform(0.01, 1.0))})


HEADS = ("softmax_ce", "sigmoid_bce", "sigmoid_mse", "identity_mse")


def _targets(rng, head, N, K, form=None):
    if head == "softmax_ce":
        return class_targets(rng, rng.integers(0, K, size=N), K, form)
    if head == "sigmoid_bce":
        return rng.uniform(0, 1, size=(N, K))
    if head == "sigmoid_mse":
        return rng.uniform(0, 1, size=(N, K))
    return rng.standard_normal((N, K))


def network(rng, fd_safe=False, *, sizes, hidden="relu", head="softmax_ce", N=None, reg=None,
            params=None, X=None, y=None, tries=50, form=None):
    """An MLP case: parameters, data, targets and zero perturbations ``eZl``/``eAl``.

    With ``fd_safe`` and relu, draws again until every pre-activation is at least
    ``KINK_MARGIN`` from 0; otherwise the first hidden row of X is zeroed and b1 is zero,
    so Z1 holds exact zeros and relu'(0) is exercised.
    """
    for _ in range(tries):
        n = N if N is not None else int(rng.integers(1, 9))
        p = params if params is not None else bp.mlp.init_params(
            sizes, seed=int(rng.integers(2**31)))
        p = {k: v.copy() for k, v in p.items()}
        for k in p:
            if k.startswith("b") and params is None:
                p[k] = 0.1 * rng.standard_normal(p[k].shape)
        Xc = X if X is not None else rng.standard_normal((n, sizes[0]))
        yc = y if y is not None else _targets(rng, head, Xc.shape[0], sizes[-1], form)
        L = len(sizes) - 1
        if hidden == "relu" and L > 1:
            Zs, _ = bp.mlp.forward(p, Xc, hidden, head)
            gap = min(np.abs(Z).min() for Z in Zs[:-1])
            if fd_safe and gap < KINK_MARGIN:
                continue
        arrays = {"X": Xc, "y": yc, **p}
        for l in range(1, L + 1):
            arrays[f"eZ{l}"] = np.zeros((Xc.shape[0], sizes[l]))
            if l < L:
                arrays[f"eA{l}"] = np.zeros((Xc.shape[0], sizes[l]))
        r = float(rng.uniform(0, 0.1)) if reg is None else reg
        return Case(arrays, {"hidden": hidden, "head": head, "reg": r})
    raise RuntimeError("could not draw a case away from relu kinks; widen the search")


def notes_network(rng, fd_safe=False, *, form=None):
    """The notes' network: X 200×4 (Gaussian blobs), 10 relu, 3 softmax, CE + L2 (D17);
    the blobs' labels in one of :data:`TARGET_FORMS`."""
    X, y = bp.datasets.make_blobs(200, 4, 3, seed=int(rng.integers(2**31)))
    y = class_targets(rng, y, 3, form)
    params = bp.two_layer.init_params(4, 10, 3, std=0.5, seed=int(rng.integers(2**31)))
    params["b1"] = 0.1 * rng.standard_normal(10)
    if not fd_safe:
        X = X.copy()
        X[0] = 0.0          # a zero row
        params["b1"][:3] = 0.0   # ... makes Z1[0, :3] exactly 0: relu'(0) is exercised
        return network(rng, False, sizes=[4, 10, 3], N=200, params=params, X=X, y=y,
                       reg=0.05)
    for _ in range(50):
        Z1 = X @ params["W1"] + params["b1"]
        if np.abs(Z1).min() >= KINK_MARGIN:
            break
        params["b1"] = 0.1 * rng.standard_normal(10)
    return network(rng, True, sizes=[4, 10, 3], N=200, params=params, X=X, y=y, reg=0.05)


def mlp_case(rng, fd_safe=False, *, depth=None, hidden=None, head=None, form=None):
    depth = depth or int(rng.integers(1, 5))
    hidden = hidden or ACTIVATIONS[int(rng.integers(3))]
    head = head or HEADS[int(rng.integers(4))]
    sizes = [int(s) for s in rng.integers(1, 7, size=depth + 1)]
    sizes[-1] = max(sizes[-1], 2) if head == "softmax_ce" else sizes[-1]
    return network(rng, fd_safe, sizes=sizes, hidden=hidden, head=head, form=form)


def sgd_case(rng, fd_safe=False):
    c = notes_network(rng, True)
    c.static.update(lr=0.5, steps=100)
    for k in [k for k in c.arrays if k.startswith("e")]:
        del c.arrays[k]
    return c
