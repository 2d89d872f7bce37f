"""Training with bpcode.sgd: it learns, its options do what they say, its
history is right, and it is reproducible and keeps the network's dtype."""

import numpy as np
import pytest

import bpcode
from bpcode import Network, gradient_norms, sgd
from bpcode.datasets import digits, regression_1d, xor


def params(net):
    return ({l: w.copy() for l, w in net.W.items()}, {l: v.copy() for l, v in net.b.items()})


def flat(W, b):
    return np.concatenate([np.concatenate([W[l].ravel(), b[l].ravel()]) for l in sorted(W)])


# ------------------------------------------------------------------ learning


def test_sgd_learns_xor(sgd_path):
    x, t = xor()
    net = Network([2, 3, 1], seed=0)
    history = sgd(net, x, t, eta=3.0, epochs=2000, batch_size=4, seed=0)
    assert history.loss[-1] < 0.01
    assert history.loss[-1] == pytest.approx(net.loss(x, t), rel=1e-14)
    assert net.loss(x, t) < history.loss[0]
    assert history.train_accuracy[-1] == 1.0
    np.testing.assert_array_equal(net.predict(x) > 0.5, t > 0.5)


def test_sgd_learns_digits():
    data = digits()
    net = Network([64, 30, 10], init="xavier_normal", seed=0)
    history = sgd(net, data.x_train, data.t_train, eta=2.0, epochs=30, batch_size=10, seed=0,
                  validation=(data.x_test, data.t_test))
    accuracy = net.accuracy(data.x_test, data.t_test)
    assert accuracy >= 0.96
    assert history.val_accuracy[-1] == accuracy
    assert history.train_accuracy[-1] >= 0.96
    assert history.loss[-1] < history.loss[0] / 5


# ------------------------------------------------------------------ momentum


def _linear_net():
    net = Network([2, 1], output="identity", cost="quadratic", seed=0)
    net.set_parameters({2: [[0.5], [-0.3]]}, {2: [0.1]})
    x = np.array([[1.0, 2.0], [-1.0, 0.5]])
    t = np.array([[0.5], [-0.2]])
    return net, x, t


def _by_hand(eta, mu, epochs, weight_decay=0.0):
    """Full-batch steps on the linear net, in plain Python floats:
    g = ∂C/∂θ of the mean quadratic cost (+ λ w for the weights),
    v ← μ v + g, θ ← θ - η v."""
    w1, w2, b = 0.5, -0.3, 0.1
    samples = [((1.0, 2.0), 0.5), ((-1.0, 0.5), -0.2)]
    v1 = v2 = vb = 0.0
    path = []
    for _ in range(epochs):
        g1 = g2 = gb = 0.0
        for (x1, x2), t in samples:
            e = w1 * x1 + w2 * x2 + b - t  # δ = y - t for the identity output
            g1 += e * x1 / 2
            g2 += e * x2 / 2
            gb += e / 2
        g1 += weight_decay * w1
        g2 += weight_decay * w2
        v1, v2, vb = mu * v1 + g1, mu * v2 + g2, mu * vb + gb
        w1, w2, b = w1 - eta * v1, w2 - eta * v2, b - eta * vb
        path.append((w1, w2, b))
    return path


def _trained_path(net, x, t, **kwargs):
    path = []

    def record(epoch, history):
        path.append((net.W[2][0, 0], net.W[2][1, 0], net.b[2][0]))

    sgd(net, x, t, batch_size=len(x), seed=0, callback=record, **kwargs)
    return path


@pytest.mark.parametrize("mu", [0.0, 0.5, 0.9])
def test_momentum_matches_formula(mu, sgd_path):
    net, x, t = _linear_net()
    path = _trained_path(net, x, t, eta=0.1, epochs=4, momentum=mu)
    np.testing.assert_allclose(path, _by_hand(0.1, mu, 4), rtol=1e-13, atol=1e-15)


