"""The whole networks as targets (D17 the notes' network, D18 the L-layer MLP, D19 their
per-sample loops): the cases, the call, the reference in the declared conventions, and
`slipped_network`, the forward and backward pass rebuilt from the reference's public steps
with one slip, which the rules recompute to name a slip.

Conventions: ``l2="half"`` is the notes' penalty ½·reg·ΣW² (gradient reg·W), ``"sum"``
CS231n's reg·ΣW² (gradient 2·reg·W); ``reduction="mean"`` averages the data loss over the
batch (every output delta carries 1/N), ``"sum"`` sums it (the L2 penalty is added once).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import (
    binary_cross_entropy_with_logits,
    cross_entropy_with_logits,
    delta_bce_sigmoid,
    delta_ce_softmax,
    delta_mse_identity,
    delta_mse_sigmoid,
    dense_backward,
    dense_forward,
    l2_grad,
    mlp,
    mse,
    mse_grad,
    relu,
    relu_prime,
    sigmoid,
    sigmoid_prime,
    softmax,
    tanh,
    tanh_prime,
    two_layer,
)
from .. import errata as _errata
from .cases import (
    LARGE,
    BadReturn,
    Call,
    Case,
    Conventions,
    Refused,
    label_forms,
    params_in,
    targets_in,
    to_user,
)
from .rules import Model, declare_hint, factor, scale_models
from .catalog import (
    GPRIME_OF_A,
    PENALTY,
    UNSTABLE_SOFTMAX,
    WRONG_AXIS_SOFTMAX,
    WRONG_AXIS_TEXT,
    Target,
    accepts,
    as_array,
    erratum_text,
    has_name,
    reg_grad_text,
    reg_scale_text,
)

__all__ = ["NETWORK_TARGETS", "TWO_LAYER", "TWO_LAYER_LOOP", "MLP", "MLP_LOOP",
           "slipped_network", "loss_guards", "HEADS"]

HEADS = ("softmax_ce", "sigmoid_bce", "sigmoid_mse", "identity_mse")
ACT = {"relu": relu, "sigmoid": sigmoid, "tanh": tanh}
ACT_PRIME = {"relu": relu_prime, "sigmoid": sigmoid_prime, "tanh": tanh_prime}


# =========================================================================== cases
def network_case(rng: np.random.Generator, sizes: list, N: int, reg: float, *,
                 hidden: str = "relu", head: str = "softmax_ce",
                 form: str = "integer labels", zeros: bool = False, large: bool = False,
                 group: str | None = None) -> Case:
    """One case of a network of layer sizes ``sizes``: weights ~ N(0, 1/fan_in), biases
    ≠ 0; ``zeros``: Z1[0, ::2] is exactly 0; ``large``: the top biases shifted by +1000,
    0, −1000 (extreme logits)."""
    L = len(sizes) - 1
    params = {}
    for l in range(1, L + 1):
        params[f"W{l}"] = rng.standard_normal((sizes[l - 1], sizes[l])) / np.sqrt(sizes[l - 1])
        params[f"b{l}"] = 0.5 * rng.standard_normal(sizes[l])      # biases ≠ 0
    X = rng.standard_normal((N, sizes[0]))
    tags = []
    if zeros and N > 1:
        X[0] = 0.0
        params["b1"][::2] = 0.0            # Z1[0, ::2] is exactly 0
        tags.append("zeros")
    if large:
        params[f"b{L}"] = params[f"b{L}"] + np.resize([LARGE, 0.0, -LARGE], sizes[-1])
        tags.append("large")
    K = sizes[-1]
    labels = np.arange(1, N + 1) % K
    if head == "softmax_ce":
        y = label_forms(rng, N, K, labels)[form]
    else:
        y = rng.uniform(0, 1, size=(N, K)) if head == "sigmoid_bce" else rng.standard_normal(
            (N, K))
        form = "real targets"
    if reg:
        tags.append("reg")
    label = (f"N={N}, {'-'.join(map(str, sizes))}, {form}, reg={reg}"
             + (f", hidden={hidden}, head={head}" if group else "")
             + (", Z1 has exact zeros" if "zeros" in tags else "")
             + (f", extreme logits (|Z{L}| ≈ {LARGE:.0f})" if large else ""))
    return Case(label, group or form,
                {"params": params, "X": X, "y": y, "reg": reg, "hidden": hidden, "head": head},
                N, K, tuple(tags))


def two_layer_cases(rng: np.random.Generator) -> list[Case]:
    """D17's cases: 3-5-3 (D = K, so note 003's (A2 − y)·W1 multiplies; no square weights)."""
    s = [3, 5, 3]
    cs = [network_case(rng, s, 5, 0.0, zeros=True),
          network_case(rng, s, 1, 0.1),
          network_case(rng, s, 6, 0.3),
          network_case(rng, s, 4, 0.1, large=True)]
    for form in ("one-hot rows", "soft rows"):
        cs += [network_case(rng, s, 4, 0.2, form=form, zeros=True),
               network_case(rng, s, 1, 0.0, form=form)]
    return cs


def mlp_cases(rng: np.random.Generator) -> list[Case]:
    """D18's cases: 4-5-4-3, every hidden activation with every head."""
    s = [4, 5, 4, 3]
    cs = [network_case(rng, s, 5, 0.0, zeros=True, group="relu, softmax_ce"),
          network_case(rng, s, 1, 0.1, group="relu, softmax_ce"),
          network_case(rng, s, 6, 0.3, group="relu, softmax_ce"),
          network_case(rng, s, 4, 0.1, large=True, group="relu, softmax_ce")]
    for form in ("one-hot rows", "soft rows"):
        cs.append(network_case(rng, s, 4, 0.2, form=form, zeros=True,
                               group=f"relu, softmax_ce, {form}"))
    for hidden in ACT:
        for head in HEADS:
            if (hidden, head) == ("relu", "softmax_ce"):
                continue
            g = f"{hidden}, {head}"
            cs += [network_case(rng, s, 5, 0.0, hidden=hidden, head=head, zeros=True, group=g),
                   network_case(rng, s, 1, 0.2, hidden=hidden, head=head, group=g)]
    return cs


