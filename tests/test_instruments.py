"""The instruments can fail too: each comparison states what it must reject.

Every other test asks "does the reference agree?"; these ask "would the instrument notice
if it did not?".  The bounds are written here as literal numbers, never read from the table
under test (``comparisons.agreement.TOLERANCES``), so a loosened table fails here even when
every test that reads it loosens with it.  Each instrument gets an output nudged by 10× its
bound (must fail), by 1/10 of it (must pass), and, where a constant could drift by a
little, a nudge just either side of the bound.

* the agreement bounds: float64 ``1e-12·S``, float32 ``1e-5·S``, the tiny-entry floor
  ``4ε·S``, central differences ``1e-7`` of the whole gradient (per entry and along random
  directions), and D13's disagreement ``1e-6·max|theirs|``;
* the SymPy prover: a false identity fails, and every catalog proof fails when the notes'
  claim in it is made wrong (a proof that compares a route with itself does not);
* the central-difference stencil: its error on functions with known derivatives has the
  fourth-order size and slope (a second-order stencil is 10⁵× worse at h = 1e-2);
* the memo of backend evaluations: two evaluations that differ in anything ``evaluate``
  reads (the cotangent above all) never share an entry.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from comparisons import agreement, finite_diff, symbolic
from comparisons.backends import Case, Twin, _memo_key, _memo_stats, clear_memo, get_backend
from comparisons.catalog import CATALOG, get
from comparisons.finite_diff import Directional

EPS64, EPS32 = 2.0**-52, 2.0**-23
#: a float64 "framework" output with S = max(1, max|theirs|) = 2
THEIRS = np.array([[2.0, -0.5, 0.25], [1.0, -1.5, 0.75]])


def _check(ours, theirs=THEIRS, *, dtype="float64", mode="twin", whole=None):
    return agreement._compare("k", np.asarray(ours), np.asarray(theirs), exact=False,
                              mode=mode, dtype_name=dtype, whole=whole)


def _nudged(theirs, amount, index=(0, 1)):
    out = np.array(theirs, dtype=np.float64)
    out[index] += amount
    return out


# --------------------------------------------------------------------- agreement bounds
@pytest.mark.parametrize(("factor", "ok"), [(10.0, False), (1.2, False), (0.8, True),
                                            (0.1, True)])
def test_float64_bound_is_1e_12_of_s(factor, ok):
    """S = 2: an entry off by 2e-11 (10×) or 2.4e-12 fails, by 1.6e-12 or 2e-13 passes."""
    c = _check(_nudged(THEIRS, factor * 1e-12 * 2.0))
    assert c.ok is ok and c.bound == pytest.approx(2e-12, rel=1e-15)


@pytest.mark.parametrize(("factor", "ok"), [(10.0, False), (1.2, False), (0.8, True),
                                            (0.1, True)])
def test_float32_bound_is_1e_5_of_s(factor, ok):
    """The float32 reference against the float64 twin: 1e-5·S, S = 2."""
    ours = _nudged(THEIRS, factor * 1e-5 * 2.0).astype(np.float32)
    c = _check(ours, dtype="float32")
    assert c.ok is ok and c.bound == pytest.approx(2e-5, rel=1e-15)


@pytest.mark.parametrize(("dtype", "eps"), [("float64", EPS64), ("float32", EPS32)])
@pytest.mark.parametrize(("factor", "ok"), [(10.0, False), (1.1, False), (0.9, True),
                                            (0.1, True)])
def test_tiny_entries_are_held_to_4_ulps_of_s(dtype, eps, factor, ok):
    """An entry below the absolute bound (1e-13 here, S = 2) may differ by
    ``1e-6·|theirs| + 4ε·S`` (8·ε here), not by the absolute bound's 2e-12 (float64)."""
    theirs = THEIRS.copy()
    theirs[1, 2] = 1e-13
    allowed = 1e-6 * 1e-13 + 4 * eps * 2.0
    ours = _nudged(theirs, factor * allowed, (1, 2))
    c = _check(ours.astype(dtype), theirs, dtype=dtype)
    assert c.ok is ok and c.tiny >= 1
    assert c.max_abs < c.bound         # the absolute bound alone would pass every case


def test_tiny_entries_have_a_relative_term():
    """Just under the absolute bound (|theirs| = 0.99e-12, S = 1) the relative term
    ``1e-6·|theirs|`` adds 0.11 % to the floor ``4ε``: an error 0.05 % above the floor
    passes, 0.05 % above floor + relative term fails."""
    t = 0.99e-12
    theirs = np.array([[1.0, t]])
    floor, allowed = 4 * EPS64, 4 * EPS64 + 1e-6 * t
    for err, ok in ((1.0005 * floor, True), (1.0005 * allowed, False)):
        assert _check(np.array([[1.0, t + err]]), theirs).ok is ok, err


@pytest.mark.parametrize(("factor", "ok"), [(10.0, False), (1.2, False), (0.8, True),
                                            (0.1, True)])
def test_central_difference_bound_is_1e_7_of_the_whole_gradient(factor, ok):
    """Per entry: |ours − theirs| ≤ 1e-7 · max(whole, max|ours|, max|theirs|); whole = 4."""
    c = _check(_nudged(THEIRS, factor * 1e-7 * 4.0), mode="fd", whole=4.0)
    assert c.ok is ok
    assert c.rel == pytest.approx(factor * 1e-7, rel=1e-6)


def test_central_difference_bound_scales_with_the_block_when_no_whole_is_given():
    for rel, ok in ((1e-6, False), (1e-8, True)):
        assert _check(_nudged(THEIRS, rel * 2.0), mode="fd").ok is ok


def _directional(grad, seed=0, k=3):
    rng = np.random.default_rng(seed)
    u = rng.standard_normal((k, *np.shape(grad)))
    u /= np.abs(u).reshape(k, -1).max(axis=1)[:, None, None]
    return Directional(u, u.reshape(k, -1) @ np.asarray(grad).reshape(-1))


@pytest.mark.parametrize(("factor", "ok"), [(10.0, False), (0.1, True)])
def test_directional_bound_is_1e_7_of_the_whole_gradient(factor, ok):
    """Along a direction: |g·u − ∇f·u| ≤ 1e-7 · whole; a nudge of every entry by
    ``factor·1e-7·whole·sign(u₀)/‖u₀‖₁`` moves the first directional derivative by exactly
    ``factor·1e-7·whole``."""
    truth = np.random.default_rng(1).standard_normal((20, 10))
    theirs = _directional(truth)
    whole = float(np.abs(truth).max())
    u0 = theirs.directions[0]
    ours = truth + factor * 1e-7 * whole * np.sign(u0) / np.abs(u0).sum()
    c = agreement._directional("k", ours, theirs, whole)
    assert c.ok is ok and c.directions == 3
    assert c.rel == pytest.approx(factor * 1e-7, rel=1e-3)


