"""The chapter's equations as bpcode exports them: with their arguments checked.

:mod:`bpcode.backprop` and :func:`bpcode.step.update` hold the equations as
the book shows them, one short function each. ``bpcode.feedforward``,
``bpcode.backward``, ``bpcode.update`` and the others are those functions,
called only after checking that their arguments are what the equation needs
(dicts keyed by layer, finite real arrays whose shapes fit together, an
activation, a cost, targets the cost accepts, η > 0), and checked after the
call: a result that overflows raises :class:`bpcode.NonFiniteError` instead
of coming back as inf or NaN with a RuntimeWarning.

:class:`bpcode.Network` and the training steps call the unchecked functions,
on arguments they have checked themselves.
"""

import functools
import inspect
import numbers

import numpy as np

from . import _validate, backprop, step
from .activations import Activation
from .costs import Cost
from .network import QUIET, NonFiniteError


class _Shapes:
    """Fits arrays to symbolic shapes such as ("n", "M2"), one function call's worth."""

    def __init__(self):
        self.known = {}  # symbol: (its size, the argument that fixed it)

    def fit(self, name, array, symbols):
        fixed = {s: self.known.setdefault(s, (m, name))
                 for s, m in zip(symbols, array.shape, strict=False)}
        if array.ndim != len(symbols) or any(fixed[s][0] != m
                                             for s, m in zip(symbols, array.shape, strict=True)):
            expected = ", ".join(str(self.known[s][0] if s in self.known else s)
                                 for s in symbols)
            sources = sorted({self.known[s][1] for s in symbols
                              if s in self.known and self.known[s][1] != name})
            fit = f" to fit {' and '.join(sources)}" if sources else ""
            raise ValueError(f"{name} must have shape ({expected}{',' * (len(symbols) == 1)})"
                             f"{fit}, got {array.shape}")


def _array(name, value):
    """``value`` as a finite, non-empty float array (integers become float64)."""
    array = _validate.real_array(name, value)
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    return _validate.finite(name, array, array.dtype if array.dtype.kind == "f" else np.float64)


def _layers(name, value, first=2, like=None, keys=None):
    """``value`` as a dict of arrays keyed by the layers first, ..., L, or by the
    ``keys`` of the argument named ``like``."""
    if not isinstance(value, dict) or not value:
        raise TypeError(f"{name} must be a non-empty dict keyed by layer l, got "
                        f"{type(value).__name__}")
    given = list(value)
    if not all(isinstance(l, numbers.Integral) and not isinstance(l, (bool, np.bool_))
               for l in given):
        raise ValueError(f"{name} must be keyed by layer numbers, got keys {given}")
    if keys is None:
        expected, source = list(range(first, max(given) + 1)), ""
    else:
        expected, source = sorted(keys), f" to match {like}"
    if sorted(given) != expected:
        raise ValueError(f"{name} must have the layer keys {expected}{source}, got {given}")
    return {int(l): _array(f"{name}[{l}]", value[l]) for l in sorted(given)}


def _activation(name, value, hidden=False):
    if not isinstance(value, Activation):
        raise TypeError(f"{name} must be an activation, an entry of bpcode.ACTIVATIONS, got "
                        f"{value!r}")
    if hidden and value.prime is None:
        raise ValueError(f"{name} must be elementwise (it has a derivative f'), got "
                         f"{value.name!r}, which is for the output layer only")
    return value


def _cost(cost, output, t):
    """Check the cost, its pairing with the output activation and the targets."""
    if not isinstance(cost, Cost):
        raise TypeError(f"cost must be a cost, an entry of bpcode.COSTS, got {cost!r}")
    if cost.outputs is not None and output.name not in cost.outputs:
        raise ValueError(f"cost {cost.name!r} needs output activation "
                         f"{' or '.join(sorted(cost.outputs))!r}, got {output.name!r}")
    cost.check_targets(t)


def _feedforward(W, b, x, hidden, output):
    W = _layers("W", W)
    b = _layers("b", b, like="W", keys=W)
    x = _array("x", x)
    shapes = _Shapes()
    for l in W:
        shapes.fit(f"W[{l}]", W[l], (f"M{l - 1}", f"M{l}"))
        shapes.fit(f"b[{l}]", b[l], (f"M{l}",))
    shapes.fit("x", x, ("n", "M1"))
    hidden = _activation("hidden", hidden, hidden=True)
    return {"W": W, "b": b, "x": x, "hidden": hidden, "output": _activation("output", output)}


