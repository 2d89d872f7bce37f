"""bpcode.save / bpcode.load: exact round trips, clear errors, no pickle.

Every damaged file gives the same ValueError naming it, and closes it; the
shapes a file declares are checked before anything is allocated; a network
saved under a name loads by that name (issue 14, items 4-7).
"""

import struct
import tracemalloc
import zipfile
from io import BytesIO

import numpy as np
import pytest
from snapshots import assert_unchanged, snapshot, softmax_net

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
    with pytest.raises(ValueError) as info:
        load(path)
    assert str(info.value) == (f"{path} is not a readable bpcode network file (corrupted or "
                               f"truncated?): it holds a single array, not an .npz archive")


def test_object_array_is_refused_not_unpickled(saved):
    entries = _entries(saved)
    entries["evil"] = np.array([Evil()], dtype=object)
    np.savez(saved, **entries)  # np.savez pickles object arrays
    UNPICKLED.clear()
    with pytest.raises(ValueError) as info:
        load(saved)
    assert UNPICKLED == []
    assert str(info.value) == (f"{saved} is not a readable bpcode network file (corrupted or "
                               f"truncated?): evil.npy holds Python objects, which only pickle "
                               f"could load (refused)")


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
    with pytest.raises(TypeError) as info:
        save("net", tmp_path / "x.npz")
    assert str(info.value) == "net must be a bpcode.Network, got str"
    for call in (load, lambda path: save(Network([2, 1]), path)):
        with pytest.raises(TypeError) as info:
            call(123)
        assert str(info.value) == "path must be a file path, got int"
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------- damage, sizes, names


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
    with pytest.raises(ValueError) as info:
        bpcode.load(tmp_path)
    assert str(info.value) == f"{tmp_path} is a directory, not a bpcode network file"


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


# ------------------------------------------- archives written by hand, member by member


def npy(array, version=None):
    """The bytes of ``array`` as a .npy file of ``version`` (numpy's choice if None)."""
    buffer = BytesIO()
    np.lib.format.write_array(buffer, array, version=version, allow_pickle=True)
    return buffer.getvalue()


def write_members(path, members):
    """An .npz archive holding, for each key, the .npy bytes members[key]."""
    with zipfile.ZipFile(path, "w") as archive:
        for key, data in members.items():
            archive.writestr(f"{key}.npy", data)


def unreadable(path, problem):
    return f"{path} is not a readable bpcode network file (corrupted or truncated?): {problem}"


def test_npy_version_2_members_load_the_same(tmp_path, no_warnings):
    """Format 2.0 (a 4-byte header length, written by numpy for huge headers)
    is read like 1.0."""
    net, path = saved_net(tmp_path)
    write_members(path, {key: npy(value, (2, 0)) for key, value in _entries(path).items()})
    with zipfile.ZipFile(path) as archive:
        assert {archive.read(name)[6:8] for name in archive.namelist()} == {b"\x02\x00"}
    back = bpcode.load(path)
    assert repr(back) == repr(net)
    assert_unchanged(back, snapshot(net))


def test_npy_version_3_member_is_refused(tmp_path, no_warnings):
    _, path = saved_net(tmp_path)
    entries = _entries(path)
    members = {key: npy(value) for key, value in entries.items()}
    members["W2"] = npy(entries["W2"], (3, 0))
    write_members(path, members)
    with pytest.raises(ValueError) as info:
        bpcode.load(path)
    assert str(info.value) == unreadable(path, "W2.npy: unsupported .npy version (3, 0)")


def test_fortran_ordered_W_round_trips(tmp_path, no_warnings):
    """A W^2 in column-major order is written so (fortran_order in its header)
    and must be read back in that order, not transposed or scrambled."""
    net = softmax_net()
    net.W[2] = np.asfortranarray(net.W[2])  # shape (3, 4): the order matters
    path = tmp_path / "net.npz"
    bpcode.save(net, path)
    with zipfile.ZipFile(path) as archive, archive.open("W2.npy") as member:
        np.lib.format.read_magic(member)
        assert np.lib.format.read_array_header_1_0(member)[1] is True  # fortran_order
    back = bpcode.load(path)
    assert back.W[2].shape == (3, 4) and np.array_equal(back.W[2], net.W[2])
    assert_unchanged(back, snapshot(net))


def header(shape, descr="|u1"):
    """A .npy 1.0 magic string and header declaring ``shape`` of ``descr``."""
    buffer = BytesIO()
    np.lib.format.write_array_header_1_0(
        buffer, {"descr": descr, "fortran_order": False, "shape": shape})
    return buffer.getvalue()


def test_member_whose_shape_claims_every_byte_of_it(tmp_path, no_warnings):
    """A header declaring exactly as many bytes as the whole member (header
    included) does not declare more than the member holds: it is refused for
    holding fewer bytes than its shape, after reading them."""
    _, path = saved_net(tmp_path)
    members = {key: npy(value) for key, value in _entries(path).items()}
    n = len(header((1000,))) + 16
    members["extra"] = header((n,)) + bytes(16)
    assert len(members["extra"]) == n
    write_members(path, members)
    with pytest.raises(ValueError) as info:
        bpcode.load(path)
    assert str(info.value) == unreadable(
        path, f"extra.npy does not hold exactly the {n} bytes of its shape ({n},) and dtype uint8")


