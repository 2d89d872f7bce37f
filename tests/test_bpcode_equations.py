"""Each backpropagation equation on its own, by name, against finite
differences or an independent computation; and the batch (matrix) path
against per-sample results."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bpcode
from bpcode import (
    ACTIVATIONS,
    COSTS,
    Network,
    backpropagate_delta,
    backward,
    bias_gradient,
    feedforward,
    output_delta,
    weight_gradient,
)

# 6th-order central difference of a scalar function of one array entry.
STENCIL = ((1, 3 / 4), (2, -3 / 20), (3, 1 / 60))


def fd(func, array, index, h=1e-3):
    """∂func/∂array[index], restoring the entry exactly."""
    theta = array[index]
    total = 0.0
    for k, w in STENCIL:
        array[index] = theta + k * h
        plus = func()
        array[index] = theta - k * h
        total += w * (plus - func())
    array[index] = theta
    return total / h


def assert_close_fd(analytic, numeric):
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-10)


def _targets(rng, cost, n, m):
    if cost == "cross_entropy":
        return np.eye(m)[rng.integers(0, m, n)]
    return rng.uniform(0, 1, (n, m))


# ----------------------------------------------------------------- δ^L


SIMPLIFIED = [("quadratic", "identity"), ("binary_cross_entropy", "sigmoid"),
              ("cross_entropy", "softmax")]
GENERAL = [("quadratic", "sigmoid"), ("quadratic", "tanh"), ("quadratic", "relu"),
           ("quadratic", "softmax")]


@pytest.mark.parametrize(("cost", "output"), SIMPLIFIED + GENERAL)
def test_output_delta_is_dCx_dzL(cost, output):
    """δ^L = ∂C_x/∂z^L, one row per sample, by finite differences on z^L."""
    rng = np.random.default_rng(1)
    n, m = 3, 4
    z = rng.standard_normal((n, m))
    if output == "relu":
        z = np.where(np.abs(z) < 0.1, 0.5, z)  # keep away from the kink
    t = _targets(rng, cost, n, m)
    f, c = ACTIVATIONS[output], COSTS[cost]
    delta = output_delta(c, f, z, f.f(z), t)
    assert delta.shape == (n, m)
    for i in range(n):
        for j in range(m):
            def cost_of_sample(i=i):
                return float(c.value(z[i:i + 1], f.f(z[i:i + 1]), t[i:i + 1])[0])
            assert_close_fd(delta[i, j], fd(cost_of_sample, z, (i, j)))


@pytest.mark.parametrize(("cost", "output"), SIMPLIFIED)
def test_output_delta_simplified_path_is_exactly_a_minus_t(cost, output):
    rng = np.random.default_rng(2)
    z = rng.standard_normal((5, 3)) * 3
    t = _targets(rng, cost, 5, 3)
    f, c = ACTIVATIONS[output], COSTS[cost]
    a = f.f(z)
    assert output in c.simplified
    assert np.array_equal(output_delta(c, f, z, a, t), a - t)
    # The general formula f'(z) ∘ ∂C/∂a (or Jᵀ ∂C/∂a) simplifies to the same thing.
    np.testing.assert_allclose(f.vjp(z, a, c.derivative(a, t)), a - t, rtol=1e-12,
                               atol=1e-14)


def test_output_delta_simplified_path_survives_saturation():
    """Saturated sigmoid (a = 1 exactly): a(1-a) = 0 makes ∂C/∂a = 0/0 for the
    binary cross-entropy, the simplified δ^L = a - t is still right."""
    z = np.array([[40.0, -40.0]])
    f, c = ACTIVATIONS["sigmoid"], COSTS["binary_cross_entropy"]
    a = f.f(z)
    assert a[0, 0] == 1.0
    t = np.array([[0.0, 1.0]])
    delta = output_delta(c, f, z, a, t)
    assert np.all(np.isfinite(delta))
    np.testing.assert_allclose(delta, [[1.0, -1.0]], atol=1e-15)


@pytest.mark.parametrize("output", ["sigmoid", "tanh", "relu"])
def test_output_delta_general_elementwise_path(output):
    """δ^L = f'(z^L) ∘ (a^L - t) for the quadratic cost, f' written out here."""
    rng = np.random.default_rng(3)
    z = rng.standard_normal((4, 3))
    t = rng.uniform(0, 1, (4, 3))
    f = ACTIVATIONS[output]
    a = f.f(z)
    prime = {"sigmoid": a * (1 - a), "tanh": 1 - np.tanh(z) ** 2,
             "relu": (z > 0).astype(float)}[output]
    delta = output_delta(COSTS["quadratic"], f, z, a, t)
    np.testing.assert_allclose(delta, prime * (a - t), rtol=1e-14, atol=1e-16)


def test_output_delta_softmax_quadratic_uses_the_full_jacobian():
    """Softmax is not elementwise: δ^L = Jᵀ (a - t) with J_jk = a_j (δ_jk - a_k),
    built here as an explicit matrix per sample."""
    rng = np.random.default_rng(4)
    z = rng.standard_normal((3, 4))
    t = rng.uniform(0, 1, (3, 4))
    f = ACTIVATIONS["softmax"]
    a = f.f(z)
    delta = output_delta(COSTS["quadratic"], f, z, a, t)
    for i in range(3):
        J = np.diag(a[i]) - np.outer(a[i], a[i])
        np.testing.assert_allclose(delta[i], J.T @ (a[i] - t[i]), rtol=1e-12, atol=1e-15)
    # and it is not the elementwise a(1-a)(a-t)
    assert not np.allclose(delta, a * (1 - a) * (a - t))


# ----------------------------------------------------------------- δ^l


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu", "identity"])
def test_backpropagate_delta_explicit_sum(hidden):
    """δ_j^l = Σ_k w_jk^{l+1} δ_k^{l+1} f'(z_j^l), written as loops."""
    rng = np.random.default_rng(5)
    n, m, m_next = 3, 4, 5
    delta_next = rng.standard_normal((n, m_next))
    W_next = rng.standard_normal((m, m_next))
    z = rng.standard_normal((n, m))
    f = ACTIVATIONS[hidden]
    a = f.f(z)
    derivative = {"sigmoid": lambda zz: 1 / (1 + np.exp(-zz)) * (1 - 1 / (1 + np.exp(-zz))),
                  "tanh": lambda zz: 1 / np.cosh(zz) ** 2,
                  "relu": lambda zz: float(zz > 0),
                  "identity": lambda zz: 1.0}[hidden]
    delta = backpropagate_delta(delta_next, W_next, z, a, f)
    assert delta.shape == (n, m)
    for i in range(n):
        for j in range(m):
            s = sum(W_next[j, k] * delta_next[i, k] for k in range(m_next))
            assert delta[i, j] == pytest.approx(s * derivative(z[i, j]), rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "identity"])
