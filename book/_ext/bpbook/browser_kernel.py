"""Live Code in the browser, part 2: thebe-lite, and what the page and the kernel read.

With these files (and Pyodide, from :mod:`.pyodide_files`), *Live Code* runs
the pages' cells in the reader's browser: no Jupyter server, no network. Thebe
0.9 starts the kernel through thebe-lite, which runs a JupyterLite server in
the page and JupyterLite's Pyodide kernel in a web worker. Everything lands in
the git-ignored folder ``browser_kernel_dir`` (``book/_extra/_static/lite``),
which ``html_extra_path`` publishes as ``_build/html/_static/lite/``:

1. ``thebe-lite/`` (:func:`fetch_thebe_lite`): the npm package ``thebe-lite``
   (``thebe_lite_npm``: version and the registry's sha512 integrity), its
   ``dist/lib`` without source maps. It carries the kernel's own wheels
   (``pypi/``: piplite, pyodide_kernel, an ipykernel shim, widgetsnbextension
   placeholders) and their index ``pypi/all.json``.
2. ``pypi/`` (:mod:`.package_index`): a second piplite index, for what
   Pyodide's own build lacks: ipywidgets and its needs, and ``bpcode``.
3. ``files/`` (:func:`copy_files`): the files the pages read
   (``browser_kernel_files``, paths relative to the book root, such as the
   speed page's ``benchmarks/results/benchmark.json``).
4. ``config.json`` (:func:`write_config`): what ``bpbook-thebe.js`` passes to
   thebe-lite, with addresses relative to that file (the Pyodide loader, the
   two indexes, piplite's wheel), the packages Pyodide loads with itself
   (``pyodide_packages``), the versions the page names, and the Python code the
   kernel runs when it starts, before the reader's first cell: install
   ``browser_kernel_install`` (``bpcode[viz]``: bpcode, matplotlib and
   ipywidgets), copy ``files/`` into the kernel's home at the same paths, change
   to ``browser_kernel_cwd`` there (``book``, the pages' folder, as in the
   build), and import matplotlib.pyplot, whose font cache takes a moment once.

The page loads none of this until the reader chooses *Live Code*.

Hooks (connected in ``__init__.py``): :func:`fetch_thebe_lite`,
:func:`copy_files` and :func:`write_config` on ``config-inited`` at 110, after
:func:`.pyodide_files.fetch_pyodide` (100), whose lock file
:func:`write_config` reads, and before Sphinx checks ``html_extra_path``
(800).

What this relies on (check when bumping ``thebe_lite_npm``):

* npm ``thebe-lite`` 0.5: ``dist/lib/thebe-lite.min.js`` sets
  ``window.thebeLite.startJupyterLiteServer(config)`` (``bpbook-thebe.js``
  wraps it to pass ``litePluginSettings``), finds its chunks and its
  ``pypi/all.json`` next to itself, and pins ``@jupyterlite/pyodide-kernel``
  0.4.7, whose settings ``pyodideUrl``, ``pipliteUrls``, ``pipliteWheelUrl``
  and ``disablePyPIFallback`` are used, whose kernel is named ``python``, and
  whose start-up installs ssl, sqlite3, ipykernel, comm, pyodide_kernel and
  ipython with piplite (Pyodide's packages from its lock file, the others from
  the indexes), skipping those already loaded through the setting
  ``loadPyodideOptions.packages``.
* Pyodide 0.27: ``pyodide.http.pyfetch`` in the kernel, whose home is
  ``/home/pyodide``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from .live_code import npm_unpack
from .pyodide_files import LOCK

logger = logging.getLogger(__name__)

STAMP = "SOURCES"  # what a folder was made from


def root(app: Sphinx) -> Path:
    """The folder of the in-browser kernel's files, published as ``_static/lite``."""
    return Path(app.confdir) / app.config.browser_kernel_dir


def fresh(folder: Path, sources: str) -> bool:
    """Whether ``folder`` was made from ``sources`` (its stamp file says so)."""
    stamp = folder / STAMP
    return stamp.is_file() and stamp.read_text(encoding="utf8") == sources


