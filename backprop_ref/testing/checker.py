r"""`check`: run a function on the reference's cases for a derivation and report what
disagrees; `assert_matches_reference` for a pytest suite.

The steps, in order:

1. call the function on every case (refusals are per form or option, never slips; D14
   tries a second cache layout when the first is refused everywhere);
2. compare every returned output with the reference recomputed in the declared
   conventions, at float64's bound or, for float32/float16 outputs, at float32's (a
   ``precision`` warning says so);
3. a loss value that is off only at extreme logits, or exactly by a guard such as
   ``log(p + 1e-12)``, is a warning of kind ``unstable`` (unless one slip explains it with
   everything else); it never fails ``ok``;
4. the wrong outputs are explained by the rules (`backprop_ref.testing.rules`);
5. when the function returns a loss, its gradients are compared with float64 central
   differences of that loss (``self_consistent``).
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import numpy as np

from . import numdiff
from .adapters import adapt, describe, hint
from .cases import BadReturn, Call, Case, Conventions, Refused, to_user
from .networks import loss_guards
from .report import BOUND, BOUND_FLOAT32, CheckReport, Diagnosis, Row, compare, fmt, matches
from .rules import Evidence, best_model, diagnose, shape_diagnosis
from .catalog import Target, target

__all__ = ["check", "assert_matches_reference", "validate_options"]

_LOG_SOFTMAX = ("compute the loss from the logits: log-softmax = Z − max − log Σ exp(Z − max),"
                " as bp.cross_entropy_with_logits does")


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def validate_options(against: str, *, layout: str = "rows", l2: str = "half",
                     reduction: str = "mean", seed: int = 0) -> None:
    """Check `check`'s arguments other than ``fn``, without running anything: what `check`
    raises for them, raised here (a command line validates its options before it loads
    any code).

    Raises:
        ValueError: an unknown ``against`` (the message lists the valid ones), an unknown
            convention or one the target has no use for (``l2`` on D11), a bad ``seed``.
    """
    _arguments(against, layout, l2, reduction, seed)


def _arguments(against: Any, layout: str, l2: str, reduction: str,
               seed: int) -> tuple[Target, Conventions]:
    t = target(against)
    conv = _conventions(t, against, layout, l2, reduction)
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    return t, conv


def _conventions(t: Target, against: Any, layout: str, l2: str, reduction: str) -> Conventions:
    from .catalog import _all
    if layout not in ("rows", "columns"):
        raise ValueError(f"layout must be 'rows' or 'columns', got {layout!r}")
    if l2 not in ("half", "sum"):
        raise ValueError(f"l2 must be 'half' (½·reg·ΣW², gradient reg·W) or 'sum' (reg·ΣW², "
                         f"gradient 2·reg·W), got {l2!r}")
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum' (over the batch), got "
                         f"{reduction!r}")
    for name, value, default in (("l2", l2, "half"), ("reduction", reduction, "mean")):
        if value != default and name not in t.conventions:
            users = ", ".join(sorted({i for x in _all() if name in x.conventions
                                      for i in x.ids}, key=lambda i: int(i[1:])))
            what = "no L2 term" if name == "l2" else "no mean over a batch"
            raise ValueError(f"{name}={value!r} has no use for {against} ({t.name}): it has "
                             f"{what}; {name} applies to {users}")
    return Conventions(layout, l2, reduction)


# =========================================================================== running fn
class _Outcome:
    """The function's answers on every case, for one way of calling it."""

    def __init__(self) -> None:
        self.results: dict = {}                 # k -> {output: array}, user layout
        self.failures: dict = {}                # k -> (how, text, call text)
        self.bad: str | None = None             # a BadReturn, one line
        self.exited: str | None = None          # fn called sys.exit: the check stops


def _bind_error(fn: Callable, call: Call) -> str | None:
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return None
    try:
        sig.bind(*call.args, **call.kwargs)
    except TypeError as exc:
        return f"{getattr(fn, '__name__', 'fn')}{sig} cannot take it ({exc})"
    return None


def _run_one(fn: Callable, t: Target, call_of: Callable, c: Case, layout: str) -> Any:
    """``fn`` on one case: its parsed outputs, or raises Refused / the user's exception /
    BadReturn."""
    c = copy.deepcopy(c)                       # fn may write into its inputs
    call = call_of(fn, c, layout)
    with np.errstate(all="ignore"):
        raw = fn(*call.args, **call.kwargs)
    return t.parse(raw, c)


