"""Bad inputs that used to slip through bpcode (issue 14, items 1-3, 8 and 10):
each gave a wrong answer, a numpy error, a corrupted network or a warning, and
now gives a clear ValueError or TypeError naming the argument, with the
network and the random state unchanged and no warning.

Items 4-7 (load) are in test_bpcode_io.py, item 9 and overflow in
test_bpcode_overflow.py, item 11 in test_serve_live_ports.py; the property
tests (test_bpcode_properties.py) check the same promises over random
networks and random bad arguments.
"""

import os
import re
from pathlib import Path

import numpy as np
import pytest
from snapshots import assert_unchanged, snapshot, softmax_net

import bpcode
from bpcode import (
    ACTIVATIONS,
    COSTS,
    Network,
    NonFiniteError,
)

ROOT = Path(__file__).resolve().parents[1]
X = np.random.default_rng(0).normal(size=(6, 3))




# ------------------------------------------- 1. targets that break δ^L = a^L - t


SOFTMAX_CE_CALLS = {
    "loss": lambda net, t: net.loss(X, t),
    "backward": lambda net, t: net.backward(X, t),
    "check_batch": lambda net, t: net.check_batch(X, t),
    "check_gradients": lambda net, t: bpcode.check_gradients(net, X, t),
    "gradient_norms": lambda net, t: bpcode.gradient_norms(net, X, t),
    "numerical_gradient": lambda net, t: bpcode.numerical_gradient(net, X, t, "W", 2, (0, 0)),
    "sgd": lambda net, t: bpcode.sgd(net, X, t, eta=0.1, epochs=1, batch_size=2),
}


@pytest.mark.parametrize("t", [np.tile([0.9, 0.5], (6, 1)), np.zeros((6, 2)),
                               np.tile([0.3, 0.3], (6, 1))], ids=["1.4", "0", "0.6"])
@pytest.mark.parametrize("call", list(SOFTMAX_CE_CALLS))
def test_cross_entropy_targets_must_be_distributions(call, t, no_warnings):
    """Cross-entropy with softmax: δ^L = a^L Σ_k t_k - t, which is the a^L - t
    that backpropagation uses only when every row of t sums to 1."""
    net = softmax_net()
    snap = snapshot(net)
    with pytest.raises(ValueError, match=r"\beach row of t must sum to 1 .*cross_entropy cost, "
                                         r"got a row sum of "):
        SOFTMAX_CE_CALLS[call](net, t)
    assert_unchanged(net, snap)


def test_cross_entropy_equations_check_the_targets_too():
    z = np.zeros((2, 2))
    with pytest.raises(ValueError, match=r"\beach row of t must sum to 1"):
        bpcode.output_delta(COSTS["cross_entropy"], ACTIVATIONS["softmax"], z, z + 0.5, z)


def test_soft_labels_that_sum_to_one_have_exact_gradients():
    t = np.tile([0.7, 0.3], (6, 1))
    assert max(bpcode.check_gradients(softmax_net(), X, t).values()) < 1e-7


def test_soft_labels_in_float32_sum_to_one_within_rounding():
    t = np.tile([0.1, 0.2, 0.3, 0.4], (6, 1)).astype(np.float32)
    net = Network([3, 4], output="softmax", cost="cross_entropy", seed=0, dtype="float32")
    assert np.isfinite(net.loss(X, t))


@pytest.mark.parametrize(("output", "cost", "t"), [
    ("identity", "quadratic", np.tile([3.5, -20.0], (6, 1))),
    ("sigmoid", "binary_cross_entropy", np.tile([0.9, 0.5], (6, 1))),
    ("sigmoid", "binary_cross_entropy", np.zeros((6, 2))),
])
def test_other_simplified_pairs_are_exact_for_any_allowed_target(output, cost, t):
    """The other pairs with δ^L = a^L - t need nothing of t beyond its range:
    quadratic with identity, and binary cross-entropy with sigmoid, unit by unit."""
    net = Network([3, 4, 2], output=output, cost=cost, seed=0)
    assert max(bpcode.check_gradients(net, X, t).values()) < 1e-7


