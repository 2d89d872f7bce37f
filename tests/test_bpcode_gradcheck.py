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


STENCILS = bpcode.gradcheck.STENCILS


@pytest.mark.parametrize("order", sorted(STENCILS))
def test_numerical_gradient_is_its_stencil_with_step_eps_max_1_theta(order):
    """Σ_k w_k [C(θ + k h) - C(θ - k h)] / h with h = eps·max(1, |θ|), evaluated
    here with net.loss on a copy: the same numbers, bit for bit, for |θ| < 1,
    1 < |θ| < 2 and |θ| > 2 (negative: h uses |θ|)."""
    net, x, t = _small_net(init="normal", std=0.5)
    net.W[3][1, 2], net.b[2][1], net.b[4][0] = -3.0, 0.4, 1.5
    eps = 0.05
    for param, l, index in (("W", 3, (1, 2)), ("b", 2, (1,)), ("b", 4, (0,))):
        theta = getattr(net, param)[l][index]
        h = eps * max(1.0, abs(theta))
        twin = net.copy()
        total = 0.0
        for k, w in STENCILS[order]:
            getattr(twin, param)[l][index] = theta + k * h
            forward = twin.loss(x, t)
            getattr(twin, param)[l][index] = theta - k * h
            total += w * (forward - twin.loss(x, t))
        assert bpcode.numerical_gradient(net, x, t, param, l, index, eps=eps,
                                         order=order) == total / h


@pytest.mark.parametrize("order", sorted(STENCILS))
def test_numerical_delta_is_its_stencil_with_step_eps_max_1_z(order):
    """δ_j^L of a sigmoid output with the quadratic cost, C_x = ½ Σ_j (σ(z_j) - t_j)²,
    by the stencil with h = eps·max(1, |z_j|) per sample: z^L has entries with
    |z| < 1, 1 < |z| < 2 and |z| > 2, and eps = 0.3 makes the truncation error of
    the stencil, and so h, show in the digits compared."""
    net = Network([2, 2], output="sigmoid", seed=0)
    net.set_parameters({2: [[1.0, -0.5], [0.5, 2.0]]}, {2: [0.3, -1.2]})
    x = np.array([[0.2, 0.1], [3.0, -1.0], [-2.5, 1.5]])
    t = np.array([[0.0, 1.0], [1.0, 0.5], [0.2, 0.0]])
    z = x @ net.W[2] + net.b[2]
    assert {int(min(abs(v), 2.5)) for v in z.ravel()} == {0, 1, 2}

    def sample_costs(z):
        return 0.5 * ((1 / (1 + np.exp(-z)) - t) ** 2).sum(axis=1)

    eps = 0.3
    expected = np.zeros_like(z)
    for j in range(2):
        h = eps * np.maximum(1.0, np.abs(z[:, j]))
        for k, w in STENCILS[order]:
            step = np.zeros_like(z)
            step[:, j] = k * h
            expected[:, j] += w * (sample_costs(z + step) - sample_costs(z - step))
        expected[:, j] /= h
    delta = bpcode.numerical_delta(net, x, t, 2, eps=eps, order=order)
    np.testing.assert_allclose(delta, expected, rtol=1e-11, atol=0)
    # and the truncation error is large enough for a different h to show
    exact = net.backward(x, t).delta[2]
    assert bpcode.relative_error(exact, delta).max() > 1e-9


def test_finite_differences_that_overflow_name_the_parameter_or_layer(no_warnings):
    """The cost stays finite (5e219) but ∂C/∂w = z·x = 1e310 does not; and a
    step of z^2 = 1e200 by h = 1e198 makes C_x overflow."""
    net = Network([2, 1], output="identity", seed=0)
    net.set_parameters({2: [[0.0], [0.0]]}, {2: [1e110]})
    x, t = np.array([[1e200, -1e200]]), np.zeros((1, 1))
    assert net.loss(x, t) == 5e219
    with pytest.raises(bpcode.NonFiniteError) as info:
        bpcode.numerical_gradient(net, x, t, "W", 2, (0, 0), eps=1e-100)
    assert str(info.value) == ("the finite difference for W[2][(0, 0)] overflows: the cost "
                               "changes by more than the float range allows")
    assert info.value.layer == 2
    assert net.W[2].tolist() == [[0.0], [0.0]]

    net = Network([1, 1, 1], hidden="identity", output="identity", seed=0)
    net.set_parameters({2: [[1.0]], 3: [[1.0]]}, {2: [0.0], 3: [0.0]})
    with pytest.raises(bpcode.NonFiniteError) as info:
        bpcode.numerical_delta(net, np.array([[1e200]]), np.zeros((1, 1)), 2)
    assert str(info.value) == ("the finite differences of the cost with respect to z^2 "
                               "overflow (eps too large, or z^2 too large?)")
    assert info.value.layer == 2