@pytest.mark.parametrize("wrong", ["sign flip", "transpose", "one entry", "zero", "scaled"])
def test_directional_differences_catch_every_kind_of_wrong_gradient(wrong):
    """Random directions see what a sign flip, a transpose, a single wrong entry (at 1e-5
    of the whole: 100× the bound), a zero or a 2× gradient does to ∇f·u."""
    truth = np.random.default_rng(2).standard_normal((12, 12))
    theirs = _directional(truth, seed=3)
    whole = float(np.abs(truth).max())
    ours = truth.copy()
    if wrong == "sign flip":
        ours[3, 4] = -ours[3, 4]
    elif wrong == "transpose":
        ours = ours.T
    elif wrong == "one entry":
        ours[7, 1] += 1e-5 * whole
    elif wrong == "zero":
        ours = np.zeros_like(truth)
    else:
        ours = 2 * truth
    assert agreement._directional("k", truth, theirs, whole).ok
    bad = agreement._directional("k", ours, theirs, whole if wrong != "zero" else 0.0)
    assert not bad.ok and bad.rel > 1e-6
    assert not agreement._directional("k", truth[:, :6], theirs, whole).ok   # wrong shape


@pytest.mark.parametrize(("factor", "ok"), [(10.0, True), (1.2, True), (0.8, False),
                                            (0.1, False)])
def test_disagreement_must_exceed_1e_6_of_theirs(factor, ok):
    """D13's check passes only when the error is above 1e-6·max|theirs| (= 2e-6 here)."""
    c = _check(_nudged(THEIRS, factor * 1e-6 * 2.0), mode="disagree")
    assert c.ok is ok and c.bound == pytest.approx(2e-6, rel=1e-15)


@pytest.mark.D14
@pytest.mark.parametrize(("backend", "dtype", "bound"), [
    ("torch", np.float64, 1e-12), ("torch", np.float32, 1e-5), ("fd", np.float64, 1e-7)])
def test_a_nudged_reference_fails_at_10x_the_bound_and_passes_at_a_tenth(backend, dtype, bound):
    """End to end, on D14's seeded case: the largest entry of dW moved by 10× the bound
    (of S, or of the whole gradient for central differences) fails, by 1/10 passes."""
    d = get("D14")
    case = d.cases(np.random.default_rng(0), fd_safe=backend == "fd")
    ref = d.reference(case.astype(dtype))
    scale = max(1.0, float(np.abs(ref["dW"]).max()))
    if backend == "fd":
        scale = max(float(np.abs(np.asarray(v, dtype=np.float64)).max())
                    for k, v in ref.items() if k != "out")

    def nudged(factor):
        def reference(c):
            out = dict(d.reference(c))
            dW = np.array(out["dW"], dtype=np.float64)
            i = np.unravel_index(np.argmax(np.abs(dW)), dW.shape)
            dW[i] += factor * bound * scale
            out["dW"] = dW.astype(out["dW"].dtype)
            return out
        return dataclasses.replace(d, reference=reference)
    assert agreement.run(nudged(10.0), backend, case=case, dtype=dtype).status == "fail"
    assert agreement.run(nudged(0.1), backend, case=case, dtype=dtype).status == "ok"


@pytest.mark.D13
@pytest.mark.parametrize(("factor", "status"), [(10.0, "ok"), (0.1, "fail")])
def test_d13_disagreement_needs_an_error_above_1e_6(factor, status):
    """D13 with the right delta plus a nudge: 10× of 1e-6·max|∂BCE/∂z| is a disagreement,
    1/10 of it is not."""
    import backprop_ref as bp

    d = get("D13")
    case = d.cases(np.random.default_rng(0))
    truth = bp.delta_bce_sigmoid(case["z"], case["y"])
    top = float(np.abs(truth).max())
    nudged = dataclasses.replace(d, reference=lambda c: {
        "dz": bp.delta_bce_sigmoid(c["z"], c["y"]) + factor * 1e-6 * top})
    assert agreement.run(nudged, "torch", case=case).status == status


def test_a_check_that_does_not_apply_is_n_a_and_a_missing_backend_not_installed(monkeypatch):
    """What `agreement.run` answers without comparing: central differences of a
    derivation with nothing to difference, or in float32, and float32 for a derivation
    that has no float32 form, are "n/a"; a backend whose extra is missing is "not
    installed" with its message."""
    from comparisons._optional import MissingExtra

    no_fd = next(d for d in CATALOG if not d.fd)
    no_f32 = next(d for d in CATALOG if not d.float32)
    D11 = get("D11")
    for d, backend, dtype in ((no_fd, "fd", np.float64), (D11, "fd", np.float32),
                              (no_f32, "torch", np.float32)):
        out = agreement.run(d, backend, dtype=dtype)
        assert (out.derivation, out.backend, out.dtype, out.status) == (
            d.id, backend, np.dtype(dtype).name, "n/a")

    def missing(name):
        raise MissingExtra(f"{name} is not installed: pip install -e '.[{name}]'")

    monkeypatch.setattr(agreement, "get_backend", missing)
    out = agreement.run(D11, "torch")
    assert (out.derivation, out.backend, out.dtype, out.status, out.message) == (
        "D11", "torch", "float64", "not installed", "torch is not installed: pip install -e '.[torch]'")


def test_a_run_draws_its_case_with_seed_0_unless_told():
    """Read from the generator the case is drawn with (NumPy's streams are the same on every
    machine), not from measured round-off, which may be 0 for two seeds alike."""
    seen = []

    def cases(rng, fd_safe=False):
        seen.append(rng.random())
        return get("D14").cases(rng, fd_safe=fd_safe)

    d = dataclasses.replace(get("D14"), cases=cases)
    for seed in (None, 0, 1):
        agreement.run(d, "torch", **({} if seed is None else {"seed": seed}))
    first = [np.random.default_rng(s).random() for s in (0, 1)]
    assert seen == [first[0], first[0], first[1]] and first[0] != first[1]


def test_an_unknown_derivation_id_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"^unknown derivation id 'D21'; expected one of "
                                         r"D1, D2, D3, .*, D20$"):
        get("D21")


def test_central_differences_go_along_directions_past_the_per_entry_limit_asked_for():
    from comparisons.backends import FiniteDiffBackend

    d = get("D14")
    case = d.cases(np.random.default_rng(0), fd_safe=True)
    out = FiniteDiffBackend().evaluate(d.twin, case, per_entry_max=1)
    assert all(isinstance(v, Directional) for k, v in out.items() if k != "out")


