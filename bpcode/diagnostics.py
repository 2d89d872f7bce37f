"""Per-layer measurements for seeing vanishing and exploding gradients."""

from typing import NamedTuple

import numpy as np

from . import _validate
from .backprop import feedforward


class GradientNorms(NamedTuple):
    """Norms per layer l = ``layers[i]``: ``weight[i]`` = ‖∂C/∂W^l‖ (Frobenius)
    and ``delta[i]`` = the root-mean-square over samples of ‖δ^l‖."""

    layers: np.ndarray
    weight: np.ndarray
    delta: np.ndarray


def gradient_norms(net, x, t):
    """Backpropagate one batch and return :class:`GradientNorms`."""
    _validate.network(net)
    grads = net.backward(x, t)
    n = len(grads.a[1])
    layers = np.array(sorted(grads.dW))
    return GradientNorms(
        layers,
        np.array([np.linalg.norm(grads.dW[l]) for l in layers]),
        np.array([np.linalg.norm(grads.delta[l]) / np.sqrt(n) for l in layers]),
    )


def saturation(net, x, threshold=0.01):
    """The fraction of units with f'(z) < ``threshold``, per layer l = 2, ..., L.

    Counted over every unit and every sample of ``x``. For the sigmoid,
    f'(z) < 0.01 means |z| > 4.6; for ReLU, f'(z) = 0 means z ≤ 0 (a "dead"
    unit). A softmax output layer has no elementwise f' and gets NaN.
    Returns (layers, fractions) as two arrays.
    """
    _validate.network(net)
    threshold = _validate.real("threshold", threshold, low=0, low_open=True)
    x = _validate.as_matrix("x", x, net.sizes[0], net.dtype)
    z, a = feedforward(net.W, net.b, x, net.hidden, net.output)
    layers = np.arange(2, net.L + 1)
    fractions = np.array([
        np.nan if f.prime is None else float((f.prime(z[l], a[l]) < threshold).mean())
        for l, f in ((l, net.output if l == net.L else net.hidden) for l in layers)
    ])
    return layers, fractions
