"""Figures, live widgets and static animations for the learning-challenges page.

Two pictures, each in three forms that share one drawing code:

* **Sigmoid saturation**: the sigmoid f and its derivative f' (maximum 1/4),
  the distribution of z^l at one layer of a sigmoid network drawn over both
  curves, and the fraction of saturated units (f'(z) < threshold) per layer,
  from :func:`bpcode.saturation`.
* **Per-layer gradient norms**: ‖∂C/∂W^l‖ and ‖δ^l‖ for every layer, on a log
  scale, from :func:`bpcode.gradient_norms`; and, as a second view, the same
  norms over the epochs of training, from :attr:`bpcode.History.norms`,
  with and without gradient clipping.

The forms are:

1. pure functions that return what is plotted (:func:`saturation_data`,
   :func:`gradient_norm_profile`, :func:`training_runs`); they call bpcode for
   all the numerical work and check their arguments;
2. live widgets for Jupyter, Binder and Thebe (:func:`saturation_widget`,
   :func:`gradient_norms_widget`): ipywidgets controls and **one** figure,
   redrawn in place into an ``ipywidgets.Image`` on every change (a plain
   matplotlib ``Figure``, never registered with pyplot, so the inline backend
   never shows a second, stale copy);
3. precomputed animations for the static book (:func:`saturation_animation`,
   :func:`gradient_norms_animation`): a matplotlib ``FuncAnimation`` embedded
   with ``to_jshtml`` (inline JavaScript and base64 PNG frames), which plays,
   steps and scrubs without a kernel or a CDN; the Font Awesome ``<link>`` to
   a CDN that ``to_jshtml`` adds is removed.

matplotlib, ipywidgets and IPython are imported inside the functions that
need them, so ``import bpcode`` (and even ``import bpcode.viz``) needs numpy
only.

Conventions: ``depth`` is the number of weight layers, so a network has
L = depth + 1 layers counting the input layer, and its layers with weights
are l = 2, ..., L, as everywhere in bpcode.
"""

from __future__ import annotations

import io
import math
import re
from typing import NamedTuple

import numpy as np

from . import _validate
from .activations import ACTIVATIONS
from .datasets import regression_1d
from .diagnostics import gradient_norms, saturation
from .init import INITS
from .network import Network
from .train import DivergenceError, sgd

__all__ = [
    "ACTIVATION_CHOICES", "GRADIENT_SCALES", "INIT_CHOICES", "SATURATION_SCALES",
    "Explorer", "GradientProfile", "SaturationData", "TrainingFigure", "TrainingRun", "batch",
    "weight_norms",
    "gradient_network", "gradient_norm_profile", "gradient_norms_animation",
    "gradient_norms_widget", "offline_jshtml", "saturation_animation", "saturation_data",
    "saturation_network", "saturation_widget", "training_norms_figure", "training_runs",
]

#: The weight scales (init std) that the saturation Play control and animation step through.
SATURATION_SCALES = np.geomspace(0.01, 3.0, 25)
#: The weight scales (gain) that the gradient-norm Play control and animation step through.
GRADIENT_SCALES = np.geomspace(0.5, 2.0, 25)
#: Hidden activations offered by the gradient-norm widget.
ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")
#: The widget's initialisation menu: label -> (bpcode init name, whether std is free).
INIT_CHOICES = {
    "standard normal": ("normal", False),
    "Xavier": ("xavier_normal", False),
    "He": ("he", False),
    "custom std": ("normal", True),
}
_INIT_LABELS = {"normal": "normal", "xavier_normal": "Xavier", "xavier_uniform": "Xavier (uniform)",
                "he": "He"}

# The fixed z-range of the saturation plot: σ'(10) ≈ 4.5e-5, so the curves are
# flat long before the edges; the share of z^l beyond it is printed.
_Z_LIMIT = 10.0
_Z_BINS = 80
_FONT_AWESOME_LINK = re.compile(
    r"""<link\b[^>]*\bhref\s*=\s*["'][^"']*font-awesome[^"']*["'][^>]*>\s*""", re.IGNORECASE)


# --------------------------------------------------------------------------- data


class SaturationData(NamedTuple):
    """What the saturation figure shows.

    ``z`` holds every value of z^``layer`` (all units, all samples);
    ``layers`` and ``fractions`` are :func:`bpcode.saturation` of the network,
    the fraction of units with f'(z) < ``threshold`` at each layer l = 2..L.
    """

    scale: float
    shift: float
    depth: int
    layer: int
    threshold: float
    z: np.ndarray
    layers: np.ndarray
    fractions: np.ndarray


