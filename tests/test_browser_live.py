"""Live execution, end to end, in Chromium: JupyterLab and Thebe, all on 127.0.0.1.

JupyterLab (the learner's path): a JupyterLab server with a token, on
127.0.0.1, opens a copy of ``book/learning-challenges.md`` as a notebook
(jupytext, set as the default viewer with the same ``jupytext-config`` command
as ``postBuild`` on Binder); the test runs all cells from the Run menu, moves
a widget slider with the keyboard, and checks that the figure changed (new
image data and different pixels). A second test runs the derivation page's
step-through widget cell in a notebook of its own, and steps it with the
keyboard on its step slider and with its Next button.

Thebe (live code inside the book): ``python scripts/serve_live.py`` -- the
README's command -- serves the session's build with a local Jupyter server.
One test chooses the rocket button, then *Live Code*, runs the first cell of
``book/backpropagation`` (its output must match the build's), edits and runs
the second, and checks the kernel's output. Another runs all cells of
``book/learning-challenges`` through Thebe and moves a widget's slider: the
figure must change (Thebe's widget manager loads require.js, which the build
serves locally; see book/_ext/bpbook/live_code.py).

Neither path may request anything outside 127.0.0.1, and every process started
here is stopped when the test ends. Screenshots go to test-artifacts/screenshots/,
server logs to test-artifacts/logs/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time

import pytest
from browser import (
    LOGS,
    ROOT,
    PageWatch,
    free_port,
    screenshot_path,
    start_process,
    stop_process,
    wait_for_http,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

pytestmark = [pytest.mark.browser]

LIVE_PAGE = "book/learning-challenges"  # the page with the chapter's live widgets
THEBE_PAGE = "book/backpropagation"  # a page whose first cell prints a known line


# ----------------------------------------------------------------- JupyterLab


@pytest.fixture(scope="module")
def jupyterlab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 with a token, serving a copy of book/ (never the sources)."""
    home = tmp_path_factory.mktemp("jupyterlab")
    work = home / "work"
    shutil.copytree(ROOT / "book", work / "book", ignore=shutil.ignore_patterns("_extra", "_ext"))
    env = {
        **os.environ,
        # isolated Jupyter configuration, settings, workspaces and runtime files
        "JUPYTER_CONFIG_DIR": str(home / "config"),
        "JUPYTERLAB_SETTINGS_DIR": str(home / "lab-settings"),
        "JUPYTERLAB_WORKSPACES_DIR": str(home / "lab-workspaces"),
        "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
    }
    # What postBuild does on Binder: open .md files as notebooks (jupytext).
    subprocess.run(
        ["jupytext-config", "set-default-viewer", "markdown", "myst"],
        env=env,
        check=True,
        capture_output=True,
    )
    # No news and no update check (the first start would also ask in a pop-up).
    overrides = home / "config" / "labconfig" / "default_setting_overrides.json"
    settings = json.loads(overrides.read_text(encoding="utf8"))
    settings["@jupyterlab/apputils-extension:notification"] = {
        "fetchNews": "false",
        "checkForUpdates": False,
    }
    overrides.write_text(json.dumps(settings, indent=2), encoding="utf8")
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={work}",
        # no network besides 127.0.0.1: no news feed, no update check, no
        # extension catalogue
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if os.geteuid() == 0:
        cmd.append("--allow-root")
    proc = start_process(cmd, log=LOGS / "jupyterlab.log", env=env, cwd=work)
    try:
        base = f"http://127.0.0.1:{port}/"
        wait_for_http(base + "api", timeout=90, proc=proc)
        yield {"base": base, "token": token, "work": work}
    finally:
        stop_process(proc)


CELL_STATE_JS = """
(nb) => [...nb.querySelectorAll(".jp-CodeCell")].map((cell) => {
  const prompt = cell.querySelector(".jp-InputArea-prompt");
  return {
    prompt: prompt ? prompt.textContent.trim() : "",
    errors: [...cell.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"]')]
              .map((e) => e.textContent.slice(0, 400)),
  };
})
"""


