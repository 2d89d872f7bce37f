"""The step-through on the built derivation page, in Chromium, with the keyboard.

The session's one build (the ``built`` fixture) is served on 127.0.0.1 and
book/backpropagation.html opened at 1280 and at 390 CSS px. The player must
play by itself (Play, then Pause), its controls must be reached with Tab in
order and work with Enter, Space and the slider's arrow keys, and after every
move the shown equation, the slider's aria-valuetext and the diagram must be
those of the frame data embedded in the page. At 390 px the diagram keeps its
text size and scrolls sideways inside its box. No console error, no failed or
foreign request. Screenshots go to test-artifacts/screenshots/.

Set BPBOOK_PREBUILT_HTML to a built ``_build/html`` to skip the build.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import HTML_DIR, PageWatch, origin, screenshot_path, static_server

pytestmark = [pytest.mark.book, pytest.mark.browser]

PAGE = "book/backpropagation.html"
PREBUILT = os.environ.get("BPBOOK_PREBUILT_HTML")

STATE_JS = """
(root) => {
  const eq = root.querySelector(".bp-step-eq");
  const slider = root.querySelector("input[type=range]");
  return {
    frame: Number(root.getAttribute("data-frame")),
    slider: Number(slider.value),
    valuetext: slider.getAttribute("aria-valuetext"),
    title: eq.querySelector(".bp-step-title").textContent,
    eq: eq.innerHTML,
    svg: root.querySelector(".bp-step-figure").innerHTML,
    focused: document.activeElement === slider ? "slider"
             : document.activeElement.getAttribute("data-step")
               || document.activeElement.className,
  };
}
"""

# The frames embedded in the page, with their HTML as the browser serialises it
# (as innerHTML gives it back: "<rect/>" becomes "<rect></rect>").
FRAMES_JS = """
(root) => JSON.parse(document.getElementById(root.id + "-frames").textContent).map((f) => {
  const parsed = (html) => { const d = document.createElement("div"); d.innerHTML = html;
                             return d.innerHTML; };
  return {...f, svg: parsed(f.svg), eq: parsed(f.eq)};
})
"""


@pytest.fixture(scope="module")
def site(request):
    if PREBUILT:
        html_dir = Path(PREBUILT).resolve()
    else:
        request.getfixturevalue("built")  # the session's one build
        html_dir = HTML_DIR
    with static_server(html_dir) as url:
        yield url


def open_page(browser, site, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    watch = PageWatch((origin(site),)).attach(page)
    page.goto(site + PAGE, wait_until="load")
    page.wait_for_load_state("networkidle")
    players = page.locator(".bp-step")
    assert players.count() == 1, "the derivation page should hold one step-through player"
    root = players.first
    root.scroll_into_view_if_needed()
    return context, page, watch, root


def assert_shows(root, frames, k):
    state = root.evaluate(STATE_JS)
    frame = frames[k]
    assert (state["frame"], state["slider"]) == (k, k)
    assert state["valuetext"] == state["title"] == frame["title"]
    assert state["eq"] == frame["eq"] and state["svg"] == frame["svg"]
    return state


def test_player_plays_and_steps_with_the_keyboard(browser, site):
    context, page, watch, root = open_page(browser, site, 1280)
    try:
        frames = root.evaluate(FRAMES_JS)
        last = len(frames) - 1
        assert last >= 20
        assert_shows(root, frames, 0)

        # Play advances by itself; Pause stops it.
        root.get_by_role("button", name="Play", exact=True).click()
        page.wait_for_function("(r) => Number(r.getAttribute('data-frame')) >= 2",
                               arg=root.element_handle(), timeout=10_000)
        root.get_by_role("button", name="Pause", exact=True).click()
        k = root.evaluate(STATE_JS)["frame"]
        assert_shows(root, frames, k)
        page.wait_for_timeout(1600)  # longer than a frame: paused means paused
        assert root.evaluate(STATE_JS)["frame"] == k
        root.get_by_role("button", name="First", exact=True).click()
        assert_shows(root, frames, 0)

        # Tab goes from the diagram's scroll box through every control, in order.
        root.locator(".bp-step-scroll").focus()
        order = []
        for _ in range(6):
            page.keyboard.press("Tab")
            order.append(root.evaluate(STATE_JS)["focused"])
        assert order == ["first", "previous", "play", "next", "last", "slider"]

        # Enter and Space on the buttons.
        root.get_by_role("button", name="Next", exact=True).focus()
        page.keyboard.press("Enter")
        assert_shows(root, frames, 1)
        page.keyboard.press("Space")
        assert_shows(root, frames, 2)
        root.get_by_role("button", name="Previous", exact=True).focus()
        page.keyboard.press("Enter")
        assert_shows(root, frames, 1)
        root.get_by_role("button", name="Last", exact=True).focus()
        page.keyboard.press("Space")
        assert_shows(root, frames, last)

        # The arrow keys, Home and End on the slider.
        root.get_by_role("slider", name="Step").focus()
        page.keyboard.press("Home")
        assert_shows(root, frames, 0)
        for k in (1, 2, 3):
            page.keyboard.press("ArrowRight")
            assert_shows(root, frames, k)
        page.keyboard.press("ArrowLeft")
        assert_shows(root, frames, 2)
        page.keyboard.press("End")
        state = assert_shows(root, frames, last)
        assert "Update" in state["title"]
        bp2 = next(k for k, f in enumerate(frames) if "BP2" in f["title"])
        for _ in range(last - bp2):
            page.keyboard.press("ArrowLeft")
        assert_shows(root, frames, bp2)
        assert root.locator(".bp-step-eq").get_attribute("aria-live") == "polite"
        root.screenshot(path=screenshot_path("stepthrough-1280"))
    finally:
        context.close()
    assert watch.problems() == {}


TEXT_JS = """
(root) => {
  const svg = root.querySelector("svg.bps");
  const sizes = [...svg.querySelectorAll("text")]
    .map((t) => parseFloat(getComputedStyle(t).fontSize));
  const box = root.querySelector(".bp-step-scroll");
  const cue = root.querySelector(".bp-step-cue");
  return {
    smallest: Math.min(...sizes),
    shown: svg.getBoundingClientRect().width,
    natural: Number(svg.getAttribute("width")),
    scrolls: box.scrollWidth > box.clientWidth,
    cue: !cue.hidden && cue.getBoundingClientRect().height > 0,
    root: root.getBoundingClientRect().right,
    controls: Math.max(...[...root.querySelectorAll(".bp-step-controls > *")]
                        .map((e) => e.getBoundingClientRect().right)),
  };
}
"""


@pytest.mark.parametrize("width", [1280, 390])
def test_player_text_keeps_its_size(browser, site, width):
    context, page, watch, root = open_page(browser, site, width)
    try:
        facts = root.evaluate(TEXT_JS)
        assert facts["smallest"] >= 10  # CSS px, and the SVG is never scaled:
        assert facts["shown"] == facts["natural"]
        if width == 1280:  # the whole diagram fits the column
            assert not facts["scrolls"] and not facts["cue"]
        else:  # it scrolls sideways in its box, and says so
            assert facts["scrolls"] and facts["cue"]
            assert facts["root"] <= width and facts["controls"] <= width
            box = root.locator(".bp-step-scroll")
            box.focus()
            page.keyboard.press("ArrowRight")  # the box scrolls with the keyboard too
            page.wait_for_function("(b) => b.scrollLeft > 0", arg=box.element_handle())
        image = page.locator("#fig-worked-example img")
        assert image.get_attribute("alt")
        if width == 1280:  # the worked example's figure is shown at its natural size
            natural, shown = image.evaluate("(i) => [i.naturalWidth, i.getBoundingClientRect()"
                                            ".width]")
            assert natural == shown
        root.screenshot(path=screenshot_path(f"stepthrough-{width}px"))
    finally:
        context.close()
    assert watch.problems() == {}
