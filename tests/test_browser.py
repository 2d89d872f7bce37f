"""The built book in a real browser: Chromium, offline, every page.

The session's one build (the ``built`` fixture in conftest.py) is served on
127.0.0.1, and each HTML page is opened in Debian's Chromium through
Playwright, once at 1280 x 900 and once at 390 x 844, a phone
(``browser.pages``; the layout and accessibility checks of the same loads are
in tests/test_browser_layout.py and tests/test_browser_a11y.py). For every page:

* at both widths it loads with no console error, no page error, no failed
  request (network failure or HTTP status >= 400) and no request outside its
  own origin (Chromium is also started so that no other host name resolves);
* all math is typeset by the book's own MathJax 3: each math element holds a
  MathJax container, no MathJax error is shown, no raw TeX is left in the
  text, and every labelled equation shows its number;
* every link to the site itself resolves (HTTP 200), and every ``#anchor`` names
  an element of the target page as the browser sees it;
* every static (``to_jshtml``) animation works from the keyboard alone: Tab
  reaches its slider and its buttons, which have names; Enter on Play plays it,
  Space on Pause stops it; the arrow, Home and End keys on the slider scrub to
  other frames, and the slider announces what each frame shows;
* a full-page screenshot at each width is saved in test-artifacts/screenshots/
  (git-ignored).

Run just these with ``python -m pytest tests/test_browser.py``. To check a
site that is already built without rebuilding (while working on these
tests), set BPBOOK_PREBUILT_HTML to its folder.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser import PageWatch, origin, screenshot_path
from browser.pages import PAGES, WIDTHS

pytestmark = [pytest.mark.book, pytest.mark.browser]

# Text that means MathJax left TeX untypeset (outside code, scripts and math).
RAW_TEX = re.compile(r"\\[()\[\]]|\$\$|\\begin\{|\\(?:frac|sum|partial|mathrm|cdot|odot|nabla)\b")

# ---------------------------------------------------------------------- tests


def test_every_built_page_is_checked(html_dir: Path):
    built = sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).parts[0].startswith("_")
    )
    assert built == sorted(PAGES)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_clean_and_offline(visits, page_path: str, width: int):
    visit = visits(page_path, width)
    assert visit.screenshot.is_file()
    assert visit.requests > 0
    assert visit.problems == {}


@pytest.mark.parametrize("page_path", PAGES)
def test_math_is_typeset(visits, page_path: str):
    visit = visits(page_path)
    facts = visit.facts
    if facts["mathCount"]:
        assert visit.mathjax_ran, "the page has math but MathJax did not start"
    assert facts["untypeset"] == [], "math elements without a MathJax container"
    assert facts["containers"] >= facts["mathCount"]
    assert facts["mathErrors"] == []
    raw = [text.strip()[:120] for text in facts["rawText"] if RAW_TEX.search(text)]
    assert raw == [], "raw TeX left in the page text"
    numbers = [eq["text"] for eq in facts["numbered"]]
    assert all(re.fullmatch(r"\(\d+(\.\d+)*\)#?", n or "") for n in numbers), numbers
    assert [eq["id"] for eq in facts["numbered"] if not eq["visible"]] == []
    assert len(set(numbers)) == len(numbers), "equation numbers repeat"


def test_book_has_typeset_math_and_numbered_equations(visits):
    facts = [visits(p).facts for p in PAGES]
    assert sum(f["containers"] for f in facts) > 0
    assert sum(len(f["numbered"]) for f in facts) > 0


def _status(url: str, cache: dict[str, int]) -> int:
    if url not in cache:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                cache[url] = response.status
        except urllib.error.HTTPError as exc:
            cache[url] = exc.code
    return cache[url]


_STATUS: dict[str, int] = {}


@pytest.mark.parametrize("page_path", PAGES)
def test_internal_links_and_anchors_resolve(visits, site: str, page_path: str):
    visit = visits(page_path)
    broken = []
    for href in sorted(set(visit.facts["links"])):
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or not href.startswith(site):
            continue  # other sites, mailto:, javascript:
        target = href.split("#", 1)[0]
        status = _status(target, _STATUS)
        if status != 200:
            broken.append(f"{href}: HTTP {status}")
            continue
        if not parts.fragment:
            continue
        target_path = target[len(site) :].split("?", 1)[0] or "index.html"
        if target_path.endswith("/"):
            target_path += "index.html"
        if target == visit.facts["url"].split("#", 1)[0]:
            ids = visit.facts["ids"]
        elif target_path.endswith(".html"):
            ids = visits(target_path).facts["ids"]
        else:
            broken.append(f"{href}: anchor into a non-HTML file")
            continue
        if unquote(parts.fragment) not in ids:
            broken.append(f"{href}: no element with id {unquote(parts.fragment)!r}")
    assert broken == []


ANIMATION_STATE_JS = """
(anim) => ({
  src: anim.querySelector("img").getAttribute("src") || "",
  value: anim.querySelector("input.anim-slider").value,
  max: anim.querySelector("input.anim-slider").max,
  valueText: anim.querySelector("input.anim-slider").getAttribute("aria-valuetext"),
})
"""

FOCUSED_JS = """
() => {
  const e = document.activeElement;
  return e ? (e.getAttribute("aria-label") || e.textContent.trim() || e.tagName) : null;
}
"""


def _tab_to(page, name: str, *, backwards: bool = False, limit: int = 15) -> None:
    """Press Tab (Shift+Tab) until the element with accessible name ``name`` has the focus."""
    for _ in range(limit):
        if page.evaluate(FOCUSED_JS) == name:
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    assert page.evaluate(FOCUSED_JS) == name, f"Tab does not reach {name!r}"


@pytest.mark.parametrize("page_path", PAGES)
def test_static_animations_play_and_scrub(visits, browser, site: str, page_path: str):
    if not visits(page_path).facts["animations"]:
        return  # nothing to play on this page
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch((origin(site),)).attach(page)
    try:
        page.goto(site + page_path, wait_until="load")
        animations = page.locator("div.animation")
        for i in range(animations.count()):
            anim = animations.nth(i)
            anim.scroll_into_view_if_needed()
            start = anim.evaluate(ANIMATION_STATE_JS)
            assert start["src"].startswith("data:image/"), f"animation {i}: no frame shown"
            assert int(start["max"]) >= 1, f"animation {i}: a single frame"
            assert anim.locator("img").get_attribute("alt"), f"animation {i}: no alt text"
            slider = anim.locator("input.anim-slider")
            label = slider.get_attribute("aria-label")
            assert label and anim.get_by_role("slider", name=label).count() == 1
            buttons = anim.get_by_role("button")
            names = [buttons.nth(b).get_attribute("aria-label") for b in range(buttons.count())]
            assert "Play" in names and "Pause" in names and all(names), names

            # Tab reaches the slider (from the frame just before it), then Play.
            anim.locator("img").evaluate("img => img.parentElement.focus()")
            page.keyboard.press("Tab")
            assert page.evaluate(FOCUSED_JS) == label, f"animation {i}: Tab skips the slider"
            _tab_to(page, "Play")
            page.keyboard.press("Enter")
            page.wait_for_function(
                "([anim, src]) => anim.querySelector('img').getAttribute('src') !== src",
                arg=[anim.element_handle(), start["src"]],
                timeout=10_000,
            )
            _tab_to(page, "Pause", backwards=True)
            page.keyboard.press(" ")
            paused = anim.evaluate(ANIMATION_STATE_JS)
            page.wait_for_timeout(800)  # more than two frames at the book's 3 frames/s
            assert anim.evaluate(ANIMATION_STATE_JS)["value"] == paused["value"], "not paused"
            assert paused["value"] != start["value"], f"animation {i}: slider did not follow"

            # Scrub: the keys of a slider, as a reader would.
            _tab_to(page, label, backwards=True)
            page.keyboard.press("Home")
            first = anim.evaluate(ANIMATION_STATE_JS)
            page.keyboard.press("End")
            last = anim.evaluate(ANIMATION_STATE_JS)
            assert first["value"] == "0" and last["value"] == last["max"], (first, last)
            assert first["src"] != last["src"], f"animation {i}: slider does not change frame"
            assert first["valueText"] and first["valueText"] != last["valueText"], (first, last)
            page.keyboard.press("ArrowLeft")
            before_last = anim.evaluate(ANIMATION_STATE_JS)
            assert before_last["src"] not in (last["src"], ""), f"animation {i}: no scrubbing"
            page.keyboard.press("ArrowRight")
            assert anim.evaluate(ANIMATION_STATE_JS)["src"] == last["src"]
            anim.screenshot(path=screenshot_path(f"{page_path}-animation-{i}"))
    finally:
        context.close()
    assert watch.problems() == {}


def test_book_has_static_animations(visits):
    """The chapter's static animations (jshtml) are in the built book."""
    assert sum(visits(p).facts["animations"] for p in PAGES) > 0
