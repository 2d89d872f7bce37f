"""Argument checks shared by every public function.

Each check raises before any state changes, with a message that names the
argument, what was expected and what was given.
"""

import numbers
import os

import numpy as np


def as_matrix(name, value, width, dtype):
    """Return ``value`` as a finite 2-D array of ``dtype`` with ``width`` columns.

    A 1-D array of length ``width`` is read as a batch of one sample.
    """
    array = real_array(name, value)
    given = array.shape
    if array.ndim == 1:
        array = array[np.newaxis, :]
    if array.ndim != 2:
        raise ValueError(f"{name} must have shape (n, {width}) or ({width},), got shape {given}")
    if array.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch: expected at least one row, got shape "
                         f"{given}")
    if array.shape[1] != width:
        raise ValueError(f"{name} must have {width} columns (shape (n, {width}) or "
                         f"({width},)), got shape {given}")
    return finite(name, array, dtype)


def real_array(name, value):
    """Return ``value`` as a numpy array of real numbers (bool, integer or float)."""
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a numeric array, got {type(value).__name__}")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name} must be a rectangular numeric array: {error}") from None
    if array.dtype.kind == "c":
        raise TypeError(f"{name} must be real, got dtype {array.dtype}")
    # Not np.number: timedelta64 is a subclass of numpy's signed integers.
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must be a numeric array, got dtype {array.dtype}")
    return array


def finite(name, array, dtype):
    """Return the real array ``array`` in ``dtype``, after checking that every value
    is finite and fits ``dtype`` (1e39 is finite in float64 but not in float32)."""
    if array.dtype.kind == "f":
        _all_finite(name, array, "must be finite")
    with np.errstate(over="ignore"):  # a value beyond dtype's range becomes inf: checked next
        cast = array.astype(dtype, copy=False)
    if cast is not array:
        _all_finite(name, cast, f"does not fit the network's {np.dtype(dtype).name} (largest "
                                f"magnitude {np.finfo(dtype).max:.4g})", array)
    return cast


def _all_finite(name, array, problem, original=None):
    if not np.isfinite(array).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        value = (array if original is None else original)[bad]
        raise ValueError(f"{name} {problem}, got {value} at index {bad}")


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


def boolean(name, value):
    """Return ``value`` if it is True or False."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def layer_dict(name, value, L):
    """Return the per-layer values ``value`` (a dict keyed by l = 2, ..., L, or a
    sequence of L - 1 entries) as a dict keyed by l."""
    expected = list(range(2, L + 1))
    if isinstance(value, dict):
        keys = list(value)
        if not all(isinstance(k, numbers.Integral) and not isinstance(k, (bool, np.bool_))
                   for k in keys) or sorted(keys) != expected:
            raise ValueError(f"{name} must have the layer keys {expected}, got {keys}")
        return {int(k): v for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        if len(value) != L - 1:
            raise ValueError(f"{name} must hold {L - 1} arrays (layers 2..{L}), "
                             f"got {len(value)}")
        return dict(zip(expected, value, strict=True))
    raise TypeError(f"{name} must be a dict keyed by layer or a list, got "
                    f"{type(value).__name__}")


def parameter(name, value, shape, dtype):
    """Return a new array of ``dtype`` holding the finite real values ``value`` of ``shape``."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise ValueError(f"{name} must be a rectangular numeric array: {error}") from None
    if array.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be a real numeric array, got dtype {array.dtype}")
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    return finite(name, array, dtype).copy()


def fits_in_memory(name, sizes, dtype):
    """Refuse, before allocating, the parameters of layer sizes ``sizes`` if they
    need more than the machine's memory (where the platform says how much)."""
    n_params = sum((m + 1) * k for m, k in zip(sizes[:-1], sizes[1:], strict=True))
    needed = n_params * np.dtype(dtype).itemsize
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # elsewhere, allocation raises MemoryError
        return
    if needed > memory:
        raise ValueError(f"{name} {list(sizes)} give {n_params:.3g} parameters, "
                         f"{needed / 2**30:.3g} GiB in {np.dtype(dtype).name}, more than this "
                         f"machine's memory ({memory / 2**30:.3g} GiB)")
