"""Property tests of bpcode's public API (issue 14), over random small networks.

* Bad arguments: every public call, given valid arguments with one of them
  replaced by a bad value of any kind, raises TypeError or ValueError (or
  FileNotFoundError for a missing file) whose message names the argument,
  and leaves every parameter, the velocity of a training step, the state of a
  random generator passed as seed and numpy's global random state
  bit-identical.
* Good arguments: every public call, given finite valid arguments of any
  magnitude (weights and inputs from 1e-300 to 1e300 within the dtype, and
  learning rates, weight decays, thresholds and steps up to 1e300),
  returns only finite values or raises bpcode.NonFiniteError; raising, it
  changes nothing, except that sgd keeps the finite parameters trained up to
  the failing step.
* save/load round-trips bit for bit, for both dtypes and any architecture.
* load of a damaged file (random bytes, truncations, flipped bits) raises
  ValueError or returns the same network.
* No warning escapes any call, a ResourceWarning included.

Hypothesis runs derandomized (the same examples every run) and without its
example database, so CI is reproducible; the networks are small, and the whole
file takes well under a minute.
"""

import dataclasses
import os
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import bpcode
from bpcode import ACTIVATIONS, COSTS, Network, NonFiniteError, SGDSettings

# The mutation run (tests/mutation.md) runs these tests for every surviving mutant
# of the functions they call, with BPCODE_EXAMPLES_SCALE=0.1.
SCALE = float(os.environ.get("BPCODE_EXAMPLES_SCALE", "1"))


def examples(n):
    """Hypothesis settings for ``n`` examples (times SCALE), the same on every run."""
    return settings(max_examples=max(1, round(n * SCALE)), derandomize=True, deadline=None,
                    database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

PAIRS = [("sigmoid", "quadratic"), ("identity", "quadratic"), ("tanh", "quadratic"),
         ("relu", "quadratic"), ("softmax", "quadratic"), ("sigmoid", "binary_cross_entropy"),
         ("softmax", "cross_entropy")]
HIDDEN = ["sigmoid", "tanh", "relu", "identity"]
# Decimal exponents of weights and inputs that stay finite in each dtype.
RANGE = {"float64": 300, "float32": 35}


# ------------------------------------------------------------------ generation


@dataclasses.dataclass
class Setup:
    """A network, a valid batch for it, and valid values for every argument."""

    net: Network
    x: np.ndarray
    t: np.ndarray
    args: dict


def targets(rng, cost, n, m):
    if cost == "cross_entropy":
        t = rng.uniform(0, 1, (n, m)) * rng.integers(0, 2, (n, m)) + 1e-3
        return t / t.sum(axis=1, keepdims=True)
    if cost == "binary_cross_entropy":
        return rng.uniform(0, 1, (n, m))
    return rng.standard_normal((n, m))


@st.composite
def setups(draw, extreme=False):
    """A random network of 2 to 4 layers of 1 to 4 units and a batch of 1 to 4
    samples; with ``extreme``, weights and inputs scaled by 10^k for any k
    that keeps them finite in the dtype."""
    sizes = draw(st.lists(st.integers(1, 4), min_size=2, max_size=4))
    hidden = draw(st.sampled_from(HIDDEN))
    output, cost = draw(st.sampled_from(PAIRS))
    dtype = draw(st.sampled_from(["float64", "float32"]))
    init = draw(st.sampled_from(sorted(bpcode.INITS)))
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(1, 4))
    rng = np.random.default_rng(seed)
    net = Network(sizes, hidden=hidden, output=output, cost=cost, init=init, seed=rng,
                  dtype=dtype)
    x = rng.standard_normal((n, sizes[0]))
    if extreme:
        top = RANGE[dtype]
        w_scale, x_scale = (10.0 ** draw(st.integers(-top, top)) for _ in range(2))
        net.set_parameters({l: w * w_scale for l, w in net.W.items()},
                           {l: v * w_scale for l, v in net.b.items()})
        x = x * x_scale
    t = targets(rng, cost, n, sizes[-1])
    x, t = x.astype(dtype), t.astype(dtype)
    grads = net.backward(x, t, allow_overflow=True)
    # The other settings: ordinary ones, or, with ``extreme``, any valid value.
    pick = (lambda *values: draw(st.sampled_from(values))) if extreme else (
        lambda *values: values[0])
    args = {
        "net": net, "x": x, "t": t, "eta": pick(0.1, 10.0, 1e10, 1e300), "epochs": 1,
        "batch_size": pick(2, 1, 5), "momentum": pick(0.5, 0.0, 0.99),
        "weight_decay": pick(0.01, 0.0, 1e300), "clip_norm": pick(1.0, None, 1e-300),
        "seed": np.random.default_rng(1), "validation": (x, t),
        "callback": lambda epoch, history: None, "step": pick("fast", "textbook"),
        "threshold": pick(0.01, 1e-300, 1e300), "eps": pick(1e-2, 1e-7, 0.5, 100.0),
        "order": pick(2, 4, 6, 8), "tiny": pick(1e-6, 1e-300, 1e300), "max_per_layer": 2,
        "param": "W", "l": 2, "index": (0, 0), "allow_overflow": False,
        "W": {l: w.copy() for l, w in net.W.items()},
        "b": {l: v.copy() for l, v in net.b.items()},
        "dW": grads.dW, "db": grads.db, "z": grads.z, "a": grads.a, "delta": grads.delta,
        "hidden": net.hidden, "output": net.output, "cost": net.cost,
        "sizes": list(sizes), "hidden_name": hidden, "output_name": output,
        "cost_name": cost, "init": init, "std": 1.0, "gain": 1.0, "dtype": dtype,
        "settings": SGDSettings(0.1, momentum=0.5),
    }
    return Setup(net, x, t, args)


