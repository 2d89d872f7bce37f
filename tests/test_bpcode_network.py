"""The network, its activations and its costs, checked exactly.

A mutation run (tests/mutation.md) showed what the other tests let through;
this file checks, in float64 unless said otherwise:

* ``Network``: its repr, its default arguments, the whole message of every
  check of its constructor and of its entry points (each names the argument
  and what was given), the dtype it keeps, the generator it leaves as it was
  when it refuses, and which non-finite value it reports first;
* every activation's f and f' at chosen z (ReLU's f'(0) = 0 included), the
  vector-Jacobian products (f'(z) ∘ g for the elementwise ones, Jᵀg for
  softmax against its Jacobian J_jk = a_j (δ_jk - a_k));
* every cost's C_x and ∂C_x/∂a^L, the pairs for which BP1 simplifies to
  δ^L = a^L - t, BP1 for the pairs that do not simplify, and the tolerance on
  the row sums of cross-entropy targets at its boundary;
* accuracy with one output, where y and t are both read as class 1 above 1/2.
"""

import math

import numpy as np
import pytest

import bpcode
from bpcode import ACTIVATIONS, COSTS, INITS, Network, NonFiniteError
from bpcode.costs import Cost

EPS32 = float(np.finfo(np.float32).eps)


def params(net):
    return ({l: w.copy() for l, w in net.W.items()}, {l: v.copy() for l, v in net.b.items()})


def assert_params_equal(net, W, b):
    assert sorted(net.W) == sorted(W) and sorted(net.b) == sorted(b)
    for l in W:
        assert net.W[l].dtype == W[l].dtype and np.array_equal(net.W[l], W[l])
        assert net.b[l].dtype == b[l].dtype and np.array_equal(net.b[l], b[l])


# ------------------------------------------------------------------ repr and defaults


@pytest.mark.parametrize(("kwargs", "text"), [
    ({"sizes": [2, 3, 1]},
     "Network([2, 3, 1], hidden='sigmoid', output='sigmoid', cost='quadratic', "
     "dtype='float64')"),
    ({"sizes": (4, 2), "hidden": "relu", "output": "softmax", "cost": "cross_entropy",
      "dtype": "float32"},
     "Network([4, 2], hidden='relu', output='softmax', cost='cross_entropy', "
     "dtype='float32')"),
    ({"sizes": [3, 1], "hidden": "tanh", "output": "identity", "dtype": np.float32},
     "Network([3, 1], hidden='tanh', output='identity', cost='quadratic', dtype='float32')"),
])
def test_repr_names_the_sizes_activations_cost_and_dtype(kwargs, text):
    """The defaults are sigmoid, sigmoid, quadratic, float64; a numpy dtype is named."""
    net = Network(seed=0, **kwargs)
    assert repr(net) == text
    assert net.W[2].dtype == np.dtype(text.rsplit("'", 2)[1])


def test_default_initialisation_is_normal_with_std_1_and_gain_1():
    net = Network([3, 4, 2], seed=0)
    same = Network([3, 4, 2], init="normal", std=1.0, gain=1.0, seed=0)
    assert_params_equal(net, *params(same))
    twice = Network([3, 4, 2], std=2.0, seed=0)
    assert np.array_equal(twice.W[2], 2 * net.W[2])


@pytest.mark.parametrize("kwargs", [{"std": 0.5}, {"gain": 0.5}, {"std": 1e-300, "gain": 1e-8}])
def test_any_positive_std_and_gain_are_accepted(kwargs):
    net = Network([2, 2], seed=0, **kwargs)
    scale = kwargs.get("std", 1.0) * kwargs.get("gain", 1.0)
    assert np.array_equal(net.W[2], Network([2, 2], seed=0).W[2] * scale)


# ------------------------------------------------------------------ the constructor's checks

ACTIVATION_NAMES = ['identity', 'relu', 'sigmoid', 'softmax', 'tanh']


