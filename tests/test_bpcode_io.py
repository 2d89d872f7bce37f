"""bpcode.save / bpcode.load: exact round trips, clear errors, no pickle.

Every damaged file gives the same ValueError naming it, and closes it; the
shapes a file declares are checked before anything is allocated; a network
saved under a name loads by that name (issue 14, items 4-7).
"""

import struct
import zipfile

import numpy as np
import pytest

import bpcode
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


# ------------------------------------------------------- damage, sizes, names


def softmax_net():
    return Network([3, 4, 2], output="softmax", cost="cross_entropy", seed=0)


def snapshot(net):
    return [a.copy() for l in sorted(net.W) for a in (net.W[l], net.b[l])]


def assert_unchanged(net, snap):
    now = [a for l in sorted(net.W) for a in (net.W[l], net.b[l])]
    assert len(now) == len(snap)
    for a, b in zip(now, snap, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def saved_net(tmp_path, name="net.npz"):
    net = softmax_net()
    path = tmp_path / name
    bpcode.save(net, path)
    return net, path


def central_directory(data):
    """Offset of the first central directory header of a zip archive."""
    end = data.rfind(b"PK\x05\x06")
    return struct.unpack_from("<I", data, end + 16)[0]


@pytest.mark.parametrize(("field", "value", "escaped"), [
    (10, 99, "NotImplementedError"),  # compression method 99: not supported
    (8, 1, "RuntimeError"),           # general purpose flag bit 0: encrypted
])
def test_damaged_central_directory_gives_value_error(tmp_path, field, value, escaped,
                                                      no_warnings):
    """Byte changes that made zipfile raise NotImplementedError or RuntimeError
    now give the same ValueError as every other damage."""
    _, path = saved_net(tmp_path)
    data = bytearray(path.read_bytes())
    data[central_directory(data) + field] = value
    path.write_bytes(bytes(data))
    with pytest.raises(ValueError, match=r"net\.npz is not a readable bpcode network file"):
        bpcode.load(path)


def test_every_byte_of_the_central_directory_damaged(tmp_path, no_warnings):
    """Each byte of the central directory flipped, one at a time: ValueError
    naming the file, or the same network."""
    net, path = saved_net(tmp_path)
    data = path.read_bytes()
    damaged = tmp_path / "damaged.npz"
    outcomes = set()
    for i in range(central_directory(data), len(data)):
        changed = bytearray(data)
        changed[i] ^= 0xFF
        damaged.write_bytes(bytes(changed))
        try:
            back = bpcode.load(damaged)
        except ValueError as error:
            assert "damaged.npz" in str(error)
            outcomes.add("ValueError")
            continue
        assert snapshot(back) and repr(back) == repr(net)
        assert_unchanged(back, snapshot(net))
        outcomes.add("same")
    assert "ValueError" in outcomes


def test_sizes_that_do_not_match_the_arrays_allocate_nothing(tmp_path, no_warnings):
    """Sizes [10⁶, 10⁶, 2] with small arrays used to make load allocate
    terabytes (MemoryError); the shapes are now checked first."""
    _, path = saved_net(tmp_path)
    with np.load(path) as data:
        entries = {key: data[key] for key in data.files}
    entries["sizes"] = np.array([10**6, 10**6, 2])
    np.savez(path, **entries)
    with pytest.raises(ValueError, match=r"net\.npz does not hold a consistent network: W\[2\] "
                                         r"must have shape \(1000000, 1000000\), got \(3, 4\)"):
        bpcode.load(path)


def test_a_member_that_declares_more_bytes_than_it_holds(tmp_path, no_warnings):
    """A .npy header that claims a huge shape is refused before any allocation."""
    _, path = saved_net(tmp_path)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    header = members["W2.npy"].replace(b"(3, 4)", b"(9999999999999, 4)")
    end = header.index(b"\n")  # the header keeps its length: 12 bytes fewer of padding
    members["W2.npy"] = header[:end - 12] + header[end:]
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    with pytest.raises(ValueError, match=r"W2\.npy declares shape \(9999999999999, 4\)"):
        bpcode.load(path)


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 not really a zip",
                                     np.random.default_rng(0).bytes(3000)],
                         ids=["empty", "zip-magic", "noise"])
def test_failed_load_closes_the_file(tmp_path, content, no_warnings):
    path = tmp_path / "bad.npz"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=r"bad\.npz"):
        bpcode.load(path)


def test_save_and_load_by_the_same_name(tmp_path, monkeypatch, no_warnings):
    """save(net, "model") writes model.npz, as numpy.savez does, and
    load("model") reads it."""
    monkeypatch.chdir(tmp_path)
    net = softmax_net()
    bpcode.save(net, "model")
    assert (tmp_path / "model.npz").is_file() and not (tmp_path / "model").exists()
    for name in ("model", "model.npz", tmp_path / "model", b"model"):
        back = bpcode.load(name)
        assert_unchanged(back, snapshot(net))
    with pytest.raises(FileNotFoundError):
        bpcode.load("other")


def test_load_of_a_directory(tmp_path):
    with pytest.raises(ValueError, match=r"\bis a directory, not a bpcode network file"):
        bpcode.load(tmp_path)


def test_save_refuses_a_network_it_could_not_load(tmp_path):
    net = softmax_net()
    net.W[2][0, 0] = np.nan  # set in place, past set_parameters' checks
    with pytest.raises(ValueError, match=r"\bnet\.W\[2\] must be finite"):
        bpcode.save(net, tmp_path / "net.npz")
    assert not (tmp_path / "net.npz").exists()




@pytest.mark.parametrize("sizes", [np.array([2.0, 3.0, 1.0]), np.array([[2, 3, 1]]),
                                   np.array(3), np.array([True, True]), np.array([2]),
                                   np.array(["2", "3", "1"])],
                         ids=["float", "2-D", "0-d", "bool", "one layer", "text"])
def test_sizes_must_be_a_1d_integer_array_of_two_or_more(saved, sizes):
    _rewrite(saved, sizes=sizes)
    message = (f"{saved}: 'sizes' must be a 1-D integer array of at least 2 layer sizes, "
               f"got shape {sizes.shape} and dtype {sizes.dtype}")
    with pytest.raises(ValueError) as info:
        load(saved)
    assert str(info.value) == message
