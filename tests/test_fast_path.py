"""bpcode.FastStep, the step bpcode.sgd takes by default, against bpcode.TextbookStep.

The fast path computes each SGD step in preallocated buffers, one column per
sample, with η/n folded into δ^L and all parameters in one flat array. These
tests run the same training on both paths and require the results to agree to
rounding (float64: 1e-12 relative, float32: 1e-5), over several steps and
epochs, for every hidden activation, every output/cost pair, with momentum,
weight decay and clipping, with batches that do not divide the data, and when
the fast path hands steps to the textbook step.
"""

import contextlib
import dataclasses
import warnings

import numpy as np
import pytest

import bpcode
from bpcode import FastStep, SGDSettings, TextbookStep

TOL = {"float64": 1e-12, "float32": 1e-5}


def data(sizes, n, output, seed=0, dtype="float64"):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, sizes[0]))
    if output == "softmax":
        t = np.eye(sizes[-1])[rng.integers(0, sizes[-1], n)]
    elif output == "sigmoid":
        t = rng.integers(0, 2, (n, sizes[-1])).astype(float)
    else:
        t = rng.standard_normal((n, sizes[-1]))
    return x.astype(dtype), t.astype(dtype)


def make(sizes, hidden, output, cost, dtype, seed=1):
    return bpcode.Network(sizes, hidden=hidden, output=output, cost=cost,
                          init="xavier_normal", seed=seed, dtype=dtype)


def rel_diff(net_a, net_b):
    """max |θ_a - θ_b| / max |θ_b| over all W^l and b^l."""
    scale = max(max(np.abs(net_b.W[l]).max(), np.abs(net_b.b[l]).max()) for l in net_b.W)
    diff = max(max(np.abs(net_a.W[l] - net_b.W[l]).max(),
                   np.abs(net_a.b[l] - net_b.b[l]).max()) for l in net_b.W)
    return diff / scale


def close_lists(a, b, tol):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, rtol=tol * 10, atol=tol * 10 * max(np.abs(b).max(), 1e-300))


@contextlib.contextmanager
def fast_path_only():
    """Fail if FastStep hands a step or a measurement to the textbook step. It
    may only do so for a value that is not finite; a fast path that handed
    over finite steps would still give the textbook's results, only slowly,
    so the comparisons below run inside this."""
    def handed_over(self, x, t):
        raise AssertionError("FastStep handed a finite step or measurement to TextbookStep")

    with pytest.MonkeyPatch.context() as m:
        m.setattr(TextbookStep, "step", handed_over)
        m.setattr(TextbookStep, "measure", handed_over)
        yield


def train_both(sizes=(5, 7, 6, 3), hidden="sigmoid", output="softmax",
               cost="cross_entropy", dtype="float64", n=23, epochs=3, **kwargs):
    x, t = data(sizes, n, output, dtype=dtype)
    kwargs = {"eta": 0.5, "batch_size": 5, "seed": 3, **kwargs}
    fast = make(sizes, hidden, output, cost, dtype)
    with fast_path_only():
        history_fast = bpcode.sgd(fast, x, t, epochs=epochs, step="fast", **kwargs)
    slow = make(sizes, hidden, output, cost, dtype)
    history_slow = bpcode.sgd(slow, x, t, epochs=epochs, step="textbook", **kwargs)
    return fast, slow, history_fast, history_slow


def norms_of(history, which):
    return [getattr(norms, which) for norms in history.norms]


CONFIGS = [
    {},
    {"momentum": 0.9},
    {"weight_decay": 0.05},
    {"clip_norm": 0.1},
    {"momentum": 0.5, "weight_decay": 0.1, "clip_norm": 0.3},
    {"batch_size": 1},
    {"batch_size": 23},
    {"batch_size": 100},
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: ",".join(c) or "plain")
def test_fast_path_matches_textbook(dtype, config):
    fast, slow, h_fast, h_slow = train_both(dtype=dtype, **config)
    assert rel_diff(fast, slow) <= TOL[dtype]
    assert h_fast.clipped_steps == h_slow.clipped_steps
    close_lists(h_fast.loss, h_slow.loss, TOL[dtype])
    close_lists(norms_of(h_fast, "weight"), norms_of(h_slow, "weight"), TOL[dtype])
    close_lists(norms_of(h_fast, "delta"), norms_of(h_slow, "delta"), TOL[dtype])
    assert h_fast.train_accuracy == h_slow.train_accuracy
    for l in fast.W:
        assert fast.W[l].dtype == fast.b[l].dtype == np.dtype(dtype)


