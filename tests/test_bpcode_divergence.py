"""Runs that explode stop with bpcode.DivergenceError, which names the epoch
and the layer, and leave the network with the finite parameters it had
before the failing step. The error is the whole message: no RuntimeWarning
(overflow, invalid value) comes with it."""

import warnings

import numpy as np
import pytest

import bpcode
from bpcode import DivergenceError, Network, sgd
from bpcode.datasets import regression_1d


def params(net):
    return ({l: w.copy() for l, w in net.W.items()}, {l: v.copy() for l, v in net.b.items()})


def assert_params_equal(net, snap):
    W, b = snap
    for l in net.W:
        assert np.array_equal(net.W[l], W[l]) and np.array_equal(net.b[l], b[l])


def assert_finite(net):
    for l in net.W:
        assert np.isfinite(net.W[l]).all() and np.isfinite(net.b[l]).all()


def run_to_divergence(net, x, t, **kwargs):
    """Full-batch SGD (one step per epoch) that must diverge; returns the
    error and the parameters after every finished epoch (index 0: initial)."""
    after = [params(net)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DivergenceError) as info:
            sgd(net, x, t, batch_size=len(x), seed=0,
                callback=lambda epoch, history: after.append(params(net)), **kwargs)
    assert [str(w.message) for w in caught] == []
    return info.value, after


def check_error(err, after, net, epoch=None, layer=None):
    assert isinstance(err, FloatingPointError)
    if epoch is not None:
        assert err.epoch == epoch
    if layer is not None:
        assert err.layer == layer
    assert 2 <= err.layer <= net.L
    message = str(err)
    assert f"epoch {err.epoch}" in message
    assert f"layer {err.layer}" in message
    assert_finite(net)
    if "on the training set" in message:
        # Found when the epoch is measured: its step gave finite parameters
        # whose outputs overflow. The network keeps them; epoch 0 took no step.
        assert len(after) == max(err.epoch, 1)
        if err.epoch == 0:
            assert_params_equal(net, after[0])
    else:
        # Found inside a step: the network keeps the parameters from before
        # it, i.e. those after the last finished epoch (one step per epoch).
        assert err.epoch >= 1
        assert len(after) == err.epoch
        assert_params_equal(net, after[-1])
    # The history holds the epochs done: 0, ..., err.epoch - 1.
    history = err.history
    assert isinstance(history, bpcode.History)
    assert history.epoch == list(range(err.epoch))
    for name in ("loss", "norms", "clipped_steps"):
        assert len(getattr(history, name)) == err.epoch, name


def test_relu_with_huge_learning_rate(sgd_path):
    """The first step leaves finite weights of order 1e100 whose outputs overflow:
    the end-of-epoch cost over the training set is inf, so training stops there,
    naming epoch 1 and the first layer whose z overflows, and the network keeps
    the finite parameters of that step."""
    x, t = regression_1d(n=20, seed=0)
    net = Network([1, 8, 8, 1], hidden="relu", output="identity", init="he", seed=0)
    err, after = run_to_divergence(net, x, t, eta=1e100, epochs=50)
    assert (err.epoch, err.layer) == (1, 4)
    assert "at the end of epoch 1, on the training set, the cost is inf" in str(err)
    assert "layer 4" in str(err)
    assert_finite(net)
    assert len(after) == 1  # the callback never saw epoch 1
    assert not np.array_equal(net.W[2], after[0][0][2])  # the step was taken
    assert err.history.epoch == [0]
    assert err.history.loss[0] < 10


def test_sigmoid_identity_with_huge_gain(sgd_path):
    """Weights of order 1e140 and an overshooting η grow until the quadratic
    cost overflows."""
    x, t = regression_1d(n=20, seed=0)
    net = Network([1, 8, 1], hidden="sigmoid", output="identity", init="xavier_normal",
                  gain=1e140, seed=0)
    err, after = run_to_divergence(net, x, t, eta=10.0, epochs=60)
    check_error(err, after, net, epoch=9, layer=3)
    assert np.isfinite(err.history.loss[0])


