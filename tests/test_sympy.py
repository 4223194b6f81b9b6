"""SymPy proofs of the algebraic derivations, and proof that the prover can say no."""

from __future__ import annotations

import pytest

sp = pytest.importorskip("sympy")

from comparisons import symbolic  # noqa: E402
from comparisons.catalog import CATALOG  # noqa: E402


@pytest.mark.parametrize("d", [pytest.param(d, id=d.id) for d in CATALOG if d.sympy])
def test_symbolic_proof(d):
    proof = symbolic.prove(d.id)
    assert proof.holds, f"{d.id}: {proof.statement}: residual {proof.residual}"


def test_every_flagged_derivation_has_a_proof_and_vice_versa():
    assert {d.id for d in CATALOG if d.sympy} == set(symbolic.PROOFS)


def test_prover_rejects_a_wrong_sigmoid_derivative():
    z = sp.Symbol("z", real=True)
    s = 1 / (1 + sp.exp(-z))
    assert not symbolic._is_zero(sp.diff(s, z) - s * (1 + s))


def test_prover_rejects_the_note_004_jacobian_sign():
    """Erratum 8 symbolically: +A_j A_k off the diagonal is not the derivative."""
    z, A, to_e = symbolic._softmax_syms(3)
    wrong = (sp.diff(A[0], z[1]) - A[0] * A[1]).subs(to_e)
    assert not symbolic._is_zero(wrong)


def test_prover_rejects_a_sign_flipped_ce_delta():
    for direct, _, target in symbolic._ce_softmax_deltas(3):
        assert not all(symbolic._is_zero(d + g) for d, g in zip(direct, target))


def test_d9_and_d13_residuals_are_nonzero():
    for pid in ("D9", "D13"):
        p = symbolic.prove(pid)
        assert p.holds and p.residual.split("= ")[-1] != "0"
