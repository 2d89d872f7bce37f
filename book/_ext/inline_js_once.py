"""Sphinx extension: emit each inline <script> once (fixes the Thebe page error).

Symptom: every page contains sphinx-thebe's inline configuration script twice,
and the browser raises "Identifier 'THEBE_JS_URL' has already been declared"
(the second ``const`` declaration fails, so the page logs an error). The
sphinx-togglebutton inline script is duplicated the same way.

Cause (Sphinx 7.4): ``app.add_js_file(None, body=...)`` called after the HTML
builder exists (sphinx-thebe does it on ``env-before-read-docs``,
sphinx-togglebutton on ``builder-inited``) stores the script in the registry
AND in the builder, the builder copy with ``filename=None``. Before writing,
``StandaloneHTMLBuilder.prepare_writing`` re-adds every registry script as
``filename or ''``; ``_JavaScript(None) != _JavaScript('')`` so the
de-duplication misses and each inline script is emitted twice. Scripts with a
file name are unaffected.

Fix: once the environment is read (``env-updated``, after sphinx-thebe has
registered its scripts, before ``prepare_writing``) normalise the builder's
inline scripts to ``filename=''`` and drop exact duplicates. Thebe itself is
untouched: its config script, ``sphinx-thebe.js`` and the launch button stay.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment


def dedupe_inline_js(app: Sphinx, env: BuildEnvironment) -> list[str]:
    builder = app.builder
    js_files = getattr(builder, "_js_files", None)  # only HTML-family builders
    if js_files is None:
        return []
    from sphinx.builders.html._assets import _JavaScript

    seen: set = set()
    result = []
    for js in js_files:
        if js.filename is None:
            js = _JavaScript("", priority=js.priority, **js.attributes)
        if js in seen:
            continue
        seen.add(js)
        result.append(js)
    js_files[:] = result
    return []


def setup(app: Sphinx) -> dict:
    app.connect("env-updated", dedupe_inline_js, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