def test_backpropagate_delta_is_chain_rule(hidden):
    """With φ(z^l) = Σ_k δ_k^{l+1} z_k^{l+1}(z^l), ∂φ/∂z^l = δ^l (finite differences)."""
    rng = np.random.default_rng(6)
    delta_next = rng.standard_normal((1, 3))
    W_next = rng.standard_normal((4, 3))
    b_next = rng.standard_normal(3)
    z = rng.standard_normal((1, 4))
    f = ACTIVATIONS[hidden]
    delta = backpropagate_delta(delta_next, W_next, z, f.f(z), f)

    def phi():
        return float((delta_next * (f.f(z) @ W_next + b_next)).sum())

    for j in range(4):
        assert_close_fd(delta[0, j], fd(phi, z, (0, j)))


# ------------------------------------------------------- δ^l = ∂C_x/∂z^l


def _cost_from_layer(net, x_row, t_row, l, z_l):
    """C_x as a function of z^l: forward from layer l with z^l given."""
    a = (net.output if l == net.L else net.hidden).f(z_l)
    z = z_l
    for k in range(l + 1, net.L + 1):
        z = a @ net.W[k] + net.b[k]
        a = (net.output if k == net.L else net.hidden).f(z)
    return float(net.cost.value(z, a, t_row)[0])


