"""Adapters for the two published styles of a network, so that the checker can call them.

- `from_cs231n` (CS231n's ``TwoLayerNet`` / ``FullyConnectedNet``): an object (or class)
  with ``params`` (``{"W1", "b1", …}``, row layout) and ``loss(X, y=None, reg=0.0) ->
  (loss, grads)``; a ``loss(X, y)`` that reads ``self.reg`` works too.
- `from_nielsen` (Nielsen's ``network.py``): a ``Network`` with ``weights`` and ``biases``
  (lists, ``W`` (fan_out, fan_in), ``b`` (fan_out, 1)) and the per-example
  ``backprop(x, y) -> (nabla_b, nabla_w)``, examples as columns; sigmoid layers with the
  quadratic cost ½‖a − y‖², i.e. D18 with ``hidden="sigmoid", head="sigmoid_mse"``.  The
  batch gradient is the mean of the per-example ones (``update_mini_batch``'s η/m).

Each returns a function ``fn(params, X, y, …)`` in the call the checker makes.  The object
is given the checker's parameters for the call and gets its own back afterwards; a class is
built for each call from the parameters' sizes (``TwoLayerNet(D, H, K)``,
``FullyConnectedNet(hidden_dims, input_dim=D, num_classes=K)``, ``Network([D, H, …, K])``),
with NumPy's global random state put back.

Any other class: write the function yourself, for example::

    def loss_and_grads(params, X, y, reg=0.0):
        net = MyNet(); net.params = params; net.reg = reg
        net.forward(X)
        return net.loss(y), net.backward(y)
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from .cases import Refused
from .catalog import has_name

__all__ = ["from_cs231n", "from_nielsen", "adapt", "describe", "hint"]

_CS231N = ("an object or class with .params (a dict of W1, b1, …) and "
           ".loss(X, y=None, reg=0.0) -> (loss, grads)")
_NIELSEN = ("a Network (object or class) with .weights, .biases and the per-example "
            ".backprop(x, y) -> (nabla_b, nabla_w)")


def _require(net: Any, attrs: tuple, who: str, expected: str) -> None:
    for a in attrs:
        if not hasattr(net, a):
            what = net.__name__ if inspect.isclass(net) else type(net).__name__
            raise TypeError(f"{who}: {what} has no attribute {a!r}; expected {expected}")
    for a in ("loss", "backprop"):
        if a in attrs and not callable(getattr(net, a)):
            raise TypeError(f"{who}: .{a} is a {type(getattr(net, a)).__name__}, not a "
                            f"method; expected {expected}")


def _name(net: Any) -> str:
    cls = net if inspect.isclass(net) else type(net)
    mod = getattr(cls, "__module__", None)
    return f"{mod}.{cls.__qualname__}" if mod and mod != "__main__" else cls.__qualname__


def _sizes(params: dict, key_of: Callable[[np.ndarray], tuple]) -> list[int]:
    L = sum(1 for k in params if str(k).startswith("W"))
    fan = [key_of(np.asarray(params[f"W{l}"])) for l in range(1, L + 1)]
    return [fan[0][0]] + [f[1] for f in fan]


def _build(cls: type, sizes: list, who: str, attempts: list) -> Any:
    """``cls`` built by the first of ``attempts`` (``(text, args, kwargs)``) that works,
    with NumPy's global random state put back."""
    state = np.random.get_state()
    errors = []
    try:
        for text, args, kwargs in attempts:
            try:
                return cls(*args, **kwargs)
            except (Exception, SystemExit) as exc:  # noqa: BLE001
                errors.append(f"{cls.__name__}{text}: {type(exc).__name__}: {exc}")
    finally:
        np.random.set_state(state)
    raise TypeError(f"{who}({cls.__name__}): cannot build it for layer sizes {sizes} ("
                    + "; ".join(" ".join(e.split()) for e in errors)
                    + "); pass an instance instead")


def _mark(fn: Callable, who: str, net: Any, layout: str) -> Callable:
    fn.__name__ = fn.__qualname__ = f"{who}({_name(net)})"
    fn.__module__ = getattr(net, "__module__", fn.__module__)
    fn.backprop_adapter = who                    # type: ignore[attr-defined]
    fn.backprop_layout = layout                  # type: ignore[attr-defined]
    fn.backprop_name = f"{who}({_name(net)})"    # type: ignore[attr-defined]
    return fn


def from_cs231n(net: Any) -> Callable:
    """CS231n's network as the checker's ``fn(params, X, y, reg=0.0) -> (loss, grads)``.

    Inputs:
        net: an object with ``params`` and ``loss(X, y=None, reg=0.0) -> (loss, grads)``
            (or ``loss(X, y)`` reading ``self.reg``), or its class (built for each call).
    Returns:
        the function; row layout.  CS231n writes the penalty reg·ΣW² (gradient 2·reg·W)
        since 2017: check it with ``l2="sum"``.
    Raises:
        TypeError: ``net`` lacks ``loss`` (or, an object, ``params``), naming it.
    """
    is_class = inspect.isclass(net)
    _require(net, ("loss",) if is_class else ("params", "loss"), "from_cs231n", _CS231N)
    if not is_class and not isinstance(net.params, dict):
        raise TypeError(f"from_cs231n: .params is a {type(net.params).__name__}, expected a "
                        "dict of W1, b1, …")
    takes_reg = has_name(net.loss, "reg")

    def loss_and_grads(params, X, y, reg=0.0):
        if is_class:
            sizes = _sizes(params, lambda W: W.shape)
            obj = _build(net, sizes, "from_cs231n", [
                (f"({', '.join(map(str, sizes))})", tuple(sizes), {}),
                (f"(hidden_dims={sizes[1:-1]}, input_dim={sizes[0]}, num_classes={sizes[-1]})",
                 (), {"hidden_dims": sizes[1:-1], "input_dim": sizes[0],
                      "num_classes": sizes[-1]})])
        else:
            obj = net
        saved = {a: obj.__dict__[a] for a in ("params", "reg") if a in obj.__dict__}
        try:
            obj.params = {k: np.array(v, copy=True) for k, v in params.items()}
            if takes_reg:
                return obj.loss(X, y, reg=reg)
            if hasattr(obj, "reg"):
                obj.reg = reg
            elif reg:
                raise Refused(f"{type(obj).__name__}.loss takes no reg and the object has "
                              "no .reg")
            return obj.loss(X, y)
        finally:
            for a in ("params", "reg"):
                if a in saved:
                    setattr(obj, a, saved[a])

    return _mark(loss_and_grads, "from_cs231n", net, "rows")