def test_jupyterlab_runs_the_page_and_a_widget_redraws_the_figure(jupyterlab, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = PageWatch((jupyterlab["base"],)).attach(page)
    try:
        # a workspace of its own, reset: JupyterLab would otherwise reopen what an
        # earlier test left open, and Run All Cells could run that notebook instead
        url = (f"{jupyterlab['base']}lab/workspaces/page/tree/{LIVE_PAGE}.md"
               f"?reset&token={jupyterlab['token']}")
        page.goto(url, wait_until="load")
        # opened as a notebook (jupytext), with its kernel idle
        notebook = page.locator(".jp-NotebookPanel .jp-Notebook").first
        notebook.wait_for(state="visible", timeout=90_000)
        page.locator(".jp-NotebookPanel .jp-Notebook .jp-CodeCell").first.wait_for(timeout=30_000)
        # the status bar reads "Python 3 (ipykernel) | Idle" once the kernel is connected
        page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\|\s*Idle")).first.wait_for(
            timeout=90_000
        )

        # Run > Run All Cells, as a learner would
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-item", has=page.get_by_text("Run All Cells", exact=True)).click()
        n_cells = notebook.locator(".jp-CodeCell").count()
        assert n_cells > 0
        page.wait_for_function(
            """(nb) => {
                 const prompts = [...nb.querySelectorAll(".jp-CodeCell .jp-InputArea-prompt")];
                 return prompts.length > 0
                   && prompts.every((p) => /^\\[\\d+\\]:$/.test(p.textContent.trim()));
               }""",
            arg=notebook.element_handle(),
            timeout=40_000,
        )
        cells = notebook.evaluate(CELL_STATE_JS)
        assert [c["errors"] for c in cells if c["errors"]] == []
        page.screenshot(path=screenshot_path("jupyterlab-ran-all"), full_page=False)

        # The first cell whose widget view has a slider and whose output shows a figure.
        widget_cells = notebook.locator(
            ".jp-CodeCell:has(.jupyter-widgets .widget-slider):has(.jp-OutputArea img)"
        )
        widget_cell = widget_cells.first
        try:
            widget_cell.wait_for(timeout=60_000)  # widget views render after the run
        except PlaywrightTimeoutError:
            pytest.fail(f"no widget with a slider and a figure in {LIVE_PAGE}")
        widget_cell.scroll_into_view_if_needed()
        figure = widget_cell.locator(".jp-OutputArea img").last
        before_src = figure.get_attribute("src")
        before_png = figure.screenshot(path=screenshot_path("jupyterlab-widget-before"))

        handle = widget_cell.locator(".widget-slider .noUi-handle").first
        handle.focus()
        page.keyboard.press("End")  # the slider's last value, as with the keyboard
        page.wait_for_function(
            "([cell, src]) => { const imgs = cell.querySelectorAll('.jp-OutputArea img');"
            "  return imgs.length > 0 && imgs[imgs.length - 1].getAttribute('src') !== src; }",
            arg=[widget_cell.element_handle(), before_src],
            timeout=60_000,
        )
        figure = widget_cell.locator(".jp-OutputArea img").last
        page.wait_for_timeout(300)  # let the new image finish decoding
        after_png = figure.screenshot(path=screenshot_path("jupyterlab-widget-after"))
        assert after_png != before_png, "the figure's pixels did not change"
        page.screenshot(path=screenshot_path("jupyterlab-after-slider"), full_page=False)
    except Exception:
        page.screenshot(path=screenshot_path("jupyterlab-failure"), full_page=False)
        raise
    finally:
        context.close()
    assert watch.problems() == {}


# The derivation page's live step-through cell, alone in a notebook: the page's
# other cells (exercises left unfinished on purpose) are not what this checks.
STEP_CELL = "from bpcode import viz\n\nviz.stepthrough_widget()"

STEP_HTML_JS = """
(cell) => {
  const html = cell.querySelector(".jp-OutputArea .widget-html-content");
  return html && html.querySelector("svg") ? html.innerHTML : null;
}
"""


