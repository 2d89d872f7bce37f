"""bpcode.gradient_norms and bpcode.saturation against direct computations."""

import decimal

import numpy as np
import pytest

from bpcode import GradientNorms, Network, gradient_norms, layer_norms, saturation
from bpcode.diagnostics import frobenius


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


def _exact_norm(array):
    """The Euclidean norm of an array's values in 60-digit decimal arithmetic."""
    with decimal.localcontext(decimal.Context(prec=60)):
        return float(sum(decimal.Decimal(float(v)) ** 2 for v in np.ravel(array)).sqrt())


@pytest.mark.parametrize("array", [
    np.array([3.0, -4.0]), np.arange(12.0).reshape(3, 4),
    # integers near 2**40: their squares (near 2**80) overflow int64, not float64
    np.array([2**40 + 1, -(2**40 + 3), 2**40 - 5, 7], dtype=np.int64),
    np.array([[2**40, 3], [-2**40, 1]], dtype=np.int64), np.array([True, True, False]),
    # sums of squares that overflow or underflow although the norm does not
    np.array([3e200, -4e200]), np.array([3e-200, -4e-200]), np.array([1e-170] * 3),
    np.float32([3e30, -4e30]), np.float32([3e-30, -4e-30]),
], ids=lambda a: f"{a.dtype}-{a.ravel()[0]:.0e}")
def test_frobenius_is_the_euclidean_norm(array, no_warnings):
    norm = frobenius(array)
    assert norm == pytest.approx(_exact_norm(array), rel=1e-15 if array.dtype != np.float32
                                 else 1e-6)


def test_frobenius_of_float32_sums_its_squares_in_float32(no_warnings):
    """1 + 2**-24 rounds to 1 in float32 (ties to even), not in float64."""
    assert frobenius(np.float32([1.0, 2**-12])) == 1.0
    assert frobenius(np.array([1.0, 2**-12])) == np.sqrt(1 + 2**-24) != 1.0


def test_frobenius_where_the_sum_of_squares_is_exactly_the_smallest_normal(no_warnings):
    """Squares below the smallest normal float64, 2**-1022, keep fewer digits:
    here each of 1024 squares loses the 2**-44 of (1 + 2**-45)**2, their sum is
    exactly 2**-1022, and only the rescaled sum keeps the norm 2**-511 (1 + 2**-45)."""
    x = np.full(1024, 2.0**-516 * (1 + 2.0**-45))
    assert np.vdot(x, x) == np.finfo(np.float64).tiny
    assert frobenius(x) == 2.0**-511 * (1 + 2.0**-45)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, bool])
@pytest.mark.parametrize("shape", [(0,), (0, 3), (2, 0)])
def test_frobenius_of_empty_array_is_zero(dtype, shape, no_warnings):
    assert frobenius(np.zeros(shape, dtype=dtype)) == 0.0


def test_frobenius_of_non_finite_values(no_warnings):
    assert frobenius(np.array([np.inf, 1.0])) == np.inf
    assert frobenius(np.array([1.0, -np.inf])) == np.inf
    assert np.isnan(frobenius(np.array([np.nan, 1.0])))
    assert frobenius(np.zeros((2, 2))) == 0.0


