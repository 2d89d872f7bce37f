"""Where the time of one bpcode training step goes, numpy call by numpy call.

Run from the repository root:

    python benchmarks/profile_step.py                 # 784-512-512-10, B256, float32
    python benchmarks/profile_step.py --batch 32 --dtype float64 --steps 300

First it times ``bpcode.FastStep.step`` (what ``bpcode.sgd`` runs) against
the step's own matrix products, ``FastStep.products``, interleaved by
benchmarks/harness.py, and prints their ratio (the first target of
benchmarks/README.md). Then it runs ``--steps`` steps with every numpy
function that :mod:`bpcode.fast` calls timed at its call site, and prints one
line per call site: its source line, calls per step and microseconds per
step. The matrix products are the bound; everything else is what the step
adds to them. Timing each call adds a fraction of a microsecond to it, so the
profile's total is a little above the step's time.
"""

import argparse
import linecache
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bpcode and benchmarks from this checkout

import bpcode  # noqa: E402
import bpcode.fast  # noqa: E402
from benchmarks import harness  # noqa: E402
from benchmarks.cases.train_step import classification_batch, network  # noqa: E402


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
    parser.add_argument("--steps", type=int, default=200, help="steps of the profile")
    parser.add_argument("--rounds", type=int, default=15,
                        help="interleaved rounds of step and products, 0.05 s blocks each")
    args = parser.parse_args(argv)

    sizes = [int(m) for m in args.sizes.split("-")]
    x, t, _ = classification_batch(sizes, args.batch, args.dtype)
    fast = bpcode.FastStep(network(sizes, args.dtype), bpcode.SGDSettings(0.1))
    machine = harness.machine()
    print(f"{args.sizes}, batch {args.batch}, {args.dtype}; {machine['cpu']}, "
          f"{machine['logical_cpus']} CPUs, numpy {machine['numpy']} ({machine['blas']})")

    times = harness.interleaved({"step": lambda: fast.step(x, t),
                                 "products": lambda: fast.products(x)}, args.rounds, 0.05)
    r = harness.ratio(times, "step", "products")
    print(f"step {statistics.median(times['step']) * 1e6:.0f} µs, its matrix products "
          f"{statistics.median(times['products']) * 1e6:.0f} µs; step / products "
          f"{r['median']:.3f} [{r['min']:.2f}, {r['max']:.2f}] (median [min, max] of "
          f"{args.rounds} interleaved rounds)\n")

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
    print(f"Profile of {args.steps} steps, every numpy call of bpcode.fast timed: "
          f"{total * 1e6:.0f} µs per step, of which matrix products {products * 1e6:.0f} µs\n")
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
