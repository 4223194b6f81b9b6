"""The checker on code written the way people write it (D14, D17, D18): a student's class
with one realistic slip at a time, CS231n's ``TwoLayerNet`` and ``affine_backward``,
Nielsen's ``network.py``, a float32 net, and the losses students are taught
(``-np.log(probs)``, ``log(p + 1e-12)``, ``np.clip``)."""

from __future__ import annotations

import numpy as np
import pytest

from backprop_ref import testing
from checker_fixtures import version

# ----------------------------------------------------------------- the student's class
W2 = 'grads["W2"] = a1.T.dot(dscores) + self.reg * self.params["W2"]'
W1 = 'grads["W1"] = X.T.dot(dz1) + self.reg * self.params["W1"]'
B2 = 'grads["b2"] = np.sum(dscores, axis=0)'
LOSS = "data_loss = np.sum(-np.log(probs[range(N), y])) / N"
REG = ('reg_loss = 0.5 * self.reg * (np.sum(self.params["W1"] ** 2) + '
       'np.sum(self.params["W2"] ** 2))')
MASK = "dz1 = da1 * (z1 > 0)"

#: kind -> (the edits to the student's file, the output the diagnosis is seen in)
SLIPS = {
    "scale": ([("dscores /= N", "")], "dW2"),
    "sign": ([("dscores = probs.copy()", "dscores = -probs.copy()"),
              ("dscores[range(N), y] -= 1", "dscores[range(N), y] += 1")], "dW2"),
    "transpose": ([(W2, 'grads["W2"] = dscores.T.dot(a1) + self.reg * self.params["W2"].T')],
                  "dW2"),
    "relu_at_zero": ([(MASK, "dz1 = da1 * (z1 >= 0)")], "db1"),
    "missing_activation_derivative": ([(MASK, "dz1 = da1")], "dW1"),
    "wrong_layer": ([('da1 = dscores.dot(self.params["W2"].T)',
                      'da1 = dscores.dot(self.params["W1"])')], "dW1"),
    "wrong_axis": ([("probs = exp_scores / np.sum(exp_scores, axis=1, keepdims=True)",
                     "probs = exp_scores / np.sum(exp_scores, axis=0, keepdims=True)")], "loss"),
    "missing_reg": ([(W2, 'grads["W2"] = a1.T.dot(dscores)')], "dW2"),
    "reg_scale": ([(W2, W2.replace("self.reg", "2 * self.reg")),
                   (W1, W1.replace("self.reg", "2 * self.reg"))], "dW2"),
    "regularised_bias": ([(B2, B2 + ' + self.reg * self.params["b2"]')], "db2"),
    "unstable": ([("scores = scores - np.max(scores, axis=1, keepdims=True)", "")], "loss"),
    "shape": ([(B2, 'grads["b2"] = np.sum(dscores, axis=0, keepdims=True)')], "db2"),
    "erratum": ([("dscores /= N", ""), (W2, W2 + "\ndscores /= N")], "dW2"),
    "other": ([(MASK, "dz1 = da1 * (z1 > 0.1)")], "dW1"),
}
CS231N_REG = [(W2, W2.replace("self.reg", "2 * self.reg")),
              (W1, W1.replace("self.reg", "2 * self.reg")), (REG, REG.replace("0.5 * ", ""))]
SUMMED = [(LOSS, LOSS.replace(" / N", "")), ("dscores /= N", "")]


def student(*edits):
    return version("student_net", *edits).loss_and_grads


def test_the_student_slips_cover_every_kind_but_the_warnings():
    assert set(SLIPS) == set(testing.KINDS) - {"precision"}


def test_the_students_correct_class_is_ok_with_an_unstable_warning():
    """-np.log(probs[range(N), y]) is inf at extreme logits: a warning, not a FAIL."""
    rep = testing.check(student(), "D17")
    assert rep.ok and not rep.diagnoses and rep.self_consistent is True, str(rep)
    assert [(w.output, w.kind) for w in rep.warnings] == [("loss", "unstable")]
    assert "every gradient matches" in rep.warnings[0].message
    assert "log-softmax" in rep.warnings[0].message


