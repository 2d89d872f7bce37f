"""The saturation figure: the sigmoid, its derivative and the distribution of
z^l at one layer (left), the fraction of saturated units per layer (right).

:class:`SaturationPlot` makes the figure once and :meth:`SaturationPlot.update`
redraws it in place from a :class:`~bpcode.viz.data.SaturationData`, so the
live widget and the static animation share every line of drawing.
"""

from __future__ import annotations

import numpy as np

from ..activations import ACTIVATIONS
from . import canvas, style

# The fixed z-range of the plot: σ'(10) ≈ 4.5e-5, so the curves are flat long
# before the edges; the share of z^l beyond it is printed.
Z_LIMIT = 10.0
Z_BINS = 80


class SaturationPlot:
    """The saturation figure ``fig`` and its artists.

    ``edges`` are the histogram's bin edges; ``hist`` (the density of z^l),
    ``frac_line`` (fraction saturated per layer) and ``frac_mark`` (the layer
    shown) hold what is plotted.
    """

    @style.styled
    def __init__(self, threshold):
        from matplotlib.ticker import MaxNLocator

        sigmoid = ACTIVATIONS["sigmoid"]
        self.fig = fig = canvas.figure()
        self.ax, self.ax_frac = fig.subplots(1, 2, width_ratios=[1.7, 1])
        fig.subplots_adjust(left=0.065, right=0.98, bottom=0.15, top=0.76, wspace=0.3)
        self.ax_hist = self.ax.twinx()
        self.ax.set_zorder(self.ax_hist.get_zorder() + 1)  # curves over the histogram
        self.ax.patch.set_visible(False)

        self.edges = np.linspace(-Z_LIMIT, Z_LIMIT, Z_BINS + 1)
        self.hist = self.ax_hist.stairs(np.zeros(Z_BINS), self.edges, fill=True,
                                        color=style.FORWARD, alpha=0.25)
        self.ax_hist.set_ylabel("distribution of $z^l$", color=style.FORWARD)
        self.ax_hist.set_yticks([])  # the shape matters, not the density's units

        zz = np.linspace(-Z_LIMIT, Z_LIMIT, 801)
        a = sigmoid.f(zz)
        prime = sigmoid.prime(zz, a)
        self.ax.plot(zz, a, color=style.FORWARD, label=r"$\sigma(z)$")
        self.ax.plot(zz, prime, color=style.BACKWARD, label=r"$\sigma'(z)$")
        self.ax.axhline(0.25, color=style.BACKWARD, ls=":", lw=style.THIN_WIDTH)
        self.ax.annotate(r"max $\sigma'$ = 1/4", (0, 0.25), xytext=(0.5, 0.31),
                         fontsize=style.SMALL_SIZE, color=style.BACKWARD)
        active = np.abs(zz[prime >= threshold])  # empty if threshold > 1/4
        z_saturated = float(active.max()) if active.size else 0.0
        for lo, hi in ((-Z_LIMIT, -z_saturated), (z_saturated, Z_LIMIT)):
            self.ax.axvspan(lo, hi, color=style.MUTED, alpha=0.12, lw=0)
        self.ax.text(Z_LIMIT * 0.97, 0.9, f"saturated:\n$\\sigma'(z) < {threshold:g}$",
                     ha="right", va="top", fontsize=style.SMALL_SIZE, color=style.MUTED)
        self.ax.set_xlim(-Z_LIMIT, Z_LIMIT)
        self.ax.set_xticks(np.linspace(-Z_LIMIT, Z_LIMIT, 5))
        self.ax.set_ylim(0, 1.05)
        self.ax.set_xlabel("$z$")
        self.ax.legend(loc="upper left")
        self.outside = self.ax.set_title("", fontsize=style.SMALL_SIZE, loc="left")

        self.frac_line, = self.ax_frac.plot([], [], "o-", color=style.BACKWARD)
        self.frac_mark, = self.ax_frac.plot([], [], "o", ms=12, mfc="none", mec=style.FORWARD,
                                            mew=2)
        self.ax_frac.set_ylim(-0.03, 1.03)
        self.ax_frac.set_xlabel("layer $l$")
        self.ax_frac.set_title(f"saturated units ($\\sigma' < {threshold:g}$)",
                               fontsize=style.SMALL_SIZE)
        self.ax_frac.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.ax_frac.grid(True)
        self.title = fig.suptitle("")

    @style.styled
    def update(self, data):
        """Show ``data`` (a SaturationData); returns the artists that changed."""
        counts, _ = np.histogram(data.z, bins=self.edges)
        density = counts / (data.z.size * np.diff(self.edges))
        self.hist.set_data(density)
        self.ax_hist.set_ylim(0, max(float(density.max()), 1e-3) * 1.15)
        outside = float((np.abs(data.z) > Z_LIMIT).mean())
        self.outside.set_text(f"$z^{{({data.layer})}}$ over both curves: mean $|z|$ = "
                              f"{np.abs(data.z).mean():.3g}, {outside:.0%} beyond ±{Z_LIMIT:g}")
        self.frac_line.set_data(data.layers, data.fractions)
        self.frac_mark.set_data([data.layer], [data.fractions[data.layer - 2]])
        self.ax_frac.set_xlim(1.5, data.depth + 1.5)
        self.title.set_text(
            f"sigmoid network, L = {data.depth + 1}: weights N(0, {data.std:.3g}²), biases "
            f"N({data.shift:g}, {data.std:.3g}²);\nlayer {data.layer}: "
            f"{data.fractions[data.layer - 2]:.0%} saturated")
        return self.hist, self.frac_line, self.frac_mark, self.title, self.outside
