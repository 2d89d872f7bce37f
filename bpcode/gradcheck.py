"""Finite-difference checks of backpropagation."""

import numpy as np

from . import _validate


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
        forward = net._loss(x, t)
        array[index] = theta - k * h
        total += w * (forward - net._loss(x, t))
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
    x, t = _validate.batch_pair(x, t, net)
    eps = _validate.real("eps", eps, low=0, low_open=True)
    if order not in STENCILS:
        raise ValueError(f"order must be one of {sorted(STENCILS)}, got {order!r}")
    tiny = _validate.real("tiny", tiny, low=0, low_open=True)
    if max_per_layer is not None:
        max_per_layer = _validate.integer("max_per_layer", max_per_layer, low=1)
    rng = _validate.generator(seed)
    twin = net.copy()
    twin.dtype = np.float64
    twin.W = {l: w.astype(np.float64) for l, w in net.W.items()}
    twin.b = {l: v.astype(np.float64) for l, v in net.b.items()}
    x, t = x.astype(np.float64), t.astype(np.float64)
    grads = twin._backward(x, t)
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
