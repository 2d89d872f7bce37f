"""The static figures of the derivation and training pages: one step of the
forward pass (:func:`layer_step_figure`), the sigmoid and its derivative
(:func:`sigmoid_figure`), one layer as a computational graph
(:func:`layer_graph_figure`) and a confusion matrix (:func:`confusion_figure`).

Each returns a :class:`Picture`, which a notebook shows as a PNG; the pages
give it a caption and alt text.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import canvas, style

# The layer-step and graph figures are drawn in data coordinates with equal
# aspect; these are their extents, chosen so that the figure fills the column.
_STEP_BOX = (-1.2, 6.1, -1.1, 2.5)
_GRAPH_BOX = (0.0, 12.0, 0.1, 4.9)


class Picture(NamedTuple):
    """A viz figure that a notebook shows as a PNG."""

    figure: object

    def _repr_png_(self):
        return canvas.png(self.figure)


def _equal_axes(fig, box):
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(*box[:2])
    ax.set_ylim(*box[2:])
    ax.set_aspect("equal")
    ax.axis("off")
    return ax


@style.styled
def layer_step_figure():
    """Layer l-1 (three units) feeding layer l (two units), with the symbols of
    z_j^l = Σ_i w_ij^l a_i^{l-1} + b_j^l; the weights into unit 1 in the colour
    of the forward pass."""
    from matplotlib.patches import Circle

    x0, x1, y1 = _STEP_BOX[:2] + (_STEP_BOX[3],)
    fig = canvas.figure(height=style.WIDTH * (y1 - _STEP_BOX[2]) / (x1 - x0))
    ax = _equal_axes(fig, _STEP_BOX)
    left = [(0.0, y) for y in (2.0, 1.0, 0.0)]
    right = [(3.0, y) for y in (1.5, 0.5)]
    for i, (xa, ya) in enumerate(left, start=1):
        for j, (xb, yb) in enumerate(right, start=1):
            first = j == 1
            ax.annotate("", xy=(xb - 0.28, yb), xytext=(xa + 0.28, ya),
                        arrowprops={"arrowstyle": "->", "lw": 1.6 if first else 0.8,
                                    "color": style.FORWARD if first else "0.65"})
            if first:
                xm, ym = xa + 0.3 * (xb - xa), ya + 0.3 * (yb - ya)
                ax.text(xm, ym + 0.1, rf"$w_{{{i}1}}^l$", color=style.FORWARD, ha="center")
    for i, (xa, ya) in enumerate(left, start=1):
        ax.add_patch(Circle((xa, ya), 0.28, fc="white", ec="0.2", lw=1.5))
        ax.text(xa - 0.45, ya, rf"$a_{i}^{{l-1}}$", ha="right", va="center")
    for j, (xb, yb) in enumerate(right, start=1):
        ax.add_patch(Circle((xb, yb), 0.28, fc="white", ec=style.FORWARD, lw=1.5))
        ax.text(xb, yb, rf"$z_{j}^l$", ha="center", va="center", color=style.FORWARD)
        ax.annotate("", xy=(xb + 1.05, yb), xytext=(xb + 0.3, yb),
                    arrowprops={"arrowstyle": "->", "lw": 1.2})
        ax.text(xb + 1.15, yb, rf"$a_{j}^l = f(z_{j}^l)$", va="center")
        ax.text(xb, yb + 0.4, rf"$+\,b_{j}^l$", ha="center", color=style.MUTED)
    ax.text(0.0, -0.6, "layer $l-1$", ha="center", va="top")
    ax.text(3.0, -0.6, "layer $l$:  $W^l$, $b^l$", ha="center", va="top")
    return Picture(fig)


@style.styled
def sigmoid_figure(z_limit=8.0, threshold=0.01):
    """σ(z) and σ'(z) = a(1 - a) on [-z_limit, z_limit], with the band where
    σ' < ``threshold`` (as :func:`bpcode.saturation` counts) shaded as saturated."""
    from .. import activations

    fig = canvas.figure(height=3.2)
    ax = fig.add_subplot()
    z = np.linspace(-z_limit, z_limit, 401)
    a = activations.sigmoid(z)
    prime = activations.sigmoid_prime(z, a)
    ax.plot(z, a, color=style.FORWARD, label=r"$f(z) = \sigma(z)$")
    ax.plot(z, prime, color=style.BACKWARD, label=r"$f'(z) = a(1-a)$")
    ax.axhline(0.25, color=style.MUTED, lw=style.THIN_WIDTH, ls="--")
    ax.text(-z_limit + 0.2, 0.27, r"$\max f' = 1/4$", color=style.MUTED)
    edge = float(np.abs(z[prime >= threshold]).max())
    for low, high in ((-z_limit, -edge), (edge, z_limit)):
        ax.axvspan(low, high, color="0.5", alpha=0.15, lw=0)
    ax.text(z_limit - 0.2, 0.55, f"saturated:\n$f'(z) < {threshold:g}$", ha="right",
            color=style.MUTED)
    ax.set_xlim(-z_limit, z_limit)
    ax.set_ylim(0, 1.05)
    ax.set_xlabel("$z$")
    ax.legend(loc="upper left")
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.16, top=0.97)
    return Picture(fig)


