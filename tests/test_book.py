"""Build the book once per session and check what it produces.

The build runs exactly the command CI and the README use, from a clean
``_build``; every test below inspects that one build. A second group runs each
page as a plain notebook (jupytext + nbclient), outside the book.

Select these tests with ``python -m pytest -m book``.
"""

from __future__ import annotations

import json
import re
import sys
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import toc
from bs4 import BeautifulSoup
from conftest import Build  # the session's one build (fixtures in conftest.py)

ROOT = Path(__file__).resolve().parents[1]
BUILD_DIR = ROOT / "_build"
HTML_DIR = BUILD_DIR / "html"
EXECUTED_DIR = BUILD_DIR / "jupyter_execute"

sys.path.insert(0, str(ROOT / "scripts"))
from colab_notebooks import notebooks_branch  # noqa: E402

# Lines with "WARNING" or "ERROR" that are not Sphinx warnings, written to the
# kernel's own stderr (inherited by the build), not part of any page:
# ipykernel >= 7.4 warns whenever a kernel is started over TCP on localhost, and
# on a loaded machine tornado in the kernel process can log a race on a socket
# that is closing when the kernel shuts down after the page has run. A failing
# cell still fails the build (nb_execution_raise_on_error) and the tests below.
KNOWN_NOISE = ("[IPKernelApp] WARNING | Kernel is running over TCP without encryption",
               "ERROR:tornado.general:Uncaught exception in ZMQStream callback")

# Cell tags that legitimately change what the HTML shows or whether a cell runs.
REMOVED_TAGS = {"remove-cell", "remove_cell"}
ERROR_OK_TAGS = {"raises-exception"}
SKIP_EXEC_TAGS = {"skip-execution"}

pytestmark = pytest.mark.book


# --------------------------------------------------------------------------- toc


@cache
def toc_docnames() -> tuple[str, ...]:
    return toc.docnames()


def source_of(docname: str) -> Path:
    for suffix in (".md", ".ipynb"):
        path = ROOT / f"{docname}{suffix}"
        if path.exists():
            return path
    raise FileNotFoundError(docname)


def has_code_cells(docname: str) -> bool:
    try:
        path = source_of(docname)
    except FileNotFoundError:  # reported by test_every_toc_page_has_html
        return False
    text = path.read_text(encoding="utf8")
    if path.suffix == ".ipynb":
        return any(c["cell_type"] == "code" for c in json.loads(text)["cells"])
    return "```{code-cell}" in text


NOTEBOOK_PAGES = [d for d in toc_docnames() if has_code_cells(d)]


# ------------------------------------------------------------------ the one build
# The session-wide ``build`` and ``built`` fixtures live in tests/conftest.py, so
# that the browser tests (tests/test_browser*.py) check this very build.


@cache
def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf8"), "html.parser")


def page_html(docname: str) -> Path:
    return HTML_DIR / f"{docname}.html"


def all_html_pages() -> list[Path]:
    return sorted(p for p in HTML_DIR.rglob("*.html") if "_static" not in p.parts)


def main_content(docname: str):
    """The page's article (the rendered source), without the theme's chrome."""
    page = soup(page_html(docname))
    return page.find("article") or page.body


# ------------------------------------------------------------------------- tests


def test_build_exits_zero_without_warnings(build: Build):
    warnings = [
        line
        for line in build.log.splitlines()
        if re.search(r"WARNING|ERROR|CRITICAL|SEVERE", line)
        and not any(noise in line for noise in KNOWN_NOISE)
    ]
    assert build.returncode == 0, build.log[-6000:]
    assert warnings == [], "\n".join(warnings)


def test_every_toc_page_has_html(built: Build):
    missing = [d for d in toc_docnames() if not page_html(d).is_file()]
    assert missing == []


