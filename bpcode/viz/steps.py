"""The numbers of the step-through: one training step of a small network,
value by value, in the order the algorithm computes them (numpy and bpcode only).

:func:`stepthrough_data` builds a sigmoid :class:`bpcode.Network` with the
quadratic cost and the given parameters, runs :meth:`bpcode.Network.backward`
on one sample and :func:`bpcode.update` with η, and cuts the result into
:class:`Frame` objects, in the algorithm's order:

1. ``input``: a⁽¹⁾ = x;
2. ``forward``: for l = 2, ..., L and each unit j, z_j then a_j;
3. ``cost``: C;
4. ``BP1``: δ_j⁽ᴸ⁾ for each output unit;
5. ``BP2``: δ_j⁽ˡ⁾ for l = L-1, ..., 2 and each unit j;
6. ``gradients`` (BP3 and BP4): ∂C/∂b_j and ∂C/∂w_ij into each unit j, for
   l = 2, ..., L, as the chapter's algorithm lists them;
7. ``update``: the new b_j and w_ij into each unit j, for l = 2, ..., L.

Every number in a frame is read from bpcode's results: z, a, δ, ∂C/∂W,
∂C/∂b and the loss from :class:`bpcode.Gradients`, f'(z) from the network's
activation, ∂C/∂a from its cost, the sum Σ_k w_jk δ_k of BP2 from
:func:`bpcode.backpropagate_delta` with f' = 1, the new parameters from
:func:`bpcode.update`. The equations only format them.

Values are keyed by tuples that name the chapter's symbol, the layer l and
the units counted from 1, as the chapter counts them: ``("z", 2, 1)`` is
z₁⁽²⁾, ``("dC/dw", 3, 1, 2)`` is ∂C/∂w₁₂⁽³⁾, ``("C",)`` the cost. The names
are ``a``, ``z``, ``C``, ``delta``, ``dC/db``, ``dC/dw``, ``b_new``,
``w_new``, and, among a frame's inputs only, ``w``, ``b``, ``t``, ``eta``,
``f'`` (f'(z_j)), ``dC/da`` and ``sum`` (Σ_k w_jk δ_k).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..activations import ACTIVATIONS
from ..backprop import backpropagate_delta
from ..network import Network
from ..step import update
from .notation import factor, number, symbol

#: The stages of a step, in the algorithm's order.
STAGES = ("input", "forward", "cost", "BP1", "BP2", "gradients", "update")
#: The stages of the forward pass; the others belong to the backward pass.
FORWARD_STAGES = ("input", "forward", "cost")


class Frame(NamedTuple):
    """One frame of the step-through.

    ``stage`` is one of :data:`STAGES`; ``layer`` and ``units`` (counted from
    1) are the units whose values the frame computes; ``connections`` the
    connections (l, i, j), weight w_ij⁽ˡ⁾, that carry them; ``values`` what the
    frame computes, ``inputs`` the numbers its equation substitutes, ``known``
    everything computed up to and including this frame (all keyed as the
    module says); ``equation`` the lines of text that compute ``values``;
    ``label`` a short description ("BP2, layer (2), unit 1").
    """

    stage: str
    layer: int
    units: tuple
    connections: tuple
    values: dict
    inputs: dict
    known: dict
    equation: tuple
    label: str


class Walkthrough(NamedTuple):
    """One training step on one sample: the network's ``sizes``, its
    parameters before the step ``W`` and ``b`` (dicts keyed by l), the sample
    ``x`` and target ``t`` (1-D), the learning rate ``eta``, bpcode's
    :class:`~bpcode.Gradients` ``gradients``, the parameters after the step
    ``W_new`` and ``b_new``, and the :class:`Frame` tuple ``frames``."""

    sizes: tuple
    W: dict
    b: dict
    x: np.ndarray
    t: np.ndarray
    eta: float
    gradients: object
    W_new: dict
    b_new: dict
    frames: tuple


def example_parameters(sizes=(2, 3, 2), seed=0):
    """Parameters and a sample for a network of ``sizes``, drawn from ``seed``
    and rounded to one decimal, so that the substituted equations stay short:
    returns (W, b, x, t) with W^l, b^l from ``bpcode.Network(sizes, seed=seed)``
    (standard normal), x standard normal and t uniform in [0, 1], both from
    ``np.random.default_rng((seed, 1))``."""
    seed = _validate.integer("seed", seed, low=0)
    net = Network(sizes, seed=seed)
    rng = np.random.default_rng((seed, 1))
    x = rng.standard_normal(net.sizes[0]).round(1)
    t = rng.uniform(0, 1, net.sizes[-1]).round(1)
    return ({l: w.round(1) for l, w in net.W.items()}, {l: v.round(1) for l, v in net.b.items()},
            x, t)


def _layer_list(name, value):
    """The arrays of a dict keyed by layer (in layer order) or of a sequence."""
    if isinstance(value, dict):
        return [value[k] for k in sorted(value)]
    if isinstance(value, (list, tuple)):
        return list(value)
    raise TypeError(f"{name} must be a dict keyed by layer or a list, got "
                    f"{type(value).__name__}")


def stepthrough_data(W, b, x, t, eta=0.5):
    """One training step of the sigmoid network with parameters ``W`` and
    ``b`` (dicts keyed by l = 2, ..., L, or lists) on the sample ``x`` with
    target ``t``, quadratic cost, learning rate ``eta``, as a
    :class:`Walkthrough` whose frames follow the algorithm (see the module)."""
    shapes = [np.shape(w) for w in _layer_list("W", W)]
    if not shapes or any(len(s) != 2 for s in shapes):
        raise ValueError(f"W must hold one 2-D array per layer l = 2, ..., L, got shapes {shapes}")
    eta = _validate.real("eta", eta, low=0, low_open=True)
    net = Network([shapes[0][0], *(s[1] for s in shapes)], hidden="sigmoid", output="sigmoid",
                  cost="quadratic")
    net.set_parameters(W, b)
    x, t = net.check_batch(x, t)
    if x.shape[0] != 1:
        raise ValueError(f"x must be one sample, got {x.shape[0]} rows")
    grads = net.backward(x, t)
    W_new, b_new = update(net.W, net.b, grads.dW, grads.db, eta)
    frames = _Frames(net, grads, t[0], eta, W_new, b_new).frames
    return Walkthrough(net.sizes, net.W, net.b, x[0], t[0], eta, grads, W_new, b_new, frames)


class _Frames:
    """Builds the frames of one step; ``frames`` is the result."""

    def __init__(self, net, grads, t, eta, W_new, b_new):
        self.net, self.grads, self.t, self.eta = net, grads, t, eta
        self.W_new, self.b_new = W_new, b_new
        L = self.L = net.L
        z, a = grads.z, grads.a
        self.fprime = {l: (net.output if l == L else net.hidden).prime(z[l], a[l])[0]
                       for l in range(2, L + 1)}
        self.dC_da = net.cost.derivative(a[L], t[np.newaxis])[0]
        # BP2 with f' = 1 is the sum Σ_k w_jk δ_k that f'(z_j) multiplies.
        self.wsum = {l: backpropagate_delta(grads.delta[l + 1], net.W[l + 1], z[l], a[l],
                                            ACTIVATIONS["identity"])[0] for l in range(2, L)}
        self.known, self.frames = {}, []
        sizes = net.sizes
        self.input_layer()
        for l in range(2, L + 1):
            for j in range(1, sizes[l - 1] + 1):
                self.weighted_input(l, j)
                self.activation(l, j)
        self.cost()
        for j in range(1, sizes[-1] + 1):
            self.bp1(j)
        for l in range(L - 1, 1, -1):
            for j in range(1, sizes[l - 1] + 1):
                self.bp2(l, j)
        for stage in (self.gradients, self.update):
            for l in range(2, L + 1):
                for j in range(1, sizes[l - 1] + 1):
                    stage(l, j)
        self.frames = tuple(self.frames)

    def add(self, stage, layer, units, connections, values, inputs, equation, label):
        self.known.update(values)
        self.frames.append(Frame(stage, layer, tuple(units), tuple(connections), values, inputs,
                                 dict(self.known), tuple(equation), label))

    # the values, read from bpcode, as floats
    def a_of(self, l, j):
        return float(self.grads.a[l][0, j - 1])

    def w_of(self, l, i, j):
        return float(self.net.W[l][i - 1, j - 1])

    def delta_of(self, l, j):
        return float(self.grads.delta[l][0, j - 1])

    def sources(self, l):
        """The units i of layer l - 1, which feed layer l."""
        return range(1, self.net.sizes[l - 2] + 1)

    def input_layer(self):
        units = self.sources(2)
        values = {("a", 1, i): self.a_of(1, i) for i in units}
        x = ", ".join(number(v) for v in values.values())
        t = ", ".join(number(v) for v in self.t)
        a1 = symbol("a", 1)
        self.add("input", 1, units, (), values, {}, (f"{a1} = x = ({x})", f"the target t = ({t})"),
                 f"Input: {a1} = x")

    def weighted_input(self, l, j):
        W, b = self.net.W[l], self.net.b[l]
        z = float(self.grads.z[l][0, j - 1])
        inputs = {("w", l, i, j): float(W[i - 1, j - 1]) for i in self.sources(l)}
        inputs.update({("a", l - 1, i): self.a_of(l - 1, i) for i in self.sources(l)})
        inputs[("b", l, j)] = float(b[j - 1])
        terms = " + ".join(symbol("w", l, i, j) + symbol("a", l - 1, i) for i in self.sources(l))
        numbers = " + ".join(f"{factor(inputs[('w', l, i, j)])} × {factor(inputs[('a', l - 1, i)])}"
                             for i in self.sources(l))
        equation = (f"{symbol('z', l, j)} = {terms} + {symbol('b', l, j)}",
                    f"= {numbers} + {factor(inputs[('b', l, j)])} = {number(z)}")
        self.add("forward", l, [j], [(l, i, j) for i in self.sources(l)], {("z", l, j): z},
                 inputs, equation, f"Forward pass, layer ({l}), unit {j}: {symbol('z', l, j)}")

    def activation(self, l, j):
        z = float(self.grads.z[l][0, j - 1])
        a = self.a_of(l, j)
        equation = (f"{symbol('a', l, j)} = σ({symbol('z', l, j)}) = σ({number(z)}) = {number(a)}",)
        self.add("forward", l, [j], [], {("a", l, j): a}, {("z", l, j): z}, equation,
                 f"Forward pass, layer ({l}), unit {j}: {symbol('a', l, j)}")

    def cost(self):
        L, outputs = self.L, range(1, self.net.sizes[-1] + 1)
        inputs = {("a", L, j): self.a_of(L, j) for j in outputs}
        inputs.update({("t", j): float(self.t[j - 1]) for j in outputs})
        terms = " + ".join(f"({symbol('a', L, j)} − {symbol('t', None, j)})²" for j in outputs)
        numbers = " + ".join(f"({number(inputs[('a', L, j)])} − {number(inputs[('t', j)])})²"
                             for j in outputs)
        C = float(self.grads.loss)
        self.add("cost", L, outputs, [], {("C",): C}, inputs,
                 (f"C = ½[{terms}]", f"= ½[{numbers}] = {number(C)}"), "The cost C")

    def fprime_line(self, l, j):
        a, f = self.a_of(l, j), float(self.fprime[l][j - 1])
        return (f"σ′({symbol('z', l, j)}) = {symbol('a', l, j)}(1 − {symbol('a', l, j)}) "
                f"= {number(a)} × (1 − {number(a)}) = {number(f)}")

    def bp1(self, j):
        L = self.L
        a, t, f = self.a_of(L, j), float(self.t[j - 1]), float(self.fprime[L][j - 1])
        dC_da, delta = float(self.dC_da[j - 1]), self.delta_of(L, j)
        inputs = {("f'", L, j): f, ("a", L, j): a, ("t", j): t, ("dC/da", L, j): dC_da}
        d, s = symbol("δ", L, j), symbol("a", L, j)
        equation = (f"{d} = σ′({symbol('z', L, j)}) ∂C/∂{s} = σ′({symbol('z', L, j)})"
                    f"({s} − {symbol('t', None, j)})",
                    f"= {number(f)} × ({number(a)} − {number(t)}) = {number(f)} × {factor(dC_da)} "
                    f"= {number(delta)}",
                    self.fprime_line(L, j))
        self.add("BP1", L, [j], [], {("delta", L, j): delta}, inputs, equation,
                 f"BP1, output layer ({L}), unit {j}: {d}")

    def bp2(self, l, j):
        ks = range(1, self.net.sizes[l] + 1)
        f, total = float(self.fprime[l][j - 1]), float(self.wsum[l][j - 1])
        inputs = {("f'", l, j): f, ("sum", l, j): total}
        inputs.update({("w", l + 1, j, k): self.w_of(l + 1, j, k) for k in ks})
        inputs.update({("delta", l + 1, k): self.delta_of(l + 1, k) for k in ks})
        delta = self.delta_of(l, j)
        terms = " + ".join(symbol("w", l + 1, j, k) + symbol("δ", l + 1, k) for k in ks)
        numbers = " + ".join(f"{factor(inputs[('w', l + 1, j, k)])} × "
                             f"{factor(inputs[('delta', l + 1, k)])}" for k in ks)
        d = symbol("δ", l, j)
        equation = (f"{d} = σ′({symbol('z', l, j)})({terms})",
                    f"= {number(f)} × ({numbers})",
                    f"= {number(f)} × {factor(total)} = {number(delta)}",
                    self.fprime_line(l, j))
        self.add("BP2", l, [j], [(l + 1, j, k) for k in ks], {("delta", l, j): delta}, inputs,
                 equation, f"BP2, layer ({l}), unit {j}: {d}")

    def gradients(self, l, j):
        delta, d = self.delta_of(l, j), symbol("δ", l, j)
        db = float(self.grads.db[l][j - 1])
        values, inputs = {("dC/db", l, j): db}, {("delta", l, j): delta}
        equation = [f"∂C/∂{symbol('b', l, j)} = {d} = {number(db)}   (BP3)"]
        for i in self.sources(l):
            dw, a = float(self.grads.dW[l][i - 1, j - 1]), self.a_of(l - 1, i)
            values[("dC/dw", l, i, j)], inputs[("a", l - 1, i)] = dw, a
            equation.append(f"∂C/∂{symbol('w', l, i, j)} = {symbol('a', l - 1, i)}{d} "
                            f"= {number(a)} × {factor(delta)} = {number(dw)}   (BP4)")
        self.add("gradients", l, [j], [(l, i, j) for i in self.sources(l)], values, inputs,
                 equation, f"BP3 and BP4, layer ({l}), unit {j}: the gradients")

    def update(self, l, j):
        eta = self.eta
        inputs = {("eta",): eta}
        rows = [("b", (l, j), float(self.net.b[l][j - 1]), float(self.grads.db[l][j - 1]),
                 float(self.b_new[l][j - 1]))]
        rows += [("w", (l, i, j), self.w_of(l, i, j), float(self.grads.dW[l][i - 1, j - 1]),
                  float(self.W_new[l][i - 1, j - 1])) for i in self.sources(l)]
        values, equation = {}, []
        for name, index, old, grad, new in rows:
            inputs[(name, *index)], inputs[(f"dC/d{name}", *index)] = old, grad
            values[(f"{name}_new", *index)] = new
            p = symbol(name, *index)
            equation.append(f"{p} ← {p} − η ∂C/∂{p} = {number(old)} − {number(eta)} × "
                            f"{factor(grad)} = {number(new)}")
        self.add("update", l, [j], [(l, i, j) for i in self.sources(l)], values, inputs,
                 equation, f"Update, layer ({l}), unit {j}: new weights and bias")
