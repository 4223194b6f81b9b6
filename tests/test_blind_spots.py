"""The blind spots mutation testing found (issue 16), closed in the spec itself.

Each test names the class of slip it exists for.  None of them knows about a particular
mutant: each states a property the reference must have and checks it against autograd, the
central differences or the definition.

* tiny values: the mixed bound of ``comparisons.agreement`` and σ' on both tails;
* paths checked only against themselves: mini-batch SGD (shuffling, the partial last batch)
  and both estimators against a torch-driven run built independently of ``backprop_ref``;
* inputs never drawn: float32 networks with float64 targets, subnormal target
  probabilities (D12's refusal), class-target rows summing to 1 near the tolerance;
* purity: every public function on read-only inputs with random upstream gradients;
* weak assertions: every epoch's loss against autograd; the central-difference bound.
"""

from __future__ import annotations

import dataclasses
from functools import partial

import numpy as np
import pytest

import backprop_ref as bp
from comparisons import agreement
from comparisons.backends import Case, get_backend
from comparisons.catalog import get

torch = pytest.importorskip("torch")
F = torch.nn.functional
EPS64, EPS32 = np.finfo(np.float64).eps, np.finfo(np.float32).eps


# ------------------------------------------------------------------------------ tiny values
def _scaled_tiny(d, factor):
    """``d`` with every output entry below the absolute bound multiplied by ``factor``."""
    def ref(c):
        out = d.reference(c)
        res = {}
        for k, v in out.items():
            v = np.asarray(v)
            atol = agreement.TOLERANCES[v.dtype.name] if v.dtype.name in (
                "float32", "float64") else 0.0
            S = max(1.0, float(np.abs(v).max(initial=0.0)))
            res[k] = np.where(np.abs(v) < atol * S, factor * v, v).astype(v.dtype) \
                if v.dtype.kind == "f" else v
        return res
    return dataclasses.replace(d, reference=ref)


@pytest.mark.D3
@pytest.mark.parametrize(("dtype", "gap"), [(np.float64, 30.0), (np.float32, 12.0)])
def test_entries_below_the_absolute_bound_are_compared_relatively(dtype, gap):
    """softmax([0, −gap]) holds e^−gap, below 1e-12 (float64) or 1e-5 (float32): the purely
    absolute bound let it be anything; now twice its value fails, and the value passes."""
    d = get("D3")
    case = Case({"z": np.array([[0.0, -gap, 1.0], [2.0, 0.5, -gap]]),
                 "g": np.array([[0.3, -1.1, 0.8], [-0.4, 0.9, 1.7]])})
    ok = agreement.run(d, "torch", case=case, dtype=dtype)
    assert ok.status == "ok", ok.message
    assert {c.key: c.tiny for c in ok.checks}["out"] == 2
    bad = agreement.run(_scaled_tiny(d, 2.0), "torch", case=case, dtype=dtype)
    assert bad.status == "fail" and "out" in bad.message
    assert all(c.max_abs <= c.bound for c in bad.checks)   # the absolute bound alone: passes


def test_the_tiny_floor_is_four_ulps_of_one_and_tolerates_framework_rounding():
    """The bound stated in docs/agreement.md: tiny entries within ``1e-6·|theirs| + 4ε·S``.  An
    error of 3ε·S on an entry that is 0 on the framework's side (torch's σ' = y(1 − y) at
    z = 40) passes; 5ε·S fails."""
    assert agreement.TINY["floor"] == {"float64": 4 * EPS64, "float32": 4 * float(EPS32)}
    assert agreement.TINY["rtol"] == 1e-6
    t = np.array([[0.0, 0.5, 1e-13]])
    for err, ok in ((3 * EPS64, True), (5 * EPS64, False)):
        c = agreement._compare("k", t + np.array([[err, 0, 0]]), t, exact=False, mode="twin",
                               dtype_name="float64")
        assert c.ok is ok and c.tiny == 2
    c = agreement._compare("k", t * np.array([[1, 1, 1 + 2e-6]]) + np.array([[0, 0, 4 * EPS64]]),
                           t, exact=False, mode="twin", dtype_name="float64")
    assert not c.ok                             # the relative term is added, not a maximum


