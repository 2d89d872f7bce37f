"""HTML tables for the book's pages, in one style.

Every table the pages compute is made here, so that the book's stylesheet
(``book/_ext/bpbook/css/bpbook.css``) can style them all through one class
(:data:`TABLE_CLASS`): numbers (cells of class ``num``, and the headers of
columns that hold only numbers) are right-aligned in tabular figures, and a
wide table scrolls inside its own box on a narrow screen instead of widening
the page.
"""

from __future__ import annotations

import html
import numbers
import re

#: The class of every table; its scrolling box has this class plus "-scroll".
TABLE_CLASS = "bpbook-table"
#: Cells that stand for a missing value.
MISSING = ("", "-", "–", "—")


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


def _keep_units(value):
    """A number's text with a no-break space between each number and its unit
    ("5.31 ms"), so that a cell of numbers wraps only between numbers."""
    return re.sub(r"(\d) (?=[a-zµ%])", "\\1\u00a0", str(value))


def _num(flag):
    return ' class="num"' if flag else ""


def html_table(header, rows, caption=None):
    """An ``IPython.display.HTML`` table with a ``header`` row and ``rows`` of
    cells, optionally with a ``caption``; cells that hold numbers are
    right-aligned. The table sits in a box that scrolls when it is wider than
    the page, which keyboard users can reach (tabindex) and screen readers
    announce by the caption."""
    from IPython.display import HTML

    rows = [list(row) for row in rows]
    numeric = [[_is_number(c) for c in row] for row in rows]
    # A column of numbers (a missing value, "–", does not count against it) has its
    # header and its missing values aligned with the numbers.
    columns = [[(row[i], flags[i]) for row, flags in zip(rows, numeric, strict=True)
                if i < len(row)] for i in range(len(header))]
    column_numeric = [any(flag for _, flag in column)
                      and all(flag or c in MISSING for c, flag in column) for column in columns]
    head = "".join(f'<th scope="col"{_num(flag)}>{html.escape(str(h))}</th>'
                   for h, flag in zip(header, column_numeric, strict=True))
    body = "".join(
        "<tr>" + "".join(f"<td{_num(flag or (column_numeric[j] and c in MISSING))}>"
                         f"{html.escape(_keep_units(c) if flag else str(c))}</td>"
                         for j, (c, flag) in enumerate(zip(row, flags, strict=True)))
        + "</tr>"
        for row, flags in zip(rows, numeric, strict=True))
    label = html.escape(caption or "table", quote=True)
    caption_html = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return HTML(f'<div class="{TABLE_CLASS}-scroll" role="region" tabindex="0" '
                f'aria-label="{label}"><table class="{TABLE_CLASS}">{caption_html}'
                f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>")