def test_agreement_run_hands_its_per_entry_limit_to_central_differences():
    """``run(…, per_entry_max=1)`` differences D14's arrays along directions; without a limit
    (the default's 64 entries) entry by entry; a disagreement (D13) entry by entry whatever
    limit is asked for, since along directions only a lower bound of its scale is known."""
    along = agreement.run(get("D14"), "fd", seed=0, per_entry_max=1)
    every = agreement.run(get("D14"), "fd", seed=0)
    assert along.status == every.status == "ok"
    assert {c.key: c.directions for c in along.checks} == {"dx": 3, "dW": 3, "db": 3}
    assert {c.key: c.directions for c in every.checks} == {"dx": 0, "dW": 0, "db": 0}
    disagree = agreement.run(get("D13"), "fd", seed=0, per_entry_max=1)
    assert disagree.status == "ok" and disagree.checks
    assert all(c.directions == 0 for c in disagree.checks)


def test_a_shape_mismatch_is_one_failed_check_with_an_infinite_difference():
    for mode in ("twin", "fd", "disagree"):
        for exact in (False, True):
            check = agreement._compare("dW", np.zeros((2, 3)), np.zeros((3, 2)), exact=exact,
                                       mode=mode, dtype_name="float64")
            assert check == agreement.Check("dW", float("inf"), 0.0, False), (mode, exact)


def test_a_directional_check_is_relative_to_the_whole_gradient():
    """Along directions, an array's error is measured against the largest entry of the whole
    gradient (``whole``), as an entry's is: 10× the bound against the array's own scale,
    1/100 of it against a gradient 1000× larger."""
    tol, own = agreement.TOLERANCES["fd"], 1e-3
    ours = np.array([own, 0.0])
    theirs = Directional(np.array([[1.0, 0.0]]), np.array([own + 10 * tol * own]))
    check = agreement._compare("db", ours, theirs, exact=False, mode="fd",
                               dtype_name="float64", whole=1000 * own)
    assert check.ok and check.rel == pytest.approx(tol / 100)
    alone = agreement._compare("db", ours, theirs, exact=False, mode="fd",
                               dtype_name="float64")
    assert not alone.ok and alone.rel == pytest.approx(10 * tol, rel=1e-3)


def _with_reference(did, change):
    """Derivation ``did`` with its reference's outputs passed through ``change``."""
    d = get(did)
    return dataclasses.replace(d, reference=lambda case: change(d.reference(case)))


def test_a_run_names_every_output_the_reference_lacks_and_every_one_outside_its_bound():
    ok = agreement.run(get("D14"), "torch")
    assert (ok.derivation, ok.backend, ok.dtype, ok.status, ok.message) == (
        "D14", "torch", "float64", "ok", "")
    none = agreement.run(_with_reference("D14", lambda out: {}), "fd")
    assert (none.derivation, none.backend, none.status, none.checks) == ("D14", "fd", "fail", [])
    assert none.message == ("reference gives no 'dx'; reference gives no 'dW'; "
                            "reference gives no 'db'")
    doubled = agreement.run(_with_reference(
        "D14", lambda out: {k: 2 * v for k, v in out.items() if k != "db"}), "torch")
    assert doubled.status == "fail"
    assert doubled.message == "reference gives no 'db'; outside the bound: out, dx, dW"


def test_a_float32_run_names_each_output_that_came_back_wider():
    wide = agreement.run(_with_reference(
        "D14", lambda out: {k: np.asarray(v, np.float64) for k, v in out.items()}),
        "torch", dtype=np.float32)
    assert (wide.dtype, wide.status) == ("float32", "fail")
    assert wide.message == "; ".join(f"{k} came back float64, not float32"
                                     for k in ("out", "dx", "dW", "db"))


def test_an_exact_output_one_ulp_off_fails_where_the_bound_would_pass():
    """D5's one-hot Y is compared exactly: one ulp off fails, though it is far inside the
    float64 bound."""
    off = agreement.run(_with_reference(
        "D5", lambda out: {**out, "Y": np.nextafter(out["Y"], 2.0)}), "torch")
    y = next(c for c in off.checks if c.key == "Y")
    assert off.status == "fail" and (y.exact, y.ok, y.bound) == (True, False, 0.0)
    assert 0 < y.max_abs < agreement.TOLERANCES["float64"]


def test_an_entry_by_entry_difference_reports_its_difference_bound_and_relative_error():
    """Central differences entry by entry: the largest |difference|, the fd bound, and the
    difference relative to the largest entry of the array, or of the whole gradient."""
    ours, theirs = np.array([1.0, 2.0]), np.array([1.0, 2.0 + 2**-30])
    for whole, scale in ((None, 2.0), (1024.0, 1024.0)):
        check = agreement._compare("dW", ours, theirs, exact=False, mode="fd",
                                   dtype_name="float64", whole=whole)
        assert check == agreement.Check("dW", 2**-30, agreement.TOLERANCES["fd"], True,
                                         rel=pytest.approx(2**-30 / scale))


def test_a_disagreement_is_measured_against_the_twins_own_scale_and_must_exceed_it():
    """D13's rule: ours differs from theirs by more than 1e-6 of theirs' largest entry, even
    where that entry is far below 1; a difference of exactly the bound is no disagreement."""
    tol = agreement.TOLERANCES["disagree"]
    small = agreement._compare("dz", np.array([0.0, 1e-3 + 1e-8]), np.array([0.0, 1e-3]),
                               exact=False, mode="disagree", dtype_name="float64")
    assert small == agreement.Check("dz", pytest.approx(1e-8), pytest.approx(tol * 1e-3), True)
    edge = agreement._compare("dz", np.array([tol, 1.0]), np.array([0.0, 1.0]),
                              exact=False, mode="disagree", dtype_name="float64")
    assert edge == agreement.Check("dz", tol, tol, False)


def test_central_differences_pass_at_exactly_their_bound():
    tol = agreement.TOLERANCES["fd"]
    check = agreement._compare("dW", np.array([tol, 1.0]), np.array([0.0, 1.0]), exact=False,
                               mode="fd", dtype_name="float64")
    assert (check.rel, check.ok) == (tol, True)


def test_the_memo_hands_out_copies_a_caller_may_change():
    """A result changed in place by its caller changes neither the memo nor the next
    caller's result, whether it came from an evaluation or from the memo."""
    clear_memo()
    d = get("D14")
    be, case = get_backend("fd"), d.cases(np.random.default_rng(0), fd_safe=True)
    first = be.evaluate(d.twin, case)
    want = {k: np.array(v, copy=True) for k, v in first.items()}
    for _ in range(2):
        for v in first.values():
            v[...] = 0.0
        first = be.evaluate(d.twin, case)
        assert all(np.array_equal(first[k], want[k]) for k in want)
    clear_memo()


