"""bpcode.save / bpcode.load: exact round trips, clear errors, no pickle."""

import numpy as np
import pytest

from bpcode import Network, load, save, sgd

UNPICKLED = []


def _unpickled():
    UNPICKLED.append(True)
    return "boom"


class Evil:
    """Unpickling this object records it; load must never get that far."""

    def __reduce__(self):
        return (_unpickled, ())


def _entries(path):
    with np.load(path, allow_pickle=False) as data:
        return {key: data[key] for key in data.files}


def _trained(dtype, hidden="tanh", output="softmax", cost="cross_entropy"):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((12, 4))
    t = np.eye(3)[rng.integers(0, 3, 12)]
    net = Network([4, 5, 6, 3], hidden=hidden, output=output, cost=cost, init="xavier_normal",
                  dtype=dtype, seed=1)
    sgd(net, x, t, eta=0.3, epochs=3, batch_size=4, seed=0)
    return net, x


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize(("hidden", "output", "cost"), [
    ("tanh", "softmax", "cross_entropy"),
    ("relu", "identity", "quadratic"),
    ("sigmoid", "sigmoid", "binary_cross_entropy"),
])
def test_round_trip_is_exact(tmp_path, dtype, hidden, output, cost):
    net, x = _trained(dtype, hidden, output, cost)
    path = tmp_path / "net.npz"
    save(net, path)
    back = load(path)
    assert back.sizes == net.sizes
    assert back.hidden.name == hidden and back.output.name == output
    assert back.cost.name == cost
    assert back.dtype == net.dtype and np.dtype(back.dtype) == np.dtype(dtype)
    assert repr(back) == repr(net)
    assert sorted(back.W) == sorted(net.W)
    for l in net.W:
        assert back.W[l].dtype == net.W[l].dtype and back.b[l].dtype == net.b[l].dtype
        assert np.array_equal(back.W[l], net.W[l]) and np.array_equal(back.b[l], net.b[l])
    assert np.array_equal(back.predict(x), net.predict(x))
    # the loaded network is independent of the saved one
    back.W[2][0, 0] += 1.0
    assert back.W[2][0, 0] != net.W[2][0, 0]


def test_load_accepts_str_path(tmp_path):
    net = Network([2, 3, 1], seed=0)
    save(net, str(tmp_path / "net.npz"))
    assert np.array_equal(load(str(tmp_path / "net.npz")).W[2], net.W[2])


def test_file_is_a_plain_npz(tmp_path):
    net = Network([2, 3, 1], seed=0)
    save(net, tmp_path / "net.npz")
    entries = _entries(tmp_path / "net.npz")
    assert {"format", "sizes", "hidden", "output", "cost", "dtype", "W2", "b2", "W3",
            "b3"} <= set(entries)
    assert all(a.dtype != object for a in entries.values())


@pytest.fixture
def saved(tmp_path):
    path = tmp_path / "net.npz"
    save(Network([2, 3, 1], seed=0), path)
    return path


def _rewrite(path, **changes):
    entries = _entries(path)
    for key, value in changes.items():
        if value is None:
            del entries[key]
        else:
            entries[key] = value
    np.savez(path, **entries)


def test_truncated_file(saved):
    data = saved.read_bytes()
    saved.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"not a readable bpcode network file"):
        load(saved)


def test_random_bytes_file(tmp_path):
    path = tmp_path / "noise.npz"
    path.write_bytes(np.random.default_rng(0).bytes(2000))
    with pytest.raises(ValueError, match=r"noise\.npz.*not a readable bpcode network file"):
        load(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.npz"
    path.write_bytes(b"")
    with pytest.raises(ValueError, match=r"empty\.npz"):
        load(path)


def test_corrupted_member(saved):
    """Bytes of W^2's stored data overwritten: the zip CRC check catches it."""
    W2 = load(saved).W[2]
    data = bytearray(saved.read_bytes())
    start = data.find(W2.tobytes())
    assert start > 0
    data[start:start + 8] = np.float64(123.0).tobytes()
    saved.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"not a readable bpcode network file"):
        load(saved)


@pytest.mark.parametrize("key", ["W3", "b2"])
def test_missing_parameter(saved, key):
    _rewrite(saved, **{key: None})
    with pytest.raises(ValueError, match=rf"lacks the parameters \['{key}'\]"):
        load(saved)


@pytest.mark.parametrize("key", ["sizes", "cost", "hidden"])
def test_missing_configuration(saved, key):
    _rewrite(saved, **{key: None})
    with pytest.raises(ValueError, match=rf"lacks the entries \['{key}'\]"):
        load(saved)


def test_weight_shape_mismatches_sizes(saved):
    _rewrite(saved, sizes=np.array([2, 4, 1]))
    with pytest.raises(ValueError, match=r"not hold a consistent network.*W\[2\] must have "
                                         r"shape \(2, 4\), got \(2, 3\)"):
        load(saved)


def test_bias_shape_mismatch(saved):
    _rewrite(saved, b3=np.zeros(2))
    with pytest.raises(ValueError, match=r"b\[3\] must have shape \(1,\)"):
        load(saved)


def test_non_finite_parameter(saved):
    _rewrite(saved, W2=np.full((2, 3), np.nan))
    with pytest.raises(ValueError, match=r"W\[2\] must be finite"):
        load(saved)


def test_unknown_activation_in_file(saved):
    _rewrite(saved, hidden=np.array("swish"))
    with pytest.raises(ValueError, match=r"not hold a consistent network.*swish"):
        load(saved)


def test_non_bpcode_npz(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, a=np.arange(3), b=np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"other\.npz is not a bpcode network file"):
        load(path)


def test_wrong_format_tag(saved):
    _rewrite(saved, format=np.array("bpcode-network-999"))
    with pytest.raises(ValueError, match=r"not a bpcode network file"):
        load(saved)


def test_plain_npy_file(tmp_path):
    path = tmp_path / "array.npy"
    np.save(path, np.arange(4))
    with pytest.raises(ValueError, match=r"array\.npy .*single array, not an \.npz archive"):
        load(path)


def test_object_array_is_refused_not_unpickled(saved):
    entries = _entries(saved)
    entries["evil"] = np.array([Evil()], dtype=object)
    np.savez(saved, **entries)  # np.savez pickles object arrays
    UNPICKLED.clear()
    with pytest.raises(ValueError, match=r"not a readable bpcode network file"):
        load(saved)
    assert UNPICKLED == []


def test_pickled_configuration_is_refused(saved):
    _rewrite(saved, hidden=np.array([Evil()], dtype=object))
    UNPICKLED.clear()
    with pytest.raises(ValueError):
        load(saved)
    assert UNPICKLED == []


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nope.npz")


def test_bad_arguments(tmp_path):
    with pytest.raises(TypeError, match=r"\bnet must be a bpcode.Network"):
        save("net", tmp_path / "x.npz")
    with pytest.raises(TypeError, match=r"\bpath must be a file path"):
        load(123)
