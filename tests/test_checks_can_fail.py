"""Every check must be able to fail: break each derivation on purpose and watch it go red.

For each derivation and backend, one entry of each compared output of the reference is
sign-flipped (or, for D13, the wrong pairing is replaced by the right one); the run must
then report a failure.  A check that survives this would be one that cannot fail.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import backprop_ref as bp
from comparisons import agreement
from comparisons.catalog import CATALOG, get


def _break(d, key):
    def broken(case):
        out = dict(d.reference(case))
        v = np.array(out[key], copy=True)
        flat = v.reshape(-1)
        i = int(np.argmax(np.abs(flat)))
        if v.dtype.kind in "iub":
            flat[i] += 1
        else:
            flat[i] = -flat[i] if flat[i] != 0 else 1.0
        out[key] = v
        return out
    return dataclasses.replace(d, reference=broken)


CASES = [pytest.param(d, b, id=f"{d.id}-{b}") for d in CATALOG if d.expect == "agree"
         for b in ("torch", "jax", "fd") if b != "fd" or d.fd]


@pytest.mark.parametrize(("d", "backend"), CASES)
def test_a_sign_flip_in_any_compared_output_is_caught(d, backend):
    keys = [c.key for c in agreement.run(d, backend, seed=0).checks]
    assert keys
    for key in keys:
        out = agreement.run(_break(d, key), backend, seed=0)
        assert out.status == "fail", f"{d.id}/{backend}: flipping {key} went unnoticed"


@pytest.mark.parametrize("backend", ["torch", "jax", "fd"])
def test_d13_goes_red_if_the_wrong_pairing_is_replaced_by_the_right_one(backend):
    d13 = get("D13")
    right = dataclasses.replace(d13, reference=lambda c: {
        "dz": bp.delta_bce_sigmoid(c["z"], c["y"])})
    assert agreement.run(right, backend, seed=0).status == "fail"


def test_a_sign_error_in_the_library_itself_turns_d11_d17_red(monkeypatch):
    """Patch the real softmax+CE head (not the catalog) and watch the checks fail."""
    head = bp.HEADS["softmax_ce"]
    original = type(head).delta
    monkeypatch.setattr(type(head), "delta", lambda self, Z, A, T: -original(self, Z, A, T))
    for did in ("D11", "D18"):
        d = get(did)
        case = None
        if did == "D18":
            from comparisons import cases
            case = cases.mlp_case(np.random.default_rng(0), head="softmax_ce")
        assert agreement.run(d, "torch", case=case).status == "fail", did
