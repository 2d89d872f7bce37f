"""Re-execute the notebook pages when bpcode/ changes.

Sphinx re-reads only pages whose own source changed, and myst-nb executes a
page only when Sphinx reads it. The pages' outputs, however, come from the
``bpcode`` package, so after an edit to ``bpcode/`` an incremental build would
keep stale outputs (with ``execute_notebooks: force`` as much as with
``cache``). :func:`outdated_notebooks` hashes the files listed in
``execution_dependencies`` (relative to the book root; folders are searched for
``*.py``) and, when the hash differs from the previous build, marks every page
with code cells as changed, so they are read and executed again. A build with
no changes still re-executes nothing.

Hook (connected in ``__init__.py``): :func:`outdated_notebooks` on
``env-get-outdated`` at 500, its only listener.

What this relies on (check when bumping a pin in requirements.txt):

* Sphinx 7.4: ``env-get-outdated`` listeners return extra docnames to read
  again; the ``BuildEnvironment`` is pickled between builds, so an attribute
  set on it (``bpbook_dependency_digest``) survives until Sphinx discards the
  environment (then everything is read anyway).
* myst-nb 1.4: copies a notebook page's ``kernelspec`` into
  ``env.metadata[docname]`` (how a page with code cells is recognised), and
  executes a page only while Sphinx reads it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.environment import BuildEnvironment
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _digest(root: Path, entries: list[str]) -> str:
    h = hashlib.sha256()
    for entry in entries:
        path = root / entry
        files = sorted(path.rglob("*.py")) if path.is_dir() else [path]
        for file in files:
            if file.is_file():
                h.update(file.relative_to(root).as_posix().encode() + b"\0")
                h.update(file.read_bytes() + b"\0")
    return h.hexdigest()


def outdated_notebooks(app: Sphinx, env: BuildEnvironment, added, changed, removed):
    digest = _digest(Path(app.srcdir), app.config.execution_dependencies)
    previous = getattr(env, "bpbook_dependency_digest", None)
    env.bpbook_dependency_digest = digest  # pickled with the environment
    if previous is None or previous == digest:
        return []
    notebooks = [
        doc
        for doc in env.found_docs
        if "kernelspec" in env.metadata.get(doc, {}) and doc not in added | changed
    ]
    if notebooks:
        logger.info(
            "[bpbook.rerun] %s changed: re-executing %d page(s)",
            ", ".join(app.config.execution_dependencies),
            len(notebooks),
        )
    return notebooks
