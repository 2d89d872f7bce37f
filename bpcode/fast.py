"""The training step that :func:`bpcode.sgd` takes by default: the textbook step, fused.

:mod:`bpcode.backprop` and :func:`bpcode.update` spell out the chapter's
equations one function each and allocate new arrays as they go. This module
computes the same step with the same equations in buffers allocated once, and
writes them the way the chapter writes them for one sample: every layer's z^l,
a^l and δ^l has one column per sample, so that

    z^l = (W^l)^T a^{l-1} + b^l,   δ^l = (W^{l+1} δ^{l+1}) ∘ f'(z^l),
    ∂C/∂W^l = a^{l-1} (δ^l)^T,     ∂C/∂b^l = δ^l 1

are each one matrix product over the whole batch. What makes it fast:

* The bias is a weight from an extra unit that is always 1. Each layer's
  parameters are one block [W^l; b^l] of shape (M_{l-1} + 1, M_l), and each
  hidden layer's buffer has an extra last row of ones, so one product gives
  z^l with the bias added, and one product gives ∂C/∂W^l and ∂C/∂b^l together.
  (The input x arrives without that row: layer 2 adds b^2 while computing its
  activation, and sums δ^2 for ∂C/∂b^2.)
* The blocks of all layers lie in one flat array, and so do the gradients, so
  the update θ ← θ - η ∂C/∂θ, the update of the algorithm, is a
  single numpy operation for the whole network.
* η/n is folded into δ^L. Every δ^l and every gradient is linear in δ^L, so
  backpropagation yields η ∂C/∂θ directly and the update needs no scaling.
* f'(z^l) is computed in the forward pass, from a^l while that is still in
  cache, rather than in the backward pass, when it would have to be fetched
  again.
* Everything else happens in place: f(z^l) overwrites z^l, δ^l ∘ f'(z^l)
  overwrites δ^l, and the new parameters overwrite the gradient. The array of
  the old parameters then receives the next gradient, unless code outside the
  training loop may have seen it (the caller before training, or a callback):
  an array the network has shown is never written again. As in the textbook
  path, the input layer's δ^1 is never computed.

The network is pointed at the new parameters only when every one of them is
finite. Otherwise nothing has changed, and :class:`FastStep` has
:class:`bpcode.TextbookStep` take the step instead, which raises
:class:`bpcode.DivergenceError` with its exact message (or takes the step, if
rounding made the difference). ``tests/test_fast_path.py`` checks that both
steps agree to rounding.

:meth:`FastStep.products` makes the step's matrix products alone: the bound
that ``benchmarks/`` measures the step against.

The module is longer than the package's others because it is one idea, a
single fused step, whose buffers, passes and update only make sense together.
"""

import math

import numpy as np

from . import _validate
from .backprop import output_delta
from .diagnostics import layer_norms
from .network import QUIET, Network
from .step import Measurement, SGDSettings, TextbookStep

# Hidden activations, in place on h = the matrix product (W^l)^T a^{l-1}: add
# the bias column b (None when the product already includes it), then apply f.
# The matching derivative writes f'(z) into out, from a = f(z), in the forward
# pass while a is still in cache; None stands for f' = 1.


def _sigmoid(h, b):
    """h ← σ(z) = (1 + tanh(z/2)) / 2, the sigmoid, in four passes over h
    (five with the bias).

    The identity is exact; numpy's tanh is faster than its exp, and it cannot
    overflow, so no z is a special case.
    """
    if b is not None:
        np.add(h, b, out=h)
    np.multiply(h, 0.5, out=h)
    np.tanh(h, out=h)
    np.multiply(h, 0.5, out=h)
    np.add(h, 0.5, out=h)


def _sigmoid_prime(a, out):
    """f'(z) = a(1 - a) = a - a² for the sigmoid."""
    np.multiply(a, a, out=out)
    np.subtract(a, out, out=out)


def _tanh(h, b):
    if b is not None:
        np.add(h, b, out=h)
    np.tanh(h, out=h)


def _tanh_prime(a, out):
    np.multiply(a, a, out=out)
    np.subtract(1, out, out=out)


def _relu(h, b):
    if b is not None:
        np.add(h, b, out=h)
    np.maximum(h, 0, out=h)


def _relu_prime(a, out):
    np.greater(a, 0, out=out)  # a > 0 exactly where z > 0


def _identity(h, b):
    if b is not None:
        np.add(h, b, out=h)


HIDDEN = {
    "sigmoid": (_sigmoid, _sigmoid_prime),
    "tanh": (_tanh, _tanh_prime),
    "relu": (_relu, _relu_prime),
    "identity": (_identity, None),
}


