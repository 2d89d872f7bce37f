"""Backpropagation against finite differences (bpcode.check_gradients).

The sweep covers every hidden activation × every (output, cost) pairing that
bpcode offers × 1 to 6 hidden layers × seeded random layer widths, and asks
for a max relative error of at most 1e-7 in float64.
"""

import numpy as np
import pytest

import bpcode
from bpcode import Network, check_gradients, feedforward

TOL = 1e-7

HIDDEN = ["sigmoid", "tanh", "relu", "identity"]
OUTPUT_COST = [
    ("sigmoid", "quadratic"),
    ("tanh", "quadratic"),
    ("identity", "quadratic"),
    ("relu", "quadratic"),
    ("softmax", "quadratic"),
    ("sigmoid", "binary_cross_entropy"),
    ("softmax", "cross_entropy"),
]
# (init, gain) per hidden activation: keeps deep nets away from both
# saturation and vanishing gradients, so the relative errors are meaningful.
INIT = {
    "sigmoid": ("xavier_uniform", 3.0),
    "tanh": ("xavier_normal", 1.0),
    "relu": ("he", 0.7),
    "identity": ("xavier_normal", 1.0),
}
DEPTHS = range(1, 7)
# One seeded random architecture per depth: the mutation run (tests/mutation.md)
# runs this sweep for every surviving mutant of backpropagation.
REPS = 1
N_SAMPLES = 3
RELU_MARGIN = 0.1


def _targets(rng, cost, n, width):
    if cost == "cross_entropy":
        return np.eye(width)[rng.integers(0, width, n)]
    return rng.uniform(0, 1, (n, width))


def _relu_layers(net):
    return [l for l in net.W if (net.output if l == net.L else net.hidden).name == "relu"]


def _relu_margin(net, x):
    z, _ = feedforward(net.W, net.b, x, net.hidden, net.output)
    return min(float(np.abs(z[l]).min()) for l in _relu_layers(net))


def _away_from_kinks(net, rng, n):
    """Redraw the biases from N(0, 0.2²) and pick ``n`` inputs for which every
    ReLU pre-activation z satisfies |z| >= RELU_MARGIN.

    Across a ReLU kink a finite difference is meaningless. Candidate inputs are
    screened in one vectorised batch; the biases are redrawn if too few pass.
    """
    relu = _relu_layers(net)
    for _ in range(1000):
        for l in net.b:
            net.b[l] = rng.normal(0, 0.2, net.b[l].shape)
        candidates = rng.standard_normal((4096, net.sizes[0]))
        z, _ = feedforward(net.W, net.b, candidates, net.hidden, net.output)
        ok = np.ones(len(candidates), dtype=bool)
        for l in relu:
            ok &= (np.abs(z[l]) >= RELU_MARGIN).all(axis=1)
        if ok.sum() >= n:
            return candidates[ok][:n]
    raise AssertionError("no inputs away from the ReLU kinks found")  # pragma: no cover


@pytest.mark.parametrize(("output", "cost"), OUTPUT_COST, ids=lambda v: v)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_backprop_matches_finite_differences(hidden, output, cost):
    init, gain = INIT[hidden]
    relu = "relu" in (hidden, output)
    worst = {}
    for depth in DEPTHS:
        for rep in range(REPS):
            rng = np.random.default_rng([depth, rep, len(hidden), len(output), len(cost)])
            sizes = [int(rng.integers(2, 7)) for _ in range(depth + 2)]
            net = Network(sizes, hidden=hidden, output=output, cost=cost, init=init,
                          gain=gain, seed=rng)
            assert net.L == depth + 2
            x = rng.standard_normal((N_SAMPLES, sizes[0]))
            t = _targets(rng, cost, N_SAMPLES, sizes[-1])
            if relu:
                x = _away_from_kinks(net, rng, N_SAMPLES)
                assert _relu_margin(net, x) >= RELU_MARGIN
                errors = check_gradients(net, x, t, order=8, eps=1e-3)
            else:
                errors = check_gradients(net, x, t)
            assert sorted(errors) == list(range(2, net.L + 1)), "every layer is checked"
            worst[(tuple(sizes), rep)] = max(errors.values())
    assert len(worst) == len(DEPTHS) * REPS
    bad = {k: v for k, v in worst.items() if not v <= TOL}
    assert not bad, f"relative error above {TOL}: {bad}"


def _small_net(dtype="float64", **kwargs):
    kwargs = {"hidden": "tanh", "output": "sigmoid", "init": "xavier_normal", "seed": 7,
              **kwargs}
    net = Network([3, 4, 5, 2], dtype=dtype, **kwargs)
    rng = np.random.default_rng(11)
    x = rng.standard_normal((4, 3))
    t = rng.uniform(0, 1, (4, 2))
    return net, x, t