def _step_title(html: str) -> str:
    found = re.search(r'<p class="bp-step-title">(Step \d+ of \d+)', html)
    return found.group(1) if found else ""


def test_jupyterlab_stepthrough_widget_steps(jupyterlab, browser):
    """The live step-through in JupyterLab: the step slider, moved with the
    keyboard, and the Next button each show the next frame."""
    notebook_json = {
        "cells": [{"cell_type": "code", "execution_count": None, "id": "stepthrough",
                   "metadata": {}, "outputs": [], "source": STEP_CELL}],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                    "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (jupyterlab["work"] / "stepthrough.ipynb").write_text(json.dumps(notebook_json),
                                                          encoding="utf8")
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    watch = PageWatch((jupyterlab["base"],)).attach(page)
    try:
        page.goto(f"{jupyterlab['base']}lab/workspaces/stepthrough/tree/stepthrough.ipynb"
                  f"?reset&token={jupyterlab['token']}",
                  wait_until="load")
        notebook = page.locator(".jp-NotebookPanel .jp-Notebook").first
        notebook.wait_for(state="visible", timeout=90_000)
        page.locator(".jp-StatusBar-TextItem", has_text=re.compile(r"\|\s*Idle")).first.wait_for(
            timeout=90_000
        )
        page.locator(".lm-MenuBar-item", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-item", has=page.get_by_text("Run All Cells", exact=True)).click()
        cell = notebook.locator(".jp-CodeCell").first
        page.wait_for_function(STEP_HTML_JS, arg=cell.element_handle(), timeout=90_000)
        first = cell.evaluate(STEP_HTML_JS)
        assert _step_title(first) == "Step 1 of 27"

        step = cell.locator(".widget-slider", has=page.get_by_text("step", exact=True))
        step.locator(".noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"(c) => {{ const h = ({STEP_HTML_JS})(c); "
                               "return h && h.includes('Step 2 of 27'); }",
                               arg=cell.element_handle(), timeout=60_000)
        second = cell.evaluate(STEP_HTML_JS)
        assert second != first and "z₁⁽²⁾" in second

        cell.get_by_role("button", name="Next").click()
        page.wait_for_function(f"(c) => {{ const h = ({STEP_HTML_JS})(c); "
                               "return h && h.includes('Step 3 of 27'); }",
                               arg=cell.element_handle(), timeout=60_000)
        cell.screenshot(path=screenshot_path("jupyterlab-stepthrough"))
    except Exception:
        page.screenshot(path=screenshot_path("jupyterlab-stepthrough-failure"), full_page=False)
        raise
    finally:
        context.close()
    assert watch.problems() == {}


# ------------------------------------------------------------------------ Thebe


@pytest.fixture(scope="module")
def live_book(built, tmp_path_factory):
    """The README's live server (scripts/serve_live.py) on the session's build."""
    log = LOGS / "serve_live.log"
    cmd = [
        sys.executable,
        str(ROOT / "scripts" / "serve_live.py"),
        "--no-build",
        "--port=0",
        "--jupyter-port=0",
    ]
    proc = start_process(cmd, log=log, cwd=ROOT)
    try:
        deadline = time.monotonic() + 90
        url = None
        while time.monotonic() < deadline and url is None:
            if proc.poll() is not None:
                pytest.fail(f"serve_live.py exited:\n{log.read_text()[-3000:]}")
            found = re.search(r"Book with live code: (http://127\.0\.0\.1:\d+/)", log.read_text())
            url = found.group(1) if found else None
            time.sleep(0.25)
        assert url, f"serve_live.py did not start:\n{log.read_text()[-3000:]}"
        wait_for_http(url, timeout=30, proc=proc)
        jupyter = re.search(r"Jupyter server: (http://127\.0\.0\.1:\d+/)", log.read_text())
        yield {"book": url, "jupyter": jupyter.group(1)}
    finally:
        stop_process(proc)


def _expected_first_output() -> str:
    nb = json.loads((ROOT / "_build" / "jupyter_execute" / f"{THEBE_PAGE}.ipynb").read_text())
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    return "".join(
        "".join(o.get("text", "")) for o in first["outputs"] if o["output_type"] == "stream"
    ).strip()


def test_thebe_live_code_runs_cells_on_the_local_server(live_book, browser):
    expected = _expected_first_output()
    assert expected, "the first cell of the Thebe page prints nothing to compare"
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch((live_book["book"], live_book["jupyter"])).attach(page)
    try:
        page.goto(f"{live_book['book']}{THEBE_PAGE}.html", wait_until="load")
        page.wait_for_load_state("networkidle")
        # the rocket button, then "Live Code"
        page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
        page.locator("button.btn-launch-thebe").click()
        page.locator(".thebe-launch-button.thebe-status-ready").wait_for(timeout=90_000)
        assert page.evaluate("() => typeof window.thebe.session") == "object"

        cells = page.locator("div.cell:has(.thebe-cell)")
        first, second = cells.nth(0), cells.nth(1)
        # Run the page's first cell as it is, then edit the second one and run it:
        # its output can only come from the kernel, which answers in order, so
        # the first cell has run there by then.
        first.locator(".thebe-run-button").click()
        second.locator(".CodeMirror").click()
        page.keyboard.press("Control+A")
        page.keyboard.type("import os; print('live', 6 * 7, os.getcwd())")
        second.locator(".thebe-run-button").click()
        page.wait_for_function(
            "(cell) => /live \\d+ /.test(cell.querySelector('.thebe-output')?.innerText || '')",
            arg=second.element_handle(),
            timeout=90_000,
        )
        live = second.locator(".thebe-output").inner_text().strip()
        assert live == f"live 42 {ROOT / 'book'}"  # the kernel runs in book/, as in the build
        assert first.locator(".thebe-output").inner_text().strip() == expected
        assert "Error" not in first.locator(".thebe-output").inner_text()
        second.scroll_into_view_if_needed()
        page.screenshot(path=screenshot_path("thebe-live-cell"))
    finally:
        context.close()
    assert watch.problems() == {}


def test_thebe_live_widget_redraws_the_figure(live_book, browser):
    """The chapter's live widgets also work through Thebe, with require.js served locally."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch((live_book["book"], live_book["jupyter"])).attach(page)
    try:
        page.goto(f"{live_book['book']}{LIVE_PAGE}.html", wait_until="load")
        page.locator(".dropdown-launch-buttons button.dropdown-toggle").click()
        page.locator("button.btn-launch-thebe").click()
        page.locator(".thebe-launch-button.thebe-status-ready").wait_for(timeout=90_000)
        page.locator("div.cell:has(.thebe-cell)").first.locator(".thebe-runall-button").click()

        widget_cell = page.locator(
            "div.cell:has(.thebe-output .jupyter-widgets .widget-slider):has(.thebe-output img)"
        ).first
        try:
            widget_cell.wait_for(timeout=180_000)
        except PlaywrightTimeoutError:
            pytest.fail(f"no live widget with a slider and a figure on {LIVE_PAGE}")
        widget_cell.scroll_into_view_if_needed()
        figure = widget_cell.locator(".thebe-output img").last
        figure.wait_for()
        before_src = figure.get_attribute("src")
        before_png = figure.screenshot(path=screenshot_path("thebe-widget-before"))

        widget_cell.locator(".widget-slider .noUi-handle").first.focus()
        page.keyboard.press("End")
        page.wait_for_function(
            "([cell, src]) => { const imgs = cell.querySelectorAll('.thebe-output img');"
            "  return imgs.length > 0 && imgs[imgs.length - 1].getAttribute('src') !== src; }",
            arg=[widget_cell.element_handle(), before_src],
            timeout=120_000,
        )
        page.wait_for_timeout(300)  # let the new image finish decoding
        after_png = widget_cell.locator(".thebe-output img").last.screenshot(
            path=screenshot_path("thebe-widget-after")
        )
        assert after_png != before_png, "the figure's pixels did not change"
    except Exception:
        page.screenshot(path=screenshot_path("thebe-widget-failure"))
        raise
    finally:
        context.close()
    assert watch.problems() == {}
