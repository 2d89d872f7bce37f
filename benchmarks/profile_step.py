"""Where the time of one bpcode training step goes, numpy call by numpy call.

Run from the repository root:

    python benchmarks/profile_step.py                 # 784-512-512-10, B256, float32
    python benchmarks/profile_step.py --batch 32 --dtype float64 --steps 300

It runs ``bpcode.FastStep.step`` (what ``bpcode.sgd`` runs) with every
numpy function that :mod:`bpcode.fast` calls timed at its call site, and
prints one line per call site of the step: its source line, calls per step and
microseconds per step. The matrix products are the BLAS bound of
``benchmarks/run.py``; everything else is what the step adds to them. Timing
each call adds a fraction of a microsecond to it, so the total is a little
above the step's time in ``benchmarks/run.py``.
"""

import argparse
import linecache
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bpcode  # noqa: E402
import bpcode.fast  # noqa: E402


class TimedNumpy:
    """Stands in for the numpy module inside bpcode.fast: every function it
    hands out records its time under the file and line that called it."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self.calls = defaultdict(int)

    def __getattr__(self, name):
        value = getattr(np, name)
        if not callable(value) or isinstance(value, type):
            return value

        def timed(*args, **kwargs):
            caller = sys._getframe(1)
            start = time.perf_counter()
            result = value(*args, **kwargs)
            product = name == "dot" and np.ndim(args[0]) == 2  # not the check's g·g
            key = (product, caller.f_code.co_filename, caller.f_lineno)
            self.seconds[key] += time.perf_counter() - start
            self.calls[key] += 1
            return result

        return timed


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="784-512-512-10")
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    parser.add_argument("--steps", type=int, default=200)
    args = parser.parse_args(argv)

    sizes = [int(m) for m in args.sizes.split("-")]
    rng = np.random.default_rng(0)
    x = rng.random((args.batch, sizes[0])).astype(args.dtype)
    t = np.eye(sizes[-1], dtype=args.dtype)[rng.integers(0, sizes[-1], args.batch)]
    net = bpcode.Network(sizes, hidden="sigmoid", output="softmax", cost="cross_entropy",
                         init="xavier_uniform", seed=0, dtype=args.dtype)
    fast = bpcode.FastStep(net, bpcode.SGDSettings(0.1))
    for _ in range(10):
        fast.step(x, t)

    timed = TimedNumpy()
    bpcode.fast.np = timed
    try:
        start = time.perf_counter()
        for _ in range(args.steps):
            fast.step(x, t)
        total = (time.perf_counter() - start) / args.steps
    finally:
        bpcode.fast.np = np

    per_step = {key: s / args.steps for key, s in timed.seconds.items()}
    products = sum(s for (product, _, _), s in per_step.items() if product)
    print(f"{args.sizes}, batch {args.batch}, {args.dtype}: {total * 1e6:.0f} µs per step, "
          f"of which matrix products {products * 1e6:.0f} µs; step / products "
          f"{total / products:.3f}\n")
    print(f"{'µs/step':>8} {'calls':>5}  line")
    for key in sorted(per_step, key=per_step.get, reverse=True):
        _, filename, line = key
        source = linecache.getline(filename, line).strip()
        print(f"{per_step[key] * 1e6:8.1f} {timed.calls[key] // args.steps:5d}  "
              f"{Path(filename).name}:{line}  {source}")
    rest = total - sum(per_step.values())
    print(f"{rest * 1e6:8.1f}        everything else (Python, the timing itself)")


if __name__ == "__main__":
    main()