@pytest.mark.parametrize("kind", sorted(SLIPS))
def test_one_slip_is_one_diagnosis_of_its_kind(kind):
    edits, output = SLIPS[kind]
    rep = testing.check(student(*edits), "D17")
    assert not rep.ok and rep.error is None, str(rep)
    assert rep.diagnoses[0][:2] == (output, kind), str(rep)
    if kind == "other":                   # no slip explains it: each wrong output says so
        assert {d.kind for d in rep.diagnoses} == {"other"}
    else:
        assert len(rep.diagnoses) == 1, str(rep)
    # the loss's -log(probs) is a warning beside the slip, never a second diagnosis
    assert [w.kind for w in rep.warnings] in ([], ["unstable"])
    consistent = kind in ("transpose", "relu_at_zero", "shape", "unstable")
    assert rep.self_consistent is consistent, str(rep)


def test_a_missing_1_over_n_with_log_probs_is_one_scale_and_one_warning():
    """The issue's example: a second slip no longer splinters the report."""
    rep = testing.check(student(("dscores /= N", "")), "D17")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("dW2", "scale")]
    assert "N × the reference" in rep.diagnoses[0].message
    assert [w.kind for w in rep.warnings] == ["unstable"]
    assert rep.self_consistent is False and "the calculus is wrong" in rep.self_consistency


def test_cs231n_convention_in_a_students_class():
    rep = testing.check(student(*CS231N_REG), "D17")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("dW2", "reg_scale")], str(rep)
    assert "exactly the convention l2='sum'" in rep.diagnoses[0].message
    assert "--l2 sum" in rep.diagnoses[0].message
    assert rep.self_consistent is True and "not in the calculus" in rep.self_consistency
    assert testing.check(student(*CS231N_REG), "D17", l2="sum").ok
    half_grads = student((REG, REG.replace("0.5 * ", "")))     # loss reg·ΣW², grads reg·W
    rep = testing.check(half_grads, "D17", l2="sum")
    assert [d.kind for d in rep.diagnoses] == ["reg_scale"], str(rep)


def test_a_summed_loss():
    """Loss and gradients summed: a scale naming reduction='sum', and ok once declared; the
    loss alone summed: a scale on the loss."""
    rep = testing.check(student(*SUMMED), "D17")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("loss", "scale")], str(rep)
    assert "exactly the convention reduction='sum'" in rep.diagnoses[0].message
    assert rep.self_consistent is True
    rep = testing.check(student(*SUMMED), "D17", reduction="sum")
    assert rep.ok and [w.kind for w in rep.warnings] == ["unstable"], str(rep)
    rep = testing.check(student(SUMMED[0]), "D17")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("loss", "scale")], str(rep)
    assert "summed over the batch (the L2 penalty added once)" in rep.diagnoses[0].message
    assert rep.self_consistent is False
    rep = testing.check(student(), "D17", reduction="sum")      # a mean, declared a sum
    assert [d.kind for d in rep.diagnoses] == ["scale"], str(rep)
    assert "exactly the convention reduction='mean'" in rep.diagnoses[0].message


@pytest.mark.parametrize("loss, guard", [
    ("data_loss = np.sum(-np.log(probs[range(N), y] + 1e-12)) / N", "log(p + 1e-12)"),
    ("data_loss = np.sum(-np.log(np.clip(probs[range(N), y], 1e-15, 1.0))) / N",
     "np.clip(p, 1e-15, 1)"),
    ("data_loss = np.sum(-np.log(np.clip(probs[range(N), y], 1e-07, 1 - 1e-07))) / N",
     "np.clip(p, 1e-07, 1 − 1e-07)"),
    ("data_loss = -np.mean(np.log(probs[np.arange(N), y]))", None),
])
def test_guarded_and_unguarded_log_losses_are_ok_with_a_warning(loss, guard):
    rep = testing.check(student((LOSS, loss)), "D17")
    assert rep.ok and not rep.diagnoses, str(rep)
    assert [(w.output, w.kind) for w in rep.warnings] == [("loss", "unstable")]
    text = rep.warnings[0].message
    assert (f"computed with log(p + 1e-12)" in text if guard == "log(p + 1e-12)" else
            guard in text if guard else "underflowed to 0" in text), text
    row = next(r for r in rep.rows if r.output == "loss")
    assert row.ok and row.warning == "unstable" and row.result == "warn"
    assert f"{row.max_abs_error:.1e}" in text or "inf" in text     # the table's figure


