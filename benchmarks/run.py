"""Measure bpcode's speed against the BLAS bound, PyTorch and scikit-learn.

Run from the repository root:

    python benchmarks/run.py            # the full run, about three minutes
    python benchmarks/run.py --quick    # small sizes, a few seconds (a smoke test)

It prints a table and writes JSON (by default benchmarks/results/benchmark.json,
the committed run that the book's page "How fast is backpropagation?" reads;
``--out`` writes elsewhere, e.g. benchmarks/results/latest.json, git-ignored).

What it measures, in one process:

a. One SGD training step of 784-512-512-10 (sigmoid hidden layers, softmax
   output, cross-entropy cost) at batch 256 and 32, in float32 and float64:
   bpcode's step (``bpcode.fast.FastSGD``, what ``bpcode.sgd`` runs), the
   textbook step (``bpcode.train._step``, the chapter's functions), the
   step's own matrix products alone (the BLAS bound: the very calls that
   FastSGD makes, with its operands and memory layout), the same products
   without the bias in two other layouts (for reference), and PyTorch
   (``nn.Sequential`` with a manual SGD step).
b. The digits network 64-30-10 at batch 10: one step of bpcode and of PyTorch,
   and one epoch of ``bpcode.sgd`` against one ``MLPClassifier.partial_fit``.
c. Digits: the time to reach 97 % test accuracy, bpcode's SGD against
   ``MLPClassifier(solver="sgd")`` with the same network and hyper-parameters,
   over 5 seeds.
d. The cost of one gradient as the parameter count P grows, for networks
   h-h-h-10: backpropagation (the chapter's bpcode.feedforward and
   bpcode.backward), one forward pass, and central finite differences (2P
   forward passes).

The machine's speed drifts by 1.5-2x within minutes, so the contenders of
each comparison run interleaved: in every round each one runs one short block
(its order rotating from round to round; when PyTorch takes part, every block
follows a pause that lets the other library's threads go idle, and one
untimed call), and a ratio is reported both as the ratio of the medians and
as the median (and min, max) of the per-round ratios, which cancels drift
slower than a round. PyTorch is optional
(``pip install torch==2.13.0``); without it, or with ``--no-torch``, its
comparisons are skipped with a message.
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import bpcode  # noqa: E402
from bpcode import FastStep, SGDSettings, TextbookStep  # noqa: E402
from bpcode.fast import _Buffers, _Flat  # noqa: E402

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "benchmark.json"

# Seconds of sleep before every block of a comparison that includes PyTorch.
# Its OpenMP threads and OpenBLAS's threads keep spinning for a while after
# their last job; without the pause each library's spinning threads slow the
# other one down (PyTorch by up to 2x), which would make the comparison unfair.
TORCH_PAUSE = 0.25

# The targets of the issue: (name, description, ratio key, limit).
TARGETS = [
    ("step_vs_gemm", "784-512-512-10, B256, float32: bpcode step / its GEMM time", 1.10),
    ("step_vs_torch", "784-512-512-10, B256, float32: bpcode step / PyTorch step", 0.90),
    ("small_vs_torch", "64-30-10, B10: bpcode step / PyTorch step", 0.20),
    ("digits_vs_sklearn", "digits, time to 97 %: bpcode / MLPClassifier", 0.20),
]


# ---------------------------------------------------------------- measurement


def interleaved(contenders, rounds, block_seconds, warmup=2, pause=0.0):
    """Time each callable of ``contenders`` (a dict name -> f) in short blocks.

    Each round runs every contender once, for a block of ``reps`` calls chosen
    so that a block lasts about ``block_seconds``; the order rotates every
    round. ``pause`` seconds of sleep separate the blocks, so that the worker
    threads of one library (OpenMP in PyTorch, OpenBLAS in numpy), which keep
    spinning for a while after their last job, have gone idle before the next
    block starts; one untimed call after the pause then wakes the contender's
    own threads, so that a block measures steady running, as in a training
    loop. Returns {name: [seconds per call, one per round]}.
    """
    names = list(contenders)
    reps = {}
    for name, f in contenders.items():
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
    return {"median_s": statistics.median(seconds), "min_s": min(seconds),
            "max_s": max(seconds), "rounds": len(seconds)}


def ratio(times, a, b):
    """a / b, per round and of the medians."""
    per_round = [x / y for x, y in zip(times[a], times[b], strict=True)]
    return {"of_medians": statistics.median(times[a]) / statistics.median(times[b]),
            "median": statistics.median(per_round), "min": min(per_round),
            "max": max(per_round)}


# ---------------------------------------------------------------- a. training step


def classification_batch(sizes, n, dtype, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, sizes[0])).astype(dtype)
    labels = rng.integers(0, sizes[-1], n)
    t = np.eye(sizes[-1], dtype=dtype)[labels]
    return x, t, labels


def step_gflop(sizes, n):
    """Floating-point operations of the step's matrix products, in GFLOP.

    Forward: 2 n M_{l-1} M_l per layer; weight gradients: the same again; input
    gradients W^l δ^l only for l = 3..L (δ^1 is never computed).
    """
    pairs = [m * k for m, k in zip(sizes[:-1], sizes[1:], strict=True)]
    return 2 * n * (2 * sum(pairs) + sum(pairs[1:])) / 1e9


def gemm_step(sizes, n, dtype, floor=False):
    """The matrix products of bpcode's step alone: the very calls that
    ``FastSGD`` makes, with its operands, shapes and memory layout (one column
    per sample, the bias as an extra row of each parameter block, and for
    layer 2 the bias gradient as a matrix-vector product). This is "its own
    GEMM time", the bound of the first target.

    With ``floor``, each product is followed by the least elementwise work that
    any numpy step must add to it: one tanh pass over every hidden z^l (a
    sigmoid needs at least one transcendental function), one multiplication
    of every hidden δ^l by an array of f'(z^l), and one subtraction over all
    parameters for the update. This leaves out the affine parts of the
    sigmoid, the computation of f', the softmax, the cost and any check, so
    no numpy step can be faster than this one: a target that it misses cannot
    be met with numpy on this machine.
    """
    rng = np.random.default_rng(1)
    P, G = _Flat(sizes, dtype), _Flat(sizes, dtype)
    P.flat[...] = rng.standard_normal(P.flat.size) * 0.05
    buf = _Buffers(sizes, n, dtype)
    for array in buf.a + buf.delta + buf.fprime:
        array[...] = rng.random(array.shape)
    x = rng.random((n, sizes[0])).astype(dtype)
    a, a1, delta, fprime, last = buf.a, buf.a1, buf.delta, buf.fprime, len(sizes) - 2

    def run():
        np.dot(P.W[0].T, x.T, out=a[0] if last else buf.z)
        if floor and last:
            np.tanh(a[0], out=a[0])
        for i in range(1, last):
            np.dot(P.block[i].T, a1[i - 1], out=a[i])
            if floor:
                np.tanh(a[i], out=a[i])
        if last:
            np.dot(P.block[last].T, a1[last - 1], out=buf.z)
        for i in range(last, 0, -1):
            np.dot(a1[i - 1], delta[i].T, out=G.block[i])
            np.dot(P.W[i], delta[i], out=delta[i - 1])
            if floor:
                np.multiply(delta[i - 1], fprime[i - 1], out=delta[i - 1])
        np.dot(x.T, delta[0].T, out=G.W[0])
        np.dot(delta[0], buf.ones, out=G.b[0])
        if floor:
            np.subtract(P.flat, G.flat, out=G.flat)

    return run


def gemm_only(sizes, n, dtype, layout):
    """The step's eight matrix products without the bias, with preallocated
    outputs, in one of two layouts: "rows" (one row per sample, as
    bpcode.backprop) or "columns" (one column per sample). References for the
    bound: how much the memory layout alone changes the BLAS time."""
    rng = np.random.default_rng(1)
    W = [(rng.standard_normal((m, k)) * 0.05).astype(dtype)
         for m, k in zip(sizes[:-1], sizes[1:], strict=True)]
    G = [np.empty_like(w) for w in W]
    x = rng.random((n, sizes[0])).astype(dtype)
    L = len(W)
    if layout == "rows":
        a = [x] + [rng.random((n, k)).astype(dtype) for k in sizes[1:]]
        d = [None] + [rng.random((n, k)).astype(dtype) for k in sizes[1:]]

        def run():
            for i in range(L):
                np.dot(a[i], W[i], out=a[i + 1])
            for i in range(L - 1, -1, -1):
                np.dot(a[i].T, d[i + 1], out=G[i])
                if i:
                    np.dot(d[i + 1], W[i].T, out=d[i])
    else:
        a = [x.T] + [rng.random((k, n)).astype(dtype) for k in sizes[1:]]
        d = [None] + [rng.random((k, n)).astype(dtype) for k in sizes[1:]]

        def run():
            for i in range(L):
                np.dot(W[i].T, a[i], out=a[i + 1])
            for i in range(L - 1, -1, -1):
                np.dot(a[i], d[i + 1].T, out=G[i])
                if i:
                    np.dot(W[i], d[i + 1], out=d[i])
    return run


def torch_step(torch, sizes, x, labels, eta, dtype):
    """One PyTorch SGD step on nn.Sequential: forward, cross-entropy, backward,
    then p ← p - η ∂C/∂p by hand (what torch.optim.SGD does without extras)."""
    torch.manual_seed(0)
    layers = []
    for i, (m, k) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(torch.nn.Linear(m, k))
        if i < len(sizes) - 2:
            layers.append(torch.nn.Sigmoid())
    model = torch.nn.Sequential(*layers).to(getattr(torch, dtype))
    params = list(model.parameters())
    xt = torch.from_numpy(np.ascontiguousarray(x))
    yt = torch.from_numpy(labels.astype(np.int64))
    cross_entropy = torch.nn.functional.cross_entropy

    def step():
        loss = cross_entropy(model(xt), yt)
        loss.backward()
        with torch.no_grad():
            for p in params:
                p.add_(p.grad, alpha=-eta)
                p.grad = None

    return step


def bpcode_network(sizes, dtype, seed=0):
    return bpcode.Network(sizes, hidden="sigmoid", output="softmax", cost="cross_entropy",
                          init="xavier_uniform", seed=seed, dtype=dtype)


def bench_train_step(sizes, n, dtype, torch, rounds, block, torch_rounds, torch_block,
                     eta=0.1):
    """One training step, in two interleaved runs: the numpy contenders in
    short blocks back to back, which gives the ratio to the BLAS bound; then
    bpcode, PyTorch and the bound, whose blocks must be separated by pauses
    (see TORCH_PAUSE) and are therefore longer."""
    net = bpcode_network(sizes, dtype)
    x, t, labels = classification_batch(sizes, n, dtype)
    fast = FastStep(net, SGDSettings(eta))
    textbook = TextbookStep(net.copy(), SGDSettings(eta))
    bpcode_step, gemm = (lambda: fast.step(x, t)), gemm_step(sizes, n, dtype)
    contenders = {
        "bpcode": bpcode_step,
        "textbook": lambda: textbook.step(x, t),
        "gemm": gemm,
        "floor": gemm_step(sizes, n, dtype, floor=True),
        "gemm_rows": gemm_only(sizes, n, dtype, "rows"),
        "gemm_columns": gemm_only(sizes, n, dtype, "columns"),
    }
    times = interleaved(contenders, rounds, block)
    # The fastest of the three ways to run the same products, for reference.
    best = min(("gemm", "gemm_rows", "gemm_columns"), key=lambda k: statistics.median(times[k]))
    flop = step_gflop(sizes, n)
    result = {
        "sizes": sizes, "batch": n, "dtype": dtype, "gflop": flop, "gemm_best": best,
        "contenders": {k: summary(v) for k, v in times.items()},
        "ratios": {"bpcode/gemm": ratio(times, "bpcode", "gemm"),
                   "bpcode/gemm_best": ratio(times, "bpcode", best),
                   "textbook/gemm": ratio(times, "textbook", "gemm"),
                   "floor/gemm": ratio(times, "floor", "gemm")},
    }
    if torch is not None:
        pair = interleaved({"bpcode": bpcode_step, "gemm": gemm,
                            "floor": contenders["floor"],
                            "torch": torch_step(torch, sizes, x, labels, eta, dtype)},
                           torch_rounds, torch_block, pause=TORCH_PAUSE)
        result["contenders"]["torch"] = summary(pair["torch"])
        result["ratios"]["bpcode/torch"] = ratio(pair, "bpcode", "torch")
        result["ratios"]["torch/gemm"] = ratio(pair, "torch", "gemm")
        result["ratios"]["floor/torch"] = ratio(pair, "floor", "torch")
        result["torch_run"] = {k: summary(v) for k, v in pair.items()}
    for v in result["contenders"].values():
        v["gflop_per_s"] = flop / v["median_s"]
    return result


# ---------------------------------------------------------------- b, c. digits


def digits_data():
    d = bpcode.datasets.digits()
    return d


def bench_digits_step(torch, rounds, block, n=10, eta=2.0):
    """One step of the digits network in float64 (bpcode's default), against
    PyTorch in float64 and in float32 (its default); the ratio is taken
    against whichever PyTorch is faster."""
    sizes = [64, 30, 10]
    d = digits_data()
    x, t, labels = d.x_train[:n], d.t_train[:n], d.labels_train[:n]
    net = bpcode_network(sizes, "float64")
    fast = FastStep(net, SGDSettings(eta))
    contenders = {"bpcode": lambda: fast.step(x, t)}
    if torch is not None:
        contenders["torch"] = torch_step(torch, sizes, x, labels, eta, "float64")
        contenders["torch_float32"] = torch_step(torch, sizes, x.astype(np.float32), labels,
                                                 eta, "float32")
    times = interleaved(contenders, rounds, block, pause=TORCH_PAUSE if torch else 0.0)
    result = {"sizes": sizes, "batch": n, "dtype": "float64",
              "contenders": {k: summary(v) for k, v in times.items()}, "ratios": {}}
    if torch is not None:
        fastest = min(("torch", "torch_float32"), key=lambda k: statistics.median(times[k]))
        result["torch_fastest"] = fastest
        result["ratios"]["bpcode/torch"] = ratio(times, "bpcode", fastest)
    return result


def sklearn_classifier(eta, n, seed):
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(30,), activation="logistic", solver="sgd",
                         learning_rate="constant", learning_rate_init=eta, momentum=0.0,
                         nesterovs_momentum=False, alpha=0.0, batch_size=n, shuffle=True,
                         random_state=seed)


def bench_digits_epoch(rounds, block, n=10, eta=2.0):
    """One epoch over the 1347 training digits: bpcode.sgd(epochs=1), which also
    records the loss and gradient norms, against MLPClassifier.partial_fit."""
    import warnings

    d = digits_data()
    classes = np.arange(10)
    net = bpcode_network([64, 30, 10], "float64")
    clf = sklearn_classifier(eta, n, 0)
    clf.partial_fit(d.x_train, d.labels_train, classes=classes)
    seed = np.random.default_rng(0)

    def sklearn_epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(d.x_train, d.labels_train, classes=classes)

    contenders = {
        "bpcode": lambda: bpcode.sgd(net, d.x_train, d.t_train, eta=eta, epochs=1,
                                     batch_size=n, seed=seed),
        "sklearn": sklearn_epoch,
    }
    times = interleaved(contenders, rounds, block, warmup=1)
    return {"sizes": [64, 30, 10], "batch": n, "samples": len(d.x_train),
            "contenders": {k: summary(v) for k, v in times.items()},
            "ratios": {"bpcode/sklearn": ratio(times, "bpcode", "sklearn")}}


class _Reached(Exception):
    pass


def time_to_accuracy(seeds, max_epochs, goal=0.97, n=10, eta=2.0):
    """Train from scratch until the test accuracy reaches ``goal``, checking
    after every epoch; bpcode and scikit-learn alternate seed by seed. The time
    includes the per-epoch accuracy checks on both sides."""
    import warnings

    d = digits_data()
    classes = np.arange(10)
    runs = {"bpcode": [], "sklearn": []}
    for seed in seeds:
        for name in ("bpcode", "sklearn") if seed % 2 == 0 else ("sklearn", "bpcode"):
            if name == "bpcode":
                net = bpcode_network([64, 30, 10], "float64", seed=seed)
                state = {"epochs": max_epochs, "accuracy": 0.0}

                def check(epoch, history, net=net, state=state):
                    state["accuracy"] = net.accuracy(d.x_test, d.t_test)
                    if state["accuracy"] >= goal:
                        state["epochs"] = epoch
                        raise _Reached

                start = time.perf_counter()
                try:
                    bpcode.sgd(net, d.x_train, d.t_train, eta=eta, epochs=max_epochs,
                               batch_size=n, seed=seed, callback=check)
                except _Reached:
                    pass
                seconds = time.perf_counter() - start
                epochs, accuracy = state["epochs"], state["accuracy"]
            else:
                clf = sklearn_classifier(eta, n, seed)
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    for epochs in range(1, max_epochs + 1):  # noqa: B007 (used below)
                        clf.partial_fit(d.x_train, d.labels_train, classes=classes)
                        accuracy = clf.score(d.x_test, d.labels_test)
                        if accuracy >= goal:
                            break
                seconds = time.perf_counter() - start
            runs[name].append({"seed": seed, "seconds": seconds, "epochs": epochs,
                               "accuracy": float(accuracy), "reached": accuracy >= goal})
    result = {"goal": goal, "eta": eta, "batch": n, "max_epochs": max_epochs,
              "network": "64-30-10, sigmoid hidden, softmax output, cross-entropy; plain "
                         "SGD (no momentum, no L2), the same for both", "runs": runs}
    for name, rs in runs.items():
        result[name] = {
            "median_s": statistics.median(r["seconds"] for r in rs),
            "min_s": min(r["seconds"] for r in rs), "max_s": max(r["seconds"] for r in rs),
            "median_epochs": statistics.median(r["epochs"] for r in rs),
            "median_accuracy": statistics.median(r["accuracy"] for r in rs),
            "reached": sum(r["reached"] for r in rs),
        }
    per_seed = [b["seconds"] / s["seconds"]
                for b, s in zip(runs["bpcode"], runs["sklearn"], strict=True)]
    result["ratios"] = {"bpcode/sklearn": {
        "of_medians": result["bpcode"]["median_s"] / result["sklearn"]["median_s"],
        "median": statistics.median(per_seed), "min": min(per_seed), "max": max(per_seed)}}
    return result


# ---------------------------------------------------------------- d. gradient cost


def forward_cost(net, x, t):
    """The mean cost C of a batch: one forward pass (as on the book's page)."""
    z, a = bpcode.feedforward(net.W, net.b, x, net.hidden, net.output)
    return net.cost.value(z[net.L], a[net.L], t).mean()


def backprop_gradient(net, x, t):
    """dC/dW^l and dC/db^l: a forward pass, then bpcode.backward."""
    z, a = bpcode.feedforward(net.W, net.b, x, net.hidden, net.output)
    return bpcode.backward(net.W, z, a, t, net.hidden, net.output, net.cost)


def finite_difference_time(net, x, t, entries, h=1e-5):
    """Seconds for central differences on ``entries`` [(param, l, index)]."""
    start = time.perf_counter()
    for param, l, index in entries:
        theta = getattr(net, param)[l]
        kept = theta[index]
        theta[index] = kept + h
        up = forward_cost(net, x, t)
        theta[index] = kept - h
        down = forward_cost(net, x, t)
        theta[index] = kept
        (up - down) / (2 * h)
    return time.perf_counter() - start


def bench_gradient_cost(widths, n, fd_budget, rounds, block):
    """One forward pass (the cost C), one backpropagation gradient and one
    central-difference gradient (2P forward passes), for networks h-h-h-10
    (sigmoid hidden layers, softmax output) on a batch of n random samples.

    The finite-difference gradient is timed in full while that takes less than
    ``fd_budget`` seconds; beyond, on a random sample of the parameters, scaled
    to all P (marked "estimated")."""
    rng = np.random.default_rng(0)
    t = np.eye(10)[rng.integers(0, 10, n)]
    rows = []
    for h in widths:
        net = bpcode.Network([h, h, h, 10], hidden="sigmoid", output="softmax",
                             cost="cross_entropy", init="xavier_uniform", seed=0)
        x = rng.standard_normal((n, h))
        P = net.n_params
        times = interleaved({"forward": lambda net=net, x=x: forward_cost(net, x, t),
                             "backprop": lambda net=net, x=x: backprop_gradient(net, x, t)},
                            rounds, block)
        entries = [("W", l, i) for l in net.W for i in np.ndindex(net.W[l].shape)]
        entries += [("b", l, i) for l in net.b for i in np.ndindex(net.b[l].shape)]
        forward = statistics.median(times["forward"])
        estimated = 2 * P * forward > fd_budget
        sample = entries
        if estimated:
            keep = min(P, max(50, int(fd_budget / (2 * forward))))
            sample = [entries[k] for k in rng.choice(len(entries), keep, replace=False)]
        fd = finite_difference_time(net, x, t, sample) * len(entries) / len(sample)
        rows.append({
            "network": f"{h}-{h}-{h}-10", "width": h, "P": P, "batch": n,
            "forward": summary(times["forward"]), "backprop": summary(times["backprop"]),
            "finite_differences_s": fd, "finite_differences_estimated": estimated,
            "backprop/forward": ratio(times, "backprop", "forward"),
            "finite_differences/backprop": fd / statistics.median(times["backprop"]),
        })
    return rows


# ---------------------------------------------------------------- machine, table


def machine_info(torch):
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    blas = "unknown"
    try:
        config = np.show_config(mode="dicts")
        info = config["Build Dependencies"]["blas"]
        blas = f"{info.get('name', '?')} {info.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - informational only
        pass
    try:
        import sklearn
        sklearn_version = sklearn.__version__
    except ImportError:
        sklearn_version = "not installed"
    return {
        "cpu": cpu, "logical_cpus": os.cpu_count(), "platform": platform.platform(),
        "python": platform.python_version(), "numpy": np.__version__, "blas": blas,
        "torch": torch.__version__ if torch is not None else "not installed",
        "torch_threads": torch.get_num_threads() if torch is not None else None,
        "sklearn": sklearn_version, "bpcode": bpcode.__version__,
    }


def fmt_time(seconds):
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds * 1e6:.1f} µs"


def fmt_ratio(r):
    return f"{r['median']:.3f} [{r['min']:.2f}, {r['max']:.2f}]"


def table(results):
    lines = [f"bpcode benchmark, {results['date']}",
             f"{results['machine']['cpu']}, {results['machine']['logical_cpus']} CPUs, "
             f"numpy {results['machine']['numpy']} ({results['machine']['blas']}), "
             f"torch {results['machine']['torch']}", ""]
    lines.append("Medians with [min, max] over the rounds; ratios are the median "
                 "[min, max] of per-round ratios.")
    lines.append("")
    lines.append("a. One training step")
    lines.append(f"{'network':<16}{'batch':>6} {'dtype':<8}{'bpcode':>11}{'textbook':>11}"
                 f"{'GEMM':>11}{'torch':>11}   {'bpcode/GEMM':<22}{'bpcode/torch':<22}"
                 f"{'torch/GEMM':<22}")
    for r in results["train_step"]:
        c = r["contenders"]
        torch_cell = fmt_time(c["torch"]["median_s"]) if "torch" in c else "-"
        vs_torch, torch_vs = (
            (fmt_ratio(r["ratios"]["bpcode/torch"]), fmt_ratio(r["ratios"]["torch/gemm"]))
            if "bpcode/torch" in r["ratios"] else ("-", "-"))
        gemm = c["gemm"]
        lines.append(
            f"{'-'.join(map(str, r['sizes'])):<16}{r['batch']:>6} {r['dtype']:<8}"
            f"{fmt_time(c['bpcode']['median_s']):>11}{fmt_time(c['textbook']['median_s']):>11}"
            f"{fmt_time(gemm['median_s']):>11}{torch_cell:>11}   "
            f"{fmt_ratio(r['ratios']['bpcode/gemm']):<22}{vs_torch:<22}{torch_vs:<22}")
    lines.append("  GEMM: the step's own matrix products alone. The same products in other "
                 "memory layouts:")
    for r in results["train_step"]:
        c = r["contenders"]
        lines.append(f"  {'-'.join(map(str, r['sizes']))} B{r['batch']} {r['dtype']}: "
                     f"rows {fmt_time(c['gemm_rows']['median_s'])}, columns "
                     f"{fmt_time(c['gemm_columns']['median_s'])}; bpcode / fastest "
                     f"{fmt_ratio(r['ratios']['bpcode/gemm_best'])}")
    lines.append("  Numpy floor: the products plus the least elementwise work of any numpy step "
                 "(see gemm_step):")
    for r in results["train_step"]:
        vs_torch = (f", floor/torch {fmt_ratio(r['ratios']['floor/torch'])}"
                    if "floor/torch" in r["ratios"] else "")
        lines.append(f"  {'-'.join(map(str, r['sizes']))} B{r['batch']} {r['dtype']}: "
                     f"floor/GEMM {fmt_ratio(r['ratios']['floor/gemm'])}{vs_torch}")
    s = results["digits_step"]
    lines += ["", f"b. Digits network {'-'.join(map(str, s['sizes']))}, batch {s['batch']}"]
    torch_cell = "-"
    if "torch_fastest" in s:
        torch_cell = (f"{fmt_time(s['contenders'][s['torch_fastest']]['median_s'])} "
                      f"({'float32' if s['torch_fastest'] == 'torch_float32' else 'float64'})")
    vs = fmt_ratio(s["ratios"]["bpcode/torch"]) if "bpcode/torch" in s["ratios"] else "-"
    lines.append(f"  step:  bpcode {fmt_time(s['contenders']['bpcode']['median_s'])}, "
                 f"torch {torch_cell}, bpcode/torch {vs}")
    e = results["digits_epoch"]
    lines.append(f"  epoch: bpcode.sgd {fmt_time(e['contenders']['bpcode']['median_s'])}, "
                 f"MLPClassifier.partial_fit {fmt_time(e['contenders']['sklearn']['median_s'])}"
                 f", bpcode/sklearn {fmt_ratio(e['ratios']['bpcode/sklearn'])}")
    a = results["digits_accuracy"]
    lines += ["", f"c. Digits, time to {a['goal']:.0%} test accuracy over "
                  f"{len(a['runs']['bpcode'])} seeds (eta {a['eta']}, batch {a['batch']})"]
    for name in ("bpcode", "sklearn"):
        r = a[name]
        lines.append(f"  {name:<8} median {fmt_time(r['median_s'])} [{fmt_time(r['min_s'])}, "
                     f"{fmt_time(r['max_s'])}], median {r['median_epochs']:g} epochs, "
                     f"median accuracy {r['median_accuracy']:.3f}, reached {r['reached']}"
                     f"/{len(a['runs'][name])}")
    lines.append(f"  bpcode/sklearn {fmt_ratio(a['ratios']['bpcode/sklearn'])}")
    lines += ["", "d. One gradient of the cost, networks h-h-h-10, batch 100"]
    lines.append(f"{'P':>8}{'forward':>11}{'backprop':>11}{'finite diff.':>15}"
                 f"{'backprop/forward':>18}{'FD/backprop':>13}")
    for r in results["gradient_cost"]:
        fd = fmt_time(r["finite_differences_s"]) + ("*" if r["finite_differences_estimated"]
                                                     else "")
        lines.append(f"{r['P']:>8}{fmt_time(r['forward']['median_s']):>11}"
                     f"{fmt_time(r['backprop']['median_s']):>11}{fd:>15}"
                     f"{r['backprop/forward']['median']:>18.2f}"
                     f"{r['finite_differences/backprop']:>13.0f}")
    if any(r["finite_differences_estimated"] for r in results["gradient_cost"]):
        lines.append("  * estimated from a sample of parameters")
    lines += ["", "Targets"]
    for t in results["targets"]:
        value = "skipped" if t["value"] is None else f"{t['value']:.3f}"
        verdict = "skipped" if t["met"] is None else ("met" if t["met"] else "NOT MET")
        lines.append(f"  {t['description']:<62} {value:>8} <= {t['limit']:.2f}  {verdict}")
        if "numpy_floor" in t:
            lines.append(f"    numpy floor (products + least elementwise work): "
                         f"{t['numpy_floor']:.3f}"
                         + ("  -> no numpy step can meet this target here"
                            if t["numpy_floor"] > t["limit"] else ""))
    for message in results["skipped"]:
        lines.append(f"  note: {message}")
    return "\n".join(lines)


def check_targets(results):
    def find(sizes, n, dtype):
        for r in results["train_step"]:
            if r["sizes"] == sizes and r["batch"] == n and r["dtype"] == dtype:
                return r
        return None

    big = find([784, 512, 512, 10], 256, "float32")
    values = {
        "step_vs_gemm": big["ratios"]["bpcode/gemm"]["median"] if big else None,
        "step_vs_torch": (big["ratios"]["bpcode/torch"]["median"]
                          if big and "bpcode/torch" in big["ratios"] else None),
        "small_vs_torch": (results["digits_step"]["ratios"]["bpcode/torch"]["median"]
                           if "bpcode/torch" in results["digits_step"]["ratios"] else None),
        "digits_vs_sklearn": results["digits_accuracy"]["ratios"]["bpcode/sklearn"]["median"],
    }
    # The same ratio for the numpy floor (see gemm_step): what no numpy step can beat.
    floors = {
        "step_vs_gemm": big["ratios"]["floor/gemm"]["median"] if big else None,
        "step_vs_torch": (big["ratios"]["floor/torch"]["median"]
                          if big and "floor/torch" in big["ratios"] else None),
    }
    targets = []
    for name, description, limit in TARGETS:
        value = values[name]
        met = None if value is None else value <= limit
        if name == "digits_vs_sklearn":
            met = met and results["digits_accuracy"]["bpcode"]["median_accuracy"] >= 0.97
        target = {"name": name, "description": description, "limit": limit,
                  "value": value, "met": met}
        if floors.get(name) is not None:
            target["numpy_floor"] = floors[name]
        targets.append(target)
    return targets


# ---------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="small sizes and few rounds: a smoke run of a few seconds")
    parser.add_argument("--no-torch", action="store_true", help="skip PyTorch")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write JSON")
    args = parser.parse_args(argv)

    skipped = []
    torch = None
    if args.no_torch:
        skipped.append("PyTorch skipped (--no-torch)")
    else:
        try:
            import torch
        except ImportError:
            skipped.append("PyTorch is not installed (pip install torch==2.13.0): its "
                           "comparisons are skipped")
            print(f"note: {skipped[-1]}", file=sys.stderr)

    if args.quick:
        big, batches, dtypes = [64, 32, 32, 10], [16, 4], ["float32", "float64"]
        rounds, block, small_rounds, seeds, max_epochs = 3, 0.005, 3, [0], 3
        step_rounds, step_block, torch_rounds, torch_block = 3, 0.005, 3, 0.005
        widths, grad_n, fd_budget = [4, 8], 20, 0.05
    else:
        big, batches, dtypes = [784, 512, 512, 10], [256, 32], ["float32", "float64"]
        rounds, block, small_rounds, seeds, max_epochs = 15, 0.05, 21, [0, 1, 2, 3, 4], 60
        # The numpy contenders of a step alternate in blocks of about ten steps
        # of the big network, many times, to follow the machine's fast drift;
        # with PyTorch, a block follows a pause, so it lasts some forty steps
        # to measure steady running.
        step_rounds, step_block, torch_rounds, torch_block = 31, 0.05, 15, 0.2
        widths, grad_n, fd_budget = [2, 4, 8, 16, 32, 64, 128, 256, 512], 100, 2.0

    started = time.perf_counter()
    results = {
        "schema": 1,
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "command": "python benchmarks/run.py" + (" --quick" if args.quick else "")
                   + (" --no-torch" if args.no_torch else ""),
        "quick": args.quick,
        "machine": machine_info(torch),
        "skipped": skipped,
    }
    print(f"a. training steps of {'-'.join(map(str, big))} ...", file=sys.stderr)
    results["train_step"] = [bench_train_step(big, n, dtype, torch, step_rounds, step_block,
                                              torch_rounds, torch_block)
                             for dtype in dtypes for n in batches]
    print("b. digits network steps and epochs ...", file=sys.stderr)
    results["digits_step"] = bench_digits_step(torch, small_rounds, block)
    results["digits_epoch"] = bench_digits_epoch(rounds, 2 * block)
    print("c. digits, time to 97 % ...", file=sys.stderr)
    results["digits_accuracy"] = time_to_accuracy(seeds, max_epochs)
    print("d. cost of a gradient against P ...", file=sys.stderr)
    results["gradient_cost"] = bench_gradient_cost(widths, grad_n, fd_budget, rounds, block)
    results["targets"] = check_targets(results)
    results["seconds"] = time.perf_counter() - started

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(table(results))
    print(f"\nwrote {args.out} in {results['seconds']:.0f} s")
    return results


if __name__ == "__main__":
    main()
