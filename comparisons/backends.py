"""The three ways a derivation is differentiated independently of the reference.

==============  =======================================================================
backend         where the gradient comes from
==============  =======================================================================
``torch``       ``torch.autograd.grad`` over the torch twin
``jax``         ``jax.vjp`` / ``jax.jacfwd`` over the JAX twin
``fd``          central differences of the twin built from the reference's forwards
==============  =======================================================================

A `Twin` names the forward function (the same name in each ``twins_*`` module) and
how to differentiate it: a vector–Jacobian product with a **random** cotangent (never all
ones: through softmax that gives zero on both sides), a full row-wise Jacobian, plain
values, or a whole training run.  Backends return ``{key: float64 ndarray}``: ``out`` for
the forward value, ``d<input>`` for each gradient, plus any named intermediates.

Evaluations are **memoized** by content: the same twin forward (the very function object,
so a patched twin is a new key) on bit-identical inputs returns a fresh copy of the stored
result instead of differentiating again.  The executable spec asks the same question many
times (every sign-flip test re-runs one case once per broken key; the catalog, the CLI and
the sign-flip tests share seeded cases), and central differences over the notes' network
take ~20 000 forward passes.  `clear_memo` empties it; ``tests/conftest.py`` does so
around every test that monkeypatches, since the central-difference twin runs the
reference's own forward functions.

JAX programs are compiled with XLA's optimizations off (`JAX_COMPILER_OPTIONS`): each
program here runs on a few tiny arrays a handful of times, so compilation, not execution,
is the cost (4× less with these options).  The values are still XLA's own autodiff.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

from ._optional import MissingExtra, install_hint, require
from .finite_diff import PER_ENTRY_MAX, Directional, numerical_jacobian, numerical_vjp

__all__ = ["Case", "Twin", "BACKENDS", "get_backend", "backend_status", "clear_memo",
           "JAX_COMPILER_OPTIONS"]

#: XLA options for the JAX twins' programs: LLVM at -O0 and the classic (non-MLIR) fusion
#: emitters, code generated in one piece (not split across threads) and without LLVM's
#: expensive passes.  Compile time dominates here (tiny arrays, new shapes on every
#: hypothesis draw); measured on the property suite's programs: ~160 ms → ~40 ms per
#: compile with the first two, and 20 % less CPU time again with the last two.  None of
#: them changes what is computed (no fast-math).
JAX_COMPILER_OPTIONS = {"xla_backend_optimization_level": 0,
                        "xla_cpu_use_fusion_emitters": False,
                        "xla_cpu_parallel_codegen_split_count": 1,
                        "xla_llvm_disable_expensive_passes": True}


@dataclass
class Case:
    """Inputs of one check: ``arrays`` (floats and int labels) and ``static`` values."""

    arrays: dict
    static: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.arrays[key] if key in self.arrays else self.static[key]

    def astype(self, dtype) -> "Case":
        """The same case with every float array cast to ``dtype``."""
        cast = {k: (v.astype(dtype) if v.dtype.kind == "f" else v) for k, v in self.arrays.items()}
        return Case(cast, dict(self.static))


@dataclass(frozen=True)
class Twin:
    """How to get the framework side of a derivation.

    forward: name of the forward function in ``twins_torch`` / ``twins_jax`` /
        ``twins_numpy``.
    kind: ``"vjp"`` | ``"jacobian"`` | ``"values"`` | ``"run"``.
    wrt: inputs to differentiate (a tuple, or a function of the case).
    cotangent: name of the upstream-gradient array for a non-scalar output (None: the
        forward returns a scalar loss).
    rename: gradient key renames, e.g. ``{"deZ1": "dZ1"}``.
    value: whether the forward value ``out`` is compared too.
    has_aux: the forward returns ``(value, {name: intermediate})``.
    """

    forward: str
    kind: str = "vjp"
    wrt: tuple | Callable = ()
    cotangent: str | None = None
    rename: Mapping = field(default_factory=dict)
    value: bool = True
    has_aux: bool = False

    def wrt_for(self, case: Case) -> tuple:
        return tuple(self.wrt(case) if callable(self.wrt) else self.wrt)


def _split(twin: Twin, case: Case):
    """Forward kwargs: every array but the cotangent, plus the static values."""
    arrays = {k: v for k, v in case.arrays.items() if k != twin.cotangent}
    return arrays, dict(case.static)


def _finish(twin: Twin, grads: dict, out, aux) -> dict:
    res = {}
    if twin.value and out is not None:
        res["out"] = out
    for name, g in grads.items():
        key = f"d{name}"
        res[twin.rename.get(key, key)] = g
    res.update(aux or {})
    return {k: _as_result(v) for k, v in res.items()}


def _as_result(v):
    """A float64 array (an int or bool array as it is), or a central-difference
    `Directional` as it is."""
    if isinstance(v, Directional):
        return v
    return np.asarray(v, dtype=np.float64) if np.asarray(v).dtype.kind == "f" else np.asarray(v)


class TorchBackend:
    name, extra_name = "torch", "torch"
    label = "torch autograd"

    def __init__(self):
        self.torch = require("torch")
        self.twins = importlib.import_module("comparisons.twins_torch")

    def _tensor(self, v, grad=False):
        t = self.torch.from_numpy(np.array(v))  # a copy: the case is never touched
        return t.requires_grad_(grad) if grad else t

    def evaluate(self, twin: Twin, case: Case) -> dict:
        """On one intra-op thread: these tensors are tiny, and torch's OpenMP workers
        spin-waiting beside JAX's and the other process's threads cost ~4× the CPU time
        of the evaluation itself (measured on the property suite).  The caller's thread
        setting is restored afterwards."""
        threads = self.torch.get_num_threads()
        self.torch.set_num_threads(1)
        try:
            return self._evaluate(twin, case)
        finally:
            self.torch.set_num_threads(threads)

    def _evaluate(self, twin: Twin, case: Case) -> dict:
        fn = getattr(self.twins, twin.forward)
        arrays, static = _split(twin, case)
        wrt = twin.wrt_for(case)
        grad = self.torch.autograd.grad
        if twin.kind == "jacobian":
            # the twin is row-wise (∂out[n, i]/∂z[m, k] = 0 for m ≠ n), so the gradient of
            # Σ_n out[n, i] is row i of every row's Jacobian: J[:, i, :]
            (name,) = wrt
            z = self._tensor(arrays[name], grad=True)
            out = fn(z)
            rows = [grad(out[:, i].sum(), z, retain_graph=True)[0] for i in range(out.shape[1])]
            return {"J": self.torch.stack(rows, dim=1).numpy()}
        inputs = {k: self._tensor(v, grad=k in wrt) for k, v in arrays.items()}
        if twin.kind == "values":
            return {k: v.numpy() for k, v in fn(**inputs, **static).items()}
        if twin.kind == "run":
            return {k: v.numpy() for k, v in fn(**inputs, **static).items()}
        res = fn(**inputs, **static)
        out, aux = res if twin.has_aux else (res, {})
        # the vjp as the gradient of the scalar Σ cot ⊙ out (the same numbers: its backward
        # starts from cot itself); passing grad_outputs instead makes torch import SymPy
        # for a shape check (0.5 s)
        scalar = out if twin.cotangent is None else (
            out * self._tensor(case.arrays[twin.cotangent])).sum()
        grads = grad(scalar, [inputs[k] for k in wrt])
        return _finish(twin, {k: g.numpy() for k, g in zip(wrt, grads)},
                       out.detach().numpy(), {k: v.detach().numpy() for k, v in aux.items()})


class JaxBackend:  # pragma: no mutate block (the mutation run deselects JAX's tests)
    name, extra_name = "jax", "jax"
    label = "JAX grad"

    def __init__(self):
        self.twins = importlib.import_module("comparisons.twins_jax")
        self.jax = self.twins.jax
        self.jnp = self.twins.jnp
        self._compiled = {}

    def _program(self, twin: Twin, wrt: tuple, static: dict):
        """``jax.jit`` of the whole vjp (or Jacobian, or the forward values), cached per
        forward and static arguments; jit itself caches per input shape."""
        key = (twin.forward, twin.kind, wrt, twin.has_aux, twin.cotangent is None,
               tuple(sorted(static.items())))
        if key not in self._compiled:
            jax, jnp = self.jax, self.jnp
            fn = getattr(self.twins, twin.forward)
            if twin.kind == "jacobian":
                (name,) = wrt
                program = jax.vmap(jax.jacfwd(lambda z: fn(**{name: z}, **static)))
            elif twin.kind == "values":
                def program(inputs):
                    return fn(**inputs, **static)
            else:
                def program(inputs, numbers, cot):
                    rest = {k: v for k, v in inputs.items() if k not in wrt}

                    def f(*diff):
                        return fn(**rest, **dict(zip(wrt, diff)), **static, **numbers)

                    out, pullback, *aux = jax.vjp(f, *[inputs[k] for k in wrt],
                                                  has_aux=twin.has_aux)
                    grads = pullback(jnp.ones_like(out) if cot is None else cot)
                    return out, grads, (aux[0] if aux else {})
            self._compiled[key] = jax.jit(program, compiler_options=JAX_COMPILER_OPTIONS)
        return self._compiled[key]

    def evaluate(self, twin: Twin, case: Case) -> dict:
        """Inputs reach JAX by ``jax.device_put``: ``jnp.asarray`` of a NumPy array runs
        (and, for every new shape, compiles) an XLA program of its own, which was a third
        of the property suite's compiles."""
        put = self.jax.device_put
        arrays, static = _split(twin, case)
        wrt = twin.wrt_for(case)
        inputs = {k: put(v) for k, v in arrays.items()}
        if twin.kind == "run":     # a training loop, which jits its own step
            fn = getattr(self.twins, twin.forward)
            return {k: np.asarray(v) for k, v in fn(**inputs, **static).items()}
        # strings and ints shape the program (static); floats such as reg are traced
        fixed = {k: v for k, v in static.items() if isinstance(v, (str, int))}
        numbers = {k: put(v) for k, v in static.items() if k not in fixed}
        program = self._program(twin, wrt, fixed)
        if twin.kind == "values":  # one program rather than one per operation
            return {k: np.asarray(v) for k, v in program(inputs).items()}
        if twin.kind == "jacobian":
            (name,) = wrt
            return {"J": np.asarray(program(inputs[name]))}
        cot = None if twin.cotangent is None else put(case.arrays[twin.cotangent])
        out, grads, aux = program(inputs, numbers, cot)
        return _finish(twin, {k: np.asarray(g) for k, g in zip(wrt, grads)},
                       np.asarray(out), {k: np.asarray(v) for k, v in aux.items()})


