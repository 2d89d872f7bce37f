"""Checkers for the chapter's coding exercises.

Each ``check_*`` function takes the reader's function, runs it on small
random inputs whose dimensions all differ (so that a transposed or summed
result shows up as a wrong shape), compares it with bpcode's own function and
returns a :class:`Verdict`: passed, or what is wrong, in words that point at
the usual mistakes (a transposed matrix, a missing factor f'(z), a sum where
the mini-batch cost asks for a mean, a forward difference, ...).

A checker never raises because of the reader's code: an exception inside it
is reported in the verdict.
"""

import textwrap
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS
from .backprop import backpropagate_delta, output_delta, weight_gradient
from .costs import COSTS

#: Largest relative difference from the reference that still passes.
TOLERANCE = 1e-10
SIGMOID = ACTIVATIONS["sigmoid"]


class Verdict(NamedTuple):
    """The outcome of a checker: ``passed``, and a ``message`` for the reader."""

    passed: bool
    message: str

    def __str__(self):
        # wrapped to the width of a notebook's output, as the book shows it
        return textwrap.fill(("Passed: " if self.passed else "Not yet: ") + self.message, 78)

    def _repr_pretty_(self, printer, cycle):
        printer.text(str(self))


def _inputs(seed, *shapes):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape) for shape in shapes]


def _call(function, *args, changed=None, hint=""):
    """(result, None), or (None, a verdict) when the call fails (the verdict
    adds ``hint``) or changes its inputs (the verdict says ``changed(before,
    after)`` of the first array changed, or that the function changed it)."""
    kept = [np.array(arg, copy=True) for arg in args if isinstance(arg, np.ndarray)]
    arrays = [arg for arg in args if isinstance(arg, np.ndarray)]
    try:
        result = function(*args)
    except Exception as error:  # the reader's code may raise anything
        return None, Verdict(False, f"your function raised {type(error).__name__}: {error}"
                                    + (f" ({hint})" if hint else ""))
    for arg, before in zip(arrays, kept, strict=True):
        if not np.array_equal(arg, before):
            return None, Verdict(False, changed(before, arg) if changed else
                                 "your function changed one of its input arrays; "
                                 "compute a new array instead")
    if result is None:
        return None, Verdict(False, "your function returned None: did you forget `return`?")
    try:
        result = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        return None, Verdict(False, f"your function returned {type(result).__name__}, "
                                    f"not an array of numbers")
    return result, None


def _close(result, expected):
    scale = max(float(np.abs(expected).max()), 1e-300)
    return result.shape == expected.shape and float(np.abs(result - expected).max()) \
        <= TOLERANCE * scale


def _diagnose(result, expected, mistakes, what):
    """A verdict for ``result``: right, one of the named ``mistakes`` (a dict of
    message -> the array that mistake gives), a wrong shape, or wrong values."""
    if _close(result, expected):
        return Verdict(True, f"{what} matches bpcode's.")
    for message, wrong in mistakes.items():
        if _close(result, np.asarray(wrong, dtype=float)):
            return Verdict(False, message)
    if result.shape != expected.shape:
        return Verdict(False, f"{what} should have shape {expected.shape}, got {result.shape}")
    error = float(np.abs(result - expected).max() / max(np.abs(expected).max(), 1e-300))
    return Verdict(False, f"{what} has the right shape but wrong values (largest difference "
                          f"{error:.2g} relative to the largest entry)")


def check_output_delta(function):
    """Check ``function(a, t)``: the output error δ^L of BP1 for a sigmoid output
    layer and the quadratic cost, one row per sample."""
    a, t = _inputs(0, (5, 3), (5, 3))
    a = 1 / (1 + np.exp(-a))  # outputs of a sigmoid layer
    result, failed = _call(function, a, t)
    if failed:
        return failed
    z = np.log(a / (1 - a))
    expected = output_delta(COSTS["quadratic"], SIGMOID, z, a, t)
    return _diagnose(result, expected, {
        "you returned ∂C/∂a^L = a - t; BP1 multiplies it by f'(z^L) = a(1 - a)": a - t,
        "the sign is flipped: ∂C_x/∂a^L is a - t, not t - a": -expected,
        "you multiplied by f(z) = a instead of f'(z) = a(1 - a)": (a - t) * a,
        "you summed over the samples; δ^L has one row per sample": expected.sum(axis=0),
        "off by a factor n: BP1 has no sum over the samples, so no 1/n either":
            expected / len(a),
    }, "δ^L")


def check_hidden_delta(function):
    """Check ``function(delta_next, W_next, fprime)``: BP2 for a whole mini-batch,
    δ^l = (δ^{l+1} (W^{l+1})^T) ∘ f'(z^l) with one row per sample."""
    n, m, k = 5, 3, 4  # samples, units of layer l, units of layer l + 1
    verdict = _check_hidden_delta(function, n, m, k, seed=1)
    if not verdict.passed:
        return verdict
    # With as many units in both layers W^{l+1} and its transpose both fit:
    # the error must go back along the connection that carried a forward.
    return _check_hidden_delta(function, n, m, m, seed=2)


