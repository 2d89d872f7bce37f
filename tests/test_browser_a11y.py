"""Accessibility: axe-core on every page, at 1280 px and on a phone (390 px).

Each page, loaded once per width with its hidden cells and solutions opened
(``visits`` in conftest.py), is checked by axe-core (the pinned npm package,
``browser.axe``) with its default rules: no violation of impact serious or
critical is allowed. The keyboard use of the animations is checked in
tests/test_browser.py (test_static_animations_play_and_scrub).
"""

from __future__ import annotations

import pytest
from browser import axe
from browser.pages import PAGES, WIDTHS

pytestmark = [pytest.mark.book, pytest.mark.browser]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_path", PAGES)
def test_axe_finds_no_serious_violation(visits, page_path: str, width: int):
    assert axe.failing(visits(page_path, width).axe) == {}


# An image without alt text, inline: the page requests nothing.
BAD_PAGE = ('<!DOCTYPE html><html lang="en"><head><title>t</title></head><body><main>'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="></main></body></html>')


def test_axe_reports_what_it_finds(browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(BAD_PAGE)
        assert list(axe.failing(axe.violations(page))) == ["image-alt"]
    finally:
        context.close()


@pytest.mark.parametrize("page_path", PAGES)
def test_every_page_declares_its_language(visits, page_path: str):
    assert visits(page_path).facts["lang"] == "en"
