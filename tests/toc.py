"""The book's pages in reading order, as _toc.yml lists them (its root first)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _files(node: dict) -> list[str]:
    files = []
    for key in ("parts", "chapters", "sections"):
        for child in node.get(key, []) or []:
            if "file" in child:
                files.append(child["file"])
            files.extend(_files(child))
    return files


def docnames(book_root: Path = ROOT) -> tuple[str, ...]:
    """The pages of the book at ``book_root``, e.g. ("book/index", ...)."""
    toc = yaml.safe_load((book_root / "_toc.yml").read_text(encoding="utf8"))
    return tuple(str(Path(name).with_suffix("")) for name in [toc["root"], *_files(toc)])
