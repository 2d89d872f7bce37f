"""The network diagram of the step-through, drawn as SVG text (no matplotlib).

Units are boxes in columns, one column per layer, each holding the values of
its unit (b, z, a, δ) as they become known; connections are lines. A frame of
:mod:`bpcode.viz.steps` is drawn with the units it computes and the
connections that carry its values in the colour of its pass (forward or
backward) and the rest muted; the connections it uses are labelled with their
weight, gradient, or old → new weight. :func:`network_figure` draws the state
after the backward pass with every connection labelled with its gradient.

SVG keeps text crisp and pages light, and text in SVG can be selected and
read. Every text is :data:`FONT_PX` = 13 CSS px at the SVG's natural size;
the step-through's SVG is never scaled (its container scrolls sideways when
the column is narrower), and a figure for the column at 1280 px is at most
:data:`bpcode.viz.style.COLUMN_PX` wide for the worked example's sizes. Boxes
and not circles: a circle wide enough for "δ₁⁽²⁾ −0.0186" would take twice the
column's height.
"""

from __future__ import annotations

import html
from typing import NamedTuple

from . import style
from .notation import number, symbol
from .steps import FORWARD_STAGES, stepthrough_data

#: The size of every text of the diagram, in CSS px at its natural size.
FONT_PX = 13
LINE_PX = 16  # the distance between the lines of a box
BOX_W = 112
GAP = 123  # between the boxes of two layers
ROW_PX = 96  # from one unit to the next in a column
HEAD_PX = 34  # the layer titles above the columns
MARGIN = 6
TARGET_W = 62  # the targets t_j to the right of the output layer
MIN_LABEL_GAP = 18  # vertical distance between the centres of two connection labels
LABEL_W = FONT_PX * (0.838 + 4 * 0.636 + 0.318)  # a number as wide as −0.0000

#: The diagram's CSS, for the classes of its SVG (prefix ``bps-``).
CSS = (
    f".bps{{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:{FONT_PX}px}}"
    ".bps .bps-bg{fill:#fff}"
    ".bps text{fill:#1a1a1a}"
    ".bps .bps-head{font-weight:bold;text-anchor:middle}"
    f".bps .bps-m{{fill:{style.MUTED_TEXT}}}"
    f".bps .bps-f{{fill:{style.FORWARD}}}"
    f".bps .bps-b{{fill:{style.BACKWARD_TEXT}}}"
    ".bps .bps-now{font-weight:bold}"
    ".bps .bps-l{paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}"
    ".bps line{stroke:#b4b4b4;stroke-width:1.2px}"
    f".bps line.bps-f{{stroke:{style.FORWARD};stroke-width:2.5px}}"
    f".bps line.bps-b{{stroke:{style.BACKWARD};stroke-width:2.5px}}"
    ".bps rect.bps-u{fill:#fff;stroke:#8c8c8c;stroke-width:1px}"
    f".bps rect.bps-uf{{fill:#eef5fb;stroke:{style.FORWARD};stroke-width:3px}}"
    f".bps rect.bps-ub{{fill:#fdf1e9;stroke:{style.BACKWARD};stroke-width:3px}}"
    f".bps rect.bps-if{{stroke:{style.FORWARD};stroke-width:2px;stroke-dasharray:5 3}}"
    f".bps rect.bps-ib{{stroke:{style.BACKWARD};stroke-width:2px;stroke-dasharray:5 3}}"
)

# Advance widths of DejaVu Sans in em, to place labels without a font engine;
# the rest are taken as 0.62 em, a little wide, so labels never come out short.
_EM = {**dict.fromkeys("0123456789", 0.636), ".": 0.318, " ": 0.318, "(": 0.39, ")": 0.39,
       "\u2212": 0.838, "→": 0.838, **dict.fromkeys("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾", 0.4)}


def text_width(text):
    """The approximate width of ``text`` in CSS px at :data:`FONT_PX`."""
    return FONT_PX * sum(_EM.get(c, 0.62) for c in text)


class Layout(NamedTuple):
    """Where everything goes: ``x[l]`` the left edge of layer l's boxes, ``y[l][j]``
    the centre of unit j (from 1; index 0 unused), ``box_h[l]`` the height of
    its boxes, and the SVG's ``width`` and ``height``."""

    x: dict
    y: dict
    box_h: dict
    width: int
    height: int

    @classmethod
    def of(cls, sizes, gap=GAP):
        L, rows = len(sizes), max(sizes)
        x = {l: MARGIN + (l - 1) * (BOX_W + gap) for l in range(1, L + 1)}
        y = {l: [None] + [HEAD_PX + ((rows - m) / 2 + j - 0.5) * ROW_PX for j in range(1, m + 1)]
             for l, m in enumerate(sizes, start=1)}
        box_h = {l: 10 + LINE_PX * (1 if l == 1 else 4) for l in range(1, L + 1)}
        cost_y = y[L][-1] + box_h[L] / 2 + 2 * LINE_PX
        height = max(HEAD_PX + rows * ROW_PX, cost_y + LINE_PX / 2)
        return cls(x, y, box_h, int(x[L] + BOX_W + TARGET_W + MARGIN), int(height))


