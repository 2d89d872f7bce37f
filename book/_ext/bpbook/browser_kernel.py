"""Live Code in the browser, part 2: thebe-lite, a package index, and what the page reads.

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
2. ``pypi/`` (:func:`build_package_index`): a second piplite index, with
   ``all.json`` in the format piplite reads, for what Pyodide's own build lacks:

   * the wheels pinned, with their sha256, in ``browser_requirements``
     (``book/_ext/bpbook/browser-requirements.txt``: ipywidgets, and comm and
     jupyterlab_widgets, which it and the kernel need), fetched with ``pip
     download --require-hashes``, again only when that file changes;
   * a wheel of ``bpcode`` built from this repository (``pip wheel`` of a copy
     of ``pyproject.toml``, ``README.md`` and ``bpcode/``), rebuilt when one of
     those files changes. scikit-learn does not fit the browser's budget (with
     scipy and OpenBLAS, about 26 MB), so the copy also gets the 8×8 digits
     that ship inside the build machine's scikit-learn
     (``sklearn/datasets/data/digits.csv.gz``, BSD-3-Clause, with scikit-learn's
     licence) in ``bpcode/data/``, where ``bpcode.datasets.digits`` finds them
     when scikit-learn is absent. They are never committed.
3. ``config.json`` (:func:`write_config`): what ``bpbook-thebe.js`` passes to
   thebe-lite, with addresses relative to that file: the Pyodide loader, the
   two indexes, piplite's wheel, the kernel's name, and the packages to
   install when the kernel starts (``browser_kernel_install``), before the
   reader's first cell runs.

The page loads none of this until the reader chooses *Live Code*.

Hooks (connected in ``__init__.py``): :func:`fetch_thebe_lite`,
:func:`build_package_index` and :func:`write_config` on ``config-inited`` at
110, after :func:`.pyodide_files.fetch_pyodide` (100) and before Sphinx checks
``html_extra_path`` (800).

What this relies on (check when bumping ``thebe_lite_npm``):

* npm ``thebe-lite`` 0.5: ``dist/lib/thebe-lite.min.js`` sets
  ``window.thebeLite.startJupyterLiteServer(config)`` (``bpbook-thebe.js``
  wraps it to pass ``litePluginSettings``), finds its chunks and its
  ``pypi/all.json`` next to itself, and pins ``@jupyterlite/pyodide-kernel``
  0.4.7, whose settings ``pyodideUrl``, ``pipliteUrls``, ``pipliteWheelUrl``
  and ``disablePyPIFallback`` are used, whose kernel is named ``python``, and
  whose start-up installs ssl, sqlite3, ipykernel, comm, pyodide_kernel and
  ipython with piplite (Pyodide's packages from its lock file, the others from
  the indexes).
* piplite 0.4.7: reads ``all.json`` as ``{name: {"releases": {version:
  [{"filename", "url", "digests": {"sha256"}, ...}]}}}``, with ``url``
  relative to the index, and looks names up in PEP 503 form.
* scikit-learn: ``sklearn/datasets/data/digits.csv.gz`` and the licence file
  ``COPYING`` in its ``.dist-info``.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from packaging.requirements import Requirement
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from .live_code import npm_unpack
from .pyodide_files import LOCK, pip

logger = logging.getLogger(__name__)

STAMP = "SOURCES"  # what a folder was made from
# The repository files that make the bpcode wheel (paths relative to the book root).
BPCODE_SOURCES = ("pyproject.toml", "README.md", "bpcode")


def _root(app: Sphinx) -> Path:
    return Path(app.confdir) / app.config.browser_kernel_dir


def _fresh(folder: Path, sources: str) -> bool:
    stamp = folder / STAMP
    return stamp.is_file() and stamp.read_text(encoding="utf8") == sources


def _renew(folder: Path) -> None:
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
    dest = _root(app) / "thebe-lite"
    sources = f"thebe-lite@{version} {integrity}\n"
    if _fresh(dest, sources) and (dest / "thebe-lite.min.js").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        logger.warning(
            "[bpbook.browser_kernel] npm not found: cannot install thebe-lite@%s, so Live Code "
            "has no in-browser kernel (install Node.js/npm, e.g. apt-get install npm)",
            version,
        )
        return
    _renew(dest)
    if npm_unpack(npm, f"thebe-lite@{version}", dest, _thebe_lite_file, integrity):
        (dest / STAMP).write_text(sources, encoding="utf8")
        logger.info("[bpbook.browser_kernel] thebe-lite@%s unpacked into %s", version, dest)


# ------------------------------------------------------ 2. the package index


def _digest(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for top in paths:
        files = sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else [top]
        for file in files:
            if "__pycache__" in file.parts:
                continue
            h.update(file.as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return h.hexdigest()


def sklearn_digits() -> tuple[Path, Path | None]:
    """scikit-learn's bundled digits file and its licence, found without importing it."""
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("scikit-learn is not installed (pip install -r requirements.txt)")
    data = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    if not data.is_file():
        raise FileNotFoundError(f"{data} does not exist")
    files = importlib.metadata.distribution("scikit-learn").files or []
    licence = next((f.locate() for f in files if f.name == "COPYING"), None)
    return data, Path(licence) if licence else None