class GradientProfile(NamedTuple):
    """What the gradient-norm figure shows: :class:`bpcode.GradientNorms` of one
    batch (``weight[i]`` = ‖∂C/∂W^l‖, ``delta[i]`` = rms ‖δ^l‖ for
    l = ``layers[i]``) and the settings that produced it."""

    layers: np.ndarray
    weight: np.ndarray
    delta: np.ndarray
    depth: int
    width: int
    activation: str
    init: str
    scale: float
    std: float


class TrainingRun(NamedTuple):
    """One training run of :func:`training_runs`.

    ``history`` is the :class:`bpcode.History` (for a diverged run, the one
    carried by the :class:`bpcode.DivergenceError`, up to the last finished
    epoch); ``diverged_epoch`` is the epoch in which training diverged, or None.
    """

    clip_norm: float | None
    history: object
    diverged_epoch: int | None
    message: str


def weight_norms(history):
    """‖∂C/∂W^l‖ over the epochs of a :class:`bpcode.History`, as an array of
    shape (epochs + 1, layers)."""
    return np.array([norms.weight for norms in history.norms], dtype=float)


def batch(width, n, seed):
    """The fixed batch the figures use: inputs ``x`` and targets ``t``, both of
    shape (n, width) with standard normal entries, drawn from
    ``np.random.default_rng((seed, 1))`` (x first), a stream separate from the
    network's ``np.random.default_rng(seed)``."""
    width = _validate.integer("width", width, low=1)
    n = _validate.integer("n", n, low=1)
    seed = _validate.integer("seed", seed, low=0)
    rng = np.random.default_rng((seed, 1))
    x = rng.standard_normal((n, width))
    t = rng.standard_normal((n, width))
    return x, t


def saturation_network(scale=1.0, shift=0.0, depth=4, *, width=100, seed=0):
    """The sigmoid network of the saturation figure.

    ``Network([width] * (depth + 1), hidden="sigmoid", output="sigmoid",
    init="normal", std=scale, seed=seed)``, then every bias b^l moved by
    ``shift``: weights and biases start as N(0, scale²), biases centred on shift.
    """
    scale = _validate.real("scale", scale, low=0, low_open=True)
    shift = _validate.real("shift", shift)
    depth = _validate.integer("depth", depth, low=1)
    width = _validate.integer("width", width, low=1)
    seed = _validate.integer("seed", seed, low=0)
    net = Network([width] * (depth + 1), hidden="sigmoid", output="sigmoid", init="normal",
                  std=scale, seed=seed)
    if shift:
        net.set_parameters(net.W, {l: b + shift for l, b in net.b.items()})
    return net


def saturation_data(scale=1.0, shift=0.0, depth=4, layer=2, *, width=100, n=200,
                    threshold=0.01, seed=0):
    """Compute the saturation figure for one setting.

    Parameters
    ----------
    scale : float > 0
        The standard deviation of the initial weights and biases.
    shift : float
        Added to every bias.
    depth : int >= 1
        Weight layers; the network has layers 1, ..., L = depth + 1.
    layer : int in [2, depth + 1]
        The layer whose z^l is shown.
    width : int >= 1
        Units in every layer.
    n : int >= 1
        Samples in the batch (:func:`batch`).
    threshold : float > 0
        A unit is saturated when f'(z) < threshold.
    seed : int >= 0

    The network is :func:`saturation_network`, the inputs are the ``x`` of
    :func:`batch`; z^l comes from ``net.forward`` and the fractions from
    :func:`bpcode.saturation`.
    """
    depth = _validate.integer("depth", depth, low=1)
    layer = _validate.integer("layer", layer, low=2)
    if layer > depth + 1:
        raise ValueError(f"layer must be between 2 and L = depth + 1 = {depth + 1}, got {layer}")
    threshold = _validate.real("threshold", threshold, low=0, low_open=True)
    net = saturation_network(scale, shift, depth, width=width, seed=seed)
    x, _ = batch(width, n, seed)
    z = net.forward(x).z[layer]
    layers, fractions = saturation(net, x, threshold=threshold)
    return SaturationData(float(scale), float(shift), depth, layer, threshold, z.ravel(),
                          layers, fractions)


def _deep_settings(depth, width, activation, init, scale, std, seed):
    """Check the settings of the deep networks of the gradient figures and
    return (depth, width, scale, std, seed) as plain numbers."""
    depth = _validate.integer("depth", depth, low=1)
    width = _validate.integer("width", width, low=1)
    _validate.choice("activation", activation, dict.fromkeys(ACTIVATION_CHOICES))
    _validate.choice("init", init, INITS)
    scale = _validate.real("scale", scale, low=0, low_open=True)
    std = _validate.real("std", std, low=0, low_open=True)
    seed = _validate.integer("seed", seed, low=0)
    return depth, width, scale, std, seed


