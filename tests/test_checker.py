"""The checker ``backprop_ref.testing``: every diagnosis kind is named for a planted slip,
in the rows and the columns layout, and a correct implementation gets no diagnosis."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import backprop_ref as bp
from backprop_ref import errata, testing
from backprop_ref.testing import networks
from backprop_ref.testing.report import matches

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import nielsen_columns  # noqa: E402
import two_layer_student as student  # noqa: E402

ERRATUM_OF = {"relu_at_zero": "E6", "wrong_layer": "E7", "erratum": "E9"}


def kinds(rep):
    return sorted({d.kind for d in rep.diagnoses})


def to_columns(fn):
    """Run a row-layout network on Nielsen's layout: the user's side of the conversion,
    written independently of the checker's."""
    def wrapped(params, X, y, reg=0.0):
        rows = {k: (v.T if k[0] == "W" else v[:, 0]) for k, v in params.items()}
        yr = y if np.ndim(y) == 1 else y.T
        loss, grads = fn(rows, X.T, yr, reg)[:2]
        out = {}
        for k, v in grads.items():
            v = np.asarray(v)
            out[k] = v.T if k[0] == "W" else v[..., :, None]
        return loss, out
    wrapped.__name__ = f"columns_{fn.__name__}"
    return wrapped


# ----------------------------------------------------------------- every kind, both layouts
def test_the_examples_plant_every_kind():
    assert set(student.KINDS) == set(testing.KINDS)


@pytest.mark.parametrize("layout", ["rows", "columns"])
@pytest.mark.parametrize("kind", student.KINDS)
def test_a_planted_slip_is_named_with_exactly_its_kind(kind, layout):
    fn = getattr(student, kind)
    rep = testing.check(fn if layout == "rows" else to_columns(fn), "D17", layout=layout)
    if kind in student.WARNINGS:             # right, and compared differently: a warning
        assert rep.ok and not rep.diagnoses and rep.error is None, str(rep)
        assert [w.kind for w in rep.warnings] == [kind], str(rep)
        return
    assert not rep.ok and rep.error is None
    assert kinds(rep) == [kind], str(rep)
    assert {d.erratum for d in rep.diagnoses} == {ERRATUM_OF.get(kind)}


@pytest.mark.parametrize("kind, output", [("scale", "dZ2"), ("sign", "dZ2"),
                                          ("wrong_layer", "dA1"), ("relu_at_zero", "dZ1"),
                                          ("missing_activation_derivative", "dZ1")])
def test_returned_intermediates_pin_the_first_wrong_step(kind, output):
    """With the intermediates returned, the diagnosis sits on the step that went wrong."""
    def with_intermediates(params, X, y, reg=0.0):
        loss, grads = getattr(student, kind)(params, X, y, reg)
        ref = bp.two_layer.loss_and_grads(params, X, y, reg=reg).intermediates
        inter = dict(ref)
        # recompute the student's intermediates from its own gradients' slip: the checker's
        # slipped reference must agree with the returned dZ2/dA1/dZ1 of that slip
        slipped = {"scale": {"dZ2": ref["dZ2"] * X.shape[0]}, "sign": {"dZ2": -ref["dZ2"]},
                   "wrong_layer": {"dA1": ref["dZ2"] @ params["W1"]},
                   "relu_at_zero": {"dZ1": ref["dA1"] * (ref["Z1"] >= 0)},
                   "missing_activation_derivative": {"dZ1": ref["dA1"]}}[kind]
        inter.update(slipped)
        if kind in ("scale", "sign"):
            inter["dA1"] = inter["dZ2"] @ params["W2"].T
            inter["dZ1"] = inter["dA1"] * (ref["Z1"] > 0)
        if kind == "wrong_layer":
            inter["dZ1"] = inter["dA1"] * (ref["Z1"] > 0)
        return loss, grads, inter

    rep = testing.check(with_intermediates, "D17")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [(output, kind)], str(rep)
    assert "not returned" not in rep.diagnoses[0].message