def test_the_memo_key_tells_types_of_option_values_apart():
    be, twin = get_backend("fd"), Twin("l2", wrt=("W1", "W2"))
    case = Case({"W1": np.ones((2, 2)), "W2": np.ones((2, 2))}, {"reg": 1.0})
    keys = {_memo_key(be, twin, case, {"per_entry_max": n}) for n in (1, 1.0, True)}
    assert len(keys) == 3


def test_integer_results_pass_through_as_integers():
    from comparisons.backends import _as_result

    got = _as_result(np.array([2, 0, 1]))
    assert got.dtype.kind == "i" and got.tolist() == [2, 0, 1]
    assert _as_result(np.array([0.5], dtype=np.float32)).dtype == np.float64


def test_soft_class_targets_differ_from_row_to_row():
    from comparisons import cases

    soft = cases.class_targets(np.random.default_rng(0), np.array([0, 0, 0]), 3, "soft")
    assert not np.allclose(soft[0], soft[1]) and not np.allclose(soft[1], soft[2])


def test_the_directional_rule_field_by_field():
    """`agreement._directional`: the largest |g·u_j − value_j| over the directions,
    relative to the largest of the whole gradient's entry (``whole``), ours, and what the
    differences alone bound; at most 1e-7 passes (inclusive); a zero scale is rel 0; a
    shape that does not match is an infinite error."""
    fd = agreement.TOLERANCES["fd"]
    u = np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [1.0, 0.5]]])
    g = np.array([[0.0, 0.25], [0.5, 0.0]])                # g·u = [0, 0.5]
    d = agreement._directional

    def theirs(off):
        return Directional(u, u.reshape(2, -1) @ g.reshape(-1) + off)

    c = d("dW", g, theirs(np.array([2e-8, 0.0])), None)    # scale: max|g| = 0.5
    assert (c.key, c.max_abs, c.bound, c.ok, c.directions) == ("dW", 2e-8, fd, True, 2)
    assert c.rel == 2e-8 / 0.5
    assert d("dW", g, theirs(np.array([2e-8, 0.0])), 4.0).rel == 2e-8 / 4.0   # the whole
    assert not d("dW", g, theirs(np.array([6e-8, 0.0])), None).ok            # 1.2e-7
    one = np.array([[0.0, 1.0], [0.0, 0.0]])               # ours' largest is 1, g·u = [0, 0]
    at = d("dW", one, Directional(u, np.array([fd, 0.0])), None)
    assert (at.max_abs, at.rel, at.ok) == (fd, fd, True)
    assert not d("dW", one, Directional(u, np.array([2 * fd, 0.0])), None).ok
    zero = d("dW", np.zeros((2, 2)), Directional(u, np.zeros(2)), None)
    assert (zero.max_abs, zero.rel, zero.ok) == (0.0, 0.0, True)
    wrong = d("dW", np.zeros((2, 3)), Directional(u, np.zeros(2)), None)
    assert (wrong.key, wrong.max_abs, wrong.bound, wrong.ok) == ("dW", np.inf, 0.0, False)


def test_the_mixed_rule_at_its_edges():
    """`agreement._mixed` (S = 2): an error of exactly the bound passes (the bound is
    inclusive), so does a tiny entry off by exactly its own bound (excess 1.0); an entry at
    the bound itself is not tiny; with no tiny entry the excess is 0; a nan in ours on a tiny
    entry is an infinite excess, never within a bound."""
    S, bound = 2.0, agreement.TOLERANCES["float64"] * 2.0
    floor = agreement.TINY["floor"]["float64"] * S
    mixed = agreement._mixed
    big = np.array([[1.0, -3.0]])
    at = mixed("x", big, big, bound, S, "float64")
    assert (at.ok, at.tiny, at.tiny_excess, at.bound) == (True, 0, 0.0, bound)
    assert not mixed("x", big, big, np.nextafter(bound, 1.0), S, "float64").ok
    edge = mixed("x", np.array([[1.0, floor]]), np.array([[1.0, 0.0]]), floor, S, "float64")
    assert (edge.ok, edge.tiny, edge.tiny_excess) == (True, 1, 1.0)
    past = mixed("x", np.array([[1.0, 2 * floor]]), np.array([[1.0, 0.0]]), 2 * floor, S,
                 "float64")
    assert (past.ok, past.tiny_excess) == (False, 2.0)
    at_bound = np.array([[1.0, bound]])
    off = mixed("x", at_bound + np.array([[0.0, bound / 2]]), at_bound, bound / 2, S, "float64")
    assert (off.ok, off.tiny) == (True, 0)
    nan = mixed("x", np.array([[1.0, np.nan]]), np.array([[1.0, 0.0]]), 0.0, S, "float64")
    assert (nan.ok, nan.tiny, nan.tiny_excess) == (False, 1, np.inf)


@pytest.mark.parametrize("d", [pytest.param(d, id=d.id) for d in CATALOG])
def test_torch_checks_every_output_of_the_reference(d):
    """`agreement.run` compares the outputs the twin gives: a twin (or backend) that lost
    one, such as the network twin's intermediates or D8's two-class loss (its aux
    outputs), would pass on fewer checks.  For every derivation torch gives them all."""
    pytest.importorskip("torch")
    out = agreement.run(d, "torch")
    case = d.cases(np.random.default_rng(0), fd_safe=False)
    assert out.status == "ok" and {c.key for c in out.checks} == set(d.reference(case))


def test_the_torch_jacobian_is_indexed_output_then_input():
    """J[n, i, k] = ∂out[n, i]/∂z[n, k], checked on z ↦ zM with M not symmetric (softmax's
    Jacobian, the one the catalog asks for, is symmetric: it cannot tell rows from columns)."""
    torch = pytest.importorskip("torch")
    from comparisons.backends import TorchBackend

    M = np.array([[1.0, 2.0, 0.0], [0.0, 3.0, -1.0], [4.0, 0.0, 5.0]])
    be = TorchBackend()
    be.twins = type("Twins", (), {"linear": staticmethod(lambda z: z @ torch.from_numpy(M))})
    z = np.arange(6.0).reshape(2, 3)
    J = be.evaluate(Twin("linear", kind="jacobian", wrt=("z",)), Case({"z": z}))["J"]
    assert J.shape == (2, 3, 3) and np.array_equal(J[0], M.T) and np.array_equal(J[1], M.T)


