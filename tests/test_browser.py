"""The built book in a real browser: Chromium, offline, every page.

The session's one build (the ``built`` fixture in conftest.py) is served on
127.0.0.1, and each HTML page is opened in Debian's Chromium through
Playwright. For every page:

* it loads with no console error, no page error, no failed request (network
  failure or HTTP status >= 400) and no request outside its own origin
  (Chromium is also started so that no other host name resolves);
* all math is typeset by the book's own MathJax 3: each math element holds a
  MathJax container, no MathJax error is shown, no raw TeX is left in the
  text, and every labelled equation shows its number;
* every link to the site itself resolves (HTTP 200), and every ``#anchor`` names
  an element of the target page as the browser sees it;
* every static (``to_jshtml``) animation plays: Play changes the frame, and
  the slider, moved with the keyboard, scrubs to other frames;
* a full-page screenshot is saved in test-artifacts/screenshots/ (git-ignored).

Run just these with ``python -m pytest tests/test_browser.py``. To check a
site that is already built without rebuilding (while working on these
tests), set BPBOOK_PREBUILT_HTML to its folder.
"""

from __future__ import annotations

import html
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from browser import (
    HTML_DIR,
    ROOT,
    PageWatch,
    origin,
    screenshot_path,
    static_server,
)

pytestmark = [pytest.mark.book, pytest.mark.browser]

# ------------------------------------------------------------------ the pages


def _toc_files(node: dict) -> list[str]:
    files = []
    for key in ("parts", "chapters", "sections"):
        for child in node.get(key, []) or []:
            if "file" in child:
                files.append(child["file"])
            files.extend(_toc_files(child))
    return files


PREBUILT = os.environ.get("BPBOOK_PREBUILT_HTML")  # <book>/_build/html


def _pages() -> list[str]:
    book_root = Path(PREBUILT).resolve().parents[1] if PREBUILT else ROOT
    toc = yaml.safe_load((book_root / "_toc.yml").read_text(encoding="utf8"))
    names = [toc["root"], *_toc_files(toc)]
    pages = [str(Path(n).with_suffix("")) + ".html" for n in names]
    # Sphinx's own pages, and the root redirect to the first page
    return [*pages, "genindex.html", "search.html", "index.html"]


PAGES = _pages()

# Text that means MathJax left TeX untypeset (outside code, scripts and math).
RAW_TEX = re.compile(r"\\[()\[\]]|\$\$|\\begin\{|\\(?:frac|sum|partial|mathrm|cdot|odot|nabla)\b")

COLLECT_JS = """
() => {
  const mathItems = () => (window.MathJax && MathJax.startup && MathJax.startup.document)
    ? Array.from(MathJax.startup.document.math) : [];
  const skip = "script, style, pre, code, textarea, noscript, mjx-container, .highlight";
  const maths = [...document.querySelectorAll(".math")];
  const rawText = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (node.parentElement && !node.parentElement.closest(skip)) rawText.push(node.textContent);
  }
  const numbered = [...document.querySelectorAll("div.math[id^='equation-']")].map((div) => {
    const eqno = div.querySelector(".eqno");
    const box = eqno ? eqno.getBoundingClientRect() : null;
    const style = eqno ? getComputedStyle(eqno) : null;
    return {
      id: div.id,
      text: eqno ? eqno.textContent.trim() : null,
      visible: !!box && box.width > 0 && box.height > 0 && style.visibility !== "hidden"
               && style.display !== "none" && box.right <= document.documentElement.scrollWidth,
    };
  });
  const ids = [...document.querySelectorAll("[id]")].map((e) => e.id)
    .concat([...document.querySelectorAll("a[name]")].map((e) => e.getAttribute("name")));
  return {
    url: location.href,
    mathCount: maths.length,
    untypeset: maths.filter((m) => !m.querySelector("mjx-container"))
                    .map((m) => m.textContent.slice(0, 80)),
    containers: document.querySelectorAll("mjx-container").length,
    // TeX errors (merror) and undefined macros (red text: MathJax's noundefined)
    mathErrors: [...document.querySelectorAll("mjx-merror")]
                    .map((e) => e.getAttribute("data-mjx-error") || e.textContent)
                    .concat(mathItems().filter((m) => m.typesetRoot && m.typesetRoot
                                .querySelector('mjx-mtext[style*="color: red"]'))
                            .map((m) => "undefined macro in: " + m.math.slice(0, 80))),
    rawText: rawText,
    numbered: numbered,
    ids: ids,
    links: [...document.querySelectorAll("a[href]")].map((a) => a.href),
    animations: document.querySelectorAll("div.animation").length,
  };
}
"""

