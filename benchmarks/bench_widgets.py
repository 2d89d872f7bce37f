"""Time the learning-challenges widgets and weigh their page.

Run from the repository root:

    python benchmarks/bench_widgets.py            # about 15 s
    python benchmarks/bench_widgets.py --quick    # fewer rounds, a smoke run

What it measures, at depth 10 x width 100, batch 100, float64:

* "fwd + bwd + norms": ``bpcode.gradient_norms`` on a built network, the
  forward pass, backward pass and per-layer norms of one update of the
  gradient-norm figure;
* "widget recompute": everything that widget recomputes per change,
  ``viz.gradient_norm_profile`` (network initialisation as well, about 1.4 ms
  of 100 000 normal draws, then the fixed batch, forward, backward and norms);
* "recompute + redraw": one change of a control of the live gradient-norm
  widget (recompute, Agg draw, PNG encoding), and the same for the
  saturation widget; then the Agg draw and the PNG encoding alone;
* the bytes of the embedded animations and of the built page.

The cases run interleaved in short blocks (benchmarks/harness.py); with
threadpoolctl installed, each also with the BLAS limited to one thread (small
matrices under a loaded CPU can be slower multi-threaded). It prints each
median against its target (benchmarks/targets.py) and writes JSON, by default
benchmarks/results/widgets.json, or with ``--quick``
benchmarks/results/latest-widgets.json (git-ignored). It asserts nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bpcode and benchmarks from this checkout

import bpcode  # noqa: E402
from benchmarks import harness, report  # noqa: E402
from benchmarks.targets import TARGETS  # noqa: E402
from bpcode import viz  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
PAGE = ROOT / "_build" / "html" / "book" / "learning-challenges.html"
DEPTH, WIDTH = 10, 100


def thread_modes():
    """{mode: None or a function giving a context that limits the BLAS threads}."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return {"default threads": None}
    return {"default threads": None,
            "1 BLAS thread": lambda: threadpool_limits(limits=1, user_api="blas")}



def cases():
    """{case: the function that one control change runs}."""
    gains = viz.GRADIENT_GAINS
    net = viz.gradient_network(DEPTH, WIDTH, "relu", "he", 1.0)
    x, t = viz.batch(WIDTH, 100, 0)
    widget = viz.gradient_norms_widget(depth=DEPTH, width=WIDTH)
    saturation = viz.saturation_widget()
    state = {"i": 0}  # each call moves to the next value, so every call recomputes

    def step(values):
        state["i"] = (state["i"] + 1) % len(values)
        return float(values[state["i"]])

    def recompute():
        viz.gradient_norm_profile(DEPTH, WIDTH, "relu", "he", step(gains))

    def redraw():
        widget.controls["gain"].value = step(gains)

    def saturation_redraw():
        saturation.controls["std"].value = step(viz.SATURATION_STDS)

    fig = widget.figure
    return {"fwd + bwd + norms": lambda: bpcode.gradient_norms(net, x, t),
            "widget recompute": recompute,
            "recompute + redraw": redraw,
            "saturation recompute + redraw": saturation_redraw,
            "Agg draw": fig.canvas.draw,
            "draw + PNG": lambda: viz.png(fig)}


def weights():
    """Bytes of what the page embeds, and the seconds to build the animations."""
    start = time.perf_counter()
    sizes = {"saturation_animation": len(viz.saturation_animation().data.encode()),
             "gradient_norms_animation": len(viz.gradient_norms_animation().data.encode())}
    seconds = time.perf_counter() - start
    sizes["training_figure_png"] = len(viz.training_norms_figure()._repr_png_())
    sizes["embedded_total"] = sum(sizes.values())
    sizes["page"] = PAGE.stat().st_size if PAGE.is_file() else None
    return sizes, seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds: a smoke run")
    parser.add_argument("--out", type=Path, help="where to write JSON (default: "
                        "results/widgets.json, with --quick results/latest-widgets.json)")
    args = parser.parse_args(argv)
    out = args.out or RESULTS / ("latest-widgets.json" if args.quick else "widgets.json")
    rounds, block = (4, 0.03) if args.quick else (10, 0.1)

    functions, modes = cases(), thread_modes()
    parts = {name: functions.pop(name) for name in ("Agg draw", "draw + PNG")}
    contenders = {(case, mode): f for case, f in functions.items() for mode in modes}
    limits = {key: modes[key[1]] for key in contenders if modes[key[1]] is not None}
    times = harness.interleaved(contenders, rounds, block, context=limits)
    part_times = harness.interleaved(parts, rounds, block)
    sizes, animation_seconds = weights()

    print(f"\nbench_widgets: depth {DEPTH} x width {WIDTH}, batch 100, float64; "
          f"load average {os.getloadavg()[0]:.2f}")
    print("Medians and minima over the rounds of the time per call.")
    print(f"{'case':32} {'threads':16} {'median ms':>10} {'min ms':>8} {'rounds':>6}  target")
    rows = []
    for (case, mode), seconds in times.items():
        median, best = statistics.median(seconds) * 1e3, min(seconds) * 1e3
        target = TARGETS[case].limit
        rows.append({"case": case, "threads": mode, "median_ms": round(median, 3),
                     "min_ms": round(best, 3), "rounds": len(seconds), "target_ms": target,
                     "pass": median <= target})
        print(f"{case:32} {mode:16} {median:10.2f} {best:8.2f} {len(seconds):6d}  "
              f"<= {target:g} ms {'PASS' if median <= target else 'FAIL'}")
    parts_ms = {key: round(statistics.median(part_times[name]) * 1e3, 2)
                for key, name in (("agg_draw", "Agg draw"), ("draw_and_png", "draw + PNG"))}
    print(f"  of one redraw: Agg draw {parts_ms['agg_draw']:.1f} ms, "
          f"draw + PNG {parts_ms['draw_and_png']:.1f} ms")

    limit = TARGETS["page bytes"].limit
    animations = {k: sizes[k] for k in ("saturation_animation", "gradient_norms_animation")}
    print(f"animations: {animations} bytes, built in {animation_seconds:.1f} s; training "
          f"figure PNG {sizes['training_figure_png']} bytes; together "
          f"{sizes['embedded_total'] / 1e6:.2f} MB")
    if sizes["page"] is None:
        page_verdict = "not built"
        print(f"page: {PAGE.relative_to(ROOT)} not built")
    else:
        page_verdict = "PASS" if sizes["page"] <= limit else "FAIL"
        print(f"page: {sizes['page'] / 1e6:.2f} MB <= {limit / 1e6:g} MB {page_verdict}")
    print(f"embedded figures: {sizes['embedded_total'] / 1e6:.2f} MB <= {limit / 1e6:g} MB "
          f"{'PASS' if sizes['embedded_total'] <= limit else 'FAIL'}")

    machine = {**harness.machine(), "matplotlib": matplotlib.__version__,
               "load_average": os.getloadavg()}
    report.write_json({
        "benchmark": "bench_widgets",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine,
        "settings": {"depth": DEPTH, "width": WIDTH, "batch": 100, "dtype": "float64",
                     "quick": args.quick, "rounds": rounds, "block_s": block},
        "timings": rows,
        "redraw_parts_ms": parts_ms,
        "weight_bytes": {**sizes, "page_limit": limit, "page_pass": page_verdict},
    }, out)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