@pytest.mark.parametrize("fn, against, kind, erratum", [
    (lambda z, y: -bp.delta_ce_softmax(z, y), "D11", "sign", None),
    (lambda z, y: bp.delta_ce_softmax(z, y) * len(z), "delta_ce_softmax", "scale", None),
    (lambda z, y: bp.delta_ce_softmax(z, y).T, "D11", "transpose", None),
    (lambda z, y: bp.delta_ce_softmax(z, y)[None], "D11", "shape", None),
    (lambda z, y: (np.exp(z) / np.exp(z).sum(1, keepdims=True) - bp.validation.class_targets(
        y, len(z), z.shape[1])) / len(z), "D11", "unstable", None),
    (lambda z, y: (bp.sigmoid(z) - y) / len(z), "D9", "missing_activation_derivative", None),
    (lambda z: (z >= 0) * 1.0, "relu_prime", "relu_at_zero", "E6"),
    (lambda z: np.exp(z) / np.exp(z).sum(1, keepdims=True), "softmax", "unstable", None),
    (lambda z: np.exp(z) / (z.shape[1] * np.exp(z)), "D3", "erratum", "E1"),
    (lambda z: np.broadcast_to(np.exp(z).sum(1, keepdims=True), z.shape), "D3", "erratum",
     "E2"),
    (lambda z: errata.get("E8").literal_form(z=z), "D4", "erratum", "E8"),
    (lambda d, W, z, act: d @ W.T, "D15", "missing_activation_derivative", None),
    (lambda d, W, z, act: (d @ W.T) * (z >= 0) if act == "relu"
     else bp.hidden_delta(d, W, z, act), "hidden_delta", "relu_at_zero", "E6"),
    (lambda W, reg: 2 * reg * W, "D16", "reg_scale", None),
    (lambda dZ, cache: (dZ @ cache[1].T, dZ.T @ cache[0], dZ.sum(0)), "D14", "transpose", None),
    (lambda dZ, cache: (dZ @ cache[1].T, cache[0].T @ dZ / len(dZ), dZ.sum(0)), "D14", "scale",
     None),
])
def test_one_step_slips(fn, against, kind, erratum):
    rep = testing.check(fn, against)
    assert [(d.kind, d.erratum) for d in rep.diagnoses] == [(kind, erratum)], str(rep)


def test_one_step_slips_in_columns():
    def cols_sign(z, y):
        return -bp.delta_ce_softmax(z.T, y if np.ndim(y) == 1 else y.T).T

    def cols_transposed(z, y):
        return bp.delta_ce_softmax(z.T, y if np.ndim(y) == 1 else y.T)

    assert kinds(testing.check(cols_sign, "D11", layout="columns")) == ["sign"]
    assert kinds(testing.check(cols_transposed, "D11", layout="columns")) == ["transpose"]

    def dense_db_row(dZ, cache):           # Nielsen's db is (fan_out, 1); (fan_out,) is not
        X, W = cache
        dX, dW, db = bp.dense_backward(dZ.T, (X.T, W.T))
        return dX.T, dW.T, db
    rep = testing.check(dense_db_row, "D14", layout="columns")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("db", "shape")]


def test_nielsen_column_slips():
    rep = testing.check(nielsen_columns.backprop_transposed_dW1, "D17", layout="columns")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("dW1", "transpose")]
    rep = testing.check(nielsen_columns.backprop_sign_of_db, "D17", layout="columns")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("db2", "sign"), ("db1", "sign")]


def test_mlp_slips_across_hidden_activations_and_heads():
    def missing_top_reg(p, X, y, hidden="relu", head="softmax_ce", reg=0.0):
        r = bp.mlp.loss_and_grads(p, X, y, hidden=hidden, head=head, reg=reg)
        return r.loss, {**r.grads, "W3": r.grads["W3"] - reg * p["W3"]}

    def mse_without_sigma_prime(p, X, y, hidden="relu", head="softmax_ce", reg=0.0):
        if head != "sigmoid_mse":
            raise ValueError(f"only sigmoid_mse, got {head}")
        act = {"relu": (bp.relu, bp.relu_prime), "sigmoid": (bp.sigmoid, bp.sigmoid_prime),
               "tanh": (bp.tanh, bp.tanh_prime)}[hidden]
        As, Zs = [X], []
        for l in (1, 2, 3):
            Zs.append(As[-1] @ p[f"W{l}"] + p[f"b{l}"])
            As.append(act[0](Zs[-1]) if l < 3 else bp.sigmoid(Zs[-1]))
        loss = bp.mse(As[-1], y) + 0.5 * reg * sum(np.sum(p[f"W{l}"] ** 2) for l in (1, 2, 3))
        dZ, grads = (As[-1] - y) / len(X), {}          # the slip: no ⊙ σ'(Z3)
        for l in (3, 2, 1):
            grads[f"W{l}"] = As[l - 1].T @ dZ + reg * p[f"W{l}"]
            grads[f"b{l}"] = dZ.sum(0)
            if l > 1:
                dZ = (dZ @ p[f"W{l}"].T) * act[1](Zs[l - 2])
        return loss, grads

    rep = testing.check(missing_top_reg, "D18")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("dW3", "missing_reg")], str(rep)
    rep = testing.check(mse_without_sigma_prime, "mlp.loss_and_grads")
    assert kinds(rep) == ["missing_activation_derivative"], str(rep)
    assert len(rep.refused) == 11 and all("only sigmoid_mse" in r for r in rep.refused)
    assert len(rep.tried) == 6


