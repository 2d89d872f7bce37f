"""Live Code with no server: the pages' cells run in the browser (Pyodide), in Chromium.

The session's one build is served on 127.0.0.1 as a static site (no Jupyter
server anywhere), and Chromium presses *Live Code*, which starts Python in the
page (thebe-lite, Pyodide, bpcode and ipywidgets, all served by the build;
book/_ext/bpbook/browser_kernel.py). Each page is opened once and its kernel
started once; the tests then share it, in file order:

* on the derivation page (``book/backpropagation``), nothing of Live Code is
  requested before the click, the status line names the kernel, and the cells
  from the first to the gradient check (and to the first figure) run one by one
  from their *run* buttons: the gradient check prints the build's layers with
  errors below its own threshold, and a matplotlib figure appears;
* every page with code runs all its cells (*run all*) without an error;
* on the learning-challenges page a widget's slider moves, both ways, and its
  figure changes each time;
* opened as ``file://``, the page says why Live Code cannot start and how to
  serve the book.

No request may leave 127.0.0.1, from the page or from the kernel's web worker.
About 2 to 3 minutes on 2 cores: a cold start of the kernel is 10 to 25 s.
Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import toc
from browser import HTML_DIR, ROOT, PageWatch, origin, screenshot_path, static_server
from bs4 import BeautifulSoup

pytestmark = [pytest.mark.book, pytest.mark.browser]

THEBE_PAGE = "book/backpropagation"  # the derivation: gradient checks and figures
LIVE_PAGE = "book/learning-challenges"  # the page with the live widgets
EXECUTED = ROOT / "_build" / "jupyter_execute"
START_TIMEOUT = 180_000  # ms; a cold start is 10 to 25 s on 2 idle cores
RUN_TIMEOUT = 300_000


def _pages_with_code() -> list[str]:
    return [p for p in toc.docnames()
            if "```{code-cell}" in (ROOT / f"{p}.md").read_text(encoding="utf8")]


PAGES_WITH_CODE = _pages_with_code()

# The cells as Thebe holds them, in page order: their id, source and state.
CELLS_JS = """() => window.thebe.notebook.cells.map((c) => ({
  id: c.id, source: c.source, busy: c.isBusy, count: c.executionCount }))"""
DONE_JS = """([ids, before]) => {
  const cells = window.thebe.notebook.cells.filter((c) => ids.includes(c.id));
  return cells.every((c) => !c.isBusy && c.executionCount != null
                            && c.executionCount !== before[c.id]);
}"""
# What a reader would see as a failure: a traceback, or the page's note on a failed cell.
FAILURES_JS = """() => [...document.querySelectorAll("div.cell")].flatMap((cell) => {
  const tracebacks = [...cell.querySelectorAll(".thebe-output .jp-OutputArea-output")]
    .map((o) => o.textContent).filter((t) => /Traceback|Error:/.test(t));
  const notes = cell.querySelectorAll(".bpbook-browser-note").length;
  return tracebacks.length || notes
    ? [`${cell.textContent.trim().slice(0, 80)}: ${tracebacks.join(" ").slice(0, 800)}`] : [];
})"""


@dataclass
class LivePage:
    """A page whose Live Code has started the in-browser kernel."""

    page: object
    watch: PageWatch
    foreign: list[str]  # requests from the page or its workers outside 127.0.0.1
    before_click: list[str]  # every request made while loading the page
    start_seconds: float
    ran_all: bool = False
    screenshots: list[Path] = field(default_factory=list)

    def cells(self) -> list[dict]:
        return self.page.evaluate(CELLS_JS)

    def run(self, ids: list[str], click) -> None:
        """Click (``click()``) and wait until every cell in ``ids`` has run again."""
        before = {c["id"]: c["count"] for c in self.cells()}
        click()
        self.page.wait_for_function(DONE_JS, arg=[ids, before], timeout=RUN_TIMEOUT, polling=250)

    def run_cell(self, cell_id: str) -> None:
        button = self.page.locator(f'[data-thebe-id="{cell_id}"] .thebe-run-button')
        # A cell folded away (a hidden input, a solution not opened) keeps its button,
        # hidden: the same click, without unfolding it.
        click = button.click if button.is_visible() else lambda: button.dispatch_event("click")
        self.run([cell_id], click)

    def run_all(self) -> None:
        button = self.page.locator(".thebe-runall-button").first
        self.run([c["id"] for c in self.cells()], button.click)
        self.ran_all = True

    def failures(self) -> list[str]:
        return self.page.evaluate(FAILURES_JS)

    def problems(self) -> dict[str, list[str]]:
        found = self.watch.problems()
        if self.foreign:
            found["requests outside 127.0.0.1 (page or workers)"] = self.foreign
        return found


def press_live_code(page) -> None:
    page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
    page.locator("button.btn-launch-thebe").click()


@pytest.fixture(scope="module")
def site(built):
    with static_server(HTML_DIR) as url:
        yield url


@pytest.fixture(scope="module")
def live(site, browser):
    """``live(docname)``: that page with its in-browser kernel started (once)."""
    started: dict[str, LivePage] = {}
    contexts = []

    def start(docname: str) -> LivePage:
        if docname in started:
            return started[docname]
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        requests: list[str] = []
        foreign: list[str] = []
        # The context sees the kernel's web worker too, not only the page.
        context.on("request", lambda r: requests.append(r.url))
        context.on(
            "request",
            lambda r: foreign.append(r.url)
            if not r.url.startswith((site, "data:", "blob:"))
            else None,
        )
        page = context.new_page()
        watch = PageWatch((origin(site),)).attach(page)
        page.goto(f"{site}{docname}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        before_click = list(requests)
        t0 = time.monotonic()
        press_live_code(page)
        try:
            page.locator(".thebe-launch-button.thebe-status-ready").wait_for(
                timeout=START_TIMEOUT
            )
        except Exception:
            page.screenshot(path=screenshot_path(f"pyodide-start-failed-{docname}"))
            status = page.locator(".bpbook-live-status").text_content()
            pytest.fail(f"the in-browser kernel did not start on {docname}: {status}")
        started[docname] = LivePage(
            page, watch, foreign, before_click, time.monotonic() - t0
        )
        print(f"\n{docname}: in-browser kernel ready in {started[docname].start_seconds:.1f} s")
        return started[docname]

    yield start
    for context in contexts:
        context.close()


def _build_cells(docname: str) -> list[dict]:
    """The code cells of the build's executed notebook of ``docname``."""
    nb = json.loads((EXECUTED / f"{docname}.ipynb").read_text(encoding="utf8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _built_output(docname: str, source: str) -> str:
    """The output the built page shows under the cell whose code is ``source``.

    (Not the executed notebook's: when ipykernel sends a print in pieces, as on a
    loaded machine, myst-nb merges them for the page but can leave the notebook in
    _build/jupyter_execute with the pieces repeated.)
    """
    page = BeautifulSoup((HTML_DIR / f"{docname}.html").read_text(encoding="utf8"), "html.parser")
    for cell in page.select("div.cell"):
        code = cell.select_one("div.cell_input")
        if code is not None and code.get_text().strip() == source.strip():
            return cell.select_one("div.cell_output").get_text()
    raise LookupError(f"no cell with this code on {docname}: {source[:80]!r}")


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _index(cells: list[dict], source: str) -> int:
    """The page's cell (as Thebe holds it) with the same source as a build cell."""
    wanted = source.strip()
    return next(i for i, c in enumerate(cells) if c["source"].strip() == wanted)


# ---------------------------------------------------------------------- the tests


def test_gradient_check_and_figure_run_in_the_browser(live):
    lp = live(THEBE_PAGE)
    # Page weight as before: nothing of Live Code until the click.
    live_code = ("/_static/lite/", "/_static/thebe/", "/_static/bpbook-lite.js")
    early = [u for u in lp.before_click if any(part in u for part in live_code)]
    assert early == []
    status = lp.page.locator(".bpbook-live-status")
    assert status.get_attribute("role") == "status"
    assert "Pyodide" in status.text_content() and "numpy" in status.text_content()

    built = _build_cells(THEBE_PAGE)
    check = next(c for c in built if "check_gradients(" in "".join(c["source"]))
    figure = next(
        c for c in built if any("image/png" in o.get("data", {}) for o in c["outputs"])
    )
    cells = lp.cells()
    last = max(_index(cells, "".join(check["source"])), _index(cells, "".join(figure["source"])))
    for cell in cells[: last + 1]:  # in order, from each cell's own run button
        lp.run_cell(cell["id"])
    assert lp.failures() == []

    check_id = cells[_index(cells, "".join(check["source"]))]["id"]
    shown = lp.page.locator("div.cell").filter(
        has=lp.page.locator(f'[data-thebe-id="{check_id}"]')
    )
    printed = _lines(shown.locator(".thebe-output").inner_text())
    expected = _lines(_built_output(THEBE_PAGE, "".join(check["source"])))
    # The kernel's numpy is not the build's: the digits of the errors may differ, the
    # lines around them and the verdict (the cell asserts its own bound) must not.
    error = re.compile(r"\d\.\de[-+]\d+")
    assert [error.sub("E", p) for p in printed] == [error.sub("E", e) for e in expected]
    assert all(float(x) < 1e-6 for p in printed for x in error.findall(p)), printed

    images = lp.page.locator(".thebe-output img[src^='data:image/png']")
    assert images.count() >= 1, "no matplotlib figure was drawn"
    images.first.scroll_into_view_if_needed()
    lp.page.screenshot(path=screenshot_path("pyodide-derivation-figure"))
    assert lp.problems() == {}


@pytest.mark.parametrize("docname", PAGES_WITH_CODE)
def test_every_cell_runs_in_the_browser(live, docname):
    lp = live(docname)
    lp.run_all()
    lp.page.screenshot(path=screenshot_path(f"pyodide-ran-all-{docname}"), full_page=True)
    assert lp.failures() == []
    assert lp.problems() == {}


def test_widget_slider_redraws_the_figure_in_the_browser(live):
    lp = live(LIVE_PAGE)
    if not lp.ran_all:
        lp.run_all()
    page = lp.page
    cell = page.locator(
        "div.cell:has(.thebe-output .jupyter-widgets .widget-slider):has(.thebe-output img)"
    ).first
    cell.wait_for(timeout=60_000)
    cell.scroll_into_view_if_needed()
    images = cell.locator(".thebe-output img")
    shots = [images.last.screenshot(path=screenshot_path("pyodide-widget-0"))]
    for i, key in enumerate(("End", "Home"), start=1):  # the slider both ways
        src = images.last.get_attribute("src")
        cell.locator(".widget-slider .noUi-handle").first.focus()
        page.keyboard.press(key)
        page.wait_for_function(
            "([cell, src]) => { const imgs = cell.querySelectorAll('.thebe-output img');"
            "  return imgs.length > 0 && imgs[imgs.length - 1].getAttribute('src') !== src; }",
            arg=[cell.element_handle(), src],
            timeout=60_000,
        )
        page.wait_for_timeout(300)  # let the new image decode
        shots.append(images.last.screenshot(path=screenshot_path(f"pyodide-widget-{i}")))
        assert shots[-1] != shots[-2], f"the figure's pixels did not change ({key})"
    assert lp.problems() == {}


def test_file_url_says_how_to_serve_the_book(browser, built):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto((HTML_DIR / f"{THEBE_PAGE}.html").as_uri(), wait_until="load")
        press_live_code(page)
        page.locator(".thebe-launch-button.thebe-status-failed").wait_for(timeout=60_000)
        status = page.locator(".bpbook-live-status").text_content()
        assert "file://" in status and "http.server" in status
    finally:
        context.close()
