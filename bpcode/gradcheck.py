"""Finite-difference checks of backpropagation."""

import numpy as np

from . import _validate
from .network import Network


def relative_error(analytic, numeric, tiny=1e-6):
    """|a - n| / max(|a|, |n|, tiny), elementwise."""
    analytic, numeric = np.asarray(analytic), np.asarray(numeric)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), tiny)
    return np.abs(analytic - numeric) / scale


# Central differences: ∂C/∂θ ≈ Σ_k w_k [C(θ + k h) - C(θ - k h)] / h over the
# offsets k of each order. Order p has error O(h^p); higher orders allow a
# larger h, which keeps the rounding error of C (about 1e-16 |C| / h) far below
# the gradient. Pairing C(θ + k h) with C(θ - k h) makes the estimate exactly 0
# where C does not depend on θ (a dead ReLU unit, say).
STENCILS = {
    2: ((1, 1 / 2),),
    4: ((1, 2 / 3), (2, -1 / 12)),
    6: ((1, 3 / 4), (2, -3 / 20), (3, 1 / 60)),
    8: ((1, 4 / 5), (2, -1 / 5), (3, 4 / 105), (4, -1 / 280)),
}


def numerical_gradient(net, x, t, param, l, index, eps=1e-2, order=8):
    """∂C/∂θ for one entry θ = ``param[l][index]`` (param "W" or "b") by a
    central finite difference of the given order with step h = eps·max(1, |θ|).

    ``net`` is perturbed in place and the entry is restored exactly.
    """
    array = getattr(net, param)[l]
    theta = array[index]
    h = eps * max(1.0, abs(float(theta)))
    total = 0.0
    for k, w in STENCILS[order]:
        array[index] = theta + k * h
        forward = net.loss(x, t)
        array[index] = theta - k * h
        total += w * (forward - net.loss(x, t))
    array[index] = theta
    return total / h


def check_gradients(net, x, t, *, eps=1e-2, order=8, max_per_layer=None, seed=0,
                    tiny=1e-6):
    """Compare backpropagation with finite differences, layer by layer.

    Every entry of every W^l and b^l is checked, or, with ``max_per_layer``,
    a seeded random sample of that many entries per layer. The work is done on
    a float64 copy, so ``net`` itself is never touched. ``order`` and ``eps``
    choose the stencil (see :func:`numerical_gradient`); across a ReLU kink a
    finite difference is meaningless, so keep eps well below the distance of
    every z from 0 there (a lower order with eps = 1e-5 suits ReLU networks).
    Returns ``{l: max relative error over the checked entries of W^l and b^l}``.
    """
    _validate.instance("net", net, Network)
    x, t = net.check_batch(x, t)
    eps = _validate.real("eps", eps, low=0, low_open=True)
    if order not in STENCILS:
        raise ValueError(f"order must be one of {sorted(STENCILS)}, got {order!r}")
    tiny = _validate.real("tiny", tiny, low=0, low_open=True)
    if max_per_layer is not None:
        max_per_layer = _validate.integer("max_per_layer", max_per_layer, low=1)
    rng = _validate.generator(seed)
    twin = _float64_copy(net)
    x, t = x.astype(np.float64), t.astype(np.float64)
    grads = twin.backward(x, t)
    errors = {}
    for l in twin.W:
        entries = [("W", i) for i in np.ndindex(twin.W[l].shape)]
        entries += [("b", i) for i in np.ndindex(twin.b[l].shape)]
        if max_per_layer is not None and len(entries) > max_per_layer:
            chosen = rng.choice(len(entries), size=max_per_layer, replace=False)
            entries = [entries[k] for k in sorted(chosen)]
        analytic = [(grads.dW if p == "W" else grads.db)[l][i] for p, i in entries]
        numeric = [numerical_gradient(twin, x, t, p, l, i, eps, order) for p, i in entries]
        errors[l] = float(relative_error(analytic, numeric, tiny).max())
    return errors


def numerical_parameter_gradient(net, x, t, param, l, *, eps=1e-2, order=8):
    """The whole of ∂C/∂W^l (param "W") or ∂C/∂b^l (param "b") by finite
    differences, computed on a float64 copy of ``net``."""
    _validate.instance("net", net, Network)
    x, t = net.check_batch(x, t)
    if param not in ("W", "b"):
        raise ValueError(f"param must be 'W' or 'b', got {param!r}")
    if l not in net.W:
        raise ValueError(f"l must be a layer in {sorted(net.W)}, got {l!r}")
    twin = _float64_copy(net)
    x, t = x.astype(np.float64), t.astype(np.float64)
    array = getattr(twin, param)[l]
    result = np.empty_like(array)
    for index in np.ndindex(array.shape):
        result[index] = numerical_gradient(twin, x, t, param, l, index, eps, order)
    return result


def numerical_delta(net, x, t, l, *, eps=1e-2, order=8):
    """δ^l = ∂C_x/∂z^l for every sample x (one row each) by finite differences.

    Each z_j^l is perturbed in all samples at once, since a sample's cost C_x
    depends on its own row of z^l only; the rest of the network is then run
    forward from layer l. This is the definition of δ, δ^l = ∂C_x/∂z^l,
    checked without any of backpropagation's algebra.
    """
    _validate.instance("net", net, Network)
    x, t = net.check_batch(x, t)
    if l not in net.W:
        raise ValueError(f"l must be a layer in {sorted(net.W)}, got {l!r}")
    twin = _float64_copy(net)
    x, t = x.astype(np.float64), t.astype(np.float64)
    z_l = twin.forward(x).z[l]

    def sample_costs(z):
        a = (twin.output if l == twin.L else twin.hidden).f(z)
        for k in range(l + 1, twin.L + 1):
            z = a @ twin.W[k] + twin.b[k]
            a = (twin.output if k == twin.L else twin.hidden).f(z)
        return twin.cost.value(z, a, t)

    delta = np.zeros_like(z_l)
    for j in range(z_l.shape[1]):
        h = eps * np.maximum(1.0, np.abs(z_l[:, j]))
        for k, w in STENCILS[order]:
            up, down = z_l.copy(), z_l.copy()
            up[:, j] += k * h
            down[:, j] -= k * h
            delta[:, j] += w * (sample_costs(up) - sample_costs(down))
        delta[:, j] /= h
    return delta


def _float64_copy(net):
    twin = net.copy()
    twin.dtype = np.float64
    twin.W = {l: w.astype(np.float64) for l, w in net.W.items()}
    twin.b = {l: v.astype(np.float64) for l, v in net.b.items()}
    return twin
