"""The benchmark command runs, in its quick mode and without PyTorch, and
writes the JSON that the book's speed page reads; the step's profile runs; and
the bound and the floor of the first target make the step's own products."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_quick_benchmark_writes_json(tmp_path):
    out = tmp_path / "benchmark.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--quick", "--no-torch",
         "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    results = json.loads(out.read_text())
    for key in ("date", "command", "machine", "train_step", "digits_step", "digits_epoch",
                "digits_accuracy", "gradient_cost", "targets", "skipped"):
        assert key in results, key
    for key in ("cpu", "numpy", "blas", "torch", "python"):
        assert key in results["machine"], key
    assert results["quick"] is True
    assert any("PyTorch" in message for message in results["skipped"])

    steps = results["train_step"]
    assert {(r["batch"], r["dtype"]) for r in steps} == {
        (n, d) for n in (16, 4) for d in ("float32", "float64")}
    for r in steps:
        assert {"bpcode", "textbook", "gemm", "gemm_rows", "gemm_columns"} <= set(r["contenders"])
        assert "torch" not in r["contenders"]
        for stats in r["contenders"].values():
            assert 0 < stats["min_s"] <= stats["median_s"] <= stats["max_s"]
        assert r["ratios"]["bpcode/gemm"]["median"] > 0
        assert r["gemm_best"] in ("gemm", "gemm_rows", "gemm_columns")
        assert r["gflop"] > 0

    assert "bpcode/sklearn" in results["digits_epoch"]["ratios"]
    accuracy = results["digits_accuracy"]
    assert len(accuracy["runs"]["bpcode"]) == len(accuracy["runs"]["sklearn"]) >= 1
    for row in results["gradient_cost"]:
        assert row["P"] > 0 and row["finite_differences_s"] > 0
        assert row["backprop/forward"]["median"] > 0
    names = [t["name"] for t in results["targets"]]
    assert names == ["step_vs_gemm", "step_vs_torch", "small_vs_torch", "digits_vs_sklearn"]
    assert "Targets" in proc.stdout


def test_gemm_bound_is_the_steps_own_products(monkeypatch):
    """The first target compares the step with "its own GEMM time":
    FastStep.products, the bound, and the benchmark's numpy floor must make
    exactly the matrix products that FastStep's step makes, with the same
    shapes and memory layouts."""
    import numpy as np

    from bpcode import FastStep, SGDSettings

    monkeypatch.syspath_prepend(str(ROOT))
    from benchmarks.cases import train_step

    sizes, n = [12, 9, 7, 4], 5
    calls = []
    real_dot = np.dot

    def recording_dot(a, b, out=None):
        if np.ndim(a) == 2:  # the step's 1-D dot is its finiteness check
            calls.append((a.shape, a.strides, b.shape, b.strides, out.shape, out.strides))
        return real_dot(a, b, out=out)

    def dots(run):
        calls.clear()
        run()
        return list(calls)

    net = train_step.network(sizes, "float32")
    x, t, _ = train_step.classification_batch(sizes, n, "float32")
    fast = FastStep(net, SGDSettings(0.1))
    floor = train_step.floor(sizes, n, "float32")
    monkeypatch.setattr(np, "dot", recording_dot)
    step_calls = dots(lambda: fast.step(x, t))
    assert len(step_calls) == 9  # 3 forward, 3 weight gradients, 2 input gradients, 1 bias
    assert dots(lambda: fast.products(x)) == step_calls
    assert dots(floor) == step_calls


def test_step_profile_runs():
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "profile_step.py"), "--sizes", "20-10-10-4",
         "--batch", "8", "--steps", "5", "--rounds", "3"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "step / products" in proc.stdout
    assert "np.tanh(h, out=h)" in proc.stdout
