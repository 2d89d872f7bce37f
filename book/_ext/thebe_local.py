"""Sphinx extension: Live Code (Thebe) served by the book itself, not a CDN.

sphinx-thebe 0.3.1 loads Thebe 0.8.2 from unpkg when the reader clicks
*Live Code*. That version is not on the npm registry this project can reach,
and a CDN breaks the offline book. This extension instead:

1. On every build, makes sure the npm package ``thebe`` (``thebe_npm_version``,
   0.9.3) is unpacked into the git-ignored folder ``book/_extra/_static/thebe/``
   (``thebe_local_dir``), with ``require.js`` from the npm package
   ``requirejs`` (``requirejs_npm_version``) beside it. ``html_extra_path``
   publishes the folder as ``_build/html/_static/thebe/``. The packages are
   fetched with the ordinary npm client (``npm pack``: Thebe's ``lib/`` is a
   self-contained webpack bundle, so its dependencies are not needed), only when
   missing or of another version. Thebe's widget manager fetches require.js
   from a CDN before it renders any widget, so that one address in the bundle
   is replaced by ``window.BPBOOK_REQUIREJS_URL``, which ``bpbook-thebe.js``
   points at the local copy. No third-party JavaScript is committed. Without
   npm the build warns (and so fails under ``-W``): a CDN fallback would break
   offline use.
2. Points sphinx-thebe's ``THEBE_JS_URL`` at that copy. The URL is computed in
   the page from ``data-content_root``, so it is right at every folder depth.
3. Replaces ``sphinx-thebe.js`` by ``thebe_static/bpbook-thebe.js`` (this
   repository's own code), which keeps ``initThebe()`` for the theme's button
   but speaks Thebe 0.9's API: see that file. Nothing is loaded until the
   button is clicked, so pages make no extra request on load.

Which Jupyter server runs the code is decided in the page: Binder by default
(sphinx-thebe's ``<script type="text/x-thebe-config">``), or a local server
when ``scripts/serve_live.py`` serves the book (it adds a second config block
with ``useBinder: false`` and the server's URL and token).

Runs its ``env-updated`` step before ``inline_js_once`` (priority 800 < 900),
and rewrites both copies of each script (registry and builder) the same way,
so that extension's de-duplication still matches them.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
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


def _npm_unpack(npm: str, spec: str, dest: Path, place) -> bool:
    """``npm pack`` one package (no dependencies) and copy the files ``place`` names."""
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [npm, "pack", spec, "--pack-destination", tmp, "--json", "--silent"],
            capture_output=True,
            text=True,
            timeout=600,
        )
        if proc.returncode != 0:
            logger.warning("[thebe_local] npm pack %s failed:\n%s", spec, proc.stderr[-2000:])
            return False
        tarball = Path(tmp) / json.loads(proc.stdout)[0]["filename"]
        with tarfile.open(tarball) as tar:
            for member in tar.getmembers():
                if not member.isfile() or not member.name.startswith("package/"):
                    continue
                name = place(member.name[len("package/") :])
                if name is None:
                    continue
                with tar.extractfile(member) as src, open(dest / name, "wb") as out:
                    shutil.copyfileobj(src, out)
    return True


def fetch_thebe(app: Sphinx, config: Config) -> None:
    specs = [f"thebe@{config.thebe_npm_version}", f"requirejs@{config.requirejs_npm_version}"]
    wanted = "\n".join([*specs, PATCH_ID]) + "\n"
    dest = Path(app.confdir) / config.thebe_local_dir
    stamp = dest / STAMP
    if (dest / "index.js").is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return
    npm = shutil.which("npm")
    if npm is None:
        logger.warning(
            "[thebe_local] npm not found: cannot install %s, so Live Code has no Thebe "
            "(install Node.js/npm, e.g. apt-get install npm)",
            " and ".join(specs),
        )
        return
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    if not (
        _npm_unpack(npm, specs[0], dest, _thebe_file)
        and _npm_unpack(npm, specs[1], dest, _requirejs_file)
    ):
        return
    bundle = dest / "index.js"
    text = bundle.read_text(encoding="utf8")
    if text.count(REQUIREJS_CDN) != 1:
        logger.warning(
            "[thebe_local] %s: require.js address not found once; widgets in Live Code "
            "would load it from a CDN",
            specs[0],
        )
        return
    bundle.write_text(text.replace(REQUIREJS_CDN, REQUIREJS_LOCAL), encoding="utf8")
    stamp.write_text(wanted)
    logger.info("[thebe_local] %s unpacked into %s", " and ".join(specs), dest)


def add_static_path(app: Sphinx) -> None:
    app.config.html_static_path.append(str(HERE / "thebe_static"))


def _rewrite(filename: str | None, attrs: dict, prefix: str = "") -> tuple[str | None, dict]:
    if filename == prefix + THEIR_JS:
        return prefix + OUR_JS, attrs
    body = attrs.get("body") or ""
    if filename in (None, "") and "const THEBE_JS_URL" in body:
        head, sep, rest = body.partition("const THEBE_JS_URL = ")
        old_url, _, tail = rest.partition(";")
        attrs = {**attrs, "body": f"{head}{sep}{LOCAL_URL_EXPR};{tail}"}
        if not old_url.strip().startswith('"'):
            logger.warning("[thebe_local] unexpected sphinx-thebe script: %s", body[:200])
    return filename, attrs


def use_local_thebe(app: Sphinx, env: BuildEnvironment) -> list[str]:
    js_files = getattr(app.builder, "_js_files", None)  # only HTML-family builders
    if js_files is None:
        return []
    from sphinx.builders.html._assets import _JavaScript

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


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx_thebe")
    app.add_config_value("thebe_npm_version", "0.9.3", "env")
    app.add_config_value("requirejs_npm_version", "2.3.7", "env")
    app.add_config_value("thebe_local_dir", "book/_extra/_static/thebe", "env")
    app.connect("config-inited", fetch_thebe, priority=100)
    app.connect("builder-inited", add_static_path, priority=600)  # after sphinx-thebe's
    app.connect("env-updated", use_local_thebe, priority=800)  # before inline_js_once
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
