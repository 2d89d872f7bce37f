"""Values that overflow (issue 14, item 9, and the entry points of bpcode): a
call on finite inputs and finite parameters raises bpcode.NonFiniteError (a
FloatingPointError) naming the layer where the values stopped being finite,
changes nothing and prints no RuntimeWarning; DivergenceError, one of them,
comes without warnings too.
"""

import numpy as np
import pytest
from snapshots import assert_unchanged, snapshot, softmax_net

import bpcode
from bpcode import DivergenceError, FastStep, Network, NonFiniteError, SGDSettings, TextbookStep

X = np.random.default_rng(0).normal(size=(6, 3))


# ----------------------------------------------- 9. divergence without warnings


@pytest.mark.parametrize("step", ["fast", "textbook"])
@pytest.mark.parametrize(("eta", "batch_size"), [(1e100, 20), (1e60, 5), (1e307, 1)])
def test_divergence_error_comes_without_runtime_warnings(step, eta, batch_size, no_warnings):
    x, t = bpcode.datasets.regression_1d(n=20, seed=0)
    net = Network([1, 8, 8, 1], hidden="relu", output="identity", init="he", seed=0)
    with pytest.raises(DivergenceError) as info:
        bpcode.sgd(net, x, t, eta=eta, epochs=20, batch_size=batch_size, seed=0, step=step)
    assert isinstance(info.value, NonFiniteError) and 2 <= info.value.layer <= 4


# ------------------------------------------- overflow in the checked entry points


def exploding():
    """A ReLU network with finite weights of 1e200: z^3 overflows."""
    net = Network([3, 4, 2], hidden="relu", output="identity", seed=0)
    net.set_parameters({l: w * 1e200 for l, w in net.W.items()}, net.b)
    return net, np.abs(X), np.zeros((6, 2))


OVERFLOW_CALLS = {
    "forward": lambda net, x, t: net.forward(x),
    "predict": lambda net, x, t: net.predict(x),
    "loss": lambda net, x, t: net.loss(x, t),
    "backward": lambda net, x, t: net.backward(x, t),
    "accuracy": lambda net, x, t: net.accuracy(x, t),
    "gradient_norms": lambda net, x, t: bpcode.gradient_norms(net, x, t),
    "saturation": lambda net, x, t: bpcode.saturation(net, x),
    "check_gradients": lambda net, x, t: bpcode.check_gradients(net, x, t),
    "numerical_delta": lambda net, x, t: bpcode.numerical_delta(net, x, t, 2),
}


@pytest.mark.parametrize("call", list(OVERFLOW_CALLS))
def test_overflow_raises_naming_the_layer(call, no_warnings):
    net, x, t = exploding()
    snap = snapshot(net)
    with pytest.raises(NonFiniteError, match=r"\bz\^3 is not finite in layer 3: the values "
                                             r"overflow the range of float64") as info:
        OVERFLOW_CALLS[call](net, x, t)
    assert info.value.layer == 3 and isinstance(info.value, FloatingPointError)
    assert_unchanged(net, snap)


def test_gradient_norms_can_show_the_overflow_on_purpose(no_warnings):
    net, x, t = exploding()
    norms = bpcode.gradient_norms(net, x, t, allow_overflow=True)
    assert not np.isfinite(norms.weight).all()
    with pytest.raises(TypeError, match=r"\ballow_overflow must be True or False"):
        bpcode.gradient_norms(net, x, t, allow_overflow="yes")


def test_parameters_set_in_place_are_named():
    net = softmax_net()
    net.W[3][0, 0] = np.inf
    with pytest.raises(ValueError, match=r"\bW\[3\] or b\[3\] is not finite"):
        net.forward(X)


def test_norms_neither_overflow_nor_underflow(no_warnings):
    """‖g‖ of finite g is finite when g·g overflows, and not 0 when it underflows."""
    norms = bpcode.layer_norms({2: np.full((2, 2), 1e200), 3: np.full((2, 1), 1e-200)},
                               {2: np.full((4, 2), 1e200), 3: np.full((4, 1), 1e-200)})
    np.testing.assert_allclose(norms.weight, [2e200, np.sqrt(2) * 1e-200], rtol=1e-15)
    np.testing.assert_allclose(norms.delta, [np.sqrt(2) * 1e200, 1e-200], rtol=1e-15)


@pytest.mark.parametrize("step", [TextbookStep, FastStep])
def test_clipping_when_the_sum_of_squares_overflows(step, no_warnings):
    """‖g‖² = 1e320 overflows although ‖g‖ = 1e160 does not: the step is still
    clipped to length η·clip_norm (it used to be scaled to zero)."""
    net = Network([1, 1], output="identity", seed=0)
    net.set_parameters({2: [[1e140]]}, {2: [0.0]})
    x, t = np.array([[1e10]]), np.array([[0.0]])
    assert step(net, SGDSettings(0.5, clip_norm=1.0)).step(x, t) is True
    assert net.b[2][0] == pytest.approx(-0.5 * 1e150 / np.hypot(1e160, 1e150), rel=1e-12)


def test_fast_step_checks_the_batch_structure():
    net = softmax_net()
    fast = FastStep(net, SGDSettings(0.1))
    t = np.eye(2)[[0, 1] * 3]
    for x_bad, t_bad in [(X.astype(np.float32), t), (X[:, :2], t), (X, t[:5]), (X.tolist(), t)]:
        with pytest.raises(ValueError, match=r"\bx and t must be a batch checked by "
                                             r"Network\.check_batch: float64 arrays"):
            fast.step(x_bad, t_bad)


@pytest.mark.parametrize("step", [TextbookStep, FastStep])
def test_steps_check_the_network(step):
    with pytest.raises(TypeError, match=r"\bnet must be a bpcode\.Network"):
        step("net", SGDSettings(0.1))


# ------------------------ Python numbers beyond float32's range, float32 arrays


@pytest.mark.parametrize("step", ["fast", "textbook"])
@pytest.mark.parametrize(("eta", "weight_decay"), [(0.1, 1e300), (1e300, 0.01)])
def test_huge_eta_or_decay_on_float32_diverges_without_warnings(step, eta, weight_decay,
                                                                no_warnings):
    """η λ and η v are formed in the network's dtype; beyond its range they
    become inf quietly, and the step that would use them is refused."""
    x = np.array([[-0.13]], np.float32)
    net = Network([1, 1], init="he", dtype="float32", seed=0)
    before = snapshot(net)
    with pytest.raises(DivergenceError, match="epoch 1"):
        bpcode.sgd(net, x, np.array([[0.64]], np.float32), eta=eta, epochs=1, batch_size=1,
                   momentum=0.5, weight_decay=weight_decay, seed=0, step=step)
    assert_unchanged(net, before)


def test_fast_velocity_with_huge_eta_is_quiet(no_warnings):
    """The velocity v is kept as η v; v = (η v) / η is divided in float64."""
    net = Network([2, 3, 1], dtype="float32", seed=0)
    velocity = FastStep(net, SGDSettings(1e300, momentum=0.5)).velocity
    for l, (v_W, v_b) in velocity.items():
        assert v_W.dtype == v_b.dtype == np.float32
        assert v_W.shape == net.W[l].shape and not v_W.any() and not v_b.any()


def test_saturation_threshold_beyond_float32_is_quiet(no_warnings):
    net = Network([2, 3, 1], dtype="float32", seed=0)
    layers, fractions = bpcode.saturation(net, X[:, :2].astype(np.float32), threshold=1e300)
    assert list(layers) == [2, 3] and list(fractions) == [1.0, 1.0]