def _run(fn: Callable, t: Target, call_of: Callable, cases: list, layout: str) -> _Outcome:
    out = _Outcome()
    for k, c in enumerate(cases):
        try:
            call = call_of(fn, copy.deepcopy(c), layout)
        except Refused as exc:
            out.failures[k] = ("refused", str(exc), "")
            continue
        bind = _bind_error(fn, call)
        if bind:
            out.failures[k] = ("signature", bind, call.text)
            continue
        try:
            out.results[k] = _run_one(fn, t, call_of, c, layout)
        except Refused as exc:
            out.failures[k] = ("refused", str(exc), call.text)
        except BadReturn as exc:
            out.bad = f"{exc} (case {c.label}); the checker calls {t.signature}"
            return out
        except SystemExit as exc:               # never a refusal: the check stops here
            out.exited = _exit_message(exc, f"called as {call.text} on case {c.label}")
            return out
        except Exception as exc:                # noqa: BLE001
            out.failures[k] = ("raised", _one_line(exc), call.text)
    return out


def _exit_message(exc: SystemExit, where: str) -> str:
    """A function that calls ``sys.exit`` stops the check, and is never a pass (run as a
    script, the exit would end the caller with its code, 0 included)."""
    return (f"the function exits (sys.exit), which is never a pass: {where}; it raised "
            f"{_one_line(exc)}")


def _settle(rep: CheckReport, fn: Callable, t: Target, cases: list, out: _Outcome) -> list:
    """Refusals and errors from one run; returns the accepted cases (empty: rep.error)."""
    if out.bad:
        rep.error = out.bad
        return []
    if out.exited:
        rep.error, rep.raised = out.exited, True
        return []
    groups: dict[str, list[int]] = {}
    for k, c in enumerate(cases):
        groups.setdefault(c.group, []).append(k)
    for g, ks in groups.items():
        raised = [k for k in ks if out.failures.get(k, ("",))[0] in ("raised", "signature")]
        if raised and any(k in out.results for k in ks):
            k = raised[0]
            how, text, call = out.failures[k]
            rep.error = f"raised on case {cases[k].label}, called as {call}: {text}"
            rep.raised = True
            return []
        if raised:
            rep.refused.append(f"{g}: {out.failures[raised[0]][1]}")
        refused = [k for k in ks if out.failures.get(k, ("",))[0] == "refused"]
        reasons = dict.fromkeys(out.failures[k][1] for k in refused)
        for reason in reasons:
            these = [k for k in refused if out.failures[k][1] == reason]
            if len(these) == len(ks):
                rep.refused.append(f"{g}: {reason}")
            else:
                rep.refused += [f"{cases[k].label}: {reason}" for k in these]
    accepted = sorted(out.results)
    if not accepted:
        kinds = {f[0] for f in out.failures.values()}
        first = next(iter(out.failures.values()))
        if kinds == {"signature"}:
            extra = hint(fn)
            rep.error = (f"wrong signature: the checker calls {first[2]}, and {first[1]}; "
                         f"expected {t.signature}" + (f"; {extra}" if extra else ""))
            rep.raised = True
        elif kinds == {"refused"}:
            reasons = "; ".join(dict.fromkeys(f[1] for f in out.failures.values()))
            rep.error = f"accepts no case at all: refused every case ({reasons})"
        else:
            how, text, call = next(f for f in out.failures.values() if f[0] != "refused")
            rep.error = (f"accepts no case at all: called as {call} it raised {text}"
                         if how == "raised" else
                         f"wrong signature: the checker calls {call}, and {text}; expected "
                         f"{t.signature}")
            rep.raised = True
    return accepted