class _Flat:
    """One flat array holding a value for every W^l and b^l. For l = i + 2,
    ``block[i]`` is [W^l; b^l] of shape (M_{l-1} + 1, M_l), ``W[i]`` and
    ``b[i]`` are its parts and ``b_col[i]`` is b^l as a column."""

    def __init__(self, sizes, dtype):
        shapes = list(zip(sizes[:-1], sizes[1:], strict=True))
        self.flat = np.zeros(sum((m + 1) * k for m, k in shapes), dtype)
        self.block, self.W, self.b, self.b_col = [], [], [], []
        offset = 0
        for m, k in shapes:
            block = self.flat[offset:offset + (m + 1) * k].reshape(m + 1, k)
            self.block.append(block)
            self.W.append(block[:-1])
            self.b.append(block[-1])
            self.b_col.append(block[-1][:, np.newaxis])
            offset += (m + 1) * k


class _Buffers:
    """Work arrays for batches of n samples, one column per sample."""

    def __init__(self, sizes, n, dtype):
        hidden = sizes[1:-1]
        # a^l for l = 2..L-1 with a last row of ones: ``a1[i]``, and a^l alone: ``a[i]``.
        self.a1 = [np.ones((m + 1, n), dtype) for m in hidden]
        self.a = [a1[:-1] for a1 in self.a1]
        self.delta = [np.empty((m, n), dtype) for m in sizes[1:]]  # (η/n) δ^l, l = 2..L
        self.fprime = [np.empty((m, n), dtype) for m in hidden]    # f'(z^l)
        self.z = np.empty((sizes[-1], n), dtype)                   # z^L
        self.y = np.empty((sizes[-1], n), dtype)                   # a^L
        self.t = np.empty((sizes[-1], n), dtype)                   # t
        self.ones = np.ones(n, dtype)


class _BuffersBySize(dict):
    """The :class:`_Buffers` of each batch size n, made when first asked for."""

    def __init__(self, sizes, dtype):
        super().__init__()
        self.sizes, self.dtype = sizes, dtype

    def __missing__(self, n):
        buf = self[n] = _Buffers(self.sizes, n, self.dtype)
        return buf