def _lines(walk, frame, l, j):
    """The text lines of unit j of layer l in ``frame``: (text, css class, is it new)."""
    known = frame.known
    if l == 1:
        key = ("a", 1, j)
        return [(f"{symbol('a', 1, j)}  {number(known[key])}", "bps-f", key in frame.values)]
    rows = []
    new_b = ("b_new", l, j)  # the bias, and after its update the new one
    if new_b in known:
        rows.append((f"{symbol('b', l, j)}  {number(known[new_b])}", "bps-b",
                     new_b in frame.values))
    else:
        rows.append((f"{symbol('b', l, j)}  {number(walk.b[l][j - 1])}", "", False))
    for name, shown, css in (("z", "z", "bps-f"), ("a", "a", "bps-f"), ("delta", "δ", "bps-b")):
        key = (name, l, j)
        if key in known:
            rows.append((f"{symbol(shown, l, j)}  {number(known[key])}", css, key in frame.values))
        else:
            rows.append((symbol(shown, l, j), "bps-m", False))
    return rows


def _text(x, y, text, css="", anchor=None):
    attrs = f' class="{css}"' if css else ""
    if anchor:
        attrs += f' text-anchor="{anchor}"'
    return f'<text x="{x:.0f}" y="{y:.0f}"{attrs}>{html.escape(text)}</text>'


def _point(layout, l, i, j, x):
    """The point of the line w_ij⁽ˡ⁾ at abscissa ``x``."""
    x0, x1 = layout.x[l - 1] + BOX_W, layout.x[l]
    y0, y1 = layout.y[l - 1][i], layout.y[l][j]
    return y0 + (x - x0) / (x1 - x0) * (y1 - y0)


def _label(layout, connection, text, css, near_target, width=None):
    """A label on a connection, centred on the line, ``width`` (default: its own)
    from its source or its target end."""
    l, i, j = connection
    half = (width or text_width(text)) / 2
    centre = layout.x[l] - 6 - half if near_target else layout.x[l - 1] + BOX_W + 6 + half
    y = _point(layout, l, i, j, centre) + 0.35 * FONT_PX  # baseline of a centred text
    return _text(centre, y, text, f"bps-l {css}", "middle")


def _connection_labels(walk, frame, layout):
    """The labels of the frame's connections: the weights a forward z or BP2 uses,
    the gradients it computes, or the old and new weights of an update. They go
    near the end the connections do not share, where they are far apart."""
    labels = []
    for c in frame.connections:
        l, i, j = c
        if frame.stage == "forward":
            text, css = number(walk.W[l][i - 1, j - 1]), "bps-f"
        elif frame.stage == "BP2":
            text, css = number(walk.W[l][i - 1, j - 1]), "bps-b"
        elif frame.stage == "gradients":
            text, css = number(frame.values[("dC/dw", *c)]), "bps-b bps-now"
        else:  # update
            text = f"{number(walk.W[l][i - 1, j - 1])} → {number(frame.values[('w_new', *c)])}"
            css = "bps-b bps-now"
        labels.append(_label(layout, c, text, css, near_target=frame.stage == "BP2"))
    return labels


def _headers(sizes, layout):
    L = len(sizes)
    names = {1: "input", L: "output"}
    return [_text(layout.x[l] + BOX_W / 2, HEAD_PX - 14, f"{names.get(l, 'hidden')}, layer ({l})",
                  "bps-head") for l in range(1, L + 1)]