# --------------------------------------------------------------- the public calls


def stepper(kind, x="x", t="t"):
    """A step by the training step ``kind`` made by :func:`prepare`, on the
    arguments named ``x`` and ``t``."""
    return lambda a: a["_steppers"][kind].step(a[x], a[t])


CALLS = {
    "Network": (lambda a: Network(a["sizes"], hidden=a["hidden_name"], output=a["output_name"],
                                  cost=a["cost_name"], init=a["init"], std=a["std"],
                                  gain=a["gain"], seed=a["seed"], dtype=a["dtype"]),
                ["sizes", "hidden_name", "output_name", "cost_name", "init", "std", "gain",
                 "seed", "dtype"]),
    "forward": (lambda a: a["net"].forward(a["x"]), ["x"]),
    "predict": (lambda a: a["net"].predict(a["x"]), ["x"]),
    "check_batch": (lambda a: a["net"].check_batch(a["x"], a["t"]), ["x", "t"]),
    "loss": (lambda a: a["net"].loss(a["x"], a["t"]), ["x", "t"]),
    "backward": (lambda a: a["net"].backward(a["x"], a["t"], allow_overflow=a["allow_overflow"]),
                 ["x", "t", "allow_overflow"]),
    "accuracy": (lambda a: a["net"].accuracy(a["x"], a["t"]), ["x", "t"]),
    "set_parameters": (lambda a: a["net"].set_parameters(a["W"], a["b"]), ["W", "b"]),
    "gradient_norms": (lambda a: bpcode.gradient_norms(a["net"], a["x"], a["t"],
                                                       allow_overflow=a["allow_overflow"]),
                       ["net", "x", "t", "allow_overflow"]),
    "layer_norms": (lambda a: bpcode.layer_norms(a["dW"], a["delta"]), ["dW", "delta"]),
    "saturation": (lambda a: bpcode.saturation(a["net"], a["x"], a["threshold"]),
                   ["net", "x", "threshold"]),
    "check_gradients": (lambda a: bpcode.check_gradients(
        a["net"], a["x"], a["t"], eps=a["eps"], order=a["order"],
        max_per_layer=a["max_per_layer"], seed=a["seed"], tiny=a["tiny"]),
        ["net", "x", "t", "eps", "order", "max_per_layer", "seed", "tiny"]),
    "numerical_gradient": (lambda a: bpcode.numerical_gradient(
        a["net"], a["x"], a["t"], a["param"], a["l"], a["index"], a["eps"], a["order"]),
        ["net", "x", "t", "param", "l", "index", "eps", "order"]),
    "numerical_parameter_gradient": (lambda a: bpcode.numerical_parameter_gradient(
        a["net"], a["x"], a["t"], a["param"], a["l"], eps=a["eps"], order=a["order"]),
        ["net", "x", "t", "param", "l", "eps", "order"]),
    "numerical_delta": (lambda a: bpcode.numerical_delta(
        a["net"], a["x"], a["t"], a["l"], eps=a["eps"], order=a["order"]),
        ["net", "x", "t", "l", "eps", "order"]),
    "relative_error": (lambda a: bpcode.relative_error(a["dW"][2], a["W"][2], a["tiny"]),
                       ["tiny"]),
    "sgd": (lambda a: bpcode.sgd(
        a["net"], a["x"], a["t"], eta=a["eta"], epochs=a["epochs"], batch_size=a["batch_size"],
        momentum=a["momentum"], weight_decay=a["weight_decay"], clip_norm=a["clip_norm"],
        seed=a["seed"], validation=a["validation"], callback=a["callback"], step=a["step"]),
        ["net", "x", "t", "eta", "epochs", "batch_size", "momentum", "weight_decay",
         "clip_norm", "seed", "validation", "callback", "step"]),
    "SGDSettings": (lambda a: SGDSettings(a["eta"], a["momentum"], a["weight_decay"],
                                          a["clip_norm"]),
                    ["eta", "momentum", "weight_decay", "clip_norm"]),
    "TextbookStep": (lambda a: bpcode.TextbookStep(a["net"], a["settings"]), ["net", "settings"]),
    "FastStep": (lambda a: bpcode.FastStep(a["net"], a["settings"]), ["net", "settings"]),
    "TextbookStep.step": (stepper("textbook"), ["x", "t"]),
    "FastStep.step": (stepper("fast", "fast_x", "fast_t"), ["fast_x", "fast_t"]),
    "feedforward": (lambda a: bpcode.feedforward(a["W"], a["b"], a["x"], a["hidden"],
                                                 a["output"]),
                    ["W", "b", "x", "hidden", "output"]),
    "output_delta": (lambda a: bpcode.output_delta(a["cost"], a["output"], a["z"][max(a["z"])],
                                                   a["a"][max(a["a"])], a["t"]),
                     ["cost", "output", "t"]),
    "backpropagate_delta": (lambda a: bpcode.backpropagate_delta(
        a["delta"][max(a["delta"])], a["W"][max(a["W"])], a["a"][max(a["a"]) - 1],
        a["a"][max(a["a"]) - 1], a["hidden"]), ["hidden"]),
    "weight_gradient": (lambda a: bpcode.weight_gradient(a["x"], a["delta"][2]), ["x"]),
    "bias_gradient": (lambda a: bpcode.bias_gradient(a["delta"][2]), []),
    "backward (equations)": (lambda a: bpcode.backward(a["W"], a["z"], a["a"], a["t"],
                                                       a["hidden"], a["output"], a["cost"]),
                             ["W", "z", "a", "t", "hidden", "output", "cost"]),
    "update": (lambda a: bpcode.update(a["W"], a["b"], a["dW"], a["db"], a["eta"]),
               ["W", "b", "dW", "db", "eta"]),
    "save": (lambda a: bpcode.save(a["net"], a["path"]), ["net", "path"]),
    "load": (lambda a: bpcode.load(a["path"]), ["path"]),
}


