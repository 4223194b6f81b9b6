"""Every derivation a target of the checker (D1–D20): one correct and one slipped
implementation each, the common slips named (wrong_axis, the mean over N·K, a derivative
formula for the activation applied to z), the conventions, and the bound pinned."""

from __future__ import annotations

import numpy as np
import pytest

import backprop_ref as bp
from backprop_ref import testing
from backprop_ref.testing import catalog


def _Y(p, y):
    return np.eye(p.shape[1])[y] if np.ndim(y) == 1 else y


def _stable_sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def _softmax(z, axis=1):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _bce(a, y):
    return -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a)) / len(a)


#: target -> (a correct implementation as people write it, a slipped one, its (kind, erratum))
NEW_TARGETS = {
    "one_hot": (lambda labels, K: np.eye(K)[labels], lambda labels, K: np.eye(K)[labels].T,
                ("transpose", None)),
    "predict_labels": (lambda s: np.argmax(s, axis=1), lambda s: np.argmax(s, axis=0),
                       ("wrong_axis", None)),
    "mse": (lambda a, y: 0.5 * np.sum((a - y) ** 2) / len(a),
            lambda a, y: np.mean((a - y) ** 2), ("scale", None)),
    "cross_entropy": (lambda p, y: -np.sum(_Y(p, y) * np.log(p)) / len(p),
                      lambda p, y: -np.mean(_Y(p, y) * np.log(p)), ("scale", None)),
    "binary_cross_entropy": (_bce, lambda a, y: -np.sum(y * np.log(a)) / len(a),
                             ("erratum", "E10")),
    "sigmoid": (_stable_sigmoid, lambda z: np.exp(z) / (1 + np.exp(z)), ("unstable", None)),
    "relu": (lambda z: np.maximum(z, 0), lambda z: np.max(z, 0), ("shape", None)),
    "softmax": (_softmax, lambda z: _softmax(z, axis=0), ("wrong_axis", None)),
    "sgd_step": (lambda p, g, lr: {k: p[k] - lr * g[k] for k in p},
                 lambda p, g, lr: {k: p[k] + lr * g[k] for k in p}, ("sign", None)),
}


def test_every_derivation_with_a_reference_function_is_a_target():
    ids = {i for i in testing.targets() if i[0] == "D" and i[1:].isdigit()}
    assert ids == {f"D{i}" for i in range(1, 21)} - {"D13"}   # D13 is the wrong pairing
    names = set(testing.targets().values())
    assert set(NEW_TARGETS) <= names
    assert testing.resolve("D6") == "mse_grad" and testing.resolve("mse") == "mse"
    assert testing.resolve("D5") == "one_hot" and testing.resolve("D20") == "sgd_step"


@pytest.mark.parametrize("name", sorted(NEW_TARGETS))
def test_a_new_target_right_and_slipped(name):
    right, slipped, (kind, erratum) = NEW_TARGETS[name]
    rep = testing.check(right, name)
    assert rep.ok and not rep.diagnoses and not rep.warnings, str(rep)
    rep = testing.check(slipped, name)
    assert [(d.kind, d.erratum) for d in rep.diagnoses] == [(kind, erratum)], str(rep)


@pytest.mark.parametrize("fn, against, kind, text", [
    (lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2, "D1", "unstable", "z = −1000"),
    (lambda z: np.exp(z) / (1 + np.exp(z)) ** 2, "D1", "unstable",          # no model of it
     "where the reference is finite, and right everywhere else"),
    (lambda z: z * (1 - z), "D1", "missing_activation_derivative",
     "applied to the pre-activation z"),
    (lambda z, y: (bp.sigmoid(z) - y) * z * (1 - z) / len(z), "D9",
     "missing_activation_derivative", "applied to the pre-activation z"),
    (lambda d, W, z, act: (d @ W.T) * {"sigmoid": z * (1 - z), "tanh": 1 - z * z,
                                       "relu": (z > 0) * 1.0}[act], "D15",
     "missing_activation_derivative", "applied to the pre-activation z"),
    (lambda z, y: (_softmax(z, axis=0) - _Y(z, y)) / len(z), "D11", "wrong_axis", "axis 0"),
    (lambda a, y: (a - y) / (a * (1 - a)) / a.size, "D8", "scale", "1/K × the reference"),
    (lambda a, y: (a - y) / a.size * 2, "D6", "scale", "2/K × the reference"),
])
def test_the_common_slips_are_named(fn, against, kind, text):
    rep = testing.check(fn, against)
    assert [d.kind for d in rep.diagnoses] == [kind], str(rep)
    assert text in rep.diagnoses[0].message


@pytest.mark.parametrize("against", ["D1", "D2", "D3", "D4", "sigmoid", "relu"])
def test_the_elementwise_and_softmax_cases_reach_1000(against):
    t = catalog.target(against)
    zs = [c.inputs["z"] for c in t.cases(np.random.default_rng(0))]
    assert max(float(np.max(np.abs(z))) for z in zs) >= 1000


