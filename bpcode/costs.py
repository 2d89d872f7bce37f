"""Cost functions, in a table keyed by name.

The cost of a mini-batch of n samples is the MEAN of the per-sample costs,
C = (1/n) Σ_x C_x, so a learning rate η means the same thing whatever the
batch size. Every function here returns per-sample quantities (one row per
sample); the gradients in :mod:`bpcode.backprop` divide by n.

Each cost gives C_x, its derivative ∂C_x/∂a^L, and for the output activations
it pairs naturally with, the simplified output error δ^L = a^L - t.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Cost:
    """A per-sample cost C_x(a^L, t).

    ``value(z, a, t)`` returns C_x for each row (z is passed so that the
    cross-entropies can be computed from z without taking log 0);
    ``derivative(a, t)`` returns ∂C_x/∂a^L; ``simplified`` names the output
    activations for which δ^L = a^L - t exactly; ``outputs`` names the output
    activations the cost accepts (None: any); ``target_range`` bounds every
    t_j; ``distributions`` says that each row of t must sum to 1.
    """

    name: str
    value: Callable
    derivative: Callable
    simplified: frozenset
    outputs: frozenset | None
    target_range: tuple
    distributions: bool = False

    def check_targets(self, t):
        """Raise ValueError unless the targets ``t`` (one row per sample) suit this cost."""
        low, high = self.target_range
        if low is not None and (t.min() < low or t.max() > high):
            raise ValueError(
                f"t must lie in [{low}, {high}] for the {self.name} cost, got values in "
                f"[{t.min()}, {t.max()}]"
            )
        if self.distributions:
            # With softmax, δ^L = a^L Σ_k t_k - t, which is a^L - t only when the
            # row sums to 1. Allow the rounding of M_L targets stored in float32,
            # whatever the network's dtype: a float32 network's targets reach its
            # float64 copy in check_gradients, and labels often come in float32.
            sums = t.sum(axis=1, dtype=np.float64)
            tolerance = 4 * t.shape[1] * np.finfo(np.float32).eps
            bad = np.flatnonzero(np.abs(sums - 1) > tolerance)
            if bad.size:
                raise ValueError(
                    f"each row of t must sum to 1 (a probability distribution over the "
                    f"classes) for the {self.name} cost, got a row sum of {float(sums[bad[0]])!r} "
                    f"in row {bad[0]}"
                )


def quadratic(z, a, t):
    """C_x = ½ Σ_j (a_j - t_j)², the quadratic cost of one sample."""
    return 0.5 * ((a - t) ** 2).sum(axis=1)


def quadratic_derivative(a, t):
    """∂C_x/∂a_j = a_j - t_j."""
    return a - t


def _softplus(z):
    """log(1 + exp(z)) without overflow."""
    return np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))


def binary_cross_entropy(z, a, t):
    """C_x = -Σ_j [t_j ln a_j + (1 - t_j) ln(1 - a_j)] for a = sigmoid(z).

    ln a = -softplus(-z) and ln(1 - a) = -softplus(z) stay finite when the
    sigmoid saturates to exactly 0 or 1.
    """
    return (t * _softplus(-z) + (1 - t) * _softplus(z)).sum(axis=1)


def binary_cross_entropy_derivative(a, t):
    return (a - t) / (a * (1 - a))


def cross_entropy(z, a, t):
    """C_x = -Σ_j t_j ln a_j for a = softmax(z), with ln a = z - logsumexp(z)."""
    m = z.max(axis=1, keepdims=True)
    log_a = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -(t * log_a).sum(axis=1)


def cross_entropy_derivative(a, t):
    return -t / a


COSTS = {
    "quadratic": Cost(
        "quadratic", quadratic, quadratic_derivative,
        simplified=frozenset({"identity"}), outputs=None, target_range=(None, None),
    ),
    "binary_cross_entropy": Cost(
        "binary_cross_entropy", binary_cross_entropy, binary_cross_entropy_derivative,
        simplified=frozenset({"sigmoid"}), outputs=frozenset({"sigmoid"}),
        target_range=(0, 1),
    ),
    "cross_entropy": Cost(
        "cross_entropy", cross_entropy, cross_entropy_derivative,
        simplified=frozenset({"softmax"}), outputs=frozenset({"softmax"}),
        target_range=(0, 1), distributions=True,
    ),
}
