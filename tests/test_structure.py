"""The shape of the code: bpcode's modules import each other without cycles,
stay small, say when the book shows them, and nothing outside the package
(tests, benchmarks, scripts, book pages) reaches for a private name of it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "bpcode"
MAX_LINES = 300


def modules() -> dict[str, Path]:
    """bpcode's modules by dotted name."""
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imported_modules(name: str, path: Path, known: set[str]) -> set[str]:
    """The bpcode modules that ``name`` imports, at any depth of its code."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf8"))):
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                targets.add(candidate if candidate in known else base)
        elif isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
    return {t for t in targets if t in known and t != name}


def test_no_import_cycles():
    known = modules()
    graph = {name: imported_modules(name, path, set(known)) for name, path in known.items()}
    # A package imports its submodules to re-export them; that edge is not a cycle.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    state: dict[str, str] = {}
    cycles = []

    def visit(node, stack):
        state[node] = "open"
        for target in sorted(graph[node]):
            if state.get(target) == "open":
                cycles.append(" -> ".join(stack[stack.index(target):] + [target]))
            elif target not in state:
                visit(target, stack + [target])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_modules_are_small_or_say_why(name):
    path = modules()[name]
    lines = len(path.read_text(encoding="utf8").splitlines())
    if lines > MAX_LINES:
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf8"))) or ""
        assert "one idea" in docstring, (
            f"{path.relative_to(ROOT)} has {lines} lines; split it, or say in its docstring "
            f"why it is one idea")


def test_modules_the_book_shows_say_so():
    shown = set()
    for page in (ROOT / "book").glob("*.md"):
        shown.update(re.findall(r"```\{literalinclude\} \.\./(bpcode/[\w/]+\.py)",
                                page.read_text(encoding="utf8")))
    assert shown
    for rel in sorted(shown):
        docstring = ast.get_docstring(ast.parse((ROOT / rel).read_text(encoding="utf8"))) or ""
        assert "The book shows" in docstring, f"{rel} does not say that the book shows it"


def private_uses(path: Path):
    """Private names of bpcode that the file at ``path`` imports, or reaches as an
    attribute of bpcode, of one of its modules or of a name imported from it."""
    tree = ast.parse(path.read_text(encoding="utf8"))
    bpcode_names = {"bpcode"}  # names bound to bpcode or one of its modules
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "bpcode":
                    bpcode_names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("bpcode"):
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield f"line {node.lineno}: from {node.module} import {alias.name}"
                bpcode_names.add(alias.asname or alias.name)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") \
                and not node.attr.startswith("__"):
            root = node.value
            while isinstance(root, ast.Attribute):
                root = root.value
            if isinstance(root, ast.Name) and root.id in bpcode_names:
                yield f"line {node.lineno}: {ast.unparse(node)}"


OUTSIDE = sorted(
    p for folder in ("tests", "benchmarks", "scripts")
    for p in (ROOT / folder).rglob("*.py") if p.name != "test_structure.py"
)


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_private_names_of_bpcode_outside_it(path):
    allowed = {
        # The one place where a test makes the fast computation refuse a step:
        # refusals need a non-finite value, which would end training.
        ("tests/test_fast_path.py", "FastStep._step"),
    }
    rel = path.relative_to(ROOT).as_posix()
    uses = [use for use in private_uses(path)
            if not any(rel == a and use.endswith(b) for a, b in allowed)]
    assert uses == []


def test_book_pages_use_no_private_names_of_bpcode():
    pattern = re.compile(r"\bbpcode(\.\w+)*\._\w+|\bfrom bpcode[\w.]* import [^\n]*\b_\w+")
    for page in sorted((ROOT / "book").glob("*.md")):
        assert pattern.findall(page.read_text(encoding="utf8")) == [], page.name


def test_no_merge_conflict_markers():
    import subprocess

    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    marked = []
    for name in files:
        path = ROOT / name
        if path.suffix not in {".py", ".md", ".yml", ".toml", ".txt", ".js", ".cfg", ""}:
            continue
        try:
            lines = path.read_text(encoding="utf8").splitlines()
        except (UnicodeDecodeError, FileNotFoundError, IsADirectoryError):
            continue
        marked += [f"{name}:{i}" for i, line in enumerate(lines, 1)
                   if line.startswith(("<<<<<<< ", ">>>>>>> "))]
    assert marked == []