# ------------------------------------- 2. numerical_gradient checks and restores


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"x": np.ones((6, 4))}, ValueError, r"\bx must have 3 columns"),
    ({"x": np.where(X > 1, np.nan, X)}, ValueError, r"\bx must be finite"),
    ({"param": "Q"}, ValueError, r"\bparam must be 'W' or 'b', got 'Q'"),
    ({"l": 4}, ValueError, r"\bl must be a layer in \[2, 3\], got 4"),
    ({"l": "2"}, TypeError, r"\bl must be an integer"),
    ({"index": (9, 9)}, ValueError, r"\bindex must name one entry of W\[2\].*got \(9, 9\)"),
    ({"index": (0,)}, ValueError, r"\bindex must name one entry"),
    ({"index": (-1, 0)}, ValueError, r"\bindex must name one entry"),
    ({"index": "00"}, ValueError, r"\bindex must name one entry"),
    ({"eps": 0.0}, ValueError, r"\beps must be > 0"),
    ({"eps": 1e308}, ValueError, r"\beps=1e\+308 moves W\[2\]\[\(0, 0\)\]"),
    ({"order": 3}, ValueError, r"\border must be one of \[2, 4, 6, 8\], got 3"),
    ({"order": [8]}, ValueError, r"\border must be one of"),
    ({"net": "net"}, TypeError, r"\bnet must be a bpcode.Network"),
])
def test_numerical_gradient_checks_its_arguments(kwargs, exc, match, no_warnings):
    net = softmax_net()
    arguments = {"net": net, "x": X, "t": np.eye(2)[[0, 1] * 3], "param": "W", "l": 2,
                 "index": (0, 0), **kwargs}
    snap = snapshot(net)
    with pytest.raises(exc, match=match):
        bpcode.numerical_gradient(**arguments)
    assert_unchanged(net, snap)


def test_numerical_gradient_restores_the_entry_when_the_cost_fails():
    net = softmax_net()
    t = np.eye(2)[[0, 1] * 3]
    snap = snapshot(net)
    calls = []

    def failing_loss(x, t):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("the cost failed")
        return Network.loss(net, x, t)

    net.loss = failing_loss
    with pytest.raises(RuntimeError, match="the cost failed"):
        bpcode.numerical_gradient(net, X, t, "W", 2, (0, 0))
    assert_unchanged(net, snap)


def test_numerical_gradient_step_beyond_float32(no_warnings):
    """θ ± 4h would leave float32: refused, without an overflow warning."""
    net = Network([2, 2], seed=0, dtype="float32")
    net.set_parameters({2: [[3e38, 0.0], [0.0, 0.0]]}, net.b)
    snap = snapshot(net)
    with pytest.raises(ValueError, match=r"\beps=0\.5 moves W\[2\]\[\(0, 0\)\] = .* out of the "
                                         r"range of float32"):
        bpcode.numerical_gradient(net, np.ones((1, 2)), np.zeros((1, 2)), "W", 2, (0, 0),
                                  eps=0.5)
    assert_unchanged(net, snap)


def test_numerical_gradient_accepts_an_int_index_for_biases():
    net = softmax_net()
    t = np.eye(2)[[0, 1] * 3]
    assert bpcode.numerical_gradient(net, X, t, "b", 3, 1) == pytest.approx(
        net.backward(X, t).db[3][1], rel=1e-7)


@pytest.mark.parametrize("call", [
    lambda net, x, t: bpcode.numerical_delta(net, x, t, 2, eps=-1.0),
    lambda net, x, t: bpcode.numerical_delta(net, x, t, 2, order=5),
    lambda net, x, t: bpcode.numerical_parameter_gradient(net, x, t, "W", 2, order=1),
    lambda net, x, t: bpcode.numerical_parameter_gradient(net, x, t, "b", 2, eps=np.nan),
])
def test_the_other_finite_difference_helpers_check_eps_and_order(call):
    net = softmax_net()
    with pytest.raises(ValueError, match=r"\b(eps|order) must"):
        call(net, X, np.eye(2)[[0, 1] * 3])