# ------------------------------------------------------------------ bad values


def bad_matrix(width, n, dtype):
    """Inputs or targets that are wrong for a batch of n rows of ``width``."""
    good = np.full((n, width), 0.5)
    values = [None, "1 2", {"a": 1}, [[0.5] * (width + 1), [0.5]], good.astype(object), good + 1j,
              good.astype("m8[s]"), np.empty((0, width)), good[..., np.newaxis],
              np.full((n, width + 1), 0.5), np.full(width + 1, 0.5),
              np.where(np.eye(n, width, dtype=bool), np.nan, good),
              np.where(np.eye(n, width, dtype=bool), np.inf, good),
              np.where(np.eye(n, width, dtype=bool), -np.inf, good), True]
    if np.dtype(dtype) == np.float32:
        values.append(np.where(np.eye(n, width, dtype=bool), 1e39, good))
    return values


def bad_targets(s, dtype):
    n, m = s.t.shape
    values = bad_matrix(m, n, dtype) + [np.full((n + 1, m), 1 / m)]
    if s.net.cost.name != "quadratic":
        values += [np.full((n, m), 1.5), np.full((n, m), -0.1)]
    if s.net.cost.name == "cross_entropy":
        values += [np.zeros((n, m)), np.full((n, m), 0.9)]
    return values