def test_network_that_starts_non_finite():
    """With gain 1e155 the very first cost overflows: training stops at epoch 0,
    before any step, and nothing moves."""
    x, t = regression_1d(n=20, seed=0)
    net = Network([1, 8, 1], hidden="sigmoid", output="identity", init="xavier_normal",
                  gain=1e155, seed=0)
    err, after = run_to_divergence(net, x, t, eta=0.1, epochs=5)
    check_error(err, after, net, epoch=0, layer=3)
    assert "before any step" in str(err)


def _overflowing_gradient():
    """Cost finite (a saturated sigmoid output with cross-entropy) but
    ∂C/∂W^2 = x δ^2 overflows: 1e11 · 1 · 1e300 · 0.25 > 1.8e308."""
    net = Network([1, 1, 1], hidden="sigmoid", output="sigmoid",
                  cost="binary_cross_entropy", seed=0)
    net.set_parameters({2: [[0.0]], 3: [[1e300]]}, {2: [0.0], 3: [0.0]})
    x, t = np.array([[1e11]]), np.array([[0.0]])
    assert np.isfinite(net.loss(x, t))
    return net, x, t


def test_non_finite_gradient_names_its_layer(sgd_path):
    """sgd measures the gradient over the training set before the first step,
    so it stops at epoch 0 with nothing changed."""
    net, x, t = _overflowing_gradient()
    err, after = run_to_divergence(net, x, t, eta=0.1, epochs=3)
    check_error(err, after, net, epoch=0, layer=2)
    assert "gradient of layer 2" in str(err)
    assert err.history.epoch == []


@pytest.mark.parametrize("step", [bpcode.TextbookStep, bpcode.FastStep])
def test_step_with_non_finite_gradient_names_its_layer(step):
    net, x, t = _overflowing_gradient()
    stepper = step(net, bpcode.SGDSettings(0.1, momentum=0.5))
    before, velocity = params(net), stepper.velocity
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DivergenceError, match=r"gradient of layer 2 .*is not finite"):
            stepper.step(x, t)
    assert caught == []
    assert_params_equal(net, before)
    for l, (v_W, v_b) in stepper.velocity.items():
        assert np.array_equal(v_W, velocity[l][0]) and np.array_equal(v_b, velocity[l][1])


def test_non_finite_update_names_its_layer(sgd_path):
    """The gradient is finite (100) but η ∂C/∂W = 1e307 · 100 overflows."""
    net = Network([1, 1], output="identity", seed=0)
    net.set_parameters({2: [[1.0]]}, {2: [0.0]})
    err, after = run_to_divergence(net, np.array([[10.0]]), np.array([[0.0]]), eta=1e307,
                                   epochs=3)
    check_error(err, after, net, epoch=1, layer=2)
    assert "update made W[2] or b[2]" in str(err)
    assert "eta=1e+307" in str(err)


def test_divergence_mid_epoch_keeps_finite_parameters(sgd_path):
    """With mini-batches the failing step can be inside an epoch; the
    parameters are still finite and the history stops at the last full epoch."""
    x, t = regression_1d(n=40, seed=0)
    net = Network([1, 16, 16, 1], hidden="relu", output="identity", init="he", seed=1)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DivergenceError) as info:
            sgd(net, x, t, eta=1e60, epochs=20, batch_size=5, seed=0)
    assert [str(w.message) for w in caught] == []
    err = info.value
    assert_finite(net)
    assert err.history.epoch == list(range(err.epoch))
    assert f"epoch {err.epoch}" in str(err) and f"layer {err.layer}" in str(err)


def test_momentum_run_diverges_cleanly(sgd_path):
    x, t = regression_1d(n=20, seed=0)
    net = Network([1, 8, 1], hidden="tanh", output="identity", init="xavier_normal", seed=0)
    err, after = run_to_divergence(net, x, t, eta=50.0, momentum=0.99, epochs=500)
    check_error(err, after, net)


