"""Per-layer measurements for seeing vanishing and exploding gradients."""

from typing import NamedTuple

import numpy as np

from . import _validate
from .backprop import feedforward
from .network import Network


class GradientNorms(NamedTuple):
    """Norms per layer l = ``layers[i]``: ``weight[i]`` = ‖∂C/∂W^l‖ (Frobenius)
    and ``delta[i]`` = the root-mean-square over samples of ‖δ^l‖."""

    layers: np.ndarray
    weight: np.ndarray
    delta: np.ndarray


def layer_norms(dW, delta):
    """The :class:`GradientNorms` of the gradients ``dW`` = {l: ∂C/∂W^l} and the
    errors ``delta`` = {l: δ^l, one row per sample}."""
    layers = np.array(sorted(dW))
    n = len(delta[layers[0]])
    return GradientNorms(
        layers,
        np.array([np.linalg.norm(dW[l]) for l in layers]),
        np.array([np.linalg.norm(delta[l]) / np.sqrt(n) for l in layers]),
    )


def gradient_norms(net, x, t):
    """Backpropagate one batch and return :class:`GradientNorms`."""
    _validate.instance("net", net, Network)
    grads = net.backward(x, t)
    return layer_norms(grads.dW, grads.delta)


def saturation(net, x, threshold=0.01):
    """The fraction of units with f'(z) < ``threshold``, per layer l = 2, ..., L.

    Counted over every unit and every sample of ``x``. For the sigmoid,
    f'(z) < 0.01 means |z| > 4.6; for ReLU, f'(z) = 0 means z ≤ 0 (a "dead"
    unit). A softmax output layer has no elementwise f' and gets NaN.
    Returns (layers, fractions) as two arrays.
    """
    _validate.instance("net", net, Network)
    threshold = _validate.real("threshold", threshold, low=0, low_open=True)
    x = _validate.as_matrix("x", x, net.sizes[0], net.dtype)
    z, a = feedforward(net.W, net.b, x, net.hidden, net.output)
    layers = np.arange(2, net.L + 1)
    fractions = np.array([
        np.nan if f.prime is None else float((f.prime(z[l], a[l]) < threshold).mean())
        for l, f in ((l, net.output if l == net.L else net.hidden) for l in layers)
    ])
    return layers, fractions