# ----------------------------------------------------------------- correct ones: no diagnosis
def _cs231n_mlp(p, X, y, hidden="relu", head="softmax_ce", reg=0.0):
    return bp.mlp.loss_and_grads(p, X, y, hidden=hidden, head=head, reg=reg)


@pytest.mark.parametrize("fn, against, layout", [
    (student.correct, "D17", "rows"),
    (to_columns(student.correct), "D17", "columns"),
    (nielsen_columns.backprop, "D17", "columns"),
    (nielsen_columns.backprop, "two_layer.loss_and_grads_loop", "columns"),
    (lambda p, X, y, reg=0.0: bp.two_layer.loss_and_grads(p, X, y, reg=reg), "D17", "rows"),
    (lambda p, X, y, reg=0.0: bp.two_layer.loss_and_grads_loop(p, X, y, reg=reg), "D19", "rows"),
    (lambda p, X, y, reg=0.0: dict(bp.two_layer.loss_and_grads(p, X, y, reg=reg).grads),
     "D17", "rows"),
    (to_columns(lambda p, X, y, reg=0.0: bp.two_layer.loss_and_grads(p, X, y, reg=reg)),
     "D17", "columns"),
    (_cs231n_mlp, "D18", "rows"),
    (lambda p, X, y, hidden="relu", head="softmax_ce", reg=0.0: bp.mlp.loss_and_grads_loop(
        p, X, y, hidden=hidden, head=head, reg=reg), "mlp.loss_and_grads_loop", "rows"),
])
def test_correct_networks_report_ok(fn, against, layout):
    rep = testing.check(fn, against, layout=layout)
    assert rep.ok and not rep.diagnoses and rep.error is None, str(rep)
    assert rep.rows and all(r.ok for r in rep.rows)
    assert testing.assert_matches_reference(fn, against, layout=layout).ok


REFERENCE = {
    "sigmoid_prime": bp.sigmoid_prime, "relu_prime": bp.relu_prime, "softmax": bp.softmax,
    "softmax_jacobian": bp.softmax_jacobian, "mse_grad": bp.mse_grad,
    "cross_entropy_grad": bp.cross_entropy_grad,
    "binary_cross_entropy_grad": bp.binary_cross_entropy_grad,
    "delta_mse_sigmoid": bp.delta_mse_sigmoid, "delta_bce_sigmoid": bp.delta_bce_sigmoid,
    "delta_ce_softmax": bp.delta_ce_softmax,
    "delta_ce_softmax_jacobian": bp.delta_ce_softmax_jacobian,
    "dense_backward": bp.dense_backward, "hidden_delta": bp.hidden_delta,
    "l2_grad": bp.l2_grad, "two_layer.loss_and_grads": bp.two_layer.loss_and_grads,
    "two_layer.loss_and_grads_loop": bp.two_layer.loss_and_grads_loop,
    "mlp.loss_and_grads": bp.mlp.loss_and_grads,
    "mlp.loss_and_grads_loop": bp.mlp.loss_and_grads_loop,
    "sigmoid": bp.sigmoid, "relu": bp.relu, "one_hot": bp.one_hot,
    "predict_labels": bp.predict_labels, "mse": bp.mse, "cross_entropy": bp.cross_entropy,
    "binary_cross_entropy": bp.binary_cross_entropy, "sgd_step": bp.sgd_step,
}


@pytest.mark.parametrize("name", sorted(set(testing.targets().values())))
@pytest.mark.parametrize("seed", [0, 1])
def test_the_reference_itself_is_never_diagnosed(name, seed):
    rep = testing.check(REFERENCE[name], name, seed=seed)
    assert rep.ok and not rep.diagnoses and not rep.refused and not rep.warnings, str(rep)
    assert rep.self_consistent is (True if "loss_and_grads" in name else None), str(rep)