# --------------------------------------------------------------------------- the prover
def test_the_prover_rejects_a_false_identity():
    sp = pytest.importorskip("sympy")
    z = sp.Symbol("z", real=True)
    s = 1 / (1 + sp.exp(-z))
    ok, residual = symbolic._all_zero([sp.diff(s, z) - s * (1 + s)])
    assert not ok and residual != "0"
    assert symbolic._all_zero([sp.diff(s, z) - s * (1 - s)]) == (True, "0")
    assert symbolic.Proof("x", False, residual).verdict == "FAILED"
    assert symbolic.Proof("x", True, "0").verdict == "proved"


def test_a_failed_proof_names_its_first_two_nonzero_differences_after_substitution():
    """The residual a failed proof prints: the first two differences that are not 0,
    simplified, "; " between them (a third is not reduced); the substitution (softmax's
    e^{z_k} → e_k) is applied first."""
    sp = pytest.importorskip("sympy")
    x, y, w = sp.symbols("x y w", real=True)
    e = sp.Symbol("e", positive=True)
    assert symbolic._all_zero([x - x, 2 * x - x, y, w]) == (False, "x; y")
    assert symbolic._all_zero([x]) == (False, "x")
    assert symbolic._all_zero([sp.exp(x) - e], {sp.exp(x): e}) == (True, "0")
    assert symbolic._all_zero([sp.exp(x) - e]) == (False, "-e + exp(x)")


IDENTITIES = [pid for pid in symbolic.PROOFS if pid != "D13"]


@pytest.mark.parametrize("pid", IDENTITIES)
def test_every_proof_fails_when_the_notes_claim_is_wrong(pid, monkeypatch):
    """Each identity compares SymPy's derivation with the notes' claim (``symbolic._claim``
    marks it); with every claim doubled, every proof must fail.  A proof that compares a
    route with itself (D11/D12 once could) or never reads the claim still "holds"."""
    pytest.importorskip("sympy")
    monkeypatch.setattr(symbolic, "_claim", lambda expr: 2 * expr)
    proof = symbolic.PROOFS[pid]()
    assert not proof.holds and proof.verdict == "FAILED", f"{pid} holds with a wrong claim"
    assert proof.residual not in ("", "0")


@pytest.mark.D13
@pytest.mark.D9
def test_the_non_identities_fail_where_the_notes_form_would_be_right(monkeypatch):
    """D9 and D13 hold when a residual is not 0; with SymPy's derivative replaced by the
    form they reject, the residual vanishes and they fail."""
    sp = pytest.importorskip("sympy")
    real_diff = sp.diff

    def rigged(expr, var):
        z, y = sp.Symbol("z", real=True), sp.Symbol("y", real=True)
        s = 1 / (1 + sp.exp(-z))
        if var == z and expr.has(sp.log):                  # ∂BCE/∂z → the struck-out form
            return (s - y) * s * (1 - s)
        if var == z:                                       # ∂½(σ − y)²/∂z → σ − y
            return s - y
        return real_diff(expr, var)
    monkeypatch.setattr(sp, "diff", rigged)
    assert not symbolic.d13().holds
    assert not symbolic.d9().holds


# --------------------------------------------------------------------------- the stencil
def _sin_sum(x):
    return float(np.sum(np.sin(x)))


def test_the_stencil_is_fourth_order_on_sin():
    """∂/∂x Σ sin x = cos x.  The fourth-order stencil's error is h⁴·|f⁽⁵⁾|/30: 2.5e-10 at
    x = 0.7, h = 1e-2 (the second-order one's would be h²/6·cos = 1.3e-5), and it grows
    16× when h doubles."""
    x = np.array([0.7, -1.3, 2.1])
    errors = [np.abs(finite_diff.numerical_gradient(_sin_sum, x, h) - np.cos(x)).max()
              for h in (1e-2, 2e-2)]
    assert 1e-10 < errors[0] < 5e-10
    assert 12 < errors[1] / errors[0] < 20
    # at the default step the error is round-off: ~1e-11, far inside 1e-7
    assert np.abs(finite_diff.numerical_gradient(_sin_sum, x) - np.cos(x)).max() < 1e-9


def test_the_stencil_along_a_direction_is_fourth_order_too():
    x = np.array([[0.7, -1.3], [2.1, 0.2]])
    u = np.array([[[1.0, -0.5], [0.25, 0.75]]])
    exact = float(np.sum(np.cos(x) * u[0]))
    errors = [abs(finite_diff.numerical_directional(_sin_sum, x, u, h).values[0] - exact)
              for h in (1e-2, 2e-2)]
    assert 1e-11 < errors[0] < 5e-10 and 12 < errors[1] / errors[0] < 20
    got = finite_diff.numerical_directional(_sin_sum, x, u)
    assert abs(got.values[0] - exact) < 1e-9 and got.shape == (2, 2)


def test_the_row_wise_jacobian_stencil_is_fourth_order():
    """J[n, i, k] of f(x) = exp(x) ⊙ (1, 2) row-wise: diag(exp(x_n)·(1, 2))."""
    x = np.array([[0.3, -0.4], [0.1, 0.6]])
    J = finite_diff.numerical_jacobian(lambda v: np.exp(v) * np.array([1.0, 2.0]), x)
    want = np.zeros((2, 2, 2))
    for n in range(2):
        want[n] = np.diag(np.exp(x[n]) * np.array([1.0, 2.0]))
    assert J.shape == (2, 2, 2) and np.abs(J - want).max() < 1e-9


def test_the_stencil_leaves_its_input_alone_and_differentiates_each_entry():
    x = np.array([[0.5, 1.5], [-0.5, 2.5]])
    before = x.copy()
    g = finite_diff.numerical_gradient(lambda v: float(v[0, 1] ** 3 + 2 * v[1, 0]), x)
    assert np.array_equal(x, before)
    assert np.allclose(g, [[0.0, 3 * 1.5**2], [2.0, 0.0]], rtol=0, atol=1e-9)