class FiniteDiffBackend:
    name, extra_name = "fd", None
    label = "central differences"

    def __init__(self):
        self.twins = importlib.import_module("comparisons.twins_numpy")

    def evaluate(self, twin: Twin, case: Case, *,
                 per_entry_max: int | None = PER_ENTRY_MAX) -> dict:
        """Every input of at most ``per_entry_max`` entries (None: every input) differenced
        entry by entry, a larger one along random directions (a `Directional`; see
        :mod:`comparisons.finite_diff`)."""
        if twin.kind in ("values", "run"):
            raise NotImplementedError("no derivative to take")
        fn = getattr(self.twins, twin.forward)
        arrays, static = _split(twin, case)
        wrt = twin.wrt_for(case)
        if twin.kind == "jacobian":
            (name,) = wrt
            return {"J": numerical_jacobian(fn, arrays[name])}
        scalar_fn = (lambda **kw: fn(**kw, **static)[0]) if twin.has_aux else (
            lambda **kw: fn(**kw, **static))
        cot = None if twin.cotangent is None else case.arrays[twin.cotangent]
        grads = numerical_vjp(scalar_fn, arrays, wrt, cot, per_entry_max=per_entry_max)
        # the forward value is the reference's own: comparing it would prove nothing
        return _finish(twin, grads, None, None)


