"""Weight initialisers: shapes, dtypes, statistics, seeding."""

import numpy as np
import pytest

from bpcode import INITS, Network
from bpcode.init import init_params

N = 400  # a 400×400 layer: 160 000 weights, sample std within ~0.2 % of the truth
THEORY_STD = {
    "normal": 1.0,
    "xavier_uniform": np.sqrt(2.0 / (N + N)),  # U(-r, r) has std r/√3, r = √(6/(2N))
    "xavier_normal": np.sqrt(2.0 / (N + N)),
    "he": np.sqrt(2.0 / N),
}


def test_table_lists_the_schemes():
    assert set(INITS) == {"normal", "xavier_uniform", "xavier_normal", "he"}


@pytest.mark.parametrize("init", sorted(INITS))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_shapes_and_dtype(init, dtype):
    net = Network([3, 5, 4, 2], init=init, dtype=dtype, seed=0)
    assert sorted(net.W) == [2, 3, 4] and sorted(net.b) == [2, 3, 4]
    for l, (fan_in, fan_out) in zip((2, 3, 4), [(3, 5), (5, 4), (4, 2)], strict=True):
        assert net.W[l].shape == (fan_in, fan_out)
        assert net.b[l].shape == (fan_out,)
        assert net.W[l].dtype == np.dtype(dtype) and net.b[l].dtype == np.dtype(dtype)
    assert net.n_params == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2
    assert net.L == 4 and net.sizes == (3, 5, 4, 2)


@pytest.mark.parametrize("init", sorted(INITS))
def test_weight_statistics_on_large_layer(init):
    net = Network([N, N], init=init, seed=1)
    W = net.W[2]
    std = THEORY_STD[init]
    assert W.std() == pytest.approx(std, rel=0.02)
    assert abs(W.mean()) < 4 * std / np.sqrt(W.size)
    if init == "xavier_uniform":
        r = np.sqrt(6.0 / (N + N))
        assert np.abs(W).max() <= r
        assert np.abs(W).max() > 0.99 * r
        # uniform: a quarter of the mass in each quarter of [-r, r]
        counts, _ = np.histogram(W, bins=4, range=(-r, r))
        np.testing.assert_allclose(counts / W.size, 0.25, atol=0.01)
    else:
        # normal: about 68.3 % within one std
        assert np.mean(np.abs(W) < std) == pytest.approx(0.6827, abs=0.01)


def test_he_and_xavier_use_the_right_fans():
    """A rectangular layer separates fan_in from fan_out."""
    fan_in, fan_out = 800, 200
    he = Network([fan_in, fan_out], init="he", seed=2).W[2]
    xavier = Network([fan_in, fan_out], init="xavier_normal", seed=2).W[2]
    assert he.std() == pytest.approx(np.sqrt(2.0 / fan_in), rel=0.02)
    assert xavier.std() == pytest.approx(np.sqrt(2.0 / (fan_in + fan_out)), rel=0.02)


def test_normal_with_custom_std():
    net = Network([N, N], init="normal", std=0.1, seed=3)
    assert net.W[2].std() == pytest.approx(0.1, rel=0.02)
    assert net.b[2].std() == pytest.approx(0.1, rel=0.15)


@pytest.mark.parametrize("init", sorted(INITS))
def test_gain_scales_every_weight(init):
    a = Network([5, 6, 3], init=init, seed=4)
    b = Network([5, 6, 3], init=init, seed=4, gain=2.0)
    for l in a.W:
        assert np.array_equal(b.W[l], 2.0 * a.W[l])
        assert np.array_equal(b.b[l], 2.0 * a.b[l])


def test_std_ignored_by_other_schemes():
    a = Network([5, 6], init="he", seed=4)
    b = Network([5, 6], init="he", seed=4, std=7.0)
    assert np.array_equal(a.W[2], b.W[2])


@pytest.mark.parametrize("init", sorted(INITS))
def test_biases_zero_except_under_normal(init):
    net = Network([N, N, 3], init=init, seed=5)
    for l in net.b:
        if init == "normal":
            assert np.count_nonzero(net.b[l]) == net.b[l].size
        else:
            assert np.array_equal(net.b[l], np.zeros_like(net.b[l]))
    if init == "normal":
        assert net.b[2].std() == pytest.approx(1.0, rel=0.15)


@pytest.mark.parametrize("init", sorted(INITS))
def test_same_seed_same_parameters(init):
    a = Network([4, 7, 3], init=init, seed=6)
    b = Network([4, 7, 3], init=init, seed=6)
    c = Network([4, 7, 3], init=init, seed=7)
    for l in a.W:
        assert np.array_equal(a.W[l], b.W[l]) and np.array_equal(a.b[l], b.b[l])
    assert not np.array_equal(a.W[2], c.W[2])