@pytest.mark.D1
def test_sigmoid_prime_keeps_its_relative_accuracy_on_both_tails():
    """σ'(z) for z from −700 to −20 against torch, relatively (there σ(z) is tiny, so
    autograd's y(1 − y) cancels nothing), and σ'(z) = σ'(−z) for the other tail, where
    y(1 − y) would lose every digit.  ``¼(1 − tanh²(z/2))`` or ``σ(1 − σ)`` fail here."""
    z = -np.concatenate([np.linspace(20, 700, 69), [25.5, 30.0, 36.0, 40.0, 600.25]])
    tz = torch.from_numpy(z).requires_grad_(True)
    g = torch.from_numpy(np.random.default_rng(1).uniform(0.5, 2.0, z.shape))
    torch.sigmoid(tz).backward(g)
    ours = g.numpy() * bp.sigmoid_prime(z)
    assert np.all(np.abs(ours - tz.grad.numpy()) <= 1e-10 * np.abs(tz.grad.numpy()))
    assert np.all(np.abs(bp.sigmoid_prime(-z) - bp.sigmoid_prime(z))
                  <= 1e-12 * bp.sigmoid_prime(z))
    assert np.all(np.abs(bp.sigmoid(z) - torch.sigmoid(torch.from_numpy(z)).numpy())
                  <= 1e-10 * bp.sigmoid(z))


# ------------------------------------------------------------------------------ training runs
def _batches(n, batch_size, rng):
    """One epoch's batches, written from the spec (D20), not from ``backprop_ref``: a fresh
    permutation per epoch cut into ``batch_size`` rows, the last batch what is left; a
    full batch (no permutation drawn) when ``batch_size`` is None or covers every row."""
    if batch_size is None or batch_size >= n:
        return [np.arange(n)]
    order = rng.permutation(n)
    return [order[i:i + batch_size] for i in range(0, n, batch_size)]


def _torch_run(params, X, y, *, hidden, head, reg, lr, epochs, batch_size, seed):
    """SGD by torch's SGD update (twins_torch.sgd_step) on the torch twin's forward (autograd for every gradient):
    every step's loss, every epoch's mean loss and the final parameters."""
    from comparisons import twins_torch
    t = {k: torch.from_numpy(np.array(v, dtype=np.float64)).requires_grad_(True)
         for k, v in params.items()}
    L = sum(1 for k in t if k.startswith("W"))
    zeros = {f"e{k}{l}": torch.zeros((), dtype=torch.float64)
             for l in range(1, L + 1) for k in "ZA"}
    rng, steps, epoch_means = np.random.default_rng(seed), [], []
    for _ in range(epochs):
        losses = []
        for idx in _batches(X.shape[0], batch_size, rng):
            yb = torch.from_numpy(y[idx])
            loss, _ = twins_torch.mlp_loss(torch.from_numpy(X[idx]), yb, hidden, head, reg,
                                           **t, **zeros)
            loss.backward()
            twins_torch.sgd_step(t.values(), lr)
            losses.append(loss.item())
        steps += losses
        epoch_means.append(float(np.mean(losses)))
    return steps, epoch_means, {k: v.detach().numpy() for k, v in t.items()}


def _assert_same_run(hist, params, steps, epoch_means, final, tol=1e-10):
    assert len(hist.step_losses) == len(steps) and len(hist.epoch_losses) == len(epoch_means)
    assert np.abs(np.array(hist.step_losses) - steps).max() <= tol * max(1, np.abs(steps).max())
    assert np.abs(np.array(hist.epoch_losses) - epoch_means).max() <= tol
    for k in final:
        assert np.abs(params[k] - final[k]).max() <= tol * max(1, np.abs(final[k]).max()), k