def svg(walk, frame, *, label, layout=None, all_gradients=False, standalone=False):
    """The SVG of ``frame`` of the :class:`~bpcode.viz.steps.Walkthrough` ``walk``.

    ``label`` is its accessible name. With ``all_gradients`` every connection is
    labelled with ∂C/∂w instead (the figure after the backward pass);
    ``standalone`` makes an SVG file (namespace and style inside) instead of
    SVG for an HTML page that holds :data:`CSS`.
    """
    sizes, L = walk.sizes, len(walk.sizes)
    layout = layout or Layout.of(sizes)
    forward = frame.stage in FORWARD_STAGES
    colour = "f" if forward else "b"
    # the units the frame computes, and the other ends of the connections it uses
    now = {(frame.layer, j) for j in frame.units}
    used = {(l - 1, i) for l, i, _ in frame.connections} | {(l, j) for l, _, j in frame.connections}
    highlighted = set(frame.connections) if not all_gradients else set()
    parts = [f'<rect class="bps-bg" width="{layout.width}" height="{layout.height}"/>']
    parts += _headers(sizes, layout)
    for l in range(2, L + 1):
        for i in range(1, sizes[l - 2] + 1):
            for j in range(1, sizes[l - 1] + 1):
                css = f' class="bps-{colour}"' if (l, i, j) in highlighted else ""
                parts.append(f'<line x1="{layout.x[l - 1] + BOX_W}" y1="{layout.y[l - 1][i]:.0f}" '
                             f'x2="{layout.x[l]}" y2="{layout.y[l][j]:.0f}"{css}/>')
    for l in range(1, L + 1):
        for j in range(1, sizes[l - 1] + 1):
            h, top = layout.box_h[l], layout.y[l][j] - layout.box_h[l] / 2
            css = "bps-u" + (f" bps-u{colour}" if (l, j) in now else
                             f" bps-i{colour}" if (l, j) in used else "")
            parts.append(f'<rect class="{css}" x="{layout.x[l]}" y="{top:.0f}" width="{BOX_W}" '
                         f'height="{h}" rx="10"/>')
            for k, (text, css, new) in enumerate(_lines(walk, frame, l, j)):
                parts.append(_text(layout.x[l] + 8, top + 5 + LINE_PX * k + 12, text,
                                   css + (" bps-now" if new else "")))
    right = layout.x[L] + BOX_W + 8
    for j in range(1, sizes[-1] + 1):
        parts.append(_text(right, layout.y[L][j] + 4, f"{symbol('t', None, j)}  "
                                                      f"{number(walk.t[j - 1])}"))
    cost_y = layout.y[L][-1] + layout.box_h[L] / 2 + 2 * LINE_PX
    if ("C",) in frame.known:
        css = "bps-f" + (" bps-now" if ("C",) in frame.values else "")
        parts.append(_text(layout.x[L], cost_y, f"cost C  {number(frame.known[('C',)])}", css))
    if all_gradients:
        parts += gradient_labels(walk, layout)
    else:
        parts += _connection_labels(walk, frame, layout)
    head = (' xmlns="http://www.w3.org/2000/svg"' if standalone else "")
    style_tag = f"<style>{CSS}</style>" if standalone else ""
    return (f'<svg{head} class="bps" width="{layout.width}" height="{layout.height}" '
            f'viewBox="0 0 {layout.width} {layout.height}" role="img" '
            f'aria-label="{html.escape(label)}">{style_tag}<title>{html.escape(label)}</title>'
            + "".join(parts) + "</svg>")


def gradient_labels(walk, layout):
    """∂C/∂w on every connection, all at one distance from the targets, where the
    labels are :data:`MIN_LABEL_GAP` or more apart (see :func:`gradient_gap`)."""
    labels = []
    for l, dW in walk.gradients.dW.items():
        for i in range(1, dW.shape[0] + 1):
            for j in range(1, dW.shape[1] + 1):
                labels.append(_label(layout, (l, i, j), number(dW[i - 1, j - 1]), "bps-b",
                                     near_target=True, width=LABEL_W))
    return labels


def gradient_gap(sizes):
    """The gap between layers that keeps every gradient label apart: the labels
    of unit j sit a fraction s of the gap from it, at heights (1 - s) y_j + s y_i,
    so those of one unit are s·ROW_PX apart and those of two units
    (1 - s·M)·ROW_PX, with M units in the layer before; s is the largest that
    keeps both at least MIN_LABEL_GAP, and the gap the smallest that puts a label
    of 0.0000's width at that fraction."""
    widest = max(sizes[:-1])
    s = min(0.3, (1 - MIN_LABEL_GAP / ROW_PX) / widest)
    s = max(s, MIN_LABEL_GAP / ROW_PX)
    return max(GAP, (6 + LABEL_W / 2) / s)


class NetworkFigure(NamedTuple):
    """The figure of :func:`network_figure`: ``svg`` (a standalone SVG document,
    which a notebook shows as an image) and the ``walkthrough`` it draws."""

    svg: str
    walkthrough: object

    def _repr_svg_(self):
        return self.svg


def network_figure(W, b, x, t):
    """The sigmoid network with parameters ``W``, ``b`` (quadratic cost) after one
    forward and one backward pass on the sample (``x``, ``t``): each unit shows
    its b, z and a (forward colour) and δ (backward colour), each connection its
    gradient ∂C/∂w (backward colour). Returns a :class:`NetworkFigure`, shown as
    an SVG image."""
    walk = stepthrough_data(W, b, x, t)
    before_update = [f for f in walk.frames if f.stage != "update"][-1]
    frame = before_update._replace(units=(), connections=(), values={})
    layout = Layout.of(walk.sizes, gap=gradient_gap(walk.sizes))
    label = (f"A {'-'.join(map(str, walk.sizes))} network after one forward and one backward "
             "pass, with z, a and δ on every unit and ∂C/∂w on every connection")
    return NetworkFigure(svg(walk, frame, label=label, layout=layout, all_gradients=True,
                             standalone=True), walk)
