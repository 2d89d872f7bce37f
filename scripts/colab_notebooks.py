"""Write the book's pages as .ipynb notebooks that run on Google Colab.

Colab opens only .ipynb files from GitHub, while the pages are MyST markdown.
This script converts every page of ``_toc.yml`` that has code cells with
jupytext, and puts one cell in front that, on Colab only, clones the
repository, moves into its ``book/`` folder (the pages read files relative to
it, as in the book build) and installs ``bpcode`` with its extras. The GitHub
workflow publishes the result to the branch the Colab buttons point at:
``colab_notebooks_branch`` in ``_config.yml``, the one place that names it.
The book build (``book/_ext/bpbook/colab.py``) reads it there as a Sphinx
setting, the workflow and the tests through :func:`notebooks_branch`.

Usage: python scripts/colab_notebooks.py OUTPUT_FOLDER   # write the notebooks
       python scripts/colab_notebooks.py --branch        # print the branch name
"""

import sys
from pathlib import Path

import jupytext
import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent

SETUP = """\
# On Colab: fetch the book's repository and install bpcode, then work from
# book/ as the book build does. Elsewhere this cell does nothing.
import os
import sys

if "google.colab" in sys.modules and not os.path.isdir("/content/bpbook"):
    get_ipython().system("git clone --depth 1 {url} /content/bpbook")
    get_ipython().run_line_magic("pip", "install -q -e /content/bpbook[viz,datasets]")
if "google.colab" in sys.modules:
    os.chdir("/content/bpbook/book")
"""


def notebooks_branch(root=ROOT):
    """The branch the notebooks are published to: ``colab_notebooks_branch``,
    under ``sphinx: config:`` in ``_config.yml``."""
    config = yaml.safe_load((root / "_config.yml").read_text())
    branch = config.get("sphinx", {}).get("config", {}).get("colab_notebooks_branch")
    if not branch:
        raise LookupError(f"colab_notebooks_branch is not set under sphinx: config: in "
                          f"{root / '_config.yml'}")
    return branch


def toc_pages(root=ROOT):
    """The page paths of ``_toc.yml``, root first, as written there."""
    toc = yaml.safe_load((root / "_toc.yml").read_text())
    pages = [toc["root"]]
    for entry in toc.get("chapters", []):
        pages.append(entry["file"])
    return pages


def colab_notebook(page, url):
    """The notebook for ``page`` (a .md path) with the Colab set-up cell first,
    or None when the page has no code cells."""
    notebook = jupytext.read(page, fmt="md:myst")
    if not any(cell.cell_type == "code" for cell in notebook.cells):
        return None
    setup = nbformat.v4.new_code_cell(SETUP.format(url=url))
    setup.metadata["tags"] = ["colab-setup"]
    notebook.cells.insert(0, setup)
    return notebook


def main(output, root=ROOT):
    config = yaml.safe_load((root / "_config.yml").read_text())
    url = config["repository"]["url"]
    written = []
    for page in toc_pages(root):
        notebook = colab_notebook(root / f"{page}.md", url)
        if notebook is None:
            continue
        target = Path(output) / f"{page}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, target)
        written.append(target)
    return written


if __name__ == "__main__":
    if sys.argv[1:] == ["--branch"]:
        print(notebooks_branch())
    elif len(sys.argv) == 2 and not sys.argv[1].startswith("-"):
        for path in main(sys.argv[1]):
            print(path)
    else:
        sys.exit(__doc__)