def test_a_guard_beside_a_slip_is_still_one_diagnosis():
    rep = testing.check(student((LOSS, "data_loss = np.sum(-np.log(probs[range(N), y] + "
                                "1e-12)) / N"), ("dscores /= N", "")), "D17")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("dW2", "scale")], str(rep)
    assert [w.kind for w in rep.warnings] == ["unstable"]


def test_a_log_softmax_loss_has_no_warning():
    stable = student(("scores = scores - np.max(scores, axis=1, keepdims=True)",
                      "scores = scores - np.max(scores, axis=1, keepdims=True)\n"
                      "log_probs = scores - np.log(np.sum(np.exp(scores), axis=1, "
                      "keepdims=True))"),
                     ('self.cache = {"X": X, "z1": z1, "a1": a1, "probs": probs}',
                      'self.cache = {"X": X, "z1": z1, "a1": a1, "probs": probs, '
                      '"log_probs": log_probs}'),
                     (LOSS, 'data_loss = -np.sum(self.cache["log_probs"][range(N), y]) / N'))
    rep = testing.check(stable, "D17")
    assert rep.ok and not rep.warnings and rep.self_consistent is True, str(rep)


def test_a_float32_net_is_ok_with_a_precision_warning():
    f32 = student(("net.params = params",
                   "net.params = {k: v.astype(np.float32) for k, v in params.items()}"),
                  ("net.forward(X)", "net.forward(X.astype(np.float32))"))
    rep = testing.check(f32, "D17")
    assert rep.ok and not rep.diagnoses and rep.bound == testing.BOUND_FLOAT32, str(rep)
    assert [w.kind for w in rep.warnings] == ["precision", "unstable"]
    assert "float32" in rep.warnings[0].message and "1e-05" in rep.warnings[0].message
    assert max(r.rel_error for r in rep.rows if r.output != "loss") > 1e-10   # really float32
    assert rep.self_consistent is True


def test_a_float32_net_with_a_slip_is_still_diagnosed():
    f32 = student(("net.params = params",
                   "net.params = {k: v.astype(np.float32) for k, v in params.items()}"),
                  ("net.forward(X)", "net.forward(X.astype(np.float32))"), (MASK, "dz1 = da1"))
    rep = testing.check(f32, "D17")
    assert [d.kind for d in rep.diagnoses] == ["missing_activation_derivative"], str(rep)


# ----------------------------------------------------------------- CS231n
def test_cs231n_two_layer_net_needs_l2_sum():
    cs = version("cs231n_neural_net")
    rep = testing.check(testing.from_cs231n(cs.TwoLayerNet), "D17")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("dW2", "reg_scale")], str(rep)
    assert "declare it with l2='sum' (--l2 sum)" in rep.diagnoses[0].message
    assert [w.kind for w in rep.warnings] == ["unstable"]
    rep = testing.check(testing.from_cs231n(cs.TwoLayerNet), "D17", l2="sum")
    assert rep.ok and rep.self_consistent is True, str(rep)
    assert rep.function.startswith("from_cs231n(") and "TwoLayerNet" in rep.function


def test_cs231n_an_instance_or_the_class_itself_and_nothing_changes():
    cs = version("cs231n_neural_net")
    np.random.seed(3)
    net = cs.TwoLayerNet(4, 10, 3)
    before = {k: v.copy() for k, v in net.params.items()}
    state = np.random.get_state()[1].copy()
    assert testing.check(net, "D17", l2="sum").ok                  # the object, adapted
    assert testing.check(cs.TwoLayerNet, "D17", l2="sum").ok       # the class, built per call
    assert all(np.array_equal(before[k], net.params[k]) for k in before)
    assert np.array_equal(state, np.random.get_state()[1])


def test_cs231n_affine_backward_with_its_xwb_cache():
    layers = version("cs231n_layers")
    rep = testing.check(layers.affine_backward, "D14")
    assert rep.ok, str(rep)
    assert "(x, w, b)" in rep.call

    def dw_not_summed(dout, cache):       # the same with a slip: db left per example
        dx, dw, db = layers.affine_backward(dout, cache)
        return dx, dw, dout
    rep = testing.check(dw_not_summed, "D14")
    assert [(d.output, d.kind) for d in rep.diagnoses] == [("db", "shape")], str(rep)


