"""``backprop-ref verify`` computes the JAX column and the SymPy proofs in forked workers
(`comparisons.overlap`) while it imports torch: the report must be the same as when one
process computes every cell, and a worker that fails or dies leaves its cells to ``build``."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import pytest

from comparisons import overlap, verify

# The streams below fork this test process, where JAX may already run; the children only
# pickle numbers (never JAX), so JAX's warning that a fork may deadlock it does not apply
pytestmark = pytest.mark.filterwarnings("ignore:os.fork\\(\\) was called:RuntimeWarning")


def _safe(monkeypatch):
    """Make :func:`overlap.can_fork` true in this (multi-framework) test process."""
    for name in ("torch", "jax", "jaxlib"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(overlap.os, "cpu_count", lambda: 2)


def test_it_forks_only_in_a_fresh_single_threaded_process_on_several_cores(monkeypatch):
    _safe(monkeypatch)
    assert overlap.can_fork()
    for change in ("torch", "jax", "jaxlib"):
        with monkeypatch.context() as m:
            m.setitem(sys.modules, change, object())
            assert not overlap.can_fork(), change
    with monkeypatch.context() as m:
        m.setattr(threading, "active_count", lambda: 2)
        assert not overlap.can_fork()
    with monkeypatch.context() as m:
        m.setattr(overlap.os, "cpu_count", lambda: 1)
        assert not overlap.can_fork()
    with monkeypatch.context() as m:
        m.setattr(overlap.os, "cpu_count", lambda: None)
        assert not overlap.can_fork()
    with monkeypatch.context() as m:
        m.setattr(overlap.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
        assert not overlap.can_fork()


def test_without_a_fork_nothing_is_computed_ahead(monkeypatch):
    monkeypatch.setattr(overlap, "can_fork", lambda: False)
    ahead = overlap.start([verify.CATALOG[0]], ("torch", "jax"), seed=0, symbolic=True)
    assert ahead.outcome("D1", "jax") is None and ahead.proof("D1") is None
    ahead.close()


def _numbers(send, keys, fail_at=None):
    for k in keys:
        if k == fail_at:
            raise RuntimeError("worker failed")
        send.send((k, k * 10))


def test_a_stream_hands_out_results_in_any_order_once_each():
    stream = overlap._Stream(_numbers, [1, 2, 3])
    assert stream._process.daemon        # a worker never outlives the process that asked
    assert stream.get(3) == 30 and stream.get(1) == 10 and stream.get(2) == 20
    assert stream.get(2) is None and stream.get(4) is None      # taken, or never sent
    stream.close()


def test_a_failed_worker_leaves_what_it_did_not_send_to_the_caller():
    stream = overlap._Stream(_numbers, [1, 2, 3], 2)
    assert stream.get(3) is None and stream.get(1) == 10 and stream.get(2) is None
    stream.close()
    early = overlap._Stream(_numbers, list(range(1000)))
    early.close()                                       # a worker still running is stopped
    assert early.get(999) is None


def _one_then_wait(send, go):
    send.send((1, 10))
    go.wait()
    send.send((2, 20))


def test_a_result_is_handed_out_as_soon_as_it_arrives():
    """get(1) returns on its result, while the worker still runs (it waits for ``go``):
    reading on to the worker's end would cost the overlap.  (The timer only ends a wait
    that never should have started.)"""
    import multiprocessing

    go = multiprocessing.get_context("fork").Event()
    stream = overlap._Stream(_one_then_wait, go)
    guard = threading.Timer(20.0, go.set)
    guard.start()
    try:
        assert stream.get(1) == 10
        assert not go.is_set(), "get(1) waited for the worker to go on"
    finally:
        go.set()
        guard.cancel()
    assert stream.get(2) == 20 and stream._open
    assert stream.get(3) is None and not stream._open       # the worker's end: closed
    stream.close()
    assert not stream._open


def test_a_worker_is_forked_whatever_the_default_start_method():
    """Forked (it inherits what this process imported, and nothing is pickled but results)
    where the default is spawn or forkserver too (macOS; Linux from Python 3.14)."""
    import multiprocessing

    before = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        stream = overlap._Stream(_numbers, [1])
    finally:
        multiprocessing.set_start_method(before, force=True)
    assert isinstance(stream._process, multiprocessing.context.ForkProcess)
    assert stream.get(1) == 10
    stream.close()


def test_ahead_asks_each_stream_only_for_its_own_cells():
    jax = overlap._Stream(_numbers, [5])
    proofs = overlap._Stream(_numbers, [7])
    with overlap.Ahead(jax, proofs) as ahead:
        assert ahead.outcome(5, "torch") is None and ahead.outcome(5, "jax") == 50
        assert ahead.proof(7) == 70
    assert overlap.Ahead().outcome(5, "jax") is None


class _Collect:
    def __init__(self):
        self.sent, self.closed = [], False

    def send(self, item):
        self.sent.append(item)

    def close(self):
        self.closed = True


def test_a_worker_closes_its_end_of_the_pipe_however_it_ends():
    """``_child`` (what runs in the forked process) runs its target with the pipe's end and
    closes it afterwards, also when the target raises: the reader then sees the end."""
    out = _Collect()
    overlap._child(out, _numbers, ([1, 2],))
    assert out.sent == [(1, 10), (2, 20)] and out.closed
    out = _Collect()
    with pytest.raises(RuntimeError, match="worker failed"):
        overlap._child(out, _numbers, ([1, 2], 2))
    assert out.sent == [(1, 10)] and out.closed


def test_the_workers_compute_what_build_would(monkeypatch):
    """The workers' functions, run here: a JAX outcome per derivation (None where it
    raised), a proof per id (None where it raised, the install hint without SymPy)."""
    from comparisons import agreement
    from comparisons.catalog import get

    calls = []

    def fake_run(d, backend, seed):
        calls.append((d.id, backend, seed))
        if d.id == "D2":
            raise ValueError("broken twin")
        return f"{d.id}-{backend}-{seed}"
    monkeypatch.setattr(agreement, "run", fake_run)
    out = _Collect()
    overlap._jax_column(out, [get("D1"), get("D2")], 5)
    assert out.sent == [("D1", "D1-jax-5"), ("D2", None)]
    assert calls == [("D1", "jax", 5), ("D2", "jax", 5)]

    from comparisons import _optional, symbolic
    monkeypatch.setattr(symbolic, "prove", lambda i: {"D1": "proof of D1"}[i])
    out = _Collect()
    overlap._proofs(out, ["D1", "D3"])
    assert out.sent == [("D1", "proof of D1"), ("D3", None)]
    monkeypatch.setattr(_optional, "available", lambda name: False)
    out = _Collect()
    overlap._proofs(out, ["D1"])
    assert out.sent == [("D1", f"not installed — {_optional.install_hint('sympy')}")]


def test_start_forks_a_worker_per_kind_of_work(monkeypatch):
    _safe(monkeypatch)
    seen = []
    monkeypatch.setattr(overlap, "_Stream", lambda target, *a: seen.append((target, a)) or a)
    from comparisons.catalog import get

    ds = [get("D1"), get("D2"), get("D3")]
    ahead = overlap.start(ds, ("torch", "jax"), seed=3, symbolic=True)
    assert seen == [(overlap._jax_column, (ds, 3)), (overlap._proofs, (["D1", "D3"],))]
    assert ahead._jax == (ds, 3) and ahead._proofs == (["D1", "D3"],)
    seen.clear()
    overlap.start(ds, ("torch", "fd"), seed=0, symbolic=False)
    overlap.start([get("D2")], ("torch",), seed=0, symbolic=True)
    assert seen == []


_CELLS = """
import dataclasses, json
from comparisons import overlap, verify
def cells(report):
    return [{"outcomes": {k: dataclasses.asdict(o) for k, o in r.outcomes.items()},
             "proof": dataclasses.asdict(r.proof)} for r in report.rows]
"""


@pytest.mark.D11
def test_a_forked_jax_and_sympy_report_is_the_report_of_one_process():
    """D11's JAX cell and SymPy proof computed in forked workers of a fresh process against
    this process (every cell computed here): the same outcomes, figures and proof."""
    pytest.importorskip("jax")
    pytest.importorskip("sympy")
    call = "verify.build(['D11'], ('jax',), seed=0, float32=False)"
    code = _CELLS + f"assert overlap.can_fork()\nprint(json.dumps(cells({call})))"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    scope: dict = {}
    exec(_CELLS, scope)                                              # noqa: S102
    here = scope["cells"](eval(call, {"verify": verify}))            # noqa: S307
    there = json.loads(r.stdout)
    assert there == json.loads(json.dumps(here))
    assert there[0]["proof"]["holds"] and there[0]["outcomes"]["jax"]["status"] == "ok"