def layers(c: Case) -> int:
    """The number of weight layers of a network case."""
    return sum(1 for k in c.inputs["params"] if k[0] == "W")


def fd_valid(c: Case) -> bool:
    """Central differences of the loss mean something on this case: no extreme logits, no
    ReLU pre-activation sitting exactly on its kink."""
    return "large" not in c.tags and not ("zeros" in c.tags and c.inputs["hidden"] == "relu")


# =========================================================================== call, parse
def network_call(general: bool) -> Callable:
    """``fn(params, X, y[, hidden=…, head=…], reg=…)``: an option the function has no
    parameter for is refused unless it is the default."""
    def call(fn, c, layout):
        i = c.inputs
        args: list = [params_in(i["params"], layout), to_user("batch", i["X"], layout),
                      targets_in(i["y"], layout)]
        names = ["params", "X", "y"]
        kw: dict = {}
        if general:
            for k, default in (("hidden", "relu"), ("head", "softmax_ce")):
                if has_name(fn, k):
                    kw[k] = i[k]
                elif i[k] != default:
                    raise Refused(f"no {k} parameter")
        if has_name(fn, "reg"):
            kw["reg"] = i["reg"]
        elif accepts(fn, "reg", 3):
            args.append(i["reg"])
            names.append(repr(i["reg"]))
        elif i["reg"]:
            raise Refused("no reg parameter")
        text = "fn(" + ", ".join(names + [f"{k}={v!r}" for k, v in kw.items()]) + ")"
        return Call(tuple(args), kw, text)
    return call