@pytest.mark.parametrize("theta", [3e38, -3e38])
def test_numerical_gradient_step_beyond_either_end_of_float32(theta, no_warnings):
    """θ + 4h > 3.4e38 and θ - 4h < -3.4e38 are both refused."""
    net = Network([2, 2], seed=0, dtype="float32")
    net.set_parameters({2: [[0.0, theta], [0.0, 0.0]]}, net.b)
    with pytest.raises(ValueError) as info:
        bpcode.numerical_gradient(net, np.ones((1, 2)), np.zeros((1, 2)), "W", 2, (0, 1),
                                  eps=0.5)
    assert str(info.value) == (f"eps=0.5 moves W[2][(0, 1)] = {np.float32(theta)} out of the "
                               f"range of float32: choose a smaller eps")
    assert net.W[2][0, 1] == np.float32(theta)


def test_default_arguments():
    """eps = 1e-2, order = 8, every entry (max_per_layer=None), seed = 0 and
    tiny = 1e-6 unless given: the results are bit-identical."""
    net, x, t = _small_net()
    defaults = {"eps": 1e-2, "order": 8}
    assert check_gradients(net, x, t) == check_gradients(
        net, x, t, max_per_layer=None, seed=0, tiny=1e-6, **defaults)
    assert bpcode.numerical_gradient(net, x, t, "W", 3, (1, 2)) == \
        bpcode.numerical_gradient(net, x, t, "W", 3, (1, 2), **defaults)
    np.testing.assert_array_equal(
        bpcode.numerical_parameter_gradient(net, x, t, "b", 3),
        bpcode.numerical_parameter_gradient(net, x, t, "b", 3, **defaults))
    np.testing.assert_array_equal(bpcode.numerical_delta(net, x, t, 2),
                                  bpcode.numerical_delta(net, x, t, 2, **defaults))
    assert bpcode.relative_error(1e-9, 0.0) == bpcode.relative_error(1e-9, 0.0, tiny=1e-6)
    # tiny matters: an absolute difference / tiny below it
    assert bpcode.relative_error(1e-9, 0.0) == pytest.approx(1e-3, rel=1e-12)
    assert check_gradients(net, x, t) != check_gradients(net, x, t, tiny=1.0)


def test_max_per_layer_draws_exactly_numpys_choice(monkeypatch):
    """Layer 2 has 16 entries, layer 3 25 and layer 4 12. With max_per_layer = 16
    layer 2 is checked whole, drawing nothing, and layer 3's entries are
    rng.choice(25, 16, replace=False) of a fresh default_rng(seed), in the order
    of W's then b's entries; layer 4 is checked whole."""
    net, x, t = _small_net()
    calls = []
    real = bpcode.gradcheck.numerical_gradient

    def recording(net, x, t, param, l, index, eps, order):
        calls.append((l, param, index))
        return real(net, x, t, param, l, index, eps, order)

    monkeypatch.setattr(bpcode.gradcheck, "numerical_gradient", recording)
    for seed in (0, 5, None):
        calls.clear()
        if seed is None:  # the default seed is 0
            check_gradients(net, x, t, max_per_layer=16)
            seed = 0
        else:
            check_gradients(net, x, t, max_per_layer=16, seed=seed)
        entries = {l: [("W", i) for i in np.ndindex(net.W[l].shape)]
                   + [("b", i) for i in np.ndindex(net.b[l].shape)] for l in net.W}
        chosen = sorted(np.random.default_rng(seed).choice(25, size=16, replace=False))
        expected = ([(2, p, i) for p, i in entries[2]]
                    + [(3, *entries[3][k]) for k in chosen]
                    + [(4, p, i) for p, i in entries[4]])
        assert calls == expected
    calls.clear()
    errors = check_gradients(net, x, t, max_per_layer=1)
    assert [l for l, _, _ in calls] == [2, 3, 4] and max(errors.values()) <= TOL


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"eps": 0.0}, "eps must be > 0, got 0.0"),
    ({"tiny": 0.0}, "tiny must be > 0, got 0.0"),
    ({"max_per_layer": 0}, "max_per_layer must be >= 1, got 0"),
    ({"max_per_layer": 2.0}, "max_per_layer must be an integer, got 2.0"),
    ({"order": 8.0}, "order must be one of [2, 4, 6, 8], got 8.0"),
    ({"order": True}, "order must be one of [2, 4, 6, 8], got True"),
    ({"order": 3}, "order must be one of [2, 4, 6, 8], got 3"),
])
def test_check_gradients_argument_messages(kwargs, message):
    net, x, t = _small_net()
    with pytest.raises((TypeError, ValueError)) as info:
        check_gradients(net, x, t, **kwargs)
    assert str(info.value) == message