def test_vjp_goes_along_directions_only_above_per_entry_max():
    """``numerical_vjp``: an input of more than ``per_entry_max`` entries gets directions
    (each scaled to a largest |entry| of 1, seeded by the inputs' bytes), a smaller one
    every entry; the cotangent weighs the output."""
    def f(a, b):
        return np.sin(a) * b

    a = np.linspace(-1, 1, 12).reshape(3, 4)
    b = np.linspace(0.5, 2, 12).reshape(3, 4)
    g = np.linspace(-2, 1, 12).reshape(3, 4)
    res = finite_diff.numerical_vjp(f, {"a": a, "b": b}, ["a", "b"], g, per_entry_max=12)
    assert np.abs(res["a"] - np.cos(a) * b * g).max() < 1e-9
    assert np.abs(res["b"] - np.sin(a) * g).max() < 1e-9
    res = finite_diff.numerical_vjp(f, {"a": a, "b": b}, ["a"], g, per_entry_max=11)
    d = res["a"]
    assert isinstance(d, Directional) and d.directions.shape == (3, 3, 4)
    assert np.allclose(np.abs(d.directions).reshape(3, -1).max(axis=1), 1.0)
    assert np.abs(d.values - d.project(np.cos(a) * b * g)).max() < 1e-9
    again = finite_diff.numerical_vjp(f, {"a": a, "b": b}, ["a"], g, per_entry_max=11)["a"]
    assert np.array_equal(again.directions, d.directions)          # the same case: the same u
    other = finite_diff.numerical_vjp(f, {"a": a, "b": b}, ["a"], -g, per_entry_max=11)["a"]
    assert not np.array_equal(other.directions, d.directions)      # another case: new u
    every = finite_diff.numerical_vjp(f, {"a": a, "b": b}, ["a"], g, per_entry_max=None)
    assert every["a"].shape == (3, 4) and not isinstance(every["a"], Directional)
    scalar = finite_diff.numerical_vjp(lambda a, b: float(np.sum(a * b)), {"a": a, "b": b},
                                       ["a"])
    assert np.abs(scalar["a"] - b).max() < 1e-9


def test_directional_scale_is_a_lower_bound_of_the_largest_entry():
    truth = np.random.default_rng(5).standard_normal((9, 9))
    d = _directional(truth)
    assert 0 < d.scale() <= np.abs(truth).max()
    copy = d.copy()
    assert copy.directions is not d.directions and np.array_equal(copy.values, d.values)


def test_rel_error_is_normwise_against_the_larger_whole():
    assert finite_diff.rel_error([1.0, -4.0], [1.0, -4.0 + 4e-7]) == pytest.approx(1e-7)
    assert finite_diff.rel_error([1.0, -4.0], [1.0, -4.0 + 4e-7], 40.0) == pytest.approx(1e-8)
    assert finite_diff.rel_error([1.0, -4.0], [1.0, -4.0 + 4e-7], 0.4) == pytest.approx(1e-7)
    assert finite_diff.rel_error([0.0], [0.0]) == 0.0


def test_central_differences_perturb_a_float64_copy_whatever_they_are_given():
    """An integer input is differenced in float64 (an integer copy would round x + h back
    to x), and the caller's array is not touched; the step reaches every entry."""
    x = np.array([[1, 2], [3, 4]])
    g = finite_diff.numerical_gradient(lambda v: float((v ** 2).sum()), x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-9)
    u = np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 1.0]]])
    d = finite_diff.numerical_directional(lambda v: float((v ** 2).sum()), x, u)
    np.testing.assert_allclose(d.values, [2.0, 8.0], rtol=1e-9)
    assert d.directions.dtype == np.float64
    assert x.dtype.kind == "i" and x.tolist() == [[1, 2], [3, 4]]


def test_the_vjp_differences_with_the_step_it_is_given():
    """h reaches the stencil: x⁵ with h = 0.5 carries the (fourth-order) stencil's own
    error, the same as `numerical_gradient`'s with that h, and not the default step's."""
    f = lambda x: float((x ** 5).sum())                                         # noqa: E731
    x = np.array([1.0, 2.0])
    got = finite_diff.numerical_vjp(f, {"x": x}, ["x"], h=0.5, per_entry_max=None)["x"]
    assert np.array_equal(got, finite_diff.numerical_gradient(f, x, h=0.5))
    assert not np.allclose(got, 5 * x ** 4, rtol=1e-6, atol=0)
    along = finite_diff.numerical_vjp(f, {"x": x}, ["x"], h=0.5, per_entry_max=1)["x"]
    assert not np.allclose(along.values, along.project(5 * x ** 4), rtol=1e-6, atol=0)


def test_a_directional_scale_is_the_largest_difference_over_its_directions_l1_norm():
    """|∇f·u| ≤ max|∇f|·‖u‖₁, so max_j |value_j|/‖u_j‖₁ bounds max|∇f| from below; each
    direction has its own norm."""
    u = np.array([[[1.0, 0.0], [0.0, 0.0]], [[0.5, 0.5], [1.0, 0.0]]])    # ‖u‖₁ = 1, 2
    assert Directional(u, np.array([0.25, -0.25])).scale() == 0.25
    assert Directional(u, np.array([0.125, -0.5])).scale() == 0.25
    assert Directional(u, np.array([0.0, 0.0])).scale() == 0.0


@pytest.mark.parametrize("kind", ["values", "run"])
def test_central_differences_refuse_a_twin_with_no_derivative(kind):
    from comparisons.backends import FiniteDiffBackend

    with pytest.raises(NotImplementedError, match="^no derivative to take$"):
        FiniteDiffBackend().evaluate(Twin("softmax", kind=kind, wrt=("z",)),
                                     Case({"z": np.zeros((1, 2))}))


def test_directions_are_seeded_by_every_input_its_shape_and_dtype_and_only_those(monkeypatch):
    """Two inputs that differ in any array (not only the last), or hold the same bytes in
    another shape, get different directions; a scalar function's inputs are the whole key
    (no cotangent part)."""
    fp = finite_diff._fingerprint
    A, B = np.arange(6.0).reshape(2, 3), np.ones(2)
    assert fp({"a": A, "b": B}) != fp({"a": A + 1, "b": B})
    assert fp({"a": A}) != fp({"a": A.reshape(3, 2)})
    assert fp({"a": A}) != fp({"a": A.view(np.int64)})                   # the same bytes
    seen = []
    monkeypatch.setattr(finite_diff, "_fingerprint",
                        lambda arrays: seen.append(sorted(arrays)) or fp(arrays))
    finite_diff.numerical_vjp(lambda x: float((x ** 2).sum()), {"x": np.arange(8.0)}, ["x"],
                              per_entry_max=3)
    assert seen == [["x"]]


# --------------------------------------------------------------------------- the memo
def _sigmoid_case(g_scale=1.0):
    z = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    return Case({"z": z, "g": g_scale * np.array([[1.0, -2.0, 0.5], [0.3, 0.7, -1.1]])})


def _memoized_fd():
    """Central differences wrapped by the memo here, in the test: `get_backend` wraps each
    backend once per process, and mutation testing swaps a function only when it is
    called."""
    from comparisons import backends

    return backends._memoized(backends.BACKENDS["fd"]())