@pytest.mark.parametrize(("kwargs", "exc", "message"), [
    ({"sizes": "ab"}, TypeError, "sizes must be a sequence of layer sizes, got 'ab'"),
    ({"sizes": b"ab"}, TypeError, "sizes must be a sequence of layer sizes, got b'ab'"),
    ({"sizes": 3}, TypeError, "sizes must be a sequence of layer sizes, got 3"),
    ({"sizes": [2]}, ValueError, "sizes must list at least 2 layers (input and output), got [2]"),
    ({"sizes": (2, 0)}, ValueError, "sizes[1] must be >= 1, got 0"),
    ({"sizes": [2, 3, 1.5]}, TypeError, "sizes[2] must be an integer, got 1.5"),
    ({"hidden": "softmax"}, ValueError,
     "hidden activation 'softmax' is for the output layer only: expected one of "
     "['identity', 'relu', 'sigmoid', 'tanh']"),
    ({"hidden": "step"}, ValueError,
     f"unknown hidden activation 'step': expected one of {ACTIVATION_NAMES}"),
    ({"hidden": None}, TypeError, "hidden activation must be a name (str), got None"),
    ({"output": "step"}, ValueError,
     f"unknown output activation 'step': expected one of {ACTIVATION_NAMES}"),
    ({"cost": "hinge"}, ValueError,
     "unknown cost 'hinge': expected one of ['binary_cross_entropy', 'cross_entropy', "
     "'quadratic']"),
    ({"cost": "cross_entropy"}, ValueError,
     "cost 'cross_entropy' needs output activation 'softmax', got 'sigmoid'"),
    ({"cost": "binary_cross_entropy", "output": "identity"}, ValueError,
     "cost 'binary_cross_entropy' needs output activation 'sigmoid', got 'identity'"),
    ({"init": "zeros"}, ValueError,
     "unknown init 'zeros': expected one of ['he', 'normal', 'xavier_normal', "
     "'xavier_uniform']"),
    ({"std": 0}, ValueError, "std must be > 0, got 0.0"),
    ({"std": "1"}, TypeError, "std must be a real number, got '1'"),
    ({"gain": 0.0}, ValueError, "gain must be > 0, got 0.0"),
    ({"gain": math.inf}, ValueError, "gain must be finite, got inf"),
    ({"dtype": "float16"}, ValueError,
     "unknown dtype 'float16': expected one of ['float32', 'float64']"),
    ({"dtype": np.float16}, ValueError,
     "unknown dtype 'float16': expected one of ['float32', 'float64']"),
    ({"dtype": [1]}, TypeError, "dtype must be 'float64' or 'float32', got [1]"),
    ({"std": 1e300, "gain": 1e10}, ValueError,
     "std=1e+300 and gain=10000000000.0 give initial parameters beyond the range of float64 "
     "(largest magnitude 1.798e+308): choose a smaller std or gain"),
    ({"std": 1e20, "gain": 1e20, "dtype": "float32"}, ValueError,
     "std=1e+20 and gain=1e+20 give initial parameters beyond the range of float32 "
     "(largest magnitude 3.403e+38): choose a smaller std or gain"),
    # Under "he" the biases are 0, finite: the weights alone are beyond float32.
    ({"init": "he", "gain": 1e300, "dtype": "float32"}, ValueError,
     "std=1.0 and gain=1e+300 give initial parameters beyond the range of float32 "
     "(largest magnitude 3.403e+38): choose a smaller std or gain"),
])
def test_constructor_messages_name_the_argument_and_the_value(kwargs, exc, message):
    kwargs = {"sizes": [2, 3, 1], **kwargs}
    with pytest.raises(exc) as info:
        Network(**kwargs)
    assert type(info.value) is exc and str(info.value) == message


@pytest.mark.parametrize(("dtype", "gib"), [("float64", "1.49e+04"), ("float32", "7.45e+03")])
def test_sizes_beyond_memory_are_named_in_the_message(dtype, gib):
    """The memory needed is counted in the network's dtype."""
    with pytest.raises(ValueError) as info:
        Network([1_000_000] * 3, dtype=dtype)
    assert str(info.value).startswith("sizes [1000000, 1000000, 1000000] give 2e+12 parameters, "
                                      f"{gib} GiB in {dtype}, more than this machine's memory (")


def test_cost_that_accepts_several_outputs_lists_them_all(monkeypatch):
    """The message joins the accepted outputs with "or" (every cost in COSTS accepts one)."""
    monkeypatch.setitem(COSTS, "bounded", Cost(
        "bounded", bpcode.costs.quadratic, bpcode.costs.quadratic_derivative,
        simplified=frozenset(), outputs=frozenset({"tanh", "sigmoid"}), target_range=(-1, 1)))
    with pytest.raises(ValueError) as info:
        Network([2, 1], output="relu", cost="bounded")
    assert str(info.value) == ("cost 'bounded' needs output activation 'sigmoid or tanh', "
                               "got 'relu'")
    assert repr(Network([2, 1], output="tanh", cost="bounded")) == (
        "Network([2, 1], hidden='sigmoid', output='tanh', cost='bounded', dtype='float64')")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"std": 1e300, "gain": 1e10},
     "std=1e+300 and gain=10000000000.0 give initial parameters beyond the range of float64 "
     "(largest magnitude 1.798e+308): choose a smaller std or gain"),
    ({"init": "greedy"}, "sizes [2, 3, 1] need more memory than is available"),
])
def test_a_refused_network_leaves_the_generator_it_was_given_as_it_was(monkeypatch, kwargs,
                                                                        message):
    """Whether the parameters overflow or their allocation fails (simulated by a
    scheme that draws and then runs out of memory), the generator has not moved."""
    def greedy(rng, fan_in, fan_out, std):
        rng.standard_normal((fan_in, fan_out))
        raise MemoryError

    monkeypatch.setitem(INITS, "greedy", greedy)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError) as info:
        Network([2, 3, 1], seed=rng, **kwargs)
    assert str(info.value) == message
    assert rng.random() == np.random.default_rng(0).random()


