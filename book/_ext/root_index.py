"""Sphinx extension: a complete root ``index.html`` that redirects to the first page.

The book's first page is ``book/index``, so Sphinx writes no ``index.html`` at
the site root, and sphinx-external-toc adds a one-line redirect stub there
(``<meta http-equiv="Refresh" ...>``). A browser opening that stub still asks
for ``/favicon.ico``, which does not exist: a failed request (HTTP 404) on the
site's front door, depending on how fast the redirect wins.

This writes the root page first (``build-finished``, before sphinx-external-toc,
which then leaves an existing file alone): the same redirect, a title, a plain
link for readers whose browser does not follow the redirect, and an empty
inline icon (``data:,``), so the browser asks for no icon at all (a real icon
file would be requested and then cancelled by the redirect). It is rewritten
on every build, so it follows a change of the first page.
"""

from __future__ import annotations

import html
from pathlib import Path

from sphinx.application import Sphinx

TEMPLATE = """<!DOCTYPE html>
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


def write_root_index(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html" or app.config.root_doc == "index":
        return
    suffix = "/index.html" if app.builder.name == "dirhtml" else ".html"
    url = html.escape(app.config.root_doc + suffix)
    page = TEMPLATE.format(
        lang=html.escape(app.config.language or "en"),
        url=url,
        title=html.escape(app.config.html_title or app.config.project),
    )
    Path(app.outdir, "index.html").write_text(page, encoding="utf8")


def setup(app: Sphinx) -> dict:
    app.connect("build-finished", write_root_index, priority=400)  # before sphinx-external-toc
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
