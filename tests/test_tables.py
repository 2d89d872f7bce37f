"""bpcode.viz.html_table: the one place the pages' computed tables are made."""

from bs4 import BeautifulSoup

from bpcode import viz


def table(rows, **kwargs):
    html = viz.html_table(["name", "value"], rows, **kwargs).data
    return BeautifulSoup(html, "html.parser")


def test_numbers_are_marked_for_right_alignment():
    cells = ["5.31 ms", "0.1, -0.2", "0.98–1.10", "97.1%", "1.05 (0.98 to 1.10)",
             "3.1 s*", "173 GFLOP/s", 42, -0.5]
    soup = table([["x", c] for c in cells])
    assert [td.get("class") for td in soup.select("td:nth-of-type(2)")] == [["num"]] * 9
    assert all(td.get("class") is None for td in soup.select("td:nth-of-type(1)"))


def test_labels_that_contain_numbers_are_text():
    soup = table([["one step, batch of 10", "float32"], ["layer (2), hidden", "x"]])
    assert all(td.get("class") is None for td in soup.select("td"))


def test_structure_caption_and_scrolling_box():
    soup = table([["a", 1]], caption="Caption & more")
    box = soup.div
    assert box["class"] == [f"{viz.tables.TABLE_CLASS}-scroll"]
    assert box["role"] == "region" and box["tabindex"] == "0"
    assert box["aria-label"] == "Caption & more"
    assert soup.table["class"] == [viz.tables.TABLE_CLASS]
    assert soup.caption.get_text() == "Caption & more"
    assert [th["scope"] for th in soup.select("th")] == ["col", "col"]


def test_text_is_escaped():
    soup = table([["<b>bold</b>", "1 < 2"]])
    assert soup.find("b") is None and "<b>bold</b>" in soup.get_text()