# =========================================================================== check
def check(fn: Callable, against: str, *, layout: str = "rows", l2: str = "half",
          reduction: str = "mean", seed: int = 0) -> CheckReport:
    r"""Run ``fn`` on the reference's cases for ``against`` and report what disagrees.

    An output agrees when ``max|ours − theirs| ≤ 1e-12 · max(1, max|theirs|)`` (1e-5 for
    float32/float16 outputs).  A disagreement is named by recomputing the reference with
    each candidate slip (see `backprop_ref.testing.rules`).

    Inputs:
        fn: your implementation, in the call the checker makes for ``against`` (the
            report's ``call``; for the networks ``fn(params, X, y, reg=…)`` returning a
            `Result`, a ``(loss, grads)`` tuple or a dict of gradients, intermediates
            ``dZ2``, ``dA1``, … compared when returned).  A CS231n-style or Nielsen-style
            class or object goes through `from_cs231n` / `from_nielsen`.
        against: a derivation id (``"D11"``, ``"D17"``, …) or a public name
            (``"delta_ce_softmax"``, ``"two_layer.loss_and_grads"``, ``"mse"``, …).
        layout: ``"rows"`` (``W`` (fan_in, fan_out), examples as rows) or ``"columns"``
            (Nielsen: ``W`` (fan_out, fan_in), ``b`` (fan_out, 1), examples as columns);
            `from_nielsen`'s functions are in columns whatever is given.
        l2: ``"half"`` (penalty ½·reg·ΣW², gradient reg·W: the notes) or ``"sum"``
            (reg·ΣW², gradient 2·reg·W: CS231n since 2017).
        reduction: ``"mean"`` (the data loss averaged over the batch: the notes) or
            ``"sum"`` (summed; the L2 penalty added once).
        seed: seed of the random parts of the cases.
    Returns:
        `CheckReport`: ``ok``, ``rows``, ``diagnoses``, ``warnings``, ``self_consistent``,
        ``tried``, ``refused``, ``error``, ``call``.
    Raises:
        ValueError: an unknown ``against`` (the message lists the valid ones), an unknown
            convention, or one the target has no use for (``l2`` on D11).
        TypeError: ``fn`` is neither callable nor a class or object an adapter takes (the
            message names the call the checker makes); an adapter's object lacks an
            attribute.
        KeyboardInterrupt: passed on (Ctrl-C stops the check).  An exception ``fn`` raises
            is in the report (a refusal of that form, or ``error``); a ``sys.exit`` in
            ``fn`` stops the check with ``error`` and ``raised``, never a pass.
    """
    t, conv = _arguments(against, layout, l2, reduction, seed)
    fn = adapt(fn)
    if not callable(fn):
        kind, extra = type(fn), hint(fn)
        what = (f"a {kind.__name__}" if kind.__module__ in ("builtins", "numpy")
                else f"an object of class {kind.__name__}")
        raise TypeError(f"fn is {what}, not a function: the checker calls {t.signature}"
                        + (f"; {extra}" if extra else ""))
    if inspect.isclass(fn):
        raise TypeError(f"fn is the class {fn.__name__}: the checker calls {t.signature}; "
                        + hint(fn))
    if getattr(fn, "backprop_layout", None):
        conv = conv._replace(layout=fn.backprop_layout)
    rep = CheckReport(describe(fn), str(against), t.name, conv.layout, l2=conv.l2,
                      reduction=conv.reduction, conventions=list(t.conventions),
                      call=t.signature)
    cases = t.cases(np.random.default_rng(seed))

    # 1. run fn on every case, in the first call (of D14's two) it accepts at all
    chosen = None
    for label, call_of in t.calls:
        trial = CheckReport(rep.function, rep.against, rep.reference)
        out = _run(fn, t, call_of, cases, conv.layout)
        accepted = _settle(trial, fn, t, cases, out)
        if accepted or not (trial.error or "").startswith(("accepts no case", "wrong signature")):
            chosen = label, call_of
            break
    if chosen is None:                          # report the first call's failure
        label, call_of = t.calls[0]
        trial = CheckReport(rep.function, rep.against, rep.reference)
        out = _run(fn, t, call_of, cases, conv.layout)
        accepted = _settle(trial, fn, t, cases, out)
    elif label != t.calls[0][0]:
        rep.call = f"{t.signature}; here with {label}"
    rep.error, rep.raised, rep.refused = trial.error, trial.raised, trial.refused
    if rep.error:
        return rep
    rep.tried = [cases[k].label for k in accepted]
    results = out.results

    # 2. compare every returned output, in the user's layout
    refs = {k: t.reference(cases[k], conv) for k in accepted}
    order = t.order(cases[accepted[0]])
    returned = [o for o in order if all(o in results[k] for k in accepted)]
    low = sorted({o for k in accepted for o in returned
                  if results[k][o].dtype in (np.float32, np.float16)}, key=order.index)
    bound = BOUND_FLOAT32 if low else BOUND
    rep.bound = bound
    user = {k: {o: np.asarray(results[k][o], dtype=np.float64) for o in returned}
            for k in accepted}
    ev = Evidence(cases, accepted, user, refs, returned, order, t.roles, conv.layout, bound,
                  conv)
    shape_bad = _rows(ev)
    if low:
        dtypes = sorted({str(results[k][o].dtype) for k in accepted for o in low})
        rep.warnings.append(Diagnosis(low[0], "precision", (
            f"{', '.join(low)} {'is' if len(low) == 1 else 'are'} {'/'.join(dtypes)}: every "
            f"output is compared at float32's bound, max|ours − theirs| ≤ {BOUND_FLOAT32:g}·"
            f"max(1, max|theirs|), not float64's {BOUND:g}; the checker's inputs are float64, "
            "so compute in float64 for the full check")))

    # 3.-4. warnings on a loss value, then the slips
    models = t.models([cases[k] for k in accepted], conv)
    for o, (k, want, got) in shape_bad.items():
        rep.diagnoses.append(shape_diagnosis(o, want, got, conv.layout, t.shape_forms(o), ev,
                                             t.roles(o)))
    failing = [o for o in returned if not ev.rows[o].ok and o not in shape_bad]
    if failing and best_model(ev, models) is None:
        warned = _loss_warning(ev)
        if warned:
            rep.warnings.append(warned)
            if ev.rows["loss"].ok:
                failing.remove("loss")
    if failing:
        rep.diagnoses += diagnose(ev, models, failing)
    rep.rows = [ev.rows[o] for o in returned]
    nonfinite = [d.output for d in rep.diagnoses if d.kind == "other" and "nan/inf" in d.message]
    if nonfinite:
        rep.error = (f"returned nan/inf where the reference is finite, in {', '.join(nonfinite)}"
                     f" ({ev.rows[nonfinite[0]].note})")
    rep.ok = not rep.diagnoses and all(r.ok for r in rep.rows) and not rep.error

    # 5. the gradients against central differences of fn's own loss
    if t.loss:
        rep.self_consistent, rep.self_consistency = _self_consistency(
            fn, t, call_of, ev, conv, seed, bool(low), rep)
    return rep


