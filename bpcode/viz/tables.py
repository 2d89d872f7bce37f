"""HTML tables for the book's pages, in one style.

Every table the pages compute is made here, so that the book's stylesheet
can style them all through one class (:data:`TABLE_CLASS`): numbers are right
aligned in tabular figures, and a wide table scrolls inside its own box on a
narrow screen instead of widening the page.
"""

from __future__ import annotations

import html
import numbers
import re

#: The class of every table; its scrolling box has this class plus "-scroll".
TABLE_CLASS = "bpbook-table"


# What may stand next to the numbers of a numeric cell.
_UNITS = {"s", "ms", "µs", "ns", "%", "*", "kB", "MB", "GFLOP", "to"}


def _is_number(value):
    """A number, or text made of numbers with units, separators and ranges
    ("5.31 ms", "0.1, -0.2", "0.98–1.10", "97.1%"), is right-aligned; a label
    that merely contains a number ("one step, batch of 10") is not."""
    if isinstance(value, numbers.Number):
        return True
    text = str(value).replace("−", "-").strip()
    words = [w for w in re.split(r"[\s,;()×/]+|(?<=\d)[–-](?=\d)", text) if w]
    if not words:
        return False
    for word in words:
        try:
            float(word.rstrip("%*"))
        except ValueError:
            if word.rstrip("*") not in _UNITS:
                return False
    return any(c.isdigit() for c in text)


def html_table(header, rows, caption=None):
    """An ``IPython.display.HTML`` table with a ``header`` row and ``rows`` of
    cells, optionally with a ``caption``; cells that hold numbers are
    right-aligned. The table sits in a box that scrolls when it is wider than
    the page, which keyboard users can reach (tabindex) and screen readers
    announce by the caption."""
    from IPython.display import HTML

    head = "".join(f'<th scope="col">{html.escape(str(h))}</th>' for h in header)
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if _is_number(c) else ""}>{html.escape(str(c))}</td>'
                         for c in row) + "</tr>"
        for row in rows)
    label = html.escape(caption or "table", quote=True)
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f'<div class="{TABLE_CLASS}-scroll" role="region" tabindex="0" '
                f'aria-label="{label}"><table class="{TABLE_CLASS}">{caption_html}'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