def _build_bpcode_wheel(root: Path, dest: Path, digits: Path, licence: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        for name in BPCODE_SOURCES:
            if (root / name).is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "data")
                shutil.copytree(root / name, src / name, ignore=ignore)
            else:
                src.mkdir(exist_ok=True)
                shutil.copy2(root / name, src / name)
        data = src / "bpcode" / "data"
        data.mkdir()
        shutil.copy2(digits, data / digits.name)
        if licence is not None:
            shutil.copy2(licence, data / "scikit-learn-COPYING")
        pip("wheel", "--no-deps", "-w", str(dest), str(src))


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def write_index(folder: Path) -> dict:
    """Write ``all.json`` for the wheels in ``folder``; return it."""
    index: dict = {}
    for wheel in sorted(folder.rglob("*.whl")):
        name, version = wheel.name.split("-")[:2]
        entry = {
            "filename": wheel.name,
            "url": "./" + wheel.relative_to(folder).as_posix(),
            "digests": {"sha256": hashlib.sha256(wheel.read_bytes()).hexdigest()},
            "size": wheel.stat().st_size,
            "packagetype": "bdist_wheel",
            "yanked": False,
        }
        releases = index.setdefault(_canonical(name), {"releases": {}})["releases"]
        releases.setdefault(version, []).append(entry)
    (folder / "all.json").write_text(json.dumps(index, indent=1, sort_keys=True), encoding="utf8")
    return index


def build_package_index(app: Sphinx, config: Config) -> None:
    book = Path(app.confdir)
    requirements = book / config.browser_requirements
    pinned = _root(app) / "pypi" / "pinned"
    sources = requirements.read_text(encoding="utf8")
    if not _fresh(pinned, sources):
        _renew(pinned)
        try:
            pip("download", "--no-deps", "--only-binary=:all:", "--require-hashes",
                "-r", str(requirements), "-d", str(pinned))
        except subprocess.CalledProcessError as error:
            logger.warning("[bpbook.browser_kernel] pip download -r %s failed:\n%s",
                           requirements, error.stderr[-2000:])
            return
        (pinned / STAMP).write_text(sources, encoding="utf8")

    local = _root(app) / "pypi" / "local"
    try:
        digits, licence = sklearn_digits()
    except FileNotFoundError as error:
        logger.warning("[bpbook.browser_kernel] no digits for the browser's bpcode: %s", error)
        return
    sources = _digest([book / name for name in BPCODE_SOURCES] + [digits])
    if not _fresh(local, sources):
        _renew(local)
        try:
            _build_bpcode_wheel(book, local, digits, licence)
        except subprocess.CalledProcessError as error:
            logger.warning("[bpbook.browser_kernel] pip wheel of bpcode failed:\n%s",
                           error.stderr[-2000:])
            return
        (local / STAMP).write_text(sources, encoding="utf8")
        logger.info("[bpbook.browser_kernel] bpcode wheel for the browser built in %s", local)

    index = write_index(_root(app) / "pypi")
    names = {req: _canonical(Requirement(req).name) for req in config.browser_kernel_install}
    missing = [req for req, name in names.items() if name not in index]
    if missing:
        logger.warning("[bpbook.browser_kernel] browser_kernel_install: %s not in %s",
                       ", ".join(missing), _root(app) / "pypi")


# --------------------------------------------------------------- 3. config.json


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
    dest = _root(app) / "files"
    shutil.rmtree(dest, ignore_errors=True)
    for rel in config.browser_kernel_files:
        source = Path(app.confdir) / rel
        if not source.is_file():
            logger.warning("[bpbook.browser_kernel] browser_kernel_files: no file %s", source)
            continue
        (dest / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, dest / rel)


def write_config(app: Sphinx, config: Config) -> None:
    root = _root(app)
    piplite = sorted((root / "thebe-lite" / "pypi").glob("piplite-*.whl"))
    lock_path = root / "pyodide" / LOCK
    if not piplite or not lock_path.is_file():
        logger.warning("[bpbook.browser_kernel] thebe-lite or Pyodide missing in %s", root)
        return
    lock = json.loads(lock_path.read_text(encoding="utf8"))
    shown = ("numpy", "matplotlib")  # the versions the page names, there and here
    settings = {
        "thebeLiteUrl": "thebe-lite/thebe-lite.min.js",
        "pyodideUrl": "pyodide/pyodide.js",
        "pipliteUrls": ["pypi/all.json"],
        "pipliteWheelUrl": piplite[-1].relative_to(root).as_posix(),
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
    path = root / "config.json"
    text = json.dumps(settings, indent=1) + "\n"
    if not path.is_file() or path.read_text(encoding="utf8") != text:
        path.write_text(text, encoding="utf8")
