"""Live Code: the pages' cells run in the book (Thebe), with nothing from a CDN.

sphinx-thebe 0.3.1 loads Thebe 0.8.2 from unpkg when the reader clicks
*Live Code*. That version is not on the npm registry this project can reach,
and a CDN breaks the offline book. This module instead:

1. Thebe from npm (:func:`fetch_thebe`). On every build, makes sure the npm
   package ``thebe`` (``thebe_npm_version``, 0.9.3) is unpacked into the
   git-ignored folder ``book/_extra/_static/thebe/`` (``offline_thebe_dir``), with
   ``require.js`` from the npm package ``requirejs`` (``requirejs_npm_version``)
   beside it. ``html_extra_path`` publishes the folder as
   ``_build/html/_static/thebe/``. The packages are fetched with the ordinary
   npm client (``npm pack``: Thebe's ``lib/`` is a self-contained webpack
   bundle, so its dependencies are not needed), only when missing or of another
   version. Thebe's widget manager fetches require.js from a CDN before it
   renders any widget, so that one address in the bundle is replaced by
   ``window.BPBOOK_REQUIREJS_URL``, which ``bpbook-thebe.js`` points at the
   local copy. No third-party JavaScript is committed. Without npm the build
   warns (and so fails under ``-W``): a CDN fallback would break offline use.
2. Our own loader (:func:`add_static_path`, :func:`use_local_thebe`). Points
   sphinx-thebe's ``THEBE_JS_URL`` at that copy; the URL is computed in the
   page from ``data-content_root``, so it is right at every folder depth. And
   replaces ``sphinx-thebe.js`` by ``thebe_static/bpbook-thebe.js`` (this
   repository's own code), which keeps ``initThebe()`` for the theme's button
   but speaks Thebe 0.9's API: see that file. Its sibling ``bpbook-lite.js``,
   which it loads only to start the in-browser kernel, is published with it.
   Nothing is loaded until the button is clicked, so pages make no extra
   request on load. Both copies of each script (registry and builder) are
   rewritten the same way, so that the de-duplication of step 3 still matches
   them.
3. Each inline ``<script>`` once (:func:`dedupe_inline_js`), which fixes the
   page error "Identifier 'THEBE_JS_URL' has already been declared".
   Symptom: every page contains sphinx-thebe's inline configuration script
   twice, and the second ``const`` declaration fails, so the page logs an
   error. The sphinx-togglebutton inline script is duplicated the same way.
   Cause (Sphinx 7.4): ``app.add_js_file(None, body=...)`` called after the
   HTML builder exists (sphinx-thebe does it on ``env-before-read-docs``,
   sphinx-togglebutton on ``builder-inited``) stores the script in the registry
   AND in the builder, the builder copy with ``filename=None``. Before writing,
   ``StandaloneHTMLBuilder.prepare_writing`` re-adds every registry script as
   ``filename or ''``; ``_JavaScript(None) != _JavaScript('')`` so the
   de-duplication misses and each inline script is emitted twice. Scripts with
   a file name are unaffected. Fix: once the environment is read
   (``env-updated``, after sphinx-thebe has registered its scripts, before
   ``prepare_writing``) normalise the builder's inline scripts to
   ``filename=''`` and drop exact duplicates. Thebe itself is untouched: its
   config script, the Thebe loader and the launch button stay.

Which kernel runs the code is decided in the page, by ``bpbook-thebe.js``:
Python in the reader's browser by default (the files of
:mod:`.pyodide_files` and :mod:`.browser_kernel`), or a local Jupyter server
when ``scripts/serve_live.py`` serves the book (it adds a second
``<script type="text/x-thebe-config">`` block with ``useBinder: false`` and the
server's URL and token). Binder stays in the launch menu, as JupyterLab.

Hooks (connected in ``__init__.py``): :func:`fetch_thebe` on ``config-inited``
at 100, before Sphinx checks ``html_extra_path`` (800); :func:`add_static_path`
on ``builder-inited`` at 600, after sphinx-thebe's (500);
:func:`use_local_thebe` then :func:`dedupe_inline_js` on ``env-updated`` at 800
and 900.

What this relies on (check when bumping a pin in requirements.txt, or npm's
``thebe_npm_version``):

* Sphinx 7.4 private API: ``app.registry.js_files`` (a list of
  ``(filename, attributes)``), ``app.builder._js_files`` (a list of
  ``sphinx.builders.html._assets._JavaScript``, file names prefixed with
  ``_static/``, inline scripts with ``filename=None``), and
  ``StandaloneHTMLBuilder.prepare_writing`` re-adding the registry's scripts
  after ``env-updated``.
* sphinx-thebe 0.3.1: on ``env-before-read-docs`` it adds the inline script
  whose text starts ``const THEBE_JS_URL = "https://unpkg.com/thebe@...";``
  (:func:`_rewrite` replaces exactly that double-quoted URL up to the ``;``,
  and warns if the text changes) and the file ``sphinx-thebe.js``; on
  ``builder-inited`` (priority 500) it appends its own ``_static`` to
  ``html_static_path``. ``bpbook-thebe.js`` reads the globals of that inline
  script (``THEBE_JS_URL``, ``thebe_selector``, ``thebe_selector_input``,
  ``thebe_selector_output``) and ``kernelName``, which sphinx-thebe writes into
  each page on ``doctree-resolved``.
* sphinx-togglebutton 0.4.5: its inline scripts, duplicated the same way.
* sphinx-book-theme 1.3.0: the *Live Code* button calls ``initThebeSBT()``,
  which calls the global ``initThebe()`` that ``bpbook-thebe.js`` defines; its
  layout (from pydata-sphinx-theme 0.17) writes ``<html data-content_root="...">``,
  which gives the page's depth.
* Thebe 0.9.3 (npm): ``lib/index.js`` holds the require.js address
  ``REQUIREJS_CDN`` exactly once (else the build warns), and exposes
  ``window.thebelab`` with ``getPageConfig``, ``on`` and ``bootstrap``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.builders.html._assets import _JavaScript
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "thebe_static"  # holds OUR_JS
OUR_JS = "bpbook-thebe.js"
THEIR_JS = "sphinx-thebe.js"
# Evaluated in the page's <head>: <html data-content_root="../"> is already parsed.
LOCAL_URL_EXPR = (
    'new URL("_static/thebe/index.js", '
    "new URL(document.documentElement.dataset.content_root || './', document.baseURI)).href"
)
STAMP = "NPM_PACKAGES"  # records which npm packages (and patch) the folder holds
# Thebe's widget manager fetches require.js from this CDN address before it
# renders any widget, even the built-in ones it bundles. The build replaces it
# by the copy of the npm package requirejs that sits next to Thebe; the address
# is set by bpbook-thebe.js before Thebe loads.
REQUIREJS_CDN = '"https://cdnjs.cloudflare.com/ajax/libs/require.js/2.3.6/require.min.js"'
REQUIREJS_LOCAL = "window.BPBOOK_REQUIREJS_URL"
PATCH_ID = "requirejs-url-1"


# ---------------------------------------------------------- 1. Thebe from npm


def _thebe_file(rel: str) -> str | None:
    """Where a file of the thebe package goes in the output folder (None: skipped)."""
    if rel in ("LICENSE", "package.json"):
        return f"thebe-{rel}"
    # lib/*.js (entry point and webpack chunks), lib/thebe.css, the bundle's licence
    # notices; not the source maps or the type declarations.
    if rel.startswith("lib/") and "/" not in rel[4:] and not rel.endswith(".map"):
        return rel[4:]
    return None


def _requirejs_file(rel: str) -> str | None:
    return {"require.js": "require.js", "package.json": "requirejs-package.json"}.get(rel)


def npm_unpack(npm: str, spec: str, dest: Path, place, integrity: str | None = None) -> bool:
    """``npm pack`` one package (no dependencies) and copy the files ``place`` names.

    ``integrity`` pins the tarball: the registry's ``sha512-...`` value, which
    npm checks the download against and reports back.
    """
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [npm, "pack", spec, "--pack-destination", tmp, "--json", "--silent"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0:
            logger.warning("[bpbook.live_code] npm pack %s failed:\n%s", spec, proc.stderr[-2000:])
            return False
        packed = json.loads(proc.stdout)[0]
        if integrity is not None and packed.get("integrity") != integrity:
            logger.warning(
                "[bpbook.live_code] npm pack %s: integrity %s, pinned %s; not used",
                spec,
                packed.get("integrity"),
                integrity,
            )
            return False
        tarball = Path(tmp) / packed["filename"]
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                if not member.isfile() or not member.name.startswith("package/"):
                    continue
                name = place(member.name[len("package/") :])
                if name is None:
                    continue
                (dest / name).parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as src, open(dest / name, "wb") as out:
                    shutil.copyfileobj(src, out)
    return True


def fetch_thebe(app: Sphinx, config: Config) -> None:
    specs = [f"thebe@{config.thebe_npm_version}", f"requirejs@{config.requirejs_npm_version}"]
    wanted = "\n".join([*specs, PATCH_ID]) + "\n"
    dest = Path(app.confdir) / config.offline_thebe_dir
    stamp = dest / STAMP
    if (dest / "index.js").is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        logger.warning(
            "[bpbook.live_code] npm not found: cannot install %s, so Live Code has no Thebe "
            "(install Node.js/npm, e.g. apt-get install npm)",
            " and ".join(specs),
        )
        return
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    if not (
        npm_unpack(npm, specs[0], dest, _thebe_file)
        and npm_unpack(npm, specs[1], dest, _requirejs_file)
    ):
        return
    bundle = dest / "index.js"
    text = bundle.read_text(encoding="utf8")
    if text.count(REQUIREJS_CDN) != 1:
        logger.warning(
            "[bpbook.live_code] %s: require.js address not found once; widgets in Live Code "
            "would load it from a CDN",
            specs[0],
        )
        return
    bundle.write_text(text.replace(REQUIREJS_CDN, REQUIREJS_LOCAL), encoding="utf8")
    stamp.write_text(wanted)
    logger.info("[bpbook.live_code] %s unpacked into %s", " and ".join(specs), dest)


# ------------------------------------------------------------ 2. our own loader


def add_static_path(app: Sphinx) -> None:
    app.config.html_static_path.append(str(STATIC_DIR))


def _rewrite(filename: str | None, attrs: dict, prefix: str = "") -> tuple[str | None, dict]:
    if filename == prefix + THEIR_JS:
        return prefix + OUR_JS, attrs
    body = attrs.get("body") or ""
    if filename in (None, "") and "const THEBE_JS_URL" in body:
        head, sep, rest = body.partition("const THEBE_JS_URL = ")
        old_url, _, tail = rest.partition(";")
        attrs = {**attrs, "body": f"{head}{sep}{LOCAL_URL_EXPR};{tail}"}
        if not old_url.strip().startswith('"'):
            logger.warning("[bpbook.live_code] unexpected sphinx-thebe script: %s", body[:200])
    return filename, attrs


def use_local_thebe(app: Sphinx, env: BuildEnvironment) -> list[str]:
    js_files = getattr(app.builder, "_js_files", None)  # only HTML-family builders
    if js_files is None:
        return []
    app.registry.js_files[:] = [_rewrite(f, dict(a)) for f, a in app.registry.js_files]
    new = []
    for js in js_files:
        # the builder stores file names with their output folder, "_static/"
        filename, attrs = _rewrite(js.filename, dict(js.attributes), prefix="_static/")
        if filename != js.filename or attrs != js.attributes:
            js = _JavaScript(filename, priority=js.priority, **attrs)
        new.append(js)
    js_files[:] = new
    return []


# ------------------------------------------------ 3. each inline script once


def dedupe_inline_js(app: Sphinx, env: BuildEnvironment) -> list[str]:
    js_files = getattr(app.builder, "_js_files", None)  # only HTML-family builders
    if js_files is None:
        return []
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