def _rows(ev: Evidence) -> dict:
    """One row per returned output (into ``ev.rows``); returns the outputs of the wrong
    shape, ``{output: (case, want, got)}``."""
    shape_bad = {}
    for o in ev.returned:
        err = rel = 0.0
        note = ""
        for k in ev.accepted:
            got, want = ev.user[k][o], ev.expected(k, o)
            if got.shape != want.shape:
                shape_bad[o] = (k, want, got)
                note = f"shape {got.shape}, expected {want.shape}"
                err = rel = math.nan
                break
            e, r = compare(got, want)
            err, rel = max(err, e), max(rel, r)
            if math.isinf(e) and not note:
                bad = "nan" if np.isnan(got).any() else "inf"
                note = f"{bad} on case {ev.cases[k].label}"
        ev.rows[o] = Row(o, err, rel, o not in shape_bad and rel <= ev.bound, note)
    return shape_bad


def _loss_warning(ev: Evidence) -> Diagnosis | None:
    """``unstable``: the loss value is off at extreme logits (the log of a probability that
    underflowed), or exactly by a guard such as ``log(p + ε)``.  Those (loss, case) pairs
    leave the comparisons (a guard's shift is taken out of the user's loss), and the loss
    row is ok when nothing else is wrong with it."""
    row = ev.rows.get("loss")
    if row is None or row.ok or math.isnan(row.rel_error):
        return None
    bad = [k for k in ev.accepted
           if not matches(ev.user[k]["loss"], ev.expected(k, "loss"), ev.bound)]
    figures = f"by up to {fmt(row.max_abs_error)} (relative {fmt(row.rel_error)})"
    message = None
    if all(ev.cases[k].inputs.get("head") == "softmax_ce" for k in ev.accepted):
        guards = {k: loss_guards(ev.cases[k], ev.conv) for k in ev.accepted}
        fits = [j for j in range(len(guards[ev.accepted[0]]))
                if all(matches(ev.user[k]["loss"], ev.expected(k, "loss", guards[k][j][2]),
                               ev.bound) for k in ev.accepted)]
        if fits:
            j = fits[0]
            eps = guards[ev.accepted[0]][j][1]
            text = " or ".join(guards[ev.accepted[0]][i][0] for i in fits
                               if guards[ev.accepted[0]][i][1] == eps)
            for k in ev.accepted:               # the loss without its guard
                shift = guards[k][j][2] - float(ev.refs[k]["loss"])
                ev.user[k]["loss"] = ev.user[k]["loss"] - shift
            message = (f"the loss is computed with {text}: it differs from the "
                       f"reference's {figures}, because the guard caps −log p at "
                       f"{-math.log(eps):.1f} where p underflows to 0 (extreme logits) "
                       f"and shifts it by about ε/p elsewhere; {_LOG_SOFTMAX}")
    large = [k for k in bad if "large" in ev.cases[k].tags]
    if message is None and large:
        ev.skip |= {("loss", k) for k in large}
        k = large[0]
        got, want = float(ev.user[k]["loss"]), float(ev.expected(k, "loss"))
        if not math.isfinite(got):
            message = (f"the loss is {got} on case {ev.cases[k].label}, where the reference's "
                       f"is {want:.4g}: the log of a probability that underflowed to 0, as "
                       f"−np.log(probs[range(N), y]) gives at extreme logits; {_LOG_SOFTMAX}")
        else:
            message = (f"the loss is off at extreme logits (case {ev.cases[k].label}, "
                       f"{figures}): a guard such as log(p + ε) or np.clip(p, ε, 1) caps −log p "
                       f"where p underflows to 0; {_LOG_SOFTMAX}")
    if message is None:
        return None
    rest = [k for k in ev.accepted if ("loss", k) not in ev.skip
            and not matches(ev.user[k]["loss"], ev.expected(k, "loss"), ev.bound)]
    if not rest:
        grads_ok = all(r.ok for o, r in ev.rows.items() if o != "loss")
        message += ("; the loss is right on every other case" if ev.skip else "") + (
            (" and" if ev.skip else ";") + " every gradient matches" if grads_ok else "")
    ev.rows["loss"] = ev.rows["loss"]._replace(ok=not rest, warning="unstable")
    return Diagnosis("loss", "unstable", message)


