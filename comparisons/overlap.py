"""The verify report's JAX column and SymPy proofs, computed in forked processes.

``backprop-ref verify`` spends most of its time importing and warming up frameworks, one
after the other: torch, JAX and its XLA compiles, SymPy and its proofs.  On a machine with more than one core these are
independent: :func:`start` forks one process for the JAX column and one for the SymPy
proofs *before* this process imports torch, and :class:`Ahead` hands their results to
`comparisons.verify.build` as it reaches each derivation (they stream back one derivation
at a time).  The results are the same objects, computed by the same code on the same
seeded cases; only where they are computed changes.

A fork is only safe, and only pays, in a fresh single-threaded process that has imported
neither torch nor JAX (the command line); anywhere else (a test process, a notebook that
imported torch) :func:`start` returns an `Ahead` that has nothing, and ``build`` computes
every cell itself, as it always did.  A worker that dies or fails also leaves its cells to
``build``.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading

from . import agreement

__all__ = ["Ahead", "start", "can_fork"]


def can_fork() -> bool:
    """Whether forking workers is safe and useful here: POSIX ``fork``, more than one
    core, a single thread, and neither torch nor JAX imported yet."""
    return ("fork" in multiprocessing.get_all_start_methods()
            and (os.cpu_count() or 1) > 1
            and threading.active_count() == 1
            and not {"torch", "jax", "jaxlib"} & set(sys.modules))


def _jax_column(send, derivations, seed):
    for d in derivations:
        try:
            send.send((d.id, agreement.run(d, "jax", seed=seed)))
        except Exception:       # noqa: BLE001 - build() runs it again and reports it
            send.send((d.id, None))


def _proofs(send, ids):
    from ._optional import available, install_hint

    if not available("sympy"):
        for i in ids:
            send.send((i, f"not installed — {install_hint('sympy')}"))
        return
    from .symbolic import prove

    for i in ids:
        try:
            send.send((i, prove(i)))
        except Exception:       # noqa: BLE001 - build() runs it again and reports it
            send.send((i, None))


def _child(send, target, args):
    try:
        target(send, *args)
    finally:
        send.close()


class _Stream:
    """Results of one worker, read in order, kept until asked for."""

    def __init__(self, target, *args):
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_child, args=(send, target, args), daemon=True)
        self._process.start()
        send.close()
        self._got: dict = {}
        self._open = True

    def get(self, key):
        while key not in self._got and self._open:
            try:
                k, v = self._recv.recv()
            except (EOFError, OSError):      # the worker ended (or died): no more results
                self._close()
                break
            self._got[k] = v
        return self._got.pop(key, None)

    def _close(self):
        self._open = False
        self._recv.close()
        self._process.join()

    def close(self):
        if self._open:
            self._process.terminate()
            self._close()


class Ahead:
    """What the workers computed: :meth:`outcome` and :meth:`proof` return None for a cell
    they did not compute (the caller computes it)."""

    def __init__(self, jax=None, proofs=None):
        self._jax, self._proofs = jax, proofs

    def outcome(self, derivation_id: str, backend: str):
        if backend != "jax" or self._jax is None:
            return None
        return self._jax.get(derivation_id)

    def proof(self, derivation_id: str):
        return None if self._proofs is None else self._proofs.get(derivation_id)

    def close(self):
        for s in (self._jax, self._proofs):
            if s is not None:
                s.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def start(derivations, backends, *, seed: int, symbolic: bool) -> Ahead:
    """Fork the JAX column and the SymPy proofs of ``derivations`` if :func:`can_fork`."""
    if not can_fork():
        return Ahead()
    sys.stdout.flush()      # a forked worker flushes its copy of the buffers when it ends
    sys.stderr.flush()
    jax = _Stream(_jax_column, list(derivations), seed) if "jax" in backends else None
    ids = [d.id for d in derivations if d.sympy]
    proofs = _Stream(_proofs, ids) if symbolic and ids else None
    return Ahead(jax, proofs)