BACKENDS = {"torch": TorchBackend, "jax": JaxBackend, "fd": FiniteDiffBackend}
_cache: dict = {}

# ------------------------------------------------------------------------------ the memo
#: enough for a whole default pytest run's seeded cases between the catalog, the sign-flip
#: tests and verify (hypothesis draws rarely repeat and pass through)
MEMO_SIZE = 4096
_memo: OrderedDict = OrderedDict()
_memo_stats = {"hits": 0, "misses": 0}


def clear_memo() -> None:
    """Forget every memoized evaluation (and reset the hit counters)."""
    _memo.clear()
    _memo_stats.update(hits=0, misses=0)


def _memo_key(backend, twin: Twin, case: Case, options: dict | None = None):
    """Everything an evaluation depends on, or None when a static value is not hashable.

    Arrays enter by dtype, shape and bytes (so equal keys mean bit-identical inputs), the
    twin by every field ``evaluate`` reads, the forward by identity, and the keyword
    ``options`` of ``evaluate`` (central differences' ``per_entry_max``) by value."""
    try:
        static = tuple(sorted((k, type(v).__name__, v) for k, v in case.static.items()))
        opts = tuple(sorted((k, type(v).__name__, v) for k, v in (options or {}).items()))
        hash((static, opts))
    except TypeError:
        return None
    arrays = []
    for k, v in sorted(case.arrays.items()):
        v = np.asarray(v)
        if v.dtype.hasobject:           # bytes of pointers, not of values
            return None
        arrays.append((k, v.dtype.str, v.shape, np.ascontiguousarray(v).tobytes()))
    fn = getattr(backend.twins, twin.forward, None)
    return (backend.name, fn, twin.forward, twin.kind, twin.wrt_for(case), twin.cotangent,
            tuple(sorted(twin.rename.items())), twin.value, twin.has_aux, tuple(arrays), static,
            opts)


def _copy(result: dict) -> dict:
    return {k: v.copy() if isinstance(v, Directional) else np.array(v, copy=True)
            for k, v in result.items()}


def _memoized(backend):
    """Wrap ``backend.evaluate`` with the content-keyed memo (bounded, least recently used
    first out); the caller always gets its own copies."""
    evaluate = backend.evaluate

    def memoized_evaluate(twin: Twin, case: Case, **options) -> dict:
        key = _memo_key(backend, twin, case, options)
        if key is None:
            return evaluate(twin, case, **options)
        if key in _memo:
            _memo.move_to_end(key)
            _memo_stats["hits"] += 1
            return _copy(_memo[key])
        _memo_stats["misses"] += 1
        result = evaluate(twin, case, **options)
        _memo[key] = _copy(result)
        if len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
        return result

    backend.evaluate = memoized_evaluate
    return backend


def get_backend(name: str):
    """An instance of a backend; raises `MissingExtra` naming the extra if absent."""
    if name not in BACKENDS:
        raise ValueError(f"unknown backend {name!r}; expected one of {sorted(BACKENDS)}")
    if name not in _cache:
        _cache[name] = _memoized(BACKENDS[name]())
    return _cache[name]


def backend_status(name: str) -> str | None:
    """None when the backend is usable, else the install hint."""
    try:
        get_backend(name)
    except MissingExtra:
        return install_hint(BACKENDS[name].extra_name)
    return None
