"""One figure style for every figure of the book, set here and nowhere else.

**Sizes.** The book's content column is :data:`COLUMN_PX` CSS px wide when the
book is read at 1280 px. A figure W inches wide rendered at D dpi is D·W px
wide and is shown at min(D·W, column) CSS px, so a text of F points is shown at
F/72 · min(D, column/W) CSS px (:func:`shown_px`); the project asks for at
least :data:`MIN_TEXT_PX` = 10 px (issue 12). Every figure here is
:data:`WIDTH` = column/D inches wide at :data:`DPI` = 100: its PNG is exactly
as wide as the column and is shown pixel for pixel (sharp, and no byte is spent
on pixels the browser throws away), and a point is 100/72 px, so the smallest
text, :data:`SMALL_SIZE` = 9 pt, is 12.5 px, and labels and titles,
:data:`FONT_SIZE` = 10 pt, are 13.9 px, next to the 16 px body text.

**Fonts.** DejaVu Sans: the theme's body font is ``system-ui, sans-serif``,
which is DejaVu Sans on the Debian machines that build the book, and matplotlib
ships it, so every build draws the same glyphs. Math uses mathtext's matching
``dejavusans`` set.

**Colours.** Okabe and Ito's colour-blind-safe palette, whose blue
(:data:`FORWARD`) marks the quantities of the forward pass (a, z, the cost)
and whose vermillion (:data:`BACKWARD`) those of the backward pass (δ, the
gradients), in every figure; the colour cycle starts with the two. Text in the
backward colour uses :data:`BACKWARD_TEXT`, a darker vermillion that reaches
the 4.5:1 contrast on white that small text needs.

The viz figures apply the style only while they are made and drawn
(:func:`styled`), so they never change the caller's matplotlib settings. A
page calls :func:`use_style` once, and its own pyplot figures get the same
fonts, sizes, colours and dpi. matplotlib is imported only inside functions.
"""

from __future__ import annotations

import functools

#: Width in CSS px of the book's content column at a 1280 x 900 viewport,
#: measured once on the built book (sphinx-book-theme 1.3.0) in Debian's
#: Chromium through Playwright: ``getBoundingClientRect().width`` of a cell's
#: ``.cell_output`` (the 752 px ``article.bd-article`` less its 32 px paddings),
#: the same on every page; a wider output image is scaled down to it.
COLUMN_PX = 688
#: Pixels per inch of every figure.
DPI = 100
#: The width of every figure, in inches: exactly the column at :data:`DPI`.
WIDTH = COLUMN_PX / DPI
#: The height of a figure, in inches, unless it needs another.
HEIGHT = 3.4
#: The smallest size, in CSS px, that any text of a figure may be shown at.
MIN_TEXT_PX = 10

#: Labels, titles and text, in points.
FONT_SIZE = 10
#: Tick labels, legends and notes, in points.
SMALL_SIZE = 9

#: Curves and data lines, in points.
LINE_WIDTH = 1.8
#: Reference lines (a bound, a threshold), in points.
THIN_WIDTH = 1.0
MARKER_SIZE = 5

#: The forward pass: a, z, the cost (Okabe-Ito blue).
FORWARD = "#0072B2"
#: The backward pass: δ and the gradients (Okabe-Ito vermillion).
BACKWARD = "#D55E00"
#: Text in the backward pass's colour: :data:`BACKWARD` darkened to 5.5:1 on
#: white, since BACKWARD itself (3.9:1) is below the 4.5:1 that small text needs
#: (WCAG 2 AA); BACKWARD stays for lines and fills.
BACKWARD_TEXT = "#B34700"
#: Secondary text and shading.
MUTED = "0.35"
#: :data:`MUTED` as a CSS colour, for text in HTML and SVG (7.0:1 on white).
MUTED_TEXT = "#595959"
#: The colour cycle: the two passes first, then the rest of Okabe-Ito
#: (bluish green, reddish purple, orange, sky blue, black; not its yellow,
#: too pale on white).
CYCLE = (FORWARD, BACKWARD, "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")

#: The style as matplotlib rcParams.
RC = {
    "figure.dpi": DPI,
    "savefig.dpi": "figure",
    "figure.figsize": (WIDTH, HEIGHT),
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],
    "mathtext.fontset": "dejavusans",
    "font.size": FONT_SIZE,
    "axes.titlesize": FONT_SIZE,
    "axes.labelsize": FONT_SIZE,
    "figure.titlesize": FONT_SIZE,
    "xtick.labelsize": SMALL_SIZE,
    "ytick.labelsize": SMALL_SIZE,
    "legend.fontsize": SMALL_SIZE,
    "legend.title_fontsize": SMALL_SIZE,
    "legend.frameon": False,
    "lines.linewidth": LINE_WIDTH,
    "lines.markersize": MARKER_SIZE,
    "axes.linewidth": 0.8,
    "grid.linewidth": 0.6,
    "grid.alpha": 0.3,
    "axes.prop_cycle": f"cycler('color', {list(CYCLE)!r})",
}


def shown_px(fontsize, width, dpi):
    """The size in CSS px at which the book shows a text of ``fontsize`` points
    in a figure ``width`` inches wide rendered at ``dpi``."""
    return fontsize / 72 * min(dpi, COLUMN_PX / width)


def use_style():
    """Give the pyplot figures of a page the book's style (updates
    ``matplotlib.rcParams``; call it once, before the first figure)."""
    import matplotlib

    matplotlib.rcParams.update(RC)


def context():
    """A context in which matplotlib uses the book's style."""
    import matplotlib

    return matplotlib.rc_context(RC)


def styled(function):
    """Run ``function`` in the book's style. matplotlib reads most settings
    when an artist is made and some when it is drawn, so every viz function
    that makes or draws artists is wrapped."""

    @functools.wraps(function)
    def in_style(*args, **kwargs):
        with context():
            return function(*args, **kwargs)

    return in_style

