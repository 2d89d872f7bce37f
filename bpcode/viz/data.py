"""The numbers behind each figure: what is plotted, computed by bpcode (numpy only).

Every function checks its arguments and raises ``ValueError`` or ``TypeError``
naming the argument, before it builds anything. The names are those of
:class:`bpcode.Network`: ``std`` is the standard deviation of the initial
weights (and, for the saturation network, of the biases), ``gain`` a factor on
every initial weight.

``depth`` is the number of weight layers, so a network has L = depth + 1
layers counting the input layer, and its layers with weights are
l = 2, ..., L, as everywhere in bpcode.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import _validate
from ..datasets import regression_1d
from ..diagnostics import gradient_norms, saturation
from ..init import INITS
from ..network import Network
from ..train import DivergenceError, sgd

#: The weight stds that the saturation Play control and animation step through.
SATURATION_STDS = np.geomspace(0.01, 3.0, 25)
#: The gains that the gradient-norm Play control and animation step through.
GRADIENT_GAINS = np.geomspace(0.5, 2.0, 25)
#: Hidden activations of the gradient figures.
ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")


class SaturationData(NamedTuple):
    """What the saturation figure shows.

    ``z`` holds every value of z^``layer`` (all units, all samples);
    ``layers`` and ``fractions`` are :func:`bpcode.saturation` of the network,
    the fraction of units with f'(z) < ``threshold`` at each layer l = 2..L.
    """

    std: float
    shift: float
    depth: int
    layer: int
    threshold: float
    z: np.ndarray
    layers: np.ndarray
    fractions: np.ndarray


class GradientProfile(NamedTuple):
    """What the gradient-norm figure shows: :class:`bpcode.GradientNorms` of one
    batch (``weight[i]`` = ‖∂C/∂W^l‖, ``delta[i]`` = rms ‖δ^l‖ for
    l = ``layers[i]``) and the settings that produced it."""

    layers: np.ndarray
    weight: np.ndarray
    delta: np.ndarray
    depth: int
    width: int
    activation: str
    init: str
    gain: float
    std: float


class TrainingRun(NamedTuple):
    """One training run of :func:`training_runs`.

    ``history`` is the :class:`bpcode.History` (for a diverged run, the one
    carried by the :class:`bpcode.DivergenceError`, up to the last finished
    epoch); ``diverged_epoch`` is the epoch in which training diverged, or None.
    """

    clip_norm: float | None
    history: object
    diverged_epoch: int | None
    message: str


def weight_norms(history):
    """‖∂C/∂W^l‖ over the epochs of a :class:`bpcode.History`, as an array of
    shape (epochs + 1, layers)."""
    return np.array([norms.weight for norms in history.norms], dtype=float)


def batch(width, n, seed):
    """The fixed batch the figures use: inputs ``x`` and targets ``t``, both of
    shape (n, width) with standard normal entries, drawn from
    ``np.random.default_rng((seed, 1))`` (x first), a stream separate from the
    network's ``np.random.default_rng(seed)``."""
    width = _validate.integer("width", width, low=1)
    n = _validate.integer("n", n, low=1)
    seed = _validate.integer("seed", seed, low=0)
    rng = np.random.default_rng((seed, 1))
    x = rng.standard_normal((n, width))
    t = rng.standard_normal((n, width))
    return x, t


def saturation_network(std=1.0, shift=0.0, depth=4, *, width=100, seed=0):
    """The sigmoid network of the saturation figure.

    ``Network([width] * (depth + 1), hidden="sigmoid", output="sigmoid",
    init="normal", std=std, seed=seed)``, then every bias b^l moved by
    ``shift``: weights and biases start as N(0, std²), biases centred on shift.
    """
    std = _validate.real("std", std, low=0, low_open=True)
    shift = _validate.real("shift", shift)
    depth = _validate.integer("depth", depth, low=1)
    width = _validate.integer("width", width, low=1)
    seed = _validate.integer("seed", seed, low=0)
    net = Network([width] * (depth + 1), hidden="sigmoid", output="sigmoid", init="normal",
                  std=std, seed=seed)
    if shift:
        net.set_parameters(net.W, {l: b + shift for l, b in net.b.items()})
    return net


def saturation_data(std=1.0, shift=0.0, depth=4, layer=2, *, width=100, n=200,
                    threshold=0.01, seed=0):
    """Compute the saturation figure for one setting.

    Parameters
    ----------
    std : float > 0
        The standard deviation of the initial weights and biases.
    shift : float
        Added to every bias.
    depth : int >= 1
        Weight layers; the network has layers 1, ..., L = depth + 1.
    layer : int in [2, depth + 1]
        The layer whose z^l is shown.
    width : int >= 1
        Units in every layer.
    n : int >= 1
        Samples in the batch (:func:`batch`).
    threshold : float > 0
        A unit is saturated when f'(z) < threshold.
    seed : int >= 0

    The network is :func:`saturation_network`, the inputs are the ``x`` of
    :func:`batch`; z^l comes from ``net.forward`` and the fractions from
    :func:`bpcode.saturation`.
    """
    depth = _validate.integer("depth", depth, low=1)
    layer = _validate.integer("layer", layer, low=2)
    if layer > depth + 1:
        raise ValueError(f"layer must be between 2 and L = depth + 1 = {depth + 1}, got {layer}")
    threshold = _validate.real("threshold", threshold, low=0, low_open=True)
    net = saturation_network(std, shift, depth, width=width, seed=seed)
    x, _ = batch(width, n, seed)
    z = net.forward(x).z[layer]
    layers, fractions = saturation(net, x, threshold=threshold)
    return SaturationData(float(std), float(shift), depth, layer, threshold, z.ravel(),
                          layers, fractions)