# =========================================================================== self-consistency
def _self_consistency(fn: Callable, t: Target, call_of: Callable, ev: Evidence,
                      conv: Conventions, seed: int, low: bool,
                      rep: CheckReport) -> tuple[bool | None, str]:
    """Whether fn's gradients are the derivative of fn's own loss: the directional
    derivative of the loss along one random direction of all the parameters, on every case
    away from kinks and extreme logits; where it disagrees, one direction per parameter
    finds the gradient that is wrong."""
    if rep.error:
        return None, ""
    if "loss" not in ev.returned:
        return None, "not checked: the function returns no loss"
    ks = [k for k in ev.accepted if t.fd_valid(ev.cases[k])
          and np.isfinite(ev.user[k]["loss"])]
    if not ks:
        return None, ("not checked: no case with a finite loss away from ReLU kinks and "
                      "extreme logits")
    rng = np.random.default_rng([seed, 2024])
    tol = numdiff.TOL_FLOAT32 if low else numdiff.TOL
    worst, wrong = None, []
    try:
        for k in ks:
            c = ev.cases[k]
            grads = _user_grads(t, ev, k, conv.layout)
            joint = _directional_error(fn, t, call_of, c, conv, grads, rng, low, list(grads))
            if joint is None or joint[0] <= tol:
                continue
            for name in grads:                  # which gradients are not the derivative
                one = _directional_error(fn, t, call_of, c, conv, grads, rng, low, [name])
                if one is not None and one[0] > tol:
                    wrong.append("d" + name)
                    if worst is None or one[0] > worst[0]:
                        worst = (*one, "d" + name, c.label)
            if worst is None:
                worst = (*joint, "the gradients", c.label)
            break
    except SystemExit as exc:                   # an exit is never a pass, here neither
        rep.error = _exit_message(exc, "differencing your loss near a case")
        rep.raised, rep.ok = True, False
        return None, "not checked: the function exits"
    except Exception as exc:                    # noqa: BLE001
        return None, f"not checked: the function raised {_one_line(exc)} near a case"
    how = (f"central differences of your loss along random directions, on {len(ks)} "
           f"case{'s' if len(ks) > 1 else ''}")
    loss_ok = ev.rows["loss"].ok
    if worst is None:
        if rep.ok:
            return True, f"yes: your gradients are the derivative of your own loss ({how})"
        if not loss_ok:
            return True, ("yes: your gradients are the derivative of your own loss, but your "
                          "loss is not the reference's: the difference is in the loss (or a "
                          f"convention), not in the calculus ({how})")
        return True, ("yes: your gradients are the derivative of your own loss away from "
                      "ReLU kinks and extreme logits; what differs is at those points "
                      f"({how})")
    _, an, fd, scale, o, label = worst
    names = ", ".join(wrong) if wrong else o
    what = (f"{names} {'is' if len(wrong) == 1 else 'are'} not the derivative of your own "
            f"loss (along a random direction on case {label}, {o} gives {_figure(an, scale)}, "
            f"central differences of your loss {_figure(fd, scale)})")
    if loss_ok:
        return False, f"no: your loss is the reference's, but {what}: the calculus is wrong"
    return False, (f"no: {what}: the calculus is wrong (and the loss differs from the "
                   "reference's too)")