@pytest.mark.parametrize(("hidden", "output", "cost"), [
    ("sigmoid", "sigmoid", "quadratic"),
    ("tanh", "softmax", "cross_entropy"),
    ("sigmoid", "sigmoid", "binary_cross_entropy"),
    ("tanh", "identity", "quadratic"),
    ("sigmoid", "softmax", "quadratic"),
])
def test_delta_is_dCx_dz_every_layer(hidden, output, cost):
    """Each row i of δ^l is ∂C_{x_i}/∂z^l for that sample alone (not the mean cost)."""
    rng = np.random.default_rng(7)
    net = Network([3, 4, 5, 3], hidden=hidden, output=output, cost=cost,
                  init="xavier_normal", gain=1.5, seed=8)
    for l in net.b:
        net.b[l] = rng.normal(0, 0.3, net.b[l].shape)
    x = rng.standard_normal((3, 3))
    t = _targets(rng, cost, 3, 3)
    grads = net.backward(x, t)
    for l in range(2, net.L + 1):
        assert grads.delta[l].shape == (3, net.sizes[l - 1])
        for i in range(3):
            z_l = grads.z[l][i:i + 1].copy()
            for j in range(z_l.shape[1]):
                numeric = fd(lambda i=i, l=l, z_l=z_l: _cost_from_layer(
                    net, x[i:i + 1], t[i:i + 1], l, z_l), z_l, (0, j))
                assert_close_fd(grads.delta[l][i, j], numeric)


# ---------------------------------------------------------- ∂C/∂b, ∂C/∂W


def test_bias_gradient_is_delta_averaged_over_batch():
    rng = np.random.default_rng(9)
    delta = rng.standard_normal((5, 3))
    np.testing.assert_allclose(bias_gradient(delta),
                               [sum(delta[i, j] for i in range(5)) / 5 for j in range(3)],
                               rtol=1e-14)
    one = delta[:1]
    assert np.array_equal(bias_gradient(one), one[0])  # ∂C/∂b = δ for one sample
    assert bias_gradient(delta).shape == (3,)


def test_weight_gradient_is_mean_outer_product():
    rng = np.random.default_rng(10)
    a_prev = rng.standard_normal((5, 4))
    delta = rng.standard_normal((5, 3))
    expected = sum(np.outer(a_prev[i], delta[i]) for i in range(5)) / 5
    dW = weight_gradient(a_prev, delta)
    assert dW.shape == (4, 3)
    np.testing.assert_allclose(dW, expected, rtol=1e-13, atol=1e-15)
    # one sample: the outer product a^{l-1} (δ^l)^T, entry (i, j) = a_i δ_j
    single = weight_gradient(a_prev[:1], delta[:1])
    for i in range(4):
        for j in range(3):
            assert single[i, j] == pytest.approx(a_prev[0, i] * delta[0, j], rel=1e-15)


@pytest.mark.parametrize("param", ["W", "b"])
def test_parameter_gradients_match_finite_differences_of_mean_cost(param):
    """bias_gradient and weight_gradient of the network's δ's give ∂C/∂b^l and
    ∂C/∂W^l of the mean batch cost, checked entry by entry."""
    rng = np.random.default_rng(11)
    net = Network([3, 4, 2], hidden="tanh", output="sigmoid", init="xavier_normal", seed=3)
    x = rng.standard_normal((4, 3))
    t = rng.uniform(0, 1, (4, 2))
    z, a = feedforward(net.W, net.b, x, net.hidden, net.output)
    delta, _, _ = backward(net.W, z, a, t, net.hidden, net.output, net.cost)
    for l in net.W:
        if param == "W":
            analytic = weight_gradient(a[l - 1], delta[l])
        else:
            analytic = bias_gradient(delta[l])
        target = getattr(net, param)[l]
        for index in np.ndindex(target.shape):
            numeric = fd(lambda: net.loss(x, t), target, index)
            assert_close_fd(analytic[index], numeric)


# --------------------------------------------------- batch = per-sample