def test_only_toc_pages_are_built(built: Build):
    expected = {f"{d}.html" for d in toc_docnames()}
    expected |= {"index.html", "genindex.html", "search.html"}  # redirect, index, search
    pages = {p.relative_to(HTML_DIR).as_posix() for p in all_html_pages()}
    assert pages - expected == set()


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_code_cells_executed_without_errors(built: Build, docname: str):
    executed = EXECUTED_DIR / f"{docname}.ipynb"
    assert executed.is_file(), f"{docname} was not executed during the build"
    nb = json.loads(executed.read_text(encoding="utf8"))
    code_cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code_cells
    problems = []
    for i, cell in enumerate(code_cells, 1):
        tags = set(cell.get("metadata", {}).get("tags", []))
        if not tags & SKIP_EXEC_TAGS and cell.get("execution_count") is None:
            problems.append(f"code cell {i} was not executed")
        for out in cell.get("outputs", []):
            if out["output_type"] == "error" and not tags & ERROR_OK_TAGS:
                problems.append(f"code cell {i} raised {out['ename']}: {out['evalue']}")
            if out["output_type"] == "stream" and out["name"] == "stderr":
                text = "".join(out["text"])
                if re.search(r"Traceback|\w+Error\b|Exception", text):
                    problems.append(f"code cell {i} wrote an error to stderr: {text[:300]}")
    assert problems == []

    # The HTML shows one cell per (non-removed) code cell, each executed cell
    # that produced output shows it, and no traceback made it onto the page.
    shown = [c for c in code_cells if not set(c["metadata"].get("tags", [])) & REMOVED_TAGS]
    html_cells = main_content(docname).select("div.cell")
    assert len(html_cells) == len(shown)
    for i, (cell, div) in enumerate(zip(shown, html_cells, strict=True), 1):
        tags = set(cell["metadata"].get("tags", []))
        if cell.get("outputs") and not tags & {"remove-output", "remove_output"}:
            assert div.select("div.cell_output"), f"code cell {i}: output not rendered"
    content = main_content(docname)
    assert not content.select(".output.traceback, .output.error")
    assert "Traceback (most recent call last)" not in content.get_text()


def _ids(path: Path) -> set[str]:
    page = soup(path)
    ids = {tag["id"] for tag in page.find_all(id=True)}
    ids |= {tag["name"] for tag in page.find_all("a", attrs={"name": True})}
    return ids


