"""axe-core, the accessibility checker, run in a page of the book.

The pinned npm package ``axe-core`` (:data:`VERSION`) is fetched once with the
ordinary npm client (``npm pack``: one tarball; axe-core has no dependencies)
into the git-ignored ``node_modules/axe-core-<version>/``, and injected into a
page from that file by Playwright (``add_script_tag(path=...)`` inlines it, so
the page makes no request for it). :func:`violations` runs ``axe.run()`` with
its default rules, the WCAG 2 A and AA rules and axe's best practices, without
axe's preloading of the page's stylesheets (``preload: false``): it fetches an
``@import`` relative to the page instead of the stylesheet (the theme's
``theme.css`` imports ``../basic.css``), a failed request that the page itself
never makes; only the rule css-orientation-lock reads them.
"""

from __future__ import annotations

import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from . import ROOT

VERSION = "4.10.3"
FOLDER = ROOT / "node_modules" / f"axe-core-{VERSION}"  # node_modules/ is git-ignored
#: The impacts that fail a page (axe's four are minor, moderate, serious, critical).
FAILING = ("serious", "critical")

RUN_JS = """
async () => {
  const result = await axe.run(document, {resultTypes: ["violations"], preload: false});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map((n) => n.target.join(" ") + ": " + (n.failureSummary || "")),
  }));
}
"""


def script() -> Path:
    """``axe.min.js`` of the pinned version, fetched with npm on first use."""
    target = FOLDER / "axe.min.js"
    if target.is_file():
        return target
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch axe-core (bash .ci/setup installs it)")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([npm, "pack", f"axe-core@{VERSION}", "--silent"], cwd=tmp, check=True,
                       capture_output=True, timeout=300)
        (tarball,) = Path(tmp).glob("axe-core-*.tgz")
        with tarfile.open(tarball) as tar:
            source = tar.extractfile("package/axe.min.js").read()
            licence = tar.extractfile("package/LICENSE").read()  # MPL-2.0: keep it with it
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / "LICENSE").write_bytes(licence)
    partial = target.with_suffix(".part")
    partial.write_bytes(source)
    partial.replace(target)  # a run stopped half-way leaves no truncated axe.min.js
    return target


def violations(page) -> list[dict]:
    """Every axe violation in ``page`` (a Playwright page that has loaded)."""
    page.add_script_tag(path=script())
    return page.evaluate(RUN_JS)


def failing(found: list[dict]) -> dict[str, list[str]]:
    """The violations of impact serious or critical, by rule: the elements and why."""
    return {v["id"]: v["nodes"] for v in found if v["impact"] in FAILING}