def network_order(c: Case) -> list[str]:
    """Every output in computation order: loss, the forward values, then backward."""
    L = layers(c)
    order = ["loss"] + [f"{p}{l}" for l in range(1, L + 1) for p in "ZA"] + [f"dZ{L}"]
    for l in range(L, 0, -1):
        order += [f"dW{l}", f"db{l}"]
        if l > 1:
            order += [f"dA{l - 1}", f"dZ{l - 1}"]
    return order


def network_roles(o: str) -> str:
    if o == "loss":
        return "scalar"
    return {"W": "W", "b": "b"}.get(o[1], "batch") if o[0] == "d" and o[1] in "Wb" else "batch"


def network_parse(raw: Any, c: Case) -> dict:
    """A `Result`, a ``(loss, grads[, intermediates])`` tuple or a dict of gradients."""
    L = layers(c)
    inter = None
    if isinstance(raw, tuple) and len(raw) in (2, 3):
        loss, grads = raw[0], raw[1]
        inter = raw[2] if len(raw) == 3 else None
    elif isinstance(raw, dict):
        loss, grads = raw.get("loss"), raw
    else:
        what = type(raw).__name__ + (f" of length {len(raw)}" if isinstance(raw, tuple) else "")
        raise BadReturn(f"the result is a {what}; expected a Result, a (loss, grads) tuple "
                        "or a dict of gradients")
    if not isinstance(grads, dict):
        raise BadReturn(f"grads is a {type(grads).__name__}, expected a dict")
    out = {}
    if loss is not None:
        loss = as_array(loss, "the loss")
        if loss.size != 1:
            raise BadReturn(f"the loss has shape {loss.shape}, expected a number")
        out["loss"] = loss.reshape(())
    expected = [f"{p}{l}" for l in range(1, L + 1) for p in "Wb"]
    for k in expected:
        v = grads.get(k, grads.get("d" + k))
        if v is None:
            keys = sorted(map(str, grads))
            raise BadReturn(f"grads has keys {keys}; expected {', '.join(expected)}")
        out["d" + k] = as_array(v, f"grads[{k!r}]")
    pool = dict(grads)
    if isinstance(inter, dict):
        pool.update(inter)
    names = ([f"{p}{l}" for l in range(1, L + 1) for p in ("Z", "A", "dZ")]
             + [f"dA{l}" for l in range(1, L)])
    for k in names:
        if k in pool and pool[k] is not None:
            out[k] = as_array(pool[k], k)
    return out


# =========================================================================== reference
def network_reference(general: bool) -> Callable[[Case, Conventions], dict]:
    """The reference's outputs; in conventions other than the notes' (l2 "half",
    reduction "mean") recomputed from its public steps by `slipped_network`."""
    def ref(c, conv):
        if (conv.l2, conv.reduction) != ("half", "mean"):
            return slipped_network(c, conv)
        i = c.inputs
        if general:
            res = mlp.loss_and_grads(i["params"], i["X"], i["y"], hidden=i["hidden"],
                                     head=i["head"], reg=i["reg"])
        else:
            res = two_layer.loss_and_grads(i["params"], i["X"], i["y"], reg=i["reg"])
        out = {"loss": np.asarray(res.loss, dtype=np.float64)}
        out.update({"d" + k: v for k, v in res.grads.items()})
        out.update(res.intermediates)
        return out
    return ref


def _Y(c: Case, K: int) -> np.ndarray:
    y = np.asarray(c.inputs["y"])
    from .. import one_hot
    return one_hot(y, K) if y.ndim == 1 else y