@style.styled
def layer_graph_figure():
    """One layer as a computational graph: the forward pass a^{l-1} → z^l → a^l
    (top), the backward pass ∂C_x/∂a^l → δ^l → ∂C_x/∂a^{l-1} (middle), the
    gradients that δ^l gives (bottom), and dashed the values the backward pass
    takes from the forward pass."""
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    x0, x1, y0, y1 = _GRAPH_BOX
    fig = canvas.figure(height=style.WIDTH * (y1 - y0) / (x1 - x0))
    ax = _equal_axes(fig, _GRAPH_BOX)

    def value(x, y, text, color, w=1.3):
        ax.add_patch(FancyBboxPatch((x - w / 2, y - 0.32), w, 0.64, fc="white", ec=color,
                                    lw=1.5, boxstyle="round,pad=0.04,rounding_size=0.15"))
        ax.text(x, y, text, ha="center", va="center", color=color)

    def operation(x, y, text, color):
        ax.add_patch(Circle((x, y), 0.38, fc="white", ec=color, lw=1.5))
        ax.text(x, y, text, ha="center", va="center", color=color)

    def arrow(start, end, color, **kwargs):
        ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=12, lw=1.4,
                                     color=color, shrinkA=0, shrinkB=0, **kwargs))

    forward, backward, gradients = 4.2, 2.4, 0.75
    value(1.2, forward, r"$a^{l-1}$", style.FORWARD)
    operation(3.3, forward, r"$W, b$", style.FORWARD)
    value(5.2, forward, r"$z^l$", style.FORWARD)
    operation(7.1, forward, r"$f$", style.FORWARD)
    value(9.0, forward, r"$a^l$", style.FORWARD)
    for start, end in ((1.85, 2.92), (3.68, 4.55), (5.85, 6.72), (7.48, 8.35), (9.65, 11.9)):
        arrow((start, forward), (end, forward), style.FORWARD)
    ax.text(11.9, forward + 0.42, "to layer $l+1$", ha="right", color=style.FORWARD)

    value(9.0, backward, r"$\partial C_x/\partial a^l$", style.BACKWARD, w=1.95)
    operation(7.1, backward, r"$\circ f'$", style.BACKWARD)
    value(5.2, backward, r"$\delta^l$", style.BACKWARD)
    operation(3.3, backward, r"$W \cdot$", style.BACKWARD)
    value(1.1, backward, r"$\partial C_x/\partial a^{l-1}$", style.BACKWARD, w=2.0)
    for start, end in ((11.9, 10.0), (8.0, 7.48), (6.72, 5.85), (4.55, 3.68), (2.92, 2.12)):
        arrow((start, backward), (end, backward), style.BACKWARD)
    ax.text(11.9, backward + 0.42, "from layer $l+1$", ha="right", color=style.BACKWARD)

    value(3.6, gradients, r"$\partial C_x/\partial W^l = a^{l-1}(\delta^l)^T$", style.BACKWARD,
          w=4.5)
    value(8.9, gradients, r"$\partial C_x/\partial b^l = \delta^l$", style.BACKWARD, w=3.0)
    arrow((5.0, backward - 0.32), (4.3, gradients + 0.32), style.BACKWARD)
    arrow((5.4, backward - 0.32), (7.9, gradients + 0.32), style.BACKWARD)

    stored = {"linestyle": (0, (3, 2))}
    arrow((5.2, forward - 0.32), (6.85, backward + 0.3), style.MUTED, **stored)  # z^l into f'
    arrow((3.3, forward - 0.38), (3.3, backward + 0.38), style.MUTED, **stored)  # W into W·
    arrow((1.9, forward - 0.32), (2.8, gradients + 0.32), style.MUTED, **stored)  # a^{l-1}
    ax.text(0.1, 4.8, "forward pass", color=style.FORWARD, va="top")
    ax.text(0.1, 1.55, "backward pass", color=style.BACKWARD, va="center")
    return Picture(fig)


@style.styled
def confusion_figure(confusion):
    """A confusion matrix: ``confusion[i, j]`` counts the samples of class i
    predicted as class j; counts are written in the cells."""
    confusion = np.asarray(confusion)
    fig = canvas.figure(height=5.0)
    ax = fig.add_subplot()
    image = ax.imshow(confusion, cmap="Blues")
    half = confusion.max() / 2
    for (i, j), count in np.ndenumerate(confusion):
        if count:
            ax.text(j, i, count, ha="center", va="center", fontsize=style.SMALL_SIZE,
                    color="white" if count > half else "black")
    classes = range(len(confusion))
    ax.set_xticks(classes)
    ax.set_yticks(classes)
    ax.set_xlabel("predicted digit")
    ax.set_ylabel("true digit")
    fig.colorbar(image, ax=ax, shrink=0.85, label="test images")
    return Picture(fig)