POSITIVE = [0, 0.0, -1.0, np.nan, np.inf, -np.inf, "0.1", None, True, 1j, [0.1]]
NON_NEGATIVE = [-0.1, np.nan, np.inf, "0", None, 1j]
COUNTS = [-1, 1.5, "2", None, True, 2.0]
SEEDS = [-1, 1.5, "0", True, object(), [1]]


def bad_layers(s, name):
    L = s.net.L
    good = s.args[name]
    wrong_shape = {l: np.ones(v.shape + (1,)) for l, v in good.items()}
    return [None, "W", {2: good[2]} if L > 2 else {}, {**good, L + 1: good[L]},
            {k if k != L else str(L): v for k, v in good.items()}, wrong_shape,
            {l: np.where(np.ones_like(v, dtype=bool), np.nan, v) for l, v in good.items()},
            {l: v.astype(complex) for l, v in good.items()}]


# The equations take bare arrays, each of its own dtype: for them 1e39 in a
# float64 x or t is a number like any other, whatever the network's dtype.
EQUATIONS = ["feedforward", "output_delta", "backpropagate_delta", "weight_gradient",
             "bias_gradient", "backward (equations)", "update"]


def bad_values(s, name, call):
    """The bad values for the argument ``name`` of ``call`` in the setup ``s``."""
    net, n = s.net, len(s.x)
    dtype = np.float64 if call in EQUATIONS else net.dtype
    if name == "x":
        values = bad_matrix(net.sizes[0], n, dtype)
        if call == "weight_gradient":  # x stands for a^(l-1), of any width
            values = [v for v in values if not (isinstance(v, np.ndarray) and v.ndim == 2
                                                and v.dtype.kind == "f" and len(v) == n
                                                and np.isfinite(v).all())]
        return values
    if name == "t":
        return bad_targets(s, dtype)
    if name in ("std", "gain"):  # 1e39 N(0, 1) overflows float32; only "normal" uses std
        uses = name == "gain" or s.args["init"] == "normal"
        return POSITIVE + [1e39] * (np.dtype(net.dtype) == np.float32 and uses)
    if name in ("eta", "eps", "tiny", "threshold"):
        return POSITIVE
    if name == "clip_norm":  # None means no clipping
        return [value for value in POSITIVE if value is not None]
    if name == "weight_decay":
        return NON_NEGATIVE
    if name == "momentum":
        return [1.0, 1.5, *NON_NEGATIVE]
    if name == "epochs":
        return COUNTS
    if name == "batch_size":
        return [0, *COUNTS]
    if name == "max_per_layer":  # None means every entry
        return [0, *(value for value in COUNTS if value is not None)]
    if name == "seed":
        return SEEDS
    if name == "l":
        return [0, 1, net.L + 1, "2", 2.0, None, (2,), True]
    if name == "param":
        return ["Q", None, 2, "w", b"W"]
    if name == "index":
        return [(9, 9), (-1, 0), "00", (0,), (0, 0, 0), 1.5, None, (0.0, 0)]
    if name == "order":
        return [3, 0, "8", 8.0, None, [8], True]
    if name == "net":
        return ["net", None, 3, object()]
    if name == "allow_overflow":
        return ["yes", 1, None]
    if name == "step":
        return ["slow", None, 3]
    if name == "validation":
        return [(s.x,), s.x, (s.x, s.t, s.t), "v", (s.x, np.full(s.t.shape[1], 0.5))[:1],
                *[(x, s.t) for x in bad_matrix(net.sizes[0], n, net.dtype)[:4]]]
    if name == "callback":
        return ["print", 3]
    if name == "settings":
        return [None, {"eta": 0.1}, 0.1]
    if name in ("W", "b", "dW", "db", "z", "delta"):
        return bad_layers(s, name)
    if name == "a":
        return [None, {k: v for k, v in s.args["a"].items() if k != 1}]
    if name in ("hidden", "output"):
        return ["sigmoid", None, COSTS["quadratic"]] + [ACTIVATIONS["softmax"]] * (
            name == "hidden")
    if name == "cost":
        return ["quadratic", None, ACTIVATIONS["sigmoid"]]
    if name == "sizes":
        return [[2, 0], [2], [], "23", 5, [2, 2.5], [True, 2], [2, -1], [10**6, 10**6]]
    if name in ("hidden_name", "output_name", "cost_name", "init"):
        return ["swish", None, 3] + ["softmax"] * (name == "hidden_name")
    if name == "dtype":
        return ["float16", np.int64, "double precision", 3]
    if name == "fast_x":
        other = np.float32 if np.dtype(net.dtype) == np.float64 else np.float64
        return [s.x.astype(other),
                s.x[:, :-1], s.x.tolist(), s.x[0]]
    if name == "fast_t":
        return [s.t[:-1] if n > 1 else s.t[:, :-1], s.t.tolist()]
    if name == "path":
        return [123, None, 1.5, s.args["path"].parent / "missing" / "net.npz"]
    raise AssertionError(name)