def gradient_network(depth=10, width=100, activation="relu", init="he", scale=1.0, *,
                     std=1.0, seed=0):
    """The network of the gradient-norm figure.

    ``Network([width] * (depth + 1), hidden=activation, output="identity",
    cost="quadratic", init=init, std=std, gain=scale, seed=seed)``: the output
    layer is linear, so what vanishes or explodes comes from the hidden layers.
    """
    depth, width, scale, std, seed = _deep_settings(depth, width, activation, init, scale,
                                                    std, seed)
    return Network([width] * (depth + 1), hidden=activation, output="identity",
                   cost="quadratic", init=init, std=std, gain=scale, seed=seed)


def gradient_norm_profile(depth=10, width=100, activation="relu", init="he", scale=1.0, *,
                          std=1.0, n=100, seed=0):
    """‖∂C/∂W^l‖ and ‖δ^l‖ per layer for one setting, by :func:`bpcode.gradient_norms`.

    Parameters
    ----------
    depth : int >= 1
        Weight layers (L = depth + 1).
    width : int >= 1
        Units in every layer.
    activation : "sigmoid", "tanh" or "relu"
        The hidden activation.
    init : str
        A name in :data:`bpcode.INITS` ("normal", "xavier_normal",
        "xavier_uniform", "he").
    scale : float > 0
        The gain: a factor on every initial weight.
    std : float > 0
        The standard deviation of the "normal" scheme (ignored by the others).
    n : int >= 1
        Samples in the fixed batch (:func:`batch`).
    seed : int >= 0

    Values that overflow come back as inf or NaN (no warning is printed); the
    figures mark them.
    """
    net = gradient_network(depth, width, activation, init, scale, std=std, seed=seed)
    x, t = batch(width, n, seed)
    norms = gradient_norms(net, x, t, allow_overflow=True)
    return GradientProfile(norms.layers, norms.weight, norms.delta, net.L - 1, width,
                           activation, init, float(scale), float(std))


def training_runs(depth=10, width=50, activation="relu", init="he", scale=1.5, *,
                  std=1.0, clip_norm=1.0, eta=0.01, epochs=30, batch_size=20, n=200, seed=0):
    """Train the same network twice with :func:`bpcode.sgd`, without and with
    gradient clipping, and return the two :class:`TrainingRun`.

    The task is :func:`bpcode.datasets.regression_1d` (n points of
    t = sin(πx) + noise), so the network is ``Network([1] + [width] * (depth - 1)
    + [1], hidden=activation, output="identity", init=init, std=std,
    gain=scale, seed=seed)``; sgd shuffles with ``seed``. A run that raises
    :class:`bpcode.DivergenceError` keeps the error's history.

    Returns a dict with keys "unclipped" and "clipped".
    """
    depth, width, scale, std, seed = _deep_settings(depth, width, activation, init, scale,
                                                    std, seed)
    clip_norm = _validate.real("clip_norm", clip_norm, low=0, low_open=True)
    x, t = regression_1d(n=n, seed=seed)
    sizes = [1] + [width] * (depth - 1) + [1]
    runs = {}
    for key, clip in (("unclipped", None), ("clipped", clip_norm)):
        net = Network(sizes, hidden=activation, output="identity", cost="quadratic",
                      init=init, std=std, gain=scale, seed=seed)
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            try:
                history = sgd(net, x, t, eta=eta, epochs=epochs, batch_size=batch_size,
                              clip_norm=clip, seed=seed)
            except DivergenceError as error:
                runs[key] = TrainingRun(clip, error.history, error.epoch, str(error))
                continue
        runs[key] = TrainingRun(clip, history, None,
                                f"trained {epochs} epochs, final loss {history.loss[-1]:.3g}")
    return runs


# ------------------------------------------------------------------------ drawing


def _figure(figsize, dpi):
    """A matplotlib Figure with an Agg canvas, outside pyplot (no global state,
    never shown a second time by the inline backend)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=figsize, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _png(fig):
    """The figure drawn by Agg, as PNG bytes (fast, light compression: this is
    what every control change of a live widget sends)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _decades(values, fallback=(1e-3, 1e1)):
    """Log-axis limits snapped to whole powers of ten around the finite, positive values."""
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return fallback
    low = 10.0 ** math.floor(math.log10(values.min()) - 0.15)  # a margin, then whole decades
    high = 10.0 ** math.ceil(math.log10(values.max()) + 0.15)
    if high <= low:
        high = low * 10
    return low, high