@pytest.mark.parametrize("step", [bpcode.TextbookStep, bpcode.FastStep])
@pytest.mark.parametrize(("scale", "layer"), [(1e38, 2), (1e19, 3)])
def test_step_with_non_finite_cost_names_the_cost_and_its_layer(step, scale, layer):
    """The cost is checked before the gradient, and the error says so. With
    W^2 = 1e38, z^2 overflows float32; with W^2 = 1e19 every z is finite
    (z^3 = 3e19) but the cost (z^3)^2 / 2 is not, and the output layer is named."""
    net = Network([2, 3, 1], output="identity", dtype="float32", seed=0)
    net.set_parameters({2: np.full((2, 3), scale), 3: np.full((3, 1), 1e19)},
                       {2: np.zeros(3), 3: np.zeros(1)})
    x, t = np.full((2, 2), 10.0, np.float32), np.zeros((2, 1), np.float32)
    stepper = step(net, bpcode.SGDSettings(0.1))
    before = params(net)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(DivergenceError) as info:
            stepper.step(x, t)
        assert str(info.value).startswith(f"the cost is inf, first non-finite values in "
                                          f"layer {layer}; the network keeps its parameters")
        assert info.value.layer == layer and info.value.epoch is None
        with pytest.raises(bpcode.NonFiniteError, match=f"the cost is inf.*layer {layer}$"):
            stepper.measure(x, t)
    assert caught == []
    assert_params_equal(net, before)


def _validation_overflow(x_val):
    """A linear net y = W x + b (W = 1, b = 0) trained on one finite sample
    (x = 1, t = 10) and validated on x_val; the quadratic cost of x_val
    overflows once (W x_val)² / 2 > 1.8e308."""
    net = Network([1, 1], output="identity", seed=0)
    net.set_parameters({2: [[1.0]]}, {2: [0.0]})
    return net, np.array([[1.0]]), np.array([[10.0]]), (np.array([[x_val]]), np.array([[0.0]]))


@pytest.mark.parametrize(("x_val", "epoch", "when"), [
    (1e200, 0, "at epoch 0 (before any step)"),
    # (1e154)² / 2 = 5e307 is finite; the first step makes W = 1 + 0.1 · 9 = 1.9
    # and (1.9e154)² overflows.
    (1e154, 1, "at the end of epoch 1"),
])
def test_validation_that_overflows_names_the_validation_set_and_the_epoch(
        x_val, epoch, when, sgd_path, no_warnings):
    """The training set stays finite; the cost on the validation data overflows.
    The error says when, on which data, and why (the NonFiniteError of
    net.loss on the validation data), carries the epoch, the layer and the
    history of the epochs before, and the network keeps its finite parameters."""
    net, x, t, validation = _validation_overflow(x_val)
    seen = []
    with pytest.raises(DivergenceError) as info:
        sgd(net, x, t, eta=0.1, epochs=3, batch_size=1, seed=0, validation=validation,
            callback=lambda e, history: seen.append(e))
    err = info.value
    with pytest.raises(bpcode.NonFiniteError) as cause:
        net.loss(*validation)
    assert str(err) == (f"training diverged: {when}, on the validation set, {cause.value}; "
                        f"every parameter is finite and the network keeps them")
    assert (err.epoch, err.layer) == (epoch, 2)
    assert seen == []  # the epoch that diverged is not reported as finished
    assert isinstance(err.history, bpcode.History)
    assert err.history.epoch == list(range(epoch))
    assert err.history.val_loss == [pytest.approx(0.5 * x_val ** 2) for _ in range(epoch)]
    expected_W = 1.0 if epoch == 0 else 1.9
    assert net.W[2][0, 0] == pytest.approx(expected_W, rel=1e-15)