def test_every_slip_model_without_its_slip_is_the_reference():
    """The slipped networks are built from the public steps; with no slip they must be the
    reference, or a diagnosis could be confirmed by a wrong recomputation."""
    conv = networks.Conventions()
    for target, n in ((networks.TWO_LAYER, 8), (networks.MLP, 28)):
        cases = target.cases(np.random.default_rng(0))
        assert len(cases) == n
        for c in cases:
            ref, ours = target.reference(c, conv), networks.slipped_network(c)
            for k, v in ref.items():
                assert matches(ours[k], np.asarray(v)), (c.label, k)


# ----------------------------------------------------------------- what it says and refuses
def test_a_labels_only_function_is_checked_on_labels_and_says_what_it_refused():
    rep = testing.check(student.correct, "D17")
    assert rep.ok
    assert all("integer labels" in t for t in rep.tried) and len(rep.tried) == 4
    assert [r.split(":")[0] for r in rep.refused] == ["one-hot rows", "soft rows"]
    assert "refused (not a slip)" in str(rep)


def test_report_table_and_json():
    rep = testing.check(student.reg_scale, "D17")
    text = str(rep)
    assert "dW2" in text and "FAIL" in text and "[reg_scale]" in text and "CS231n" in text
    d = json.loads(rep.to_json())
    assert d["ok"] is False and d["diagnoses"][0]["kind"] == "reg_scale"
    assert {r["output"] for r in d["rows"]} >= {"loss", "dW1", "db1", "dW2", "db2"}
    assert isinstance(rep.diagnoses[0], tuple) and rep.diagnoses[0]._fields == (
        "output", "kind", "message", "erratum")


def test_assert_matches_reference_carries_the_report():
    with pytest.raises(AssertionError, match=r"\[sign\]"):
        testing.assert_matches_reference(student.sign, "D17")


# ----------------------------------------------------------------- bad input, in one line
@pytest.mark.parametrize("fn, text", [
    (lambda p, X, y, reg=0.0: "grads", "the result is a str"),
    (lambda p, X, y, reg=0.0: (1.0, {"W1": p["W1"]}), "grads has keys ['W1']; expected W1, b1"),
    (lambda p, X, y, reg=0.0: (1.0, {k: "x" for k in p}), "is a str, expected an array"),
    (lambda p, X, y, reg=0.0: {k: np.full_like(v, np.nan) for k, v in p.items()},
     "returned nan/inf where the reference is finite"),
])
def test_a_bad_return_is_one_line(fn, text):
    rep = testing.check(fn, "D17")
    assert not rep.ok and text in rep.error and "\n" not in rep.error
    if "nan/inf" not in text:             # every error says the call the checker makes
        assert rep.error.endswith("the checker calls fn(params, X, y, reg=…) -> (loss, grads) "
                                  "| Result | dict")


def test_a_raising_function_is_one_line():
    def boom(p, X, y, reg=0.0):
        raise RuntimeError("boom\n  at line 2")
    rep = testing.check(boom, "D17")
    assert not rep.ok and rep.raised and rep.error.endswith("RuntimeError: boom at line 2")

    def n1_bug(p, X, y, reg=0.0):
        return bp.two_layer.loss_and_grads(p, X, y, reg=reg) if len(X) > 1 else 1 / 0
    rep = testing.check(n1_bug, "D17")     # fails inside a form it accepts: not a refusal
    assert rep.raised and "N=1" in rep.error and "ZeroDivisionError" in rep.error
    assert "called as fn(params, X, y, reg=0.1): ZeroDivisionError" in rep.error


def test_a_function_that_exits_is_an_error_not_a_pass():
    def quits(p, X, y, reg=0.0):
        sys.exit(0)
    rep = testing.check(quits, "D17")
    assert not rep.ok and rep.raised and rep.error.endswith("it raised SystemExit: 0")
    with pytest.raises(ValueError, match="seed must be a non-negative integer, got 'x'"):
        testing.check(student.correct, "D17", seed="x")