@pytest.mark.D20
@pytest.mark.parametrize(("hidden", "head", "batch_size"), [
    ("tanh", "softmax_ce", 7), ("sigmoid", "sigmoid_bce", 16), ("relu", "identity_mse", 5),
    ("tanh", "sigmoid_mse", None)])
def test_d20_minibatch_runs_match_torch_every_step_and_epoch(hidden, head, batch_size):
    """Mini-batch SGD of an MLP (23 rows: the last batch is partial) against torch.optim's SGD
    fed batches cut from the spec's permutation: every step, every epoch mean and the final
    parameters within 1e-10.  Not shuffling, dropping or repeating a row, a batch size off
    by one or one permutation for all epochs all change the run."""
    rng = np.random.default_rng(31)
    X = rng.standard_normal((23, 3))
    y = {"softmax_ce": rng.integers(0, 4, 23), "identity_mse": rng.standard_normal((23, 4))}.get(
        head, rng.uniform(0, 1, (23, 4)))
    p0 = bp.mlp.init_params([3, 5, 4], seed=2)
    p0 = {k: v + 0.1 * rng.standard_normal(v.shape) for k, v in p0.items()}
    fn = partial(bp.mlp.loss_and_grads, hidden=hidden, head=head, reg=0.01)
    params, hist = bp.fit(fn, p0, X, y, lr=0.2, epochs=4, batch_size=batch_size, seed=11)
    run = _torch_run(p0, X, y, hidden=hidden, head=head, reg=0.01, lr=0.2, epochs=4,
                     batch_size=batch_size, seed=11)
    _assert_same_run(hist, params, *run)


@pytest.mark.D20
@pytest.mark.parametrize("model", ["TwoLayerNet", "MLP", "MLP std=0.3"])
def test_d20_estimators_train_exactly_like_an_autograd_run(model):
    """The estimators' ``fit`` (not an accuracy threshold): the loss after each epoch and the
    learned parameters equal a torch.optim SGD run from the same initial parameters."""
    X, y = bp.datasets.make_blobs(45, 4, 3, seed=8)
    if model == "TwoLayerNet":
        net = bp.TwoLayerNet(6, std=0.3, reg=0.02, lr=0.4, epochs=5, batch_size=10, seed=4)
        p0, hidden = bp.two_layer.init_params(4, 6, 3, std=0.3, seed=4), "relu"
    else:
        std = 0.3 if "std" in model else None
        net = bp.MLP((5, 4), hidden="tanh", std=std, reg=0.02, lr=0.4, epochs=5, batch_size=10,
                     seed=4)
        p0, hidden = bp.mlp.init_params([4, 5, 4, 3], seed=4, std=std), "tanh"
    seen = []
    net.fit(X, y, callback=seen.append)
    run = _torch_run(p0, X, y, hidden=hidden, head="softmax_ce", reg=0.02, lr=0.4, epochs=5,
                     batch_size=10, seed=4)
    _assert_same_run(net.history_, net.params_, *run)
    assert [(e.epoch, e.epochs) for e in seen] == [(i, 5) for i in range(1, 6)]
    assert [e.loss for e in seen] == net.history_.epoch_losses
    assert all(np.array_equal(seen[-1].params[k], v) for k, v in net.params_.items())
    probs = net.predict_proba(X)
    want = bp.mlp.forward(net.params_, X, hidden, "softmax_ce")[1][-1]
    assert np.array_equal(probs, want) and np.array_equal(net.predict(X), probs.argmax(1))
    assert net.score(X, y) == np.mean(probs.argmax(1) == y)


@pytest.mark.D20
def test_minibatch_indices_cover_every_row_once_in_a_fresh_order_each_epoch():
    rng = np.random.default_rng(0)
    epochs = [bp.training.minibatch_indices(10, 4, rng) for _ in range(3)]
    for batches in epochs:
        assert [len(b) for b in batches] == [4, 4, 2]
        assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    orders = [np.concatenate(b).tolist() for b in epochs]
    assert orders[0] != orders[1] != orders[2] and orders[0] != list(range(10))
    assert [b.tolist() for b in bp.training.minibatch_indices(5, 5, rng)] == [[0, 1, 2, 3, 4]]
    assert [b.tolist() for b in bp.training.minibatch_indices(5, None, rng)] == [[0, 1, 2, 3, 4]]


