"""Figures outside pyplot, in the book's style, and their PNG bytes.

A viz figure is a matplotlib ``Figure`` with its own Agg canvas, never
registered with pyplot: no global state, and the inline backend never shows a
second, stale copy of a figure that a widget redraws in place.
"""

from __future__ import annotations

import io

from . import style


@style.styled
def figure(height=style.HEIGHT, width=style.WIDTH):
    """A ``Figure`` of ``width`` x ``height`` inches at :data:`style.DPI`, with an
    Agg canvas, outside pyplot."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), dpi=style.DPI)
    FigureCanvasAgg(fig)
    return fig


@style.styled
def png(fig):
    """The figure drawn by Agg, as PNG bytes (fast, light compression: this is
    what every control change of a live widget sends)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()
