"""Bad input: every public entry point raises ValueError or TypeError with a
message that names the offending argument, and the network's parameters are
bit-identical afterwards."""

import re

import numpy as np
import pytest

import bpcode
from bpcode import Network, check_gradients, gradient_norms, saturation, sgd


def snapshot(net):
    return ({l: w.copy() for l, w in net.W.items()}, {l: v.copy() for l, v in net.b.items()})


def assert_unchanged(net, snap):
    W, b = snap
    assert sorted(net.W) == sorted(W) and sorted(net.b) == sorted(b)
    for l in W:
        assert net.W[l].dtype == W[l].dtype and net.b[l].dtype == b[l].dtype
        assert np.array_equal(net.W[l], W[l]) and np.array_equal(net.b[l], b[l])


def raises_and_unchanged(net, exc, match, call):
    snap = snapshot(net)
    with pytest.raises(exc, match=match):
        call()
    assert_unchanged(net, snap)


X = np.array([[0.1, 0.2], [0.3, -0.4], [1.0, 0.0], [0.5, 0.5]])
T = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]])


@pytest.fixture
def net():
    return Network([2, 3, 2], seed=0)


# ------------------------------------------------------------ x and t


X_CASES = {
    "width": (np.ones((4, 3)), ValueError, r"\bx must have 2 columns"),
    "width_1d": (np.ones(3), ValueError, r"\bx must have 2 columns"),
    "3d": (np.ones((4, 2, 1)), ValueError, r"\bx must have shape"),
    "nan": (np.where(X == 0.3, np.nan, X), ValueError, r"\bx must be finite"),
    "inf": (np.where(X == 1.0, np.inf, X), ValueError, r"\bx must be finite"),
    "-inf": (np.where(X == 1.0, -np.inf, X), ValueError, r"\bx must be finite"),
    "object": (X.astype(object), TypeError, r"\bx must be a numeric array"),
    "strings": (np.array([["1", "2"]] * 4), TypeError, r"\bx must be a numeric array"),
    "bytes": (np.array([[b"1", b"2"]] * 4), TypeError, r"\bx must be a numeric array"),
    "str": ("1 2", TypeError, r"\bx must be a numeric array"),
    "none": (None, TypeError, r"\bx must be a numeric array"),
    "dicts": ([{"a": 1}, {"b": 2}], TypeError, r"\bx must be a numeric array"),
    "ragged": ([[1.0, 2.0], [3.0]], ValueError, r"\bx must be a rectangular"),
    "complex": (X.astype(complex), TypeError, r"\bx must be real"),
    "empty": (np.empty((0, 2)), ValueError, r"\bx is an empty batch"),
}

T_CASES = {
    "columns": (np.ones((4, 3)) / 3, ValueError, r"\bt must have 2 columns"),
    "rows": (T[:3], ValueError, r"\bt must have one row per row of x"),
    "rows_1d": (T[0], ValueError, r"\bt must have one row per row of x"),
    "nan": (np.where(T == 1.0, np.nan, T), ValueError, r"\bt must be finite"),
    "inf": (np.where(T == 1.0, np.inf, T), ValueError, r"\bt must be finite"),
    "object": (T.astype(object), TypeError, r"\bt must be a numeric array"),
    "strings": (T.astype(str), TypeError, r"\bt must be a numeric array"),
    "complex": (T + 1j, TypeError, r"\bt must be real"),
    "empty": (np.empty((0, 2)), ValueError, r"\bt is an empty batch"),
    "ragged": ([[1.0, 0.0], [1.0]] * 2, ValueError, r"\bt must be a rectangular"),
}

X_METHODS = {
    "forward": lambda net, x: net.forward(x),
    "predict": lambda net, x: net.predict(x),
    "saturation": lambda net, x: saturation(net, x),
}

