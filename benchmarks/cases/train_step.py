"""Case a: one SGD training step of 784-512-512-10 (sigmoid hidden layers,
softmax output, cross-entropy cost), bpcode against its own matrix products,
a numpy floor and PyTorch.

The contenders:

* ``bpcode``: :meth:`bpcode.FastStep.step`, the step that :func:`bpcode.sgd` takes;
* ``textbook``: :meth:`bpcode.TextbookStep.step`, the chapter's functions;
* ``gemm``: :meth:`bpcode.FastStep.products`, the step's own matrix products
  alone (the very np.dot calls of the step, with its operands and memory
  layout): the bound of the first target;
* ``floor``: those products plus the least elementwise work of any numpy step
  (see :func:`floor`);
* ``gemm_rows``, ``gemm_columns``: the same products without the bias, in two
  other layouts, for reference;
* ``torch``: PyTorch's ``nn.Sequential`` with a hand-written SGD step.
"""

import statistics

import numpy as np

import bpcode
from benchmarks import harness
from bpcode import FastStep, SGDSettings, TextbookStep


def network(sizes, dtype, seed=0):
    """The network of every case: sigmoid hidden layers, softmax, cross-entropy."""
    return bpcode.Network(sizes, hidden="sigmoid", output="softmax", cost="cross_entropy",
                          init="xavier_uniform", seed=seed, dtype=dtype)


def classification_batch(sizes, n, dtype, seed=0):
    """Random inputs, one-hot targets and their labels for n samples."""
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


def floor(sizes, n, dtype):
    """The numpy floor: the step's matrix products, each followed by the least
    elementwise work that any numpy step must add to it: one tanh pass over
    every hidden z^l (a sigmoid needs at least one transcendental function),
    one multiplication of every hidden δ^l by an array of f'(z^l), and one
    subtraction over all parameters for the update. This leaves out the
    affine parts of the sigmoid, the computation of f', the softmax, the cost
    and any check, so no numpy step can be faster: a target that this misses
    cannot be met with numpy on this machine.

    Its arrays are its own, laid out as FastStep lays out its arrays (one
    column per sample; each layer's parameters one block [W^l; b^l] in one
    flat array; each hidden a^l with an extra row of ones), so that it makes
    the step's very products (tests/test_benchmarks_smoke.py checks this).
    """
    rng = np.random.default_rng(1)
    shapes = [(m + 1, k) for m, k in zip(sizes[:-1], sizes[1:], strict=True)]
    ends = np.cumsum([m * k for m, k in shapes])
    P = (rng.standard_normal(ends[-1]) * 0.05).astype(dtype)
    G = np.zeros_like(P)

    def blocks(flat):  # [W^l; b^l] for l = 2..L, views of one flat array
        parts = np.split(flat, ends[:-1])
        return [part.reshape(shape) for part, shape in zip(parts, shapes, strict=True)]

    P_block, G_block = blocks(P), blocks(G)
    a1 = [np.ones((m + 1, n), dtype) for m in sizes[1:-1]]
    a = [a1_i[:-1] for a1_i in a1]
    delta = [rng.random((m, n)).astype(dtype) for m in sizes[1:]]
    fprime = [rng.random((m, n)).astype(dtype) for m in sizes[1:-1]]
    z = np.empty((sizes[-1], n), dtype)
    x = rng.random((n, sizes[0])).astype(dtype)
    ones = np.ones(n, dtype)
    last = len(sizes) - 2
    for a_i in a:
        a_i[...] = rng.random(a_i.shape)

    def run():
        np.dot(P_block[0][:-1].T, x.T, out=a[0] if last else z)
        if last:
            np.tanh(a[0], out=a[0])
        for i in range(1, last):
            np.dot(P_block[i].T, a1[i - 1], out=a[i])
            np.tanh(a[i], out=a[i])
        if last:
            np.dot(P_block[last].T, a1[last - 1], out=z)
        for i in range(last, 0, -1):
            np.dot(a1[i - 1], delta[i].T, out=G_block[i])
            np.dot(P_block[i][:-1], delta[i], out=delta[i - 1])
            np.multiply(delta[i - 1], fprime[i - 1], out=delta[i - 1])
        np.dot(x.T, delta[0].T, out=G_block[0][:-1])
        np.dot(delta[0], ones, out=G_block[0][-1])
        np.subtract(P, G, out=G)

    return run


def gemm_only(sizes, n, dtype, layout):
    """The step's matrix products without the bias, with preallocated
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


def bench(sizes, n, dtype, torch, rounds, block, torch_rounds, torch_block, eta=0.1):
    """One training step, in two interleaved runs: the numpy contenders in
    short blocks back to back, which gives the ratio to the bound; then
    bpcode, PyTorch, the bound and the floor, whose blocks must be separated
    by pauses (see harness.TORCH_PAUSE) and are therefore longer."""
    net = network(sizes, dtype)
    x, t, labels = classification_batch(sizes, n, dtype)
    fast = FastStep(net, SGDSettings(eta))
    fast.step(x, t)  # so that the products run on a step's values
    textbook = TextbookStep(net.copy(), SGDSettings(eta))
    contenders = {
        "bpcode": lambda: fast.step(x, t),
        "textbook": lambda: textbook.step(x, t),
        "gemm": lambda: fast.products(x),
        "floor": floor(sizes, n, dtype),
        "gemm_rows": gemm_only(sizes, n, dtype, "rows"),
        "gemm_columns": gemm_only(sizes, n, dtype, "columns"),
    }
    times = harness.interleaved(contenders, rounds, block)
    # The fastest of the three ways to run the same products, for reference.
    best = min(("gemm", "gemm_rows", "gemm_columns"), key=lambda k: statistics.median(times[k]))
    flop = step_gflop(sizes, n)
    result = {
        "sizes": sizes, "batch": n, "dtype": dtype, "gflop": flop, "gemm_best": best,
        "contenders": {k: harness.summary(v) for k, v in times.items()},
        "ratios": {"bpcode/gemm": harness.ratio(times, "bpcode", "gemm"),
                   "bpcode/gemm_best": harness.ratio(times, "bpcode", best),
                   "textbook/gemm": harness.ratio(times, "textbook", "gemm"),
                   "floor/gemm": harness.ratio(times, "floor", "gemm")},
    }
    if torch is not None:
        with_torch = {name: contenders[name] for name in ("bpcode", "gemm", "floor")}
        with_torch["torch"] = torch_step(torch, sizes, x, labels, eta, dtype)
        pair = harness.interleaved(with_torch, torch_rounds, torch_block,
                                   pause=harness.TORCH_PAUSE)
        result["contenders"]["torch"] = harness.summary(pair["torch"])
        result["ratios"]["bpcode/torch"] = harness.ratio(pair, "bpcode", "torch")
        result["ratios"]["torch/gemm"] = harness.ratio(pair, "torch", "gemm")
        result["ratios"]["floor/torch"] = harness.ratio(pair, "floor", "torch")
        result["torch_run"] = {k: harness.summary(v) for k, v in pair.items()}
    for v in result["contenders"].values():
        v["gflop_per_s"] = flop / v["median_s"]
    return result