def test_check_gradients_checks_its_arguments_in_order():
    """eps, order, tiny, max_per_layer, seed: the first bad one is reported."""
    net, x, t = _small_net()
    bad = {"eps": 0.0, "order": 3, "tiny": 0.0, "max_per_layer": 0, "seed": -1}
    messages = ["eps must be > 0, got 0.0", "order must be one of [2, 4, 6, 8], got 3",
                "tiny must be > 0, got 0.0", "max_per_layer must be >= 1, got 0",
                "seed must be a non-negative int, a numpy.random.Generator or None, got -1"]
    for name, message in zip(list(bad), messages, strict=True):
        with pytest.raises((TypeError, ValueError)) as info:
            check_gradients(net, x, t, **bad)
        assert str(info.value) == message
        del bad[name]


def test_float32_network_is_checked_in_float64_and_overflows_only_there(no_warnings):
    """z^l = (3e38)^(l-1) overflows float32 from l = 3 on, float64 at l = 10: the
    float64 copy is checked, and its overflow is reported as float64's."""
    net = Network([1] * 10, hidden="identity", output="identity", dtype="float32", seed=0)
    net.set_parameters({l: [[3e38]] for l in net.W}, {l: [0.0] for l in net.b})
    x, t = np.ones((1, 1), np.float32), np.zeros((1, 1), np.float32)
    message = ("z^10 is not finite in layer 10: the values overflow the range of float64 "
               "(largest magnitude 1.798e+308) although the inputs and every parameter are "
               "finite (weights or inputs too large?)")
    for call in (lambda: check_gradients(net, x, t),
                 lambda: bpcode.numerical_parameter_gradient(net, x, t, "W", 2),
                 lambda: bpcode.numerical_delta(net, x, t, 2)):
        with pytest.raises(bpcode.NonFiniteError) as info:
            call()
        assert str(info.value) == message and info.value.layer == 10
    assert net.W[2].dtype == np.float32 and net.W[2][0, 0] == np.float32(3e38)


def test_small_eps_and_tiny_are_accepted():
    """eps and tiny need only be > 0 (not >= 1)."""
    net, x, t = _small_net()
    errors = check_gradients(net, x, t, tiny=0.5, max_per_layer=3)
    assert max(errors.values()) <= TOL
    assert bpcode.relative_error(0.1, 0.2, tiny=0.5) == pytest.approx(0.2)
    assert bpcode.relative_error(0.1, 0.2, tiny=1e-300) == pytest.approx(0.5)


@pytest.mark.parametrize("index", [
    [0, 0], (True, 0), (0, np.bool_(False)), (0.0, 0), (0, 1.0), (3, 0), (0, 5), (-1, 0),
    (0,), (0, 0, 0), "00",
], ids=repr)
def test_numerical_gradient_index_message(index):
    """An index names one entry of W^l (shape (3, 5) here) by a tuple of ints in
    range: not a list, bools, floats, m itself or the wrong number of them."""
    net = Network([3, 5, 2], seed=0)
    x, t = np.ones((1, 3)), np.zeros((1, 2))
    with pytest.raises(ValueError) as info:
        bpcode.numerical_gradient(net, x, t, "W", 2, index)
    assert str(info.value) == ("index must name one entry of W[2], a tuple of 2 integers each "
                               f"in [0, m) for the shape (3, 5), got {index!r}")