# ------------------------------------------------------------------ the entry points' checks


def net_3_4_2(dtype="float64"):
    return Network([3, 4, 2], seed=0, dtype=dtype)


ENTRY_POINTS = {
    "forward": lambda net, x, t: net.forward(x),
    "predict": lambda net, x, t: net.predict(x),
    "loss": lambda net, x, t: net.loss(x, t),
    "backward": lambda net, x, t: net.backward(x, t),
    "accuracy": lambda net, x, t: net.accuracy(x, t),
    "check_batch": lambda net, x, t: net.check_batch(x, t),
}


@pytest.mark.parametrize("call", list(ENTRY_POINTS))
def test_x_of_the_wrong_width_is_named_x(call):
    with pytest.raises(ValueError) as info:
        ENTRY_POINTS[call](net_3_4_2(), np.ones((2, 4)), np.zeros((2, 2)))
    assert str(info.value) == "x must have 3 columns (shape (n, 3) or (3,)), got shape (2, 4)"


@pytest.mark.parametrize("call", ["loss", "backward", "accuracy", "check_batch"])
@pytest.mark.parametrize(("t", "message"), [
    (np.zeros((2, 4)), "t must have 2 columns (shape (n, 2) or (2,)), got shape (2, 4)"),
    ([0.0, 1.0], "t must have one row per row of x: expected shape (5, 2), got shape (2,)"),
    (np.zeros((3, 2)), "t must have one row per row of x: expected shape (5, 2), got shape (3, 2)"),
    ([[0.0, math.nan]] * 5, "t must be finite, got nan at index (0, 1)"),
])
def test_t_that_does_not_fit_is_named_t(call, t, message):
    """x has 5 rows of 3 inputs and the network 2 outputs: no size is another's."""
    with pytest.raises(ValueError) as info:
        ENTRY_POINTS[call](net_3_4_2(), np.ones((5, 3)), t)
    assert str(info.value) == message


def test_check_batch_returns_matrices_of_the_networks_dtype():
    """One row of 3 inputs, 2 targets: shapes (1, 3) and (1, 2), in float32."""
    x, t = net_3_4_2("float32").check_batch([1, 2, 3], [0.5, 2.0])
    assert x.dtype == t.dtype == np.float32
    np.testing.assert_array_equal(x, [[1, 2, 3]])
    np.testing.assert_array_equal(t, [[0.5, 2.0]])


def test_allow_overflow_must_be_a_boolean():
    with pytest.raises(TypeError) as info:
        net_3_4_2().backward(np.ones((2, 3)), np.zeros((2, 2)), allow_overflow="yes")
    assert str(info.value) == "allow_overflow must be True or False, got 'yes'"


