"""Case d: the cost of one gradient as the parameter count P grows, for
networks h-h-h-10 (sigmoid hidden layers, softmax output) on a batch of random
samples: one forward pass, backpropagation with the chapter's functions
(bpcode.backprop.feedforward, then bpcode.backprop.backward: the functions the
book shows, without the argument checks of bpcode.feedforward and
bpcode.backward), and central finite differences
(2P forward passes). The book's page "How fast is backpropagation?" makes
the same measurement while it is built; this one takes more care."""

import statistics
import time

import numpy as np

import bpcode
from benchmarks import harness
from bpcode import backprop


def forward_cost(net, x, t):
    """The mean cost C of a batch: one forward pass (as on the book's page)."""
    z, a = backprop.feedforward(net.W, net.b, x, net.hidden, net.output)
    return net.cost.value(z[net.L], a[net.L], t).mean()


def backprop_gradient(net, x, t):
    """dC/dW^l and dC/db^l: a forward pass, then backpropagation."""
    z, a = backprop.feedforward(net.W, net.b, x, net.hidden, net.output)
    return backprop.backward(net.W, z, a, t, net.hidden, net.output, net.cost)


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


def bench(widths, n, fd_budget, rounds, block):
    """One forward pass (the cost C), one backpropagation gradient and one
    central-difference gradient, for each width h in ``widths``.

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
        times = harness.interleaved(
            {"forward": lambda net=net, x=x: forward_cost(net, x, t),
             "backprop": lambda net=net, x=x: backprop_gradient(net, x, t)}, rounds, block)
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
            "forward": harness.summary(times["forward"]),
            "backprop": harness.summary(times["backprop"]),
            "finite_differences_s": fd, "finite_differences_estimated": estimated,
            "backprop/forward": harness.ratio(times, "backprop", "forward"),
            "finite_differences/backprop": fd / statistics.median(times["backprop"]),
        })
    return rows