def _figure(x: float, scale: float) -> str:
    """A directional derivative as the report prints it: round-off shows as 0."""
    return "0" if abs(x) <= 1e-9 * scale else f"{x:.3g}"


def _user_grads(t: Target, ev: Evidence, k: int, layout: str) -> dict:
    """The user's parameter gradients of case k, in the user's layout and the parameters'
    shapes (a transposed or reshaped one put right: its shape is reported elsewhere)."""
    params = ev.cases[k].inputs["params"]
    out = {}
    for name in params:
        o = "d" + name
        if o not in ev.user[k]:
            continue
        g = ev.user[k][o]
        shape = np.shape(to_user(t.roles(o), params[name], layout))
        if g.shape != shape:
            if g.shape == shape[::-1]:
                g = g.T
            elif g.size == int(np.prod(shape)):
                g = g.reshape(shape)
            else:
                continue
        out[name] = g
    return out


def _directional_error(fn: Callable, t: Target, call_of: Callable, c: Case,
                       conv: Conventions, grads: dict, rng: np.random.Generator, low: bool,
                       names: list) -> tuple | None:
    """(error / scale, g·v, central difference, scale) along a random unit direction of
    the parameters ``names``; None when every step crosses a ReLU kink."""
    params = c.inputs["params"]
    v = {n: rng.standard_normal(params[n].shape) for n in names}
    norm = math.sqrt(sum(float(np.sum(x * x)) for x in v.values()))
    v = {n: x / norm for n, x in v.items()}
    h = _kink_free_step(c, v, max(numdiff.step(params[n], low) for n in names))
    if h is None:
        return None

    def loss_at(s: float) -> float:
        moved = replace(c, inputs={**c.inputs, "params": {
            **params, **{n: params[n] + s * v[n] for n in names}}})
        return float(np.asarray(_run_one(fn, t, call_of, moved, conv.layout)["loss"],
                                dtype=np.float64))

    fd = numdiff.stencil(loss_at, h)
    an = sum(float(np.sum(grads[n] * to_user(t.roles("d" + n), v[n], conv.layout)))
             for n in names)
    scale = max(1.0, abs(fd), math.sqrt(sum(float(np.sum(grads[n] ** 2)) for n in names)))
    return abs(fd - an) / scale, an, fd, scale


def _kink_free_step(c: Case, v: dict, h: float) -> float | None:
    """A step at which no ReLU pre-activation changes sign within ±2h along v (up to two
    smaller steps tried), or None."""
    if c.inputs["hidden"] != "relu":
        return h
    p, X = c.inputs["params"], c.inputs["X"]
    base = _signs(p, X)
    for _ in range(3):
        if all(np.array_equal(_signs({**p, **{n: p[n] + s * x for n, x in v.items()}}, X),
                              base) for s in (2 * h, -2 * h)):
            return h
        h /= 10
    return None


def _signs(p: dict, X: np.ndarray) -> list:
    """The signs of the hidden ReLU pre-activations."""
    L = sum(1 for k in p if k[0] == "W")
    out, A = [], X
    for l in range(1, L):
        Z = A @ p[f"W{l}"] + p[f"b{l}"]
        out.append(np.sign(Z))
        A = np.maximum(Z, 0)
    return out


# =========================================================================== pytest
def assert_matches_reference(fn: Callable, against: str, **kw: Any) -> CheckReport:
    """`check`, raising ``AssertionError`` when anything disagrees.

    The message's first line is the verdict and every diagnosis (pytest's one-line summary
    shows the slip); the full report follows.  Returns the report when everything matches.
    For your own pytest suite: ``assert_matches_reference(my_net_loss, "D17")``.
    """
    rep = check(fn, against, **kw)
    if not rep.ok:
        raise AssertionError(f"{rep.function} against {rep.against}: {rep.verdict()}\n{rep}")
    return rep
