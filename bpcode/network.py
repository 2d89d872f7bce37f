"""The multilayer perceptron: its parameters and the checked entry points.

Every entry point checks its arguments, computes with numpy's warnings for
overflow switched off, and then checks that what it computed is finite: a
value that overflows raises :class:`NonFiniteError` naming the layer, instead
of a RuntimeWarning and an inf or NaN in the result.
"""

from typing import NamedTuple

import numpy as np

from . import _validate
from .activations import ACTIVATIONS
from .backprop import backward, feedforward
from .costs import COSTS
from .init import INITS, init_params

DTYPES = {"float64": np.float64, "float32": np.float32}

#: numpy's error state where overflow is expected and checked afterwards: values
#: that overflow become inf or NaN silently, and the check names the layer.
QUIET = {"over": "ignore", "invalid": "ignore", "divide": "ignore"}


class NonFiniteError(FloatingPointError):
    """A computation on finite inputs and parameters produced a value that is not
    finite: it overflowed the network's floating-point range.

    ``layer`` is the layer l where the values first stopped being finite (None
    for an equation function that is given one layer's arrays, such as
    :func:`bpcode.weight_gradient`). Nothing has changed when it is raised.
    """

    def __init__(self, message, layer):
        super().__init__(message)
        self.layer = layer


class Forward(NamedTuple):
    """The result of a forward pass: the output y = a^L and the dicts z, a."""

    y: np.ndarray
    z: dict
    a: dict


class Gradients(NamedTuple):
    """The result of backpropagation on one mini-batch.

    ``loss`` is the mean cost C of the batch; ``delta``, ``dW`` and ``db`` are
    dicts keyed by l = 2, ..., L holding δ^l (one row per sample), ∂C/∂W^l
    and ∂C/∂b^l; ``z`` and ``a`` are those of the forward pass.
    """

    loss: float
    delta: dict
    dW: dict
    db: dict
    z: dict
    a: dict


