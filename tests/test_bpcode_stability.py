"""Numerical stability of the activations and costs at extreme inputs.

``np.errstate(all="raise", under="ignore")``: every overflow, invalid
operation and division by zero raises. Underflow is left at numpy's default
(ignore) because exp(-|z|) underflowing to 0 is exactly how the sigmoid
reaches its limits 0 and 1; it is benign, silent by default and not a warning.
"""

import warnings

import numpy as np
import pytest

from bpcode import ACTIVATIONS, COSTS, Network, output_delta
from bpcode.activations import sigmoid, softmax


@pytest.fixture
def strict():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            yield


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_limits_are_exact(strict, dtype):
    big = [1e4, 1e300] if dtype == np.float64 else [1e4, 3e38]
    z = np.array([big[0], -big[0], big[1], -big[1], np.inf, -np.inf], dtype=dtype)
    a = sigmoid(z)
    assert a.dtype == dtype
    assert a.tolist() == [1.0, 0.0, 1.0, 0.0, 1.0, 0.0]


def test_sigmoid_without_warnings_under_default_errstate():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = sigmoid(np.array([1e4, -1e4, 1e300, -1e300]))
    assert a.tolist() == [1.0, 0.0, 1.0, 0.0]


def test_sigmoid_values_and_symmetry(strict):
    z = np.linspace(-30, 30, 121)
    a = sigmoid(z)
    np.testing.assert_allclose(a, 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(a + sigmoid(-z), 1.0, rtol=1e-15)
    assert sigmoid(np.array([0.0]))[0] == 0.5
    # far in the negative tail the value is tiny but not rounded to 0
    assert sigmoid(np.array([-700.0]))[0] == pytest.approx(np.exp(-700.0), rel=1e-14)


def test_sigmoid_derivative_is_a_times_one_minus_a():
    f = ACTIVATIONS["sigmoid"]
    # prime uses a, not z: give it an a that does not come from z
    z = np.array([[5.0, -5.0, 0.0]])
    a = np.array([[0.3, 0.9, 0.5]])
    assert f.prime(z, a).tolist() == [[0.3 * 0.7, 0.9 * (1 - 0.9), 0.25]]
    # and at saturation it is exactly 0, without warnings
    z = np.array([[1e4, -1e4]])
    with np.errstate(all="raise", under="ignore"):
        assert f.prime(z, f.f(z)).tolist() == [[0.0, 0.0]]


def test_softmax_huge_logits(strict):
    z = np.array([[1e300, -1e300, 0.0], [1e4, 1e4, -1e4], [-1e4, -1e4 - 1, -1e4 - 2],
                  [1e308, 1e308, 1e308]])
    a = softmax(z)
    assert np.isfinite(a).all()
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=1e-15)
    assert a[0].tolist() == [1.0, 0.0, 0.0]
    np.testing.assert_allclose(a[1], [0.5, 0.5, 0.0])
    np.testing.assert_allclose(a[2], softmax(np.array([[0.0, -1.0, -2.0]]))[0], rtol=1e-15)
    np.testing.assert_allclose(a[3], [1 / 3] * 3, rtol=1e-15)


def test_softmax_is_shift_invariant(strict):
    rng = np.random.default_rng(0)
    z = rng.standard_normal((5, 4))
    np.testing.assert_allclose(softmax(z + 1000.0), softmax(z), rtol=1e-12)


@pytest.mark.parametrize("z", [1e4, -1e4, 800.0, -800.0, 1e300, -1e300])
@pytest.mark.parametrize("t", [0.0, 1.0, 0.3])
def test_binary_cross_entropy_finite_when_saturated(strict, z, t):
    cost = COSTS["binary_cross_entropy"]
    zz = np.array([[z]])
    a = sigmoid(zz)
    assert a[0, 0] in (0.0, 1.0)
    value = cost.value(zz, a, np.array([[t]]))[0]
    assert np.isfinite(value)
    # -t ln σ(z) - (1-t) ln(1 - σ(z)) = t softplus(-z) + (1-t) softplus(z) ≈ |z| × the
    # weight of the wrong side
    expected = (1 - t) * max(z, 0.0) + t * max(-z, 0.0)
    assert value == pytest.approx(expected, rel=1e-12)


def test_binary_cross_entropy_moderate_values(strict):
    cost = COSTS["binary_cross_entropy"]
    z = np.array([[0.3, -2.0]])
    t = np.array([[1.0, 0.25]])
    a = 1 / (1 + np.exp(-z))
    expected = -(t * np.log(a) + (1 - t) * np.log(1 - a)).sum()
    assert cost.value(z, sigmoid(z), t)[0] == pytest.approx(expected, rel=1e-13)


def test_cross_entropy_finite_when_saturated(strict):
    cost = COSTS["cross_entropy"]
    z = np.array([[1e4, 0.0, -1e4], [1e300, -1e300, 0.0]])
    a = softmax(z)
    assert (a == 0).any()  # log a would be -inf
    t = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
    value = cost.value(z, a, t)
    assert np.isfinite(value).all()
    np.testing.assert_allclose(value, [2e4, 2e300], rtol=1e-12)
    right = cost.value(z, a, np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))
    assert right.tolist() == [0.0, 0.0]


def test_cross_entropy_moderate_values(strict):
    z = np.array([[0.5, -1.0, 2.0]])
    t = np.array([[0.2, 0.3, 0.5]])
    a = np.exp(z) / np.exp(z).sum()
    expected = -(t * np.log(a)).sum()
    assert COSTS["cross_entropy"].value(z, softmax(z), t)[0] == pytest.approx(expected,
                                                                             rel=1e-13)


@pytest.mark.parametrize(("output", "cost"), [("sigmoid", "binary_cross_entropy"),
                                              ("softmax", "cross_entropy")])
def test_saturated_network_loss_and_gradients_finite(strict, output, cost):
    """Huge weights saturate every unit; the loss and δ^L = a - t stay finite."""
    rng = np.random.default_rng(0)
    net = Network([4, 6, 3], hidden="sigmoid", output=output, cost=cost, gain=1e3, seed=0)
    x = rng.standard_normal((5, 4))
    t = np.eye(3)[rng.integers(0, 3, 5)]
    grads = net.backward(x, t)
    assert np.any((grads.a[3] == 0.0) | (grads.a[3] == 1.0))
    assert np.isfinite(grads.loss) and grads.loss > 10
    for l in net.W:
        assert np.isfinite(grads.dW[l]).all() and np.isfinite(grads.db[l]).all()
    f, c = ACTIVATIONS[output], COSTS[cost]
    assert np.array_equal(output_delta(c, f, grads.z[3], grads.a[3], t), grads.a[3] - t)