class _SaturationPlot:
    """The saturation figure's artists, updated in place by :meth:`update`."""

    def __init__(self, fig, threshold):
        from matplotlib.ticker import MaxNLocator

        sigmoid = ACTIVATIONS["sigmoid"]
        self.fig = fig
        self.ax, self.ax_frac = fig.subplots(1, 2, width_ratios=[1.7, 1])
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.16, top=0.8, wspace=0.32)
        self.ax_hist = self.ax.twinx()
        self.ax.set_zorder(self.ax_hist.get_zorder() + 1)  # curves over the histogram
        self.ax.patch.set_visible(False)

        self.edges = np.linspace(-_Z_LIMIT, _Z_LIMIT, _Z_BINS + 1)
        self.hist = self.ax_hist.stairs(np.zeros(_Z_BINS), self.edges, fill=True,
                                        color="C0", alpha=0.3)
        self.ax_hist.set_ylabel("distribution of $z^l$", color="C0")
        self.ax_hist.set_yticks([])  # the shape matters, not the density's units

        zz = np.linspace(-_Z_LIMIT, _Z_LIMIT, 801)
        a = sigmoid.f(zz)
        prime = sigmoid.prime(zz, a)
        self.ax.plot(zz, a, color="k", lw=1.5, label=r"$\sigma(z)$")
        self.ax.plot(zz, prime, color="C1", lw=2, label=r"$\sigma'(z)$")
        self.ax.axhline(0.25, color="C1", ls=":", lw=1)
        self.ax.annotate(r"max $\sigma'$ = 1/4", (0, 0.25), xytext=(0.4, 0.31), fontsize=8,
                         color="C1")
        active = np.abs(zz[prime >= threshold])  # empty if threshold > 1/4
        z_saturated = float(active.max()) if active.size else 0.0
        for lo, hi in ((-_Z_LIMIT, -z_saturated), (z_saturated, _Z_LIMIT)):
            self.ax.axvspan(lo, hi, color="0.5", alpha=0.12, lw=0)
        self.ax.text(_Z_LIMIT * 0.97, 0.9, f"saturated:\n$\\sigma'(z) < {threshold:g}$",
                     ha="right", va="top", fontsize=7, color="0.35")
        self.ax.set_xlim(-_Z_LIMIT, _Z_LIMIT)
        self.ax.set_ylim(0, 1.05)
        self.ax.set_xlabel("$z$")
        self.ax.legend(loc="upper left", fontsize=8, frameon=False)
        self.outside = self.ax.set_title("", fontsize=8, loc="left")

        self.frac_line, = self.ax_frac.plot([], [], "o-", color="C3", ms=4)
        self.frac_mark, = self.ax_frac.plot([], [], "o", ms=11, mfc="none", mec="C0", mew=2)
        self.ax_frac.set_ylim(-0.03, 1.03)
        self.ax_frac.set_xlabel("layer $l$")
        self.ax_frac.set_title(f"saturated units ($\\sigma' < {threshold:g}$)", fontsize=9)
        self.ax_frac.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.ax_frac.grid(alpha=0.3)
        self.title = fig.suptitle("", fontsize=10)

    def update(self, data):
        counts, _ = np.histogram(data.z, bins=self.edges)
        density = counts / (data.z.size * np.diff(self.edges))
        self.hist.set_data(density)
        self.ax_hist.set_ylim(0, max(float(density.max()), 1e-3) * 1.15)
        outside = float((np.abs(data.z) > _Z_LIMIT).mean())
        self.outside.set_text(f"$z^{{{data.layer}}}$ over both curves: mean $|z|$ = "
                              f"{np.abs(data.z).mean():.3g}, {outside:.0%} beyond ±{_Z_LIMIT:g}")
        self.frac_line.set_data(data.layers, data.fractions)
        self.frac_mark.set_data([data.layer], [data.fractions[data.layer - 2]])
        self.ax_frac.set_xlim(1.5, data.depth + 1.5)
        self.title.set_text(
            f"sigmoid network, L = {data.depth + 1}: weights N(0, {data.scale:.3g}²), biases "
            f"N({data.shift:g}, {data.scale:.3g}²);  layer {data.layer}: "
            f"{data.fractions[data.layer - 2]:.0%} saturated")
        return self.hist, self.frac_line, self.frac_mark, self.title, self.outside


