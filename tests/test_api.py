"""The public names and signatures that outside code depends on."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import backprop_ref as bp

NAMES = ["sigmoid", "sigmoid_prime", "relu", "relu_prime", "tanh", "tanh_prime", "softmax",
         "softmax_jacobian", "one_hot", "predict_labels", "mse", "mse_grad",
         "binary_cross_entropy", "binary_cross_entropy_grad", "cross_entropy",
         "cross_entropy_grad", "delta_mse_sigmoid", "delta_bce_sigmoid", "delta_ce_softmax",
         "delta_ce_softmax_jacobian", "hidden_delta"]


DOCUMENTED = [f"{m}.{n}" if m else n
              for m, mod in (("", bp), ("two_layer", bp.two_layer), ("mlp", bp.mlp),
                             ("training", bp.training), ("datasets", bp.datasets))
              for n in mod.__all__ if inspect.isfunction(getattr(mod, n))]


def test_the_spec_names_are_public():
    assert set(NAMES) <= set(bp.__all__) and all(callable(getattr(bp, n)) for n in NAMES)


@pytest.mark.parametrize("name", DOCUMENTED)
def test_public_function_is_documented(name):
    """Every public function of the reference: shapes (Inputs/Returns), its derivation id,
    and no Sphinx-only markup (the docs render Markdown and $$ math)."""
    obj = bp
    for part in name.split("."):
        obj = getattr(obj, part)
    doc = inspect.getdoc(obj)
    assert doc and "Returns" in doc and "Inputs" in doc, f"{name} docstring lacks shapes"
    assert any(f"D{i}" in doc for i in range(1, 21)), f"{name} names no derivation"
    assert ".. math::" not in doc and ":func:" not in doc, name


def test_signatures_match_the_spec():
    sig = lambda f: list(inspect.signature(f).parameters)  # noqa: E731
    assert sig(bp.hidden_delta)[:4] == ["delta_next", "W_next", "z", "activation"]
    assert sig(bp.one_hot)[:2] == ["labels", "num_classes"]
    assert sig(bp.cross_entropy)[:2] == ["probs", "y"]
    p = inspect.signature(bp.two_layer.init_params).parameters
    assert {k: v.default for k, v in p.items()} == {
        "input_size": 4, "hidden_size": 10, "num_classes": 3, "std": 1e-1, "seed": 0}
    assert sig(bp.two_layer.loss_and_grads)[:4] == ["params", "X", "y", "reg"]
    assert sig(bp.mlp.loss_and_grads)[:6] == ["params", "X", "y", "hidden", "head", "reg"]
    assert inspect.signature(bp.mlp.loss_and_grads).parameters["hidden"].default == "relu"
    assert inspect.signature(bp.mlp.loss_and_grads).parameters["head"].default == "softmax_ce"


def test_results_carry_the_spec_keys():
    X, y = bp.datasets.make_blobs()
    res = bp.two_layer.loss_and_grads(bp.two_layer.init_params(), X, y, reg=0.0)
    assert isinstance(res.loss, float) and res.loss.dtype == np.float64
    assert set(res.grads) == {"W1", "b1", "W2", "b2"}
    assert set(res.intermediates) >= {"Z1", "A1", "Z2", "A2", "dZ2", "dA1", "dZ1"}
    params = bp.mlp.init_params([4, 16, 16, 3], seed=0)
    assert list(params) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    res = bp.mlp.loss_and_grads(params, X, y, hidden="relu", head="softmax_ce", reg=0.0)
    assert {f"{k}{l}" for k in ("Z", "A", "dZ") for l in (1, 2, 3)} <= set(res.intermediates)
    assert bp.two_layer.predict(bp.two_layer.init_params(), X).dtype == np.int64
