"""Property-based agreement (hypothesis + ``hypothesis.extra.numpy``) for D1–D19.

For every derivation, hypothesis draws shapes (N = 1 included), scales (1e-3 … 1e4) and
values; the reference must agree with torch autograd **and** JAX grad on every draw, and,
on kink-free moderate draws, with central differences.  Profiles (``tests/conftest.py``):
``quick`` (plain ``pytest``) runs 10 examples per property, torch's twin, central
differences and float32; ``ci`` (``pytest --full``) runs 100, and JAX's twin too, on the
first 25 of them (it compiles an XLA program for every new shape).  Central differences
take every array of more than 3 entries along 3 random directions (12 evaluations instead
of 4 per entry; a wrong entry still shows, see `comparisons.finite_diff`); ``thorough``
runs 10 000 examples for every oracle and differences every entry:

    HYPOTHESIS_PROFILE=thorough pytest --full tests/test_properties.py

Shapes come from small sets so that JAX's jit cache is reused across examples.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
from collections import defaultdict

import numpy as np
import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import backprop_ref as bp
from comparisons import agreement, cases
from comparisons.backends import Case
from comparisons.catalog import CATALOG, get
from comparisons.finite_diff import DIRECTIONS, PER_ENTRY_MAX

NS = st.sampled_from([1, 2, 5, 8])
KS = st.sampled_from([2, 3, 5])
KS_BINARY = st.sampled_from([1, 2, 3])
TWIN_SCALES = st.sampled_from([1e-3, 1.0, 30.0, 1e4])
FD_SCALES = st.sampled_from([0.3, 1.0, 3.0])


# The strategies are built once per shape and scale (they are immutable): building and
# validating a new one on every draw cost a fifth of a property's time.
@functools.lru_cache(maxsize=None)
def arrays(shape, scale, lo=None):
    lo = -scale if lo is None else lo
    return hnp.arrays(np.float64, shape, elements=st.floats(
        lo, scale, allow_nan=False, allow_infinity=False, allow_subnormal=False))


@functools.lru_cache(maxsize=None)
def away_from_zero(shape, scale, lo=0.1):
    """Magnitudes in [lo·scale, scale] with random signs: central differences need inputs
    whose gradients are not at round-off level (and, for relu, not at a kink)."""
    mags = hnp.arrays(np.float64, shape, elements=st.floats(lo * scale, scale))
    signs = hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 1.0]))
    return st.tuples(mags, signs).map(lambda ms: ms[0] * ms[1])


@functools.lru_cache(maxsize=None)
def labels(N, K):
    return hnp.arrays(np.int64, N, elements=st.integers(0, K - 1))


@functools.lru_cache(maxsize=None)
def weights(N, K):
    return hnp.arrays(np.float64, (N, K), elements=st.floats(0.0, 1.0))


def values(shape, scale, fd):
    return away_from_zero(shape, scale) if fd else arrays(shape, scale)


def kink_free(z, margin=cases.KINK_MARGIN):
    return bool(np.all(np.abs(z) >= margin))


@st.composite
def class_targets(draw, N, K):
    """The three forms of class targets: integer labels, one-hot rows, or soft rows (zeros allowed)."""
    drawn = draw(labels(N, K))
    form = draw(st.sampled_from(cases.TARGET_FORMS))
    if form == "labels":
        return drawn
    Y = bp.one_hot(drawn, K)
    if form == "one-hot":
        return Y
    W = Y + draw(weights(N, K))
    return W / W.sum(axis=1, keepdims=True)


@st.composite
def logits_and_cotangent(draw, fd, kinks=False):
    N, K = draw(NS), draw(KS)
    z = draw(values((N, K), draw(FD_SCALES if fd else TWIN_SCALES), fd))
    if fd and kinks:
        assume(kink_free(z))
    return Case({"z": z, "g": draw(values((N, K), 1.0, fd))})


@st.composite
def labels_case(draw, fd):
    N, K = draw(NS), draw(KS)
    return Case({"labels": draw(labels(N, K)),
                 "scores": draw(arrays((N, K), draw(TWIN_SCALES)))}, {"num_classes": K})


@st.composite
def regression(draw, fd):
    N, K = draw(NS), draw(KS)
    s = draw(FD_SCALES if fd else TWIN_SCALES)
    return Case({"a": draw(values((N, K), s, fd)), "y": draw(values((N, K), s, fd))})


@st.composite
def probs_and_labels(draw, fd):
    N, K = draw(NS), draw(KS)
    probs = bp.softmax(draw(arrays((N, K), 2.0 if fd else 5.0)))
    return Case({"probs": probs, "y": draw(class_targets(N, K))})


@st.composite
def probs_binary(draw, fd):
    N, K = draw(NS), draw(KS_BINARY)
    return Case({"a": draw(arrays((N, K), 0.98, lo=0.02)), "y": draw(arrays((N, K), 1.0, lo=0.0))})


@st.composite
def logits_binary(draw, fd):
    N, K = draw(NS), draw(KS_BINARY)
    z = draw(values((N, K), draw(FD_SCALES if fd else TWIN_SCALES), fd))
    return Case({"z": z, "y": draw(arrays((N, K), 1.0, lo=0.0))})


@st.composite
def logits_classes(draw, fd):
    N, K = draw(NS), draw(KS)
    z = draw(values((N, K), draw(FD_SCALES if fd else TWIN_SCALES), fd))
    return Case({"z": z, "y": draw(class_targets(N, K))})


@st.composite
def dense_case(draw, fd):
    N, D, M = draw(NS), draw(KS), draw(KS)
    s = draw(FD_SCALES if fd else TWIN_SCALES)
    return Case({"x": draw(values((N, D), s, fd)), "W": draw(values((D, M), 1.0, fd)),
                 "b": draw(values((M,), 1.0, fd)), "g": draw(values((N, M), 1.0, fd))})


@st.composite
def hidden_case(draw, fd):
    N, H, H2 = draw(NS), draw(KS), draw(KS)
    act = draw(st.sampled_from(cases.ACTIVATIONS))
    z = draw(values((N, H), draw(FD_SCALES if fd else TWIN_SCALES), fd))
    if fd and act == "relu":
        assume(kink_free(z))
    return Case({"z": z, "W_next": draw(values((H, H2), 1.0, fd)),
                 "g": draw(values((N, H2), 1.0, fd))},
                {"activation": act})


@st.composite
def l2_case(draw, fd):
    return Case({"W1": draw(arrays((draw(KS), draw(KS)), 3.0)),
                 "W2": draw(arrays((draw(KS), draw(KS)), 3.0))},
                {"reg": draw(st.floats(0.0, 10.0))})


@st.composite
def network_case(draw, fd, sizes=None, hidden=None, head=None):
    depth = draw(st.integers(1, 4))
    if sizes is None:
        D, H, K = draw(st.sampled_from([2, 4])), draw(st.sampled_from([3, 5])), draw(
            st.sampled_from([2, 3]))
        sizes = [D] + [H] * (depth - 1) + [K]
    hidden = hidden or draw(st.sampled_from(cases.ACTIVATIONS))
    head = head or draw(st.sampled_from(cases.HEADS))
    N = draw(st.sampled_from([1, 3, 6]))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    X = draw(values((N, sizes[0]), draw(FD_SCALES if fd else st.sampled_from([0.1, 1.0, 10.0])),
                    fd))
    try:
        c = cases.network(rng, fd, sizes=sizes, hidden=hidden, head=head, N=N, X=X,
                          reg=draw(st.floats(0.0, 1.0)), tries=3)
    except RuntimeError:      # no kink-free draw for central differences: skip this one
        assume(False)
    note(f"sizes={sizes} hidden={hidden} head={head} N={N} seed={seed}")
    return c


def notes_network(fd):
    return network_case(fd, sizes=[4, 10, 3], hidden="relu", head="softmax_ce")


STRATEGIES = {
    "D1": logits_and_cotangent, "D2": lambda fd: logits_and_cotangent(fd, kinks=True),
    "D3": logits_and_cotangent, "D4": logits_and_cotangent, "D5": labels_case,
    "D6": regression, "D7": probs_and_labels, "D8": probs_binary, "D9": logits_binary,
    "D10": logits_binary, "D11": logits_classes, "D12": logits_classes,
    "D13": logits_binary, "D14": dense_case, "D15": hidden_case, "D16": l2_case,
    "D17": notes_network, "D18": network_case, "D19": notes_network,
}
PROPERTY_IDS = [d.id for d in CATALOG if d.id in STRATEGIES]

THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"

#: central differences: arrays with more entries than this go along random directions
FD_PER_ENTRY_MAX = PER_ENTRY_MAX if THOROUGH else DIRECTIONS

#: (derivation, backend) -> examples checked and the largest error seen (abs for the
#: frameworks, relative for central differences); written to $PROPERTY_REPORT if set
SEEN = defaultdict(lambda: {"examples": 0, "max_error": 0.0})


def _record(did, out):
    entry = SEEN[f"{did}/{out.backend}"]
    entry["examples"] += 1
    fig = out.max_rel if out.backend == "fd" and out.max_rel is not None else out.max_abs
    if fig is not None:
        entry["max_error"] = max(entry["max_error"], float(fig))


@pytest.fixture(scope="module", autouse=True)
def _write_property_report():
    yield
    path = os.environ.get("PROPERTY_REPORT")
    if path and os.environ.get("PYTEST_XDIST_WORKER"):   # pytest -n: one file per worker
        path = f"{path}.{os.environ['PYTEST_XDIST_WORKER']}"
    if path and SEEN:
        with open(path, "w") as fh:
            json.dump(dict(sorted(SEEN.items())), fh, indent=1)


def test_every_derivation_but_the_training_run_has_a_property():
    assert PROPERTY_IDS == [f"D{i}" for i in range(1, 20)]


def _jacobian_route_underflows(d, case, dtype=np.float64) -> bool:
    """D12 may refuse (ValueError) exactly when a target probability fell below the smallest
    normal float of ``dtype`` (found by hypothesis: at z = [[-708, 0, 0]], y = [0] the target
    probability is subnormal, and XLA, which flushes subnormals to zero, returns nan)."""
    if d.id != "D12":
        return False
    A, y = bp.softmax(case["z"].astype(dtype)), np.asarray(case["y"])
    Y = y if y.ndim == 2 else bp.one_hot(y, A.shape[1])
    dead = (Y > 0) & (A < np.finfo(A.dtype).tiny)
    if dead.any():
        with pytest.raises(ValueError, match="underflowed to"):
            d.reference(case.astype(dtype))
        return True
    return False


#: examples per property for each autograd: JAX compiles an XLA program for every new shape
#: (about a third of the draws bring one), so its twin checks the first quarter of the draws
#: torch checks (the same derandomized sequence), and only with ``pytest --full`` (the
#: default run checks every derivation against JAX in tests/test_catalog.py); the thorough
#: profile gives both every example
TWIN_EXAMPLES = {"torch": settings.default.max_examples,
                 "jax": (settings.default.max_examples if THOROUGH
                         else max(3, settings.default.max_examples // 4))}


@pytest.mark.parametrize("did", PROPERTY_IDS)
@pytest.mark.parametrize("backend", ["torch", pytest.param("jax", marks=pytest.mark.full)])
def test_property_agrees_with_torch_and_jax(backend, did):
    """One test per backend (``-k "not jax"`` leaves torch's: the mutation run does, since
    JAX's runtime does not survive the fork of a worker); examples: `TWIN_EXAMPLES`."""
    d = get(did)

    @settings(max_examples=TWIN_EXAMPLES[backend])
    @given(data=st.data())
    def agrees(data):
        case = data.draw(STRATEGIES[did](False), label="case")
        if _jacobian_route_underflows(d, case):
            return
        if d.expect == "disagree":      # D13: both deltas vanish only where a = y exactly
            assume(np.abs(bp.delta_bce_sigmoid(case["z"], case["y"])).max() > 0)
        out = agreement.run(d, backend, case=case)
        _record(did, out)
        assert out.status == "ok", f"{did} vs {backend}: {out.message} " + ", ".join(
            f"{c.key} {c.max_abs:.2e}/{c.bound:.1e}" for c in out.checks)

    agrees()


#: what a float32 (or float16) caller may pass: predictions, data and parameters in that
#: dtype; real and class targets stay float64 (they follow the prediction's dtype)
TARGETS = ("y",)


def _narrow(case, dtype):
    """The case with every float array but the targets rounded to ``dtype``, held in
    float64 (so the twin sees exactly the values the reference gets)."""
    return Case({k: (v.astype(dtype).astype(np.float64) if v.dtype.kind == "f"
                     and k not in TARGETS else v) for k, v in case.arrays.items()},
                dict(case.static))


@pytest.mark.parametrize("did", [d.id for d in CATALOG if d.id in STRATEGIES and d.float32
                                 and d.expect == "agree"])
@settings(max_examples=max(3, settings.default.max_examples // 4))
@given(data=st.data())
def test_property_float32_and_float16_agree_at_the_float32_bound(did, data):
    """float32 stays float32 and float16 is computed in float32 (never float16, never
    float64), and the float32 results agree with torch's float64 autograd on the same
    values at the float32 bound."""
    d = get(did)
    width = data.draw(st.sampled_from([np.float32, np.float16]), label="dtype")
    case = _narrow(data.draw(STRATEGIES[did](False), label="case"), width)
    assume(all(np.all(np.isfinite(v.astype(width))) for v in case.arrays.values()
               if v.dtype.kind == "f"))
    if _jacobian_route_underflows(d, case, np.float32):
        return
    if width is np.float16:
        narrow = Case({k: (v.astype(np.float16) if v.dtype.kind == "f" and k not in TARGETS
                           else v) for k, v in case.arrays.items()}, dict(case.static))
        for k, v in d.reference(narrow).items():
            v = np.asarray(v)
            if (did, k) != ("D5", "Y"):        # one_hot's dtype is the caller's choice
                assert v.dtype == (np.float32 if v.dtype.kind == "f" else v.dtype), k
    out = agreement.run(d, "torch", case=case, dtype=np.float32)
    _record(f"{did}/float32", out)
    assert out.status == "ok", f"{did} in {np.dtype(width)}: {out.message} " + ", ".join(
        f"{c.key} {c.max_abs:.2e}/{c.bound:.1e}" for c in out.checks)


@pytest.mark.parametrize("did", [d.id for d in CATALOG if d.fd and d.id in STRATEGIES])
@given(data=st.data())
def test_property_agrees_with_central_differences(did, data):
    d = get(did)
    case = data.draw(STRATEGIES[did](True), label="case")
    ref = d.reference(case)
    # central differences have ~1e-11·|L| of round-off: measure relative errors only on
    # gradients well above it (as they are measured only away from relu kinks)
    assume(all(np.abs(np.asarray(v)).max() > 1e-3 for k, v in ref.items() if k != "out"))
    out = agreement.run(d, "fd", case=case, per_entry_max=FD_PER_ENTRY_MAX)
    _record(did, out)
    assert out.status == "ok", f"{did}: {out.message} " + ", ".join(
        f"{c.key} rel {c.rel}" for c in out.checks)


@pytest.mark.parametrize("d", [pytest.param(d, id=d.id) for d in CATALOG])
def test_same_seed_gives_bit_identical_results(d):
    def once():
        case = d.cases(np.random.default_rng(123), fd_safe=False)
        return d.reference(case)
    a, b = once(), once()
    assert a.keys() == b.keys()
    for k in a:
        assert np.array_equal(np.asarray(a[k]), np.asarray(b[k])), k


@pytest.mark.D16
def test_fd_measures_a_small_block_against_the_whole_gradient():
    """Regression (thorough profile): D16 with W1 = 2.994·1, W2 = 1e-3·e₁₁, reg = 2.

    ½·reg·Σ‖W‖² ≈ 36, so central differences carry ≈ ε·36/h ≈ 1e-9 of round-off on every
    entry; beside dW2 = 2e-3 alone that is 1.4e-7 (past the bound), beside the whole
    gradient (dW1 = 6) it is 5e-11.  A wrong dW2 still fails: it is 2e-3/6 ≫ 1e-7 of it.
    """
    d = get("D16")
    W2 = np.zeros((2, 2))
    W2[0, 0] = 1e-3
    case = Case({"W1": np.full((2, 2), 2.99403286), "W2": W2}, {"reg": 2.0})
    out = agreement.run(d, "fd", case=case)
    assert out.status == "ok", out.message
    assert out.max_rel < 1e-10
    wrong = dataclasses.replace(d, reference=lambda c: {**d.reference(c), "dW2": 0 * W2})
    assert agreement.run(wrong, "fd", case=case).status == "fail"
