"""How the benchmarks time things: contenders interleaved in short blocks, and
ratios taken round by round.

This machine's speed drifts by 1.5-2x within minutes, so two contenders timed
one after the other can differ by more than what sets them apart. Here every
round runs each contender for one short block, in an order that rotates from
round to round, and a ratio is taken within each round, whose contenders ran
at nearly the same machine speed; the median of those per-round ratios
cancels any drift slower than a round. benchmarks/README.md tells more.
"""

import contextlib
import gc
import importlib.metadata
import os
import platform
import statistics
import time
from pathlib import Path

import numpy as np

# Seconds of sleep before every block of a comparison that includes PyTorch.
# Its OpenMP threads and OpenBLAS's threads keep spinning for a while after
# their last job; without the pause each library's spinning threads slow the
# other one down (PyTorch by up to 2x), which would make the comparison unfair.
TORCH_PAUSE = 0.25


def interleaved(contenders, rounds, block_seconds, warmup=2, pause=0.0, context=None):
    """Time each callable of ``contenders`` (a dict name -> f) in short blocks.

    Each round runs every contender once, for a block of calls chosen so that
    a block lasts about ``block_seconds``; the order rotates every round.
    ``pause`` seconds of sleep precede each block, so that the worker threads
    of one library (OpenMP in PyTorch, OpenBLAS in numpy), which keep spinning
    for a while after their last job, have gone idle before the next block
    starts; one untimed call after the pause then wakes the contender's own
    threads, so that a block measures steady running, as in a training loop.
    ``context`` maps some names to a function returning a context manager
    (e.g. a thread limit), entered around each of their blocks, untimed.
    The garbage collector is off while the blocks run.

    Returns {name: [seconds per call, one per round]}.
    """
    context = context or {}
    names = list(contenders)

    def within(name):
        return context[name]() if name in context else contextlib.nullcontext()

    reps = {}
    for name, f in contenders.items():
        with within(name):
            for _ in range(warmup):
                f()
            start = time.perf_counter()
            f()
            once = max(time.perf_counter() - start, 1e-7)
        reps[name] = max(1, int(block_seconds / once))
    times = {name: [] for name in names}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for r in range(rounds):
            shift = r % len(names)
            for name in names[shift:] + names[:shift]:
                f, k = contenders[name], reps[name]
                with within(name):
                    if pause:
                        time.sleep(pause)
                        f()
                    start = time.perf_counter()
                    for _ in range(k):
                        f()
                    times[name].append((time.perf_counter() - start) / k)
    finally:
        if gc_was_enabled:
            gc.enable()
    return times


def summary(seconds):
    """The median, min and max of per-round times, and the number of rounds."""
    return {"median_s": statistics.median(seconds), "min_s": min(seconds),
            "max_s": max(seconds), "rounds": len(seconds)}


def ratio_summary(per_round, of_medians):
    """A ratio as the median, min and max of its per-round values, with the
    ratio of the medians for reference."""
    return {"of_medians": of_medians, "median": statistics.median(per_round),
            "min": min(per_round), "max": max(per_round)}


def ratio(times, a, b):
    """a / b of two contenders timed by :func:`interleaved`, per round."""
    per_round = [x / y for x, y in zip(times[a], times[b], strict=True)]
    return ratio_summary(per_round, statistics.median(times[a]) / statistics.median(times[b]))


def machine(torch=None):
    """What the timings depend on: processor, libraries and their versions."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    blas = "unknown"
    with contextlib.suppress(Exception):  # informational only; numpy's format varies
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    return {
        "cpu": cpu, "logical_cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "numpy": np.__version__, "blas": blas,
        "torch": torch.__version__ if torch is not None else "not installed",
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "sklearn": _version("scikit-learn"), "bpcode": _version("bpcode"),
    }


def _version(distribution):
    """The installed version of a distribution, as pip records it."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"
