"""The in-browser kernel's files: verified, within budget, and not loaded with the pages.

First the functions of book/_ext/bpbook/pyodide_files.py and package_index.py
on small made-up inputs (no network): the package closure of a lock file, the
archive route (a local ``.tar.bz2`` standing in for Pyodide's release archive)
taking only files whose sha256 is the lock file's, and the piplite index. Then
the session's build (marker ``book``): every Pyodide file it serves matches the
official lock file, the added assets stay within 40 MB, the package index and
config.json point at files that exist, the browser's bpcode wheel carries
scikit-learn's digits, and no page refers to any of it before Live Code.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import json
import logging
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[1]
LITE = ROOT / "_build" / "html" / "_static" / "lite"
BUDGET = 40 * 2**20  # bytes: the budget for everything the in-browser kernel adds

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from bpbook import package_index, pyodide_files  # noqa: E402


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _package(name: str, data: bytes, depends=()) -> dict:
    return {"name": name, "file_name": f"{name}-1.0-py3-none-any.whl", "sha256": _sha(data),
            "depends": list(depends)}


# ------------------------------------------------------------------ functions


def test_wanted_files_follow_the_dependencies():
    lock = {"packages": {
        "matplotlib": _package("matplotlib", b"m", ["numpy", "Pillow"]),
        "numpy": _package("numpy", b"n"),
        "pillow": _package("Pillow", b"p"),
        "scipy": _package("scipy", b"s", ["numpy"]),
    }}
    wanted = pyodide_files.wanted_files(lock, ["matplotlib"])
    assert sorted(wanted) == sorted(
        f"{n}-1.0-py3-none-any.whl" for n in ("matplotlib", "numpy", "Pillow"))
    assert wanted["numpy-1.0-py3-none-any.whl"] == _sha(b"n")
    with pytest.raises(KeyError, match="not a package"):
        pyodide_files.wanted_files(lock, ["scikit-learn"])


@pytest.fixture
def release_archive(tmp_path):
    """A stand-in for Pyodide's release archive: files under pyodide/, one tampered."""
    good, tampered = b"the official bytes", b"other bytes"
    path = tmp_path / "pyodide-0.0.0.tar.bz2"
    with tarfile.open(path, "w:bz2") as tar:
        for name, data in (("good.whl", good), ("tampered.whl", tampered)):
            info = tarfile.TarInfo(f"pyodide/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    lock_hashes = {"good.whl": _sha(good), "tampered.whl": _sha(b"what the lock says"),
                   "missing.whl": _sha(b"x")}
    return path, lock_hashes, good


def test_archive_files_are_taken_only_with_the_lock_files_hash(release_archive, tmp_path, caplog):
    path, lock_hashes, good = release_archive
    dest = tmp_path / "out"
    dest.mkdir()
    source = {"archive": path.as_uri(), "sha256": _sha(path.read_bytes()), "folder": "pyodide"}
    with caplog.at_level(logging.WARNING):
        pyodide_files.fetch_packages(source, lock_hashes, dest)
    assert sorted(p.name for p in dest.iterdir()) == ["good.whl"]
    assert (dest / "good.whl").read_bytes() == good
    assert "tampered.whl" in caplog.text and "does not match" in caplog.text


def test_an_archive_with_another_hash_is_not_opened(release_archive, tmp_path, caplog):
    path, lock_hashes, _ = release_archive
    dest = tmp_path / "out"
    dest.mkdir()
    source = {"archive": path.as_uri(), "sha256": "0" * 64, "folder": "pyodide"}
    with caplog.at_level(logging.WARNING):
        pyodide_files.fetch_packages(source, lock_hashes, dest)
    assert list(dest.iterdir()) == []
    assert "pinned" in caplog.text


def test_package_index_lists_every_wheel(tmp_path):
    (tmp_path / "pinned").mkdir()
    wheel = tmp_path / "pinned" / "jupyterlab_widgets-3.0.17-py3-none-any.whl"
    wheel.write_bytes(b"wheel")
    index = package_index.write_index(tmp_path)
    assert json.loads((tmp_path / "all.json").read_text()) == index
    [entry] = index["jupyterlab-widgets"]["releases"]["3.0.17"]
    assert entry["url"] == "./pinned/" + wheel.name
    assert entry["digests"]["sha256"] == _sha(b"wheel")


# ---------------------------------------------------------------- the build


def _lite_config() -> dict:
    return json.loads((LITE / "config.json").read_text(encoding="utf8"))


@pytest.mark.book
def test_pyodide_files_are_the_official_builds(built):
    folder = LITE / "pyodide"
    lock = json.loads((folder / pyodide_files.LOCK).read_text(encoding="utf8"))
    by_file = {p["file_name"]: p for p in lock["packages"].values()}
    core = {*pyodide_files.CORE, pyodide_files.LOCK, pyodide_files.STAMP, "pyodide-package.json"}
    served = {p.name for p in folder.iterdir()} - core
    for name in served:
        assert pyodide_files.sha256(folder / name) == by_file[name]["sha256"], name
    names = [by_file[name]["name"] for name in served]
    assert set(pyodide_files.wanted_files(lock, names)) == served  # with every dependency
    assert {"numpy", "matplotlib", "ipython", "micropip"} <= {n.lower() for n in names}


@pytest.mark.book
def test_in_browser_kernel_fits_the_budget(built):
    total = sum(p.stat().st_size for p in LITE.rglob("*") if p.is_file())
    print(f"\n_static/lite: {total / 2**20:.1f} MiB")
    assert total <= BUDGET


@pytest.mark.book
def test_package_index_and_config_point_at_their_files(built):
    index = json.loads((LITE / "pypi" / "all.json").read_text(encoding="utf8"))
    for name, project in index.items():
        for files in project["releases"].values():
            for entry in files:
                path = LITE / "pypi" / entry["url"]
                assert _sha(path.read_bytes()) == entry["digests"]["sha256"], name
    config = _lite_config()
    for key in ("thebeLiteUrl", "pyodideUrl", "pipliteWheelUrl"):
        assert (LITE / config[key]).is_file(), key
    for url in config["pipliteUrls"]:
        assert (LITE / url).is_file(), url
    assert {"bpcode", "ipywidgets", "comm"} <= set(index)


@pytest.mark.book
def test_browser_bpcode_wheel_has_the_package_and_the_digits(built):
    [wheel] = (LITE / "pypi" / "local").glob("bpcode-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bpcode").rglob("*.py")}
    assert modules <= names
    sklearn = Path(importlib.util.find_spec("sklearn").origin).parent
    digits = zipfile.ZipFile(wheel).read("bpcode/data/digits.csv.gz")
    assert digits == (sklearn / "datasets" / "data" / "digits.csv.gz").read_bytes()


@pytest.mark.book
def test_no_page_refers_to_the_kernel_before_live_code(built):
    """The pages' HTML names none of it; bpbook-thebe.js asks for it on the click."""
    html = ROOT / "_build" / "html"
    for page in html.rglob("*.html"):
        if page.relative_to(html).parts[0].startswith("_"):
            continue
        soup = BeautifulSoup(page.read_text(encoding="utf8"), "html.parser")
        refs = [t.get("src") or t.get("href") or "" for t in soup.find_all(["script", "link"])]
        assert [r for r in refs if "lite/" in r or "bpbook-lite" in r] == [], page
