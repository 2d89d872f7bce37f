"""Measure bpcode's speed against its own matrix products, PyTorch and scikit-learn.

Run from the repository root:

    python benchmarks/run.py            # the full run, about three minutes
    python benchmarks/run.py --quick    # small sizes, a few seconds (a smoke test)

It runs the cases of benchmarks/cases/ in one process, timed by
benchmarks/harness.py (contenders interleaved in short blocks, ratios taken
round by round), prints a table with the targets of benchmarks/targets.py,
and writes JSON: by default benchmarks/results/benchmark.json, the committed
run that the book's page "How fast is backpropagation?" reads, or, with
``--quick``, benchmarks/results/latest.json (git-ignored), so that a smoke run
never replaces the book's numbers; ``--out`` writes elsewhere.
benchmarks/README.md describes the cases, the method and the targets.

PyTorch is optional (``pip install torch==2.13.0``); without it, or with
``--no-torch``, its comparisons are skipped with a message.
"""

import argparse
import datetime
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # bpcode and benchmarks from this checkout

from benchmarks import harness, report  # noqa: E402
from benchmarks.cases import digits, gradient_cost, train_step  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"

# The numpy contenders of a step alternate in blocks of about ten steps of the
# big network, many times, to follow the machine's fast drift; with PyTorch, a
# block follows a pause, so it lasts some forty steps to measure steady running.
FULL = {"big": [784, 512, 512, 10], "batches": [256, 32],
        "step_rounds": 31, "step_block": 0.05, "torch_rounds": 15, "torch_block": 0.2,
        "rounds": 15, "block": 0.05, "small_rounds": 21, "seeds": [0, 1, 2, 3, 4],
        "max_epochs": 60, "widths": [2, 4, 8, 16, 32, 64, 128, 256, 512], "grad_n": 100,
        "fd_budget": 2.0}
QUICK = {"big": [64, 32, 32, 10], "batches": [16, 4],
         "step_rounds": 3, "step_block": 0.005, "torch_rounds": 3, "torch_block": 0.005,
         "rounds": 3, "block": 0.005, "small_rounds": 3, "seeds": [0], "max_epochs": 3,
         "widths": [4, 8], "grad_n": 20, "fd_budget": 0.05}
DTYPES = ["float32", "float64"]


def import_torch(no_torch, skipped):
    """PyTorch, or None with the reason appended to ``skipped``."""
    if no_torch:
        skipped.append("PyTorch skipped (--no-torch)")
        return None
    try:
        import torch
    except ImportError:
        skipped.append("PyTorch is not installed (pip install torch==2.13.0): its "
                       "comparisons are skipped")
        print(f"note: {skipped[-1]}", file=sys.stderr)
        return None
    return torch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few rounds: a smoke run of a few seconds")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument("--out", type=Path, help="where to write JSON (default: "
                        "results/benchmark.json, with --quick results/latest.json)")
    args = parser.parse_args(argv)
    out = args.out or RESULTS / ("latest.json" if args.quick else "benchmark.json")
    s = QUICK if args.quick else FULL

    skipped = []
    torch = import_torch(args.no_torch, skipped)
    started = time.perf_counter()
    results = {
        "schema": 1,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "python benchmarks/run.py" + (" --quick" if args.quick else "")
                   + (" --no-torch" if args.no_torch else ""),
        "quick": args.quick,
        "machine": harness.machine(torch),
        "skipped": skipped,
    }
    print(f"a. training steps of {'-'.join(map(str, s['big']))} ...", file=sys.stderr)
    results["train_step"] = [
        train_step.bench(s["big"], n, dtype, torch, s["step_rounds"], s["step_block"],
                         s["torch_rounds"], s["torch_block"])
        for dtype in DTYPES for n in s["batches"]]
    print("b. digits network steps and epochs ...", file=sys.stderr)
    results["digits_step"] = digits.bench_step(torch, s["small_rounds"], s["block"])
    results["digits_epoch"] = digits.bench_epoch(s["rounds"], 2 * s["block"])
    print("c. digits, time to 97 % ...", file=sys.stderr)
    results["digits_accuracy"] = digits.time_to_accuracy(s["seeds"], s["max_epochs"])
    print("d. cost of a gradient against P ...", file=sys.stderr)
    results["gradient_cost"] = gradient_cost.bench(s["widths"], s["grad_n"], s["fd_budget"],
                                                   s["rounds"], s["block"])
    results["targets"] = report.evaluate_targets(results)
    results["seconds"] = time.perf_counter() - started

    report.write_json(results, out)
    print(report.table(results))
    print(f"\nwrote {out} in {results['seconds']:.0f} s")
    return results


if __name__ == "__main__":
    main()
