"""bpcode.gradient_norms and bpcode.saturation against direct computations."""

import numpy as np
import pytest

from bpcode import GradientNorms, Network, gradient_norms, saturation


@pytest.mark.parametrize(("hidden", "output", "cost"), [
    ("sigmoid", "sigmoid", "quadratic"),
    ("relu", "softmax", "cross_entropy"),
    ("tanh", "identity", "quadratic"),
])
def test_gradient_norms_from_backward(hidden, output, cost):
    rng = np.random.default_rng(0)
    net = Network([4, 6, 5, 3], hidden=hidden, output=output, cost=cost,
                  init="xavier_normal", seed=1)
    x = rng.standard_normal((9, 4))
    t = np.eye(3)[rng.integers(0, 3, 9)]
    norms = gradient_norms(net, x, t)
    assert isinstance(norms, GradientNorms)
    grads = net.backward(x, t)
    assert norms.layers.tolist() == [2, 3, 4]
    for i, l in enumerate(norms.layers):
        assert norms.weight[i] == pytest.approx(np.sqrt((grads.dW[l] ** 2).sum()), rel=1e-13)
        # root-mean-square over samples of the per-sample ‖δ^l‖
        per_sample = np.sqrt((grads.delta[l] ** 2).sum(axis=1))
        assert norms.delta[i] == pytest.approx(np.sqrt(np.mean(per_sample ** 2)), rel=1e-13)


def _direct_saturation(net, x, threshold):
    """Count units with f'(z) < threshold, f' written out here."""
    z, a = net.forward(x).z, net.forward(x).a
    out = []
    for l in range(2, net.L + 1):
        name = (net.output if l == net.L else net.hidden).name
        if name == "softmax":
            out.append(np.nan)
            continue
        prime = {"sigmoid": a[l] * (1 - a[l]), "tanh": 1 - np.tanh(z[l]) ** 2,
                 "relu": (z[l] > 0).astype(float), "identity": np.ones_like(z[l])}[name]
        out.append(np.count_nonzero(prime < threshold) / prime.size)
    return np.array(out)


@pytest.mark.parametrize(("hidden", "output"), [("sigmoid", "sigmoid"), ("tanh", "identity"),
                                                ("relu", "softmax"), ("identity", "relu")])
@pytest.mark.parametrize("threshold", [0.01, 0.2])
def test_saturation_equals_direct_count(hidden, output, threshold):
    rng = np.random.default_rng(2)
    net = Network([5, 8, 8, 4], hidden=hidden, output=output, gain=2.5, seed=3,
                  cost="cross_entropy" if output == "softmax" else "quadratic")
    x = rng.standard_normal((50, 5))
    layers, fractions = saturation(net, x, threshold=threshold)
    assert layers.tolist() == [2, 3, 4]
    np.testing.assert_array_equal(fractions, _direct_saturation(net, x, threshold))


def test_sigmoid_with_huge_weights_saturates():
    rng = np.random.default_rng(4)
    x = rng.standard_normal((100, 10))
    big = Network([10, 20, 20, 1], init="normal", gain=100.0, seed=5)
    _, fractions = saturation(big, x)
    assert np.all(fractions > 0.95)
    tiny = Network([10, 20, 20, 1], init="normal", gain=1e-3, seed=5)
    _, fractions = saturation(tiny, x)
    assert np.all(fractions == 0.0)


def test_relu_dead_fraction():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((200, 6))
    net = Network([6, 10, 1], hidden="relu", output="identity", init="he", seed=7)
    z = net.forward(x).z[2]
    _, fractions = saturation(net, x)
    assert fractions[0] == np.mean(z <= 0)
    assert 0.3 < fractions[0] < 0.7  # zero biases: about half the units are off
    assert fractions[1] == 0.0  # identity output never saturates
    # very negative biases kill every hidden unit
    net.b[2][:] = -1e3
    _, fractions = saturation(net, x)
    assert fractions[0] == 1.0


def test_softmax_layer_is_nan():
    net = Network([3, 4, 3], output="softmax", cost="cross_entropy", seed=0)
    layers, fractions = saturation(net, np.ones((2, 3)))
    assert layers.tolist() == [2, 3]
    assert np.isfinite(fractions[0]) and np.isnan(fractions[1])


def test_diagnostics_leave_network_unchanged():
    net = Network([3, 4, 2], seed=0)
    W = {l: w.copy() for l, w in net.W.items()}
    x, t = np.ones((2, 3)), np.zeros((2, 2))
    gradient_norms(net, x, t)
    saturation(net, x)
    assert all(np.array_equal(net.W[l], W[l]) for l in W)
