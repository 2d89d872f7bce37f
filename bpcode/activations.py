"""Activation functions f and their derivatives f', in a table keyed by name.

Every function works on a whole mini-batch at once: ``z`` has one row per
sample. ``prime(z, a)`` receives both z and a = f(z) so that each derivative
can use whichever is cheaper and more accurate; the sigmoid's is a(1 - a), as
the chapter derives.

Softmax couples the units of a layer, so it has no elementwise derivative.
It is offered for the output layer only, where ``vjp`` applies its Jacobian.

The book shows :func:`sigmoid_prime` verbatim (with ``literalinclude``), so an
edit there edits the text.
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Activation:
    """An activation function f with the pieces backpropagation needs.

    ``f(z)`` is the activation, ``prime(z, a)`` its elementwise derivative
    f'(z) (None for softmax), and ``vjp(z, a, g)`` the product of the
    transposed Jacobian of f with g, which for an elementwise f is f'(z) ∘ g.
    """

    name: str
    f: Callable
    prime: Callable | None
    vjp: Callable
    hidden: bool = True


def sigmoid(z):
    """The sigmoid, or logistic function, σ(z) = 1 / (1 + exp(-z)).

    exp is only ever taken of -|z|, so no value of z overflows and the limits
    0 and 1 come out exactly.
    """
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_prime(z, a):
    """f'(z) = a(1 - a) for the sigmoid, computed from its output a = σ(z)."""
    return a * (1 - a)


def tanh_prime(z, a):
    return 1 - a * a


def relu(z):
    return np.maximum(z, 0)


def relu_prime(z, a):
    return (z > 0).astype(z.dtype)


def identity_prime(z, a):
    return np.ones_like(z)


def softmax(z):
    """Row-wise softmax; the row maximum is subtracted so exp never overflows."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_vjp(z, a, g):
    """Jᵀg for softmax, where J_jk = a_j (δ_jk - a_k): a ∘ (g - (a·g))."""
    return a * (g - (a * g).sum(axis=1, keepdims=True))


def _elementwise(name, f, prime):
    return Activation(name, f, prime, lambda z, a, g: prime(z, a) * g)


ACTIVATIONS = {
    "sigmoid": _elementwise("sigmoid", sigmoid, sigmoid_prime),
    "tanh": _elementwise("tanh", np.tanh, tanh_prime),
    "relu": _elementwise("relu", relu, relu_prime),
    "identity": _elementwise("identity", lambda z: z.copy(), identity_prime),
    "softmax": Activation("softmax", softmax, None, softmax_vjp, hidden=False),
}