# ----------------------------------------------------------------- conventions
def test_a_single_delta_times_n_names_the_reduction_and_passes_when_declared():
    summed = lambda z, y: bp.delta_ce_softmax(z, y) * len(z)          # noqa: E731
    rep = testing.check(summed, "D11")
    assert [d.kind for d in rep.diagnoses] == ["scale"]
    assert "declare it with reduction='sum' (--reduction sum)" in rep.diagnoses[0].message
    assert testing.check(summed, "D11", reduction="sum").ok
    assert testing.check(lambda a, y: len(a) * bp.mse(a, y), "mse", reduction="sum").ok
    rep = testing.check(bp.delta_ce_softmax, "D11", reduction="sum")
    assert "reduction='mean' (the default)" in rep.diagnoses[0].message


def test_the_l2_convention_on_d16():
    rep = testing.check(lambda W, reg: 2 * reg * W, "D16")
    assert [d.kind for d in rep.diagnoses] == ["reg_scale"]
    assert "declare it with l2='sum' (--l2 sum)" in rep.diagnoses[0].message
    assert testing.check(lambda W, reg: 2 * reg * W, "D16", l2="sum").ok
    rep = testing.check(bp.l2_grad, "D16", l2="sum")
    assert "declare it with l2='half' (the default)" in rep.diagnoses[0].message


@pytest.mark.parametrize("against, kw, text", [
    ("D11", {"l2": "sum"}, "l2='sum' has no use for D11 (delta_ce_softmax): it has no L2 term; "
                           "l2 applies to D16, D17, D18, D19"),
    ("D3", {"reduction": "sum"}, "reduction='sum' has no use for D3 (softmax): it has no mean "
                                 "over a batch"),
    ("D17", {"l2": "full"}, "l2 must be 'half'"),
    ("D17", {"reduction": "avg"}, "reduction must be 'mean' or 'sum'"),
])
def test_a_convention_the_target_has_no_use_for_is_one_line(against, kw, text):
    with pytest.raises(ValueError) as info:
        testing.check(bp.delta_ce_softmax, against, **kw)
    assert text in str(info.value) and "\n" not in str(info.value)


# ----------------------------------------------------------------- the bound, pinned
def _nudged(scale):
    """D11's reference plus ``scale`` · max(1, max|reference|) on one entry: no slip."""
    def fn(z, y):
        d = bp.delta_ce_softmax(z, y)
        d = d.copy()
        d[0, 0] += scale * max(1.0, float(np.max(np.abs(d))))
        return d
    return fn


def test_the_bound_is_1e_12_and_holds():
    """Off by 10× the bound is reported, by a tenth of it is not: loosening the checker's
    bound 1000× (1e-12 → 1e-9) fails here."""
    assert testing.BOUND == 1e-12 and testing.BOUND_FLOAT32 == 1e-5
    rep = testing.check(_nudged(10 * 1e-12), "D11")
    assert not rep.ok and [d.kind for d in rep.diagnoses] == ["other"], str(rep)
    assert testing.check(_nudged(0.1 * 1e-12), "D11").ok


def test_the_float32_bound_holds():
    def f32(scale):
        def fn(z, y):
            d = bp.delta_ce_softmax(z, y)
            d[0, 0] += scale * max(1.0, float(np.max(np.abs(d))))
            return d.astype(np.float32)
        return fn
    assert not testing.check(f32(10 * 1e-5), "D11").ok
    rep = testing.check(f32(0.1 * 1e-5), "D11")
    assert rep.ok and [w.kind for w in rep.warnings] == ["precision"], str(rep)


# ----------------------------------------------------------------- what the report says
def test_the_table_and_the_diagnosis_quote_the_same_figure():
    rep = testing.check(_nudged(3e-7), "D11")
    row, d = rep.rows[0], rep.diagnoses[0]
    assert d.kind == "other"
    assert f"by up to {row.max_abs_error:.1e} (relative {row.rel_error:.1e}" in d.message
    assert f"{row.max_abs_error:.1e}" in str(rep).split("diagnoses:")[0]


def test_assert_matches_reference_puts_the_verdict_on_the_first_line():
    with pytest.raises(AssertionError) as info:
        testing.assert_matches_reference(lambda z, y: bp.delta_ce_softmax(z, y) * len(z), "D11")
    first = str(info.value).splitlines()[0]
    assert first.endswith("<lambda> against D11: FAIL: dZ: [scale] dZ is N × the reference: a "
                          "missing 1/N (the batch mean's 1/N belongs in the output delta, "
                          "once); if your loss is a sum over the batch, declare it with "
                          "reduction='sum' (--reduction sum)")
    assert "result: FAIL" in str(info.value)


def test_to_dict_round_trips_and_names_its_keys():
    rep = testing.check(lambda z, y: bp.delta_ce_softmax(z, y) * len(z), "D11")
    d = rep.to_dict()
    assert set(d) == {"function", "against", "reference", "layout", "l2", "reduction",
                      "conventions", "call", "ok", "error", "raised", "tried", "refused",
                      "bound", "rows", "diagnoses", "warnings", "self_consistent",
                      "self_consistency"}
    assert d["conventions"] == ["layout", "reduction"] and d["call"].startswith("fn(z, y)")
    assert str(testing.CheckReport.from_dict(d)) == str(rep)
    doc = testing.report.__doc__
    assert all(f"``{k}``" in doc for k in d)