def slipped_network(c: Case, conv: Conventions = Conventions(), *, at: str | None = None,
                    f: Callable | None = None, relu_geq: tuple = (), no_gprime: tuple = (),
                    gprime_of_z: tuple = (), head_no_sigma: bool = False,
                    head_gprime_z: bool = False, wrong_layer: tuple = (),
                    reg_w: dict | None = None, loss_reg: float = 1.0, bias_reg: tuple = (),
                    loss_bias: float = 0.0, unstable: str | None = None,
                    wrong_axis: Callable | None = None, loss_from_logits: bool = False,
                    top_dW: Callable | None = None, loss_data: str = "",
                    top: str = "") -> dict:
    """The network's forward and backward pass from the reference's public steps, in the
    conventions ``conv``, with one slip: ``f`` applied to the value of step ``at`` (sign,
    scale; it flows downstream), ``relu'(0) = 1`` on layers ``relu_geq`` (erratum E6's
    form), no ``g'`` on ``no_gprime``, ``g'`` written for the activation applied to ``Z`` on
    ``gprime_of_z``, the sigmoid + MSE head without ``σ'`` (``head_no_sigma``) or with
    ``Z(1 − Z)`` (``head_gprime_z``), ``dA_{l−1} = δ_l W_{l−1}`` (erratum E7's form) on
    ``wrong_layer``, the L2 gradient times ``reg_w[l]``, the L2 loss term times ``loss_reg``,
    ``reg·b`` on ``bias_reg`` (``loss_bias``: ½·reg·Σ‖b‖² in the loss), an unshifted
    softmax (``unstable="softmax"``), a softmax over the wrong axis (``wrong_axis``; the
    loss from those probabilities, or from the logits with ``loss_from_logits``),
    ``top_dW``: an erratum's form for the top layer's ``dW``, and ``loss_data``/``top``:
    a factor (``"N"``, ``"1/N"``) on the data loss / the output delta."""
    i = c.inputs
    p, X, reg, hidden, head = i["params"], i["X"], i["reg"], i["hidden"], i["head"]
    L = layers(c)
    N = X.shape[0]
    reg_w = reg_w or {}
    rf, gf = conv.batch_factor(N), conv.l2_factor
    Ws = [p[f"W{l}"] for l in range(1, L + 1)]
    bs = [p[f"b{l}"] for l in range(1, L + 1)]
    out: dict = {}

    def put(name, v):
        v = np.asarray(v, dtype=np.float64)
        if name == at and f is not None:
            v = f(v, c)
        out[name] = v
        return v

    A = X
    Zs, As = [], []
    for l in range(1, L + 1):
        Z, _ = dense_forward(A, Ws[l - 1], bs[l - 1])
        if l < L:
            A = ACT[hidden](Z)
        elif head == "softmax_ce":
            if wrong_axis is not None:
                A = wrong_axis(Z)
            else:
                A = _unshifted(Z) if unstable == "softmax" else softmax(Z)
        else:
            A = sigmoid(Z) if head.startswith("sigmoid") else Z
        Zs.append(put(f"Z{l}", Z))
        As.append(put(f"A{l}", A))
    Z, A = Zs[-1], As[-1]
    if head == "softmax_ce":
        Y = _Y(c, Z.shape[1])
        if (unstable or wrong_axis is not None) and not loss_from_logits:
            with np.errstate(all="ignore"):
                data = -np.sum(Y * np.log(A)) / N
        else:
            data = cross_entropy_with_logits(Z, Y)
        with np.errstate(all="ignore"):
            dZ = (A - Y) / N if (unstable or wrong_axis is not None) else delta_ce_softmax(Z, Y)
    else:
        Y = np.asarray(i["y"])
        if head == "sigmoid_bce":
            data, dZ = binary_cross_entropy_with_logits(Z, Y), delta_bce_sigmoid(Z, Y)
        elif head == "sigmoid_mse":
            data = mse(A, Y)
            if head_no_sigma:
                dZ = mse_grad(A, Y)
            elif head_gprime_z:
                dZ = mse_grad(A, Y) * GPRIME_OF_A["sigmoid"](Z)
            else:
                dZ = delta_mse_sigmoid(Z, Y)
        else:
            data, dZ = mse(Z, Y), delta_mse_identity(Z, Y)
    data_f = factor(loss_data, c) if loss_data else 1.0
    loss = (rf * data_f * data
            + loss_reg * gf * 0.5 * reg * sum(float(np.sum(W * W)) for W in Ws)
            + loss_bias * 0.5 * reg * sum(float(np.sum(b * b)) for b in bs))
    put("loss", loss)
    dZ = put(f"dZ{L}", dZ * rf * (factor(top, c) if top else 1.0))
    for l in range(L, 0, -1):
        A_prev = As[l - 2] if l > 1 else X
        W = Ws[l - 1]
        dA_prev, dW, db = dense_backward(dZ, (A_prev, W), check_finite=False)
        if l == L and top_dW is not None and head in ("softmax_ce", "sigmoid_bce"):
            dW = top_dW(A1=A_prev, A2=A, Y=Y, W2=W, reg=reg)
        else:
            dW = dW + reg_w.get(l, 1.0) * gf * l2_grad(W, reg)
        put(f"dW{l}", dW)
        put(f"db{l}", db + (l2_grad(bs[l - 1], reg) if l in bias_reg else 0.0))
        if l > 1:
            if l in wrong_layer:
                dA_prev = _errata.get("E7").literal_form(dZ2=dZ, W1=Ws[l - 2], W2=W)
            dA_prev = put(f"dA{l - 1}", dA_prev)
            Zp = Zs[l - 2]
            if l - 1 in relu_geq and hidden == "relu":
                dZ = _errata.get("E6").literal_form(z=Zp, g=dA_prev)
            elif l - 1 in no_gprime:
                dZ = dA_prev
            elif l - 1 in gprime_of_z:
                dZ = dA_prev * GPRIME_OF_A[hidden](Zp)
            else:
                dZ = dA_prev * ACT_PRIME[hidden](Zp)
            dZ = put(f"dZ{l - 1}", dZ)
    return out


