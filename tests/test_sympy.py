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


#: what each proof states (the verify report prints it), for the sizes it is proved at
STATEMENTS = {
    "D1": "d/dz σ(z) = σ(z)(1 − σ(z))",
    "D3": "softmax(z + c) = softmax(z) and Σ_k A_k = 1 (K = 3)",
    "D4": "∂A_i/∂z_k = A_i(δ_ik − A_k) for K = 3, 4",
    "D6": "∂/∂a (1/N)Σ ½‖a − y‖² = (a − y)/N (N = 2, K = 3)",
    "D7": "∂/∂A −(1/N)ΣΣ Y log A = −Y/(N·A) (N = 2, K = 3)",
    "D8": "2-class CE of [1 − a, a] = BCE(a); ∂BCE/∂a = (a − y)/(a(1 − a))",
    "D9": "∂/∂z ½(σ(z) − y)² = (σ − y)σ(1 − σ), which is NOT σ − y",
    "D10": "∂/∂z BCE(σ(z), y) = σ(z) − y: σ' cancels",
    "D11": "∂/∂z −log softmax(z)_t = A − Y for K = 2, 3, 4 and every t",
    "D12": "Jᵀ ∂L/∂A simplifies to A − Y for K = 2, 3, 4 (D12 = D11)",
    "D13": "∂BCE/∂z ≠ (a − y) ⊙ σ'(z): the struck-out pairing is wrong",
    "D14": "for Z = XW + b: ∂/∂W = Xᵀδ, ∂/∂b = Σ_n δ_n, ∂/∂X = δWᵀ (2×3·3×2)",
    "D15": "∂/∂Z Σ δ⊙(g(Z)W) = (δWᵀ) ⊙ g'(Z) for any g; tanh' = 1 − tanh²",
    "D16": "∂/∂W ½·reg·‖W‖² = reg·W",
    "D19": "Σ_n a_n δ_nᵀ (per-sample outer products) = Aᵀ Δ (m = 3)",
}


def test_each_proof_states_its_identity_and_an_identity_leaves_residual_0():
    """The statement is what the reader is told was proved (sizes included); an identity's
    residual is the reduced difference, "0"; a non-identity's names what is left."""
    assert set(STATEMENTS) == set(symbolic.PROOFS)
    for pid, statement in STATEMENTS.items():
        proof = symbolic.prove(pid)
        assert proof.statement == statement, pid
        if pid in ("D9", "D13"):
            assert proof.residual.startswith(("δ − (σ − y) = ", "∂BCE/∂z − (a − y)σ' = "))
        else:
            assert proof.residual == "0", pid


@pytest.mark.D1
def test_d1_claims_the_logistic_sigmoids_derivative(monkeypatch):
    """The claim of D1's proof is σ(1 − σ) of σ(z) = 1/(1 + e^{−z}), in its one variable
    (whatever its name): another σ (1/(1 − e^{−z}) satisfies the same equation) would
    prove something else."""
    claims = []
    monkeypatch.setattr(symbolic, "_claim", lambda expr: claims.append(expr) or expr)
    symbolic.d1()
    assert len(claims) == 1 and len(claims[0].free_symbols) == 1
    (z,) = claims[0].free_symbols
    s = 1 / (1 + sp.exp(-z))
    assert sp.simplify(claims[0] - s * (1 - s)) == 0


# ------------------------------------------------- each proof, run afresh (not prove's cache)
# `symbolic.prove` runs a proof once per process; the tests below call the proof functions
# themselves, so that what they check is what they computed (SymPy's caches warm: about
# 0.6 s for all of them).


def _residual_value(proof, z, y):
    """The expression after ``= `` in a non-identity's residual, read back with SymPy."""
    return sp.sympify(proof.residual.split("= ", 1)[1], locals={"z": z, "y": y})


@pytest.mark.parametrize("pid", sorted(STATEMENTS, key=lambda p: int(p[1:])))
def test_each_proof_run_afresh_states_its_sizes_and_leaves_its_residual(pid):
    """The statement word for word; an identity leaves "0"; D9's and D13's residuals are
    the difference they name, checked at three points (σ − y is ∂BCE/∂z, and
    (σ − y)σ(1 − σ) is ∂½(σ − y)²/∂z): a BCE or a square written wrong still leaves some
    non-zero residual, so `holds` alone would not notice."""
    proof = symbolic.PROOFS[pid]()
    assert proof.statement == STATEMENTS[pid] and proof.holds
    if pid not in ("D9", "D13"):
        assert proof.residual == "0"
        return
    z, y = sp.Symbol("z", real=True), sp.Symbol("y", real=True)
    s = 1 / (1 + sp.exp(-z))
    want = ((s - y) * s * (1 - s) - (s - y)) if pid == "D9" else ((s - y) - (s - y) * s * (1 - s))
    got = _residual_value(proof, z, y)
    for zv, yv in ((0.3, 0.7), (-1.2, 0.0), (2.5, 1.0)):
        assert abs(float((got - want).subs({z: zv, y: yv}))) < 1e-12, (pid, zv, yv)


