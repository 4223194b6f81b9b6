r"""Check your own backprop against the reference, and name the slip when it disagrees.

In the spirit of `numpy.testing`: NumPy and the standard library only.

    >>> from backprop_ref import testing
    >>> rep = testing.check(my_loss_and_grads, "D17")            # or "two_layer.loss_and_grads"
    >>> rep.ok, rep.rows, rep.diagnoses, rep.warnings, rep.self_consistent
    >>> print(rep)
    >>> testing.check(testing.from_cs231n(net), "D17", l2="sum")   # CS231n's TwoLayerNet
    >>> testing.check(testing.from_nielsen(net), "D18")            # Nielsen's network.py
    >>> testing.check_gradient(f, (W, X, y), (dW, None, None))     # any scalar function
    >>> testing.assert_matches_reference(my_loss_and_grads, "D17")

`check` calls ``fn`` the way the target's reference is called (`targets` lists them; the
report's ``call`` says it, e.g. ``fn(params, X, y, reg=…) -> (loss, grads) | Result |
dict``) on cases chosen to expose the usual slips (N = 1 and N > 1, ``reg = 0`` and
``reg > 0``, pre-activations exactly 0, logits near ±1000, integer labels, one-hot and soft
rows, non-square weights), and compares every output it returns with the reference,
recomputed in the declared conventions (``layout``, ``l2``, ``reduction``):

$$
\max|\text{ours} - \text{theirs}| \le 10^{-12}\cdot\max(1, \max|\text{theirs}|)
$$

in float64 (float32 and float16 outputs at ``1e-5``, with a ``precision`` warning).  When
an output disagrees, each candidate slip is **recomputed**, the reference run again with
that one slip, and a kind is named only when that recomputation matches the user's outputs
within the same bound on every case; otherwise the kind is ``other``.  A loss value that is
off only at extreme logits is a warning (``unstable``), not a slip.  When ``fn`` returns a
loss, its gradients are also compared with central differences of that loss
(``self_consistent``).

The package's modules: report.py (`CheckReport`, `Row`, `Diagnosis`, the kinds, the bounds,
and the stable `CheckReport.to_dict`), cases.py, catalog.py and networks.py (every
checkable derivation), rules.py (how a slip is named), checker.py (`check` and
`assert_matches_reference`), adapters.py (`from_cs231n`, `from_nielsen`), gradient.py
(`check_gradient`) and numdiff.py (central differences).
"""

from .adapters import from_cs231n, from_nielsen
from .checker import assert_matches_reference, check
from .gradient import check_gradient
from .report import BOUND, BOUND_FLOAT32, KINDS, WARNING_KINDS, CheckReport, Diagnosis, Row
from .catalog import resolve, targets

__all__ = ["check", "assert_matches_reference", "check_gradient", "from_cs231n",
           "from_nielsen", "CheckReport", "Diagnosis", "Row", "KINDS", "WARNING_KINDS",
           "BOUND", "BOUND_FLOAT32", "targets", "resolve"]
