"""Benchmark the learning-challenges widgets against the issue's targets.

Targets (medians, on this machine):

* one update of the gradient-norm figure at depth 10 x width 100 (forward,
  backward and norms) recomputes in <= 5 ms;
* recompute plus redraw (Agg draw and PNG encoding of the one figure, what the
  live widget does per control change) takes <= 100 ms;
* each page, with its embedded animations, weighs <= 3 MB.

The "fwd + bwd + norms" row is the issue's measure, ``bpcode.gradient_norms``
on a built network; the "widget recompute" row is everything the widget
recomputes per change, ``viz.gradient_norm_profile`` (network initialisation
as well, about 1.4 ms of 100 000 normal draws, then the fixed batch, forward,
backward and norms). The machine's speed drifts, so the variants run interleaved in short
blocks, in one process; with threadpoolctl installed the BLAS runs both with
its default threads and with one thread (small matrices under a loaded CPU can
be slower multi-threaded).

Run:  python benchmarks/bench_widgets.py  [--quick]
Writes benchmarks/results/widgets.json. Prints PASS/FAIL; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

import bpcode  # noqa: E402
from bpcode import viz  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "widgets.json"
PAGE = ROOT / "_build" / "html" / "book" / "learning-challenges.html"
TARGETS_MS = {"fwd + bwd + norms": 5.0, "widget recompute": 5.0, "recompute + redraw": 100.0}
PAGE_LIMIT = 3_000_000
DEPTH, WIDTH = 10, 100


def blas_threads(n):
    """A context that limits the BLAS to n threads (None: leave it alone)."""
    if n is None:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=n, user_api="blas")


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def main(quick=False):
    blocks, per_block = (4, 10) if quick else (10, 25)
    draw_blocks, draw_per_block = (3, 4) if quick else (6, 8)
    try:
        import threadpoolctl  # noqa: F401

        thread_modes = {"default threads": None, "1 BLAS thread": 1}
    except ImportError:
        thread_modes = {"default threads": None}

    gains = viz.GRADIENT_GAINS
    net = viz.gradient_network(DEPTH, WIDTH, "relu", "he", 1.0)
    x, t = viz.batch(WIDTH, 100, 0)
    widget = viz.gradient_norms_widget(depth=DEPTH, width=WIDTH)
    saturation = viz.saturation_widget()
    state = {"i": 0}

    def recompute():
        state["i"] = (state["i"] + 1) % len(gains)
        viz.gradient_norm_profile(DEPTH, WIDTH, "relu", "he", float(gains[state["i"]]))

    def core():
        bpcode.gradient_norms(net, x, t)

    def redraw():  # what one control change costs in the live widget
        state["i"] = (state["i"] + 1) % len(gains)
        widget.controls["gain"].value = float(gains[state["i"]])

    def saturation_redraw():
        state["i"] = (state["i"] + 1) % len(viz.SATURATION_STDS)
        saturation.controls["std"].value = float(viz.SATURATION_STDS[state["i"]])

    cases = {"fwd + bwd + norms": (core, blocks, per_block),
             "widget recompute": (recompute, blocks, per_block),
             "recompute + redraw": (redraw, draw_blocks, draw_per_block),
             "saturation recompute + redraw": (saturation_redraw, draw_blocks, draw_per_block)}
    samples = {(case, mode): [] for case in cases for mode in thread_modes}
    for fn, _, _ in cases.values():  # warm up
        for _ in range(3):
            fn()
    for block in range(max(b for _, b, _ in cases.values())):
        for case, (fn, n_blocks, n) in cases.items():
            if block >= n_blocks:
                continue
            for mode, threads in thread_modes.items():
                with blas_threads(threads):
                    samples[case, mode] += timed(fn, n)

    # the parts of one redraw, default threads
    fig = widget.figure
    draw = timed(lambda: fig.canvas.draw(), 10)
    png = timed(lambda: viz.png(fig), 10)

    # animation weight: what the page embeds
    start = time.perf_counter()
    sizes = {"saturation_animation": len(viz.saturation_animation().data.encode()),
             "gradient_norms_animation": len(viz.gradient_norms_animation().data.encode())}
    animation_seconds = time.perf_counter() - start
    training_png = len(viz.training_norms_figure()._repr_png_())
    page_bytes = PAGE.stat().st_size if PAGE.is_file() else None

    rows = []
    print(f"\nbench_widgets: depth {DEPTH} x width {WIDTH}, batch 100, float64; "
          f"load average {os.getloadavg()[0]:.2f}")
    print(f"{'case':32} {'threads':16} {'median ms':>10} {'min ms':>8} {'n':>5}  target")
    for (case, mode), times in samples.items():
        median, best = statistics.median(times) * 1e3, min(times) * 1e3
        target = TARGETS_MS.get(case, TARGETS_MS["recompute + redraw"])
        verdict = "PASS" if median <= target else "FAIL"
        rows.append({"case": case, "threads": mode, "median_ms": round(median, 3),
                     "min_ms": round(best, 3), "n": len(times), "target_ms": target,
                     "pass": median <= target})
        print(f"{case:32} {mode:16} {median:10.2f} {best:8.2f} {len(times):5d}  "
              f"<= {target:g} ms {verdict}")
    print(f"  of one redraw: Agg draw {statistics.median(draw) * 1e3:.1f} ms, "
          f"draw + PNG {statistics.median(png) * 1e3:.1f} ms")
    embedded = sum(sizes.values()) + training_png
    print(f"animations: {sizes} bytes, built in {animation_seconds:.1f} s; training figure "
          f"PNG {training_png} bytes; together {embedded / 1e6:.2f} MB")
    if page_bytes is None:
        page_verdict = "not built"
        print("page: _build/html/book/learning-challenges.html not built")
    else:
        page_verdict = "PASS" if page_bytes <= PAGE_LIMIT else "FAIL"
        print(f"page: {page_bytes / 1e6:.2f} MB <= 3 MB {page_verdict}")
    embedded_verdict = "PASS" if embedded <= PAGE_LIMIT else "FAIL"
    print(f"embedded figures: {embedded / 1e6:.2f} MB <= 3 MB {embedded_verdict}")

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "bench_widgets",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"python": sys.version.split()[0], "numpy": np.__version__,
                    "matplotlib": matplotlib.__version__, "platform": platform.platform(),
                    "cpus": os.cpu_count(), "load_average": os.getloadavg()},
        "settings": {"depth": DEPTH, "width": WIDTH, "batch": 100, "dtype": "float64",
                     "quick": quick},
        "timings": rows,
        "redraw_parts_ms": {"agg_draw": round(statistics.median(draw) * 1e3, 2),
                            "draw_and_png": round(statistics.median(png) * 1e3, 2)},
        "weight_bytes": {**sizes, "training_figure_png": training_png,
                         "embedded_total": embedded, "page": page_bytes,
                         "page_limit": PAGE_LIMIT, "page_pass": page_verdict},
    }, indent=2) + "\n", encoding="utf8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    main(parser.parse_args().quick)
