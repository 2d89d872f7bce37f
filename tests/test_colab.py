"""The Colab notebooks and the rewritten Colab links."""

import subprocess
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import colab_notebooks  # noqa: E402
from bpbook import colab  # noqa: E402

BRANCH = colab_notebooks.notebooks_branch()


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
    assert colab.rewrite(html, BRANCH) == (
        f'<a href="https://colab.research.google.com/github/bpbook/bpbook/blob/{BRANCH}/'
        'book/speed.ipynb" class="btn">')
    other = '<a href="https://mybinder.org/v2/gh/bpbook/bpbook/main?urlpath=lab/tree/book/a.md">'
    assert colab.rewrite(other, BRANCH) == other


def test_the_branch_is_named_once_and_the_workflow_reads_it():
    """_config.yml names the branch; the workflow takes it from the script's --branch."""
    printed = subprocess.run([sys.executable, str(ROOT / "scripts" / "colab_notebooks.py"),
                              "--branch"], capture_output=True, text=True, check=True)
    assert printed.stdout.strip() == BRANCH
    workflow = (ROOT / ".github" / "workflows" / "book.yml").read_text()
    assert "python scripts/colab_notebooks.py --branch" in workflow
    assert "publish_branch: ${{ steps.colab.outputs.branch }}" in workflow
