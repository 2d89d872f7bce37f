"""One step of stochastic gradient descent, written the way the chapter writes it.

The book shows :meth:`TextbookStep.step` and :func:`update` verbatim (with
``literalinclude``), so an edit here edits the text.

A training step object is made for one network and one set of
:class:`SGDSettings` and offers two methods, which :func:`bpcode.sgd` calls:

* ``step(x, t)`` takes one step of gradient descent on the mini-batch
  (x, t) and returns whether the gradient was clipped;
* ``measure(x, t)`` returns a :class:`Measurement` of the network on (x, t):
  the mean cost, the per-layer gradient norms and the outputs.

:class:`TextbookStep` computes the step with the chapter's functions,
:class:`bpcode.FastStep` computes the same step in preallocated buffers.

Both take batches that :meth:`bpcode.Network.check_batch` has checked: they
run once per mini-batch inside :func:`bpcode.sgd`, which checks the whole
training set once, and a second check of the values of every batch would cost
the small networks of the chapter a fifth of their speed. :class:`bpcode.FastStep`
checks only types, dtypes and shapes; :class:`TextbookStep` checks the values
too, as a part of :meth:`bpcode.Network.backward`. A step whose cost, gradient
or new parameters are not finite raises :class:`DivergenceError` and changes
nothing, without RuntimeWarnings.
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from . import _validate
from .diagnostics import GradientNorms, frobenius, layer_norms
from .network import QUIET, Network, NonFiniteError


class DivergenceError(NonFiniteError):
    """Training produced a non-finite cost, gradient or parameter.

    The network keeps the parameters it had before the failing step.
    ``epoch``, ``layer`` and ``history`` (up to the last finished epoch) say
    where it happened and what came before; a step taken outside
    :func:`bpcode.sgd` leaves ``epoch`` and ``history`` None.
    """

    def __init__(self, message, epoch, layer, history):
        super().__init__(message, layer)
        self.epoch, self.history = epoch, history


@dataclass(frozen=True)
class SGDSettings:
    """The settings of a gradient-descent step, checked when made.

    eta : float
        The learning rate η > 0.
    momentum : float
        μ in [0, 1): v ← μ v + g, then θ ← θ - η v (heavy-ball momentum, in
        PyTorch's form). Zero gives plain gradient descent.
    weight_decay : float
        λ ≥ 0: adds (λ/2) Σ_l ‖W^l‖² to the cost that is minimised (the biases
        are not decayed).
    clip_norm : float or None
        If given, a gradient (all layers together) longer than this is scaled
        down to this length before the update.
    """

    eta: float
    momentum: float = 0.0
    weight_decay: float = 0.0
    clip_norm: float | None = None

    def __post_init__(self):
        checked = {
            "eta": _validate.real("eta", self.eta, low=0, low_open=True),
            "momentum": _validate.real("momentum", self.momentum, low=0),
            "weight_decay": _validate.real("weight_decay", self.weight_decay, low=0),
        }
        if checked["momentum"] >= 1:
            raise ValueError(f"momentum must be < 1, got {checked['momentum']}")
        if self.clip_norm is not None:
            checked["clip_norm"] = _validate.real("clip_norm", self.clip_norm, low=0,
                                                  low_open=True)
        for name, value in checked.items():
            object.__setattr__(self, name, value)  # frozen: store the checked floats


class Measurement(NamedTuple):
    """What a training step's ``measure(x, t)`` returns: the mean cost C of
    the batch, the :class:`bpcode.GradientNorms` of its gradient and the
    outputs y = a^L (one row per sample)."""

    loss: float
    norms: GradientNorms
    y: np.ndarray


def update(W, b, dW, db, eta):
    """The gradient-descent step of the algorithm, in every layer,
    W^l ← W^l - η ∂C/∂W^l and b^l ← b^l - η ∂C/∂b^l for every l = L, ..., 2.

    Returns new dicts and leaves ``W`` and ``b`` untouched, so that a step can
    be checked before the network takes it.
    """
    return ({l: W[l] - eta * dW[l] for l in W},
            {l: b[l] - eta * db[l] for l in b})


class TextbookStep:
    """SGD steps on ``net`` computed by the chapter's functions: backpropagation
    with :meth:`bpcode.Network.backward`, then :func:`update`.

    ``velocity`` holds the momentum v^l of every layer as {l: (v_W, v_b)}.
    """

    def __init__(self, net, settings):
        _validate.instance("net", net, Network)
        _validate.instance("settings", settings, SGDSettings)
        self.net, self.settings = net, settings
        self.velocity = {l: (np.zeros_like(net.W[l]), np.zeros_like(net.b[l])) for l in net.W}

    def step(self, x, t):
        """One step of gradient descent on the mini-batch (x, t); returns True
        if the gradient was clipped. Raises :class:`DivergenceError`, changing
        nothing, if a cost, gradient or new parameter is not finite."""
        dW, db = self.gradient(x, t)                         # BP1-BP4
        dW, db, velocity, clipped = self.direction(dW, db)   # sgd's options
        self.net.W, self.net.b = self.updated(dW, db)        # the update
        self.velocity = velocity
        return clipped

    def gradient(self, x, t):
        """∂C/∂W^l and ∂C/∂b^l of the mini-batch, by :meth:`bpcode.Network.backward`;
        raises :class:`DivergenceError` if the cost or a gradient is not finite."""
        grads = self.net.backward(x, t, allow_overflow=True)
        _check_finite(grads, _diverged)
        return grads.dW, grads.db

    def updated(self, dW, db):
        """The parameters after the step of :func:`update` along (dW, db); raises
        :class:`DivergenceError` if one of them is not finite."""
        eta = self.settings.eta
        with np.errstate(**QUIET):  # a step that overflows is refused below
            W, b = update(self.net.W, self.net.b, dW, db, eta)
        _check_parameters(W, b, eta)
        return W, b

    def direction(self, dW, db):
        """The step's direction from the gradient (dW, db), with the settings'
        weight decay, clipping and momentum applied in that order. Returns
        (dW, db, the new velocity, whether the gradient was clipped)."""
        with np.errstate(**QUIET):  # an overflow here is refused by updated
            W, settings = self.net.W, self.settings
            lam, clip_norm, mu = settings.weight_decay, settings.clip_norm, settings.momentum
            if lam:
                dW = {l: dW[l] + lam * W[l] for l in dW}
            clipped = False
            if clip_norm is not None:
                norm = float(np.sqrt(sum(float((dW[l] ** 2).sum() + (db[l] ** 2).sum())
                                         for l in dW)))
                if norm == np.inf:  # the sum of squares overflows, the length may not
                    norm = frobenius(np.array([frobenius(g) for g in (*dW.values(), *db.values())]))
                if norm > clip_norm:
                    dW = {l: dW[l] * (clip_norm / norm) for l in dW}
                    db = {l: db[l] * (clip_norm / norm) for l in db}
                    clipped = True
            velocity = self.velocity
            if mu:
                velocity = {l: (mu * velocity[l][0] + dW[l], mu * velocity[l][1] + db[l])
                            for l in dW}
                dW = {l: v[0] for l, v in velocity.items()}
                db = {l: v[1] for l, v in velocity.items()}
            return dW, db, velocity, clipped

    def measure(self, x, t):
        """The :class:`Measurement` of the network on (x, t), by backpropagation.
        Raises :class:`bpcode.NonFiniteError` if the cost or a gradient is not
        finite."""
        grads = self.net.backward(x, t, allow_overflow=True)
        _check_finite(grads, NonFiniteError)
        return Measurement(grads.loss, layer_norms(grads.dW, grads.delta), grads.a[self.net.L])


def _check_finite(grads, error):
    """Raise ``error(message, layer)`` if the cost or a gradient in ``grads``
    (a :class:`bpcode.Gradients`) is not finite."""
    if not np.isfinite(grads.loss):
        layer = next((l for l in sorted(grads.z)
                      if not np.isfinite(grads.z[l]).all()
                      or not np.isfinite(grads.a[l]).all()), max(grads.z))
        raise error(f"the cost is {grads.loss}, first non-finite values in layer {layer}",
                    layer)
    for l in sorted(grads.dW, reverse=True):
        if not (np.isfinite(grads.dW[l]).all() and np.isfinite(grads.db[l]).all()):
            raise error(f"the gradient of layer {l} (dC/dW[{l}] or dC/db[{l}]) is not "
                        f"finite", l)


def _diverged(message, layer):
    """The :class:`DivergenceError` of a step that changed nothing."""
    return DivergenceError(f"{message}; the network keeps its parameters from before this "
                           f"step", None, layer, None)


def _check_parameters(W, b, eta):
    """Raise :class:`DivergenceError` if a new W^l or b^l is not finite."""
    for l in sorted(W, reverse=True):
        if not (np.isfinite(W[l]).all() and np.isfinite(b[l]).all()):
            raise DivergenceError(
                f"the update made W[{l}] or b[{l}] of layer {l} non-finite (learning rate "
                f"eta={eta} too large?); the network keeps its parameters from before this "
                f"step", None, l, None)