@pytest.mark.parametrize(("W", "b", "exc", "message"), [
    ({1: 0, 2: 0}, {2: 0, 3: 0}, ValueError, "W must have the layer keys [2, 3], got [1, 2]"),
    ({2: np.zeros((3, 4)), 3: np.zeros((4, 2))}, [np.zeros(4)], ValueError,
     "b must hold 2 arrays (layers 2..3), got 1"),
    ((np.zeros((3, 4)), np.zeros((4, 2))), "b", TypeError,
     "b must be a dict keyed by layer or a list, got str"),
    ([np.zeros((3, 4)), np.zeros((2, 4))], [np.zeros(4), np.zeros(2)], ValueError,
     "W[3] must have shape (4, 2), got (2, 4)"),
    ([np.zeros((4, 3)), np.zeros((4, 2))], [np.zeros(4), np.zeros(2)], ValueError,
     "W[2] must have shape (3, 4), got (4, 3)"),
    ([np.zeros((3, 4)), np.zeros((4, 2))], [np.zeros(3), np.zeros(2)], ValueError,
     "b[2] must have shape (4,), got (3,)"),
    ([np.zeros((3, 4)), np.zeros((4, 2))], [np.zeros(4), np.zeros((2, 1))], ValueError,
     "b[3] must have shape (2,), got (2, 1)"),
    ([np.zeros((3, 4)), np.zeros((4, 2))], [np.zeros(4), [0.0, math.inf]], ValueError,
     "b[3] must be finite, got inf at index (1,)"),
])
def test_set_parameters_messages_name_the_layer_and_leave_the_network_unchanged(W, b, exc,
                                                                               message):
    net = net_3_4_2()
    before = params(net)
    with pytest.raises(exc) as info:
        net.set_parameters(W, b)
    assert type(info.value) is exc and str(info.value) == message
    assert_params_equal(net, *before)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_set_parameters_keeps_the_networks_dtype_and_copies(dtype):
    net = Network([3, 4, 2], seed=0, dtype=dtype)
    W = [np.arange(12.0).reshape(3, 4), np.arange(8).reshape(4, 2)]
    b = [np.full(4, 0.5), np.array([1, -1])]
    net.set_parameters(W, b)
    for l, (w, v) in enumerate(zip(W, b, strict=True), start=2):
        assert net.W[l].dtype == net.b[l].dtype == np.dtype(dtype)
        np.testing.assert_array_equal(net.W[l], w)
        np.testing.assert_array_equal(net.b[l], v)
    W[0][0, 0] = 99.0
    assert net.W[2][0, 0] == 0.0


def test_copy_is_independent_and_alike():
    net = Network([3, 4, 2], hidden="relu", output="identity", seed=0, dtype="float32")
    twin = net.copy()
    assert type(twin) is Network and repr(twin) == repr(net)
    assert_params_equal(twin, *params(net))
    twin.W[2][0, 0] += 1.0
    twin.b[3][0] += 1.0
    assert net.W[2][0, 0] != twin.W[2][0, 0] and net.b[3][0] != twin.b[3][0]


def test_forward_uses_hidden_f_in_hidden_layers_and_output_f_in_layer_L(no_warnings):
    """tanh in layers 2 and 3, softmax in layer 4: z^l = a^(l-1) W^l + b^l, a^l = f(z^l)."""
    net = Network([3, 4, 3, 2], hidden="tanh", output="softmax", cost="cross_entropy", seed=0)
    x = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5]])
    out = net.forward(x)
    a = {1: x}
    for l in (2, 3, 4):
        z = a[l - 1] @ net.W[l] + net.b[l]
        np.testing.assert_array_equal(out.z[l], z)
        a[l] = np.tanh(z) if l < 4 else np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        np.testing.assert_allclose(out.a[l], a[l], rtol=1e-15)
    assert sorted(out.z) == [2, 3, 4] and sorted(out.a) == [1, 2, 3, 4]
    assert out.a[1] is not None and np.array_equal(out.a[1], x)
    np.testing.assert_array_equal(out.y, out.a[4])
    np.testing.assert_array_equal(net.predict(x), out.y)


# ------------------------------------------------------------------ non-finite values


def test_overflow_message_names_the_quantity_layer_and_dtype(no_warnings):
    """z^2 of a float32 network overflows: the message gives float32's range."""
    net = Network([1, 1, 1], seed=0, dtype="float32")
    net.set_parameters([[[1e30]], [[1.0]]], [[0.0], [0.0]])
    with pytest.raises(NonFiniteError) as info:
        net.forward([[1e10]])
    assert info.value.layer == 2
    assert str(info.value) == (
        "z^2 is not finite in layer 2: the values overflow the range of float32 (largest "
        "magnitude 3.403e+38) although the inputs and every parameter are finite (weights "
        "or inputs too large?)")


def relu_chain():
    """A 1-1-1-1 ReLU network whose z and cost are finite but whose δ^3 = δ^4 w^4
    overflows (δ^4 = 10, w^4 = 1e308), and δ^2 = δ^3 w^3 with it."""
    net = Network([1, 1, 1, 1], hidden="relu", output="identity", seed=0)
    net.set_parameters([[[1.0]], [[1e-300]], [[1e308]]], [[0.0], [0.0], [0.0]])
    x, t = [[1.0]], [[1e8 - 10]]  # z^2 = 1, z^3 = 1e-300, z^4 = 1e8
    return net, x, t


def test_the_first_non_finite_delta_reported_is_the_one_backpropagation_reaches_first(
        no_warnings):
    net, x, t = relu_chain()
    assert net.loss(x, t) == pytest.approx(50.0)
    with pytest.raises(NonFiniteError) as info:
        net.backward(x, t)
    assert info.value.layer == 3
    assert str(info.value).startswith("δ^3 is not finite in layer 3: ")
    grads = net.backward(x, t, allow_overflow=True)
    assert grads.delta[4][0, 0] == pytest.approx(10.0) and grads.loss == pytest.approx(50.0)
    assert np.isinf(grads.delta[3][0, 0]) and np.isinf(grads.delta[2][0, 0])