def _check_hidden_delta(function, n, m, k, seed):
    delta_next, W_next, z = _inputs(seed, (n, k), (m, k), (n, m))
    a = SIGMOID.f(z)
    fprime = SIGMOID.prime(z, a)
    result, failed = _call(function, delta_next, W_next, fprime, hint=(
        f"delta_next has shape (n, M_{{l+1}}) = {delta_next.shape} and W_next (M_l, M_{{l+1}}) = "
        f"{W_next.shape}: which product has one row per sample and M_l columns?"))
    if failed:
        return failed
    expected = backpropagate_delta(delta_next, W_next, z, a, SIGMOID)
    mistakes = {
        "you left out the factor f'(z^l) of BP2": delta_next @ W_next.T,
        "the result is transposed: δ^l has one row per sample, shape (n, M_l)": expected.T,
        "off by a factor n: BP2 has no sum over the samples, so no 1/n either":
            expected / n,
        "off by a factor n (multiplied by the number of samples)": expected * n,
        "you summed over the samples; δ^l has one row per sample": expected.sum(axis=0),
    }
    if m == k:
        mistakes["your function multiplies by W^{l+1} where BP2 needs its transpose "
                 "(with one row per sample: δ^{l+1} (W^{l+1})^T); a square W^{l+1} "
                 "hides the difference in the shapes"] = (delta_next @ W_next) * fprime
    return _diagnose(result, expected, mistakes, "δ^l")


def check_weight_gradient(function):
    """Check ``function(a_prev, delta)``: BP4 for a whole mini-batch, the gradient
    of the mean cost, ∂C/∂W^l = (1/n) (A^{l-1})^T Δ^l, shape (M_{l-1}, M_l)."""
    n, m_prev, m = 5, 3, 4
    a_prev, delta = _inputs(3, (n, m_prev), (n, m))
    result, failed = _call(function, a_prev, delta, hint=(
        f"a_prev has shape (n, M_{{l-1}}) = {a_prev.shape} and delta (n, M_l) = {delta.shape}; "
        f"the gradient has the shape of W^l, (M_{{l-1}}, M_l) = {(m_prev, m)}"))
    if failed:
        return failed
    expected = weight_gradient(a_prev, delta)
    return _diagnose(result, expected, {
        "this is the sum over the samples; the mini-batch cost C is their mean, so "
        "divide by n": expected * n,
        "the result is transposed: ∂C/∂W^l has the shape of W^l, (M_{l-1}, M_l)": expected.T,
        "the sum over the samples is transposed and not divided by n": expected.T * n,
        "divided by n twice": expected / n,
    }, "∂C/∂W^l")


def _theta_changed(before, after):
    """What to say when the gradient check leaves θ changed."""
    if np.allclose(before, after, rtol=1e-12, atol=0):
        return ("θ is not exactly as it was: adding and subtracting ε does not undo "
                "itself in floating point; save each entry and put the saved value "
                "back (or nudge a copy)")
    return "θ is not the same after your function: put every nudged entry back (or nudge a copy)"


def check_numerical_gradient(function):
    """Check ``function(cost, theta, eps)``: the gradient of ``cost`` at the 1-D
    array ``theta`` by central differences [C(θ + ε e_i) - C(θ - ε e_i)] / 2ε."""
    theta = np.array([0.3, -1.2, 0.7, 2.0])

    def cost(values):
        values = np.asarray(values, dtype=float)
        return float(np.sum(np.sin(values) * values ** 2) + values[0] * values[2])

    exact = np.sin(theta) * 2 * theta + np.cos(theta) * theta ** 2 + [theta[2], 0, theta[0], 0]
    eps = 1e-5
    result, failed = _call(function, cost, theta, eps,
                           changed=_theta_changed)
    if failed:
        return failed
    c0 = cost(theta)
    steps = np.eye(len(theta)) * eps
    forward = np.array([(cost(theta + e) - c0) / eps for e in steps])
    central = np.array([(cost(theta + e) - cost(theta - e)) / (2 * eps) for e in steps])
    if result.shape != theta.shape:
        return Verdict(False, f"the gradient should have the shape of θ, {theta.shape}, got "
                              f"{result.shape}")
    if _close(result, central) or np.abs(result - exact).max() <= 1e-8 * np.abs(exact).max():
        return Verdict(True, "the central difference agrees with the exact gradient to "
                             f"{np.abs(result - exact).max() / np.abs(exact).max():.1g}.")
    mistakes = {
        "this is the forward difference [C(θ + ε) - C(θ)] / ε, whose error shrinks only "
        "like ε; use the central difference [C(θ + ε) - C(θ - ε)] / 2ε": forward,
        "twice the gradient: divide the central difference by 2ε, not ε": 2 * central,
        "half the gradient: the central difference spans 2ε, so divide by 2ε once": central / 2,
    }
    for message, wrong in mistakes.items():
        if np.abs(result - wrong).max() <= 1e-6 * np.abs(wrong).max():
            return Verdict(False, message)
    everything = (cost(theta + eps) - cost(theta - eps)) / (2 * eps)
    if np.allclose(result, everything, rtol=1e-6):
        return Verdict(False, "you moved every entry of θ at once; move one entry θ_i at a "
                              "time and leave the others where they are")
    return Verdict(False, f"wrong values: largest difference from the exact gradient "
                          f"{np.abs(result - exact).max():.2g}")
