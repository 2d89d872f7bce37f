"""Sphinx extension: make the built book work offline (no CDN requests).

1. MathJax 3. Sphinx loads MathJax from jsdelivr by default. Instead, on
   every build we copy the MathJax 3 ``es5`` tree shipped by the PyPI package
   ``django-static-mathjax`` (pinned in requirements.txt) into the git-ignored
   folder ``book/_extra/_static/mathjax/``. ``_config.yml`` lists ``book/_extra``
   in ``html_extra_path``, so the tree lands in ``_build/html/_static/mathjax/``,
   and ``mathjax_path: mathjax/es5/tex-mml-chtml.js`` (Sphinx resolves relative
   script paths against ``_static``) makes every page load it from there.
   Why not the book's own ``_static`` folder: Jupyter Book 1 adds every ``.js``
   file under ``<book>/_static`` as a ``<script>`` tag on every page.
   Why copy at build time: so that no third-party JavaScript is committed and a
   plain ``jupyter-book build .`` works from a fresh clone.
   The copy runs on ``config-inited`` *before* Sphinx's own check of
   ``html_extra_path`` (priority 800), which would otherwise drop the
   not-yet-existing folder with a warning. Unchanged files are skipped, so a
   no-change rebuild stays fast.

2. Font Awesome from cdnjs. matplotlib's ``Animation.to_jshtml()`` output
   starts with a ``<link>`` to Font Awesome 4.4 on cdnjs. The theme already
   ships Font Awesome, and the animation controls render with it, so the
   external ``<link>`` is removed from raw HTML cell outputs.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

logger = logging.getLogger(__name__)

# matches e.g. <link rel="stylesheet" href="https://cdnjs.cloudflare.com/.../font-awesome.min.css">
_FONT_AWESOME_CDN = re.compile(
    r"""<link\b[^>]*\bhref=["']https?://[^"']*font-awesome[^"']*["'][^>]*>\s*""",
    re.IGNORECASE,
)


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
            "[offline_assets] mathjax_path %r is remote; the book would not work offline",
            config.mathjax_path,
        )
        return
    try:
        import mathjax  # provided by the django-static-mathjax package
    except ImportError:
        logger.warning(
            "[offline_assets] package django-static-mathjax is not installed "
            "(pip install -r requirements.txt); MathJax cannot be served locally"
        )
        return
    src = Path(mathjax.__file__).parent / "static" / "mathjax"
    dest = Path(app.confdir) / config.offline_mathjax_dir
    copied = _sync_tree(src / "es5", dest / "es5")
    shutil.copy2(src / "LICENSE", dest / "LICENSE")  # Apache-2.0: ship the licence
    logger.info("[offline_assets] MathJax: %d file(s) copied to %s", copied, dest)

    # mathjax_path is resolved against _static/ in the output; check that one of
    # the html_extra_path folders really provides _static/<mathjax_path>.
    if not any(
        (Path(app.confdir) / extra / "_static" / config.mathjax_path).is_file()
        for extra in config.html_extra_path
    ):
        logger.warning(
            "[offline_assets] no html_extra_path entry provides _static/%s; "
            "check html_extra_path, mathjax_path and offline_mathjax_dir",
            config.mathjax_path,
        )


def strip_cdn_font_awesome(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for node in list(doctree.findall(nodes.raw)):
        if "html" not in node.get("format", "").split():
            continue
        text = node.astext()
        new = _FONT_AWESOME_CDN.sub("", text)
        if new != text:
            node.replace_self(nodes.raw(new, new, format=node["format"]))


def setup(app: Sphinx) -> dict:
    app.add_config_value("offline_mathjax_dir", "book/_extra/_static/mathjax", "env")
    app.connect("config-inited", copy_mathjax, priority=100)
    app.connect("doctree-resolved", strip_cdn_font_awesome)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
