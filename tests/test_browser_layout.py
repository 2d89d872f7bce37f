"""The book's layout as readers see it, on a desktop (1280 px) and a phone (390 px).

Every page is loaded once per width (``visits`` in conftest.py, with every
hidden cell and solution opened), and measured by ``browser.layout``:

* no display or inline equation, table, image, code block or animation is
  wider than the content column unless it sits in a box that scrolls sideways,
  fits the column and shows that it scrolls (its edge shadows); the page itself
  never scrolls sideways;
* at 1280 px nothing but code scrolls: equations, tables and figures fit;
* tables have the book's style, and their numbers are right-aligned in
  tabular figures;
* every image is a numbered, referable figure with a caption and alt text, and
  its smallest text (9 pt in the book's figure style) is shown at 10 CSS px or
  more at 1280 px;
* no line starts with the punctuation that follows inline math.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from browser.pages import PAGES, PHONE, WIDE, WIDTHS

from bpcode.viz import style

pytestmark = [pytest.mark.book, pytest.mark.browser]

CHAPTER = [p for p in PAGES if p.startswith("book/")]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", PAGES)
def test_nothing_is_wider_than_the_column(visits, page_path: str, width: int):
    overflow = visits(page_path, width).overflow
    assert overflow["outside"] == [], "wider than the column, not in a scroll box that fits"
    assert overflow["unmarked"] == [], "in a scroll box that does not show it scrolls"
    assert overflow["pageWidth"] <= overflow["viewport"], "the page scrolls sideways"


def test_the_layout_checks_see_the_content(visits):
    for width in WIDTHS:
        overflow = visits("book/backpropagation.html", width).overflow
        assert overflow["checked"] > 100 and overflow["column"] > 300
    assert visits("book/backpropagation.html", WIDE).overflow["column"] == style.COLUMN_PX
    # On a phone the wide things do scroll: figures, the tables of the four equations.
    scrolling = visits("book/backpropagation.html", PHONE).overflow["scrolling"]
    assert any(s.startswith("img") for s in scrolling)
    assert any(s.startswith("table") for s in scrolling)


@pytest.mark.parametrize("page_path", CHAPTER)
def test_only_code_scrolls_at_1280(visits, page_path: str):
    scrolling = visits(page_path, WIDE).overflow["scrolling"]
    assert [s for s in scrolling if not s.startswith("pre")] == []


@pytest.mark.parametrize("page_path", CHAPTER)
def test_tables_are_styled_and_numbers_align(visits, page_path: str):
    for table in visits(page_path, WIDE).tables:
        assert table["styled"], table["name"]
        assert table["unpadded"] == 0 and table["ruled"], table["name"]
        assert table["misaligned"] == [], table["name"]


def test_the_computed_tables_have_numbers(visits):
    tables = [t for p in CHAPTER for t in visits(p, WIDE).tables]
    assert sum(t["numbers"] for t in tables) > 20


@pytest.mark.parametrize("page_path", CHAPTER)
def test_every_figure_has_a_caption_and_alt_text(visits, page_path: str):
    for image in visits(page_path, WIDE).images:
        where = image["figureId"] or image["src"]
        assert image["caption"] and image["caption"].startswith("Fig. "), where
        assert image["figureId"], f"{where}: the figure has no name to refer to it by"
        alt = (image["alt"] or "").strip()
        # myst-nb's alt text for an output image without one is the image's path
        assert len(alt) > 40 and "_images/" not in alt and not alt.endswith(".png"), where


@pytest.mark.parametrize("page_path", CHAPTER)
def test_figure_text_is_at_least_10_css_px_at_1280(visits, html_dir: Path, page_path: str):
    """A figure's smallest text is style.SMALL_SIZE points, drawn at the PNG's dpi
    (the book's figures: style.DPI), or the smallest font-size of an SVG, shown
    scaled by shown / natural width."""
    from PIL import Image

    for image in visits(page_path, WIDE).images:
        path = html_dir / unquote(urlsplit(image["src"]).path).lstrip("/")
        if image["src"].startswith("data"):  # animation frames, drawn by bpcode.viz
            natural_px = style.SMALL_SIZE / 72 * style.DPI
        elif path.suffix == ".svg":  # drawn by bpcode.viz with sizes in CSS px
            sizes = re.findall(r"font-size\s*[:=]\s*\"?([\d.]+)", path.read_text("utf8"))
            assert sizes, path.name
            natural_px = min(float(size) for size in sizes)
        else:
            with Image.open(path) as png:
                natural_px = style.SMALL_SIZE / 72 * png.info["dpi"][0]
        px = natural_px * image["shown"] / image["natural"]
        assert px >= style.MIN_TEXT_PX, f"{image['figureId']}: {px:.1f} px"


def test_the_chapter_has_figures(visits):
    assert sum(len(visits(p, WIDE).images) for p in CHAPTER) >= 10


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", CHAPTER)
def test_no_line_starts_with_punctuation_after_inline_math(visits, page_path: str, width: int):
    punctuation = visits(page_path, width).punctuation
    assert punctuation["broken"] == []


def test_the_punctuation_check_sees_inline_math(visits):
    assert visits("book/index.html", PHONE).punctuation["inline"] > 50
