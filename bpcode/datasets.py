"""The data sets the book trains on, made here or shipped with scikit-learn.

Nothing is downloaded: the digits are the 8×8 images bundled with
scikit-learn. Where scikit-learn is not installed (the book's in-browser
kernel), the same file may ship inside bpcode, in ``bpcode/data/``, and the
split is made exactly as scikit-learn's ``train_test_split`` makes it.
"""

import gzip
import math
from importlib import resources
from typing import NamedTuple

import numpy as np

from . import _validate


def xor(dtype="float64"):
    """The four XOR patterns: x of shape (4, 2) and t of shape (4, 1)."""
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=dtype)
    t = np.array([[0], [1], [1], [0]], dtype=dtype)
    return x, t


def regression_1d(n=200, noise=0.1, seed=0, dtype="float64"):
    """n points of t = sin(πx) + noise, x uniform on [-1, 1], shapes (n, 1)."""
    n = _validate.integer("n", n, low=1)
    noise = _validate.real("noise", noise, low=0)
    rng = _validate.generator(seed)
    x = rng.uniform(-1, 1, size=(n, 1))
    t = np.sin(np.pi * x) + noise * rng.standard_normal((n, 1))
    return x.astype(dtype), t.astype(dtype)


class Digits(NamedTuple):
    """The 8×8 digits split for training and testing.

    Inputs are the 64 pixel intensities divided by 16, so they lie in [0, 1];
    targets are one-hot rows of 10; ``labels_*`` hold the digits 0-9.
    """

    x_train: np.ndarray
    t_train: np.ndarray
    x_test: np.ndarray
    t_test: np.ndarray
    labels_train: np.ndarray
    labels_test: np.ndarray


def one_hot(labels, n_classes):
    """Rows of ``n_classes`` with a 1 at each label."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(f"labels must be a 1-D integer array, got shape {labels.shape} "
                         f"and dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"labels must lie in [0, {n_classes - 1}], got "
                         f"[{labels.min()}, {labels.max()}]")
    return np.eye(n_classes)[labels]


#: scikit-learn's digits file, where the in-browser kernel's bpcode carries it.
BUNDLED_DIGITS = resources.files(__package__) / "data" / "digits.csv.gz"


def _bundled_digits():
    """The digits of BUNDLED_DIGITS as (pixels, labels); None if the file is absent."""
    if not BUNDLED_DIGITS.is_file():
        return None
    with BUNDLED_DIGITS.open("rb") as raw, gzip.open(raw, "rt") as text:
        table = np.loadtxt(text, delimiter=",")  # as scikit-learn's load_digits reads it
    return table[:, :-1], table[:, -1].astype(int)


def _shuffle_split(n, test_fraction, seed):
    """(train, test) indices as scikit-learn's ``train_test_split`` draws them
    without stratification: ceil(test_fraction·n) test samples, taken first
    from ``np.random.RandomState(seed).permutation(n)``."""
    n_test = math.ceil(test_fraction * n)
    permutation = np.random.RandomState(seed).permutation(n)
    return permutation[n_test:], permutation[:n_test]


def digits(seed=0, test_fraction=0.25, dtype="float64"):
    """scikit-learn's 1797 digits, split 75/25 (1347/450 with the defaults)."""
    test_fraction = _validate.real("test_fraction", test_fraction, low=0, low_open=True,
                                   high=0.9)
    try:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split
    except ImportError as error:
        bundled = _bundled_digits()
        if bundled is None:
            raise ImportError("bpcode.datasets.digits needs scikit-learn "
                              "(pip install scikit-learn)") from error
        pixels, labels = bundled
        train, test = _shuffle_split(len(labels), test_fraction, seed)
        x_train, x_test = pixels[train] / 16.0, pixels[test] / 16.0
        y_train, y_test = labels[train], labels[test]
    else:
        data = load_digits()
        x_train, x_test, y_train, y_test = train_test_split(
            data.data / 16.0, data.target, test_size=test_fraction, random_state=seed)
    return Digits(x_train.astype(dtype), one_hot(y_train, 10).astype(dtype),
                  x_test.astype(dtype), one_hot(y_test, 10).astype(dtype), y_train, y_test)