XT_METHODS = {
    "loss": lambda net, x, t: net.loss(x, t),
    "backward": lambda net, x, t: net.backward(x, t),
    "accuracy": lambda net, x, t: net.accuracy(x, t),
    "gradient_norms": lambda net, x, t: gradient_norms(net, x, t),
    "check_gradients": lambda net, x, t: check_gradients(net, x, t),
    "numerical_parameter_gradient":
        lambda net, x, t: bpcode.numerical_parameter_gradient(net, x, t, "W", 2),
    "sgd": lambda net, x, t: sgd(net, x, t, eta=0.1, epochs=1, batch_size=2, seed=0),
}


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("method", list(X_METHODS) + list(XT_METHODS))
@pytest.mark.parametrize("case", list(X_CASES))
def test_bad_x(case, method, dtype):
    net = Network([2, 3, 2], seed=0, dtype=dtype)
    x, exc, match = X_CASES[case]
    if method in X_METHODS:
        raises_and_unchanged(net, exc, match, lambda: X_METHODS[method](net, x))
    else:
        raises_and_unchanged(net, exc, match, lambda: XT_METHODS[method](net, x, T))


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("method", list(X_METHODS) + list(XT_METHODS))
def test_x_beyond_float32_range_for_float32_network(method):
    """1e300 is finite in float64 but does not fit the network's float32: the
    message says so (not "must be finite, got inf"), and no overflow warning
    comes from the cast."""
    net = Network([2, 3, 2], seed=0, dtype="float32")
    x = np.where(X == 1.0, 1e300, X)
    match = r"\bx does not fit the network's float32 .*got 1e\+300 at index \(2, 0\)"
    if method in X_METHODS:
        raises_and_unchanged(net, ValueError, match, lambda: X_METHODS[method](net, x))
    else:
        raises_and_unchanged(net, ValueError, match, lambda: XT_METHODS[method](net, x, T))


@pytest.mark.parametrize("method", list(XT_METHODS))
@pytest.mark.parametrize("case", list(T_CASES))
def test_bad_t(case, method, net):
    t, exc, match = T_CASES[case]
    raises_and_unchanged(net, exc, match, lambda: XT_METHODS[method](net, X, t))


@pytest.mark.parametrize("method", list(XT_METHODS))
@pytest.mark.parametrize(("cost", "output", "t"), [
    ("binary_cross_entropy", "sigmoid", np.where(T == 1.0, 1.5, T)),
    ("binary_cross_entropy", "sigmoid", np.where(T == 1.0, -0.1, T)),
    ("cross_entropy", "softmax", np.where(T == 1.0, 1.0 + 1e-9, T)),
    ("cross_entropy", "softmax", np.where(T == 0.0, -0.5, T)),
])
def test_targets_outside_unit_interval_for_cross_entropies(method, cost, output, t):
    net = Network([2, 3, 2], output=output, cost=cost, seed=0)
    raises_and_unchanged(net, ValueError, rf"\bt must lie in \[0, 1\] for the {cost} cost",
                         lambda: XT_METHODS[method](net, X, t))


def test_quadratic_cost_accepts_any_real_targets(net):
    assert np.isfinite(net.loss(X, T * 5 - 2))


@pytest.mark.parametrize("method", ["gradient_norms", "check_gradients",
                                    "numerical_parameter_gradient", "sgd", "saturation"])
def test_net_must_be_a_network(method):
    call = X_METHODS.get(method)
    with pytest.raises(TypeError, match=r"\bnet must be a bpcode.Network"):
        if call is not None:
            call("not a network", X)
        else:
            XT_METHODS[method]("not a network", X, T)


# --------------------------------------------------------- Network(...)


@pytest.mark.parametrize(("sizes", "exc", "match"), [
    ([2, 0, 1], ValueError, r"sizes\[1\] must be >= 1"),
    ([2, 3, -1], ValueError, r"sizes\[2\] must be >= 1"),
    ([0, 3], ValueError, r"sizes\[0\] must be >= 1"),
    ([2, 2.5, 1], TypeError, r"sizes\[1\] must be an integer"),
    ([2, 3.0, 1], TypeError, r"sizes\[1\] must be an integer"),
    ([2, "3", 1], TypeError, r"sizes\[1\] must be an integer"),
    ([True, 3, 1], TypeError, r"sizes\[0\] must be an integer"),
    ([2, None], TypeError, r"sizes\[1\] must be an integer"),
    ([2], ValueError, r"sizes must list at least 2 layers"),
    ([], ValueError, r"sizes must list at least 2 layers"),
    ("23", TypeError, r"sizes must be a sequence"),
    (5, TypeError, r"sizes must be a sequence"),
    (None, TypeError, r"sizes must be a sequence"),
])
def test_bad_sizes(sizes, exc, match):
    with pytest.raises(exc, match=match):
        Network(sizes)