def test_saturation_counts_f_prime_strictly_below_threshold():
    """f'(z) = threshold is not saturated: identity units (f' = 1) and live ReLU
    units (f' = 1) at threshold = 1 are not counted, just above 1 they all are."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((30, 4))
    net = Network([4, 6, 3], hidden="relu", output="identity", init="he", seed=9)
    dead = np.mean(net.forward(x).z[2] <= 0)
    assert 0 < dead < 1
    layers, fractions = saturation(net, x, threshold=1.0)
    assert layers.tolist() == [2, 3]
    assert fractions.tolist() == [dead, 0.0]
    _, fractions = saturation(net, x, threshold=1.0 + 1e-12)
    assert fractions.tolist() == [1.0, 1.0]


DW = {2: np.ones((3, 2)), 3: np.ones((2, 1))}  # layers 2 and 3 of a [3, 2, 1] network
DELTA = {2: np.ones((4, 2)), 3: np.ones((4, 1))}  # four samples


@pytest.mark.parametrize(("dW", "delta", "exc", "message"), [
    ([1.0], {}, TypeError,
     "dW and delta must be non-empty dicts keyed by layer, got list and dict"),
    ({}, {}, TypeError, "dW and delta must be non-empty dicts keyed by layer, got dict and dict"),
    (DW, [1], TypeError, "dW and delta must be non-empty dicts keyed by layer, got dict and list"),
    ((), DELTA, TypeError,
     "dW and delta must be non-empty dicts keyed by layer, got tuple and dict"),
    ({2.0: DW[2]}, {2.0: DELTA[2]}, ValueError,
     "dW and delta must have the same layer numbers as keys, got [2.0] and [2.0]"),
    (DW, {2: DELTA[2]}, ValueError,
     "dW and delta must have the same layer numbers as keys, got [2, 3] and [2]"),
    ({2: "a"}, {2: DELTA[2]}, TypeError, "dW[2] must be a numeric array, got str"),
    ({2: DW[2]}, {2: None}, TypeError, "delta[2] must be a numeric array, got NoneType"),
    ({2: np.ones((4, 0))}, {2: np.ones((3, 0))}, ValueError,
     "delta[2] must have one row per sample, as many as every delta[l], and at least one "
     "column, got shape (3, 0)"),
    (DW, {2: DELTA[2], 3: np.ones((5, 1))}, ValueError,
     "delta[3] must have one row per sample, as many as every delta[l], and at least one "
     "column, got shape (5, 1)"),
    ({2: DW[2]}, {2: np.ones(2)}, ValueError,
     "delta[2] must have one row per sample, as many as every delta[l], and at least one "
     "column, got shape (2,)"),
    ({2: DW[2], 3: np.ones((2, 3))}, DELTA, ValueError,
     "dW[3] must have shape (M_2, 1) to fit delta[3], got (2, 3)"),
    ({2: np.ones(2), 3: DW[3]}, DELTA, ValueError,
     "dW[2] must have shape (M_1, 2) to fit delta[2], got (2,)"),
    ({2: DW[2], 3: np.array([[1.0], [np.inf]])}, DELTA, ValueError,
     "dW[3] must be finite, got inf at index (1, 0)"),
    (DW, {2: DELTA[2], 3: np.full((4, 1), np.nan)}, ValueError,
     "delta[3] must be finite, got nan at index (0, 0)"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_layer_norms_argument_messages(dW, delta, exc, message):
    with pytest.raises(exc) as info:
        layer_norms(dW, delta)
    assert str(info.value) == message


def test_layer_norms_of_valid_gradients():
    norms = layer_norms({3: np.full((2, 1), 2.0), 2: np.array([[3.0, 0], [0, 4], [0, 0]])},
                        {2: np.full((4, 2), 0.5), 3: np.arange(4.0).reshape(4, 1)})
    assert norms.layers.tolist() == [2, 3]
    assert norms.weight.tolist() == [5.0, np.sqrt(8.0)]
    # RMS over the 4 samples of ‖δ^l‖: √(4·0.5/4) and √((0+1+4+9)/4)
    np.testing.assert_allclose(norms.delta, [np.sqrt(0.5), np.sqrt(3.5)], rtol=1e-15)


@pytest.mark.skipif(np.finfo(np.longdouble).max <= np.finfo(np.float64).max,
                    reason="longdouble is float64 here")
def test_layer_norms_accept_any_finite_float_dtype():
    """A longdouble gradient of 1e400 is finite: accepted, its norm beyond
    float64 (which the norms are in) is inf."""
    big = np.array([[np.longdouble("1e400")]])
    norms = layer_norms({2: big}, {2: np.ones((1, 1), np.float32)})
    assert norms.weight.tolist() == [np.inf] and norms.delta.tolist() == [1.0]