@pytest.mark.parametrize(("output", "cost"), OUTPUT_COST, ids=lambda v: v)
def test_float32_network_checked_on_float64_copy_and_untouched(output, cost):
    hidden = "tanh" if output != "relu" else "sigmoid"
    net, x, t = _small_net("float32", hidden=hidden, output=output, cost=cost)
    if cost == "cross_entropy":
        t = np.eye(2)[[0, 1, 1, 0]]
    x32, t32 = x.astype(np.float32), t.astype(np.float32)
    W0 = {l: w.copy() for l, w in net.W.items()}
    b0 = {l: v.copy() for l, v in net.b.items()}
    x_before, t_before = x32.copy(), t32.copy()

    errors = check_gradients(net, x32, t32)

    # The float32 parameters, rounded once, define a float64 network whose
    # gradients finite differences reproduce as well as in float64.
    assert max(errors.values()) <= TOL, errors
    assert net.dtype == np.float32
    for l in net.W:
        assert net.W[l].dtype == np.float32 and net.b[l].dtype == np.float32
        assert np.array_equal(net.W[l], W0[l]) and np.array_equal(net.b[l], b0[l])
    assert np.array_equal(x32, x_before) and np.array_equal(t32, t_before)


def test_check_gradients_leaves_float64_network_untouched():
    net, x, t = _small_net()
    W0 = {l: w.copy() for l, w in net.W.items()}
    b0 = {l: v.copy() for l, v in net.b.items()}
    check_gradients(net, x, t)
    for l in net.W:
        assert np.array_equal(net.W[l], W0[l]) and np.array_equal(net.b[l], b0[l])


def test_max_per_layer_samples_reproducibly(monkeypatch):
    net, x, t = _small_net()
    calls = []
    real = bpcode.gradcheck.numerical_gradient

    def recording(net, x, t, param, l, index, eps, order):
        calls.append((l, param, tuple(int(i) for i in index)))
        return real(net, x, t, param, l, index, eps, order)

    monkeypatch.setattr(bpcode.gradcheck, "numerical_gradient", recording)

    def run(seed):
        calls.clear()
        errors = check_gradients(net, x, t, max_per_layer=5, seed=seed)
        return errors, list(calls)

    errors_a, chosen_a = run(3)
    errors_b, chosen_b = run(3)
    _, chosen_c = run(4)

    assert errors_a == errors_b
    assert chosen_a == chosen_b
    assert chosen_a != chosen_c
    assert max(errors_a.values()) <= TOL
    for l in net.W:
        in_layer = [c for c in chosen_a if c[0] == l]
        assert len(in_layer) == 5
        assert len(set(in_layer)) == 5, "entries are drawn without replacement"

    # A layer with no more entries than max_per_layer is checked entirely.
    errors_all, chosen_all = run(0)
    calls.clear()
    check_gradients(net, x, t, max_per_layer=10_000)
    assert len(calls) == net.n_params
    assert len(chosen_all) == 5 * (net.L - 1)
    assert set(errors_all) == set(net.W)


def test_check_gradients_catches_a_wrong_gradient(monkeypatch):
    """The check has teeth: a 1 % error in one layer's ∂C/∂W is reported there."""
    net, x, t = _small_net()
    real_backward = bpcode.network.backward

    def wrong_backward(*args):
        delta, dW, db = real_backward(*args)
        dW = dict(dW)
        dW[3] = dW[3] * 1.01
        return delta, dW, db

    monkeypatch.setattr(bpcode.network, "backward", wrong_backward)
    errors = check_gradients(net, x, t)
    assert errors[3] > 1e-3
    assert errors[2] <= TOL and errors[4] <= TOL


def test_numerical_gradient_restores_entry_exactly():
    net, x, t = _small_net()
    before = net.W[3].copy()
    value = bpcode.numerical_gradient(net, x, t, "W", 3, (1, 2))
    assert np.array_equal(net.W[3], before)
    grads = net.backward(x, t)
    assert bpcode.relative_error(grads.dW[3][1, 2], value) <= TOL


def test_relative_error_definition():
    err = bpcode.relative_error([1.0, 0.0, -2.0], [1.1, 0.0, -2.0])
    np.testing.assert_allclose(err, [0.1 / 1.1, 0.0, 0.0], rtol=1e-15)
    # Below ``tiny`` the error is absolute / tiny.
    assert bpcode.relative_error(1e-9, 0.0, tiny=1e-6) == pytest.approx(1e-3)