def test_numpy_integer_sizes_are_accepted():
    net = Network(np.array([2, 3, 1]), seed=0)
    assert net.sizes == (2, 3, 1) and all(type(m) is int for m in net.sizes)


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"hidden": "swish"}, ValueError, r"unknown hidden activation 'swish'"),
    ({"hidden": None}, TypeError, r"hidden activation must be a name"),
    ({"output": "swish"}, ValueError, r"unknown output activation 'swish'"),
    ({"output": 3}, TypeError, r"output activation must be a name"),
    ({"cost": "hinge"}, ValueError, r"unknown cost 'hinge'"),
    ({"cost": None}, TypeError, r"cost must be a name"),
    ({"init": "orthogonal"}, ValueError, r"unknown init 'orthogonal'"),
    ({"init": None}, TypeError, r"init must be a name"),
    ({"dtype": "float16"}, ValueError, r"unknown dtype 'float16'"),
    ({"dtype": np.float16}, ValueError, r"unknown dtype 'float16'"),
    ({"dtype": "int64"}, ValueError, r"unknown dtype 'int64'"),
    ({"dtype": "double precision"}, ValueError, r"unknown dtype"),
    ({"hidden": "softmax"}, ValueError, r"hidden activation 'softmax' is for the output layer"),
    ({"output": "sigmoid", "cost": "cross_entropy"}, ValueError,
     r"cost 'cross_entropy' needs output activation 'softmax', got 'sigmoid'"),
    ({"output": "softmax", "cost": "binary_cross_entropy"}, ValueError,
     r"cost 'binary_cross_entropy' needs output activation 'sigmoid', got 'softmax'"),
    ({"output": "identity", "cost": "cross_entropy"}, ValueError,
     r"cost 'cross_entropy' needs output activation"),
    ({"std": 0}, ValueError, r"\bstd must be > 0"),
    ({"std": -1.0}, ValueError, r"\bstd must be > 0"),
    ({"std": np.nan}, ValueError, r"\bstd must be finite"),
    ({"std": "1"}, TypeError, r"\bstd must be a real number"),
    ({"gain": 0.0}, ValueError, r"\bgain must be > 0"),
    ({"gain": np.inf}, ValueError, r"\bgain must be finite"),
    ({"seed": -1}, TypeError, r"\bseed must be a non-negative int"),
    ({"seed": 1.5}, TypeError, r"\bseed must be a non-negative int"),
    ({"seed": "0"}, TypeError, r"\bseed must be a non-negative int"),
    ({"seed": True}, TypeError, r"\bseed must be a non-negative int"),
])
def test_bad_network_arguments(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        Network([2, 3, 2], **kwargs)


def test_dtype_accepts_numpy_types():
    assert Network([2, 1], dtype=np.float32, seed=0).W[2].dtype == np.float32
    assert Network([2, 1], dtype=np.dtype("float64"), seed=0).W[2].dtype == np.float64


# ------------------------------------------------------------- sgd(...)


SGD_CASES = [
    ({"eta": 0}, ValueError, r"\beta must be > 0"),
    ({"eta": -0.1}, ValueError, r"\beta must be > 0"),
    ({"eta": np.nan}, ValueError, r"\beta must be finite"),
    ({"eta": np.inf}, ValueError, r"\beta must be finite"),
    ({"eta": "0.1"}, TypeError, r"\beta must be a real number"),
    ({"eta": None}, TypeError, r"\beta must be a real number"),
    ({"eta": True}, TypeError, r"\beta must be a real number"),
    ({"eta": 0.1 + 0j}, TypeError, r"\beta must be a real number"),
    ({"batch_size": 0}, ValueError, r"\bbatch_size must be >= 1"),
    ({"batch_size": -4}, ValueError, r"\bbatch_size must be >= 1"),
    ({"batch_size": 2.0}, TypeError, r"\bbatch_size must be an integer"),
    ({"batch_size": "2"}, TypeError, r"\bbatch_size must be an integer"),
    ({"epochs": -1}, ValueError, r"\bepochs must be >= 0"),
    ({"epochs": 1.5}, TypeError, r"\bepochs must be an integer"),
    ({"epochs": None}, TypeError, r"\bepochs must be an integer"),
    ({"momentum": 1.0}, ValueError, r"\bmomentum must be < 1"),
    ({"momentum": 1.5}, ValueError, r"\bmomentum must be < 1"),
    ({"momentum": -0.1}, ValueError, r"\bmomentum must be >= 0"),
    ({"momentum": np.nan}, ValueError, r"\bmomentum must be finite"),
    ({"weight_decay": -0.01}, ValueError, r"\bweight_decay must be >= 0"),
    ({"weight_decay": np.inf}, ValueError, r"\bweight_decay must be finite"),
    ({"weight_decay": "0"}, TypeError, r"\bweight_decay must be a real number"),
    ({"clip_norm": 0}, ValueError, r"\bclip_norm must be > 0"),
    ({"clip_norm": -1.0}, ValueError, r"\bclip_norm must be > 0"),
    ({"clip_norm": np.nan}, ValueError, r"\bclip_norm must be finite"),
    ({"seed": -1}, TypeError, r"\bseed must be a non-negative int"),
    ({"seed": 2.0}, TypeError, r"\bseed must be a non-negative int"),
    ({"seed": "abc"}, TypeError, r"\bseed must be a non-negative int"),
    ({"callback": "print"}, TypeError, r"\bcallback must be callable"),
    ({"validation": (X,)}, TypeError, r"\bvalidation must be a pair"),
    ({"validation": (X, T, T)}, TypeError, r"\bvalidation must be a pair"),
    ({"validation": X}, TypeError, r"\bvalidation must be a pair"),
    ({"validation": (np.ones((3, 3)), T[:3])}, ValueError,
     r"\bvalidation .*x must have 2 columns"),
    ({"validation": (X, np.ones((4, 3)))}, ValueError, r"\bvalidation .*t must have 2 columns"),
    ({"validation": (X, T[:2])}, ValueError, r"\bvalidation .*t must have one row per row"),
    ({"validation": (np.where(X == 1.0, np.nan, X), T)}, ValueError,
     r"\bvalidation .*x must be finite"),
    ({"validation": (X.astype(str), T)}, TypeError, r"\bvalidation .*x must be a numeric"),
    ({"validation": (np.empty((0, 2)), np.empty((0, 2)))}, ValueError,
     r"\bvalidation .*empty batch"),
]


@pytest.mark.parametrize(("kwargs", "exc", "match"), SGD_CASES,
                         ids=[f"{next(iter(k))}-{i}" for i, (k, _, _) in enumerate(SGD_CASES)])
def test_bad_sgd_arguments_leave_network_unchanged(net, kwargs, exc, match):
    calls = []
    arguments = {"eta": 0.5, "epochs": 2, "batch_size": 2, "seed": 0,
                 "callback": lambda epoch, history: calls.append(epoch), **kwargs}
    raises_and_unchanged(net, exc, match, lambda: sgd(net, X, T, **arguments))
    assert calls == [], "no epoch ran"


def test_bad_validation_targets_for_cross_entropy():
    net = Network([2, 3, 2], output="softmax", cost="cross_entropy", seed=0)
    raises_and_unchanged(net, ValueError, r"\bvalidation .*t must lie in \[0, 1\]",
                         lambda: sgd(net, X, T, eta=0.1, epochs=1, batch_size=2,
                                     validation=(X, T * 2)))


@pytest.mark.parametrize(("kwargs", "exc", "match"), [
    ({"eps": 0.0}, ValueError, r"\beps must be > 0"),
    ({"order": 3}, ValueError, r"\border must be one of \[2, 4, 6, 8\]"),
    ({"max_per_layer": 0}, ValueError, r"\bmax_per_layer must be >= 1"),
    ({"max_per_layer": 2.5}, TypeError, r"\bmax_per_layer must be an integer"),
    ({"tiny": -1.0}, ValueError, r"\btiny must be > 0"),
    ({"seed": -3}, TypeError, r"\bseed must be"),
])
def test_bad_check_gradients_arguments(net, kwargs, exc, match):
    raises_and_unchanged(net, exc, match, lambda: check_gradients(net, X, T, **kwargs))


@pytest.mark.parametrize(("threshold", "exc"), [(0.0, ValueError), (-1.0, ValueError),
                                                (np.nan, ValueError), ("0.1", TypeError)])
def test_bad_saturation_threshold(net, threshold, exc):
    raises_and_unchanged(net, exc, r"\bthreshold must",
                         lambda: saturation(net, X, threshold=threshold))


# ----------------------------------------------------- set_parameters(...)


@pytest.mark.parametrize(("W", "b", "exc", "match"), [
    ({2: np.ones((2, 4)), 3: np.ones((3, 2))}, None, ValueError,
     r"W\[2\] must have shape \(2, 3\), got \(2, 4\)"),
    ({2: np.ones((2, 3)), 3: np.ones((2, 3))}, None, ValueError, r"W\[3\] must have shape"),
    (None, {2: np.ones(3), 3: np.array([0.0, np.nan])}, ValueError, r"b\[3\] must be finite"),
    (None, {2: np.ones(3), 3: np.array([0.0, np.inf])}, ValueError, r"b\[3\] must be finite"),
    (None, {2: np.ones(3), 3: np.array(["a", "b"])}, TypeError, r"b\[3\] must be a real"),
    (None, {2: np.ones(3) + 1j, 3: np.ones(2)}, TypeError, r"b\[2\] must be a real"),
    ({2: np.ones((2, 3))}, None, ValueError, r"\bW must have the layer keys \[2, 3\]"),
    ([np.ones((2, 3))], None, ValueError, r"\bW must hold 2 arrays"),
    ("W", None, TypeError, r"\bW must be a dict keyed by layer or a list"),
])
def test_bad_set_parameters(net, W, b, exc, match):
    good_W, good_b = snapshot(net)
    W = good_W if W is None else W
    b = good_b if b is None else b
    raises_and_unchanged(net, exc, match, lambda: net.set_parameters(W, b))


def test_set_parameters_copies_into_network_dtype():
    net = Network([2, 3, 2], seed=0, dtype="float32")
    W = {2: np.arange(6.0).reshape(2, 3), 3: np.ones((3, 2), dtype=int)}
    b = [np.zeros(3), np.ones(2)]
    net.set_parameters(W, b)
    assert net.W[2].dtype == np.float32 and net.W[3].dtype == np.float32
    W[2][0, 0] = 99.0
    assert net.W[2][0, 0] == 0.0, "copied, not aliased"


# ------------------------------------------------------------- datasets


@pytest.mark.parametrize(("call", "exc", "match"), [
    (lambda: bpcode.datasets.regression_1d(n=0), ValueError, r"\bn must be >= 1"),
    (lambda: bpcode.datasets.regression_1d(n=2.0), TypeError, r"\bn must be an integer"),
    (lambda: bpcode.datasets.regression_1d(noise=-1.0), ValueError, r"\bnoise must be >= 0"),
    (lambda: bpcode.datasets.regression_1d(seed=-1), TypeError, r"\bseed must be"),
    (lambda: bpcode.datasets.digits(test_fraction=0.0), ValueError, r"\btest_fraction"),
    (lambda: bpcode.datasets.digits(test_fraction=1.0), ValueError, r"\btest_fraction"),
    (lambda: bpcode.datasets.one_hot([0, 3], 3), ValueError, r"\blabels must lie in \[0, 2\]"),
    (lambda: bpcode.datasets.one_hot([0.0, 1.0], 3), ValueError, r"\blabels must be a 1-D"),
])
def test_bad_dataset_arguments(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_messages_say_what_was_given(net):
    with pytest.raises(ValueError) as info:
        net.forward(np.ones((5, 7)))
    assert "(5, 7)" in str(info.value)
    with pytest.raises(ValueError) as info:
        net.forward(np.array([[1.0, np.nan]]))
    assert re.search(r"nan at index \(0, 1\)", str(info.value))


# ------------------------------------------ exact messages of the shared checks


def numpy_error(value):
    """numpy's own message for a value it cannot make an array of (it differs
    between numpy versions, so it is not written out here)."""
    try:
        np.asarray(value)
    except ValueError as error:
        return str(error)
    raise AssertionError(f"numpy made an array of {value!r}")


RAGGED = [[1.0, 2.0], [3.0]]
NAN_THEN_INF = np.array([[1.0, np.nan], [np.inf, 0.0]])  # the first bad entry is (0, 1)
BIG_AT_0_1 = np.array([[0.5, 1e300], [1e300, 0.0]])
BAD_SEED = "seed must be a non-negative int, a numpy.random.Generator or None, got"
FLOAT32_MAX = "(largest magnitude 3.403e+38)"

EXACT_MESSAGES = {
    # as_matrix: shape, emptiness and width, each with the shape as given
    "x-3d": (lambda net: net.forward(np.ones((4, 2, 1))), ValueError,
             "x must have shape (n, 2) or (2,), got shape (4, 2, 1)"),
    "x-0d": (lambda net: net.forward(np.float64(1.0)), ValueError,
             "x must have shape (n, 2) or (2,), got shape ()"),
    "x-no-rows": (lambda net: net.forward(np.empty((0, 2))), ValueError,
                  "x is an empty batch: expected at least one row, got shape (0, 2)"),
    "x-no-columns": (lambda net: net.forward(np.empty((3, 0))), ValueError,
                     "x must have 2 columns (shape (n, 2) or (2,)), got shape (3, 0)"),
    "x-empty-sample": (lambda net: net.forward(np.empty(0)), ValueError,
                       "x must have 2 columns (shape (n, 2) or (2,)), got shape (0,)"),
    "x-sample-width": (lambda net: net.forward(np.ones(3)), ValueError,
                       "x must have 2 columns (shape (n, 2) or (2,)), got shape (3,)"),
    "t-no-rows": (lambda net: net.loss(X, np.empty((0, 2))), ValueError,
                  "t is an empty batch: expected at least one row, got shape (0, 2)"),
    # real_array: the type, or the dtype, that was given
    "x-str": (lambda net: net.forward("1 2"), TypeError, "x must be a numeric array, got str"),
    "x-bytes": (lambda net: net.forward(b"12"), TypeError, "x must be a numeric array, got bytes"),
    "x-None": (lambda net: net.forward(None), TypeError,
               "x must be a numeric array, got NoneType"),
    "x-strings": (lambda net: net.forward(np.array([["1", "2"]])), TypeError,
                  "x must be a numeric array, got dtype <U1"),
    "x-complex": (lambda net: net.forward(np.ones((1, 2), dtype=complex)), TypeError,
                  "x must be real, got dtype complex128"),
    "x-ragged": (lambda net: net.forward(RAGGED), ValueError,
                 f"x must be a rectangular numeric array: {numpy_error(RAGGED)}"),
    # finite: the first bad value and its index
    "x-nan": (lambda net: net.forward(NAN_THEN_INF), ValueError,
              "x must be finite, got nan at index (0, 1)"),
    "t-nan": (lambda net: net.loss(X, np.where(T == 1.0, np.nan, T)), ValueError,
              "t must be finite, got nan at index (0, 1)"),
    # instance
    "net": (lambda net: gradient_norms("net", X, T), TypeError,
            "net must be a bpcode.Network, got str"),
    "settings": (lambda net: bpcode.TextbookStep(net, None), TypeError,
                 "settings must be a bpcode.SGDSettings, got NoneType"),
    # real: type, finiteness, open and closed lower bounds, upper bound
    "eta-str": (lambda net: sgd(net, X, T, eta="0.1", epochs=1, batch_size=2), TypeError,
                "eta must be a real number, got '0.1'"),
    "eta-bool": (lambda net: bpcode.SGDSettings(eta=np.True_), TypeError,
                 f"eta must be a real number, got {np.True_!r}"),
    "eta-nan": (lambda net: sgd(net, X, T, eta=np.nan, epochs=1, batch_size=2), ValueError,
                "eta must be finite, got nan"),
    "eta-0": (lambda net: sgd(net, X, T, eta=0, epochs=1, batch_size=2), ValueError,
              "eta must be > 0, got 0.0"),
    "momentum": (lambda net: bpcode.SGDSettings(eta=0.1, momentum=-0.1), ValueError,
                 "momentum must be >= 0, got -0.1"),
    "noise": (lambda net: bpcode.datasets.regression_1d(noise=-1e-300), ValueError,
              "noise must be >= 0, got -1e-300"),
    "test_fraction": (lambda net: bpcode.datasets.digits(test_fraction=np.nextafter(0.9, 1)),
                      ValueError, "test_fraction must be <= 0.9, got 0.9000000000000001"),
    # integer
    "batch_size-float": (lambda net: sgd(net, X, T, eta=0.1, epochs=1, batch_size=2.0),
                         TypeError, "batch_size must be an integer, got 2.0"),
    "batch_size-0": (lambda net: sgd(net, X, T, eta=0.1, epochs=1, batch_size=0), ValueError,
                     "batch_size must be >= 1, got 0"),
    "sizes-0": (lambda net: Network([2, 0]), ValueError, "sizes[1] must be >= 1, got 0"),
    "sizes-bool": (lambda net: Network([2, np.True_]), TypeError,
                   f"sizes[1] must be an integer, got {np.True_!r}"),
    # choice
    "hidden-None": (lambda net: Network([2, 3], hidden=None), TypeError,
                    "hidden activation must be a name (str), got None"),
    "cost-unknown": (lambda net: Network([2, 3], cost="hinge"), ValueError,
                     "unknown cost 'hinge': expected one of ['binary_cross_entropy', "
                     "'cross_entropy', 'quadratic']"),
    # generator
    "seed-negative": (lambda net: Network([2, 3], seed=-1), TypeError, f"{BAD_SEED} -1"),
    "seed-bool": (lambda net: sgd(net, X, T, eta=0.1, epochs=1, batch_size=2, seed=True),
                  TypeError, f"{BAD_SEED} True"),
    # boolean
    "allow_overflow": (lambda net: net.backward(X, T, allow_overflow=1), TypeError,
                       "allow_overflow must be True or False, got 1"),
    # layer_dict: the keys or the length given
    "W-keys": (lambda net: net.set_parameters({2: net.W[2]}, net.b), ValueError,
               "W must have the layer keys [2, 3], got [2]"),
    "W-float-key": (lambda net: net.set_parameters({2: net.W[2], 3.0: net.W[3]}, net.b),
                    ValueError, "W must have the layer keys [2, 3], got [2, 3.0]"),
    "W-length": (lambda net: net.set_parameters([net.W[2]], net.b), ValueError,
                 "W must hold 2 arrays (layers 2..3), got 1"),
    "b-str": (lambda net: net.set_parameters(net.W, "b"), TypeError,
              "b must be a dict keyed by layer or a list, got str"),
    # parameter: unlike x, a bool array is no parameter
    "W-ragged": (lambda net: net.set_parameters({2: RAGGED, 3: net.W[3]}, net.b), ValueError,
                 f"W[2] must be a rectangular numeric array: {numpy_error(RAGGED)}"),
    "W-bool": (lambda net: net.set_parameters({2: net.W[2] > 0, 3: net.W[3]}, net.b),
               TypeError, "W[2] must be a real numeric array, got dtype bool"),
    "b-strings": (lambda net: net.set_parameters(net.W, {2: net.b[2], 3: np.array(["a", "b"])}),
                  TypeError, "b[3] must be a real numeric array, got dtype <U1"),
    "W-shape": (lambda net: net.set_parameters({2: np.ones((2, 4)), 3: net.W[3]}, net.b),
                ValueError, "W[2] must have shape (2, 3), got (2, 4)"),
    "b-nan": (lambda net: net.set_parameters(net.W, {2: net.b[2], 3: [0.0, np.nan]}),
              ValueError, "b[3] must be finite, got nan at index (1,)"),
    # finite in float32: the value as given (not inf) and where it is
    "x-float32": (lambda net: net.forward(BIG_AT_0_1), ValueError,
                  f"x does not fit the network's float32 {FLOAT32_MAX}, got 1e+300 at "
                  f"index (0, 1)", "float32"),
    "W-float32": (lambda net: net.set_parameters({2: [[0.5, 1e39, 0.5], [1e39, 0.5, 0.5]],
                                                  3: net.W[3]}, net.b), ValueError,
                  f"W[2] does not fit the network's float32 {FLOAT32_MAX}, got 1e+39 at index "
                  f"(0, 1)", "float32"),
}


@pytest.mark.parametrize("case", list(EXACT_MESSAGES))
def test_exact_message_of_each_check(case, no_warnings):
    """Every check's message in full: the argument's name, what was expected and
    what was given (its type, dtype, shape, value or the index of its first bad
    entry). Nothing changes, and no warning (an overflow in a cast) escapes."""
    call, exc, message, *dtype = EXACT_MESSAGES[case]
    net = Network([2, 3, 2], seed=0, dtype=(dtype or ["float64"])[0])
    snap = snapshot(net)
    with pytest.raises(exc) as info:
        call(net)
    assert str(info.value) == message
    assert_unchanged(net, snap)


# ------------------------------------------------- where each bound lies


SMALLEST = 5e-324  # the smallest positive float64


def test_real_bounds_open_and_closed():
    """eta > 0 is open: the smallest positive float is a learning rate, 0 is not;
    momentum >= 0, weight_decay >= 0 and noise >= 0 are closed: 0 is allowed,
    -5e-324 is not. The checked values are stored as Python floats."""
    settings = bpcode.SGDSettings(eta=SMALLEST, momentum=0, weight_decay=np.float32(0))
    assert (settings.eta, settings.momentum, settings.weight_decay) == (SMALLEST, 0.0, 0.0)
    assert all(type(v) is float for v in (settings.eta, settings.momentum,
                                          settings.weight_decay))
    with pytest.raises(ValueError, match=r"^eta must be > 0, got 0\.0$"):
        bpcode.SGDSettings(eta=0.0)
    for name in ("momentum", "weight_decay"):
        with pytest.raises(ValueError) as info:
            bpcode.SGDSettings(eta=0.1, **{name: -SMALLEST})
        assert str(info.value) == f"{name} must be >= 0, got -5e-324"
    x, t = bpcode.datasets.regression_1d(n=1, noise=0, seed=0)
    assert x.shape == t.shape == (1, 1)
    with pytest.raises(ValueError, match=r"^noise must be >= 0, got -5e-324$"):
        bpcode.datasets.regression_1d(noise=-SMALLEST)


def test_integer_bounds_are_closed(net):
    """epochs >= 0 and batch_size >= 1 and every layer size >= 1 include the bound:
    zero epochs train nothing, batches of one sample train, a layer of one unit
    exists."""
    snap = snapshot(net)
    history = sgd(net, X, T, eta=0.1, epochs=0, batch_size=1, seed=0)
    assert history.epoch == [0], "only the measurement before training"
    assert_unchanged(net, snap)
    sgd(net, X, T, eta=0.1, epochs=1, batch_size=1, seed=0)
    assert not np.array_equal(net.W[2], snap[0][2])
    assert Network([1, 1], seed=0).sizes == (1, 1)
    with pytest.raises(ValueError, match=r"^epochs must be >= 0, got -1$"):
        sgd(net, X, T, eta=0.1, epochs=-1, batch_size=1)
