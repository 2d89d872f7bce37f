"""Finite-difference checks of backpropagation."""

import numbers

import numpy as np

from . import _validate
from .network import QUIET, Network, NonFiniteError


def relative_error(analytic, numeric, tiny=1e-6):
    """|a - n| / max(|a|, |n|, tiny), elementwise, for finite arrays of one shape."""
    analytic = _validate.real_array("analytic", analytic)
    numeric = _validate.real_array("numeric", numeric)
    if analytic.shape != numeric.shape:
        raise ValueError(f"analytic and numeric must have the same shape, got "
                         f"{analytic.shape} and {numeric.shape}")
    analytic = _validate.finite("analytic", analytic, np.result_type(analytic, np.float64))
    numeric = _validate.finite("numeric", numeric, np.result_type(numeric, np.float64))
    tiny = _validate.real("tiny", tiny, low=0, low_open=True)
    scale = np.maximum(np.maximum(np.abs(analytic), np.abs(numeric)), tiny)
    # Each side divided first: a - n itself can overflow (1e308 - -1e308).
    return np.abs(analytic / scale - numeric / scale)


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

    ``net`` is perturbed in place and the entry is restored exactly, also when
    the computation fails. Raises :class:`bpcode.NonFiniteError` if the cost
    or the difference overflows.
    """
    _validate.instance("net", net, Network)
    x, t = net.check_batch(x, t)
    array = _parameter(net, param, l)
    index = _index(index, array.shape, param, l)
    eps = _validate.real("eps", eps, low=0, low_open=True)
    order = _order(order)
    theta = array[index]
    h = eps * max(1.0, abs(float(theta)))
    reach = max(k for k, _ in STENCILS[order]) * h
    with np.errstate(over="ignore"):  # θ ± reach beyond the dtype's range is refused next
        ends = np.array([float(theta) + reach, float(theta) - reach]).astype(array.dtype)
    if not np.isfinite(ends).all():
        raise ValueError(f"eps={eps} moves {param}[{l}][{index}] = {theta} out of the range of "
                         f"{array.dtype.name}: choose a smaller eps")
    total = 0.0
    try:
        for k, w in STENCILS[order]:
            array[index] = theta + k * h
            forward = net.loss(x, t)
            array[index] = theta - k * h
            total += w * (forward - net.loss(x, t))
    finally:
        array[index] = theta
    gradient = total / h
    if not np.isfinite(gradient):
        raise NonFiniteError(f"the finite difference for {param}[{l}][{index}] overflows: the "
                             f"cost changes by more than the float range allows", l)
    return gradient


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
    order = _order(order)
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
    _parameter(net, param, l)
    eps = _validate.real("eps", eps, low=0, low_open=True)
    order = _order(order)
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
    _parameter(net, "W", l)
    eps = _validate.real("eps", eps, low=0, low_open=True)
    order = _order(order)
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
    with np.errstate(**QUIET):  # checked below
        for j in range(z_l.shape[1]):
            h = eps * np.maximum(1.0, np.abs(z_l[:, j]))
            for k, w in STENCILS[order]:
                up, down = z_l.copy(), z_l.copy()
                up[:, j] += k * h
                down[:, j] -= k * h
                delta[:, j] += w * (sample_costs(up) - sample_costs(down))
            delta[:, j] /= h
    if not np.isfinite(delta).all():
        raise NonFiniteError(f"the finite differences of the cost with respect to z^{l} "
                             f"overflow (eps too large, or z^{l} too large?)", l)
    return delta


def _parameter(net, param, l):
    """The array ``net.W[l]`` or ``net.b[l]``, after checking ``param`` and ``l``."""
    if param not in ("W", "b"):
        raise ValueError(f"param must be 'W' or 'b', got {param!r}")
    l = _validate.integer("l", l, low=2)
    if l not in net.W:
        raise ValueError(f"l must be a layer in {sorted(net.W)}, got {l!r}")
    return getattr(net, param)[l]


def _index(index, shape, param, l):
    """``index`` as a tuple of ints that names one entry of an array of ``shape``."""
    if isinstance(index, numbers.Integral) and not isinstance(index, (bool, np.bool_)):
        index = (index,)
    if not (isinstance(index, tuple) and len(index) == len(shape)
            and all(isinstance(i, numbers.Integral) and not isinstance(i, (bool, np.bool_))
                    and 0 <= i < m for i, m in zip(index, shape, strict=True))):
        raise ValueError(f"index must name one entry of {param}[{l}], a tuple of "
                         f"{len(shape)} integers each in [0, m) for the shape {shape}, got "
                         f"{index!r}")
    return tuple(int(i) for i in index)


def _order(order):
    if not isinstance(order, numbers.Integral) or isinstance(order, (bool, np.bool_)) \
            or order not in STENCILS:
        raise ValueError(f"order must be one of {sorted(STENCILS)}, got {order!r}")
    return int(order)


def _float64_copy(net):
    twin = net.copy()
    twin.dtype = np.float64
    twin.W = {l: w.astype(np.float64) for l, w in net.W.items()}
    twin.b = {l: v.astype(np.float64) for l, v in net.b.items()}
    return twin