class _GradientPlot:
    """The per-layer gradient-norm figure's artists, updated in place."""

    def __init__(self, fig):
        from matplotlib.ticker import MaxNLocator, NullLocator

        self.fig = fig
        self.ax = fig.add_subplot()
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.15, top=0.8)
        self.ax.set_yscale("log")
        self.ax.yaxis.set_minor_locator(NullLocator())  # decades only: faster, clearer
        self.weight_line, = self.ax.plot([], [], "o-", color="C0", ms=4,
                                         label=r"$\|\partial C/\partial W^l\|$")
        self.delta_line, = self.ax.plot([], [], "s--", color="C3", ms=4,
                                        label=r"$\|\delta^l\|$ (rms over samples)")
        self.ax.set_xlabel("layer $l$")
        self.ax.set_ylabel("norm (log scale)")
        self.ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.ax.grid(alpha=0.3, which="major")
        # legend and numbers above the axes, where no data point can hide them
        self.ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, fontsize=8,
                       frameon=False, borderaxespad=0.2)
        self.note = self.ax.text(1, 1.02, "", transform=self.ax.transAxes, ha="right",
                                 va="bottom", fontsize=8)
        self.title = fig.suptitle("", fontsize=10)

    def update(self, profile, ylim=None):
        finite_w = np.isfinite(profile.weight) & (profile.weight > 0)
        finite_d = np.isfinite(profile.delta) & (profile.delta > 0)
        self.weight_line.set_data(profile.layers[finite_w], profile.weight[finite_w])
        self.delta_line.set_data(profile.layers[finite_d], profile.delta[finite_d])
        self.ax.set_xlim(1.5, profile.depth + 1.5)
        self.ax.set_ylim(*(ylim or _decades(np.concatenate([profile.weight, profile.delta]))))
        if not (finite_w.all() and finite_d.all()):
            self.note.set_text("overflow: some norms are inf or NaN (not drawn)")
        else:
            ratio = profile.delta[0] / profile.delta[-1]
            self.note.set_text(f"$\\|\\delta^2\\| / \\|\\delta^{{{profile.depth + 1}}}\\|$ "
                               f"= {ratio:.2g}")
        init = _INIT_LABELS.get(profile.init, profile.init)
        if profile.init == "normal":
            init = f"N(0, {profile.std:.3g}²)"
        self.title.set_text(f"{profile.activation} layers, {init} init, gain {profile.scale:.3g};"
                            f"  depth {profile.depth}, width {profile.width}")
        return self.weight_line, self.delta_line, self.note, self.title


class _TrainingPlot:
    """Per-layer ‖∂C/∂W^l‖ over the epochs, without and with clipping."""

    def __init__(self, fig):
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize

        self.fig = fig
        self.axes = fig.subplots(1, 2)  # own y-ranges: a diverging run spans 100+ decades
        fig.subplots_adjust(left=0.08, right=0.9, bottom=0.15, top=0.85, wspace=0.25)
        self.mappable = ScalarMappable(Normalize(2, 3), "viridis")
        cax = fig.add_axes((0.92, 0.15, 0.015, 0.7))
        fig.colorbar(self.mappable, cax=cax, label="layer $l$")

    def update(self, runs):
        layers = runs["unclipped"].history.layers
        self.mappable.set_clim(min(layers), max(max(layers), min(layers) + 1))
        cmap, norm = self.mappable.get_cmap(), self.mappable.norm
        for ax, key in zip(self.axes, ("unclipped", "clipped"), strict=True):
            run = runs[key]
            ax.cla()
            ax.set_yscale("log")
            norms = weight_norms(run.history)
            epochs = np.asarray(run.history.epoch)
            for i, l in enumerate(layers):
                ax.plot(epochs, norms[:, i], color=cmap(norm(l)), lw=1.2,
                        marker="o" if len(epochs) < 3 else None, ms=3)
            if run.diverged_epoch is not None:
                ax.axvline(run.diverged_epoch, color="C3", lw=2, ls="--")
                ax.annotate(f"diverged in epoch {run.diverged_epoch}", (run.diverged_epoch, 0.5),
                            xycoords=("data", "axes fraction"), xytext=(-4, 0),
                            textcoords="offset points", rotation=90, ha="right", va="center",
                            color="C3", fontsize=9, fontweight="bold")
                ax.set_title("without clipping: training diverged", fontsize=10, color="C3")
            else:
                label = "without clipping" if run.clip_norm is None else \
                    f"clip_norm = {run.clip_norm:g}"
                clipped = sum(run.history.clipped_steps)
                ax.set_title(f"{label}: final loss {run.history.loss[-1]:.3g}"
                             + (f", {clipped} steps clipped" if run.clip_norm else ""),
                             fontsize=10)
            ax.set_xlabel("epoch")
            ax.grid(alpha=0.3)
        last = max(max(r.history.epoch[-1], r.diverged_epoch or 0) for r in runs.values())
        for ax in self.axes:
            ax.set_xlim(-0.5, last + 0.5)
        # one y-range for both panels, unless a run that blew up would flatten the other
        spans = [_decades(weight_norms(runs[k].history))
                 for k in ("unclipped", "clipped")]
        low, high = min(s[0] for s in spans), max(s[1] for s in spans)
        if math.log10(high / low) <= 30:
            for ax in self.axes:
                ax.set_ylim(low, high)
        self.axes[0].set_ylabel(r"$\|\partial C/\partial W^l\|$ on the training set")
        return self.axes