@pytest.mark.parametrize("change", [lambda data: data + bytes(8), lambda data: data[:-8]],
                         ids=["8 bytes more", "8 bytes fewer"])
def test_member_with_more_or_fewer_bytes_than_its_shape(tmp_path, change, no_warnings):
    """W^2 (3 x 4 float64: 96 bytes) followed by 8 more bytes, or cut 8 short."""
    _, path = saved_net(tmp_path)
    members = {key: npy(value) for key, value in _entries(path).items()}
    members["W2"] = change(members["W2"])
    write_members(path, members)
    with pytest.raises(ValueError) as info:
        bpcode.load(path)
    assert str(info.value) == unreadable(
        path, "W2.npy does not hold exactly the 96 bytes of its shape (3, 4) and dtype float64")


@pytest.mark.parametrize(("sizes", "present", "shown"), [
    ([1, 1, 1, 1], [], "['W2', 'b2', 'W3', 'b3', 'W4', 'b4']"),
    ([1, 1, 1, 1, 1], ["W2"], "['b2', 'W3', 'b3', 'W4', 'b4', 'W5', '...']"),
    ([1, 1, 1, 1, 1], [], "['W2', 'b2', 'W3', 'b3', 'W4', 'b4', '...']"),
], ids=["6 missing", "7 missing", "8 missing"])
def test_missing_parameters_are_listed_up_to_six(saved, sizes, present, shown):
    entries = {key: value for key, value in _entries(saved).items() if key[0] not in "Wb"}
    entries["sizes"] = np.array(sizes)
    entries.update({key: np.zeros((1, 1)) for key in present})
    np.savez(saved, **entries)
    with pytest.raises(ValueError) as info:
        load(saved)
    assert str(info.value) == f"{saved} lacks the parameters {shown} for its layer sizes"


def test_missing_configuration_entries_are_all_named(saved):
    _rewrite(saved, output=None, dtype=None)
    with pytest.raises(ValueError) as info:
        load(saved)
    assert str(info.value) == f"{saved} lacks the entries ['output', 'dtype']"


@pytest.mark.parametrize("entry", [np.array("bpcode-network-2"), np.array(["bpcode-network-1"]),
                                    np.array(b"bpcode-network-1"), None],
                         ids=["other version", "1-D", "bytes", "missing"])
def test_format_entry_must_be_the_0d_text_of_this_format(saved, entry):
    _rewrite(saved, format=entry)
    with pytest.raises(ValueError) as info:
        load(saved)
    assert str(info.value) == (f"{saved} is not a bpcode network file: expected format "
                               f"'bpcode-network-1'")


@pytest.mark.parametrize(("key", "value"), [
    ("hidden", np.array(["tanh"])), ("output", np.array(b"sigmoid")),
    ("cost", np.array(1.0)), ("dtype", np.array(["float32"])), ("dtype", np.array(b"float32")),
], ids=["1-D hidden", "bytes output", "number cost", "1-D dtype", "bytes dtype"])
def test_configuration_entries_must_be_0d_text(tmp_path, key, value):
    """Each is refused, a float32 network's dtype too: read as None, it used to
    load as a float64 network (Network's dtype=None means float64)."""
    path = tmp_path / "net.npz"
    save(Network([2, 3, 1], dtype="float32", seed=0), path)
    _rewrite(path, **{key: value})
    with pytest.raises(ValueError) as info:
        load(path)
    assert str(info.value) == (f"{path}: {key!r} must be a 0-d text array, got shape "
                               f"{value.shape} and dtype {value.dtype}")


@pytest.mark.parametrize("param", ["W", "b"])
def test_save_refuses_float32_parameters_beyond_float32(tmp_path, param):
    """A float64 array set in place into a float32 network: 1e39 does not fit
    float32, and load could not read the file back."""
    net = Network([2, 3, 1], dtype="float32", seed=0)
    getattr(net, param)[3] = np.full(getattr(net, param)[3].shape, 1e39)
    with pytest.raises(ValueError) as info:
        save(net, tmp_path / "net.npz")
    index = (0, 0) if param == "W" else (0,)
    assert str(info.value) == (f"net.{param}[3] does not fit the network's float32 (largest "
                               f"magnitude 3.403e+38), got 1e+39 at index {index}")
    assert not (tmp_path / "net.npz").exists()


def test_bytes_past_a_member_shape_are_not_read(tmp_path, no_warnings):
    """A crafted member: W^2's 96 bytes, then 32 MB of zeros that deflate to
    32 KB. It is refused after reading one byte past the shape, not all of
    them: load allocates no more than the file's size suggests."""
    _, path = saved_net(tmp_path)
    members = {key: npy(value) for key, value in _entries(path).items()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, data in members.items():
            archive.writestr(f"{key}.npy", data + bytes(2**25) if key == "W2" else data)
    assert path.stat().st_size < 2**16
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as info:
            bpcode.load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert str(info.value) == unreadable(
        path, "W2.npy does not hold exactly the 96 bytes of its shape (3, 4) and dtype float64")
    assert peak < 2**22, peak  # about 80 KB; reading the member to its end: 80 MB
