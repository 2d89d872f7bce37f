"""Each page of the built book, loaded once per screen width in Chromium, and
what was seen there.

:func:`visit` loads a page at one of :data:`WIDTHS` (a 1280 x 900 desktop and
a 390 x 844 phone), waits for MathJax, saves a full-page screenshot, collects
the facts of tests/test_browser.py (:data:`COLLECT_JS`), then opens every
collapsed part of the page (hidden inputs, solutions) and measures the layout
(:mod:`.layout`) and runs axe-core (:mod:`.axe`) on everything a reader can
open. Everything the page logs or requests meanwhile is kept (:class:`PageWatch`).
"""

from __future__ import annotations

import html
import os
import re
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

import toc

from . import ROOT, PageWatch, axe, layout, origin, screenshot_path

#: The desktop, where the content column is 688 px wide, and a phone.
WIDE, PHONE = 1280, 390
WIDTHS = (WIDE, PHONE)
VIEWPORTS = {WIDE: {"width": 1280, "height": 900}, PHONE: {"width": 390, "height": 844}}

PREBUILT = os.environ.get("BPBOOK_PREBUILT_HTML")  # <book>/_build/html


def _pages() -> list[str]:
    book_root = Path(PREBUILT).resolve().parents[1] if PREBUILT else ROOT
    pages = [f"{name}.html" for name in toc.docnames(book_root)]
    # Sphinx's own pages, and the root redirect to the first page
    return [*pages, "genindex.html", "search.html", "index.html"]


#: Every HTML page of the book, relative to the site's root.
PAGES = _pages()

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
    lang: document.documentElement.getAttribute("lang"),
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
    width: int
    problems: dict[str, list[str]]
    facts: dict
    mathjax_ran: bool
    screenshot: Path
    requests: int = 0
    overflow: dict = field(default_factory=dict)  # layout.OVERFLOW_JS
    punctuation: dict = field(default_factory=dict)  # layout.PUNCTUATION_JS
    images: list[dict] = field(default_factory=list)  # layout.IMAGES_JS
    tables: list[dict] = field(default_factory=list)  # layout.TABLES_JS
    axe: list[dict] = field(default_factory=list)  # axe.violations


def visit(browser, site: str, page_path: str, width: int) -> Visit:
    """Load ``page_path`` of ``site`` at ``width`` and keep what was seen."""
    context = browser.new_context(viewport=VIEWPORTS[width])
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
        shot = screenshot_path(f"{page_path}-{width}")
        page.screenshot(path=shot, full_page=True)
        page.evaluate(layout.OPEN_ALL_JS)
        page.wait_for_timeout(100)  # the theme's and the book's tab stops follow (timers)
        seen = Visit(page_path, width, {}, facts, mathjax_ran, shot,
                     overflow=page.evaluate(layout.OVERFLOW_JS),
                     punctuation=page.evaluate(layout.PUNCTUATION_JS),
                     images=page.evaluate(layout.IMAGES_JS),
                     tables=page.evaluate(layout.TABLES_JS),
                     axe=axe.violations(page))
    finally:
        context.close()
    seen.problems, seen.requests = watch.problems(), watch.requests
    return seen
