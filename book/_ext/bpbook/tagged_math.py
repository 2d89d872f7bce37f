"""A display equation with its own ``\\tag`` may span several lines.

The four equations of backpropagation are shown with the tags BP1 to BP4
(``$$ ... \\tag{BP2} $$`` after an ``(eq-bp2)=`` target), and the longest of
them are broken into lines with ``\\begin{aligned} ... \\\\ ... \\end{aligned}``
so that they fit a phone. Sphinx's MathJax writer wraps every display equation
whose text holds ``\\\\`` in ``\\begin{split} ... \\end{split}``, and MathJax
allows no ``\\tag`` inside ``split`` ("\\tag not allowed in split environment").
:func:`keep_tag_outside_split` gives such an equation (a ``\\tag`` and a ``\\\\``,
no Sphinx number) its display delimiters itself and marks it ``nowrap``, so
Sphinx writes it as it is: ``\\[ \\begin{aligned} ... \\end{aligned} \\tag{BP2} \\]``,
where the tag is at the top level of the display, as in LaTeX.

Hook (connected in ``__init__.py``): :func:`keep_tag_outside_split` on
``doctree-resolved``, before the page is written.

What this relies on (Sphinx 7.4): ``math_block`` nodes hold the TeX as their
text and a ``nowrap`` flag; ``sphinx.ext.mathjax.html_visit_displaymath`` adds
the ``split`` wrapper (a part with ``\\\\``), the equation number and the
delimiters ``mathjax_display`` unless ``nowrap`` is set, in which case it writes
the text alone inside ``<div class="math">``.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx


def keep_tag_outside_split(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    start, end = app.config.mathjax_display
    for block in doctree.findall(nodes.math_block):
        text = block.astext()
        if block.get("nowrap") or block.get("number") or not ("\\tag" in text and "\\\\" in text):
            continue
        block[:] = [nodes.Text(f"{start}{text}{end}")]
        block["nowrap"] = True
