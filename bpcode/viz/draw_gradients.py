"""The gradient-norm figures: ‖∂C/∂W^l‖ and ‖δ^l‖ per layer at initialisation
(:class:`GradientPlot`), and ‖∂C/∂W^l‖ per layer over the epochs of training,
without and with clipping (:class:`TrainingPlot`, and
:func:`training_norms_figure`, its static form for the page).

Each plot class makes its figure once and redraws it in place with
``update``, so the live widget and the static animation share the drawing.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from . import canvas, style
from .data import training_runs, weight_norms

# How the titles name bpcode's initialisations.
_INIT_LABELS = {"normal": "normal", "xavier_normal": "Xavier", "xavier_uniform": "Xavier (uniform)",
                "he": "He"}


def decades(values, fallback=(1e-3, 1e1)):
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


class GradientPlot:
    """The per-layer gradient-norm figure ``fig``; ``weight_line`` and
    ``delta_line`` hold what is plotted."""

    @style.styled
    def __init__(self):
        from matplotlib.ticker import MaxNLocator, NullLocator

        self.fig = fig = canvas.figure()
        self.ax = fig.add_subplot()
        fig.subplots_adjust(left=0.1, right=0.98, bottom=0.14, top=0.79)
        self.ax.set_yscale("log")
        self.ax.yaxis.set_minor_locator(NullLocator())  # decades only: faster, clearer
        # both are backward-pass quantities: the weight gradients in its colour,
        # the errors in a second colour, and marker and dash tell them apart too
        self.weight_line, = self.ax.plot([], [], "o-", color=style.BACKWARD,
                                         label=r"$\|\partial C/\partial W^l\|$")
        self.delta_line, = self.ax.plot([], [], "s--", color=style.CYCLE[3], mfc="white",
                                        label=r"$\|\delta^l\|$ (rms over samples)")
        self.ax.set_xlabel("layer $l$")
        self.ax.set_ylabel("norm (log scale)")
        self.ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.ax.grid(True, which="major")
        # legend and numbers above the axes, where no data point can hide them
        self.ax.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, borderaxespad=0.2)
        self.note = self.ax.text(1, 1.02, "", transform=self.ax.transAxes, ha="right",
                                 va="bottom", fontsize=style.SMALL_SIZE)
        self.title = fig.suptitle("")

    @style.styled
    def update(self, profile, ylim=None):
        """Show ``profile`` (a GradientProfile) on the log range ``ylim`` (default:
        the decades around its norms); returns the artists that changed."""
        finite_w = np.isfinite(profile.weight) & (profile.weight > 0)
        finite_d = np.isfinite(profile.delta) & (profile.delta > 0)
        self.weight_line.set_data(profile.layers[finite_w], profile.weight[finite_w])
        self.delta_line.set_data(profile.layers[finite_d], profile.delta[finite_d])
        self.ax.set_xlim(1.5, profile.depth + 1.5)
        self.ax.set_ylim(*(ylim or decades(np.concatenate([profile.weight, profile.delta]))))
        if not (finite_w.all() and finite_d.all()):
            self.note.set_text("overflow: some norms are inf or NaN (not drawn)")
        else:
            ratio = profile.delta[0] / profile.delta[-1]
            self.note.set_text(f"$\\|\\delta^{{(2)}}\\| / \\|\\delta^{{({profile.depth + 1})}}\\|$ "
                               f"= {ratio:.2g}")
        init = _INIT_LABELS.get(profile.init, profile.init)
        if profile.init == "normal":
            init = f"N(0, {profile.std:.3g}²)"
        self.title.set_text(f"{profile.activation} layers, {init} init, gain {profile.gain:.3g};"
                            f"  depth {profile.depth}, width {profile.width}")
        return self.weight_line, self.delta_line, self.note, self.title


class TrainingPlot:
    """The figure ``fig`` of per-layer ‖∂C/∂W^l‖ over the epochs, without
    (``axes[0]``) and with clipping (``axes[1]``), one colour per layer."""

    @style.styled
    def __init__(self):
        from matplotlib.cm import ScalarMappable
        from matplotlib.colors import Normalize
        from matplotlib.ticker import MaxNLocator

        self.fig = fig = canvas.figure()
        self.axes = fig.subplots(1, 2)  # own y-ranges: a diverging run spans 100+ decades
        fig.subplots_adjust(left=0.1, right=0.89, bottom=0.14, top=0.82, wspace=0.3)
        self.mappable = ScalarMappable(Normalize(2, 3), "viridis")
        cax = fig.add_axes((0.91, 0.14, 0.015, 0.68))
        colorbar = fig.colorbar(self.mappable, cax=cax, label="layer $l$")
        colorbar.locator = MaxNLocator(integer=True)

    @style.styled
    def update(self, runs):
        """Show ``runs``, the dict of :func:`~bpcode.viz.data.training_runs`."""
        layers = runs["unclipped"].history.layers
        self.mappable.set_clim(min(layers), max(max(layers), min(layers) + 1))
        cmap, norm = self.mappable.get_cmap(), self.mappable.norm
        last = max(max(r.history.epoch[-1], r.diverged_epoch or 0) for r in runs.values())
        for ax, key in zip(self.axes, ("unclipped", "clipped"), strict=True):
            run = runs[key]
            ax.cla()
            ax.set_yscale("log")
            norms = weight_norms(run.history)
            epochs = np.asarray(run.history.epoch)
            for i, l in enumerate(layers):
                ax.plot(epochs, norms[:, i], color=cmap(norm(l)), lw=style.THIN_WIDTH,
                        marker="o" if len(epochs) < 3 else None)
            if run.diverged_epoch is not None:
                ax.axvline(run.diverged_epoch, color=style.BACKWARD, ls="--")
                side = 1 if run.diverged_epoch < last / 2 else -1  # the side with more room
                ax.annotate(f"diverged in epoch {run.diverged_epoch}", (run.diverged_epoch, 0.5),
                            xycoords=("data", "axes fraction"), xytext=(4 * side, 0),
                            textcoords="offset points", rotation=90,
                            ha="left" if side > 0 else "right", va="center",
                            color=style.BACKWARD, fontsize=style.SMALL_SIZE, fontweight="bold")
                ax.set_title("without clipping:\ntraining diverged", color=style.BACKWARD)
            else:
                label = "without clipping" if run.clip_norm is None else \
                    f"clipped at c = {run.clip_norm:g}"
                clipped = sum(run.history.clipped_steps)
                ax.set_title(f"{label}: final cost {run.history.loss[-1]:.3g}"
                             + (f"\n{clipped} steps clipped" if run.clip_norm else ""))
            ax.set_xlabel("epoch")
            ax.grid(True)
        for ax in self.axes:
            ax.set_xlim(-0.5, last + 0.5)
        # one y-range for both panels, unless a run that blew up would flatten the other
        spans = [decades(weight_norms(runs[k].history)) for k in ("unclipped", "clipped")]
        low, high = min(s[0] for s in spans), max(s[1] for s in spans)
        if math.log10(high / low) <= 30:
            for ax in self.axes:
                ax.set_ylim(low, high)
        self.axes[0].set_ylabel(r"$\|\partial C/\partial W^l\|$ on the training set")
        return self.axes


class TrainingFigure(NamedTuple):
    """The result of :func:`training_norms_figure`: the matplotlib ``figure``
    and the :class:`~bpcode.viz.data.TrainingRun` dict ``runs`` it shows. A
    notebook displays it as a PNG (a bare Figure made outside pyplot would show
    as text)."""

    figure: object
    runs: dict

    def _repr_png_(self):
        return canvas.png(self.figure)


def training_norms_figure(depth=10, width=50, activation="relu", init="he", gain=1.5, *,
                          std=1.0, clip_norm=1.0, eta=0.01, epochs=30, batch_size=20, n=200,
                          seed=0):
    """The training view as a static figure: ‖∂C/∂W^l‖ of every layer over the
    epochs of :func:`~bpcode.viz.data.training_runs`, without clipping (left; a
    divergence is marked by a line at its epoch) and with ``clip_norm``
    (right). Returns a :class:`TrainingFigure`."""
    runs = training_runs(depth, width, activation, init, gain, std=std, clip_norm=clip_norm,
                         eta=eta, epochs=epochs, batch_size=batch_size, n=n, seed=seed)
    plot = TrainingPlot()
    plot.update(runs)
    return TrainingFigure(plot.fig, runs)