# ------------------------------------------------------------------------ widgets


class Explorer:
    """A live figure and its controls, displayed as one ipywidgets container.

    ``widget`` is the container (display the Explorer itself, or this);
    ``controls`` maps each setting to its control; ``play`` is the Play control;
    ``figure`` is the one matplotlib Figure, redrawn in place into ``image``
    (an ``ipywidgets.Image``) on every change; ``data`` is what it shows now;
    ``updates`` counts the redraws.
    """

    def __init__(self, widget, controls, play, figure, image, compute, plot, status):
        self.widget, self.controls, self.play = widget, controls, play
        self.figure, self.image, self.status = figure, image, status
        self._compute, self._plot = compute, plot
        self._holding = False
        self.data = None
        self.updates = 0

    def update(self, change=None):
        """Recompute from the controls' values and redraw the one figure."""
        if self._holding:
            return
        try:
            self.data = self._compute()
        except (ValueError, TypeError) as error:  # cannot happen through the controls
            self.status.value = f"<b>invalid setting:</b> {error}"
            return
        self._plot.update(self.data)
        self.image.value = _png(self.figure)
        self.status.value = ""
        self.updates += 1

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _play(grid, value, interval):
    """A Play control over the indices of ``grid``, starting nearest ``value``."""
    import ipywidgets as widgets

    start = int(np.argmin(np.abs(np.log(grid) - math.log(value))))
    return widgets.Play(value=start, min=0, max=len(grid) - 1, step=1, interval=interval,
                        description="Play", tooltip="sweep the weight scale")


def _link_play(play, slider, grid):
    """Drive ``slider`` (a FloatLogSlider) from ``play``'s frame index i: each
    change of the Play sets the slider to ``grid[i]``.

    The link lives in the kernel, not in the browser (``jslink``): ``jslink``
    needs two traits of one type (the Play's int index, the slider's float
    value), every frame needs a kernel recomputation anyway, and a kernel-side
    link makes the Play drivable from Python (tests). Unlike ``traitlets.dlink``
    it does not move the slider when it is made, so the initial scale stays
    the one asked for.
    """

    def follow(change):
        slider.value = float(grid[change["new"]])

    play.observe(follow, names="value")


def saturation_widget(scale=1.0, shift=0.0, depth=4, layer=2, *, width=100, n=200,
                      threshold=0.01, seed=0, dpi=90, interval=400):
    """A live saturation figure with sliders for the weight scale, the bias shift,
    the depth and the layer shown, and a Play control that sweeps the weight
    scale over :data:`SATURATION_SCALES`. Returns an :class:`Explorer`."""
    import ipywidgets as widgets

    saturation_data(scale, shift, depth, layer, width=width, n=n, threshold=threshold,
                    seed=seed)  # reject bad settings before building anything
    style = {"description_width": "initial"}
    c = {
        "scale": widgets.FloatLogSlider(
            value=scale, base=10, min=math.log10(SATURATION_SCALES[0]),
            max=math.log10(SATURATION_SCALES[-1]), step=0.01, readout_format=".3g",
            description="weight std", style=style),
        "shift": widgets.FloatSlider(value=shift, min=-4.0, max=4.0, step=0.25,
                                     description="bias shift", style=style),
        "depth": widgets.IntSlider(value=depth, min=1, max=max(10, depth),
                                   description="depth (L-1)", style=style),
        "layer": widgets.IntSlider(value=layer, min=2, max=depth + 1, description="layer l",
                                   style=style),
    }
    play = _play(SATURATION_SCALES, c["scale"].value, interval)
    fig = _figure((9.0, 3.4), dpi)
    plot = _SaturationPlot(fig, threshold)
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    status = widgets.HTML()

    def compute():
        return saturation_data(c["scale"].value, c["shift"].value, c["depth"].value,
                               c["layer"].value, width=width, n=n, threshold=threshold,
                               seed=seed)

    box = widgets.VBox([
        widgets.HBox([play, c["scale"], c["shift"]]),
        widgets.HBox([c["depth"], c["layer"]]),
        image, status,
    ])
    explorer = Explorer(box, c, play, fig, image, compute, plot, status)

    def on_depth(change):
        explorer._holding = True
        try:
            c["layer"].max = change["new"] + 1  # clamps the layer shown if needed
        finally:
            explorer._holding = False
        explorer.update()

    c["depth"].observe(on_depth, names="value")
    for key in ("scale", "shift", "layer"):
        c[key].observe(explorer.update, names="value")
    explorer.update()
    _link_play(play, c["scale"], SATURATION_SCALES)  # syncs the slider to the Play's frame
    return explorer


