"""What a reader sees of a page's layout, measured in the browser.

Each constant is a JavaScript function for Playwright's ``page.evaluate``; the
tests in tests/test_browser_layout.py assert on what they return. They look
only at the page's article (``article.bd-article``, the theme's content
column), not at the theme's navigation.
"""

from __future__ import annotations

#: Opens every collapsed part of the page (hidden cell inputs, solutions), so
#: that what they hide is measured too.
OPEN_ALL_JS = """
() => {
  document.querySelectorAll("details").forEach((d) => { d.open = true; });
  document.querySelectorAll("button.toggle-button-hidden").forEach((b) => b.click());
}
"""

#: Every equation, table, image, code block and animation that is wider than
#: the content column, and whether it sits in a box that scrolls sideways, fits
#: the column and shows it scrolls (the edge shadows of css/bpbook.css: gradient
#: backgrounds, some of them attached to the content); inline math that the
#: theme cuts off counts as not fitting.
OVERFLOW_JS = """
() => {
  const page = {pageWidth: document.documentElement.scrollWidth, viewport: window.innerWidth};
  const column = document.querySelector("article.bd-article");
  if (!column) return {...page, column: null, checked: 0, outside: [], unmarked: [], scrolling: []};
  const cs = getComputedStyle(column);
  const box = column.getBoundingClientRect();
  const left = box.left + parseFloat(cs.paddingLeft) - 1;
  const right = box.right - parseFloat(cs.paddingRight) + 1;
  const scrolls = (e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX)
    && e.scrollWidth > e.clientWidth + 1;
  const scroller = (el) => {
    for (let e = el; e && e !== column; e = e.parentElement) if (scrolls(e)) return e;
    return null;
  };
  const cue = (e) => {
    const s = getComputedStyle(e);
    return (s.backgroundImage.match(/gradient/g) || []).length >= 2
      && s.backgroundAttachment.includes("local");
  };
  const name = (e) => {
    const where = e.closest("[id]");
    return e.tagName.toLowerCase() + (where ? " in #" + where.id : "")
      + ": " + (e.getAttribute("alt") || e.textContent || "").trim().slice(0, 60);
  };
  const selector = "mjx-container, table, img, pre, .animation, "
    + ".cell_output svg, .cell_output canvas";
  const checked = [], unmarked = [], outside = [], scrolling = [];
  for (const el of column.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;  // not shown
    checked.push(el.tagName);
    // The theme clips inline math at its span.math (overflow: hidden, max-width 100%).
    const clip = el.matches("mjx-container") ? el.closest("span.math") : null;
    if (clip && r.width > clip.getBoundingClientRect().width + 1) {
      outside.push(name(el) + " (inline math, cut off)");
      continue;
    }
    if (r.left >= left && r.right <= right && !scrolls(el)) continue;  // fits
    const s = scroller(el);
    if (s === null) { outside.push(name(el) + ` (${Math.round(r.width)} px)`); continue; }
    const sr = s.getBoundingClientRect();
    if (sr.left < left || sr.right > right) outside.push(name(el) + " (its scroll box too)");
    else if (!cue(s)) unmarked.push(name(el));
    else scrolling.push(name(el));
  }
  return {
    ...page,
    column: right - left - 2,
    checked: checked.length,
    outside: outside,          // wider than the column, not in a scroll box that fits it
    unmarked: unmarked,        // in a scroll box that does not show it scrolls
    scrolling: scrolling,      // in a scroll box that fits and shows it scrolls
  };
}
"""

#: Lines that start with punctuation right after inline math: the character
#: after an inline ``mjx-container`` is punctuation and sits on a later line
#: than the math's end, left of it.
PUNCTUATION_JS = """
() => {
  const punctuation = /^[.,;:!?)\\]}'’”…\\-–—]/;
  const broken = [];
  let inline = 0;
  const math = document.querySelectorAll('article.bd-article mjx-container:not([display="true"])');
  for (const c of math) {
    if (c.getBoundingClientRect().width === 0) continue;
    inline++;
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    walker.currentNode = c;
    let next = walker.nextNode();
    while (next && c.contains(next)) next = walker.nextNode();
    if (!next || !punctuation.test(next.textContent)) continue;
    const range = document.createRange();
    range.setStart(next, 0);
    range.setEnd(next, 1);
    const rects = range.getClientRects();
    if (!rects.length) continue;
    // MathJax may break long inline math at its top-level operators: the punctuation
    // belongs on the line of the math's last piece, to its right.
    const pieces = c.getClientRects();
    const last = pieces[pieces.length - 1];
    const p = rects[0];
    if (p.top > last.top + 1 && p.left < last.right - 1) {
      const where = c.closest("[id]");
      broken.push((where ? "#" + where.id + ": " : "") + "'" + next.textContent.slice(0, 20)
                  + "' after " + (c.querySelector("mjx-assistive-mml") || c).textContent);
    }
  }
  return {inline: inline, broken: broken};
}
"""

#: Every image of the article: its alt text, its natural and shown widths, and
#: whether it is a figure with a caption.
IMAGES_JS = """
() => [...document.querySelectorAll("article.bd-article img")].map((img) => {
  const figure = img.closest("figure");
  const caption = figure ? figure.querySelector("figcaption") : null;
  return {
    src: img.currentSrc.startsWith("data:") ? "data: URL" : img.currentSrc,
    alt: img.getAttribute("alt"),
    natural: img.naturalWidth,
    shown: img.getBoundingClientRect().width,
    caption: caption ? caption.textContent.trim() : null,
    figureId: figure ? figure.id : null,
    inAnimation: !!img.closest(".animation"),
  };
})
"""

#: Every table of the article: whether the book's table style reaches it (its
#: cells padded, rules above and below), and its number cells (class ``num``)
#: that are not right-aligned in tabular figures.
TABLES_JS = """
() => [...document.querySelectorAll("article.bd-article table")].map((t) => {
  const cells = [...t.querySelectorAll("th, td")];
  const padding = (c) => parseFloat(getComputedStyle(c).paddingLeft)
    + parseFloat(getComputedStyle(c).paddingRight);
  const aligned = (c) => getComputedStyle(c).textAlign === "right"
    && getComputedStyle(c).fontVariantNumeric.includes("tabular-nums");
  const s = getComputedStyle(t);
  const numbers = [...t.querySelectorAll("td.num, th.num")];
  return {
    name: t.id || (t.querySelector("caption") || t).textContent.trim().slice(0, 60),
    styled: t.matches("table.table, table.bpbook-table"),
    cells: cells.length,
    unpadded: cells.filter((c) => padding(c) < 8).length,
    ruled: s.borderTopStyle !== "none" && s.borderBottomStyle !== "none",
    numbers: numbers.length,
    misaligned: numbers.filter((c) => !aligned(c)).map((c) => c.textContent),
  };
})
"""
