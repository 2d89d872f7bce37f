"""Live Code in the browser, part 3: a package index for what Pyodide's build lacks.

The in-browser kernel (:mod:`.browser_kernel`) installs with piplite, which
reads indexes of wheels (``all.json``). thebe-lite ships one for the kernel's
own wheels; :func:`build_package_index` makes a second one in
``<browser_kernel_dir>/pypi/`` (git-ignored, published as
``_build/html/_static/lite/pypi/``), with:

* ``pinned/``: the wheels pinned, with their sha256, in ``browser_requirements``
  (``book/_ext/bpbook/browser-requirements.txt``: ipywidgets, and comm and
  jupyterlab_widgets, which it and the kernel need), fetched with ``pip
  download --require-hashes``, again only when that file changes;
* ``local/``: a wheel of ``bpcode`` built from this repository (``pip wheel``
  of a copy of ``pyproject.toml``, ``README.md`` and ``bpcode/``), built again
  when one of those files changes. scikit-learn does not fit the browser's
  budget (with scipy and OpenBLAS, about 26 MB), so the copy also gets the 8×8
  digits that ship inside the build machine's scikit-learn
  (``sklearn/datasets/data/digits.csv.gz``, BSD-3-Clause, with scikit-learn's
  licence) in ``bpcode/data/``, where ``bpcode.datasets.digits`` finds them when
  scikit-learn is absent. They are never committed;
* ``all.json`` (:func:`write_index`), rewritten on every build from the wheels
  present. Every package of ``browser_kernel_install`` must be in it.

Hook (connected in ``__init__.py``): :func:`build_package_index` on
``config-inited`` at 110, before Sphinx checks ``html_extra_path`` (800).

What this relies on:

* piplite 0.4.7 (thebe-lite 0.5): reads ``all.json`` as ``{name: {"releases":
  {version: [{"filename", "url", "digests": {"sha256"}, ...}]}}}``, with
  ``url`` relative to the index, and looks names up in PEP 503 form;
* setuptools (through ``pip wheel``): ``[tool.setuptools.package-data]`` in
  ``pyproject.toml`` puts ``bpcode/data/*`` into the wheel;
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

from .browser_kernel import STAMP, fresh, renew, root
from .pyodide_files import pip

logger = logging.getLogger(__name__)

# The repository files that make the bpcode wheel (paths relative to the book root).
BPCODE_SOURCES = ("pyproject.toml", "README.md", "bpcode")


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


def _build_bpcode_wheel(book: Path, dest: Path, digits: Path, licence: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "src"
        for name in BPCODE_SOURCES:
            if (book / name).is_dir():
                ignore = shutil.ignore_patterns("__pycache__", "data")
                shutil.copytree(book / name, src / name, ignore=ignore)
            else:
                src.mkdir(exist_ok=True)
                shutil.copy2(book / name, src / name)
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
    pinned = root(app) / "pypi" / "pinned"
    sources = requirements.read_text(encoding="utf8")
    if not fresh(pinned, sources):
        renew(pinned)
        try:
            pip("download", "--no-deps", "--only-binary=:all:", "--require-hashes",
                "-r", str(requirements), "-d", str(pinned))
        except subprocess.CalledProcessError as error:
            logger.warning("[bpbook.package_index] pip download -r %s failed:\n%s",
                           requirements, error.stderr[-2000:])
            return
        (pinned / STAMP).write_text(sources, encoding="utf8")

    local = root(app) / "pypi" / "local"
    try:
        digits, licence = sklearn_digits()
    except FileNotFoundError as error:
        logger.warning("[bpbook.package_index] no digits for the browser's bpcode: %s", error)
        return
    sources = _digest([book / name for name in BPCODE_SOURCES] + [digits])
    if not fresh(local, sources):
        renew(local)
        try:
            _build_bpcode_wheel(book, local, digits, licence)
        except subprocess.CalledProcessError as error:
            logger.warning("[bpbook.package_index] pip wheel of bpcode failed:\n%s",
                           error.stderr[-2000:])
            return
        (local / STAMP).write_text(sources, encoding="utf8")
        logger.info("[bpbook.package_index] bpcode wheel for the browser built in %s", local)

    index = write_index(root(app) / "pypi")
    names = {req: _canonical(Requirement(req).name) for req in config.browser_kernel_install}
    missing = [req for req, name in names.items() if name not in index]
    if missing:
        logger.warning("[bpbook.package_index] browser_kernel_install: %s not in %s",
                       ", ".join(missing), root(app) / "pypi")