def test_generator_seed():
    a = Network([4, 7, 3], seed=np.random.default_rng(8))
    b = Network([4, 7, 3], seed=8)
    for l in a.W:
        assert np.array_equal(a.W[l], b.W[l]) and np.array_equal(a.b[l], b.b[l])
    # a generator is consumed: two networks from one generator differ
    rng = np.random.default_rng(9)
    c, d = Network([4, 7, 3], seed=rng), Network([4, 7, 3], seed=rng)
    assert not np.array_equal(c.W[2], d.W[2])


def test_numpy_integer_seed():
    a = Network([4, 3], seed=np.int64(10))
    b = Network([4, 3], seed=10)
    assert np.array_equal(a.W[2], b.W[2])


def test_seed_none_draws_fresh_parameters():
    a, b = Network([20, 20], seed=None), Network([20, 20], seed=None)
    assert not np.array_equal(a.W[2], b.W[2])


def test_float32_is_float64_draw_rounded():
    a = Network([6, 5], init="xavier_uniform", seed=11, dtype="float32")
    b = Network([6, 5], init="xavier_uniform", seed=11)
    assert np.array_equal(a.W[2], b.W[2].astype(np.float32))


def _expected_draw(init, sizes, seed, std, gain):
    """The parameters each scheme should draw, written out from numpy's own
    Generator in the order init_params consumes it: W^2, (b^2), W^3, (b^3), ..."""
    rng = np.random.default_rng(seed)
    W, b = {}, {}
    for l in range(2, len(sizes) + 1):
        fan_in, fan_out = sizes[l - 2], sizes[l - 1]
        if init == "normal":
            W[l] = gain * (rng.standard_normal((fan_in, fan_out)) * std)
            b[l] = gain * std * rng.standard_normal(fan_out)
            continue
        if init == "xavier_uniform":
            r = np.sqrt(6.0 / (fan_in + fan_out))
            W[l] = gain * rng.uniform(-r, r, size=(fan_in, fan_out))
        elif init == "xavier_normal":
            std_l = np.sqrt(2.0 / (fan_in + fan_out))
            W[l] = gain * (rng.standard_normal((fan_in, fan_out)) * std_l)
        else:  # he
            W[l] = gain * (rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in))
        b[l] = np.zeros(fan_out)
    return W, b


@pytest.mark.parametrize("init", sorted(INITS))
@pytest.mark.parametrize(("std", "gain"), [(1.0, 1.0), (0.3, 2.5)])
def test_each_scheme_is_exactly_its_seeded_draw(init, std, gain):
    """Rectangular layers of distinct widths, so that fan_in, fan_out and every
    scale factor (std, gain, the scheme's own) show in the exact values."""
    sizes = [3, 7, 2, 5]
    net = Network(sizes, init=init, std=std, gain=gain, seed=12)
    W, b = _expected_draw(init, sizes, 12, std, gain)
    assert sorted(net.W) == sorted(W) == [2, 3, 4]
    for l in W:
        np.testing.assert_array_equal(net.W[l], W[l])
        np.testing.assert_array_equal(net.b[l], b[l])
        assert np.count_nonzero(net.W[l]) == net.W[l].size
    if init == "xavier_uniform":  # U(-r, r): both signs, within r = sqrt(6 / (3 + 7)) · gain
        assert net.W[2].min() < 0 < net.W[2].max()
        assert np.abs(net.W[2]).max() <= gain * np.sqrt(6.0 / 10)


@pytest.mark.parametrize("init", sorted(INITS))
def test_init_params_defaults_are_std_1_and_gain_1(init):
    """bpcode.init.init_params called directly: std = 1 and gain = 1 unless given."""
    sizes = (4, 3, 2)
    W, b = init_params(sizes, init, np.random.default_rng(13), "float32")
    W1, b1 = init_params(sizes, init, np.random.default_rng(13), "float32", std=1.0, gain=1.0)
    W2, b2 = _expected_draw(init, sizes, 13, 1.0, 1.0)
    for l in (2, 3):
        assert W[l].dtype == b[l].dtype == np.float32
        np.testing.assert_array_equal(W[l], W1[l])
        np.testing.assert_array_equal(b[l], b1[l])
        np.testing.assert_array_equal(W[l], W2[l].astype(np.float32))
        np.testing.assert_array_equal(b[l], b2[l].astype(np.float32))
