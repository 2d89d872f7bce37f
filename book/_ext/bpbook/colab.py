"""The Colab launch buttons open real notebooks.

sphinx-book-theme links Colab to the page's source file, and Colab cannot open
MyST markdown (``.md``). The GitHub workflow publishes the pages as ``.ipynb``
notebooks, made by ``scripts/colab_notebooks.py``, to the branch
``colab_notebooks_branch`` (set once, in ``_config.yml``; the workflow and the
tests read it from there too); :func:`rewrite_colab_links` rewrites every Colab
link of the built HTML from ``blob/<branch>/<page>.md`` to
``blob/<colab_notebooks_branch>/<page>.ipynb``.

Hook (connected in ``__init__.py``): :func:`rewrite_colab_links` on
``build-finished`` at 500, after the pages are written.

What this relies on (check when bumping a pin in requirements.txt):

* sphinx-book-theme 1.3.0: its Colab button's address is
  ``<colab_url>/github/<org>/<repo>/blob/<branch>/<path>.md``, written into
  each page's HTML (the ``COLAB`` pattern matches exactly that).
* Sphinx 7.4: the pages are final on disk at ``build-finished``.
"""

import re
from pathlib import Path

from sphinx.util import logging

logger = logging.getLogger(__name__)

COLAB = re.compile(r'(https://colab\.research\.google\.com/github/[^"\s]+?/blob/)'
                   r'[^/"\s]+/([^"\s]+?)\.md"')


def rewrite(html, branch):
    """Return ``html`` with its Colab links moved to ``branch`` and ``.ipynb``."""
    return COLAB.sub(lambda m: f'{m.group(1)}{branch}/{m.group(2)}.ipynb"', html)


def rewrite_colab_links(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    branch = app.config.colab_notebooks_branch
    if not branch:
        logger.warning(
            "[bpbook.colab] colab_notebooks_branch is not set (_config.yml, sphinx: config:); "
            "the Colab buttons still open .md files, which Colab cannot read"
        )
        return
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = rewrite(text, branch)
        if new != text:
            page.write_text(new, encoding="utf-8")
