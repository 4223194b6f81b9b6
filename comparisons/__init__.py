"""comparisons: the proofs behind backprop_ref.

The same forward passes written idiomatically in torch (``twins_torch``) and JAX
(``twins_jax``), whose gradients come from the frameworks' autograd; central differences
(``finite_diff``); SymPy proofs (``symbolic``); the derivation catalog D1–D20
(``catalog``); agreement measurement (``agreement``); the errata (``errata``); the verify
report (``verify``); the records that every committed figure is rendered from, and the
machine each names (``records``); and the ``backprop-ref`` command line (``cli``).

The frameworks are optional extras and are imported lazily: importing a twin module
without its framework raises :class:`~comparisons._optional.MissingExtra`, whose message
names the extra to install (from the checkout: ``pip install -e ".[torch]"``, ``[jax]``,
``[symbolic]``).  This package itself imports with NumPy alone.
"""

from ._optional import MissingExtra, available, install_hint

__all__ = ["MissingExtra", "available", "install_hint"]
