"""The chapter's symbols and numbers as plain Unicode text, for SVG and HTML.

A layer superscript is always written in parentheses, z₁⁽²⁾, as the chapter
writes it, so that it cannot be read as a power; unit indices are subscripts.
Plain Unicode (not MathJax) because the text goes into SVG ``<text>`` elements
and into a kernel-free player that must not wait for a typesetter.
"""

from __future__ import annotations

_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPT = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")
MINUS = "\u2212"


def symbol(name, layer=None, *units):
    """``name`` with the unit indices as subscripts and the layer as a
    parenthesised superscript: ``symbol("w", 3, 1, 2)`` is w₁₂⁽³⁾. Indices of
    two digits are separated by commas, so that w₁₂ never means w_{1,2} and
    w_{12} at once."""
    separator = "," if any(u >= 10 for u in units) else ""
    text = name + separator.join(str(u) for u in units).translate(_SUBSCRIPT)
    if layer is not None:
        text += f"({layer})".translate(_SUPERSCRIPT)
    return text


#: Below this size a value is rounding error (−0.4 + 0.6 − 0.2 is −5.6e−17 in
#: floating point) and is shown as 0.00.
ROUNDING = 1e-12


def number(value):
    """``value`` with three significant digits, trailing zeros kept (1.30,
    0.0709, −12.3, 1.23e−05) and a true minus sign; |value| < :data:`ROUNDING`
    is shown as 0.00."""
    value = float(value)
    text = f"{value if abs(value) >= ROUNDING else 0.0:#.3g}"
    if "e" not in text:
        text = text.rstrip(".")  # "#" keeps a bare point after 100
    return text.replace("-", MINUS)


def factor(value):
    """:func:`number`, in parentheses when negative, as a factor of a product."""
    text = number(value)
    return f"({text})" if text.startswith(MINUS) else text
