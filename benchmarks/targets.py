"""The project's speed targets, in one table, for the console reports of
run.py and bench_widgets.py. What each one means, its limits and its history
are in benchmarks/README.md; the book does not show them."""

from typing import NamedTuple


class Target(NamedTuple):
    description: str
    limit: float  # met when the measured value is at most this


TARGETS = {
    # run.py: ratios, in the order of its report
    "step_vs_gemm": Target("784-512-512-10, B256, float32: bpcode step / its GEMM time", 1.10),
    "step_vs_torch": Target("784-512-512-10, B256, float32: bpcode step / PyTorch step", 0.90),
    "small_vs_torch": Target("64-30-10, B10: bpcode step / PyTorch step", 0.20),
    "digits_vs_sklearn": Target("digits, time to 97 %: bpcode / MLPClassifier", 0.20),
    # bench_widgets.py: milliseconds per control change, and bytes
    "fwd + bwd + norms": Target("gradient norms, depth 10 x width 100, ms", 5.0),
    "widget recompute": Target("everything the gradient-norm widget recomputes, ms", 5.0),
    "recompute + redraw": Target("gradient-norm widget, recompute and redraw, ms", 100.0),
    "saturation recompute + redraw": Target("saturation widget, recompute and redraw, ms",
                                            100.0),
    "page bytes": Target("learning-challenges page with its animations, bytes", 3_000_000),
}
