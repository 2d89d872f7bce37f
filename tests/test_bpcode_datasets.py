"""bpcode.datasets: xor, regression_1d, digits, one_hot."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

import bpcode.datasets
from bpcode.datasets import digits, one_hot, regression_1d, xor


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_xor(dtype):
    x, t = xor(dtype=dtype)
    assert x.shape == (4, 2) and t.shape == (4, 1)
    assert x.dtype == np.dtype(dtype) and t.dtype == np.dtype(dtype)
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert t[:, 0].tolist() == [0, 1, 1, 0]
    np.testing.assert_array_equal(t[:, 0], np.logical_xor(x[:, 0], x[:, 1]))


def test_regression_1d_shapes_and_range():
    x, t = regression_1d(n=50)
    assert x.shape == (50, 1) and t.shape == (50, 1)
    assert x.dtype == np.float64 and t.dtype == np.float64
    assert np.all((-1 <= x) & (x <= 1))
    residual = t - np.sin(np.pi * x)
    assert residual.std() == pytest.approx(0.1, rel=0.35)
    assert regression_1d(n=3, dtype="float32")[0].dtype == np.float32


def test_regression_1d_is_seeded():
    a, b, c = regression_1d(seed=3), regression_1d(seed=3), regression_1d(seed=4)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    g = regression_1d(seed=np.random.default_rng(3))
    assert np.array_equal(g[0], a[0]) and np.array_equal(g[1], a[1])


def test_regression_1d_noise_free():
    x, t = regression_1d(n=20, noise=0.0, seed=1)
    np.testing.assert_array_equal(t, np.sin(np.pi * x))


@pytest.fixture(scope="module")
def data():
    return digits()


def test_digits_split(data):
    assert data.x_train.shape == (1347, 64) and data.x_test.shape == (450, 64)
    assert data.t_train.shape == (1347, 10) and data.t_test.shape == (450, 10)
    assert data.labels_train.shape == (1347,) and data.labels_test.shape == (450,)


def test_digits_inputs_in_unit_interval(data):
    for x in (data.x_train, data.x_test):
        assert x.dtype == np.float64
        assert x.min() == 0.0 and x.max() == 1.0
    # pixel intensities 0..16 divided by 16
    np.testing.assert_array_equal(data.x_train * 16, np.round(data.x_train * 16))


def test_digits_one_hot_matches_labels(data):
    for t, labels in ((data.t_train, data.labels_train), (data.t_test, data.labels_test)):
        assert set(np.unique(t)) == {0.0, 1.0}
        np.testing.assert_array_equal(t.sum(axis=1), 1.0)
        np.testing.assert_array_equal(t.argmax(axis=1), labels)
        assert set(labels) == set(range(10))


def test_digits_is_seeded(data):
    again = digits()
    assert np.array_equal(again.x_train, data.x_train)
    other = digits(seed=1)
    assert not np.array_equal(other.x_train, data.x_train)
    small = digits(test_fraction=0.5, dtype="float32")
    assert len(small.x_test) in (898, 899) and small.x_train.dtype == np.float32


def test_one_hot():
    t = one_hot(np.array([2, 0, 1]), 3)
    np.testing.assert_array_equal(t, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    assert one_hot(np.array([], dtype=int), 4).shape == (0, 4)


# ------------------------------------------- digits without scikit-learn (the browser)


def _sklearn_digits_file():
    return Path(importlib.util.find_spec("sklearn").origin).parent / "datasets/data/digits.csv.gz"


@pytest.mark.parametrize("test_fraction", [0.01, 0.1, 0.25, 1 / 3, 0.5, 0.9])
@pytest.mark.parametrize("seed", [0, 1, 12345])
def test_digits_without_scikit_learn_are_the_same(monkeypatch, seed, test_fraction):
    """In the browser, bpcode ships scikit-learn's digits file and splits it itself,
    as train_test_split does: the same numbers, to the bit, as with scikit-learn."""
    expected = digits(seed=seed, test_fraction=test_fraction)
    monkeypatch.setattr(bpcode.datasets, "BUNDLED_DIGITS", _sklearn_digits_file())
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # import fails
    monkeypatch.setitem(sys.modules, "sklearn.model_selection", None)
    got = digits(seed=seed, test_fraction=test_fraction)
    for name, want, have in zip(expected._fields, expected, got, strict=True):
        assert have.dtype == want.dtype, name
        np.testing.assert_array_equal(have, want, err_msg=name)


def test_digits_without_scikit_learn_or_bundled_file(monkeypatch, tmp_path):
    monkeypatch.setattr(bpcode.datasets, "BUNDLED_DIGITS", tmp_path / "missing.csv.gz")
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match="needs scikit-learn"):
        digits()
