"""Cases b and c: the digits network 64-30-10 at batch 10, in float64.

b. One step of bpcode against PyTorch, and one epoch of :func:`bpcode.sgd`
   against one ``MLPClassifier.partial_fit`` of scikit-learn.
c. The time to reach 97 % test accuracy, bpcode's SGD against
   ``MLPClassifier(solver="sgd")`` with the same network and
   hyper-parameters, seed by seed.
"""

import statistics
import time
import warnings

import numpy as np

import bpcode
from benchmarks import harness
from benchmarks.cases.train_step import network, torch_step
from bpcode import FastStep, SGDSettings

SIZES = [64, 30, 10]


def bench_step(torch, rounds, block, n=10, eta=2.0):
    """One step of the digits network in float64 (bpcode's default), against
    PyTorch in float64 and in float32 (its default); the ratio is taken
    against whichever PyTorch is faster."""
    d = bpcode.datasets.digits()
    x, t, labels = d.x_train[:n], d.t_train[:n], d.labels_train[:n]
    fast = FastStep(network(SIZES, "float64"), SGDSettings(eta))
    contenders = {"bpcode": lambda: fast.step(x, t)}
    if torch is not None:
        contenders["torch"] = torch_step(torch, SIZES, x, labels, eta, "float64")
        contenders["torch_float32"] = torch_step(torch, SIZES, x.astype(np.float32), labels,
                                                 eta, "float32")
    times = harness.interleaved(contenders, rounds, block,
                                pause=harness.TORCH_PAUSE if torch else 0.0)
    result = {"sizes": SIZES, "batch": n, "dtype": "float64",
              "contenders": {k: harness.summary(v) for k, v in times.items()}, "ratios": {}}
    if torch is not None:
        fastest = min(("torch", "torch_float32"), key=lambda k: statistics.median(times[k]))
        result["torch_fastest"] = fastest
        result["ratios"]["bpcode/torch"] = harness.ratio(times, "bpcode", fastest)
    return result


def sklearn_classifier(eta, n, seed):
    """scikit-learn's network of the same shape and plain SGD settings."""
    from sklearn.neural_network import MLPClassifier

    return MLPClassifier(hidden_layer_sizes=(30,), activation="logistic", solver="sgd",
                         learning_rate="constant", learning_rate_init=eta, momentum=0.0,
                         nesterovs_momentum=False, alpha=0.0, batch_size=n, shuffle=True,
                         random_state=seed)


def bench_epoch(rounds, block, n=10, eta=2.0):
    """One epoch over the 1347 training digits: bpcode.sgd(epochs=1), which also
    records the loss and gradient norms, against MLPClassifier.partial_fit."""
    d = bpcode.datasets.digits()
    classes = np.arange(10)
    net = network(SIZES, "float64")
    clf = sklearn_classifier(eta, n, 0)
    clf.partial_fit(d.x_train, d.labels_train, classes=classes)
    seed = np.random.default_rng(0)

    def sklearn_epoch():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # printing one would be timed too
            clf.partial_fit(d.x_train, d.labels_train, classes=classes)

    contenders = {
        "bpcode": lambda: bpcode.sgd(net, d.x_train, d.t_train, eta=eta, epochs=1,
                                     batch_size=n, seed=seed),
        "sklearn": sklearn_epoch,
    }
    times = harness.interleaved(contenders, rounds, block, warmup=1)
    return {"sizes": SIZES, "batch": n, "samples": len(d.x_train),
            "contenders": {k: harness.summary(v) for k, v in times.items()},
            "ratios": {"bpcode/sklearn": harness.ratio(times, "bpcode", "sklearn")}}


class _Reached(Exception):
    """Raised by the epoch callback to stop bpcode.sgd at the goal."""


def _bpcode_run(d, seed, max_epochs, goal, n, eta):
    net = network(SIZES, "float64", seed=seed)
    state = {"epochs": max_epochs, "accuracy": 0.0}

    def check(epoch, history):
        state["accuracy"] = net.accuracy(d.x_test, d.t_test)
        if state["accuracy"] >= goal:
            state["epochs"] = epoch
            raise _Reached

    start = time.perf_counter()
    try:
        bpcode.sgd(net, d.x_train, d.t_train, eta=eta, epochs=max_epochs, batch_size=n,
                   seed=seed, callback=check)
    except _Reached:
        pass
    return time.perf_counter() - start, state["epochs"], state["accuracy"]


def _sklearn_run(d, seed, max_epochs, goal, n, eta):
    clf = sklearn_classifier(eta, n, seed)
    classes = np.arange(10)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # printing one would be timed too
        for epochs in range(1, max_epochs + 1):  # noqa: B007 (returned below)
            clf.partial_fit(d.x_train, d.labels_train, classes=classes)
            accuracy = clf.score(d.x_test, d.labels_test)
            if accuracy >= goal:
                break
    return time.perf_counter() - start, epochs, accuracy


def time_to_accuracy(seeds, max_epochs, goal=0.97, n=10, eta=2.0):
    """Train from scratch until the test accuracy reaches ``goal``, checking
    after every epoch; bpcode and scikit-learn alternate seed by seed, and the
    ratio is taken per seed. The time includes the per-epoch accuracy checks
    on both sides."""
    d = bpcode.datasets.digits()
    train = {"bpcode": _bpcode_run, "sklearn": _sklearn_run}
    runs = {"bpcode": [], "sklearn": []}
    for seed in seeds:
        for name in ("bpcode", "sklearn") if seed % 2 == 0 else ("sklearn", "bpcode"):
            seconds, epochs, accuracy = train[name](d, seed, max_epochs, goal, n, eta)
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
    result["ratios"] = {"bpcode/sklearn": harness.ratio_summary(
        per_seed, result["bpcode"]["median_s"] / result["sklearn"]["median_s"])}
    return result