def test_unknown_against_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown derivation 'D99'; expected one of D1, D2"):
        testing.check(student.correct, "D99")
    with pytest.raises(ValueError, match="two_layer.loss_and_grads"):
        testing.check(student.correct, "two_layer.loss")
    assert testing.resolve("d17") == testing.resolve("bp.two_layer.loss_and_grads")
    with pytest.raises(ValueError, match="layout"):
        testing.check(student.correct, "D17", layout="cols")


def test_kinds_are_the_stable_identifiers():
    assert set(testing.KINDS) == set(
        "scale sign transpose relu_at_zero missing_activation_derivative wrong_layer "
        "missing_reg reg_scale regularised_bias unstable shape erratum wrong_axis other "
        "precision".split())
    assert testing.WARNING_KINDS == ("unstable", "precision")


def test_the_checker_imports_numpy_and_the_standard_library_only():
    import ast

    package = Path(testing.__file__).parent
    files = sorted(package.glob("*.py"))
    assert {f.stem for f in files} >= {"__init__", "report", "cases", "catalog", "networks",
                                       "rules", "checker", "adapters", "gradient", "numdiff"}
    src = "\n".join(f.read_text() for f in files) + Path(errata.__file__).read_text()
    top = {(n.module or "").split(".")[0] if isinstance(n, ast.ImportFrom) else a.name.split(".")[0]
           for n in ast.walk(ast.parse(src)) if isinstance(n, (ast.Import, ast.ImportFrom))
           for a in n.names if not (isinstance(n, ast.ImportFrom) and n.level)}
    assert top <= {"numpy", "backprop_ref"} | set(sys.stdlib_module_names), top
    assert "numpy" in top


def test_a_function_that_writes_into_its_inputs_does_not_fool_the_check():
    def in_place(params, X, y, reg=0.0):
        res = bp.two_layer.loss_and_grads(params, X, y, reg=reg)
        X *= 2.0
        params["W2"][:] = 0.0
        return res
    assert testing.check(in_place, "D17").ok


def mlp_columns(p, X, y, hidden="relu", head="softmax_ce", reg=0.0):
    """A columns-layout MLP for the D18 check: Nielsen's shapes in and out."""
    rows = {k: (v.T if k[0] == "W" else v[:, 0]) for k, v in p.items()}
    r = bp.mlp.loss_and_grads(rows, X.T, y if np.ndim(y) == 1 else y.T, hidden=hidden,
                              head=head, reg=reg)
    grads = {k: (v.T if k[0] == "W" else v[:, None]) for k, v in r.grads.items()}
    return r.loss, grads, {k: v.T for k, v in r.intermediates.items()}


def test_an_mlp_in_columns_with_intermediates():
    rep = testing.check(mlp_columns, "D18", layout="columns")
    assert rep.ok and not rep.refused and len(rep.tried) == 28, str(rep)
    assert {"dZ3", "dA2", "dZ1", "A3"} <= {r.output for r in rep.rows}

    def dropped_mask(p, X, y, hidden="relu", head="softmax_ce", reg=0.0):
        loss, grads, inter = mlp_columns(p, X, y, hidden=hidden, head=head, reg=reg)
        return loss, grads, {**inter, "dZ2": inter["dA2"]}     # only the reported dZ2
    rep = testing.check(dropped_mask, "D18", layout="columns")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [
        ("dZ2", "missing_activation_derivative")], str(rep)
    assert "something else differs too" in rep.diagnoses[0].message


def test_log_of_an_underflowed_probability_is_unstable_only_in_the_loss():
    """CS231n's usual loss line, -log(probs[range(N), y]), is inf once the target's
    probability underflows; its gradients stay right."""
    def log_probs(params, X, y, reg=0.0):
        loss, grads = student.correct(params, X, y, reg)
        Z2 = np.maximum(0, X @ params["W1"] + params["b1"]) @ params["W2"] + params["b2"]
        P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        loss = -np.log(P[np.arange(len(y)), y]).mean() + 0.5 * reg * (
            np.sum(params["W1"] ** 2) + np.sum(params["W2"] ** 2))
        return loss, grads
    rep = testing.check(log_probs, "D17")
    assert rep.ok and not rep.diagnoses, str(rep)      # a warning, not a slip
    assert [(d.output, d.kind) for d in rep.warnings] == [("loss", "unstable")], str(rep)
    assert "log of a probability that underflowed" in rep.warnings[0].message
    assert "every gradient matches" in rep.warnings[0].message
    assert [r.result for r in rep.rows] == ["warn", "ok", "ok", "ok", "ok"]