@pytest.mark.parametrize(("hidden", "output", "cost"), [
    ("sigmoid", "sigmoid", "quadratic"),
    ("relu", "softmax", "cross_entropy"),
    ("tanh", "identity", "quadratic"),
    ("sigmoid", "sigmoid", "binary_cross_entropy"),
    ("tanh", "softmax", "quadratic"),
])
def test_batch_equals_stacked_per_sample(hidden, output, cost):
    rng = np.random.default_rng(12)
    net = Network([5, 6, 4, 3], hidden=hidden, output=output, cost=cost, init="normal",
                  std=0.5, seed=13)
    n = 7
    x = rng.standard_normal((n, 5))
    t = _targets(rng, cost, n, 3)
    batch = net.backward(x, t)
    singles = [net.backward(x[i], t[i]) for i in range(n)]
    close = {"rtol": 1e-12, "atol": 1e-12}

    np.testing.assert_allclose(net.forward(x).y, np.vstack([net.forward(x[i]).y
                                                            for i in range(n)]), **close)
    for l in range(2, net.L + 1):
        np.testing.assert_allclose(batch.z[l], np.vstack([s.z[l] for s in singles]), **close)
        np.testing.assert_allclose(batch.a[l], np.vstack([s.a[l] for s in singles]), **close)
        np.testing.assert_allclose(batch.delta[l], np.vstack([s.delta[l] for s in singles]),
                                   **close)
        np.testing.assert_allclose(batch.dW[l], np.mean([s.dW[l] for s in singles], axis=0),
                                   **close)
        np.testing.assert_allclose(batch.db[l], np.mean([s.db[l] for s in singles], axis=0),
                                   **close)
    assert batch.loss == pytest.approx(np.mean([s.loss for s in singles]), rel=1e-12)
    assert all(s.delta[net.L].shape == (1, 3) for s in singles)


@settings(max_examples=40, derandomize=True, deadline=None, database=None)
@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5),
    n=st.integers(1, 6),
    hidden=st.sampled_from(["sigmoid", "tanh", "relu", "identity"]),
    pair=st.sampled_from([("sigmoid", "quadratic"), ("identity", "quadratic"),
                          ("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy"),
                          ("softmax", "quadratic"), ("tanh", "quadratic")]),
    seed=st.integers(0, 2**32 - 1),
)
def test_batch_equals_per_sample_property(sizes, n, hidden, pair, seed):
    output, cost = pair
    rng = np.random.default_rng(seed)
    net = Network(sizes, hidden=hidden, output=output, cost=cost, init="xavier_normal",
                  seed=rng)
    x = rng.standard_normal((n, sizes[0]))
    t = _targets(rng, cost, n, sizes[-1])
    batch = net.backward(x, t)
    singles = [net.backward(x[i:i + 1], t[i:i + 1]) for i in range(n)]
    for l in range(2, net.L + 1):
        np.testing.assert_allclose(batch.delta[l], np.vstack([s.delta[l] for s in singles]),
                                   rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(batch.dW[l], np.mean([s.dW[l] for s in singles], axis=0),
                                   rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(batch.db[l], np.mean([s.db[l] for s in singles], axis=0),
                                   rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bpcode_numerical_helpers_agree_with_backward(dtype):
    """bpcode.numerical_delta and bpcode.numerical_parameter_gradient (finite
    differences on a float64 copy) reproduce backward's δ^l, ∂C/∂W^l, ∂C/∂b^l."""
    rng = np.random.default_rng(14)
    net = Network([3, 4, 3], hidden="tanh", output="softmax", cost="cross_entropy",
                  init="xavier_normal", seed=15, dtype=dtype)
    x = rng.standard_normal((5, 3))
    t = np.eye(3)[rng.integers(0, 3, 5)]
    twin = net.copy()
    twin.dtype = np.float64
    twin.W = {l: w.astype(np.float64) for l, w in net.W.items()}
    twin.b = {l: v.astype(np.float64) for l, v in net.b.items()}
    grads = twin.backward(x.astype(net.dtype), t)
    for l in net.W:
        assert_close_fd(grads.delta[l], bpcode.numerical_delta(net, x, t, l))
        assert_close_fd(grads.dW[l], bpcode.numerical_parameter_gradient(net, x, t, "W", l))
        assert_close_fd(grads.db[l], bpcode.numerical_parameter_gradient(net, x, t, "b", l))