class Network:
    """A multilayer perceptron with layer sizes M_1, ..., M_L.

    Layer 1 is the input layer (a^1 = x); layers 2, ..., L carry weights
    ``W[l]`` of shape (M_{l-1}, M_l) and biases ``b[l]`` of shape (M_l,).
    Hidden layers use the activation ``hidden``, layer L uses ``output``.

    Parameters
    ----------
    sizes : sequence of int
        The layer sizes [M_1, ..., M_L], at least two, each at least 1, whose
        parameters fit in the machine's memory.
    hidden, output : str
        Names in :data:`bpcode.ACTIVATIONS`; softmax is for the output only.
    cost : str
        A name in :data:`bpcode.COSTS`. The binary cross-entropy needs a
        sigmoid output and the cross-entropy a softmax output.
    init : str
        A name in :data:`bpcode.INITS`.
    std : float
        The standard deviation of the "normal" scheme (ignored by the others).
    gain : float
        A factor on every initial weight and bias, to sweep the weight scale.
        With std, it must leave every initial parameter finite in ``dtype``.
    seed : int, numpy.random.Generator or None
        Where the initial parameters come from.
    dtype : "float64" or "float32"
        The precision of every parameter and every computation.
    """

    def __init__(self, sizes, hidden="sigmoid", output="sigmoid", cost="quadratic",
                 init="normal", std=1.0, gain=1.0, seed=None, dtype="float64"):
        if isinstance(sizes, (str, bytes)) or not hasattr(sizes, "__len__"):
            raise TypeError(f"sizes must be a sequence of layer sizes, got {sizes!r}")
        if len(sizes) < 2:
            raise ValueError(f"sizes must list at least 2 layers (input and output), "
                             f"got {list(sizes)}")
        self.sizes = tuple(_validate.integer(f"sizes[{i}]", m, low=1)
                           for i, m in enumerate(sizes))
        self.hidden = _validate.choice("hidden activation", hidden, ACTIVATIONS)
        if not self.hidden.hidden:
            raise ValueError(f"hidden activation {hidden!r} is for the output layer only: "
                             f"expected one of "
                             f"{sorted(k for k, v in ACTIVATIONS.items() if v.hidden)}")
        self.output = _validate.choice("output activation", output, ACTIVATIONS)
        self.cost = _validate.choice("cost", cost, COSTS)
        if self.cost.outputs is not None and output not in self.cost.outputs:
            raise ValueError(f"cost {cost!r} needs output activation "
                             f"{' or '.join(sorted(self.cost.outputs))!r}, got {output!r}")
        _validate.choice("init", init, INITS)
        std = _validate.real("std", std, low=0, low_open=True)
        gain = _validate.real("gain", gain, low=0, low_open=True)
        if not isinstance(dtype, str):
            try:
                dtype = np.dtype(dtype).name
            except TypeError:
                raise TypeError(f"dtype must be 'float64' or 'float32', got {dtype!r}") from None
        self.dtype = _validate.choice("dtype", dtype, DTYPES)
        _validate.fits_in_memory("sizes", self.sizes, self.dtype)
        rng = _validate.generator(seed)
        state = rng.bit_generator.state
        try:
            with np.errstate(**QUIET):  # checked below
                self.W, self.b = init_params(self.sizes, init, rng, self.dtype, std=std,
                                             gain=gain)
        except MemoryError:
            rng.bit_generator.state = state  # a generator passed as seed is left as it was
            raise ValueError(f"sizes {list(self.sizes)} need more memory than is "
                             f"available") from None
        if not all(np.isfinite(self.W[l]).all() and np.isfinite(self.b[l]).all()
                   for l in self.W):
            rng.bit_generator.state = state
            raise ValueError(
                f"std={std} and gain={gain} give initial parameters beyond the range of "
                f"{np.dtype(self.dtype).name} (largest magnitude "
                f"{np.finfo(self.dtype).max:.4g}): choose a smaller std or gain")

    @property
    def L(self):
        """The number of layers, counting the input layer."""
        return len(self.sizes)

    @property
    def n_params(self):
        return sum(self.W[l].size + self.b[l].size for l in self.W)

    def __repr__(self):
        return (f"Network({list(self.sizes)}, hidden={self.hidden.name!r}, "
                f"output={self.output.name!r}, cost={self.cost.name!r}, "
                f"dtype={np.dtype(self.dtype).name!r})")

    def forward(self, x):
        """Feed ``x`` (shape (n, M_1), or (M_1,) for one sample) through the
        network, layer by layer. Returns :class:`Forward`.

        Raises :class:`NonFiniteError` if some z^l overflows."""
        x = _validate.as_matrix("x", x, self.sizes[0], self.dtype)
        with np.errstate(**QUIET):  # checked below
            z, a = feedforward(self.W, self.b, x, self.hidden, self.output)
        self._check_finite(z)
        return Forward(a[self.L], z, a)

    def predict(self, x):
        """The output y = a^L for the inputs ``x``."""
        return self.forward(x).y

    def check_batch(self, x, t):
        """Check inputs ``x`` and targets ``t`` for this network and return
        them as matrices of its dtype, one row per sample."""
        x = _validate.as_matrix("x", x, self.sizes[0], self.dtype)
        given, t = t, _validate.as_matrix("t", t, self.sizes[-1], self.dtype)
        if t.shape[0] != x.shape[0]:
            raise ValueError(
                f"t must have one row per row of x: expected shape ({x.shape[0]}, "
                f"{self.sizes[-1]}), got shape {np.shape(given)}"
            )
        self.cost.check_targets(t)
        return x, t

    def loss(self, x, t):
        """The mean cost C over the samples in ``x`` with targets ``t``.

        Raises :class:`NonFiniteError` if some z^l or the cost overflows."""
        x, t = self.check_batch(x, t)
        with np.errstate(**QUIET):  # checked below
            z, a = feedforward(self.W, self.b, x, self.hidden, self.output)
            loss = float(self.cost.value(z[self.L], a[self.L], t).mean())
        self._check_finite(z, loss)
        return loss

    def backward(self, x, t, *, allow_overflow=False):
        """Forward pass, then backpropagation, BP1-BP4. Returns :class:`Gradients`.

        Raises :class:`NonFiniteError`, naming the layer, if a value overflows
        (z^l, the cost, δ^l, ∂C/∂W^l or ∂C/∂b^l); with ``allow_overflow=True``
        such values come back as inf or NaN instead, silently, for diagnostics
        that show where a network overflows."""
        x, t = self.check_batch(x, t)
        allow_overflow = _validate.boolean("allow_overflow", allow_overflow)
        with np.errstate(**QUIET):  # checked below, unless allow_overflow
            z, a = feedforward(self.W, self.b, x, self.hidden, self.output)
            delta, dW, db = backward(self.W, z, a, t, self.hidden, self.output, self.cost)
            loss = float(self.cost.value(z[self.L], a[self.L], t).mean())
        if not allow_overflow:
            self._check_finite(z, loss, delta, dW, db)
        return Gradients(loss, delta, dW, db, z, a)

    def accuracy(self, x, t):
        """The fraction of samples classified right (see :func:`fraction_correct`)."""
        x, t = self.check_batch(x, t)
        return fraction_correct(self.predict(x), t)

    def set_parameters(self, W, b):
        """Replace every W^l and b^l, after checking shapes and values.

        ``W`` and ``b`` are dicts (or sequences for l = 2, ..., L). The arrays
        are copied into the network's dtype.
        """
        W, b = _validate.layer_dict("W", W, self.L), _validate.layer_dict("b", b, self.L)
        new_W, new_b = {}, {}
        for l in range(2, self.L + 1):
            shape_W = (self.sizes[l - 2], self.sizes[l - 1])
            new_W[l] = _validate.parameter(f"W[{l}]", W[l], shape_W, self.dtype)
            new_b[l] = _validate.parameter(f"b[{l}]", b[l], shape_W[1:], self.dtype)
        self.W, self.b = new_W, new_b

    def copy(self):
        """An independent network with the same configuration and parameters."""
        twin = object.__new__(Network)
        twin.__dict__.update(self.__dict__)
        twin.W = {l: w.copy() for l, w in self.W.items()}
        twin.b = {l: v.copy() for l, v in self.b.items()}
        return twin

    def _check_finite(self, z, loss=0.0, delta=None, dW=None, db=None):
        """Raise :class:`NonFiniteError` at the first value that is not finite, in
        the order of computation: z^2, ..., z^L, the cost, δ^L, ..., δ^2, then
        the gradients."""
        computed = [(l, f"z^{l}", z[l]) for l in sorted(z)]
        computed.append((self.L, f"the cost ({loss})", loss))
        computed += [(l, f"δ^{l}", delta[l]) for l in sorted(delta or (), reverse=True)]
        for l in sorted(dW or (), reverse=True):
            computed += [(l, f"∂C/∂W^{l}", dW[l]), (l, f"∂C/∂b^{l}", db[l])]
        problem = next(((l, what) for l, what, value in computed
                        if not np.isfinite(value).all()), None)
        if problem is None:
            return
        for k in self.W:  # a parameter set in place, bypassing set_parameters
            if not (np.isfinite(self.W[k]).all() and np.isfinite(self.b[k]).all()):
                raise ValueError(f"W[{k}] or b[{k}] is not finite: every parameter must be "
                                 f"finite (set_parameters checks them)")
        layer, what = problem
        raise NonFiniteError(
            f"{what} is not finite in layer {layer}: the values overflow the range of "
            f"{np.dtype(self.dtype).name} (largest magnitude {np.finfo(self.dtype).max:.4g}) "
            f"although the inputs and every parameter are finite (weights or inputs too "
            f"large?)", layer)


def fraction_correct(y, t):
    """The fraction of the outputs ``y`` that name the class of the targets ``t``.

    With several outputs the class is the largest output (t one-hot); with one
    output it is whether y > 1/2 (t is 0 or 1).
    """
    if y.shape[1] == 1:
        return float(((y[:, 0] > 0.5) == (t[:, 0] > 0.5)).mean())
    return float((y.argmax(axis=1) == t.argmax(axis=1)).mean())


def is_classification(t):
    """True when ``t`` holds class labels: 0/1 values, one-hot with several outputs."""
    if not np.isin(t, (0, 1)).all():
        return False
    return t.shape[1] == 1 or bool((t.sum(axis=1) == 1).all())