def test_step_that_diverges_inside_sgd_says_so_exactly(sgd_path, no_warnings):
    """The step's own message, after the epoch it happened in; the error
    carries that epoch, the step's layer and the history of the epochs before."""
    net = Network([1, 1], output="identity", seed=0)
    net.set_parameters({2: [[1.0]]}, {2: [0.0]})
    with pytest.raises(DivergenceError) as info:
        sgd(net, np.array([[10.0]]), np.array([[0.0]]), eta=1e307, epochs=3, batch_size=1,
            seed=0)
    err = info.value
    assert str(err) == ("training diverged in epoch 1: the update made W[2] or b[2] of layer 2 "
                        "non-finite (learning rate eta=1e+307 too large?); the network keeps "
                        "its parameters from before this step")
    assert (err.epoch, err.layer) == (1, 2)
    assert err.history.epoch == [0] and err.history.loss == [50.0]
    assert (net.W[2][0, 0], net.b[2][0]) == (1.0, 0.0)


def _two_layers_overflow_in_the_update():
    """Identity layers, W^2 = W^3 = 1, x = 10, t = 0: δ^3 = 10, δ^2 = W^3 δ^3 = 10 and
    ∂C/∂W^3 = a^2 δ^3 = ∂C/∂W^2 = x δ^2 = 100, so η = 1e307 overflows both layers."""
    net = Network([1, 1, 1], hidden="identity", output="identity", seed=0)
    net.set_parameters({2: [[1.0]], 3: [[1.0]]}, {2: [0.0], 3: [0.0]})
    return net, np.array([[10.0]]), np.array([[0.0]]), 1e307


def _two_layers_overflow_in_the_gradient():
    """Identity layers, W^2 = 1e-50, W^3 = 1e-46, x = 1e250, t = 0: a^2 = 1e200,
    y = δ^3 = 1e154 (the cost 5e307 is finite) and δ^2 = W^3 δ^3 = 1e108, so
    ∂C/∂W^3 = a^2 δ^3 = 1e354 and ∂C/∂W^2 = x δ^2 = 1e358 both overflow."""
    net = Network([1, 1, 1], hidden="identity", output="identity", seed=0)
    net.set_parameters({2: [[1e-50]], 3: [[1e-46]]}, {2: [0.0], 3: [0.0]})
    return net, np.array([[1e250]]), np.array([[0.0]]), 0.1


@pytest.mark.parametrize("step", [bpcode.TextbookStep, bpcode.FastStep])
@pytest.mark.parametrize(("case", "message"), [
    (_two_layers_overflow_in_the_update,
     "the update made W[3] or b[3] of layer 3 non-finite (learning rate eta=1e+307 too "
     "large?); the network keeps its parameters from before this step"),
    (_two_layers_overflow_in_the_gradient,
     "the gradient of layer 3 (dC/dW[3] or dC/db[3]) is not finite; the network keeps its "
     "parameters from before this step"),
])
def test_when_every_layer_overflows_the_output_layer_is_named(step, case, message,
                                                              no_warnings):
    """Backpropagation goes from layer L down to 2, and so does the check: the
    error names the highest layer whose values are not finite."""
    net, x, t, eta = case()
    before = params(net)
    with pytest.raises(DivergenceError) as info:
        step(net, bpcode.SGDSettings(eta)).step(x, t)
    assert str(info.value) == message
    assert (info.value.layer, info.value.epoch, info.value.history) == (3, None, None)
    assert_params_equal(net, before)


def test_textbook_step_checks_its_arguments_and_starts_with_zero_velocity():
    net = Network([2, 3, 1], dtype="float32", seed=0)
    with pytest.raises(TypeError) as info:
        bpcode.TextbookStep("net", bpcode.SGDSettings(0.1))
    assert str(info.value) == "net must be a bpcode.Network, got str"
    with pytest.raises(TypeError) as info:
        bpcode.TextbookStep(net, 0.1)
    assert str(info.value) == "settings must be a bpcode.SGDSettings, got float"
    stepper = bpcode.TextbookStep(net, bpcode.SGDSettings(0.1, momentum=0.9))
    assert stepper.net is net
    assert sorted(stepper.velocity) == [2, 3]
    for l, (v_W, v_b) in stepper.velocity.items():
        assert v_W.shape == net.W[l].shape and v_b.shape == net.b[l].shape
        assert v_W.dtype == v_b.dtype == np.float32
        assert not v_W.any() and not v_b.any()