# What a message must contain to name the argument, where the name differs,
# by argument or by (call, argument).
NAMED = {"hidden_name": "hidden activation", "output_name": "activation", "cost_name": "cost",
         "fast_x": "x and t", "fast_t": "x and t", ("backpropagate_delta", "hidden"): "f",
         ("weight_gradient", "x"): "a_prev"}


# ------------------------------------------------------------------- checking


def state(s):
    """Everything a failed call must leave as it was."""
    net = s.net
    params = [a.tobytes() for l in sorted(net.W) for a in (net.W[l], net.b[l])]
    velocities = [v.tobytes() for step in s.args.get("_steppers", {}).values()
                  for pair in step.velocity.values() for v in pair]
    seed = s.args["seed"]
    generator = seed.bit_generator.state if isinstance(seed, np.random.Generator) else None
    return params, velocities, generator, str(np.random.get_state())


def finite(value):
    """True if every number in ``value`` is finite."""
    if isinstance(value, Network):
        return all(np.isfinite(value.W[l]).all() and np.isfinite(value.b[l]).all()
                   for l in value.W)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(finite(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return all(finite(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(finite(v) for v in value)
    if isinstance(value, (np.ndarray, np.generic, float, int)):
        return bool(np.isfinite(np.asarray(value, dtype=float)).all())
    return True  # None, str, a Generator, a stepper


def prepare(s, tmp):
    """Steppers with a step behind them, and a saved file, where a call needs them."""
    settings_ = SGDSettings(0.01, momentum=0.5)
    s.args["_steppers"] = {}
    for kind, cls in (("textbook", bpcode.TextbookStep), ("fast", bpcode.FastStep)):
        step = cls(s.net.copy(), settings_)
        try:
            step.step(s.x, s.t)
        except bpcode.DivergenceError:
            pass
        s.args["_steppers"][kind] = step
    s.args["fast_x"], s.args["fast_t"] = s.x, s.t
    s.args["path"] = tmp / "net.npz"


def detached(error):
    """``error`` and the exceptions it chains, without their tracebacks: the frames
    of the failed call are freed at once, so that a file it left open warns now,
    inside the test's catch_warnings (a full gc.collect per example would take
    most of the test's time)."""
    link = error
    while link is not None:
        link.__traceback__ = None
        link = link.__cause__ or link.__context__
    return error


def run(name, args):
    """Call ``name`` with ``args``, recording every warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, error = CALLS[name][0](args), None
        except Exception as raised:  # noqa: BLE001 - the test sorts what was raised
            result, error = None, detached(raised)
    return result, error, [f"{w.category.__name__}: {w.message}" for w in caught]


def step_network(s, name):
    """The network a call changes: a stepper's own for the step calls."""
    if name == "TextbookStep.step":
        return s.args["_steppers"]["textbook"].net
    if name == "FastStep.step":
        return s.args["_steppers"]["fast"].net
    return s.net


@pytest.fixture(scope="module")
def tmp(tmp_path_factory):
    return tmp_path_factory.mktemp("properties")


# --------------------------------------------------------------------- properties


ARGUMENTS = [(name, arg) for name, (_, args) in CALLS.items() for arg in args]


@examples(2000)
@given(s=setups(), case=st.sampled_from(ARGUMENTS), data=st.data())
def test_bad_argument_raises_naming_it_and_changes_nothing(tmp, s, case, data):
    name, arg = case
    prepare(s, tmp)
    bad = data.draw(st.sampled_from(bad_values(s, arg, name)), label=f"{name}: bad {arg}")
    before = state(s)
    watched = step_network(s, name)
    watched_before = [a.tobytes() for l in sorted(watched.W) for a in (watched.W[l],
                                                                        watched.b[l])]
    result, error, caught = run(name, {**s.args, arg: bad})
    assert caught == []
    assert isinstance(error, (TypeError, ValueError, FileNotFoundError)), (
        f"{name} with {arg}={bad!r} returned {result!r} / raised {error!r}")
    if not isinstance(error, FileNotFoundError):
        named = NAMED.get((name, arg), NAMED.get(arg, arg))
        assert named in str(error), f"{name}: {error} does not name {arg}"
    assert state(s) == before
    assert [a.tobytes() for l in sorted(watched.W)
            for a in (watched.W[l], watched.b[l])] == watched_before


GOOD_CALLS = [name for name in CALLS if name not in ("Network", "load")]
# The calls whose arguments come from backward(allow_overflow=True) of the setup.
DERIVED = ["dW", "db", "z", "a", "delta"]


@examples(1000)
@given(s=setups(extreme=True), name=st.sampled_from(GOOD_CALLS))
def test_good_arguments_give_finite_results_or_non_finite_error(tmp, s, name):
    uses_derived = name in ("layer_norms", "relative_error", "output_delta", "bias_gradient",
                            "backpropagate_delta", "weight_gradient", "backward (equations)",
                            "update")
    assume(not uses_derived or finite([s.args[k] for k in DERIVED]))  # finite inputs only
    prepare(s, tmp)
    before = state(s)
    result, error, caught = run(name, s.args)
    assert caught == []
    if error is None:
        if name == "saturation":  # a softmax output layer has no f': NaN by definition
            result = (result[0], result[1][:-1] if s.net.output.name == "softmax" else result[1])
        assert finite(result), f"{name} returned a value that is not finite: {result!r}"
        return
    assert isinstance(error, NonFiniteError), f"{name} raised {error!r}"
    if name == "sgd":
        assert finite(s.net)  # it keeps the finite parameters trained up to the failure
    else:
        assert state(s) == before


def networks_equal(a, b):
    return repr(a) == repr(b) and sorted(a.W) == sorted(b.W) and all(
        x.dtype == y.dtype and x.tobytes() == y.tobytes()
        for l in a.W for x, y in ((a.W[l], b.W[l]), (a.b[l], b.b[l])))


SPECIAL = [0.0, -0.0, 5e-324, -5e-324, 1.7976931348623157e308, -1e-310, 3.4e38, 1e-45]


@examples(200)
@given(s=setups(extreme=True), special=st.lists(st.sampled_from(SPECIAL), max_size=3))
def test_save_load_round_trip_is_exact(tmp, s, special):
    net = s.net
    W = {l: w.copy() for l, w in net.W.items()}
    for k, value in enumerate(special):  # values at the edges of the dtype, where they fit
        if abs(value) <= float(np.finfo(net.dtype).max):
            W[2].flat[k % W[2].size] = value
    net.set_parameters(W, net.b)
    path = tmp / "round.npz"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        bpcode.save(net, path)
        back = bpcode.load(path)
    assert caught == []
    assert networks_equal(back, net)


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    net = Network([3, 4, 2], hidden="tanh", output="softmax", cost="cross_entropy", seed=0)
    path = tmp_path_factory.mktemp("archive") / "net.npz"
    bpcode.save(net, path)
    return net, path.read_bytes()


@st.composite
def damage(draw, size):
    kind = draw(st.sampled_from(["bytes", "truncate", "bits"]))
    if kind == "truncate":
        return kind, draw(st.integers(0, size - 1))
    positions = st.integers(0, size - 1)
    if kind == "bytes":
        return kind, draw(st.lists(st.tuples(positions, st.integers(0, 255)), min_size=1,
                                   max_size=8))
    return kind, draw(st.lists(st.tuples(positions, st.integers(0, 7)), min_size=1,
                               max_size=4))


@examples(1000)
@given(data=st.data())
def test_damaged_file_raises_value_error_or_loads_the_same_network(tmp, archive, data):
    net, original = archive
    kind, where = data.draw(damage(len(original)))
    if kind == "truncate":
        damaged = original[:where]
    else:
        damaged = bytearray(original)
        for position, value in where:
            damaged[position] = value if kind == "bytes" else damaged[position] ^ (1 << value)
        damaged = bytes(damaged)
    path = tmp / "damaged.npz"
    path.write_bytes(damaged)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            back = bpcode.load(path)
        except ValueError as error:
            assert "damaged.npz" in str(detached(error))
            back = None
    assert caught == []
    assert back is None or networks_equal(back, net)
