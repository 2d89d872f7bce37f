"""The book's stylesheet, ``css/bpbook.css``, on every page after the theme's.

It makes what is wider than the content column (display math, tables, code,
figures on a phone) scroll in its own box with a shadow on each edge that has
more content, styles the tables (numbers right-aligned in tabular figures),
shows figures pixel for pixel at 1280 px and at 3/4 of their width at most on a
phone (:mod:`.figures`), keeps inline math with the punctuation after it
(:mod:`.nowrap`), keeps page titles and permalinks within a phone's column, and
fixes the theme colour that fails WCAG AA contrast (links on exercise boxes).
The file is served from its own folder, which holds no ``.js`` (Jupyter Book 1
turns every ``.js`` under the book's ``_static`` into a ``<script>`` tag; this
folder is not that one, but keep it CSS only).

Hook (connected in ``__init__.py``): :func:`add_stylesheet` on ``builder-inited``.

What the stylesheet relies on (check when bumping a pin in requirements.txt):

* Sphinx 7.4: ``app.add_css_file`` files come after the theme's stylesheets, so
  equal selectors here win; ``html_static_path`` folders are copied to ``_static/``.
* pydata-sphinx-theme 0.17 (under sphinx-book-theme 1.3.0): the article is
  ``article.bd-article``; ``div.math`` is a flex row whose ``mjx-container`` has
  ``overflow: auto``; MyST tables are ``table.table`` inside
  ``div.pst-scrollable-table-container``; a ``figure`` has 8 px padding; a
  figure's permalink (``a.headerlink``) is placed absolutely, a heading's has a
  margin and padding; ``h1`` is 2.625rem; the colour variables
  ``--pst-color-background``, ``--pst-color-surface`` (code),
  ``--pst-color-border``, ``--pst-color-table-inner-border``,
  ``--pst-color-accent`` and ``--pst-color-link`` (light mode ``#176de8``, from
  sphinx-book-theme); sphinx-exercise 1.2's exercise boxes are tinted
  ``#ecf3ff`` in light mode.
* MathJax 3.2 CHTML: display math is ``mjx-container[display="true"]``; an
  equation with ``\\tag`` gets ``width="full"`` and an inline ``min-width``.
* matplotlib 3.11's ``to_jshtml`` markup: ``div.animation``, ``input.anim-slider``
  (a fixed width of 374 px).
"""

from __future__ import annotations

from pathlib import Path

from sphinx.application import Sphinx

CSS_DIR = Path(__file__).resolve().parent / "css"
CSS_FILE = "bpbook.css"


def add_stylesheet(app: Sphinx) -> None:
    app.config.html_static_path.append(str(CSS_DIR))
    app.add_css_file(CSS_FILE)
