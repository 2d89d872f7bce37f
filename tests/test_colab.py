"""The Colab notebooks and the rewritten Colab links."""

import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import colab_links  # noqa: E402
import colab_notebooks  # noqa: E402


def test_every_page_with_code_becomes_a_notebook_with_the_setup_cell_first(tmp_path):
    written = colab_notebooks.main(tmp_path)
    assert written, "no notebook written"
    for page in colab_notebooks.toc_pages():
        source = jupytext.read(ROOT / f"{page}.md", fmt="md:myst")
        code = [c.source for c in source.cells if c.cell_type == "code"]
        target = tmp_path / f"{page}.ipynb"
        if not code:
            assert not target.exists()
            continue
        notebook = nbformat.read(target, as_version=4)
        nbformat.validate(notebook)
        setup, *rest = notebook.cells
        assert "colab-setup" in setup.metadata["tags"]
        assert "google.colab" in setup.source
        assert "https://github.com/bpbook/bpbook" in setup.source
        assert [c.source for c in rest if c.cell_type == "code"] == code


def test_the_setup_cell_does_nothing_outside_colab():
    namespace = {}
    exec(compile(colab_notebooks.SETUP.format(url="https://example.invalid/repo"),
                 "setup", "exec"), namespace)
    assert "google.colab" not in sys.modules


def test_colab_links_point_at_notebooks_on_the_notebooks_branch():
    html = ('<a href="https://colab.research.google.com/github/bpbook/bpbook/blob/main/'
            'book/speed.md" class="btn">')
    assert colab_links.rewrite(html, "notebooks") == (
        '<a href="https://colab.research.google.com/github/bpbook/bpbook/blob/notebooks/'
        'book/speed.ipynb" class="btn">')
    other = '<a href="https://mybinder.org/v2/gh/bpbook/bpbook/main?urlpath=lab/tree/book/a.md">'
    assert colab_links.rewrite(other, "notebooks") == other