def gradient_norms_widget(depth=10, width=100, activation="relu", init="He", scale=1.0, *,
                          std=1.0, n=100, seed=0, train_width=50, clip_norm=1.0, eta=0.01,
                          epochs=30, dpi=90, interval=400):
    """A live per-layer gradient-norm figure.

    Controls: depth (1-30), width (1-200), activation, initialisation (a label
    of :data:`INIT_CHOICES`; "custom std" frees the std slider) and the weight
    scale (gain), with a Play control sweeping the gain over
    :data:`GRADIENT_SCALES`. A second tab trains the network of the current
    setting (at width ``train_width``) with and without clipping, on a button
    press, and shows :func:`training_norms_figure`. Returns an :class:`Explorer`;
    its ``training`` attribute holds the second tab's pieces.
    """
    import ipywidgets as widgets

    if init not in INIT_CHOICES:
        raise ValueError(f"unknown init {init!r}: expected one of {list(INIT_CHOICES)}")
    gradient_norm_profile(depth, width, activation, INIT_CHOICES[init][0], scale, std=std,
                          n=n, seed=seed)  # reject bad settings before building anything
    style = {"description_width": "initial"}
    c = {
        "depth": widgets.IntSlider(value=depth, min=1, max=max(30, depth),
                                   description="depth (L-1)", style=style),
        "width": widgets.IntSlider(value=width, min=1, max=max(200, width),
                                   description="width", style=style),
        "activation": widgets.Dropdown(options=list(ACTIVATION_CHOICES), value=activation,
                                       description="activation", style=style),
        "init": widgets.Dropdown(options=list(INIT_CHOICES), value=init,
                                 description="init", style=style),
        "std": widgets.FloatLogSlider(value=std, base=10, min=-2, max=1, step=0.01,
                                      readout_format=".3g", description="custom std",
                                      disabled=not INIT_CHOICES[init][1], style=style),
        "scale": widgets.FloatLogSlider(value=scale, base=10, min=-1, max=1, step=0.01,
                                        readout_format=".3g", description="weight scale (gain)",
                                        style=style),
    }
    play = _play(GRADIENT_SCALES, c["scale"].value, interval)
    fig = _figure((8.0, 3.6), dpi)
    plot = _GradientPlot(fig)
    image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    status = widgets.HTML()

    def settings():
        name, free_std = INIT_CHOICES[c["init"].value]
        return dict(depth=c["depth"].value, activation=c["activation"].value, init=name,
                    scale=c["scale"].value, std=c["std"].value if free_std else 1.0, seed=seed)

    def compute():
        return gradient_norm_profile(width=c["width"].value, n=n, **settings())

    # the second view: training histories, on demand
    train_fig = _figure((9.0, 3.4), dpi)
    train_plot = _TrainingPlot(train_fig)
    train_image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
    train_status = widgets.HTML(
        f"Trains the current setting at width {train_width} on sin(πx) for {epochs} epochs "
        f"(η = {eta:g}), once without and once with clip_norm = {clip_norm:g}.")
    button = widgets.Button(description="Train", icon="play", button_style="primary")

    def train(_=None):
        button.disabled = True
        train_status.value = "training..."
        try:
            runs = training_runs(width=train_width, clip_norm=clip_norm, eta=eta,
                                 epochs=epochs, **settings())
            train_plot.update(runs)
            train_image.value = _png(train_fig)
            train_status.value = " &nbsp;|&nbsp; ".join(
                f"<b>{key}</b>: {run.message}" for key, run in runs.items())
            explorer.training.runs = runs
        finally:
            button.disabled = False

    button.on_click(train)
    tabs = widgets.Tab(children=[widgets.VBox([image, status]),
                                 widgets.VBox([button, train_image, train_status])])
    tabs.titles = ("at initialisation", "during training")
    box = widgets.VBox([
        widgets.HBox([c["depth"], c["width"], c["activation"]]),
        widgets.HBox([c["init"], c["std"]]),
        widgets.HBox([play, c["scale"]]),
        tabs,
    ])
    explorer = Explorer(box, c, play, fig, image, compute, plot, status)
    explorer.training = _Training(button, train, train_fig, train_image, train_status)

    def on_init(change):
        c["std"].disabled = not INIT_CHOICES[change["new"]][1]
        explorer.update()

    c["init"].observe(on_init, names="value")
    for key in ("depth", "width", "activation", "std", "scale"):
        c[key].observe(explorer.update, names="value")
    explorer.update()
    _link_play(play, c["scale"], GRADIENT_SCALES)
    return explorer


