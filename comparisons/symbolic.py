"""SymPy proofs of the catalog's algebraic identities.

Each proof builds both sides symbolically and reduces their difference; an identity holds
when ``simplify(ours − theirs) == 0``.  Softmax is written over ``e_i = exp(z_i)``
(positive symbols), so every expression is a rational function that ``cancel`` settles.
Two proofs are of *non*-identities (D9, D13): they hold when the residual is **not** 0.

Each identity compares what SymPy derives with what the notes **claim** (``A − Y``,
``σ(1 − σ)``, ``Xᵀδ`` …), and every claimed side passes through :func:`_claim`, the
identity.  ``tests/test_instruments.py`` replaces it with ``2·claim``: every proof must then
fail, so a proof that compares a derivation with itself, or never looks at the claim,
cannot pass unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ._optional import require

__all__ = ["Proof", "PROOFS", "prove"]


@dataclass(frozen=True)
class Proof:
    statement: str
    holds: bool
    residual: str

    @property
    def verdict(self) -> str:
        return "proved" if self.holds else "FAILED"


def _sp():
    return require("sympy")


def _claim(expr):
    """The notes' side of an identity (the identity function; see the module's docstring)."""
    return expr


def _is_zero(expr) -> bool:
    sp = _sp()
    return sp.simplify(sp.cancel(sp.together(expr))) == 0


def _softmax_syms(K):
    sp = _sp()
    z = sp.symbols(f"z1:{K + 1}", real=True)
    e = sp.symbols(f"e1:{K + 1}", positive=True)
    S = sum(sp.exp(zi) for zi in z)
    A = [sp.exp(zi) / S for zi in z]
    to_e = {sp.exp(zi): ei for zi, ei in zip(z, e)}
    return z, A, to_e


def _all_zero(exprs, subs=None) -> tuple[bool, str]:
    """Whether every expression is 0, and the first two that are not (simplified)."""
    bad = []
    for ex in exprs:
        ex = ex.subs(subs) if subs else ex
        if not _is_zero(ex):
            bad.append(str(_sp().simplify(ex)))
            if len(bad) == 2:
                break
    return (not bad), ("0" if not bad else "; ".join(bad))


def d1():
    sp = _sp()
    z = sp.Symbol("z", real=True)
    s = 1 / (1 + sp.exp(-z))
    ok, res = _all_zero([sp.diff(s, z) - _claim(s * (1 - s))])
    return Proof("d/dz σ(z) = σ(z)(1 − σ(z))", ok, res)


def d3():
    sp = _sp()
    c = sp.Symbol("c", real=True)
    z, A, to_e = _softmax_syms(3)
    shifted = [sp.exp(zi + c) / sum(sp.exp(zj + c) for zj in z) for zi in z]
    exprs = [sp.expand(sa) - _claim(a) for sa, a in zip(shifted, A)] + [sum(A) - _claim(1)]
    ok, res = _all_zero([sp.powsimp(sp.expand(e)) for e in exprs], to_e)
    return Proof("softmax(z + c) = softmax(z) and Σ_k A_k = 1 (K = 3)", ok, res)


def d4():
    sp = _sp()
    exprs = []
    for K in (3, 4):
        z, A, to_e = _softmax_syms(K)
        exprs += [(sp.diff(A[i], z[k]) - _claim(A[i] * (int(i == k) - A[k]))).subs(to_e)
                  for i in range(K) for k in range(K)]
    ok, res = _all_zero(exprs)
    return Proof("∂A_i/∂z_k = A_i(δ_ik − A_k) for K = 3, 4", ok, res)


def d6():
    sp = _sp()
    N, K = 2, 3
    a = sp.Matrix(N, K, lambda n, k: sp.Symbol(f"a{n}{k}", real=True))
    y = sp.Matrix(N, K, lambda n, k: sp.Symbol(f"y{n}{k}", real=True))
    L = sum((a[n, k] - y[n, k]) ** 2 for n in range(N) for k in range(K)) / 2 / N
    ok, res = _all_zero([sp.diff(L, a[n, k]) - _claim((a[n, k] - y[n, k]) / N)
                         for n in range(N) for k in range(K)])
    return Proof(f"∂/∂a (1/N)Σ ½‖a − y‖² = (a − y)/N (N = {N}, K = {K})", ok, res)


def d7():
    sp = _sp()
    N, K = 2, 3
    A = sp.Matrix(N, K, lambda n, k: sp.Symbol(f"A{n}{k}", positive=True))
    Y = sp.Matrix(N, K, lambda n, k: sp.Symbol(f"Y{n}{k}", nonnegative=True))
    L = -sum(Y[n, k] * sp.log(A[n, k]) for n in range(N) for k in range(K)) / N
    ok, res = _all_zero([sp.diff(L, A[n, k]) - _claim(-Y[n, k] / (N * A[n, k]))
                         for n in range(N) for k in range(K)])
    return Proof(f"∂/∂A −(1/N)ΣΣ Y log A = −Y/(N·A) (N = {N}, K = {K})", ok, res)


def d8():
    sp = _sp()
    a = sp.Symbol("a", positive=True)
    y = sp.Symbol("y", real=True)
    bce = -(y * sp.log(a) + (1 - y) * sp.log(1 - a))
    ce2 = -((1 - y) * sp.log(1 - a) + y * sp.log(a))   # classes [0, 1]: probs [1 − a, a]
    grad = sp.diff(bce, a) - _claim((a - y) / (a * (1 - a)))
    ok, res = _all_zero([ce2 - _claim(bce), grad])
    return Proof("2-class CE of [1 − a, a] = BCE(a); ∂BCE/∂a = (a − y)/(a(1 − a))", ok, res)


def _sigmoid_pair():
    sp = _sp()
    z, y = sp.Symbol("z", real=True), sp.Symbol("y", real=True)
    s = 1 / (1 + sp.exp(-z))
    return sp, z, y, s


def d9():
    sp, z, y, s = _sigmoid_pair()
    delta = sp.diff((s - y) ** 2 / 2, z)
    exact = _is_zero(delta - _claim((s - y) * s * (1 - s)))
    residual = sp.simplify(delta - (s - y))
    holds = exact and residual != 0
    return Proof("∂/∂z ½(σ(z) − y)² = (σ − y)σ(1 − σ), which is NOT σ − y", holds,
                 f"δ − (σ − y) = {residual}")


def d10():
    sp, z, y, s = _sigmoid_pair()
    bce = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
    ok, res = _all_zero([sp.diff(bce, z) - _claim(s - y)])
    return Proof("∂/∂z BCE(σ(z), y) = σ(z) − y: σ' cancels", ok, res)


def _ce_softmax_deltas(K):
    """For each target class t: (direct ∂L/∂z, Jᵀ ∂L/∂A, A − Y), in e-symbols."""
    sp = _sp()
    z, A, to_e = _softmax_syms(K)
    out = []
    for t in range(K):
        Y = [int(k == t) for k in range(K)]
        L = -sp.log(A[t])
        direct = [sp.diff(L, z[k]) for k in range(K)]
        dL_dA = [-Y[i] / A[i] for i in range(K)]
        J = [[sp.diff(A[i], z[k]) for k in range(K)] for i in range(K)]
        chain = [sum(J[i][k] * dL_dA[i] for i in range(K)) for k in range(K)]
        target = [_claim(A[k] - Y[k]) for k in range(K)]
        out.append(([d.subs(to_e) for d in direct], [c.subs(to_e) for c in chain],
                    [g.subs(to_e) for g in target]))
    return out


def _ce_softmax_route_is_a_minus_y(route: int, statement: str):
    """route 0: the direct derivative (D11); route 1: the Jacobian chain (D12)."""
    exprs = []
    for K in (2, 3, 4):
        for deltas in _ce_softmax_deltas(K):
            exprs += [d - g for d, g in zip(deltas[route], deltas[2])]
    ok, res = _all_zero(exprs)
    return Proof(statement, ok, res)


def d11():
    return _ce_softmax_route_is_a_minus_y(
        0, "∂/∂z −log softmax(z)_t = A − Y for K = 2, 3, 4 and every t")


def d12():
    return _ce_softmax_route_is_a_minus_y(
        1, "Jᵀ ∂L/∂A simplifies to A − Y for K = 2, 3, 4 (D12 = D11)")


def d13():
    sp, z, y, s = _sigmoid_pair()
    bce = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
    residual = sp.simplify(sp.diff(bce, z) - (s - y) * s * (1 - s))
    return Proof("∂BCE/∂z ≠ (a − y) ⊙ σ'(z): the struck-out pairing is wrong",
                 residual != 0, f"∂BCE/∂z − (a − y)σ' = {residual}")


def _mat(name, n, m):
    sp = _sp()
    return sp.Matrix(n, m, lambda i, j: sp.Symbol(f"{name}{i}{j}", real=True))


def d14():
    sp = _sp()
    X, W, G = _mat("x", 2, 3), _mat("w", 3, 2), _mat("g", 2, 2)
    b = _mat("b", 1, 2)
    Z = X * W + sp.ones(2, 1) * b
    s = sum(G[i, j] * Z[i, j] for i in range(2) for j in range(2))
    grad = lambda M: sp.Matrix(M.shape[0], M.shape[1], lambda i, j: sp.diff(s, M[i, j]))  # noqa
    exprs = list(grad(W) - _claim(X.T * G)) + list(grad(b) - _claim(sp.ones(1, 2) * G)) + list(
        grad(X) - _claim(G * W.T))
    ok, res = _all_zero(exprs)
    return Proof("for Z = XW + b: ∂/∂W = Xᵀδ, ∂/∂b = Σ_n δ_n, ∂/∂X = δWᵀ (2×3·3×2)", ok, res)


def d15():
    sp = _sp()
    g = sp.Function("g")
    Z, W, D = _mat("z", 2, 3), _mat("w", 3, 2), _mat("d", 2, 2)
    out = Z.applyfunc(g) * W
    s = sum(D[i, j] * out[i, j] for i in range(2) for j in range(2))
    target = (D * W.T).multiply_elementwise(Z.applyfunc(lambda v: sp.diff(g(v), v)))
    exprs = [sp.diff(s, Z[i, j]) - _claim(target[i, j]) for i in range(2) for j in range(3)]
    t = sp.Symbol("t", real=True)
    exprs.append(sp.diff(sp.tanh(t), t) - _claim(1 - sp.tanh(t) ** 2))
    ok, res = _all_zero(exprs)
    return Proof("∂/∂Z Σ δ⊙(g(Z)W) = (δWᵀ) ⊙ g'(Z) for any g; tanh' = 1 − tanh²", ok, res)


def d16():
    sp = _sp()
    W, reg = _mat("w", 2, 3), sp.Symbol("reg", nonnegative=True)
    R = reg / 2 * sum(w**2 for w in W)
    ok, res = _all_zero([sp.diff(R, w) - _claim(reg * w) for w in W])
    return Proof("∂/∂W ½·reg·‖W‖² = reg·W", ok, res)


def d19():
    A, Dl = _mat("a", 3, 2), _mat("d", 3, 2)
    per_sample = sum((A[n, :].T * Dl[n, :] for n in range(3)), _sp().zeros(2, 2))
    ok, res = _all_zero(list(per_sample - _claim(A.T * Dl)))
    return Proof("Σ_n a_n δ_nᵀ (per-sample outer products) = Aᵀ Δ (m = 3)", ok, res)


PROOFS = {"D1": d1, "D3": d3, "D4": d4, "D6": d6, "D7": d7, "D8": d8, "D9": d9, "D10": d10,
          "D11": d11, "D12": d12, "D13": d13, "D14": d14, "D15": d15, "D16": d16, "D19": d19}


@cache
def prove(derivation_id: str) -> Proof:
    """Run (once) and return the SymPy proof of a derivation."""
    return PROOFS[derivation_id]()