def test_the_first_non_finite_gradient_reported_is_that_of_the_last_layer(no_warnings):
    """z, the cost and every δ are finite, but ∂C/∂W^l = a^(l-1) δ^l overflows in
    layers 3 and 2: a^1 = 1e300, a^2 = 1e200, δ^3 ≈ 1e150 and δ^2 ≈ 1e50."""
    net = Network([1, 1, 1], hidden="identity", output="identity", seed=0)
    net.set_parameters([[[1e-100]], [[1e-100]]], [[0.0], [0.0]])
    x, t = [[1e300]], [[-1e150]]  # z^3 = 1e100
    with pytest.raises(NonFiniteError) as info:
        net.backward(x, t)
    assert info.value.layer == 3
    assert str(info.value).startswith("∂C/∂W^3 is not finite in layer 3: ")
    grads = net.backward(x, t, allow_overflow=True)
    assert grads.delta[3][0, 0] == pytest.approx(1e150) and np.isfinite(grads.loss)
    assert grads.delta[2][0, 0] == pytest.approx(1e50)
    assert np.isinf(grads.dW[3]).all() and np.isinf(grads.dW[2]).all()


@pytest.mark.parametrize(("output", "cost"), [("sigmoid", "binary_cross_entropy"),
                                              ("softmax", "cross_entropy")])
def test_loss_is_the_mean_of_the_costs_computed_from_z(output, cost, no_warnings):
    net = Network([3, 2], output=output, cost=cost, seed=0)
    x = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -0.5], [3.0, 1.0, 1.0]])
    t = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]])
    out = net.forward(x)
    costs = COSTS[cost].value(out.z[2], out.a[2], t)
    assert net.loss(x, t) == float(costs.mean()) == net.backward(x, t).loss


@pytest.mark.parametrize("call", ["loss", "backward"])
def test_a_cost_that_overflows_is_reported(call, no_warnings):
    """z^2 = 1e200 is finite, ½ (z^2 - t)² with t = -1e200 is not."""
    net = Network([1, 1], output="identity", seed=0)
    net.set_parameters([[[1.0]]], [[0.0]])
    with pytest.raises(NonFiniteError) as info:
        ENTRY_POINTS[call](net, [[1e200]], [[-1e200]])
    assert info.value.layer == 2
    assert str(info.value) == (
        "the cost (inf) is not finite in layer 2: the values overflow the range of float64 "
        "(largest magnitude 1.798e+308) although the inputs and every parameter are finite "
        "(weights or inputs too large?)")


def test_a_parameter_set_in_place_to_nan_is_named_before_any_overflow():
    net = net_3_4_2()
    net.b[2][1] = np.nan
    with pytest.raises(ValueError) as info:
        net.forward(np.ones((1, 3)))
    assert type(info.value) is ValueError
    assert str(info.value) == ("W[2] or b[2] is not finite: every parameter must be finite "
                               "(set_parameters checks them)")


# ------------------------------------------------------------------ activations

Z = np.array([[-2.0, -0.5, 0.0, 0.5, 2.0],
              [3.0, -3.0, 1e-3, -1e-3, 0.25]])


def test_each_activation_is_named_by_its_key_and_only_softmax_is_output_only():
    assert {name: (act.name, act.hidden) for name, act in ACTIVATIONS.items()} == {
        "sigmoid": ("sigmoid", True), "tanh": ("tanh", True), "relu": ("relu", True),
        "identity": ("identity", True), "softmax": ("softmax", False)}
    assert ACTIVATIONS["softmax"].prime is None


def test_sigmoid_and_its_derivative_at_chosen_z(no_warnings):
    sigmoid = ACTIVATIONS["sigmoid"]
    a = sigmoid.f(Z)
    expected = [[1 / (1 + math.exp(-z)) for z in row] for row in Z]
    np.testing.assert_allclose(a, expected, rtol=2e-16, atol=0)
    assert a[0, 2] == 0.5 and sigmoid.prime(Z, a)[0, 2] == 0.25
    np.testing.assert_array_equal(sigmoid.prime(Z, a), a * (1 - a))