def test_cs231n_net_loss_passed_directly_names_the_call_and_the_adapter():
    net = version("cs231n_neural_net").TwoLayerNet(4, 10, 3)
    rep = testing.check(net.loss, "D17")
    assert not rep.ok and rep.raised and "\n" not in rep.error
    assert rep.error.startswith("wrong signature: the checker calls fn(params, X, y, reg=")
    assert "loss(X, y=None, reg=0.0) cannot take it" in rep.error
    assert "expected fn(params, X, y, reg=…) -> (loss, grads) | Result | dict" in rep.error
    assert "testing.from_cs231n(net)" in rep.error


# ----------------------------------------------------------------- Nielsen
def test_nielsen_network_py():
    nl = version("nielsen_network")
    rep = testing.check(testing.from_nielsen(nl.Network), "D18")
    assert rep.ok and rep.layout == "columns", str(rep)
    assert rep.tried == ["N=5, 4-5-4-3, real targets, reg=0.0, hidden=sigmoid, "
                         "head=sigmoid_mse, Z1 has exact zeros"]
    assert rep.self_consistent is None and "returns no loss" in rep.self_consistency
    assert all("sigmoid" in r for r in rep.refused)
    net = nl.Network([4, 5, 4, 3])
    weights = [w.copy() for w in net.weights]
    assert testing.check(net, "D18").ok                             # an object, adapted
    assert all(np.array_equal(a, b) for a, b in zip(weights, net.weights))


@pytest.mark.parametrize("edit, output, kind, text", [
    (("sigmoid_prime(zs[-1])", ""), "dW3", "missing_activation_derivative", "σ'(Z) is dropped"),
    (("sp = sigmoid_prime(z)", "sp = z * (1 - z)"), "dW2", "missing_activation_derivative",
     "applied to the pre-activation"),
    (("nabla_w[-l] = np.dot(delta, activations[-l-1].transpose())",
      "nabla_w[-l] = np.dot(activations[-l-1], delta.transpose())"), "dW2", "transpose", ""),
    (("return (output_activations-y)", "return (y-output_activations)"), "dW3", "sign",
     "dZ3 is the negative"),
])
def test_nielsen_slips(edit, output, kind, text):
    old, new = edit
    if old == "sigmoid_prime(zs[-1])":
        edits = [("delta = self.cost_derivative(activations[-1], y) * \\",
                  "delta = self.cost_derivative(activations[-1], y)"), (old, new)]
    else:
        edits = [edit]
    rep = testing.check(testing.from_nielsen(version("nielsen_network", *edits).Network), "D18")
    assert [(d.output, d.kind) for d in rep.diagnoses][:1] == [(output, kind)], str(rep)
    assert text in rep.diagnoses[0].message


def test_nielsen_against_d17_refuses_every_case_with_the_reason():
    rep = testing.check(testing.from_nielsen(version("nielsen_network").Network), "D17")
    assert not rep.ok and "refused every case" in rep.error and "D18" in rep.error


# ----------------------------------------------------------------- adapters' bad input
@pytest.mark.parametrize("adapter, obj, missing", [
    (testing.from_cs231n, object(), "params"),
    (testing.from_cs231n, type("Net", (), {"params": {}})(), "loss"),
    (testing.from_nielsen, type("Network", (), {"weights": [], "biases": []})(), "backprop"),
    (testing.from_nielsen, type("Network", (), {"backprop": lambda s, x, y: 0})(), "weights"),
])
def test_an_adapter_names_the_missing_attribute_in_one_line(adapter, obj, missing):
    with pytest.raises(TypeError) as info:
        adapter(obj)
    text = str(info.value)
    assert f"has no attribute {missing!r}" in text and "\n" not in text
    assert text.startswith(adapter.__name__ + ":")


def test_a_class_the_adapter_cannot_build_says_so():
    class Net:
        def __init__(self, *, sizes):
            self.params = {}

        def loss(self, X, y=None, reg=0.0):
            return 0.0, {}
    rep = testing.check(testing.from_cs231n(Net), "D17")
    assert rep.error and "cannot build it for layer sizes [3, 5, 3]" in rep.error
    assert "pass an instance instead" in rep.error and "\n" not in rep.error


def test_a_class_of_any_other_style_gets_the_recipe():
    student_class = version("student_net").TwoLayerNet
    with pytest.raises(TypeError, match=r"^fn is the class TwoLayerNet: the checker calls "
                       r"fn\(params, X, y, reg=…\) -> \(loss, grads\) \| Result \| dict; for "
                       r"a class, write a function"):
        testing.check(student_class, "D17")
