"""Inline math keeps the punctuation that follows it on its line.

MathJax typesets ``$x$.`` as an inline-block followed by the text ``.``, and a
browser may break the line between the two, so that a period or a comma starts
the next line ("layer l" / ". The bias"). :func:`keep_punctuation_with_math`
wraps every inline math node and the punctuation right after it in
``<span class="bpbook-nowrap">``, which ``css/bpbook.css`` keeps on one line. The
pages' sources are untouched.

Hook (connected in ``__init__.py``): :func:`keep_punctuation_with_math` on
``doctree-resolved``, for every page and every builder (the span is a plain
``inline`` node, which every writer renders).

What this relies on: docutils' ``nodes.math`` is the inline math of MyST's
``$...$`` (and ``{math}``), its text siblings are ``nodes.Text``, and Sphinx's
HTML writer renders ``nodes.inline`` with classes as ``<span class="...">``.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.application import Sphinx

#: What may not start a line after inline math: closing punctuation, dashes and
#: closing quotes, as a run ("$x$)." keeps both).
PUNCTUATION = re.compile(r"[.,;:!?)\]}'’”…\-–—]+")
CLASS = "bpbook-nowrap"


def keep_punctuation_with_math(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for math in list(doctree.findall(nodes.math)):
        parent = math.parent
        # Positions, not parent.index(): Text nodes compare equal by value.
        index = next(i for i, child in enumerate(parent.children) if child is math)
        following = parent.children[index + 1] if index + 1 < len(parent.children) else None
        if not isinstance(following, nodes.Text):
            continue
        text = following.astext()
        match = PUNCTUATION.match(text)
        if not match:
            continue
        span = nodes.inline(classes=[CLASS])
        rest = [nodes.Text(text[match.end():])] if match.end() < len(text) else []
        parent.children[index:index + 2] = [span, *rest]
        for child in (span, *rest):
            child.parent = parent
        span += [math, nodes.Text(match.group())]