def test_tanh_and_its_derivative_at_chosen_z(no_warnings):
    tanh = ACTIVATIONS["tanh"]
    a = tanh.f(Z)
    np.testing.assert_array_equal(a, np.tanh(Z))
    np.testing.assert_array_equal(tanh.prime(Z, a), 1 - a * a)
    assert tanh.prime(np.zeros((1, 1)), np.zeros((1, 1)))[0, 0] == 1.0
    assert tanh.prime(Z, np.full_like(Z, 0.5))[0, 0] == 0.75


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_relu_and_its_derivative_with_f_prime_of_0_equal_to_0(dtype, no_warnings):
    relu = ACTIVATIONS["relu"]
    z = Z.astype(dtype)
    a = relu.f(z)
    np.testing.assert_array_equal(a, [[0, 0, 0, 0.5, 2], [3, 0, dtype(1e-3), 0, 0.25]])
    prime = relu.prime(z, a)
    assert a.dtype == prime.dtype == dtype
    np.testing.assert_array_equal(prime, [[0, 0, 0, 1, 1], [1, 0, 1, 0, 1]])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_identity_is_a_copy_and_its_derivative_is_one(dtype, no_warnings):
    identity = ACTIVATIONS["identity"]
    z = Z.astype(dtype)
    a = identity.f(z)
    assert a is not z and a.dtype == dtype
    np.testing.assert_array_equal(a, z)
    prime = identity.prime(z, a)
    assert prime.dtype == dtype
    np.testing.assert_array_equal(prime, np.ones_like(z))


def test_softmax_at_chosen_z(no_warnings):
    """Rows are independent: shift-free row 2 is [1, 2, 3]/6 next to a row of
    huge logits; three rows of two outputs catch sums or maxima over the wrong axis."""
    softmax = ACTIVATIONS["softmax"].f
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, math.log(2), math.log(3)]])
    np.testing.assert_allclose(softmax(z), [[1, 0, 0], [1 / 6, 2 / 6, 3 / 6]], rtol=1e-15,
                               atol=0)
    z = np.array([[0.0, 0.0], [math.log(3), 0.0], [5.0, 5.0 + math.log(4)]])
    np.testing.assert_allclose(softmax(z), [[0.5, 0.5], [0.75, 0.25], [0.2, 0.8]], rtol=1e-15)
    one_row = np.array([[0.0, math.log(3)]])
    np.testing.assert_allclose(softmax(one_row), [[0.25, 0.75]], rtol=1e-15)


@pytest.mark.parametrize("shape", [(2, 3), (3, 3), (1, 4), (4, 2)])
def test_softmax_vjp_is_the_transposed_jacobian_times_g(shape, no_warnings):
    """Jᵀg with J_jk = ∂a_j/∂z_k = a_j (δ_jk - a_k), built row by row."""
    rng = np.random.default_rng(0)
    z, g = rng.normal(size=shape), rng.normal(size=shape)
    softmax = ACTIVATIONS["softmax"]
    a = softmax.f(z)
    expected = np.array([(np.diag(row) - np.outer(row, row)).T @ gi for row, gi in zip(a, g,
                                                                                        strict=True)])
    np.testing.assert_allclose(softmax.vjp(z, a, g), expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity"])
def test_elementwise_vjp_is_f_prime_times_g(name, no_warnings):
    act = ACTIVATIONS[name]
    g = np.arange(1.0, 11.0).reshape(Z.shape) * np.array([1, -1, 1, -1, 1])
    a = act.f(Z)
    vjp = act.vjp(Z, a, g)
    assert vjp.dtype == np.float64
    np.testing.assert_array_equal(vjp, act.prime(Z, a) * g)


# ------------------------------------------------------------------ costs

A = np.array([[0.25, 0.5, 0.75], [0.9, 0.05, 0.05]])
T = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])


def test_each_cost_is_named_by_its_key_with_its_pairs_and_target_range():
    assert {name: (c.name, c.simplified, c.outputs, c.target_range, c.distributions)
            for name, c in COSTS.items()} == {
        "quadratic": ("quadratic", {"identity"}, None, (None, None), False),
        "binary_cross_entropy": ("binary_cross_entropy", {"sigmoid"}, {"sigmoid"}, (0, 1), False),
        "cross_entropy": ("cross_entropy", {"softmax"}, {"softmax"}, (0, 1), True),
    }


def test_quadratic_cost_and_its_derivative(no_warnings):
    quadratic = COSTS["quadratic"]
    t = np.array([[1.0, -2.0, 0.0], [0.5, 0.5, 3.0]])
    np.testing.assert_array_equal(quadratic.value(None, A, t),
                                  [0.5 * (0.75**2 + 2.5**2 + 0.75**2),
                                   0.5 * (0.4**2 + 0.45**2 + 2.95**2)])
    np.testing.assert_array_equal(quadratic.derivative(A, t), A - t)
    assert quadratic.derivative(A, t)[0, 1] == 2.5


