"""The bibliography is a valid ARIA list.

docutils writes the references of the bibliography page as
``<div role="list" class="citation-list">`` whose entries are
``<div class="citation" role="doc-biblioentry">``. DPUB-ARIA 1.1 deprecated
``doc-biblioentry``, so axe-core (4.10) no longer counts the entries as list
items: the list has children it does not allow (a critical violation of
aria-required-children) and each entry has a deprecated role.
:func:`list_items` gives the entries ``role="listitem"``, which is what they are.

Hook (connected in ``__init__.py``): :func:`list_items` on ``html-page-context``,
which may change the page body before the template writes it.

What this relies on: docutils 0.21's HTML5 writer writes exactly
``role="doc-biblioentry"`` on each citation of a citation list
(``visit_citation``), and Sphinx 7.4 passes the rendered body as
``context["body"]``.
"""

from __future__ import annotations

from sphinx.application import Sphinx

DEPRECATED = 'role="doc-biblioentry"'
LIST_ITEM = 'role="listitem"'


def list_items(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    body = context.get("body")
    if body and DEPRECATED in body:
        context["body"] = body.replace(DEPRECATED, LIST_ITEM)
