"""Per-layer measurements for seeing vanishing and exploding gradients."""

from typing import NamedTuple

import numpy as np

from . import _validate
from .network import QUIET, Network


class GradientNorms(NamedTuple):
    """Norms per layer l = ``layers[i]``: ``weight[i]`` = ‖∂C/∂W^l‖ (Frobenius)
    and ``delta[i]`` = the root-mean-square over samples of ‖δ^l‖."""

    layers: np.ndarray
    weight: np.ndarray
    delta: np.ndarray


def layer_norms(dW, delta):
    """The :class:`GradientNorms` of the gradients ``dW`` = {l: ∂C/∂W^l} and the
    errors ``delta`` = {l: δ^l, one row per sample}, all finite."""
    if not (isinstance(dW, dict) and isinstance(delta, dict)) or not dW:
        raise TypeError(f"dW and delta must be non-empty dicts keyed by layer, got "
                        f"{type(dW).__name__} and {type(delta).__name__}")
    if not all(isinstance(l, int) for l in dW) or set(dW) != set(delta):
        raise ValueError(f"dW and delta must have the same layer numbers as keys, got "
                         f"{list(dW)} and {list(delta)}")
    dW = {l: _validate.real_array(f"dW[{l}]", dW[l]) for l in dW}
    delta = {l: _validate.real_array(f"delta[{l}]", delta[l]) for l in delta}
    for l in sorted(dW):
        if delta[l].ndim != 2 or len(delta[l]) != len(delta[min(delta)]) or not delta[l].size:
            raise ValueError(f"delta[{l}] must have one row per sample, as many as every "
                             f"delta[l], and at least one column, got shape {delta[l].shape}")
        if dW[l].ndim != 2 or dW[l].shape[1] != delta[l].shape[1]:
            raise ValueError(f"dW[{l}] must have shape (M_{l - 1}, {delta[l].shape[1]}) to fit "
                             f"delta[{l}], got {dW[l].shape}")
        for name, array in ((f"dW[{l}]", dW[l]), (f"delta[{l}]", delta[l])):
            _validate.finite(name, array, np.result_type(array, np.float32))
    return norms_of(dW, delta)


def norms_of(dW, delta):
    """:func:`layer_norms` without its checks, for gradients that may have
    overflowed on purpose."""
    layers = sorted(dW)
    n = len(delta[layers[0]])
    return GradientNorms(
        np.array(layers),
        np.array([frobenius(dW[l]) for l in layers]),
        np.array([frobenius(delta[l]) / np.sqrt(n) for l in layers]),
    )


def frobenius(array):
    """The Euclidean (Frobenius) norm, also where the sum of squares would overflow
    or underflow although the norm itself does not."""
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    with np.errstate(over="ignore", under="ignore"):
        square = float(np.vdot(array, array))
    if np.finfo(array.dtype).tiny < square < np.inf:
        return np.sqrt(square)
    scale = float(np.abs(array).max()) if array.size else 0.0
    if scale == 0.0 or not np.isfinite(scale):
        return scale
    scaled = array / scale
    return scale * np.sqrt(float(np.vdot(scaled, scaled)))


def gradient_norms(net, x, t, *, allow_overflow=False):
    """Backpropagate one batch and return :class:`GradientNorms`.

    Raises :class:`bpcode.NonFiniteError` if a value overflows; with
    ``allow_overflow=True`` the norms of the layers where values overflow are
    inf or NaN instead, silently (the book's figures of exploding gradients
    draw them as gaps)."""
    _validate.instance("net", net, Network)
    grads = net.backward(x, t, allow_overflow=allow_overflow)
    with np.errstate(**QUIET):  # inf and NaN only with allow_overflow
        return norms_of(grads.dW, grads.delta)


def saturation(net, x, threshold=0.01):
    """The fraction of units with f'(z) < ``threshold``, per layer l = 2, ..., L.

    Counted over every unit and every sample of ``x``. For the sigmoid,
    f'(z) < 0.01 means |z| > 4.6; for ReLU, f'(z) = 0 means z ≤ 0 (a "dead"
    unit). A softmax output layer has no elementwise f' and gets NaN.
    Returns (layers, fractions) as two arrays. Raises
    :class:`bpcode.NonFiniteError` if some z^l overflows.
    """
    _validate.instance("net", net, Network)
    # float64, so that f'(z) in float32 is compared without casting 1e300 down
    threshold = np.float64(_validate.real("threshold", threshold, low=0, low_open=True))
    forward = net.forward(x)
    layers = np.arange(2, net.L + 1)
    fractions = np.array([
        np.nan if f.prime is None
        else float((f.prime(forward.z[l], forward.a[l]) < threshold).mean())
        for l, f in ((l, net.output if l == net.L else net.hidden) for l in layers)
    ])
    return layers, fractions