def test_numerical_gradient_accepts_numpy_integer_indices():
    net, x, t = _small_net()
    by_numpy = bpcode.numerical_gradient(net, x, t, "W", 3, (np.int64(3), np.uint8(4)))
    assert by_numpy == bpcode.numerical_gradient(net, x, t, "W", 3, (3, 4))
    assert bpcode.numerical_gradient(net, x, t, "b", 4, np.int32(1)) == \
        bpcode.numerical_gradient(net, x, t, "b", 4, (1,))


@pytest.mark.parametrize(("args", "message"), [
    (("1.0", [1.0]), "analytic must be a numeric array, got str"),
    (([1.0], None), "numeric must be a numeric array, got NoneType"),
    (([1.0, 2.0], [[1.0, 2.0]]),
     "analytic and numeric must have the same shape, got (2,) and (1, 2)"),
    (([1.0, np.inf], [1.0, 2.0]), "analytic must be finite, got inf at index (1,)"),
    (([1.0, 2.0], [np.nan, 2.0]), "numeric must be finite, got nan at index (0,)"),
    ((1.0, 2.0, 0.0), "tiny must be > 0, got 0.0"),
    ((1.0, 2.0, -1e-6), "tiny must be > 0, got -1e-06"),
])
def test_relative_error_argument_messages(args, message):
    with pytest.raises((TypeError, ValueError)) as info:
        bpcode.relative_error(*args)
    assert str(info.value) == message


def test_relative_error_is_computed_in_at_least_float64():
    """float32 and integer arguments are compared in float64; a longer float
    (numpy's longdouble, where it is longer) keeps its own precision."""
    a32, n32 = np.float32([1.0, 3.0, -2.0]), np.float32([1.1, 3.3, 2.0])
    error = bpcode.relative_error(a32, n32)
    assert error.dtype == np.float64
    np.testing.assert_array_equal(error, bpcode.relative_error(a32.astype(float),
                                                               n32.astype(float)))
    assert error[2] == 2.0
    assert bpcode.relative_error(np.array([3, -1]), np.array([4, -1])).tolist() == [0.25, 0.0]
    # |-2**63| does not fit int64 (np.abs returns -2**63 there), it does float64
    for analytic, numeric in (([-2**63], [0]), ([0], [-2**63])):
        error = bpcode.relative_error(np.array(analytic, dtype=np.int64),
                                      np.array(numeric, dtype=np.int64))
        assert error.tolist() == [1.0]
    if np.finfo(np.longdouble).eps > 2.0**-60:
        pytest.skip("longdouble is no longer than float64 here")
    one = np.longdouble(1)
    slightly_more = np.array([one + np.longdouble(2) ** -60])
    for analytic, numeric in ((slightly_more, [1.0]), ([1.0], slightly_more)):
        error = bpcode.relative_error(analytic, numeric)
        assert error.dtype == np.longdouble
        assert error[0] == pytest.approx(2.0**-60, rel=1e-6)


@pytest.mark.parametrize("call", [
    lambda net, x, t, **kw: bpcode.numerical_gradient(net, x, t, "W", 2, (0, 0), **kw),
    lambda net, x, t, **kw: bpcode.numerical_parameter_gradient(net, x, t, "W", 2, **kw),
    lambda net, x, t, **kw: bpcode.numerical_delta(net, x, t, 2, **kw),
], ids=["numerical_gradient", "numerical_parameter_gradient", "numerical_delta"])
def test_finite_differences_check_eps_before_order(call):
    """Each function checks eps itself, first: eps = 0 is reported, not order = 3."""
    net, x, t = _small_net()
    for eps in (0.0, -1e-3):
        with pytest.raises(ValueError) as info:
            call(net, x, t, eps=eps, order=3)
        assert str(info.value) == f"eps must be > 0, got {eps}"
    with pytest.raises(ValueError) as info:
        call(net, x, t, eps=1e-3, order=3)
    assert str(info.value) == "order must be one of [2, 4, 6, 8], got 3"
