"""Saving and loading networks as ``.npz`` files, without pickle.

:func:`load` reads the archive with :mod:`zipfile` and numpy's ``.npy``
header functions rather than :func:`numpy.load`, so that it can check every
member's declared shape against the bytes it holds, and every parameter's
shape against the layer sizes, before it allocates anything: a damaged or
crafted file cannot make it allocate more than the file holds.
"""

import math
import os
import zipfile

import numpy as np

from . import _validate
from .network import Network

FORMAT = "bpcode-network-1"
CONFIGURATION = ("sizes", "hidden", "output", "cost", "dtype")


def save(net, path):
    """Write ``net``'s configuration and parameters to ``path``; like
    :func:`numpy.savez`, ``.npz`` is appended to a name without it."""
    _validate.instance("net", net, Network)
    path = _npz(_path(path))
    for l in net.W:  # so that every file save writes can be loaded
        shape = (net.sizes[l - 2], net.sizes[l - 1])
        _validate.parameter(f"net.W[{l}]", net.W[l], shape, net.dtype)
        _validate.parameter(f"net.b[{l}]", net.b[l], shape[1:], net.dtype)
    arrays = {
        "format": np.array(FORMAT),
        "sizes": np.array(net.sizes, dtype=np.int64),
        "hidden": np.array(net.hidden.name),
        "output": np.array(net.output.name),
        "cost": np.array(net.cost.name),
        "dtype": np.array(np.dtype(net.dtype).name),
    }
    for l in net.W:
        arrays[f"W{l}"] = net.W[l]
        arrays[f"b{l}"] = net.b[l]
    np.savez(path, **arrays)


def load(path):
    """Read a network written by :func:`save` (by the same name: ``.npz`` is
    appended, as :func:`save` does, when that file exists).

    Raises FileNotFoundError if there is no such file, and ValueError naming
    the file when it is a directory or not a complete, consistent bpcode
    network file (corrupted, truncated, or with mismatched shapes).
    """
    name = _path(path)
    if os.path.exists(_npz(name)):
        name = _npz(name)
    if os.path.isdir(name):
        raise ValueError(f"{name} is a directory, not a bpcode network file")
    with open(name, "rb") as file:
        try:
            arrays = _read_archive(file)
        # A damaged archive makes zipfile and the .npy reader raise many types
        # (BadZipFile, EOFError, NotImplementedError, RuntimeError, zlib.error,
        # UnicodeDecodeError, ...): each means the same thing here.
        except Exception as error:
            raise ValueError(f"{name} is not a readable bpcode network file (corrupted or "
                             f"truncated?): {error}") from error
    return _network(name, arrays)


def _path(path):
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a file path, got {type(path).__name__}")
    return os.fsdecode(os.fspath(path))


def _npz(name):
    return name if name.endswith(".npz") else name + ".npz"


def _read_archive(file):
    """Every member of the .npz archive in ``file``, as {key: array}."""
    if file.read(len(np.lib.format.MAGIC_PREFIX)) == np.lib.format.MAGIC_PREFIX:
        raise ValueError("it holds a single array, not an .npz archive")
    file.seek(0)
    arrays = {}
    with zipfile.ZipFile(file) as archive:
        for info in archive.infolist():
            with archive.open(info) as member:
                arrays[info.filename.removesuffix(".npy")] = _read_array(member, info)
    return arrays


def _read_array(member, info):
    """The array in the .npy ``member`` of the zip entry ``info``, read after its
    header has been checked against the member's size, and to the end of the
    member, so that zipfile checks its CRC."""
    version = np.lib.format.read_magic(member)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(member)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(member)
    else:
        raise ValueError(f"{info.filename}: unsupported .npy version {version}")
    if dtype.hasobject:
        raise ValueError(f"{info.filename} holds Python objects, which only pickle could "
                         f"load (refused)")
    count = math.prod(shape)
    size = count * dtype.itemsize
    if size > info.file_size:
        raise ValueError(f"{info.filename} declares shape {shape} of {dtype} ({size} bytes) "
                         f"but holds {info.file_size} bytes")
    data = member.read(size)
    if len(data) != size or member.read(1):
        raise ValueError(f"{info.filename} does not hold exactly the {size} bytes of its "
                         f"shape {shape} and dtype {dtype}")
    array = np.frombuffer(data, dtype=dtype, count=count)
    return array.reshape(shape, order="F" if fortran_order else "C").copy()


def _network(name, arrays):
    """The :class:`bpcode.Network` that ``arrays`` (read from the file ``name``)
    describe, after checking that they describe one."""
    if _text(arrays.get("format")) != FORMAT:
        raise ValueError(f"{name} is not a bpcode network file: expected format {FORMAT!r}")
    missing = [key for key in CONFIGURATION if key not in arrays]
    if missing:
        raise ValueError(f"{name} lacks the entries {missing}")
    sizes = arrays["sizes"]
    if sizes.ndim != 1 or sizes.dtype.kind not in "iu" or len(sizes) < 2:
        raise ValueError(f"{name}: 'sizes' must be a 1-D integer array of at least 2 layer "
                         f"sizes, got shape {sizes.shape} and dtype {sizes.dtype}")
    sizes = [int(m) for m in sizes]
    layers = range(2, len(sizes) + 1)
    missing = [k for l in layers for k in (f"W{l}", f"b{l}") if k not in arrays]
    if missing:
        shown = missing if len(missing) <= 6 else missing[:6] + ["..."]
        raise ValueError(f"{name} lacks the parameters {shown} for its layer sizes")
    # Before Network(sizes) allocates anything: the sizes must be those of the
    # arrays the file holds.
    for l in layers:
        for param, shape in (("W", (sizes[l - 2], sizes[l - 1])), ("b", (sizes[l - 1],))):
            if arrays[f"{param}{l}"].shape != shape:
                raise ValueError(f"{name} does not hold a consistent network: {param}[{l}] "
                                 f"must have shape {shape}, got {arrays[f'{param}{l}'].shape} "
                                 f"(layer sizes {sizes})")
    for key in CONFIGURATION[1:]:  # not left to Network: its dtype=None means float64
        if _text(arrays[key]) is None:
            raise ValueError(f"{name}: {key!r} must be a 0-d text array, got shape "
                             f"{arrays[key].shape} and dtype {arrays[key].dtype}")
    try:
        net = Network(sizes, hidden=_text(arrays["hidden"]), output=_text(arrays["output"]),
                      cost=_text(arrays["cost"]), dtype=_text(arrays["dtype"]), seed=0)
        net.set_parameters({l: arrays[f"W{l}"] for l in layers},
                           {l: arrays[f"b{l}"] for l in layers})
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} does not hold a consistent network: {error}") from error
    return net


def _text(entry):
    """The string stored in a 0-d text array, or None for anything else."""
    if entry is None or entry.shape != () or entry.dtype.kind != "U":
        return None
    return str(entry)