# ------------------------------------------------ 3. parameters that are not finite


def test_set_parameters_refuses_values_beyond_float32(no_warnings):
    net = Network([3, 4, 2], seed=0, dtype="float32")
    snap = snapshot(net)
    W = {2: np.full((3, 4), 1e39), 3: net.W[3]}
    with pytest.raises(ValueError, match=r"\bW\[2\] does not fit the network's float32 .*"
                                         r"got 1e\+39 at index \(0, 0\)"):
        net.set_parameters(W, net.b)
    assert_unchanged(net, snap)


@pytest.mark.parametrize(("dtype", "std", "gain"), [
    ("float64", 1e300, 1e300), ("float32", 1e30, 1e10), ("float32", 1e39, 1.0),
])
def test_initial_parameters_beyond_the_dtype_are_refused(dtype, std, gain, no_warnings):
    """std · gain · N(0, 1) must be finite in the dtype. A generator passed as
    seed keeps its state when the network is refused."""
    rng = np.random.default_rng(5)
    state = rng.bit_generator.state
    with pytest.raises(ValueError, match=re.escape(f"std={std} and gain={gain} give initial "
                                                   f"parameters beyond the range of {dtype}")):
        Network([3, 4, 2], std=std, gain=gain, dtype=dtype, seed=rng)
    assert rng.bit_generator.state == state


# ---------------------------------------------------------- 8. float32 inputs


def test_finite_input_beyond_float32_says_so(no_warnings):
    net = softmax_net(dtype="float32")
    with pytest.raises(ValueError, match=r"\bx does not fit the network's float32 \(largest "
                                         r"magnitude 3\.403e\+38\), got 1e\+39 at index"):
        net.forward(np.full((2, 3), 1e39))
    with pytest.raises(ValueError, match=r"\bx must be finite, got inf"):
        net.forward(np.full((2, 3), np.inf))


# --------------------------------------------------------------- 10. smaller ones


@pytest.mark.parametrize("x", [np.ones((2, 3), dtype="m8[s]"), np.ones((2, 3), dtype="M8[D]")],
                         ids=["timedelta64", "datetime64"])
def test_times_are_not_numbers(x):
    with pytest.raises(TypeError, match=r"\bx must be a numeric array, got dtype"):
        softmax_net().forward(x)


def test_set_parameters_with_mixed_keys_names_the_argument():
    net = softmax_net()
    snap = snapshot(net)
    with pytest.raises(ValueError, match=r"\bW must have the layer keys \[2, 3\], got \[2, '3'\]"):
        net.set_parameters({2: net.W[2], "3": net.W[3]}, net.b)
    assert_unchanged(net, snap)


def test_feedforward_with_a_name_instead_of_an_activation():
    net = softmax_net()
    with pytest.raises(TypeError, match=r"\bhidden must be an activation, an entry of "
                                        r"bpcode\.ACTIVATIONS, got 'sigmoid'"):
        bpcode.feedforward(net.W, net.b, X, "sigmoid", net.output)


@pytest.mark.parametrize("eta", [np.nan, np.inf, 0.0, -1.0])
def test_update_refuses_a_bad_learning_rate(eta):
    net = softmax_net()
    grads = net.backward(X, np.eye(2)[[0, 1] * 3])
    with pytest.raises(ValueError, match=r"\beta must be"):
        bpcode.update(net.W, net.b, grads.dW, grads.db, eta)


def test_huge_network_is_refused_before_allocating():
    with pytest.raises(ValueError, match=r"\bsizes \[1000000, 1000000\] give 1e\+12 parameters, "
                                         r".* GiB in float64, more than this machine's memory"):
        Network([10**6, 10**6])


def physical_memory():
    """(page size, number of pages) where the platform says; the memory check is
    skipped elsewhere."""
    try:
        return os.sysconf("SC_PAGE_SIZE"), os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        pytest.skip("the platform does not say how much memory it has")