def test_momentum_changes_the_path(sgd_path):
    a, x, t = _linear_net()
    b, _, _ = _linear_net()
    plain = _trained_path(a, x, t, eta=0.1, epochs=3)
    heavy = _trained_path(b, x, t, eta=0.1, epochs=3, momentum=0.9)
    assert plain[0] == heavy[0]  # v starts at 0, so the first step is the same
    assert not np.allclose(plain[1:], heavy[1:])


# -------------------------------------------------------------- weight decay


def test_weight_decay_matches_formula(sgd_path):
    net, x, t = _linear_net()
    path = _trained_path(net, x, t, eta=0.1, epochs=3, weight_decay=0.3)
    np.testing.assert_allclose(path, _by_hand(0.1, 0.0, 3, weight_decay=0.3), rtol=1e-13,
                               atol=1e-15)


def test_weight_decay_one_step_leaves_biases_undecayed(sgd_path):
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((6, 3)), rng.uniform(0, 1, (6, 2))
    net = Network([3, 4, 2], seed=1)
    W0, b0 = params(net)
    grads = net.backward(x, t)
    sgd(net, x, t, eta=0.5, epochs=1, batch_size=6, weight_decay=0.1, seed=0)
    for l in net.W:
        np.testing.assert_allclose(net.W[l], W0[l] - 0.5 * (grads.dW[l] + 0.1 * W0[l]),
                                   rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(net.b[l], b0[l] - 0.5 * grads.db[l], rtol=1e-13,
                                   atol=1e-15)


def test_weight_decay_shrinks_weights():
    x, t = regression_1d(n=50, seed=1)
    nets = {}
    for decay in (0.0, 0.05):
        net = Network([1, 10, 1], hidden="tanh", output="identity", init="normal", seed=2)
        sgd(net, x, t, eta=0.05, epochs=100, batch_size=10, weight_decay=decay, seed=3)
        nets[decay] = net
    for l in nets[0.0].W:
        assert np.linalg.norm(nets[0.05].W[l]) < 0.9 * np.linalg.norm(nets[0.0].W[l])


# ------------------------------------------------------------------ clipping


def test_clipped_step_has_length_eta_times_clip_norm(sgd_path):
    rng = np.random.default_rng(4)
    x, t = rng.standard_normal((8, 3)), rng.uniform(0, 1, (8, 2))
    net = Network([3, 5, 2], seed=5)
    W0, b0 = params(net)
    grads = net.backward(x, t)
    g = flat(grads.dW, grads.db)
    clip = 0.001
    assert np.linalg.norm(g) > 10 * clip
    history = sgd(net, x, t, eta=2.0, epochs=1, batch_size=8, clip_norm=clip, seed=0)
    step = flat(net.W, net.b) - flat(W0, b0)
    assert np.linalg.norm(step) == pytest.approx(2.0 * clip, rel=1e-12)
    np.testing.assert_allclose(step, -2.0 * clip * g / np.linalg.norm(g), rtol=1e-10,
                               atol=1e-17)
    assert history.clipped_steps == [0, 1]


def test_clipped_steps_counts_every_clipped_batch(sgd_path):
    x, t = regression_1d(n=20, seed=0)
    net = Network([1, 4, 1], output="identity", seed=0)
    history = sgd(net, x, t, eta=0.1, epochs=3, batch_size=5, clip_norm=1e-6, seed=0)
    assert history.clipped_steps == [0, 4, 4, 4]


def test_large_clip_norm_changes_nothing(sgd_path):
    x, t = regression_1d(n=20, seed=0)
    a = Network([1, 4, 1], output="identity", seed=0)
    b = Network([1, 4, 1], output="identity", seed=0)
    ha = sgd(a, x, t, eta=0.1, epochs=3, batch_size=5, seed=0)
    hb = sgd(b, x, t, eta=0.1, epochs=3, batch_size=5, clip_norm=1e6, seed=0)
    assert hb.clipped_steps == [0, 0, 0, 0]
    assert ha.clipped_steps == [0, 0, 0, 0]
    for l in a.W:
        assert np.array_equal(a.W[l], b.W[l]) and np.array_equal(a.b[l], b.b[l])


# ------------------------------------------------------------------- history


def test_history_regression_with_validation(sgd_path):
    x, t = regression_1d(n=30, seed=0)
    xv, tv = regression_1d(n=10, seed=1)
    net = Network([1, 6, 1], hidden="tanh", output="identity", init="xavier_normal", seed=0)
    loss0 = net.loss(x, t)
    seen = []
    history = sgd(net, x, t, eta=0.1, epochs=4, batch_size=7, seed=0, validation=(xv, tv),
                  callback=lambda epoch, h: seen.append((epoch, len(h.loss))))
    assert seen == [(1, 2), (2, 3), (3, 4), (4, 5)]
    assert history.epoch == [0, 1, 2, 3, 4]
    assert history.layers == [2, 3]
    for name in ("loss", "val_loss", "norms", "clipped_steps"):
        assert len(getattr(history, name)) == 5, name
    assert history.train_accuracy is None and history.val_accuracy is None
    assert history.loss[0] == pytest.approx(loss0, rel=1e-15)
    assert history.loss[-1] == pytest.approx(net.loss(x, t), rel=1e-15)
    assert history.val_loss[-1] == pytest.approx(net.loss(xv, tv), rel=1e-15)
    norms = gradient_norms(net, x, t)
    assert list(norms.layers) == history.layers
    np.testing.assert_allclose(history.norms[-1].weight, norms.weight, rtol=1e-14)
    np.testing.assert_allclose(history.norms[-1].delta, norms.delta, rtol=1e-14)
    assert all(isinstance(v, float) for v in history.loss + history.val_loss)


def test_history_epoch_zero_is_initial_state(sgd_path):
    x, t = xor()
    net = Network([2, 3, 1], seed=4)
    W0, b0 = params(net)
    norms0 = gradient_norms(net, x, t)
    history = sgd(net, x, t, eta=1.0, epochs=0, batch_size=2, seed=0)
    assert history.epoch == [0]
    assert history.loss == [pytest.approx(net.loss(x, t), rel=1e-15)]
    np.testing.assert_allclose(history.norms[0].weight, norms0.weight, rtol=1e-14)
    assert history.clipped_steps == [0]
    assert history.train_accuracy == [net.accuracy(x, t)]
    assert history.val_loss is None and history.val_accuracy is None
    for l in net.W:
        assert np.array_equal(net.W[l], W0[l]) and np.array_equal(net.b[l], b0[l])


def test_history_classification():
    x, t = xor()
    net = Network([2, 3, 1], seed=0)
    history = sgd(net, x, t, eta=3.0, epochs=3, batch_size=4, seed=0, validation=(x, t))
    assert len(history.train_accuracy) == len(history.val_accuracy) == 4
    assert history.val_loss == pytest.approx(history.loss, rel=1e-15)
    assert history.val_accuracy == history.train_accuracy
    assert all(0.0 <= a <= 1.0 for a in history.train_accuracy)
    assert history.train_accuracy[-1] == net.accuracy(x, t)


def test_history_grad_norms_on_full_training_set_after_minibatches():
    data = digits()
    x, t = data.x_train[:200], data.t_train[:200]
    net = Network([64, 12, 10], hidden="tanh", output="softmax", cost="cross_entropy",
                  init="xavier_normal", seed=1)
    history = sgd(net, x, t, eta=0.5, epochs=2, batch_size=32, seed=0)
    norms = gradient_norms(net, x, t)
    np.testing.assert_allclose(history.norms[-1].weight, norms.weight, rtol=1e-14)
    np.testing.assert_allclose(history.norms[-1].delta, norms.delta, rtol=1e-14)
    grads = net.backward(x, t)
    np.testing.assert_allclose(history.norms[-1].weight,
                               [np.sqrt((grads.dW[l] ** 2).sum()) for l in (2, 3)],
                               rtol=1e-12)


# ----------------------------------------------------------- reproducibility


def _train(seed_net, seed_sgd, dtype="float64"):
    x, t = regression_1d(n=40, seed=0)
    net = Network([1, 8, 8, 1], hidden="tanh", output="identity", init="xavier_normal",
                  seed=seed_net, dtype=dtype)
    history = sgd(net, x, t, eta=0.05, epochs=5, batch_size=6, momentum=0.5, seed=seed_sgd)
    return net, history


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_same_seeds_give_bit_identical_weights(dtype, sgd_path):
    a, ha = _train(1, 2, dtype)
    b, hb = _train(1, 2, dtype)
    for l in a.W:
        assert np.array_equal(a.W[l], b.W[l]) and np.array_equal(a.b[l], b.b[l])
    assert ha.loss == hb.loss


def test_different_shuffle_seed_gives_different_weights():
    a, _ = _train(1, 2)
    b, _ = _train(1, 3)
    assert not np.array_equal(a.W[2], b.W[2])


def test_generator_seed_for_sgd():
    x, t = regression_1d(n=20, seed=0)
    a = Network([1, 3, 1], output="identity", seed=0)
    b = Network([1, 3, 1], output="identity", seed=0)
    sgd(a, x, t, eta=0.1, epochs=2, batch_size=3, seed=9)
    sgd(b, x, t, eta=0.1, epochs=2, batch_size=3, seed=np.random.default_rng(9))
    assert all(np.array_equal(a.W[l], b.W[l]) for l in a.W)


# ---------------------------------------------------------------- precision


def _assert_dtype(arrays, dtype):
    for key, array in arrays.items():
        assert array.dtype == dtype, (key, array.dtype)


@pytest.mark.parametrize(("output", "cost"), [("sigmoid", "quadratic"),
                                              ("softmax", "cross_entropy"),
                                              ("sigmoid", "binary_cross_entropy"),
                                              ("softmax", "quadratic")])
@pytest.mark.parametrize("hidden", ["sigmoid", "relu", "tanh", "identity"])
def test_float32_stays_float32(hidden, output, cost, sgd_path):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((10, 3))  # float64 input, cast to the network's dtype
    t = np.eye(3)[rng.integers(0, 3, 10)]
    net = Network([3, 5, 3], hidden=hidden, output=output, cost=cost, dtype="float32",
                  init="xavier_normal", seed=0)
    _assert_dtype(net.W, np.float32)
    _assert_dtype(net.b, np.float32)
    forward = net.forward(x)
    assert forward.y.dtype == np.float32
    _assert_dtype(forward.z, np.float32)
    _assert_dtype(forward.a, np.float32)
    grads = net.backward(x, t)
    for d in (grads.delta, grads.dW, grads.db, grads.z, grads.a):
        _assert_dtype(d, np.float32)
    assert isinstance(grads.loss, float)
    history = sgd(net, x, t, eta=0.1, epochs=2, batch_size=4, momentum=0.9,
                  weight_decay=0.01, clip_norm=0.5, seed=0, validation=(x, t))
    _assert_dtype(net.W, np.float32)
    _assert_dtype(net.b, np.float32)
    assert all(np.isfinite(history.loss))
    assert net.predict(x).dtype == np.float32


@pytest.mark.parametrize("option", [{"clip_norm": 1e-4}, {"momentum": 0.9},
                                    {"weight_decay": 0.1}])
def test_float32_sgd_options_do_not_upcast(option, sgd_path):
    """Every step is clipped (or uses momentum / decay) and the parameters stay float32."""
    x, t = regression_1d(n=12, seed=0)
    net = Network([1, 4, 1], output="identity", dtype="float32", seed=0)
    W0, _ = params(net)
    history = sgd(net, x, t, eta=0.1, epochs=2, batch_size=4, seed=0, **option)
    if "clip_norm" in option:
        assert history.clipped_steps == [0, 3, 3]
    _assert_dtype(net.W, np.float32)
    _assert_dtype(net.b, np.float32)
    assert not np.array_equal(net.W[2], W0[2])


def test_float32_input_to_float64_network_computes_in_float64():
    rng = np.random.default_rng(1)
    x32 = rng.standard_normal((4, 3)).astype(np.float32)
    t32 = rng.uniform(0, 1, (4, 2)).astype(np.float32)
    net = Network([3, 4, 2], seed=0)
    forward = net.forward(x32)
    assert forward.y.dtype == np.float64
    _assert_dtype(forward.z, np.float64)
    _assert_dtype(forward.a, np.float64)
    assert np.array_equal(forward.y, net.forward(x32.astype(np.float64)).y)
    grads = net.backward(x32, t32)
    _assert_dtype(grads.dW, np.float64)
    _assert_dtype(grads.delta, np.float64)
    sgd(net, x32, t32, eta=0.1, epochs=1, batch_size=2, seed=0)
    _assert_dtype(net.W, np.float64)


def test_float32_training_tracks_float64():
    a, _ = _train(1, 2, "float64")
    b, _ = _train(1, 2, "float32")
    for l in a.W:
        np.testing.assert_allclose(b.W[l], a.W[l], rtol=1e-3, atol=1e-4)


def test_integer_and_bool_inputs_are_cast():
    x = np.array([[0, 1], [1, 0]])
    t = np.array([[True], [False]])
    net = Network([2, 2, 1], seed=0)
    assert net.forward(x).y.dtype == np.float64
    assert np.array_equal(net.backward(x, t).dW[2], net.backward(x.astype(float),
                                                                 t.astype(float)).dW[2])


def test_update_returns_new_dicts():
    net = Network([2, 2, 1], seed=0)
    W0, b0 = params(net)
    grads = net.backward([[1.0, 2.0]], [[0.5]])
    W, b = bpcode.update(net.W, net.b, grads.dW, grads.db, 0.5)
    for l in net.W:
        assert np.array_equal(net.W[l], W0[l]) and np.array_equal(net.b[l], b0[l])
        np.testing.assert_allclose(W[l], W0[l] - 0.5 * grads.dW[l], rtol=1e-15)
        np.testing.assert_allclose(b[l], b0[l] - 0.5 * grads.db[l], rtol=1e-15)


def test_accuracy_of_one_output_counts_y_above_one_half_as_class_1():
    """y = 1/2 exactly (all parameters 0) is class 0, and t is read the same way."""
    net = Network([2, 1], seed=0)
    net.set_parameters({2: np.zeros((2, 1))}, {2: np.zeros(1)})
    x = np.ones((4, 2))
    assert net.accuracy(x, np.array([[0.0], [0.0], [1.0], [0.0]])) == 0.75
    net.set_parameters({2: np.zeros((2, 1))}, {2: np.full(1, 1e-12)})
    assert net.accuracy(x, np.array([[0.0], [0.0], [1.0], [0.0]])) == 0.25


def test_accuracy_of_several_outputs_takes_the_first_of_equal_largest_outputs():
    net = Network([2, 3], output="softmax", cost="cross_entropy", seed=0)
    net.set_parameters({2: np.zeros((2, 3))}, {2: np.array([0.0, 1.0, 1.0])})
    assert net.accuracy(np.ones((3, 2)), np.eye(3)) == 1 / 3


# ------------------------------------------------------ settings and the loop


def test_sgd_settings_store_the_checked_values_as_floats():
    settings = bpcode.SGDSettings(1, momentum=np.float32(0.5), weight_decay=0, clip_norm=2)
    assert (settings.eta, settings.momentum, settings.weight_decay, settings.clip_norm) == (
        1.0, 0.5, 0.0, 2.0)
    for name in ("eta", "momentum", "weight_decay", "clip_norm"):
        assert type(getattr(settings, name)) is float, name
    plain = bpcode.SGDSettings(0.1)
    assert (plain.momentum, plain.weight_decay, plain.clip_norm) == (0.0, 0.0, None)
    assert type(plain.momentum) is float and type(plain.weight_decay) is float
    # The edges that are allowed: μ = 0 and just below 1, λ = 0, a tiny η and clip_norm.
    edge = bpcode.SGDSettings(1e-300, momentum=np.nextafter(1.0, 0.0), clip_norm=1e-300)
    assert edge.momentum == np.nextafter(1.0, 0.0)
    with pytest.raises(AttributeError):
        plain.eta = 0.2  # frozen


@pytest.mark.parametrize(("arguments", "error", "message"), [
    ({"eta": 0}, ValueError, "eta must be > 0, got 0.0"),
    ({"eta": -1}, ValueError, "eta must be > 0, got -1.0"),
    ({"eta": np.inf}, ValueError, "eta must be finite, got inf"),
    ({"eta": "0.1"}, TypeError, "eta must be a real number, got '0.1'"),
    ({"eta": 0.1, "momentum": 1}, ValueError, "momentum must be < 1, got 1.0"),
    ({"eta": 0.1, "momentum": 2.5}, ValueError, "momentum must be < 1, got 2.5"),
    ({"eta": 0.1, "momentum": -0.5}, ValueError, "momentum must be >= 0, got -0.5"),
    ({"eta": 0.1, "momentum": None}, TypeError, "momentum must be a real number, got None"),
    ({"eta": 0.1, "weight_decay": -1}, ValueError, "weight_decay must be >= 0, got -1.0"),
    ({"eta": 0.1, "weight_decay": np.nan}, ValueError, "weight_decay must be finite, got nan"),
    ({"eta": 0.1, "clip_norm": 0}, ValueError, "clip_norm must be > 0, got 0.0"),
    ({"eta": 0.1, "clip_norm": -2}, ValueError, "clip_norm must be > 0, got -2.0"),
    ({"eta": 0.1, "clip_norm": "1"}, TypeError, "clip_norm must be a real number, got '1'"),
])
def test_sgd_settings_say_exactly_what_is_wrong(arguments, error, message):
    with pytest.raises(error) as info:
        bpcode.SGDSettings(**arguments)
    assert str(info.value) == message


def test_sgd_steps_through_the_batches_of_a_seeded_shuffle(sgd_path):
    """Each epoch draws order = rng.permutation(n) from default_rng(seed) and
    steps through x[order] in batches of batch_size, the last one smaller
    (10 = 4 + 4 + 2). Replayed here with TextbookStep; the callback gets the
    epoch and the history that sgd returns, after the epoch is recorded."""
    x, t = regression_1d(n=10, seed=0)
    net = Network([1, 3, 1], hidden="tanh", output="identity", seed=0)
    replay = net.copy()
    settings = bpcode.SGDSettings(0.1, momentum=0.5, weight_decay=0.01, clip_norm=1.0)
    stepper = bpcode.TextbookStep(replay, settings)
    rng = np.random.default_rng(7)
    expected = []  # (parameters, clipped steps) after every epoch
    for _ in range(3):
        order = rng.permutation(10)
        clipped = sum(stepper.step(x[order][start:start + 4], t[order][start:start + 4])
                      for start in (0, 4, 8))
        expected.append((flat(replay.W, replay.b), clipped))
    seen = []

    def callback(epoch, history):
        seen.append((epoch, history, len(history.epoch), flat(net.W, net.b)))

    history = sgd(net, x, t, eta=0.1, epochs=3, batch_size=4, momentum=0.5, weight_decay=0.01,
                  clip_norm=1.0, seed=7, callback=callback)
    assert [(epoch, length) for epoch, _, length, _ in seen] == [(1, 2), (2, 3), (3, 4)]
    assert all(h is history for _, h, _, _ in seen)
    assert history.clipped_steps == [0] + [clipped for _, clipped in expected]
    assert 0 < sum(history.clipped_steps) < 9  # some steps clipped, not all
    for (_, _, _, theta), (want, _) in zip(seen, expected, strict=True):
        if sgd_path == "textbook":
            assert np.array_equal(theta, want)
        else:
            np.testing.assert_allclose(theta, want, rtol=1e-12, atol=1e-15)
    assert history.loss[-1] == pytest.approx(replay.loss(x, t), rel=1e-13)


def _one_sample_net(x, t, **kwargs):
    """y = W x + b with W = b = 0 and one sample (x, t)."""
    net = Network([1, 1], **kwargs)
    net.set_parameters({2: [[0.0]]}, {2: [0.0]})
    return net, np.array([[x]]), np.array([[t]])


@pytest.mark.parametrize(("clip_norm", "clipped", "scale"), [
    (5.0, False, 1.0),        # ‖g‖ = clip_norm: not longer, so not clipped
    (4.0, True, 4.0 / 5.0),   # scaled to length 4
    (6.0, False, 1.0),
])
def test_clipping_scales_only_a_gradient_longer_than_clip_norm(clip_norm, clipped, scale):
    """Quadratic cost, x = 3/4, t = -4: δ = y - t = 4, ∂C/∂W = x δ = 3 and
    ∂C/∂b = δ = 4, so ‖g‖ = 5 exactly; the step is θ ← θ - η g · clip_norm/‖g‖
    when ‖g‖ > clip_norm, computed here in the same float64 operations."""
    net, x, t = _one_sample_net(0.75, -4.0, output="identity", cost="quadratic")
    stepper = bpcode.TextbookStep(net, bpcode.SGDSettings(0.5, clip_norm=clip_norm))
    assert stepper.step(x, t) is clipped
    assert net.W[2][0, 0] == 0.0 - 0.5 * (3.0 * scale)
    assert net.b[2][0] == 0.0 - 0.5 * (4.0 * scale)


def test_clipping_a_gradient_whose_sum_of_squares_overflows(no_warnings):
    """x = 1e200 and a sigmoid output at z = 0 with cross-entropy: δ = a - t = 1/2,
    ∂C/∂W = 5e199 (its square overflows, its length does not) and ∂C/∂b = 1/2.
    ‖g‖ = 5e199, so the clipped gradient is (1, 1e-200)."""
    net, x, t = _one_sample_net(1e200, 0.0, output="sigmoid", cost="binary_cross_entropy")
    stepper = bpcode.TextbookStep(net, bpcode.SGDSettings(0.5, clip_norm=1.0))
    assert stepper.step(x, t) is True
    assert net.W[2][0, 0] == pytest.approx(-0.5, rel=1e-15)
    assert net.b[2][0] == pytest.approx(-0.5e-200, rel=1e-15)


def test_sgd_says_exactly_what_is_wrong_with_step_validation_and_callback():
    x, t = xor()
    net = Network([2, 3, 1], seed=0)

    def message(error, **kwargs):
        with pytest.raises(error) as info:
            sgd(net, x, t, eta=0.1, epochs=1, batch_size=2, seed=0, **kwargs)
        return str(info.value)

    assert message(ValueError, step="slow") == (
        "unknown step 'slow': expected one of ['fast', 'textbook']")
    assert message(TypeError, step=None) == "step must be a name (str), got None"
    assert message(TypeError, validation=(x,)) == "validation must be a pair (x_val, t_val)"
    assert message(TypeError, callback="print") == "callback must be callable, got 'print'"
    with pytest.raises(ValueError) as cause:
        net.check_batch(x, t[:3])
    assert message(ValueError, validation=(x, t[:3])) == f"validation (x_val, t_val): {cause.value}"