# ------------------------------------------------------------------------------ inputs
@pytest.mark.D18
@pytest.mark.parametrize("head", ["sigmoid_bce", "sigmoid_mse", "identity_mse", "softmax_ce"])
@pytest.mark.parametrize("loop", [False, True])
def test_float32_networks_with_float64_targets(head, loop):
    """A float32 network fed float64 targets stays float32 end to end and agrees with the
    float64 autograd twin at the float32 bound."""
    c = get("D18").cases(np.random.default_rng(5), head=head, hidden="sigmoid", depth=2)
    params = {k: v.astype(np.float32) for k, v in c.arrays.items() if k[0] in "Wb"}
    X32 = c["X"].astype(np.float32)
    y = c["y"] if head != "softmax_ce" else bp.one_hot(c["y"], params["W2"].shape[1]) \
        if np.ndim(c["y"]) == 1 else c["y"]
    assert np.asarray(y).dtype == np.float64
    fn = bp.mlp.loss_and_grads_loop if loop else bp.mlp.loss_and_grads
    res = fn(params, X32, y, "sigmoid", head, reg=c["reg"])
    assert res.loss.dtype == np.float32
    assert all(v.dtype == np.float32 for v in [*res.grads.values(), *res.intermediates.values()])
    exact = Case({k: v.astype(np.float64) if k[0] in "WbX" else v
                  for k, v in {**c.arrays, **params, "X": X32, "y": y}.items()}, c.static)
    theirs = get_backend("torch").evaluate(get("D18").twin, exact)
    ours = {"out": res.loss, **{f"d{k}": v for k, v in res.grads.items()}, **res.intermediates}
    for k, v in theirs.items():
        check = agreement._compare(k, ours[k], v, exact=False, mode="twin", dtype_name="float32")
        assert check.ok, (k, check)


@pytest.mark.D12
@pytest.mark.parametrize(("dtype", "gap", "refuses"), [
    (np.float64, 700.0, False), (np.float64, 708.3, False), (np.float64, 708.5, True),
    (np.float64, 725.0, True), (np.float64, 744.0, True), (np.float64, 760.0, True),
    (np.float32, 87.0, False), (np.float32, 87.5, True), (np.float32, 100.0, True)])
def test_d12_refuses_exactly_where_the_target_probability_is_subnormal(dtype, gap, refuses):
    """The target class e^−gap/(1 + e^−gap): normal down to a gap of 708.39 (float64) or 87.3
    (float32), subnormal beyond, 0 past ~745.  The Jacobian route must refuse from the
    first subnormal on (there −Y/(N·A) is inexact, and XLA, which flushes subnormals,
    gives nan), and agree with D11 and with autograd up to it."""
    far = 720.0 if dtype == np.float64 else 95.0   # row 2: a subnormal non-target only
    z = np.array([[0.0, -gap], [0.3, -0.2], [0.0, -far]], dtype=dtype)
    y = np.array([1, 0, 0])
    A = bp.softmax(z)
    assert (A[0, 1] < np.finfo(dtype).tiny) == refuses
    assert 0 < A[2, 1] < np.finfo(dtype).tiny
    if refuses:
        with pytest.raises(ValueError, match="underflowed to .* target class 1 of row 0"):
            bp.delta_ce_softmax_jacobian(z, y)
        return
    ours = bp.delta_ce_softmax_jacobian(z, y)
    assert ours.dtype == dtype
    simple = bp.delta_ce_softmax(z, y)
    assert np.abs(ours - simple).max() <= 4 * np.finfo(dtype).eps
    tz = torch.from_numpy(z.astype(np.float64)).requires_grad_(True)
    target_p = F.softmax(tz, dim=1).gather(1, torch.from_numpy(y)[:, None])
    (-torch.log(target_p).mean()).backward()
    assert np.abs(ours - tz.grad.numpy()).max() <= (1e-12 if dtype == np.float64 else 1e-6)


