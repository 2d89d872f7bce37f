"""A box that scrolls sideways is a tab stop; a box that does not scroll is not.

Keyboard users scroll a box with the arrow keys once it has the focus, so a box
whose content is wider than it must be focusable (axe-core's rule
scrollable-region-focusable, WCAG 2.1.1), and a box that does not scroll should
not add a stop to the tab order. pydata-sphinx-theme does this for its own
boxes (code, MyST tables, cell outputs) when a page loads, is resized or gains
elements, but not for the figure boxes of :mod:`.figures`, and not when a
reader opens a hidden cell or a solution: a code block inside it, narrower than
the column, may scroll from then on. :data:`TAB_STOP_JS`, an inline script on
every page, applies the theme's rule to the theme's boxes and the figure boxes,
on load, on resize, and after every ``<details>`` toggle and every click (a
click may open a solution: sphinx-togglebutton opens it from its button and its
title alike).

Registered in ``setup`` (``__init__.py``) with ``app.add_js_file``, before the
builder exists, so Sphinx writes it once.

What this relies on: pydata-sphinx-theme 0.17's own selectors for scroll boxes
(``addTabStopsToScrollableElements``: ``pre``, ``.cell_output > .output``,
``.pst-scrollable-table-container``, ...) and its rule (``tabIndex`` 0 when
``scrollWidth > clientWidth``, else -1); sphinx-togglebutton 0.4 shows and
hides a solution in its own click handler; ``<details>`` fires ``toggle``
(which does not bubble, hence the capturing listener).
"""

from __future__ import annotations

from .figures import CLASS as FIGURE_BOX

SELECTOR = f"pre, .cell_output > .output, .pst-scrollable-table-container, .{FIGURE_BOX}"

TAB_STOP_JS = f"""
document.addEventListener("DOMContentLoaded", () => {{
  const update = () => document.querySelectorAll("{SELECTOR}").forEach((box) => {{
    box.tabIndex = box.scrollWidth > box.clientWidth ? 0 : -1;
  }});
  const later = () => window.setTimeout(update, 0);
  update();
  window.addEventListener("load", update);
  window.addEventListener("resize", later);
  document.addEventListener("toggle", later, true);
  document.addEventListener("click", later);
}});
"""
