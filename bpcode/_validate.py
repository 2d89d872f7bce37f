"""Argument checks shared by every public function.

Each check raises before any state changes, with a message that names the
argument, what was expected and what was given.
"""

import numbers

import numpy as np


def as_matrix(name, value, width, dtype):
    """Return ``value`` as a finite 2-D array of ``dtype`` with ``width`` columns.

    A 1-D array of length ``width`` is read as a batch of one sample.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except ValueError as error:
        raise ValueError(f"{name} must be a rectangular numeric array: {error}") from None
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    ):
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise TypeError(f"{name} must be real, got dtype {array.dtype}")
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(
            f"{name} must have shape (n, {width}) or ({width},), got shape {np.shape(value)}"
        )
    if array.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch: expected at least one row, got shape "
                         f"{array.shape}")
    if array.shape[1] != width:
        raise ValueError(
            f"{name} must have {width} columns (shape (n, {width})), got shape {array.shape}"
        )
    array = array.astype(dtype, copy=False)
    if not np.isfinite(array).all():
        bad = np.argwhere(~np.isfinite(array))[0]
        raise ValueError(
            f"{name} must be finite, got {array[tuple(bad)]} at index {tuple(int(i) for i in bad)}"
        )
    return array


def instance(name, value, cls):
    """Raise TypeError unless ``value`` is a ``cls``."""
    if not isinstance(value, cls):
        raise TypeError(f"{name} must be a {cls.__module__.split('.')[0]}.{cls.__name__}, "
                        f"got {type(value).__name__}")


def real(name, value, *, low=None, low_open=False, high=None):
    """Return ``value`` as a finite float within the given bounds."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    if low is not None and (value <= low if low_open else value < low):
        relation = ">" if low_open else ">="
        raise ValueError(f"{name} must be {relation} {low}, got {value}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high}, got {value}")
    return value


def integer(name, value, *, low):
    """Return ``value`` as an int that is at least ``low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be >= {low}, got {value}")
    return int(value)


def choice(name, value, table):
    """Return ``table[value]``, or say which names exist."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a name (str), got {value!r}")
    if value not in table:
        raise ValueError(f"unknown {name} {value!r}: expected one of {sorted(table)}")
    return table[value]


def generator(seed):
    """Return a ``numpy.random.Generator`` from a seed, a generator or None."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None or (isinstance(seed, numbers.Integral) and not isinstance(seed, bool)
                        and seed >= 0):
        return np.random.default_rng(seed)
    raise TypeError(f"seed must be a non-negative int, a numpy.random.Generator or None, "
                    f"got {seed!r}")