def _unshifted(z: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)


# =========================================================================== loss guards
#: the guards students put into −log p: ε added, or p clipped to [ε, 1] or [ε, 1 − ε]
GUARD_EPS = tuple(10.0 ** -k for k in range(4, 17))


def loss_guards(c: Case, conv: Conventions) -> list[tuple[str, float, float]]:
    """The loss of a softmax + CE case with each guarded ``log``: ``(form, ε, loss)``, in
    the declared conventions; empty for the other heads."""
    if c.inputs["head"] != "softmax_ce":
        return []
    ref = slipped_network(c, conv)
    Z = ref[f"Z{layers(c)}"]
    P, Y = softmax(Z), _Y(c, Z.shape[1])
    exact = cross_entropy_with_logits(Z, Y)
    rf = conv.batch_factor(c.N)
    out = []
    with np.errstate(all="ignore"):
        for eps in GUARD_EPS:
            for text, Pg in ((f"log(p + {eps:g})", P + eps),
                             (f"log(np.clip(p, {eps:g}, 1))", np.clip(P, eps, 1.0)),
                             (f"log(np.clip(p, {eps:g}, 1 − {eps:g}))",
                              np.clip(P, eps, 1.0 - eps))):
                data = -np.sum(Y * np.log(Pg)) / c.N
                out.append((text, eps, float(ref["loss"] + rf * (data - exact))))
    return out


# =========================================================================== models
def _penalty_text(mult: float) -> str:
    return {0.5: "½·reg·ΣW²", 1.0: "reg·ΣW²", 0.25: "¼·reg·ΣW²", 2.0: "2·reg·ΣW²",
            0.0: "missing"}.get(mult, f"{mult:g}·reg·ΣW²")