META_REFRESH = re.compile(
    r"""<meta\s+http-equiv=["']?refresh["']?\s+content=["']?\d+;\s*url=([^"'>\s]+)""", re.I
)

WAIT_FOR_MATHJAX_JS = """
async () => {
  if (!window.MathJax || !window.MathJax.startup || !window.MathJax.startup.promise) return false;
  await window.MathJax.startup.promise;
  return true;
}
"""


@dataclass
class Visit:
    page: str
    problems: dict[str, list[str]]
    facts: dict
    mathjax_ran: bool
    screenshot: Path
    requests: int = 0
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def html_dir(request) -> Path:
    if PREBUILT:
        return Path(PREBUILT).resolve()
    request.getfixturevalue("built")  # the session's one build, done once
    return HTML_DIR


@pytest.fixture(scope="module")
def site(html_dir: Path):
    with static_server(html_dir) as url:
        yield url


@pytest.fixture(scope="module")
def visits(site, browser):
    """Load each page once (on first use) and keep what was seen."""
    cache: dict[str, Visit] = {}

    def visit(page_path: str) -> Visit:
        if page_path not in cache:
            cache[page_path] = _visit(browser, site, page_path)
        return cache[page_path]

    return visit


def _visit(browser, site: str, page_path: str) -> Visit:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    watch = PageWatch((origin(site),)).attach(page)
    url = site + page_path
    with urllib.request.urlopen(url, timeout=30) as response:
        refresh = META_REFRESH.search(response.read().decode("utf8", "replace"))
    try:
        page.goto(url, wait_until="load")
        if refresh:  # a redirect page: check where it lands, once it has landed
            page.wait_for_url(urljoin(url, html.unescape(refresh.group(1))))
        page.wait_for_load_state("networkidle")
        mathjax_ran = page.evaluate(WAIT_FOR_MATHJAX_JS)
        page.wait_for_load_state("networkidle")  # MathJax's fonts, after typesetting
        facts = page.evaluate(COLLECT_JS)
        shot = screenshot_path(page_path)
        page.screenshot(path=shot, full_page=True)
    finally:
        context.close()
    return Visit(page_path, watch.problems(), facts, mathjax_ran, shot, watch.requests)


# ---------------------------------------------------------------------- tests


def test_every_built_page_is_checked(html_dir: Path):
    built = sorted(
        p.relative_to(html_dir).as_posix()
        for p in html_dir.rglob("*.html")
        if not p.relative_to(html_dir).parts[0].startswith("_")
    )
    assert built == sorted(PAGES)


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_clean_and_offline(visits, page_path: str):
    visit = visits(page_path)
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
})
"""


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

            # Play: the frame must change by itself.
            anim.get_by_role("button", name="Play", exact=True).click()
            page.wait_for_function(
                "([anim, src]) => anim.querySelector('img').getAttribute('src') !== src",
                arg=[anim.element_handle(), start["src"]],
                timeout=10_000,
            )
            anim.get_by_role("button", name="Pause", exact=True).click()
            played = anim.evaluate(ANIMATION_STATE_JS)
            assert played["value"] != start["value"], f"animation {i}: slider did not follow"

            # Scrub: keyboard on the slider, as a reader would.
            slider = anim.locator("input.anim-slider")
            slider.focus()
            page.keyboard.press("Home")
            first = anim.evaluate(ANIMATION_STATE_JS)
            page.keyboard.press("End")
            last = anim.evaluate(ANIMATION_STATE_JS)
            assert first["value"] == "0" and last["value"] == last["max"], (first, last)
            assert first["src"] != last["src"], f"animation {i}: slider does not change frame"
            page.keyboard.press("ArrowLeft")
            before_last = anim.evaluate(ANIMATION_STATE_JS)
            assert before_last["src"] not in (last["src"], ""), f"animation {i}: no scrubbing"
            anim.screenshot(path=screenshot_path(f"{page_path}-animation-{i}"))
    finally:
        context.close()
    assert watch.problems() == {}


def test_book_has_static_animations(visits):
    """The chapter's static animations (jshtml) are in the built book."""
    assert sum(visits(p).facts["animations"] for p in PAGES) > 0