@pytest.mark.D11
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("K", [2, 4, 7])
def test_class_target_rows_must_sum_to_one_within_64_eps_k(dtype, K):
    """Soft or one-hot rows may miss 1 by rounding (64·ε·K of their dtype), not by more: half
    the tolerance is accepted, twice it is refused (the only earlier test summed to 2)."""
    tol = 64 * float(np.finfo(dtype).eps) * K
    z = np.zeros((2, K), dtype=dtype)
    for dev, accepted in ((0.5 * tol, True), (-0.5 * tol, True), (2 * tol, False),
                          (-2 * tol, False), (1e-2, False)):
        Y = np.full((2, K), 1.0 / K)
        Y[1, -1] += dev
        Y = Y.astype(dtype)
        off = abs(float(Y[1].sum(dtype=dtype)) - 1)
        assert (off <= tol) == accepted, (dev, off, tol)   # the row is what it says
        for fn in (bp.delta_ce_softmax, bp.cross_entropy_with_logits):
            if accepted:
                fn(z, Y)
            else:
                with pytest.raises(ValueError, match="rows must sum to 1.*row 1"):
                    fn(z, Y)


#: functions that combine several float arrays: each must be computed in the promoted dtype
#: of all of them (float64 as soon as one of them is), whichever argument is the wide one
MIXED = {
    "dense_forward": (lambda a: bp.dense_forward(*a)[0],
                      lambda r: [r.standard_normal((4, 3)), r.standard_normal((3, 2)),
                                 r.standard_normal(2)]),
    "dense_backward": (lambda a: bp.dense_backward(a[0], (a[1], a[2])),
                       lambda r: [r.standard_normal((4, 2)), r.standard_normal((4, 3)),
                                  r.standard_normal((3, 2))]),
    "hidden_delta": (lambda a: bp.hidden_delta(*a, "tanh"),
                     lambda r: [r.standard_normal((4, 2)), r.standard_normal((3, 2)),
                                r.standard_normal((4, 3))]),
    "mlp.loss_and_grads": (
        lambda a: bp.mlp.loss_and_grads(dict(zip(("W1", "b1", "W2", "b2"), a[1:])), a[0],
                                        np.array([0, 1, 1, 0]), "sigmoid", reg=0.1),
        lambda r: [r.standard_normal((4, 3)), r.standard_normal((3, 5)), r.standard_normal(5),
                   r.standard_normal((5, 2)), r.standard_normal(2)]),
}


def _flat(out):
    if isinstance(out, np.ndarray):
        return [out]
    if isinstance(out, dict):
        return [x for v in out.values() for x in _flat(v)]
    if isinstance(out, (tuple, list)):
        return [x for v in out for x in _flat(v)]
    return [np.asarray(out)] if isinstance(out, (np.floating, float)) else []


@pytest.mark.parametrize("name", sorted(MIXED))
def test_mixed_float_widths_promote_whichever_argument_is_wide(name):
    """With one float64 argument among float32 ones, the result is what float64 gives on
    the same values (not a float32 computation promoted at the end)."""
    fn, make = MIXED[name]
    wide = make(np.random.default_rng(3))
    narrow = [a.astype(np.float32) for a in wide]
    assert all(o.dtype == np.float32 for o in _flat(fn(narrow)))
    for i in range(len(wide)):
        args = [w if j == i else n for j, (w, n) in enumerate(zip(wide, narrow))]
        got = _flat(fn(args))
        want = _flat(fn([a.astype(np.float64) for a in args]))
        assert all(g.dtype == np.float64 for g in got), (name, i)
        for g, w in zip(got, want):
            assert np.abs(g - w).max() <= 1e-14 * max(1.0, np.abs(w).max()), (name, i)