def from_nielsen(net: Any) -> Callable:
    """Nielsen's ``Network`` (``network.py``) as the checker's
    ``fn(params, X, y, hidden=…, head=…, reg=0.0) -> grads``, columns layout.

    Nielsen's network is sigmoid layers with the quadratic cost: check it against D18
    (``mlp.loss_and_grads``), which it answers for ``hidden="sigmoid",
    head="sigmoid_mse"`` and ``reg=0`` (the other options are refused, never slips).  The
    batch gradient is the mean of ``backprop(x, y)`` over the examples; no loss is returned.

    Raises:
        TypeError: ``net`` lacks ``backprop`` (or, an object, ``weights``/``biases``).
    """
    is_class = inspect.isclass(net)
    _require(net, ("backprop",) if is_class else ("weights", "biases", "backprop"),
             "from_nielsen", _NIELSEN)

    def backprop_batch(params, X, y, hidden="relu", head="softmax_ce", reg=0.0):
        if (hidden, head) != ("sigmoid", "sigmoid_mse"):
            raise Refused("network.py is sigmoid layers with the quadratic cost (D18 with "
                          "hidden='sigmoid', head='sigmoid_mse')")
        if reg:
            raise Refused("network.py has no L2 term (reg > 0)")
        L = sum(1 for k in params if str(k).startswith("W"))
        sizes = _sizes(params, lambda W: W.shape[::-1])
        obj = (_build(net, sizes, "from_nielsen", [(f"({sizes})", (sizes,), {})])
               if is_class else net)
        names = ("weights", "biases", "num_layers", "sizes")
        saved = {a: obj.__dict__[a] for a in names if a in obj.__dict__}
        try:
            obj.weights = [np.array(params[f"W{l}"], copy=True) for l in range(1, L + 1)]
            obj.biases = [np.array(params[f"b{l}"], copy=True) for l in range(1, L + 1)]
            obj.num_layers, obj.sizes = L + 1, sizes
            X, Y = np.asarray(X), np.asarray(y)
            N = X.shape[1]
            per_example = [obj.backprop(X[:, [n]], Y[:, [n]]) for n in range(N)]
        finally:
            for a in names:
                if a in saved:
                    setattr(obj, a, saved[a])
        grads = {}                       # update_mini_batch's sum, over m
        for l in range(1, L + 1):
            grads[f"W{l}"] = sum(np.asarray(dw[l - 1]) for _, dw in per_example) / N
            grads[f"b{l}"] = sum(np.asarray(db[l - 1]) for db, _ in per_example) / N
        return grads

    return _mark(backprop_batch, "from_nielsen", net, "columns")


def _looks_cs231n(net: Any) -> bool:
    if not (hasattr(net, "loss") and callable(net.loss)):
        return False
    if not inspect.isclass(net) and not hasattr(net, "params"):
        return False
    return has_name(net.loss, "X") or has_name(net.loss, "x")


def _looks_nielsen(net: Any) -> bool:
    return (hasattr(net, "backprop") and callable(net.backprop)
            and (inspect.isclass(net) or (hasattr(net, "weights") and hasattr(net, "biases"))))


def adapt(fn: Any) -> Any:
    """``fn`` as the checker calls it: a CS231n-style or Nielsen-style class or object goes
    through its adapter; anything else is returned as it is."""
    if getattr(fn, "backprop_adapter", None) or inspect.isfunction(fn) or inspect.ismethod(fn):
        return fn
    if _looks_nielsen(fn):
        return from_nielsen(fn)
    if _looks_cs231n(fn):
        return from_cs231n(fn)
    return fn


def describe(fn: Any) -> str:
    """How the report names the checked function."""
    if getattr(fn, "backprop_name", None):
        return fn.backprop_name
    mod = getattr(fn, "__module__", None)
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)
    return f"{mod}.{name}" if mod and mod != "__main__" else name


def hint(fn: Any) -> str:
    """What to do when ``fn`` cannot take the checker's call: the adapter for a CS231n or
    Nielsen method, the recipe for any other class."""
    owner = getattr(fn, "__self__", None)
    if owner is not None and _looks_cs231n(owner):
        return "for CS231n's net.loss, check testing.from_cs231n(net)"
    if owner is not None and _looks_nielsen(owner):
        return "for Nielsen's net.backprop, check testing.from_nielsen(net) against D18"
    if inspect.isclass(fn) or owner is not None:
        return ("for a class, write a function in that call that builds it, runs the forward "
                "and backward pass and returns (loss, grads)")
    if not callable(fn) and type(fn).__module__.split(".")[0] not in ("builtins", "numpy"):
        return ("for an object of your own class, write a function in that call that gives "
                "it the parameters, runs the forward and backward pass and returns "
                "(loss, grads)")
    return ""