def test_two_cotangents_never_share_a_memo_entry():
    """The same z with another upstream gradient is another question."""
    d = get("D1")
    be = _memoized_fd()
    clear_memo()
    a = be.evaluate(d.twin, _sigmoid_case(1.0))
    b = be.evaluate(d.twin, _sigmoid_case(-3.0))
    assert _memo_stats == {"hits": 0, "misses": 2}
    assert np.allclose(b["dz"], -3.0 * a["dz"], rtol=1e-8, atol=0)
    again = be.evaluate(d.twin, _sigmoid_case(1.0))
    assert _memo_stats["hits"] == 1 and np.array_equal(again["dz"], a["dz"])
    again["dz"][:] = 0                              # the caller's copy, not the memo's
    assert np.array_equal(be.evaluate(d.twin, _sigmoid_case(1.0))["dz"], a["dz"])
    clear_memo()


def _variants():
    """(name, backend, twin, case, options) that each differ from the base in one field."""
    twin = Twin("hidden", wrt=("z",), cotangent="g", value=False)
    base = Case({"z": np.arange(6.0).reshape(2, 3) - 2.5, "W_next": np.ones((3, 2)),
                 "g": np.ones((2, 2))}, {"activation": "tanh"})
    z32 = Case({**base.arrays, "z": base.arrays["z"].astype(np.float32)}, dict(base.static))
    g2 = Case({**base.arrays, "g": 2 * base.arrays["g"]}, dict(base.static))
    shape = Case({**base.arrays, "z": base.arrays["z"].reshape(3, 2)}, dict(base.static))
    renamed = Case({**{k: v for k, v in base.arrays.items() if k != "g"},
                    "h": base.arrays["g"]}, dict(base.static))
    relu = Case(dict(base.arrays), {"activation": "relu"})
    return base, twin, [
        ("cotangent", "fd", twin, g2, {}),
        ("static value", "fd", twin, relu, {}),
        ("array dtype", "fd", twin, z32, {}),
        ("array shape", "fd", twin, shape, {}),
        ("array name", "fd", twin, renamed, {}),
        ("backend", "torch", twin, base, {}),
        ("forward", "fd", dataclasses.replace(twin, forward="dense"), base, {}),
        ("kind", "fd", dataclasses.replace(twin, kind="values"), base, {}),
        ("wrt", "fd", dataclasses.replace(twin, wrt=("z", "W_next")), base, {}),
        ("cotangent name", "fd", dataclasses.replace(twin, cotangent="h"), base, {}),
        ("rename", "fd", dataclasses.replace(twin, rename={"dz": "dZ"}), base, {}),
        ("value", "fd", dataclasses.replace(twin, value=True), base, {}),
        ("has_aux", "fd", dataclasses.replace(twin, has_aux=True), base, {}),
        ("options", "fd", twin, base, {"per_entry_max": 3}),
    ]


@pytest.mark.parametrize("field", [v[0] for v in _variants()[2]])
def test_the_memo_key_holds_every_field_an_evaluation_reads(field):
    base, twin, variants = _variants()
    _, be_name, other_twin, other_case, options = next(v for v in variants if v[0] == field)
    key = _memo_key(get_backend("fd"), twin, base, {})
    assert key is not None
    assert key == _memo_key(get_backend("fd"), twin, Case(
        {k: v.copy() for k, v in base.arrays.items()}, dict(base.static)), {})
    assert _memo_key(get_backend(be_name), other_twin, other_case, options) != key


def test_the_memo_key_tells_types_of_static_values_apart_and_refuses_unhashable_ones():
    be, twin = get_backend("fd"), Twin("l2", wrt=("W1", "W2"))
    arrays = {"W1": np.ones((2, 2)), "W2": np.ones((2, 2))}
    keys = {_memo_key(be, twin, Case(arrays, {"reg": r}), {}) for r in (1, 1.0, True)}
    assert len(keys) == 3
    assert _memo_key(be, twin, Case(arrays, {"reg": [1.0]}), {}) is None
    assert _memo_key(be, twin, Case({**arrays, "o": np.array([None])}, {"reg": 1.0}), {}) is None
    assert _memo_key(be, twin, Case(arrays, {"reg": 1.0}), {"per_entry_max": [3]}) is None


def test_a_patched_twin_forward_is_a_new_memo_entry(monkeypatch):
    """The forward enters the key by identity: a monkeypatched twin is never answered from
    the memo of the real one."""
    from comparisons import twins_numpy

    be, d = _memoized_fd(), get("D1")
    case = _sigmoid_case()
    real = be.evaluate(d.twin, case)
    monkeypatch.setattr(twins_numpy, "sigmoid", lambda z: 2 * twins_numpy.bp.sigmoid(z))
    doubled = be.evaluate(d.twin, case)
    assert np.allclose(doubled["dz"], 2 * real["dz"], rtol=1e-8, atol=0)


@pytest.mark.parametrize("d", [pytest.param(d, id=d.id) for d in CATALOG if d.fd])
def test_each_fd_check_compares_per_entry_or_along_three_directions(d):
    """What the verify report's central-difference column measured: per entry up to 128
    entries, along 3 directions above (only D17/D19's 200-row intermediates)."""
    out = agreement.run(d, "fd", seed=0)
    assert out.status == "ok", out.message
    along = {c.key for c in out.checks if c.directions}
    assert all(c.directions in (0, 3) for c in out.checks)
    assert along == ({"dZ1", "dA1", "dZ2"} if d.id in ("D17", "D19") else set())


@pytest.mark.parametrize("name", ["torch", "fd", "jax"])
def test_a_new_backend_instance_differentiates_like_the_shared_one(name):
    """`get_backend` builds each backend once per process (mutation testing swaps
    functions only when they are called): a fresh instance must give the same numbers."""
    from comparisons.backends import BACKENDS

    pytest.importorskip({"fd": "numpy"}.get(name, name))
    d = get("D3")
    case = _sigmoid_case()
    fresh = BACKENDS[name]()
    assert (fresh.name, fresh.extra_name) == (name, None if name == "fd" else name)
    got, want = fresh.evaluate(d.twin, case), get_backend(name).evaluate(d.twin, case)
    assert got.keys() == want.keys() and got.keys() >= {"dz"}
    for k in got:
        assert np.array_equal(got[k], want[k]), k


def test_a_missing_framework_is_reported_not_raised(monkeypatch):
    """``backend_status`` and ``available`` answer for a framework that cannot be imported
    (here a made-up module) with the install hint and False, never an ImportError."""
    from comparisons import _optional, backends

    assert backends.backend_status("torch") is None and backends.backend_status("fd") is None
    assert _optional.available("torch") is True
    monkeypatch.setitem(_optional.EXTRAS, "torch", ("no_such_module_anywhere", "torch"))
    monkeypatch.setitem(backends._cache, "torch", None)
    monkeypatch.delitem(backends._cache, "torch")
    assert _optional.available("torch") is False
    hint = backends.backend_status("torch")
    assert hint == _optional.install_hint("torch") and "torch" in hint
    with pytest.raises(_optional.MissingExtra, match=r"no_such_module_anywhere is not installed"):
        get_backend("torch")
    with pytest.raises(ValueError, match="unknown backend 'tf'"):
        get_backend("tf")