# ------------------------------------------------------------------------------ purity
def _ro(a):
    a = np.array(a)
    a.setflags(write=False)
    return a


R = np.random.default_rng(2026)
Z = _ro(R.standard_normal((5, 3)))
G = _ro(R.standard_normal((5, 3)))                # a random upstream gradient
LAB = _ro(np.array([0, 2, 1, 1, 0]))
SOFT = _ro(0.6 * bp.one_hot(LAB, 3) + 0.4 * R.dirichlet(np.ones(3), 5))
PROB = _ro(bp.softmax(Z))
T01 = _ro(R.uniform(0.05, 0.95, (5, 3)))
XN = _ro(R.standard_normal((5, 4)))
W = _ro(R.standard_normal((4, 3)))
B = _ro(R.standard_normal(3))
P2 = {k: _ro(v + 0.1) for k, v in bp.two_layer.init_params(4, 6, 3, seed=1).items()}
P3 = {k: _ro(v + 0.1) for k, v in bp.mlp.init_params([4, 5, 4, 3], seed=1).items()}
GRADS = {k: _ro(R.standard_normal(v.shape)) for k, v in P2.items()}

#: every public function, called on read-only inputs (random upstream gradients where it
#: takes one); name -> call
PURE_CALLS = {
    **{name: (lambda f: lambda: f(Z))(getattr(bp, name)) for name in (
        "sigmoid", "sigmoid_prime", "relu", "relu_prime", "tanh", "tanh_prime", "softmax",
        "log_softmax", "softmax_jacobian", "predict_labels")},
    "softmax_backward": lambda: bp.softmax_backward(G, Z),
    "one_hot": lambda: bp.one_hot(LAB, 3),
    "mse": lambda: bp.mse(Z, G), "mse_grad": lambda: bp.mse_grad(Z, G),
    "binary_cross_entropy": lambda: bp.binary_cross_entropy(PROB, T01),
    "binary_cross_entropy_grad": lambda: bp.binary_cross_entropy_grad(PROB, T01),
    "binary_cross_entropy_with_logits": lambda: bp.binary_cross_entropy_with_logits(Z, T01),
    "cross_entropy": lambda: bp.cross_entropy(PROB, SOFT),
    "cross_entropy_grad": lambda: bp.cross_entropy_grad(PROB, LAB),
    "cross_entropy_with_logits": lambda: bp.cross_entropy_with_logits(Z, SOFT),
    "l2_penalty": lambda: bp.l2_penalty([W, Z], 0.3), "l2_grad": lambda: bp.l2_grad(W, 0.3),
    "delta_mse_sigmoid": lambda: bp.delta_mse_sigmoid(Z, T01),
    "delta_bce_sigmoid": lambda: bp.delta_bce_sigmoid(Z, T01),
    "delta_ce_softmax": lambda: bp.delta_ce_softmax(Z, SOFT),
    "delta_ce_softmax_jacobian": lambda: bp.delta_ce_softmax_jacobian(Z, LAB),
    "delta_mse_identity": lambda: bp.delta_mse_identity(Z, G),
    **{f"hidden_delta[{a}]": (lambda a: lambda: bp.hidden_delta(G, W, XN, a))(a)
       for a in ("relu", "sigmoid", "tanh")},
    "dense_forward": lambda: bp.dense_forward(XN, W, B),
    "dense_backward": lambda: bp.dense_backward(G, (XN, W)),
    "two_layer.loss_and_grads": lambda: bp.two_layer.loss_and_grads(P2, XN, SOFT, reg=0.1),
    "two_layer.loss_and_grads_loop": lambda: bp.two_layer.loss_and_grads_loop(P2, XN, LAB, 0.1),
    "two_layer.predict": lambda: bp.two_layer.predict(P2, XN),
    "mlp.loss_and_grads": lambda: bp.mlp.loss_and_grads(P3, XN, T01, "tanh", "sigmoid_bce",
                                                        0.1),
    "mlp.loss_and_grads_loop": lambda: bp.mlp.loss_and_grads_loop(P3, XN, G, "sigmoid",
                                                                  "identity_mse", 0.1),
    "mlp.forward": lambda: bp.mlp.forward(P3, XN, "tanh", "sigmoid_mse"),
    "mlp.predict": lambda: bp.mlp.predict(P3, XN, "relu", "softmax_ce"),
    "sgd_step": lambda: bp.sgd_step(P2, GRADS, 0.1),
    "fit": lambda: bp.fit(partial(bp.two_layer.loss_and_grads, reg=0.1), P2, XN, LAB, lr=0.1,
                          epochs=2, batch_size=2),
    "datasets.standardize": lambda: bp.datasets.standardize(XN, _ro(2 * XN[:2])),
    "datasets.train_test_split": lambda: bp.datasets.train_test_split(XN, LAB, 0.4),
    "TwoLayerNet": lambda: bp.TwoLayerNet(3, epochs=2, batch_size=2).fit(XN, LAB).score(XN, LAB),
    "MLP": lambda: bp.MLP((3,), epochs=2).fit(XN, SOFT).predict_proba(XN),
    **{f"heads.{n}": (lambda h: lambda: (h.loss(Z, h.activate(Z), h.targets(
        T01 if h.name != "softmax_ce" else LAB, Z)), h.delta(Z, h.activate(Z), h.targets(
            T01 if h.name != "softmax_ce" else LAB, Z))))(h) for n, h in bp.HEADS.items()},
}
ALL_INPUTS = [Z, G, LAB, SOFT, PROB, T01, XN, W, B, *P2.values(), *P3.values(),
              *GRADS.values()]