class FastStep:
    """SGD steps on ``net`` with the :class:`bpcode.SGDSettings` ``settings``,
    computed in buffers allocated once: the same interface and the same steps
    as :class:`bpcode.TextbookStep`, to rounding.

    ``step(x, t)`` takes one step on a checked batch (one row per sample, as
    everywhere in bpcode) and returns whether the gradient was clipped. A step
    in which a value is not finite changes nothing here and is taken by the
    textbook step instead, which raises :class:`bpcode.DivergenceError` with
    its exact message (or takes the step, if rounding made the difference).

    The network's arrays are views of this object's buffers, and a step may
    write the next gradient into the arrays that the network held before it,
    unless ``measure`` was called in between: code that keeps arrays of the
    network across steps should keep copies (:meth:`bpcode.Network.copy`).
    :func:`bpcode.sgd` measures after every epoch, before its callback runs.
    If the network's arrays are replaced between steps (for example by
    :meth:`bpcode.Network.set_parameters`), the next step starts from them.
    """

    def __init__(self, net, settings):
        _validate.instance("net", net, Network)
        _validate.instance("settings", settings, SGDSettings)
        if net.hidden.name not in HIDDEN:
            raise ValueError(f"FastStep has no fast form of the hidden activation "
                             f"{net.hidden.name!r}: expected one of {sorted(HIDDEN)} "
                             f"(TextbookStep takes every activation)")
        self.net, self.settings = net, settings
        self.textbook = TextbookStep(net, settings)  # takes the steps this one refuses
        eta, sizes, dtype = settings.eta, net.sizes, net.dtype
        self._activate, self._prime = HIDDEN[net.hidden.name]
        self._softmax_ce = net.output.name == "softmax" and net.cost.name == "cross_entropy"
        self._layers = list(range(2, net.L + 1))
        self._buffers = _BuffersBySize(sizes, dtype)
        self.G = _Flat(sizes, dtype)  # η ∂C/∂θ, then the new parameters
        self.decay = self._scratch = None
        if settings.weight_decay:  # η λ on every weight, 0 on every bias
            self.decay, self._scratch = _Flat(sizes, dtype), _Flat(sizes, dtype)
            # An η λ beyond the dtype's range becomes inf here, and the first
            # step then refuses its non-finite parameters (DivergenceError).
            with np.errstate(over="ignore"):
                for w in self.decay.W:
                    w.fill(eta * settings.weight_decay)
        # The velocity is kept as η v, in two arrays used in turn so that a
        # refused step leaves it unchanged.
        self.V = [_Flat(sizes, dtype), _Flat(sizes, dtype)] if settings.momentum else None
        self.adopt(net)

    def adopt(self, net, velocity=None):
        """Start from the network's current parameters (and from the textbook
        velocity dict {l: (v_W, v_b)}, zero if None)."""
        self.P = _Flat(net.sizes, net.dtype)
        for i, l in enumerate(self._layers):
            self.P.W[i][...] = net.W[l]
            self.P.b[i][...] = net.b[l]
        if self.V is not None:
            # An η v beyond the dtype's range becomes inf: the next step is then
            # refused and taken by the textbook step.
            with np.errstate(over="ignore"):
                for i, l in enumerate(self._layers):
                    v_W, v_b = velocity[l] if velocity is not None else (0, 0)
                    np.multiply(v_W, self.settings.eta, out=self.V[0].W[i])
                    np.multiply(v_b, self.settings.eta, out=self.V[0].b[i])
        self._seen = ([net.W[l] for l in self._layers], [net.b[l] for l in self._layers])
        self._shown = None

    @property
    def velocity(self):
        """The velocity v in the textbook's form {l: (v_W, v_b)}."""
        if self.V is None:
            return {l: (np.zeros_like(self.P.W[i]), np.zeros_like(self.P.b[i]))
                    for i, l in enumerate(self._layers)}
        # η in float64: cast to float32 first, a huge η would overflow.
        V, eta, dtype = self.V[0], np.float64(self.settings.eta), self.net.dtype
        return {l: ((V.W[i] / eta).astype(dtype), (V.b[i] / eta).astype(dtype))
                for i, l in enumerate(self._layers)}

    def step(self, x, t):
        """One step of gradient descent on the mini-batch (x, t); returns True
        if the gradient was clipped."""
        self._check_shapes(x, t)
        if not self._in_sync():
            self.adopt(self.net, self.velocity)
        # Overflow is expected and handled: a step with a value that is not finite
        # is refused, and the quick finiteness check can overflow for huge but
        # finite parameters.
        with np.errstate(**QUIET):
            clipped = self._step(x, t)
        if clipped is None:
            self.textbook.velocity = self.velocity
            clipped = self.textbook.step(x, t)
            self.adopt(self.net, self.textbook.velocity)
        return clipped

    def measure(self, x, t):
        """The :class:`bpcode.Measurement` of the network on (x, t). From now
        on the network's current arrays count as seen by others."""
        self._check_shapes(x, t)
        net, n = self.net, len(x)
        if not self._in_sync():
            self.adopt(net, self.velocity)
        buf = _Buffers(net.sizes, n, net.dtype)
        with np.errstate(**QUIET):  # what is not finite is refused
            cost = self._gradient(x, t, 1.0 / n, buf)
        if cost is None or not np.isfinite(self.G.flat).all():
            return self.textbook.measure(x, t)  # which raises, naming the layer
        if self._seen is None:
            self._shown = self.P
        # With the scale 1/n, G holds ∂C/∂θ and buf.delta holds δ^l / n.
        dW = {l: self.G.W[i] for i, l in enumerate(self._layers)}
        delta = {l: buf.delta[i].T * n for i, l in enumerate(self._layers)}
        y = buf.y.T if self._softmax_ce else net.output.f(buf.z.T)
        return Measurement(cost / n, layer_norms(dW, delta), y)

    def _check_shapes(self, x, t):
        """The O(1) part of :meth:`bpcode.Network.check_batch`: the values were
        checked before (by sgd, for the whole training set), the types and shapes
        are checked here so that a wrong batch cannot reach the buffers."""
        sizes, dtype = self.net.sizes, np.dtype(self.net.dtype)
        if not (isinstance(x, np.ndarray) and isinstance(t, np.ndarray)
                and x.dtype == dtype and t.dtype == dtype and x.ndim == 2 and len(x) > 0
                and x.shape[1] == sizes[0] and t.shape == (len(x), sizes[-1])):
            raise ValueError(
                f"x and t must be a batch checked by Network.check_batch: {dtype.name} "
                f"arrays of shapes (n, {sizes[0]}) and (n, {sizes[-1]}), n >= 1, got "
                f"{_describe(x)} and {_describe(t)}")

    def _in_sync(self):
        net = self.net
        seen_W, seen_b = self._seen if self._seen is not None else (self.P.W, self.P.b)
        return all(net.W.get(l) is seen_W[i] and net.b.get(l) is seen_b[i]
                   for i, l in enumerate(self._layers))

    def products(self, x):
        """Run only the matrix products of a step on the batch x: the very
        np.dot calls of :meth:`step`, with its operands, shapes and memory
        layout (the forward products, the weight-gradient and input-gradient
        products, and the bias product of layer 2), and nothing else.

        This exists to measure the step against its own products (see
        ``benchmarks/``). The products read and write the step's work arrays
        and gradient as they stand, so they change neither the network nor any
        later step."""
        self._gradient(x, None, None, self._buffers[len(x)])

    def _step(self, x, t):
        n = len(x)
        if self._gradient(x, t, self.settings.eta / n, self._buffers[n]) is None:
            return None
        return self._update()

    def _gradient(self, x, t, scale, buf):
        """Forward pass and backpropagation of ``scale`` δ^L, the gradient into
        self.G; returns the summed cost, or None if it is not finite. With t
        None, only the matrix products (:meth:`products`): the step and its
        bound share this code, so that the products measured are the step's."""
        net, P, G = self.net, self.P, self.G
        a, a1, delta = buf.a, buf.a1, buf.delta
        activate, prime = (self._activate, self._prime) if t is not None else (None, None)
        last = len(self._layers) - 1  # index i stands for the chapter's layer l = i + 2

        # The forward pass.
        z = a[0] if last else buf.z
        np.dot(P.W[0].T, x.T, out=z)
        if last:
            if activate is not None:
                activate(z, P.b_col[0])
                if prime is not None:
                    prime(z, buf.fprime[0])
            for i in range(1, last):
                np.dot(P.block[i].T, a1[i - 1], out=a[i])
                if activate is not None:
                    activate(a[i], None)
                    if prime is not None:
                        prime(a[i], buf.fprime[i])
            z = buf.z
            np.dot(P.block[last].T, a1[last - 1], out=z)
        elif activate is not None:
            np.add(z, P.b_col[0], out=z)
        # The output error δ^L (BP1), times the scale, and the cost.
        cost = None
        if t is not None:
            if self._softmax_ce:
                np.copyto(buf.t, t.T)
                cost = _softmax_cross_entropy(z, buf.y, buf.t, delta[last], scale)
            else:
                y = net.output.f(z.T)
                cost = float(net.cost.value(z.T, y, t).sum())
                np.multiply(output_delta(net.cost, net.output, z.T, y, t).T, scale,
                            out=delta[last])
            if not math.isfinite(cost):
                return None

        # Backpropagation: BP2, BP4 and BP3.
        for i in range(last, 0, -1):
            np.dot(a1[i - 1], delta[i].T, out=G.block[i])
            np.dot(P.W[i], delta[i], out=delta[i - 1])
            if prime is not None:
                np.multiply(delta[i - 1], buf.fprime[i - 1], out=delta[i - 1])
        np.dot(x.T, delta[0].T, out=G.W[0])
        np.dot(delta[0], buf.ones, out=G.b[0])
        return cost

    def _update(self):
        """The update of the algorithm, with the
        options of :func:`bpcode.sgd`, written over the gradient."""
        net, P, G = self.net, self.P, self.G
        g = G.flat
        if self.decay is not None:
            np.multiply(P.flat, self.decay.flat, out=self._scratch.flat)
            np.add(g, self._scratch.flat, out=g)
        clipped = False
        clip_norm = self.settings.clip_norm
        if clip_norm is not None:
            norm = math.sqrt(float(np.dot(g, g))) / self.settings.eta
            if math.isinf(norm):  # the sum of squares overflows, the length may not
                scale = float(np.abs(g).max())
                norm = scale * math.sqrt(float(np.dot(g / scale, g / scale))) / self.settings.eta
            if norm > clip_norm:
                np.multiply(g, clip_norm / norm, out=g)
                clipped = True
        if self.V is not None:
            v, v_new = self.V
            np.multiply(v.flat, self.settings.momentum, out=v_new.flat)
            np.add(v_new.flat, g, out=v_new.flat)
            np.subtract(P.flat, v_new.flat, out=g)
        else:
            np.subtract(P.flat, g, out=g)
        # g·g is finite exactly when every entry is, unless it overflows.
        if not (math.isfinite(float(np.dot(g, g))) or np.isfinite(g).all()):
            return None

        for i, l in enumerate(self._layers):
            net.W[l], net.b[l] = G.W[i], G.b[i]
        self._seen = None  # the network shows the views of self.P
        self.P = G
        # The old parameters hold the next gradient, unless they were shown.
        self.G = P if P is not self._shown else _Flat(net.sizes, net.dtype)
        if self.V is not None:
            self.V.reverse()
        return clipped


def _describe(array):
    if not isinstance(array, np.ndarray):
        return type(array).__name__
    return f"{array.dtype.name} shape {array.shape}"


def _softmax_cross_entropy(z, y, t, delta, scale):
    """Softmax output and cross-entropy cost, one column per sample, in place:
    y ← softmax(z), δ ← (y - t) · scale and z ← ln y. Returns -Σ t ln y."""
    m = z.max(axis=0)
    np.subtract(z, m, out=z)
    np.exp(z, out=y)
    s = y.sum(axis=0)
    np.divide(y, s, out=y)
    np.subtract(y, t, out=delta)
    np.multiply(delta, scale, out=delta)
    np.log(s, out=s)
    np.subtract(z, s, out=z)
    return -float(np.vdot(t, z))