def _output_delta(cost, output, z_L, a_L, t):
    output = _activation("output", output)
    arrays = {"z_L": z_L, "a_L": a_L, "t": t}
    arrays = {name: _array(name, value) for name, value in arrays.items()}
    shapes = _Shapes()
    for name, array in arrays.items():
        shapes.fit(name, array, ("n", "ML"))
    _cost(cost, output, arrays["t"])
    return {"cost": cost, "output": output, **arrays}


def _backpropagate_delta(delta_next, W_next, z, a, f):
    arrays = {"delta_next": delta_next, "W_next": W_next, "z": z, "a": a}
    arrays = {name: _array(name, value) for name, value in arrays.items()}
    shapes = _Shapes()
    for name, symbols in (("delta_next", ("n", "M_next")), ("W_next", ("M", "M_next")),
                          ("z", ("n", "M")), ("a", ("n", "M"))):
        shapes.fit(name, arrays[name], symbols)
    return {**arrays, "f": _activation("f", f, hidden=True)}


def _weight_gradient(a_prev, delta):
    a_prev, delta = _array("a_prev", a_prev), _array("delta", delta)
    shapes = _Shapes()
    shapes.fit("a_prev", a_prev, ("n", "M_prev"))
    shapes.fit("delta", delta, ("n", "M"))
    return {"a_prev": a_prev, "delta": delta}


def _bias_gradient(delta):
    delta = _array("delta", delta)
    _Shapes().fit("delta", delta, ("n", "M"))
    return {"delta": delta}


def _backward(W, z, a, t, hidden, output, cost):
    W = _layers("W", W)
    z = _layers("z", z, like="W", keys=W)
    a = _layers("a", a, like="W", keys=[1, *W])
    t = _array("t", t)
    shapes = _Shapes()
    shapes.fit("a[1]", a[1], ("n", "M1"))
    for l in W:
        shapes.fit(f"W[{l}]", W[l], (f"M{l - 1}", f"M{l}"))
        shapes.fit(f"z[{l}]", z[l], ("n", f"M{l}"))
        shapes.fit(f"a[{l}]", a[l], ("n", f"M{l}"))
    shapes.fit("t", t, ("n", f"M{max(W)}"))
    hidden = _activation("hidden", hidden, hidden=True)
    output = _activation("output", output)
    _cost(cost, output, t)
    return {"W": W, "z": z, "a": a, "t": t, "hidden": hidden, "output": output, "cost": cost}


def _update(W, b, dW, db, eta):
    W = _layers("W", W)
    arrays = {"W": W, **{name: _layers(name, value, like="W", keys=W)
                         for name, value in (("b", b), ("dW", dW), ("db", db))}}
    shapes = _Shapes()
    for l in W:
        shapes.fit(f"W[{l}]", arrays["W"][l], (f"M{l - 1}", f"M{l}"))
        shapes.fit(f"dW[{l}]", arrays["dW"][l], (f"M{l - 1}", f"M{l}"))
        shapes.fit(f"b[{l}]", arrays["b"][l], (f"M{l}",))
        shapes.fit(f"db[{l}]", arrays["db"][l], (f"M{l}",))
    return {**arrays, "eta": _validate.real("eta", eta, low=0, low_open=True)}


def _checked(equation, check, results):
    """``equation`` called on the arguments ``check`` returns, its ``results``
    (named in order) checked to be finite."""
    signature = inspect.signature(equation)

    @functools.wraps(equation)
    def checked(*args, **kwargs):
        arguments = check(**signature.bind(*args, **kwargs).arguments)
        with np.errstate(**QUIET):  # checked below
            result = equation(**arguments)
        values = result if isinstance(result, tuple) else (result,)
        for name, value in zip(results, values, strict=True):
            entries = value.items() if isinstance(value, dict) else [(None, value)]
            for l, array in entries:
                if not np.isfinite(array).all():
                    where = name if l is None else f"{name}[{l}]"
                    raise NonFiniteError(
                        f"{equation.__name__}: {where} is not finite: the values overflow "
                        f"although every argument is finite", l)
        return result

    return checked


feedforward = _checked(backprop.feedforward, _feedforward, ("z", "a"))
output_delta = _checked(backprop.output_delta, _output_delta, ("delta",))
backpropagate_delta = _checked(backprop.backpropagate_delta, _backpropagate_delta,
                               ("delta",))
weight_gradient = _checked(backprop.weight_gradient, _weight_gradient, ("dW",))
bias_gradient = _checked(backprop.bias_gradient, _bias_gradient, ("db",))
backward = _checked(backprop.backward, _backward, ("delta", "dW", "db"))
update = _checked(step.update, _update, ("W", "b"))