NETWORKS = [
    ("sigmoid", "softmax", "cross_entropy"),
    ("tanh", "softmax", "cross_entropy"),
    ("relu", "softmax", "cross_entropy"),
    ("identity", "softmax", "cross_entropy"),
    ("sigmoid", "sigmoid", "quadratic"),
    ("tanh", "sigmoid", "binary_cross_entropy"),
    ("relu", "identity", "quadratic"),
    ("sigmoid", "tanh", "quadratic"),
    ("relu", "relu", "quadratic"),
    ("sigmoid", "softmax", "quadratic"),
]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("hidden,output,cost", NETWORKS)
def test_every_activation_and_cost(dtype, hidden, output, cost):
    fast, slow, h_fast, h_slow = train_both(hidden=hidden, output=output,
                                            cost=cost, dtype=dtype, eta=0.1, momentum=0.5)
    assert rel_diff(fast, slow) <= TOL[dtype]
    close_lists(h_fast.loss, h_slow.loss, TOL[dtype])
    close_lists(norms_of(h_fast, "weight"), norms_of(h_slow, "weight"), TOL[dtype])
    close_lists(norms_of(h_fast, "delta"), norms_of(h_slow, "delta"), TOL[dtype])


@pytest.mark.parametrize("sizes", [(4, 3), (4, 6, 2), (3, 5, 5, 5, 5, 2)])
def test_depths(sizes):
    fast, slow, _, _ = train_both(sizes=sizes, epochs=4, momentum=0.3)
    assert rel_diff(fast, slow) <= TOL["float64"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_single_steps_match_with_momentum(dtype):
    """FastStep.step against TextbookStep.step, step by step, parameters and
    velocity, on the digits-sized network."""
    sizes = (64, 30, 10)
    x, t = data(sizes, 40, "softmax", dtype=dtype)
    fast_net = make(sizes, "sigmoid", "softmax", "cross_entropy", dtype)
    slow_net = fast_net.copy()
    settings = SGDSettings(eta=0.8, momentum=0.9, weight_decay=1e-3)
    fast, slow = FastStep(fast_net, settings), TextbookStep(slow_net, settings)
    for k in range(8):
        batch = slice(5 * k, 5 * k + 5)
        with fast_path_only():
            assert fast.step(x[batch], t[batch]) is False
        assert slow.step(x[batch], t[batch]) is False
        assert rel_diff(fast_net, slow_net) <= TOL[dtype]
    v_fast, velocity = fast.velocity, slow.velocity
    scale = max(np.abs(v).max() for pair in velocity.values() for v in pair)
    for l in velocity:
        for got, want in zip(v_fast[l], velocity[l], strict=True):
            assert np.abs(got - want).max() <= TOL[dtype] * 10 * scale


def test_float32_stays_float32():
    sizes = (6, 5, 3)
    x, t = data(sizes, 12, "softmax", dtype="float32")
    net = make(sizes, "sigmoid", "softmax", "cross_entropy", "float32")
    fast = FastStep(net, SGDSettings(0.5, momentum=0.5, weight_decay=0.1))
    with fast_path_only():
        fast.step(x, t)
        measured = fast.measure(x, t)
    for v_W, v_b in fast.velocity.values():
        assert v_W.dtype == v_b.dtype == np.float32
    assert measured.y.dtype == np.float32
    for l in net.W:
        assert net.W[l].dtype == net.b[l].dtype == np.float32
        assert net.W[l].flags.c_contiguous and net.W[l].shape == (net.sizes[l - 2],
                                                                   net.sizes[l - 1])


def test_arrays_shown_to_the_caller_are_never_overwritten():
    """The parameters the caller held before sgd, and those a callback saw,
    keep their values: the fast path never writes an array it has shown."""
    sizes = (5, 7, 3)
    x, t = data(sizes, 20, "softmax")
    net = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
    before = {l: (net.W[l], net.b[l]) for l in net.W}
    before_values = {l: (w.copy(), b.copy()) for l, (w, b) in before.items()}
    seen = []

    def callback(epoch, history):
        seen.append({l: (net.W[l], net.b[l], net.W[l].copy(), net.b[l].copy()) for l in net.W})

    with fast_path_only():
        bpcode.sgd(net, x, t, eta=0.5, epochs=4, batch_size=3, seed=0, callback=callback)
    for l, (w, b) in before.items():
        np.testing.assert_array_equal(w, before_values[l][0])
        np.testing.assert_array_equal(b, before_values[l][1])
    for snapshot in seen:
        for w, b, w_then, b_then in snapshot.values():
            np.testing.assert_array_equal(w, w_then)
            np.testing.assert_array_equal(b, b_then)
    assert not np.array_equal(net.W[2], before_values[2][0])


@pytest.mark.parametrize("how", ["set_parameters", "assign", "in_place"])
def test_callback_that_changes_the_parameters(how):
    """A callback may replace or modify the parameters between epochs; both
    paths then continue from the changed values."""
    sizes = (5, 7, 3)
    x, t = data(sizes, 20, "softmax")

    def callback_for(net):
        def callback(epoch, history):
            if epoch == 2:
                if how == "set_parameters":
                    net.set_parameters({l: w * 0.5 for l, w in net.W.items()}, net.b)
                elif how == "assign":
                    net.W[3] = net.W[3] * -1.0
                else:
                    net.W[2] *= 0.25
                    net.b[3][...] = 1.0
        return callback

    kwargs = {"eta": 0.5, "epochs": 4, "batch_size": 4, "seed": 0, "momentum": 0.5}
    fast = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
    with fast_path_only():
        bpcode.sgd(fast, x, t, callback=callback_for(fast), step="fast", **kwargs)
    slow = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
    bpcode.sgd(slow, x, t, callback=callback_for(slow), step="textbook", **kwargs)
    assert rel_diff(fast, slow) <= TOL["float64"]


def test_refused_steps_go_to_the_textbook_step(monkeypatch):
    """When the fast computation refuses a step, FastStep has the textbook step
    take it and adopts the result (parameters and velocity): refusing every
    other step changes nothing beyond rounding. Refusals need a non-finite
    value, which would end training, so the test makes the fast computation
    refuse by hand (the one place where a test touches FastStep's inside)."""
    sizes = (5, 7, 6, 3)
    x, t = data(sizes, 23, "softmax")
    kwargs = {"eta": 0.5, "epochs": 3, "batch_size": 4, "seed": 3, "momentum": 0.9,
              "weight_decay": 0.01}
    real_step = FastStep._step
    calls = {"fast": 0, "refused": 0}

    def sometimes(self, x, t):
        calls["fast"] += 1
        if calls["fast"] % 2 == 0:
            calls["refused"] += 1
            return None
        return real_step(self, x, t)

    with monkeypatch.context() as m:
        m.setattr(FastStep, "_step", sometimes)
        mixed = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
        bpcode.sgd(mixed, x, t, step="fast", **kwargs)
    assert calls["refused"] >= 8
    slow = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
    bpcode.sgd(slow, x, t, step="textbook", **kwargs)
    assert rel_diff(mixed, slow) <= TOL["float64"]


def test_huge_but_finite_parameters_are_not_refused():
    """In float32, weights of 1e20 square to inf in the quick finiteness check
    (a dot product of the new parameters with themselves); the exact check then
    accepts the step. The tanh units saturate, so the cost stays finite."""
    sizes = (3, 4, 2)
    x, t = data(sizes, 8, "identity", dtype="float32")
    net = bpcode.Network(sizes, hidden="tanh", output="identity", seed=0, dtype="float32")
    net.set_parameters({2: net.W[2] * 1e20, 3: net.W[3]}, net.b)
    fast = FastStep(net, SGDSettings(0.1))
    with warnings.catch_warnings(), fast_path_only():
        warnings.simplefilter("error")
        assert fast.step(x, t) is False
    assert all(np.isfinite(w).all() for w in net.W.values())


def test_saturated_sigmoids_raise_no_warnings():
    """Saturated units: the fast sigmoid, (1 + tanh(z/2)) / 2, gives exactly 0
    and 1 there, silently, as the textbook sigmoid does."""
    sizes = (4, 6, 3)
    x, t = data(sizes, 10, "softmax", dtype="float32")
    x *= 1e3
    kwargs = {"eta": 0.1, "epochs": 2, "batch_size": 5, "seed": 0}
    fast = bpcode.Network(sizes, hidden="sigmoid", output="softmax", cost="cross_entropy",
                          gain=50.0, seed=0, dtype="float32")
    with warnings.catch_warnings(), fast_path_only():
        warnings.simplefilter("error")
        bpcode.sgd(fast, x, t, step="fast", **kwargs)
    slow = bpcode.Network(sizes, hidden="sigmoid", output="softmax", cost="cross_entropy",
                          gain=50.0, seed=0, dtype="float32")
    bpcode.sgd(slow, x, t, step="textbook", **kwargs)
    assert rel_diff(fast, slow) <= TOL["float32"]


def test_batches_of_changing_size():
    """Batches of several sizes in turn, each with buffers of its own."""
    sizes = (5, 4, 3)
    x, t = data(sizes, 11, "softmax")
    fast_net = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
    slow_net = fast_net.copy()
    fast = FastStep(fast_net, SGDSettings(0.1))
    slow = TextbookStep(slow_net, SGDSettings(0.1))
    for batch in (slice(0, 4), slice(4, 7), slice(0, 4), slice(7, 11), slice(4, 7)):
        with fast_path_only():
            fast.step(x[batch], t[batch])
        slow.step(x[batch], t[batch])
        assert rel_diff(fast_net, slow_net) <= TOL["float64"]


def test_measure_matches_the_textbook_record():
    """What sgd records per epoch, measured by FastStep, against TextbookStep."""
    sizes = (6, 9, 7, 4)
    for hidden, output, cost in NETWORKS:
        x, t = data(sizes, 31, output)
        net = make(sizes, hidden, output, cost, "float64")
        with fast_path_only():
            fast = FastStep(net, SGDSettings(0.3)).measure(x, t)
        slow = TextbookStep(net, SGDSettings(0.3)).measure(x, t)
        assert fast.loss == pytest.approx(slow.loss, rel=1e-12)
        np.testing.assert_array_equal(fast.norms.layers, slow.norms.layers)
        np.testing.assert_allclose(fast.norms.weight, slow.norms.weight, rtol=1e-12)
        np.testing.assert_allclose(fast.norms.delta, slow.norms.delta, rtol=1e-12)
        np.testing.assert_allclose(fast.y, slow.y, rtol=1e-12, atol=1e-15)


def test_measure_follows_a_changed_network():
    sizes = (4, 5, 3)
    x, t = data(sizes, 8, "softmax")
    net = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
    fast = FastStep(net, SGDSettings(0.3))
    net.W[2] = net.W[2] * 2
    with fast_path_only():
        assert fast.measure(x, t).loss == pytest.approx(net.loss(x, t), rel=1e-12)


def test_products_change_neither_the_network_nor_later_steps():
    """FastStep.products, which the benchmarks time as the step's bound, can
    run before, between and after steps: the parameters stay those of steps
    alone, exactly."""
    sizes = (6, 5, 4, 3)
    x, t = data(sizes, 7, "softmax")
    plain_net = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
    net = plain_net.copy()
    plain = FastStep(plain_net, SGDSettings(0.3, momentum=0.5))
    fast = FastStep(net, SGDSettings(0.3, momentum=0.5))
    fast.products(x)
    for _ in range(3):
        before = net.copy()
        fast.products(x)
        assert rel_diff(net, before) == 0
        with fast_path_only():
            plain.step(x, t)
            fast.step(x, t)
        assert rel_diff(net, plain_net) == 0


def exact_net(dtype):
    """A softmax/cross-entropy network with dyadic parameters: on the dyadic x of
    ``EXACT_X`` every z^L is exact, so both paths see the same z to the bit."""
    net = bpcode.Network((3, 4), output="softmax", cost="cross_entropy", dtype=dtype)
    net.set_parameters({2: np.array([[1.0, -2.0, 0.5, 0.0], [0.5, 3.0, -1.0, 2.0],
                                     [-1.0, 0.25, 1.5, -0.5]], dtype)},
                       {2: np.array([0.5, -1.0, 0.0, 0.25], dtype)})
    return net


EXACT_X = np.random.default_rng(0).integers(-12, 13, (20, 3)) / 4  # dyadic: exact products
EXACT_T = np.eye(4)[np.arange(20) % 4]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_measured_softmax_outputs_are_the_textbook_ones_bit_for_bit(dtype):
    """With softmax and cross-entropy the fast path computes y = softmax(z) as
    the textbook does, exp(z - max z) / Σ exp(z - max z); given the same z it
    returns the same y exactly (not, say, y recomputed from the ln y it keeps
    for the cost)."""
    net = exact_net(dtype)
    x, t = EXACT_X.astype(dtype), EXACT_T.astype(dtype)
    with fast_path_only():
        fast = FastStep(net, SGDSettings(0.1)).measure(x, t)
    slow = TextbookStep(net, SGDSettings(0.1)).measure(x, t)
    assert fast.y.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(fast.y, slow.y)


def test_measure_after_replaced_arrays_keeps_the_velocity():
    """Arrays replaced between steps and then measured (as by a callback of
    sgd): the fast path adopts them and keeps its velocity v, like the
    textbook step, which never loses v."""
    sizes = (5, 6, 3)
    x, t = data(sizes, 12, "softmax")
    settings = SGDSettings(0.5, momentum=0.9)
    fast_net = make(sizes, "tanh", "softmax", "cross_entropy", "float64")
    slow_net = fast_net.copy()
    fast, slow = FastStep(fast_net, settings), TextbookStep(slow_net, settings)
    with fast_path_only():
        for _ in range(3):
            fast.step(x[:6], t[:6])
    for _ in range(3):
        slow.step(x[:6], t[:6])
    for net in (fast_net, slow_net):
        net.set_parameters({l: w * 0.5 for l, w in net.W.items()}, net.b)
    with fast_path_only():
        measured = fast.measure(x, t)
    expected = slow.measure(x, t)
    assert measured.loss == pytest.approx(expected.loss, rel=1e-12)
    for l, (v_W, v_b) in slow.velocity.items():
        np.testing.assert_allclose(fast.velocity[l][0], v_W, rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(fast.velocity[l][1], v_b, rtol=1e-12, atol=1e-15)
    with fast_path_only():
        fast.step(x[6:], t[6:])
    slow.step(x[6:], t[6:])
    assert rel_diff(fast_net, slow_net) <= TOL["float64"]


BAD_BATCHES = {  # x, t for a (3, 4, 2) float64 network -> how the message describes them
    "x a list": ([[0.0, 1.0, 2.0]], np.zeros((1, 2)), "list and float64 shape (1, 2)"),
    "t a tuple": (np.zeros((1, 3)), (0.0, 1.0), "float64 shape (1, 3) and tuple"),
    "x float32": (np.zeros((2, 3), "float32"), np.zeros((2, 2)),
                  "float32 shape (2, 3) and float64 shape (2, 2)"),
    "t float32": (np.zeros((2, 3)), np.zeros((2, 2), "float32"),
                  "float64 shape (2, 3) and float32 shape (2, 2)"),
    "x 1-D": (np.zeros(3), np.zeros((1, 2)), "float64 shape (3,) and float64 shape (1, 2)"),
    "x 3-D": (np.zeros((1, 3, 1)), np.zeros((1, 2)),
              "float64 shape (1, 3, 1) and float64 shape (1, 2)"),
    "no samples": (np.zeros((0, 3)), np.zeros((0, 2)),
                   "float64 shape (0, 3) and float64 shape (0, 2)"),
    "x too wide": (np.zeros((2, 4)), np.zeros((2, 2)),
                   "float64 shape (2, 4) and float64 shape (2, 2)"),
    "x too narrow": (np.zeros((2, 2)), np.zeros((2, 2)),
                     "float64 shape (2, 2) and float64 shape (2, 2)"),
    "t too wide": (np.zeros((2, 3)), np.zeros((2, 3)),
                   "float64 shape (2, 3) and float64 shape (2, 3)"),
    "t of other n": (np.zeros((2, 3)), np.zeros((3, 2)),
                     "float64 shape (2, 3) and float64 shape (3, 2)"),
    "t 1-D": (np.zeros((2, 3)), np.zeros(2), "float64 shape (2, 3) and float64 shape (2,)"),
}


@pytest.mark.parametrize("method", ["step", "measure"])
@pytest.mark.parametrize("case", BAD_BATCHES)
def test_a_wrong_batch_is_refused_by_name_and_changes_nothing(method, case, no_warnings):
    """step and measure check types, dtypes and shapes (only): every part of
    the condition, with the message naming what is expected and what came."""
    x, t, described = BAD_BATCHES[case]
    net = bpcode.Network((3, 4, 2), seed=0)
    before = net.copy()
    fast = FastStep(net, SGDSettings(0.1, momentum=0.5))
    with pytest.raises(ValueError) as info:
        getattr(fast, method)(x, t)
    assert str(info.value) == ("x and t must be a batch checked by Network.check_batch: float64 "
                               "arrays of shapes (n, 3) and (n, 2), n >= 1, got " + described)
    assert rel_diff(net, before) == 0
    x, t = data((3, 4, 2), 2, "identity")
    fast.step(x, t)  # a good batch still goes through


def test_steps_write_two_sets_of_buffers_in_turn():
    """"Buffers allocated once": a step writes the new parameters over the
    gradient, and the next step's gradient over the old parameters, so the
    network's arrays alternate between two sets (nothing was measured, so
    nothing was shown). Each set then holds the parameters of its latest step."""
    sizes = (5, 4, 3)
    x, t = data(sizes, 6, "softmax")
    net = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
    fast = FastStep(net, SGDSettings(0.3, momentum=0.5))
    held = []
    with fast_path_only():
        for _ in range(4):
            fast.step(x, t)
            held.append((net.W[2], net.b[3]))
    assert held[2][0] is held[0][0] and held[2][1] is held[0][1]
    assert held[3][0] is held[1][0] and held[3][1] is held[1][1]
    assert held[1][0] is not held[0][0] and held[1][1] is not held[0][1]
    assert net.W[2] is held[3][0] and net.b[3] is held[3][1]


@pytest.mark.parametrize("step", [FastStep, TextbookStep])
def test_a_gradient_exactly_clip_norm_long_is_not_clipped(step):
    """Clipping scales a gradient longer than clip_norm: with x = 0 the only
    gradient is ∂C/∂b = z - t = 0.75, exactly clip_norm, so the step is
    b ← 0.75 - η 0.75 exactly, and not reported as clipped."""
    net = bpcode.Network([1, 1], output="identity", seed=0)
    net.set_parameters({2: [[2.0]]}, {2: [0.75]})
    x, t = np.zeros((1, 1)), np.zeros((1, 1))
    with fast_path_only() if step is FastStep else contextlib.nullcontext():
        assert step(net, SGDSettings(0.5, clip_norm=0.75)).step(x, t) is False
    assert net.b[2][0] == 0.375 and net.W[2][0, 0] == 2.0


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_softmax_of_samples_whose_logits_lie_far_apart(dtype):
    """The softmax of each sample is shifted by that sample's own largest z:
    in one batch, samples with logits near +60 and near -60 (float32) or
    ±400 (float64), whose exp would underflow or overflow under a common
    shift, are each computed as by the textbook, by the fast path itself."""
    scale = 400.0 if dtype == "float64" else 60.0
    net = bpcode.Network((1, 3), output="softmax", cost="cross_entropy", dtype=dtype)
    net.set_parameters({2: np.array([[1.0, 0.99, 0.98]]) * scale}, {2: np.zeros(3)})
    x = np.array([[1.0], [-1.0], [0.5]], dtype)
    t = np.eye(3, dtype=dtype)[[1, 2, 0]]
    slow_net = net.copy()
    fast, slow = FastStep(net, SGDSettings(0.01)), TextbookStep(slow_net, SGDSettings(0.01))
    with fast_path_only():
        measured = fast.measure(x, t)
        fast.step(x, t)
    expected = slow.measure(x, t)
    slow.step(x, t)
    assert measured.loss == pytest.approx(expected.loss, rel=TOL[dtype])
    np.testing.assert_allclose(measured.y, expected.y, rtol=TOL[dtype] * 10, atol=1e-30)
    assert rel_diff(net, slow_net) <= TOL[dtype]


@pytest.mark.parametrize("case", ["cost", "gradient"])
def test_measure_of_non_finite_values_raises_the_textbook_error(case):
    """measure refuses a non-finite cost or gradient as the textbook does,
    with its exact message and layer."""
    if case == "cost":  # z^3 = 3e19 is finite, the cost (z^3)^2 / 2 in float32 is not
        net = bpcode.Network([2, 3, 1], output="identity", dtype="float32", seed=0)
        net.set_parameters({2: np.full((2, 3), 1e19), 3: np.full((3, 1), 1e19)},
                           {2: np.zeros(3), 3: np.zeros(1)})
        x, t = np.full((2, 2), 10.0, np.float32), np.zeros((2, 1), np.float32)
    else:  # the cost is finite, ∂C/∂W^2 = x δ^2 = 1e11 · 1e300 · 0.25 is not
        net = bpcode.Network([1, 1, 1], output="sigmoid", cost="binary_cross_entropy", seed=0)
        net.set_parameters({2: [[0.0]], 3: [[1e300]]}, {2: [0.0], 3: [0.0]})
        x, t = np.array([[1e11]]), np.array([[0.0]])
    with pytest.raises(bpcode.NonFiniteError) as expected:
        TextbookStep(net, SGDSettings(0.1)).measure(x, t)
    with pytest.raises(bpcode.NonFiniteError) as info:
        FastStep(net, SGDSettings(0.1)).measure(x, t)
    assert str(info.value) == str(expected.value) and info.value.layer == expected.value.layer
    assert case in str(info.value)


@pytest.mark.parametrize("hidden", ["sigmoid", "relu"])
def test_products_make_nothing_but_matrix_products(hidden, monkeypatch):
    """FastStep.products is the bound the benchmarks measure the step against:
    the step's np.dot calls "and nothing else", so no activation, derivative,
    cost or update may run in it (any other numpy function called fails)."""
    sizes = (6, 5, 4, 3)
    x, _ = data(sizes, 7, "softmax")
    fast = FastStep(make(sizes, hidden, "softmax", "cross_entropy", "float64"),
                    SGDSettings(0.3, momentum=0.5, weight_decay=0.1, clip_norm=1.0))

    def not_a_product(*args, **kwargs):
        raise AssertionError("products ran more than the matrix products")

    for name in ("add", "subtract", "multiply", "divide", "tanh", "exp", "log", "maximum",
                 "greater", "copyto", "vdot", "isfinite"):
        monkeypatch.setattr(np, name, not_a_product)
    fast.products(x)


@pytest.mark.parametrize("step", [FastStep, TextbookStep])
def test_clipping_measures_a_gradient_whose_sum_of_squares_overflows(step, no_warnings):
    """With x = 0.75, W = 0 and b = z = 1.2e154 (the cost z²/2 is finite),
    ∂C/∂W = 0.9e154 and ∂C/∂b = 1.2e154: the sum of squares (of η ∂C/∂θ too,
    with η = 2) overflows, the length ‖∂C/∂θ‖ = 1.5e154 does not, and
    clipping it to length 1 gives W = -η 0.6."""
    net = bpcode.Network([1, 1], output="identity", seed=0)
    net.set_parameters({2: [[0.0]]}, {2: [1.2e154]})
    x, t = np.array([[0.75]]), np.array([[0.0]])
    with fast_path_only() if step is FastStep else contextlib.nullcontext():
        assert step(net, SGDSettings(2.0, clip_norm=1.0)).step(x, t) is True
    assert net.W[2][0, 0] == pytest.approx(-1.2, rel=1e-12)
    assert net.b[2][0] == pytest.approx(1.2e154, rel=1e-12)


def test_float32_cost_summed_over_the_batch_diverges_on_both_paths():
    """In float32 every computation is in float32, the cost's sum over the
    samples too: two samples with ln y = -3e38 each cost a finite 3e38, the
    batch's 6e38 overflows, and both paths refuse the step and the
    measurement alike."""
    net = bpcode.Network((1, 2), output="softmax", cost="cross_entropy", dtype="float32")
    net.set_parameters({2: np.array([[0.0, -3e38]], np.float32)}, {2: np.zeros(2, np.float32)})
    x, t = np.ones((2, 1), np.float32), np.array([[0, 1], [0, 1]], np.float32)
    for step in (TextbookStep, FastStep):
        stepper = step(net, SGDSettings(0.1))
        with pytest.raises(bpcode.DivergenceError, match=r"^the cost is inf, first non-finite "
                                                         r"values in layer 2; the network"):
            stepper.step(x, t)
        with pytest.raises(bpcode.NonFiniteError, match=r"^the cost is inf"):
            stepper.measure(x, t)
    assert net.W[2][0, 0] == 0.0 and net.W[2][0, 1] == np.float32(-3e38)


def test_adopting_a_velocity_beyond_float32_is_quiet_and_the_step_diverges(no_warnings):
    """FastStep keeps η v; a velocity v = 1e10 adopted with η = 1e30 gives an
    η v beyond float32's range: it becomes inf without a warning, and the next
    step, refused, is the textbook step's DivergenceError (nothing changes)."""
    sizes = (2, 3, 1)
    net = bpcode.Network(sizes, output="identity", dtype="float32", seed=0)
    fast = FastStep(net, SGDSettings(1e30, momentum=0.5))
    velocity = {l: (np.full_like(net.W[l], 1e10), np.full_like(net.b[l], 1e10)) for l in net.W}
    fast.adopt(net, velocity)
    before = net.copy()
    x, t = np.zeros((1, 2), np.float32), np.zeros((1, 1), np.float32)
    with pytest.raises(bpcode.DivergenceError, match=r"^the update made W\[3\] or b\[3\]"):
        fast.step(x, t)
    assert rel_diff(net, before) == 0


def test_softmax_and_cross_entropy_are_fused_into_the_fast_step(monkeypatch):
    """For a softmax output with the cross-entropy, FastStep computes y, δ^L =
    y - t and the cost itself, in place in its buffers, in step and measure
    alike: it calls none of the network's output and cost functions (which
    would allocate arrays for every batch), and still agrees with the textbook."""
    sizes = (5, 6, 3)
    x, t = data(sizes, 8, "softmax")
    net = make(sizes, "tanh", "softmax", "cross_entropy", "float64")
    slow_net = net.copy()

    def not_called(*args):
        raise AssertionError("the fused softmax/cross-entropy called a function of net")

    monkeypatch.setattr(net, "output", dataclasses.replace(net.output, f=not_called,
                                                           vjp=not_called))
    monkeypatch.setattr(net, "cost", dataclasses.replace(net.cost, value=not_called,
                                                         derivative=not_called))
    fast, slow = FastStep(net, SGDSettings(0.3)), TextbookStep(slow_net, SGDSettings(0.3))
    with fast_path_only():
        fast.step(x, t)
        measured = fast.measure(x, t)
    slow.step(x, t)
    assert rel_diff(net, slow_net) <= TOL["float64"]
    assert measured.loss == pytest.approx(slow.measure(x, t).loss, rel=1e-12)


def test_fast_step_checks_its_settings():
    net = bpcode.Network((2, 2), seed=0)
    with pytest.raises(TypeError) as info:
        FastStep(net, 0.1)
    assert str(info.value) == "settings must be a bpcode.SGDSettings, got float"


def test_a_hidden_activation_without_a_fast_form_is_refused_by_name(monkeypatch):
    """An activation added to bpcode.ACTIVATIONS works with TextbookStep;
    FastStep, which has fast forms of the built-in ones only, says so."""
    softplus = dataclasses.replace(bpcode.ACTIVATIONS["sigmoid"], name="softplus",
                                   f=lambda z: np.logaddexp(0, z),
                                   prime=lambda z, a: 1 / (1 + np.exp(-z)),
                                   vjp=lambda z, a, g: g / (1 + np.exp(-z)))
    monkeypatch.setitem(bpcode.ACTIVATIONS, "softplus", softplus)
    net = bpcode.Network((2, 3, 1), hidden="softplus", seed=0)
    with pytest.raises(ValueError) as info:
        FastStep(net, SGDSettings(0.1))
    assert str(info.value) == ("FastStep has no fast form of the hidden activation 'softplus': "
                               "expected one of ['identity', 'relu', 'sigmoid', 'tanh'] "
                               "(TextbookStep takes every activation)")
    x, t = data((2, 3, 1), 4, "sigmoid")
    TextbookStep(net, SGDSettings(0.1)).step(x, t)


@pytest.mark.parametrize("step", [FastStep, TextbookStep])
@pytest.mark.parametrize("case", ["decay", "velocity"])
def test_float32_decay_and_velocity_stay_float32_and_diverge_alike(case, step, no_warnings):
    """η λ and the new velocity are float32 in a float32 network, on both paths.
    λ = 1e300 makes η λ inf, so even W = 0 has the non-finite decay η λ W;
    and μ v + g = 0.5 · 3.4e38 + 0.6 · 3e38 (x = 0: g is the decay alone)
    overflows although W - (μ v + g) would not. Both steps refuse alike."""
    net = bpcode.Network([1, 1], output="identity", dtype="float32", seed=0)
    if case == "decay":
        net.set_parameters({2: [[0.0]]}, {2: [0.5]})
        stepper = step(net, SGDSettings(0.1, weight_decay=1e300))
        x = np.ones((1, 1), np.float32)
    else:
        net.set_parameters({2: [[3e38]]}, {2: [0.5]})
        stepper = step(net, SGDSettings(1.0, momentum=0.5, weight_decay=0.6))
        velocity = {2: (np.full((1, 1), 3.4e38, np.float32), np.zeros(1, np.float32))}
        if step is FastStep:
            stepper.adopt(net, velocity)
        else:
            stepper.velocity = velocity
        x = np.zeros((1, 1), np.float32)
    before = net.copy()
    with pytest.raises(bpcode.DivergenceError, match=r"^the update made W\[2\] or b\[2\] of "
                                                     r"layer 2 non-finite"):
        stepper.step(x, np.zeros((1, 1), np.float32))
    assert rel_diff(net, before) == 0


def test_without_momentum_the_velocity_stays_zero():
    """With μ = 0 there is no velocity: FastStep's stays zero, as the textbook's."""
    sizes = (4, 5, 3)
    x, t = data(sizes, 6, "softmax")
    net = make(sizes, "sigmoid", "softmax", "cross_entropy", "float64")
    fast = FastStep(net, SGDSettings(0.3, weight_decay=0.1))
    with fast_path_only():
        fast.step(x, t)
        fast.step(x, t)
    for l, (v_W, v_b) in fast.velocity.items():
        assert v_W.shape == net.W[l].shape and v_b.shape == net.b[l].shape
        assert not v_W.any() and not v_b.any()
