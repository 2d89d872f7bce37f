"""Figures stay readable on a phone: each figure's image sits in a box that can
scroll sideways.

Every figure of the book is drawn as wide as the content column at 1280 px
(``bpcode.viz.style``), with text of 9 pt and more, 12.5 CSS px. Scaled to a
phone's column (about 360 px) that text would be 6 px. Instead, on narrow
screens ``css/bpbook.css`` shows the image at no less than 3/4 of its width in
its own box, which scrolls, with the book's scroll shadows as the cue.

:func:`wrap_figure_images` puts every image of a ``figure`` node in a
container with class ``bpbook-figure-scroll`` (the caption stays outside, so it
never scrolls); :mod:`.tab_stops` makes the box a tab stop when it scrolls. The
frames of the static animations, HTML made by ``bpcode.viz.offline_jshtml``,
come in a box of the same class (``bpcode.viz.animation.FRAME_BOX_CLASS``).

Hook (connected in ``__init__.py``): :func:`wrap_figure_images` on
``doctree-resolved``.

What this relies on: docutils renders ``nodes.container`` as
``<div class="... docutils container">`` in HTML (and as its children elsewhere);
myst-nb 1.4 turns a cell output with ``mystnb: figure`` metadata into a
``figure`` node holding the output (an ``image``) and its ``caption``, and
selects the output's image in a post-transform, before ``doctree-resolved``.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx

CLASS = "bpbook-figure-scroll"


def wrap_figure_images(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for image in list(doctree.findall(nodes.image)):
        figure = image.parent
        while figure is not None and not isinstance(figure, nodes.figure):
            figure = figure.parent
        if figure is None or CLASS in image.parent.get("classes", []):
            continue
        box = nodes.container(classes=[CLASS])
        image.replace_self(box)
        box += image