def renew(folder: Path) -> None:
    """Empty ``folder`` (made anew) before it is filled."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)


# ------------------------------------------------------------- 1. thebe-lite


def _thebe_lite_file(rel: str) -> str | None:
    if rel == "package.json":
        return "thebe-lite-package.json"  # its licence (MIT) and version
    if rel.startswith("dist/lib/") and not rel.endswith(".map"):
        return rel[len("dist/lib/") :]
    return None


def fetch_thebe_lite(app: Sphinx, config: Config) -> None:
    version, integrity = config.thebe_lite_npm
    dest = root(app) / "thebe-lite"
    sources = f"thebe-lite@{version} {integrity}\n"
    if fresh(dest, sources) and (dest / "thebe-lite.min.js").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        logger.warning(
            "[bpbook.browser_kernel] npm not found: cannot install thebe-lite@%s, so Live Code "
            "has no in-browser kernel (install Node.js/npm, e.g. apt-get install npm)",
            version,
        )
        return
    renew(dest)
    if npm_unpack(npm, f"thebe-lite@{version}", dest, _thebe_lite_file, integrity):
        (dest / STAMP).write_text(sources, encoding="utf8")
        logger.info("[bpbook.browser_kernel] thebe-lite@%s unpacked into %s", version, dest)


# --------------------------------------------------- 2. files and config.json


def _setup_code(install: list[str], files: list[str], cwd: str) -> str:
    """What the kernel runs when it starts, before the reader's first cell.

    ``FILES_URL`` (where ``files/`` is served) is set by ``bpbook-thebe.js``.
    """
    return f"""\
async def _bpbook_setup(files_url):
    import os, pathlib, piplite
    from pyodide.http import pyfetch
    await piplite.install({install!r})
    for path in {files!r}:
        response = await pyfetch(files_url + path)
        response.raise_for_status()
        target = pathlib.Path.home() / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(await response.bytes())
    (pathlib.Path.home() / {cwd!r}).mkdir(parents=True, exist_ok=True)
    os.chdir(pathlib.Path.home() / {cwd!r})
    import matplotlib.pyplot  # builds matplotlib's font cache now, not in a reader's cell
await _bpbook_setup(FILES_URL)
del _bpbook_setup, FILES_URL
"""


def copy_files(app: Sphinx, config: Config) -> None:
    dest = root(app) / "files"
    shutil.rmtree(dest, ignore_errors=True)
    for rel in config.browser_kernel_files:
        source = Path(app.confdir) / rel
        if not source.is_file():
            logger.warning("[bpbook.browser_kernel] browser_kernel_files: no file %s", source)
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest / rel)


def write_config(app: Sphinx, config: Config) -> None:
    lite = root(app)
    piplite = sorted((lite / "thebe-lite" / "pypi").glob("piplite-*.whl"))
    lock_path = lite / "pyodide" / LOCK
    if not piplite or not lock_path.is_file():
        logger.warning("[bpbook.browser_kernel] thebe-lite or Pyodide missing in %s", lite)
        return
    lock = json.loads(lock_path.read_text(encoding="utf8"))
    shown = ("numpy", "matplotlib")  # the versions the page names, there and here
    settings = {
        "thebeLiteUrl": "thebe-lite/thebe-lite.min.js",
        "pyodideUrl": "pyodide/pyodide.js",
        "pipliteUrls": ["pypi/all.json"],
        "pipliteWheelUrl": piplite[-1].relative_to(lite).as_posix(),
        "kernelName": "python",
        "preload": list(config.pyodide_packages),
        "install": list(config.browser_kernel_install),
        "filesUrl": "files/",
        "setup": _setup_code(
            list(config.browser_kernel_install),
            list(config.browser_kernel_files),
            config.browser_kernel_cwd,
        ),
        "versions": {
            "pyodide": lock["info"]["version"],
            "python": lock["info"]["python"],
            "browser": {name: lock["packages"][name]["version"] for name in shown},
            "build": {name: importlib.metadata.version(name) for name in shown},
        },
    }
    path = lite / "config.json"
    text = json.dumps(settings, indent=1) + "\n"
    if not path.is_file() or path.read_text(encoding="utf8") != text:
        path.write_text(text, encoding="utf8")