def test_binary_cross_entropy_and_its_derivative(no_warnings):
    bce = COSTS["binary_cross_entropy"]
    z = np.array([[-1.0, 0.0, 2.0], [30.0, -30.0, 0.5]])
    t = np.array([[0.0, 1.0, 0.25], [1.0, 0.0, 0.75]])
    a = ACTIVATIONS["sigmoid"].f(z)
    expected = [-sum(tj * math.log(aj) + (1 - tj) * math.log1p(-aj)
                     for aj, tj in zip(a_row, t_row, strict=True))
                for a_row, t_row in zip(a, t, strict=True)]
    np.testing.assert_allclose(bce.value(z, a, t), expected, rtol=1e-13)
    # At z = 0, ln 2 from either side; softplus(0) = ln 2 exactly.
    assert bce.value(np.zeros((1, 1)), np.full((1, 1), 0.5), np.array([[0.3]]))[0] == math.log(2)
    np.testing.assert_allclose(bce.derivative(A, T), (A - T) / (A * (1 - A)), rtol=1e-15)
    assert bce.derivative(np.array([[0.25]]), np.array([[1.0]]))[0, 0] == -4.0


def test_cross_entropy_and_its_derivative(no_warnings):
    ce = COSTS["cross_entropy"]
    """Each row is shifted by its own largest z: the huge logits of the last row
    neither overflow nor take the others' exp down to 0."""
    z = np.array([[0.0, math.log(2), math.log(3)], [5.0, 1.0, -2.0], [1.0, 1.0, 1.0],
                  [1000.0, 0.0, -1000.0]])
    t = np.array([[0.0, 0.0, 1.0], [0.5, 0.25, 0.25], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    a = ACTIVATIONS["softmax"].f(z)
    log_sum = math.log(math.exp(5) + math.exp(1) + math.exp(-2))
    expected = [math.log(2), -(0.5 * (5 - log_sum) + 0.25 * (1 - log_sum)
                               + 0.25 * (-2 - log_sum)), math.log(3), 2000.0]
    np.testing.assert_allclose(ce.value(z, a, t), expected, rtol=1e-15)
    np.testing.assert_array_equal(ce.derivative(A, T), -T / A)
    assert ce.derivative(np.array([[0.25]]), np.array([[0.5]]))[0, 0] == -2.0


@pytest.mark.parametrize(("output", "cost"), [("identity", "quadratic"),
                                              ("sigmoid", "binary_cross_entropy"),
                                              ("softmax", "cross_entropy")])
def test_simplified_bp1_equals_the_general_product(output, cost, no_warnings):
    """For each simplified pair, f'(z^L) applied to ∂C_x/∂a^L (through vjp) is a^L - t,
    which is what output_delta returns."""
    z = np.array([[0.5, -1.0, 2.0], [-0.25, 0.0, 1.5]])
    t = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]])
    f, c = ACTIVATIONS[output], COSTS[cost]
    a = f.f(z)
    np.testing.assert_allclose(f.vjp(z, a, c.derivative(a, t)), a - t, rtol=1e-13, atol=1e-15)
    np.testing.assert_array_equal(bpcode.output_delta(c, f, z, a, t), a - t)


@pytest.mark.parametrize("output", ["relu", "tanh", "sigmoid"])
def test_bp1_for_a_pair_that_does_not_simplify(output, no_warnings):
    """Quadratic cost, non-identity output: δ^L = (a^L - t) ∘ f'(z^L), with z^L of
    both signs (ReLU's f' is 0 for the negative ones)."""
    net = Network([2, 3], output=output, seed=0)
    net.set_parameters([[[1.0, -1.0, 0.5], [0.5, 2.0, -1.0]]], [[0.0, 0.1, -0.2]])
    x = np.array([[1.0, 0.5], [-1.0, 0.25]])
    t = np.array([[0.5, 1.0, -1.0], [0.0, 0.25, 2.0]])
    grads = net.backward(x, t)
    z = x @ net.W[2] + net.b[2]
    f = ACTIVATIONS[output]
    a = f.f(z)
    np.testing.assert_array_equal(grads.z[2], z)
    np.testing.assert_array_equal(grads.delta[2], (a - t) * f.prime(z, a))
    if output == "relu":
        assert (grads.delta[2][z < 0] == 0).all() and (z < 0).any() and (z > 0).any()


# ------------------------------------------------------------------ cross-entropy targets


def softmax_net(dtype="float64", outputs=2):
    return Network([1, outputs], output="softmax", cost="cross_entropy", seed=0, dtype=dtype)