def test_the_memo_keeps_the_most_recently_used_and_counts_every_lookup(monkeypatch):
    """A bounded memo: past ``MEMO_SIZE`` entries the least recently *used* one goes (a
    hit refreshes an entry); hits and misses are counted one by one."""
    from comparisons import backends

    monkeypatch.setattr(backends, "MEMO_SIZE", 2)
    be, twin = _memoized_fd(), get("D1").twin
    a, b, c = (_sigmoid_case(s) for s in (1.0, 2.0, 3.0))
    clear_memo()
    for case in (a, b, a, c):        # a is used again before c arrives: b is the oldest
        be.evaluate(twin, case)
    assert _memo_stats == {"hits": 1, "misses": 3}
    assert len(backends._memo) == 2
    be.evaluate(twin, a)
    be.evaluate(twin, c)
    assert _memo_stats == {"hits": 3, "misses": 3}
    be.evaluate(twin, b)
    assert _memo_stats == {"hits": 3, "misses": 4}
    key_a = _memo_key(be, twin, a, {})
    assert key_a not in backends._memo                      # a was now the oldest
    clear_memo()
    assert _memo_stats == {"hits": 0, "misses": 0} and not backends._memo


def test_an_evaluation_the_memo_cannot_key_is_passed_through_with_its_options():
    """Unhashable static values: evaluated every time, never stored nor counted.  The
    keyword options reach ``evaluate`` either way, and enter the key."""
    from types import SimpleNamespace

    from comparisons import backends

    calls = []

    class Recording:
        name, twins = "recording", SimpleNamespace()

        def evaluate(self, twin, case, **options):
            calls.append((twin, case, options))
            return {"dz": np.full(2, float(len(calls)))}

    be, twin = backends._memoized(Recording()), Twin("sigmoid", wrt=("z",))
    unkeyable = Case({"z": np.zeros(2)}, {"reg": [1.0]})
    clear_memo()
    assert be.evaluate(twin, unkeyable, per_entry_max=3)["dz"][0] == 1.0
    assert be.evaluate(twin, unkeyable, per_entry_max=3)["dz"][0] == 2.0
    assert all(t is twin and c is unkeyable and o == {"per_entry_max": 3} for t, c, o in calls)
    assert _memo_stats == {"hits": 0, "misses": 0} and not backends._memo
    keyed = Case({"z": np.zeros(2)}, {"reg": 1.0})
    assert be.evaluate(twin, keyed, per_entry_max=3)["dz"][0] == 3.0
    assert calls[-1][1] is keyed and calls[-1][2] == {"per_entry_max": 3}
    assert be.evaluate(twin, keyed, per_entry_max=4)["dz"][0] == 4.0
    assert be.evaluate(twin, keyed, per_entry_max=3)["dz"][0] == 3.0       # from the memo
    assert len(calls) == 4 and _memo_stats == {"hits": 1, "misses": 2}
    clear_memo()


def test_the_jacobian_stencil_differences_in_float64_whatever_it_is_given():
    x = np.array([[0.3, -0.4], [0.1, 0.6]], dtype=np.float32)
    J = finite_diff.numerical_jacobian(lambda v: np.exp(v), x)
    want = np.stack([np.diag(np.exp(r.astype(np.float64))) for r in x])
    assert J.dtype == np.float64 and np.abs(J - want).max() < 1e-9


# --------------------------------------------------------------------------- the twins
def test_the_torch_labels_twin_gives_one_hot_rows_of_the_scores_dtype():
    """As the reference does (`one_hot(…, dtype=scores.dtype)`): a float32 model's targets
    are float32 rows, not integers that only compare equal."""
    torch = pytest.importorskip("torch")
    from comparisons import twins_torch

    for dtype in (torch.float32, torch.float64):
        out = twins_torch.labels(torch.tensor([2, 0]), torch.zeros((2, 3), dtype=dtype), 3)
        assert out["Y"].dtype == dtype
        assert out["Y"].tolist() == [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0]]


def test_the_torch_network_heads_name_the_softmax_axis_and_refuse_an_unknown_head():
    """The MLP twin's softmax head, as `ce_through_probs` below: rows, said explicitly
    (torch's implicit choice warns); a head it does not know is an error naming it."""
    import warnings

    torch = pytest.importorskip("torch")
    from comparisons import twins_torch

    Z = torch.tensor([[0.0, np.log(3.0)], [np.log(3.0), 0.0]], dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss, A = twins_torch._head_loss(Z, torch.tensor([1, 1]), "softmax_ce")
        np.testing.assert_allclose(twins_torch.softmax(Z).numpy(), A.detach().numpy(),
                                   rtol=1e-15)
    np.testing.assert_allclose(A.numpy(), [[0.25, 0.75], [0.75, 0.25]], rtol=1e-15)
    assert loss.item() == pytest.approx((np.log(4 / 3) + np.log(4.0)) / 2, rel=1e-15)
    with pytest.raises(ValueError, match="^softmax_mse$"):
        twins_torch._head_loss(Z, torch.tensor([1, 1]), "softmax_mse")


def test_the_torch_ce_of_target_rows_takes_a_zero_probability_where_the_target_is_zero():
    """−Σ Y log A with one-hot or soft rows: a probability of exactly 0 under a target of 0
    contributes 0 (as the reference's cross_entropy), not 0·log 0 = nan."""
    torch = pytest.importorskip("torch")
    from comparisons import twins_torch

    probs = torch.tensor([[1.0, 0.0], [0.5, 0.5]], dtype=torch.float64)
    Y = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    assert twins_torch._nll_probs(probs, Y).item() == pytest.approx(np.log(2.0) / 2, rel=1e-15)


def test_the_torch_twins_name_the_softmax_axis():
    """Softmax over each row (dim=1), said explicitly: torch's implicit choice is the same
    for 2-D input today but deprecated, and warns."""
    import warnings

    torch = pytest.importorskip("torch")
    from comparisons import twins_torch

    z = torch.tensor([[0.0, np.log(3.0)], [np.log(3.0), 0.0]], dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = twins_torch.ce_through_probs(z, torch.tensor([1, 1]))
    assert loss.item() == pytest.approx((np.log(4 / 3) + np.log(4.0)) / 2, rel=1e-15)