def _deep_settings(depth, width, activation, init, gain, std, seed):
    """Check the settings of the deep networks of the gradient figures and
    return (depth, width, gain, std, seed) as plain numbers."""
    depth = _validate.integer("depth", depth, low=1)
    width = _validate.integer("width", width, low=1)
    _validate.choice("activation", activation, dict.fromkeys(ACTIVATION_CHOICES))
    _validate.choice("init", init, INITS)
    gain = _validate.real("gain", gain, low=0, low_open=True)
    std = _validate.real("std", std, low=0, low_open=True)
    seed = _validate.integer("seed", seed, low=0)
    return depth, width, gain, std, seed


def gradient_network(depth=10, width=100, activation="relu", init="he", gain=1.0, *,
                     std=1.0, seed=0):
    """The network of the gradient-norm figure.

    ``Network([width] * (depth + 1), hidden=activation, output="identity",
    cost="quadratic", init=init, std=std, gain=gain, seed=seed)``: the output
    layer is linear, so what vanishes or explodes comes from the hidden layers.
    """
    depth, width, gain, std, seed = _deep_settings(depth, width, activation, init, gain,
                                                   std, seed)
    return Network([width] * (depth + 1), hidden=activation, output="identity",
                   cost="quadratic", init=init, std=std, gain=gain, seed=seed)


def gradient_norm_profile(depth=10, width=100, activation="relu", init="he", gain=1.0, *,
                          std=1.0, n=100, seed=0):
    """‖∂C/∂W^l‖ and ‖δ^l‖ per layer for one setting, by :func:`bpcode.gradient_norms`.

    Parameters
    ----------
    depth : int >= 1
        Weight layers (L = depth + 1).
    width : int >= 1
        Units in every layer.
    activation : "sigmoid", "tanh" or "relu"
        The hidden activation.
    init : str
        A name in :data:`bpcode.INITS` ("normal", "xavier_normal",
        "xavier_uniform", "he").
    gain : float > 0
        A factor on every initial weight.
    std : float > 0
        The standard deviation of the "normal" scheme (ignored by the others).
    n : int >= 1
        Samples in the fixed batch (:func:`batch`).
    seed : int >= 0

    Values that overflow come back as inf or NaN (no warning is printed); the
    figures mark them.
    """
    net = gradient_network(depth, width, activation, init, gain, std=std, seed=seed)
    x, t = batch(width, n, seed)
    norms = gradient_norms(net, x, t, allow_overflow=True)
    return GradientProfile(norms.layers, norms.weight, norms.delta, net.L - 1, width,
                           activation, init, float(gain), float(std))


def training_network(depth=10, width=50, activation="relu", init="he", gain=1.5, *, std=1.0,
                     seed=0):
    """The network that :func:`training_runs` trains on the 1-D regression task:
    ``Network([1] + [width] * (depth - 1) + [1], hidden=activation,
    output="identity", cost="quadratic", init=init, std=std, gain=gain, seed=seed)``."""
    depth, width, gain, std, seed = _deep_settings(depth, width, activation, init, gain,
                                                   std, seed)
    return Network([1] + [width] * (depth - 1) + [1], hidden=activation, output="identity",
                   cost="quadratic", init=init, std=std, gain=gain, seed=seed)


def training_runs(depth=10, width=50, activation="relu", init="he", gain=1.5, *,
                  std=1.0, clip_norm=1.0, eta=0.01, epochs=30, batch_size=20, n=200, seed=0):
    """Train the same network twice with :func:`bpcode.sgd`, without and with
    gradient clipping, and return the two :class:`TrainingRun`.

    The task is :func:`bpcode.datasets.regression_1d` (n points of
    t = sin(πx) + noise), the network :func:`training_network`; sgd shuffles
    with ``seed``. A run that raises :class:`bpcode.DivergenceError` keeps the
    error's history.

    Returns a dict with keys "unclipped" and "clipped".
    """
    clip_norm = _validate.real("clip_norm", clip_norm, low=0, low_open=True)
    training_network(depth, width, activation, init, gain, std=std, seed=seed)  # checks
    x, t = regression_1d(n=n, seed=seed)
    runs = {}
    for key, clip in (("unclipped", None), ("clipped", clip_norm)):
        net = training_network(depth, width, activation, init, gain, std=std, seed=seed)
        try:
            history = sgd(net, x, t, eta=eta, epochs=epochs, batch_size=batch_size,
                          clip_norm=clip, seed=seed)
        except DivergenceError as error:
            runs[key] = TrainingRun(clip, error.history, error.epoch, str(error))
            continue
        runs[key] = TrainingRun(clip, history, None,
                                f"trained {epochs} epochs, final loss {history.loss[-1]:.3g}")
    return runs