def target_rows(outputs, excesses):
    """One-hot rows of class 0, each but the first off by ``excess`` ε₃₂ in its sum."""
    t = np.zeros((len(excesses) + 1, outputs))
    t[:, 0] = 1.0
    for row, excess in enumerate(excesses, start=1):
        if excess > 0:
            t[row, 1] = excess * EPS32
        else:
            t[row, 0] = 1.0 + excess * EPS32
    return t


@pytest.mark.parametrize(("outputs", "excess"), [(2, 8), (3, 12), (2, -8), (4, 16)])
def test_row_sums_within_4_m_float32_eps_of_1_are_accepted(outputs, excess):
    """The tolerance is 4 M_L ε₃₂ (ε₃₂ = 2^-23), boundary included."""
    t = target_rows(outputs, [excess])
    assert abs(t[1].sum() - 1) == 4 * outputs * EPS32
    x, checked = softmax_net(outputs=outputs).check_batch(np.zeros((2, 1)), t)
    np.testing.assert_array_equal(checked, t)


@pytest.mark.parametrize(("outputs", "excess"), [(2, 9), (3, 13), (2, -9)])
def test_row_sums_beyond_4_m_float32_eps_are_refused_naming_the_first_row(outputs, excess):
    t = target_rows(outputs, [0, excess, excess])  # rows 2 and 3 are off; 2 is reported
    t[0] = 1 / outputs
    with pytest.raises(ValueError) as info:
        softmax_net(outputs=outputs).check_batch(np.zeros((4, 1)), t)
    assert str(info.value) == (
        "each row of t must sum to 1 (a probability distribution over the classes) for the "
        f"cross_entropy cost, got a row sum of {1 + excess * EPS32!r} in row 2")


def test_float32_row_sums_are_added_in_float64():
    """0.5 + 9·2^-24 and 0.5 + 8·2^-24 are float32 numbers whose sum, 1 + 8.5·2^-23, is
    beyond the tolerance 8·2^-23, but which float32 addition rounds (to even) onto it."""
    t = np.array([[0.5 + 9 * 2.0**-24, 0.5 + 8 * 2.0**-24]], dtype=np.float32)
    assert abs(float(t.sum(dtype=np.float32)) - 1) == 8 * EPS32
    with pytest.raises(ValueError) as info:
        softmax_net("float32").check_batch(np.zeros((1, 1)), t)
    assert str(info.value).endswith(f"got a row sum of {1 + 8.5 * EPS32!r} in row 0")


@pytest.mark.parametrize(("cost", "output"), [("binary_cross_entropy", "sigmoid"),
                                              ("cross_entropy", "softmax")])
@pytest.mark.parametrize(("t", "shown"), [([[1.0, 0.0], [0.0, 1.5]], "[0.0, 1.5]"),
                                          ([[1.25, -0.25], [0.0, 1.0]], "[-0.25, 1.25]"),
                                          ([[-0.5, 1.5], [0.5, 0.5]], "[-0.5, 1.5]")])
def test_targets_outside_0_1_are_refused_giving_their_range(cost, output, t, shown):
    net = Network([1, 2], output=output, cost=cost, seed=0)
    with pytest.raises(ValueError) as info:
        net.loss(np.zeros((2, 1)), t)
    assert str(info.value) == f"t must lie in [0, 1] for the {cost} cost, got values in {shown}"


@pytest.mark.parametrize(("cost", "output"), [("binary_cross_entropy", "sigmoid"),
                                              ("cross_entropy", "softmax")])
def test_targets_of_exactly_0_and_1_are_accepted(cost, output):
    net = Network([1, 2], output=output, cost=cost, seed=0)
    x, t = net.check_batch(np.zeros((2, 1)), [[0.0, 1.0], [1.0, 0.0]])
    np.testing.assert_array_equal(t, [[0.0, 1.0], [1.0, 0.0]])


# ------------------------------------------------------------------ accuracy


def test_accuracy_reads_a_target_of_exactly_one_half_as_class_0():
    """y > 1/2 is class 1, and so is t > 1/2: a target of 1/2 is class 0, like y = 1/2."""
    net = Network([2, 1], seed=0)
    net.set_parameters({2: np.zeros((2, 1))}, {2: np.full(1, 1e-12)})  # y just above 1/2
    assert net.accuracy(np.ones((2, 2)), [[0.5], [1.0]]) == 0.5
    net.set_parameters({2: np.zeros((2, 1))}, {2: np.zeros(1)})  # y = 1/2 exactly
    assert net.accuracy(np.ones((2, 2)), [[0.5], [1.0]]) == 0.5
    assert net.accuracy(np.ones((3, 2)), [[0.5], [0.0], [0.25]]) == 1.0
