"""Saving and loading networks as ``.npz`` files, without pickle."""

import os
import zipfile

import numpy as np

from .network import Network

FORMAT = "bpcode-network-1"


def save(net, path):
    """Write ``net``'s configuration and parameters to ``path`` (.npz)."""
    if not isinstance(net, Network):
        raise TypeError(f"net must be a bpcode.Network, got {type(net).__name__}")
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
    """Read a network written by :func:`save`.

    Raises ValueError naming the file when it is not a complete, consistent
    bpcode network file (corrupted, truncated, or with mismatched shapes).
    """
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise TypeError(f"path must be a file path, got {type(path).__name__}")
    try:
        data = np.load(path, allow_pickle=False)
        if not isinstance(data, np.lib.npyio.NpzFile):  # a bare .npy array
            raise ValueError("it holds a single array, not an .npz archive")
        with data:
            arrays = {key: data[key] for key in data.files}
    except FileNotFoundError:
        raise
    except (zipfile.BadZipFile, ValueError, EOFError, OSError, KeyError) as error:
        raise ValueError(f"{os.fspath(path)!s} is not a readable bpcode network file "
                         f"(corrupted or truncated?): {error}") from error
    name = os.fspath(path)
    if _text(arrays.get("format")) != FORMAT:
        raise ValueError(f"{name!s} is not a bpcode network file: expected format {FORMAT!r}")
    missing = {"sizes", "hidden", "output", "cost", "dtype"} - set(arrays)
    if missing:
        raise ValueError(f"{name!s} lacks the entries {sorted(missing)}")
    sizes = arrays["sizes"]
    if sizes.ndim != 1 or sizes.dtype.kind not in "iu":
        raise ValueError(f"{name!s}: 'sizes' must be a 1-D integer array, got shape "
                         f"{sizes.shape} and dtype {sizes.dtype}")
    sizes = [int(m) for m in sizes]
    layers = range(2, len(sizes) + 1)
    missing = [k for l in layers for k in (f"W{l}", f"b{l}") if k not in arrays]
    if missing:
        raise ValueError(f"{name!s} lacks the parameters {missing} for sizes "
                         f"{sizes}")
    try:
        net = Network(sizes, hidden=_text(arrays["hidden"]), output=_text(arrays["output"]),
                      cost=_text(arrays["cost"]), dtype=_text(arrays["dtype"]), seed=0)
        net.set_parameters({l: arrays[f"W{l}"] for l in layers},
                           {l: arrays[f"b{l}"] for l in layers})
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name!s} does not hold a consistent network: "
                         f"{error}") from error
    return net


def _text(entry):
    """The string stored in a 0-d text array, or None for anything else."""
    if entry is None or entry.shape != () or entry.dtype.kind != "U":
        return None
    return str(entry)