def network_models(cases: list, conv: Conventions) -> list[Model]:
    """Every slip the networks' rules can name, in the declared conventions."""
    c0 = cases[0]
    L = layers(c0)
    hidden_layers = list(range(1, L))
    order = network_order(c0)
    steps = [s for s in order if s.startswith("d")] + ["loss"]

    def S(**kw):
        return lambda c: slipped_network(c, conv, **kw)

    ms = scale_models(steps, S, conv, top=f"dZ{L}")
    # the reduction: a summed data loss alone, or loss and gradients summed consistently
    other_red = "sum" if conv.reduction == "mean" else "mean"
    fac = "N" if conv.reduction == "mean" else "1/N"
    ms.append(Model("scale", "loss", (
        f"the loss is {fac} × the reference's data term: "
        + ("summed over the batch (the L2 penalty added once), while the gradients are "
           "averaged; divide it by N, or sum the gradients as well and "
           if conv.reduction == "mean" else
           "averaged over the batch, while the gradients are summed; multiply it by N, or "
           "average the gradients as well and ") + declare_hint("reduction", other_red)),
        S(loss_data=fac)))
    ms.append(Model("scale", "loss", (
        f"the loss and every gradient are {fac} × the reference's ("
        + ("summed over the batch, not averaged: no 1/N in the output delta"
           if conv.reduction == "mean" else "averaged over the batch, not summed")
        + f"): exactly the convention reduction={other_red!r}; "
        + declare_hint("reduction", other_red)), S(loss_data=fac, top=fac)))

    layer_sets = [tuple(hidden_layers)] + ([(l,) for l in hidden_layers]
                                           if len(hidden_layers) > 1 else [])
    for ls in layer_sets:
        where = ", ".join(f"dZ{l}" for l in ls)
        first = f"dZ{max(ls)}"
        ms.append(Model("relu_at_zero", first, f"wrong only where Z is exactly 0 ({where}): "
                        "relu'(0) is taken as 1; it is 0 (torch and JAX): use Z > 0",
                        S(relu_geq=ls), "E6"))
        ms.append(Model("missing_activation_derivative", first,
                        f"{where} = dA without ⊙ g'(Z): the hidden activation's derivative "
                        "(the ReLU mask for relu) is dropped", S(no_gprime=ls)))
        if any(c.inputs["hidden"] != "relu" for c in cases):
            ms.append(Model("missing_activation_derivative", first,
                            f"{where} = dA ⊙ g'(Z) with g' written for the activation a "
                            "(σ: a(1 − a), tanh: 1 − a²) applied to the pre-activation Z "
                            "itself; use σ(Z)(1 − σ(Z)) or 1 − tanh(Z)²", S(gprime_of_z=ls)))
    ms.append(Model("missing_activation_derivative", f"dZ{L}",
                    f"dZ{L} = (A − Y)/N: σ'(Z) is dropped from the sigmoid + MSE delta; it "
                    "cancels only with cross-entropy", S(head_no_sigma=True)))
    ms.append(Model("missing_activation_derivative", f"dZ{L}",
                    f"dZ{L} = (A − Y)/N ⊙ Z(1 − Z): σ' written for the activation, "
                    "a(1 − a), applied to the pre-activation Z; use σ(Z)(1 − σ(Z))",
                    S(head_gprime_z=True)))
    for l in range(2, L + 1):
        ms.append(Model("wrong_layer", f"dA{l - 1}",
                        f"dA{l - 1} = dZ{l} · W{l - 1}: the layer below's weights; it is "
                        f"dZ{l} · W{l}ᵀ", S(wrong_layer=(l,)), "E7"))
    ms += _reg_models(L, conv, S)
    if any(c.inputs["head"] == "softmax_ce" for c in cases):
        ms.append(Model("unstable", f"A{L}", UNSTABLE_SOFTMAX, S(unstable="softmax")))
        for how, fa in WRONG_AXIS_SOFTMAX:
            for from_logits in (False, True):
                ms.append(Model("wrong_axis", f"A{L}", WRONG_AXIS_TEXT.format(
                    how=f" ({how}" + ("; the loss from the logits)" if from_logits else ")")),
                    S(wrong_axis=fa, loss_from_logits=from_logits)))
        if (conv.l2, conv.reduction) == ("half", "mean"):
            for eid in ("E5", "E9"):
                lit = _errata.get(eid).literal_form
                ms.append(Model("erratum", f"dW{L}", erratum_text(eid), S(top_dW=(
                    (lambda A1, A2, Y, W2, reg, lit=lit: lit(A1=A1, A2=A2, Y=Y))
                    if eid == "E5" else lit)), eid))
    return ms


