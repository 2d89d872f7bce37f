"""The built book works offline and its front door requests nothing.

1. MathJax 3 (:func:`copy_mathjax`). Sphinx loads MathJax from jsdelivr by
   default. Instead, on every build we copy the MathJax 3 ``es5`` tree shipped
   by the PyPI package ``django-static-mathjax`` (pinned in requirements.txt)
   into the git-ignored folder ``book/_extra/_static/mathjax/``
   (``offline_mathjax_dir``). ``_config.yml`` lists ``book/_extra`` in
   ``html_extra_path``, so the tree lands in ``_build/html/_static/mathjax/``,
   and ``mathjax_path: mathjax/es5/tex-mml-chtml.js`` (Sphinx resolves relative
   script paths against ``_static``) makes every page load it from there.
   Why not the book's own ``_static`` folder: Jupyter Book 1 adds every ``.js``
   file under ``<book>/_static`` as a ``<script>`` tag on every page.
   Why copy at build time: so that no third-party JavaScript is committed and a
   plain ``jupyter-book build .`` works from a fresh clone.
   The copy must run before Sphinx's own check of ``html_extra_path``, which
   would otherwise drop the not-yet-existing folder with a warning. Unchanged
   files are skipped, so a no-change rebuild stays fast.

2. The root ``index.html`` (:func:`write_root_index`). The book's first page is
   ``book/index``, so Sphinx writes no ``index.html`` at the site root, and
   sphinx-external-toc adds a one-line redirect stub there
   (``<meta http-equiv="Refresh" ...>``). A browser opening that stub still asks
   for ``/favicon.ico``, which does not exist: a failed request (HTTP 404) on the
   site's front door, depending on how fast the redirect wins. This writes the
   root page first (sphinx-external-toc then leaves an existing file alone): the
   same redirect, a title, a plain link for readers whose browser does not
   follow the redirect, and an empty inline icon (``data:,``), so the browser
   asks for no icon at all (a real icon file would be requested and then
   cancelled by the redirect). It is rewritten on every build, so it follows a
   change of the first page.

(CDN Font Awesome, the other thing that would reach the network, is removed
where the animation HTML is made: ``bpcode.viz.offline_jshtml``.)

Hooks (connected in ``__init__.py``): :func:`copy_mathjax` on ``config-inited``
at 100; :func:`write_root_index` on ``build-finished`` at 400.

What this relies on (check when bumping a pin in requirements.txt):

* Sphinx 7.4: ``validate_html_extra_path`` runs on ``config-inited`` at
  priority 800 and drops missing folders with a warning, so
  :func:`copy_mathjax` is connected before it; ``html_extra_path`` folders are
  copied to the output root; ``sphinx.ext.mathjax`` resolves a relative
  ``mathjax_path`` against ``_static/``; the ``dirhtml`` builder's pages are
  ``<doc>/index.html``.
* django-static-mathjax 3.2.2.1: the import name ``mathjax`` and its layout
  ``static/mathjax/es5/`` and ``static/mathjax/LICENSE``.
* Jupyter Book 1.0.4: turns every ``.js`` under ``<book>/_static`` into a
  ``<script>`` tag (why ``html_extra_path``).
* sphinx-external-toc 1.1.0: ``ensure_index_file`` writes its stub on
  ``build-finished`` at the default priority 500, only when ``index.html`` does
  not exist, so :func:`write_root_index` is connected before it.
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT_INDEX = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Refresh" content="0; url={url}">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="canonical" href="{url}">
</head>
<body>
<p><a href="{url}">{title}</a></p>
</body>
</html>
"""


def _sync_tree(src: Path, dest: Path) -> int:
    """Copy files from src to dest, skipping files whose size and mtime match."""
    copied = 0
    for path in src.rglob("*"):
        if not path.is_file():
            continue
        target = dest / path.relative_to(src)
        st = path.stat()
        if target.is_file():
            tt = target.stat()
            if tt.st_size == st.st_size and int(tt.st_mtime) == int(st.st_mtime):
                continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)  # copy2 keeps mtime, so the next run skips it
        copied += 1
    return copied


def copy_mathjax(app: Sphinx, config: Config) -> None:
    if "://" in config.mathjax_path:
        logger.warning(
            "[bpbook.offline] mathjax_path %r is remote; the book would not work offline",
            config.mathjax_path,
        )
        return
    try:
        import mathjax  # provided by the django-static-mathjax package
    except ImportError:
        logger.warning(
            "[bpbook.offline] package django-static-mathjax is not installed "
            "(pip install -r requirements.txt); MathJax cannot be served locally"
        )
        return
    src = Path(mathjax.__file__).parent / "static" / "mathjax"
    dest = Path(app.confdir) / config.offline_mathjax_dir
    copied = _sync_tree(src / "es5", dest / "es5")
    shutil.copy2(src / "LICENSE", dest / "LICENSE")  # Apache-2.0: ship the licence
    logger.info("[bpbook.offline] MathJax: %d file(s) copied to %s", copied, dest)

    # mathjax_path is resolved against _static/ in the output; check that one of
    # the html_extra_path folders really provides _static/<mathjax_path>.
    if not any(
        (Path(app.confdir) / extra / "_static" / config.mathjax_path).is_file()
        for extra in config.html_extra_path
    ):
        logger.warning(
            "[bpbook.offline] no html_extra_path entry provides _static/%s; "
            "check html_extra_path, mathjax_path and offline_mathjax_dir",
            config.mathjax_path,
        )


def write_root_index(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or app.config.root_doc == "index":
        return
    suffix = "/index.html" if app.builder.name == "dirhtml" else ".html"
    url = html.escape(app.config.root_doc + suffix)
    page = ROOT_INDEX.format(
        lang=html.escape(app.config.language or "en"),
        url=url,
        title=html.escape(app.config.html_title or app.config.project),
    )
    Path(app.outdir, "index.html").write_text(page, encoding="utf8")
