"""Shared pytest configuration.

Markers are registered here rather than in pyproject.toml (owned elsewhere):
  book       builds the Jupyter Book once per session and checks the HTML
             (select with ``python -m pytest -m book``)
  notebooks  runs each book page as a plain notebook (jupytext + nbclient)
  browser    drives Chromium (Playwright) against the built book, JupyterLab
             and the live Thebe server (tests/test_browser*.py)

The book is built once per session, by the ``build`` fixture below, and every
test that needs it (tests/test_book.py, tests/test_browser*.py) shares it; the
browser tests share one Chromium (``browser``), one server of the built site
(``site``) and one load of each page at each screen width (``visits``).
"""

import functools
import gc
import shutil
import subprocess
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = ROOT / "_build"
# Keep in sync with .ci/run, .github/workflows/book.yml and the README.
BUILD_CMD = ["jupyter-book", "build", ".", "-W", "--keep-going"]


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "book: builds the Jupyter Book (slow, shared build); select with -m book"
    )
    config.addinivalue_line(
        "markers", "notebooks: executes each book page as a standalone notebook"
    )
    config.addinivalue_line(
        "markers", "browser: drives Chromium against the built book, JupyterLab and Thebe"
    )


# ------------------------------------------------------------------ the one build


@dataclass
class Build:
    returncode: int
    log: str
    seconds: float


@pytest.fixture(scope="session")
def build() -> Build:
    """Build the book from a clean _build, once per test session."""
    exe = shutil.which(BUILD_CMD[0])
    assert exe, f"{BUILD_CMD[0]} not found; run pip install -r requirements.txt"
    shutil.rmtree(BUILD_DIR, ignore_errors=True)
    start = time.perf_counter()
    proc = subprocess.run(
        [exe, *BUILD_CMD[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    seconds = time.perf_counter() - start
    print(f"\nbook build: {seconds:.1f} s, exit code {proc.returncode}")
    return Build(proc.returncode, proc.stdout + proc.stderr, seconds)


@pytest.fixture(scope="session")
def built(build: Build) -> Build:
    """The build, required to have succeeded (other tests then check details)."""
    if build.returncode != 0:
        tail = "\n".join(build.log.splitlines()[-25:])
        pytest.fail(
            f"book build failed (exit {build.returncode}); full log in "
            f"test_build_exits_zero_without_warnings. Last lines:\n{tail}",
            pytrace=False,
        )
    return build


# --------------------------------------------------------------------------- bpcode


@pytest.fixture(scope="session")
def browser():
    """One Debian Chromium, driven by Playwright, for every browser test."""
    from browser import launch_chromium
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def html_dir(request) -> Path:
    """The built site: the session's one build, or BPBOOK_PREBUILT_HTML (a site
    already built, to work on the browser tests without rebuilding)."""
    from browser.pages import PREBUILT

    if PREBUILT:
        return Path(PREBUILT).resolve()
    request.getfixturevalue("built")  # the session's one build, done once
    return BUILD_DIR / "html"


@pytest.fixture(scope="session")
def site(html_dir: Path):
    """The built site, served on 127.0.0.1; its base URL."""
    from browser import static_server

    with static_server(html_dir) as url:
        yield url


@pytest.fixture(scope="session")
def visits(site, browser):
    """``visits(page, width=1280)``: the page loaded at that width, once per session
    (on first use), and what was seen (a ``browser.pages.Visit``)."""
    from browser.pages import WIDE, visit

    cache = {}

    def seen(page_path: str, width: int = WIDE):
        if (page_path, width) not in cache:
            cache[page_path, width] = visit(browser, site, page_path, width)
        return cache[page_path, width]

    return seen


@pytest.fixture(params=["fast", "textbook"])
def sgd_path(request, monkeypatch):
    """Run the test module's ``sgd`` with each of bpcode's training steps
    (``bpcode.sgd(..., step=...)``, see ``bpcode.STEPS``)."""
    import bpcode

    monkeypatch.setattr(request.module, "sgd", functools.partial(bpcode.sgd, step=request.param))
    return request.param


@pytest.fixture
def no_warnings():
    """Fail the test if any warning escapes it, a ResourceWarning included."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
        gc.collect()  # an unclosed file warns when it is collected
    assert [f"{w.category.__name__}: {w.message}" for w in caught] == []