class _Training:
    """The training tab of :func:`gradient_norms_widget`: ``run()`` presses the button."""

    def __init__(self, button, run, figure, image, status):
        self.button, self.run, self.figure, self.image, self.status = (
            button, run, figure, image, status)
        self.runs = None


def training_norms_figure(depth=10, width=50, activation="relu", init="he",
                          scale=1.5, *, std=1.0, clip_norm=1.0, eta=0.01, epochs=30,
                          batch_size=20, n=200, seed=0, dpi=90):
    """The second view as a static figure: ‖∂C/∂W^l‖ of every layer over the
    epochs of :func:`training_runs`, without clipping (left; a divergence is
    marked by a red line at its epoch) and with ``clip_norm`` (right).
    Returns a :class:`TrainingFigure`, which a notebook displays as a PNG."""
    runs = training_runs(depth, width, activation, init, scale, std=std, clip_norm=clip_norm,
                         eta=eta, epochs=epochs, batch_size=batch_size, n=n, seed=seed)
    fig = _figure((9.0, 3.4), dpi)
    _TrainingPlot(fig).update(runs)
    return TrainingFigure(fig, runs)


class TrainingFigure(NamedTuple):
    """The result of :func:`training_norms_figure`: the matplotlib ``figure``
    and the :class:`TrainingRun` dict ``runs`` it shows. A notebook displays
    it as a PNG (a bare Figure made outside pyplot would show as text)."""

    figure: object
    runs: dict

    def _repr_png_(self):
        return _png(self.figure)


# --------------------------------------------------------------- static animations


_FRAME = re.compile(r'(frames\[\d+\] = "data:image/png;base64,)([^"]*)(")')


def offline_jshtml(anim, fps, colors=64):
    """``anim.to_jshtml()`` made light and self-contained.

    The CDN Font Awesome ``<link>`` that matplotlib adds is removed (the
    book's theme ships Font Awesome, so the control icons still render), and
    with ``colors`` each PNG frame is re-encoded with a palette of that many
    colours (line plots lose nothing visible; frames shrink about 3x).
    """
    html = _FONT_AWESOME_LINK.sub("", anim.to_jshtml(fps=fps, embed_frames=True,
                                                     default_mode="once"))
    if colors is None:
        return html
    colors = _validate.integer("colors", colors, low=2)
    return _FRAME.sub(lambda m: m[1] + _quantized(m[2], colors) + m[3], html)


def _quantized(b64, colors):
    import base64

    from PIL import Image  # a dependency of matplotlib

    image = Image.open(io.BytesIO(base64.b64decode(b64.replace("\\\n", ""))))
    image = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _animate(fig, update, frames, fps, colors):
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    anim = FuncAnimation(fig, update, frames=frames, interval=1000 / fps, blit=False,
                         cache_frame_data=False, repeat=False)
    html = HTML(offline_jshtml(anim, fps, colors))
    html.frames = frames
    return html


def saturation_animation(scales=None, shift=0.0, depth=4, layer=2, *, width=100, n=200,
                         threshold=0.01, seed=0, dpi=80, fps=3, colors=64):
    """The saturation figure as a kernel-free animation over ``scales``
    (default :data:`SATURATION_SCALES`), for the static book. Returns an
    ``IPython.display.HTML`` (with a ``frames`` attribute, the frame count)."""
    scales = SATURATION_SCALES if scales is None else np.asarray(scales, dtype=float)
    data = [saturation_data(s, shift, depth, layer, width=width, n=n, threshold=threshold,
                            seed=seed) for s in scales]
    fig = _figure((8.0, 3.0), dpi)
    plot = _SaturationPlot(fig, threshold)
    return _animate(fig, lambda i: plot.update(data[i]), len(data), fps, colors)


def gradient_norms_animation(depth=20, width=100, activation="relu", init="he", scales=None, *,
                             std=1.0, n=100, seed=0, dpi=80, fps=3, colors=64):
    """The per-layer gradient norms as a kernel-free animation over the gains
    ``scales`` (default :data:`GRADIENT_SCALES`, vanishing to exploding), with
    one y-range for all frames. Returns an ``IPython.display.HTML``."""
    scales = GRADIENT_SCALES if scales is None else np.asarray(scales, dtype=float)
    profiles = [gradient_norm_profile(depth, width, activation, init, s, std=std, n=n,
                                      seed=seed) for s in scales]
    ylim = _decades(np.concatenate([np.r_[p.weight, p.delta] for p in profiles]))
    fig = _figure((7.0, 3.0), dpi)
    plot = _GradientPlot(fig)
    return _animate(fig, lambda i: plot.update(profiles[i], ylim=ylim), len(profiles), fps,
                    colors)