def test_internal_links_and_fragments_resolve(built: Build):
    broken = []
    checked = 0
    for page in all_html_pages():
        for a in soup(page).find_all("a", href=True):
            href = a["href"]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("javascript:"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            rel = page.relative_to(HTML_DIR)
            if not target.exists():
                broken.append(f"{rel}: {href} (no such file)")
                continue
            if parts.fragment and target.suffix == ".html":
                checked += 1
                if unquote(parts.fragment) not in _ids(target):
                    broken.append(f"{rel}: {href} (no element with that id)")
    assert broken == []
    assert checked > 0


def test_citations_link_into_bibliography(built: Build):
    bib_docs = [d for d in toc_docnames() if "{bibliography}" in source_of(d).read_text("utf8")]
    assert len(bib_docs) == 1
    bib_page = page_html(bib_docs[0])
    entries = soup(bib_page).select("div.citation")
    n_bib = len(re.findall(r"^@\w+\s*\{", (ROOT / "references.bib").read_text("utf8"), re.M))
    assert len(entries) >= min(n_bib, 1)
    if ":all:" in source_of(bib_docs[0]).read_text("utf8"):
        assert len(entries) == n_bib  # every references.bib entry parsed and rendered

    bib_ids = _ids(bib_page)
    cites = [
        (page, a)
        for page in (page_html(d) for d in toc_docnames())
        for a in soup(page).select("span.bibtex-citation a[href]")
    ]
    assert cites, "no {cite} anywhere in the book"
    for page, a in cites:
        parts = urlsplit(a["href"])
        target = (page.parent / parts.path).resolve() if parts.path else page.resolve()
        assert target == bib_page.resolve(), a["href"]
        assert parts.fragment in bib_ids, a["href"]


def test_chapter_label_anchor(built: Build):
    # Sphinx slugs the label `sec:NeuralNetBackProp` to the id `sec-neuralnetbackprop`
    assert "sec-neuralnetbackprop" in _ids(page_html("book/backpropagation"))


def test_substitution_renders_as_admonition(built: Build):
    users = [
        d for d in toc_docnames() if "{{ sub_extra_admonition }}" in source_of(d).read_text("utf8")
    ]
    assert users, "no page uses {{ sub_extra_admonition }}"
    for docname in users:
        titles = [
            t.get_text(strip=True)
            for t in main_content(docname).select("div.admonition > p.admonition-title")
        ]
        assert "Live code" in titles, docname
    for docname in toc_docnames():
        content = BeautifulSoup(str(main_content(docname)), "html.parser")
        for tag in content.find_all(["script", "style", "pre", "code"]) + content.select(".math"):
            tag.decompose()  # math has legitimate braces: \frac{{\cal C} ...
        assert "{{" not in content.get_text(), f"unrendered substitution in {docname}"


def test_mathjax_is_served_locally(built: Build):
    pages_with_mathjax = 0
    for page in all_html_pages():
        for script in soup(page).find_all("script", src=True):
            if "mathjax" not in script["src"].lower():
                continue
            pages_with_mathjax += 1
            parts = urlsplit(script["src"])
            assert not parts.scheme and not parts.netloc, f"{page}: {script['src']}"
            assert (page.parent / parts.path).resolve().is_file(), f"{page}: {script['src']}"
    assert pages_with_mathjax > 0
    assert (HTML_DIR / "_static/mathjax/es5/output/chtml/fonts/woff-v2").is_dir()


def test_no_resources_from_other_origins(built: Build):
    attrs = {
        "script": "src",
        "link": "href",
        "img": "src",
        "iframe": "src",
        "source": "src",
        "video": "src",
        "audio": "src",
        "embed": "src",
        "object": "data",
    }
    external = []
    for page in all_html_pages():
        for tag_name, attr in attrs.items():
            for tag in soup(page).find_all(tag_name, attrs={attr: True}):
                url = tag[attr]
                if urlsplit(url).scheme in ("http", "https") or url.startswith("//"):
                    external.append(f"{page.relative_to(HTML_DIR)}: <{tag_name}> {url}")
    assert external == []


def test_inline_scripts_are_not_duplicated(built: Build):
    """The sphinx-thebe config script once per page (no 'THEBE_JS_URL already declared')."""
    for docname in toc_docnames():
        head = soup(page_html(docname)).head
        bodies = [s.string for s in head.find_all("script", src=False) if s.string]
        assert sum("const THEBE_JS_URL" in b for b in bodies) == 1, docname
        dupes = {b for b in bodies if bodies.count(b) > 1}
        assert dupes == set(), docname


def test_theme_has_a_default_mode(built: Build):
    for docname in toc_docnames():
        body = soup(page_html(docname)).body
        assert body.get("data-default-mode") in ("light", "dark", "auto"), docname


def test_colab_buttons_open_notebooks(built: Build):
    """Colab cannot read MyST .md: the buttons must point at the .ipynb copies
    that scripts/colab_notebooks.py publishes to the notebooks branch (the one
    named in _config.yml)."""
    branch = notebooks_branch()
    links = []
    for docname in NOTEBOOK_PAGES:
        for a in soup(page_html(docname)).find_all("a", href=True):
            if a["href"].startswith("https://colab.research.google.com/"):
                links.append(a["href"])
    assert links, "no Colab launch button in the notebook pages"
    for href in links:
        assert f"/blob/{branch}/" in href and href.endswith(".ipynb"), href


# ------------------------------------------------- pages as standalone notebooks


@pytest.mark.notebooks
@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_page_runs_as_plain_notebook(docname: str):
    import jupytext
    from nbclient import NotebookClient

    path = source_of(docname)
    nb = jupytext.read(path)
    client = NotebookClient(
        nb,
        timeout=600,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},  # cwd = book/, as in the build
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code" and not set(cell.metadata.get("tags", [])) & ERROR_OK_TAGS
        for out in cell.get("outputs", [])
        if out.output_type == "error"
    ]
    assert errors == []



# ------------------------------------------------------------- reader-facing text

# Label slugs of the pages' equations, as a reader would see them if a text
# cited an equation by its label rather than as the page shows it.
LABEL = re.compile(r"\(\s*(eq-[\w-]+|[a-z]+(?:-[a-z0-9]+)+)\s*\)")
DRAFT_WORDS = re.compile(r"\bseed notes\b|\bthe seed\b|\bgrew from\b|\bnotes this chapter\b",
                         re.IGNORECASE)


def equation_labels() -> set[str]:
    labels = set()
    for docname in toc_docnames():
        text = source_of(docname).read_text(encoding="utf8")
        labels |= set(re.findall(r"^\$\$ \(([\w-]+)\)$", text, re.MULTILINE))
        labels |= set(re.findall(r"^\((eq-[\w-]+)\)=$", text, re.MULTILINE))
    return labels