@pytest.mark.parametrize("name", sorted(PURE_CALLS))
def test_every_public_function_is_pure_on_read_only_inputs(name):
    """Read-only inputs make any write to them raise; the copies taken first show that
    nothing else changed them either.  The outputs must not be the inputs themselves (a
    caller writing to a result must not write to its own argument)."""
    before = [a.copy() for a in ALL_INPUTS]
    out = PURE_CALLS[name]()
    for a, b in zip(ALL_INPUTS, before):
        assert np.array_equal(a, b) and not a.flags.writeable
    outs = out if isinstance(out, tuple) else (out,)
    if name == "dense_forward":
        outs = outs[:1]                 # the cache is (X, W) themselves, by design
    flat = [o for x in outs for o in (x.values() if isinstance(x, dict) else
                                      x if isinstance(x, (tuple, list)) else [x])]
    for o in flat:
        if isinstance(o, np.ndarray):
            assert not any(np.shares_memory(o, a) for a in ALL_INPUTS), name


# ------------------------------------------------------------------------------ the FD bound
@pytest.mark.parametrize("did", ["D6", "D14", "D18"])
def test_central_differences_reject_an_error_just_above_their_bound(did):
    """A gradient off by 1e-6 of the whole gradient (ten times the 1e-7 bound) fails the
    central-difference check, and one off by 1e-9 passes: the bound is 1e-7, not 1e-3."""
    d = get(did)
    case = d.cases(np.random.default_rng(4), fd_safe=True)
    ref = d.reference(case)
    theirs = get_backend("fd").evaluate(d.twin, case)
    key = next(k for k in theirs if k != "out")
    whole = max(float(np.abs(np.asarray(a, dtype=np.float64)).max())     # as agreement.run
                for k, v in theirs.items() if k in ref for a in (ref[k], v))

    def nudged(rel):
        def r(c):
            out = dict(d.reference(c))
            bump = np.zeros_like(out[key])
            bump.flat[0] = rel * whole
            out[key] = out[key] + bump
            return out
        return dataclasses.replace(d, reference=r)
    assert agreement.run(d, "fd", case=case).status == "ok"
    assert agreement.run(nudged(1e-9), "fd", case=case).status == "ok"
    bad = agreement.run(nudged(1e-6), "fd", case=case)
    assert bad.status == "fail" and 5e-7 < bad.max_rel < 2e-6