@pytest.mark.parametrize(("sizes", "dtype", "counted"), [
    ([100, 10**10], "float32", "[100, 10000000000] give 1.01e+12 parameters, 3.76e+03 GiB in "
                               "float32"),
    ([3, 10**11, 2], "float64", "[3, 100000000000, 2] give 6e+11 parameters, 4.47e+03 GiB in "
                                "float64"),
])
def test_memory_message_counts_every_parameter(sizes, dtype, counted):
    """Σ_l (M_(l-1) + 1) M_l weights and biases, times the dtype's bytes, in GiB.
    seed=-1 comes after the memory check: had the check let these through,
    the constructor would stop there, before allocating anything."""
    page, pages = physical_memory()
    with pytest.raises(ValueError) as info:
        Network(sizes, dtype=dtype, seed=-1)
    assert str(info.value) == (f"sizes {counted}, more than this machine's memory "
                               f"({page * pages / 2**30:.3g} GiB)")


def test_a_network_that_needs_exactly_the_memory_passes_the_memory_check():
    """Only *more* than the machine's memory is refused: with M_1 + 1 = page size
    / 8 and M_2 = the number of pages, the float64 parameters need exactly the
    memory; one more input unit is too many. seed=-1 stops the constructor right
    after the memory check, so nothing is allocated."""
    page, pages = physical_memory()
    with pytest.raises(TypeError, match=r"^seed must be a non-negative int"):
        Network([page // 8 - 1, pages], seed=-1)
    with pytest.raises(ValueError, match=r"more than this machine's memory"):
        Network([page // 8, pages], seed=-1)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bool_and_integer_inputs_are_read_as_numbers(dtype, no_warnings):
    """x and t may be bool, integer or unsigned (or nested lists of them): they
    are converted to the network's dtype, and give what the same values as
    floats give."""
    net = Network([2, 3, 2], seed=0, dtype=dtype)
    x, t = np.array([[True, False], [False, True], [True, True]]), np.eye(2)[[0, 1, 1]]
    y = net.forward(x.astype(dtype)).y
    loss = net.loss(x.astype(dtype), t.astype(dtype))
    for x_as, t_as in [(x, t > 0), (x.astype(int), t.astype(int)),
                       (x.astype(np.uint8), t.astype(np.uint8)), (x.tolist(), t.tolist())]:
        forward = net.forward(x_as)
        assert forward.a[1].dtype == forward.y.dtype == dtype
        assert np.array_equal(forward.a[1], x.astype(dtype)) and np.array_equal(forward.y, y)
        assert net.loss(x_as, t_as) == loss


def test_inputs_in_the_network_dtype_are_not_copied():
    """a^1 = x: an input already in the network's dtype is used as it is (a large
    data set is not duplicated in memory), by the network and by the chapter's
    feedforward; one in the other dtype is converted into a new array."""
    for dtype, other in [("float64", "float32"), ("float32", "float64")]:
        net = Network([2, 3, 2], seed=0, dtype=dtype)
        x = np.ones((4, 2), dtype=dtype)
        assert net.forward(x).a[1] is x
        assert bpcode.feedforward(net.W, net.b, x, net.hidden, net.output)[1][1] is x
        x_other = np.ones((4, 2), dtype=other)
        a_1 = net.forward(x_other).a[1]
        assert a_1.dtype == dtype and not np.shares_memory(a_1, x_other)


def test_a_seed_and_a_generator_give_the_same_network():
    """seed=7 means numpy.random.default_rng(7); a Generator is used as it is
    (and advances); numpy integers are seeds too."""
    rng = np.random.default_rng(7)
    from_rng, from_seed = Network([2, 3, 2], seed=rng), Network([2, 3, 2], seed=np.int64(7))
    for l in (2, 3):
        assert np.array_equal(from_rng.W[l], from_seed.W[l])
        assert np.array_equal(from_rng.b[l], from_seed.b[l])
    assert rng.bit_generator.state != np.random.default_rng(7).bit_generator.state
    zero = Network([2, 3, 2], seed=0)
    assert not np.array_equal(zero.W[2], from_seed.W[2])
    assert np.array_equal(zero.W[2], Network([2, 3, 2], seed=0).W[2])


def test_set_parameters_reads_numpy_integer_keys_and_tuples():
    net = softmax_net()
    W = {np.int64(3): net.W[3] * 2, np.int32(2): net.W[2] * 3}
    net.set_parameters(W, tuple(net.b[l] * 4 for l in (2, 3)))
    assert list(net.W) == list(net.b) == [2, 3]
    assert all(type(l) is int for l in net.W)
    assert np.array_equal(net.W[2], W[np.int32(2)]) and np.array_equal(net.W[3], W[np.int64(3)])


@pytest.mark.parametrize("flag", [True, np.True_])
def test_allow_overflow_takes_python_and_numpy_bools(flag):
    """z = 1e200 · 1e200 overflows: refused by default (and with np.False_), given
    back as inf with allow_overflow=True or np.True_."""
    net = Network([2, 2], seed=0)
    net.set_parameters({2: np.full((2, 2), 1e200)}, {2: np.zeros(2)})
    x, t = np.full((1, 2), 1e200), np.zeros((1, 2))
    for refused in (False, np.False_):
        with pytest.raises(NonFiniteError):
            net.backward(x, t, allow_overflow=refused)
    grads = net.backward(x, t, allow_overflow=flag)
    assert np.isposinf(grads.z[2]).all()


def test_one_sample_of_the_wrong_length_is_reported_as_given():
    with pytest.raises(ValueError, match=r"\bx must have 3 columns .*got shape \(7,\)$"):
        softmax_net().forward(np.ones(7))


@pytest.mark.parametrize(("call", "match"), [
    (lambda net: bpcode.weight_gradient(np.ones((3, 2)), np.ones((4, 2))),
     r"\bdelta must have shape \(3, 2\) to fit a_prev, got \(4, 2\)"),
    (lambda net: bpcode.bias_gradient(np.ones((0, 2))), r"\bdelta must not be empty"),
    (lambda net: bpcode.backpropagate_delta(np.ones((5, 2)), net.W[3], np.ones((5, 4)),
                                            np.ones((5, 4)), ACTIVATIONS["softmax"]),
     r"\bf must be elementwise"),
    (lambda net: bpcode.update(net.W, {2: net.b[2], 3: np.ones(1)}, net.W, net.b, 0.1),
     r"\bb\[3\] must have shape \(2,\)"),
    (lambda net: bpcode.update(net.W, net.b, {2: net.W[2]}, net.b, 0.1),
     r"\bdW must have the layer keys \[2, 3\] to match W, got \[2\]"),
    (lambda net: bpcode.backward(net.W, {2: np.ones((6, 4))}, {1: X}, np.ones((6, 2)),
                                 net.hidden, net.output, net.cost),
     r"\bz must have the layer keys \[2, 3\]"),
    (lambda net: bpcode.output_delta("quadratic", net.output, X, X, X),
     r"\bcost must be a cost, an entry of bpcode\.COSTS"),
    (lambda net: bpcode.layer_norms({2: np.ones((3, 4))}, {3: np.ones((6, 4))}),
     r"\bdW and delta must have the same layer numbers"),
    (lambda net: bpcode.relative_error([1.0, 2.0], [1.0]),
     r"\banalytic and numeric must have the same shape"),
    (lambda net: bpcode.relative_error([1.0, np.nan], [1.0, 2.0]), r"\banalytic must be finite"),
], ids=["weight_gradient", "bias_gradient", "backpropagate_delta", "update-b", "update-dW",
        "backward", "output_delta", "layer_norms", "relative_error", "relative_error-nan"])
def test_equation_functions_check_their_arguments(call, match):
    with pytest.raises((TypeError, ValueError), match=match):
        call(softmax_net())


def test_equation_functions_raise_on_overflow_without_warnings(no_warnings):
    big = np.full((3, 2), 1e200)
    with pytest.raises(NonFiniteError, match=r"weight_gradient: dW is not finite"):
        bpcode.weight_gradient(big, big)