@pytest.mark.parametrize("order", sorted(bpcode.gradcheck.STENCILS))
def test_stencil_of_order_p_is_exact_to_order_p(order):
    """Σ_k w_k [f(θ + kh) - f(θ - kh)] / h has Taylor series
    2 Σ_k w_k Σ_odd m k^m h^(m-1) f^(m)(θ) / m!: it is f'(θ) + O(h^p) exactly
    when 2 Σ w_k k = 1 and Σ w_k k^m = 0 for the odd m = 3, ..., p - 1, and the
    error at m = p + 1 is not zero (the order is not higher than claimed)."""
    k, w = np.array(bpcode.gradcheck.STENCILS[order], dtype=float).T
    assert len(k) == order // 2 and list(k) == list(range(1, order // 2 + 1))
    assert 2 * w @ k == pytest.approx(1, abs=1e-15)
    for m in range(3, order, 2):
        assert w @ k**m == pytest.approx(0, abs=1e-14), m
    assert abs(w @ k ** (order + 1)) > 1e-3


def test_each_finite_difference_uses_the_order_it_is_given():
    """At eps = 0.03 the error of order p falls by a factor of at least 10 per
    step in p, for one entry, a whole ∂C/∂W^l, δ^l and check_gradients."""
    net, x, t = _small_net()
    grads = net.backward(x, t)
    errors = {order: [
        float(bpcode.relative_error(grads.dW[3][1, 2], bpcode.numerical_gradient(
            net, x, t, "W", 3, (1, 2), eps=0.03, order=order))),
        float(bpcode.relative_error(grads.dW[3], bpcode.numerical_parameter_gradient(
            net, x, t, "W", 3, eps=0.03, order=order)).max()),
        float(bpcode.relative_error(grads.db[2], bpcode.numerical_parameter_gradient(
            net, x, t, "b", 2, eps=0.03, order=order)).max()),
        float(bpcode.relative_error(grads.delta[3], bpcode.numerical_delta(
            net, x, t, 3, eps=0.03, order=order)).max()),
        max(check_gradients(net, x, t, eps=0.03, order=order).values()),
    ] for order in (2, 4, 6, 8)}
    assert min(errors[2]) > 1e-4
    for p in (4, 6, 8):
        for low, high in zip(errors[p], errors[p - 2], strict=True):
            assert low < high / 10, (p, errors)
    assert max(errors[8]) < 1e-7


def test_numerical_parameter_gradient_checks_param_and_layer():
    net, x, t = _small_net()
    for param in ("w", "Q", None, "dW"):
        with pytest.raises(ValueError, match="param must be 'W' or 'b'"):
            bpcode.numerical_parameter_gradient(net, x, t, param, 2)
    for l, message in ((1, "l must be >= 2, got 1"), (5, r"l must be a layer in \[2, 3, 4\]"),
                       ("2", "l must be an integer")):
        with pytest.raises((TypeError, ValueError), match=message):
            bpcode.numerical_parameter_gradient(net, x, t, "W", l)


@pytest.mark.parametrize(("hidden", "output", "cost"), [
    ("tanh", "sigmoid", "quadratic"), ("sigmoid", "identity", "quadratic"),
    ("tanh", "softmax", "cross_entropy"),
])
def test_numerical_delta_is_backprops_delta_in_every_layer(hidden, output, cost):
    """δ^l = ∂C_x/∂z^l by finite differences, for every l = 2, ..., L (the output
    layer's own f included), with nonzero b^l in every layer after l."""
    net, x, t = _small_net(hidden=hidden, output=output, cost=cost, init="normal", std=0.5)
    if cost == "cross_entropy":
        t = np.eye(2)[[0, 1, 1, 0]]
    assert all(np.abs(b).min() > 0.01 for b in net.b.values())
    grads = net.backward(x, t)
    for l in range(2, net.L + 1):
        delta = bpcode.numerical_delta(net, x, t, l)
        assert delta.shape == grads.delta[l].shape == (4, net.sizes[l - 1])
        assert bpcode.relative_error(grads.delta[l], delta).max() <= TOL, l


@pytest.mark.parametrize("call", [
    lambda net, x, t: bpcode.numerical_gradient(net, x, t, "W", 2, (0, 0)),
    lambda net, x, t: bpcode.numerical_parameter_gradient(net, x, t, "W", 2),
    lambda net, x, t: bpcode.numerical_delta(net, x, t, 2),
    lambda net, x, t: check_gradients(net, x, t),
], ids=["numerical_gradient", "numerical_parameter_gradient", "numerical_delta",
        "check_gradients"])
def test_every_finite_difference_wants_a_network(call):
    _, x, t = _small_net()
    for net in (None, {"W": {}, "b": {}}):
        with pytest.raises(TypeError) as info:
            call(net, x, t)
        assert str(info.value) == f"net must be a bpcode.Network, got {type(net).__name__}"
