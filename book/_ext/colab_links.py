"""Sphinx extension: point the Colab launch buttons at real notebooks.

sphinx-book-theme links Colab to the page's source file, and Colab cannot open
MyST markdown (``.md``). The GitHub workflow publishes the pages as ``.ipynb``
notebooks, made by ``scripts/colab_notebooks.py``, to the branch
``colab_notebooks_branch``; this extension rewrites every Colab link of the
built HTML from ``blob/<branch>/<page>.md`` to
``blob/<colab_notebooks_branch>/<page>.ipynb``.
"""

import re
from pathlib import Path

COLAB = re.compile(r'(https://colab\.research\.google\.com/github/[^"\s]+?/blob/)'
                   r'[^/"\s]+/([^"\s]+?)\.md"')


def rewrite(html, branch):
    """Return ``html`` with its Colab links moved to ``branch`` and ``.ipynb``."""
    return COLAB.sub(lambda m: f'{m.group(1)}{branch}/{m.group(2)}.ipynb"', html)


def _finished(app, exception):
    if exception is not None or app.builder.format != "html":
        return
    branch = app.config.colab_notebooks_branch
    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        new = rewrite(text, branch)
        if new != text:
            page.write_text(new, encoding="utf-8")


def setup(app):
    app.add_config_value("colab_notebooks_branch", "notebooks", "html")
    app.connect("build-finished", _finished)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