#: the sizes each proof over softmax runs at, as its statement says
SOFTMAX_SIZES = {"D3": [3], "D4": [3, 4], "D11": [2, 3, 4], "D12": [2, 3, 4]}


@pytest.mark.parametrize("pid", sorted(SOFTMAX_SIZES))
def test_each_softmax_proof_runs_at_the_sizes_its_statement_names(pid, monkeypatch):
    sizes, real = [], symbolic._softmax_syms
    monkeypatch.setattr(symbolic, "_softmax_syms", lambda K: sizes.append(K) or real(K))
    assert symbolic.PROOFS[pid]().holds
    assert sizes == SOFTMAX_SIZES[pid]


@pytest.mark.parametrize("pid", [p for p in sorted(symbolic.PROOFS) if p not in ("D9", "D13")])
def test_a_claim_wrong_in_its_first_place_alone_fails_the_proof(pid, monkeypatch):
    """Only the first claimed expression doubled: every expression a proof builds must
    reach the check (a proof that kept only its last group of expressions still holds)."""
    calls = []

    def first_wrong(expr):
        calls.append(expr)
        return 2 * expr if len(calls) == 1 else expr

    monkeypatch.setattr(symbolic, "_claim", first_wrong)
    proof = symbolic.PROOFS[pid]()
    assert calls and not proof.holds and proof.residual not in ("", "0"), pid


@pytest.mark.parametrize("K", [2, 3])
def test_the_softmax_symbols_are_k_real_logits_and_k_positive_exponentials(K):
    """What lets `cancel` settle the softmax proofs: A_k = e^{z_k}/Σ_j e^{z_j} over K real
    z, and e^{z_k} → e_k, K positive symbols."""
    z, A, to_e = symbolic._softmax_syms(K)
    assert len(z) == len(A) == len(to_e) == K
    assert all(zk.is_real for zk in z)
    assert list(to_e) == [sp.exp(zk) for zk in z]
    assert all(ek.is_positive for ek in to_e.values())
    assert sp.simplify(sum(A) - 1) == 0


def test_a_matrix_of_symbols_has_its_shape_and_real_entries_named_by_position():
    M = symbolic._mat("w", 2, 3)
    assert M.shape == (2, 3) and [str(v) for v in M] == ["w00", "w01", "w02", "w10", "w11", "w12"]
    assert all(v.is_real for v in M)


def test_d11_proves_the_direct_route_and_d12_the_jacobian_chain(monkeypatch):
    """With one route's derivative made wrong (negated), only the proof of that route
    fails: D11 is proved on ∂/∂z −log softmax(z)_t itself, D12 on Jᵀ ∂L/∂A."""
    real = symbolic._ce_softmax_deltas

    def negated(route):
        def deltas(K):
            return [tuple([-e for e in d[i]] if i == route else d[i] for i in range(3))
                    for d in real(K)]
        return deltas

    monkeypatch.setattr(symbolic, "_ce_softmax_deltas", negated(0))
    assert not symbolic.d11().holds and symbolic.d12().holds
    monkeypatch.setattr(symbolic, "_ce_softmax_deltas", negated(1))
    assert symbolic.d11().holds and not symbolic.d12().holds


def test_d9_fails_where_the_shortcut_would_be_exact(monkeypatch):
    """D9 holds when δ is (σ − y)σ(1 − σ) *and* differs from σ − y.  In a world where the
    derivative were σ − y and the claim said so too, the first part holds and the
    residual is 0: D9 must fail."""
    z, y = sp.Symbol("z", real=True), sp.Symbol("y", real=True)
    s = 1 / (1 + sp.exp(-z))
    real_diff = sp.diff
    monkeypatch.setattr(sp, "diff", lambda expr, var: s - y if var == z else real_diff(expr, var))
    monkeypatch.setattr(symbolic, "_claim", lambda expr: s - y)
    p = symbolic.d9()
    assert not p.holds and p.residual == "δ − (σ − y) = 0"
