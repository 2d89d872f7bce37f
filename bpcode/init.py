"""Weight initialisation schemes, in a table keyed by name.

Each scheme draws W^l of shape (M_{l-1}, M_l) from fan_in = M_{l-1} and
fan_out = M_l. ``gain`` multiplies the standard deviation (or the uniform
range), which is how the book sweeps a network from vanishing to exploding
gradients.

The book shows :func:`xavier_normal` and :func:`he` verbatim (with
``literalinclude``), so an edit there edits the text.
"""

import numpy as np


def normal(rng, fan_in, fan_out, std):
    """N(0, std²), std = 1 unless given: the classic treatment."""
    return rng.standard_normal((fan_in, fan_out)) * std


def xavier_uniform(rng, fan_in, fan_out, std):
    """U(-r, r) with r = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_in, fan_out))


def xavier_normal(rng, fan_in, fan_out, std):
    """N(0, 2 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    std = np.sqrt(2.0 / (fan_in + fan_out))
    return rng.standard_normal((fan_in, fan_out)) * std


def he(rng, fan_in, fan_out, std):
    """N(0, 2 / fan_in) (He et al., 2015), made for ReLU layers."""
    return rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)


INITS = {
    "normal": normal,
    "xavier_uniform": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he": he,
}


def init_params(sizes, init, rng, dtype, std=1.0, gain=1.0):
    """Draw W^l and b^l for l = 2, ..., L from the scheme ``INITS[init]``.

    Biases are N(0, std²) under "normal", as in the classic treatment, and
    zero under the other schemes. Returns two dicts keyed by layer number.
    """
    W, b = {}, {}
    for l in range(2, len(sizes) + 1):
        fan_in, fan_out = sizes[l - 2], sizes[l - 1]
        W[l] = (gain * INITS[init](rng, fan_in, fan_out, std)).astype(dtype)
        if init == "normal":
            b[l] = (gain * std * rng.standard_normal(fan_out)).astype(dtype)
        else:
            b[l] = np.zeros(fan_out, dtype=dtype)
    return W, b