def _reg_models(L: int, conv: Conventions, S: Callable) -> list[Model]:
    """The L2 slips: the term missing, doubled or halved, on every layer or one; in the
    loss as well or not; and reg·b on the biases."""
    ms = []
    all_l = tuple(range(1, L + 1))
    gf = conv.l2_factor
    for fac, kind in ((0.0, "missing_reg"), (2.0, "reg_scale"), (0.5, "reg_scale")):
        for ls in [all_l] + ([(l,) for l in all_l] if L > 1 else []):
            names = ", ".join(f"dW{l}" for l in sorted(ls, reverse=True))
            for lf in ((1.0, fac) if ls == all_l else (1.0,)):
                if fac == 0.0:
                    text = f"{names}: the L2 term {reg_grad_text(gf)} is missing" + (
                        " (the loss leaves it out too)" if lf == 0.0 else "")
                else:
                    text = f"{names}: " + reg_scale_text(fac, conv)
                    if lf != 1.0:
                        other = {2.0: "sum", 1.0: "half"}.get(fac * gf)
                        text += (f", and the loss uses {_penalty_text(lf * gf * 0.5)}"
                                 + (f": exactly the convention l2={other!r}; "
                                    + declare_hint("l2", other) if other else ""))
                ms.append(Model(kind, f"dW{max(ls)}", text,
                                S(reg_w={l: fac for l in ls}, loss_reg=lf)))
        ms.append(Model(kind, "loss", f"the loss's L2 term is {_penalty_text(fac * gf * 0.5)}"
                        f"; the declared penalty is {PENALTY[conv.l2]} (l2={conv.l2!r}), "
                        f"whose gradient {reg_grad_text(gf)} the gradients use",
                        S(loss_reg=fac)))
    for ls in [all_l] + [(l,) for l in all_l]:
        names = ", ".join(f"db{l}" for l in sorted(ls, reverse=True))
        for lb in ((0.0, 1.0) if ls == all_l else (0.0,)):
            ms.append(Model("regularised_bias", f"db{max(ls)}",
                            f"{names}: reg·b is added, but biases are not regularised"
                            + (" (the loss adds ½·reg·Σb² too)" if lb else ""),
                            S(bias_reg=ls, loss_bias=lb)))
    return ms


# =========================================================================== targets
_SIG = "fn(params, X, y, reg=…) -> (loss, grads) | Result | dict"
_SIG_MLP = "fn(params, X, y, hidden=…, head=…, reg=…) -> (loss, grads) | Result | dict"


def _network_target(ids: tuple, name: str, general: bool) -> Target:
    return Target(ids, name, _SIG_MLP if general else _SIG,
                  mlp_cases if general else two_layer_cases,
                  (("", network_call(general)),), network_parse, network_reference(general),
                  network_roles, network_order, network_models,
                  ("layout", "l2", "reduction"), loss=True, fd_valid=fd_valid)


TWO_LAYER = _network_target(("D17",), "two_layer.loss_and_grads", False)
TWO_LAYER_LOOP = _network_target(("D19",), "two_layer.loss_and_grads_loop", False)
MLP = _network_target(("D18",), "mlp.loss_and_grads", True)
MLP_LOOP = _network_target((), "mlp.loss_and_grads_loop", True)
NETWORK_TARGETS = [TWO_LAYER, TWO_LAYER_LOOP, MLP, MLP_LOOP]