@pytest.mark.parametrize("docname", toc_docnames())
def test_reader_text_speaks_of_no_drafts_and_no_label_slugs(built: Build, docname: str):
    """What a reader sees, text and cell outputs alike, never mentions the notes
    the chapter was written from and never cites an equation by its label slug;
    the prose (outside code) never says "seed"; no directive was left unparsed."""
    content = BeautifulSoup(str(main_content(docname)), "html.parser")
    for tag in content.find_all(["script", "style"]):
        tag.decompose()
    text = content.get_text(" ")
    assert DRAFT_WORDS.findall(text) == []
    labels = equation_labels()
    assert labels
    slugs = [m.group(0) for m in LABEL.finditer(text) if m.group(1) in labels]
    assert slugs == []
    assert "```{" not in text and ":::{" not in text
    for tag in content.find_all(["pre", "code"]) + content.select(".math, .cell"):
        tag.decompose()
    assert re.findall(r"\bseeds?\b|\bgrew from\b", content.get_text(" "), re.I) == []


def test_pages_are_in_reading_order():
    assert toc_docnames() == ("book/index", "book/backpropagation", "book/training",
                              "book/learning-challenges", "book/speed", "book/bibliography")


def test_the_four_equations_are_named_on_the_derivation_page(built: Build):
    """BP1-BP4 are shown with their names, each once where it is derived, and
    together in the summary tables."""
    content = main_content("book/backpropagation")
    tags = [m.get_text() for m in content.select("div.math")]
    for n in range(1, 5):
        assert sum(f"\\tag{{BP{n}}}" in t for t in tags) == 1, n
        assert content.find(id=f"eq-bp{n}") is not None
    for name in ("table-four-equations", "table-batch-equations"):
        table = content.find("table", id=name)
        assert all(f"BP{n}" in table.get_text() for n in range(1, 5)), name


CODE_WIDTH = 78  # characters of code that the content column shows without scrolling


def shown_code() -> list[tuple[str, int, str]]:
    """(where, line number, line) of every line of code the pages show: code
    cells, and the functions they include from bpcode with literalinclude."""
    import ast

    lines = []
    for docname in toc_docnames():
        path = source_of(docname)
        text = path.read_text(encoding="utf8")
        for match in re.finditer(r"```\{code-cell\}[^\n]*\n(.*?)```", text, re.S):
            first = text[:match.start(1)].count("\n") + 1
            for i, line in enumerate(match.group(1).splitlines()):
                if not line.startswith(":"):  # cell options
                    lines.append((path.name, first + i, line))
        for match in re.finditer(r"```\{literalinclude\} \.\./(\S+)\n:pyobject: (\S+)", text):
            source = (ROOT / match.group(1)).read_text(encoding="utf8").splitlines()
            node = ast.parse("\n".join(source))
            for name in match.group(2).split("."):
                node = next(n for n in ast.walk(node) if getattr(n, "name", None) == name)
            for number in range(node.lineno, node.end_lineno + 1):
                lines.append((match.group(1), number, source[number - 1]))
    return lines


def test_code_the_pages_show_fits_the_column():
    shown = shown_code()
    assert len(shown) > 100
    long = [f"{where}:{number}" for where, number, line in shown if len(line) > CODE_WIDTH]
    assert long == []


@pytest.mark.parametrize("docname", NOTEBOOK_PAGES)
def test_printed_output_fits_the_column(built: Build, docname: str):
    nb = json.loads((EXECUTED_DIR / f"{docname}.ipynb").read_text(encoding="utf8"))
    long = []
    for i, cell in enumerate(c for c in nb["cells"] if c["cell_type"] == "code"):
        for out in cell.get("outputs", []):
            text = out.get("text") or out.get("data", {}).get("text/plain", "")
            if set(out.get("data", {})) - {"text/plain"}:
                continue  # an HTML table or a figure: the page shows that, not this text
            lines = "".join(text).splitlines()
            long += [f"cell {i + 1}: {line!r}" for line in lines if len(line) > CODE_WIDTH]
    assert long == []


def test_page_figures_use_the_book_style():
    """Issue 12: a page that draws its own pyplot figures gives them the book's
    style (viz.use_style: fonts, colours, dpi, the column's width) and sets no font
    size below the style's smallest; tests/test_browser_layout.py checks the
    sizes the figures are shown at."""
    from bpcode.viz import style

    for docname in toc_docnames():
        text = source_of(docname).read_text(encoding="utf8")
        if "plt." in text:
            assert "viz.use_style()" in text, docname
    small = [f"{where}:{number}" for where, number, line in shown_code()
             for size in re.findall(r"fontsize\s*=\s*([\d.]+)", line)
             if float(size) < style.SMALL_SIZE]
    assert small == []
