"""Static animations for the book: figures that play, step and scrub without a
kernel or a CDN.

A matplotlib ``FuncAnimation`` over precomputed frames is embedded with
``to_jshtml`` (inline JavaScript and base64 PNG frames) by
:func:`offline_jshtml`, the one place that removes the Font Awesome ``<link>``
to a CDN that ``to_jshtml`` adds and re-encodes the frames with a small
palette. matplotlib, IPython and PIL are imported inside the functions.
"""

from __future__ import annotations

import base64
import io
import re

import numpy as np

from .. import _validate
from . import style
from .data import GRADIENT_GAINS, SATURATION_STDS, gradient_norm_profile, saturation_data
from .draw_gradients import GradientPlot, decades
from .draw_saturation import SaturationPlot

_FONT_AWESOME_LINK = re.compile(
    r"""<link\b[^>]*\bhref\s*=\s*["'][^"']*font-awesome[^"']*["'][^>]*>\s*""", re.IGNORECASE)
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
    return _FRAME.sub(lambda m: m[1] + _palette_png(m[2], colors) + m[3], html)


def _palette_png(b64, colors):
    """A base64 PNG frame re-encoded with a palette of ``colors`` colours."""
    from PIL import Image  # a dependency of matplotlib

    image = Image.open(io.BytesIO(base64.b64decode(b64.replace("\\\n", ""))))
    image = image.convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


@style.styled  # the frames are drawn here, so the style must hold here too
def _animate(fig, update, frames, fps, colors):
    """The animation of ``update(i)`` for i < ``frames`` as an ``IPython.display.HTML``
    with two more attributes: ``frames`` and ``figure``, the Figure that drew them."""
    from IPython.display import HTML
    from matplotlib.animation import FuncAnimation

    anim = FuncAnimation(fig, update, frames=frames, interval=1000 / fps, blit=False,
                         cache_frame_data=False, repeat=False)
    html = HTML(offline_jshtml(anim, fps, colors))
    html.frames, html.figure = frames, fig
    return html


def saturation_animation(stds=None, shift=0.0, depth=4, layer=2, *, width=100, n=200,
                         threshold=0.01, seed=0, fps=3, colors=64):
    """The saturation figure as a kernel-free animation over the weight ``stds``
    (default :data:`~bpcode.viz.data.SATURATION_STDS`), for the static book.
    Returns an ``IPython.display.HTML`` (with ``frames``, the frame count)."""
    stds = SATURATION_STDS if stds is None else np.asarray(stds, dtype=float)
    data = [saturation_data(s, shift, depth, layer, width=width, n=n, threshold=threshold,
                            seed=seed) for s in stds]
    plot = SaturationPlot(threshold)
    return _animate(plot.fig, lambda i: plot.update(data[i]), len(data), fps, colors)


def gradient_norms_animation(depth=20, width=100, activation="relu", init="he", gains=None, *,
                             std=1.0, n=100, seed=0, fps=3, colors=64):
    """The per-layer gradient norms as a kernel-free animation over the ``gains``
    (default :data:`~bpcode.viz.data.GRADIENT_GAINS`, vanishing to exploding),
    with one y-range for all frames. Returns an ``IPython.display.HTML``."""
    gains = GRADIENT_GAINS if gains is None else np.asarray(gains, dtype=float)
    profiles = [gradient_norm_profile(depth, width, activation, init, g, std=std, n=n,
                                      seed=seed) for g in gains]
    ylim = decades(np.concatenate([np.r_[p.weight, p.delta] for p in profiles]))
    plot = GradientPlot()
    return _animate(plot.fig, lambda i: plot.update(profiles[i], ylim=ylim), len(profiles),
                    fps, colors)
